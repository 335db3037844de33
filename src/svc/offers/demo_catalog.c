/* demo_catalog.c -- the catalogue's demo data (catalog.h). */
#include "demo_catalog.h"

#include <string.h>

#include "catalog.h"
#include "price.h"
#include "store/db.h"
#include "svc/core/audit.h"
#include "svc/core/rows.h"

/* The margin of each demo product (basis points of its list price): 20-45 %. */
static const struct {
    const char *sku;
    int margin_bp;
} costs[] = {
    {"BRG-100", 3500}, {"BRG-220", 3000}, {"BRG-900", 4500}, {"HYD-PMP", 2500}, {"HYD-VLV", 2800},
    {"SNS-PRS", 4000}, {"SNS-TMP", 4200}, {"CTL-PLC", 2000}, {"CTL-HMI", 3200}, {"SVC-MNT", 4500},
};

/* svc/offers does not include the volume chapter: the cost is written here, audited as the
 * product service audits it (entity product, field unit_cost). */
static enum kam_err unit_costs(struct kam_ctx *ctx)
{
    for (size_t i = 0; i < sizeof costs / sizeof costs[0]; i++) {
        struct db_stmt *st;
        enum kam_err rc = db_prepare(ctx->db,
                                     "SELECT id, list_price, unit_cost FROM products WHERE sku = "
                                     "? AND list_price IS NOT NULL",
                                     &st, ctx->err);
        if (rc)
            return rc;
        db_bind_text(st, 1, costs[i].sku);
        int row = 0, had = 0;
        int64_t id = 0, list = 0, before = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row) {
            id = db_col_i64(st, 0);
            list = db_col_i64(st, 1);
            had = !db_col_is_null(st, 2);
            before = had ? db_col_i64(st, 2) : 0;
        }
        db_done(st);
        if (rc)
            return rc;
        if (!row) /* a demo without that product */
            continue;
        int64_t cost = price_discount(list, costs[i].margin_bp);
        if ((rc = db_prepare(ctx->db,
                             "UPDATE products SET unit_cost = ?, version = version + 1, "
                             "updated_at = ? WHERE id = ?",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, cost);
        db_bind_i64(st, 2, ctx->now);
        db_bind_i64(st, 3, id);
        if ((rc = db_run(st, ctx->err)))
            return rc;
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_i64(&d, "unit_cost", before, !had, cost, 0);
        if ((rc = audit_write(ctx, "product", id, 0, "update", &d)))
            return rc;
    }
    return KAM_OK;
}

struct demo_bundle {
    const char *code, *name, *description;
    int64_t price;
    struct {
        const char *sku;
        int64_t quantity;
    } items[4];
};

static const struct demo_bundle bundles[] = {
    {"KIT-START",
     "传感器入门套装 Sensor starter kit",
     "压力传感器与温度传感器各两只，适合产线试点。",
     90000,
     {{"SNS-PRS", 2000}, {"SNS-TMP", 2000}}},
    {"KIT-HYD",
     "液压动力单元 Hydraulic power pack",
     "液压泵一台、比例阀两只及压力传感器一只，整套调试。",
     700000,
     {{"HYD-PMP", 1000}, {"HYD-VLV", 2000}, {"SNS-PRS", 1000}}},
    {"KIT-CTRL",
     "控制柜套装 Control cabinet set",
     "PLC 与触摸屏各一台，含一年维保（12 小时）。",
     1500000,
     {{"CTL-PLC", 1000}, {"CTL-HMI", 1000}, {"SVC-MNT", 12000}}},
};

static enum kam_err make_bundle(struct kam_ctx *ctx, const struct demo_bundle *d)
{
    struct bundle_item_in items[4];
    int n = 0;
    for (int i = 0; i < 4 && d->items[i].sku; i++) {
        int64_t id = 0;
        enum kam_err rc =
            row_i64_text(ctx, "SELECT id FROM products WHERE sku = ?", d->items[i].sku, &id);
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            return KAM_OK; /* a demo without that product: no bundle */
        }
        if (rc)
            return rc;
        items[n++] = (struct bundle_item_in){
            .set = 1 | 4, .product_id = id, .quantity = d->items[i].quantity};
    }
    struct bundle_in in = {.set = BU_CODE | BU_NAME | BU_DESC | BU_CURRENCY | BU_PRICE | BU_ITEMS,
                           .items = items,
                           .nitems = n};
    in.v.code = d->code;
    in.v.name = d->name;
    in.v.description = d->description;
    in.v.currency = "CNY";
    in.v.price = d->price;
    struct bundle out;
    return bundle_create(ctx, &in, &out);
}

static const struct {
    const char *code, *kind, *name, *unit;
    int64_t price, cost;
    const char *sla;
} services[] = {
    {"SV-PRE-SURVEY", "presales", "现场工况勘察 On-site survey", "visit", 300000, 180000,
     "下单前免费一次；工程师 5 个工作日内到场，提交勘察报告。"},
    {"SV-PRE-DESIGN", "presales", "方案设计 Solution design", "day", 500000, 320000,
     "按人天计费；方案 10 个工作日内交付，含两轮修改。"},
    {"SV-AFT-GOLD", "aftersales", "金牌售后 Gold after-sales", "year", 4800000, 3000000,
     "售后 4 小时响应，24 小时到场；备件优先发货。"},
    {"SV-AFT-STD", "aftersales", "标准售后 Standard after-sales", "year", 1800000, 1100000,
     "售后 8 小时响应，48 小时到场（工作日）。"},
    {"SV-SUP-REMOTE", "support", "远程技术支持 Remote support", "month", 200000, 90000,
     "7×24 热线，远程诊断 2 小时内响应。"},
    {"SV-SUP-HOUR", "support", "工程师驻场 Engineer on site", "hour", 60000, 35000,
     "提前 2 个工作日预约；不足 1 小时按 1 小时计。"},
    {"SV-TRN-BASIC", "training", "操作培训 Operator training", "day", 400000, 220000,
     "每期最多 12 人，含教材与结业证书。"},
    {"SV-TRN-ADV", "training", "维修工程师培训 Maintenance training", "each", 1200000, 800000,
     "三天课程，含实操考核；课后 30 天内答疑。"},
};

enum kam_err catalog_demo(struct kam_ctx *ctx)
{
    enum kam_err rc = unit_costs(ctx);
    for (size_t i = 0; !rc && i < sizeof bundles / sizeof bundles[0]; i++)
        rc = make_bundle(ctx, &bundles[i]);
    for (size_t i = 0; !rc && i < sizeof services / sizeof services[0]; i++) {
        struct service_item_in in = {.set = SI_CODE | SI_KIND | SI_NAME | SI_UNIT | SI_PRICE |
                                            SI_CURRENCY | SI_COST | SI_SLA};
        in.v.code = services[i].code;
        in.v.kind = services[i].kind;
        in.v.name = services[i].name;
        in.v.unit = services[i].unit;
        in.v.price = services[i].price;
        in.v.currency = "CNY";
        in.v.unit_cost = services[i].cost;
        in.v.has_unit_cost = 1;
        in.v.sla = services[i].sla;
        struct service_item out;
        rc = service_item_create(ctx, &in, &out);
    }
    return rc;
}
