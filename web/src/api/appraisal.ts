// Appraisal computed from the records (issue 18 F6.3, docs/API.md "Appraisal: schemes and
// scorecards", docs/TEAM.md): /api/v1/appraisal-schemes (weighted indicators and their scoring
// curves), /api/v1/scorecards (list, compute, export, calibration, one, PATCH, a line's records,
// submit, acknowledge, calibrate, finalise) and /api/v1/users/{id}/scorecards (a person's
// history). The record and body types are aliases of the OpenAPI document's (schema.d.ts).
import type { components } from './schema'
import { http } from './http'
import { allOf, type BodyOf, type Page } from './types'

type S = components['schemas']

export type AppraisalScheme = S['AppraisalScheme']
export type AppraisalIndicator = S['AppraisalIndicator']
export type Scorecard = S['Scorecard']
export type ScorecardLine = S['ScorecardLine']
export type ScorecardAdjustment = S['ScorecardAdjustment']
export type ScorecardRecord = S['ScorecardRecord']
export type ScorecardCalibration = S['ScorecardCalibration']
export type ScorecardCompute = S['ScorecardCompute']
export type ScoreBand = S['ScoreBand']

export type ScorecardStatus = Scorecard['status']
export const SCORECARD_STATUSES = allOf<ScorecardStatus>({ draft: true, review: true, acknowledged: true, calibrated: true, final: true })
export type IndicatorKind = AppraisalIndicator['kind']
export const INDICATOR_KINDS = allOf<IndicatorKind>({
  volume_attainment: true,
  growth: true,
  share_of_wallet: true,
  satisfaction: true,
  visits_vs_cadence: true,
  interactions: true,
  issue_sla: true,
  follow_ups_closed: true,
  breaches_disputes: true,
  training_completed: true,
  manual: true,
})
export type PeriodKind = AppraisalScheme['period_kind']
export const PERIOD_KINDS = allOf<PeriodKind>({ quarter: true, year: true })
export type Band = ScoreBand['band']
export const BANDS = allOf<Band>({ below: true, partly: true, meets: true, exceeds: true, outstanding: true })
export type Why = NonNullable<ScorecardLine['why']>
export type RecordSide = ScorecardRecord['side']

export type SchemeInput = BodyOf<'/api/v1/appraisal-schemes', 'post'>
export type SchemePatch = BodyOf<'/api/v1/appraisal-schemes/{id}', 'patch'>
export type IndicatorInput = SchemeInput['indicators'][number]
export type ScorecardPatch = BodyOf<'/api/v1/scorecards/{id}', 'patch'>
export type ComputeInput = BodyOf<'/api/v1/scorecards/compute', 'post'>
export type CalibrateInput = BodyOf<'/api/v1/scorecards/{id}/calibrate', 'post'>

export interface SchemeQuery {
  role?: string
  active?: 0 | 1
  limit?: number
  cursor?: string
}
export interface ScorecardQuery {
  scheme_id?: number
  user_id?: number | 'me'
  period?: string
  status?: ScorecardStatus
  sort?: string
  limit?: number
  cursor?: string
}
export interface CalibrationQuery {
  scheme_id: number
  period: string
  team_id?: number
}

type Q = Record<string, string | number | undefined>

export const schemesApi = {
  list: (q: SchemeQuery = {}) => http.get<Page<AppraisalScheme>>('/appraisal-schemes', q as Q),
  get: (id: number) => http.get<AppraisalScheme>(`/appraisal-schemes/${id}`),
  create: (b: SchemeInput) => http.post<AppraisalScheme>('/appraisal-schemes', b),
  update: (id: number, b: SchemePatch) => http.patch<AppraisalScheme>(`/appraisal-schemes/${id}`, b),
  remove: (id: number) => http.del<void>(`/appraisal-schemes/${id}`),
}

export const scorecardsApi = {
  list: (q: ScorecardQuery = {}) => http.get<Page<Scorecard>>('/scorecards', q as Q),
  ofUser: (userId: number, q: Omit<ScorecardQuery, 'user_id'> = {}) => http.get<Page<Scorecard>>(`/users/${userId}/scorecards`, q as Q),
  get: (id: number) => http.get<Scorecard>(`/scorecards/${id}`),
  update: (id: number, b: ScorecardPatch) => http.patch<Scorecard>(`/scorecards/${id}`, b),
  compute: (b: ComputeInput) => http.post<ScorecardCompute>('/scorecards/compute', b),
  records: (id: number, indicatorId: number, q: { side?: RecordSide; limit?: number; cursor?: string } = {}) =>
    http.get<Page<ScorecardRecord>>(`/scorecards/${id}/lines/${indicatorId}/records`, q as Q),
  submit: (id: number) => http.post<Scorecard>(`/scorecards/${id}/submit`),
  acknowledge: (id: number) => http.post<Scorecard>(`/scorecards/${id}/acknowledge`),
  calibrate: (id: number, b: CalibrateInput) => http.post<Scorecard>(`/scorecards/${id}/calibrate`, b),
  finalise: (id: number) => http.post<Scorecard>(`/scorecards/${id}/finalise`),
  calibration: (q: CalibrationQuery) => http.get<ScorecardCalibration>('/scorecards/calibration', q as unknown as Q),
  /** The export route (ExportMenu adds the list's query, the columns and the language). */
  exportPath: '/api/v1/scorecards/export',
}

/** The rating band of a score (docs/TEAM.md "Calibration"). */
export function bandOf(score: number): Band {
  if (score < 7000) return 'below'
  if (score < 9000) return 'partly'
  if (score < 11000) return 'meets'
  if (score < 13000) return 'exceeds'
  return 'outstanding'
}

/** The indicator's unit: what threshold / target / stretch / actual are measured in. */
export type Unit = 'bp' | 'nps' | 'count' | 'value'
export function unitOf(kind: IndicatorKind): Unit {
  switch (kind) {
    case 'volume_attainment':
    case 'growth':
    case 'share_of_wallet':
    case 'visits_vs_cadence':
    case 'issue_sla':
    case 'follow_ups_closed':
      return 'bp'
    case 'satisfaction':
      return 'nps'
    case 'interactions':
    case 'training_completed':
    case 'breaches_disputes':
      return 'count'
    default:
      return 'value'
  }
}
/** Kinds whose measured and basis figures are money (minor units of the base currency). */
export const MONEY_KINDS: IndicatorKind[] = ['volume_attainment', 'growth', 'share_of_wallet']

/** The current period of a kind ("2026Q3" or "2026") in China's day, and the one before. */
export function periodOf(kind: PeriodKind, d = new Date(), back = 0): string {
  const china = new Date(d.getTime() + 8 * 3600_000)
  let y = china.getUTCFullYear()
  if (kind === 'year') return String(y - back)
  let q = Math.floor(china.getUTCMonth() / 3) + 1 - back
  while (q < 1) {
    q += 4
    y--
  }
  return `${y}Q${q}`
}
