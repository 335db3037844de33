/* approvals.c -- discount limits, approval requests and decisions (issue 15 item 2). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/offers/approval.h"

const struct api_shape api_shapes_approvals[] = {
    {"Approval",
     "id:int kind:str(offer|order_line) object_id:int account_id:int account_name:str "
     "offer:{id:int number:str version_no:int title:str total:int currency:str}? "
     "requested_by:int? requested_by_name:str? discount_bp:int "
     "needs:str(team_lead|director|finance+director) "
     "status:str(pending|approved|rejected|withdrawn) comment:str created_at:ts decided_at:ts? "
     "steps:[{role:str user_id:int? user_name:str? decision:str(approved|rejected|comment) "
     "comment:str at:ts}] can_decide:bool version:int"},
    {"DiscountLimits", "limits:[{role:str(account_manager|team_lead|director) max_bp:int}]"},
    {NULL, NULL},
};

static void render_approval(struct jw *w, const struct approval *a)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", a->id);
    jw_kstr(w, "kind", a->kind);
    jw_ki64(w, "object_id", a->object_id);
    jw_ki64(w, "account_id", a->account_id);
    jw_kstr(w, "account_name", a->account_name);
    jw_key(w, "offer");
    if (a->has_offer) {
        jw_obj_begin(w);
        jw_ki64(w, "id", a->offer_id);
        jw_kstr(w, "number", a->offer_number);
        jw_ki64(w, "version_no", a->offer_version_no);
        jw_kstr(w, "title", a->offer_title);
        jw_ki64(w, "total", a->offer_total);
        jw_kstr(w, "currency", a->offer_currency);
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
    jw_ki64n(w, "requested_by", a->requested_by, !a->has_requested_by);
    jw_kstr(w, "requested_by_name", a->has_requested_by ? a->requested_by_name : NULL);
    jw_ki64(w, "discount_bp", a->discount_bp);
    jw_kstr(w, "needs", a->needs);
    jw_kstr(w, "status", a->status);
    jw_kstr(w, "comment", a->comment);
    jw_ktime(w, "created_at", a->created_at);
    jw_ktime_opt(w, "decided_at", a->decided_at, a->has_decided);
    jw_key(w, "steps");
    jw_arr_begin(w);
    for (size_t i = 0; i < a->nsteps; i++) {
        const struct approval_step *s = &a->steps[i];
        jw_obj_begin(w);
        jw_kstr(w, "role", s->role);
        jw_ki64n(w, "user_id", s->user_id, !s->has_user);
        jw_kstr(w, "user_name", s->user_name);
        jw_kstr(w, "decision", s->decision);
        jw_kstr(w, "comment", s->comment);
        jw_ktime(w, "at", s->at);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_kbool(w, "can_decide", a->can_decide);
    jw_ki64(w, "version", a->version);
    jw_obj_end(w);
}

static enum kam_err filters(struct api_call *c, struct approval_query *q)
{
    memset(q, 0, sizeof *q);
    q->status = api_query_str(c, "status");
    q->cursor = api_query_str(c, "cursor");
    int64_t mine = 0;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q->limit)) || (rc = api_query_i64(c, "mine", 0, &mine)))
        return rc;
    if (http_query(c->req, "limit") && q->limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    if (mine != 0 && mine != 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "mine", "mine must be 0 or 1");
    q->mine = (int)mine;
    return KAM_OK;
}

static enum kam_err list(struct api_call *c)
{
    struct approval_query q;
    struct approval *items;
    size_t n;
    const char *next;
    enum kam_err rc = filters(c, &q);
    if (rc || (rc = approval_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_approval(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err count(struct api_call *c)
{
    struct approval_query q;
    int64_t total = 0;
    enum kam_err rc = filters(c, &q);
    if (rc || (rc = approval_count(c->ctx, &q, &total)))
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "total", total);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err reply(struct api_call *c, enum kam_err rc, const struct approval *a)
{
    if (!rc)
        render_approval(&c->w, a);
    return rc;
}

static enum kam_err get(struct api_call *c)
{
    struct approval out;
    return reply(c, approval_get(c->ctx, c->id[0], &out), &out);
}

struct comment_body {
    const char *comment;
};
static const struct jfield approve_spec[] = {
    {"comment", J_STR, 1, offsetof(struct comment_body, comment), 0, 0, 0, "<= 2000"},
    {0},
};
static const struct jfield reject_spec[] = {
    {"comment", J_STR, 1, offsetof(struct comment_body, comment), 0, 0, 0,
     "why, 1-2000 (the offer returns to draft with it)", 1},
    {0},
};
static const struct jfield empty_spec[] = {{0}};

static enum kam_err approve(struct api_call *c)
{
    struct comment_body b = {0};
    unsigned set = 0;
    struct approval out;
    enum kam_err rc = api_decode(c, approve_spec, &b, &set);
    if (rc)
        return rc;
    return reply(c, approval_decide(c->ctx, c->id[0], 1, b.comment ? b.comment : "", &out), &out);
}

static enum kam_err reject(struct api_call *c)
{
    struct comment_body b = {0};
    unsigned set = 0;
    struct approval out;
    enum kam_err rc = api_decode(c, reject_spec, &b, &set);
    if (rc)
        return rc;
    return reply(c, approval_decide(c->ctx, c->id[0], 0, b.comment, &out), &out);
}

static enum kam_err withdraw(struct api_call *c)
{
    struct comment_body b = {0};
    unsigned set = 0;
    struct approval out;
    enum kam_err rc = api_decode(c, empty_spec, &b, &set);
    if (rc)
        return rc;
    return reply(c, approval_withdraw(c->ctx, c->id[0], &out), &out);
}

static void render_limits(struct jw *w, const struct discount_limit *l)
{
    jw_obj_begin(w);
    jw_key(w, "limits");
    jw_arr_begin(w);
    for (int i = 0; i < DISCOUNT_ROLES; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "role", l[i].role);
        jw_ki64(w, "max_bp", l[i].max_bp);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

static enum kam_err limits_get(struct api_call *c)
{
    struct discount_limit l[DISCOUNT_ROLES];
    enum kam_err rc = discount_limits_get(c->ctx, l);
    if (!rc)
        render_limits(&c->w, l);
    return rc;
}

struct limit_el {
    unsigned set;
    const char *role;
    int64_t max_bp;
};
static const struct jfield limit_spec[] = {
    {"role", J_STR, 1, offsetof(struct limit_el, role), 0, 0, 0,
     "account_manager | team_lead | director", 1},
    {"max_bp", J_I64, 2, offsetof(struct limit_el, max_bp), 0, 0, 0,
     "0..10000: how far below the engine's price the role may go alone", 1},
    {0},
};
struct limits_body {
    struct limit_el *limits;
    int n;
};
static const struct jfield limits_spec[] = {
    {"limits", J_OBJS, 1, offsetof(struct limits_body, limits), offsetof(struct limits_body, n),
     sizeof(struct limit_el), 0,
     "the roles' limits (account_manager <= team_lead <= director); roles not named keep theirs", 1,
     limit_spec, DISCOUNT_ROLES},
    {0},
};

static enum kam_err limits_put(struct api_call *c)
{
    struct limits_body b = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, limits_spec, &b, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "limits", "required",
                            (struct kam_param[]){{"field", "limits"}, {0}}, "limits is required");
    struct discount_limit in[DISCOUNT_ROLES], out[DISCOUNT_ROLES];
    for (int i = 0; i < b.n; i++) {
        if ((b.limits[i].set & 3) != 3) {
            const char *f = arena_printf(c->ctx->a, "limits[%d].%s", i,
                                         (b.limits[i].set & 1) ? "max_bp" : "role");
            return kam_fail_key(c->ctx->err, KAM_EINVAL, f, "required",
                                (struct kam_param[]){{"field", f}, {0}},
                                "role and max_bp are required");
        }
        in[i].role = b.limits[i].role;
        in[i].max_bp = b.limits[i].max_bp;
    }
    if ((rc = discount_limits_set(c->ctx, in, (size_t)b.n, out)))
        return rc;
    render_limits(&c->w, out);
    return KAM_OK;
}

static const char *const list_query[] = {"status", "mine", "limit", "cursor", NULL};
static const char *const count_query[] = {"status", "mine", NULL};

const struct route api_routes_approvals[] = {
    {"GET", "/api/v1/approvals", list, OBJ_DISCOUNT, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Discount approvals of the accounts in the caller's scope: status; mine=1 what the caller "
     "may decide now (the inbox); newest first; keyset paging",
     "[Approval]"},
    {"GET", "/api/v1/approvals/count", count, OBJ_DISCOUNT, ACT_READ, SCOPE_NONE, NULL, count_query,
     200, "The number the list returns for the same filters (the menu badge)", "{total:int}"},
    {"GET", "/api/v1/approvals/:id", get, OBJ_DISCOUNT, ACT_READ, SCOPE_APPROVAL, NULL, NULL, 200,
     "One approval with its steps", "Approval"},
    {"POST", "/api/v1/approvals/:id/approve", approve, OBJ_DISCOUNT, ACT_UPDATE, SCOPE_APPROVAL,
     approve_spec, NULL, 200,
     "Approve (team_lead: the account owner's team lead or a director; director: a director; "
     "finance+director: one finance and one director step); never one's own request",
     "Approval"},
    {"POST", "/api/v1/approvals/:id/reject", reject, OBJ_DISCOUNT, ACT_UPDATE, SCOPE_APPROVAL,
     reject_spec, NULL, 200, "Reject (comment required): the offer returns to draft", "Approval"},
    {"POST", "/api/v1/approvals/:id/withdraw", withdraw, OBJ_DISCOUNT, ACT_CREATE, SCOPE_APPROVAL,
     empty_spec, NULL, 200, "The requester takes the request back: the offer returns to draft",
     "Approval"},
    {"GET", "/api/v1/settings/discounts", limits_get, OBJ_CONFIG, ACT_READ, SCOPE_NONE, NULL, NULL,
     200, "How far below the engine's price each role may go alone", "DiscountLimits"},
    {"PUT", "/api/v1/settings/discounts", limits_put, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE,
     limits_spec, NULL, 200,
     "Set the limits (account_manager <= team_lead <= director; audited as settings)",
     "DiscountLimits"},
    {0},
};
