/* fuzz_json.c -- libFuzzer target: the whole API request path, over a temp SQLite file. */
/* Routing, authentication, policy, body and query decoding, services, the JSON written back.
 *
 * Input: the first line is "METHOD PATH[?QUERY] [WHO...]", the rest is the body. WHO words pick
 * the credentials (default: an admin's API token): "am" (an account manager's token), "viewer",
 * "none" (no Authorization), "bad" (an unknown token), "basic" (not a Bearer header), "text"
 * (Content-Type text/plain). The response must carry an expected status (a 500 is a bug),
 * valid JSON when it has a body, and agree with a few facts of the policy (check_policy). */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/core/api.h"
#include "base/arena.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "http/req.h"
#include "store/db.h"
#include "svc/core/auth.h"
#include "svc/core/user.h"
#include "svc/relationships/account.h"
#include "svc/relationships/contact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* UBSan findings are bugs too: stop at the first one (libFuzzer builds do not pass
 * -fno-sanitize-recover), so the fuzzer saves the input. Unused without UBSan. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

#define FUZZ_PASSWORD "fuzz-password-1"

enum who { WHO_ADMIN, WHO_AM, WHO_VIEWER, WHO_N, WHO_NOBODY = WHO_N };

static char db_path[64];
static struct db *setup_db; /* the harness's own connection, for set-up and repairs */
static char bearer[WHO_N][128];
static int64_t user_ids[WHO_N], token_ids[WHO_N];
static char repair_sql[512];
static int verbose;

static void cleanup(void)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    api_shutdown();
    db_close(setup_db);
    setup_db = NULL;
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        char p[80];
        snprintf(p, sizeof p, "%s%s", db_path, suffix[i]);
        unlink(p);
    }
}

static void die(const char *what, const struct kam_error *e)
{
    fprintf(stderr, "fuzz_json: set-up failed: %s: %s (field %s)\n", what, e->msg, e->field);
    abort();
}

static int64_t mk_user(struct kam_ctx *ctx, const char *login, const char *role, int64_t team)
{
    struct user_in in = {0};
    in.v.login = login;
    in.v.name = login;
    in.v.role = role;
    in.v.has_team = team != 0;
    in.v.team_id = team;
    in.password = FUZZ_PASSWORD;
    in.set = USR_LOGIN | USR_NAME | USR_ROLE | USR_PASSWORD | (team ? USR_TEAM : 0u);
    struct user u;
    kam_error_clear(ctx->err);
    if (user_create(ctx, &in, &u))
        die(login, ctx->err);
    return u.id;
}

static int64_t mk_account(struct kam_ctx *ctx, const char *code, const char *name,
                          const char *alias, int64_t owner, int64_t parent)
{
    struct account_in in = {0};
    in.v.code = code;
    in.v.name = name;
    in.v.alias = alias;
    in.v.owner_id = owner;
    in.v.has_parent = parent != 0;
    in.v.parent_id = parent;
    in.v.has_revenue = 1;
    in.v.revenue_amount = 123456789;
    in.v.revenue_currency = "CNY";
    in.v.tier = "key";
    in.set = ACC_CODE | ACC_NAME | ACC_ALIAS | ACC_OWNER | ACC_REVENUE | ACC_TIER |
             (parent ? ACC_PARENT : 0u);
    struct account a;
    kam_error_clear(ctx->err);
    if (account_create(ctx, &in, &a))
        die(code, ctx->err);
    return a.id;
}

static int64_t mk_contact(struct kam_ctx *ctx, int64_t account, const char *name,
                          int64_t reports_to)
{
    struct contact_in in = {0};
    in.v.name = name;
    in.v.email = "someone@example.cn";
    in.v.birthday = "1975-04-12";
    in.v.has_reports_to = reports_to != 0;
    in.v.reports_to_id = reports_to;
    in.set = CON_NAME | CON_EMAIL | CON_BIRTHDAY | (reports_to ? CON_REPORTS_TO : 0u);
    struct contact c;
    kam_error_clear(ctx->err);
    if (contact_create(ctx, account, &in, &c))
        die(name, ctx->err);
    return c.id;
}

static void mk_token(struct kam_ctx *ctx, enum who w, const char *login)
{
    ctx->who = (struct principal){user_ids[w], ROLE_ADMIN, login};
    struct api_token t;
    kam_error_clear(ctx->err);
    if (token_create(ctx, "fuzz", &t))
        die("token", ctx->err);
    token_ids[w] = t.id;
    snprintf(bearer[w], sizeof bearer[w], "Bearer %s", t.token);
}

static void init(void)
{
    if (sodium_init() < 0)
        abort();
    setenv("KAM_SQLITE_SYNC", "off", 1); /* fsync per commit would dominate every input */
    log_set_level(LOG_ERROR);
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    snprintf(db_path, sizeof db_path, "/tmp/kam_fuzz_json_XXXXXX");
    int fd = mkstemp(db_path);
    if (fd < 0) {
        perror("mkstemp");
        abort();
    }
    close(fd);
    atexit(cleanup);
    char dsn[96];
    snprintf(dsn, sizeof dsn, "sqlite:%s", db_path);
    struct kam_error e = {0};
    if (db_open(dsn, &setup_db, &e))
        die("db_open", &e);

    /* Every password hash is this cheap one, so user creation and logins cost microseconds. */
    static char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(hash, FUZZ_PASSWORD, strlen(FUZZ_PASSWORD),
                              crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        abort();
    user_set_hash_override(hash);

    struct arena a;
    arena_init(&a);
    struct kam_ctx ctx = {
        .db = setup_db, .a = &a, .err = &e, .who = {0, ROLE_ADMIN, "system"}, .now = time_now()};
    user_ids[WHO_ADMIN] = mk_user(&ctx, "fuzz.admin", "admin", 0);
    struct team_in ti = {0};
    ti.v.name = "Fuzz East";
    ti.v.has_manager = 1;
    ti.v.manager_id = user_ids[WHO_ADMIN];
    ti.set = TEAM_NAME | TEAM_MANAGER;
    struct team t;
    kam_error_clear(&e);
    if (team_create(&ctx, &ti, &t))
        die("team", &e);
    user_ids[WHO_AM] = mk_user(&ctx, "fuzz.am", "account_manager", t.id);
    user_ids[WHO_VIEWER] = mk_user(&ctx, "fuzz.viewer", "viewer", 0);
    int64_t a1 =
        mk_account(&ctx, "HW001", "华为技术有限公司", "Huawei Technologies", user_ids[WHO_AM], 0);
    int64_t a2 = mk_account(&ctx, "HW002", "华为终端", "Huawei Device", user_ids[WHO_AM], a1);
    mk_account(&ctx, "ZTE01", "中兴通讯", "ZTE", user_ids[WHO_ADMIN], 0);
    int64_t c1 = mk_contact(&ctx, a1, "张伟", 0);
    mk_contact(&ctx, a1, "王芳", c1);
    mk_contact(&ctx, a2, "李强", 0);
    struct account_member m;
    kam_error_clear(&e);
    if (account_member_add(&ctx, a1, user_ids[WHO_VIEWER], "service", &m))
        die("member", &e);
    mk_token(&ctx, WHO_ADMIN, "fuzz.admin");
    mk_token(&ctx, WHO_AM, "fuzz.am");
    mk_token(&ctx, WHO_VIEWER, "fuzz.viewer");
    arena_release(&a);

    /* Inputs may revoke the tokens, demote or disable the users, or trip the login limits;
     * this puts them back before each input so every input starts from the same footing. */
    snprintf(repair_sql, sizeof repair_sql,
             "UPDATE api_tokens SET revoked_at = NULL WHERE revoked_at IS NOT NULL AND id IN "
             "(%lld, %lld, %lld); UPDATE users SET disabled = 0, role = CASE id WHEN %lld THEN "
             "'admin' WHEN %lld THEN 'account_manager' ELSE 'viewer' END WHERE id IN (%lld, "
             "%lld, %lld); DELETE FROM login_failures;",
             (long long)token_ids[0], (long long)token_ids[1], (long long)token_ids[2],
             (long long)user_ids[0], (long long)user_ids[1], (long long)user_ids[0],
             (long long)user_ids[1], (long long)user_ids[2]);
    api_init(&(struct api_cfg){.dsn = dsn});
}

/* ---- the request ---- */

struct fuzz_conn {
    const char *authorization; /* NULL: none */
    const char *content_type;
};

static const char *header(const struct http_req *r, const char *name)
{
    const struct fuzz_conn *fc = r->conn;
    if (strcasecmp(name, "Content-Type") == 0)
        return fc->content_type;
    if (strcasecmp(name, "Authorization") == 0)
        return fc->authorization;
    return NULL;
}

static const char *cookie(const struct http_req *r, const char *name)
{
    (void)r;
    (void)name;
    return NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into the arena ('+' is a space when plus_space); a decoded NUL ends
 * the string, as it would for the C strings the server hands over. */
static char *pct_decode(struct arena *a, const char *s, size_t n, int plus_space)
{
    char *out = arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            *o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (plus_space && s[i] == '+') {
            *o++ = ' ';
        } else {
            *o++ = s[i];
        }
    }
    *o = 0;
    return out;
}

static void parse_query(struct http_req *r, const char *q, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && q[j] != '&')
            j++;
        if (j > i) {
            if (r->nquery >= HTTP_MAX_QUERY_PARAMS) {
                r->query_overflow = 1;
                return;
            }
            const char *eq = memchr(q + i, '=', j - i);
            size_t klen = eq ? (size_t)(eq - (q + i)) : j - i;
            r->query[r->nquery].key = pct_decode(r->a, q + i, klen, 1);
            r->query[r->nquery].value =
                eq ? pct_decode(r->a, eq + 1, (size_t)(q + j - eq - 1), 1) : "";
            r->nquery++;
        }
        i = j + 1;
    }
}

static int status_expected(int s)
{
    static const int ok[] = {200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 415, 429};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (s == ok[i])
            return 1;
    return 0;
}

static void fail(const char *why, const struct http_req *r, const struct http_resp *resp)
{
    fprintf(stderr, "fuzz_json: %s: %s %s -> %d %.*s\n", why, r->method, r->path, resp->status,
            (int)(resp->body.len < 2000 ? resp->body.len : 2000),
            resp->body.data ? resp->body.data : "");
    abort();
}

static void check_response(const struct http_req *r, const struct http_resp *resp)
{
    if (!status_expected(resp->status))
        fail("unexpected status", r, resp);
    if (resp->static_body) {
        if (resp->status != 200 || resp->body.len)
            fail("static file with a status or a body", r, resp);
        return;
    }
    if (resp->status == 204) {
        if (resp->body.len)
            fail("204 with a body", r, resp);
        return;
    }
    if (!resp->body.len || !resp->body.data)
        fail("empty body", r, resp);
    if (strlen(resp->body.data) != resp->body.len)
        fail("NUL byte in the body", r, resp);
    json_error_t jerr;
    json_t *root = json_loadb(resp->body.data, resp->body.len, JSON_ALLOW_NUL, &jerr);
    if (!root) {
        fprintf(stderr, "fuzz_json: jansson: %s at %d:%d\n", jerr.text, jerr.line, jerr.column);
        fail("response is not valid JSON", r, resp);
    }
    int shape_ok = json_is_object(root);
    if (shape_ok && resp->status >= 400) {
        json_t *err = json_object_get(root, "error");
        shape_ok = json_is_object(err) && json_is_string(json_object_get(err, "code")) &&
                   json_is_string(json_object_get(err, "message")) &&
                   json_is_string(json_object_get(err, "field"));
    }
    json_decref(root);
    if (!shape_ok)
        fail("unexpected JSON shape", r, resp);
}

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "/api/v1/accounts/123" and nothing more */
static int is_account_path(const char *p)
{
    if (!has_prefix(p, "/api/v1/accounts/") || !p[17])
        return 0;
    for (p += 17; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

/* A few facts of the policy table that must hold whatever the input: the fuzzer is a second
 * pair of eyes on the dispatcher's permission check. */
static void check_policy(const struct http_req *r, const struct http_resp *resp, enum who w)
{
    if (resp->status >= 300 || w == WHO_ADMIN || resp->static_body)
        return;
    const char *p = r->path, *m = r->method;
    int unsafe = strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0;
    if (w == WHO_NOBODY && strcmp(p, "/healthz") != 0 && strcmp(p, "/api/v1/openapi.json") != 0 &&
        strcmp(p, "/api/v1/session") != 0)
        fail("success without credentials", r, resp);
    if (!unsafe)
        return;
    int own = has_prefix(p, "/api/v1/tokens") || strcmp(p, "/api/v1/session") == 0 ||
              strcmp(p, "/api/v1/me/password") == 0;
    if (w == WHO_VIEWER && !own)
        fail("a viewer changed something", r, resp);
    if (w == WHO_AM && (has_prefix(p, "/api/v1/users") || has_prefix(p, "/api/v1/teams")))
        fail("an account manager changed users or teams", r, resp);
    if (w == WHO_AM && strcmp(m, "DELETE") == 0 && is_account_path(p))
        fail("an account manager deleted an account", r, resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        init();
        ready = 1;
    }
    struct kam_error e = {0};
    if (db_exec(setup_db, repair_sql, &e))
        die("repair", &e);

    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t line_len = nl ? (size_t)(nl - in) : size;
    size_t body_off = nl ? line_len + 1 : size;

    struct arena a;
    arena_init(&a);
    struct http_req req;
    memset(&req, 0, sizeof req);
    req.a = &a;
    struct fuzz_conn fc = {bearer[WHO_ADMIN], "application/json"};
    req.conn = &fc;
    req.header = header;
    req.cookie = cookie;
    req.remote_addr = "127.0.0.1";

    /* METHOD SP TARGET [SP WHO]... */
    char *line = arena_strndup(&a, in, line_len);
    char *save = NULL;
    char *method = strtok_r(line, " ", &save);
    char *target = method ? strtok_r(NULL, " ", &save) : NULL;
    enum who who = WHO_ADMIN;
    for (char *w; (w = strtok_r(NULL, " ", &save));) {
        if (strcmp(w, "am") == 0) {
            fc.authorization = bearer[WHO_AM];
            who = WHO_AM;
        } else if (strcmp(w, "viewer") == 0) {
            fc.authorization = bearer[WHO_VIEWER];
            who = WHO_VIEWER;
        } else if (strcmp(w, "none") == 0) {
            fc.authorization = NULL;
            who = WHO_NOBODY;
        } else if (strcmp(w, "bad") == 0) {
            fc.authorization = "Bearer kam_not-a-real-token";
            who = WHO_NOBODY;
        } else if (strcmp(w, "basic") == 0) {
            fc.authorization = "Basic Zm9vOmJhcg";
            who = WHO_NOBODY;
        } else if (strcmp(w, "text") == 0) {
            fc.content_type = "text/plain";
        }
    }
    req.method = method ? method : "";
    if (!target)
        target = "";
    char *qm = strchr(target, '?');
    size_t path_len = qm ? (size_t)(qm - target) : strlen(target);
    req.path = pct_decode(&a, target, path_len, 0);
    if (qm)
        parse_query(&req, qm + 1, strlen(qm + 1));

    /* The body gets a block of its own, exactly its size, so overreads are caught. */
    char *body = NULL;
    size_t body_len = size - body_off;
    if (body_len > HTTP_MAX_BODY) {
        req.body_too_big = 1;
    } else if (body_len > 0) {
        body = malloc(body_len);
        if (!body)
            abort();
        memcpy(body, in + body_off, body_len);
        req.body = body;
        req.body_len = body_len;
    }

    struct http_resp resp;
    memset(&resp, 0, sizeof resp);
    buf_init(&resp.body, HTTP_MAX_RESPONSE);
    api_dispatch(&req, &resp, NULL);
    if (verbose) /* FUZZ_VERBOSE=1: one line per input, to see what a corpus exercises */
        fprintf(stderr, "%d %s %s %.*s\n", resp.status, req.method, req.path,
                (int)(resp.body.len < 300 ? resp.body.len : 300),
                resp.body.data ? resp.body.data : "");
    check_response(&req, &resp);
    check_policy(&req, &resp, who);
    for (int i = 0; i < resp.nheaders; i++)
        if (!resp.headers[i].name || !resp.headers[i].value)
            fail("header without a name or value", &req, &resp);

    buf_release(&resp.body);
    free(body);
    arena_release(&a);
    return 0;
}
