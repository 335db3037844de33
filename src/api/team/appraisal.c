/* appraisal.c -- routes of the account team chapter: appraisal schemes, scorecards computed from
 * the records, calibration (F6.3): decode, call svc/team, render. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api/core/internal.h"
#include "base/timeutil.h"
#include "svc/team/scheme.h"
#include "svc/team/scorecard.h"

_Static_assert(SCORECARD_USERS_MAX == API_MAX_IDS, "user_ids is a J_IDS array");

#define KINDS                                                                                      \
    "volume_attainment|growth|share_of_wallet|satisfaction|visits_vs_cadence|interactions|"        \
    "issue_sla|follow_ups_closed|breaches_disputes|training_completed|manual"
#define STATUSES "draft|review|acknowledged|calibrated|final"

const struct api_shape api_shapes_appraisal[] = {
    {"AppraisalScheme", "id:int name:str role:str period_kind:str(quarter|year) active:bool "
                        "version:int indicators_version:int indicators:[AppraisalIndicator] "
                        "scorecards:int created_at:ts updated_at:ts"},
    {"AppraisalIndicator", "id:int position:int kind:str(" KINDS ") label:str weight_bp:int "
                           "threshold:int target:int stretch:int cap_score:int "
                           "lower_better:bool"},
    {"Scorecard",
     "id:int scheme_id:int scheme_name:str user_id:int user_name:str period:str "
     "period_start:date period_end:date status:str(" STATUSES ") score:int? computed_score:int? "
     "scheme_version:int computed_at:ts? comment:str acknowledged_at:ts? finalised_at:ts? "
     "finalised_by:int? version:int created_at:ts updated_at:ts lines?:[ScorecardLine] "
     "adjustments?:[ScorecardAdjustment]"},
    {"ScorecardLine",
     "indicator_id:int position:int kind:str(" KINDS ") label:str weight_bp:int threshold:int "
     "target:int stretch:int cap_score:int lower_better:bool measured:int? basis:int? "
     "actual:int? attainment_bp:int? score:int? weighted:int? "
     "why:str(no_target|no_sales_last_year|no_wallet_estimate|no_responses|nothing_due|"
     "no_issues|no_follow_ups|not_assessed)? explanation:str facts:ScorecardLineFacts "
     "records:str"},
    {"ScorecardLineFacts", "order_lines?:int plan_id?:int accounts?:int promoters?:int "
                           "detractors?:int cured_or_won?:int"},
    {"ScorecardAdjustment", "id:int old_score:int? new_score:int reason:str adjusted_by:int? "
                            "adjusted_by_name:str created_at:ts"},
    {"ScorecardRecord", "id:int side:str(actual|basis|wallet|info) ref_kind:str ref_id:int "
                        "day:date? account_id:int? account_name:str? value:int note:str"},
    {"ScorecardCompute", "created:int refreshed:int skipped:int items:[Scorecard]"},
    {"ScoreBand", "band:str(below|partly|meets|exceeds|outstanding) from:int to:int? n:int"},
    {"ScoreQuantiles", "p10:int p25:int p50:int p75:int p90:int"},
    {"ScorecardCalibration",
     "scheme_id:int period:str team_id:int? n:int mean:int? min:int? max:int? "
     "quantiles:ScoreQuantiles? bands:[ScoreBand] items:[Scorecard]"},
    {NULL, NULL},
};

/* ---- bodies ---- */

#define IF(f) offsetof(struct scheme_indicator, f)
static const struct jfield indicator_spec[] = {
    {"kind", J_STR, SI_KIND, IF(kind), 0, 0, 0,
     "volume_attainment | growth | share_of_wallet | satisfaction | visits_vs_cadence | "
     "interactions | issue_sla | follow_ups_closed | breaches_disputes | training_completed | "
     "manual (a computed kind at most once)",
     1},
    {"label", J_STR, SI_LABEL, IF(label), 0, 0, 1, "<= 100 characters"},
    {"weight_bp", J_I64, SI_WEIGHT, IF(weight_bp), 0, 0, 0,
     "basis points 1..10000; the indicators' weights add up to 10000", 1},
    {"threshold", J_I64, SI_THRESHOLD, IF(threshold), 0, 0, 0,
     "in the indicator's unit: below it the score is 0", 1},
    {"target", J_I64, SI_TARGET, IF(target), 0, 0, 0, "the value that scores 10000 (100.00)", 1},
    {"stretch", J_I64, SI_STRETCH, IF(stretch), 0, 0, 0, "the value that scores cap_score", 1},
    {"cap_score", J_I64, SI_CAP, IF(cap_score), 0, 0, 0,
     "the highest score, 10000..30000 (default 15000)"},
    {"lower_better", J_BOOL, SI_LOWER, IF(lower_better), 0, 0, 0,
     "lower is better (threshold >= target >= stretch); default false"},
    {0},
};

#define SF(f) offsetof(struct scheme_in, v.f)
#define SB(f) offsetof(struct scheme_in, f)
static const struct jfield scheme_spec[] = {
    {"name", J_STR, SC_NAME, SF(name), 0, 0, 0, "1-200 characters", 1},
    {"role", J_STR, SC_ROLE, SF(role), 0, 0, 0,
     "the role whose people it appraises (account_manager, team_lead, ...)", 1},
    {"period_kind", J_STR, SC_PERIOD, SF(period_kind), 0, 0, 0, "quarter | year; cannot change", 1},
    {"active", J_BOOL, SC_ACTIVE, SF(active), 0, 0, 0, "default true; inactive: no compute"},
    {"indicators", J_OBJS, SC_INDICATORS, SB(ind), SB(n_ind), sizeof(struct scheme_indicator), 0,
     "the weighted indicators, replaced whole (a new indicator version), 1..20", 1, indicator_spec,
     SCHEME_INDICATORS_MAX},
    {"version", J_I64, SC_VERSION, SF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

#define CF(f) offsetof(struct scorecard_compute_in, f)
static const struct jfield compute_spec[] = {
    {"scheme_id", J_I64, SCC_SCHEME, CF(scheme_id), 0, 0, 0, "the scheme", 1},
    {"period", J_STR, SCC_PERIOD, CF(period), 0, 0, 0,
     "2026Q3 (a quarterly scheme) or 2026 (a yearly one)", 1},
    {"user_ids", J_IDS, SCC_USERS, CF(user_ids), CF(n_users), CF(users_given), 0,
     "the people (default: everyone of the scheme's role in the caller's scope, at most 500)"},
    {0},
};

#define MF(f) offsetof(struct scorecard_manual, f)
static const struct jfield manual_spec[] = {
    {"indicator_id", J_I64, SCM_INDICATOR, MF(indicator_id), 0, 0, 0, "a manual line", 1},
    {"value", J_I64, SCM_VALUE, MF(value), MF(has_value), 0, 1,
     "the assessed value in the indicator's unit (null: not assessed)", 1},
    {0},
};

#define PF(f) offsetof(struct scorecard_in, f)
static const struct jfield card_spec[] = {
    {"comment", J_STR, SCI_COMMENT, PF(comment), 0, 0, 1,
     "the manager's comment, <= 4000 characters (until final)"},
    {"manual", J_OBJS, SCI_MANUAL, PF(manual), PF(n_manual), sizeof(struct scorecard_manual), 0,
     "values of manual indicators (draft only; the score is recomputed)", 0, manual_spec,
     SCHEME_INDICATORS_MAX},
    {"version", J_I64, SCI_VERSION, PF(version), 0, 0, 0,
     "the version you read (409 if it changed)"},
    {0},
};

struct calib_in {
    unsigned set;
    int64_t score;
    const char *reason;
};
static const struct jfield calibrate_spec[] = {
    {"score", J_I64, 1, offsetof(struct calib_in, score), 0, 0, 0,
     "the calibrated score in hundredths, 0..30000", 1},
    {"reason", J_STR, 2, offsetof(struct calib_in, reason), 0, 0, 0, "why, 1-500 characters", 1},
    {0},
};

/* ---- renderers ---- */

static void render_scheme(struct jw *w, const struct scheme *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "name", x->name);
    jw_kstr(w, "role", x->role);
    jw_kstr(w, "period_kind", x->period_kind);
    jw_kbool(w, "active", x->active);
    jw_ki64(w, "version", x->version);
    jw_ki64(w, "indicators_version", x->indicators_version);
    jw_key(w, "indicators");
    jw_arr_begin(w);
    for (size_t i = 0; i < x->n_indicators; i++) {
        const struct scheme_indicator *d = &x->indicators[i];
        jw_obj_begin(w);
        jw_ki64(w, "id", d->id);
        jw_ki64(w, "position", d->position);
        jw_kstr(w, "kind", d->kind);
        jw_kstr(w, "label", d->label);
        jw_ki64(w, "weight_bp", d->weight_bp);
        jw_ki64(w, "threshold", d->threshold);
        jw_ki64(w, "target", d->target);
        jw_ki64(w, "stretch", d->stretch);
        jw_ki64(w, "cap_score", d->cap_score);
        jw_kbool(w, "lower_better", d->lower_better);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ki64(w, "scorecards", x->n_scorecards);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static void render_line(struct jw *w, int64_t sc, const struct appr_line *l)
{
    jw_obj_begin(w);
    jw_ki64(w, "indicator_id", l->indicator_id);
    jw_ki64(w, "position", l->position);
    jw_kstr(w, "kind", l->kind);
    jw_kstr(w, "label", l->label);
    jw_ki64(w, "weight_bp", l->weight_bp);
    jw_ki64(w, "threshold", l->curve.threshold);
    jw_ki64(w, "target", l->curve.target);
    jw_ki64(w, "stretch", l->curve.stretch);
    jw_ki64(w, "cap_score", l->curve.cap_score);
    jw_kbool(w, "lower_better", l->curve.lower_better);
    jw_ki64n(w, "measured", l->measured, !l->has_measured);
    jw_ki64n(w, "basis", l->basis, !l->has_basis);
    jw_ki64n(w, "actual", l->actual, !l->has_actual);
    jw_ki64n(w, "attainment_bp", l->attainment_bp, !l->has_attainment);
    jw_ki64n(w, "score", l->score, !l->has_score);
    jw_ki64n(w, "weighted", l->weighted, !l->has_weighted);
    jw_kstr(w, "why", l->why);
    jw_kstr(w, "explanation", l->explanation);
    /* the counts the explanation names: a JSON object of integers that indicator.c wrote,
     * written again member by member (a column edited into anything else gives {}) */
    jw_key(w, "facts");
    jw_obj_begin(w);
    json_t *facts = l->facts && *l->facts ? json_loads(l->facts, 0, NULL) : NULL;
    const char *fk;
    json_t *fv;
    if (json_is_object(facts)) {
        json_object_foreach(facts, fk, fv)
        {
            if (json_is_integer(fv))
                jw_ki64(w, fk, (int64_t)json_integer_value(fv));
        }
    }
    json_decref(facts);
    jw_obj_end(w);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/scorecards/%lld/lines/%lld/records", (long long)sc,
             (long long)l->indicator_id);
    jw_kstr(w, "records", path);
    jw_obj_end(w);
}

static void render_card(struct jw *w, const struct scorecard *x, int detail)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "scheme_id", x->scheme_id);
    jw_kstr(w, "scheme_name", x->scheme_name);
    jw_ki64(w, "user_id", x->user_id);
    jw_kstr(w, "user_name", x->user_name);
    jw_kstr(w, "period", x->period);
    jw_kstr(w, "period_start", x->period_start);
    jw_kstr(w, "period_end", x->period_end);
    jw_kstr(w, "status", x->status);
    jw_ki64n(w, "score", x->score, !x->has_score);
    jw_ki64n(w, "computed_score", x->computed_score, !x->has_computed_score);
    jw_ki64(w, "scheme_version", x->scheme_version);
    jw_ktime_opt(w, "computed_at", x->computed_at, x->has_computed_at);
    jw_kstr(w, "comment", x->comment);
    jw_ktime_opt(w, "acknowledged_at", x->acknowledged_at, x->has_acknowledged);
    jw_ktime_opt(w, "finalised_at", x->finalised_at, x->has_finalised);
    jw_ki64n(w, "finalised_by", x->finalised_by, !x->has_finalised || x->finalised_by <= 0);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    if (detail) {
        jw_key(w, "lines");
        jw_arr_begin(w);
        for (size_t i = 0; i < x->n_lines; i++)
            render_line(w, x->id, &x->lines[i]);
        jw_arr_end(w);
        jw_key(w, "adjustments");
        jw_arr_begin(w);
        for (size_t i = 0; i < x->n_adj; i++) {
            const struct scorecard_adj *j = &x->adj[i];
            jw_obj_begin(w);
            jw_ki64(w, "id", j->id);
            jw_ki64n(w, "old_score", j->old_score, !j->has_old);
            jw_ki64(w, "new_score", j->new_score);
            jw_kstr(w, "reason", j->reason);
            jw_ki64n(w, "adjusted_by", j->adjusted_by, !j->has_by);
            jw_kstr(w, "adjusted_by_name", j->by_name);
            jw_ktime(w, "created_at", j->created_at);
            jw_obj_end(w);
        }
        jw_arr_end(w);
    }
    jw_obj_end(w);
}

static enum kam_err paging(struct api_call *c, int64_t *limit)
{
    enum kam_err rc = api_query_i64(c, "limit", 0, limit);
    if (!rc && http_query(c->req, "limit") && *limit == 0)
        rc = kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    return rc;
}

/* ---- schemes ---- */

static enum kam_err sc_list(struct api_call *c)
{
    struct scheme_query q = {
        .role = api_query_str(c, "role"), .active = -1, .cursor = api_query_str(c, "cursor")};
    const char *act = api_query_str(c, "active");
    if (act) {
        if (!strcmp(act, "true") || !strcmp(act, "1"))
            q.active = 1;
        else if (!strcmp(act, "false") || !strcmp(act, "0"))
            q.active = 0;
        else
            return kam_fail(c->ctx->err, KAM_EINVAL, "active", "active is true or false");
    }
    enum kam_err rc = paging(c, &q.limit);
    if (rc)
        return rc;
    struct scheme *items;
    size_t n;
    const char *next;
    if ((rc = scheme_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_scheme(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err sc_create(struct api_call *c)
{
    struct scheme_in in = {0};
    enum kam_err rc = api_decode(c, scheme_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & SC_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    if (!(in.set & SC_ACTIVE))
        in.v.active = 1;
    struct scheme out;
    if ((rc = scheme_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_scheme(&c->w, &out);
    return KAM_OK;
}

static enum kam_err sc_get(struct api_call *c)
{
    struct scheme out;
    enum kam_err rc = scheme_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_scheme(&c->w, &out);
    return rc;
}

static enum kam_err sc_patch(struct api_call *c)
{
    struct scheme_in in = {0};
    enum kam_err rc = api_decode(c, scheme_spec, &in, &in.set);
    if (rc)
        return rc;
    struct scheme out;
    if ((rc = scheme_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_scheme(&c->w, &out);
    return KAM_OK;
}

static enum kam_err sc_del(struct api_call *c)
{
    enum kam_err rc = scheme_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

/* ---- scorecards ---- */

static enum kam_err card_compute(struct api_call *c)
{
    struct scorecard_compute_in in = {0};
    enum kam_err rc = api_decode(c, compute_spec, &in, &in.set);
    if (rc)
        return rc;
    struct scorecard_compute_out out;
    if ((rc = scorecard_compute(c->ctx, &in, &out)))
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "created", out.created);
    jw_ki64(&c->w, "refreshed", out.refreshed);
    jw_ki64(&c->w, "skipped", out.skipped);
    jw_key(&c->w, "items");
    jw_arr_begin(&c->w);
    for (size_t i = 0; i < out.n; i++)
        render_card(&c->w, &out.items[i], 0);
    jw_arr_end(&c->w);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err card_list_q(struct api_call *c, struct scorecard_query *q)
{
    q->status = api_query_str(c, "status");
    q->period = api_query_str(c, "period");
    q->cursor = api_query_str(c, "cursor");
    if (!q->sort)
        q->sort = api_query_str(c, "sort");
    enum kam_err rc;
    if ((rc = paging(c, &q->limit)) || (rc = api_query_i64(c, "scheme_id", 0, &q->scheme_id)))
        return rc;
    struct scorecard *items;
    size_t n;
    const char *next;
    if ((rc = scorecard_list(c->ctx, q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_card(&c->w, &items[i], 0);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err card_list(struct api_call *c)
{
    struct scorecard_query q = {0};
    enum kam_err rc = api_query_user(c, "user_id", &q.user_id);
    if (rc)
        return rc;
    return card_list_q(c, &q);
}

static enum kam_err card_history(struct api_call *c)
{
    struct scorecard_query q = {.user_id = c->id[0]};
    q.sort = api_query_str(c, "sort");
    if (!q.sort)
        q.sort = "-period_start";
    return card_list_q(c, &q);
}

static enum kam_err card_get(struct api_call *c)
{
    struct scorecard out;
    enum kam_err rc = scorecard_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_card(&c->w, &out, 1);
    return rc;
}

static enum kam_err card_patch(struct api_call *c)
{
    struct scorecard_in in = {0};
    enum kam_err rc = api_decode(c, card_spec, &in, &in.set);
    if (rc)
        return rc;
    struct scorecard out;
    if ((rc = scorecard_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_card(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err card_step(struct api_call *c,
                              enum kam_err (*fn)(struct kam_ctx *, int64_t, struct scorecard *))
{
    struct scorecard out;
    enum kam_err rc = fn(c->ctx, c->id[0], &out);
    if (!rc)
        render_card(&c->w, &out, 1);
    return rc;
}

static enum kam_err card_submit(struct api_call *c)
{
    return card_step(c, scorecard_submit);
}

static enum kam_err card_ack(struct api_call *c)
{
    return card_step(c, scorecard_acknowledge);
}

static enum kam_err card_final(struct api_call *c)
{
    return card_step(c, scorecard_finalise);
}

static enum kam_err card_calibrate(struct api_call *c)
{
    struct calib_in in = {0};
    enum kam_err rc = api_decode(c, calibrate_spec, &in, &in.set);
    if (rc)
        return rc;
    struct scorecard out;
    if ((rc = scorecard_calibrate(c->ctx, c->id[0], in.score, (in.set & 1) != 0, in.reason, &out)))
        return rc;
    render_card(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err card_records(struct api_call *c)
{
    struct scorecard_record_query q = {.side = api_query_str(c, "side"),
                                       .cursor = api_query_str(c, "cursor")};
    enum kam_err rc = paging(c, &q.limit);
    if (rc)
        return rc;
    struct scorecard_record *items;
    size_t n;
    const char *next;
    if ((rc = scorecard_records(c->ctx, c->id[0], c->id[1], &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++) {
        const struct scorecard_record *r = &items[i];
        jw_obj_begin(&c->w);
        jw_ki64(&c->w, "id", r->id);
        jw_kstr(&c->w, "side", r->side);
        jw_kstr(&c->w, "ref_kind", r->ref_kind);
        jw_ki64(&c->w, "ref_id", r->ref_id);
        if (r->has_day) {
            int y, m, d;
            char day[16];
            days_to_date(r->day, &y, &m, &d);
            snprintf(day, sizeof day, "%04d-%02d-%02d", y, m, d);
            jw_kstr(&c->w, "day", day);
        } else {
            jw_kstr(&c->w, "day", NULL);
        }
        jw_ki64n(&c->w, "account_id", r->account_id, !r->has_account);
        jw_kstr(&c->w, "account_name", r->account_name);
        jw_ki64(&c->w, "value", r->value);
        jw_kstr(&c->w, "note", r->note);
        jw_obj_end(&c->w);
    }
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err card_calibration(struct api_call *c)
{
    int64_t scheme_id = 0, team_id = 0;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "scheme_id", 0, &scheme_id)) ||
        (rc = api_query_i64(c, "team_id", 0, &team_id)))
        return rc;
    struct scorecard_calibration out;
    if ((rc = scorecard_calibration(c->ctx, scheme_id, api_query_str(c, "period"), team_id, &out)))
        return rc;
    struct jw *w = &c->w;
    int none = out.n == 0;
    jw_obj_begin(w);
    jw_ki64(w, "scheme_id", out.scheme_id);
    jw_kstr(w, "period", out.period);
    jw_ki64n(w, "team_id", out.team_id, !out.team_id);
    jw_ki64(w, "n", out.n);
    jw_ki64n(w, "mean", out.mean, none);
    jw_ki64n(w, "min", out.min, none);
    jw_ki64n(w, "max", out.max, none);
    jw_key(w, "quantiles");
    if (none) {
        jw_null(w);
    } else {
        jw_obj_begin(w);
        jw_ki64(w, "p10", out.p10);
        jw_ki64(w, "p25", out.p25);
        jw_ki64(w, "p50", out.p50);
        jw_ki64(w, "p75", out.p75);
        jw_ki64(w, "p90", out.p90);
        jw_obj_end(w);
    }
    jw_key(w, "bands");
    jw_arr_begin(w);
    for (int k = 0; k < SCORECARD_BANDS; k++) {
        jw_obj_begin(w);
        jw_kstr(w, "band", scorecard_bands[k]);
        jw_ki64(w, "from", scorecard_band_from[k]);
        jw_ki64n(w, "to", k + 1 < SCORECARD_BANDS ? scorecard_band_from[k + 1] : 0,
                 k + 1 >= SCORECARD_BANDS);
        jw_ki64(w, "n", out.band_n[k]);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < out.n_items; i++)
        render_card(w, &out.items[i], 0);
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static const char *const sc_list_query[] = {"role", "active", "limit", "cursor", NULL};
static const char *const card_list_query[] = {"scheme_id", "user_id", "period", "status",
                                              "sort",      "limit",   "cursor", NULL};
static const char *const hist_query[] = {"scheme_id", "period", "status", "sort",
                                         "limit",     "cursor", NULL};
static const char *const rec_query[] = {"side", "limit", "cursor", NULL};
static const char *const calib_query[] = {"scheme_id", "period", "team_id", NULL};
static const char *sc_export_query[API_EXPORT_QUERY_MAX];
static const char *card_export_query[API_EXPORT_QUERY_MAX];

#define EXPORT_DOC                                                                                 \
    " over all its pages, with its filters and sort, as a file: format=csv (default) or xlsx; "    \
    "columns=key[:label],...; lang=zh-CN|zh-TW|en; raw=1 keeps stored values"

const struct route api_routes_appraisal[] = {
    {"GET", "/api/v1/appraisal-schemes", sc_list, OBJ_SCHEME, ACT_READ, SCOPE_NONE, NULL,
     sc_list_query, 200, "Appraisal schemes with their current indicators: role, active",
     "[AppraisalScheme]"},
    {"GET", "/api/v1/appraisal-schemes/export", api_list_export, OBJ_SCHEME, ACT_READ, SCOPE_NONE,
     NULL, sc_export_query, 200, "The appraisal schemes list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/appraisal-schemes", sc_create, OBJ_SCHEME, ACT_CREATE, SCOPE_NONE,
     scheme_spec, NULL, 201,
     "A scheme per role and period kind with weighted indicators (weights add up to 10000 bp) "
     "and their scoring curves",
     "AppraisalScheme"},
    {"GET", "/api/v1/appraisal-schemes/:id", sc_get, OBJ_SCHEME, ACT_READ, SCOPE_NONE, NULL, NULL,
     200, "One scheme with its current indicators", "AppraisalScheme"},
    {"PATCH", "/api/v1/appraisal-schemes/:id", sc_patch, OBJ_SCHEME, ACT_UPDATE, SCOPE_NONE,
     scheme_spec, NULL, 200,
     "Change a scheme (name, role, active; indicators replaced whole as a new version)",
     "AppraisalScheme"},
    {"DELETE", "/api/v1/appraisal-schemes/:id", sc_del, OBJ_SCHEME, ACT_DELETE, SCOPE_NONE, NULL,
     NULL, 204, "Delete a scheme without scorecards (409 scheme.in_use: set it inactive)", "-"},
    {"POST", "/api/v1/scorecards/compute", card_compute, OBJ_SCORECARD, ACT_CREATE, SCOPE_NONE,
     compute_spec, NULL, 200,
     "Compute (create or refresh) the draft scorecards of a scheme and period from the records",
     "ScorecardCompute"},
    {"GET", "/api/v1/scorecards", card_list, OBJ_SCORECARD, ACT_READ, SCOPE_NONE, NULL,
     card_list_query, 200,
     "Scorecards the caller may read (their own; a lead their team's; hr, director all): "
     "scheme_id, user_id (or me), period, status; sort id | period_start (default -id)",
     "[Scorecard]"},
    {"GET", "/api/v1/scorecards/export", api_list_export, OBJ_SCORECARD, ACT_READ, SCOPE_NONE, NULL,
     card_export_query, 200, "The scorecards list" EXPORT_DOC, "csv"},
    {"GET", "/api/v1/scorecards/calibration", card_calibration, OBJ_SCORECARD, ACT_READ, SCOPE_NONE,
     NULL, calib_query, 200,
     "The distribution of a scheme's scores for a period (n, mean, quantiles, rating bands) over "
     "the scorecards the caller may read, of one team and its subteams with team_id",
     "ScorecardCalibration"},
    {"GET", "/api/v1/scorecards/:id", card_get, OBJ_SCORECARD, ACT_READ, SCOPE_SCORECARD, NULL,
     NULL, 200, "One scorecard with its lines and calibration adjustments", "Scorecard"},
    {"PATCH", "/api/v1/scorecards/:id", card_patch, OBJ_SCORECARD, ACT_UPDATE, SCOPE_SCORECARD,
     card_spec, NULL, 200,
     "The manager's manual indicator values (draft) and comment (not on one's own scorecard)",
     "Scorecard"},
    {"GET", "/api/v1/scorecards/:id/lines/:indicator/records", card_records, OBJ_SCORECARD,
     ACT_READ, SCOPE_SCORECARD, NULL, rec_query, 200,
     "The records behind a line (order lines, target cells, visits, issues, ...): side "
     "actual | basis | wallet | info; in id order",
     "[ScorecardRecord]"},
    {"POST", "/api/v1/scorecards/:id/submit", card_submit, OBJ_SCORECARD, ACT_UPDATE,
     SCOPE_SCORECARD, NULL, NULL, 200,
     "Send a draft to the person for review (409 scorecard.not_draft)", "Scorecard"},
    {"POST", "/api/v1/scorecards/:id/acknowledge", card_ack, OBJ_SCORECARD, ACT_UPDATE,
     SCOPE_SCORECARD, NULL, NULL, 200,
     "The person acknowledges their scorecard in review (only they: 403 scorecard.not_yours)",
     "Scorecard"},
    {"POST", "/api/v1/scorecards/:id/calibrate", card_calibrate, OBJ_SCORECARD, ACT_UPDATE,
     SCOPE_SCORECARD, calibrate_spec, NULL, 200,
     "Set the score with its reason (the team's lead, the director, hr; kept old -> new)",
     "Scorecard"},
    {"POST", "/api/v1/scorecards/:id/finalise", card_final, OBJ_SCORECARD, ACT_UPDATE,
     SCOPE_SCORECARD, NULL, NULL, 200, "Make a submitted scorecard final", "Scorecard"},
    {"GET", "/api/v1/users/:id/scorecards", card_history, OBJ_SCORECARD, ACT_READ, SCOPE_USER, NULL,
     hist_query, 200, "A person's scorecards of every period, newest period first", "[Scorecard]"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/appraisal-schemes/export", sc_export_query);
    api_list_export_query("/api/v1/scorecards/export", card_export_query);
}
