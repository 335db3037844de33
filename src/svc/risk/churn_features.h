/* churn_features.h -- the churn model's features and label from KAM's own tables (issue 16
 * item 5, docs/CHURN.md "In KAM").
 *
 * Features of an account as of a cutoff month M (everything strictly before the first day of
 * M + 1, China time): volume (base currency, sales_monthly_account) of the last 3, 6 and 12
 * months, the change of the last 3 against the 3 before and against the same 3 a year before
 * (percent), months since the last purchase, months with purchases in the last 12, product
 * families bought in the last 12 months, tier, visits done in the last 6 months and visits
 * overdue at the cutoff, issues reported and SLA breaches (resolution due in the last 6 months,
 * not resolved in time), the last NPS and CSAT answers, the most days past due of receivables
 * open at the cutoff and DSO (open receivables x 91 / invoiced in the 91 days before). A value
 * that does not exist is an empty cell (the learner handles missing).
 *
 * Label: the volume of the N months after M falls by more than drop_bp against the N months up
 * to M (next x 10000 < prev x (10000 - drop_bp)), which includes stopping (next = 0). Training
 * rows: every account with >= 6 months of history (first purchase <= M - 5) and volume in the N
 * months up to M, at every 3rd cutoff month counted back from the last whose future window is
 * complete (M + N <= the last complete month). */
#ifndef KAM_RISK_CHURN_FEATURES_H
#define KAM_RISK_CHURN_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "analytics/churn.h"
#include "svc/core/ctx.h"

enum churn_feature {
    CF_VOL_3M,
    CF_VOL_6M,
    CF_VOL_12M,
    CF_CHG_3M,     /* last 3 months vs the 3 before, percent */
    CF_CHG_YOY,    /* last 3 months vs the same 3 a year before, percent */
    CF_SINCE_BUY,  /* months since the last month with a purchase (0: bought in M) */
    CF_ACTIVE_12M, /* months with purchases in the last 12 */
    CF_FAMILIES,   /* product families bought in the last 12 months */
    CF_TIER,
    CF_VISITS_6M,
    CF_VISITS_OVERDUE,
    CF_ISSUES_6M,
    CF_SLA_6M,
    CF_NPS,
    CF_CSAT,
    CF_AR_DPD, /* most days past due of the receivables open at the cutoff */
    CF_DSO,
    CF_COUNT
};
extern const char *const churn_feature_names[CF_COUNT];

#define CHURN_HORIZON_DEFAULT 6
#define CHURN_DROP_DEFAULT 3000
#define CHURN_HISTORY_MONTHS 6 /* months of history before an account is a row */
#define CHURN_CUTOFF_STEP 3    /* every 3rd cutoff month */

/* Month numbers: year * 12 + month - 1. */
int churn_month_of_yyyymm(int yyyymm);
/* The month number of a day number (days since 1970-01-01), and the day number of a month's
 * first day. */
int churn_month_of_day(int64_t day);
int64_t churn_month_first_day(int month);
/* The month of "today" (ctx->now, China time). */
int churn_month_now(const struct kam_ctx *ctx);

/* 1 when a fall from prev to next is positive (falls by more than drop_bp, or stops). */
int churn_label_of(int64_t prev, int64_t next, int drop_bp);

/* The history of every account, read once (one query per feature group). In ctx->a. */
struct churn_data;
enum kam_err churn_data_load(struct kam_ctx *ctx, struct churn_data **out);
size_t churn_data_accounts(const struct churn_data *d);
int64_t churn_data_account_id(const struct churn_data *d, size_t i);

/* The feature cells of account i as of cutoff month m (CF_COUNT texts in ctx->a, "" missing). */
void churn_features_row(struct kam_ctx *ctx, const struct churn_data *d, size_t i, int m,
                        const char **cells);

/* The label of account i at cutoff m: 1 / 0, or -1 when the account is not a row there (too
 * little history, no volume in the N months up to m, the future window not complete before
 * last_month, the last complete month). */
int churn_label_at(const struct churn_data *d, size_t i, int m, int horizon, int drop_bp,
                   int last_month);

/* Columns of the tables: account_id, cutoff (a month "YYYY-MM", ignored by the learner), the
 * features, then (training only) the target "churn" ("1" / "0"). */
#define CHURN_COL_TARGET "churn"
#define CHURN_COL_CUTOFF "cutoff"

/* The training table (every row of the label rule) built into t (churn_table_new; the caller
 * frees it); *positives. KAM_EINTERNAL when out of memory. */
enum kam_err churn_training_table(struct kam_ctx *ctx, const struct churn_data *d, int horizon,
                                  int drop_bp, int last_month, struct churn_table *t,
                                  int *positives);
/* The scoring table as of cutoff m: accounts with >= 6 months of history and volume in the
 * `horizon` months up to m; ids[] (ctx->a) names each row's account. */
enum kam_err churn_scoring_table(struct kam_ctx *ctx, const struct churn_data *d, int m,
                                 int horizon, struct churn_table *t, int64_t **ids);

#endif
