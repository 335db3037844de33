/* interactions.c -- /api/v1/accounts/:id/interactions and /api/v1/interactions/:id. */
#include <stddef.h>

#include "api/core/internal.h"
#include "svc/relationships/interaction.h"

#define IF(f) offsetof(struct interaction_in, v.f)

static const struct jfield spec[] = {
    {"kind", J_STR, INT_KIND, IF(kind), 0, 0, 0, "call | email | meeting | visit | material", 1},
    {"subject", J_STR, INT_SUBJECT, IF(subject), 0, 0, 0, "1-200 characters", 1},
    {"notes", J_STR, INT_NOTES, IF(notes), 0, 0, 0, "<= 4000"},
    {"material_type", J_STR, INT_MATERIAL, IF(material_type), 0, 0, 1,
     "for kind material: industry_trends | market_news | product_info | technology | other"},
    {"occurred_at", J_STR, INT_OCCURRED, offsetof(struct interaction_in, occurred_at_iso), 0, 0, 0,
     "YYYY-MM-DDTHH:MM:SSZ (default now)"},
    {"contact_ids", J_IDS, INT_CONTACTS, IF(contact_ids), IF(ncontacts),
     offsetof(struct interaction_in, v.has_visit) /* scratch flag, unused */, 0,
     "contacts of the account who took part"},
    {"version", J_I64, INT_VERSION, IF(version), 0, 0, 0, "PATCH only: the version you read"},
    {0},
};

const struct api_shape api_shapes_interactions[] = {
    {"Interaction",
     "id:int account_id:int user_id:int? kind:str(call|email|meeting|visit|material|care) "
     "subject:str "
     "notes:str material_type:str(industry_trends|market_news|product_info|technology|other)? "
     "occurred_at:ts visit_id:int? contact_ids:[int] version:int created_at:ts updated_at:ts"},
    {NULL, NULL},
};

static void render(struct jw *w, const struct interaction *it)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", it->id);
    jw_ki64(w, "account_id", it->account_id);
    jw_ki64n(w, "user_id", it->user_id, !it->has_user);
    jw_kstr(w, "kind", it->kind);
    jw_kstr(w, "subject", it->subject);
    jw_kstr(w, "notes", it->notes);
    jw_kstr(w, "material_type", it->material_type);
    jw_ktime(w, "occurred_at", it->occurred_at);
    jw_ki64n(w, "visit_id", it->visit_id, !it->has_visit);
    jw_key(w, "contact_ids");
    jw_arr_begin(w);
    for (int i = 0; i < it->ncontacts; i++)
        jw_i64(w, it->contact_ids[i]);
    jw_arr_end(w);
    jw_ki64(w, "version", it->version);
    jw_ktime(w, "created_at", it->created_at);
    jw_ktime(w, "updated_at", it->updated_at);
    jw_obj_end(w);
}

static enum kam_err decode(struct api_call *c, struct interaction_in *in)
{
    enum kam_err rc = api_decode(c, spec, in, &in->set);
    in->v.has_visit = 0; /* the scratch flag of contact_ids */
    return rc;
}

static enum kam_err list(struct api_call *c)
{
    struct interaction_query q = {.account_id = c->id[0]};
    q.kind = api_query_str(c, "kind");
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc = api_query_i64(c, "limit", 0, &q.limit);
    if (rc)
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    struct interaction *items;
    size_t n;
    const char *next;
    if ((rc = interaction_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err create(struct api_call *c)
{
    struct interaction_in in = {0};
    enum kam_err rc = decode(c, &in);
    if (rc)
        return rc;
    if (in.set & INT_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct interaction out;
    if ((rc = interaction_create(c->ctx, c->id[0], &in, &out)))
        return rc;
    c->status = 201;
    render(&c->w, &out);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct interaction out;
    enum kam_err rc = interaction_get(c->ctx, c->id[0], &out);
    if (!rc)
        render(&c->w, &out);
    return rc;
}

static enum kam_err patch(struct api_call *c)
{
    struct interaction_in in = {0};
    enum kam_err rc = decode(c, &in);
    if (rc)
        return rc;
    struct interaction out;
    if ((rc = interaction_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render(&c->w, &out);
    return KAM_OK;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = interaction_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static const char *const list_query[] = {"kind", "limit", "cursor", NULL};

const struct route api_routes_interactions[] = {
    {"GET", "/api/v1/accounts/:id/interactions", list, OBJ_INTERACTION, ACT_READ, SCOPE_ACCOUNT,
     NULL, list_query, 200, "The account's interaction timeline, newest first", "[Interaction]"},
    {"POST", "/api/v1/accounts/:id/interactions", create, OBJ_INTERACTION, ACT_CREATE,
     SCOPE_ACCOUNT, spec, NULL, 201, "Log a call, e-mail, meeting, visit or shared material",
     "Interaction"},
    {"GET", "/api/v1/interactions/:id", get, OBJ_INTERACTION, ACT_READ, SCOPE_INTERACTION, NULL,
     NULL, 200, "One interaction", "Interaction"},
    {"PATCH", "/api/v1/interactions/:id", patch, OBJ_INTERACTION, ACT_UPDATE, SCOPE_INTERACTION,
     spec, NULL, 200, "Change an interaction", "Interaction"},
    {"DELETE", "/api/v1/interactions/:id", del, OBJ_INTERACTION, ACT_DELETE, SCOPE_INTERACTION,
     NULL, NULL, 204, "Delete an interaction", "-"},
    {0},
};
