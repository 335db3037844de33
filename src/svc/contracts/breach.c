/* breach.c -- contract breaches as people work them: read, list, the workflow (breach.h). */
#include "breach.h"

#include <string.h>

#include "base/arena.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

const char *const breach_statuses[] = {"detected", "confirmed", "waived", "action", "cured", NULL};
const char *const breach_severities[] = {"low", "medium", "high", "critical", NULL};

#define BCOLS                                                                                      \
    "b.id, b.contract_id, b.obligation_id, b.account_id, c.number, c.title, accounts.name, "       \
    "o.title, b.side, b.kind, b.occurrence, b.severity, b.at_stake, b.currency, b.measured, "      \
    "b.expected, b.evidence, b.status, b.reason, b.action, b.owner_id, b.detected_at, "            \
    "b.last_seen_at, b.cured_at, b.version, b.created_at, b.updated_at"
#define BFROM                                                                                      \
    " FROM contract_breaches b JOIN contracts c ON c.id = b.contract_id JOIN "                     \
    "contract_obligations o ON o.id = b.obligation_id JOIN accounts ON accounts.id = b.account_id"

static const char *dup(struct kam_ctx *ctx, struct db_stmt *st, int col)
{
    return arena_strdup(ctx->a, db_col_text(st, col));
}

static void breach_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct breach *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->contract_id = db_col_i64(st, 1);
    x->obligation_id = db_col_i64(st, 2);
    x->account_id = db_col_i64(st, 3);
    x->contract_number = dup(ctx, st, 4);
    x->contract_title = dup(ctx, st, 5);
    x->account_name = dup(ctx, st, 6);
    x->obligation_title = dup(ctx, st, 7);
    x->side = dup(ctx, st, 8);
    x->kind = dup(ctx, st, 9);
    x->occurrence = dup(ctx, st, 10);
    x->severity = dup(ctx, st, 11);
    x->at_stake = db_col_i64(st, 12);
    x->currency = dup(ctx, st, 13);
    x->has_measured = !db_col_is_null(st, 14);
    x->measured = db_col_i64(st, 14);
    x->has_expected = !db_col_is_null(st, 15);
    x->expected = db_col_i64(st, 15);
    x->evidence = dup(ctx, st, 16);
    x->status = dup(ctx, st, 17);
    x->reason = dup(ctx, st, 18);
    x->action = dup(ctx, st, 19);
    x->has_owner = !db_col_is_null(st, 20);
    x->owner_id = db_col_i64(st, 20);
    x->detected_at = db_col_i64(st, 21);
    x->last_seen_at = db_col_i64(st, 22);
    x->has_cured = !db_col_is_null(st, 23);
    x->cured_at = db_col_i64(st, 23);
    x->version = db_col_i64(st, 24);
    x->created_at = db_col_i64(st, 25);
    x->updated_at = db_col_i64(st, 26);
}

enum kam_err breach_get(struct kam_ctx *ctx, int64_t id, struct breach *out)
{
    return row_get(ctx, "SELECT " BCOLS BFROM " WHERE b.id = ?", id, breach_row, out, "breach");
}

static const struct page_sort sorts[] = {
    {"detected_at", "b.detected_at", 0},
    {"at_stake", "b.at_stake", 0},
    {"id", "b.id", 0},
};

enum kam_err breach_list(struct kam_ctx *ctx, const struct breach_query *q, struct breach **items,
                         size_t *n, const char **next)
{
    static const char *const sides[] = {"ours", "theirs", NULL};
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, sizeof sorts / sizeof sorts[0],
                                 q->sort ? q->sort : "-detected_at", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    int open = q->status && !strcmp(q->status, "open");
    if ((q->status && !open && (rc = check_enum(ctx, "status", q->status, breach_statuses))) ||
        (q->side && (rc = check_enum(ctx, "side", q->side, sides))) ||
        (q->severity && (rc = check_enum(ctx, "severity", q->severity, breach_severities))) ||
        (q->kind && (rc = check_text(ctx, "kind", q->kind, 1, 30, CHECK_LINE))))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " BCOLS BFROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->account_id) {
        sqlb_sql(&b, " AND b.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    if (q->contract_id) {
        sqlb_sql(&b, " AND b.contract_id = ?");
        sqlb_i64(&b, q->contract_id);
    }
    if (q->owner_id) {
        sqlb_sql(&b, " AND b.owner_id = ?");
        sqlb_i64(&b, q->owner_id);
    }
    if (open)
        sqlb_sql(&b, " AND b.status IN ('detected', 'confirmed', 'action')");
    else if (q->status) {
        sqlb_sql(&b, " AND b.status = ?");
        sqlb_text(&b, q->status);
    }
    if (q->side) {
        sqlb_sql(&b, " AND b.side = ?");
        sqlb_text(&b, q->side);
    }
    if (q->kind) {
        sqlb_sql(&b, " AND b.kind = ?");
        sqlb_text(&b, q->kind);
    }
    if (q->severity) {
        sqlb_sql(&b, " AND b.severity = ?");
        sqlb_text(&b, q->severity);
    }
    const struct breach *last;
    if ((rc = page_fetch(ctx, &b, &pg, "b.id", breach_row, sizeof **items, (void **)items, n,
                         (const void **)&last)))
        return rc;
    if (!last) {
        *next = NULL;
        return KAM_OK;
    }
    int64_t key = !strcmp(pg.sort->key, "at_stake")      ? last->at_stake
                  : !strcmp(pg.sort->key, "detected_at") ? last->detected_at
                                                         : last->id;
    *next = page_cursor(ctx, &pg, NULL, key, last->id);
    return KAM_OK;
}

/* ---- the workflow ---- */

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return breach_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    (void)op;
    (void)rec;
    return KAM_OK;
}

static void up_diff(const struct update_op *op)
{
    const struct breach *b = op->before, *a = op->after;
    audit_diff_str(op->diff, "status", b->status, a->status);
    audit_diff_str(op->diff, "reason", b->reason, a->reason);
    audit_diff_str(op->diff, "action", b->action, a->action);
    audit_diff_time(op->diff, "cured_at", b->cured_at, !b->has_cured, a->cured_at, !a->has_cured);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct breach *a = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(op->ctx->db,
                                 "UPDATE contract_breaches SET status = ?, reason = ?, action = ?, "
                                 "cured_at = ?, version = version + 1, updated_at = ? WHERE id = ? "
                                 "AND version = ?",
                                 &st, op->ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, a->status);
    db_bind_text(st, 2, a->reason);
    db_bind_text(st, 3, a->action);
    db_bind_i64n(st, 4, a->cured_at, !a->has_cured);
    db_bind_i64(st, 5, op->ctx->now);
    db_bind_i64(st, 6, a->id);
    db_bind_i64(st, 7, b->version);
    return db_run(st, op->ctx->err);
}

static int64_t up_account(const void *rec)
{
    return ((const struct breach *)rec)->account_id;
}

static const struct update_spec breach_spec = {
    .entity = "breach",
    .size = sizeof(struct breach),
    .versioned = 1,
    .version_at = offsetof(struct breach, version),
    .get = up_get,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
};

/* The moves allowed: from -> to. */
static int allowed(const char *from, const char *to)
{
    static const char *const moves[][2] = {
        {"detected", "confirmed"}, {"detected", "waived"}, {"confirmed", "waived"},
        {"confirmed", "action"},   {"action", "cured"},
    };
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
        if (!strcmp(moves[i][0], from) && !strcmp(moves[i][1], to))
            return 1;
    return 0;
}

enum kam_err breach_move(struct kam_ctx *ctx, int64_t id, const char *to, const char *text,
                         int64_t version, struct breach *out)
{
    static const char *const targets[] = {"confirmed", "waived", "action", "cured", NULL};
    enum kam_err rc = check_enum(ctx, "status", to, targets);
    if (rc)
        return rc;
    int needs_text = !strcmp(to, "waived") || !strcmp(to, "action");
    const char *field = !strcmp(to, "waived")   ? "reason"
                        : !strcmp(to, "action") ? "action"
                                                : "note";
    if (needs_text && (!text || !*text))
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "required",
                            (struct kam_param[]){{"field", field}, {0}}, "%s is required", field);
    if (text && (rc = check_text(ctx, field, text, needs_text, BREACH_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct breach before, after;
    if ((rc = breach_get(ctx, id, &before)))
        goto out;
    if (version && version != before.version) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version", NULL,
                          "the breach was changed by someone else (version %lld, now %lld)",
                          (long long)version, (long long)before.version);
        goto out;
    }
    if (!allowed(before.status, to)) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "breach.bad_move",
                          (struct kam_param[]){{"from", before.status}, {"to", to}, {0}},
                          "a %s breach cannot become %s", before.status, to);
        goto out;
    }
    after = before;
    after.status = to;
    if (!strcmp(to, "waived"))
        after.reason = text;
    else if (!strcmp(to, "action"))
        after.action = text;
    else if (!strcmp(to, "cured")) {
        after.has_cured = 1;
        after.cured_at = ctx->now;
        if (text && *text)
            after.action = arena_printf(ctx->a, "%s\n%s", before.action, text);
    }
    if (!(rc = record_save(ctx, &breach_spec, id, &before, &after, NULL, to, NULL)))
        rc = breach_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}
