/* alert.c -- the early-warning engine and the alerts' lifecycle (alert.h, docs/ALERTS.md).
 *
 * alerts_run evaluates every enabled rule over every account. A hit inserts the alert with
 * open_key = '<account>:<signal>' ON CONFLICT (open_key) DO NOTHING, so one alert per account
 * and signal exists while it is unresolved, also under schedulers racing on PostgreSQL; a hit
 * on an existing one refreshes it (value, evidence, severity, last_seen_at; not audited: the
 * engine's measurement, not a person's change, and no new version). An unresolved alert whose
 * signal no longer fires gets cleared_at; an alert nobody acknowledged is then resolved as
 * "cleared" (audited), an acknowledged or responding one stays for its owner to resolve. */
#include "alert.h"

#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "health.h"
#include "risk.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/notify.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

/* ---- the signal tables ---- */

static const struct signal_def *const real_tables[] = {
    signals_volume, signals_relationships, signals_needs, signals_credit, signals_competition, NULL,
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

enum kam_err alert_get(struct kam_ctx *ctx, int64_t id, struct alert *out)
{
    return row_get(ctx, "SELECT " COLS FROM " WHERE alerts.id = ?", id, read_row, out, "alert");
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
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " COLS FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
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
        "risk_id = ?, open_key = CASE WHEN ? = 1 THEN NULL ELSE open_key END, version = version + "
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
            .title = arena_printf(ctx->a, "%s: %s", a.account_name, a.signal),
            .description = a.evidence,
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
                               const char *dept, const char *severity)
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
    for (size_t i = 0; !rc && i < n; i++)
        rc = notify_add_msg(
            ctx, users[i], "alert", "notify.alert_raised",
            (struct kam_param[]){{"name", name}, {0}}, "",
            arena_printf(ctx->a, "/alerts/%lld", (long long)alert_id),
            arena_printf(ctx->a, "alert:%lld:%lld", (long long)alert_id, (long long)users[i]),
            NULL);
    return rc;
}

static enum kam_err raise_or_refresh(struct kam_ctx *ctx, const struct alert_rule *r,
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
    if (rc)
        return rc;
    if (id) {
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
        return notify_new(ctx, id, h->account_id, r->dept, r->severity);
    }
    if ((rc = db_prepare(ctx->db,
                         "UPDATE alerts SET value_milli = ?, threshold_milli = ?, evidence = ?, "
                         "severity = ?, last_seen_at = ?, cleared_at = NULL WHERE open_key = ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, h->value_milli);
    db_bind_i64(st, 2, r->threshold_milli);
    db_bind_text(st, 3, h->evidence);
    db_bind_text(st, 4, r->severity);
    db_bind_i64(st, 5, ctx->now);
    db_bind_text(st, 6, key);
    return db_run(st, ctx->err);
}

static int hit_has(const struct hits *h, int64_t account)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].account_id == account)
            return 1;
    return 0;
}

/* The unresolved alerts of the signal that did not fire this pass: cleared_at; the ones still
 * open (nobody acknowledged them) are resolved as "cleared". */
static enum kam_err clear_quiet(struct kam_ctx *ctx, const char *signal, const struct hits *h,
                                int *cleared)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "SELECT id, account_id, status FROM alerts WHERE signal = ? AND status <> "
                   "'resolved' AND cleared_at IS NULL ORDER BY id",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, signal);
    struct q {
        int64_t id, account;
        int open;
    } *v = NULL;
    size_t n = 0, cap = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t account = db_col_i64(st, 1);
        if (hit_has(h, account))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            struct q *nv = arena_calloc(ctx->a, cap, sizeof *nv);
            if (n)
                memcpy(nv, v, n * sizeof *nv);
            v = nv;
        }
        v[n].id = db_col_i64(st, 0);
        v[n].account = account;
        v[n].open = !strcmp(db_col_text(st, 2), "open");
        n++;
    }
    db_done(st);
    for (size_t i = 0; !rc && i < n; i++) {
        if ((rc = db_prepare(ctx->db, "UPDATE alerts SET cleared_at = ? WHERE id = ?", &st,
                             ctx->err)))
            break;
        db_bind_i64(st, 1, ctx->now);
        db_bind_i64(st, 2, v[i].id);
        if ((rc = db_run(st, ctx->err)))
            break;
        (*cleared)++;
        if (v[i].open) {
            struct alert out;
            rc = move(ctx, v[i].id, do_resolve, "cleared", "resolve", &out);
        }
    }
    return rc;
}

enum kam_err alerts_run_rule(struct kam_ctx *ctx, const struct alert_rule *r, int *raised,
                             int *cleared)
{
    struct signal_rule sr = {
        r->def,  r->enabled, r->threshold_milli, alert_severity_parse(r->severity),
        r->dept, r->params};
    struct hits h = {ctx, NULL, 0, 0};
    enum kam_err rc = r->def->eval(ctx, &sr, NULL, 0, keep_hit, &h);
    if (rc)
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    for (size_t i = 0; !rc && i < h.n; i++)
        rc = raise_or_refresh(ctx, r, &h.v[i], raised);
    if (!rc)
        rc = clear_quiet(ctx, r->signal, &h, cleared);
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err alerts_run(struct kam_ctx *ctx, int *raised, int *cleared)
{
    *raised = *cleared = 0;
    struct alert_rule *rules;
    size_t n;
    enum kam_err rc = alert_rules_list(ctx, &rules, &n);
    for (size_t i = 0; !rc && i < n; i++)
        if (rules[i].enabled)
            rc = alerts_run_rule(ctx, &rules[i], raised, cleared);
    if (!rc)
        rc = health_score_all(ctx);
    return rc;
}
