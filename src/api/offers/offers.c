/* offers.c -- offers and quotes: lines priced by the engine, versions, customisations, status,
 * conversion (issue 15 item 4). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/offers/approval.h"
#include "svc/offers/offer.h"

#define LF(f) offsetof(struct offer_line_in, f)
static const struct jfield line_spec[] = {
    {"kind", J_STR, OL_KIND, LF(kind), 0, 0, 0, "product | bundle | service", 1},
    {"product_id", J_I64, OL_PRODUCT, LF(product_id), 0, 0, 0, "kind product: the product"},
    {"bundle_id", J_I64, OL_BUNDLE, LF(bundle_id), 0, 0, 0, "kind bundle: the bundle"},
    {"service_item_id", J_I64, OL_SERVICE, LF(service_item_id), 0, 0, 0,
     "kind service: the service item"},
    {"quantity", J_DEC3, OL_QUANTITY, LF(quantity), 0, 0, 0, "> 0, at most 3 decimals", 1},
    {"unit_price", J_I64, OL_UNIT_PRICE, LF(unit_price), 0, 0, 0,
     "minor units of the offer's currency (default: the engine's price); not with discount_bp"},
    {"discount_bp", J_I64, OL_DISCOUNT, LF(discount_bp), 0, 0, 0,
     "basis points below the engine's price (-10000..10000); not with unit_price"},
    {"description", J_STR, OL_DESCRIPTION, LF(description), 0, 0, 0, "<= 2000"},
    {0},
};

#define CF(f) offsetof(struct offer_cust_in, f)
static const struct jfield cust_spec[] = {
    {"request", J_STR, OC_REQUEST, CF(request), 0, 0, 0, "what the customer asked, 1-2000", 1},
    {"confirm_by", J_STR, OC_CONFIRM_BY, CF(confirm_by), 0, 0, 0,
     "production | technical | service", 1},
    {"note", J_STR, OC_NOTE, CF(note), 0, 0, 0, "<= 2000"},
    {"id", J_I64, OC_ID, CF(id), 0, 0, 0,
     "PATCH: the customisation kept (with its feasibility and confirmation); without it a row "
     "with the same request is kept"},
    {0},
};

#define OF(f) offsetof(struct offer_in, f)
static const struct jfield offer_spec[] = {
    {"account_id", J_I64, OF_ACCOUNT, OF(account_id), 0, 0, 0, "POST: the account", 1},
    {"opportunity_id", J_I64, OF_OPPORTUNITY, OF(opportunity_id), OF(has_opportunity), 0, 1,
     "an opportunity of the same account, or null"},
    {"title", J_STR, OF_TITLE, OF(title), 0, 0, 0, "1-200 characters", 1},
    {"lang", J_STR, OF_LANG, OF(lang), 0, 0, 0, "zh-CN | zh-TW | en: the quote's language"},
    {"currency", J_STR, OF_CURRENCY, OF(currency), 0, 0, 0,
     "default the base currency; one with an exchange rate"},
    {"price_date", J_STR, OF_PRICE_DATE, OF(price_date), 0, 0, 0,
     "YYYY-MM-DD the engine prices on (default today in China)"},
    {"valid_until", J_STR, OF_VALID_UNTIL, OF(valid_until), 0, 0, 0, "YYYY-MM-DD >= price_date", 1},
    {"terms", J_STR, OF_TERMS, OF(terms), 0, 0, 0, "<= 4000"},
    {"note", J_STR, OF_NOTE, OF(note), 0, 0, 0, "<= 2000"},
    {"lines", J_OBJS, OF_LINES, OF(lines), OF(nlines), sizeof(struct offer_line_in), 0,
     "at most 200 lines (PATCH: replaced whole and repriced when given)", 0, line_spec,
     OFFER_LINES_MAX},
    {"customisations", J_OBJS, OF_CUSTS, OF(custs), OF(ncusts), sizeof(struct offer_cust_in), 0,
     "at most 50 requests (PATCH: replaced whole when given)", 0, cust_spec, OFFER_CUSTS_MAX},
    {"version", J_I64, OF_VERSION, OF(version), 0, 0, 0, "PATCH: the version you read"},
    {0},
};

#define APPROVAL_STEP_SHAPE                                                                        \
    "{role:str user_id:int? user_name:str? decision:str(approved|rejected|comment) comment:str "   \
    "at:ts}"

const struct api_shape api_shapes_offers[] = {
    {"OfferLine",
     "id:int position:int kind:str(product|bundle|service) product_id:int? bundle_id:int? "
     "service_item_id:int? code:str name:str description:str quantity:num engine_price:int? "
     "unit_price:int discount_bp:int amount:int unit_cost:int? explain:any "
     "components:[{product_id:int sku:str name:str quantity:num engine_price:int?}] "
     "components_total:int? saving:int? order_line_id:int?"},
    {"OfferCustomisation",
     "id:int request:str feasibility:str(open|feasible|partly|no) "
     "confirm_by:str(production|technical|service) confirmed_by:int? confirmed_by_name:str? "
     "confirmed_at:ts? note:str"},
    {"Offer",
     "id:int number:str version_no:int root_id:int account_id:int account_name:str "
     "opportunity_id:int? opportunity_name:str? title:str lang:str(zh-CN|zh-TW|en) currency:str "
     "price_date:date valid_until:date "
     "status:str(draft|pending|approved|sent|accepted|rejected|expired|converted|superseded) "
     "max_discount_bp:int needs_approval:str(team_lead|director|finance+director)? "
     "approval:{id:int status:str(pending|approved|rejected|withdrawn) "
     "needs:str(team_lead|director|finance+director) steps:[" APPROVAL_STEP_SHAPE "]}? "
     "subtotal:int total:int cost:int? margin_bp:int? terms:str note:str decision_reason:str "
     "lines?:[OfferLine] customisations?:[OfferCustomisation] "
     "versions?:[{id:int version_no:int status:str}] created_by:int? created_by_name:str? "
     "created_at:ts updated_at:ts sent_at:ts? decided_at:ts? version:int"},
    {"OfferConversion", "offer:Offer order_line_ids:[int] skipped_service_lines:[int]"},
    {NULL, NULL},
};

static void render_steps(struct jw *w, const struct approval *a)
{
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
}

static void render_line(struct jw *w, const struct offer_line *l)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", l->id);
    jw_ki64(w, "position", l->position);
    jw_kstr(w, "kind", l->kind);
    jw_ki64n(w, "product_id", l->product_id, !l->has_product);
    jw_ki64n(w, "bundle_id", l->bundle_id, !l->has_bundle);
    jw_ki64n(w, "service_item_id", l->service_item_id, !l->has_service);
    jw_kstr(w, "code", l->code ? l->code : "");
    jw_kstr(w, "name", l->name ? l->name : "");
    jw_kstr(w, "description", l->description);
    jw_kfixed(w, "quantity", l->quantity, 3);
    jw_ki64n(w, "engine_price", l->engine_price, !l->has_engine);
    jw_ki64(w, "unit_price", l->unit_price);
    jw_ki64(w, "discount_bp", l->discount_bp);
    jw_ki64(w, "amount", l->amount);
    jw_ki64n(w, "unit_cost", l->unit_cost, !l->has_cost);
    jw_key(w, "explain");
    const char *ex = l->explain && *l->explain ? l->explain : "[]";
    jw_raw(w, ex, strlen(ex));
    jw_key(w, "components");
    jw_arr_begin(w);
    for (size_t i = 0; i < l->ncomponents; i++) {
        const struct offer_component *c = &l->components[i];
        jw_obj_begin(w);
        jw_ki64(w, "product_id", c->product_id);
        jw_kstr(w, "sku", c->sku);
        jw_kstr(w, "name", c->name);
        jw_kfixed(w, "quantity", c->quantity, 3);
        jw_ki64n(w, "engine_price", c->engine_price, !c->has_engine);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ki64n(w, "components_total", l->components_total, !l->has_bundle);
    /* a bundle's saving: its components at engine prices less the bundle's price, per bundle */
    jw_ki64n(w, "saving", l->components_total - l->engine_price, !l->has_bundle);
    jw_ki64n(w, "order_line_id", l->order_line_id, !l->has_order_line);
    jw_obj_end(w);
}

static void render_offer(struct jw *w, const struct offer *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "number", x->number);
    jw_ki64(w, "version_no", x->version_no);
    jw_ki64(w, "root_id", x->root_id);
    jw_ki64(w, "account_id", x->account_id);
    jw_kstr(w, "account_name", x->account_name);
    jw_ki64n(w, "opportunity_id", x->opportunity_id, !x->has_opportunity);
    jw_kstr(w, "opportunity_name", x->has_opportunity ? x->opportunity_name : NULL);
    jw_kstr(w, "title", x->title);
    jw_kstr(w, "lang", x->lang);
    jw_kstr(w, "currency", x->currency);
    jw_kstr(w, "price_date", x->price_date);
    jw_kstr(w, "valid_until", x->valid_until);
    jw_kstr(w, "status", x->status);
    jw_ki64(w, "max_discount_bp", x->max_discount_bp);
    jw_kstr(w, "needs_approval", x->needs_approval);
    jw_key(w, "approval");
    if (x->approval) {
        jw_obj_begin(w);
        jw_ki64(w, "id", x->approval->id);
        jw_kstr(w, "status", x->approval->status);
        jw_kstr(w, "needs", x->approval->needs);
        render_steps(w, x->approval);
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
    jw_ki64(w, "subtotal", x->subtotal);
    jw_ki64(w, "total", x->total);
    jw_ki64n(w, "cost", x->cost, !x->has_cost);
    jw_ki64n(w, "margin_bp", x->margin_bp, !x->has_margin);
    jw_kstr(w, "terms", x->terms);
    jw_kstr(w, "note", x->note);
    jw_kstr(w, "decision_reason", x->decision_reason);
    if (x->lines_loaded) {
        jw_key(w, "lines");
        jw_arr_begin(w);
        for (size_t i = 0; i < x->nlines; i++)
            render_line(w, &x->lines[i]);
        jw_arr_end(w);
        jw_key(w, "customisations");
        jw_arr_begin(w);
        for (size_t i = 0; i < x->ncusts; i++) {
            const struct offer_cust *c = &x->custs[i];
            jw_obj_begin(w);
            jw_ki64(w, "id", c->id);
            jw_kstr(w, "request", c->request);
            jw_kstr(w, "feasibility", c->feasibility);
            jw_kstr(w, "confirm_by", c->confirm_by);
            jw_ki64n(w, "confirmed_by", c->confirmed_by, !c->has_confirmed);
            jw_kstr(w, "confirmed_by_name", c->has_confirmed ? c->confirmed_by_name : NULL);
            jw_ktime_opt(w, "confirmed_at", c->confirmed_at, c->has_confirmed);
            jw_kstr(w, "note", c->note);
            jw_obj_end(w);
        }
        jw_arr_end(w);
        jw_key(w, "versions");
        jw_arr_begin(w);
        for (size_t i = 0; i < x->nversions; i++) {
            jw_obj_begin(w);
            jw_ki64(w, "id", x->versions[i].id);
            jw_ki64(w, "version_no", x->versions[i].version_no);
            jw_kstr(w, "status", x->versions[i].status);
            jw_obj_end(w);
        }
        jw_arr_end(w);
    }
    jw_ki64n(w, "created_by", x->created_by, !x->has_created_by);
    jw_kstr(w, "created_by_name", x->has_created_by ? x->created_by_name : NULL);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_ktime_opt(w, "sent_at", x->sent_at, x->has_sent);
    jw_ktime_opt(w, "decided_at", x->decided_at, x->has_decided);
    jw_ki64(w, "version", x->version);
    jw_obj_end(w);
}

static enum kam_err filters(struct api_call *c, struct offer_query *q, int64_t account)
{
    enum kam_err rc;
    memset(q, 0, sizeof *q);
    q->status = api_query_str(c, "status");
    q->q = api_query_str(c, "q");
    q->cursor = api_query_str(c, "cursor");
    int64_t mine = 0, all = 0;
    if ((rc = api_query_i64(c, "limit", 0, &q->limit)) ||
        (rc = api_query_i64(c, "opportunity_id", 0, &q->opportunity_id)) ||
        (rc = api_query_i64(c, "mine", 0, &mine)) ||
        (rc = api_query_i64(c, "all_versions", 0, &all)))
        return rc;
    if (http_query(c->req, "limit") && q->limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    if (mine != 0 && mine != 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "mine", "mine must be 0 or 1");
    if (all != 0 && all != 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "all_versions", "all_versions must be 0 or 1");
    q->mine = (int)mine;
    q->all_versions = (int)all;
    if (account)
        q->account_id = account;
    else if ((rc = api_query_i64(c, "account_id", 0, &q->account_id)))
        return rc;
    return KAM_OK;
}

static enum kam_err list_with(struct api_call *c, int64_t account)
{
    struct offer_query q;
    struct offer *items;
    size_t n;
    const char *next;
    enum kam_err rc = filters(c, &q, account);
    if (rc || (rc = offer_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_offer(&c->w, &items[i]);
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
    struct offer_query q;
    int64_t total = 0;
    enum kam_err rc = filters(c, &q, 0);
    if (rc || (rc = offer_count(c->ctx, &q, &total)))
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "total", total);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err reply(struct api_call *c, enum kam_err rc, const struct offer *x)
{
    if (!rc)
        render_offer(&c->w, x);
    return rc;
}

static enum kam_err create(struct api_call *c)
{
    struct offer_in in = {0};
    enum kam_err rc = api_decode(c, offer_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & OF_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    if (!(in.set & OF_ACCOUNT))
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "account_id", "required",
                            (struct kam_param[]){{"field", "account_id"}, {0}},
                            "account_id is required");
    struct offer out;
    if ((rc = offer_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_offer(&c->w, &out);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct offer out;
    return reply(c, offer_get(c->ctx, c->id[0], &out), &out);
}

static enum kam_err patch(struct api_call *c)
{
    struct offer_in in = {0};
    enum kam_err rc = api_decode(c, offer_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & OF_ACCOUNT)
        return kam_fail(c->ctx->err, KAM_EINVAL, "account_id",
                        "an offer's account is set when it is created");
    struct offer out;
    return reply(c, offer_update(c->ctx, c->id[0], &in, &out), &out);
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = offer_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

struct text_body {
    const char *text;
    const char *day;
};
static const struct jfield comment_spec[] = {
    {"comment", J_STR, 1, offsetof(struct text_body, text), 0, 0, 0, "<= 2000, for the deciders"},
    {0},
};
static const struct jfield reason_spec[] = {
    {"reason", J_STR, 1, offsetof(struct text_body, text), 0, 0, 0, "<= 2000"},
    {0},
};
static const struct jfield reject_spec[] = {
    {"reason", J_STR, 1, offsetof(struct text_body, text), 0, 0, 0,
     "why the customer declined, 1-2000", 1},
    {0},
};
static const struct jfield convert_spec[] = {
    {"day", J_STR, 1, offsetof(struct text_body, day), 0, 0, 0,
     "YYYY-MM-DD of the order lines (default today in China)"},
    {0},
};
static const struct jfield empty_spec[] = {{0}};

static enum kam_err submit(struct api_call *c)
{
    struct text_body b = {0};
    unsigned set = 0;
    struct offer out;
    enum kam_err rc = api_decode(c, comment_spec, &b, &set);
    if (rc)
        return rc;
    return reply(c, offer_submit(c->ctx, c->id[0], b.text ? b.text : "", &out), &out);
}

static enum kam_err send_(struct api_call *c)
{
    struct text_body b = {0};
    unsigned set = 0;
    struct offer out;
    enum kam_err rc = api_decode(c, empty_spec, &b, &set);
    if (rc)
        return rc;
    return reply(c, offer_send(c->ctx, c->id[0], &out), &out);
}

static enum kam_err accept(struct api_call *c)
{
    struct text_body b = {0};
    unsigned set = 0;
    struct offer out;
    enum kam_err rc = api_decode(c, reason_spec, &b, &set);
    if (rc)
        return rc;
    return reply(c, offer_decide(c->ctx, c->id[0], 1, b.text ? b.text : "", &out), &out);
}

static enum kam_err reject(struct api_call *c)
{
    struct text_body b = {0};
    unsigned set = 0;
    struct offer out;
    enum kam_err rc = api_decode(c, reject_spec, &b, &set);
    if (rc)
        return rc;
    return reply(c, offer_decide(c->ctx, c->id[0], 0, b.text, &out), &out);
}

static enum kam_err versions(struct api_call *c)
{
    struct text_body b = {0};
    unsigned set = 0;
    struct offer out;
    enum kam_err rc = api_decode(c, empty_spec, &b, &set);
    if (rc || (rc = offer_new_version(c->ctx, c->id[0], &out)))
        return rc;
    c->status = 201;
    render_offer(&c->w, &out);
    return KAM_OK;
}

static enum kam_err convert(struct api_call *c)
{
    struct text_body b = {0};
    unsigned set = 0;
    struct offer_conversion out;
    enum kam_err rc = api_decode(c, convert_spec, &b, &set);
    if (rc || (rc = offer_convert(c->ctx, c->id[0], b.day, &out)))
        return rc;
    jw_obj_begin(&c->w);
    jw_key(&c->w, "offer");
    render_offer(&c->w, &out.offer);
    jw_key(&c->w, "order_line_ids");
    jw_arr_begin(&c->w);
    for (size_t i = 0; i < out.n_order_lines; i++)
        jw_i64(&c->w, out.order_line_ids[i]);
    jw_arr_end(&c->w);
    jw_key(&c->w, "skipped_service_lines");
    jw_arr_begin(&c->w);
    for (size_t i = 0; i < out.n_skipped; i++)
        jw_i64(&c->w, out.skipped[i]);
    jw_arr_end(&c->w);
    jw_obj_end(&c->w);
    return KAM_OK;
}

#define CPF(f) offsetof(struct offer_cust_patch, f)
static const struct jfield cust_patch_spec[] = {
    {"feasibility", J_STR, OCP_FEASIBILITY, CPF(feasibility), 0, 0, 0,
     "open | feasible | partly | no"},
    {"note", J_STR, OCP_NOTE, CPF(note), 0, 0, 0, "<= 2000"},
    {"confirm", J_BOOL, OCP_CONFIRM, CPF(confirm), 0, 0, 0,
     "true: the caller confirms it for the confirm_by department (an account member of that "
     "department, or a director)"},
    {0},
};

static enum kam_err cust_patch(struct api_call *c)
{
    struct offer_cust_patch in = {0};
    struct offer out;
    enum kam_err rc = api_decode(c, cust_patch_spec, &in, &in.set);
    if (rc)
        return rc;
    return reply(c, offer_cust_update(c->ctx, c->id[0], c->id[1], &in, &out), &out);
}

struct confirm_body {
    const char *feasibility, *note;
};
static const struct jfield cust_confirm_spec[] = {
    {"feasibility", J_STR, 1, offsetof(struct confirm_body, feasibility), 0, 0, 0,
     "feasible | partly | no", 1},
    {"note", J_STR, 2, offsetof(struct confirm_body, note), 0, 0, 0, "<= 2000"},
    {0},
};

static enum kam_err cust_confirm(struct api_call *c)
{
    struct confirm_body b = {0};
    unsigned set = 0;
    struct offer out;
    enum kam_err rc = api_decode(c, cust_confirm_spec, &b, &set);
    if (rc)
        return rc;
    return reply(c, offer_cust_confirm(c->ctx, c->id[0], c->id[1], b.feasibility, b.note, &out),
                 &out);
}

static const char *const list_query[] = {"account_id",   "opportunity_id", "status", "q", "mine",
                                         "all_versions", "limit",          "cursor", NULL};
static const char *const account_list_query[] = {"opportunity_id", "status", "q",      "mine",
                                                 "all_versions",   "limit",  "cursor", NULL};
static const char *const count_query[] = {"account_id", "opportunity_id", "status", "q",
                                          "mine",       "all_versions",   NULL};

#define LIST_DOC                                                                                   \
    ": status, opportunity_id, q (number or title), mine=1 (created by the caller), "              \
    "all_versions=1 (default: the newest version of each number); newest first; keyset paging"

const struct route api_routes_offers[] = {
    {"GET", "/api/v1/offers", list, OBJ_OFFER, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Offers of the accounts in the caller's scope" LIST_DOC, "[Offer]"},
    {"GET", "/api/v1/offers/count", count, OBJ_OFFER, ACT_READ, SCOPE_NONE, NULL, count_query, 200,
     "The number of offers the list returns for the same filters", "{total:int}"},
    {"GET", "/api/v1/accounts/:id/offers", account_list, OBJ_OFFER, ACT_READ, SCOPE_ACCOUNT, NULL,
     account_list_query, 200, "The account's offers" LIST_DOC, "[Offer]"},
    {"POST", "/api/v1/offers", create, OBJ_OFFER, ACT_CREATE, SCOPE_NONE, offer_spec, NULL, 201,
     "Make an offer (draft): lines priced by the engine on price_date", "Offer"},
    {"GET", "/api/v1/offers/:id", get, OBJ_OFFER, ACT_READ, SCOPE_OFFER, NULL, NULL, 200,
     "One offer with its lines, customisations and versions", "Offer"},
    {"PATCH", "/api/v1/offers/:id", patch, OBJ_OFFER, ACT_UPDATE, SCOPE_OFFER, offer_spec, NULL,
     200, "Change a draft offer (lines and customisations replaced whole, repriced)", "Offer"},
    {"DELETE", "/api/v1/offers/:id", del, OBJ_OFFER, ACT_DELETE, SCOPE_OFFER, NULL, NULL, 204,
     "Delete a draft v1 offer", "-"},
    {"POST", "/api/v1/offers/:id/submit", submit, OBJ_OFFER, ACT_UPDATE, SCOPE_OFFER, comment_spec,
     NULL, 200,
     "Draft -> approved when the deepest discount is within the caller's limit, else -> pending "
     "with an approval request",
     "Offer"},
    {"POST", "/api/v1/offers/:id/send", send_, OBJ_OFFER, ACT_UPDATE, SCOPE_OFFER, empty_spec, NULL,
     200, "Approved -> sent to the customer", "Offer"},
    {"POST", "/api/v1/offers/:id/accept", accept, OBJ_OFFER, ACT_UPDATE, SCOPE_OFFER, reason_spec,
     NULL, 200, "Sent -> accepted by the customer", "Offer"},
    {"POST", "/api/v1/offers/:id/reject", reject, OBJ_OFFER, ACT_UPDATE, SCOPE_OFFER, reject_spec,
     NULL, 200, "Sent -> rejected by the customer (reason required)", "Offer"},
    {"POST", "/api/v1/offers/:id/versions", versions, OBJ_OFFER, ACT_UPDATE, SCOPE_OFFER,
     empty_spec, NULL, 201, "A new draft version (lines repriced today); this one is superseded",
     "Offer"},
    {"POST", "/api/v1/offers/:id/convert", convert, OBJ_OFFER, ACT_UPDATE, SCOPE_OFFER,
     convert_spec, NULL, 200,
     "Accepted -> converted: order lines at the offer's prices (service lines are not order "
     "lines)",
     "OfferConversion"},
    {"PATCH", "/api/v1/offers/:id/customisations/:cid", cust_patch, OBJ_OFFER, ACT_UPDATE,
     SCOPE_OFFER, cust_patch_spec, NULL, 200,
     "A customisation's feasibility and note (a change drops its confirmation); confirm=true by "
     "its department",
     "Offer"},
    {"POST", "/api/v1/offers/:id/customisations/:cid/confirm", cust_confirm, OBJ_OFFER, ACT_READ,
     SCOPE_OFFER, cust_confirm_spec, NULL, 200,
     "The department confirms a customisation's feasibility (an account member of the "
     "confirm_by department, the service role for service, or a director)",
     "Offer"},
    {0},
};
