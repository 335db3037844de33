/* test_store_err.c -- storage errors cannot be lost: a failed bind is the statement's first
 * error, returned by the next step, and nothing runs with a value missing; db_writes counts
 * what outlives a rollback (the rule behind the KAM_EBUSY retry in api/core/dispatch.c). On
 * SQLite always; on PostgreSQL too when KAM_TEST_PG_DSN is set (scripts/pg-tmp.sh sets it). */
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "api/core/api.h"
#include "base/arena.h"
#include "base/timeutil.h"
#include "http/req.h"
#include "store/db.h"
#include "svc/core/auth.h"
#include "svc/core/user.h"
#include "test.h"

static int64_t count_rows(struct db *db)
{
    int64_t n = -1;
    struct kam_error e = {0};
    CHECK_EQ_INT(db_query_i64(db, "SELECT COUNT(*) FROM kam_bind_t", 0, 0, &n, &e), KAM_OK);
    return n;
}

/* The bind behaviour on one open connection (a scratch table, dropped again). */
static void bind_errors_on(struct db *db)
{
    struct kam_error e = {0};
    CHECK_EQ_INT(db_exec(db, "DROP TABLE IF EXISTS kam_bind_t", &e), KAM_OK);
    CHECK_EQ_INT(db_exec(db, "CREATE TABLE kam_bind_t (a INTEGER, b TEXT)", &e), KAM_OK);
    const char *ins = "INSERT INTO kam_bind_t (a, b) VALUES (?, ?)";

    /* A wrong index: the step fails, nothing is written. */
    struct db_stmt *st;
    CHECK_EQ_INT(db_prepare(db, ins, &st, &e), KAM_OK);
    db_bind_i64(st, 1, 7);
    db_bind_text(st, 3, "x"); /* there is no third parameter */
    db_bind_i64(st, 0, 1);    /* a second bad bind: the first error is kept */
    int row = 1;
    CHECK_EQ_INT(db_step(st, &row, &e), KAM_EDB);
    CHECK_EQ_INT(row, 0);
    CHECK(strstr(e.msg, "parameter 3") != NULL);
    /* Stepping again does not run it either: the error stays until db_done. */
    struct kam_error e2 = {0};
    CHECK_EQ_INT(db_step(st, &row, &e2), KAM_EDB);
    db_done(st);
    CHECK_EQ_INT(count_rows(db), 0);

    /* db_done forgot the error: the cached statement works again. */
    kam_error_clear(&e);
    CHECK_EQ_INT(db_prepare(db, ins, &st, &e), KAM_OK);
    db_bind_i64(st, 1, 8);
    db_bind_text(st, 2, "ok");
    CHECK_EQ_INT(db_run(st, &e), KAM_OK);
    CHECK_EQ_INT(count_rows(db), 1);

    /* db_run and every bind kind report it; inside a transaction it rolls back what came
     * before. */
    CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
    CHECK_EQ_INT(db_prepare(db, ins, &st, &e), KAM_OK);
    db_bind_i64(st, 1, 9);
    db_bind_text(st, 2, "in tx");
    CHECK_EQ_INT(db_run(st, &e), KAM_OK);
    for (int k = 0; k < 5; k++) {
        struct kam_error ek = {0};
        CHECK_EQ_INT(db_prepare(db, ins, &st, &ek), KAM_OK);
        db_bind_i64(st, 1, 10);
        if (k == 0)
            db_bind_double(st, 5, 1.5);
        else if (k == 1)
            db_bind_null(st, 5);
        else if (k == 2)
            db_bind_textn(st, 5, "abc", 3);
        else if (k == 3)
            db_bind_text_ref(st, 5, "abc");
        else
            db_bind_i64n(st, 5, 1, 0);
        db_bind_text(st, 2, "never");
        CHECK_EQ_INT(db_run(st, &ek), KAM_EDB);
        CHECK(strstr(ek.msg, "parameter 5") != NULL);
    }
    CHECK_EQ_INT(db_end(db, KAM_EDB, &e), KAM_EDB);
    CHECK_EQ_INT(count_rows(db), 1);
    kam_error_clear(&e);
    CHECK_EQ_INT(db_exec(db, "DROP TABLE kam_bind_t", &e), KAM_OK);
}

TEST(bind_error_is_returned_by_step_and_writes_nothing_sqlite)
{
    struct db *db = NULL;
    struct kam_error e = {0};
    CHECK_EQ_INT(db_open_raw("sqlite::memory:", &db, &e), KAM_OK);
    if (db)
        bind_errors_on(db);
    db_close(db);
}

TEST(bind_error_is_returned_by_step_and_writes_nothing_postgres)
{
    const char *dsn = getenv("KAM_TEST_PG_DSN");
    if (!dsn || !*dsn) {
        fprintf(stderr, "  (skipped: KAM_TEST_PG_DSN not set)\n");
        return;
    }
    struct db *db = NULL;
    struct kam_error e = {0};
    CHECK_EQ_INT(db_open_raw(dsn, &db, &e), KAM_OK);
    if (db)
        bind_errors_on(db);
    db_close(db);
}

/* What counts as durable: a commit, a write outside a transaction; not a SELECT, not a
 * rollback, not an inner savepoint. */
static void writes_on(struct db *db)
{
    struct kam_error e = {0};
    CHECK_EQ_INT(db_exec(db, "DROP TABLE IF EXISTS kam_bind_t", &e), KAM_OK);
    CHECK_EQ_INT(db_exec(db, "CREATE TABLE kam_bind_t (a INTEGER, b TEXT)", &e), KAM_OK);
    uint64_t w = db_writes(db);
    int64_t n = 0;
    CHECK_EQ_INT(db_query_i64(db, "SELECT COUNT(*) FROM kam_bind_t", 0, 0, &n, &e), KAM_OK);
    CHECK_EQ_INT(db_writes(db), w); /* a read */
    CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
    CHECK_EQ_INT(db_exec_i64(db, "INSERT INTO kam_bind_t (a) VALUES (?)", 1, &e), KAM_OK);
    CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
    CHECK_EQ_INT(db_exec_i64(db, "INSERT INTO kam_bind_t (a) VALUES (?)", 2, &e), KAM_OK);
    CHECK_EQ_INT(db_end(db, KAM_OK, &e), KAM_OK); /* a savepoint released */
    CHECK_EQ_INT(db_writes(db), w);
    CHECK_EQ_INT(db_end(db, KAM_EBUSY, &e), KAM_EBUSY); /* rolled back: nothing durable */
    CHECK_EQ_INT(db_writes(db), w);
    CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
    CHECK_EQ_INT(db_exec_i64(db, "INSERT INTO kam_bind_t (a) VALUES (?)", 3, &e), KAM_OK);
    CHECK_EQ_INT(db_end(db, KAM_OK, &e), KAM_OK); /* committed */
    CHECK_EQ_INT(db_writes(db), w + 1);
    CHECK_EQ_INT(db_exec_i64(db, "INSERT INTO kam_bind_t (a) VALUES (?)", 4, &e), KAM_OK);
    CHECK_EQ_INT(db_writes(db), w + 2); /* autocommit */
    CHECK_EQ_INT(db_exec(db, "DROP TABLE kam_bind_t", &e), KAM_OK);
}

TEST(db_writes_counts_only_what_outlives_a_rollback_sqlite)
{
    struct db *db = NULL;
    struct kam_error e = {0};
    CHECK_EQ_INT(db_open_raw("sqlite::memory:", &db, &e), KAM_OK);
    if (db)
        writes_on(db);
    db_close(db);
}

TEST(db_writes_counts_only_what_outlives_a_rollback_postgres)
{
    const char *dsn = getenv("KAM_TEST_PG_DSN");
    if (!dsn || !*dsn)
        return;
    struct db *db = NULL;
    struct kam_error e = {0};
    CHECK_EQ_INT(db_open_raw(dsn, &db, &e), KAM_OK);
    if (db)
        writes_on(db);
    db_close(db);
}

/* ---- the KAM_EBUSY retry of api/core/dispatch.c, end to end on a SQLite file ---- */

struct busy_call {
    const char *bearer, *body;
    int status;
};

static const char *busy_hdr(const struct http_req *r, const char *name)
{
    if (strcasecmp(name, "Authorization") == 0)
        return r->conn;
    if (strcasecmp(name, "Content-Type") == 0)
        return "application/json";
    return NULL;
}

static const char *busy_no_cookie(const struct http_req *r, const char *name)
{
    (void)r;
    (void)name;
    return NULL;
}

/* Runs in a thread of its own: the dispatcher keeps one connection per thread. */
static void *busy_post(void *arg)
{
    struct busy_call *bc = arg;
    struct arena a;
    arena_init(&a);
    struct http_req req;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.path = "/api/v1/accounts";
    req.body = bc->body;
    req.body_len = strlen(bc->body);
    req.header = busy_hdr;
    req.cookie = busy_no_cookie;
    req.conn = (void *)bc->bearer;
    req.remote_addr = "127.0.0.1";
    req.a = &a;
    struct http_resp resp;
    memset(&resp, 0, sizeof resp);
    buf_init(&resp.body, 1 << 16);
    api_dispatch(&req, &resp, NULL);
    bc->status = resp.status;
    buf_release(&resp.body);
    arena_release(&a);
    return NULL;
}

static void unlink_db(const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[96];
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
}

/* A write that meets another connection's write lock fails with KAM_EBUSY having left nothing
 * durable (db_writes unchanged), so the dispatcher runs it exactly once more, then answers 503;
 * nothing is written. */
TEST(api_busy_write_that_left_nothing_behind_is_retried_once)
{
    char path[64], dsn[96];
    snprintf(path, sizeof path, "/tmp/kam_unit_busy_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        CHECK(!"mkstemp");
        return;
    }
    close(fd);
    unlink(path);
    snprintf(dsn, sizeof dsn, "sqlite:%s", path);
    struct kam_error e = {0};
    struct db *db = NULL;
    CHECK_EQ_INT(db_open(dsn, &db, &e), KAM_OK);
    if (!db)
        return;
    static char hash[crypto_pwhash_STRBYTES];
    CHECK_EQ_INT(crypto_pwhash_str_alg(hash, "busy-test-password", 18, crypto_pwhash_OPSLIMIT_MIN,
                                       crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13),
                 0);
    user_set_hash_override(hash);
    struct arena a;
    arena_init(&a);
    struct kam_ctx ctx = {
        .db = db, .a = &a, .err = &e, .who = {0, ROLE_ADMIN, "system"}, .now = time_now()};
    struct user_in in = {0};
    in.v.login = "busy.admin";
    in.v.role = "admin";
    in.password = "busy-test-password";
    in.set = USR_LOGIN | USR_ROLE | USR_PASSWORD;
    struct user u = {0};
    CHECK_EQ_INT(user_create(&ctx, &in, &u), KAM_OK);
    ctx.who = (struct principal){u.id, ROLE_ADMIN, "busy.admin"};
    struct api_token t = {0};
    CHECK_EQ_INT(token_create(&ctx, "t", &t), KAM_OK);
    user_set_hash_override(NULL);
    char bearer[160], body[160];
    snprintf(bearer, sizeof bearer, "Bearer %s", t.token ? t.token : "");
    snprintf(body, sizeof body, "{\"code\":\"BUSY1\",\"name\":\"Busy\",\"owner_id\":%lld}",
             (long long)u.id);
    arena_release(&a);

    /* Another connection holds the write lock for the whole request. */
    CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
    setenv("KAM_SQLITE_BUSY_MS", "20", 1);
    api_shutdown(); /* the dispatcher's connections and DSN are per process */
    api_init(&(struct api_cfg){.dsn = dsn});
    /* The retry is logged on stderr: count it. */
    fflush(stderr);
    char logpath[64];
    snprintf(logpath, sizeof logpath, "/tmp/kam_unit_busylog_XXXXXX");
    int logfd = mkstemp(logpath);
    int saved = dup(2);
    if (logfd >= 0)
        dup2(logfd, 2);
    struct busy_call bc = {bearer, body, 0};
    pthread_t th;
    if (pthread_create(&th, NULL, busy_post, &bc) == 0)
        pthread_join(th, NULL);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char logbuf[4096] = "";
    if (logfd >= 0) {
        ssize_t n = pread(logfd, logbuf, sizeof logbuf - 1, 0);
        logbuf[n > 0 ? n : 0] = 0;
        close(logfd);
        unlink(logpath);
    }
    int retries = 0;
    for (const char *p = logbuf; (p = strstr(p, "retrying once")); p++)
        retries++;
    CHECK_EQ_INT(bc.status, 503);
    CHECK_EQ_INT(retries, 1);
    CHECK_EQ_INT(db_end(db, KAM_OK, &e), KAM_OK);
    int64_t n = -1;
    CHECK_EQ_INT(
        db_query_i64(db, "SELECT COUNT(*) FROM accounts WHERE code = 'BUSY1'", 0, 0, &n, &e),
        KAM_OK);
    CHECK_EQ_INT(n, 0);
    api_shutdown();
    unsetenv("KAM_SQLITE_BUSY_MS");
    db_close(db);
    unlink_db(path);
}

/* The connection breaks while a transaction is open and the first statement to meet it is the
 * ROLLBACK (the handler failed for a reason of its own): the transaction is over all the same,
 * and the next one reconnects instead of refusing every statement until a restart. */
TEST(pg_connection_lost_under_rollback_reconnects_postgres)
{
    const char *dsn = getenv("KAM_TEST_PG_DSN");
    if (!dsn || !*dsn) {
        fprintf(stderr, "  (skipped: KAM_TEST_PG_DSN not set)\n");
        return;
    }
    struct db *a = NULL, *b = NULL;
    struct kam_error e = {0};
    CHECK_EQ_INT(db_open_raw(dsn, &a, &e), KAM_OK);
    CHECK_EQ_INT(db_open_raw(dsn, &b, &e), KAM_OK);
    if (!a || !b) {
        db_close(a);
        db_close(b);
        return;
    }
    int64_t pid = 0, x = 0;
    CHECK_EQ_INT(db_begin(a, &e), KAM_OK);
    CHECK_EQ_INT(db_query_i64(a, "SELECT pg_backend_pid()", 0, 0, &pid, &e), KAM_OK);
    CHECK_EQ_INT(db_query_i64(b, "SELECT CASE WHEN pg_terminate_backend(?) THEN 1 ELSE 0 END", 1,
                              pid, &x, &e),
                 KAM_OK);
    CHECK_EQ_INT(x, 1);
    /* The handler failed: db_end sends ROLLBACK, the first statement on the dead session. */
    struct kam_error why = {0};
    kam_fail(&why, KAM_EINVAL, "name", "refused by the handler");
    CHECK_EQ_INT(db_end(a, KAM_EINVAL, &why), KAM_EINVAL);
    /* The next request works on a new session. */
    struct kam_error e2 = {0};
    CHECK_EQ_INT(db_begin(a, &e2), KAM_OK);
    CHECK_EQ_INT(db_query_i64(a, "SELECT 41 + 1", 0, 0, &x, &e2), KAM_OK);
    CHECK_EQ_INT(x, 42);
    CHECK_EQ_INT(db_end(a, KAM_OK, &e2), KAM_OK);
    if (e2.code)
        fprintf(stderr, "  after the lost rollback: %s\n", e2.msg);
    db_close(a);
    db_close(b);
}
