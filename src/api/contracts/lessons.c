/* lessons.c -- Lessons learned, linked to what they came from; training needs and accountability
 * (issue 17): decode, call svc/contracts, render. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/contracts/lesson.h"

const struct api_shape api_shapes_lessons[] = {
    {"Lesson", "id:int account_id:int? account_name:str? title:str what_happened:str "
               "root_cause:str changes:str tags:[str] links:[LessonLink] created_by:int? "
               "version:int created_at:ts updated_at:ts"},
    {"LessonLink", "kind:str(dispute|breach|opportunity|account|issue|contract) ref_id:int"},
    {"Accountability", "id:int lesson_id:int lesson_title:str user_id:int user_name:str "
                       "decision:str note:str created_at:ts"},
    {"TrainingNeed",
     "id:int source:str(lesson|competency|appraisal|manual) source_id:int? topic:str detail:str "
     "user_id:int? audience_role:str status:str(open|planned|done|dropped) created_by:int? "
     "created_at:ts updated_at:ts"},
    {NULL, NULL},
};

#define LLF(f) offsetof(struct lesson_link, f)
static const struct jfield link_spec[] = {
    {"kind", J_STR, LL_KIND, LLF(kind), 0, 0, 0,
     "dispute | breach | opportunity | account | issue | contract", 1},
    {"ref_id", J_I64, LL_REF, LLF(ref_id), 0, 0, 0, "the record's id", 1},
    {0},
};

#define LF(f) offsetof(struct lesson_in, v.f)
#define LB(f) offsetof(struct lesson_in, f)
static const struct jfield lesson_spec[] = {
    {"title", J_STR, LE_TITLE, LF(title), 0, 0, 0, "1-200 characters", 1},
    {"what_happened", J_STR, LE_WHAT, LF(what_happened), 0, 0, 1, "<= 8000 characters"},
    {"root_cause", J_STR, LE_ROOT, LF(root_cause), 0, 0, 1, "<= 8000 characters"},
    {"changes", J_STR, LE_CHANGES, LF(changes), 0, 0, 1, "what we change, <= 8000 characters"},
    {"tags", J_STRS, LE_TAGS, LB(tags), LB(n_tags), LB(tags_given), 0,
     "words of 1-30 characters without commas, at most 20 (replaced whole)", 0, NULL,
     LESSON_TAGS_MAX},
    {"account_id", J_I64, LE_ACCOUNT, LF(account_id), LF(has_account), 0, 1,
     "POST: the account (default: the first link's account; none: a company-wide lesson, "
     "recorded by org-wide writers only); cannot change"},
    {"links", J_OBJS, LE_LINKS, LB(links), LB(n_links), sizeof(struct lesson_link), 0,
     "what the lesson came from (replaced whole), at most 20; each must exist and be readable "
     "by the caller (400 naming links[i])",
     0, link_spec, LESSON_LINKS_MAX},
    {"version", J_I64, LE_VERSION, LF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

#define AF(f) offsetof(struct accountability_in, v.f)
static const struct jfield acc_spec[] = {
    {"user_id", J_I64, AC_USER, AF(user_id), 0, 0, 0, "the person accountable", 1},
    {"decision", J_STR, AC_DECISION, AF(decision), 0, 0, 0,
     "the decision they are accountable for, 1-500 characters", 1},
    {"note", J_STR, AC_NOTE, AF(note), 0, 0, 1, "<= 2000 characters"},
    {0},
};

#define TF(f) offsetof(struct training_in, v.f)
static const struct jfield training_spec[] = {
    {"topic", J_STR, TN_TOPIC, TF(topic), 0, 0, 0, "1-200 characters", 1},
    {"detail", J_STR, TN_DETAIL, TF(detail), 0, 0, 1, "<= 2000 characters"},
    {"user_id", J_I64, TN_USER, TF(user_id), TF(has_user), 0, 1,
     "the person to train (or audience_role, not both; neither: everyone)"},
    {"audience_role", J_STR, TN_ROLE, TF(audience_role), 0, 0, 1,
     "a role whose people to train (account_manager, team_lead, ...)"},
    {0},
};

static void render_lesson(struct jw *w, const struct lesson *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64n(w, "account_id", x->account_id, !x->has_account);
    jw_kstr(w, "account_name", x->account_name);
    jw_kstr(w, "title", x->title);
    jw_kstr(w, "what_happened", x->what_happened);
    jw_kstr(w, "root_cause", x->root_cause);
    jw_kstr(w, "changes", x->changes);
    jw_key(w, "tags");
    jw_arr_begin(w);
    for (const char *p = x->tags; p && *p;) {
        size_t n = strcspn(p, ",");
        jw_strn(w, p, n);
        p += n;
        if (*p == ',')
            p++;
    }
    jw_arr_end(w);
    jw_key(w, "links");
    jw_arr_begin(w);
    for (size_t i = 0; i < x->n_links; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "kind", x->links[i].kind);
        jw_ki64(w, "ref_id", x->links[i].ref_id);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ki64n(w, "created_by", x->created_by, !x->has_created_by);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static void render_acc(struct jw *w, const struct accountability *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "lesson_id", x->lesson_id);
    jw_kstr(w, "lesson_title", x->lesson_title);
    jw_ki64(w, "user_id", x->user_id);
    jw_kstr(w, "user_name", x->user_name);
    jw_kstr(w, "decision", x->decision);
    jw_kstr(w, "note", x->note);
    jw_ktime(w, "created_at", x->created_at);
    jw_obj_end(w);
}

static void render_training(struct jw *w, const struct training_need *x)
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

static enum kam_err paging(struct api_call *c, int64_t *limit)
{
    enum kam_err rc = api_query_i64(c, "limit", 0, limit);
    if (!rc && http_query(c->req, "limit") && *limit == 0)
        rc = kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    return rc;
}

static enum kam_err le_list(struct api_call *c)
{
    struct lesson_query q = {.q = api_query_str(c, "q"),
                             .tag = api_query_str(c, "tag"),
                             .kind = api_query_str(c, "kind"),
                             .sort = api_query_str(c, "sort"),
                             .cursor = api_query_str(c, "cursor")};
    enum kam_err rc;
    if ((rc = paging(c, &q.limit)) || (rc = api_query_i64(c, "account_id", 0, &q.account_id)) ||
        (rc = api_query_i64(c, "ref_id", 0, &q.ref_id)))
        return rc;
    struct lesson *items;
    size_t n;
    const char *next;
    if ((rc = lesson_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_lesson(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err le_create(struct api_call *c)
{
    struct lesson_in in = {0};
    enum kam_err rc = api_decode(c, lesson_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & LE_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct lesson out;
    if ((rc = lesson_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_lesson(&c->w, &out);
    return KAM_OK;
}

static enum kam_err le_get(struct api_call *c)
{
    struct lesson out;
    enum kam_err rc = lesson_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_lesson(&c->w, &out);
    return rc;
}

static enum kam_err le_patch(struct api_call *c)
{
    struct lesson_in in = {0};
    enum kam_err rc = api_decode(c, lesson_spec, &in, &in.set);
    if (rc)
        return rc;
    struct lesson out;
    if ((rc = lesson_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_lesson(&c->w, &out);
    return KAM_OK;
}

static enum kam_err le_del(struct api_call *c)
{
    enum kam_err rc = lesson_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err acc_create(struct api_call *c)
{
    struct accountability_in in = {0};
    enum kam_err rc = api_decode(c, acc_spec, &in, &in.set);
    if (rc)
        return rc;
    struct accountability out;
    if ((rc = accountability_add(c->ctx, c->id[0], &in, &out)))
        return rc;
    c->status = 201;
    render_acc(&c->w, &out);
    return KAM_OK;
}

static enum kam_err acc_list_q(struct api_call *c, struct accountability_query *q)
{
    q->cursor = api_query_str(c, "cursor");
    struct accountability *items;
    size_t n;
    const char *next;
    enum kam_err rc;
    if ((rc = paging(c, &q->limit)) || (rc = accountability_list(c->ctx, q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_acc(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err acc_of_lesson(struct api_call *c)
{
    struct accountability_query q = {.lesson_id = c->id[0]};
    return acc_list_q(c, &q);
}

static enum kam_err acc_list(struct api_call *c)
{
    struct accountability_query q = {0};
    enum kam_err rc;
    if ((rc = api_query_user(c, "user_id", &q.user_id)) ||
        (rc = api_query_i64(c, "lesson_id", 0, &q.lesson_id)))
        return rc;
    return acc_list_q(c, &q);
}

static enum kam_err tn_create(struct api_call *c)
{
    struct training_in in = {0};
    enum kam_err rc = api_decode(c, training_spec, &in, &in.set);
    if (rc)
        return rc;
    struct training_need out;
    if ((rc = training_need_add(c->ctx, c->id[0], &in, &out)))
        return rc;
    c->status = 201;
    render_training(&c->w, &out);
    return KAM_OK;
}

static enum kam_err tn_list(struct api_call *c)
{
    struct training_query q = {.status = api_query_str(c, "status"),
                               .cursor = api_query_str(c, "cursor")};
    enum kam_err rc;
    if ((rc = paging(c, &q.limit)) || (rc = api_query_user(c, "user_id", &q.user_id)) ||
        (rc = api_query_i64(c, "lesson_id", 0, &q.lesson_id)))
        return rc;
    struct training_need *items;
    size_t n;
    const char *next;
    if ((rc = training_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_training(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static const char *const le_list_query[] = {"q",    "account_id", "tag",    "kind", "ref_id",
                                            "sort", "limit",      "cursor", NULL};
static const char *const page_query[] = {"limit", "cursor", NULL};
static const char *const acc_list_query[] = {"user_id", "lesson_id", "limit", "cursor", NULL};
static const char *const tn_list_query[] = {"user_id", "lesson_id", "status",
                                            "limit",   "cursor",    NULL};
/* Written once, before main, by init_queries(). */
static const char *le_export_query[API_EXPORT_QUERY_MAX];
static const char *acc_export_query[API_EXPORT_QUERY_MAX];
static const char *tn_export_query[API_EXPORT_QUERY_MAX];

#define EXPORT_DOC                                                                                 \
    " over all its pages, with its filters and sort, as a file: format=csv (default) or xlsx; "    \
    "columns=key[:label],...; lang=zh-CN|zh-TW|en; raw=1 keeps stored values"

const struct route api_routes_lessons[] = {
    {"GET", "/api/v1/lessons", le_list, OBJ_LESSON, ACT_READ, SCOPE_NONE, NULL, le_list_query, 200,
     "Lessons learned the caller may read (those of no account and of accounts in scope): q "
     "(full text through the search index: Chinese, English, pinyin), account_id, tag, kind "
     "with ref_id (linked to); sort id | updated_at (default -id); keyset paging",
     "[Lesson]"},
    {"GET", "/api/v1/lessons/export", api_list_export, OBJ_LESSON, ACT_READ, SCOPE_NONE, NULL,
     le_export_query, 200, "The lessons list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/lessons", le_create, OBJ_LESSON, ACT_CREATE, SCOPE_NONE, lesson_spec, NULL,
     201, "Record a lesson learned with its links", "Lesson"},
    {"GET", "/api/v1/lessons/:id", le_get, OBJ_LESSON, ACT_READ, SCOPE_LESSON, NULL, NULL, 200,
     "One lesson with its links", "Lesson"},
    {"PATCH", "/api/v1/lessons/:id", le_patch, OBJ_LESSON, ACT_UPDATE, SCOPE_LESSON, lesson_spec,
     NULL, 200, "Change a lesson (texts, tags, links replaced whole; not its account)", "Lesson"},
    {"DELETE", "/api/v1/lessons/:id", le_del, OBJ_LESSON, ACT_DELETE, SCOPE_LESSON, NULL, NULL, 204,
     "Delete a lesson with its links and accountability records", "-"},
    {"POST", "/api/v1/lessons/:id/accountability", acc_create, OBJ_ACCOUNTABILITY, ACT_CREATE,
     SCOPE_LESSON, acc_spec, NULL, 201,
     "Record who is accountable for which decision in the lesson (personal data)",
     "Accountability"},
    {"GET", "/api/v1/lessons/:id/accountability", acc_of_lesson, OBJ_ACCOUNTABILITY, ACT_READ,
     SCOPE_LESSON, NULL, page_query, 200,
     "The lesson's accountability records (a scoped reader: of the people they manage only)",
     "[Accountability]"},
    {"GET", "/api/v1/accountability", acc_list, OBJ_ACCOUNTABILITY, ACT_READ, SCOPE_NONE, NULL,
     acc_list_query, 200,
     "Accountability records for appraisal: user_id (or me), lesson_id; newest first; a scoped "
     "reader sees those of the people they manage in lessons they may read",
     "[Accountability]"},
    {"GET", "/api/v1/accountability/export", api_list_export, OBJ_ACCOUNTABILITY, ACT_READ,
     SCOPE_NONE, NULL, acc_export_query, 200, "The accountability list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/lessons/:id/training-needs", tn_create, OBJ_TRAINING, ACT_CREATE,
     SCOPE_LESSON, training_spec, NULL, 201,
     "A training need from the lesson (source lesson) for a person, a role or everyone",
     "TrainingNeed"},
    {"GET", "/api/v1/training-needs", tn_list, OBJ_TRAINING, ACT_READ, SCOPE_NONE, NULL,
     tn_list_query, 200,
     "Training needs: user_id (or me), lesson_id, status; newest first; a scoped reader sees "
     "those of the people they manage and of lessons they may read",
     "[TrainingNeed]"},
    {"GET", "/api/v1/training-needs/export", api_list_export, OBJ_TRAINING, ACT_READ, SCOPE_NONE,
     NULL, tn_export_query, 200, "The training needs list" EXPORT_DOC, "csv"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/lessons/export", le_export_query);
    api_list_export_query("/api/v1/accountability/export", acc_export_query);
    api_list_export_query("/api/v1/training-needs/export", tn_export_query);
}
