/* user.h -- users, roles and teams (the team tree that record scope follows). */
#ifndef KAM_USER_H
#define KAM_USER_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

enum user_field {
    USR_LOGIN = 1u << 0,
    USR_NAME = 1u << 1,
    USR_EMAIL = 1u << 2,
    USR_ROLE = 1u << 3,
    USR_TEAM = 1u << 4,
    USR_DISABLED = 1u << 5,
    USR_PASSWORD = 1u << 6,
    USR_DIGEST = 1u << 7,
};

struct user {
    int64_t id, team_id, created_at, updated_at;
    int has_team, disabled;
    int digest; /* 1: a daily e-mail digest of notifications */
    const char *login, *name, *email, *role;
};

struct user_in {
    struct user v;
    const char *password; /* when USR_PASSWORD is set */
    unsigned set;
    /* A session (its stored id) that survives a password change: the one making it. */
    const char *keep_session;
};

#define PASSWORD_MIN_CHARS 10

/* Creates a user; the password is stored as an argon2id hash. */
enum kam_err user_create(struct kam_ctx *ctx, const struct user_in *in, struct user *out);
enum kam_err user_get(struct kam_ctx *ctx, int64_t id, struct user *out);
enum kam_err user_by_login(struct kam_ctx *ctx, const char *login, struct user *out);
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
