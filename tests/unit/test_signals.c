/* test_signals.c -- the early-warning signals of the volume, relationships and needs chapters
 * (svc/core/signal.h, docs/SIGNALS.md): each fires on a constructed account with the value and
 * evidence worked out by hand, and not on its near miss (one day or one unit short); the
 * accounts filter and lost accounts. Each runs on SQLite and, when KAM_TEST_PG_DSN is set, on
 * PostgreSQL in a database of its own (created and dropped by the test). Every test name starts
 * with "signals_". The credit signals' own cases are test_receivables.c's; here the group limit
 * of exposure_near_limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/timeutil.h"
#include "fixture.h"
#include "svc/core/signal.h"
#include "svc/core/tone.h"
#include "svc/relationships/account.h"
#include "svc/relationships/contact.h"
#include "svc/risk/credit.h"
#include "svc/risk/receivable.h"
#include "svc/volume/product.h"
#include "svc/volume/sales.h"
#include "test.h"

#define NOW 1796558400LL /* 2026-12-06T12:00:00Z: this month 2026-12, day 340 of 365 */
#define DAY 86400LL
#define TODAY (NOW / DAY)

struct hit {
    int64_t account, value;
    char evidence[2048];
};

struct hits {
    struct hit v[32];
    int n;
};

static enum kam_err collect(void *arg, const struct signal_hit *h)
{
    struct hits *hs = arg;
    if (hs->n < 32) {
        hs->v[hs->n].account = h->account_id;
        hs->v[hs->n].value = h->value_milli;
        snprintf(hs->v[hs->n].evidence, sizeof hs->v[hs->n].evidence, "%s", h->evidence);
        hs->n++;
    }
    return KAM_OK;
}

static const struct hit *find(const struct hits *hs, int64_t account)
{
    for (int i = 0; i < hs->n; i++)
        if (hs->v[i].account == account)
            return &hs->v[i];
    return NULL;
}

static const struct signal_def *def_of(const struct signal_def *table, const char *key)
{
    for (const struct signal_def *d = table; d->key; d++)
        if (!strcmp(d->key, key))
            return d;
    return NULL;
}

/* Evaluates a signal under its default rule over accounts (NULL: all). */
static int run(struct fixture *f, const struct signal_def *table, const char *key,
               const int64_t *accounts, size_t n, struct hits *out)
{
    memset(out, 0, sizeof *out);
    const struct signal_def *d = def_of(table, key);
    CHECK(d != NULL);
    if (!d)
        return 0;
    struct signal_rule r = {d, 1, d->threshold_milli, d->severity, d->dept, d->params};
    enum kam_err rc = d->eval(fixture_ctx(f), &r, accounts, n, collect, out);
    if (rc)
        fprintf(stderr, "  %s: %s\n", key, f->e.msg);
    CHECK_EQ_INT(rc, KAM_OK);
    return rc == KAM_OK;
}

static int has(const struct hit *h, const char *s)
{
    if (h && strstr(h->evidence, s))
        return 1;
    fprintf(stderr, "  evidence %s lacks %s\n", h ? h->evidence : "(no hit)", s);
    return 0;
}

static int sql(struct fixture *f, const char *s)
{
    enum kam_err rc = db_exec(f->db, s, &f->e);
    if (rc)
        fprintf(stderr, "  sql: %s: %s\n", s, f->e.msg);
    return !rc;
}

static int64_t mk_acc(struct fixture *f, const char *code, int64_t owner)
{
    struct account_in in = {0};
    in.v.code = code;
    in.v.name = code;
    in.v.owner_id = owner;
    in.v.tier = "key";
    in.set = ACC_CODE | ACC_NAME | ACC_OWNER | ACC_TIER;
    struct account a = {0};
    enum kam_err rc = account_create(fixture_ctx(f), &in, &a);
    if (rc)
        fprintf(stderr, "  account_create %s: %s\n", code, f->e.msg);
    CHECK_EQ_INT(rc, KAM_OK);
    return rc ? 0 : a.id;
}

/* ---- both engines ---- */

/* TEST(name) on SQLite and TEST(name_postgres); the body is name_on(dsn). */
#define BOTH(name)                                                                                 \
    static void name##_on(const char *dsn);                                                        \
    TEST(name)                                                                                     \
    {                                                                                              \
        name##_on(FIXTURE_MEMORY);                                                                 \
    }                                                                                              \
    TEST(name##_postgres)                                                                          \
    {                                                                                              \
        char d[512], nm[64];                                                                       \
        if (fixture_pg_fresh("kam_signals", d, sizeof d, nm, sizeof nm)) {                         \
            name##_on(d);                                                                          \
            fixture_pg_drop(nm);                                                                   \
        }                                                                                          \
    }                                                                                              \
    static void name##_on(const char *dsn)

static int open_world(struct fixture *f, const char *dsn, int64_t *owner)
{
    if (!fixture_open(f, dsn, NOW))
        return 0;
    *owner = fixture_add_user(f, "am1", "account_manager", 0);
    struct product_in pi = {0};
    pi.sku = "P1";
    pi.name = "P1";
    pi.family = "Servers";
    pi.set = PROD_SKU | PROD_NAME | PROD_FAMILY;
    struct product p;
    return fixture_setup_end(f, *owner && !product_create(fixture_ctx(f), &pi, &p));
}

static int order(struct fixture *f, int64_t account, int64_t day, int64_t amount)
{
    static int seq;
    char ext[32], date[16];
    int y, m, d;
    days_to_date(day, &y, &m, &d);
    snprintf(ext, sizeof ext, "S%d", ++seq);
    snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
    struct order_in in = {0};
    in.set = ORD_EXTERNAL_ID | ORD_DATE | ORD_ACCOUNT | ORD_SKU | ORD_QUANTITY | ORD_AMOUNT;
    in.external_id = ext;
    in.date = date;
    in.account_id = account;
    in.sku = "P1";
    in.quantity = 1000;
    in.amount = amount;
    in.currency = "CNY";
    struct order_line out;
    enum kam_err rc = order_create(fixture_ctx(f), &in, &out);
    if (rc)
        fprintf(stderr, "  order_create %s: %s\n", date, f->e.msg);
    return !rc;
}

static int64_t day_of(int y, int m, int d)
{
    return date_to_days(y, m, d);
}

/* ---- volume ---- */

BOTH(signals_purchase_overdue)
{
    struct fixture f;
    int64_t am;
    if (!open_world(&f, dsn, &am))
        return;
    int64_t a = mk_acc(&f, "PO-A", am), b = mk_acc(&f, "PO-B", am), c = mk_acc(&f, "PO-C", am),
            e = mk_acc(&f, "PO-E", am);
    int ok = 1;
    /* A: purchases every 20 days, the last 40 days ago: 40 / 20 = 2.0. */
    for (int k = 0; k < 4; k++)
        ok = ok && order(&f, a, TODAY - 100 + 20 * k, 1000);
    /* E: the same with the last 30 days ago: exactly 1.5 fires. */
    for (int k = 0; k < 4; k++)
        ok = ok && order(&f, e, TODAY - 90 + 20 * k, 1000);
    /* B, the near miss: the last 29 days ago, 1.45. */
    for (int k = 0; k < 4; k++)
        ok = ok && order(&f, b, TODAY - 89 + 20 * k, 1000);
    /* C: three purchase days only (two lines on one day count once), long ago. */
    ok = ok && order(&f, c, TODAY - 300, 10) && order(&f, c, TODAY - 280, 10) &&
         order(&f, c, TODAY - 260, 10) && order(&f, c, TODAY - 260, 10);
    CHECK(ok);
    struct hits h;
    run(&f, signals_volume, "purchase_overdue", NULL, 0, &h);
    CHECK_EQ_INT(h.n, 2);
    const struct hit *x = find(&h, a);
    CHECK(x && x->value == 2000);
    CHECK(has(x, "\"days_since\":40") && has(x, "\"median_interval_days\":20") &&
          has(x, "\"purchase_days\":4") && has(x, "\"last_purchase\":\"2026-10-27\""));
    x = find(&h, e);
    CHECK(x && x->value == 1500);
    CHECK(!find(&h, b) && !find(&h, c));
    /* The accounts filter: B and E asked for, only E fires; a lost account never does. */
    int64_t ask[2] = {b, e};
    run(&f, signals_volume, "purchase_overdue", ask, 2, &h);
    CHECK(h.n == 1 && find(&h, e));
    int64_t many[20];
    for (int i = 0; i < 20; i++)
        many[i] = 100000 + i;
    many[3] = b;
    many[17] = e;
    run(&f, signals_volume, "purchase_overdue", many, 20, &h);
    CHECK(h.n == 1 && find(&h, e));
    CHECK(sql(&f, "UPDATE accounts SET status = 'lost' WHERE code = 'PO-A'"));
    run(&f, signals_volume, "purchase_overdue", NULL, 0, &h);
    CHECK(h.n == 1 && !find(&h, a));
    fixture_close(&f);
}

BOTH(signals_volume_decline)
{
    struct fixture f;
    int64_t am;
    if (!open_world(&f, dsn, &am))
        return;
    int64_t a = mk_acc(&f, "VD-A", am), b = mk_acc(&f, "VD-B", am), c = mk_acc(&f, "VD-C", am);
    int ok = 1;
    /* September to November 2026 against the same months of 2025. */
    for (int m = 9; m <= 11; m++) {
        ok = ok && order(&f, a, day_of(2025, m, 10), 100000) &&
             order(&f, a, day_of(2026, m, 10), 80000);
        ok = ok && order(&f, b, day_of(2025, m, 10), 100000) &&
             order(&f, b, day_of(2026, m, 10), m == 9 ? 80100 : 80000);
    }
    /* C: nothing a year before (no growth to measure); December is not a complete month. */
    ok = ok && order(&f, c, day_of(2026, 10, 1), 5000) && order(&f, c, day_of(2025, 12, 1), 9000);
    CHECK(ok);
    struct hits h;
    run(&f, signals_volume, "volume_decline", NULL, 0, &h);
    CHECK_EQ_INT(h.n, 1);
    const struct hit *x = find(&h, a);
    CHECK(x && x->value == -20000); /* 240000 against 300000: -20 % */
    CHECK(has(x, "\"amount\":240000") && has(x, "\"last_year\":300000") &&
          has(x, "\"from\":\"2026-09\"") && has(x, "\"to\":\"2026-11\""));
    CHECK(!find(&h, b)); /* 240100: -19.967 % */
    CHECK(!find(&h, c));
    fixture_close(&f);
}

BOTH(signals_volume_below_target)
{
    struct fixture f;
    int64_t am;
    if (!open_world(&f, dsn, &am))
        return;
    int64_t a = mk_acc(&f, "VT-A", am), b = mk_acc(&f, "VT-B", am), c = mk_acc(&f, "VT-C", am);
    /* A plan of 2026 split by account, approved: 365 (whole units) each. On 6 December the
     * complete months are January to November: 365 x 11 / 12 = 334 due (33400 minor units,
     * kpi.c's months pro rata). A has 26720 in those months (80 %) and 99999 on 1 December (the
     * month under way is not judged), B 26721 (80.003 %). */
    char buf[1024];
    snprintf(buf, sizeof buf,
             "INSERT INTO target_plans (id, year, name, measure, total, dims, basis, status, "
             "owner_id, deadline, created_at, updated_at) VALUES (1, 2026, 'P', 'amount', 1095, "
             "'account', 'equal', 'approved', %lld, 0, 0, 0); INSERT INTO target_cells (plan_id, "
             "account_id, family, region, channel, month, value, basis) VALUES (1, %lld, '', '', "
             "'', 0, 365, 1), (1, %lld, '', '', '', 0, 365, 1), (1, %lld, '', '', '', 0, 0, 1)",
             (long long)am, (long long)a, (long long)b, (long long)c);
    int ok = sql(&f, buf) && order(&f, a, day_of(2026, 3, 1), 20000) &&
             order(&f, a, day_of(2026, 11, 30), 6720) && order(&f, a, day_of(2026, 12, 1), 99999) &&
             order(&f, b, day_of(2026, 3, 1), 26721) && order(&f, a, day_of(2025, 12, 1), 99999);
    CHECK(ok);
    struct hits h;
    run(&f, signals_volume, "volume_below_target", NULL, 0, &h);
    const struct hit *x = find(&h, a);
    CHECK(x && x->value == 80000);
    CHECK(has(x, "\"actual\":26720") && has(x, "\"target\":334") &&
          has(x, "\"from\":\"2026-01\",\"to\":\"2026-11\""));
    CHECK(!find(&h, b));
    CHECK(!find(&h, c)); /* a target of 0: no attainment */
    CHECK_EQ_INT(h.n, 1);
    /* Only approved plans count. */
    ok = sql(&f, "UPDATE target_plans SET status = 'submitted'");
    run(&f, signals_volume, "volume_below_target", NULL, 0, &h);
    CHECK(ok && h.n == 0);
    /* Early January (5 January 2027, China time): an approved plan of 2027 and nothing sold
     * yet is not judged (the year-to-date of 5 days would be 0 % of a pro-rated target). */
    snprintf(buf, sizeof buf,
             "INSERT INTO target_plans (id, year, name, measure, total, dims, basis, status, "
             "owner_id, deadline, created_at, updated_at) VALUES (2, 2027, 'P27', 'amount', 365, "
             "'account', 'equal', 'approved', %lld, 0, 0, 0); INSERT INTO target_cells (plan_id, "
             "account_id, family, region, channel, month, value, basis) VALUES (2, %lld, '', '', "
             "'', 0, 365, 1)",
             (long long)am, (long long)a);
    ok = sql(&f, buf);
    f.ctx.now = date_to_days(2027, 1, 5) * DAY + 4 * 3600;
    run(&f, signals_volume, "volume_below_target", NULL, 0, &h);
    CHECK(ok && h.n == 0);
    /* 1 February: January is complete (31 of the plan's 365 / 12 = 30 due): A sold nothing */
    f.ctx.now = date_to_days(2027, 2, 1) * DAY + 4 * 3600;
    run(&f, signals_volume, "volume_below_target", NULL, 0, &h);
    x = find(&h, a);
    CHECK(h.n == 1 && x && x->value == 0 && has(x, "\"to\":\"2027-01\""));
    fixture_close(&f);
}

/* An open invoice of account (due in 20 days) of amount minor units. */
static int open_invoice(struct fixture *f, const char *no, int64_t account, int64_t amount)
{
    char day[16], due[16];
    int y, m, d;
    days_to_date(TODAY - 10, &y, &m, &d);
    snprintf(day, sizeof day, "%04d-%02d-%02d", y, m, d);
    days_to_date(TODAY + 20, &y, &m, &d);
    snprintf(due, sizeof due, "%04d-%02d-%02d", y, m, d);
    struct invoice_in in = {no, day, due, "CNY", account, amount, 0};
    int r = 0;
    enum kam_err rc = invoice_load(fixture_ctx(f), &in, &r);
    if (rc)
        fprintf(stderr, "  invoice %s: %s\n", no, f->e.msg);
    return !rc;
}

static int group_limit(struct fixture *f, int64_t account, int64_t amount, int64_t group)
{
    struct credit_limit_in li = {.set = CL_GROUP, .group_amount = group, .has_group_amount = 1};
    if (amount) {
        li.set |= CL_AMOUNT;
        li.amount = amount;
        li.has_amount = 1;
    }
    struct credit_limit out;
    enum kam_err rc = credit_limit_put(fixture_ctx(f), account, &li, &out);
    if (rc)
        fprintf(stderr, "  credit_limit_put: %s\n", f->e.msg);
    return !rc;
}

/* exposure_near_limit judges the group limit covering an account too (the nearest one up its
 * parent chain, itself included, credit.h): H's group limit of 1000.00 covers H and its
 * subsidiary S (neither has a limit of its own); the group's exposure 950.00 (95 %) fires on
 * both. N, a subsidiary of S with a group limit of its own (100000.00), is judged against its
 * group (0.5 %), not H's; G's group (800.00 of 1000.00: 80 %) is the near miss. */
BOTH(signals_exposure_group_limit)
{
    struct fixture f;
    int64_t am;
    if (!open_world(&f, dsn, &am))
        return;
    int64_t h = mk_acc(&f, "GH", am), sub = mk_acc(&f, "GS", am), nest = mk_acc(&f, "GN", am),
            g = mk_acc(&f, "GG", am), gs = mk_acc(&f, "GGS", am);
    char buf[512];
    snprintf(buf, sizeof buf,
             "UPDATE accounts SET parent_id = %lld WHERE id = %lld; UPDATE accounts SET parent_id "
             "= %lld WHERE id = %lld; UPDATE accounts SET parent_id = %lld WHERE id = %lld",
             (long long)h, (long long)sub, (long long)sub, (long long)nest, (long long)g,
             (long long)gs);
    int ok = sql(&f, buf) && group_limit(&f, h, 0, 100000) && group_limit(&f, nest, 0, 10000000) &&
             group_limit(&f, g, 0, 100000) && open_invoice(&f, "GI1", h, 20000) &&
             open_invoice(&f, "GI2", sub, 25000) && open_invoice(&f, "GI3", nest, 50000) &&
             open_invoice(&f, "GI4", gs, 80000);
    CHECK(ok);
    struct hits hs;
    run(&f, signals_credit, "exposure_near_limit", NULL, 0, &hs);
    CHECK_EQ_INT(hs.n, 2);
    const struct hit *x = find(&hs, sub);
    CHECK(x && x->value == 95000);
    CHECK(x && has(x, "\"limit\":null,\"receivables\":25000") &&
          has(x, "\"limit\":100000,\"exposure\":95000,\"used_milli\":95000"));
    x = find(&hs, h);
    CHECK(x && x->value == 95000);
    CHECK(!find(&hs, nest) && !find(&hs, g) && !find(&hs, gs));
    /* an own limit worse than the group's: the worse counts (S: 250.00 of 200.00 = 125 %) */
    ok = group_limit(&f, sub, 20000, 0) &&
         sql(&f, "UPDATE credit_limits SET group_amount = NULL WHERE account_id = (SELECT id "
                 "FROM accounts WHERE code = 'GS')");
    run(&f, signals_credit, "exposure_near_limit", NULL, 0, &hs);
    x = find(&hs, sub);
    CHECK(ok && x && x->value == 125000);
    /* the accounts asked for */
    run(&f, signals_credit, "exposure_near_limit", &h, 1, &hs);
    CHECK(hs.n == 1 && find(&hs, h));
    fixture_close(&f);
}

BOTH(signals_volume_below_forecast)
{
    struct fixture f;
    int64_t am;
    if (!open_world(&f, dsn, &am))
        return;
    int64_t a = mk_acc(&f, "VF-A", am), b = mk_acc(&f, "VF-B", am), c = mk_acc(&f, "VF-C", am);
    int ok = 1;
    /* 36 steady months (November 2023 .. October 2026) of 100000: the forecast of November is
     * 100000. A sold 75000 in November (25 % short), B 75001 (24.999 %); C the same as A but
     * without a stored forecast (the outlook does not forecast it). */
    for (int k = 0; k < 36; k++) {
        int y = 2023 + (10 + k) / 12, m = (10 + k) % 12 + 1;
        ok = ok && order(&f, a, day_of(y, m, 5), 100000) && order(&f, b, day_of(y, m, 5), 100000) &&
             order(&f, c, day_of(y, m, 5), 100000);
    }
    ok = ok && order(&f, a, day_of(2026, 11, 5), 75000) &&
         order(&f, b, day_of(2026, 11, 5), 75001) && order(&f, c, day_of(2026, 11, 5), 75000);
    char buf[512];
    snprintf(buf, sizeof buf,
             "INSERT INTO forecasts (level, key, measure, month, mean, lo80, hi80, lo95, hi95, "
             "method, computed_at) VALUES ('account', '%lld', 'amount', 202612, 1, 1, 1, 1, 1, "
             "'x', 0), ('account', '%lld', 'amount', 202612, 1, 1, 1, 1, 1, 'x', 0)",
             (long long)a, (long long)b);
    ok = ok && sql(&f, buf);
    CHECK(ok);
    struct hits h;
    run(&f, signals_volume, "volume_below_forecast", NULL, 0, &h);
    const struct hit *x = find(&h, a);
    CHECK(x && x->value == 25000);
    CHECK(has(x, "\"month\":\"2026-11\"") && has(x, "\"actual\":75000") &&
          has(x, "\"forecast\":100000"));
    CHECK(!find(&h, b) && !find(&h, c));
    CHECK_EQ_INT(h.n, 1);
    fixture_close(&f);
}

/* ---- relationships ---- */

static int64_t mk_contact(struct fixture *f, int64_t account, const char *name, const char *role)
{
    struct contact_in in = {0};
    in.v.name = name;
    in.v.decision_role = role;
    in.v.influence = 3;
    in.v.attitude = 1;
    in.set = CON_NAME | CON_DECISION_ROLE | CON_INFLUENCE | CON_ATTITUDE;
    struct contact c;
    enum kam_err rc = contact_create(fixture_ctx(f), account, &in, &c);
    if (rc)
        fprintf(stderr, "  contact_create %s: %s\n", name, f->e.msg);
    return rc ? 0 : c.id;
}

BOTH(signals_key_contact_stale)
{
    struct fixture f;
    int64_t am;
    if (!open_world(&f, dsn, &am))
        return;
    int64_t a = mk_acc(&f, "KS-A", am), b = mk_acc(&f, "KS-B", am), c = mk_acc(&f, "KS-C", am);
    /* A: a decision maker last seen 90 days ago, a champion 95; B: a champion 89 days ago;
     * C: an ordinary user 400 days ago. */
    int64_t a1 = mk_contact(&f, a, "Alice", "decision_maker"),
            a2 = mk_contact(&f, a, "Bob", "champion"), a3 = mk_contact(&f, a, "Carl", "champion"),
            b1 = mk_contact(&f, b, "Dora", "champion"), c1 = mk_contact(&f, c, "Emil", "user");
    int ok = a1 && a2 && a3 && b1 && c1 && !contact_touch(fixture_ctx(&f), a1, NOW - 90 * DAY) &&
             !contact_touch(fixture_ctx(&f), a2, NOW - 95 * DAY) &&
             !contact_touch(fixture_ctx(&f), a3, NOW - 10 * DAY) &&
             !contact_touch(fixture_ctx(&f), b1, NOW - 89 * DAY - 3600) &&
             !contact_touch(fixture_ctx(&f), c1, NOW - 400 * DAY);
    CHECK(ok);
    struct hits h;
    run(&f, signals_relationships, "key_contact_stale", NULL, 0, &h);
    CHECK_EQ_INT(h.n, 1);
    const struct hit *x = find(&h, a);
    CHECK(x && x->value == 95000);
    CHECK(has(x, "\"name\":\"Bob\",\"days\":95") && has(x, "\"name\":\"Alice\",\"days\":90") &&
          has(x, "\"count\":2"));
    CHECK(x && !strstr(x->evidence, "Carl"));
    /* Never contacted: counted from when the person was recorded. */
    f.ctx.now = NOW - 100 * DAY;
    int64_t c2 = mk_contact(&f, c, "Fay", "decision_maker");
    f.ctx.now = NOW;
    run(&f, signals_relationships, "key_contact_stale", NULL, 0, &h);
    x = find(&h, c);
    CHECK(c2 && x && x->value == 100000 && has(x, "\"never\":true"));
    fixture_close(&f);
}

BOTH(signals_key_contact_gone)
{
    struct fixture f;
    int64_t am;
    if (!open_world(&f, dsn, &am))
        return;
    int64_t a = mk_acc(&f, "KG-A", am), b = mk_acc(&f, "KG-B", am), c = mk_acc(&f, "KG-C", am);
    int64_t a1 = mk_contact(&f, a, "Alice", "decision_maker"),
            b1 = mk_contact(&f, b, "Bert", "user"), c1 = mk_contact(&f, c, "Cleo", "champion");
    /* A's decision maker removed today; B's user removed today; C's champion 91 days ago. */
    int ok = a1 && b1 && c1 && !contact_delete(fixture_ctx(&f), a1) &&
             !contact_delete(fixture_ctx(&f), b1);
    f.ctx.now = NOW - 91 * DAY;
    ok = ok && !contact_delete(fixture_ctx(&f), c1);
    f.ctx.now = NOW;
    CHECK(ok);
    struct hits h;
    run(&f, signals_relationships, "key_contact_gone", NULL, 0, &h);
    CHECK_EQ_INT(h.n, 1);
    const struct hit *x = find(&h, a);
    CHECK(x && x->value == 1000);
    CHECK(has(x, "\"name\":\"Alice\"") && has(x, "\"decision_role\":\"decision_maker\""));
    /* Within 92 days, C's champion counts too. */
    struct signal_rule r = {def_of(signals_relationships, "key_contact_gone"),
                            1,
                            1000,
                            SIGNAL_MEDIUM,
                            "sales",
                            "{\"days\": 92}"};
    memset(&h, 0, sizeof h);
    CHECK(!r.def->eval(fixture_ctx(&f), &r, NULL, 0, collect, &h));
    CHECK(h.n == 2 && find(&h, c));
    fixture_close(&f);
}

BOTH(signals_visits_overdue)
{
    struct fixture f;
    int64_t am;
    if (!open_world(&f, dsn, &am))
        return;
    int64_t a = mk_acc(&f, "VO-A", am), b = mk_acc(&f, "VO-B", am);
    char buf[1024];
    /* A: two planned visits past (a day and a second ago), one done; B: planned for now
     * (not past yet) and a cancelled one last week. */
    snprintf(
        buf, sizeof buf,
        "INSERT INTO visits (id, account_id, owner_id, kind, planned_at, status, purpose, "
        "created_at, updated_at) VALUES (71, %lld, %lld, 'onsite', %lld, 'planned', 'Review', "
        "0, 0), (72, %lld, %lld, 'onsite', %lld, 'planned', 'Demo', 0, 0), (73, %lld, %lld, "
        "'onsite', %lld, 'done', '', 0, 0), (74, %lld, %lld, 'onsite', %lld, 'planned', '', 0, "
        "0), (75, %lld, %lld, 'onsite', %lld, 'cancelled', '', 0, 0)",
        (long long)a, (long long)am, NOW - DAY, (long long)a, (long long)am, NOW - 1, (long long)a,
        (long long)am, NOW - 2 * DAY, (long long)b, (long long)am, NOW, (long long)b, (long long)am,
        NOW - 7 * DAY);
    CHECK(sql(&f, buf));
    struct hits h;
    run(&f, signals_relationships, "visits_overdue", NULL, 0, &h);
    CHECK_EQ_INT(h.n, 1);
    const struct hit *x = find(&h, a);
    CHECK(x && x->value == 2000);
    CHECK(has(x, "\"id\":71") && has(x, "\"purpose\":\"Review\"") && has(x, "\"id\":72") &&
          has(x, "\"count\":2"));
    CHECK(x && !strstr(x->evidence, "\"id\":73"));
    /* The accounts filter: only B asked for, nothing fires. */
    run(&f, signals_relationships, "visits_overdue", &b, 1, &h);
    CHECK_EQ_INT(h.n, 0);
    run(&f, signals_relationships, "visits_overdue", &a, 1, &h);
    CHECK_EQ_INT(h.n, 1);
    /* More ids than are bound in the SQL: filtered in memory, the same answer. */
    int64_t many[20];
    for (int i = 0; i < 20; i++)
        many[i] = 100000 + i;
    many[7] = b;
    run(&f, signals_relationships, "visits_overdue", many, 20, &h);
    CHECK_EQ_INT(h.n, 0);
    many[13] = a;
    run(&f, signals_relationships, "visits_overdue", many, 20, &h);
    CHECK(h.n == 1 && find(&h, a));
    /* A lost account is never evaluated. */
    CHECK(sql(&f, "UPDATE accounts SET status = 'lost' WHERE code = 'VO-A'"));
    run(&f, signals_relationships, "visits_overdue", NULL, 0, &h);
    CHECK_EQ_INT(h.n, 0);
    fixture_close(&f);
}

BOTH(signals_sla_breach)
{
    struct fixture f;
    int64_t am;
    if (!open_world(&f, dsn, &am))
        return;
    int64_t a = mk_acc(&f, "SL-A", am), b = mk_acc(&f, "SL-B", am), c = mk_acc(&f, "SL-C", am);
    char buf[2048];
    /* A: 81 never answered, its response due 10 days ago; 82 resolved a second after its
     * deadline 29 days ago. B: 83 answered exactly on time and resolved in time; 84 missed a
     * deadline 31 days ago (outside the 30 days). C: 85's deadlines are still ahead. */
    snprintf(buf, sizeof buf,
             "INSERT INTO issues (id, account_id, title, category, severity, status, reported_at, "
             "response_due_at, resolution_due_at, first_response_at, resolved_at, created_at, "
             "updated_at) VALUES "
             "(81, %lld, 't', 'quality', 'high', 'open', 0, %lld, %lld, NULL, NULL, 0, 0), "
             "(82, %lld, 't', 'quality', 'low', 'resolved', 0, 0, %lld, 1, %lld, 0, 0), "
             "(83, %lld, 't', 'quality', 'low', 'resolved', 0, %lld, %lld, %lld, %lld, 0, 0), "
             "(84, %lld, 't', 'quality', 'low', 'resolved', 0, 0, %lld, 1, %lld, 0, 0), "
             "(85, %lld, 't', 'quality', 'low', 'open', 0, %lld, %lld, NULL, NULL, 0, 0)",
             (long long)a, NOW - 10 * DAY, NOW + DAY, (long long)a, NOW - 29 * DAY,
             NOW - 29 * DAY + 1, (long long)b, NOW - 5 * DAY, NOW - 4 * DAY, NOW - 5 * DAY,
             NOW - 4 * DAY, (long long)b, NOW - 31 * DAY, NOW - 20 * DAY, (long long)c, NOW + 1,
             NOW + DAY);
    CHECK(sql(&f, buf));
    struct hits h;
    run(&f, signals_relationships, "sla_breach", NULL, 0, &h);
    CHECK_EQ_INT(h.n, 1);
    const struct hit *x = find(&h, a);
    CHECK(x && x->value == 2000);
    CHECK(has(x, "\"id\":81,\"severity\":\"high\",\"response\":true,\"resolution\":false") &&
          has(x, "\"id\":82,\"severity\":\"low\",\"response\":false,\"resolution\":true"));
    /* Over 32 days B's 84 counts too; malformed params are the default 30 days. */
    const struct signal_def *d = def_of(signals_relationships, "sla_breach");
    struct signal_rule r = {d, 1, 1000, SIGNAL_HIGH, "service", "{\"days\": 32}"};
    memset(&h, 0, sizeof h);
    CHECK(!d->eval(fixture_ctx(&f), &r, NULL, 0, collect, &h));
    x = find(&h, b);
    CHECK(h.n == 2 && x && x->value == 1000 && has(x, "\"id\":84"));
    r.params = "{\"days\": \"x\"";
    memset(&h, 0, sizeof h);
    CHECK(!d->eval(fixture_ctx(&f), &r, NULL, 0, collect, &h));
    CHECK(h.n == 1 && find(&h, a));
    fixture_close(&f);
}

/* ---- needs ---- */

struct sv {
    struct fixture *f;
    int id;
};

static int survey_setup(struct fixture *f)
{
    char buf[1024];
    snprintf(
        buf, sizeof buf,
        "INSERT INTO surveys (id, title_zh_cn, status, created_at, updated_at) VALUES (1, "
        "'满意度', 'open', 0, 0); INSERT INTO survey_questions (id, survey_id, position, kind, "
        "driver, text_zh_cn, text_en, created_at) VALUES (11, 1, 1, 'nps', NULL, 'n', 'n', "
        "0), (12, 1, 2, 'csat', NULL, 'c', 'c', 0), (15, 1, 3, 'text', NULL, 't', 't', 0)");
    return sql(f, buf);
}

/* One response of account at `at` answering question q with value (text NULL) or a comment
 * (text, with its stored score ppm by this binary's model). */
static int respond(struct sv *s, int64_t account, int64_t at, int q, int value, const char *text,
                   int ppm)
{
    s->id++;
    char buf[1024];
    snprintf(buf, sizeof buf,
             "INSERT INTO survey_links (id, survey_id, contact_id, account_id, token_hash, lang, "
             "channel, expires_at, sent_at, created_at) VALUES (%d, 1, NULL, %lld, 'h%d', "
             "'zh-CN', 'phone', 0, 0, 0); INSERT INTO survey_responses (id, survey_id, link_id, "
             "account_id, lang, submitted_at) VALUES (%d, 1, %d, %lld, 'zh-CN', %lld)",
             s->id, (long long)account, s->id, s->id, s->id, (long long)account, (long long)at);
    if (!sql(s->f, buf))
        return 0;
    if (text)
        snprintf(buf, sizeof buf,
                 "INSERT INTO survey_answers (response_id, question_id, text, sentiment_ppm, "
                 "sentiment_model) VALUES (%d, %d, '%s', %d, '%s')",
                 s->id, q, text, ppm, tone_model_id());
    else
        snprintf(buf, sizeof buf,
                 "INSERT INTO survey_answers (response_id, question_id, value) VALUES (%d, %d, "
                 "%d)",
                 s->id, q, value);
    return sql(s->f, buf);
}

/* n answers of value to q, account, at. */
static int answers(struct sv *s, int64_t account, int64_t at, int q, int value, int n)
{
    int ok = 1;
    for (int i = 0; i < n; i++)
        ok = ok && respond(s, account, at, q, value, NULL, 0);
    return ok;
}

BOTH(signals_nps_drop)
{
    struct fixture f;
    int64_t am;
    if (!open_world(&f, dsn, &am))
        return;
    int64_t a = mk_acc(&f, "NP-A", am), b = mk_acc(&f, "NP-B", am), c = mk_acc(&f, "NP-C", am);
    struct sv s = {&f, 0};
    int64_t before = NOW - 200 * DAY, recent = NOW - 10 * DAY;
    int ok = survey_setup(&f);
    /* A: 100 (five 10s) before, 80 now (four 10s, one 8): a drop of 20. B: 100 before, 83.3
     * now (five 10s, one 8): 16.7. C: 100 before, -100 now but from two people only. */
    ok = ok && answers(&s, a, before, 11, 10, 5) && answers(&s, a, recent, 11, 10, 4) &&
         answers(&s, a, recent, 11, 8, 1);
    ok = ok && answers(&s, b, before, 11, 10, 5) && answers(&s, b, recent, 11, 10, 5) &&
         answers(&s, b, recent, 11, 8, 1);
    ok = ok && answers(&s, c, before, 11, 10, 3) && answers(&s, c, recent, 11, 0, 2);
    /* Answers older than 360 days do not count: A's 0s of long ago. */
    ok = ok && answers(&s, a, NOW - 361 * DAY, 11, 0, 5);
    CHECK(ok);
    struct hits h;
    run(&f, signals_needs, "nps_drop", NULL, 0, &h);
    CHECK_EQ_INT(h.n, 1);
    const struct hit *x = find(&h, a);
    CHECK(x && x->value == 20000);
    CHECK(has(x, "\"before\":100,\"now\":80,\"respondents_before\":5,\"respondents_now\":5"));
    int64_t many[20];
    for (int i = 0; i < 20; i++)
        many[i] = 100000 + i;
    many[5] = b;
    run(&f, signals_needs, "nps_drop", many, 20, &h);
    CHECK_EQ_INT(h.n, 0);
    many[6] = a;
    run(&f, signals_needs, "nps_drop", many, 20, &h);
    CHECK(h.n == 1 && find(&h, a));
    /* C with a third respondent: -100 against 100, a drop of 166.7 (2 x 0, 1 x 10 = -33.3). */
    ok = answers(&s, c, recent, 11, 10, 1);
    run(&f, signals_needs, "nps_drop", NULL, 0, &h);
    x = find(&h, c);
    CHECK(ok && x && x->value == 133333);
    fixture_close(&f);
}

BOTH(signals_csat_drop)
{
    struct fixture f;
    int64_t am;
    if (!open_world(&f, dsn, &am))
        return;
    int64_t a = mk_acc(&f, "CS-A", am), b = mk_acc(&f, "CS-B", am);
    struct sv s = {&f, 0};
    int64_t before = NOW - 300 * DAY, recent = NOW - DAY;
    int ok = survey_setup(&f);
    /* A: top-2 100 % (three 5s) before, 85 % now (17 of 20 at 4 or 5): 15 points. B: 100 %
     * before, 85.7 % now (6 of 7): 14.3. */
    ok = ok && answers(&s, a, before, 12, 5, 3) && answers(&s, a, recent, 12, 4, 17) &&
         answers(&s, a, recent, 12, 3, 3);
    ok = ok && answers(&s, b, before, 12, 5, 3) && answers(&s, b, recent, 12, 5, 6) &&
         answers(&s, b, recent, 12, 1, 1);
    CHECK(ok);
    struct hits h;
    run(&f, signals_needs, "csat_drop", NULL, 0, &h);
    CHECK_EQ_INT(h.n, 1);
    const struct hit *x = find(&h, a);
    CHECK(x && x->value == 15000);
    CHECK(has(x, "\"before\":100,\"now\":85,\"respondents_before\":3,\"respondents_now\":20"));
    fixture_close(&f);
}

BOTH(signals_negative_sentiment)
{
    struct fixture f;
    int64_t am;
    if (!open_world(&f, dsn, &am))
        return;
    int64_t a = mk_acc(&f, "NS-A", am), b = mk_acc(&f, "NS-B", am);
    struct sv s = {&f, 0};
    int ok = survey_setup(&f);
    /* A: two negative comments this month (scores under the 150000 line). B: one negative, one
     * just on the line (not negative), one positive and a negative one 91 days ago. */
    ok = ok && respond(&s, a, NOW - DAY, 15, 0, "交货经常延迟", 1000) &&
         respond(&s, a, NOW - 2 * DAY, 15, 0, "售后响应慢", 120000);
    ok = ok && respond(&s, b, NOW - DAY, 15, 0, "交货经常延迟", 1000) &&
         respond(&s, b, NOW - DAY, 15, 0, "价格偏高", 150000) &&
         respond(&s, b, NOW - DAY, 15, 0, "很好", 900000) &&
         respond(&s, b, NOW - 91 * DAY, 15, 0, "很差", 1000);
    CHECK(ok);
    /* The tree ships models/sentiment.kam (models/README.md), so the unit binary embeds it; a
     * build without it cannot check this signal and fails here rather than pass unchecked (as
     * tone_complaints_are_negative_and_praise_positive does). */
    if (!*tone_model_id()) {
        CHECK(!"this build has no sentiment model: negative_sentiment cannot be checked");
        fixture_close(&f);
        return;
    }
    struct hits h;
    run(&f, signals_needs, "negative_sentiment", NULL, 0, &h);
    CHECK_EQ_INT(h.n, 1);
    const struct hit *x = find(&h, a);
    CHECK(x && x->value == 2000);
    CHECK(has(x, "\"response_id\":1,\"question_id\":15") &&
          has(x, "\"response_id\":2,\"question_id\":15") && has(x, "\"count\":2"));
    CHECK(x && !strstr(x->evidence, "交货"));
    fixture_close(&f);
}

static enum kam_err count_hit(void *arg, const struct signal_hit *h)
{
    (void)h;
    (*(int *)arg)++;
    return KAM_OK;
}

/* Timing over a real database (KAM_SIGNALS_BENCH_DSN, e.g. a `kam demo --scale 2000`): each
 * signal's evaluation over every account at the database's clock (KAM_NOW or now); skipped
 * without it. Not a check of values: the figures are printed. */
TEST(signals_bench)
{
    const char *dsn = getenv("KAM_SIGNALS_BENCH_DSN");
    if (!dsn || !*dsn) {
        fprintf(stderr, "  (skipped: KAM_SIGNALS_BENCH_DSN not set)\n");
        return;
    }
    struct fixture f;
    if (!fixture_open(&f, dsn, time_now()))
        return;
    const struct signal_def *tables[] = {signals_volume, signals_relationships, signals_needs};
    for (size_t t = 0; t < 3; t++)
        for (const struct signal_def *d = tables[t]; d->key; d++) {
            struct signal_rule r = {d, 1, d->threshold_milli, d->severity, d->dept, d->params};
            int n = 0;
            int64_t t0 = time_mono_us();
            enum kam_err rc = d->eval(fixture_ctx(&f), &r, NULL, 0, count_hit, &n);
            CHECK_EQ_INT(rc, KAM_OK);
            fprintf(stderr, "  %-24s %5d hits %8.1f ms\n", d->key, n,
                    (double)(time_mono_us() - t0) / 1000.0);
        }
    fixture_close(&f);
}
