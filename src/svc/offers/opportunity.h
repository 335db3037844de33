/* opportunity.h -- opportunities (商机, issue 15 item 3): per account, with configurable stages
 * (each with its default probability and outcome open | won | lost), products, the needs they
 * answer, competitors and the win/loss reason; the pipeline by stage, owner, team and month, and
 * the weighted pipeline per month beside the volume dashboard's forecast (docs/OFFERS.md).
 *
 * Money: integer minor units of the opportunity's currency; quantity: thousandths; probability:
 * basis points (NULL = the stage's). Weighted = round(amount x probability / 10000), half away
 * from zero (amounts are >= 0), per opportunity in its own currency; a pipeline cell sums them
 * per currency and converts each currency's sum once (price_convert: fx_rates, half away from
 * zero); totals add the cells. */
#ifndef KAM_OPPORTUNITY_H
#define KAM_OPPORTUNITY_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define OPP_NAME_MAX 200
#define OPP_TEXT_MAX 2000 /* competitors, outcome_reason */
#define OPP_PRODUCTS_MAX 50
#define OPP_NEEDS_MAX 50
#define OPP_AMOUNT_MAX 100000000000000LL /* minor units: 1e12 units of a currency */
#define OPP_STAGES_MAX 20

struct opp_product {
    unsigned set; /* OPP_P_* (the API decoder's bits) */
    int64_t product_id, quantity, amount;
    int has_quantity, has_amount;
    const char *sku, *name; /* read back */
};
enum { OPP_P_ID = 1u << 0, OPP_P_QTY = 1u << 1, OPP_P_AMOUNT = 1u << 2 };

struct opp_offer {
    int64_t id, version_no, total;
    const char *number, *status, *currency;
};

struct opportunity {
    int64_t id, account_id, owner_id, amount, quantity, probability_bp, effective_bp;
    int64_t closed_at, version, created_at, updated_at;
    int has_owner, has_quantity, has_probability, has_closed;
    const char *name, *stage, *currency, *close_month, *competitors, *outcome_reason;
    const char *account_name, *outcome; /* outcome: the stage's open | won | lost */
    /* Read by opportunity_get only (lists leave them empty). */
    struct opp_product *products;
    size_t n_products;
    int64_t *need_ids;
    const char **need_texts; /* the needs' descriptions, parallel to need_ids (audit text) */
    size_t n_needs;
    struct opp_offer *offers;
    size_t n_offers;
};

enum opp_field {
    OPP_NAME = 1u << 0,
    OPP_OWNER = 1u << 1,
    OPP_STAGE = 1u << 2,
    OPP_AMOUNT = 1u << 3,
    OPP_CURRENCY = 1u << 4,
    OPP_QUANTITY = 1u << 5,
    OPP_CLOSE = 1u << 6,
    OPP_PROB = 1u << 7,
    OPP_COMPETITORS = 1u << 8,
    OPP_REASON = 1u << 9,
    OPP_PRODUCTS = 1u << 10,
    OPP_NEEDS = 1u << 11,
    OPP_VERSION = 1u << 12,
};

struct opportunity_in {
    struct opportunity v; /* products / need_ids replace the stored lists when set */
    unsigned set;
};

/* Create: name, stage (an active stage), amount, currency and close_month required; owner
 * defaults to the caller (or the account owner when the caller is the system). */
enum kam_err opportunity_create(struct kam_ctx *ctx, int64_t account_id,
                                const struct opportunity_in *in, struct opportunity *out);
enum kam_err opportunity_get(struct kam_ctx *ctx, int64_t id, struct opportunity *out);
/* PATCH: moving to a won/lost stage needs outcome_reason (KAM_EINVAL "outcome_reason",
 * key opportunity.reason_required) and sets closed_at; moving back to an open stage clears it. */
enum kam_err opportunity_update(struct kam_ctx *ctx, int64_t id, const struct opportunity_in *in,
                                struct opportunity *out);
/* KAM_ECONFLICT "opportunity.has_offers" when an offer names it. */
enum kam_err opportunity_delete(struct kam_ctx *ctx, int64_t id);

struct opportunity_query {
    int64_t account_id, owner_id, team_id, limit;
    const char *stage, *from, *to, *q, *sort, *cursor; /* from/to: close months, inclusive */
    int open_only;
};
enum kam_err opportunity_list(struct kam_ctx *ctx, const struct opportunity_query *q,
                              struct opportunity **items_out, size_t *n_out, const char **next_out);
enum kam_err opportunity_count(struct kam_ctx *ctx, const struct opportunity_query *q,
                               int64_t *n_out);

/* ---- stages ---- */

struct opp_stage {
    const char *code, *name_zh_hans, *name_zh_hant, *name_en, *outcome;
    int64_t position, probability_bp;
    int active;
    int64_t in_use; /* read back: opportunities at this stage */
};
enum kam_err opp_stage_list(struct kam_ctx *ctx, struct opp_stage **items_out, size_t *n_out);
/* Replaces the whole list (audited as settings "opportunity_stages"): codes unique
 * ([a-z0-9_], 1..32), names 1..40, probability 0..10000, outcome open|won|lost; a stage
 * in use may be deactivated, not removed (409 opportunity.stage_in_use); exactly one active
 * won and one active lost stage (400 opportunity.stage_outcomes). */
enum kam_err opp_stage_replace(struct kam_ctx *ctx, const struct opp_stage *items, size_t n,
                               struct opp_stage **out, size_t *n_out);

/* ---- pipeline ---- */

struct pipeline_row {
    const char *key, *label; /* stage code | user id | team id | 'YYYY-MM' ("" = none) */
    int64_t count, amount, weighted;
};
struct pipeline_query {
    const char *group;                /* stage | owner | team | month */
    const char *from, *to, *currency; /* currency NULL: the base currency */
    int64_t owner_id, team_id, account_id;
    int include_closed; /* 1: won too (lost never counts) */
    int lang;           /* group=stage labels: enum msg_lang (0 en, 1 zh-CN, 2 zh-TW) */
};
struct pipeline {
    const char *currency;
    struct pipeline_row *rows;
    size_t n;
    struct pipeline_row total; /* key/label "" */
};
enum kam_err pipeline_compute(struct kam_ctx *ctx, const struct pipeline_query *q,
                              struct pipeline *out);

/* Per close month from..to (each month present, zeros included; NULL: the month in progress,
 * China time, and the eleven after it), open opportunities only, in the base currency: count,
 * amount, weighted. */
struct pipeline_month {
    char month[8];
    int64_t count, amount, weighted;
};
enum kam_err pipeline_months(struct kam_ctx *ctx, const char *from, const char *to,
                             const char **currency_out, struct pipeline_month **out, size_t *n_out);

/* Pure helpers (unit-tested): round(amount x bp / 10000) half away from zero; 1 if s is a
 * real 'YYYY-MM'; the month after m (out: 8 bytes). */
int64_t opp_weighted(int64_t amount, int64_t bp);
int opp_month_ok(const char *s);
void opp_month_next(const char *m, char out[8]);

/* kam demo: about twenty opportunities across the demo accounts, in every stage. */
enum kam_err opportunities_demo(struct kam_ctx *ctx);

#endif
