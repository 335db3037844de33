/* signals.c -- the contracts chapter's signals of the early-warning engine (svc/core/signal.h,
 * docs/SIGNALS.md):
 *
 *   contract_breach    the account's open breaches (detected, confirmed, action), a count;
 *                      fires at 1; evidence: those breaches (the worst first: contract number,
 *                      occurrence, amount at stake)
 *   contract_expiring  the days from today to the notice deadline (ends_on - notice_days) of
 *                      the account's nearest active or expiring contract without auto-renewal;
 *                      fires at 30 days or fewer (a deadline passed counts as 0); evidence: the
 *                      contract
 *
 * Values are thousandths of the unit (1 breach = 1000, 30 days = 30000). */
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/jw.h"
#include "base/timeutil.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/signal.h"

#define CHINA (8 * 3600)

/* One account's breaches so far, flushed as a hit when they reach the threshold. */
struct acc {
    int64_t account_id, n;
    struct buf ev;
    struct jw w;
};

static enum kam_err flush(struct kam_ctx *ctx, const struct signal_rule *rule, struct acc *a,
                          signal_emit_fn emit, void *arg)
{
    if (!a->account_id)
        return KAM_OK;
    jw_arr_end(&a->w);
    enum kam_err rc = KAM_OK;
    if (signal_fires(rule, a->n * 1000)) {
        struct buf o;
        buf_init(&o, 4096);
        struct jw w;
        jw_init(&w, &o);
        jw_obj_begin(&w);
        jw_ki64(&w, "open_breaches", a->n);
        jw_key(&w, "records");
        jw_raw(&w, a->ev.data, a->ev.len);
        jw_obj_end(&w);
        struct signal_hit hit = {.account_id = a->account_id,
                                 .value_milli = a->n * 1000,
                                 .evidence = arena_strndup(ctx->a, o.data, o.len)};
        buf_release(&o);
        rc = emit(arg, &hit);
    }
    buf_release(&a->ev);
    a->account_id = 0;
    return rc;
}

static enum kam_err eval_breach(struct kam_ctx *ctx, const struct signal_rule *rule,
                                const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT b.account_id, b.id, c.number, b.kind, b.occurrence, b.severity, "
                 "b.at_stake, b.currency FROM contract_breaches b JOIN contracts c ON c.id = "
                 "b.contract_id JOIN accounts a ON a.id = b.account_id WHERE b.status IN "
                 "('detected', 'confirmed', 'action')");
    signal_account_cond(&b, accounts, n);
    sqlb_sql(&b, " ORDER BY b.account_id, CASE b.severity WHEN 'critical' THEN 0 WHEN 'high' "
                 "THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, b.id");
    struct signal_want want = signal_want_of(ctx, accounts, n);
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct acc a = {0};
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t account = db_col_i64(st, 0);
        if (!signal_wanted(&want, account))
            continue;
        if (account != a.account_id) {
            if ((rc = flush(ctx, rule, &a, emit, arg)))
                break;
            a.account_id = account;
            a.n = 0;
            buf_init(&a.ev, 4096);
            jw_init(&a.w, &a.ev);
            jw_arr_begin(&a.w);
        }
        if (a.n++ < 20) {
            jw_obj_begin(&a.w);
            jw_kstr(&a.w, "kind", "breach");
            jw_ki64(&a.w, "id", db_col_i64(st, 1));
            jw_kstr(&a.w, "contract_number", db_col_text(st, 2));
            jw_kstr(&a.w, "occurrence", db_col_text(st, 4));
            jw_ki64(&a.w, "at_stake", db_col_i64(st, 6));
            jw_kstr(&a.w, "currency", db_col_text(st, 7));
            jw_obj_end(&a.w);
        }
    }
    db_done(st);
    if (!rc)
        rc = flush(ctx, rule, &a, emit, arg);
    else if (a.account_id)
        buf_release(&a.ev);
    return rc;
}

static enum kam_err eval_expiring(struct kam_ctx *ctx, const struct signal_rule *rule,
                                  const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg)
{
    int64_t today = (ctx->now + CHINA) / 86400;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT c.account_id, c.id, c.number, c.ends_on, c.notice_days FROM contracts c "
                 "JOIN accounts a ON a.id = c.account_id WHERE c.status IN ('active', "
                 "'expiring') AND c.auto_renew = 0");
    signal_account_cond(&b, accounts, n);
    sqlb_sql(&b, " ORDER BY c.account_id, c.id");
    struct signal_want want = signal_want_of(ctx, accounts, n);
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int64_t account = 0, best = INT64_MAX, best_id = 0;
    const char *best_no = NULL, *best_end = NULL;
    int row = 0;
    for (;;) {
        if (!(rc = db_step(st, &row, ctx->err)) && row && !signal_wanted(&want, db_col_i64(st, 0)))
            continue;
        int64_t next = !rc && row ? db_col_i64(st, 0) : 0;
        if (!rc && account && next != account && best != INT64_MAX) {
            int64_t v = (best < 0 ? 0 : best) * 1000;
            if (signal_fires(rule, v)) {
                struct buf o;
                buf_init(&o, 512);
                struct jw w;
                jw_init(&w, &o);
                jw_obj_begin(&w);
                jw_ki64(&w, "days_to_notice", best);
                jw_kstr(&w, "ends_on", best_end);
                jw_key(&w, "records");
                jw_arr_begin(&w);
                jw_obj_begin(&w);
                jw_kstr(&w, "kind", "contract");
                jw_ki64(&w, "id", best_id);
                jw_kstr(&w, "number", best_no);
                jw_obj_end(&w);
                jw_arr_end(&w);
                jw_obj_end(&w);
                struct signal_hit hit = {.account_id = account,
                                         .value_milli = v,
                                         .evidence = arena_strndup(ctx->a, o.data, o.len)};
                buf_release(&o);
                if ((rc = emit(arg, &hit)))
                    break;
            }
        }
        if (rc || !row)
            break;
        if (next != account) {
            account = next;
            best = INT64_MAX;
        }
        int y, m, d;
        if (date_parse(db_col_text(st, 3), &y, &m, &d))
            continue;
        int64_t left = date_to_days(y, m, d) - db_col_i64(st, 4) - today;
        if (left < best) {
            best = left;
            best_id = db_col_i64(st, 1);
            best_no = arena_strdup(ctx->a, db_col_text(st, 2));
            best_end = arena_strdup(ctx->a, db_col_text(st, 3));
        }
    }
    db_done(st);
    return rc;
}

/* key, unit, threshold, severity, dept, params, higher_is_worse, eval, the policy objects read
 * (signal.h: who sees its alerts) */
/* clang-format off */
const struct signal_def signals_contracts[] = {
    {"contract_breach", "count", 1000, SIGNAL_HIGH, "sales", "{}", 1, eval_breach,
     {OBJ_BREACH}},
    {"contract_expiring", "days", 30000, SIGNAL_MEDIUM, "sales", "{}", 0, eval_expiring,
     {OBJ_CONTRACT}},
    {0},
};
/* clang-format on */
