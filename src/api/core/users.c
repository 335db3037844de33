/* users.c -- /api/v1/users and /api/v1/teams (administration). */
#include <stddef.h>

#include "internal.h"
#include "svc/core/user.h"

#define UF(f) offsetof(struct user_in, v.f)

static const struct jfield user_spec[] = {
    {"login", J_STR, USR_LOGIN, UF(login), 0, 0, 0, "a-z 0-9 . _ - @, 1-64", 1},
    {"name", J_STR, USR_NAME, UF(name), 0, 0, 0, "display name, <= 100"},
    {"email", J_STR, USR_EMAIL, UF(email), 0, 0, 0, "e-mail address or empty"},
    {"role", J_STR, USR_ROLE, UF(role), 0, 0, 0,
     "admin | director | team_lead | account_manager | finance | service | hr | viewer | legal", 1},
    {"team_id", J_I64, USR_TEAM, UF(team_id), UF(has_team), 0, 1, "team, or null"},
    {"disabled", J_BOOL, USR_DISABLED, UF(disabled), 0, 0, 0, "PATCH: disable the login"},
    {"lang", J_STR, USR_LANG, UF(lang), 0, 0, 1,
     "zh-CN | zh-TW | en: the e-mail digest's language; null: not chosen"},
    {"password", J_STR, USR_PASSWORD, offsetof(struct user_in, password), 0, 0, 0,
     "10-200 characters, not a commonly used one, not containing the login", 1},
    {0},
};

static enum kam_err users_list(struct api_call *c)
{
    struct user_query q = {0};
    q.q = api_query_str(c, "q");
    q.role = api_query_str(c, "role");
    q.sort = api_query_str(c, "sort");
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) ||
        (rc = api_query_i64(c, "team_id", 0, &q.team_id)))
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    struct user *items;
    size_t n;
    const char *next;
    if ((rc = user_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_user(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err users_create(struct api_call *c)
{
    struct user_in in = {0};
    enum kam_err rc = api_decode(c, user_spec, &in, &in.set);
    if (rc)
        return rc;
    struct user u;
    if ((rc = user_create(c->ctx, &in, &u)))
        return rc;
    c->status = 201;
    render_user(&c->w, &u);
    return KAM_OK;
}

static enum kam_err users_get(struct api_call *c)
{
    struct user u;
    enum kam_err rc = user_get(c->ctx, c->id[0], &u);
    if (!rc)
        render_user(&c->w, &u);
    return rc;
}

static enum kam_err users_patch(struct api_call *c)
{
    struct user_in in = {0};
    enum kam_err rc = api_decode(c, user_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & USR_LOGIN)
        return kam_fail(c->ctx->err, KAM_EINVAL, "login", "a login cannot be changed");
    struct user u;
    if ((rc = user_update(c->ctx, c->id[0], &in, &u)))
        return rc;
    render_user(&c->w, &u);
    return KAM_OK;
}

#define TF(f) offsetof(struct team_in, v.f)

static const struct jfield team_spec[] = {
    {"name", J_STR, TEAM_NAME, TF(name), 0, 0, 0, "unique, 1-100", 1},
    {"parent_id", J_I64, TEAM_PARENT, TF(parent_id), TF(has_parent), 0, 1, "parent team, or null"},
    {"manager_id", J_I64, TEAM_MANAGER, TF(manager_id), TF(has_manager), 0, 1,
     "the user who manages the team, or null"},
    {0},
};

/* User is declared beside render_user (session.c). */
const struct api_shape api_shapes_users[] = {
    {"Team", "id:int name:str parent_id:int? manager_id:int? created_at:ts updated_at:ts"},
    {NULL, NULL},
};

static void render_team(struct jw *w, const struct team *t)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", t->id);
    jw_kstr(w, "name", t->name);
    jw_ki64n(w, "parent_id", t->parent_id, !t->has_parent);
    jw_ki64n(w, "manager_id", t->manager_id, !t->has_manager);
    jw_ktime(w, "created_at", t->created_at);
    jw_ktime(w, "updated_at", t->updated_at);
    jw_obj_end(w);
}

static enum kam_err teams_list(struct api_call *c)
{
    struct team *items;
    size_t n;
    enum kam_err rc = team_list(c->ctx, &items, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_team(&c->w, &items[i]);
    api_list_end(c, NULL);
    return KAM_OK;
}

static enum kam_err teams_create(struct api_call *c)
{
    struct team_in in = {0};
    enum kam_err rc = api_decode(c, team_spec, &in, &in.set);
    if (rc)
        return rc;
    struct team t;
    if ((rc = team_create(c->ctx, &in, &t)))
        return rc;
    c->status = 201;
    render_team(&c->w, &t);
    return KAM_OK;
}

static enum kam_err teams_get(struct api_call *c)
{
    struct team t;
    enum kam_err rc = team_get(c->ctx, c->id[0], &t);
    if (!rc)
        render_team(&c->w, &t);
    return rc;
}

static enum kam_err teams_patch(struct api_call *c)
{
    struct team_in in = {0};
    enum kam_err rc = api_decode(c, team_spec, &in, &in.set);
    if (rc)
        return rc;
    struct team t;
    if ((rc = team_update(c->ctx, c->id[0], &in, &t)))
        return rc;
    render_team(&c->w, &t);
    return KAM_OK;
}

static const char *const users_query[] = {"q", "limit", "cursor", "sort", "role", "team_id", NULL};

const struct route api_routes_users[] = {
    {"GET", "/api/v1/users", users_list, OBJ_USER, ACT_READ, SCOPE_NONE, NULL, users_query, 200,
     "Users", "[User]"},
    {"POST", "/api/v1/users", users_create, OBJ_USER, ACT_CREATE, SCOPE_NONE, user_spec, NULL, 201,
     "Create a user", "User", ROUTE_OWN_TX},
    {"GET", "/api/v1/users/:id", users_get, OBJ_USER, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "One user", "User"},
    {"PATCH", "/api/v1/users/:id", users_patch, OBJ_USER, ACT_UPDATE, SCOPE_NONE, user_spec, NULL,
     200, "Change a user (role, team, disable, reset password)", "User", ROUTE_OWN_TX},
    {"GET", "/api/v1/teams", teams_list, OBJ_TEAM, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "All teams (the team tree)", "[Team]"},
    {"POST", "/api/v1/teams", teams_create, OBJ_TEAM, ACT_CREATE, SCOPE_NONE, team_spec, NULL, 201,
     "Create a team", "Team"},
    {"GET", "/api/v1/teams/:id", teams_get, OBJ_TEAM, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "One team", "Team"},
    {"PATCH", "/api/v1/teams/:id", teams_patch, OBJ_TEAM, ACT_UPDATE, SCOPE_NONE, team_spec, NULL,
     200, "Change a team (name, parent, manager)", "Team"},
    {0},
};
