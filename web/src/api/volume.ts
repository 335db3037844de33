// Volume growth (上量, issue 6): sales series and breakdowns, products and exchange rates,
// orders, CSV imports, share of wallet, target plans and their decomposition grid, KPIs, 4P
// measures and an account's buying behaviour. Dashboard values are numbers in major units
// (yuan, 2 decimals) or quantities (3 decimals); money in API objects is in minor units.
import { http, buildQuery } from './http'
import { allOf, type BodyOf, type Page, type ResponseOf } from './types'
import type { components } from './schema'

// The answers are aliases of the OpenAPI document's schemas (see types.ts).
type S = components['schemas']

export type Measure = S['SalesSeries']['measure']
export type SalesDim = S['SalesBreakdown']['by']
export const SALES_DIMS = allOf<SalesDim>({ family: true, region: true, channel: true, account: true })

export interface SalesFilter {
  family?: string
  region?: string
  channel?: string
  account_id?: number
  /** 1: the account with its subsidiaries (groups add up, issue 13) */
  subsidiaries?: number
}

export type SalesSeries = S['SalesSeries']

export type BreakdownItem = S['SalesBreakdownItem']

export type Breakdown = S['SalesBreakdown']

export type Affinity = Page<S['FamilyAffinity']>

export type Product = S['Product']

export type ProductInput = BodyOf<'/api/v1/products/{id}', 'patch'>

export type FxRates = S['FxRates']

export type Order = S['OrderLine']

export type ImportKind = S['ImportReport']['kind']
export const IMPORT_KINDS = allOf<ImportKind>({ orders: true, products: true, accounts: true, invoices: true, payments: true })
/** The columns each kind reads (src/svc/import.c), for the mapping form. */
export const IMPORT_COLUMNS: Record<ImportKind, string[]> = {
  orders: ['external_id', 'date', 'account_code', 'sku', 'region', 'channel', 'quantity', 'amount', 'currency'],
  products: ['sku', 'name', 'family', 'unit', 'list_price', 'currency'],
  accounts: ['code', 'name', 'industry', 'region', 'channel', 'tier', 'owner_login'],
  invoices: ['invoice_no', 'account_code', 'date', 'due_date', 'amount', 'currency'],
  payments: ['payment_no', 'account_code', 'date', 'amount', 'currency', 'invoice_no'],
}

/** The columns a file must have (the rest are optional). */
export const IMPORT_REQUIRED: Record<ImportKind, string[]> = {
  orders: ['external_id', 'date', 'account_code', 'sku', 'quantity', 'amount'],
  products: ['sku', 'name', 'family'],
  accounts: ['code', 'name'],
  invoices: ['invoice_no', 'account_code', 'date', 'due_date', 'amount'],
  payments: ['payment_no', 'account_code', 'date', 'amount'],
}

export type ImportProblem = S['ImportProblem']

export type ImportReport = S['ImportReport']

export type WalletEntry = S['WalletEstimate']

// ---- targets

export type PlanStatus = S['TargetPlan']['status']
export type PlanDim = Exclude<S['TargetGrid']['rows_dim'], 'none'>
export const PLAN_DIMS = allOf<PlanDim>({
  family: true,
  region: true,
  channel: true,
  account: true,
  month: true,
  owner: true,
  team: true,
})
export type PlanBasis = S['TargetPlan']['basis']
export const PLAN_BASES = allOf<PlanBasis>({
  last_year: true,
  forecast: true,
  potential: true,
  equal: true,
  blend: true,
})

export type TargetPlan = S['TargetPlan']

export type TargetInput = BodyOf<'/api/v1/targets/{id}', 'patch'>

export type LockState = S['TargetGridCell']['locked']

/** month keys are "1".."12" */
export type TargetGrid = S['TargetGrid']

export interface CellSelection {
  family?: string
  region?: string
  channel?: string
  account_id?: number
  /** 1..12 */
  month?: number
  /** a plan by owner (account manager) */
  owner_id?: number
  /** a plan by owner or team */
  team_id?: number
}

export type CellChange = BodyOf<'/api/v1/targets/{id}/cells', 'put'>

export type Adjustment = S['TargetAdjustment']

export type BottomUpItem = S['TargetBottomUpItem']
export type BottomUp = S['TargetBottomUp']

export type KpiStatus = S['KpiItem']['status']
export type KpiBy = S['KpiReport']['by']

export type KpiRow = S['KpiItem']

export type Kpis = S['KpiReport']

export type MeasureKind = S['Measure']['kind']
export const MEASURE_KINDS = allOf<MeasureKind>({
  product: true,
  price: true,
  channel: true,
  promotion: true,
})
export type MeasureStatus = S['Measure']['status']
export const MEASURE_STATUSES = allOf<MeasureStatus>({
  planned: true,
  in_progress: true,
  done: true,
  cancelled: true,
})

/** a 4P measure (components.schemas.Measure; `Measure` here is amount | quantity) */
export type MeasureItem = S['Measure']

export type MeasureInput = BodyOf<'/api/v1/measures/{id}', 'patch'>

export type Behaviour = S['AccountBehaviour']

// ---- the calls

type Q = Record<string, string | number | boolean | undefined | null>

export const salesApi = {
  series: (q: { measure: Measure; from: string; to: string; by?: SalesDim | 'none'; forecast?: number } & SalesFilter) =>
    http.get<SalesSeries>('/sales/series', q as unknown as Q),
  breakdown: (q: { measure: Measure; from: string; to: string; by: SalesDim; limit?: number } & SalesFilter) =>
    http.get<Breakdown>('/sales/breakdown', q as unknown as Q),
  affinity: () => http.get<Affinity>('/sales/affinity'),
  orders: (q: Q) => http.get<Page<Order>>('/orders', q),
}

export const productsApi = {
  list: (q: { q?: string; family?: string; active?: string; sort?: string; cursor?: string; limit?: number } = {}) =>
    http.get<Page<Product>>('/products', q),
  get: (id: number) => http.get<Product>(`/products/${id}`),
  create: (body: ProductInput) => http.post<Product>('/products', body),
  update: (id: number, body: ProductInput) => http.patch<Product>(`/products/${id}`, body),
  families: () => http.get<Page<string>>('/product-families'),
  fx: () => http.get<FxRates>('/fx-rates'),
  setFx: (currency: string, rate_micro: number) => http.put<FxRates>('/fx-rates', { currency, rate_micro }),
}

export const walletApi = {
  list: (accountId: number, q: { subsidiaries?: number } = {}) => http.get<Page<WalletEntry>>(`/accounts/${accountId}/wallet`, q),
  put: (accountId: number, year: number, amount: number, note: string) =>
    http.put<WalletEntry>(`/accounts/${accountId}/wallet/${year}`, { amount, note }),
  remove: (accountId: number, year: number) => http.del(`/accounts/${accountId}/wallet/${year}`),
}

export const importsApi = {
  list: (q: { kind?: string; cursor?: string; limit?: number } = {}) => http.get<Page<ImportReport>>('/imports', q),
  get: (id: number) => http.get<ImportReport>(`/imports/${id}`),
  // uploads: importFmtApi.upload (api/importfmt.ts: encodings, sheets, progress)
}

export const targetsApi = {
  list: (year?: number) => http.get<Page<TargetPlan>>('/targets', { year }),
  get: (id: number) => http.get<TargetPlan>(`/targets/${id}`),
  create: (body: TargetInput) => http.post<TargetPlan>('/targets', body),
  update: (id: number, body: TargetInput) => http.patch<TargetPlan>(`/targets/${id}`, body),
  remove: (id: number) => http.del(`/targets/${id}`),
  decompose: (id: number) => http.post<TargetPlan>(`/targets/${id}/decompose`),
  submit: (id: number, note = '') => http.post<TargetPlan>(`/targets/${id}/submit`, note ? { note } : {}),
  approve: (id: number, note = '') => http.post<TargetPlan>(`/targets/${id}/approve`, note ? { note } : {}),
  grid: (id: number, q: { rows: PlanDim; cols?: PlanDim | 'none' } & CellSelection) =>
    http.get<TargetGrid>(`/targets/${id}/grid`, q as unknown as Q),
  setCells: (id: number, body: CellChange) => http.put<ResponseOf<'/api/v1/targets/{id}/cells', 'put'>>(`/targets/${id}/cells`, body),
  adjustments: (id: number) => http.get<Page<Adjustment>>(`/targets/${id}/adjustments`),
  bottomUp: (id: number, by: 'account' | 'region') => http.get<BottomUp>(`/targets/${id}/bottom-up`, { by }),
  propose: (accountId: number, planId: number, value: number, note: string) =>
    http.put<ResponseOf<'/api/v1/accounts/{id}/target-proposals/{plan_id}', 'put'>>(
      `/accounts/${accountId}/target-proposals/${planId}`,
      { value, note },
    ),
  exportUrl: (id: number, format: 'xlsx' | 'csv', rows: string, cols: string) =>
    `/api/v1/targets/${id}/export${buildQuery({ format, rows, cols })}`,
}

export const kpisApi = {
  get: (q: { plan_id: number; by: KpiBy; period: string } & SalesFilter) => http.get<Kpis>('/kpis', q as unknown as Q),
  exportUrl: (q: { plan_id: number; by: KpiBy; period: string; format: 'xlsx' | 'csv' }) => `/api/v1/kpis/export${buildQuery(q)}`,
}

export const measuresApi = {
  list: (q: { plan_id?: number; account_id?: number; status?: string; cursor?: string; limit?: number } = {}) =>
    http.get<Page<MeasureItem>>('/measures', q),
  get: (id: number) => http.get<MeasureItem>(`/measures/${id}`),
  create: (body: MeasureInput) => http.post<MeasureItem>('/measures', body),
  update: (id: number, body: MeasureInput) => http.patch<MeasureItem>(`/measures/${id}`, body),
  remove: (id: number) => http.del(`/measures/${id}`),
}

export const behaviourApi = {
  get: (accountId: number, q: { subsidiaries?: number } = {}) => http.get<Behaviour>(`/accounts/${accountId}/behaviour`, q),
}
