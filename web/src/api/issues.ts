import { http } from './http'
import type { Issue, IssueInput, IssueQuery, IssueStatus, IssueTeamStats, Page } from './types'

export const issuesApi = {
  list: (q: IssueQuery = {}) => http.get<Page<Issue>>('/issues', { ...q }),
  get: (id: number) => http.get<Issue>(`/issues/${id}`),
  create: (accountId: number, body: IssueInput) => http.post<Issue>(`/accounts/${accountId}/issues`, body),
  update: (id: number, body: IssueInput) => http.patch<Issue>(`/issues/${id}`, body),
  remove: (id: number) => http.del(`/issues/${id}`),
  transition: (id: number, to: IssueStatus, note: string) =>
    http.post<Issue>(`/issues/${id}/transition`, { to, note }),
  /** SLA figures per team of the assignee, for issues reported in [from, to). */
  stats: (q: { from?: string; to?: string } = {}) =>
    http.get<Page<IssueTeamStats>>('/issues/stats', { ...q }),
}
