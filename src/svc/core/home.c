/* home.c -- the role homes: an account manager's agenda, a lead's or director's team figures.
 * The one file of svc/core besides jobs.c that reads chapter code (scripts/check-deps.sh): the
 * KPI period rules and the base currency of the volume chapter. */
#include "home.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "msg.h"
#include "policy.h"
#include "rows.h"
#include "settings.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/volume/kpi.h"
#include "svc/volume/volume.h"

#define DAY 86400
#define OPEN_ISSUE "issues.status IN ('open', 'in_progress')"
/* An open issue past a deadline: no first response by the response deadline, or unresolved
 * past the resolution deadline (binds: now, now). */
#define ISSUE_LATE                                                                                 \
    "((issues.first_response_at IS NULL AND issues.response_due_at < ?) OR "                       \
    "issues.resolution_due_at < ?)"

/* ---- the agenda --------------------------------------------------------------------------- */

#define VISIT_COLS                                                                                 \
    "SELECT visits.id, visits.account_id, accounts.name, visits.contact_id, contacts.name, "       \
    "visits.kind, visits.status, visits.planned_at, visits.purpose, visits.place FROM visits "     \
    "JOIN accounts ON accounts.id = "                                                              \
    "visits.account_id LEFT JOIN contacts ON contacts.id = visits.contact_id WHERE "               \
    "visits.owner_id = ? AND "

static void read_visit(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct home_visit *v = out;
    v->id = db_col_i64(st, 0);
    v->account_id = db_col_i64(st, 1);
    v->account_name = arena_strdup(ctx->a, db_col_text(st, 2));
    v->has_contact = !db_col_is_null(st, 3);
    v->contact_id = v->has_contact ? db_col_i64(st, 3) : 0;
    v->contact_name = v->has_contact ? arena_strdup(ctx->a, db_col_text(st, 4)) : NULL;
    v->kind = arena_strdup(ctx->a, db_col_text(st, 5));
    v->status = arena_strdup(ctx->a, db_col_text(st, 6));
    v->planned_at = db_col_i64(st, 7);
    v->purpose = arena_strdup(ctx->a, db_col_text(st, 8));
    v->place = arena_strdup(ctx->a, db_col_text(st, 9));
}

#define CARE_COLS                                                                                  \
    "SELECT care_reminders.id, care_reminders.account_id, accounts.name, "                         \
    "care_reminders.contact_id, contacts.name, care_reminders.occasion_kind, "                     \
    "care_reminders.occasion_name, care_reminders.occasion_date, care_reminders.status, "          \
    "care_reminders.occasion_key FROM "                                                            \
    "care_reminders JOIN accounts ON accounts.id = care_reminders.account_id JOIN contacts ON "    \
    "contacts.id = care_reminders.contact_id WHERE care_reminders.owner_id = ? AND "               \
    "care_reminders.status = 'pending' AND "

static void read_care(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct home_care *r = out;
    r->id = db_col_i64(st, 0);
    r->account_id = db_col_i64(st, 1);
    r->account_name = arena_strdup(ctx->a, db_col_text(st, 2));
    r->contact_id = db_col_i64(st, 3);
    r->contact_name = arena_strdup(ctx->a, db_col_text(st, 4));
    r->occasion_kind = arena_strdup(ctx->a, db_col_text(st, 5));
    r->occasion_name = arena_strdup(ctx->a, db_col_text(st, 6));
    r->occasion_date = arena_strdup(ctx->a, db_col_text(st, 7));
    r->status = arena_strdup(ctx->a, db_col_text(st, 8));
    r->occasion_key = arena_strdup(ctx->a, db_col_text(st, 9));
}

#define ISSUE_COLS                                                                                 \
    "SELECT issues.id, issues.account_id, accounts.name, issues.title, issues.severity, "          \
    "issues.status, issues.response_due_at, issues.resolution_due_at, issues.first_response_at, "  \
    "issues.escalated_at FROM issues JOIN accounts ON accounts.id = issues.account_id WHERE "      \
    "issues.assignee_id = ? AND " OPEN_ISSUE " AND "

static void read_issue(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct home_issue *x = out;
    x->id = db_col_i64(st, 0);
    x->account_id = db_col_i64(st, 1);
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 2));
    x->title = arena_strdup(ctx->a, db_col_text(st, 3));
    x->severity = arena_strdup(ctx->a, db_col_text(st, 4));
    x->status = arena_strdup(ctx->a, db_col_text(st, 5));
    x->response_due_at = db_col_i64(st, 6);
    x->resolution_due_at = db_col_i64(st, 7);
    x->has_first_response = !db_col_is_null(st, 8);
    x->first_response_at = x->has_first_response ? db_col_i64(st, 8) : 0;
    x->escalated = !db_col_is_null(st, 9);
}

/* Runs a prepared list with its binds (i64 or text, in order) and collects at most
 * HOME_MAX_ITEMS rows; *more when there were more. */
struct bind {
    int64_t i;
    const char *s;
};

static enum kam_err collect(struct kam_ctx *ctx, const char *sql, const struct bind *b, int nb,
                            row_reader read, size_t size, void **items, size_t *n, int *more)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    for (int i = 0; i < nb; i++) {
        if (b[i].s)
            db_bind_text(st, i + 1, b[i].s);
        else
            db_bind_i64(st, i + 1, b[i].i);
    }
    if ((rc = rows_collect(ctx, st, HOME_MAX_ITEMS + 1, read, size, items, n)))
        return rc;
    *more = *n > HOME_MAX_ITEMS;
    if (*more)
        *n = HOME_MAX_ITEMS;
    return KAM_OK;
}

static void day_iso(int64_t days, char *out, size_t cap)
{
    int y, m, d;
    days_to_date(days, &y, &m, &d);
    snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
}

enum kam_err home_agenda(struct kam_ctx *ctx, const char *date, struct home_agenda *out)
{
    memset(out, 0, sizeof *out);
    int64_t day;
    if (date) {
        int y, m, d;
        if (date_parse(date, &y, &m, &d))
            return kam_fail(ctx->err, KAM_EINVAL, "date", "date must be a date (YYYY-MM-DD)");
        day = date_to_days(y, m, d);
    } else {
        day = (ctx->now + HOME_TZ_OFFSET) / DAY;
    }
    day_iso(day, out->date, sizeof out->date);
    char week_end[11];
    day_iso(day + HOME_CARE_DAYS, week_end, sizeof week_end);
    out->day_start = day * DAY - HOME_TZ_OFFSET;
    out->day_end = out->day_start + DAY;
    int64_t me = ctx->who.user_id, now = ctx->now, soon = now + HOME_FOLLOW_UP_HOURS * 3600;
    enum kam_err rc;

    struct bind vb[] = {{me, NULL}, {out->day_start, NULL}, {out->day_end, NULL}};
    if ((rc = collect(ctx,
                      VISIT_COLS
                      "visits.planned_at >= ? AND visits.planned_at < ? AND "
                      "visits.status <> 'cancelled' ORDER BY visits.planned_at, visits.id",
                      vb, 3, read_visit, sizeof(struct home_visit), (void **)&out->visits.items,
                      &out->visits.n, &out->visits.more)))
        return rc;
    struct bind cb[] = {{me, NULL}, {0, out->date}, {0, week_end}};
    if ((rc = collect(ctx,
                      CARE_COLS "care_reminders.occasion_date >= ? AND "
                                "care_reminders.occasion_date < ? ORDER BY "
                                "care_reminders.occasion_date, care_reminders.id",
                      cb, 3, read_care, sizeof(struct home_care), (void **)&out->care.items,
                      &out->care.n, &out->care.more)))
        return rc;
    struct bind fb[] = {{me, NULL}, {now, NULL}, {now, NULL}, {soon, NULL}, {soon, NULL}};
    if ((rc = collect(ctx,
                      ISSUE_COLS "NOT " ISSUE_LATE " AND ((issues.first_response_at IS NULL AND "
                                 "issues.response_due_at < ?) OR issues.resolution_due_at < ?) "
                                 "ORDER BY issues.resolution_due_at, issues.id",
                      fb, 5, read_issue, sizeof(struct home_issue), (void **)&out->follow_ups.items,
                      &out->follow_ups.n, &out->follow_ups.more)))
        return rc;
    struct bind ovb[] = {{me, NULL}, {now, NULL}};
    if ((rc = collect(ctx,
                      VISIT_COLS "visits.status = 'planned' AND visits.planned_at < ? ORDER BY "
                                 "visits.planned_at DESC, visits.id DESC",
                      ovb, 2, read_visit, sizeof(struct home_visit),
                      (void **)&out->overdue_visits.items, &out->overdue_visits.n,
                      &out->overdue_visits.more)))
        return rc;
    struct bind oib[] = {{me, NULL}, {now, NULL}, {now, NULL}};
    if ((rc = collect(ctx, ISSUE_COLS ISSUE_LATE " ORDER BY issues.resolution_due_at, issues.id",
                      oib, 3, read_issue, sizeof(struct home_issue),
                      (void **)&out->overdue_issues.items, &out->overdue_issues.n,
                      &out->overdue_issues.more)))
        return rc;
    struct bind ocb[] = {{me, NULL}, {0, out->date}};
    return collect(ctx,
                   CARE_COLS "care_reminders.occasion_date < ? ORDER BY "
                             "care_reminders.occasion_date DESC, care_reminders.id DESC",
                   ocb, 2, read_care, sizeof(struct home_care), (void **)&out->overdue_care.items,
                   &out->overdue_care.n, &out->overdue_care.more);
}

/* ---- the team figures ---------------------------------------------------------------------- */

/* The people of the selection as a CTE ppl(uid), appended to b with its binds. */
struct sel {
    int scoped;      /* the caller reads accounts in their scope only */
    int64_t team_id; /* 0: everyone (org-wide) or the caller's scope */
    int64_t me;
};

/* A team: its people and those of its subteams, with their managers (a scoped reader: only
 * those in the reader's scope, sub of POLICY_SCOPE_WITH -- a subteam's manager may come from
 * another team). */
#define TEAM_TT POLICY_TEAM_TT

static void ppl_with(struct sqlb *b, const struct sel *s)
{
    if (s->team_id && s->scoped) {
        sqlb_sql(b, POLICY_SCOPE_WITH
                 ", " TEAM_TT
                 "ppl(uid) AS (SELECT uid FROM tp WHERE uid IN (SELECT uid FROM sub)) ");
        sqlb_i64(b, s->me);
        sqlb_i64(b, s->me);
        sqlb_i64(b, s->team_id);
    } else if (s->team_id) {
        sqlb_sql(b, "WITH RECURSIVE " TEAM_TT "ppl(uid) AS (SELECT uid FROM tp) ");
        sqlb_i64(b, s->team_id);
    } else if (s->scoped) {
        sqlb_sql(b, POLICY_SCOPE_WITH ", ppl(uid) AS (SELECT uid FROM sub) ");
        sqlb_i64(b, s->me);
        sqlb_i64(b, s->me);
    } else {
        sqlb_sql(b, "WITH ppl(uid) AS (SELECT id FROM users WHERE team_id IS NOT NULL UNION "
                    "SELECT owner_id FROM accounts) ");
    }
}

static struct home_person *find_person(struct home_team *t, int64_t id)
{
    for (size_t i = 0; i < t->n_people; i++)
        if (t->people[i].user_id == id)
            return &t->people[i];
    return NULL;
}

/* One grouped figure: sql (after the ppl CTE) selects (user id, value) rows, with the binds
 * given; each value goes to the person's field at offset off. */
static enum kam_err figure(struct kam_ctx *ctx, struct home_team *t, const struct sel *s,
                           const char *sql, const struct bind *b, int nb, size_t off, int *any_out)
{
    struct sqlb q;
    sqlb_init(&q, ctx->a);
    ppl_with(&q, s);
    sqlb_sql(&q, sql);
    for (int i = 0; i < nb; i++) {
        if (b[i].s)
            sqlb_text(&q, b[i].s);
        else
            sqlb_i64(&q, b[i].i);
    }
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&q, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        struct home_person *p = find_person(t, db_col_i64(st, 0));
        if (!p || db_col_is_null(st, 1))
            continue;
        *(int64_t *)((char *)p + off) = db_col_i64(st, 1);
        if (any_out)
            any_out[p - t->people] = 1;
    }
    db_done(st);
    return rc;
}

static void read_team_ref(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct home_team_ref *r = out;
    r->id = db_col_i64(st, 0);
    r->name = arena_strdup(ctx->a, db_col_text(st, 1));
}

static void read_person(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct home_person *p = out;
    p->user_id = db_col_i64(st, 0);
    p->name = arena_strdup(ctx->a, db_col_text(st, 1));
    p->login = arena_strdup(ctx->a, db_col_text(st, 2));
    p->role = arena_strdup(ctx->a, db_col_text(st, 3));
    p->has_team = !db_col_is_null(st, 4);
    p->team_id = p->has_team ? db_col_i64(st, 4) : 0;
    p->team_name = p->has_team ? arena_strdup(ctx->a, db_col_text(st, 5)) : NULL;
    p->status = "no_target";
}

static void read_alert(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct home_alert *x = out;
    x->id = db_col_i64(st, 0);
    x->user_id = db_col_i64(st, 1);
    x->user_name = arena_strdup(ctx->a, db_col_text(st, 2));
    x->kind = arena_strdup(ctx->a, db_col_text(st, 3));
    x->title = arena_strdup(ctx->a, db_col_text(st, 4));
    x->body = arena_strdup(ctx->a, db_col_text(st, 5));
    x->link = arena_strdup(ctx->a, db_col_text(st, 6));
    x->created_at = db_col_i64(st, 7);
    x->read = !db_col_is_null(st, 8);
    x->msg_key = arena_strdup(ctx->a, db_col_text(st, 9));
    x->nparams =
        msg_params_unpack(arena_strdup(ctx->a, db_col_text(st, 10)), x->params, NOTIFY_PARAMS);
}

/* The approved plan of year y, preferring one split by owner, then one by account (the
 * latest). */
struct plan_pick {
    int64_t id;
    const char *name, *measure, *dims, *family, *region, *channel;
};

static void read_plan(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct plan_pick *p = out;
    p->id = db_col_i64(st, 0);
    p->name = arena_strdup(ctx->a, db_col_text(st, 1));
    p->measure = arena_strdup(ctx->a, db_col_text(st, 2));
    p->dims = arena_strdup(ctx->a, db_col_text(st, 3));
    p->family = arena_strdup(ctx->a, db_col_text(st, 4));
    p->region = arena_strdup(ctx->a, db_col_text(st, 5));
    p->channel = arena_strdup(ctx->a, db_col_text(st, 6));
}

static int has_dim(const char *dims, const char *d)
{
    size_t n = strlen(d);
    for (const char *p = dims; (p = strstr(p, d)); p += n)
        if ((p == dims || p[-1] == ',') && (p[n] == ',' || !p[n]))
            return 1;
    return 0;
}

static enum kam_err actual_of(struct kam_ctx *ctx, struct home_team *t, const struct sel *s,
                              const struct kpi_period *per, const struct plan_pick *p);

static enum kam_err attainment(struct kam_ctx *ctx, struct home_team *t, const struct sel *s,
                               const struct kpi_period *per)
{
    struct plan_pick none = {0, NULL, "amount", "", "", "", ""};
    if (!t->targets) /* no plan: the actual in amounts over every product */
        return actual_of(ctx, t, s, per, &none);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT id, name, measure, dims, scope_family, scope_region, scope_channel FROM "
        "target_plans WHERE year = ? AND status = 'approved' ORDER BY CASE WHEN dims LIKE "
        "'%owner%' THEN 0 WHEN dims LIKE '%account%' THEN 1 ELSE 2 END, id DESC",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, per->from / 100);
    struct plan_pick *plans;
    size_t np;
    if ((rc = rows_collect(ctx, st, 1, read_plan, sizeof *plans, (void **)&plans, &np)))
        return rc;
    int by_owner = np && has_dim(plans[0].dims, "owner");
    const struct plan_pick *p =
        np && (by_owner || has_dim(plans[0].dims, "account")) ? &plans[0] : &none;
    if ((rc = actual_of(ctx, t, s, per, p)) || !p->id)
        return rc;

    /* Targets per person: a plan split by owner names them in its cells, one by account through
     * the accounts' owners (whole units); a plan not split by month is prorated by months, as
     * kpi.c does per key. */
    int by_month = has_dim(p->dims, "month");
    int mf = per->from % 100, mt = per->to % 100;
    int *has = arena_calloc(ctx->a, t->n_people ? t->n_people : 1, sizeof *has);
    struct bind tb[] = {{p->id, NULL}, {mf, NULL}, {mt, NULL}};
    static const char *const owner_sql[2] = {
        "SELECT c.owner_id, SUM(c.value) FROM target_cells c WHERE c.plan_id = ? AND c.owner_id "
        "IN (SELECT uid FROM ppl) GROUP BY c.owner_id",
        "SELECT c.owner_id, SUM(c.value) FROM target_cells c WHERE c.plan_id = ? AND c.month >= ? "
        "AND c.month <= ? AND c.owner_id IN (SELECT uid FROM ppl) GROUP BY c.owner_id"};
    if ((rc = figure(ctx, t, s,
                     by_owner   ? owner_sql[by_month]
                     : by_month ? "SELECT accounts.owner_id, SUM(c.value) FROM target_cells c JOIN "
                                  "accounts ON accounts.id = c.account_id WHERE c.plan_id = ? AND "
                                  "c.month >= ? AND c.month <= ? AND accounts.owner_id IN (SELECT "
                                  "uid FROM ppl) GROUP BY accounts.owner_id"
                                : "SELECT accounts.owner_id, SUM(c.value) FROM target_cells c JOIN "
                                  "accounts ON accounts.id = c.account_id WHERE c.plan_id = ? AND "
                                  "accounts.owner_id IN (SELECT uid FROM ppl) GROUP BY "
                                  "accounts.owner_id",
                     tb, by_month ? 3 : 1, offsetof(struct home_person, target), has)))
        return rc;
    for (size_t i = 0; i < t->n_people; i++) {
        struct home_person *q = &t->people[i];
        if (!has[i])
            continue;
        if (!by_month)
            q->target = q->target * (mt - mf + 1) / 12;
        q->has_target = 1;
    }
    return KAM_OK;
}

/* The plan p (or none) and the actual per owner over the period in p's measure and slice. */
static enum kam_err actual_of(struct kam_ctx *ctx, struct home_team *t, const struct sel *s,
                              const struct kpi_period *per, const struct plan_pick *p)
{
    enum kam_err rc;
    t->plan_id = p->id;
    t->plan_name = p->name;
    t->quantity = !strcmp(p->measure, "quantity");
    struct volume_sel vs = {0};
    vs.quantity = t->quantity;
    if ((rc = volume_unit(ctx, &vs, &t->unit)))
        return rc;

    /* Actual per owner over the period's months: the account rollup, or the detailed one when
     * the plan covers a slice. */
    const char *col = t->quantity ? "quantity" : "amount";
    int sliced = *p->family || *p->region || *p->channel;
    char sql[600];
    snprintf(sql, sizeof sql,
             "SELECT accounts.owner_id, SUM(s.%s) FROM %s s JOIN accounts ON accounts.id = "
             "s.account_id WHERE accounts.owner_id IN (SELECT uid FROM ppl) AND s.month >= ? AND "
             "s.month <= ?%s%s%s GROUP BY accounts.owner_id",
             col, sliced ? "sales_monthly" : "sales_monthly_account",
             *p->family ? " AND s.family = ?" : "", *p->region ? " AND s.region = ?" : "",
             *p->channel ? " AND s.channel = ?" : "");
    struct bind ab[5] = {{per->from, NULL}, {per->to, NULL}};
    int nb = 2;
    if (*p->family)
        ab[nb++].s = p->family;
    if (*p->region)
        ab[nb++].s = p->region;
    if (*p->channel)
        ab[nb++].s = p->channel;
    return figure(ctx, t, s, sql, ab, nb, offsetof(struct home_person, actual), NULL);
}

/* Fills the derived fields (attainment, run-rate projection, status) of one row. */
static void finish(struct home_person *q, const struct home_team *t, int64_t offtrack)
{
    if (!q->has_target) {
        q->status = "no_target";
        return;
    }
    int64_t tv = q->target * (t->quantity ? 1000 : 100);
    q->attainment_pct = volume_pct(q->actual, tv);
    int64_t proj = t->elapsed >= t->days ? q->actual
                   : t->elapsed > 0      ? q->actual * t->days / t->elapsed
                                         : 0;
    q->projection_pct = volume_pct(proj, tv);
    q->status = proj >= tv ? "on_track" : proj * 100 >= tv * offtrack ? "at_risk" : "off_track";
}

static int idle(const struct home_person *p)
{
    return !p->accounts && !p->overdue_visits && !p->open_issues && !p->actual;
}

static int by_order(const void *a, const void *b)
{
    const struct home_person *x = a, *y = b;
    return (x->order > y->order) - (x->order < y->order);
}

enum kam_err home_team(struct kam_ctx *ctx, int64_t team_id, const char *period, int64_t stale_days,
                       struct home_team *out)
{
    memset(out, 0, sizeof *out);
    enum kam_err rc;
    struct sel s = {policy_list_scoped(&ctx->who), team_id, ctx->who.user_id};
    /* What the role may read (policy.c): targets are their own grant (the service role reads
     * sales in its scope, not targets). */
    out->targets = policy_grant(ctx->who.role, OBJ_TARGET, ACT_READ) != GRANT_NONE;
    if (stale_days < 1 || stale_days > 365)
        return kam_fail(ctx->err, KAM_EINVAL, "stale_days", "stale_days must be 1..365");
    out->stale_days = stale_days;
    int y, m, d;
    days_to_date((ctx->now + HOME_TZ_OFFSET) / DAY, &y, &m, &d);
    if (!period) {
        snprintf(out->period, sizeof out->period, "%04d", y);
        period = out->period;
    } else if (strlen(period) >= sizeof out->period) {
        return kam_fail(ctx->err, KAM_EINVAL, "period", "period must be YYYY, YYYY-Qn or YYYY-MM");
    } else {
        snprintf(out->period, sizeof out->period, "%s", period);
    }
    struct kpi_period per;
    if (kpi_period_parse(period, &per))
        return kam_fail(ctx->err, KAM_EINVAL, "period", "period must be YYYY, YYYY-Qn or YYYY-MM");
    out->from = per.from;
    out->to = per.to;
    out->days = per.days;
    int64_t today = (ctx->now + HOME_TZ_OFFSET) / DAY;
    int64_t el = today - date_to_days(per.from / 100, per.from % 100, 1) + 1;
    out->elapsed = el < 0 ? 0 : el > per.days ? per.days : el;

    /* The teams the caller may pick: every team for org-wide readers, the teams they lead
     * (down the tree) for the others. */
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         s.scoped ? POLICY_SCOPE_WITH
                             "SELECT teams.id, teams.name FROM teams WHERE teams.id IN (SELECT id "
                             "FROM mt) ORDER BY teams.name, teams.id"
                                  : "SELECT id, name FROM teams ORDER BY name, id",
                         &st, ctx->err)))
        return rc;
    if (s.scoped) {
        db_bind_i64(st, 1, s.me);
        db_bind_i64(st, 2, s.me);
    }
    if ((rc = rows_collect(ctx, st, 500, read_team_ref, sizeof *out->teams, (void **)&out->teams,
                           &out->n_teams)))
        return rc;
    if (team_id) {
        int64_t exists = 0;
        rc = db_query_i64(ctx->db, "SELECT id FROM teams WHERE id = ?", 1, team_id, &exists,
                          ctx->err);
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            return kam_fail(ctx->err, KAM_EINVAL, "team_id", "no such team");
        }
        if (rc)
            return rc;
        int mine = !s.scoped;
        for (size_t i = 0; i < out->n_teams && !mine; i++)
            mine = out->teams[i].id == team_id;
        if (!mine)
            return kam_fail(ctx->err, KAM_EFORBIDDEN, "team_id",
                            "you may see the figures of the teams you lead only");
        out->team_id = team_id;
    }

    /* The people, by name. */
    struct sqlb q;
    sqlb_init(&q, ctx->a);
    ppl_with(&q, &s);
    sqlb_sql(&q, "SELECT users.id, users.name, users.login, users.role, users.team_id, teams.name "
                 "FROM users LEFT JOIN teams ON teams.id = users.team_id WHERE users.id IN "
                 "(SELECT uid FROM ppl) AND users.disabled = 0 ORDER BY users.name, users.id");
    if ((rc = sqlb_prepare(&q, ctx->db, &st, ctx->err)))
        return rc;
    if ((rc = rows_collect(ctx, st, HOME_MAX_PEOPLE + 1, read_person, sizeof *out->people,
                           (void **)&out->people, &out->n_people)))
        return rc;
    if (out->n_people > HOME_MAX_PEOPLE) {
        out->truncated = 1;
        out->n_people = HOME_MAX_PEOPLE;
    }

    int64_t now = ctx->now;
    struct bind none[1] = {{0, NULL}};
    if ((rc = figure(ctx, out, &s,
                     "SELECT owner_id, COUNT(*) FROM accounts WHERE owner_id IN (SELECT uid FROM "
                     "ppl) GROUP BY owner_id",
                     none, 0, offsetof(struct home_person, accounts), NULL)))
        return rc;
    struct bind vb[] = {{now, NULL}};
    if ((rc = figure(ctx, out, &s,
                     "SELECT owner_id, COUNT(*) FROM visits WHERE owner_id IN (SELECT uid FROM "
                     "ppl) AND status = 'planned' AND planned_at < ? GROUP BY owner_id",
                     vb, 1, offsetof(struct home_person, overdue_visits), NULL)))
        return rc;
    if ((rc = figure(ctx, out, &s,
                     "SELECT assignee_id, COUNT(*) FROM issues WHERE assignee_id IN (SELECT uid "
                     "FROM ppl) AND " OPEN_ISSUE " GROUP BY assignee_id",
                     none, 0, offsetof(struct home_person, open_issues), NULL)))
        return rc;
    struct bind ib[] = {{now, NULL}, {now, NULL}};
    if ((rc = figure(ctx, out, &s,
                     "SELECT assignee_id, COUNT(*) FROM issues WHERE assignee_id IN (SELECT uid "
                     "FROM ppl) AND " OPEN_ISSUE " AND " ISSUE_LATE " GROUP BY assignee_id",
                     ib, 2, offsetof(struct home_person, overdue_issues), NULL)))
        return rc;
    struct bind sb[] = {{now - stale_days * DAY, NULL}};
    if ((rc = figure(ctx, out, &s,
                     "SELECT accounts.owner_id, COUNT(*) FROM accounts WHERE accounts.owner_id IN "
                     "(SELECT uid FROM ppl) AND accounts.status <> 'lost' AND NOT EXISTS (SELECT "
                     "1 FROM interactions i WHERE i.account_id = accounts.id AND i.occurred_at >= "
                     "?) GROUP BY accounts.owner_id",
                     sb, 1, offsetof(struct home_person, stale_accounts), NULL)))
        return rc;
    if ((rc = attainment(ctx, out, &s, &per)))
        return rc;

    /* People with accounts or work first, each group in name order (a lead or a viewer with
     * nothing of their own goes to the end). */
    for (size_t i = 0; i < out->n_people; i++)
        out->people[i].order = (int64_t)i + (idle(&out->people[i]) ? (int64_t)out->n_people : 0);
    qsort(out->people, out->n_people, sizeof *out->people, by_order);

    int64_t offtrack;
    if ((rc = settings_get_i64(ctx, "kpi_offtrack_pct", 90, &offtrack)))
        return rc;
    struct home_person *tot = &out->totals;
    tot->name = tot->login = tot->role = "";
    for (size_t i = 0; i < out->n_people; i++) {
        struct home_person *p = &out->people[i];
        finish(p, out, offtrack);
        tot->accounts += p->accounts;
        tot->overdue_visits += p->overdue_visits;
        tot->open_issues += p->open_issues;
        tot->overdue_issues += p->overdue_issues;
        tot->stale_accounts += p->stale_accounts;
        tot->actual += p->actual;
        if (p->has_target) {
            tot->target += p->target;
            tot->has_target = 1;
        }
    }
    finish(tot, out, offtrack);

    /* Recent alerts: off-track KPIs (for readers of targets) and escalations sent to the
     * people (or the caller) in the last 30 days, newest first. */
    sqlb_init(&q, ctx->a);
    ppl_with(&q, &s);
    sqlb_sql(&q, "SELECT n.id, n.user_id, users.name, n.kind, n.title, n.body, n.link, "
                 "n.created_at, n.read_at, n.msg_key, n.params FROM notifications n JOIN users ON "
                 "users.id = n.user_id "
                 "WHERE (n.user_id IN (SELECT uid FROM ppl) OR n.user_id = ?) AND n.kind IN (");
    sqlb_sql(&q, out->targets ? "'kpi_off_track', 'issue_escalated'" : "'issue_escalated'");
    sqlb_sql(&q, ") AND n.created_at >= ? ORDER BY n.id DESC");
    sqlb_i64(&q, s.me);
    sqlb_i64(&q, now - 30 * DAY);
    if ((rc = sqlb_prepare(&q, ctx->db, &st, ctx->err)))
        return rc;
    return rows_collect(ctx, st, HOME_MAX_ALERTS, read_alert, sizeof *out->alerts,
                        (void **)&out->alerts, &out->n_alerts);
}
