/* sales.c -- /api/v1/products, /fx-rates, /orders, /imports, /accounts/:id/wallet. */
#include <stddef.h>
#include <string.h>

#include "api/core/internal.h"
#include "base/timeutil.h"
#include "svc/core/page.h"
#include "svc/volume/import.h"
#include "svc/volume/insight.h"
#include "svc/volume/product.h"
#include "svc/volume/sales.h"

/* ---- products ---- */

/* The response shapes of this file (the field DSL of api/core/internal.h). Times (ts) are ISO
 * 8601 strings ("2026-03-01T08:00:00Z", jw_ktime); Money (accounts.c) is {amount, currency}
 * with the amount in minor units of its currency; amount_base and wallet amounts are minor
 * units of the base currency. */
const struct api_shape api_shapes_sales[] = {
    {"Product", "id:int sku:str name:str family:str unit:str list_price:Money? active:bool "
                "unit_cost:int? version:int created_at:ts updated_at:ts"},
    {"FxRates", "base_currency:str items:[FxRate]"},
    {"FxRate", "currency:str rate_micro:int updated_at:ts"},
    {"OrderLine", "id:int external_id:str date:date account_id:int account_name:str "
                  "product_id:int sku:str product_name:str family:str region:str channel:str "
                  "quantity:num amount:Money amount_base:int import_id:int? created_at:ts "
                  "updated_at:ts price_check:str(ok|below|unpriced)? price_reason:str? "
                  "engine_amount:int?"},
    {"ImportReport", "id:int? kind:str(orders|products|accounts|invoices|payments) "
                     "status:str(loaded|rejected|checked) rows_total:int rows_inserted:int "
                     "rows_updated:int rows_rejected:int problems:[ImportProblem] "
                     "problems_total:int started_at:ts finished_at:ts filename:str "
                     "user_id:int? user_name:str format:str encoding:str detected:str "
                     "sheet:str price_below?:int price_unpriced?:int prices?:[ImportPrice]"},
    {"ImportPrice", "row:int external_id:str check:str(below|unpriced) amount:Money "
                    "engine_amount:int?"},
    {"ImportProblem", "row:int column:str reason:str key?:str params?:obj"},
    {"WalletEstimate", "account_id:int year:int amount:int note:str updated_by:int? "
                       "updated_at:ts"},
    {NULL, NULL},
};

static void render_product(struct jw *w, const struct product *p)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", p->id);
    jw_kstr(w, "sku", p->sku);
    jw_kstr(w, "name", p->name);
    jw_kstr(w, "family", p->family);
    jw_kstr(w, "unit", p->unit);
    jw_key(w, "list_price");
    if (p->has_list_price) {
        jw_obj_begin(w);
        jw_ki64(w, "amount", p->list_price);
        jw_kstr(w, "currency", p->currency);
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
    jw_kbool(w, "active", p->active);
    jw_ki64n(w, "unit_cost", p->unit_cost, !p->has_unit_cost);
    jw_ki64(w, "version", p->version);
    jw_ktime(w, "created_at", p->created_at);
    jw_ktime(w, "updated_at", p->updated_at);
    jw_obj_end(w);
}

static const struct jfield product_spec[] = {
    {"sku", J_STR, PROD_SKU, offsetof(struct product_in, sku), 0, 0, 0, "unique, 1-64"},
    {"name", J_STR, PROD_NAME, offsetof(struct product_in, name), 0, 0, 0, "1-200"},
    {"family", J_STR, PROD_FAMILY, offsetof(struct product_in, family), 0, 0, 0,
     "product family, 1-64: the product dimension of rollups and targets"},
    {"unit", J_STR, PROD_UNIT, offsetof(struct product_in, unit), 0, 0, 0, "<= 20"},
    {"list_price", J_MONEY, PROD_PRICE, offsetof(struct product_in, list_price),
     offsetof(struct product_in, currency), offsetof(struct product_in, has_list_price), 1,
     "minor units"},
    {"active", J_BOOL, PROD_ACTIVE, offsetof(struct product_in, active), 0, 0, 0, ""},
    {"unit_cost", J_I64, PROD_COST, offsetof(struct product_in, unit_cost),
     offsetof(struct product_in, has_unit_cost), 0, 1,
     "our cost of one unit, minor units of the product's currency (margins), or null"},
    {"version", J_I64, PROD_VERSION, offsetof(struct product_in, version), 0, 0, 0,
     "the version you read (PATCH): 409 if it changed"},
    {0},
};

static enum kam_err products_list(struct api_call *c)
{
    struct product_query q = {0};
    q.q = api_query_str(c, "q");
    q.family = api_query_str(c, "family");
    q.sort = api_query_str(c, "sort");
    q.cursor = api_query_str(c, "cursor");
    int64_t active = -1;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) ||
        (rc = api_query_i64(c, "active", -1, &active)))
        return rc;
    if (active < -1 || active > 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "active", "active must be 0 or 1");
    q.active = (int)active;
    struct product *items;
    size_t n;
    const char *next;
    if ((rc = product_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_product(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err products_create(struct api_call *c)
{
    struct product_in in = {0};
    enum kam_err rc = api_decode(c, product_spec, &in, &in.set);
    if (rc)
        return rc;
    struct product p;
    if ((rc = product_create(c->ctx, &in, &p)))
        return rc;
    c->status = 201;
    render_product(&c->w, &p);
    return KAM_OK;
}

static enum kam_err products_get(struct api_call *c)
{
    struct product p;
    enum kam_err rc = product_get(c->ctx, c->id[0], &p);
    if (!rc)
        render_product(&c->w, &p);
    return rc;
}

static enum kam_err products_patch(struct api_call *c)
{
    struct product_in in = {0};
    enum kam_err rc = api_decode(c, product_spec, &in, &in.set);
    if (rc)
        return rc;
    struct product p;
    if ((rc = product_update(c->ctx, c->id[0], &in, &p)))
        return rc;
    render_product(&c->w, &p);
    return KAM_OK;
}

static enum kam_err families(struct api_call *c)
{
    const char **items;
    size_t n;
    enum kam_err rc = product_families(c->ctx, &items, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        jw_str(&c->w, items[i]);
    api_list_end(c, NULL);
    return KAM_OK;
}

/* ---- exchange rates ---- */

static enum kam_err fx_get(struct api_call *c)
{
    const char *base;
    struct fx_rate *items;
    size_t n;
    enum kam_err rc = fx_list(c->ctx, &base, &items, &n);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    jw_kstr(&c->w, "base_currency", base);
    jw_key(&c->w, "items");
    jw_arr_begin(&c->w);
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(&c->w);
        jw_kstr(&c->w, "currency", items[i].currency);
        jw_ki64(&c->w, "rate_micro", items[i].rate_micro);
        jw_ktime(&c->w, "updated_at", items[i].updated_at);
        jw_obj_end(&c->w);
    }
    jw_arr_end(&c->w);
    jw_obj_end(&c->w);
    return KAM_OK;
}

struct fx_in {
    const char *currency;
    int64_t rate_micro;
};

static const struct jfield fx_spec[] = {
    {"currency", J_STR, 1, offsetof(struct fx_in, currency), 0, 0, 0, "ISO 4217, not the base"},
    {"rate_micro", J_I64, 2, offsetof(struct fx_in, rate_micro), 0, 0, 0,
     "base currency per unit x 1,000,000"},
    {0},
};

static enum kam_err fx_put(struct api_call *c)
{
    struct fx_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, fx_spec, &in, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail(c->ctx->err, KAM_EINVAL, "currency", "currency is required");
    if (!(set & 2))
        return kam_fail(c->ctx->err, KAM_EINVAL, "rate_micro", "rate_micro is required");
    if ((rc = fx_set(c->ctx, in.currency, in.rate_micro)))
        return rc;
    return fx_get(c);
}

/* ---- order lines ---- */

static void render_line(struct jw *w, const struct order_line *l)
{
    char date[16];
    int y, m, d;
    days_to_date(l->day, &y, &m, &d);
    snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
    jw_obj_begin(w);
    jw_ki64(w, "id", l->id);
    jw_kstr(w, "external_id", l->external_id);
    jw_kstr(w, "date", date);
    jw_ki64(w, "account_id", l->account_id);
    jw_kstr(w, "account_name", l->account_name);
    jw_ki64(w, "product_id", l->product_id);
    jw_kstr(w, "sku", l->sku);
    jw_kstr(w, "product_name", l->product_name);
    jw_kstr(w, "family", l->family);
    jw_kstr(w, "region", l->region);
    jw_kstr(w, "channel", l->channel);
    jw_kfixed(w, "quantity", l->quantity, 3);
    jw_key(w, "amount");
    jw_obj_begin(w);
    jw_ki64(w, "amount", l->amount);
    jw_kstr(w, "currency", l->currency);
    jw_obj_end(w);
    jw_ki64(w, "amount_base", l->amount_base);
    jw_ki64n(w, "import_id", l->import_id, !l->import_id);
    jw_ktime(w, "created_at", l->created_at);
    jw_ktime(w, "updated_at", l->updated_at);
    jw_key(w, "price_check");
    l->price_check ? jw_str(w, l->price_check) : jw_null(w);
    jw_key(w, "price_reason");
    l->price_reason ? jw_str(w, l->price_reason) : jw_null(w);
    jw_ki64n(w, "engine_amount", l->engine_amount, !l->has_engine_amount);
    jw_obj_end(w);
}

struct line_in {
    struct order_in o;
    int has_amount;
};

static const struct jfield line_spec[] = {
    {"external_id", J_STR, ORD_EXTERNAL_ID, offsetof(struct order_in, external_id), 0, 0, 0,
     "the ERP's line id, unique, 1-100"},
    {"date", J_STR, ORD_DATE, offsetof(struct order_in, date), 0, 0, 0, "YYYY-MM-DD"},
    {"account_id", J_I64, ORD_ACCOUNT, offsetof(struct order_in, account_id), 0, 0, 0, ""},
    {"sku", J_STR, ORD_SKU, offsetof(struct order_in, sku), 0, 0, 0, "a known product"},
    {"region", J_STR, ORD_REGION, offsetof(struct order_in, region), 0, 0, 0,
     "<= 64; default: the account's"},
    {"channel", J_STR, ORD_CHANNEL, offsetof(struct order_in, channel), 0, 0, 0,
     "<= 64; default: the account's"},
    {"quantity", J_DEC3, ORD_QUANTITY, offsetof(struct order_in, quantity), 0, 0, 0,
     "at most 3 decimals; negative for returns"},
    {"amount", J_MONEY, ORD_AMOUNT, offsetof(struct line_in, o.amount),
     offsetof(struct line_in, o.currency), offsetof(struct line_in, has_amount), 0,
     "minor units in the line's currency"},
    {"price_reason", J_STR, ORD_PRICE_REASON, offsetof(struct order_in, price_reason), 0, 0, 1,
     "why a line below the engine's price is accepted (setting prices.below_price "
     "accept_with_reason), <= 500"},
    {0},
};

static enum kam_err orders_list(struct api_call *c)
{
    struct order_query q = {0};
    q.family = api_query_str(c, "family");
    q.region = api_query_str(c, "region");
    q.channel = api_query_str(c, "channel");
    q.from = api_query_str(c, "from");
    q.to = api_query_str(c, "to");
    q.price_check = api_query_str(c, "price_check");
    q.sort = api_query_str(c, "sort");
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) ||
        (rc = api_query_i64(c, "account_id", 0, &q.account_id)) ||
        (rc = api_query_i64(c, "product_id", 0, &q.product_id)))
        return rc;
    struct order_line *items;
    size_t n;
    const char *next;
    if ((rc = order_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_line(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err orders_create(struct api_call *c)
{
    struct line_in in = {0};
    enum kam_err rc = api_decode(c, line_spec, &in, &in.o.set);
    if (rc)
        return rc;
    struct order_line l;
    if ((rc = order_create(c->ctx, &in.o, &l)))
        return rc;
    c->status = 201;
    render_line(&c->w, &l);
    return KAM_OK;
}

static enum kam_err orders_get(struct api_call *c)
{
    struct order_line l;
    enum kam_err rc = order_get(c->ctx, c->id[0], &l);
    if (!rc)
        render_line(&c->w, &l);
    return rc;
}

static enum kam_err orders_patch(struct api_call *c)
{
    struct line_in in = {0};
    enum kam_err rc = api_decode(c, line_spec, &in, &in.o.set);
    if (rc)
        return rc;
    if ((in.o.set & ORD_AMOUNT) && !in.has_amount)
        return kam_fail(c->ctx->err, KAM_EINVAL, "amount", "amount must not be null");
    struct order_line l;
    if ((rc = order_update(c->ctx, c->id[0], &in.o, &l)))
        return rc;
    render_line(&c->w, &l);
    return KAM_OK;
}

static enum kam_err orders_delete(struct api_call *c)
{
    enum kam_err rc = order_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

/* ---- imports ---- */

static void render_import(struct jw *w, const struct import_report *r)
{
    jw_obj_begin(w);
    jw_ki64n(w, "id", r->id, !r->id);
    jw_kstr(w, "kind", r->kind);
    jw_kstr(w, "status", r->status);
    jw_ki64(w, "rows_total", r->rows_total);
    jw_ki64(w, "rows_inserted", r->rows_inserted);
    jw_ki64(w, "rows_updated", r->rows_updated);
    jw_ki64(w, "rows_rejected", r->rows_rejected);
    jw_key(w, "problems");
    if (r->report_json) {
        jw_raw(w, r->report_json, strlen(r->report_json));
        jw_ki64(w, "problems_total", r->problems_total);
    } else {
        jw_arr_begin(w);
        for (size_t i = 0; i < r->nproblems; i++) {
            jw_obj_begin(w);
            jw_ki64(w, "row", r->problems[i].row);
            jw_kstr(w, "column", r->problems[i].column);
            jw_kstr(w, "reason", r->problems[i].reason);
            jw_kstr(w, "key", r->problems[i].key ? r->problems[i].key : "");
            jw_key(w, "params");
            jw_obj_begin(w);
            for (size_t k = 0; k < r->problems[i].nparams; k++)
                jw_kstr(w, r->problems[i].params[k].name, r->problems[i].params[k].value);
            jw_obj_end(w);
            jw_obj_end(w);
        }
        jw_arr_end(w);
        jw_ki64(w, "problems_total", r->problems_total);
    }
    jw_ktime(w, "started_at", r->started_at);
    jw_ktime(w, "finished_at", r->finished_at);
    jw_kstr(w, "filename", r->filename ? r->filename : "");
    jw_ki64n(w, "user_id", r->user_id, !r->user_id);
    jw_kstr(w, "user_name", r->user_name ? r->user_name : "");
    jw_kstr(w, "format", r->format ? r->format : "");
    jw_kstr(w, "encoding", r->encoding ? r->encoding : "");
    jw_kstr(w, "detected", r->detected ? r->detected : "");
    jw_kstr(w, "sheet", r->sheet ? r->sheet : "");
    if (r->has_prices) { /* the price check of the rows (docs/PRICING.md) */
        jw_ki64(w, "price_below", r->price_below);
        jw_ki64(w, "price_unpriced", r->price_unpriced);
        jw_key(w, "prices");
        jw_arr_begin(w);
        for (size_t i = 0; i < r->nprices; i++) {
            const struct import_price_row *p = &r->prices[i];
            jw_obj_begin(w);
            jw_ki64(w, "row", p->row);
            jw_kstr(w, "external_id", p->external_id);
            jw_kstr(w, "check", p->check);
            jw_key(w, "amount");
            jw_obj_begin(w);
            jw_ki64(w, "amount", p->amount);
            jw_kstr(w, "currency", p->currency);
            jw_obj_end(w);
            jw_ki64n(w, "engine_amount", p->engine_amount, !p->has_engine);
            jw_obj_end(w);
        }
        jw_arr_end(w);
    }
    jw_obj_end(w);
}

/* The import routes are ROUTE_OWN_TX: import_run reads and converts the file (an .xlsx, a
 * GBK text) before its own transaction, and the record of a file it could not read stays while
 * the request fails 400 (svc/volume/import.c record_unreadable). */
static enum kam_err import_kind(struct api_call *c, const char *kind)
{
    struct import_opts o = {0};
    o.kind = kind;
    o.mapping = api_query_str(c, "mapping");
    o.filename = api_query_str(c, "filename");
    o.encoding = api_query_str(c, "encoding");
    o.sheet = api_query_str(c, "sheet");
    int64_t dry = 0, skip = 0;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "dry_run", 0, &dry)) ||
        (rc = api_query_i64(c, "skip_bad_rows", 0, &skip)))
        return rc;
    if (dry < 0 || dry > 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "dry_run", "dry_run must be 0 or 1");
    if (skip < 0 || skip > 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "skip_bad_rows", "skip_bad_rows must be 0 or 1");
    o.dry_run = (int)dry;
    o.skip_bad_rows = (int)skip;
    const char *ct = c->req->header(c->req, "Content-Type");
    if (ct && strncmp(ct, "text/csv", 8) != 0 && strncmp(ct, "text/plain", 10) != 0 &&
        strncmp(ct, "application/octet-stream", 24) != 0 &&
        strncmp(ct, "text/tab-separated-values", 25) != 0 &&
        strncmp(ct, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 65) != 0)
        return kam_fail(c->ctx->err, KAM_EMEDIA, "Content-Type",
                        "the body must be text/csv, text/tab-separated-values or an .xlsx file");
    struct import_report r;
    rc = import_run(c->ctx, &o, c->req->body ? c->req->body : "", c->req->body_len, &r);
    if (rc && !(rc == KAM_EINVAL && strcmp(c->ctx->err->field, "file") == 0 && r.status))
        return rc;
    /* A rejected file is a result, not a failed request: 422 with the report. */
    c->status = rc ? 422 : o.dry_run ? 200 : 201;
    kam_error_clear(c->ctx->err);
    render_import(&c->w, &r);
    return KAM_OK;
}

static enum kam_err import_orders(struct api_call *c)
{
    return import_kind(c, "orders");
}

static enum kam_err import_products(struct api_call *c)
{
    return import_kind(c, "products");
}

static enum kam_err import_accounts(struct api_call *c)
{
    return import_kind(c, "accounts");
}

/* issue 16: receivables from the ERP (svc/risk/receivable.h, docs/CREDIT.md) */
static enum kam_err import_invoices(struct api_call *c)
{
    return import_kind(c, "invoices");
}

static enum kam_err import_payments(struct api_call *c)
{
    return import_kind(c, "payments");
}

static enum kam_err imports_list(struct api_call *c)
{
    struct import_query q = {0};
    q.kind = api_query_str(c, "kind");
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc = api_query_i64(c, "limit", 0, &q.limit);
    struct import_report *items;
    size_t n;
    const char *next;
    if (rc || (rc = import_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_import(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err imports_get(struct api_call *c)
{
    struct import_report r;
    enum kam_err rc = import_get(c->ctx, c->id[0], &r);
    if (!rc)
        render_import(&c->w, &r);
    return rc;
}

/* ---- wallet estimates ---- */

static void render_wallet(struct jw *w, const struct wallet_estimate *e)
{
    jw_obj_begin(w);
    jw_ki64(w, "account_id", e->account_id);
    jw_ki64(w, "year", e->year);
    jw_ki64(w, "amount", e->amount);
    jw_kstr(w, "note", e->note);
    jw_ki64n(w, "updated_by", e->updated_by, !e->has_updated_by);
    jw_ktime(w, "updated_at", e->updated_at);
    jw_obj_end(w);
}

static enum kam_err wallet_get_all(struct api_call *c)
{
    struct wallet_estimate *items;
    size_t n;
    int64_t subs = 0; /* subsidiaries=1: with the subsidiaries the caller may read, by year */
    enum kam_err rc = api_query_i64(c, "subsidiaries", 0, &subs);
    if (rc)
        return rc;
    if (subs != 0 && subs != 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "subsidiaries", "subsidiaries must be 0 or 1");
    rc = subs ? insight_group_wallet(c->ctx, c->id[0], &items, &n)
              : wallet_list(c->ctx, c->id[0], &items, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_wallet(&c->w, &items[i]);
    api_list_end(c, NULL);
    return KAM_OK;
}

struct wallet_in {
    int64_t amount;
    const char *note;
};

static const struct jfield wallet_spec[] = {
    {"amount", J_I64, 1, offsetof(struct wallet_in, amount), 0, 0, 0,
     "the account's total yearly spend in our categories, base currency minor units"},
    {"note", J_STR, 2, offsetof(struct wallet_in, note), 0, 0, 0, "source of the estimate"},
    {0},
};

static enum kam_err wallet_put(struct api_call *c)
{
    struct wallet_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, wallet_spec, &in, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail(c->ctx->err, KAM_EINVAL, "amount", "amount is required");
    struct wallet_estimate e;
    if ((rc = wallet_set(c->ctx, c->id[0], c->id[1], in.amount, in.note, &e)))
        return rc;
    render_wallet(&c->w, &e);
    return KAM_OK;
}

static enum kam_err wallet_del(struct api_call *c)
{
    enum kam_err rc = wallet_delete(c->ctx, c->id[0], c->id[1]);
    if (!rc)
        c->status = 204;
    return rc;
}

static const char *const product_query[] = {"q",      "family", "active", "sort",
                                            "cursor", "limit",  NULL};
static const char *const order_query[] = {"account_id", "product_id", "family",      "region",
                                          "channel",    "from",       "to",          "sort",
                                          "cursor",     "limit",      "price_check", NULL};
static const char *const import_query[] = {"mapping",  "filename", "dry_run", "skip_bad_rows",
                                           "encoding", "sheet",    NULL};
static const char *const wallet_query[] = {"subsidiaries", NULL};
static const char *const imports_query[] = {"kind", "cursor", "limit", NULL};

const struct route api_routes_sales[] = {
    {"GET", "/api/v1/products", products_list, OBJ_PRODUCT, ACT_READ, SCOPE_NONE, NULL,
     product_query, 200, "The product catalogue", "[Product]"},
    {"POST", "/api/v1/products", products_create, OBJ_PRODUCT, ACT_CREATE, SCOPE_NONE, product_spec,
     NULL, 201, "Add a product", "Product"},
    {"GET", "/api/v1/products/:id", products_get, OBJ_PRODUCT, ACT_READ, SCOPE_NONE, NULL, NULL,
     200, "One product", "Product"},
    {"PATCH", "/api/v1/products/:id", products_patch, OBJ_PRODUCT, ACT_UPDATE, SCOPE_NONE,
     product_spec, NULL, 200, "Change a product; a new family moves its sales history", "Product"},
    {"GET", "/api/v1/product-families", families, OBJ_PRODUCT, ACT_READ, SCOPE_NONE, NULL, NULL,
     200, "The product families in use", "[str]"},
    {"GET", "/api/v1/fx-rates", fx_get, OBJ_PRODUCT, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "The base currency and the exchange rates into it", "FxRates"},
    {"PUT", "/api/v1/fx-rates", fx_put, OBJ_PRODUCT, ACT_UPDATE, SCOPE_NONE, fx_spec, NULL, 200,
     "Set the rate of a currency (applies to lines written from now on)", "FxRates"},
    {"GET", "/api/v1/orders", orders_list, OBJ_SALES, ACT_READ, SCOPE_NONE, NULL, order_query, 200,
     "Order lines of the caller's accounts, newest first", "[OrderLine]"},
    {"POST", "/api/v1/orders", orders_create, OBJ_SALES, ACT_CREATE, SCOPE_NONE, line_spec, NULL,
     201, "Add one order line (bulk: POST /api/v1/imports/orders)", "OrderLine"},
    {"GET", "/api/v1/orders/:id", orders_get, OBJ_SALES, ACT_READ, SCOPE_ORDER, NULL, NULL, 200,
     "One order line", "OrderLine"},
    {"PATCH", "/api/v1/orders/:id", orders_patch, OBJ_SALES, ACT_UPDATE, SCOPE_ORDER, line_spec,
     NULL, 200, "Correct an order line; the rollups follow", "OrderLine"},
    {"DELETE", "/api/v1/orders/:id", orders_delete, OBJ_SALES, ACT_DELETE, SCOPE_ORDER, NULL, NULL,
     204, "Remove an order line; the rollups follow", "-"},
    {"POST", "/api/v1/imports/orders", import_orders, OBJ_IMPORT, ACT_CREATE, SCOPE_NONE,
     api_csv_body, import_query, 201,
     "Load a file of order lines (CSV or tab-separated text in UTF-8, UTF-16, GBK/GB18030 or "
     "Big5, detected unless encoding= names it; or .xlsx, its first sheet unless sheet= names "
     "one; up to 64 MiB; 200000 rows unless admin); 422 with the report when rejected",
     "ImportReport", ROUTE_OWN_TX},
    {"POST", "/api/v1/imports/products", import_products, OBJ_IMPORT, ACT_CREATE, SCOPE_NONE,
     api_csv_body, import_query, 201, "Load a CSV of products", "ImportReport", ROUTE_OWN_TX},
    {"POST", "/api/v1/imports/accounts", import_accounts, OBJ_IMPORT, ACT_CREATE, SCOPE_NONE,
     api_csv_body, import_query, 201,
     "Load a CSV of accounts (takes account create too; created, or updated by code where the "
     "caller may)",
     "ImportReport", ROUTE_OWN_TX},
    {"POST", "/api/v1/imports/invoices", import_invoices, OBJ_IMPORT, ACT_CREATE, SCOPE_NONE,
     api_csv_body, import_query, 201,
     "Load a file of invoices (invoice_no,account_code,date,due_date,amount,currency; takes "
     "receivable create for every account): a known invoice_no is updated; unapplied payments "
     "are applied to new invoices oldest first",
     "ImportReport", ROUTE_OWN_TX},
    {"POST", "/api/v1/imports/payments", import_payments, OBJ_IMPORT, ACT_CREATE, SCOPE_NONE,
     api_csv_body, import_query, 201,
     "Load a file of payments (payment_no,account_code,date,amount,currency,invoice_no?; takes "
     "receivable create for every account): applied to the invoice named, then to the oldest "
     "open invoices of the account and currency; a payment_no loaded before is skipped when "
     "identical, refused otherwise",
     "ImportReport", ROUTE_OWN_TX},
    {"GET", "/api/v1/imports", imports_list, OBJ_IMPORT, ACT_READ, SCOPE_NONE, NULL, imports_query,
     200, "Past imports, newest first", "[ImportReport]"},
    {"GET", "/api/v1/imports/:id", imports_get, OBJ_IMPORT, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "One import with its report", "ImportReport"},
    {"GET", "/api/v1/accounts/:id/wallet", wallet_get_all, OBJ_ACCOUNT, ACT_READ, SCOPE_ACCOUNT,
     NULL, wallet_query, 200,
     "Share-of-wallet estimates of the account, by year (subsidiaries=1: with its subsidiaries' "
     "the caller may read, summed by year)",
     "[WalletEstimate]"},
    {"PUT", "/api/v1/accounts/:id/wallet/:year", wallet_put, OBJ_ACCOUNT, ACT_UPDATE, SCOPE_ACCOUNT,
     wallet_spec, NULL, 200, "Set the account's wallet estimate for a year", "WalletEstimate"},
    {"DELETE", "/api/v1/accounts/:id/wallet/:year", wallet_del, OBJ_ACCOUNT, ACT_UPDATE,
     SCOPE_ACCOUNT, NULL, NULL, 204, "Remove a year's wallet estimate", "-"},
    {0},
};
