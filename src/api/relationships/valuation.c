/* valuation.c -- /api/v1/accounts/:id/valuation, screening, criteria, thresholds, preview. */
#include <stddef.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/core/msg.h"
#include "svc/relationships/valuation.h"

#define TIER "str(strategic|key|growth|maintain)"
#define CRITERION_FIELDS                                                                           \
    "key:str name_zh:str name_zh_tw:str name_en:str kind:str(manual|computed) weight:int "         \
    "active:bool"

const struct api_shape api_shapes_valuation[] = {
    /* score and suggested_tier null until the account can be scored, computed_at until it
     * was */
    {"Valuation", "account_id:int score:int? tier:" TIER " suggested_tier:" TIER "? "
                  "tier_locked:bool computed_at:ts? contributions:[Contribution] "
                  "history:[TierChange] inputs:ValuationInputs"},
    /* The computed criteria's inputs (yuan): the account alone and, for a group, with the
     * subsidiaries the caller may read; not_visible: those left out (the score counts them). */
    {"ValuationInputs", "subsidiaries:int not_visible:int alone:ValuationFigures "
                        "group?:ValuationFigures"},
    {"ValuationFigures", "sales_12m:num sales_prev_12m:num wallet:num?"},
    {"Contribution", CRITERION_FIELDS " value:int? points:num"},
    {"TierChange", "from_tier:" TIER "? to_tier:" TIER " score:int? reason:str user_id:int? at:ts"},
    {"Criterion", "id:int " CRITERION_FIELDS},
    {"TierThresholds", "strategic:int key:int growth:int"},
    {"ValuationPreview", "accounts_scored:int changes:[{account_id:int name:str tier:" TIER
                         " new_tier:" TIER " score:int new_score:int}]"},
    {NULL, NULL},
};

static void figures(struct jw *w, const char *k, const struct valuation_figures *f)
{
    jw_key(w, k);
    jw_obj_begin(w);
    jw_kfixed(w, "sales_12m", f->sales_12m, 2);
    jw_kfixed(w, "sales_prev_12m", f->sales_prev, 2);
    jw_key(w, "wallet");
    if (f->has_wallet)
        jw_fixed(w, f->wallet, 2);
    else
        jw_null(w);
    jw_obj_end(w);
}

static void render(struct jw *w, const struct valuation *v, const struct tier_change *h, size_t nh,
                   const struct valuation_inputs *in)
{
    jw_obj_begin(w);
    jw_ki64(w, "account_id", v->account_id);
    jw_ki64n(w, "score", v->score, !v->has_score);
    jw_kstr(w, "tier", v->tier);
    jw_kstr(w, "suggested_tier", v->suggested_tier);
    jw_kbool(w, "tier_locked", v->tier_locked);
    jw_ktime(w, "computed_at", v->computed_at);
    jw_key(w, "contributions");
    jw_arr_begin(w);
    char hant[512]; /* name_zh in Traditional characters (OpenCC: svc/core/msg.c) */
    for (int i = 0; i < v->nparts; i++) {
        const struct contribution *p = &v->parts[i];
        jw_obj_begin(w);
        jw_kstr(w, "key", p->c->key);
        jw_kstr(w, "name_zh", p->c->name_zh);
        jw_kstr(w, "name_zh_tw", msg_to_hant(p->c->name_zh, hant, sizeof hant));
        jw_kstr(w, "name_en", p->c->name_en);
        jw_kstr(w, "kind", p->c->kind);
        jw_ki64(w, "weight", p->c->weight);
        jw_kbool(w, "active", p->c->active);
        jw_ki64n(w, "value", p->value, !p->has_value);
        jw_key(w, "points");
        jw_double(w, (double)(int64_t)(p->points * 10 + 0.5) / 10);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "history");
    jw_arr_begin(w);
    for (size_t i = 0; i < nh; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "from_tier", h[i].from_tier);
        jw_kstr(w, "to_tier", h[i].to_tier);
        jw_ki64n(w, "score", h[i].score, !h[i].has_score);
        jw_kstr(w, "reason", h[i].reason);
        jw_ki64n(w, "user_id", h[i].user_id, !h[i].has_user);
        jw_ktime(w, "at", h[i].at);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "inputs");
    jw_obj_begin(w);
    jw_ki64(w, "subsidiaries", in->subsidiaries);
    jw_ki64(w, "not_visible", in->not_visible);
    figures(w, "alone", &in->alone);
    if (in->subsidiaries + in->not_visible)
        figures(w, "group", &in->group);
    jw_obj_end(w);
    jw_obj_end(w);
}

static enum kam_err show(struct api_call *c, const struct valuation *v)
{
    struct tier_change *h;
    size_t nh;
    struct valuation_inputs in;
    enum kam_err rc = valuation_history(c->ctx, v->account_id, &h, &nh);
    if (!rc)
        rc = valuation_inputs(c->ctx, v->account_id, &in);
    if (!rc)
        render(&c->w, v, h, nh, &in);
    return rc;
}

static enum kam_err get(struct api_call *c)
{
    struct valuation v;
    enum kam_err rc = valuation_get(c->ctx, c->id[0], &v);
    return rc ? rc : show(c, &v);
}

struct assess_in {
    int64_t business_scale, market_position, growth_potential;
    const char *note;
};

static const struct jfield assess_spec[] = {
    {"business_scale", J_I64, 1, offsetof(struct assess_in, business_scale), 0, 0, 0, "0-100"},
    {"market_position", J_I64, 2, offsetof(struct assess_in, market_position), 0, 0, 0, "0-100"},
    {"growth_potential", J_I64, 4, offsetof(struct assess_in, growth_potential), 0, 0, 0, "0-100"},
    {"note", J_STR, 8, offsetof(struct assess_in, note), 0, 0, 0, "why, <= 2000"},
    {0},
};

static enum kam_err assess(struct api_call *c)
{
    struct assess_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, assess_spec, &in, &set);
    if (rc)
        return rc;
    struct assessment a[3];
    size_t n = 0;
    if (set & 1)
        a[n++] = (struct assessment){"business_scale", in.business_scale};
    if (set & 2)
        a[n++] = (struct assessment){"market_position", in.market_position};
    if (set & 4)
        a[n++] = (struct assessment){"growth_potential", in.growth_potential};
    if (!n)
        return kam_fail(c->ctx->err, KAM_EINVAL, "body", "name at least one criterion");
    struct valuation v;
    if ((rc = valuation_assess(c->ctx, c->id[0], a, n, in.note ? in.note : "", &v)))
        return rc;
    return show(c, &v);
}

struct screen_in {
    const char *decision, *reason;
};

static const struct jfield screen_spec[] = {
    {"decision", J_STR, 1, offsetof(struct screen_in, decision), 0, 0, 0, "accepted | rejected", 1},
    {"reason", J_STR, 2, offsetof(struct screen_in, reason), 0, 0, 0, "why, 1-2000", 1},
    {0},
};

static enum kam_err screen(struct api_call *c)
{
    struct screen_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, screen_spec, &in, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail(c->ctx->err, KAM_EINVAL, "decision", "decision is required");
    if (!(set & 2))
        return kam_fail(c->ctx->err, KAM_EINVAL, "reason", "reason is required");
    if ((rc = account_screen(c->ctx, c->id[0], in.decision, in.reason)))
        return rc;
    struct valuation v;
    if ((rc = valuation_get(c->ctx, c->id[0], &v)))
        return rc;
    return show(c, &v);
}

static void render_criterion(struct jw *w, const struct criterion *k)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", k->id);
    jw_kstr(w, "key", k->key);
    jw_kstr(w, "name_zh", k->name_zh);
    char hant[512];
    jw_kstr(w, "name_zh_tw", msg_to_hant(k->name_zh, hant, sizeof hant));
    jw_kstr(w, "name_en", k->name_en);
    jw_kstr(w, "kind", k->kind);
    jw_ki64(w, "weight", k->weight);
    jw_kbool(w, "active", k->active);
    jw_obj_end(w);
}

static enum kam_err criteria(struct api_call *c)
{
    struct criterion *items;
    size_t n;
    enum kam_err rc = criteria_list(c->ctx, &items, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_criterion(&c->w, &items[i]);
    api_list_end(c, NULL);
    return KAM_OK;
}

struct criterion_in {
    int64_t weight;
    int active;
};

static const struct jfield criterion_spec[] = {
    {"weight", J_I64, 1, offsetof(struct criterion_in, weight), 0, 0, 0, "0-100, relative"},
    {"active", J_BOOL, 2, offsetof(struct criterion_in, active), 0, 0, 0, "counted or not"},
    {0},
};

static enum kam_err criterion_patch(struct api_call *c)
{
    struct criterion_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, criterion_spec, &in, &set);
    if (rc)
        return rc;
    struct criterion out;
    if ((rc = criterion_update(c->ctx, c->id[0], in.weight, set & 1, in.active, (set & 2) != 0,
                               &out)))
        return rc;
    render_criterion(&c->w, &out);
    return KAM_OK;
}

static enum kam_err thresholds_write(struct api_call *c)
{
    int64_t t[3];
    enum kam_err rc = valuation_thresholds(c->ctx, t);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "strategic", t[0]);
    jw_ki64(&c->w, "key", t[1]);
    jw_ki64(&c->w, "growth", t[2]);
    jw_obj_end(&c->w);
    return KAM_OK;
}

struct thresholds_in {
    int64_t t[3];
};

static const struct jfield thresholds_spec[] = {
    {"strategic", J_I64, 1, offsetof(struct thresholds_in, t[0]), 0, 0, 0, "score from, 0-100"},
    {"key", J_I64, 2, offsetof(struct thresholds_in, t[1]), 0, 0, 0, "score from, 0-100"},
    {"growth", J_I64, 4, offsetof(struct thresholds_in, t[2]), 0, 0, 0, "score from, 0-100"},
    {0},
};

static enum kam_err thresholds_patch(struct api_call *c)
{
    struct thresholds_in in = {0};
    unsigned set = 0;
    int moved = 0;
    enum kam_err rc = api_decode(c, thresholds_spec, &in, &set);
    if (rc || (rc = valuation_set_thresholds(c->ctx, in.t, set, &moved)))
        return rc;
    return thresholds_write(c);
}

struct preview_in {
    int64_t w[7], t[3];
};

static const struct jfield preview_spec[] = {
    {"business_scale", J_I64, 1, offsetof(struct preview_in, w[0]), 0, 0, 0, "weight"},
    {"market_position", J_I64, 2, offsetof(struct preview_in, w[1]), 0, 0, 0, "weight"},
    {"growth_potential", J_I64, 4, offsetof(struct preview_in, w[2]), 0, 0, 0, "weight"},
    {"volume_12m", J_I64, 8, offsetof(struct preview_in, w[3]), 0, 0, 0, "weight"},
    {"growth", J_I64, 16, offsetof(struct preview_in, w[4]), 0, 0, 0, "weight"},
    {"share_of_wallet", J_I64, 32, offsetof(struct preview_in, w[5]), 0, 0, 0, "weight"},
    {"threshold_strategic", J_I64, 64, offsetof(struct preview_in, t[0]), 0, 0, 0, "threshold"},
    {"threshold_key", J_I64, 128, offsetof(struct preview_in, t[1]), 0, 0, 0, "threshold"},
    {"threshold_growth", J_I64, 256, offsetof(struct preview_in, t[2]), 0, 0, 0, "threshold"},
    {"satisfaction", J_I64, 512, offsetof(struct preview_in, w[6]), 0, 0, 0, "weight"},
    {0},
};

static enum kam_err preview(struct api_call *c)
{
    static const char *const keys[7] = {"business_scale", "market_position", "growth_potential",
                                        "volume_12m",     "growth",          "share_of_wallet",
                                        "satisfaction"};
    static const unsigned bit[7] = {1, 2, 4, 8, 16, 32, 512};
    struct preview_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, preview_spec, &in, &set);
    if (rc)
        return rc;
    struct assessment w[7];
    size_t nw = 0;
    for (int i = 0; i < 7; i++)
        if (set & bit[i])
            w[nw++] = (struct assessment){keys[i], in.w[i]};
    struct preview_row *rows;
    size_t n;
    int64_t scored = 0;
    if ((rc = valuation_preview(c->ctx, w, nw, in.t, (set >> 6) & 7, &rows, &n, &scored)))
        return rc;
    struct jw *j = &c->w;
    jw_obj_begin(j);
    jw_ki64(j, "accounts_scored", scored);
    jw_key(j, "changes");
    jw_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(j);
        jw_ki64(j, "account_id", rows[i].account_id);
        jw_kstr(j, "name", rows[i].name);
        jw_kstr(j, "tier", rows[i].tier);
        jw_kstr(j, "new_tier", rows[i].new_tier);
        jw_ki64(j, "score", rows[i].score);
        jw_ki64(j, "new_score", rows[i].new_score);
        jw_obj_end(j);
    }
    jw_arr_end(j);
    jw_obj_end(j);
    return KAM_OK;
}

const struct route api_routes_valuation[] = {
    {"GET", "/api/v1/accounts/:id/valuation", get, OBJ_ACCOUNT, ACT_READ, SCOPE_ACCOUNT, NULL, NULL,
     200, "The account's value score, each criterion's contribution, its tier history",
     "Valuation"},
    {"PATCH", "/api/v1/accounts/:id/valuation", assess, OBJ_ACCOUNT, ACT_UPDATE, SCOPE_ACCOUNT,
     assess_spec, NULL, 200, "Assess the manual criteria (0-100); the score and tier follow",
     "Valuation"},
    {"POST", "/api/v1/accounts/:id/screening", screen, OBJ_ACCOUNT, ACT_UPDATE, SCOPE_ACCOUNT,
     screen_spec, NULL, 200, "Accept a prospect as a target account, or reject it, with why",
     "Valuation"},
    {"GET", "/api/v1/prospects/:id/valuation", get, OBJ_ACCOUNT, ACT_READ, SCOPE_ACCOUNT, NULL,
     NULL, 200, "A prospect's value score and its contributions (as for accounts)", "Valuation"},
    {"PATCH", "/api/v1/prospects/:id/valuation", assess, OBJ_ACCOUNT, ACT_UPDATE, SCOPE_ACCOUNT,
     assess_spec, NULL, 200, "Assess a prospect on the manual criteria", "Valuation"},
    {"POST", "/api/v1/prospects/:id/screening", screen, OBJ_ACCOUNT, ACT_UPDATE, SCOPE_ACCOUNT,
     screen_spec, NULL, 200, "Accept a prospect as a target account or reject it, with why",
     "Valuation"},
    {"GET", "/api/v1/scoring-criteria", criteria, OBJ_CONFIG, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "The weighted valuation criteria", "[Criterion]"},
    {"PATCH", "/api/v1/scoring-criteria/:id", criterion_patch, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE,
     criterion_spec, NULL, 200, "Change a criterion's weight; every score follows", "Criterion"},
    {"GET", "/api/v1/settings/tier-thresholds", thresholds_write, OBJ_CONFIG, ACT_READ, SCOPE_NONE,
     NULL, NULL, 200, "The score from which each tier starts", "TierThresholds"},
    {"PATCH", "/api/v1/settings/tier-thresholds", thresholds_patch, OBJ_CONFIG, ACT_UPDATE,
     SCOPE_NONE, thresholds_spec, NULL, 200, "Change the thresholds; tiers follow",
     "TierThresholds"},
    {"POST", "/api/v1/valuation/preview", preview, OBJ_ACCOUNT, ACT_READ, SCOPE_NONE, preview_spec,
     NULL, 200, "Which accounts would change tier with these weights/thresholds",
     "ValuationPreview"},
    {0},
};
