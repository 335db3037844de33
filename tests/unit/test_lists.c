/* test_lists.c -- issue 12, lists that scale: the account list's revenue sort converted to the
 * base currency, the tier sort in tier order, keyset paging under both, the count, and the bulk
 * owner transfer (all or nothing); on SQLite, and on PostgreSQL when KAM_TEST_PG_DSN is set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "svc/relationships/account.h"
#include "svc/volume/product.h"
#include "test.h"

#define NOW 1780000000

static int64_t add_account(struct fixture *f, const char *tag, int n, const char *tier,
                           int64_t amount, const char *currency, int64_t owner)
{
    struct account_in in = {.set = ACC_CODE | ACC_NAME | ACC_TIER | ACC_OWNER};
    in.v.code = arena_printf(&f->a, "%s-%d", tag, n);
    in.v.name = arena_printf(&f->a, "清单 %s %d", tag, n);
    in.v.tier = tier;
    in.v.owner_id = owner;
    if (currency) {
        in.set |= ACC_REVENUE;
        in.v.has_revenue = 1;
        in.v.revenue_amount = amount;
        in.v.revenue_currency = currency;
    }
    struct account a;
    enum kam_err rc = account_create(fixture_ctx(f), &in, &a);
    if (rc)
        fprintf(stderr, "  account_create: %s\n", f->e.msg);
    CHECK_EQ_INT(rc, KAM_OK);
    return rc ? 0 : a.id;
}

/* Walks every page of the list sorted by sort, limit rows a page, into ids (at most max). */
static size_t walk(struct fixture *f, const char *q, const char *sort, int64_t limit, int64_t *ids,
                   size_t max)
{
    size_t n = 0;
    const char *cursor = NULL;
    for (int pages = 0; pages < 50; pages++) {
        struct account_query aq = {.q = q, .sort = sort, .limit = limit, .cursor = cursor};
        struct account *items;
        size_t k;
        const char *next;
        enum kam_err rc = account_list(fixture_ctx(f), &aq, &items, &k, &next);
        CHECK_EQ_INT(rc, KAM_OK);
        if (rc)
            return n;
        for (size_t i = 0; i < k && n < max; i++)
            ids[n++] = items[i].id;
        if (!next)
            return n;
        cursor = next;
    }
    CHECK(0); /* never ends */
    return n;
}

static void check_order(struct fixture *f, const char *tag, const char *sort, const int64_t *want,
                        size_t nwant)
{
    for (int64_t limit = 1; limit <= 7; limit += 3) {
        int64_t got[16] = {0};
        size_t n = walk(f, tag, sort, limit, got, 16);
        CHECK_EQ_INT(n, nwant);
        for (size_t i = 0; i < n && i < nwant; i++)
            if (got[i] != want[i]) {
                fprintf(stderr, "  sort %s limit %lld: row %zu is %lld, expected %lld\n", sort,
                        (long long)limit, i, (long long)got[i], (long long)want[i]);
                CHECK(0);
                break;
            }
    }
}

static void run_lists(const char *dsn)
{
    struct fixture f;
    if (!fixture_open(&f, dsn, NOW))
        return;
    /* one tag per run: a PostgreSQL database may hold an earlier run's rows */
    char tag[32];
    snprintf(tag, sizeof tag, "UL%ld%d", (long)getpid(), rand() % 1000);
    char login[48], login2[48];
    snprintf(login, sizeof login, "o%s", tag + 2);
    snprintf(login2, sizeof login2, "p%s", tag + 2);
    int64_t owner = fixture_add_user(&f, login, "account_manager", 0);
    int64_t owner2 = fixture_add_user(&f, login2, "account_manager", 0);
    int ok = owner && owner2;
    /* base CNY (the default); rates: base per unit x 10^6 */
    ok = ok && !fx_set(fixture_ctx(&f), "ULU", 7000000);
    ok = ok && !fx_set(fixture_ctx(&f), "ULE", 8000000);
    ok = ok && !fx_set(fixture_ctx(&f), "ULJ", 50000);
    if (!fixture_setup_end(&f, ok))
        return;
    int64_t a1 = add_account(&f, tag, 1, "maintain", 1000000, "ULJ", owner); /* 50,000 */
    int64_t a2 = add_account(&f, tag, 2, "strategic", 10000, "ULU", owner);  /* 70,000 */
    int64_t a3 = add_account(&f, tag, 3, "growth", 9000, "ULE", owner);      /* 72,000 */
    int64_t a4 = add_account(&f, tag, 4, "key", 60000, "CNY", owner);        /* 60,000 */
    int64_t a5 = add_account(&f, tag, 5, "key", 0, NULL, owner);             /* none: -1 */
    int64_t a6 = add_account(&f, tag, 6, "strategic", 500, "ULZ", owner);    /* no rate: -1 */
    /* an amount near the cap at the largest rate: sorts as unknown, never overflows */
    int64_t a7 = add_account(&f, tag, 7, "growth", (int64_t)1 << 60, "ULU", owner);

    int64_t by_revenue[] = {a5, a6, a7, a1, a4, a2, a3};
    check_order(&f, tag, "revenue", by_revenue, 7);
    int64_t by_revenue_desc[] = {a3, a2, a4, a1, a7, a6, a5};
    check_order(&f, tag, "-revenue", by_revenue_desc, 7);
    int64_t by_tier[] = {a2, a6, a4, a5, a3, a7, a1};
    check_order(&f, tag, "tier", by_tier, 7);
    int64_t by_tier_desc[] = {a1, a7, a3, a5, a4, a6, a2};
    check_order(&f, tag, "-tier", by_tier_desc, 7);

    struct account_query cq = {.q = tag};
    int64_t total = -1;
    CHECK_EQ_INT(account_count(fixture_ctx(&f), &cq, &total), KAM_OK);
    CHECK_EQ_INT(total, 7);
    cq.tier = "strategic";
    CHECK_EQ_INT(account_count(fixture_ctx(&f), &cq, &total), KAM_OK);
    CHECK_EQ_INT(total, 2);

    /* a cursor of one sort is refused by another */
    struct account_query pq = {.q = tag, .sort = "revenue", .limit = 2};
    struct account *items;
    size_t n;
    const char *next = NULL;
    CHECK_EQ_INT(account_list(fixture_ctx(&f), &pq, &items, &n, &next), KAM_OK);
    CHECK(next != NULL);
    pq.sort = "tier";
    pq.cursor = next;
    fixture_check_err(&f, account_list(fixture_ctx(&f), &pq, &items, &n, &next), KAM_EINVAL,
                      "cursor");

    /* bulk transfer: all or nothing, the failing account named */
    int64_t ids[] = {a1, a2, 999999999};
    size_t changed = 99;
    enum kam_err rc = account_transfer(fixture_ctx(&f), ids, 3, NULL, owner2, &changed);
    fixture_check_err(&f, rc, KAM_EINVAL, "ids");
    CHECK(strstr(f.e.msg, "999999999") != NULL);
    struct account got;
    CHECK_EQ_INT(account_get(fixture_ctx(&f), a1, &got), KAM_OK);
    CHECK_EQ_INT(got.owner_id, owner);
    CHECK_EQ_INT(account_transfer(fixture_ctx(&f), ids, 2, NULL, owner2, &changed), KAM_OK);
    CHECK_EQ_INT(changed, 2);
    CHECK_EQ_INT(account_get(fixture_ctx(&f), a2, &got), KAM_OK);
    CHECK_EQ_INT(got.owner_id, owner2);
    CHECK_EQ_INT(got.version, 2);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit WHERE entity = 'account' AND entity_id IN (%lld, %lld) "
             "AND action = 'update'",
             (long long)a1, (long long)a2);
    CHECK_EQ_INT(fixture_q64(&f, sql), 2);
    /* the account manager may not take another's accounts */
    fixture_as(&f, owner, ROLE_ACCOUNT_MANAGER);
    rc = account_transfer(fixture_ctx(&f), ids, 1, NULL, owner, &changed);
    fixture_check_err(&f, rc, KAM_EINVAL, "ids");
    fixture_close(&f);
}

TEST(lists_revenue_tier_sorts_count_transfer)
{
    run_lists(FIXTURE_MEMORY);
}

TEST(lists_revenue_tier_sorts_count_transfer_postgres)
{
    const char *dsn = getenv("KAM_TEST_PG_DSN");
    if (!dsn || !*dsn) {
        fprintf(stderr, "  (skipped: KAM_TEST_PG_DSN not set)\n");
        return;
    }
    run_lists(dsn);
}
