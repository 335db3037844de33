// Competitors (issue 16 item 3): /api/v1/competitors (company-wide records), their presence per
// account and product family (/api/v1/accounts/{id}/competitors, /api/v1/competitor-presence) and
// their moves (/api/v1/competitor-moves), a move raised as a competitive risk. The record and body
// types are aliases of the OpenAPI document's (schema.d.ts; the server's shapes in
// api/risk/competitors.c); the value lists are checked against its enums by allOf.
import type { components } from './schema'
import { http } from './http'
import { allOf, type BodyOf, type Page } from './types'

type S = components['schemas']

export type Competitor = S['Competitor']
export type CompetitorPresence = S['CompetitorPresence']
export type CompetitorMove = S['CompetitorMove']
export type AccountCompetition = S['AccountCompetition']
export type MoveRisk = S['MoveRisk']

export type PriceLevel = CompetitorPresence['price_level']
export const PRICE_LEVELS = allOf<PriceLevel>({ lower: true, similar: true, higher: true, unknown: true })
export type MoveKind = CompetitorMove['kind']
export const MOVE_KINDS = allOf<MoveKind>({
  price_cut: true,
  promotion: true,
  new_product: true,
  relationship: true,
  won_business: true,
  other: true,
})
export type MoveSeverity = CompetitorMove['severity']
export const MOVE_SEVERITIES = allOf<MoveSeverity>({ low: true, medium: true, high: true })

/** The API's limits (svc/risk/competitor.h). */
export const COMPETITOR_LIMITS = { name: 100, alias: 200, website: 300, text: 2000, family: 100 }

export type CompetitorInput = BodyOf<'/api/v1/competitors/{id}', 'patch'>
export type PresenceInput = BodyOf<'/api/v1/accounts/{id}/competitors', 'post'>
export type PresencePatch = BodyOf<'/api/v1/competitor-presence/{id}', 'patch'>
export type MoveInput = BodyOf<'/api/v1/accounts/{id}/competitor-moves', 'post'>

export interface CompetitorQuery {
  q?: string
  active?: 0 | 1
  sort?: string
  limit?: number
  cursor?: string
}

export interface MoveQuery {
  account_id?: number
  competitor_id?: number
  since?: string
  kind?: MoveKind
  limit?: number
  cursor?: string
}

type Q = Record<string, string | number | undefined>

export const competitorsApi = {
  list: (q: CompetitorQuery = {}) => http.get<Page<Competitor>>('/competitors', q as Q),
  get: (id: number) => http.get<Competitor>(`/competitors/${id}`),
  create: (b: CompetitorInput) => http.post<Competitor>('/competitors', b),
  update: (id: number, b: CompetitorInput) => http.patch<Competitor>(`/competitors/${id}`, b),
  remove: (id: number) => http.del<void>(`/competitors/${id}`),
  accounts: (id: number, q: { limit?: number; cursor?: string } = {}) =>
    http.get<Page<CompetitorPresence>>(`/competitors/${id}/accounts`, q as Q),
  ofAccount: (accountId: number) => http.get<AccountCompetition>(`/accounts/${accountId}/competitors`),
  addPresence: (accountId: number, b: PresenceInput) =>
    http.post<CompetitorPresence>(`/accounts/${accountId}/competitors`, b),
  updatePresence: (id: number, b: PresencePatch) => http.patch<CompetitorPresence>(`/competitor-presence/${id}`, b),
  removePresence: (id: number) => http.del<void>(`/competitor-presence/${id}`),
  moves: (q: MoveQuery = {}) => http.get<Page<CompetitorMove>>('/competitor-moves', q as Q),
  addMove: (accountId: number, b: MoveInput) => http.post<CompetitorMove>(`/accounts/${accountId}/competitor-moves`, b),
  removeMove: (id: number) => http.del<void>(`/competitor-moves/${id}`),
  raiseRisk: (id: number, b: { likelihood?: number; impact?: number } = {}) =>
    http.post<MoveRisk>(`/competitor-moves/${id}/risk`, b),
}
