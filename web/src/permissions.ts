// What the UI offers to whom. The server decides, from its permission table
// (src/svc/core/policy.c, the only copy); GET /api/v1/me serves the caller's own row of it:
//   permissions:  {"<object>": {read, create, update, delete: "all" | "scope" | "none"}, ...}
//   capabilities: {"<name>": boolean, ...}, role-level abilities that are not grants
// and the UI only avoids offering what would be refused. "In scope" is not checked here: the
// API lists only records in the caller's scope, so a record a team lead or account manager can
// see is one they may change ("scope" counts as a yes).
import type { PermissionRow } from '@/api/types'

/** The objects of the permission table, as obj_name() in src/svc/core/policy.c names them. */
export type PermissionObject = keyof PermissionRow['permissions']
export type Act = keyof PermissionRow['permissions'][PermissionObject]
/** "all", "scope" (records in the caller's scope) or "none" */
export type Grant = PermissionRow['permissions'][PermissionObject][Act]
/** The role-level capabilities the server names in GET /me. */
export type CapabilityName = keyof PermissionRow['capabilities']

/** The caller's row (GET /api/v1/me), or null before it is known: then nothing is offered. */
export type Row = PermissionRow | null | undefined

/** Does the row grant the action on the object at all (everywhere or in scope)? */
export function may(r: Row, obj: PermissionObject, act: Act): boolean {
  const g: Grant | undefined = r?.permissions?.[obj]?.[act]
  return g === 'all' || g === 'scope'
}

/** A role-level capability of the row's "capabilities" (false when absent). */
function has(r: Row, name: CapabilityName): boolean {
  return r?.capabilities?.[name] === true
}

export const can = {
  readAccounts: (r: Row) => may(r, 'account', 'read'),
  createAccount: (r: Row) => may(r, 'account', 'create'),
  editAccount: (r: Row) => may(r, 'account', 'update'),
  deleteAccount: (r: Row) => may(r, 'account', 'delete'),
  manageMembers: (r: Row) => may(r, 'account_member', 'create'),
  editContacts: (r: Row) => may(r, 'contact', 'update'),
  readPeople: (r: Row) => may(r, 'user', 'read'),
  /** Timeline, visits and issues of the accounts in scope. */
  readRelationships: (r: Row) => may(r, 'interaction', 'read'),
  logInteraction: (r: Row) => may(r, 'interaction', 'create'),
  deleteInteraction: (r: Row) => may(r, 'interaction', 'delete'),
  planVisits: (r: Row) => may(r, 'visit', 'create'),
  /** Plan visits for someone else (the server checks that they are managed by the caller). */
  assignVisits: (r: Row) => may(r, 'visit', 'create') && has(r, 'plan_visits_for_others'),
  /** Look at someone else's calendar. */
  otherCalendars: (r: Row) => may(r, 'visit', 'read') && has(r, 'see_others_calendars'),
  editIssues: (r: Row) => may(r, 'issue', 'update'),
  deleteIssue: (r: Row) => may(r, 'issue', 'delete'),
  /** SLA statistics per team. */
  issueStats: (r: Row) => may(r, 'issue', 'read') && has(r, 'see_sla_stats'),
  /** Cadence rules, SLA rules and freshness days. */
  editConfig: (r: Row) => may(r, 'config', 'update'),
  /** Care reminders (send a greeting, done by hand, skip). */
  care: (r: Row) => may(r, 'care', 'update'),
  /** Users and teams administration screens. */
  administer: (r: Row) => may(r, 'user', 'update') || may(r, 'team', 'update'),
  editPeople: (r: Row) => may(r, 'user', 'update'),
  /** Create or change an administrator. */
  grantAdmin: (r: Row) => may(r, 'user', 'update') && has(r, 'grant_admin'),
  /** History of users and teams (GET /audit?entity=user|team checks user update). */
  readPeopleAudit: (r: Row) => may(r, 'user', 'update'),
  /** Volume dashboard, sales series and breakdowns (in scope). */
  readSales: (r: Row) => may(r, 'sales', 'read'),
  readProducts: (r: Row) => may(r, 'product', 'read'),
  /** Products and exchange rates. */
  editProducts: (r: Row) => may(r, 'product', 'update'),
  /** Import orders and products. */
  importData: (r: Row) => may(r, 'import', 'create'),
  /** Import accounts: the import right and account create (each existing account in the file
   *  is updated only where the caller may). */
  importAccounts: (r: Row) => may(r, 'import', 'create') && may(r, 'account', 'create'),
  /** The imports page and its menu entry: the import right. */
  imports: (r: Row) => may(r, 'import', 'create'),
  /** The list of past imports. */
  readImports: (r: Row) => may(r, 'import', 'read'),
  readTargets: (r: Row) => may(r, 'target', 'read'),
  /** Create, change, decompose, submit target plans; edit and lock cells. */
  editTargets: (r: Row) => may(r, 'target', 'update'),
  /** Approve a submitted plan (POST /targets/:id/approve checks target_approval update). */
  approveTargets: (r: Row) => may(r, 'target_approval', 'update'),
  /** Bottom-up proposals for an account in scope. */
  proposeTargets: (r: Row) => may(r, 'target_proposal', 'update'),
  readMeasures: (r: Row) => may(r, 'measure', 'read'),
  editMeasures: (r: Row) => may(r, 'measure', 'update'),
  deleteMeasure: (r: Row) => may(r, 'measure', 'delete'),
  /** Share-of-wallet estimates (account update). */
  editWallet: (r: Row) => may(r, 'account', 'update'),
  /** Survey definitions (issue 14): read them, build and change them, delete them. */
  readSurveys: (r: Row) => may(r, 'survey', 'read'),
  buildSurveys: (r: Row) => may(r, 'survey', 'update'),
  deleteSurveys: (r: Row) => may(r, 'survey', 'delete'),
  /** Send a survey to contacts of accounts in scope (links), remind, reissue. */
  sendSurveys: (r: Row) => may(r, 'survey_link', 'create'),
  readSurveyLinks: (r: Row) => may(r, 'survey_link', 'read'),
  /** One respondent's answers and comments (personal data: not finance, hr or viewers). */
  readResponses: (r: Row) => may(r, 'survey_response', 'read'),
  /** Type in answers taken by phone. */
  enterResponses: (r: Row) => may(r, 'survey_response', 'create'),
  /** NPS, CSAT and driver scores (aggregates). */
  readSatisfaction: (r: Row) => may(r, 'satisfaction', 'read'),
  /** Department follow-ups of low scores, and hand-offs. */
  readFollowUps: (r: Row) => may(r, 'follow_up', 'read'),
  editFollowUps: (r: Row) => may(r, 'follow_up', 'update'),
  handOff: (r: Row) => may(r, 'follow_up', 'create'),
  /** Price lists, promotions, rebates and quotes (issue 15): every role reads them. */
  readPrices: (r: Row) => may(r, 'pricing', 'read'),
  editPrices: (r: Row) => may(r, 'pricing', 'update'),
  /** The account team (issue 18): the competency model and role profiles, candidates, the
   *  training catalogue, scorecards and appraisal schemes, payout statements and commission
   *  plans. A person's own records (scope) count: an account manager reads their own. */
  readCompetencies: (r: Row) => may(r, 'competency', 'read'),
  readCandidates: (r: Row) => may(r, 'candidate', 'read'),
  readCourses: (r: Row) => may(r, 'course', 'read'),
  readScorecards: (r: Row) => may(r, 'scorecard', 'read'),
  readSchemes: (r: Row) => may(r, 'scheme', 'read'),
  readPayouts: (r: Row) => may(r, 'payout', 'read'),
  readCommission: (r: Row) => may(r, 'commission', 'read'),
  /** "My performance": whoever has personal records of their own here. */
  readOwnPerformance: (r: Row) => may(r, 'scorecard', 'read') || may(r, 'payout', 'read') || may(r, 'enrolment', 'read'),
}

export type Capability = keyof typeof can
