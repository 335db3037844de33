// Credit and receivables (issue 16 item 2, docs/CREDIT.md): an account's credit (limit, group
// limit, exposure, ageing, DSO and its trend, credit holds), finance's receivables list, invoices,
// payments, credit holds and the over-limit setting. The record types are aliases of the OpenAPI
// document's (schema.d.ts; the server's shapes in api/risk/credit.c and receivables.c).
import type { components } from './schema'
import { http } from './http'
import { allOf, type BodyOf, type Page } from './types'

type S = components['schemas']

export type AccountCredit = S['AccountCredit']
export type CreditLimit = S['CreditLimit']
export type CreditHold = S['CreditHold']
export type ReceivableRow = S['ReceivableRow']
export type Invoice = S['Invoice']
export type Payment = S['Payment']
export type CreditSettings = S['CreditSettings']
export type CreditLimitInput = BodyOf<'/api/v1/accounts/{id}/credit-limit', 'put'>

export type HoldStatus = CreditHold['status']
export const HOLD_STATUSES = allOf<HoldStatus>({ flagged: true, held: true, released: true, refused: true })
export type HoldKind = CreditHold['kind']
export const HOLD_KINDS = allOf<HoldKind>({ order_line: true, offer: true })
export type InvoiceStatus = Invoice['status']
export const INVOICE_STATUSES = allOf<InvoiceStatus>({ open: true, overdue: true, paid: true })
export type AgeBucket = NonNullable<Invoice['bucket']>
export const AGE_BUCKETS = allOf<AgeBucket>({ not_due: true, '1_30': true, '31_60': true, '61_90': true, over_90: true })
export type OverLimit = CreditSettings['over_limit']
export const OVER_LIMIT_MODES = allOf<OverLimit>({ flag: true, hold: true })

type Q = Record<string, string | number | undefined>

export const creditApi = {
  account: (id: number) => http.get<AccountCredit>(`/accounts/${id}/credit`),
  putLimit: (id: number, b: CreditLimitInput) => http.put<CreditLimit>(`/accounts/${id}/credit-limit`, b),
  receivables: (q: { over_limit?: 0 | 1; overdue?: 0 | 1; owner_id?: number | 'me'; limit?: number; cursor?: string } = {}) =>
    http.get<Page<ReceivableRow>>('/receivables', q as Q),
  invoices: (q: { account_id?: number; status?: InvoiceStatus; bucket?: AgeBucket; sort?: string; limit?: number; cursor?: string } = {}) =>
    http.get<Page<Invoice>>('/invoices', q as Q),
  invoice: (id: number) => http.get<Invoice>(`/invoices/${id}`),
  payments: (q: { account_id?: number; limit?: number; cursor?: string } = {}) => http.get<Page<Payment>>('/payments', q as Q),
  holds: (q: { status?: HoldStatus; account_id?: number; limit?: number; cursor?: string } = {}) =>
    http.get<Page<CreditHold>>('/credit-holds', q as Q),
  release: (id: number, note: string) => http.post<CreditHold>(`/credit-holds/${id}/release`, { note }),
  refuse: (id: number, note: string) => http.post<CreditHold>(`/credit-holds/${id}/refuse`, { note }),
  settings: () => http.get<CreditSettings>('/settings/credit'),
  setSettings: (over_limit: OverLimit) => http.patch<CreditSettings>('/settings/credit', { over_limit }),
}
