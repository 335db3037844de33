/* receivable.h -- invoices and payments from the ERP (kam import invoices|payments), how
 * payments are applied to invoices, ageing and DSO (issue 16 item 2; docs/CREDIT.md).
 *
 * An invoice is loaded by its invoice_no: a new number is inserted, a known one updated (its
 * dates and amount; audited "invoice"). A payment is a fact: a payment_no already loaded is
 * skipped when the row is identical and refused otherwise. A payment is applied to the invoice
 * it names (same account, else refused naming invoice_no), then to the account's open invoices
 * of its currency oldest first (due_day, day, id); what is left stays unapplied and is applied
 * to invoices of that account and currency loaded later (oldest payments first). A payment in
 * another currency than the invoice it names stays unapplied. A payment naming an invoice not
 * loaded yet waits for it unapplied (payments.invoice_ref) and is applied to it first when it
 * is loaded. Every load locks its account's row first (PostgreSQL FOR NO KEY UPDATE): two
 * loads at once take turns. */
#ifndef KAM_RECEIVABLE_H
#define KAM_RECEIVABLE_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define RECV_NO_MAX 64 /* invoice_no, payment_no: characters */
#define RECV_AMOUNT_MAX INT64_C(1000000000000000)

/* Ageing buckets by days past due: not due (<= 0), 1-30, 31-60, 61-90, > 90. */
enum { AGE_NOT_DUE, AGE_1_30, AGE_31_60, AGE_61_90, AGE_OVER_90, AGE_COUNT };
int receivable_bucket(int64_t days_past_due);
const char *receivable_bucket_name(int bucket); /* not_due | 1_30 | 31_60 | 61_90 | over_90 */
/* -1 when name is none of them. */
int receivable_bucket_parse(const char *name);

/* "YYYY-MM-DD" of ctx's now in China (UTC+8), and day arithmetic on such dates. */
const char *receivable_today(struct kam_ctx *ctx);
int64_t receivable_day_num(const char *ymd); /* days since 1970-01-01; 0 when malformed */
const char *receivable_day_str(struct kam_ctx *ctx, int64_t days);

/* The base currency (setting base_currency) and amount in currency converted into it at
 * fx_rates (round half away from zero), as svc/volume/product.c's fx_to_base does: the risk
 * chapter reads the rates through SQL, not the volume chapter's header. 400 naming currency
 * without a rate. */
enum kam_err recv_base_currency(struct kam_ctx *ctx, const char **out);
enum kam_err recv_to_base(struct kam_ctx *ctx, const char *currency, int64_t amount, int64_t *out);

struct invoice_in {
    const char *invoice_no, *day, *due_day, *currency;
    int64_t account_id, amount, import_id; /* import_id 0: none */
};
/* *result_out: 1 inserted, 0 updated, -1 unchanged. Errors name invoice_no, account_code,
 * date, due_date, amount, currency. */
enum kam_err invoice_load(struct kam_ctx *ctx, const struct invoice_in *in, int *result_out);

struct payment_in {
    const char *payment_no, *day, *currency, *invoice_no; /* invoice_no NULL or "": none */
    int64_t account_id, amount, import_id;
};
/* *result_out: 1 inserted, -1 identical to the one loaded (skipped). */
enum kam_err payment_load(struct kam_ctx *ctx, const struct payment_in *in, int *result_out);

struct allocation {
    int64_t payment_id, invoice_id, amount;
    const char *payment_no, *invoice_no, *day; /* day: the payment's */
};

struct invoice {
    int64_t id, account_id, amount, amount_base, paid, open, open_base, days_past_due, import_id,
        created_at, updated_at;
    int has_paid_on, has_import;
    const char *invoice_no, *account_name, *day, *due_day, *currency, *paid_on;
    const char *status; /* open | overdue | paid */
    const char *bucket; /* the ageing bucket of an unpaid invoice; NULL when paid */
    struct allocation *allocations;
    size_t nallocations;
};

struct payment {
    int64_t id, account_id, amount, amount_base, invoice_id, unapplied, import_id, created_at;
    int has_invoice, has_import;
    const char *payment_no, *account_name, *day, *currency, *invoice_no;
    struct allocation *allocations;
    size_t nallocations;
};

struct invoice_query {
    int64_t account_id, limit;
    const char *status, *bucket, *sort, *cursor;
};
enum kam_err invoice_list(struct kam_ctx *ctx, const struct invoice_query *q,
                          struct invoice **items_out, size_t *n_out, const char **next_out);
enum kam_err invoice_get(struct kam_ctx *ctx, int64_t id, struct invoice *out);

struct payment_query {
    int64_t account_id, limit;
    const char *sort, *cursor;
};
enum kam_err payment_list(struct kam_ctx *ctx, const struct payment_query *q,
                          struct payment **items_out, size_t *n_out, const char **next_out);

/* An account's open receivables now (base currency) by ageing bucket; overdue = buckets 1..4;
 * oldest_days: days past due of the oldest overdue open invoice (0 when none). */
struct ageing {
    int64_t bucket[AGE_COUNT], total, overdue, oldest_days;
};
enum kam_err receivable_ageing(struct kam_ctx *ctx, int64_t account_id, struct ageing *out);
/* Adds one invoice (its due day, amount, base amount and paid) to ag as of day number today. */
void receivable_ageing_add(struct ageing *ag, int64_t today, const char *due_day, int64_t amount,
                           int64_t amount_base, int64_t paid);
/* The base-currency part of an invoice still open: amount_base less the paid share. */
int64_t receivable_open_base(int64_t amount, int64_t amount_base, int64_t paid);

/* DSO on day (YYYY-MM-DD) = open receivables as of that day / (invoiced amount of the 90 days
 * up to it / 90), in tenths of a day; *has 0 when nothing was invoiced in those 90 days. */
enum kam_err receivable_dso(struct kam_ctx *ctx, int64_t account_id, const char *day,
                            int64_t *tenths, int *has);

#endif
