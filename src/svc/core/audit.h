/* audit.h -- the audit log: who changed what, when, before -> after.
 *
 * Services collect the changed fields of one record in a struct audit_diff and write it with
 * audit_write() inside the transaction that makes the change, so the log and the data never
 * disagree. `changes` is a JSON object {"field": [before, after], ...}. */
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

struct audit_row {
    int64_t id, at, user_id, entity_id, account_id;
    const char *user_login, *entity, *action, *changes; /* changes: JSON text */
};

struct audit_query {
    const char *entity; /* required */
    int64_t entity_id;  /* required */
    int limit;
    int64_t before_id; /* 0: from the newest */
};

/* Rows newest first; for entity "account" every row of the account (account_id = id).
 * *items_out in ctx->a; *more_out 1 if rows remain beyond limit. */
enum kam_err audit_list(struct kam_ctx *ctx, const struct audit_query *q,
                        struct audit_row **items_out, size_t *n_out, int *more_out);

/* The account an audited record belongs to (0 when none), from the log itself, so history of
 * deleted records stays reachable; KAM_ENOTFOUND if the log has no row for it. */
enum kam_err audit_account_of(struct kam_ctx *ctx, const char *entity, int64_t entity_id,
                              int64_t *account_id_out);

#endif
