/* alert.c -- the early-warning engine and the alerts' lifecycle (alert.h, docs/ALERTS.md).
 *
 * alerts_run evaluates every enabled rule over every account. A hit inserts the alert with
 * open_key = '<account>:<signal>' ON CONFLICT (open_key) DO NOTHING, so one alert per account
 * and signal exists while it is unresolved, also under schedulers racing on PostgreSQL; a hit
 * on an existing one refreshes it (value, evidence, severity, last_seen_at; not audited: the
 * engine's measurement, not a person's change, and no new version; only when it changed or a
 * day after its last write). An unresolved alert whose signal no longer fires gets cleared_at;
 * an alert nobody acknowledged is then resolved as "cleared" (audited), an acknowledged or
 * responding one stays for its owner to resolve. One resolved by someone while its signal still
 * fires keeps its open_key (no new alert) until the signal stops. A disabled rule's alerts and
 * those of a removed signal are closed. Who sees an alert: the objects its signal reads. */
#include "alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "health.h"
#include "risk.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/msg.h"
#include "svc/core/notify.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

/* ---- the signal tables ---- */

static const struct signal_def *const real_tables[] = {
    signals_volume,      signals_relationships, signals_needs, signals_credit,
    signals_competition, signals_contracts,     NULL,
};
static const struct signal_def *const *tables = real_tables;

void alerts_set_tables(const struct signal_def *const *t)
{
    tables = t ? t : real_tables;
}

const struct signal_def *alert_signal_at(size_t i)
{
    for (size_t t = 0; tables[t]; t++)
        for (const struct signal_def *d = tables[t]; d->key; d++)
            if (i-- == 0)
                return d;
    return NULL;
}

const struct signal_def *alert_signal_find(const char *key)
{
    if (!key)
        return NULL;
    for (size_t t = 0; tables[t]; t++)
        for (const struct signal_def *d = tables[t]; d->key; d++)
            if (!strcmp(d->key, key))
                return d;
    return NULL;
}

/* ---- who sees which signal ---- */

enum alert_sight alert_signal_sight(const struct principal *who, const struct signal_def *d)
{
    if (!d)
        return ALERT_SIGHT_ALL;
    int own = 0;
    for (size_t i = 0; i < SIGNAL_READS_MAX && d->reads[i]; i++) {
        enum grant g = policy_grant(who->role, d->reads[i], ACT_READ);
        if (g == GRANT_NONE)
            return ALERT_SIGHT_NONE;
        if (g == GRANT_SCOPE && !policy_list_scoped(who))
            own = 1;
    }
    return own ? ALERT_SIGHT_OWN : ALERT_SIGHT_ALL;
}

enum kam_err alert_user_may_read(struct kam_ctx *ctx, int64_t user_id, const struct signal_def *d,
                                 int64_t account_id, int *yes)
{
    *yes = 1;
    for (size_t i = 0; d && *yes && i < SIGNAL_READS_MAX && d->reads[i]; i++) {
        enum kam_err rc = policy_user_may(ctx, user_id, d->reads[i], ACT_READ, account_id, yes);
        if (rc)
            return rc;
    }
    return KAM_OK;
}

enum kam_err alert_may_read(struct kam_ctx *ctx, const char *signal, int64_t account_id, int *yes)
{
    const struct signal_def *d = alert_signal_find(signal);
    enum alert_sight s = alert_signal_sight(&ctx->who, d);
    *yes = s != ALERT_SIGHT_NONE;
    if (s != ALERT_SIGHT_OWN || ctx->who.user_id <= 0)
        return KAM_OK;
    return alert_user_may_read(ctx, ctx->who.user_id, d, account_id, yes);
}

const char *alert_hidden_signals_sql(struct kam_ctx *ctx)
{
    const char *out = "";
    for (size_t i = 0; ctx->who.user_id > 0; i++) {
        const struct signal_def *d = alert_signal_at(i);
        if (!d)
            break;
        if (alert_signal_sight(&ctx->who, d) == ALERT_SIGHT_NONE)
            out = arena_printf(ctx->a, "%s%s'%s'", out, *out ? ", " : "", d->key);
    }
    return out;
}

void alert_sight_begin(struct kam_ctx *ctx, struct sqlb *b, struct alert_sight_set *s)
{
    memset(s, 0, sizeof *s);
    size_t n = 0;
    while (alert_signal_at(n))
        n++;
    s->none = arena_calloc(ctx->a, n + 1, sizeof *s->none);
    s->own = arena_calloc(ctx->a, n + 1, sizeof *s->own);
    for (size_t i = 0; i < n; i++) {
        const struct signal_def *d = alert_signal_at(i);
        enum alert_sight k = alert_signal_sight(&ctx->who, d);
        if (k == ALERT_SIGHT_NONE)
            s->none[s->n_none++] = d->key;
        else if (k == ALERT_SIGHT_OWN)
            s->own[s->n_own++] = d->key;
    }
    s->scoped = policy_scope_with(ctx, b);
    if (!s->scoped && s->n_own) {
        sqlb_sql(b, POLICY_SCOPE_WITH);
        sqlb_i64(b, ctx->who.user_id);
        sqlb_i64(b, ctx->who.user_id);
    }
    s->with = s->scoped || s->n_own;
}

static void in_list(struct sqlb *b, const char *col, const char *op, const char **keys, size_t n)
{
    sqlb_sql(b, col);
    sqlb_sql(b, op);
    sqlb_sql(b, " (");
    for (size_t i = 0; i < n; i++) {
        sqlb_sql(b, i ? ", ?" : "?");
        sqlb_text(b, keys[i]);
    }
    sqlb_sql(b, ")");
}

void alert_sight_cond(struct sqlb *b, const struct alert_sight_set *s, const char *col)
{
    if (s->n_none) {
        sqlb_sql(b, " AND ");
        in_list(b, col, " NOT IN", s->none, s->n_none);
    }
    if (s->n_own && !s->scoped) {
        sqlb_sql(b, " AND (");
        in_list(b, col, " NOT IN", s->own, s->n_own);
        sqlb_sql(b, " OR " POLICY_SCOPE_COND ")");
    }
}

/* ---- reading ---- */

#define COLS                                                                                       \
    "alerts.id, alerts.account_id, alerts.signal, alerts.severity, alerts.dept, "                  \
    "alerts.value_milli, alerts.threshold_milli, alerts.evidence, alerts.status, "                 \
    "alerts.owner_id, alerts.acknowledged_by, alerts.acknowledged_at, alerts.response, "           \
    "alerts.response_due, alerts.resolved_by, alerts.resolved_at, alerts.resolution, "             \
    "alerts.cleared_at, alerts.risk_id, alerts.first_seen_at, alerts.last_seen_at, "               \
    "alerts.version, alerts.created_at, alerts.updated_at, accounts.name, "                        \
    "COALESCE(NULLIF(users.name, ''), users.login)"
#define FROM                                                                                       \
    " FROM alerts JOIN accounts ON accounts.id = alerts.account_id LEFT JOIN users ON users.id = " \
    "alerts.owner_id"

static const char *dup(struct kam_ctx *ctx, struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? NULL : arena_strdup(ctx->a, db_col_text(st, col));
}

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct alert *a = out;
    memset(a, 0, sizeof *a);
    a->id = db_col_i64(st, 0);
    a->account_id = db_col_i64(st, 1);
    a->signal = dup(ctx, st, 2);
    a->severity = dup(ctx, st, 3);
    a->dept = dup(ctx, st, 4);
    a->has_value = !db_col_is_null(st, 5);
    a->value_milli = db_col_i64(st, 5);
    a->has_threshold = !db_col_is_null(st, 6);
    a->threshold_milli = db_col_i64(st, 6);
    a->evidence = dup(ctx, st, 7);
    a->status = dup(ctx, st, 8);
    a->has_owner = !db_col_is_null(st, 9);
    a->owner_id = db_col_i64(st, 9);
    a->has_ack_by = !db_col_is_null(st, 10);
    a->acknowledged_by = db_col_i64(st, 10);
    a->has_ack_at = !db_col_is_null(st, 11);
    a->acknowledged_at = db_col_i64(st, 11);
    a->response = dup(ctx, st, 12);
    a->response_due = dup(ctx, st, 13);
    a->has_resolved_by = !db_col_is_null(st, 14);
    a->resolved_by = db_col_i64(st, 14);
    a->has_resolved_at = !db_col_is_null(st, 15);
    a->resolved_at = db_col_i64(st, 15);
    a->resolution = dup(ctx, st, 16);
    a->has_cleared = !db_col_is_null(st, 17);
    a->cleared_at = db_col_i64(st, 17);
    a->has_risk = !db_col_is_null(st, 18);
    a->risk_id = db_col_i64(st, 18);
    a->first_seen_at = db_col_i64(st, 19);
    a->last_seen_at = db_col_i64(st, 20);
    a->version = db_col_i64(st, 21);
    a->created_at = db_col_i64(st, 22);
    a->updated_at = db_col_i64(st, 23);
    a->account_name = dup(ctx, st, 24);
    a->owner_name = dup(ctx, st, 25);
    const struct signal_def *d = alert_signal_find(a->signal);
    a->unit = d ? d->unit : "count";
}

/* An alert of a signal the caller may not read is no alert to them (404, as one out of scope). */
enum kam_err alert_get(struct kam_ctx *ctx, int64_t id, struct alert *out)
{
    enum kam_err rc =
        row_get(ctx, "SELECT " COLS FROM " WHERE alerts.id = ?", id, read_row, out, "alert");
    int yes = 1;
    if (rc || (rc = alert_may_read(ctx, out->signal, out->account_id, &yes)))
        return rc;
    return yes ? KAM_OK : kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such alert");
}

static const char *const statuses[] = {"open", "acknowledged", "responding", "resolved", NULL};

static const struct page_sort sorts[] = {
    {"created_at", "alerts.created_at", 0},
};

enum kam_err alert_list(struct kam_ctx *ctx, const struct alert_query *q, struct alert **items_out,
                        size_t *n_out, const char **next_out)
{
    enum kam_err rc;
    if ((q->status && (rc = check_enum(ctx, "status", q->status, statuses))) ||
        (q->severity && (rc = check_enum(ctx, "severity", q->severity, alert_severities))) ||
        (q->signal && (rc = check_text(ctx, "signal", q->signal, 1, 100, CHECK_LINE))))
        return rc;
    if (q->dept && strcmp(q->dept, "mine") && (rc = check_enum(ctx, "dept", q->dept, alert_depts)))
        return rc;
    struct page_req pg;
    if ((rc = page_parse(ctx, sorts, 1, "-created_at", q->limit, q->cursor, &pg)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    struct alert_sight_set sight;
    alert_sight_begin(ctx, &b, &sight);
    sqlb_sql(&b, "SELECT " COLS FROM " WHERE 1 = 1");
    if (sight.scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    alert_sight_cond(&b, &sight, "alerts.signal");
    if (q->mine) {
        sqlb_sql(&b, " AND alerts.owner_id = ?");
        sqlb_i64(&b, ctx->who.user_id);
    }
    if (q->dept && !strcmp(q->dept, "mine")) {
        sqlb_sql(&b, " AND (alerts.dept IN (SELECT m.dept_role FROM account_members m WHERE "
                     "m.account_id = alerts.account_id AND m.user_id = ?)");
        sqlb_i64(&b, ctx->who.user_id);
        if (ctx->who.role == ROLE_FINANCE)
            sqlb_sql(&b, " OR alerts.dept = 'finance'");
        sqlb_sql(&b, ")");
    } else if (q->dept) {
        sqlb_sql(&b, " AND alerts.dept = ?");
        sqlb_text(&b, q->dept);
    }
    if (q->account_id) {
        sqlb_sql(&b, " AND alerts.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    if (q->status && !strcmp(q->status, "open"))
        sqlb_sql(&b, " AND alerts.status <> 'resolved'");
    else if (q->status) {
        sqlb_sql(&b, " AND alerts.status = ?");
        sqlb_text(&b, q->status);
    }
    if (q->severity) {
        sqlb_sql(&b, " AND alerts.severity = ?");
        sqlb_text(&b, q->severity);
    }
    if (q->signal) {
        sqlb_sql(&b, " AND alerts.signal = ?");
        sqlb_text(&b, q->signal);
    }
    struct alert *items;
    const struct alert *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "alerts.id", read_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, items[n - 1].created_at, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ---- writes (update_spec) ---- */

static const char *open_key(struct kam_ctx *ctx, int64_t account, const char *signal)
{
    return arena_printf(ctx->a, "%lld:%s", (long long)account, signal);
}

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return alert_get(ctx, id, rec);
}

static void diff_all(struct audit_diff *d, const struct alert *b, const struct alert *a)
{
    audit_diff_str(d, "status", b->status, a->status);
    audit_diff_i64(d, "owner_id", b->owner_id, !b->has_owner, a->owner_id, !a->has_owner);
    audit_diff_i64(d, "acknowledged_by", b->acknowledged_by, !b->has_ack_by, a->acknowledged_by,
                   !a->has_ack_by);
    audit_diff_time(d, "acknowledged_at", b->acknowledged_at, !b->has_ack_at, a->acknowledged_at,
                    !a->has_ack_at);
    audit_diff_str(d, "response", b->response, a->response);
    audit_diff_str(d, "response_due", b->response_due, a->response_due);
    audit_diff_i64(d, "resolved_by", b->resolved_by, !b->has_resolved_by, a->resolved_by,
                   !a->has_resolved_by);
    audit_diff_time(d, "resolved_at", b->resolved_at, !b->has_resolved_at, a->resolved_at,
                    !a->has_resolved_at);
    audit_diff_str(d, "resolution", b->resolution, a->resolution);
    audit_diff_i64(d, "risk_id", b->risk_id, !b->has_risk, a->risk_id, !a->has_risk);
}

static void up_diff(const struct update_op *op)
{
    diff_all(op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct alert *a = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "UPDATE alerts SET status = ?, owner_id = ?, acknowledged_by = ?, acknowledged_at = ?, "
        "response = ?, response_due = ?, resolved_by = ?, resolved_at = ?, resolution = ?, "
        "risk_id = ?, open_key = CASE WHEN ? = 1 AND cleared_at IS NOT NULL THEN NULL ELSE "
        "open_key END, version = version + "
        "1, updated_at = ? WHERE id = ? AND "
        "version = ?",
        &st, ctx->err);
    if (rc)
        return rc;
    int resolved = !strcmp(a->status, "resolved");
    db_bind_text(st, 1, a->status);
    db_bind_i64n(st, 2, a->owner_id, !a->has_owner);
    db_bind_i64n(st, 3, a->acknowledged_by, !a->has_ack_by);
    db_bind_i64n(st, 4, a->acknowledged_at, !a->has_ack_at);
    db_bind_text(st, 5, a->response ? a->response : "");
    if (a->response_due)
        db_bind_text(st, 6, a->response_due);
    else
        db_bind_null(st, 6);
    db_bind_i64n(st, 7, a->resolved_by, !a->has_resolved_by);
    db_bind_i64n(st, 8, a->resolved_at, !a->has_resolved_at);
    db_bind_text(st, 9, a->resolution ? a->resolution : "");
    db_bind_i64n(st, 10, a->risk_id, !a->has_risk);
    db_bind_i64(st, 11, resolved);
    db_bind_i64(st, 12, ctx->now);
    db_bind_i64(st, 13, a->id);
    db_bind_i64(st, 14, b->version);
    return db_run(st, ctx->err);
}

static int64_t up_account(const void *rec)
{
    return ((const struct alert *)rec)->account_id;
}

static enum kam_err up_merge(const struct update_op *op, void *rec);

static const struct update_spec alert_spec = {
    .entity = "alert",
    .size = sizeof(struct alert),
    .versioned = 1,
    .version_at = offsetof(struct alert, version),
    .in_set_at = offsetof(struct alert_in, set),
    .in_version_at = offsetof(struct alert_in, v.version),
    .in_version_bit = AL_VERSION,
    .get = up_get,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
};

static enum kam_err not_resolved(struct kam_ctx *ctx, const struct alert *a)
{
    if (!strcmp(a->status, "resolved"))
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "alert.resolved",
                            (struct kam_param[]){{0}}, "the alert is resolved");
    return KAM_OK;
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    struct alert *a = rec;
    const struct alert_in *in = op->in;
    struct kam_ctx *ctx = op->ctx;
    enum kam_err rc = not_resolved(ctx, a);
    if (rc)
        return rc;
    if (in->set & AL_RESPONSE) {
        if ((rc = check_text(ctx, "response", in->v.response ? in->v.response : "", 0,
                             ALERT_RESPONSE_MAX, CHECK_MULTILINE)))
            return rc;
        a->response = in->v.response ? in->v.response : "";
    }
    if (in->set & AL_DUE) {
        if (in->v.response_due && (rc = check_date(ctx, "response_due", in->v.response_due)))
            return rc;
        a->response_due = in->v.response_due;
    }
    if (in->set & AL_OWNER) {
        if (!in->v.has_owner)
            return kam_fail_key(ctx->err, KAM_EINVAL, "owner_id", "required",
                                (struct kam_param[]){{"field", "owner_id"}, {0}},
                                "owner_id is required");
        int may = 0;
        if ((rc = policy_user_may(ctx, in->v.owner_id, OBJ_ALERT, ACT_UPDATE, a->account_id, &may)))
            return rc;
        /* and who may read what the signal reads (a service user owns no receivables alert) */
        if (may && (rc = alert_user_may_read(ctx, in->v.owner_id, alert_signal_find(a->signal),
                                             a->account_id, &may)))
            return rc;
        if (!may)
            return kam_fail_key(ctx->err, KAM_EINVAL, "owner_id", "alert.owner",
                                (struct kam_param[]){{0}},
                                "the owner must be someone who may work on the account's alerts");
        a->owner_id = in->v.owner_id;
        a->has_owner = 1;
    }
    /* a response plan given: the alert is being responded to (acknowledged on the way) */
    if (a->response && *a->response && strcmp(a->status, "responding")) {
        if (!a->has_ack_at) {
            a->has_ack_by = ctx->who.user_id > 0;
            a->acknowledged_by = ctx->who.user_id;
            a->acknowledged_at = ctx->now;
            a->has_ack_at = 1;
        }
        a->status = "responding";
    }
    return KAM_OK;
}

enum kam_err alert_update(struct kam_ctx *ctx, int64_t id, const struct alert_in *in,
                          struct alert *out)
{
    return record_update(ctx, &alert_spec, id, in, out);
}

/* A workflow move: load, change, record_save with action, reload. */
typedef enum kam_err (*move_fn)(struct kam_ctx *ctx, struct alert *a, const void *arg);

static enum kam_err move(struct kam_ctx *ctx, int64_t id, move_fn fn, const void *arg,
                         const char *action, struct alert *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct alert before, after;
    if (!(rc = alert_get(ctx, id, &before))) {
        after = before;
        if (!(rc = fn(ctx, &after, arg)))
            rc = record_save(ctx, &alert_spec, id, &before, &after, NULL, action, NULL);
    }
    if (!rc)
        rc = alert_get(ctx, id, out);
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err do_ack(struct kam_ctx *ctx, struct alert *a, const void *arg)
{
    (void)arg;
    if (strcmp(a->status, "open"))
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "alert.not_open",
                            (struct kam_param[]){{"status", a->status}, {0}},
                            "the alert is no longer open");
    a->status = "acknowledged";
    a->has_ack_by = ctx->who.user_id > 0;
    a->acknowledged_by = ctx->who.user_id;
    a->has_ack_at = 1;
    a->acknowledged_at = ctx->now;
    return KAM_OK;
}

enum kam_err alert_acknowledge(struct kam_ctx *ctx, int64_t id, struct alert *out)
{
    return move(ctx, id, do_ack, NULL, "acknowledge", out);
}

static enum kam_err do_resolve(struct kam_ctx *ctx, struct alert *a, const void *arg)
{
    const char *resolution = arg;
    enum kam_err rc = not_resolved(ctx, a);
    if (rc)
        return rc;
    if (!resolution || !*resolution)
        return kam_fail_key(ctx->err, KAM_EINVAL, "resolution", "required",
                            (struct kam_param[]){{"field", "resolution"}, {0}},
                            "resolution is required");
    if ((rc = check_text(ctx, "resolution", resolution, 1, ALERT_RESOLUTION_MAX, CHECK_MULTILINE)))
        return rc;
    a->status = "resolved";
    a->resolution = resolution;
    a->has_resolved_by = ctx->who.user_id > 0;
    a->resolved_by = ctx->who.user_id;
    a->has_resolved_at = 1;
    a->resolved_at = ctx->now;
    return KAM_OK;
}

enum kam_err alert_resolve(struct kam_ctx *ctx, int64_t id, const char *resolution,
                           struct alert *out)
{
    return move(ctx, id, do_resolve, resolution, "resolve", out);
}

const char *alert_risk_category(const char *signal, const char *dept)
{
    for (size_t i = 0; signals_competition[i].key; i++)
        if (signal && !strcmp(signals_competition[i].key, signal))
            return "competitive";
    if (signal && strstr(signal, "competit"))
        return "competitive";
    for (size_t i = 0; signals_credit[i].key; i++)
        if (signal && !strcmp(signals_credit[i].key, signal))
            return "credit";
    if (dept && !strcmp(dept, "finance"))
        return "credit";
    return "operating";
}

static enum kam_err do_link(struct kam_ctx *ctx, struct alert *a, const void *arg)
{
    (void)ctx;
    a->risk_id = *(const int64_t *)arg;
    a->has_risk = 1;
    return KAM_OK;
}

/* "预警：<the signal's name>" (stored text is Simplified Chinese, as the users' default
 * language; the risk links the alert, which every reader sees in their own language). */
static const char *alert_risk_title(struct kam_ctx *ctx, const char *signal)
{
    char name[160];
    if (msg_render(MSG_ZH_CN, arena_printf(ctx->a, "enum.signal.%s", signal), NULL, 0, name,
                   sizeof name) < 0)
        snprintf(name, sizeof name, "%s", signal);
    return arena_printf(ctx->a, "预警：%s", name);
}

enum kam_err alert_raise_risk(struct kam_ctx *ctx, int64_t id, int64_t *risk_id, int *created)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct alert a;
    if (!(rc = alert_get(ctx, id, &a))) {
        static const int sev_likelihood[] = {2, 3, 4, 5};
        int sev = (int)alert_severity_parse(a.severity);
        struct risk_raise_in in = {
            .account_id = a.account_id,
            .category = alert_risk_category(a.signal, a.dept),
            /* the signal's name and a link, not the evidence: the risk's readers are not all
             * the alert's (who reads which signal: alert_may_read) */
            .title = alert_risk_title(ctx, a.signal),
            .description = arena_printf(ctx->a, "见预警 #%lld", (long long)a.id),
            .likelihood = sev_likelihood[sev],
            .impact = sev_likelihood[sev],
            .owner_id = a.has_owner ? a.owner_id : 0,
            .source = "alert",
            .source_id = a.id,
        };
        rc = risk_raise(ctx, &in, risk_id, created);
        if (!rc && (!a.has_risk || a.risk_id != *risk_id)) {
            struct alert out;
            rc = move(ctx, id, do_link, risk_id, "update", &out);
        }
    }
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- the engine ---- */

struct hits {
    struct kam_ctx *ctx;
    struct signal_hit *v;
    size_t n, cap;
};

static enum kam_err keep_hit(void *arg, const struct signal_hit *hit)
{
    struct hits *h = arg;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        struct signal_hit *v = arena_calloc(h->ctx->a, cap, sizeof *v);
        if (h->n)
            memcpy(v, h->v, h->n * sizeof *v);
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n] = *hit;
    h->v[h->n].evidence =
        arena_strdup(h->ctx->a, hit->evidence && *hit->evidence ? hit->evidence : "{}");
    h->n++;
    return KAM_OK;
}

/* Notifies the owner, the account team members of the rule's department, finance for finance
 * alerts and, for a critical one, the owner's team lead. */
static enum kam_err notify_new(struct kam_ctx *ctx, int64_t alert_id, int64_t account,
                               const char *dept, const char *severity, const struct signal_def *d)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT owner_id FROM accounts WHERE id = ? UNION SELECT user_id FROM account_members "
        "WHERE account_id = ? AND dept_role = ? UNION SELECT id FROM users WHERE role = "
        "'finance' AND disabled = 0 AND ? = 'finance' UNION SELECT t.manager_id FROM accounts a "
        "JOIN users u ON u.id = a.owner_id JOIN teams t ON t.id = u.team_id WHERE a.id = ? AND "
        "? = 'critical' AND t.manager_id IS NOT NULL",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account);
    db_bind_i64(st, 2, account);
    db_bind_text(st, 3, dept);
    db_bind_text(st, 4, dept);
    db_bind_i64(st, 5, account);
    db_bind_text(st, 6, severity);
    int64_t users[64];
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row)
        if (n < 64 && !db_col_is_null(st, 0))
            users[n++] = db_col_i64(st, 0);
    db_done(st);
    const char *name = "";
    if (!rc) {
        if ((rc = db_prepare(ctx->db, "SELECT name FROM accounts WHERE id = ?", &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, account);
        if (!(rc = db_step(st, &row, ctx->err)) && row)
            name = arena_strdup(ctx->a, db_col_text(st, 0));
        db_done(st);
    }
    for (size_t i = 0; !rc && i < n; i++) {
        /* only people who may read what the signal reads on the account */
        int may = 0;
        if ((rc = alert_user_may_read(ctx, users[i], d, account, &may)) || !may)
            continue;
        rc = notify_add_msg(
            ctx, users[i], "alert", "notify.alert_raised",
            (struct kam_param[]){{"name", name}, {"signal", d ? d->key : ""}, {0}}, "",
            arena_printf(ctx->a, "/alerts/%lld", (long long)alert_id),
            arena_printf(ctx->a, "alert:%lld:%lld", (long long)alert_id, (long long)users[i]),
            NULL);
    }
    return rc;
}

/* An alert of the signal holding its account's open_key: unresolved, or resolved by someone
 * while the signal still fired (kept resolved until the signal stops firing). */
struct held {
    int64_t id, account, value, threshold, cleared_at, last_seen_at;
    int has_value, has_threshold, has_cleared, resolved, open;
    int canon; /* keyed '<account>:<signal>' by the engine (a row keyed otherwise: only cleared) */
    const char *evidence, *severity;
};

/* The signal's alerts holding an open_key, by account (the engine's key '<account>:<signal>'). */
static enum kam_err held_load(struct kam_ctx *ctx, const char *signal, struct held **out,
                              size_t *n_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT id, account_id, status, value_milli, threshold_milli, evidence, severity, "
        "cleared_at, last_seen_at, open_key FROM alerts WHERE signal = ? AND open_key IS NOT NULL "
        "ORDER BY account_id, id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, signal);
    struct held *v = NULL;
    size_t n = 0, cap = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            struct held *nv = arena_calloc(ctx->a, cap, sizeof *nv);
            if (n)
                memcpy(nv, v, n * sizeof *nv);
            v = nv;
        }
        struct held *x = &v[n];
        memset(x, 0, sizeof *x);
        x->id = db_col_i64(st, 0);
        x->account = db_col_i64(st, 1);
        const char *status = db_col_text(st, 2);
        x->resolved = !strcmp(status, "resolved");
        x->open = !strcmp(status, "open");
        x->has_value = !db_col_is_null(st, 3);
        x->value = db_col_i64(st, 3);
        x->has_threshold = !db_col_is_null(st, 4);
        x->threshold = db_col_i64(st, 4);
        x->evidence = dup(ctx, st, 5);
        x->severity = dup(ctx, st, 6);
        x->has_cleared = !db_col_is_null(st, 7);
        x->cleared_at = db_col_i64(st, 7);
        x->last_seen_at = db_col_i64(st, 8);
        x->canon = !strcmp(db_col_text(st, 9), open_key(ctx, x->account, signal));
        n++;
    }
    db_done(st);
    *out = v;
    *n_out = n;
    return rc;
}

static const struct held *held_of(const struct held *v, size_t n, int64_t account)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid].account < account)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n && v[lo].account == account; lo++)
        if (v[lo].canon)
            return &v[lo];
    return NULL;
}

static int same_str(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/* A hit on the alert holding the key: nothing while someone resolved it (it stays resolved until
 * the signal stops firing); otherwise refreshed only when the measurement changed, it had been
 * cleared, or it was last written a day ago or more (last_seen_at: at least daily). */
static enum kam_err refresh(struct kam_ctx *ctx, const struct alert_rule *r,
                            const struct signal_hit *h, const struct held *x, int *written)
{
    if (x->resolved)
        return KAM_OK;
    if (x->has_value && x->value == h->value_milli && x->has_threshold &&
        x->threshold == r->threshold_milli && same_str(x->evidence, h->evidence) &&
        same_str(x->severity, r->severity) && !x->has_cleared &&
        ctx->now - x->last_seen_at < ALERT_SEEN_EVERY)
        return KAM_OK;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "UPDATE alerts SET value_milli = ?, threshold_milli = ?, evidence = ?, "
                   "severity = ?, last_seen_at = ?, cleared_at = NULL WHERE id = ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, h->value_milli);
    db_bind_i64(st, 2, r->threshold_milli);
    db_bind_text(st, 3, h->evidence);
    db_bind_text(st, 4, r->severity);
    db_bind_i64(st, 5, ctx->now);
    db_bind_i64(st, 6, x->id);
    if (!(rc = db_run(st, ctx->err)))
        (*written)++;
    return rc;
}

static enum kam_err raise(struct kam_ctx *ctx, const struct alert_rule *r,
                          const struct signal_hit *h, int *raised)
{
    const char *key = open_key(ctx, h->account_id, r->signal);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO alerts (account_id, signal, open_key, severity, dept, value_milli, "
        "threshold_milli, evidence, status, owner_id, first_seen_at, last_seen_at, version, "
        "created_at, updated_at) SELECT id, ?, ?, ?, ?, ?, ?, ?, 'open', owner_id, ?, ?, 1, ?, ? "
        "FROM accounts WHERE id = ? ON CONFLICT (open_key) DO NOTHING RETURNING id, owner_id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, r->signal);
    db_bind_text(st, 2, key);
    db_bind_text(st, 3, r->severity);
    db_bind_text(st, 4, r->dept);
    db_bind_i64(st, 5, h->value_milli);
    db_bind_i64(st, 6, r->threshold_milli);
    db_bind_text(st, 7, h->evidence);
    for (int i = 8; i <= 11; i++)
        db_bind_i64(st, i, ctx->now);
    db_bind_i64(st, 12, h->account_id);
    int row = 0;
    int64_t id = 0, owner = 0;
    if (!(rc = db_step(st, &row, ctx->err)) && row) {
        id = db_col_i64(st, 0);
        owner = db_col_i64(st, 1);
    }
    db_done(st);
    /* no row: a scheduler racing this one raised it a moment ago */
    if (rc || !id)
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "signal", NULL, r->signal);
    audit_diff_str(&d, "severity", NULL, r->severity);
    audit_diff_str(&d, "dept", NULL, r->dept);
    audit_diff_i64(&d, "value_milli", 0, 1, h->value_milli, 0);
    audit_diff_i64(&d, "threshold_milli", 0, 1, r->threshold_milli, 0);
    audit_diff_i64(&d, "owner_id", 0, 1, owner, 0);
    audit_diff_str(&d, "status", NULL, "open");
    if ((rc = audit_write(ctx, "alert", id, h->account_id, "raise", &d)))
        return rc;
    (*raised)++;
    return notify_new(ctx, id, h->account_id, r->dept, r->severity, r->def);
}

static int by_account(const void *x, const void *y)
{
    int64_t a = ((const struct signal_hit *)x)->account_id,
            b = ((const struct signal_hit *)y)->account_id;
    return a < b ? -1 : a > b;
}

/* h sorted by account */
static int hit_has(const struct hits *h, int64_t account)
{
    struct signal_hit key = {.account_id = account};
    return h->n && bsearch(&key, h->v, h->n, sizeof key, by_account) != NULL;
}

/* The engine closes an alert: cleared_at (which frees its open_key once resolved), then, when
 * resolve is set and it is not resolved yet, resolved with that resolution (audited). */
static enum kam_err close_one(struct kam_ctx *ctx, const struct held *x, const char *resolution,
                              int *cleared)
{
    struct db_stmt *st;
    enum kam_err rc;
    if (x->resolved) { /* resolved while firing: the signal stopped, the key is free again */
        if ((rc = db_prepare(ctx->db,
                             "UPDATE alerts SET cleared_at = ?, open_key = NULL WHERE id = ?", &st,
                             ctx->err)))
            return rc;
        db_bind_i64(st, 1, ctx->now);
        db_bind_i64(st, 2, x->id);
        return db_run(st, ctx->err);
    }
    if (!x->has_cleared) {
        if ((rc = db_prepare(ctx->db, "UPDATE alerts SET cleared_at = ? WHERE id = ?", &st,
                             ctx->err)))
            return rc;
        db_bind_i64(st, 1, ctx->now);
        db_bind_i64(st, 2, x->id);
        if ((rc = db_run(st, ctx->err)))
            return rc;
        (*cleared)++;
    }
    if (!resolution)
        return KAM_OK;
    struct alert out;
    return move(ctx, x->id, do_resolve, resolution, "resolve", &out);
}

enum kam_err alerts_run_rule(struct kam_ctx *ctx, const struct alert_rule *r, int *raised,
                             int *cleared)
{
    struct hits h = {ctx, NULL, 0, 0};
    enum kam_err rc;
    if (r->enabled) {
        struct signal_rule sr = {
            r->def,  r->enabled, r->threshold_milli, alert_severity_parse(r->severity),
            r->dept, r->params};
        if ((rc = r->def->eval(ctx, &sr, NULL, 0, keep_hit, &h)))
            return rc;
        if (h.n > 1)
            qsort(h.v, h.n, sizeof *h.v, by_account);
    }
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct held *held = NULL;
    size_t nh = 0;
    int written = 0;
    rc = held_load(ctx, r->signal, &held, &nh);
    for (size_t i = 0; !rc && i < h.n; i++) {
        const struct held *x = held_of(held, nh, h.v[i].account_id);
        rc = x ? refresh(ctx, r, &h.v[i], x, &written) : raise(ctx, r, &h.v[i], raised);
    }
    /* what did not fire: cleared; nobody working on it (open): resolved as cleared; resolved
     * while it fired: its key freed. A disabled rule's alerts are all closed, whoever works on
     * them: the company stopped watching the signal. */
    for (size_t i = 0; !rc && i < nh; i++) {
        const struct held *x = &held[i];
        if (!r->enabled)
            rc = close_one(ctx, x, ALERT_RESOLVED_RULE_OFF, cleared);
        else if (hit_has(&h, x->account))
            continue;
        else if (x->resolved)
            rc = close_one(ctx, x, NULL, cleared);
        else if (!x->has_cleared)
            rc = close_one(ctx, x, x->open ? ALERT_RESOLVED_CLEARED : NULL, cleared);
    }
    return db_end(ctx->db, rc, ctx->err);
}

/* Alerts of a signal no table has any more (a chapter dropped it): closed as signal_removed.
 * The signals holding keys come from the partial index alerts_signal_open. */
static enum kam_err close_removed(struct kam_ctx *ctx, int *cleared)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT DISTINCT signal FROM alerts WHERE open_key IS NOT NULL ORDER BY signal",
        &st, ctx->err);
    if (rc)
        return rc;
    const char **gone = NULL;
    size_t n = 0, cap = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (alert_signal_find(db_col_text(st, 0)))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            const char **nv = arena_calloc(ctx->a, cap, sizeof *nv);
            if (n)
                memcpy(nv, gone, n * sizeof *nv);
            gone = nv;
        }
        gone[n++] = arena_strdup(ctx->a, db_col_text(st, 0));
    }
    db_done(st);
    for (size_t i = 0; !rc && i < n; i++) {
        struct held *v;
        size_t nv;
        if ((rc = db_begin(ctx->db, ctx->err)))
            break;
        rc = held_load(ctx, gone[i], &v, &nv);
        for (size_t k = 0; !rc && k < nv; k++)
            rc = close_one(ctx, &v[k], ALERT_RESOLVED_SIGNAL_GONE, cleared);
        rc = db_end(ctx->db, rc, ctx->err);
    }
    return rc;
}

enum kam_err alerts_run(struct kam_ctx *ctx, int *raised, int *cleared)
{
    *raised = *cleared = 0;
    struct alert_rule *rules;
    size_t n;
    enum kam_err rc = alert_rules_list(ctx, &rules, &n);
    for (size_t i = 0; !rc && i < n; i++)
        rc = alerts_run_rule(ctx, &rules[i], raised, cleared);
    if (!rc)
        rc = close_removed(ctx, cleared);
    if (!rc)
        rc = health_score_all(ctx);
    return rc;
}
