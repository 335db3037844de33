/* demo_offers.c -- the offers' demo: every status, one approval waiting for the director. */
#include "demo_offers.h"

#include <string.h>

#include "offer.h"
#include "store/db.h"

struct demo_acc {
    int64_t id, owner, opp;
};

static const char *const statuses[] = {"draft",    "pending", "approved",  "sent",      "accepted",
                                       "rejected", "expired", "converted", "superseded"};

enum kam_err offers_demo(struct kam_ctx *ctx)
{
    struct db_stmt *st;
    struct demo_acc acc[9];
    size_t na = 0;
    int64_t prod[2] = {0, 0}, bundle = 0, service = 0;
    int np = 0, row = 0;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT a.id, a.owner_id, (SELECT MIN(o.id) FROM opportunities o JOIN opportunity_stages "
        "s ON s.code = o.stage WHERE o.account_id = a.id AND s.outcome = 'open') FROM accounts a "
        "JOIN users u ON u.id = a.owner_id WHERE u.role = 'account_manager' AND a.tier IN "
        "('strategic', 'key') ORDER BY a.id LIMIT 9",
        &st, ctx->err);
    if (rc)
        return rc;
    while (!(rc = db_step(st, &row, ctx->err)) && row && na < 9) {
        acc[na].id = db_col_i64(st, 0);
        acc[na].owner = db_col_i64(st, 1);
        acc[na].opp = db_col_is_null(st, 2) ? 0 : db_col_i64(st, 2);
        na++;
    }
    db_done(st);
    if (rc || na == 0)
        return rc;
    if ((rc = db_prepare(ctx->db,
                         "SELECT id FROM products WHERE list_price IS NOT NULL AND active = 1 "
                         "ORDER BY id LIMIT 2",
                         &st, ctx->err)))
        return rc;
    while (!(rc = db_step(st, &row, ctx->err)) && row && np < 2)
        prod[np++] = db_col_i64(st, 0);
    db_done(st);
    if (rc || np == 0)
        return rc;
    if (db_query_i64(ctx->db, "SELECT MIN(id) FROM bundles WHERE active = 1", 0, 0, &bundle,
                     ctx->err) ||
        db_query_i64(ctx->db, "SELECT MIN(id) FROM service_items WHERE active = 1", 0, 0, &service,
                     ctx->err)) {
        kam_error_clear(ctx->err);
        bundle = service = 0;
    }
    struct principal sys = ctx->who;
    for (size_t i = 0; i < 9 && !rc; i++) {
        const struct demo_acc *a = &acc[i % na];
        const char *want = statuses[i];
        /* the account manager makes each offer; the pending one gives 15 % (the director's) */
        ctx->who.user_id = a->owner;
        ctx->who.role = ROLE_ACCOUNT_MANAGER;
        struct offer_line_in lines[4];
        memset(lines, 0, sizeof lines);
        int nl = 0;
        lines[nl].set = OL_KIND | OL_PRODUCT | OL_QUANTITY | OL_DISCOUNT;
        lines[nl].kind = "product";
        lines[nl].product_id = prod[0];
        lines[nl].quantity = (int64_t)(10 + 5 * i) * 1000;
        lines[nl].discount_bp = !strcmp(want, "pending") ? 1500 : (int64_t)(i % 3) * 100;
        nl++;
        if (np > 1) {
            lines[nl].set = OL_KIND | OL_PRODUCT | OL_QUANTITY;
            lines[nl].kind = "product";
            lines[nl].product_id = prod[1];
            lines[nl].quantity = 5000;
            nl++;
        }
        if (bundle) {
            lines[nl].set = OL_KIND | OL_BUNDLE | OL_QUANTITY;
            lines[nl].kind = "bundle";
            lines[nl].bundle_id = bundle;
            lines[nl].quantity = 2000;
            nl++;
        }
        if (service) {
            lines[nl].set = OL_KIND | OL_SERVICE | OL_QUANTITY;
            lines[nl].kind = "service";
            lines[nl].service_item_id = service;
            lines[nl].quantity = 4000;
            nl++;
        }
        struct offer_cust_in cust = {OC_REQUEST | OC_CONFIRM_BY, "外壳改为客户品牌色并加印标识",
                                     "production", NULL, 0};
        struct offer_in in = {0};
        in.set = OF_ACCOUNT | OF_TITLE | OF_VALID_UNTIL | OF_LINES | OF_CUSTS;
        in.account_id = a->id;
        in.title = arena_printf(ctx->a, "年度供货报价 %zu", i + 1);
        in.valid_until = "2099-12-31";
        in.lines = lines;
        in.nlines = nl;
        in.custs = &cust;
        in.ncusts = 1;
        if (a->opp) {
            in.set |= OF_OPPORTUNITY;
            in.opportunity_id = a->opp;
            in.has_opportunity = 1;
        }
        struct offer o;
        if ((rc = offer_create(ctx, &in, &o)) || !strcmp(want, "draft"))
            continue;
        if (!strcmp(want, "superseded")) {
            rc = offer_new_version(ctx, o.id, &o);
            continue;
        }
        if ((rc = offer_submit(ctx, o.id, !strcmp(want, "pending") ? "战略客户，年度框架" : "",
                               &o)) ||
            !strcmp(want, "pending") || !strcmp(want, "approved"))
            continue;
        if ((rc = offer_send(ctx, o.id, &o)) || !strcmp(want, "sent"))
            continue;
        if (!strcmp(want, "expired")) {
            /* priced and valid until yesterday (the demo's data dated back a day), then what
             * the expiry pass does */
            struct db_stmt *u;
            if ((rc = db_prepare(ctx->db,
                                 "UPDATE offers SET price_date = ?, valid_until = ? WHERE id = ?",
                                 &u, ctx->err)))
                continue;
            const char *yday = offer_day_of(ctx, ctx->now - 86400);
            db_bind_text(u, 1, yday);
            db_bind_text(u, 2, yday);
            db_bind_i64(u, 3, o.id);
            if ((rc = db_run(u, ctx->err)) || (rc = offer_get(ctx, o.id, &o)))
                continue;
            rc = offer_set_status(ctx, &o, "expired", NULL, 0, 1);
            continue;
        }
        if (!strcmp(want, "rejected")) {
            rc = offer_decide(ctx, o.id, 0, "客户选择了竞争对手的方案", &o);
            continue;
        }
        if ((rc = offer_decide(ctx, o.id, 1, "价格与交期均满足要求", &o)) ||
            !strcmp(want, "accepted"))
            continue;
        struct offer_conversion cv;
        rc = offer_convert(ctx, o.id, NULL, &cv);
    }
    ctx->who = sys;
    return rc;
}
