/* risks.c -- the risk register: risks, responses, actions, the heat map (issue 16 item 1). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/risk/risk.h"

const struct api_shape api_shapes_risks[] = {
    {"Risk",
     "id:int account_id:int account_name:str covers_group:bool "
     "category:str(credit|operating|competitive|compliance|other) title:str description:str "
     "likelihood:int impact:int score:int level:str(low|medium|high|critical) owner_id:int? "
     "owner_name:str response:str(avoid|reduce|transfer|accept)? response_plan:str "
     "review_on:date? review_overdue:bool status:str(open|responding|closed) closed_reason:str "
     "closed_at:ts? source:str(manual|alert|gift|competitor|contract) source_id:int? "
     "created_by:int? actions_total:int actions_open:int actions_overdue:int "
     "actions:[{id:int description:str owner_id:int? owner_name:str due_on:date? done:bool "
     "done_at:ts? overdue:bool created_at:ts updated_at:ts}]? version:int created_at:ts "
     "updated_at:ts"},
    {"RiskHeatmap", "total:int cells:[{likelihood:int impact:int score:int "
                    "level:str(low|medium|high|critical) count:int risks:[{id:int title:str}]}]"},
    {NULL, NULL},
};

#define RF(f) offsetof(struct risk_in, v.f)
static const struct jfield risk_spec[] = {
    {"account_id", J_I64, RK_ACCOUNT, RF(account_id), 0, 0, 0,
     "POST: the account (a group's head account with covers_group)", 1},
    {"covers_group", J_BOOL, RK_GROUP, RF(covers_group), 0, 0, 0,
     "the risk covers the account's subsidiaries too (a group's head account only)"},
    {"category", J_STR, RK_CATEGORY, RF(category), 0, 0, 0,
     "credit | operating | competitive | compliance | other", 1},
    {"title", J_STR, RK_TITLE, RF(title), 0, 0, 0, "1-200 characters", 1},
    {"description", J_STR, RK_DESC, RF(description), 0, 0, 1, "<= 4000 characters"},
    {"likelihood", J_I64, RK_LIKELIHOOD, RF(likelihood), 0, 0, 0, "1-5", 1},
    {"impact", J_I64, RK_IMPACT, RF(impact), 0, 0, 0, "1-5", 1},
    {"owner_id", J_I64, RK_OWNER, RF(owner_id), RF(has_owner), 0, 1,
     "a user who may work on the account's risks (default: the account's owner); null: nobody"},
    {"response", J_STR, RK_RESPONSE, RF(response), 0, 0, 1,
     "avoid | reduce | transfer | accept, or null; an open risk with a response is responding"},
    {"response_plan", J_STR, RK_PLAN, RF(response_plan), 0, 0, 1, "<= 4000 characters"},
    {"review_on", J_STR, RK_REVIEW, RF(review_on), 0, 0, 1,
     "the next review (YYYY-MM-DD), or null"},
    {"version", J_I64, RK_VERSION, RF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

#define AF(f) offsetof(struct risk_action_in, f)
static const struct jfield action_spec[] = {
    {"description", J_STR, RA_DESC, AF(description), 0, 0, 0, "1-1000 characters", 1},
    {"owner_id", J_I64, RA_OWNER, AF(owner_id), AF(has_owner), 0, 1,
     "who does it (default: the risk's owner); null: nobody"},
    {"due_on", J_STR, RA_DUE, AF(due_on), 0, 0, 1, "YYYY-MM-DD, or null"},
    {"done", J_BOOL, RA_DONE, AF(done), 0, 0, 0, "done (its time is kept)"},
    {0},
};

struct close_in {
    unsigned set;
    const char *reason;
};
static const struct jfield close_spec[] = {
    {"reason", J_STR, 1, offsetof(struct close_in, reason), 0, 0, 0,
     "why the risk is closed, 1-1000 characters", 1},
    {0},
};

static void render_risk(struct jw *w, const struct risk *x, int detail)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "account_id", x->account_id);
    jw_kstr(w, "account_name", x->account_name);
    jw_kbool(w, "covers_group", x->covers_group);
    jw_kstr(w, "category", x->category);
    jw_kstr(w, "title", x->title);
    jw_kstr(w, "description", x->description);
    jw_ki64(w, "likelihood", x->likelihood);
    jw_ki64(w, "impact", x->impact);
    int score = risk_score((int)x->likelihood, (int)x->impact);
    jw_ki64(w, "score", score);
    jw_kstr(w, "level", risk_level(score));
    jw_ki64n(w, "owner_id", x->owner_id, !x->has_owner);
    jw_kstr(w, "owner_name", x->owner_name);
    jw_kstr(w, "response", x->response);
    jw_kstr(w, "response_plan", x->response_plan);
    jw_kstr(w, "review_on", x->review_on);
    jw_kbool(w, "review_overdue", x->review_overdue);
    jw_kstr(w, "status", x->status);
    jw_kstr(w, "closed_reason", x->closed_reason);
    jw_ktime_opt(w, "closed_at", x->closed_at, x->has_closed_at);
    jw_kstr(w, "source", x->source);
    jw_ki64n(w, "source_id", x->source_id, !x->has_source_id);
    jw_ki64n(w, "created_by", x->created_by, !x->has_created_by);
    jw_ki64(w, "actions_total", x->actions_total);
    jw_ki64(w, "actions_open", x->actions_open);
    jw_ki64(w, "actions_overdue", x->actions_overdue);
    jw_key(w, "actions");
    if (!detail) {
        jw_null(w);
    } else {
        jw_arr_begin(w);
        for (size_t i = 0; i < x->nactions; i++) {
            const struct risk_action *a = &x->actions[i];
            jw_obj_begin(w);
            jw_ki64(w, "id", a->id);
            jw_kstr(w, "description", a->description);
            jw_ki64n(w, "owner_id", a->owner_id, !a->has_owner);
            jw_kstr(w, "owner_name", a->owner_name);
            jw_kstr(w, "due_on", a->due_on);
            jw_kbool(w, "done", a->done);
            jw_ktime_opt(w, "done_at", a->done_at, a->done);
            jw_kbool(w, "overdue", a->overdue);
            jw_ktime(w, "created_at", a->created_at);
            jw_ktime(w, "updated_at", a->updated_at);
            jw_obj_end(w);
        }
        jw_arr_end(w);
    }
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static enum kam_err flag(struct api_call *c, const char *key, int *out)
{
    int64_t v = 0;
    enum kam_err rc = api_query_i64(c, key, 0, &v);
    if (rc)
        return rc;
    if (v < 0 || v > 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, key, "%s must be 0 or 1", key);
    *out = (int)v;
    return KAM_OK;
}

static enum kam_err filters(struct api_call *c, struct risk_query *q)
{
    memset(q, 0, sizeof *q);
    q->category = api_query_str(c, "category");
    q->status = api_query_str(c, "status");
    q->level = api_query_str(c, "level");
    q->source = api_query_str(c, "source");
    q->q = api_query_str(c, "q");
    q->sort = api_query_str(c, "sort");
    q->cursor = api_query_str(c, "cursor");
    enum kam_err rc;
    if ((rc = api_query_i64(c, "account_id", 0, &q->account_id)) ||
        (rc = api_query_user(c, "owner_id", &q->owner_id)) ||
        (rc = flag(c, "subsidiaries", &q->subsidiaries)) ||
        (rc = flag(c, "review_due", &q->review_due)) ||
        (rc = flag(c, "action_overdue", &q->action_overdue)) ||
        (rc = api_query_i64(c, "limit", 0, &q->limit)))
        return rc;
    if (http_query(c->req, "limit") && q->limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    return KAM_OK;
}

static enum kam_err list(struct api_call *c)
{
    struct risk_query q;
    struct risk *items;
    size_t n;
    const char *next;
    enum kam_err rc = filters(c, &q);
    if (rc || (rc = risk_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_risk(&c->w, &items[i], 0);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err heatmap(struct api_call *c)
{
    struct risk_query q;
    struct risk_heat_cell cells[25];
    int64_t total = 0;
    enum kam_err rc = filters(c, &q);
    if (rc || (rc = risk_heatmap(c->ctx, &q, cells, &total)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "total", total);
    jw_key(w, "cells");
    jw_arr_begin(w);
    for (int i = 0; i < 25; i++) {
        const struct risk_heat_cell *x = &cells[i];
        jw_obj_begin(w);
        jw_ki64(w, "likelihood", x->likelihood);
        jw_ki64(w, "impact", x->impact);
        jw_ki64(w, "score", x->score);
        jw_kstr(w, "level", x->level);
        jw_ki64(w, "count", x->count);
        jw_key(w, "risks");
        jw_arr_begin(w);
        for (size_t k = 0; k < x->nrefs; k++) {
            jw_obj_begin(w);
            jw_ki64(w, "id", x->refs[k].id);
            jw_kstr(w, "title", x->refs[k].title);
            jw_obj_end(w);
        }
        jw_arr_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err create(struct api_call *c)
{
    struct risk_in in = {0};
    enum kam_err rc = api_decode(c, risk_spec, &in, &in.set);
    if (rc)
        return rc;
    struct risk out;
    if ((rc = risk_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_risk(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct risk out;
    enum kam_err rc = risk_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_risk(&c->w, &out, 1);
    return rc;
}

static enum kam_err patch(struct api_call *c)
{
    struct risk_in in = {0};
    enum kam_err rc = api_decode(c, risk_spec, &in, &in.set);
    if (rc)
        return rc;
    struct risk out;
    if ((rc = risk_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_risk(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = risk_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err do_close(struct api_call *c)
{
    struct close_in in = {0};
    enum kam_err rc = api_decode(c, close_spec, &in, &in.set);
    if (rc)
        return rc;
    struct risk out;
    if ((rc = risk_close(c->ctx, c->id[0], in.reason, &out)))
        return rc;
    render_risk(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err do_reopen(struct api_call *c)
{
    struct risk out;
    enum kam_err rc = risk_reopen(c->ctx, c->id[0], &out);
    if (!rc)
        render_risk(&c->w, &out, 1);
    return rc;
}

static enum kam_err act_add(struct api_call *c)
{
    struct risk_action_in in = {0};
    enum kam_err rc = api_decode(c, action_spec, &in, &in.set);
    if (rc)
        return rc;
    struct risk out;
    if ((rc = risk_action_add(c->ctx, c->id[0], &in, &out)))
        return rc;
    c->status = 201;
    render_risk(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err act_patch(struct api_call *c)
{
    struct risk_action_in in = {0};
    enum kam_err rc = api_decode(c, action_spec, &in, &in.set);
    if (rc)
        return rc;
    struct risk out;
    if ((rc = risk_action_update(c->ctx, c->id[0], c->id[1], &in, &out)))
        return rc;
    render_risk(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err act_del(struct api_call *c)
{
    enum kam_err rc = risk_action_delete(c->ctx, c->id[0], c->id[1]);
    if (!rc)
        c->status = 204;
    return rc;
}

static const char *const list_query[] = {
    "account_id", "subsidiaries",   "category", "status", "level", "source", "owner_id",
    "review_due", "action_overdue", "q",        "sort",   "limit", "cursor", NULL};
static const char *const heat_query[] = {
    "account_id", "subsidiaries",   "category",   "level", "source",
    "owner_id",   "action_overdue", "review_due", "q",     NULL};
/* Written once, before main, by init_queries(). */
static const char *export_query[API_EXPORT_QUERY_MAX];

#define LIST_DOC                                                                                   \
    ": account_id (subsidiaries=1 adds its group's subsidiaries the caller may read), category, "  \
    "status, level (low 1-4, medium 5-9, high 10-16, critical 20-25 of likelihood x impact), "     \
    "source, owner_id (or me), review_due=1 (review date passed, not closed), action_overdue=1 "   \
    "(an action not done is past due), q (title or account name); sort score | created_at | "      \
    "review_on | id, '-' for descending (default -score); keyset paging"

const struct route api_routes_risks[] = {
    {"GET", "/api/v1/risks", list, OBJ_RISK, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Risks of the accounts in the caller's scope" LIST_DOC, "[Risk]"},
    {"GET", "/api/v1/risks/export", api_list_export, OBJ_RISK, ACT_READ, SCOPE_NONE, NULL,
     export_query, 200,
     "The risk register over all its pages, with its filters and sort, as a file: format=csv "
     "(default) or xlsx; columns=key[:label],...; lang=zh-CN|zh-TW|en; raw=1 keeps stored values",
     "csv"},
    {"GET", "/api/v1/risks/heatmap", heatmap, OBJ_RISK, ACT_READ, SCOPE_NONE, NULL, heat_query, 200,
     "The heat map: open and responding risks counted by likelihood x impact (25 cells, each "
     "naming up to 5 of its risks), with the list's filters",
     "RiskHeatmap"},
    {"POST", "/api/v1/risks", create, OBJ_RISK, ACT_CREATE, SCOPE_NONE, risk_spec, NULL, 201,
     "Record a risk on an account (or a group)", "Risk"},
    {"GET", "/api/v1/risks/:id", get, OBJ_RISK, ACT_READ, SCOPE_RISK, NULL, NULL, 200,
     "One risk with its actions (its history: GET /api/v1/audit?entity=risk&id=)", "Risk"},
    {"PATCH", "/api/v1/risks/:id", patch, OBJ_RISK, ACT_UPDATE, SCOPE_RISK, risk_spec, NULL, 200,
     "Change a risk that is not closed; choosing a response makes it responding", "Risk"},
    {"DELETE", "/api/v1/risks/:id", del, OBJ_RISK, ACT_DELETE, SCOPE_RISK, NULL, NULL, 204,
     "Delete a risk recorded by hand (a raised one: 409 risk.from_source, close it)", "-"},
    {"POST", "/api/v1/risks/:id/close", do_close, OBJ_RISK, ACT_UPDATE, SCOPE_RISK, close_spec,
     NULL, 200, "Close a risk with the reason", "Risk"},
    {"POST", "/api/v1/risks/:id/reopen", do_reopen, OBJ_RISK, ACT_UPDATE, SCOPE_RISK, NULL, NULL,
     200, "Reopen a closed risk (status open)", "Risk"},
    {"POST", "/api/v1/risks/:id/actions", act_add, OBJ_RISK, ACT_UPDATE, SCOPE_RISK, action_spec,
     NULL, 201, "Add an action to a risk's response; answers the risk", "Risk"},
    {"PATCH", "/api/v1/risks/:id/actions/:aid", act_patch, OBJ_RISK, ACT_UPDATE, SCOPE_RISK,
     action_spec, NULL, 200, "Change an action (done: true marks it done); answers the risk",
     "Risk"},
    {"DELETE", "/api/v1/risks/:id/actions/:aid", act_del, OBJ_RISK, ACT_UPDATE, SCOPE_RISK, NULL,
     NULL, 204, "Remove an action", "-"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/risks/export", export_query);
}
