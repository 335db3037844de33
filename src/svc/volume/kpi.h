/* kpi.h -- actual against target for any dimension and period (F4.5).
 *
 * For each key of a dimension (or the total): the actual of the period, last year's (like for
 * like, growth.h: the same days a year before, as far as this year has come), the
 * target from the plan's cells, attainment, a run-rate projection (actual per elapsed day times
 * the period's days) and a forecast-based projection (the complete months' actual plus the
 * forecast of the months left), share of wallet for accounts (the last twelve months against
 * the account's wallet estimate) and a status: on track (projection >= target), at risk
 * (>= kpi_offtrack_pct % of it, default 90) or off track. Growth compares like for like
 * (growth.h: the same days of last year). Satisfaction stays empty until surveys exist; every
 * missing figure says why (kpi_item.why_*). kpi_alerts() turns off-track keys of approved plans
 * into notifications. */
#ifndef KAM_KPI_H
#define KAM_KPI_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"
#include "target.h"
#include "volume.h"

struct kpi_period {
    int from, to;          /* yyyymm, inclusive */
    int64_t days, elapsed; /* calendar days in the period, of them passed by today */
};

/* "2026", "2026-Q3", "2026-03". -1 when malformed. */
int kpi_period_parse(const char *s, struct kpi_period *out);

struct kpi_item {
    const char *key, *label;
    int64_t actual, last_year; /* measure units (minor units / thousandths) */
    int64_t target;            /* whole units */
    int has_target, has_last_year, has_projection, has_wallet, has_growth;
    int64_t run_rate, projection; /* measure units */
    double attainment_pct, projection_pct, growth_pct, wallet_pct;
    const char *status; /* on_track | at_risk | off_track | no_target */
    /* Why a figure is missing (NULL when it is there): target (and attainment, projection_pct)
     * no_plan | plan_other_year | plan_not_split | not_in_plan; projection no_forecast; growth
     * not_started | no_sales_last_year; wallet accounts_only | no_wallet_estimate.
     * Satisfaction (account rows: the NPS of the last 365 days, issue 14): why_sat
     * too_few_responses (fewer than 3 answers for a reader who may not read responses), NULL
     * when there is none (the API says no_surveys). */
    const char *why_target, *why_projection, *why_growth, *why_wallet, *why_sat;
    int has_sat;
    double sat_nps;
    /* by owner / team: 1 = the best attainment; the lines without one (no target, a target of
     * 0) after them by actual (so without a plan, by actual) */
    int rank;
    /* kpi_compute_groups: a group's row, rolled up (its readable subsidiaries added, group_hidden
     * left out); 0 for a row of the account alone. */
    int is_group;
    int64_t group_subs, group_hidden;
    /* A target of 0: attainment and projection_pct are null, why "target_zero" (NULL else). */
    const char *why_attainment;
    /* A line named by a message key instead of a record (by team: "kpi_no_team", the owners
     * without a team, key "0"); NULL for the others. */
    const char *label_key;
};

enum kpi_group { KPI_BY_OWNER = 1, KPI_BY_TEAM = 2 };

struct kpi_report {
    struct kpi_period period;
    int quantity;
    enum volume_dim by;
    enum kpi_group group; /* 0, or the people dimension (by is then VD_ACCOUNT underneath) */
    struct kpi_item total;
    struct kpi_item *items;
    size_t n;
};

/* plan may be NULL (no targets). sel narrows the accounts/families/... as for volume. */
enum kam_err kpi_compute(struct kam_ctx *ctx, const struct target_plan *plan,
                         const struct volume_sel *sel, enum volume_dim by,
                         const struct kpi_period *period, size_t limit, struct kpi_report *out);

/* KPIs per account manager (the accounts' owners) or per team (the owners' teams): each line
 * sums the accounts' figures (actual, last year, run rate, projection: only when every account
 * has one); its target is the plan's owner (team) cells for a plan split by owner or team and
 * not by account, else its account cells rolled up by the accounts' current owners. Lines are
 * ranked by attainment (业绩排行), then by actual, among the lines shown. Who sees which line:
 * policy_kpi_lines() (an account manager their own, a team lead their teams' people and teams,
 * org-wide readers all); the total is the sum of the lines shown. */
enum kam_err kpi_compute_people(struct kam_ctx *ctx, const struct target_plan *plan,
                                const struct volume_sel *sel, enum kpi_group g,
                                const struct kpi_period *period, struct kpi_report *out);

/* KPIs by account with groups rolled up (by=account&subsidiaries=1 without an account): every
 * account the caller reads has its row alone, except a group (an account with subsidiaries),
 * whose row adds up the group's readable accounts (kpi_compute with subsidiaries: actual, last
 * year, target cells, projection, wallet) and is marked (is_group). Its subsidiaries keep their
 * own rows too, so the rows overlap: the total is the selection's, each account counted once
 * (the same total as without subsidiaries), never the sum of the rows. A group with no sales
 * and no target of its own still gets its row when its group has some. Rows by actual, largest
 * first; at most VOLUME_MAX_KEYS groups (more: KAM_EINVAL on subsidiaries). */
enum kam_err kpi_compute_groups(struct kam_ctx *ctx, const struct target_plan *plan,
                                const struct volume_sel *sel, const struct kpi_period *period,
                                struct kpi_report *out);

/* For every approved plan of this year: notifies account owners of their off-track accounts
 * and the plan's owner when the plan's total is off track, once a month each. */
enum kam_err kpi_alerts(struct kam_ctx *ctx, int *sent_out);

#endif
