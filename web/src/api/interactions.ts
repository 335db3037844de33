import { http } from './http'
import type { Interaction, InteractionInput, InteractionKind, Page, StaleContact } from './types'

export const interactionsApi = {
  /** The account's timeline, newest first. */
  list: (accountId: number, q: { kind?: InteractionKind; limit?: number; cursor?: string } = {}) =>
    http.get<Page<Interaction>>(`/accounts/${accountId}/interactions`, { ...q }),
  create: (accountId: number, body: InteractionInput) =>
    http.post<Interaction>(`/accounts/${accountId}/interactions`, body),
  get: (id: number) => http.get<Interaction>(`/interactions/${id}`),
  update: (id: number, body: InteractionInput) => http.patch<Interaction>(`/interactions/${id}`, body),
  remove: (id: number) => http.del(`/interactions/${id}`),
}

export const staleContactsApi = {
  /** Key people not contacted within their tier's freshness days, most overdue first. */
  list: (q: { owner_id?: number; limit?: number; cursor?: string } = {}) =>
    http.get<Page<StaleContact>>('/stale-contacts', { ...q }),
}
