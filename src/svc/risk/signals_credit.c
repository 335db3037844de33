/* signals_credit.c -- the credit signals of the early-warning engine (svc/core/signal.h):
 *
 *   receivables_overdue  days past due of the account's oldest overdue open invoice (China's
 *                        today); fires at 30 days by default (high, finance); evidence: the
 *                        overdue invoices (id, no, due_day, open amount in base currency, the
 *                        first 20 oldest first) and their total.
 *   exposure_near_limit  exposure / the account's credit limit, percent (docs/CREDIT.md:
 *                        exposure = open receivables + open orders + accepted offers), and the
 *                        group's exposure / the group limit covering the account (the nearest
 *                        up its parent chain, credit.h): the worse; fires at 90 % by default
 *                        (medium, finance); evidence: the limit, the exposure's parts and the
 *                        group. Accounts under neither limit never fire.
 *
 * Values are thousandths of the unit: 31 days = 31000, 90 % = 90000. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/jw.h"
#include "credit.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/signal.h"

#define EVIDENCE_INVOICES 20

static void accounts_cond(struct sqlb *b, const char *col, const int64_t *accounts, size_t n)
{
    sqlb_sql(b, " AND ");
    sqlb_sql(b, col);
    if (!accounts) {
        sqlb_sql(b, " IN (SELECT id FROM accounts WHERE status <> 'lost')");
        return;
    }
    sqlb_sql(b, " IN (");
    for (size_t i = 0; i < n; i++) {
        sqlb_sql(b, i ? ", ?" : "?");
        sqlb_i64(b, accounts[i]);
    }
    if (!n)
        sqlb_sql(b, "NULL");
    sqlb_sql(b, ")");
}

static int fires(const struct signal_rule *rule, int64_t v)
{
    return rule->def->higher_is_worse ? v >= rule->threshold_milli : v <= rule->threshold_milli;
}

struct overdue_acc {
    int64_t account_id, oldest, total;
    struct buf ev;
    struct jw w;
    int n;
};

static enum kam_err overdue_emit(struct kam_ctx *ctx, const struct signal_rule *rule,
                                 struct overdue_acc *a, signal_emit_fn emit, void *arg)
{
    jw_arr_end(&a->w);
    jw_ki64(&a->w, "total", a->total);
    jw_ki64(&a->w, "oldest_days", a->oldest);
    jw_obj_end(&a->w);
    enum kam_err rc = KAM_OK;
    int64_t v = a->oldest * 1000;
    if (fires(rule, v)) {
        struct signal_hit h = {a->account_id, v, arena_strndup(ctx->a, a->ev.data, a->ev.len)};
        rc = emit(arg, &h);
    }
    buf_release(&a->ev);
    return rc;
}

static enum kam_err eval_overdue(struct kam_ctx *ctx, const struct signal_rule *rule,
                                 const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg)
{
    const char *today = receivable_today(ctx);
    int64_t tn = receivable_day_num(today);
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT account_id, id, invoice_no, due_day, amount, amount_base, paid FROM "
                 "invoices WHERE paid < amount AND due_day < ?");
    sqlb_text(&b, today);
    accounts_cond(&b, "account_id", accounts, n);
    sqlb_sql(&b, " ORDER BY account_id, due_day, id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct overdue_acc a = {0};
    int row = 0, open = 0;
    while (!rc && !(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t acc = db_col_i64(st, 0);
        if (open && acc != a.account_id) {
            open = 0;
            rc = overdue_emit(ctx, rule, &a, emit, arg);
            if (rc)
                break;
        }
        if (!open) {
            memset(&a, 0, sizeof a);
            a.account_id = acc;
            buf_init(&a.ev, 1 << 16);
            jw_init(&a.w, &a.ev);
            jw_obj_begin(&a.w);
            jw_key(&a.w, "invoices");
            jw_arr_begin(&a.w);
            open = 1;
        }
        int64_t amount = db_col_i64(st, 4), base = db_col_i64(st, 5), paid = db_col_i64(st, 6);
        int64_t ob = amount > 0 ? base - (int64_t)((__int128)base * paid / amount) : 0;
        int64_t days = tn - receivable_day_num(db_col_text(st, 3));
        if (days > a.oldest)
            a.oldest = days;
        a.total += ob;
        if (a.n++ < EVIDENCE_INVOICES) {
            jw_obj_begin(&a.w);
            jw_kstr(&a.w, "kind", "invoice");
            jw_ki64(&a.w, "id", db_col_i64(st, 1));
            jw_kstr(&a.w, "no", db_col_text(st, 2));
            jw_kstr(&a.w, "due_day", db_col_text(st, 3));
            jw_ki64(&a.w, "open", ob);
            jw_ki64(&a.w, "days_past_due", days);
            jw_obj_end(&a.w);
        }
    }
    db_done(st);
    if (open) {
        if (!rc)
            rc = overdue_emit(ctx, rule, &a, emit, arg);
        else
            buf_release(&a.ev);
    }
    return rc;
}

/* percent in thousandths: exposure x 100000 / limit (no limit left: a huge value) */
static int64_t used_milli(int64_t exposure, int64_t limit)
{
    return limit > 0      ? (int64_t)((__int128)exposure * 100000 / limit)
           : exposure > 0 ? INT64_C(999999999)
                          : 0;
}

/* One account judged: its own limit and/or the group limit covering it. */
struct expo_row {
    int64_t account_id;
    int has_own, grp; /* grp: 1 + the index of the covering group */
    int64_t limit, v; /* the account's own limit (base currency) and exposure against it */
    struct exposure e;
    char cur[8];
};

/* A group limit (credit_limits.group_amount on a head account): the group's exposure against
 * it, credit.h's figures (credit_summary_get: the head and its subsidiaries at any depth). */
struct expo_group {
    int64_t head, limit, exposure, v;
    const char *name;
};

struct acc_link {
    int64_t id, parent;
    int lost;
};

static int link_cmp(const void *x, const void *y)
{
    int64_t a = ((const struct acc_link *)x)->id, b = ((const struct acc_link *)y)->id;
    return a < b ? -1 : a > b;
}

static int row_cmp(const void *x, const void *y)
{
    int64_t a = ((const struct expo_row *)x)->account_id,
            b = ((const struct expo_row *)y)->account_id;
    return a < b ? -1 : a > b;
}

static int wanted(const int64_t *accounts, size_t n, int64_t id)
{
    if (!accounts)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (accounts[i] == id)
            return 1;
    return 0;
}

/* The group limits and the accounts each covers (the nearest group limit up an account's parent
 * chain, itself included, as credit.c's check): appended to rows (grp set). */
static enum kam_err group_rows(struct kam_ctx *ctx, const int64_t *accounts, size_t n,
                               struct expo_group **groups_out, size_t *ng_out,
                               struct expo_row **rows, size_t *nr, size_t *cap)
{
    *groups_out = NULL;
    *ng_out = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT account_id FROM credit_limits WHERE group_amount IS NOT NULL ORDER BY account_id",
        &st, ctx->err);
    if (rc)
        return rc;
    int64_t *heads = NULL;
    size_t nh = 0, hcap = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (nh == hcap) {
            hcap = hcap ? hcap * 2 : 16;
            int64_t *v = arena_calloc(ctx->a, hcap, sizeof *v);
            if (nh)
                memcpy(v, heads, nh * sizeof *v);
            heads = v;
        }
        heads[nh++] = db_col_i64(st, 0);
    }
    db_done(st);
    if (rc || !nh)
        return rc;
    struct expo_group *g = arena_calloc(ctx->a, nh, sizeof *g);
    for (size_t i = 0; i < nh; i++) {
        struct credit_summary cs;
        if ((rc = credit_summary_get(ctx, heads[i], &cs)))
            return rc;
        g[i].head = heads[i];
        g[i].limit = cs.group_limit_base;
        g[i].exposure = cs.group_exposure;
        g[i].name = cs.group_head_name ? cs.group_head_name : "";
        g[i].v = used_milli(g[i].exposure, g[i].limit);
    }
    /* every account's parent, to find the nearest head up its chain */
    if ((rc = db_prepare(ctx->db, "SELECT id, parent_id, status FROM accounts ORDER BY id", &st,
                         ctx->err)))
        return rc;
    struct acc_link *l = NULL;
    size_t nl = 0, lcap = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (nl == lcap) {
            lcap = lcap ? lcap * 2 : 256;
            struct acc_link *v = arena_calloc(ctx->a, lcap, sizeof *v);
            if (nl)
                memcpy(v, l, nl * sizeof *v);
            l = v;
        }
        l[nl].id = db_col_i64(st, 0);
        l[nl].parent = db_col_is_null(st, 1) ? 0 : db_col_i64(st, 1);
        l[nl].lost = !strcmp(db_col_text(st, 2), "lost");
        nl++;
    }
    db_done(st);
    if (rc)
        return rc;
    for (size_t i = 0; i < nl; i++) {
        if (l[i].lost || !wanted(accounts, n, l[i].id))
            continue;
        int64_t id = l[i].id;
        int grp = 0;
        for (int depth = 0; id && depth < 64 && !grp; depth++) {
            for (size_t k = 0; k < nh; k++)
                if (g[k].head == id)
                    grp = (int)k + 1;
            if (grp)
                break;
            struct acc_link key = {.id = id};
            const struct acc_link *at = bsearch(&key, l, nl, sizeof key, link_cmp);
            id = at ? at->parent : 0;
        }
        if (!grp)
            continue;
        if (*nr == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            struct expo_row *v = arena_calloc(ctx->a, nc, sizeof *v);
            if (*nr)
                memcpy(v, *rows, *nr * sizeof *v);
            *rows = v;
            *cap = nc;
        }
        memset(&(*rows)[*nr], 0, sizeof **rows);
        (*rows)[*nr].account_id = l[i].id;
        (*rows)[*nr].grp = grp;
        (*nr)++;
    }
    *groups_out = g;
    *ng_out = nh;
    return KAM_OK;
}

static enum kam_err eval_exposure(struct kam_ctx *ctx, const struct signal_rule *rule,
                                  const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT account_id, amount, currency FROM credit_limits WHERE amount IS NOT NULL");
    accounts_cond(&b, "account_id", accounts, n);
    sqlb_sql(&b, " ORDER BY account_id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct expo_row *rows = NULL;
    size_t nr = 0, cap = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (nr == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct expo_row *g = arena_calloc(ctx->a, nc, sizeof *g);
            if (nr)
                memcpy(g, rows, nr * sizeof *g);
            rows = g;
            cap = nc;
        }
        memset(&rows[nr], 0, sizeof rows[nr]);
        rows[nr].account_id = db_col_i64(st, 0);
        rows[nr].has_own = 1;
        rows[nr].limit = db_col_i64(st, 1);
        snprintf(rows[nr].cur, sizeof rows[nr].cur, "%s", db_col_text(st, 2));
        nr++;
    }
    db_done(st);
    struct expo_group *groups = NULL;
    size_t ng = 0;
    if (rc || (rc = group_rows(ctx, accounts, n, &groups, &ng, &rows, &nr, &cap)))
        return rc;
    /* one row per account: its own limit and the group covering it */
    if (nr > 1)
        qsort(rows, nr, sizeof *rows, row_cmp);
    size_t k = 0;
    for (size_t i = 0; i < nr; i++) {
        if (k && rows[k - 1].account_id == rows[i].account_id) {
            if (rows[i].has_own) {
                int grp = rows[k - 1].grp;
                rows[k - 1] = rows[i];
                rows[k - 1].grp = grp;
            } else {
                rows[k - 1].grp = rows[i].grp;
            }
            continue;
        }
        rows[k++] = rows[i];
    }
    nr = k;
    for (size_t i = 0; i < nr && !rc; i++) {
        struct expo_row *x = &rows[i];
        if ((rc = credit_exposure(ctx, x->account_id, &x->e)))
            break;
        int64_t v = INT64_MIN;
        if (x->has_own) {
            if ((rc = recv_to_base(ctx, x->cur, x->limit, &x->limit)))
                break;
            x->v = used_milli(x->e.total, x->limit);
            v = x->v;
        }
        const struct expo_group *g = x->grp ? &groups[x->grp - 1] : NULL;
        if (g && g->v > v)
            v = g->v; /* the worse of the two */
        if (!fires(rule, v))
            continue;
        struct buf ev;
        struct jw w;
        buf_init(&ev, 1 << 12);
        jw_init(&w, &ev);
        jw_obj_begin(&w);
        if (x->has_own)
            jw_ki64(&w, "limit", x->limit);
        else {
            jw_key(&w, "limit");
            jw_null(&w);
        }
        jw_ki64(&w, "receivables", x->e.receivables);
        jw_ki64(&w, "open_orders", x->e.open_orders);
        jw_ki64(&w, "open_offers", x->e.open_offers);
        jw_ki64(&w, "exposure", x->e.total);
        if (g) {
            jw_key(&w, "group");
            jw_obj_begin(&w);
            jw_kstr(&w, "kind", "account");
            jw_ki64(&w, "id", g->head);
            jw_kstr(&w, "name", g->name);
            jw_ki64(&w, "limit", g->limit);
            jw_ki64(&w, "exposure", g->exposure);
            jw_ki64(&w, "used_milli", g->v);
            jw_obj_end(&w);
        }
        jw_obj_end(&w);
        struct signal_hit h = {x->account_id, v, arena_strndup(ctx->a, ev.data, ev.len)};
        buf_release(&ev);
        rc = emit(arg, &h);
    }
    return rc;
}

/* key, unit, threshold, severity, dept, params, higher_is_worse, eval, the policy objects read
 * (signal.h: who sees its alerts) */
/* clang-format off */
const struct signal_def signals_credit[] = {
    {"receivables_overdue", "days", 30000, SIGNAL_HIGH, "finance", "{}", 1, eval_overdue,
     {OBJ_RECEIVABLE}},
    {"exposure_near_limit", "percent", 90000, SIGNAL_MEDIUM, "finance", "{}", 1, eval_exposure,
     {OBJ_RECEIVABLE, OBJ_CREDIT}},
    {0},
};
/* clang-format on */
