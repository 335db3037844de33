/* incentives.c -- routes of the account team chapter: commission plans, payout statements, bonus
 * pools, recognition, the simulator (F6.4): decode, call svc/team, render. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "api/core/internal.h"
#include "base/currency.h"
#include "svc/core/export.h"
#include "svc/team/commission.h"
#include "svc/team/payout.h"

const struct api_shape api_shapes_incentives[] = {
    {"CommissionPlan",
     "id:int name:str currency:str period_kind:str(month|quarter|year) basis:str(revenue|margin) "
     "default_rate_bp:int threshold_bp:int cap:int? bad_debt_days:int note:str active:bool "
     "rates:[CommissionRate] tiers:[CommissionTier] splits:[CommissionSplit] "
     "targets:[CommissionTarget] version:int created_at:ts updated_at:ts"},
    {"CommissionRate", "family:str rate_bp:int"},
    {"CommissionTier", "from_bp:int multiplier_bp:int"},
    {"CommissionSplit",
     "dept_role:str(owner|sales|marketing|technical|production|service) share_bp:int"},
    {"CommissionTarget", "user_id:int period:str period_start:date amount:int"},
    {"Payout", "id:int plan_id:int plan_name:str user_id:int user_login:str user_name:str "
               "period:str period_start:date period_end:date currency:str total:int "
               "status:str(draft|submitted|approved|rejected|paid) reason:str approved_by:int? "
               "approved_at:ts? plan_version:int target:int? credited:int attainment_bp:int? "
               "computed_at:ts version:int created_at:ts updated_at:ts lines?:[PayoutLine] "
               "lines_more?:bool"},
    {"PayoutLine",
     "id:int seq:int kind:str(commission|clawback|threshold|cap|bonus) reason:str "
     "order_line_id:int? invoice_id:int? bonus_pool_id:int? account_id:int? account_name:str? "
     "family:str day:str line_amount:int share_bp:int basis:int rate_bp:int tier:int "
     "multiplier_bp:int amount:int"},
    {"PayoutComputed", "items:[Payout] skipped:[int]"},
    {"BonusPool", "id:int plan_id:int name:str period:str period_start:date period_end:date "
                  "amount:int currency:str team_id:int? role:str min_score:int "
                  "shares?:[BonusShare] version:int created_at:ts updated_at:ts"},
    {"BonusShare", "user_id:int user_name:str score:int amount:int"},
    {"Recognition", "id:int user_id:int user_name:str title:str reason:str day:date "
                    "created_by:int? created_at:ts"},
    {"CommissionSimulation",
     "plan_id:int? compare_plan_id:int? period_from:str period_to:str periods:int total:int "
     "compare_total:int? people:[SimPerson] spread:SimSpread"},
    {"SimPerson", "user_id:int user_name:str amount:int compare_amount:int? delta:int?"},
    {"SimSpread", "n:int min:int max:int q1:num median:num q3:num mean:num cv:num gini:num"},
    {NULL, NULL},
};

/* ---- bodies ---- */

#define RF(f) offsetof(struct comm_rate, f)
static const struct jfield rate_spec[] = {
    {"family", J_STR, CR_FAMILY, RF(family), 0, 0, 0, "a product family, 1-100 characters", 1},
    {"rate_bp", J_I64, CR_RATE, RF(rate_bp), 0, 0, 0, "basis points of the basis, 0-10000", 1},
    {0},
};
#define TF(f) offsetof(struct comm_tier, f)
static const struct jfield tier_spec[] = {
    {"from_bp", J_I64, CT_FROM, TF(from_bp), 0, 0, 0,
     "attainment (bp of target, 1-100000) from which the tier applies", 1},
    {"multiplier_bp", J_I64, CT_MULT, TF(multiplier_bp), 0, 0, 0,
     "the rate multiplier in bp (15000 = x1.5), 0-100000", 1},
    {0},
};
#define SF(f) offsetof(struct comm_split, f)
static const struct jfield split_spec[] = {
    {"dept_role", J_STR, CS_ROLE, SF(dept_role), 0, 0, 0,
     "owner (the account's owner) | sales | marketing | technical | production | service", 1},
    {"share_bp", J_I64, CS_SHARE, SF(share_bp), 0, 0, 0, "weight in bp; the splits sum to 10000",
     1},
    {0},
};
#define GF(f) offsetof(struct comm_target, f)
static const struct jfield target_spec[] = {
    {"user_id", J_I64, CG_USER, GF(user_id), 0, 0, 0, "the person", 1},
    {"period", J_STR, CG_PERIOD, GF(period), 0, 0, 0, "a period of the plan's kind", 1},
    {"amount", J_I64, CG_AMOUNT, GF(amount), 0, 0, 0, "the target, base currency minor units", 1},
    {0},
};

/* The plan's fields at offset O of the output struct (a plan body alone, or inside the
 * simulator's body). */
#define PF(O, f) ((O) + offsetof(struct comm_plan_in, v.f))
#define PB(O, f) ((O) + offsetof(struct comm_plan_in, f))
#define PLAN_FIELDS(O)                                                                             \
    {"name", J_STR, CP_NAME, PF(O, name), 0, 0, 0, "1-200 characters", 1},                         \
        {"currency",  J_STR,                                                                       \
         CP_CURRENCY, PF(O, currency),                                                             \
         0,           0,                                                                           \
         0,           "ISO 4217 code of the payouts (default: the base currency)"},                \
        {"period_kind",                                                                            \
         J_STR,                                                                                    \
         CP_KIND,                                                                                  \
         PF(O, period_kind),                                                                       \
         0,                                                                                        \
         0,                                                                                        \
         0,                                                                                        \
         "month | quarter (default) | year; cannot change"},                                       \
        {"basis",  J_STR,                                                                          \
         CP_BASIS, PF(O, basis),                                                                   \
         0,        0,                                                                              \
         0,        "revenue (default) | margin (revenue minus the products' standard cost)"},      \
        {"default_rate_bp",                                                                        \
         J_I64,                                                                                    \
         CP_DEFAULT,                                                                               \
         PF(O, default_rate_bp),                                                                   \
         0,                                                                                        \
         0,                                                                                        \
         0,                                                                                        \
         "rate of families without their own, bp (0-10000)"},                                      \
        {"threshold_bp",                                                                           \
         J_I64,                                                                                    \
         CP_THRESHOLD,                                                                             \
         PF(O, threshold_bp),                                                                      \
         0,                                                                                        \
         0,                                                                                        \
         0,                                                                                        \
         "no commission below this attainment, bp of target (0-100000)"},                          \
        {"cap",                                                                                    \
         J_I64,                                                                                    \
         CP_CAP,                                                                                   \
         PF(O, cap),                                                                               \
         PF(O, has_cap),                                                                           \
         0,                                                                                        \
         1,                                                                                        \
         "most commission per person and period, minor units (null: none)"},                       \
        {"bad_debt_days",                                                                          \
         J_I64,                                                                                    \
         CP_DEBT,                                                                                  \
         PF(O, bad_debt_days),                                                                     \
         0,                                                                                        \
         0,                                                                                        \
         0,                                                                                        \
         "claw back invoices unpaid this many days after due (0: not; <= 3650)"},                  \
        {"note", J_STR, CP_NOTE, PF(O, note), 0, 0, 1, "<= 4000 characters"},                      \
        {"active", J_BOOL, CP_ACTIVE, PF(O, active), 0, 0, 0, "default true"},                     \
        {"rates",                                                                                  \
         J_OBJS,                                                                                   \
         CP_RATES,                                                                                 \
         PB(O, rates),                                                                             \
         PB(O, n_rates),                                                                           \
         sizeof(struct comm_rate),                                                                 \
         0,                                                                                        \
         "rates by product family (replaced whole), at most 50",                                   \
         0,                                                                                        \
         rate_spec,                                                                                \
         COMM_RATES_MAX},                                                                          \
        {"tiers",                                                                                  \
         J_OBJS,                                                                                   \
         CP_TIERS,                                                                                 \
         PB(O, tiers),                                                                             \
         PB(O, n_tiers),                                                                           \
         sizeof(struct comm_tier),                                                                 \
         0,                                                                                        \
         "accelerators, marginal (replaced whole), at most 10",                                    \
         0,                                                                                        \
         tier_spec,                                                                                \
         COMM_TIERS_MAX},                                                                          \
        {"splits",                                                                                 \
         J_OBJS,                                                                                   \
         CP_SPLITS,                                                                                \
         PB(O, splits),                                                                            \
         PB(O, n_splits),                                                                          \
         sizeof(struct comm_split),                                                                \
         0,                                                                                        \
         "split credit by department role (replaced whole; none: the owner alone)",                \
         0,                                                                                        \
         split_spec,                                                                               \
         COMM_SPLITS_MAX},                                                                         \
    {                                                                                              \
        "targets", J_OBJS, CP_TARGETS, PB(O, targets), PB(O, n_targets),                           \
            sizeof(struct comm_target), 0,                                                         \
            "per-person period targets (replaced whole), at most 200", 0, target_spec,             \
            COMM_TARGETS_MAX                                                                       \
    }
static const struct jfield plan_spec[] = {
    PLAN_FIELDS(0),
    {"version", J_I64, CP_VERSION, PF(0, version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

/* POST /commission-plans/simulate: a plan body not saved. */
struct sim_new_in {
    unsigned set;
    struct comm_plan_in plan;
    int plan_given;
    const char *period_from, *period_to;
    int64_t compare_plan_id;
};
enum { SN_PLAN = 1u << 0, SN_FROM = 1u << 1, SN_TO = 1u << 2, SN_COMPARE = 1u << 3 };
static const struct jfield sim_plan_spec[] = {
    PLAN_FIELDS(offsetof(struct sim_new_in, plan)),
    {0},
};
static const struct jfield sim_new_spec[] = {
    {"plan", J_OBJ, SN_PLAN, offsetof(struct sim_new_in, plan.set),
     offsetof(struct sim_new_in, plan_given), 0, 0,
     "a plan body as for POST /commission-plans (not saved)", 1, sim_plan_spec},
    {"period_from", J_STR, SN_FROM, offsetof(struct sim_new_in, period_from), 0, 0, 0,
     "first period (the plan's kind)", 1},
    {"period_to", J_STR, SN_TO, offsetof(struct sim_new_in, period_to), 0, 0, 0,
     "last period, at most 36 periods", 1},
    {"compare_plan_id", J_I64, SN_COMPARE, offsetof(struct sim_new_in, compare_plan_id), 0, 0, 0,
     "the saved plan to compare with (who gains, who loses)"},
    {0},
};

#define BF(f) offsetof(struct bonus_pool_in, v.f)
static const struct jfield pool_spec[] = {
    {"plan_id", J_I64, BP_PLAN, BF(plan_id), 0, 0, 0,
     "the plan whose statements carry the shares; cannot change", 1},
    {"name", J_STR, BP_NAME, BF(name), 0, 0, 0, "1-200 characters", 1},
    {"period", J_STR, BP_PERIOD, BF(period), 0, 0, 0, "a period of the plan's kind", 1},
    {"amount", J_I64, BP_AMOUNT, BF(amount), 0, 0, 0, "the pool, minor units (> 0)", 1},
    {"team_id", J_I64, BP_TEAM, BF(team_id), BF(has_team), 0, 1,
     "only people of this team (null: any)"},
    {"role", J_STR, BP_ROLE, BF(role), 0, 0, 1, "only people of this role (empty: any)"},
    {"min_score", J_I64, BP_MIN, BF(min_score), 0, 0, 0,
     "only scorecards scoring at least this (hundredths; default 0)"},
    {"version", J_I64, BP_VERSION, BF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

#define GRF(f) offsetof(struct recognition_in, v.f)
static const struct jfield recog_spec[] = {
    {"user_id", J_I64, RG_USER, GRF(user_id), 0, 0, 0, "the person recognised", 1},
    {"title", J_STR, RG_TITLE, GRF(title), 0, 0, 0, "1-200 characters", 1},
    {"reason", J_STR, RG_REASON, GRF(reason), 0, 0, 1, "<= 2000 characters"},
    {"day", J_STR, RG_DAY, GRF(day), 0, 0, 1, "YYYY-MM-DD (default today)"},
    {0},
};

#define CF(f) offsetof(struct payout_compute_in, f)
static const struct jfield compute_spec[] = {
    {"plan_id", J_I64, PC_PLAN, CF(plan_id), 0, 0, 0, "the commission plan", 1},
    {"period", J_STR, PC_PERIOD, CF(period), 0, 0, 0, "a period of the plan's kind", 1},
    {"user_ids", J_IDS, PC_USERS, CF(user_ids), CF(n_users), CF(users_given), 0,
     "only these people (a frozen statement among them: 409); default everyone with a line"},
    {0},
};

struct sim_in {
    unsigned set;
    const char *period_from, *period_to;
    int64_t compare_plan_id;
};
enum { SI_FROM = 1u << 0, SI_TO = 1u << 1, SI_COMPARE = 1u << 2 };
static const struct jfield sim_spec[] = {
    {"period_from", J_STR, SI_FROM, offsetof(struct sim_in, period_from), 0, 0, 0,
     "first period (the plan's kind)", 1},
    {"period_to", J_STR, SI_TO, offsetof(struct sim_in, period_to), 0, 0, 0,
     "last period, at most 36 periods", 1},
    {"compare_plan_id", J_I64, SI_COMPARE, offsetof(struct sim_in, compare_plan_id), 0, 0, 0,
     "the plan to compare with (who gains, who loses)"},
    {0},
};

struct reason_in {
    unsigned set;
    const char *reason;
};
static const struct jfield reason_spec[] = {
    {"reason", J_STR, 1, offsetof(struct reason_in, reason), 0, 0, 1,
     "why (reject: required, 1-2000 characters)"},
    {0},
};

/* ---- rendering ---- */

static void render_plan(struct jw *w, const struct comm_plan *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "name", x->name);
    jw_kstr(w, "currency", x->currency);
    jw_kstr(w, "period_kind", x->period_kind);
    jw_kstr(w, "basis", x->basis);
    jw_ki64(w, "default_rate_bp", x->default_rate_bp);
    jw_ki64(w, "threshold_bp", x->threshold_bp);
    jw_ki64n(w, "cap", x->cap, !x->has_cap);
    jw_ki64(w, "bad_debt_days", x->bad_debt_days);
    jw_kstr(w, "note", x->note);
    jw_kbool(w, "active", x->active);
    jw_key(w, "rates");
    jw_arr_begin(w);
    for (size_t i = 0; i < x->n_rates; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "family", x->rates[i].family);
        jw_ki64(w, "rate_bp", x->rates[i].rate_bp);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "tiers");
    jw_arr_begin(w);
    for (size_t i = 0; i < x->n_tiers; i++) {
        jw_obj_begin(w);
        jw_ki64(w, "from_bp", x->tiers[i].from_bp);
        jw_ki64(w, "multiplier_bp", x->tiers[i].multiplier_bp);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "splits");
    jw_arr_begin(w);
    for (size_t i = 0; i < x->n_splits; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "dept_role", x->splits[i].dept_role);
        jw_ki64(w, "share_bp", x->splits[i].share_bp);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "targets");
    jw_arr_begin(w);
    for (size_t i = 0; i < x->n_targets; i++) {
        jw_obj_begin(w);
        jw_ki64(w, "user_id", x->targets[i].user_id);
        jw_kstr(w, "period", x->targets[i].period);
        jw_kstr(w, "period_start", x->targets[i].period_start);
        jw_ki64(w, "amount", x->targets[i].amount);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

/* A plan's per-person targets are personal data: a reader without the org-wide payout grant
 * (an account manager, a team lead) sees their own and those of the people they lead only. */
static enum kam_err visible_targets(struct kam_ctx *ctx, struct comm_plan *x)
{
    if (policy_grant(ctx->who.role, OBJ_PAYOUT, ACT_READ) == GRANT_ALL)
        return KAM_OK;
    size_t k = 0;
    for (size_t i = 0; i < x->n_targets; i++) {
        int yes = 0;
        enum kam_err rc = policy_manages_user(ctx, x->targets[i].user_id, &yes);
        if (rc)
            return rc;
        if (yes)
            x->targets[k++] = x->targets[i];
    }
    x->n_targets = k;
    return KAM_OK;
}

/* A pool's shares carry each person's appraisal score and bonus: the same rule as targets. */
static enum kam_err visible_shares(struct kam_ctx *ctx, struct bonus_pool *x)
{
    if (policy_grant(ctx->who.role, OBJ_PAYOUT, ACT_READ) == GRANT_ALL)
        return KAM_OK;
    size_t k = 0;
    for (size_t i = 0; i < x->n_shares; i++) {
        int yes = 0;
        enum kam_err rc = policy_manages_user(ctx, x->shares[i].user_id, &yes);
        if (rc)
            return rc;
        if (yes)
            x->shares[k++] = x->shares[i];
    }
    x->n_shares = k;
    return KAM_OK;
}

static void render_line(struct jw *w, const struct payout_line *l)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", l->id);
    jw_ki64(w, "seq", l->seq);
    jw_kstr(w, "kind", l->kind);
    jw_kstr(w, "reason", l->reason);
    jw_ki64n(w, "order_line_id", l->order_line_id, !l->has_order_line);
    jw_ki64n(w, "invoice_id", l->invoice_id, !l->has_invoice);
    jw_ki64n(w, "bonus_pool_id", l->bonus_pool_id, !l->has_pool);
    jw_ki64n(w, "account_id", l->account_id, !l->has_account);
    jw_kstr(w, "account_name", l->account_name);
    jw_kstr(w, "family", l->family);
    jw_kstr(w, "day", l->day);
    jw_ki64(w, "line_amount", l->line_amount);
    jw_ki64(w, "share_bp", l->share_bp);
    jw_ki64(w, "basis", l->basis);
    jw_ki64(w, "rate_bp", l->rate_bp);
    jw_ki64(w, "tier", l->tier);
    jw_ki64(w, "multiplier_bp", l->multiplier_bp);
    jw_ki64(w, "amount", l->amount);
    jw_obj_end(w);
}

static void render_payout(struct jw *w, const struct payout *x, int with_lines)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "plan_id", x->plan_id);
    jw_kstr(w, "plan_name", x->plan_name);
    jw_ki64(w, "user_id", x->user_id);
    jw_kstr(w, "user_login", x->user_login);
    jw_kstr(w, "user_name", x->user_name);
    jw_kstr(w, "period", x->period);
    jw_kstr(w, "period_start", x->period_start);
    jw_kstr(w, "period_end", x->period_end);
    jw_kstr(w, "currency", x->currency);
    jw_ki64(w, "total", x->total);
    jw_kstr(w, "status", x->status);
    jw_kstr(w, "reason", x->reason);
    jw_ki64n(w, "approved_by", x->approved_by, !x->has_approved_by);
    jw_ktime_opt(w, "approved_at", x->approved_at, x->has_approved_at);
    jw_ki64(w, "plan_version", x->plan_version);
    jw_ki64n(w, "target", x->target, !x->has_target);
    jw_ki64(w, "credited", x->credited);
    jw_ki64n(w, "attainment_bp", x->attainment_bp, !x->has_attainment);
    jw_ktime(w, "computed_at", x->computed_at);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    if (with_lines) {
        jw_key(w, "lines");
        jw_arr_begin(w);
        for (size_t i = 0; i < x->n_lines; i++)
            render_line(w, &x->lines[i]);
        jw_arr_end(w);
        jw_kbool(w, "lines_more", x->lines_more);
    }
    jw_obj_end(w);
}

static void render_pool(struct jw *w, const struct bonus_pool *x, int with_shares)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "plan_id", x->plan_id);
    jw_kstr(w, "name", x->name);
    jw_kstr(w, "period", x->period);
    jw_kstr(w, "period_start", x->period_start);
    jw_kstr(w, "period_end", x->period_end);
    jw_ki64(w, "amount", x->amount);
    jw_kstr(w, "currency", x->currency);
    jw_ki64n(w, "team_id", x->team_id, !x->has_team);
    jw_kstr(w, "role", x->role);
    jw_ki64(w, "min_score", x->min_score);
    if (with_shares) {
        jw_key(w, "shares");
        jw_arr_begin(w);
        for (size_t i = 0; i < x->n_shares; i++) {
            jw_obj_begin(w);
            jw_ki64(w, "user_id", x->shares[i].user_id);
            jw_kstr(w, "user_name", x->shares[i].user_name);
            jw_ki64(w, "score", x->shares[i].score);
            jw_ki64(w, "amount", x->shares[i].amount);
            jw_obj_end(w);
        }
        jw_arr_end(w);
    }
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static void render_recog(struct jw *w, const struct recognition *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "user_id", x->user_id);
    jw_kstr(w, "user_name", x->user_name);
    jw_kstr(w, "title", x->title);
    jw_kstr(w, "reason", x->reason);
    jw_kstr(w, "day", x->day);
    jw_ki64n(w, "created_by", x->created_by, !x->has_created_by);
    jw_ktime(w, "created_at", x->created_at);
    jw_obj_end(w);
}

static enum kam_err paging(struct api_call *c, int64_t *limit)
{
    enum kam_err rc = api_query_i64(c, "limit", 0, limit);
    if (!rc && http_query(c->req, "limit") && *limit == 0)
        rc = kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    return rc;
}

/* ---- plans ---- */

static enum kam_err cp_list(struct api_call *c)
{
    struct comm_plan_query q = {.cursor = api_query_str(c, "cursor"), .active = -1};
    enum kam_err rc;
    const char *active = api_query_str(c, "active");
    if (active) {
        if (!strcmp(active, "1") || !strcmp(active, "true"))
            q.active = 1;
        else if (!strcmp(active, "0") || !strcmp(active, "false"))
            q.active = 0;
        else
            return kam_fail(c->ctx->err, KAM_EINVAL, "active", "active must be true or false");
    }
    if ((rc = paging(c, &q.limit)))
        return rc;
    struct comm_plan *items;
    size_t n;
    const char *next;
    if ((rc = comm_plan_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    for (size_t i = 0; i < n; i++)
        if ((rc = visible_targets(c->ctx, &items[i])))
            return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_plan(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err cp_create(struct api_call *c)
{
    struct comm_plan_in in = {0};
    enum kam_err rc = api_decode(c, plan_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & CP_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct comm_plan out;
    if ((rc = comm_plan_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_plan(&c->w, &out);
    return KAM_OK;
}

static enum kam_err cp_get(struct api_call *c)
{
    struct comm_plan out;
    enum kam_err rc = comm_plan_get(c->ctx, c->id[0], &out);
    if (!rc)
        rc = visible_targets(c->ctx, &out);
    if (!rc)
        render_plan(&c->w, &out);
    return rc;
}

static enum kam_err cp_patch(struct api_call *c)
{
    struct comm_plan_in in = {0};
    enum kam_err rc = api_decode(c, plan_spec, &in, &in.set);
    if (rc)
        return rc;
    struct comm_plan out;
    if ((rc = comm_plan_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_plan(&c->w, &out);
    return KAM_OK;
}

static void render_sim(struct jw *w, const struct sim_result *r)
{
    jw_obj_begin(w);
    jw_ki64n(w, "plan_id", r->plan_id, r->plan_id == 0);
    jw_ki64n(w, "compare_plan_id", r->compare_plan_id, !r->has_compare);
    jw_kstr(w, "period_from", r->period_from);
    jw_kstr(w, "period_to", r->period_to);
    jw_ki64(w, "periods", r->n_periods);
    jw_ki64(w, "total", r->total);
    jw_ki64n(w, "compare_total", r->compare_total, !r->has_compare);
    jw_key(w, "people");
    jw_arr_begin(w);
    for (size_t i = 0; i < r->n_people; i++) {
        const struct sim_person *p = &r->people[i];
        jw_obj_begin(w);
        jw_ki64(w, "user_id", p->user_id);
        jw_kstr(w, "user_name", p->user_name);
        jw_ki64(w, "amount", p->amount);
        jw_ki64n(w, "compare_amount", p->compare_amount, !r->has_compare);
        jw_ki64n(w, "delta", p->delta, !r->has_compare);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "spread");
    jw_obj_begin(w);
    jw_ki64(w, "n", (int64_t)r->n_people);
    jw_ki64(w, "min", r->spread.min);
    jw_ki64(w, "max", r->spread.max);
    jw_key(w, "q1");
    jw_double(w, r->spread.q1);
    jw_key(w, "median");
    jw_double(w, r->spread.median);
    jw_key(w, "q3");
    jw_double(w, r->spread.q3);
    jw_key(w, "mean");
    jw_double(w, r->spread.mean);
    jw_key(w, "cv");
    jw_double(w, r->spread.cv);
    jw_key(w, "gini");
    jw_double(w, r->spread.gini);
    jw_obj_end(w);
    jw_obj_end(w);
}

static enum kam_err cp_del(struct api_call *c)
{
    enum kam_err rc = comm_plan_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err cp_simulate(struct api_call *c)
{
    struct sim_in in = {0};
    enum kam_err rc = api_decode(c, sim_spec, &in, &in.set);
    if (rc)
        return rc;
    if ((in.set & SI_COMPARE) && in.compare_plan_id <= 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "compare_plan_id", "no such commission plan");
    struct sim_result r;
    if ((rc = payout_simulate(c->ctx, c->id[0], in.period_from, in.period_to, in.compare_plan_id,
                              &r)))
        return rc;
    render_sim(&c->w, &r);
    return KAM_OK;
}

static enum kam_err cp_simulate_new(struct api_call *c)
{
    struct sim_new_in in = {0};
    enum kam_err rc = api_decode(c, sim_new_spec, &in, &in.set);
    if (rc)
        return rc;
    if (!(in.set & SN_PLAN) || !in.plan_given)
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "plan", "required",
                            (struct kam_param[]){{"field", "plan"}, {0}}, "plan is required");
    if ((in.set & SN_COMPARE) && in.compare_plan_id <= 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "compare_plan_id", "no such commission plan");
    struct comm_plan p;
    if ((rc = comm_plan_check(c->ctx, &in.plan, &p))) {
        /* the plan's fields are named under plan. */
        struct kam_error *e = c->ctx->err;
        if (rc == KAM_EINVAL && e->field[0]) {
            char f[sizeof e->field + 8];
            snprintf(f, sizeof f, "plan.%.*s", (int)(sizeof e->field - 1), e->field);
            size_t n = strlen(f);
            if (n >= sizeof e->field)
                n = sizeof e->field - 1;
            memcpy(e->field, f, n);
            e->field[n] = 0;
        }
        return rc;
    }
    struct sim_result r;
    if ((rc = payout_simulate_plan(c->ctx, &p, in.period_from, in.period_to, in.compare_plan_id,
                                   &r)))
        return rc;
    render_sim(&c->w, &r);
    return KAM_OK;
}

/* ---- bonus pools ---- */

static enum kam_err bp_list(struct api_call *c)
{
    struct bonus_pool_query q = {.cursor = api_query_str(c, "cursor")};
    enum kam_err rc;
    if ((rc = paging(c, &q.limit)) || (rc = api_query_i64(c, "plan_id", 0, &q.plan_id)))
        return rc;
    struct bonus_pool *items;
    size_t n;
    const char *next;
    if ((rc = bonus_pool_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_pool(&c->w, &items[i], 0);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err bp_create(struct api_call *c)
{
    struct bonus_pool_in in = {0};
    enum kam_err rc = api_decode(c, pool_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & BP_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct bonus_pool out;
    if ((rc = bonus_pool_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_pool(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err bp_get(struct api_call *c)
{
    struct bonus_pool out;
    enum kam_err rc = bonus_pool_get(c->ctx, c->id[0], &out);
    if (!rc)
        rc = visible_shares(c->ctx, &out);
    if (!rc)
        render_pool(&c->w, &out, 1);
    return rc;
}

static enum kam_err bp_patch(struct api_call *c)
{
    struct bonus_pool_in in = {0};
    enum kam_err rc = api_decode(c, pool_spec, &in, &in.set);
    if (rc)
        return rc;
    struct bonus_pool out;
    if ((rc = bonus_pool_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_pool(&c->w, &out, 1);
    return KAM_OK;
}

/* ---- recognition ---- */

static enum kam_err rg_list(struct api_call *c)
{
    struct recognition_query q = {.cursor = api_query_str(c, "cursor")};
    enum kam_err rc;
    if ((rc = paging(c, &q.limit)) || (rc = api_query_user(c, "user_id", &q.user_id)))
        return rc;
    struct recognition *items;
    size_t n;
    const char *next;
    if ((rc = recognition_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_recog(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err rg_create(struct api_call *c)
{
    struct recognition_in in = {0};
    enum kam_err rc = api_decode(c, recog_spec, &in, &in.set);
    if (rc)
        return rc;
    struct recognition out;
    if ((rc = recognition_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_recog(&c->w, &out);
    return KAM_OK;
}

/* ---- payouts ---- */

static enum kam_err po_compute(struct api_call *c)
{
    struct payout_compute_in in = {0};
    enum kam_err rc = api_decode(c, compute_spec, &in, &in.set);
    if (rc)
        return rc;
    struct payout_compute_out out;
    if ((rc = payout_compute(c->ctx, &in, &out)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < out.n; i++)
        render_payout(w, &out.items[i], 0);
    jw_arr_end(w);
    jw_key(w, "skipped");
    jw_arr_begin(w);
    for (size_t i = 0; i < out.n_skipped; i++)
        jw_i64(w, out.skipped[i]);
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err po_list_q(struct api_call *c, struct payout_query *q)
{
    q->cursor = api_query_str(c, "cursor");
    q->period = api_query_str(c, "period");
    q->status = api_query_str(c, "status");
    enum kam_err rc;
    if ((rc = paging(c, &q->limit)) || (rc = api_query_i64(c, "plan_id", 0, &q->plan_id)))
        return rc;
    struct payout *items;
    size_t n;
    const char *next;
    if ((rc = payout_list(c->ctx, q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_payout(&c->w, &items[i], 0);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err po_list(struct api_call *c)
{
    struct payout_query q = {0};
    enum kam_err rc = api_query_user(c, "user_id", &q.user_id);
    return rc ? rc : po_list_q(c, &q);
}

static enum kam_err po_of_user(struct api_call *c)
{
    struct payout_query q = {.user_id = c->id[0]};
    return po_list_q(c, &q);
}

static enum kam_err po_get(struct api_call *c)
{
    struct payout out;
    enum kam_err rc = payout_get(c->ctx, c->id[0], 1, &out);
    if (!rc)
        render_payout(&c->w, &out, 1);
    return rc;
}

static enum kam_err po_lines(struct api_call *c)
{
    struct payout_line_query q = {.cursor = api_query_str(c, "cursor")};
    enum kam_err rc;
    if ((rc = paging(c, &q.limit)))
        return rc;
    struct payout_line *items;
    size_t n;
    const char *next;
    if ((rc = payout_lines(c->ctx, c->id[0], &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_line(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err po_move(struct api_call *c, const char *action)
{
    struct reason_in in = {0};
    enum kam_err rc = api_decode(c, reason_spec, &in, &in.set);
    if (rc)
        return rc;
    struct payout out;
    if ((rc = payout_move(c->ctx, c->id[0], action, in.reason, &out)))
        return rc;
    render_payout(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err po_submit(struct api_call *c)
{
    return po_move(c, "submit");
}
static enum kam_err po_approve(struct api_call *c)
{
    return po_move(c, "approve");
}
static enum kam_err po_reject(struct api_call *c)
{
    return po_move(c, "reject");
}
static enum kam_err po_pay(struct api_call *c)
{
    return po_move(c, "pay");
}

/* ---- the payroll workbook: a sheet of people, a sheet of lines ---- */

static enum kam_err xlsx_err(struct kam_ctx *ctx, lxw_error err)
{
    return kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be written: %s",
                    lxw_strerror(err));
}

static double major(int64_t v, const char *cur)
{
    double x = (double)v;
    for (int i = currency_minor_digits(cur); i > 0; i--)
        x /= 10;
    return x;
}

static enum kam_err fill_payroll(struct kam_ctx *ctx, lxw_workbook *wb, const struct payout *s,
                                 size_t n)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Payroll"),
                  *wl = workbook_add_worksheet(wb, "Lines");
    lxw_format *bold = workbook_add_format(wb), *money = workbook_add_format(wb);
    if (!ws || !wl || !bold || !money)
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    format_set_bold(bold);
    format_set_num_format(money, "#,##0.00");
    static const char *const h1[] = {"login", "name",   "period",      "currency",
                                     "total", "status", "statement_id"};
    static const char *const h2[] = {"login",         "period",     "seq",     "kind",    "reason",
                                     "order_line_id", "invoice_id", "account", "family",  "day",
                                     "line_amount",   "share_bp",   "basis",   "rate_bp", "tier",
                                     "multiplier_bp", "amount"};
    lxw_error err = LXW_NO_ERROR;
    for (size_t c = 0; c < sizeof h1 / sizeof h1[0] && !err; c++)
        err = worksheet_write_string(ws, 0, (lxw_col_t)c, h1[c], bold);
    for (size_t c = 0; c < sizeof h2 / sizeof h2[0] && !err; c++)
        err = worksheet_write_string(wl, 0, (lxw_col_t)c, h2[c], bold);
    lxw_row_t lr = 1;
    for (size_t i = 0; i < n && !err; i++) {
        const struct payout *x = &s[i];
        lxw_row_t r = (lxw_row_t)(i + 1);
        if ((err = worksheet_write_string(ws, r, 0, x->user_login, NULL)) ||
            (err = worksheet_write_string(ws, r, 1, x->user_name, NULL)) ||
            (err = worksheet_write_string(ws, r, 2, x->period, NULL)) ||
            (err = worksheet_write_string(ws, r, 3, x->currency, NULL)) ||
            (err = worksheet_write_number(ws, r, 4, major(x->total, x->currency), money)) ||
            (err = worksheet_write_string(ws, r, 5, x->status, NULL)) ||
            (err = worksheet_write_number(ws, r, 6, (double)x->id, NULL)))
            break;
        for (size_t k = 0; k < x->n_lines && !err; k++, lr++) {
            if (lr >= LXW_ROW_MAX)
                return kam_fail(ctx->err, KAM_ETOOBIG, "period", "too many lines for a worksheet");
            const struct payout_line *l = &x->lines[k];
            const double nums[] = {(double)l->line_amount, (double)l->share_bp,
                                   (double)l->basis,       (double)l->rate_bp,
                                   (double)l->tier,        (double)l->multiplier_bp};
            if ((err = worksheet_write_string(wl, lr, 0, x->user_login, NULL)) ||
                (err = worksheet_write_string(wl, lr, 1, x->period, NULL)) ||
                (err = worksheet_write_number(wl, lr, 2, (double)l->seq, NULL)) ||
                (err = worksheet_write_string(wl, lr, 3, l->kind, NULL)) ||
                (err = worksheet_write_string(wl, lr, 4, l->reason, NULL)))
                break;
            if (l->has_order_line)
                err = worksheet_write_number(wl, lr, 5, (double)l->order_line_id, NULL);
            if (!err && l->has_invoice)
                err = worksheet_write_number(wl, lr, 6, (double)l->invoice_id, NULL);
            if (!err && l->account_name)
                err = worksheet_write_string(wl, lr, 7, l->account_name, NULL);
            if (!err)
                err = worksheet_write_string(wl, lr, 8, l->family, NULL);
            if (!err)
                err = worksheet_write_string(wl, lr, 9, l->day, NULL);
            for (int j = 0; j < 6 && !err; j++)
                err = worksheet_write_number(wl, lr, (lxw_col_t)(10 + j), nums[j], NULL);
            if (!err)
                err = worksheet_write_number(wl, lr, 16, major(l->amount, x->currency), money);
        }
    }
    return err ? xlsx_err(ctx, err) : KAM_OK;
}

static enum kam_err po_payroll(struct api_call *c)
{
    struct kam_ctx *ctx = c->ctx;
    const char *period = api_query_str(c, "period"), *status = api_query_str(c, "status");
    struct payout *s;
    size_t n;
    enum kam_err rc = payout_payroll(ctx, period, status, &s, &n);
    if (rc)
        return rc;
    if (n >= LXW_ROW_MAX)
        return kam_fail(ctx->err, KAM_ETOOBIG, "period", "too many statements for a worksheet");
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/kam-payroll-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return kam_fail(ctx->err, KAM_EIO, "", "cannot create a temporary file");
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    if (!wb) {
        unlink(path);
        return kam_fail(ctx->err, KAM_EIO, "", "cannot start the workbook");
    }
    rc = fill_payroll(ctx, wb, s, n);
    if (rc) {
        lxw_workbook_free(wb);
    } else {
        lxw_error err = workbook_close(wb);
        if (err) {
            rc = xlsx_err(ctx, err);
        } else {
            buf_reset(&c->resp->body);
            FILE *f = fopen(path, "rb");
            if (!f) {
                rc = kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be read back");
            } else {
                char chunk[65536];
                size_t k;
                while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
                    buf_append(&c->resp->body, chunk, k);
                if (ferror(f))
                    rc = kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be read back");
                fclose(f);
                if (!rc && !buf_ok(&c->resp->body))
                    rc = kam_fail(ctx->err, KAM_ETOOBIG, "period", "the workbook is too large");
            }
        }
    }
    unlink(path);
    if (rc) {
        buf_reset(&c->resp->body);
        return rc;
    }
    c->resp->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    http_resp_header(c->resp, "Content-Disposition",
                     arena_printf(ctx->a, "attachment; filename=\"payroll-%s.xlsx\"", period));
    http_resp_header(c->resp, "Cache-Control", "no-store");
    return KAM_OK;
}

/* ---- routes ---- */

static const char *const cp_list_query[] = {"active", "limit", "cursor", NULL};
static const char *const bp_list_query[] = {"plan_id", "limit", "cursor", NULL};
static const char *const rg_list_query[] = {"user_id", "limit", "cursor", NULL};
static const char *const po_list_query[] = {"user_id", "plan_id", "period", "status",
                                            "limit",   "cursor",  NULL};
static const char *const po_user_query[] = {"plan_id", "period", "status", "limit", "cursor", NULL};
static const char *const page_query[] = {"limit", "cursor", NULL};
static const char *const payroll_query[] = {"period", "status", NULL};
static const char *cp_export_query[API_EXPORT_QUERY_MAX];
static const char *bp_export_query[API_EXPORT_QUERY_MAX];
static const char *rg_export_query[API_EXPORT_QUERY_MAX];
static const char *po_export_query[API_EXPORT_QUERY_MAX];

#define EXPORT_DOC                                                                                 \
    " over all its pages, with its filters, as a file: format=csv (default) or xlsx; "             \
    "columns=key[:label],...; lang=zh-CN|zh-TW|en; raw=1 keeps stored values"

const struct route api_routes_incentives[] = {
    {"GET", "/api/v1/commission-plans", cp_list, OBJ_COMMISSION, ACT_READ, SCOPE_NONE, NULL,
     cp_list_query, 200, "Commission plans with their rates, tiers, splits and targets; by name",
     "[CommissionPlan]"},
    {"GET", "/api/v1/commission-plans/export", api_list_export, OBJ_COMMISSION, ACT_READ,
     SCOPE_NONE, NULL, cp_export_query, 200, "The commission plans list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/commission-plans", cp_create, OBJ_COMMISSION, ACT_CREATE, SCOPE_NONE,
     plan_spec, NULL, 201, "Make a commission plan (docs/TEAM.md \"Incentives\" for the rules)",
     "CommissionPlan"},
    {"GET", "/api/v1/commission-plans/:id", cp_get, OBJ_COMMISSION, ACT_READ, SCOPE_NONE, NULL,
     NULL, 200, "One commission plan", "CommissionPlan"},
    {"PATCH", "/api/v1/commission-plans/:id", cp_patch, OBJ_COMMISSION, ACT_UPDATE, SCOPE_NONE,
     plan_spec, NULL, 200,
     "Change a plan (lists replaced whole; a new version; statements keep the version they were "
     "computed with)",
     "CommissionPlan"},
    {"DELETE", "/api/v1/commission-plans/:id", cp_del, OBJ_COMMISSION, ACT_DELETE, SCOPE_NONE, NULL,
     NULL, 204,
     "Delete a plan without statements or bonus pools (else 409 commission_plan.in_use: make "
     "it inactive)",
     "-"},
    {"POST", "/api/v1/commission-plans/simulate", cp_simulate_new, OBJ_COMMISSION, ACT_UPDATE,
     SCOPE_NONE, sim_new_spec, NULL, 200,
     "What-if for a plan body not saved (plan: as for POST /commission-plans): as "
     "/commission-plans/{id}/simulate; writes nothing",
     "CommissionSimulation"},
    {"POST", "/api/v1/commission-plans/:id/simulate", cp_simulate, OBJ_COMMISSION, ACT_UPDATE,
     SCOPE_NONE, sim_spec, NULL, 200,
     "What-if: the plan on past periods (commission only): cost, per person, spread, and with "
     "compare_plan_id who gains and who loses; writes nothing",
     "CommissionSimulation"},
    {"GET", "/api/v1/bonus-pools", bp_list, OBJ_COMMISSION, ACT_READ, SCOPE_NONE, NULL,
     bp_list_query, 200, "Bonus pools, newest first (without shares)", "[BonusPool]"},
    {"GET", "/api/v1/bonus-pools/export", api_list_export, OBJ_COMMISSION, ACT_READ, SCOPE_NONE,
     NULL, bp_export_query, 200, "The bonus pools list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/bonus-pools", bp_create, OBJ_COMMISSION, ACT_CREATE, SCOPE_NONE, pool_spec,
     NULL, 201, "A bonus pool for a plan period, shared by appraisal score", "BonusPool"},
    {"GET", "/api/v1/bonus-pools/:id", bp_get, OBJ_COMMISSION, ACT_READ, SCOPE_NONE, NULL, NULL,
     200,
     "A bonus pool with its shares as the scorecards stand (a reader without the org-wide payout "
     "grant sees their own share and those of the people they lead)",
     "BonusPool"},
    {"PATCH", "/api/v1/bonus-pools/:id", bp_patch, OBJ_COMMISSION, ACT_UPDATE, SCOPE_NONE,
     pool_spec, NULL, 200, "Change a bonus pool (not its plan)", "BonusPool"},
    {"GET", "/api/v1/recognitions", rg_list, OBJ_COMMISSION, ACT_READ, SCOPE_NONE, NULL,
     rg_list_query, 200, "Non-monetary recognition: user_id (or me); newest day first",
     "[Recognition]"},
    {"GET", "/api/v1/recognitions/export", api_list_export, OBJ_COMMISSION, ACT_READ, SCOPE_NONE,
     NULL, rg_export_query, 200, "The recognition list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/recognitions", rg_create, OBJ_COMMISSION, ACT_CREATE, SCOPE_NONE, recog_spec,
     NULL, 201, "Recognise a person (title, reason, day)", "Recognition"},
    {"POST", "/api/v1/payouts/compute", po_compute, OBJ_PAYOUT, ACT_CREATE, SCOPE_NONE,
     compute_spec, NULL, 200,
     "Make or refresh the draft statements of a plan period (frozen ones: 409 when named, else "
     "skipped)",
     "PayoutComputed"},
    {"GET", "/api/v1/payouts", po_list, OBJ_PAYOUT, ACT_READ, SCOPE_NONE, NULL, po_list_query, 200,
     "Payout statements the caller may read (own, their team's; org-wide roles all): user_id "
     "(or me), plan_id, period, status; newest period first",
     "[Payout]"},
    {"GET", "/api/v1/payouts/export", api_list_export, OBJ_PAYOUT, ACT_READ, SCOPE_NONE, NULL,
     po_export_query, 200, "The payout statements list" EXPORT_DOC, "csv"},
    {"GET", "/api/v1/payouts/payroll", po_payroll, OBJ_PAYOUT, ACT_READ, SCOPE_NONE, NULL,
     payroll_query, 200,
     "The payroll workbook (.xlsx) of a period: a sheet of one row per statement (login, name, "
     "period, currency, total), a sheet of the lines; status default approved",
     "xlsx"},
    {"GET", "/api/v1/payouts/:id", po_get, OBJ_PAYOUT, ACT_READ, SCOPE_PAYOUT, NULL, NULL, 200,
     "One statement with its first 200 lines (lines_more: the rest at /lines)", "Payout"},
    {"GET", "/api/v1/payouts/:id/lines", po_lines, OBJ_PAYOUT, ACT_READ, SCOPE_PAYOUT, NULL,
     page_query, 200, "A statement's lines in order; keyset paging", "[PayoutLine]"},
    {"POST", "/api/v1/payouts/:id/submit", po_submit, OBJ_PAYOUT, ACT_CREATE, SCOPE_PAYOUT,
     reason_spec, NULL, 200, "Submit a draft (or rejected) statement for finance's approval",
     "Payout"},
    {"POST", "/api/v1/payouts/:id/approve", po_approve, OBJ_PAYOUT, ACT_UPDATE, SCOPE_PAYOUT,
     reason_spec, NULL, 200, "Finance approves a submitted statement: it is frozen", "Payout"},
    {"POST", "/api/v1/payouts/:id/reject", po_reject, OBJ_PAYOUT, ACT_UPDATE, SCOPE_PAYOUT,
     reason_spec, NULL, 200, "Finance rejects a submitted statement (reason required)", "Payout"},
    {"POST", "/api/v1/payouts/:id/pay", po_pay, OBJ_PAYOUT, ACT_UPDATE, SCOPE_PAYOUT, reason_spec,
     NULL, 200, "Mark an approved statement paid", "Payout"},
    {"GET", "/api/v1/users/:id/payouts", po_of_user, OBJ_PAYOUT, ACT_READ, SCOPE_USER, NULL,
     po_user_query, 200, "A person's payout statements (themselves, their lead, org-wide roles)",
     "[Payout]"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/commission-plans/export", cp_export_query);
    api_list_export_query("/api/v1/bonus-pools/export", bp_export_query);
    api_list_export_query("/api/v1/recognitions/export", rg_export_query);
    api_list_export_query("/api/v1/payouts/export", po_export_query);
}
