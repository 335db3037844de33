/* insight.h -- what an account's purchases say (F3.2): its behaviour profile, cross-sell
 * suggestions, and the co-purchase affinity between product families.
 *
 * The numbers come from analytics/behaviour.c; this file reads the data for them. Exact order
 * days come from order_lines (by the account's index); everything compared across accounts
 * (RFM scores, similar accounts, affinity) from the monthly rollups, so one profile costs a few
 * indexed reads and one pass over the last year's account x family rollup. */
#ifndef KAM_INSIGHT_H
#define KAM_INSIGHT_H

#include <stddef.h>
#include <stdint.h>

#include "analytics/behaviour.h"
#include "svc/core/ctx.h"

struct insight_family {
    const char *family;
    int64_t amount; /* last twelve months, base minor units */
    double share;
};

struct insight_suggestion {
    const char *family;
    double score;
    int neighbours;
    int64_t expected_amount; /* base minor units a year */
};

struct insight_neighbour {
    int64_t account_id; /* 0 when the caller may not see it */
    const char *name;
    double similarity;
};

struct insight_profile {
    int64_t account_id;
    struct behaviour_rfm rfm;
    struct behaviour_rfm_score score;
    struct behaviour_intervals intervals;
    struct behaviour_trend trend;
    struct behaviour_season season;
    struct insight_family *mix;
    size_t nmix;
    struct insight_suggestion *cross_sell;
    size_t ncross;
    struct insight_neighbour *neighbours;
    size_t nneighbours;
    int first_month; /* yyyymm of the trend/season series' first point */
    int months;
    /* subsidiaries: the profile of the account with its subsidiaries (svc/core/group.h): those
     * the caller may read are added (group_subsidiaries), group_not_visible are left out. */
    int subsidiaries;
    int64_t group_subsidiaries, group_not_visible;
};

/* The account's profile; with subsidiaries, of the account and the subsidiaries the caller may
 * read as one customer (orders, RFM, trend, season, mix, cross-sell). */
enum kam_err insight_profile(struct kam_ctx *ctx, int64_t account_id, int subsidiaries,
                             struct insight_profile *out);

/* The wallet estimates of the account and the subsidiaries the caller may read, summed by
 * year (newest first, at most 100 years): account_id is the group's, note "", updated_at the
 * latest of the year's estimates, has_updated_by 0 (svc/volume/sales.h's struct). */
struct wallet_estimate;
enum kam_err insight_group_wallet(struct kam_ctx *ctx, int64_t account_id,
                                  struct wallet_estimate **items_out, size_t *n_out);

struct insight_pair {
    const char *a, *b;
    int64_t count;
    double support, confidence, lift;
};
/* Family pairs bought together (one basket = an account's families in a month, last twelve
 * months), strongest lift first. */
enum kam_err insight_affinity(struct kam_ctx *ctx, int64_t min_count, struct insight_pair **out,
                              size_t *n_out);

#endif
