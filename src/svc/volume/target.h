/* target.h -- volume target plans and their decomposition (F4.3).
 *
 * A plan is a yearly total (whole yuan or pieces) for a scope (all, or one region / channel /
 * family) with SMART fields. Decomposing splits the total over cells -- one per combination of
 * the plan's dims (account, family, region, channel, month, owner: the accounts' account
 * manager, team: the owner's team, both as at decomposition; a cell by owner also records the
 * owner's team, so it rolls up by team) seen in the basis -- in proportion
 * to a basis: last year's actuals, the forecast, the accounts' potential (wallet estimates),
 * equal, or a blend. The split is exact (analytics/alloc.c: integer largest remainder, ties by
 * the cell's key), so both storage engines give the same cells. Cells can then be set and
 * locked at any granularity the grid shows: the selection is split inside in proportion to its
 * current values, and the unlocked rest rebalances so the plan total holds exactly. Every
 * change is an adjustment with its reason (required once the plan is approved) and an audit
 * row. Account managers propose their accounts' targets bottom-up; the director approves. */
#ifndef KAM_TARGET_H
#define KAM_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define TARGET_MAX_CELLS 200000

/* The cells (alias c) a scoped reader sees by person (after POLICY_SCOPE_WITH, whose sub and mt
 * are policy_kpi_lines' people and teams): the cells of no person or team, their own and their
 * people's, and their teams'. One rule for the grid, the sums and the KPIs' targets. */
#define TARGET_CELL_PEOPLE_COND                                                                    \
    "((c.owner_id = 0 AND c.team_id = 0) OR c.owner_id IN (SELECT uid FROM sub) OR (c.owner_id = " \
    "0 AND c.team_id IN (SELECT id FROM mt)))"

enum {
    TD_ACCOUNT = 1 << 0,
    TD_FAMILY = 1 << 1,
    TD_REGION = 1 << 2,
    TD_CHANNEL = 1 << 3,
    TD_MONTH = 1 << 4,
    TD_OWNER = 1 << 5, /* the accounts' owner (account manager) at decomposition */
    TD_TEAM = 1 << 6,  /* that owner's team */
};

struct target_plan {
    int64_t id, year, total, owner_id, approved_by, approved_at, deadline, decomposed_at, version,
        created_at, updated_at, cells;
    int has_approved, has_decomposed;
    unsigned dims;
    const char *name, *measure, *basis, *blend, *scope_region, *scope_channel, *scope_family,
        *status, *specific, *measurable, *achievable, *relevant;
};

enum {
    TP_YEAR = 1 << 0,
    TP_NAME = 1 << 1,
    TP_MEASURE = 1 << 2,
    TP_TOTAL = 1 << 3,
    TP_DIMS = 1 << 4,
    TP_BASIS = 1 << 5,
    TP_BLEND = 1 << 6,
    TP_SCOPE_REGION = 1 << 7,
    TP_SCOPE_CHANNEL = 1 << 8,
    TP_SCOPE_FAMILY = 1 << 9,
    TP_SPECIFIC = 1 << 10,
    TP_MEASURABLE = 1 << 11,
    TP_ACHIEVABLE = 1 << 12,
    TP_RELEVANT = 1 << 13,
    TP_DEADLINE = 1 << 14,
    TP_VERSION = 1 << 15,
    TP_REASON = 1 << 16,
    TP_OWNER = 1 << 17,
};

struct target_in {
    unsigned set;
    int64_t year, total, version, owner_id;
    const char *name, *measure, *dims, *basis, *blend, *scope_region, *scope_channel, *scope_family,
        *specific, *measurable, *achievable, *relevant, *deadline, *reason;
};

/* dims text ("account,family,month") <-> bits; -1 when a name is unknown. */
int target_dims_parse(const char *s, unsigned *out);
const char *target_dims_text(struct kam_ctx *ctx, unsigned dims);

enum kam_err target_create(struct kam_ctx *ctx, const struct target_in *in,
                           struct target_plan *out);
enum kam_err target_get(struct kam_ctx *ctx, int64_t id, struct target_plan *out);
/* A new total rebalances the unlocked cells; an approved plan needs a reason. */
enum kam_err target_update(struct kam_ctx *ctx, int64_t id, const struct target_in *in,
                           struct target_plan *out);
/* Drafts only. */
enum kam_err target_delete(struct kam_ctx *ctx, int64_t id);
enum kam_err target_list(struct kam_ctx *ctx, int64_t year, struct target_plan **items_out,
                         size_t *n_out);

/* (Re)computes every cell from the plan's basis; locks are cleared. */
enum kam_err target_decompose(struct kam_ctx *ctx, int64_t id, const char *reason,
                              struct target_plan *out);
/* draft -> submitted; submitted/draft -> approved (the route checks who may). Separation of
 * duties: the plan's author (its audited creator) may not approve it (409, key
 * plan_self_approval). */
enum kam_err target_submit(struct kam_ctx *ctx, int64_t id, struct target_plan *out);
enum kam_err target_approve(struct kam_ctx *ctx, int64_t id, const char *note,
                            struct target_plan *out);

/* A set of cells: each given field narrows it (account_id, owner_id, team_id, month 0 and NULL
 * texts: any). */
struct target_sel {
    int64_t account_id, month, owner_id, team_id;
    const char *family, *region, *channel;
};

/* Sets the selection's total to value (when has_value) and/or locks or unlocks it (lock: -1
 * leave, 0 unlock, 1 lock). KAM_ECONFLICT when locked cells leave no room. *changed_out counts
 * the cells whose value changed. */
enum kam_err target_set_cells(struct kam_ctx *ctx, int64_t id, const struct target_sel *sel,
                              int has_value, int64_t value, int lock, const char *reason,
                              int64_t *changed_out);

/* The grid: sums of cells by a row dim and a column dim (TD_* bit; 0 = no split). */
struct target_gcell {
    const char *col;
    int64_t value;
    int locked; /* 0 none, 1 some, 2 all */
};
struct target_grow {
    const char *key, *label;
    int64_t total;
    struct target_gcell *cells; /* ncols, in the order of cols */
};
struct target_grid {
    unsigned rows_dim, cols_dim;
    const char **cols, **col_labels;
    size_t ncols;
    struct target_grow *rows;
    size_t nrows;
    int64_t *col_totals;
    int64_t total;
};
enum kam_err target_grid(struct kam_ctx *ctx, int64_t id, unsigned rows_dim, unsigned cols_dim,
                         const struct target_sel *filter, struct target_grid *out);

struct target_adjustment {
    int64_t id, from_value, to_value, user_id, at;
    int has_from, has_to, has_user;
    const char *selection, *action, *reason, *user_login;
};
enum kam_err target_adjustments(struct kam_ctx *ctx, int64_t id,
                                struct target_adjustment **items_out, size_t *n_out);

/* Bottom-up: per account (by_region 0) or per region of the accounts (1), the top-down cells
 * against the account teams' proposals. */
struct target_bu {
    const char *key, *label;
    int64_t top_down, proposal;
    int has_proposal;
};
enum kam_err target_bottom_up(struct kam_ctx *ctx, int64_t id, int by_region,
                              struct target_bu **items_out, size_t *n_out, int64_t *td_total,
                              int64_t *proposal_total);
enum kam_err target_propose(struct kam_ctx *ctx, int64_t plan_id, int64_t account_id, int64_t value,
                            const char *note);

/* Target of a selection over months [m_from, m_to] (1..12) of the plan: the sum of its cells,
 * months spread evenly when the plan is not split by month (rounded down to whole units). */
enum kam_err target_sum(struct kam_ctx *ctx, const struct target_plan *p,
                        const struct target_sel *sel, int m_from, int m_to, int64_t *out);

#endif
