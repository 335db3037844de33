/* churn.c -- the churn / decline model's scores, explanations and training (issue 16 item 5):
 * decode, call svc/risk/churn_job, render. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/risk/churn_job.h"

const struct api_shape api_shapes_churn[] = {
    {"ChurnModel",
     "id:int trained_at:ts horizon_months:int drop_bp:int rows:int positives:int auc_bp:int? "
     "features:[str]"},
    {"ChurnFactor", "feature:str value:str? contribution:num"},
    {"ChurnAccount",
     "account_id:int probability_bp:int? day:date? factors:[ChurnFactor] model:ChurnModel? "
     "history:[{month:str day:date probability_bp:int}]"},
    {"ChurnScore",
     "account_id:int account_name:str account_code:str tier:str owner_id:int day:date "
     "probability_bp:int factors:[ChurnFactor]"},
    {NULL, NULL},
};

static void render_model(struct jw *w, const struct churn_model_info *m)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", m->id);
    jw_ktime(w, "trained_at", m->trained_at);
    jw_ki64(w, "horizon_months", m->horizon_months);
    jw_ki64(w, "drop_bp", m->drop_bp);
    jw_ki64(w, "rows", m->rows);
    jw_ki64(w, "positives", m->positives);
    jw_ki64n(w, "auc_bp", m->auc_bp, !m->has_auc);
    jw_key(w, "features");
    const char *f = m->features && *m->features ? m->features : "[]";
    jw_raw(w, f, strlen(f));
    jw_obj_end(w);
}

static void raw_factors(struct jw *w, const char *factors)
{
    jw_key(w, "factors");
    const char *f = factors && *factors ? factors : "[]";
    jw_raw(w, f, strlen(f));
}

static enum kam_err account_churn(struct api_call *c)
{
    struct churn_account a;
    enum kam_err rc = churn_account_get(c->ctx, c->id[0], &a);
    if (rc)
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "account_id", a.account_id);
    jw_ki64n(w, "probability_bp", a.probability_bp, !a.has_score);
    jw_kstr(w, "day", a.has_score ? a.day : NULL);
    raw_factors(w, a.has_score ? a.factors : NULL);
    jw_key(w, "model");
    if (a.has_model)
        render_model(w, &a.model);
    else
        jw_null(w);
    jw_key(w, "history");
    jw_arr_begin(w);
    for (size_t i = 0; i < a.nhistory; i++) {
        jw_obj_begin(w);
        jw_key(w, "month");
        jw_strn(w, a.history[i].day, 7);
        jw_kstr(w, "day", a.history[i].day);
        jw_ki64(w, "probability_bp", a.history[i].probability_bp);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err list(struct api_call *c)
{
    struct churn_query q = {0};
    q.sort = api_query_str(c, "sort");
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) ||
        (rc = api_query_i64(c, "min_bp", 0, &q.min_bp)))
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    struct churn_row *items;
    size_t n;
    const char *next;
    if ((rc = churn_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++) {
        const struct churn_row *r = &items[i];
        jw_obj_begin(&c->w);
        jw_ki64(&c->w, "account_id", r->account_id);
        jw_kstr(&c->w, "account_name", r->account_name);
        jw_kstr(&c->w, "account_code", r->account_code);
        jw_kstr(&c->w, "tier", r->tier);
        jw_ki64(&c->w, "owner_id", r->owner_id);
        jw_kstr(&c->w, "day", r->day);
        jw_ki64(&c->w, "probability_bp", r->probability_bp);
        raw_factors(&c->w, r->factors);
        jw_obj_end(&c->w);
    }
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err model(struct api_call *c)
{
    struct churn_model_info m;
    int found = 0;
    enum kam_err rc = churn_model_active(c->ctx, &m, &found);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    jw_key(&c->w, "model");
    if (found)
        render_model(&c->w, &m);
    else
        jw_null(&c->w);
    jw_obj_end(&c->w);
    return KAM_OK;
}

struct train_in {
    unsigned set;
    int64_t horizon_months, drop_bp;
};
#define TF(f) offsetof(struct train_in, f)
static const struct jfield train_spec[] = {
    {"horizon_months", J_I64, 1, TF(horizon_months), 0, 0, 0,
     "months ahead the fall is predicted over, 1-12 (default 6)"},
    {"drop_bp", J_I64, 2, TF(drop_bp), 0, 0, 0,
     "the fall that counts, basis points of the volume of the same number of months before, "
     "100-9900 (default 3000: 30 %)"},
    {0},
};

static enum kam_err train(struct api_call *c)
{
    struct train_in in = {0};
    enum kam_err rc = api_decode(c, train_spec, &in, &in.set);
    if (rc)
        return rc;
    int64_t h = in.set & 1 ? in.horizon_months : 6, d = in.set & 2 ? in.drop_bp : 3000;
    /* out of range stays out of range in an int: churn_app_train names the field */
    h = h < 0 ? -1 : h > 13 ? 13 : h;
    d = d < 0 ? -1 : d > 10000 ? 10000 : d;
    /* ROUTE_OWN_TX: the training reads and computes without holding a transaction (SQLite's
     * write lock); the model, its audit row and the scores are then written in one */
    struct churn_model_info m;
    if ((rc = churn_app_train(c->ctx, (int)h, (int)d, &m)))
        return rc;
    render_model(&c->w, &m);
    return KAM_OK;
}

static const char *const list_query[] = {"min_bp", "sort", "limit", "cursor", NULL};
/* Written once, before main, by init_queries(). */
static const char *export_query[API_EXPORT_QUERY_MAX];

const struct route api_routes_churn[] = {
    {"GET", "/api/v1/accounts/:id/churn", account_churn, OBJ_ALERT, ACT_READ, SCOPE_ACCOUNT, NULL,
     NULL, 200,
     "The account's churn: the latest probability (basis points) that its volume falls by more "
     "than the model's drop over its horizon, the top factors (log-odds contributions), the "
     "active model, and the last score of each of the last 12 months; nulls when not scored",
     "ChurnAccount"},
    {"GET", "/api/v1/churn", list, OBJ_ALERT, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Accounts in the caller's scope by their latest churn probability: min_bp (0-10000); sort "
     "probability | name ('-' descending; default -probability); keyset paging",
     "[ChurnScore]"},
    {"GET", "/api/v1/churn/export", api_list_export, OBJ_ALERT, ACT_READ, SCOPE_NONE, NULL,
     export_query, 200,
     "The churn list over all its pages, with its filters and sort, as a file: format=csv "
     "(default) or xlsx; columns=key[:label],...; lang=zh-CN|zh-TW|en; raw=1 keeps stored values",
     "csv"},
    {"GET", "/api/v1/churn/model", model, OBJ_ALERT, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "The active churn model: when it was trained, on how many rows and falls, its "
     "cross-validated AUC (basis points), horizon, drop and features; null when none",
     "{model:ChurnModel?}"},
    {"POST", "/api/v1/churn/train", train, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE, train_spec, NULL,
     200,
     "Train the churn model now on the company's history (horizon_months, drop_bp) and score "
     "every account; 409 churn.too_little_history when there are fewer than 200 rows or 20 "
     "falls",
     "ChurnModel", ROUTE_OWN_TX},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/churn/export", export_query);
}
