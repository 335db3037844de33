/* commission.c -- commission plans, the commission arithmetic, bonus pools, recognition
 * (commission.h). */
#include "commission.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"
#include "svc/volume/product.h"

const char *const comm_period_kinds[] = {"month", "quarter", "year", NULL};
const char *const comm_bases[] = {"revenue", "margin", NULL};
const char *const comm_split_roles[] = {"owner",      "sales",   "marketing", "technical",
                                        "production", "service", NULL};

#define CHINA_OFFSET (8 * 3600)

static const char *today(struct kam_ctx *ctx)
{
    int y, m, d;
    days_to_date((ctx->now + CHINA_OFFSET) / 86400, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

/* ---- periods ---- */

static int month_days(int y, int m)
{
    static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return n[m - 1];
}

/* Parses label as kind: first month m0 and month count. */
static int parse_label(const char *kind, const char *s, int *y, int *m0, int *months)
{
    if (!s || !kind)
        return -1;
    size_t n = strlen(s);
    if (n < 4)
        return -1;
    for (int i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    *y = atoi((char[]){s[0], s[1], s[2], s[3], 0});
    if (*y < 1900 || *y > 9999)
        return -1;
    if (!strcmp(kind, "year")) {
        *m0 = 1;
        *months = 12;
        return n == 4 ? 0 : -1;
    }
    if (!strcmp(kind, "quarter")) {
        if (n != 7 || s[4] != '-' || s[5] != 'Q' || s[6] < '1' || s[6] > '4')
            return -1;
        *m0 = (s[6] - '1') * 3 + 1;
        *months = 3;
        return 0;
    }
    if (!strcmp(kind, "month")) {
        if (n != 7 || s[4] != '-' || s[5] < '0' || s[5] > '1' || s[6] < '0' || s[6] > '9')
            return -1;
        *m0 = (s[5] - '0') * 10 + (s[6] - '0');
        *months = 1;
        return *m0 >= 1 && *m0 <= 12 ? 0 : -1;
    }
    return -1;
}

enum kam_err comm_period(struct kam_ctx *ctx, const char *field, const char *kind,
                         const char *label, const char **start, const char **end,
                         int64_t *start_day, int64_t *end_day)
{
    int y, m0, months;
    if (parse_label(kind, label, &y, &m0, &months))
        return kam_fail(ctx->err, KAM_EINVAL, field, "%s must be a %s: %s", field, kind,
                        !strcmp(kind, "year")      ? "YYYY"
                        : !strcmp(kind, "quarter") ? "YYYY-Qn"
                                                   : "YYYY-MM");
    int m1 = m0 + months - 1;
    int64_t sd = date_to_days(y, m0, 1), ed = date_to_days(y, m1, month_days(y, m1));
    if (start)
        *start = arena_printf(ctx->a, "%04d-%02d-01", y, m0);
    if (end)
        *end = arena_printf(ctx->a, "%04d-%02d-%02d", y, m1, month_days(y, m1));
    if (start_day)
        *start_day = sd;
    if (end_day)
        *end_day = ed;
    return KAM_OK;
}

const char *comm_period_label(struct kam_ctx *ctx, const char *kind, const char *start)
{
    int y = 0, m = 0, d = 0;
    if (!start || date_parse(start, &y, &m, &d))
        return "";
    if (!strcmp(kind, "year"))
        return arena_printf(ctx->a, "%04d", y);
    if (!strcmp(kind, "quarter"))
        return arena_printf(ctx->a, "%04d-Q%d", y, (m - 1) / 3 + 1);
    return arena_printf(ctx->a, "%04d-%02d", y, m);
}

const char *comm_period_next(struct kam_ctx *ctx, const char *kind, const char *label)
{
    int y = 0, m0 = 1, months = 12;
    if (parse_label(kind, label, &y, &m0, &months))
        return "";
    int m = m0 + months;
    if (m > 12) {
        m -= 12;
        y++;
    }
    return comm_period_label(ctx, kind, arena_printf(ctx->a, "%04d-%02d-01", y, m));
}

/* ---- the arithmetic ---- */

int64_t comm_credit(int64_t amount, int64_t w, int64_t sum_w)
{
    if (sum_w <= 0 || w <= 0)
        return 0;
    return (int64_t)((__int128)amount * w / sum_w);
}

int64_t comm_rate_of(const struct comm_rules *r, const char *family)
{
    for (size_t i = 0; i < r->n_rates; i++)
        if (family && !strcmp(r->rates[i].family, family))
            return r->rates[i].rate_bp;
    return r->default_rate_bp;
}

/* x * a * b / 10^8 toward zero. */
static int64_t apply_bp2(int64_t x, int64_t a, int64_t b)
{
    return (int64_t)((__int128)x * a * b / 100000000);
}

void comm_shares(int64_t amount, const int64_t *w, size_t n, int64_t *out)
{
    __int128 sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += w[i] > 0 ? w[i] : 0;
    if (!n)
        return;
    if (sum <= 0 || amount <= 0) {
        memset(out, 0, n * sizeof *out);
        return;
    }
    int64_t given = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = w[i] > 0 ? (int64_t)((__int128)amount * w[i] / sum) : 0;
        given += out[i];
    }
    /* leftover units to the largest remainders, ties to the lower index */
    for (int64_t left = amount - given; left > 0; left--) {
        size_t best = n;
        __int128 best_rem = -1;
        for (size_t i = 0; i < n; i++) {
            if (w[i] <= 0)
                continue;
            __int128 rem = (__int128)amount * w[i] - (__int128)out[i] * sum;
            /* a unit already added makes the remainder negative: never twice */
            if (rem > best_rem) {
                best_rem = rem;
                best = i;
            }
        }
        if (best == n || best_rem <= 0)
            break;
        out[best]++;
    }
}

static struct payout_line *new_line(struct comm_result *o, size_t cap, const char *kind)
{
    if (o->n >= cap)
        return NULL; /* not reached: cap counts every line */
    struct payout_line *l = &o->lines[o->n++];
    memset(l, 0, sizeof *l);
    l->seq = (int64_t)o->n;
    l->kind = kind;
    l->reason = "";
    l->family = "";
    l->day = "";
    l->multiplier_bp = 10000;
    return l;
}

static const char *day_str(struct arena *a, int64_t days)
{
    int y, m, d;
    days_to_date(days, &y, &m, &d);
    return arena_printf(a, "%04d-%02d-%02d", y, m, d);
}

void comm_compute(struct arena *a, const struct comm_rules *r, int64_t target, int has_target,
                  const struct comm_sale *sales, size_t n_sales, const struct comm_debt *debts,
                  size_t n_debts, struct comm_result *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = n_sales * (r->n_tiers + 1) + n_debts + 3;
    out->lines = arena_calloc(a, cap, sizeof *out->lines);
    int64_t net = 0;
    for (size_t i = 0; i < n_sales; i++)
        net += sales[i].credited;
    out->credited = net;
    int use_target = has_target && target > 0;
    if (use_target) {
        out->has_attainment = 1;
        out->attainment_bp = (int64_t)((__int128)net * 10000 / target);
    }
    int below = use_target && out->attainment_bp < r->threshold_bp;
    struct payout_line *l;
    if (below && (l = new_line(out, cap, "threshold"))) {
        l->reason = "below_threshold";
        l->basis = net;
        l->rate_bp = r->threshold_bp;
    }
    int64_t cum = 0;
    for (size_t i = 0; i < n_sales; i++) {
        const struct comm_sale *s = &sales[i];
        int64_t rate = comm_rate_of(r, s->family);
        if (s->credited < 0) {
            if (!(l = new_line(out, cap, "clawback")))
                continue;
            l->reason = s->no_cost ? "no_cost" : "return";
            l->basis = s->basis;
            l->rate_bp = rate;
            l->amount = apply_bp2(s->basis, rate, 10000);
        } else if (s->credited > 0 && !below) {
            int64_t c0 = cum, c1 = cum + s->credited;
            size_t nt = use_target ? r->n_tiers : 0;
            for (size_t t = 0; t <= nt; t++) {
                int64_t lo =
                    t ? (int64_t)((__int128)target * r->tiers[t - 1].from_bp / 10000) : INT64_MIN;
                int64_t hi =
                    t < nt ? (int64_t)((__int128)target * r->tiers[t].from_bp / 10000) : INT64_MAX;
                int64_t s0 = c0 > lo ? c0 : lo, e0 = c1 < hi ? c1 : hi;
                if (e0 <= s0)
                    continue;
                if (!(l = new_line(out, cap, "commission")))
                    break;
                /* the slice's part of the line's basis (all of it for revenue plans) */
                l->basis = s->basis == s->credited
                               ? e0 - s0
                               : (int64_t)((__int128)(e0 - s0) * s->basis / s->credited);
                if (s->no_cost)
                    l->reason = "no_cost";
                l->rate_bp = rate;
                l->tier = (int64_t)t;
                l->multiplier_bp = t ? r->tiers[t - 1].multiplier_bp : 10000;
                l->amount = apply_bp2(l->basis, rate, l->multiplier_bp);
            }
        } else {
            continue;
        }
        if (s->credited > 0)
            cum += s->credited;
        /* the order line behind the last lines */
        for (size_t k = out->n; k > 0; k--) {
            struct payout_line *x = &out->lines[k - 1];
            if (x->has_order_line || !strcmp(x->kind, "threshold"))
                break;
            x->has_order_line = 1;
            x->order_line_id = s->order_line_id;
            x->has_account = 1;
            x->account_id = s->account_id;
            x->family = s->family ? s->family : "";
            x->day = day_str(a, s->day);
            x->line_amount = s->line_amount;
            x->share_bp = s->share_bp;
        }
    }
    for (size_t i = 0; i < n_debts; i++) {
        const struct comm_debt *d = &debts[i];
        if (d->credited <= 0 || !(l = new_line(out, cap, "clawback")))
            continue;
        l->reason = "bad_debt";
        l->has_invoice = 1;
        l->invoice_id = d->invoice_id;
        l->has_account = 1;
        l->account_id = d->account_id;
        l->day = d->day ? d->day : "";
        l->line_amount = d->unpaid;
        l->share_bp = d->share_bp;
        l->basis = -d->credited;
        l->rate_bp = r->default_rate_bp;
        l->amount = apply_bp2(-d->credited, r->default_rate_bp, 10000);
    }
    int64_t sum = 0;
    for (size_t i = 0; i < out->n; i++)
        sum += out->lines[i].amount;
    if (r->has_cap && sum > r->cap && (l = new_line(out, cap, "cap"))) {
        l->reason = "cap";
        l->basis = sum;
        l->amount = r->cap - sum;
        sum = r->cap;
    }
    out->total = sum;
}

/* ---- plans ---- */

#define PCOLS                                                                                      \
    "p.id, p.name, p.currency, p.period_kind, p.basis, p.default_rate_bp, p.threshold_bp, "        \
    "p.cap, p.bad_debt_days, p.note, p.active, p.version, p.created_at, p.updated_at"

static void plan_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct comm_plan *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->name = arena_strdup(ctx->a, db_col_text(st, 1));
    x->currency = arena_strdup(ctx->a, db_col_text(st, 2));
    x->period_kind = arena_strdup(ctx->a, db_col_text(st, 3));
    x->basis = arena_strdup(ctx->a, db_col_text(st, 4));
    x->default_rate_bp = db_col_i64(st, 5);
    x->threshold_bp = db_col_i64(st, 6);
    x->has_cap = !db_col_is_null(st, 7);
    x->cap = x->has_cap ? db_col_i64(st, 7) : 0;
    x->bad_debt_days = db_col_i64(st, 8);
    x->note = arena_strdup(ctx->a, db_col_text(st, 9));
    x->active = db_col_i64(st, 10) != 0;
    x->version = db_col_i64(st, 11);
    x->created_at = db_col_i64(st, 12);
    x->updated_at = db_col_i64(st, 13);
}

static void rate_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct comm_rate *x = row;
    x->set = CR_FAMILY | CR_RATE;
    x->family = arena_strdup(ctx->a, db_col_text(st, 0));
    x->rate_bp = db_col_i64(st, 1);
}

static void tier_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    (void)ctx;
    struct comm_tier *x = row;
    x->set = CT_FROM | CT_MULT;
    x->from_bp = db_col_i64(st, 0);
    x->multiplier_bp = db_col_i64(st, 1);
}

static void split_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct comm_split *x = row;
    x->set = CS_ROLE | CS_SHARE;
    x->dept_role = arena_strdup(ctx->a, db_col_text(st, 0));
    x->share_bp = db_col_i64(st, 1);
}

static void target_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct comm_target *x = row;
    x->set = CG_USER | CG_PERIOD | CG_AMOUNT;
    x->user_id = db_col_i64(st, 0);
    x->period_start = arena_strdup(ctx->a, db_col_text(st, 1));
    x->amount = db_col_i64(st, 2);
}

static enum kam_err children(struct kam_ctx *ctx, const char *sql, int64_t id, row_reader read,
                             size_t size, size_t max, void **out, size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    return rows_collect(ctx, st, max, read, size, out, n);
}

static enum kam_err plan_children(struct kam_ctx *ctx, struct comm_plan *x)
{
    enum kam_err rc;
    if ((rc = children(ctx,
                       "SELECT family, rate_bp FROM commission_rates WHERE plan_id = ? ORDER BY "
                       "family",
                       x->id, rate_row, sizeof *x->rates, COMM_RATES_MAX, (void **)&x->rates,
                       &x->n_rates)) ||
        (rc = children(ctx,
                       "SELECT from_bp, multiplier_bp FROM commission_tiers WHERE plan_id = ? "
                       "ORDER BY from_bp",
                       x->id, tier_row, sizeof *x->tiers, COMM_TIERS_MAX, (void **)&x->tiers,
                       &x->n_tiers)) ||
        (rc = children(ctx,
                       "SELECT dept_role, share_bp FROM commission_splits WHERE plan_id = ? "
                       "ORDER BY dept_role",
                       x->id, split_row, sizeof *x->splits, COMM_SPLITS_MAX, (void **)&x->splits,
                       &x->n_splits)))
        return rc;
    if ((rc = children(ctx,
                       "SELECT user_id, period_start, amount FROM commission_targets WHERE "
                       "plan_id = ? ORDER BY period_start, user_id",
                       x->id, target_row, sizeof *x->targets, COMM_TARGETS_MAX,
                       (void **)&x->targets, &x->n_targets)))
        return rc;
    for (size_t i = 0; i < x->n_targets; i++)
        x->targets[i].period = comm_period_label(ctx, x->period_kind, x->targets[i].period_start);
    return KAM_OK;
}

enum kam_err comm_plan_get(struct kam_ctx *ctx, int64_t id, struct comm_plan *out)
{
    enum kam_err rc = row_get(ctx, "SELECT " PCOLS " FROM commission_plans p WHERE p.id = ?", id,
                              plan_row, out, "commission plan");
    return rc ? rc : plan_children(ctx, out);
}

/* Canonical texts of the lists: what the audit compares. */
static const char *rates_key(struct kam_ctx *ctx, const struct comm_plan *x)
{
    const char *s = "";
    for (size_t i = 0; i < x->n_rates; i++)
        s = arena_printf(ctx->a, "%s%s%s:%lld", s, i ? "," : "", x->rates[i].family,
                         (long long)x->rates[i].rate_bp);
    return s;
}

static const char *tiers_key(struct kam_ctx *ctx, const struct comm_plan *x)
{
    const char *s = "";
    for (size_t i = 0; i < x->n_tiers; i++)
        s = arena_printf(ctx->a, "%s%s%lld:%lld", s, i ? "," : "", (long long)x->tiers[i].from_bp,
                         (long long)x->tiers[i].multiplier_bp);
    return s;
}

static const char *splits_key(struct kam_ctx *ctx, const struct comm_plan *x)
{
    const char *s = "";
    for (size_t i = 0; i < x->n_splits; i++)
        s = arena_printf(ctx->a, "%s%s%s:%lld", s, i ? "," : "", x->splits[i].dept_role,
                         (long long)x->splits[i].share_bp);
    return s;
}

static const char *targets_key(struct kam_ctx *ctx, const struct comm_plan *x)
{
    const char *s = "";
    for (size_t i = 0; i < x->n_targets; i++)
        s = arena_printf(ctx->a, "%s%s%lld@%s:%lld", s, i ? "," : "",
                         (long long)x->targets[i].user_id, x->targets[i].period_start,
                         (long long)x->targets[i].amount);
    return s;
}

static int cmp_rate(const void *a, const void *b)
{
    return strcmp(((const struct comm_rate *)a)->family, ((const struct comm_rate *)b)->family);
}
static int cmp_tier(const void *a, const void *b)
{
    int64_t x = ((const struct comm_tier *)a)->from_bp, y = ((const struct comm_tier *)b)->from_bp;
    return x < y ? -1 : x > y;
}
static int cmp_split(const void *a, const void *b)
{
    return strcmp(((const struct comm_split *)a)->dept_role,
                  ((const struct comm_split *)b)->dept_role);
}
static int cmp_target(const void *a, const void *b)
{
    const struct comm_target *x = a, *y = b;
    int c = strcmp(x->period_start, y->period_start);
    return c ? c : x->user_id < y->user_id ? -1 : x->user_id > y->user_id;
}

static void merge_plan(struct kam_ctx *ctx, struct comm_plan *x, const struct comm_plan_in *in)
{
    const struct comm_plan *v = &in->v;
    if (in->set & CP_NAME)
        x->name = v->name;
    if (in->set & CP_CURRENCY)
        x->currency = v->currency;
    if (in->set & CP_KIND)
        x->period_kind = v->period_kind;
    if (in->set & CP_BASIS)
        x->basis = v->basis;
    if (in->set & CP_DEFAULT)
        x->default_rate_bp = v->default_rate_bp;
    if (in->set & CP_THRESHOLD)
        x->threshold_bp = v->threshold_bp;
    if (in->set & CP_CAP) {
        x->has_cap = v->has_cap;
        x->cap = v->has_cap ? v->cap : 0;
    }
    if (in->set & CP_DEBT)
        x->bad_debt_days = v->bad_debt_days;
    if (in->set & CP_NOTE)
        x->note = v->note ? v->note : "";
    if (in->set & CP_ACTIVE)
        x->active = v->active;
    if (in->set & CP_RATES) {
        x->rates = arena_calloc(ctx->a, (size_t)in->n_rates + 1, sizeof *x->rates);
        if (in->n_rates)
            memcpy(x->rates, in->rates, (size_t)in->n_rates * sizeof *x->rates);
        x->n_rates = (size_t)in->n_rates;
    }
    if (in->set & CP_TIERS) {
        x->tiers = arena_calloc(ctx->a, (size_t)in->n_tiers + 1, sizeof *x->tiers);
        if (in->n_tiers)
            memcpy(x->tiers, in->tiers, (size_t)in->n_tiers * sizeof *x->tiers);
        x->n_tiers = (size_t)in->n_tiers;
    }
    if (in->set & CP_SPLITS) {
        x->splits = arena_calloc(ctx->a, (size_t)in->n_splits + 1, sizeof *x->splits);
        if (in->n_splits)
            memcpy(x->splits, in->splits, (size_t)in->n_splits * sizeof *x->splits);
        x->n_splits = (size_t)in->n_splits;
    }
    if (in->set & CP_TARGETS) {
        x->targets = arena_calloc(ctx->a, (size_t)in->n_targets + 1, sizeof *x->targets);
        if (in->n_targets)
            memcpy(x->targets, in->targets, (size_t)in->n_targets * sizeof *x->targets);
        x->n_targets = (size_t)in->n_targets;
        for (size_t i = 0; i < x->n_targets; i++)
            x->targets[i].period_start = NULL; /* from the label, in validate */
    }
}

static enum kam_err field_req(struct kam_ctx *ctx, const char *list, size_t i, unsigned set,
                              unsigned bit, const char *name)
{
    if (set & bit)
        return KAM_OK;
    const char *f = arena_printf(ctx->a, "%s[%zu].%s", list, i, name);
    return kam_fail_key(ctx->err, KAM_EINVAL, f, "required",
                        (struct kam_param[]){{"field", f}, {0}}, "%s is required", f);
}

static enum kam_err validate_plan(struct kam_ctx *ctx, struct comm_plan *x)
{
    enum kam_err rc;
    if ((rc = check_line(ctx, "name", x->name, COMM_NAME_MAX)) ||
        (rc = check_currency(ctx, "currency", x->currency)) ||
        (rc = check_enum(ctx, "period_kind", x->period_kind, comm_period_kinds)) ||
        (rc = check_enum(ctx, "basis", x->basis, comm_bases)) ||
        (rc = check_range(ctx, "default_rate_bp", x->default_rate_bp, 0, COMM_RATE_MAX)) ||
        (rc = check_range(ctx, "threshold_bp", x->threshold_bp, 0, COMM_TIER_FROM_MAX)) ||
        (x->has_cap && (rc = check_range(ctx, "cap", x->cap, 0, COMM_MONEY_MAX))) ||
        (rc = check_range(ctx, "bad_debt_days", x->bad_debt_days, 0, COMM_DEBT_DAYS_MAX)) ||
        (rc = check_text(ctx, "note", x->note, 0, COMM_NOTE_MAX, CHECK_MULTILINE)))
        return rc;
    for (size_t i = 0; i < x->n_rates; i++) {
        struct comm_rate *r = &x->rates[i];
        if ((rc = field_req(ctx, "rates", i, r->set, CR_FAMILY, "family")) ||
            (rc = field_req(ctx, "rates", i, r->set, CR_RATE, "rate_bp")) ||
            (rc = check_line(ctx, arena_printf(ctx->a, "rates[%zu].family", i), r->family,
                             COMM_FAMILY_MAX)) ||
            (rc = check_range(ctx, arena_printf(ctx->a, "rates[%zu].rate_bp", i), r->rate_bp, 0,
                              COMM_RATE_MAX)))
            return rc;
        for (size_t k = 0; k < i; k++)
            if (!strcmp(x->rates[k].family, r->family))
                return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "rates[%zu].family", i),
                                "family %s is given twice", r->family);
    }
    for (size_t i = 0; i < x->n_tiers; i++) {
        struct comm_tier *t = &x->tiers[i];
        if ((rc = field_req(ctx, "tiers", i, t->set, CT_FROM, "from_bp")) ||
            (rc = field_req(ctx, "tiers", i, t->set, CT_MULT, "multiplier_bp")) ||
            (rc = check_range(ctx, arena_printf(ctx->a, "tiers[%zu].from_bp", i), t->from_bp, 1,
                              COMM_TIER_FROM_MAX)) ||
            (rc = check_range(ctx, arena_printf(ctx->a, "tiers[%zu].multiplier_bp", i),
                              t->multiplier_bp, 0, COMM_MULT_MAX)))
            return rc;
        for (size_t k = 0; k < i; k++)
            if (x->tiers[k].from_bp == t->from_bp)
                return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "tiers[%zu].from_bp", i),
                                "two tiers start at %lld", (long long)t->from_bp);
    }
    int64_t split_sum = 0;
    for (size_t i = 0; i < x->n_splits; i++) {
        struct comm_split *s = &x->splits[i];
        if ((rc = field_req(ctx, "splits", i, s->set, CS_ROLE, "dept_role")) ||
            (rc = field_req(ctx, "splits", i, s->set, CS_SHARE, "share_bp")) ||
            (rc = check_enum(ctx, arena_printf(ctx->a, "splits[%zu].dept_role", i), s->dept_role,
                             comm_split_roles)) ||
            (rc = check_range(ctx, arena_printf(ctx->a, "splits[%zu].share_bp", i), s->share_bp, 0,
                              10000)))
            return rc;
        for (size_t k = 0; k < i; k++)
            if (!strcmp(x->splits[k].dept_role, s->dept_role))
                return kam_fail(ctx->err, KAM_EINVAL,
                                arena_printf(ctx->a, "splits[%zu].dept_role", i),
                                "dept_role %s is given twice", s->dept_role);
        split_sum += s->share_bp;
    }
    if (x->n_splits && split_sum != 10000)
        return kam_fail(ctx->err, KAM_EINVAL, "splits",
                        "the shares must add up to 10000 (100 %%), not %lld", (long long)split_sum);
    for (size_t i = 0; i < x->n_targets; i++) {
        struct comm_target *t = &x->targets[i];
        const char *f = arena_printf(ctx->a, "targets[%zu].user_id", i);
        if ((rc = field_req(ctx, "targets", i, t->set, CG_USER, "user_id")) ||
            (rc = field_req(ctx, "targets", i, t->set, CG_PERIOD, "period")) ||
            (rc = field_req(ctx, "targets", i, t->set, CG_AMOUNT, "amount")) ||
            (rc = check_range(ctx, arena_printf(ctx->a, "targets[%zu].amount", i), t->amount, 1,
                              COMM_MONEY_MAX)))
            return rc;
        if (!t->period_start &&
            (rc = comm_period(ctx, arena_printf(ctx->a, "targets[%zu].period", i), x->period_kind,
                              t->period, &t->period_start, NULL, NULL, NULL)))
            return rc;
        int64_t found = 0;
        rc = db_query_i64(ctx->db, "SELECT id FROM users WHERE id = ?", 1, t->user_id, &found,
                          ctx->err);
        if (rc == KAM_ENOTFOUND)
            return kam_fail(ctx->err, KAM_EINVAL, f, "no such user");
        if (rc)
            return rc;
        for (size_t k = 0; k < i; k++)
            if (x->targets[k].user_id == t->user_id &&
                !strcmp(x->targets[k].period_start, t->period_start))
                return kam_fail(ctx->err, KAM_EINVAL, f, "a second target for the same period");
    }
    /* (an empty list may be NULL, which qsort must not be given) */
    if (x->n_rates)
        qsort(x->rates, x->n_rates, sizeof *x->rates, cmp_rate);
    if (x->n_tiers)
        qsort(x->tiers, x->n_tiers, sizeof *x->tiers, cmp_tier);
    if (x->n_splits)
        qsort(x->splits, x->n_splits, sizeof *x->splits, cmp_split);
    if (x->n_targets)
        qsort(x->targets, x->n_targets, sizeof *x->targets, cmp_target);
    for (size_t i = 0; i < x->n_targets; i++)
        x->targets[i].period = comm_period_label(ctx, x->period_kind, x->targets[i].period_start);
    return KAM_OK;
}

static void plan_diff(struct kam_ctx *ctx, struct audit_diff *d, const struct comm_plan *b,
                      const struct comm_plan *a)
{
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "currency", b ? b->currency : NULL, a ? a->currency : NULL);
    audit_diff_str(d, "period_kind", b ? b->period_kind : NULL, a ? a->period_kind : NULL);
    audit_diff_str(d, "basis", b ? b->basis : NULL, a ? a->basis : NULL);
    audit_diff_i64(d, "default_rate_bp", b ? b->default_rate_bp : 0, !b, a ? a->default_rate_bp : 0,
                   !a);
    audit_diff_i64(d, "threshold_bp", b ? b->threshold_bp : 0, !b, a ? a->threshold_bp : 0, !a);
    audit_diff_i64(d, "cap", b ? b->cap : 0, !b || !b->has_cap, a ? a->cap : 0, !a || !a->has_cap);
    audit_diff_i64(d, "bad_debt_days", b ? b->bad_debt_days : 0, !b, a ? a->bad_debt_days : 0, !a);
    audit_diff_str(d, "note", b ? b->note : NULL, a ? a->note : NULL);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a ? a->active : 0, !a);
    audit_diff_str(d, "rates", b ? rates_key(ctx, b) : NULL, a ? rates_key(ctx, a) : NULL);
    audit_diff_str(d, "tiers", b ? tiers_key(ctx, b) : NULL, a ? tiers_key(ctx, a) : NULL);
    audit_diff_str(d, "splits", b ? splits_key(ctx, b) : NULL, a ? splits_key(ctx, a) : NULL);
    audit_diff_str(d, "targets", b ? targets_key(ctx, b) : NULL, a ? targets_key(ctx, a) : NULL);
}

static void bind_plan(struct db_stmt *st, const struct comm_plan *x, int64_t now)
{
    db_bind_text(st, 1, x->name);
    db_bind_text(st, 2, x->currency);
    db_bind_text(st, 3, x->period_kind);
    db_bind_text(st, 4, x->basis);
    db_bind_i64(st, 5, x->default_rate_bp);
    db_bind_i64(st, 6, x->threshold_bp);
    db_bind_i64n(st, 7, x->cap, !x->has_cap);
    db_bind_i64(st, 8, x->bad_debt_days);
    db_bind_text(st, 9, x->note);
    db_bind_i64(st, 10, x->active);
    db_bind_i64(st, 11, now);
}

/* Replaces the lists of plan x that differ from before's (all when before is NULL). */
static enum kam_err write_children(struct kam_ctx *ctx, const struct comm_plan *b,
                                   const struct comm_plan *x)
{
    enum kam_err rc = KAM_OK;
    struct db_stmt *st;
    if (!b || strcmp(rates_key(ctx, b), rates_key(ctx, x))) {
        if ((rc = db_exec_i64(ctx->db, "DELETE FROM commission_rates WHERE plan_id = ?", x->id,
                              ctx->err)))
            return rc;
        for (size_t i = 0; i < x->n_rates && !rc; i++) {
            if ((rc = db_prepare(ctx->db,
                                 "INSERT INTO commission_rates (plan_id, family, rate_bp) VALUES "
                                 "(?,?,?)",
                                 &st, ctx->err)))
                return rc;
            db_bind_i64(st, 1, x->id);
            db_bind_text(st, 2, x->rates[i].family);
            db_bind_i64(st, 3, x->rates[i].rate_bp);
            rc = db_run(st, ctx->err);
        }
    }
    if (!rc && (!b || strcmp(tiers_key(ctx, b), tiers_key(ctx, x)))) {
        if ((rc = db_exec_i64(ctx->db, "DELETE FROM commission_tiers WHERE plan_id = ?", x->id,
                              ctx->err)))
            return rc;
        for (size_t i = 0; i < x->n_tiers && !rc; i++) {
            if ((rc = db_prepare(ctx->db,
                                 "INSERT INTO commission_tiers (plan_id, from_bp, multiplier_bp) "
                                 "VALUES (?,?,?)",
                                 &st, ctx->err)))
                return rc;
            db_bind_i64(st, 1, x->id);
            db_bind_i64(st, 2, x->tiers[i].from_bp);
            db_bind_i64(st, 3, x->tiers[i].multiplier_bp);
            rc = db_run(st, ctx->err);
        }
    }
    if (!rc && (!b || strcmp(splits_key(ctx, b), splits_key(ctx, x)))) {
        if ((rc = db_exec_i64(ctx->db, "DELETE FROM commission_splits WHERE plan_id = ?", x->id,
                              ctx->err)))
            return rc;
        for (size_t i = 0; i < x->n_splits && !rc; i++) {
            if ((rc = db_prepare(ctx->db,
                                 "INSERT INTO commission_splits (plan_id, dept_role, share_bp) "
                                 "VALUES (?,?,?)",
                                 &st, ctx->err)))
                return rc;
            db_bind_i64(st, 1, x->id);
            db_bind_text(st, 2, x->splits[i].dept_role);
            db_bind_i64(st, 3, x->splits[i].share_bp);
            rc = db_run(st, ctx->err);
        }
    }
    if (!rc && (!b || strcmp(targets_key(ctx, b), targets_key(ctx, x)))) {
        if ((rc = db_exec_i64(ctx->db, "DELETE FROM commission_targets WHERE plan_id = ?", x->id,
                              ctx->err)))
            return rc;
        for (size_t i = 0; i < x->n_targets && !rc; i++) {
            if ((rc = db_prepare(ctx->db,
                                 "INSERT INTO commission_targets (plan_id, user_id, "
                                 "period_start, amount) VALUES (?,?,?,?)",
                                 &st, ctx->err)))
                return rc;
            db_bind_i64(st, 1, x->id);
            db_bind_i64(st, 2, x->targets[i].user_id);
            db_bind_text(st, 3, x->targets[i].period_start);
            db_bind_i64(st, 4, x->targets[i].amount);
            rc = db_run(st, ctx->err);
        }
    }
    return rc;
}

enum kam_err comm_plan_check(struct kam_ctx *ctx, const struct comm_plan_in *in,
                             struct comm_plan *out)
{
    struct comm_plan x = {.period_kind = "quarter", .basis = "revenue", .note = "", .active = 1};
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, CP_NAME, "name")))
        return rc;
    if (!(in->set & CP_CURRENCY) && (rc = fx_base(ctx, &x.currency)))
        return rc;
    merge_plan(ctx, &x, in);
    if ((rc = validate_plan(ctx, &x)))
        return rc;
    *out = x;
    return KAM_OK;
}

enum kam_err comm_plan_create(struct kam_ctx *ctx, const struct comm_plan_in *in,
                              struct comm_plan *out)
{
    struct comm_plan x = {.period_kind = "quarter", .basis = "revenue", .note = "", .active = 1};
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, CP_NAME, "name")))
        return rc;
    if (!(in->set & CP_CURRENCY) && (rc = fx_base(ctx, &x.currency)))
        return rc;
    merge_plan(ctx, &x, in);
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = validate_plan(ctx, &x)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO commission_plans (name, currency, period_kind, basis, "
                         "default_rate_bp, threshold_bp, cap, bad_debt_days, note, active, "
                         "updated_at, created_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,1) "
                         "RETURNING id",
                         &st, ctx->err)))
        goto out;
    bind_plan(st, &x, ctx->now);
    db_bind_i64(st, 12, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc || (rc = write_children(ctx, NULL, &x)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    plan_diff(ctx, &d, NULL, &x);
    if (!(rc = audit_write(ctx, "commission_plan", x.id, 0, "create", &d)))
        rc = comm_plan_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err cp_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return comm_plan_get(ctx, id, rec);
}

static enum kam_err cp_merge(const struct update_op *op, void *rec)
{
    const struct comm_plan_in *in = op->in;
    const struct comm_plan *b = op->before;
    struct comm_plan *x = rec;
    merge_plan(op->ctx, x, in);
    if (strcmp(x->period_kind, b->period_kind))
        return kam_fail(op->ctx->err, KAM_EINVAL, "period_kind",
                        "the period kind of a plan cannot change: make a new plan");
    return validate_plan(op->ctx, x);
}

static void cp_diff(const struct update_op *op)
{
    plan_diff(op->ctx, op->diff, op->before, op->after);
}

static enum kam_err cp_write(const struct update_op *op)
{
    const struct comm_plan *x = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(op->ctx->db,
                                 "UPDATE commission_plans SET name = ?, currency = ?, period_kind "
                                 "= ?, basis = ?, default_rate_bp = ?, threshold_bp = ?, cap = ?, "
                                 "bad_debt_days = ?, note = ?, active = ?, updated_at = ?, "
                                 "version = version + 1 WHERE id = ? AND version = ?",
                                 &st, op->ctx->err);
    if (rc)
        return rc;
    bind_plan(st, x, op->ctx->now);
    db_bind_i64(st, 12, x->id);
    db_bind_i64(st, 13, b->version);
    return db_run(st, op->ctx->err);
}

static enum kam_err cp_then(const struct update_op *op)
{
    return write_children(op->ctx, op->before, op->after);
}

static const struct update_spec plan_spec = {
    .entity = "commission_plan",
    .noun = "commission plan",
    .size = sizeof(struct comm_plan),
    .versioned = 1,
    .version_at = offsetof(struct comm_plan, version),
    .in_set_at = offsetof(struct comm_plan_in, set),
    .in_version_at = offsetof(struct comm_plan_in, v.version),
    .in_version_bit = CP_VERSION,
    .get = cp_get,
    .merge = cp_merge,
    .diff = cp_diff,
    .write = cp_write,
    .then = cp_then,
};

enum kam_err comm_plan_update(struct kam_ctx *ctx, int64_t id, const struct comm_plan_in *in,
                              struct comm_plan *out)
{
    return record_update(ctx, &plan_spec, id, in, out);
}

enum kam_err comm_plan_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct comm_plan before;
    int64_t n = 0;
    /* the row locked first (PostgreSQL): a statement or pool written meanwhile is counted */
    if ((rc = db_query_i64(ctx->db,
                           *db_update_lock(ctx->db)
                               ? "SELECT COUNT(*) FROM (SELECT id FROM commission_plans WHERE id = "
                                 "? FOR UPDATE) x"
                               : "SELECT COUNT(*) FROM commission_plans WHERE id = ?",
                           1, id, &n, ctx->err)) ||
        (rc = comm_plan_get(ctx, id, &before)) ||
        (rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM payout_statements WHERE plan_id = ?", 1,
                           id, &n, ctx->err)))
        goto out;
    int64_t pools = 0;
    if ((rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM bonus_pools WHERE plan_id = ?", 1, id,
                           &pools, ctx->err)))
        goto out;
    if (n || pools) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "commission_plan.in_use", NULL,
                          "the plan has statements or bonus pools; make it inactive instead");
        goto out;
    }
    static const char *const del[] = {
        "DELETE FROM commission_rates WHERE plan_id = ?",
        "DELETE FROM commission_tiers WHERE plan_id = ?",
        "DELETE FROM commission_splits WHERE plan_id = ?",
        "DELETE FROM commission_targets WHERE plan_id = ?",
        "DELETE FROM commission_plans WHERE id = ?",
    };
    for (size_t i = 0; i < sizeof del / sizeof del[0]; i++)
        if ((rc = db_exec_i64(ctx->db, del[i], id, ctx->err)))
            goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    plan_diff(ctx, &d, &before, NULL);
    rc = audit_write(ctx, "commission_plan", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort plan_sorts[] = {
    {"name", "p.name", 1},
    {"id", "p.id", 0},
};

enum kam_err comm_plan_list(struct kam_ctx *ctx, const struct comm_plan_query *q,
                            struct comm_plan **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, plan_sorts, 2, "name", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " PCOLS " FROM commission_plans p WHERE 1 = 1");
    if (q->active >= 0) {
        sqlb_sql(&b, " AND p.active = ?");
        sqlb_i64(&b, q->active);
    }
    struct comm_plan *items;
    const struct comm_plan *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "p.id", plan_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    for (size_t i = 0; i < n; i++)
        if ((rc = plan_children(ctx, &items[i])))
            return rc;
    *next_out = last ? page_cursor(ctx, &pg, last->name, last->id, last->id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ---- bonus pools ---- */

#define BCOLS                                                                                      \
    "b.id, b.plan_id, b.name, b.period_start, b.period_end, b.amount, b.team_id, b.role, "         \
    "b.min_score, b.version, b.created_at, b.updated_at, p.period_kind, p.currency"
#define BFROM " FROM bonus_pools b JOIN commission_plans p ON p.id = b.plan_id"

static void pool_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct bonus_pool *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->plan_id = db_col_i64(st, 1);
    x->name = arena_strdup(ctx->a, db_col_text(st, 2));
    x->period_start = arena_strdup(ctx->a, db_col_text(st, 3));
    x->period_end = arena_strdup(ctx->a, db_col_text(st, 4));
    x->amount = db_col_i64(st, 5);
    x->has_team = !db_col_is_null(st, 6);
    x->team_id = x->has_team ? db_col_i64(st, 6) : 0;
    x->role = arena_strdup(ctx->a, db_col_text(st, 7));
    x->min_score = db_col_i64(st, 8);
    x->version = db_col_i64(st, 9);
    x->created_at = db_col_i64(st, 10);
    x->updated_at = db_col_i64(st, 11);
    x->period = comm_period_label(ctx, db_col_text(st, 12), x->period_start);
    x->currency = arena_strdup(ctx->a, db_col_text(st, 13));
}

static void share_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct bonus_share *x = row;
    x->user_id = db_col_i64(st, 0);
    x->score = db_col_i64(st, 1);
    x->user_name = arena_strdup(ctx->a, db_col_text(st, 2));
    x->amount = 0;
}

/* The distribution as the scorecards stand (commission.h). */
static enum kam_err pool_shares(struct kam_ctx *ctx, struct bonus_pool *x)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    /* a person's latest final or calibrated scorecard of exactly the pool's period */
    sqlb_sql(&b, "SELECT s.user_id, s.score, CASE WHEN u.name = '' THEN u.login ELSE u.name END "
                 "FROM scorecards s JOIN users u ON u.id = s.user_id WHERE s.status IN "
                 "('final', 'calibrated') AND s.score IS NOT NULL AND s.period_start = ? AND "
                 "s.period_end = ? AND s.score >= ? AND s.id = (SELECT MAX(s2.id) FROM "
                 "scorecards s2 WHERE s2.user_id = s.user_id AND s2.status IN ('final', "
                 "'calibrated') AND s2.score IS NOT NULL AND s2.period_start = s.period_start "
                 "AND s2.period_end = s.period_end)");
    sqlb_text(&b, x->period_start);
    sqlb_text(&b, x->period_end);
    sqlb_i64(&b, x->min_score);
    if (x->has_team) {
        sqlb_sql(&b, " AND u.team_id = ?");
        sqlb_i64(&b, x->team_id);
    }
    if (*x->role) {
        sqlb_sql(&b, " AND u.role = ?");
        sqlb_text(&b, x->role);
    }
    sqlb_sql(&b, " ORDER BY s.user_id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc || (rc = rows_collect(ctx, st, 10000, share_row, sizeof *x->shares, (void **)&x->shares,
                                 &x->n_shares)))
        return rc;
    if (!x->n_shares)
        return KAM_OK;
    int64_t *w = arena_calloc(ctx->a, x->n_shares, sizeof *w);
    int64_t *o = arena_calloc(ctx->a, x->n_shares, sizeof *o);
    for (size_t i = 0; i < x->n_shares; i++)
        w[i] = x->shares[i].score > 0 ? x->shares[i].score : 0;
    comm_shares(x->amount, w, x->n_shares, o);
    for (size_t i = 0; i < x->n_shares; i++)
        x->shares[i].amount = o[i];
    return KAM_OK;
}

enum kam_err bonus_pool_get(struct kam_ctx *ctx, int64_t id, struct bonus_pool *out)
{
    enum kam_err rc =
        row_get(ctx, "SELECT " BCOLS BFROM " WHERE b.id = ?", id, pool_row, out, "bonus pool");
    return rc ? rc : pool_shares(ctx, out);
}

static enum kam_err validate_pool(struct kam_ctx *ctx, struct bonus_pool *x)
{
    enum kam_err rc;
    if ((rc = check_line(ctx, "name", x->name, COMM_NAME_MAX)) ||
        (rc = check_range(ctx, "amount", x->amount, 1, COMM_MONEY_MAX)) ||
        (rc = check_range(ctx, "min_score", x->min_score, 0, 100000)))
        return rc;
    if (*x->role && role_parse(x->role) == ROLE_NONE)
        return kam_fail(ctx->err, KAM_EINVAL, "role", "no such role");
    if (x->has_team) {
        int64_t found = 0;
        rc = db_query_i64(ctx->db, "SELECT id FROM teams WHERE id = ?", 1, x->team_id, &found,
                          ctx->err);
        if (rc == KAM_ENOTFOUND)
            return kam_fail(ctx->err, KAM_EINVAL, "team_id", "no such team");
        if (rc)
            return rc;
    }
    return KAM_OK;
}

static void pool_diff(struct audit_diff *d, const struct bonus_pool *b, const struct bonus_pool *a)
{
    audit_diff_i64(d, "plan_id", b ? b->plan_id : 0, !b, a ? a->plan_id : 0, !a);
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "period_start", b ? b->period_start : NULL, a ? a->period_start : NULL);
    audit_diff_str(d, "period_end", b ? b->period_end : NULL, a ? a->period_end : NULL);
    audit_diff_i64(d, "amount", b ? b->amount : 0, !b, a ? a->amount : 0, !a);
    audit_diff_i64(d, "team_id", b ? b->team_id : 0, !b || !b->has_team, a ? a->team_id : 0,
                   !a || !a->has_team);
    audit_diff_str(d, "role", b ? b->role : NULL, a ? a->role : NULL);
    audit_diff_i64(d, "min_score", b ? b->min_score : 0, !b, a ? a->min_score : 0, !a);
}

static enum kam_err merge_pool(struct kam_ctx *ctx, struct bonus_pool *x,
                               const struct bonus_pool_in *in, const char *kind)
{
    const struct bonus_pool *v = &in->v;
    if (in->set & BP_NAME)
        x->name = v->name;
    if (in->set & BP_AMOUNT)
        x->amount = v->amount;
    if (in->set & BP_TEAM) {
        x->has_team = v->has_team;
        x->team_id = v->has_team ? v->team_id : 0;
    }
    if (in->set & BP_ROLE)
        x->role = v->role ? v->role : "";
    if (in->set & BP_MIN)
        x->min_score = v->min_score;
    if (in->set & BP_PERIOD) {
        enum kam_err rc = comm_period(ctx, "period", kind, v->period, &x->period_start,
                                      &x->period_end, NULL, NULL);
        if (rc)
            return rc;
        x->period = v->period;
    }
    return KAM_OK;
}

enum kam_err bonus_pool_create(struct kam_ctx *ctx, const struct bonus_pool_in *in,
                               struct bonus_pool *out)
{
    struct bonus_pool x = {.role = ""};
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, BP_PLAN, "plan_id")) ||
        (rc = check_given(ctx, in->set, BP_NAME, "name")) ||
        (rc = check_given(ctx, in->set, BP_PERIOD, "period")) ||
        (rc = check_given(ctx, in->set, BP_AMOUNT, "amount")))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct comm_plan p;
    rc = comm_plan_get(ctx, in->v.plan_id, &p);
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(ctx->err);
        rc = kam_fail(ctx->err, KAM_EINVAL, "plan_id", "no such commission plan");
    }
    if (rc)
        goto out;
    x.plan_id = p.id;
    if ((rc = merge_pool(ctx, &x, in, p.period_kind)) || (rc = validate_pool(ctx, &x)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO bonus_pools (plan_id, name, period_start, period_end, "
                         "amount, team_id, role, min_score, version, created_at, updated_at) "
                         "VALUES (?,?,?,?,?,?,?,?,1,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, x.plan_id);
    db_bind_text(st, 2, x.name);
    db_bind_text(st, 3, x.period_start);
    db_bind_text(st, 4, x.period_end);
    db_bind_i64(st, 5, x.amount);
    db_bind_i64n(st, 6, x.team_id, !x.has_team);
    db_bind_text(st, 7, x.role);
    db_bind_i64(st, 8, x.min_score);
    db_bind_i64(st, 9, ctx->now);
    db_bind_i64(st, 10, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    pool_diff(&d, NULL, &x);
    if (!(rc = audit_write(ctx, "bonus_pool", x.id, 0, "create", &d)))
        rc = bonus_pool_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err bp_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return bonus_pool_get(ctx, id, rec);
}

static enum kam_err bp_merge(const struct update_op *op, void *rec)
{
    const struct bonus_pool_in *in = op->in;
    struct bonus_pool *x = rec;
    if ((in->set & BP_PLAN) && in->v.plan_id != x->plan_id)
        return kam_fail(op->ctx->err, KAM_EINVAL, "plan_id", "the plan of a pool cannot change");
    struct comm_plan p;
    enum kam_err rc = comm_plan_get(op->ctx, x->plan_id, &p);
    if (rc || (rc = merge_pool(op->ctx, x, in, p.period_kind)))
        return rc;
    return validate_pool(op->ctx, x);
}

static void bp_diff(const struct update_op *op)
{
    pool_diff(op->diff, op->before, op->after);
}

static enum kam_err bp_write(const struct update_op *op)
{
    const struct bonus_pool *x = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(op->ctx->db,
                                 "UPDATE bonus_pools SET name = ?, period_start = ?, period_end = "
                                 "?, amount = ?, team_id = ?, role = ?, min_score = ?, updated_at "
                                 "= ?, version = version + 1 WHERE id = ? AND version = ?",
                                 &st, op->ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, x->name);
    db_bind_text(st, 2, x->period_start);
    db_bind_text(st, 3, x->period_end);
    db_bind_i64(st, 4, x->amount);
    db_bind_i64n(st, 5, x->team_id, !x->has_team);
    db_bind_text(st, 6, x->role);
    db_bind_i64(st, 7, x->min_score);
    db_bind_i64(st, 8, op->ctx->now);
    db_bind_i64(st, 9, x->id);
    db_bind_i64(st, 10, b->version);
    return db_run(st, op->ctx->err);
}

static const struct update_spec pool_spec = {
    .entity = "bonus_pool",
    .noun = "bonus pool",
    .size = sizeof(struct bonus_pool),
    .versioned = 1,
    .version_at = offsetof(struct bonus_pool, version),
    .in_set_at = offsetof(struct bonus_pool_in, set),
    .in_version_at = offsetof(struct bonus_pool_in, v.version),
    .in_version_bit = BP_VERSION,
    .get = bp_get,
    .merge = bp_merge,
    .diff = bp_diff,
    .write = bp_write,
};

enum kam_err bonus_pool_update(struct kam_ctx *ctx, int64_t id, const struct bonus_pool_in *in,
                               struct bonus_pool *out)
{
    return record_update(ctx, &pool_spec, id, in, out);
}

static const struct page_sort pool_sorts[] = {
    {"id", "b.id", 0},
};

enum kam_err bonus_pool_list(struct kam_ctx *ctx, const struct bonus_pool_query *q,
                             struct bonus_pool **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, pool_sorts, 1, "-id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " BCOLS BFROM " WHERE 1 = 1");
    if (q->plan_id) {
        sqlb_sql(&b, " AND b.plan_id = ?");
        sqlb_i64(&b, q->plan_id);
    }
    struct bonus_pool *items;
    const struct bonus_pool *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "b.id", pool_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, last->id, last->id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err bonus_pools_of(struct kam_ctx *ctx, int64_t plan_id, const char *start,
                            struct bonus_pool **items_out, size_t *n_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT " BCOLS BFROM " WHERE b.plan_id = ? AND b.period_start = ? ORDER BY b.id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, plan_id);
    db_bind_text(st, 2, start);
    if ((rc = rows_collect(ctx, st, 1000, pool_row, sizeof **items_out, (void **)items_out, n_out)))
        return rc;
    for (size_t i = 0; i < *n_out; i++)
        if ((rc = pool_shares(ctx, &(*items_out)[i])))
            return rc;
    return KAM_OK;
}

/* ---- recognition ---- */

#define RCOLS                                                                                      \
    "r.id, r.user_id, CASE WHEN u.name = '' THEN u.login ELSE u.name END, r.title, r.reason, "     \
    "r.day, r.created_by, r.created_at"

static void recog_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct recognition *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->user_id = db_col_i64(st, 1);
    x->user_name = arena_strdup(ctx->a, db_col_text(st, 2));
    x->title = arena_strdup(ctx->a, db_col_text(st, 3));
    x->reason = arena_strdup(ctx->a, db_col_text(st, 4));
    x->day = arena_strdup(ctx->a, db_col_text(st, 5));
    x->has_created_by = !db_col_is_null(st, 6);
    x->created_by = x->has_created_by ? db_col_i64(st, 6) : 0;
    x->created_at = db_col_i64(st, 7);
}

enum kam_err recognition_create(struct kam_ctx *ctx, const struct recognition_in *in,
                                struct recognition *out)
{
    struct recognition x = in->v;
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, RG_USER, "user_id")) ||
        (rc = check_given(ctx, in->set, RG_TITLE, "title")) ||
        (rc = check_line(ctx, "title", x.title, RECOG_TITLE_MAX)))
        return rc;
    if (!x.reason)
        x.reason = "";
    if (!(in->set & RG_DAY) || !x.day)
        x.day = today(ctx);
    if ((rc = check_text(ctx, "reason", x.reason, 0, RECOG_REASON_MAX, CHECK_MULTILINE)) ||
        (rc = check_date(ctx, "day", x.day)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int64_t found = 0;
    rc = db_query_i64(ctx->db, "SELECT id FROM users WHERE id = ?", 1, x.user_id, &found, ctx->err);
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(ctx->err);
        rc = kam_fail(ctx->err, KAM_EINVAL, "user_id", "no such user");
    }
    if (rc)
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO recognitions (user_id, title, reason, day, created_by, "
                         "created_at) VALUES (?,?,?,?,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, x.user_id);
    db_bind_text(st, 2, x.title);
    db_bind_text(st, 3, x.reason);
    db_bind_text(st, 4, x.day);
    db_bind_i64n(st, 5, ctx->who.user_id, ctx->who.user_id <= 0);
    db_bind_i64(st, 6, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "user_id", 0, 1, x.user_id, 0);
    audit_diff_str(&d, "title", NULL, x.title);
    audit_diff_str(&d, "reason", NULL, x.reason);
    audit_diff_str(&d, "day", NULL, x.day);
    if (!(rc = audit_write(ctx, "recognition", x.id, 0, "create", &d)))
        rc = row_get(ctx,
                     "SELECT " RCOLS " FROM recognitions r JOIN users u ON u.id = r.user_id "
                     "WHERE r.id = ?",
                     x.id, recog_row, out, "recognition");
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort recog_sorts[] = {
    {"day", "r.day", 1},
};

enum kam_err recognition_list(struct kam_ctx *ctx, const struct recognition_query *q,
                              struct recognition **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, recog_sorts, 1, "-day", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " RCOLS " FROM recognitions r JOIN users u ON u.id = r.user_id WHERE "
                 "1 = 1");
    if (q->user_id) {
        sqlb_sql(&b, " AND r.user_id = ?");
        sqlb_i64(&b, q->user_id);
    }
    struct recognition *items;
    const struct recognition *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "r.id", recog_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, last->day, 0, last->id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}
