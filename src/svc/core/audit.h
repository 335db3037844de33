/* audit.h -- the audit log: who changed what, when, before -> after.
 *
 * Services collect the changed fields of one record in a struct audit_diff and write it with
 * audit_write() inside the transaction that makes the change, so the log and the data never
 * disagree. `changes` is a JSON object {"field": [before, after], ...}.
 *
 * The log is a hash chain: each row has seq (1, 2, 3, ... with no gaps), prev_hash (the hash of
 * row seq - 1, 64 zeros for seq 1) and hash, BLAKE2b-256 (lowercase hex) of a length-prefixed
 * encoding of the row's stored fields (seq, id, at, user_id, entity, entity_id, account_id,
 * action, changes) and prev_hash. The one-row table audit_head holds the last seq and hash;
 * audit_write updates it in the caller's transaction, which serialises audited writes (the row
 * lock on PostgreSQL, the single writer on SQLite). audit_chain_verify recomputes the chain. */
#ifndef KAM_AUDIT_H
#define KAM_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/jw.h"
#include "ctx.h"

struct audit_diff {
    struct buf b;
    struct jw w;
    int n; /* fields recorded */
};

void audit_diff_init(struct audit_diff *d);
void audit_diff_release(struct audit_diff *d);
/* Records field when before != after (NULL is null; strings compared by content). */
void audit_diff_str(struct audit_diff *d, const char *field, const char *before, const char *after);
/* Records field when the values (or their nullness) differ. */
void audit_diff_i64(struct audit_diff *d, const char *field, int64_t before, int before_null,
                    int64_t after, int after_null);

/* Like audit_diff_i64 for unix times, recorded as ISO 8601 strings like every API time. */
void audit_diff_time(struct audit_diff *d, const char *field, int64_t before, int before_null,
                     int64_t after, int after_null);

/* Writes one audit row (account_id 0 = none) with d's changes and releases d. An update that
 * changed nothing writes nothing. */
enum kam_err audit_write(struct kam_ctx *ctx, const char *entity, int64_t entity_id,
                         int64_t account_id, const char *action, struct audit_diff *d);

/* Chains the rows written before the chain existed (migration 0008 marks them: audit_head's
 * unchained flag), in id order, after the head, and clears the flag; nothing when it is clear.
 * Opens its own transaction (nested in the caller's, if any). audit_write calls it first, so
 * calling it elsewhere (kam audit verify) only makes an upgraded database verifiable before
 * its next audited write. *chained_out (may be NULL): rows chained. */
enum kam_err audit_chain_backfill(struct kam_ctx *ctx, int64_t *chained_out);

#define AUDIT_HASH_HEX 65 /* 64 hex digits and the NUL */

/* The head: the last row's seq (0: empty chain) and hash. */
enum kam_err audit_chain_head(struct kam_ctx *ctx, int64_t *seq_out, char hash_out[AUDIT_HASH_HEX]);

/* What audit_chain_verify found. */
struct audit_chain_report {
    int intact;       /* 1: every row and the head check out */
    int64_t rows;     /* rows walked (seq 1 .. head) */
    int64_t head_seq; /* the head as stored */
    char head_hash[AUDIT_HASH_HEX];
    /* When not intact: the first problem in seq order. bad_seq is the seq of the row that was
     * changed or the first one missing; bad_id its id (0 when the row is gone). */
    int64_t bad_seq, bad_id;
    char problem[240];
};

/* Walks the chain in seq order up to the head (rows committed while it runs, beyond the head it
 * read first, are left for the next run), recomputes every hash and reports the first row that
 * was changed (its hash does not match its content, or the next row was chained to another
 * hash), removed (a gap in seq; rows missing after the last one per the head), or added
 * outside kam (a row without seq, or beyond the head). KAM_OK with out->intact 0 for a broken
 * chain; errors only for database failures. Reads only: run audit_chain_backfill first on a
 * database upgraded from before the chain. */
enum kam_err audit_chain_verify(struct kam_ctx *ctx, struct audit_chain_report *out);

struct audit_row {
    int64_t id, at, user_id, entity_id, account_id;
    const char *user_login, *entity, *action, *changes; /* changes: JSON text */
    const char *user_name; /* the actor's display name (the login when the name is empty) */
    /* The currency of the row's money fields when its changes do not name one: the base
     * currency for wallet estimates, target plans and proposals and 4P measures (of amount),
     * the account's currency for an account row that changed its revenue amount only; NULL
     * otherwise. */
    const char *currency;
};

struct audit_query {
    const char *entity; /* required */
    int64_t entity_id;  /* required */
    int limit;
    int64_t before_id; /* 0: from the newest */
};

/* Rows newest first; for entity "account" every row of the account (account_id = id) but those
 * of records the caller's role may not read (contact, order_line, follow_up, ...).
 * *items_out in ctx->a; *more_out 1 if rows remain beyond limit. */
enum kam_err audit_list(struct kam_ctx *ctx, const struct audit_query *q,
                        struct audit_row **items_out, size_t *n_out, int *more_out);

/* The account an audited record belongs to (0 when none), from the log itself, so history of
 * deleted records stays reachable; KAM_ENOTFOUND if the log has no row for it. */
enum kam_err audit_account_of(struct kam_ctx *ctx, const char *entity, int64_t entity_id,
                              int64_t *account_id_out);

#endif
