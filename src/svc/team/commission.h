/* commission.h -- commission plans, the commission arithmetic, bonus pools and recognition
 * (issue 18 item 4, F6.4; docs/TEAM.md "Incentives").
 *
 * A plan (OBJ_COMMISSION, audit entity "commission_plan", optimistic version) holds the rules:
 * - basis revenue (the order line's amount_base, base currency minor units) or margin: the
 *   line's amount_base minus the product's standard cost (products.unit_cost x quantity /
 *   1000, turned into the base currency with fx_rates); a product without a cost (or a cost
 *   in a currency without a rate) counts a margin of 0 and its lines say reason "no_cost".
 *   Attainment and the tier boundaries always run on credited revenue; a revenue slice
 *   earns on its part of the line's margin (slice x margin / revenue);
 * - rates by product family in basis points of the basis, default_rate_bp for other families;
 * - threshold_bp: no commission when the person's attainment (net credited revenue / target) is
 *   below it (one line kind threshold, amount 0); clawbacks still apply;
 * - tiers (accelerators): from from_bp of the target on, the rate is multiplied by
 *   multiplier_bp / 10000, MARGINALLY: the positive lines are taken in (day, id) order, each
 *   line's credited revenue is cut at the tier boundaries (target x from_bp / 10000) of the
 *   running total and each slice earns its own tier's rate (one statement line per slice);
 * - cap per period (minor units; NULL none): the commission and clawbacks together are cut to
 *   it (one line kind cap, negative); bonus lines come after the cap;
 * - splits: weights by department role ("owner" = the account's owner, else an
 *   account_members.dept_role); a line is credited to each person on its account in
 *   proportion w_p / sum(w of the people on the account) (rounded toward zero), so one
 *   line's shares add up to 100 %; no splits given = the owner alone;
 * - clawbacks: a negative order line (a return, a credit note, a cancelled order: order lines
 *   have no status, a cancellation is its reversing line) earns -(credited x family rate)
 *   at the base rate (no accelerator); bad debt: an invoice of an account the person is
 *   credited on, still unpaid bad_debt_days after its due day, where due day + bad_debt_days
 *   falls in the period, claws back unpaid base amount x share x default rate (0 days: off).
 * Every amount is rounded toward zero per statement line (__int128 intermediate). A person
 * without a target (the plan's own per-period target, else their owner cells of approved
 * amount target plans) has no attainment: no threshold and no accelerators (base rates).
 *
 * Bonus pools (OBJ_COMMISSION, entity "bonus_pool"): amount for a plan period among the people
 * of team_id and/or role (none: everyone) with a final or calibrated scorecard of exactly that
 * period scoring at least min_score (hundredths); share_i = amount x score_i / sum(score),
 * floored, the units left over going one each to the largest remainders (ties: lower user id),
 * so the shares add up to the pool. Recognition (entity "recognition"): title, reason, person,
 * day, readable by every reader of commission plans. */
#ifndef KAM_SVC_COMMISSION_H
#define KAM_SVC_COMMISSION_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "svc/core/ctx.h"

#define COMM_NAME_MAX 200
#define COMM_NOTE_MAX 4000
#define COMM_FAMILY_MAX 100
#define COMM_RATES_MAX 50
#define COMM_TIERS_MAX 10
#define COMM_SPLITS_MAX 6
#define COMM_TARGETS_MAX 200
#define COMM_RATE_MAX 10000       /* 100 % of the basis */
#define COMM_MULT_MAX 100000      /* x10 */
#define COMM_TIER_FROM_MAX 100000 /* 1000 % of target */
#define COMM_MONEY_MAX 1000000000000000LL
#define COMM_DEBT_DAYS_MAX 3650

extern const char *const comm_period_kinds[]; /* month quarter year */
extern const char *const comm_bases[];        /* revenue margin */
extern const char *const comm_split_roles[];  /* owner sales marketing technical production
                                                 service */

struct comm_rate {
    unsigned set;
    const char *family;
    int64_t rate_bp;
};
struct comm_tier {
    unsigned set;
    int64_t from_bp, multiplier_bp;
};
struct comm_split {
    unsigned set;
    const char *dept_role;
    int64_t share_bp;
};
struct comm_target {
    unsigned set;
    int64_t user_id, amount;
    const char *period;       /* input: a period label of the plan's kind */
    const char *period_start; /* stored */
};
enum { CR_FAMILY = 1u << 0, CR_RATE = 1u << 1 };
enum { CT_FROM = 1u << 0, CT_MULT = 1u << 1 };
enum { CS_ROLE = 1u << 0, CS_SHARE = 1u << 1 };
enum { CG_USER = 1u << 0, CG_PERIOD = 1u << 1, CG_AMOUNT = 1u << 2 };

struct comm_plan {
    int64_t id, default_rate_bp, threshold_bp, cap, bad_debt_days, version, created_at, updated_at;
    int has_cap, active;
    const char *name, *currency, *period_kind, *basis, *note;
    struct comm_rate *rates;
    size_t n_rates;
    struct comm_tier *tiers; /* by from_bp */
    size_t n_tiers;
    struct comm_split *splits;
    size_t n_splits;
    struct comm_target *targets;
    size_t n_targets;
};

enum {
    CP_NAME = 1u << 0,
    CP_CURRENCY = 1u << 1,
    CP_KIND = 1u << 2,
    CP_BASIS = 1u << 3,
    CP_DEFAULT = 1u << 4,
    CP_THRESHOLD = 1u << 5,
    CP_CAP = 1u << 6,
    CP_DEBT = 1u << 7,
    CP_NOTE = 1u << 8,
    CP_ACTIVE = 1u << 9,
    CP_RATES = 1u << 10,
    CP_TIERS = 1u << 11,
    CP_SPLITS = 1u << 12,
    CP_TARGETS = 1u << 13,
    CP_VERSION = 1u << 14,
};

struct comm_plan_in {
    unsigned set;
    struct comm_plan v;
    struct comm_rate *rates;
    int n_rates;
    struct comm_tier *tiers;
    int n_tiers;
    struct comm_split *splits;
    int n_splits;
    struct comm_target *targets;
    int n_targets;
};

enum kam_err comm_plan_get(struct kam_ctx *ctx, int64_t id, struct comm_plan *out);
/* name required; currency default the base currency; period_kind default quarter. */
enum kam_err comm_plan_create(struct kam_ctx *ctx, const struct comm_plan_in *in,
                              struct comm_plan *out);
/* A plan body checked as comm_plan_create would (defaults, validation) without writing it: id 0
 * (the simulator's plan not yet saved). */
enum kam_err comm_plan_check(struct kam_ctx *ctx, const struct comm_plan_in *in,
                             struct comm_plan *out);
/* Lists given are replaced whole; version optional (409 when stale). */
enum kam_err comm_plan_update(struct kam_ctx *ctx, int64_t id, const struct comm_plan_in *in,
                              struct comm_plan *out);

/* Deletes a plan without statements or bonus pools (else 409 commission_plan.in_use: make it
 * inactive instead), with its rates, tiers, splits and targets. */
enum kam_err comm_plan_delete(struct kam_ctx *ctx, int64_t id);

struct comm_plan_query {
    int64_t limit, active; /* active -1: all */
    const char *cursor;
};
enum kam_err comm_plan_list(struct kam_ctx *ctx, const struct comm_plan_query *q,
                            struct comm_plan **items_out, size_t *n_out, const char **next_out);

/* ---- periods ---- */

/* A period label of kind ("2026-07" month, "2026-Q3" quarter, "2026" year) -> its first and
 * last day ('YYYY-MM-DD', in ctx->a) and day numbers; KAM_EINVAL naming field otherwise. */
enum kam_err comm_period(struct kam_ctx *ctx, const char *field, const char *kind,
                         const char *label, const char **start, const char **end,
                         int64_t *start_day, int64_t *end_day);
/* The label of the period of kind starting on start ('YYYY-MM-DD'). */
const char *comm_period_label(struct kam_ctx *ctx, const char *kind, const char *start);
/* The label of the period of kind that follows label (label well-formed). */
const char *comm_period_next(struct kam_ctx *ctx, const char *kind, const char *label);

/* ---- the arithmetic (pure: unit-tested in tests/unit/test_incentives.c) ---- */

struct comm_rules {
    int64_t default_rate_bp, threshold_bp, cap;
    int has_cap;
    const struct comm_rate *rates;
    size_t n_rates;
    const struct comm_tier *tiers; /* ascending from_bp */
    size_t n_tiers;
};

/* One order line as credited to the person: line_amount the line's amount_base, share_bp the
 * person's share (for the statement), credited = comm_credit(line_amount, w, sum_w); basis the
 * credited basis (= credited for revenue plans; the credited margin for margin plans); no_cost:
 * the margin is unknown (basis 0). */
struct comm_sale {
    int64_t order_line_id, account_id, day /* day number */, line_amount, share_bp, credited, basis;
    int no_cost;
    const char *family;
};
/* One bad debt: unpaid base amount of an invoice, the person's credit of it. */
struct comm_debt {
    int64_t invoice_id, account_id, unpaid, share_bp, credited;
    const char *day; /* the day it became bad debt */
};

struct payout_line {
    int64_t id, seq, order_line_id, invoice_id, bonus_pool_id, account_id, line_amount, share_bp,
        basis, rate_bp, tier, multiplier_bp, amount;
    int has_order_line, has_invoice, has_pool, has_account;
    const char *kind, *reason, *family, *day, *account_name;
};

struct comm_result {
    struct payout_line *lines;
    size_t n;
    int64_t total, credited, attainment_bp;
    int has_attainment;
};

/* Credited part of amount for a weight w of sum_w (toward zero); 0 when sum_w <= 0. */
int64_t comm_credit(int64_t amount, int64_t w, int64_t sum_w);
/* The family's rate. */
int64_t comm_rate_of(const struct comm_rules *r, const char *family);
/* The statement lines of one person and period: sales in (day, order_line_id) order. Lines
 * in arena a; never fails. */
void comm_compute(struct arena *a, const struct comm_rules *r, int64_t target, int has_target,
                  const struct comm_sale *sales, size_t n_sales, const struct comm_debt *debts,
                  size_t n_debts, struct comm_result *out);
/* Largest-remainder shares of amount by weights (all >= 0; ties to the lower index); all 0 when
 * the weights sum to 0. */
void comm_shares(int64_t amount, const int64_t *w, size_t n, int64_t *out);

/* ---- bonus pools ---- */

struct bonus_share {
    int64_t user_id, score, amount;
    const char *user_name;
};
struct bonus_pool {
    int64_t id, plan_id, amount, team_id, min_score, version, created_at, updated_at;
    int has_team;
    const char *name, *period, *period_start, *period_end, *role, *currency;
    struct bonus_share *shares; /* the distribution as the scorecards stand */
    size_t n_shares;
};
enum {
    BP_PLAN = 1u << 0,
    BP_NAME = 1u << 1,
    BP_PERIOD = 1u << 2,
    BP_AMOUNT = 1u << 3,
    BP_TEAM = 1u << 4,
    BP_ROLE = 1u << 5,
    BP_MIN = 1u << 6,
    BP_VERSION = 1u << 7,
};
struct bonus_pool_in {
    unsigned set;
    struct bonus_pool v;
};
enum kam_err bonus_pool_get(struct kam_ctx *ctx, int64_t id, struct bonus_pool *out);
/* plan_id, name, period (a label of the plan's kind), amount required; the plan cannot change. */
enum kam_err bonus_pool_create(struct kam_ctx *ctx, const struct bonus_pool_in *in,
                               struct bonus_pool *out);
enum kam_err bonus_pool_update(struct kam_ctx *ctx, int64_t id, const struct bonus_pool_in *in,
                               struct bonus_pool *out);
struct bonus_pool_query {
    int64_t plan_id, limit;
    const char *cursor;
};
/* Without the shares. */
enum kam_err bonus_pool_list(struct kam_ctx *ctx, const struct bonus_pool_query *q,
                             struct bonus_pool **items_out, size_t *n_out, const char **next_out);
/* The pools of plan_id for the period starting on start, with their shares. */
enum kam_err bonus_pools_of(struct kam_ctx *ctx, int64_t plan_id, const char *start,
                            struct bonus_pool **items_out, size_t *n_out);

/* ---- recognition ---- */

#define RECOG_TITLE_MAX 200
#define RECOG_REASON_MAX 2000
struct recognition {
    int64_t id, user_id, created_by, created_at;
    int has_created_by;
    const char *user_name, *title, *reason, *day;
};
enum { RG_USER = 1u << 0, RG_TITLE = 1u << 1, RG_REASON = 1u << 2, RG_DAY = 1u << 3 };
struct recognition_in {
    unsigned set;
    struct recognition v;
};
/* user_id, title required; day default today (China time). */
enum kam_err recognition_create(struct kam_ctx *ctx, const struct recognition_in *in,
                                struct recognition *out);
struct recognition_query {
    int64_t user_id, limit;
    const char *cursor;
};
/* Newest day first. */
enum kam_err recognition_list(struct kam_ctx *ctx, const struct recognition_query *q,
                              struct recognition **items_out, size_t *n_out, const char **next_out);

#endif
