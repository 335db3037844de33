import { http } from './http'
import type { AuditEntity, AuditRow, Page } from './types'

export const auditApi = {
  list: (entity: AuditEntity, id: number, q: { limit?: number; cursor?: string } = {}) =>
    http.get<Page<AuditRow>>('/audit', { entity, id, ...q }),
}
