/* payout.c -- payout statements: computing, the workflow, lists, the payroll, the simulator
 * (payout.h). */
#include "payout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"

const char *const payout_statuses[] = {"draft", "submitted", "approved", "rejected", "paid", NULL};

static const char *day_text(struct kam_ctx *ctx, int64_t days)
{
    int y, m, d;
    days_to_date(days, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

/* The kind of a period label: "2026" year, "2026-Q3" quarter, "2026-07" month. */
static const char *label_kind(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 4)
        return "year";
    if (n == 7 && s[5] == 'Q')
        return "quarter";
    return "month";
}

/* ---- reading ---- */

#define SCOLS                                                                                      \
    "s.id, s.plan_id, p.name, s.user_id, u.login, CASE WHEN u.name = '' THEN u.login ELSE u.name " \
    "END, s.period_start, s.period_end, s.currency, s.total, s.status, s.approved_by, "            \
    "s.approved_at, s.plan_version, s.target, s.credited, s.attainment_bp, s.reason, "             \
    "s.computed_at, s.version, s.created_at, s.updated_at, p.period_kind"
#define SFROM                                                                                      \
    " FROM payout_statements s JOIN commission_plans p ON p.id = s.plan_id JOIN users u ON u.id "  \
    "= s.user_id"

static void stmt_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct payout *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->plan_id = db_col_i64(st, 1);
    x->plan_name = arena_strdup(ctx->a, db_col_text(st, 2));
    x->user_id = db_col_i64(st, 3);
    x->user_login = arena_strdup(ctx->a, db_col_text(st, 4));
    x->user_name = arena_strdup(ctx->a, db_col_text(st, 5));
    x->period_start = arena_strdup(ctx->a, db_col_text(st, 6));
    x->period_end = arena_strdup(ctx->a, db_col_text(st, 7));
    x->currency = arena_strdup(ctx->a, db_col_text(st, 8));
    x->total = db_col_i64(st, 9);
    x->status = arena_strdup(ctx->a, db_col_text(st, 10));
    x->has_approved_by = !db_col_is_null(st, 11);
    x->approved_by = x->has_approved_by ? db_col_i64(st, 11) : 0;
    x->has_approved_at = !db_col_is_null(st, 12);
    x->approved_at = x->has_approved_at ? db_col_i64(st, 12) : 0;
    x->plan_version = db_col_i64(st, 13);
    x->has_target = !db_col_is_null(st, 14);
    x->target = x->has_target ? db_col_i64(st, 14) : 0;
    x->credited = db_col_i64(st, 15);
    x->has_attainment = !db_col_is_null(st, 16);
    x->attainment_bp = x->has_attainment ? db_col_i64(st, 16) : 0;
    x->reason = arena_strdup(ctx->a, db_col_text(st, 17));
    x->computed_at = db_col_i64(st, 18);
    x->version = db_col_i64(st, 19);
    x->created_at = db_col_i64(st, 20);
    x->updated_at = db_col_i64(st, 21);
    x->period = comm_period_label(ctx, db_col_text(st, 22), x->period_start);
}

#define LCOLS                                                                                      \
    "l.id, l.seq, l.kind, l.reason, l.order_line_id, l.invoice_id, l.bonus_pool_id, "              \
    "l.account_id, a.name, l.family, l.day, l.line_amount, l.share_bp, l.basis, l.rate_bp, "       \
    "l.tier, l.multiplier_bp, l.amount"
#define LFROM " FROM payout_lines l LEFT JOIN accounts a ON a.id = l.account_id"

static void line_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct payout_line *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->seq = db_col_i64(st, 1);
    x->kind = arena_strdup(ctx->a, db_col_text(st, 2));
    x->reason = arena_strdup(ctx->a, db_col_text(st, 3));
    x->has_order_line = !db_col_is_null(st, 4);
    x->order_line_id = x->has_order_line ? db_col_i64(st, 4) : 0;
    x->has_invoice = !db_col_is_null(st, 5);
    x->invoice_id = x->has_invoice ? db_col_i64(st, 5) : 0;
    x->has_pool = !db_col_is_null(st, 6);
    x->bonus_pool_id = x->has_pool ? db_col_i64(st, 6) : 0;
    x->has_account = !db_col_is_null(st, 7);
    x->account_id = x->has_account ? db_col_i64(st, 7) : 0;
    x->account_name = db_col_is_null(st, 8) ? NULL : arena_strdup(ctx->a, db_col_text(st, 8));
    x->family = arena_strdup(ctx->a, db_col_text(st, 9));
    x->day = arena_strdup(ctx->a, db_col_text(st, 10));
    x->line_amount = db_col_i64(st, 11);
    x->share_bp = db_col_i64(st, 12);
    x->basis = db_col_i64(st, 13);
    x->rate_bp = db_col_i64(st, 14);
    x->tier = db_col_i64(st, 15);
    x->multiplier_bp = db_col_i64(st, 16);
    x->amount = db_col_i64(st, 17);
}

static enum kam_err lines_of(struct kam_ctx *ctx, struct payout *x, size_t max)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT " LCOLS LFROM " WHERE l.statement_id = ? ORDER BY l.seq LIMIT ?", &st,
        ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->id);
    db_bind_i64(st, 2, (int64_t)max + 1);
    if ((rc = rows_collect(ctx, st, max + 1, line_row, sizeof *x->lines, (void **)&x->lines,
                           &x->n_lines)))
        return rc;
    x->lines_more = x->n_lines > max;
    if (x->lines_more)
        x->n_lines = max;
    return KAM_OK;
}

enum kam_err payout_get(struct kam_ctx *ctx, int64_t id, int with_lines, struct payout *out)
{
    enum kam_err rc = row_get(ctx, "SELECT " SCOLS SFROM " WHERE s.id = ?", id, stmt_row, out,
                              "payout statement");
    if (!rc && with_lines)
        rc = lines_of(ctx, out, PAYOUT_LINES_INLINE);
    return rc;
}

/* ---- gathering one person's period ---- */

struct acct_w {
    int64_t account_id, w, sum_w;
};

struct gather {
    struct acct_w *acc;
    size_t n_acc, cap_acc;
};

static int64_t split_weight(const struct comm_plan *p, const char *role)
{
    if (!p->n_splits)
        return !strcmp(role, "owner") ? 10000 : 0;
    for (size_t i = 0; i < p->n_splits; i++)
        if (!strcmp(p->splits[i].dept_role, role))
            return p->splits[i].share_bp;
    return 0;
}

/* The person's weight on the account and the sum of everybody's (cached per account). */
static enum kam_err weight_on(struct kam_ctx *ctx, const struct comm_plan *p, struct gather *g,
                              int64_t user_id, int64_t account_id, int64_t *w, int64_t *sum_w)
{
    for (size_t i = 0; i < g->n_acc; i++)
        if (g->acc[i].account_id == account_id) {
            *w = g->acc[i].w;
            *sum_w = g->acc[i].sum_w;
            return KAM_OK;
        }
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT 'owner', owner_id FROM accounts WHERE id = ? AND owner_id "
                                 "IS NOT NULL UNION ALL SELECT dept_role, user_id FROM "
                                 "account_members WHERE account_id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_i64(st, 2, account_id);
    int64_t mine = 0, all = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        int64_t x = split_weight(p, db_col_text(st, 0));
        all += x;
        if (db_col_i64(st, 1) == user_id)
            mine += x;
    }
    db_done(st);
    if (rc)
        return rc;
    if (g->n_acc == g->cap_acc) {
        size_t cap = g->cap_acc ? g->cap_acc * 2 : 16;
        struct acct_w *n = arena_calloc(ctx->a, cap, sizeof *n);
        if (g->n_acc)
            memcpy(n, g->acc, g->n_acc * sizeof *n);
        g->acc = n;
        g->cap_acc = cap;
    }
    g->acc[g->n_acc++] = (struct acct_w){account_id, mine, all};
    *w = mine;
    *sum_w = all;
    return KAM_OK;
}

struct raw_sale {
    int64_t id, day, account_id, amount, cost;
    int no_cost;
    const char *family;
};

static void sale_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct raw_sale *x = row;
    x->id = db_col_i64(st, 0);
    x->day = db_col_i64(st, 1);
    x->account_id = db_col_i64(st, 2);
    x->family = arena_strdup(ctx->a, db_col_text(st, 3));
    x->amount = db_col_i64(st, 4);
    /* the standard cost of the line in base minor units: unit_cost x quantity (thousandths),
     * times the rate (base per unit, micro) unless the product is priced in the base currency */
    int same = db_col_i64(st, 8) != 0;
    x->no_cost = db_col_is_null(st, 5) || (!same && db_col_is_null(st, 7));
    if (!x->no_cost) {
        __int128 c = (__int128)db_col_i64(st, 5) * db_col_i64(st, 6) / 1000;
        if (!same)
            c = c * db_col_i64(st, 7) / 1000000;
        x->cost = (int64_t)c;
    }
}

struct raw_inv {
    int64_t id, account_id, amount, paid, amount_base;
    const char *due;
};

static void inv_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct raw_inv *x = row;
    x->id = db_col_i64(st, 0);
    x->account_id = db_col_i64(st, 1);
    x->due = arena_strdup(ctx->a, db_col_text(st, 2));
    x->amount = db_col_i64(st, 3);
    x->paid = db_col_i64(st, 4);
    x->amount_base = db_col_i64(st, 5);
}

#define MY_ACCOUNTS                                                                                \
    "(SELECT id FROM accounts WHERE owner_id = ? UNION SELECT account_id FROM account_members "    \
    "WHERE user_id = ?)"

/* The person's target for the period (commission.h). */
static enum kam_err target_of(struct kam_ctx *ctx, const struct comm_plan *p, int64_t user_id,
                              const char *start, int64_t start_day, int64_t end_day,
                              int64_t *target, int *has)
{
    *has = 0;
    *target = 0;
    for (size_t i = 0; i < p->n_targets; i++)
        if (p->targets[i].user_id == user_id && !strcmp(p->targets[i].period_start, start)) {
            *target = p->targets[i].amount;
            *has = 1;
            return KAM_OK;
        }
    int y0, m0, d0, y1, m1, d1;
    days_to_date(start_day, &y0, &m0, &d0);
    days_to_date(end_day, &y1, &m1, &d1);
    struct db_stmt *st;
    /* owner cells of approved amount plans: whole yuan (x100: minor units); a cell of the whole
     * year (month 0) counts months/12 of its value */
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT COUNT(*), COALESCE(SUM(CASE WHEN c.month = 0 THEN 0 ELSE "
                                 "c.value END), 0), COALESCE(SUM(CASE WHEN c.month = 0 THEN "
                                 "c.value ELSE 0 END), 0) FROM target_cells c JOIN target_plans t "
                                 "ON t.id = c.plan_id WHERE t.status = 'approved' AND t.measure = "
                                 "'amount' AND c.owner_id = ? AND t.year = ? AND (c.month = 0 OR "
                                 "c.month BETWEEN ? AND ?)",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, user_id);
    db_bind_i64(st, 2, y0);
    db_bind_i64(st, 3, m0);
    db_bind_i64(st, 4, m1);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row && db_col_i64(st, 0) > 0) {
        int months = m1 - m0 + 1;
        *target = db_col_i64(st, 1) * 100 + db_col_i64(st, 2) * 100 * months / 12;
        *has = *target > 0;
    }
    db_done(st);
    return rc;
}

/* One person's statement lines for the period, not written. */
static enum kam_err person_result(struct kam_ctx *ctx, const struct comm_plan *p, struct gather *g,
                                  int64_t user_id, const char *start, int64_t start_day,
                                  int64_t end_day, struct comm_result *res, int64_t *target,
                                  int *has_target)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT ol.id, ol.day, ol.account_id, pr.family, ol.amount_base, pr.unit_cost, "
        "ol.quantity, (SELECT fx.rate_micro FROM fx_rates fx WHERE fx.currency = pr.currency), "
        "CASE WHEN pr.currency = (SELECT value FROM settings WHERE key = 'base_currency') THEN 1 "
        "ELSE 0 END FROM order_lines ol JOIN products pr ON pr.id = ol.product_id WHERE ol.day "
        "BETWEEN ? AND ? AND ol.account_id IN " MY_ACCOUNTS " ORDER BY ol.day, ol.id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, start_day);
    db_bind_i64(st, 2, end_day);
    db_bind_i64(st, 3, user_id);
    db_bind_i64(st, 4, user_id);
    struct raw_sale *raw;
    size_t n_raw;
    if ((rc = rows_collect(ctx, st, 200000, sale_row, sizeof *raw, (void **)&raw, &n_raw)))
        return rc;
    struct comm_sale *sales = arena_calloc(ctx->a, n_raw + 1, sizeof *sales);
    size_t n = 0;
    for (size_t i = 0; i < n_raw; i++) {
        int64_t w, sum_w;
        if ((rc = weight_on(ctx, p, g, user_id, raw[i].account_id, &w, &sum_w)))
            return rc;
        if (w <= 0 || sum_w <= 0)
            continue;
        struct comm_sale *s = &sales[n++];
        s->order_line_id = raw[i].id;
        s->account_id = raw[i].account_id;
        s->day = raw[i].day;
        s->family = raw[i].family;
        s->line_amount = raw[i].amount;
        s->share_bp = w * 10000 / sum_w;
        s->credited = comm_credit(raw[i].amount, w, sum_w);
        if (!strcmp(p->basis, "margin")) {
            s->no_cost = raw[i].no_cost;
            s->basis = raw[i].no_cost ? 0 : comm_credit(raw[i].amount - raw[i].cost, w, sum_w);
        } else {
            s->basis = s->credited;
        }
    }
    struct comm_debt *debts = NULL;
    size_t nd = 0;
    if (p->bad_debt_days > 0) {
        if ((rc = db_prepare(ctx->db,
                             "SELECT id, account_id, due_day, amount, paid, amount_base FROM "
                             "invoices WHERE due_day BETWEEN ? AND ? AND paid < amount AND "
                             "amount > 0 AND account_id IN " MY_ACCOUNTS " ORDER BY due_day, id",
                             &st, ctx->err)))
            return rc;
        db_bind_text(st, 1, day_text(ctx, start_day - p->bad_debt_days));
        db_bind_text(st, 2, day_text(ctx, end_day - p->bad_debt_days));
        db_bind_i64(st, 3, user_id);
        db_bind_i64(st, 4, user_id);
        struct raw_inv *inv;
        size_t ni;
        if ((rc = rows_collect(ctx, st, 100000, inv_row, sizeof *inv, (void **)&inv, &ni)))
            return rc;
        debts = arena_calloc(ctx->a, ni + 1, sizeof *debts);
        for (size_t i = 0; i < ni; i++) {
            int64_t w, sum_w;
            if ((rc = weight_on(ctx, p, g, user_id, inv[i].account_id, &w, &sum_w)))
                return rc;
            if (w <= 0 || sum_w <= 0)
                continue;
            int y, m, d;
            if (date_parse(inv[i].due, &y, &m, &d))
                continue;
            struct comm_debt *x = &debts[nd++];
            x->invoice_id = inv[i].id;
            x->account_id = inv[i].account_id;
            x->unpaid = (int64_t)((__int128)inv[i].amount_base * (inv[i].amount - inv[i].paid) /
                                  inv[i].amount);
            x->share_bp = w * 10000 / sum_w;
            x->credited = comm_credit(x->unpaid, w, sum_w);
            x->day = day_text(ctx, date_to_days(y, m, d) + p->bad_debt_days);
        }
    }
    if ((rc = target_of(ctx, p, user_id, start, start_day, end_day, target, has_target)))
        return rc;
    struct comm_rules r = {.default_rate_bp = p->default_rate_bp,
                           .threshold_bp = p->threshold_bp,
                           .cap = p->cap,
                           .has_cap = p->has_cap,
                           .rates = p->rates,
                           .n_rates = p->n_rates,
                           .tiers = p->tiers,
                           .n_tiers = p->n_tiers};
    comm_compute(ctx->a, &r, *target, *has_target, sales, n, debts, nd, res);
    return KAM_OK;
}

static int has_id(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

/* Everyone who may have a line: owners and members of accounts with order lines (or, with bad
 * debt on, invoices) in the period, people with a target of the period. */
static enum kam_err candidates(struct kam_ctx *ctx, const struct comm_plan *p, const char *start,
                               int64_t start_day, int64_t end_day, int64_t **ids, size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT a.owner_id FROM accounts a WHERE a.owner_id IS NOT NULL AND EXISTS (SELECT 1 FROM "
        "order_lines ol WHERE ol.account_id = a.id AND ol.day BETWEEN ? AND ?) UNION SELECT "
        "m.user_id FROM account_members m WHERE EXISTS (SELECT 1 FROM order_lines ol WHERE "
        "ol.account_id = m.account_id AND ol.day BETWEEN ? AND ?) UNION SELECT user_id FROM "
        "commission_targets WHERE plan_id = ? AND period_start = ? UNION SELECT a.owner_id FROM "
        "accounts a WHERE a.owner_id IS NOT NULL AND ? > 0 AND EXISTS (SELECT 1 FROM invoices i "
        "WHERE i.account_id = a.id AND i.paid < i.amount AND i.due_day BETWEEN ? AND ?) UNION "
        "SELECT m.user_id FROM account_members m WHERE ? > 0 AND EXISTS (SELECT 1 FROM invoices "
        "i WHERE i.account_id = m.account_id AND i.paid < i.amount AND i.due_day BETWEEN ? AND "
        "?) ORDER BY 1",
        &st, ctx->err);
    if (rc)
        return rc;
    const char *lo = day_text(ctx, start_day - p->bad_debt_days),
               *hi = day_text(ctx, end_day - p->bad_debt_days);
    db_bind_i64(st, 1, start_day);
    db_bind_i64(st, 2, end_day);
    db_bind_i64(st, 3, start_day);
    db_bind_i64(st, 4, end_day);
    db_bind_i64(st, 5, p->id);
    db_bind_text(st, 6, start);
    db_bind_i64(st, 7, p->bad_debt_days);
    db_bind_text(st, 8, lo);
    db_bind_text(st, 9, hi);
    db_bind_i64(st, 10, p->bad_debt_days);
    db_bind_text(st, 11, lo);
    db_bind_text(st, 12, hi);
    size_t cap = 64;
    *ids = arena_calloc(ctx->a, cap, sizeof **ids);
    *n = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        if (*n == PAYOUT_PEOPLE_MAX)
            break;
        if (*n == cap) {
            int64_t *m = arena_calloc(ctx->a, cap * 2, sizeof *m);
            memcpy(m, *ids, cap * sizeof *m);
            *ids = m;
            cap *= 2;
        }
        (*ids)[(*n)++] = db_col_i64(st, 0);
    }
    db_done(st);
    if (rc || p->id)
        return rc;
    /* a plan not saved: its own targets of the period */
    for (size_t i = 0; i < p->n_targets && *n < PAYOUT_PEOPLE_MAX; i++) {
        if (strcmp(p->targets[i].period_start, start) || has_id(*ids, *n, p->targets[i].user_id))
            continue;
        if (*n == cap) {
            int64_t *m = arena_calloc(ctx->a, cap * 2, sizeof *m);
            memcpy(m, *ids, cap * sizeof *m);
            *ids = m;
            cap *= 2;
        }
        (*ids)[(*n)++] = p->targets[i].user_id;
    }
    return KAM_OK;
}

/* ---- writing ---- */

static enum kam_err insert_lines(struct kam_ctx *ctx, int64_t statement_id,
                                 const struct payout_line *l, size_t n)
{
    enum kam_err rc = KAM_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO payout_lines (statement_id, seq, kind, reason, "
                             "order_line_id, invoice_id, bonus_pool_id, account_id, family, day, "
                             "line_amount, share_bp, basis, rate_bp, tier, multiplier_bp, amount) "
                             "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, statement_id);
        db_bind_i64(st, 2, (int64_t)i + 1);
        db_bind_text(st, 3, l[i].kind);
        db_bind_text(st, 4, l[i].reason ? l[i].reason : "");
        db_bind_i64n(st, 5, l[i].order_line_id, !l[i].has_order_line);
        db_bind_i64n(st, 6, l[i].invoice_id, !l[i].has_invoice);
        db_bind_i64n(st, 7, l[i].bonus_pool_id, !l[i].has_pool);
        db_bind_i64n(st, 8, l[i].account_id, !l[i].has_account);
        db_bind_text(st, 9, l[i].family ? l[i].family : "");
        db_bind_text(st, 10, l[i].day ? l[i].day : "");
        db_bind_i64(st, 11, l[i].line_amount);
        db_bind_i64(st, 12, l[i].share_bp);
        db_bind_i64(st, 13, l[i].basis);
        db_bind_i64(st, 14, l[i].rate_bp);
        db_bind_i64(st, 15, l[i].tier);
        db_bind_i64(st, 16, l[i].multiplier_bp);
        db_bind_i64(st, 17, l[i].amount);
        rc = db_run(st, ctx->err);
    }
    return rc;
}

struct existing {
    int64_t id, total, version;
    const char *status;
};

static void existing_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct existing *x = row;
    x->id = db_col_i64(st, 0);
    x->status = arena_strdup(ctx->a, db_col_text(st, 1));
    x->total = db_col_i64(st, 2);
    x->version = db_col_i64(st, 3);
}

static int frozen(const char *status)
{
    return !strcmp(status, "submitted") || !strcmp(status, "approved") || !strcmp(status, "paid");
}

static enum kam_err find_existing(struct kam_ctx *ctx, int64_t plan_id, int64_t user_id,
                                  const char *start, struct existing *x, int *found)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 *db_update_lock(ctx->db)
                                     ? "SELECT id, status, total, version FROM payout_statements "
                                       "WHERE plan_id = ? AND user_id = ? AND period_start = ? "
                                       "FOR UPDATE"
                                     : "SELECT id, status, total, version FROM payout_statements "
                                       "WHERE plan_id = ? AND user_id = ? AND period_start = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, plan_id);
    db_bind_i64(st, 2, user_id);
    db_bind_text(st, 3, start);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *found = !rc && row;
    if (*found)
        existing_row(ctx, st, x);
    db_done(st);
    return rc;
}

static enum kam_err write_statement(struct kam_ctx *ctx, const struct comm_plan *p, int64_t user_id,
                                    const char *start, const char *end,
                                    const struct comm_result *res, int64_t target, int has_target,
                                    const struct existing *ex, int found, int64_t *id_out)
{
    struct db_stmt *st;
    enum kam_err rc;
    struct audit_diff d;
    audit_diff_init(&d);
    if (found) {
        if ((rc = db_exec_i64(ctx->db, "DELETE FROM payout_lines WHERE statement_id = ?", ex->id,
                              ctx->err)))
            goto fail;
        if ((rc = db_prepare(ctx->db,
                             "UPDATE payout_statements SET status = 'draft', total = ?, "
                             "plan_version = ?, target = ?, credited = ?, attainment_bp = ?, "
                             "reason = '', computed_at = ?, currency = ?, approved_by = NULL, "
                             "approved_at = NULL, updated_at = ?, version = version + 1 WHERE "
                             "id = ?",
                             &st, ctx->err)))
            goto fail;
        db_bind_i64(st, 1, res->total);
        db_bind_i64(st, 2, p->version);
        db_bind_i64n(st, 3, target, !has_target);
        db_bind_i64(st, 4, res->credited);
        db_bind_i64n(st, 5, res->attainment_bp, !res->has_attainment);
        db_bind_i64(st, 6, ctx->now);
        db_bind_text(st, 7, p->currency);
        db_bind_i64(st, 8, ctx->now);
        db_bind_i64(st, 9, ex->id);
        if ((rc = db_run(st, ctx->err)))
            goto fail;
        *id_out = ex->id;
        audit_diff_str(&d, "status", ex->status, "draft");
        audit_diff_i64(&d, "total", ex->total, 0, res->total, 0);
        audit_diff_i64(&d, "lines", 0, 1, (int64_t)res->n, 0);
    } else {
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO payout_statements (plan_id, user_id, period_start, "
                             "period_end, currency, total, status, plan_version, target, "
                             "credited, attainment_bp, reason, computed_at, version, created_at, "
                             "updated_at) VALUES (?,?,?,?,?,?,'draft',?,?,?,?,'',?,1,?,?) "
                             "RETURNING id",
                             &st, ctx->err)))
            goto fail;
        db_bind_i64(st, 1, p->id);
        db_bind_i64(st, 2, user_id);
        db_bind_text(st, 3, start);
        db_bind_text(st, 4, end);
        db_bind_text(st, 5, p->currency);
        db_bind_i64(st, 6, res->total);
        db_bind_i64(st, 7, p->version);
        db_bind_i64n(st, 8, target, !has_target);
        db_bind_i64(st, 9, res->credited);
        db_bind_i64n(st, 10, res->attainment_bp, !res->has_attainment);
        db_bind_i64(st, 11, ctx->now);
        db_bind_i64(st, 12, ctx->now);
        db_bind_i64(st, 13, ctx->now);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row)
            *id_out = db_col_i64(st, 0);
        db_done(st);
        if (rc)
            goto fail;
        audit_diff_i64(&d, "plan_id", 0, 1, p->id, 0);
        audit_diff_i64(&d, "user_id", 0, 1, user_id, 0);
        audit_diff_str(&d, "period_start", NULL, start);
        audit_diff_str(&d, "status", NULL, "draft");
        audit_diff_i64(&d, "total", 0, 1, res->total, 0);
        audit_diff_i64(&d, "lines", 0, 1, (int64_t)res->n, 0);
    }
    if ((rc = insert_lines(ctx, *id_out, res->lines, res->n)))
        goto fail;
    return audit_write(ctx, "payout_statement", *id_out, 0, found ? "recompute" : "create", &d);
fail:
    audit_diff_release(&d);
    return rc;
}

/* res plus the person's bonus lines from pools. */
static void add_bonus(struct kam_ctx *ctx, struct comm_result *res, const struct bonus_pool *pools,
                      size_t np, int64_t user_id)
{
    size_t extra = 0;
    for (size_t i = 0; i < np; i++)
        for (size_t k = 0; k < pools[i].n_shares; k++)
            extra += pools[i].shares[k].user_id == user_id;
    if (!extra)
        return;
    struct payout_line *l = arena_calloc(ctx->a, res->n + extra, sizeof *l);
    if (res->n)
        memcpy(l, res->lines, res->n * sizeof *l);
    for (size_t i = 0; i < np; i++)
        for (size_t k = 0; k < pools[i].n_shares; k++) {
            const struct bonus_share *s = &pools[i].shares[k];
            if (s->user_id != user_id)
                continue;
            struct payout_line *x = &l[res->n++];
            memset(x, 0, sizeof *x);
            x->seq = (int64_t)res->n;
            x->kind = "bonus";
            x->reason = pools[i].name;
            x->family = "";
            x->day = pools[i].period_end;
            x->has_pool = 1;
            x->bonus_pool_id = pools[i].id;
            x->line_amount = pools[i].amount; /* the pool */
            x->basis = s->score;              /* the person's score (hundredths) */
            x->multiplier_bp = 10000;
            x->amount = s->amount;
            res->total += s->amount;
        }
    res->lines = l;
}

enum kam_err payout_compute(struct kam_ctx *ctx, const struct payout_compute_in *in,
                            struct payout_compute_out *out)
{
    memset(out, 0, sizeof *out);
    enum kam_err rc;
    if (!(in->set & PC_PLAN))
        return kam_fail_key(ctx->err, KAM_EINVAL, "plan_id", "required",
                            (struct kam_param[]){{"field", "plan_id"}, {0}}, "plan_id is required");
    if (!(in->set & PC_PERIOD))
        return kam_fail_key(ctx->err, KAM_EINVAL, "period", "required",
                            (struct kam_param[]){{"field", "period"}, {0}}, "period is required");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct comm_plan p;
    /* two computes of one plan take turns (PostgreSQL): the second finds the first's
     * statements and recomputes them instead of running into the unique key */
    rc = db_lock_row(ctx->db, "commission_plans", in->plan_id, ctx->err);
    if (!rc)
        rc = comm_plan_get(ctx, in->plan_id, &p);
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(ctx->err);
        rc = kam_fail(ctx->err, KAM_EINVAL, "plan_id", "no such commission plan");
    }
    const char *start, *end;
    int64_t sd, ed;
    if (rc || (rc = comm_period(ctx, "period", p.period_kind, in->period, &start, &end, &sd, &ed)))
        goto out;
    if (!p.active) {
        rc = kam_fail(ctx->err, KAM_EINVAL, "plan_id", "the plan is not active");
        goto out;
    }
    struct bonus_pool *pools;
    size_t np;
    if ((rc = bonus_pools_of(ctx, p.id, start, &pools, &np)))
        goto out;
    int64_t *ids;
    size_t n;
    if (in->users_given) {
        ids = arena_calloc(ctx->a, (size_t)in->n_users + 1, sizeof *ids);
        n = 0;
        for (int i = 0; i < in->n_users; i++) {
            const char *f = arena_printf(ctx->a, "user_ids[%d]", i);
            int64_t found = 0;
            rc = db_query_i64(ctx->db, "SELECT id FROM users WHERE id = ?", 1, in->user_ids[i],
                              &found, ctx->err);
            if (rc == KAM_ENOTFOUND) {
                kam_error_clear(ctx->err);
                rc = kam_fail(ctx->err, KAM_EINVAL, f, "no such user");
            }
            if (rc)
                goto out;
            if (!has_id(ids, n, in->user_ids[i]))
                ids[n++] = in->user_ids[i];
        }
    } else {
        int64_t *c;
        size_t nc;
        if ((rc = candidates(ctx, &p, start, sd, ed, &c, &nc)))
            goto out;
        size_t extra = 0;
        for (size_t i = 0; i < np; i++)
            extra += pools[i].n_shares;
        ids = arena_calloc(ctx->a, nc + extra + 1, sizeof *ids);
        if (nc)
            memcpy(ids, c, nc * sizeof *ids);
        n = nc;
        for (size_t i = 0; i < np; i++)
            for (size_t k = 0; k < pools[i].n_shares; k++)
                if (!has_id(ids, n, pools[i].shares[k].user_id))
                    ids[n++] = pools[i].shares[k].user_id;
    }
    out->items = arena_calloc(ctx->a, n + 1, sizeof *out->items);
    out->skipped = arena_calloc(ctx->a, n + 1, sizeof *out->skipped);
    struct gather g = {0};
    for (size_t i = 0; i < n; i++) {
        struct existing ex = {0};
        int found = 0;
        if ((rc = find_existing(ctx, p.id, ids[i], start, &ex, &found)))
            goto out;
        if (found && frozen(ex.status)) {
            if (in->users_given) {
                rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "user_ids", "payout.frozen",
                                  (struct kam_param[]){{"status", ex.status}, {0}},
                                  "the statement is %s: it is no longer recomputed", ex.status);
                goto out;
            }
            out->skipped[out->n_skipped++] = ex.id;
            continue;
        }
        g.n_acc = 0; /* the weights are per person */
        struct comm_result res;
        int64_t target = 0;
        int has_target = 0;
        if ((rc = person_result(ctx, &p, &g, ids[i], start, sd, ed, &res, &target, &has_target)))
            goto out;
        add_bonus(ctx, &res, pools, np, ids[i]);
        if (!in->users_given && !res.n && !has_target && !found)
            continue; /* nothing to say about this person */
        int64_t id = 0;
        if ((rc = write_statement(ctx, &p, ids[i], start, end, &res, target, has_target, &ex, found,
                                  &id)) ||
            (rc = payout_get(ctx, id, 0, &out->items[out->n])))
            goto out;
        out->n++;
    }
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- the workflow ---- */

enum kam_err payout_move(struct kam_ctx *ctx, int64_t id, const char *action, const char *reason,
                         struct payout *out)
{
    static const struct {
        const char *action, *from1, *from2, *to;
    } moves[] = {
        {"submit", "draft", "rejected", "submitted"},
        {"approve", "submitted", NULL, "approved"},
        {"reject", "submitted", NULL, "rejected"},
        {"pay", "approved", NULL, "paid"},
    };
    size_t k = 0;
    while (k < sizeof moves / sizeof moves[0] && strcmp(moves[k].action, action))
        k++;
    if (k == sizeof moves / sizeof moves[0])
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "bad payout move %s", action);
    enum kam_err rc;
    if (!strcmp(action, "reject")) {
        if (!reason)
            return kam_fail_key(ctx->err, KAM_EINVAL, "reason", "required",
                                (struct kam_param[]){{"field", "reason"}, {0}},
                                "reason is required");
        if ((rc = check_text(ctx, "reason", reason, 1, PAYOUT_REASON_MAX, CHECK_MULTILINE)))
            return rc;
    }
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct payout b;
    if ((rc = payout_get(ctx, id, 0, &b)))
        goto out;
    if (strcmp(b.status, moves[k].from1) && (!moves[k].from2 || strcmp(b.status, moves[k].from2))) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "payout.bad_transition",
                          (struct kam_param[]){{"status", b.status}, {"action", action}, {0}},
                          "the statement is %s: it cannot be %s", b.status,
                          !strcmp(action, "submit")    ? "submitted"
                          : !strcmp(action, "approve") ? "approved"
                          : !strcmp(action, "reject")  ? "rejected"
                                                       : "paid");
        goto out;
    }
    const char *new_reason = !strcmp(action, "reject")   ? reason
                             : !strcmp(action, "submit") ? ""
                                                         : b.reason;
    int approving = !strcmp(action, "approve");
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         approving ? "UPDATE payout_statements SET status = ?, reason = ?, "
                                     "approved_by = ?, approved_at = ?, updated_at = ?, version = "
                                     "version + 1 WHERE id = ? AND version = ?"
                                   : "UPDATE payout_statements SET status = ?, reason = ?, "
                                     "approved_by = approved_by, approved_at = ?, updated_at = ?, "
                                     "version = version + 1 WHERE id = ? AND version = ?",
                         &st, ctx->err)))
        goto out;
    int i = 1;
    db_bind_text(st, i++, moves[k].to);
    db_bind_text(st, i++, new_reason);
    if (approving) {
        db_bind_i64(st, i++, ctx->who.user_id);
        db_bind_i64(st, i++, ctx->now);
    } else {
        db_bind_i64n(st, i++, b.approved_at, !b.has_approved_at);
    }
    db_bind_i64(st, i++, ctx->now);
    db_bind_i64(st, i++, id);
    db_bind_i64(st, i++, b.version);
    if ((rc = db_run(st, ctx->err)))
        goto out;
    if (db_changes(ctx->db) != 1) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version", NULL,
                          "the statement was changed meanwhile");
        goto out;
    }
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "status", b.status, moves[k].to);
    audit_diff_str(&d, "reason", b.reason, new_reason);
    if (approving)
        audit_diff_i64(&d, "approved_by", b.approved_by, !b.has_approved_by, ctx->who.user_id, 0);
    if (!(rc = audit_write(ctx, "payout_statement", id, 0, action, &d)))
        rc = payout_get(ctx, id, 1, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- lists ---- */

static enum kam_err period_filter(struct kam_ctx *ctx, const char *period, const char **start,
                                  const char **end)
{
    return comm_period(ctx, "period", label_kind(period), period, start, end, NULL, NULL);
}

static const struct page_sort stmt_sorts[] = {
    {"period_start", "s.period_start", 1},
    {"id", "s.id", 0},
};

static enum kam_err stmt_query(struct kam_ctx *ctx, const struct payout_query *q, struct sqlb *b)
{
    enum kam_err rc;
    const char *start = NULL, *end = NULL;
    if (q->period && (rc = period_filter(ctx, q->period, &start, &end)))
        return rc;
    if (q->status && (rc = check_enum(ctx, "status", q->status, payout_statuses)))
        return rc;
    int scoped = policy_person_scope_with(ctx, OBJ_PAYOUT, b);
    sqlb_sql(b, "SELECT " SCOLS SFROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(b, " AND " POLICY_PERSON_COND("s.user_id"));
    if (q->plan_id) {
        sqlb_sql(b, " AND s.plan_id = ?");
        sqlb_i64(b, q->plan_id);
    }
    if (q->user_id) {
        sqlb_sql(b, " AND s.user_id = ?");
        sqlb_i64(b, q->user_id);
    }
    if (start) {
        sqlb_sql(b, " AND s.period_start = ? AND s.period_end = ?");
        sqlb_text(b, start);
        sqlb_text(b, end);
    }
    if (q->status) {
        sqlb_sql(b, " AND s.status = ?");
        sqlb_text(b, q->status);
    }
    return KAM_OK;
}

enum kam_err payout_list(struct kam_ctx *ctx, const struct payout_query *q,
                         struct payout **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, stmt_sorts, 2, "-period_start", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    if ((rc = stmt_query(ctx, q, &b)))
        return rc;
    struct payout *items;
    const struct payout *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "s.id", stmt_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, last->period_start, last->id, last->id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

static const struct page_sort line_sorts[] = {
    {"seq", "l.seq", 0},
};

enum kam_err payout_lines(struct kam_ctx *ctx, int64_t statement_id,
                          const struct payout_line_query *q, struct payout_line **items_out,
                          size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, line_sorts, 1, "seq", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " LCOLS LFROM " WHERE l.statement_id = ?");
    sqlb_i64(&b, statement_id);
    struct payout_line *items;
    const struct payout_line *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "l.id", line_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, last->seq, last->id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err payout_payroll(struct kam_ctx *ctx, const char *period, const char *status,
                            struct payout **items_out, size_t *n_out)
{
    if (!period)
        return kam_fail_key(ctx->err, KAM_EINVAL, "period", "required",
                            (struct kam_param[]){{"field", "period"}, {0}}, "period is required");
    struct payout_query q = {.period = period, .status = status ? status : "approved"};
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    enum kam_err rc = stmt_query(ctx, &q, &b);
    if (rc)
        return rc;
    sqlb_sql(&b, " ORDER BY u.login, s.id");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)) ||
        (rc = rows_collect(ctx, st, 100000, stmt_row, sizeof **items_out, (void **)items_out,
                           n_out)))
        return rc;
    for (size_t i = 0; i < *n_out; i++)
        if ((rc = lines_of(ctx, &(*items_out)[i], 1000000)))
            return rc;
    return KAM_OK;
}

/* ---- the simulator ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double quantile(const int64_t *s, size_t n, double p)
{
    double pos = (double)(n - 1) * p;
    size_t lo = (size_t)pos;
    double frac = pos - (double)lo;
    if (lo + 1 >= n)
        return (double)s[n - 1];
    return (double)s[lo] + frac * (double)(s[lo + 1] - s[lo]);
}

void payout_spread(const int64_t *s, size_t n, struct sim_spread *o)
{
    memset(o, 0, sizeof *o);
    if (!n)
        return;
    o->min = s[0];
    o->max = s[n - 1];
    o->q1 = quantile(s, n, 0.25);
    o->median = quantile(s, n, 0.5);
    o->q3 = quantile(s, n, 0.75);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)s[i];
    o->mean = sum / (double)n;
    double var = 0;
    for (size_t i = 0; i < n; i++)
        var += ((double)s[i] - o->mean) * ((double)s[i] - o->mean);
    var /= (double)n;
    o->cv = o->mean != 0 ? sqrt(var) / o->mean : 0;
    /* sorted: sum_i sum_j |x_i - x_j| = 2 sum_i (2i - n + 1) x_i */
    double g = 0;
    for (size_t i = 0; i < n; i++)
        g += (2.0 * (double)i - (double)n + 1.0) * (double)s[i];
    o->gini = o->mean != 0 ? (2.0 * g) / (2.0 * (double)n * (double)n * o->mean) : 0;
}

struct sim_acc {
    int64_t *ids, *a, *b;
    size_t n, cap;
};

static size_t sim_slot(struct kam_ctx *ctx, struct sim_acc *s, int64_t id)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->ids[i] == id)
            return i;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        int64_t *ids = arena_calloc(ctx->a, cap, sizeof *ids),
                *a = arena_calloc(ctx->a, cap, sizeof *a),
                *b = arena_calloc(ctx->a, cap, sizeof *b);
        if (s->n) {
            memcpy(ids, s->ids, s->n * sizeof *ids);
            memcpy(a, s->a, s->n * sizeof *a);
            memcpy(b, s->b, s->n * sizeof *b);
        }
        s->ids = ids;
        s->a = a;
        s->b = b;
        s->cap = cap;
    }
    s->ids[s->n] = id;
    s->a[s->n] = s->b[s->n] = 0;
    return s->n++;
}

/* Adds plan p's period to acc (column which: 0 a, 1 b). */
static enum kam_err sim_period(struct kam_ctx *ctx, const struct comm_plan *p, const char *label,
                               struct sim_acc *acc, int which)
{
    const char *start, *end;
    int64_t sd, ed;
    enum kam_err rc =
        comm_period(ctx, "period_from", p->period_kind, label, &start, &end, &sd, &ed);
    if (rc)
        return rc;
    int64_t *ids;
    size_t n;
    if ((rc = candidates(ctx, p, start, sd, ed, &ids, &n)))
        return rc;
    struct gather g = {0};
    for (size_t i = 0; i < n; i++) {
        struct comm_result res;
        int64_t target;
        int has_target;
        g.n_acc = 0;
        if ((rc = person_result(ctx, p, &g, ids[i], start, sd, ed, &res, &target, &has_target)))
            return rc;
        if (!res.n)
            continue;
        size_t k = sim_slot(ctx, acc, ids[i]);
        if (which)
            acc->b[k] += res.total;
        else
            acc->a[k] += res.total;
    }
    return KAM_OK;
}

enum kam_err payout_simulate(struct kam_ctx *ctx, int64_t plan_id, const char *period_from,
                             const char *period_to, int64_t compare_plan_id, struct sim_result *out)
{
    struct comm_plan p;
    enum kam_err rc = comm_plan_get(ctx, plan_id, &p);
    return rc ? rc : payout_simulate_plan(ctx, &p, period_from, period_to, compare_plan_id, out);
}

enum kam_err payout_simulate_plan(struct kam_ctx *ctx, const struct comm_plan *pp,
                                  const char *period_from, const char *period_to,
                                  int64_t compare_plan_id, struct sim_result *out)
{
    memset(out, 0, sizeof *out);
    struct comm_plan p = *pp, cp;
    enum kam_err rc;
    int64_t plan_id = p.id;
    if (!period_from)
        return kam_fail_key(ctx->err, KAM_EINVAL, "period_from", "required",
                            (struct kam_param[]){{"field", "period_from"}, {0}},
                            "period_from is required");
    if (!period_to)
        return kam_fail_key(ctx->err, KAM_EINVAL, "period_to", "required",
                            (struct kam_param[]){{"field", "period_to"}, {0}},
                            "period_to is required");
    const char *s0, *s1;
    if ((rc = comm_period(ctx, "period_from", p.period_kind, period_from, &s0, NULL, NULL, NULL)) ||
        (rc = comm_period(ctx, "period_to", p.period_kind, period_to, &s1, NULL, NULL, NULL)))
        return rc;
    if (strcmp(s0, s1) > 0)
        return kam_fail(ctx->err, KAM_EINVAL, "period_to", "period_to is before period_from");
    if (compare_plan_id) {
        rc = comm_plan_get(ctx, compare_plan_id, &cp);
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            return kam_fail(ctx->err, KAM_EINVAL, "compare_plan_id", "no such commission plan");
        }
        if (rc)
            return rc;
        if (strcmp(cp.period_kind, p.period_kind))
            return kam_fail(ctx->err, KAM_EINVAL, "compare_plan_id",
                            "the plans must have the same period kind");
        out->has_compare = 1;
        out->compare_plan_id = compare_plan_id;
    }
    out->plan_id = plan_id;
    out->period_from = period_from;
    out->period_to = period_to;
    struct sim_acc acc = {0};
    const char *label = period_from;
    for (;;) {
        if (out->n_periods == PAYOUT_SIM_PERIODS)
            return kam_fail(ctx->err, KAM_EINVAL, "period_to", "at most %d periods",
                            PAYOUT_SIM_PERIODS);
        out->n_periods++;
        if ((rc = sim_period(ctx, &p, label, &acc, 0)) ||
            (out->has_compare && (rc = sim_period(ctx, &cp, label, &acc, 1))))
            return rc;
        if (!strcmp(label, period_to))
            break;
        label = comm_period_next(ctx, p.period_kind, label);
    }
    /* by user id */
    for (size_t i = 1; i < acc.n; i++)
        for (size_t k = i; k > 0 && acc.ids[k - 1] > acc.ids[k]; k--) {
            int64_t t = acc.ids[k];
            acc.ids[k] = acc.ids[k - 1];
            acc.ids[k - 1] = t;
            t = acc.a[k];
            acc.a[k] = acc.a[k - 1];
            acc.a[k - 1] = t;
            t = acc.b[k];
            acc.b[k] = acc.b[k - 1];
            acc.b[k - 1] = t;
        }
    out->people = arena_calloc(ctx->a, acc.n + 1, sizeof *out->people);
    out->n_people = acc.n;
    int64_t *sorted = arena_calloc(ctx->a, acc.n + 1, sizeof *sorted);
    for (size_t i = 0; i < acc.n; i++) {
        struct sim_person *x = &out->people[i];
        x->user_id = acc.ids[i];
        x->amount = acc.a[i];
        x->compare_amount = acc.b[i];
        x->delta = acc.a[i] - acc.b[i];
        out->total += acc.a[i];
        out->compare_total += acc.b[i];
        sorted[i] = acc.a[i];
        int64_t id = x->user_id;
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "SELECT CASE WHEN name = '' THEN login ELSE name END FROM users "
                             "WHERE id = ?",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, id);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        x->user_name = arena_strdup(ctx->a, !rc && row ? db_col_text(st, 0) : "");
        db_done(st);
        if (rc)
            return rc;
    }
    qsort(sorted, acc.n, sizeof *sorted, cmp_i64);
    payout_spread(sorted, acc.n, &out->spread);
    return KAM_OK;
}
