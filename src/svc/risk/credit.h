/* credit.h -- credit limits and terms, exposure, the credit check of orders and offers, credit
 * holds and the over-limit setting (issue 16 item 2; docs/CREDIT.md).
 *
 * Exposure of an account (base currency) = its open receivables (amount - paid) + its open
 * orders: order lines dated after its latest invoice's day (not yet invoiced); without an
 * invoice, those dated on or after the earliest invoice loaded for any account (the
 * receivables start; none before any invoice is loaded) + accepted offers not yet converted. A
 * group limit on a group's head account (credit_limits.group_amount) covers it and all its
 * subsidiaries at any depth: the group's exposure is the sum of theirs. An account's group limit is
 * the nearest one up its parent chain (itself included). */
#ifndef KAM_CREDIT_H
#define KAM_CREDIT_H

#include <stddef.h>
#include <stdint.h>

#include "receivable.h"
#include "svc/core/ctx.h"

#define CREDIT_NOTE_MAX 500
#define CREDIT_TREND_MONTHS 12

struct exposure {
    int64_t receivables, open_orders, open_offers, total; /* base currency */
};
enum kam_err credit_exposure(struct kam_ctx *ctx, int64_t account_id, struct exposure *out);

struct credit_limit {
    int64_t account_id, amount, group_amount, terms_days, version, created_at, updated_at;
    int exists, has_amount, has_group_amount;
    const char *currency, *note;
};
enum kam_err credit_limit_get(struct kam_ctx *ctx, int64_t account_id, struct credit_limit *out);

enum { CL_AMOUNT = 1, CL_GROUP = 2, CL_CURRENCY = 4, CL_TERMS = 8, CL_NOTE = 16, CL_VERSION = 32 };
struct credit_limit_in {
    unsigned set;
    int64_t amount, group_amount, terms_days, version;
    int has_amount, has_group_amount; /* 0: null (no limit) */
    const char *currency, *note;
};
/* PUT: sets the account's limit row whole (fields absent: null limits, 30 days, base
 * currency, ""); when the row exists, version is required (400 naming version) and must be
 * the one read (409 stale_version, params.version the current one). Audited "credit_limit". */
enum kam_err credit_limit_put(struct kam_ctx *ctx, int64_t account_id,
                              const struct credit_limit_in *in, struct credit_limit *out);

struct credit_hold {
    int64_t id, object_id, account_id, exposure, limit_amount, decided_by, decided_at, version,
        created_at, updated_at;
    int has_decided;
    const char *kind, *status, *note, *account_name, *object_label, *decided_by_name;
};

struct dso_point {
    const char *month, *day; /* YYYY-MM and the day it is computed on (month end or today) */
    int64_t tenths;
    int has;
};

/* Everything GET /accounts/{id}/credit shows. */
struct credit_summary {
    int64_t account_id;
    const char *base_currency;
    struct credit_limit limit;
    int has_limit_base, has_group;
    int64_t limit_base;
    /* the group limit that covers the account: its head, limit and exposure (base) */
    int64_t group_head_id, group_limit_base, group_exposure;
    const char *group_head_name;
    struct exposure exposure;
    int has_used;
    int64_t used_bp; /* exposure / limit, basis points */
    struct ageing ageing;
    int has_dso;
    int64_t dso_tenths;
    struct dso_point trend[CREDIT_TREND_MONTHS];
    struct credit_hold *holds;
    size_t nholds;
};
enum kam_err credit_summary_get(struct kam_ctx *ctx, int64_t account_id,
                                struct credit_summary *out);

/* One row of GET /receivables: an account the caller may read with a limit or an invoice. */
struct receivable_row {
    int64_t account_id, owner_id, limit_base, used_bp, dso_tenths;
    int has_limit, has_used, has_dso;
    const char *account_name, *account_code, *owner_name;
    struct exposure exposure;
    struct ageing ageing;
};
struct receivable_query {
    int over_limit, overdue;
    int64_t owner_id, limit;
    const char *cursor;
};
enum kam_err receivable_rows(struct kam_ctx *ctx, const struct receivable_query *q,
                             struct receivable_row **items_out, size_t *n_out,
                             const char **next_out);

/* ---- the credit check ---- */

/* An order line just written (order_create / order_update, in their transaction): when it is
 * open (not yet invoiced) and the account's exposure (or its group's) is now over the limit, a
 * credit hold 'flagged' and a notice to finance; a line no longer open or within the limit
 * lets its undecided flag go. Order lines come from the ERP: never held. */
enum kam_err credit_check_order_line(struct kam_ctx *ctx, int64_t line_id);
/* An order line being deleted (order_delete, in its transaction): its undecided hold is let go
 * (released, no decider; audited), so finance is not left with a hold of a line that is gone. */
enum kam_err credit_order_line_deleted(struct kam_ctx *ctx, int64_t line_id);
/* An offer submitted (offer_submit): when its total on top of the exposure goes over the
 * limit, a hold 'flagged' (setting credit.over_limit = flag) or 'held' (hold), and a notice to
 * finance; otherwise an earlier hold of the offer that is not decided goes. */
enum kam_err credit_check_offer(struct kam_ctx *ctx, int64_t offer_id);
/* Whether an offer may be sent: 409 credit.held while its hold waits for finance, 409
 * credit.refused once finance refused it. */
enum kam_err credit_offer_may_send(struct kam_ctx *ctx, int64_t offer_id);

struct credit_hold_query {
    const char *status, *cursor;
    int64_t account_id, limit;
};
enum kam_err credit_hold_list(struct kam_ctx *ctx, const struct credit_hold_query *q,
                              struct credit_hold **items_out, size_t *n_out, const char **next_out);
enum kam_err credit_hold_get(struct kam_ctx *ctx, int64_t id, struct credit_hold *out);
/* release 1: released, 0: refused (note required). 409 credit.not_open unless flagged or held. */
enum kam_err credit_hold_decide(struct kam_ctx *ctx, int64_t id, int release, const char *note,
                                struct credit_hold *out);

/* credit.over_limit: flag | hold. */
enum kam_err credit_setting_get(struct kam_ctx *ctx, const char **over_limit);
enum kam_err credit_setting_set(struct kam_ctx *ctx, const char *over_limit);

#endif
