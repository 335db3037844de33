/* test_audit_chain.c -- the audit log's hash chain (svc/core/audit.c): audited writes chain,
 * audit_chain_verify names the first row that was changed, removed or added outside kam, and
 * rows from before the chain are chained by audit_chain_backfill. In-memory SQLite. */
#include <string.h>

#include "fixture.h"
#include "store/db.h"
#include "svc/core/audit.h"
#include "test.h"

#define NOW 1700000000

/* n audited writes (alternating creates and updates of entity "thing" 1..n, on account 7). */
static int write_rows(struct fixture *f, int n)
{
    for (int i = 1; i <= n; i++) {
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_i64(&d, "n", 0, 1, i, 0);
        audit_diff_str(&d, "name", NULL, i % 2 ? "甲" : "b\"q");
        struct kam_ctx *ctx = fixture_ctx(f);
        ctx->now = NOW + i;
        if (audit_write(ctx, "thing", i, i % 3 ? 7 : 0, i % 2 ? "create" : "update", &d)) {
            fprintf(stderr, "  audit_write: %s\n", f->e.msg);
            return 0;
        }
    }
    return 1;
}

static int exec(struct fixture *f, const char *sql)
{
    struct kam_error e = {0};
    if (db_exec(f->db, sql, &e)) {
        fprintf(stderr, "  %s: %s\n", sql, e.msg);
        return 0;
    }
    return 1;
}

static void verify(struct fixture *f, struct audit_chain_report *r)
{
    memset(r, 0, sizeof *r);
    CHECK_EQ_INT(audit_chain_verify(fixture_ctx(f), r), KAM_OK);
}

TEST(audit_chain_writes_verify_and_head_moves)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct audit_chain_report r;
    verify(&f, &r);
    CHECK(r.intact);
    CHECK_EQ_INT(r.rows, 0);
    CHECK_EQ_INT(r.head_seq, 0);
    CHECK(write_rows(&f, 6));
    verify(&f, &r);
    CHECK(r.intact);
    CHECK_EQ_INT(r.rows, 6);
    CHECK_EQ_INT(r.head_seq, 6);
    int64_t seq = 0;
    char hash[AUDIT_HASH_HEX];
    CHECK_EQ_INT(audit_chain_head(fixture_ctx(&f), &seq, hash), KAM_OK);
    CHECK_EQ_INT(seq, 6);
    CHECK_EQ_STR(hash, r.head_hash);
    CHECK_EQ_INT(strlen(hash), 64);
    /* Each row chains onto the one before. */
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit a JOIN audit b ON b.seq = a.seq + 1 "
                                 "WHERE b.prev_hash = a.hash"),
                 5);
    /* A rolled-back write leaves neither a row nor a moved head. */
    struct kam_ctx *ctx = fixture_ctx(&f);
    CHECK_EQ_INT(db_begin(ctx->db, ctx->err), KAM_OK);
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "n", 0, 1, 1, 0);
    CHECK_EQ_INT(audit_write(ctx, "thing", 99, 0, "create", &d), KAM_OK);
    db_end(ctx->db, KAM_EINVAL, ctx->err);
    verify(&f, &r);
    CHECK(r.intact);
    CHECK_EQ_INT(r.head_seq, 6);
    CHECK(write_rows(&f, 1));
    verify(&f, &r);
    CHECK(r.intact);
    CHECK_EQ_INT(r.rows, 7);
    fixture_close(&f);
}

TEST(audit_chain_changed_middle_row_is_named)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    CHECK(write_rows(&f, 5));
    int64_t id3 = fixture_q64(&f, "SELECT id FROM audit WHERE seq = 3");
    const char *edits[] = {
        "UPDATE audit SET changes = '{\"n\":[null,30]}' WHERE seq = 3",
        "UPDATE audit SET at = at + 1 WHERE seq = 3",
        "UPDATE audit SET user_id = 5 WHERE seq = 3",
        "UPDATE audit SET account_id = 8 WHERE seq = 3",
        "UPDATE audit SET account_id = NULL WHERE seq = 2",
        "UPDATE audit SET entity = 'thinG' WHERE seq = 3",
        "UPDATE audit SET action = 'delete' WHERE seq = 3",
        "UPDATE audit SET id = 1000 WHERE seq = 3",
        "UPDATE audit SET hash = NULL WHERE seq = 3",
    };
    for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
        CHECK(exec(&f, "SAVEPOINT t"));
        CHECK(exec(&f, edits[i]));
        struct audit_chain_report r;
        verify(&f, &r);
        int64_t want = strstr(edits[i], "seq = 2") ? 2 : 3;
        if (r.intact || r.bad_seq != want)
            fprintf(stderr, "  after %s: intact %d bad_seq %lld\n", edits[i], r.intact,
                    (long long)r.bad_seq);
        CHECK(!r.intact);
        CHECK_EQ_INT(r.bad_seq, want);
        CHECK(strstr(r.problem, want == 2 ? "seq 2" : "seq 3") && strstr(r.problem, "changed"));
        if (want == 3 && !strstr(edits[i], "id = 1000"))
            CHECK_EQ_INT(r.bad_id, id3);
        CHECK(exec(&f, "ROLLBACK TO t"));
        CHECK(exec(&f, "RELEASE t"));
    }
    /* A changed row whose hash the tamperer recomputed: the next row names it. */
    CHECK(exec(&f, "UPDATE audit SET hash = (SELECT hash FROM audit WHERE seq = 2) WHERE seq = 3"));
    struct audit_chain_report r;
    verify(&f, &r);
    CHECK(!r.intact);
    CHECK_EQ_INT(r.bad_seq, 3);
    fixture_close(&f);
}

TEST(audit_chain_removed_rows_are_named)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    CHECK(write_rows(&f, 5));
    struct audit_chain_report r;
    /* The middle row. */
    CHECK(exec(&f, "SAVEPOINT t"));
    CHECK(exec(&f, "DELETE FROM audit WHERE seq = 3"));
    verify(&f, &r);
    CHECK(!r.intact);
    CHECK_EQ_INT(r.bad_seq, 3);
    CHECK(strstr(r.problem, "seq 3 to 3 were removed") != NULL);
    /* ... and the later rows renumbered to close the gap: row 3 (the old 4) no longer chains. */
    CHECK(exec(&f, "UPDATE audit SET seq = seq - 1 WHERE seq > 3"));
    verify(&f, &r);
    CHECK(!r.intact);
    CHECK(r.bad_seq == 2 || r.bad_seq == 3);
    CHECK(exec(&f, "ROLLBACK TO t"));
    CHECK(exec(&f, "RELEASE t"));
    /* The first row. */
    CHECK(exec(&f, "SAVEPOINT t"));
    CHECK(exec(&f, "DELETE FROM audit WHERE seq = 1"));
    verify(&f, &r);
    CHECK(!r.intact);
    CHECK_EQ_INT(r.bad_seq, 1);
    CHECK(exec(&f, "ROLLBACK TO t"));
    CHECK(exec(&f, "RELEASE t"));
    /* The last row (and then the last two): only the head knows. */
    CHECK(exec(&f, "SAVEPOINT t"));
    CHECK(exec(&f, "DELETE FROM audit WHERE seq = 5"));
    verify(&f, &r);
    CHECK(!r.intact);
    CHECK_EQ_INT(r.bad_seq, 5);
    CHECK(strstr(r.problem, "seq 5 to 5 were removed") != NULL);
    CHECK(exec(&f, "DELETE FROM audit WHERE seq = 4"));
    verify(&f, &r);
    CHECK_EQ_INT(r.bad_seq, 4);
    CHECK(exec(&f, "ROLLBACK TO t"));
    CHECK(exec(&f, "RELEASE t"));
    verify(&f, &r);
    CHECK(r.intact);
    CHECK_EQ_INT(r.rows, 5);
    fixture_close(&f);
}

TEST(audit_chain_rows_added_outside_kam_are_named)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    CHECK(write_rows(&f, 3));
    struct audit_chain_report r;
    CHECK(exec(&f, "SAVEPOINT t"));
    CHECK(exec(&f, "INSERT INTO audit (id, at, entity, entity_id, action, changes) VALUES (50, 1, "
                   "'thing', 1, 'delete', '{}')"));
    verify(&f, &r);
    CHECK(!r.intact);
    CHECK_EQ_INT(r.bad_id, 50);
    CHECK(strstr(r.problem, "not in the chain") != NULL);
    /* Backfill does not adopt it: only rows from before the chain are chained. */
    int64_t chained = -1;
    CHECK_EQ_INT(audit_chain_backfill(fixture_ctx(&f), &chained), KAM_OK);
    CHECK_EQ_INT(chained, 0);
    CHECK(exec(&f, "UPDATE audit SET seq = 4, prev_hash = (SELECT hash FROM audit_head) WHERE id "
                   "= 50"));
    verify(&f, &r);
    CHECK(!r.intact);
    CHECK_EQ_INT(r.bad_seq, 4);
    CHECK(exec(&f, "ROLLBACK TO t"));
    CHECK(exec(&f, "RELEASE t"));
    verify(&f, &r);
    CHECK(r.intact);
    fixture_close(&f);
}

TEST(audit_chain_backfill_chains_rows_from_before_the_chain)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    /* A database migrated from before 0008: rows without seq, the head's flag set. 300 rows
     * cross a backfill batch. */
    CHECK(write_rows(&f, 300));
    CHECK(exec(&f, "UPDATE audit SET seq = NULL, prev_hash = NULL, hash = NULL; UPDATE audit_head "
                   "SET seq = 0, hash = '0000000000000000000000000000000000000000000000000000000"
                   "000000000', unchained = 1"));
    struct audit_chain_report r;
    verify(&f, &r);
    CHECK(!r.intact);
    CHECK(strstr(r.problem, "not chained yet") != NULL);
    /* The next audited write chains them first, in id order, then itself. */
    CHECK(write_rows(&f, 1));
    verify(&f, &r);
    CHECK(r.intact);
    CHECK_EQ_INT(r.rows, 301);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE seq = id"), 301);
    /* Or kam audit verify's call does. */
    CHECK(exec(&f, "UPDATE audit SET seq = NULL, prev_hash = NULL, hash = NULL; UPDATE audit_head "
                   "SET seq = 0, hash = '0000000000000000000000000000000000000000000000000000000"
                   "000000000', unchained = 1"));
    int64_t chained = 0;
    CHECK_EQ_INT(audit_chain_backfill(fixture_ctx(&f), &chained), KAM_OK);
    CHECK_EQ_INT(chained, 301);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT unchained FROM audit_head"), 0);
    verify(&f, &r);
    CHECK(r.intact);
    CHECK_EQ_INT(r.rows, 301);
    fixture_close(&f);
}

/* One audited write as a service makes it, in the caller's transaction. */
static enum kam_err write_one(struct fixture *f, int64_t entity_id)
{
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "n", 0, 1, entity_id, 0);
    return audit_write(fixture_ctx(f), "thing", entity_id, 7, "create", &d);
}

TEST(audit_chain_rows_are_chained_when_their_transaction_commits)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    CHECK(write_rows(&f, 2));
    struct kam_ctx *ctx = fixture_ctx(&f);
    CHECK_EQ_INT(db_begin(f.db, ctx->err), KAM_OK);
    CHECK_EQ_INT(write_one(&f, 10), KAM_OK);
    /* Written, not chained yet, and the head is untouched until the commit. */
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE seq IS NULL"), 1);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT seq FROM audit_head"), 2);
    /* A row written in a savepoint that rolls back is not chained (and not there). */
    CHECK_EQ_INT(db_begin(f.db, ctx->err), KAM_OK);
    CHECK_EQ_INT(write_one(&f, 11), KAM_OK);
    CHECK_EQ_INT(db_end(f.db, KAM_EINVAL, ctx->err), KAM_EINVAL);
    kam_error_clear(ctx->err);
    CHECK_EQ_INT(write_one(&f, 12), KAM_OK);
    CHECK_EQ_INT(db_end(f.db, KAM_OK, ctx->err), KAM_OK);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE seq IS NULL"), 0);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT seq FROM audit_head"), 4);
    /* In the order written: entity 10 then 12. */
    CHECK_EQ_INT(fixture_q64(&f, "SELECT entity_id FROM audit WHERE seq = 3"), 10);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT entity_id FROM audit WHERE seq = 4"), 12);
    struct audit_chain_report r;
    verify(&f, &r);
    CHECK(r.intact);
    CHECK_EQ_INT(r.rows, 4);
    /* A transaction that rolls back leaves neither rows nor a moved head. */
    CHECK_EQ_INT(db_begin(f.db, ctx->err), KAM_OK);
    CHECK_EQ_INT(write_one(&f, 13), KAM_OK);
    CHECK_EQ_INT(db_end(f.db, KAM_ECONFLICT, ctx->err), KAM_ECONFLICT);
    kam_error_clear(ctx->err);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit"), 4);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT seq FROM audit_head"), 4);
    fixture_close(&f);
}

TEST(audit_chain_commit_hook_chains_only_its_own_rows)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    CHECK(write_rows(&f, 2));
    /* A row slipped in without seq by something other than kam, then an audited commit: the
     * hook chains its own row only, so verify still names the stranger. */
    CHECK(exec(&f, "INSERT INTO audit (id, at, entity, entity_id, action, changes) VALUES (50, 1, "
                   "'thing', 1, 'delete', '{}')"));
    CHECK_EQ_INT(write_one(&f, 20), KAM_OK);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE seq IS NULL"), 1);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT seq FROM audit WHERE id = 50 OR seq IS NULL"), 0);
    struct audit_chain_report r;
    verify(&f, &r);
    CHECK(!r.intact);
    CHECK_EQ_INT(r.bad_id, 50);
    fixture_close(&f);
}

/* db_before_commit: a failing hook rolls the whole transaction back and is db_end's answer; done
 * runs either way. */
static int hook_done_calls;
static enum kam_err failing_hook(struct db *db, void *arg, struct kam_error *e)
{
    (void)db;
    (void)arg;
    return kam_fail(e, KAM_EBUSY, "", "hook refused");
}
static void hook_done(void *arg)
{
    (void)arg;
    hook_done_calls++;
}

TEST(db_before_commit_failure_rolls_back)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct kam_ctx *ctx = fixture_ctx(&f);
    hook_done_calls = 0;
    CHECK_EQ_INT(db_begin(f.db, ctx->err), KAM_OK);
    CHECK_EQ_INT(write_one(&f, 30), KAM_OK);
    CHECK_EQ_INT(db_before_commit(f.db, failing_hook, hook_done, NULL, ctx->err), KAM_OK);
    CHECK(db_commit_arg(f.db, failing_hook) == NULL); /* its arg is NULL: found, and NULL */
    CHECK_EQ_INT(db_end(f.db, KAM_OK, ctx->err), KAM_EBUSY);
    kam_error_clear(ctx->err);
    CHECK_EQ_INT(hook_done_calls, 1);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit"), 0);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT seq FROM audit_head"), 0);
    /* The next transaction has no hooks left over. */
    CHECK_EQ_INT(write_one(&f, 31), KAM_OK);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE seq = 1"), 1);
    CHECK_EQ_INT(hook_done_calls, 1);
    /* Outside a transaction there is nothing to hook. */
    CHECK_EQ_INT(db_before_commit(f.db, failing_hook, NULL, NULL, ctx->err), KAM_EINTERNAL);
    kam_error_clear(ctx->err);
    fixture_close(&f);
}
