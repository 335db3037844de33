// Offers and quotes (issue 15 items 4-5): /api/v1/offers, the quote documents, the company
// header, and the catalogue and price look-ups the offer editor needs. The record types follow
// the server's shapes Offer, OfferLine, Bundle, ServiceItem, PriceQuote, BundleQuote and
// CompanySettings (api/offers/*.c): the records are aliases of the OpenAPI document's
// (schema.d.ts; PriceQuote is prices.ts's, ServiceItem catalog.ts's), the value lists are
// checked against its enums by allOf, bodies are BodyOf; query parameters are written by hand.
import type { components } from './schema'
import { http } from './http'
import { allOf, type BodyOf, type Page } from './types'
import type { PriceQuote } from './prices'
import type { ServiceItem } from './catalog'

export type { PriceQuote } from './prices'
export type { ServiceItem } from './catalog'

type S = components['schemas']

export type Offer = S['Offer']
export type OfferLine = S['OfferLine']
export type OfferCustomisation = S['OfferCustomisation']
export type Bundle = S['Bundle']
export type BundleQuote = S['BundleQuote']
export type PriceStep = PriceQuote['steps'][number]
export type OfferComponent = OfferLine['components'][number]
export type ApprovalStep = NonNullable<Offer['approval']>['steps'][number]

export type OfferStatus = Offer['status']
export const OFFER_STATUSES = allOf<OfferStatus>({
  draft: true,
  pending: true,
  approved: true,
  sent: true,
  accepted: true,
  rejected: true,
  expired: true,
  converted: true,
  superseded: true,
})
export type LineKind = OfferLine['kind']
export type Needs = NonNullable<Offer['needs_approval']>
export type OfferLang = Offer['lang']
export const OFFER_LANGS = allOf<OfferLang>({ 'zh-CN': true, 'zh-TW': true, en: true })
export type Feasibility = OfferCustomisation['feasibility']
export const FEASIBILITIES = allOf<Feasibility>({ open: true, feasible: true, partly: true, no: true })
export type ConfirmBy = OfferCustomisation['confirm_by']
export const CONFIRM_BY = allOf<ConfirmBy>({ production: true, technical: true, service: true })

/** The body of POST /offers and PATCH /offers/{id} (lines and customisations replaced whole). */
export type OfferInput = BodyOf<'/api/v1/offers/{id}', 'patch'>
export type LineInput = NonNullable<OfferInput['lines']>[number]
export type CustomisationInput = NonNullable<OfferInput['customisations']>[number]

export interface OfferQuery {
  account_id?: number
  opportunity_id?: number
  status?: OfferStatus
  q?: string
  mine?: 1
  all_versions?: 1
  limit?: number
  cursor?: string
}

export interface ProductLite {
  id: number
  sku: string
  name: string
  unit: string
}

export type CompanySettings = S['CompanySettings']

type Q = Record<string, string | number | undefined>

export const offersApi = {
  list: (q: OfferQuery = {}) => http.get<Page<Offer>>('/offers', q as Q),
  count: (q: OfferQuery = {}) => http.get<{ total: number }>('/offers/count', q as Q),
  forAccount: (accountId: number, q: OfferQuery = {}) => http.get<Page<Offer>>(`/accounts/${accountId}/offers`, q as Q),
  get: (id: number) => http.get<Offer>(`/offers/${id}`),
  create: (body: OfferInput) => http.post<Offer>('/offers', body),
  update: (id: number, body: OfferInput) => http.patch<Offer>(`/offers/${id}`, body),
  remove: (id: number) => http.del(`/offers/${id}`),
  submit: (id: number, comment?: string) => http.post<Offer>(`/offers/${id}/submit`, comment ? { comment } : {}),
  send: (id: number) => http.post<Offer>(`/offers/${id}/send`, {}),
  accept: (id: number, reason?: string) => http.post<Offer>(`/offers/${id}/accept`, reason ? { reason } : {}),
  reject: (id: number, reason: string) => http.post<Offer>(`/offers/${id}/reject`, { reason }),
  newVersion: (id: number) => http.post<Offer>(`/offers/${id}/versions`, {}),
  convert: (id: number) =>
    http.post<{ offer: Offer; order_line_ids: number[]; skipped_service_lines: number[] }>(`/offers/${id}/convert`, {}),
  customisation: (id: number, cid: number, body: { feasibility?: Feasibility; note?: string }) =>
    http.patch<Offer>(`/offers/${id}/customisations/${cid}`, body),
  /** the confirming department's answer (offer read; the department check is the server's) */
  confirmCustomisation: (id: number, cid: number, body: { feasibility: Feasibility; note?: string }) =>
    http.post<Offer>(`/offers/${id}/customisations/${cid}/confirm`, body),
  quoteHtmlUrl: (id: number, lang?: string) => `/api/v1/offers/${id}/quote.html${lang ? `?lang=${lang}` : ''}`,
  quoteXlsxUrl: (id: number, lang?: string) => `/api/v1/offers/${id}/quote.xlsx${lang ? `?lang=${lang}` : ''}`,
}

export const catalogApi = {
  products: (q: string) => http.get<Page<ProductLite>>('/products', { q, active: '1', limit: 20 }),
  bundles: (q: string) => http.get<Page<Bundle>>('/bundles', { q, active: 1, limit: 20 }),
  services: (q: string) => http.get<Page<ServiceItem>>('/service-items', { q, active: 1, limit: 20 }),
  priceQuote: (q: { account_id: number; product_id: number; quantity: number; date?: string; currency?: string }) =>
    http.get<PriceQuote>('/prices/quote', q),
  bundleQuote: (id: number, q: { account_id: number; quantity: number; date?: string; currency?: string }) =>
    http.get<BundleQuote>(`/bundles/${id}/quote`, q),
}

export const companyApi = {
  get: () => http.get<CompanySettings>('/settings/company'),
  update: (body: Partial<CompanySettings>) => http.patch<CompanySettings>('/settings/company', body),
}
