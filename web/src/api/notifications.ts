import { http } from './http'
import type { AppNotification, Page } from './types'

export const notificationsApi = {
  list: (q: { unread?: 0 | 1; limit?: number; cursor?: string } = {}) =>
    http.get<Page<AppNotification>>('/notifications', { ...q }),
  read: (id: number) => http.post<void>(`/notifications/${id}/read`),
  count: () => http.get<{ unread: number }>('/notifications/count'),
  readAll: () => http.post<void>('/notifications/read-all'),
}
