// Prices (issue 15 items 1 and 5, docs/PRICING.md): the quote with its explanation ("why this
// price"), price lists, and the pricing settings. The records are aliases of the OpenAPI
// document's shapes (api/offers/prices.c, schema.d.ts); value lists are checked by allOf.
import type { components } from './schema'
import { http } from './http'
import { allOf, type BodyOf, type Page } from './types'

type S = components['schemas']

export type PriceQuote = S['PriceQuote']
export type PriceList = S['PriceList']
export type PriceItem = S['PriceItem']
export type Promotion = S['Promotion']
export type Rebate = S['Rebate']
export type PriceSettings = S['PriceSettings']
export type QuoteStep = PriceQuote['steps'][number]
export type QuoteSkip = PriceQuote['skipped'][number]

export type PriceScope = PriceList['scope']
export const PRICE_SCOPES = allOf<PriceScope>({ all: true, tier: true, group: true, account: true })

export type BreakKind = PriceItem['breaks'][number]['kind']
export type BreakBasis = PriceItem['breaks'][number]['basis']
export const BREAK_KINDS = allOf<BreakKind>({ quantity: true, amount: true })
export const BREAK_BASES = allOf<BreakBasis>({ order: true, month: true, quarter: true, year: true })

export interface PriceBreak {
  id?: number
  kind: BreakKind
  basis: BreakBasis
  /** quantity: thousandths of the unit; amount: minor units of the list's currency */
  threshold: number
  unit_price: number | null
  discount_bp: number | null
}

/** The body of POST/PATCH /price-lists (PATCH: items replace the list's items whole). */
export type PriceListIn = BodyOf<'/api/v1/price-lists/{id}', 'patch'>

export type RuleScope = Promotion['scope']

export type PromotionIn = BodyOf<'/api/v1/promotions/{id}', 'patch'>

export type RebateIn = BodyOf<'/api/v1/rebates/{id}', 'patch'>

export interface QuoteQuery {
  account_id: number
  product_id: number
  date?: string
  quantity?: number
  currency?: string
}

export const pricesApi = {
  quote: (q: QuoteQuery) => http.get<PriceQuote>('/prices/quote', { ...q }),
  lists: (q: { scope?: string; active?: number; valid_on?: string; limit?: number; cursor?: string } = {}) =>
    http.get<Page<PriceList>>('/price-lists', q),
  list: (id: number) => http.get<PriceList>(`/price-lists/${id}`),
  items: (id: number, q: { after_product?: number; limit?: number } = {}) =>
    http.get<{ items: PriceItem[]; next_after_product: number | null }>(`/price-lists/${id}/items`, q),
  createList: (body: PriceListIn) => http.post<PriceList>('/price-lists', body),
  updateList: (id: number, body: PriceListIn) => http.patch<PriceList>(`/price-lists/${id}`, body),
  deleteList: (id: number) => http.del(`/price-lists/${id}`),
  promotions: (q: { account_id?: number; active?: number; limit?: number; cursor?: string } = {}) =>
    http.get<Page<Promotion>>('/promotions', q),
  createPromotion: (body: PromotionIn) => http.post<Promotion>('/promotions', body),
  updatePromotion: (id: number, body: PromotionIn) => http.patch<Promotion>(`/promotions/${id}`, body),
  deletePromotion: (id: number) => http.del(`/promotions/${id}`),
  rebates: (q: { account_id?: number; active?: number; limit?: number; cursor?: string } = {}) =>
    http.get<Page<Rebate>>('/rebates', q),
  createRebate: (body: RebateIn) => http.post<Rebate>('/rebates', body),
  updateRebate: (id: number, body: RebateIn) => http.patch<Rebate>(`/rebates/${id}`, body),
  deleteRebate: (id: number) => http.del(`/rebates/${id}`),
  settings: () => http.get<PriceSettings>('/settings/prices'),
  setSettings: (body: Partial<PriceSettings>) => http.patch<PriceSettings>('/settings/prices', body),
}
