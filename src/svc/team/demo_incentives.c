/* demo_incentives.c -- demo data of the account team chapter: incentives (issue 18 item 7): a
 * commission plan with family rates, accelerators above 100 %, a threshold, a cap, split credit
 * and clawbacks (returns, bad debt after 60 days); targets that put am.east1 above target and
 * am.east2 below it; a return in the last quarter clawed back; a bonus pool of the East team
 * shared by appraisal score; statements of the last quarter (am.east1's approved by finance,
 * am.east2's submitted); a recognition. Written through the services. */
#include <string.h>

#include "base/timeutil.h"
#include "demo.h"
#include "store/db.h"
#include "svc/core/user.h"
#include "svc/team/commission.h"
#include "svc/team/payout.h"
#include "svc/volume/sales.h"

#define CHINA_OFFSET (8 * 3600)

/* Revenue (base minor units) of the accounts uid owns in [sd, ed]. */
static enum kam_err owned_revenue(struct kam_ctx *ctx, int64_t uid, int64_t sd, int64_t ed,
                                  int64_t *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT COALESCE(SUM(ol.amount_base), 0) FROM order_lines ol JOIN "
                                 "accounts a ON a.id = ol.account_id WHERE a.owner_id = ? AND "
                                 "ol.day BETWEEN ? AND ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, uid);
    db_bind_i64(st, 2, sd);
    db_bind_i64(st, 3, ed);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *out = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    return rc;
}

enum kam_err incentives_demo(struct kam_ctx *ctx)
{
    struct user fin, hr, e1, e2, lead;
    if (user_by_login(ctx, "finance", &fin) || user_by_login(ctx, "hr", &hr) ||
        user_by_login(ctx, "am.east1", &e1) || user_by_login(ctx, "am.east2", &e2) ||
        user_by_login(ctx, "lead.east", &lead)) {
        kam_error_clear(ctx->err);
        return KAM_OK; /* not the full demo */
    }
    /* the last quarter before today (China time) */
    int y, m, d;
    days_to_date((ctx->now + CHINA_OFFSET) / 86400, &y, &m, &d);
    int q = (m - 1) / 3; /* this quarter, 0-based */
    if (q == 0) {
        y--;
        q = 4;
    }
    const char *period = arena_printf(ctx->a, "%04d-Q%d", y, q);
    const char *start, *end;
    int64_t sd, ed;
    enum kam_err rc = comm_period(ctx, "period", "quarter", period, &start, &end, &sd, &ed);
    if (rc)
        return rc;
    struct principal saved = ctx->who;

    /* a return at one of am.east1's accounts in the middle of the quarter */
    int64_t acc = 0;
    rc = db_query_i64(ctx->db, "SELECT MIN(id) FROM accounts WHERE owner_id = ?", 1, e1.id, &acc,
                      ctx->err);
    if (rc == KAM_OK && acc > 0) {
        int ry, rm, rd;
        days_to_date(sd + 45, &ry, &rm, &rd);
        struct order_in oi = {.set = ORD_EXTERNAL_ID | ORD_DATE | ORD_ACCOUNT | ORD_SKU |
                                     ORD_QUANTITY | ORD_AMOUNT,
                              .external_id = "DEMO-INC-RETURN-1",
                              .date = arena_printf(ctx->a, "%04d-%02d-%02d", ry, rm, rd),
                              .sku = "BRG-220",
                              .currency = "CNY",
                              .account_id = acc,
                              .quantity = -40000,
                              .amount = -840000,
                              .price_reason = "退货 return",
                              .price_approved = 1};
        oi.set |= ORD_PRICE_REASON;
        struct order_line out;
        if ((rc = order_create(ctx, &oi, &out)))
            return rc;
    } else if (rc && rc != KAM_ENOTFOUND) {
        return rc;
    }
    kam_error_clear(ctx->err);

    int64_t rev1 = 0, rev2 = 0;
    if ((rc = owned_revenue(ctx, e1.id, sd, ed, &rev1)) ||
        (rc = owned_revenue(ctx, e2.id, sd, ed, &rev2)))
        return rc;
    /* am.east1 at 125 % of target, am.east2 at 80 % */
    struct comm_target targets[2] = {
        {CG_USER | CG_PERIOD | CG_AMOUNT, e1.id, rev1 > 0 ? rev1 * 4 / 5 : 100000000, period, NULL},
        {CG_USER | CG_PERIOD | CG_AMOUNT, e2.id, rev2 > 0 ? rev2 * 5 / 4 : 100000000, period, NULL},
    };
    struct comm_rate rates[] = {
        {CR_FAMILY | CR_RATE, "轴承 Bearings", 300},
        {CR_FAMILY | CR_RATE, "液压 Hydraulics", 400},
        {CR_FAMILY | CR_RATE, "传感器 Sensors", 500},
        {CR_FAMILY | CR_RATE, "控制系统 Controls", 600},
        {CR_FAMILY | CR_RATE, "服务 Services", 200},
    };
    struct comm_tier tiers[] = {{CT_FROM | CT_MULT, 10000, 15000},
                                {CT_FROM | CT_MULT, 12000, 20000}};
    struct comm_split splits[] = {{CS_ROLE | CS_SHARE, "owner", 8000},
                                  {CS_ROLE | CS_SHARE, "service", 1000},
                                  {CS_ROLE | CS_SHARE, "technical", 1000}};
    struct comm_plan_in pi = {.set = CP_NAME | CP_CURRENCY | CP_KIND | CP_DEFAULT | CP_THRESHOLD |
                                     CP_CAP | CP_DEBT | CP_NOTE | CP_RATES | CP_TIERS | CP_SPLITS |
                                     CP_TARGETS,
                              .rates = rates,
                              .n_rates = 5,
                              .tiers = tiers,
                              .n_tiers = 2,
                              .splits = splits,
                              .n_splits = 3,
                              .targets = targets,
                              .n_targets = 2};
    pi.v.name = "大客户销售提成 KA commission";
    pi.v.currency = "CNY";
    pi.v.period_kind = "quarter";
    pi.v.default_rate_bp = 300;
    pi.v.threshold_bp = 6000;
    pi.v.has_cap = 1;
    pi.v.cap = 40000000; /* 400,000.00 a quarter */
    pi.v.bad_debt_days = 60;
    pi.v.note = "加速：100% 以上 ×1.5，120% 以上 ×2（边际）；退货与逾期 60 天坏账扣回。"
                "Accelerators above 100 % (x1.5) and 120 % (x2), marginal; returns and bad debt "
                "(60 days overdue) clawed back.";
    struct comm_plan plan;
    ctx->who.user_id = hr.id;
    ctx->who.role = ROLE_HR;
    if ((rc = comm_plan_create(ctx, &pi, &plan)))
        goto out;

    struct bonus_pool_in bi = {.set = BP_PLAN | BP_NAME | BP_PERIOD | BP_AMOUNT | BP_TEAM};
    bi.v.plan_id = plan.id;
    bi.v.name = "华东季度奖金池 East quarterly pool";
    bi.v.period = period;
    bi.v.amount = 2000000;
    bi.v.has_team = lead.team_id > 0;
    bi.v.team_id = lead.team_id;
    if (!bi.v.has_team)
        bi.set &= ~(unsigned)BP_TEAM;
    struct bonus_pool pool;
    if ((rc = bonus_pool_create(ctx, &bi, &pool)))
        goto out;

    struct recognition_in ri = {.set = RG_USER | RG_TITLE | RG_REASON | RG_DAY};
    ri.v.user_id = e1.id;
    ri.v.title = "季度销售之星 Star of the quarter";
    ri.v.reason =
        "超额完成季度目标并续签两家重点客户 Beat the quarter's target and renewed two key "
        "accounts";
    ri.v.day = end;
    struct recognition rec;
    if ((rc = recognition_create(ctx, &ri, &rec)))
        goto out;

    struct payout_compute_in ci = {.set = PC_PLAN | PC_PERIOD | PC_USERS,
                                   .plan_id = plan.id,
                                   .period = period,
                                   .user_ids = {e1.id, e2.id},
                                   .n_users = 2,
                                   .users_given = 1};
    struct payout_compute_out co;
    if ((rc = payout_compute(ctx, &ci, &co)))
        goto out;
    struct payout p;
    for (size_t i = 0; i < co.n; i++)
        if ((rc = payout_move(ctx, co.items[i].id, "submit", NULL, &p)))
            goto out;
    ctx->who.user_id = fin.id;
    ctx->who.role = ROLE_FINANCE;
    for (size_t i = 0; i < co.n; i++)
        if (co.items[i].user_id == e1.id &&
            (rc = payout_move(ctx, co.items[i].id, "approve", NULL, &p)))
            goto out;
out:
    ctx->who = saved;
    return rc;
}
