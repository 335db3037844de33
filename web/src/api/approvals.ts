// Discount approval (issue 15 item 2): /api/v1/approvals (the inbox, decisions) and
// /api/v1/settings/discounts (how far below the engine's price each role may go alone). The
// record types are aliases of the OpenAPI document's shapes Approval and DiscountLimits
// (api/offers/approvals.c, schema.d.ts); the value lists are checked against its enums by allOf.
import type { components } from './schema'
import { http } from './http'
import { allOf, type Page } from './types'

type S = components['schemas']

export type Approval = S['Approval']
export type DiscountLimits = S['DiscountLimits']
export type ApprovalNeeds = Approval['needs']
export type ApprovalStatus = Approval['status']
export const APPROVAL_STATUSES = allOf<ApprovalStatus>({
  pending: true,
  approved: true,
  rejected: true,
  withdrawn: true,
})

export type ApprovalStepRow = Approval['steps'][number]

export interface ApprovalQuery {
  status?: ApprovalStatus
  mine?: 1
  limit?: number
  cursor?: string
}

/** The roles that have a limit of their own (above the director's: finance and the director). */
export type LimitRole = DiscountLimits['limits'][number]['role']
export const LIMIT_ROLES = allOf<LimitRole>({ account_manager: true, team_lead: true, director: true })

type Q = Record<string, string | number | undefined>

export const approvalsApi = {
  list: (q: ApprovalQuery = {}) => http.get<Page<Approval>>('/approvals', q as Q),
  count: (q: ApprovalQuery = {}) => http.get<{ total: number }>('/approvals/count', q as Q),
  get: (id: number) => http.get<Approval>(`/approvals/${id}`),
  approve: (id: number, comment?: string) => http.post<Approval>(`/approvals/${id}/approve`, comment ? { comment } : {}),
  reject: (id: number, comment: string) => http.post<Approval>(`/approvals/${id}/reject`, { comment }),
  withdraw: (id: number) => http.post<Approval>(`/approvals/${id}/withdraw`, {}),
  limits: () => http.get<DiscountLimits>('/settings/discounts'),
  setLimits: (limits: DiscountLimits['limits']) => http.put<DiscountLimits>('/settings/discounts', { limits }),
}

/** What the approval screen shows of the offer behind a request (GET /api/v1/offers/{id}). */
export type ApprovalOffer = S['Offer']
export const offerOfApproval = (offerId: number) => http.get<ApprovalOffer>(`/offers/${offerId}`)
