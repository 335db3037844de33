/* views.c -- saved list views of the caller (issue 12): /api/v1/views. */
#include <stddef.h>

#include "api.h"
#include "internal.h"
#include "svc/core/views.h"

const struct api_shape api_shapes_views[] = {
    {"SavedView",
     "id:int screen:str(accounts|issues|kpis|contacts|volume|targets|visits|interactions) "
     "name:str state:str created_at:ts updated_at:ts"},
    {NULL, NULL},
};

static void render_view(struct jw *w, const struct saved_view *v)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", v->id);
    jw_kstr(w, "screen", v->screen);
    jw_kstr(w, "name", v->name);
    jw_kstr(w, "state", v->state);
    jw_ktime(w, "created_at", v->created_at);
    jw_ktime(w, "updated_at", v->updated_at);
    jw_obj_end(w);
}

struct view_in {
    const char *screen, *name, *state;
};

enum { V_SCREEN = 1, V_NAME = 2, V_STATE = 4 };

static const struct jfield view_spec[] = {
    {"screen", J_STR, V_SCREEN, offsetof(struct view_in, screen), 0, 0, 0,
     "the list screen: accounts | issues | kpis | contacts | volume | targets | visits | "
     "interactions (POST only)",
     1},
    {"name", J_STR, V_NAME, offsetof(struct view_in, name), 0, 0, 0, "1-60 characters", 1},
    {"state", J_STR, V_STATE, offsetof(struct view_in, state), 0, 0, 0,
     "the screen's filters, sort and columns as JSON object text, <= 8192 bytes", 1},
    {0},
};

static enum kam_err list(struct api_call *c)
{
    struct saved_view *items;
    size_t n;
    enum kam_err rc = view_list(c->ctx, api_query_str(c, "screen"), &items, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_view(&c->w, &items[i]);
    api_list_end(c, NULL);
    return KAM_OK;
}

static enum kam_err create(struct api_call *c)
{
    struct view_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, view_spec, &in, &set);
    if (rc)
        return rc;
    if (!(set & V_SCREEN))
        return kam_fail(c->ctx->err, KAM_EINVAL, "screen", "screen is required");
    if (!(set & V_NAME))
        return kam_fail(c->ctx->err, KAM_EINVAL, "name", "name is required");
    if (!(set & V_STATE))
        return kam_fail(c->ctx->err, KAM_EINVAL, "state", "state is required");
    struct saved_view v;
    if ((rc = view_create(c->ctx, in.screen, in.name, in.state, &v)))
        return rc;
    c->status = 201;
    render_view(&c->w, &v);
    return KAM_OK;
}

static enum kam_err patch(struct api_call *c)
{
    struct view_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, view_spec, &in, &set);
    if (rc)
        return rc;
    if (set & V_SCREEN)
        return kam_fail(c->ctx->err, KAM_EINVAL, "screen", "a view stays on its screen");
    struct saved_view v;
    if ((rc = view_update(c->ctx, c->id[0], (set & V_NAME) ? in.name : NULL,
                          (set & V_STATE) ? in.state : NULL, &v)))
        return rc;
    render_view(&c->w, &v);
    return KAM_OK;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = view_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static const char *const list_query[] = {"screen", NULL};

const struct route api_routes_views[] = {
    {"GET", "/api/v1/views", list, OBJ_SELF, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "The caller's saved views of one list screen (?screen=accounts), by name", "[SavedView]"},
    {"POST", "/api/v1/views", create, OBJ_SELF, ACT_CREATE, SCOPE_NONE, view_spec, NULL, 201,
     "Save a view (filters, sort, columns) of a list screen", "SavedView"},
    {"PATCH", "/api/v1/views/:id", patch, OBJ_SELF, ACT_UPDATE, SCOPE_NONE, view_spec, NULL, 200,
     "Rename or change one of the caller's views", "SavedView"},
    {"DELETE", "/api/v1/views/:id", del, OBJ_SELF, ACT_DELETE, SCOPE_NONE, NULL, NULL, 204,
     "Delete one of the caller's views", "-"},
    {0},
};
