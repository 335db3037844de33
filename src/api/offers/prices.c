/* prices.c -- /api/v1/prices/quote (the price engine with its explanation) and the price
 * lists, promotions and rebates it reads (issue 15 item 1; docs/PRICING.md): decode, call
 * svc/offers, render. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/offers/price.h"
#include "svc/offers/pricing.h"
#include "svc/offers/promotion.h"

const struct api_shape api_shapes_prices[] = {
    {"PriceQuote",
     "account_id:int product_id:int date:date quantity:num found:bool unit_price:int? "
     "currency:str? amount:int? source:str(list|list_price|none) "
     "list:{id:int name:str scope:str(all|tier|group|account)}? item_id:int? break_id:int? "
     "promotion_id:int? base_price:int? base_currency:str? "
     "steps:[{kind:str(list|list_price|break|promotion|fx) id:int? name:str? "
     "effect:str(unit_price|discount|convert) value:int before:int? after:int currency:str}] "
     "skipped:[{kind:str(list|break|promotion) id:int name:str? "
     "reason:str(not_valid|inactive|outranked|not_reached|not_lower|not_best) need:int?}] "
     "skipped_more:int "
     "rebate:{id:int name:str currency:str year:int year_amount:int "
     "reached:{threshold:int rebate_bp:int}? next:{threshold:int rebate_bp:int to_go:int}?}?"},
    {"PriceList", "id:int name:str currency:str valid_from:date? valid_to:date? active:bool "
                  "scope:str(all|tier|group|account) tier:str? account_id:int? "
                  "account_name:str? note:str items:int version:int created_at:ts updated_at:ts"},
    {"PriceItem", "id:int list_id:int product_id:int sku:str product_name:str unit_price:int "
                  "breaks:[{id:int kind:str(quantity|amount) basis:str(order|month|quarter|year) "
                  "threshold:int unit_price:int? discount_bp:int?}]"},
    {"Promotion",
     "id:int name:str valid_from:date? valid_to:date? active:bool all_products:bool "
     "product_ids:[int] families:[str] scope:str(all|tier|account) tier:str? "
     "account_id:int? account_name:str? discount_bp:int? unit_price:int? currency:str? "
     "version:int created_at:ts updated_at:ts"},
    {"Rebate", "id:int name:str scope:str(tier|account) tier:str? account_id:int? "
               "account_name:str? active:bool tiers:[{threshold:int rebate_bp:int}] version:int "
               "created_at:ts updated_at:ts"},
    {"PriceSettings", "hide_other_accounts:bool below_price:str(refuse|accept_with_reason)"},
    {NULL, NULL},
};

/* ---- the quote ---- */

static void render_quote(struct jw *w, const struct price_query *q, const struct price_result *r)
{
    jw_obj_begin(w);
    jw_ki64(w, "account_id", q->account_id);
    jw_ki64(w, "product_id", q->product_id);
    jw_kstr(w, "date", q->date);
    jw_kfixed(w, "quantity", q->quantity, 3);
    jw_kbool(w, "found", r->found);
    jw_ki64n(w, "unit_price", r->unit_price, !r->found);
    jw_kstr(w, "currency", r->currency);
    jw_ki64n(w, "amount", r->amount, !r->found);
    jw_kstr(w, "source", r->source);
    jw_key(w, "list");
    if (r->list_id) {
        jw_obj_begin(w);
        jw_ki64(w, "id", r->list_id);
        jw_kstr(w, "name", r->list_name);
        jw_kstr(w, "scope", r->list_scope);
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
    jw_ki64n(w, "item_id", r->item_id, !r->item_id);
    jw_ki64n(w, "break_id", r->break_id, !r->break_id);
    jw_ki64n(w, "promotion_id", r->promotion_id, !r->promotion_id);
    jw_ki64n(w, "base_price", r->base_price, !r->found);
    jw_kstr(w, "base_currency", r->found ? r->base_currency : NULL);
    jw_key(w, "steps");
    jw_arr_begin(w);
    for (int i = 0; i < r->nsteps; i++) {
        const struct price_step *s = &r->steps[i];
        jw_obj_begin(w);
        jw_kstr(w, "kind", s->kind);
        jw_ki64n(w, "id", s->id, !s->id);
        jw_kstr(w, "name", s->name);
        jw_kstr(w, "effect", s->effect);
        jw_ki64(w, "value", s->value);
        jw_ki64n(w, "before", s->before, !s->has_before);
        jw_ki64(w, "after", s->after);
        jw_kstr(w, "currency", s->currency);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "skipped");
    jw_arr_begin(w);
    for (int i = 0; i < r->nskips; i++) {
        const struct price_skip *s = &r->skips[i];
        jw_obj_begin(w);
        jw_kstr(w, "kind", s->kind);
        jw_ki64(w, "id", s->id);
        jw_kstr(w, "name", s->name);
        jw_kstr(w, "reason", s->reason);
        jw_ki64n(w, "need", s->need, strcmp(s->reason, "not_reached") != 0);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ki64(w, "skipped_more", r->skips_more);
    jw_key(w, "rebate");
    const struct price_rebate *b = &r->rebate;
    if (b->found) {
        jw_obj_begin(w);
        jw_ki64(w, "id", b->id);
        jw_kstr(w, "name", b->name);
        jw_kstr(w, "currency", b->currency);
        jw_ki64(w, "year", b->year);
        jw_ki64(w, "year_amount", b->year_amount);
        jw_key(w, "reached");
        if (b->has_reached) {
            jw_obj_begin(w);
            jw_ki64(w, "threshold", b->reached_threshold);
            jw_ki64(w, "rebate_bp", b->reached_bp);
            jw_obj_end(w);
        } else {
            jw_null(w);
        }
        jw_key(w, "next");
        if (b->has_next) {
            jw_obj_begin(w);
            jw_ki64(w, "threshold", b->next_threshold);
            jw_ki64(w, "rebate_bp", b->next_bp);
            jw_ki64(w, "to_go", b->to_go);
            jw_obj_end(w);
        } else {
            jw_null(w);
        }
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
    jw_obj_end(w);
}

static enum kam_err quote(struct api_call *c)
{
    struct kam_ctx *ctx = c->ctx;
    struct price_query q = {0};
    enum kam_err rc;
    const char *sku = api_query_str(c, "sku");
    if ((rc = api_query_i64(c, "account_id", 0, &q.account_id)) ||
        (rc = api_query_i64(c, "product_id", 0, &q.product_id)) ||
        (rc = api_query_dec3(c, "quantity", 1000, &q.quantity)))
        return rc;
    if (q.account_id <= 0)
        return kam_fail(ctx->err, KAM_EINVAL, "account_id", "account_id is required");
    if (!sku && q.product_id <= 0)
        return kam_fail(ctx->err, KAM_EINVAL, "product_id", "product_id or sku is required");
    if (sku && http_query(c->req, "product_id"))
        return kam_fail(ctx->err, KAM_EINVAL, "sku", "give product_id or sku, not both");
    q.date = api_query_str(c, "date");
    q.currency = api_query_str(c, "currency");
    if (http_query(c->req, "order_amount")) {
        if ((rc = api_query_i64(c, "order_amount", 0, &q.order_amount)))
            return rc;
        if (q.order_amount < 0)
            return kam_fail(ctx->err, KAM_EINVAL, "order_amount", "order_amount must be 0 or more");
        q.has_order_amount = 1;
    }
    struct price_result r;
    if ((rc = price_quote_checked(ctx, &q, sku, &r)))
        return rc;
    render_quote(&c->w, &q, &r);
    return KAM_OK;
}

/* ---- price lists ---- */

#define BRF(f) offsetof(struct price_break_in, f)
static const struct jfield break_spec[] = {
    {"kind", J_STR, 1, BRF(kind), 0, 0, 0, "quantity | amount", 1},
    {"basis", J_STR, 2, BRF(basis), 0, 0, 0,
     "order (default) | month | quarter | year: this order, or the account's purchases of the "
     "product in D's period up to D plus this order"},
    {"threshold", J_I64, 4, BRF(threshold), 0, 0, 0,
     "quantity: thousandths of the unit (10 units = 10000); amount: minor units of the list's "
     "currency",
     1},
    {"unit_price", J_I64, 8, BRF(unit_price), BRF(has_price), 0, 1,
     "the unit price from this threshold (minor units), or null"},
    {"discount_bp", J_I64, 16, BRF(discount_bp), BRF(has_discount), 0, 1,
     "or a discount off the item's price in basis points (500 = 5 %), or null"},
    {0},
};

#define ITF(f) offsetof(struct price_item_in, f)
static const struct jfield item_spec[] = {
    {"product_id", J_I64, 1, ITF(product_id), 0, 0, 0, "the product", 1},
    {"unit_price", J_I64, 2, ITF(unit_price), 0, 0, 0, "minor units of the list's currency", 1},
    {"breaks", J_OBJS, 4, ITF(breaks), ITF(nbreaks), sizeof(struct price_break_in), 0,
     "volume breaks, at most 20; monotonic within each kind x basis", 0, break_spec,
     PRICE_BREAKS_MAX},
    {0},
};

#define PLF(f) offsetof(struct price_list_in, v.f)
static const struct jfield list_spec[] = {
    {"name", J_STR, PL_NAME, PLF(name), 0, 0, 0, "1-200 characters", 1},
    {"currency", J_STR, PL_CURRENCY, PLF(currency), 0, 0, 0,
     "the base currency or one with an exchange rate", 1},
    {"valid_from", J_STR, PL_FROM, PLF(valid_from), 0, 0, 1, "YYYY-MM-DD (inclusive), or null"},
    {"valid_to", J_STR, PL_TO, PLF(valid_to), 0, 0, 1, "YYYY-MM-DD (inclusive), or null"},
    {"active", J_BOOL, PL_ACTIVE, PLF(active), 0, 0, 0, "default true"},
    {"scope", J_STR, PL_SCOPE, PLF(scope), 0, 0, 0,
     "all (default) | tier | group (account_id: a parent account and every account under it) | "
     "account"},
    {"tier", J_STR, PL_TIER, PLF(tier), 0, 0, 1, "scope tier: the tier, else null"},
    {"account_id", J_I64, PL_ACCOUNT, PLF(account_id), PLF(has_account), 0, 1,
     "scope group | account: the account, else null"},
    {"note", J_STR, PL_NOTE, PLF(note), 0, 0, 0, "<= 2000"},
    {"items", J_OBJS, PL_ITEMS, offsetof(struct price_list_in, items),
     offsetof(struct price_list_in, nitems), sizeof(struct price_item_in), 0,
     "the items, at most 10000 (PATCH: replaced whole when given)", 0, item_spec, PRICE_ITEMS_MAX},
    {"version", J_I64, PL_VERSION, PLF(version), 0, 0, 0, "PATCH: the version you read"},
    {0},
};

static void render_list(struct jw *w, const struct price_list *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "name", x->name);
    jw_kstr(w, "currency", x->currency);
    jw_kstr(w, "valid_from", x->valid_from);
    jw_kstr(w, "valid_to", x->valid_to);
    jw_kbool(w, "active", x->active);
    jw_kstr(w, "scope", x->scope);
    jw_kstr(w, "tier", x->tier);
    jw_ki64n(w, "account_id", x->account_id, !x->has_account);
    jw_kstr(w, "account_name", x->account_name);
    jw_kstr(w, "note", x->note);
    jw_ki64(w, "items", x->nitems);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static enum kam_err pl_filters(struct api_call *c, struct price_list_query *q)
{
    memset(q, 0, sizeof *q);
    q->scope = api_query_str(c, "scope");
    q->valid_on = api_query_str(c, "valid_on");
    q->sort = api_query_str(c, "sort");
    q->cursor = api_query_str(c, "cursor");
    int64_t active = -1;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q->limit)) ||
        (rc = api_query_i64(c, "account_id", 0, &q->account_id)) ||
        (rc = api_query_i64(c, "active", -1, &active)))
        return rc;
    if (http_query(c->req, "limit") && q->limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    if (active < -1 || active > 1 || (http_query(c->req, "active") && active < 0))
        return kam_fail(c->ctx->err, KAM_EINVAL, "active", "active must be 0 or 1");
    q->active = (int)active;
    return KAM_OK;
}

static enum kam_err pl_list(struct api_call *c)
{
    struct price_list_query q;
    struct price_list *items;
    size_t n;
    const char *next;
    enum kam_err rc = pl_filters(c, &q);
    if (rc || (rc = price_list_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_list(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err pl_count(struct api_call *c)
{
    struct price_list_query q;
    int64_t total = 0;
    enum kam_err rc = pl_filters(c, &q);
    if (rc || (rc = price_list_count(c->ctx, &q, &total)))
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "total", total);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err pl_create(struct api_call *c)
{
    struct price_list_in in = {0};
    enum kam_err rc = api_decode(c, list_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & PL_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct price_list out;
    if ((rc = price_list_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_list(&c->w, &out);
    return KAM_OK;
}

static enum kam_err pl_get(struct api_call *c)
{
    struct price_list out;
    enum kam_err rc = price_list_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_list(&c->w, &out);
    return rc;
}

static enum kam_err pl_patch(struct api_call *c)
{
    struct price_list_in in = {0};
    enum kam_err rc = api_decode(c, list_spec, &in, &in.set);
    if (rc)
        return rc;
    struct price_list out;
    if ((rc = price_list_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_list(&c->w, &out);
    return KAM_OK;
}

static enum kam_err pl_del(struct api_call *c)
{
    enum kam_err rc = price_list_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err pl_items(struct api_call *c)
{
    int64_t limit = 0, after = 0;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &limit)) ||
        (rc = api_query_i64(c, "after_product", 0, &after)))
        return rc;
    if (http_query(c->req, "limit") && (limit < 1 || limit > 500))
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    struct price_item *items;
    size_t n;
    int more = 0;
    if ((rc = price_list_items(c->ctx, c->id[0], after, limit, &items, &n, &more)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        const struct price_item *it = &items[i];
        jw_obj_begin(w);
        jw_ki64(w, "id", it->id);
        jw_ki64(w, "list_id", it->list_id);
        jw_ki64(w, "product_id", it->product_id);
        jw_kstr(w, "sku", it->sku);
        jw_kstr(w, "product_name", it->product_name);
        jw_ki64(w, "unit_price", it->unit_price);
        jw_key(w, "breaks");
        jw_arr_begin(w);
        for (size_t j = 0; j < it->nbreaks; j++) {
            const struct price_break *b = &it->breaks[j];
            jw_obj_begin(w);
            jw_ki64(w, "id", b->id);
            jw_kstr(w, "kind", b->kind);
            jw_kstr(w, "basis", b->basis);
            jw_ki64(w, "threshold", b->threshold);
            jw_ki64n(w, "unit_price", b->unit_price, !b->has_price);
            jw_ki64n(w, "discount_bp", b->discount_bp, !b->has_discount);
            jw_obj_end(w);
        }
        jw_arr_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "next_after_product");
    if (more && n)
        jw_i64(w, items[n - 1].product_id);
    else
        jw_null(w);
    jw_obj_end(w);
    return KAM_OK;
}

static const char *const pl_list_query[] = {"scope", "account_id", "active", "valid_on",
                                            "sort",  "limit",      "cursor", NULL};
static const char *const pl_count_query[] = {"scope", "account_id", "active", "valid_on", NULL};
static const char *const pl_items_query[] = {"after_product", "limit", NULL};

#define PL_LIST_DOC                                                                                \
    ": scope, account_id, active (0|1), valid_on (YYYY-MM-DD); sort id | name ('-' descending); "  \
    "keyset paging. With the setting prices.hide_other_accounts on (default), group and account "  \
    "lists of accounts the caller may not read are left out"

/* ---- promotions and rebates ---- */

struct promo_body {
    struct promotion_in in; /* first: api_decode's bits go to in.set */
    int64_t ids[API_MAX_IDS];
    int nids, ids_given;
    const char *fams[API_MAX_IDS];
    int nfams, fams_given;
};

#define PBF(f) offsetof(struct promo_body, f)
static const struct jfield promo_spec[] = {
    {"name", J_STR, PR_NAME, PBF(in.v.name), 0, 0, 0, "1-200 characters", 1},
    {"valid_from", J_STR, PR_FROM, PBF(in.v.valid_from), 0, 0, 1,
     "YYYY-MM-DD (inclusive), or null"},
    {"valid_to", J_STR, PR_TO, PBF(in.v.valid_to), 0, 0, 1, "YYYY-MM-DD (inclusive), or null"},
    {"active", J_BOOL, PR_ACTIVE, PBF(in.v.active), 0, 0, 0, "default true"},
    {"all_products", J_BOOL, PR_ALL, PBF(in.v.all_products), 0, 0, 0,
     "every product (then no product_ids or families)"},
    {"product_ids", J_IDS, PR_PRODUCTS, PBF(ids), PBF(nids), PBF(ids_given), 0,
     "the products it covers (at most 50)"},
    {"families", J_STRS, PR_FAMILIES, PBF(fams), PBF(nfams), PBF(fams_given), 0,
     "the product families it covers (at most 50)"},
    {"scope", J_STR, PR_SCOPE, PBF(in.v.scope), 0, 0, 0, "all (default) | tier | account"},
    {"tier", J_STR, PR_TIER, PBF(in.v.tier), 0, 0, 1, "scope tier: the tier, else null"},
    {"account_id", J_I64, PR_ACCOUNT, PBF(in.v.account_id), PBF(in.v.has_account), 0, 1,
     "scope account: the account, else null"},
    {"discount_bp", J_I64, PR_DISCOUNT, PBF(in.v.discount_bp), PBF(in.v.has_discount), 0, 1,
     "a discount in basis points (1..10000), or null"},
    {"unit_price", J_I64, PR_PRICE, PBF(in.v.unit_price), PBF(in.v.has_price), 0, 1,
     "or a fixed unit price (minor units of currency), or null"},
    {"currency", J_STR, PR_CURRENCY, PBF(in.v.currency), 0, 0, 1, "of unit_price, else null"},
    {"version", J_I64, PR_VERSION, PBF(in.v.version), 0, 0, 0, "PATCH: the version you read"},
    {0},
};

static enum kam_err promo_decode(struct api_call *c, struct promo_body *b)
{
    memset(b, 0, sizeof *b);
    enum kam_err rc = api_decode(c, promo_spec, b, &b->in.set);
    if (rc)
        return rc;
    b->in.v.product_ids = b->ids;
    b->in.v.nproducts = b->nids;
    b->in.v.families = b->fams;
    b->in.v.nfamilies = b->nfams;
    return KAM_OK;
}

static void render_promo(struct jw *w, const struct promotion *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "name", x->name);
    jw_kstr(w, "valid_from", x->valid_from);
    jw_kstr(w, "valid_to", x->valid_to);
    jw_kbool(w, "active", x->active);
    jw_kbool(w, "all_products", x->all_products);
    jw_key(w, "product_ids");
    jw_arr_begin(w);
    for (int i = 0; i < x->nproducts; i++)
        jw_i64(w, x->product_ids[i]);
    jw_arr_end(w);
    jw_key(w, "families");
    jw_arr_begin(w);
    for (int i = 0; i < x->nfamilies; i++)
        jw_str(w, x->families[i]);
    jw_arr_end(w);
    jw_kstr(w, "scope", x->scope);
    jw_kstr(w, "tier", x->tier);
    jw_ki64n(w, "account_id", x->account_id, !x->has_account);
    jw_kstr(w, "account_name", x->account_name);
    jw_ki64n(w, "discount_bp", x->discount_bp, !x->has_discount);
    jw_ki64n(w, "unit_price", x->unit_price, !x->has_price);
    jw_kstr(w, "currency", x->currency);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static enum kam_err rule_filters(struct api_call *c, struct offer_rule_query *q)
{
    memset(q, 0, sizeof *q);
    q->valid_on = api_query_str(c, "valid_on");
    q->cursor = api_query_str(c, "cursor");
    int64_t active = -1;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q->limit)) ||
        (rc = api_query_i64(c, "account_id", 0, &q->account_id)) ||
        (rc = api_query_i64(c, "active", -1, &active)))
        return rc;
    if (http_query(c->req, "limit") && q->limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    if (active < -1 || active > 1 || (http_query(c->req, "active") && active < 0))
        return kam_fail(c->ctx->err, KAM_EINVAL, "active", "active must be 0 or 1");
    q->active = (int)active;
    return KAM_OK;
}

static enum kam_err pr_list(struct api_call *c)
{
    struct offer_rule_query q;
    struct promotion *items;
    size_t n;
    const char *next;
    enum kam_err rc = rule_filters(c, &q);
    if (rc || (rc = promotion_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_promo(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err pr_create(struct api_call *c)
{
    struct promo_body b;
    enum kam_err rc = promo_decode(c, &b);
    if (rc)
        return rc;
    if (b.in.set & PR_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct promotion out;
    if ((rc = promotion_create(c->ctx, &b.in, &out)))
        return rc;
    c->status = 201;
    render_promo(&c->w, &out);
    return KAM_OK;
}

static enum kam_err pr_get(struct api_call *c)
{
    struct promotion out;
    enum kam_err rc = promotion_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_promo(&c->w, &out);
    return rc;
}

static enum kam_err pr_patch(struct api_call *c)
{
    struct promo_body b;
    enum kam_err rc = promo_decode(c, &b);
    if (rc)
        return rc;
    struct promotion out;
    if ((rc = promotion_update(c->ctx, c->id[0], &b.in, &out)))
        return rc;
    render_promo(&c->w, &out);
    return KAM_OK;
}

static enum kam_err pr_del(struct api_call *c)
{
    enum kam_err rc = promotion_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

#define RTF(f) offsetof(struct rebate_tier, f)
static const struct jfield tier_spec[] = {
    {"threshold", J_I64, 1, RTF(threshold), 0, 0, 0,
     "the year's amount from which it applies (base-currency minor units)", 1},
    {"rebate_bp", J_I64, 2, RTF(rebate_bp), 0, 0, 0, "the rebate in basis points", 1},
    {0},
};

#define RBF(f) offsetof(struct rebate_in, v.f)
static const struct jfield rebate_spec[] = {
    {"name", J_STR, RB_NAME, RBF(name), 0, 0, 0, "1-200 characters", 1},
    {"scope", J_STR, RB_SCOPE, RBF(scope), 0, 0, 0, "tier (default) | account"},
    {"tier", J_STR, RB_TIER, RBF(tier), 0, 0, 1, "scope tier: the tier, else null"},
    {"account_id", J_I64, RB_ACCOUNT, RBF(account_id), RBF(has_account), 0, 1,
     "scope account: the account, else null"},
    {"active", J_BOOL, RB_ACTIVE, RBF(active), 0, 0, 0, "default true"},
    {"tiers", J_OBJS, RB_TIERS, RBF(tiers), RBF(ntiers), sizeof(struct rebate_tier), 0,
     "1..20 tiers; a higher threshold never gives a lower rebate", 1, tier_spec, REBATE_TIERS_MAX},
    {"version", J_I64, RB_VERSION, RBF(version), 0, 0, 0, "PATCH: the version you read"},
    {0},
};

static void render_rebate(struct jw *w, const struct rebate *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "name", x->name);
    jw_kstr(w, "scope", x->scope);
    jw_kstr(w, "tier", x->tier);
    jw_ki64n(w, "account_id", x->account_id, !x->has_account);
    jw_kstr(w, "account_name", x->account_name);
    jw_kbool(w, "active", x->active);
    jw_key(w, "tiers");
    jw_arr_begin(w);
    for (int i = 0; i < x->ntiers; i++) {
        jw_obj_begin(w);
        jw_ki64(w, "threshold", x->tiers[i].threshold);
        jw_ki64(w, "rebate_bp", x->tiers[i].rebate_bp);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static enum kam_err rb_list(struct api_call *c)
{
    struct offer_rule_query q;
    struct rebate *items;
    size_t n;
    const char *next;
    enum kam_err rc = rule_filters(c, &q);
    if (rc || (rc = rebate_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_rebate(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err rb_create(struct api_call *c)
{
    struct rebate_in in = {0};
    enum kam_err rc = api_decode(c, rebate_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & RB_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct rebate out;
    if ((rc = rebate_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_rebate(&c->w, &out);
    return KAM_OK;
}

static enum kam_err rb_get(struct api_call *c)
{
    struct rebate out;
    enum kam_err rc = rebate_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_rebate(&c->w, &out);
    return rc;
}

static enum kam_err rb_patch(struct api_call *c)
{
    struct rebate_in in = {0};
    enum kam_err rc = api_decode(c, rebate_spec, &in, &in.set);
    if (rc)
        return rc;
    struct rebate out;
    if ((rc = rebate_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_rebate(&c->w, &out);
    return KAM_OK;
}

static enum kam_err rb_del(struct api_call *c)
{
    enum kam_err rc = rebate_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

/* ---- settings ---- */

static enum kam_err settings_get_route(struct api_call *c)
{
    struct pricing_settings ps;
    enum kam_err rc = pricing_settings_get(c->ctx, &ps);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    jw_kbool(&c->w, "hide_other_accounts", ps.hide);
    jw_kstr(&c->w, "below_price", ps.below_price);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static const struct jfield settings_spec[] = {
    {"hide_other_accounts", J_BOOL, PRS_HIDE, offsetof(struct pricing_settings, hide), 0, 0, 0,
     "true: a scoped reader does not see the account and group prices of accounts they may not "
     "read"},
    {"below_price", J_STR, PRS_BELOW, offsetof(struct pricing_settings, below_price), 0, 0, 0,
     "refuse | accept_with_reason: an order line below the engine's price is refused (400 "
     "naming amount) or accepted with its price_reason"},
    {0},
};

static enum kam_err settings_patch_route(struct api_call *c)
{
    struct pricing_settings in = {0};
    enum kam_err rc = api_decode(c, settings_spec, &in, &in.set);
    if (!rc && !in.set)
        rc = kam_fail(c->ctx->err, KAM_EINVAL, "hide_other_accounts",
                      "give hide_other_accounts or below_price");
    if (rc || (rc = pricing_settings_set(c->ctx, &in)))
        return rc;
    return settings_get_route(c);
}

static const char *const pr_list_query[] = {"account_id", "active", "valid_on",
                                            "limit",      "cursor", NULL};
static const char *const rb_list_query[] = {"account_id", "active", "limit", "cursor", NULL};

static const char *const quote_query[] = {"account_id", "product_id",   "sku",      "date",
                                          "quantity",   "order_amount", "currency", NULL};

const struct route api_routes_prices[] = {
    {"GET", "/api/v1/prices/quote", quote, OBJ_PRICING, ACT_READ, SCOPE_NONE, NULL, quote_query,
     200,
     "The price of a product for an account on a date for a quantity, with its explanation: "
     "account_id; product_id or sku; date (YYYY-MM-DD, default today in China, UTC+8); quantity "
     "(default 1, up "
     "to 3 decimals); currency (default the price's own); order_amount (minor units of currency, "
     "for amount breaks per order; default quantity x the base price). An account the caller "
     "may not read answers 404. Precedence: docs/PRICING.md",
     "PriceQuote"},
    {"GET", "/api/v1/price-lists", pl_list, OBJ_PRICING, ACT_READ, SCOPE_NONE, NULL, pl_list_query,
     200, "Price lists" PL_LIST_DOC, "[PriceList]"},
    {"GET", "/api/v1/price-lists/count", pl_count, OBJ_PRICING, ACT_READ, SCOPE_NONE, NULL,
     pl_count_query, 200, "The number of price lists the list returns for the same filters",
     "{total:int}"},
    {"POST", "/api/v1/price-lists", pl_create, OBJ_PRICING, ACT_CREATE, SCOPE_NONE, list_spec, NULL,
     201, "Create a price list with its items and breaks", "PriceList"},
    {"GET", "/api/v1/price-lists/:id", pl_get, OBJ_PRICING, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "One price list (its items: /items)", "PriceList"},
    {"PATCH", "/api/v1/price-lists/:id", pl_patch, OBJ_PRICING, ACT_UPDATE, SCOPE_NONE, list_spec,
     NULL, 200, "Change a price list; items, when given, replace the list's items whole",
     "PriceList"},
    {"DELETE", "/api/v1/price-lists/:id", pl_del, OBJ_PRICING, ACT_DELETE, SCOPE_NONE, NULL, NULL,
     204, "Delete a price list with its items", "-"},
    {"GET", "/api/v1/price-lists/:id/items", pl_items, OBJ_PRICING, ACT_READ, SCOPE_NONE, NULL,
     pl_items_query, 200,
     "A price list's items with their breaks, by product id: after_product (the last page's "
     "next_after_product), limit 1..500 (default 50)",
     "{items:[PriceItem] next_after_product:int?}"},
    {"GET", "/api/v1/promotions", pr_list, OBJ_PRICING, ACT_READ, SCOPE_NONE, NULL, pr_list_query,
     200, "Promotions: account_id, active (0|1), valid_on; by id, keyset paging", "[Promotion]"},
    {"POST", "/api/v1/promotions", pr_create, OBJ_PRICING, ACT_CREATE, SCOPE_NONE, promo_spec, NULL,
     201, "Create a promotion (applied after breaks; never stacks, never raises)", "Promotion"},
    {"GET", "/api/v1/promotions/:id", pr_get, OBJ_PRICING, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "One promotion", "Promotion"},
    {"PATCH", "/api/v1/promotions/:id", pr_patch, OBJ_PRICING, ACT_UPDATE, SCOPE_NONE, promo_spec,
     NULL, 200, "Change a promotion (product_ids and families replaced whole when given)",
     "Promotion"},
    {"DELETE", "/api/v1/promotions/:id", pr_del, OBJ_PRICING, ACT_DELETE, SCOPE_NONE, NULL, NULL,
     204, "Delete a promotion", "-"},
    {"GET", "/api/v1/rebates", rb_list, OBJ_PRICING, ACT_READ, SCOPE_NONE, NULL, rb_list_query, 200,
     "Annual rebates: account_id, active (0|1); by id, keyset paging", "[Rebate]"},
    {"POST", "/api/v1/rebates", rb_create, OBJ_PRICING, ACT_CREATE, SCOPE_NONE, rebate_spec, NULL,
     201, "Create an annual rebate with its tiers", "Rebate"},
    {"GET", "/api/v1/rebates/:id", rb_get, OBJ_PRICING, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "One rebate", "Rebate"},
    {"PATCH", "/api/v1/rebates/:id", rb_patch, OBJ_PRICING, ACT_UPDATE, SCOPE_NONE, rebate_spec,
     NULL, 200, "Change a rebate (tiers replaced whole when given)", "Rebate"},
    {"GET", "/api/v1/settings/prices", settings_get_route, OBJ_CONFIG, ACT_READ, SCOPE_NONE, NULL,
     NULL, 200,
     "The pricing settings: hide_other_accounts (a scoped reader does not see account and group "
     "prices of accounts they may not read)",
     "PriceSettings"},
    {"PATCH", "/api/v1/settings/prices", settings_patch_route, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE,
     settings_spec, NULL, 200, "Change the pricing settings (audited as settings)",
     "PriceSettings"},
    {"DELETE", "/api/v1/rebates/:id", rb_del, OBJ_PRICING, ACT_DELETE, SCOPE_NONE, NULL, NULL, 204,
     "Delete a rebate", "-"},
    {0},
};
