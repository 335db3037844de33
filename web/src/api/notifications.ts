import { http } from './http'
import type { AppNotification, Page, ResponseOf } from './types'

export const notificationsApi = {
  list: (q: { unread?: 0 | 1; kind?: string; limit?: number; cursor?: string } = {}) =>
    http.get<Page<AppNotification>>('/notifications', { ...q }),
  read: (id: number) => http.post<void>(`/notifications/${id}/read`),
  count: () => http.get<ResponseOf<'/api/v1/notifications/count', 'get'>>('/notifications/count'),
  readAll: () => http.post<void>('/notifications/read-all'),
}
