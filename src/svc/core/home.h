/* home.h -- the role homes (issue 12 item 6): an account manager's day and a lead's or
 * director's team figures.
 *
 * Days are China's (UTC+8), as visits are planned (10:00 China time) and care reminders dated:
 * a day D runs from D 00:00 +08:00 to D+1 00:00 +08:00. Every list is capped (HOME_MAX_ITEMS,
 * HOME_MAX_PEOPLE, HOME_MAX_ALERTS); each figure is one grouped query over the people of the
 * selection (no query per person).
 *
 * The agenda is the caller's own: visits they own, care reminders they own, issues assigned to
 * them. Interactions have no follow-up date in the schema, so follow-ups are the caller's open
 * issues whose response or resolution deadline falls within the next 48 hours.
 *
 * The team figures are for a set of people: org-wide readers of accounts (directors, finance,
 * admins) pick any team (the team and its subteams, with their managers) or everyone in a team
 * or owning an account; scoped readers (team leads) see the people in their record scope (
 * themselves and the people of the teams they lead) or one team they lead (another team:
 * KAM_EFORBIDDEN on team_id), and of a team only the people in their scope (a subteam's manager
 * from elsewhere is not listed). An account manager's scope is themselves: they see one row.
 * What a row shows follows the role's grants (policy.c): without a grant on targets (the
 * service role) no plan, target, attainment or KPI alert -- the actual alone. */
#ifndef KAM_HOME_H
#define KAM_HOME_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "notify.h"

#define HOME_TZ_OFFSET (8 * 3600)
#define HOME_MAX_ITEMS 50
#define HOME_MAX_PEOPLE 200
#define HOME_MAX_ALERTS 20
#define HOME_FOLLOW_UP_HOURS 48
#define HOME_CARE_DAYS 7 /* care reminders shown: the agenda's day and the six after it */

struct home_visit {
    int64_t id, account_id, contact_id, planned_at;
    int has_contact;
    const char *account_name, *contact_name, *kind, *status, *purpose, *place;
};

struct home_care {
    int64_t id, account_id, contact_id;
    const char *account_name, *contact_name, *occasion_kind, *occasion_name, *occasion_date,
        *status;
    const char *occasion_key; /* a festival's key, "birthday", or "special:<id>" */
};

struct home_issue {
    int64_t id, account_id, response_due_at, resolution_due_at, first_response_at;
    int has_first_response, escalated;
    const char *account_name, *title, *severity, *status;
};

struct home_list_visits {
    struct home_visit *items;
    size_t n;
    int more; /* more than HOME_MAX_ITEMS */
};
struct home_list_care {
    struct home_care *items;
    size_t n;
    int more;
};
struct home_list_issues {
    struct home_issue *items;
    size_t n;
    int more;
};

struct home_agenda {
    char date[11];                          /* YYYY-MM-DD */
    int64_t day_start, day_end;             /* unix seconds */
    struct home_list_visits visits;         /* planned on the day, any status */
    struct home_list_care care;             /* pending, dated the day .. day + 6 */
    struct home_list_issues follow_ups;     /* open, a deadline within 48 hours of now */
    struct home_list_visits overdue_visits; /* planned before now, still planned */
    struct home_list_issues overdue_issues; /* open, a deadline passed */
    struct home_list_care overdue_care;     /* pending, dated before the day */
};

/* date: "YYYY-MM-DD" or NULL for today (ctx->now, China time); malformed: KAM_EINVAL "date". */
enum kam_err home_agenda(struct kam_ctx *ctx, const char *date, struct home_agenda *out);

struct home_person {
    int64_t user_id, team_id;
    int has_team;
    const char *name, *login, *role, *team_name;
    int64_t accounts, overdue_visits, open_issues, overdue_issues, stale_accounts;
    int64_t actual, target; /* measure units (minor units / thousandths); target has_target */
    int has_target;
    double attainment_pct, projection_pct;
    const char *status; /* on_track | at_risk | off_track | no_target */
    int64_t order;      /* the position in the answer (home.c sorts by it) */
};

struct home_alert {
    int64_t id, user_id, created_at;
    int read;
    const char *user_name, *kind, *title, *body, *link;
    const char *msg_key; /* "" for notifications written before message keys */
    struct kam_param params[NOTIFY_PARAMS];
    size_t nparams;
};

struct home_team_ref {
    int64_t id;
    const char *name;
};

struct home_team {
    int64_t team_id; /* 0: no team picked */
    char period[16]; /* "2026", "2026-Q3", "2026-03" */
    int from, to;    /* yyyymm */
    int64_t days, elapsed, stale_days;
    int quantity;     /* the plan's measure (amount without a plan) */
    const char *unit; /* the currency of amounts */
    int64_t plan_id;  /* 0: no approved plan with account targets for the period's year */
    const char *plan_name;
    int targets; /* the caller's role reads targets: plan, targets, attainment, KPI alerts */
    struct home_team_ref *teams; /* the teams the caller may pick */
    size_t n_teams;
    struct home_person *people;
    size_t n_people;
    int truncated; /* more than HOME_MAX_PEOPLE people */
    struct home_person totals;
    struct home_alert *alerts;
    size_t n_alerts;
};

/* team_id 0: the default selection; period NULL: this year; stale_days 1..365. */
enum kam_err home_team(struct kam_ctx *ctx, int64_t team_id, const char *period, int64_t stale_days,
                       struct home_team *out);

#endif
