// Opportunities (商机, issue 15 item 3): the API of /api/v1/opportunities, /accounts/{id}/opportunities,
// /opportunity-stages and /pipeline. The record shapes mirror the server's (api/offers/opportunities.c:
// Opportunity, OpportunityRow, OpportunityStage, Pipeline, PipelineMonths): the records are aliases
// of the OpenAPI document's (schema.d.ts), the body is BodyOf; query parameters are written by hand.
import type { components } from './schema'
import { http } from './http'
import type { BodyOf, Page } from './types'

type S = components['schemas']

export type OpportunityRow = S['OpportunityRow']
export type Opportunity = S['Opportunity']
export type OpportunityProduct = Opportunity['products'][number]
export type OpportunityOffer = Opportunity['offers'][number]
export type Pipeline = S['Pipeline']
export type PipelineMonths = S['PipelineMonths']
export type PipelineGroup = Pipeline['group']
export type PipelineRow = Pipeline['rows'][number]
export type Outcome = OpportunityRow['outcome']

export type OpportunityInput = BodyOf<'/api/v1/opportunities/{id}', 'patch'>

export type Stage = S['OpportunityStage']

export interface OpportunityQuery {
  account_id?: number
  owner_id?: number | 'me'
  team_id?: number
  stage?: string
  open?: 1
  from?: string
  to?: string
  q?: string
  sort?: string
  limit?: number
  cursor?: string
}

export interface PipelineQuery {
  group: PipelineGroup
  from?: string
  to?: string
  currency?: string
  owner_id?: number | 'me'
  team_id?: number
  account_id?: number
  include_closed?: 1
}

type Q = Record<string, string | number | undefined>

export const opportunitiesApi = {
  list: (q: OpportunityQuery = {}) => http.get<Page<OpportunityRow>>('/opportunities', q as Q),
  count: (q: OpportunityQuery = {}) => http.get<{ total: number }>('/opportunities/count', q as Q),
  forAccount: (accountId: number, q: OpportunityQuery = {}) =>
    http.get<Page<OpportunityRow>>(`/accounts/${accountId}/opportunities`, q as Q),
  get: (id: number) => http.get<Opportunity>(`/opportunities/${id}`),
  create: (accountId: number, body: OpportunityInput) =>
    http.post<Opportunity>(`/accounts/${accountId}/opportunities`, body),
  update: (id: number, body: OpportunityInput) => http.patch<Opportunity>(`/opportunities/${id}`, body),
  remove: (id: number) => http.del(`/opportunities/${id}`),
  stages: () => http.get<{ items: Stage[] }>('/opportunity-stages'),
  saveStages: (stages: Omit<Stage, 'in_use'>[]) => http.put<{ items: Stage[] }>('/opportunity-stages', { stages }),
  pipeline: (q: PipelineQuery) => http.get<Pipeline>('/pipeline', q as unknown as Q),
  months: (from: string, to: string) => http.get<PipelineMonths>('/pipeline/forecast', { from, to }),
}

/** Every opportunity of the query, page after page (the kanban shows them all; at most `max`). */
export async function allOpportunities(q: OpportunityQuery, max = 2000): Promise<OpportunityRow[]> {
  const out: OpportunityRow[] = []
  let cursor: string | undefined
  do {
    const page = await opportunitiesApi.list({ ...q, limit: 500, cursor })
    out.push(...page.items)
    cursor = page.next_cursor ?? undefined
  } while (cursor && out.length < max)
  return out
}

/** A stage's name in the reader's language. */
export function stageName(s: Stage | undefined, locale: string, code = ''): string {
  if (!s) return code
  return locale === 'zh-CN' ? s.name_zh_hans : locale === 'zh-TW' ? s.name_zh_hant : s.name_en
}
