// Incentives (issue 18 item 4, F6.4; docs/API.md "The account team: incentives", the rules in
// docs/TEAM.md "Incentives"): commission plans and the what-if simulator, bonus pools,
// recognition, payout statements (compute, the workflow, the lines, the payroll workbook). The
// record and body types are aliases of the OpenAPI document's (schema.d.ts).
import type { components } from './schema'
import { fetchAll, http } from './http'
import { allOf, type BodyOf, type Page } from './types'

type S = components['schemas']

export type CommissionPlan = S['CommissionPlan']
export type CommissionRate = S['CommissionRate']
export type CommissionTier = S['CommissionTier']
export type CommissionSplit = S['CommissionSplit']
export type CommissionTarget = S['CommissionTarget']
export type CommissionSimulation = S['CommissionSimulation']
export type SimPerson = S['SimPerson']
export type SimSpread = S['SimSpread']
export type BonusPool = S['BonusPool']
export type BonusShare = S['BonusShare']
export type Recognition = S['Recognition']
export type Payout = S['Payout']
export type PayoutLine = S['PayoutLine']
export type PayoutComputed = S['PayoutComputed']

export type PeriodKind = CommissionPlan['period_kind']
export const PERIOD_KINDS = allOf<PeriodKind>({ month: true, quarter: true, year: true })
export type Basis = CommissionPlan['basis']
export const BASES = allOf<Basis>({ revenue: true, margin: true })
export type SplitRole = CommissionSplit['dept_role']
export const SPLIT_ROLES = allOf<SplitRole>({ owner: true, sales: true, marketing: true, technical: true, production: true, service: true })
export type PayoutStatus = Payout['status']
export const PAYOUT_STATUSES = allOf<PayoutStatus>({ draft: true, submitted: true, approved: true, rejected: true, paid: true })
export type LineKind = PayoutLine['kind']
export const LINE_KINDS = allOf<LineKind>({ commission: true, clawback: true, threshold: true, cap: true, bonus: true })

export type PlanInput = BodyOf<'/api/v1/commission-plans', 'post'>
export type SimulateInput = BodyOf<'/api/v1/commission-plans/{id}/simulate', 'post'>
export type SimulateDraftInput = BodyOf<'/api/v1/commission-plans/simulate', 'post'>
export type PoolInput = BodyOf<'/api/v1/bonus-pools', 'post'>
export type RecognitionInput = BodyOf<'/api/v1/recognitions', 'post'>
export type ComputeInput = BodyOf<'/api/v1/payouts/compute', 'post'>

export interface PayoutQuery {
  user_id?: number | 'me'
  plan_id?: number
  period?: string
  status?: PayoutStatus
  limit?: number
  cursor?: string
}

type Q = Record<string, string | number | undefined>

export const plansApi = {
  list: (q: { active?: 0 | 1; limit?: number; cursor?: string } = {}) => http.get<Page<CommissionPlan>>('/commission-plans', q as Q),
  get: (id: number) => http.get<CommissionPlan>(`/commission-plans/${id}`),
  create: (b: PlanInput) => http.post<CommissionPlan>('/commission-plans', b),
  update: (id: number, b: Partial<PlanInput> & { version: number }) => http.patch<CommissionPlan>(`/commission-plans/${id}`, b),
  remove: (id: number) => http.del<void>(`/commission-plans/${id}`),
  /** The what-if of a saved plan on past periods (writes nothing). */
  simulate: (id: number, b: SimulateInput) => http.post<CommissionSimulation>(`/commission-plans/${id}/simulate`, b),
  /** The same for a plan body not saved. */
  simulateDraft: (b: SimulateDraftInput) => http.post<CommissionSimulation>('/commission-plans/simulate', b),
}

export const poolsApi = {
  list: (q: { plan_id?: number; limit?: number; cursor?: string } = {}) => http.get<Page<BonusPool>>('/bonus-pools', q as Q),
  get: (id: number) => http.get<BonusPool>(`/bonus-pools/${id}`),
  create: (b: PoolInput) => http.post<BonusPool>('/bonus-pools', b),
  update: (id: number, b: Partial<PoolInput> & { version: number }) => http.patch<BonusPool>(`/bonus-pools/${id}`, b),
}

export const recognitionsApi = {
  list: (q: { user_id?: number | 'me'; limit?: number; cursor?: string } = {}) => http.get<Page<Recognition>>('/recognitions', q as Q),
  create: (b: RecognitionInput) => http.post<Recognition>('/recognitions', b),
}

export const payoutsApi = {
  list: (q: PayoutQuery = {}) => http.get<Page<Payout>>('/payouts', q as Q),
  forUser: (userId: number, q: Omit<PayoutQuery, 'user_id'> = {}) => http.get<Page<Payout>>(`/users/${userId}/payouts`, q as Q),
  /** A statement with its first 200 lines (lines_more when there are more). */
  get: (id: number) => http.get<Payout>(`/payouts/${id}`),
  lines: (id: number, q: { limit?: number; cursor?: string } = {}) => http.get<Page<PayoutLine>>(`/payouts/${id}/lines`, q as Q),
  /** Every line of a statement (pages of 500). */
  allLines: (id: number) => fetchAll((cursor) => payoutsApi.lines(id, { limit: 500, cursor }), 20000),
  compute: (b: ComputeInput) => http.post<PayoutComputed>('/payouts/compute', b),
  submit: (id: number) => http.post<Payout>(`/payouts/${id}/submit`, {}),
  approve: (id: number) => http.post<Payout>(`/payouts/${id}/approve`, {}),
  reject: (id: number, reason: string) => http.post<Payout>(`/payouts/${id}/reject`, { reason }),
  pay: (id: number) => http.post<Payout>(`/payouts/${id}/pay`, {}),
  /** The payroll workbook of a period (a download; status default approved). */
  payrollUrl: (period: string, status?: PayoutStatus) =>
    `/api/v1/payouts/payroll?period=${encodeURIComponent(period)}${status ? `&status=${status}` : ''}`,
  /** The list export (csv or xlsx) with the list's filters. */
  exportUrl: (q: PayoutQuery, format: 'csv' | 'xlsx' = 'xlsx') => {
    const p = new URLSearchParams({ format })
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '' && k !== 'limit' && k !== 'cursor') p.set(k, String(v))
    return `/api/v1/payouts/export?${p.toString()}`
  },
}
