/* offer_line.c -- an offer's lines: pricing through the engine (price_quote), bundles and
 * service items, totals, margins; writing and reading lines and customisations. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "base/buf.h"
#include "base/jw.h"
#include "offer.h"
#include "price.h"
#include "store/db.h"
#include "svc/core/check.h"
#include "svc/core/rows.h"

int64_t offer_discount_bp(int64_t engine, int64_t unit)
{
    if (engine <= 0)
        return 0;
    /* rounded up: any cut past a limit counts (5.004 % is 501 bp, over a 5 % limit); a
     * discount asked in bp comes back as at most that (offer_apply_discount rounds down) */
    __int128 num = (__int128)(engine - unit) * 10000;
    __int128 q = num / engine;
    if (num % engine > 0)
        q++;
    if (q > 1000000000 || q < -1000000000)
        return 0;
    return (int64_t)q;
}

int64_t offer_apply_discount(int64_t engine, int64_t bp)
{
    if (engine <= 0 || bp <= 0)
        return price_discount(engine, bp);
    /* the discount amount rounded down, so the line's discount never exceeds the one asked
     * (an account manager's 5.00 % stays within a 5.00 % limit) */
    int64_t off = engine / 10000 * bp + engine % 10000 * bp / 10000;
    return engine - off;
}

void offer_split(int64_t total, const int64_t *weights, size_t n, int64_t *out)
{
    /* each part rounded down, then the cents left over one each to the parts with the largest
     * remainders (the earlier first on a tie): never below 0 for a total >= 0, the parts sum to
     * the total; no positive weight at all: the whole on the last */
    if (n == 0)
        return;
    __int128 wsum = 0;
    for (size_t i = 0; i < n; i++)
        wsum += weights[i] > 0 ? weights[i] : 0;
    if (wsum == 0 || total <= 0) {
        for (size_t i = 0; i < n; i++)
            out[i] = 0;
        out[n - 1] = total;
        return;
    }
    int64_t given = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t w = weights[i] > 0 ? weights[i] : 0;
        out[i] = (int64_t)((__int128)total * w / wsum);
        given += out[i];
    }
    for (int64_t left = total - given; left > 0; left--) {
        size_t best = n;
        __int128 best_rem = -1;
        for (size_t i = 0; i < n; i++) {
            int64_t w = weights[i] > 0 ? weights[i] : 0;
            __int128 rem = (__int128)total * w % wsum;
            /* a part already given its extra cent has rem - wsum < 0 */
            if (out[i] != (int64_t)((__int128)total * w / wsum))
                rem -= wsum;
            if (rem > best_rem) {
                best_rem = rem;
                best = i;
            }
        }
        if (best == n)
            best = n - 1;
        out[best]++;
    }
}

int64_t offer_component_qty(int64_t per_bundle, int64_t bundles)
{
    int of = 0;
    int64_t q = price_muldiv(per_bundle, bundles, 1000, &of);
    return of || q <= 0 ? 1 : q;
}

static int64_t comp_qty(int64_t per_bundle, int64_t bundles)
{
    return offer_component_qty(per_bundle, bundles);
}

static const char *field(struct kam_ctx *ctx, size_t i, const char *f)
{
    return arena_printf(ctx->a, "lines[%zu].%s", i, f);
}

static const char *steps_json(struct kam_ctx *ctx, const struct price_result *r)
{
    struct buf b;
    struct jw w;
    buf_init(&b, 64 * 1024);
    jw_init(&w, &b);
    jw_arr_begin(&w);
    for (int i = 0; r && i < r->nsteps; i++) {
        const struct price_step *s = &r->steps[i];
        jw_obj_begin(&w);
        jw_kstr(&w, "kind", s->kind);
        jw_ki64n(&w, "id", s->id, !s->id);
        jw_kstr(&w, "name", s->name);
        jw_kstr(&w, "effect", s->effect);
        jw_ki64(&w, "value", s->value);
        jw_ki64n(&w, "before", s->before, !s->has_before);
        jw_ki64(&w, "after", s->after);
        jw_kstr(&w, "currency", s->currency);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    const char *out = arena_strdup(ctx->a, b.data ? b.data : "[]");
    buf_release(&b);
    return out;
}

/* A bundle line's components as priced: frozen on the line (offer_lines.components). */
static const char *components_json(struct kam_ctx *ctx, const struct offer_line *l)
{
    struct buf b;
    struct jw w;
    buf_init(&b, 64 * 1024);
    jw_init(&w, &b);
    jw_arr_begin(&w);
    for (size_t k = 0; k < l->ncomponents; k++) {
        const struct offer_component *c = &l->components[k];
        jw_obj_begin(&w);
        jw_ki64(&w, "product_id", c->product_id);
        jw_kstr(&w, "sku", c->sku);
        jw_kstr(&w, "name", c->name);
        jw_ki64(&w, "quantity", c->quantity);
        jw_ki64n(&w, "engine_price", c->engine_price, !c->has_engine);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    const char *out = arena_strdup(ctx->a, b.data ? b.data : "[]");
    buf_release(&b);
    return out;
}

/* Reads back what components_json wrote (quantity in thousandths per bundle). */
static void components_read(struct kam_ctx *ctx, struct offer_line *l)
{
    l->ncomponents = 0;
    l->components = NULL;
    l->components_total = 0;
    if (!l->components_json || !*l->components_json)
        return;
    json_t *root = json_loads(l->components_json, 0, NULL);
    if (!json_is_array(root)) {
        json_decref(root);
        return;
    }
    size_t n = json_array_size(root);
    if (n > OFFER_COMPONENTS_MAX)
        n = OFFER_COMPONENTS_MAX;
    l->components = arena_calloc(ctx->a, n + 1, sizeof *l->components);
    for (size_t k = 0; k < n; k++) {
        json_t *o = json_array_get(root, k);
        struct offer_component *c = &l->components[l->ncomponents++];
        json_t *ep = json_object_get(o, "engine_price");
        const char *sku = json_string_value(json_object_get(o, "sku"));
        const char *name = json_string_value(json_object_get(o, "name"));
        c->product_id = (int64_t)json_integer_value(json_object_get(o, "product_id"));
        c->quantity = (int64_t)json_integer_value(json_object_get(o, "quantity"));
        c->sku = arena_strdup(ctx->a, sku ? sku : "");
        c->name = arena_strdup(ctx->a, name ? name : "");
        c->has_engine = json_is_integer(ep);
        c->engine_price = c->has_engine ? (int64_t)json_integer_value(ep) : 0;
        int of = 0;
        l->components_total += price_muldiv(c->engine_price, c->quantity, 1000, &of);
    }
    json_decref(root);
}

/* A product's sku, name, cost (converted into cur; has_cost 0 when none). */
static enum kam_err product_info(struct kam_ctx *ctx, const char *fld, int64_t id, const char *cur,
                                 const char **sku, const char **name, int64_t *cost, int *has_cost)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT sku, name, unit_cost, currency, active FROM products WHERE id = ?", &st,
        ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    const char *pcur = NULL;
    int64_t c = 0;
    int active = 0;
    *has_cost = 0;
    if (!rc && row) {
        *sku = arena_strdup(ctx->a, db_col_text(st, 0));
        *name = arena_strdup(ctx->a, db_col_text(st, 1));
        *has_cost = !db_col_is_null(st, 2);
        c = db_col_i64(st, 2);
        pcur = arena_strdup(ctx->a, db_col_text(st, 3));
        active = (int)db_col_i64(st, 4);
    }
    db_done(st);
    if (rc)
        return rc;
    if (!row || !active)
        return kam_fail_key(ctx->err, KAM_EINVAL, fld, "offer.no_product", NULL,
                            "%s: no such active product", fld);
    if (*has_cost)
        return price_convert(ctx, fld, c, pcur, cur, cost);
    return KAM_OK;
}

static enum kam_err quote(struct kam_ctx *ctx, const struct offer *x, int64_t product, int64_t qty,
                          const char *fld, struct price_result *r)
{
    struct price_query q = {.account_id = x->account_id,
                            .product_id = product,
                            .date = x->price_date,
                            .quantity = qty,
                            .currency = x->currency,
                            .skip_rebate = 1};
    enum kam_err rc = price_quote(ctx, &q, r);
    if (rc) {
        if (!strcmp(ctx->err->field, "product_id")) {
            kam_error_clear(ctx->err);
            return kam_fail_key(ctx->err, KAM_EINVAL, fld, "offer.no_product", NULL,
                                "%s: no such product", fld);
        }
        return rc;
    }
    return KAM_OK;
}

static enum kam_err price_product(struct kam_ctx *ctx, const struct offer *x, size_t i,
                                  struct offer_line *l)
{
    const char *fld = field(ctx, i, "product_id");
    enum kam_err rc = product_info(ctx, fld, l->product_id, x->currency, &l->code, &l->name,
                                   &l->unit_cost, &l->has_cost);
    if (rc)
        return rc;
    struct price_result r;
    if ((rc = quote(ctx, x, l->product_id, l->quantity, fld, &r)))
        return rc;
    if (!r.found)
        return kam_fail_key(ctx->err, KAM_EINVAL, fld, "offer.unpriced",
                            (struct kam_param[]){{"sku", l->code}, {0}},
                            "%s: the product %s has no price on this date", fld, l->code);
    l->engine_price = r.unit_price;
    l->has_engine = 1;
    l->explain = steps_json(ctx, &r);
    return KAM_OK;
}

static enum kam_err price_bundle(struct kam_ctx *ctx, const struct offer *x, size_t i,
                                 struct offer_line *l)
{
    const char *fld = field(ctx, i, "bundle_id");
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT code, name, currency, price, active FROM bundles WHERE id = ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, l->bundle_id);
    int row = 0, active = 0;
    const char *cur = NULL;
    int64_t price = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        l->code = arena_strdup(ctx->a, db_col_text(st, 0));
        l->name = arena_strdup(ctx->a, db_col_text(st, 1));
        cur = arena_strdup(ctx->a, db_col_text(st, 2));
        price = db_col_i64(st, 3);
        active = (int)db_col_i64(st, 4);
    }
    db_done(st);
    if (rc)
        return rc;
    if (!row || !active)
        return kam_fail_key(ctx->err, KAM_EINVAL, fld, "offer.no_bundle", NULL,
                            "%s: no such active bundle", fld);
    if ((rc = price_convert(ctx, fld, price, cur, x->currency, &l->engine_price)))
        return rc;
    l->has_engine = 1;
    l->explain = "[]";
    /* the components, their engine prices (per unit, for the bundle's quantity) */
    if ((rc = db_prepare(ctx->db,
                         "SELECT product_id, quantity FROM bundle_items WHERE bundle_id = ? "
                         "ORDER BY product_id",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, l->bundle_id);
    int64_t pids[OFFER_COMPONENTS_MAX], qtys[OFFER_COMPONENTS_MAX];
    size_t n = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < OFFER_COMPONENTS_MAX) {
        pids[n] = db_col_i64(st, 0);
        qtys[n] = db_col_i64(st, 1);
        n++;
    }
    db_done(st);
    if (rc)
        return rc;
    l->components = arena_calloc(ctx->a, n + 1, sizeof *l->components);
    l->ncomponents = n;
    l->components_total = 0;
    l->has_cost = 1;
    l->unit_cost = 0;
    for (size_t k = 0; k < n; k++) {
        struct offer_component *c = &l->components[k];
        int64_t cost = 0;
        int has_cost = 0;
        c->product_id = pids[k];
        c->quantity = qtys[k];
        if ((rc =
                 product_info(ctx, fld, pids[k], x->currency, &c->sku, &c->name, &cost, &has_cost)))
            return rc;
        int of = 0;
        struct price_result r;
        if ((rc = quote(ctx, x, pids[k], comp_qty(qtys[k], l->quantity), fld, &r)))
            return rc;
        c->has_engine = r.found;
        c->engine_price = r.found ? r.unit_price : 0;
        l->components_total += price_muldiv(c->engine_price, qtys[k], 1000, &of);
        if (has_cost)
            l->unit_cost += price_muldiv(cost, qtys[k], 1000, &of);
        else
            l->has_cost = 0;
    }
    if (!l->has_cost)
        l->unit_cost = 0;
    /* no component priced: nothing to split the bundle's price over (nor to show a saving) */
    if (l->components_total <= 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, fld, "offer.bundle_unpriced",
                            (struct kam_param[]){{"code", l->code}, {0}},
                            "%s: the bundle %s has no priced components", fld, l->code);
    l->components_json = components_json(ctx, l);
    return KAM_OK;
}

static enum kam_err price_service(struct kam_ctx *ctx, const struct offer *x, size_t i,
                                  struct offer_line *l)
{
    const char *fld = field(ctx, i, "service_item_id");
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT code, name, currency, price, unit_cost, active FROM service_items WHERE id = ?",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, l->service_item_id);
    int row = 0, active = 0;
    const char *cur = NULL;
    int64_t price = 0, cost = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        l->code = arena_strdup(ctx->a, db_col_text(st, 0));
        l->name = arena_strdup(ctx->a, db_col_text(st, 1));
        cur = arena_strdup(ctx->a, db_col_text(st, 2));
        price = db_col_i64(st, 3);
        l->has_cost = !db_col_is_null(st, 4);
        cost = db_col_i64(st, 4);
        active = (int)db_col_i64(st, 5);
    }
    db_done(st);
    if (rc)
        return rc;
    if (!row || !active)
        return kam_fail_key(ctx->err, KAM_EINVAL, fld, "offer.no_service_item", NULL,
                            "%s: no such active service item", fld);
    if ((rc = price_convert(ctx, fld, price, cur, x->currency, &l->engine_price)))
        return rc;
    l->has_engine = 1;
    l->explain = "[]";
    if (l->has_cost && (rc = price_convert(ctx, fld, cost, cur, x->currency, &l->unit_cost)))
        return rc;
    return KAM_OK;
}

void offer_totals(struct offer *x)
{
    int of = 0;
    x->subtotal = x->total = 0;
    x->cost = 0;
    x->has_cost = 1;
    x->max_discount_bp = 0;
    for (size_t i = 0; i < x->nlines; i++) {
        const struct offer_line *l = &x->lines[i];
        x->subtotal +=
            price_muldiv(l->has_engine ? l->engine_price : l->unit_price, l->quantity, 1000, &of);
        x->total += l->amount;
        if (l->has_cost)
            x->cost += price_muldiv(l->unit_cost, l->quantity, 1000, &of);
        else
            x->has_cost = 0;
        if (l->discount_bp > x->max_discount_bp)
            x->max_discount_bp = l->discount_bp;
    }
    if (x->nlines == 0)
        x->has_cost = 0;
    if (!x->has_cost)
        x->cost = 0;
    x->has_margin = 0;
    if (x->has_cost && x->total > 0) {
        x->margin_bp = price_muldiv(x->total - x->cost, 10000, x->total, &of);
        x->has_margin = 1;
    }
}

enum kam_err offer_price_lines(struct kam_ctx *ctx, struct offer *x, const struct offer_line_in *in,
                               size_t n)
{
    if (n > OFFER_LINES_MAX)
        return kam_fail_key(ctx->err, KAM_EINVAL, "lines", "offer.too_many_lines", NULL,
                            "at most %d lines", OFFER_LINES_MAX);
    x->lines = arena_calloc(ctx->a, n + 1, sizeof *x->lines);
    x->nlines = n;
    x->lines_loaded = 1;
    enum kam_err rc;
    for (size_t i = 0; i < n; i++) {
        const struct offer_line_in *li = &in[i];
        struct offer_line *l = &x->lines[i];
        l->position = (int64_t)i + 1;
        if (!(li->set & OL_KIND))
            return kam_fail_key(ctx->err, KAM_EINVAL, field(ctx, i, "kind"), "required",
                                (struct kam_param[]){{"field", field(ctx, i, "kind")}, {0}},
                                "%s is required", field(ctx, i, "kind"));
        if ((rc = check_enum(ctx, field(ctx, i, "kind"), li->kind, offer_line_kinds)))
            return rc;
        l->kind = li->kind;
        l->description = (li->set & OL_DESCRIPTION) && li->description ? li->description : "";
        if ((rc = check_text(ctx, field(ctx, i, "description"), l->description, 0, OFFER_DESC_MAX,
                             CHECK_MULTILINE)))
            return rc;
        if (!(li->set & OL_QUANTITY) || li->quantity <= 0 || li->quantity > 1000000000000LL)
            return kam_fail_key(ctx->err, KAM_EINVAL, field(ctx, i, "quantity"),
                                "offer.bad_quantity", NULL, "%s must be > 0",
                                field(ctx, i, "quantity"));
        l->quantity = li->quantity;
        const char *need = !strcmp(l->kind, "product")  ? "product_id"
                           : !strcmp(l->kind, "bundle") ? "bundle_id"
                                                        : "service_item_id";
        unsigned bit = !strcmp(l->kind, "product")  ? OL_PRODUCT
                       : !strcmp(l->kind, "bundle") ? OL_BUNDLE
                                                    : OL_SERVICE;
        if (!(li->set & bit))
            return kam_fail_key(ctx->err, KAM_EINVAL, field(ctx, i, need), "required",
                                (struct kam_param[]){{"field", field(ctx, i, need)}, {0}},
                                "%s is required", field(ctx, i, need));
        if ((li->set & (OL_PRODUCT | OL_BUNDLE | OL_SERVICE)) & ~bit)
            return kam_fail_key(ctx->err, KAM_EINVAL, field(ctx, i, "kind"), "offer.line_one_item",
                                (struct kam_param[]){{"field", need}, {0}},
                                "a %s line names only its %s", l->kind, need);
        if ((li->set & OL_UNIT_PRICE) && (li->set & OL_DISCOUNT))
            return kam_fail_key(ctx->err, KAM_EINVAL, field(ctx, i, "discount_bp"),
                                "offer.price_or_discount", NULL,
                                "give unit_price or discount_bp, not both");
        if (bit == OL_PRODUCT) {
            l->product_id = li->product_id;
            l->has_product = 1;
            rc = price_product(ctx, x, i, l);
        } else if (bit == OL_BUNDLE) {
            l->bundle_id = li->bundle_id;
            l->has_bundle = 1;
            rc = price_bundle(ctx, x, i, l);
        } else {
            l->service_item_id = li->service_item_id;
            l->has_service = 1;
            rc = price_service(ctx, x, i, l);
        }
        if (rc)
            return rc;
        if (li->set & OL_UNIT_PRICE) {
            if (li->unit_price < 0)
                return kam_fail_key(ctx->err, KAM_EINVAL, field(ctx, i, "unit_price"),
                                    "offer.bad_unit_price", NULL, "%s must be >= 0",
                                    field(ctx, i, "unit_price"));
            l->unit_price = li->unit_price;
        } else if (li->set & OL_DISCOUNT) {
            if (li->discount_bp < -10000 || li->discount_bp > 10000)
                return kam_fail_key(ctx->err, KAM_EINVAL, field(ctx, i, "discount_bp"),
                                    "offer.bad_discount", NULL, "%s must be -10000..10000",
                                    field(ctx, i, "discount_bp"));
            l->unit_price = offer_apply_discount(l->engine_price, li->discount_bp);
        } else {
            l->unit_price = l->engine_price;
        }
        l->discount_bp = offer_discount_bp(l->engine_price, l->unit_price);
        int of = 0;
        l->amount = price_muldiv(l->unit_price, l->quantity, 1000, &of);
        int64_t at_engine = price_muldiv(l->engine_price, l->quantity, 1000, &of);
        if (of || l->amount > OFFER_AMOUNT_MAX || at_engine > OFFER_AMOUNT_MAX)
            return kam_fail_key(ctx->err, KAM_EINVAL, field(ctx, i, "quantity"),
                                "offer.amount_too_large", NULL,
                                "%s: the line's amount is too large", field(ctx, i, "quantity"));
    }
    offer_totals(x);
    return KAM_OK;
}

enum kam_err offer_write_lines(struct kam_ctx *ctx, const struct offer *x)
{
    enum kam_err rc =
        db_exec_i64(ctx->db, "DELETE FROM offer_lines WHERE offer_id = ?", x->id, ctx->err);
    for (size_t i = 0; !rc && i < x->nlines; i++) {
        const struct offer_line *l = &x->lines[i];
        struct db_stmt *st;
        if ((rc = db_prepare(
                 ctx->db,
                 "INSERT INTO offer_lines (offer_id, position, kind, product_id, "
                 "bundle_id, service_item_id, description, quantity, engine_price, "
                 "unit_price, discount_bp, amount, unit_cost, explain, components) VALUES "
                 "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                 &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, x->id);
        db_bind_i64(st, 2, l->position);
        db_bind_text(st, 3, l->kind);
        db_bind_i64n(st, 4, l->product_id, !l->has_product);
        db_bind_i64n(st, 5, l->bundle_id, !l->has_bundle);
        db_bind_i64n(st, 6, l->service_item_id, !l->has_service);
        db_bind_text(st, 7, l->description);
        db_bind_i64(st, 8, l->quantity);
        db_bind_i64n(st, 9, l->engine_price, !l->has_engine);
        db_bind_i64(st, 10, l->unit_price);
        db_bind_i64(st, 11, l->discount_bp);
        db_bind_i64(st, 12, l->amount);
        db_bind_i64n(st, 13, l->unit_cost, !l->has_cost);
        db_bind_text(st, 14, l->explain ? l->explain : "[]");
        db_bind_text(st, 15, l->components_json ? l->components_json : "");
        rc = db_run(st, ctx->err);
    }
    return rc;
}

/* The rows there are: id, request, confirm_by. */
struct cust_row {
    int64_t id;
    const char *request, *confirm_by;
    int used;
};

static enum kam_err cust_rows(struct kam_ctx *ctx, int64_t offer_id, struct cust_row **out,
                              size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, request, confirm_by FROM offer_customisations WHERE "
                                 "offer_id = ? ORDER BY id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, offer_id);
    size_t cap = OFFER_CUSTS_MAX * 2 + 1;
    struct cust_row *r = arena_calloc(ctx->a, cap, sizeof *r);
    int row = 0;
    *n = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && *n < cap) {
        r[*n].id = db_col_i64(st, 0);
        r[*n].request = arena_strdup(ctx->a, db_col_text(st, 1));
        r[*n].confirm_by = arena_strdup(ctx->a, db_col_text(st, 2));
        (*n)++;
    }
    db_done(st);
    *out = r;
    return rc;
}

enum kam_err offer_write_custs(struct kam_ctx *ctx, int64_t offer_id,
                               const struct offer_cust_in *in, size_t n)
{
    if (n > OFFER_CUSTS_MAX)
        return kam_fail_key(ctx->err, KAM_EINVAL, "customisations", "offer.too_many_customisations",
                            NULL, "at most %d customisations", OFFER_CUSTS_MAX);
    struct cust_row *have;
    size_t nhave = 0;
    enum kam_err rc = cust_rows(ctx, offer_id, &have, &nhave);
    if (rc)
        return rc;
    size_t *match = arena_calloc(ctx->a, n + 1, sizeof *match); /* index in have, or nhave */
    for (size_t i = 0; i < n; i++) {
        const struct offer_cust_in *c = &in[i];
        const char *fr = arena_printf(ctx->a, "customisations[%zu].request", i);
        const char *fc = arena_printf(ctx->a, "customisations[%zu].confirm_by", i);
        const char *fn = arena_printf(ctx->a, "customisations[%zu].note", i);
        if (!(c->set & OC_REQUEST))
            return kam_fail_key(ctx->err, KAM_EINVAL, fr, "required",
                                (struct kam_param[]){{"field", fr}, {0}}, "%s is required", fr);
        if (!(c->set & OC_CONFIRM_BY))
            return kam_fail_key(ctx->err, KAM_EINVAL, fc, "required",
                                (struct kam_param[]){{"field", fc}, {0}}, "%s is required", fc);
        const char *note = c->note ? c->note : "";
        if ((rc = check_text(ctx, fr, c->request, 1, OFFER_REQUEST_MAX, CHECK_MULTILINE)) ||
            (rc = check_enum(ctx, fc, c->confirm_by, offer_confirm_bys)) ||
            (rc = check_text(ctx, fn, note, 0, OFFER_NOTE_MAX, CHECK_MULTILINE)))
            return rc;
        /* the row kept: the one named by id, else the first unused one with the same request */
        match[i] = nhave;
        if (c->set & OC_ID) {
            for (size_t k = 0; k < nhave; k++)
                if (have[k].id == c->id && !have[k].used)
                    match[i] = k;
            if (match[i] == nhave) {
                const char *fi = arena_printf(ctx->a, "customisations[%zu].id", i);
                return kam_fail_key(ctx->err, KAM_EINVAL, fi, "offer.no_customisation", NULL,
                                    "%s: no such customisation on this offer", fi);
            }
        } else {
            for (size_t k = 0; k < nhave && match[i] == nhave; k++)
                if (!have[k].used && !strcmp(have[k].request, c->request))
                    match[i] = k;
        }
        if (match[i] < nhave)
            have[match[i]].used = 1;
    }
    for (size_t k = 0; !rc && k < nhave; k++)
        if (!have[k].used)
            rc = db_exec_i64(ctx->db, "DELETE FROM offer_customisations WHERE id = ?", have[k].id,
                             ctx->err);
    for (size_t i = 0; !rc && i < n; i++) {
        const struct offer_cust_in *c = &in[i];
        const char *note = c->note ? c->note : "";
        struct db_stmt *st;
        if (match[i] < nhave) {
            /* kept with its feasibility and confirmation, unless what was asked changed */
            const struct cust_row *h = &have[match[i]];
            int changed = strcmp(h->request, c->request) || strcmp(h->confirm_by, c->confirm_by);
            if ((rc = db_prepare(ctx->db,
                                 "UPDATE offer_customisations SET request = ?, confirm_by = ?, "
                                 "note = ?, feasibility = CASE WHEN ? = 1 THEN 'open' ELSE "
                                 "feasibility END, confirmed_by = CASE WHEN ? = 1 THEN NULL ELSE "
                                 "confirmed_by END, confirmed_at = CASE WHEN ? = 1 THEN NULL ELSE "
                                 "confirmed_at END WHERE id = ?",
                                 &st, ctx->err)))
                return rc;
            db_bind_text(st, 1, c->request);
            db_bind_text(st, 2, c->confirm_by);
            db_bind_text(st, 3, note);
            db_bind_i64(st, 4, changed);
            db_bind_i64(st, 5, changed);
            db_bind_i64(st, 6, changed);
            db_bind_i64(st, 7, h->id);
            rc = db_run(st, ctx->err);
            continue;
        }
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO offer_customisations (offer_id, request, confirm_by, "
                             "note) VALUES (?,?,?,?)",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, offer_id);
        db_bind_text(st, 2, c->request);
        db_bind_text(st, 3, c->confirm_by);
        db_bind_text(st, 4, note);
        rc = db_run(st, ctx->err);
    }
    return rc;
}

enum kam_err offer_copy_custs(struct kam_ctx *ctx, int64_t from, int64_t to)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO offer_customisations (offer_id, request, feasibility, confirm_by, "
        "confirmed_by, confirmed_at, note) SELECT ?, request, feasibility, confirm_by, "
        "confirmed_by, confirmed_at, note FROM offer_customisations WHERE offer_id = ? ORDER BY id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, to);
    db_bind_i64(st, 2, from);
    return db_run(st, ctx->err);
}

static void read_line(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct offer_line *l = row;
    memset(l, 0, sizeof *l);
    l->id = db_col_i64(st, 0);
    l->position = db_col_i64(st, 1);
    l->kind = arena_strdup(ctx->a, db_col_text(st, 2));
    l->has_product = !db_col_is_null(st, 3);
    l->product_id = db_col_i64(st, 3);
    l->has_bundle = !db_col_is_null(st, 4);
    l->bundle_id = db_col_i64(st, 4);
    l->has_service = !db_col_is_null(st, 5);
    l->service_item_id = db_col_i64(st, 5);
    l->description = arena_strdup(ctx->a, db_col_text(st, 6));
    l->quantity = db_col_i64(st, 7);
    l->has_engine = !db_col_is_null(st, 8);
    l->engine_price = db_col_i64(st, 8);
    l->unit_price = db_col_i64(st, 9);
    l->discount_bp = db_col_i64(st, 10);
    l->amount = db_col_i64(st, 11);
    l->has_cost = !db_col_is_null(st, 12);
    l->unit_cost = db_col_i64(st, 12);
    l->explain = arena_strdup(ctx->a, db_col_text(st, 13));
    l->has_order_line = !db_col_is_null(st, 14);
    l->order_line_id = db_col_i64(st, 14);
    l->code = arena_strdup(ctx->a, db_col_text(st, 15));
    l->name = arena_strdup(ctx->a, db_col_text(st, 16));
    l->components_json = arena_strdup(ctx->a, db_col_text(st, 17));
}

static void read_cust(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct offer_cust *c = row;
    memset(c, 0, sizeof *c);
    c->id = db_col_i64(st, 0);
    c->request = arena_strdup(ctx->a, db_col_text(st, 1));
    c->feasibility = arena_strdup(ctx->a, db_col_text(st, 2));
    c->confirm_by = arena_strdup(ctx->a, db_col_text(st, 3));
    c->has_confirmed = !db_col_is_null(st, 4);
    c->confirmed_by = db_col_i64(st, 4);
    c->confirmed_at = db_col_i64(st, 5);
    c->note = arena_strdup(ctx->a, db_col_text(st, 6));
    c->confirmed_by_name = db_col_is_null(st, 7) ? NULL : arena_strdup(ctx->a, db_col_text(st, 7));
}

static void read_ver(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct offer_ver *v = row;
    v->id = db_col_i64(st, 0);
    v->version_no = db_col_i64(st, 1);
    v->status = arena_strdup(ctx->a, db_col_text(st, 2));
}

enum kam_err offer_load_details(struct kam_ctx *ctx, struct offer *x)
{
    struct db_stmt *st;
    void *items;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT l.id, l.position, l.kind, l.product_id, l.bundle_id, l.service_item_id, "
        "l.description, l.quantity, l.engine_price, l.unit_price, l.discount_bp, l.amount, "
        "l.unit_cost, l.explain, l.order_line_id, COALESCE(p.sku, b.code, s.code, ''), "
        "COALESCE(p.name, b.name, s.name, ''), l.components FROM offer_lines l LEFT JOIN products "
        "p ON p.id = "
        "l.product_id LEFT JOIN bundles b ON b.id = l.bundle_id LEFT JOIN service_items s ON "
        "s.id = l.service_item_id WHERE l.offer_id = ? ORDER BY l.position, l.id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->id);
    if ((rc = rows_collect(ctx, st, OFFER_LINES_MAX + 1, read_line, sizeof(struct offer_line),
                           &items, &x->nlines)))
        return rc;
    x->lines = items;
    x->lines_loaded = 1;
    /* bundle components: as frozen when the line was priced */
    for (size_t i = 0; i < x->nlines; i++)
        if (x->lines[i].has_bundle)
            components_read(ctx, &x->lines[i]);
    if ((rc = db_prepare(ctx->db,
                         "SELECT c.id, c.request, c.feasibility, c.confirm_by, c.confirmed_by, "
                         "c.confirmed_at, c.note, u.name FROM offer_customisations c LEFT JOIN "
                         "users u ON u.id = c.confirmed_by WHERE c.offer_id = ? ORDER BY c.id",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, x->id);
    if ((rc = rows_collect(ctx, st, OFFER_CUSTS_MAX + 1, read_cust, sizeof(struct offer_cust),
                           &items, &x->ncusts)))
        return rc;
    x->custs = items;
    if ((rc = db_prepare(ctx->db,
                         "SELECT id, version_no, status FROM offers WHERE COALESCE(root_id, id) "
                         "= ? ORDER BY version_no",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, x->root_id);
    if ((rc = rows_collect(ctx, st, 1000, read_ver, sizeof(struct offer_ver), &items,
                           &x->nversions)))
        return rc;
    x->versions = items;
    if (x->has_approval) {
        struct approval *a = arena_calloc(ctx->a, 1, sizeof *a);
        if ((rc = approval_get(ctx, x->approval_id, a)))
            return rc;
        x->approval = a;
    }
    return KAM_OK;
}
