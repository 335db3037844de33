/* meta.c -- GET /healthz, and the route of GET /api/v1/openapi.json (generated in openapi.c). */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "internal.h"
#include "svc/core/conn.h"

const struct api_shape api_shapes_meta[] = {
    {"Health", "status:str(ok|unavailable) db:str error?:{code:str message:str field:str}"},
    {NULL, NULL},
};

static enum kam_err healthz(struct api_call *c)
{
    int read_only = 0;
    enum kam_err rc = conn_health(c->ctx->db, &read_only, c->ctx->err);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    if (read_only) {
        /* Monitors read "db"; the error object is what every error answer carries. */
        c->status = 503;
        jw_kstr(&c->w, "status", "unavailable");
        jw_kstr(&c->w, "db", "read_only");
        jw_key(&c->w, "error");
        jw_obj_begin(&c->w);
        jw_kstr(&c->w, "code", kam_err_name(KAM_EDB));
        jw_kstr(&c->w, "message", "the database does not accept writes");
        jw_kstr(&c->w, "field", "db");
        jw_obj_end(&c->w);
    } else {
        jw_kstr(&c->w, "status", "ok");
        jw_kstr(&c->w, "db", conn_scheme(c->ctx->db));
    }
    jw_obj_end(&c->w);
    return KAM_OK;
}

const struct route api_routes_meta[] = {
    {"GET", "/healthz", healthz, OBJ_PUBLIC, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "200 when the database answers and takes writes; 503 {\"db\":\"read_only\"} when it "
     "takes no writes",
     "Health"},
    {"GET", "/api/v1/openapi.json", api_openapi_route, OBJ_PUBLIC, ACT_READ, SCOPE_NONE, NULL, NULL,
     200, "This document", "obj"},
    {0},
};
