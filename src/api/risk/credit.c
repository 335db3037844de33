/* credit.c -- credit limits, terms, exposure, credit holds (issue 16 item 2): decode, call
 * svc/risk/credit, render (docs/CREDIT.md). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/risk/credit.h"

const struct api_shape api_shapes_credit[] = {
    {"CreditLimit", "account_id:int amount:int? group_amount:int? currency:str terms_days:int "
                    "note:str version:int? updated_at:ts?"},
    {"Exposure", "receivables:int open_orders:int open_offers:int total:int"},
    {"Ageing", "not_due:int d1_30:int d31_60:int d61_90:int over_90:int total:int overdue:int "
               "oldest_days:int"},
    {"CreditHold", "id:int kind:str(order_line|offer) object_id:int object_label:str "
                   "account_id:int account_name:str exposure:int limit_amount:int "
                   "status:str(flagged|held|released|refused) decided_by:int? "
                   "decided_by_name:str? decided_at:ts? note:str version:int created_at:ts "
                   "updated_at:ts"},
    {"AccountCredit", "account_id:int base_currency:str limit:CreditLimit limit_base:int? "
                      "group:{head_id:int head_name:str limit_base:int exposure:int used_bp:int}? "
                      "exposure:Exposure used_bp:int? ageing:Ageing dso:num? "
                      "dso_trend:[{month:str day:date dso:num?}] holds:[CreditHold]"},
    {"CreditSettings", "over_limit:str(flag|hold)"},
    {NULL, NULL},
};

void render_exposure(struct jw *w, const struct exposure *e);
void render_ageing(struct jw *w, const struct ageing *a);

void render_exposure(struct jw *w, const struct exposure *e)
{
    jw_obj_begin(w);
    jw_ki64(w, "receivables", e->receivables);
    jw_ki64(w, "open_orders", e->open_orders);
    jw_ki64(w, "open_offers", e->open_offers);
    jw_ki64(w, "total", e->total);
    jw_obj_end(w);
}

void render_ageing(struct jw *w, const struct ageing *a)
{
    jw_obj_begin(w);
    jw_ki64(w, "not_due", a->bucket[AGE_NOT_DUE]);
    jw_ki64(w, "d1_30", a->bucket[AGE_1_30]);
    jw_ki64(w, "d31_60", a->bucket[AGE_31_60]);
    jw_ki64(w, "d61_90", a->bucket[AGE_61_90]);
    jw_ki64(w, "over_90", a->bucket[AGE_OVER_90]);
    jw_ki64(w, "total", a->total);
    jw_ki64(w, "overdue", a->overdue);
    jw_ki64(w, "oldest_days", a->oldest_days);
    jw_obj_end(w);
}

static void render_limit(struct jw *w, const struct credit_limit *l)
{
    jw_obj_begin(w);
    jw_ki64(w, "account_id", l->account_id);
    jw_ki64n(w, "amount", l->amount, !l->has_amount);
    jw_ki64n(w, "group_amount", l->group_amount, !l->has_group_amount);
    jw_kstr(w, "currency", l->currency);
    jw_ki64(w, "terms_days", l->terms_days);
    jw_kstr(w, "note", l->note);
    jw_ki64n(w, "version", l->version, !l->exists);
    jw_ktime_opt(w, "updated_at", l->updated_at, l->exists);
    jw_obj_end(w);
}

static void render_hold(struct jw *w, const struct credit_hold *h)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", h->id);
    jw_kstr(w, "kind", h->kind);
    jw_ki64(w, "object_id", h->object_id);
    jw_kstr(w, "object_label", h->object_label);
    jw_ki64(w, "account_id", h->account_id);
    jw_kstr(w, "account_name", h->account_name);
    jw_ki64(w, "exposure", h->exposure);
    jw_ki64(w, "limit_amount", h->limit_amount);
    jw_kstr(w, "status", h->status);
    jw_ki64n(w, "decided_by", h->decided_by, !h->decided_by);
    jw_kstr(w, "decided_by_name", h->decided_by_name);
    jw_ktime_opt(w, "decided_at", h->decided_at, h->has_decided);
    jw_kstr(w, "note", h->note);
    jw_ki64(w, "version", h->version);
    jw_ktime(w, "created_at", h->created_at);
    jw_ktime(w, "updated_at", h->updated_at);
    jw_obj_end(w);
}

static void kdso(struct jw *w, const char *k, int64_t tenths, int has)
{
    jw_key(w, k);
    if (has)
        jw_fixed(w, tenths, 1);
    else
        jw_null(w);
}

static enum kam_err account_credit(struct api_call *c)
{
    struct credit_summary s;
    enum kam_err rc = credit_summary_get(c->ctx, c->id[0], &s);
    if (rc)
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "account_id", s.account_id);
    jw_kstr(w, "base_currency", s.base_currency);
    jw_key(w, "limit");
    render_limit(w, &s.limit);
    jw_ki64n(w, "limit_base", s.limit_base, !s.has_limit_base);
    jw_key(w, "group");
    if (s.has_group) {
        jw_obj_begin(w);
        jw_ki64(w, "head_id", s.group_head_id);
        jw_kstr(w, "head_name", s.group_head_name);
        jw_ki64(w, "limit_base", s.group_limit_base);
        jw_ki64(w, "exposure", s.group_exposure);
        int64_t bp = s.group_limit_base > 0
                         ? (int64_t)(((__int128)s.group_exposure * 10000 + s.group_limit_base / 2) /
                                     s.group_limit_base)
                         : (s.group_exposure > 0 ? 999999 : 0);
        jw_ki64(w, "used_bp", bp > 999999 ? 999999 : bp);
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
    jw_key(w, "exposure");
    render_exposure(w, &s.exposure);
    jw_ki64n(w, "used_bp", s.used_bp, !s.has_used);
    jw_key(w, "ageing");
    render_ageing(w, &s.ageing);
    kdso(w, "dso", s.dso_tenths, s.has_dso);
    jw_key(w, "dso_trend");
    jw_arr_begin(w);
    for (int i = 0; i < CREDIT_TREND_MONTHS; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "month", s.trend[i].month);
        jw_kstr(w, "day", s.trend[i].day);
        kdso(w, "dso", s.trend[i].tenths, s.trend[i].has);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "holds");
    jw_arr_begin(w);
    for (size_t i = 0; i < s.nholds; i++)
        render_hold(w, &s.holds[i]);
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

#define CLF(f) offsetof(struct credit_limit_in, f)
static const struct jfield limit_spec[] = {
    {"amount", J_I64, CL_AMOUNT, CLF(amount), CLF(has_amount), 0, 1,
     "the account's limit, minor units of currency; null: none"},
    {"group_amount", J_I64, CL_GROUP, CLF(group_amount), CLF(has_group_amount), 0, 1,
     "on a group's head account: the limit of it and all its subsidiaries; null: none"},
    {"currency", J_STR, CL_CURRENCY, CLF(currency), 0, 0, 0,
     "the limits' currency (default the base currency; needs an exchange rate)"},
    {"terms_days", J_I64, CL_TERMS, CLF(terms_days), 0, 0, 0, "payment terms, 0..365 (default 30)"},
    {"note", J_STR, CL_NOTE, CLF(note), 0, 0, 0, "<= 500 characters"},
    {"version", J_I64, CL_VERSION, CLF(version), 0, 0, 0,
     "the version you read: required when the account has a limit (400 without it, 409 if "
     "it changed); leave out for a new limit"},
    {0},
};

static enum kam_err put_limit(struct api_call *c)
{
    struct credit_limit_in in = {0};
    enum kam_err rc = api_decode(c, limit_spec, &in, &in.set);
    if (rc)
        return rc;
    struct credit_limit out;
    if ((rc = credit_limit_put(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_limit(&c->w, &out);
    return KAM_OK;
}

static enum kam_err holds_list(struct api_call *c)
{
    struct credit_hold_query q = {0};
    q.status = api_query_str(c, "status");
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) ||
        (rc = api_query_i64(c, "account_id", 0, &q.account_id)))
        return rc;
    struct credit_hold *items;
    size_t n;
    const char *next;
    if ((rc = credit_hold_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_hold(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

struct decide_in {
    unsigned set;
    const char *note;
};
static const struct jfield decide_spec[] = {
    {"note", J_STR, 1, offsetof(struct decide_in, note), 0, 0, 0,
     "why (required to refuse; <= 500 characters)"},
    {0},
};

static enum kam_err decide(struct api_call *c, int release)
{
    struct decide_in in = {0};
    enum kam_err rc = api_decode(c, decide_spec, &in, &in.set);
    if (rc)
        return rc;
    if (!release && !in.note)
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "note", "required",
                            (struct kam_param[]){{"field", "note"}, {0}}, "note is required");
    struct credit_hold out;
    if ((rc = credit_hold_decide(c->ctx, c->id[0], release, in.note, &out)))
        return rc;
    render_hold(&c->w, &out);
    return KAM_OK;
}

static enum kam_err hold_release(struct api_call *c)
{
    return decide(c, 1);
}

static enum kam_err hold_refuse(struct api_call *c)
{
    return decide(c, 0);
}

static enum kam_err settings_get_route(struct api_call *c)
{
    const char *mode;
    enum kam_err rc = credit_setting_get(c->ctx, &mode);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    jw_kstr(&c->w, "over_limit", mode);
    jw_obj_end(&c->w);
    return KAM_OK;
}

struct settings_in {
    unsigned set;
    const char *over_limit;
};
static const struct jfield settings_spec[] = {
    {"over_limit", J_STR, 1, offsetof(struct settings_in, over_limit), 0, 0, 0,
     "flag | hold: an offer over the credit limit is flagged for finance, or held until finance "
     "releases it (order lines are only flagged)",
     1},
    {0},
};

static enum kam_err settings_patch_route(struct api_call *c)
{
    struct settings_in in = {0};
    enum kam_err rc = api_decode(c, settings_spec, &in, &in.set);
    if (!rc && !in.set)
        rc = kam_fail_key(c->ctx->err, KAM_EINVAL, "over_limit", "required",
                          (struct kam_param[]){{"field", "over_limit"}, {0}},
                          "over_limit is required");
    if (rc || (rc = credit_setting_set(c->ctx, in.over_limit)))
        return rc;
    return settings_get_route(c);
}

static const char *const holds_query[] = {"status", "account_id", "limit", "cursor", NULL};

const struct route api_routes_credit[] = {
    {"GET", "/api/v1/accounts/:id/credit", account_credit, OBJ_RECEIVABLE, ACT_READ, SCOPE_ACCOUNT,
     NULL, NULL, 200,
     "An account's credit: its limit and terms, the group limit covering it with the group's "
     "exposure, its exposure (open receivables + open orders + accepted offers, base currency), "
     "ageing buckets, DSO and its 12-month trend, credit holds",
     "AccountCredit"},
    {"PUT", "/api/v1/accounts/:id/credit-limit", put_limit, OBJ_CREDIT, ACT_UPDATE, SCOPE_ACCOUNT,
     limit_spec, NULL, 200,
     "Set an account's credit limit, group limit and payment terms (finance; audited "
     "credit_limit)",
     "CreditLimit"},
    {"GET", "/api/v1/credit-holds", holds_list, OBJ_CREDIT, ACT_READ, SCOPE_NONE, NULL, holds_query,
     200,
     "Order lines and offers over a credit limit: status (flagged|held|released|refused), "
     "account_id; newest first; keyset paging",
     "[CreditHold]"},
    {"POST", "/api/v1/credit-holds/:id/release", hold_release, OBJ_CREDIT, ACT_UPDATE,
     SCOPE_CREDIT_HOLD, decide_spec, NULL, 200,
     "Release a flagged or held order line or offer (a held offer may then be sent); 409 "
     "credit.not_open once decided",
     "CreditHold"},
    {"POST", "/api/v1/credit-holds/:id/refuse", hold_refuse, OBJ_CREDIT, ACT_UPDATE,
     SCOPE_CREDIT_HOLD, decide_spec, NULL, 200,
     "Refuse the credit of a flagged or held order line or offer (note required; a refused "
     "offer cannot be sent)",
     "CreditHold"},
    {"GET", "/api/v1/settings/credit", settings_get_route, OBJ_CREDIT, ACT_READ, SCOPE_NONE, NULL,
     NULL, 200, "The credit settings: over_limit (flag | hold)", "CreditSettings"},
    {"PATCH", "/api/v1/settings/credit", settings_patch_route, OBJ_CREDIT, ACT_UPDATE, SCOPE_NONE,
     settings_spec, NULL, 200, "Change the credit settings (audited as settings)",
     "CreditSettings"},
    {0},
};
