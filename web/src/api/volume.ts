// Volume growth (上量, issue 6): sales series and breakdowns, products and exchange rates,
// orders, CSV imports, share of wallet, target plans and their decomposition grid, KPIs, 4P
// measures and an account's buying behaviour. Dashboard values are numbers in major units
// (yuan, 2 decimals) or quantities (3 decimals); money in API objects is in minor units.
import { http, csrfToken, errorFrom, ApiError, buildQuery } from './http'
import type { Money, Page } from './types'
import { whileLoading } from '@/composables/ready'

export type Measure = 'amount' | 'quantity'
export type SalesDim = 'family' | 'region' | 'channel' | 'account'
export const SALES_DIMS: SalesDim[] = ['family', 'region', 'channel', 'account']

export interface SalesFilter {
  family?: string
  region?: string
  channel?: string
  account_id?: number
}

export interface SalesSeries {
  measure: Measure
  unit: string
  by: string
  months: string[]
  series: { key: string; label: string; total: number; actual: number[] }[]
  forecast?: {
    method: string
    months: string[]
    mean: number[]
    lo80: number[]
    hi80: number[]
    lo95: number[]
    hi95: number[]
  }
}

export interface BreakdownItem {
  key: string
  label: string
  actual: number
  previous: number
  growth_pct: number | null
  share_pct: number | null
}

export interface Breakdown {
  measure: Measure
  unit: string
  by: SalesDim
  from: string
  to: string
  total: number
  items: BreakdownItem[]
}

export interface Affinity {
  items: { a: string; b: string; count: number; support: number; confidence: number; lift: number }[]
}

export interface Product {
  id: number
  sku: string
  name: string
  family: string
  unit: string
  list_price: Money | null
  active: boolean
  version: number
  created_at: string
  updated_at: string
}

export interface ProductInput {
  sku?: string
  name?: string
  family?: string
  unit?: string
  list_price?: Money | null
  active?: boolean
  version?: number
}

export interface FxRates {
  base_currency: string
  items: { currency: string; rate_micro: number; updated_at: string }[]
}

export interface Order {
  id: number
  external_id: string
  date: string
  account_id: number
  account_name: string
  product_id: number
  sku: string
  product_name: string
  family: string
  region: string
  channel: string
  quantity: number
  amount: Money
  amount_base: number
  import_id: number | null
}

export type ImportKind = 'orders' | 'products' | 'accounts'
export const IMPORT_KINDS: ImportKind[] = ['orders', 'products', 'accounts']
/** The columns each kind reads (src/svc/import.c), for the mapping form. */
export const IMPORT_COLUMNS: Record<ImportKind, string[]> = {
  orders: ['external_id', 'date', 'account_code', 'sku', 'region', 'channel', 'quantity', 'amount', 'currency'],
  products: ['sku', 'name', 'family', 'unit', 'list_price', 'currency'],
  accounts: ['code', 'name', 'industry', 'region', 'channel', 'tier', 'owner_login'],
}

/** The columns a file must have (the rest are optional). */
export const IMPORT_REQUIRED: Record<ImportKind, string[]> = {
  orders: ['external_id', 'date', 'account_code', 'sku', 'quantity', 'amount'],
  products: ['sku', 'name', 'family'],
  accounts: ['code', 'name'],
}

export interface ImportProblem {
  row: number
  column: string
  reason: string
}

export interface ImportReport {
  id: number | null
  kind: ImportKind
  status: string
  filename?: string
  user_id?: number | null
  rows_total: number
  rows_inserted: number
  rows_updated: number
  rows_rejected: number
  problems?: ImportProblem[]
  problems_total?: number
  started_at: string
  finished_at: string
}

export interface ImportOptions {
  dry_run?: boolean
  skip_bad_rows?: boolean
  /** field -> header in the file */
  mapping?: Record<string, string>
  filename?: string
}

export interface WalletEntry {
  account_id: number
  year: number
  amount: number
  note: string
  updated_by: number | null
  updated_at: string
}

// ---- targets

export type PlanStatus = 'draft' | 'submitted' | 'approved'
export type PlanDim = 'family' | 'region' | 'channel' | 'account' | 'month'
export const PLAN_DIMS: PlanDim[] = ['family', 'region', 'channel', 'account', 'month']
export type PlanBasis = 'last_year' | 'forecast' | 'potential' | 'equal' | 'blend'
export const PLAN_BASES: PlanBasis[] = ['last_year', 'forecast', 'potential', 'equal', 'blend']

export interface TargetPlan {
  id: number
  year: number
  name: string
  measure: Measure
  total: number
  dims: string
  basis: PlanBasis
  blend: string
  scope_region: string
  scope_channel: string
  scope_family: string
  specific: string
  measurable: string
  achievable: string
  relevant: string
  deadline: string
  status: PlanStatus
  version: number
  decomposed_at: string | null
  approved_by: number | null
  approved_at: string | null
  cells: number
  created_at?: string
  updated_at?: string
}

export type TargetInput = Partial<
  Pick<
    TargetPlan,
    | 'year'
    | 'name'
    | 'measure'
    | 'total'
    | 'dims'
    | 'basis'
    | 'blend'
    | 'scope_region'
    | 'scope_channel'
    | 'scope_family'
    | 'specific'
    | 'measurable'
    | 'achievable'
    | 'relevant'
    | 'deadline'
    | 'version'
  >
> & { reason?: string }

export type LockState = 'none' | 'some' | 'all'

export interface TargetGrid {
  rows_dim: PlanDim
  cols_dim: PlanDim | '' | 'none'
  measure?: Measure
  plan_total?: number
  /** month keys are "1".."12" */
  cols: { key: string; label: string; total?: number }[]
  rows: { key: string; label: string; total: number; cells: { col: string; value: number; locked: LockState }[] }[]
  col_totals?: number[]
  total: number
}

export interface CellSelection {
  family?: string
  region?: string
  channel?: string
  account_id?: number
  /** 1..12 */
  month?: number
}

export interface CellChange extends CellSelection {
  value?: number
  lock?: boolean
  reason?: string
}

export interface Adjustment {
  id: number
  /** "family=轴承 Bearings,month=3" ("" for the whole plan) */
  action?: string
  from_value?: number | null
  to_value?: number | null
  user_login?: string
  plan_id?: number
  at?: string
  created_at?: string
  user_id?: number | null
  user_name?: string
  selection?: string | Record<string, unknown>
  family?: string
  region?: string
  channel?: string
  account_id?: number | null
  month?: string
  before?: number | null
  after?: number | null
  old_value?: number | null
  new_value?: number | null
  lock?: boolean | null
  reason?: string
  [k: string]: unknown
}

export interface BottomUpItem {
  key: string
  label: string
  top_down: number
  proposal: number | null
  gap: number | null
  note?: string
}

export type KpiStatus = 'on_track' | 'at_risk' | 'off_track' | 'no_target'
export type KpiBy = 'none' | 'family' | 'region' | 'channel' | 'account' | 'month'

export interface KpiRow {
  key: string
  label: string
  actual: number
  target: number | null
  attainment_pct: number | null
  run_rate: number | null
  projection: number | null
  projection_pct: number | null
  last_year: number | null
  growth_pct: number | null
  share_of_wallet_pct: number | null
  satisfaction: number | null
  status: KpiStatus | null
}

export interface Kpis {
  period: { from: string; to: string; days: number; elapsed_days: number }
  unit: string
  total: KpiRow
  items: KpiRow[]
}

export type MeasureKind = 'product' | 'price' | 'channel' | 'promotion'
export const MEASURE_KINDS: MeasureKind[] = ['product', 'price', 'channel', 'promotion']
export type MeasureStatus = 'planned' | 'in_progress' | 'done' | 'cancelled'
export const MEASURE_STATUSES: MeasureStatus[] = ['planned', 'in_progress', 'done', 'cancelled']

export interface MeasureItem {
  id: number
  plan_id: number | null
  account_id: number | null
  account_name?: string
  family: string
  region: string
  channel: string
  kind: MeasureKind
  title: string
  description: string
  owner_id: number | null
  start: string
  due: string
  status: MeasureStatus
  expected_uplift: number | null
  effect: number | null
  effect_baseline: number | null
  effect_note: string
  measure?: Measure
  owner_login?: string
  version: number
  created_at?: string
  updated_at?: string
}

export type MeasureInput = Partial<
  Pick<
    MeasureItem,
    | 'plan_id'
    | 'account_id'
    | 'family'
    | 'region'
    | 'channel'
    | 'kind'
    | 'title'
    | 'description'
    | 'owner_id'
    | 'start'
    | 'due'
    | 'status'
    | 'expected_uplift'
    | 'measure'
    | 'effect'
    | 'effect_note'
    | 'version'
  >
>

export interface Behaviour {
  rfm: { recency_days: number | null; frequency: number; monetary: number; score: { r: number; f: number; m: number } }
  intervals: {
    orders: number
    mean_days: number | null
    median_days: number | null
    cv: number | null
    regularity: string
    next_date: string | null
    overdue: boolean
    days_overdue: number | null
  }
  trend: { pct_year: number | null; label: string; yoy_pct: number | null }
  season: { method: string; index: number[]; strength: number | null; peak_month: number | null; trough_month: number | null }
  mix: { family: string; amount: number; share: number }[]
  cross_sell: { family: string; score: number; neighbours: number; expected_amount: number }[]
  neighbours: { account_id: number; name: string; similarity: number }[]
}

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
  list: (accountId: number) => http.get<Page<WalletEntry>>(`/accounts/${accountId}/wallet`),
  put: (accountId: number, year: number, amount: number, note: string) =>
    http.put<WalletEntry>(`/accounts/${accountId}/wallet/${year}`, { amount, note }),
  remove: (accountId: number, year: number) => http.del(`/accounts/${accountId}/wallet/${year}`),
}

export const importsApi = {
  list: (q: { kind?: string; cursor?: string; limit?: number } = {}) => http.get<Page<ImportReport>>('/imports', q),
  get: (id: number) => http.get<ImportReport>(`/imports/${id}`),
  /**
   * Uploads a CSV file with XMLHttpRequest so the upload progress can be shown (fetch has no
   * upload progress). Resolves with the report for 200 (dry run), 201 (loaded) and 422
   * (rejected: the report says why); anything else rejects with an ApiError.
   */
  upload(
    kind: ImportKind,
    file: Blob,
    opts: ImportOptions,
    onProgress: (loaded: number, total: number) => void,
  ): { promise: Promise<{ status: number; report: ImportReport }>; abort: () => void } {
    const xhr = new XMLHttpRequest()
    const mapping = opts.mapping
      ? Object.entries(opts.mapping)
          .filter(([, v]) => v.trim())
          .map(([k, v]) => `${k}=${v.trim()}`)
          .join(',')
      : ''
    const qs = buildQuery({
      dry_run: opts.dry_run ? 1 : 0,
      skip_bad_rows: opts.skip_bad_rows ? 1 : 0,
      mapping: mapping || undefined,
      filename: opts.filename,
    })
    const promise = new Promise<{ status: number; report: ImportReport }>((resolve, reject) => {
      xhr.open('POST', `/api/v1/imports/${kind}${qs}`)
      xhr.setRequestHeader('Content-Type', 'text/csv')
      xhr.setRequestHeader('Accept', 'application/json')
      const tok = csrfToken()
      if (tok) xhr.setRequestHeader('X-CSRF-Token', tok)
      xhr.withCredentials = true
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size)
      xhr.onload = () => {
        const text = xhr.responseText
        if (xhr.status === 200 || xhr.status === 201 || xhr.status === 422) {
          try {
            const report = JSON.parse(text) as ImportReport
            if (report && typeof report.rows_total === 'number') return resolve({ status: xhr.status, report })
          } catch {
            /* not a report: fall through */
          }
        }
        reject(errorFrom(xhr.status, xhr.statusText, text))
      }
      xhr.onerror = () => reject(new ApiError(0, 'network', 'network error', ''))
      xhr.onabort = () => reject(new ApiError(0, 'aborted', 'aborted', ''))
      xhr.send(file)
    })
    return { promise: whileLoading(promise), abort: () => xhr.abort() }
  },
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
  setCells: (id: number, body: CellChange) => http.put<unknown>(`/targets/${id}/cells`, body),
  adjustments: (id: number) => http.get<Page<Adjustment>>(`/targets/${id}/adjustments`),
  bottomUp: (id: number, by: 'account' | 'region') => http.get<{ items: BottomUpItem[] }>(`/targets/${id}/bottom-up`, { by }),
  propose: (accountId: number, planId: number, value: number, note: string) =>
    http.put<unknown>(`/accounts/${accountId}/target-proposals/${planId}`, { value, note }),
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
  get: (accountId: number) => http.get<Behaviour>(`/accounts/${accountId}/behaviour`),
}
