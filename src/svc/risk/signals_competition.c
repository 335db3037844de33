/* signals_competition.c -- the competition signals of the early-warning engine
 * (svc/core/signal.h):
 *
 *   competitor_move   the highest severity (1 low, 2 medium, 3 high) among the competitors'
 *                     moves at the account in the last `days` days (params {"days": 30}: a
 *                     move 30 days old counts, one 31 days old not; China's days); fires at 2
 *                     (medium) by default; evidence: those moves.
 *   competitor_share  the largest share of one competitor in one family at the account,
 *                     percent; fires at 50 % by default; evidence: that presence row.
 *
 * Values are thousandths of the unit: severity 3 = 3000, 50 % = 50000 (share_bp x 10). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/jw.h"
#include "base/timeutil.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/signal.h"

#define CHINA_OFFSET (8 * 3600)
#define DAYS_MAX 3650
#define EVIDENCE_MOVES 20 /* the evidence names at most this many moves (the worst, latest) */

/* params' "days" (1..3650), else def. */
static int param_days(const char *params, int def)
{
    if (!params)
        return def;
    json_error_t e;
    json_t *o = json_loads(params, 0, &e);
    int days = def;
    if (o) {
        json_t *v = json_object_get(o, "days");
        if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= DAYS_MAX)
            days = (int)json_integer_value(v);
        json_decref(o);
    }
    return days;
}

static const char *day_text(struct kam_ctx *ctx, int64_t days)
{
    int y, m, d;
    days_to_date(days, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

/* " AND <col> IN (?, ...)" for the accounts named, or the accounts that are not lost. */
static void accounts_cond(struct sqlb *b, const char *col, const int64_t *accounts, size_t n)
{
    if (!accounts) {
        sqlb_sql(b, " AND ");
        sqlb_sql(b, col);
        sqlb_sql(b, " IN (SELECT id FROM accounts WHERE status <> 'lost')");
        return;
    }
    sqlb_sql(b, " AND ");
    sqlb_sql(b, col);
    sqlb_sql(b, " IN (");
    for (size_t i = 0; i < n; i++) {
        sqlb_sql(b, i ? ", ?" : "?");
        sqlb_i64(b, accounts[i]);
    }
    if (!n)
        sqlb_sql(b, "NULL");
    sqlb_sql(b, ")");
}

static int sev_rank(const char *s)
{
    return !strcmp(s, "high") ? 3 : !strcmp(s, "medium") ? 2 : 1;
}

static int higher_fires(const struct signal_rule *rule, int64_t v)
{
    return v >= rule->threshold_milli;
}

/* One account's moves so far, flushed as a hit when the worst reaches the threshold. */
struct move_acc {
    int64_t account_id;
    int worst, n;
    struct buf ev;
    struct jw w;
};

static enum kam_err flush_moves(struct kam_ctx *ctx, const struct signal_rule *rule,
                                struct move_acc *m, int days, const char *since,
                                signal_emit_fn emit, void *arg)
{
    if (!m->account_id || !higher_fires(rule, (int64_t)m->worst * 1000))
        return KAM_OK;
    jw_arr_end(&m->w);
    struct buf o;
    buf_init(&o, 64 * 1024);
    struct jw w;
    jw_init(&w, &o);
    jw_obj_begin(&w);
    jw_ki64(&w, "days", days);
    jw_kstr(&w, "since", since);
    jw_ki64(&w, "worst_severity", m->worst);
    jw_ki64(&w, "moves_count", m->n);
    jw_key(&w, "records");
    jw_raw(&w, m->ev.data, m->ev.len);
    jw_obj_end(&w);
    struct signal_hit hit = {.account_id = m->account_id,
                             .value_milli = (int64_t)m->worst * 1000,
                             .evidence = arena_strndup(ctx->a, o.data, o.len)};
    buf_release(&o);
    return emit(arg, &hit);
}

static enum kam_err eval_move(struct kam_ctx *ctx, const struct signal_rule *rule,
                              const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg)
{
    int days = param_days(rule->params, 30);
    int64_t today = (ctx->now + CHINA_OFFSET) / 86400;
    const char *since = day_text(ctx, today - days), *until = day_text(ctx, today);
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT m.account_id, m.id, m.day, m.kind, m.severity, m.competitor_id, c.name "
                 "FROM competitor_moves m JOIN competitors c ON c.id = m.competitor_id WHERE "
                 "m.day >= ? AND m.day <= ?");
    sqlb_text(&b, since);
    sqlb_text(&b, until);
    accounts_cond(&b, "m.account_id", accounts, n);
    sqlb_sql(&b, " ORDER BY m.account_id, CASE m.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 "
                 "ELSE 1 END DESC, m.day DESC, m.id DESC");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct move_acc m = {0};
    buf_init(&m.ev, 64 * 1024);
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        int64_t acc = db_col_i64(st, 0);
        if (acc != m.account_id) {
            if ((rc = flush_moves(ctx, rule, &m, days, since, emit, arg)))
                break;
            m.account_id = acc;
            m.worst = 0;
            m.n = 0;
            buf_reset(&m.ev);
            jw_init(&m.w, &m.ev);
            jw_arr_begin(&m.w);
        }
        int sev = sev_rank(db_col_text(st, 4));
        if (sev > m.worst)
            m.worst = sev;
        if (m.n++ < EVIDENCE_MOVES) {
            jw_obj_begin(&m.w);
            jw_kstr(&m.w, "kind", "competitor_move");
            jw_ki64(&m.w, "id", db_col_i64(st, 1));
            jw_kstr(&m.w, "day", db_col_text(st, 2));
            jw_kstr(&m.w, "move_kind", db_col_text(st, 3));
            jw_kstr(&m.w, "severity", db_col_text(st, 4));
            jw_ki64(&m.w, "competitor_id", db_col_i64(st, 5));
            jw_kstr(&m.w, "competitor", db_col_text(st, 6));
            jw_obj_end(&m.w);
        }
    }
    db_done(st);
    if (!rc)
        rc = flush_moves(ctx, rule, &m, days, since, emit, arg);
    buf_release(&m.ev);
    return rc;
}

static enum kam_err eval_share(struct kam_ctx *ctx, const struct signal_rule *rule,
                               const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg)
{
    /* each account's largest share (first row per account: largest, then the lowest id) */
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT p.account_id, p.id, p.share_bp, p.family, p.price_level, "
                 "p.competitor_id, c.name FROM competitor_presence p JOIN competitors c ON c.id "
                 "= p.competitor_id WHERE p.share_bp IS NOT NULL AND p.share_bp * 10 >= ?");
    sqlb_i64(&b, rule->threshold_milli);
    accounts_cond(&b, "p.account_id", accounts, n);
    sqlb_sql(&b, " ORDER BY p.account_id, p.share_bp DESC, p.id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int64_t prev = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        int64_t acc = db_col_i64(st, 0);
        if (acc == prev)
            continue;
        prev = acc;
        int64_t value = db_col_i64(st, 2) * 10;
        if (!higher_fires(rule, value))
            continue;
        struct buf o;
        buf_init(&o, 64 * 1024);
        struct jw w;
        jw_init(&w, &o);
        jw_obj_begin(&w);
        jw_ki64(&w, "share_bp", db_col_i64(st, 2));
        jw_key(&w, "records");
        jw_arr_begin(&w);
        jw_obj_begin(&w);
        jw_kstr(&w, "kind", "competitor_presence");
        jw_ki64(&w, "id", db_col_i64(st, 1));
        jw_kstr(&w, "family", db_col_text(st, 3));
        jw_kstr(&w, "price_level", db_col_text(st, 4));
        jw_ki64(&w, "competitor_id", db_col_i64(st, 5));
        jw_kstr(&w, "competitor", db_col_text(st, 6));
        jw_obj_end(&w);
        jw_arr_end(&w);
        jw_obj_end(&w);
        struct signal_hit hit = {.account_id = acc,
                                 .value_milli = value,
                                 .evidence = arena_strndup(ctx->a, o.data, o.len)};
        buf_release(&o);
        if ((rc = emit(arg, &hit)))
            break;
    }
    db_done(st);
    return rc;
}

/* key, unit, threshold, severity, dept, params, higher_is_worse, eval, the policy objects read
 * (signal.h: who sees its alerts) */
/* clang-format off */
const struct signal_def signals_competition[] = {
    {"competitor_move", "score", 2000, SIGNAL_HIGH, "sales", "{\"days\": 30}", 1, eval_move,
     {OBJ_COMPETITION}},
    {"competitor_share", "percent", 50000, SIGNAL_MEDIUM, "marketing", "{}", 1, eval_share,
     {OBJ_COMPETITION}},
    {0},
};
/* clang-format on */
