/* opportunities.c -- opportunities (商机), stages and the pipeline (issue 15 item 3): decode,
 * call svc/offers/opportunity, render. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/core/msg.h"
#include "svc/offers/opportunity.h"

/* The body: the record's fields plus the two lists as the decoder fills them. */
struct opp_body {
    struct opportunity_in in;
    int64_t needs[API_MAX_IDS];
    int n_needs, has_needs;
    struct opp_product *products;
    int n_products;
};

#define OF(f) offsetof(struct opp_body, in.v.f)
#define OB(f) offsetof(struct opp_body, f)
#define PF(f) offsetof(struct opp_product, f)

static const struct jfield product_spec[] = {
    {"product_id", J_I64, OPP_P_ID, PF(product_id), 0, 0, 0, "a product", 1},
    {"quantity", J_DEC3, OPP_P_QTY, PF(quantity), 0, 0, 0, "expected quantity (3 decimals)"},
    {"amount", J_I64, OPP_P_AMOUNT, PF(amount), 0, 0, 0, "expected amount, minor units"},
    {0},
};

static const struct jfield opp_spec[] = {
    {"name", J_STR, OPP_NAME, OF(name), 0, 0, 0, "1-200 characters", 1},
    {"stage", J_STR, OPP_STAGE, OF(stage), 0, 0, 0,
     "an active stage's code (GET /api/v1/opportunity-stages); won or lost needs outcome_reason",
     1},
    {"amount", J_I64, OPP_AMOUNT, OF(amount), 0, 0, 0, "expected amount, minor units, >= 0", 1},
    {"currency", J_STR, OPP_CURRENCY, OF(currency), 0, 0, 0, "a currency with an exchange rate", 1},
    {"quantity", J_DEC3, OPP_QUANTITY, OF(quantity), OF(has_quantity), 0, 1,
     "expected quantity (up to 3 decimals), or null"},
    {"close_month", J_STR, OPP_CLOSE, OF(close_month), 0, 0, 0, "expected close, YYYY-MM", 1},
    {"probability_bp", J_I64, OPP_PROB, OF(probability_bp), OF(has_probability), 0, 1,
     "0..10000 basis points, or null for the stage's"},
    {"owner_id", J_I64, OPP_OWNER, OF(owner_id), OF(has_owner), 0, 1,
     "an active user who may work on the account's opportunities (default: the caller)"},
    {"competitors", J_STR, OPP_COMPETITORS, OF(competitors), 0, 0, 0, "<= 2000"},
    {"outcome_reason", J_STR, OPP_REASON, OF(outcome_reason), 0, 0, 0,
     "why it was won or lost, <= 2000 (required to close)"},
    {"products", J_OBJS, OPP_PRODUCTS, OB(products), OB(n_products), sizeof(struct opp_product), 0,
     "the products (replaced whole), at most 50", 0, product_spec, OPP_PRODUCTS_MAX},
    {"need_ids", J_IDS, OPP_NEEDS, OB(needs), OB(n_needs), OB(has_needs), 0,
     "needs of the same account it answers (replaced whole), at most 50"},
    {"version", J_I64, OPP_VERSION, OF(version), 0, 0, 0, "PATCH: the version you read"},
    {0},
};

#define OPP_FIELDS                                                                                 \
    "id:int account_id:int account_name:str name:str owner_id:int? stage:str "                     \
    "outcome:str(open|won|lost) amount:int currency:str quantity:num? close_month:str "            \
    "probability_bp:int? effective_probability_bp:int weighted:int competitors:str "               \
    "outcome_reason:str closed_at:ts? version:int created_at:ts updated_at:ts"

const struct api_shape api_shapes_opportunities[] = {
    {"Opportunity",
     OPP_FIELDS " products:[{product_id:int sku:str name:str quantity:num? amount:int?}] "
                "need_ids:[int] offers:[{id:int number:str version_no:int status:str total:int "
                "currency:str}]"},
    {"OpportunityRow", OPP_FIELDS},
    {"OpportunityStage", "code:str name_zh_hans:str name_zh_hant:str name_en:str position:int "
                         "probability_bp:int outcome:str(open|won|lost) active:bool in_use:int"},
    {"Pipeline", "group:str(stage|owner|team|month) currency:str rows:[{key:str label:str "
                 "count:int amount:int weighted:int}] total:{count:int amount:int weighted:int}"},
    {"PipelineMonths", "currency:str months:[{month:str count:int amount:int weighted:int}]"},
    {NULL, NULL},
};

static void render(struct jw *w, const struct opportunity *x, int detail)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "account_id", x->account_id);
    jw_kstr(w, "account_name", x->account_name);
    jw_kstr(w, "name", x->name);
    jw_ki64n(w, "owner_id", x->owner_id, !x->has_owner);
    jw_kstr(w, "stage", x->stage);
    jw_kstr(w, "outcome", x->outcome);
    jw_ki64(w, "amount", x->amount);
    jw_kstr(w, "currency", x->currency);
    if (x->has_quantity)
        jw_kfixed(w, "quantity", x->quantity, 3);
    else
        jw_ki64n(w, "quantity", 0, 1);
    jw_kstr(w, "close_month", x->close_month);
    jw_ki64n(w, "probability_bp", x->probability_bp, !x->has_probability);
    jw_ki64(w, "effective_probability_bp", x->effective_bp);
    jw_ki64(w, "weighted", opp_weighted(x->amount, x->effective_bp));
    jw_kstr(w, "competitors", x->competitors);
    jw_kstr(w, "outcome_reason", x->outcome_reason);
    jw_ktime_opt(w, "closed_at", x->closed_at, x->has_closed);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    if (detail) {
        jw_key(w, "products");
        jw_arr_begin(w);
        for (size_t i = 0; i < x->n_products; i++) {
            const struct opp_product *p = &x->products[i];
            jw_obj_begin(w);
            jw_ki64(w, "product_id", p->product_id);
            jw_kstr(w, "sku", p->sku);
            jw_kstr(w, "name", p->name);
            if (p->has_quantity)
                jw_kfixed(w, "quantity", p->quantity, 3);
            else
                jw_ki64n(w, "quantity", 0, 1);
            jw_ki64n(w, "amount", p->amount, !p->has_amount);
            jw_obj_end(w);
        }
        jw_arr_end(w);
        jw_key(w, "need_ids");
        jw_arr_begin(w);
        for (size_t i = 0; i < x->n_needs; i++)
            jw_i64(w, x->need_ids[i]);
        jw_arr_end(w);
        jw_key(w, "offers");
        jw_arr_begin(w);
        for (size_t i = 0; i < x->n_offers; i++) {
            const struct opp_offer *o = &x->offers[i];
            jw_obj_begin(w);
            jw_ki64(w, "id", o->id);
            jw_kstr(w, "number", o->number);
            jw_ki64(w, "version_no", o->version_no);
            jw_kstr(w, "status", o->status);
            jw_ki64(w, "total", o->total);
            jw_kstr(w, "currency", o->currency);
            jw_obj_end(w);
        }
        jw_arr_end(w);
    }
    jw_obj_end(w);
}

static enum kam_err decode(struct api_call *c, struct opp_body *b)
{
    b->in.v.has_quantity = 1; /* J_DEC3: a null clears it, a number leaves it set */
    enum kam_err rc = api_decode(c, opp_spec, b, &b->in.set);
    if (rc)
        return rc;
    for (int i = 0; i < b->n_products; i++) {
        struct opp_product *p = &b->products[i];
        if (!(p->set & OPP_P_ID))
            return kam_fail_key(c->ctx->err, KAM_EINVAL,
                                arena_printf(c->ctx->a, "products[%d].product_id", i), "required",
                                (struct kam_param[]){{"field", "product_id"}, {0}},
                                "products[%d].product_id is required", i);
        p->has_quantity = (p->set & OPP_P_QTY) != 0;
        p->has_amount = (p->set & OPP_P_AMOUNT) != 0;
    }
    b->in.v.products = b->products;
    b->in.v.n_products = (size_t)b->n_products;
    b->in.v.need_ids = b->needs;
    b->in.v.n_needs = (size_t)b->n_needs;
    return KAM_OK;
}

static enum kam_err create(struct api_call *c)
{
    struct opp_body *b = arena_calloc(c->ctx->a, 1, sizeof *b);
    enum kam_err rc = decode(c, b);
    if (rc)
        return rc;
    if (b->in.set & OPP_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct opportunity out;
    if ((rc = opportunity_create(c->ctx, c->id[0], &b->in, &out)))
        return rc;
    c->status = 201;
    render(&c->w, &out, 1);
    return KAM_OK;
}

static void etag(struct api_call *c, const struct opportunity *o)
{
    http_resp_header(c->resp, "ETag", arena_printf(c->ctx->a, "\"%lld\"", (long long)o->version));
}

static enum kam_err get(struct api_call *c)
{
    struct opportunity out;
    enum kam_err rc = opportunity_get(c->ctx, c->id[0], &out);
    if (!rc) {
        etag(c, &out);
        render(&c->w, &out, 1);
    }
    return rc;
}

/* The version an If-Match header names: "3", W/"3" or 3. */
static enum kam_err if_match(struct api_call *c, int64_t *v, int *has)
{
    const char *h = c->req->header ? c->req->header(c->req, "If-Match") : NULL;
    *has = 0;
    if (!h)
        return KAM_OK;
    if (!strncmp(h, "W/", 2))
        h += 2;
    if (*h == '"')
        h++;
    int64_t x = 0;
    int digits = 0;
    for (; *h >= '0' && *h <= '9' && digits < 18; h++, digits++)
        x = x * 10 + (*h - '0');
    if (*h == '"')
        h++;
    if (!digits || *h)
        return kam_fail(c->ctx->err, KAM_EINVAL, "If-Match",
                        "If-Match must name the version you read (the ETag)");
    *v = x;
    *has = 1;
    return KAM_OK;
}

static enum kam_err patch(struct api_call *c)
{
    struct opp_body *b = arena_calloc(c->ctx->a, 1, sizeof *b);
    int64_t v = 0;
    int has = 0;
    enum kam_err rc = decode(c, b);
    if (rc || (rc = if_match(c, &v, &has)))
        return rc;
    if (has && !(b->in.set & OPP_VERSION)) {
        b->in.v.version = v;
        b->in.set |= OPP_VERSION;
    } else if (has && b->in.v.version != v) {
        return kam_fail(c->ctx->err, KAM_EINVAL, "If-Match",
                        "If-Match and version name different versions");
    }
    struct opportunity out;
    if ((rc = opportunity_update(c->ctx, c->id[0], &b->in, &out)))
        return rc;
    etag(c, &out);
    render(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = opportunity_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err filters(struct api_call *c, struct opportunity_query *q, int64_t account)
{
    enum kam_err rc;
    memset(q, 0, sizeof *q);
    q->stage = api_query_str(c, "stage");
    q->from = api_query_str(c, "from");
    q->to = api_query_str(c, "to");
    q->q = api_query_str(c, "q");
    q->sort = api_query_str(c, "sort");
    q->cursor = api_query_str(c, "cursor");
    int64_t open = 0;
    if ((rc = api_query_i64(c, "limit", 0, &q->limit)) ||
        (rc = api_query_user(c, "owner_id", &q->owner_id)) ||
        (rc = api_query_i64(c, "team_id", 0, &q->team_id)) ||
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
    struct opportunity_query q;
    enum kam_err rc = filters(c, &q, account);
    struct opportunity *items;
    size_t n;
    const char *next;
    if (rc || (rc = opportunity_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render(&c->w, &items[i], 0);
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
    struct opportunity_query q;
    int64_t total = 0;
    enum kam_err rc = filters(c, &q, 0);
    if (rc || (rc = opportunity_count(c->ctx, &q, &total)))
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "total", total);
    jw_obj_end(&c->w);
    return KAM_OK;
}

/* ---- stages ---- */

static void render_stages(struct jw *w, const struct opp_stage *s, size_t n)
{
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "code", s[i].code);
        jw_kstr(w, "name_zh_hans", s[i].name_zh_hans);
        jw_kstr(w, "name_zh_hant", s[i].name_zh_hant);
        jw_kstr(w, "name_en", s[i].name_en);
        jw_ki64(w, "position", s[i].position);
        jw_ki64(w, "probability_bp", s[i].probability_bp);
        jw_kstr(w, "outcome", s[i].outcome);
        jw_kbool(w, "active", s[i].active);
        jw_ki64(w, "in_use", s[i].in_use);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

static enum kam_err stages_get(struct api_call *c)
{
    struct opp_stage *s;
    size_t n;
    enum kam_err rc = opp_stage_list(c->ctx, &s, &n);
    if (!rc)
        render_stages(&c->w, s, n);
    return rc;
}

struct stage_el {
    unsigned set;
    struct opp_stage s;
};
struct stages_body {
    struct stage_el *items;
    int n;
};

#define SE(f) offsetof(struct stage_el, s.f)

static const struct jfield stage_spec[] = {
    {"code", J_STR, 1, SE(code), 0, 0, 0, "1-32 of a-z 0-9 _", 1},
    {"name_zh_hans", J_STR, 2, SE(name_zh_hans), 0, 0, 0, "1-40", 1},
    {"name_zh_hant", J_STR, 4, SE(name_zh_hant), 0, 0, 0, "1-40", 1},
    {"name_en", J_STR, 8, SE(name_en), 0, 0, 0, "1-40", 1},
    {"position", J_I64, 16, SE(position), 0, 0, 0, "0..1000, the order", 1},
    {"probability_bp", J_I64, 32, SE(probability_bp), 0, 0, 0, "0..10000", 1},
    {"outcome", J_STR, 64, SE(outcome), 0, 0, 0, "open | won | lost", 1},
    {"active", J_BOOL, 128, SE(active), 0, 0, 0, "default true"},
    {0},
};

static const struct jfield stages_spec[] = {
    {"stages", J_OBJS, 1, offsetof(struct stages_body, items), offsetof(struct stages_body, n),
     sizeof(struct stage_el), 0,
     "the whole list (a stage left out is removed; one in use must stay, deactivated)", 1,
     stage_spec, OPP_STAGES_MAX},
    {0},
};

static enum kam_err stages_put(struct api_call *c)
{
    struct stages_body b = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, stages_spec, &b, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "stages", "required",
                            (struct kam_param[]){{"field", "stages"}, {0}}, "stages is required");
    struct opp_stage *in = arena_calloc(c->ctx->a, (size_t)b.n + 1, sizeof *in);
    static const char *const req[] = {"code",     "name_zh_hans",   "name_zh_hant", "name_en",
                                      "position", "probability_bp", "outcome"};
    for (int i = 0; i < b.n; i++) {
        for (int k = 0; k < 7; k++)
            if (!(b.items[i].set & (1u << k))) {
                const char *f = arena_printf(c->ctx->a, "stages[%d].%s", i, req[k]);
                return kam_fail_key(c->ctx->err, KAM_EINVAL, f, "required",
                                    (struct kam_param[]){{"field", f}, {0}}, "%s is required", f);
            }
        in[i] = b.items[i].s;
        if (!(b.items[i].set & 128))
            in[i].active = 1;
    }
    struct opp_stage *out;
    size_t n;
    if ((rc = opp_stage_replace(c->ctx, in, (size_t)b.n, &out, &n)))
        return rc;
    render_stages(&c->w, out, n);
    return KAM_OK;
}

/* ---- pipeline ---- */

static enum kam_err pipeline(struct api_call *c)
{
    struct pipeline_query q = {0};
    int64_t closed = 0;
    q.group = api_query_str(c, "group");
    if (!q.group)
        q.group = "stage";
    q.from = api_query_str(c, "from");
    q.to = api_query_str(c, "to");
    q.currency = api_query_str(c, "currency");
    enum kam_err rc;
    if ((rc = api_query_user(c, "owner_id", &q.owner_id)) ||
        (rc = api_query_i64(c, "team_id", 0, &q.team_id)) ||
        (rc = api_query_i64(c, "account_id", 0, &q.account_id)) ||
        (rc = api_query_i64(c, "include_closed", 0, &closed)))
        return rc;
    if (closed != 0 && closed != 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "include_closed", "include_closed must be 0 or 1");
    q.include_closed = (int)closed;
    q.lang = (int)msg_lang_parse(c->req->header(c->req, "Accept-Language"));
    struct pipeline p;
    if ((rc = pipeline_compute(c->ctx, &q, &p)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_kstr(w, "group", q.group);
    jw_kstr(w, "currency", p.currency);
    jw_key(w, "rows");
    jw_arr_begin(w);
    for (size_t i = 0; i < p.n; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "key", p.rows[i].key);
        jw_kstr(w, "label", p.rows[i].label);
        jw_ki64(w, "count", p.rows[i].count);
        jw_ki64(w, "amount", p.rows[i].amount);
        jw_ki64(w, "weighted", p.rows[i].weighted);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "total");
    jw_obj_begin(w);
    jw_ki64(w, "count", p.total.count);
    jw_ki64(w, "amount", p.total.amount);
    jw_ki64(w, "weighted", p.total.weighted);
    jw_obj_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err pipeline_forecast(struct api_call *c)
{
    const char *from = api_query_str(c, "from"), *to = api_query_str(c, "to");
    const char *cur;
    struct pipeline_month *m;
    size_t n;
    enum kam_err rc = pipeline_months(c->ctx, from, to, &cur, &m, &n);
    if (rc)
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_kstr(w, "currency", cur);
    jw_key(w, "months");
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "month", m[i].month);
        jw_ki64(w, "count", m[i].count);
        jw_ki64(w, "amount", m[i].amount);
        jw_ki64(w, "weighted", m[i].weighted);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static const char *const list_query[] = {"account_id", "owner_id", "team_id", "stage",
                                         "open",       "from",     "to",      "q",
                                         "sort",       "limit",    "cursor",  NULL};
static const char *const account_list_query[] = {
    "owner_id", "team_id", "stage", "open", "from", "to", "q", "sort", "limit", "cursor", NULL};
static const char *const count_query[] = {"account_id", "owner_id", "team_id", "stage", "open",
                                          "from",       "to",       "q",       NULL};
static const char *const pipeline_query_params[] = {
    "group", "from", "to", "currency", "owner_id", "team_id", "account_id", "include_closed", NULL};
static const char *const forecast_query[] = {"from", "to", NULL};

#define LIST_DOC                                                                                   \
    ": stage, open=1 (open stages only), owner_id (or me), team_id (owners in the team and its "   \
    "subteams), account_id, from/to (close months YYYY-MM, inclusive), q (name, account or "       \
    "competitors); sort close_month | created_at | amount | name, '-' for descending (default "    \
    "close_month); keyset paging"

const struct route api_routes_opportunities[] = {
    {"GET", "/api/v1/opportunities", list, OBJ_OPPORTUNITY, ACT_READ, SCOPE_NONE, NULL, list_query,
     200, "Opportunities of the accounts in the caller's scope" LIST_DOC, "[OpportunityRow]"},
    {"GET", "/api/v1/opportunities/count", count, OBJ_OPPORTUNITY, ACT_READ, SCOPE_NONE, NULL,
     count_query, 200, "The number of opportunities the list returns for the same filters",
     "{total:int}"},
    {"GET", "/api/v1/accounts/:id/opportunities", account_list, OBJ_OPPORTUNITY, ACT_READ,
     SCOPE_ACCOUNT, NULL, account_list_query, 200, "The account's opportunities" LIST_DOC,
     "[OpportunityRow]"},
    {"POST", "/api/v1/accounts/:id/opportunities", create, OBJ_OPPORTUNITY, ACT_CREATE,
     SCOPE_ACCOUNT, opp_spec, NULL, 201, "Record an opportunity (商机) on the account",
     "Opportunity"},
    {"GET", "/api/v1/opportunities/:id", get, OBJ_OPPORTUNITY, ACT_READ, SCOPE_OPPORTUNITY, NULL,
     NULL, 200, "One opportunity with its products, needs and offers", "Opportunity"},
    {"PATCH", "/api/v1/opportunities/:id", patch, OBJ_OPPORTUNITY, ACT_UPDATE, SCOPE_OPPORTUNITY,
     opp_spec, NULL, 200,
     "Change an opportunity (the version you read in the body or as If-Match: the ETag of GET); "
     "a move to a won or lost stage needs outcome_reason and sets closed_at, a move back clears "
     "it",
     "Opportunity"},
    {"DELETE", "/api/v1/opportunities/:id", del, OBJ_OPPORTUNITY, ACT_DELETE, SCOPE_OPPORTUNITY,
     NULL, NULL, 204, "Delete an opportunity (refused while an offer names it)", "-"},
    {"GET", "/api/v1/opportunity-stages", stages_get, OBJ_OPPORTUNITY, ACT_READ, SCOPE_NONE, NULL,
     NULL, 200, "The opportunity stages in order, with their default probabilities",
     "{items:[OpportunityStage]}"},
    {"PUT", "/api/v1/opportunity-stages", stages_put, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE,
     stages_spec, NULL, 200,
     "Replace the stage list (exactly one active won and one active lost stage)",
     "{items:[OpportunityStage]}"},
    {"GET", "/api/v1/pipeline", pipeline, OBJ_OPPORTUNITY, ACT_READ, SCOPE_NONE, NULL,
     pipeline_query_params, 200,
     "The pipeline of the caller's opportunities grouped by stage | owner | team | month: count, "
     "amount and weighted (amount x probability) in one currency (default the base currency), "
     "open ones (include_closed=1 adds won); group=stage labels in the request's "
     "Accept-Language (en, zh-CN, zh-TW)",
     "Pipeline"},
    {"GET", "/api/v1/pipeline/forecast", pipeline_forecast, OBJ_OPPORTUNITY, ACT_READ, SCOPE_NONE,
     NULL, forecast_query, 200,
     "The weighted pipeline of open opportunities per close month from..to (YYYY-MM, at most "
     "120 months; default the month in progress and the eleven after it) in the base currency, "
     "beside the sales forecast",
     "PipelineMonths"},
    {0},
};
