/* need.c -- customer needs: create, read, PATCH, the status workflow, delete, lists. */
#include "need.h"

#include <stddef.h>
#include <string.h>

#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

const char *const need_categories[] = {"product",   "service", "price", "delivery",
                                       "technical", "other",   NULL};
const char *const need_priorities[] = {"low", "medium", "high", NULL};
const char *const need_statuses[] = {"open", "addressing", "addressed", "dropped", NULL};
const char *const need_sources[] = {"interview", "visit", "survey", "manual", NULL};
/* Offers arrive with issue 15: until then an offer is linked by its id as given. */
const char *const need_addressed_kinds[] = {"offer", "measure", "issue", NULL};

#define COLS                                                                                       \
    "needs.id, needs.account_id, needs.category, needs.description, needs.pain_point, "            \
    "needs.expectation, needs.priority, needs.contact_id, needs.status, needs.addressed_kind, "    \
    "needs.addressed_id, needs.due_on, needs.interview_id, needs.visit_id, needs.source, "         \
    "needs.owner_id, needs.created_by, needs.status_at, needs.version, needs.created_at, "         \
    "needs.updated_at, accounts.name"

#define FROM " FROM needs JOIN accounts ON accounts.id = needs.account_id"

int need_transition_allowed(const char *from, const char *to)
{
    static const char *const moves[][2] = {
        {"open", "addressing"},      {"open", "addressed"},     {"open", "dropped"},
        {"addressing", "addressed"}, {"addressing", "dropped"}, {"addressing", "open"},
        {"addressed", "open"},       {"dropped", "open"},
    };
    if (!from || !to)
        return 0;
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
        if (!strcmp(moves[i][0], from) && !strcmp(moves[i][1], to))
            return 1;
    return 0;
}

static int64_t opt(struct db_stmt *st, int col, int *has)
{
    *has = !db_col_is_null(st, col);
    return *has ? db_col_i64(st, col) : 0;
}

static const char *opt_text(struct kam_ctx *ctx, struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? NULL : arena_strdup(ctx->a, db_col_text(st, col));
}

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct need *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->account_id = db_col_i64(st, 1);
    x->category = arena_strdup(ctx->a, db_col_text(st, 2));
    x->description = arena_strdup(ctx->a, db_col_text(st, 3));
    x->pain_point = arena_strdup(ctx->a, db_col_text(st, 4));
    x->expectation = arena_strdup(ctx->a, db_col_text(st, 5));
    x->priority = arena_strdup(ctx->a, db_col_text(st, 6));
    x->contact_id = opt(st, 7, &x->has_contact);
    x->status = arena_strdup(ctx->a, db_col_text(st, 8));
    x->addressed_kind = opt_text(ctx, st, 9);
    x->addressed_id = opt(st, 10, &x->has_addressed);
    x->due_on = opt_text(ctx, st, 11);
    x->interview_id = opt(st, 12, &x->has_interview);
    x->visit_id = opt(st, 13, &x->has_visit);
    x->source = arena_strdup(ctx->a, db_col_text(st, 14));
    x->owner_id = opt(st, 15, &x->has_owner);
    x->created_by = opt(st, 16, &x->has_created_by);
    x->status_at = db_col_i64(st, 17);
    x->version = db_col_i64(st, 18);
    x->created_at = db_col_i64(st, 19);
    x->updated_at = db_col_i64(st, 20);
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 21));
}

enum kam_err need_get(struct kam_ctx *ctx, int64_t id, struct need *out)
{
    return row_get(ctx, "SELECT " COLS FROM " WHERE needs.id = ?", id, read_row, out, "need");
}

static void diff_all(struct audit_diff *d, const struct need *b, const struct need *a)
{
    audit_diff_str(d, "category", b ? b->category : NULL, a ? a->category : NULL);
    audit_diff_str(d, "description", b ? b->description : NULL, a ? a->description : NULL);
    audit_diff_str(d, "pain_point", b ? b->pain_point : NULL, a ? a->pain_point : NULL);
    audit_diff_str(d, "expectation", b ? b->expectation : NULL, a ? a->expectation : NULL);
    audit_diff_str(d, "priority", b ? b->priority : NULL, a ? a->priority : NULL);
    audit_diff_str(d, "status", b ? b->status : NULL, a ? a->status : NULL);
    audit_diff_str(d, "source", b ? b->source : NULL, a ? a->source : NULL);
    audit_diff_str(d, "due_on", b ? b->due_on : NULL, a ? a->due_on : NULL);
    audit_diff_str(d, "addressed_kind", b ? b->addressed_kind : NULL, a ? a->addressed_kind : NULL);
    audit_diff_i64(d, "addressed_id", b ? b->addressed_id : 0, !b || !b->has_addressed,
                   a ? a->addressed_id : 0, !a || !a->has_addressed);
    audit_diff_i64(d, "contact_id", b ? b->contact_id : 0, !b || !b->has_contact,
                   a ? a->contact_id : 0, !a || !a->has_contact);
    audit_diff_i64(d, "interview_id", b ? b->interview_id : 0, !b || !b->has_interview,
                   a ? a->interview_id : 0, !a || !a->has_interview);
    audit_diff_i64(d, "visit_id", b ? b->visit_id : 0, !b || !b->has_visit, a ? a->visit_id : 0,
                   !a || !a->has_visit);
    audit_diff_i64(d, "owner_id", b ? b->owner_id : 0, !b || !b->has_owner, a ? a->owner_id : 0,
                   !a || !a->has_owner);
}

enum kam_err need_check_required(struct kam_ctx *ctx, const char *field, const char *s, int max)
{
    enum kam_err rc = check_text(ctx, field, s, 1, max, CHECK_MULTILINE);
    if (rc)
        return rc;
    for (const unsigned char *u = (const unsigned char *)s; *u;) {
        if (*u == ' ' || *u == '\t' || *u == '\n' || *u == '\r')
            u++;
        else if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) /* U+3000 */
            u += 3;
        else if (u[0] == 0xc2 && u[1] == 0xa0) /* U+00A0 */
            u += 2;
        else
            return KAM_OK;
    }
    return kam_fail_key(ctx->err, KAM_EINVAL, field, "required",
                        (struct kam_param[]){{"field", field}, {0}}, "%s is required", field);
}

/* A record named by a body field must exist on the same account; one that does not, or sits
 * on another account, gets the same answer. */
static enum kam_err same_account(struct kam_ctx *ctx, const char *field, const char *sql,
                                 int64_t id, int64_t account_id, const char *what)
{
    int64_t acc = 0;
    enum kam_err rc = db_query_i64(ctx->db, sql, 1, id, &acc, ctx->err);
    if (rc == KAM_ENOTFOUND || (!rc && acc != account_id)) {
        kam_error_clear(ctx->err);
        const char *art =
            arena_printf(ctx->a, "%s %s", strchr("aeiou", what[0]) ? "an" : "a", what);
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "need.not_same_account",
                            (struct kam_param[]){{"what", art}, {0}},
                            "%s must be %s of the same account", field, art);
    }
    return rc;
}

static enum kam_err validate(struct kam_ctx *ctx, const struct need *x, const struct need *before)
{
    enum kam_err rc;
    if ((rc = check_enum(ctx, "category", x->category, need_categories)) ||
        (rc = need_check_required(ctx, "description", x->description, NEED_TEXT_MAX)) ||
        (rc = check_text(ctx, "pain_point", x->pain_point, 0, NEED_TEXT_MAX, CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "expectation", x->expectation, 0, NEED_TEXT_MAX, CHECK_MULTILINE)) ||
        (rc = check_enum(ctx, "priority", x->priority, need_priorities)) ||
        (rc = check_enum(ctx, "source", x->source, need_sources)))
        return rc;
    if (x->due_on && (rc = check_date(ctx, "due_on", x->due_on)))
        return rc;
    if (x->has_contact &&
        (!before || !before->has_contact || before->contact_id != x->contact_id) &&
        (rc = same_account(ctx, "contact_id", "SELECT account_id FROM contacts WHERE id = ?",
                           x->contact_id, x->account_id, "contact")))
        return rc;
    if (x->has_interview &&
        (!before || !before->has_interview || before->interview_id != x->interview_id) &&
        (rc = same_account(ctx, "interview_id", "SELECT account_id FROM interviews WHERE id = ?",
                           x->interview_id, x->account_id, "interview")))
        return rc;
    if (x->has_visit && (!before || !before->has_visit || before->visit_id != x->visit_id) &&
        (rc = same_account(ctx, "visit_id", "SELECT account_id FROM visits WHERE id = ?",
                           x->visit_id, x->account_id, "visit")))
        return rc;
    if (x->has_owner && (!before || !before->has_owner || before->owner_id != x->owner_id)) {
        int yes = 0;
        if ((rc = policy_user_may(ctx, x->owner_id, OBJ_NEED, ACT_UPDATE, x->account_id, &yes)))
            return rc;
        if (!yes)
            return kam_fail_key(ctx->err, KAM_EINVAL, "owner_id", "need.bad_owner", NULL,
                                "owner_id must be an active user who may work on this account's "
                                "needs");
    }
    return KAM_OK;
}

static void merge(struct need *x, const struct need_in *in)
{
    const struct need *v = &in->v;
    if (in->set & NEED_CATEGORY)
        x->category = v->category;
    if (in->set & NEED_DESCRIPTION)
        x->description = v->description;
    if (in->set & NEED_PAIN)
        x->pain_point = v->pain_point;
    if (in->set & NEED_EXPECTATION)
        x->expectation = v->expectation;
    if (in->set & NEED_PRIORITY)
        x->priority = v->priority;
    if (in->set & NEED_DUE)
        x->due_on = v->due_on;
    if (in->set & NEED_SOURCE)
        x->source = v->source;
    if (in->set & NEED_CONTACT) {
        x->has_contact = v->has_contact;
        x->contact_id = v->contact_id;
    }
    if (in->set & NEED_INTERVIEW) {
        x->has_interview = v->has_interview;
        x->interview_id = v->interview_id;
    }
    if (in->set & NEED_VISIT) {
        x->has_visit = v->has_visit;
        x->visit_id = v->visit_id;
    }
    if (in->set & NEED_OWNER) {
        x->has_owner = v->has_owner;
        x->owner_id = v->owner_id;
    }
}

/* The 14 columns every write stores, in this order. */
#define WRITE_COLS                                                                                 \
    "category = ?, description = ?, pain_point = ?, expectation = ?, priority = ?, "               \
    "contact_id = ?, status = ?, addressed_kind = ?, addressed_id = ?, due_on = ?, "               \
    "interview_id = ?, visit_id = ?, source = ?, owner_id = ?, status_at = ?, updated_at = ?"

static void bind_all(struct db_stmt *st, const struct need *x, int64_t now)
{
    db_bind_text(st, 1, x->category);
    db_bind_text(st, 2, x->description);
    db_bind_text(st, 3, x->pain_point);
    db_bind_text(st, 4, x->expectation);
    db_bind_text(st, 5, x->priority);
    db_bind_i64n(st, 6, x->contact_id, !x->has_contact);
    db_bind_text(st, 7, x->status);
    db_bind_text(st, 8, x->has_addressed ? x->addressed_kind : NULL);
    db_bind_i64n(st, 9, x->addressed_id, !x->has_addressed);
    db_bind_text(st, 10, x->due_on);
    db_bind_i64n(st, 11, x->interview_id, !x->has_interview);
    db_bind_i64n(st, 12, x->visit_id, !x->has_visit);
    db_bind_text(st, 13, x->source);
    db_bind_i64n(st, 14, x->owner_id, !x->has_owner);
    db_bind_i64(st, 15, x->status_at);
    db_bind_i64(st, 16, now);
}

enum kam_err need_create(struct kam_ctx *ctx, int64_t account_id, const struct need_in *in,
                         struct need *out)
{
    struct need x = {0};
    x.account_id = account_id;
    x.category = "other";
    x.pain_point = "";
    x.expectation = "";
    x.priority = "medium";
    x.status = "open";
    x.source = "manual";
    x.status_at = ctx->now;
    merge(&x, in);
    if (!(in->set & NEED_DESCRIPTION))
        return kam_fail_key(ctx->err, KAM_EINVAL, "description", "required",
                            (struct kam_param[]){{"field", "description"}, {0}},
                            "description is required");
    if (!(in->set & NEED_SOURCE))
        x.source = x.has_interview ? "interview" : x.has_visit ? "visit" : "manual";
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    if (!(in->set & NEED_OWNER)) {
        /* No owner_id given: the account owner, when they may work on its needs; else nobody
         * yet. owner_id null: nobody. */
        int64_t owner = 0;
        int yes = 0;
        if ((rc = db_query_i64(ctx->db, "SELECT COALESCE(owner_id, 0) FROM accounts WHERE id = ?",
                               1, account_id, &owner, ctx->err)))
            goto out;
        if (owner && (rc = policy_user_may(ctx, owner, OBJ_NEED, ACT_UPDATE, account_id, &yes)))
            goto out;
        x.has_owner = yes;
        x.owner_id = yes ? owner : 0;
    }
    if ((rc = validate(ctx, &x, NULL)))
        goto out;
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "INSERT INTO needs (category, description, pain_point, expectation, priority, "
                    "contact_id, status, addressed_kind, addressed_id, due_on, interview_id, "
                    "visit_id, source, owner_id, status_at, updated_at, account_id, created_by, "
                    "created_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1) "
                    "RETURNING id",
                    &st, ctx->err);
    if (rc)
        goto out;
    bind_all(st, &x, ctx->now);
    db_bind_i64(st, 17, account_id);
    db_bind_i64n(st, 18, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_i64(st, 19, ctx->now);
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
    rc = audit_write(ctx, "need", x.id, account_id, "create", &d);
    if (!rc)
        rc = need_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- update (svc/core/update.h) ---- */

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return need_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    struct need *x = rec;
    merge(x, op->in);
    return validate(op->ctx, x, op->before);
}

static void up_diff(const struct update_op *op)
{
    diff_all(op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct need *x = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE needs SET " WRITE_COLS
                                 ", version = version + 1 WHERE id = ? AND version = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    bind_all(st, x, ctx->now);
    db_bind_i64(st, 17, x->id);
    db_bind_i64(st, 18, b->version);
    return db_run(st, ctx->err);
}

static int64_t up_account(const void *rec)
{
    return ((const struct need *)rec)->account_id;
}

static const struct update_spec need_spec = {
    .entity = "need",
    .size = sizeof(struct need),
    .versioned = 1,
    .version_at = offsetof(struct need, version),
    .in_set_at = offsetof(struct need_in, set),
    .in_version_at = offsetof(struct need_in, v.version),
    .in_version_bit = NEED_VERSION,
    .get = up_get,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
};

enum kam_err need_update(struct kam_ctx *ctx, int64_t id, const struct need_in *in,
                         struct need *out)
{
    return record_update(ctx, &need_spec, id, in, out);
}

/* What addressed the need: a measure or an issue of the same account; an offer by its id. */
static enum kam_err check_addressed(struct kam_ctx *ctx, const struct need *x)
{
    enum kam_err rc = check_enum(ctx, "addressed_kind", x->addressed_kind, need_addressed_kinds);
    if (rc)
        return rc;
    if (x->addressed_id <= 0)
        return kam_fail(ctx->err, KAM_EINVAL, "addressed_id", "addressed_id must be positive");
    if (!strcmp(x->addressed_kind, "measure"))
        return same_account(ctx, "addressed_id",
                            "SELECT COALESCE(account_id, 0) FROM measures WHERE id = ?",
                            x->addressed_id, x->account_id, "measure");
    if (!strcmp(x->addressed_kind, "issue"))
        return same_account(ctx, "addressed_id", "SELECT account_id FROM issues WHERE id = ?",
                            x->addressed_id, x->account_id, "issue");
    return KAM_OK; /* offer: issue 15 adds offers and checks this id */
}

enum kam_err need_set_status(struct kam_ctx *ctx, int64_t id, const struct need_status_in *in,
                             struct need *out)
{
    enum kam_err rc = check_enum(ctx, "to", in->to, need_statuses);
    if (rc || (rc = check_text(ctx, "note", in->note, 0, NEED_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    if (!strcmp(in->to, "addressed") && !in->has_addressed)
        return kam_fail_key(ctx->err, KAM_EINVAL, "addressed_kind", "need.addressed_by_required",
                            NULL, "a need becomes addressed by an offer, a measure or an issue");
    if (strcmp(in->to, "addressed") != 0 && in->has_addressed)
        return kam_fail(ctx->err, KAM_EINVAL, "addressed_kind",
                        "only an addressed need names what addressed it");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct need before, x;
    if ((rc = need_get(ctx, id, &before)))
        goto out;
    if (in->has_version && in->version != before.version) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version", NULL,
                          "the need was changed by someone else; reload it");
        goto out;
    }
    if (!need_transition_allowed(before.status, in->to)) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "to", "need.bad_transition",
                          (struct kam_param[]){{"from", before.status}, {"to", in->to}, {0}},
                          "a need that is %s cannot become %s", before.status, in->to);
        goto out;
    }
    x = before;
    x.status = in->to;
    x.status_at = ctx->now;
    x.has_addressed = in->has_addressed;
    x.addressed_kind = in->has_addressed ? in->addressed_kind : NULL;
    x.addressed_id = in->has_addressed ? in->addressed_id : 0;
    if (x.has_addressed && (rc = check_addressed(ctx, &x)))
        goto out;
    if ((rc = record_save(ctx, &need_spec, id, &before, &x, NULL, "update", NULL)))
        goto out;
    if (in->note && *in->note) {
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_str(&d, "note", NULL, in->note);
        if ((rc = audit_write(ctx, "need", id, x.account_id, "comment", &d)))
            goto out;
    }
    rc = need_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err need_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct need before;
    if ((rc = need_get(ctx, id, &before)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM needs WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, &before, NULL);
    rc = audit_write(ctx, "need", id, before.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- lists ---- */

#define STATUS_RANK                                                                                \
    "(CASE needs.status WHEN 'open' THEN 0 WHEN 'addressing' THEN 1 WHEN 'addressed' THEN 2 "      \
    "ELSE 3 END)"
#define PRIORITY_RANK "(CASE needs.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END)"
#define DUE_KEY "COALESCE(needs.due_on, '9999-12-31')"

static const struct page_sort sorts[] = {
    {"created_at", "needs.created_at", 0},
    {"status", STATUS_RANK, 0},
    {"priority", PRIORITY_RANK, 0},
    {"due_on", DUE_KEY, 1},
};

static int rank_of(const char *s, const char *const *vals)
{
    for (int i = 0; vals[i]; i++)
        if (!strcmp(vals[i], s))
            return i;
    return 3;
}

/* The WHERE clause every list, count and export shares. */
static enum kam_err where(struct kam_ctx *ctx, const struct need_query *q, struct sqlb *b,
                          const char *select)
{
    enum kam_err rc;
    if ((q->category && (rc = check_enum(ctx, "category", q->category, need_categories))) ||
        (q->status && (rc = check_enum(ctx, "status", q->status, need_statuses))) ||
        (q->priority && (rc = check_enum(ctx, "priority", q->priority, need_priorities))) ||
        (q->due_before && (rc = check_date(ctx, "due_before", q->due_before))) ||
        (q->q && (rc = check_text(ctx, "q", q->q, 0, 100, CHECK_LINE))))
        return rc;
    if (q->older_than_days < 0 || q->older_than_days > 36500)
        return kam_fail(ctx->err, KAM_EINVAL, "older_than_days",
                        "older_than_days must be 0..36500");
    int scoped = policy_scope_with(ctx, b);
    sqlb_sql(b, select);
    sqlb_sql(b, FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(b, " AND " POLICY_SCOPE_COND);
    if (q->account_id) {
        sqlb_sql(b, " AND needs.account_id = ?");
        sqlb_i64(b, q->account_id);
    }
    if (q->owner_id) {
        sqlb_sql(b, " AND needs.owner_id = ?");
        sqlb_i64(b, q->owner_id);
    }
    if (q->interview_id) {
        sqlb_sql(b, " AND needs.interview_id = ?");
        sqlb_i64(b, q->interview_id);
    }
    if (q->category) {
        sqlb_sql(b, " AND needs.category = ?");
        sqlb_text(b, q->category);
    }
    if (q->status) {
        sqlb_sql(b, " AND needs.status = ?");
        sqlb_text(b, q->status);
    }
    if (q->open_only)
        sqlb_sql(b, " AND needs.status IN ('open', 'addressing')");
    if (q->priority) {
        sqlb_sql(b, " AND needs.priority = ?");
        sqlb_text(b, q->priority);
    }
    if (q->due_before) {
        sqlb_sql(b, " AND needs.due_on < ?");
        sqlb_text(b, q->due_before);
    }
    if (q->older_than_days) {
        sqlb_sql(b, " AND needs.created_at < ?");
        sqlb_i64(b, ctx->now - q->older_than_days * 86400);
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
        sqlb_sql(b, " AND (LOWER(needs.description) LIKE LOWER(?) ESCAPE '\\' OR "
                    "LOWER(accounts.name) LIKE LOWER(?) ESCAPE '\\')");
        sqlb_text(b, pat);
        sqlb_text(b, pat);
    }
    return KAM_OK;
}

enum kam_err need_list(struct kam_ctx *ctx, const struct need_query *q, struct need **items_out,
                       size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, sizeof sorts / sizeof sorts[0],
                                 q->sort ? q->sort : "-created_at", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    if ((rc = where(ctx, q, &b, "SELECT " COLS)))
        return rc;
    struct need *items;
    const struct need *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "needs.id", read_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = NULL;
    if (last) {
        const struct need *l = &items[n - 1];
        const char *key = pg.sort->key;
        int64_t iv = l->created_at;
        if (!strcmp(key, "status"))
            iv = rank_of(l->status, need_statuses);
        else if (!strcmp(key, "priority"))
            iv = 2 - rank_of(l->priority, need_priorities); /* high 0, medium 1, low 2 */
        *next_out = page_cursor(ctx, &pg, l->due_on ? l->due_on : "9999-12-31", iv, l->id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err need_count(struct kam_ctx *ctx, const struct need_query *q, int64_t *n_out)
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
