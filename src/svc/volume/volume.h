/* volume.h -- actual sales by month and by dimension, from the rollups, for dashboards and KPIs.
 *
 * Every question is "sum amount (or quantity) over months [from, to] for a selection (family,
 * region, channel, account), optionally split by one dimension". The service picks the smallest
 * rollup that answers it: sales_monthly_dim when no account is involved and the caller reads
 * every account, sales_monthly_account for per-account totals, sales_monthly otherwise -- always
 * limited to the caller's accounts when the caller's reads are scoped. Values are int64: amount
 * in base-currency minor units, quantity in thousandths. Months are yyyymm. */
#ifndef KAM_VOLUME_H
#define KAM_VOLUME_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define VOLUME_MAX_MONTHS 120
#define VOLUME_MAX_KEYS 500

enum volume_dim { VD_NONE = 0, VD_FAMILY, VD_REGION, VD_CHANNEL, VD_ACCOUNT, VD_MONTH };

struct volume_sel {
    int quantity;                          /* 0: amount, 1: quantity */
    const char *family, *region, *channel; /* NULL = all */
    int64_t account_id;                    /* 0 = all (in scope) */
    int subsidiaries; /* with account_id: the account and its subsidiaries (svc/core/group.h) */
};

/* Parses "family" | "region" | "channel" | "account" | "month" | "" (none). -1 if unknown. */
int volume_dim_parse(const char *s, enum volume_dim *out);
const char *volume_dim_name(enum volume_dim d);
/* yyyymm from "YYYY-MM"; -1 when malformed. Month arithmetic on yyyymm. */
int volume_month_parse(const char *s);
int volume_month_add(int yyyymm, int months);
int volume_months_between(int from, int to); /* inclusive count */

/* The rules of time every volume screen shares (the dashboard, the breakdown, the KPIs):
 * this month at ctx->now (yyyymm); the default window, the 24 months up to this one; the
 * months of [from, to] that are history (the month in progress is not: its sales are partial,
 * so forecasts start with it); the last month of [from, to] compared with a year before (the
 * same months, only as far as this year has come: year to date). */
int volume_this_month(const struct kam_ctx *ctx);
void volume_default_window(const struct kam_ctx *ctx, int *from_out, int *to_out);
int volume_history_months(const struct kam_ctx *ctx, int from, int to);
int volume_compare_to(const struct kam_ctx *ctx, int from, int to);
/* a as a percentage of b, to one decimal, halves away from zero; 0 when b is 0. Growth is
 * volume_pct(now - before, before) (meaningful when before > 0), a share volume_pct(part,
 * total). */
double volume_pct(int64_t a, int64_t b);

/* One series per key of `by` (one series "" when by is VD_NONE), with values[i] for month
 * from + i. Keys sorted by their total, largest first; at most VOLUME_MAX_KEYS. */
struct volume_series {
    const char *key;   /* family/region/channel text, account id as text, "" for the total */
    const char *label; /* account name for accounts, else the key */
    int64_t *values;   /* months entries */
    int64_t total;
};

enum kam_err volume_series(struct kam_ctx *ctx, const struct volume_sel *sel, enum volume_dim by,
                           int from, int to, struct volume_series **out, size_t *n_out);

/* Totals over [from, to] per key of `by` (one total "" for VD_NONE), largest first, at most
 * limit keys. Cheaper than volume_series when the months are not needed. */
struct volume_total {
    const char *key, *label;
    int64_t total;
};
enum kam_err volume_totals(struct kam_ctx *ctx, const struct volume_sel *sel, enum volume_dim by,
                           int from, int to, size_t limit, struct volume_total **out,
                           size_t *n_out);
/* The entry of key in t[0..n), or NULL. */
const struct volume_total *volume_total_find(const struct volume_total *t, size_t n,
                                             const char *key);

/* The base currency (amount unit) of every value. */
enum kam_err volume_unit(struct kam_ctx *ctx, const struct volume_sel *sel, const char **out);

/* Forecast of one monthly series `horizon` months past its last point, with 80/95 % intervals
 * (doubles in the series' units); method names the model. KAM_EINVAL when the series has no
 * forecast (horizon outside 1..36, fewer than FC_MIN_N months since its first sale, values
 * that cannot be forecast); KAM_EINTERNAL "out of memory". */
struct volume_forecast {
    int horizon;
    double *mean, *lo80, *hi80, *lo95, *hi95;
    char method[32];
    /* months found to be outliers and replaced before fitting (analytics fc_outliers), at
     * most 16: indices into values (volume_forecast), yyyymm (volume_forecast_sel) */
    int n_outliers;
    int outliers[16];
};
enum kam_err volume_forecast(struct kam_ctx *ctx, const int64_t *values, int n, int horizon,
                             struct volume_forecast *out);
/* The forecast of a selection's total for the `horizon` months from `start`, fitted on all its
 * history (every complete month before start, up to VOLUME_MAX_MONTHS), whatever window a
 * screen shows. Missing months inside the history are no sales (0); months before the first
 * sale are not history. Errors as volume_forecast. */
enum kam_err volume_forecast_sel(struct kam_ctx *ctx, const struct volume_sel *sel, int start,
                                 int horizon, struct volume_forecast *out);

#endif
