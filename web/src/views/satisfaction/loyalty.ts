// Loyalty beside NPS by group and period (issue 14 item 3): GET /api/v1/satisfaction/loyalty
// (api/needs/satisfaction.c: LoyaltyTrend, LoyaltyCell; the rules are svc/needs/loyalty.c's).
// The types mirror the OpenAPI shapes (schema.d.ts has them once regenerated).
import { http } from '@/api/http'
import type { SatFilter, SatGroup, SatPeriod } from '@/api/satisfaction'

export interface LoyaltyNps {
  n: number
  promoters: number
  passives: number
  detractors: number
  score: number
}

export interface LoyaltyCell {
  group: string
  name: string
  period: string
  partial: boolean
  buyers: number
  retained_from: number
  retained: number
  retention_rate: number | null
  repeat_buyers: number
  repeat_rate: number | null
  responses: number
  hidden: boolean
  nps: LoyaltyNps | null
}

export interface LoyaltyTrend {
  group: string
  period: string
  min_n: number
  repeat_rule: 'two_months' | 'month_and_previous'
  items: LoyaltyCell[]
}

type Q = Record<string, string | number | undefined>

export const loyaltyApi = {
  trend: (q: SatFilter & { group?: SatGroup; period?: SatPeriod }) =>
    http.get<LoyaltyTrend>('/satisfaction/loyalty', q as Q),
}
