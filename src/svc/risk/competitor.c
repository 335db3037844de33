/* competitor.c -- competitors, their presence per account and family, their moves, and a move
 * raised as a competitive risk (competitor.h). */
#include "competitor.h"

#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"
#include "risk.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

const char *const price_levels[] = {"lower", "similar", "higher", "unknown", NULL};
const char *const move_kinds[] = {"price_cut",    "promotion", "new_product", "relationship",
                                  "won_business", "other",     NULL};
const char *const move_severities[] = {"low", "medium", "high", NULL};

#define CHINA_OFFSET (8 * 3600)

/* ---- shared checks ---- */

/* A required one-line text: 1..max characters, not only white space. */
static const char *today(struct kam_ctx *ctx)
{
    int y, m, d;
    days_to_date((ctx->now + CHINA_OFFSET) / 86400, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

static enum kam_err count1(struct kam_ctx *ctx, const char *sql, int64_t id, int64_t *n)
{
    return db_query_i64(ctx->db, sql, 1, id, n, ctx->err);
}

/* ---- competitors ---- */

#define CCOLS                                                                                      \
    "c.id, c.name, c.alias, c.website, c.strengths, c.weaknesses, c.note, c.active, c.version, "   \
    "c.created_at, c.updated_at, (SELECT COUNT(DISTINCT p.account_id) FROM competitor_presence p " \
    "WHERE p.competitor_id = c.id), (SELECT COUNT(*) FROM competitor_moves m WHERE "               \
    "m.competitor_id = c.id)"

static void competitor_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct competitor *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->name = arena_strdup(ctx->a, db_col_text(st, 1));
    x->alias = arena_strdup(ctx->a, db_col_text(st, 2));
    x->website = arena_strdup(ctx->a, db_col_text(st, 3));
    x->strengths = arena_strdup(ctx->a, db_col_text(st, 4));
    x->weaknesses = arena_strdup(ctx->a, db_col_text(st, 5));
    x->note = arena_strdup(ctx->a, db_col_text(st, 6));
    x->active = db_col_i64(st, 7) != 0;
    x->version = db_col_i64(st, 8);
    x->created_at = db_col_i64(st, 9);
    x->updated_at = db_col_i64(st, 10);
    x->accounts = db_col_i64(st, 11);
    x->moves = db_col_i64(st, 12);
}

enum kam_err competitor_get(struct kam_ctx *ctx, int64_t id, struct competitor *out)
{
    return row_get(ctx, "SELECT " CCOLS " FROM competitors c WHERE c.id = ?", id, competitor_row,
                   out, "competitor");
}

static void merge_competitor(struct competitor *x, const struct competitor_in *in)
{
    const struct competitor *v = &in->v;
    if (in->set & CO_NAME)
        x->name = v->name;
    if (in->set & CO_ALIAS)
        x->alias = v->alias ? v->alias : "";
    if (in->set & CO_WEBSITE)
        x->website = v->website ? v->website : "";
    if (in->set & CO_STRENGTHS)
        x->strengths = v->strengths ? v->strengths : "";
    if (in->set & CO_WEAKNESSES)
        x->weaknesses = v->weaknesses ? v->weaknesses : "";
    if (in->set & CO_NOTE)
        x->note = v->note ? v->note : "";
    if (in->set & CO_ACTIVE)
        x->active = v->active;
}

/* The name is unique, letter case aside: 409 duplicate naming name. */
static enum kam_err name_free(struct kam_ctx *ctx, const char *name, int64_t self)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT COUNT(*) FROM competitors WHERE lower(name) = lower(?) AND id <> ?", &st,
        ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, name);
    db_bind_i64(st, 2, self);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t n = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    if (rc || !n)
        return rc;
    return kam_fail_key(ctx->err, KAM_ECONFLICT, "name", "duplicate", NULL,
                        "competitor %s already exists", name);
}

static enum kam_err validate_competitor(struct kam_ctx *ctx, const struct competitor *x)
{
    enum kam_err rc;
    if ((rc = check_line(ctx, "name", x->name, COMP_NAME_MAX)) ||
        (rc = check_text(ctx, "alias", x->alias, 0, COMP_ALIAS_MAX, CHECK_LINE)) ||
        (rc = check_text(ctx, "website", x->website, 0, COMP_WEBSITE_MAX, CHECK_LINE)) ||
        (rc = check_text(ctx, "strengths", x->strengths, 0, COMP_TEXT_MAX, CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "weaknesses", x->weaknesses, 0, COMP_TEXT_MAX, CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "note", x->note, 0, COMP_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    return name_free(ctx, x->name, x->id);
}

static void competitor_diff(struct audit_diff *d, const struct competitor *b,
                            const struct competitor *a)
{
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "alias", b ? b->alias : NULL, a ? a->alias : NULL);
    audit_diff_str(d, "website", b ? b->website : NULL, a ? a->website : NULL);
    audit_diff_str(d, "strengths", b ? b->strengths : NULL, a ? a->strengths : NULL);
    audit_diff_str(d, "weaknesses", b ? b->weaknesses : NULL, a ? a->weaknesses : NULL);
    audit_diff_str(d, "note", b ? b->note : NULL, a ? a->note : NULL);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a ? a->active : 0, !a);
}

static void bind_competitor(struct db_stmt *st, const struct competitor *x, int64_t now)
{
    db_bind_text(st, 1, x->name);
    db_bind_text(st, 2, x->alias);
    db_bind_text(st, 3, x->website);
    db_bind_text(st, 4, x->strengths);
    db_bind_text(st, 5, x->weaknesses);
    db_bind_text(st, 6, x->note);
    db_bind_i64(st, 7, x->active);
    db_bind_i64(st, 8, now);
}

enum kam_err competitor_create(struct kam_ctx *ctx, const struct competitor_in *in,
                               struct competitor *out)
{
    struct competitor x = {
        .active = 1, .alias = "", .website = "", .strengths = "", .weaknesses = "", .note = ""};
    merge_competitor(&x, in);
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, CO_NAME, "name")))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = validate_competitor(ctx, &x)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO competitors (name, alias, website, strengths, weaknesses, "
                         "note, active, updated_at, created_at, version) VALUES "
                         "(?,?,?,?,?,?,?,?,?,1) RETURNING id",
                         &st, ctx->err)))
        goto out;
    bind_competitor(st, &x, ctx->now);
    db_bind_i64(st, 9, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    competitor_diff(&d, NULL, &x);
    if (!(rc = audit_write(ctx, "competitor", x.id, 0, "create", &d)))
        rc = competitor_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err co_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return competitor_get(ctx, id, rec);
}

static enum kam_err co_merge(const struct update_op *op, void *rec)
{
    merge_competitor(rec, op->in);
    return validate_competitor(op->ctx, rec);
}

static void co_diff(const struct update_op *op)
{
    competitor_diff(op->diff, op->before, op->after);
}

static enum kam_err co_write(const struct update_op *op)
{
    const struct competitor *x = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(op->ctx->db,
                                 "UPDATE competitors SET name = ?, alias = ?, website = ?, "
                                 "strengths = ?, weaknesses = ?, note = ?, active = ?, updated_at "
                                 "= ?, version = version + 1 WHERE id = ? AND version = ?",
                                 &st, op->ctx->err);
    if (rc)
        return rc;
    bind_competitor(st, x, op->ctx->now);
    db_bind_i64(st, 9, x->id);
    db_bind_i64(st, 10, b->version);
    return db_run(st, op->ctx->err);
}

static const struct update_spec competitor_spec = {
    .entity = "competitor",
    .size = sizeof(struct competitor),
    .versioned = 1,
    .version_at = offsetof(struct competitor, version),
    .in_set_at = offsetof(struct competitor_in, set),
    .in_version_at = offsetof(struct competitor_in, v.version),
    .in_version_bit = CO_VERSION,
    .get = co_get,
    .merge = co_merge,
    .diff = co_diff,
    .write = co_write,
};

enum kam_err competitor_update(struct kam_ctx *ctx, int64_t id, const struct competitor_in *in,
                               struct competitor *out)
{
    return record_update(ctx, &competitor_spec, id, in, out);
}

enum kam_err competitor_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct competitor before;
    int64_t n = 0;
    /* the row locked first (PostgreSQL), so a presence or move written meanwhile is counted */
    if ((rc = count1(ctx,
                     *db_update_lock(ctx->db)
                         ? "SELECT COUNT(*) FROM (SELECT id FROM competitors WHERE id = ? FOR "
                           "UPDATE) x"
                         : "SELECT COUNT(*) FROM competitors WHERE id = ?",
                     id, &n)) ||
        (rc = competitor_get(ctx, id, &before)))
        goto out;
    if (before.accounts || before.moves) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "competitor.in_use", NULL,
                          "the competitor has presence or moves at accounts; deactivate it "
                          "instead");
        goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM competitors WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    competitor_diff(&d, &before, NULL);
    rc = audit_write(ctx, "competitor", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort co_sorts[] = {
    {"name", "c.name", 1},
    {"id", "c.id", 0},
};

enum kam_err competitor_list(struct kam_ctx *ctx, const struct competitor_query *q,
                             struct competitor **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, co_sorts, sizeof co_sorts / sizeof co_sorts[0],
                                 q->sort ? q->sort : "name", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if (q->q && (rc = check_text(ctx, "q", q->q, 0, 100, CHECK_LINE)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " CCOLS " FROM competitors c WHERE 1 = 1");
    if (q->q && *q->q) {
        const char *like = sqlb_like_pattern(ctx->a, q->q);
        sqlb_sql(&b, " AND (lower(c.name) LIKE lower(?) ESCAPE '\\' OR lower(c.alias) LIKE "
                     "lower(?) ESCAPE '\\')");
        sqlb_text(&b, like);
        sqlb_text(&b, like);
    }
    if (q->active >= 0) {
        sqlb_sql(&b, " AND c.active = ?");
        sqlb_i64(&b, q->active);
    }
    struct competitor *items;
    const struct competitor *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "c.id", competitor_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out =
        last ? page_cursor(ctx, &pg, items[n - 1].name, items[n - 1].id, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ---- presence ---- */

#define PCOLS                                                                                      \
    "p.id, p.competitor_id, c.name, p.account_id, accounts.name, p.family, p.share_bp, "           \
    "p.price_level, p.note, p.updated_by, p.version, p.created_at, p.updated_at"
#define PFROM                                                                                      \
    " FROM competitor_presence p JOIN competitors c ON c.id = p.competitor_id JOIN accounts ON "   \
    "accounts.id = p.account_id"

static void presence_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct presence *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->competitor_id = db_col_i64(st, 1);
    x->competitor_name = arena_strdup(ctx->a, db_col_text(st, 2));
    x->account_id = db_col_i64(st, 3);
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 4));
    x->family = arena_strdup(ctx->a, db_col_text(st, 5));
    x->has_share = !db_col_is_null(st, 6);
    x->share_bp = x->has_share ? db_col_i64(st, 6) : 0;
    x->price_level = arena_strdup(ctx->a, db_col_text(st, 7));
    x->note = arena_strdup(ctx->a, db_col_text(st, 8));
    x->has_updated_by = !db_col_is_null(st, 9);
    x->updated_by = x->has_updated_by ? db_col_i64(st, 9) : 0;
    x->version = db_col_i64(st, 10);
    x->created_at = db_col_i64(st, 11);
    x->updated_at = db_col_i64(st, 12);
}

enum kam_err presence_get(struct kam_ctx *ctx, int64_t id, struct presence *out)
{
    return row_get(ctx, "SELECT " PCOLS PFROM " WHERE p.id = ?", id, presence_row, out,
                   "competitor presence");
}

static void merge_presence(struct presence *x, const struct presence_in *in)
{
    const struct presence *v = &in->v;
    if (in->set & PR_COMPETITOR)
        x->competitor_id = v->competitor_id;
    if (in->set & PR_FAMILY)
        x->family = v->family ? v->family : "";
    if (in->set & PR_SHARE) {
        x->has_share = v->has_share;
        x->share_bp = v->has_share ? v->share_bp : 0;
    }
    if (in->set & PR_PRICE)
        x->price_level = v->price_level ? v->price_level : "unknown";
    if (in->set & PR_NOTE)
        x->note = v->note ? v->note : "";
}

/* The shares of the other presence rows of the account and family, with the account's row
 * locked first on PostgreSQL (two writers of one account's shares wait for each other, so
 * their sum is checked against what the other wrote). */
static enum kam_err other_shares(struct kam_ctx *ctx, const struct presence *x, int64_t *sum)
{
    int64_t n = 0;
    enum kam_err rc;
    if (*db_update_lock(ctx->db) &&
        (rc = count1(ctx,
                     "SELECT COUNT(*) FROM (SELECT id FROM accounts WHERE id = ? FOR NO KEY "
                     "UPDATE) x",
                     x->account_id, &n)))
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT COALESCE(SUM(share_bp), 0) FROM competitor_presence WHERE "
                         "account_id = ? AND family = ? AND id <> ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, x->account_id);
    db_bind_text(st, 2, x->family);
    db_bind_i64(st, 3, x->id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *sum = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    return rc;
}

static enum kam_err validate_presence(struct kam_ctx *ctx, const struct presence *x)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "family", x->family, 0, COMP_FAMILY_MAX, CHECK_LINE)) ||
        (x->has_share && (rc = check_range(ctx, "share_bp", x->share_bp, 0, 10000))) ||
        (rc = check_enum(ctx, "price_level", x->price_level, price_levels)) ||
        (rc = check_text(ctx, "note", x->note, 0, COMP_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    /* the same competitor once per account and family */
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT COUNT(*) FROM competitor_presence WHERE competitor_id = ? AND "
                         "account_id = ? AND family = ? AND id <> ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, x->competitor_id);
    db_bind_i64(st, 2, x->account_id);
    db_bind_text(st, 3, x->family);
    db_bind_i64(st, 4, x->id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t n = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    if (rc)
        return rc;
    if (n)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "family", "competitor.presence_exists", NULL,
                            "the competitor is already recorded at this account for this family");
    if (x->has_share) {
        int64_t sum = 0;
        if ((rc = other_shares(ctx, x, &sum)))
            return rc;
        if (sum + x->share_bp > 10000) {
            char s_other[24], s_max[24];
            snprintf(s_other, sizeof s_other, "%lld", (long long)sum);
            snprintf(s_max, sizeof s_max, "%lld", (long long)(10000 - sum));
            return kam_fail_key(ctx->err, KAM_EINVAL, "share_bp", "competitor.share_sum",
                                (struct kam_param[]){{"other", s_other}, {"max", s_max}, {0}},
                                "the competitors' shares in this family would exceed 100 %% "
                                "(others hold %lld bp; at most %lld bp)",
                                (long long)sum, (long long)(10000 - sum));
        }
    }
    return KAM_OK;
}

static void presence_diff(struct audit_diff *d, const struct presence *b, const struct presence *a)
{
    audit_diff_i64(d, "competitor_id", b ? b->competitor_id : 0, !b, a ? a->competitor_id : 0, !a);
    audit_diff_str(d, "family", b ? b->family : NULL, a ? a->family : NULL);
    audit_diff_i64(d, "share_bp", b ? b->share_bp : 0, !b || !b->has_share, a ? a->share_bp : 0,
                   !a || !a->has_share);
    audit_diff_str(d, "price_level", b ? b->price_level : NULL, a ? a->price_level : NULL);
    audit_diff_str(d, "note", b ? b->note : NULL, a ? a->note : NULL);
}

enum kam_err presence_create(struct kam_ctx *ctx, int64_t account_id, const struct presence_in *in,
                             struct presence *out)
{
    struct presence x = {
        .account_id = account_id, .family = "", .price_level = "unknown", .note = ""};
    merge_presence(&x, in);
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, PR_COMPETITOR, "competitor_id")))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct competitor c;
    if ((rc = competitor_get(ctx, x.competitor_id, &c))) {
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            rc = kam_fail(ctx->err, KAM_EINVAL, "competitor_id", "no such competitor");
        }
        goto out;
    }
    if (!c.active) {
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "competitor_id", "competitor.inactive", NULL,
                          "the competitor is inactive");
        goto out;
    }
    if ((rc = validate_presence(ctx, &x)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO competitor_presence (competitor_id, account_id, family, "
                         "share_bp, price_level, note, updated_by, version, created_at, "
                         "updated_at) VALUES (?,?,?,?,?,?,?,1,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, x.competitor_id);
    db_bind_i64(st, 2, x.account_id);
    db_bind_text(st, 3, x.family);
    db_bind_i64n(st, 4, x.share_bp, !x.has_share);
    db_bind_text(st, 5, x.price_level);
    db_bind_text(st, 6, x.note);
    db_bind_i64n(st, 7, ctx->who.user_id, ctx->who.user_id <= 0);
    db_bind_i64(st, 8, ctx->now);
    db_bind_i64(st, 9, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    presence_diff(&d, NULL, &x);
    if (!(rc = audit_write(ctx, "competitor_presence", x.id, x.account_id, "create", &d)))
        rc = presence_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err pr_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return presence_get(ctx, id, rec);
}

static enum kam_err pr_merge(const struct update_op *op, void *rec)
{
    const struct presence_in *in = op->in;
    const struct presence *b = op->before;
    if ((in->set & PR_COMPETITOR) && in->v.competitor_id != b->competitor_id)
        return kam_fail(op->ctx->err, KAM_EINVAL, "competitor_id",
                        "the competitor of a presence cannot change; record a new one");
    merge_presence(rec, in);
    return validate_presence(op->ctx, rec);
}

static void pr_diff(const struct update_op *op)
{
    presence_diff(op->diff, op->before, op->after);
}

static enum kam_err pr_write(const struct update_op *op)
{
    const struct presence *x = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE competitor_presence SET family = ?, share_bp = ?, "
                                 "price_level = ?, note = ?, updated_by = ?, updated_at = ?, "
                                 "version = version + 1 WHERE id = ? AND version = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, x->family);
    db_bind_i64n(st, 2, x->share_bp, !x->has_share);
    db_bind_text(st, 3, x->price_level);
    db_bind_text(st, 4, x->note);
    db_bind_i64n(st, 5, ctx->who.user_id, ctx->who.user_id <= 0);
    db_bind_i64(st, 6, ctx->now);
    db_bind_i64(st, 7, x->id);
    db_bind_i64(st, 8, b->version);
    return db_run(st, ctx->err);
}

static int64_t pr_account(const void *rec)
{
    return ((const struct presence *)rec)->account_id;
}

static const struct update_spec presence_spec = {
    .entity = "competitor_presence",
    .noun = "competitor presence",
    .size = sizeof(struct presence),
    .versioned = 1,
    .version_at = offsetof(struct presence, version),
    .in_set_at = offsetof(struct presence_in, set),
    .in_version_at = offsetof(struct presence_in, v.version),
    .in_version_bit = PR_VERSION,
    .get = pr_get,
    .merge = pr_merge,
    .diff = pr_diff,
    .write = pr_write,
    .account_of = pr_account,
};

enum kam_err presence_update(struct kam_ctx *ctx, int64_t id, const struct presence_in *in,
                             struct presence *out)
{
    return record_update(ctx, &presence_spec, id, in, out);
}

enum kam_err presence_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct presence before;
    if ((rc = presence_get(ctx, id, &before)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM competitor_presence WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    presence_diff(&d, &before, NULL);
    rc = audit_write(ctx, "competitor_presence", id, before.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err presence_of_account(struct kam_ctx *ctx, int64_t account_id,
                                 struct presence **items_out, size_t *n_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT " PCOLS PFROM " WHERE p.account_id = ? ORDER BY "
                                 "p.family, COALESCE(p.share_bp, -1) DESC, p.id LIMIT 500",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    return rows_collect(ctx, st, 500, presence_row, sizeof **items_out, (void **)items_out, n_out);
}

static const struct page_sort pr_sorts[] = {
    {"id", "p.id", 0},
};

enum kam_err presence_of_competitor(struct kam_ctx *ctx, int64_t competitor_id, int64_t limit,
                                    const char *cursor, struct presence **items_out, size_t *n_out,
                                    const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, pr_sorts, 1, "id", limit, cursor, &pg);
    if (rc)
        return rc;
    struct competitor c;
    if ((rc = competitor_get(ctx, competitor_id, &c)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " PCOLS PFROM " WHERE p.competitor_id = ?");
    sqlb_i64(&b, competitor_id);
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    struct presence *items;
    const struct presence *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "p.id", presence_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, items[n - 1].id, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err competitor_our_share(struct kam_ctx *ctx, int64_t account_id, int64_t *share_bp,
                                  int64_t *sales_12m, int64_t *wallet, int *has)
{
    *share_bp = *sales_12m = *wallet = 0;
    *has = 0;
    int y, m, d;
    days_to_date((ctx->now + CHINA_OFFSET) / 86400, &y, &m, &d);
    int64_t to = (int64_t)y * 100 + m; /* this month, excluded */
    int64_t from = (int64_t)(y - 1) * 100 + m;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT amount FROM wallet_estimates WHERE account_id = ? ORDER "
                                 "BY year DESC LIMIT 1",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *wallet = db_col_i64(st, 0);
    db_done(st);
    if (rc || !row || *wallet <= 0)
        return rc;
    if ((rc = db_prepare(ctx->db,
                         "SELECT COALESCE(SUM(amount), 0) FROM sales_monthly_account WHERE "
                         "account_id = ? AND month >= ? AND month < ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_i64(st, 2, from);
    db_bind_i64(st, 3, to);
    row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *sales_12m = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    /* rounded half up; sales over the estimate show as over 100 % */
    if (*sales_12m > INT64_MAX / 10000)
        *share_bp = INT64_MAX / *wallet;
    else
        *share_bp = (*sales_12m * 10000 + *wallet / 2) / *wallet;
    *has = 1;
    return KAM_OK;
}

/* ---- moves ---- */

#define MCOLS                                                                                      \
    "m.id, m.competitor_id, c.name, m.account_id, accounts.name, m.family, m.day, m.kind, "        \
    "m.severity, m.description, m.created_by, m.created_at, r.id"
#define MFROM                                                                                      \
    " FROM competitor_moves m JOIN competitors c ON c.id = m.competitor_id JOIN accounts ON "      \
    "accounts.id = m.account_id LEFT JOIN risks r ON r.source = 'competitor' AND r.source_id = "   \
    "m.id"

static void move_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct move *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->competitor_id = db_col_i64(st, 1);
    x->competitor_name = arena_strdup(ctx->a, db_col_text(st, 2));
    x->account_id = db_col_i64(st, 3);
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 4));
    x->family = arena_strdup(ctx->a, db_col_text(st, 5));
    x->day = arena_strdup(ctx->a, db_col_text(st, 6));
    x->kind = arena_strdup(ctx->a, db_col_text(st, 7));
    x->severity = arena_strdup(ctx->a, db_col_text(st, 8));
    x->description = arena_strdup(ctx->a, db_col_text(st, 9));
    x->has_created_by = !db_col_is_null(st, 10);
    x->created_by = x->has_created_by ? db_col_i64(st, 10) : 0;
    x->created_at = db_col_i64(st, 11);
    x->has_risk = !db_col_is_null(st, 12);
    x->risk_id = x->has_risk ? db_col_i64(st, 12) : 0;
}

enum kam_err move_get(struct kam_ctx *ctx, int64_t id, struct move *out)
{
    return row_get(ctx, "SELECT " MCOLS MFROM " WHERE m.id = ?", id, move_row, out,
                   "competitor move");
}

static void move_diff(struct audit_diff *d, const struct move *b, const struct move *a)
{
    audit_diff_i64(d, "competitor_id", b ? b->competitor_id : 0, !b, a ? a->competitor_id : 0, !a);
    audit_diff_str(d, "family", b ? b->family : NULL, a ? a->family : NULL);
    audit_diff_str(d, "day", b ? b->day : NULL, a ? a->day : NULL);
    audit_diff_str(d, "kind", b ? b->kind : NULL, a ? a->kind : NULL);
    audit_diff_str(d, "severity", b ? b->severity : NULL, a ? a->severity : NULL);
    audit_diff_str(d, "description", b ? b->description : NULL, a ? a->description : NULL);
}

enum kam_err move_create(struct kam_ctx *ctx, int64_t account_id, const struct move_in *in,
                         struct move *out)
{
    const struct move *v = &in->v;
    struct move x = {.account_id = account_id,
                     .competitor_id = v->competitor_id,
                     .family = (in->set & MV_FAMILY) && v->family ? v->family : "",
                     .day = (in->set & MV_DAY) && v->day ? v->day : today(ctx),
                     .kind = v->kind,
                     .severity = (in->set & MV_SEVERITY) && v->severity ? v->severity : "medium",
                     .description = v->description};
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, MV_COMPETITOR, "competitor_id")) ||
        (rc = check_given(ctx, in->set, MV_KIND, "kind")) ||
        (rc = check_given(ctx, in->set, MV_DESC, "description")) ||
        (rc = check_text(ctx, "family", x.family, 0, COMP_FAMILY_MAX, CHECK_LINE)) ||
        (rc = check_date(ctx, "day", x.day)) ||
        (rc = check_enum(ctx, "kind", x.kind, move_kinds)) ||
        (rc = check_enum(ctx, "severity", x.severity, move_severities)) ||
        (rc = check_text(ctx, "description", x.description, 1, COMP_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    if (utf8_blank(x.description))
        return check_given(ctx, 0, 1, "description");
    if (strcmp(x.day, today(ctx)) > 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, "day", "competitor.future_day", NULL,
                            "a move is recorded once it happened: day is in the future");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct competitor c;
    if ((rc = competitor_get(ctx, x.competitor_id, &c))) {
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            rc = kam_fail(ctx->err, KAM_EINVAL, "competitor_id", "no such competitor");
        }
        goto out;
    }
    if (!c.active) {
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "competitor_id", "competitor.inactive", NULL,
                          "the competitor is inactive");
        goto out;
    }
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO competitor_moves (competitor_id, account_id, family, day, "
                         "kind, severity, description, created_by, created_at) VALUES "
                         "(?,?,?,?,?,?,?,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, x.competitor_id);
    db_bind_i64(st, 2, x.account_id);
    db_bind_text(st, 3, x.family);
    db_bind_text(st, 4, x.day);
    db_bind_text(st, 5, x.kind);
    db_bind_text(st, 6, x.severity);
    db_bind_text(st, 7, x.description);
    db_bind_i64n(st, 8, ctx->who.user_id, ctx->who.user_id <= 0);
    db_bind_i64(st, 9, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    move_diff(&d, NULL, &x);
    if (!(rc = audit_write(ctx, "competitor_move", x.id, x.account_id, "create", &d)))
        rc = move_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err move_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct move before;
    if ((rc = move_get(ctx, id, &before)))
        goto out;
    if (before.has_risk) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "competitor.move_has_risk", NULL,
                          "the move was raised as a risk; it stays as the risk's evidence");
        goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM competitor_moves WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    move_diff(&d, &before, NULL);
    rc = audit_write(ctx, "competitor_move", id, before.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort mv_sorts[] = {
    {"day", "m.day", 1},
    {"id", "m.id", 0},
};

enum kam_err move_list(struct kam_ctx *ctx, const struct move_query *q, struct move **items_out,
                       size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc =
        page_parse(ctx, mv_sorts, 2, q->sort ? q->sort : "-day", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if ((q->since && (rc = check_date(ctx, "since", q->since))) ||
        (q->kind && (rc = check_enum(ctx, "kind", q->kind, move_kinds))))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " MCOLS MFROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->account_id) {
        sqlb_sql(&b, " AND m.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    if (q->competitor_id) {
        sqlb_sql(&b, " AND m.competitor_id = ?");
        sqlb_i64(&b, q->competitor_id);
    }
    if (q->since) {
        sqlb_sql(&b, " AND m.day >= ?");
        sqlb_text(&b, q->since);
    }
    if (q->kind) {
        sqlb_sql(&b, " AND m.kind = ?");
        sqlb_text(&b, q->kind);
    }
    struct move *items;
    const struct move *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "m.id", move_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out =
        last ? page_cursor(ctx, &pg, items[n - 1].day, items[n - 1].id, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* The risk's title: "<competitor>: <description>", cut to 150 characters. */
static const char *risk_title(struct kam_ctx *ctx, const struct move *m)
{
    const char *s = arena_printf(ctx->a, "%s: %s", m->competitor_name, m->description);
    size_t chars = 0, i = 0, n = strlen(s);
    while (i < n && chars < 150) {
        if (s[i] == '\n' || s[i] == '\r')
            break;
        size_t l = utf8_seq_len((const unsigned char *)s + i, n - i);
        i += l ? l : 1;
        chars++;
    }
    return arena_strndup(ctx->a, s, i);
}

enum kam_err move_raise_risk(struct kam_ctx *ctx, int64_t id, int likelihood, int impact,
                             int64_t *risk_id, int *created)
{
    enum kam_err rc;
    if ((likelihood && (rc = check_range(ctx, "likelihood", likelihood, 1, 5))) ||
        (impact && (rc = check_range(ctx, "impact", impact, 1, 5))))
        return rc;
    struct move m;
    if ((rc = move_get(ctx, id, &m)))
        return rc;
    int base = !strcmp(m.severity, "high") ? 4 : !strcmp(m.severity, "low") ? 2 : 3;
    struct risk_raise_in in = {
        .account_id = m.account_id,
        .category = "competitive",
        .title = risk_title(ctx, &m),
        .description = m.description,
        .likelihood = likelihood ? likelihood : base,
        .impact = impact ? impact : base,
        .source = "competitor",
        .source_id = m.id,
    };
    return risk_raise(ctx, &in, risk_id, created);
}
