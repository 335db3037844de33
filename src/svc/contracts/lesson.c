/* lesson.c -- lessons learned, their links, accountability and training needs (lesson.h). */
#include "lesson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/search.h"
#include "svc/core/update.h"

const char *const lesson_link_kinds[] = {"dispute", "breach",   "opportunity", "account",
                                         "issue",   "contract", NULL};

static int64_t opt_i64(struct db_stmt *st, int i, int *has)
{
    *has = !db_col_is_null(st, i);
    return *has ? db_col_i64(st, i) : 0;
}

/* ---- links ---- */

static const struct {
    const char *kind;
    enum obj obj;
    enum scope_kind scope;
} link_kinds[] = {
    {"dispute", OBJ_DISPUTE, SCOPE_DISPUTE},
    {"breach", OBJ_BREACH, SCOPE_BREACH},
    {"opportunity", OBJ_OPPORTUNITY, SCOPE_OPPORTUNITY},
    {"account", OBJ_ACCOUNT, SCOPE_ACCOUNT},
    {"issue", OBJ_ISSUE, SCOPE_ISSUE},
    {"contract", OBJ_CONTRACT, SCOPE_CONTRACT},
};

/* Whether the caller may read a record of o under account_id. */
static enum kam_err may_read(struct kam_ctx *ctx, enum obj o, int64_t account_id, int *yes)
{
    *yes = 0;
    enum grant g = policy_grant(ctx->who.role, o, ACT_READ);
    if (g == GRANT_NONE)
        return KAM_OK;
    int in = 0;
    enum kam_err rc = policy_account_in_scope(ctx, account_id, &in);
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(ctx->err);
        return KAM_OK;
    }
    if (rc)
        return rc;
    *yes = g == GRANT_ALL || in;
    return KAM_OK;
}

/* Each link exists and is readable (400 naming links[i]); its account in *account (0: none);
 * duplicates are refused too. */
static enum kam_err check_link(struct kam_ctx *ctx, const struct lesson_link *l, int i,
                               int64_t *account)
{
    const char *field = arena_printf(ctx->a, "links[%d]", i);
    *account = 0;
    if (!(l->set & LL_KIND) || !(l->set & LL_REF))
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "required",
                            (struct kam_param[]){{"field", field}, {0}}, "%s needs kind and ref_id",
                            field);
    size_t k = 0;
    while (k < sizeof link_kinds / sizeof link_kinds[0] && strcmp(link_kinds[k].kind, l->kind))
        k++;
    if (k == sizeof link_kinds / sizeof link_kinds[0])
        return check_enum(ctx, arena_printf(ctx->a, "%s.kind", field), l->kind, lesson_link_kinds);
    enum kam_err rc = KAM_OK;
    int64_t acc = l->ref_id;
    if (link_kinds[k].scope != SCOPE_ACCOUNT)
        rc = l->ref_id > 0 ? policy_record_account(ctx, link_kinds[k].scope, l->ref_id, &acc)
                           : KAM_ENOTFOUND;
    int yes = 0;
    if (!rc && acc > 0)
        rc = may_read(ctx, link_kinds[k].obj, acc, &yes);
    if (rc && rc != KAM_ENOTFOUND)
        return rc;
    if (rc || !yes) {
        kam_error_clear(ctx->err);
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "lesson.no_such_link",
                            (struct kam_param[]){{"field", field}, {0}}, "%s: no such %s", field,
                            l->kind);
    }
    *account = acc;
    return KAM_OK;
}

static int link_cmp(const void *pa, const void *pb)
{
    const struct lesson_link *a = pa, *b = pb;
    int c = strcmp(a->kind, b->kind);
    if (c)
        return c;
    return a->ref_id < b->ref_id ? -1 : a->ref_id > b->ref_id;
}

static const char *links_key(struct kam_ctx *ctx, struct lesson_link *ls, size_t n)
{
    qsort(ls, n, sizeof *ls, link_cmp);
    struct buf b;
    buf_init(&b, 64 * 1024);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s:%lld", i ? "," : "", ls[i].kind, (long long)ls[i].ref_id);
    const char *s = arena_strndup(ctx->a, b.data ? b.data : "", b.len);
    buf_release(&b);
    return s;
}

static enum kam_err load_links(struct kam_ctx *ctx, struct lesson *x)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT kind, ref_id FROM lesson_links WHERE lesson_id = ? "
                                 "ORDER BY kind, ref_id LIMIT 100",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->id);
    x->links = arena_calloc(ctx->a, 100, sizeof *x->links);
    x->n_links = 0;
    int row = 0;
    while (x->n_links < 100 && !(rc = db_step(st, &row, ctx->err)) && row) {
        struct lesson_link *l = &x->links[x->n_links++];
        l->set = LL_KIND | LL_REF;
        l->kind = arena_strdup(ctx->a, db_col_text(st, 0));
        l->ref_id = db_col_i64(st, 1);
    }
    db_done(st);
    if (!rc)
        x->links_key = links_key(ctx, x->links, x->n_links);
    return rc;
}

static enum kam_err write_links(struct kam_ctx *ctx, const struct lesson *x)
{
    enum kam_err rc =
        db_exec_i64(ctx->db, "DELETE FROM lesson_links WHERE lesson_id = ?", x->id, ctx->err);
    for (size_t i = 0; i < x->n_links && !rc; i++) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO lesson_links (lesson_id, kind, ref_id) VALUES (?,?,?)",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, x->id);
        db_bind_text(st, 2, x->links[i].kind);
        db_bind_i64(st, 3, x->links[i].ref_id);
        rc = db_run(st, ctx->err);
    }
    return rc;
}

/* ---- tags ---- */

static enum kam_err make_tags(struct kam_ctx *ctx, const struct lesson_in *in, const char **out)
{
    if (in->n_tags > LESSON_TAGS_MAX)
        return kam_fail(ctx->err, KAM_EINVAL, "tags", "at most %d tags", LESSON_TAGS_MAX);
    struct buf b;
    buf_init(&b, 64 * 1024);
    enum kam_err rc = KAM_OK;
    for (int i = 0; i < in->n_tags && !rc; i++) {
        const char *field = arena_printf(ctx->a, "tags[%d]", i);
        const char *t = in->tags[i];
        if ((rc = check_line(ctx, field, t, LESSON_TAG_CHARS)))
            break;
        if (strchr(t, ',')) {
            rc = kam_fail_key(ctx->err, KAM_EINVAL, field, "lesson.tag_comma", NULL,
                              "%s: a tag is one word without commas", field);
            break;
        }
        int dup = 0;
        for (int j = 0; j < i; j++)
            dup |= !strcmp(in->tags[j], t);
        if (!dup)
            buf_printf(&b, "%s%s", b.len ? "," : "", t);
    }
    if (!rc)
        *out = arena_strndup(ctx->a, b.data ? b.data : "", b.len);
    buf_release(&b);
    return rc;
}

/* ---- the record ---- */

#define LCOLS                                                                                      \
    "l.id, l.account_id, accounts.name, l.title, l.what_happened, l.root_cause, l.changes, "       \
    "l.tags, l.created_by, l.version, l.created_at, l.updated_at"
#define LFROM " FROM lessons l LEFT JOIN accounts ON accounts.id = l.account_id"

static void lesson_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct lesson *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->account_id = opt_i64(st, 1, &x->has_account);
    x->account_name = db_col_is_null(st, 2) ? NULL : arena_strdup(ctx->a, db_col_text(st, 2));
    x->title = arena_strdup(ctx->a, db_col_text(st, 3));
    x->what_happened = arena_strdup(ctx->a, db_col_text(st, 4));
    x->root_cause = arena_strdup(ctx->a, db_col_text(st, 5));
    x->changes = arena_strdup(ctx->a, db_col_text(st, 6));
    x->tags = arena_strdup(ctx->a, db_col_text(st, 7));
    x->created_by = opt_i64(st, 8, &x->has_created_by);
    x->version = db_col_i64(st, 9);
    x->created_at = db_col_i64(st, 10);
    x->updated_at = db_col_i64(st, 11);
}

enum kam_err lesson_get(struct kam_ctx *ctx, int64_t id, struct lesson *out)
{
    enum kam_err rc =
        row_get(ctx, "SELECT " LCOLS LFROM " WHERE l.id = ?", id, lesson_row, out, "lesson");
    if (!rc)
        rc = load_links(ctx, out);
    return rc;
}

static void lesson_diff(struct audit_diff *d, const struct lesson *b, const struct lesson *a)
{
    audit_diff_i64(d, "account_id", b ? b->account_id : 0, !b || !b->has_account,
                   a ? a->account_id : 0, !a || !a->has_account);
    audit_diff_str(d, "title", b ? b->title : NULL, a ? a->title : NULL);
    audit_diff_str(d, "what_happened", b ? b->what_happened : NULL, a ? a->what_happened : NULL);
    audit_diff_str(d, "root_cause", b ? b->root_cause : NULL, a ? a->root_cause : NULL);
    audit_diff_str(d, "changes", b ? b->changes : NULL, a ? a->changes : NULL);
    audit_diff_str(d, "tags", b ? b->tags : NULL, a ? a->tags : NULL);
    audit_diff_str(d, "links", b ? b->links_key : NULL, a ? a->links_key : NULL);
}

/* Merges in over x and checks it; the links' accounts in first_account (0: none). */
static enum kam_err merge(struct kam_ctx *ctx, struct lesson *x, const struct lesson_in *in,
                          int64_t *first_account)
{
    const struct lesson *v = &in->v;
    *first_account = 0;
    if (in->set & LE_TITLE)
        x->title = v->title;
    if (in->set & LE_WHAT)
        x->what_happened = v->what_happened ? v->what_happened : "";
    if (in->set & LE_ROOT)
        x->root_cause = v->root_cause ? v->root_cause : "";
    if (in->set & LE_CHANGES)
        x->changes = v->changes ? v->changes : "";
    enum kam_err rc;
    if ((rc = check_line(ctx, "title", x->title, LESSON_TITLE_MAX)) ||
        (rc = check_text(ctx, "what_happened", x->what_happened, 0, LESSON_TEXT_MAX,
                         CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "root_cause", x->root_cause, 0, LESSON_TEXT_MAX, CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "changes", x->changes, 0, LESSON_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    if ((in->set & LE_TAGS) && (rc = make_tags(ctx, in, &x->tags)))
        return rc;
    if (in->set & LE_LINKS) {
        if (in->n_links > LESSON_LINKS_MAX)
            return kam_fail(ctx->err, KAM_EINVAL, "links", "at most %d links", LESSON_LINKS_MAX);
        struct lesson_link *ls =
            arena_calloc(ctx->a, in->n_links ? (size_t)in->n_links : 1, sizeof *ls);
        for (int i = 0; i < in->n_links; i++) {
            int64_t acc = 0;
            if ((rc = check_link(ctx, &in->links[i], i, &acc)))
                return rc;
            for (int j = 0; j < i; j++)
                if (!strcmp(ls[j].kind, in->links[i].kind) && ls[j].ref_id == in->links[i].ref_id)
                    return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "links[%d]", i),
                                    "links[%d] is there twice", i);
            ls[i] = in->links[i];
            if (!*first_account && acc > 0)
                *first_account = acc;
        }
        x->links = ls;
        x->n_links = (size_t)in->n_links;
        x->links_key = links_key(ctx, ls, x->n_links);
    }
    return KAM_OK;
}

static enum kam_err after_write(struct kam_ctx *ctx, const struct lesson *x)
{
    enum kam_err rc = write_links(ctx, x);
    if (!rc)
        rc = search_sync(ctx, "lesson", x->id);
    return rc;
}

enum kam_err lesson_create(struct kam_ctx *ctx, const struct lesson_in *in, struct lesson *out)
{
    struct lesson x = {.title = "",
                       .what_happened = "",
                       .root_cause = "",
                       .changes = "",
                       .tags = "",
                       .links_key = ""};
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, LE_TITLE, "title")))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int64_t first = 0;
    if ((rc = merge(ctx, &x, in, &first)))
        goto out;
    x.has_account = (in->set & LE_ACCOUNT) && in->v.has_account;
    x.account_id = x.has_account ? in->v.account_id : 0;
    const char *acc_field = "account_id";
    if (!x.has_account && first) {
        x.has_account = 1;
        x.account_id = first;
        acc_field = "links";
    }
    if (x.has_account) {
        if ((rc = policy_body_account(ctx, acc_field, x.account_id, OBJ_LESSON, ACT_CREATE)))
            goto out;
    } else if (policy_grant(ctx->who.role, OBJ_LESSON, ACT_CREATE) != GRANT_ALL) {
        rc = kam_fail_key(ctx->err, KAM_EFORBIDDEN, "account_id", "lesson.no_account", NULL,
                          "a lesson of no account is recorded by legal or the director: name "
                          "its account or link a record of one");
        goto out;
    }
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO lessons (account_id, title, what_happened, root_cause, "
                         "changes, tags, created_by, version, created_at, updated_at) VALUES "
                         "(?,?,?,?,?,?,?,1,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64n(st, 1, x.account_id, !x.has_account);
    db_bind_text(st, 2, x.title);
    db_bind_text(st, 3, x.what_happened);
    db_bind_text(st, 4, x.root_cause);
    db_bind_text(st, 5, x.changes);
    db_bind_text(st, 6, x.tags);
    db_bind_i64n(st, 7, ctx->who.user_id, ctx->who.user_id <= 0);
    db_bind_i64(st, 8, ctx->now);
    db_bind_i64(st, 9, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc || (rc = after_write(ctx, &x)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    lesson_diff(&d, NULL, &x);
    if (!(rc = audit_write(ctx, "lesson", x.id, x.account_id, "create", &d)))
        rc = lesson_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return lesson_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    const struct lesson_in *in = op->in;
    if (in->set & LE_ACCOUNT)
        return kam_fail(op->ctx->err, KAM_EINVAL, "account_id", "account_id cannot change");
    int64_t first = 0;
    return merge(op->ctx, rec, in, &first);
}

static void up_diff(const struct update_op *op)
{
    lesson_diff(op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct lesson *x = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(op->ctx->db,
                                 "UPDATE lessons SET title = ?, what_happened = ?, root_cause = "
                                 "?, changes = ?, tags = ?, updated_at = ?, version = version + "
                                 "1 WHERE id = ? AND version = ?",
                                 &st, op->ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, x->title);
    db_bind_text(st, 2, x->what_happened);
    db_bind_text(st, 3, x->root_cause);
    db_bind_text(st, 4, x->changes);
    db_bind_text(st, 5, x->tags);
    db_bind_i64(st, 6, op->ctx->now);
    db_bind_i64(st, 7, x->id);
    db_bind_i64(st, 8, b->version);
    if ((rc = db_run(st, op->ctx->err)))
        return rc;
    return after_write(op->ctx, x);
}

static int64_t up_account(const void *rec)
{
    return ((const struct lesson *)rec)->account_id;
}

static const struct update_spec lesson_spec = {
    .entity = "lesson",
    .size = sizeof(struct lesson),
    .versioned = 1,
    .version_at = offsetof(struct lesson, version),
    .in_set_at = offsetof(struct lesson_in, set),
    .in_version_at = offsetof(struct lesson_in, v.version),
    .in_version_bit = LE_VERSION,
    .get = up_get,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
};

enum kam_err lesson_update(struct kam_ctx *ctx, int64_t id, const struct lesson_in *in,
                           struct lesson *out)
{
    return record_update(ctx, &lesson_spec, id, in, out);
}

enum kam_err lesson_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct lesson before;
    if ((rc = lesson_get(ctx, id, &before)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM lesson_links WHERE lesson_id = ?", id, ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM lesson_accountability WHERE lesson_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM lessons WHERE id = ?", id, ctx->err)) ||
        (rc = search_drop(ctx, "lesson", id)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    lesson_diff(&d, &before, NULL);
    rc = audit_write(ctx, "lesson", id, before.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- lists ---- */

/* "(l.account_id IS NULL OR in scope)" for readers with a scoped grant on o; the WITH prefix
 * goes first (returns 1). */
static int scope_begin(struct kam_ctx *ctx, struct sqlb *b, enum obj o)
{
    if (policy_grant(ctx->who.role, o, ACT_READ) == GRANT_ALL)
        return 0;
    sqlb_sql(b, POLICY_SCOPE_WITH);
    sqlb_i64(b, ctx->who.user_id);
    sqlb_i64(b, ctx->who.user_id);
    return 1;
}

#define LESSON_IN_SCOPE                                                                            \
    "(l.account_id IS NULL OR l.account_id IN (SELECT accounts.id FROM accounts "                  \
    "WHERE " POLICY_SCOPE_COND "))"

/* LIKE pattern of folded text. */
static const char *fold_like(struct kam_ctx *ctx, const char *q)
{
    const char *f = search_fold(ctx->a, q);
    return f ? sqlb_like_pattern(ctx->a, f) : NULL;
}

static const struct page_sort le_sorts[] = {
    {"id", "l.id", 0},
    {"updated_at", "l.updated_at", 0},
};

enum kam_err lesson_list(struct kam_ctx *ctx, const struct lesson_query *q,
                         struct lesson **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc =
        page_parse(ctx, le_sorts, 2, q->sort ? q->sort : "-id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if ((q->q && (rc = check_text(ctx, "q", q->q, 0, SEARCH_MAX_Q, CHECK_LINE))) ||
        (q->tag && (rc = check_text(ctx, "tag", q->tag, 1, LESSON_TAG_CHARS, CHECK_LINE))) ||
        (q->kind && (rc = check_enum(ctx, "kind", q->kind, lesson_link_kinds))))
        return rc;
    if (q->ref_id && !q->kind)
        return kam_fail(ctx->err, KAM_EINVAL, "kind", "ref_id goes with kind");
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = scope_begin(ctx, &b, OBJ_LESSON);
    sqlb_sql(&b, "SELECT " LCOLS LFROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " LESSON_IN_SCOPE);
    if (q->account_id) {
        sqlb_sql(&b, " AND l.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    if (q->tag) {
        /* a whole word of the comma list */
        sqlb_sql(&b, " AND (',' || l.tags || ',') LIKE ? ESCAPE '\\'");
        const char *p = sqlb_like_pattern(ctx->a, arena_printf(ctx->a, ",%s,", q->tag));
        sqlb_text(&b, p);
    }
    if (q->kind) {
        sqlb_sql(&b, " AND l.id IN (SELECT lesson_id FROM lesson_links WHERE kind = ?");
        sqlb_text(&b, q->kind);
        if (q->ref_id) {
            sqlb_sql(&b, " AND ref_id = ?");
            sqlb_i64(&b, q->ref_id);
        }
        sqlb_sql(&b, ")");
    }
    if (q->q && *q->q) {
        const char *like = fold_like(ctx, q->q);
        if (!like)
            return kam_fail(ctx->err, KAM_EINTERNAL, "", "text folding is not available");
        sqlb_sql(&b, " AND l.id IN (SELECT s.id FROM search_index s WHERE s.kind = 'lesson' AND "
                     "(s.name LIKE ? ESCAPE '\\' OR s.body LIKE ? ESCAPE '\\' OR s.py_full LIKE ? "
                     "ESCAPE '\\' OR s.py_init LIKE ? ESCAPE '\\'))");
        for (int i = 0; i < 4; i++)
            sqlb_text(&b, like);
    }
    struct lesson *items;
    const struct lesson *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "l.id", lesson_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    for (size_t i = 0; i < n && !rc; i++)
        rc = load_links(ctx, &items[i]);
    if (rc)
        return rc;
    int64_t key = last && !strcmp(pg.sort->key, "updated_at") ? items[n - 1].updated_at
                                                              : (n ? items[n - 1].id : 0);
    *next_out = last ? page_cursor(ctx, &pg, NULL, key, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ---- accountability ---- */

#define ACOLS                                                                                      \
    "x.id, x.lesson_id, l.title, x.user_id, COALESCE(NULLIF(u.name, ''), u.login), x.decision, "   \
    "x.note, x.created_at"
#define AFROM                                                                                      \
    " FROM lesson_accountability x JOIN lessons l ON l.id = x.lesson_id JOIN users u ON u.id = "   \
    "x.user_id"

static void acc_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct accountability *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->lesson_id = db_col_i64(st, 1);
    x->lesson_title = arena_strdup(ctx->a, db_col_text(st, 2));
    x->user_id = db_col_i64(st, 3);
    x->user_name = arena_strdup(ctx->a, db_col_text(st, 4));
    x->decision = arena_strdup(ctx->a, db_col_text(st, 5));
    x->note = arena_strdup(ctx->a, db_col_text(st, 6));
    x->created_at = db_col_i64(st, 7);
}

static enum kam_err user_exists(struct kam_ctx *ctx, const char *field, int64_t uid)
{
    int64_t n = 0;
    enum kam_err rc =
        db_query_i64(ctx->db, "SELECT COUNT(*) FROM users WHERE id = ?", 1, uid, &n, ctx->err);
    if (!rc && !n)
        rc = kam_fail(ctx->err, KAM_EINVAL, field, "no such user");
    return rc;
}

enum kam_err accountability_add(struct kam_ctx *ctx, int64_t lesson_id,
                                const struct accountability_in *in, struct accountability *out)
{
    const struct accountability *v = &in->v;
    const char *note = (in->set & AC_NOTE) && v->note ? v->note : "";
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, AC_USER, "user_id")) ||
        (rc = check_given(ctx, in->set, AC_DECISION, "decision")) ||
        (rc = check_line(ctx, "decision", v->decision, LESSON_DECISION_MAX)) ||
        (rc = check_text(ctx, "note", note, 0, LESSON_NOTE_MAX, CHECK_MULTILINE)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct lesson l;
    if ((rc = row_get(ctx, "SELECT " LCOLS LFROM " WHERE l.id = ?", lesson_id, lesson_row, &l,
                      "lesson")) ||
        (rc = user_exists(ctx, "user_id", v->user_id)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO lesson_accountability (lesson_id, user_id, decision, note, "
                         "created_at) VALUES (?,?,?,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, lesson_id);
    db_bind_i64(st, 2, v->user_id);
    db_bind_text(st, 3, v->decision);
    db_bind_text(st, 4, note);
    db_bind_i64(st, 5, ctx->now);
    int row = 0;
    int64_t id = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "lesson_id", 0, 1, lesson_id, 0);
    audit_diff_i64(&d, "user_id", 0, 1, v->user_id, 0);
    audit_diff_str(&d, "decision", NULL, v->decision);
    audit_diff_str(&d, "note", NULL, note);
    if ((rc = audit_write(ctx, "lesson_accountability", id, l.account_id, "create", &d)))
        goto out;
    rc = row_get(ctx, "SELECT " ACOLS AFROM " WHERE x.id = ?", id, acc_row, out,
                 "accountability record");
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort id_sort[] = {{"id", "x.id", 0}};

enum kam_err accountability_list(struct kam_ctx *ctx, const struct accountability_query *q,
                                 struct accountability **items_out, size_t *n_out,
                                 const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, id_sort, 1, "-id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = scope_begin(ctx, &b, OBJ_ACCOUNTABILITY);
    sqlb_sql(&b, "SELECT " ACOLS AFROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND x.user_id IN (SELECT uid FROM sub) AND " LESSON_IN_SCOPE);
    if (q->user_id) {
        sqlb_sql(&b, " AND x.user_id = ?");
        sqlb_i64(&b, q->user_id);
    }
    if (q->lesson_id) {
        sqlb_sql(&b, " AND x.lesson_id = ?");
        sqlb_i64(&b, q->lesson_id);
    }
    struct accountability *items;
    const struct accountability *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "x.id", acc_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, items[n - 1].id, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ---- training needs ---- */

#define TCOLS                                                                                      \
    "x.id, x.source, x.source_id, x.topic, x.detail, x.user_id, x.audience_role, x.status, "       \
    "x.created_by, x.created_at, x.updated_at"

static void training_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct training_need *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->source = arena_strdup(ctx->a, db_col_text(st, 1));
    x->source_id = opt_i64(st, 2, &x->has_source);
    x->topic = arena_strdup(ctx->a, db_col_text(st, 3));
    x->detail = arena_strdup(ctx->a, db_col_text(st, 4));
    x->user_id = opt_i64(st, 5, &x->has_user);
    x->audience_role = arena_strdup(ctx->a, db_col_text(st, 6));
    x->status = arena_strdup(ctx->a, db_col_text(st, 7));
    x->created_by = opt_i64(st, 8, &x->has_created_by);
    x->created_at = db_col_i64(st, 9);
    x->updated_at = db_col_i64(st, 10);
}

enum kam_err training_need_add(struct kam_ctx *ctx, int64_t lesson_id, const struct training_in *in,
                               struct training_need *out)
{
    const struct training_need *v = &in->v;
    const char *detail = (in->set & TN_DETAIL) && v->detail ? v->detail : "";
    const char *role = (in->set & TN_ROLE) && v->audience_role ? v->audience_role : "";
    int has_user = (in->set & TN_USER) && v->has_user;
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, TN_TOPIC, "topic")) ||
        (rc = check_line(ctx, "topic", v->topic, TRAINING_TOPIC_MAX)) ||
        (rc = check_text(ctx, "detail", detail, 0, LESSON_NOTE_MAX, CHECK_MULTILINE)))
        return rc;
    if (*role && role_parse(role) == ROLE_NONE)
        return kam_fail(ctx->err, KAM_EINVAL, "audience_role", "no such role");
    if (*role && has_user)
        return kam_fail_key(ctx->err, KAM_EINVAL, "audience_role", "training.user_or_role", NULL,
                            "name a person (user_id) or a role (audience_role), not both");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct lesson l;
    if ((rc = row_get(ctx, "SELECT " LCOLS LFROM " WHERE l.id = ?", lesson_id, lesson_row, &l,
                      "lesson")) ||
        (has_user && (rc = user_exists(ctx, "user_id", v->user_id))))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO training_needs (source, source_id, topic, detail, user_id, "
                         "audience_role, status, created_by, created_at, updated_at) VALUES "
                         "('lesson',?,?,?,?,?,'open',?,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, lesson_id);
    db_bind_text(st, 2, v->topic);
    db_bind_text(st, 3, detail);
    db_bind_i64n(st, 4, v->user_id, !has_user);
    db_bind_text(st, 5, role);
    db_bind_i64n(st, 6, ctx->who.user_id, ctx->who.user_id <= 0);
    db_bind_i64(st, 7, ctx->now);
    db_bind_i64(st, 8, ctx->now);
    int row = 0;
    int64_t id = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "source", NULL, "lesson");
    audit_diff_i64(&d, "source_id", 0, 1, lesson_id, 0);
    audit_diff_str(&d, "topic", NULL, v->topic);
    audit_diff_str(&d, "detail", NULL, detail);
    audit_diff_i64(&d, "user_id", 0, 1, v->user_id, !has_user);
    audit_diff_str(&d, "audience_role", NULL, role);
    if ((rc = audit_write(ctx, "training_need", id, l.account_id, "create", &d)))
        goto out;
    rc = row_get(ctx, "SELECT " TCOLS " FROM training_needs x WHERE x.id = ?", id, training_row,
                 out, "training need");
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const char *const training_statuses[] = {"open", "planned", "done", "dropped", NULL};

enum kam_err training_list(struct kam_ctx *ctx, const struct training_query *q,
                           struct training_need **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, id_sort, 1, "-id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if (q->status && (rc = check_enum(ctx, "status", q->status, training_statuses)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = scope_begin(ctx, &b, OBJ_TRAINING);
    sqlb_sql(&b, "SELECT " TCOLS " FROM training_needs x WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND (x.user_id IN (SELECT uid FROM sub) OR (x.source = 'lesson' AND "
                     "x.source_id IN (SELECT l.id FROM lessons l WHERE " LESSON_IN_SCOPE ")))");
    if (q->user_id) {
        sqlb_sql(&b, " AND x.user_id = ?");
        sqlb_i64(&b, q->user_id);
    }
    if (q->lesson_id) {
        sqlb_sql(&b, " AND x.source = 'lesson' AND x.source_id = ?");
        sqlb_i64(&b, q->lesson_id);
    }
    if (q->status) {
        sqlb_sql(&b, " AND x.status = ?");
        sqlb_text(&b, q->status);
    }
    struct training_need *items;
    const struct training_need *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "x.id", training_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, items[n - 1].id, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}
