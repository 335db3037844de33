/* test_order_refs.c -- an order line names an account and a product that exist, on both engines
 * (SQLite: its foreign keys; PostgreSQL: migration 0031's checks, once per statement): a row
 * INSERT, a bulk load and an UPDATE naming a missing one fail (KAM_ECONFLICT) with nothing
 * written, and an account or a product with lines is not deleted. On PostgreSQL the two races a
 * foreign key settled: a delete of the account waits for a writer of its lines and then fails;
 * a writer of lines waits for a delete of their account and then fails. SQLite always;
 * PostgreSQL when KAM_TEST_PG_DSN is set. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "store/db.h"
#include "test.h"

#define NOW 1780000000

struct world {
    struct fixture f;
    int64_t acc, acc2, prod;
};

static int open_world(struct world *w, const char *dsn)
{
    memset(w, 0, sizeof *w);
    if (!fixture_open(&w->f, dsn, NOW))
        return 0;
    int64_t owner = fixture_add_user(&w->f, "am", "account_manager", 0);
    char sql[300];
    snprintf(sql, sizeof sql,
             "INSERT INTO accounts (code, name, owner_id, tier, status, created_at, updated_at) "
             "VALUES ('R1', 'R1', %lld, 'A', 'active', 1, 1), "
             "('R2', 'R2', %lld, 'A', 'active', 1, 1)",
             (long long)owner, (long long)owner);
    int ok = owner && !db_exec(w->f.db, sql, &w->f.e) &&
             !db_exec(w->f.db,
                      "INSERT INTO products (sku, name, family, currency, created_at, updated_at) "
                      "VALUES ('P1', 'P1', 'F', 'CNY', 1, 1)",
                      &w->f.e);
    w->acc = fixture_q64(&w->f, "SELECT id FROM accounts WHERE code = 'R1'");
    w->acc2 = fixture_q64(&w->f, "SELECT id FROM accounts WHERE code = 'R2'");
    w->prod = fixture_q64(&w->f, "SELECT id FROM products WHERE sku = 'P1'");
    return fixture_setup_end(&w->f, ok);
}

/* One line by a plain INSERT. */
static enum kam_err add_line(struct db *db, const char *ext, int64_t acc, int64_t prod,
                             struct kam_error *e)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        db,
        "INSERT INTO order_lines (external_id, day, account_id, product_id, region, channel, "
        "quantity, amount, currency, amount_base, created_at, updated_at) "
        "VALUES (?, 20000, ?, ?, '', '', 1, 100, 'CNY', 100, 1, 1)",
        &st, e);
    if (rc)
        return rc;
    db_bind_text(st, 1, ext);
    db_bind_i64(st, 2, acc);
    db_bind_i64(st, 3, prod);
    int row = 0;
    rc = db_step(st, &row, e);
    db_done(st);
    return rc;
}

/* n lines by a bulk load (COPY on PostgreSQL) in its own savepoint; line k names accs[k % 2]. */
static enum kam_err bulk_lines(struct db *db, const char *prefix, int n, const int64_t accs[2],
                               int64_t prod, struct kam_error *e)
{
    enum kam_err rc = db_begin(db, e);
    if (rc)
        return rc;
    struct db_bulk *b;
    rc = db_bulk_begin(db, "order_lines",
                       "external_id, day, account_id, product_id, region, channel, quantity, "
                       "amount, currency, amount_base, created_at, updated_at",
                       &b, e);
    if (!rc) {
        for (int k = 0; k < n && !rc; k++) {
            char ext[32];
            snprintf(ext, sizeof ext, "%s%d", prefix, k);
            db_bulk_text(b, ext);
            db_bulk_i64(b, 20000);
            db_bulk_i64(b, accs[k % 2]);
            db_bulk_i64(b, prod);
            db_bulk_text(b, "");
            db_bulk_text(b, "");
            db_bulk_i64(b, 1);
            db_bulk_i64(b, 100);
            db_bulk_text(b, "CNY");
            db_bulk_i64(b, 100);
            db_bulk_i64(b, 1);
            db_bulk_i64(b, 1);
            rc = db_bulk_row(b, e);
        }
        rc = db_bulk_end(b, rc, e);
    }
    return db_end(db, rc, e);
}

static void refs_on(const char *dsn)
{
    struct world w;
    if (!open_world(&w, dsn))
        return;
    struct db *db = w.f.db;
    struct kam_error *e = &w.f.e;
    const int64_t gone = w.acc2 + 1000;

    CHECK_EQ_INT(add_line(db, "OK1", w.acc, w.prod, e), KAM_OK);
    kam_error_clear(e);
    CHECK_EQ_INT(add_line(db, "BADA", gone, w.prod, e), KAM_ECONFLICT);
    kam_error_clear(e);
    CHECK_EQ_INT(add_line(db, "BADP", w.acc, w.prod + 1000, e), KAM_ECONFLICT);
    kam_error_clear(e);
    CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM order_lines"), 1);

    /* a bulk load of 300 lines, one of which names a missing account: none stays */
    int64_t good[2] = {w.acc, w.acc2}, bad[2] = {w.acc, gone};
    CHECK_EQ_INT(bulk_lines(db, "BB", 300, bad, w.prod, e), KAM_ECONFLICT);
    kam_error_clear(e);
    CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM order_lines"), 1);
    CHECK_EQ_INT(bulk_lines(db, "BG", 300, good, w.prod, e), KAM_OK);
    kam_error_clear(e);
    CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM order_lines"), 301);

    /* an UPDATE moving lines to a missing account or product fails, and changes nothing */
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE order_lines SET account_id = %lld WHERE external_id = 'OK1'",
             (long long)gone);
    CHECK_EQ_INT(db_exec(db, sql, e), KAM_ECONFLICT);
    kam_error_clear(e);
    snprintf(sql, sizeof sql, "UPDATE order_lines SET product_id = %lld", (long long)w.prod + 7);
    CHECK_EQ_INT(db_exec(db, sql, e), KAM_ECONFLICT);
    kam_error_clear(e);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM order_lines WHERE account_id = %lld",
             (long long)w.acc);
    CHECK_EQ_INT(fixture_q64(&w.f, sql), 151);
    /* one that keeps its references passes */
    CHECK_EQ_INT(db_exec(db, "UPDATE order_lines SET quantity = 2", e), KAM_OK);
    kam_error_clear(e);

    /* an account or a product with lines stays; an account without goes */
    snprintf(sql, sizeof sql, "DELETE FROM accounts WHERE id = %lld", (long long)w.acc2);
    CHECK_EQ_INT(db_exec(db, sql, e), KAM_ECONFLICT);
    kam_error_clear(e);
    snprintf(sql, sizeof sql, "DELETE FROM products WHERE id = %lld", (long long)w.prod);
    CHECK_EQ_INT(db_exec(db, sql, e), KAM_ECONFLICT);
    kam_error_clear(e);
    CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM accounts WHERE code IN ('R1', 'R2')"), 2);
    CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM products WHERE sku = 'P1'"), 1);
    snprintf(sql, sizeof sql, "DELETE FROM order_lines WHERE account_id = %lld", (long long)w.acc2);
    CHECK_EQ_INT(db_exec(db, sql, e), KAM_OK);
    snprintf(sql, sizeof sql, "DELETE FROM accounts WHERE id = %lld", (long long)w.acc2);
    CHECK_EQ_INT(db_exec(db, sql, e), KAM_OK);
    kam_error_clear(e);
    CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM accounts WHERE code = 'R2'"), 0);
    fixture_close(&w.f);
}

TEST(order_line_references_sqlite)
{
    refs_on(FIXTURE_MEMORY);
}

/* ---- PostgreSQL ---- */

TEST(order_line_references_postgres)
{
    char dsn[512], name[64];
    if (!fixture_pg_fresh("kam_refs", dsn, sizeof dsn, name, sizeof name))
        return;
    refs_on(dsn);
    fixture_pg_drop(name);
}

/* The second transaction, on its own connection in a thread: one statement in autocommit. */
struct racer {
    struct db *db;
    struct kam_error e;
    char sql[300];
    enum kam_err rc;
};

static void *racer_run(void *arg)
{
    struct racer *r = arg;
    r->rc = db_exec(r->db, r->sql, &r->e);
    return NULL;
}

/* first: the statement the first transaction holds uncommitted; second: the racer's, which must
 * wait for it and then fail (KAM_ECONFLICT) once the first commits. */
static void race(const char *dsn, struct world *w, const char *first, const char *second)
{
    struct racer r = {0};
    snprintf(r.sql, sizeof r.sql, "%s", second);
    CHECK_EQ_INT(db_open_raw(dsn, &r.db, &r.e), KAM_OK);
    CHECK_EQ_INT(db_begin(w->f.db, &w->f.e), KAM_OK);
    CHECK_EQ_INT(db_exec(w->f.db, first, &w->f.e), KAM_OK);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, racer_run, &r) == 0);
    CHECK(fixture_pg_lock_wait(dsn));
    CHECK_EQ_INT(db_end(w->f.db, KAM_OK, &w->f.e), KAM_OK);
    pthread_join(t, NULL);
    CHECK_EQ_INT(r.rc, KAM_ECONFLICT);
    db_close(r.db);
    kam_error_clear(&w->f.e);
}

TEST(order_line_references_race_postgres)
{
    char dsn[512], name[64];
    if (!fixture_pg_fresh("kam_refs", dsn, sizeof dsn, name, sizeof name))
        return;
    struct world w;
    if (open_world(&w, dsn)) {
        char line[300], del[100];
        /* lines written first: the delete of their account waits, then fails */
        snprintf(line, sizeof line,
                 "INSERT INTO order_lines (external_id, day, account_id, product_id, region, "
                 "channel, quantity, amount, currency, amount_base, created_at, updated_at) "
                 "VALUES ('W1', 20000, %lld, %lld, '', '', 1, 100, 'CNY', 100, 1, 1)",
                 (long long)w.acc, (long long)w.prod);
        snprintf(del, sizeof del, "DELETE FROM accounts WHERE id = %lld", (long long)w.acc);
        race(dsn, &w, line, del);
        CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM accounts WHERE code = 'R1'"), 1);
        /* the account deleted first: the line for it waits, then fails */
        snprintf(line, sizeof line,
                 "INSERT INTO order_lines (external_id, day, account_id, product_id, region, "
                 "channel, quantity, amount, currency, amount_base, created_at, updated_at) "
                 "VALUES ('W2', 20000, %lld, %lld, '', '', 1, 100, 'CNY', 100, 1, 1)",
                 (long long)w.acc2, (long long)w.prod);
        snprintf(del, sizeof del, "DELETE FROM accounts WHERE id = %lld", (long long)w.acc2);
        race(dsn, &w, del, line);
        CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM order_lines WHERE external_id = 'W2'"),
                     0);
        CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM accounts WHERE code = 'R2'"), 0);
        fixture_close(&w.f);
    }
    fixture_pg_drop(name);
}
