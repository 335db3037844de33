/* fixture.c -- the database fixture the service unit tests share (see fixture.h). */
#include "fixture.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "svc/core/user.h"
#include "test.h"

const char *fixture_cheap_hash(void)
{
    static char h[crypto_pwhash_STRBYTES];
    if (!h[0] &&
        crypto_pwhash_str_alg(h, FIXTURE_PW, strlen(FIXTURE_PW), crypto_pwhash_OPSLIMIT_MIN,
                              crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13) != 0)
        h[0] = 0;
    return h;
}

int fixture_open(struct fixture *f, const char *dsn, int64_t now)
{
    memset(f, 0, sizeof *f);
    arena_init(&f->a);
    if (db_open(dsn, &f->db, &f->e) != KAM_OK) {
        fprintf(stderr, "  db_open: %s\n", f->e.msg);
        CHECK(0);
        arena_release(&f->a);
        return 0;
    }
    f->ctx.db = f->db;
    f->ctx.a = &f->a;
    f->ctx.err = &f->e;
    f->ctx.who = (struct principal){0, ROLE_ADMIN, "system"};
    f->ctx.now = now;
    user_set_hash_override(fixture_cheap_hash());
    return 1;
}

int fixture_setup_end(struct fixture *f, int ok)
{
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "  set-up: %s (%s)\n", f->e.msg, f->e.field);
        fixture_close(f);
    }
    return ok;
}

void fixture_close(struct fixture *f)
{
    user_set_hash_override(NULL);
    db_close(f->db);
    arena_release(&f->a);
}

struct kam_ctx *fixture_ctx(struct fixture *f)
{
    kam_error_clear(&f->e);
    return &f->ctx;
}

void fixture_as(struct fixture *f, int64_t user_id, enum role r)
{
    f->ctx.who = (struct principal){user_id, r, "tester"};
}

void fixture_check_err(struct fixture *f, enum kam_err rc, enum kam_err want, const char *field)
{
    CHECK_EQ_INT(rc, want);
    CHECK_EQ_INT(f->e.code, want);
    CHECK_EQ_STR(f->e.field, field);
}

int64_t fixture_q64(struct fixture *f, const char *sql)
{
    int64_t v = -1;
    struct kam_error e = {0};
    if (db_query_i64(f->db, sql, 0, 0, &v, &e) != KAM_OK)
        fprintf(stderr, "  query failed: %s: %s\n", sql, e.msg);
    return v;
}

int64_t fixture_add_user(struct fixture *f, const char *login, const char *role, int64_t team)
{
    struct principal saved = f->ctx.who;
    fixture_as(f, 0, ROLE_ADMIN);
    struct user_in in = {0};
    in.v.login = login;
    in.v.name = login;
    in.v.role = role;
    in.password = FIXTURE_PW;
    in.set = USR_LOGIN | USR_NAME | USR_ROLE | USR_PASSWORD;
    if (team) {
        in.v.has_team = 1;
        in.v.team_id = team;
        in.set |= USR_TEAM;
    }
    struct user u = {0};
    enum kam_err rc = user_create(fixture_ctx(f), &in, &u);
    if (rc)
        fprintf(stderr, "  user_create %s: %s\n", login, f->e.msg);
    CHECK_EQ_INT(rc, KAM_OK);
    f->ctx.who = saved;
    return rc ? 0 : u.id;
}

int fixture_pg_fresh(const char *prefix, char *out, size_t n, char *name, size_t nn)
{
    static int seq;
    const char *dsn = getenv("KAM_TEST_PG_DSN");
    const char *slash = dsn ? strrchr(dsn, '/') : NULL;
    if (!dsn || !*dsn || !slash) {
        fprintf(stderr, "  (skipped: KAM_TEST_PG_DSN not set)\n");
        return 0;
    }
    snprintf(name, nn, "%s_%ld_%d", prefix, (long)getpid(), ++seq);
    snprintf(out, n, "%.*s/%s", (int)(slash - dsn), dsn, name);
    struct db *db;
    struct kam_error e = {0};
    char sql[160];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    int ok = !db_open_raw(dsn, &db, &e);
    if (ok) {
        ok = !db_exec(db, sql, &e);
        db_close(db);
    }
    if (!ok)
        fprintf(stderr, "  create database: %s\n", e.msg);
    CHECK(ok);
    return ok;
}

void fixture_pg_drop(const char *name)
{
    struct db *db;
    struct kam_error e = {0};
    char sql[160];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    if (!db_open_raw(getenv("KAM_TEST_PG_DSN"), &db, &e)) {
        db_exec(db, sql, &e);
        db_close(db);
    }
}

int fixture_pg_lock_wait(const char *dsn)
{
    struct db *db;
    struct kam_error e = {0};
    if (db_open_raw(dsn, &db, &e))
        return 0;
    int seen = 0;
    for (int i = 0; i < 500 && !seen; i++) {
        struct db_stmt *st;
        if (db_prepare(db,
                       "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'",
                       &st, &e))
            break;
        int row = 0;
        if (!db_step(st, &row, &e) && row)
            seen = db_col_i64(st, 0) > 0;
        db_done(st);
        if (!seen)
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    db_close(db);
    return seen;
}
