// Shapes of the KAM API v1. The answers are the OpenAPI document's (`kam openapi`): schema.d.ts
// is generated from it (scripts/gen-web-types.sh), and the names here are aliases of its
// component schemas, so a change on the server shows up in the type check of every screen.
// Request bodies and query parameters are still written here by hand. An interface marked
// TODO(schema) is a shape the document does not describe yet (tests/contract/web-types.sh
// fails once it does).
import type { components, paths } from './schema'

type S = components['schemas']

/** The JSON of the success answer of an operation the document describes inline. */
type Json<O> = O extends { responses: { 200: { content: { 'application/json': infer T } } } }
  ? T
  : O extends { responses: { 201: { content: { 'application/json': infer T } } } }
    ? T
    : never
export type ResponseOf<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'patch'> = Json<paths[P][M]>

/** The JSON body an operation takes (the document's request body, from the route's field table). */
export type BodyOf<P extends keyof paths, M extends 'post' | 'put' | 'patch'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer T } }
}
  ? T
  : never

/** Every value of a union of strings, in the order written: the type check fails when the
 *  document's enum gains a value the list lacks, or loses one it has. */
export function allOf<T extends string>(values: Record<T, true>): T[] {
  return Object.keys(values) as T[]
}

export type Role = S['User']['role']

export const ROLES = allOf<Role>({
  admin: true,
  director: true,
  team_lead: true,
  account_manager: true,
  finance: true,
  service: true,
  hr: true,
  legal: true,
  viewer: true,
})

export type Tier = S['Account']['tier']
export const TIERS = allOf<Tier>({ strategic: true, key: true, growth: true, maintain: true })

export type AccountStatus = S['Account']['status']
export const ACCOUNT_STATUSES = allOf<AccountStatus>({
  prospect: true,
  active: true,
  dormant: true,
  lost: true,
})

export type DecisionRole = S['Contact']['decision_role']
export const DECISION_ROLES = allOf<DecisionRole>({
  decision_maker: true,
  influencer: true,
  champion: true,
  user: true,
  gatekeeper: true,
  other: true,
})

export type DeptRole = S['AccountMember']['dept_role']
export const DEPT_ROLES = allOf<DeptRole>({
  sales: true,
  marketing: true,
  technical: true,
  production: true,
  service: true,
})

export type AccountSort = 'name' | 'code' | 'updated_at' | 'id'
export type ContactSort = 'name' | 'id' | 'influence'

/** A page of a list: every "[X]" answer of the document ({items: [X], next_cursor}). */
export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export type User = S['User']

/** GET /me: the user, their row of the server's permission table (src/svc/core/policy.c) and
 *  their capabilities (src/permissions.ts reads them). */
export type Me = S['Me']
export type PermissionRow = Pick<Me, 'permissions' | 'capabilities'>

export type Session = S['Session']
export type Team = S['Team']
/** amount in minor units (fen / cents) */
export type Money = S['Money']
export type Account = S['Account']
export type AccountDetail = S['AccountDetail']

export type AccountInput = BodyOf<'/api/v1/accounts/{id}', 'patch'>

export interface AccountQuery {
  q?: string
  limit?: number
  cursor?: string
  sort?: string
  tier?: Tier
  owner_id?: number
  region?: string
  channel?: string
  status?: AccountStatus
  parent_id?: number
}

export type Facet = S['Facet']
export type AccountSummary = S['AccountSummary']
export type Member = S['AccountMember']
/** stale: a decision maker or champion not contacted within the tier's freshness days */
export type Contact = S['Contact']

export type ContactInput = BodyOf<'/api/v1/contacts/{id}', 'patch'>

export type UserInput = BodyOf<'/api/v1/users/{id}', 'patch'>

export type TeamInput = BodyOf<'/api/v1/teams/{id}', 'patch'>

export type AuditEntity =
  | 'account'
  | 'contact'
  | 'account_member'
  | 'user'
  | 'team'
  | 'token'
  | 'interaction'
  | 'visit'
  | 'issue'
  | 'care'

/** changes is {field: [before, after]}; the document can only say "an object" (no map type in
 *  the shapes), so the pairs are spelt out here. */
export type AuditRow = Omit<S['AuditEntry'], 'changes'> & { changes: Record<string, [unknown, unknown]> }

export type ApiErrorBody = S['Error']

// ---------------------------------------------------------------- relationships (issue 5)

export type InteractionKind = S['Interaction']['kind']
/** The kinds logged by hand ("care" is logged by a care reminder). */
export type LoggableKind = NonNullable<InteractionInput['kind']>
export const INTERACTION_KINDS = allOf<LoggableKind>({
  meeting: true,
  call: true,
  email: true,
  visit: true,
  material: true,
})
/** Every kind a timeline shows. */
export const TIMELINE_KINDS = allOf<InteractionKind>({
  meeting: true,
  call: true,
  email: true,
  visit: true,
  material: true,
  care: true,
})

export type MaterialType = NonNullable<S['Interaction']['material_type']>
export const MATERIAL_TYPES = allOf<MaterialType>({
  industry_trends: true,
  market_news: true,
  product_info: true,
  technology: true,
  other: true,
})

export type Interaction = S['Interaction']

export type InteractionInput = BodyOf<'/api/v1/interactions/{id}', 'patch'>

/** A stale key person (GET /stale-contacts): the contact plus where and how long. */
export type StaleContact = S['StaleContact']

export type Freshness = S['Freshness']

export type VisitKind = S['Visit']['kind']
export const VISIT_KINDS = allOf<VisitKind>({ onsite: true, phone: true })
export type VisitStatus = S['Visit']['status']
export const VISIT_STATUSES = allOf<VisitStatus>({ planned: true, done: true, cancelled: true })

export type CadenceRule = S['Cadence']

export type CadenceInput = BodyOf<'/api/v1/cadences/{id}', 'patch'>

export type Visit = S['Visit']

export type VisitInput = BodyOf<'/api/v1/visits/{id}', 'patch'>

export type VisitCompletion = BodyOf<'/api/v1/visits/{id}/complete', 'post'>

export interface VisitQuery {
  owner_id?: number
  account_id?: number
  status?: VisitStatus
  from?: string
  to?: string
  overdue?: 1
  limit?: number
  cursor?: string
}

export type IssueCategory = S['Issue']['category']
export const ISSUE_CATEGORIES = allOf<IssueCategory>({
  quality: true,
  delivery: true,
  billing: true,
  service: true,
  technical: true,
  suggestion: true,
  other: true,
})
export type IssueSeverity = S['Issue']['severity']
export const ISSUE_SEVERITIES = allOf<IssueSeverity>({ critical: true, high: true, medium: true, low: true })
export type IssueStatus = S['Issue']['status']
export const ISSUE_STATUSES = allOf<IssueStatus>({
  open: true,
  in_progress: true,
  resolved: true,
  confirmed: true,
})

export type Issue = S['Issue']

export type IssueInput = BodyOf<'/api/v1/issues/{id}', 'patch'>

export interface IssueQuery {
  account_id?: number
  status?: IssueStatus
  assignee_id?: number
  escalated?: 0 | 1
  limit?: number
  cursor?: string
}

export type IssueTeamStats = S['IssueTeamStats']

export type SlaRule = S['SlaRule']

export type AppNotification = S['Notification']
export type CalendarToken = S['CalendarToken']
export type CalendarUrl = S['CalendarUrl']

// ---- Care (F2.4)
export type CareStatus = S['CareReminder']['status']
export const CARE_STATUSES = allOf<CareStatus>({ pending: true, sent: true, done: true, skipped: true })
export type CareOccasionKind = S['CareOccasion']['kind']
export const CARE_OCCASION_KINDS = allOf<CareOccasionKind>({ festival: true, birthday: true, special: true })
/** The channels of a greeting done by hand (POST /care/:id/done); "email" is the sent one. */
export type CareChannel = BodyOf<'/api/v1/care/{id}/done', 'post'>['channel']
export const CARE_CHANNELS = allOf<CareChannel>({ call: true, gift: true, visit: true, other: true })
export const FESTIVAL_KEYS = [
  'spring_festival', 'lantern', 'qingming', 'dragon_boat', 'qixi', 'mid_autumn', 'double_ninth',
  'national_day', 'new_year', 'labour_day', 'christmas', 'chuxi', 'dongzhi', 'laba', 'xiaonian',
] as const
export type FestivalKey = (typeof FESTIVAL_KEYS)[number]

export type CareReminder = S['CareReminder']

export interface CareQuery {
  owner_id?: number | 'me'
  account_id?: number
  status?: CareStatus
  from?: string
  to?: string
  limit?: number
  cursor?: string
}

export type CareOccasion = S['CareOccasion']
export type CareOccasionInput = BodyOf<'/api/v1/care-occasions/{id}', 'patch'>

export type TemplateLocale = S['MessageTemplate']['locale']
export type TemplateOccasion = S['MessageTemplate']['occasion']
export const TEMPLATE_OCCASIONS = allOf<TemplateOccasion>({
  birthday: true,
  festival: true,
  special: true,
  any: true,
})
export type MessageTemplate = S['MessageTemplate']
export type MessageTemplateInput = BodyOf<'/api/v1/message-templates/{id}', 'patch'>

// ---- Prospects and valuation (F2.1, F1.2)
export type AccountSource = NonNullable<S['Account']['source']>
export const ACCOUNT_SOURCES = allOf<AccountSource>({
  market_research: true,
  trade_show: true,
  referral: true,
  other: true,
})
export type Screening = NonNullable<S['Account']['screening']>

export type ScoringCriterion = S['Criterion']

export type Contribution = S['Contribution']

export type TierChange = S['TierChange']

export type Valuation = S['Valuation']

export type Assessment = BodyOf<'/api/v1/accounts/{id}/valuation', 'patch'>

export type TierThresholds = S['TierThresholds']

export type ValuationPreview = S['ValuationPreview']
export type PreviewChange = ValuationPreview['changes'][number]
