/* insight.c -- /api/v1/accounts/:id/behaviour and /api/v1/sales/affinity. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/core/internal.h"
#include "base/timeutil.h"
#include "svc/volume/insight.h"
#include "svc/volume/outlook.h"
#include "svc/volume/volume.h"

static double round3(double x)
{
    return (double)(int64_t)(x * 1000 + (x < 0 ? -0.5 : 0.5)) / 1000;
}

static const char *regularity_name(enum behaviour_regularity r)
{
    return r == BEHAVIOUR_REGULAR     ? "regular"
           : r == BEHAVIOUR_IRREGULAR ? "irregular"
                                      : "insufficient";
}

static const char *trend_name(enum behaviour_trend_label l)
{
    return l == BEHAVIOUR_GROWING     ? "growing"
           : l == BEHAVIOUR_STABLE    ? "stable"
           : l == BEHAVIOUR_DECLINING ? "declining"
                                      : "none";
}

static void kdate(struct jw *w, const char *k, int64_t day, int has)
{
    jw_key(w, k);
    if (!has) {
        jw_null(w);
        return;
    }
    char s[16];
    int y, m, d;
    days_to_date(day, &y, &m, &d);
    snprintf(s, sizeof s, "%04d-%02d-%02d", y % 10000, m, d);
    jw_str(w, s);
}

/* The response shapes of this file (the field DSL of api/core/internal.h). Money is in yuan
 * with 2 decimals; dates YYYY-MM-DD, months "YYYY-MM", times (ts) ISO 8601 strings (jw_ktime). */
const struct api_shape api_shapes_insight[] = {
    {"AccountBehaviour", "account_id:int rfm:BehaviourRfm intervals:BehaviourIntervals "
                         "trend:BehaviourTrend season:BehaviourSeason mix:[BehaviourMix] "
                         "cross_sell:[BehaviourCrossSell] neighbours:[BehaviourNeighbour] "
                         "group?:SalesGroup"},
    {"BehaviourRfm", "recency_days:int? frequency:int monetary:num score:{r:int f:int m:int}"},
    {"BehaviourIntervals", "orders:int mean_days:num median_days:num cv:num "
                           "regularity:str(regular|irregular|insufficient) last_date:date? "
                           "next_date:date? overdue:bool days_overdue:int"},
    {"BehaviourTrend", "months:int pct_year:num ols_pct_year:num "
                       "label:str(growing|stable|declining|none) yoy_pct:num?"},
    {"BehaviourSeason", "method:str(none|month_means|ratio_to_moving_average) index:[num] "
                        "strength:num peak_month:int? trough_month:int?"},
    {"BehaviourMix", "family:str amount:num share:num"},
    {"BehaviourCrossSell", "family:str score:num neighbours:int expected_amount:num"},
    {"BehaviourNeighbour", "account_id:int? name:str similarity:num"},
    {"FamilyAffinity", "a:str b:str count:int support:num confidence:num lift:num"},
    {"SalesOutlook", "level:str(total|region|account|family|channel) key:str method:str "
                     "computed_at:ts months:[str] mean:[num] lo80:[num] hi80:[num] lo95:[num] "
                     "hi95:[num]"},
    {NULL, NULL},
};

static enum kam_err behaviour(struct api_call *c)
{
    struct insight_profile p;
    int64_t subs = 0; /* subsidiaries=1: the account with its subsidiaries (svc/core/group.h) */
    enum kam_err rc = api_query_i64(c, "subsidiaries", 0, &subs);
    if (rc)
        return rc;
    if (subs != 0 && subs != 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "subsidiaries", "subsidiaries must be 0 or 1");
    if ((rc = insight_profile(c->ctx, c->id[0], (int)subs, &p)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "account_id", p.account_id);
    jw_key(w, "rfm");
    jw_obj_begin(w);
    jw_ki64n(w, "recency_days", p.rfm.recency_days, !p.rfm.has_orders);
    jw_ki64(w, "frequency", p.rfm.frequency);
    jw_kfixed(w, "monetary", p.rfm.monetary, 2);
    jw_key(w, "score");
    jw_obj_begin(w);
    jw_ki64(w, "r", p.score.r);
    jw_ki64(w, "f", p.score.f);
    jw_ki64(w, "m", p.score.m);
    jw_obj_end(w);
    jw_obj_end(w);
    const struct behaviour_intervals *iv = &p.intervals;
    jw_key(w, "intervals");
    jw_obj_begin(w);
    jw_ki64(w, "orders", iv->orders);
    jw_key(w, "mean_days");
    jw_double(w, round3(iv->mean_days));
    jw_key(w, "median_days");
    jw_double(w, round3(iv->median_days));
    jw_key(w, "cv");
    jw_double(w, round3(iv->cv));
    jw_kstr(w, "regularity", regularity_name(iv->regularity));
    kdate(w, "last_date", iv->last_day, iv->orders > 0);
    kdate(w, "next_date", iv->next_day, iv->has_next);
    jw_kbool(w, "overdue", iv->overdue);
    jw_ki64(w, "days_overdue", iv->days_overdue);
    jw_obj_end(w);
    jw_key(w, "trend");
    jw_obj_begin(w);
    jw_ki64(w, "months", p.trend.n);
    jw_key(w, "pct_year");
    jw_double(w, round3(p.trend.theil_sen_pct_year));
    jw_key(w, "ols_pct_year");
    jw_double(w, round3(p.trend.ols_pct_year));
    jw_kstr(w, "label", trend_name(p.trend.label));
    jw_key(w, "yoy_pct");
    if (p.trend.has_yoy)
        jw_double(w, round3(p.trend.yoy_pct));
    else
        jw_null(w);
    jw_obj_end(w);
    jw_key(w, "season");
    jw_obj_begin(w);
    static const char *const methods[] = {"none", "month_means", "ratio_to_moving_average"};
    jw_kstr(w, "method", methods[p.season.method]);
    jw_key(w, "index");
    jw_arr_begin(w);
    for (int i = 0; i < 12; i++)
        jw_double(w, round3(p.season.index[i]));
    jw_arr_end(w);
    jw_key(w, "strength");
    jw_double(w, round3(p.season.strength));
    jw_ki64n(w, "peak_month", p.season.peak_month, !p.season.peak_month);
    jw_ki64n(w, "trough_month", p.season.trough_month, !p.season.trough_month);
    jw_obj_end(w);
    jw_key(w, "mix");
    jw_arr_begin(w);
    for (size_t i = 0; i < p.nmix; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "family", p.mix[i].family);
        jw_kfixed(w, "amount", p.mix[i].amount, 2);
        jw_key(w, "share");
        jw_double(w, round3(p.mix[i].share));
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "cross_sell");
    jw_arr_begin(w);
    for (size_t i = 0; i < p.ncross; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "family", p.cross_sell[i].family);
        jw_key(w, "score");
        jw_double(w, round3(p.cross_sell[i].score));
        jw_ki64(w, "neighbours", p.cross_sell[i].neighbours);
        jw_kfixed(w, "expected_amount", p.cross_sell[i].expected_amount, 2);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "neighbours");
    jw_arr_begin(w);
    for (size_t i = 0; i < p.nneighbours; i++) {
        jw_obj_begin(w);
        jw_ki64n(w, "account_id", p.neighbours[i].account_id, !p.neighbours[i].account_id);
        jw_kstr(w, "name", p.neighbours[i].name);
        jw_key(w, "similarity");
        jw_double(w, round3(p.neighbours[i].similarity));
        jw_obj_end(w);
    }
    jw_arr_end(w);
    if (p.subsidiaries) {
        jw_key(w, "group");
        jw_obj_begin(w);
        jw_ki64(w, "account_id", p.account_id);
        jw_ki64(w, "subsidiaries", p.group_subsidiaries);
        jw_ki64(w, "not_visible", p.group_not_visible);
        jw_obj_end(w);
    }
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err affinity(struct api_call *c)
{
    int64_t min_count = 0;
    enum kam_err rc = api_query_i64(c, "min_count", 3, &min_count);
    if (rc)
        return rc;
    if (min_count < 1 || min_count > 1000000)
        return kam_fail(c->ctx->err, KAM_EINVAL, "min_count", "min_count must be 1..1000000");
    struct insight_pair *p;
    size_t n;
    if ((rc = insight_affinity(c->ctx, min_count, &p, &n)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++) {
        struct jw *w = &c->w;
        jw_obj_begin(w);
        jw_kstr(w, "a", p[i].a);
        jw_kstr(w, "b", p[i].b);
        jw_ki64(w, "count", p[i].count);
        jw_key(w, "support");
        jw_double(w, round3(p[i].support));
        jw_key(w, "confidence");
        jw_double(w, round3(p[i].confidence));
        jw_key(w, "lift");
        jw_double(w, round3(p[i].lift));
        jw_obj_end(w);
    }
    api_list_end(c, NULL);
    return KAM_OK;
}

static enum kam_err forecasts(struct api_call *c)
{
    const char *level = api_query_str(c, "level"), *key = api_query_str(c, "key");
    static const char *const levels[] = {"total", "region", "account", "family", "channel", NULL};
    if (!level)
        level = "total";
    int ok = 0;
    for (int i = 0; levels[i]; i++)
        ok |= !strcmp(level, levels[i]);
    if (!ok)
        return kam_fail(c->ctx->err, KAM_EINVAL, "level",
                        "level must be total, region, account, family or channel");
    if (!key)
        key = "";
    enum kam_err rc;
    if (!strcmp(level, "account")) {
        char *end;
        long long id = strtoll(key, &end, 10);
        int in = 0;
        rc = *key && !*end && id > 0 ? policy_account_in_scope(c->ctx, id, &in) : KAM_ENOTFOUND;
        if (rc && rc != KAM_ENOTFOUND)
            return rc;
        if (rc || !in) {
            kam_error_clear(c->ctx->err);
            return kam_fail(c->ctx->err, KAM_EINVAL, "key", "key must be one of your accounts");
        }
    } else if (policy_list_scoped(&c->ctx->who)) {
        return kam_fail(c->ctx->err, KAM_EFORBIDDEN, "level",
                        "forecasts across accounts are for org-wide readers; ask for your "
                        "accounts (level=account)");
    }
    struct outlook o;
    if ((rc = outlook_get(c->ctx, level, key, &o)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_kstr(w, "level", level);
    jw_kstr(w, "key", key);
    jw_kstr(w, "method", o.method);
    jw_ktime(w, "computed_at", o.computed_at);
    jw_key(w, "months");
    jw_arr_begin(w);
    for (int i = 0; i < o.n; i++) {
        char ms[16];
        int mo = volume_month_add(o.first_month, i);
        snprintf(ms, sizeof ms, "%04d-%02d", mo / 100 % 10000, mo % 100);
        jw_str(w, ms);
    }
    jw_arr_end(w);
    const struct {
        const char *k;
        const int64_t *v;
    } bands[] = {
        {"mean", o.mean}, {"lo80", o.lo80}, {"hi80", o.hi80}, {"lo95", o.lo95}, {"hi95", o.hi95}};
    for (size_t b = 0; b < sizeof bands / sizeof bands[0]; b++) {
        jw_key(w, bands[b].k);
        jw_arr_begin(w);
        for (int i = 0; i < o.n; i++)
            jw_fixed(w, bands[b].v[i], 2);
        jw_arr_end(w);
    }
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err forecasts_refresh(struct api_call *c)
{
    int n = 0;
    enum kam_err rc = outlook_refresh_due(c->ctx, 1, &n);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "series", n);
    jw_ktime(&c->w, "computed_at", c->ctx->now);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static const char *const affinity_query[] = {"min_count", NULL};
static const char *const behaviour_query[] = {"subsidiaries", NULL};
static const char *const forecast_query[] = {"level", "key", NULL};

const struct route api_routes_insight[] = {
    {"GET", "/api/v1/accounts/:id/behaviour", behaviour, OBJ_SALES, ACT_READ, SCOPE_ACCOUNT, NULL,
     behaviour_query, 200,
     "Purchase behaviour: RFM, intervals, trend, seasonality, family mix, cross-sell (with "
     "subsidiaries=1: of the account and the subsidiaries the caller may read, as one customer)",
     "AccountBehaviour"},
    {"GET", "/api/v1/sales/affinity", affinity, OBJ_SALES, ACT_READ, SCOPE_NONE, NULL,
     affinity_query, 200, "Product families bought together (support, confidence, lift)",
     "[FamilyAffinity]"},
    {"GET", "/api/v1/sales/forecasts", forecasts, OBJ_SALES, ACT_READ, SCOPE_NONE, NULL,
     forecast_query, 200,
     "The stored twelve-month forecast of a series, coherent across account, region and total",
     "SalesOutlook"},
    {"POST", "/api/v1/sales/forecasts/refresh", forecasts_refresh, OBJ_SALES, ACT_UPDATE,
     SCOPE_NONE, NULL, NULL, 200, "Recompute every stored forecast now",
     "{series:int computed_at:ts}"},
    {0},
};
