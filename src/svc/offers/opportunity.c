/* opportunity.c -- opportunities (商机): create, read, PATCH (stage moves, products, needs),
 * delete, lists; the stage table; the pipeline. */
#include "opportunity.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/currency.h"
#include "base/timeutil.h"
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

/* The effective probability: a closed (won/lost) opportunity weighs its stage's probability
 * (won 100 %, lost 0 % by default) whatever its own; an open one its own, else the stage's. */
#define EFF_BP                                                                                     \
    "(CASE WHEN opportunity_stages.outcome <> 'open' THEN opportunity_stages.probability_bp ELSE " \
    "COALESCE(opportunities.probability_bp, opportunity_stages.probability_bp) END)"

#define COLS                                                                                       \
    "opportunities.id, opportunities.account_id, opportunities.name, opportunities.owner_id, "     \
    "opportunities.stage, opportunities.amount, opportunities.currency, opportunities.quantity, "  \
    "opportunities.close_month, opportunities.probability_bp, opportunities.competitors, "         \
    "opportunities.outcome_reason, opportunities.closed_at, opportunities.version, "               \
    "opportunities.created_at, opportunities.updated_at, accounts.name, "                          \
    "opportunity_stages.outcome, " EFF_BP

#define FROM                                                                                       \
    " FROM opportunities JOIN accounts ON accounts.id = opportunities.account_id JOIN "            \
    "opportunity_stages ON opportunity_stages.code = opportunities.stage"

/* ---- pure helpers ---- */

int64_t opp_weighted(int64_t amount, int64_t bp)
{
    int of = 0;
    return price_muldiv(amount, bp, 10000, &of);
}

int opp_month_ok(const char *s)
{
    if (!s || strlen(s) != 7 || s[4] != '-')
        return 0;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int y = atoi(s), m = atoi(s + 5);
    return y >= 1900 && y <= 9998 && m >= 1 && m <= 12;
}

void opp_month_next(const char *m, char out[8])
{
    int y = atoi(m), mo = atoi(m + 5) + 1;
    if (mo > 12) {
        mo = 1;
        y++;
    }
    char tmp[16];
    snprintf(tmp, sizeof tmp, "%04d-%02d", y % 10000, mo % 100);
    memcpy(out, tmp, 7);
    out[7] = 0;
}

static enum kam_err check_month(struct kam_ctx *ctx, const char *field, const char *s)
{
    if (opp_month_ok(s))
        return KAM_OK;
    return kam_fail_key(ctx->err, KAM_EINVAL, field, "bad_month",
                        (struct kam_param[]){{"field", field}, {0}}, "%s must be YYYY-MM", field);
}

/* ---- reading ---- */

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct opportunity *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->account_id = db_col_i64(st, 1);
    x->name = arena_strdup(ctx->a, db_col_text(st, 2));
    x->has_owner = !db_col_is_null(st, 3);
    x->owner_id = x->has_owner ? db_col_i64(st, 3) : 0;
    x->stage = arena_strdup(ctx->a, db_col_text(st, 4));
    x->amount = db_col_i64(st, 5);
    x->currency = arena_strdup(ctx->a, db_col_text(st, 6));
    x->has_quantity = !db_col_is_null(st, 7);
    x->quantity = x->has_quantity ? db_col_i64(st, 7) : 0;
    x->close_month = arena_strdup(ctx->a, db_col_text(st, 8));
    x->has_probability = !db_col_is_null(st, 9);
    x->probability_bp = x->has_probability ? db_col_i64(st, 9) : 0;
    x->competitors = arena_strdup(ctx->a, db_col_text(st, 10));
    x->outcome_reason = arena_strdup(ctx->a, db_col_text(st, 11));
    x->has_closed = !db_col_is_null(st, 12);
    x->closed_at = x->has_closed ? db_col_i64(st, 12) : 0;
    x->version = db_col_i64(st, 13);
    x->created_at = db_col_i64(st, 14);
    x->updated_at = db_col_i64(st, 15);
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 16));
    x->outcome = arena_strdup(ctx->a, db_col_text(st, 17));
    x->effective_bp = db_col_i64(st, 18);
}

static void read_product(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct opp_product *p = row;
    memset(p, 0, sizeof *p);
    p->product_id = db_col_i64(st, 0);
    p->has_quantity = !db_col_is_null(st, 1);
    p->quantity = p->has_quantity ? db_col_i64(st, 1) : 0;
    p->has_amount = !db_col_is_null(st, 2);
    p->amount = p->has_amount ? db_col_i64(st, 2) : 0;
    p->sku = arena_strdup(ctx->a, db_col_text(st, 3));
    p->name = arena_strdup(ctx->a, db_col_text(st, 4));
}

static void read_id(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    (void)ctx;
    *(int64_t *)row = db_col_i64(st, 0);
}

static void read_text(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    *(const char **)row = arena_strdup(ctx->a, db_col_text(st, 0));
}

static void read_offer(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct opp_offer *o = row;
    o->id = db_col_i64(st, 0);
    o->number = arena_strdup(ctx->a, db_col_text(st, 1));
    o->version_no = db_col_i64(st, 2);
    o->status = arena_strdup(ctx->a, db_col_text(st, 3));
    o->total = db_col_i64(st, 4);
    o->currency = arena_strdup(ctx->a, db_col_text(st, 5));
}

static enum kam_err collect(struct kam_ctx *ctx, const char *sql, int64_t id, row_reader read,
                            size_t size, void **items, size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    return rows_collect(ctx, st, 1000, read, size, items, n);
}

enum kam_err opportunity_get(struct kam_ctx *ctx, int64_t id, struct opportunity *out)
{
    size_t n_texts = 0;
    enum kam_err rc = row_get(ctx, "SELECT " COLS FROM " WHERE opportunities.id = ?", id, read_row,
                              out, "opportunity");
    if (rc ||
        (rc = collect(ctx,
                      "SELECT op.product_id, op.quantity, op.amount, products.sku, products.name "
                      "FROM opportunity_products op JOIN products ON products.id = op.product_id "
                      "WHERE op.opportunity_id = ? ORDER BY op.product_id",
                      id, read_product, sizeof(struct opp_product), (void **)&out->products,
                      &out->n_products)) ||
        (rc = collect(ctx,
                      "SELECT need_id FROM opportunity_needs WHERE opportunity_id = ? ORDER BY "
                      "need_id",
                      id, read_id, sizeof(int64_t), (void **)&out->need_ids, &out->n_needs)) ||
        (rc = collect(ctx,
                      "SELECT needs.description FROM opportunity_needs JOIN needs ON needs.id = "
                      "opportunity_needs.need_id WHERE opportunity_needs.opportunity_id = ? ORDER "
                      "BY opportunity_needs.need_id",
                      id, read_text, sizeof(const char *), (void **)&out->need_texts, &n_texts)))
        return rc;
    if (n_texts != out->n_needs)
        out->need_texts = NULL; /* a need removed meanwhile: the audit text falls back to ids */
    return collect(ctx,
                   "SELECT id, number, version_no, status, total, currency FROM offers WHERE "
                   "opportunity_id = ? ORDER BY id",
                   id, read_offer, sizeof(struct opp_offer), (void **)&out->offers, &out->n_offers);
}

/* ---- audit ---- */

/* v (scaled by 10^digits) as exact decimal text; trailing zeros dropped when trim. */
static const char *fixed(struct kam_ctx *ctx, int64_t v, int digits, int trim)
{
    int64_t scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    const char *sign = v < 0 ? "-" : "";
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t whole = u / (uint64_t)scale, frac = u % (uint64_t)scale;
    if (!digits || (trim && !frac))
        return arena_printf(ctx->a, "%s%llu", sign, (unsigned long long)whole);
    char f[24];
    snprintf(f, sizeof f, "%0*llu", digits, (unsigned long long)frac);
    for (int i = digits - 1; trim && i > 0 && f[i] == '0'; i--)
        f[i] = 0;
    return arena_printf(ctx->a, "%s%llu.%s", sign, (unsigned long long)whole, f);
}

/* The products as people read them: "BRG-220 ×50, BRG-330 ×2.5 =1500.00 CNY" (SKU, decimal
 * quantity, amount in the opportunity's currency). */
static const char *products_text(struct kam_ctx *ctx, const struct opportunity *x)
{
    if (!x || !x->n_products)
        return NULL;
    const char *s = "";
    for (size_t i = 0; i < x->n_products; i++) {
        const struct opp_product *p = &x->products[i];
        const char *sku =
            p->sku && *p->sku ? p->sku : arena_printf(ctx->a, "#%lld", (long long)p->product_id);
        const char *q = p->has_quantity
                            ? arena_printf(ctx->a, " \xc3\x97%s", fixed(ctx, p->quantity, 3, 1))
                            : "";
        const char *a =
            p->has_amount
                ? arena_printf(ctx->a, " =%s %s",
                               fixed(ctx, p->amount, currency_minor_digits(x->currency), 0),
                               x->currency)
                : "";
        s = arena_printf(ctx->a, "%s%s%s%s%s", s, i ? ", " : "", sku, q, a);
    }
    return s;
}

/* The needs by their descriptions (read by opportunity_get and validate; each cut to about 60 bytes
 * on a character boundary). */
static const char *needs_text(struct kam_ctx *ctx, const struct opportunity *x)
{
    if (!x || !x->n_needs)
        return NULL;
    const char *s = "";
    for (size_t i = 0; i < x->n_needs; i++) {
        const char *d = x->need_texts ? x->need_texts[i] : NULL;
        if (!d || !*d)
            d = arena_printf(ctx->a, "#%lld", (long long)x->need_ids[i]);
        size_t len = strlen(d);
        if (len > 60) {
            len = 60;
            while (len && ((unsigned char)d[len] & 0xC0) == 0x80)
                len--;
            d = arena_printf(ctx->a, "%.*s\xe2\x80\xa6", (int)len, d);
        }
        s = arena_printf(ctx->a, "%s%s%s", s, i ? "; " : "", d);
    }
    return s;
}

static void diff_all(struct kam_ctx *ctx, struct audit_diff *d, const struct opportunity *b,
                     const struct opportunity *a)
{
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "stage", b ? b->stage : NULL, a ? a->stage : NULL);
    audit_diff_i64(d, "owner_id", b ? b->owner_id : 0, !b || !b->has_owner, a ? a->owner_id : 0,
                   !a || !a->has_owner);
    audit_diff_i64(d, "amount", b ? b->amount : 0, !b, a ? a->amount : 0, !a);
    if (b && a && b->amount != a->amount && !strcmp(b->currency, a->currency)) {
        /* the amount's currency rides along (the history shows "¥1,000.00 CNY", not a bare
         * number), though it did not change */
        jw_key(&d->w, "currency");
        jw_arr_begin(&d->w);
        jw_str(&d->w, b->currency);
        jw_str(&d->w, a->currency);
        jw_arr_end(&d->w);
        d->n++;
    } else
        audit_diff_str(d, "currency", b ? b->currency : NULL, a ? a->currency : NULL);
    audit_diff_i64(d, "quantity", b ? b->quantity : 0, !b || !b->has_quantity, a ? a->quantity : 0,
                   !a || !a->has_quantity);
    audit_diff_str(d, "close_month", b ? b->close_month : NULL, a ? a->close_month : NULL);
    audit_diff_i64(d, "probability_bp", b ? b->probability_bp : 0, !b || !b->has_probability,
                   a ? a->probability_bp : 0, !a || !a->has_probability);
    audit_diff_str(d, "competitors", b && *b->competitors ? b->competitors : NULL,
                   a && *a->competitors ? a->competitors : NULL);
    audit_diff_str(d, "outcome_reason", b && *b->outcome_reason ? b->outcome_reason : NULL,
                   a && *a->outcome_reason ? a->outcome_reason : NULL);
    audit_diff_time(d, "closed_at", b ? b->closed_at : 0, !b || !b->has_closed,
                    a ? a->closed_at : 0, !a || !a->has_closed);
    audit_diff_str(d, "products", products_text(ctx, b), products_text(ctx, a));
    audit_diff_str(d, "need_ids", needs_text(ctx, b), needs_text(ctx, a));
}

/* ---- validation ---- */

static enum kam_err stage_of(struct kam_ctx *ctx, const char *code, const char **outcome,
                             int *active)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT outcome, active FROM opportunity_stages WHERE code = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, code);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        *outcome = arena_strdup(ctx->a, db_col_text(st, 0));
        *active = (int)db_col_i64(st, 1);
    }
    db_done(st);
    if (!rc && !row)
        *outcome = NULL;
    return rc;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_product(const void *a, const void *b)
{
    return cmp_i64(&((const struct opp_product *)a)->product_id,
                   &((const struct opp_product *)b)->product_id);
}

static enum kam_err validate(struct kam_ctx *ctx, struct opportunity *x,
                             const struct opportunity *before)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "name", x->name, 1, OPP_NAME_MAX, CHECK_LINE)) ||
        (rc = check_range(ctx, "amount", x->amount, 0, OPP_AMOUNT_MAX)) ||
        (rc = check_currency(ctx, "currency", x->currency)) ||
        (rc = check_month(ctx, "close_month", x->close_month)) ||
        (rc = check_text(ctx, "competitors", x->competitors, 0, OPP_TEXT_MAX, CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "outcome_reason", x->outcome_reason, 0, OPP_TEXT_MAX,
                         CHECK_MULTILINE)))
        return rc;
    if (x->has_quantity && (rc = check_range(ctx, "quantity", x->quantity, 0, OPP_AMOUNT_MAX)))
        return rc;
    if (x->has_probability &&
        (rc = check_range(ctx, "probability_bp", x->probability_bp, 0, 10000)))
        return rc;
    /* The currency must have a rate (or be the base currency). */
    if (!before || strcmp(before->currency, x->currency) != 0) {
        int64_t dummy;
        const char *base;
        if ((rc = settings_get(ctx, "base_currency", "CNY", &base)) ||
            (rc = price_convert(ctx, "currency", 1, x->currency, base, &dummy)))
            return rc;
    }
    /* Stage: an active one (an inactive stage may stay where it is). */
    const char *outcome = NULL;
    int active = 0;
    if ((rc = stage_of(ctx, x->stage, &outcome, &active)))
        return rc;
    if (!outcome || (!active && (!before || strcmp(before->stage, x->stage) != 0)))
        return kam_fail_key(ctx->err, KAM_EINVAL, "stage", "opportunity.bad_stage",
                            (struct kam_param[]){{"stage", x->stage}, {0}},
                            "stage must be an active stage");
    x->outcome = outcome;
    int closing = strcmp(outcome, "open") != 0;
    if (closing && !*x->outcome_reason)
        return kam_fail_key(ctx->err, KAM_EINVAL, "outcome_reason", "opportunity.reason_required",
                            NULL,
                            "outcome_reason is required to close an opportunity as won or lost");
    if (closing && !(before && before->has_closed && strcmp(before->outcome, "open") != 0)) {
        x->has_closed = 1;
        x->closed_at = ctx->now;
    } else if (!closing) {
        x->has_closed = 0;
        x->closed_at = 0;
    }
    /* Owner: an active user who may work on this account's opportunities. */
    if (x->has_owner && (!before || !before->has_owner || before->owner_id != x->owner_id)) {
        int64_t disabled = 1;
        rc = db_query_i64(ctx->db, "SELECT disabled FROM users WHERE id = ?", 1, x->owner_id,
                          &disabled, ctx->err);
        if (rc && rc != KAM_ENOTFOUND)
            return rc;
        int yes = 0;
        if (!rc && !disabled &&
            (rc = policy_user_may(ctx, x->owner_id, OBJ_OPPORTUNITY, ACT_UPDATE, x->account_id,
                                  &yes)))
            return rc;
        if (!yes) {
            kam_error_clear(ctx->err);
            return kam_fail_key(ctx->err, KAM_EINVAL, "owner_id", "opportunity.bad_owner", NULL,
                                "owner_id must be an active user who may work on this "
                                "account's opportunities");
        }
    }
    /* Products: known, distinct. */
    if (x->n_products)
        qsort(x->products, x->n_products, sizeof *x->products, cmp_product);
    for (size_t i = 0; i < x->n_products; i++) {
        const struct opp_product *p = &x->products[i];
        const char *f = arena_printf(ctx->a, "products[%zu]", i);
        if (i && p->product_id == x->products[i - 1].product_id)
            return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.product_id", f),
                            "%s.product_id: a product is named twice", f);
        if ((p->has_quantity && (rc = check_range(ctx, arena_printf(ctx->a, "%s.quantity", f),
                                                  p->quantity, 0, OPP_AMOUNT_MAX))) ||
            (p->has_amount && (rc = check_range(ctx, arena_printf(ctx->a, "%s.amount", f),
                                                p->amount, 0, OPP_AMOUNT_MAX))))
            return rc;
        /* known; its SKU for the audit text */
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db, "SELECT sku FROM products WHERE id = ?", &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, p->product_id);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row)
            x->products[i].sku = arena_strdup(ctx->a, db_col_text(st, 0));
        db_done(st);
        if (rc)
            return rc;
        if (!row)
            return kam_fail_key(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.product_id", f),
                                "opportunity.bad_product", NULL, "%s.product_id: no such product",
                                f);
    }
    /* Needs: of the same account, distinct. */
    if (x->n_needs)
        qsort(x->need_ids, x->n_needs, sizeof *x->need_ids, cmp_i64);
    /* their descriptions for the audit text (a fresh array: x may share before's) */
    x->need_texts = arena_alloc(ctx->a, (x->n_needs + 1) * sizeof *x->need_texts);
    for (size_t i = 0; i < x->n_needs; i++) {
        const char *f = arena_printf(ctx->a, "need_ids[%zu]", i);
        if (i && x->need_ids[i] == x->need_ids[i - 1])
            return kam_fail(ctx->err, KAM_EINVAL, f, "%s: a need is named twice", f);
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db, "SELECT account_id, description FROM needs WHERE id = ?", &st,
                             ctx->err)))
            return rc;
        db_bind_i64(st, 1, x->need_ids[i]);
        int row = 0, same = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row) {
            same = db_col_i64(st, 0) == x->account_id;
            x->need_texts[i] = arena_strdup(ctx->a, db_col_text(st, 1));
        }
        db_done(st);
        if (rc)
            return rc;
        if (!same)
            return kam_fail_key(ctx->err, KAM_EINVAL, "need_ids", "opportunity.need_other_account",
                                NULL, "need_ids must name needs of the same account");
    }
    return KAM_OK;
}

static void merge(struct kam_ctx *ctx, struct opportunity *x, const struct opportunity_in *in)
{
    const struct opportunity *v = &in->v;
    if (in->set & OPP_NAME)
        x->name = v->name;
    if (in->set & OPP_OWNER) {
        x->has_owner = v->has_owner;
        x->owner_id = v->owner_id;
    }
    if (in->set & OPP_STAGE)
        x->stage = v->stage;
    if (in->set & OPP_AMOUNT)
        x->amount = v->amount;
    if (in->set & OPP_CURRENCY)
        x->currency = v->currency;
    if (in->set & OPP_QUANTITY) {
        x->has_quantity = v->has_quantity;
        x->quantity = v->quantity;
    }
    if (in->set & OPP_CLOSE)
        x->close_month = v->close_month;
    if (in->set & OPP_PROB) {
        x->has_probability = v->has_probability;
        x->probability_bp = v->probability_bp;
    }
    if (in->set & OPP_COMPETITORS)
        x->competitors = v->competitors ? v->competitors : "";
    if (in->set & OPP_REASON)
        x->outcome_reason = v->outcome_reason ? v->outcome_reason : "";
    /* Lists are copied so validate may sort them. */
    if (in->set & OPP_PRODUCTS) {
        x->n_products = v->n_products;
        x->products = arena_alloc(ctx->a, (v->n_products + 1) * sizeof *x->products);
        if (v->n_products)
            memcpy(x->products, v->products, v->n_products * sizeof *x->products);
    }
    if (in->set & OPP_NEEDS) {
        x->n_needs = v->n_needs;
        x->need_ids = arena_alloc(ctx->a, (v->n_needs + 1) * sizeof *x->need_ids);
        if (v->n_needs)
            memcpy(x->need_ids, v->need_ids, v->n_needs * sizeof *x->need_ids);
    }
}

#define WRITE_COLS                                                                                 \
    "name = ?, owner_id = ?, stage = ?, amount = ?, currency = ?, quantity = ?, close_month = ?, " \
    "probability_bp = ?, competitors = ?, outcome_reason = ?, closed_at = ?, updated_at = ?"

static void bind_all(struct db_stmt *st, const struct opportunity *x, int64_t now)
{
    db_bind_text(st, 1, x->name);
    db_bind_i64n(st, 2, x->owner_id, !x->has_owner);
    db_bind_text(st, 3, x->stage);
    db_bind_i64(st, 4, x->amount);
    db_bind_text(st, 5, x->currency);
    db_bind_i64n(st, 6, x->quantity, !x->has_quantity);
    db_bind_text(st, 7, x->close_month);
    db_bind_i64n(st, 8, x->probability_bp, !x->has_probability);
    db_bind_text(st, 9, x->competitors);
    db_bind_text(st, 10, x->outcome_reason);
    db_bind_i64n(st, 11, x->closed_at, !x->has_closed);
    db_bind_i64(st, 12, now);
}

/* Replaces the product and need links of id with x's. */
static enum kam_err write_links(struct kam_ctx *ctx, const struct opportunity *x)
{
    enum kam_err rc;
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM opportunity_products WHERE opportunity_id = ?",
                          x->id, ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM opportunity_needs WHERE opportunity_id = ?", x->id,
                          ctx->err)))
        return rc;
    for (size_t i = 0; i < x->n_products; i++) {
        const struct opp_product *p = &x->products[i];
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO opportunity_products (opportunity_id, product_id, "
                             "quantity, amount) VALUES (?, ?, ?, ?)",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, x->id);
        db_bind_i64(st, 2, p->product_id);
        db_bind_i64n(st, 3, p->quantity, !p->has_quantity);
        db_bind_i64n(st, 4, p->amount, !p->has_amount);
        if ((rc = db_run(st, ctx->err)))
            return rc;
    }
    for (size_t i = 0; i < x->n_needs; i++) {
        struct db_stmt *st;
        if ((rc = db_prepare(
                 ctx->db, "INSERT INTO opportunity_needs (opportunity_id, need_id) VALUES (?, ?)",
                 &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, x->id);
        db_bind_i64(st, 2, x->need_ids[i]);
        if ((rc = db_run(st, ctx->err)))
            return rc;
    }
    return KAM_OK;
}

enum kam_err opportunity_create(struct kam_ctx *ctx, int64_t account_id,
                                const struct opportunity_in *in, struct opportunity *out)
{
    static const struct {
        unsigned bit;
        const char *name;
    } req[] = {{OPP_NAME, "name"},
               {OPP_STAGE, "stage"},
               {OPP_AMOUNT, "amount"},
               {OPP_CURRENCY, "currency"},
               {OPP_CLOSE, "close_month"}};
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (!(in->set & req[i].bit))
            return kam_fail_key(ctx->err, KAM_EINVAL, req[i].name, "required",
                                (struct kam_param[]){{"field", req[i].name}, {0}}, "%s is required",
                                req[i].name);
    struct opportunity x = {0};
    x.account_id = account_id;
    x.competitors = "";
    x.outcome_reason = "";
    merge(ctx, &x, in);
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    if (!(in->set & OPP_OWNER)) {
        if (ctx->who.user_id) {
            x.has_owner = 1;
            x.owner_id = ctx->who.user_id;
        } else {
            int64_t owner = 0;
            if ((rc = db_query_i64(ctx->db,
                                   "SELECT COALESCE(owner_id, 0) FROM accounts WHERE id = ?", 1,
                                   account_id, &owner, ctx->err)))
                goto out;
            x.has_owner = owner != 0;
            x.owner_id = owner;
        }
    }
    if ((rc = validate(ctx, &x, NULL)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO opportunities (name, owner_id, stage, amount, currency, "
                         "quantity, close_month, probability_bp, competitors, outcome_reason, "
                         "closed_at, updated_at, account_id, created_at, version) VALUES "
                         "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,1) RETURNING id",
                         &st, ctx->err)))
        goto out;
    bind_all(st, &x, ctx->now);
    db_bind_i64(st, 13, account_id);
    db_bind_i64(st, 14, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc || (rc = write_links(ctx, &x)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(ctx, &d, NULL, &x);
    rc = audit_write(ctx, "opportunity", x.id, account_id, "create", &d);
    if (!rc)
        rc = opportunity_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- update (svc/core/update.h) ---- */

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return opportunity_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    struct opportunity *x = rec;
    merge(op->ctx, x, op->in);
    return validate(op->ctx, x, op->before);
}

static void up_diff(const struct update_op *op)
{
    diff_all(op->ctx, op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct opportunity *x = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE opportunities SET " WRITE_COLS
                                 ", version = version + 1 WHERE id = ? AND version = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    bind_all(st, x, ctx->now);
    db_bind_i64(st, 13, x->id);
    db_bind_i64(st, 14, b->version);
    return db_run(st, ctx->err);
}

static enum kam_err up_then(const struct update_op *op)
{
    const struct opportunity *x = op->after;
    const struct opportunity_in *in = op->in;
    if (in && !(in->set & (OPP_PRODUCTS | OPP_NEEDS)))
        return KAM_OK;
    return write_links(op->ctx, x);
}

static int64_t up_account(const void *rec)
{
    return ((const struct opportunity *)rec)->account_id;
}

static const struct update_spec opp_spec = {
    .entity = "opportunity",
    .size = sizeof(struct opportunity),
    .versioned = 1,
    .version_at = offsetof(struct opportunity, version),
    .in_set_at = offsetof(struct opportunity_in, set),
    .in_version_at = offsetof(struct opportunity_in, v.version),
    .in_version_bit = OPP_VERSION,
    .get = up_get,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .then = up_then,
    .account_of = up_account,
};

enum kam_err opportunity_update(struct kam_ctx *ctx, int64_t id, const struct opportunity_in *in,
                                struct opportunity *out)
{
    return record_update(ctx, &opp_spec, id, in, out);
}

enum kam_err opportunity_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct opportunity before;
    int64_t offers = 0;
    if ((rc = opportunity_get(ctx, id, &before)) ||
        (rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM offers WHERE opportunity_id = ?", 1, id,
                           &offers, ctx->err)))
        goto out;
    if (offers) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "opportunity.has_offers", NULL,
                          "the opportunity has offers; close it as won or lost instead");
        goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM opportunity_products WHERE opportunity_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM opportunity_needs WHERE opportunity_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM opportunities WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(ctx, &d, &before, NULL);
    rc = audit_write(ctx, "opportunity", id, before.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- lists ---- */

static const struct page_sort sorts[] = {
    {"close_month", "opportunities.close_month", 1},
    {"created_at", "opportunities.created_at", 0},
    {"amount", "opportunities.amount", 0},
    {"name", "opportunities.name", 1},
};

/* The team filter: the owner is one of the team's people (down the tree). */
#define TEAM_COND " AND opportunities.owner_id IN (SELECT uid FROM tp)"

static void like_pattern(struct kam_ctx *ctx, struct sqlb *b, const char *q)
{
    size_t n = strlen(q);
    char *pat = arena_alloc(ctx->a, 2 * n + 3), *o = pat;
    *o++ = '%';
    for (const char *c = q; *c; c++) {
        if (*c == '%' || *c == '_' || *c == '\\')
            *o++ = '\\';
        *o++ = *c;
    }
    *o++ = '%';
    *o = 0;
    sqlb_sql(b, " AND (LOWER(opportunities.name) LIKE LOWER(?) ESCAPE '\\' OR "
                "LOWER(accounts.name) LIKE LOWER(?) ESCAPE '\\' OR "
                "LOWER(opportunities.competitors) LIKE LOWER(?) ESCAPE '\\')");
    sqlb_text(b, pat);
    sqlb_text(b, pat);
    sqlb_text(b, pat);
}

/* WITH clauses (scope, team), then select FROM ... WHERE with every filter. */
static enum kam_err where(struct kam_ctx *ctx, const struct opportunity_query *q, struct sqlb *b,
                          const char *select, const char *from)
{
    enum kam_err rc;
    if ((q->from && (rc = check_month(ctx, "from", q->from))) ||
        (q->to && (rc = check_month(ctx, "to", q->to))) ||
        (q->q && (rc = check_text(ctx, "q", q->q, 0, 100, CHECK_LINE))) ||
        (q->stage && (rc = check_text(ctx, "stage", q->stage, 1, 32, CHECK_LINE))))
        return rc;
    int scoped = policy_scope_with(ctx, b);
    if (q->team_id) {
        sqlb_sql(b, scoped ? ", " : "WITH RECURSIVE ");
        sqlb_sql(b, POLICY_TEAM_TT "z AS (SELECT 1) ");
        sqlb_i64(b, q->team_id);
    }
    sqlb_sql(b, select);
    sqlb_sql(b, from);
    sqlb_sql(b, " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(b, " AND " POLICY_SCOPE_COND);
    if (q->team_id)
        sqlb_sql(b, TEAM_COND);
    if (q->account_id) {
        sqlb_sql(b, " AND opportunities.account_id = ?");
        sqlb_i64(b, q->account_id);
    }
    if (q->owner_id) {
        sqlb_sql(b, " AND opportunities.owner_id = ?");
        sqlb_i64(b, q->owner_id);
    }
    if (q->stage) {
        sqlb_sql(b, " AND opportunities.stage = ?");
        sqlb_text(b, q->stage);
    }
    if (q->open_only)
        sqlb_sql(b, " AND opportunity_stages.outcome = 'open'");
    if (q->from) {
        sqlb_sql(b, " AND opportunities.close_month >= ?");
        sqlb_text(b, q->from);
    }
    if (q->to) {
        sqlb_sql(b, " AND opportunities.close_month <= ?");
        sqlb_text(b, q->to);
    }
    if (q->q && *q->q)
        like_pattern(ctx, b, q->q);
    return KAM_OK;
}

enum kam_err opportunity_list(struct kam_ctx *ctx, const struct opportunity_query *q,
                              struct opportunity **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, sizeof sorts / sizeof sorts[0],
                                 q->sort ? q->sort : "close_month", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    if ((rc = where(ctx, q, &b, "SELECT " COLS, FROM)))
        return rc;
    struct opportunity *items;
    const struct opportunity *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "opportunities.id", read_row, sizeof *items, (void **)&items,
                         &n, (const void **)&last)))
        return rc;
    *next_out = NULL;
    if (last) {
        const struct opportunity *l = &items[n - 1];
        const char *key = pg.sort->key;
        const char *s = !strcmp(key, "name") ? l->name : l->close_month;
        int64_t iv = !strcmp(key, "amount") ? l->amount : l->created_at;
        *next_out = page_cursor(ctx, &pg, s, iv, l->id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err opportunity_count(struct kam_ctx *ctx, const struct opportunity_query *q,
                               int64_t *n_out)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    enum kam_err rc = where(ctx, q, &b, "SELECT COUNT(*)", FROM);
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

/* ---- stages ---- */

static void read_stage(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct opp_stage *s = row;
    s->code = arena_strdup(ctx->a, db_col_text(st, 0));
    s->name_zh_hans = arena_strdup(ctx->a, db_col_text(st, 1));
    s->name_zh_hant = arena_strdup(ctx->a, db_col_text(st, 2));
    s->name_en = arena_strdup(ctx->a, db_col_text(st, 3));
    s->position = db_col_i64(st, 4);
    s->probability_bp = db_col_i64(st, 5);
    s->outcome = arena_strdup(ctx->a, db_col_text(st, 6));
    s->active = (int)db_col_i64(st, 7);
    s->in_use = db_col_i64(st, 8);
}

enum kam_err opp_stage_list(struct kam_ctx *ctx, struct opp_stage **items_out, size_t *n_out)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "SELECT s.code, s.name_zh_hans, s.name_zh_hant, s.name_en, s.position, "
                   "s.probability_bp, s.outcome, s.active, (SELECT COUNT(*) FROM opportunities o "
                   "WHERE o.stage = s.code) FROM opportunity_stages s ORDER BY s.position, s.code",
                   &st, ctx->err);
    if (rc)
        return rc;
    return rows_collect(ctx, st, 1000, read_stage, sizeof(struct opp_stage), (void **)items_out,
                        n_out);
}

static const char *stages_text(struct kam_ctx *ctx, const struct opp_stage *s, size_t n)
{
    const char *t = "";
    for (size_t i = 0; i < n; i++)
        t = arena_printf(ctx->a, "%s%s%s %s/%s/%s #%lld %lldbp %s%s", t, i ? "; " : "", s[i].code,
                         s[i].name_zh_hans, s[i].name_zh_hant, s[i].name_en,
                         (long long)s[i].position, (long long)s[i].probability_bp, s[i].outcome,
                         s[i].active ? "" : " inactive");
    return t;
}

static const char *const outcomes[] = {"open", "won", "lost", NULL};

enum kam_err opp_stage_replace(struct kam_ctx *ctx, const struct opp_stage *items, size_t n,
                               struct opp_stage **out, size_t *n_out)
{
    enum kam_err rc;
    if (n == 0 || n > OPP_STAGES_MAX)
        return kam_fail(ctx->err, KAM_EINVAL, "stages", "stages: 1..%d stages", OPP_STAGES_MAX);
    int won = 0, lost = 0;
    for (size_t i = 0; i < n; i++) {
        const struct opp_stage *s = &items[i];
        const char *f = arena_printf(ctx->a, "stages[%zu]", i);
        const char *code = s->code ? s->code : "";
        size_t len = strlen(code);
        int ok = len >= 1 && len <= 32;
        for (size_t k = 0; ok && k < len; k++)
            ok = (code[k] >= 'a' && code[k] <= 'z') || (code[k] >= '0' && code[k] <= '9') ||
                 code[k] == '_';
        if (!ok)
            return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.code", f),
                            "%s.code: 1..32 of a-z, 0-9, _", f);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(items[k].code, code))
                return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.code", f),
                                "%s.code: named twice", f);
        if ((rc = check_text(ctx, arena_printf(ctx->a, "%s.name_zh_hans", f), s->name_zh_hans, 1,
                             40, CHECK_LINE)) ||
            (rc = check_text(ctx, arena_printf(ctx->a, "%s.name_zh_hant", f), s->name_zh_hant, 1,
                             40, CHECK_LINE)) ||
            (rc = check_text(ctx, arena_printf(ctx->a, "%s.name_en", f), s->name_en, 1, 40,
                             CHECK_LINE)) ||
            (rc = check_range(ctx, arena_printf(ctx->a, "%s.position", f), s->position, 0, 1000)) ||
            (rc = check_range(ctx, arena_printf(ctx->a, "%s.probability_bp", f), s->probability_bp,
                              0, 10000)) ||
            (rc = check_enum(ctx, arena_printf(ctx->a, "%s.outcome", f), s->outcome, outcomes)))
            return rc;
        if (s->active && !strcmp(s->outcome, "won"))
            won++;
        if (s->active && !strcmp(s->outcome, "lost"))
            lost++;
    }
    if (won != 1 || lost != 1)
        return kam_fail_key(ctx->err, KAM_EINVAL, "stages", "opportunity.stage_outcomes", NULL,
                            "exactly one active won stage and one active lost stage");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct opp_stage *before;
    size_t nb;
    if ((rc = opp_stage_list(ctx, &before, &nb)))
        goto out;
    /* A stage in use keeps its outcome (else its opportunities' closed_at and reason would
     * contradict it): refused before anything is written. */
    for (size_t i = 0; i < nb; i++)
        for (size_t k = 0; k < n; k++)
            if (!strcmp(items[k].code, before[i].code) && before[i].in_use &&
                strcmp(items[k].outcome, before[i].outcome) != 0) {
                rc = kam_fail_key(ctx->err, KAM_ECONFLICT,
                                  arena_printf(ctx->a, "stages[%zu].outcome", k),
                                  "opportunity.outcome_in_use",
                                  (struct kam_param[]){{"stage", before[i].code}, {0}},
                                  "stage %s is in use: its outcome cannot change", before[i].code);
                goto out;
            }
    for (size_t i = 0; i < nb; i++) {
        int kept = 0;
        for (size_t k = 0; k < n && !kept; k++)
            kept = !strcmp(items[k].code, before[i].code);
        if (kept)
            continue;
        int64_t used = 0;
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db, "SELECT COUNT(*) FROM opportunities WHERE stage = ?", &st,
                             ctx->err)))
            goto out;
        db_bind_text(st, 1, before[i].code);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        used = !rc && row ? db_col_i64(st, 0) : 0;
        db_done(st);
        if (rc)
            goto out;
        if (used) {
            rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "stages", "opportunity.stage_in_use",
                              (struct kam_param[]){{"stage", before[i].code}, {0}},
                              "stage %s is in use: deactivate it instead of removing it",
                              before[i].code);
            goto out;
        }
        struct db_stmt *del;
        if ((rc = db_prepare(ctx->db, "DELETE FROM opportunity_stages WHERE code = ?", &del,
                             ctx->err)))
            goto out;
        db_bind_text(del, 1, before[i].code);
        if ((rc = db_run(del, ctx->err)))
            goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const struct opp_stage *s = &items[i];
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO opportunity_stages (code, name_zh_hans, name_zh_hant, "
                             "name_en, position, probability_bp, outcome, active, updated_at) "
                             "VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (code) DO UPDATE SET "
                             "name_zh_hans = excluded.name_zh_hans, name_zh_hant = "
                             "excluded.name_zh_hant, name_en = excluded.name_en, position = "
                             "excluded.position, probability_bp = excluded.probability_bp, "
                             "outcome = excluded.outcome, active = excluded.active, updated_at = "
                             "excluded.updated_at",
                             &st, ctx->err)))
            goto out;
        db_bind_text(st, 1, s->code);
        db_bind_text(st, 2, s->name_zh_hans);
        db_bind_text(st, 3, s->name_zh_hant);
        db_bind_text(st, 4, s->name_en);
        db_bind_i64(st, 5, s->position);
        db_bind_i64(st, 6, s->probability_bp);
        db_bind_text(st, 7, s->outcome);
        db_bind_i64(st, 8, s->active ? 1 : 0);
        db_bind_i64(st, 9, ctx->now);
        if ((rc = db_run(st, ctx->err)))
            goto out;
    }
    if ((rc = opp_stage_list(ctx, out, n_out)))
        goto out;
    {
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_str(&d, "opportunity_stages", stages_text(ctx, before, nb),
                       stages_text(ctx, *out, *n_out));
        if (d.n)
            rc = audit_write(ctx, "settings", 1, 0, "update", &d);
        else
            audit_diff_release(&d);
    }
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- pipeline ---- */

static const char *const groups[] = {"stage", "owner", "team", "month", NULL};

#define PIPE_BUCKET 50000 /* x OPP_AMOUNT_MAX (1e14) = 5e18 < INT64_MAX */

/* One (key, currency, bucket) cell of the SQL grouping. */
struct cell {
    const char *key, *label, *currency;
    int64_t count, amount, weighted, pos;
};

static void read_cell(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct cell *c = row;
    c->key = arena_strdup(ctx->a, db_col_text(st, 0));
    c->label = arena_strdup(ctx->a, db_col_text(st, 1));
    c->currency = arena_strdup(ctx->a, db_col_text(st, 2));
    c->count = db_col_i64(st, 3);
    c->amount = db_col_i64(st, 4);
    c->weighted = db_col_i64(st, 5);
    c->pos = db_col_i64(st, 6);
}

/* Sums per (key, currency) of the caller's opportunities; rows ordered by the group's order. */
static enum kam_err cells(struct kam_ctx *ctx, const struct pipeline_query *q, struct cell **out,
                          size_t *n_out)
{
    const char *key, *label, *pos;
    if (!strcmp(q->group, "stage")) {
        key = "opportunities.stage";
        label = q->lang == 1   ? "MIN(opportunity_stages.name_zh_hans)"
                : q->lang == 2 ? "MIN(opportunity_stages.name_zh_hant)"
                               : "MIN(opportunity_stages.name_en)";
        pos = "MIN(opportunity_stages.position)";
    } else if (!strcmp(q->group, "owner")) {
        key = "COALESCE(CAST(opportunities.owner_id AS TEXT), '')";
        label = "COALESCE(MIN(ou.name), '')";
        pos = "0";
    } else if (!strcmp(q->group, "team")) {
        key = "COALESCE(CAST(ou.team_id AS TEXT), '')";
        label = "COALESCE(MIN(teams.name), '')";
        pos = "0";
    } else {
        key = "opportunities.close_month";
        label = "opportunities.close_month";
        pos = "0";
    }
    struct opportunity_query oq = {.owner_id = q->owner_id,
                                   .team_id = q->team_id,
                                   .account_id = q->account_id,
                                   .from = q->from,
                                   .to = q->to};
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    const char *sel =
        arena_printf(ctx->a,
                     "SELECT %s, %s, opportunities.currency, COUNT(*), SUM(opportunities.amount), "
                     "SUM((opportunities.amount * " EFF_BP " + 5000) / 10000), %s",
                     key, label, pos);
    enum kam_err rc = where(ctx, &oq, &b, sel,
                            FROM " LEFT JOIN users ou ON ou.id = opportunities.owner_id LEFT JOIN "
                                 "teams ON teams.id = ou.team_id");
    if (rc)
        return rc;
    sqlb_sql(&b, q->include_closed ? " AND opportunity_stages.outcome IN ('open', 'won')"
                                   : " AND opportunity_stages.outcome = 'open'");
    /* Buckets of at most PIPE_BUCKET ids: a bucket's sums (amounts <= OPP_AMOUNT_MAX) cannot
     * overflow in SQL (SQLite's SUM fails on it); pipeline_compute adds them up with checks. */
    sqlb_sql(&b, arena_printf(ctx->a,
                              " GROUP BY %s, opportunities.currency, opportunities.id / %d "
                              "ORDER BY 7, 1, 3",
                              key, PIPE_BUCKET));
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    return rows_collect(ctx, st, 100000, read_cell, sizeof(struct cell), (void **)out, n_out);
}

static enum kam_err target_currency(struct kam_ctx *ctx, const char *want, const char **out)
{
    if (want) {
        enum kam_err rc = check_currency(ctx, "currency", want);
        if (rc)
            return rc;
        int64_t dummy;
        /* Unknown currencies fail here, naming "currency". */
        const char *base;
        if ((rc = settings_get(ctx, "base_currency", "CNY", &base)) ||
            (rc = price_convert(ctx, "currency", 1, want, base, &dummy)))
            return rc;
        *out = want;
        return KAM_OK;
    }
    return settings_get(ctx, "base_currency", "CNY", out);
}

enum kam_err pipeline_compute(struct kam_ctx *ctx, const struct pipeline_query *q,
                              struct pipeline *out)
{
    memset(out, 0, sizeof *out);
    enum kam_err rc = check_enum(ctx, "group", q->group, groups);
    if (rc || (rc = target_currency(ctx, q->currency, &out->currency)))
        return rc;
    struct cell *c;
    size_t n;
    if ((rc = cells(ctx, q, &c, &n)))
        return rc;
    out->rows = arena_calloc(ctx->a, n + 1, sizeof *out->rows);
    out->total.key = out->total.label = "";
    for (size_t i = 0; i < n; i++) {
        int64_t amount, weighted;
        if ((rc = price_convert(ctx, "currency", c[i].amount, c[i].currency, out->currency,
                                &amount)) ||
            (rc = price_convert(ctx, "currency", c[i].weighted, c[i].currency, out->currency,
                                &weighted)))
            return rc;
        struct pipeline_row *r = NULL;
        for (size_t k = 0; k < out->n && !r; k++)
            if (!strcmp(out->rows[k].key, c[i].key))
                r = &out->rows[k];
        if (!r) {
            r = &out->rows[out->n++];
            r->key = c[i].key;
            r->label = c[i].label;
        }
        if (__builtin_add_overflow(r->count, c[i].count, &r->count) ||
            __builtin_add_overflow(r->amount, amount, &r->amount) ||
            __builtin_add_overflow(r->weighted, weighted, &r->weighted) ||
            __builtin_add_overflow(out->total.count, c[i].count, &out->total.count) ||
            __builtin_add_overflow(out->total.amount, amount, &out->total.amount) ||
            __builtin_add_overflow(out->total.weighted, weighted, &out->total.weighted))
            return kam_fail_key(ctx->err, KAM_EINVAL, "currency", "opportunity.sums_too_large",
                                NULL,
                                "the pipeline's sums are too large for one number: narrow "
                                "the filters");
    }
    return KAM_OK;
}

enum kam_err pipeline_months(struct kam_ctx *ctx, const char *from, const char *to,
                             const char **currency_out, struct pipeline_month **out, size_t *n_out)
{
    enum kam_err rc;
    char dfrom[16], dto[16];
    if (!from || !to) {
        /* Defaults: the month in progress (China time) and the eleven after it. */
        int y, mo, d;
        days_to_date((ctx->now + 8 * 3600) / 86400, &y, &mo, &d);
        snprintf(dfrom, sizeof dfrom, "%04d-%02d", y % 10000, mo % 100);
        snprintf(dto, sizeof dto, "%04d-%02d", (y + (mo == 1 ? 0 : 1)) % 10000,
                 (mo == 1 ? 12 : mo - 1) % 100);
        if (!from)
            from = dfrom;
        if (!to)
            to = dto;
    }
    if ((rc = check_month(ctx, "from", from)) || (rc = check_month(ctx, "to", to)))
        return rc;
    if (strcmp(from, to) > 0)
        return kam_fail(ctx->err, KAM_EINVAL, "to", "to must not be before from");
    size_t months = 0;
    char m[8];
    memcpy(m, from, 8); /* check_month: 7 characters and the NUL */
    while (strcmp(m, to) <= 0 && months <= 120) {
        months++;
        opp_month_next(m, m);
    }
    if (months > 120)
        return kam_fail(ctx->err, KAM_EINVAL, "to", "at most 120 months");
    struct pipeline p;
    struct pipeline_query q = {.group = "month", .from = from, .to = to};
    if ((rc = pipeline_compute(ctx, &q, &p)))
        return rc;
    struct pipeline_month *ms = arena_calloc(ctx->a, months, sizeof *ms);
    memcpy(m, from, 8); /* check_month: 7 characters and the NUL */
    for (size_t i = 0; i < months; i++) {
        memcpy(ms[i].month, m, 8);
        for (size_t k = 0; k < p.n; k++)
            if (!strcmp(p.rows[k].key, m)) {
                ms[i].count = p.rows[k].count;
                ms[i].amount = p.rows[k].amount;
                ms[i].weighted = p.rows[k].weighted;
            }
        opp_month_next(m, m);
    }
    *currency_out = p.currency;
    *out = ms;
    *n_out = months;
    return KAM_OK;
}
