/* satisfaction.c -- Satisfaction: a survey's results and key-driver analysis, trends by group and
 * period, an account's satisfaction beside its loyalty (issue 14 items 3-4). Read only; the
 * figures and the minimum-n rule are svc/needs/satisfaction.h's. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/needs/loyalty.h"
#include "svc/needs/satisfaction.h"

#define NPS_F "{n:int promoters:int passives:int detractors:int score:num}"
#define CSAT_F "{n:int mean:num top2_share:num}"

const struct api_shape api_shapes_satisfaction[] = {
    {"SatQuestion",
     "id:int position:int kind:str(nps|csat|rating|single|multi|text) driver:str? text:obj "
     "overall:bool required:bool n:int hidden:bool mean:num? "
     "distribution:[{value:int n:int}]? options:[{position:int label:obj}]"},
    {"SatResults", "survey_id:int status:str title:obj responses:int min_n:int suppressed:bool "
                   "nps:" NPS_F "? nps_hidden:bool csat:" CSAT_F "? csat_hidden:bool "
                   "questions:[SatQuestion] drivers:[{key:str label:obj n:int mean:num? "
                   "hidden:bool}]"},
    {"SatDrivers",
     "survey_id:int ok:bool why:str(no_overall|no_ratings|too_few_responses|constant_overall|"
     "constant_rating|suppressed)? why_driver:str? overall_question_id:int? "
     "overall_kind:str? n_total:int n_used:int boot:int level:num r2:num? r2_lo:num? r2_hi:num? "
     "med_importance:num? med_performance:num? "
     "drivers:[{key:str label:obj question_id:int importance:num? share:num? performance:num? "
     "r:num? importance_lo:num? importance_hi:num? share_lo:num? share_hi:num? "
     "quadrant:str(fix_first|keep_up|low_priority|maintain)?}]"},
    {"SatPoint", "group:str name:str period:str responses:int hidden:bool nps:" NPS_F
                 "? csat:" CSAT_F "? drivers:[{key:str n:int mean:num}]"},
    {"SatTrend", "group:str period:str min_n:int items:[SatPoint]"},
    {"AccountSatisfaction",
     "account_id:int period:str min_n:int trend:[SatPoint] recent:{nps:" NPS_F "? csat:" CSAT_F
     "?} loyalty:{months_ordered:int months_after_first:int months_with_repeat:int "
     "repeat_rate:num? retained:bool?}"},
    {"LoyaltyCell",
     "group:str name:str period:str partial:bool buyers:int retained_from:int retained:int "
     "retention_rate:num? repeat_buyers:int repeat_rate:num? responses:int hidden:bool "
     "nps:" NPS_F "?"},
    {"LoyaltyTrend",
     "group:str period:str min_n:int repeat_rule:str(two_months|month_and_previous) "
     "items:[LoyaltyCell]"},
    {NULL, NULL},
};

static void texts(struct jw *w, const char *k, const char *const t[3])
{
    jw_key(w, k);
    jw_obj_begin(w);
    jw_kstr(w, "zh-CN", t[0] ? t[0] : "");
    jw_kstr(w, "zh-TW", t[1] ? t[1] : "");
    jw_kstr(w, "en", t[2] ? t[2] : "");
    jw_obj_end(w);
}

static void knum(struct jw *w, const char *k, double v, int is_null)
{
    jw_key(w, k);
    if (is_null || !isfinite(v))
        jw_null(w);
    else
        jw_double(w, v);
}

static void render_nps(struct jw *w, const struct sat_nps *n, int show)
{
    jw_key(w, "nps");
    if (!show) {
        jw_null(w);
        return;
    }
    jw_obj_begin(w);
    jw_ki64(w, "n", n->n);
    jw_ki64(w, "promoters", n->promoters);
    jw_ki64(w, "passives", n->passives);
    jw_ki64(w, "detractors", n->detractors);
    jw_key(w, "score");
    jw_double(w, n->score);
    jw_obj_end(w);
}

static void render_csat(struct jw *w, const struct sat_csat *c, int show)
{
    jw_key(w, "csat");
    if (!show) {
        jw_null(w);
        return;
    }
    jw_obj_begin(w);
    jw_ki64(w, "n", c->n);
    jw_key(w, "mean");
    jw_double(w, c->mean);
    jw_key(w, "top2_share");
    jw_double(w, c->top2_share);
    jw_obj_end(w);
}

static enum kam_err filter_of(struct api_call *c, struct sat_filter *f)
{
    memset(f, 0, sizeof *f);
    enum kam_err rc;
    if ((rc = api_query_i64(c, "account_id", 0, &f->account_id)) ||
        (rc = api_query_user(c, "owner_id", &f->owner_id)) ||
        (rc = api_query_i64(c, "team_id", 0, &f->team_id)))
        return rc;
    f->tier = api_query_str(c, "tier");
    f->region = api_query_str(c, "region");
    f->from = api_query_str(c, "from");
    f->to = api_query_str(c, "to");
    return KAM_OK;
}

static void render_question(struct jw *w, const struct sat_question *q)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", q->id);
    jw_ki64(w, "position", q->position);
    jw_kstr(w, "kind", q->kind);
    jw_kstr(w, "driver", q->driver);
    texts(w, "text", q->texts);
    jw_kbool(w, "overall", q->overall);
    jw_kbool(w, "required", q->required);
    jw_ki64(w, "n", q->n);
    jw_kbool(w, "hidden", q->hidden);
    int scored = !strcmp(q->kind, "nps") || !strcmp(q->kind, "csat") || !strcmp(q->kind, "rating");
    knum(w, "mean", q->mean, !scored || q->hidden || !q->n);
    jw_key(w, "distribution");
    if (q->hidden || !strcmp(q->kind, "text")) {
        jw_null(w);
    } else {
        jw_arr_begin(w);
        for (int i = 0; i < q->nvalues && i < 21; i++) {
            jw_obj_begin(w);
            jw_ki64(w, "value", q->first + i);
            jw_ki64(w, "n", q->counts[i]);
            jw_obj_end(w);
        }
        jw_arr_end(w);
    }
    jw_key(w, "options");
    jw_arr_begin(w);
    for (int i = 0; i < q->noptions; i++) {
        jw_obj_begin(w);
        jw_ki64(w, "position", q->options[i].position);
        texts(w, "label", q->options[i].labels);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

static enum kam_err results(struct api_call *c)
{
    struct sat_filter f;
    struct sat_results r;
    enum kam_err rc = filter_of(c, &f);
    if (rc || (rc = sat_results(c->ctx, c->id[0], &f, &r)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "survey_id", r.survey_id);
    jw_kstr(w, "status", r.status);
    texts(w, "title", r.titles);
    jw_ki64(w, "responses", r.responses);
    jw_ki64(w, "min_n", SAT_MIN_N);
    jw_kbool(w, "suppressed", r.suppressed);
    render_nps(w, &r.nps, r.has_nps && !r.nps_hidden); /* has_nps: answers exist */
    jw_kbool(w, "nps_hidden", r.has_nps && r.nps_hidden);
    render_csat(w, &r.csat, r.has_csat && !r.csat_hidden);
    jw_kbool(w, "csat_hidden", r.has_csat && r.csat_hidden);
    jw_key(w, "questions");
    jw_arr_begin(w);
    for (size_t i = 0; i < r.nq; i++)
        render_question(w, &r.q[i]);
    jw_arr_end(w);
    jw_key(w, "drivers");
    jw_arr_begin(w);
    for (size_t i = 0; i < r.nd; i++) {
        const struct sat_driver *d = &r.d[i];
        jw_obj_begin(w);
        jw_kstr(w, "key", d->key);
        texts(w, "label", d->labels);
        jw_ki64(w, "n", d->n);
        knum(w, "mean", d->mean, d->hidden || !d->n);
        jw_kbool(w, "hidden", d->hidden);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err drivers(struct api_call *c)
{
    struct sat_filter f;
    struct sat_kda k;
    int64_t boot = KDA_DEFAULT_BOOT;
    enum kam_err rc = filter_of(c, &f);
    if (rc || (rc = api_query_i64(c, "boot", KDA_DEFAULT_BOOT, &boot)))
        return rc;
    if (boot < 0 || boot > 2000)
        return kam_fail(c->ctx->err, KAM_EINVAL, "boot", "boot must be 0..2000");
    /* boot x responses is capped at SAT_MAX_BOOT_WORK: the answer's boot is the number used */
    if ((rc = sat_drivers(c->ctx, c->id[0], &f, (int)boot, KDA_DEFAULT_SEED, &k)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "survey_id", k.survey_id);
    jw_kbool(w, "ok", k.ok);
    jw_kstr(w, "why", k.ok ? NULL : k.why);
    jw_kstr(w, "why_driver", k.why_driver);
    jw_ki64n(w, "overall_question_id", k.overall_question_id, !k.overall_question_id);
    jw_kstr(w, "overall_kind", k.overall_kind);
    jw_ki64(w, "n_total", k.r.n_total);
    jw_ki64(w, "n_used", k.ok ? k.r.n_used : 0);
    jw_ki64(w, "boot", k.ok ? k.r.boot : 0);
    jw_key(w, "level");
    jw_double(w, KDA_DEFAULT_LEVEL);
    knum(w, "r2", k.r.r2, !k.ok);
    knum(w, "r2_lo", k.r.r2_lo, !k.ok);
    knum(w, "r2_hi", k.r.r2_hi, !k.ok);
    knum(w, "med_importance", k.r.med_importance, !k.ok);
    knum(w, "med_performance", k.r.med_performance, !k.ok);
    jw_key(w, "drivers");
    jw_arr_begin(w);
    for (size_t i = 0; i < k.nd; i++) {
        const struct sat_kda_driver *d = &k.d[i];
        jw_obj_begin(w);
        jw_kstr(w, "key", d->key);
        texts(w, "label", d->labels);
        jw_ki64(w, "question_id", d->question_id);
        knum(w, "importance", d->a.importance, !k.ok);
        knum(w, "share", d->a.share, !k.ok);
        knum(w, "performance", d->a.performance, !k.ok);
        knum(w, "r", d->a.r, !k.ok);
        knum(w, "importance_lo", d->a.imp_lo, !k.ok);
        knum(w, "importance_hi", d->a.imp_hi, !k.ok);
        knum(w, "share_lo", d->a.share_lo, !k.ok);
        knum(w, "share_hi", d->a.share_hi, !k.ok);
        jw_kstr(w, "quadrant", k.ok ? kda_quadrant_name(d->a.quadrant) : NULL);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static void render_point(struct jw *w, const struct sat_point *p)
{
    jw_obj_begin(w);
    jw_kstr(w, "group", p->group);
    jw_kstr(w, "name", p->name);
    jw_kstr(w, "period", p->period);
    jw_ki64(w, "responses", p->responses);
    jw_kbool(w, "hidden", p->hidden);
    render_nps(w, &p->nps, p->has_nps);
    render_csat(w, &p->csat, p->has_csat);
    jw_key(w, "drivers");
    jw_arr_begin(w);
    for (size_t i = 0; i < p->nd; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "key", p->d[i].key);
        jw_ki64(w, "n", p->d[i].n);
        jw_key(w, "mean");
        jw_double(w, p->d[i].mean);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

static enum kam_err trend(struct api_call *c)
{
    struct sat_filter f;
    struct sat_trend t;
    const char *group = api_query_str(c, "group"), *period = api_query_str(c, "period");
    enum kam_err rc = filter_of(c, &f);
    if (rc || (rc = sat_trend(c->ctx, group, period, &f, &t)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_kstr(w, "group", group ? group : "all");
    jw_kstr(w, "period", period ? period : "month");
    jw_ki64(w, "min_n", SAT_MIN_N);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < t.n; i++)
        render_point(w, &t.p[i]);
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err loyalty(struct api_call *c)
{
    struct sat_filter f;
    struct loyalty_trend t;
    const char *group = api_query_str(c, "group"), *period = api_query_str(c, "period");
    enum kam_err rc = filter_of(c, &f);
    if (rc || (rc = loyalty_trend(c->ctx, group, period, &f, &t)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_kstr(w, "group", group ? group : "all");
    jw_kstr(w, "period", period ? period : "month");
    jw_ki64(w, "min_n", SAT_MIN_N);
    jw_kstr(w, "repeat_rule",
            period && strcmp(period, "month") ? "two_months" : "month_and_previous");
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < t.n; i++) {
        const struct loyalty_cell *x = &t.c[i];
        jw_obj_begin(w);
        jw_kstr(w, "group", x->group);
        jw_kstr(w, "name", x->name);
        jw_kstr(w, "period", x->period);
        jw_kbool(w, "partial", x->partial);
        jw_ki64(w, "buyers", x->buyers);
        jw_ki64(w, "retained_from", x->retained_from);
        jw_ki64(w, "retained", x->retained);
        knum(w, "retention_rate", x->retention_rate, !x->has_retention);
        jw_ki64(w, "repeat_buyers", x->repeat_buyers);
        knum(w, "repeat_rate", x->repeat_rate, !x->has_repeat);
        jw_ki64(w, "responses", x->sat ? x->sat->responses : 0);
        jw_kbool(w, "hidden", x->sat && x->sat->hidden);
        if (x->sat)
            render_nps(w, &x->sat->nps, x->sat->has_nps);
        else
            render_nps(w, NULL, 0);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err account(struct api_call *c)
{
    struct sat_filter f = {0};
    f.account_id = c->id[0];
    f.from = api_query_str(c, "from");
    f.to = api_query_str(c, "to");
    f.soft = 1; /* the account's own trend: a period too small to difference is hidden */
    const char *period = api_query_str(c, "period");
    if (!period)
        period = "quarter";
    struct sat_trend t;
    struct sat_loyalty l;
    struct sat_nps nps;
    struct sat_csat csat;
    int has_nps = 0, has_csat = 0;
    enum kam_err rc;
    if ((rc = sat_trend(c->ctx, "all", period, &f, &t)) ||
        (rc = sat_account_recent(c->ctx, c->id[0], &has_nps, &nps, &has_csat, &csat)) ||
        (rc = sat_loyalty(c->ctx, c->id[0], &l)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "account_id", c->id[0]);
    jw_kstr(w, "period", period);
    jw_ki64(w, "min_n", SAT_MIN_N);
    jw_key(w, "trend");
    jw_arr_begin(w);
    for (size_t i = 0; i < t.n; i++)
        render_point(w, &t.p[i]);
    jw_arr_end(w);
    jw_key(w, "recent");
    jw_obj_begin(w);
    render_nps(w, &nps, has_nps); /* shown to this reader (sat_account_recent) */
    render_csat(w, &csat, has_csat);
    jw_obj_end(w);
    jw_key(w, "loyalty");
    jw_obj_begin(w);
    jw_ki64(w, "months_ordered", l.months_ordered);
    jw_ki64(w, "months_after_first", l.months_after_first);
    jw_ki64(w, "months_with_repeat", l.months_with_repeat);
    knum(w, "repeat_rate", l.repeat_rate, !l.has_repeat);
    jw_key(w, "retained");
    if (l.has_retained)
        jw_bool(w, l.retained);
    else
        jw_null(w);
    jw_obj_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static const char *const results_query[] = {"account_id", "tier", "region", "owner_id",
                                            "team_id",    "from", "to",     NULL};
static const char *const drivers_query[] = {"account_id", "tier", "region", "owner_id", "team_id",
                                            "from",       "to",   "boot",   NULL};
static const char *const trend_query[] = {"group",    "period",  "account_id", "tier", "region",
                                          "owner_id", "team_id", "from",       "to",   NULL};
static const char *const account_query[] = {"period", "from", "to", NULL};

#define FILTER_DOC                                                                                 \
    "; over the responses of accounts in the caller's scope; filters account_id, tier, region, "   \
    "owner_id (or me), team_id (accounts owned by the team, its subteams and their managers), "    \
    "from/to (YYYY-MM-DD, China time, inclusive). A reader who may not read responses sees no "    \
    "figure of fewer than min_n responses (null, hidden/suppressed true), gives whole months and " \
    "no filter leaving out 1 to min_n - 1 responses (400 naming it; docs/API.md)"

const struct route api_routes_satisfaction[] = {
    {"GET", "/api/v1/surveys/:id/results", results, OBJ_SATISFACTION, ACT_READ, SCOPE_NONE, NULL,
     results_query, 200,
     "A survey's results: responses, NPS (first nps question), CSAT (first csat question), each "
     "question's distribution and mean (text answers only counted), each driver's mean" FILTER_DOC,
     "SatResults"},
    {"GET", "/api/v1/surveys/:id/drivers", drivers, OBJ_SATISFACTION, ACT_READ, SCOPE_NONE, NULL,
     drivers_query, 200,
     "Key-driver analysis of the survey's overall question on its rating questions: Shapley/LMG "
     "importance and share of R^2 with seeded bootstrap 95% intervals (boot resamples, default "
     "500, 0..2000), mean rating (performance) and the importance x performance quadrant; ok "
     "false and why when the data cannot be analysed" FILTER_DOC,
     "SatDrivers"},
    {"GET", "/api/v1/satisfaction", trend, OBJ_SATISFACTION, ACT_READ, SCOPE_NONE, NULL,
     trend_query, 200,
     "Satisfaction over every survey by group (account | tier | region | owner | team | all, "
     "default all) and period (month | quarter | year, default month): responses, NPS, CSAT, "
     "driver means" FILTER_DOC,
     "SatTrend"},
    {"GET", "/api/v1/satisfaction/loyalty", loyalty, OBJ_SATISFACTION, ACT_READ, SCOPE_NONE, NULL,
     trend_query, 200,
     "Loyalty beside NPS by group (account | tier | region | owner | team | all, default all) "
     "and period (month | quarter | year, default month) from the monthly sales (China time; an "
     "account bought in a month when its net amount, returns and credit notes deducted, is > 0): "
     "buyers (accounts that bought in the period), retained_from (bought in the period before), "
     "retained (of those, bought again), retention_rate = 100 retained / retained_from, "
     "repeat_buyers (quarter, year: bought in 2 or more months of it; month: bought in it and in "
     "the month before: repeat_rule), repeat_rate = 100 repeat_buyers / buyers (null over 0); "
     "from/to choose whole periods (sales and NPS alike), partial marks the current one; "
     "responses, hidden and nps are the satisfaction trend's same cell over those whole periods "
     "(its minimum-n rules; a too small filter complement hides the figure instead of "
     "refusing). Filters as /api/v1/satisfaction's; over the "
     "accounts in the caller's scope",
     "LoyaltyTrend"},
    {"GET", "/api/v1/accounts/:id/satisfaction", account, OBJ_SATISFACTION, ACT_READ, SCOPE_ACCOUNT,
     NULL, account_query, 200,
     "The account's satisfaction trend (period, default quarter; from/to), its NPS and CSAT of "
     "the last 12 months, and its loyalty from the monthly sales: repeat_rate (share of the "
     "months after its first ordering month, within 24 months, that have orders) and retained "
     "(ordered in the last 12 months, given it ordered in the 12 before; null otherwise)",
     "AccountSatisfaction"},
    {0},
};
