/* effect.h -- the measured effect of a course on Kirkpatrick's four levels (issue 18 F6.2,
 * docs/TEAM.md "Training and its measured effect"), and the statistics behind it as pure
 * functions (tests/unit/test_training.c checks them with exact numbers).
 *
 *   reaction   -- the feedback ratings (1..5) of the course's enrolments: mean, n, distribution;
 *   learning   -- post - pre test score per enrolment with both: mean gain with a 95 % CI from
 *                 the paired t distribution (n - 1 degrees of freedom), n;
 *   behaviour  -- per competency the course builds, each trained person's level (the rule of
 *                 svc/team/competency.h) from the last assessment before the session's first day
 *                 against the first assessment after its last day; and visits done and
 *                 interactions logged per month, the N months after against the N before;
 *   results    -- a difference-in-differences of a monthly KPI per person (revenue: amount_base
 *                 of the order lines of the accounts the person owns now, in minor units of the
 *                 base currency; or visits: visits done): trained (completed the course, their
 *                 session's windows) against comparable untrained colleagues (same role as a
 *                 trained person, active, never enrolled in the course, and without a completed
 *                 training of any course whose session starts within the compared months). A window
 * is N whole calendar months (?months=, 1..12, default 3): pre = the N months before the month the
 * session starts, post = the N months after the month it ends. Each person's change = mean per
 * month over post - mean per month over pre; a colleague's change is taken over each trained
 * session's windows and averaged, weighted by how many were trained in it. DiD = mean(change_T) -
 * mean(change_C); SE = sqrt(var_T / n_T + var_C / n_C) (sample variances); 95 % CI with the
 *                 Welch-Satterthwaite degrees of freedom. status "not_enough_data" with a reason
 *                 (post_window_open, too_few_trained, too_few_control) when a group has fewer
 *                 than 2 people with a closed post window (the post window is closed when its
 *                 last month is over, China's day of ctx->now).
 *
 * Scope: org-wide readers of OBJ_TRAINING see every participant; a scoped reader (a team lead)
 * sees the same figures computed over the people in their scope only (both groups), scope
 * "team". The report never lists persons. */
#ifndef KAM_SVC_TEAM_EFFECT_H
#define KAM_SVC_TEAM_EFFECT_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

/* ---- the statistics (pure) ---- */

/* The two-sided 97.5 % quantile of Student's t with df degrees of freedom (df > 0, not
 * necessarily whole); the normal's 1.959964 for df beyond 1e7. */
double stat_t975(double df);
/* P(T <= t) for Student's t with df degrees of freedom. */
double stat_t_cdf(double t, double df);

struct stat_mean {
    int n;
    double mean, sd; /* sd: sample (n - 1); 0 for n < 2 */
    int has_ci;      /* n >= 2 */
    double lo, hi;   /* 95 % CI from t(n - 1) */
};
/* Mean, sample sd and the t interval of x[0..n). */
void stat_mean_ci(const double *x, int n, struct stat_mean *out);

struct stat_did {
    int n_t, n_c;
    double mean_t, mean_c, var_t, var_c;
    double did, se, df;
    int has_ci; /* both groups have >= 2 values */
    double lo, hi;
};
/* Difference in differences from per-person changes: dt[0..nt) trained, dc[0..nc) control;
 * Welch's standard error and degrees of freedom (with se 0 the interval is the point). */
void stat_did_welch(const double *dt, int nt, const double *dc, int nc, struct stat_did *out);

/* ---- the current level of a competency (the rule of svc/team/competency.h) ---- */

enum kam_err effect_level_of(struct kam_ctx *ctx, int64_t user_id, int64_t competency_id,
                             const char *on_day, double *level, int *has, int *n_scores);

/* ---- the report ---- */

struct effect_competency {
    int64_t competency_id;
    const char *code;
    int n;
    double before, after, change; /* means over the people with both */
};

struct effect_rate {
    int n;
    double before, after, change; /* per month, means over the people */
};

struct effect_report {
    int64_t course_id;
    int months;
    const char *kpi, *scope; /* revenue | visits; all | team */
    int64_t enrolled, attended, completed;
    /* reaction */
    int reaction_n;
    double reaction_mean;
    int64_t reaction_dist[5];
    /* learning */
    struct stat_mean learning;
    double mean_pre, mean_post;
    /* behaviour */
    struct effect_competency *competencies;
    size_t n_competencies;
    struct effect_rate visits, interactions;
    /* results */
    const char *status, *reason; /* ok | not_enough_data; reason NULL when ok */
    int pending;                 /* trained whose post window is still open */
    struct stat_did did;
    double pre_t, post_t, pre_c, post_c; /* group means of the per-month means */
};

/* kpi: "revenue" (default) or "visits"; months 0: 3. */
enum kam_err effect_report(struct kam_ctx *ctx, int64_t course_id, const char *kpi, int64_t months,
                           struct effect_report *out);

#endif
