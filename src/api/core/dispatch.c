/* dispatch.c -- the one path every API request takes: match the route, authenticate, check
 * CSRF, resolve the record's scope, ask the policy, run the handler, map errors to HTTP.
 * Handlers never write an error body or check a permission themselves. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "http/static.h"
#include "internal.h"
#include "svc/core/audit.h"
#include "svc/core/conn.h"
#include "svc/core/document.h"
#include "svc/core/msg.h"

static struct api_cfg cfg;

static const struct route *const tables[] = {
    api_routes_meta,         api_routes_session,       api_routes_users,
    api_routes_accounts,     api_routes_contacts,      api_routes_audit,
    api_routes_interactions, api_routes_visits,        api_routes_issues,
    api_routes_config,       api_routes_notifications, api_routes_care,
    api_routes_valuation,    api_routes_sales,         api_routes_volume,
    api_routes_targets,      api_routes_measures,      api_routes_insight,
    api_routes_search,       api_routes_home,          api_routes_views,
    api_routes_rel_exports,  api_routes_vol_exports,   api_routes_imports,
    api_routes_needs,        api_routes_surveys,       api_routes_survey_answers,
    api_routes_satisfaction, api_routes_follow_ups,    api_routes_tone,
    api_routes_prices,       api_routes_opportunities, api_routes_offers,
    api_routes_catalog,      api_routes_approvals,     api_routes_quote_docs,
    api_routes_risks,        api_routes_gifts,         api_routes_credit,
    api_routes_receivables,  api_routes_competitors,   api_routes_alerts,
    api_routes_health,       api_routes_churn,         api_routes_documents,
    api_routes_contracts,    api_routes_breaches,      api_routes_disputes,
    api_routes_lessons,      api_routes_competencies,  api_routes_training,
    api_routes_appraisal,    api_routes_incentives,
};
#define NTABLES (sizeof tables / sizeof tables[0])

void api_init(const struct api_cfg *c)
{
    cfg = *c;
    conn_pool_start(c->dsn);
    cfg.dsn = NULL; /* the pool keeps its copy */
    if (cfg.session_ttl <= 0)
        cfg.session_ttl = AUTH_DEFAULT_TTL;
}

void api_shutdown(void)
{
    conn_pool_stop();
}

/* ---- errors: the one table from error code to HTTP status ---- */

static int status_of(enum kam_err code)
{
    switch (code) {
    case KAM_OK:
        return 200;
    case KAM_EINVAL:
        return 400;
    case KAM_EAUTH:
        return 401;
    case KAM_EFORBIDDEN:
        return 403;
    case KAM_ENOTFOUND:
        return 404;
    case KAM_EMETHOD:
        return 405;
    case KAM_ECONFLICT:
        return 409;
    case KAM_ETOOBIG:
        return 413;
    case KAM_EMEDIA:
        return 415;
    case KAM_ELIMIT:
        return 429;
    case KAM_EGONE:
        return 410;
    case KAM_EBUSY:
        return 503;
    case KAM_EDB:
    case KAM_EIO:
    case KAM_EINTERNAL:
    case KAM_ERR_COUNT:
        break;
    }
    return 500;
}

/* The language of the request's messages (Accept-Language; English when none). */
static enum msg_lang request_lang(struct http_req *r)
{
    return msg_lang_parse(r ? r->header(r, "Accept-Language") : NULL);
}

/* {"error":{"code","message","field","key","params"}}: code, message and field are what tools
 * read; key and params let a UI word the message itself. message is in the request's
 * Accept-Language when the key has a template, else the English text of the call site. */
static void write_error(struct http_req *req, struct http_resp *resp, const struct kam_error *e)
{
    enum kam_err code = e->code ? e->code : KAM_EINTERNAL;
    resp->status = status_of(code);
    buf_reset(&resp->body);
    struct jw w;
    jw_init(&w, &resp->body);
    jw_obj_begin(&w);
    jw_key(&w, "error");
    jw_obj_begin(&w);
    jw_kstr(&w, "code", kam_err_name(code));
    /* Database and internal failures are logged in full, but not shown to the client. */
    const char *msg = e->msg;
    /* The server's own refusal (an export over its cap): an answer, neither logged nor hidden. */
    int refusal = conn_is_refusal(code, e->key);
    if (resp->status >= 500 && !refusal) {
        log_error("request failed: %s: %s", kam_err_name(code), e->msg);
        msg = code == KAM_EBUSY ? "the database is busy; retry" : "internal error";
    }
    const char *key = *e->key ? e->key : kam_err_name(code);
    int hidden = resp->status >= 500 && !refusal;
    if (hidden)
        key = kam_err_name(code); /* the cause's key (and params) stay in the log */
    enum msg_lang lang = request_lang(req);
    struct kam_param params[KAM_ERR_PARAMS + 1];
    size_t np = 0;
    params[np++] = (struct kam_param){"field", e->field};
    for (int i = 0; !hidden && i < e->nparams && i < KAM_ERR_PARAMS; i++)
        params[np++] = (struct kam_param){e->params[i].name, e->params[i].value};
    char text[400];
    if ((lang != MSG_EN || resp->status >= 500 || !*msg) &&
        msg_render(lang, key, params, np, text, sizeof text) > 0)
        msg = text;
    jw_kstr(&w, "message", *msg ? msg : kam_err_name(code));
    jw_kstr(&w, "field", e->field);
    jw_kstr(&w, "key", key);
    jw_key(&w, "params");
    jw_obj_begin(&w);
    for (size_t i = 1; i < np; i++)
        jw_kstr(&w, params[i].name, params[i].value);
    jw_obj_end(&w);
    jw_obj_end(&w);
    jw_obj_end(&w);
    if (code == KAM_EAUTH)
        http_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"kam\"");
}

/* ---- routing ---- */

/* Matches path against a pattern; fills ids for ":name" segments (positive integers).
 * Returns 1 on match, 0 on no match, -1 when the shape matches but an id is malformed. */
static int match(const char *pattern, const char *path, int64_t ids[API_MAX_PATH_IDS])
{
    int nid = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p == '*' && p[1] == 0) {
            /* A trailing wildcard: one non-empty last segment (the handler reads it). */
            return *s && !strchr(s, '/') ? 1 : 0;
        }
        if (*p == ':') {
            while (*p && *p != '/')
                p++;
            const char *start = s;
            int64_t v = 0;
            int bad = 0;
            while (*s && *s != '/') {
                if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
                    bad = 1;
                else
                    v = v * 10 + (*s - '0');
                s++;
            }
            if (s == start)
                return 0;
            if (bad || v <= 0)
                return -1;
            if (nid < API_MAX_PATH_IDS)
                ids[nid++] = v;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    return *p == 0 && *s == 0 ? 1 : 0;
}

static int is_unsafe(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

static enum kam_err authenticate(struct api_call *c)
{
    struct http_req *r = c->req;
    struct kam_ctx *ctx = c->ctx;
    const char *authz = r->header(r, "Authorization");
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0)
            return kam_fail(ctx->err, KAM_EAUTH, "Authorization", "use Authorization: Bearer");
        struct user u;
        enum kam_err rc = auth_bearer(ctx, authz + 7, &u);
        if (rc)
            return rc;
        ctx->who.user_id = u.id;
        ctx->who.role = role_parse(u.role);
        ctx->who.login = u.login;
        return KAM_OK;
    }
    const char *tok = r->cookie(r, "kam_session");
    if (!tok)
        return kam_fail(ctx->err, KAM_EAUTH, "", "not logged in");
    struct session s;
    enum kam_err rc = auth_session(ctx, tok, &s);
    if (rc)
        return rc;
    ctx->who.user_id = s.user.id;
    ctx->who.role = role_parse(s.user.role);
    ctx->who.login = s.user.login;
    c->via_cookie = 1;
    c->session_token = arena_strdup(ctx->a, tok);
    c->csrf = s.csrf;
    c->session_expires = s.expires_at;
    if (is_unsafe(r->method)) {
        const char *h = r->header(r, "X-CSRF-Token");
        size_t n = strlen(s.csrf);
        if (!h || strlen(h) != n || sodium_memcmp(h, s.csrf, n) != 0)
            return kam_fail(ctx->err, KAM_EFORBIDDEN, "X-CSRF-Token",
                            "missing or wrong X-CSRF-Token header");
    }
    return KAM_OK;
}

/* The account the route's record belongs to, and whether it is in the caller's scope. */
static enum kam_err resolve_scope(struct api_call *c, int *in_scope, enum obj *obj, enum act *act)
{
    struct kam_ctx *ctx = c->ctx;
    enum kam_err rc;
    int64_t account_id = 0;
    switch (c->route->scope) {
    case SCOPE_NONE:
        *in_scope = 0;
        return KAM_OK;
    case SCOPE_ACCOUNT:
        account_id = c->id[0];
        break;
    case SCOPE_CONTACT:
    case SCOPE_INTERACTION:
    case SCOPE_VISIT:
    case SCOPE_ISSUE:
    case SCOPE_CARE:
    case SCOPE_ORDER:
    case SCOPE_NEED:
    case SCOPE_INTERVIEW:
    case SCOPE_SURVEY_LINK:
    case SCOPE_RESPONSE:
    case SCOPE_FOLLOW_UP:
    case SCOPE_OPPORTUNITY:
    case SCOPE_OFFER:
    case SCOPE_APPROVAL:
    case SCOPE_RISK:
    case SCOPE_GIFT:
    case SCOPE_INVOICE:
    case SCOPE_CREDIT_HOLD:
    case SCOPE_PRESENCE:
    case SCOPE_MOVE:
    case SCOPE_ALERT:
    case SCOPE_CONTRACT:
    case SCOPE_BREACH:
    case SCOPE_DISPUTE:
        if ((rc = policy_record_account(ctx, c->route->scope, c->id[0], &account_id)))
            return rc;
        break;
    case SCOPE_DOCUMENT:
        /* A document is permitted through the record it belongs to: its object and account
         * (reading stays reading; removing a document is changing its owner). */
        if ((rc = document_scope(ctx, c->id[0], obj, &account_id)))
            return rc;
        if (*act != ACT_READ)
            *act = ACT_UPDATE;
        if (!account_id) {
            /* of a lesson of no account: as SCOPE_LESSON */
            c->scope_account_id = 0;
            *in_scope = *act == ACT_READ;
            if (*act != ACT_READ && policy_grant(ctx->who.role, *obj, *act) != GRANT_ALL &&
                policy_grant(ctx->who.role, *obj, ACT_READ) != GRANT_NONE)
                return kam_fail(ctx->err, KAM_EFORBIDDEN, "",
                                "lessons of no account are changed by legal or the director");
            return KAM_OK;
        }
        break;
    case SCOPE_LESSON:
        if ((rc = policy_record_account(ctx, c->route->scope, c->id[0], &account_id)))
            return rc;
        if (!account_id) {
            /* A lesson of no account (a company-wide case): everyone who reads lessons reads
             * it; changing it takes an org-wide grant. */
            c->scope_account_id = 0;
            *in_scope = *act == ACT_READ;
            if (*act != ACT_READ && policy_grant(ctx->who.role, *obj, *act) != GRANT_ALL &&
                policy_grant(ctx->who.role, *obj, ACT_READ) != GRANT_NONE)
                return kam_fail(ctx->err, KAM_EFORBIDDEN, "",
                                "lessons of no account are changed by legal or the director");
            return KAM_OK;
        }
        break;
    case SCOPE_MEASURE:
        if ((rc = policy_record_account(ctx, c->route->scope, c->id[0], &account_id)))
            return rc;
        if (!account_id) {
            /* A plan-wide measure: everyone who reads measures reads it (so a refused change is
             * a 403, not a 404); changing it takes an org-wide grant. */
            c->scope_account_id = 0;
            *in_scope = *act == ACT_READ;
            if (*act != ACT_READ && policy_grant(ctx->who.role, *obj, *act) != GRANT_ALL &&
                policy_grant(ctx->who.role, *obj, ACT_READ) != GRANT_NONE)
                return kam_fail(ctx->err, KAM_EFORBIDDEN, "",
                                "plan-wide measures are changed by the sales director");
            return KAM_OK;
        }
        break;
    case SCOPE_USER:
    case SCOPE_ASSESSMENT:
    case SCOPE_ENROLMENT:
    case SCOPE_SCORECARD:
    case SCOPE_PAYOUT: {
        /* A record about one person: in scope for that person and those who lead them. */
        int64_t user_id = 0;
        if ((rc = policy_record_person(ctx, c->route->scope, c->id[0], &user_id)))
            return rc;
        c->scope_account_id = 0;
        return policy_manages_user(ctx, user_id, in_scope);
    }
    case SCOPE_COUNT:
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "bad scope");
    case SCOPE_AUDIT: {
        const char *entity = api_query_str(c, "entity");
        int64_t id = 0;
        if (!entity || !*entity)
            return kam_fail(ctx->err, KAM_EINVAL, "entity", "entity is required");
        if ((rc = api_query_i64(c, "id", 0, &id)))
            return rc;
        if (id <= 0)
            return kam_fail(ctx->err, KAM_EINVAL, "id", "id must be a positive integer");
        if (strcmp(entity, "user") == 0 || strcmp(entity, "team") == 0 ||
            strcmp(entity, "token") == 0) {
            /* History of people and teams: for those who administer them. */
            *obj = OBJ_USER;
            *act = ACT_UPDATE;
            c->scope_account_id = 0;
            *in_scope = 0;
            return KAM_OK;
        }
        if (strcmp(entity, "survey") == 0) {
            /* A survey definition is company-wide: its history for those who read surveys. */
            *obj = OBJ_SURVEY;
            *act = ACT_READ;
            c->scope_account_id = 0;
            *in_scope = 0;
            return KAM_OK;
        }
        if (strcmp(entity, "bundle") == 0 || strcmp(entity, "service_item") == 0) {
            /* The catalogue (issue 15) is company-wide: its history for its readers. */
            *obj = OBJ_CATALOG;
            *act = ACT_READ;
            c->scope_account_id = 0;
            *in_scope = 0;
            return KAM_OK;
        }
        if (strcmp(entity, "follow_up") == 0) {
            /* A follow-up's history carries its contents: for those who read follow-ups. */
            *obj = OBJ_FOLLOW_UP;
            *act = ACT_READ;
        }
        if (strcmp(entity, "price_list") == 0 || strcmp(entity, "promotion") == 0 ||
            strcmp(entity, "rebate") == 0) {
            /* Prices (issue 15): for those who read pricing; one of an account (an account or
             * group list, promotion, rebate) also takes reading that account. */
            *obj = OBJ_PRICING;
            *act = ACT_READ;
            if ((rc = audit_account_of(ctx, entity, id, &account_id)))
                return rc;
            if (!account_id) {
                c->scope_account_id = 0;
                *in_scope = 0;
                return KAM_OK;
            }
        }
        /* Issue 16: the risk chapter's records of an account, for those who read them there;
         * its company-wide records (competitors, alert and gift rules) for their readers. */
        static const struct {
            const char *entity;
            enum obj obj;
            int of_account;
        } risk_entities[] = {
            {"risk", OBJ_RISK, 1},
            {"gift", OBJ_GIFT, 1},
            {"gift_budget", OBJ_GIFT, 1},
            {"alert", OBJ_ALERT, 1},
            {"invoice", OBJ_RECEIVABLE, 1},
            {"payment", OBJ_RECEIVABLE, 1},
            {"credit_limit", OBJ_CREDIT, 1},
            {"credit_hold", OBJ_CREDIT, 1},
            {"competitor_presence", OBJ_COMPETITION, 1},
            {"competitor_move", OBJ_COMPETITION, 1},
            {"competitor", OBJ_COMPETITOR, 0},
            {"alert_rule", OBJ_CONFIG, 0},
            {"gift_rule", OBJ_CONFIG, 0},
            /* issue 17: the contracts chapter; 2: of an account, or company-wide (a lesson of
             * no account, its accountability and training needs): then for org-wide readers */
            {"contract", OBJ_CONTRACT, 1},
            {"contract_obligation", OBJ_CONTRACT, 1},
            {"breach", OBJ_BREACH, 1},
            {"dispute", OBJ_DISPUTE, 1},
            {"dispute_stage", OBJ_DISPUTE, 1},
            {"dispute_event", OBJ_DISPUTE, 1},
            {"lesson", OBJ_LESSON, 2},
            {"lesson_accountability", OBJ_ACCOUNTABILITY, 2},
            {"training_need", OBJ_TRAINING, 2},
        };
        int risk_of_account = 0;
        for (size_t i = 0; i < sizeof risk_entities / sizeof risk_entities[0]; i++) {
            if (strcmp(entity, risk_entities[i].entity) != 0)
                continue;
            *obj = risk_entities[i].obj;
            *act = ACT_READ;
            if (!risk_entities[i].of_account) {
                c->scope_account_id = 0;
                *in_scope = 0;
                return KAM_OK;
            }
            if (risk_entities[i].of_account == 2) {
                if ((rc = audit_account_of(ctx, entity, id, &account_id)))
                    return rc;
                if (!account_id) {
                    c->scope_account_id = 0;
                    *in_scope = 0;
                    return KAM_OK;
                }
            }
            risk_of_account = 1;
        }
        if (strcmp(entity, "account") == 0) {
            account_id = id;
        } else if (strcmp(entity, "account_member") == 0) {
            /* A member row's id is the user's, who may sit on many teams: the history of one
             * account team is part of the account's (entity=account). */
            return kam_fail(ctx->err, KAM_EINVAL, "entity",
                            "account team changes are in the account's history: use "
                            "entity=account&id=ACCOUNT");
        } else if (strcmp(entity, "contact") == 0 || strcmp(entity, "interaction") == 0 ||
                   strcmp(entity, "visit") == 0 || strcmp(entity, "issue") == 0 ||
                   strcmp(entity, "care") == 0 || strcmp(entity, "need") == 0 ||
                   strcmp(entity, "interview") == 0 || strcmp(entity, "follow_up") == 0 ||
                   strcmp(entity, "survey_link") == 0 || strcmp(entity, "price_list") == 0 ||
                   strcmp(entity, "promotion") == 0 || strcmp(entity, "rebate") == 0 ||
                   strcmp(entity, "opportunity") == 0 || strcmp(entity, "offer") == 0 ||
                   strcmp(entity, "approval") == 0 || risk_of_account) {
            rc = audit_account_of(ctx, entity, id, &account_id);
            if (rc)
                return rc;
        } else {
            return kam_fail(ctx->err, KAM_EINVAL, "entity",
                            "entity must be one of: account, contact, interaction, visit, issue, "
                            "care, need, interview, follow_up, survey, survey_link, "
                            "price_list, promotion, rebate, opportunity, offer, approval, "
                            "bundle, service_item, risk, gift, gift_budget, alert, invoice, "
                            "payment, "
                            "credit_limit, credit_hold, competitor_presence, competitor_move, "
                            "competitor, alert_rule, gift_rule, contract, contract_obligation, "
                            "breach, dispute, dispute_stage, dispute_event, lesson, "
                            "lesson_accountability, training_need, user, team, token");
        }
        c->scope_account_id = account_id;
        /* A deleted account's history stays readable for org-wide readers only. */
        rc = policy_account_in_scope(ctx, account_id, in_scope);
        if (rc == KAM_ENOTFOUND && !policy_list_scoped(&ctx->who)) {
            kam_error_clear(ctx->err);
            *in_scope = 1;
            return KAM_OK;
        }
        return rc;
    }
    }
    c->scope_account_id = account_id;
    return policy_account_in_scope(ctx, account_id, in_scope);
}

static enum kam_err check_query(struct api_call *c)
{
    struct http_req *r = c->req;
    if (r->query_overflow)
        return kam_fail(c->ctx->err, KAM_EINVAL, "query", "too many query parameters");
    for (int i = 0; i < r->nquery; i++) {
        const char *const *q = c->route->query;
        while (q && *q && strcmp(*q, r->query[i].key) != 0)
            q++;
        if (!q || !*q) {
            const char *k = r->query[i].key;
            return kam_fail(c->ctx->err, KAM_EINVAL, strlen(k) < 48 ? k : "query",
                            "unknown query parameter %.60s", k);
        }
        if (strlen(r->query[i].value) > 1000)
            return kam_fail(c->ctx->err, KAM_EINVAL, r->query[i].key, "%s is too long",
                            r->query[i].key);
    }
    return KAM_OK;
}

/* A write request is one transaction, so a failure anywhere in the handler -- also after its
 * service committed, while reading the result back -- leaves the database as it was. */
static enum kam_err call_route(void *arg)
{
    struct api_call *c = arg;
    if (!is_unsafe(c->req->method) || (c->route->flags & ROUTE_OWN_TX))
        return c->route->fn(c);
    enum kam_err rc = conn_tx_begin(c->ctx);
    if (rc)
        return rc;
    rc = c->route->fn(c);
    enum kam_err end = conn_tx_end(c->ctx, rc);
    if (!rc && end)
        c->resp->nheaders = 0; /* the commit failed: the answer prepared (a cookie) is void */
    return end;
}

/* Before the one retry: the failed attempt's response is dropped. */
static void again(void *arg)
{
    struct api_call *c = arg;
    log_warn("%s %s: %s; retrying once", c->req->method, c->req->path, c->ctx->err->msg);
    buf_reset(&c->resp->body);
    http_resp_drop_file(c->resp);
    jw_init(&c->w, &c->resp->body);
    c->resp->nheaders = 0;
    c->status = 200;
}

/* A request refused before its route runs (error rc): a route with a gate counts it on its
 * throttle (which may answer 429 instead). */
static enum kam_err gated(struct api_call *c, enum kam_err rc)
{
    if (!c->route->gate)
        return rc;
    enum kam_err p = conn_pool_get(&c->ctx->db, c->ctx->err);
    return p ? p : c->route->gate(c, rc);
}

static enum kam_err run(struct api_call *c)
{
    struct kam_ctx *ctx = c->ctx;
    struct http_req *r = c->req;
    const struct route *route = NULL;
    int path_known = 0, bad_id = 0;
    for (size_t t = 0; t < NTABLES && !route; t++) {
        for (const struct route *rt = tables[t]; rt->method; rt++) {
            int64_t ids[API_MAX_PATH_IDS] = {0};
            int m = match(rt->path, r->path, ids);
            if (m < 0)
                bad_id = 1; /* "/accounts/abc": unless a literal route matches, 404 */
            if (m <= 0)
                continue;
            path_known = 1;
            if (strcmp(rt->method, r->method) != 0)
                continue;
            route = rt;
            memcpy(c->id, ids, sizeof ids);
            break;
        }
    }
    if (r->headers_only) {
        /* The early call (the body not read yet, http_server.h): only a route's gate answers
         * now (429 to an address over its limit); everything else waits for the body. */
        if (!route || !route->gate)
            return KAM_OK;
        c->route = route;
        enum kam_err g = conn_pool_get(&ctx->db, ctx->err);
        return g ? g : route->gate(c, KAM_OK);
    }
    if (!route && !path_known && bad_id)
        return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such record");
    if (!route && !path_known && strncmp(r->path, "/api/", 5) != 0 && http_static_serve(r, c->resp))
        return KAM_OK;
    if (!route)
        return path_known ? kam_fail(ctx->err, KAM_EMETHOD, "", "method not allowed")
                          : kam_fail(ctx->err, KAM_ENOTFOUND, "", "no such route");
    c->route = route;
    enum kam_err rc;
    /* A route with a throttle of its own (the public survey routes): a client over its limit
     * got 429 on its headers (the early call above) when it sent a body; here, before its body
     * is decoded or its query checked, it gets it in any case; what is refused below counts. */
    if (route->gate && ((rc = conn_pool_get(&ctx->db, ctx->err)) || (rc = route->gate(c, KAM_OK))))
        return rc;
    if (r->body_too_big)
        return gated(c, kam_fail(ctx->err, KAM_ETOOBIG, "body", "the body is larger than %zu bytes",
                                 http_body_limit(r->path)));
    if ((rc = conn_pool_get(&ctx->db, ctx->err)))
        return rc;
    if (route->obj != OBJ_PUBLIC && (rc = authenticate(c)))
        return rc;
    if ((rc = check_query(c)))
        return gated(c, rc);
    if (route->obj != OBJ_PUBLIC) {
        int in_scope = 0;
        enum obj obj = route->obj;
        enum act act = route->act;
        if ((rc = resolve_scope(c, &in_scope, &obj, &act)))
            return rc;
        /* a record named another way (the audit's query) is judged without scope; a document
         * keeps its scope under its owner's object */
        enum scope_kind kind =
            obj == route->obj || route->scope == SCOPE_DOCUMENT ? route->scope : SCOPE_NONE;
        switch (policy_decide(ctx->who.role, obj, act, kind, in_scope)) {
        case DECIDE_ALLOW:
            break;
        case DECIDE_FORBID:
            return kam_fail(ctx->err, KAM_EFORBIDDEN, "", "your role (%s) may not %s %s here",
                            role_name(ctx->who.role), act_name(act), obj_name(obj));
        case DECIDE_HIDE:
            return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such record");
        }
    }
    if (!route->body && r->body_len > 0)
        return gated(c, kam_fail(ctx->err, KAM_EINVAL, "body", "this request takes no body"));
    /* Retried once when safe: see conn_run. */
    return conn_run(ctx, call_route, again, c);
}

void api_dispatch(struct http_req *req, struct http_resp *resp, void *user)
{
    (void)user;
    struct kam_error err = {0};
    struct kam_ctx ctx = {.a = req->a, .err = &err, .now = time_now()};
    struct api_call c = {.req = req, .resp = resp, .ctx = &ctx, .status = 200};
    c.session_ttl = cfg.session_ttl;
    jw_init(&c.w, &resp->body);
    enum kam_err rc = run(&c);
    if (req->headers_only && rc == KAM_OK) {
        resp->status = 0; /* go on: called again with the body */
        return;
    }
    if (rc == KAM_OK && !buf_ok(&resp->body))
        rc = kam_fail(&err, KAM_EINTERNAL, "", "response too large");
    if (rc) {
        if (!err.code)
            kam_fail(&err, rc, "", "%s", kam_err_name(rc));
        http_resp_drop_file(resp); /* an export that failed after its file was handed over */
        write_error(req, resp, &err);
        return;
    }
    if (resp->static_body)
        return; /* a web UI file: status and headers are set */
    resp->status = c.status;
    if (c.status == 204)
        buf_reset(&resp->body);
}

void api_list_begin(struct api_call *c)
{
    jw_obj_begin(&c->w);
    jw_key(&c->w, "items");
    jw_arr_begin(&c->w);
}

void api_list_end(struct api_call *c, const char *next_cursor)
{
    jw_arr_end(&c->w);
    jw_kstr(&c->w, "next_cursor", next_cursor);
    jw_obj_end(&c->w);
}

int api_route_count(void)
{
    int n = 0;
    for (size_t t = 0; t < NTABLES; t++)
        for (const struct route *rt = tables[t]; rt->method; rt++)
            n++;
    return n;
}

static const struct route *route_at(int i)
{
    for (size_t t = 0; t < NTABLES; t++)
        for (const struct route *rt = tables[t]; rt->method; rt++)
            if (i-- == 0)
                return rt;
    return NULL;
}

void api_route_info(int i, const char **method, const char **path, const char **object,
                    const char **action, const char **scope)
{
    const struct route *rt = route_at(i);
    *method = rt ? rt->method : NULL;
    *path = rt ? rt->path : NULL;
    *object = rt ? obj_name(rt->obj) : NULL;
    *action = rt ? act_name(rt->act) : NULL;
    *scope = rt ? scope_kind_name(rt->scope) : NULL;
}

/* The table as the OpenAPI generator (api/core/openapi.c) walks it. */
const struct route *api_route_at(int i)
{
    return route_at(i);
}
