/* enrolment.h -- a person's enrolment in a training session (issue 18 F6.2, docs/TEAM.md
 * "Training and its measured effect"), and the training needs the team chapter adds to those of
 * the lessons (svc/contracts/lesson.h): manual ones and needs derived from competency gaps and
 * appraisal lines.
 *
 * Enrolments are personal data (OBJ_ENROLMENT, SCOPE_ENROLMENT: the person, those who lead them
 * down the team tree, org-wide readers). The workflow:
 *
 *   enrolled --attendance--> attended | absent (either way again, until completed)
 *   attended --complete--> completed (completed_at = ctx->now; the person's open or planned
 *            training needs whose topic is the course's topic or the code of a competency the
 *            course builds become done, each audited)
 *   withdraw (DELETE): any status but completed.
 *
 * Attendance before the session starts: 409 enrolment.not_started; a move from completed:
 * 409 enrolment.completed; completing without attendance: 409 enrolment.not_attended; a post-test
 * score or feedback before attendance: 409 enrolment.not_attended. Feedback (1..5 and a comment)
 * is the person's own: anyone else gets 403 enrolment.feedback_own. A practice assignment names
 * a real account the person may read (400 naming practice_account_id otherwise), a task, a due
 * day, the day it was done and a result note.
 *
 * Audit entities "enrolment" and "training_need". */
#ifndef KAM_SVC_TEAM_ENROLMENT_H
#define KAM_SVC_TEAM_ENROLMENT_H

#include <stddef.h>
#include <stdint.h>

#include "svc/contracts/lesson.h"
#include "svc/core/ctx.h"

#define ENROL_COMMENT_MAX 2000
#define ENROL_TASK_MAX 1000
#define ENROL_RESULT_MAX 2000

extern const char *const enrolment_statuses[];

struct enrolment {
    int64_t id, session_id, course_id, user_id, version, created_at, updated_at;
    const char *course_title, *course_topic, *starts_on, *ends_on, *user_name, *status;
    int64_t completed_at, pre_score, post_score, feedback_rating, feedback_at;
    int has_completed, has_pre, has_post, has_rating, has_feedback_at;
    const char *feedback_comment;
    int64_t practice_account_id;
    int has_practice_account;
    const char *practice_task, *practice_due_on, *practice_done_on, *practice_result;
};

enum {
    EN_SESSION = 1u << 0,
    EN_USER = 1u << 1,
    EN_PRE = 1u << 2,
    EN_POST = 1u << 3,
    EN_PACCOUNT = 1u << 4,
    EN_PTASK = 1u << 5,
    EN_PDUE = 1u << 6,
    EN_PDONE = 1u << 7,
    EN_PRESULT = 1u << 8,
    EN_VERSION = 1u << 9,
};
struct enrolment_in {
    unsigned set;
    struct enrolment v;
};

/* session_id and user_id (policy_body_person: the caller's create grant reaches the person);
 * one enrolment per person and session (409 enrolment.duplicate). */
enum kam_err enrolment_create(struct kam_ctx *ctx, const struct enrolment_in *in,
                              struct enrolment *out);
enum kam_err enrolment_get(struct kam_ctx *ctx, int64_t id, struct enrolment *out);
/* Test scores (0..100; null clears) and the practice assignment. */
enum kam_err enrolment_update(struct kam_ctx *ctx, int64_t id, const struct enrolment_in *in,
                              struct enrolment *out);
enum kam_err enrolment_attendance(struct kam_ctx *ctx, int64_t id, int attended,
                                  struct enrolment *out);
enum kam_err enrolment_feedback(struct kam_ctx *ctx, int64_t id, int64_t rating,
                                const char *comment, struct enrolment *out);
/* *closed_out (may be NULL): training needs it closed. */
enum kam_err enrolment_complete(struct kam_ctx *ctx, int64_t id, struct enrolment *out,
                                int *closed_out);
enum kam_err enrolment_delete(struct kam_ctx *ctx, int64_t id);

struct enrolment_query {
    int64_t session_id, course_id, user_id, limit;
    const char *status, *cursor;
};
/* Newest first; only the people in the caller's person scope (OBJ_ENROLMENT read). */
enum kam_err enrolment_list(struct kam_ctx *ctx, const struct enrolment_query *q,
                            struct enrolment **items_out, size_t *n_out, const char **next_out);

/* ---- training needs (the team's sources) ---- */

/* A manual need (source manual): topic, detail, and user_id (checked with policy_body_person
 * for OBJ_TRAINING create) or audience_role or neither; a need for a role or for everyone needs
 * the org-wide create grant (403 naming user_id). */
enum kam_err training_need_manual(struct kam_ctx *ctx, const struct training_in *in,
                                  struct training_need *out);

struct needs_derive_in {
    int64_t user_id;    /* 0: everyone in the caller's scope */
    const char *on_day; /* levels as of this day (default today) */
};
struct needs_derive_out {
    struct training_need *created;
    size_t n_created;
    int64_t people, gaps, low_lines, already_open;
};
/* Needs from competency gaps (the person's current level, competency_levels_of's rule, below
 * the level the role profile whose code is the person's role requires: source competency,
 * source_id the competency, topic its code) and from appraisal (lines of final or calibrated
 * scorecards whose actual is below the line's threshold: source appraisal, source_id the
 * scorecard, topic the line's kind). Idempotent: no second open or planned need for the same
 * person, topic and source. */
enum kam_err training_needs_derive(struct kam_ctx *ctx, const struct needs_derive_in *in,
                                   struct needs_derive_out *out);

#endif
