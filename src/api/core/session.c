/* session.c -- POST/GET/DELETE /api/v1/session, /api/v1/me, /api/v1/tokens. */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "svc/core/user.h"

#define USER_FIELDS                                                                                \
    "id:int login:str name:str email:str role:str(admin|director|team_lead|account_manager|"       \
    "finance|service|hr|viewer|legal) team_id:int? disabled:bool digest:bool "                     \
    "lang:str(zh-CN|zh-TW|en)? created_at:ts updated_at:ts"
#define GRANTS "Grants"

const struct api_shape api_shapes_session[] = {
    {"User", USER_FIELDS},
    /* The caller: a user, their row of the permission table, their capabilities (me_write). */
    {"Me", USER_FIELDS " permissions:Permissions capabilities:Capabilities"},
    /* One object's row; keys as obj_name(), values as grant_name() (svc/core/policy.c). */
    {"Permissions",
     "account:" GRANTS " contact:" GRANTS " account_member:" GRANTS " audit:" GRANTS " user:" GRANTS
     " team:" GRANTS " interaction:" GRANTS " visit:" GRANTS " issue:" GRANTS " config:" GRANTS
     " care:" GRANTS " product:" GRANTS " sales:" GRANTS " import:" GRANTS " target:" GRANTS
     " target_approval:" GRANTS " target_proposal:" GRANTS " measure:" GRANTS " need:" GRANTS
     " need_status:" GRANTS " interview:" GRANTS " survey:" GRANTS " survey_link:" GRANTS
     " survey_response:" GRANTS " satisfaction:" GRANTS " follow_up:" GRANTS " pricing:" GRANTS
     " opportunity:" GRANTS " offer:" GRANTS " catalog:" GRANTS " discount:" GRANTS " risk:" GRANTS
     " gift:" GRANTS " credit:" GRANTS " receivable:" GRANTS " competitor:" GRANTS
     " competition:" GRANTS " alert:" GRANTS " contract:" GRANTS " breach:" GRANTS
     " dispute:" GRANTS " lesson:" GRANTS " accountability:" GRANTS " training:" GRANTS
     " competency:" GRANTS " assessment:" GRANTS " candidate:" GRANTS " course:" GRANTS
     " enrolment:" GRANTS " scheme:" GRANTS " scorecard:" GRANTS " commission:" GRANTS
     " payout:" GRANTS},
    {"Grants", "read:str(all|scope|none) create:str(all|scope|none) update:str(all|scope|none) "
               "delete:str(all|scope|none)"},
    {"Capabilities",
     "plan_visits_for_others:bool see_others_calendars:bool see_sla_stats:bool grant_admin:bool"},
    /* login: csrf_token and expires_at always; GET /session: null when authenticated by a
     * bearer token. */
    {"Session", "csrf_token:str? expires_at:ts? user:User"},
    /* token only in the answer that created it */
    {"Token", "id:int name:str token?:str created_at:ts revoked_at:ts?"},
    {NULL, NULL},
};

/* The members of a user object (USER_FIELDS). */
static void user_fields(struct jw *w, const struct user *u)
{
    jw_ki64(w, "id", u->id);
    jw_kstr(w, "login", u->login);
    jw_kstr(w, "name", u->name);
    jw_kstr(w, "email", u->email);
    jw_kstr(w, "role", u->role);
    jw_ki64n(w, "team_id", u->team_id, !u->has_team);
    jw_kbool(w, "disabled", u->disabled);
    jw_kbool(w, "digest", u->digest);
    jw_kstr(w, "lang", u->lang); /* null: not chosen (the digest is written in zh-CN) */
    jw_ktime(w, "created_at", u->created_at);
    jw_ktime(w, "updated_at", u->updated_at);
}

void render_user(struct jw *w, const struct user *u)
{
    jw_obj_begin(w);
    user_fields(w, u);
    jw_obj_end(w);
}

static int secure_cookie(struct api_call *c)
{
    const char *xfp = c->req->header(c->req, "X-Forwarded-Proto");
    return c->req->tls || (xfp && strcasecmp(xfp, "https") == 0);
}

struct login_in {
    const char *login, *password;
};

static const struct jfield login_spec[] = {
    {"login", J_STR, 1, offsetof(struct login_in, login), 0, 0, 0, "user login", 1},
    {"password", J_STR, 2, offsetof(struct login_in, password), 0, 0, 0, "password", 1},
    {0},
};

/* A throttled attempt (429) says when to try again. */
static void retry_after(struct api_call *c, int64_t seconds)
{
    http_resp_header(c->resp, "Retry-After",
                     arena_printf(c->ctx->a, "%lld", (long long)(seconds > 0 ? seconds : 1)));
}

static enum kam_err login(struct api_call *c)
{
    struct login_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, login_spec, &in, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail(c->ctx->err, KAM_EINVAL, "login", "login is required");
    if (!(set & 2))
        return kam_fail(c->ctx->err, KAM_EINVAL, "password", "password is required");
    struct session s;
    rc = auth_login(c->ctx, in.login, in.password, c->req->remote_addr, c->session_ttl, &s);
    if (rc == KAM_ELIMIT)
        retry_after(c, s.retry_after);
    if (rc)
        return rc;
    http_resp_header(c->resp, "Set-Cookie",
                     arena_printf(c->ctx->a,
                                  "kam_session=%s; Path=/; Max-Age=%lld; HttpOnly; "
                                  "SameSite=Strict%s",
                                  s.token, (long long)c->session_ttl,
                                  secure_cookie(c) ? "; Secure" : ""));
    jw_obj_begin(&c->w);
    jw_kstr(&c->w, "csrf_token", s.csrf);
    jw_ktime(&c->w, "expires_at", s.expires_at);
    jw_key(&c->w, "user");
    render_user(&c->w, &s.user);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err session_get(struct api_call *c)
{
    struct user u;
    enum kam_err rc = user_get(c->ctx, c->ctx->who.user_id, &u);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    jw_kstr(&c->w, "csrf_token", c->via_cookie ? c->csrf : NULL);
    if (c->via_cookie)
        jw_ktime(&c->w, "expires_at", c->session_expires);
    else
        jw_kstr(&c->w, "expires_at", NULL);
    jw_key(&c->w, "user");
    render_user(&c->w, &u);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err logout(struct api_call *c)
{
    if (c->via_cookie) {
        enum kam_err rc = auth_logout(c->ctx, c->session_token);
        if (rc)
            return rc;
        http_resp_header(c->resp, "Set-Cookie",
                         arena_printf(c->ctx->a,
                                      "kam_session=; Path=/; Max-Age=0; HttpOnly; "
                                      "SameSite=Strict%s",
                                      secure_cookie(c) ? "; Secure" : ""));
    }
    c->status = 204;
    return KAM_OK;
}

/* The caller as GET /api/v1/me shows them: the user, their row of the permission table (every
 * object but public and self) and their capabilities, from svc/core/policy.c. */
static void me_write(struct jw *w, const struct user *u, enum role role)
{
    jw_obj_begin(w);
    user_fields(w, u);
    jw_key(w, "permissions");
    jw_obj_begin(w);
    for (int o = OBJ_SELF + 1; o < OBJ_COUNT; o++) {
        jw_key(w, obj_name((enum obj)o));
        jw_obj_begin(w);
        for (int a = 0; a < ACT_COUNT; a++)
            jw_kstr(w, act_name((enum act)a),
                    grant_name(policy_grant(role, (enum obj)o, (enum act)a)));
        jw_obj_end(w);
    }
    jw_obj_end(w);
    jw_key(w, "capabilities");
    jw_obj_begin(w);
    for (int cap = 0; cap < CAP_COUNT; cap++)
        jw_kbool(w, capability_name((enum capability)cap),
                 policy_capable(role, (enum capability)cap));
    jw_obj_end(w);
    jw_obj_end(w);
}

static enum kam_err me(struct api_call *c)
{
    struct user u;
    enum kam_err rc = user_get(c->ctx, c->ctx->who.user_id, &u);
    if (!rc)
        me_write(&c->w, &u, role_parse(u.role));
    return rc;
}

#define MF(f) offsetof(struct user_in, v.f)

static const struct jfield me_spec[] = {
    {"name", J_STR, USR_NAME, MF(name), 0, 0, 0, "display name, <= 100"},
    {"email", J_STR, USR_EMAIL, MF(email), 0, 0, 0, "e-mail address or empty"},
    {"digest", J_BOOL, USR_DIGEST, MF(digest), 0, 0, 0, "a daily e-mail digest"},
    {"lang", J_STR, USR_LANG, MF(lang), 0, 0, 1,
     "zh-CN | zh-TW | en: the language of the e-mail digest (the web's language switch sets "
     "it); null: not chosen"},
    {0},
};

static enum kam_err me_patch(struct api_call *c)
{
    struct user_in in = {0};
    enum kam_err rc = api_decode(c, me_spec, &in, &in.set);
    if (rc)
        return rc;
    struct user u;
    if ((rc = user_update(c->ctx, c->ctx->who.user_id, &in, &u)))
        return rc;
    me_write(&c->w, &u, role_parse(u.role));
    return KAM_OK;
}

struct password_in {
    const char *old_password, *new_password;
};

static const struct jfield password_spec[] = {
    {"old_password", J_STR, 1, offsetof(struct password_in, old_password), 0, 0, 0,
     "current password", 1},
    {"new_password", J_STR, 2, offsetof(struct password_in, new_password), 0, 0, 0,
     "new password: 10-200 characters, not a commonly used one, not containing the login", 1},
    {0},
};

static enum kam_err change_password(struct api_call *c)
{
    struct password_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, password_spec, &in, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail(c->ctx->err, KAM_EINVAL, "old_password", "old_password is required");
    if (!(set & 2))
        return kam_fail(c->ctx->err, KAM_EINVAL, "new_password", "new_password is required");
    int64_t retry = 0;
    rc = auth_change_password_from(c->ctx, in.old_password, in.new_password,
                                   c->via_cookie ? c->session_token : NULL, c->req->remote_addr,
                                   &retry);
    if (rc == KAM_ELIMIT)
        retry_after(c, retry);
    if (!rc)
        c->status = 204;
    return rc;
}

static void render_token(struct jw *w, const struct api_token *t)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", t->id);
    jw_kstr(w, "name", t->name);
    if (t->token)
        jw_kstr(w, "token", t->token);
    jw_ktime(w, "created_at", t->created_at);
    jw_ktime(w, "revoked_at", t->revoked ? t->revoked_at : -1);
    jw_obj_end(w);
}

static enum kam_err tokens_list(struct api_call *c)
{
    struct api_token *items;
    size_t n;
    enum kam_err rc = token_list(c->ctx, &items, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_token(&c->w, &items[i]);
    api_list_end(c, NULL);
    return KAM_OK;
}

struct token_in {
    const char *name;
};

static const struct jfield token_spec[] = {
    {"name", J_STR, 1, offsetof(struct token_in, name), 0, 0, 0, "what the token is for", 1},
    {0},
};

static enum kam_err tokens_create(struct api_call *c)
{
    struct token_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, token_spec, &in, &set);
    if (rc)
        return rc;
    if (!set)
        return kam_fail(c->ctx->err, KAM_EINVAL, "name", "name is required");
    struct api_token t;
    if ((rc = token_create(c->ctx, in.name, &t)))
        return rc;
    c->status = 201;
    render_token(&c->w, &t);
    return KAM_OK;
}

static enum kam_err tokens_revoke(struct api_call *c)
{
    enum kam_err rc = token_revoke(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

const struct route api_routes_session[] = {
    {"POST", "/api/v1/session", login, OBJ_PUBLIC, ACT_CREATE, SCOPE_NONE, login_spec, NULL, 200,
     "Log in: sets the session cookie, returns the CSRF token", "Session", ROUTE_OWN_TX},
    {"GET", "/api/v1/session", session_get, OBJ_SELF, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "The current session: user and CSRF token", "Session"},
    {"DELETE", "/api/v1/session", logout, OBJ_SELF, ACT_DELETE, SCOPE_NONE, NULL, NULL, 204,
     "Log out", "-"},
    {"GET", "/api/v1/me", me, OBJ_SELF, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "The logged-in user, their permissions and capabilities", "Me"},
    {"PATCH", "/api/v1/me", me_patch, OBJ_SELF, ACT_UPDATE, SCOPE_NONE, me_spec, NULL, 200,
     "Change one's own name, e-mail, digest choice and language", "Me"},
    {"POST", "/api/v1/me/password", change_password, OBJ_SELF, ACT_UPDATE, SCOPE_NONE,
     password_spec, NULL, 204, "Change one's own password", "-", ROUTE_OWN_TX},
    {"GET", "/api/v1/tokens", tokens_list, OBJ_SELF, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "One's own API tokens", "[Token]"},
    {"POST", "/api/v1/tokens", tokens_create, OBJ_SELF, ACT_CREATE, SCOPE_NONE, token_spec, NULL,
     201, "Create an API token (the secret is shown once)", "Token"},
    {"DELETE", "/api/v1/tokens/:id", tokens_revoke, OBJ_SELF, ACT_DELETE, SCOPE_NONE, NULL, NULL,
     204, "Revoke one of one's API tokens", "-"},
    {0},
};
