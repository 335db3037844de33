/* risk.h -- the risk register (issue 16 item 1, docs/RISK.md): risks per account (or group)
 * by likelihood x impact, responses with actions, reviews, status, history. */
#ifndef KAM_RISK_RISK_H
#define KAM_RISK_RISK_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

/* A risk as another part of the chapter raises it (an alert, a gift over the rules, a
 * competitor's move). */
struct risk_raise_in {
    int64_t account_id;
    int covers_group;
    const char *category; /* credit | operating | competitive | compliance | other */
    const char *title, *description;
    int likelihood, impact; /* 1-5 */
    int64_t owner_id;       /* 0: the account's owner */
    const char *source;     /* alert | gift | competitor | contract */
    int64_t source_id;
};

/* Raises a risk, checked and audited, as ctx's user (or the system). One risk per source:
 * raising the same source again returns the existing risk's id with *created = 0. */
enum kam_err risk_raise(struct kam_ctx *ctx, const struct risk_raise_in *in, int64_t *id_out,
                        int *created);

extern const char *const risk_categories[];
extern const char *const risk_responses[];
extern const char *const risk_statuses[];
extern const char *const risk_levels[];

#define RISK_TITLE_MAX 200
#define RISK_TEXT_MAX 4000
#define RISK_REASON_MAX 1000
#define RISK_ACTIONS_MAX 100 /* actions per risk */
#define RISK_HEAT_IDS 5      /* risks named per heat-map cell */

/* The score (likelihood x impact, 1..25) and its level: low 1-4, medium 5-9, high 10-16,
 * critical 20-25. */
int risk_score(int likelihood, int impact);
const char *risk_level(int score);

struct risk_action {
    int64_t id, risk_id;
    const char *description;
    int64_t owner_id;
    int has_owner;
    const char *owner_name; /* "" without owner */
    const char *due_on;     /* NULL: none */
    int done;
    int64_t done_at;
    int overdue; /* not done, due_on before today */
    int64_t created_at, updated_at;
};

struct risk {
    int64_t id, account_id;
    const char *account_name;
    int covers_group;
    const char *category, *title, *description;
    int64_t likelihood, impact;
    int64_t owner_id;
    int has_owner;
    const char *owner_name;
    const char *response; /* NULL: none chosen */
    const char *response_plan;
    const char *review_on; /* NULL: none */
    const char *status, *closed_reason;
    int64_t closed_at;
    int has_closed_at;
    const char *source;
    int64_t source_id;
    int has_source_id;
    int64_t created_by;
    int has_created_by;
    int64_t version, created_at, updated_at;
    /* computed */
    int review_overdue; /* not closed, review_on before today */
    int64_t actions_total, actions_open, actions_overdue;
    struct risk_action *actions; /* risk_get only */
    size_t nactions;
};

enum {
    RK_ACCOUNT = 1u << 0,
    RK_GROUP = 1u << 1,
    RK_CATEGORY = 1u << 2,
    RK_TITLE = 1u << 3,
    RK_DESC = 1u << 4,
    RK_LIKELIHOOD = 1u << 5,
    RK_IMPACT = 1u << 6,
    RK_OWNER = 1u << 7,
    RK_RESPONSE = 1u << 8,
    RK_PLAN = 1u << 9,
    RK_REVIEW = 1u << 10,
    RK_VERSION = 1u << 11,
};

struct risk_in {
    unsigned set;
    struct risk v; /* account_id, covers_group, category, title, description, likelihood,
                      impact, owner_id/has_owner, response, response_plan, review_on, version */
};

enum kam_err risk_get(struct kam_ctx *ctx, int64_t id, struct risk *out);
/* A manual risk on in->v.account_id (the caller must may create risks there). */
enum kam_err risk_create(struct kam_ctx *ctx, const struct risk_in *in, struct risk *out);
/* PATCH: the status follows the response (open <-> responding); a closed risk is refused
 * (409 risk.closed): reopen it first. */
enum kam_err risk_update(struct kam_ctx *ctx, int64_t id, const struct risk_in *in,
                         struct risk *out);
/* Deletes a manual risk with its actions; a risk raised from a source: 409 risk.from_source. */
enum kam_err risk_delete(struct kam_ctx *ctx, int64_t id);
/* Closes a risk (reason required); 409 risk.closed when it already is. */
enum kam_err risk_close(struct kam_ctx *ctx, int64_t id, const char *reason, struct risk *out);
/* Reopens a closed risk: status open, the close reason kept in the history; 409 risk.not_closed
 * otherwise. */
enum kam_err risk_reopen(struct kam_ctx *ctx, int64_t id, struct risk *out);

enum {
    RA_DESC = 1u << 0,
    RA_OWNER = 1u << 1,
    RA_DUE = 1u << 2,
    RA_DONE = 1u << 3,
};
struct risk_action_in {
    unsigned set;
    const char *description;
    int64_t owner_id;
    int has_owner;
    const char *due_on;
    int done;
};
/* Actions are audited under their risk (entity "risk", actions action_add, action_update,
 * action_delete). The risk must not be closed. *out: the risk as it is now. */
enum kam_err risk_action_add(struct kam_ctx *ctx, int64_t risk_id, const struct risk_action_in *in,
                             struct risk *out);
enum kam_err risk_action_update(struct kam_ctx *ctx, int64_t risk_id, int64_t action_id,
                                const struct risk_action_in *in, struct risk *out);
enum kam_err risk_action_delete(struct kam_ctx *ctx, int64_t risk_id, int64_t action_id);

struct risk_query {
    int64_t account_id;
    int subsidiaries;
    const char *category, *status, *level, *q, *source;
    int64_t owner_id;
    int review_due;     /* 1: review overdue (not closed, review_on < today) */
    int action_overdue; /* 1: an action not done is past due */
    int live;           /* 1: open or responding (the heat map) */
    const char *sort, *cursor;
    int64_t limit;
};

enum kam_err risk_list(struct kam_ctx *ctx, const struct risk_query *q, struct risk **items_out,
                       size_t *n_out, const char **next_out);

struct risk_heat_ref {
    int64_t id;
    const char *title;
};
struct risk_heat_cell {
    int likelihood, impact, score;
    const char *level;
    int64_t count;
    struct risk_heat_ref refs[RISK_HEAT_IDS];
    size_t nrefs;
};
/* cells[(likelihood - 1) * 5 + (impact - 1)]: open and responding risks by the list's filters
 * (status ignored). */
enum kam_err risk_heatmap(struct kam_ctx *ctx, const struct risk_query *q,
                          struct risk_heat_cell cells[25], int64_t *total);

/* The scheduler's pass: first the gifts whose day came undecided become breaches
 * (gifts_lapse_due); then notifies a risk's owner once of an overdue review (dedup: the risk and
 * its review date) and an action's owner (else the risk's) once of an overdue action. *n: the
 * notifications added. */
enum kam_err risks_review_due(struct kam_ctx *ctx, int *n);

/* "YYYY-MM-DD" of ctx->now in China (UTC+8) into out[11]. */
void risk_today(const struct kam_ctx *ctx, char out[11]);

#endif
