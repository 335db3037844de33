// Survey answers (issue 14): the public answer page's two calls (no session: the link's token
// travels in the body) and the staff's (answers taken by phone, verbatims, erasure). Shapes of
// api/needs/survey_answers.c (PublicSurvey, SurveyResponse); written by hand here so this folder
// does not wait for schema.d.ts to be regenerated.
import { http } from '@/api/http'

export type Lang = 'zh-CN' | 'zh-TW' | 'en'
export type Kind = 'nps' | 'csat' | 'rating' | 'single' | 'multi' | 'text'
export const LANGS: Lang[] = ['zh-CN', 'zh-TW', 'en']

/** A question as one respondent sees it: texts already in one language. */
export interface ShownQuestion {
  id: number
  position: number
  kind: Kind
  text: string
  required: boolean
  options: { position: number; label: string }[]
}

export interface PublicSurvey {
  lang: Lang
  langs: Lang[]
  title: string
  intro: string
  expires_at: string
  questions: ShownQuestion[]
}

/** One answer being given: value (a score or a single choice), values (multi) or text. */
export interface Answer {
  value?: number
  values?: number[]
  text?: string
}

export interface AnswerIn extends Answer {
  question_id: number
}

export interface ResponseAnswer {
  question_id: number
  position: number
  kind: Kind
  value: number | null
  values: number[] | null
  text: string | null
  /** a comment's tone (svc/core/tone.h); null for scores and choices */
  tone: 'none' | 'neutral' | 'negative' | 'positive' | null
}

export interface SurveyResponse {
  id: number
  survey_id: number
  link_id: number
  account_id: number
  account_name: string
  contact_id: number | null
  contact_name: string | null
  lang: Lang
  channel: string
  entered_by: number | null
  submitted_at: string
  answers: ResponseAnswer[]
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

/** Texts of the builder's (SURVEYS) shape: one string per language. */
export type Texts = Partial<Record<Lang, string>>

/** The first non-empty text in lang's fallback order (as the server's sa_text_in). */
export function textIn(t: Texts | null | undefined, lang: Lang): string {
  const order: Record<Lang, Lang[]> = { 'zh-CN': ['zh-CN', 'zh-TW', 'en'], 'zh-TW': ['zh-TW', 'zh-CN', 'en'], en: ['en', 'zh-CN', 'zh-TW'] }
  for (const l of order[lang]) if (t?.[l]) return t[l] as string
  return ''
}

/** A question of the builder's shape (GET /surveys/{id}: texts per language). */
export interface BuilderQuestion {
  id: number
  position: number
  kind: Kind
  text: Texts
  required: boolean
  options?: { position: number; label: Texts }[]
}

/** A builder question shown in lang. */
export function shownQuestion(q: BuilderQuestion, lang: Lang): ShownQuestion {
  return {
    id: q.id,
    position: q.position,
    kind: q.kind,
    text: textIn(q.text, lang),
    required: q.required,
    options: (q.options ?? []).map((o) => ({ position: o.position, label: textIn(o.label, lang) })),
  }
}

/** The answers worth sending: an empty text or an empty multi choice is no answer. */
export function answersOf(qs: ShownQuestion[], given: Record<number, Answer>): AnswerIn[] {
  const out: AnswerIn[] = []
  for (const q of qs) {
    const a = given[q.id]
    if (!a) continue
    if (q.kind === 'text') {
      if (a.text && a.text.trim()) out.push({ question_id: q.id, text: a.text })
    } else if (q.kind === 'multi') {
      if (a.values && a.values.length) out.push({ question_id: q.id, values: [...a.values].sort((x, y) => x - y) })
    } else if (a.value !== undefined) out.push({ question_id: q.id, value: a.value })
  }
  return out
}

/** Ids of required questions without an answer. */
export function missingRequired(qs: ShownQuestion[], given: Record<number, Answer>): number[] {
  const have = new Set(answersOf(qs, given).map((a) => a.question_id))
  return qs.filter((q) => q.required && !have.has(q.id)).map((q) => q.id)
}

export const publicSurvey = (token: string, lang?: Lang) =>
  http.post<PublicSurvey>('/public/survey', lang ? { token, lang } : { token }, { quiet401: true })
export const publicAnswer = (token: string, answers: AnswerIn[], lang?: Lang) =>
  http.post<{ thanks: string }>('/public/survey/answer', lang ? { token, lang, answers } : { token, answers }, { quiet401: true })

export const enterResponse = (linkId: number, answers: AnswerIn[], lang?: Lang) =>
  http.post<SurveyResponse>(`/survey-links/${linkId}/response`, lang ? { lang, answers } : { answers })
export const listResponses = (surveyId: number, q: { account_id?: number; limit?: number; cursor?: string } = {}) =>
  http.get<Page<SurveyResponse>>(`/surveys/${surveyId}/responses`, q)
export const getResponse = (id: number) => http.get<SurveyResponse>(`/survey-responses/${id}`)
export const deleteResponse = (id: number) => http.del(`/survey-responses/${id}`)
