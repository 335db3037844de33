/* config.c -- company settings: cadence rules, SLA rules, freshness days. */
#include <stddef.h>

#include "api/core/internal.h"
#include "svc/relationships/account.h"
#include "svc/relationships/contact.h"
#include "svc/relationships/issue.h"
#include "svc/relationships/visit.h"

#define CF(f) offsetof(struct cadence_in, v.f)

static const struct jfield cadence_spec[] = {
    {"tier", J_STR, CAD_TIER, CF(tier), 0, 0, 0, "strategic | key | growth | maintain", 1},
    {"decision_role", J_STR, CAD_ROLE, CF(decision_role), 0, 0, 1,
     "contacts with this decision role, or null for the account itself"},
    {"kind", J_STR, CAD_KIND, CF(kind), 0, 0, 0, "phone | onsite", 1},
    {"every_days", J_I64, CAD_EVERY, CF(every_days), 0, 0, 0, "1-365", 1},
    {"active", J_BOOL, CAD_ACTIVE, CF(active), 0, 0, 0, "rules can be paused"},
    {0},
};

const struct api_shape api_shapes_config[] = {
    {"Cadence", "id:int tier:str(strategic|key|growth|maintain) "
                "decision_role:str(decision_maker|influencer|user|gatekeeper|champion|other)? "
                "kind:str(phone|onsite) every_days:int active:bool"},
    {"SlaRule", "id:int tier:str(strategic|key|growth|maintain) "
                "severity:str(low|medium|high|critical) response_hours:int resolution_hours:int"},
    /* days per tier (account_tiers) */
    {"Freshness", "strategic:int key:int growth:int maintain:int"},
    {NULL, NULL},
};

static void render_cadence(struct jw *w, const struct cadence *r)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", r->id);
    jw_kstr(w, "tier", r->tier);
    jw_kstr(w, "decision_role", r->decision_role);
    jw_kstr(w, "kind", r->kind);
    jw_ki64(w, "every_days", r->every_days);
    jw_kbool(w, "active", r->active);
    jw_obj_end(w);
}

static enum kam_err cadences(struct api_call *c)
{
    struct cadence *items;
    size_t n;
    enum kam_err rc = cadence_list(c->ctx, &items, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_cadence(&c->w, &items[i]);
    api_list_end(c, NULL);
    return KAM_OK;
}

static enum kam_err cadence_new(struct api_call *c)
{
    struct cadence_in in = {0};
    enum kam_err rc = api_decode(c, cadence_spec, &in, &in.set);
    if (rc)
        return rc;
    struct cadence out;
    if ((rc = cadence_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_cadence(&c->w, &out);
    return KAM_OK;
}

static enum kam_err cadence_patch(struct api_call *c)
{
    struct cadence_in in = {0};
    enum kam_err rc = api_decode(c, cadence_spec, &in, &in.set);
    if (rc)
        return rc;
    struct cadence out;
    if ((rc = cadence_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_cadence(&c->w, &out);
    return KAM_OK;
}

static enum kam_err cadence_del(struct api_call *c)
{
    enum kam_err rc = cadence_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static void render_sla(struct jw *w, const struct sla_rule *s)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", s->id);
    jw_kstr(w, "tier", s->tier);
    jw_kstr(w, "severity", s->severity);
    jw_ki64(w, "response_hours", s->response_hours);
    jw_ki64(w, "resolution_hours", s->resolution_hours);
    jw_obj_end(w);
}

static enum kam_err slas(struct api_call *c)
{
    struct sla_rule *items;
    size_t n;
    enum kam_err rc = sla_list(c->ctx, &items, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_sla(&c->w, &items[i]);
    api_list_end(c, NULL);
    return KAM_OK;
}

struct sla_in {
    int64_t response_hours, resolution_hours;
};

static const struct jfield sla_spec[] = {
    {"response_hours", J_I64, 1, offsetof(struct sla_in, response_hours), 0, 0, 0, "1-8760"},
    {"resolution_hours", J_I64, 2, offsetof(struct sla_in, resolution_hours), 0, 0, 0,
     "1-8760, not shorter than response_hours"},
    {0},
};

static enum kam_err sla_patch(struct api_call *c)
{
    struct sla_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, sla_spec, &in, &set);
    if (rc)
        return rc;
    struct sla_rule out;
    if ((rc = sla_update(c->ctx, c->id[0], in.response_hours, set & 1, in.resolution_hours,
                         (set & 2) != 0, &out)))
        return rc;
    render_sla(&c->w, &out);
    return KAM_OK;
}

static enum kam_err freshness_write(struct api_call *c, const int64_t days[4])
{
    jw_obj_begin(&c->w);
    for (int i = 0; i < 4; i++)
        jw_ki64(&c->w, account_tiers[i], days[i]);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err freshness_get(struct api_call *c)
{
    int64_t days[4];
    enum kam_err rc = contact_freshness(c->ctx, days);
    return rc ? rc : freshness_write(c, days);
}

struct fresh_in {
    int64_t d[4];
};

static const struct jfield fresh_spec[] = {
    {"strategic", J_I64, 1, offsetof(struct fresh_in, d[0]), 0, 0, 0, "days, 1-365"},
    {"key", J_I64, 2, offsetof(struct fresh_in, d[1]), 0, 0, 0, "days, 1-365"},
    {"growth", J_I64, 4, offsetof(struct fresh_in, d[2]), 0, 0, 0, "days, 1-365"},
    {"maintain", J_I64, 8, offsetof(struct fresh_in, d[3]), 0, 0, 0, "days, 1-365"},
    {0},
};

static enum kam_err freshness_patch(struct api_call *c)
{
    struct fresh_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, fresh_spec, &in, &set);
    if (rc || (rc = contact_set_freshness(c->ctx, in.d, set)))
        return rc;
    return freshness_get(c);
}

const struct route api_routes_config[] = {
    {"GET", "/api/v1/cadences", cadences, OBJ_CONFIG, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "Visit cadence rules", "[Cadence]"},
    {"POST", "/api/v1/cadences", cadence_new, OBJ_CONFIG, ACT_CREATE, SCOPE_NONE, cadence_spec,
     NULL, 201, "Add a cadence rule", "Cadence"},
    {"PATCH", "/api/v1/cadences/:id", cadence_patch, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE,
     cadence_spec, NULL, 200, "Change a cadence rule", "Cadence"},
    {"DELETE", "/api/v1/cadences/:id", cadence_del, OBJ_CONFIG, ACT_DELETE, SCOPE_NONE, NULL, NULL,
     204, "Delete a cadence rule", "-"},
    {"GET", "/api/v1/sla-rules", slas, OBJ_CONFIG, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "Response and resolution hours per tier and severity", "[SlaRule]"},
    {"PATCH", "/api/v1/sla-rules/:id", sla_patch, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE, sla_spec,
     NULL, 200, "Change an SLA rule", "SlaRule"},
    {"GET", "/api/v1/settings/freshness", freshness_get, OBJ_CONFIG, ACT_READ, SCOPE_NONE, NULL,
     NULL, 200, "Days without contact after which key people count as stale, per tier",
     "Freshness"},
    {"PATCH", "/api/v1/settings/freshness", freshness_patch, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE,
     fresh_spec, NULL, 200, "Change the freshness days", "Freshness"},
    {0},
};
