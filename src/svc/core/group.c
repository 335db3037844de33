/* group.c -- account groups added up (group.h). */
#include "group.h"

#include <string.h>

#include "policy.h"
#include "store/db.h"
#include "store/sqlb.h"

void group_sql(struct kam_ctx *ctx, struct sqlb *b, int64_t account_id)
{
    if (!policy_list_scoped(&ctx->who)) {
        sqlb_sql(b, GROUP_IDS_SQL);
        sqlb_i64(b, account_id);
        return;
    }
    sqlb_sql(b, "(" POLICY_SCOPE_WITH
                ", grp(id) AS (SELECT CAST(? AS BIGINT) UNION SELECT ga.id FROM accounts ga JOIN "
                "grp ON ga.parent_id = grp.id) SELECT accounts.id FROM accounts WHERE accounts.id "
                "IN (SELECT id FROM grp) AND " POLICY_SCOPE_COND ")");
    sqlb_i64(b, ctx->who.user_id);
    sqlb_i64(b, ctx->who.user_id);
    sqlb_i64(b, account_id);
}

enum kam_err group_extent(struct kam_ctx *ctx, int64_t account_id, int64_t *subs, int64_t *hidden)
{
    *subs = *hidden = 0;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, scoped ? "SELECT COUNT(*), SUM(CASE WHEN " POLICY_SCOPE_COND
                          " THEN 0 ELSE 1 END) FROM accounts WHERE accounts.id <> ? AND "
                          "accounts.id IN " GROUP_IDS_SQL
                        : "SELECT COUNT(*), 0 FROM accounts WHERE accounts.id <> ? AND "
                          "accounts.id IN " GROUP_IDS_SQL);
    sqlb_i64(&b, account_id);
    sqlb_i64(&b, account_id);
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        *subs = db_col_i64(st, 0);
        *hidden = db_col_is_null(st, 1) ? 0 : db_col_i64(st, 1);
    }
    db_done(st);
    return rc;
}

enum kam_err group_ids(struct kam_ctx *ctx, int64_t account_id, const char *field, int64_t **ids,
                       size_t *n)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT accounts.id FROM accounts WHERE accounts.id <> ? AND accounts.id "
                 "IN " GROUP_IDS_SQL);
    sqlb_i64(&b, account_id);
    sqlb_i64(&b, account_id);
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    sqlb_sql(&b, " ORDER BY accounts.id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    size_t cap = 16;
    int64_t *v = arena_alloc(ctx->a, cap * sizeof *v);
    v[0] = account_id;
    *n = 1;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (*n == GROUP_MAX_IDS) {
            rc = kam_fail(ctx->err, KAM_EINVAL, field, "a group of more than %d accounts",
                          GROUP_MAX_IDS);
            break;
        }
        if (*n == cap) {
            int64_t *w = arena_alloc(ctx->a, cap * 2 * sizeof *w);
            memcpy(w, v, cap * sizeof *w);
            v = w;
            cap *= 2;
        }
        v[(*n)++] = db_col_i64(st, 0);
    }
    db_done(st);
    *ids = v;
    return rc;
}

int group_has(const int64_t *ids, size_t n, int64_t id)
{
    if (n && ids[0] == id)
        return 1;
    size_t lo = 1, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] == id)
            return 1;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}
