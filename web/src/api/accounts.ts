import { http, fetchAll } from './http'
import type {
  Account,
  AccountDetail,
  AccountInput,
  AccountQuery,
  AccountSummary,
  Contact,
  ContactInput,
  DeptRole,
  Member,
  Page,
} from './types'

export const accountsApi = {
  list: (q: AccountQuery = {}) => http.get<Page<Account>>('/accounts', { ...q }),
  get: (id: number) => http.get<AccountDetail>(`/accounts/${id}`),
  summary: (q: { owner_id?: number } = {}) => http.get<AccountSummary>('/accounts/summary', { ...q }),
  create: (body: AccountInput) => http.post<Account>('/accounts', body),
  update: (id: number, body: AccountInput) => http.patch<Account>(`/accounts/${id}`, body),
  remove: (id: number) => http.del(`/accounts/${id}`),
  subsidiaries: (id: number, q: { limit?: number; cursor?: string } = {}) =>
    http.get<Page<Account>>(`/accounts/${id}/subsidiaries`, q),
  members: (id: number) => http.get<Page<Member>>(`/accounts/${id}/members`),
  addMember: (id: number, user_id: number, dept_role: DeptRole) =>
    http.post<Member>(`/accounts/${id}/members`, { user_id, dept_role }),
  removeMember: (id: number, userId: number) => http.del(`/accounts/${id}/members/${userId}`),
  contacts: (id: number, q: { limit?: number; cursor?: string; sort?: string; q?: string; decision_role?: string } = {}) =>
    http.get<Page<Contact>>(`/accounts/${id}/contacts`, q),
  allContacts: async (id: number) =>
    (await fetchAll((cursor) => accountsApi.contacts(id, { limit: 500, cursor, sort: 'name' }))).items,
  createContact: (id: number, body: ContactInput) => http.post<Contact>(`/accounts/${id}/contacts`, body),
}

export const contactsApi = {
  get: (id: number) => http.get<Contact>(`/contacts/${id}`),
  update: (id: number, body: ContactInput) => http.patch<Contact>(`/contacts/${id}`, body),
  remove: (id: number) => http.del(`/contacts/${id}`),
}
