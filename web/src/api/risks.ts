// The risk register and compliance (issue 16 item 1, docs/RISK.md): /api/v1/risks (risks, actions,
// close/reopen, the heat map) and /api/v1/gifts, /api/v1/gift-rules and the accounts' gift budgets.
// The record and body types are aliases of the OpenAPI document's (schema.d.ts; the server's shapes
// Risk, RiskHeatmap, Gift, GiftRule and GiftBudget in api/risk/{risks,gifts}.c).
import type { components } from './schema'
import { http } from './http'
import { allOf, type BodyOf, type Page } from './types'

type S = components['schemas']

export type Risk = S['Risk']
export type RiskAction = NonNullable<Risk['actions']>[number]
export type RiskHeatmap = S['RiskHeatmap']
export type RiskHeatCell = RiskHeatmap['cells'][number]
export type Gift = S['Gift']
export type GiftRule = S['GiftRule']
export type GiftBudget = S['GiftBudget']

export type RiskCategory = Risk['category']
export const RISK_CATEGORIES = allOf<RiskCategory>({ credit: true, operating: true, competitive: true, compliance: true, other: true })
export type RiskResponse = NonNullable<Risk['response']>
export const RISK_RESPONSES = allOf<RiskResponse>({ avoid: true, reduce: true, transfer: true, accept: true })
export type RiskStatus = Risk['status']
export const RISK_STATUSES = allOf<RiskStatus>({ open: true, responding: true, closed: true })
export type RiskLevel = Risk['level']
export const RISK_LEVELS = allOf<RiskLevel>({ low: true, medium: true, high: true, critical: true })
export type GiftKind = Gift['kind']
export const GIFT_KINDS = allOf<GiftKind>({ gift: true, hospitality: true })
export type GiftStatus = Gift['status']
export const GIFT_STATUSES = allOf<GiftStatus>({ recorded: true, pending: true, approved: true, rejected: true, breach: true })
export type GiftRuleKind = GiftRule['kind']
export const GIFT_RULE_KINDS = allOf<GiftRuleKind>({ gift: true, hospitality: true, any: true })
export type ApproverRole = GiftRule['approver_role']
export const APPROVER_ROLES = allOf<ApproverRole>({ team_lead: true, director: true, finance: true })

/** The level of a score (svc/risk/risk.c risk_level). */
export function riskLevel(score: number): RiskLevel {
  return score <= 4 ? 'low' : score <= 9 ? 'medium' : score <= 16 ? 'high' : 'critical'
}

export type RiskInput = BodyOf<'/api/v1/risks', 'post'>
export type RiskPatch = BodyOf<'/api/v1/risks/{id}', 'patch'>
export type RiskActionInput = BodyOf<'/api/v1/risks/{id}/actions', 'post'>
export type GiftInput = BodyOf<'/api/v1/gifts', 'post'>
export type GiftRuleInput = BodyOf<'/api/v1/gift-rules', 'post'>

export interface RiskQuery {
  account_id?: number
  subsidiaries?: 0 | 1
  category?: RiskCategory
  status?: RiskStatus
  level?: RiskLevel
  owner_id?: number | 'me'
  review_due?: 0 | 1
  action_overdue?: 0 | 1
  q?: string
  sort?: string
  limit?: number
  cursor?: string
}

export interface GiftQuery {
  account_id?: number
  status?: GiftStatus
  year?: number
  pending_for_me?: 0 | 1
  limit?: number
  cursor?: string
}

type Q = Record<string, string | number | undefined>

export const risksApi = {
  list: (q: RiskQuery = {}) => http.get<Page<Risk>>('/risks', q as Q),
  heatmap: (q: RiskQuery = {}) => http.get<RiskHeatmap>('/risks/heatmap', q as Q),
  get: (id: number) => http.get<Risk>(`/risks/${id}`),
  create: (b: RiskInput) => http.post<Risk>('/risks', b),
  update: (id: number, b: RiskPatch) => http.patch<Risk>(`/risks/${id}`, b),
  remove: (id: number) => http.del<void>(`/risks/${id}`),
  close: (id: number, reason: string) => http.post<Risk>(`/risks/${id}/close`, { reason }),
  reopen: (id: number) => http.post<Risk>(`/risks/${id}/reopen`),
  addAction: (id: number, b: RiskActionInput) => http.post<Risk>(`/risks/${id}/actions`, b),
  updateAction: (id: number, aid: number, b: RiskActionInput | { done: boolean }) =>
    http.patch<Risk>(`/risks/${id}/actions/${aid}`, b),
  removeAction: (id: number, aid: number) => http.del<void>(`/risks/${id}/actions/${aid}`),
}

export const giftsApi = {
  list: (q: GiftQuery = {}) => http.get<Page<Gift>>('/gifts', q as Q),
  create: (b: GiftInput) => http.post<Gift>('/gifts', b),
  remove: (id: number) => http.del<void>(`/gifts/${id}`),
  decide: (id: number, decision: 'approve' | 'reject', note: string) => http.post<Gift>(`/gifts/${id}/decide`, { decision, note }),
  rules: () => http.get<Page<GiftRule>>('/gift-rules'),
  createRule: (b: GiftRuleInput) => http.post<GiftRule>('/gift-rules', b),
  updateRule: (id: number, b: Partial<GiftRuleInput> & { version?: number }) => http.patch<GiftRule>(`/gift-rules/${id}`, b),
  removeRule: (id: number) => http.del<void>(`/gift-rules/${id}`),
  budget: (account: number, year?: number) => http.get<GiftBudget>(`/accounts/${account}/gift-budget`, { year }),
  setBudget: (account: number, year: number, amount: number, currency: string) =>
    http.put<GiftBudget>(`/accounts/${account}/gift-budgets/${year}`, { amount, currency }),
}
