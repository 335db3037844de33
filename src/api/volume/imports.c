/* imports.c -- what helps a user load a file (issue 13): /api/v1/imports/template (a template
 * per kind with Chinese and English headers), /imports/preview (how a file reads: format,
 * encoding, sheets, header, first rows, the column of each field) and /imports/mappings (the
 * caller's saved column mapping per kind). The loads themselves are sales.c's /imports/{kind}. */
#include <stddef.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/volume/import_mapping.h"

const struct api_shape api_shapes_imports[] = {
    {"ImportMapping",
     "kind:str(orders|products|accounts|invoices|payments) mapping:str updated_at:ts?"},
    {"ImportPreview", "kind:str(orders|products|accounts|invoices|payments) "
                      "format:str(csv|tsv|xlsx) encoding:str detected:str "
                      "sheet:str sheets:[str] header_row:int columns:[ImportPreviewColumn] "
                      "rows:[ImportPreviewRow] missing:[str]"},
    {"ImportPreviewColumn", "header:str field:str"},
    {"ImportPreviewRow", "cells:[str]"},
    {NULL, NULL},
};

static void render_mapping(struct jw *w, const struct import_mapping *m)
{
    jw_obj_begin(w);
    jw_kstr(w, "kind", m->kind);
    jw_kstr(w, "mapping", m->mapping);
    jw_key(w, "updated_at");
    if (m->updated_at)
        jw_time(w, m->updated_at);
    else
        jw_null(w);
    jw_obj_end(w);
}

static void render_preview(struct jw *w, const struct import_preview *p)
{
    jw_obj_begin(w);
    jw_kstr(w, "kind", p->kind);
    jw_kstr(w, "format", p->format);
    jw_kstr(w, "encoding", p->encoding);
    jw_kstr(w, "detected", p->detected);
    jw_kstr(w, "sheet", p->sheet);
    jw_key(w, "sheets");
    jw_arr_begin(w);
    for (size_t i = 0; i < p->nsheets; i++)
        jw_str(w, p->sheets[i]);
    jw_arr_end(w);
    jw_ki64(w, "header_row", (int64_t)p->header_row + 1);
    jw_key(w, "columns");
    jw_arr_begin(w);
    for (size_t i = 0; i < p->ncols; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "header", p->cols[i].header);
        jw_kstr(w, "field", p->cols[i].field);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "rows");
    jw_arr_begin(w);
    for (size_t r = 0; r < p->nrows; r++) {
        jw_obj_begin(w);
        jw_key(w, "cells");
        jw_arr_begin(w);
        for (size_t i = 0; i < p->ncols; i++)
            jw_str(w, p->rows[r][i]);
        jw_arr_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "missing");
    jw_arr_begin(w);
    for (size_t i = 0; i < p->nmissing; i++)
        jw_str(w, p->missing[i]);
    jw_arr_end(w);
    jw_obj_end(w);
}

static enum kam_err template_get(struct api_call *c)
{
    const char *kind = api_query_str(c, "kind"), *format = api_query_str(c, "format");
    struct export_table t;
    enum kam_err rc = import_template(c->ctx, kind, &t);
    if (rc)
        return rc;
    return api_send_file(c, &t, format, arena_printf(c->ctx->a, "kam-%s-template", kind));
}

static enum kam_err preview(struct api_call *c)
{
    struct import_read_opts o = {api_query_str(c, "encoding"), api_query_str(c, "sheet"),
                                 api_query_str(c, "filename")};
    struct import_preview p;
    enum kam_err rc =
        import_preview(c->ctx, api_query_str(c, "kind"), &o, api_query_str(c, "mapping"),
                       c->req->body ? c->req->body : "", c->req->body_len, &p);
    if (!rc)
        render_preview(&c->w, &p);
    return rc;
}

static enum kam_err mapping_get(struct api_call *c)
{
    struct import_mapping m;
    enum kam_err rc = import_mapping_get(c->ctx, api_query_str(c, "kind"), &m);
    if (!rc)
        render_mapping(&c->w, &m);
    return rc;
}

struct mapping_in {
    const char *kind, *mapping;
};

static const struct jfield mapping_spec[] = {
    {"kind", J_STR, 1, offsetof(struct mapping_in, kind), 0, 0, 0,
     "orders | products | accounts | invoices | payments", 1},
    {"mapping", J_STR, 2, offsetof(struct mapping_in, mapping), 0, 0, 0,
     "field=Header,... (<= 2000 characters; \"\" forgets the saved one)", 1},
    {0},
};

static enum kam_err mapping_put(struct api_call *c)
{
    struct mapping_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, mapping_spec, &in, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail(c->ctx->err, KAM_EINVAL, "kind", "kind is required");
    if (!(set & 2))
        return kam_fail(c->ctx->err, KAM_EINVAL, "mapping", "mapping is required");
    struct import_mapping m;
    if ((rc = import_mapping_put(c->ctx, in.kind, in.mapping, &m)))
        return rc;
    render_mapping(&c->w, &m);
    return KAM_OK;
}

static const char *const template_query[] = {"kind", "format", NULL};
static const char *const preview_query[] = {"kind",     "encoding", "sheet",
                                            "filename", "mapping",  NULL};
static const char *const mapping_query[] = {"kind", NULL};

const struct route api_routes_imports[] = {
    {"GET", "/api/v1/imports/template", template_get, OBJ_IMPORT, ACT_READ, SCOPE_NONE, NULL,
     template_query, 200,
     "A file to fill for an import of kind (orders | products | accounts | invoices | payments): "
     "Chinese and English "
     "headers, one example row; format=csv (UTF-8 with a BOM) or xlsx",
     "csv"},
    {"POST", "/api/v1/imports/preview", preview, OBJ_IMPORT, ACT_CREATE, SCOPE_NONE, api_csv_body,
     preview_query, 200,
     "How a file would be read for an import of kind, before it is loaded: its format, its "
     "encoding (detected, or as named by encoding=), its sheets (.xlsx), header and first rows, "
     "and the column each field comes from; nothing is written",
     "ImportPreview"},
    {"GET", "/api/v1/imports/mappings", mapping_get, OBJ_IMPORT, ACT_READ, SCOPE_NONE, NULL,
     mapping_query, 200, "The caller's saved column mapping for an import kind (?kind=orders)",
     "ImportMapping"},
    {"PUT", "/api/v1/imports/mappings", mapping_put, OBJ_IMPORT, ACT_CREATE, SCOPE_NONE,
     mapping_spec, NULL, 200,
     "Save the caller's column mapping for an import kind, reused on their next import",
     "ImportMapping"},
    {0},
};
