/* interview.c -- interviews with the customer: when, who took part on both sides (join tables
 * interview_users and interview_contacts), the questions asked and the notes; linked to a visit
 * or an interaction of the same account. Needs name the interview they came from. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "need.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

#define COLS                                                                                       \
    "interviews.id, interviews.account_id, interviews.held_on, interviews.visit_id, "              \
    "interviews.interaction_id, interviews.title, interviews.questions, interviews.notes, "        \
    "interviews.created_by, interviews.version, interviews.created_at, interviews.updated_at, "    \
    "accounts.name, (SELECT COUNT(*) FROM needs WHERE needs.interview_id = interviews.id)"

#define FROM " FROM interviews JOIN accounts ON accounts.id = interviews.account_id"

static int64_t opt(struct db_stmt *st, int col, int *has)
{
    *has = !db_col_is_null(st, col);
    return *has ? db_col_i64(st, col) : 0;
}

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct interview *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->account_id = db_col_i64(st, 1);
    x->held_on = arena_strdup(ctx->a, db_col_text(st, 2));
    x->visit_id = opt(st, 3, &x->has_visit);
    x->interaction_id = opt(st, 4, &x->has_interaction);
    x->title = arena_strdup(ctx->a, db_col_text(st, 5));
    x->questions = arena_strdup(ctx->a, db_col_text(st, 6));
    x->notes = arena_strdup(ctx->a, db_col_text(st, 7));
    x->created_by = opt(st, 8, &x->has_created_by);
    x->version = db_col_i64(st, 9);
    x->created_at = db_col_i64(st, 10);
    x->updated_at = db_col_i64(st, 11);
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 12));
    x->needs = db_col_i64(st, 13);
}

/* Every id the query returns (no cap: the attendee lists are capped on write, the needs of an
 * interview are not). */
static enum kam_err load_ids(struct kam_ctx *ctx, const char *sql, int64_t id, int64_t **out,
                             size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    size_t cap = NEED_ATTENDEES_MAX + 1;
    *out = arena_calloc(ctx->a, cap, sizeof **out);
    *n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (*n == cap) {
            int64_t *more = arena_calloc(ctx->a, cap * 2, sizeof *more);
            memcpy(more, *out, cap * sizeof *more);
            *out = more;
            cap *= 2;
        }
        (*out)[(*n)++] = db_col_i64(st, 0);
    }
    db_done(st);
    return rc;
}

static enum kam_err load_attendees(struct kam_ctx *ctx, struct interview *x)
{
    enum kam_err rc =
        load_ids(ctx, "SELECT user_id FROM interview_users WHERE interview_id = ? ORDER BY user_id",
                 x->id, &x->user_ids, &x->n_users);
    if (!rc)
        rc = load_ids(
            ctx,
            "SELECT contact_id FROM interview_contacts WHERE interview_id = ? ORDER BY contact_id",
            x->id, &x->contact_ids, &x->n_contacts);
    return rc;
}

enum kam_err interview_get(struct kam_ctx *ctx, int64_t id, struct interview *out)
{
    enum kam_err rc = row_get(ctx, "SELECT " COLS FROM " WHERE interviews.id = ?", id, read_row,
                              out, "interview");
    if (!rc)
        rc = load_attendees(ctx, out);
    return rc;
}

static const char *ids_text(struct kam_ctx *ctx, const int64_t *ids, size_t n)
{
    char *s = arena_alloc(ctx->a, n * 21 + 1), *o = s;
    *o = 0;
    for (size_t i = 0; i < n; i++) {
        char *p = arena_printf(ctx->a, i ? ",%lld" : "%lld", (long long)ids[i]);
        size_t k = strlen(p);
        memcpy(o, p, k + 1);
        o += k;
    }
    return s;
}

static void diff_all(struct kam_ctx *ctx, struct audit_diff *d, const struct interview *b,
                     const struct interview *a)
{
    audit_diff_str(d, "held_on", b ? b->held_on : NULL, a ? a->held_on : NULL);
    audit_diff_str(d, "title", b ? b->title : NULL, a ? a->title : NULL);
    audit_diff_str(d, "questions", b ? b->questions : NULL, a ? a->questions : NULL);
    audit_diff_str(d, "notes", b ? b->notes : NULL, a ? a->notes : NULL);
    audit_diff_i64(d, "visit_id", b ? b->visit_id : 0, !b || !b->has_visit, a ? a->visit_id : 0,
                   !a || !a->has_visit);
    audit_diff_i64(d, "interaction_id", b ? b->interaction_id : 0, !b || !b->has_interaction,
                   a ? a->interaction_id : 0, !a || !a->has_interaction);
    audit_diff_str(d, "user_ids", b ? ids_text(ctx, b->user_ids, b->n_users) : NULL,
                   a ? ids_text(ctx, a->user_ids, a->n_users) : NULL);
    audit_diff_str(d, "contact_ids", b ? ids_text(ctx, b->contact_ids, b->n_contacts) : NULL,
                   a ? ids_text(ctx, a->contact_ids, a->n_contacts) : NULL);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sorted, without repeats, in a fresh arena array. */
static void norm_ids(struct kam_ctx *ctx, int64_t **ids, size_t *n)
{
    int64_t *o = arena_calloc(ctx->a, *n + 1, sizeof *o);
    if (*n)
        memcpy(o, *ids, *n * sizeof *o);
    qsort(o, *n, sizeof *o, cmp_i64);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++)
        if (k == 0 || o[k - 1] != o[i])
            o[k++] = o[i];
    *ids = o;
    *n = k;
}

static enum kam_err ref_check(struct kam_ctx *ctx, const char *field, const char *sql, int64_t id,
                              int64_t account_id, const char *what)
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

static enum kam_err validate(struct kam_ctx *ctx, const struct interview *x,
                             const struct interview *b)
{
    enum kam_err rc;
    if ((rc = check_date(ctx, "held_on", x->held_on)) ||
        (rc = check_text(ctx, "title", x->title, 0, 200, CHECK_LINE)) ||
        (rc = check_text(ctx, "questions", x->questions, 0, INTERVIEW_TEXT_MAX, CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "notes", x->notes, 0, INTERVIEW_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    if (x->n_users > NEED_ATTENDEES_MAX || x->n_contacts > NEED_ATTENDEES_MAX)
        return kam_fail(ctx->err, KAM_EINVAL,
                        x->n_users > NEED_ATTENDEES_MAX ? "user_ids" : "contact_ids",
                        "at most %d attendees per side", NEED_ATTENDEES_MAX);
    if (x->has_visit && (!b || !b->has_visit || b->visit_id != x->visit_id) &&
        (rc = ref_check(ctx, "visit_id", "SELECT account_id FROM visits WHERE id = ?", x->visit_id,
                        x->account_id, "visit")))
        return rc;
    if (x->has_interaction &&
        (!b || !b->has_interaction || b->interaction_id != x->interaction_id) &&
        (rc = ref_check(ctx, "interaction_id", "SELECT account_id FROM interactions WHERE id = ?",
                        x->interaction_id, x->account_id, "interaction")))
        return rc;
    for (size_t i = 0; i < x->n_contacts; i++)
        if ((rc = ref_check(ctx, "contact_ids", "SELECT account_id FROM contacts WHERE id = ?",
                            x->contact_ids[i], x->account_id, "contact")))
            return rc;
    for (size_t i = 0; i < x->n_users; i++) {
        /* Attendees already on the interview stay (a user disabled since can still be listed);
         * a newly added one must be enabled and may read the account (policy_user_may). */
        int kept = 0;
        for (size_t j = 0; b && j < b->n_users && !kept; j++)
            kept = b->user_ids[j] == x->user_ids[i];
        if (kept)
            continue;
        int64_t one = 0;
        rc = db_query_i64(ctx->db, "SELECT 1 FROM users WHERE id = ?", 1, x->user_ids[i], &one,
                          ctx->err);
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            return kam_fail_key(ctx->err, KAM_EINVAL, "user_ids", "need.no_such_user", NULL,
                                "user_ids names no such user");
        }
        int yes = 0;
        if (rc ||
            (rc = policy_user_may(ctx, x->user_ids[i], OBJ_ACCOUNT, ACT_READ, x->account_id, &yes)))
            return rc;
        if (!yes)
            return kam_fail_key(ctx->err, KAM_EINVAL, "user_ids", "need.attendee_no_access", NULL,
                                "user_ids names a disabled user or one who may not see this "
                                "account");
    }
    return KAM_OK;
}

static void merge(struct kam_ctx *ctx, struct interview *x, const struct interview_in *in)
{
    const struct interview *v = &in->v;
    if (in->set & IV_HELD_ON)
        x->held_on = v->held_on;
    if (in->set & IV_TITLE)
        x->title = v->title;
    if (in->set & IV_QUESTIONS)
        x->questions = v->questions;
    if (in->set & IV_NOTES)
        x->notes = v->notes;
    if (in->set & IV_VISIT) {
        x->has_visit = v->has_visit;
        x->visit_id = v->visit_id;
    }
    if (in->set & IV_INTERACTION) {
        x->has_interaction = v->has_interaction;
        x->interaction_id = v->interaction_id;
    }
    if (in->set & IV_USERS) {
        x->user_ids = v->user_ids;
        x->n_users = v->n_users;
        norm_ids(ctx, &x->user_ids, &x->n_users);
    }
    if (in->set & IV_CONTACTS) {
        x->contact_ids = v->contact_ids;
        x->n_contacts = v->n_contacts;
        norm_ids(ctx, &x->contact_ids, &x->n_contacts);
    }
}

static int same_ids(const int64_t *a, size_t na, const int64_t *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
}

/* Replaces the attendee rows when they changed (b NULL: a new interview). */
static enum kam_err write_attendees(struct kam_ctx *ctx, const struct interview *x,
                                    const struct interview *b)
{
    enum kam_err rc = KAM_OK;
    struct db_stmt *st;
    int row = 0;
    if (!b || !same_ids(b->user_ids, b->n_users, x->user_ids, x->n_users)) {
        if (b && (rc = db_exec_i64(ctx->db, "DELETE FROM interview_users WHERE interview_id = ?",
                                   x->id, ctx->err)))
            return rc;
        for (size_t i = 0; !rc && i < x->n_users; i++) {
            if ((rc = db_prepare(
                     ctx->db, "INSERT INTO interview_users (interview_id, user_id) VALUES (?, ?)",
                     &st, ctx->err)))
                return rc;
            db_bind_i64(st, 1, x->id);
            db_bind_i64(st, 2, x->user_ids[i]);
            rc = db_step(st, &row, ctx->err);
            db_done(st);
        }
    }
    if (rc)
        return rc;
    if (!b || !same_ids(b->contact_ids, b->n_contacts, x->contact_ids, x->n_contacts)) {
        if (b && (rc = db_exec_i64(ctx->db, "DELETE FROM interview_contacts WHERE interview_id = ?",
                                   x->id, ctx->err)))
            return rc;
        for (size_t i = 0; !rc && i < x->n_contacts; i++) {
            if ((rc = db_prepare(ctx->db,
                                 "INSERT INTO interview_contacts (interview_id, contact_id) VALUES "
                                 "(?, ?)",
                                 &st, ctx->err)))
                return rc;
            db_bind_i64(st, 1, x->id);
            db_bind_i64(st, 2, x->contact_ids[i]);
            rc = db_step(st, &row, ctx->err);
            db_done(st);
        }
    }
    return rc;
}

enum kam_err interview_create(struct kam_ctx *ctx, int64_t account_id,
                              const struct interview_in *in, struct interview *out)
{
    struct interview x = {0};
    x.account_id = account_id;
    x.title = "";
    x.questions = "";
    x.notes = "";
    merge(ctx, &x, in);
    if (!(in->set & IV_HELD_ON))
        return kam_fail_key(ctx->err, KAM_EINVAL, "held_on", "required",
                            (struct kam_param[]){{"field", "held_on"}, {0}}, "held_on is required");
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    if ((rc = validate(ctx, &x, NULL)))
        goto out;
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "INSERT INTO interviews (account_id, held_on, visit_id, interaction_id, title, "
                    "questions, notes, created_by, created_at, updated_at, version) VALUES "
                    "(?,?,?,?,?,?,?,?,?,?,1) RETURNING id",
                    &st, ctx->err);
    if (rc)
        goto out;
    db_bind_i64(st, 1, account_id);
    db_bind_text(st, 2, x.held_on);
    db_bind_i64n(st, 3, x.visit_id, !x.has_visit);
    db_bind_i64n(st, 4, x.interaction_id, !x.has_interaction);
    db_bind_text(st, 5, x.title);
    db_bind_text(st, 6, x.questions);
    db_bind_text(st, 7, x.notes);
    db_bind_i64n(st, 8, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_i64(st, 9, ctx->now);
    db_bind_i64(st, 10, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc || (rc = write_attendees(ctx, &x, NULL)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(ctx, &d, NULL, &x);
    rc = audit_write(ctx, "interview", x.id, account_id, "create", &d);
    if (!rc)
        rc = interview_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- update (svc/core/update.h) ---- */

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return interview_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    merge(op->ctx, rec, op->in);
    return validate(op->ctx, rec, op->before);
}

static void up_diff(const struct update_op *op)
{
    diff_all(op->ctx, op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct interview *x = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "UPDATE interviews SET held_on = ?, visit_id = ?, interaction_id = ?, title = ?, "
        "questions = ?, notes = ?, updated_at = ?, version = version + 1 WHERE id = ? AND "
        "version = ?",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, x->held_on);
    db_bind_i64n(st, 2, x->visit_id, !x->has_visit);
    db_bind_i64n(st, 3, x->interaction_id, !x->has_interaction);
    db_bind_text(st, 4, x->title);
    db_bind_text(st, 5, x->questions);
    db_bind_text(st, 6, x->notes);
    db_bind_i64(st, 7, ctx->now);
    db_bind_i64(st, 8, x->id);
    db_bind_i64(st, 9, b->version);
    return db_run(st, ctx->err);
}

/* The attendee rows go after record_save's changes check: their DELETEs would otherwise be the
 * statement db_changes() counts (a removal of two rows read as a lost race). */
static enum kam_err up_then(const struct update_op *op)
{
    return write_attendees(op->ctx, op->after, op->before);
}

static int64_t up_account(const void *rec)
{
    return ((const struct interview *)rec)->account_id;
}

static const struct update_spec interview_spec = {
    .entity = "interview",
    .size = sizeof(struct interview),
    .versioned = 1,
    .version_at = offsetof(struct interview, version),
    .in_set_at = offsetof(struct interview_in, set),
    .in_version_at = offsetof(struct interview_in, v.version),
    .in_version_bit = IV_VERSION,
    .get = up_get,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
    .then = up_then,
};

enum kam_err interview_update(struct kam_ctx *ctx, int64_t id, const struct interview_in *in,
                              struct interview *out)
{
    return record_update(ctx, &interview_spec, id, in, out);
}

enum kam_err interview_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct interview before;
    if ((rc = interview_get(ctx, id, &before)))
        goto out;
    /* Its needs stay and lose the link: one audit row each, as a PATCH would write. */
    int64_t *ids;
    size_t n;
    if ((rc = load_ids(ctx, "SELECT id FROM needs WHERE interview_id = ? ORDER BY id", id, &ids,
                       &n)))
        goto out;
    for (size_t i = 0; !rc && i < n; i++) {
        struct need_in in = {.set = NEED_INTERVIEW};
        struct need out;
        rc = need_update(ctx, ids[i], &in, &out);
    }
    if (rc)
        goto out;
    static const char *const del[] = {"DELETE FROM interview_users WHERE interview_id = ?",
                                      "DELETE FROM interview_contacts WHERE interview_id = ?",
                                      "UPDATE needs SET interview_id = NULL WHERE interview_id = ?",
                                      "DELETE FROM interviews WHERE id = ?"};
    for (size_t i = 0; !rc && i < sizeof del / sizeof del[0]; i++)
        rc = db_exec_i64(ctx->db, del[i], id, ctx->err);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(ctx, &d, &before, NULL);
    rc = audit_write(ctx, "interview", id, before.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort sorts[] = {{"held_on", "interviews.held_on", 1}};

enum kam_err interview_list(struct kam_ctx *ctx, int64_t account_id, int64_t limit,
                            const char *cursor, struct interview **items_out, size_t *n_out,
                            const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, 1, "-held_on", limit, cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " COLS FROM " WHERE interviews.account_id = ?");
    sqlb_i64(&b, account_id);
    struct interview *items;
    const struct interview *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "interviews.id", read_row, sizeof *items, (void **)&items,
                         &n, (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, last->held_on, 0, last->id) : NULL;
    for (size_t i = 0; !rc && i < n; i++)
        rc = load_attendees(ctx, &items[i]);
    *items_out = items;
    *n_out = n;
    return rc;
}
