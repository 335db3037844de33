/* issues.c -- /api/v1/issues and /api/v1/accounts/:id/issues: customer issues and SLAs. */
#include <stddef.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/relationships/interaction.h"
#include "svc/relationships/issue.h"

#define XF(f) offsetof(struct issue_in, v.f)

static const struct jfield spec[] = {
    {"title", J_STR, ISS_TITLE, XF(title), 0, 0, 0, "1-200 characters", 1},
    {"description", J_STR, ISS_DESCRIPTION, XF(description), 0, 0, 0, "<= 8000"},
    {"category", J_STR, ISS_CATEGORY, XF(category), 0, 0, 0,
     "quality | delivery | billing | service | technical | suggestion | other"},
    {"severity", J_STR, ISS_SEVERITY, XF(severity), 0, 0, 0, "low | medium | high | critical"},
    {"assignee_id", J_I64, ISS_ASSIGNEE, XF(assignee_id), XF(has_assignee), 0, 1,
     "who handles it: an active user who may change this account's issues (default: the account "
     "owner when they may, else null)"},
    {"contact_id", J_I64, ISS_CONTACT, XF(contact_id), XF(has_contact), 0, 1,
     "who raised it: a contact of the account, or null"},
    {"version", J_I64, ISS_VERSION, XF(version), 0, 0, 0, "PATCH: the version you read"},
    {0},
};

const struct api_shape api_shapes_issues[] = {
    {"Issue",
     "id:int account_id:int account_name:str contact_id:int? title:str description:str "
     "category:str(quality|delivery|billing|service|technical|suggestion|other) "
     "severity:str(low|medium|high|critical) status:str(open|in_progress|resolved|confirmed) "
     "assignee_id:int? reported_at:ts response_due_at:ts resolution_due_at:ts "
     "first_response_at:ts? resolved_at:ts? confirmed_at:ts? escalated_at:ts? escalated_to:int? "
     "version:int created_at:ts updated_at:ts"},
    /* per team of the assignee (team_id null: no team); percentages and medians null when
     * there is nothing to measure */
    {"IssueTeamStats", "team_id:int? team_name:str? issues:int responded:int "
                       "responded_in_sla:int resolved:int resolved_in_sla:int "
                       "response_sla_pct:num? resolution_sla_pct:num? "
                       "median_response_hours:num? median_resolution_hours:num?"},
    {NULL, NULL},
};

static void render(struct jw *w, const struct issue *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "account_id", x->account_id);
    jw_kstr(w, "account_name", x->account_name);
    jw_ki64n(w, "contact_id", x->contact_id, !x->has_contact);
    jw_kstr(w, "title", x->title);
    jw_kstr(w, "description", x->description);
    jw_kstr(w, "category", x->category);
    jw_kstr(w, "severity", x->severity);
    jw_kstr(w, "status", x->status);
    jw_ki64n(w, "assignee_id", x->assignee_id, !x->has_assignee);
    jw_ktime(w, "reported_at", x->reported_at);
    jw_ktime(w, "response_due_at", x->response_due_at);
    jw_ktime(w, "resolution_due_at", x->resolution_due_at);
    jw_ktime_opt(w, "first_response_at", x->first_response_at, x->has_first_response);
    jw_ktime_opt(w, "resolved_at", x->resolved_at, x->has_resolved);
    jw_ktime_opt(w, "confirmed_at", x->confirmed_at, x->has_confirmed);
    jw_ktime_opt(w, "escalated_at", x->escalated_at, x->has_escalated);
    jw_ki64n(w, "escalated_to", x->escalated_to, !x->has_escalated_to);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static enum kam_err list(struct api_call *c)
{
    struct issue_query q = {.escalated = -1};
    q.status = api_query_str(c, "status");
    q.cursor = api_query_str(c, "cursor");
    int64_t esc = -1;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) ||
        (rc = api_query_i64(c, "account_id", 0, &q.account_id)) ||
        (rc = api_query_user(c, "assignee_id", &q.assignee_id)) ||
        (rc = api_query_i64(c, "escalated", -1, &esc)))
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    if (esc < -1 || esc > 1 || (esc == -1 && http_query(c->req, "escalated")))
        return kam_fail(c->ctx->err, KAM_EINVAL, "escalated", "escalated must be 0 or 1");
    q.escalated = (int)esc;
    q.q = api_query_str(c, "q");
    q.severity = api_query_str(c, "severity");
    if ((rc = api_query_user(c, "owner_id", &q.owner_id)))
        return rc;
    /* opened_from / opened_to: an ISO time, or a date (from its first second; to through its
     * last). */
    const char *from_s = api_query_str(c, "opened_from"), *to_s = api_query_str(c, "opened_to");
    if (from_s && (q.opened_from = interaction_parse_filter_time(from_s)) < 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "opened_from",
                        "opened_from must be a date or an ISO time");
    if (to_s && (q.opened_to = interaction_parse_filter_time(to_s)) < 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "opened_to",
                        "opened_to must be a date or an ISO time");
    if (to_s && strlen(to_s) == 10)
        q.opened_to += 86400;
    struct issue *items;
    size_t n;
    const char *next;
    if ((rc = issue_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err create(struct api_call *c)
{
    struct issue_in in = {0};
    enum kam_err rc = api_decode(c, spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & ISS_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct issue out;
    if ((rc = issue_create(c->ctx, c->id[0], &in, &out)))
        return rc;
    c->status = 201;
    render(&c->w, &out);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct issue out;
    enum kam_err rc = issue_get(c->ctx, c->id[0], &out);
    if (!rc)
        render(&c->w, &out);
    return rc;
}

static enum kam_err patch(struct api_call *c)
{
    struct issue_in in = {0};
    enum kam_err rc = api_decode(c, spec, &in, &in.set);
    if (rc)
        return rc;
    struct issue out;
    if ((rc = issue_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render(&c->w, &out);
    return KAM_OK;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = issue_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

struct transition_in {
    const char *to, *note;
};

static const struct jfield transition_spec[] = {
    {"to", J_STR, 1, offsetof(struct transition_in, to), 0, 0, 0,
     "in_progress | resolved | confirmed", 1},
    {"note", J_STR, 2, offsetof(struct transition_in, note), 0, 0, 0, "<= 4000"},
    {0},
};

static enum kam_err transition(struct api_call *c)
{
    struct transition_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, transition_spec, &in, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail(c->ctx->err, KAM_EINVAL, "to", "to is required");
    struct issue out;
    if ((rc = issue_transition(c->ctx, c->id[0], in.to, in.note ? in.note : "", &out)))
        return rc;
    render(&c->w, &out);
    return KAM_OK;
}

static enum kam_err stats(struct api_call *c)
{
    const char *from_s = api_query_str(c, "from"), *to_s = api_query_str(c, "to");
    int64_t from = 0, to = c->ctx->now + 1;
    if (from_s && (from = interaction_parse_filter_time(from_s)) < 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "from", "from must be an ISO time");
    if (to_s && (to = interaction_parse_filter_time(to_s)) < 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "to", "to must be an ISO time");
    struct issue_team_stats *items;
    size_t n;
    enum kam_err rc = issue_stats(c->ctx, from, to, &items, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++) {
        const struct issue_team_stats *s = &items[i];
        struct jw *w = &c->w;
        jw_obj_begin(w);
        jw_ki64n(w, "team_id", s->team_id, s->team_id == 0);
        jw_kstr(w, "team_name", s->team_name);
        jw_ki64(w, "issues", s->issues);
        jw_ki64(w, "responded", s->responded);
        jw_ki64(w, "responded_in_sla", s->responded_in_sla);
        jw_ki64(w, "resolved", s->resolved);
        jw_ki64(w, "resolved_in_sla", s->resolved_in_sla);
        jw_key(w, "response_sla_pct");
        jw_double(w, s->responded ? 100.0 * (double)s->responded_in_sla / (double)s->responded
                                  : -1.0 / 0.0);
        jw_key(w, "resolution_sla_pct");
        jw_double(w, s->resolved ? 100.0 * (double)s->resolved_in_sla / (double)s->resolved
                                 : -1.0 / 0.0);
        jw_key(w, "median_response_hours");
        jw_double(w, s->median_response_hours < 0 ? -1.0 / 0.0 : s->median_response_hours);
        jw_key(w, "median_resolution_hours");
        jw_double(w, s->median_resolution_hours < 0 ? -1.0 / 0.0 : s->median_resolution_hours);
        jw_obj_end(w);
    }
    api_list_end(c, NULL);
    return KAM_OK;
}

static const char *const list_query[] = {"account_id", "assignee_id", "status",    "escalated",
                                         "limit",      "cursor",      "q",         "severity",
                                         "owner_id",   "opened_from", "opened_to", NULL};
static const char *const stats_query[] = {"from", "to", NULL};

const struct route api_routes_issues[] = {
    {"GET", "/api/v1/issues", list, OBJ_ISSUE, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Customer issues of the accounts in the caller's scope, newest first", "[Issue]"},
    {"GET", "/api/v1/issues/stats", stats, OBJ_ISSUE, ACT_READ, SCOPE_NONE, NULL, stats_query, 200,
     "SLA attainment and median times per team", "[IssueTeamStats]"},
    {"POST", "/api/v1/accounts/:id/issues", create, OBJ_ISSUE, ACT_CREATE, SCOPE_ACCOUNT, spec,
     NULL, 201, "Record a customer issue or suggestion", "Issue"},
    {"GET", "/api/v1/issues/:id", get, OBJ_ISSUE, ACT_READ, SCOPE_ISSUE, NULL, NULL, 200,
     "One issue", "Issue"},
    {"PATCH", "/api/v1/issues/:id", patch, OBJ_ISSUE, ACT_UPDATE, SCOPE_ISSUE, spec, NULL, 200,
     "Change an issue (severity recomputes its deadlines)", "Issue"},
    {"DELETE", "/api/v1/issues/:id", del, OBJ_ISSUE, ACT_DELETE, SCOPE_ISSUE, NULL, NULL, 204,
     "Delete an issue", "-"},
    {"POST", "/api/v1/issues/:id/transition", transition, OBJ_ISSUE, ACT_UPDATE, SCOPE_ISSUE,
     transition_spec, NULL, 200, "Move an issue along open > in_progress > resolved > confirmed",
     "Issue"},
    {0},
};
