/* issue.c -- customer issues, SLA rules, escalation, SLA statistics. */
#include "issue.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/notify.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/search.h"
#include "svc/core/update.h"

const char *const issue_categories[] = {"quality",   "delivery",   "billing", "service",
                                        "technical", "suggestion", "other",   NULL};
const char *const issue_severities[] = {"low", "medium", "high", "critical", NULL};
const char *const issue_statuses[] = {"open", "in_progress", "resolved", "confirmed", NULL};

#define HOUR 3600

#define COLS                                                                                       \
    "issues.id, issues.account_id, issues.contact_id, issues.title, issues.description, "          \
    "issues.category, issues.severity, issues.status, issues.assignee_id, issues.reported_at, "    \
    "issues.response_due_at, issues.resolution_due_at, issues.first_response_at, "                 \
    "issues.resolved_at, issues.confirmed_at, issues.escalated_at, issues.escalated_to, "          \
    "issues.version, issues.created_at, issues.updated_at, accounts.name"

static int64_t opt(struct db_stmt *st, int col, int *has)
{
    *has = !db_col_is_null(st, col);
    return *has ? db_col_i64(st, col) : 0;
}

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct issue *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->account_id = db_col_i64(st, 1);
    x->contact_id = opt(st, 2, &x->has_contact);
    x->title = arena_strdup(ctx->a, db_col_text(st, 3));
    x->description = arena_strdup(ctx->a, db_col_text(st, 4));
    x->category = arena_strdup(ctx->a, db_col_text(st, 5));
    x->severity = arena_strdup(ctx->a, db_col_text(st, 6));
    x->status = arena_strdup(ctx->a, db_col_text(st, 7));
    x->assignee_id = opt(st, 8, &x->has_assignee);
    x->reported_at = db_col_i64(st, 9);
    x->response_due_at = db_col_i64(st, 10);
    x->resolution_due_at = db_col_i64(st, 11);
    x->first_response_at = opt(st, 12, &x->has_first_response);
    x->resolved_at = opt(st, 13, &x->has_resolved);
    x->confirmed_at = opt(st, 14, &x->has_confirmed);
    x->escalated_at = opt(st, 15, &x->has_escalated);
    x->escalated_to = opt(st, 16, &x->has_escalated_to);
    x->version = db_col_i64(st, 17);
    x->created_at = db_col_i64(st, 18);
    x->updated_at = db_col_i64(st, 19);
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 20));
}

enum kam_err issue_get(struct kam_ctx *ctx, int64_t id, struct issue *out)
{
    enum kam_err rc = row_get(ctx,
                              "SELECT " COLS
                              " FROM issues JOIN accounts ON accounts.id = issues.account_id WHERE "
                              "issues.id = ?",
                              id, read_row, out, "issue");
    return rc;
}

static void diff_all(struct audit_diff *d, const struct issue *b, const struct issue *a)
{
    audit_diff_str(d, "title", b ? b->title : NULL, a ? a->title : NULL);
    audit_diff_str(d, "description", b ? b->description : NULL, a ? a->description : NULL);
    audit_diff_str(d, "category", b ? b->category : NULL, a ? a->category : NULL);
    audit_diff_str(d, "severity", b ? b->severity : NULL, a ? a->severity : NULL);
    audit_diff_str(d, "status", b ? b->status : NULL, a ? a->status : NULL);
    audit_diff_i64(d, "assignee_id", b ? b->assignee_id : 0, !b || !b->has_assignee,
                   a ? a->assignee_id : 0, !a || !a->has_assignee);
    audit_diff_i64(d, "contact_id", b ? b->contact_id : 0, !b || !b->has_contact,
                   a ? a->contact_id : 0, !a || !a->has_contact);
    audit_diff_time(d, "response_due_at", b ? b->response_due_at : 0, !b,
                    a ? a->response_due_at : 0, !a);
    audit_diff_time(d, "resolution_due_at", b ? b->resolution_due_at : 0, !b,
                    a ? a->resolution_due_at : 0, !a);
    audit_diff_time(d, "escalated_at", b ? b->escalated_at : 0, !b || !b->has_escalated,
                    a ? a->escalated_at : 0, !a || !a->has_escalated);
    audit_diff_i64(d, "escalated_to", b ? b->escalated_to : 0, !b || !b->has_escalated_to,
                   a ? a->escalated_to : 0, !a || !a->has_escalated_to);
}

/* 1 if user_id may be given issues of account_id: an active user whose role may change
 * issues of that account (policy_user_may). */
static enum kam_err may_assign(struct kam_ctx *ctx, int64_t user_id, int64_t account_id, int *yes)
{
    return policy_user_may(ctx, user_id, OBJ_ISSUE, ACT_UPDATE, account_id, yes);
}

/* before: the stored issue, NULL on create. The assignee is checked when it is set, so an
 * assignee who has since lost the account does not block other edits of the issue. */
static enum kam_err validate(struct kam_ctx *ctx, const struct issue *x, const struct issue *before)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "title", x->title, 1, 200, 0)) ||
        (rc = check_text(ctx, "description", x->description, 0, 8000, 1)) ||
        (rc = check_enum(ctx, "category", x->category, issue_categories)) ||
        (rc = check_enum(ctx, "severity", x->severity, issue_severities)))
        return rc;
    if (x->has_contact) {
        int64_t acc = 0;
        rc = db_query_i64(ctx->db, "SELECT account_id FROM contacts WHERE id = ?", 1, x->contact_id,
                          &acc, ctx->err);
        if (rc == KAM_ENOTFOUND || (!rc && acc != x->account_id)) {
            kam_error_clear(ctx->err);
            return kam_fail(ctx->err, KAM_EINVAL, "contact_id",
                            "contact_id must be a contact of the same account");
        }
        if (rc)
            return rc;
    }
    if (x->has_assignee &&
        (!before || !before->has_assignee || before->assignee_id != x->assignee_id)) {
        int yes = 0;
        if ((rc = may_assign(ctx, x->assignee_id, x->account_id, &yes)))
            return rc;
        if (!yes)
            return kam_fail(ctx->err, KAM_EINVAL, "assignee_id",
                            "assignee_id must be an active user who may work on this account's "
                            "issues");
    }
    return KAM_OK;
}

/* Deadlines from the SLA rule of the account's tier and the severity. */
static enum kam_err deadlines(struct kam_ctx *ctx, struct issue *x)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT s.response_hours, s.resolution_hours FROM sla_rules s "
                                 "JOIN accounts a ON a.tier = s.tier WHERE a.id = ? AND "
                                 "s.severity = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->account_id);
    db_bind_text(st, 2, x->severity);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t resp = 72, resol = 480; /* no rule for this tier: generous defaults */
    if (!rc && row) {
        resp = db_col_i64(st, 0);
        resol = db_col_i64(st, 1);
    }
    db_done(st);
    x->response_due_at = x->reported_at + resp * HOUR;
    x->resolution_due_at = x->reported_at + resol * HOUR;
    return rc;
}

static void merge(struct issue *x, const struct issue_in *in)
{
    const struct issue *v = &in->v;
    if (in->set & ISS_TITLE)
        x->title = v->title;
    if (in->set & ISS_DESCRIPTION)
        x->description = v->description;
    if (in->set & ISS_CATEGORY)
        x->category = v->category;
    if (in->set & ISS_SEVERITY)
        x->severity = v->severity;
    if (in->set & ISS_ASSIGNEE) {
        x->has_assignee = v->has_assignee;
        x->assignee_id = v->assignee_id;
    }
    if (in->set & ISS_CONTACT) {
        x->has_contact = v->has_contact;
        x->contact_id = v->contact_id;
    }
}

static void bind_all(struct db_stmt *st, const struct issue *x, int64_t now)
{
    db_bind_text(st, 1, x->title);
    db_bind_text(st, 2, x->description);
    db_bind_text(st, 3, x->category);
    db_bind_text(st, 4, x->severity);
    db_bind_text(st, 5, x->status);
    db_bind_i64n(st, 6, x->assignee_id, !x->has_assignee);
    db_bind_i64n(st, 7, x->contact_id, !x->has_contact);
    db_bind_i64(st, 8, x->response_due_at);
    db_bind_i64(st, 9, x->resolution_due_at);
    db_bind_i64n(st, 10, x->first_response_at, !x->has_first_response);
    db_bind_i64n(st, 11, x->resolved_at, !x->has_resolved);
    db_bind_i64n(st, 12, x->confirmed_at, !x->has_confirmed);
    db_bind_i64n(st, 13, x->escalated_at, !x->has_escalated);
    db_bind_i64n(st, 14, x->escalated_to, !x->has_escalated_to);
    db_bind_i64(st, 15, now);
}

enum kam_err issue_create(struct kam_ctx *ctx, int64_t account_id, const struct issue_in *in,
                          struct issue *out)
{
    struct issue x = {0};
    x.account_id = account_id;
    x.description = "";
    x.category = "other";
    x.severity = "medium";
    x.status = "open";
    x.reported_at = ctx->now;
    merge(&x, in);
    if (!(in->set & ISS_TITLE))
        return kam_fail(ctx->err, KAM_EINVAL, "title", "title is required");
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    if (!x.has_assignee) {
        /* Unassigned issues go to the account's owner, when the owner may work on them (an
         * owner who left or whose role handles no issues leaves the issue unassigned). */
        int64_t owner = 0;
        int yes = 0;
        if ((rc = db_query_i64(ctx->db, "SELECT owner_id FROM accounts WHERE id = ?", 1, account_id,
                               &owner, ctx->err)) ||
            (rc = may_assign(ctx, owner, account_id, &yes)))
            goto out;
        x.has_assignee = yes;
        x.assignee_id = yes ? owner : 0;
    }
    if ((rc = validate(ctx, &x, NULL)) || (rc = deadlines(ctx, &x)))
        goto out;
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "INSERT INTO issues (title, description, category, severity, status, "
                    "assignee_id, contact_id, response_due_at, resolution_due_at, "
                    "first_response_at, resolved_at, confirmed_at, escalated_at, escalated_to, "
                    "updated_at, account_id, reported_at, created_at, version) VALUES "
                    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1) RETURNING id",
                    &st, ctx->err);
    if (rc)
        goto out;
    bind_all(st, &x, ctx->now);
    db_bind_i64(st, 16, account_id);
    db_bind_i64(st, 17, x.reported_at);
    db_bind_i64(st, 18, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, NULL, &x);
    rc = audit_write(ctx, "issue", x.id, account_id, "create", &d);
    if (!rc)
        rc = search_sync(ctx, "issue", x.id);
    if (!rc && x.has_assignee && x.assignee_id != ctx->who.user_id)
        rc = notify_add_msg(ctx, x.assignee_id, "issue_assigned", "notify.issue_new",
                            (struct kam_param[]){{"title", x.title}, {0}}, "",
                            arena_printf(ctx->a, "/issues/%lld", (long long)x.id), NULL, NULL);
    if (!rc)
        rc = issue_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- update (svc/core/update.h) ---- */

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return issue_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    struct issue *x = rec;
    const struct issue *b = op->before;
    merge(x, op->in);
    enum kam_err rc = validate(op->ctx, x, b);
    if (!rc && strcmp(x->severity, b->severity) != 0)
        rc = deadlines(op->ctx, x);
    return rc;
}

static void up_diff(const struct update_op *op)
{
    diff_all(op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct issue *x = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "UPDATE issues SET title = ?, description = ?, category = ?, severity = ?, status = ?, "
        "assignee_id = ?, contact_id = ?, response_due_at = ?, resolution_due_at = ?, "
        "first_response_at = ?, resolved_at = ?, confirmed_at = ?, escalated_at = ?, "
        "escalated_to = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        &st, ctx->err);
    if (rc)
        return rc;
    bind_all(st, x, ctx->now);
    db_bind_i64(st, 16, x->id);
    db_bind_i64(st, 17, b->version);
    /* No row changed is a lost race: record_save answers 409 from db_changes. */
    if ((rc = db_run(st, ctx->err)) || db_changes(ctx->db) != 1)
        return rc;
    return search_sync(ctx, "issue", x->id);
}

static int64_t up_account(const void *rec)
{
    return ((const struct issue *)rec)->account_id;
}

/* A PATCH that gives the issue to someone else tells them. */
static enum kam_err up_after(const struct update_op *op)
{
    const struct issue *b = op->before, *x = op->after;
    struct kam_ctx *ctx = op->ctx;
    if (!op->in || !x->has_assignee || x->assignee_id == b->assignee_id ||
        x->assignee_id == ctx->who.user_id)
        return KAM_OK;
    return notify_add_msg(ctx, x->assignee_id, "issue_assigned", "notify.issue_assigned",
                          (struct kam_param[]){{"title", x->title}, {0}}, "",
                          arena_printf(ctx->a, "/issues/%lld", (long long)x->id), NULL, NULL);
}

static const struct update_spec issue_spec = {
    .entity = "issue",
    .size = sizeof(struct issue),
    .versioned = 1,
    .version_at = offsetof(struct issue, version),
    .get = up_get,
    .in_set_at = offsetof(struct issue_in, set),
    .in_version_at = offsetof(struct issue_in, v.version),
    .in_version_bit = ISS_VERSION,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
    .after = up_after,
};

/* Workflow moves and escalations: the same guarded write and audit row as a PATCH. */
static enum kam_err write_issue(struct kam_ctx *ctx, const struct issue *before,
                                const struct issue *x, const char *action)
{
    return record_save(ctx, &issue_spec, x->id, before, x, NULL, action, NULL);
}

enum kam_err issue_update(struct kam_ctx *ctx, int64_t id, const struct issue_in *in,
                          struct issue *out)
{
    return record_update(ctx, &issue_spec, id, in, out);
}

/* The workflow: which status may follow which. */
static int allowed(const char *from, const char *to)
{
    static const char *const moves[][2] = {
        {"open", "in_progress"},   {"open", "resolved"},        {"in_progress", "resolved"},
        {"resolved", "confirmed"}, {"resolved", "in_progress"}, /* reopened */
    };
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
        if (!strcmp(moves[i][0], from) && !strcmp(moves[i][1], to))
            return 1;
    return 0;
}

enum kam_err issue_transition(struct kam_ctx *ctx, int64_t id, const char *to, const char *note,
                              struct issue *out)
{
    enum kam_err rc = check_enum(ctx, "to", to, issue_statuses);
    if (rc || (rc = check_text(ctx, "note", note, 0, 4000, 1)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct issue before, x;
    if ((rc = issue_get(ctx, id, &before)))
        goto out;
    if (!allowed(before.status, to)) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "to", "issue.bad_transition",
                          (struct kam_param[]){{"from", before.status}, {"to", to}, {0}},
                          "an issue that is %s cannot become %s", before.status, to);
        goto out;
    }
    x = before;
    x.status = to;
    if (!x.has_first_response) {
        x.has_first_response = 1;
        x.first_response_at = ctx->now;
    }
    if (!strcmp(to, "resolved")) {
        x.has_resolved = 1;
        x.resolved_at = ctx->now;
    } else if (!strcmp(to, "in_progress") && !strcmp(before.status, "resolved")) {
        x.has_resolved = 0; /* reopened: the resolution clock runs again */
        x.resolved_at = 0;
    } else if (!strcmp(to, "confirmed")) {
        x.has_confirmed = 1;
        x.confirmed_at = ctx->now;
    }
    if ((rc = write_issue(ctx, &before, &x, "update")))
        goto out;
    if (note && *note) {
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_str(&d, "note", NULL, note);
        if ((rc = audit_write(ctx, "issue", id, x.account_id, "comment", &d)))
            goto out;
    }
    rc = issue_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err issue_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct issue before;
    if ((rc = issue_get(ctx, id, &before)))
        goto out;
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM issues WHERE id = ?", id, ctx->err)) ||
        (rc = search_drop(ctx, "issue", id)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, &before, NULL);
    rc = audit_write(ctx, "issue", id, before.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort sorts[] = {{"id", "issues.id", 0}};

enum kam_err issue_list(struct kam_ctx *ctx, const struct issue_query *q, struct issue **items_out,
                        size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, 1, "-id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if ((q->status && (rc = check_enum(ctx, "status", q->status, issue_statuses))) ||
        (q->severity && (rc = check_enum(ctx, "severity", q->severity, issue_severities))) ||
        (q->q && (rc = check_text(ctx, "q", q->q, 0, 100, 0))))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " COLS " FROM issues JOIN accounts ON accounts.id = issues.account_id "
                 "WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->q && *q->q) {
        /* The number ("123", "#123") or a piece of the title, case-insensitive (LIKE with the
         * wildcards escaped; LOWER folds ASCII on both engines, Chinese has no case). */
        const char *s = q->q[0] == '#' ? q->q + 1 : q->q;
        int64_t num = 0;
        int digits = *s != 0 && strlen(s) <= 15;
        for (const char *c = s; *c && digits; c++)
            digits = *c >= '0' && *c <= '9';
        for (const char *c = s; digits && *c; c++)
            num = num * 10 + (*c - '0');
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
        sqlb_sql(&b, " AND (LOWER(issues.title) LIKE LOWER(?) ESCAPE '\\'");
        sqlb_text(&b, pat);
        if (digits) {
            sqlb_sql(&b, " OR issues.id = ?");
            sqlb_i64(&b, num);
        }
        sqlb_sql(&b, ")");
    }
    if (q->severity) {
        sqlb_sql(&b, " AND issues.severity = ?");
        sqlb_text(&b, q->severity);
    }
    if (q->owner_id) {
        sqlb_sql(&b, " AND accounts.owner_id = ?");
        sqlb_i64(&b, q->owner_id);
    }
    if (q->opened_from) {
        sqlb_sql(&b, " AND issues.reported_at >= ?");
        sqlb_i64(&b, q->opened_from);
    }
    if (q->opened_to) {
        sqlb_sql(&b, " AND issues.reported_at < ?");
        sqlb_i64(&b, q->opened_to);
    }
    if (q->account_id) {
        sqlb_sql(&b, " AND issues.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    if (q->assignee_id) {
        sqlb_sql(&b, " AND issues.assignee_id = ?");
        sqlb_i64(&b, q->assignee_id);
    }
    if (q->status) {
        sqlb_sql(&b, " AND issues.status = ?");
        sqlb_text(&b, q->status);
    }
    if (q->escalated == 1)
        sqlb_sql(&b, " AND issues.escalated_at IS NOT NULL");
    else if (q->escalated == 0)
        sqlb_sql(&b, " AND issues.escalated_at IS NULL");
    if (pg.has_after) {
        sqlb_sql(&b, " AND issues.id < ?");
        sqlb_i64(&b, pg.after_id);
    }
    sqlb_sql(&b, " ORDER BY issues.id DESC LIMIT ?");
    sqlb_i64(&b, pg.limit + 1);
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    struct issue *items;
    size_t n;
    if ((rc = rows_collect(ctx, st, (size_t)pg.limit + 1, read_row, sizeof *items, (void **)&items,
                           &n)))
        return rc;
    *next_out = NULL;
    if (n > (size_t)pg.limit) {
        n = (size_t)pg.limit;
        *next_out = page_cursor(ctx, &pg, NULL, items[n - 1].id, items[n - 1].id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err issue_escalate(struct kam_ctx *ctx, int *escalated_out)
{
    *escalated_out = 0;
    /* Past the response deadline without a response, or past the resolution deadline
     * unresolved; not escalated before. The lead: manager of the assignee's team. */
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "SELECT issues.id, teams.manager_id FROM issues LEFT JOIN users ON users.id = "
                   "issues.assignee_id LEFT JOIN teams ON teams.id = users.team_id WHERE "
                   "issues.escalated_at IS NULL AND issues.status IN ('open', 'in_progress') AND "
                   "((issues.first_response_at IS NULL AND issues.response_due_at < ?) OR "
                   "issues.resolution_due_at < ?) ORDER BY issues.id LIMIT 5000",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, ctx->now);
    db_bind_i64(st, 2, ctx->now);
    int64_t *ids = arena_calloc(ctx->a, 5000, sizeof *ids), *leads = arena_calloc(ctx->a, 5000, 8);
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < 5000) {
        ids[n] = db_col_i64(st, 0);
        leads[n] = db_col_is_null(st, 1) ? 0 : db_col_i64(st, 1);
        n++;
    }
    db_done(st);
    for (size_t i = 0; !rc && i < n; i++) {
        if ((rc = db_begin(ctx->db, ctx->err)))
            break;
        struct issue before, x;
        rc = issue_get(ctx, ids[i], &before);
        /* Another instance may have escalated it since the scan: the row decides. */
        if (!rc && !before.has_escalated) {
            x = before;
            x.has_escalated = 1;
            x.escalated_at = ctx->now;
            x.has_escalated_to = leads[i] != 0;
            x.escalated_to = leads[i];
            rc = write_issue(ctx, &before, &x, "escalate");
            if (!rc && leads[i])
                rc = notify_add_msg(ctx, leads[i], "issue_escalated", "notify.issue_escalated",
                                    (struct kam_param[]){{"title", x.title}, {0}}, "",
                                    arena_printf(ctx->a, "/issues/%lld", (long long)x.id),
                                    arena_printf(ctx->a, "issue-escalated:%lld", (long long)x.id),
                                    NULL);
            if (!rc && x.has_assignee)
                rc = notify_add_msg(ctx, x.assignee_id, "issue_escalated", "notify.issue_escalated",
                                    (struct kam_param[]){{"title", x.title}, {0}}, "",
                                    arena_printf(ctx->a, "/issues/%lld", (long long)x.id),
                                    arena_printf(ctx->a, "issue-escalated-a:%lld", (long long)x.id),
                                    NULL);
            if (!rc)
                (*escalated_out)++;
        }
        rc = db_end(ctx->db, rc, ctx->err);
        /* A concurrent escalation of the same issue loses on the version check: not an error. */
        if (rc == KAM_ECONFLICT) {
            kam_error_clear(ctx->err);
            rc = KAM_OK;
        }
    }
    return rc;
}

#define SLA_COLS "id, tier, severity, response_hours, resolution_hours, updated_at"

static void read_sla(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct sla_rule *s = row;
    s->id = db_col_i64(st, 0);
    s->tier = arena_strdup(ctx->a, db_col_text(st, 1));
    s->severity = arena_strdup(ctx->a, db_col_text(st, 2));
    s->response_hours = db_col_i64(st, 3);
    s->resolution_hours = db_col_i64(st, 4);
    s->updated_at = db_col_i64(st, 5);
}

enum kam_err sla_list(struct kam_ctx *ctx, struct sla_rule **items_out, size_t *n_out)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT " SLA_COLS " FROM sla_rules ORDER BY id", &st, ctx->err);
    if (rc)
        return rc;
    return rows_collect(ctx, st, 64, read_sla, sizeof **items_out, (void **)items_out, n_out);
}

/* What PATCH /sla-rules/{id} may give. */
struct sla_in {
    int64_t response_hours, resolution_hours;
    int has_response, has_resolution;
};

static enum kam_err sla_up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return row_get(ctx, "SELECT " SLA_COLS " FROM sla_rules WHERE id = ?", id, read_sla, rec,
                   "SLA rule");
}

static enum kam_err sla_up_merge(const struct update_op *op, void *rec)
{
    struct sla_rule *s = rec;
    const struct sla_in *in = op->in;
    struct kam_ctx *ctx = op->ctx;
    enum kam_err rc;
    if (in->has_response)
        s->response_hours = in->response_hours;
    if (in->has_resolution)
        s->resolution_hours = in->resolution_hours;
    if ((rc = check_range(ctx, "response_hours", s->response_hours, 1, 24 * 365)) ||
        (rc = check_range(ctx, "resolution_hours", s->resolution_hours, 1, 24 * 365)))
        return rc;
    if (s->resolution_hours < s->response_hours)
        return kam_fail(ctx->err, KAM_EINVAL, "resolution_hours",
                        "resolution_hours must not be shorter than response_hours");
    return KAM_OK;
}

static void sla_up_diff(const struct update_op *op)
{
    const struct sla_rule *b = op->before, *a = op->after;
    audit_diff_i64(op->diff, "response_hours", b->response_hours, 0, a->response_hours, 0);
    audit_diff_i64(op->diff, "resolution_hours", b->resolution_hours, 0, a->resolution_hours, 0);
}

static enum kam_err sla_up_write(const struct update_op *op)
{
    const struct sla_rule *s = op->after;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE sla_rules SET response_hours = ?, resolution_hours = ?, "
                                 "updated_at = ? WHERE id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, s->response_hours);
    db_bind_i64(st, 2, s->resolution_hours);
    db_bind_i64(st, 3, ctx->now);
    db_bind_i64(st, 4, s->id);
    return db_run(st, ctx->err);
}

static const struct update_spec sla_spec = {
    .entity = "sla_rule",
    .size = sizeof(struct sla_rule),
    .get = sla_up_get,
    .merge = sla_up_merge,
    .diff = sla_up_diff,
    .write = sla_up_write,
};

enum kam_err sla_update(struct kam_ctx *ctx, int64_t id, int64_t response_hours, int has_response,
                        int64_t resolution_hours, int has_resolution, struct sla_rule *out)
{
    struct sla_in in = {response_hours, resolution_hours, has_response, has_resolution};
    return record_update(ctx, &sla_spec, id, &in, out);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double median_hours(int64_t *v, size_t n)
{
    if (!n)
        return -1;
    qsort(v, n, sizeof *v, cmp_i64);
    double m = n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2.0;
    return m / HOUR;
}

enum kam_err issue_stats(struct kam_ctx *ctx, int64_t from, int64_t to,
                         struct issue_team_stats **items_out, size_t *n_out)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT COALESCE(teams.id, 0), COALESCE(teams.name, ''), issues.reported_at, "
                 "issues.response_due_at, issues.resolution_due_at, issues.first_response_at, "
                 "issues.resolved_at FROM issues JOIN accounts ON accounts.id = "
                 "issues.account_id LEFT JOIN users ON users.id = issues.assignee_id LEFT JOIN "
                 "teams ON teams.id = users.team_id WHERE issues.reported_at >= ? AND "
                 "issues.reported_at < ?");
    sqlb_i64(&b, from);
    sqlb_i64(&b, to);
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    sqlb_sql(&b, " ORDER BY 1, issues.id LIMIT 200000");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    size_t cap = 16, n = 0, nresp = 0, nres = 0, vcap = 1024;
    struct issue_team_stats *items = arena_calloc(ctx->a, cap, sizeof *items);
    int64_t *resp = malloc(vcap * sizeof *resp), *res = malloc(vcap * sizeof *res);
    int row = 0;
    struct issue_team_stats *cur = NULL;
    if (!resp || !res) /* the out-of-memory policy (base/err.h): no partial statistics */
        rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    while (!rc) {
        rc = db_step(st, &row, ctx->err);
        int64_t team = row ? db_col_i64(st, 0) : -1;
        if (cur && (!row || team != cur->team_id)) {
            cur->median_response_hours = median_hours(resp, nresp);
            cur->median_resolution_hours = median_hours(res, nres);
            nresp = nres = 0;
        }
        if (rc || !row)
            break;
        if (!cur || team != cur->team_id) {
            if (n == cap) {
                struct issue_team_stats *bigger = arena_calloc(ctx->a, cap * 2, sizeof *bigger);
                memcpy(bigger, items, cap * sizeof *items);
                items = bigger;
                cap *= 2;
            }
            cur = &items[n++];
            cur->team_id = team;
            cur->team_name = arena_strdup(ctx->a, db_col_text(st, 1));
        }
        if (nresp == vcap || nres == vcap) {
            int64_t *r1 = realloc(resp, 2 * vcap * sizeof *resp);
            if (r1)
                resp = r1;
            int64_t *r2 = r1 ? realloc(res, 2 * vcap * sizeof *res) : NULL;
            if (r2)
                res = r2;
            if (!r1 || !r2) {
                rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
                break;
            }
            vcap *= 2;
        }
        int64_t reported = db_col_i64(st, 2);
        cur->issues++;
        if (!db_col_is_null(st, 5)) {
            int64_t at = db_col_i64(st, 5);
            cur->responded++;
            cur->responded_in_sla += at <= db_col_i64(st, 3);
            resp[nresp++] = at - reported;
        }
        if (!db_col_is_null(st, 6)) {
            int64_t at = db_col_i64(st, 6);
            cur->resolved++;
            cur->resolved_in_sla += at <= db_col_i64(st, 4);
            res[nres++] = at - reported;
        }
    }
    db_done(st);
    free(resp);
    free(res);
    *items_out = rc ? NULL : items;
    *n_out = rc ? 0 : n;
    return rc;
}
