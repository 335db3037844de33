/* forecast.h -- univariate forecasting: exponential smoothing (ETS), Theta, their combination,
 * hierarchical reconciliation and the long-format CSV reader of `kam forecast`.
 *
 * Pure functions over caller-owned memory: a forecast writes `horizon` doubles into each of the
 * five arrays of a struct fc_result that the caller allocated; nothing is kept between calls.
 * Scratch memory is malloc'ed and freed inside each call. Errors are -1 plus a reason written
 * to `why` (never NULL-terminated past whylen). The methods follow R's forecast package
 * (Hyndman & Khandakar 2008; Hyndman, Koehler, Ord & Snyder 2008, "Forecasting with
 * exponential smoothing"); where they differ it is said next to the function. */
#ifndef KAM_ANALYTICS_FORECAST_H
#define KAM_ANALYTICS_FORECAST_H

#include <stddef.h>

#define FC_MIN_N 3          /* shortest series that can be forecast */
#define FC_MAX_PERIOD 24    /* seasonal ETS up to this period (as R's ets) */
#define FC_MAX_HORIZON 1000 /* longest horizon accepted */
#define FC_Z80 1.2815515655446004
#define FC_Z95 1.959963984540054
#define FC_MAX_OUTLIERS 16 /* outliers reported per series (more may be found and replaced) */

/* Caller-owned: five arrays of `horizon` doubles each. method names what produced it. */
struct fc_result {
    double *mean, *lo80, *hi80, *lo95, *hi95;
    char method[32];
};

/* What fc_forecast_info reports besides the forecast: the outliers it found and replaced
 * before fitting (fc_outliers): their count, and the positions (0-based indices into y) of the
 * first FC_MAX_OUTLIERS, ascending. */
struct fc_info {
    int n_outliers;
    int outliers[FC_MAX_OUTLIERS];
};

enum fc_method {
    FC_AUTO = 0, /* the combination of ETS and Theta, with the fallbacks of fc_forecast */
    FC_ETS,      /* ETS chosen by AICc only */
    FC_THETA,    /* Theta only */
    FC_NAIVE,    /* last value (random walk intervals) */
};

struct fc_opts {
    enum fc_method method;
    int ets_full; /* 1: fit ETS seasonal models on the raw data, as R's ets (slower) */
};

/* Returned by fc_forecast and fc_reconcile when an allocation failed anywhere inside them (why:
 * "out of memory"): no fallback result is made of a failed allocation, and the caller fails
 * with KAM_EINTERNAL "out of memory" (the policy of base/err.h). */
#define FC_ENOMEM (-2)

/* malloc for the analytics code: a failure is noted, so that the fc_forecast running on this
 * thread answers FC_ENOMEM whatever fallback the failing step took. */
void *fc_malloc(size_t n);

/* Forecasts y[0..n) (n >= FC_MIN_N, all finite) `horizon` steps ahead with seasonal period
 * `period` (1: none). opt may be NULL (FC_AUTO). 0; -1 with a reason in why; FC_ENOMEM. */
int fc_forecast(const double *y, int n, int period, int horizon, const struct fc_opts *opt,
                struct fc_result *out, char *why, size_t whylen);
/* The same, with the outliers reported into *info (which may be NULL). */
int fc_forecast_info(const double *y, int n, int period, int horizon, const struct fc_opts *opt,
                     struct fc_result *out, struct fc_info *info, char *why, size_t whylen);

/* ---- exponential smoothing (ets.c) ---- */

enum fc_comp { FC_N = 0, FC_A = 1, FC_M = 2 };

struct ets_spec {
    int error, trend, season; /* enum fc_comp; trend is N or A; error A or M */
    int damped;
};

/* A model: parameters, states, fit statistics. Before ets_run() l, b, s hold the initial
 * states; after, the states at the end of the data, with s[(n + h - 1) % m] the seasonal
 * state of step h ahead (s[k] belongs to the observations t with t % m == k). */
struct ets_model {
    struct ets_spec spec;
    int m; /* seasonal period (1 when spec.season == FC_N) */
    double alpha, beta, gamma, phi;
    double l, b, s[FC_MAX_PERIOD];
    int n;         /* observations run through */
    int np;        /* estimated parameters, sigma included (as R counts them) */
    double sigma2; /* residual variance (relative errors for multiplicative error) */
    double lik;    /* R's ets "lik": n log(SSE) (+ 2 sum log|yhat| for M errors) */
    double aicc;
    /* Interval widening from the fit's own one-step errors (ets_fit; 0 means 1: none): the
     * 80 % and 95 % quantiles of |error| / sigma over the normal ones, at least 1. */
    double tail80, tail95;
};

/* "AAdN", "MNM", ... into a spec; 0 or -1. ets_spec_name writes the short name (>= 5 bytes). */
int ets_spec_parse(const char *s, struct ets_spec *out);
void ets_spec_name(const struct ets_spec *s, char *out);

/* Runs the model (parameters and initial states set) over y: final states, sigma2, lik, aicc
 * with np as set by the caller. 0, or -1 when the likelihood is not finite. */
int ets_run(const double *y, int n, struct ets_model *mod);

/* Estimates one model by maximum likelihood (Nelder-Mead on alpha, beta, gamma, phi, l0, b0;
 * seasonal initial states from a classical decomposition, not optimised). 0 or -1. */
int ets_fit(const double *y, int n, int m, const struct ets_spec *spec, struct ets_model *out);

/* Chooses by AICc among the admissible models (see ets.c). full: seasonal ones too. */
int ets_auto(const double *y, int n, int m, int full, struct ets_model *out, char *why,
             size_t whylen);

/* Every admissible model of ets_auto, fitted, into out[0..max): how many (their aicc finite). */
#define FC_ETS_MODELS 18
int ets_auto_all(const double *y, int n, int m, int full, struct ets_model *out, int max);

/* Point forecasts and 80/95 % intervals of a fitted model. */
void ets_forecast(const struct ets_model *mod, int horizon, struct fc_result *out);

/* ---- Theta (theta.c), as forecast::thetaf ---- */

struct theta_info {
    int seasonal;  /* the 90 % test on the lag-m autocorrelation passed */
    double alpha;  /* SES on the (deseasonalised) data */
    double level;  /* SES final level */
    double drift;  /* half the slope of the linear trend */
    double sigma2; /* SES residual variance */
};

int theta_forecast(const double *y, int n, int m, int horizon, struct fc_result *out,
                   struct theta_info *info_out, char *why, size_t whylen);

/* thetaf's seasonality test: m > 1, y not constant, n > 2m, |r_m| / se > qnorm(0.95). */
int fc_seasonal_test(const double *y, int n, int m);

/* The seasonal adjustment shared by Theta and the default method: when fc_seasonal_test finds
 * seasonality, x = y / fig (classical multiplicative figures) for strictly positive y, else
 * x = y - fig (additive figures: zero-safe, so series with zero or negative months keep their
 * seasonality). Returns FC_SA_NONE (x = y), FC_SA_MUL or FC_SA_ADD; fig needs m doubles.
 * fc_reseason applies the figures back to out[0..horizon) (steps n+1 .. n+horizon). */
enum { FC_SA_NONE = 0, FC_SA_MUL = 1, FC_SA_ADD = 2 };
int fc_adjust(const double *y, int n, int m, double *x, double *fig);
void fc_reseason(int kind, const double *fig, int n, int m, int horizon, struct fc_result *out);

/* Robust outlier screening (forecast.c): a running median (span m + 1 made odd, at least 5)
 * as the trend, the median of the detrended values per season (when n >= 3m) as the seasonal
 * part (near the ends: the nearest whole window and a robust slope); a point whose remainder
 * is more than 30 robust standard deviations from the median remainder is an outlier, at most
 * n / 10 of them (the largest first). The robust standard deviation is 1.4826 MAD of the
 * remainders, or of the month-to-month changes / sqrt 2 when larger (a smooth series follows
 * its running median exactly). 30: gross errors only (a typing error, a unit mix-up: a 1e15
 * month among 89..147), never an unusual month, whose replacement would cost accuracy (on M3
 * monthly, replacing the points beyond 10 or 20 made sMAPE worse; at 30, 6 series of 1428 have
 * one, each a single month far off its neighbours). Writes the
 * series with each outlier replaced by trend + season into clean, the positions into idx (up
 * to maxidx) and returns how many were found. Where the MAD is 0 (a flat series) a point more
 * than 30 times the median |y| off its local value is one; a series of 3 to 7 points has at most
 * one: the point farthest from the median, if more than 30 median |y| away from it. */
int fc_outliers(const double *y, int n, int m, double *clean, int *idx, int maxidx);

/* R's decompose(): the m seasonal figures (multiplicative: mean 1; additive: mean 0), fig[k]
 * belonging to the observations t with t % m == k. Needs n >= 2m; multiplicative needs y > 0.
 * 0 or -1. */
int fc_decompose(const double *y, int n, int m, int multiplicative, double *fig);

/* ---- hierarchical reconciliation (reconcile.c) ---- */

enum fc_reconcile_how {
    FC_BOTTOM_UP,   /* parents become the sums of their leaves */
    FC_TOP_DOWN_FP, /* the root is kept and split by forecast proportions */
};

/* parent[i] is the parent of node i (-1: the root; exactly one). fc[i] holds the base forecast
 * of node i over `horizon` steps and is replaced by the coherent one. 0, -1 (bad tree) or
 * FC_ENOMEM (fc left as it was). */
int fc_reconcile(const int *parent, int nodes, int horizon, enum fc_reconcile_how how,
                 struct fc_result *fc, char *why, size_t whylen);

/* ---- long-format CSV: series_id,t,value (series_csv.c) ---- */

struct fc_series {
    char *id;  /* owned by the set */
    double *y; /* n values ordered by t; owned by the set */
    int n;
    char err[96]; /* non-empty: this series cannot be used, and why */
    double t0;    /* t of y[0] when every t is a whole number (y[i] is period t0 + i), else NAN */
};

struct fc_series_set {
    struct fc_series *s;
    int n, cap;
};

#define FC_CSV_MAX_SERIES 1000000
#define FC_CSV_MAX_POINTS 100000 /* per series */

/* Parses a whole CSV document (header row first; columns found by name: series_id, t, value).
 * Series are grouped by id in order of first appearance, their points ordered by t. Problems of
 * one series land in its err; problems of the document (no header, missing columns, malformed
 * CSV) make it return -1 with why. fc_series_set_release() frees the set in both cases.
 *
 * Missing periods: when every t of a series is a whole number, the periods are the whole
 * numbers from its first t to its last, and a missing one is a gap. fc_csv_parse refuses a
 * series with a gap (its err names the first missing t); fc_csv_parse_opts with
 * FC_CSV_FILL_ZERO instead fills every missing period with 0 (sales: no sale that period).
 * A series with a t that is not a whole number is only ordered by t (no periods, no gaps). */
#define FC_CSV_FILL_ZERO 1
#define FC_CSV_MAX_FILL 100000 /* periods per series after filling (as FC_CSV_MAX_POINTS) */
int fc_csv_parse(const char *data, size_t len, struct fc_series_set *out, char *why, size_t whylen);
int fc_csv_parse_opts(const char *data, size_t len, int flags, struct fc_series_set *out, char *why,
                      size_t whylen);
void fc_series_set_release(struct fc_series_set *set);

#endif
