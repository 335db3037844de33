// The early-warning engine (issue 16 item 4): rules with preview, alerts and their lifecycle, the
// account health score. The record types are aliases of the OpenAPI document's (schema.d.ts; the
// server's shapes AlertRule, AlertPreview, Alert, AccountHealth and HealthRow in api/risk/*.c).
import type { components } from './schema'
import { http } from './http'
import { allOf, type BodyOf, type Page } from './types'

type S = components['schemas']

export type AlertRule = S['AlertRule']
export type AlertPreview = S['AlertPreview']
export type Alert = S['Alert']
export type AccountHealth = S['AccountHealth']
export type HealthRow = S['HealthRow']
export type AlertSeverity = Alert['severity']
export type AlertStatus = Alert['status']
export const ALERT_SEVERITIES = allOf<AlertSeverity>({ low: true, medium: true, high: true, critical: true })
export const ALERT_STATUSES = allOf<AlertStatus>({ open: true, acknowledged: true, responding: true, resolved: true })
export const ALERT_DEPTS = ['sales', 'finance', 'service', 'marketing', 'technical', 'production'] as const

export type AlertRuleInput = BodyOf<'/api/v1/alert-rules', 'put'>
export type AlertInput = BodyOf<'/api/v1/alerts/{id}', 'patch'>

export interface AlertQuery {
  mine?: 0 | 1
  dept?: string
  account_id?: number
  status?: string
  severity?: string
  signal?: string
  limit?: number
  cursor?: string
}

type Q = Record<string, string | number | undefined>

export const alertsApi = {
  rules: () => http.get<{ items: AlertRule[] }>('/alert-rules'),
  putRule: (b: AlertRuleInput) => http.put<AlertRule>('/alert-rules', b),
  resetRule: (signal: string) => http.post<AlertRule>('/alert-rules/reset', { signal }),
  preview: (b: AlertRuleInput) => http.post<AlertPreview>('/alert-rules/preview', b),
  list: (q: AlertQuery = {}) => http.get<Page<Alert>>('/alerts', q as Q),
  get: (id: number) => http.get<Alert>(`/alerts/${id}`),
  acknowledge: (id: number) => http.post<Alert>(`/alerts/${id}/acknowledge`),
  update: (id: number, b: AlertInput) => http.patch<Alert>(`/alerts/${id}`, b),
  resolve: (id: number, resolution: string) => http.post<Alert>(`/alerts/${id}/resolve`, { resolution }),
  raiseRisk: (id: number) => http.post<Alert>(`/alerts/${id}/risk`),
  health: (accountId: number) => http.get<AccountHealth>(`/accounts/${accountId}/health`),
  healthList: (q: { owner_id?: number | 'me'; limit?: number; cursor?: string } = {}) =>
    http.get<Page<HealthRow>>('/health', q as Q),
}

/** A value in thousandths of a signal's unit as the screen shows it (money: minor units x 1000). */
export function unitValue(milli: number | null | undefined, unit: string): string {
  if (milli === null || milli === undefined) return '—'
  const v = milli / 1000
  if (unit === 'money') return (v / 100).toLocaleString(undefined, { maximumFractionDigits: 2 })
  return Number.isInteger(v) ? String(v) : v.toLocaleString(undefined, { maximumFractionDigits: 2 })
}
