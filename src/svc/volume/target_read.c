/* target_read.c -- reading plans' cells: the grid, the adjustment log, bottom-up proposals
 * against the top-down split, and target sums for KPIs. */
#include "target.h"
#include "target_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"

/* ---- reading ---- */

static const char *dim_col(unsigned dim)
{
    switch (dim) {
    case TD_ACCOUNT:
        return "CAST(c.account_id AS TEXT)";
    case TD_FAMILY:
        return "c.family";
    case TD_REGION:
        return "c.region";
    case TD_CHANNEL:
        return "c.channel";
    case TD_MONTH:
        return "CAST(c.month AS TEXT)";
    case TD_OWNER:
        return "CAST(c.owner_id AS TEXT)";
    case TD_TEAM:
        return "CAST(c.team_id AS TEXT)";
    }
    return "''";
}

/* The label of a row key: the account's, the owner's or the team's name, else the key. */
static const char *label_col(unsigned dim)
{
    switch (dim) {
    case TD_ACCOUNT:
        return "a.name";
    case TD_OWNER:
        return "u.name";
    case TD_TEAM:
        return "t.name";
    }
    return dim_col(dim);
}

static const char *label_join(unsigned dim)
{
    switch (dim) {
    case TD_ACCOUNT:
        return "LEFT JOIN accounts a ON a.id = c.account_id";
    case TD_OWNER:
        return "LEFT JOIN users u ON u.id = c.owner_id";
    case TD_TEAM:
        return "LEFT JOIN teams t ON t.id = c.team_id";
    }
    return "";
}

/* Appends the filter and the caller's scope on cells c. */
static void cell_where(struct kam_ctx *ctx, struct sqlb *b, const struct target_sel *f, int scoped)
{
    if (f->account_id) {
        sqlb_sql(b, " AND c.account_id = ?");
        sqlb_i64(b, f->account_id);
    }
    if (f->month) {
        sqlb_sql(b, " AND c.month = ?");
        sqlb_i64(b, f->month);
    }
    if (f->owner_id) {
        sqlb_sql(b, " AND c.owner_id = ?");
        sqlb_i64(b, f->owner_id);
    }
    if (f->team_id) {
        sqlb_sql(b, " AND c.team_id = ?");
        sqlb_i64(b, f->team_id);
    }
    const char *const t[][2] = {{" AND c.family = ?", f->family},
                                {" AND c.region = ?", f->region},
                                {" AND c.channel = ?", f->channel}};
    for (int i = 0; i < 3; i++)
        if (t[i][1]) {
            sqlb_sql(b, t[i][0]);
            sqlb_text(b, t[i][1]);
        }
    (void)ctx;
    /* A scoped reader sees the cells of their accounts and, in a plan by owner or team, of
     * the people and teams they see (policy_kpi_lines: themselves, the people and teams they
     * lead). */
    if (scoped)
        sqlb_sql(b, " AND (c.account_id = 0 OR c.account_id IN (SELECT accounts.id FROM accounts "
                    "WHERE " POLICY_SCOPE_COND ")) AND " TARGET_CELL_PEOPLE_COND);
}

static int key_index(const char **keys, size_t n, const char *k)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(keys[i], k))
            return (int)i;
    return -1;
}

enum kam_err target_grid(struct kam_ctx *ctx, int64_t id, unsigned rows_dim, unsigned cols_dim,
                         const struct target_sel *filter, struct target_grid *out)
{
    memset(out, 0, sizeof *out);
    struct target_plan p;
    enum kam_err rc = target_get(ctx, id, &p);
    if (rc)
        return rc;
    /* A plan by owner records each owner's team too: it rolls up by team. */
    unsigned dims = p.dims | (p.dims & TD_OWNER ? TD_TEAM : 0);
    if ((rows_dim && !(dims & rows_dim)) || (cols_dim && !(dims & cols_dim)))
        return kam_fail(ctx->err, KAM_EINVAL, rows_dim && !(dims & rows_dim) ? "rows" : "cols",
                        "the plan is not split by that dimension");
    out->rows_dim = rows_dim;
    out->cols_dim = cols_dim;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    char sql[600];
    snprintf(sql, sizeof sql,
             "SELECT %s, %s, SUM(c.value), SUM(c.locked), COUNT(*), %s%s%s FROM target_cells c "
             "%s WHERE c.plan_id = ?",
             dim_col(rows_dim), dim_col(cols_dim), rows_dim ? "MIN(" : "", label_col(rows_dim),
             rows_dim ? ")" : "", label_join(rows_dim));
    sqlb_sql(&b, sql);
    sqlb_i64(&b, id);
    cell_where(ctx, &b, filter, scoped);
    /* PostgreSQL refuses a constant in GROUP BY: group by the dims that vary only. */
    if (rows_dim || cols_dim) {
        snprintf(sql, sizeof sql, " GROUP BY %s%s%s", rows_dim ? dim_col(rows_dim) : "",
                 rows_dim && cols_dim ? ", " : "", cols_dim ? dim_col(cols_dim) : "");
        sqlb_sql(&b, sql);
    }
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    size_t cap = 2048, nr = 0;
    struct {
        const char *r, *c, *label;
        int64_t v, locked, count;
    } *raw = arena_calloc(ctx->a, cap, sizeof *raw);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (nr == cap) {
            void *bigger = arena_calloc(ctx->a, cap * 2, sizeof *raw);
            memcpy(bigger, raw, nr * sizeof *raw);
            raw = bigger;
            cap *= 2;
        }
        raw[nr].r = arena_strdup(ctx->a, db_col_text(st, 0));
        raw[nr].c = arena_strdup(ctx->a, db_col_text(st, 1));
        raw[nr].v = db_col_i64(st, 2);
        raw[nr].locked = db_col_i64(st, 3);
        raw[nr].count = db_col_i64(st, 4);
        raw[nr].label = arena_strdup(ctx->a, db_col_text(st, 5));
        nr++;
    }
    db_done(st);
    if (rc)
        return rc;
    /* Columns and rows in key order (months numerically). */
    const char **cols = arena_calloc(ctx->a, nr + 1, sizeof *cols);
    const char **rows = arena_calloc(ctx->a, nr + 1, sizeof *rows);
    const char **labels = arena_calloc(ctx->a, nr + 1, sizeof *labels);
    size_t nc = 0, nrow = 0;
    for (size_t i = 0; i < nr; i++) {
        if (key_index(cols, nc, raw[i].c) < 0)
            cols[nc++] = raw[i].c;
        if (key_index(rows, nrow, raw[i].r) < 0) {
            labels[nrow] = raw[i].label;
            rows[nrow++] = raw[i].r;
        }
    }
    const unsigned numeric = TD_MONTH | TD_ACCOUNT | TD_OWNER | TD_TEAM;
    int numeric_c = (cols_dim & numeric) != 0;
    int numeric_r = (rows_dim & numeric) != 0;
    for (size_t i = 1; i < nc; i++)
        for (size_t j = i; j > 0; j--) {
            int less =
                numeric_c ? atoll(cols[j]) < atoll(cols[j - 1]) : strcmp(cols[j], cols[j - 1]) < 0;
            if (!less)
                break;
            const char *t = cols[j];
            cols[j] = cols[j - 1];
            cols[j - 1] = t;
        }
    for (size_t i = 1; i < nrow; i++)
        for (size_t j = i; j > 0; j--) {
            int less =
                numeric_r ? atoll(rows[j]) < atoll(rows[j - 1]) : strcmp(rows[j], rows[j - 1]) < 0;
            if (!less)
                break;
            const char *t = rows[j], *l = labels[j];
            rows[j] = rows[j - 1];
            labels[j] = labels[j - 1];
            rows[j - 1] = t;
            labels[j - 1] = l;
        }
    out->cols = cols;
    out->col_labels = cols;
    /* Columns of accounts, owners or teams are named (rows are, through the query). */
    const char *name_sql = cols_dim == TD_ACCOUNT ? "SELECT name FROM accounts WHERE id = ?"
                           : cols_dim == TD_OWNER ? "SELECT name FROM users WHERE id = ?"
                           : cols_dim == TD_TEAM  ? "SELECT name FROM teams WHERE id = ?"
                                                  : NULL;
    if (name_sql && nc) {
        const char **cl = arena_calloc(ctx->a, nc, sizeof *cl);
        for (size_t i = 0; i < nc && !rc; i++) {
            cl[i] = cols[i];
            if ((rc = db_prepare(ctx->db, name_sql, &st, ctx->err)))
                break;
            db_bind_i64(st, 1, atoll(cols[i]));
            if (!(rc = db_step(st, &row, ctx->err)) && row)
                cl[i] = arena_strdup(ctx->a, db_col_text(st, 0));
            db_done(st);
        }
        if (rc)
            return rc;
        out->col_labels = cl;
    }
    out->ncols = nc;
    out->col_totals = arena_calloc(ctx->a, nc + 1, sizeof *out->col_totals);
    out->rows = arena_calloc(ctx->a, nrow + 1, sizeof *out->rows);
    out->nrows = nrow;
    for (size_t i = 0; i < nrow; i++) {
        out->rows[i].key = rows[i];
        out->rows[i].label = labels[i];
        out->rows[i].cells = arena_calloc(ctx->a, nc + 1, sizeof *out->rows[i].cells);
        for (size_t j = 0; j < nc; j++)
            out->rows[i].cells[j].col = cols[j];
    }
    for (size_t i = 0; i < nr; i++) {
        int r = key_index(rows, nrow, raw[i].r), c = key_index(cols, nc, raw[i].c);
        struct target_gcell *g = &out->rows[r].cells[c];
        g->value = raw[i].v;
        g->locked = raw[i].locked == 0 ? 0 : raw[i].locked == raw[i].count ? 2 : 1;
        out->rows[r].total += raw[i].v;
        out->col_totals[c] += raw[i].v;
        out->total += raw[i].v;
    }
    return KAM_OK;
}

static void read_adj(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct target_adjustment *a = out;
    a->id = db_col_i64(st, 0);
    a->selection = arena_strdup(ctx->a, db_col_text(st, 1));
    a->action = arena_strdup(ctx->a, db_col_text(st, 2));
    a->has_from = !db_col_is_null(st, 3);
    a->from_value = db_col_i64(st, 3);
    a->has_to = !db_col_is_null(st, 4);
    a->to_value = db_col_i64(st, 4);
    a->reason = arena_strdup(ctx->a, db_col_text(st, 5));
    a->has_user = !db_col_is_null(st, 6);
    a->user_id = db_col_i64(st, 6);
    a->user_login = arena_strdup(ctx->a, db_col_text(st, 7));
    a->at = db_col_i64(st, 8);
}

/* A scoped reader sees the whole plan's adjustments (its total, its decomposition), those
 * whose selection names an account, person or team they see (as cell_where), and the others
 * only on a plan split by none of account, owner and team (whose cells they all see). */
enum kam_err target_adjustments(struct kam_ctx *ctx, int64_t id,
                                struct target_adjustment **items_out, size_t *n_out)
{
    struct target_plan p;
    enum kam_err rc = target_get(ctx, id, &p);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT j.id, j.selection, j.action, j.from_value, j.to_value, j.reason, "
                 "j.user_id, COALESCE(u.login, ''), j.at FROM target_adjustments j LEFT JOIN "
                 "users u ON u.id = j.user_id WHERE j.plan_id = ?");
    sqlb_i64(&b, id);
    if (scoped) {
        sqlb_sql(&b, " AND (j.selection = '' OR (j.account_id = 0 AND j.owner_id = 0 AND "
                     "j.team_id = 0 AND ? = 0) OR ((j.account_id <> 0 OR j.owner_id <> 0 OR "
                     "j.team_id <> 0) AND (j.account_id = 0 OR j.account_id IN (SELECT "
                     "accounts.id FROM accounts WHERE " POLICY_SCOPE_COND ")) AND ((j.owner_id = "
                     "0 AND j.team_id = 0) OR j.owner_id IN (SELECT uid FROM sub) OR (j.owner_id "
                     "= 0 AND j.team_id IN (SELECT id FROM mt)))))");
        sqlb_i64(&b, (p.dims & (TD_ACCOUNT | TD_OWNER | TD_TEAM)) != 0);
    }
    sqlb_sql(&b, " ORDER BY j.id DESC LIMIT 500");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    return rows_collect(ctx, st, 500, read_adj, sizeof **items_out, (void **)items_out, n_out);
}

enum kam_err target_propose(struct kam_ctx *ctx, int64_t plan_id, int64_t account_id, int64_t value,
                            const char *note)
{
    enum kam_err rc;
    if ((rc = check_range(ctx, "value", value, 0, INT64_C(1000000000000000))) ||
        (rc = check_text(ctx, "note", note, 0, 2000, 1)) || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct target_plan p;
    if ((rc = target_get(ctx, plan_id, &p))) {
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            rc = kam_fail(ctx->err, KAM_ENOTFOUND, "plan_id", "no such target plan");
        }
        goto out;
    }
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO target_proposals (plan_id, account_id, value, note, user_id, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (plan_id, account_id) "
                         "DO UPDATE SET value = excluded.value, note = excluded.note, user_id = "
                         "excluded.user_id, updated_at = excluded.updated_at",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, plan_id);
    db_bind_i64(st, 2, account_id);
    db_bind_i64(st, 3, value);
    db_bind_text(st, 4, note ? note : "");
    db_bind_i64n(st, 5, ctx->who.user_id, !ctx->who.user_id);
    db_bind_i64(st, 6, ctx->now);
    rc = db_run(st, ctx->err);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "plan_id", 0, 1, plan_id, 0);
    audit_diff_i64(&d, "value", 0, 1, value, 0);
    audit_diff_str(&d, "note", NULL, note ? note : "");
    rc = audit_write(ctx, "target_proposal", plan_id, account_id, "update", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err target_bottom_up(struct kam_ctx *ctx, int64_t id, int by_region,
                              struct target_bu **items_out, size_t *n_out, int64_t *td_total,
                              int64_t *proposal_total)
{
    struct target_plan p;
    enum kam_err rc = target_get(ctx, id, &p);
    if (rc)
        return rc;
    if (!(p.dims & TD_ACCOUNT))
        return kam_fail(ctx->err, KAM_EINVAL, "id",
                        "the plan is not split by account: there is nothing to compare");
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    const char *k = by_region ? "accounts.region" : "CAST(accounts.id AS TEXT)";
    char sql[900];
    snprintf(sql, sizeof sql,
             "SELECT %s, MIN(%s), SUM(x.td), SUM(x.pr), SUM(x.has) FROM (SELECT c.account_id AS "
             "aid, SUM(c.value) AS td, 0 AS pr, 0 AS has FROM target_cells c WHERE c.plan_id = ? "
             "GROUP BY c.account_id UNION ALL SELECT t.account_id, 0, t.value, 1 FROM "
             "target_proposals t WHERE t.plan_id = ?) x JOIN accounts ON accounts.id = x.aid "
             "WHERE 1 = 1",
             k, by_region ? "accounts.region" : "accounts.name");
    sqlb_sql(&b, sql);
    sqlb_i64(&b, id);
    sqlb_i64(&b, id);
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    snprintf(sql, sizeof sql, " GROUP BY %s ORDER BY 3 DESC, 1 LIMIT 5000", k);
    sqlb_sql(&b, sql);
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    struct target_bu *items = arena_calloc(ctx->a, 5000, sizeof *items);
    size_t n = 0;
    int row = 0;
    *td_total = *proposal_total = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < 5000) {
        items[n].key = arena_strdup(ctx->a, db_col_text(st, 0));
        items[n].label = arena_strdup(ctx->a, db_col_text(st, 1));
        items[n].top_down = db_col_i64(st, 2);
        items[n].proposal = db_col_i64(st, 3);
        items[n].has_proposal = db_col_i64(st, 4) > 0;
        *td_total += items[n].top_down;
        *proposal_total += items[n].proposal;
        n++;
    }
    db_done(st);
    *items_out = items;
    *n_out = n;
    return rc;
}

enum kam_err target_sum(struct kam_ctx *ctx, const struct target_plan *p,
                        const struct target_sel *sel, int m_from, int m_to, int64_t *out)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT COALESCE(SUM(c.value), 0) FROM target_cells c WHERE c.plan_id = ?");
    sqlb_i64(&b, p->id);
    struct target_sel f = *sel;
    f.month = 0;
    cell_where(ctx, &b, &f, scoped);
    int by_month = (p->dims & TD_MONTH) != 0;
    if (by_month) {
        sqlb_sql(&b, " AND c.month >= ? AND c.month <= ?");
        sqlb_i64(&b, m_from);
        sqlb_i64(&b, m_to);
    }
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t v = row ? db_col_i64(st, 0) : 0;
    db_done(st);
    *out = by_month ? v : v * (m_to - m_from + 1) / 12;
    return rc;
}
