/* test_api.c -- unit tests of api_dispatch(): the record scope of audit history. */
/* Where the dispatcher and the services combine; one temp SQLite file per run. */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/core/api.h"
#include "base/arena.h"
#include "base/timeutil.h"
#include "http/req.h"
#include "store/db.h"
#include "svc/core/auth.h"
#include "svc/core/user.h"
#include "svc/relationships/account.h"
#include "test.h"

static struct {
    int ready, ok;
    char path[64];
    char bearer_viewer[128];
    int64_t viewer, owner, helper, visible, secret;
} g;

static void api_cleanup(void)
{
    api_shutdown();
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[80];
        snprintf(p, sizeof p, "%s%s", g.path, suffix[i]);
        unlink(p);
    }
}

static int64_t user(struct kam_ctx *ctx, const char *login, const char *role)
{
    struct user_in in = {0};
    in.v.login = login;
    in.v.role = role;
    in.password = "api-test-password";
    in.set = USR_LOGIN | USR_ROLE | USR_PASSWORD;
    struct user u = {0};
    kam_error_clear(ctx->err);
    enum kam_err rc = user_create(ctx, &in, &u);
    CHECK_EQ_INT(rc, KAM_OK);
    return u.id;
}

static int64_t account(struct kam_ctx *ctx, const char *code, int64_t owner)
{
    struct account_in in = {0};
    in.v.code = code;
    in.v.name = code;
    in.v.owner_id = owner;
    in.set = ACC_CODE | ACC_NAME | ACC_OWNER;
    struct account a = {0};
    kam_error_clear(ctx->err);
    enum kam_err rc = account_create(ctx, &in, &a);
    CHECK_EQ_INT(rc, KAM_OK);
    return a.id;
}

static void member(struct kam_ctx *ctx, int64_t acc, int64_t uid)
{
    struct account_member m;
    kam_error_clear(ctx->err);
    CHECK_EQ_INT(account_member_add(ctx, acc, uid, "technical", &m), KAM_OK);
}

/* viewer: member of account "visible" only. helper: first put on the team of account
 * "secret" (owned by someone else), later on the team of "visible". */
static int setup(void)
{
    if (g.ready)
        return g.ok;
    g.ready = 1;
    int failed_before = test_failed_checks;
    snprintf(g.path, sizeof g.path, "/tmp/kam_unit_api_XXXXXX");
    int fd = mkstemp(g.path);
    if (fd < 0)
        return 0;
    close(fd);
    atexit(api_cleanup);
    char dsn[96];
    snprintf(dsn, sizeof dsn, "sqlite:%s", g.path);
    struct kam_error e = {0};
    struct db *db;
    if (db_open(dsn, &db, &e)) {
        fprintf(stderr, "  db_open: %s\n", e.msg);
        return 0;
    }
    static char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(hash, "api-test-password", 17, crypto_pwhash_OPSLIMIT_MIN,
                              crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return 0;
    user_set_hash_override(hash);
    struct arena a;
    arena_init(&a);
    struct kam_ctx ctx = {
        .db = db, .a = &a, .err = &e, .who = {0, ROLE_ADMIN, "system"}, .now = time_now()};
    g.viewer = user(&ctx, "api.viewer", "viewer");
    g.owner = user(&ctx, "api.owner", "account_manager");
    g.helper = user(&ctx, "api.helper", "service");
    g.visible = account(&ctx, "VISIBLE", g.owner);
    g.secret = account(&ctx, "SECRET", g.owner);
    member(&ctx, g.visible, g.viewer);
    member(&ctx, g.secret, g.helper);
    member(&ctx, g.visible, g.helper);
    ctx.who = (struct principal){g.viewer, ROLE_VIEWER, "api.viewer"};
    struct api_token t;
    kam_error_clear(&e);
    int ok = token_create(&ctx, "t", &t) == KAM_OK;
    if (ok)
        snprintf(g.bearer_viewer, sizeof g.bearer_viewer, "Bearer %s", t.token);
    user_set_hash_override(NULL);
    arena_release(&a);
    db_close(db);
    api_init(&(struct api_cfg){.dsn = dsn});
    g.ok = ok && test_failed_checks == failed_before;
    return g.ok;
}

static const char *hdr(const struct http_req *r, const char *name)
{
    if (strcasecmp(name, "Authorization") == 0)
        return r->conn;
    return NULL;
}

static const char *no_cookie(const struct http_req *r, const char *name)
{
    (void)r;
    (void)name;
    return NULL;
}

/* GET path?k=v... as the viewer; returns the status and the parsed body (caller decrefs). */
static int get(const char *path, const struct http_param *q, int nq, json_t **body)
{
    struct arena a;
    arena_init(&a);
    struct http_req req;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = path;
    for (int i = 0; i < nq; i++)
        req.query[i] = q[i];
    req.nquery = nq;
    req.header = hdr;
    req.cookie = no_cookie;
    req.conn = g.bearer_viewer;
    req.remote_addr = "127.0.0.1";
    req.a = &a;
    struct http_resp resp;
    memset(&resp, 0, sizeof resp);
    buf_init(&resp.body, HTTP_MAX_RESPONSE);
    api_dispatch(&req, &resp, NULL);
    json_error_t jerr;
    *body = resp.body.len ? json_loadb(resp.body.data, resp.body.len, 0, &jerr) : NULL;
    buf_release(&resp.body);
    arena_release(&a);
    return resp.status;
}

TEST(api_viewer_reads_member_history_of_account_in_scope)
{
    if (!setup()) {
        CHECK(!"set-up failed");
        return;
    }
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)g.visible);
    struct http_param q[] = {{"entity", "account"}, {"id", id}};
    json_t *body = NULL;
    CHECK_EQ_INT(get("/api/v1/audit", q, 2, &body), 200);
    json_t *items = json_object_get(body, "items");
    CHECK(json_is_array(items));
    /* created, viewer added, helper added */
    CHECK_EQ_INT(json_array_size(items), 3);
    json_decref(body);
}

/* docs/API.md: audit rows share the scope of their account. The history of an account_member
 * (entity_id = the user) must not show that user's memberships of accounts out of scope. */
TEST(api_member_history_does_not_leak_rows_of_accounts_out_of_scope)
{
    if (!setup()) {
        CHECK(!"set-up failed");
        return;
    }
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)g.helper);
    struct http_param q[] = {{"entity", "account_member"}, {"id", id}};
    json_t *body = NULL;
    int status = get("/api/v1/audit", q, 2, &body);
    /* Member history is asked for through the account (400 here); never leaked. */
    CHECK_EQ_INT(status, 400);
    json_t *items = json_object_get(body, "items");
    size_t leaked = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *acc = json_object_get(json_array_get(items, i), "account_id");
        if (json_is_integer(acc) && json_integer_value(acc) == g.secret)
            leaked++;
    }
    CHECK_EQ_INT(leaked, 0);
    json_decref(body);
}

TEST(api_viewer_cannot_read_history_of_account_out_of_scope)
{
    if (!setup()) {
        CHECK(!"set-up failed");
        return;
    }
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)g.secret);
    struct http_param q[] = {{"entity", "account"}, {"id", id}};
    json_t *body = NULL;
    CHECK_EQ_INT(get("/api/v1/audit", q, 2, &body), 404);
    json_decref(body);
}
