/* receivable.c -- invoices and payments, their allocation, ageing and DSO (receivable.h). */
#include "receivable.h"

#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/settings.h"

#define CHINA_OFFSET (8 * 3600)

/* ---- days and buckets ---- */

int receivable_bucket(int64_t days)
{
    return days <= 0    ? AGE_NOT_DUE
           : days <= 30 ? AGE_1_30
           : days <= 60 ? AGE_31_60
           : days <= 90 ? AGE_61_90
                        : AGE_OVER_90;
}

static const char *const bucket_names[AGE_COUNT] = {"not_due", "1_30", "31_60", "61_90", "over_90"};

const char *receivable_bucket_name(int b)
{
    return b >= 0 && b < AGE_COUNT ? bucket_names[b] : "";
}

int receivable_bucket_parse(const char *name)
{
    for (int i = 0; name && i < AGE_COUNT; i++)
        if (!strcmp(name, bucket_names[i]))
            return i;
    return -1;
}

int64_t receivable_day_num(const char *s)
{
    int y, m, d;
    if (!s || date_parse(s, &y, &m, &d))
        return 0;
    return date_to_days(y, m, d);
}

const char *receivable_day_str(struct kam_ctx *ctx, int64_t days)
{
    int y, m, d;
    days_to_date(days, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

const char *receivable_today(struct kam_ctx *ctx)
{
    int64_t t = ctx->now + CHINA_OFFSET;
    return receivable_day_str(ctx, t >= 0 ? t / 86400 : (t - 86399) / 86400);
}

/* The base-currency part of an invoice still open. */
int64_t receivable_open_base(int64_t amount, int64_t amount_base, int64_t paid)
{
    if (amount <= 0)
        return 0;
    if (paid >= amount)
        return 0;
    return amount_base - (int64_t)((__int128)amount_base * paid / amount);
}

/* ---- the base currency ---- */

enum kam_err recv_base_currency(struct kam_ctx *ctx, const char **out)
{
    return settings_get(ctx, "base_currency", "CNY", out);
}

enum kam_err recv_to_base(struct kam_ctx *ctx, const char *currency, int64_t amount, int64_t *out)
{
    const char *base;
    enum kam_err rc = recv_base_currency(ctx, &base);
    if (rc)
        return rc;
    if (!strcmp(base, currency)) {
        *out = amount;
        return KAM_OK;
    }
    int64_t rate;
    rc = row_i64_text(ctx, "SELECT rate_micro FROM fx_rates WHERE currency = ?", currency, &rate);
    if (rc == KAM_ENOTFOUND)
        return kam_fail(ctx->err, KAM_EINVAL, "currency", "no exchange rate for %s", currency);
    if (rc)
        return rc;
    __int128 v = (__int128)amount * rate;
    v = v >= 0 ? (v + 500000) / 1000000 : -((-v + 500000) / 1000000);
    if (v > INT64_MAX || v < INT64_MIN)
        return kam_fail(ctx->err, KAM_EINVAL, "amount", "amount is too large");
    *out = (int64_t)v;
    return KAM_OK;
}

/* ---- checks ---- */

static enum kam_err check_amount(struct kam_ctx *ctx, int64_t amount)
{
    if (amount < 0 || amount > RECV_AMOUNT_MAX)
        return kam_fail_key(ctx->err, KAM_EINVAL, "amount", "receivable.bad_amount", NULL,
                            "the amount must be between 0 and 10^15 minor units");
    return KAM_OK;
}

static enum kam_err check_common(struct kam_ctx *ctx, const char *nofield, const char *no,
                                 const char *day, const char *currency, int64_t amount,
                                 int64_t account_id, int64_t *base)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, nofield, no, 1, RECV_NO_MAX, CHECK_LINE)) ||
        (rc = check_date(ctx, "date", day)) || (rc = check_amount(ctx, amount)) ||
        (rc = check_currency(ctx, "currency", currency)))
        return rc;
    if (account_id <= 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, "account_code", "required",
                            (struct kam_param[]){{"field", "account_code"}, {0}},
                            "account_code is required");
    return recv_to_base(ctx, currency, amount, base);
}

/* ---- allocation ---- */

/* Locks the account's row for the rest of the transaction (PostgreSQL: FOR NO KEY UPDATE,
 * which does not hold off the FOR KEY SHARE of other writes referencing the account, such as
 * an order line's insert; SQLite's write transaction is one writer already): every load that
 * allocates an account's payments (payment_load, invoice_load) takes it first, so two at once
 * take turns and the second reads the first's allocations. */
static enum kam_err lock_account(struct kam_ctx *ctx, int64_t account_id)
{
    int64_t found = 0;
    return db_query_i64(
        ctx->db,
        arena_printf(ctx->a, "SELECT COUNT(*) FROM (SELECT id FROM accounts WHERE id = ?%s) x",
                     *db_update_lock(ctx->db) ? " FOR NO KEY UPDATE" : ""),
        1, account_id, &found, ctx->err);
}

enum { ALLOC_AUDIT_INVOICE = 1, ALLOC_AUDIT_PAYMENT = 2 };

/* Applies amount of payment pid (paid on payday) to invoice iid of account_id, in the history
 * of the side that is not the one being loaded (its own audit row records the rest):
 * ALLOC_AUDIT_INVOICE (a payment loaded: the invoice's paid before -> after) or
 * ALLOC_AUDIT_PAYMENT (an invoice loaded takes an unapplied payment: its unapplied). */
static enum kam_err allocate(struct kam_ctx *ctx, int64_t pid, int64_t iid, int64_t amount,
                             const char *payday, int64_t account_id, int audit_side)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "INSERT INTO payment_allocations (payment_id, invoice_id, amount) "
                                 "VALUES (?, ?, ?) ON CONFLICT (payment_id, invoice_id) DO UPDATE "
                                 "SET amount = payment_allocations.amount + excluded.amount",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, pid);
    db_bind_i64(st, 2, iid);
    db_bind_i64(st, 3, amount);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    /* paid_on: the latest payment day among the allocations, once it is paid in full */
    if ((rc = db_prepare(ctx->db,
                         "UPDATE invoices SET paid = paid + ?, paid_on = CASE WHEN paid + ? >= "
                         "amount THEN (SELECT MAX(p.day) FROM payments p JOIN payment_allocations "
                         "pa ON pa.payment_id = p.id WHERE pa.invoice_id = invoices.id) ELSE NULL "
                         "END, updated_at = ? WHERE id = ? RETURNING paid",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, amount);
    db_bind_i64(st, 2, amount);
    db_bind_i64(st, 3, ctx->now);
    db_bind_i64(st, 4, iid);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t paid = row ? db_col_i64(st, 0) : 0;
    db_done(st);
    if (rc)
        return rc;
    (void)payday;
    if (audit_side & ALLOC_AUDIT_INVOICE) {
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_i64(&d, "paid", paid - amount, 0, paid, 0);
        if ((rc = audit_write(ctx, "invoice", iid, account_id, "update", &d)))
            return rc;
    }
    if ((rc = db_prepare(
             ctx->db, "UPDATE payments SET unapplied = unapplied - ?, updated_at = ? WHERE id = ?",
             &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, amount);
    db_bind_i64(st, 2, ctx->now);
    db_bind_i64(st, 3, pid);
    if ((rc = db_run(st, ctx->err)) || !(audit_side & ALLOC_AUDIT_PAYMENT))
        return rc;
    int64_t left = 0;
    if ((rc = db_query_i64(ctx->db, "SELECT unapplied FROM payments WHERE id = ?", 1, pid, &left,
                           ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "unapplied", left + amount, 0, left, 0);
    return audit_write(ctx, "payment", pid, account_id, "update", &d);
}

struct open_row {
    int64_t id, left;
    const char *day;
};

static void read_open(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct open_row *r = out;
    r->id = db_col_i64(st, 0);
    r->left = db_col_i64(st, 1);
    r->day = arena_strdup(ctx->a, db_col_text(st, 2));
}

/* The unapplied payments of an account and currency, oldest first, applied to invoice iid
 * while it is open. *applied: the sum applied. */
static enum kam_err apply_unapplied(struct kam_ctx *ctx, int64_t account_id, const char *currency,
                                    int64_t iid, int64_t open, int64_t *applied)
{
    *applied = 0;
    if (open <= 0)
        return KAM_OK;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, unapplied, day FROM payments WHERE account_id = ? AND "
                                 "currency = ? AND unapplied > 0 AND invoice_ref = '' ORDER BY "
                                 "CASE WHEN invoice_id = ? THEN 0 ELSE 1 END, day, id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_text(st, 2, currency);
    db_bind_i64(st, 3, iid);
    struct open_row *rows;
    size_t n;
    if ((rc = rows_collect(ctx, st, 100000, read_open, sizeof *rows, (void **)&rows, &n)))
        return rc;
    for (size_t i = 0; i < n && open > 0 && !rc; i++) {
        int64_t a = rows[i].left < open ? rows[i].left : open;
        rc = allocate(ctx, rows[i].id, iid, a, rows[i].day, account_id, ALLOC_AUDIT_PAYMENT);
        open -= a;
        *applied += a;
    }
    return rc;
}

/* What is left of payment pid (paid on payday) applied to the account's open invoices of its
 * currency oldest first (due day, day, id); each "invoice_no:amount" added to applied_to. */
static enum kam_err apply_oldest(struct kam_ctx *ctx, int64_t pid, int64_t account_id,
                                 const char *currency, const char *payday, int64_t *left,
                                 char *applied_to, size_t cap, size_t *off, int audit_side)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, amount - paid, invoice_no FROM invoices WHERE "
                                 "account_id = ? AND currency = ? AND paid < amount ORDER BY "
                                 "due_day, day, id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_text(st, 2, currency);
    struct open_row *rows;
    size_t nr;
    if ((rc = rows_collect(ctx, st, 100000, read_open, sizeof *rows, (void **)&rows, &nr)))
        return rc;
    for (size_t i = 0; i < nr; i++) {
        int64_t rest = *left;
        if (rest <= 0)
            break;
        int64_t a = rows[i].left < rest ? rows[i].left : rest;
        if ((rc = allocate(ctx, pid, rows[i].id, a, payday, account_id, audit_side)))
            return rc;
        *left -= a;
        if (applied_to && *off < cap - 1)
            *off += (size_t)snprintf(applied_to + *off, cap - *off, "%s%s:%lld", *off ? ", " : "",
                                     rows[i].day, (long long)a);
    }
    if (applied_to && *off >= cap)
        *off = cap - 1;
    return KAM_OK;
}

/* ---- invoices ---- */

struct inv_row {
    int64_t id, account_id, amount, paid;
    const char *day, *due_day, *currency;
};

static void read_inv_row(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct inv_row *r = out;
    r->id = db_col_i64(st, 0);
    r->account_id = db_col_i64(st, 1);
    r->day = arena_strdup(ctx->a, db_col_text(st, 2));
    r->due_day = arena_strdup(ctx->a, db_col_text(st, 3));
    r->amount = db_col_i64(st, 4);
    r->currency = arena_strdup(ctx->a, db_col_text(st, 5));
    r->paid = db_col_i64(st, 6);
}

enum kam_err invoice_load(struct kam_ctx *ctx, const struct invoice_in *in, int *result_out)
{
    *result_out = -1;
    int64_t base = 0;
    enum kam_err rc = check_common(ctx, "invoice_no", in->invoice_no, in->day, in->currency,
                                   in->amount, in->account_id, &base);
    if (rc)
        return rc;
    if (check_date(ctx, "due_date", in->due_day))
        return ctx->err->code;
    if (strcmp(in->due_day, in->day) < 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, "due_date", "receivable.due_before_date", NULL,
                            "the due date may not be before the invoice's date");
    struct db_stmt *st;
    /* the account locked first (lock_account), then the invoice read */
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = lock_account(ctx, in->account_id)) ||
        (rc =
             db_prepare(ctx->db,
                        "SELECT id, account_id, day, due_day, amount, currency, paid FROM invoices "
                        "WHERE invoice_no = ?",
                        &st, ctx->err)))
        return db_end(ctx->db, rc, ctx->err);
    db_bind_text(st, 1, in->invoice_no);
    struct inv_row *old;
    size_t n;
    if ((rc = rows_collect(ctx, st, 1, read_inv_row, sizeof *old, (void **)&old, &n)))
        return db_end(ctx->db, rc, ctx->err);
    struct audit_diff d;
    audit_diff_init(&d);
    int64_t id = 0;
    if (!n) {
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO invoices (invoice_no, account_id, day, due_day, amount, "
                             "currency, amount_base, import_id, created_at, updated_at) VALUES (?, "
                             "?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             &st, ctx->err)))
            goto out;
        db_bind_text(st, 1, in->invoice_no);
        db_bind_i64(st, 2, in->account_id);
        db_bind_text(st, 3, in->day);
        db_bind_text(st, 4, in->due_day);
        db_bind_i64(st, 5, in->amount);
        db_bind_text(st, 6, in->currency);
        db_bind_i64(st, 7, base);
        db_bind_i64n(st, 8, in->import_id, !in->import_id);
        db_bind_i64(st, 9, ctx->now);
        db_bind_i64(st, 10, ctx->now);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        if (row)
            id = db_col_i64(st, 0);
        db_done(st);
        if (rc)
            goto out;
        /* the payments that named it before it was loaded now name it (and come first);
         * what they leave goes to the account's open invoices oldest first, as it would have
         * had the invoice been loaded before them */
        if ((rc = db_prepare(ctx->db,
                             "SELECT id, unapplied, day FROM payments WHERE account_id = ? AND "
                             "invoice_ref = ? AND currency = ? ORDER BY day, id",
                             &st, ctx->err)))
            goto out;
        db_bind_i64(st, 1, in->account_id);
        db_bind_text(st, 2, in->invoice_no);
        db_bind_text(st, 3, in->currency);
        struct open_row *waiting;
        size_t nw;
        if ((rc =
                 rows_collect(ctx, st, 100000, read_open, sizeof *waiting, (void **)&waiting, &nw)))
            goto out;
        if ((rc = db_prepare(ctx->db,
                             "UPDATE payments SET invoice_id = ?, invoice_ref = '', updated_at = ? "
                             "WHERE account_id = ? AND invoice_ref = ?",
                             &st, ctx->err)))
            goto out;
        db_bind_i64(st, 1, id);
        db_bind_i64(st, 2, ctx->now);
        db_bind_i64(st, 3, in->account_id);
        db_bind_text(st, 4, in->invoice_no);
        if ((rc = db_run(st, ctx->err)))
            goto out;
        int64_t applied = 0;
        if ((rc = apply_unapplied(ctx, in->account_id, in->currency, id, in->amount, &applied)))
            goto out;
        for (size_t i = 0; i < nw; i++) {
            int64_t left = 0;
            size_t off = 0;
            if ((rc = db_query_i64(ctx->db, "SELECT unapplied FROM payments WHERE id = ?", 1,
                                   waiting[i].id, &left, ctx->err)) ||
                (left > 0 && (rc = apply_oldest(ctx, waiting[i].id, in->account_id, in->currency,
                                                waiting[i].day, &left, NULL, 0, &off,
                                                ALLOC_AUDIT_INVOICE | ALLOC_AUDIT_PAYMENT))))
                goto out;
        }
        audit_diff_str(&d, "invoice_no", NULL, in->invoice_no);
        audit_diff_str(&d, "day", NULL, in->day);
        audit_diff_str(&d, "due_day", NULL, in->due_day);
        audit_diff_i64(&d, "amount", 0, 1, in->amount, 0);
        audit_diff_str(&d, "currency", NULL, in->currency);
        if (applied)
            audit_diff_i64(&d, "paid", 0, 1, applied, 0);
        rc = audit_write(ctx, "invoice", id, in->account_id, "create", &d);
        if (!rc)
            *result_out = 1;
        goto done;
    }
    id = old->id;
    if (old->account_id != in->account_id) {
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "account_code", "receivable.other_account",
                          (struct kam_param[]){{"no", in->invoice_no}, {0}},
                          "invoice %s belongs to another account", in->invoice_no);
        goto out;
    }
    if (strcmp(old->currency, in->currency) && old->paid > 0) {
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "currency", "receivable.currency_paid", NULL,
                          "the currency of an invoice with payments applied cannot change");
        goto out;
    }
    if (in->amount < old->paid) {
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "amount", "receivable.below_paid", NULL,
                          "the amount may not be below what was paid on it");
        goto out;
    }
    if (!strcmp(old->day, in->day) && !strcmp(old->due_day, in->due_day) &&
        old->amount == in->amount && !strcmp(old->currency, in->currency)) {
        audit_diff_release(&d);
        return db_end(ctx->db, KAM_OK, ctx->err);
    }
    if ((rc = db_prepare(ctx->db,
                         "UPDATE invoices SET day = ?, due_day = ?, amount = ?, currency = ?, "
                         "amount_base = ?, paid_on = CASE WHEN paid >= ? THEN paid_on ELSE NULL "
                         "END, updated_at = ? WHERE id = ?",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, in->day);
    db_bind_text(st, 2, in->due_day);
    db_bind_i64(st, 3, in->amount);
    db_bind_text(st, 4, in->currency);
    db_bind_i64(st, 5, base);
    db_bind_i64(st, 6, in->amount);
    db_bind_i64(st, 7, ctx->now);
    db_bind_i64(st, 8, id);
    if ((rc = db_run(st, ctx->err)))
        goto out;
    int64_t applied = 0;
    if ((rc = apply_unapplied(ctx, in->account_id, in->currency, id, in->amount - old->paid,
                              &applied)))
        goto out;
    audit_diff_str(&d, "day", old->day, in->day);
    audit_diff_str(&d, "due_day", old->due_day, in->due_day);
    audit_diff_i64(&d, "amount", old->amount, 0, in->amount, 0);
    audit_diff_str(&d, "currency", old->currency, in->currency);
    if (applied)
        audit_diff_i64(&d, "paid", old->paid, 0, old->paid + applied, 0);
    rc = audit_write(ctx, "invoice", id, in->account_id, "update", &d);
    if (!rc)
        *result_out = 0;
    goto done;
out:
    audit_diff_release(&d);
done:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- payments ---- */

enum kam_err payment_load(struct kam_ctx *ctx, const struct payment_in *in, int *result_out)
{
    *result_out = -1;
    int64_t base = 0;
    const char *ino = in->invoice_no && *in->invoice_no ? in->invoice_no : NULL;
    enum kam_err rc = check_common(ctx, "payment_no", in->payment_no, in->day, in->currency,
                                   in->amount, in->account_id, &base);
    if (rc || (ino && (rc = check_text(ctx, "invoice_no", ino, 1, RECV_NO_MAX, CHECK_LINE))))
        return rc;
    struct db_stmt *st;
    struct inv_row *inv = NULL;
    size_t n = 0;
    /* the account's receivables locked first: two loads at once take turns (finding: an invoice
     * over-allocated, a negative unapplied) and read each other's allocations */
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = lock_account(ctx, in->account_id)))
        return db_end(ctx->db, rc, ctx->err);
    if (ino) {
        if ((rc = db_prepare(ctx->db,
                             "SELECT id, account_id, day, due_day, amount, currency, paid FROM "
                             "invoices WHERE invoice_no = ?",
                             &st, ctx->err)))
            return db_end(ctx->db, rc, ctx->err);
        db_bind_text(st, 1, ino);
        if ((rc = rows_collect(ctx, st, 1, read_inv_row, sizeof *inv, (void **)&inv, &n)))
            return db_end(ctx->db, rc, ctx->err);
        /* an invoice not loaded yet: the payment waits for it, unapplied (invoice_ref) */
        if (n && inv->account_id != in->account_id)
            return db_end(ctx->db,
                          kam_fail_key(ctx->err, KAM_EINVAL, "invoice_no",
                                       "receivable.foreign_invoice",
                                       (struct kam_param[]){{"no", ino}, {0}},
                                       "invoice %s belongs to another account", ino),
                          ctx->err);
        if (!n)
            inv = NULL;
    }
    int waits = ino && !inv;
    /* a payment is a fact: the same row again is skipped, a different one refused */
    if ((rc = db_prepare(ctx->db,
                         "SELECT p.account_id, p.day, p.amount, p.currency, COALESCE(i.invoice_no, "
                         "p.invoice_ref) FROM payments p LEFT JOIN invoices i ON i.id = "
                         "p.invoice_id WHERE p.payment_no = ?",
                         &st, ctx->err)))
        return db_end(ctx->db, rc, ctx->err);
    db_bind_text(st, 1, in->payment_no);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int same = row && db_col_i64(st, 0) == in->account_id && !strcmp(db_col_text(st, 1), in->day) &&
               db_col_i64(st, 2) == in->amount && !strcmp(db_col_text(st, 3), in->currency) &&
               !strcmp(db_col_text(st, 4), ino ? ino : "");
    db_done(st);
    if (rc || (row && same))
        return db_end(ctx->db, rc, ctx->err);
    if (row)
        return db_end(ctx->db,
                      kam_fail_key(ctx->err, KAM_ECONFLICT, "payment_no",
                                   "receivable.payment_changed",
                                   (struct kam_param[]){{"no", in->payment_no}, {0}},
                                   "payment %s was loaded with other figures; a payment is not "
                                   "changed",
                                   in->payment_no),
                      ctx->err);
    struct audit_diff d;
    audit_diff_init(&d);
    int64_t pid = 0;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO payments (payment_no, account_id, day, amount, currency, "
                         "amount_base, invoice_id, unapplied, import_id, created_at, updated_at, "
                         "invoice_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, in->payment_no);
    db_bind_i64(st, 2, in->account_id);
    db_bind_text(st, 3, in->day);
    db_bind_i64(st, 4, in->amount);
    db_bind_text(st, 5, in->currency);
    db_bind_i64(st, 6, base);
    db_bind_i64n(st, 7, inv ? inv->id : 0, !inv);
    db_bind_i64(st, 8, in->amount);
    db_bind_i64n(st, 9, in->import_id, !in->import_id);
    db_bind_i64(st, 10, ctx->now);
    db_bind_i64(st, 11, ctx->now);
    db_bind_text(st, 12, waits ? ino : "");
    row = 0;
    rc = db_step(st, &row, ctx->err);
    if (row)
        pid = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    int64_t left = in->amount;
    char applied_to[512] = "";
    size_t off = 0;
    /* the invoice named first (of the payment's currency), then the oldest open ones */
    if (inv && !strcmp(inv->currency, in->currency) && inv->amount > inv->paid && left > 0) {
        int64_t a = inv->amount - inv->paid < left ? inv->amount - inv->paid : left;
        if ((rc = allocate(ctx, pid, inv->id, a, in->day, in->account_id, ALLOC_AUDIT_INVOICE)))
            goto out;
        left -= a;
        off += (size_t)snprintf(applied_to + off, sizeof applied_to - off, "%s:%lld", ino,
                                (long long)a);
    }
    if (left > 0 && !waits && !(inv && strcmp(inv->currency, in->currency)) &&
        (rc = apply_oldest(ctx, pid, in->account_id, in->currency, in->day, &left, applied_to,
                           sizeof applied_to, &off, ALLOC_AUDIT_INVOICE)))
        goto out;
    if (off >= sizeof applied_to)
        off = sizeof applied_to - 1;
    audit_diff_str(&d, "payment_no", NULL, in->payment_no);
    audit_diff_str(&d, "day", NULL, in->day);
    audit_diff_i64(&d, "amount", 0, 1, in->amount, 0);
    audit_diff_str(&d, "currency", NULL, in->currency);
    if (ino)
        audit_diff_str(&d, "invoice_no", NULL, ino);
    if (off)
        audit_diff_str(&d, "applied_to", NULL, applied_to);
    audit_diff_i64(&d, "unapplied", 0, 1, left, 0);
    rc = audit_write(ctx, "payment", pid, in->account_id, "create", &d);
    if (!rc)
        *result_out = 1;
    return db_end(ctx->db, rc, ctx->err);
out:
    audit_diff_release(&d);
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- reading ---- */

#define INV_COLS                                                                                   \
    "i.id, i.invoice_no, i.account_id, accounts.name, i.day, i.due_day, i.amount, i.currency, "    \
    "i.amount_base, i.paid, i.paid_on, i.import_id, i.created_at, i.updated_at"
#define INV_FROM " FROM invoices i JOIN accounts ON accounts.id = i.account_id"

struct reader_ctx {
    const char *today;
};

static void read_invoice(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct invoice *x = out;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->invoice_no = arena_strdup(ctx->a, db_col_text(st, 1));
    x->account_id = db_col_i64(st, 2);
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 3));
    x->day = arena_strdup(ctx->a, db_col_text(st, 4));
    x->due_day = arena_strdup(ctx->a, db_col_text(st, 5));
    x->amount = db_col_i64(st, 6);
    x->currency = arena_strdup(ctx->a, db_col_text(st, 7));
    x->amount_base = db_col_i64(st, 8);
    x->paid = db_col_i64(st, 9);
    x->has_paid_on = !db_col_is_null(st, 10);
    x->paid_on = x->has_paid_on ? arena_strdup(ctx->a, db_col_text(st, 10)) : NULL;
    x->has_import = !db_col_is_null(st, 11);
    x->import_id = db_col_i64(st, 11);
    x->created_at = db_col_i64(st, 12);
    x->updated_at = db_col_i64(st, 13);
    x->open = x->amount > x->paid ? x->amount - x->paid : 0;
    x->open_base = receivable_open_base(x->amount, x->amount_base, x->paid);
    const char *today = receivable_today(ctx);
    if (!x->open) {
        x->status = "paid";
        return;
    }
    x->days_past_due = receivable_day_num(today) - receivable_day_num(x->due_day);
    x->status = x->days_past_due > 0 ? "overdue" : "open";
    x->bucket = receivable_bucket_name(receivable_bucket(x->days_past_due));
}

static const struct page_sort inv_sorts[] = {
    {"due_day", "i.due_day", 1},
    {"day", "i.day", 1},
    {"id", "i.id", 0},
};

enum kam_err invoice_list(struct kam_ctx *ctx, const struct invoice_query *q,
                          struct invoice **items_out, size_t *n_out, const char **next_out)
{
    *items_out = NULL;
    *n_out = 0;
    *next_out = NULL;
    static const char *const statuses[] = {"open", "overdue", "paid", NULL};
    enum kam_err rc;
    if (q->status && *q->status && (rc = check_enum(ctx, "status", q->status, statuses)))
        return rc;
    int bucket = -1;
    if (q->bucket && *q->bucket && (bucket = receivable_bucket_parse(q->bucket)) < 0)
        return kam_fail(ctx->err, KAM_EINVAL, "bucket",
                        "bucket must be not_due, 1_30, 31_60, 61_90 or over_90");
    struct page_req pg;
    if ((rc = page_parse(ctx, inv_sorts, sizeof inv_sorts / sizeof inv_sorts[0], q->sort, q->limit,
                         q->cursor, &pg)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " INV_COLS INV_FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->account_id) {
        sqlb_sql(&b, " AND i.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    int64_t today = receivable_day_num(receivable_today(ctx));
    if (q->status && !strcmp(q->status, "paid"))
        sqlb_sql(&b, " AND i.paid >= i.amount");
    else if (q->status && !strcmp(q->status, "open")) {
        /* open and not yet overdue: the invoice's status "open" (overdue is its own status) */
        sqlb_sql(&b, " AND i.paid < i.amount AND i.due_day >= ?");
        sqlb_text(&b, receivable_day_str(ctx, today));
    } else if (q->status && !strcmp(q->status, "overdue")) {
        sqlb_sql(&b, " AND i.paid < i.amount AND i.due_day < ?");
        sqlb_text(&b, receivable_day_str(ctx, today));
    }
    if (bucket >= 0) {
        /* days past due in [lo, hi]: due_day in [today - hi, today - lo] */
        static const int64_t lo[] = {INT32_MIN, 1, 31, 61, 91}, hi[] = {0, 30, 60, 90, INT32_MAX};
        sqlb_sql(&b, " AND i.paid < i.amount");
        if (hi[bucket] != INT32_MAX) {
            sqlb_sql(&b, " AND i.due_day >= ?");
            sqlb_text(&b, receivable_day_str(ctx, today - hi[bucket]));
        }
        if (lo[bucket] != INT32_MIN) {
            sqlb_sql(&b, " AND i.due_day <= ?");
            sqlb_text(&b, receivable_day_str(ctx, today - lo[bucket]));
        }
    }
    struct invoice *items;
    const struct invoice *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "i.id", read_invoice, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    if (last) {
        const struct invoice *l = &items[n - 1];
        const char *s = !strcmp(pg.sort->key, "day") ? l->day : l->due_day;
        *next_out = page_cursor(ctx, &pg, pg.sort->is_text ? s : NULL, l->id, l->id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

static void read_alloc(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct allocation *a = out;
    a->payment_id = db_col_i64(st, 0);
    a->invoice_id = db_col_i64(st, 1);
    a->amount = db_col_i64(st, 2);
    a->payment_no = arena_strdup(ctx->a, db_col_text(st, 3));
    a->invoice_no = arena_strdup(ctx->a, db_col_text(st, 4));
    a->day = arena_strdup(ctx->a, db_col_text(st, 5));
}

static enum kam_err allocations(struct kam_ctx *ctx, const char *col, int64_t id,
                                struct allocation **out, size_t *n)
{
    struct db_stmt *st;
    const char *sql = arena_printf(
        ctx->a,
        "SELECT pa.payment_id, pa.invoice_id, pa.amount, p.payment_no, i.invoice_no, p.day FROM "
        "payment_allocations pa JOIN payments p ON p.id = pa.payment_id JOIN invoices i ON i.id "
        "= pa.invoice_id WHERE pa.%s = ? ORDER BY p.day, p.id, i.id",
        col);
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    return rows_collect(ctx, st, 10000, read_alloc, sizeof **out, (void **)out, n);
}

enum kam_err invoice_get(struct kam_ctx *ctx, int64_t id, struct invoice *out)
{
    enum kam_err rc = row_get(ctx, "SELECT " INV_COLS INV_FROM " WHERE i.id = ?", id, read_invoice,
                              out, "invoice");
    if (!rc)
        rc = allocations(ctx, "invoice_id", id, &out->allocations, &out->nallocations);
    return rc;
}

#define PAY_COLS                                                                                   \
    "p.id, p.payment_no, p.account_id, accounts.name, p.day, p.amount, p.currency, "               \
    "p.amount_base, p.invoice_id, COALESCE(i.invoice_no, p.invoice_ref), p.unapplied, "            \
    "p.import_id, p.created_at"

static void read_payment(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct payment *x = out;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->payment_no = arena_strdup(ctx->a, db_col_text(st, 1));
    x->account_id = db_col_i64(st, 2);
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 3));
    x->day = arena_strdup(ctx->a, db_col_text(st, 4));
    x->amount = db_col_i64(st, 5);
    x->currency = arena_strdup(ctx->a, db_col_text(st, 6));
    x->amount_base = db_col_i64(st, 7);
    x->has_invoice = !db_col_is_null(st, 8);
    x->invoice_id = db_col_i64(st, 8);
    /* the invoice it names; one not loaded yet too (invoice_id null, the payment waits) */
    x->invoice_no = *db_col_text(st, 9) ? arena_strdup(ctx->a, db_col_text(st, 9)) : NULL;
    x->unapplied = db_col_i64(st, 10);
    x->has_import = !db_col_is_null(st, 11);
    x->import_id = db_col_i64(st, 11);
    x->created_at = db_col_i64(st, 12);
}

static const struct page_sort pay_sorts[] = {
    {"day", "p.day", 1},
    {"id", "p.id", 0},
};

enum kam_err payment_list(struct kam_ctx *ctx, const struct payment_query *q,
                          struct payment **items_out, size_t *n_out, const char **next_out)
{
    *items_out = NULL;
    *n_out = 0;
    *next_out = NULL;
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, pay_sorts, sizeof pay_sorts / sizeof pay_sorts[0],
                                 q->sort ? q->sort : "-day", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " PAY_COLS " FROM payments p JOIN accounts ON accounts.id = p.account_id "
                 "LEFT JOIN invoices i ON i.id = p.invoice_id WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->account_id) {
        sqlb_sql(&b, " AND p.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    struct payment *items;
    const struct payment *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "p.id", read_payment, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    if (last) {
        const struct payment *l = &items[n - 1];
        *next_out = page_cursor(ctx, &pg, pg.sort->is_text ? l->day : NULL, l->id, l->id);
    }
    for (size_t i = 0; i < n && !rc; i++)
        rc = allocations(ctx, "payment_id", items[i].id, &items[i].allocations,
                         &items[i].nallocations);
    *items_out = items;
    *n_out = n;
    return rc;
}

/* ---- ageing and DSO ---- */

enum kam_err receivable_ageing(struct kam_ctx *ctx, int64_t account_id, struct ageing *out)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT due_day, amount, amount_base, paid FROM invoices WHERE "
                                 "account_id = ? AND paid < amount",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    int64_t today = receivable_day_num(receivable_today(ctx));
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row)
        receivable_ageing_add(out, today, db_col_text(st, 0), db_col_i64(st, 1), db_col_i64(st, 2),
                              db_col_i64(st, 3));
    db_done(st);
    return rc;
}

void receivable_ageing_add(struct ageing *ag, int64_t today, const char *due_day, int64_t amount,
                           int64_t amount_base, int64_t paid)
{
    int64_t days = today - receivable_day_num(due_day);
    int64_t open = receivable_open_base(amount, amount_base, paid);
    int bk = receivable_bucket(days);
    ag->bucket[bk] += open;
    ag->total += open;
    if (bk != AGE_NOT_DUE) {
        ag->overdue += open;
        if (days > ag->oldest_days)
            ag->oldest_days = days;
    }
}

enum kam_err receivable_dso(struct kam_ctx *ctx, int64_t account_id, const char *day,
                            int64_t *tenths, int *has)
{
    *tenths = 0;
    *has = 0;
    struct db_stmt *st;
    /* open as of day: each invoice of that day or before, less what payments of that day or
     * before applied to it (in base currency, pro rata) */
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT i.amount, i.amount_base, COALESCE((SELECT SUM(pa.amount) FROM payment_allocations "
        "pa JOIN payments p ON p.id = pa.payment_id WHERE pa.invoice_id = i.id AND p.day <= ?), "
        "0), i.day FROM invoices i WHERE i.account_id = ? AND i.day <= ?",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, day);
    db_bind_i64(st, 2, account_id);
    db_bind_text(st, 3, day);
    int64_t d = receivable_day_num(day), open = 0, invoiced = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t amount = db_col_i64(st, 0), base = db_col_i64(st, 1), paid = db_col_i64(st, 2);
        open += receivable_open_base(amount, base, paid);
        if (receivable_day_num(db_col_text(st, 3)) > d - 90)
            invoiced += base;
    }
    db_done(st);
    if (rc || invoiced <= 0)
        return rc;
    *has = 1;
    *tenths = (int64_t)(((__int128)open * 900 + invoiced / 2) / invoiced);
    return KAM_OK;
}
