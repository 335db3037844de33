/* user.h -- users, roles and teams (the team tree that record scope follows). */
#ifndef KAM_USER_H
#define KAM_USER_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "password.h"

enum user_field {
    USR_LOGIN = 1u << 0,
    USR_NAME = 1u << 1,
    USR_EMAIL = 1u << 2,
    USR_ROLE = 1u << 3,
    USR_TEAM = 1u << 4,
    USR_DISABLED = 1u << 5,
    USR_PASSWORD = 1u << 6,
    USR_DIGEST = 1u << 7,
    USR_LANG = 1u << 8,
};

struct user {
    int64_t id, team_id, created_at, updated_at;
    int has_team, disabled;
    int digest; /* 1: a daily e-mail digest of notifications */
    const char *login, *name, *email, *role;
    /* The language of what the server writes to the user outside a request (the digest):
     * "zh-CN", "zh-TW", "en"; NULL when not chosen (read as zh-CN). */
    const char *lang;
};

struct user_in {
    struct user v;
    const char *password; /* when USR_PASSWORD is set */
    unsigned set;
    /* A session (its stored id) that survives a password change: the one making it. */
    const char *keep_session;
    /* Set by auth_change_password_from only: the caller's current password was verified. One's
     * own password changes only so (a stolen session must not be enough). */
    int old_verified;
};

/* Who may manage whom. Role strength, strongest first (one order, documented in docs/API.md
 * "Roles"):
 *     admin > director > hr > finance > legal > team_lead > account_manager > service > viewer
 * - Granting a role (create, or a role change) needs a role at least as strong as it.
 * - Any change of another user (name, e-mail, team, role, disabling, a password reset) needs a
 *   role at least as strong as the user's current one.
 * - A role without account data (policy_grant(role, OBJ_ACCOUNT, ACT_READ) == GRANT_NONE, i.e.
 *   hr) may grant, and change users of, only roles without account data: resetting a
 *   director's password would otherwise hand hr the director's data.
 * - Nobody changes their own role; one's own password changes only through
 *   auth_change_password_from (it checks the current one).
 * The system (CLI commands: user_id 0, ROLE_ADMIN) is an administrator. Refusals are
 * KAM_EFORBIDDEN naming "role" ("password" for one's own password). */
int user_role_rank(enum role r);

/* Creates a user; the password (password_check) is stored as an argon2id hash. */
enum kam_err user_create(struct kam_ctx *ctx, const struct user_in *in, struct user *out);
/* user_create in the team named team (made when there is none; NULL: in->v's team, if any), in
 * one transaction: a refused user leaves no new team behind. */
enum kam_err user_create_in_team(struct kam_ctx *ctx, const struct user_in *in, const char *team,
                                 struct user *out);
enum kam_err user_get(struct kam_ctx *ctx, int64_t id, struct user *out);
enum kam_err user_by_login(struct kam_ctx *ctx, const char *login, struct user *out);
/* Changes a user. A new password (password_check) ends the user's sessions (but keep_session)
 * and revokes their API tokens in the same transaction; so does disabling (sessions only). */
enum kam_err user_update(struct kam_ctx *ctx, int64_t id, const struct user_in *in,
                         struct user *out);

struct user_query {
    const char *q, *role, *sort, *cursor;
    int64_t team_id, limit;
};

enum kam_err user_list(struct kam_ctx *ctx, const struct user_query *q, struct user **items_out,
                       size_t *n_out, const char **next_out);

/* argon2id (libsodium crypto_pwhash_str, OWASP minimum: t=2, m=19 MiB) into out. */
enum kam_err user_hash_password(struct kam_ctx *ctx, const char *password, char out[128]);
/* 1 if password matches the stored hash. */
int user_password_ok(const char *hash, const char *password);
/* Reuses one precomputed hash for many users (demo data only: argon2 is slow on purpose). */
void user_set_hash_override(const char *hash);

struct team {
    int64_t id, parent_id, manager_id, created_at, updated_at;
    int has_parent, has_manager;
    const char *name;
};

enum team_field { TEAM_NAME = 1u << 0, TEAM_PARENT = 1u << 1, TEAM_MANAGER = 1u << 2 };

struct team_in {
    struct team v;
    unsigned set;
};

enum kam_err team_create(struct kam_ctx *ctx, const struct team_in *in, struct team *out);
enum kam_err team_get(struct kam_ctx *ctx, int64_t id, struct team *out);
enum kam_err team_by_name(struct kam_ctx *ctx, const char *name, struct team *out);
enum kam_err team_update(struct kam_ctx *ctx, int64_t id, const struct team_in *in,
                         struct team *out);
/* Every team, by name (teams are few). */
enum kam_err team_list(struct kam_ctx *ctx, struct team **items_out, size_t *n_out);

#endif
