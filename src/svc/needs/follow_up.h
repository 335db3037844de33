/* follow_up.h -- department follow-ups (issue 14, F3.6/F3.7): every low score of a survey
 * response (NPS <= 6, CSAT <= 2, a rating <= 2; thresholds in settings) and every negative
 * comment becomes a task for the department on the account team that can fix it (a rating ->
 * its driver's dept_role, NPS and CSAT -> sales), with an owner (the earliest-added member of
 * that department on the account team who may work on follow-ups, else the account owner, else
 * the nearest manager up the account owner's team tree; nobody only when none of them may: the
 * follow-up then shows in the account's and the department's lists), a due date (settings), the
 * improvement action taken and the customer's confirmation. Hand-offs between departments are
 * the same kind of task, created by hand. Workflow: open -> in_progress | resolved (action
 * required) -> confirmed (confirmation required) | reopened -> in_progress | resolved;
 * open, in_progress and reopened -> dropped (reason required); dropped -> reopened. An action
 * is taken only on the moves to in_progress and resolved.
 *
 * Personal data: a follow-up from a response is about one respondent and their score or comment
 * (title, detail: the respondent by the neutral word 受访者, never by name; the name is
 * `respondent`, read from the contact as it is now); callers who may not read survey responses
 * get its plain title ("低分：交货准时"), no detail (detail_withheld) and no respondent, and the
 * audit log and notifications carry the plain title only. */
#ifndef KAM_FOLLOW_UP_H
#define KAM_FOLLOW_UP_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define FOLLOW_UP_TITLE_MAX 200
#define FOLLOW_UP_TEXT_MAX 4000 /* detail, action, confirmation, reason */

extern const char *const follow_up_statuses[]; /* open in_progress resolved confirmed reopened
                                                  dropped */
extern const char *const follow_up_sources[];  /* survey comment handoff */
extern const char *const follow_up_depts[];    /* sales marketing technical production service */

/* Settings (svc/core/settings.c), with their defaults. */
#define FOLLOW_UP_NPS_MAX_KEY "follow_up.nps_max"         /* 6: NPS <= this is low */
#define FOLLOW_UP_CSAT_MAX_KEY "follow_up.csat_max"       /* 2 */
#define FOLLOW_UP_RATING_MAX_KEY "follow_up.rating_max"   /* 2 */
#define FOLLOW_UP_DUE_DAYS_KEY "follow_up.due_days"       /* 7: days to the due date */
#define FOLLOW_UP_URGENT_DAYS_KEY "follow_up.urgent_days" /* 3: for NPS <= 3 or CSAT 1 */

/* Follow-ups for the low scores of response_id (thresholds in settings: nps <= 6, csat <= 2,
 * rating <= 2), one per department and question, idempotent; audited. Their titles and details
 * name the respondent by a neutral word (受访者), never by name (a deleted contact leaves no copy
 * of it). Runs inside the caller's transaction (a savepoint); the caller needs no permission of
 * its own (it is the consequence of storing a response). */
enum kam_err follow_ups_from_response(struct kam_ctx *ctx, int64_t response_id);
/* A follow-up for a negative comment (answer text of question_id); idempotent. why: what made
 * it negative (e.g. "情感：负面 / sentiment: negative", svc/core/tone.h's rule), kept in the
 * detail. */
enum kam_err follow_up_from_comment(struct kam_ctx *ctx, int64_t response_id, int64_t question_id,
                                    const char *why);

/* Erasure of response_id (GDPR/PIPL: the respondent asked): its follow-ups lose the
 * respondent, score and comment -- title rebuilt from the question alone ("低分：交货准时"),
 * detail FOLLOW_UP_ERASED -- audited without the text. Call it before the response is deleted
 * (follow_ups.response_id is ON DELETE SET NULL), inside the erasing transaction (a savepoint);
 * no permission of its own. */
#define FOLLOW_UP_ERASED "（已按要求删除 / erased）"
enum kam_err follow_ups_erase_response(struct kam_ctx *ctx, int64_t response_id);

/* Pure rules (unit-tested). */
/* 1 if a follow-up may move from `from` to `to`. */
int follow_up_transition_allowed(const char *from, const char *to);
/* The department that follows up a question of kind (nps|csat|rating) whose driver maps to
 * driver_dept (rating only); NULL for kinds that are never low. */
const char *follow_up_dept_for(const char *kind, const char *driver_dept);
/* 1 if value is a low score of kind given the thresholds. */
int follow_up_is_low(const char *kind, int64_t value, int64_t nps_max, int64_t csat_max,
                     int64_t rating_max);
/* Writes "YYYY-MM-DD" of China's day of unix time t plus n days into out[11]. */
void follow_up_day(int64_t t, int64_t n, char out[11]);

struct follow_up {
    int64_t id, account_id, response_id, question_id, owner_id, created_by;
    int64_t resolved_at, confirmed_at, version, created_at, updated_at;
    int has_response, has_question, has_owner, has_created_by, has_resolved, has_confirmed;
    const char *dept_role, *source, *from_dept, *title, *detail, *due_on, *status;
    const char *action, *confirmation, *reason, *account_name, *owner_name; /* owner_name "" */
    /* A survey or comment follow-up's title without the respondent or score ("低分：<question>",
     * "负面评论：<question>"): what callers who may not read responses see, what the audit and
     * notifications carry. NULL for a hand-off. */
    const char *plain_title;
    /* The respondent's name as the contact is now, never copied into title or detail. NULL: a
     * hand-off, a contact gone (or none), a caller who may not read responses. */
    const char *respondent;
    int overdue;         /* due_on < today and not resolved, confirmed or dropped */
    int detail_withheld; /* the comment text was left out: the caller may not read responses */
};

enum follow_up_field {
    FU_DEPT = 1u << 0,
    FU_TITLE = 1u << 1,
    FU_DETAIL = 1u << 2,
    FU_OWNER = 1u << 3,
    FU_DUE = 1u << 4,
    FU_FROM_DEPT = 1u << 5,
    FU_VERSION = 1u << 6,
};

struct follow_up_in {
    struct follow_up v;
    unsigned set;
};

/* A hand-off (source handoff) on account_id: from_dept, dept_role, title required. owner_id
 * (default: the department's member, else the account owner) must be a user who may work on
 * the account's follow-ups. due_on default: today + due_days. The owner is notified. */
enum kam_err follow_up_create(struct kam_ctx *ctx, int64_t account_id,
                              const struct follow_up_in *in, struct follow_up *out);
enum kam_err follow_up_get(struct kam_ctx *ctx, int64_t id, struct follow_up *out);
enum kam_err follow_up_update(struct kam_ctx *ctx, int64_t id, const struct follow_up_in *in,
                              struct follow_up *out);
enum kam_err follow_up_delete(struct kam_ctx *ctx, int64_t id);

struct follow_up_status_in {
    const char *to, *action, *confirmation, *reason;
    int64_t version;
    int has_version;
};
/* KAM_ECONFLICT "follow_up.bad_transition" (field "to") when not allowed; resolved needs action
 * (or one already stored), confirmed needs confirmation, dropped needs reason. */
enum kam_err follow_up_set_status(struct kam_ctx *ctx, int64_t id,
                                  const struct follow_up_status_in *in, struct follow_up *out);

struct follow_up_query {
    int64_t account_id, owner_id, limit;
    const char *dept_role, *status, *source, *sort, *cursor;
    int overdue, open_only;
};
enum kam_err follow_up_list(struct kam_ctx *ctx, const struct follow_up_query *q,
                            struct follow_up **items_out, size_t *n_out, const char **next_out);
enum kam_err follow_up_count(struct kam_ctx *ctx, const struct follow_up_query *q, int64_t *n_out);

/* Per department over follow-ups created in [from, to] (dates, inclusive; NULL: unbounded), of
 * accounts in the caller's scope (team_id: accounts owned by the team's people -- its subteams
 * and their managers too, policy.h POLICY_TEAM_TT; KAM_ENOTFOUND "team_id" for no such team). */
struct follow_up_stat {
    const char *dept_role;
    int64_t created, resolved, confirmed, dropped, overdue;
    double closed_loop_rate; /* confirmed / created; 0 when none */
    double mean_days_resolve, median_days_resolve, mean_days_confirm, median_days_confirm;
    int has_resolve, has_confirm; /* 0: no resolved (confirmed) follow-up: means are null */
};
enum kam_err follow_up_stats(struct kam_ctx *ctx, const char *from, const char *to, int64_t team_id,
                             struct follow_up_stat **out, size_t *n_out);

/* Median of n values (sorted in place); 0 for n == 0. */
double follow_up_median(double *v, size_t n);

/* The thresholds and due days (settings, with their defaults); set_ writes those in mask
 * (bits in the order of the array: nps_max, csat_max, rating_max, due_days, urgent_days),
 * audited as entity "settings". Ranges: nps 0..9, csat 1..4, rating 1..4, days 1..365;
 * urgent_days <= due_days (KAM_EINVAL "urgent_days"). */
enum kam_err follow_up_settings(struct kam_ctx *ctx, int64_t out[5]);
enum kam_err follow_up_set_settings(struct kam_ctx *ctx, const int64_t v[5], unsigned mask);

/* kam demo: follow-ups in every state on demo accounts. */
enum kam_err follow_ups_demo(struct kam_ctx *ctx);

#endif
