/* test_importscale.c -- the storage layer's bulk load (db_bulk_*: PostgreSQL's COPY in binary
 * or text format, SQLite's INSERTs of 100 rows), ids reserved for a load (db_reserve_ids) and the
 * index/foreign-key drop around a big load: every awkward text comes back byte for byte (tabs,
 * newlines, carriage returns, backslashes, "\N",
 * "\.", quotes, CJK and emoji, empty, NULL), a NUL byte is refused, a unique violation is
 * KAM_ECONFLICT and a savepoint takes the rows back, and what was dropped is there again after
 * the load and after a rollback. SQLite always; PostgreSQL when KAM_TEST_PG_DSN is set. */
#include <stdlib.h>

#include "base/arena.h"
#include "store/db.h"
#include "test.h"

static const char *const awkward[] = {
    "plain",
    "tab\there",
    "new\nline",
    "cr\rlf\r\n",
    "back\\slash\\",
    "\\N",
    "\\.",
    "\\",
    "quote'\"q",
    "华东 渠道 🙂 數據",
    "",
    "comma,semi;pipe",
    "end tab\t",
    "a\\tb",
    "\\\\N",
};
#define NAWK (sizeof awkward / sizeof awkward[0])

static int64_t count_of(struct db *db, const char *sql)
{
    int64_t n = -1;
    struct kam_error e = {0};
    CHECK_EQ_INT(db_query_i64(db, sql, 0, 0, &n, &e), KAM_OK);
    return n;
}

static void bulk_on(struct db *db)
{
    struct kam_error e = {0};
    CHECK_EQ_INT(db_exec(db, "DROP TABLE IF EXISTS kam_bulk_t", &e), KAM_OK);
    CHECK_EQ_INT(
        db_exec(db, "CREATE TABLE kam_bulk_t (id BIGINT NOT NULL UNIQUE, s TEXT, n BIGINT)", &e),
        KAM_OK);
    /* outside a transaction: refused */
    struct db_bulk *b = NULL;
    CHECK_EQ_INT(db_bulk_begin(db, "kam_bulk_t", "id, s, n", &b, &e), KAM_EINTERNAL);
    CHECK(b == NULL);

    /* every awkward text, a NULL, extreme integers */
    CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
    CHECK_EQ_INT(db_bulk_begin(db, "kam_bulk_t", "id, s, n", &b, &e), KAM_OK);
    enum kam_err rc = KAM_OK;
    for (size_t i = 0; i < NAWK && !rc; i++) {
        db_bulk_i64(b, (int64_t)i);
        db_bulk_text(b, awkward[i]);
        db_bulk_i64(b, i % 2 ? INT64_MAX : INT64_MIN + 1);
        rc = db_bulk_row(b, &e);
    }
    db_bulk_i64(b, 1000);
    db_bulk_null(b);
    db_bulk_i64n(b, 0, 1);
    if (!rc)
        rc = db_bulk_row(b, &e);
    CHECK_EQ_INT(rc, KAM_OK);
    CHECK_EQ_INT(db_bulk_end(b, rc, &e), KAM_OK);
    CHECK_EQ_INT(db_end(db, KAM_OK, &e), KAM_OK);
    CHECK_EQ_INT(count_of(db, "SELECT COUNT(*) FROM kam_bulk_t"), NAWK + 1);
    struct db_stmt *st;
    CHECK_EQ_INT(db_prepare(db, "SELECT id, s, n FROM kam_bulk_t ORDER BY id", &st, &e), KAM_OK);
    int row = 0;
    size_t i = 0;
    while (db_step(st, &row, &e) == KAM_OK && row) {
        int64_t id = db_col_i64(st, 0);
        if (id == 1000) {
            CHECK(db_col_is_null(st, 1));
            CHECK(db_col_is_null(st, 2));
            continue;
        }
        CHECK_EQ_INT(id, (int64_t)i);
        size_t n = 0;
        const char *s = db_col_textn(st, 1, &n);
        CHECK_EQ_INT(n, strlen(awkward[i]));
        CHECK_EQ_STR(s, awkward[i]);
        CHECK(!db_col_is_null(st, 1));
        CHECK_EQ_INT(db_col_i64(st, 2), i % 2 ? INT64_MAX : INT64_MIN + 1);
        i++;
    }
    db_done(st);
    CHECK_EQ_INT(i, NAWK);

    /* a NUL byte: refused at its row, nothing of the load stays after the rollback */
    CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
    CHECK_EQ_INT(db_bulk_begin(db, "kam_bulk_t", "id, s, n", &b, &e), KAM_OK);
    db_bulk_i64(b, 2000);
    db_bulk_text(b, "fine");
    db_bulk_i64(b, 1);
    CHECK_EQ_INT(rc = db_bulk_row(b, &e), KAM_OK);
    db_bulk_i64(b, 2001);
    db_bulk_textn(b, "a\0b", 3);
    db_bulk_i64(b, 1);
    CHECK_EQ_INT(rc = db_bulk_row(b, &e), KAM_EINVAL);
    CHECK_EQ_INT(db_bulk_end(b, rc, &e), KAM_EINVAL);
    CHECK_EQ_INT(db_end(db, rc, &e), KAM_EINVAL);
    CHECK_EQ_INT(count_of(db, "SELECT COUNT(*) FROM kam_bulk_t WHERE id >= 2000"), 0);

    /* a value missing or one too many: the row's error */
    CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
    CHECK_EQ_INT(db_bulk_begin(db, "kam_bulk_t", "id, s, n", &b, &e), KAM_OK);
    db_bulk_i64(b, 3000);
    db_bulk_text(b, "short");
    CHECK_EQ_INT(rc = db_bulk_row(b, &e), KAM_EINTERNAL);
    CHECK_EQ_INT(db_bulk_end(b, rc, &e), KAM_EINTERNAL);
    CHECK_EQ_INT(db_end(db, rc, &e), KAM_EINTERNAL);

    /* a unique violation: KAM_ECONFLICT (PostgreSQL: when the copy ends); the savepoint takes
     * the load back and the transaction goes on */
    CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
    CHECK_EQ_INT(db_exec(db, "INSERT INTO kam_bulk_t (id, s, n) VALUES (4000, 'x', 0)", &e),
                 KAM_OK);
    CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
    CHECK_EQ_INT(db_bulk_begin(db, "kam_bulk_t", "id, s, n", &b, &e), KAM_OK);
    rc = KAM_OK;
    for (int k = 0; k < 3 && !rc; k++) {
        db_bulk_i64(b, 4001 - k); /* 4001, 4000 (exists), 3999 */
        db_bulk_text(b, "dup");
        db_bulk_i64(b, k);
        rc = db_bulk_row(b, &e);
    }
    rc = db_bulk_end(b, rc, &e);
    CHECK_EQ_INT(rc, KAM_ECONFLICT);
    CHECK_EQ_INT(db_end(db, rc, &e), KAM_ECONFLICT);
    CHECK_EQ_INT(count_of(db, "SELECT COUNT(*) FROM kam_bulk_t WHERE id >= 3999"), 1);
    CHECK_EQ_INT(db_end(db, KAM_OK, &e), KAM_OK);
    CHECK_EQ_INT(count_of(db, "SELECT COUNT(*) FROM kam_bulk_t WHERE id >= 3999"), 1);
    CHECK_EQ_INT(db_exec(db, "DROP TABLE kam_bulk_t", &e), KAM_OK);
}

/* Integer columns of every width and a varchar (PostgreSQL: binary COPY), a column without a
 * simple binary form (numeric: the copy goes as text), an integer for a text column; ids from
 * one reserved block, and the table's own ids going on after it. id_ddl: the engine's
 * auto-assigned id column. */
static void bulk_forms(struct db *db, const char *id_ddl, int pg)
{
    struct kam_error e = {0};
    char sql[400];
    CHECK_EQ_INT(db_exec(db, "DROP TABLE IF EXISTS kam_bulk_f", &e), KAM_OK);
    snprintf(sql, sizeof sql,
             "CREATE TABLE kam_bulk_f (id %s, a INTEGER, b SMALLINT, t VARCHAR(20), x TEXT, "
             "n NUMERIC)",
             id_ddl);
    CHECK_EQ_INT(db_exec(db, sql, &e), KAM_OK);
    CHECK_EQ_INT(db_exec(db, "INSERT INTO kam_bulk_f (a) VALUES (0), (0)", &e), KAM_OK);
    struct db_bulk *b = NULL;
    int64_t first = 0;
    for (int text_form = 0; text_form < 2; text_form++) {
        CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
        CHECK_EQ_INT(db_reserve_ids(db, "kam_bulk_f", 3, &first, &e), KAM_OK);
        CHECK_EQ_INT(first, !pg ? 0 : text_form ? 6 : 3); /* SQLite: its rowids */
        const char *cols = text_form ? "id, a, b, t, x, n" : "id, a, b, t, x";
        CHECK_EQ_INT(db_bulk_begin(db, "kam_bulk_f", first ? cols : cols + 4, &b, &e), KAM_OK);
        enum kam_err rc = KAM_OK;
        for (int k = 0; k < 3 && !rc; k++) {
            if (first)
                db_bulk_i64(b, first + k);
            db_bulk_i64(b, k == 0 ? INT32_MAX : k == 1 ? INT32_MIN : -7);
            db_bulk_i64(b, k == 0 ? INT16_MAX : k == 1 ? INT16_MIN : 0);
            db_bulk_text(b, k == 2 ? NULL : awkward[k + 1]);
            db_bulk_i64(b, k == 0 ? INT64_MIN : 42);
            if (text_form)
                db_bulk_i64(b, -123456789012345LL);
            rc = db_bulk_row(b, &e);
        }
        CHECK_EQ_INT(db_bulk_end(b, rc, &e), KAM_OK);
        CHECK_EQ_INT(db_end(db, KAM_OK, &e), KAM_OK);
    }
    CHECK_EQ_INT(db_exec(db, "INSERT INTO kam_bulk_f (a) VALUES (1)", &e), KAM_OK);
    CHECK_EQ_INT(count_of(db, "SELECT MAX(id) FROM kam_bulk_f WHERE a = 1"), 9);
    CHECK_EQ_INT(count_of(db, "SELECT COUNT(*) FROM kam_bulk_f WHERE a = 2147483647 AND b = "
                              "32767 AND t = 'tab\011here' AND x = '-9223372036854775808'"),
                 2);
    CHECK_EQ_INT(count_of(db, "SELECT COUNT(*) FROM kam_bulk_f WHERE a = -2147483648 AND b = "
                              "-32768 AND x = '42'"),
                 2);
    CHECK_EQ_INT(count_of(db, "SELECT COUNT(*) FROM kam_bulk_f WHERE a = -7 AND t IS NULL"), 2);
    CHECK_EQ_INT(count_of(db, "SELECT COUNT(*) FROM kam_bulk_f WHERE n = -123456789012345"), 3);
    if (pg) { /* out of range for an integer column: refused, nothing stays */
        CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
        CHECK_EQ_INT(db_bulk_begin(db, "kam_bulk_f", "a", &b, &e), KAM_OK);
        db_bulk_i64(b, (int64_t)INT32_MAX + 1);
        enum kam_err rc = db_bulk_end(b, db_bulk_row(b, &e), &e);
        CHECK(rc != KAM_OK);
        CHECK_EQ_INT(db_end(db, rc, &e), rc);
        CHECK_EQ_INT(count_of(db, "SELECT COUNT(*) FROM kam_bulk_f"), 9);
    }
    CHECK_EQ_INT(db_exec(db, "DROP TABLE kam_bulk_f", &e), KAM_OK);
}

/* The table's secondary index dropped for a load and made again; a rollback brings it back as
 * well. count_sql counts it (on PostgreSQL minus 10 for a missing foreign key). */
static void indexes_on(struct db *db, const char *count_sql, int64_t want)
{
    struct kam_error e = {0};
    struct arena a;
    arena_init(&a);
    CHECK_EQ_INT(
        db_exec(db, "DROP TABLE IF EXISTS kam_bulk_c; DROP TABLE IF EXISTS kam_bulk_p", &e),
        KAM_OK);
    CHECK_EQ_INT(db_exec(db,
                         "CREATE TABLE kam_bulk_p (id BIGINT PRIMARY KEY); CREATE TABLE kam_bulk_c "
                         "(id BIGINT NOT NULL UNIQUE, p BIGINT NOT NULL REFERENCES kam_bulk_p(id), "
                         "d BIGINT NOT NULL); CREATE INDEX kam_bulk_c_pd ON kam_bulk_c(p, d); "
                         "INSERT INTO kam_bulk_p (id) VALUES (1), (2)",
                         &e),
                 KAM_OK);
    CHECK_EQ_INT(count_of(db, count_sql), want);
    for (int commit = 0; commit < 2; commit++) {
        struct db_saved_indexes saved;
        CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
        CHECK_EQ_INT(db_bulk_indexes_off(db, "kam_bulk_c", &a, &saved, &e), KAM_OK);
        CHECK_EQ_INT(saved.n, want);
        CHECK_EQ_INT(count_of(db, count_sql), 0);
        CHECK_EQ_INT(count_of(db, "SELECT COUNT(*) FROM kam_bulk_c"), 0);
        CHECK_EQ_INT(
            db_exec(db, "INSERT INTO kam_bulk_c (id, p, d) VALUES (1, 1, 5), (2, 2, 6)", &e),
            KAM_OK);
        if (commit)
            CHECK_EQ_INT(db_bulk_indexes_on(db, &saved, &e), KAM_OK);
        CHECK_EQ_INT(db_end(db, commit ? KAM_OK : KAM_ECONFLICT, &e),
                     commit ? KAM_OK : KAM_ECONFLICT);
        CHECK_EQ_INT(count_of(db, count_sql), want);
    }
    CHECK_EQ_INT(count_of(db, "SELECT COUNT(*) FROM kam_bulk_c"), 2);
    /* the index is used again: the unique one never left */
    CHECK_EQ_INT(db_exec(db, "INSERT INTO kam_bulk_c (id, p, d) VALUES (1, 1, 7)", &e),
                 KAM_ECONFLICT);
    CHECK_EQ_INT(db_exec(db, "DROP TABLE kam_bulk_c; DROP TABLE kam_bulk_p", &e), KAM_OK);
    arena_release(&a);
}

/* db_fk_checks: off only outside a transaction; a statement cached while the checks were off
 * checks again once they are back on (SQLite recompiles statements after the pragma), so a
 * connection that served an import does not keep unchecked inserts in its cache. */
TEST(fk_checks_off_and_on_sqlite)
{
    struct db *db = NULL;
    struct kam_error e = {0};
    CHECK_EQ_INT(db_open("sqlite::memory:", &db, &e), KAM_OK);
    if (!db)
        return;
    CHECK_EQ_INT(db_exec(db,
                         "CREATE TABLE kam_fk_p (id INTEGER PRIMARY KEY); CREATE TABLE kam_fk_c "
                         "(id INTEGER PRIMARY KEY, p INTEGER NOT NULL REFERENCES kam_fk_p(id))",
                         &e),
                 KAM_OK);
    const char *ins = "INSERT INTO kam_fk_c (id, p) VALUES (?, 99)";
    struct db_stmt *st;
    CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
    CHECK_EQ_INT(db_fk_checks(db, 0, &e), KAM_EINTERNAL); /* inside a transaction: refused */
    CHECK_EQ_INT(db_end(db, KAM_OK, &e), KAM_OK);
    CHECK_EQ_INT(db_fk_checks(db, 0, &e), KAM_OK);
    CHECK_EQ_INT(db_prepare(db, ins, &st, &e), KAM_OK);
    db_bind_i64(st, 1, 1);
    CHECK_EQ_INT(db_run(st, &e), KAM_OK); /* unchecked: no parent 99 */
    CHECK_EQ_INT(db_fk_checks(db, 1, &e), KAM_OK);
    CHECK_EQ_INT(db_prepare(db, ins, &st, &e), KAM_OK); /* the cached statement */
    db_bind_i64(st, 1, 2);
    CHECK_EQ_INT(db_run(st, &e), KAM_ECONFLICT); /* checked again */
    CHECK_EQ_INT(count_of(db, "SELECT COUNT(*) FROM kam_fk_c"), 1);
    db_close(db);
}

TEST(bulk_load_keeps_every_text_sqlite)
{
    struct db *db = NULL;
    struct kam_error e = {0};
    CHECK_EQ_INT(db_open_raw("sqlite::memory:", &db, &e), KAM_OK);
    if (db) {
        bulk_on(db);
        bulk_forms(db, "INTEGER PRIMARY KEY", 0);
        indexes_on(db,
                   "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                   "'kam_bulk_c' AND sql IS NOT NULL",
                   1);
    }
    db_close(db);
}

TEST(bulk_load_keeps_every_text_postgres)
{
    const char *dsn = getenv("KAM_TEST_PG_DSN");
    if (!dsn || !*dsn) {
        fprintf(stderr, "  (skipped: KAM_TEST_PG_DSN not set)\n");
        return;
    }
    struct db *db = NULL;
    struct kam_error e = {0};
    CHECK_EQ_INT(db_open_raw(dsn, &db, &e), KAM_OK);
    if (db) {
        bulk_on(db);
        bulk_forms(db, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", 1);
        /* the foreign key stays through the load: dropping it would lock kam_bulk_p (on
         * order_lines: accounts and products, read by every screen) until the commit */
        indexes_on(db,
                   "SELECT (SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'kam_bulk_c' AND "
                   "indexdef NOT LIKE 'CREATE UNIQUE%') + 10 * (SELECT COUNT(*) FROM "
                   "pg_constraint WHERE conrelid = 'kam_bulk_c'::regclass AND contype = 'f') - 10",
                   1);
    }
    db_close(db);
}
