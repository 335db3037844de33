/* health.c -- the account health score (health.h). */
#include "health.h"

#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "base/buf.h"
#include "base/jw.h"
#include "base/timeutil.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"

int health_points(const char *severity)
{
    static const int points[] = {5, 10, 20, 35};
    for (int i = 0; i < 4; i++)
        if (severity && !strcmp(severity, alert_severities[i]))
            return points[i];
    return 0;
}

static const char *day_of(struct kam_ctx *ctx, int64_t t)
{
    int y, m, d;
    int64_t days = (t + 8 * 3600) / 86400;
    if (t + 8 * 3600 < 0 && (t + 8 * 3600) % 86400)
        days--;
    days_to_date(days, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

const char *health_today(struct kam_ctx *ctx)
{
    return day_of(ctx, ctx->now);
}

enum kam_err health_compute(struct kam_ctx *ctx, int64_t account_id, struct health *out)
{
    memset(out, 0, sizeof *out);
    out->account_id = account_id;
    out->day = health_today(ctx);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, signal, severity, value_milli, threshold_milli FROM "
                                 "alerts WHERE account_id = ? AND status <> 'resolved' ORDER BY id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    size_t cap = 0;
    int row = 0;
    int64_t lost = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 8;
            struct health_line *v = arena_calloc(ctx->a, cap, sizeof *v);
            if (out->n)
                memcpy(v, out->lines, out->n * sizeof *v);
            out->lines = v;
        }
        struct health_line *l = &out->lines[out->n++];
        l->alert_id = db_col_i64(st, 0);
        l->signal = arena_strdup(ctx->a, db_col_text(st, 1));
        l->severity = arena_strdup(ctx->a, db_col_text(st, 2));
        l->hidden = alert_signal_sight(&ctx->who, alert_signal_find(l->signal)) != ALERT_SIGHT_ALL;
        l->has_value = !db_col_is_null(st, 3);
        l->value_milli = db_col_i64(st, 3);
        l->has_threshold = !db_col_is_null(st, 4);
        l->threshold_milli = db_col_i64(st, 4);
        l->points = health_points(l->severity);
        const struct signal_def *d = alert_signal_find(l->signal);
        l->unit = d ? d->unit : "count";
        lost += l->points;
    }
    db_done(st);
    out->score = lost >= 100 ? 0 : 100 - lost;
    /* the lines of signals the caller may not read: left out, their points told as a sum */
    size_t k = 0;
    for (size_t i = 0; !rc && i < out->n; i++) {
        struct health_line *l = &out->lines[i];
        int yes = !l->hidden;
        if (l->hidden && (rc = alert_may_read(ctx, l->signal, account_id, &yes)))
            break;
        if (yes)
            out->lines[k++] = *l;
        else
            out->restricted_points += l->points;
    }
    out->n = k;
    return rc;
}

enum kam_err health_get(struct kam_ctx *ctx, int64_t account_id, struct health *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, "SELECT name FROM accounts WHERE id = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    int row = 0;
    const char *name = NULL;
    if (!(rc = db_step(st, &row, ctx->err)) && row)
        name = arena_strdup(ctx->a, db_col_text(st, 0));
    db_done(st);
    if (rc)
        return rc;
    if (!name)
        return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such account");
    if ((rc = health_compute(ctx, account_id, out)))
        return rc;
    out->account_name = name;
    if ((rc = db_prepare(ctx->db,
                         "SELECT day, score FROM account_health WHERE account_id = ? AND day >= ? "
                         "ORDER BY day",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_text(st, 2, day_of(ctx, ctx->now - (int64_t)HEALTH_HISTORY_DAYS * 86400));
    size_t cap = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (out->n_history == cap) {
            cap = cap ? cap * 2 : 32;
            struct health_day *v = arena_calloc(ctx->a, cap, sizeof *v);
            if (out->n_history)
                memcpy(v, out->history, out->n_history * sizeof *v);
            out->history = v;
        }
        out->history[out->n_history].day = arena_strdup(ctx->a, db_col_text(st, 0));
        out->history[out->n_history].score = db_col_i64(st, 1);
        out->n_history++;
    }
    db_done(st);
    return rc;
}

static const char *lines_json(struct kam_ctx *ctx, const struct health *h)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    struct jw w;
    jw_init(&w, &b);
    jw_arr_begin(&w);
    for (size_t i = 0; i < h->n; i++) {
        jw_obj_begin(&w);
        jw_kstr(&w, "signal", h->lines[i].signal);
        jw_kstr(&w, "severity", h->lines[i].severity);
        jw_ki64(&w, "points", h->lines[i].points);
        jw_ki64(&w, "alert_id", h->lines[i].alert_id);
        jw_ki64n(&w, "value_milli", h->lines[i].value_milli, !h->lines[i].has_value);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    const char *out = buf_ok(&b) && b.data ? arena_strndup(ctx->a, b.data, b.len) : NULL;
    buf_release(&b);
    return out;
}

struct stored {
    int64_t account, score;
    const char *lines;
};

/* Today's stored rows, by account. */
static enum kam_err stored_load(struct kam_ctx *ctx, const char *day, struct stored **out,
                                size_t *n_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT account_id, score, lines FROM account_health WHERE day = ? ORDER BY account_id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, day);
    struct stored *v = NULL;
    size_t n = 0, cap = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            struct stored *nv = arena_calloc(ctx->a, cap, sizeof *nv);
            if (n)
                memcpy(nv, v, n * sizeof *nv);
            v = nv;
        }
        v[n].account = db_col_i64(st, 0);
        v[n].score = db_col_i64(st, 1);
        v[n].lines = arena_strdup(ctx->a, db_col_text(st, 2));
        n++;
    }
    db_done(st);
    *out = v;
    *n_out = n;
    return rc;
}

enum kam_err health_score_all(struct kam_ctx *ctx)
{
    const char *day = health_today(ctx);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, "SELECT id FROM accounts ORDER BY id", &st, ctx->err);
    if (rc)
        return rc;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            int64_t *v = arena_calloc(ctx->a, cap, sizeof *v);
            if (n)
                memcpy(v, ids, n * sizeof *v);
            ids = v;
        }
        ids[n++] = db_col_i64(st, 0);
    }
    db_done(st);
    if (rc)
        return rc;
    /* every unresolved alert, by account: one query, not one per account */
    struct al {
        int64_t account;
        struct health_line l;
    } *al = NULL;
    size_t na = 0, acap = 0;
    if ((rc = db_prepare(ctx->db,
                         "SELECT account_id, id, signal, severity, value_milli FROM alerts WHERE "
                         "status <> 'resolved' ORDER BY account_id, id",
                         &st, ctx->err)))
        return rc;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (na == acap) {
            acap = acap ? acap * 2 : 256;
            struct al *v = arena_calloc(ctx->a, acap, sizeof *v);
            if (na)
                memcpy(v, al, na * sizeof *v);
            al = v;
        }
        struct al *x = &al[na++];
        x->account = db_col_i64(st, 0);
        x->l.alert_id = db_col_i64(st, 1);
        x->l.signal = arena_strdup(ctx->a, db_col_text(st, 2));
        x->l.severity = arena_strdup(ctx->a, db_col_text(st, 3));
        x->l.has_value = !db_col_is_null(st, 4);
        x->l.value_milli = db_col_i64(st, 4);
        x->l.points = health_points(x->l.severity);
    }
    db_done(st);
    struct stored *old = NULL;
    size_t nold = 0;
    if (rc || (rc = stored_load(ctx, day, &old, &nold)) || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct health_line *lines = arena_calloc(ctx->a, na ? na : 1, sizeof *lines);
    size_t ai = 0, oi = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        struct health h;
        memset(&h, 0, sizeof h);
        h.account_id = ids[i];
        while (ai < na && al[ai].account < ids[i])
            ai++;
        h.lines = &lines[ai];
        int64_t lost = 0;
        for (; ai < na && al[ai].account == ids[i]; ai++) {
            lines[ai] = al[ai].l;
            lost += al[ai].l.points;
            h.n++;
        }
        h.score = lost >= 100 ? 0 : 100 - lost;
        const char *lj = lines_json(ctx, &h);
        if (!lj) {
            rc = kam_fail(ctx->err, KAM_EINTERNAL, NULL, "out of memory");
            break;
        }
        /* only what changed is written: an unchanged row stays as it was */
        while (oi < nold && old[oi].account < ids[i])
            oi++;
        if (oi < nold && old[oi].account == ids[i] && old[oi].score == h.score &&
            !strcmp(old[oi].lines, lj))
            continue;
        if (!(rc = db_prepare(ctx->db,
                              "INSERT INTO account_health (account_id, day, score, lines) VALUES "
                              "(?,?,?,?) ON CONFLICT (account_id, day) DO UPDATE SET score = "
                              "excluded.score, lines = excluded.lines",
                              &st, ctx->err))) {
            db_bind_i64(st, 1, ids[i]);
            db_bind_text(st, 2, day);
            db_bind_i64(st, 3, h.score);
            db_bind_text(st, 4, lj);
            rc = db_run(st, ctx->err);
        }
    }
    return db_end(ctx->db, rc, ctx->err);
}

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct health_row *r = out;
    memset(r, 0, sizeof *r);
    r->account_id = db_col_i64(st, 0);
    r->account_name = arena_strdup(ctx->a, db_col_text(st, 1));
    r->owner_id = db_col_i64(st, 2);
    r->owner_name = arena_strdup(ctx->a, db_col_text(st, 3));
    r->score = db_col_i64(st, 4);
    r->day = arena_strdup(ctx->a, db_col_text(st, 5));
    r->open_alerts = db_col_i64(st, 6);
}

static const struct page_sort sorts[] = {
    {"score", "h.score", 0},
};

enum kam_err health_list(struct kam_ctx *ctx, const struct health_query *q,
                         struct health_row **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, 1, "score", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    struct alert_sight_set sight;
    alert_sight_begin(ctx, &b, &sight);
    int scoped = sight.scoped;
    /* open_alerts: those the caller may read */
    sqlb_sql(&b, "SELECT accounts.id, accounts.name, accounts.owner_id, "
                 "COALESCE(NULLIF(users.name, ''), users.login), h.score, h.day, (SELECT "
                 "COUNT(*) FROM alerts WHERE alerts.account_id = accounts.id AND alerts.status "
                 "<> 'resolved'");
    alert_sight_cond(&b, &sight, "alerts.signal");
    sqlb_sql(&b, ") FROM account_health h JOIN accounts ON accounts.id = "
                 "h.account_id JOIN users ON users.id = accounts.owner_id WHERE h.day = (SELECT "
                 "MAX(h2.day) FROM account_health h2 WHERE h2.account_id = h.account_id)");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->owner_id) {
        sqlb_sql(&b, " AND accounts.owner_id = ?");
        sqlb_i64(&b, q->owner_id);
    }
    struct health_row *items;
    const struct health_row *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "accounts.id", read_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out =
        last ? page_cursor(ctx, &pg, NULL, items[n - 1].score, items[n - 1].account_id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}
