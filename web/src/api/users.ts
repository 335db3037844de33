import { http, fetchAll } from './http'
import type { Page, Role, Team, TeamInput, User, UserInput } from './types'

export interface UserQuery {
  q?: string
  role?: Role
  team_id?: number
  limit?: number
  cursor?: string
  sort?: string
}

export const usersApi = {
  list: (q: UserQuery = {}) => http.get<Page<User>>('/users', { ...q }),
  all: async () => (await fetchAll((cursor) => usersApi.list({ limit: 500, cursor }))).items,
  get: (id: number) => http.get<User>(`/users/${id}`),
  create: (body: UserInput) => http.post<User>('/users', body),
  update: (id: number, body: UserInput) => http.patch<User>(`/users/${id}`, body),
}

export const teamsApi = {
  list: () => http.get<Page<Team>>('/teams'),
  get: (id: number) => http.get<Team>(`/teams/${id}`),
  create: (body: TeamInput) => http.post<Team>('/teams', body),
  update: (id: number, body: TeamInput) => http.patch<Team>(`/teams/${id}`, body),
}
