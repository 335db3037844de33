// The churn / decline model (issue 16 item 5): /api/v1/accounts/{id}/churn, /api/v1/churn (the
// list by probability), /api/v1/churn/model and POST /api/v1/churn/train. The types are aliases of
// the OpenAPI document's (schema.d.ts; the shapes ChurnAccount, ChurnScore, ChurnModel and
// ChurnFactor in api/risk/churn.c).
import type { components } from './schema'
import { http } from './http'
import type { Page } from './types'

type S = components['schemas']

export type ChurnAccount = S['ChurnAccount']
export type ChurnScore = S['ChurnScore']
export type ChurnModel = S['ChurnModel']
export type ChurnFactor = S['ChurnFactor']

/** The model's features (svc/risk/churn_features.c), each worded in locales/<lang>/churn.json. */
export const CHURN_FEATURES = [
  'vol_3m',
  'vol_6m',
  'vol_12m',
  'chg_3m',
  'chg_yoy',
  'months_since_purchase',
  'active_months_12m',
  'families_12m',
  'tier',
  'visits_6m',
  'visits_overdue',
  'issues_6m',
  'sla_breaches_6m',
  'nps_last',
  'csat_last',
  'ar_days_past_due',
  'dso',
] as const

export interface ChurnQuery {
  min_bp?: number
  sort?: string
  limit?: number
  cursor?: string
}

type Q = Record<string, string | number | undefined>

export const churnApi = {
  account: (id: number) => http.get<ChurnAccount>(`/accounts/${id}/churn`),
  list: (q: ChurnQuery = {}) => http.get<Page<ChurnScore>>('/churn', q as Q),
  model: () => http.get<{ model: ChurnModel | null }>('/churn/model'),
  train: (b: { horizon_months?: number; drop_bp?: number } = {}) => http.post<ChurnModel>('/churn/train', b),
}
