/* account.h -- key accounts (F1.1): hierarchy, classification, size, owner, tier, account team.
 *
 * Callers (api/, cli/) have already passed the policy check for the route; these functions
 * enforce the data rules: validation, unique code, no parent cycles, owner within the
 * caller's reach, optimistic versions, and an audit row for every change. */
#ifndef KAM_ACCOUNT_H
#define KAM_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"
#include "svc/core/page.h"

enum account_field {
    ACC_CODE = 1u << 0,
    ACC_NAME = 1u << 1,
    ACC_ALIAS = 1u << 2,
    ACC_PARENT = 1u << 3,
    ACC_INDUSTRY = 1u << 4,
    ACC_REGION = 1u << 5,
    ACC_CHANNEL = 1u << 6,
    ACC_EMPLOYEES = 1u << 7,
    ACC_REVENUE = 1u << 8,
    ACC_OWNER = 1u << 9,
    ACC_TIER = 1u << 10,
    ACC_STATUS = 1u << 11,
    ACC_VERSION = 1u << 12,
    ACC_SOURCE = 1u << 13,
    ACC_REFERRED = 1u << 14,
    ACC_TIER_LOCKED = 1u << 15,
};

struct account {
    int64_t id, parent_id, employees, revenue_amount, owner_id, version, created_at, updated_at;
    int has_parent, has_employees, has_revenue;
    const char *code, *name, *alias, *industry, *region, *channel, *tier, *status;
    const char *revenue_currency; /* valid when has_revenue */
    /* Prospecting (F2.1): where it came from, and the screening decision. */
    const char *source;      /* market_research | trade_show | referral | other, or NULL */
    const char *referred_by; /* who referred it, "" when nobody */
    const char *screening;   /* accepted | rejected, or NULL: not screened */
    const char *screening_reason;
    int64_t screened_by, screened_at;
    int has_screened;
    int tier_locked; /* 1: the value score does not move the tier */
    /* Filled for prospect lists: */
    int64_t score;
    int has_score;
    /* Filled by account_list: the row's key of the chosen sort (revenue: converted to the base
     * currency in its minor units, -1 without revenue or exchange rate; tier: its rank). */
    int64_t sort_key;
    /* Filled by account_get only: */
    const char *parent_name;
    int64_t subsidiary_count;
};

/* Input for create/update: v holds the values of the fields whose bit is in set. */
struct account_in {
    struct account v;
    unsigned set;
};

extern const char *const account_tiers[];     /* strategic, key, growth, maintain */
extern const char *const account_statuses[];  /* prospect, active, dormant, lost */
extern const char *const member_dept_roles[]; /* sales, marketing, technical, production, service */

/* Creates an account; *out (in ctx->a) is the stored record. */
enum kam_err account_create(struct kam_ctx *ctx, const struct account_in *in, struct account *out);
enum kam_err account_get(struct kam_ctx *ctx, int64_t id, struct account *out);
/* Changes the fields named in in->set; KAM_ECONFLICT field "version" if in names a stale one. */
enum kam_err account_update(struct kam_ctx *ctx, int64_t id, const struct account_in *in,
                            struct account *out);
/* Deletes the account with its contacts and team; KAM_ECONFLICT if it has subsidiaries. */
enum kam_err account_delete(struct kam_ctx *ctx, int64_t id);

struct account_query {
    const char *q; /* text search, NULL = none */
    const char *tier, *region, *channel, *status;
    int64_t owner_id, parent_id; /* 0 = any */
    const char *sort, *cursor;
    int64_t limit;
    /* Prospects only: accounts still prospects or screened; screening: pending | accepted |
     * rejected (NULL: any). Items then carry their value score. */
    int prospects;
    const char *screening, *source;
};

/* Accounts in the caller's scope matching q; items in ctx->a; *next_out NULL on the last page.
 * Sorts: name, code, updated_at, id, revenue (converted to the base currency by the exchange
 * rates; accounts without revenue or rate first), tier (strategic, key, growth, maintain). */
enum kam_err account_list(struct kam_ctx *ctx, const struct account_query *q,
                          struct account **items_out, size_t *n_out, const char **next_out);
/* The number of accounts account_list returns over all pages for the same filters (q's sort,
 * cursor and limit are ignored): one COUNT with the list's WHERE. */
enum kam_err account_count(struct kam_ctx *ctx, const struct account_query *q, int64_t *out);

#define ACCOUNT_TRANSFER_MAX 50

/* Bulk owner transfer: gives every account of ids to owner_id in one transaction, each one
 * checked as a PATCH of owner_id (the caller may change it; owner_id within the caller's
 * reach), with versions[i] (when versions is given) its expected version. All or nothing: the
 * first failure names the account ("ids", "account 12: ..."). Every change is audited. */
enum kam_err account_transfer(struct kam_ctx *ctx, const int64_t *ids, size_t n,
                              const int64_t *versions, int64_t owner_id, size_t *changed_out);

struct facet {
    const char *value;
    int64_t count;
};

#define SUMMARY_FACETS_MAX 200

struct account_summary {
    int64_t total;
    int64_t by_tier[4];                            /* in the order of account_tiers */
    int64_t by_status[4];                          /* in the order of account_statuses */
    struct facet *regions, *channels, *industries; /* most frequent first, in ctx->a */
    size_t nregions, nchannels, nindustries;
};

/* Counts of the accounts in the caller's scope (owned by owner_id when non-zero) by tier and
 * status, and the region/channel/industry values in use with their counts. */
enum kam_err account_summarize(struct kam_ctx *ctx, int64_t owner_id, struct account_summary *out);

struct account_member {
    int64_t account_id, user_id, created_at;
    const char *login, *name, *dept_role;
};

enum kam_err account_members(struct kam_ctx *ctx, int64_t account_id,
                             struct account_member **items_out, size_t *n_out);
enum kam_err account_member_add(struct kam_ctx *ctx, int64_t account_id, int64_t user_id,
                                const char *dept_role, struct account_member *out);
enum kam_err account_member_remove(struct kam_ctx *ctx, int64_t account_id, int64_t user_id);

/* Records a tier change in the tier history (reason: score | manual | import). */
enum kam_err account_record_tier(struct kam_ctx *ctx, int64_t account_id, const char *from,
                                 const char *to, int64_t score, int has_score, const char *reason);

#endif
