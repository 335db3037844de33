/* test_receivables.c -- credit and receivables (svc/risk/receivable.c, credit.c,
 * signals_credit.c) on constructed cases with hand-computed answers: payments applied oldest
 * first (partial, the leftover unapplied, then applied to an invoice loaded later), a payment
 * being a fact, the ageing buckets' boundaries, DSO by hand (today and as of a past day),
 * exposure under a group limit with the credit check's flag, and both credit signals on their
 * case and their near miss. */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "fixture.h"
#include "svc/core/signal.h"
#include "svc/relationships/account.h"
#include "svc/risk/credit.h"
#include "svc/risk/receivable.h"
#include "test.h"

/* 2026-06-30 08:00 in China (00:00 UTC): China's today is 2026-06-30. */
static int64_t t_now(void)
{
    return date_to_days(2026, 6, 30) * 86400;
}

static int64_t t_today(void)
{
    return date_to_days(2026, 6, 30);
}

static const char *dstr(struct fixture *f, int64_t days)
{
    return receivable_day_str(&f->ctx, days);
}

static int64_t new_account(struct fixture *f, const char *code, int64_t owner)
{
    struct account_in ai = {.set = ACC_CODE | ACC_NAME | ACC_OWNER};
    ai.v.code = code;
    ai.v.name = code;
    ai.v.owner_id = owner;
    struct account acc;
    return account_create(fixture_ctx(f), &ai, &acc) ? 0 : acc.id;
}

static int inv(struct fixture *f, const char *no, int64_t acc, int64_t day, int64_t due,
               int64_t amount, const char *cur)
{
    struct invoice_in in = {no, dstr(f, day), dstr(f, due), cur, acc, amount, 0};
    int r = 0;
    enum kam_err rc = invoice_load(fixture_ctx(f), &in, &r);
    if (rc)
        fprintf(stderr, "  invoice %s: %s\n", no, f->e.msg);
    return rc ? -9 : r;
}

static enum kam_err pay(struct fixture *f, const char *no, int64_t acc, int64_t day, int64_t amount,
                        const char *cur, const char *invoice_no, int *r)
{
    struct payment_in in = {no, dstr(f, day), cur, invoice_no, acc, amount, 0};
    return payment_load(fixture_ctx(f), &in, r);
}

static int64_t q(struct fixture *f, const char *fmt, const char *arg)
{
    char sql[256];
    snprintf(sql, sizeof sql, fmt, arg);
    return fixture_q64(f, sql);
}

TEST(receivables_allocation_oldest_first)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, t_now()))
        return;
    int64_t am = fixture_add_user(&f, "am", "account_manager", 0);
    int64_t a = new_account(&f, "A1", am), b = new_account(&f, "B1", am);
    int64_t T = t_today();
    CHECK(a && b);
    CHECK_EQ_INT(inv(&f, "I1", a, T - 170, T - 140, 100000, "CNY"), 1);
    CHECK_EQ_INT(inv(&f, "I2", a, T - 140, T - 110, 50000, "CNY"), 1);
    CHECK_EQ_INT(inv(&f, "I3", a, T - 110, T - 80, 80000, "CNY"), 1);
    int r = 0;
    /* 1200.00 unnamed: I1 in full, 200.00 of I2 */
    CHECK(!pay(&f, "P1", a, T - 100, 120000, "CNY", NULL, &r));
    CHECK_EQ_INT(r, 1);
    CHECK_EQ_INT(q(&f, "SELECT paid FROM invoices WHERE invoice_no = '%s'", "I1"), 100000);
    CHECK_EQ_INT(q(&f, "SELECT paid FROM invoices WHERE invoice_no = '%s'", "I2"), 20000);
    CHECK_EQ_INT(q(&f, "SELECT paid FROM invoices WHERE invoice_no = '%s'", "I3"), 0);
    CHECK_EQ_INT(q(&f, "SELECT unapplied FROM payments WHERE payment_no = '%s'", "P1"), 0);
    CHECK_EQ_INT(q(&f,
                   "SELECT COUNT(*) FROM invoices WHERE invoice_no = '%s' AND paid_on IS NOT "
                   "NULL",
                   "I1"),
                 1);
    CHECK_EQ_INT(
        q(&f, "SELECT COUNT(*) FROM invoices WHERE invoice_no = '%s' AND paid_on IS NULL", "I2"),
        1);
    /* 900.00 naming I3: I3 in full (800.00), the 100.00 left to the oldest open one, I2 */
    CHECK(!pay(&f, "P2", a, T - 90, 90000, "CNY", "I3", &r));
    CHECK_EQ_INT(q(&f, "SELECT paid FROM invoices WHERE invoice_no = '%s'", "I3"), 80000);
    CHECK_EQ_INT(q(&f, "SELECT paid FROM invoices WHERE invoice_no = '%s'", "I2"), 30000);
    /* 400.00: I2's last 200.00, 200.00 left unapplied */
    CHECK(!pay(&f, "P3", a, T - 80, 40000, "CNY", "", &r));
    CHECK_EQ_INT(q(&f, "SELECT paid FROM invoices WHERE invoice_no = '%s'", "I2"), 50000);
    CHECK_EQ_INT(q(&f, "SELECT unapplied FROM payments WHERE payment_no = '%s'", "P3"), 20000);
    /* ... applied to the invoice loaded later */
    CHECK_EQ_INT(inv(&f, "I4", a, T - 70, T - 40, 50000, "CNY"), 1);
    CHECK_EQ_INT(q(&f, "SELECT paid FROM invoices WHERE invoice_no = '%s'", "I4"), 20000);
    CHECK_EQ_INT(q(&f, "SELECT unapplied FROM payments WHERE payment_no = '%s'", "P3"), 0);
    CHECK_EQ_INT(q(&f,
                   "SELECT SUM(amount) FROM payment_allocations WHERE payment_id = (SELECT id "
                   "FROM payments WHERE payment_no = '%s')",
                   "P3"),
                 40000);
    /* a payment is a fact: identical again is skipped, different is refused */
    CHECK(!pay(&f, "P3", a, T - 80, 40000, "CNY", "", &r));
    CHECK_EQ_INT(r, -1);
    fixture_check_err(&f, pay(&f, "P3", a, T - 80, 40001, "CNY", "", &r), KAM_ECONFLICT,
                      "payment_no");
    /* naming another account's invoice refuses the row naming invoice_no; naming one not
     * loaded yet, the payment waits for it, wholly unapplied (no open invoice takes it) */
    CHECK_EQ_INT(inv(&f, "J1", b, T - 10, T + 20, 1000, "CNY"), 1);
    fixture_check_err(&f, pay(&f, "P4", a, T - 5, 1000, "CNY", "J1", &r), KAM_EINVAL, "invoice_no");
    CHECK(!pay(&f, "P5", a, T - 5, 1000, "CNY", "NOPE", &r));
    CHECK_EQ_INT(r, 1);
    CHECK_EQ_INT(q(&f, "SELECT unapplied FROM payments WHERE payment_no = '%s'", "P5"), 1000);
    CHECK_EQ_INT(q(&f,
                   "SELECT COUNT(*) FROM payment_allocations pa JOIN payments p ON p.id = "
                   "pa.payment_id WHERE p.payment_no = '%s'",
                   "P5"),
                 0);
    /* another currency than the open invoices: unapplied */
    CHECK(!fixture_q64(&f, "SELECT COUNT(*) FROM fx_rates WHERE currency = 'USD'") ||
          1); /* the rate is added below when missing */
    CHECK(!db_exec(f.db,
                   "INSERT INTO fx_rates (currency, rate_micro, updated_at) VALUES ('USD', "
                   "7000000, 1) ON CONFLICT (currency) DO NOTHING",
                   &f.e));
    CHECK(!pay(&f, "P6", a, T - 5, 30000, "USD", NULL, &r));
    CHECK_EQ_INT(q(&f, "SELECT unapplied FROM payments WHERE payment_no = '%s'", "P6"), 30000);
    CHECK_EQ_INT(q(&f, "SELECT amount_base FROM payments WHERE payment_no = '%s'", "P6"), 210000);
    /* re-loading an invoice updates it (a no-op writes nothing); below what was paid: refused */
    CHECK_EQ_INT(inv(&f, "I4", a, T - 70, T - 40, 50000, "CNY"), -1);
    CHECK_EQ_INT(inv(&f, "I4", a, T - 70, T - 30, 60000, "CNY"), 0);
    CHECK_EQ_INT(q(&f, "SELECT due_day = '2026-05-31' FROM invoices WHERE invoice_no = '%s'", "I4"),
                 1);
    struct invoice_in low = {"I4", dstr(&f, T - 70), dstr(&f, T - 30), "CNY", a, 10000, 0};
    fixture_check_err(&f, invoice_load(fixture_ctx(&f), &low, &r), KAM_EINVAL, "amount");
    fixture_close(&f);
}

TEST(receivables_ageing_buckets)
{
    CHECK_EQ_INT(receivable_bucket(-5), AGE_NOT_DUE);
    CHECK_EQ_INT(receivable_bucket(0), AGE_NOT_DUE);
    CHECK_EQ_INT(receivable_bucket(1), AGE_1_30);
    CHECK_EQ_INT(receivable_bucket(30), AGE_1_30);
    CHECK_EQ_INT(receivable_bucket(31), AGE_31_60);
    CHECK_EQ_INT(receivable_bucket(60), AGE_31_60);
    CHECK_EQ_INT(receivable_bucket(61), AGE_61_90);
    CHECK_EQ_INT(receivable_bucket(90), AGE_61_90);
    CHECK_EQ_INT(receivable_bucket(91), AGE_OVER_90);
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, t_now()))
        return;
    int64_t am = fixture_add_user(&f, "am", "account_manager", 0);
    int64_t a = new_account(&f, "A1", am), T = t_today();
    static const int past[] = {0, 1, 30, 31, 60, 61, 90, 91};
    for (int i = 0; i < 8; i++) {
        char no[16];
        snprintf(no, sizeof no, "G%d", i);
        CHECK_EQ_INT(inv(&f, no, a, T - past[i] - 30, T - past[i], 1 << i, "CNY"), 1);
    }
    struct ageing ag;
    CHECK(!receivable_ageing(fixture_ctx(&f), a, &ag));
    CHECK_EQ_INT(ag.bucket[AGE_NOT_DUE], 1);
    CHECK_EQ_INT(ag.bucket[AGE_1_30], 2 + 4);
    CHECK_EQ_INT(ag.bucket[AGE_31_60], 8 + 16);
    CHECK_EQ_INT(ag.bucket[AGE_61_90], 32 + 64);
    CHECK_EQ_INT(ag.bucket[AGE_OVER_90], 128);
    CHECK_EQ_INT(ag.total, 255);
    CHECK_EQ_INT(ag.overdue, 254);
    CHECK_EQ_INT(ag.oldest_days, 91);
    fixture_close(&f);
}

TEST(receivables_dso_by_hand)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, t_now()))
        return;
    int64_t am = fixture_add_user(&f, "am", "account_manager", 0);
    int64_t a = new_account(&f, "A1", am), T = t_today();
    int r;
    struct kam_ctx *ctx = fixture_ctx(&f);
    int64_t tenths = 0;
    int has = 1;
    CHECK(!receivable_dso(ctx, a, dstr(&f, T), &tenths, &has));
    CHECK_EQ_INT(has, 0); /* nothing invoiced: no DSO */
    CHECK_EQ_INT(inv(&f, "OLD", a, T - 120, T - 90, 100000, "CNY"), 1);
    CHECK_EQ_INT(inv(&f, "IA", a, T - 60, T - 30, 600000, "CNY"), 1);
    CHECK_EQ_INT(inv(&f, "IB", a, T - 10, T + 20, 300000, "CNY"), 1);
    CHECK(!pay(&f, "PA", a, T - 10, 600000, "CNY", "IA", &r));
    /* today: open 1000 + 3000 = 4000; invoiced in the 90 days 9000: 4000 / (9000 / 90) = 40.0 */
    CHECK(!receivable_dso(ctx, a, dstr(&f, T), &tenths, &has));
    CHECK_EQ_INT(has, 1);
    CHECK_EQ_INT(tenths, 400);
    /* as of T-20 (before PA and IB): open 1000 + 6000; invoiced (T-110, T-20] 6000: 105.0 */
    CHECK(!receivable_dso(ctx, a, dstr(&f, T - 20), &tenths, &has));
    CHECK_EQ_INT(tenths, 1050);
    struct credit_summary s;
    CHECK(!credit_summary_get(ctx, a, &s));
    CHECK_EQ_INT(s.dso_tenths, 400);
    CHECK(s.trend[CREDIT_TREND_MONTHS - 1].has && s.trend[CREDIT_TREND_MONTHS - 1].tenths == 400);
    CHECK(!strcmp(s.trend[CREDIT_TREND_MONTHS - 1].month, "2026-06"));
    CHECK(!strcmp(s.trend[CREDIT_TREND_MONTHS - 2].day, "2026-05-31"));
    fixture_close(&f);
}

static int64_t add_line(struct fixture *f, int64_t acc, int64_t day, int64_t amount,
                        const char *ext)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO order_lines (external_id, day, account_id, product_id, region, channel, "
             "quantity, amount, currency, amount_base, created_at, updated_at) VALUES ('%s', "
             "%lld, %lld, (SELECT id FROM products WHERE sku = 'P1'), '', '', 1000, %lld, 'CNY', "
             "%lld, 1, 1)",
             ext, (long long)day, (long long)acc, (long long)amount, (long long)amount);
    if (db_exec(f->db, sql, &f->e))
        return 0;
    snprintf(sql, sizeof sql, "SELECT id FROM order_lines WHERE external_id = '%s'", ext);
    return fixture_q64(f, sql);
}

TEST(receivables_exposure_group_limit)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, t_now()))
        return;
    int64_t fin = fixture_add_user(&f, "fin", "finance", 0);
    int64_t am = fixture_add_user(&f, "am", "account_manager", 0);
    int64_t h = new_account(&f, "H", am), s1 = new_account(&f, "S1", am),
            s2 = new_account(&f, "S2", am), T = t_today();
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE accounts SET parent_id = %lld WHERE id IN (%lld, %lld)",
             (long long)h, (long long)s1, (long long)s2);
    CHECK(!db_exec(f.db, sql, &f.e));
    CHECK(!db_exec(f.db,
                   "INSERT INTO products (sku, name, family, unit, currency, created_at, "
                   "updated_at) VALUES ('P1', 'P1', 'F', 'pc', 'CNY', 1, 1)",
                   &f.e));
    struct kam_ctx *ctx = fixture_ctx(&f);
    struct credit_limit_in li = {.set = CL_GROUP, .group_amount = 1000000, .has_group_amount = 1};
    struct credit_limit lo;
    CHECK(!credit_limit_put(ctx, h, &li, &lo));
    CHECK(lo.has_group_amount && lo.group_amount == 1000000 && lo.terms_days == 30);
    /* S1: an invoice of 6000 open; a line before it (invoiced) and one after it (open) */
    CHECK_EQ_INT(inv(&f, "S1-1", s1, T - 20, T + 10, 600000, "CNY"), 1);
    CHECK(add_line(&f, s1, T - 25, 50000, "L0"));
    int64_t l1 = add_line(&f, s1, T - 5, 100000, "L1");
    struct exposure e;
    CHECK(!credit_exposure(fixture_ctx(&f), s1, &e));
    CHECK_EQ_INT(e.receivables, 600000);
    CHECK_EQ_INT(e.open_orders, 100000);
    CHECK_EQ_INT(e.total, 700000);
    /* S2 has no invoice: its lines from the receivables start on are open (the earliest
     * invoice loaded, S1-1 of T-20), its history before it is not (invoiced before the ERP's
     * receivables reached KAM); group 7000 + 3000 = 10000: at the limit, no flag */
    int64_t l2h = add_line(&f, s2, T - 21, 900000, "L2H");
    CHECK(!credit_check_order_line(fixture_ctx(&f), l2h));
    CHECK(!credit_exposure(fixture_ctx(&f), s2, &e));
    CHECK_EQ_INT(e.open_orders, 0);
    int64_t l2 = add_line(&f, s2, T - 3, 300000, "L2");
    CHECK(!credit_check_order_line(fixture_ctx(&f), l2));
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM credit_holds"), 0);
    struct credit_summary s;
    CHECK(!credit_summary_get(fixture_ctx(&f), s2, &s));
    CHECK(s.has_group && s.group_head_id == h && s.group_exposure == 1000000);
    CHECK(!s.has_limit_base);
    /* one cent more goes over: flagged, finance told */
    int64_t l3 = add_line(&f, s2, T - 1, 1, "L3");
    CHECK(!credit_check_order_line(fixture_ctx(&f), l3));
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM credit_holds WHERE status = 'flagged' AND "
                                 "exposure = 1000001 AND limit_amount = 1000000"),
                 1);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM notifications WHERE user_id = %lld",
             (long long)fin);
    CHECK_EQ_INT(fixture_q64(&f, sql), 1);
    /* the invoiced line never flags */
    (void)l1;
    /* an account limit: S1 at 7000 with a limit of 7000.00 is within it */
    struct credit_limit_in l2in = {.set = CL_AMOUNT, .amount = 700000, .has_amount = 1};
    CHECK(!credit_limit_put(fixture_ctx(&f), s1, &l2in, &lo));
    CHECK(!credit_summary_get(fixture_ctx(&f), s1, &s));
    CHECK(s.has_used && s.used_bp == 10000);
    /* over an existing limit the version is required (a blind overwrite otherwise) */
    fixture_check_err(&f, credit_limit_put(fixture_ctx(&f), s1, &l2in, &lo), KAM_EINVAL, "version");
    /* a stale version is refused */
    l2in.set |= CL_VERSION;
    l2in.version = lo.version + 1;
    fixture_check_err(&f, credit_limit_put(fixture_ctx(&f), s1, &l2in, &lo), KAM_ECONFLICT,
                      "version");
    fixture_close(&f);
}

/* Order lines count as open (not yet invoiced) only from the receivables start: after the
 * account's latest invoice; without one, from the earliest invoice loaded (any account); before
 * any invoice was loaded, none (KAM cannot tell what the ERP invoiced). */
TEST(receivables_open_orders_from_start)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, t_now()))
        return;
    fixture_add_user(&f, "fin", "finance", 0);
    int64_t am = fixture_add_user(&f, "am", "account_manager", 0);
    int64_t a = new_account(&f, "A", am), b = new_account(&f, "B", am), T = t_today();
    CHECK(!db_exec(f.db,
                   "INSERT INTO products (sku, name, family, unit, currency, created_at, "
                   "updated_at) VALUES ('P1', 'P1', 'F', 'pc', 'CNY', 1, 1)",
                   &f.e));
    struct kam_ctx *ctx = fixture_ctx(&f);
    struct credit_limit_in li = {.set = CL_AMOUNT, .amount = 100, .has_amount = 1};
    struct credit_limit lo;
    CHECK(!credit_limit_put(ctx, a, &li, &lo));
    /* no invoice loaded anywhere: A's sales history is no exposure, nothing flagged */
    int64_t h1 = add_line(&f, a, T - 100, 500000, "H1");
    struct exposure e;
    CHECK(!credit_exposure(ctx, a, &e));
    CHECK_EQ_INT(e.open_orders, 0);
    CHECK(!credit_check_order_line(ctx, h1));
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM credit_holds"), 0);
    /* B's first invoice (T-50) starts the receivables: A's lines after T-51 are open */
    CHECK_EQ_INT(inv(&f, "B-1", b, T - 50, T - 20, 10000, "CNY"), 1);
    CHECK(add_line(&f, b, T - 60, 70000, "B60"));
    CHECK(add_line(&f, b, T - 40, 30000, "B40"));
    int64_t a10 = add_line(&f, a, T - 10, 200000, "A10");
    CHECK(add_line(&f, a, T - 50, 1000, "A50"));
    CHECK(!credit_exposure(ctx, a, &e));
    CHECK_EQ_INT(e.open_orders, 201000);
    CHECK_EQ_INT(e.total, 201000);
    CHECK(!credit_exposure(ctx, b, &e));
    CHECK_EQ_INT(e.receivables, 10000);
    CHECK_EQ_INT(e.open_orders, 30000);
    /* the history line is still not checked; the open one goes over A's limit */
    CHECK(!credit_check_order_line(ctx, h1));
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM credit_holds"), 0);
    CHECK(!credit_check_order_line(ctx, a10));
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM credit_holds WHERE status = 'flagged' AND "
                                 "exposure = 201000 AND limit_amount = 100"),
                 1);
    /* within a raised limit, the line checked again lets its flag go (released, audited) */
    li.set |= CL_VERSION;
    li.version = lo.version;
    li.amount = 1000000;
    CHECK(!credit_limit_put(ctx, a, &li, &lo));
    CHECK(!credit_check_order_line(ctx, a10));
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM credit_holds WHERE status = 'released' AND "
                                 "decided_by IS NULL"),
                 1);
    /* a flagged line deleted: its hold goes with it */
    int64_t big = add_line(&f, a, T - 1, 900000, "BIG");
    CHECK(!credit_check_order_line(ctx, big));
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM credit_holds WHERE status = 'flagged'"), 1);
    CHECK(!credit_order_line_deleted(ctx, big));
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM credit_holds WHERE status = 'flagged'"), 0);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'credit_hold' AND "
                                 "action = 'update' AND changes LIKE '%released%'"),
                 2);
    fixture_close(&f);
}

/* A group's exposure counts every subsidiary (set-based, no cap: 2,000 were counted before). */
TEST(receivables_group_exposure_uncapped)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, t_now()))
        return;
    int64_t am = fixture_add_user(&f, "am", "account_manager", 0);
    int64_t h = new_account(&f, "GH", am), T = t_today();
    CHECK(!db_exec(f.db,
                   "INSERT INTO products (sku, name, family, unit, currency, created_at, "
                   "updated_at) VALUES ('P1', 'P1', 'F', 'pc', 'CNY', 1, 1)",
                   &f.e));
    char sql[1024];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2600) "
             "INSERT INTO accounts (code, name, owner_id, tier, status, parent_id, created_at, "
             "updated_at) SELECT 'GS' || i, 'GS' || i, %lld, 'C', 'active', %lld, 1, 1 FROM n",
             (long long)am, (long long)h);
    CHECK(!db_exec(f.db, sql, &f.e));
    /* the receivables start: the head's invoice of T-30 (100.00 open); each subsidiary one open
     * order line of 1.00 */
    CHECK_EQ_INT(inv(&f, "GH-1", h, T - 30, T, 10000, "CNY"), 1);
    snprintf(sql, sizeof sql,
             "INSERT INTO order_lines (external_id, day, account_id, product_id, region, channel, "
             "quantity, amount, currency, amount_base, created_at, updated_at) SELECT 'GL' || "
             "a.id, %lld, a.id, (SELECT id FROM products WHERE sku = 'P1'), '', '', 1000, 100, "
             "'CNY', 100, 1, 1 FROM accounts a WHERE a.parent_id = %lld",
             (long long)(T - 1), (long long)h);
    CHECK(!db_exec(f.db, sql, &f.e));
    struct kam_ctx *ctx = fixture_ctx(&f);
    struct credit_limit_in li = {.set = CL_GROUP, .group_amount = 1000000, .has_group_amount = 1};
    struct credit_limit lo;
    CHECK(!credit_limit_put(ctx, h, &li, &lo));
    struct credit_summary s;
    CHECK(!credit_summary_get(ctx, h, &s));
    CHECK(s.has_group && s.group_head_id == h);
    CHECK_EQ_INT(s.group_exposure, 10000 + 2600 * 100);
    fixture_close(&f);
}

struct hits {
    int64_t acc[8], val[8];
    int n;
};

static enum kam_err collect(void *arg, const struct signal_hit *h)
{
    struct hits *x = arg;
    if (x->n < 8) {
        x->acc[x->n] = h->account_id;
        x->val[x->n++] = h->value_milli;
    }
    return KAM_OK;
}

static const struct signal_def *sig(const char *key)
{
    for (int i = 0; signals_credit[i].key; i++)
        if (!strcmp(signals_credit[i].key, key))
            return &signals_credit[i];
    return NULL;
}

TEST(receivables_signals_fire_and_near_miss)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, t_now()))
        return;
    int64_t am = fixture_add_user(&f, "am", "account_manager", 0);
    int64_t a = new_account(&f, "A", am), b = new_account(&f, "B", am),
            c = new_account(&f, "C", am), d = new_account(&f, "D", am), T = t_today();
    /* A: 30 days past due (fires at 30), B: 29 days (near miss) */
    CHECK_EQ_INT(inv(&f, "A1", a, T - 60, T - 30, 1000, "CNY"), 1);
    CHECK_EQ_INT(inv(&f, "B1", b, T - 59, T - 29, 1000, "CNY"), 1);
    const struct signal_def *od = sig("receivables_overdue");
    CHECK(od != NULL);
    if (!od)
        return;
    struct signal_rule rule = {od, 1, od->threshold_milli, od->severity, od->dept, "{}"};
    struct hits x = {0};
    CHECK(!od->eval(fixture_ctx(&f), &rule, NULL, 0, collect, &x));
    CHECK_EQ_INT(x.n, 1);
    CHECK_EQ_INT(x.acc[0], a);
    CHECK_EQ_INT(x.val[0], 30000);
    /* C: exposure 900.00 of a 1000.00 limit (fires at 90 %), D: 899.99 (near miss) */
    CHECK_EQ_INT(inv(&f, "C1", c, T - 5, T + 25, 90000, "CNY"), 1);
    CHECK_EQ_INT(inv(&f, "D1", d, T - 5, T + 25, 89999, "CNY"), 1);
    struct credit_limit_in li = {.set = CL_AMOUNT, .amount = 100000, .has_amount = 1};
    struct credit_limit lo;
    CHECK(!credit_limit_put(fixture_ctx(&f), c, &li, &lo));
    CHECK(!credit_limit_put(fixture_ctx(&f), d, &li, &lo));
    const struct signal_def *ex = sig("exposure_near_limit");
    CHECK(ex != NULL);
    if (!ex)
        return;
    struct signal_rule r2 = {ex, 1, ex->threshold_milli, ex->severity, ex->dept, "{}"};
    memset(&x, 0, sizeof x);
    CHECK(!ex->eval(fixture_ctx(&f), &r2, NULL, 0, collect, &x));
    CHECK_EQ_INT(x.n, 1);
    CHECK_EQ_INT(x.acc[0], c);
    CHECK_EQ_INT(x.val[0], 90000);
    fixture_close(&f);
}
