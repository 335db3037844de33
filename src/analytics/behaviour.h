/* behaviour.h -- per-account purchase behaviour (FEATURES F3.2): pure functions on arrays.
 *
 * The service reads orders, monthly amounts, baskets and account x family matrices from the
 * database and hands them here; nothing in this module touches the store, the clock or global
 * state. Results go to caller-provided structs; variable-length results and scratch space come
 * from the caller's arena (owned by it, freed with it). Every function is deterministic: ties
 * are broken by index, and no result depends on a sort's stability.
 *
 * Days are int32 days since 1970-01-01 (base/timeutil.h: date_to_days). Months are 1..12.
 * Money that is summed exactly is int64 minor units; statistics over series are double.
 * Errors: KAM_EINVAL for malformed input (negative counts, unsorted days, NaN, out-of-range
 * indices), KAM_ETOOBIG above the documented caps. */
#ifndef KAM_BEHAVIOUR_H
#define KAM_BEHAVIOUR_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

/* ---- purchase intervals ---- */

#define BEHAVIOUR_MIN_ORDERS 3   /* fewer distinct order days: regularity "insufficient" */
#define BEHAVIOUR_REGULAR_CV 0.5 /* coefficient of variation below this: "regular" */
#define BEHAVIOUR_MAX_ORDERS 10000000

enum behaviour_regularity {
    BEHAVIOUR_INSUFFICIENT = 0, /* fewer than BEHAVIOUR_MIN_ORDERS order days */
    BEHAVIOUR_REGULAR,          /* cv < BEHAVIOUR_REGULAR_CV */
    BEHAVIOUR_IRREGULAR,
};

struct behaviour_intervals {
    int orders;         /* distinct order days */
    int intervals;      /* orders - 1, or 0 */
    double mean_days;   /* mean gap between consecutive order days; 0 if no interval */
    double median_days; /* median gap (mean of the two middle ones if even); 0 if none */
    double cv;          /* population std-dev / mean of the gaps; 0 with < 2 gaps */
    enum behaviour_regularity regularity;
    int32_t last_day;     /* the latest order day; 0 if no orders */
    int has_next;         /* 1 when there is at least one interval */
    int32_t next_day;     /* last_day + median rounded half up */
    int overdue;          /* has_next and today > next_day */
    int32_t days_overdue; /* today - next_day when overdue, else 0 */
};

/* Intervals between the order days days[0..n), sorted ascending; equal days (several orders on
 * one day) count once. today is only used for overdue. Scratch for the median comes from a.
 * n == 0 is valid (everything 0, INSUFFICIENT). KAM_EINVAL if n < 0, days is NULL with n > 0,
 * or the days are not sorted; KAM_ETOOBIG if n > BEHAVIOUR_MAX_ORDERS. */
enum kam_err behaviour_intervals(const int32_t *days, int n, int32_t today, struct arena *a,
                                 struct behaviour_intervals *out);

/* ---- RFM ---- */

#define BEHAVIOUR_RFM_WINDOW_DAYS 365 /* frequency and monetary look back this many days */

struct behaviour_rfm {
    int has_orders;       /* any order on or before today */
    int32_t recency_days; /* today - the latest order day <= today; -1 if none */
    int64_t frequency;    /* orders with today - 365 < day <= today */
    int64_t monetary;     /* sum of their amounts, minor units */
};

/* Recency, frequency and monetary value of the orders (days[i], amounts[i]), i < n, in any
 * order; each row is one order. Orders after today are ignored. KAM_EINVAL if n < 0, an array is
 * NULL with n > 0, or the monetary sum overflows int64 (amounts may be negative: returns). */
enum kam_err behaviour_rfm(const int32_t *days, const int64_t *amounts, int n, int32_t today,
                           struct behaviour_rfm *out);

/* Sorts v[0..n) ascending in place (the population arrays of behaviour_quintile). */
void behaviour_sort_i64(int64_t *v, int n);

/* Quintile score 1..5 of value against a population sorted ascending (sorted[0..m)), by mid-rank:
 * with L = population values worse than value and E = equal ones,
 * score = 1 + floor(5 * (L + E/2) / m), clamped to 1..5. "Worse" is smaller when
 * higher_is_better (frequency, monetary), larger otherwise (recency). Equal values always get
 * the same score; a population of one repeated value scores it 3. Returns 0 if m <= 0.
 * O(log m). */
int behaviour_quintile(int64_t value, const int64_t *sorted, int m, int higher_is_better);

struct behaviour_rfm_score {
    int r, f, m; /* 1..5 each, 5 best; 0 when the population is empty */
};

/* Scores one account's RFM against the population's sorted recency, frequency and monetary
 * arrays (each of length m, each sorted ascending). An account without orders gets r = 1.
 * Population entries for accounts without orders should use a large recency (e.g. 100000). */
void behaviour_rfm_score(const struct behaviour_rfm *v, const int64_t *recency_sorted,
                         const int64_t *frequency_sorted, const int64_t *monetary_sorted, int m,
                         struct behaviour_rfm_score *out);

/* ---- trend ---- */

#define BEHAVIOUR_TREND_PCT 5.0  /* |slope| in %/year of the mean level: above = moving */
#define BEHAVIOUR_MAX_MONTHS 600 /* series cap (Theil-Sen is O(n^2) in memory) */

enum behaviour_trend_label {
    BEHAVIOUR_TREND_NONE = 0, /* fewer than 2 months, or mean level <= 0 */
    BEHAVIOUR_GROWING,        /* Theil-Sen slope > +BEHAVIOUR_TREND_PCT %/year */
    BEHAVIOUR_STABLE,
    BEHAVIOUR_DECLINING, /* Theil-Sen slope < -BEHAVIOUR_TREND_PCT %/year */
};

struct behaviour_trend {
    int n;
    double mean;                      /* mean monthly amount */
    double ols_slope;                 /* least-squares slope, amount per month */
    double theil_sen_slope;           /* median of the pairwise slopes, amount per month */
    double ols_pct_year;              /* 100 * 12 * ols_slope / mean; 0 if mean <= 0 */
    double theil_sen_pct_year;        /* the same for Theil-Sen */
    enum behaviour_trend_label label; /* from theil_sen_pct_year */
    int has_yoy;                      /* n >= 24 and the previous 12 months sum > 0 */
    double yoy_pct;                   /* 100 * (sum of last 12 / sum of the 12 before - 1) */
};

/* Trend of the monthly series y[0..n), oldest first. Scratch (n(n-1)/2 slopes) from a.
 * n < 2 gives label NONE and zero slopes. KAM_EINVAL if n < 0, y NULL with n > 0 or a value is
 * not finite; KAM_ETOOBIG if n > BEHAVIOUR_MAX_MONTHS. */
enum kam_err behaviour_trend(const double *y, int n, struct arena *a, struct behaviour_trend *out);

/* ---- seasonality ---- */

enum behaviour_season_method {
    BEHAVIOUR_SEASON_NONE = 0,    /* n < 12, or the level is <= 0: indices all 1 */
    BEHAVIOUR_SEASON_MONTH_MEANS, /* 12 <= n < 24: month mean / mean of the month means */
    BEHAVIOUR_SEASON_RATIO_MA,    /* n >= 24: mean ratio to the centred 2x12 moving average */
};

struct behaviour_season {
    enum behaviour_season_method method;
    double index[12]; /* index[0] = January ... index[11] = December; they average 1.0 */
    double strength;  /* max(0, 1 - var(remainder) / var(detrended)), 0..1; 0 if none */
    int peak_month;   /* 1..12, highest index (earliest month on a tie); 0 if none */
    int trough_month; /* 1..12, lowest index (earliest month on a tie); 0 if none */
};

/* Seasonal profile of the monthly series y[0..n), whose first point is calendar month
 * first_month (1..12). Detrended values d_t are y_t / CMA_t (ratio method; points whose CMA is
 * <= 0 are skipped) or y_t / overall mean (month means); the remainder is d_t - index(month t).
 * KAM_EINVAL for n < 0, a bad first_month, NULL y or a non-finite value; KAM_ETOOBIG if
 * n > BEHAVIOUR_MAX_MONTHS. */
enum kam_err behaviour_season(const double *y, int n, int first_month,
                              struct behaviour_season *out);

/* ---- product-family mix ---- */

struct behaviour_share {
    int family;     /* index into the amount vector */
    int64_t amount; /* minor units */
    double share;   /* amount / total; 0 if the total is 0 */
};

/* Shares of each of the n families in amount[0..n) (>= 0), written to out[0..n) sorted by
 * amount descending, then family ascending (so zero families come last, in index order).
 * KAM_EINVAL if n < 0, a NULL array with n > 0 or a negative amount. */
enum kam_err behaviour_mix(const int64_t *amount, int n, struct behaviour_share *out);

/* ---- co-purchase affinity ---- */

#define BEHAVIOUR_MAX_FAMILIES 64

struct behaviour_pair {
    int a, b;          /* families, a != b; the rule is a -> b */
    int64_t count_a;   /* baskets with a */
    int64_t count_b;   /* baskets with b */
    int64_t count_ab;  /* baskets with both */
    double support;    /* count_ab / baskets */
    double confidence; /* count_ab / count_a (<= 1) */
    double lift;       /* count_ab * baskets / (count_a * count_b); symmetric in a, b */
};

/* Association rules between families over nb baskets (bit f of baskets[i] = family f bought;
 * one basket = one account's families in one month). Every ordered pair (a, b), a != b, with
 * count_ab >= max(1, min_count) and support >= min_support is written to an arena array
 * *pairs_out of *npairs_out entries, sorted by lift descending (compared exactly on the integer
 * counts), then count_ab descending, then a, then b ascending. At most 64 * 63 pairs.
 * KAM_EINVAL if nb < 0, nfam outside 0..64, a basket has a bit >= nfam, or baskets is NULL
 * with nb > 0. */
enum kam_err behaviour_affinity(const uint64_t *baskets, int nb, int nfam, int64_t min_count,
                                double min_support, struct arena *a,
                                struct behaviour_pair **pairs_out, int *npairs_out);

/* ---- whitespace / cross-sell ---- */

/* Cosine similarity of x and y (n values each, >= 0 in practice): dot / sqrt(|x|^2 |y|^2),
 * clamped to [-1, 1]; 0 if either is all zero. Exactly 1 for a non-zero vector with itself.
 * Being scale-free, the cosine of two amount vectors is the cosine of their mix vectors. */
double behaviour_cosine(const double *x, const double *y, int n);

struct behaviour_neighbour {
    int account;
    double similarity; /* cosine, > 0 */
};

struct behaviour_suggestion {
    int family;
    double score;           /* similarity-weighted share of the neighbours buying it, 0..1 */
    int neighbours;         /* how many of the neighbours buy it */
    double expected_amount; /* see behaviour_whitespace */
};

/* Cross-sell for account `target` of the matrix m (accounts x families, row-major, amounts
 * >= 0). Neighbours: the k accounts (other than target) most similar to it by cosine of their
 * rows, similarity > 0 only, ties to the lower index; written to *nb_out (arena) sorted by
 * similarity descending then index.
 *
 * Suggestions: every family f the target does not buy (m[target][f] == 0) that at least one
 * neighbour buys, with
 *   score = sum(sim_j over neighbours buying f) / sum(sim_j over all neighbours),
 *   expected_amount = T * sum(sim_j * m[j][f] / T_j) / sum(sim_j), both sums over the
 *                     neighbours buying f, T_j = row total of j, T = the target's row total:
 * the similarity-weighted share of their spend that f takes among the neighbours that buy it,
 * applied to the target's current size (an "if it bought f like its peers" estimate; it does not
 * grow T by the new family). Written to *sug_out (arena) sorted by score descending, then
 * expected_amount descending, then family ascending.
 *
 * A target with an all-zero row has no neighbours and no suggestions. KAM_EINVAL if accounts or
 * families < 0, families > 100000, target outside 0..accounts-1, k < 0, m NULL, or an amount is
 * negative or not finite. */
enum kam_err behaviour_whitespace(const double *m, int accounts, int families, int target, int k,
                                  struct arena *a, struct behaviour_neighbour **nb_out,
                                  int *nnb_out, struct behaviour_suggestion **sug_out,
                                  int *nsug_out);

#endif
