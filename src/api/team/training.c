/* training.c -- routes of the account team chapter: courses, sessions, enrolments with
 * attendance, tests, feedback and practice, the team's training needs and the training-effect
 * report (F6.2): decode, call svc/team, render. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/team/course.h"
#include "svc/team/effect.h"
#include "svc/team/enrolment.h"

const struct api_shape api_shapes_training[] = {
    {"Course", "id:int code:str title:str topic:str format:str(classroom|online|workshop|coaching) "
               "description:str active:bool competency_ids:[int] sessions:int version:int "
               "created_at:ts updated_at:ts"},
    {"TrainingSession", "id:int course_id:int course_title:str starts_on:date ends_on:date "
                        "trainer_id:int? trainer_name:str place:str enrolled:int version:int "
                        "created_at:ts updated_at:ts"},
    {"Enrolment",
     "id:int session_id:int course_id:int course_title:str course_topic:str starts_on:date "
     "ends_on:date user_id:int user_name:str "
     "status:str(enrolled|attended|absent|completed|cancelled) completed_at:ts? pre_score:int? "
     "post_score:int? feedback_rating:int? feedback_comment:str feedback_at:ts? "
     "practice_account_id:int? practice_task:str practice_due_on:date? practice_done_on:date? "
     "practice_result:str version:int created_at:ts updated_at:ts"},
    {"TrainingNeedsDerived", "people:int gaps:int low_lines:int already_open:int "
                             "created:[TrainingNeed]"},
    {"TrainingEffect", "course_id:int months:int kpi:str(revenue|visits) scope:str(all|team) "
                       "enrolled:int attended:int completed:int reaction:EffectReaction "
                       "learning:EffectLearning behaviour:EffectBehaviour results:EffectResults"},
    {"EffectReaction", "n:int mean:num? distribution:[int]"},
    {"EffectLearning",
     "n:int mean_pre:num? mean_post:num? mean_gain:num? sd:num? ci_low:num? ci_high:num?"},
    {"EffectBehaviour",
     "competencies:[EffectCompetency] visits:EffectRate interactions:EffectRate"},
    {"EffectCompetency", "competency_id:int code:str n:int before:num? after:num? change:num?"},
    {"EffectRate", "n:int before:num? after:num? change:num?"},
    {"EffectResults",
     "status:str(ok|not_enough_data) reason:str(post_window_open|too_few_trained|too_few_control)? "
     "pending:int n_trained:int n_control:int pre_trained:num? post_trained:num? "
     "pre_control:num? post_control:num? did:num? se:num? df:num? ci_low:num? ci_high:num?"},
    {NULL, NULL},
};

/* ---- bodies ---- */

#define CF(f) offsetof(struct course_in, v.f)
#define CB(f) offsetof(struct course_in, f)
static const struct jfield course_spec[] = {
    {"code", J_STR, CRS_CODE, CF(code), 0, 0, 0, "unique, 1-40 characters", 1},
    {"title", J_STR, CRS_TITLE, CF(title), 0, 0, 0, "1-200 characters", 1},
    {"topic", J_STR, CRS_TOPIC, CF(topic), 0, 0, 0,
     "communication | product | dispute_handling | legal | negotiation | other, or another "
     "word of 1-60 characters",
     1},
    {"format", J_STR, CRS_FORMAT, CF(format), 0, 0, 0,
     "classroom (default) | online | workshop | coaching"},
    {"description", J_STR, CRS_DESCRIPTION, CF(description), 0, 0, 1, "<= 4000 characters"},
    {"active", J_BOOL, CRS_ACTIVE, CF(active), 0, 0, 0, "default true"},
    {"competency_ids", J_IDS, CRS_COMPETENCIES, CB(competency_ids), CB(n_competency_ids),
     CB(competencies_given), 0, "the competencies the course builds, at most 20 (replaced whole)"},
    {"version", J_I64, CRS_VERSION, CF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

#define SF(f) offsetof(struct session_in, v.f)
static const struct jfield session_spec[] = {
    {"course_id", J_I64, SES_COURSE, SF(course_id), 0, 0, 0, "POST: the course; cannot change", 1},
    {"starts_on", J_STR, SES_STARTS, SF(starts_on), 0, 0, 0, "YYYY-MM-DD", 1},
    {"ends_on", J_STR, SES_ENDS, SF(ends_on), 0, 0, 0,
     "YYYY-MM-DD, not before starts_on "
     "(default starts_on)"},
    {"trainer_id", J_I64, SES_TRAINER, SF(trainer_id), SF(has_trainer), 0, 1,
     "the trainer when a user (or trainer_name; one of them required)"},
    {"trainer_name", J_STR, SES_TRAINER_NAME, SF(trainer_name), 0, 0, 1,
     "the trainer's name, <= 100 characters"},
    {"place", J_STR, SES_PLACE, SF(place), 0, 0, 1, "<= 200 characters"},
    {"version", J_I64, SES_VERSION, SF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

#define EF(f) offsetof(struct enrolment_in, v.f)
static const struct jfield enrolment_spec[] = {
    {"session_id", J_I64, EN_SESSION, EF(session_id), 0, 0, 0, "POST: the session; cannot change",
     1},
    {"user_id", J_I64, EN_USER, EF(user_id), 0, 0, 0,
     "POST: the person (yourself, or one you lead; hr and director anyone); cannot change", 1},
    {"pre_score", J_I64, EN_PRE, EF(pre_score), EF(has_pre), 0, 1, "the pre-test, 0-100"},
    {"post_score", J_I64, EN_POST, EF(post_score), EF(has_post), 0, 1,
     "the post-test, 0-100 (after attendance)"},
    {"practice_account_id", J_I64, EN_PACCOUNT, EF(practice_account_id), EF(has_practice_account),
     0, 1,
     "the real account of the practice assignment: one the "
     "person may read"},
    {"practice_task", J_STR, EN_PTASK, EF(practice_task), 0, 0, 1, "<= 1000 characters"},
    {"practice_due_on", J_STR, EN_PDUE, EF(practice_due_on), 0, 0, 1, "YYYY-MM-DD"},
    {"practice_done_on", J_STR, EN_PDONE, EF(practice_done_on), 0, 0, 1,
     "YYYY-MM-DD, not after today"},
    {"practice_result", J_STR, EN_PRESULT, EF(practice_result), 0, 0, 1, "<= 2000 characters"},
    {"version", J_I64, EN_VERSION, EF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

struct attendance_in {
    unsigned set;
    int attended;
};
static const struct jfield attendance_spec[] = {
    {"attended", J_BOOL, 1, offsetof(struct attendance_in, attended), 0, 0, 0,
     "true: attended; false: absent", 1},
    {0},
};

struct feedback_in {
    unsigned set;
    int64_t rating;
    const char *comment;
};
static const struct jfield feedback_spec[] = {
    {"rating", J_I64, 1, offsetof(struct feedback_in, rating), 0, 0, 0, "1-5", 1},
    {"comment", J_STR, 2, offsetof(struct feedback_in, comment), 0, 0, 1, "<= 2000 characters"},
    {0},
};

#define TF(f) offsetof(struct training_in, v.f)
static const struct jfield need_spec[] = {
    {"topic", J_STR, TN_TOPIC, TF(topic), 0, 0, 0,
     "1-200 characters (a course topic or a competency code closes it when the person completes "
     "such a course)",
     1},
    {"detail", J_STR, TN_DETAIL, TF(detail), 0, 0, 1, "<= 2000 characters"},
    {"user_id", J_I64, TN_USER, TF(user_id), TF(has_user), 0, 1,
     "the person (or audience_role, not both; a role or everyone: org-wide creators only)"},
    {"audience_role", J_STR, TN_ROLE, TF(audience_role), 0, 0, 1,
     "a role whose people to train (account_manager, team_lead, ...)"},
    {0},
};

struct derive_in {
    unsigned set;
    int64_t user_id;
    int has_user;
    const char *on_day;
};
static const struct jfield derive_spec[] = {
    {"user_id", J_I64, 1, offsetof(struct derive_in, user_id), offsetof(struct derive_in, has_user),
     0, 1, "one person (default: everyone in your scope)"},
    {"on_day", J_STR, 2, offsetof(struct derive_in, on_day), 0, 0, 1,
     "competency levels as of this day, YYYY-MM-DD (default today)"},
    {0},
};

/* ---- renderers ---- */

static void render_course(struct jw *w, const struct course *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "code", x->code);
    jw_kstr(w, "title", x->title);
    jw_kstr(w, "topic", x->topic);
    jw_kstr(w, "format", x->format);
    jw_kstr(w, "description", x->description);
    jw_kbool(w, "active", x->active);
    jw_key(w, "competency_ids");
    jw_arr_begin(w);
    for (int i = 0; i < x->n_competencies && i < COURSE_COMPETENCIES_MAX; i++)
        jw_i64(w, x->competency_ids[i]);
    jw_arr_end(w);
    jw_ki64(w, "sessions", x->sessions);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static void render_session(struct jw *w, const struct training_session *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "course_id", x->course_id);
    jw_kstr(w, "course_title", x->course_title);
    jw_kstr(w, "starts_on", x->starts_on);
    jw_kstr(w, "ends_on", x->ends_on);
    jw_ki64n(w, "trainer_id", x->trainer_id, !x->has_trainer);
    jw_kstr(w, "trainer_name", x->trainer_name);
    jw_kstr(w, "place", x->place);
    jw_ki64(w, "enrolled", x->enrolled);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static void render_enrolment(struct jw *w, const struct enrolment *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "session_id", x->session_id);
    jw_ki64(w, "course_id", x->course_id);
    jw_kstr(w, "course_title", x->course_title);
    jw_kstr(w, "course_topic", x->course_topic);
    jw_kstr(w, "starts_on", x->starts_on);
    jw_kstr(w, "ends_on", x->ends_on);
    jw_ki64(w, "user_id", x->user_id);
    jw_kstr(w, "user_name", x->user_name);
    jw_kstr(w, "status", x->status);
    jw_ktime_opt(w, "completed_at", x->completed_at, x->has_completed);
    jw_ki64n(w, "pre_score", x->pre_score, !x->has_pre);
    jw_ki64n(w, "post_score", x->post_score, !x->has_post);
    jw_ki64n(w, "feedback_rating", x->feedback_rating, !x->has_rating);
    jw_kstr(w, "feedback_comment", x->feedback_comment);
    jw_ktime_opt(w, "feedback_at", x->feedback_at, x->has_feedback_at);
    jw_ki64n(w, "practice_account_id", x->practice_account_id, !x->has_practice_account);
    jw_kstr(w, "practice_task", x->practice_task);
    jw_kstr(w, "practice_due_on", x->practice_due_on);
    jw_kstr(w, "practice_done_on", x->practice_done_on);
    jw_kstr(w, "practice_result", x->practice_result);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static void render_need(struct jw *w, const struct training_need *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "source", x->source);
    jw_ki64n(w, "source_id", x->source_id, !x->has_source);
    jw_kstr(w, "topic", x->topic);
    jw_kstr(w, "detail", x->detail);
    jw_ki64n(w, "user_id", x->user_id, !x->has_user);
    jw_kstr(w, "audience_role", x->audience_role);
    jw_kstr(w, "status", x->status);
    jw_ki64n(w, "created_by", x->created_by, !x->has_created_by);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static void knum(struct jw *w, const char *k, double v, int has)
{
    jw_key(w, k);
    if (has)
        jw_double(w, v);
    else
        jw_null(w);
}

static void render_rate(struct jw *w, const char *k, const struct effect_rate *r)
{
    jw_key(w, k);
    jw_obj_begin(w);
    jw_ki64(w, "n", r->n);
    knum(w, "before", r->before, r->n > 0);
    knum(w, "after", r->after, r->n > 0);
    knum(w, "change", r->change, r->n > 0);
    jw_obj_end(w);
}

static void render_effect(struct jw *w, const struct effect_report *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "course_id", x->course_id);
    jw_ki64(w, "months", x->months);
    jw_kstr(w, "kpi", x->kpi);
    jw_kstr(w, "scope", x->scope);
    jw_ki64(w, "enrolled", x->enrolled);
    jw_ki64(w, "attended", x->attended);
    jw_ki64(w, "completed", x->completed);
    jw_key(w, "reaction");
    jw_obj_begin(w);
    jw_ki64(w, "n", x->reaction_n);
    knum(w, "mean", x->reaction_mean, x->reaction_n > 0);
    jw_key(w, "distribution");
    jw_arr_begin(w);
    for (int i = 0; i < 5; i++)
        jw_i64(w, x->reaction_dist[i]);
    jw_arr_end(w);
    jw_obj_end(w);
    const struct stat_mean *l = &x->learning;
    jw_key(w, "learning");
    jw_obj_begin(w);
    jw_ki64(w, "n", l->n);
    knum(w, "mean_pre", x->mean_pre, l->n > 0);
    knum(w, "mean_post", x->mean_post, l->n > 0);
    knum(w, "mean_gain", l->mean, l->n > 0);
    knum(w, "sd", l->sd, l->n > 1);
    knum(w, "ci_low", l->lo, l->has_ci);
    knum(w, "ci_high", l->hi, l->has_ci);
    jw_obj_end(w);
    jw_key(w, "behaviour");
    jw_obj_begin(w);
    jw_key(w, "competencies");
    jw_arr_begin(w);
    for (size_t i = 0; i < x->n_competencies; i++) {
        const struct effect_competency *c = &x->competencies[i];
        jw_obj_begin(w);
        jw_ki64(w, "competency_id", c->competency_id);
        jw_kstr(w, "code", c->code);
        jw_ki64(w, "n", c->n);
        knum(w, "before", c->before, c->n > 0);
        knum(w, "after", c->after, c->n > 0);
        knum(w, "change", c->change, c->n > 0);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    render_rate(w, "visits", &x->visits);
    render_rate(w, "interactions", &x->interactions);
    jw_obj_end(w);
    const struct stat_did *d = &x->did;
    int ok = !strcmp(x->status, "ok");
    jw_key(w, "results");
    jw_obj_begin(w);
    jw_kstr(w, "status", x->status);
    jw_kstr(w, "reason", x->reason);
    jw_ki64(w, "pending", x->pending);
    jw_ki64(w, "n_trained", d->n_t);
    jw_ki64(w, "n_control", d->n_c);
    knum(w, "pre_trained", x->pre_t, d->n_t > 0);
    knum(w, "post_trained", x->post_t, d->n_t > 0);
    knum(w, "pre_control", x->pre_c, d->n_c > 0);
    knum(w, "post_control", x->post_c, d->n_c > 0);
    knum(w, "did", d->did, d->n_t > 0 && d->n_c > 0);
    knum(w, "se", d->se, ok && d->has_ci);
    knum(w, "df", d->df, ok && d->has_ci);
    knum(w, "ci_low", d->lo, ok && d->has_ci);
    knum(w, "ci_high", d->hi, ok && d->has_ci);
    jw_obj_end(w);
    jw_obj_end(w);
}

/* ---- handlers ---- */

static enum kam_err paging(struct api_call *c, int64_t *limit)
{
    enum kam_err rc = api_query_i64(c, "limit", 0, limit);
    if (!rc && http_query(c->req, "limit") && *limit == 0)
        rc = kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    return rc;
}

static enum kam_err no_version(struct api_call *c, unsigned set, unsigned bit)
{
    if (set & bit)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    return KAM_OK;
}

static enum kam_err crs_list(struct api_call *c)
{
    struct course_query q = {.q = api_query_str(c, "q"),
                             .topic = api_query_str(c, "topic"),
                             .format = api_query_str(c, "format"),
                             .sort = api_query_str(c, "sort"),
                             .cursor = api_query_str(c, "cursor"),
                             .active = -1};
    enum kam_err rc;
    int64_t active = -1;
    if ((rc = paging(c, &q.limit)) || (rc = api_query_i64(c, "active", -1, &active)) ||
        (rc = api_query_i64(c, "competency_id", 0, &q.competency_id)))
        return rc;
    if (active < -1 || active > 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "active", "active is 0 or 1");
    q.active = (int)active;
    struct course *items;
    size_t n;
    const char *next;
    if ((rc = course_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_course(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err crs_create(struct api_call *c)
{
    struct course_in in = {0};
    enum kam_err rc = api_decode(c, course_spec, &in, &in.set);
    if (rc || (rc = no_version(c, in.set, CRS_VERSION)))
        return rc;
    struct course out;
    if ((rc = course_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_course(&c->w, &out);
    return KAM_OK;
}

static enum kam_err crs_get(struct api_call *c)
{
    struct course out;
    enum kam_err rc = course_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_course(&c->w, &out);
    return rc;
}

static enum kam_err crs_patch(struct api_call *c)
{
    struct course_in in = {0};
    enum kam_err rc = api_decode(c, course_spec, &in, &in.set);
    if (rc)
        return rc;
    struct course out;
    if ((rc = course_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_course(&c->w, &out);
    return KAM_OK;
}

static enum kam_err crs_del(struct api_call *c)
{
    enum kam_err rc = course_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err crs_effect(struct api_call *c)
{
    int64_t months = 0;
    enum kam_err rc = api_query_i64(c, "months", 0, &months);
    if (rc)
        return rc;
    if (http_query(c->req, "months") && months == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "months", "months must be 1..12");
    struct effect_report out;
    if ((rc = effect_report(c->ctx, c->id[0], api_query_str(c, "kpi"), months, &out)))
        return rc;
    render_effect(&c->w, &out);
    return KAM_OK;
}

static enum kam_err ses_list(struct api_call *c)
{
    struct session_query q = {.from = api_query_str(c, "from"),
                              .to = api_query_str(c, "to"),
                              .cursor = api_query_str(c, "cursor")};
    enum kam_err rc;
    if ((rc = paging(c, &q.limit)) || (rc = api_query_i64(c, "course_id", 0, &q.course_id)))
        return rc;
    struct training_session *items;
    size_t n;
    const char *next;
    if ((rc = session_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_session(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err ses_create(struct api_call *c)
{
    struct session_in in = {0};
    enum kam_err rc = api_decode(c, session_spec, &in, &in.set);
    if (rc || (rc = no_version(c, in.set, SES_VERSION)))
        return rc;
    struct training_session out;
    if ((rc = session_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_session(&c->w, &out);
    return KAM_OK;
}

static enum kam_err ses_get(struct api_call *c)
{
    struct training_session out;
    enum kam_err rc = session_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_session(&c->w, &out);
    return rc;
}

static enum kam_err ses_patch(struct api_call *c)
{
    struct session_in in = {0};
    enum kam_err rc = api_decode(c, session_spec, &in, &in.set);
    if (rc)
        return rc;
    struct training_session out;
    if ((rc = session_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_session(&c->w, &out);
    return KAM_OK;
}

static enum kam_err ses_del(struct api_call *c)
{
    enum kam_err rc = session_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err en_list_q(struct api_call *c, struct enrolment_query *q)
{
    q->status = api_query_str(c, "status");
    q->cursor = api_query_str(c, "cursor");
    enum kam_err rc;
    if ((rc = paging(c, &q->limit)))
        return rc;
    struct enrolment *items;
    size_t n;
    const char *next;
    if ((rc = enrolment_list(c->ctx, q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_enrolment(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err en_list(struct api_call *c)
{
    struct enrolment_query q = {0};
    enum kam_err rc;
    if ((rc = api_query_i64(c, "session_id", 0, &q.session_id)) ||
        (rc = api_query_i64(c, "course_id", 0, &q.course_id)) ||
        (rc = api_query_user(c, "user_id", &q.user_id)))
        return rc;
    return en_list_q(c, &q);
}

static enum kam_err en_of_user(struct api_call *c)
{
    struct enrolment_query q = {.user_id = c->id[0]};
    enum kam_err rc = api_query_i64(c, "course_id", 0, &q.course_id);
    if (rc)
        return rc;
    return en_list_q(c, &q);
}

static enum kam_err en_create(struct api_call *c)
{
    struct enrolment_in in = {0};
    enum kam_err rc = api_decode(c, enrolment_spec, &in, &in.set);
    if (rc || (rc = no_version(c, in.set, EN_VERSION)))
        return rc;
    if (in.set & ~(EN_SESSION | EN_USER))
        return kam_fail(c->ctx->err, KAM_EINVAL,
                        (in.set & (EN_PRE | EN_POST)) ? "pre_score" : "practice_account_id",
                        "enrol first: scores and practice are set with PATCH");
    struct enrolment out;
    if ((rc = enrolment_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_enrolment(&c->w, &out);
    return KAM_OK;
}

static enum kam_err en_get(struct api_call *c)
{
    struct enrolment out;
    enum kam_err rc = enrolment_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_enrolment(&c->w, &out);
    return rc;
}

static enum kam_err en_patch(struct api_call *c)
{
    struct enrolment_in in = {0};
    enum kam_err rc = api_decode(c, enrolment_spec, &in, &in.set);
    if (rc)
        return rc;
    struct enrolment out;
    if ((rc = enrolment_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_enrolment(&c->w, &out);
    return KAM_OK;
}

static enum kam_err en_del(struct api_call *c)
{
    enum kam_err rc = enrolment_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err en_attendance(struct api_call *c)
{
    struct attendance_in in = {0};
    enum kam_err rc = api_decode(c, attendance_spec, &in, &in.set);
    if (rc)
        return rc;
    if (!(in.set & 1))
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "attended", "required",
                            (struct kam_param[]){{"field", "attended"}, {0}},
                            "attended is required");
    struct enrolment out;
    if ((rc = enrolment_attendance(c->ctx, c->id[0], in.attended, &out)))
        return rc;
    render_enrolment(&c->w, &out);
    return KAM_OK;
}

static enum kam_err en_feedback(struct api_call *c)
{
    struct feedback_in in = {0};
    enum kam_err rc = api_decode(c, feedback_spec, &in, &in.set);
    if (rc)
        return rc;
    if (!(in.set & 1))
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "rating", "required",
                            (struct kam_param[]){{"field", "rating"}, {0}}, "rating is required");
    struct enrolment out;
    if ((rc = enrolment_feedback(c->ctx, c->id[0], in.rating, in.comment, &out)))
        return rc;
    render_enrolment(&c->w, &out);
    return KAM_OK;
}

static enum kam_err en_complete(struct api_call *c)
{
    struct enrolment out;
    enum kam_err rc = enrolment_complete(c->ctx, c->id[0], &out, NULL);
    if (!rc)
        render_enrolment(&c->w, &out);
    return rc;
}

static enum kam_err tn_create(struct api_call *c)
{
    struct training_in in = {0};
    enum kam_err rc = api_decode(c, need_spec, &in, &in.set);
    if (rc)
        return rc;
    struct training_need out;
    if ((rc = training_need_manual(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_need(&c->w, &out);
    return KAM_OK;
}

static enum kam_err tn_derive(struct api_call *c)
{
    struct derive_in in = {0};
    enum kam_err rc = api_decode(c, derive_spec, &in, &in.set);
    if (rc)
        return rc;
    struct needs_derive_in d = {.user_id = in.has_user ? in.user_id : 0, .on_day = in.on_day};
    if (in.has_user && in.user_id <= 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "user_id", "no such user");
    struct needs_derive_out out;
    if ((rc = training_needs_derive(c->ctx, &d, &out)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "people", out.people);
    jw_ki64(w, "gaps", out.gaps);
    jw_ki64(w, "low_lines", out.low_lines);
    jw_ki64(w, "already_open", out.already_open);
    jw_key(w, "created");
    jw_arr_begin(w);
    for (size_t i = 0; i < out.n_created; i++)
        render_need(w, &out.created[i]);
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static const char *const crs_list_query[] = {"q",    "topic", "format", "active", "competency_id",
                                             "sort", "limit", "cursor", NULL};
static const char *const ses_list_query[] = {"course_id", "from", "to", "limit", "cursor", NULL};
static const char *const en_list_query[] = {"session_id", "course_id", "user_id", "status",
                                            "limit",      "cursor",    NULL};
static const char *const en_user_query[] = {"course_id", "status", "limit", "cursor", NULL};
static const char *const effect_query[] = {"months", "kpi", NULL};
static const char *crs_export_query[API_EXPORT_QUERY_MAX];
static const char *ses_export_query[API_EXPORT_QUERY_MAX];
static const char *en_export_query[API_EXPORT_QUERY_MAX];
static const char *en_user_export_query[API_EXPORT_QUERY_MAX];

#define EXPORT_DOC                                                                                 \
    " over all its pages, with its filters and sort, as a file: format=csv (default) or xlsx; "    \
    "columns=key[:label],...; lang=zh-CN|zh-TW|en; raw=1 keeps stored values"

const struct route api_routes_training[] = {
    {"GET", "/api/v1/courses", crs_list, OBJ_COURSE, ACT_READ, SCOPE_NONE, NULL, crs_list_query,
     200,
     "The training catalogue: q (code, title), topic, format, active, competency_id (builds it); "
     "sort code | title | id (default code); keyset paging",
     "[Course]"},
    {"GET", "/api/v1/courses/export", api_list_export, OBJ_COURSE, ACT_READ, SCOPE_NONE, NULL,
     crs_export_query, 200, "The courses list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/courses", crs_create, OBJ_COURSE, ACT_CREATE, SCOPE_NONE, course_spec, NULL,
     201, "Add a course to the catalogue", "Course"},
    {"GET", "/api/v1/courses/:id", crs_get, OBJ_COURSE, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "One course", "Course"},
    {"PATCH", "/api/v1/courses/:id", crs_patch, OBJ_COURSE, ACT_UPDATE, SCOPE_NONE, course_spec,
     NULL, 200, "Change a course (competency_ids replaced whole)", "Course"},
    {"DELETE", "/api/v1/courses/:id", crs_del, OBJ_COURSE, ACT_DELETE, SCOPE_NONE, NULL, NULL, 204,
     "Delete a course without sessions (409 course.in_use otherwise: deactivate it)", "-"},
    {"GET", "/api/v1/courses/:id/effect", crs_effect, OBJ_TRAINING, ACT_READ, SCOPE_NONE, NULL,
     effect_query, 200,
     "The course's effect on Kirkpatrick's four levels: reaction, learning (paired t CI), "
     "behaviour (competency reassessment, visits and interactions per month) and results (a "
     "difference-in-differences of a monthly KPI, kpi revenue | visits, over months 1-12 "
     "(default 3), with its Welch CI, or not_enough_data); aggregates only; a team lead's "
     "figures cover the people in their scope",
     "TrainingEffect"},
    {"GET", "/api/v1/training-sessions", ses_list, OBJ_COURSE, ACT_READ, SCOPE_NONE, NULL,
     ses_list_query, 200,
     "Training sessions: course_id, from/to (starts_on within); newest first; keyset paging",
     "[TrainingSession]"},
    {"GET", "/api/v1/training-sessions/export", api_list_export, OBJ_COURSE, ACT_READ, SCOPE_NONE,
     NULL, ses_export_query, 200, "The sessions list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/training-sessions", ses_create, OBJ_COURSE, ACT_CREATE, SCOPE_NONE,
     session_spec, NULL, 201, "Schedule a session of a course", "TrainingSession"},
    {"GET", "/api/v1/training-sessions/:id", ses_get, OBJ_COURSE, ACT_READ, SCOPE_NONE, NULL, NULL,
     200, "One session", "TrainingSession"},
    {"PATCH", "/api/v1/training-sessions/:id", ses_patch, OBJ_COURSE, ACT_UPDATE, SCOPE_NONE,
     session_spec, NULL, 200, "Change a session's days, trainer or place", "TrainingSession"},
    {"DELETE", "/api/v1/training-sessions/:id", ses_del, OBJ_COURSE, ACT_DELETE, SCOPE_NONE, NULL,
     NULL, 204, "Delete a session without enrolments (409 session.in_use otherwise)", "-"},
    {"GET", "/api/v1/enrolments", en_list, OBJ_ENROLMENT, ACT_READ, SCOPE_NONE, NULL, en_list_query,
     200,
     "Enrolments (personal data): session_id, course_id, user_id (or me), status; newest first; "
     "a scoped reader sees their own and those of the people they lead",
     "[Enrolment]"},
    {"GET", "/api/v1/enrolments/export", api_list_export, OBJ_ENROLMENT, ACT_READ, SCOPE_NONE, NULL,
     en_export_query, 200, "The enrolments list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/enrolments", en_create, OBJ_ENROLMENT, ACT_CREATE, SCOPE_NONE, enrolment_spec,
     NULL, 201, "Enrol a person in a session (yourself, one you lead; hr and director anyone)",
     "Enrolment"},
    {"GET", "/api/v1/enrolments/:id", en_get, OBJ_ENROLMENT, ACT_READ, SCOPE_ENROLMENT, NULL, NULL,
     200, "One enrolment", "Enrolment"},
    {"PATCH", "/api/v1/enrolments/:id", en_patch, OBJ_ENROLMENT, ACT_UPDATE, SCOPE_ENROLMENT,
     enrolment_spec, NULL, 200,
     "Test scores (post-test after attendance) and the practice assignment on a real account",
     "Enrolment"},
    {"DELETE", "/api/v1/enrolments/:id", en_del, OBJ_ENROLMENT, ACT_DELETE, SCOPE_ENROLMENT, NULL,
     NULL, 204, "Withdraw an enrolment (not a completed one: 409 enrolment.completed)", "-"},
    {"POST", "/api/v1/enrolments/:id/attendance", en_attendance, OBJ_ENROLMENT, ACT_UPDATE,
     SCOPE_ENROLMENT, attendance_spec, NULL, 200,
     "Record attendance (attended or absent) once the session has started", "Enrolment"},
    {"POST", "/api/v1/enrolments/:id/feedback", en_feedback, OBJ_ENROLMENT, ACT_UPDATE,
     SCOPE_ENROLMENT, feedback_spec, NULL, 200,
     "The person's own reaction to the training: rating 1-5 and a comment (403 "
     "enrolment.feedback_own for anyone else)",
     "Enrolment"},
    {"POST", "/api/v1/enrolments/:id/complete", en_complete, OBJ_ENROLMENT, ACT_UPDATE,
     SCOPE_ENROLMENT, NULL, NULL, 200,
     "Complete an attended training (completed_at now); the person's open needs on the course's "
     "topic or competencies become done",
     "Enrolment"},
    {"GET", "/api/v1/users/:id/training", en_of_user, OBJ_ENROLMENT, ACT_READ, SCOPE_USER, NULL,
     en_user_query, 200,
     "A person's training (their enrolments): for themself, those who lead them, hr and "
     "director",
     "[Enrolment]"},
    {"GET", "/api/v1/users/:id/training/export", api_list_export, OBJ_ENROLMENT, ACT_READ,
     SCOPE_USER, NULL, en_user_export_query, 200, "A person's training" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/training-needs", tn_create, OBJ_TRAINING, ACT_CREATE, SCOPE_NONE, need_spec,
     NULL, 201,
     "A manual training need (source manual) for a person (in your scope), a role or everyone "
     "(org-wide creators)",
     "TrainingNeed"},
    {"POST", "/api/v1/training-needs/derive", tn_derive, OBJ_TRAINING, ACT_CREATE, SCOPE_NONE,
     derive_spec, NULL, 200,
     "Derive training needs from competency gaps against the person's role profile and from "
     "appraisal lines below threshold, for one person or everyone in your scope; idempotent",
     "TrainingNeedsDerived"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/courses/export", crs_export_query);
    api_list_export_query("/api/v1/training-sessions/export", ses_export_query);
    api_list_export_query("/api/v1/enrolments/export", en_export_query);
    api_list_export_query("/api/v1/users/:id/training/export", en_user_export_query);
}
