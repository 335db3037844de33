import { http } from './http'
import type {
  CareChannel,
  CareOccasion,
  CareOccasionInput,
  CareQuery,
  CareReminder,
  MessageTemplate,
  MessageTemplateInput,
  Page,
} from './types'

export const careApi = {
  list: (q: CareQuery = {}) => http.get<Page<CareReminder>>('/care', { ...q }),
  get: (id: number) => http.get<CareReminder>(`/care/${id}`),
  send: (id: number, template_id: number) => http.post<CareReminder>(`/care/${id}/send`, { template_id }),
  done: (id: number, channel: CareChannel, note: string) => http.post<CareReminder>(`/care/${id}/done`, { channel, note }),
  skip: (id: number) => http.post<CareReminder>(`/care/${id}/skip`),
  occasions: () => http.get<Page<CareOccasion>>('/care-occasions'),
  createOccasion: (body: CareOccasionInput) => http.post<CareOccasion>('/care-occasions', body),
  updateOccasion: (id: number, body: CareOccasionInput) => http.patch<CareOccasion>(`/care-occasions/${id}`, body),
  removeOccasion: (id: number) => http.del(`/care-occasions/${id}`),
  templates: () => http.get<Page<MessageTemplate>>('/message-templates'),
  createTemplate: (body: MessageTemplateInput) => http.post<MessageTemplate>('/message-templates', body),
  updateTemplate: (id: number, body: MessageTemplateInput) => http.patch<MessageTemplate>(`/message-templates/${id}`, body),
  removeTemplate: (id: number) => http.del(`/message-templates/${id}`),
}
