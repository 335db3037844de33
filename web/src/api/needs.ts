// Needs capture (issue 14): the API of /api/v1/needs, /accounts/{id}/needs and interviews.
// The record and body types are aliases of the OpenAPI document's (schema.d.ts, generated from
// the server's shapes Need and Interview in api/needs/needs.c); the value lists are checked
// against its enums by allOf (api/types.ts). Query parameters are written here by hand.
import type { components } from './schema'
import { http } from './http'
import { allOf, type BodyOf, type Page } from './types'

type S = components['schemas']

export type Need = S['Need']
export type Interview = S['Interview']
export type NeedCategory = Need['category']
export type NeedPriority = Need['priority']
export type NeedStatus = Need['status']
export type NeedSource = Need['source']
export type AddressedKind = NonNullable<Need['addressed_by']>['kind']

export const NEED_CATEGORIES = allOf<NeedCategory>({
  product: true,
  service: true,
  price: true,
  delivery: true,
  technical: true,
  other: true,
})
export const NEED_PRIORITIES = allOf<NeedPriority>({ high: true, medium: true, low: true }) // high first
export const NEED_STATUSES = allOf<NeedStatus>({ open: true, addressing: true, addressed: true, dropped: true })
export const NEED_SOURCES = allOf<NeedSource>({ interview: true, visit: true, survey: true, manual: true })
export const ADDRESSED_KINDS = allOf<AddressedKind>({ offer: true, measure: true, issue: true })

/** A PATCH of a need (a POST takes the same fields, description required). */
export type NeedInput = BodyOf<'/api/v1/needs/{id}', 'patch'>
export type NeedMove = BodyOf<'/api/v1/needs/{id}/status', 'post'>
export type InterviewInput = BodyOf<'/api/v1/interviews/{id}', 'patch'>
/** What a revisit learned (POST /visits/{id}/complete "learnings"). */
export type VisitLearnings = NonNullable<BodyOf<'/api/v1/visits/{id}/complete', 'post'>['learnings']>

export interface NeedQuery {
  account_id?: number
  owner_id?: number | 'me'
  category?: NeedCategory
  status?: NeedStatus
  open?: 1
  priority?: NeedPriority
  interview_id?: number
  q?: string
  older_than_days?: number
  due_before?: string
  sort?: string
  limit?: number
  cursor?: string
}

type Q = Record<string, string | number | undefined>

export const needsApi = {
  list: (q: NeedQuery = {}) => http.get<Page<Need>>('/needs', q as Q),
  count: (q: NeedQuery = {}) => http.get<{ total: number }>('/needs/count', q as Q),
  forAccount: (accountId: number, q: NeedQuery = {}) =>
    http.get<Page<Need>>(`/accounts/${accountId}/needs`, q as Q),
  get: (id: number) => http.get<Need>(`/needs/${id}`),
  create: (accountId: number, body: NeedInput) => http.post<Need>(`/accounts/${accountId}/needs`, body),
  update: (id: number, body: NeedInput) => http.patch<Need>(`/needs/${id}`, body),
  remove: (id: number) => http.del(`/needs/${id}`),
  move: (id: number, body: NeedMove) => http.post<Need>(`/needs/${id}/status`, body),
  interviews: (accountId: number, cursor?: string) =>
    http.get<Page<Interview>>(`/accounts/${accountId}/interviews`, { limit: 50, cursor }),
  interview: (id: number) => http.get<Interview>(`/interviews/${id}`),
  createInterview: (accountId: number, body: InterviewInput) =>
    http.post<Interview>(`/accounts/${accountId}/interviews`, body),
  updateInterview: (id: number, body: InterviewInput) => http.patch<Interview>(`/interviews/${id}`, body),
  removeInterview: (id: number) => http.del(`/interviews/${id}`),
}

/** The moves a need in `from` may make (svc/needs/need.c need_transition_allowed). */
export function movesFrom(from: NeedStatus): NeedStatus[] {
  switch (from) {
    case 'open':
      return ['addressing', 'addressed', 'dropped']
    case 'addressing':
      return ['addressed', 'dropped', 'open']
    default:
      return ['open']
  }
}

/** The caller's grant for a permission object that schema.d.ts may not name yet. */
export function grantOf(row: unknown, obj: string, act: 'read' | 'create' | 'update' | 'delete'): boolean {
  const perms = (row as { permissions?: Record<string, Record<string, string>> } | null | undefined)?.permissions
  const g = perms?.[obj]?.[act]
  return g === 'all' || g === 'scope'
}
