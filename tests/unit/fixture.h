/* fixture.h -- the database fixture the service unit tests share: a fresh database, an arena,
 * the error and a context acting as the system administrator, with a cheap password hash so
 * users made in a test log in without 50 ms per try.
 *
 * A test file whose fixture needs nothing more uses struct fixture as it is; one with its own
 * world (seed records, role tables) embeds it in a struct of its own. */
#ifndef KAM_UNIT_FIXTURE_H
#define KAM_UNIT_FIXTURE_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "store/db.h"
#include "svc/core/ctx.h"

#define FIXTURE_MEMORY "sqlite::memory:" /* a fresh in-memory database per fixture_open */
#define FIXTURE_PW "correct-horse-1"     /* the password fixture_cheap_hash hashes */

struct fixture {
    struct db *db;
    struct arena a;
    struct kam_error e;
    struct kam_ctx ctx; /* db, &a, &e; who and now as fixture_open and fixture_as set them */
};

/* An argon2id hash of FIXTURE_PW with libsodium's smallest parameters, computed once; static
 * storage, "" if libsodium refused. */
const char *fixture_cheap_hash(void);

/* Opens dsn (FIXTURE_MEMORY, or a file for tests that need several connections; db_open creates
 * and migrates it), wires f->ctx to it acting as the system (user 0, ROLE_ADMIN) at the clock
 * `now`, and makes fixture_cheap_hash() the hash of every user created until fixture_close.
 * Returns 1; 0 after a failed CHECK when the database does not open (f then holds nothing to
 * close). */
int fixture_open(struct fixture *f, const char *dsn, int64_t now);

/* Ends a set-up that chains its steps as `ok = ok && !step(...)`: CHECKs ok and, when a step
 * failed, prints the error that stopped it and closes f. Returns ok. */
int fixture_setup_end(struct fixture *f, int ok);

/* Ends the hash override, closes the database and frees the arena; not f itself. */
void fixture_close(struct fixture *f);

/* The context with a cleared error (kam_fail keeps the first error). */
struct kam_ctx *fixture_ctx(struct fixture *f);

/* Acts as user_id with role r (login "tester"); fixture_as(f, 0, ROLE_ADMIN) is the system. */
void fixture_as(struct fixture *f, int64_t user_id, enum role r);

/* CHECKs that a call returned want and left want and field in f->e. */
void fixture_check_err(struct fixture *f, enum kam_err rc, enum kam_err want, const char *field);

/* Integer column 0 of the first row of sql (no parameters); -1, with a note on stderr, if the
 * query fails. */
int64_t fixture_q64(struct fixture *f, const char *sql);

/* Creates user `login` (name = login, password FIXTURE_PW, in team `team` unless 0) as the
 * system, then acts as before. Returns its id; 0 after a failed CHECK. */
int64_t fixture_add_user(struct fixture *f, const char *login, const char *role, int64_t team);

/* ---- PostgreSQL (tests skipped without KAM_TEST_PG_DSN) ---- */

/* Creates a fresh database next to KAM_TEST_PG_DSN's, named prefix_PID_N: its DSN in out, its
 * name in name. 0 when the variable is not set (noted on stderr: the test is skipped) or after a
 * failed CHECK when the database cannot be made. */
int fixture_pg_fresh(const char *prefix, char *out, size_t n, char *name, size_t nn);
/* Drops a database fixture_pg_fresh made, closing its sessions. */
void fixture_pg_drop(const char *name);
/* Waits (up to 5 s) until a session of dsn's database waits for a lock; 1 if one did. */
int fixture_pg_lock_wait(const char *dsn);

#endif
