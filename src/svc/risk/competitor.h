/* competitor.h -- competitors (issue 16 item 3, docs/COMPETITORS.md): company-wide competitor
 * records, their presence per account and product family (share of the account's wallet,
 * price level against ours) and their moves at an account, noted by the account team; a move
 * can be raised as a competitive risk (risk_raise, svc/risk/risk.h).
 *
 * Every write is audited in its transaction (entities "competitor", "competitor_presence",
 * "competitor_move"; presence and moves carry their account). The shares of all competitors in
 * one account and family sum to at most 100 % (10000 bp): 400 competitor.share_sum naming
 * share_bp otherwise. A competitor with presence or moves cannot be deleted (409
 * competitor.in_use: deactivate it); a move raised as a risk neither (409
 * competitor.move_has_risk). */
#ifndef KAM_SVC_COMPETITOR_H
#define KAM_SVC_COMPETITOR_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define COMP_NAME_MAX 100
#define COMP_ALIAS_MAX 200
#define COMP_WEBSITE_MAX 300
#define COMP_TEXT_MAX 2000
#define COMP_FAMILY_MAX 100
#define COMP_MOVES_RECENT 20 /* the moves an account's view carries */

extern const char *const price_levels[];    /* lower similar higher unknown */
extern const char *const move_kinds[];      /* price_cut promotion new_product relationship
                                               won_business other */
extern const char *const move_severities[]; /* low medium high */

struct competitor {
    int64_t id, version, created_at, updated_at;
    const char *name, *alias, *website, *strengths, *weaknesses, *note;
    int active;
    int64_t accounts, moves; /* read only: presence rows' accounts and moves (all, unscoped) */
};

enum {
    CO_NAME = 1u << 0,
    CO_ALIAS = 1u << 1,
    CO_WEBSITE = 1u << 2,
    CO_STRENGTHS = 1u << 3,
    CO_WEAKNESSES = 1u << 4,
    CO_NOTE = 1u << 5,
    CO_ACTIVE = 1u << 6,
    CO_VERSION = 1u << 7,
};

struct competitor_in {
    unsigned set;
    struct competitor v;
};

struct competitor_query {
    const char *q, *sort, *cursor;
    int active; /* -1 any */
    int64_t limit;
};

enum kam_err competitor_get(struct kam_ctx *ctx, int64_t id, struct competitor *out);
enum kam_err competitor_create(struct kam_ctx *ctx, const struct competitor_in *in,
                               struct competitor *out);
enum kam_err competitor_update(struct kam_ctx *ctx, int64_t id, const struct competitor_in *in,
                               struct competitor *out);
enum kam_err competitor_delete(struct kam_ctx *ctx, int64_t id);
/* q: name or alias; active; sort name | id. */
enum kam_err competitor_list(struct kam_ctx *ctx, const struct competitor_query *q,
                             struct competitor **items_out, size_t *n_out, const char **next_out);

/* ---- presence ---- */

struct presence {
    int64_t id, competitor_id, account_id, share_bp, updated_by, version, created_at, updated_at;
    int has_share, has_updated_by;
    const char *competitor_name, *account_name, *family, *price_level, *note;
};

enum {
    PR_COMPETITOR = 1u << 0,
    PR_FAMILY = 1u << 1,
    PR_SHARE = 1u << 2,
    PR_PRICE = 1u << 3,
    PR_NOTE = 1u << 4,
    PR_VERSION = 1u << 5,
};

struct presence_in {
    unsigned set;
    struct presence v;
};

enum kam_err presence_get(struct kam_ctx *ctx, int64_t id, struct presence *out);
/* competitor_id required (an active competitor); 409 duplicate naming family when the
 * competitor is already present at the account in that family. */
enum kam_err presence_create(struct kam_ctx *ctx, int64_t account_id, const struct presence_in *in,
                             struct presence *out);
/* competitor_id cannot change (400); family, share_bp, price_level, note can. */
enum kam_err presence_update(struct kam_ctx *ctx, int64_t id, const struct presence_in *in,
                             struct presence *out);
enum kam_err presence_delete(struct kam_ctx *ctx, int64_t id);
/* The account's presence rows by family, then the largest share first (at most 500). */
enum kam_err presence_of_account(struct kam_ctx *ctx, int64_t account_id,
                                 struct presence **items_out, size_t *n_out);
/* A competitor's presence across the accounts the caller may read, by account name; keyset
 * paging by id. KAM_ENOTFOUND when there is no such competitor. */
enum kam_err presence_of_competitor(struct kam_ctx *ctx, int64_t competitor_id, int64_t limit,
                                    const char *cursor, struct presence **items_out, size_t *n_out,
                                    const char **next_out);

/* Our own share of the account's wallet: the account's sales of the twelve months before this
 * one (base currency, the monthly rollup) over its latest wallet estimate. *has 0 when there is
 * no estimate (or it is 0). */
enum kam_err competitor_our_share(struct kam_ctx *ctx, int64_t account_id, int64_t *share_bp,
                                  int64_t *sales_12m, int64_t *wallet, int *has);

/* ---- moves ---- */

struct move {
    int64_t id, competitor_id, account_id, created_by, created_at, risk_id;
    int has_created_by, has_risk;
    const char *competitor_name, *account_name, *family, *day, *kind, *severity, *description;
};

enum {
    MV_COMPETITOR = 1u << 0,
    MV_FAMILY = 1u << 1,
    MV_DAY = 1u << 2,
    MV_KIND = 1u << 3,
    MV_SEVERITY = 1u << 4,
    MV_DESC = 1u << 5,
};

struct move_in {
    unsigned set;
    struct move v;
};

struct move_query {
    int64_t account_id, competitor_id, limit;
    const char *since, *kind, *sort, *cursor;
};

enum kam_err move_get(struct kam_ctx *ctx, int64_t id, struct move *out);
/* competitor_id, kind, description required; day defaults to today (China), not in the future;
 * severity defaults to medium. */
enum kam_err move_create(struct kam_ctx *ctx, int64_t account_id, const struct move_in *in,
                         struct move *out);
enum kam_err move_delete(struct kam_ctx *ctx, int64_t id);
/* Moves at the accounts the caller may read, latest day first; filters account_id,
 * competitor_id, since (day >= since), kind. */
enum kam_err move_list(struct kam_ctx *ctx, const struct move_query *q, struct move **items_out,
                       size_t *n_out, const char **next_out);

/* Raises the move as a competitive risk of its account (source competitor, source_id the move):
 * likelihood and impact 1-5 (0: from the severity: low 2x2, medium 3x3, high 4x4). Raising it
 * again returns the same risk with *created 0. */
enum kam_err move_raise_risk(struct kam_ctx *ctx, int64_t id, int likelihood, int impact,
                             int64_t *risk_id, int *created);

#endif
