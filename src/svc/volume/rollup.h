/* rollup.h -- the monthly sales rollups, kept up to date on every write of order lines.
 *
 * A write (one line through the API, a million through an import) first adds each changed
 * line's contribution to a struct rollup in memory -- with sign -1 for the old version of a
 * changed or deleted line -- and then rollup_flush() adds the summed deltas to the three rollup
 * tables in the caller's transaction: sales_monthly (account x month x family x region x
 * channel), sales_monthly_dim (month x family x region x channel) and sales_monthly_account
 * (account x month). Keys are flushed in sorted order so concurrent writers on PostgreSQL
 * lock rows in the same order and cannot deadlock. */
#ifndef KAM_ROLLUP_H
#define KAM_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

struct rollup;

struct rollup *rollup_new(void);
void rollup_free(struct rollup *r);

/* Adds sign (+1 / -1) times one line (quantity in thousandths, amount in base minor units) at
 * the month yyyymm. */
void rollup_add(struct rollup *r, int64_t account_id, int month, const char *family,
                const char *region, const char *channel, int64_t quantity, int64_t amount,
                int sign);

/* Adds every delta of src to dst (src unchanged). */
void rollup_merge(struct rollup *dst, const struct rollup *src);

/* The work of rollup_flush that needs no database (summing the coarser rollups, sorting the
 * keys), done ahead, e.g. by a thread while another one writes; a later change undoes it. */
void rollup_prepare(struct rollup *r);

/* Number of distinct finest-grain keys held. */
size_t rollup_size(const struct rollup *r);

/* Writes the deltas into the rollup tables (rows whose line count falls to zero are removed)
 * and empties r. Call inside the transaction that wrote the lines. */
enum kam_err rollup_flush(struct kam_ctx *ctx, struct rollup *r);

/* Rebuilds every rollup table from order_lines (kam import --rebuild-rollups, tests). */
enum kam_err rollup_rebuild(struct kam_ctx *ctx);

/* yyyymm of a day number. */
int rollup_month_of_day(int64_t day);

#endif
