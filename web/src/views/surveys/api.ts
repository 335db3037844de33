// Surveys (issue 14): definitions, drivers, sending, links and response rates -- the shapes of
// api/needs/surveys.c (Survey, SurveyQuestion, SurveyDriver, SurveyLink, SurveySent,
// SurveyRates), written by hand so this folder does not wait for schema.d.ts.
import { http } from '@/api/http'
import type { Lang, Kind } from '../survey-answer/api'

export type { Lang, Kind }
export type Texts = Record<Lang, string>
export type SurveyStatus = 'draft' | 'open' | 'closed'
export type Channel = 'email' | 'copy' | 'phone'
export type LinkState = 'pending' | 'answered' | 'expired'
export type DeptRole = 'sales' | 'marketing' | 'technical' | 'production' | 'service'

export const KINDS: Kind[] = ['nps', 'csat', 'rating', 'single', 'multi', 'text']
export const CHANNELS: Channel[] = ['copy', 'email', 'phone']
export const TIERS = ['strategic', 'key', 'growth', 'maintain'] as const
export const LINK_STATES: LinkState[] = ['pending', 'answered', 'expired']

export interface SurveyOption {
  position?: number
  label: Texts
}
export interface SurveyQuestion {
  id?: number
  position?: number
  kind: Kind
  driver: string | null
  text: Texts
  required: boolean
  overall: boolean
  options: SurveyOption[]
}
export interface Survey {
  id: number
  status: SurveyStatus
  title: Texts
  intro: Texts
  link_days: number
  remind_days: number
  max_reminders: number
  created_by: number | null
  opened_at: string | null
  closed_at: string | null
  version: number
  created_at: string
  updated_at: string
  question_count: number
  links: number
  responses: number
  response_rate: number
  questions?: SurveyQuestion[]
}
export interface SurveyDriver {
  key: string
  label: Texts
  dept_role: DeptRole
  position: number
  active: boolean
}
export interface SurveyLink {
  id: number
  survey_id: number
  contact_id: number | null
  contact_name: string
  account_id: number
  account_name: string
  account_tier: string
  channel: Channel
  lang: Lang
  state: LinkState
  expires_at: string
  sent_at: string
  reminded_at: string | null
  reminders: number
  answered_at: string | null
  response_id: number | null
  token?: string
  url?: string
}
export interface SurveySent {
  items: SurveyLink[]
  skipped: { contact_id: number; reason: 'already_sent' | 'no_email' | 'not_in_scope' | 'not_found' }[]
}
export interface SurveyRate {
  key: string
  name: string | null
  sent: number
  answered: number
  expired: number
  rate: number
}
export interface SurveyRates {
  survey_id: number
  total: SurveyRate
  by_account: SurveyRate[]
  by_tier: SurveyRate[]
  by_channel: SurveyRate[]
}
export interface Page<T> {
  items: T[]
  next_cursor: string | null
}
export interface SurveyInput {
  title?: Partial<Texts>
  intro?: Partial<Texts>
  link_days?: number
  remind_days?: number
  max_reminders?: number
  questions?: SurveyQuestion[]
  version?: number
}
export interface SendInput {
  contact_ids?: number[]
  tier?: string
  key_only?: boolean
  channel: Channel
  lang: Lang
}

type Q = Record<string, string | number | undefined>

export const surveysApi = {
  list: (q: { status?: SurveyStatus; q?: string; limit?: number; cursor?: string } = {}) =>
    http.get<Page<Survey>>('/surveys', q as Q),
  count: (q: { status?: SurveyStatus; q?: string } = {}) => http.get<{ total: number }>('/surveys/count', q as Q),
  get: (id: number) => http.get<Survey>(`/surveys/${id}`),
  create: (body: SurveyInput) => http.post<Survey>('/surveys', body),
  update: (id: number, body: SurveyInput) => http.patch<Survey>(`/surveys/${id}`, body),
  remove: (id: number) => http.del(`/surveys/${id}`),
  setStatus: (id: number, to: 'open' | 'closed', version?: number) =>
    http.post<Survey>(`/surveys/${id}/status`, { to, version }),
  copy: (id: number) => http.post<Survey>(`/surveys/${id}/copy`),
  drivers: () => http.get<Page<SurveyDriver>>('/survey-drivers'),
  send: (id: number, body: SendInput) => http.post<SurveySent>(`/surveys/${id}/links`, body),
  links: (id: number, q: { state?: LinkState; account_id?: number; limit?: number; cursor?: string } = {}) =>
    http.get<Page<SurveyLink>>(`/surveys/${id}/links`, q as Q),
  accountLinks: (accountId: number, cursor?: string) =>
    http.get<Page<SurveyLink>>(`/accounts/${accountId}/survey-links`, { limit: 50, cursor }),
  reissue: (linkId: number) => http.post<SurveyLink>(`/survey-links/${linkId}/reissue`),
  revoke: (linkId: number) => http.del(`/survey-links/${linkId}`),
  rates: (id: number) => http.get<SurveyRates>(`/surveys/${id}/rates`),
  settings: () => http.get<SurveySettings>('/settings/surveys'),
  setPublicUrl: (publicUrl: string) => http.patch<SurveySettings>('/settings/surveys', { public_url: publicUrl }),
}

/** GET /api/v1/settings/surveys: the base of e-mailed links (in_use null: e-mail is refused). */
export interface SurveySettings {
  public_url: string
  env_public_url: string | null
  in_use: string | null
}

/** The text to show in `lang`, falling back like the answer page (svc/needs/survey.c). */
export function textIn(t: Partial<Texts> | undefined, lang: Lang): string {
  const order: Record<Lang, Lang[]> = {
    'zh-CN': ['zh-CN', 'zh-TW', 'en'],
    'zh-TW': ['zh-TW', 'zh-CN', 'en'],
    en: ['en', 'zh-CN', 'zh-TW'],
  }
  for (const l of order[lang]) if (t?.[l]) return t[l] as string
  return ''
}

export function emptyTexts(): Texts {
  return { 'zh-CN': '', 'zh-TW': '', en: '' }
}
