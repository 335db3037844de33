/* issue.h -- customer issues and suggestions (F2.5): deadlines from an SLA per tier and
 * severity, assignment, the status workflow up to the customer's confirmation, escalation to
 * the assignee's team lead when a deadline passes, and SLA attainment per team. */
#ifndef KAM_ISSUE_H
#define KAM_ISSUE_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

struct issue {
    int64_t id, account_id, contact_id, assignee_id, reported_at, response_due_at;
    int64_t resolution_due_at, first_response_at, resolved_at, confirmed_at, escalated_at;
    int64_t escalated_to, version, created_at, updated_at;
    int has_contact, has_assignee, has_first_response, has_resolved, has_confirmed;
    int has_escalated, has_escalated_to;
    const char *title, *description, *category, *severity, *status;
    const char *account_name;
};

enum issue_field {
    ISS_TITLE = 1u << 0,
    ISS_DESCRIPTION = 1u << 1,
    ISS_CATEGORY = 1u << 2,
    ISS_SEVERITY = 1u << 3,
    ISS_ASSIGNEE = 1u << 4,
    ISS_CONTACT = 1u << 5,
    ISS_VERSION = 1u << 6,
};

struct issue_in {
    struct issue v;
    unsigned set;
};

extern const char *const issue_categories[];
extern const char *const issue_severities[];
extern const char *const issue_statuses[]; /* open in_progress resolved confirmed */

enum kam_err issue_create(struct kam_ctx *ctx, int64_t account_id, const struct issue_in *in,
                          struct issue *out);
enum kam_err issue_get(struct kam_ctx *ctx, int64_t id, struct issue *out);
enum kam_err issue_update(struct kam_ctx *ctx, int64_t id, const struct issue_in *in,
                          struct issue *out);
/* Moves the issue along its workflow; KAM_ECONFLICT field "to" when the move is not allowed. */
enum kam_err issue_transition(struct kam_ctx *ctx, int64_t id, const char *to, const char *note,
                              struct issue *out);
enum kam_err issue_delete(struct kam_ctx *ctx, int64_t id);

struct issue_query {
    int64_t account_id, assignee_id, limit;
    const char *status, *cursor;
    int escalated; /* -1 any, 0 not escalated, 1 escalated */
    /* Issue 12: q (title, or the number: "123" / "#123"), severity, the account's owner, and
     * opened (reported_at) in [opened_from, opened_to); 0 = no bound. */
    const char *q, *severity;
    int64_t owner_id, opened_from, opened_to;
};

enum kam_err issue_list(struct kam_ctx *ctx, const struct issue_query *q, struct issue **items_out,
                        size_t *n_out, const char **next_out);

/* Scheduler job: escalates issues past a deadline to the assignee's team lead, once each. */
enum kam_err issue_escalate(struct kam_ctx *ctx, int *escalated_out);

struct sla_rule {
    int64_t id, response_hours, resolution_hours, updated_at;
    const char *tier, *severity;
};

enum kam_err sla_list(struct kam_ctx *ctx, struct sla_rule **items_out, size_t *n_out);
enum kam_err sla_update(struct kam_ctx *ctx, int64_t id, int64_t response_hours, int has_response,
                        int64_t resolution_hours, int has_resolution, struct sla_rule *out);

struct issue_team_stats {
    int64_t team_id; /* 0: no team */
    const char *team_name;
    int64_t issues, responded, responded_in_sla, resolved, resolved_in_sla;
    double median_response_hours, median_resolution_hours; /* -1 when none */
};

/* Per team of the assignee, for issues reported in [from, to) and in the caller's scope. */
enum kam_err issue_stats(struct kam_ctx *ctx, int64_t from, int64_t to,
                         struct issue_team_stats **items_out, size_t *n_out);

#endif
