/* fuzz_survey_answer.c -- libFuzzer target: the public survey routes (api/needs/survey_answers.c,
 * svc/needs/survey_answer.c) through the whole request path, over a temp SQLite file holding
 * one open survey of every question kind and one link.
 *
 * Input: the first byte picks the route ('g': POST /api/v1/public/survey, anything else: POST
 * /api/v1/public/survey/answer), the rest is the body; every "@T" in it becomes the link's real
 * token, so inputs reach the answer checks. Before each input the link is unanswered again and
 * the throttle is empty. Checks besides not crashing: the status is one the routes document (a
 * 500 is a bug), the body is a JSON object; a refused answer stores nothing; a stored one is one
 * response whose answers fit their questions (range by kind, options that exist, texts of 1..2000
 * characters, every required question answered). */
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
#include "base/utf8.h"
#include "http/req.h"
#include "store/db.h"
#include "svc/needs/survey_answer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

#define TOKEN "FuzzTokenFuzzTokenFuzz" /* 22 characters of base64url */

static char db_path[64];
static struct db *setup_db;

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
    fprintf(stderr, "fuzz_survey_answer: set-up failed: %s: %s\n", what, e->msg);
    abort();
}

static void exec(const char *sql)
{
    struct kam_error e = {0};
    if (db_exec(setup_db, sql, &e))
        die(sql, &e);
}

static int64_t one(const char *sql)
{
    struct kam_error e = {0};
    int64_t v = 0;
    if (db_query_i64(setup_db, sql, 0, 0, &v, &e))
        die(sql, &e);
    return v;
}

static void init(void)
{
    if (sodium_init() < 0)
        abort();
    setenv("KAM_SQLITE_SYNC", "off", 1);
    log_set_level(LOG_ERROR);
    snprintf(db_path, sizeof db_path, "/tmp/kam_fuzz_sa_XXXXXX");
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
    char hash[65], sql[1024];
    sa_token_hash(TOKEN, hash);
    exec("INSERT INTO users (id, login, role, password_hash, created_at, updated_at) VALUES (1, "
         "'fuzz.owner', 'account_manager', 'x', 0, 0)");
    exec("INSERT INTO accounts (id, code, name, owner_id, tier, status, created_at, updated_at) "
         "VALUES (1, 'F1', '模糊客户', 1, 'key', 'active', 0, 0)");
    exec("INSERT INTO contacts (id, account_id, name, decision_role, influence, attitude, "
         "created_at, updated_at) VALUES (1, 1, '张伟', 'user', 3, 0, 0, 0)");
    exec("INSERT INTO surveys (id, title_zh_cn, title_en, status, created_at, updated_at) VALUES "
         "(1, '满意度', 'Satisfaction', 'open', 0, 0)");
    exec(
        "INSERT INTO survey_questions (id, survey_id, position, kind, driver, text_zh_cn, "
        "required, overall, created_at) VALUES (1, 1, 1, 'nps', NULL, '推荐', 1, 1, 0), (2, 1, 2, "
        "'csat', NULL, '满意', 1, 0, 0), (3, 1, 3, 'rating', 'delivery', '交付', 0, 0, 0), (4, 1, "
        "4, 'single', NULL, '多久', 0, 0, 0), (5, 1, 5, 'multi', NULL, '服务', 0, 0, 0), (6, 1, 6, "
        "'text', NULL, '建议', 0, 0, 0)");
    exec("INSERT INTO survey_options (question_id, position, label_zh_cn) VALUES (4, 0, 'a'), (4, "
         "1, 'b'), (4, 2, 'c'), (5, 0, 'x'), (5, 1, 'y'), (5, 3, 'z')");
    snprintf(sql, sizeof sql,
             "INSERT INTO survey_links (id, survey_id, contact_id, account_id, token_hash, lang, "
             "channel, expires_at, sent_at, created_at) VALUES (1, 1, 1, 1, '%s', 'zh-TW', 'copy', "
             "%lld, 0, 0)",
             hash, (long long)(time_now() + 100LL * 365 * 86400));
    exec(sql);
    api_init(&(struct api_cfg){.dsn = dsn});
}

static const char *header(const struct http_req *r, const char *name)
{
    (void)r;
    return strcasecmp(name, "Content-Type") == 0 ? "application/json" : NULL;
}

static const char *cookie(const struct http_req *r, const char *name)
{
    (void)r;
    (void)name;
    return NULL;
}

static void fail(const char *why, const struct http_resp *resp)
{
    fprintf(stderr, "fuzz_survey_answer: %s: %d %.*s\n", why, resp->status,
            (int)(resp->body.len < 2000 ? resp->body.len : 2000),
            resp->body.data ? resp->body.data : "");
    abort();
}

/* Every stored answer fits its question. */
static void check_stored(const struct http_resp *resp)
{
    if (one("SELECT COUNT(*) FROM survey_responses") != 1)
        fail("201 without exactly one response", resp);
    if (one("SELECT COUNT(*) FROM survey_links WHERE answered_at IS NULL") != 0)
        fail("201 but the link is not answered", resp);
    static const char *const bad[] = {
        "SELECT COUNT(*) FROM survey_answers WHERE question_id = 1 AND (value < 0 OR value > 10 "
        "OR text IS NOT NULL)",
        "SELECT COUNT(*) FROM survey_answers WHERE question_id IN (2, 3) AND (value < 1 OR value "
        "> 5 OR text IS NOT NULL)",
        "SELECT COUNT(*) FROM survey_answers WHERE question_id = 4 AND (value NOT IN (0, 1, 2) OR "
        "text IS NOT NULL)",
        "SELECT COUNT(*) FROM survey_answers WHERE question_id = 5 AND (value <= 0 OR value > 11 "
        "OR value = 4 OR value = 6 OR value = 5 OR value = 7 OR text IS NOT NULL)",
        "SELECT COUNT(*) FROM survey_answers WHERE question_id = 6 AND (value IS NOT NULL OR text "
        "IS NULL OR text = '')",
        "SELECT COUNT(*) FROM survey_answers WHERE question_id NOT IN (1, 2, 3, 4, 5, 6)",
        "SELECT 2 - COUNT(*) FROM survey_answers WHERE question_id IN (1, 2)",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (one(bad[i]) != 0) {
            fprintf(stderr, "  %s\n", bad[i]);
            fail("a stored answer does not fit its question", resp);
        }
    struct kam_error e = {0};
    struct db_stmt *st;
    if (db_prepare(setup_db, "SELECT text FROM survey_answers WHERE text IS NOT NULL", &st, &e))
        die("texts", &e);
    int row = 0;
    while (!db_step(st, &row, &e) && row) {
        const char *t = db_col_text(st, 0);
        size_t n = strlen(t);
        if (!utf8_valid(t, n) || utf8_chars(t, n) > SA_TEXT_MAX)
            fail("a stored text is not 1..2000 characters of UTF-8", resp);
    }
    db_done(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        init();
        ready = 1;
    }
    exec("DELETE FROM follow_ups; DELETE FROM survey_responses; UPDATE survey_links SET "
         "answered_at = NULL; DELETE FROM survey_hits");
    if (size == 0)
        return 0;
    int get = data[0] == 'g';
    /* the body: "@T" -> the token, into a block of exactly its size (overreads are caught) */
    size_t n = size - 1, cap = n / 2 * (sizeof TOKEN - 3) + n + 1;
    char *body = malloc(cap);
    if (!body)
        abort();
    size_t len = 0;
    for (size_t i = 1; i < size; i++) {
        if (data[i] == '@' && i + 1 < size && data[i + 1] == 'T') {
            memcpy(body + len, TOKEN, sizeof TOKEN - 1);
            len += sizeof TOKEN - 1;
            i++;
        } else {
            body[len++] = (char)data[i];
        }
    }
    char *exact = malloc(len ? len : 1);
    if (!exact)
        abort();
    memcpy(exact, body, len);
    free(body);

    struct arena a;
    arena_init(&a);
    struct http_req req;
    memset(&req, 0, sizeof req);
    req.a = &a;
    req.header = header;
    req.cookie = cookie;
    req.remote_addr = "203.0.113.7";
    req.method = "POST";
    req.path = get ? "/api/v1/public/survey" : "/api/v1/public/survey/answer";
    if (len > HTTP_MAX_BODY)
        req.body_too_big = 1;
    else if (len > 0) {
        req.body = exact;
        req.body_len = len;
    }
    struct http_resp resp;
    memset(&resp, 0, sizeof resp);
    buf_init(&resp.body, HTTP_MAX_RESPONSE);
    api_dispatch(&req, &resp, NULL);
    if (getenv("FUZZ_VERBOSE")) /* one line per input, to see what a corpus exercises */
        fprintf(stderr, "%d %s %.*s\n", resp.status, req.path,
                (int)(resp.body.len < 200 ? resp.body.len : 200),
                resp.body.data ? resp.body.data : "");

    static const int ok[] = {200, 201, 400, 404, 409, 410, 413, 415, 429};
    int known = 0;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        known |= resp.status == ok[i];
    if (!known)
        fail("an undocumented status", &resp);
    json_error_t jerr;
    json_t *j = json_loadb(resp.body.data, resp.body.len, 0, &jerr);
    if (!j || !json_is_object(j))
        fail("the body is not a JSON object", &resp);
    json_decref(j);
    if (resp.status == 201) {
        if (get)
            fail("201 from the page", &resp);
        check_stored(&resp);
    } else if (one("SELECT COUNT(*) FROM survey_responses") != 0 ||
               one("SELECT COUNT(*) FROM survey_answers") != 0 ||
               one("SELECT COUNT(*) FROM survey_links WHERE answered_at IS NOT NULL") != 0) {
        fail("a refused request stored something", &resp);
    }
    buf_release(&resp.body);
    free(exact);
    arena_release(&a);
    return 0;
}
