// What the history shows for each audited field: its label (a message key) and how to format
// its values. ONE table per audited entity (the `entity` of audit_write / update_spec in
// src/svc), with COMMON for the fields that mean the same everywhere.
//
// A new chapter that audits a new entity adds its block to AUDIT_FIELDS (and, for labels it
// does not reuse, keys under `audit.f.*` in its own locale files, all three languages); a
// field missing here still shows, under `audit.f.<field>` or its raw name, which the browser
// test t_history.mjs reports (it checks every field the services write has an entry).
//
// Types:
//   text      as stored                        int       a locale-formatted integer
//   year      2026 (no grouping)               dec3      thousandths (quantities) -> 12.5
//   money     minor units; the currency is the field named by `currency`, else the row's
//             `currency` (the server names it for wallet rows), else the base currency
//   date      "YYYY-MM-DD"                     time      an ISO time, in the user's zone
//   epochDay  days since 1970-01-01            bool      0/1 or true/false -> 是/否
//   enum      a code translated through the message group `enum` (`enum.<code>`)
//   user      a user id -> name                team      a team id -> name
//   contact   a contact id -> name             contacts  [ids] -> names
//   account   an account id -> name (when the screen knows it)
//   minutes   60 -> "60 分钟"                  meters    "15 m"
//   coord     a coordinate as exact decimal text
//   micro     millionths (exchange rates)      pct       a percentage
//   secret    never shown ("changed")          ref       an id of another record (#12)
//   blend     a target plan's blend ("last_year:60,forecast:40") in words
//   major     whole units of the row's measure: money in the row's currency when the row says
//             its measure is `amount`, a plain number otherwise (targets, 4P measures)
//   count     a list stored as JSON, shown as how many it holds (a contract's obligations)
// An assessment's fields are the scoring criteria's keys (named from the criteria list).
import { ref } from 'vue'
import { valuationApi } from '@/api'
import type { ScoringCriterion } from '@/api/types'

export type AuditFieldType =
  | 'text'
  | 'int'
  | 'year'
  | 'dec3'
  | 'money'
  | 'date'
  | 'time'
  | 'epochDay'
  | 'bool'
  | 'enum'
  | 'user'
  | 'users'
  | 'team'
  | 'contact'
  | 'contacts'
  | 'account'
  | 'minutes'
  | 'meters'
  | 'coord'
  | 'micro'
  | 'pct'
  | 'secret'
  | 'ref'
  | 'blend'
  | 'major'
  | 'count'

export interface AuditFieldSpec {
  type: AuditFieldType
  /** Message key of the label; default `audit.f.<field>`. */
  label?: string
  /** type enum: the message group of the codes. */
  enum?: string
  /** type enum: appended to `<enum>.<code>` where the word is one level down (signal.<key>.name). */
  enumSuffix?: string
  /** type money: the field of the same row holding the currency. */
  currency?: string
  /** Shown inside the money field's line instead of on its own (a currency beside its amount). */
  hidden?: boolean
}

const F = (type: AuditFieldType, more: Partial<AuditFieldSpec> = {}): AuditFieldSpec => ({ type, ...more })

/** Fields that read the same on every record. */
export const COMMON: Record<string, AuditFieldSpec> = {
  name: F('text'),
  title: F('text'),
  note: F('text'),
  notes: F('text'),
  description: F('text'),
  subject: F('text'),
  email: F('text'),
  phone: F('text'),
  code: F('text'),
  active: F('bool'),
  disabled: F('bool'),
  owner_id: F('user'),
  user_id: F('user'),
  manager_id: F('user'),
  assignee_id: F('user'),
  escalated_to: F('user'),
  team_id: F('team'),
  account_id: F('account'),
  contact_id: F('contact'),
  contact_ids: F('contacts'),
  reports_to_id: F('contact'),
  plan_id: F('ref'),
  interaction_id: F('ref'),
  cadence_id: F('ref'),
  visit_id: F('ref'),
  version: F('ref'),
  year: F('year'),
  tier: F('enum', { enum: 'tier' }),
  channel: F('enum', { enum: 'channel' }),
  industry: F('enum', { enum: 'industry' }),
  region: F('enum', { enum: 'region' }),
  decision_role: F('enum', { enum: 'decisionRole' }),
  dept_role: F('enum', { enum: 'deptRole' }),
  role: F('enum', { enum: 'role' }),
  currency: F('text'),
  created_at: F('time'),
  updated_at: F('time'),
}

export const AUDIT_FIELDS: Record<string, Record<string, AuditFieldSpec>> = {
  account: {
    alias: F('text'),
    parent_id: F('ref', { label: 'audit.f.parent_account' }),
    status: F('enum', { enum: 'status' }),
    employees: F('int'),
    revenue_amount: F('money', { currency: 'revenue_currency', label: 'account.revenue' }),
    revenue_currency: F('text', { hidden: true }),
    tier_locked: F('bool'),
    source: F('text'),
    referred_by: F('text'),
    score: F('int'),
    screening: F('enum', { enum: 'audit.screening' }),
    screening_reason: F('text'),
  },
  account_member: { dept_role: F('enum', { enum: 'deptRole' }) },
  assessment: { score: F('int') },
  contact: {
    department: F('text'),
    influence: F('int'),
    attitude: F('enum', { enum: 'attitude' }),
    birthday: F('date'),
    last_contacted_at: F('time'),
  },
  interaction: {
    kind: F('enum', { enum: 'interaction.kinds' }),
    material_type: F('enum', { enum: 'interaction.materials' }),
    occurred_at: F('time'),
  },
  visit: {
    kind: F('enum', { enum: 'visit.kinds' }),
    status: F('enum', { enum: 'visit.statuses' }),
    planned_at: F('time'),
    completed_at: F('time'),
    outcome: F('text'),
    next_steps: F('text'),
    duration_min: F('minutes'),
    place: F('text'),
    purpose: F('text'),
    checkin_lat: F('coord'),
    checkin_lon: F('coord'),
    checkin_accuracy_m: F('meters'),
    checkin_at: F('time'),
    'learnings.how_used': F('text', { label: 'needs.howUsed' }),
    'learnings.works': F('text', { label: 'needs.works' }),
    'learnings.fails': F('text', { label: 'needs.fails' }),
  },
  cadence: {
    kind: F('enum', { enum: 'visit.kinds' }),
    every_days: F('int'),
  },
  issue: {
    status: F('enum', { enum: 'issue.statuses' }),
    to: F('enum', { enum: 'issue.statuses' }),
    category: F('enum', { enum: 'issue.categories' }),
    severity: F('enum', { enum: 'issue.severities' }),
    response_due_at: F('time'),
    resolution_due_at: F('time'),
    escalated_at: F('time'),
  },
  // needs and interviews (issue 14; labels and enum words in locales/*/needs.json)
  need: {
    category: F('enum', { enum: 'needs.categories', label: 'needs.category' }),
    pain_point: F('text', { label: 'needs.painPoint' }),
    expectation: F('text', { label: 'needs.expectation' }),
    priority: F('enum', { enum: 'needs.priorities', label: 'needs.priority' }),
    status: F('enum', { enum: 'needs.statuses', label: 'needs.status' }),
    source: F('enum', { enum: 'needs.sources', label: 'needs.source' }),
    due_on: F('date', { label: 'needs.due' }),
    addressed_kind: F('enum', { enum: 'needs.kinds', label: 'needs.addressedBy' }),
    addressed_id: F('ref', { label: 'needs.addressedId' }),
    interview_id: F('ref', { label: 'needs.interview' }),
  },
  // opportunities (issue 15; labels in locales/*/opportunities.json); the default stages' codes in
  // words (the opportunity page names any stage from the stage table), the amount with its
  // currency (the server records the currency beside a changed amount), products as "SKU ×qty
  // =amount CUR" text and needs by their descriptions (svc/offers/opportunity.c)
  opportunity: {
    name: F('text', { label: 'opp.name' }),
    stage: F('enum', { enum: 'opp.stageCodes', label: 'opp.stage' }),
    owner_id: F('user', { label: 'opp.owner' }),
    amount: F('money', { currency: 'currency', label: 'opp.amount' }),
    currency: F('text', { label: 'opp.currency', hidden: true }),
    quantity: F('dec3', { label: 'opp.quantity' }),
    close_month: F('text', { label: 'audit.f.close_month' }),
    probability_bp: F('int', { label: 'audit.f.probability_bp' }),
    competitors: F('text', { label: 'opp.competitors' }),
    outcome_reason: F('text', { label: 'audit.f.outcome_reason' }),
    closed_at: F('time', { label: 'audit.f.closed_at' }),
    products: F('text', { label: 'opp.products' }),
    need_ids: F('text', { label: 'audit.f.need_ids' }),
  },
  // a survey response (issue 14, survey-answer): who, which link, how many answers -- never
  // the answers themselves (personal data, erasable; svc/needs/survey_answer.c)
  survey_response: {
    survey_id: F('ref', { label: 'audit.f.survey_id' }),
    link_id: F('ref', { label: 'audit.f.link_id' }),
    lang: F('text', { label: 'surveyAnswer.lang' }),
    answers: F('int', { label: 'audit.f.answers' }),
    entered_by: F('user', { label: 'surveyAnswer.enteredBy' }),
  },
  // survey definitions, links and drivers (issue 14, surveys; labels in locales/*/surveys.json).
  // A link's token is never audited: a reissue or a reminder records "token" as changed only.
  survey: {
    title_zh_cn: F('text', { label: 'audit.f.title_zh_cn' }),
    title_zh_tw: F('text', { label: 'audit.f.title_zh_tw' }),
    title_en: F('text', { label: 'audit.f.title_en' }),
    intro_zh_cn: F('text', { label: 'audit.f.intro_zh_cn' }),
    intro_zh_tw: F('text', { label: 'audit.f.intro_zh_tw' }),
    intro_en: F('text', { label: 'audit.f.intro_en' }),
    status: F('enum', { enum: 'surveys.statuses', label: 'surveys.status' }),
    link_days: F('int', { label: 'surveys.linkDays' }),
    remind_days: F('int', { label: 'surveys.remindDays' }),
    max_reminders: F('int', { label: 'surveys.maxReminders' }),
    questions: F('int', { label: 'surveys.questions' }),
    questions_text: F('text', { label: 'audit.f.questions_text' }),
    links: F('int', { label: 'surveys.sent' }),
  },
  survey_link: {
    survey_id: F('ref', { label: 'audit.f.survey_id' }),
    channel: F('enum', { enum: 'surveys.channels', label: 'surveys.send.channel' }),
    lang: F('enum', { enum: 'surveys.langs', label: 'surveys.send.lang' }),
    expires_at: F('time', { label: 'surveys.links.expires' }),
    reminders: F('int', { label: 'surveys.links.reminders' }),
    token: F('secret', { label: 'audit.f.token' }),
  },
  survey_driver: {
    key: F('text', { label: 'audit.f.driver_key' }),
    label_zh_cn: F('text', { label: 'audit.f.label_zh_cn' }),
    label_zh_tw: F('text', { label: 'audit.f.label_zh_tw' }),
    label_en: F('text', { label: 'audit.f.label_en' }),
    dept_role: F('enum', { enum: 'deptRole', label: 'audit.f.dept_role' }),
    position: F('int', { label: 'audit.f.position' }),
    active: F('bool', { label: 'audit.f.active' }),
  },
  // department follow-ups (issue 14; labels and enum words in locales/*/followups.json). A
  // negative comment's text is never in its audit rows (svc/needs/follow_up.c diff_all).
  follow_up: {
    dept_role: F('enum', { enum: 'deptRole', label: 'followUps.dept' }),
    from_dept: F('enum', { enum: 'deptRole', label: 'followUps.fromDeptLabel' }),
    source: F('enum', { enum: 'followUps.sources', label: 'followUps.source' }),
    status: F('enum', { enum: 'followUps.statuses', label: 'followUps.status' }),
    title: F('text', { label: 'followUps.titleCol' }),
    detail: F('text', { label: 'followUps.detail' }),
    due_on: F('date', { label: 'followUps.due' }),
    action: F('text', { label: 'followUps.action' }),
    confirmation: F('text', { label: 'followUps.confirmation' }),
    reason: F('text', { label: 'followUps.reason' }),
    response_id: F('ref', { label: 'audit.f.response_id' }),
    question_id: F('ref', { label: 'audit.f.question_id' }),
    resolved_at: F('time', { label: 'audit.f.resolved_at' }),
    confirmed_at: F('time', { label: 'audit.f.confirmed_at' }),
  },
  // issue 15: the price engine's records (svc/offers/pricing.c, promotion.c)
  price_list: {
    valid_from: F('date', { label: 'pricing.f.valid_from' }),
    valid_to: F('date', { label: 'pricing.f.valid_to' }),
    scope: F('enum', { enum: 'pricing.scopes', label: 'pricing.f.scope' }),
    items: F('text', { label: 'pricing.f.items' }),
    items_changed: F('text', { label: 'pricing.f.items_changed' }),
  },
  promotion: {
    valid_from: F('date', { label: 'pricing.f.valid_from' }),
    valid_to: F('date', { label: 'pricing.f.valid_to' }),
    scope: F('enum', { enum: 'pricing.scopes', label: 'pricing.f.scope' }),
    all_products: F('bool', { label: 'pricing.f.all_products' }),
    discount_bp: F('int', { label: 'pricing.f.discount_bp' }),
    unit_price: F('money', { currency: 'currency', label: 'pricing.f.unit_price' }),
    products: F('text', { label: 'pricing.f.products' }),
  },
  rebate: {
    scope: F('enum', { enum: 'pricing.scopes', label: 'pricing.f.scope' }),
    tiers: F('text', { label: 'pricing.f.tiers' }),
  },
  interview: {
    held_on: F('date', { label: 'needs.heldOn' }),
    title: F('text', { label: 'needs.ivTitle' }),
    questions: F('text', { label: 'needs.questions' }),
    user_ids: F('users', { label: 'needs.ourSide' }),
    contact_ids: F('contacts', { label: 'needs.theirSide' }),
  },
  sla_rule: {
    severity: F('enum', { enum: 'issue.severities' }),
    response_hours: F('int'),
    resolution_hours: F('int'),
  },
  care: {
    status: F('enum', { enum: 'care.statuses' }),
    kind: F('enum', { enum: 'care.kinds' }),
    channel: F('enum', { enum: 'care.channels' }),
    occasion: F('text'),
    occasion_date: F('date'),
  },
  care_occasion: {
    kind: F('enum', { enum: 'care.kinds' }),
    month: F('int'),
    day: F('int'),
    days_before: F('int'),
    festival_key: F('enum', { enum: 'care.festivals' }),
    key_people_only: F('bool'),
  },
  message_template: {
    kind: F('enum', { enum: 'care.kinds' }),
    locale: F('text'),
    body: F('text'),
  },
  criterion: { weight: F('pct') },
  product: {
    sku: F('text'),
    family: F('text'),
    unit: F('text'),
    list_price: F('money', { currency: 'currency' }),
    unit_cost: F('money', { currency: 'currency', label: 'products.unitCost' }),
  },
  // issue 15: the catalogue (svc/offers/catalog.c)
  bundle: {
    price: F('money', { currency: 'currency', label: 'catalog.bundlePrice' }),
    items: F('text', { label: 'catalog.components' }),
  },
  service_item: {
    kind: F('enum', { enum: 'catalog.kinds', label: 'catalog.kind' }),
    unit: F('enum', { enum: 'catalog.units', label: 'catalog.unit' }),
    price: F('money', { currency: 'currency', label: 'catalog.unitPrice' }),
    unit_cost: F('money', { currency: 'currency', label: 'catalog.unitCost' }),
    sla: F('text', { label: 'catalog.sla' }),
  },
  // issue 16 REGISTER: the risk register and compliance (svc/risk/risk.c, gift.c; labels in
  // locales/<l>/risks.json and gifts.json). A risk's actions are audited under the risk.
  risk: {
    covers_group: F('bool'),
    category: F('enum', { enum: 'risks.categories', label: 'risks.category' }),
    likelihood: F('int'),
    impact: F('int'),
    response: F('enum', { enum: 'risks.responses' }),
    response_plan: F('text'),
    review_on: F('date'),
    status: F('enum', { enum: 'risks.statuses', label: 'risks.status' }),
    closed_reason: F('text'),
    source: F('enum', { enum: 'risks.sources', label: 'audit.f.risk_source' }),
    source_id: F('ref'),
    action_id: F('ref'),
    action: F('text'),
    action_owner_id: F('user'),
    action_due_on: F('date'),
    action_done: F('bool'),
  },
  gift: {
    kind: F('enum', { enum: 'gifts.kinds', label: 'audit.f.gift_kind' }),
    value: F('money', { currency: 'currency' }),
    currency: F('text', { hidden: true }),
    given_on: F('date'),
    given_by: F('user'),
    care_reminder_id: F('ref'),
    rule_id: F('ref'),
    status: F('enum', { enum: 'gifts.statuses', label: 'audit.f.gift_status' }),
    decision_note: F('text'),
    risk_id: F('ref'),
  },
  gift_rule: {
    kind: F('enum', { enum: 'gifts.kinds', label: 'audit.f.gift_kind' }),
    recipient_role: F('enum', { enum: 'decisionRole' }),
    max_value: F('money', { currency: 'currency' }),
    currency: F('text', { hidden: true }),
    approver_role: F('enum', { enum: 'gifts.approvers' }),
    forbidden: F('bool'),
  },
  gift_budget: {
    year: F('year', { label: 'audit.f.gift_year' }),
    amount: F('money', { currency: 'currency', label: 'audit.f.budget_amount' }),
    currency: F('text', { hidden: true }),
  },
  // issue 16: early-warning alerts and their rules (svc/risk/alert.c, alert_rule.c; labels in
  // locales/<l>/health.json)
  alert: {
    signal: F('enum', { enum: 'signal', enumSuffix: '.name', label: 'health.alerts.signal' }),
    severity: F('enum', { enum: 'health.severity', label: 'health.rules.severity' }),
    dept: F('enum', { enum: 'health.dept', label: 'health.alerts.dept' }),
    status: F('enum', { enum: 'health.status', label: 'health.alerts.status' }),
    value_milli: F('dec3', { label: 'health.alerts.value' }),
    threshold_milli: F('dec3', { label: 'health.alerts.threshold' }),
    acknowledged_by: F('user', { label: 'health.alerts.acknowledgedBy' }),
    acknowledged_at: F('time', { label: 'health.alerts.acknowledgedAt' }),
    response: F('text', { label: 'health.alerts.response' }),
    response_due: F('date', { label: 'health.alerts.responseDue' }),
    resolved_by: F('user', { label: 'health.alerts.resolvedBy' }),
    resolved_at: F('time', { label: 'health.alerts.resolvedAt' }),
    // the engine's resolutions (cleared, rule_disabled, signal_removed) in words, a person's as written
    resolution: F('enum', { enum: 'health.resolutions', label: 'health.alerts.resolution' }),
    risk_id: F('ref', { label: 'health.alerts.risk' }),
  },
  // issue 16: a churn model trained (svc/risk/churn_job.c; labels audit.f.* in
  // locales/<l>/churn.json)
  churn_model: {
    horizon_months: F('int', { label: 'audit.f.churn_horizon_months' }),
    drop_bp: F('int', { label: 'audit.f.churn_drop_bp' }),
    rows: F('int', { label: 'audit.f.churn_rows' }),
    positives: F('int', { label: 'audit.f.churn_positives' }),
    auc_bp: F('int', { label: 'audit.f.churn_auc_bp' }),
  },
  alert_rule: {
    signal: F('enum', { enum: 'signal', enumSuffix: '.name', label: 'health.alerts.signal' }),
    enabled: F('bool', { label: 'health.rules.enabled' }),
    threshold_milli: F('dec3', { label: 'health.rules.threshold' }),
    severity: F('enum', { enum: 'health.severity', label: 'health.rules.severity' }),
    dept: F('enum', { enum: 'health.dept', label: 'health.rules.dept' }),
    params: F('text', { label: 'health.rules.params' }),
  },
  // issue 16: credit and receivables (svc/risk/credit.c, receivable.c; labels in
  // locales/<l>/credit.json)
  credit_limit: {
    amount: F('money', { currency: 'currency', label: 'credit.limit' }),
    group_amount: F('money', { currency: 'currency', label: 'credit.groupLimit' }),
    terms_days: F('int', { label: 'credit.terms' }),
    note: F('text', { label: 'credit.note' }),
  },
  invoice: {
    invoice_no: F('text', { label: 'credit.invoiceNo' }),
    day: F('date', { label: 'credit.day' }),
    due_day: F('date', { label: 'credit.dueDay' }),
    amount: F('money', { currency: 'currency', label: 'credit.amount' }),
    paid: F('money', { currency: 'currency', label: 'audit.f.credit_paid' }),
  },
  payment: {
    payment_no: F('text', { label: 'credit.paymentNo' }),
    day: F('date', { label: 'credit.day' }),
    amount: F('money', { currency: 'currency', label: 'credit.amount' }),
    invoice_no: F('text', { label: 'credit.invoiceNo' }),
    applied_to: F('text', { label: 'credit.appliedTo' }),
    unapplied: F('money', { currency: 'currency', label: 'credit.unapplied' }),
  },
  credit_hold: {
    kind: F('enum', { enum: 'credit.holdKind', label: 'audit.f.credit_hold_kind' }),
    object_id: F('ref', { label: 'audit.f.credit_hold_object' }),
    status: F('enum', { enum: 'credit.holdStatus', label: 'credit.status' }),
    exposure: F('money', { label: 'credit.exposure' }),
    limit_amount: F('money', { label: 'credit.limit' }),
    note: F('text', { label: 'credit.note' }),
  },
  // issue 16: competitors, presence, moves (svc/risk/competitor.c; labels in
  // locales/<l>/competitors.json)
  competitor: {
    alias: F('text', { label: 'competitors.alias' }),
    website: F('text', { label: 'competitors.website' }),
    strengths: F('text', { label: 'competitors.strengths' }),
    weaknesses: F('text', { label: 'competitors.weaknesses' }),
  },
  competitor_presence: {
    competitor_id: F('ref', { label: 'competitors.competitor' }),
    family: F('text', { label: 'competitors.family' }),
    share_bp: F('int', { label: 'audit.f.competitor_share_bp' }),
    price_level: F('enum', { enum: 'competitors.priceLevels', label: 'competitors.priceLevel' }),
  },
  competitor_move: {
    competitor_id: F('ref', { label: 'competitors.competitor' }),
    family: F('text', { label: 'competitors.family' }),
    day: F('date', { label: 'competitors.day' }),
    kind: F('enum', { enum: 'competitors.moveKinds', label: 'competitors.moveKind' }),
    severity: F('enum', { enum: 'competitors.severities', label: 'competitors.severity' }),
  },
  // issue 17: contracts, breaches, disputes, lessons, documents (svc/contracts/*.c,
  // svc/core/document.c; words and labels in locales/<l>/contracts.json)
  contract: {
    covers_group: F('bool'),
    number: F('text', { label: 'audit.f.contract_number' }),
    kind: F('enum', { enum: 'contracts.kinds', label: 'audit.f.contract_kind' }),
    our_party: F('text'),
    their_party: F('text'),
    our_signatory: F('text'),
    their_signatory: F('text'),
    signatory_contact_id: F('contact'),
    signed_on: F('date'),
    starts_on: F('date'),
    ends_on: F('date'),
    auto_renew: F('bool'),
    renewal_months: F('int'),
    notice_days: F('int'),
    remind_days: F('int'),
    reminded_for: F('date'),
    price_list_id: F('ref'),
    payment_days: F('int'),
    sla_response_hours: F('int'),
    sla_resolution_hours: F('int'),
    status: F('enum', { enum: 'contracts.statuses', label: 'audit.f.contract_status' }),
    status_note: F('text'),
    renewed_to: F('ref'),
    revision: F('int'),
    effective_on: F('date'),
    obligations: F('count'),
  },
  contract_obligation: {
    contract_id: F('ref'),
    side: F('enum', { enum: 'contracts.sides', label: 'audit.f.obligation_side' }),
    kind: F('enum', { enum: 'contracts.obligationKinds', label: 'audit.f.obligation_kind' }),
    family: F('text'),
    measure: F('enum', { enum: 'contracts.measures', label: 'audit.f.obligation_measure' }),
    period: F('enum', { enum: 'contracts.periods', label: 'audit.f.obligation_period' }),
    target: F('int'),
    tolerance_bp: F('int'),
    days: F('int'),
    response_hours: F('int'),
    resolution_hours: F('int'),
    due_on: F('date'),
    recurrence: F('enum', { enum: 'contracts.recurrences', label: 'audit.f.obligation_recurrence' }),
    done_due_on: F('date'),
    done_on: F('date'),
    done_note: F('text'),
  },
  breach: {
    contract_id: F('ref'),
    obligation_id: F('ref'),
    occurrence: F('text'),
    status: F('enum', { enum: 'contracts.breachStatuses', label: 'audit.f.breach_status' }),
    severity: F('enum', { enum: 'contracts.severities', label: 'audit.f.breach_severity' }),
    at_stake: F('int'),
    measured: F('int'),
    expected: F('int'),
    reason: F('text'),
    action: F('text'),
    cured_at: F('time'),
  },
  dispute: {
    contract_id: F('ref'),
    breach_id: F('ref'),
    counterpart: F('text'),
    amount_claimed: F('money', { currency: 'currency' }),
    currency: F('text', { hidden: true }),
    our_position: F('text'),
    their_position: F('text'),
    arose_on: F('date'),
    limitation_on: F('date'),
    stage: F('enum', { enum: 'contracts.stages', label: 'audit.f.dispute_stage' }),
    outcome: F('enum', { enum: 'contracts.outcomes', label: 'audit.f.dispute_outcome' }),
    outcome_note: F('text'),
    settled_amount: F('money', { currency: 'currency' }),
    closed_on: F('date'),
    reported_by: F('user'),
    reported_to: F('user'),
  },
  dispute_stage: {
    dispute_id: F('ref'),
    stage: F('enum', { enum: 'contracts.stages', label: 'audit.f.dispute_stage' }),
    started_on: F('date'),
    ended_on: F('date'),
    deadline_on: F('date'),
    deadline_note: F('text'),
    forum: F('text'),
    participants: F('text'),
    cost: F('money'),
  },
  dispute_event: {
    dispute_id: F('ref'),
    day: F('date', { label: 'audit.f.event_day' }),
    kind: F('enum', { enum: 'contracts.eventKinds', label: 'audit.f.event_kind' }),
    text: F('text'),
    amount: F('money'),
  },
  lesson: {
    what_happened: F('text'),
    root_cause: F('text'),
    changes: F('text'),
    tags: F('text'),
    links: F('text'),
  },
  lesson_accountability: {
    lesson_id: F('ref'),
    decision: F('text'),
  },
  training_need: {
    lesson_id: F('ref'),
    topic: F('text'),
    detail: F('text'),
    audience_role: F('enum', { enum: 'role' }),
    status: F('enum', { enum: 'contracts.trainingStatuses', label: 'audit.f.training_status' }),
  },
  document: {
    owner_kind: F('enum', { enum: 'contracts.ownerKinds', label: 'audit.f.owner_kind' }),
    owner_id: F('ref'),
    mime: F('text'),
    size: F('int'),
    sha256: F('text'),
  },
  // issue 18: the account team (svc/team/*.c; labels in locales/<l>/team.json)
  competency: {
    code: F('text'),
    name_zh: F('text'),
    name_en: F('text'),
    description_zh: F('text'),
    description_en: F('text'),
    custom: F('bool'),
    active: F('bool'),
    levels: F('text'),
  },
  role_profile: {
    code: F('text'),
    name_zh: F('text'),
    name_en: F('text'),
    description: F('text'),
    active: F('bool'),
    levels: F('text'),
  },
  competency_assessment: {
    user_id: F('user'),
    assessor_id: F('user'),
    kind: F('enum', { enum: 'team.assessmentKinds', label: 'audit.f.assessment_kind' }),
    assessed_on: F('date'),
    note: F('text'),
    scores: F('text'),
  },
  candidate: {
    profile_id: F('ref'),
    user_id: F('user'),
    name: F('text'),
    contact: F('text'),
    source: F('text'),
    note: F('text'),
    status: F('enum', { enum: 'team.candidateStatuses', label: 'audit.f.candidate_status' }),
    decision_reason: F('text'),
    interviewer_id: F('user'),
    interview_scores: F('text'),
  },
  course: {
    code: F('text'),
    title: F('text'),
    topic: F('text'),
    format: F('enum', { enum: 'team.courseFormats' }),
    description: F('text'),
    active: F('bool'),
    competency_ids: F('text'),
  },
  training_session: {
    course_id: F('ref'),
    starts_on: F('date'),
    ends_on: F('date'),
    trainer_id: F('user'),
    trainer_name: F('text'),
    place: F('text'),
  },
  enrolment: {
    session_id: F('ref'),
    user_id: F('user'),
    status: F('enum', { enum: 'team.enrolmentStatuses', label: 'audit.f.enrolment_status' }),
    completed_at: F('time'),
    pre_score: F('int'),
    post_score: F('int'),
    feedback_rating: F('int'),
    feedback_comment: F('text'),
    practice_account_id: F('account'),
    practice_task: F('text'),
    practice_due_on: F('date'),
    practice_done_on: F('date'),
    practice_result: F('text'),
    enrolment_id: F('ref'),
  },
  appraisal_scheme: {
    name: F('text'),
    role: F('enum', { enum: 'role' }),
    period_kind: F('text'),
    active: F('bool'),
    indicators: F('text'),
  },
  scorecard: {
    scheme_id: F('ref'),
    user_id: F('user'),
    period_start: F('date'),
    status: F('enum', { enum: 'team.scorecardStatuses', label: 'audit.f.scorecard_status' }),
    score: F('int'),
    comment: F('text'),
    reason: F('text'),
    computed_at: F('time'),
  },
  commission_plan: {
    name: F('text'),
    currency: F('text'),
    period_kind: F('text'),
    basis: F('text'),
    default_rate_bp: F('int'),
    threshold_bp: F('int'),
    cap: F('money', { currency: 'currency' }),
    bad_debt_days: F('int'),
    rates: F('text'),
    tiers: F('text'),
    splits: F('text'),
    targets: F('text'),
    active: F('bool'),
  },
  bonus_pool: {
    plan_id: F('ref'),
    name: F('text'),
    period_start: F('date'),
    period_end: F('date'),
    amount: F('money'),
    min_score: F('int'),
    role: F('enum', { enum: 'role' }),
    team_id: F('team'),
  },
  recognition: {
    user_id: F('user'),
    title: F('text'),
    reason: F('text'),
    day: F('date'),
  },
  payout_statement: {
    plan_id: F('ref'),
    user_id: F('user'),
    period_start: F('date'),
    status: F('enum', { enum: 'team.payoutStatuses', label: 'audit.f.payout_status' }),
    total: F('money', { currency: 'currency' }),
    lines: F('int'),
    reason: F('text'),
    approved_by: F('user'),
  },
  // issue 15: offers and discount approval (svc/offers/offer*.c, approval.c; labels in
  // locales/<l>/offers-msgs.json)
  offer: {
    number: F('text', { label: 'offers.number' }),
    version_no: F('int', { label: 'audit.f.offer_version_no' }),
    lang: F('enum', { enum: 'offers.langs', label: 'offers.lang' }),
    price_date: F('date', { label: 'offers.priceDate' }),
    valid_until: F('date', { label: 'offers.validUntil' }),
    status: F('enum', { enum: 'offers.statuses', label: 'offers.status' }),
    opportunity_id: F('ref', { label: 'offers.opportunity' }),
    terms: F('text', { label: 'offers.terms' }),
    subtotal: F('money', { currency: 'currency', label: 'audit.f.offer_subtotal' }),
    total: F('money', { currency: 'currency', label: 'audit.f.offer_total' }),
    max_discount_bp: F('int', { label: 'audit.f.offer_max_discount_bp' }),
    lines: F('int', { label: 'audit.f.offer_lines' }),
    lines_changed: F('bool', { label: 'audit.f.offer_lines_changed' }),
    customisations: F('int', { label: 'audit.f.offer_customisations' }),
    customisations_changed: F('bool', { label: 'audit.f.offer_customisations_changed' }),
    previous_id: F('ref', { label: 'audit.f.offer_previous_id' }),
    decision_reason: F('text', { label: 'audit.f.offer_decision_reason' }),
    approval_id: F('ref', { label: 'audit.f.offer_approval_id' }),
    order_line_ids: F('text', { label: 'audit.f.offer_order_line_ids' }),
    customisation_id: F('ref', { label: 'audit.f.offer_customisation_id' }),
    feasibility: F('enum', { enum: 'offers.feas', label: 'audit.f.offer_feasibility' }),
    customisation_note: F('text', { label: 'audit.f.offer_customisation_note' }),
    confirmed_by: F('user', { label: 'audit.f.offer_confirmed_by' }),
  },
  approval: {
    kind: F('text', { label: 'audit.f.approval_kind' }),
    object_id: F('ref', { label: 'audit.f.approval_object_id' }),
    discount_bp: F('int', { label: 'audit.f.approval_discount_bp' }),
    needs: F('enum', { enum: 'offers.needs', label: 'audit.f.approval_needs' }),
    status: F('enum', { enum: 'approvals.statuses', label: 'audit.f.approval_status' }),
    comment: F('text', { label: 'audit.f.approval_comment' }),
    decision: F('enum', { enum: 'approvals.decisions', label: 'audit.f.approval_decision' }),
    decided_as: F('enum', { enum: 'audit.approvalRoles', label: 'audit.f.approval_decided_as' }),
    decision_comment: F('text', { label: 'audit.f.approval_decision_comment' }),
  },
  fx_rate: { rate_micro: F('micro') },
  order_line: {
    external_id: F('text'),
    day: F('epochDay'),
    sku: F('text'),
    quantity: F('dec3'),
    amount: F('money', { currency: 'currency' }),
    price_check: F('enum', { enum: 'pricing.line', label: 'audit.f.price_check' }),
    price_reason: F('text', { label: 'audit.f.price_reason' }),
  },
  wallet: {
    amount: F('money', { label: 'audit.f.wallet_amount' }),
  },
  measure: {
    kind: F('enum', { enum: 'measures.kinds' }),
    status: F('enum', { enum: 'measures.statuses' }),
    start_day: F('epochDay'),
    due_day: F('epochDay'),
    expected_uplift: F('major'),
    effect: F('major'),
    effect_note: F('text'),
    family: F('text'),
    measure: F('enum', { enum: 'audit.measureKinds' }),
  },
  target_plan: {
    measure: F('enum', { enum: 'audit.measureKinds' }),
    total: F('major'),
    value: F('major'),
    status: F('enum', { enum: 'targets.statuses' }),
    deadline: F('epochDay'),
    basis: F('text'),
    blend: F('blend'),
    dims: F('text'),
    selection: F('text'),
    specific: F('text'),
    measurable: F('text'),
    achievable: F('text'),
    relevant: F('text'),
    scope_family: F('text'),
    scope_region: F('enum', { enum: 'region' }),
    scope_channel: F('enum', { enum: 'channel' }),
    action: F('text'),
    reason: F('text'),
  },
  target_proposal: { value: F('major') },
  import: {
    kind: F('enum', { enum: 'imports.kinds' }),
    status: F('enum', { enum: 'imports.statuses' }),
    rows_inserted: F('int'),
    rows_updated: F('int'),
    rows_rejected: F('int'),
  },
  user: {
    login: F('text'),
    password: F('secret'),
    digest: F('bool'),
    lang: F('enum', { enum: 'langName', label: 'langs.field' }),
    sessions_ended: F('int'),
    tokens_revoked: F('int'),
  },
  team: { parent_id: F('team', { label: 'audit.f.parent_team' }) },
  token: { revoked_at: F('time') },
  settings: {
    strategic: F('int'),
    key: F('int'),
    growth: F('int'),
    maintain: F('int'),
    opportunity_stages: F('text', { label: 'audit.f.opportunity_stages' }),
    discount_limit_account_manager: F('int', { label: 'audit.f.discount_limit_account_manager' }),
    discount_limit_team_lead: F('int', { label: 'audit.f.discount_limit_team_lead' }),
    discount_limit_director: F('int', { label: 'audit.f.discount_limit_director' }),
    // the quote's company header (views/offers/CompanySettings.vue)
    'company.name_zh_hans': F('text', { label: 'audit.f.company_name_zh_hans' }),
    'company.name_zh_hant': F('text', { label: 'audit.f.company_name_zh_hant' }),
    'company.name_en': F('text', { label: 'audit.f.company_name_en' }),
    'company.address_zh_hans': F('text', { label: 'audit.f.company_address_zh_hans' }),
    'company.address_zh_hant': F('text', { label: 'audit.f.company_address_zh_hant' }),
    'company.address_en': F('text', { label: 'audit.f.company_address_en' }),
    'company.phone': F('text', { label: 'audit.f.company_phone' }),
    'company.email': F('text', { label: 'audit.f.company_email' }),
    'company.tax_id': F('text', { label: 'audit.f.company_tax_id' }),
    'company.bank': F('text', { label: 'audit.f.company_bank' }),
    'company.website': F('text', { label: 'audit.f.company_website' }),
    'prices.hide_other_accounts': F('bool', { label: 'audit.f.prices_hide_other_accounts' }),
    'prices.below_price': F('enum', { enum: 'pricing.below', label: 'audit.f.prices_below_price' }),
    'credit.over_limit': F('enum', { enum: 'credit.mode', label: 'audit.f.credit_over_limit' }),
  },
}

/** The spec of one field of one entity: the entity's own, then COMMON, then plain text. */
export function auditField(entity: string, field: string): AuditFieldSpec {
  return AUDIT_FIELDS[entity]?.[field] ?? COMMON[field] ?? { type: 'text' }
}

/** Whether the table names the field (for the test that every audited field has an entry). */
export function auditFieldKnown(entity: string, field: string): boolean {
  return !!(AUDIT_FIELDS[entity]?.[field] ?? COMMON[field])
}

// ---- fields named at run time: an assessment's fields are the scoring criteria's keys

/** Scoring criteria by key, loaded once when a history shows an assessment. */
export const criteriaByKey = ref<Record<string, ScoringCriterion>>({})
let criteriaLoading: Promise<void> | null = null
export function loadCriteria(): Promise<void> {
  if (!criteriaLoading)
    criteriaLoading = valuationApi
      .criteria()
      .then((p) => {
        criteriaByKey.value = Object.fromEntries(p.items.map((c) => [c.key, c]))
      })
      .catch(() => {
        criteriaLoading = null
      })
  return criteriaLoading
}
