/* volume.c -- /api/v1/sales/series and /api/v1/sales/breakdown: the volume dashboard. */
#include <stdio.h>
#include <string.h>

#include "api/core/internal.h"
#include "base/timeutil.h"
#include "svc/core/export.h"
#include "svc/core/group.h"
#include "svc/core/msg.h"
#include "svc/volume/growth.h"
#include "svc/volume/kpi.h"
#include "svc/volume/target.h"
#include "svc/volume/volume.h"

/* Writes a value in the measure's unit: yuan with 2 decimals, quantity with 3. */
static void value(struct jw *w, const char *k, int64_t v, int quantity)
{
    jw_kfixed(w, k, v, quantity ? 3 : 2);
}

/* The split as the request names it: "none" for none (volume_dim_name gives ""), as the
 * target grid writes it. */
static const char *dim_name(enum volume_dim by)
{
    return by == VD_NONE ? "none" : volume_dim_name(by);
}

static void month_str(int yyyymm, char out[16])
{
    snprintf(out, 16, "%04d-%02d", yyyymm / 100 % 10000, yyyymm % 100);
}

/* The selection and period of a dashboard request: measure, family, region, channel,
 * account_id, from, to (default: the 24 months up to this one). */
static enum kam_err read_sel_any(struct api_call *c, struct volume_sel *sel, int *from, int *to,
                                 int groups_ok)
{
    memset(sel, 0, sizeof *sel);
    const char *measure = api_query_str(c, "measure");
    if (measure && strcmp(measure, "amount") && strcmp(measure, "quantity"))
        return kam_fail(c->ctx->err, KAM_EINVAL, "measure", "measure must be amount or quantity");
    sel->quantity = measure && !strcmp(measure, "quantity");
    sel->family = api_query_str(c, "family");
    sel->region = api_query_str(c, "region");
    sel->channel = api_query_str(c, "channel");
    enum kam_err rc = api_query_i64(c, "account_id", 0, &sel->account_id);
    if (rc)
        return rc;
    const char *f = api_query_str(c, "from"), *t = api_query_str(c, "to");
    volume_default_window(c->ctx, from, to);
    if (t && (*to = volume_month_parse(t)) < 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "to", "to must be YYYY-MM");
    if (!f)
        *from = volume_month_add(*to, -23);
    else if ((*from = volume_month_parse(f)) < 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "from", "from must be YYYY-MM");
    if (sel->account_id) {
        int in = 0;
        rc = policy_account_in_scope(c->ctx, sel->account_id, &in);
        if (rc && rc != KAM_ENOTFOUND)
            return rc;
        if (rc || !in) {
            kam_error_clear(c->ctx->err);
            return kam_fail(c->ctx->err, KAM_EINVAL, "account_id", "no such account");
        }
    }
    int64_t subs = 0; /* subsidiaries=1: the account with its subsidiaries (svc/core/group.h) */
    if ((rc = api_query_i64(c, "subsidiaries", 0, &subs)))
        return rc;
    if (subs != 0 && subs != 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "subsidiaries", "subsidiaries must be 0 or 1");
    if (subs && !sel->account_id && !groups_ok)
        return kam_fail(c->ctx->err, KAM_EINVAL, "subsidiaries",
                        "subsidiaries=1 needs an account_id");
    sel->subsidiaries = (int)subs;
    return KAM_OK;
}

static enum kam_err read_sel(struct api_call *c, struct volume_sel *sel, int *from, int *to)
{
    return read_sel_any(c, sel, from, to, 0);
}

/* With subsidiaries=1: "group": how many subsidiaries the figures add up, and how many of the
 * group's the caller may not read (left out). */
static enum kam_err group_info(struct api_call *c, const struct volume_sel *sel)
{
    if (!sel->subsidiaries || !sel->account_id)
        return KAM_OK;
    int64_t subs, hidden;
    enum kam_err rc = group_extent(c->ctx, sel->account_id, &subs, &hidden);
    if (rc)
        return rc;
    jw_key(&c->w, "group");
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "account_id", sel->account_id);
    jw_ki64(&c->w, "subsidiaries", subs - hidden);
    jw_ki64(&c->w, "not_visible", hidden);
    jw_obj_end(&c->w);
    return KAM_OK;
}

/* The response shapes of this file (the field DSL of api/core/internal.h). Values are in the
 * measure's unit: yuan with 2 decimals (amount), pieces with 3 (quantity); months "YYYY-MM";
 * KPI targets are whole units. */
const struct api_shape api_shapes_volume[] = {
    {"SalesSeries", "measure:str(amount|quantity) unit:str "
                    "by:str(none|family|region|channel|account|month) months:[str] "
                    "series:[SalesSeriesLine] forecast?:SalesSeriesForecast group?:SalesGroup"},
    /* subsidiaries=1: the subsidiaries added up (any depth) and those left out because the
     * caller may not read them */
    {"SalesGroup", "account_id:int subsidiaries:int not_visible:int"},
    {"SalesSeriesLine", "key:str label:str total:num actual:[num]"},
    {"SalesSeriesForecast", "method:str months:[str] mean:[num] lo80:[num] hi80:[num] lo95:[num] "
                            "hi95:[num] outliers:[str]"},
    {"SalesBreakdown",
     "measure:str(amount|quantity) unit:str by:str(family|region|channel|account) "
     "from:str to:str total:num items:[SalesBreakdownItem] group?:SalesGroup"},
    {"SalesBreakdownItem",
     "key:str label:str actual:num previous:num growth_pct:num? share_pct:num"},
    {"KpiReport", "period:{from:str to:str days:int elapsed_days:int last_year_from:date "
                  "last_year_to:date} measure:str(amount|quantity) "
                  "unit:str by:str(none|family|region|channel|account|month|owner|team) "
                  "plan_id:int? total:KpiItem items:[KpiItem] group?:SalesGroup"},
    {"KpiItem", "key:str label:str actual:num target:int? attainment_pct:num? run_rate:num "
                "projection:num? projection_pct:num? last_year:num growth_pct:num? "
                "share_of_wallet_pct:num? satisfaction:num? "
                "status:str(on_track|at_risk|off_track|no_target) rank?:int "
                "label_key?:str(kpi_no_team) group?:KpiItemGroup why:KpiWhy"},
    /* by=account&subsidiaries=1 without an account: the row of a group, rolled up (its
     * subsidiaries added, not_visible left out; they keep their own rows: rows overlap, the
     * total counts each account once) */
    {"KpiItemGroup", "subsidiaries:int not_visible:int"},
    /* Why each null figure of a KpiItem is null (only the null ones are present). */
    {"KpiWhy", "target?:str(no_plan|plan_other_year|plan_not_split|not_in_plan) "
               "attainment_pct?:str(no_plan|plan_other_year|plan_not_split|not_in_plan|"
               "target_zero) "
               "projection?:str(no_forecast) "
               "projection_pct?:str(no_plan|plan_other_year|plan_not_split|not_in_plan|"
               "target_zero) "
               "growth_pct?:str(not_started|no_sales_last_year) "
               "share_of_wallet_pct?:str(accounts_only|no_wallet_estimate) "
               "satisfaction?:str(no_surveys|too_few_responses)"},
    {NULL, NULL},
};

static enum kam_err series(struct api_call *c)
{
    struct volume_sel sel;
    int from, to;
    enum kam_err rc = read_sel(c, &sel, &from, &to);
    if (rc)
        return rc;
    enum volume_dim by;
    if (volume_dim_parse(api_query_str(c, "by"), &by))
        return kam_fail(c->ctx->err, KAM_EINVAL, "by",
                        "by must be family, region, channel, account or none");
    int64_t horizon = 0;
    if ((rc = api_query_i64(c, "forecast", 0, &horizon)))
        return rc;
    if (horizon < 0 || horizon > 36)
        return kam_fail(c->ctx->err, KAM_EINVAL, "forecast", "forecast must be 0..36 months");
    struct volume_series *v;
    size_t n;
    const char *unit;
    if ((rc = volume_series(c->ctx, &sel, by, from, to, &v, &n)) ||
        (rc = volume_unit(c->ctx, &sel, &unit)))
        return rc;
    int months = volume_months_between(from, to);
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_kstr(w, "measure", sel.quantity ? "quantity" : "amount");
    jw_kstr(w, "unit", unit);
    jw_kstr(w, "by", dim_name(by));
    jw_key(w, "months");
    jw_arr_begin(w);
    char ms[16];
    for (int i = 0; i < months; i++) {
        month_str(volume_month_add(from, i), ms);
        jw_str(w, ms);
    }
    jw_arr_end(w);
    jw_key(w, "series");
    jw_arr_begin(w);
    for (size_t k = 0; k < n; k++) {
        jw_obj_begin(w);
        jw_kstr(w, "key", v[k].key);
        jw_kstr(w, "label", v[k].label);
        value(w, "total", v[k].total, sel.quantity);
        jw_key(w, "actual");
        jw_arr_begin(w);
        for (int i = 0; i < months; i++)
            jw_fixed(w, v[k].values[i], sel.quantity ? 3 : 2);
        jw_arr_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    if (horizon) {
        /* The forecast starts after the window's history: with the month in progress when
         * the window reaches it, else after the window. */
        int now = volume_this_month(c->ctx);
        int start = to < now ? volume_month_add(to, 1) : now;
        struct volume_forecast f; /* fitted on all history, not only the window's months */
        if ((rc = volume_forecast_sel(c->ctx, &sel, start, (int)horizon, &f)))
            return rc;
        jw_key(w, "forecast");
        jw_obj_begin(w);
        jw_kstr(w, "method", f.method);
        jw_key(w, "months");
        jw_arr_begin(w);
        for (int i = 0; i < f.horizon; i++) {
            month_str(volume_month_add(start, i), ms);
            jw_str(w, ms);
        }
        jw_arr_end(w);
        const struct {
            const char *k;
            const double *v;
        } bands[] = {{"mean", f.mean},
                     {"lo80", f.lo80},
                     {"hi80", f.hi80},
                     {"lo95", f.lo95},
                     {"hi95", f.hi95}};
        for (size_t b = 0; b < sizeof bands / sizeof bands[0]; b++) {
            jw_key(w, bands[b].k);
            jw_arr_begin(w);
            for (int i = 0; i < f.horizon; i++)
                jw_fixed(w, (int64_t)(bands[b].v[i] + (bands[b].v[i] < 0 ? -0.5 : 0.5)),
                         sel.quantity ? 3 : 2);
            jw_arr_end(w);
        }
        jw_key(w, "outliers"); /* history months replaced before fitting (gross errors) */
        jw_arr_begin(w);
        for (int i = 0; i < f.n_outliers; i++) {
            month_str(f.outliers[i], ms);
            jw_str(w, ms);
        }
        jw_arr_end(w);
        jw_obj_end(w);
    }
    if ((rc = group_info(c, &sel)))
        return rc;
    jw_obj_end(w);
    return KAM_OK;
}

/* One row per key of `by` over [from, to], with the same months a year earlier. */
static enum kam_err breakdown(struct api_call *c)
{
    struct volume_sel sel;
    int from, to;
    enum kam_err rc = read_sel(c, &sel, &from, &to);
    if (rc)
        return rc;
    enum volume_dim by;
    if (volume_dim_parse(api_query_str(c, "by"), &by) || by == VD_NONE || by == VD_MONTH)
        return kam_fail(c->ctx->err, KAM_EINVAL, "by",
                        "by must be family, region, channel or account");
    int64_t limit = 0;
    if ((rc = api_query_i64(c, "limit", 50, &limit)))
        return rc;
    if (limit < 1 || limit > VOLUME_MAX_KEYS)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..%d", VOLUME_MAX_KEYS);
    struct volume_total *now, *prev;
    size_t n, np;
    const char *unit;
    if ((rc = volume_totals(c->ctx, &sel, by, from, to, VOLUME_MAX_KEYS * 20, &now, &n)) ||
        (rc = growth_last_year(c->ctx, &sel, by, from, to, &prev, &np)) ||
        (rc = volume_unit(c->ctx, &sel, &unit)))
        return rc;
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += now[i].total;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_kstr(w, "measure", sel.quantity ? "quantity" : "amount");
    jw_kstr(w, "unit", unit);
    jw_kstr(w, "by", dim_name(by));
    char ms[16];
    month_str(from, ms);
    jw_kstr(w, "from", ms);
    month_str(to, ms);
    jw_kstr(w, "to", ms);
    value(w, "total", sum, sel.quantity);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < n && i < (size_t)limit; i++) {
        const struct volume_total *b = volume_total_find(prev, np, now[i].key);
        int64_t before = b ? b->total : 0;
        jw_obj_begin(w);
        jw_kstr(w, "key", now[i].key);
        jw_kstr(w, "label", now[i].label);
        value(w, "actual", now[i].total, sel.quantity);
        value(w, "previous", before, sel.quantity);
        jw_key(w, "growth_pct");
        if (before > 0 && growth_started(c->ctx, from))
            jw_double(w, volume_pct(now[i].total - before, before));
        else
            jw_null(w);
        jw_key(w, "share_pct");
        jw_double(w, volume_pct(now[i].total, sum));
        jw_obj_end(w);
    }
    jw_arr_end(w);
    if ((rc = group_info(c, &sel)))
        return rc;
    jw_obj_end(w);
    return KAM_OK;
}

/* ---- KPIs ---- */

static enum kam_err kpi_read(struct api_call *c, struct target_plan *plan, int *has_plan,
                             struct volume_sel *sel, enum volume_dim *by, enum kpi_group *group,
                             struct kpi_period *per)
{
    int from, to;
    const char *bys = api_query_str(c, "by");
    /* by=account&subsidiaries=1 without an account: groups rolled up (kpi_compute_groups) */
    enum kam_err rc = read_sel_any(c, sel, &from, &to, bys && !strcmp(bys, "account"));
    if (rc)
        return rc;
    *group = 0;
    if (bys && !strcmp(bys, "owner"))
        *group = KPI_BY_OWNER, *by = VD_ACCOUNT;
    else if (bys && !strcmp(bys, "team"))
        *group = KPI_BY_TEAM, *by = VD_ACCOUNT;
    else if (volume_dim_parse(bys, by))
        return kam_fail(c->ctx->err, KAM_EINVAL, "by",
                        "by must be family, region, channel, account, month, owner, team or none");
    int64_t plan_id = 0;
    if ((rc = api_query_i64(c, "plan_id", 0, &plan_id)))
        return rc;
    *has_plan = 0;
    if (plan_id) {
        if ((rc = target_get(c->ctx, plan_id, plan))) {
            if (rc == KAM_ENOTFOUND) {
                kam_error_clear(c->ctx->err);
                return kam_fail(c->ctx->err, KAM_EINVAL, "plan_id", "no such target plan");
            }
            return rc;
        }
        *has_plan = 1;
        if (!api_query_str(c, "measure"))
            sel->quantity = !strcmp(plan->measure, "quantity");
    }
    const char *period = api_query_str(c, "period");
    char def[8];
    snprintf(def, sizeof def, "%04d",
             *has_plan ? (int)plan->year : volume_this_month(c->ctx) / 100);
    if (kpi_period_parse(period ? period : def, per))
        return kam_fail(c->ctx->err, KAM_EINVAL, "period", "period is YYYY, YYYY-Qn or YYYY-MM");
    return KAM_OK;
}

static void kpi_item(struct jw *w, const struct kpi_item *it, int quantity, int rank)
{
    int dec = quantity ? 3 : 2;
    jw_obj_begin(w);
    jw_kstr(w, "key", it->key);
    jw_kstr(w, "label", it->label);
    jw_kfixed(w, "actual", it->actual, dec);
    jw_key(w, "target");
    if (it->has_target)
        jw_i64(w, it->target);
    else
        jw_null(w);
    int rated = it->has_target && !it->why_attainment; /* a target of 0 has no percentage */
    jw_key(w, "attainment_pct");
    if (rated)
        jw_double(w, it->attainment_pct);
    else
        jw_null(w);
    jw_kfixed(w, "run_rate", it->run_rate, dec);
    jw_key(w, "projection");
    if (it->has_projection)
        jw_fixed(w, it->projection, dec);
    else
        jw_null(w);
    jw_key(w, "projection_pct");
    if (rated)
        jw_double(w, it->projection_pct);
    else
        jw_null(w);
    jw_kfixed(w, "last_year", it->last_year, dec);
    jw_key(w, "growth_pct");
    if (it->has_growth)
        jw_double(w, it->growth_pct);
    else
        jw_null(w);
    jw_key(w, "share_of_wallet_pct");
    if (it->has_wallet)
        jw_double(w, it->wallet_pct);
    else
        jw_null(w);
    jw_key(w, "satisfaction");
    if (it->has_sat)
        jw_double(w, it->sat_nps);
    else
        jw_null(w);
    jw_kstr(w, "status", it->status);
    if (rank)
        jw_ki64(w, "rank", it->rank);
    if (it->label_key)
        jw_kstr(w, "label_key", it->label_key);
    if (it->is_group) {
        jw_key(w, "group");
        jw_obj_begin(w);
        jw_ki64(w, "subsidiaries", it->group_subs);
        jw_ki64(w, "not_visible", it->group_hidden);
        jw_obj_end(w);
    }
    jw_key(w, "why");
    jw_obj_begin(w);
    if (!it->has_target) {
        jw_kstr(w, "target", it->why_target);
        jw_kstr(w, "attainment_pct", it->why_target);
        jw_kstr(w, "projection_pct", it->why_target);
    } else if (it->why_attainment) {
        jw_kstr(w, "attainment_pct", it->why_attainment);
        jw_kstr(w, "projection_pct", it->why_attainment);
    }
    if (!it->has_projection)
        jw_kstr(w, "projection", it->why_projection);
    if (!it->has_growth)
        jw_kstr(w, "growth_pct", it->why_growth);
    if (!it->has_wallet)
        jw_kstr(w, "share_of_wallet_pct", it->why_wallet);
    if (!it->has_sat)
        jw_kstr(w, "satisfaction", it->why_sat ? it->why_sat : "no_surveys");
    jw_obj_end(w);
    jw_obj_end(w);
}

/* The report a KPI request asks for (by a dimension, or by account manager / team). */
static enum kam_err kpi_run(struct api_call *c, struct target_plan *plan, int *has_plan,
                            struct volume_sel *sel, struct kpi_period *per, struct kpi_report *r)
{
    enum volume_dim by;
    enum kpi_group group;
    enum kam_err rc = kpi_read(c, plan, has_plan, sel, &by, &group, per);
    if (rc)
        return rc;
    if (group) {
        if ((rc = kpi_compute_people(c->ctx, *has_plan ? plan : NULL, sel, group, per, r)))
            return rc;
        /* lines named by a message key: their label in the request's language */
        enum msg_lang lang = msg_lang_parse(c->req->header(c->req, "Accept-Language"));
        for (size_t i = 0; i < r->n; i++)
            if (r->items[i].label_key) {
                char buf[64];
                msg_render(lang, r->items[i].label_key, NULL, 0, buf, sizeof buf);
                r->items[i].label = arena_strdup(c->ctx->a, buf);
            }
        return KAM_OK;
    }
    if (sel->subsidiaries && !sel->account_id)
        return kpi_compute_groups(c->ctx, *has_plan ? plan : NULL, sel, per, r);
    return kpi_compute(c->ctx, *has_plan ? plan : NULL, sel, by, per, VOLUME_MAX_KEYS, r);
}

static const char *kpi_by_name(const struct kpi_report *r)
{
    return r->group == KPI_BY_OWNER ? "owner" : r->group == KPI_BY_TEAM ? "team" : dim_name(r->by);
}

static enum kam_err kpis(struct api_call *c)
{
    struct target_plan plan;
    int has_plan;
    struct volume_sel sel;
    struct kpi_period per;
    struct kpi_report r;
    const char *unit;
    enum kam_err rc;
    if ((rc = kpi_run(c, &plan, &has_plan, &sel, &per, &r)) ||
        (rc = volume_unit(c->ctx, &sel, &unit)))
        return rc;
    int64_t lf, lt;
    growth_window(c->ctx, per.from, per.to, &lf, &lt);
    struct jw *w = &c->w;
    char ms[16];
    jw_obj_begin(w);
    jw_key(w, "period");
    jw_obj_begin(w);
    month_str(per.from, ms);
    jw_kstr(w, "from", ms);
    month_str(per.to, ms);
    jw_kstr(w, "to", ms);
    jw_ki64(w, "days", r.period.days);
    jw_ki64(w, "elapsed_days", r.period.elapsed);
    char day[16];
    int yy, mm, dd;
    days_to_date(lf, &yy, &mm, &dd);
    snprintf(day, sizeof day, "%04d-%02d-%02d", yy, mm, dd);
    jw_kstr(w, "last_year_from", day);
    days_to_date(lt, &yy, &mm, &dd);
    snprintf(day, sizeof day, "%04d-%02d-%02d", yy, mm, dd);
    jw_kstr(w, "last_year_to", day);
    jw_obj_end(w);
    jw_kstr(w, "measure", sel.quantity ? "quantity" : "amount");
    jw_kstr(w, "unit", unit);
    jw_kstr(w, "by", kpi_by_name(&r));
    jw_ki64n(w, "plan_id", has_plan ? plan.id : 0, !has_plan);
    jw_key(w, "total");
    kpi_item(w, &r.total, sel.quantity, 0);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < r.n; i++)
        kpi_item(w, &r.items[i], sel.quantity, r.group != 0);
    jw_arr_end(w);
    if ((rc = group_info(c, &sel)))
        return rc;
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err kpis_export(struct api_call *c)
{
    struct target_plan plan;
    int has_plan;
    struct volume_sel sel;
    struct kpi_period per;
    struct kpi_report r;
    enum kam_err rc;
    if ((rc = kpi_run(c, &plan, &has_plan, &sel, &per, &r)))
        return rc;
    /* Groups rolled up: a last column, the subsidiaries a group's row adds (empty: alone); lines
     * by owner or team: a last column, their rank (empty on the total). */
    static const char *header[] = {
        "key",         "label",          "actual",    "target",     "attainment_pct",
        "projection",  "projection_pct", "last_year", "growth_pct", "status",
        "subsidiaries"};
    static const char *header_people[] = {
        "key",        "label",          "actual",    "target",     "attainment_pct",
        "projection", "projection_pct", "last_year", "growth_pct", "status",
        "rank"};
    int people = r.group != 0;
    int groups = !people && sel.subsidiaries && !sel.account_id;
    struct export_table t;
    export_init(&t, c->ctx, "KPI", people ? header_people : header, groups || people ? 11 : 10);
    int dec = sel.quantity ? 3 : 2;
    for (size_t i = 0; i <= r.n; i++) {
        const struct kpi_item *it = i < r.n ? &r.items[i] : &r.total;
        struct export_cell *x = export_row(&t, c->ctx);
        x[0].text = i < r.n ? it->key : "total";
        x[1].text = it->label;
        x[2] = (struct export_cell){NULL, it->actual, dec};
        if (it->has_target && it->why_attainment) { /* a target of 0: no percentages */
            x[3] = (struct export_cell){NULL, it->target, 0};
            x[4].text = x[6].text = "";
        } else if (it->has_target) {
            x[3] = (struct export_cell){NULL, it->target, 0};
            x[4] = (struct export_cell){NULL, (int64_t)(it->attainment_pct * 10), 1};
            x[6] = (struct export_cell){NULL, (int64_t)(it->projection_pct * 10), 1};
        } else {
            x[3].text = x[4].text = x[6].text = "";
        }
        if (it->has_projection)
            x[5] = (struct export_cell){NULL, it->projection, dec};
        else
            x[5].text = "";
        x[7] = (struct export_cell){NULL, it->last_year, dec};
        if (it->has_growth)
            x[8] = (struct export_cell){NULL, (int64_t)(it->growth_pct * 10), 1};
        else
            x[8].text = "";
        x[9].text = it->status;
        if (groups && it->is_group)
            x[10] = (struct export_cell){NULL, it->group_subs, 0};
        else if (groups)
            x[10].text = "";
        if (people && i < r.n)
            x[10] = (struct export_cell){NULL, it->rank, 0};
        else if (people)
            x[10].text = "";
    }
    char name[48];
    snprintf(name, sizeof name, "kpi-%d-%d", per.from, per.to);
    if ((rc = export_pick(c->ctx, &t, api_query_str(c, "columns")))) /* issue 12 */
        return rc;
    return api_send_file(c, &t, api_query_str(c, "format"), name);
}

static const char *const series_query[] = {"measure",    "family",       "region", "channel",
                                           "account_id", "subsidiaries", "from",   "to",
                                           "by",         "forecast",     NULL};
static const char *const breakdown_query[] = {"measure",    "family",       "region", "channel",
                                              "account_id", "subsidiaries", "from",   "to",
                                              "by",         "limit",        NULL};

static const char *const kpi_query[] = {"plan_id",      "by",     "period",  "measure",
                                        "family",       "region", "channel", "account_id",
                                        "subsidiaries", NULL};
static const char *const kpi_export_query[] = {"plan_id",      "by",     "period",  "measure",
                                               "family",       "region", "channel", "account_id",
                                               "subsidiaries", "format", "columns", NULL};

const struct route api_routes_volume[] = {
    {"GET", "/api/v1/kpis", kpis, OBJ_SALES, ACT_READ, SCOPE_NONE, NULL, kpi_query, 200,
     "Actual vs target, attainment, run-rate and forecast projections, share of wallet",
     "KpiReport"},
    {"GET", "/api/v1/kpis/export", kpis_export, OBJ_SALES, ACT_READ, SCOPE_NONE, NULL,
     kpi_export_query, 200, "The KPI table as a file: format=xlsx or csv", "csv"},
    {"GET", "/api/v1/sales/series", series, OBJ_SALES, ACT_READ, SCOPE_NONE, NULL, series_query,
     200,
     "Monthly actuals of the caller's accounts, split by a dimension, with a forecast of the "
     "total (80/95 % intervals)",
     "SalesSeries"},
    {"GET", "/api/v1/sales/breakdown", breakdown, OBJ_SALES, ACT_READ, SCOPE_NONE, NULL,
     breakdown_query, 200, "Actuals by family, region, channel or account against a year before",
     "SalesBreakdown"},
    {0},
};
