/* offer.c -- offers: create, read, PATCH (drafts), delete, lists (docs/OFFERS.md "Offers"). */
#include "offer.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
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

const char *const offer_statuses[] = {"draft",    "pending", "approved",  "sent",       "accepted",
                                      "rejected", "expired", "converted", "superseded", NULL};
const char *const offer_line_kinds[] = {"product", "bundle", "service", NULL};
const char *const offer_langs[] = {"zh-CN", "zh-TW", "en", NULL};
const char *const offer_feasibilities[] = {"open", "feasible", "partly", "no", NULL};
const char *const offer_confirm_bys[] = {"production", "technical", "service", NULL};

#define COLS                                                                                       \
    "offers.id, offers.number, offers.version_no, COALESCE(offers.root_id, offers.id), "           \
    "offers.account_id, accounts.name, offers.opportunity_id, opportunities.name, offers.title, "  \
    "offers.lang, offers.currency, offers.price_date, offers.valid_until, offers.status, "         \
    "offers.max_discount_bp, offers.approval_id, offers.subtotal, offers.total, offers.cost, "     \
    "offers.terms, offers.note, offers.decision_reason, offers.created_by, users.name, "           \
    "offers.sent_at, offers.decided_at, offers.version, offers.created_at, offers.updated_at"

#define FROM                                                                                       \
    " FROM offers JOIN accounts ON accounts.id = offers.account_id LEFT JOIN opportunities ON "    \
    "opportunities.id = offers.opportunity_id LEFT JOIN users ON users.id = offers.created_by"

const char *offer_today(struct kam_ctx *ctx)
{
    return offer_day_of(ctx, ctx->now);
}

const char *offer_day_of(struct kam_ctx *ctx, int64_t at)
{
    int y, m, d;
    int64_t t = at + PRICE_CHINA_OFFSET;
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    days_to_date(days, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

static int64_t opt(struct db_stmt *st, int col, int *has)
{
    *has = !db_col_is_null(st, col);
    return *has ? db_col_i64(st, col) : 0;
}

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct offer *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->number = arena_strdup(ctx->a, db_col_text(st, 1));
    x->version_no = db_col_i64(st, 2);
    x->root_id = db_col_i64(st, 3);
    x->account_id = db_col_i64(st, 4);
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 5));
    x->opportunity_id = opt(st, 6, &x->has_opportunity);
    x->opportunity_name = db_col_is_null(st, 7) ? NULL : arena_strdup(ctx->a, db_col_text(st, 7));
    x->title = arena_strdup(ctx->a, db_col_text(st, 8));
    x->lang = arena_strdup(ctx->a, db_col_text(st, 9));
    x->currency = arena_strdup(ctx->a, db_col_text(st, 10));
    x->price_date = arena_strdup(ctx->a, db_col_text(st, 11));
    x->valid_until = arena_strdup(ctx->a, db_col_text(st, 12));
    x->status = arena_strdup(ctx->a, db_col_text(st, 13));
    x->max_discount_bp = db_col_i64(st, 14);
    x->approval_id = opt(st, 15, &x->has_approval);
    x->subtotal = db_col_i64(st, 16);
    x->total = db_col_i64(st, 17);
    x->cost = opt(st, 18, &x->has_cost);
    x->terms = arena_strdup(ctx->a, db_col_text(st, 19));
    x->note = arena_strdup(ctx->a, db_col_text(st, 20));
    x->decision_reason = arena_strdup(ctx->a, db_col_text(st, 21));
    x->created_by = opt(st, 22, &x->has_created_by);
    x->created_by_name = db_col_is_null(st, 23) ? NULL : arena_strdup(ctx->a, db_col_text(st, 23));
    x->sent_at = opt(st, 24, &x->has_sent);
    x->decided_at = opt(st, 25, &x->has_decided);
    x->version = db_col_i64(st, 26);
    x->created_at = db_col_i64(st, 27);
    x->updated_at = db_col_i64(st, 28);
    if (x->has_cost && x->total != 0) {
        int of = 0;
        x->margin_bp =
            price_muldiv(x->total - x->cost, 10000, x->total < 0 ? -x->total : x->total, &of);
        x->has_margin = !of;
    }
}

/* The row only (no lines). */
static enum kam_err get_row(struct kam_ctx *ctx, int64_t id, struct offer *out)
{
    return row_get(ctx, "SELECT " COLS FROM " WHERE offers.id = ?", id, read_row, out, "offer");
}

enum kam_err offer_get(struct kam_ctx *ctx, int64_t id, struct offer *out)
{
    enum kam_err rc = get_row(ctx, id, out);
    if (!rc)
        rc = approval_needs(ctx, ctx->who.role, out->max_discount_bp, &out->needs_approval);
    if (!rc)
        rc = offer_load_details(ctx, out);
    return rc;
}

static void diff_all(struct audit_diff *d, const struct offer *b, const struct offer *a)
{
    audit_diff_str(d, "number", b ? b->number : NULL, a ? a->number : NULL);
    audit_diff_i64(d, "version_no", b ? b->version_no : 0, !b, a ? a->version_no : 0, !a);
    audit_diff_str(d, "title", b ? b->title : NULL, a ? a->title : NULL);
    audit_diff_str(d, "lang", b ? b->lang : NULL, a ? a->lang : NULL);
    audit_diff_str(d, "currency", b ? b->currency : NULL, a ? a->currency : NULL);
    audit_diff_str(d, "price_date", b ? b->price_date : NULL, a ? a->price_date : NULL);
    audit_diff_str(d, "valid_until", b ? b->valid_until : NULL, a ? a->valid_until : NULL);
    audit_diff_str(d, "status", b ? b->status : NULL, a ? a->status : NULL);
    audit_diff_i64(d, "opportunity_id", b ? b->opportunity_id : 0, !b || !b->has_opportunity,
                   a ? a->opportunity_id : 0, !a || !a->has_opportunity);
    audit_diff_str(d, "terms", b ? b->terms : NULL, a ? a->terms : NULL);
    audit_diff_str(d, "note", b ? b->note : NULL, a ? a->note : NULL);
    audit_diff_i64(d, "subtotal", b ? b->subtotal : 0, !b, a ? a->subtotal : 0, !a);
    audit_diff_i64(d, "total", b ? b->total : 0, !b, a ? a->total : 0, !a);
    audit_diff_i64(d, "max_discount_bp", b ? b->max_discount_bp : 0, !b, a ? a->max_discount_bp : 0,
                   !a);
    audit_diff_i64(d, "lines", b ? (int64_t)b->nlines : 0, !b, a ? (int64_t)a->nlines : 0, !a);
}

enum kam_err offer_check_dates(struct kam_ctx *ctx, const struct offer *x)
{
    /* a backdated price_date would measure the discount against an old (say a promotion's)
     * price; an offer valid only in the past cannot be sent */
    const char *today = offer_today(ctx);
    if (strcmp(x->price_date, today) < 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, "price_date", "offer.price_date_past",
                            (struct kam_param[]){{"today", today}, {0}},
                            "price_date must not be before today (%s)", today);
    if (strcmp(x->valid_until, today) < 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, "valid_until", "offer.valid_until_past",
                            (struct kam_param[]){{"today", today}, {0}},
                            "valid_until must not be before today (%s)", today);
    return KAM_OK;
}

static enum kam_err validate(struct kam_ctx *ctx, const struct offer *x)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "title", x->title, 1, OFFER_TITLE_MAX, CHECK_LINE)) ||
        (rc = check_enum(ctx, "lang", x->lang, offer_langs)) ||
        (rc = check_currency(ctx, "currency", x->currency)) ||
        (rc = check_date(ctx, "price_date", x->price_date)) ||
        (rc = check_date(ctx, "valid_until", x->valid_until)) ||
        (rc = check_text(ctx, "terms", x->terms, 0, OFFER_TERMS_MAX, CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "note", x->note, 0, OFFER_NOTE_MAX, CHECK_MULTILINE)))
        return rc;
    if (strcmp(x->valid_until, x->price_date) < 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, "valid_until", "offer.valid_before_price_date",
                            NULL, "valid_until must not be before price_date");
    if (x->has_opportunity) {
        int64_t acc = 0;
        rc = db_query_i64(ctx->db, "SELECT account_id FROM opportunities WHERE id = ?", 1,
                          x->opportunity_id, &acc, ctx->err);
        if (rc == KAM_ENOTFOUND || (!rc && acc != x->account_id)) {
            kam_error_clear(ctx->err);
            return kam_fail_key(ctx->err, KAM_EINVAL, "opportunity_id", "offer.bad_opportunity",
                                NULL, "opportunity_id must be an opportunity of the same account");
        }
        if (rc)
            return rc;
    }
    return KAM_OK;
}

static void merge(struct offer *x, const struct offer_in *in)
{
    if (in->set & OF_OPPORTUNITY) {
        x->has_opportunity = in->has_opportunity;
        x->opportunity_id = in->has_opportunity ? in->opportunity_id : 0;
    }
    if (in->set & OF_TITLE)
        x->title = in->title;
    if (in->set & OF_LANG)
        x->lang = in->lang;
    if (in->set & OF_CURRENCY)
        x->currency = in->currency;
    if (in->set & OF_PRICE_DATE)
        x->price_date = in->price_date;
    if (in->set & OF_VALID_UNTIL)
        x->valid_until = in->valid_until;
    if (in->set & OF_TERMS)
        x->terms = in->terms;
    if (in->set & OF_NOTE)
        x->note = in->note;
}

static enum kam_err new_number(struct kam_ctx *ctx, const char **out)
{
    const char *today = offer_today(ctx);
    char prefix[8];
    snprintf(prefix, sizeof prefix, "Q%.4s-", today);
    int64_t n = 0;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    /* the year's highest number + 1: Q2026-0001 ... (past 9999 the number grows a digit, so
     * the longest sorts first); a deleted draft's number is not a gap anyone trips on */
    sqlb_sql(&b, "SELECT number FROM offers WHERE number LIKE ? ORDER BY LENGTH(number) DESC, "
                 "number DESC LIMIT 1");
    sqlb_text(&b, arena_printf(ctx->a, "%s%%", prefix));
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        n = strtoll(db_col_text(st, 0) + strlen(prefix), NULL, 10);
    db_done(st);
    if (rc)
        return rc;
    *out = arena_printf(ctx->a, "%s%04lld", prefix, (long long)(n + 1));
    return KAM_OK;
}

/* Inserts the row of x (number, version_no, root_id set) and its lines; x->id set. */
static enum kam_err insert_offer(struct kam_ctx *ctx, struct offer *x)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO offers (number, account_id, opportunity_id, root_id, version_no, title, lang, "
        "currency, price_date, valid_until, status, max_discount_bp, subtotal, total, cost, terms, "
        "note, created_by, version, created_at, updated_at) VALUES "
        "(?,?,?,?,?,?,?,?,?,?,'draft',?,?,?,?,?,?,?,1,?,?) RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, x->number);
    db_bind_i64(st, 2, x->account_id);
    db_bind_i64n(st, 3, x->opportunity_id, !x->has_opportunity);
    db_bind_i64n(st, 4, x->root_id, x->root_id == 0);
    db_bind_i64(st, 5, x->version_no);
    db_bind_text(st, 6, x->title);
    db_bind_text(st, 7, x->lang);
    db_bind_text(st, 8, x->currency);
    db_bind_text(st, 9, x->price_date);
    db_bind_text(st, 10, x->valid_until);
    db_bind_i64(st, 11, x->max_discount_bp);
    db_bind_i64(st, 12, x->subtotal);
    db_bind_i64(st, 13, x->total);
    db_bind_i64n(st, 14, x->cost, !x->has_cost);
    db_bind_text(st, 15, x->terms);
    db_bind_text(st, 16, x->note);
    db_bind_i64n(st, 17, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_i64(st, 18, ctx->now);
    db_bind_i64(st, 19, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x->id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    if (x->root_id == 0) {
        x->root_id = x->id;
        struct db_stmt *u;
        if ((rc = db_prepare(ctx->db, "UPDATE offers SET root_id = id WHERE id = ?", &u, ctx->err)))
            return rc;
        db_bind_i64(u, 1, x->id);
        if ((rc = db_run(u, ctx->err)))
            return rc;
    }
    return offer_write_lines(ctx, x);
}

/* No currency given: the currency of the account's own price list valid on the price date
 * (the latest valid_from, then the higher id), else the base currency. */
static enum kam_err default_currency(struct kam_ctx *ctx, int64_t account_id, const char *day,
                                     const char **out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT currency FROM price_lists WHERE scope = 'account' AND account_id = ? AND active = "
        "1 AND (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to >= ?) "
        "ORDER BY COALESCE(valid_from, '0000-00-00') DESC, id DESC LIMIT 1",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_text(st, 2, day);
    db_bind_text(st, 3, day);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *out = arena_strdup(ctx->a, db_col_text(st, 0));
    db_done(st);
    if (rc || row)
        return rc;
    return settings_get(ctx, "base_currency", "CNY", out);
}

enum kam_err offer_create(struct kam_ctx *ctx, const struct offer_in *in, struct offer *out)
{
    enum kam_err rc;
    if ((rc = policy_body_account(ctx, "account_id", in->account_id, OBJ_OFFER, ACT_CREATE)))
        return rc;
    if (!(in->set & OF_TITLE))
        return kam_fail_key(ctx->err, KAM_EINVAL, "title", "required",
                            (struct kam_param[]){{"field", "title"}, {0}}, "title is required");
    if (!(in->set & OF_VALID_UNTIL))
        return kam_fail_key(ctx->err, KAM_EINVAL, "valid_until", "required",
                            (struct kam_param[]){{"field", "valid_until"}, {0}},
                            "valid_until is required");
    struct offer x = {0};
    x.account_id = in->account_id;
    x.lang = "zh-CN";
    x.terms = "";
    x.note = "";
    x.decision_reason = "";
    x.status = "draft";
    x.price_date = offer_today(ctx);
    x.version_no = 1;
    merge(&x, in);
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if (!(in->set & OF_CURRENCY) && (rc = check_date(ctx, "price_date", x.price_date)) == KAM_OK &&
        (rc = default_currency(ctx, x.account_id, x.price_date, &x.currency)))
        goto out;
    if (rc || (rc = validate(ctx, &x)) || (rc = offer_check_dates(ctx, &x)) ||
        (rc = offer_price_lines(ctx, &x, in->lines, (size_t)in->nlines)) ||
        (rc = new_number(ctx, &x.number)) || (rc = insert_offer(ctx, &x)) ||
        (rc = offer_write_custs(ctx, x.id, in->custs, (size_t)in->ncusts)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, NULL, &x);
    if ((rc = audit_write(ctx, "offer", x.id, x.account_id, "create", &d)))
        goto out;
    rc = offer_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* Used by offer_new_version (offer_flow.c): a copy of src as draft v+1 with the lines repriced
 * on today's date. */
enum kam_err offer_copy_version(struct kam_ctx *ctx, const struct offer *src, int64_t *id_out);
enum kam_err offer_copy_version(struct kam_ctx *ctx, const struct offer *src, int64_t *id_out)
{
    struct offer x = *src;
    x.id = 0;
    x.status = "draft";
    x.price_date = offer_today(ctx);
    if (strcmp(x.valid_until, x.price_date) < 0)
        x.valid_until = x.price_date;
    int64_t maxv = 0;
    enum kam_err rc = db_query_i64(ctx->db,
                                   "SELECT MAX(version_no) FROM offers WHERE "
                                   "COALESCE(root_id, id) = ?",
                                   1, src->root_id, &maxv, ctx->err);
    if (rc)
        return rc;
    x.version_no = maxv + 1;
    struct offer_line_in *li = arena_calloc(ctx->a, src->nlines + 1, sizeof *li);
    for (size_t i = 0; i < src->nlines; i++) {
        const struct offer_line *l = &src->lines[i];
        li[i].kind = l->kind;
        li[i].set = OL_KIND | OL_QUANTITY | OL_DESCRIPTION | OL_DISCOUNT;
        li[i].quantity = l->quantity;
        li[i].description = l->description;
        li[i].discount_bp = l->discount_bp; /* the discount carries over, the price is today's */
        if (l->has_product) {
            li[i].set |= OL_PRODUCT;
            li[i].product_id = l->product_id;
        }
        if (l->has_bundle) {
            li[i].set |= OL_BUNDLE;
            li[i].bundle_id = l->bundle_id;
        }
        if (l->has_service) {
            li[i].set |= OL_SERVICE;
            li[i].service_item_id = l->service_item_id;
        }
    }
    if ((rc = offer_price_lines(ctx, &x, li, src->nlines)) || (rc = insert_offer(ctx, &x)) ||
        (rc = offer_copy_custs(ctx, src->id, x.id)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, NULL, &x);
    audit_diff_i64(&d, "previous_id", 0, 1, src->id, 0);
    if ((rc = audit_write(ctx, "offer", x.id, x.account_id, "create", &d)))
        return rc;
    *id_out = x.id;
    return KAM_OK;
}

/* ---- update (drafts) ---- */

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return offer_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    struct offer *x = rec;
    const struct offer_in *in = op->in;
    struct kam_ctx *ctx = op->ctx;
    if (strcmp(x->status, "draft") != 0)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "offer.not_draft",
                            (struct kam_param[]){{"status", x->status}, {0}},
                            "only a draft offer can be changed (this one is %s)", x->status);
    merge(x, in);
    enum kam_err rc = validate(ctx, x);
    /* the dates checked against today when given (a stale draft can still be edited; submit
     * checks them always) */
    if (!rc && (in->set & (OF_PRICE_DATE | OF_VALID_UNTIL)))
        rc = offer_check_dates(ctx, x);
    if (rc)
        return rc;
    if ((in->set & (OF_LINES | OF_CURRENCY | OF_PRICE_DATE))) {
        if (in->set & OF_LINES)
            return offer_price_lines(ctx, x, in->lines, (size_t)in->nlines);
        /* the currency or date changed: reprice the lines as they are */
        const struct offer *b = op->before;
        struct offer_line_in *li = arena_calloc(ctx->a, b->nlines + 1, sizeof *li);
        for (size_t i = 0; i < b->nlines; i++) {
            const struct offer_line *l = &b->lines[i];
            li[i].set = OL_KIND | OL_QUANTITY | OL_DESCRIPTION | OL_DISCOUNT;
            li[i].kind = l->kind;
            li[i].quantity = l->quantity;
            li[i].description = l->description;
            li[i].discount_bp = l->discount_bp;
            li[i].set |= l->has_product ? OL_PRODUCT : l->has_bundle ? OL_BUNDLE : OL_SERVICE;
            li[i].product_id = l->product_id;
            li[i].bundle_id = l->bundle_id;
            li[i].service_item_id = l->service_item_id;
        }
        return offer_price_lines(ctx, x, li, b->nlines);
    }
    return KAM_OK;
}

static int lines_differ(const struct offer *b, const struct offer *a)
{
    if (b->nlines != a->nlines)
        return 1;
    for (size_t i = 0; i < b->nlines; i++) {
        const struct offer_line *p = &b->lines[i], *q = &a->lines[i];
        if (strcmp(p->kind, q->kind) || p->product_id != q->product_id ||
            p->bundle_id != q->bundle_id || p->service_item_id != q->service_item_id ||
            p->quantity != q->quantity || p->unit_price != q->unit_price ||
            p->engine_price != q->engine_price || strcmp(p->description, q->description))
            return 1;
    }
    return 0;
}

static void up_diff(const struct update_op *op)
{
    const struct offer *b = op->before, *a = op->after;
    diff_all(op->diff, b, a);
    if (lines_differ(b, a) && op->diff->n == 0)
        audit_diff_str(op->diff, "lines_changed", NULL, "1");
    const struct offer_in *in = op->in;
    if (in && (in->set & OF_CUSTS)) {
        int same = b->ncusts == (size_t)in->ncusts;
        for (size_t i = 0; same && i < b->ncusts; i++) {
            const struct offer_cust *c = &b->custs[i];
            const struct offer_cust_in *n = &in->custs[i];
            same = n->request && n->confirm_by && !strcmp(c->request, n->request) &&
                   !strcmp(c->confirm_by, n->confirm_by) &&
                   !strcmp(c->note, n->note ? n->note : "");
        }
        if (!same)
            audit_diff_i64(op->diff, "customisations", (int64_t)b->ncusts, 0, in->ncusts, 0);
        if (!same && b->ncusts == (size_t)in->ncusts)
            audit_diff_str(op->diff, "customisations_changed", NULL, "1");
    }
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct offer *x = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "UPDATE offers SET opportunity_id = ?, title = ?, lang = ?, currency = ?, price_date = ?, "
        "valid_until = ?, terms = ?, note = ?, max_discount_bp = ?, subtotal = ?, total = ?, "
        "cost = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64n(st, 1, x->opportunity_id, !x->has_opportunity);
    db_bind_text(st, 2, x->title);
    db_bind_text(st, 3, x->lang);
    db_bind_text(st, 4, x->currency);
    db_bind_text(st, 5, x->price_date);
    db_bind_text(st, 6, x->valid_until);
    db_bind_text(st, 7, x->terms);
    db_bind_text(st, 8, x->note);
    db_bind_i64(st, 9, x->max_discount_bp);
    db_bind_i64(st, 10, x->subtotal);
    db_bind_i64(st, 11, x->total);
    db_bind_i64n(st, 12, x->cost, !x->has_cost);
    db_bind_i64(st, 13, ctx->now);
    db_bind_i64(st, 14, x->id);
    db_bind_i64(st, 15, b->version);
    return db_run(st, ctx->err);
}

static enum kam_err up_then(const struct update_op *op)
{
    const struct offer_in *in = op->in;
    const struct offer *x = op->after;
    enum kam_err rc = KAM_OK;
    if (lines_differ(op->before, x) || (in && (in->set & OF_LINES)))
        rc = offer_write_lines(op->ctx, x);
    if (!rc && in && (in->set & OF_CUSTS))
        rc = offer_write_custs(op->ctx, x->id, in->custs, (size_t)in->ncusts);
    return rc;
}

static int64_t up_account(const void *rec)
{
    return ((const struct offer *)rec)->account_id;
}

static const struct update_spec offer_spec = {
    .entity = "offer",
    .size = sizeof(struct offer),
    .versioned = 1,
    .version_at = offsetof(struct offer, version),
    .in_set_at = offsetof(struct offer_in, set),
    .in_version_at = offsetof(struct offer_in, version),
    .in_version_bit = OF_VERSION,
    .get = up_get,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
    .then = up_then,
};

enum kam_err offer_update(struct kam_ctx *ctx, int64_t id, const struct offer_in *in,
                          struct offer *out)
{
    return record_update(ctx, &offer_spec, id, in, out);
}

enum kam_err offer_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct offer before;
    if ((rc = offer_get(ctx, id, &before)))
        goto out;
    if (strcmp(before.status, "draft") != 0 || before.version_no != 1) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "offer.not_deletable", NULL,
                          "only a draft first version can be deleted");
        goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM offer_lines WHERE offer_id = ?", id, ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM offer_customisations WHERE offer_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM offers WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, &before, NULL);
    if ((rc = audit_write(ctx, "offer", id, before.account_id, "delete", &d)))
        goto out;
    /* its decided (rejected / withdrawn) approval requests go with it */
    int64_t aids[64];
    size_t na = 0;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT id FROM approvals WHERE kind = 'offer' AND object_id = ? ORDER BY "
                         "id LIMIT 64",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, id);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row)
        aids[na++] = db_col_i64(st, 0);
    db_done(st);
    for (size_t i = 0; !rc && i < na; i++) {
        if ((rc = db_exec_i64(ctx->db, "DELETE FROM approval_steps WHERE approval_id = ?", aids[i],
                              ctx->err)) ||
            (rc = db_exec_i64(ctx->db, "DELETE FROM approvals WHERE id = ?", aids[i], ctx->err)))
            break;
        struct audit_diff ad;
        audit_diff_init(&ad);
        audit_diff_i64(&ad, "object_id", id, 0, 0, 1);
        rc = audit_write(ctx, "approval", aids[i], before.account_id, "delete", &ad);
    }
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- lists ---- */

static const struct page_sort sorts[] = {
    {"created_at", "offers.created_at", 0},
};

static enum kam_err where(struct kam_ctx *ctx, const struct offer_query *q, struct sqlb *b,
                          const char *select)
{
    enum kam_err rc;
    if ((q->status && (rc = check_enum(ctx, "status", q->status, offer_statuses))) ||
        (q->q && (rc = check_text(ctx, "q", q->q, 0, 100, CHECK_LINE))))
        return rc;
    int scoped = policy_scope_with(ctx, b);
    sqlb_sql(b, select);
    sqlb_sql(b, FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(b, " AND " POLICY_SCOPE_COND);
    if (!q->all_versions)
        sqlb_sql(b, " AND offers.version_no = (SELECT MAX(o2.version_no) FROM offers o2 WHERE "
                    "o2.number = offers.number)");
    if (q->account_id) {
        sqlb_sql(b, " AND offers.account_id = ?");
        sqlb_i64(b, q->account_id);
    }
    if (q->opportunity_id) {
        sqlb_sql(b, " AND offers.opportunity_id = ?");
        sqlb_i64(b, q->opportunity_id);
    }
    if (q->status) {
        sqlb_sql(b, " AND offers.status = ?");
        sqlb_text(b, q->status);
    }
    if (q->mine) {
        sqlb_sql(b, " AND offers.created_by = ?");
        sqlb_i64(b, ctx->who.user_id);
    }
    if (q->q && *q->q) {
        size_t n = strlen(q->q);
        char *pat = arena_alloc(ctx->a, 2 * n + 3), *o = pat;
        *o++ = '%';
        for (const char *c = q->q; *c; c++) {
            if (*c == '%' || *c == '_' || *c == '\\')
                *o++ = '\\';
            *o++ = *c;
        }
        *o++ = '%';
        *o = 0;
        sqlb_sql(b, " AND (LOWER(offers.number) LIKE LOWER(?) ESCAPE '\\' OR "
                    "LOWER(offers.title) LIKE LOWER(?) ESCAPE '\\')");
        sqlb_text(b, pat);
        sqlb_text(b, pat);
    }
    return KAM_OK;
}

enum kam_err offer_list(struct kam_ctx *ctx, const struct offer_query *q, struct offer **items_out,
                        size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, sizeof sorts / sizeof sorts[0], "-created_at",
                                 q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    if ((rc = where(ctx, q, &b, "SELECT " COLS)))
        return rc;
    struct offer *items;
    const struct offer *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "offers.id", read_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = NULL;
    if (last)
        *next_out = page_cursor(ctx, &pg, NULL, items[n - 1].created_at, items[n - 1].id);
    for (size_t i = 0; i < n; i++) {
        if ((rc = approval_needs(ctx, ctx->who.role, items[i].max_discount_bp,
                                 &items[i].needs_approval)))
            return rc;
        if (items[i].has_approval) {
            struct approval *a = arena_calloc(ctx->a, 1, sizeof *a);
            if ((rc = approval_get(ctx, items[i].approval_id, a)))
                return rc;
            items[i].approval = a;
        }
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err offer_count(struct kam_ctx *ctx, const struct offer_query *q, int64_t *n_out)
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
