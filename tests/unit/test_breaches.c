/* test_breaches.c -- the breach scan (svc/contracts/breach_scan.c) on constructed contracts with
 * hand-computed answers: each obligation kind found on its case and silent on its near miss
 * (volume exact and pro rata at the contract's start, tolerance; price over the contract list;
 * payment open and paid late; service levels; dated obligations with a monthly recurrence), no
 * second breach from a second scan, the workflow's moves, and the contract_breach signal. */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "fixture.h"
#include "svc/contracts/breach.h"
#include "svc/core/signal.h"
#include "test.h"

/* 2026-07-02 08:00 in China (00:00 UTC): China's today is 2026-07-02. */
static int64_t t_now(void)
{
    return date_to_days(2026, 7, 2) * 86400;
}

static int64_t day(int y, int m, int d)
{
    return date_to_days(y, m, d);
}

static int exec(struct fixture *f, const char *sql)
{
    if (db_exec(f->db, sql, &f->e)) {
        fprintf(stderr, "  %s\n  -> %s\n", sql, f->e.msg);
        return 0;
    }
    return 1;
}

#define SQL(f, ...)                                                                                \
    do {                                                                                           \
        char sql_[1024];                                                                           \
        snprintf(sql_, sizeof sql_, __VA_ARGS__);                                                  \
        ok = ok && exec(f, sql_);                                                                  \
    } while (0)

static int64_t last_id(struct fixture *f, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT MAX(id) FROM %s", table);
    return fixture_q64(f, sql);
}

/* An account, a product P1 (family F1), a user owning the account. */
static int world(struct fixture *f, int64_t *acc, int64_t *acc2)
{
    int ok = 1;
    SQL(f, "INSERT INTO users (login, name, email, role, password_hash, created_at, updated_at) "
           "VALUES ('owner', 'Owner', 'o@example.com', 'account_manager', 'x', 1, 1)");
    SQL(f, "INSERT INTO users (login, name, email, role, password_hash, created_at, updated_at) "
           "VALUES ('lawyer', 'Lawyer', 'l@example.com', 'legal', 'x', 1, 1)");
    SQL(f, "INSERT INTO accounts (code, name, owner_id, tier, status, created_at, updated_at) "
           "VALUES ('A', "
           "'Alpha', (SELECT id FROM users WHERE login = 'owner'), 'key', 'active', 1, 1)");
    *acc = last_id(f, "accounts");
    SQL(f, "INSERT INTO accounts (code, name, owner_id, tier, status, created_at, updated_at) "
           "VALUES ('B', "
           "'Beta', (SELECT id FROM users WHERE login = 'owner'), 'key', 'active', 1, 1)");
    *acc2 = last_id(f, "accounts");
    SQL(f, "INSERT INTO products (sku, name, family, list_price, currency, created_at, "
           "updated_at) VALUES ('P1', 'P1', 'F1', 1000, 'CNY', 1, 1)");
    SQL(f, "INSERT INTO products (sku, name, family, currency, created_at, updated_at) VALUES "
           "('P2', 'P2', 'F2', 'CNY', 1, 1)");
    return ok;
}

static int line(struct fixture *f, const char *ext, int64_t acc, int64_t d, const char *sku,
                int64_t qty, int64_t amount)
{
    int ok = 1;
    SQL(f,
        "INSERT INTO order_lines (external_id, day, account_id, product_id, region, channel, "
        "quantity, amount, currency, amount_base, created_at, updated_at) VALUES ('%s', %lld, "
        "%lld, (SELECT id FROM products WHERE sku = '%s'), '', '', %lld, %lld, 'CNY', %lld, 1, 1)",
        ext, (long long)d, (long long)acc, sku, (long long)qty, (long long)amount,
        (long long)amount);
    return ok;
}

static int64_t contract(struct fixture *f, int64_t acc, const char *no, const char *from,
                        const char *to, const char *extra_cols, const char *extra_vals)
{
    int ok = 1;
    SQL(f,
        "INSERT INTO contracts (account_id, number, title, kind, starts_on, ends_on, currency, "
        "status, created_at, updated_at%s) VALUES (%lld, '%s', '%s', 'framework', '%s', '%s', "
        "'CNY', 'active', 1, 1%s)",
        extra_cols, (long long)acc, no, no, from, to, extra_vals);
    return ok ? last_id(f, "contracts") : 0;
}

static int64_t obligation(struct fixture *f, int64_t contract_id, const char *cols,
                          const char *vals)
{
    int ok = 1;
    SQL(f,
        "INSERT INTO contract_obligations (contract_id, created_at, updated_at, %s) VALUES "
        "(%lld, 1, 1, %s)",
        cols, (long long)contract_id, vals);
    return ok ? last_id(f, "contract_obligations") : 0;
}

static int64_t count(struct fixture *f, const char *where)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM contract_breaches WHERE %s", where);
    return fixture_q64(f, sql);
}

static int64_t col(struct fixture *f, const char *c, const char *where)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT %s FROM contract_breaches WHERE %s", c, where);
    return fixture_q64(f, sql);
}

TEST(breach_volume_exact_pro_rata_tolerance)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, t_now()))
        return;
    int64_t a, b;
    int ok = world(&f, &a, &b);
    /* A: the whole year, 300 000 a quarter: Q1 exactly reached (near miss), Q2 one short */
    int64_t ca = contract(&f, a, "C-A", "2026-01-01", "2026-12-31", "", "");
    int64_t oa = obligation(&f, ca, "side, kind, title, measure, period, target",
                            "'theirs', 'volume', 'q', 'amount', 'quarter', 300000");
    int64_t ot = obligation(&f, ca, "side, kind, title, measure, period, target, tolerance_bp",
                            "'theirs', 'volume', 'tol', 'amount', 'quarter', 300000, 100");
    /* F1 only: 100 000 a quarter of family F1 (the P2 lines do not count) */
    int64_t of = obligation(&f, ca, "side, kind, title, family, measure, period, target",
                            "'theirs', 'volume', 'fam', 'F1', 'amount', 'quarter', 100000");
    ok = ok && line(&f, "a1", a, day(2026, 1, 10), "P1", 1000, 100000) &&
         line(&f, "a2", a, day(2026, 3, 31), "P2", 1000, 200000) &&
         line(&f, "a3", a, day(2026, 4, 1), "P1", 1000, 99999) &&
         line(&f, "a4", a, day(2026, 6, 30), "P2", 1000, 200000) &&
         /* Q3 is running: not judged */
         line(&f, "a5", a, day(2026, 7, 1), "P1", 1000, 1);
    /* B: from 2026-02-15: Q1 is 45 of its 90 days, 150 000 expected of 300 000 */
    int64_t cb = contract(&f, b, "C-B", "2026-02-15", "2026-12-31", "", "");
    int64_t ob = obligation(&f, cb, "side, kind, title, measure, period, target",
                            "'theirs', 'volume', 'q', 'amount', 'quarter', 300000");
    ok = ok && line(&f, "b1", b, day(2026, 2, 10), "P1", 1000, 500000) && /* before the start */
         line(&f, "b2", b, day(2026, 3, 1), "P1", 1000, 149999) &&
         line(&f, "b3", b, day(2026, 5, 1), "P1", 1000, 300000);
    if (!fixture_setup_end(&f, ok && ca && cb && oa && ot && of && ob))
        return;
    struct breach_scan_report r;
    CHECK_EQ_INT(breach_scan(fixture_ctx(&f), 0, &r), KAM_OK);
    CHECK_EQ_INT(r.contracts, 2);
    char w[128];
    snprintf(w, sizeof w, "obligation_id = %lld", (long long)oa);
    CHECK_EQ_INT(count(&f, w), 1);
    CHECK_EQ_INT(col(&f, "measured", w), 299999);
    CHECK_EQ_INT(col(&f, "expected", w), 300000);
    CHECK_EQ_INT(col(&f, "at_stake", w), 1);
    snprintf(w, sizeof w, "obligation_id = %lld AND occurrence = '2026-Q2'", (long long)oa);
    CHECK_EQ_INT(count(&f, w), 1);
    /* 1 % tolerance: 297 000 is enough */
    snprintf(w, sizeof w, "obligation_id = %lld", (long long)ot);
    CHECK_EQ_INT(count(&f, w), 0);
    /* the family: Q1 100 000 (reached), Q2 99 999 */
    snprintf(w, sizeof w, "obligation_id = %lld", (long long)of);
    CHECK_EQ_INT(count(&f, w), 1);
    CHECK_EQ_INT(col(&f, "measured", w), 99999);
    /* pro rata: Q1 149 999 of 150 000 expected; Q2 reached */
    snprintf(w, sizeof w, "obligation_id = %lld", (long long)ob);
    CHECK_EQ_INT(count(&f, w), 1);
    CHECK_EQ_INT(col(&f, "expected", w), 150000);
    CHECK_EQ_INT(col(&f, "measured", w), 149999);
    /* a second scan finds the same, records nothing new */
    int64_t before = count(&f, "1 = 1");
    int64_t audits = fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'breach'");
    CHECK_EQ_INT(breach_scan(fixture_ctx(&f), 0, &r), KAM_OK);
    CHECK_EQ_INT(r.detected, 0);
    CHECK_EQ_INT(r.found, (int)before);
    CHECK_EQ_INT(count(&f, "1 = 1"), before);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'breach'"), audits);
    /* the owner and the legal user are told, once per breach */
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM notifications WHERE kind = 'breach'"),
                 before * 2);
    fixture_close(&f);
}

TEST(breach_running_period_status)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, t_now()))
        return;
    int64_t a, b;
    int ok = world(&f, &a, &b);
    int64_t ca = contract(&f, a, "C-A", "2026-01-01", "2026-12-31", "", "");
    int64_t oa = obligation(&f, ca, "side, kind, title, measure, period, target",
                            "'theirs', 'volume', 'm', 'quantity', 'month', 31000");
    /* July: 2 days of 31 gone (today the 2nd), 1 000 bought: pro rata 2 000, projected 15 500 */
    ok = ok && line(&f, "a1", a, day(2026, 7, 1), "P1", 1000, 10);
    if (!fixture_setup_end(&f, ok && oa))
        return;
    struct obligation_status *v;
    size_t n;
    CHECK_EQ_INT(breach_obligations_status(fixture_ctx(&f), ca, &v, &n), KAM_OK);
    CHECK_EQ_INT((int)n, 1);
    if (n == 1) {
        CHECK(!strcmp(v[0].period, "2026-07"));
        CHECK_EQ_INT(v[0].target, 31000);
        CHECK_EQ_INT(v[0].actual, 1000);
        CHECK_EQ_INT(v[0].expected_to_date, 2000);
        CHECK_EQ_INT(v[0].projected, 15500);
        CHECK(!strcmp(v[0].state, "at_risk"));
    }
    fixture_close(&f);
}

TEST(breach_payment_open_late_and_near_miss)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, t_now()))
        return;
    int64_t a, b;
    int ok = world(&f, &a, &b);
    int64_t ca = contract(&f, a, "C-A", "2026-01-01", "2026-12-31", ", payment_days", ", 30");
    int64_t op = obligation(&f, ca, "side, kind, title", "'theirs', 'payment', 'pay'");
    /* due 05-31, open: 32 days late; due 07-01: 1 day late; due 07-02 (today): not yet;
     * paid on its due day: none; paid a day late: a breach of 1 day */
    SQL(&f,
        "INSERT INTO invoices (invoice_no, account_id, day, due_day, amount, currency, "
        "amount_base, paid, paid_on, created_at, updated_at) VALUES "
        "('I1', %lld, '2026-05-01', '2026-09-30', 1000, 'CNY', 1000, 400, NULL, 1, 1), "
        "('I2', %lld, '2026-06-01', '2026-09-30', 1000, 'CNY', 1000, 0, NULL, 1, 1), "
        "('I3', %lld, '2026-06-02', '2026-09-30', 1000, 'CNY', 1000, 0, NULL, 1, 1), "
        "('I4', %lld, '2026-04-01', '2026-09-30', 1000, 'CNY', 1000, 1000, '2026-05-01', 1, 1), "
        "('I5', %lld, '2026-04-02', '2026-09-30', 1000, 'CNY', 1000, 1000, '2026-05-03', 1, 1)",
        (long long)a, (long long)a, (long long)a, (long long)a, (long long)a);
    if (!fixture_setup_end(&f, ok && op))
        return;
    struct breach_scan_report r;
    CHECK_EQ_INT(breach_scan(fixture_ctx(&f), ca, &r), KAM_OK);
    CHECK_EQ_INT(count(&f, "kind = 'payment'"), 3);
    const char *w1 = "occurrence = 'invoice:' || (SELECT id FROM invoices WHERE invoice_no = 'I1')";
    CHECK_EQ_INT(col(&f, "measured", w1), 32);
    CHECK_EQ_INT(col(&f, "at_stake", w1), 600);
    CHECK_EQ_INT(col(&f, "severity = 'medium'", w1), 1);
    CHECK_EQ_INT(col(&f, "measured",
                     "occurrence = 'invoice:' || (SELECT id FROM invoices WHERE "
                     "invoice_no = 'I2')"),
                 1);
    CHECK_EQ_INT(col(&f, "measured",
                     "occurrence = 'invoice:' || (SELECT id FROM invoices WHERE "
                     "invoice_no = 'I5')"),
                 1);
    /* a day later the open ones are a day later: refreshed, audited as a scan */
    f.ctx.now += 86400;
    CHECK_EQ_INT(breach_scan(fixture_ctx(&f), ca, &r), KAM_OK);
    CHECK_EQ_INT(r.detected, 1); /* I3: now a day late */
    CHECK_EQ_INT(col(&f, "measured", w1), 33);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'breach' AND action "
                                 "= 'scan'"),
                 2);
    fixture_close(&f);
}

TEST(breach_service_level_and_dated)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, t_now()))
        return;
    int64_t a, b;
    int ok = world(&f, &a, &b);
    int64_t ca = contract(&f, a, "C-A", "2026-01-01", "2026-12-31", "", "");
    int64_t os = obligation(&f, ca, "side, kind, title, response_hours, resolution_hours",
                            "'ours', 'service_level', 'sla', 4, 48");
    int64_t t0 = day(2026, 6, 1) * 86400;
    /* X1 answered in 4 h exactly and resolved in 48 h (near misses); X2 answered in 4 h 1 s,
     * never resolved (a month on: both late) */
    SQL(&f,
        "INSERT INTO issues (account_id, title, category, severity, status, reported_at, "
        "response_due_at, resolution_due_at, first_response_at, resolved_at, created_at, "
        "updated_at) VALUES (%lld, 'X1', 'quality', 'high', 'resolved', %lld, %lld, %lld, %lld, "
        "%lld, 1, 1), (%lld, 'X2', 'quality', 'low', 'open', %lld, %lld, %lld, %lld, NULL, 1, 1)",
        (long long)a, (long long)t0, (long long)t0, (long long)t0, (long long)(t0 + 4 * 3600),
        (long long)(t0 + 48 * 3600), (long long)a, (long long)t0, (long long)t0, (long long)t0,
        (long long)(t0 + 4 * 3600 + 1));
    /* monthly from 04-30: 04-30 done on the day, 05-30 never, 06-30 done on 07-01 (late) */
    int64_t od = obligation(&f, ca, "side, kind, title, due_on, recurrence",
                            "'ours', 'training', 'train', '2026-04-30', 'month'");
    SQL(&f,
        "INSERT INTO contract_obligation_done (obligation_id, due_on, done_on, created_at) VALUES "
        "(%lld, '2026-04-30', '2026-04-30', 1), (%lld, '2026-06-30', '2026-07-01', 1)",
        (long long)od, (long long)od);
    if (!fixture_setup_end(&f, ok && os && od))
        return;
    struct breach_scan_report r;
    CHECK_EQ_INT(breach_scan(fixture_ctx(&f), 0, &r), KAM_OK);
    char w[160];
    snprintf(w, sizeof w, "obligation_id = %lld", (long long)os);
    CHECK_EQ_INT(count(&f, w), 2);
    CHECK_EQ_INT(count(&f, "occurrence LIKE 'issue:%:response'"), 1);
    CHECK_EQ_INT(count(&f, "occurrence LIKE 'issue:%:resolution'"), 1);
    snprintf(w, sizeof w, "obligation_id = %lld", (long long)od);
    CHECK_EQ_INT(count(&f, w), 2);
    snprintf(w, sizeof w, "obligation_id = %lld AND occurrence = '2026-05-30'", (long long)od);
    CHECK_EQ_INT(col(&f, "measured", w), 33); /* 05-30 .. 07-02 */
    snprintf(w, sizeof w, "obligation_id = %lld AND occurrence = '2026-06-30'", (long long)od);
    CHECK_EQ_INT(col(&f, "measured", w), 1);
    /* the next occurrence not done: 07-30 */
    struct obligation_status *v;
    size_t n;
    CHECK_EQ_INT(breach_obligations_status(fixture_ctx(&f), ca, &v, &n), KAM_OK);
    for (size_t i = 0; i < n; i++)
        if (v[i].obligation_id == od) {
            CHECK(v[i].next_due && !strcmp(v[i].next_due, "2026-05-30"));
            CHECK(!strcmp(v[i].state, "breached"));
        }
    fixture_close(&f);
}

TEST(breach_price_over_contract_list)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, t_now()))
        return;
    int64_t a, b;
    int ok = world(&f, &a, &b);
    SQL(&f,
        "INSERT INTO price_lists (name, currency, valid_from, scope, account_id, created_at, "
        "updated_at) VALUES ('C-A prices', 'CNY', '2026-04-01', 'account', %lld, 1, 1)",
        (long long)a);
    int64_t list = last_id(&f, "price_lists");
    SQL(&f,
        "INSERT INTO price_list_items (list_id, product_id, unit_price) VALUES (%lld, (SELECT id "
        "FROM products WHERE sku = 'P1'), 1000)",
        (long long)list);
    char extra[64];
    snprintf(extra, sizeof extra, ", %lld", (long long)list);
    int64_t ca = contract(&f, a, "C-A", "2026-01-01", "2026-12-31", ", price_list_id", extra);
    int64_t op = obligation(&f, ca, "side, kind, title, tolerance_bp", "'ours', 'price', 'p', 0");
    /* 2 units at 10.00 each: the contract price (near miss); 2 units for 21.00 in May: 5 % over;
     * P2 is not on the list; in March the contract's list is not valid yet: no contract price */
    ok = ok && line(&f, "l0", a, day(2026, 3, 10), "P1", 2000, 2100) &&
         line(&f, "l1", a, day(2026, 4, 10), "P1", 2000, 2000) &&
         line(&f, "l2", a, day(2026, 5, 10), "P1", 2000, 2100) &&
         line(&f, "l3", a, day(2026, 5, 11), "P2", 2000, 99999);
    if (!fixture_setup_end(&f, ok && op))
        return;
    struct breach_scan_report r;
    CHECK_EQ_INT(breach_scan(fixture_ctx(&f), 0, &r), KAM_OK);
    CHECK_EQ_INT(count(&f, "kind = 'price'"), 1);
    CHECK_EQ_INT(col(&f, "at_stake", "kind = 'price'"), 100);
    CHECK_EQ_INT(col(&f, "occurrence = 'price:2026-05:CNY'", "kind = 'price'"), 1);
    CHECK_EQ_INT(col(&f, "severity = 'medium'", "kind = 'price'"), 1); /* 500 bp */
    fixture_close(&f);
}

static int64_t hits;
static enum kam_err collect(void *arg, const struct signal_hit *h)
{
    (void)arg;
    (void)h;
    hits++;
    return KAM_OK;
}

TEST(breach_workflow_and_signal)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, t_now()))
        return;
    int64_t a, b;
    int ok = world(&f, &a, &b);
    int64_t ca = contract(&f, a, "C-A", "2026-01-01", "2026-12-31", "", "");
    int64_t od = obligation(&f, ca, "side, kind, title, due_on",
                            "'ours', 'delivery', 'd', "
                            "'2026-06-01'");
    if (!fixture_setup_end(&f, ok && od))
        return;
    struct breach_scan_report r;
    CHECK_EQ_INT(breach_scan(fixture_ctx(&f), 0, &r), KAM_OK);
    int64_t id = col(&f, "id", "1 = 1");
    struct breach x;
    /* detected -> action: not a move */
    fixture_check_err(&f, breach_move(fixture_ctx(&f), id, "action", "fix", 0, &x), KAM_ECONFLICT,
                      "status");
    fixture_check_err(&f, breach_move(fixture_ctx(&f), id, "waived", NULL, 0, &x), KAM_EINVAL,
                      "reason");
    fixture_check_err(&f, breach_move(fixture_ctx(&f), id, "confirmed", NULL, 7, &x), KAM_ECONFLICT,
                      "version");
    CHECK_EQ_INT(breach_move(fixture_ctx(&f), id, "confirmed", NULL, 1, &x), KAM_OK);
    CHECK(!strcmp(x.status, "confirmed"));
    CHECK_EQ_INT(breach_move(fixture_ctx(&f), id, "action", "送货补齐", 0, &x), KAM_OK);
    /* the signal: one open breach on the account */
    const struct signal_def *sig = NULL;
    for (size_t i = 0; signals_contracts[i].key; i++)
        if (!strcmp(signals_contracts[i].key, "contract_breach"))
            sig = &signals_contracts[i];
    CHECK(sig != NULL);
    if (sig) {
        struct signal_rule rule = {.def = sig, .enabled = 1, .threshold_milli = 1000};
        hits = 0;
        CHECK_EQ_INT(sig->eval(fixture_ctx(&f), &rule, &a, 1, collect, NULL), KAM_OK);
        CHECK_EQ_INT(hits, 1);
        CHECK_EQ_INT(breach_move(fixture_ctx(&f), id, "cured", NULL, 0, &x), KAM_OK);
        CHECK(x.has_cured);
        hits = 0;
        CHECK_EQ_INT(sig->eval(fixture_ctx(&f), &rule, &a, 1, collect, NULL), KAM_OK);
        CHECK_EQ_INT(hits, 0);
    }
    /* cured is the end */
    fixture_check_err(&f, breach_move(fixture_ctx(&f), id, "waived", "late", 0, &x), KAM_ECONFLICT,
                      "status");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'breach'"), 4);
    fixture_close(&f);
}

TEST(breach_signal_contract_expiring_near_miss)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, t_now()))
        return;
    int64_t a, b;
    int ok = world(&f, &a, &b);
    /* both end 2026-08-31 (60 days from 07-02): A's notice deadline 30 days before (08-01: 30
     * days to go, fires at exactly the threshold), B's 28 days before (08-03: 32 days to go, the
     * near miss); an auto-renewing one on B, past its deadline, counts not at all */
    int64_t ca = contract(&f, a, "C-A", "2026-01-01", "2026-08-31", ", notice_days", ", 30");
    int64_t cb = contract(&f, b, "C-B", "2026-01-01", "2026-08-31", ", notice_days", ", 28");
    int64_t cr =
        contract(&f, b, "C-R", "2026-01-01", "2026-07-10", ", notice_days, auto_renew", ", 30, 1");
    if (!fixture_setup_end(&f, ok && ca && cb && cr))
        return;
    const struct signal_def *sig = NULL;
    for (size_t i = 0; signals_contracts[i].key; i++)
        if (!strcmp(signals_contracts[i].key, "contract_expiring"))
            sig = &signals_contracts[i];
    CHECK(sig != NULL);
    if (sig) {
        struct signal_rule rule = {.def = sig, .enabled = 1, .threshold_milli = 30000};
        int64_t both[2] = {a, b};
        hits = 0;
        CHECK_EQ_INT(sig->eval(fixture_ctx(&f), &rule, both, 2, collect, NULL), KAM_OK);
        CHECK_EQ_INT(hits, 1); /* A only */
        rule.threshold_milli = 32000;
        hits = 0;
        CHECK_EQ_INT(sig->eval(fixture_ctx(&f), &rule, NULL, 0, collect, NULL), KAM_OK);
        CHECK_EQ_INT(hits, 2); /* every account: B at exactly 32 days too */
    }
    fixture_close(&f);
}
