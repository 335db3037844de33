/* credit.c -- credit limits, exposure, the credit check, holds, the setting (credit.h). */
#include "credit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/group.h"
#include "svc/core/notify.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/settings.h"

/* ---- exposure ---- */

/* Exposure is computed for many accounts at once (the receivables list, a group, one account):
 * a handful of statements per chunk of k accounts (k = 1, 20 or EXPO_CHUNK), each taking the
 * chunk's ids as k bound values (the unused ones 0, which names no account), so each
 * statement has three texts at most and they stay in the connection's cache. */
#define EXPO_CHUNK 500

struct expo_acc {
    int64_t id;
    struct exposure e;
    struct ageing ag;
    int64_t dso_tenths;
    int has_dso, has_limit;
    int64_t limit_base;
};

enum { EXPO_AGEING = 1, EXPO_DSO = 2, EXPO_LIMIT = 4 };

static const char *in_marks(struct kam_ctx *ctx, int k)
{
    char *s = arena_alloc(ctx->a, (size_t)k * 3 + 1), *p = s;
    for (int i = 0; i < k; i++) {
        if (i) {
            *p++ = ',';
            *p++ = ' ';
        }
        *p++ = '?';
    }
    *p = 0;
    return s;
}

static void bind_ids(struct db_stmt *st, int first, const struct expo_acc *a, size_t n, int k)
{
    for (size_t i = 0; i < (size_t)k; i++)
        db_bind_i64(st, first + (int)i, i < n ? a[i].id : 0);
}

static int expo_cmp(const void *x, const void *y)
{
    const struct expo_acc *a = x, *b = y;
    return a->id < b->id ? -1 : a->id > b->id;
}

static struct expo_acc *expo_find(struct expo_acc *a, size_t n, int64_t id)
{
    struct expo_acc key = {.id = id};
    return bsearch(&key, a, n, sizeof *a, expo_cmp);
}

/* The receivables start: the day of the earliest invoice loaded (any account), as a day
 * number; INT64_MAX when none was loaded. KAM knows what was invoiced only from that day:
 * order lines before it were invoiced by the ERP before its receivables reached KAM. */
static enum kam_err recv_start(struct kam_ctx *ctx, int64_t *out)
{
    struct db_stmt *st;
    *out = INT64_MAX;
    enum kam_err rc = db_prepare(ctx->db, "SELECT MIN(day) FROM invoices", &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (row && !db_col_is_null(st, 0))
        *out = receivable_day_num(db_col_text(st, 0));
    db_done(st);
    return rc;
}

/* Open orders start after this day number: the account's latest invoice day; without an
 * invoice, the day before the receivables start; INT64_MAX (none) when no invoice was loaded
 * at all. */
static int64_t open_after(int64_t last_invoice, int has_invoice, int64_t start)
{
    if (has_invoice)
        return last_invoice;
    return start == INT64_MAX ? INT64_MAX : start - 1;
}

/* (account, day) pairs -> the sum of the account's order lines dated after the day: one
 * index range of order_lines(account_id, day) per account. Pairs with account 0 are unused. */
static const char *pairs_sql(struct kam_ctx *ctx, int k)
{
    static const char head[] = "SELECT t.a, (SELECT COALESCE(SUM(ol.amount_base), 0) FROM "
                               "order_lines ol WHERE ol.account_id = t.a AND ol.day > t.d) FROM (",
                      first[] = "SELECT CAST(? AS BIGINT) AS a, CAST(? AS BIGINT) AS d",
                      more[] = " UNION ALL SELECT CAST(? AS BIGINT), CAST(? AS BIGINT)",
                      tail[] = ") t WHERE t.a <> 0";
    size_t len = sizeof head + sizeof first + (size_t)(k - 1) * (sizeof more - 1) + sizeof tail;
    char *s = arena_alloc(ctx->a, len), *p = s;
    memcpy(p, head, sizeof head - 1);
    p += sizeof head - 1;
    memcpy(p, first, sizeof first - 1);
    p += sizeof first - 1;
    for (int i = 1; i < k; i++) {
        memcpy(p, more, sizeof more - 1);
        p += sizeof more - 1;
    }
    memcpy(p, tail, sizeof tail);
    return s;
}

/* Exposure (and what `what` asks: ageing, DSO on today, the account limit in base currency) of
 * the n <= k accounts of a (sorted by id; marks: k "?"); without EXPO_AGEING, a's ageing is
 * already filled. */
static enum kam_err expo_chunk(struct kam_ctx *ctx, struct expo_acc *a, size_t n, unsigned what,
                               int64_t start, const char *marks, int k)
{
    struct db_stmt *st;
    enum kam_err rc;
    int row = 0;
    int64_t today = receivable_day_num(receivable_today(ctx));
    if (what & EXPO_AGEING) {
        if ((rc = db_prepare(ctx->db,
                             arena_printf(ctx->a,
                                          "SELECT account_id, due_day, amount, amount_base, paid "
                                          "FROM invoices WHERE paid < amount AND account_id IN "
                                          "(%s)",
                                          marks),
                             &st, ctx->err)))
            return rc;
        bind_ids(st, 1, a, n, k);
        while (!(rc = db_step(st, &row, ctx->err)) && row) {
            struct expo_acc *x = expo_find(a, n, db_col_i64(st, 0));
            if (x)
                receivable_ageing_add(&x->ag, today, db_col_text(st, 1), db_col_i64(st, 2),
                                      db_col_i64(st, 3), db_col_i64(st, 4));
        }
        db_done(st);
        if (rc)
            return rc;
    }
    /* each account's open orders from its own day on: (account, day) pairs bound */
    int64_t *after = arena_calloc(ctx->a, n ? n : 1, sizeof *after);
    unsigned char *has = arena_calloc(ctx->a, n ? n : 1, 1);
    if ((rc = db_prepare(ctx->db,
                         arena_printf(ctx->a,
                                      "SELECT account_id, MAX(day) FROM invoices WHERE account_id "
                                      "IN (%s) GROUP BY account_id",
                                      marks),
                         &st, ctx->err)))
        return rc;
    bind_ids(st, 1, a, n, k);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        struct expo_acc *x = expo_find(a, n, db_col_i64(st, 0));
        if (x && !db_col_is_null(st, 1)) {
            after[x - a] = receivable_day_num(db_col_text(st, 1));
            has[x - a] = 1;
        }
    }
    db_done(st);
    if (rc)
        return rc;
    if ((rc = db_prepare(ctx->db, pairs_sql(ctx, k), &st, ctx->err)))
        return rc;
    for (size_t i = 0; i < (size_t)k; i++) {
        int64_t d = i < n ? open_after(after[i], has[i], start) : INT64_MAX;
        db_bind_i64(st, 2 * (int)i + 1, i < n && d != INT64_MAX ? a[i].id : 0);
        db_bind_i64(st, 2 * (int)i + 2, d == INT64_MAX ? 0 : d);
    }
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        struct expo_acc *x = expo_find(a, n, db_col_i64(st, 0));
        if (x)
            x->e.open_orders = db_col_i64(st, 1);
    }
    db_done(st);
    if (rc)
        return rc;
    /* accepted offers not yet converted, each (account, currency) converted once */
    if ((rc = db_prepare(ctx->db,
                         arena_printf(ctx->a,
                                      "SELECT account_id, currency, SUM(total) FROM offers WHERE "
                                      "status = 'accepted' AND account_id IN (%s) GROUP BY "
                                      "account_id, currency ORDER BY account_id, currency",
                                      marks),
                         &st, ctx->err)))
        return rc;
    bind_ids(st, 1, a, n, k);
    struct cur_sum {
        int64_t account, sum;
        const char *cur;
    } *sums = NULL;
    size_t ns = 0, cap = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (ns == cap) {
            struct cur_sum *nw = arena_calloc(ctx->a, cap = cap ? cap * 2 : 16, sizeof *nw);
            if (ns)
                memcpy(nw, sums, ns * sizeof *nw);
            sums = nw;
        }
        sums[ns].account = db_col_i64(st, 0);
        sums[ns].cur = arena_strdup(ctx->a, db_col_text(st, 1));
        sums[ns++].sum = db_col_i64(st, 2);
    }
    db_done(st);
    for (size_t i = 0; i < ns && !rc; i++) {
        struct expo_acc *x = expo_find(a, n, sums[i].account);
        int64_t v = 0;
        if (!(rc = recv_to_base(ctx, sums[i].cur, sums[i].sum, &v)) && x)
            x->e.open_offers += v;
    }
    if (rc)
        return rc;
    if (what & EXPO_LIMIT) {
        if ((rc = db_prepare(ctx->db,
                             arena_printf(ctx->a,
                                          "SELECT account_id, amount, currency FROM credit_limits "
                                          "WHERE amount IS NOT NULL AND account_id IN (%s)",
                                          marks),
                             &st, ctx->err)))
            return rc;
        bind_ids(st, 1, a, n, k);
        struct lim {
            int64_t account, amount;
            const char *cur;
        } *ls = arena_calloc(ctx->a, n ? n : 1, sizeof *ls);
        size_t nl = 0;
        while (!(rc = db_step(st, &row, ctx->err)) && row && nl < n) {
            ls[nl].account = db_col_i64(st, 0);
            ls[nl].amount = db_col_i64(st, 1);
            ls[nl++].cur = arena_strdup(ctx->a, db_col_text(st, 2));
        }
        db_done(st);
        for (size_t i = 0; i < nl && !rc; i++) {
            struct expo_acc *x = expo_find(a, n, ls[i].account);
            if (x && !(rc = recv_to_base(ctx, ls[i].cur, ls[i].amount, &x->limit_base)))
                x->has_limit = 1;
        }
        if (rc)
            return rc;
    }
    if (what & EXPO_DSO) {
        /* receivable_dso's figure on today for every account of the chunk: the invoices dated
         * today or before that were open as of today (a payment after today, or not paid in
         * full) or invoiced in the 90 days up to today */
        const char *td = receivable_today(ctx), *d90 = receivable_day_str(ctx, today - 90);
        if ((rc = db_prepare(
                 ctx->db,
                 arena_printf(ctx->a,
                              "SELECT i.account_id, i.amount, i.amount_base, COALESCE((SELECT "
                              "SUM(pa.amount) FROM payment_allocations pa JOIN payments p ON p.id "
                              "= pa.payment_id WHERE pa.invoice_id = i.id AND p.day <= ?), 0), "
                              "i.day FROM invoices i WHERE i.day <= ? AND (i.paid < i.amount OR "
                              "i.day > ? OR i.paid_on IS NULL OR i.paid_on > ?) AND i.account_id "
                              "IN (%s)",
                              marks),
                 &st, ctx->err)))
            return rc;
        db_bind_text(st, 1, td);
        db_bind_text(st, 2, td);
        db_bind_text(st, 3, d90);
        db_bind_text(st, 4, td);
        bind_ids(st, 5, a, n, k);
        int64_t *open = arena_calloc(ctx->a, n ? n : 1, sizeof *open);
        int64_t *inv = arena_calloc(ctx->a, n ? n : 1, sizeof *inv);
        while (!(rc = db_step(st, &row, ctx->err)) && row) {
            struct expo_acc *x = expo_find(a, n, db_col_i64(st, 0));
            if (!x)
                continue;
            int64_t amount = db_col_i64(st, 1), base = db_col_i64(st, 2), paid = db_col_i64(st, 3);
            open[x - a] += receivable_open_base(amount, base, paid);
            if (receivable_day_num(db_col_text(st, 4)) > today - 90)
                inv[x - a] += base;
        }
        db_done(st);
        if (rc)
            return rc;
        for (size_t i = 0; i < n; i++)
            if (inv[i] > 0) {
                a[i].has_dso = 1;
                a[i].dso_tenths = (int64_t)(((__int128)open[i] * 900 + inv[i] / 2) / inv[i]);
            }
    }
    for (size_t i = 0; i < n; i++) {
        a[i].e.receivables = a[i].ag.total;
        a[i].e.total = a[i].e.receivables + a[i].e.open_orders + a[i].e.open_offers;
    }
    return KAM_OK;
}

/* Fills exposure (and what `what` asks) of the n accounts of a, which it sorts by id. */
static enum kam_err expo_fill(struct kam_ctx *ctx, struct expo_acc *a, size_t n, unsigned what)
{
    qsort(a, n, sizeof *a, expo_cmp);
    int64_t start;
    enum kam_err rc = recv_start(ctx, &start);
    /* one account (an order line's check, an account's page), a few, or many: three statement
     * texts per query */
    int k = n <= 1 ? 1 : n <= 20 ? 20 : EXPO_CHUNK;
    const char *marks = in_marks(ctx, k);
    for (size_t i = 0; i < n && !rc; i += (size_t)k)
        rc = expo_chunk(ctx, a + i, n - i < (size_t)k ? n - i : (size_t)k, what, start, marks, k);
    return rc;
}

enum kam_err credit_exposure(struct kam_ctx *ctx, int64_t account_id, struct exposure *out)
{
    struct expo_acc a = {.id = account_id};
    enum kam_err rc = expo_fill(ctx, &a, 1, EXPO_AGEING);
    *out = rc ? (struct exposure){0} : a.e;
    return rc;
}

/* ---- limits ---- */

static void read_limit(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct credit_limit *l = out;
    memset(l, 0, sizeof *l);
    l->exists = 1;
    l->account_id = db_col_i64(st, 0);
    l->has_amount = !db_col_is_null(st, 1);
    l->amount = db_col_i64(st, 1);
    l->has_group_amount = !db_col_is_null(st, 2);
    l->group_amount = db_col_i64(st, 2);
    l->currency = arena_strdup(ctx->a, db_col_text(st, 3));
    l->terms_days = db_col_i64(st, 4);
    l->note = arena_strdup(ctx->a, db_col_text(st, 5));
    l->version = db_col_i64(st, 6);
    l->created_at = db_col_i64(st, 7);
    l->updated_at = db_col_i64(st, 8);
}

enum kam_err credit_limit_get(struct kam_ctx *ctx, int64_t account_id, struct credit_limit *out)
{
    enum kam_err rc = row_get(ctx,
                              "SELECT account_id, amount, group_amount, currency, terms_days, "
                              "note, version, created_at, updated_at FROM credit_limits WHERE "
                              "account_id = ?",
                              account_id, read_limit, out, "credit limit");
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(ctx->err);
        memset(out, 0, sizeof *out);
        out->account_id = account_id;
        out->terms_days = 30;
        out->note = "";
        rc = recv_base_currency(ctx, &out->currency);
    }
    return rc;
}

enum kam_err credit_limit_put(struct kam_ctx *ctx, int64_t account_id,
                              const struct credit_limit_in *in, struct credit_limit *out)
{
    struct credit_limit after = {0};
    enum kam_err rc;
    after.has_amount = (in->set & CL_AMOUNT) && in->has_amount;
    after.amount = in->amount;
    after.has_group_amount = (in->set & CL_GROUP) && in->has_group_amount;
    after.group_amount = in->group_amount;
    after.terms_days = in->set & CL_TERMS ? in->terms_days : 30;
    after.note = in->set & CL_NOTE && in->note ? in->note : "";
    if (in->set & CL_CURRENCY)
        after.currency = in->currency;
    else if ((rc = recv_base_currency(ctx, &after.currency)))
        return rc;
    int64_t conv;
    if (after.has_amount && (after.amount < 0 || after.amount > RECV_AMOUNT_MAX))
        return kam_fail_key(ctx->err, KAM_EINVAL, "amount", "receivable.bad_amount", NULL,
                            "the amount must be between 0 and 10^15 minor units");
    if (after.has_group_amount && (after.group_amount < 0 || after.group_amount > RECV_AMOUNT_MAX))
        return kam_fail_key(ctx->err, KAM_EINVAL, "group_amount", "receivable.bad_amount", NULL,
                            "the amount must be between 0 and 10^15 minor units");
    if ((rc = check_currency(ctx, "currency", after.currency)) ||
        (rc = recv_to_base(ctx, after.currency, 0, &conv)) ||
        (rc = check_range(ctx, "terms_days", after.terms_days, 0, 365)) ||
        (rc = check_text(ctx, "note", after.note, 0, CREDIT_NOTE_MAX, CHECK_MULTILINE)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct credit_limit before;
    if ((rc = credit_limit_get(ctx, account_id, &before)))
        goto out;
    /* a PUT sets the row whole: over an existing limit it names the version it was read at
     * (400 without it, 409 with another, saying the current one) */
    if (before.exists && !(in->set & CL_VERSION)) {
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "version", "required",
                          (struct kam_param[]){{"field", "version"}, {0}},
                          "version is required: the account has a credit limit (version %lld)",
                          (long long)before.version);
        goto out;
    }
    if (before.exists && in->version != before.version) {
        const char *cur = arena_printf(ctx->a, "%lld", (long long)before.version);
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version",
                          (struct kam_param[]){{"version", cur}, {0}},
                          "the credit limit was changed by someone else (version %lld, now %s)",
                          (long long)in->version, cur);
        goto out;
    }
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "amount", before.amount, !before.has_amount, after.amount,
                   !after.has_amount);
    audit_diff_i64(&d, "group_amount", before.group_amount, !before.has_group_amount,
                   after.group_amount, !after.has_group_amount);
    audit_diff_str(&d, "currency", before.exists ? before.currency : NULL, after.currency);
    audit_diff_i64(&d, "terms_days", before.terms_days, !before.exists, after.terms_days, 0);
    audit_diff_str(&d, "note", before.note, after.note);
    if (!d.n) {
        audit_diff_release(&d);
        rc = credit_limit_get(ctx, account_id, out);
        goto out;
    }
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         before.exists
                             ? "UPDATE credit_limits SET amount = ?, group_amount = ?, currency = "
                               "?, terms_days = ?, note = ?, updated_at = ?, version = version + "
                               "1 WHERE account_id = ? AND version = ?"
                             : "INSERT INTO credit_limits (amount, group_amount, currency, "
                               "terms_days, note, updated_at, account_id, created_at) VALUES (?, "
                               "?, ?, ?, ?, ?, ?, ?)",
                         &st, ctx->err))) {
        audit_diff_release(&d);
        goto out;
    }
    db_bind_i64n(st, 1, after.amount, !after.has_amount);
    db_bind_i64n(st, 2, after.group_amount, !after.has_group_amount);
    db_bind_text(st, 3, after.currency);
    db_bind_i64(st, 4, after.terms_days);
    db_bind_text(st, 5, after.note);
    db_bind_i64(st, 6, ctx->now);
    db_bind_i64(st, 7, account_id);
    db_bind_i64(st, 8, before.exists ? before.version : ctx->now);
    if ((rc = db_run(st, ctx->err))) {
        audit_diff_release(&d);
        goto out;
    }
    if (db_changes(ctx->db) != 1) {
        audit_diff_release(&d);
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version", NULL,
                          "the credit limit was changed by someone else; reload it");
        goto out;
    }
    if (!(rc = audit_write(ctx, "credit_limit", account_id, account_id,
                           before.exists ? "update" : "create", &d)))
        rc = credit_limit_get(ctx, account_id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- groups ---- */

/* The nearest account up account_id's parent chain (itself first) with a group limit: *head 0
 * when none. */
static enum kam_err group_head(struct kam_ctx *ctx, int64_t account_id, int64_t *head,
                               int64_t *limit_base)
{
    *head = 0;
    *limit_base = 0;
    int64_t id = account_id;
    for (int depth = 0; id && depth < 64; depth++) {
        struct db_stmt *st;
        enum kam_err rc =
            db_prepare(ctx->db,
                       "SELECT a.parent_id, c.group_amount, c.currency FROM accounts a LEFT JOIN "
                       "credit_limits c ON c.account_id = a.id WHERE a.id = ?",
                       &st, ctx->err);
        if (rc)
            return rc;
        db_bind_i64(st, 1, id);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        int64_t parent = row && !db_col_is_null(st, 0) ? db_col_i64(st, 0) : 0;
        int has = row && !db_col_is_null(st, 1);
        int64_t amount = has ? db_col_i64(st, 1) : 0;
        char cur[8];
        snprintf(cur, sizeof cur, "%s", has ? db_col_text(st, 2) : "");
        db_done(st);
        if (rc)
            return rc;
        if (has) {
            *head = id;
            return recv_to_base(ctx, cur, amount, limit_base);
        }
        id = parent;
    }
    return KAM_OK;
}

static void read_expo_id(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    (void)ctx;
    struct expo_acc *x = out;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
}

/* The group's exposure: the sum of its accounts' (the head and its subsidiaries at any depth,
 * every one of them), computed set-based (expo_fill), with no cap on the group's size. */
static enum kam_err group_exposure(struct kam_ctx *ctx, int64_t head, int64_t *out)
{
    *out = 0;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT id FROM accounts WHERE id IN " GROUP_IDS_SQL, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, head);
    struct expo_acc *a;
    size_t n;
    if ((rc = rows_collect(ctx, st, SIZE_MAX / 2, read_expo_id, sizeof *a, (void **)&a, &n)) ||
        (rc = expo_fill(ctx, a, n, EXPO_AGEING)))
        return rc;
    for (size_t i = 0; i < n; i++)
        *out += a[i].e.total;
    return KAM_OK;
}

/* ---- holds ---- */

#define HOLD_COLS                                                                                  \
    "h.id, h.kind, h.object_id, h.account_id, accounts.name, h.exposure, h.limit_amount, "         \
    "h.status, h.decided_by, u.name, h.decided_at, h.note, h.version, h.created_at, "              \
    "h.updated_at, CASE WHEN h.kind = 'offer' THEN (SELECT o.number FROM offers o WHERE o.id = "   \
    "h.object_id) ELSE (SELECT ol.external_id FROM order_lines ol WHERE ol.id = h.object_id) END"
#define HOLD_FROM                                                                                  \
    " FROM credit_holds h JOIN accounts ON accounts.id = h.account_id LEFT JOIN users u ON u.id "  \
    "= h.decided_by"

static void read_hold(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct credit_hold *h = out;
    memset(h, 0, sizeof *h);
    h->id = db_col_i64(st, 0);
    h->kind = arena_strdup(ctx->a, db_col_text(st, 1));
    h->object_id = db_col_i64(st, 2);
    h->account_id = db_col_i64(st, 3);
    h->account_name = arena_strdup(ctx->a, db_col_text(st, 4));
    h->exposure = db_col_i64(st, 5);
    h->limit_amount = db_col_i64(st, 6);
    h->status = arena_strdup(ctx->a, db_col_text(st, 7));
    h->decided_by = db_col_i64(st, 8);
    h->decided_by_name = db_col_is_null(st, 9) ? NULL : arena_strdup(ctx->a, db_col_text(st, 9));
    h->has_decided = !db_col_is_null(st, 10);
    h->decided_at = db_col_i64(st, 10);
    h->note = arena_strdup(ctx->a, db_col_text(st, 11));
    h->version = db_col_i64(st, 12);
    h->created_at = db_col_i64(st, 13);
    h->updated_at = db_col_i64(st, 14);
    h->object_label = arena_strdup(ctx->a, db_col_text(st, 15));
}

enum kam_err credit_hold_get(struct kam_ctx *ctx, int64_t id, struct credit_hold *out)
{
    return row_get(ctx, "SELECT " HOLD_COLS HOLD_FROM " WHERE h.id = ?", id, read_hold, out,
                   "credit hold");
}

static const struct page_sort hold_sorts[] = {{"id", "h.id", 0}};

enum kam_err credit_hold_list(struct kam_ctx *ctx, const struct credit_hold_query *q,
                              struct credit_hold **items_out, size_t *n_out, const char **next_out)
{
    *items_out = NULL;
    *n_out = 0;
    *next_out = NULL;
    static const char *const statuses[] = {"flagged", "held", "released", "refused", NULL};
    enum kam_err rc;
    if (q->status && *q->status && (rc = check_enum(ctx, "status", q->status, statuses)))
        return rc;
    struct page_req pg;
    if ((rc = page_parse(ctx, hold_sorts, 1, "-id", q->limit, q->cursor, &pg)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " HOLD_COLS HOLD_FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->status && *q->status) {
        sqlb_sql(&b, " AND h.status = ?");
        sqlb_text(&b, q->status);
    }
    if (q->account_id) {
        sqlb_sql(&b, " AND h.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    struct credit_hold *items;
    const struct credit_hold *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "h.id", read_hold, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    if (last)
        *next_out = page_cursor(ctx, &pg, NULL, items[n - 1].id, items[n - 1].id);
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

static enum kam_err notify_finance(struct kam_ctx *ctx, int64_t hold_id, int64_t version,
                                   int64_t account_id)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT u.id, a.name FROM users u, accounts a WHERE u.role = "
                                 "'finance' AND u.disabled = 0 AND a.id = ? ORDER BY u.id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    int64_t ids[64];
    const char *name = "";
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < 64) {
        ids[n++] = db_col_i64(st, 0);
        name = arena_strdup(ctx->a, db_col_text(st, 1));
    }
    db_done(st);
    for (size_t i = 0; i < n && !rc; i++)
        rc = notify_add_msg(
            ctx, ids[i], "credit", "credit.over_limit_notice",
            (struct kam_param[]){{"account", name}, {0}}, "", "/receivables",
            arena_printf(ctx->a, "credit_hold:%lld:%lld", (long long)hold_id, (long long)version),
            NULL);
    return rc;
}

/* Creates or renews the hold of an object over the limit (status flagged | held), or, with
 * status NULL, lets an undecided one go (released, no decider): the object is within the
 * limit now. */
static enum kam_err hold_put(struct kam_ctx *ctx, const char *kind, int64_t object_id,
                             int64_t account_id, int64_t exposure, int64_t limit,
                             const char *status)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, status, exposure, limit_amount, version FROM "
                                 "credit_holds WHERE kind = ? AND object_id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, kind);
    db_bind_i64(st, 2, object_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t id = row ? db_col_i64(st, 0) : 0, old_exp = row ? db_col_i64(st, 2) : 0,
            old_limit = row ? db_col_i64(st, 3) : 0, version = row ? db_col_i64(st, 4) : 0;
    char old_status[16] = "";
    if (row)
        snprintf(old_status, sizeof old_status, "%s", db_col_text(st, 1));
    db_done(st);
    if (rc)
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    if (!status) {
        if (!id || (strcmp(old_status, "flagged") && strcmp(old_status, "held"))) {
            audit_diff_release(&d);
            return KAM_OK;
        }
        status = "released";
    } else if (id && !strcmp(old_status, status) && old_exp == exposure && old_limit == limit) {
        audit_diff_release(&d);
        return KAM_OK;
    }
    if (!id) {
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO credit_holds (kind, object_id, account_id, exposure, "
                             "limit_amount, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                             "?, ?, ?) RETURNING id",
                             &st, ctx->err)))
            goto fail;
        db_bind_text(st, 1, kind);
        db_bind_i64(st, 2, object_id);
        db_bind_i64(st, 3, account_id);
        db_bind_i64(st, 4, exposure);
        db_bind_i64(st, 5, limit);
        db_bind_text(st, 6, status);
        db_bind_i64(st, 7, ctx->now);
        db_bind_i64(st, 8, ctx->now);
        rc = db_step(st, &row, ctx->err);
        if (row)
            id = db_col_i64(st, 0);
        db_done(st);
        version = 1;
        if (rc)
            goto fail;
        audit_diff_str(&d, "kind", NULL, kind);
        audit_diff_i64(&d, "object_id", 0, 1, object_id, 0);
    } else {
        if ((rc = db_prepare(ctx->db,
                             "UPDATE credit_holds SET status = ?, exposure = ?, limit_amount = ?, "
                             "decided_by = NULL, decided_at = NULL, note = '', version = version "
                             "+ 1, updated_at = ? WHERE id = ?",
                             &st, ctx->err)))
            goto fail;
        db_bind_text(st, 1, status);
        db_bind_i64(st, 2, exposure);
        db_bind_i64(st, 3, limit);
        db_bind_i64(st, 4, ctx->now);
        db_bind_i64(st, 5, id);
        if ((rc = db_run(st, ctx->err)))
            goto fail;
        version++;
    }
    audit_diff_str(&d, "status", *old_status ? old_status : NULL, status);
    audit_diff_i64(&d, "exposure", old_exp, !*old_status, exposure, 0);
    audit_diff_i64(&d, "limit_amount", old_limit, !*old_status, limit, 0);
    if ((rc = audit_write(ctx, "credit_hold", id, account_id, *old_status ? "update" : "create",
                          &d)))
        return rc;
    if (strcmp(status, "released"))
        rc = notify_finance(ctx, id, version, account_id);
    return rc;
fail:
    audit_diff_release(&d);
    return rc;
}

/* Lets the undecided hold of an object go (released, no decider; audited), if it has one. */
static enum kam_err release_hold(struct kam_ctx *ctx, const char *kind, int64_t object_id)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT account_id, exposure, limit_amount FROM credit_holds "
                                 "WHERE kind = ? AND object_id = ? AND status IN ('flagged', "
                                 "'held')",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, kind);
    db_bind_i64(st, 2, object_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t account = row ? db_col_i64(st, 0) : 0, exp = row ? db_col_i64(st, 1) : 0,
            limit = row ? db_col_i64(st, 2) : 0;
    db_done(st);
    if (rc || !row)
        return rc;
    return hold_put(ctx, kind, object_id, account, exp, limit, NULL);
}

enum kam_err credit_order_line_deleted(struct kam_ctx *ctx, int64_t line_id)
{
    return release_hold(ctx, "order_line", line_id);
}

/* Whether exposure + extra goes over the account's limit or its group's: *exp_out and
 * *limit_out are those of the limit it goes over (the account's first). */
static enum kam_err over_limit(struct kam_ctx *ctx, int64_t account_id, int64_t extra, int *over,
                               int64_t *exp_out, int64_t *limit_out)
{
    *over = 0;
    struct credit_limit l;
    struct exposure e;
    enum kam_err rc = credit_limit_get(ctx, account_id, &l);
    if (rc || (rc = credit_exposure(ctx, account_id, &e)))
        return rc;
    if (l.has_amount) {
        int64_t lb;
        if ((rc = recv_to_base(ctx, l.currency, l.amount, &lb)))
            return rc;
        if (e.total + extra > lb) {
            *over = 1;
            *exp_out = e.total + extra;
            *limit_out = lb;
            return KAM_OK;
        }
    }
    int64_t head, glimit, gexp;
    if ((rc = group_head(ctx, account_id, &head, &glimit)) || !head ||
        (rc = group_exposure(ctx, head, &gexp)))
        return rc;
    if (gexp + extra > glimit) {
        *over = 1;
        *exp_out = gexp + extra;
        *limit_out = glimit;
    }
    return KAM_OK;
}

enum kam_err credit_check_order_line(struct kam_ctx *ctx, int64_t line_id)
{
    struct db_stmt *st;
    enum kam_err rc;
    /* the line's day is a day number, the invoices' a date: compared here */
    if ((rc = db_prepare(ctx->db, "SELECT account_id, day FROM order_lines WHERE id = ?", &st,
                         ctx->err)))
        return rc;
    db_bind_i64(st, 1, line_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t account = row ? db_col_i64(st, 0) : 0, day = row ? db_col_i64(st, 1) : 0;
    db_done(st);
    if (rc || !row)
        return rc;
    if ((rc = db_prepare(ctx->db, "SELECT MAX(day) FROM invoices WHERE account_id = ?", &st,
                         ctx->err)))
        return rc;
    db_bind_i64(st, 1, account);
    rc = db_step(st, &row, ctx->err);
    int has = row && !db_col_is_null(st, 0);
    int64_t last = has ? receivable_day_num(db_col_text(st, 0)) : 0, start = INT64_MAX;
    db_done(st);
    if (rc || (!has && (rc = recv_start(ctx, &start))))
        return rc;
    /* the line is open (exposure's rule: open_after) or it is no exposure to check */
    int64_t after = open_after(last, has, start);
    int over = 0;
    int64_t exp = 0, limit = 0;
    if (after == INT64_MAX || day <= after) /* invoiced (by a change of its day): no exposure */
        return release_hold(ctx, "order_line", line_id);
    if ((rc = over_limit(ctx, account, 0, &over, &exp, &limit)))
        return rc;
    /* over: flagged (renewed with today's figures); within the limit now: an undecided flag
     * goes */
    return over ? hold_put(ctx, "order_line", line_id, account, exp, limit, "flagged")
                : release_hold(ctx, "order_line", line_id);
}

enum kam_err credit_check_offer(struct kam_ctx *ctx, int64_t offer_id)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT account_id, total, currency FROM offers WHERE id = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, offer_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t account = row ? db_col_i64(st, 0) : 0, total = row ? db_col_i64(st, 1) : 0;
    char cur[8] = "";
    if (row)
        snprintf(cur, sizeof cur, "%s", db_col_text(st, 2));
    db_done(st);
    if (rc || !row)
        return rc;
    int64_t base = 0, exp = 0, limit = 0;
    int over = 0;
    const char *mode;
    if ((rc = recv_to_base(ctx, cur, total, &base)) ||
        (rc = over_limit(ctx, account, base, &over, &exp, &limit)) ||
        (rc = credit_setting_get(ctx, &mode)))
        return rc;
    return hold_put(ctx, "offer", offer_id, account, exp, limit,
                    !over                   ? NULL
                    : !strcmp(mode, "hold") ? "held"
                                            : "flagged");
}

enum kam_err credit_offer_may_send(struct kam_ctx *ctx, int64_t offer_id)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT status FROM credit_holds WHERE kind = 'offer' AND object_id = ?", &st,
        ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, offer_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    char status[16] = "";
    if (row)
        snprintf(status, sizeof status, "%s", db_col_text(st, 0));
    db_done(st);
    if (rc)
        return rc;
    if (!strcmp(status, "held"))
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "credit.held", NULL,
                            "the offer would go over the account's credit limit: it waits for "
                            "finance's release");
    if (!strcmp(status, "refused"))
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "credit.refused", NULL,
                            "finance refused the credit for this offer");
    return KAM_OK;
}

enum kam_err credit_hold_decide(struct kam_ctx *ctx, int64_t id, int release, const char *note,
                                struct credit_hold *out)
{
    enum kam_err rc = check_text(ctx, "note", note ? note : "", release ? 0 : 1, CREDIT_NOTE_MAX,
                                 CHECK_MULTILINE);
    if (rc || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct credit_hold b;
    const char *to = release ? "released" : "refused";
    if ((rc = credit_hold_get(ctx, id, &b)))
        goto out;
    if (strcmp(b.status, "flagged") && strcmp(b.status, "held")) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "credit.not_open",
                          (struct kam_param[]){{"status", b.status}, {0}},
                          "the credit hold is already %s", b.status);
        goto out;
    }
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "UPDATE credit_holds SET status = ?, decided_by = ?, decided_at = ?, note "
                         "= ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, to);
    db_bind_i64n(st, 2, ctx->who.user_id, !ctx->who.user_id);
    db_bind_i64(st, 3, ctx->now);
    db_bind_text(st, 4, note ? note : "");
    db_bind_i64(st, 5, ctx->now);
    db_bind_i64(st, 6, id);
    db_bind_i64(st, 7, b.version);
    if ((rc = db_run(st, ctx->err)))
        goto out;
    if (db_changes(ctx->db) != 1) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version", NULL,
                          "the credit hold was changed by someone else; reload it");
        goto out;
    }
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "status", b.status, to);
    audit_diff_str(&d, "note", b.note, note ? note : "");
    if (!(rc = audit_write(ctx, "credit_hold", id, b.account_id, "update", &d)))
        rc = credit_hold_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- the setting ---- */

enum kam_err credit_setting_get(struct kam_ctx *ctx, const char **over_limit)
{
    return settings_get(ctx, "credit.over_limit", "flag", over_limit);
}

enum kam_err credit_setting_set(struct kam_ctx *ctx, const char *over_limit)
{
    static const char *const modes[] = {"flag", "hold", NULL};
    const char *before;
    enum kam_err rc = check_enum(ctx, "over_limit", over_limit, modes);
    if (rc || (rc = credit_setting_get(ctx, &before)))
        return rc;
    if (!strcmp(before, over_limit))
        return KAM_OK; /* the same again: nothing written, nothing audited */
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct db_stmt *st;
    if (!(rc = db_prepare(ctx->db,
                          "INSERT INTO settings (key, value) VALUES ('credit.over_limit', ?) ON "
                          "CONFLICT (key) DO UPDATE SET value = excluded.value",
                          &st, ctx->err))) {
        db_bind_text(st, 1, over_limit);
        rc = db_run(st, ctx->err);
    }
    if (!rc) {
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_str(&d, "credit.over_limit", before, over_limit);
        rc = audit_write(ctx, "settings", 1, 0, "update", &d);
    }
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- the account's credit, the receivables list ---- */

static enum kam_err dso_trend(struct kam_ctx *ctx, int64_t account_id, struct dso_point *t)
{
    const char *today = receivable_today(ctx);
    int y, m, d;
    date_parse(today, &y, &m, &d);
    enum kam_err rc = KAM_OK;
    for (int i = 0; i < CREDIT_TREND_MONTHS && !rc; i++) {
        int back = CREDIT_TREND_MONTHS - 1 - i;
        int yy = y, mm = m - back;
        while (mm <= 0) {
            mm += 12;
            yy--;
        }
        int ny = mm == 12 ? yy + 1 : yy, nm = mm == 12 ? 1 : mm + 1;
        const char *end = back ? receivable_day_str(ctx, date_to_days(ny, nm, 1) - 1) : today;
        t[i].month = arena_printf(ctx->a, "%04d-%02d", yy, mm);
        t[i].day = end;
        rc = receivable_dso(ctx, account_id, end, &t[i].tenths, &t[i].has);
    }
    return rc;
}

static int64_t used_bp(int64_t exposure, int64_t limit)
{
    if (limit <= 0)
        return exposure > 0 ? 999999 : 0;
    __int128 v = (__int128)exposure * 10000;
    v = (v + limit / 2) / limit;
    return v > 999999 ? 999999 : (int64_t)v;
}

enum kam_err credit_summary_get(struct kam_ctx *ctx, int64_t account_id, struct credit_summary *out)
{
    memset(out, 0, sizeof *out);
    out->account_id = account_id;
    enum kam_err rc;
    if ((rc = recv_base_currency(ctx, &out->base_currency)) ||
        (rc = credit_limit_get(ctx, account_id, &out->limit)) ||
        (rc = credit_exposure(ctx, account_id, &out->exposure)) ||
        (rc = receivable_ageing(ctx, account_id, &out->ageing)) ||
        (rc = receivable_dso(ctx, account_id, receivable_today(ctx), &out->dso_tenths,
                             &out->has_dso)) ||
        (rc = dso_trend(ctx, account_id, out->trend)))
        return rc;
    if (out->limit.has_amount) {
        if ((rc = recv_to_base(ctx, out->limit.currency, out->limit.amount, &out->limit_base)))
            return rc;
        out->has_limit_base = 1;
        out->has_used = 1;
        out->used_bp = used_bp(out->exposure.total, out->limit_base);
    }
    if ((rc = group_head(ctx, account_id, &out->group_head_id, &out->group_limit_base)))
        return rc;
    if (out->group_head_id) {
        out->has_group = 1;
        if ((rc = group_exposure(ctx, out->group_head_id, &out->group_exposure)))
            return rc;
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db, "SELECT name FROM accounts WHERE id = ?", &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, out->group_head_id);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        out->group_head_name = arena_strdup(ctx->a, row ? db_col_text(st, 0) : "");
        db_done(st);
        if (rc)
            return rc;
    }
    struct credit_hold_query hq = {.account_id = account_id, .limit = 50};
    const char *next;
    return credit_hold_list(ctx, &hq, &out->holds, &out->nholds, &next);
}

static int row_cmp(const void *a, const void *b)
{
    const struct receivable_row *x = a, *y = b;
    if (x->ageing.overdue != y->ageing.overdue)
        return x->ageing.overdue > y->ageing.overdue ? -1 : 1;
    return x->account_id < y->account_id ? -1 : x->account_id > y->account_id;
}

static void read_recv_row(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct receivable_row *r = out;
    memset(r, 0, sizeof *r);
    r->account_id = db_col_i64(st, 0);
    r->account_name = arena_strdup(ctx->a, db_col_text(st, 1));
    r->account_code = arena_strdup(ctx->a, db_col_text(st, 2));
    r->owner_id = db_col_i64(st, 3);
    r->owner_name = arena_strdup(ctx->a, db_col_text(st, 4));
}

static int recv_id_cmp(const void *x, const void *y)
{
    const struct receivable_row *a = x, *b = y;
    return a->account_id < b->account_id ? -1 : a->account_id > b->account_id;
}

/* Set-based: the accounts (one statement), every open invoice's ageing (one statement over the
 * open invoices), then the page's exposure, limits and DSO (expo_fill: a few statements); with
 * over_limit=1 the exposure and limits of every account first. No cap on the accounts: the
 * export follows the pages to the end. */
enum kam_err receivable_rows(struct kam_ctx *ctx, const struct receivable_query *q,
                             struct receivable_row **items_out, size_t *n_out,
                             const char **next_out)
{
    static const struct page_sort sorts[] = {{"overdue", "overdue", 0}};
    *items_out = NULL;
    *n_out = 0;
    *next_out = NULL;
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, 1, "-overdue", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT accounts.id, accounts.name, accounts.code, accounts.owner_id, u.name FROM "
                 "accounts LEFT JOIN users u ON u.id = accounts.owner_id WHERE (accounts.id IN "
                 "(SELECT account_id FROM credit_limits) OR accounts.id IN (SELECT account_id "
                 "FROM invoices))");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->owner_id) {
        sqlb_sql(&b, " AND accounts.owner_id = ?");
        sqlb_i64(&b, q->owner_id);
    }
    sqlb_sql(&b, " ORDER BY accounts.id");
    struct db_stmt *st;
    struct receivable_row *rows;
    size_t n;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)) ||
        (rc = rows_collect(ctx, st, SIZE_MAX / 2, read_recv_row, sizeof *rows, (void **)&rows, &n)))
        return rc;
    /* ageing of every account: the open invoices, once */
    if ((rc = db_prepare(ctx->db,
                         "SELECT account_id, due_day, amount, amount_base, paid FROM invoices "
                         "WHERE paid < amount",
                         &st, ctx->err)))
        return rc;
    int64_t today = receivable_day_num(receivable_today(ctx));
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        struct receivable_row key = {.account_id = db_col_i64(st, 0)};
        struct receivable_row *r = bsearch(&key, rows, n, sizeof *rows, recv_id_cmp);
        if (r)
            receivable_ageing_add(&r->ageing, today, db_col_text(st, 1), db_col_i64(st, 2),
                                  db_col_i64(st, 3), db_col_i64(st, 4));
    }
    db_done(st);
    if (rc)
        return rc;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (!q->overdue || rows[i].ageing.overdue)
            rows[kept++] = rows[i];
    /* over_limit=1 needs every account's exposure and limit before paging */
    if (q->over_limit) {
        struct expo_acc *ea = arena_calloc(ctx->a, kept ? kept : 1, sizeof *ea);
        for (size_t i = 0; i < kept; i++) {
            ea[i].id = rows[i].account_id;
            ea[i].ag = rows[i].ageing;
        }
        if ((rc = expo_fill(ctx, ea, kept, EXPO_LIMIT)))
            return rc;
        size_t k2 = 0;
        for (size_t i = 0; i < kept; i++) /* rows and ea are both in id order */
            if (ea[i].has_limit && ea[i].e.total > ea[i].limit_base)
                rows[k2++] = rows[i];
        kept = k2;
    }
    qsort(rows, kept, sizeof *rows, row_cmp);
    size_t from = 0;
    if (pg.has_after)
        while (from < kept &&
               (rows[from].ageing.overdue > pg.after_i ||
                (rows[from].ageing.overdue == pg.after_i && rows[from].account_id <= pg.after_id)))
            from++;
    size_t take = kept - from < (size_t)pg.limit ? kept - from : (size_t)pg.limit;
    if (from + take < kept)
        *next_out = page_cursor(ctx, &pg, NULL, rows[from + take - 1].ageing.overdue,
                                rows[from + take - 1].account_id);
    /* the page's exposure, limit and DSO */
    struct receivable_row *page = rows + from;
    struct expo_acc *ea = arena_calloc(ctx->a, take ? take : 1, sizeof *ea);
    for (size_t i = 0; i < take; i++) {
        ea[i].id = page[i].account_id;
        ea[i].ag = page[i].ageing;
    }
    if ((rc = expo_fill(ctx, ea, take, EXPO_LIMIT | EXPO_DSO)))
        return rc;
    for (size_t i = 0; i < take; i++) {
        struct receivable_row *r = &page[i];
        struct expo_acc *x = expo_find(ea, take, r->account_id);
        if (!x)
            continue;
        r->exposure = x->e;
        r->has_dso = x->has_dso;
        r->dso_tenths = x->dso_tenths;
        if (x->has_limit) {
            r->limit_base = x->limit_base;
            r->has_limit = r->has_used = 1;
            r->used_bp = used_bp(r->exposure.total, r->limit_base);
        }
    }
    *items_out = page;
    *n_out = take;
    return KAM_OK;
}
