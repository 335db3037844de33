// Helpers of the competency screens: names in the UI language, levels and fit in words, the
// people the caller may see and the assessment kinds they may give (the server decides; these
// only keep the UI from offering what it would refuse), and the server's refusals in words.
import { i18n } from '@/i18n'
import { ApiError } from '@/api/http'
import { errorText, type ErrorTextOpts } from '@/composables/errors'
import { fmtNumber, fmtPercent } from '@/i18n/format'
import type { Team, User, PermissionRow } from '@/api/types'
import type { AssessmentKind, RoleProfile } from '@/api/competencies'

const t = (k: string, p?: Record<string, unknown>) => i18n.global.t(k, p ?? {}) as string
const te = (k: string) => i18n.global.te(k)

const zh = () => String(i18n.global.locale.value).startsWith('zh')

/** A competency's or a profile's name in the UI language (both Chinese UIs show name_zh). */
export function nameOf(x: { name_zh: string; name_en: string } | null | undefined): string {
  if (!x) return ''
  return (zh() ? x.name_zh || x.name_en : x.name_en || x.name_zh) || ''
}
/** A rubric descriptor or a description in the UI language. */
export function textOf(zhText: string | null | undefined, enText: string | null | undefined): string {
  return (zh() ? zhText || enText : enText || zhText) || ''
}

/** A level (the mean of scores may be fractional: 3.5) or a dash. */
export const fmtLevel = (v: number | null | undefined) => (v == null ? '—' : fmtNumber(Math.round(v * 100) / 100))
/** fit_bp (10000 = every requirement met) as "88.9%". */
export const fmtFit = (bp: number | null | undefined) => (bp == null ? '—' : fmtPercent(bp / 100))

export const kindWord = (k: string) => (te(`team.assessmentKinds.${k}`) ? t(`team.assessmentKinds.${k}`) : t('teamComp.unknown'))
export const statusWord = (s: string) => (te(`team.candidateStatuses.${s}`) ? t(`team.candidateStatuses.${s}`) : t('teamComp.unknown'))
export const statusType = (s: string) =>
  s === 'hired' || s === 'promoted' ? 'success' : s === 'rejected' ? 'danger' : s === 'on_hold' ? 'warning' : 'info'

/** The server's refusal in words: our own words for the chapter's keys, else the common ones. */
export function refusal(e: unknown, opts: ErrorTextOpts = {}): string {
  if (e instanceof ApiError && e.key) {
    const k = `teamComp.err.${e.key.replace(/\./g, '_')}`
    if (te(k)) return t(k)
  }
  return errorText(e, opts)
}

/** The ids of the teams the user manages, with every team below them. */
export function ledTeams(userId: number, teams: Team[]): Set<number> {
  const out = new Set<number>(teams.filter((x) => x.manager_id === userId).map((x) => x.id))
  for (let grew = true; grew; ) {
    grew = false
    for (const x of teams)
      if (x.parent_id != null && out.has(x.parent_id) && !out.has(x.id)) {
        out.add(x.id)
        grew = true
      }
  }
  return out
}

function grant(row: PermissionRow | null | undefined, obj: string, act: string): string {
  const p = (row as { permissions?: Record<string, Record<string, string>> } | null | undefined)?.permissions
  return p?.[obj]?.[act] ?? 'none'
}

/** The people whose assessments the caller reads: everyone (hr, director, admin), else oneself
 *  and the members of the teams one leads (down the tree); nobody without the grant. */
export function peopleInScope(me: User | null, row: PermissionRow | null, users: User[], teams: Team[]): User[] {
  if (!me) return []
  const g = grant(row, 'assessment', 'read')
  if (g === 'all') return users.filter((u) => !u.disabled)
  if (g !== 'scope') return []
  const led = ledTeams(me.id, teams)
  return users.filter((u) => !u.disabled && (u.id === me.id || (u.team_id != null && led.has(u.team_id))))
}

/** The kinds of assessment the caller may give the person (docs/TEAM.md "Assessments"). */
export function kindsFor(me: User | null, row: PermissionRow | null, person: User | null | undefined, teams: Team[]): AssessmentKind[] {
  if (!me || !person) return []
  const g = grant(row, 'assessment', 'create')
  if (g === 'none') return []
  if (person.id === me.id) return ['self']
  if (g === 'all') return ['manager', 'peer']
  const leads = person.team_id != null && ledTeams(me.id, teams).has(person.team_id)
  const colleague = person.team_id != null && person.team_id === me.team_id
  const out: AssessmentKind[] = []
  if (leads) out.push('manager')
  if (leads || colleague) out.push('peer')
  return out
}

/** The profile that fits a role best: the one whose code is the role, else the first active one. */
export function profileForRole(role: string | undefined, profiles: RoleProfile[]): RoleProfile | null {
  return profiles.find((p) => p.code === role && p.active) ?? profiles.find((p) => p.active) ?? profiles[0] ?? null
}

/** Today in China (the API's days are China's). */
export function chinaToday(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
}
