// Satisfaction (issue 14 items 3-4): a survey's results and key-driver analysis, trends by group
// and period, an account's satisfaction and loyalty. Types are the OpenAPI document's
// (api/needs/satisfaction.c: SatResults, SatDrivers, SatTrend, SatPoint, AccountSatisfaction).
import type { components } from './schema'
import { http } from './http'

type S = components['schemas']

export type SatResults = S['SatResults']
export type SatQuestion = S['SatQuestion']
export type SatDrivers = S['SatDrivers']
export type SatTrend = S['SatTrend']
export type SatPoint = S['SatPoint']
export type AccountSatisfaction = S['AccountSatisfaction']
export type SurveyItem = S['Survey']
export type SatGroup = 'account' | 'tier' | 'region' | 'owner' | 'team' | 'all'
export type SatPeriod = 'month' | 'quarter' | 'year'
export type Quadrant = NonNullable<SatDrivers['drivers'][number]['quadrant']>

/** A text in three languages ({"zh-CN", "zh-TW", "en"}) in the reader's language, falling back
 * zh-TW -> zh-CN -> en, zh-CN -> zh-TW -> en, en -> zh-CN -> zh-TW (as the answer page does). */
export type Texts = Record<string, unknown> | { 'zh-CN': string; 'zh-TW': string; en: string }
export function pickText(t: Texts | null | undefined, lang: string): string {
  if (!t) return ''
  const order = lang === 'zh-TW' ? ['zh-TW', 'zh-CN', 'en'] : lang === 'en' ? ['en', 'zh-CN', 'zh-TW'] : ['zh-CN', 'zh-TW', 'en']
  for (const k of order) {
    const v = (t as Record<string, unknown>)[k]
    if (typeof v === 'string' && v) return v
  }
  return ''
}

export interface SatFilter {
  account_id?: number
  tier?: string
  region?: string
  owner_id?: number | 'me'
  team_id?: number
  from?: string
  to?: string
}

type Q = Record<string, string | number | undefined>

export const satisfactionApi = {
  surveys: () => http.get<{ items: SurveyItem[]; next_cursor: string | null }>('/surveys', { limit: 200 }),
  results: (id: number, f: SatFilter = {}) => http.get<SatResults>(`/surveys/${id}/results`, f as Q),
  drivers: (id: number, f: SatFilter = {}) => http.get<SatDrivers>(`/surveys/${id}/drivers`, f as Q),
  trend: (q: SatFilter & { group?: SatGroup; period?: SatPeriod }) => http.get<SatTrend>('/satisfaction', q as Q),
  account: (id: number, q: { period?: SatPeriod; from?: string; to?: string } = {}) =>
    http.get<AccountSatisfaction>(`/accounts/${id}/satisfaction`, q as Q),
}
