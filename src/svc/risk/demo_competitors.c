/* demo_competitors.c -- the demo's competitors (demo.h): five competitors (four Chinese, one
 * English), their presence on the first fifteen key accounts across the product families with
 * plausible shares (two accounts where one holds over half a family), and twenty moves over the
 * last year, the latest two recent price cuts (so competitor_move fires in the demo). Written
 * through svc/risk/competitor.c (checked and audited). Deterministic: everything derives from
 * the row number and ctx->now. */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "competitor.h"
#include "demo.h"
#include "store/db.h"

#define DEMO_ACCOUNTS 15
#define DEMO_FAMILIES 4
#define DEMO_MOVES 20

static const struct {
    const char *name, *alias, *website, *strengths, *weaknesses;
} comps[] = {
    {"华信科技", "华信", "https://www.huaxin.example.cn", "价格低，华东渠道密集",
     "交期不稳定，售后响应慢"},
    {"恒通实业", "恒通", "https://www.hengtong.example.cn", "与大客户高层关系深，账期灵活",
     "产品线窄，技术支持薄弱"},
    {"博远集团", "博远", "https://www.boyuan.example.cn", "品牌知名度高，产品线全",
     "价格偏高，定制能力弱"},
    {"启明精工", "启明", "", "精密件质量好，工程师驻场", "产能有限，旺季缺货"},
    {"ACME Industrial", "ACME", "https://www.acme.example.com", "Global brand, strong R&D",
     "High prices, slow local decisions"},
};

static const char *const levels[] = {"lower", "similar", "higher", "unknown", "lower"};

static const char *const move_texts[] = {
    "对采购部报价直降 8%，并承诺三个月锁价",    /* price_cut */
    "推出买十送一的季度促销",                   /* promotion */
    "发布新一代产品并安排客户试用",             /* new_product */
    "新任销售总监拜访客户副总，邀请参观工厂",   /* relationship */
    "拿下客户新产线的一个标段",                 /* won_business */
    "在行业展会上重点宣传针对该客户行业的方案", /* other */
};

static enum kam_err ids(struct kam_ctx *ctx, const char *sql, int64_t *out, int max, int *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
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

static enum kam_err families(struct kam_ctx *ctx, const char **out, int *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT DISTINCT family FROM products WHERE family <> '' ORDER "
                                 "BY family",
                                 &st, ctx->err);
    if (rc)
        return rc;
    *n = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row || *n >= DEMO_FAMILIES)
            break;
        out[(*n)++] = arena_strdup(ctx->a, db_col_text(st, 0));
    }
    db_done(st);
    return rc;
}

static enum kam_err presence(struct kam_ctx *ctx, int64_t account, int64_t comp, const char *fam,
                             int64_t share, const char *level)
{
    struct presence_in in = {.set = PR_COMPETITOR | PR_FAMILY | PR_SHARE | PR_PRICE | PR_NOTE};
    in.v.competitor_id = comp;
    in.v.family = fam;
    in.v.has_share = 1;
    in.v.share_bp = share;
    in.v.price_level = level;
    in.v.note = fam[0] ? "客户经理根据采购访谈估算" : "整体份额，按客户年度采购额估算";
    struct presence out;
    return presence_create(ctx, account, &in, &out);
}

enum kam_err competitors_demo(struct kam_ctx *ctx)
{
    enum kam_err rc = KAM_OK;
    int64_t comp_ids[5];
    for (int i = 0; i < 5 && !rc; i++) {
        struct competitor_in in = {.set = CO_NAME | CO_ALIAS | CO_WEBSITE | CO_STRENGTHS |
                                          CO_WEAKNESSES};
        in.v.name = comps[i].name;
        in.v.alias = comps[i].alias;
        in.v.website = comps[i].website;
        in.v.strengths = comps[i].strengths;
        in.v.weaknesses = comps[i].weaknesses;
        struct competitor out;
        if (!(rc = competitor_create(ctx, &in, &out)))
            comp_ids[i] = out.id;
    }
    if (rc)
        return rc;
    int64_t accounts[DEMO_ACCOUNTS];
    const char *fams[DEMO_FAMILIES];
    int na = 0, nf = 0;
    if ((rc = ids(ctx,
                  "SELECT id FROM accounts WHERE status <> 'lost' ORDER BY CASE tier WHEN "
                  "'strategic' THEN 0 WHEN 'key' THEN 1 ELSE 2 END, id LIMIT 15",
                  accounts, DEMO_ACCOUNTS, &na)) ||
        (rc = families(ctx, fams, &nf)))
        return rc;
    if (!na)
        return KAM_OK;
    if (!nf) {
        fams[0] = "";
        nf = 1;
    }
    for (int i = 0; i < na && !rc; i++) {
        const char *f1 = fams[i % nf];
        int64_t s1 = i % 7 == 0 ? 5500 : 1500 + (i * 700) % 3000;
        int64_t s2 = 500 + (i * 300) % 1500;
        rc = presence(ctx, accounts[i], comp_ids[i % 5], f1, s1, levels[i % 5]);
        if (!rc)
            rc = presence(ctx, accounts[i], comp_ids[(i + 2) % 5], f1, s2, levels[(i + 1) % 5]);
        if (!rc && nf > 1 && i % 2)
            rc = presence(ctx, accounts[i], comp_ids[(i + 3) % 5], fams[(i + 1) % nf],
                          2000 + (i * 450) % 2500, levels[(i + 2) % 5]);
        if (!rc && i % 3 == 0)
            rc = presence(ctx, accounts[i], comp_ids[(i + 1) % 5], "", 800 + (i * 250) % 2000,
                          levels[(i + 3) % 5]);
    }
    int64_t today = (ctx->now + 8 * 3600) / 86400;
    for (int j = 0; j < DEMO_MOVES && !rc; j++) {
        /* the two latest: price cuts, high, 3 and 9 days ago at the first two accounts */
        int kind = j < 2 ? 0 : j % 6;
        int64_t ago = j < 2 ? 3 + j * 6 : 40 + (j - 2) * 18;
        int y, m, d;
        days_to_date(today - ago, &y, &m, &d);
        char day[16];
        snprintf(day, sizeof day, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
        struct move_in in = {.set = MV_COMPETITOR | MV_FAMILY | MV_DAY | MV_KIND | MV_SEVERITY |
                                    MV_DESC};
        in.v.competitor_id = comp_ids[j % 5];
        in.v.family = j % 4 == 3 ? "" : fams[j % nf];
        in.v.day = day;
        in.v.kind = move_kinds[kind];
        in.v.severity = j < 2 ? "high" : move_severities[j % 3];
        in.v.description = move_texts[kind];
        struct move out;
        rc = move_create(ctx, accounts[j % na], &in, &out);
    }
    return rc;
}
