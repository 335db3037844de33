/* demo_sales.c -- the demo's sales history: products in five families and three years of order
 * lines per account, with a trend per account, a shared seasonality (the Spring Festival dip in
 * February, a year-end peak), noise, and family mixes that leave room for cross-selling.
 * Deterministic: the same accounts give the same lines. */
#include "demo_sales.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "measure.h"
#include "outlook.h"
#include "product.h"
#include "rollup.h"
#include "sales.h"
#include "store/db.h"
#include "target.h"

static uint64_t state;

static uint64_t rnd(void)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double unif(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static const struct {
    const char *sku, *name, *family, *unit;
    int64_t price; /* minor units */
} products[] = {
    {"BRG-100", "深沟球轴承 Deep-groove bearing", "轴承 Bearings", "pc", 8500},
    {"BRG-220", "圆锥滚子轴承 Tapered roller bearing", "轴承 Bearings", "pc", 21000},
    {"BRG-900", "精密主轴轴承 Spindle bearing", "轴承 Bearings", "pc", 98000},
    {"HYD-PMP", "液压泵 Hydraulic pump", "液压 Hydraulics", "pc", 460000},
    {"HYD-VLV", "比例阀 Proportional valve", "液压 Hydraulics", "pc", 128000},
    {"SNS-PRS", "压力传感器 Pressure sensor", "传感器 Sensors", "pc", 36000},
    {"SNS-TMP", "温度传感器 Temperature sensor", "传感器 Sensors", "pc", 12000},
    {"CTL-PLC", "可编程控制器 PLC", "控制系统 Controls", "pc", 680000},
    {"CTL-HMI", "触摸屏 HMI panel", "控制系统 Controls", "pc", 240000},
    {"SVC-MNT", "维保服务 Maintenance contract", "服务 Services", "h", 60000},
};
#define NPRODUCTS (sizeof products / sizeof products[0])
#define NFAMILIES 5
static const char *const families[NFAMILIES] = {
    "轴承 Bearings", "液压 Hydraulics", "传感器 Sensors", "控制系统 Controls", "服务 Services"};

/* A hash of an account id (its own stream: the shared one keeps every other account's lines). */
static uint64_t hash_id(int64_t id, uint64_t salt)
{
    uint64_t z = (uint64_t)id * 0x9e3779b97f4a7c15ull + salt;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* How an account's volume bends (issue 16: the churn model and the alerts must find something
 * true). By a hash of its id: about 12 % decline steadily by 50-80 % over their last 9-12 months
 * (three of them, the 24th, 42nd and 68th account, stop 3-5 months before the end); about 15 %
 * declined by 40-70 % over 6-9 months earlier in the history and stayed there; the others none. The
 * factor of month mon (first .. last) multiplies the month's volume; 0: no orders. */
static double bend(int64_t id, int index, int mon, int first, int last)
{
    uint64_t h = hash_id(id, 0x5eed16ull);
    int kind = (int)(h % 100);
    double depth, ramp;
    int start, len;
    if (index == 23 || index == 41 || index == 67) { /* stops */
        int stop = last - 3 - (int)((h >> 8) % 3);
        if (mon >= stop)
            return 0;
        start = stop - 4;
        return mon < start ? 1 : 1 - 0.6 * (double)(mon - start + 1) / 5.0;
    }
    if (kind < 12 && index > 9) { /* declines to the end: a mild start, then steeper */
        len = 9 + (int)((h >> 8) % 4);
        depth = 0.5 + 0.3 * (double)((h >> 16) % 1000) / 1000.0;
        start = last - len;
        if (mon < start)
            return 1;
        ramp = (double)(mon - start + 1) / (double)len;
        return 1 - depth * ramp;
    }
    if (kind >= 12 && kind < 27 && index > 9) { /* an earlier decline that stayed down */
        len = 6 + (int)((h >> 8) % 4);
        depth = 0.4 + 0.3 * (double)((h >> 16) % 1000) / 1000.0;
        start =
            first + 8 +
            (int)((h >> 32) %
                  (uint64_t)(last - first - 8 - len - 12 > 1 ? last - first - 8 - len - 12 : 1));
        if (mon < start)
            return 1;
        ramp = (double)(mon - start + 1) / (double)len;
        return 1 - depth * (ramp > 1 ? 1 : ramp);
    }
    return 1;
}

/* Seasonal factor of a calendar month (1..12). */
static double season(int m)
{
    static const double f[12] = {1.05, 0.62, 0.95, 1.00, 1.02, 1.04,
                                 0.93, 0.95, 1.06, 0.98, 1.12, 1.28};
    return f[m - 1];
}

enum kam_err demo_sales(struct kam_ctx *ctx, int max_accounts, int64_t *lines_out)
{
    state = 20261128;
    *lines_out = 0;
    enum kam_err rc = KAM_OK;
    int64_t pid[NPRODUCTS];
    for (size_t i = 0; i < NPRODUCTS && !rc; i++) {
        struct product_in in = {0};
        in.set = PROD_SKU | PROD_NAME | PROD_FAMILY | PROD_UNIT | PROD_PRICE;
        in.sku = products[i].sku;
        in.name = products[i].name;
        in.family = products[i].family;
        in.unit = products[i].unit;
        in.list_price = products[i].price;
        in.has_list_price = 1;
        in.currency = "CNY";
        struct product p;
        rc = product_create(ctx, &in, &p);
        pid[i] = rc ? 0 : p.id; /* p is unset when the create failed */
    }
    if (!rc)
        rc = fx_set(ctx, "USD", 7120000);
    if (!rc)
        rc = fx_set(ctx, "EUR", 7740000);
    if (rc)
        return rc;

    /* Three full years before this month, and this month up to today. */
    int y, m, d;
    days_to_date(ctx->now / 86400, &y, &m, &d);
    int first = (y - 3) * 12 + (m - 1);
    int last = y * 12 + (m - 1);

    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT id, code, tier, region, channel FROM accounts WHERE status <> "
                         "'prospect' ORDER BY id LIMIT ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, max_accounts);
    struct acct {
        int64_t id;
        char tier[16];
        char region[64], channel[64];
    } *accts = arena_calloc(ctx->a, (size_t)max_accounts, sizeof *accts);
    int na = 0, row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && na < max_accounts) {
        accts[na].id = db_col_i64(st, 0);
        snprintf(accts[na].tier, sizeof accts[na].tier, "%s", db_col_text(st, 2));
        snprintf(accts[na].region, sizeof accts[na].region, "%s", db_col_text(st, 3));
        snprintf(accts[na].channel, sizeof accts[na].channel, "%s", db_col_text(st, 4));
        na++;
    }
    db_done(st);
    if (rc)
        return rc;

    struct rollup *ru = rollup_new();
    struct order_row *rows = arena_calloc(ctx->a, 4096, sizeof *rows);
    size_t nrows = 0;
    int64_t ins = 0, upd = 0;
    char ext[48];
    int64_t seq = 0;
    for (int a = 0; a < na && !rc; a++) {
        const char *t = accts[a].tier;
        double base = !strcmp(t, "strategic") ? 420000
                      : !strcmp(t, "key")     ? 160000
                      : !strcmp(t, "growth")  ? 60000
                                              : 18000;
        base *= 0.6 + 0.8 * unif();
        double growth = -0.12 + 0.42 * unif(); /* a year */
        /* Families bought: 2-4, the first ones more likely; a weight each. */
        double mix[NFAMILIES] = {0};
        int nf = 2 + (int)(unif() * 3);
        for (int k = 0; k < nf; k++)
            mix[(int)(pow(unif(), 1.6) * NFAMILIES)] += 0.3 + unif();
        double msum = 0;
        for (int f = 0; f < NFAMILIES; f++)
            msum += mix[f];
        for (int mon = first; mon <= last && !rc; mon++) {
            int yy = mon / 12, mm = mon % 12 + 1;
            double level = base * pow(1 + growth, (double)(mon - first) / 12.0) * season(mm) *
                           bend(accts[a].id, a, mon, first, last);
            int days_in = (int)(date_to_days(mm == 12 ? yy + 1 : yy, mm == 12 ? 1 : mm + 1, 1) -
                                date_to_days(yy, mm, 1));
            if (mon == last)
                days_in = d; /* this month: up to today */
            for (int f = 0; f < NFAMILIES; f++) {
                if (mix[f] == 0)
                    continue;
                double amount_f = level * mix[f] / msum * (0.8 + 0.4 * unif());
                if (mon == last)
                    amount_f *= (double)d / 30.0;
                int orders = 1 + (int)(unif() * 3);
                for (int o = 0; o < orders; o++) {
                    /* The products of family f, one of them. */
                    size_t choices[4], nc = 0;
                    for (size_t p = 0; p < NPRODUCTS && nc < 4; p++)
                        if (!strcmp(products[p].family, families[f]))
                            choices[nc++] = p;
                    size_t p = choices[(size_t)(unif() * (double)nc)];
                    int64_t amount = (int64_t)(amount_f / orders * 100);
                    int64_t qty = amount * 1000 / products[p].price;
                    if (qty < 1000)
                        qty = 1000;
                    snprintf(ext, sizeof ext, "DEMO-%08lld", (long long)++seq);
                    int64_t day = date_to_days(yy, mm, 1 + (int)(unif() * days_in));
                    if (amount <= 0)
                        continue; /* stopped: the draws above are made all the same */
                    struct order_row *r = &rows[nrows++];
                    r->external_id = arena_strdup(ctx->a, ext);
                    r->day = day;
                    r->account_id = accts[a].id;
                    r->product_id = pid[p];
                    r->family = products[p].family;
                    r->region = accts[a].region;
                    r->channel = accts[a].channel;
                    r->quantity = qty;
                    r->amount = amount;
                    r->currency = "CNY";
                    r->amount_base = amount;
                    if (nrows == 4096) {
                        rc = sales_write_lines(ctx, rows, nrows, 0, ru, &ins, &upd);
                        nrows = 0;
                    }
                }
            }
        }
    }
    if (!rc && nrows)
        rc = sales_write_lines(ctx, rows, nrows, 0, ru, &ins, &upd);
    if (!rc)
        rc = rollup_flush(ctx, ru);
    rollup_free(ru);
    *lines_out = ins;
    return rc;
}

/* Wallet estimates for the larger accounts, this year's approved plan split by account, family
 * and month, next year's draft split by family, region and month, a few measures, and the
 * stored forecasts. */
enum kam_err demo_plans(struct kam_ctx *ctx)
{
    int y, m, d;
    days_to_date(ctx->now / 86400, &y, &m, &d);
    int64_t director = 0;
    enum kam_err rc = db_query_i64(ctx->db, "SELECT id FROM users WHERE login = 'director'", 0, 0,
                                   &director, ctx->err);
    if (rc)
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT a.id, (SELECT SUM(amount) FROM sales_monthly_account s WHERE "
                         "s.account_id = a.id AND s.month >= ? AND s.month <= ?) FROM accounts a "
                         "WHERE a.tier IN ('strategic', 'key') ORDER BY a.id",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, (y - 1) * 100 + 1);
    db_bind_i64(st, 2, (y - 1) * 100 + 12);
    int64_t ids[400], amounts[400];
    int n = 0, row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < 400) {
        ids[n] = db_col_i64(st, 0);
        amounts[n++] = db_col_i64(st, 1);
    }
    db_done(st);
    for (int i = 0; i < n && !rc; i++) {
        struct wallet_estimate w;
        if (amounts[i] > 0)
            rc = wallet_set(ctx, ids[i], y, (int64_t)((double)amounts[i] * (1.6 + 1.4 * unif())),
                            "客户访谈估算 estimate from the annual review", &w);
    }
    int64_t ly = 0;
    if (!rc && !(rc = db_prepare(ctx->db,
                                 "SELECT COALESCE(SUM(amount), 0) FROM sales_monthly_dim WHERE "
                                 "month >= ? AND month <= ?",
                                 &st, ctx->err))) {
        db_bind_i64(st, 1, (y - 1) * 100 + 1);
        db_bind_i64(st, 2, (y - 1) * 100 + 12);
        rc = db_step(st, &row, ctx->err);
        ly = row ? db_col_i64(st, 0) : 0;
        db_done(st);
    }
    if (rc)
        return rc;
    char name[96], deadline[24];
    struct target_in in = {0};
    in.set = TP_YEAR | TP_NAME | TP_TOTAL | TP_DIMS | TP_BASIS | TP_BLEND | TP_SPECIFIC |
             TP_MEASURABLE | TP_ACHIEVABLE | TP_RELEVANT | TP_DEADLINE | TP_OWNER;
    in.year = y;
    snprintf(name, sizeof name, "%d 年度上量目标 Volume plan", y);
    in.name = name;
    in.total = ly / 100 * 108 / 100;
    in.dims = "account,family,month";
    in.basis = "blend";
    in.blend = "last_year:60,forecast:40";
    in.specific = "大客户销售额同比增长8% Grow key-account revenue 8% year on year";
    in.measurable = "按月开票金额 Monthly invoiced amount in CNY";
    in.achievable =
        "预测显示自然增长约5%，新增交叉销售补足 Forecast shows ~5%; cross-selling closes "
        "the gap";
    in.relevant = "前五十大客户贡献八成收入 The top fifty accounts bring 80% of revenue";
    snprintf(deadline, sizeof deadline, "%d-12-31", y);
    in.deadline = deadline;
    in.owner_id = director;
    struct target_plan p;
    int64_t plan_id = 0;
    /* The director writes and submits the plan; the general manager approves it (separation
     * of duties: nobody approves their own plan). */
    int64_t gm = 0;
    struct principal system = ctx->who;
    ctx->who.user_id = director;
    ctx->who.role = ROLE_DIRECTOR;
    if (!(rc = db_query_i64(ctx->db, "SELECT id FROM users WHERE login = 'gm'", 0, 0, &gm,
                            ctx->err)) &&
        !(rc = target_create(ctx, &in, &p)) && !(rc = target_decompose(ctx, p.id, NULL, &p)) &&
        !(rc = target_submit(ctx, p.id, &p))) {
        ctx->who.user_id = gm;
        rc = target_approve(ctx, p.id, "年度规划会议通过 approved at the planning meeting", &p);
    }
    plan_id = p.id;
    /* Next year's draft, written by the director too (so the director cannot approve it). */
    ctx->who = system;
    ctx->who.user_id = director;
    ctx->who.role = ROLE_DIRECTOR;
    if (!rc) {
        in.year = y + 1;
        snprintf(name, sizeof name, "%d 年度上量目标（草案）Volume plan draft", y + 1);
        in.total = ly / 100 * 118 / 100;
        in.dims = "family,region,month";
        in.basis = "forecast";
        in.set &= ~(unsigned)TP_BLEND;
        in.blend = NULL;
        snprintf(deadline, sizeof deadline, "%d-12-31", y + 1);
        if (!(rc = target_create(ctx, &in, &p)))
            rc = target_decompose(ctx, p.id, NULL, &p);
    }
    ctx->who = system;
    /* Measures on the first accounts of this year's plan. */
    static const struct {
        const char *kind, *title, *status;
        int start_month, months;
        int64_t uplift;
    } ms[] = {
        {"promotion", "季度返利促销 Quarterly rebate promotion", "done", 4, 3, 300000},
        {"product", "新型精密轴承试用 Spindle bearing trial", "in_progress", 9, 4, 500000},
        {"channel", "授权分销商覆盖华西 Distributor coverage in the west", "planned", 12, 3,
         800000},
        {"price", "液压件阶梯价 Tiered pricing for hydraulics", "done", 2, 5, 200000},
    };
    for (size_t i = 0; i < sizeof ms / sizeof ms[0] && !rc && n > 0; i++) {
        struct measure_in mi = {0};
        char start[24], due[24];
        int em = ms[i].start_month + ms[i].months - 1;
        snprintf(start, sizeof start, "%d-%02d-01", y, ms[i].start_month);
        snprintf(due, sizeof due, "%d-%02d-28", em > 12 ? y + 1 : y, em > 12 ? em - 12 : em);
        mi.set = MS_PLAN | MS_ACCOUNT | MS_KIND | MS_TITLE | MS_OWNER | MS_START | MS_DUE |
                 MS_STATUS | MS_UPLIFT;
        mi.plan_id = plan_id;
        mi.has_plan = 1;
        mi.account_id = ids[i % (size_t)n];
        mi.has_account = 1;
        mi.kind = ms[i].kind;
        mi.title = ms[i].title;
        mi.owner_id = director;
        mi.start = start;
        mi.due = due;
        mi.status = ms[i].status;
        mi.expected_uplift = ms[i].uplift;
        struct measure out;
        rc = measure_create(ctx, &mi, &out);
    }
    int nseries;
    if (!rc)
        rc = outlook_refresh(ctx, &nseries);
    return rc;
}
