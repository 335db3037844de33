// The role homes (issue 12 item 6): GET /home/agenda (the caller's day) and GET /home/team (figures
// per person). The shapes are the OpenAPI document's components (schema.d.ts).
import { http } from './http'
import type { components } from './schema'

type S = components['schemas']
export type HomeAgenda = S['HomeAgenda']
export type HomeVisit = S['HomeVisit']
export type HomeCare = S['HomeCare']
export type HomeIssue = S['HomeIssue']
export type HomeTeam = S['HomeTeam']
export type HomePerson = S['HomePerson']
export type HomeAlert = S['HomeAlert']

export interface HomeTeamQuery {
  team_id?: number
  /** "2026", "2026-Q3", "2026-03" */
  period?: string
  stale_days?: number
}

export const homeApi = {
  agenda: (date?: string) => http.get<HomeAgenda>('/home/agenda', date ? { date } : {}),
  team: (q: HomeTeamQuery = {}) => http.get<HomeTeam>('/home/team', { ...q }),
}
