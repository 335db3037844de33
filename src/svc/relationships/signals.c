/* signals.c -- the relationships signals of the early-warning engine (svc/core/signal.h,
 * docs/SIGNALS.md): a key person not contacted for long, a key person removed, planned visits
 * past their date, SLA breaches. One set-based query each, rows in account order; read only. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/jw.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/signal.h"

#define EV_MAX_ITEMS 20 /* records listed in one hit's evidence (the count is complete) */
#define DAY 86400

/* One account's hit being built: its evidence object with a list of records. */
struct acc {
    int64_t account, value, count;
    int open;
    struct buf b;
    struct jw w;
};

static void acc_start(struct acc *x, int64_t account, const char *list)
{
    x->account = account;
    x->value = x->count = 0;
    x->open = 1;
    buf_init(&x->b, 1 << 16);
    jw_init(&x->w, &x->b);
    jw_obj_begin(&x->w);
    jw_key(&x->w, list);
    jw_arr_begin(&x->w);
}

/* Closes the evidence (its count added) and emits the hit when the value fires. */
static enum kam_err acc_end(struct kam_ctx *ctx, struct acc *x, const struct signal_rule *rule,
                            signal_emit_fn emit, void *arg)
{
    if (!x->open)
        return KAM_OK;
    x->open = 0;
    jw_arr_end(&x->w);
    jw_ki64(&x->w, "count", x->count);
    jw_obj_end(&x->w);
    enum kam_err rc = KAM_OK;
    if (!buf_ok(&x->b))
        rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    else if (signal_fires(rule, x->value)) {
        struct signal_hit h = {x->account, x->value,
                               arena_strndup(ctx->a, x->b.data ? x->b.data : "", x->b.len)};
        rc = emit(arg, &h);
    }
    buf_release(&x->b);
    return rc;
}

static void acc_abort(struct acc *x)
{
    if (x->open)
        buf_release(&x->b);
    x->open = 0;
}

/* ---- key_contact_stale ---- */

/* The account's key people (contact.c's: decision maker or champion) by whole days since they
 * were last contacted (never: since they were recorded); value: the most days. The evidence
 * lists the key people at or past the threshold. */
static enum kam_err eval_contact_stale(struct kam_ctx *ctx, const struct signal_rule *rule,
                                       const int64_t *accounts, size_t n, signal_emit_fn emit,
                                       void *arg)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT c.account_id, c.id, c.name, (CAST(? AS BIGINT) - "
                 "COALESCE(c.last_contacted_at, c.created_at)) / 86400, CASE WHEN "
                 "c.last_contacted_at IS NULL THEN 1 ELSE 0 END FROM contacts c JOIN accounts a ON "
                 "a.id = c.account_id WHERE "
                 "c.decision_role IN ('decision_maker', 'champion')");
    sqlb_i64(&b, ctx->now);
    struct signal_want w = signal_want_of(ctx, accounts, n);
    signal_account_cond(&b, accounts, n);
    sqlb_sql(&b, " ORDER BY c.account_id, 4 DESC, c.id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct acc x = {0};
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (!signal_wanted(&w, db_col_i64(st, 0)))
            continue;
        int64_t account = db_col_i64(st, 0), days = db_col_i64(st, 3);
        if (x.open && x.account != account && (rc = acc_end(ctx, &x, rule, emit, arg)))
            break;
        if (!x.open) {
            acc_start(&x, account, "contacts");
            x.value = days * 1000; /* the first row has the most days */
        }
        if (days * 1000 < rule->threshold_milli)
            continue;
        if (x.count++ < EV_MAX_ITEMS) {
            jw_obj_begin(&x.w);
            jw_ki64(&x.w, "id", db_col_i64(st, 1));
            jw_kstr(&x.w, "name", db_col_text(st, 2));
            jw_ki64(&x.w, "days", days);
            jw_kbool(&x.w, "never", (int)db_col_i64(st, 4));
            jw_obj_end(&x.w);
        }
    }
    db_done(st);
    if (!rc)
        rc = acc_end(ctx, &x, rule, emit, arg);
    acc_abort(&x);
    return rc;
}

/* ---- key_contact_gone ---- */

/* KAM has no "left the company" flag: a person who leaves is removed from the account, and the
 * removal is audited with the record as it was. value: the key people (decision maker or
 * champion when removed) removed in the last `days` days. */
static enum kam_err eval_contact_gone(struct kam_ctx *ctx, const struct signal_rule *rule,
                                      const int64_t *accounts, size_t n, signal_emit_fn emit,
                                      void *arg)
{
    int64_t days;
    enum kam_err rc = signal_param_days(ctx, rule, 90, &days);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT au.account_id, au.entity_id, au.at, au.changes FROM audit au JOIN "
                 "accounts a ON a.id = au.account_id WHERE au.entity = 'contact' AND au.action = "
                 "'delete' AND au.at > ? AND au.at <= ?");
    sqlb_i64(&b, ctx->now - days * DAY);
    sqlb_i64(&b, ctx->now);
    struct signal_want w = signal_want_of(ctx, accounts, n);
    signal_account_cond(&b, accounts, n);
    sqlb_sql(&b, " ORDER BY au.account_id, au.at DESC, au.id DESC");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    struct acc x = {0};
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (!signal_wanted(&w, db_col_i64(st, 0)))
            continue;
        int64_t account = db_col_i64(st, 0);
        json_error_t je;
        json_t *ch = json_loads(db_col_text(st, 3), 0, &je);
        if (!ch) { /* kam writes every audit row's changes as a JSON object */
            rc = json_error_code(&je) == json_error_out_of_memory
                     ? kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory")
                     : kam_fail(ctx->err, KAM_EINTERNAL, "", "an audit row is not JSON");
            break;
        }
        const char *role =
            json_string_value(json_array_get(json_object_get(ch, "decision_role"), 0));
        int key = role && (!strcmp(role, "decision_maker") || !strcmp(role, "champion"));
        if (!key) {
            json_decref(ch);
            continue;
        }
        if (x.open && x.account != account && (rc = acc_end(ctx, &x, rule, emit, arg))) {
            json_decref(ch);
            break;
        }
        if (!x.open)
            acc_start(&x, account, "contacts");
        x.value += 1000;
        if (x.count++ < EV_MAX_ITEMS) {
            jw_obj_begin(&x.w);
            jw_ki64(&x.w, "id", db_col_i64(st, 1));
            jw_kstr(&x.w, "name",
                    json_string_value(json_array_get(json_object_get(ch, "name"), 0)));
            jw_kstr(&x.w, "decision_role", role);
            jw_ktime(&x.w, "removed_at", db_col_i64(st, 2));
            jw_obj_end(&x.w);
        }
        json_decref(ch);
    }
    db_done(st);
    if (!rc)
        rc = acc_end(ctx, &x, rule, emit, arg);
    acc_abort(&x);
    return rc;
}

/* ---- visits_overdue ---- */

/* Planned visits past their time and not done (visit.c's overdue: status planned, planned_at
 * before now). value: how many. */
static enum kam_err eval_visits_overdue(struct kam_ctx *ctx, const struct signal_rule *rule,
                                        const int64_t *accounts, size_t n, signal_emit_fn emit,
                                        void *arg)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT v.account_id, v.id, v.planned_at, v.purpose, v.kind FROM visits v JOIN "
                 "accounts a ON a.id = v.account_id WHERE v.status = 'planned' AND v.planned_at "
                 "< ?");
    sqlb_i64(&b, ctx->now);
    struct signal_want w = signal_want_of(ctx, accounts, n);
    signal_account_cond(&b, accounts, n);
    sqlb_sql(&b, " ORDER BY v.account_id, v.planned_at, v.id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct acc x = {0};
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (!signal_wanted(&w, db_col_i64(st, 0)))
            continue;
        int64_t account = db_col_i64(st, 0);
        if (x.open && x.account != account && (rc = acc_end(ctx, &x, rule, emit, arg)))
            break;
        if (!x.open)
            acc_start(&x, account, "visits");
        x.value += 1000;
        if (x.count++ < EV_MAX_ITEMS) {
            jw_obj_begin(&x.w);
            jw_ki64(&x.w, "id", db_col_i64(st, 1));
            jw_ktime(&x.w, "planned_at", db_col_i64(st, 2));
            jw_kstr(&x.w, "purpose", db_col_text(st, 3));
            jw_kstr(&x.w, "kind", db_col_text(st, 4));
            jw_obj_end(&x.w);
        }
    }
    db_done(st);
    if (!rc)
        rc = acc_end(ctx, &x, rule, emit, arg);
    acc_abort(&x);
    return rc;
}

/* ---- sla_breach ---- */

/* Issues whose response or resolution deadline fell in the last `days` days and was missed
 * (answered or resolved after it, or not at all by now). value: how many issues. */
static enum kam_err eval_sla_breach(struct kam_ctx *ctx, const struct signal_rule *rule,
                                    const int64_t *accounts, size_t n, signal_emit_fn emit,
                                    void *arg)
{
    int64_t days;
    enum kam_err rc = signal_param_days(ctx, rule, 30, &days);
    if (rc)
        return rc;
    int64_t since = ctx->now - days * DAY;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT i.account_id, i.id, i.severity, CASE WHEN i.response_due_at >= ? AND "
                 "i.response_due_at < ? AND (i.first_response_at IS NULL OR i.first_response_at "
                 "> i.response_due_at) THEN 1 ELSE 0 END, CASE WHEN i.resolution_due_at >= ? "
                 "AND i.resolution_due_at < ? AND (i.resolved_at IS NULL OR i.resolved_at > "
                 "i.resolution_due_at) THEN 1 ELSE 0 END, i.response_due_at, i.resolution_due_at "
                 "FROM issues i JOIN accounts a ON a.id = i.account_id WHERE ((i.response_due_at "
                 ">= ? AND i.response_due_at < ? AND (i.first_response_at IS NULL OR "
                 "i.first_response_at > i.response_due_at)) OR (i.resolution_due_at >= ? AND "
                 "i.resolution_due_at < ? AND (i.resolved_at IS NULL OR i.resolved_at > "
                 "i.resolution_due_at)))");
    for (int k = 0; k < 4; k++) {
        sqlb_i64(&b, since);
        sqlb_i64(&b, ctx->now);
    }
    struct signal_want w = signal_want_of(ctx, accounts, n);
    signal_account_cond(&b, accounts, n);
    sqlb_sql(&b, " ORDER BY i.account_id, i.id");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    struct acc x = {0};
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (!signal_wanted(&w, db_col_i64(st, 0)))
            continue;
        int64_t account = db_col_i64(st, 0);
        if (x.open && x.account != account && (rc = acc_end(ctx, &x, rule, emit, arg)))
            break;
        if (!x.open)
            acc_start(&x, account, "issues");
        x.value += 1000;
        if (x.count++ < EV_MAX_ITEMS) {
            jw_obj_begin(&x.w);
            jw_ki64(&x.w, "id", db_col_i64(st, 1));
            jw_kstr(&x.w, "severity", db_col_text(st, 2));
            jw_kbool(&x.w, "response", (int)db_col_i64(st, 3));
            jw_kbool(&x.w, "resolution", (int)db_col_i64(st, 4));
            jw_ktime(&x.w, "response_due_at", db_col_i64(st, 5));
            jw_ktime(&x.w, "resolution_due_at", db_col_i64(st, 6));
            jw_obj_end(&x.w);
        }
    }
    db_done(st);
    if (!rc)
        rc = acc_end(ctx, &x, rule, emit, arg);
    acc_abort(&x);
    return rc;
}

/* key, unit, threshold, severity, dept, params, higher_is_worse, eval, the policy objects read
 * (signal.h: who sees its alerts) */
/* clang-format off */
const struct signal_def signals_relationships[] = {
    {"key_contact_stale", "days", 90000, SIGNAL_MEDIUM, "sales", "{}", 1, eval_contact_stale,
     {OBJ_CONTACT}},
    {"key_contact_gone", "count", 1000, SIGNAL_MEDIUM, "sales", "{\"days\": 90}", 1,
     eval_contact_gone, {OBJ_CONTACT}},
    {"visits_overdue", "count", 1000, SIGNAL_MEDIUM, "sales", "{}", 1, eval_visits_overdue,
     {OBJ_VISIT}},
    {"sla_breach", "count", 1000, SIGNAL_HIGH, "service", "{\"days\": 30}", 1, eval_sla_breach,
     {OBJ_ISSUE}},
    {0},
};
/* clang-format on */
