import { http } from './http'
import type { CadenceInput, CadenceRule, Freshness, Page, SlaRule } from './types'

export const configApi = {
  cadences: () => http.get<Page<CadenceRule>>('/cadences'),
  createCadence: (body: CadenceInput) => http.post<CadenceRule>('/cadences', body),
  updateCadence: (id: number, body: CadenceInput) => http.patch<CadenceRule>(`/cadences/${id}`, body),
  removeCadence: (id: number) => http.del(`/cadences/${id}`),
  slaRules: () => http.get<Page<SlaRule>>('/sla-rules'),
  updateSlaRule: (id: number, body: { response_hours?: number; resolution_hours?: number }) =>
    http.patch<SlaRule>(`/sla-rules/${id}`, body),
  freshness: () => http.get<Freshness>('/settings/freshness'),
  updateFreshness: (body: Partial<Freshness>) => http.patch<Freshness>('/settings/freshness', body),
}
