// What a role may do, from the role table of docs/API.md. The server decides; the UI only
// avoids offering what would be refused. "In scope" is not checked here: the API lists only
// records in the caller's scope, so a record a team lead or account manager can see is one
// they may change.
import type { Role, User } from '@/api/types'

const ACCOUNT_WRITE: Role[] = ['admin', 'director', 'team_lead', 'account_manager']
const CONTACT_WRITE: Role[] = [...ACCOUNT_WRITE, 'service']
const ACCOUNT_DELETE: Role[] = ['admin', 'director', 'team_lead']
const PEOPLE_WRITE: Role[] = ['admin', 'hr']
// Interactions, visits and issues (docs/API.md "Relationships"): written by admin/director and, in
// scope, by team leads, account managers and service; finance and viewer read; hr sees none.
const RELATION_WRITE: Role[] = ['admin', 'director', 'team_lead', 'account_manager', 'service']
const INTERACTION_DELETE: Role[] = ['admin', 'director', 'team_lead', 'account_manager']
const ISSUE_DELETE: Role[] = ['admin', 'director', 'team_lead']
const CONFIG_WRITE: Role[] = ['admin', 'director']
/** Roles that look after other people's work (calendar of someone else, SLA statistics). */
const SUPERVISE: Role[] = ['admin', 'director', 'team_lead']

// Volume growth (issue 6), src/svc/policy.c: products and exchange rates are read by every role
// but hr and changed by admin, director and finance; sales are read in scope by all but hr;
// every import needs the import right (admin, director, finance: the imports screen, the list
// of past imports), and importing accounts also account create (so admin and director). Target
// plans: read by all but service and hr, written by admin and director, approved by the director
// only; proposals from leads and account managers in scope; 4P measures written in scope by
// admin, director, team leads and account managers.
const PRODUCT_WRITE: Role[] = ['admin', 'director', 'finance']
const IMPORT_DATA: Role[] = ['admin', 'director', 'finance']
const TARGET_READ: Role[] = ['admin', 'director', 'finance', 'team_lead', 'account_manager', 'viewer']
const TARGET_WRITE: Role[] = ['admin', 'director']
const PROPOSAL_WRITE: Role[] = ['admin', 'director', 'team_lead', 'account_manager']
const MEASURE_WRITE: Role[] = ['admin', 'director', 'team_lead', 'account_manager']
const MEASURE_DELETE: Role[] = ['admin', 'director', 'team_lead']

function has(user: User | null | undefined, roles: Role[]): boolean {
  return !!user && roles.includes(user.role)
}

export const can = {
  readAccounts: (u: User | null | undefined) => !!u && u.role !== 'hr',
  createAccount: (u: User | null | undefined) => has(u, ACCOUNT_WRITE),
  editAccount: (u: User | null | undefined) => has(u, ACCOUNT_WRITE),
  deleteAccount: (u: User | null | undefined) => has(u, ACCOUNT_DELETE),
  manageMembers: (u: User | null | undefined) => has(u, ACCOUNT_WRITE),
  editContacts: (u: User | null | undefined) => has(u, CONTACT_WRITE),
  readPeople: (u: User | null | undefined) => !!u,
  /** Timeline, visits and issues of the accounts in scope. */
  readRelationships: (u: User | null | undefined) => !!u && u.role !== 'hr',
  logInteraction: (u: User | null | undefined) => has(u, RELATION_WRITE),
  deleteInteraction: (u: User | null | undefined) => has(u, INTERACTION_DELETE),
  planVisits: (u: User | null | undefined) => has(u, RELATION_WRITE),
  /** Plan visits for someone else (the server checks that they are managed by the caller). */
  assignVisits: (u: User | null | undefined) => has(u, SUPERVISE),
  /** Look at someone else's calendar. */
  otherCalendars: (u: User | null | undefined) => has(u, [...SUPERVISE, 'finance', 'viewer']),
  editIssues: (u: User | null | undefined) => has(u, RELATION_WRITE),
  deleteIssue: (u: User | null | undefined) => has(u, ISSUE_DELETE),
  /** SLA statistics per team (leads and the director). */
  issueStats: (u: User | null | undefined) => has(u, SUPERVISE),
  /** Cadence rules, SLA rules and freshness days. */
  editConfig: (u: User | null | undefined) => has(u, CONFIG_WRITE),
  /** Care reminders (send a greeting, done by hand, skip): like visits. */
  care: (u: User | null | undefined) => has(u, RELATION_WRITE),
  /** Users and teams administration screens (admin, hr). */
  administer: (u: User | null | undefined) => has(u, PEOPLE_WRITE),
  editPeople: (u: User | null | undefined) => has(u, PEOPLE_WRITE),
  /** Only an admin creates or changes an admin. */
  grantAdmin: (u: User | null | undefined) => has(u, ['admin']),
  /** History of users and teams: admin or hr. */
  readPeopleAudit: (u: User | null | undefined) => has(u, PEOPLE_WRITE),
  /** Volume dashboard, sales series and breakdowns (in scope). */
  readSales: (u: User | null | undefined) => !!u && u.role !== 'hr',
  readProducts: (u: User | null | undefined) => !!u && u.role !== 'hr',
  /** Products and exchange rates. */
  editProducts: (u: User | null | undefined) => has(u, PRODUCT_WRITE),
  /** Import orders and products. */
  importData: (u: User | null | undefined) => has(u, IMPORT_DATA),
  /** Import accounts: the import right and account create (each existing account in the file
   *  is updated only where the caller may). */
  importAccounts: (u: User | null | undefined) => has(u, IMPORT_DATA) && has(u, ACCOUNT_WRITE),
  /** The imports page and its menu entry: the import right. */
  imports: (u: User | null | undefined) => has(u, IMPORT_DATA),
  /** The list of past imports. */
  readImports: (u: User | null | undefined) => has(u, IMPORT_DATA),
  readTargets: (u: User | null | undefined) => has(u, TARGET_READ),
  /** Create, change, decompose, submit target plans; edit and lock cells. */
  editTargets: (u: User | null | undefined) => has(u, TARGET_WRITE),
  /** Approve a submitted plan: the director only. */
  approveTargets: (u: User | null | undefined) => has(u, ['director']),
  /** Bottom-up proposals for an account in scope. */
  proposeTargets: (u: User | null | undefined) => has(u, PROPOSAL_WRITE),
  readMeasures: (u: User | null | undefined) => !!u && u.role !== 'hr',
  editMeasures: (u: User | null | undefined) => has(u, MEASURE_WRITE),
  deleteMeasure: (u: User | null | undefined) => has(u, MEASURE_DELETE),
  /** Share-of-wallet estimates (account update). */
  editWallet: (u: User | null | undefined) => has(u, ACCOUNT_WRITE),
}

export type Capability = keyof typeof can
