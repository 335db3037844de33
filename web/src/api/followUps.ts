// Department follow-ups (issue 14, F3.6): /api/v1/follow-ups, /accounts/{id}/follow-ups,
// /follow-ups/stats and /settings/follow-ups. Types are the OpenAPI document's (schema.d.ts,
// from the shapes FollowUp and FollowUpStat in api/needs/follow_ups.c).
import type { components } from './schema'
import { http } from './http'
import { allOf, type BodyOf, type Page } from './types'

type S = components['schemas']

export type FollowUp = S['FollowUp']
export type FollowUpStat = S['FollowUpStat']
export type FollowUpStatus = FollowUp['status']
export type FollowUpSource = FollowUp['source']
export type Dept = FollowUp['dept_role']

export const DEPTS = allOf<Dept>({ sales: true, marketing: true, technical: true, production: true, service: true })
export const FOLLOW_UP_STATUSES = allOf<FollowUpStatus>({
  open: true,
  in_progress: true,
  resolved: true,
  confirmed: true,
  reopened: true,
  dropped: true,
})
export const FOLLOW_UP_SOURCES = allOf<FollowUpSource>({ survey: true, comment: true, handoff: true })

export type FollowUpInput = BodyOf<'/api/v1/follow-ups/{id}', 'patch'>
export type FollowUpMove = BodyOf<'/api/v1/follow-ups/{id}/status', 'post'>

export interface FollowUpQuery {
  account_id?: number
  dept_role?: Dept
  status?: FollowUpStatus
  source?: FollowUpSource
  owner_id?: number | 'me'
  open?: 1
  overdue?: 1
  sort?: string
  limit?: number
  cursor?: string
}
export interface FollowUpStats {
  items: FollowUpStat[]
  total: { created: number; resolved: number; confirmed: number; dropped: number; overdue: number; closed_loop_rate: number }
}

/** Who is on the account team (GET /accounts/{id}/members), for choosing an owner. */
export interface TeamMember {
  user_id: number
  name: string
  dept_role: string
}

type Q = Record<string, string | number | undefined>

export const followUpsApi = {
  list: (q: FollowUpQuery = {}) => http.get<Page<FollowUp>>('/follow-ups', q as Q),
  count: (q: FollowUpQuery = {}) => http.get<{ total: number }>('/follow-ups/count', q as Q),
  forAccount: (accountId: number, q: FollowUpQuery = {}) =>
    http.get<Page<FollowUp>>(`/accounts/${accountId}/follow-ups`, q as Q),
  get: (id: number) => http.get<FollowUp>(`/follow-ups/${id}`),
  handOff: (accountId: number, body: FollowUpInput) => http.post<FollowUp>(`/accounts/${accountId}/follow-ups`, body),
  update: (id: number, body: FollowUpInput) => http.patch<FollowUp>(`/follow-ups/${id}`, body),
  remove: (id: number) => http.del(`/follow-ups/${id}`),
  move: (id: number, body: FollowUpMove) => http.post<FollowUp>(`/follow-ups/${id}/status`, body),
  stats: (q: { from?: string; to?: string; team_id?: number } = {}) => http.get<FollowUpStats>('/follow-ups/stats', q as Q),
}

/** The moves a follow-up in `from` may make (svc/needs/follow_up.c follow_up_transition_allowed). */
export function followUpMoves(from: FollowUpStatus): FollowUpStatus[] {
  switch (from) {
    case 'open':
      return ['in_progress', 'resolved', 'dropped']
    case 'in_progress':
      return ['resolved', 'dropped']
    case 'resolved':
      return ['confirmed', 'reopened']
    case 'reopened':
      return ['in_progress', 'resolved', 'dropped']
    case 'dropped':
      return ['reopened']
    default:
      return []
  }
}

export const FOLLOW_UP_STATUS_TYPE: Record<FollowUpStatus, 'danger' | 'warning' | 'success' | 'info' | 'primary'> = {
  open: 'danger',
  in_progress: 'warning',
  resolved: 'primary',
  confirmed: 'success',
  reopened: 'danger',
  dropped: 'info',
}
