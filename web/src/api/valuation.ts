import { http } from './http'
import type { Assessment, Page, ScoringCriterion, TierThresholds, Valuation, ValuationPreview, Screening } from './types'

export const valuationApi = {
  get: (accountId: number) => http.get<Valuation>(`/accounts/${accountId}/valuation`),
  assess: (accountId: number, body: Assessment) => http.patch<Valuation>(`/accounts/${accountId}/valuation`, body),
  screen: (accountId: number, decision: Screening, reason: string) =>
    http.post<Valuation>(`/accounts/${accountId}/screening`, { decision, reason }),
  criteria: () => http.get<Page<ScoringCriterion>>('/scoring-criteria'),
  updateCriterion: (id: number, body: { weight?: number; active?: boolean }) =>
    http.patch<ScoringCriterion>(`/scoring-criteria/${id}`, body),
  thresholds: () => http.get<TierThresholds>('/settings/tier-thresholds'),
  updateThresholds: (body: Partial<TierThresholds>) => http.patch<TierThresholds>('/settings/tier-thresholds', body),
  preview: (body: Record<string, number>) => http.post<ValuationPreview>('/valuation/preview', body),
}
