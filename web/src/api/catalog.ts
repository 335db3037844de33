// The catalogue (issue 15 item 4): /api/v1/bundles (products sold together at one price) and
// /api/v1/service-items (service plans with their SLA terms). The record and body types are aliases
// of the OpenAPI document's (schema.d.ts; the server's shapes Bundle, BundleQuote and ServiceItem in
// api/offers/catalog.c); the value lists are checked against its enums by allOf.
import type { components } from './schema'
import { http } from './http'
import { allOf, type BodyOf, type Page } from './types'

type S = components['schemas']

export type CatalogBundle = S['Bundle']
export type CatalogBundleQuote = S['BundleQuote']
export type ServiceItem = S['ServiceItem']
export type BundleItem = CatalogBundle['items'][number]

export type ServiceKind = ServiceItem['kind']
export const SERVICE_KINDS = allOf<ServiceKind>({ presales: true, aftersales: true, support: true, training: true })
export type ServiceUnit = ServiceItem['unit']
export const SERVICE_UNITS = allOf<ServiceUnit>({
  hour: true,
  day: true,
  visit: true,
  month: true,
  year: true,
  each: true,
})

/** The API's limits (svc/offers/catalog.h). */
export const CATALOG_LIMITS = { code: 64, name: 200, description: 2000, sla: 500, items: 50 }

export type BundleInput = BodyOf<'/api/v1/bundles/{id}', 'patch'>
export type BundleItemInput = NonNullable<BundleInput['items']>[number]

export type ServiceItemInput = BodyOf<'/api/v1/service-items/{id}', 'patch'>

export interface CatalogQuery {
  q?: string
  kind?: ServiceKind
  active?: 0 | 1
  sort?: string
  limit?: number
  cursor?: string
}

type Q = Record<string, string | number | undefined>

export const catalogApi = {
  bundles: (q: CatalogQuery = {}) => http.get<Page<CatalogBundle>>('/bundles', q as Q),
  bundleCount: (q: CatalogQuery = {}) => http.get<{ total: number }>('/bundles/count', q as Q),
  bundle: (id: number) => http.get<CatalogBundle>(`/bundles/${id}`),
  createBundle: (b: BundleInput) => http.post<CatalogBundle>('/bundles', b),
  updateBundle: (id: number, b: BundleInput) => http.patch<CatalogBundle>(`/bundles/${id}`, b),
  removeBundle: (id: number) => http.del<void>(`/bundles/${id}`),
  quoteBundle: (id: number, q: { account_id: number; date?: string; quantity?: number; currency?: string }) =>
    http.get<CatalogBundleQuote>(`/bundles/${id}/quote`, q as Q),
  services: (q: CatalogQuery = {}) => http.get<Page<ServiceItem>>('/service-items', q as Q),
  serviceCount: (q: CatalogQuery = {}) => http.get<{ total: number }>('/service-items/count', q as Q),
  createService: (b: ServiceItemInput) => http.post<ServiceItem>('/service-items', b),
  updateService: (id: number, b: ServiceItemInput) => http.patch<ServiceItem>(`/service-items/${id}`, b),
  removeService: (id: number) => http.del<void>(`/service-items/${id}`),
}
