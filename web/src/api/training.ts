// Training and its measured effect (issue 18 F6.2, docs/API.md "Training and its measured
// effect"): the catalogue (/courses), sessions (/training-sessions), enrolments with attendance,
// tests, feedback, practice and completion (/enrolments, /users/{id}/training), the team's
// training needs (/training-needs, derive) and the effect report on Kirkpatrick's four levels
// (/courses/{id}/effect). The record and body types are aliases of the OpenAPI document's.
import type { components } from './schema'
import { http } from './http'
import { allOf, type BodyOf, type Page } from './types'

type S = components['schemas']

export type Course = S['Course']
export type TrainingSession = S['TrainingSession']
export type Enrolment = S['Enrolment']
export type TrainingNeed = S['TrainingNeed']
export type TrainingNeedsDerived = S['TrainingNeedsDerived']
export type TrainingEffect = S['TrainingEffect']
export type EffectResults = S['EffectResults']
export type EffectRate = S['EffectRate']
export type Competency = S['Competency']

export type CourseFormat = Course['format']
export const COURSE_FORMATS = allOf<CourseFormat>({ classroom: true, online: true, workshop: true, coaching: true })
/** The topics the server knows by name (a course may also carry the company's own word). */
export const COURSE_TOPICS = ['communication', 'product', 'dispute_handling', 'legal', 'negotiation', 'other'] as const
export type EnrolmentStatus = Enrolment['status']
export const ENROLMENT_STATUSES = allOf<EnrolmentStatus>({ enrolled: true, attended: true, absent: true, completed: true, cancelled: true })
export type NeedSource = TrainingNeed['source']
export const NEED_SOURCES = allOf<NeedSource>({ lesson: true, competency: true, appraisal: true, manual: true })
export type NeedStatus = TrainingNeed['status']
export const NEED_STATUSES = allOf<NeedStatus>({ open: true, planned: true, done: true, dropped: true })
export type EffectKpi = TrainingEffect['kpi']
export const EFFECT_KPIS = allOf<EffectKpi>({ revenue: true, visits: true })

export type CourseInput = BodyOf<'/api/v1/courses', 'post'>
export type CoursePatch = BodyOf<'/api/v1/courses/{id}', 'patch'>
export type SessionInput = BodyOf<'/api/v1/training-sessions', 'post'>
export type SessionPatch = BodyOf<'/api/v1/training-sessions/{id}', 'patch'>
export type EnrolmentInput = BodyOf<'/api/v1/enrolments', 'post'>
export type EnrolmentPatch = BodyOf<'/api/v1/enrolments/{id}', 'patch'>
export type NeedInput = BodyOf<'/api/v1/training-needs', 'post'>
export type DeriveInput = BodyOf<'/api/v1/training-needs/derive', 'post'>

export interface CourseQuery {
  q?: string
  topic?: string
  format?: CourseFormat
  active?: 0 | 1
  competency_id?: number
  sort?: 'code' | 'title' | 'id'
  limit?: number
  cursor?: string
}
export interface SessionQuery {
  course_id?: number
  from?: string
  to?: string
  limit?: number
  cursor?: string
}
export interface EnrolmentQuery {
  session_id?: number
  course_id?: number
  user_id?: number | 'me'
  status?: EnrolmentStatus
  limit?: number
  cursor?: string
}
export interface NeedQuery {
  user_id?: number
  lesson_id?: number
  status?: NeedStatus
  limit?: number
  cursor?: string
}

type Q = Record<string, string | number | undefined>

export const trainingApi = {
  courses: (q: CourseQuery = {}) => http.get<Page<Course>>('/courses', q as Q),
  course: (id: number) => http.get<Course>(`/courses/${id}`),
  createCourse: (b: CourseInput) => http.post<Course>('/courses', b),
  updateCourse: (id: number, b: CoursePatch) => http.patch<Course>(`/courses/${id}`, b),
  removeCourse: (id: number) => http.del<void>(`/courses/${id}`),
  effect: (id: number, q: { months?: number; kpi?: EffectKpi } = {}) => http.get<TrainingEffect>(`/courses/${id}/effect`, q as Q),

  sessions: (q: SessionQuery = {}) => http.get<Page<TrainingSession>>('/training-sessions', q as Q),
  session: (id: number) => http.get<TrainingSession>(`/training-sessions/${id}`),
  createSession: (b: SessionInput) => http.post<TrainingSession>('/training-sessions', b),
  updateSession: (id: number, b: SessionPatch) => http.patch<TrainingSession>(`/training-sessions/${id}`, b),
  removeSession: (id: number) => http.del<void>(`/training-sessions/${id}`),

  enrolments: (q: EnrolmentQuery = {}) => http.get<Page<Enrolment>>('/enrolments', q as Q),
  enrolment: (id: number) => http.get<Enrolment>(`/enrolments/${id}`),
  enrol: (b: EnrolmentInput) => http.post<Enrolment>('/enrolments', b),
  updateEnrolment: (id: number, b: EnrolmentPatch) => http.patch<Enrolment>(`/enrolments/${id}`, b),
  withdraw: (id: number) => http.del<void>(`/enrolments/${id}`),
  attendance: (id: number, attended: boolean) => http.post<Enrolment>(`/enrolments/${id}/attendance`, { attended }),
  feedback: (id: number, rating: number, comment = '') => http.post<Enrolment>(`/enrolments/${id}/feedback`, { rating, comment }),
  complete: (id: number) => http.post<Enrolment>(`/enrolments/${id}/complete`),
  ofUser: (userId: number, q: { course_id?: number; status?: EnrolmentStatus; limit?: number; cursor?: string } = {}) =>
    http.get<Page<Enrolment>>(`/users/${userId}/training`, q as Q),

  needs: (q: NeedQuery = {}) => http.get<Page<TrainingNeed>>('/training-needs', q as Q),
  addNeed: (b: NeedInput) => http.post<TrainingNeed>('/training-needs', b),
  deriveNeeds: (b: DeriveInput = {}) => http.post<TrainingNeedsDerived>('/training-needs/derive', b),

  /** The competencies a course may build (names for the catalogue and the behaviour level). */
  competencies: () => http.get<Page<Competency>>('/competencies', { limit: 200 }),
}
