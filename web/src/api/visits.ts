import { http, fetchAll } from './http'
import type { CalendarToken, CalendarUrl, Page, Visit, VisitCompletion, VisitInput, VisitQuery } from './types'

export const visitsApi = {
  /** Visits in the caller's scope by planned time (from/to are ISO times). */
  list: (q: VisitQuery = {}) => http.get<Page<Visit>>('/visits', { ...q }),
  /** Every visit matching q (a calendar range), following next_cursor. */
  all: async (q: VisitQuery = {}, max = 5000) =>
    fetchAll((cursor) => visitsApi.list({ ...q, limit: 500, cursor }), max),
  get: (id: number) => http.get<Visit>(`/visits/${id}`),
  plan: (accountId: number, body: VisitInput) => http.post<Visit>(`/accounts/${accountId}/visits`, body),
  update: (id: number, body: VisitInput) => http.patch<Visit>(`/visits/${id}`, body),
  complete: (id: number, body: VisitCompletion) => http.post<Visit>(`/visits/${id}/complete`, body),
}

export const calendarApi = {
  /** A new feed URL (path only); it replaces the previous one. */
  subscribe: () => http.post<CalendarUrl>('/calendar-token'),
  revoke: () => http.del('/calendar-token'),
  status: () => http.get<CalendarToken>('/calendar-token'),
}
