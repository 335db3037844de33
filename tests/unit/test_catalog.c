/* test_catalog.c -- the catalogue's arithmetic (svc/offers/catalog.c): a bundle's components at
 * their list prices converted into the bundle's currency (each component rounded half away from
 * zero, then added), the components kept by product id, the audit text of the components, a
 * refused write that leaves nothing, and a bundle priced for an account through the price engine
 * (hand-computed). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "svc/offers/catalog.h"
#include "svc/relationships/account.h"
#include "test.h"

#define NOW 1780000000 /* 2026-05-28 */

struct cworld {
    struct fixture f;
    int64_t p1, p2, account;
};

static int csql(struct cworld *w, const char *sql)
{
    kam_error_clear(&w->f.e);
    enum kam_err rc = db_exec(w->f.db, sql, &w->f.e);
    if (rc)
        fprintf(stderr, "  sql failed: %s: %s\n", sql, w->f.e.msg);
    return rc == KAM_OK;
}

/* P1 lists at 3.33 USD (an awkward conversion), P2 at 100.00 CNY; USD 7.1, EUR 7.7 CNY. */
static int cworld_open(struct cworld *w)
{
    memset(w, 0, sizeof *w);
    if (!fixture_open(&w->f, FIXTURE_MEMORY, NOW))
        return 0;
    int ok = csql(w, "INSERT INTO products (sku, name, family, unit, list_price, currency, "
                     "created_at, updated_at) VALUES ('P1', 'P1', 'F', 'pc', 333, 'USD', 1, 1), "
                     "('P2', 'P2', 'F', 'pc', 10000, 'CNY', 1, 1)") &&
             csql(w, "INSERT INTO fx_rates (currency, rate_micro, updated_at) VALUES ('USD', "
                     "7100000, 1), ('EUR', 7700000, 1)");
    w->p1 = fixture_q64(&w->f, "SELECT id FROM products WHERE sku = 'P1'");
    w->p2 = fixture_q64(&w->f, "SELECT id FROM products WHERE sku = 'P2'");
    int64_t owner = fixture_add_user(&w->f, "am", "account_manager", 0);
    struct account_in ai = {.set = ACC_CODE | ACC_NAME | ACC_OWNER};
    ai.v.code = "A1";
    ai.v.name = "A1";
    ai.v.owner_id = owner;
    struct account acc;
    ok = ok && owner && !account_create(fixture_ctx(&w->f), &ai, &acc);
    w->account = ok ? acc.id : 0;
    return fixture_setup_end(&w->f, ok && w->p1 > 0 && w->p2 > 0);
}

TEST(catalog_bundle_list_total_and_quote)
{
    struct cworld w;
    if (!cworld_open(&w))
        return;
    struct kam_ctx *ctx = fixture_ctx(&w.f);

    /* P2 x 1.5 given first, P1 x 1: kept by product id. In CNY: P1 3.33 USD x 7.1 = 23.643 ->
     * 23.64; P2 150.00: 173.64 at list prices against 200.00. */
    struct bundle_item_in items[2] = {{.set = 1 | 4, .product_id = w.p2, .quantity = 1500},
                                      {.set = 1 | 4, .product_id = w.p1, .quantity = 1000}};
    struct bundle_in in = {
        .set = BU_CODE | BU_NAME | BU_CURRENCY | BU_PRICE | BU_ITEMS, .items = items, .nitems = 2};
    in.v.code = "K1";
    in.v.name = "Kit";
    in.v.currency = "CNY";
    in.v.price = 20000;
    struct bundle b;
    enum kam_err rc = bundle_create(ctx, &in, &b);
    CHECK_EQ_INT(rc, KAM_OK);
    if (rc) {
        fixture_close(&w.f);
        return;
    }
    CHECK_EQ_INT(b.nitems, 2);
    CHECK_EQ_INT(b.items[0].product_id, w.p1);
    CHECK_EQ_INT(b.items[1].quantity, 1500);
    CHECK_EQ_INT(b.has_list_total, 1);
    CHECK_EQ_INT(b.components_list_total, 2364 + 15000);
    char want[64];
    snprintf(want, sizeof want, "%lld x 1.000;%lld x 1.500", (long long)w.p1, (long long)w.p2);
    char q_audit[256];
    snprintf(q_audit, sizeof q_audit,
             "SELECT COUNT(*) FROM audit WHERE entity = 'bundle' AND action = 'create' AND "
             "changes LIKE '%%%s%%'",
             want);
    CHECK_EQ_INT(fixture_q64(&w.f, q_audit), 1); /* the components as text in the audit row */

    /* In EUR: P1 333 x 7.1 / 7.7 = 307.05 -> 3.07; P2 15000 / 7.7 = 1948.05 -> 19.48: each
     * component converted and rounded on its own, then added. */
    struct bundle_in up = {.set = BU_CURRENCY | BU_PRICE};
    up.v.currency = "EUR";
    up.v.price = 2000;
    rc = bundle_update(ctx, b.id, &up, &b);
    CHECK_EQ_INT(rc, KAM_OK);
    CHECK_EQ_INT(b.components_list_total, 307 + 1948);
    CHECK_EQ_INT(b.version, 2);

    /* A product twice: refused naming the row, nothing written. */
    struct bundle_item_in twice[2] = {{.set = 1 | 4, .product_id = w.p1, .quantity = 1000},
                                      {.set = 1 | 4, .product_id = w.p1, .quantity = 2000}};
    struct bundle_in bad = in;
    bad.v.code = "K2";
    bad.items = twice;
    rc = bundle_create(ctx, &bad, &b);
    fixture_check_err(&w.f, rc, KAM_EINVAL, "items[1].product_id");
    CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM bundles"), 1);
    CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM audit WHERE entity = 'bundle'"), 2);
    kam_error_clear(&w.f.e);

    /* Priced for the account (no price lists: the list prices), 2 bundles in CNY: the bundle
     * 20.00 EUR x 7.7 = 154.00 a bundle, 308.00; P1 2 x 23.64 = 47.28; P2 3 x 100.00 = 300.00;
     * 347.28 against 308.00: a saving of 39.28. */
    int64_t bid = fixture_q64(&w.f, "SELECT id FROM bundles WHERE code = 'K1'");
    struct bundle_quote q;
    rc = bundle_quote(ctx, bid, w.account, "2026-05-28", 2000, "CNY", &q);
    CHECK_EQ_INT(rc, KAM_OK);
    if (!rc) {
        CHECK_EQ_INT(q.unit_price, 15400);
        CHECK_EQ_INT(q.amount, 30800);
        CHECK_EQ_INT(q.nlines, 2);
        CHECK_EQ_INT(q.lines[0].quantity, 2000);
        CHECK_EQ_INT(q.lines[0].engine_price, 2364);
        CHECK_EQ_INT(q.lines[0].amount, 4728);
        CHECK_EQ_INT(q.lines[1].quantity, 3000);
        CHECK_EQ_INT(q.lines[1].amount, 30000);
        CHECK_EQ_INT(q.has_total, 1);
        CHECK_EQ_INT(q.components_total, 34728);
        CHECK_EQ_INT(q.saving, 34728 - 30800);
        CHECK_EQ_STR(q.date, "2026-05-28");
    }
    fixture_close(&w.f);
}
