/* pricing.c -- price lists with their items and breaks: create, read, PATCH (record_update),
 * delete, lists (docs/PRICING.md). */
#include "pricing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "price.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/settings.h"
#include "svc/core/update.h"

const char *const price_scopes[] = {"all", "tier", "group", "account", NULL};
const char *const price_tiers[] = {"strategic", "key", "growth", "maintain", NULL};
const char *const break_kinds[] = {"quantity", "amount", NULL};
const char *const break_bases[] = {"order", "month", "quarter", "year", NULL};

#define COLS                                                                                       \
    "price_lists.id, price_lists.name, price_lists.currency, price_lists.valid_from, "             \
    "price_lists.valid_to, price_lists.active, price_lists.scope, price_lists.tier, "              \
    "price_lists.account_id, price_lists.note, price_lists.version, price_lists.created_at, "      \
    "price_lists.updated_at, accounts.name, (SELECT COUNT(*) FROM price_list_items i WHERE "       \
    "i.list_id = price_lists.id)"
#define FROM " FROM price_lists LEFT JOIN accounts ON accounts.id = price_lists.account_id"

static const char *opt_text(struct kam_ctx *ctx, struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? NULL : arena_strdup(ctx->a, db_col_text(st, col));
}

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct price_list *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->name = arena_strdup(ctx->a, db_col_text(st, 1));
    x->currency = arena_strdup(ctx->a, db_col_text(st, 2));
    x->valid_from = opt_text(ctx, st, 3);
    x->valid_to = opt_text(ctx, st, 4);
    x->active = db_col_i64(st, 5) != 0;
    x->scope = arena_strdup(ctx->a, db_col_text(st, 6));
    x->tier = opt_text(ctx, st, 7);
    x->has_account = !db_col_is_null(st, 8);
    x->account_id = x->has_account ? db_col_i64(st, 8) : 0;
    x->note = arena_strdup(ctx->a, db_col_text(st, 9));
    x->version = db_col_i64(st, 10);
    x->created_at = db_col_i64(st, 11);
    x->updated_at = db_col_i64(st, 12);
    x->account_name = opt_text(ctx, st, 13);
    x->nitems = db_col_i64(st, 14);
}

/* ---- the items as text (audit) ---- */

static int cmp_break(const void *a, const void *b)
{
    const struct price_break_in *x = a, *y = b;
    int c = strcmp(x->kind, y->kind);
    if (!c)
        c = strcmp(x->basis, y->basis);
    if (!c)
        c = x->threshold < y->threshold ? -1 : x->threshold > y->threshold;
    return c;
}

static int cmp_item(const void *a, const void *b)
{
    const struct price_item_in *x = a, *y = b;
    return x->product_id < y->product_id ? -1 : x->product_id > y->product_id;
}

static void item_text(struct buf *o, const struct price_item_in *it)
{
    buf_printf(o, "%s%lld:%lld", o->len ? ";" : "", (long long)it->product_id,
               (long long)it->unit_price);
    for (int j = 0; j < it->nbreaks; j++) {
        const struct price_break_in *b = &it->breaks[j];
        if (b->has_price)
            buf_printf(o, "[%s/%s>=%lld=%lld]", b->kind, b->basis, (long long)b->threshold,
                       (long long)b->unit_price);
        else
            buf_printf(o, "[%s/%s>=%lld=-%lldbp]", b->kind, b->basis, (long long)b->threshold,
                       (long long)b->discount_bp);
    }
}

/* The stored items as price_item_in, sorted as the text wants them. */
static enum kam_err load_items(struct kam_ctx *ctx, int64_t list_id, struct price_item_in **out,
                               int *n_out)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "SELECT i.id, i.product_id, i.unit_price, b.kind, b.basis, b.threshold, "
                   "b.unit_price, b.discount_bp FROM price_list_items i LEFT JOIN price_breaks b "
                   "ON b.item_id = i.id WHERE i.list_id = ? ORDER BY i.product_id, b.kind, "
                   "b.basis, b.threshold",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, list_id);
    struct price_item_in *items = NULL;
    int n = 0, cap = 0;
    int64_t last = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        int64_t item = db_col_i64(st, 0);
        if (!n || item != last) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                struct price_item_in *g = arena_alloc(ctx->a, (size_t)cap * sizeof *g);
                if (n)
                    memcpy(g, items, (size_t)n * sizeof *g);
                items = g;
            }
            memset(&items[n], 0, sizeof items[n]);
            items[n].product_id = db_col_i64(st, 1);
            items[n].unit_price = db_col_i64(st, 2);
            items[n].breaks = arena_alloc(ctx->a, PRICE_BREAKS_MAX * sizeof(struct price_break_in));
            n++;
            last = item;
        }
        struct price_item_in *it = &items[n - 1];
        if (!db_col_is_null(st, 3) && it->nbreaks < PRICE_BREAKS_MAX) {
            struct price_break_in *b = &it->breaks[it->nbreaks++];
            memset(b, 0, sizeof *b);
            b->kind = arena_strdup(ctx->a, db_col_text(st, 3));
            b->basis = arena_strdup(ctx->a, db_col_text(st, 4));
            b->threshold = db_col_i64(st, 5);
            b->has_price = !db_col_is_null(st, 6);
            b->unit_price = b->has_price ? db_col_i64(st, 6) : 0;
            b->has_discount = !b->has_price;
            b->discount_bp = b->has_price ? 0 : db_col_i64(st, 7);
        }
    }
    db_done(st);
    *out = items;
    *n_out = n;
    return rc;
}

/* FNV-1a 64 over the items' text: the digest the audit row shows. */
static const char *items_digest(struct kam_ctx *ctx, const struct price_item_in *items, int n)
{
    uint64_t h = UINT64_C(14695981039346656037);
    struct buf o;
    buf_init(&o, 4096);
    for (int i = 0; i < n; i++) {
        o.len = 0;
        item_text(&o, &items[i]);
        for (size_t k = 0; k < o.len; k++)
            h = (h ^ (unsigned char)o.data[k]) * UINT64_C(1099511628211);
        h = (h ^ ';') * UINT64_C(1099511628211);
    }
    buf_release(&o);
    return arena_printf(ctx->a, "%d items #%016llx", n, (unsigned long long)h);
}

static const char *one_item(struct kam_ctx *ctx, const struct price_item_in *it)
{
    struct buf o;
    buf_init(&o, 4096);
    item_text(&o, it);
    const char *s = arena_strdup(ctx->a, o.len ? o.data : "");
    buf_release(&o);
    return s;
}

/* The per-product diff of two item sets (both by product id) into d: `items` (count + digest)
 * and `items_changed` (see pricing.h). */
static void diff_items(struct kam_ctx *ctx, struct audit_diff *d, const struct price_list *b,
                       const struct price_list *a)
{
    const struct price_item_in *bi = b ? b->cur_items : NULL, *ai = a ? a->cur_items : NULL;
    int nb = b ? b->n_cur_items : 0, na = a ? a->n_cur_items : 0;
    if (b && a && bi == ai && nb == na)
        return; /* the items were not given */
    struct buf o;
    buf_init(&o, PRICE_AUDIT_DIFF_MAX);
    int added = 0, removed = 0, changed = 0, i = 0, j = 0;
    while (i < nb || j < na) {
        if (j >= na || (i < nb && bi[i].product_id < ai[j].product_id)) {
            removed++;
            buf_printf(&o, "%s-%s", o.len ? ";" : "", one_item(ctx, &bi[i]));
            i++;
        } else if (i >= nb || ai[j].product_id < bi[i].product_id) {
            added++;
            buf_printf(&o, "%s+%s", o.len ? ";" : "", one_item(ctx, &ai[j]));
            j++;
        } else {
            const char *x = one_item(ctx, &bi[i]), *y = one_item(ctx, &ai[j]);
            if (strcmp(x, y)) {
                changed++;
                const char *yb = strchr(y, ':');
                buf_printf(&o, "%s~%s->%s", o.len ? ";" : "", x, yb ? yb + 1 : y);
            }
            i++, j++;
        }
    }
    const char *text = buf_ok(&o)
                           ? arena_strdup(ctx->a, o.len ? o.data : "")
                           : arena_printf(ctx->a, "%d changes: %d added, %d removed, %d changed",
                                          added + removed + changed, added, removed, changed);
    buf_release(&o);
    audit_diff_str(d, "items", b ? items_digest(ctx, bi, nb) : NULL,
                   a ? items_digest(ctx, ai, na) : NULL);
    if (added + removed + changed)
        audit_diff_str(d, "items_changed", NULL, text);
}

/* After POLICY_SCOPE_WITH: va(id, d), the caller's accounts (d 0) and their ancestors up to
 * PRICE_GROUP_DEPTH levels up: the parents whose group lists the caller may see (a group list
 * applies to its parent and every account under it, price.c's depth rule). */
#define GROUP_VA                                                                                   \
    ", va(id, d) AS (SELECT accounts.id, 0 FROM accounts WHERE " POLICY_SCOPE_COND                 \
    " UNION SELECT a.parent_id, va.d + 1 FROM accounts a JOIN va ON a.id = va.id WHERE "           \
    "a.parent_id IS NOT NULL AND va.d < 16) "

/* A group list is visible to a caller who may read any account it applies to; an account list
 * to a reader of that account (with prices.hide_other_accounts on). */
static enum kam_err visible(struct kam_ctx *ctx, const struct price_list *x)
{
    if (!x->has_account || strcmp(x->scope, "group") || !policy_list_scoped(&ctx->who))
        return pricing_visible(ctx, x->has_account, x->account_id, "price list");
    int64_t hide = 1;
    enum kam_err rc = settings_get_i64(ctx, "prices.hide_other_accounts", 1, &hide);
    if (rc || !hide)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    if (!policy_scope_with(ctx, &b))
        return KAM_OK;
    sqlb_sql(&b, GROUP_VA "SELECT COUNT(*) FROM va WHERE id = ?");
    sqlb_i64(&b, x->account_id);
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t n = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    if (rc)
        return rc;
    if (!n)
        return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such price list");
    return KAM_OK;
}

enum kam_err pricing_visible(struct kam_ctx *ctx, int has_account, int64_t account_id,
                             const char *what)
{
    if (!has_account || !policy_list_scoped(&ctx->who))
        return KAM_OK;
    int64_t hide = 1;
    enum kam_err rc = settings_get_i64(ctx, "prices.hide_other_accounts", 1, &hide);
    if (rc || !hide)
        return rc;
    int in = 0;
    rc = policy_account_in_scope(ctx, account_id, &in);
    if (rc && rc != KAM_ENOTFOUND)
        return rc;
    if (rc || !in) {
        kam_error_clear(ctx->err);
        return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such %s", what);
    }
    return KAM_OK;
}

/* The record; with_items (write paths: the audit diff) also its items. */
static enum kam_err get_raw(struct kam_ctx *ctx, int64_t id, struct price_list *out, int with_items)
{
    enum kam_err rc = row_get(ctx, "SELECT " COLS FROM " WHERE price_lists.id = ?", id, read_row,
                              out, "price list");
    if (rc || !with_items)
        return rc;
    struct price_item_in *items;
    int n;
    if ((rc = load_items(ctx, id, &items, &n)))
        return rc;
    out->cur_items = items;
    out->n_cur_items = n;
    out->items_loaded = 1;
    return KAM_OK;
}

static enum kam_err get_checked(struct kam_ctx *ctx, int64_t id, struct price_list *out,
                                int with_items)
{
    enum kam_err rc = get_raw(ctx, id, out, 0);
    if (rc || (rc = visible(ctx, out)) || !with_items)
        return rc;
    return get_raw(ctx, id, out, 1);
}

enum kam_err price_list_get(struct kam_ctx *ctx, int64_t id, struct price_list *out)
{
    return get_checked(ctx, id, out, 0);
}

/* ---- settings ---- */

enum kam_err pricing_settings_get(struct kam_ctx *ctx, struct pricing_settings *out)
{
    int64_t hide = 1;
    memset(out, 0, sizeof *out);
    enum kam_err rc = settings_get_i64(ctx, "prices.hide_other_accounts", 1, &hide);
    out->hide = hide != 0;
    if (!rc)
        rc = settings_get(ctx, "prices.below_price", "accept_with_reason", &out->below_price);
    return rc;
}

static enum kam_err setting_put(struct kam_ctx *ctx, const char *key, const char *value)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT "
                                 "(key) DO UPDATE SET value = excluded.value",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, key);
    db_bind_text(st, 2, value);
    return db_run(st, ctx->err);
}

enum kam_err pricing_settings_set(struct kam_ctx *ctx, const struct pricing_settings *in)
{
    if ((in->set & PRS_BELOW) &&
        (!in->below_price ||
         (strcmp(in->below_price, "refuse") && strcmp(in->below_price, "accept_with_reason"))))
        return kam_fail(ctx->err, KAM_EINVAL, "below_price",
                        "below_price must be refuse or accept_with_reason");
    struct pricing_settings before;
    enum kam_err rc = pricing_settings_get(ctx, &before);
    if (rc || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    if ((in->set & PRS_HIDE) &&
        !(rc = setting_put(ctx, "prices.hide_other_accounts", in->hide ? "1" : "0")))
        audit_diff_i64(&d, "prices.hide_other_accounts", before.hide, 0, in->hide != 0, 0);
    if (!rc && (in->set & PRS_BELOW) &&
        !(rc = setting_put(ctx, "prices.below_price", in->below_price)))
        audit_diff_str(&d, "prices.below_price", before.below_price, in->below_price);
    if (!rc)
        rc = audit_write(ctx, "settings", 1, 0, "update", &d); /* releases d */
    else
        audit_diff_release(&d);
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- checks ---- */

static enum kam_err pl_currency(struct kam_ctx *ctx, const char *field, const char *cur)
{
    if (!cur || strlen(cur) != 3 || cur[0] < 'A' || cur[0] > 'Z' || cur[1] < 'A' || cur[1] > 'Z' ||
        cur[2] < 'A' || cur[2] > 'Z')
        return kam_fail(ctx->err, KAM_EINVAL, field, "%s must be a currency code (CNY)", field);
    const char *base;
    int64_t out = 0;
    enum kam_err rc = settings_get(ctx, "base_currency", "CNY", &base);
    return rc ? rc : price_convert(ctx, field, 0, cur, base, &out);
}

static enum kam_err check_items(struct kam_ctx *ctx, struct price_item_in *items, int n)
{
    enum kam_err rc;
    if (n > PRICE_ITEMS_MAX)
        return kam_fail(ctx->err, KAM_EINVAL, "items", "items holds more than %d items",
                        PRICE_ITEMS_MAX);
    for (int i = 0; i < n; i++) {
        struct price_item_in *it = &items[i];
        const char *f = arena_printf(ctx->a, "items[%d]", i);
        if (!(it->set & 1))
            return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.product_id", f),
                            "%s.product_id is required", f);
        if (!(it->set & 2))
            return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.unit_price", f),
                            "%s.unit_price is required", f);
        if ((rc = check_range(ctx, arena_printf(ctx->a, "%s.unit_price", f), it->unit_price, 0,
                              INT64_C(1000000000000000))))
            return rc;
        int64_t pid = 0;
        rc = db_query_i64(ctx->db, "SELECT id FROM products WHERE id = ?", 1, it->product_id, &pid,
                          ctx->err);
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.product_id", f),
                            "%s.product_id: no such product", f);
        }
        if (rc)
            return rc;
        if (it->nbreaks > PRICE_BREAKS_MAX)
            return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.breaks", f),
                            "an item has at most %d breaks", PRICE_BREAKS_MAX);
        for (int j = 0; j < it->nbreaks; j++) {
            struct price_break_in *b = &it->breaks[j];
            const char *bf = arena_printf(ctx->a, "%s.breaks[%d]", f, j);
            if ((rc = check_enum(ctx, arena_printf(ctx->a, "%s.kind", bf), b->kind, break_kinds)) ||
                (rc = check_enum(ctx, arena_printf(ctx->a, "%s.basis", bf),
                                 b->basis ? b->basis : "order", break_bases)))
                return rc;
            if (!b->basis)
                b->basis = "order";
            if ((rc = check_range(ctx, arena_printf(ctx->a, "%s.threshold", bf), b->threshold, 1,
                                  INT64_C(1000000000000000))))
                return rc;
            if (b->has_price == b->has_discount)
                return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.unit_price", bf),
                                "%s: give exactly one of unit_price and discount_bp", bf);
            if (b->has_price && (rc = check_range(ctx, arena_printf(ctx->a, "%s.unit_price", bf),
                                                  b->unit_price, 0, it->unit_price)))
                return rc;
            if (b->has_discount &&
                (rc = check_range(ctx, arena_printf(ctx->a, "%s.discount_bp", bf), b->discount_bp,
                                  0, 10000)))
                return rc;
        }
        /* Monotonic within each kind x basis series; thresholds distinct. */
        for (int j = 0; j < it->nbreaks; j++)
            for (int k = 0; k < it->nbreaks; k++) {
                const struct price_break_in *a = &it->breaks[j], *b = &it->breaks[k];
                if (j == k || strcmp(a->kind, b->kind) || strcmp(a->basis, b->basis) ||
                    a->threshold > b->threshold)
                    continue;
                const char *bf = arena_printf(ctx->a, "%s.breaks[%d]", f, k);
                if (a->threshold == b->threshold)
                    return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.threshold", bf),
                                    "%s: two breaks of one kind and basis with the same threshold",
                                    bf);
                int64_t pa =
                    a->has_price ? a->unit_price : price_discount(it->unit_price, a->discount_bp);
                int64_t pb =
                    b->has_price ? b->unit_price : price_discount(it->unit_price, b->discount_bp);
                if (pb > pa)
                    return kam_fail(ctx->err, KAM_EINVAL,
                                    arena_printf(ctx->a, "%s.%s", bf,
                                                 b->has_price ? "unit_price" : "discount_bp"),
                                    "%s: breaks must not give a higher price at a higher "
                                    "threshold (%lld > %lld)",
                                    bf, (long long)pb, (long long)pa);
            }
        if (it->nbreaks > 1)
            qsort(it->breaks, (size_t)it->nbreaks, sizeof *it->breaks, cmp_break);
    }
    if (n > 1)
        qsort(items, (size_t)n, sizeof *items, cmp_item);
    for (int i = 1; i < n; i++)
        if (items[i].product_id == items[i - 1].product_id)
            return kam_fail(ctx->err, KAM_EINVAL, "items", "items: product %lld is listed twice",
                            (long long)items[i].product_id);
    return KAM_OK;
}

static enum kam_err validate(struct kam_ctx *ctx, struct price_list *x)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "name", x->name, 1, PRICE_NAME_MAX, CHECK_LINE)) ||
        (rc = check_text(ctx, "note", x->note, 0, PRICE_NOTE_MAX, CHECK_MULTILINE)) ||
        (rc = pl_currency(ctx, "currency", x->currency)) ||
        (rc = check_enum(ctx, "scope", x->scope, price_scopes)))
        return rc;
    if (x->valid_from && (rc = check_date(ctx, "valid_from", x->valid_from)))
        return rc;
    if (x->valid_to && (rc = check_date(ctx, "valid_to", x->valid_to)))
        return rc;
    if (x->valid_from && x->valid_to && strcmp(x->valid_from, x->valid_to) > 0)
        return kam_fail(ctx->err, KAM_EINVAL, "valid_to", "valid_to must not be before valid_from");
    if (!strcmp(x->scope, "tier")) {
        if (!x->tier || !*x->tier)
            return kam_fail(ctx->err, KAM_EINVAL, "tier", "a tier list names its tier");
        if ((rc = check_enum(ctx, "tier", x->tier, price_tiers)))
            return rc;
    } else if (x->tier) {
        return kam_fail(ctx->err, KAM_EINVAL, "tier", "only a tier list names a tier");
    }
    int with_account = !strcmp(x->scope, "group") || !strcmp(x->scope, "account");
    if (with_account && !x->has_account)
        return kam_fail(ctx->err, KAM_EINVAL, "account_id",
                        "a group or account list names its account");
    if (!with_account && x->has_account)
        return kam_fail(ctx->err, KAM_EINVAL, "account_id",
                        "only a group or account list names an account");
    if (x->has_account &&
        (rc = policy_body_account(ctx, "account_id", x->account_id, OBJ_PRICING, ACT_CREATE)))
        return rc;
    return KAM_OK;
}

static void merge(struct kam_ctx *ctx, struct price_list *x, const struct price_list_in *in)
{
    const struct price_list *v = &in->v;
    if (in->set & PL_NAME)
        x->name = v->name;
    if (in->set & PL_CURRENCY)
        x->currency = v->currency;
    if (in->set & PL_FROM)
        x->valid_from = v->valid_from;
    if (in->set & PL_TO)
        x->valid_to = v->valid_to;
    if (in->set & PL_ACTIVE)
        x->active = v->active;
    if (in->set & PL_SCOPE)
        x->scope = v->scope;
    if (in->set & PL_TIER)
        x->tier = v->tier;
    if (in->set & PL_ACCOUNT) {
        x->has_account = v->has_account;
        x->account_id = v->account_id;
    }
    if (in->set & PL_NOTE)
        x->note = v->note;
    (void)ctx;
}

static enum kam_err merge_items(struct kam_ctx *ctx, struct price_list *x,
                                const struct price_list_in *in)
{
    if (!(in->set & PL_ITEMS))
        return KAM_OK;
    /* a copy: check_items sorts */
    struct price_item_in *items =
        arena_alloc(ctx->a, (size_t)(in->nitems ? in->nitems : 1) * sizeof *items);
    if (in->nitems)
        memcpy(items, in->items, (size_t)in->nitems * sizeof *items);
    for (int i = 0; i < in->nitems; i++)
        if (items[i].nbreaks) {
            struct price_break_in *b = arena_alloc(ctx->a, (size_t)items[i].nbreaks * sizeof *b);
            memcpy(b, items[i].breaks, (size_t)items[i].nbreaks * sizeof *b);
            items[i].breaks = b;
        }
    enum kam_err rc = check_items(ctx, items, in->nitems);
    if (rc)
        return rc;
    x->new_items = items;
    x->n_new_items = in->nitems;
    x->cur_items = items;
    x->n_cur_items = in->nitems;
    x->nitems = in->nitems;
    return KAM_OK;
}

static void diff_all(struct kam_ctx *ctx, struct audit_diff *d, const struct price_list *b,
                     const struct price_list *a)
{
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "currency", b ? b->currency : NULL, a ? a->currency : NULL);
    audit_diff_str(d, "valid_from", b ? b->valid_from : NULL, a ? a->valid_from : NULL);
    audit_diff_str(d, "valid_to", b ? b->valid_to : NULL, a ? a->valid_to : NULL);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a ? a->active : 0, !a);
    audit_diff_str(d, "scope", b ? b->scope : NULL, a ? a->scope : NULL);
    audit_diff_str(d, "tier", b ? b->tier : NULL, a ? a->tier : NULL);
    audit_diff_i64(d, "account_id", b ? b->account_id : 0, !b || !b->has_account,
                   a ? a->account_id : 0, !a || !a->has_account);
    audit_diff_str(d, "note", b ? b->note : NULL, a ? a->note : NULL);
    diff_items(ctx, d, b, a);
}

static enum kam_err write_items(struct kam_ctx *ctx, int64_t list_id,
                                const struct price_item_in *items, int n)
{
    enum kam_err rc;
    if ((rc = db_exec_i64(ctx->db,
                          "DELETE FROM price_breaks WHERE item_id IN (SELECT id FROM "
                          "price_list_items WHERE list_id = ?)",
                          list_id, ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM price_list_items WHERE list_id = ?", list_id,
                          ctx->err)))
        return rc;
    for (int i = 0; i < n; i++) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO price_list_items (list_id, product_id, unit_price) "
                             "VALUES (?, ?, ?) RETURNING id",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, list_id);
        db_bind_i64(st, 2, items[i].product_id);
        db_bind_i64(st, 3, items[i].unit_price);
        int row = 0;
        int64_t item = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row)
            item = db_col_i64(st, 0);
        db_done(st);
        if (rc)
            return rc;
        for (int j = 0; j < items[i].nbreaks; j++) {
            const struct price_break_in *b = &items[i].breaks[j];
            if ((rc = db_prepare(ctx->db,
                                 "INSERT INTO price_breaks (item_id, kind, basis, threshold, "
                                 "unit_price, discount_bp) VALUES (?, ?, ?, ?, ?, ?)",
                                 &st, ctx->err)))
                return rc;
            db_bind_i64(st, 1, item);
            db_bind_text(st, 2, b->kind);
            db_bind_text(st, 3, b->basis);
            db_bind_i64(st, 4, b->threshold);
            db_bind_i64n(st, 5, b->unit_price, !b->has_price);
            db_bind_i64n(st, 6, b->discount_bp, !b->has_discount);
            if ((rc = db_run(st, ctx->err)))
                return rc;
        }
    }
    return KAM_OK;
}

#define WRITE_COLS                                                                                 \
    "name = ?, currency = ?, valid_from = ?, valid_to = ?, active = ?, scope = ?, tier = ?, "      \
    "account_id = ?, note = ?, updated_at = ?"

static void bind_all(struct db_stmt *st, const struct price_list *x, int64_t now)
{
    db_bind_text(st, 1, x->name);
    db_bind_text(st, 2, x->currency);
    db_bind_text(st, 3, x->valid_from);
    db_bind_text(st, 4, x->valid_to);
    db_bind_i64(st, 5, x->active);
    db_bind_text(st, 6, x->scope);
    db_bind_text(st, 7, x->tier);
    db_bind_i64n(st, 8, x->account_id, !x->has_account);
    db_bind_text(st, 9, x->note);
    db_bind_i64(st, 10, now);
}

enum kam_err price_list_create(struct kam_ctx *ctx, const struct price_list_in *in,
                               struct price_list *out)
{
    struct price_list x = {0};
    x.active = 1;
    x.note = "";
    x.scope = "all";
    merge(ctx, &x, in);
    if (!(in->set & PL_NAME))
        return kam_fail_key(ctx->err, KAM_EINVAL, "name", "required",
                            (struct kam_param[]){{"field", "name"}, {0}}, "name is required");
    if (!(in->set & PL_CURRENCY))
        return kam_fail_key(ctx->err, KAM_EINVAL, "currency", "required",
                            (struct kam_param[]){{"field", "currency"}, {0}},
                            "currency is required");
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    if ((rc = validate(ctx, &x)) || (rc = merge_items(ctx, &x, in)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO price_lists (name, currency, valid_from, valid_to, active, "
                         "scope, tier, account_id, note, updated_at, created_at, version) VALUES "
                         "(?,?,?,?,?,?,?,?,?,?,?,1) RETURNING id",
                         &st, ctx->err)))
        goto out;
    bind_all(st, &x, ctx->now);
    db_bind_i64(st, 11, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    if (x.new_items && (rc = write_items(ctx, x.id, x.new_items, x.n_new_items)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(ctx, &d, NULL, &x);
    rc = audit_write(ctx, "price_list", x.id, x.has_account ? x.account_id : 0, "create", &d);
    if (!rc)
        rc = get_raw(ctx, x.id, out, 0);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- update ---- */

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return get_checked(ctx, id, rec, 1);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    struct price_list *x = rec;
    const struct price_list_in *in = op->in;
    x->new_items = NULL;
    x->n_new_items = 0;
    merge(op->ctx, x, in);
    /* A list moved off tier/group/account scope drops what it no longer names. */
    if ((in->set & PL_SCOPE) && strcmp(x->scope ? x->scope : "", "tier") && !(in->set & PL_TIER))
        x->tier = NULL;
    if ((in->set & PL_SCOPE) && strcmp(x->scope ? x->scope : "", "group") &&
        strcmp(x->scope ? x->scope : "", "account") && !(in->set & PL_ACCOUNT))
        x->has_account = 0, x->account_id = 0;
    enum kam_err rc = validate(op->ctx, x);
    return rc ? rc : merge_items(op->ctx, x, in);
}

static void up_diff(const struct update_op *op)
{
    diff_all(op->ctx, op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct price_list *x = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    enum kam_err rc;
    /* The items first: the versioned UPDATE must be the last statement (record_update reads
     * its row count); a lost race rolls the items back with it. */
    if (x->new_items && (rc = write_items(ctx, x->id, x->new_items, x->n_new_items)))
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "UPDATE price_lists SET " WRITE_COLS
                         ", version = version + 1 WHERE id = ? AND version = ?",
                         &st, ctx->err)))
        return rc;
    bind_all(st, x, ctx->now);
    db_bind_i64(st, 11, x->id);
    db_bind_i64(st, 12, b->version);
    return db_run(st, ctx->err);
}

static int64_t up_account(const void *rec)
{
    const struct price_list *x = rec;
    return x->has_account ? x->account_id : 0;
}

static const struct update_spec list_spec = {
    .entity = "price_list",
    .noun = "price list",
    .size = sizeof(struct price_list),
    .versioned = 1,
    .version_at = offsetof(struct price_list, version),
    .in_set_at = offsetof(struct price_list_in, set),
    .in_version_at = offsetof(struct price_list_in, v.version),
    .in_version_bit = PL_VERSION,
    .get = up_get,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
};

enum kam_err price_list_update(struct kam_ctx *ctx, int64_t id, const struct price_list_in *in,
                               struct price_list *out)
{
    return record_update(ctx, &list_spec, id, in, out);
}

enum kam_err price_list_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct price_list before;
    int64_t contracts = 0;
    if ((rc = get_checked(ctx, id, &before, 1)) ||
        (rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM contracts WHERE price_list_id = ?", 1, id,
                           &contracts, ctx->err)))
        goto out;
    if (contracts) { /* a contract's agreed prices (issue 17): deactivate it instead */
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "price_list.in_contract", NULL,
                          "a contract's prices are on this list; deactivate it instead");
        goto out;
    }
    if ((rc = write_items(ctx, id, NULL, 0)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM price_lists WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(ctx, &d, &before, NULL);
    rc = audit_write(ctx, "price_list", id, before.has_account ? before.account_id : 0, "delete",
                     &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- lists ---- */

enum kam_err pricing_scope_with(struct kam_ctx *ctx, struct sqlb *b, int *scoped)
{
    int64_t hide = 1;
    enum kam_err rc = settings_get_i64(ctx, "prices.hide_other_accounts", 1, &hide);
    *scoped = !rc && hide && policy_list_scoped(&ctx->who) ? policy_scope_with(ctx, b) : 0;
    return rc;
}

static const struct page_sort sorts[] = {
    {"id", "price_lists.id", 0},
    {"name", "price_lists.name", 1},
};

static enum kam_err where(struct kam_ctx *ctx, const struct price_list_query *q, struct sqlb *b,
                          const char *select)
{
    enum kam_err rc;
    if ((q->scope && (rc = check_enum(ctx, "scope", q->scope, price_scopes))) ||
        (q->valid_on && (rc = check_date(ctx, "valid_on", q->valid_on))))
        return rc;
    int scoped = 0;
    if ((rc = pricing_scope_with(ctx, b, &scoped)))
        return rc;
    if (scoped)
        sqlb_sql(b, GROUP_VA);
    sqlb_sql(b, select);
    sqlb_sql(b, FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(b, " AND (price_lists.account_id IS NULL OR (price_lists.scope = 'group' AND "
                    "price_lists.account_id IN (SELECT id FROM va)) OR (price_lists.scope <> "
                    "'group' AND " POLICY_SCOPE_COND "))");
    if (q->scope) {
        sqlb_sql(b, " AND price_lists.scope = ?");
        sqlb_text(b, q->scope);
    }
    if (q->account_id) {
        sqlb_sql(b, " AND price_lists.account_id = ?");
        sqlb_i64(b, q->account_id);
    }
    if (q->active >= 0) {
        sqlb_sql(b, " AND price_lists.active = ?");
        sqlb_i64(b, q->active);
    }
    if (q->valid_on) {
        sqlb_sql(b, " AND (price_lists.valid_from IS NULL OR price_lists.valid_from <= ?) AND "
                    "(price_lists.valid_to IS NULL OR price_lists.valid_to >= ?)");
        sqlb_text(b, q->valid_on);
        sqlb_text(b, q->valid_on);
    }
    return KAM_OK;
}

enum kam_err price_list_list(struct kam_ctx *ctx, const struct price_list_query *q,
                             struct price_list **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, sizeof sorts / sizeof sorts[0],
                                 q->sort ? q->sort : "id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    if ((rc = where(ctx, q, &b, "SELECT " COLS)))
        return rc;
    struct price_list *items;
    const struct price_list *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "price_lists.id", read_row, sizeof *items, (void **)&items,
                         &n, (const void **)&last)))
        return rc;
    *next_out = NULL;
    if (last) {
        const struct price_list *l = &items[n - 1];
        *next_out = page_cursor(ctx, &pg, l->name, l->id, l->id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err price_list_count(struct kam_ctx *ctx, const struct price_list_query *q, int64_t *n_out)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    enum kam_err rc = where(ctx, q, &b, "SELECT COUNT(*)");
    if (rc)
        return rc;
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *n_out = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    return rc;
}

enum kam_err price_list_items(struct kam_ctx *ctx, int64_t list_id, int64_t after_product,
                              int64_t limit, struct price_item **items_out, size_t *n_out,
                              int *more_out)
{
    struct price_list l;
    enum kam_err rc = price_list_get(ctx, list_id, &l);
    if (rc)
        return rc;
    if (limit <= 0 || limit > PAGE_MAX)
        limit = limit <= 0 ? PAGE_DEFAULT : PAGE_MAX;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT i.id, i.product_id, i.unit_price, p.sku, p.name FROM "
                         "price_list_items i JOIN products p ON p.id = i.product_id WHERE "
                         "i.list_id = ? AND i.product_id > ? ORDER BY i.product_id LIMIT ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, list_id);
    db_bind_i64(st, 2, after_product);
    db_bind_i64(st, 3, limit + 1);
    struct price_item *items = arena_alloc(ctx->a, (size_t)(limit + 1) * sizeof *items);
    size_t n = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        struct price_item *it = &items[n++];
        memset(it, 0, sizeof *it);
        it->id = db_col_i64(st, 0);
        it->list_id = list_id;
        it->product_id = db_col_i64(st, 1);
        it->unit_price = db_col_i64(st, 2);
        it->sku = arena_strdup(ctx->a, db_col_text(st, 3));
        it->product_name = arena_strdup(ctx->a, db_col_text(st, 4));
    }
    db_done(st);
    if (rc)
        return rc;
    *more_out = n > (size_t)limit;
    if (*more_out)
        n = (size_t)limit;
    for (size_t i = 0; i < n; i++) {
        struct price_item *it = &items[i];
        it->breaks = arena_alloc(ctx->a, PRICE_BREAKS_MAX * sizeof *it->breaks);
        if ((rc = db_prepare(ctx->db,
                             "SELECT id, kind, basis, threshold, unit_price, discount_bp FROM "
                             "price_breaks WHERE item_id = ? ORDER BY kind, basis, threshold",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, it->id);
        for (;;) {
            int row = 0;
            if ((rc = db_step(st, &row, ctx->err)) || !row)
                break;
            if (it->nbreaks >= PRICE_BREAKS_MAX)
                continue;
            struct price_break *b = &it->breaks[it->nbreaks++];
            b->id = db_col_i64(st, 0);
            b->kind = arena_strdup(ctx->a, db_col_text(st, 1));
            b->basis = arena_strdup(ctx->a, db_col_text(st, 2));
            b->threshold = db_col_i64(st, 3);
            b->has_price = !db_col_is_null(st, 4);
            b->unit_price = b->has_price ? db_col_i64(st, 4) : 0;
            b->has_discount = !db_col_is_null(st, 5);
            b->discount_bp = b->has_discount ? db_col_i64(st, 5) : 0;
        }
        db_done(st);
        if (rc)
            return rc;
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}
