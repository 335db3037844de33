/* group.h -- account groups: a group and its subsidiaries (accounts.parent_id, any depth)
 * added up. The one mechanism every roll-up uses (the volume dashboard and its forecast, the
 * wallet, the value score), so a group's figures are the same on every screen.
 *
 * Scope: a roll-up a caller reads adds up only the accounts the caller may read -- the
 * group's subsidiaries outside their record scope are left out, and group_extent() says how
 * many were, so a screen can say "n subsidiaries not visible" instead of a total that differs
 * silently. The value score is the company's figure of the account (the same for everyone,
 * computed by the scheduler too), so it rolls up the whole group.
 *
 * Cycles: account.c refuses a parent that is the account or a descendant; the recursion is
 * still cycle-safe (UNION drops a repeated id, so it ends on any data) and depth-safe (a
 * finite set of ids, whatever the depth). */
#ifndef KAM_GROUP_H
#define KAM_GROUP_H

#include <stdint.h>

#include "ctx.h"

/* A subquery: the ids of the account bound to its one `?` and of all its subsidiaries, at
 * any depth. Use as "... account_id IN " GROUP_IDS_SQL with sqlb_i64(b, account_id). Works
 * inside a statement that has its own WITH clause (SQLite and PostgreSQL). */
#define GROUP_IDS_SQL                                                                              \
    "(WITH RECURSIVE grp(id) AS (SELECT CAST(? AS BIGINT) UNION SELECT ga.id FROM accounts ga "    \
    "JOIN grp ON ga.parent_id = grp.id) SELECT id FROM grp)"

struct sqlb;
/* Appends a self-contained subquery "(...)" of the ids of account_id and of the subsidiaries
 * the caller may read, with its binds: "... account_id IN " then group_sql(). */
void group_sql(struct kam_ctx *ctx, struct sqlb *b, int64_t account_id);

/* The size of account_id's group: its subsidiaries at any depth (*subs) and how many of them
 * the caller may not read (*hidden; 0 for org-wide readers). */
enum kam_err group_extent(struct kam_ctx *ctx, int64_t account_id, int64_t *subs, int64_t *hidden);

/* The ids of account_id and of the subsidiaries the caller may read (the account first, the
 * rest ascending; in ctx->a), at most GROUP_MAX_IDS: more is KAM_EINVAL on field. */
#define GROUP_MAX_IDS 10000
enum kam_err group_ids(struct kam_ctx *ctx, int64_t account_id, const char *field, int64_t **ids,
                       size_t *n);
/* Whether id is one of ids[0..n) (as group_ids returns them). */
int group_has(const int64_t *ids, size_t n, int64_t id);

#endif
