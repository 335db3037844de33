/* test_store_open.c -- db_open_with's flags (no silent creation, KAM's tables required), the
 * write probe behind `kam serve`'s refusal and /healthz, DSN masking, and the CLI's strict
 * number parsing. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "store/db.h"
#include "test.h"

/* A fresh path in /tmp that does not exist; *dsn_out is "sqlite:" + path. */
static void fresh_path(char *path, size_t n, char *dsn, size_t dn)
{
    snprintf(path, n, "/tmp/kam_unit_open_XXXXXX");
    int fd = mkstemp(path);
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
    snprintf(dsn, dn, "sqlite:%s", path);
}

static void remove_db(const char *path)
{
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

TEST(db_open_raw_does_not_create_a_missing_sqlite_file)
{
    char path[64], dsn[80];
    fresh_path(path, sizeof path, dsn, sizeof dsn);
    struct db *db = NULL;
    struct kam_error e = {0};
    CHECK_EQ_INT(db_open_raw(dsn, &db, &e), KAM_ENOTFOUND);
    CHECK_EQ_STR(e.field, "db");
    CHECK(strstr(e.msg, "does not exist") != NULL);
    CHECK(strstr(e.msg, path) != NULL);
    CHECK(!exists(path));
    kam_error_clear(&e);
    CHECK_EQ_INT(db_open_with(dsn, DB_OPEN_EXISTING | DB_OPEN_WRITABLE, &db, &e), KAM_ENOTFOUND);
    CHECK(!exists(path));
}

TEST(db_open_existing_refuses_an_empty_file_and_leaves_it_empty)
{
    char path[64], dsn[80];
    fresh_path(path, sizeof path, dsn, sizeof dsn);
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
    struct db *db = NULL;
    struct kam_error e = {0};
    CHECK_EQ_INT(db_open_with(dsn, DB_OPEN_EXISTING, &db, &e), KAM_ENOTFOUND);
    CHECK(strstr(e.msg, "has no KAM tables") != NULL);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && sb.st_size == 0);
    /* init may make it a database */
    kam_error_clear(&e);
    CHECK_EQ_INT(db_open(dsn, &db, &e), KAM_OK);
    db_close(db);
    kam_error_clear(&e);
    CHECK_EQ_INT(db_open_with(dsn, DB_OPEN_EXISTING | DB_OPEN_WRITABLE, &db, &e), KAM_OK);
    db_close(db);
    remove_db(path);
}

TEST(db_probe_write_tells_a_read_only_connection_and_does_not_count_itself)
{
    char path[64], dsn[80];
    fresh_path(path, sizeof path, dsn, sizeof dsn);
    struct db *db = NULL;
    struct kam_error e = {0};
    if (db_open(dsn, &db, &e)) {
        CHECK(0);
        return;
    }
    int ro = -1;
    CHECK_EQ_INT(db_probe_write(db, &ro, &e), KAM_OK);
    CHECK_EQ_INT(ro, 0);
    /* query_only: SQLite refuses writes as it does for a read-only file */
    CHECK_EQ_INT(db_exec(db, "PRAGMA query_only = 1", &e), KAM_OK);
    unsigned long ev0 = db_read_only_events();
    CHECK_EQ_INT(db_probe_write(db, &ro, &e), KAM_EDB);
    CHECK_EQ_INT(ro, 1);
    CHECK(strstr(e.msg, "read-only") != NULL);
    CHECK_EQ_INT(db_read_only_events(), ev0); /* the probe is no refused write of the app */
    kam_error_clear(&e);
    CHECK(db_exec(db, "INSERT INTO settings (key, value) VALUES ('x', 'y')", &e) != KAM_OK);
    CHECK(db_read_only_events() > ev0);
    /* an up-to-date schema needs no write: migrating a read-only connection succeeds */
    kam_error_clear(&e);
    CHECK_EQ_INT(db_migrate(db, NULL, &e), KAM_OK);
    /* not inside a transaction */
    CHECK_EQ_INT(db_exec(db, "PRAGMA query_only = 0", &e), KAM_OK);
    CHECK_EQ_INT(db_begin(db, &e), KAM_OK);
    kam_error_clear(&e);
    CHECK_EQ_INT(db_probe_write(db, &ro, &e), KAM_EINTERNAL);
    db_end(db, KAM_OK, &e);
    db_close(db);
    remove_db(path);
}

TEST(db_probe_write_does_not_wait_for_another_writer)
{
    char path[64], dsn[80];
    fresh_path(path, sizeof path, dsn, sizeof dsn);
    struct db *a = NULL, *b = NULL;
    struct kam_error e = {0};
    if (db_open(dsn, &a, &e) || db_open_raw(dsn, &b, &e)) {
        CHECK(0);
        db_close(a);
        return;
    }
    CHECK_EQ_INT(db_begin(a, &e), KAM_OK); /* BEGIN IMMEDIATE: a holds the write lock */
    int ro = -1;
    int64_t t0 = time_mono_us();
    CHECK_EQ_INT(db_probe_write(b, &ro, &e), KAM_EBUSY);
    CHECK(time_mono_us() - t0 < 1000000);
    CHECK_EQ_INT(ro, 0);
    db_end(a, KAM_OK, &e);
    /* b waits for locks again as before (busy timeout restored) */
    kam_error_clear(&e);
    CHECK_EQ_INT(db_probe_write(b, &ro, &e), KAM_OK);
    db_close(a);
    db_close(b);
    remove_db(path);
}

TEST(db_dsn_masked_hides_the_password_only)
{
    char out[160];
    CHECK_EQ_STR(
        db_dsn_masked("postgres://kam:s3cret@db.example:5432/kam?sslmode=require", out, sizeof out),
        "postgres://kam:***@db.example:5432/kam?sslmode=require");
    CHECK_EQ_STR(db_dsn_masked("postgres://kam@db.example/kam", out, sizeof out),
                 "postgres://kam@db.example/kam");
    CHECK_EQ_STR(db_dsn_masked("postgres://db.example/kam?user=a@b", out, sizeof out),
                 "postgres://db.example/kam?user=a@b");
    CHECK_EQ_STR(db_dsn_masked("sqlite:/var/lib/kam/kam.db", out, sizeof out),
                 "sqlite:/var/lib/kam/kam.db");
    CHECK_EQ_STR(db_dsn_masked("kam.db", out, sizeof out), "kam.db");
    CHECK_EQ_STR(db_dsn_masked("postgres://u:p@ss@h/db", out, sizeof out), "postgres://u:***@h/db");
    /* libpq reads the user information up to the last '@' before the first '/' */
    CHECK_EQ_STR(db_dsn_masked("postgres://kam:pa?ss@db/kam", out, sizeof out),
                 "postgres://kam:***@db/kam");
    CHECK_EQ_STR(db_dsn_masked("postgres://kam:pa#ss@db/kam", out, sizeof out),
                 "postgres://kam:***@db/kam");
    CHECK_EQ_STR(db_dsn_masked("postgres://u@h/db?sslmode=require&password=x&a=b", out, sizeof out),
                 "postgres://u@h/db?sslmode=require&password=***&a=b");
    CHECK_EQ_STR(db_dsn_masked("postgres://u:pw@h/db", out, 12), "postgres://");
}

TEST(cli_parse_num_is_strict)
{
    long long v = -7;
    CHECK_EQ_INT(cli_parse_num("--n", "0", 0, 10, &v), 0);
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(cli_parse_num("--n", "10", 0, 10, &v), 0);
    CHECK_EQ_INT(v, 10);
    static const char *const bad[] = {
        "",  "abc", "-1", "+1", " 1", "1 ", "1.0", "0x5", "11", "1e1", "99999999999999999999999999",
        NULL};
    /* The messages are the CLI's business: stderr goes to /dev/null meanwhile. */
    fflush(stderr);
    int saved = dup(2);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
        dup2(null, 2);
        close(null);
    }
    for (int i = 0; bad[i]; i++) {
        v = -7;
        CHECK_EQ_INT(cli_parse_num("--n", bad[i], 0, 10, &v), -1);
        CHECK_EQ_INT(v, -7);
    }
    setenv("KAM_UNIT_NUM", "", 1);
    CHECK_EQ_INT(cli_env_num("KAM_UNIT_NUM", 0, 10, &v), 0); /* empty: unset */
    CHECK_EQ_INT(v, -7);
    setenv("KAM_UNIT_NUM", "5x", 1);
    CHECK_EQ_INT(cli_env_num("KAM_UNIT_NUM", 0, 10, &v), -1);
    unsetenv("KAM_UNIT_NUM");
    fflush(stderr);
    if (saved >= 0) {
        dup2(saved, 2);
        close(saved);
    }
}
