/* indicator.h -- appraisal indicators computed from KAM's own records, and the scoring curve
 * (issue 18 F6.3; docs/TEAM.md "Appraisal computed from the records").
 *
 * Every computed indicator is one or more SELECTs over the chapter tables for one person and one
 * period; the rows they find are written as the line's records (scorecard_records, the
 * drill-down) and the line's figures are summed from exactly those rows, so a line always adds
 * up to its records.
 *
 * The scoring curve (scores in hundredths, 10000 = on target), for "higher is better":
 *   actual <  threshold                       -> 0
 *   threshold <= actual < target              -> 5000 + 5000 x (actual - threshold) / (target -
 * threshold) target <= actual < stretch                -> 10000 + (cap - 10000) x (actual - target)
 * / (stretch - target) actual >= stretch (stretch > target)      -> cap actual >= target (stretch
 * == target)      -> 10000 each division rounded half away from zero. "Lower is better"
 * (lower_better) is the same curve over the negated values (threshold >= target >= stretch).
 *
 * Weights: a line without a figure (no data, or a manual indicator not assessed yet) has no
 * score and is left out; the weights of the lines with a score are scaled up to the whole:
 *   weighted_i = round(weight_i x score_i / W), total = round(sum(weight_i x score_i) / W),
 * W = the sum of the weights of the scored lines (the total is rounded once, so it may differ
 * from the sum of the rounded weighted scores by a hundredth or two). */
#ifndef KAM_TEAM_INDICATOR_H
#define KAM_TEAM_INDICATOR_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define APPR_CAP_MIN 10000
#define APPR_CAP_MAX 30000
#define APPR_VALUE_MAX 1000000000000LL /* |threshold|, |target|, |stretch|, manual values */

/* volume_attainment, growth, share_of_wallet, satisfaction, visits_vs_cadence, interactions,
 * issue_sla, follow_ups_closed, breaches_disputes, training_completed, manual; NULL-ended. */
extern const char *const appr_indicator_kinds[];

struct appr_curve {
    int64_t threshold, target, stretch, cap_score;
    int lower_better;
};

/* num / den rounded half away from zero (den != 0). */
int64_t appr_div_round(int64_t num, int64_t den);

/* The curve's score for actual (see the top of this file). */
int64_t appr_curve_score(const struct appr_curve *c, int64_t actual);

/* The curve's rules (order of threshold, target, stretch by direction; cap 10000..30000; values
 * within +-10^12): KAM_EINVAL naming field.<member>. */
enum kam_err appr_curve_check(struct kam_ctx *ctx, const char *field, const struct appr_curve *c);

/* A period: "2026Q3" (quarter) or "2026" (year). */
struct appr_period {
    const char *key;
    int year, m0, m1;        /* months 1..12, inclusive */
    int64_t d0, d1;          /* days since 1970-01-01, inclusive */
    int64_t ly0, ly1;        /* the same days a year before */
    char start[11], end[11]; /* YYYY-MM-DD */
};

/* Parses s for a scheme of period kind ("quarter" | "year"): 0, or -1 when malformed or of the
 * other kind. */
int appr_period_parse(const char *s, const char *kind, struct appr_period *out);

/* One line of a scorecard. */
struct appr_line {
    int64_t indicator_id;
    int64_t position;
    const char *kind, *label;
    int64_t weight_bp;
    struct appr_curve curve;
    int has_measured, has_basis, has_actual, has_attainment, has_score, has_weighted;
    int64_t measured, basis, actual, attainment_bp, score, weighted;
    const char *why;         /* NULL, or why there is no figure: no_target, ... */
    const char *explanation; /* how the figure came about, in English */
    const char *facts;       /* the counts the explanation names, a JSON object ("{}": none) */
};

/* Computes line l (kind, curve and indicator_id set; a manual line's has_actual/actual set by
 * the caller) for user_id over period p: writes its records for scorecard_id (replacing any)
 * and fills measured, basis, actual, attainment, why and explanation (not the score). */
enum kam_err appr_indicator_compute(struct kam_ctx *ctx, int64_t scorecard_id, int64_t user_id,
                                    const struct appr_period *p, struct appr_line *l);

/* Scores the lines (score, weighted) and their total; *has_total 0 when no line has a score. */
void appr_score_lines(struct appr_line *l, size_t n, int64_t *total, int *has_total);

#endif
