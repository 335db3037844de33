/* catalog.c -- /api/v1/bundles and /api/v1/service-items (issue 15 item 4): decode, call
 * svc/offers/catalog, render. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/offers/catalog.h"
#include "svc/offers/price.h"

const struct api_shape api_shapes_catalog[] = {
    {"Bundle",
     "id:int code:str name:str description:str currency:str price:int active:bool "
     "items:[{product_id:int sku:str name:str unit:str quantity:num list_price:int? "
     "list_currency:str}] components_list_total:int? saving:int? version:int created_at:ts "
     "updated_at:ts"},
    {"BundleQuote",
     "bundle_id:int code:str name:str account_id:int date:date quantity:num currency:str "
     "unit_price:int amount:int components:[{product_id:int sku:str name:str quantity:num "
     "found:bool engine_price:int? amount:int?}] components_total:int? saving:int?"},
    {"ServiceItem", "id:int code:str kind:str(presales|aftersales|support|training) name:str "
                    "unit:str(hour|day|visit|month|year|each) price:int currency:str "
                    "unit_cost:int? margin_bp:int? sla:str active:bool version:int "
                    "created_at:ts updated_at:ts"},
    {NULL, NULL},
};

/* ---- shared ---- */

static enum kam_err filters(struct api_call *c, struct catalog_query *q)
{
    memset(q, 0, sizeof *q);
    q->q = api_query_str(c, "q");
    q->kind = api_query_str(c, "kind");
    q->sort = api_query_str(c, "sort");
    q->cursor = api_query_str(c, "cursor");
    int64_t active = -1;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q->limit)) ||
        (rc = api_query_i64(c, "active", -1, &active)))
        return rc;
    if (http_query(c->req, "limit") && q->limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    if (active < -1 || active > 1 || (http_query(c->req, "active") && active < 0))
        return kam_fail(c->ctx->err, KAM_EINVAL, "active", "active must be 0 or 1");
    q->active = (int)active;
    return KAM_OK;
}

static void render_total(struct api_call *c, int64_t total)
{
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "total", total);
    jw_obj_end(&c->w);
}

/* ---- bundles ---- */

#define BIF(f) offsetof(struct bundle_item_in, f)
static const struct jfield bundle_item_spec[] = {
    {"product_id", J_I64, 1, BIF(product_id), 0, 0, 0, "the product (or sku)"},
    {"sku", J_STR, 2, BIF(sku), 0, 0, 0, "the product's SKU (or product_id)"},
    {"quantity", J_DEC3, 4, BIF(quantity), 0, 0, 0,
     "per bundle, in the product's unit (up to 3 decimals)", 1},
    {0},
};

#define BUF(f) offsetof(struct bundle_in, v.f)
static const struct jfield bundle_spec[] = {
    {"code", J_STR, BU_CODE, BUF(code), 0, 0, 0, "unique, 1-64 characters", 1},
    {"name", J_STR, BU_NAME, BUF(name), 0, 0, 0, "1-200 characters", 1},
    {"description", J_STR, BU_DESC, BUF(description), 0, 0, 1, "<= 2000 characters"},
    {"currency", J_STR, BU_CURRENCY, BUF(currency), 0, 0, 0,
     "the base currency or one with an exchange rate", 1},
    {"price", J_I64, BU_PRICE, BUF(price), 0, 0, 0, "one bundle, minor units of currency", 1},
    {"active", J_BOOL, BU_ACTIVE, BUF(active), 0, 0, 0, "default true"},
    {"items", J_OBJS, BU_ITEMS, offsetof(struct bundle_in, items),
     offsetof(struct bundle_in, nitems), sizeof(struct bundle_item_in), 0,
     "the components, 1..50, a product once (PATCH: replaced whole when given)", 1,
     bundle_item_spec, BUNDLE_ITEMS_MAX},
    {"version", J_I64, BU_VERSION, BUF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

static void render_bundle(struct jw *w, const struct bundle *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "code", x->code);
    jw_kstr(w, "name", x->name);
    jw_kstr(w, "description", x->description);
    jw_kstr(w, "currency", x->currency);
    jw_ki64(w, "price", x->price);
    jw_kbool(w, "active", x->active);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < x->nitems; i++) {
        const struct bundle_item *it = &x->items[i];
        jw_obj_begin(w);
        jw_ki64(w, "product_id", it->product_id);
        jw_kstr(w, "sku", it->sku);
        jw_kstr(w, "name", it->name);
        jw_kstr(w, "unit", it->unit);
        jw_kfixed(w, "quantity", it->quantity, 3);
        jw_ki64n(w, "list_price", it->list_price, !it->has_list_price);
        jw_kstr(w, "list_currency", it->currency);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ki64n(w, "components_list_total", x->components_list_total, !x->has_list_total);
    jw_ki64n(w, "saving", x->components_list_total - x->price, !x->has_list_total);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static enum kam_err bu_list(struct api_call *c)
{
    struct catalog_query q;
    struct bundle *items;
    size_t n;
    const char *next;
    enum kam_err rc = filters(c, &q);
    if (rc || (rc = bundle_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_bundle(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err bu_count(struct api_call *c)
{
    struct catalog_query q;
    int64_t total = 0;
    enum kam_err rc = filters(c, &q);
    if (rc || (rc = bundle_count(c->ctx, &q, &total)))
        return rc;
    render_total(c, total);
    return KAM_OK;
}

static enum kam_err bu_create(struct api_call *c)
{
    struct bundle_in in = {0};
    enum kam_err rc = api_decode(c, bundle_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & BU_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct bundle out;
    if ((rc = bundle_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_bundle(&c->w, &out);
    return KAM_OK;
}

static enum kam_err bu_get(struct api_call *c)
{
    struct bundle out;
    enum kam_err rc = bundle_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_bundle(&c->w, &out);
    return rc;
}

static enum kam_err bu_patch(struct api_call *c)
{
    struct bundle_in in = {0};
    enum kam_err rc = api_decode(c, bundle_spec, &in, &in.set);
    if (rc)
        return rc;
    struct bundle out;
    if ((rc = bundle_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_bundle(&c->w, &out);
    return KAM_OK;
}

static enum kam_err bu_del(struct api_call *c)
{
    enum kam_err rc = bundle_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err bu_quote(struct api_call *c)
{
    int64_t account = 0, qty = 0;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "account_id", 0, &account)) ||
        (rc = api_query_dec3(c, "quantity", 1000, &qty)))
        return rc;
    if (account <= 0)
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "account_id", "required",
                            (struct kam_param[]){{"field", "account_id"}, {0}},
                            "account_id is required");
    struct bundle_quote q;
    if ((rc = bundle_quote(c->ctx, c->id[0], account, api_query_str(c, "date"), qty,
                           api_query_str(c, "currency"), &q)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "bundle_id", q.bundle_id);
    jw_kstr(w, "code", q.code);
    jw_kstr(w, "name", q.name);
    jw_ki64(w, "account_id", q.account_id);
    jw_kstr(w, "date", q.date);
    jw_kfixed(w, "quantity", q.quantity, 3);
    jw_kstr(w, "currency", q.currency);
    jw_ki64(w, "unit_price", q.unit_price);
    jw_ki64(w, "amount", q.amount);
    jw_key(w, "components");
    jw_arr_begin(w);
    for (int i = 0; i < q.nlines; i++) {
        const struct bundle_quote_line *l = &q.lines[i];
        jw_obj_begin(w);
        jw_ki64(w, "product_id", l->product_id);
        jw_kstr(w, "sku", l->sku);
        jw_kstr(w, "name", l->name);
        jw_kfixed(w, "quantity", l->quantity, 3);
        jw_kbool(w, "found", l->found);
        jw_ki64n(w, "engine_price", l->engine_price, !l->found);
        jw_ki64n(w, "amount", l->amount, !l->found);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ki64n(w, "components_total", q.components_total, !q.has_total);
    jw_ki64n(w, "saving", q.saving, !q.has_total);
    jw_obj_end(w);
    return KAM_OK;
}

/* ---- service items ---- */

#define SIF(f) offsetof(struct service_item_in, v.f)
static const struct jfield service_spec[] = {
    {"code", J_STR, SI_CODE, SIF(code), 0, 0, 0, "unique, 1-64 characters", 1},
    {"kind", J_STR, SI_KIND, SIF(kind), 0, 0, 0, "presales | aftersales | support | training", 1},
    {"name", J_STR, SI_NAME, SIF(name), 0, 0, 0, "1-200 characters", 1},
    {"unit", J_STR, SI_UNIT, SIF(unit), 0, 0, 0, "hour | day | visit | month | year | each", 1},
    {"price", J_I64, SI_PRICE, SIF(price), 0, 0, 0, "one unit, minor units of currency", 1},
    {"currency", J_STR, SI_CURRENCY, SIF(currency), 0, 0, 0,
     "the base currency or one with an exchange rate", 1},
    {"unit_cost", J_I64, SI_COST, SIF(unit_cost), SIF(has_unit_cost), 0, 1,
     "our cost of one unit (minor units of currency), or null"},
    {"sla", J_STR, SI_SLA, SIF(sla), 0, 0, 1, "the service terms, <= 500 characters"},
    {"active", J_BOOL, SI_ACTIVE, SIF(active), 0, 0, 0, "default true"},
    {"version", J_I64, SI_VERSION, SIF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

static void render_service(struct jw *w, const struct service_item *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "code", x->code);
    jw_kstr(w, "kind", x->kind);
    jw_kstr(w, "name", x->name);
    jw_kstr(w, "unit", x->unit);
    jw_ki64(w, "price", x->price);
    jw_kstr(w, "currency", x->currency);
    jw_ki64n(w, "unit_cost", x->unit_cost, !x->has_unit_cost);
    /* (price - cost) / price in basis points, rounded half away from zero */
    int ovf = 0, margin = x->has_unit_cost && x->price > 0;
    int64_t m = margin ? price_muldiv(x->price - x->unit_cost, 10000, x->price, &ovf) : 0;
    jw_ki64n(w, "margin_bp", m, !margin || ovf);
    jw_kstr(w, "sla", x->sla);
    jw_kbool(w, "active", x->active);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static enum kam_err si_list(struct api_call *c)
{
    struct catalog_query q;
    struct service_item *items;
    size_t n;
    const char *next;
    enum kam_err rc = filters(c, &q);
    if (rc || (rc = service_item_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_service(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err si_count(struct api_call *c)
{
    struct catalog_query q;
    int64_t total = 0;
    enum kam_err rc = filters(c, &q);
    if (rc || (rc = service_item_count(c->ctx, &q, &total)))
        return rc;
    render_total(c, total);
    return KAM_OK;
}

static enum kam_err si_create(struct api_call *c)
{
    struct service_item_in in = {0};
    enum kam_err rc = api_decode(c, service_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & SI_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct service_item out;
    if ((rc = service_item_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_service(&c->w, &out);
    return KAM_OK;
}

static enum kam_err si_get(struct api_call *c)
{
    struct service_item out;
    enum kam_err rc = service_item_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_service(&c->w, &out);
    return rc;
}

static enum kam_err si_patch(struct api_call *c)
{
    struct service_item_in in = {0};
    enum kam_err rc = api_decode(c, service_spec, &in, &in.set);
    if (rc)
        return rc;
    struct service_item out;
    if ((rc = service_item_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_service(&c->w, &out);
    return KAM_OK;
}

static enum kam_err si_del(struct api_call *c)
{
    enum kam_err rc = service_item_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static const char *const bu_list_query[] = {"q", "active", "sort", "limit", "cursor", NULL};
static const char *const bu_count_query[] = {"q", "active", NULL};
static const char *const si_list_query[] = {"q", "kind", "active", "sort", "limit", "cursor", NULL};
static const char *const si_count_query[] = {"q", "kind", "active", NULL};
static const char *const quote_query[] = {"account_id", "date", "quantity", "currency", NULL};

const struct route api_routes_catalog[] = {
    {"GET", "/api/v1/bundles", bu_list, OBJ_CATALOG, ACT_READ, SCOPE_NONE, NULL, bu_list_query, 200,
     "Bundles with their components: q (code or name), active (0|1); sort id | code | name ('-' "
     "descending); keyset paging",
     "[Bundle]"},
    {"GET", "/api/v1/bundles/count", bu_count, OBJ_CATALOG, ACT_READ, SCOPE_NONE, NULL,
     bu_count_query, 200, "The number of bundles the list returns for the same filters",
     "{total:int}"},
    {"POST", "/api/v1/bundles", bu_create, OBJ_CATALOG, ACT_CREATE, SCOPE_NONE, bundle_spec, NULL,
     201, "Create a bundle (products sold together at one price) with its components", "Bundle"},
    {"GET", "/api/v1/bundles/:id", bu_get, OBJ_CATALOG, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "One bundle with its components, their list prices and the saving against them", "Bundle"},
    {"PATCH", "/api/v1/bundles/:id", bu_patch, OBJ_CATALOG, ACT_UPDATE, SCOPE_NONE, bundle_spec,
     NULL, 200, "Change a bundle; items, when given, replace its components whole", "Bundle"},
    {"DELETE", "/api/v1/bundles/:id", bu_del, OBJ_CATALOG, ACT_DELETE, SCOPE_NONE, NULL, NULL, 204,
     "Delete a bundle no offer line uses (else 409 catalog.in_use: deactivate it)", "-"},
    {"GET", "/api/v1/bundles/:id/quote", bu_quote, OBJ_CATALOG, ACT_READ, SCOPE_NONE, NULL,
     quote_query, 200,
     "A bundle priced for an account: account_id (required; one the caller may not read answers "
     "404), date (default today in China), quantity (bundles, default 1, up to 3 decimals), "
     "currency (default the bundle's): the bundle's price converted, and each component at the "
     "price engine's price for that account, date and quantity, with the saving",
     "BundleQuote"},
    {"GET", "/api/v1/service-items", si_list, OBJ_CATALOG, ACT_READ, SCOPE_NONE, NULL,
     si_list_query, 200,
     "Service items (service plans): q (code or name), kind, active (0|1); sort id | code | "
     "name; keyset paging",
     "[ServiceItem]"},
    {"GET", "/api/v1/service-items/count", si_count, OBJ_CATALOG, ACT_READ, SCOPE_NONE, NULL,
     si_count_query, 200, "The number of service items the list returns for the same filters",
     "{total:int}"},
    {"POST", "/api/v1/service-items", si_create, OBJ_CATALOG, ACT_CREATE, SCOPE_NONE, service_spec,
     NULL, 201, "Create a service item", "ServiceItem"},
    {"GET", "/api/v1/service-items/:id", si_get, OBJ_CATALOG, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "One service item", "ServiceItem"},
    {"PATCH", "/api/v1/service-items/:id", si_patch, OBJ_CATALOG, ACT_UPDATE, SCOPE_NONE,
     service_spec, NULL, 200, "Change a service item", "ServiceItem"},
    {"DELETE", "/api/v1/service-items/:id", si_del, OBJ_CATALOG, ACT_DELETE, SCOPE_NONE, NULL, NULL,
     204, "Delete a service item no offer line uses (else 409 catalog.in_use: deactivate it)", "-"},
    {0},
};
