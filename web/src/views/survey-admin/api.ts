// Issue 14 leftovers (WEB14): survey drivers (PUT /survey-drivers), the tone line
// (/settings/tone, api/needs/tone.c) and the follow-up thresholds (/settings/follow-ups).
import { http } from '@/api/http'
import type { components } from '@/api/schema'
import type { DeptRole, SurveyDriver, Texts } from '../surveys/api'

export type { DeptRole, SurveyDriver, Texts }
export const DEPT_ROLES: DeptRole[] = ['sales', 'marketing', 'technical', 'production', 'service']

export interface DriverInput {
  key: string
  label: Partial<Texts>
  dept_role: DeptRole
  position?: number
  active?: boolean
}
/** GET|PATCH /api/v1/settings/tone: the line in millionths of "positive" (generated type). */
export type ToneSettings = components['schemas']['ToneSettings']
/** GET|PATCH /api/v1/settings/follow-ups */
export interface FollowUpSettings {
  nps_max: number
  csat_max: number
  rating_max: number
  due_days: number
  urgent_days: number
}

export const surveyAdminApi = {
  drivers: () => http.get<{ items: SurveyDriver[]; next_cursor: string | null }>('/survey-drivers'),
  putDriver: (body: DriverInput) => http.put<SurveyDriver>('/survey-drivers', body),
  tone: () => http.get<ToneSettings>('/settings/tone'),
  setTone: (ppm: number) => http.patch<ToneSettings>('/settings/tone', { negative_below_ppm: ppm }),
  followUps: () => http.get<FollowUpSettings>('/settings/follow-ups'),
  setFollowUps: (body: Partial<FollowUpSettings>) => http.patch<FollowUpSettings>('/settings/follow-ups', body),
}
