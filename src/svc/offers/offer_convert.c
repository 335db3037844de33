/* offer_convert.c -- an accepted offer becomes order lines (order_create, svc/volume/sales.h:
 * a named exception in scripts/check-deps.sh) at the offer's prices, and its open opportunity
 * is won. */
#include <stdio.h>
#include <string.h>

#include "offer.h"
#include "price.h"
#include "store/db.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/volume/sales.h"

static enum kam_err make_line(struct kam_ctx *ctx, const struct offer *x, const char *day,
                              const char *ext, const char *sku, int64_t qty, int64_t amount,
                              int64_t *id_out)
{
    struct order_in in = {0};
    in.set = ORD_EXTERNAL_ID | ORD_DATE | ORD_ACCOUNT | ORD_SKU | ORD_QUANTITY | ORD_AMOUNT;
    in.external_id = ext;
    in.date = day;
    in.account_id = x->account_id;
    in.sku = sku;
    in.quantity = qty;
    in.amount = amount;
    in.currency = x->currency;
    in.price_reason = arena_printf(ctx->a, "offer %s v%lld", x->number, (long long)x->version_no);
    in.price_approved = 1;
    struct order_line out;
    /* The converter is the offer's account team (route: offer update in scope), not
     * necessarily a sales-line writer: the lines are written on the offer's authority (the
     * admin role for order_create's grant only), audited as the converting user. */
    struct principal who = ctx->who;
    ctx->who.role = ROLE_ADMIN;
    enum kam_err rc = order_create(ctx, &in, &out);
    ctx->who = who;
    if (!rc)
        *id_out = out.id;
    return rc;
}

/* The opportunity, when open, moves to the first active won stage. */
static enum kam_err win_opportunity(struct kam_ctx *ctx, const struct offer *x)
{
    if (!x->has_opportunity)
        return KAM_OK;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT o.stage, o.account_id, (SELECT code FROM opportunity_stages WHERE outcome = 'won' "
        "AND active = 1 ORDER BY position LIMIT 1) FROM opportunities o JOIN opportunity_stages "
        "s ON s.code = o.stage WHERE o.id = ? AND s.outcome = 'open'",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->opportunity_id);
    int row = 0;
    const char *stage = NULL, *won = NULL;
    int64_t account = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row && !db_col_is_null(st, 2)) {
        stage = arena_strdup(ctx->a, db_col_text(st, 0));
        account = db_col_i64(st, 1);
        won = arena_strdup(ctx->a, db_col_text(st, 2));
    }
    db_done(st);
    if (rc || !won)
        return rc;
    const char *reason = arena_printf(ctx->a, "offer %s accepted", x->number);
    if ((rc = db_prepare(ctx->db,
                         "UPDATE opportunities SET stage = ?, outcome_reason = ?, closed_at = ?, "
                         "updated_at = ?, version = version + 1 WHERE id = ?",
                         &st, ctx->err)))
        return rc;
    db_bind_text(st, 1, won);
    db_bind_text(st, 2, reason);
    db_bind_i64(st, 3, ctx->now);
    db_bind_i64(st, 4, ctx->now);
    db_bind_i64(st, 5, x->opportunity_id);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "stage", stage, won);
    audit_diff_str(&d, "outcome_reason", "", reason);
    return audit_write(ctx, "opportunity", x->opportunity_id, account, "update", &d);
}

enum kam_err offer_convert(struct kam_ctx *ctx, int64_t id, const char *day,
                           struct offer_conversion *out)
{
    enum kam_err rc;
    memset(out, 0, sizeof *out);
    const char *today = offer_today(ctx);
    if (!day)
        day = today;
    else if ((rc = check_date(ctx, "day", day)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct offer x;
    if ((rc = offer_get(ctx, id, &x)))
        goto out;
    if (strcmp(x.status, "accepted") != 0) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "offer.bad_transition",
                          (struct kam_param[]){{"from", x.status}, {"to", "converted"}, {0}},
                          "an offer that is %s cannot become converted", x.status);
        goto out;
    }
    /* the order lines' day: from the day the customer accepted (China) to today */
    const char *accepted = offer_day_of(ctx, x.has_decided ? x.decided_at : ctx->now);
    if (strcmp(day, accepted) < 0 || strcmp(day, today) > 0) {
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "day", "offer.bad_convert_day",
                          (struct kam_param[]){{"from", accepted}, {"to", today}, {0}},
                          "day must be between %s (accepted) and %s (today)", accepted, today);
        goto out;
    }
    size_t cap = 1;
    for (size_t i = 0; i < x.nlines; i++)
        cap += x.lines[i].ncomponents + 1;
    out->order_line_ids = arena_calloc(ctx->a, cap, sizeof(int64_t));
    out->skipped = arena_calloc(ctx->a, x.nlines + 1, sizeof(int64_t));
    for (size_t i = 0; i < x.nlines; i++) {
        const struct offer_line *l = &x.lines[i];
        int64_t first = 0;
        if (l->has_service) {
            out->skipped[out->n_skipped++] = l->id;
            continue;
        }
        if (l->has_product) {
            const char *ext =
                arena_printf(ctx->a, "offer:%lld:%lld", (long long)x.id, (long long)l->id);
            if ((rc = make_line(ctx, &x, day, ext, l->code, l->quantity, l->amount, &first)))
                goto out;
            out->order_line_ids[out->n_order_lines++] = first;
        } else if (l->has_bundle && l->ncomponents > 0) {
            /* the line's amount split over the components by their engine prices x quantity */
            size_t n = l->ncomponents;
            int64_t *w = arena_calloc(ctx->a, n, sizeof *w),
                    *part = arena_calloc(ctx->a, n, sizeof *part);
            int of = 0;
            for (size_t k = 0; k < n; k++)
                w[k] = price_muldiv(l->components[k].engine_price, l->components[k].quantity, 1000,
                                    &of);
            offer_split(l->amount, w, n, part);
            for (size_t k = 0; k < n; k++) {
                const struct offer_component *c = &l->components[k];
                int64_t lid = 0;
                const char *ext = arena_printf(ctx->a, "offer:%lld:%lld:%lld", (long long)x.id,
                                               (long long)l->id, (long long)c->product_id);
                int64_t qty = offer_component_qty(c->quantity, l->quantity);
                if ((rc = make_line(ctx, &x, day, ext, c->sku, qty, part[k], &lid)))
                    goto out;
                if (!first)
                    first = lid;
                out->order_line_ids[out->n_order_lines++] = lid;
            }
        }
        if (first) {
            struct db_stmt *st;
            if ((rc = db_prepare(ctx->db, "UPDATE offer_lines SET order_line_id = ? WHERE id = ?",
                                 &st, ctx->err)))
                goto out;
            db_bind_i64(st, 1, first);
            db_bind_i64(st, 2, l->id);
            if ((rc = db_run(st, ctx->err)))
                goto out;
        }
    }
    char *ids = arena_alloc(ctx->a, out->n_order_lines * 24 + 1), *o = ids;
    *o = 0;
    for (size_t i = 0; i < out->n_order_lines; i++)
        o += sprintf(o, "%s%lld", i ? "," : "", (long long)out->order_line_ids[i]);
    if ((rc = offer_set_status_ex(ctx, &x, "converted", NULL, 0, 0, 0, "order_line_ids", ids)) ||
        (rc = win_opportunity(ctx, &x)))
        goto out;
    rc = offer_get(ctx, id, &out->offer);
out:
    return db_end(ctx->db, rc, ctx->err);
}
