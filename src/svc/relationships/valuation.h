/* valuation.h -- prospects and account value (F2.1, F1.2): weighted criteria, assessments, one
 * explainable score 0-100 per account, tier thresholds, tier changes with the score that caused
 * them, a preview of what new weights would do, and the screening of prospects. */
#ifndef KAM_VALUATION_H
#define KAM_VALUATION_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define VALUATION_MAX_CRITERIA 16

struct criterion {
    int64_t id, weight;
    int active;
    const char *key, *name_zh, *name_en, *kind; /* kind: manual | computed */
};

enum kam_err criteria_list(struct kam_ctx *ctx, struct criterion **items_out, size_t *n_out);
/* Changes a criterion's weight (0-100) and/or activity, then rescores every account. */
enum kam_err criterion_update(struct kam_ctx *ctx, int64_t id, int64_t weight, int has_weight,
                              int active, int has_active, struct criterion *out);

struct contribution {
    const struct criterion *c;
    int64_t value; /* 0-100 */
    int has_value; /* computed criteria have none until their data exists */
    double points; /* weight share x value: what it adds to the score */
};

struct valuation {
    int64_t account_id, score, computed_at;
    int has_score, tier_locked;
    const char *tier, *suggested_tier;
    struct contribution parts[VALUATION_MAX_CRITERIA];
    int nparts;
};

/* The inputs of the computed criteria (amounts in base-currency minor units): sales in the
 * twelve complete months before this one, in the twelve before those, and the latest wallet
 * estimate; has_* 0 when there is none. */
struct valuation_figures {
    int64_t sales_12m, sales_prev, wallet;
    int has_12m, has_prev, has_wallet;
};

/* The inputs shown both ways: the account alone and, when it has subsidiaries, with those the
 * caller may read (svc/core/group.h); not_visible counts the ones the caller may not read. A
 * group's score counts its whole group (every subsidiary): it is the same for every reader. */
struct valuation_inputs {
    struct valuation_figures alone, group;
    int64_t subsidiaries, not_visible; /* subsidiaries: those in group */
};
enum kam_err valuation_inputs(struct kam_ctx *ctx, int64_t account_id,
                              struct valuation_inputs *out);

/* The account's score as of now, with each criterion's contribution (a group's computed
 * criteria from its whole group's sales and wallet). */
enum kam_err valuation_get(struct kam_ctx *ctx, int64_t account_id, struct valuation *out);

struct assessment {
    const char *key;
    int64_t value;
};

/* Records manual assessments (values 0-100 for manual criteria), rescoring the account; the
 * tier follows the score unless the account's tier is locked. */
enum kam_err valuation_assess(struct kam_ctx *ctx, int64_t account_id, const struct assessment *a,
                              size_t n, const char *note, struct valuation *out);

/* Rescoring: one account, or all that have a score or an assessment; *moved_out counts tier
 * changes. */
enum kam_err valuation_rescore(struct kam_ctx *ctx, int64_t account_id, int *moved_out);
enum kam_err valuation_rescore_all(struct kam_ctx *ctx, int *moved_out);

/* Tier thresholds (score at or above: strategic, key, growth; below: maintain). */
enum kam_err valuation_thresholds(struct kam_ctx *ctx, int64_t out[3]);
enum kam_err valuation_set_thresholds(struct kam_ctx *ctx, const int64_t t[3], unsigned mask,
                                      int *moved_out);

struct preview_row {
    int64_t account_id, score, new_score;
    const char *name, *tier, *new_tier;
};

/* What new weights (per criterion key; missing: current) and thresholds (mask bits 1, 2, 4)
 * would do: the accounts in the caller's scope whose tier would change. Changes nothing. */
enum kam_err valuation_preview(struct kam_ctx *ctx, const struct assessment *weights, size_t nw,
                               const int64_t thresholds[3], unsigned tmask,
                               struct preview_row **rows_out, size_t *n_out, int64_t *scored_out);

struct tier_change {
    int64_t id, score, user_id, at;
    int has_score, has_user;
    const char *from_tier, *to_tier, *reason;
};

enum kam_err valuation_history(struct kam_ctx *ctx, int64_t account_id,
                               struct tier_change **items_out, size_t *n_out);

/* Screening of a prospect: accepted (becomes active) or rejected (lost), with the reason. */
enum kam_err account_screen(struct kam_ctx *ctx, int64_t account_id, const char *decision,
                            const char *reason);

#endif
