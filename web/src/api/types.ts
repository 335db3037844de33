// Shapes of the KAM API v1 (docs/API.md is the contract).

export type Role =
  | 'admin'
  | 'director'
  | 'team_lead'
  | 'account_manager'
  | 'finance'
  | 'service'
  | 'hr'
  | 'viewer'

export const ROLES: Role[] = [
  'admin',
  'director',
  'team_lead',
  'account_manager',
  'finance',
  'service',
  'hr',
  'viewer',
]

export type Tier = 'strategic' | 'key' | 'growth' | 'maintain'
export const TIERS: Tier[] = ['strategic', 'key', 'growth', 'maintain']

export type AccountStatus = 'prospect' | 'active' | 'dormant' | 'lost'
export const ACCOUNT_STATUSES: AccountStatus[] = ['prospect', 'active', 'dormant', 'lost']

export type DecisionRole = 'decision_maker' | 'influencer' | 'user' | 'gatekeeper' | 'champion' | 'other'
export const DECISION_ROLES: DecisionRole[] = [
  'decision_maker',
  'influencer',
  'champion',
  'user',
  'gatekeeper',
  'other',
]

export type DeptRole = 'sales' | 'marketing' | 'technical' | 'production' | 'service'
export const DEPT_ROLES: DeptRole[] = ['sales', 'marketing', 'technical', 'production', 'service']

export type AccountSort = 'name' | 'code' | 'updated_at' | 'id'
export type ContactSort = 'name' | 'id' | 'influence'

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export interface User {
  id: number
  login: string
  name: string
  email: string
  role: Role
  team_id: number | null
  disabled: boolean
  digest?: boolean
  created_at: string
  updated_at: string
}

export interface Session {
  csrf_token: string
  user: User
  expires_at: string
}

export interface Team {
  id: number
  name: string
  parent_id: number | null
  manager_id: number | null
  created_at?: string
  updated_at?: string
}

export interface Money {
  amount: number // minor units (fen / cents)
  currency: string
}

export interface Account {
  id: number
  code: string
  name: string
  alias: string
  parent_id: number | null
  industry: string
  region: string
  channel: string
  employees: number | null
  revenue: Money | null
  owner_id: number
  tier: Tier
  status: AccountStatus
  source?: AccountSource | null
  referred_by?: string
  screening?: Screening | null
  screening_reason?: string
  screened_by?: number | null
  screened_at?: string | null
  tier_locked?: boolean
  version: number
  created_at: string
  updated_at: string
}

export interface AccountDetail extends Account {
  parent: { id: number; name: string } | null
  subsidiary_count: number
}

export interface AccountInput {
  code?: string
  name?: string
  alias?: string
  parent_id?: number | null
  industry?: string
  region?: string
  channel?: string
  employees?: number | null
  revenue?: Money | null
  owner_id?: number
  tier?: Tier
  status?: AccountStatus
  source?: AccountSource | null
  referred_by?: string
  tier_locked?: boolean
  version?: number
}

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

export interface Facet {
  value: string
  count: number
}

export interface AccountSummary {
  total: number
  by_tier: Record<Tier, number>
  by_status: Record<AccountStatus, number>
  regions: Facet[]
  channels: Facet[]
  industries: Facet[]
}

export interface Member {
  user_id: number
  login: string
  name: string
  dept_role: DeptRole
  created_at: string
}

export interface Contact {
  id: number
  account_id: number
  name: string
  title: string
  department: string
  decision_role: DecisionRole
  influence: number
  attitude: number
  reports_to_id: number | null
  phone: string
  email: string
  birthday: string | null
  last_contacted_at: string | null
  notes: string
  /** a decision maker or champion not contacted within the tier's freshness days */
  stale?: boolean
  version: number
  created_at: string
  updated_at: string
}

export interface ContactInput {
  name?: string
  title?: string
  department?: string
  decision_role?: DecisionRole
  influence?: number
  attitude?: number
  reports_to_id?: number | null
  phone?: string
  email?: string
  birthday?: string | null
  notes?: string
  version?: number
}

export interface UserInput {
  login?: string
  name?: string
  email?: string
  role?: Role
  team_id?: number | null
  disabled?: boolean
  password?: string
}

export interface TeamInput {
  name?: string
  parent_id?: number | null
  manager_id?: number | null
}

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

export interface AuditRow {
  id: number
  at: string
  user_id: number | null
  user_login: string
  entity: AuditEntity
  entity_id: number
  account_id: number | null
  action: 'create' | 'update' | 'delete' | string
  changes: Record<string, [unknown, unknown]>
}

export interface ApiErrorBody {
  error: { code: string; message: string; field: string }
}

// ---------------------------------------------------------------- relationships (issue 5)

export type InteractionKind = 'call' | 'email' | 'meeting' | 'visit' | 'material'
export const INTERACTION_KINDS: InteractionKind[] = ['meeting', 'call', 'email', 'visit', 'material']

export type MaterialType = 'industry_trends' | 'market_news' | 'product_info' | 'technology' | 'other'
export const MATERIAL_TYPES: MaterialType[] = ['industry_trends', 'market_news', 'product_info', 'technology', 'other']

export interface Interaction {
  id: number
  account_id: number
  user_id: number
  kind: InteractionKind
  subject: string
  notes: string
  material_type: MaterialType | null
  occurred_at: string
  visit_id: number | null
  contact_ids: number[]
  version: number
  created_at: string
  updated_at: string
}

export interface InteractionInput {
  kind?: InteractionKind
  subject?: string
  notes?: string
  material_type?: MaterialType | null
  occurred_at?: string
  contact_ids?: number[]
  version?: number
}

/** A stale key person (GET /stale-contacts): the contact plus where and how long. */
export interface StaleContact extends Contact {
  account_name: string
  tier: Tier
  days_since: number | null
}

export type Freshness = Record<Tier, number>

export type VisitKind = 'phone' | 'onsite'
export const VISIT_KINDS: VisitKind[] = ['onsite', 'phone']
export type VisitStatus = 'planned' | 'done' | 'cancelled'
export const VISIT_STATUSES: VisitStatus[] = ['planned', 'done', 'cancelled']

export interface CadenceRule {
  id: number
  tier: Tier
  decision_role: DecisionRole | null
  kind: VisitKind
  every_days: number
  active: boolean
}

export interface CadenceInput {
  tier?: Tier
  decision_role?: DecisionRole | null
  kind?: VisitKind
  every_days?: number
  active?: boolean
}

export interface Visit {
  id: number
  account_id: number
  account_name: string
  contact_id: number | null
  contact_name: string
  owner_id: number
  kind: VisitKind
  planned_at: string
  status: VisitStatus
  outcome: string
  next_steps: string
  completed_at: string | null
  interaction_id: number | null
  cadence_id: number | null
  overdue: boolean
  version: number
  created_at: string
  updated_at: string
}

export interface VisitInput {
  contact_id?: number | null
  kind?: VisitKind
  planned_at?: string
  owner_id?: number
  status?: 'cancelled' | 'planned'
  version?: number
}

export interface VisitCompletion {
  outcome: string
  next_steps: string
  contact_ids: number[]
  occurred_at?: string
}

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

export type IssueCategory = 'quality' | 'delivery' | 'billing' | 'service' | 'technical' | 'suggestion' | 'other'
export const ISSUE_CATEGORIES: IssueCategory[] = ['quality', 'delivery', 'billing', 'service', 'technical', 'suggestion', 'other']
export type IssueSeverity = 'low' | 'medium' | 'high' | 'critical'
export const ISSUE_SEVERITIES: IssueSeverity[] = ['critical', 'high', 'medium', 'low']
export type IssueStatus = 'open' | 'in_progress' | 'resolved' | 'confirmed'
export const ISSUE_STATUSES: IssueStatus[] = ['open', 'in_progress', 'resolved', 'confirmed']

export interface Issue {
  id: number
  account_id: number
  account_name?: string
  contact_id: number | null
  title: string
  description: string
  category: IssueCategory
  severity: IssueSeverity
  status: IssueStatus
  assignee_id: number | null
  reported_at: string
  response_due_at: string
  resolution_due_at: string
  first_response_at: string | null
  resolved_at: string | null
  confirmed_at: string | null
  escalated_at: string | null
  escalated_to: number | null
  version: number
  created_at: string
  updated_at: string
}

export interface IssueInput {
  title?: string
  description?: string
  category?: IssueCategory
  severity?: IssueSeverity
  assignee_id?: number | null
  contact_id?: number | null
  version?: number
}

export interface IssueQuery {
  account_id?: number
  status?: IssueStatus
  assignee_id?: number
  escalated?: 0 | 1
  limit?: number
  cursor?: string
}

export interface IssueTeamStats {
  team_id: number | null
  team_name: string
  issues: number
  responded: number
  responded_in_sla: number
  resolved: number
  resolved_in_sla: number
  response_sla_pct: number | null
  resolution_sla_pct: number | null
  median_response_hours: number | null
  median_resolution_hours: number | null
}

export interface SlaRule {
  id: number
  tier: Tier
  severity: IssueSeverity
  response_hours: number
  resolution_hours: number
}

export interface AppNotification {
  id: number
  kind: string
  title: string
  body: string
  link: string
  created_at: string
  read_at: string | null
}

// ---- Care (F2.4)
export type CareStatus = 'pending' | 'sent' | 'done' | 'skipped'
export const CARE_STATUSES: CareStatus[] = ['pending', 'sent', 'done', 'skipped']
export type CareOccasionKind = 'festival' | 'birthday' | 'special'
export const CARE_OCCASION_KINDS: CareOccasionKind[] = ['festival', 'birthday', 'special']
export type CareChannel = 'call' | 'gift' | 'visit' | 'other'
export const CARE_CHANNELS: CareChannel[] = ['call', 'gift', 'visit', 'other']
export const FESTIVAL_KEYS = [
  'spring_festival', 'lantern', 'qingming', 'dragon_boat', 'qixi', 'mid_autumn', 'double_ninth',
  'national_day', 'new_year', 'labour_day', 'christmas', 'chuxi', 'dongzhi', 'laba', 'xiaonian',
] as const
export type FestivalKey = (typeof FESTIVAL_KEYS)[number]

export interface CareReminder {
  id: number
  account_id: number
  account_name: string
  contact_id: number
  contact_name: string
  contact_email: string
  owner_id: number
  occasion_kind: CareOccasionKind
  occasion_key: string
  occasion_name: string
  occasion_date: string
  status: CareStatus
  channel: string | null
  note: string
  done_at: string | null
  interaction_id: number | null
  mail_status: string | null
  version: number
  created_at: string
}

export interface CareQuery {
  owner_id?: number | 'me'
  account_id?: number
  status?: CareStatus
  from?: string
  to?: string
  limit?: number
  cursor?: string
}

export interface CareOccasion {
  id: number
  kind: CareOccasionKind
  festival_key: string | null
  name: string
  month: number | null
  day: number | null
  days_before: number
  key_people_only: boolean
  active: boolean
}
export type CareOccasionInput = Partial<Omit<CareOccasion, 'id'>>

export type TemplateLocale = 'zh' | 'en'
export type TemplateOccasion = 'birthday' | 'festival' | 'special' | 'any'
export const TEMPLATE_OCCASIONS: TemplateOccasion[] = ['birthday', 'festival', 'special', 'any']
export interface MessageTemplate {
  id: number
  name: string
  locale: TemplateLocale
  occasion: TemplateOccasion
  subject: string
  body: string
}
export type MessageTemplateInput = Partial<Omit<MessageTemplate, 'id'>>

// ---- Prospects and valuation (F2.1, F1.2)
export type AccountSource = 'market_research' | 'trade_show' | 'referral' | 'other'
export const ACCOUNT_SOURCES: AccountSource[] = ['market_research', 'trade_show', 'referral', 'other']
export type Screening = 'accepted' | 'rejected'

export interface ScoringCriterion {
  id: number
  key: string
  name_zh: string
  name_en: string
  kind: 'manual' | 'computed'
  weight: number
  active: boolean
}

export interface Contribution {
  key: string
  name_zh: string
  name_en: string
  kind: 'manual' | 'computed'
  weight: number
  active: boolean
  value: number | null
  points: number
}

export interface TierChange {
  from_tier: Tier | null
  to_tier: Tier
  score: number | null
  reason: 'score' | 'manual' | string
  user_id: number | null
  at: string
}

export interface Valuation {
  account_id: number
  score: number | null
  tier: Tier
  suggested_tier: Tier | null
  tier_locked: boolean
  computed_at: string | null
  contributions: Contribution[]
  history: TierChange[]
}

export interface Assessment {
  business_scale?: number
  market_position?: number
  growth_potential?: number
  note?: string
}

export interface TierThresholds {
  strategic: number
  key: number
  growth: number
}

export interface PreviewChange {
  account_id: number
  name: string
  tier: Tier
  new_tier: Tier
  score: number | null
  new_score: number | null
}
export interface ValuationPreview {
  accounts_scored: number
  changes: PreviewChange[]
}
