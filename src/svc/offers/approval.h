/* approval.h -- discount approval (issue 15 item 2, docs/OFFERS.md "Discount approval"): the
 * limits by role (discount_limits), the approval requests of offers, their steps and decisions.
 * needs: team_lead | director | finance+director. */
#ifndef KAM_APPROVAL_H
#define KAM_APPROVAL_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define APPROVAL_COMMENT_MAX 2000
#define APPROVAL_STEPS_MAX 20

struct approval_step {
    int64_t user_id, at;
    int has_user;
    const char *role, *user_name, *decision, *comment;
};

struct approval {
    int64_t id, object_id, account_id, requested_by, discount_bp, created_at, decided_at,
        updated_at, version;
    int has_requested_by, has_decided, can_decide;
    const char *kind, *account_name, *requested_by_name, *needs, *status, *comment;
    /* the offer (kind offer) */
    int has_offer;
    int64_t offer_id, offer_version_no, offer_total;
    const char *offer_number, *offer_title, *offer_currency;
    struct approval_step *steps;
    size_t nsteps;
};

/* What a discount of discount_bp needs when asked by role: NULL when within the role's own
 * limit, else "team_lead", "director" or "finance+director" (the lowest level whose limit
 * covers it; above the director's: finance and a director). Reads the three limits (cheap). A
 * role without a limit (finance, admin, ...) has 0. */
const char *approval_needed(struct kam_ctx *ctx, enum role role, int64_t discount_bp);
/* How far below the engine's price a role may go on its own (basis points): the seller roles'
 * limits (discount_limits, the defaults 5 / 10 / 20 % where a row is missing), every other
 * role 0. THE role limit: approval_needed and the order-line check (price_check.c, where admin and
 * finance, who record what was booked, have none) use it. */
enum kam_err approval_role_limit(struct kam_ctx *ctx, enum role role, int64_t *max_bp);
/* The same with the storage error reported (approval_needed answers the strictest level,
 * finance+director, when the limits cannot be read). */
enum kam_err approval_needs(struct kam_ctx *ctx, enum role role, int64_t discount_bp,
                            const char **out);

enum kam_err approval_get(struct kam_ctx *ctx, int64_t id, struct approval *out);

struct approval_query {
    const char *status, *cursor;
    int mine; /* what the caller may decide now */
    int64_t limit;
};
enum kam_err approval_list(struct kam_ctx *ctx, const struct approval_query *q,
                           struct approval **items, size_t *n, const char **next);
enum kam_err approval_count(struct kam_ctx *ctx, const struct approval_query *q, int64_t *n);

/* Opens a pending approval of an offer (called by offer_submit inside its transaction) and
 * notifies whoever may decide it. */
enum kam_err approval_open(struct kam_ctx *ctx, int64_t offer_id, int64_t account_id,
                           int64_t discount_bp, const char *needs, const char *comment,
                           const char *offer_label, int64_t *id_out);
/* Marks a pending approval withdrawn (a new version of its offer, or the requester). */
enum kam_err approval_close(struct kam_ctx *ctx, int64_t id, const char *status);

/* approve = 1 / 0 (reject, comment required). The requester never decides their own (403). */
enum kam_err approval_decide(struct kam_ctx *ctx, int64_t id, int approve, const char *comment,
                             struct approval *out);
/* The requester takes it back; the offer returns to draft. */
enum kam_err approval_withdraw(struct kam_ctx *ctx, int64_t id, struct approval *out);

struct discount_limit {
    const char *role;
    int64_t max_bp;
};
#define DISCOUNT_ROLES 3
enum kam_err discount_limits_get(struct kam_ctx *ctx, struct discount_limit out[DISCOUNT_ROLES]);
enum kam_err discount_limits_set(struct kam_ctx *ctx, const struct discount_limit *in, size_t n,
                                 struct discount_limit out[DISCOUNT_ROLES]);

#endif
