/* demo_risks.c -- the demo's risk register and compliance (demo.h): twelve risks on the first
 * owned accounts across every category and status, with actions (one review and one action
 * overdue); three gift rules, this year's budgets of those accounts and some twenty-five gifts
 * (one waiting for the director, one breach with its compliance risk). Through the services
 * (checked and audited); deterministic: everything derives from the row number and ctx->now. */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "demo.h"
#include "gift.h"
#include "risk.h"
#include "store/db.h"

#define DEMO_ACCOUNTS 6

static const struct {
    const char *category, *title, *response, *plan;
    int likelihood, impact;
    int status; /* 0 open, 1 responding, 2 closed */
} risks[] = {
    {"credit", "回款周期拉长至 90 天以上", "reduce", "缩短账期，逾期即暂停发货", 4, 4, 1},
    {"competitive", "竞品华信以低 8% 价格切入", "reduce", "推出年度框架价并绑定服务", 4, 5, 1},
    {"operating", "关键联系人即将调岗", NULL, "", 3, 4, 0},
    {"compliance", "招待费用接近年度预算", "avoid", "本年度不再安排宴请", 2, 3, 1},
    {"credit", "集团母公司评级下调", NULL, "", 3, 5, 0},
    {"operating", "交付质量投诉增加", "reduce", "驻厂质检两周", 3, 3, 2},
    {"competitive", "客户试用竞品样品", "accept", "保持关注，不降价", 2, 2, 1},
    {"other", "客户厂区搬迁影响订单节奏", NULL, "", 2, 4, 0},
    {"credit", "大额订单超信用额度", "transfer", "改为信用保险覆盖", 3, 4, 2},
    {"operating", "备件库存不足", "reduce", "增加安全库存", 2, 3, 1},
    {"compliance", "采购人员收受礼品风险", "avoid", "礼品一律经总监审批", 1, 5, 0},
    {"competitive", "价格战波及同区域客户", NULL, "", 5, 3, 0},
};

static const char *const gift_names[] = {"中秋月饼礼盒", "茶叶礼盒", "公司纪念品", "行业会议门票",
                                         "端午粽子礼盒"};
static const char *const meal_names[] = {"项目启动晚宴", "年度答谢午宴", "技术交流工作餐"};

static enum kam_err ids_of(struct kam_ctx *ctx, const char *sql, int64_t bind, int64_t *out,
                           const char **texts, int max, int *n)
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
        out[*n] = db_col_i64(st, 0);
        if (texts)
            texts[*n] = arena_strdup(ctx->a, db_col_text(st, 1));
        (*n)++;
    }
    db_done(st);
    return rc;
}

static const char *day_at(struct kam_ctx *ctx, int offset)
{
    int y, m, d;
    days_to_date((ctx->now + 8 * 3600) / 86400 + offset, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

static enum kam_err demo_rules(struct kam_ctx *ctx)
{
    static const struct {
        const char *name, *kind, *role, *approver;
        int64_t max;
        int forbidden;
    } rules[] = {
        {"礼品 ≤ ¥500", "gift", "any", "team_lead", 50000, 0},
        {"宴请 ≤ ¥2,000", "hospitality", "any", "director", 200000, 0},
        {"采购把关人不收礼", "any", "gatekeeper", "director", 0, 1},
    };
    enum kam_err rc = KAM_OK;
    for (size_t i = 0; !rc && i < sizeof rules / sizeof rules[0]; i++) {
        struct gift_rule_in in = {.set = GR_NAME | GR_KIND | GR_ROLE | GR_MAX | GR_CURRENCY |
                                         GR_APPROVER | GR_FORBIDDEN};
        in.v.name = rules[i].name;
        in.v.kind = rules[i].kind;
        in.v.recipient_role = rules[i].role;
        in.v.max_value = rules[i].max;
        in.v.currency = "CNY";
        in.v.approver_role = rules[i].approver;
        in.v.forbidden = rules[i].forbidden;
        struct gift_rule out;
        rc = gift_rule_create(ctx, &in, &out);
    }
    return rc;
}

static enum kam_err demo_register(struct kam_ctx *ctx, const int64_t *acc, int na)
{
    enum kam_err rc = KAM_OK;
    for (size_t i = 0; !rc && i < sizeof risks / sizeof risks[0]; i++) {
        struct risk_in in = {.set = RK_ACCOUNT | RK_CATEGORY | RK_TITLE | RK_DESC | RK_LIKELIHOOD |
                                    RK_IMPACT | RK_REVIEW};
        in.v.account_id = acc[i % na];
        in.v.category = risks[i].category;
        in.v.title = risks[i].title;
        in.v.description = "";
        in.v.likelihood = risks[i].likelihood;
        in.v.impact = risks[i].impact;
        /* the third risk's review is overdue; the others come up in the next weeks */
        in.v.review_on = day_at(ctx, i == 2 ? -5 : 7 + (int)i * 3);
        struct risk r;
        if ((rc = risk_create(ctx, &in, &r)))
            break;
        if (risks[i].response) {
            struct risk_in up = {.set = RK_RESPONSE | RK_PLAN};
            up.v.response = risks[i].response;
            up.v.response_plan = risks[i].plan;
            if ((rc = risk_update(ctx, r.id, &up, &r)))
                break;
            struct risk_action_in a = {.set = RA_DESC | RA_DUE};
            a.description = risks[i].plan;
            /* the first risk's action is overdue */
            a.due_on = day_at(ctx, i == 0 ? -3 : 10 + (int)i);
            if ((rc = risk_action_add(ctx, r.id, &a, &r)))
                break;
            if (i % 3 == 1) {
                struct risk_action_in done = {.set = RA_DESC | RA_DUE | RA_DONE};
                done.description = "与客户确认应对方案";
                done.due_on = day_at(ctx, -10);
                done.done = 1;
                if ((rc = risk_action_add(ctx, r.id, &done, &r)))
                    break;
            }
        }
        if (risks[i].status == 2)
            rc = risk_close(ctx, r.id, "风险已解除", &r);
    }
    return rc;
}

static enum kam_err give(struct kam_ctx *ctx, int64_t account, int64_t contact, int64_t owner,
                         const char *kind, const char *what, int64_t value, const char *day)
{
    struct gift_in in = {.set = GF_ACCOUNT | GF_KIND | GF_DESC | GF_VALUE | GF_CURRENCY |
                                GF_GIVEN_ON | GF_GIVEN_BY | (contact ? GF_CONTACT : 0)};
    in.v.account_id = account;
    in.v.kind = kind;
    in.v.description = what;
    in.v.value = value;
    in.v.currency = "CNY";
    in.v.given_on = day;
    in.v.given_by = owner;
    in.v.has_given_by = owner != 0;
    in.v.contact_id = contact;
    in.v.has_contact = contact != 0;
    struct gift out;
    return gift_create(ctx, &in, &out);
}

enum kam_err risks_demo(struct kam_ctx *ctx)
{
    int64_t acc[DEMO_ACCOUNTS], owners[DEMO_ACCOUNTS] = {0};
    int na = 0, no = 0;
    enum kam_err rc;
    if ((rc = ids_of(ctx,
                     "SELECT id, '' FROM accounts WHERE owner_id IS NOT NULL ORDER BY CASE tier "
                     "WHEN 'A' THEN 0 ELSE 1 END, id LIMIT 6",
                     0, acc, NULL, DEMO_ACCOUNTS, &na)))
        return rc;
    if (!na)
        return KAM_OK;
    for (int i = 0; i < na && !rc; i++) {
        int k = 0;
        rc = ids_of(ctx, "SELECT owner_id, '' FROM accounts WHERE id = ?", acc[i], &owners[i], NULL,
                    1, &k);
        no += k;
    }
    if (rc || (rc = demo_rules(ctx)) || (rc = demo_register(ctx, acc, na)))
        return rc;
    int y, m, d;
    days_to_date((ctx->now + 8 * 3600) / 86400, &y, &m, &d);
    for (int i = 0; i < na && !rc; i++) {
        struct gift_budget b;
        rc = gift_budget_set(ctx, acc[i], y, 2000000, "CNY", &b);
    }
    /* about four gifts per account, spread over the past days of this year, within the rules
     * (never to a gatekeeper) */
    int n = 0;
    for (int i = 0; i < na && !rc; i++) {
        int64_t con[8];
        const char *role[8];
        int nc = 0;
        if ((rc = ids_of(ctx,
                         "SELECT id, decision_role FROM contacts WHERE account_id = ? ORDER BY id",
                         acc[i], con, role, 8, &nc)))
            break;
        int64_t owner = i < no ? owners[i] : 0;
        for (int k = 0; k < 4 && !rc; k++, n++) {
            int64_t c = 0;
            for (int j = 0; j < nc; j++)
                if (strcmp(role[(k + j) % nc], "gatekeeper") != 0) {
                    c = con[(k + j) % nc];
                    break;
                }
            int back = 3 + (n * 11) % 150;
            if (back >= (int)((ctx->now + 8 * 3600) / 86400 - date_to_days(y, 1, 1)))
                back = 1 + n % 3;
            int meal = k == 3;
            rc = give(ctx, acc[i], c, owner, meal ? "hospitality" : "gift",
                      meal ? meal_names[n % 3] : gift_names[n % 5],
                      meal ? 60000 + (n % 5) * 25000 : 18000 + (n % 7) * 4000, day_at(ctx, -back));
        }
    }
    /* one waiting for the director: a dinner over the rule, planned next week */
    if (!rc)
        rc = give(ctx, acc[0], 0, na ? owners[0] : 0, "hospitality", "签约庆功晚宴", 380000,
                  day_at(ctx, 7));
    /* one breach: a gift over the rule already given (raises its compliance risk) */
    if (!rc)
        rc = give(ctx, acc[na > 1 ? 1 : 0], 0, na > 1 ? owners[1] : owners[0], "gift",
                  "高档白酒礼盒", 128000, day_at(ctx, -2));
    return rc;
}
