/* course.h -- the training catalogue (issue 18 F6.2, docs/TEAM.md "Training and its measured
 * effect"): courses (code, title, topic, format, description, the competencies they build) and
 * their sessions (days, trainer: a user or a name, place). Company-wide records (OBJ_COURSE):
 * everyone reads them, hr and admin write them. Both are versioned; every change is audited
 * ("course", "training_session") in the same transaction. */
#ifndef KAM_SVC_TEAM_COURSE_H
#define KAM_SVC_TEAM_COURSE_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define COURSE_CODE_MAX 40
#define COURSE_TITLE_MAX 200
#define COURSE_TOPIC_MAX 60
#define COURSE_TEXT_MAX 4000
#define COURSE_COMPETENCIES_MAX 20
#define SESSION_NAME_MAX 100
#define SESSION_PLACE_MAX 200

/* The suggested topics (a course may name another, 1-60 characters) and the formats. */
extern const char *const course_topics[];
extern const char *const course_formats[];

struct course {
    int64_t id, version, created_at, updated_at;
    const char *code, *title, *topic, *format, *description;
    int active;
    int64_t competency_ids[COURSE_COMPETENCIES_MAX];
    int n_competencies;
    int64_t sessions; /* how many sessions it has */
};

enum {
    CRS_CODE = 1u << 0,
    CRS_TITLE = 1u << 1,
    CRS_TOPIC = 1u << 2,
    CRS_FORMAT = 1u << 3,
    CRS_DESCRIPTION = 1u << 4,
    CRS_ACTIVE = 1u << 5,
    CRS_COMPETENCIES = 1u << 6,
    CRS_VERSION = 1u << 7,
};
struct course_in {
    unsigned set;
    struct course v;
    int64_t competency_ids[50]; /* the API's id list (at most 50 decoded; 20 allowed) */
    int n_competency_ids, competencies_given;
};

enum kam_err course_create(struct kam_ctx *ctx, const struct course_in *in, struct course *out);
enum kam_err course_get(struct kam_ctx *ctx, int64_t id, struct course *out);
enum kam_err course_update(struct kam_ctx *ctx, int64_t id, const struct course_in *in,
                           struct course *out);
/* 409 course.in_use while it has sessions (deactivate it instead). */
enum kam_err course_delete(struct kam_ctx *ctx, int64_t id);

struct course_query {
    const char *q, *topic, *format, *sort, *cursor;
    int active; /* -1: all */
    int64_t competency_id, limit;
};
enum kam_err course_list(struct kam_ctx *ctx, const struct course_query *q,
                         struct course **items_out, size_t *n_out, const char **next_out);

struct training_session {
    int64_t id, course_id, trainer_id, version, created_at, updated_at;
    int has_trainer;
    const char *course_title, *starts_on, *ends_on, *trainer_name, *place;
    int64_t enrolled; /* enrolments not cancelled */
};

enum {
    SES_COURSE = 1u << 0,
    SES_STARTS = 1u << 1,
    SES_ENDS = 1u << 2,
    SES_TRAINER = 1u << 3,
    SES_TRAINER_NAME = 1u << 4,
    SES_PLACE = 1u << 5,
    SES_VERSION = 1u << 6,
};
struct session_in {
    unsigned set;
    struct training_session v;
};

/* course_id (an existing course; cannot change), starts_on <= ends_on (ends_on defaults to
 * starts_on), a trainer: trainer_id (an existing user) and/or trainer_name. */
enum kam_err session_create(struct kam_ctx *ctx, const struct session_in *in,
                            struct training_session *out);
enum kam_err session_get(struct kam_ctx *ctx, int64_t id, struct training_session *out);
enum kam_err session_update(struct kam_ctx *ctx, int64_t id, const struct session_in *in,
                            struct training_session *out);
/* 409 session.in_use while it has enrolments. */
enum kam_err session_delete(struct kam_ctx *ctx, int64_t id);

struct session_query {
    int64_t course_id, limit;
    const char *from, *to, *cursor; /* starts_on within [from, to] */
};
/* By starts_on, newest first. */
enum kam_err session_list(struct kam_ctx *ctx, const struct session_query *q,
                          struct training_session **items_out, size_t *n_out,
                          const char **next_out);

#endif
