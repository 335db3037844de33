/* follow_ups.c -- Department follow-ups of low scores, and hand-offs (issue 14):
 * /api/v1/follow-ups, /api/v1/accounts/:id/follow-ups, /api/v1/settings/follow-ups. Decode, call
 * svc/needs, render. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/needs/follow_up.h"

#define FF(f) offsetof(struct follow_up_in, v.f)

static const struct jfield fu_spec[] = {
    {"from_dept", J_STR, FU_FROM_DEPT, FF(from_dept), 0, 0, 0,
     "sales | marketing | technical | production | service (the department handing over; "
     "hand-offs only)",
     1},
    {"dept_role", J_STR, FU_DEPT, FF(dept_role), 0, 0, 0,
     "sales | marketing | technical | production | service (the department that acts)", 1},
    {"title", J_STR, FU_TITLE, FF(title), 0, 0, 0, "1-200 characters", 1},
    {"detail", J_STR, FU_DETAIL, FF(detail), 0, 0, 0, "<= 4000"},
    {"owner_id", J_I64, FU_OWNER, FF(owner_id), FF(has_owner), 0, 1,
     "an active user who may work on this account's follow-ups, or null (default: the "
     "department's member on the account team, else the account owner)"},
    {"due_on", J_STR, FU_DUE, FF(due_on), 0, 0, 1, "YYYY-MM-DD, or null (default: in 7 days)"},
    {"version", J_I64, FU_VERSION, FF(version), 0, 0, 0, "PATCH: the version you read"},
    {0},
};

const struct api_shape api_shapes_follow_ups[] = {
    {"FollowUp",
     "id:int account_id:int account_name:str "
     "dept_role:str(sales|marketing|technical|production|service) "
     "source:str(survey|comment|handoff) response_id:int? question_id:int? "
     "from_dept:str(sales|marketing|technical|production|service)? title:str detail:str "
     "detail_withheld:bool owner_id:int? owner_name:str due_on:date? "
     "status:str(open|in_progress|resolved|confirmed|reopened|dropped) overdue:bool action:str "
     "resolved_at:ts? confirmed_at:ts? confirmation:str reason:str created_by:int? version:int "
     "created_at:ts updated_at:ts respondent_name:str?"},
    {"FollowUpStat",
     "dept_role:str(sales|marketing|technical|production|service) created:int resolved:int "
     "confirmed:int dropped:int overdue:int closed_loop_rate:num mean_days_resolve:num? "
     "median_days_resolve:num? mean_days_confirm:num? median_days_confirm:num?"},
    {NULL, NULL},
};

static void render(struct jw *w, const struct follow_up *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "account_id", x->account_id);
    jw_kstr(w, "account_name", x->account_name);
    jw_kstr(w, "dept_role", x->dept_role);
    jw_kstr(w, "source", x->source);
    jw_ki64n(w, "response_id", x->response_id, !x->has_response);
    jw_ki64n(w, "question_id", x->question_id, !x->has_question);
    jw_kstr(w, "from_dept", x->from_dept);
    jw_kstr(w, "title", x->title);
    jw_kstr(w, "detail", x->detail);
    jw_kbool(w, "detail_withheld", x->detail_withheld);
    jw_ki64n(w, "owner_id", x->owner_id, !x->has_owner);
    jw_kstr(w, "owner_name", x->owner_name);
    jw_kstr(w, "due_on", x->due_on);
    jw_kstr(w, "status", x->status);
    jw_kbool(w, "overdue", x->overdue);
    jw_kstr(w, "action", x->action);
    jw_ktime_opt(w, "resolved_at", x->resolved_at, x->has_resolved);
    jw_ktime_opt(w, "confirmed_at", x->confirmed_at, x->has_confirmed);
    jw_kstr(w, "confirmation", x->confirmation);
    jw_kstr(w, "reason", x->reason);
    jw_ki64n(w, "created_by", x->created_by, !x->has_created_by);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    /* the respondent by name, never in title or detail (null: see struct follow_up) */
    jw_kstr(w, "respondent_name", x->respondent);
    jw_obj_end(w);
}

/* The list filters (the list, its count and its export share them). account: the path's. */
static enum kam_err filters(struct api_call *c, struct follow_up_query *q, int64_t account)
{
    enum kam_err rc;
    memset(q, 0, sizeof *q);
    q->dept_role = api_query_str(c, "dept_role");
    q->status = api_query_str(c, "status");
    q->source = api_query_str(c, "source");
    q->sort = api_query_str(c, "sort");
    q->cursor = api_query_str(c, "cursor");
    int64_t open = 0, overdue = 0;
    if ((rc = api_query_i64(c, "limit", 0, &q->limit)) ||
        (rc = api_query_user(c, "owner_id", &q->owner_id)) ||
        (rc = api_query_i64(c, "open", 0, &open)) ||
        (rc = api_query_i64(c, "overdue", 0, &overdue)))
        return rc;
    if (http_query(c->req, "limit") && q->limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    if (open != 0 && open != 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "open", "open must be 0 or 1");
    if (overdue != 0 && overdue != 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "overdue", "overdue must be 0 or 1");
    q->open_only = (int)open;
    q->overdue = (int)overdue;
    if (account)
        q->account_id = account;
    else if ((rc = api_query_i64(c, "account_id", 0, &q->account_id)))
        return rc;
    return KAM_OK;
}

static enum kam_err list_with(struct api_call *c, int64_t account)
{
    struct follow_up_query q;
    enum kam_err rc = filters(c, &q, account);
    struct follow_up *items;
    size_t n;
    const char *next;
    if (rc || (rc = follow_up_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render(&c->w, &items[i]);
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
    struct follow_up_query q;
    int64_t total = 0;
    enum kam_err rc = filters(c, &q, 0);
    if (rc || (rc = follow_up_count(c->ctx, &q, &total)))
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "total", total);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static void knum(struct jw *w, const char *k, double v, int has)
{
    jw_key(w, k);
    if (has)
        jw_double(w, (double)(int64_t)(v * 10 + (v >= 0 ? 0.5 : -0.5)) / 10);
    else
        jw_null(w);
}

static enum kam_err stats(struct api_call *c)
{
    int64_t team = 0;
    enum kam_err rc = api_query_i64(c, "team_id", 0, &team);
    struct follow_up_stat *s;
    size_t n;
    if (rc || (rc = follow_up_stats(c->ctx, api_query_str(c, "from"), api_query_str(c, "to"), team,
                                    &s, &n)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    struct follow_up_stat t = {.dept_role = "all"};
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "dept_role", s[i].dept_role);
        jw_ki64(w, "created", s[i].created);
        jw_ki64(w, "resolved", s[i].resolved);
        jw_ki64(w, "confirmed", s[i].confirmed);
        jw_ki64(w, "dropped", s[i].dropped);
        jw_ki64(w, "overdue", s[i].overdue);
        jw_key(w, "closed_loop_rate");
        jw_double(w, (double)(int64_t)(s[i].closed_loop_rate * 1000 + 0.5) / 1000);
        knum(w, "mean_days_resolve", s[i].mean_days_resolve, s[i].has_resolve);
        knum(w, "median_days_resolve", s[i].median_days_resolve, s[i].has_resolve);
        knum(w, "mean_days_confirm", s[i].mean_days_confirm, s[i].has_confirm);
        knum(w, "median_days_confirm", s[i].median_days_confirm, s[i].has_confirm);
        jw_obj_end(w);
        t.created += s[i].created;
        t.resolved += s[i].resolved;
        t.confirmed += s[i].confirmed;
        t.dropped += s[i].dropped;
        t.overdue += s[i].overdue;
    }
    jw_arr_end(w);
    jw_key(w, "total");
    jw_obj_begin(w);
    jw_ki64(w, "created", t.created);
    jw_ki64(w, "resolved", t.resolved);
    jw_ki64(w, "confirmed", t.confirmed);
    jw_ki64(w, "dropped", t.dropped);
    jw_ki64(w, "overdue", t.overdue);
    jw_key(w, "closed_loop_rate");
    jw_double(w,
              t.created
                  ? (double)(int64_t)((double)t.confirmed / (double)t.created * 1000 + 0.5) / 1000
                  : 0);
    jw_obj_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err create(struct api_call *c)
{
    struct follow_up_in in = {0};
    enum kam_err rc = api_decode(c, fu_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & FU_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct follow_up out;
    if ((rc = follow_up_create(c->ctx, c->id[0], &in, &out)))
        return rc;
    c->status = 201;
    render(&c->w, &out);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct follow_up out;
    enum kam_err rc = follow_up_get(c->ctx, c->id[0], &out);
    if (!rc)
        render(&c->w, &out);
    return rc;
}

static enum kam_err patch(struct api_call *c)
{
    struct follow_up_in in = {0};
    enum kam_err rc = api_decode(c, fu_spec, &in, &in.set);
    struct follow_up out;
    if (rc || (rc = follow_up_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render(&c->w, &out);
    return KAM_OK;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = follow_up_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

#define SF(f) offsetof(struct follow_up_status_in, f)

static const struct jfield status_spec[] = {
    {"to", J_STR, 1, SF(to), 0, 0, 0, "in_progress | resolved | confirmed | reopened | dropped", 1},
    {"action", J_STR, 2, SF(action), 0, 0, 0,
     "the improvement action taken, <= 4000 (required to resolve unless one is stored)"},
    {"confirmation", J_STR, 4, SF(confirmation), 0, 0, 0,
     "to confirmed: what the customer said, <= 4000 (required)"},
    {"reason", J_STR, 8, SF(reason), 0, 0, 0, "to dropped: why, <= 4000 (required)"},
    {"version", J_I64, 16, SF(version), 0, 0, 0, "the version you read (stale -> 409)"},
    {0},
};

static enum kam_err set_status(struct api_call *c)
{
    struct follow_up_status_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, status_spec, &in, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "to", "required",
                            (struct kam_param[]){{"field", "to"}, {0}}, "to is required");
    in.has_version = (set & 16) != 0;
    struct follow_up out;
    if ((rc = follow_up_set_status(c->ctx, c->id[0], &in, &out)))
        return rc;
    render(&c->w, &out);
    return KAM_OK;
}

/* ---- settings ---- */

struct settings_body {
    int64_t v[5];
};

#define STF(i) offsetof(struct settings_body, v[i])

static const struct jfield settings_spec[] = {
    {"nps_max", J_I64, 1, STF(0), 0, 0, 0, "0-9: an NPS answer <= this is low (default 6)"},
    {"csat_max", J_I64, 2, STF(1), 0, 0, 0, "1-4: a CSAT answer <= this is low (default 2)"},
    {"rating_max", J_I64, 4, STF(2), 0, 0, 0, "1-4: a rating <= this is low (default 2)"},
    {"due_days", J_I64, 8, STF(3), 0, 0, 0, "1-365: days to a follow-up's due date (default 7)"},
    {"urgent_days", J_I64, 16, STF(4), 0, 0, 0, "1-365: days for NPS <= 3 or CSAT 1 (default 3)"},
    {0},
};

static enum kam_err settings_write(struct api_call *c)
{
    int64_t v[5];
    enum kam_err rc = follow_up_settings(c->ctx, v);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    for (int i = 0; i < 5; i++)
        jw_ki64(&c->w, settings_spec[i].name, v[i]);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err settings_patch(struct api_call *c)
{
    struct settings_body b = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, settings_spec, &b, &set);
    if (rc || (rc = follow_up_set_settings(c->ctx, b.v, set)))
        return rc;
    return settings_write(c);
}

static const char *const list_query[] = {"account_id", "dept_role", "status",  "source",
                                         "owner_id",   "open",      "overdue", "sort",
                                         "limit",      "cursor",    NULL};
static const char *const account_list_query[] = {"dept_role", "status",  "source", "owner_id",
                                                 "open",      "overdue", "sort",   "limit",
                                                 "cursor",    NULL};
static const char *const count_query[] = {"account_id", "dept_role", "status",  "source",
                                          "owner_id",   "open",      "overdue", NULL};
static const char *const stats_query[] = {"from", "to", "team_id", NULL};
/* Written once, before main, by init_queries(). */
static const char *export_query[API_EXPORT_QUERY_MAX];

#define LIST_DOC                                                                                   \
    ": dept_role, status (or open=1: open, in progress or reopened), source, owner_id (or me), "   \
    "account_id, overdue=1 (open and due before today, China time); sort created_at | due_on, "    \
    "'-' for descending (default -created_at); keyset paging. A negative comment's text "          \
    "(detail) is left out (detail_withheld) for readers who may not read survey responses"

#define SETTINGS_RESP "{nps_max:int csat_max:int rating_max:int due_days:int urgent_days:int}"

const struct route api_routes_follow_ups[] = {
    {"GET", "/api/v1/follow-ups", list, OBJ_FOLLOW_UP, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Follow-ups of the accounts in the caller's scope" LIST_DOC, "[FollowUp]"},
    {"GET", "/api/v1/follow-ups/count", count, OBJ_FOLLOW_UP, ACT_READ, SCOPE_NONE, NULL,
     count_query, 200, "The number of follow-ups the list returns for the same filters",
     "{total:int}"},
    {"GET", "/api/v1/follow-ups/export", api_list_export, OBJ_FOLLOW_UP, ACT_READ, SCOPE_NONE, NULL,
     export_query, 200,
     "The follow-ups list over all its pages, with its filters and sort, as a file: format=csv "
     "(default) or xlsx; columns=key[:label],...; lang=zh-CN|zh-TW|en; raw=1 keeps stored values",
     "csv"},
    {"GET", "/api/v1/follow-ups/stats", stats, OBJ_FOLLOW_UP, ACT_READ, SCOPE_NONE, NULL,
     stats_query, 200,
     "Per department, over the follow-ups created from..to (YYYY-MM-DD, China days) of accounts "
     "in the caller's scope (team_id: accounts owned by that team's people): created, resolved, "
     "confirmed, dropped, overdue now, closed-loop rate (confirmed / created), mean and median "
     "days from creation to resolution and to the customer's confirmation",
     "{items:[FollowUpStat] total:{created:int resolved:int confirmed:int dropped:int "
     "overdue:int closed_loop_rate:num}}"},
    {"GET", "/api/v1/accounts/:id/follow-ups", account_list, OBJ_FOLLOW_UP, ACT_READ, SCOPE_ACCOUNT,
     NULL, account_list_query, 200, "The account's follow-ups" LIST_DOC, "[FollowUp]"},
    {"POST", "/api/v1/accounts/:id/follow-ups", create, OBJ_FOLLOW_UP, ACT_CREATE, SCOPE_ACCOUNT,
     fu_spec, NULL, 201,
     "Hand a matter to another department on the account team (source handoff); the owner is "
     "notified",
     "FollowUp"},
    {"GET", "/api/v1/follow-ups/:id", get, OBJ_FOLLOW_UP, ACT_READ, SCOPE_FOLLOW_UP, NULL, NULL,
     200, "One follow-up", "FollowUp"},
    {"PATCH", "/api/v1/follow-ups/:id", patch, OBJ_FOLLOW_UP, ACT_UPDATE, SCOPE_FOLLOW_UP, fu_spec,
     NULL, 200,
     "Change a follow-up: department, owner (notified), title, detail, due date (its status "
     "moves through /status; from_dept only on a hand-off)",
     "FollowUp"},
    {"DELETE", "/api/v1/follow-ups/:id", del, OBJ_FOLLOW_UP, ACT_DELETE, SCOPE_FOLLOW_UP, NULL,
     NULL, 204, "Delete a follow-up", "-"},
    {"POST", "/api/v1/follow-ups/:id/status", set_status, OBJ_FOLLOW_UP, ACT_UPDATE,
     SCOPE_FOLLOW_UP, status_spec, NULL, 200,
     "Move a follow-up: open > in_progress > resolved (action) > confirmed (the customer's "
     "confirmation) | reopened > in_progress ...; open, in_progress or reopened > dropped "
     "(reason); dropped > reopened. Others: 409 follow_up.bad_transition",
     "FollowUp"},
    {"GET", "/api/v1/settings/follow-ups", settings_write, OBJ_CONFIG, ACT_READ, SCOPE_NONE, NULL,
     NULL, 200, "When a survey answer is low, and how many days a follow-up gets", SETTINGS_RESP},
    {"PATCH", "/api/v1/settings/follow-ups", settings_patch, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE,
     settings_spec, NULL, 200, "Change the follow-up thresholds and due days", SETTINGS_RESP},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/follow-ups/export", export_query);
}
