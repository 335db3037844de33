/* signals_credit.c -- the credit signals of the early-warning engine (svc/core/signal.h):
 *
 *   receivables_overdue  days past due of the account's oldest overdue open invoice (China's
 *                        today); fires at 30 days by default (high, finance); evidence: the
 *                        overdue invoices (id, no, due_day, open amount in base currency, the
 *                        first 20 oldest first) and their total.
 *   exposure_near_limit  exposure / the account's credit limit, percent (docs/CREDIT.md:
 *                        exposure = open receivables + open orders + accepted offers); fires at
 *                        90 % by default (medium, finance); evidence: the limit and the
 *                        exposure's parts. Accounts without a limit never fire.
 *
 * Values are thousandths of the unit: 31 days = 31000, 90 % = 90000. */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/jw.h"
#include "credit.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/signal.h"

#define EVIDENCE_INVOICES 20

static void accounts_cond(struct sqlb *b, const char *col, const int64_t *accounts, size_t n)
{
    sqlb_sql(b, " AND ");
    sqlb_sql(b, col);
    if (!accounts) {
        sqlb_sql(b, " IN (SELECT id FROM accounts WHERE status <> 'lost')");
        return;
    }
    sqlb_sql(b, " IN (");
    for (size_t i = 0; i < n; i++) {
        sqlb_sql(b, i ? ", ?" : "?");
        sqlb_i64(b, accounts[i]);
    }
    if (!n)
        sqlb_sql(b, "NULL");
    sqlb_sql(b, ")");
}

static int fires(const struct signal_rule *rule, int64_t v)
{
    return rule->def->higher_is_worse ? v >= rule->threshold_milli : v <= rule->threshold_milli;
}

struct overdue_acc {
    int64_t account_id, oldest, total;
    struct buf ev;
    struct jw w;
    int n;
};

static enum kam_err overdue_emit(struct kam_ctx *ctx, const struct signal_rule *rule,
                                 struct overdue_acc *a, signal_emit_fn emit, void *arg)
{
    jw_arr_end(&a->w);
    jw_ki64(&a->w, "total", a->total);
    jw_ki64(&a->w, "oldest_days", a->oldest);
    jw_obj_end(&a->w);
    enum kam_err rc = KAM_OK;
    int64_t v = a->oldest * 1000;
    if (fires(rule, v)) {
        struct signal_hit h = {a->account_id, v, arena_strndup(ctx->a, a->ev.data, a->ev.len)};
        rc = emit(arg, &h);
    }
    buf_release(&a->ev);
    return rc;
}

static enum kam_err eval_overdue(struct kam_ctx *ctx, const struct signal_rule *rule,
                                 const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg)
{
    const char *today = receivable_today(ctx);
    int64_t tn = receivable_day_num(today);
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT account_id, id, invoice_no, due_day, amount, amount_base, paid FROM "
                 "invoices WHERE paid < amount AND due_day < ?");
    sqlb_text(&b, today);
    accounts_cond(&b, "account_id", accounts, n);
    sqlb_sql(&b, " ORDER BY account_id, due_day, id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct overdue_acc a = {0};
    int row = 0, open = 0;
    while (!rc && !(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t acc = db_col_i64(st, 0);
        if (open && acc != a.account_id) {
            open = 0;
            rc = overdue_emit(ctx, rule, &a, emit, arg);
            if (rc)
                break;
        }
        if (!open) {
            memset(&a, 0, sizeof a);
            a.account_id = acc;
            buf_init(&a.ev, 1 << 16);
            jw_init(&a.w, &a.ev);
            jw_obj_begin(&a.w);
            jw_key(&a.w, "invoices");
            jw_arr_begin(&a.w);
            open = 1;
        }
        int64_t amount = db_col_i64(st, 4), base = db_col_i64(st, 5), paid = db_col_i64(st, 6);
        int64_t ob = amount > 0 ? base - (int64_t)((__int128)base * paid / amount) : 0;
        int64_t days = tn - receivable_day_num(db_col_text(st, 3));
        if (days > a.oldest)
            a.oldest = days;
        a.total += ob;
        if (a.n++ < EVIDENCE_INVOICES) {
            jw_obj_begin(&a.w);
            jw_kstr(&a.w, "kind", "invoice");
            jw_ki64(&a.w, "id", db_col_i64(st, 1));
            jw_kstr(&a.w, "no", db_col_text(st, 2));
            jw_kstr(&a.w, "due_day", db_col_text(st, 3));
            jw_ki64(&a.w, "open", ob);
            jw_ki64(&a.w, "days_past_due", days);
            jw_obj_end(&a.w);
        }
    }
    db_done(st);
    if (open) {
        if (!rc)
            rc = overdue_emit(ctx, rule, &a, emit, arg);
        else
            buf_release(&a.ev);
    }
    return rc;
}

static enum kam_err eval_exposure(struct kam_ctx *ctx, const struct signal_rule *rule,
                                  const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT account_id, amount, currency FROM credit_limits WHERE amount IS NOT NULL");
    accounts_cond(&b, "account_id", accounts, n);
    sqlb_sql(&b, " ORDER BY account_id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct lim {
        int64_t account_id, amount;
        char cur[8];
    } *rows = NULL;
    size_t nr = 0, cap = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (nr == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct lim *g = arena_calloc(ctx->a, nc, sizeof *g);
            if (nr)
                memcpy(g, rows, nr * sizeof *g);
            rows = g;
            cap = nc;
        }
        rows[nr].account_id = db_col_i64(st, 0);
        rows[nr].amount = db_col_i64(st, 1);
        snprintf(rows[nr].cur, sizeof rows[nr].cur, "%s", db_col_text(st, 2));
        nr++;
    }
    db_done(st);
    for (size_t i = 0; i < nr && !rc; i++) {
        int64_t limit;
        struct exposure e;
        if ((rc = recv_to_base(ctx, rows[i].cur, rows[i].amount, &limit)) ||
            (rc = credit_exposure(ctx, rows[i].account_id, &e)))
            break;
        /* percent in thousandths: exposure x 100000 / limit */
        int64_t v = limit > 0     ? (int64_t)((__int128)e.total * 100000 / limit)
                    : e.total > 0 ? INT64_C(999999999)
                                  : 0;
        if (!fires(rule, v))
            continue;
        struct buf ev;
        struct jw w;
        buf_init(&ev, 1 << 12);
        jw_init(&w, &ev);
        jw_obj_begin(&w);
        jw_ki64(&w, "limit", limit);
        jw_ki64(&w, "receivables", e.receivables);
        jw_ki64(&w, "open_orders", e.open_orders);
        jw_ki64(&w, "open_offers", e.open_offers);
        jw_ki64(&w, "exposure", e.total);
        jw_obj_end(&w);
        struct signal_hit h = {rows[i].account_id, v, arena_strndup(ctx->a, ev.data, ev.len)};
        buf_release(&ev);
        rc = emit(arg, &h);
    }
    return rc;
}

const struct signal_def signals_credit[] = {
    {"receivables_overdue", "days", 30000, SIGNAL_HIGH, "finance", "{}", 1, eval_overdue},
    {"exposure_near_limit", "percent", 90000, SIGNAL_MEDIUM, "finance", "{}", 1, eval_exposure},
    {0},
};
