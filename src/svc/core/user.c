/* user.c -- users and teams. */
#include "user.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "check.h"
#include "page.h"
#include "policy.h"
#include "rows.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "update.h"

/* OWASP Password Storage Cheat Sheet minimum for argon2id: m = 19 MiB, t = 2, p = 1. */
#define PW_OPSLIMIT 2
#define PW_MEMLIMIT (19u * 1024 * 1024)

static const char *hash_override;

void user_set_hash_override(const char *hash)
{
    hash_override = hash;
}

enum kam_err user_hash_password(struct kam_ctx *ctx, const char *password, char out[128])
{
    _Static_assert(crypto_pwhash_STRBYTES <= 128, "hash buffer");
    if (hash_override) {
        snprintf(out, 128, "%s", hash_override);
        return KAM_OK;
    }
    if (crypto_pwhash_str_alg(out, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return kam_fail(ctx->err, KAM_EINTERNAL, "password", "out of memory hashing password");
    return KAM_OK;
}

int user_password_ok(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

#define COLS                                                                                       \
    "users.id, users.login, users.name, users.email, users.role, users.team_id, "                  \
    "users.disabled, users.created_at, users.updated_at, users.digest, users.lang"

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct user *u = row;
    memset(u, 0, sizeof *u);
    u->id = db_col_i64(st, 0);
    u->login = arena_strdup(ctx->a, db_col_text(st, 1));
    u->name = arena_strdup(ctx->a, db_col_text(st, 2));
    u->email = arena_strdup(ctx->a, db_col_text(st, 3));
    u->role = arena_strdup(ctx->a, db_col_text(st, 4));
    u->has_team = !db_col_is_null(st, 5);
    u->team_id = u->has_team ? db_col_i64(st, 5) : 0;
    u->disabled = (int)db_col_i64(st, 6);
    u->created_at = db_col_i64(st, 7);
    u->updated_at = db_col_i64(st, 8);
    u->digest = (int)db_col_i64(st, 9);
    u->lang = db_col_is_null(st, 10) ? NULL : arena_strdup(ctx->a, db_col_text(st, 10));
}

static enum kam_err get_by(struct kam_ctx *ctx, const char *sql, int64_t id, const char *login,
                           struct user *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    if (login)
        db_bind_text(st, 1, login);
    else
        db_bind_i64(st, 1, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        read_row(ctx, st, out);
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, login ? "login" : "id", "no such user");
    return rc;
}

enum kam_err user_get(struct kam_ctx *ctx, int64_t id, struct user *out)
{
    return get_by(ctx, "SELECT " COLS " FROM users WHERE id = ?", id, NULL, out);
}

enum kam_err user_by_login(struct kam_ctx *ctx, const char *login, struct user *out)
{
    return get_by(ctx, "SELECT " COLS " FROM users WHERE login = ?", 0, login, out);
}

static enum kam_err validate(struct kam_ctx *ctx, const struct user *u)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "login", u->login, 1, 64, 0)))
        return rc;
    for (const char *p = u->login; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-' || c == '@'))
            return kam_fail(ctx->err, KAM_EINVAL, "login",
                            "login may hold only a-z, 0-9 and . _ - @");
    }
    if ((rc = check_text(ctx, "name", u->name, 0, 100, 0)) ||
        (rc = check_email(ctx, "email", u->email)))
        return rc;
    static const char *const langs[] = {"zh-CN", "zh-TW", "en", NULL};
    if (u->lang && (rc = check_enum(ctx, "lang", u->lang, langs)))
        return rc;
    if (role_parse(u->role) == ROLE_NONE)
        return kam_fail(ctx->err, KAM_EINVAL, "role",
                        "role must be one of: admin, director, team_lead, account_manager, "
                        "finance, service, hr, viewer, legal");
    return KAM_OK;
}

/* The strength order of user.h, strongest first. */
static const unsigned char role_rank[ROLE_COUNT] = {
    [ROLE_ADMIN] = 9,           [ROLE_DIRECTOR] = 8, [ROLE_HR] = 7,
    [ROLE_FINANCE] = 6,         [ROLE_LEGAL] = 5,    [ROLE_TEAM_LEAD] = 4,
    [ROLE_ACCOUNT_MANAGER] = 3, [ROLE_SERVICE] = 2,  [ROLE_VIEWER] = 1,
};

int user_role_rank(enum role r)
{
    return (unsigned)r < ROLE_COUNT ? role_rank[r] : 0;
}

/* Account data, as the permission table says: one source of truth for who sees accounts. */
static int sees_accounts(enum role r)
{
    return policy_grant(r, OBJ_ACCOUNT, ACT_READ) != GRANT_NONE;
}

/* May the caller give `role` to someone (what: "grant the role") or change a user who holds it
 * (what: "change a user with the role")? */
static enum kam_err check_reach(struct kam_ctx *ctx, const char *role, const char *what)
{
    enum role me = ctx->who.role, r = role_parse(role);
    if (user_role_rank(r) > user_role_rank(me))
        return kam_fail(ctx->err, KAM_EFORBIDDEN, "role",
                        "your role (%s) may not %s %s: it is stronger than yours", role_name(me),
                        what, role);
    if (sees_accounts(r) && !sees_accounts(me))
        return kam_fail(ctx->err, KAM_EFORBIDDEN, "role",
                        "your role (%s) may not %s %s: it sees account data and yours does not",
                        role_name(me), what, role);
    return KAM_OK;
}

/* The rules of user.h for a change of user id from before to after (before NULL: a creation). */
static enum kam_err check_grant(struct kam_ctx *ctx, int64_t id, const struct user *before,
                                const struct user *after, const struct user_in *in)
{
    enum kam_err rc;
    if (!before)
        return check_reach(ctx, after->role, "grant the role");
    int self = id == ctx->who.user_id;
    int role_changes = strcmp(before->role, after->role) != 0;
    if (self && role_changes)
        return kam_fail(ctx->err, KAM_EFORBIDDEN, "role", "nobody may change their own role");
    if (self && (in->set & USR_PASSWORD) && !in->old_verified)
        return kam_fail(ctx->err, KAM_EFORBIDDEN, "password",
                        "change your own password with POST /api/v1/me/password: it asks for "
                        "the current one");
    if (!self && (rc = check_reach(ctx, before->role, "change a user with the role")))
        return rc;
    if (role_changes && (rc = check_reach(ctx, after->role, "grant the role")))
        return rc;
    return KAM_OK;
}

static enum kam_err check_team_exists(struct kam_ctx *ctx, const char *field, int64_t team_id)
{
    int64_t x;
    enum kam_err rc =
        db_query_i64(ctx->db, "SELECT id FROM teams WHERE id = ?", 1, team_id, &x, ctx->err);
    if (rc == KAM_ENOTFOUND)
        return kam_fail(ctx->err, KAM_EINVAL, field, "%s is not a team", field);
    return rc;
}

static void diff_user(struct audit_diff *d, const struct user *b, const struct user *a)
{
    audit_diff_str(d, "login", b ? b->login : NULL, a ? a->login : NULL);
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "email", b ? b->email : NULL, a ? a->email : NULL);
    audit_diff_str(d, "role", b ? b->role : NULL, a ? a->role : NULL);
    audit_diff_i64(d, "team_id", b ? b->team_id : 0, !b || !b->has_team, a ? a->team_id : 0,
                   !a || !a->has_team);
    audit_diff_i64(d, "disabled", b ? b->disabled : 0, !b, a ? a->disabled : 0, !a);
    audit_diff_i64(d, "digest", b ? b->digest : 0, !b, a ? a->digest : 0, !a);
    audit_diff_str(d, "lang", b ? b->lang : NULL, a ? a->lang : NULL);
}

static void merge(struct user *u, const struct user_in *in)
{
    if (in->set & USR_LOGIN)
        u->login = in->v.login;
    if (in->set & USR_NAME)
        u->name = in->v.name;
    if (in->set & USR_EMAIL)
        u->email = in->v.email;
    if (in->set & USR_ROLE)
        u->role = in->v.role;
    if (in->set & USR_TEAM) {
        u->has_team = in->v.has_team;
        u->team_id = in->v.has_team ? in->v.team_id : 0;
    }
    if (in->set & USR_DISABLED)
        u->disabled = in->v.disabled;
    if (in->set & USR_DIGEST)
        u->digest = in->v.digest;
    if (in->set & USR_LANG)
        u->lang = in->v.lang;
}

enum kam_err user_create(struct kam_ctx *ctx, const struct user_in *in, struct user *out)
{
    struct user u = {0};
    u.login = u.name = u.email = u.role = "";
    merge(&u, in);
    if (!(in->set & USR_LOGIN))
        return kam_fail(ctx->err, KAM_EINVAL, "login", "login is required");
    if (!(in->set & USR_ROLE))
        return kam_fail(ctx->err, KAM_EINVAL, "role", "role is required");
    if (!(in->set & USR_PASSWORD))
        return kam_fail(ctx->err, KAM_EINVAL, "password", "password is required");
    enum kam_err rc = validate(ctx, &u);
    if (rc || (rc = check_grant(ctx, 0, NULL, &u, in)) ||
        (rc = password_check(ctx, "password", u.login, in->password)))
        return rc;
    char hash[128];
    if ((rc = user_hash_password(ctx, in->password, hash)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if (u.has_team && (rc = check_team_exists(ctx, "team_id", u.team_id)))
        goto out;
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "INSERT INTO users (login, name, email, role, team_id, password_hash, "
                    "disabled, created_at, updated_at, lang) VALUES (?,?,?,?,?,?,?,?,?,?) "
                    "RETURNING id",
                    &st, ctx->err);
    if (rc)
        goto out;
    db_bind_text(st, 1, u.login);
    db_bind_text(st, 2, u.name);
    db_bind_text(st, 3, u.email);
    db_bind_text(st, 4, u.role);
    db_bind_i64n(st, 5, u.team_id, !u.has_team);
    db_bind_text(st, 6, hash);
    db_bind_i64(st, 7, u.disabled);
    db_bind_i64(st, 8, ctx->now);
    db_bind_i64(st, 9, ctx->now);
    db_bind_text(st, 10, u.lang);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        u.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_user(&d, NULL, &u);
    rc = audit_write(ctx, "user", u.id, 0, "create", &d);
    if (!rc)
        rc = user_get(ctx, u.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* Deletes the user's sessions except keep (a stored session id, "" for none) and, with
 * tokens set, revokes their API tokens; the counts go to *ended_out and *revoked_out. */
static enum kam_err end_access(struct kam_ctx *ctx, int64_t id, const char *keep, int tokens,
                               int64_t *ended_out, int64_t *revoked_out)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "DELETE FROM sessions WHERE user_id = ? AND id <> ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    db_bind_text(st, 2, keep);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    *ended_out = db_changes(ctx->db);
    *revoked_out = 0;
    if (!tokens)
        return KAM_OK;
    if ((rc = db_prepare(ctx->db,
                         "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at "
                         "IS NULL",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, ctx->now);
    db_bind_i64(st, 2, id);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    *revoked_out = db_changes(ctx->db);
    return KAM_OK;
}

/* ---- update (update.h) ---- */

/* user_update's input: the request and the new password's hash ("" for none). */
struct user_patch {
    const struct user_in *in;
    const char *hash;
};

static enum kam_err user_up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return user_get(ctx, id, rec);
}

static enum kam_err user_up_merge(const struct update_op *op, void *rec)
{
    struct user *u = rec;
    const struct user *b = op->before;
    const struct user_in *in = ((const struct user_patch *)op->in)->in;
    merge(u, in);
    enum kam_err rc;
    if ((rc = validate(op->ctx, u)) || (rc = check_grant(op->ctx, u->id, b, u, in)))
        return rc;
    if (u->has_team && (!b->has_team || u->team_id != b->team_id))
        return check_team_exists(op->ctx, "team_id", u->team_id);
    return KAM_OK;
}

static void user_up_diff(const struct update_op *op)
{
    diff_user(op->diff, op->before, op->after);
    if (*((const struct user_patch *)op->in)->hash)
        audit_diff_str(op->diff, "password", "(set)", "(changed)");
}

static enum kam_err user_up_write(const struct update_op *op)
{
    const struct user *u = op->after;
    const char *hash = ((const struct user_patch *)op->in)->hash;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "UPDATE users SET login = ?, name = ?, email = ?, role = ?, team_id = ?, "
                   "disabled = ?, password_hash = COALESCE(?, password_hash), updated_at = ?, "
                   "digest = ?, lang = ? WHERE id = ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, u->login);
    db_bind_text(st, 2, u->name);
    db_bind_text(st, 3, u->email);
    db_bind_text(st, 4, u->role);
    db_bind_i64n(st, 5, u->team_id, !u->has_team);
    db_bind_i64(st, 6, u->disabled);
    db_bind_text(st, 7, *hash ? hash : NULL);
    db_bind_i64(st, 8, ctx->now);
    db_bind_i64(st, 9, u->digest);
    db_bind_text(st, 10, u->lang);
    db_bind_i64(st, 11, u->id);
    return db_run(st, ctx->err);
}

/* A disabled user or a new password ends the user's sessions (but the one making a change of
 * their own password); a new password also revokes the user's API tokens, so whoever held the
 * old password keeps no way in. Counted in the audit row. */
static enum kam_err user_up_then(const struct update_op *op)
{
    const struct user *b = op->before, *u = op->after;
    const struct user_patch *p = op->in;
    if (!(u->disabled && !b->disabled) && !*p->hash)
        return KAM_OK;
    int64_t ended = 0, revoked = 0;
    enum kam_err rc =
        end_access(op->ctx, u->id, u->disabled || !p->in->keep_session ? "" : p->in->keep_session,
                   *p->hash, &ended, &revoked);
    if (rc)
        return rc;
    audit_diff_i64(op->diff, "sessions_ended", 0, 0, ended, 0);
    audit_diff_i64(op->diff, "tokens_revoked", 0, 0, revoked, 0);
    return KAM_OK;
}

static const struct update_spec user_spec = {
    .entity = "user",
    .size = sizeof(struct user),
    .get = user_up_get,
    .merge = user_up_merge,
    .diff = user_up_diff,
    .write = user_up_write,
    .then = user_up_then,
};

enum kam_err user_update(struct kam_ctx *ctx, int64_t id, const struct user_in *in,
                         struct user *out)
{
    enum kam_err rc;
    char hash[128] = "";
    if (in->set & USR_PASSWORD) {
        /* Rights and rules before argon2 (outside the transaction, as it is slow): a refused
         * reset costs no hash. The transaction checks again. */
        struct user cur, next;
        if ((rc = user_get(ctx, id, &cur)))
            return rc;
        next = cur;
        merge(&next, in);
        if ((rc = validate(ctx, &next)) || (rc = check_grant(ctx, id, &cur, &next, in)) ||
            (rc = password_check(ctx, "password", next.login, in->password)) ||
            (rc = user_hash_password(ctx, in->password, hash)))
            return rc;
    }
    struct user_patch p = {in, hash};
    return record_update(ctx, &user_spec, id, &p, out);
}

static const struct page_sort user_sorts[] = {
    {"login", "users.login", 1},
    {"id", "users.id", 0},
};

enum kam_err user_list(struct kam_ctx *ctx, const struct user_query *q, struct user **items_out,
                       size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, user_sorts, 2, q->sort, q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if (q->q && (rc = check_text(ctx, "q", q->q, 0, 100, 0)))
        return rc;
    if (q->role && role_parse(q->role) == ROLE_NONE)
        return kam_fail(ctx->err, KAM_EINVAL, "role", "unknown role");
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " COLS " FROM users WHERE 1 = 1");
    if (q->q && *q->q) {
        const char *bind;
        int nbind;
        const char *cond = db_search_cond(ctx->db, "users", q->q, ctx->a, &bind, &nbind);
        sqlb_sql(&b, " AND ");
        sqlb_sql(&b, cond);
        for (int i = 0; i < nbind; i++)
            sqlb_text(&b, bind);
    }
    if (q->role) {
        sqlb_sql(&b, " AND users.role = ?");
        sqlb_text(&b, q->role);
    }
    if (q->team_id) {
        sqlb_sql(&b, " AND users.team_id = ?");
        sqlb_i64(&b, q->team_id);
    }
    struct user *items;
    const struct user *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "users.id", read_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, last->login, last->id, last->id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ---- teams ---- */

#define TEAM_COLS "id, name, parent_id, manager_id, created_at, updated_at"

static void read_team(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct team *t = row;
    memset(t, 0, sizeof *t);
    t->id = db_col_i64(st, 0);
    t->name = arena_strdup(ctx->a, db_col_text(st, 1));
    t->has_parent = !db_col_is_null(st, 2);
    t->parent_id = t->has_parent ? db_col_i64(st, 2) : 0;
    t->has_manager = !db_col_is_null(st, 3);
    t->manager_id = t->has_manager ? db_col_i64(st, 3) : 0;
    t->created_at = db_col_i64(st, 4);
    t->updated_at = db_col_i64(st, 5);
}

static enum kam_err team_by(struct kam_ctx *ctx, const char *sql, int64_t id, const char *name,
                            struct team *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    if (name)
        db_bind_text(st, 1, name);
    else
        db_bind_i64(st, 1, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        read_team(ctx, st, out);
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, name ? "team" : "id", "no such team");
    return rc;
}

enum kam_err team_get(struct kam_ctx *ctx, int64_t id, struct team *out)
{
    return team_by(ctx, "SELECT " TEAM_COLS " FROM teams WHERE id = ?", id, NULL, out);
}

enum kam_err team_by_name(struct kam_ctx *ctx, const char *name, struct team *out)
{
    return team_by(ctx, "SELECT " TEAM_COLS " FROM teams WHERE name = ?", 0, name, out);
}

static enum kam_err team_check(struct kam_ctx *ctx, const struct team *t)
{
    enum kam_err rc = check_text(ctx, "name", t->name, 1, 100, 0);
    if (rc)
        return rc;
    if (t->has_parent) {
        if ((rc = check_team_exists(ctx, "parent_id", t->parent_id)))
            return rc;
        if (t->id) {
            struct db_stmt *st;
            rc = db_prepare(ctx->db,
                            "WITH RECURSIVE up(id) AS (SELECT CAST(? AS BIGINT) UNION SELECT "
                            "teams.parent_id FROM "
                            "teams JOIN up ON teams.id = up.id WHERE teams.parent_id IS NOT NULL) "
                            "SELECT EXISTS (SELECT 1 FROM up WHERE id = ?)",
                            &st, ctx->err);
            if (rc)
                return rc;
            db_bind_i64(st, 1, t->parent_id);
            db_bind_i64(st, 2, t->id);
            int row = 0;
            rc = db_step(st, &row, ctx->err);
            int cycle = !rc && row && db_col_i64(st, 0);
            db_done(st);
            if (!rc && cycle)
                rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "parent_id", "team.parent_cycle", NULL,
                                  "a team cannot be its own parent or ancestor");
            if (rc)
                return rc;
        }
    }
    if (t->has_manager) {
        int64_t x;
        rc = db_query_i64(ctx->db, "SELECT id FROM users WHERE id = ?", 1, t->manager_id, &x,
                          ctx->err);
        if (rc == KAM_ENOTFOUND)
            return kam_fail(ctx->err, KAM_EINVAL, "manager_id", "manager_id is not a user");
    }
    return rc;
}

static void diff_team(struct audit_diff *d, const struct team *b, const struct team *a)
{
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_i64(d, "parent_id", b ? b->parent_id : 0, !b || !b->has_parent, a ? a->parent_id : 0,
                   !a || !a->has_parent);
    audit_diff_i64(d, "manager_id", b ? b->manager_id : 0, !b || !b->has_manager,
                   a ? a->manager_id : 0, !a || !a->has_manager);
}

static void team_merge(struct team *t, const struct team_in *in)
{
    if (in->set & TEAM_NAME)
        t->name = in->v.name;
    if (in->set & TEAM_PARENT) {
        t->has_parent = in->v.has_parent;
        t->parent_id = in->v.has_parent ? in->v.parent_id : 0;
    }
    if (in->set & TEAM_MANAGER) {
        t->has_manager = in->v.has_manager;
        t->manager_id = in->v.has_manager ? in->v.manager_id : 0;
    }
}

enum kam_err team_create(struct kam_ctx *ctx, const struct team_in *in, struct team *out)
{
    struct team t = {0};
    t.name = "";
    team_merge(&t, in);
    if (!(in->set & TEAM_NAME))
        return kam_fail(ctx->err, KAM_EINVAL, "name", "name is required");
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    if ((rc = team_check(ctx, &t)))
        goto out;
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "INSERT INTO teams (name, parent_id, manager_id, created_at, updated_at) "
                    "VALUES (?,?,?,?,?) RETURNING id",
                    &st, ctx->err);
    if (rc)
        goto out;
    db_bind_text(st, 1, t.name);
    db_bind_i64n(st, 2, t.parent_id, !t.has_parent);
    db_bind_i64n(st, 3, t.manager_id, !t.has_manager);
    db_bind_i64(st, 4, ctx->now);
    db_bind_i64(st, 5, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        t.id = db_col_i64(st, 0);
    db_done(st);
    if (rc) {
        if (rc == KAM_ECONFLICT)
            snprintf(ctx->err->field, sizeof ctx->err->field, "name");
        goto out;
    }
    struct audit_diff d;
    audit_diff_init(&d);
    diff_team(&d, NULL, &t);
    rc = audit_write(ctx, "team", t.id, 0, "create", &d);
    if (!rc)
        rc = team_get(ctx, t.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err team_up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return team_get(ctx, id, rec);
}

static enum kam_err team_up_merge(const struct update_op *op, void *rec)
{
    team_merge(rec, op->in);
    return team_check(op->ctx, rec);
}

static void team_up_diff(const struct update_op *op)
{
    diff_team(op->diff, op->before, op->after);
}

static enum kam_err team_up_write(const struct update_op *op)
{
    const struct team *t = op->after;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE teams SET name = ?, parent_id = ?, manager_id = ?, "
                                 "updated_at = ? WHERE id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, t->name);
    db_bind_i64n(st, 2, t->parent_id, !t->has_parent);
    db_bind_i64n(st, 3, t->manager_id, !t->has_manager);
    db_bind_i64(st, 4, ctx->now);
    db_bind_i64(st, 5, t->id);
    rc = db_run(st, ctx->err);
    if (rc == KAM_ECONFLICT)
        snprintf(ctx->err->field, sizeof ctx->err->field, "name");
    return rc;
}

static const struct update_spec team_spec = {
    .entity = "team",
    .size = sizeof(struct team),
    .get = team_up_get,
    .merge = team_up_merge,
    .diff = team_up_diff,
    .write = team_up_write,
};

enum kam_err team_update(struct kam_ctx *ctx, int64_t id, const struct team_in *in,
                         struct team *out)
{
    return record_update(ctx, &team_spec, id, in, out);
}

enum kam_err team_list(struct kam_ctx *ctx, struct team **items_out, size_t *n_out)
{
    int64_t count = 0;
    enum kam_err rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM teams", 0, 0, &count, ctx->err);
    if (rc)
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db, "SELECT " TEAM_COLS " FROM teams ORDER BY name, id", &st,
                         ctx->err)))
        return rc;
    return rows_collect(ctx, st, (size_t)count, read_team, sizeof **items_out, (void **)items_out,
                        n_out);
}

enum kam_err user_create_in_team(struct kam_ctx *ctx, const struct user_in *in, const char *team,
                                 struct user *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct user_in u = *in;
    if (team) {
        struct team t;
        rc = team_by_name(ctx, team, &t);
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            struct team_in tin = {.set = TEAM_NAME};
            tin.v.name = team;
            rc = team_create(ctx, &tin, &t);
        }
        if (!rc) {
            u.v.team_id = t.id;
            u.v.has_team = 1;
            u.set |= USR_TEAM;
        }
    }
    if (!rc)
        rc = user_create(ctx, &u, out);
    return db_end(ctx->db, rc, ctx->err);
}
