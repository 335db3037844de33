/* demo_receivables.c -- the demo's receivables (demo.h, docs/CREDIT.md): for every account
 * with sales in the last three years (the biggest of the last 12 months first), three years of
 * monthly invoices (each month's
 * sales, dated the month's last day, due after the account's terms of 30, 45 or 60 days), their
 * payments (most within terms; every 7th account a late payer, 60-120 days past due; every
 * 11th stops paying four months before now, so its invoices stand overdue), and credit limits
 * for the 40 biggest: the two biggest are set below their exposure (over the limit), the others
 * with room. Every account with sales is invoiced: an account's order lines count as exposure
 * only after its latest invoice (docs/CREDIT.md), so none stands with its whole history open.
 * Written through the services (invoice_load, payment_load, credit_limit_put): checked and
 * audited, and deterministic (no random numbers: a hash of the account and month). */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "credit.h"
#include "demo.h"
#include "store/db.h"
#include "svc/core/rows.h"

#define DEMO_LIMITS 40
#define DEMO_MONTHS 36

struct dacc {
    int64_t id;
    char code[72];
};

static void read_acc(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    (void)ctx;
    struct dacc *a = out;
    a->id = db_col_i64(st, 0);
    snprintf(a->code, sizeof a->code, "%s", db_col_text(st, 1));
}

static uint32_t mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

static enum kam_err month_sales(struct kam_ctx *ctx, int64_t account, int month, int64_t *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT COALESCE(SUM(amount), 0) FROM sales_monthly_account WHERE "
                                 "account_id = ? AND month = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account);
    db_bind_i64(st, 2, month);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *out = row ? db_col_i64(st, 0) : 0;
    db_done(st);
    return rc;
}

enum kam_err receivables_demo(struct kam_ctx *ctx)
{
    const char *today = receivable_today(ctx), *base;
    int64_t tn = receivable_day_num(today);
    int ty, tm, td;
    date_parse(today, &ty, &tm, &td);
    int m12 = (ty - 1) * 100 + tm;                /* the 12 months before this one */
    int m36 = (ty - DEMO_MONTHS / 12) * 100 + tm; /* the months invoiced */
    struct db_stmt *st;
    enum kam_err rc = recv_base_currency(ctx, &base);
    if (rc ||
        (rc = db_prepare(ctx->db,
                         "SELECT a.id, a.code FROM accounts a JOIN sales_monthly_account s ON "
                         "s.account_id = a.id WHERE s.month >= ? GROUP BY a.id, a.code HAVING "
                         "SUM(s.amount) > 0 ORDER BY SUM(CASE WHEN s.month >= ? THEN s.amount "
                         "ELSE 0 END) DESC, a.id",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, m36);
    db_bind_i64(st, 2, m12);
    struct dacc *accs;
    size_t n;
    if ((rc = rows_collect(ctx, st, 100000, read_acc, sizeof *accs, (void **)&accs, &n)))
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        static const int terms_of[] = {30, 45, 60};
        int terms = terms_of[i % 3];
        int late = i % 7 == 3, stops = i % 11 == 5;
        for (int k = DEMO_MONTHS; k >= 1 && !rc; k--) {
            int y = ty, m = tm - k;
            while (m <= 0) {
                m += 12;
                y--;
            }
            int64_t amount = 0;
            if ((rc = month_sales(ctx, accs[i].id, y * 100 + m, &amount)))
                break;
            if (amount <= 0)
                continue;
            int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
            int64_t day = date_to_days(ny, nm, 1) - 1, due = day + terms;
            char no[96], pno[96];
            snprintf(no, sizeof no, "INV-%s-%04d%02d", accs[i].code, y, m);
            snprintf(pno, sizeof pno, "PAY-%s-%04d%02d", accs[i].code, y, m);
            struct invoice_in in = {no,
                                    receivable_day_str(ctx, day),
                                    receivable_day_str(ctx, due),
                                    base,
                                    accs[i].id,
                                    amount,
                                    0};
            int r;
            if ((rc = invoice_load(ctx, &in, &r)))
                break;
            uint32_t h = mix((uint32_t)(accs[i].id * 1000003 + y * 100 + m));
            int64_t pay = late ? due + 60 + (int64_t)(h % 61) : due - (int64_t)(h % 10);
            if (stops && k <= 4)
                continue; /* stopped paying: open and overdue */
            if (pay > tn)
                continue; /* not paid yet */
            struct payment_in p = {pno, receivable_day_str(ctx, pay), base, no, accs[i].id, amount,
                                   0};
            rc = payment_load(ctx, &p, &r);
        }
        if (rc)
            break;
        if (i >= DEMO_LIMITS)
            continue;
        /* limits: the two biggest under their exposure, the others with room */
        struct exposure e;
        if ((rc = credit_exposure(ctx, accs[i].id, &e)))
            break;
        int64_t lim = i < 2 ? e.total * 8 / 10 : e.total * 3 / 2 + 10000000;
        lim = lim / 1000000 * 1000000 + 1000000; /* whole ten thousands */
        if (i < 2 && lim >= e.total)
            lim = e.total > 1000000 ? e.total - 1000000 : 0;
        struct credit_limit_in li = {.set = CL_AMOUNT | CL_TERMS | CL_NOTE,
                                     .amount = lim,
                                     .has_amount = 1,
                                     .terms_days = terms,
                                     .note = i < 2 ? "年度授信，已超额" : "年度授信"};
        struct credit_limit out;
        rc = credit_limit_put(ctx, accs[i].id, &li, &out);
    }
    return rc;
}
