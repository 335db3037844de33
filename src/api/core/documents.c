/* documents.c -- documents attached to records (issue 17 item 2): upload, list, download,
 * delete; svc/core/document.h does the work.
 *
 * An upload is the raw body (application/octet-stream, as the imports take theirs) with the
 * file's name in the query; its type is judged from the bytes. A download answers the stored
 * type, only as an attachment (Content-Disposition with an ASCII fallback and the RFC 5987
 * UTF-8 name), sandboxed (Content-Security-Policy: sandbox) and never sniffed (the server's
 * X-Content-Type-Options: nosniff). /api/v1/documents/:id is permitted through the owner
 * record (dispatch, SCOPE_DOCUMENT): reading it takes reading the owner, removing it changing
 * the owner. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "api/core/internal.h"
#include "svc/core/document.h"

const struct api_shape api_shapes_documents[] = {
    {"Document", "id:int owner_kind:str(contract|breach|dispute|lesson) owner_id:int "
                 "account_id:int? name:str mime:str size:int sha256:str note:str "
                 "created_by:int? created_at:ts"},
    {NULL, NULL},
};

static void render_document(struct jw *w, const struct document *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "owner_kind", x->owner_kind);
    jw_ki64(w, "owner_id", x->owner_id);
    jw_ki64n(w, "account_id", x->account_id, x->account_id == 0);
    jw_kstr(w, "name", x->name);
    jw_kstr(w, "mime", x->mime);
    jw_ki64(w, "size", x->size);
    jw_kstr(w, "sha256", x->sha256);
    jw_kstr(w, "note", x->note);
    jw_ki64n(w, "created_by", x->created_by, x->created_by == 0);
    jw_ktime(w, "created_at", x->created_at);
    jw_obj_end(w);
}

/* The owner kind of a route by its path ("/api/v1/contracts/:id/documents" -> "contract"). */
static const char *owner_kind_of(const struct api_call *c)
{
    static const struct {
        const char *prefix, *kind;
    } kinds[] = {
        {"/api/v1/contracts/", "contract"},
        {"/api/v1/breaches/", "breach"},
        {"/api/v1/disputes/", "dispute"},
        {"/api/v1/lessons/", "lesson"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strncmp(c->route->path, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
            return kinds[i].kind;
    return "";
}

static enum kam_err upload(struct api_call *c)
{
    const char *ct = c->req->header(c->req, "Content-Type");
    /* a form's envelope would be stored as the file: the bytes themselves are the body */
    if (ct && (strncasecmp(ct, "multipart/", 10) == 0 ||
               strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0))
        return kam_fail(c->ctx->err, KAM_EMEDIA, "Content-Type",
                        "send the file's bytes as the body (application/octet-stream), not a form");
    struct document out;
    enum kam_err rc = document_upload(c->ctx, owner_kind_of(c), c->id[0], api_query_str(c, "name"),
                                      api_query_str(c, "note"), c->req->body ? c->req->body : "",
                                      c->req->body_len, &out);
    if (rc)
        return rc;
    c->status = 201;
    render_document(&c->w, &out);
    return KAM_OK;
}

static enum kam_err list(struct api_call *c)
{
    int64_t limit = 0;
    enum kam_err rc = api_query_i64(c, "limit", 0, &limit);
    if (!rc && http_query(c->req, "limit") && limit == 0)
        rc = kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    if (rc)
        return rc;
    struct document *items;
    size_t n;
    const char *next;
    if ((rc = document_list(c->ctx, owner_kind_of(c), c->id[0], limit, api_query_str(c, "cursor"),
                            &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_document(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

/* Content-Disposition: attachment with an ASCII fallback (other bytes, quotes, backslashes and
 * '%' as '_') and the RFC 5987 UTF-8 name, percent-encoded. */
static const char *disposition(struct api_call *c, const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(name);
    char *ascii = arena_alloc(c->ctx->a, n + 1);
    char *enc = arena_alloc(c->ctx->a, 3 * n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        ascii[i] = ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\' && ch != '%' ? (char)ch : '_';
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '.' || ch == '_' || ch == '~') {
            enc[k++] = (char)ch;
        } else {
            enc[k++] = '%';
            enc[k++] = hex[ch >> 4];
            enc[k++] = hex[ch & 15];
        }
    }
    ascii[n] = 0;
    enc[k] = 0;
    return arena_printf(c->ctx->a, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, enc);
}

static enum kam_err download(struct api_call *c)
{
    struct document d;
    struct buf *b = &c->resp->body;
    buf_reset(b);
    enum kam_err rc = document_read(c->ctx, c->id[0], &d, b);
    if (rc) {
        buf_reset(b);
        return rc;
    }
    c->resp->content_type = strncmp(d.mime, "text/", 5) == 0
                                ? arena_printf(c->ctx->a, "%s; charset=utf-8", d.mime)
                                : d.mime;
    http_resp_header(c->resp, "Content-Disposition", disposition(c, d.name));
    http_resp_header(c->resp, "Content-Security-Policy", "sandbox; default-src 'none'");
    return KAM_OK;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = document_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static const char *const upload_query[] = {"name", "note", NULL};
static const char *const page_query[] = {"limit", "cursor", NULL};
/* Written once, before main, by init_queries(). */
static const char *contract_export_query[API_EXPORT_QUERY_MAX];
static const char *breach_export_query[API_EXPORT_QUERY_MAX];
static const char *dispute_export_query[API_EXPORT_QUERY_MAX];
static const char *lesson_export_query[API_EXPORT_QUERY_MAX];

#define UPLOAD_DOC(what)                                                                           \
    "Attach a file to the " what ": the body is its bytes (application/octet-stream), name= its "  \
    "file name (sanitised: no directories, control or bidi characters; <= 200 characters), "       \
    "note= one line of <= 500 characters. "                                                        \
    "Up to the setting documents.max_bytes (default 20 MiB; 413 document.too_big), not empty. "    \
    "The type is judged from the content: PDF, PNG, JPEG, GIF, WebP, docx/xlsx/pptx, "             \
    "doc/xls/ppt, UTF-8 text (else 415 on content); a name whose extension says another type "     \
    "is 415 on name. Takes changing the " what "."
#define LIST_DOC(what) "The files attached to the " what ", newest first; keyset paging"
#define EXPORT_DOC                                                                                 \
    " over all its pages, as a file: format=csv (default) or xlsx; columns=key[:label],...; "      \
    "lang=zh-CN|zh-TW|en; raw=1 keeps stored values"

const struct route api_routes_documents[] = {
    {"POST", "/api/v1/contracts/:id/documents", upload, OBJ_CONTRACT, ACT_UPDATE, SCOPE_CONTRACT,
     api_file_body, upload_query, 201, UPLOAD_DOC("contract"), "Document"},
    {"GET", "/api/v1/contracts/:id/documents", list, OBJ_CONTRACT, ACT_READ, SCOPE_CONTRACT, NULL,
     page_query, 200, LIST_DOC("contract"), "[Document]"},
    {"GET", "/api/v1/contracts/:id/documents/export", api_list_export, OBJ_CONTRACT, ACT_READ,
     SCOPE_CONTRACT, NULL, contract_export_query, 200, "A contract's documents" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/breaches/:id/documents", upload, OBJ_BREACH, ACT_UPDATE, SCOPE_BREACH,
     api_file_body, upload_query, 201, UPLOAD_DOC("breach"), "Document"},
    {"GET", "/api/v1/breaches/:id/documents", list, OBJ_BREACH, ACT_READ, SCOPE_BREACH, NULL,
     page_query, 200, LIST_DOC("breach"), "[Document]"},
    {"GET", "/api/v1/breaches/:id/documents/export", api_list_export, OBJ_BREACH, ACT_READ,
     SCOPE_BREACH, NULL, breach_export_query, 200, "A breach's documents" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/disputes/:id/documents", upload, OBJ_DISPUTE, ACT_UPDATE, SCOPE_DISPUTE,
     api_file_body, upload_query, 201, UPLOAD_DOC("dispute"), "Document"},
    {"GET", "/api/v1/disputes/:id/documents", list, OBJ_DISPUTE, ACT_READ, SCOPE_DISPUTE, NULL,
     page_query, 200, LIST_DOC("dispute"), "[Document]"},
    {"GET", "/api/v1/disputes/:id/documents/export", api_list_export, OBJ_DISPUTE, ACT_READ,
     SCOPE_DISPUTE, NULL, dispute_export_query, 200, "A dispute's documents" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/lessons/:id/documents", upload, OBJ_LESSON, ACT_UPDATE, SCOPE_LESSON,
     api_file_body, upload_query, 201, UPLOAD_DOC("lesson"), "Document"},
    {"GET", "/api/v1/lessons/:id/documents", list, OBJ_LESSON, ACT_READ, SCOPE_LESSON, NULL,
     page_query, 200, LIST_DOC("lesson"), "[Document]"},
    {"GET", "/api/v1/lessons/:id/documents/export", api_list_export, OBJ_LESSON, ACT_READ,
     SCOPE_LESSON, NULL, lesson_export_query, 200, "A lesson's documents" EXPORT_DOC, "csv"},
    {"GET", "/api/v1/documents/:id", download, OBJ_CONTRACT, ACT_READ, SCOPE_DOCUMENT, NULL, NULL,
     200,
     "Download a document: its bytes as the type stored, as an attachment (Content-Disposition "
     "with the sanitised name), Content-Security-Policy: sandbox, nosniff; audited. Permitted "
     "through the record it belongs to (object and scope of its contract, breach, dispute or "
     "lesson; x-kam-object names the contract's)",
     "file"},
    {"DELETE", "/api/v1/documents/:id", del, OBJ_CONTRACT, ACT_UPDATE, SCOPE_DOCUMENT, NULL, NULL,
     204,
     "Remove a document; takes changing the record it belongs to (x-kam-object names the "
     "contract's); audited",
     "-"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/contracts/:id/documents/export", contract_export_query);
    api_list_export_query("/api/v1/breaches/:id/documents/export", breach_export_query);
    api_list_export_query("/api/v1/disputes/:id/documents/export", dispute_export_query);
    api_list_export_query("/api/v1/lessons/:id/documents/export", lesson_export_query);
}
