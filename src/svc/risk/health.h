/* health.h -- the account health score (issue 16 item 4, docs/ALERTS.md): 100 minus points per
 * unresolved alert by severity (low 5, medium 10, high 20, critical 35), floor 0, explained line
 * by line; stored once a day per account in account_health by the engine's pass. */
#ifndef KAM_RISK_HEALTH_H
#define KAM_RISK_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define HEALTH_HISTORY_DAYS 365

/* The points an unresolved alert of this severity takes off (0 for an unknown one). */
int health_points(const char *severity);

struct health_line {
    int64_t alert_id, points, value_milli, threshold_milli;
    int has_value, has_threshold;
    int hidden; /* the caller may not read the signal everywhere: checked per account */
    const char *signal, *severity, *unit;
};

struct health_day {
    const char *day;
    int64_t score;
};

struct health {
    int64_t account_id, score;
    /* the points of unresolved alerts whose lines were left out: signals the reader may not read
     * (alert_may_read); the score counts them, it is the account's, the same for everyone */
    int64_t restricted_points;
    const char *account_name, *day;
    struct health_line *lines;
    size_t n;
    struct health_day *history; /* oldest first, the last HEALTH_HISTORY_DAYS days */
    size_t n_history;
};

/* Today (China) as YYYY-MM-DD in ctx->a. */
const char *health_today(struct kam_ctx *ctx);
/* The score now, from the account's unresolved alerts (no history); the lines of signals the
 * caller may not read are left out (restricted_points). */
enum kam_err health_compute(struct kam_ctx *ctx, int64_t account_id, struct health *out);
/* health_compute and the stored history. KAM_ENOTFOUND (field "id") for no such account. */
enum kam_err health_get(struct kam_ctx *ctx, int64_t account_id, struct health *out);
/* Upserts today's row for every account. */
enum kam_err health_score_all(struct kam_ctx *ctx);

struct health_row {
    int64_t account_id, owner_id, score, open_alerts;
    const char *account_name, *owner_name, *day;
};
struct health_query {
    int64_t limit;
    const char *cursor;
    int64_t owner_id; /* 0: any */
};
/* Accounts by their latest stored score, lowest first; scope-filtered; keyset paging. */
enum kam_err health_list(struct kam_ctx *ctx, const struct health_query *q,
                         struct health_row **items_out, size_t *n_out, const char **next_out);

#endif
