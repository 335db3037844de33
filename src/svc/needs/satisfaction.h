/* satisfaction.h -- satisfaction measures (issue 14 items 3-4, FEATURES F1.4, F3.7): a survey's
 * results (NPS, CSAT, distributions, driver means), its key-driver analysis, satisfaction trends
 * by account, tier, region, owner or team and period, and an account's satisfaction beside its
 * loyalty (repeat purchases and retention from the monthly sales rollups).
 *
 * Definitions.
 *   NPS   over the answers to nps questions (0-10): promoters 9-10, passives 7-8, detractors
 *         0-6; score = 100 * (promoters - detractors) / n, -100..100.
 *   CSAT  over the answers to csat questions (1-5): mean, and top2_share = 100 * share of 4 and 5.
 *   A driver's mean: the mean of the rating answers (1-5) of the questions of that driver.
 *   A survey's results take its first nps and its first csat question (by position); trends
 *   and account figures take every nps / csat / rating answer of every survey.
 *
 * Scope. Every figure counts only the responses of accounts in the caller's record scope (org-wide
 * readers: all), so a figure never reveals accounts the caller may not read.
 *
 * Minimum n (SAT_MIN_N). A reader whose role may not read responses (OBJ_SURVEY_RESPONSE read:
 * finance, viewer) sees no figure computed from fewer than SAT_MIN_N distinct responses, each
 * figure on its own: a cell's or a survey's NPS counts the responses answering an nps question,
 * its CSAT those answering a csat question, a driver's mean those answering a rating question of
 * the driver (a person asked twice counts once); such a figure is null and hidden / suppressed
 * is true. A figure without answers is null for everyone (no NPS of 0).
 * Differencing. For the same readers: (1) from / to are whole months only (from the 1st of a
 * month, to the last day of a month; KAM_EINVAL "sat.whole_months"); (2) no filter may leave
 * out 1 to SAT_MIN_N - 1 responses: for every looser filter (f less any set of its filters,
 * dates included, down to the scope alone) the responses it adds (of the same survey: results,
 * drivers; of each period: trends) are none or at least SAT_MIN_N, else KAM_EINVAL
 * "sat.small_complement" naming the filter dropped. A trend checks this figure by figure: in
 * each period, the responses with any score, those answering an nps question, those answering
 * a csat question and each driver's raters that the looser filter adds are each none or at
 * least SAT_MIN_N (f->soft: that figure of the period's cells is hidden instead; any score: the
 * cells); (3) in a trend grouped by account, tier, ..., the smallest shown cells of a period
 * are hidden too until the period's hidden cells add up to none or at least SAT_MIN_N responses
 * (cells, then NPS, then CSAT, then each driver's mean: the hidden responses answering a
 * driver, hidden cells included, add up to none or at least SAT_MIN_N, else the smallest shown
 * mean of the driver is hidden too); (4) nested periods: in a quarter (year) trend, a cell's
 * NPS, CSAT or driver mean is hidden when the same cell's figure less its months' (and, for a
 * year, its quarters') shown figures, same group, filters and reader, is 1 to SAT_MIN_N - 1
 * people (the quarter less the shown months would give the hidden month's answers). Readers of
 * responses see every figure.
 * What remains possible (known limitations; each query on its own shows no figure of fewer than
 * SAT_MIN_N people, but several queries can be combined):
 *   - nested periods across groups: (4) compares a cell with the months of the same cell only. A
 *     group's quarter hidden by (4) can still come out as the quarter of all groups less the
 *     other groups' shown quarters (the secondary suppression (3) only makes the hidden cells
 *     add up to SAT_MIN_N people), and then less the group's shown months gives the hidden month.
 *   - a survey's results (sat_results, sat_drivers) check the complement in responses of the
 *     survey, not figure by figure: a filter leaving out 3 responses of which 1 answered a
 *     driver gives that answer by differencing the driver's mean.
 *   - differencing over time (a new response changes a 12-month figure; the 365-day windows of
 *     the KPI column, the value score and an account's recent figures drop old responses day
 *     by day), two queries that are not nested (tier against region), and combining routes (KPI
 *     column, results, trends).
 *   All within the accounts of the reader's scope.
 *
 * Periods: month (YYYY-MM), quarter (YYYY-Qn) or year (YYYY) of submitted_at in China time
 * (UTC+8, HOME_TZ_OFFSET). Dates (from, to) are inclusive days in the same time zone. */
#ifndef KAM_SVC_NEEDS_SATISFACTION_H
#define KAM_SVC_NEEDS_SATISFACTION_H

#include <stddef.h>
#include <stdint.h>

#include "analytics/kda.h"
#include "svc/core/ctx.h"

#define SAT_MIN_N 3
#define SAT_MAX_GROUPS 20000      /* trend rows (groups x periods) */
#define SAT_MAX_ANSWERS 250000    /* scored answers a trend adds up (more: narrow the dates) */
#define SAT_MAX_BOOT_WORK 2000000 /* key-driver bootstrap: resamples x responses at most */

struct sat_filter {
    int64_t account_id, owner_id, team_id; /* 0: any */
    const char *tier, *region;             /* NULL: any */
    const char *from, *to;                 /* YYYY-MM-DD, inclusive; NULL: open */
    int soft; /* sat_trend: a period whose filter complement is too small is hidden, not refused */
};

struct sat_nps {
    int64_t n, promoters, passives, detractors;
    double score;
};

struct sat_csat {
    int64_t n, top2;
    double mean, top2_share;
};

/* Pure helpers (tests/unit/test_results.c). counts[v] = answers of value v (nps 0..10). */
void sat_nps_of(const int64_t counts[11], struct sat_nps *out);
/* counts[v] = answers of value v, 1..5 (counts[0] unused). */
void sat_csat_of(const int64_t counts[6], struct sat_csat *out);
/* The period key of unix time t: "2026-03", "2026-Q1" or "2026"; period "month" | "quarter" |
 * "year". Returns 0, or -1 for an unknown period. out: >= 8 bytes. */
int sat_period_key(int64_t t, const char *period, char *out, size_t n);
/* 1 when a figure of n responses must be hidden from a reader (may_read: the reader may read
 * responses). */
int sat_hidden(int may_read, int64_t n);

struct sat_option {
    int position;
    const char *labels[3]; /* zh-CN, zh-TW, en */
};

struct sat_question {
    int64_t id;
    int position, overall, required;
    const char *kind, *driver; /* driver: NULL unless rating */
    const char *texts[3];
    int noptions;
    struct sat_option *options;
    int64_t n;          /* answers */
    int nvalues;        /* distribution length: nps 11, csat/rating 5, single/multi noptions */
    int first;          /* the value of counts[0]: nps 0, csat/rating 1, choices 0 */
    int64_t counts[21]; /* answers per value (multi: per option chosen) */
    double mean;        /* nps/csat/rating */
    int hidden;
};

struct sat_driver {
    const char *key;
    const char *labels[3];
    int64_t n;
    double mean;
    int hidden;
};

struct sat_results {
    int64_t survey_id;
    const char *status;
    const char *titles[3];
    int64_t responses;
    int may_read;                /* the caller may read responses (no minimum n) */
    int suppressed;              /* the whole result is hidden (responses < SAT_MIN_N) */
    int has_nps, has_csat;       /* the survey's first nps / csat question has answers */
    int nps_hidden, csat_hidden; /* below the minimum n for this reader */
    struct sat_nps nps;
    struct sat_csat csat;
    size_t nq, nd;
    struct sat_question *q;
    struct sat_driver *d;
};

/* A survey's results over the responses of accounts in the caller's scope matching f.
 * KAM_ENOTFOUND "id" for an unknown survey; KAM_EINVAL naming a bad filter. */
enum kam_err sat_results(struct kam_ctx *ctx, int64_t survey_id, const struct sat_filter *f,
                         struct sat_results *out);

struct sat_kda_driver {
    const char *key;
    const char *labels[3];
    int64_t question_id;
    struct kda_attr a;
};

struct sat_kda {
    int64_t survey_id;
    int64_t overall_question_id;
    const char *overall_kind;
    int may_read, suppressed;
    int ok;                 /* 0: not computed, see why */
    const char *why;        /* no_overall | no_ratings | too_few_responses | constant_overall |
                               constant_rating | suppressed */
    const char *why_driver; /* constant_rating: the driver */
    struct kda_result r;
    size_t nd;
    struct sat_kda_driver *d;
};

/* Key-driver analysis of the survey's overall question on its rating questions (one per driver;
 * two questions of one driver: the first), over the scoped responses matching f. boot: resamples
 * (0..KDA_MAX_BOOT); seed: the bootstrap's. A survey whose data cannot be analysed is not an
 * error: ok = 0 and why says what is missing. */
enum kam_err sat_drivers(struct kam_ctx *ctx, int64_t survey_id, const struct sat_filter *f,
                         int boot, uint64_t seed, struct sat_kda *out);

struct sat_driver_mean {
    const char *key;
    int64_t n;
    double mean;
    int64_t responses; /* distinct responses answering the driver's questions */
    int hidden;        /* sat_trend only: dropped from the point before it returns */
};

struct sat_point {
    const char *group; /* the group's key: account id, tier, region, owner id, team id */
    const char *name;  /* its name (account, owner, team; the key otherwise) */
    const char *period;
    int64_t responses;
    int64_t nps_responses, csat_responses; /* responses answering an nps / csat question */
    int hidden;
    int has_nps, has_csat;
    struct sat_nps nps;
    struct sat_csat csat;
    size_t nd;
    struct sat_driver_mean *d;
};

struct sat_trend {
    int may_read;
    size_t n;
    struct sat_point *p; /* sorted by group, then period */
};

/* The checks of f (the routes' filters): tier, region, dates (and whole months for a reader who
 * may not read responses), team_id; KAM_EINVAL / KAM_ENOTFOUND naming the field. */
enum kam_err sat_filter_check(struct kam_ctx *ctx, const struct sat_filter *f);

/* Satisfaction by group (account | tier | region | owner | team | all) and period (month |
 * quarter | year) over every survey's responses in the caller's scope matching f. */
enum kam_err sat_trend(struct kam_ctx *ctx, const char *group, const char *period,
                       const struct sat_filter *f, struct sat_trend *out);

/* Loyalty of one account from the monthly sales rollup, over the 24 complete months ending with
 * the month before ctx->now's (the current month is still running); a month counts as ordered
 * when its net amount (orders less returns and credit notes) is > 0:
 *   repeat_rate: of the months after the account's first ordering month in the window, the share
 *                (0..100) with orders (null when the first order is in the last month or none);
 *   retained:    1 when it ordered both in the last 12 months and in the 12 before, 0 when it
 *                ordered in the 12 before but not since (lost), null when it did not order in
 *                the 12 before (nothing to retain);
 *   months_ordered, amount_12m, amount_prev_12m. */
struct sat_loyalty {
    int64_t months_ordered, months_after_first, months_with_repeat;
    int has_repeat, has_retained, retained;
    double repeat_rate;
    int64_t amount_12m, amount_prev_12m;
};

enum kam_err sat_loyalty(struct kam_ctx *ctx, int64_t account_id, struct sat_loyalty *out);

/* An account's NPS and CSAT of the last 365 days (all surveys); *has = 0 when it has no answers
 * in that window or (a reader who may not read responses) fewer than SAT_MIN_N responses answered
 * them. */
enum kam_err sat_account_recent(struct kam_ctx *ctx, int64_t account_id, int *has_nps,
                                struct sat_nps *nps, int *has_csat, struct sat_csat *csat);

/* kam demo: two surveys with answers (demo_surveys.c), called by svc/relationships/demo.c after
 * the needs demo, inside its transaction. */
enum kam_err surveys_demo(struct kam_ctx *ctx);

#endif
