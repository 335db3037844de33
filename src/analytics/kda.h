/* kda.h -- key-driver analysis of a survey (FEATURES F3.7, issue 14 item 4): how much each
 * attribute rating (product quality, delivery, price, ...) matters for the overall score (NPS
 * 0-10 or CSAT 1-5), by the Shapley / LMG decomposition of R^2 (Lindeman, Merenda & Gold 1980;
 * Gromping 2006, "Relative importance for linear regression in R: the package relaimpo").
 *
 * Pure computation over caller-owned arrays: no database, clock or global state; the result's
 * arrays and all scratch memory come from the caller's arena. Deterministic: the same input and
 * options give bit-identical output (the bootstrap uses its own seeded PRNG).
 *
 * The model. Responses i = 0..n-1 give an overall score y_i and k ratings x_i1..x_ik (NaN =
 * not answered). Missing data: listwise deletion -- a response with a missing overall score or
 * any missing rating is left out; n_used says how many remain. On the n_used complete responses
 * R^2(S) is the R^2 of the least-squares regression (with intercept) of y on the attributes in
 * S, computed from the correlation matrix: with R_SS the attributes' correlations and r_S their
 * correlations with y, R^2(S) = r_S' R_SS^-1 r_S, by a Cholesky factorisation grown one
 * attribute at a time over a depth-first walk of the 2^k subsets (O(2^k k^2) in all, after one
 * O(n k^2) pass over the data). An attribute whose part not explained by the attributes already
 * in the factor is below KDA_COLLINEAR_TOL of its variance (a linear combination of them, e.g.
 * two perfectly correlated ratings) is left out of that subset's fit: the least-squares fit and
 * so R^2(S) are the same without it.
 *
 * importance_j = sum over S not containing j of |S|! (k-|S|-1)! / k! * (R^2(S+j) - R^2(S)),
 * the average over all k! orderings of the attributes of the R^2 that j adds when it enters.
 * The importances are >= 0 up to rounding and sum to R^2 of the full model.
 * share_j = 100 * importance_j / R^2 (all 0 when R^2 == 0).
 * performance_j = the mean rating of j over the n_used responses.
 *
 * Bootstrap. B resamples of the n_used complete responses, drawn with replacement: row
 * floor(u * n_used / 2^64) for successive 64-bit outputs u of splitmix64 started at the seed.
 * Each resample is analysed as above; an attribute that is constant within a resample cannot
 * enter its regressions and gets importance 0 there (a constant overall score: every importance
 * and R^2 0); such resamples are counted in boot_degenerate and kept. The interval of a
 * statistic is the percentile interval at `level`: the (1-level)/2 and (1+level)/2 quantiles of
 * its B values, quantile p of sorted v[0..B) being v[f] + (h-f)(v[f+1]-v[f]) with h = (B-1)p,
 * f = floor(h) (R's type 7, numpy's default).
 *
 * The "fix first" quadrant (importance x performance). med_I = the median of the k importances
 * and med_P = the median of the k performances (for even k the mean of the two middle values).
 * An attribute is
 *   KDA_FIX_FIRST   importance > med_I and performance <  med_P  (important and weak)
 *   KDA_KEEP_UP     importance > med_I and performance >= med_P  (important and strong)
 *   KDA_LOW_PRIORITY importance <= med_I and performance <  med_P
 *   KDA_MAINTAIN    importance <= med_I and performance >= med_P (possibly over-served)
 * Comparisons are exact on the computed doubles; "above" is strict, so the attribute at the
 * median itself (odd k) is never fix first, and with k == 1 nothing is.
 *
 * Refusals (kam_error filled; out->bad_column says which column when one is to blame):
 *   KAM_EINVAL  "attributes" (out_of_range): k < 1 or k > KDA_MAX_K
 *               "ratings"/"overall" (kda.not_finite, param row): an infinite value (NaN is
 *               "missing")
 *               "responses" (kda.too_few_responses): n_used < k + 2
 *               "ratings" (kda.constant_rating, bad_column = j) or "overall"
 *               (kda.constant_overall, bad_column = -1): a column constant over the n_used
 *               responses (no correlation exists)
 *               "boot", "level" (out_of_range): options out of range
 *   KAM_ETOOBIG "responses" (out_of_range): n > KDA_MAX_N
 *
 * Cost: O(n k + B (n k^2 + 2^k k^2)) time, O(n k + B k + 2^k) memory. Measured on the shared
 * 2-core build machine (bench/kda, B = 500): k = 8, n = 2,000 in 39 ms; k = 8, n = 20,000 in
 * 0.37 s; k = 12, n = 2,000 in 0.13 s; k = 12, n = 20,000 in 0.67 s. A caller answering a
 * request should keep B * n moderate (the time grows linearly in both). */
#ifndef KAM_ANALYTICS_KDA_H
#define KAM_ANALYTICS_KDA_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

#define KDA_MAX_K 12                       /* attributes: 2^12 subsets per fit */
#define KDA_MAX_N 200000                   /* responses */
#define KDA_MAX_BOOT 5000                  /* bootstrap resamples */
#define KDA_DEFAULT_BOOT 500               /* resamples when the caller does not say */
#define KDA_DEFAULT_LEVEL 0.95             /* confidence level of the intervals */
#define KDA_DEFAULT_SEED 0x4b414d4b4441ULL /* "KAMKDA": fixed, so results are reproducible */
#define KDA_COLLINEAR_TOL 1e-9             /* see above: an attribute this collinear is left out */

struct kda_opts {
    int boot;      /* resamples, 0..KDA_MAX_BOOT; 0: no intervals (they are then the point) */
    uint64_t seed; /* PRNG seed of the bootstrap */
    double level;  /* confidence level, 0.5 <= level <= 0.999 */
};

#define KDA_OPTS_DEFAULT                                                                           \
    {                                                                                              \
        KDA_DEFAULT_BOOT, KDA_DEFAULT_SEED, KDA_DEFAULT_LEVEL                                      \
    }

enum kda_quadrant {
    KDA_FIX_FIRST = 0,
    KDA_KEEP_UP,
    KDA_LOW_PRIORITY,
    KDA_MAINTAIN,
};

struct kda_attr {
    double importance;         /* Shapley share of R^2; the k of them sum to r2 */
    double share;              /* 100 * importance / r2 (0 if r2 == 0) */
    double performance;        /* mean rating over the n_used responses */
    double r;                  /* Pearson correlation with the overall score */
    double imp_lo, imp_hi;     /* bootstrap percentile interval of importance */
    double share_lo, share_hi; /* ... of share */
    enum kda_quadrant quadrant;
};

struct kda_result {
    int k;
    int n_total;         /* responses given */
    int n_used;          /* complete responses (listwise deletion) */
    int boot;            /* resamples drawn */
    int boot_degenerate; /* resamples in which the overall score or a rating was constant */
    double level;
    double r2, r2_lo, r2_hi; /* R^2 of the full model and its interval */
    double med_importance;   /* the medians that define the quadrants */
    double med_performance;
    int bad_column;        /* on a constant-column refusal: the rating, or -1 (overall) */
    struct kda_attr *attr; /* k entries, from the arena */
};

/* Key-driver analysis of n responses: overall[i] and ratings[i*k + j] (row-major n x k; NaN =
 * missing). opt may be NULL (KDA_OPTS_DEFAULT). Fills out (its arrays from a) and returns
 * KAM_OK, or a refusal listed above with e filled (e may be NULL). */
enum kam_err kda_run(const double *overall, const double *ratings, int n, int k,
                     const struct kda_opts *opt, struct arena *a, struct kda_result *out,
                     struct kam_error *e);

/* The stable name of a quadrant: "fix_first", "keep_up", "low_priority", "maintain". */
const char *kda_quadrant_name(enum kda_quadrant q);

#endif
