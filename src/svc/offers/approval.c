/* approval.c -- discount approval: limits, requests, decisions, the inbox (docs/OFFERS.md
 * "Discount approval"). */
#include "approval.h"

#include <string.h>

#include "offer.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/notify.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"

static const char *const limit_roles[DISCOUNT_ROLES] = {"account_manager", "team_lead", "director"};
static const int64_t limit_defaults[DISCOUNT_ROLES] = {500, 1000, 2000};

/* The three limits (defaults for a role without a row). */
static enum kam_err limits_read(struct kam_ctx *ctx, int64_t out[DISCOUNT_ROLES])
{
    for (int i = 0; i < DISCOUNT_ROLES; i++)
        out[i] = limit_defaults[i];
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT role, max_bp FROM discount_limits", &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row)
        for (int i = 0; i < DISCOUNT_ROLES; i++)
            if (!strcmp(db_col_text(st, 0), limit_roles[i]))
                out[i] = db_col_i64(st, 1);
    db_done(st);
    return rc;
}

static int64_t own_limit(const int64_t lim[DISCOUNT_ROLES], enum role role)
{
    return role == ROLE_ACCOUNT_MANAGER ? lim[0]
           : role == ROLE_TEAM_LEAD     ? lim[1]
           : role == ROLE_DIRECTOR      ? lim[2]
                                        : 0;
}

enum kam_err approval_role_limit(struct kam_ctx *ctx, enum role role, int64_t *max_bp)
{
    int64_t lim[DISCOUNT_ROLES];
    enum kam_err rc = limits_read(ctx, lim);
    *max_bp = rc ? 0 : own_limit(lim, role);
    return rc;
}

static const char *needs_for(const int64_t lim[DISCOUNT_ROLES], enum role role, int64_t bp)
{
    if (bp <= 0)
        return NULL;
    int64_t tl = lim[1], dir = lim[2];
    int64_t own = own_limit(lim, role);
    if (bp <= own)
        return NULL;
    if (bp <= tl && role != ROLE_TEAM_LEAD && role != ROLE_DIRECTOR)
        return "team_lead";
    if (bp <= dir && role != ROLE_DIRECTOR)
        return "director";
    return "finance+director";
}

enum kam_err approval_needs(struct kam_ctx *ctx, enum role role, int64_t discount_bp,
                            const char **out)
{
    int64_t lim[DISCOUNT_ROLES];
    *out = NULL;
    enum kam_err rc = limits_read(ctx, lim);
    if (!rc)
        *out = needs_for(lim, role, discount_bp);
    return rc;
}

const char *approval_needed(struct kam_ctx *ctx, enum role role, int64_t discount_bp)
{
    int64_t lim[DISCOUNT_ROLES];
    struct kam_error e = {0}, *keep = ctx->err;
    ctx->err = &e;
    enum kam_err rc = limits_read(ctx, lim);
    ctx->err = keep;
    if (rc) /* cannot read the limits: the strictest answer */
        return discount_bp > 0 ? "finance+director" : NULL;
    return needs_for(lim, role, discount_bp);
}

#define COLS                                                                                       \
    "approvals.id, approvals.kind, approvals.object_id, approvals.account_id, accounts.name, "     \
    "approvals.requested_by, users.name, approvals.discount_bp, approvals.needs, "                 \
    "approvals.status, approvals.comment, approvals.created_at, approvals.decided_at, "            \
    "approvals.updated_at, approvals.version, offers.id, offers.number, offers.version_no, "       \
    "offers.title, offers.total, offers.currency"
#define FROM                                                                                       \
    " FROM approvals JOIN accounts ON accounts.id = approvals.account_id LEFT JOIN users ON "      \
    "users.id = approvals.requested_by LEFT JOIN offers ON approvals.kind = 'offer' AND "          \
    "offers.id = approvals.object_id"

/* The approvals the caller may decide now (no binds but the caller's id, 3 times). */
#define DECIDE_COND                                                                                \
    "(approvals.status = 'pending' AND COALESCE(approvals.requested_by, 0) <> ? AND ("             \
    "(? = 'director' AND NOT EXISTS (SELECT 1 FROM approval_steps s WHERE s.approval_id = "        \
    "approvals.id AND s.decision = 'approved' AND s.role = 'director')) OR "                       \
    "(? = 'finance' AND approvals.needs = 'finance+director' AND NOT EXISTS (SELECT 1 FROM "       \
    "approval_steps s WHERE s.approval_id = approvals.id AND s.decision = 'approved' AND s.role "  \
    "= 'finance')) OR "                                                                            \
    "(approvals.needs = 'team_lead' AND EXISTS (SELECT 1 FROM users o JOIN teams t ON t.id = "     \
    "o.team_id WHERE o.id = accounts.owner_id AND t.manager_id = ?))))"

static void bind_decide(struct sqlb *b, struct kam_ctx *ctx)
{
    const char *r = role_name(ctx->who.role);
    sqlb_i64(b, ctx->who.user_id);
    sqlb_text(b, r);
    sqlb_text(b, r);
    sqlb_i64(b, ctx->who.user_id);
}

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct approval *a = row;
    memset(a, 0, sizeof *a);
    a->id = db_col_i64(st, 0);
    a->kind = arena_strdup(ctx->a, db_col_text(st, 1));
    a->object_id = db_col_i64(st, 2);
    a->account_id = db_col_i64(st, 3);
    a->account_name = arena_strdup(ctx->a, db_col_text(st, 4));
    a->has_requested_by = !db_col_is_null(st, 5);
    a->requested_by = db_col_i64(st, 5);
    a->requested_by_name = db_col_is_null(st, 6) ? NULL : arena_strdup(ctx->a, db_col_text(st, 6));
    a->discount_bp = db_col_i64(st, 7);
    a->needs = arena_strdup(ctx->a, db_col_text(st, 8));
    a->status = arena_strdup(ctx->a, db_col_text(st, 9));
    a->comment = arena_strdup(ctx->a, db_col_text(st, 10));
    a->created_at = db_col_i64(st, 11);
    a->has_decided = !db_col_is_null(st, 12);
    a->decided_at = db_col_i64(st, 12);
    a->updated_at = db_col_i64(st, 13);
    a->version = db_col_i64(st, 14);
    a->has_offer = !db_col_is_null(st, 15);
    if (a->has_offer) {
        a->offer_id = db_col_i64(st, 15);
        a->offer_number = arena_strdup(ctx->a, db_col_text(st, 16));
        a->offer_version_no = db_col_i64(st, 17);
        a->offer_title = arena_strdup(ctx->a, db_col_text(st, 18));
        a->offer_total = db_col_i64(st, 19);
        a->offer_currency = arena_strdup(ctx->a, db_col_text(st, 20));
    }
}

static void read_step(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct approval_step *s = row;
    memset(s, 0, sizeof *s);
    s->role = arena_strdup(ctx->a, db_col_text(st, 0));
    s->has_user = !db_col_is_null(st, 1);
    s->user_id = db_col_i64(st, 1);
    s->user_name = db_col_is_null(st, 2) ? NULL : arena_strdup(ctx->a, db_col_text(st, 2));
    s->decision = arena_strdup(ctx->a, db_col_text(st, 3));
    s->comment = arena_strdup(ctx->a, db_col_text(st, 4));
    s->at = db_col_i64(st, 5);
}

static enum kam_err can_decide(struct kam_ctx *ctx, int64_t id, int *yes)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT COUNT(*)" FROM " WHERE approvals.id = ? AND " DECIDE_COND);
    sqlb_i64(&b, id);
    bind_decide(&b, ctx);
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *yes = !rc && row && db_col_i64(st, 0) > 0;
    db_done(st);
    return rc;
}

static enum kam_err load_steps(struct kam_ctx *ctx, struct approval *a)
{
    struct db_stmt *st;
    void *items;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT s.role, s.user_id, u.name, s.decision, s.comment, s.at "
                                 "FROM approval_steps s LEFT JOIN users u ON u.id = s.user_id "
                                 "WHERE s.approval_id = ? ORDER BY s.id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, a->id);
    if ((rc = rows_collect(ctx, st, APPROVAL_STEPS_MAX, read_step, sizeof(struct approval_step),
                           &items, &a->nsteps)))
        return rc;
    a->steps = items;
    return can_decide(ctx, a->id, &a->can_decide);
}

enum kam_err approval_get(struct kam_ctx *ctx, int64_t id, struct approval *out)
{
    enum kam_err rc =
        row_get(ctx, "SELECT " COLS FROM " WHERE approvals.id = ?", id, read_row, out, "approval");
    if (!rc)
        rc = load_steps(ctx, out);
    return rc;
}

static const char *const statuses[] = {"pending", "approved", "rejected", "withdrawn", NULL};

static enum kam_err where(struct kam_ctx *ctx, const struct approval_query *q, struct sqlb *b,
                          const char *select)
{
    enum kam_err rc;
    if (q->status && (rc = check_enum(ctx, "status", q->status, statuses)))
        return rc;
    int scoped = policy_scope_with(ctx, b);
    sqlb_sql(b, select);
    sqlb_sql(b, FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(b, " AND " POLICY_SCOPE_COND);
    if (q->status) {
        sqlb_sql(b, " AND approvals.status = ?");
        sqlb_text(b, q->status);
    }
    if (q->mine) {
        sqlb_sql(b, " AND " DECIDE_COND);
        bind_decide(b, ctx);
    }
    return KAM_OK;
}

static const struct page_sort sorts[] = {
    {"created_at", "approvals.created_at", 0},
};

enum kam_err approval_list(struct kam_ctx *ctx, const struct approval_query *q,
                           struct approval **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, 1, "-created_at", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    if ((rc = where(ctx, q, &b, "SELECT " COLS)))
        return rc;
    struct approval *items;
    const struct approval *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "approvals.id", read_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, items[n - 1].created_at, items[n - 1].id) : NULL;
    for (size_t i = 0; i < n; i++)
        if ((rc = load_steps(ctx, &items[i])))
            return rc;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err approval_count(struct kam_ctx *ctx, const struct approval_query *q, int64_t *n_out)
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

static enum kam_err notify_users(struct kam_ctx *ctx, const char *sql, int64_t bind,
                                 const char *key, const struct kam_param *params, const char *link)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, bind);
    int64_t ids[64];
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < 64)
        ids[n++] = db_col_i64(st, 0);
    db_done(st);
    for (size_t i = 0; !rc && i < n; i++)
        if (ids[i] != ctx->who.user_id)
            rc = notify_add_msg(ctx, ids[i], "approval", key, params, "", link, NULL, NULL);
    return rc;
}

enum kam_err approval_open(struct kam_ctx *ctx, int64_t offer_id, int64_t account_id,
                           int64_t discount_bp, const char *needs, const char *comment,
                           const char *offer_label, int64_t *id_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO approvals (kind, object_id, account_id, requested_by, discount_bp, needs, "
        "status, comment, version, created_at, updated_at) VALUES ('offer',?,?,?,?,?,'pending',?,"
        "1,?,?) RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, offer_id);
    db_bind_i64(st, 2, account_id);
    db_bind_i64n(st, 3, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_i64(st, 4, discount_bp);
    db_bind_text(st, 5, needs);
    db_bind_text(st, 6, comment);
    db_bind_i64(st, 7, ctx->now);
    db_bind_i64(st, 8, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *id_out = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "kind", NULL, "offer");
    audit_diff_i64(&d, "object_id", 0, 1, offer_id, 0);
    audit_diff_i64(&d, "discount_bp", 0, 1, discount_bp, 0);
    audit_diff_str(&d, "needs", NULL, needs);
    audit_diff_str(&d, "status", NULL, "pending");
    audit_diff_str(&d, "comment", NULL, comment);
    if ((rc = audit_write(ctx, "approval", *id_out, account_id, "create", &d)))
        return rc;
    const char *bp = arena_printf(ctx->a, "%lld.%02lld", (long long)(discount_bp / 100),
                                  (long long)(discount_bp % 100));
    const struct kam_param params[] = {{"offer", offer_label}, {"discount", bp}, {0}};
    const char *link = "/approvals"; /* the inbox (web/src/views/approvals) */
    if (!strcmp(needs, "team_lead")) {
        int64_t lead = 0;
        rc = db_query_i64(ctx->db,
                          "SELECT COALESCE(t.manager_id, 0) FROM accounts a JOIN users o ON o.id = "
                          "a.owner_id JOIN teams t ON t.id = o.team_id WHERE a.id = ?",
                          1, account_id, &lead, ctx->err);
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            rc = KAM_OK;
        }
        if (rc)
            return rc;
        int64_t active = 0;
        if (lead &&
            (rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM users WHERE id = ? AND disabled = 0",
                               1, lead, &active, ctx->err)))
            return rc;
        if (active && lead != ctx->who.user_id)
            return notify_users(ctx, "SELECT id FROM users WHERE id = ? AND disabled = 0", lead,
                                "notify.approval_requested", params, link);
        /* no active team lead (or the requester is the lead): the directors decide (they may
         * decide a team_lead request too) */
    }
    rc =
        notify_users(ctx,
                     "SELECT id FROM users WHERE disabled = 0 AND (role = 'director' OR (? = 1 "
                     "AND role = 'finance')) ORDER BY id",
                     !strcmp(needs, "finance+director"), "notify.approval_requested", params, link);
    return rc;
}

enum kam_err approval_close(struct kam_ctx *ctx, int64_t id, const char *status)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE approvals SET status = ?, decided_at = ?, updated_at = ?, "
                                 "version = version + 1 WHERE id = ? AND status = 'pending'",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, status);
    db_bind_i64(st, 2, ctx->now);
    db_bind_i64(st, 3, ctx->now);
    db_bind_i64(st, 4, id);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    if (db_changes(ctx->db) != 1)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "approval.not_pending", NULL,
                            "the approval is no longer pending");
    int64_t account = 0;
    if ((rc = db_query_i64(ctx->db, "SELECT account_id FROM approvals WHERE id = ?", 1, id,
                           &account, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "status", "pending", status);
    return audit_write(ctx, "approval", id, account, "update", &d);
}

/* The offer of a decided approval moves: approved -> approved; else back to draft. */
static enum kam_err move_offer(struct kam_ctx *ctx, const struct approval *a, const char *to,
                               const char *reason)
{
    if (!a->has_offer)
        return KAM_OK;
    struct offer o;
    enum kam_err rc = offer_get(ctx, a->offer_id, &o);
    if (rc)
        return rc;
    if (strcmp(o.status, "pending") != 0)
        return KAM_OK;
    return offer_set_status(ctx, &o, to, reason, 0, 0);
}

static enum kam_err notify_requester(struct kam_ctx *ctx, const struct approval *a, const char *key)
{
    if (!a->has_requested_by || a->requested_by == ctx->who.user_id)
        return KAM_OK;
    const char *label = a->has_offer ? arena_printf(ctx->a, "%s v%lld", a->offer_number,
                                                    (long long)a->offer_version_no)
                                     : "";
    return notify_add_msg(
        ctx, a->requested_by, "approval", key, (struct kam_param[]){{"offer", label}, {0}}, "",
        a->has_offer ? arena_printf(ctx->a, "/offers/%lld", (long long)a->offer_id) : NULL, NULL,
        NULL);
}

/* The approval row locked first (PostgreSQL: FOR UPDATE; SQLite's write transaction is one
 * writer already): two deciders at once take turns, the second reads the first's step. */
static enum kam_err lock_row(struct kam_ctx *ctx, int64_t id)
{
    return db_lock_row(ctx->db, "approvals", id, ctx->err);
}

enum kam_err approval_decide(struct kam_ctx *ctx, int64_t id, int approve, const char *comment,
                             struct approval *out)
{
    enum kam_err rc;
    /* A rejection says why: a blank comment is no reason. */
    size_t skip = comment ? strspn(comment, " \t\r\n") : 0;
    if (!approve && (!comment || !comment[skip]))
        return kam_fail_key(ctx->err, KAM_EINVAL, "comment", "required",
                            (struct kam_param[]){{"field", "comment"}, {0}}, "comment is required");
    if ((rc = check_text(ctx, "comment", comment ? comment : "", approve ? 0 : 1,
                         APPROVAL_COMMENT_MAX, CHECK_MULTILINE)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct approval a;
    if ((rc = lock_row(ctx, id)) || (rc = approval_get(ctx, id, &a)))
        goto out;
    if (strcmp(a.status, "pending") != 0) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "approval.not_pending",
                          (struct kam_param[]){{"status", a.status}, {0}},
                          "the approval is %s, no longer pending", a.status);
        goto out;
    }
    if (a.has_requested_by && a.requested_by == ctx->who.user_id) {
        rc = kam_fail_key(ctx->err, KAM_EFORBIDDEN, "id", "approval.own", NULL,
                          "you cannot decide your own discount request");
        goto out;
    }
    if (!a.can_decide) {
        /* one key per level: the words of the role in each language, never the raw code */
        const char *key = !strcmp(a.needs, "team_lead")  ? "approval.not_decider_team_lead"
                          : !strcmp(a.needs, "director") ? "approval.not_decider_director"
                                                         : "approval.not_decider_finance";
        rc = kam_fail_key(ctx->err, KAM_EFORBIDDEN, "id", key, NULL,
                          "this request needs %s; you cannot decide it", a.needs);
        goto out;
    }
    const char *role = ctx->who.role == ROLE_DIRECTOR  ? "director"
                       : ctx->who.role == ROLE_FINANCE ? "finance"
                                                       : "team_lead";
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO approval_steps (approval_id, role, user_id, decision, "
                         "comment, at) VALUES (?,?,?,?,?,?)",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, id);
    db_bind_text(st, 2, role);
    db_bind_i64n(st, 3, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_text(st, 4, approve ? "approved" : "rejected");
    db_bind_text(st, 5, comment ? comment : "");
    db_bind_i64(st, 6, ctx->now);
    if ((rc = db_run(st, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "decision", NULL, approve ? "approved" : "rejected");
    audit_diff_str(&d, "decided_as", NULL, role);
    audit_diff_str(&d, "decision_comment", NULL, comment ? comment : "");
    if ((rc = audit_write(ctx, "approval", id, a.account_id, "comment", &d)))
        goto out;
    int done = 1;
    if (approve && !strcmp(a.needs, "finance+director")) {
        int64_t fin = 0, dir = 0;
        if ((rc = db_query_i64(ctx->db,
                               "SELECT COUNT(*) FROM approval_steps WHERE approval_id = ? AND "
                               "decision = 'approved' AND role = 'finance'",
                               1, id, &fin, ctx->err)) ||
            (rc = db_query_i64(ctx->db,
                               "SELECT COUNT(*) FROM approval_steps WHERE approval_id = ? AND "
                               "decision = 'approved' AND role = 'director'",
                               1, id, &dir, ctx->err)))
            goto out;
        done = fin > 0 && dir > 0;
    }
    if (done) {
        const char *to = approve ? "approved" : "rejected";
        if ((rc = approval_close(ctx, id, to)) ||
            (rc = move_offer(ctx, &a, approve ? "approved" : "draft",
                             approve ? NULL : (comment ? comment : ""))) ||
            (rc = notify_requester(
                 ctx, &a, approve ? "notify.approval_approved" : "notify.approval_rejected")))
            goto out;
    }
    rc = approval_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err approval_withdraw(struct kam_ctx *ctx, int64_t id, struct approval *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct approval a;
    if ((rc = lock_row(ctx, id)) || (rc = approval_get(ctx, id, &a)))
        goto out;
    if (strcmp(a.status, "pending") != 0) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "approval.not_pending",
                          (struct kam_param[]){{"status", a.status}, {0}},
                          "the approval is %s, no longer pending", a.status);
        goto out;
    }
    if (!a.has_requested_by || a.requested_by != ctx->who.user_id) {
        rc = kam_fail_key(ctx->err, KAM_EFORBIDDEN, "id", "approval.not_requester", NULL,
                          "only the requester withdraws a request");
        goto out;
    }
    if ((rc = approval_close(ctx, id, "withdrawn")) || (rc = move_offer(ctx, &a, "draft", NULL)))
        goto out;
    rc = approval_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err discount_limits_get(struct kam_ctx *ctx, struct discount_limit out[DISCOUNT_ROLES])
{
    int64_t lim[DISCOUNT_ROLES];
    enum kam_err rc = limits_read(ctx, lim);
    for (int i = 0; i < DISCOUNT_ROLES; i++) {
        out[i].role = limit_roles[i];
        out[i].max_bp = lim[i];
    }
    return rc;
}

enum kam_err discount_limits_set(struct kam_ctx *ctx, const struct discount_limit *in, size_t n,
                                 struct discount_limit out[DISCOUNT_ROLES])
{
    struct discount_limit cur[DISCOUNT_ROLES], next[DISCOUNT_ROLES];
    enum kam_err rc = discount_limits_get(ctx, cur);
    if (rc)
        return rc;
    memcpy(next, cur, sizeof next);
    for (size_t i = 0; i < n; i++) {
        int k = -1;
        for (int j = 0; j < DISCOUNT_ROLES; j++)
            if (in[i].role && !strcmp(in[i].role, limit_roles[j]))
                k = j;
        if (k < 0)
            return kam_fail_key(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "limits[%zu].role", i),
                                "approval.limit_role", NULL,
                                "role must be account_manager, team_lead or director");
        if (in[i].max_bp < 0 || in[i].max_bp > 10000)
            return kam_fail_key(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "limits[%zu].max_bp", i),
                                "approval.limit_range", NULL, "max_bp must be 0..10000");
        next[k].max_bp = in[i].max_bp;
    }
    for (int j = 1; j < DISCOUNT_ROLES; j++)
        if (next[j].max_bp < next[j - 1].max_bp) {
            size_t at = 0;
            for (size_t i = 0; i < n; i++)
                if (!strcmp(in[i].role, limit_roles[j]) || !strcmp(in[i].role, limit_roles[j - 1]))
                    at = i;
            return kam_fail_key(
                ctx->err, KAM_EINVAL, arena_printf(ctx->a, "limits[%zu].max_bp", at),
                "approval.limits_order", NULL, "account_manager <= team_lead <= director");
        }
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    for (int j = 0; j < DISCOUNT_ROLES && !rc; j++) {
        if (next[j].max_bp == cur[j].max_bp)
            continue;
        audit_diff_i64(&d, arena_printf(ctx->a, "discount_limit_%s", limit_roles[j]), cur[j].max_bp,
                       0, next[j].max_bp, 0);
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO discount_limits (role, max_bp, updated_at) VALUES "
                             "(?,?,?) ON CONFLICT (role) DO UPDATE SET max_bp = excluded.max_bp, "
                             "updated_at = excluded.updated_at",
                             &st, ctx->err)))
            break;
        db_bind_text(st, 1, limit_roles[j]);
        db_bind_i64(st, 2, next[j].max_bp);
        db_bind_i64(st, 3, ctx->now);
        rc = db_run(st, ctx->err);
    }
    if (!rc)
        rc = audit_write(ctx, "settings", 1, 0, "update", &d);
    else
        audit_diff_release(&d);
    if (!rc)
        rc = discount_limits_get(ctx, out);
    return db_end(ctx->db, rc, ctx->err);
}
