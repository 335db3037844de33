/* policy.h -- who may do what: the one permission decision of KAM.
 *
 * Every API route declares an object and an action; the dispatcher asks policy_decide() before
 * the handler runs, with the record's scope relation when the route names a record. Lists ask
 * policy_list_scoped() whether to filter by the caller's scope. Nothing else decides access.
 *
 * Record scope of an account (and of everything under it): its owner, the members of its
 * account team, the managers up the team tree of either. */
#ifndef KAM_POLICY_H
#define KAM_POLICY_H

#include "ctx.h"

enum obj {
    OBJ_PUBLIC = 0, /* no authentication: health, description, login */
    OBJ_SELF,       /* any authenticated user acting on their own session, tokens, profile */
    OBJ_ACCOUNT,
    OBJ_CONTACT,
    OBJ_MEMBER, /* account team membership */
    OBJ_AUDIT,
    OBJ_USER,
    OBJ_TEAM,
    OBJ_INTERACTION,
    OBJ_VISIT,
    OBJ_ISSUE,
    OBJ_CONFIG,      /* cadence rules, SLA rules, freshness days, care occasions, templates */
    OBJ_CARE,        /* care reminders */
    OBJ_PRODUCT,     /* the product catalogue and exchange rates */
    OBJ_SALES,       /* order lines and everything computed from them: rollups, KPIs, forecasts */
    OBJ_IMPORT,      /* CSV imports and their reports */
    OBJ_TARGET,      /* target plans, their cells and adjustments */
    OBJ_APPROVAL,    /* approving a target plan */
    OBJ_PROPOSAL,    /* bottom-up target proposals per account */
    OBJ_MEASURE,     /* 4P measures linked to targets */
    OBJ_NEED,        /* customer needs (issue 14) */
    OBJ_NEED_STATUS, /* moving a need along its workflow (service staff may, without editing it) */
    OBJ_INTERVIEW,   /* interviews with the customer */
    OBJ_SURVEY,      /* survey definitions: questions, options (company-wide, no account) */
    OBJ_SURVEY_LINK, /* sending a survey to an account's contacts: links, reminders */
    OBJ_SURVEY_RESPONSE, /* one respondent's answers and comments: personal data */
    OBJ_SATISFACTION,    /* aggregates of the answers: NPS, CSAT, driver scores, results */
    OBJ_FOLLOW_UP,       /* department follow-ups of low scores, and hand-offs */
    OBJ_PRICING,     /* price lists with items and breaks, promotions, rebates, quotes (issue 15) */
    OBJ_OPPORTUNITY, /* opportunities (商机) and the pipeline; stages are OBJ_CONFIG */
    OBJ_OFFER,       /* offers and quotes: lines, versions, customisations, conversion */
    OBJ_CATALOG,     /* bundles and service items (the catalogue beside the products) */
    OBJ_DISCOUNT, /* discount approvals: create = request, update = decide; limits are OBJ_CONFIG */
    OBJ_RISK,     /* the risk register: risks, their responses and actions (issue 16) */
    OBJ_GIFT,     /* gifts and hospitality given (compliance); rules and budgets: OBJ_CONFIG */
    OBJ_CREDIT,   /* credit limits, payment terms, credit holds' decisions: finance's */
    OBJ_RECEIVABLE,     /* invoices, payments, ageing, exposure, DSO */
    OBJ_COMPETITOR,     /* competitor records (company-wide) */
    OBJ_COMPETITION,    /* a competitor's presence and moves at one account */
    OBJ_ALERT,          /* early-warning alerts, the health score, churn scores */
    OBJ_CONTRACT,       /* contracts, their versions and obligations (issue 17) */
    OBJ_BREACH,         /* contract breaches: detected, confirmed or waived, cured */
    OBJ_DISPUTE,        /* disputes: the ladder, stages, events, the dossier */
    OBJ_LESSON,         /* lessons learned and their links */
    OBJ_ACCOUNTABILITY, /* who is accountable for which decision (lessons): personal data */
    OBJ_TRAINING,       /* training needs and the training-effect report */
    /* Issue 18, the account team (svc/team/). Records about one person (assessment, enrolment,
     * scorecard, payout) are in the record scope of that person and of those who lead them. */
    OBJ_COMPETENCY, /* the competency model, rubric levels, role profiles (company-wide) */
    OBJ_ASSESSMENT, /* competency assessments of a person (self, manager, peers): personal data */
    OBJ_CANDIDATE,  /* candidates for a role, interview scores, ranking, the decision */
    OBJ_COURSE,     /* the training catalogue: courses and sessions (company-wide) */
    OBJ_ENROLMENT,  /* a person's enrolment: attendance, tests, feedback, practice: personal */
    OBJ_SCHEME,     /* appraisal schemes: indicators, weights, scoring curves (company-wide) */
    OBJ_SCORECARD,  /* a person's scorecard for a period: personal data */
    OBJ_COMMISSION, /* commission plans, bonus pools, recognition, the what-if simulator */
    OBJ_PAYOUT,     /* a person's payout statement: personal data; finance approves */
    OBJ_COUNT
};

enum act { ACT_READ = 0, ACT_CREATE, ACT_UPDATE, ACT_DELETE, ACT_COUNT };

/* How a route names its record: none (collection or self), an account id in the path, the id
 * of a record under an account in the path (contact, interaction, visit, issue), or the audit
 * query (?entity=&id=). */
enum scope_kind {
    SCOPE_NONE = 0,
    SCOPE_ACCOUNT,
    SCOPE_CONTACT,
    SCOPE_AUDIT,
    SCOPE_INTERACTION,
    SCOPE_VISIT,
    SCOPE_ISSUE,
    SCOPE_CARE,
    SCOPE_ORDER,
    SCOPE_MEASURE, /* a measure's account; none (0) for plan-wide measures */
    SCOPE_NEED,
    SCOPE_INTERVIEW,
    SCOPE_SURVEY_LINK,
    SCOPE_RESPONSE,
    SCOPE_FOLLOW_UP,
    SCOPE_OPPORTUNITY,
    SCOPE_OFFER,
    SCOPE_APPROVAL,
    SCOPE_RISK,
    SCOPE_GIFT,
    SCOPE_INVOICE,
    SCOPE_CREDIT_HOLD,
    SCOPE_PRESENCE,
    SCOPE_MOVE,
    SCOPE_ALERT,
    SCOPE_CONTRACT,
    SCOPE_BREACH,
    SCOPE_DISPUTE,
    SCOPE_LESSON, /* a lesson's account; none (0) for a lesson without one */
    SCOPE_DOCUMENT,
    /* Issue 18: the record's person (the path's user, or the subject of an assessment,
     * enrolment, scorecard or payout statement) is the caller or led by the caller. */
    SCOPE_USER,
    SCOPE_ASSESSMENT,
    SCOPE_ENROLMENT,
    SCOPE_SCORECARD,
    SCOPE_PAYOUT,
    SCOPE_COUNT
};

/* The account a record of kind k (CONTACT, INTERACTION, VISIT, ISSUE, CARE, ORDER, MEASURE)
 * belongs to (0 for a measure without one);
 * KAM_ENOTFOUND (field "id") when there is no such record. */
enum kam_err policy_record_account(struct kam_ctx *ctx, enum scope_kind k, int64_t id,
                                   int64_t *account_id_out);

/* 1 for the scope kinds of a person's records (SCOPE_USER .. SCOPE_PAYOUT). */
int policy_scope_is_person(enum scope_kind k);

/* The person a record of person kind k is about (SCOPE_USER: the user itself);
 * KAM_ENOTFOUND (field "id") when there is no such record. */
enum kam_err policy_record_person(struct kam_ctx *ctx, enum scope_kind k, int64_t id,
                                  int64_t *user_id_out);

/* For a body field naming the person a new record is about (an assessment, an enrolment, a
 * scorecard, a payout): KAM_OK when the user exists and the caller's grant for o x a is ALL, or
 * SCOPE with the person the caller or led by the caller. A missing user: KAM_EINVAL "no such
 * user" on field; one out of reach: KAM_EFORBIDDEN on field. */
enum kam_err policy_body_person(struct kam_ctx *ctx, const char *field, int64_t user_id, enum obj o,
                                enum act a);

enum grant { GRANT_NONE = 0, GRANT_SCOPE, GRANT_ALL };

/* The policy table entry for role x object x action. */
enum grant policy_grant(enum role r, enum obj o, enum act a);

enum decision { DECIDE_ALLOW = 0, DECIDE_FORBID, DECIDE_HIDE /* answer 404 */ };

/* The decision for a route. For SCOPE_NONE routes in_scope is ignored: any grant allows (lists
 * are then filtered, creations checked by the service). For record routes the grant must be
 * ALL, or SCOPE with the record in scope. A denied record the caller may read → FORBID, one it
 * may not even read → HIDE: "may read" is reading its account, or for a record about a person
 * (policy_scope_is_person) reading that record. */
enum decision policy_decide(enum role r, enum obj o, enum act a, enum scope_kind k, int in_scope);

/* 1 if the caller's reads of accounts (and what hangs under them) must be filtered by scope. */
int policy_list_scoped(const struct principal *who);

/* Sets *in_scope to whether account_id is in the caller's record scope; KAM_ENOTFOUND if the
 * account does not exist. Org-wide readers are in scope of every account. */
enum kam_err policy_account_in_scope(struct kam_ctx *ctx, int64_t account_id, int *in_scope);

/* For a body field that names the account a record goes under (the path names none, so the
 * dispatcher could not check it): KAM_OK when the account exists, the caller may read it, and
 * the caller's grant for o x a is ALL, or SCOPE with the account in their record scope.
 * A missing account and one the caller may not read get the same KAM_EINVAL "no such account"
 * on field, so the answer is no existence oracle; a readable one the caller may not write
 * gets KAM_EFORBIDDEN on field. */
enum kam_err policy_body_account(struct kam_ctx *ctx, const char *field, int64_t account_id,
                                 enum obj o, enum act a);

/* May user user_id (anyone, the caller included) work on records of kind o under account_id: the
 * user exists, is enabled, and their role's grant for o x a is ALL, or SCOPE with the account in
 * *their* record scope. account_id 0 is a record without an account (a plan-wide measure):
 * then any grant for o x a will do. *yes 0 or 1; errors only from the database. Used for
 * assignees and owners, so work lands only on people who may see and do it. */
enum kam_err policy_user_may(struct kam_ctx *ctx, int64_t user_id, enum obj o, enum act a,
                             int64_t account_id, int *yes);

/* 1 if user_id is the caller or managed by the caller (down the team tree). */
enum kam_err policy_manages_user(struct kam_ctx *ctx, int64_t user_id, int *yes);

/* Whose lines of a per-person or per-team figure (KPIs by account manager and by team) the
 * caller sees: org-wide readers of accounts every line (*all 1); anyone else their own line
 * and, leading teams, the lines of the people of those teams (down the tree) and of those
 * teams. users/teams are arena arrays (sorted ascending) of the visible ids. */
struct policy_lines {
    int all;
    int64_t *users, *teams;
    size_t n_users, n_teams;
};
enum kam_err policy_kpi_lines(struct kam_ctx *ctx, struct policy_lines *out);
int policy_lines_has(const int64_t *ids, size_t n, int64_t id);

struct sqlb;
/* Starts a query over records of people (object o): when the caller's read grant for o is not
 * ALL, appends POLICY_SCOPE_WITH with its two binds and returns 1 (the query then adds
 * POLICY_PERSON_COND(the person column)); returns 0 for org-wide readers. */
int policy_person_scope_with(struct kam_ctx *ctx, enum obj o, struct sqlb *b);
#define POLICY_PERSON_COND(col) "(" col " IN (SELECT uid FROM sub))"

/* Starts a query over the caller's accounts: when the caller's reads are scoped, appends
 * POLICY_SCOPE_WITH with its two binds and returns 1 (the query then adds POLICY_SCOPE_COND);
 * returns 0 for org-wide readers. */
int policy_scope_with(struct kam_ctx *ctx, struct sqlb *b);

/* SQL for the caller's scope over accounts: a WITH clause prefix (binds: caller id twice) and
 * a condition on `accounts` (no binds). Use as: SCOPE_WITH "SELECT ... WHERE " SCOPE_COND. */
#define POLICY_SCOPE_WITH                                                                          \
    "WITH RECURSIVE mt(id) AS (SELECT id FROM teams WHERE manager_id = ? UNION SELECT teams.id "   \
    "FROM teams JOIN mt ON teams.parent_id = mt.id), sub(uid) AS (SELECT CAST(? AS BIGINT) UNION " \
    "SELECT "                                                                                      \
    "users.id FROM users JOIN mt ON users.team_id = mt.id) "
#define POLICY_SCOPE_COND                                                                          \
    "(accounts.owner_id IN (SELECT uid FROM sub) OR accounts.id IN (SELECT account_id FROM "       \
    "account_members WHERE user_id IN (SELECT uid FROM sub)))"

/* The people of one team (bind: the team id): the team and its subteams down the tree, their
 * members and their managers, as CTEs tt(id) (the teams) and tp(uid) (the people). A WITH
 * RECURSIVE list item ending in ", ": use as "WITH RECURSIVE " POLICY_TEAM_TT "x AS (...) "
 * or after POLICY_SCOPE_WITH as ", " POLICY_TEAM_TT "x AS (...) ". The one team rule of the
 * team figures (home.c), follow-up and satisfaction statistics. */
#define POLICY_TEAM_TT                                                                             \
    "tt(id) AS (SELECT id FROM teams WHERE id = ? UNION SELECT teams.id FROM teams JOIN tt ON "    \
    "teams.parent_id = tt.id), tp(uid) AS (SELECT users.id FROM users WHERE users.team_id IN "     \
    "(SELECT id FROM tt) UNION SELECT teams.manager_id FROM teams WHERE teams.id IN (SELECT id "   \
    "FROM tt) AND teams.manager_id IS NOT NULL), "

const char *obj_name(enum obj o);
const char *act_name(enum act a);
const char *scope_kind_name(enum scope_kind k);
/* "none", "scope", "all". */
const char *grant_name(enum grant g);

/* Role-level abilities that are not one entry of the table, derived from it and from who leads
 * people (a team lead's record scope takes in the people of the teams they lead), so the UI
 * (GET /api/v1/me "capabilities") offers what the services allow without copying the rules. */
enum capability {
    CAP_PLAN_VISITS_FOR_OTHERS, /* plan a visit owned by someone else (visit.c check_owner) */
    CAP_SEE_OTHERS_CALENDARS,   /* look at someone else's visits and calendar */
    CAP_SEE_SLA_STATS,          /* the per-team SLA statistics of issues */
    CAP_GRANT_ADMIN,            /* create or change an administrator (user.c check_reach) */
    CAP_COUNT
};
/* "plan_visits_for_others", "see_others_calendars", "see_sla_stats", "grant_admin". */
const char *capability_name(enum capability c);
/* 1 if role r has capability c. */
int policy_capable(enum role r, enum capability c);

#endif
