// Competencies and selection (issue 18 F6.1, docs/API.md "The account team: competencies and
// selection", the rules in docs/TEAM.md): the competency model (/competencies), role profiles
// (/role-profiles and their candidate ranking), assessments of people (/assessments, a person's
// current levels at /users/{id}/competencies) and candidates (/candidates: interview scores and
// the decision). The record and body types are aliases of the OpenAPI document's (schema.d.ts).
import type { components } from './schema'
import { http, fetchAll } from './http'
import { allOf, type BodyOf, type Page } from './types'

type S = components['schemas']

export type Competency = S['Competency']
export type CompetencyLevel = S['CompetencyLevel']
export type RoleProfile = S['RoleProfile']
export type RoleProfileLevel = S['RoleProfileLevel']
export type Assessment = S['Assessment']
export type AssessmentScore = S['AssessmentScore']
export type PersonCompetencies = S['PersonCompetencies']
export type PersonCompetency = S['PersonCompetency']
export type PersonScore = S['PersonScore']
export type Candidate = S['Candidate']
export type InterviewScore = S['InterviewScore']
export type CandidateRanking = S['CandidateRanking']
export type RankedCandidate = S['RankedCandidate']
export type RankGap = S['RankGap']
export type RankLevel = S['RankLevel']

export type AssessmentKind = Assessment['kind']
export const ASSESSMENT_KINDS = allOf<AssessmentKind>({ self: true, manager: true, peer: true })
export type CandidateStatus = Candidate['status']
export const CANDIDATE_STATUSES = allOf<CandidateStatus>({ open: true, hired: true, rejected: true, on_hold: true, promoted: true })
/** The decisions (every status but open). */
export const DECISIONS: Exclude<CandidateStatus, 'open'>[] = ['hired', 'rejected', 'on_hold', 'promoted']
/** The rubric's levels. */
export const LEVELS = [1, 2, 3, 4, 5] as const

export type CompetencyInput = BodyOf<'/api/v1/competencies', 'post'>
export type CompetencyPatch = BodyOf<'/api/v1/competencies/{id}', 'patch'>
export type RoleProfileInput = BodyOf<'/api/v1/role-profiles', 'post'>
export type RoleProfilePatch = BodyOf<'/api/v1/role-profiles/{id}', 'patch'>
export type AssessmentInput = BodyOf<'/api/v1/assessments', 'post'>
export type CandidateInput = BodyOf<'/api/v1/candidates', 'post'>
export type ScoresInput = BodyOf<'/api/v1/candidates/{id}/scores', 'post'>
export type DecisionInput = BodyOf<'/api/v1/candidates/{id}/decision', 'post'>

export interface AssessmentQuery {
  user_id?: number | 'me'
  assessor_id?: number | 'me'
  kind?: AssessmentKind
  sort?: 'id' | 'assessed_on'
  limit?: number
  cursor?: string
}
export interface CandidateQuery {
  profile_id?: number
  status?: CandidateStatus
  limit?: number
  cursor?: string
}

type Q = Record<string, string | number | undefined>

export const competenciesApi = {
  list: (q: { active?: 0 | 1; sort?: 'code' | 'id'; limit?: number; cursor?: string } = {}) => http.get<Page<Competency>>('/competencies', q as Q),
  /** The whole model (every page). */
  all: async (active?: 0 | 1) => (await fetchAll((cursor) => competenciesApi.list({ active, sort: 'id', limit: 200, cursor }))).items,
  get: (id: number) => http.get<Competency>(`/competencies/${id}`),
  create: (b: CompetencyInput) => http.post<Competency>('/competencies', b),
  update: (id: number, b: CompetencyPatch) => http.patch<Competency>(`/competencies/${id}`, b),
  remove: (id: number) => http.del<void>(`/competencies/${id}`),
}

export const roleProfilesApi = {
  list: (q: { active?: 0 | 1; limit?: number; cursor?: string } = {}) => http.get<Page<RoleProfile>>('/role-profiles', q as Q),
  all: async () => (await fetchAll((cursor) => roleProfilesApi.list({ limit: 200, cursor }))).items,
  get: (id: number) => http.get<RoleProfile>(`/role-profiles/${id}`),
  create: (b: RoleProfileInput) => http.post<RoleProfile>('/role-profiles', b),
  update: (id: number, b: RoleProfilePatch) => http.patch<RoleProfile>(`/role-profiles/${id}`, b),
  remove: (id: number) => http.del<void>(`/role-profiles/${id}`),
  ranking: (id: number, status?: CandidateStatus) => http.get<CandidateRanking>(`/role-profiles/${id}/ranking`, { status }),
}

export const assessmentsApi = {
  list: (q: AssessmentQuery = {}) => http.get<Page<Assessment>>('/assessments', q as Q),
  get: (id: number) => http.get<Assessment>(`/assessments/${id}`),
  create: (b: AssessmentInput) => http.post<Assessment>('/assessments', b),
  remove: (id: number) => http.del<void>(`/assessments/${id}`),
  /** A person's current level per competency (as of `on`, default today), with a profile's gaps and fit. */
  ofPerson: (userId: number, q: { profile?: string; on?: string } = {}) => http.get<PersonCompetencies>(`/users/${userId}/competencies`, q as Q),
}

export const candidatesApi = {
  list: (q: CandidateQuery = {}) => http.get<Page<Candidate>>('/candidates', q as Q),
  get: (id: number) => http.get<Candidate>(`/candidates/${id}`),
  create: (b: CandidateInput) => http.post<Candidate>('/candidates', b),
  update: (id: number, b: BodyOf<'/api/v1/candidates/{id}', 'patch'>) => http.patch<Candidate>(`/candidates/${id}`, b),
  scores: (id: number, b: ScoresInput) => http.post<Candidate>(`/candidates/${id}/scores`, b),
  decide: (id: number, b: DecisionInput) => http.post<Candidate>(`/candidates/${id}/decision`, b),
}

/** fit_bp (10000 = every requirement met) as a percentage 0..100 for fmtPercent. */
export const fitPercent = (bp: number | null | undefined) => (bp == null ? null : bp / 100)
