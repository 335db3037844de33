// The personal records of one user, read through the routes that check the person scope:
// /users/{id}/scorecards, /payouts, /training and /competencies (docs/TEAM.md "Who sees what").
// A part the caller may not read (or that failed) comes back null, so the page shows the rest.
import type { components } from '@/api/schema'
import { http } from '@/api/http'

type S = components['schemas']
export type Scorecard = S['Scorecard']
export type Payout = S['Payout']
export type Enrolment = S['Enrolment']
export type PersonCompetencies = S['PersonCompetencies']
export type RoleProfile = S['RoleProfile']

interface Items<T> {
  items: T[]
}

async function part<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p
  } catch {
    return null
  }
}

export interface Mine {
  scorecards: Scorecard[] | null
  payouts: Payout[] | null
  training: Enrolment[] | null
  profiles: RoleProfile[] | null
}

export async function loadMine(id: number): Promise<Mine> {
  const [sc, po, tr, rp] = await Promise.all([
    part(http.get<Items<Scorecard>>(`/users/${id}/scorecards`)),
    part(http.get<Items<Payout>>(`/users/${id}/payouts`)),
    part(http.get<Items<Enrolment>>(`/users/${id}/training`)),
    part(http.get<Items<RoleProfile>>('/role-profiles')),
  ])
  return { scorecards: sc?.items ?? null, payouts: po?.items ?? null, training: tr?.items ?? null, profiles: rp?.items ?? null }
}

export function competenciesOf(id: number, profile: string): Promise<PersonCompetencies | null> {
  return part(http.get<PersonCompetencies>(`/users/${id}/competencies`, { profile }))
}

/** A score in hundredths (10000 = 100.00 = on target) as "106.24". */
export function fmtScore(s: number | null | undefined): string {
  return s == null ? '—' : (s / 100).toFixed(2)
}

/** The profile that fits a user's role best: the one whose code is the role, else the first. */
export function profileFor(role: string | undefined, profiles: RoleProfile[]): RoleProfile | null {
  return profiles.find((p) => p.code === role) ?? profiles[0] ?? null
}
