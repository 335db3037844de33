/* needs.c -- /api/v1/needs, /api/v1/accounts/:id/needs, /api/v1/interviews and
 * /api/v1/accounts/:id/interviews (issue 14, F3.1): decode, call svc/needs, render. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/needs/need.h"

#define NF(f) offsetof(struct need_in, v.f)

static const struct jfield need_spec[] = {
    {"description", J_STR, NEED_DESCRIPTION, NF(description), 0, 0, 0, "1-2000 characters", 1},
    {"category", J_STR, NEED_CATEGORY, NF(category), 0, 0, 0,
     "product | service | price | delivery | technical | other (default other)"},
    {"pain_point", J_STR, NEED_PAIN, NF(pain_point), 0, 0, 0, "<= 2000"},
    {"expectation", J_STR, NEED_EXPECTATION, NF(expectation), 0, 0, 0, "<= 2000"},
    {"priority", J_STR, NEED_PRIORITY, NF(priority), 0, 0, 0,
     "low | medium | high (default medium)"},
    {"contact_id", J_I64, NEED_CONTACT, NF(contact_id), NF(has_contact), 0, 1,
     "who voiced it: a contact of the account, or null"},
    {"due_on", J_STR, NEED_DUE, NF(due_on), 0, 0, 1, "YYYY-MM-DD, or null"},
    {"interview_id", J_I64, NEED_INTERVIEW, NF(interview_id), NF(has_interview), 0, 1,
     "the interview it came from (same account), or null"},
    {"visit_id", J_I64, NEED_VISIT, NF(visit_id), NF(has_visit), 0, 1,
     "the visit it came from (same account), or null"},
    {"source", J_STR, NEED_SOURCE, NF(source), 0, 0, 0,
     "interview | visit | survey | manual (default: interview or visit when one is named, else "
     "manual)"},
    {"owner_id", J_I64, NEED_OWNER, NF(owner_id), NF(has_owner), 0, 1,
     "who follows it up: an active user who may work on this account's needs (default: the "
     "account owner when they may)"},
    {"version", J_I64, NEED_VERSION, NF(version), 0, 0, 0, "PATCH: the version you read"},
    {0},
};

const struct api_shape api_shapes_needs[] = {
    {"Need", "id:int account_id:int account_name:str "
             "category:str(product|service|price|delivery|technical|other) description:str "
             "pain_point:str expectation:str priority:str(low|medium|high) contact_id:int? "
             "status:str(open|addressing|addressed|dropped) "
             "addressed_by:{kind:str(offer|measure|issue) id:int}? due_on:date? "
             "interview_id:int? visit_id:int? source:str(interview|visit|survey|manual) "
             "owner_id:int? created_by:int? status_at:ts version:int created_at:ts updated_at:ts"},
    {"Interview", "id:int account_id:int account_name:str held_on:date visit_id:int? "
                  "interaction_id:int? title:str questions:str notes:str user_ids:[int] "
                  "contact_ids:[int] needs:int created_by:int? version:int created_at:ts "
                  "updated_at:ts"},
    {NULL, NULL},
};

static void render_need(struct jw *w, const struct need *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "account_id", x->account_id);
    jw_kstr(w, "account_name", x->account_name);
    jw_kstr(w, "category", x->category);
    jw_kstr(w, "description", x->description);
    jw_kstr(w, "pain_point", x->pain_point);
    jw_kstr(w, "expectation", x->expectation);
    jw_kstr(w, "priority", x->priority);
    jw_ki64n(w, "contact_id", x->contact_id, !x->has_contact);
    jw_kstr(w, "status", x->status);
    jw_key(w, "addressed_by");
    if (x->has_addressed) {
        jw_obj_begin(w);
        jw_kstr(w, "kind", x->addressed_kind);
        jw_ki64(w, "id", x->addressed_id);
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
    jw_kstr(w, "due_on", x->due_on);
    jw_ki64n(w, "interview_id", x->interview_id, !x->has_interview);
    jw_ki64n(w, "visit_id", x->visit_id, !x->has_visit);
    jw_kstr(w, "source", x->source);
    jw_ki64n(w, "owner_id", x->owner_id, !x->has_owner);
    jw_ki64n(w, "created_by", x->created_by, !x->has_created_by);
    jw_ktime(w, "status_at", x->status_at);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static void ids_array(struct jw *w, const char *k, const int64_t *ids, size_t n)
{
    jw_key(w, k);
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        jw_i64(w, ids[i]);
    jw_arr_end(w);
}

static void render_interview(struct jw *w, const struct interview *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "account_id", x->account_id);
    jw_kstr(w, "account_name", x->account_name);
    jw_kstr(w, "held_on", x->held_on);
    jw_ki64n(w, "visit_id", x->visit_id, !x->has_visit);
    jw_ki64n(w, "interaction_id", x->interaction_id, !x->has_interaction);
    jw_kstr(w, "title", x->title);
    jw_kstr(w, "questions", x->questions);
    jw_kstr(w, "notes", x->notes);
    ids_array(w, "user_ids", x->user_ids, x->n_users);
    ids_array(w, "contact_ids", x->contact_ids, x->n_contacts);
    jw_ki64(w, "needs", x->needs);
    jw_ki64n(w, "created_by", x->created_by, !x->has_created_by);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

/* The list filters (the list, its count and its export share them). account: the path's. */
static enum kam_err filters(struct api_call *c, struct need_query *q, int64_t account)
{
    enum kam_err rc;
    memset(q, 0, sizeof *q);
    q->category = api_query_str(c, "category");
    q->status = api_query_str(c, "status");
    q->priority = api_query_str(c, "priority");
    q->due_before = api_query_str(c, "due_before");
    q->sort = api_query_str(c, "sort");
    q->cursor = api_query_str(c, "cursor");
    q->q = api_query_str(c, "q");
    int64_t open = 0;
    if ((rc = api_query_i64(c, "limit", 0, &q->limit)) ||
        (rc = api_query_user(c, "owner_id", &q->owner_id)) ||
        (rc = api_query_i64(c, "interview_id", 0, &q->interview_id)) ||
        (rc = api_query_i64(c, "older_than_days", 0, &q->older_than_days)) ||
        (rc = api_query_i64(c, "open", 0, &open)))
        return rc;
    if (http_query(c->req, "limit") && q->limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    if (open != 0 && open != 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "open", "open must be 0 or 1");
    q->open_only = (int)open;
    if (account)
        q->account_id = account;
    else if ((rc = api_query_i64(c, "account_id", 0, &q->account_id)))
        return rc;
    return KAM_OK;
}

static enum kam_err list_with(struct api_call *c, int64_t account)
{
    struct need_query q;
    enum kam_err rc = filters(c, &q, account);
    struct need *items;
    size_t n;
    const char *next;
    if (rc || (rc = need_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_need(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err list(struct api_call *c)
{
    return list_with(c, 0);
}

static enum kam_err account_list(struct api_call *c)
{
    return list_with(c, c->id[0]);
}

static enum kam_err count(struct api_call *c)
{
    struct need_query q;
    int64_t total = 0;
    enum kam_err rc = filters(c, &q, 0);
    if (rc || (rc = need_count(c->ctx, &q, &total)))
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "total", total);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err create(struct api_call *c)
{
    struct need_in in = {0};
    enum kam_err rc = api_decode(c, need_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & NEED_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct need out;
    if ((rc = need_create(c->ctx, c->id[0], &in, &out)))
        return rc;
    c->status = 201;
    render_need(&c->w, &out);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct need out;
    enum kam_err rc = need_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_need(&c->w, &out);
    return rc;
}

static enum kam_err patch(struct api_call *c)
{
    struct need_in in = {0};
    enum kam_err rc = api_decode(c, need_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & NEED_SOURCE)
        return kam_fail(c->ctx->err, KAM_EINVAL, "source",
                        "source is set when the need is created");
    struct need out;
    if ((rc = need_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_need(&c->w, &out);
    return KAM_OK;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = need_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

struct status_body {
    const char *to, *note, *kind;
    int64_t id, version;
    int has_id;
};

#define SF(f) offsetof(struct status_body, f)

static const struct jfield status_spec[] = {
    {"to", J_STR, 1, SF(to), 0, 0, 0, "open | addressing | addressed | dropped", 1},
    {"note", J_STR, 2, SF(note), 0, 0, 0, "<= 2000, kept in the need's history"},
    {"addressed_kind", J_STR, 4, SF(kind), 0, 0, 0,
     "to addressed: offer | measure | issue (a measure or issue of the same account; offers are "
     "linked by id until issue 15 adds them)"},
    {"addressed_id", J_I64, 8, SF(id), SF(has_id), 0, 0, "to addressed: the record's id"},
    {"version", J_I64, 16, SF(version), 0, 0, 0, "the version you read (stale -> 409)"},
    {0},
};

static enum kam_err set_status(struct api_call *c)
{
    struct status_body b = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, status_spec, &b, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "to", "required",
                            (struct kam_param[]){{"field", "to"}, {0}}, "to is required");
    if (((set & 4) != 0) != ((set & 8) != 0))
        return kam_fail(c->ctx->err, KAM_EINVAL, (set & 4) ? "addressed_id" : "addressed_kind",
                        "addressed_kind and addressed_id go together");
    struct need_status_in in = {.to = b.to,
                                .note = b.note ? b.note : "",
                                .addressed_kind = b.kind,
                                .addressed_id = b.id,
                                .has_addressed = (set & 4) != 0,
                                .version = b.version,
                                .has_version = (set & 16) != 0};
    struct need out;
    if ((rc = need_set_status(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_need(&c->w, &out);
    return KAM_OK;
}

/* ---- interviews ---- */

struct iv_body {
    struct interview_in in;
    int64_t users[API_MAX_IDS], contacts[API_MAX_IDS];
    int n_users, has_users, n_contacts, has_contacts;
};

#define IF(f) offsetof(struct iv_body, in.v.f)
#define IB(f) offsetof(struct iv_body, f)

static const struct jfield iv_spec[] = {
    {"held_on", J_STR, IV_HELD_ON, IF(held_on), 0, 0, 0, "YYYY-MM-DD", 1},
    {"title", J_STR, IV_TITLE, IF(title), 0, 0, 0, "<= 200"},
    {"questions", J_STR, IV_QUESTIONS, IF(questions), 0, 0, 0, "the questions asked, <= 10000"},
    {"notes", J_STR, IV_NOTES, IF(notes), 0, 0, 0, "<= 10000"},
    {"visit_id", J_I64, IV_VISIT, IF(visit_id), IF(has_visit), 0, 1,
     "a visit of the same account, or null"},
    {"interaction_id", J_I64, IV_INTERACTION, IF(interaction_id), IF(has_interaction), 0, 1,
     "an interaction of the same account, or null"},
    {"user_ids", J_IDS, IV_USERS, IB(users), IB(n_users), IB(has_users), 0,
     "our attendees (users), at most 50"},
    {"contact_ids", J_IDS, IV_CONTACTS, IB(contacts), IB(n_contacts), IB(has_contacts), 0,
     "their attendees (contacts of the account), at most 50"},
    {"version", J_I64, IV_VERSION, IF(version), 0, 0, 0, "PATCH: the version you read"},
    {0},
};

static enum kam_err iv_decode(struct api_call *c, struct iv_body *b)
{
    enum kam_err rc = api_decode(c, iv_spec, b, &b->in.set);
    if (rc)
        return rc;
    b->in.v.user_ids = b->users;
    b->in.v.n_users = (size_t)b->n_users;
    b->in.v.contact_ids = b->contacts;
    b->in.v.n_contacts = (size_t)b->n_contacts;
    return KAM_OK;
}

static enum kam_err iv_create(struct api_call *c)
{
    struct iv_body *b = arena_calloc(c->ctx->a, 1, sizeof *b);
    enum kam_err rc = iv_decode(c, b);
    if (rc)
        return rc;
    if (b->in.set & IV_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct interview out;
    if ((rc = interview_create(c->ctx, c->id[0], &b->in, &out)))
        return rc;
    c->status = 201;
    render_interview(&c->w, &out);
    return KAM_OK;
}

static enum kam_err iv_get(struct api_call *c)
{
    struct interview out;
    enum kam_err rc = interview_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_interview(&c->w, &out);
    return rc;
}

static enum kam_err iv_patch(struct api_call *c)
{
    struct iv_body *b = arena_calloc(c->ctx->a, 1, sizeof *b);
    enum kam_err rc = iv_decode(c, b);
    struct interview out;
    if (rc || (rc = interview_update(c->ctx, c->id[0], &b->in, &out)))
        return rc;
    render_interview(&c->w, &out);
    return KAM_OK;
}

static enum kam_err iv_del(struct api_call *c)
{
    enum kam_err rc = interview_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err iv_list(struct api_call *c)
{
    int64_t limit = 0;
    enum kam_err rc = api_query_i64(c, "limit", 0, &limit);
    if (rc)
        return rc;
    if (http_query(c->req, "limit") && limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    struct interview *items;
    size_t n;
    const char *next;
    if ((rc = interview_list(c->ctx, c->id[0], limit, api_query_str(c, "cursor"), &items, &n,
                             &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_interview(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static const char *const list_query[] = {
    "account_id", "owner_id",        "category",   "status", "priority", "open",   "interview_id",
    "q",          "older_than_days", "due_before", "sort",   "limit",    "cursor", NULL};
static const char *const account_list_query[] = {
    "owner_id",   "category", "status", "priority", "open", "interview_id", "q", "older_than_days",
    "due_before", "sort",     "limit",  "cursor",   NULL};
static const char *const count_query[] = {
    "account_id",   "owner_id", "category",        "status",     "priority", "open",
    "interview_id", "q",        "older_than_days", "due_before", NULL};
static const char *const page_query[] = {"limit", "cursor", NULL};
/* Written once, before main, by init_queries(). */
static const char *export_query[API_EXPORT_QUERY_MAX];

#define LIST_DOC                                                                                   \
    ": category, status (or open=1: open and addressing), priority, owner_id (or me), "            \
    "account_id, interview_id, q (description or account name), older_than_days (latent needs: "   \
    "created more than N days ago), due_before (YYYY-MM-DD); sort created_at | status | "          \
    "priority | due_on, '-' for descending (default -created_at); keyset paging"

const struct route api_routes_needs[] = {
    {"GET", "/api/v1/needs", list, OBJ_NEED, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Needs of the accounts in the caller's scope" LIST_DOC, "[Need]"},
    {"GET", "/api/v1/needs/count", count, OBJ_NEED, ACT_READ, SCOPE_NONE, NULL, count_query, 200,
     "The number of needs the list returns for the same filters", "{total:int}"},
    {"GET", "/api/v1/needs/export", api_list_export, OBJ_NEED, ACT_READ, SCOPE_NONE, NULL,
     export_query, 200,
     "The needs list over all its pages, with its filters and sort, as a file: format=csv "
     "(default) or xlsx; columns=key[:label],...; lang=zh-CN|zh-TW|en; raw=1 keeps stored values",
     "csv"},
    {"GET", "/api/v1/accounts/:id/needs", account_list, OBJ_NEED, ACT_READ, SCOPE_ACCOUNT, NULL,
     account_list_query, 200, "The account's needs" LIST_DOC, "[Need]"},
    {"POST", "/api/v1/accounts/:id/needs", create, OBJ_NEED, ACT_CREATE, SCOPE_ACCOUNT, need_spec,
     NULL, 201, "Record a customer need", "Need"},
    {"GET", "/api/v1/needs/:id", get, OBJ_NEED, ACT_READ, SCOPE_NEED, NULL, NULL, 200, "One need",
     "Need"},
    {"PATCH", "/api/v1/needs/:id", patch, OBJ_NEED, ACT_UPDATE, SCOPE_NEED, need_spec, NULL, 200,
     "Change a need (its status moves through /status)", "Need"},
    {"DELETE", "/api/v1/needs/:id", del, OBJ_NEED, ACT_DELETE, SCOPE_NEED, NULL, NULL, 204,
     "Delete a need", "-"},
    {"POST", "/api/v1/needs/:id/status", set_status, OBJ_NEED_STATUS, ACT_UPDATE, SCOPE_NEED,
     status_spec, NULL, 200,
     "Move a need: open > addressing > addressed | dropped; addressed or dropped > open "
     "(reopened); addressed names what addressed it",
     "Need"},
    {"GET", "/api/v1/accounts/:id/interviews", iv_list, OBJ_INTERVIEW, ACT_READ, SCOPE_ACCOUNT,
     NULL, page_query, 200, "The account's interviews, latest first", "[Interview]"},
    {"POST", "/api/v1/accounts/:id/interviews", iv_create, OBJ_INTERVIEW, ACT_CREATE, SCOPE_ACCOUNT,
     iv_spec, NULL, 201, "Record an interview with the customer", "Interview"},
    {"GET", "/api/v1/interviews/:id", iv_get, OBJ_INTERVIEW, ACT_READ, SCOPE_INTERVIEW, NULL, NULL,
     200, "One interview with its attendees", "Interview"},
    {"PATCH", "/api/v1/interviews/:id", iv_patch, OBJ_INTERVIEW, ACT_UPDATE, SCOPE_INTERVIEW,
     iv_spec, NULL, 200, "Change an interview (attendee lists are replaced whole)", "Interview"},
    {"DELETE", "/api/v1/interviews/:id", iv_del, OBJ_INTERVIEW, ACT_DELETE, SCOPE_INTERVIEW, NULL,
     NULL, 204, "Delete an interview (its needs stay, unlinked)", "-"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/needs/export", export_query);
}
