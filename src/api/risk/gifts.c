/* gifts.c -- compliance: gifts and hospitality, rules, budgets (issue 16 item 1). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/risk/gift.h"
#include "svc/risk/risk.h"

const struct api_shape api_shapes_gifts[] = {
    {"Gift",
     "id:int account_id:int account_name:str contact_id:int? contact_name:str "
     "contact_role:str kind:str(gift|hospitality) description:str value:int currency:str "
     "value_base:int given_on:date given_by:int? given_by_name:str care_reminder_id:int? "
     "visit_id:int? rule_id:int? rule_name:str approver_role:str(team_lead|director|finance)? "
     "status:str(recorded|pending|approved|rejected|breach) decided_by:int? decided_at:ts? "
     "decision_note:str risk_id:int? version:int created_at:ts updated_at:ts created_by:int?"},
    {"GiftRule", "id:int name:str kind:str(gift|hospitality|any) recipient_role:str "
                 "max_value:int currency:str approver_role:str(team_lead|director|finance) "
                 "forbidden:bool active:bool version:int created_at:ts updated_at:ts"},
    {"GiftBudget", "account_id:int year:int amount:int? currency:str? amount_base:int? "
                   "used_base:int remaining_base:int? gifts:int base_currency:str"},
    {NULL, NULL},
};

#define GF(f) offsetof(struct gift_in, v.f)
static const struct jfield gift_spec[] = {
    {"account_id", J_I64, GF_ACCOUNT, GF(account_id), 0, 0, 0, "POST: the account", 1},
    {"contact_id", J_I64, GF_CONTACT, GF(contact_id), GF(has_contact), 0, 1,
     "the recipient, a contact of the account (their decision role picks the rule), or null"},
    {"kind", J_STR, GF_KIND, GF(kind), 0, 0, 0, "gift | hospitality", 1},
    {"description", J_STR, GF_DESC, GF(description), 0, 0, 0, "1-500 characters", 1},
    {"value", J_I64, GF_VALUE, GF(value), 0, 0, 0, "minor units of currency, >= 0", 1},
    {"currency", J_STR, GF_CURRENCY, GF(currency), 0, 0, 0,
     "the base currency or one with an exchange rate", 1},
    {"given_on", J_STR, GF_GIVEN_ON, GF(given_on), 0, 0, 0,
     "YYYY-MM-DD (a later day: planned, so one over its rule can wait for approval)", 1},
    {"given_by", J_I64, GF_GIVEN_BY, GF(given_by), GF(has_given_by), 0, 1,
     "who gives it (default: the caller), a user who may record the account's gifts"},
    {"care_reminder_id", J_I64, GF_CARE, GF(care_reminder_id), GF(has_care), 0, 1,
     "the care reminder it answers (same account), or null"},
    {"visit_id", J_I64, GF_VISIT, GF(visit_id), GF(has_visit), 0, 1,
     "the visit it was given on (same account), or null"},
    {"version", J_I64, GF_VERSION, GF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

#define GR(f) offsetof(struct gift_rule_in, v.f)
static const struct jfield rule_spec[] = {
    {"name", J_STR, GR_NAME, GR(name), 0, 0, 0, "1-100 characters", 1},
    {"kind", J_STR, GR_KIND, GR(kind), 0, 0, 0, "gift | hospitality | any (default any)"},
    {"recipient_role", J_STR, GR_ROLE, GR(recipient_role), 0, 0, 0,
     "a contact's decision role, or any (default)"},
    {"max_value", J_I64, GR_MAX, GR(max_value), 0, 0, 0,
     "per occasion, minor units of currency; above it a gift needs approval", 1},
    {"currency", J_STR, GR_CURRENCY, GR(currency), 0, 0, 0, "of max_value", 1},
    {"approver_role", J_STR, GR_APPROVER, GR(approver_role), 0, 0, 0,
     "team_lead | director | finance (default director)"},
    {"forbidden", J_BOOL, GR_FORBIDDEN, GR(forbidden), 0, 0, 0,
     "never to this recipient, whatever the value"},
    {"active", J_BOOL, GR_ACTIVE, GR(active), 0, 0, 0, "default true"},
    {"version", J_I64, GR_VERSION, GR(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

struct decide_in {
    unsigned set;
    const char *decision, *note;
};
static const struct jfield decide_spec[] = {
    {"decision", J_STR, 1, offsetof(struct decide_in, decision), 0, 0, 0, "approve | reject", 1},
    {"note", J_STR, 2, offsetof(struct decide_in, note), 0, 0, 1, "<= 500 characters"},
    {0},
};

struct budget_in {
    unsigned set;
    int64_t amount;
    const char *currency;
};
static const struct jfield budget_spec[] = {
    {"amount", J_I64, 1, offsetof(struct budget_in, amount), 0, 0, 0,
     "the year's budget, minor units of currency", 1},
    {"currency", J_STR, 2, offsetof(struct budget_in, currency), 0, 0, 0,
     "the base currency or one with an exchange rate", 1},
    {0},
};

static void render_gift(struct jw *w, const struct gift *g)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", g->id);
    jw_ki64(w, "account_id", g->account_id);
    jw_kstr(w, "account_name", g->account_name);
    jw_ki64n(w, "contact_id", g->contact_id, !g->has_contact);
    jw_kstr(w, "contact_name", g->contact_name);
    jw_kstr(w, "contact_role", g->contact_role);
    jw_kstr(w, "kind", g->kind);
    jw_kstr(w, "description", g->description);
    jw_ki64(w, "value", g->value);
    jw_kstr(w, "currency", g->currency);
    jw_ki64(w, "value_base", g->value_base);
    jw_kstr(w, "given_on", g->given_on);
    jw_ki64n(w, "given_by", g->given_by, !g->has_given_by);
    jw_kstr(w, "given_by_name", g->given_by_name);
    jw_ki64n(w, "care_reminder_id", g->care_reminder_id, !g->has_care);
    jw_ki64n(w, "visit_id", g->visit_id, !g->has_visit);
    jw_ki64n(w, "rule_id", g->rule_id, !g->has_rule);
    jw_kstr(w, "rule_name", g->rule_name);
    jw_kstr(w, "approver_role", g->approver_role);
    jw_kstr(w, "status", g->status);
    jw_ki64n(w, "decided_by", g->decided_by, !g->has_decided);
    jw_ktime_opt(w, "decided_at", g->decided_at, g->decided_at != 0);
    jw_kstr(w, "decision_note", g->decision_note);
    jw_ki64n(w, "risk_id", g->risk_id, !g->has_risk);
    jw_ki64(w, "version", g->version);
    jw_ktime(w, "created_at", g->created_at);
    jw_ktime(w, "updated_at", g->updated_at);
    jw_ki64n(w, "created_by", g->created_by, !g->has_created_by);
    jw_obj_end(w);
}

static void render_rule(struct jw *w, const struct gift_rule *r)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", r->id);
    jw_kstr(w, "name", r->name);
    jw_kstr(w, "kind", r->kind);
    jw_kstr(w, "recipient_role", r->recipient_role);
    jw_ki64(w, "max_value", r->max_value);
    jw_kstr(w, "currency", r->currency);
    jw_kstr(w, "approver_role", r->approver_role);
    jw_kbool(w, "forbidden", r->forbidden);
    jw_kbool(w, "active", r->active);
    jw_ki64(w, "version", r->version);
    jw_ktime(w, "created_at", r->created_at);
    jw_ktime(w, "updated_at", r->updated_at);
    jw_obj_end(w);
}

static void render_budget(struct jw *w, const struct gift_budget *b)
{
    jw_obj_begin(w);
    jw_ki64(w, "account_id", b->account_id);
    jw_ki64(w, "year", b->year);
    jw_ki64n(w, "amount", b->amount, !b->has_budget);
    jw_kstr(w, "currency", b->has_budget ? b->currency : NULL);
    jw_ki64n(w, "amount_base", b->amount_base, !b->has_budget);
    jw_ki64(w, "used_base", b->used_base);
    jw_ki64n(w, "remaining_base", b->remaining_base, !b->has_budget);
    jw_ki64(w, "gifts", b->gifts);
    jw_kstr(w, "base_currency", b->base_currency);
    jw_obj_end(w);
}

/* ---- gifts ---- */

static enum kam_err filters(struct api_call *c, struct gift_query *q)
{
    memset(q, 0, sizeof *q);
    q->status = api_query_str(c, "status");
    q->cursor = api_query_str(c, "cursor");
    int64_t pfm = 0;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "account_id", 0, &q->account_id)) ||
        (rc = api_query_i64(c, "contact_id", 0, &q->contact_id)) ||
        (rc = api_query_user(c, "given_by", &q->given_by)) ||
        (rc = api_query_i64(c, "year", 0, &q->year)) ||
        (rc = api_query_i64(c, "pending_for_me", 0, &pfm)) ||
        (rc = api_query_i64(c, "limit", 0, &q->limit)))
        return rc;
    if (pfm < 0 || pfm > 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "pending_for_me", "pending_for_me must be 0 or 1");
    q->pending_for_me = (int)pfm;
    if (http_query(c->req, "limit") && q->limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    return KAM_OK;
}

static enum kam_err list(struct api_call *c)
{
    struct gift_query q;
    struct gift *items;
    size_t n;
    const char *next;
    enum kam_err rc = filters(c, &q);
    if (rc || (rc = gift_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_gift(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err create(struct api_call *c)
{
    struct gift_in in = {0};
    enum kam_err rc = api_decode(c, gift_spec, &in, &in.set);
    if (rc)
        return rc;
    struct gift out;
    if ((rc = gift_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_gift(&c->w, &out);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct gift out;
    enum kam_err rc = gift_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_gift(&c->w, &out);
    return rc;
}

static enum kam_err patch(struct api_call *c)
{
    struct gift_in in = {0};
    enum kam_err rc = api_decode(c, gift_spec, &in, &in.set);
    if (rc)
        return rc;
    struct gift out;
    if ((rc = gift_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_gift(&c->w, &out);
    return KAM_OK;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = gift_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err decide(struct api_call *c)
{
    struct decide_in in = {0};
    enum kam_err rc = api_decode(c, decide_spec, &in, &in.set);
    if (rc)
        return rc;
    if (!(in.set & 1))
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "decision", "required",
                            (struct kam_param[]){{"field", "decision"}, {0}},
                            "decision is required");
    struct gift out;
    if ((rc = gift_decide(c->ctx, c->id[0], in.decision, in.note, &out)))
        return rc;
    render_gift(&c->w, &out);
    return KAM_OK;
}

/* ---- rules ---- */

static enum kam_err rules(struct api_call *c)
{
    struct gift_rule *items;
    size_t n;
    enum kam_err rc = gift_rule_list(c->ctx, &items, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_rule(&c->w, &items[i]);
    api_list_end(c, NULL);
    return KAM_OK;
}

static enum kam_err rule_create(struct api_call *c)
{
    struct gift_rule_in in = {0};
    enum kam_err rc = api_decode(c, rule_spec, &in, &in.set);
    if (rc)
        return rc;
    struct gift_rule out;
    if ((rc = gift_rule_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_rule(&c->w, &out);
    return KAM_OK;
}

static enum kam_err rule_patch(struct api_call *c)
{
    struct gift_rule_in in = {0};
    enum kam_err rc = api_decode(c, rule_spec, &in, &in.set);
    if (rc)
        return rc;
    struct gift_rule out;
    if ((rc = gift_rule_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_rule(&c->w, &out);
    return KAM_OK;
}

static enum kam_err rule_del(struct api_call *c)
{
    enum kam_err rc = gift_rule_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

/* ---- budgets ---- */

static enum kam_err budget_get(struct api_call *c)
{
    char today[11];
    risk_today(c->ctx, today);
    int64_t year = 0;
    enum kam_err rc = api_query_i64(c, "year",
                                    (today[0] - '0') * 1000 + (today[1] - '0') * 100 +
                                        (today[2] - '0') * 10 + (today[3] - '0'),
                                    &year);
    struct gift_budget b;
    if (rc || (rc = gift_budget_get(c->ctx, c->id[0], year, &b)))
        return rc;
    render_budget(&c->w, &b);
    return KAM_OK;
}

static enum kam_err budget_put(struct api_call *c)
{
    struct budget_in in = {0};
    enum kam_err rc = api_decode(c, budget_spec, &in, &in.set);
    if (rc)
        return rc;
    if (!(in.set & 1) || !(in.set & 2)) {
        const char *f = !(in.set & 1) ? "amount" : "currency";
        return kam_fail_key(c->ctx->err, KAM_EINVAL, f, "required",
                            (struct kam_param[]){{"field", f}, {0}}, "%s is required", f);
    }
    struct gift_budget b;
    if ((rc = gift_budget_set(c->ctx, c->id[0], c->id[1], in.amount, in.currency, &b)))
        return rc;
    render_budget(&c->w, &b);
    return KAM_OK;
}

static const char *const list_query[] = {"account_id", "status",   "year",
                                         "contact_id", "given_by", "pending_for_me",
                                         "limit",      "cursor",   NULL};
static const char *const year_query[] = {"year", NULL};
/* Written once, before main, by init_queries(). */
static const char *export_query[API_EXPORT_QUERY_MAX];

const struct route api_routes_gifts[] = {
    {"GET", "/api/v1/gifts", list, OBJ_GIFT, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Gifts and hospitality given to the accounts in the caller's scope, latest first: "
     "account_id, status, year, contact_id, given_by (or me), pending_for_me=1 (pending, "
     "the caller may decide them: their role is the rule's approver or director, not the "
     "giver); keyset paging",
     "[Gift]"},
    {"GET", "/api/v1/gifts/export", api_list_export, OBJ_GIFT, ACT_READ, SCOPE_NONE, NULL,
     export_query, 200,
     "The gifts list over all its pages, with its filters, as a file: format=csv (default) or "
     "xlsx; columns=key[:label],...; lang=zh-CN|zh-TW|en; raw=1 keeps stored values",
     "csv"},
    {"POST", "/api/v1/gifts", create, OBJ_GIFT, ACT_CREATE, SCOPE_NONE, gift_spec, NULL, 201,
     "Record a gift or hospitality: the rule that applies and the year's budget set its status "
     "(recorded | pending | breach, docs/RISK.md); a breach raises a compliance risk",
     "Gift"},
    {"GET", "/api/v1/gifts/:id", get, OBJ_GIFT, ACT_READ, SCOPE_GIFT, NULL, NULL, 200, "One gift",
     "Gift"},
    {"PATCH", "/api/v1/gifts/:id", patch, OBJ_GIFT, ACT_UPDATE, SCOPE_GIFT, gift_spec, NULL, 200,
     "Change a recorded or pending gift (its status is evaluated again; decided: 409 "
     "gift.decided)",
     "Gift"},
    {"DELETE", "/api/v1/gifts/:id", del, OBJ_GIFT, ACT_DELETE, SCOPE_GIFT, NULL, NULL, 204,
     "Delete a recorded or pending gift", "-"},
    {"POST", "/api/v1/gifts/:id/decide", decide, OBJ_GIFT, ACT_UPDATE, SCOPE_GIFT, decide_spec,
     NULL, 200,
     "Decide a pending gift: approve -> approved; reject -> rejected (a breach with its risk when "
     "already given). By the rule's approver role or a director, never the giver (403)",
     "Gift"},
    {"GET", "/api/v1/gift-rules", rules, OBJ_CONFIG, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "The gift and hospitality rules", "[GiftRule]"},
    {"POST", "/api/v1/gift-rules", rule_create, OBJ_CONFIG, ACT_CREATE, SCOPE_NONE, rule_spec, NULL,
     201, "Add a gift rule", "GiftRule"},
    {"PATCH", "/api/v1/gift-rules/:id", rule_patch, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE, rule_spec,
     NULL, 200, "Change a gift rule (later gifts are judged by it)", "GiftRule"},
    {"DELETE", "/api/v1/gift-rules/:id", rule_del, OBJ_CONFIG, ACT_DELETE, SCOPE_NONE, NULL, NULL,
     204, "Delete a gift rule no gift was judged by (else 409 in_use: deactivate it)", "-"},
    {"GET", "/api/v1/accounts/:id/gift-budget", budget_get, OBJ_GIFT, ACT_READ, SCOPE_ACCOUNT, NULL,
     year_query, 200,
     "The account's gift budget of a year (default this year): the budget, used (gifts not "
     "rejected, base currency), remaining, the number of gifts",
     "GiftBudget"},
    {"PUT", "/api/v1/accounts/:id/gift-budgets/:year", budget_put, OBJ_CONFIG, ACT_UPDATE,
     SCOPE_ACCOUNT, budget_spec, NULL, 200, "Set the account's gift budget of a year",
     "GiftBudget"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/gifts/export", export_query);
}
