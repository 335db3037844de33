/* meta.c -- GET /healthz and GET /api/v1/openapi.json (generated from the route table, so it
 * cannot drift from what the server does). */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "internal.h"

const struct route *api_route_at(int i);

/* Whether the database takes writes, for /healthz. Probing costs a write-lock attempt, so the
 * process probes at most once a second, on the connection of whichever health check comes
 * first, and sooner only when a statement was refused as a write to a read-only database since
 * the last probe (db_read_only_events). Every other check reads the last answer. */
static struct {
    _Atomic int64_t next_us;      /* no probe before this (monotonic) */
    _Atomic unsigned long events; /* db_read_only_events() at the last probe */
    atomic_int read_only;         /* the last answer */
} wstate;

#define PROBE_EVERY_US 1000000

static void probe_if_due(struct db *db)
{
    int64_t now = time_mono_us(), next = atomic_load(&wstate.next_us);
    unsigned long ev = db_read_only_events(), seen = atomic_load(&wstate.events);
    int due = now >= next || ev != seen;
    /* One prober: whoever moves next_us. */
    if (!due || !atomic_compare_exchange_strong(&wstate.next_us, &next, now + PROBE_EVERY_US))
        return;
    atomic_store(&wstate.events, ev);
    int ro = 0;
    struct kam_error e = {0};
    enum kam_err rc = db_probe_write(db, &ro, &e);
    if (rc && !ro)
        return; /* busy or failed otherwise: nothing learnt; the read below reports failures */
    if (atomic_exchange(&wstate.read_only, ro) != ro) {
        if (ro)
            log_error("the database does not accept writes: %s", e.msg);
        else
            log_info("the database accepts writes again");
    }
}

static enum kam_err healthz(struct api_call *c)
{
    int64_t one = 0;
    enum kam_err rc = db_query_i64(c->ctx->db, "SELECT 1", 0, 0, &one, c->ctx->err);
    if (rc)
        return rc;
    probe_if_due(c->ctx->db);
    jw_obj_begin(&c->w);
    if (atomic_load(&wstate.read_only)) {
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
        jw_kstr(&c->w, "db", db_scheme(c->ctx->db));
    }
    jw_obj_end(&c->w);
    return KAM_OK;
}

static const char *json_type(enum jtype t)
{
    switch (t) {
    case J_STR:
        return "string";
    case J_I64:
        return "integer";
    case J_BOOL:
        return "boolean";
    case J_MONEY:
        return "object";
    case J_IDS:
        return "array";
    case J_DEC3:
        return "number";
    }
    return "string";
}

/* "/api/v1/accounts/:id/members/:user_id" -> "/api/v1/accounts/{id}/members/{user_id}" */
static void openapi_path(struct buf *b, const char *p)
{
    while (*p) {
        if (*p == '*') {
            buf_puts(b, "{file}");
            p++;
        } else if (*p == ':') {
            p++;
            buf_putc(b, '{');
            while (*p && *p != '/')
                buf_putc(b, *p++);
            buf_putc(b, '}');
        } else {
            buf_putc(b, *p++);
        }
    }
}

static void path_params(struct jw *w, const char *p)
{
    while ((p = strchr(p, ':'))) {
        p++;
        size_t n = strcspn(p, "/");
        jw_obj_begin(w);
        jw_key(w, "name");
        jw_strn(w, p, n);
        jw_kstr(w, "in", "path");
        jw_kbool(w, "required", 1);
        jw_key(w, "schema");
        jw_obj_begin(w);
        jw_kstr(w, "type", "integer");
        jw_ki64(w, "minimum", 1);
        jw_obj_end(w);
        jw_obj_end(w);
        p += n;
    }
}

static void operation(struct jw *w, const struct route *rt)
{
    char lower[8];
    size_t i;
    for (i = 0; rt->method[i] && i < sizeof lower - 1; i++)
        lower[i] = (char)(rt->method[i] | 0x20);
    lower[i] = 0;
    jw_key(w, lower);
    jw_obj_begin(w);
    jw_kstr(w, "summary", rt->summary);
    jw_kstr(w, "x-kam-object", obj_name(rt->obj));
    jw_kstr(w, "x-kam-action", act_name(rt->act));
    jw_kstr(w, "x-kam-scope", scope_kind_name(rt->scope));
    if (rt->obj == OBJ_PUBLIC) {
        jw_key(w, "security");
        jw_arr_begin(w);
        jw_arr_end(w);
    }
    jw_key(w, "parameters");
    jw_arr_begin(w);
    path_params(w, rt->path);
    for (const char *const *q = rt->query; q && *q; q++) {
        jw_obj_begin(w);
        jw_kstr(w, "name", *q);
        jw_kstr(w, "in", "query");
        jw_key(w, "schema");
        jw_obj_begin(w);
        int numeric = !strcmp(*q, "limit") || !strcmp(*q, "id") || strstr(*q, "_id") != NULL;
        jw_kstr(w, "type", numeric ? "integer" : "string");
        jw_obj_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    if (rt->body == api_csv_body) {
        jw_key(w, "requestBody");
        jw_obj_begin(w);
        jw_kbool(w, "required", 1);
        jw_key(w, "content");
        jw_obj_begin(w);
        jw_key(w, "text/csv");
        jw_obj_begin(w);
        jw_key(w, "schema");
        jw_obj_begin(w);
        jw_kstr(w, "type", "string");
        jw_obj_end(w);
        jw_obj_end(w);
        jw_obj_end(w);
        jw_obj_end(w);
    }
    if (rt->body && rt->body != api_csv_body) {
        jw_key(w, "requestBody");
        jw_obj_begin(w);
        jw_kbool(w, "required", 1);
        jw_key(w, "content");
        jw_obj_begin(w);
        jw_key(w, "application/json");
        jw_obj_begin(w);
        jw_key(w, "schema");
        jw_obj_begin(w);
        jw_kstr(w, "type", "object");
        jw_kbool(w, "additionalProperties", 0);
        jw_key(w, "properties");
        jw_obj_begin(w);
        for (const struct jfield *f = rt->body; f->name; f++) {
            jw_key(w, f->name);
            jw_obj_begin(w);
            jw_kstr(w, "type", json_type(f->type));
            if (f->nullable || f->type == J_MONEY)
                jw_kbool(w, "nullable", 1);
            jw_kstr(w, "description", f->doc);
            jw_obj_end(w);
        }
        jw_obj_end(w);
        jw_obj_end(w);
        jw_obj_end(w);
        jw_obj_end(w);
        jw_obj_end(w);
    }
    jw_key(w, "responses");
    jw_obj_begin(w);
    char code[8];
    snprintf(code, sizeof code, "%d", rt->ok_status);
    jw_key(w, code);
    jw_obj_begin(w);
    jw_kstr(w, "description", rt->ok_status == 204 ? "done, no body" : "success");
    jw_obj_end(w);
    jw_key(w, "default");
    jw_obj_begin(w);
    jw_kstr(w, "description", "error: {\"error\":{\"code\",\"message\",\"field\"}}");
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
}

void api_openapi(struct buf *b)
{
    struct jw w;
    jw_init(&w, b);
    jw_obj_begin(&w);
    jw_kstr(&w, "openapi", "3.0.3");
    jw_key(&w, "info");
    jw_obj_begin(&w);
    jw_kstr(&w, "title", "KAM API");
    jw_kstr(&w, "version", "1");
    jw_kstr(&w, "description",
            "Key account management. Auth: session cookie kam_session + X-CSRF-Token on unsafe "
            "methods, or Authorization: Bearer <API token>. x-kam-object/x-kam-action/x-kam-scope "
            "name the policy each operation is checked against.");
    jw_obj_end(&w);
    jw_key(&w, "paths");
    jw_obj_begin(&w);
    int n = api_route_count();
    /* Group operations by path, in table order of first appearance. */
    for (int i = 0; i < n; i++) {
        const struct route *rt = api_route_at(i);
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = strcmp(api_route_at(j)->path, rt->path) == 0;
        if (seen)
            continue;
        struct buf p;
        buf_init(&p, 512);
        openapi_path(&p, rt->path);
        jw_key(&w, p.data);
        buf_release(&p);
        jw_obj_begin(&w);
        for (int j = i; j < n; j++)
            if (strcmp(api_route_at(j)->path, rt->path) == 0)
                operation(&w, api_route_at(j));
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
    jw_obj_end(&w);
}

static enum kam_err openapi(struct api_call *c)
{
    api_openapi(c->w.b);
    return KAM_OK;
}

const struct route api_routes_meta[] = {
    {"GET", "/healthz", healthz, OBJ_PUBLIC, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "200 when the database answers and takes writes; 503 {\"db\":\"read_only\"} when it "
     "takes no writes"},
    {"GET", "/api/v1/openapi.json", openapi, OBJ_PUBLIC, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "This document"},
    {0},
};
