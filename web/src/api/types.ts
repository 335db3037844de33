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

export type AuditEntity = 'account' | 'contact' | 'account_member' | 'user' | 'team' | 'token'

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
