/* payout.h -- payout statements: computed per person and plan period from the order lines,
 * targets, invoices and bonus pools (commission.h has the rules), explained line by line;
 * the workflow draft -> submitted -> approved | rejected -> paid; lists, the payroll workbook
 * and the what-if simulator (issue 18 item 4; docs/TEAM.md "Incentives").
 *
 * Personal data (OBJ_PAYOUT): a statement is in the record scope of its person and of those who
 * lead them; lists filter by the same rule in SQL. Audit entity "payout_statement" (actions
 * create, recompute, submit, approve, reject, pay).
 *
 * Computing (POST /payouts/compute, OBJ_PAYOUT create): for each person a draft statement is
 * made or refreshed (its lines replaced). A submitted, approved or paid statement is frozen:
 * a person named in user_ids whose statement is frozen -> 409 payout.frozen, nothing written;
 * without user_ids (everyone with a statement line: owners and team members of accounts with
 * order lines in the period, people with a target or a bonus share) frozen ones are skipped
 * and listed. Credit follows the account team as it is now (account_members keeps no history). */
#ifndef KAM_SVC_PAYOUT_H
#define KAM_SVC_PAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "commission.h"
#include "svc/core/ctx.h"

#define PAYOUT_USERS_MAX 50 /* = API_MAX_IDS */
#define PAYOUT_REASON_MAX 2000
#define PAYOUT_LINES_INLINE 200 /* GET /payouts/:id: the first lines; the rest: /lines */
#define PAYOUT_SIM_PERIODS 36
#define PAYOUT_PEOPLE_MAX 2000

extern const char *const payout_statuses[]; /* draft submitted approved rejected paid */

struct payout {
    int64_t id, plan_id, user_id, total, approved_by, approved_at, plan_version, target, credited,
        attainment_bp, computed_at, version, created_at, updated_at;
    int has_approved_by, has_approved_at, has_target, has_attainment;
    const char *plan_name, *user_login, *user_name, *period, *period_start, *period_end, *currency,
        *status, *reason;
    struct payout_line *lines;
    size_t n_lines;
    int lines_more; /* more lines than PAYOUT_LINES_INLINE */
};

/* with_lines: the first PAYOUT_LINES_INLINE lines. */
enum kam_err payout_get(struct kam_ctx *ctx, int64_t id, int with_lines, struct payout *out);

struct payout_compute_in {
    unsigned set;
    int64_t plan_id;
    const char *period;
    int64_t user_ids[PAYOUT_USERS_MAX];
    int n_users, users_given;
};
enum { PC_PLAN = 1u << 0, PC_PERIOD = 1u << 1, PC_USERS = 1u << 2 };
struct payout_compute_out {
    struct payout *items; /* without lines */
    size_t n;
    int64_t *skipped; /* frozen statements left as they are (their ids) */
    size_t n_skipped;
};
enum kam_err payout_compute(struct kam_ctx *ctx, const struct payout_compute_in *in,
                            struct payout_compute_out *out);

/* action: submit (draft | rejected -> submitted), approve (submitted -> approved),
 * reject (submitted -> rejected; reason 1..2000 characters required), pay (approved -> paid).
 * Another move: 409 payout.bad_transition. */
enum kam_err payout_move(struct kam_ctx *ctx, int64_t id, const char *action, const char *reason,
                         struct payout *out);

struct payout_query {
    int64_t plan_id, user_id, limit;
    const char *period, *status, *cursor;
};
/* Statements the caller may read (person scope), newest period first. */
enum kam_err payout_list(struct kam_ctx *ctx, const struct payout_query *q,
                         struct payout **items_out, size_t *n_out, const char **next_out);

struct payout_line_query {
    int64_t limit;
    const char *cursor;
};
/* A statement's lines in seq order (the caller checked the statement's scope). */
enum kam_err payout_lines(struct kam_ctx *ctx, int64_t statement_id,
                          const struct payout_line_query *q, struct payout_line **items_out,
                          size_t *n_out, const char **next_out);

/* The payroll: every statement of the period (label of any kind: "2026-Q3", "2026-07",
 * "2026") and status (default approved) the caller may read, by login, each with all its
 * lines. */
enum kam_err payout_payroll(struct kam_ctx *ctx, const char *period, const char *status,
                            struct payout **items_out, size_t *n_out);

/* ---- the simulator ---- */

struct sim_person {
    int64_t user_id, amount, compare_amount, delta;
    const char *user_name;
};
struct sim_spread {
    int64_t min, max;
    double q1, median, q3, mean, cv, gini;
};
struct sim_result {
    int64_t plan_id, compare_plan_id, total, compare_total;
    int has_compare;
    int n_periods;
    const char *period_from, *period_to;
    struct sim_person *people; /* by user id */
    size_t n_people;
    struct sim_spread spread;
};
/* The plan on the order lines, targets and invoices of period_from..period_to (labels of the
 * plan's kind, at most PAYOUT_SIM_PERIODS periods), commission only (no bonus pools), per
 * person summed over the periods; with compare_plan_id the same people under that plan (same
 * period kind) and the difference. Writes nothing. */
enum kam_err payout_simulate(struct kam_ctx *ctx, int64_t plan_id, const char *period_from,
                             const char *period_to, int64_t compare_plan_id,
                             struct sim_result *out);
/* The same for a plan not saved (comm_plan_check). */
enum kam_err payout_simulate_plan(struct kam_ctx *ctx, const struct comm_plan *p,
                                  const char *period_from, const char *period_to,
                                  int64_t compare_plan_id, struct sim_result *out);
/* The spread of n amounts (sorted ascending): quartiles by linear interpolation between order
 * statistics (position (n-1)p), coefficient of variation = population standard deviation /
 * mean (0 when the mean is 0), Gini = sum_i sum_j |x_i - x_j| / (2 n^2 mean) (0 when the mean
 * is 0). */
void payout_spread(const int64_t *sorted, size_t n, struct sim_spread *out);

#endif
