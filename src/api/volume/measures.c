/* measures.c -- /api/v1/measures: 4P actions linked to targets, with their measured effect. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "api/core/internal.h"
#include "base/timeutil.h"
#include "svc/volume/measure.h"

static void day_str(int64_t day, char out[16])
{
    int y, m, d;
    days_to_date(day, &y, &m, &d);
    snprintf(out, 16, "%04d-%02d-%02d", y % 10000, m, d);
}

/* The response shape of this file (the field DSL of api/core/internal.h). Uplift and effect are
 * whole units of the measure; account_name is "" for a plan-wide measure; times (ts) are ISO
 * 8601 strings (jw_ktime). */
const struct api_shape api_shapes_measures[] = {
    {"Measure", "id:int plan_id:int? account_id:int? account_name:str family:str region:str "
                "channel:str kind:str(product|price|channel|promotion) title:str description:str "
                "owner_id:int owner_login:str start:date due:date "
                "status:str(planned|in_progress|done|cancelled) measure:str(amount|quantity) "
                "expected_uplift:int effect:int? effect_baseline:int? effect_note:str version:int "
                "created_at:ts updated_at:ts"},
    {NULL, NULL},
};

static void render(struct jw *w, const struct measure *m)
{
    char start[16], due[16];
    day_str(m->start_day, start);
    day_str(m->due_day, due);
    jw_obj_begin(w);
    jw_ki64(w, "id", m->id);
    jw_ki64n(w, "plan_id", m->plan_id, !m->has_plan);
    jw_ki64n(w, "account_id", m->account_id, !m->has_account);
    jw_kstr(w, "account_name", m->account_name);
    jw_kstr(w, "family", m->family);
    jw_kstr(w, "region", m->region);
    jw_kstr(w, "channel", m->channel);
    jw_kstr(w, "kind", m->kind);
    jw_kstr(w, "title", m->title);
    jw_kstr(w, "description", m->description);
    jw_ki64(w, "owner_id", m->owner_id);
    jw_kstr(w, "owner_login", m->owner_login);
    jw_kstr(w, "start", start);
    jw_kstr(w, "due", due);
    jw_kstr(w, "status", m->status);
    jw_kstr(w, "measure", m->measure);
    jw_ki64(w, "expected_uplift", m->expected_uplift);
    jw_ki64n(w, "effect", m->effect, !m->has_effect);
    jw_ki64n(w, "effect_baseline", m->effect_baseline, !m->has_effect);
    jw_kstr(w, "effect_note", m->effect_note);
    jw_ki64(w, "version", m->version);
    jw_ktime(w, "created_at", m->created_at);
    jw_ktime(w, "updated_at", m->updated_at);
    jw_obj_end(w);
}

#define F(n, t, bit, field, doc)                                                                   \
    {                                                                                              \
        n, t, bit, offsetof(struct measure_in, field), 0, 0, 0, doc                                \
    }

static const struct jfield spec[] = {
    {"plan_id", J_I64, MS_PLAN, offsetof(struct measure_in, plan_id),
     offsetof(struct measure_in, has_plan), 0, 1, "the target plan it serves"},
    {"account_id", J_I64, MS_ACCOUNT, offsetof(struct measure_in, account_id),
     offsetof(struct measure_in, has_account), 0, 1,
     "null: plan-wide; one you may not read is answered like a missing one (400)"},
    F("family", J_STR, MS_FAMILY, family, "the slice: family"),
    F("region", J_STR, MS_REGION, region, "the slice: region"),
    F("channel", J_STR, MS_CHANNEL, channel, "the slice: channel"),
    F("kind", J_STR, MS_KIND, kind, "product | price | channel | promotion"),
    F("title", J_STR, MS_TITLE, title, "1-200"),
    F("description", J_STR, MS_DESCRIPTION, description, "<= 4000"),
    F("owner_id", J_I64, MS_OWNER, owner_id,
      "who carries it out (default: you): an active user who may change this account's measures"),
    F("start", J_STR, MS_START, start, "YYYY-MM-DD"),
    F("due", J_STR, MS_DUE, due, "YYYY-MM-DD"),
    F("status", J_STR, MS_STATUS, status, "planned | in_progress | done | cancelled"),
    F("measure", J_STR, MS_MEASURE, measure, "amount | quantity"),
    F("expected_uplift", J_I64, MS_UPLIFT, expected_uplift, "whole units of measure"),
    {"effect", J_I64, MS_EFFECT, offsetof(struct measure_in, effect),
     offsetof(struct measure_in, has_effect), 0, 1,
     "whole units; measured when the measure is done, may be corrected"},
    F("effect_note", J_STR, MS_EFFECT_NOTE, effect_note, "how the effect was judged"),
    F("version", J_I64, MS_VERSION, version, "the version you read (PATCH): 409 if it changed"),
    {0},
};

static enum kam_err list(struct api_call *c)
{
    struct measure_query q = {0};
    q.status = api_query_str(c, "status");
    q.kind = api_query_str(c, "kind");
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc;
    if ((rc = api_query_i64(c, "plan_id", 0, &q.plan_id)) ||
        (rc = api_query_i64(c, "account_id", 0, &q.account_id)) ||
        (rc = api_query_user(c, "owner_id", &q.owner_id)) ||
        (rc = api_query_i64(c, "limit", 0, &q.limit)))
        return rc;
    struct measure *items;
    size_t n;
    const char *next;
    if ((rc = measure_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err create(struct api_call *c)
{
    struct measure_in in = {0};
    enum kam_err rc = api_decode(c, spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & MS_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct measure m;
    if ((rc = measure_create(c->ctx, &in, &m)))
        return rc;
    c->status = 201;
    render(&c->w, &m);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct measure m;
    enum kam_err rc = measure_get(c->ctx, c->id[0], &m);
    if (!rc)
        render(&c->w, &m);
    return rc;
}

static enum kam_err patch(struct api_call *c)
{
    struct measure_in in = {0};
    enum kam_err rc = api_decode(c, spec, &in, &in.set);
    struct measure m;
    if (rc || (rc = measure_update(c->ctx, c->id[0], &in, &m)))
        return rc;
    render(&c->w, &m);
    return KAM_OK;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = measure_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static const char *const list_query[] = {"plan_id", "account_id", "owner_id", "status",
                                         "kind",    "cursor",     "limit",    NULL};

const struct route api_routes_measures[] = {
    {"GET", "/api/v1/measures", list, OBJ_MEASURE, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Measures of the caller's accounts and plan-wide ones, by due date", "[Measure]"},
    {"POST", "/api/v1/measures", create, OBJ_MEASURE, ACT_CREATE, SCOPE_NONE, spec, NULL, 201,
     "Plan a product, price, channel or promotion measure", "Measure"},
    {"GET", "/api/v1/measures/:id", get, OBJ_MEASURE, ACT_READ, SCOPE_MEASURE, NULL, NULL, 200,
     "One measure", "Measure"},
    {"PATCH", "/api/v1/measures/:id", patch, OBJ_MEASURE, ACT_UPDATE, SCOPE_MEASURE, spec, NULL,
     200, "Change a measure; done measures get their effect measured", "Measure"},
    {"DELETE", "/api/v1/measures/:id", del, OBJ_MEASURE, ACT_DELETE, SCOPE_MEASURE, NULL, NULL, 204,
     "Delete a measure", "-"},
    {0},
};
