/* demo_opportunities.c -- twenty opportunities over the demo's first owned accounts, in every
 * stage (won and lost with their reasons), with products and some of the account's needs;
 * through opportunity_create/update (checked and audited). Deterministic: everything derives
 * from the row number and ctx->now. */
#include "demo_opportunities.h"

#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/db.h"

#define DEMO_OPPS 20

static const char *const stage_cycle[] = {"initial",     "qualified", "proposal",
                                          "negotiation", "won",       "lost"};
static const char *const names[] = {"年度框架采购", "新产线配套", "华东仓扩容",   "备件长期协议",
                                    "替换竞品试点", "季度补货",   "定制包装项目", "技术升级方案"};
static const char *const competitors[] = {"", "华信", "恒通、博远", "", "ACME"};
static const char *const won_reasons[] = {"价格与交期最优", "技术方案获客户认可"};
static const char *const lost_reasons[] = {"竞品报价低 8%", "客户预算冻结"};

static enum kam_err first_ids(struct kam_ctx *ctx, const char *sql, int64_t bind, int64_t *out,
                              int max, int *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    if (bind)
        db_bind_i64(st, 1, bind);
    *n = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row || *n >= max)
            break;
        out[(*n)++] = db_col_i64(st, 0);
    }
    db_done(st);
    return rc;
}

enum kam_err opportunities_demo(struct kam_ctx *ctx)
{
    int64_t accounts[10], products[8];
    int na = 0, np = 0;
    enum kam_err rc;
    if ((rc = first_ids(ctx,
                        "SELECT id FROM accounts WHERE owner_id IS NOT NULL ORDER BY "
                        "CASE tier WHEN 'A' THEN 0 ELSE 1 END, id LIMIT 10",
                        0, accounts, 10, &na)) ||
        (rc = first_ids(ctx,
                        "SELECT id FROM products WHERE active = 1 AND currency = 'CNY' ORDER BY "
                        "id LIMIT 8",
                        0, products, 8, &np)))
        return rc;
    if (!na)
        return KAM_OK;
    int y, m, d;
    days_to_date((ctx->now + 8 * 3600) / 86400, &y, &m, &d);
    for (int i = 0; i < DEMO_OPPS && !rc; i++) {
        int64_t acc = accounts[i % na];
        const char *stage = stage_cycle[i % 6];
        int closed = i % 6 >= 4;
        /* Open ones close in the coming months, closed ones closed in the last ones. */
        int off = closed ? -(1 + i % 3) : i % 5;
        int mm = m - 1 + off, yy = y;
        while (mm < 0) {
            mm += 12;
            yy--;
        }
        yy += mm / 12;
        mm %= 12;
        char month[16];
        snprintf(month, sizeof month, "%04d-%02d", yy % 10000, (mm + 1) % 100);
        struct opportunity_in in = {0};
        struct opportunity *v = &in.v;
        v->name = names[i % 8];
        v->stage = stage;
        v->amount = (int64_t)((i * 37) % 11 + 2) * 50000000; /* CNY 1M .. 6M */
        v->currency = i == 7 ? "USD" : "CNY";
        if (i == 7)
            v->amount /= 7;
        v->close_month = month;
        v->competitors = competitors[i % 5];
        if (!strcmp(stage, "won"))
            v->outcome_reason = won_reasons[i % 2];
        if (!strcmp(stage, "lost"))
            v->outcome_reason = lost_reasons[i % 2];
        in.set = OPP_NAME | OPP_STAGE | OPP_AMOUNT | OPP_CURRENCY | OPP_CLOSE | OPP_COMPETITORS |
                 (closed ? OPP_REASON : 0);
        if (i % 4 == 1) {
            v->has_probability = 1;
            v->probability_bp = 3000 + 500 * (i % 3);
            in.set |= OPP_PROB;
        }
        if (i % 3 == 0) {
            v->has_quantity = 1;
            v->quantity = (int64_t)(i + 1) * 100000;
            in.set |= OPP_QUANTITY;
        }
        struct opp_product ps[2];
        memset(ps, 0, sizeof ps);
        if (np) {
            ps[0].product_id = products[i % np];
            ps[0].has_quantity = 1;
            ps[0].quantity = 50000;
            v->products = ps;
            v->n_products = 1;
            if (np > 1 && i % 2 == 0) {
                ps[1].product_id = products[(i + 3) % np];
                if (ps[1].product_id != ps[0].product_id)
                    v->n_products = 2;
            }
            in.set |= OPP_PRODUCTS;
        }
        int64_t needs[1];
        int nn = 0;
        if (i % 3 != 2 &&
            (rc = first_ids(ctx, "SELECT id FROM needs WHERE account_id = ? ORDER BY id LIMIT 1",
                            acc, needs, 1, &nn)))
            break;
        if (nn) {
            v->need_ids = needs;
            v->n_needs = 1;
            in.set |= OPP_NEEDS;
        }
        struct opportunity out;
        rc = opportunity_create(ctx, acc, &in, &out);
    }
    return rc;
}
