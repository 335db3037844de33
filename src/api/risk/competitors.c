/* competitors.c -- competitors, presence, moves (issue 16 item 3): decode, call
 * svc/risk/competitor, render. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/risk/competitor.h"

const struct api_shape api_shapes_competitors[] = {
    {"Competitor", "id:int name:str alias:str website:str strengths:str weaknesses:str note:str "
                   "active:bool accounts:int moves:int version:int created_at:ts updated_at:ts"},
    {"CompetitorPresence",
     "id:int competitor_id:int competitor_name:str account_id:int account_name:str family:str "
     "share_bp:int? price_level:str(lower|similar|higher|unknown) note:str updated_by:int? "
     "version:int created_at:ts updated_at:ts"},
    {"CompetitorMove",
     "id:int competitor_id:int competitor_name:str account_id:int account_name:str family:str "
     "day:date kind:str(price_cut|promotion|new_product|relationship|won_business|other) "
     "severity:str(low|medium|high) description:str created_by:int? created_at:ts risk_id:int?"},
    {"AccountCompetition",
     "account_id:int our_share_bp:int? sales_12m:int? wallet:int? presence:[CompetitorPresence] "
     "moves:[CompetitorMove]"},
    {"MoveRisk", "risk_id:int created:bool"},
    {NULL, NULL},
};

/* ---- competitors ---- */

#define COF(f) offsetof(struct competitor_in, v.f)
static const struct jfield competitor_spec[] = {
    {"name", J_STR, CO_NAME, COF(name), 0, 0, 0, "unique, 1-100 characters", 1},
    {"alias", J_STR, CO_ALIAS, COF(alias), 0, 0, 1, "other names, <= 200 characters"},
    {"website", J_STR, CO_WEBSITE, COF(website), 0, 0, 1, "<= 300 characters"},
    {"strengths", J_STR, CO_STRENGTHS, COF(strengths), 0, 0, 1, "<= 2000 characters"},
    {"weaknesses", J_STR, CO_WEAKNESSES, COF(weaknesses), 0, 0, 1, "<= 2000 characters"},
    {"note", J_STR, CO_NOTE, COF(note), 0, 0, 1, "<= 2000 characters"},
    {"active", J_BOOL, CO_ACTIVE, COF(active), 0, 0, 0, "default true"},
    {"version", J_I64, CO_VERSION, COF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

static void render_competitor(struct jw *w, const struct competitor *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "name", x->name);
    jw_kstr(w, "alias", x->alias);
    jw_kstr(w, "website", x->website);
    jw_kstr(w, "strengths", x->strengths);
    jw_kstr(w, "weaknesses", x->weaknesses);
    jw_kstr(w, "note", x->note);
    jw_kbool(w, "active", x->active);
    jw_ki64(w, "accounts", x->accounts);
    jw_ki64(w, "moves", x->moves);
    jw_ki64(w, "version", x->version);
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

static enum kam_err co_list(struct api_call *c)
{
    struct competitor_query q = {.q = api_query_str(c, "q"),
                                 .sort = api_query_str(c, "sort"),
                                 .cursor = api_query_str(c, "cursor")};
    int64_t active = -1;
    enum kam_err rc;
    if ((rc = paging(c, &q.limit)) || (rc = api_query_i64(c, "active", -1, &active)))
        return rc;
    if (active < -1 || active > 1 || (http_query(c->req, "active") && active < 0))
        return kam_fail(c->ctx->err, KAM_EINVAL, "active", "active must be 0 or 1");
    q.active = (int)active;
    struct competitor *items;
    size_t n;
    const char *next;
    if ((rc = competitor_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_competitor(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err co_create(struct api_call *c)
{
    struct competitor_in in = {0};
    enum kam_err rc = api_decode(c, competitor_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & CO_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct competitor out;
    if ((rc = competitor_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_competitor(&c->w, &out);
    return KAM_OK;
}

static enum kam_err co_get(struct api_call *c)
{
    struct competitor out;
    enum kam_err rc = competitor_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_competitor(&c->w, &out);
    return rc;
}

static enum kam_err co_patch(struct api_call *c)
{
    struct competitor_in in = {0};
    enum kam_err rc = api_decode(c, competitor_spec, &in, &in.set);
    if (rc)
        return rc;
    struct competitor out;
    if ((rc = competitor_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_competitor(&c->w, &out);
    return KAM_OK;
}

static enum kam_err co_del(struct api_call *c)
{
    enum kam_err rc = competitor_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

/* ---- presence ---- */

#define PRF(f) offsetof(struct presence_in, v.f)
static const struct jfield presence_spec[] = {
    {"competitor_id", J_I64, PR_COMPETITOR, PRF(competitor_id), 0, 0, 0,
     "an active competitor (cannot change)", 1},
    {"family", J_STR, PR_FAMILY, PRF(family), 0, 0, 1,
     "product family, <= 100 characters; empty: the whole account"},
    {"share_bp", J_I64, PR_SHARE, PRF(share_bp), PRF(has_share), 0, 1,
     "their share of the account's wallet in basis points (0..10000) or null; all competitors "
     "of one account and family sum to at most 10000"},
    {"price_level", J_STR, PR_PRICE, PRF(price_level), 0, 0, 1,
     "their price against ours: lower | similar | higher | unknown (default)"},
    {"note", J_STR, PR_NOTE, PRF(note), 0, 0, 1, "<= 2000 characters"},
    {"version", J_I64, PR_VERSION, PRF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

static void render_presence(struct jw *w, const struct presence *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "competitor_id", x->competitor_id);
    jw_kstr(w, "competitor_name", x->competitor_name);
    jw_ki64(w, "account_id", x->account_id);
    jw_kstr(w, "account_name", x->account_name);
    jw_kstr(w, "family", x->family);
    jw_ki64n(w, "share_bp", x->share_bp, !x->has_share);
    jw_kstr(w, "price_level", x->price_level);
    jw_kstr(w, "note", x->note);
    jw_ki64n(w, "updated_by", x->updated_by, !x->has_updated_by);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static void render_move(struct jw *w, const struct move *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "competitor_id", x->competitor_id);
    jw_kstr(w, "competitor_name", x->competitor_name);
    jw_ki64(w, "account_id", x->account_id);
    jw_kstr(w, "account_name", x->account_name);
    jw_kstr(w, "family", x->family);
    jw_kstr(w, "day", x->day);
    jw_kstr(w, "kind", x->kind);
    jw_kstr(w, "severity", x->severity);
    jw_kstr(w, "description", x->description);
    jw_ki64n(w, "created_by", x->created_by, !x->has_created_by);
    jw_ktime(w, "created_at", x->created_at);
    jw_ki64n(w, "risk_id", x->risk_id, !x->has_risk);
    jw_obj_end(w);
}

static enum kam_err co_accounts(struct api_call *c)
{
    int64_t limit = 0;
    enum kam_err rc = paging(c, &limit);
    if (rc)
        return rc;
    struct presence *items;
    size_t n;
    const char *next;
    if ((rc = presence_of_competitor(c->ctx, c->id[0], limit, api_query_str(c, "cursor"), &items,
                                     &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_presence(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err acc_view(struct api_call *c)
{
    struct kam_ctx *ctx = c->ctx;
    struct presence *ps;
    size_t np, nm;
    struct move *ms;
    const char *next;
    int64_t share = 0, sales = 0, wallet = 0;
    int has = 0;
    struct move_query q = {.account_id = c->id[0], .limit = COMP_MOVES_RECENT};
    enum kam_err rc;
    if ((rc = presence_of_account(ctx, c->id[0], &ps, &np)) ||
        (rc = move_list(ctx, &q, &ms, &nm, &next)) ||
        (rc = competitor_our_share(ctx, c->id[0], &share, &sales, &wallet, &has)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "account_id", c->id[0]);
    jw_ki64n(w, "our_share_bp", share, !has);
    jw_ki64n(w, "sales_12m", sales, !has);
    jw_ki64n(w, "wallet", wallet, !has);
    jw_key(w, "presence");
    jw_arr_begin(w);
    for (size_t i = 0; i < np; i++)
        render_presence(w, &ps[i]);
    jw_arr_end(w);
    jw_key(w, "moves");
    jw_arr_begin(w);
    for (size_t i = 0; i < nm; i++)
        render_move(w, &ms[i]);
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err pr_create(struct api_call *c)
{
    struct presence_in in = {0};
    enum kam_err rc = api_decode(c, presence_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & PR_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct presence out;
    if ((rc = presence_create(c->ctx, c->id[0], &in, &out)))
        return rc;
    c->status = 201;
    render_presence(&c->w, &out);
    return KAM_OK;
}

static enum kam_err pr_patch(struct api_call *c)
{
    struct presence_in in = {0};
    enum kam_err rc = api_decode(c, presence_spec, &in, &in.set);
    if (rc)
        return rc;
    struct presence out;
    if ((rc = presence_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_presence(&c->w, &out);
    return KAM_OK;
}

static enum kam_err pr_del(struct api_call *c)
{
    enum kam_err rc = presence_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

/* ---- moves ---- */

#define MVF(f) offsetof(struct move_in, v.f)
static const struct jfield move_spec[] = {
    {"competitor_id", J_I64, MV_COMPETITOR, MVF(competitor_id), 0, 0, 0, "an active competitor", 1},
    {"family", J_STR, MV_FAMILY, MVF(family), 0, 0, 1,
     "product family, <= 100 characters; empty: the whole account"},
    {"day", J_STR, MV_DAY, MVF(day), 0, 0, 1, "YYYY-MM-DD, not in the future; default today"},
    {"kind", J_STR, MV_KIND, MVF(kind), 0, 0, 0,
     "price_cut | promotion | new_product | relationship | won_business | other", 1},
    {"severity", J_STR, MV_SEVERITY, MVF(severity), 0, 0, 1,
     "low | medium | high (default medium)"},
    {"description", J_STR, MV_DESC, MVF(description), 0, 0, 0, "1-2000 characters", 1},
    {0},
};

static enum kam_err mv_list(struct api_call *c)
{
    struct move_query q = {.since = api_query_str(c, "since"),
                           .kind = api_query_str(c, "kind"),
                           .sort = api_query_str(c, "sort"),
                           .cursor = api_query_str(c, "cursor")};
    enum kam_err rc;
    if ((rc = paging(c, &q.limit)) || (rc = api_query_i64(c, "account_id", 0, &q.account_id)) ||
        (rc = api_query_i64(c, "competitor_id", 0, &q.competitor_id)))
        return rc;
    struct move *items;
    size_t n;
    const char *next;
    if ((rc = move_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_move(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err mv_create(struct api_call *c)
{
    struct move_in in = {0};
    enum kam_err rc = api_decode(c, move_spec, &in, &in.set);
    if (rc)
        return rc;
    struct move out;
    if ((rc = move_create(c->ctx, c->id[0], &in, &out)))
        return rc;
    c->status = 201;
    render_move(&c->w, &out);
    return KAM_OK;
}

static enum kam_err mv_del(struct api_call *c)
{
    enum kam_err rc = move_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

struct risk_body {
    unsigned set;
    int64_t likelihood, impact;
};
static const struct jfield risk_spec[] = {
    {"likelihood", J_I64, 1, offsetof(struct risk_body, likelihood), 0, 0, 0,
     "1-5; default from the move's severity (low 2, medium 3, high 4)"},
    {"impact", J_I64, 2, offsetof(struct risk_body, impact), 0, 0, 0,
     "1-5; default from the move's severity"},
    {0},
};

static enum kam_err mv_risk(struct api_call *c)
{
    struct risk_body in = {0};
    enum kam_err rc = api_decode(c, risk_spec, &in, &in.set);
    if (rc)
        return rc;
    if ((in.set & 1) && (in.likelihood < 1 || in.likelihood > 5))
        return kam_fail(c->ctx->err, KAM_EINVAL, "likelihood", "likelihood must be 1..5");
    if ((in.set & 2) && (in.impact < 1 || in.impact > 5))
        return kam_fail(c->ctx->err, KAM_EINVAL, "impact", "impact must be 1..5");
    int64_t id = 0;
    int created = 0;
    if ((rc = move_raise_risk(c->ctx, c->id[0], (int)in.likelihood, (int)in.impact, &id, &created)))
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "risk_id", id);
    jw_kbool(&c->w, "created", created);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static const char *const co_list_query[] = {"q", "active", "sort", "limit", "cursor", NULL};
static const char *const page_query[] = {"limit", "cursor", NULL};
static const char *const mv_list_query[] = {"account_id", "competitor_id", "since",  "kind",
                                            "sort",       "limit",         "cursor", NULL};
/* Written once, before main, by init_queries(). */
static const char *co_export_query[API_EXPORT_QUERY_MAX];
static const char *mv_export_query[API_EXPORT_QUERY_MAX];

#define EXPORT_DOC                                                                                 \
    " over all its pages, with its filters and sort, as a file: format=csv (default) or xlsx; "    \
    "columns=key[:label],...; lang=zh-CN|zh-TW|en; raw=1 keeps stored values"

const struct route api_routes_competitors[] = {
    {"GET", "/api/v1/competitors", co_list, OBJ_COMPETITOR, ACT_READ, SCOPE_NONE, NULL,
     co_list_query, 200,
     "Competitors: q (name or alias), active (0|1); sort name | id ('-' descending); keyset "
     "paging",
     "[Competitor]"},
    {"GET", "/api/v1/competitors/export", api_list_export, OBJ_COMPETITOR, ACT_READ, SCOPE_NONE,
     NULL, co_export_query, 200, "The competitors list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/competitors", co_create, OBJ_COMPETITOR, ACT_CREATE, SCOPE_NONE,
     competitor_spec, NULL, 201, "Record a competitor (company-wide)", "Competitor"},
    {"GET", "/api/v1/competitors/:id", co_get, OBJ_COMPETITOR, ACT_READ, SCOPE_NONE, NULL, NULL,
     200, "One competitor, with how many accounts it is present at and its moves (all accounts)",
     "Competitor"},
    {"PATCH", "/api/v1/competitors/:id", co_patch, OBJ_COMPETITOR, ACT_UPDATE, SCOPE_NONE,
     competitor_spec, NULL, 200, "Change a competitor (active=false retires it)", "Competitor"},
    {"DELETE", "/api/v1/competitors/:id", co_del, OBJ_COMPETITOR, ACT_DELETE, SCOPE_NONE, NULL,
     NULL, 204,
     "Delete a competitor without presence or moves (else 409 competitor.in_use: deactivate it)",
     "-"},
    {"GET", "/api/v1/competitors/:id/accounts", co_accounts, OBJ_COMPETITION, ACT_READ, SCOPE_NONE,
     NULL, page_query, 200,
     "The competitor's presence at the accounts the caller may read; keyset paging",
     "[CompetitorPresence]"},
    {"GET", "/api/v1/accounts/:id/competitors", acc_view, OBJ_COMPETITION, ACT_READ, SCOPE_ACCOUNT,
     NULL, NULL, 200,
     "The competitors at an account: presence by family (largest share first), the last 20 "
     "moves, and our own share of the wallet (sales of the last 12 months over the latest "
     "wallet estimate; null without one)",
     "AccountCompetition"},
    {"POST", "/api/v1/accounts/:id/competitors", pr_create, OBJ_COMPETITION, ACT_CREATE,
     SCOPE_ACCOUNT, presence_spec, NULL, 201,
     "Record a competitor's presence at the account in a family (409 when it is already there; "
     "400 competitor.share_sum when the family's shares would exceed 100 %)",
     "CompetitorPresence"},
    {"PATCH", "/api/v1/competitor-presence/:id", pr_patch, OBJ_COMPETITION, ACT_UPDATE,
     SCOPE_PRESENCE, presence_spec, NULL, 200, "Change a presence (its competitor cannot change)",
     "CompetitorPresence"},
    {"DELETE", "/api/v1/competitor-presence/:id", pr_del, OBJ_COMPETITION, ACT_DELETE,
     SCOPE_PRESENCE, NULL, NULL, 204, "Delete a presence", "-"},
    {"GET", "/api/v1/competitor-moves", mv_list, OBJ_COMPETITION, ACT_READ, SCOPE_NONE, NULL,
     mv_list_query, 200,
     "Competitors' moves at the accounts the caller may read: account_id, competitor_id, since "
     "(YYYY-MM-DD), kind; sort day | id (default -day); keyset paging",
     "[CompetitorMove]"},
    {"GET", "/api/v1/competitor-moves/export", api_list_export, OBJ_COMPETITION, ACT_READ,
     SCOPE_NONE, NULL, mv_export_query, 200, "The moves list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/accounts/:id/competitor-moves", mv_create, OBJ_COMPETITION, ACT_CREATE,
     SCOPE_ACCOUNT, move_spec, NULL, 201, "Record a competitor's move at the account",
     "CompetitorMove"},
    {"DELETE", "/api/v1/competitor-moves/:id", mv_del, OBJ_COMPETITION, ACT_DELETE, SCOPE_MOVE,
     NULL, NULL, 204, "Delete a move (409 competitor.move_has_risk once it was raised as a risk)",
     "-"},
    {"POST", "/api/v1/competitor-moves/:id/risk", mv_risk, OBJ_RISK, ACT_CREATE, SCOPE_MOVE,
     risk_spec, NULL, 200,
     "Raise the move as a competitive risk of its account (source competitor); raising it again "
     "answers the same risk with created false",
     "MoveRisk"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/competitors/export", co_export_query);
    api_list_export_query("/api/v1/competitor-moves/export", mv_export_query);
}
