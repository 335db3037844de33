// Disputes and lessons learned (issue 17 items 4-5, docs/API.md "Disputes" and "Lessons"):
// /api/v1/disputes (the board, the ladder: escalate and close, stages, events, the timeline and the
// dossier), /api/v1/lessons (search, links, accountability, training needs). The record and body
// types are aliases of the OpenAPI document's (schema.d.ts).
import type { components } from './schema'
import { http } from './http'
import { allOf, type BodyOf, type Page } from './types'

type S = components['schemas']

export type Dispute = S['Dispute']
export type DisputeStage = S['DisputeStage']
export type DisputeEvent = S['DisputeEvent']
export type DisputeBoard = S['DisputeBoard']
export type DisputeBoardStage = S['DisputeBoardStage']
export type DisputeTimeline = S['DisputeTimeline']
export type DisputeTimelineItem = S['DisputeTimelineItem']
export type Lesson = S['Lesson']
export type LessonLink = S['LessonLink']
export type Accountability = S['Accountability']
export type TrainingNeed = S['TrainingNeed']

export type Stage = Dispute['stage']
export const STAGES = allOf<Stage>({ negotiation: true, mediation: true, arbitration: true, litigation: true, closed: true })
/** The ladder's open stages, in order. */
export const LADDER: Stage[] = ['negotiation', 'mediation', 'arbitration', 'litigation']
export type Outcome = NonNullable<Dispute['outcome']>
export const OUTCOMES = allOf<Outcome>({ settled: true, won: true, lost: true, withdrawn: true })
export type EventKind = DisputeEvent['kind']
export const EVENT_KINDS = allOf<EventKind>({ note: true, meeting: true, filing: true, hearing: true, offer: true, decision: true, payment: true })
export type LinkKind = LessonLink['kind']
export const LINK_KINDS = allOf<LinkKind>({ dispute: true, breach: true, opportunity: true, account: true, issue: true, contract: true })

/** The next stage of the ladder (none from litigation or closed). */
export function nextStage(s: Stage): Stage | null {
  const i = LADDER.indexOf(s)
  return i >= 0 && i < LADDER.length - 1 ? LADDER[i + 1] : null
}
/** The outcomes the server allows at a stage: won and lost need an arbitrator or a court. */
export function outcomesAt(s: Stage): Outcome[] {
  if (s === 'closed') return []
  return s === 'arbitration' || s === 'litigation' ? OUTCOMES : ['settled', 'withdrawn']
}

export type DisputeInput = BodyOf<'/api/v1/disputes', 'post'>
export type DisputePatch = BodyOf<'/api/v1/disputes/{id}', 'patch'>
export type EscalateInput = BodyOf<'/api/v1/disputes/{id}/escalate', 'post'>
export type CloseInput = BodyOf<'/api/v1/disputes/{id}/close', 'post'>
export type StagePatch = BodyOf<'/api/v1/disputes/{id}/stages/{sid}', 'patch'>
export type EventInput = BodyOf<'/api/v1/disputes/{id}/events', 'post'>
export type LessonInput = BodyOf<'/api/v1/lessons', 'post'>
export type AccountabilityInput = BodyOf<'/api/v1/lessons/{id}/accountability', 'post'>
export type TrainingInput = BodyOf<'/api/v1/lessons/{id}/training-needs', 'post'>

export interface DisputeQuery {
  account_id?: number
  contract_id?: number
  stage?: Stage
  open?: 0 | 1
  q?: string
  sort?: string
  limit?: number
  cursor?: string
}
export interface LessonQuery {
  q?: string
  account_id?: number
  tag?: string
  kind?: LinkKind
  ref_id?: number
  sort?: string
  limit?: number
  cursor?: string
}

type Q = Record<string, string | number | undefined>

export const disputesApi = {
  list: (q: DisputeQuery = {}) => http.get<Page<Dispute>>('/disputes', q as Q),
  board: () => http.get<DisputeBoard>('/disputes/board'),
  get: (id: number) => http.get<Dispute>(`/disputes/${id}`),
  create: (b: DisputeInput) => http.post<Dispute>('/disputes', b),
  update: (id: number, b: DisputePatch) => http.patch<Dispute>(`/disputes/${id}`, b),
  remove: (id: number) => http.del<void>(`/disputes/${id}`),
  escalate: (id: number, b: EscalateInput) => http.post<Dispute>(`/disputes/${id}/escalate`, b),
  close: (id: number, b: CloseInput) => http.post<Dispute>(`/disputes/${id}/close`, b),
  updateStage: (id: number, sid: number, b: StagePatch) => http.patch<DisputeStage>(`/disputes/${id}/stages/${sid}`, b),
  addEvent: (id: number, b: EventInput) => http.post<DisputeEvent>(`/disputes/${id}/events`, b),
  timeline: (id: number) => http.get<DisputeTimeline>(`/disputes/${id}/timeline`),
  /** The printable dossier (opens in a new tab) and the workbook (a download). */
  dossierHtml: (id: number) => `/api/v1/disputes/${id}/dossier.html`,
  dossierXlsx: (id: number) => `/api/v1/disputes/${id}/dossier.xlsx`,
}

export const lessonsApi = {
  list: (q: LessonQuery = {}) => http.get<Page<Lesson>>('/lessons', q as Q),
  get: (id: number) => http.get<Lesson>(`/lessons/${id}`),
  create: (b: LessonInput) => http.post<Lesson>('/lessons', b),
  update: (id: number, b: Partial<LessonInput> & { version?: number }) => http.patch<Lesson>(`/lessons/${id}`, b),
  remove: (id: number) => http.del<void>(`/lessons/${id}`),
  accountability: (id: number) => http.get<Page<Accountability>>(`/lessons/${id}/accountability`, { limit: 100 }),
  addAccountability: (id: number, b: AccountabilityInput) => http.post<Accountability>(`/lessons/${id}/accountability`, b),
  trainingNeeds: (id: number) => http.get<Page<TrainingNeed>>('/training-needs', { lesson_id: id, limit: 100 }),
  addTrainingNeed: (id: number, b: TrainingInput) => http.post<TrainingNeed>(`/lessons/${id}/training-needs`, b),
}

/** Pickers of the "report a dispute" form: the account's contracts and a contract's breaches. */
export const disputePickers = {
  contracts: (account_id: number) => http.get<Page<S['Contract']>>('/contracts', { account_id, limit: 100 }),
  breaches: (contract_id: number) => http.get<Page<S['Breach']>>('/breaches', { contract_id, limit: 100 }),
}
