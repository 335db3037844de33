/* document.c -- documents attached to records: the sniffer, the name sanitiser, upload, list,
 * download, delete (document.h). */
#include "document.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "audit.h"
#include "base/utf8.h"
#include "check.h"
#include "page.h"
#include "rows.h"
#include "settings.h"
#include "store/db.h"
#include "store/sqlb.h"

/* ---- types ---- */

static const char *const pdf_exts[] = {"pdf", NULL};
static const char *const png_exts[] = {"png", NULL};
static const char *const jpeg_exts[] = {"jpg", "jpeg", "jpe", "jfif", NULL};
static const char *const gif_exts[] = {"gif", NULL};
static const char *const webp_exts[] = {"webp", NULL};
static const char *const docx_exts[] = {"docx", "docm", "dotx", NULL};
static const char *const xlsx_exts[] = {"xlsx", "xlsm", "xltx", NULL};
static const char *const pptx_exts[] = {"pptx", "pptm", "potx", "ppsx", NULL};
static const char *const doc_exts[] = {"doc", "dot", NULL};
static const char *const xls_exts[] = {"xls", "xlt", NULL};
static const char *const ppt_exts[] = {"ppt", "pps", "pot", NULL};
static const char *const txt_exts[] = {"txt", "text", "log", "md", NULL};
static const char *const csv_exts[] = {"csv", "tsv", NULL};
/* Extensions of what no type here is, named so that a file under them contradicts any content
 * (HTML or script text under .html is not served as text/plain with a new extension: refused). */
static const char *const foreign_exts[] = {
    "html", "htm", "xhtml", "svg", "xml", "js",  "mjs", "exe", "dll", "com", "bat", "cmd",
    "msi",  "scr", "ps1",   "vbs", "sh",  "jar", "apk", "so",  "elf", "bin", "zip", "rar",
    "7z",   "gz",  "tar",   "swf", "hta", "lnk", "url", "php", "py",  "rb",  "pl",  NULL};

enum {
    T_PDF,
    T_PNG,
    T_JPEG,
    T_GIF,
    T_WEBP,
    T_DOCX,
    T_XLSX,
    T_PPTX,
    T_DOC,
    T_XLS,
    T_PPT,
    T_TXT,
    T_CSV,
    T_COUNT
};

static const struct doc_type types[T_COUNT] = {
    [T_PDF] = {"application/pdf", "pdf", pdf_exts},
    [T_PNG] = {"image/png", "png", png_exts},
    [T_JPEG] = {"image/jpeg", "jpg", jpeg_exts},
    [T_GIF] = {"image/gif", "gif", gif_exts},
    [T_WEBP] = {"image/webp", "webp", webp_exts},
    [T_DOCX] = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
                docx_exts},
    [T_XLSX] = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
                xlsx_exts},
    [T_PPTX] = {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx",
                pptx_exts},
    [T_DOC] = {"application/msword", "doc", doc_exts},
    [T_XLS] = {"application/vnd.ms-excel", "xls", xls_exts},
    [T_PPT] = {"application/vnd.ms-powerpoint", "ppt", ppt_exts},
    [T_TXT] = {"text/plain", "txt", txt_exts},
    [T_CSV] = {"text/csv", "csv", csv_exts},
};

const struct doc_type *document_type_of_ext(const char *ext)
{
    for (int i = 0; ext && *ext && i < T_COUNT; i++)
        for (const char *const *e = types[i].exts; *e; e++)
            if (strcasecmp(*e, ext) == 0)
                return &types[i];
    return NULL;
}

static int foreign_ext(const char *ext)
{
    for (const char *const *e = foreign_exts; ext && *e; e++)
        if (strcasecmp(*e, ext) == 0)
            return 1;
    return 0;
}

/* ---- the sniffer ---- */

static int starts(const unsigned char *p, size_t n, const void *magic, size_t m)
{
    return n >= m && memcmp(p, magic, m) == 0;
}

/* OOXML: a zip whose [Content_Types].xml is there and whose main part names the kind. */
static const struct doc_type *sniff_zip(const unsigned char *p, size_t n)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(p, n, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    zip_error_fini(&ze);
    if (!z) {
        if (src)
            zip_source_free(src);
        return NULL;
    }
    const struct doc_type *t = NULL;
    if (zip_name_locate(z, "[Content_Types].xml", 0) >= 0) {
        if (zip_name_locate(z, "word/document.xml", 0) >= 0)
            t = &types[T_DOCX];
        else if (zip_name_locate(z, "xl/workbook.xml", 0) >= 0)
            t = &types[T_XLSX];
        else if (zip_name_locate(z, "ppt/presentation.xml", 0) >= 0)
            t = &types[T_PPTX];
    }
    zip_discard(z); /* frees src too */
    return t;
}

/* Does the 128-byte directory entry at e name a stream called name (ASCII, compared as the
 * UTF-16LE the entry holds)? */
static int ole_entry_is(const unsigned char *e, const char *name)
{
    size_t k = strlen(name);
    unsigned len = (unsigned)e[0x40] | (unsigned)e[0x41] << 8;
    if (len != (k + 1) * 2 || e[0x42] != 2) /* the name's bytes with its NUL; a stream */
        return 0;
    for (size_t i = 0; i < k; i++)
        if (e[2 * i] != (unsigned char)name[i] || e[2 * i + 1] != 0)
            return 0;
    return 1;
}

/* Legacy Office (Compound File Binary): which of the streams WordDocument, Workbook (Book),
 * PowerPoint Document the directory holds. Directory entries sit at 128-byte steps inside
 * sectors, so every such position after the header is looked at (no sector chains to follow:
 * a damaged file is at worst not recognised). */
static const struct doc_type *sniff_ole(const unsigned char *p, size_t n)
{
    unsigned shift = (unsigned)p[0x1E] | (unsigned)p[0x1F] << 8;
    if (shift != 9 && shift != 12)
        return NULL;
    for (size_t off = 512; off + 128 <= n; off += 128) {
        const unsigned char *e = p + off;
        if (ole_entry_is(e, "WordDocument"))
            return &types[T_DOC];
        if (ole_entry_is(e, "Workbook") || ole_entry_is(e, "Book"))
            return &types[T_XLS];
        if (ole_entry_is(e, "PowerPoint Document"))
            return &types[T_PPT];
    }
    return NULL;
}

/* Plain text: valid UTF-8 (a BOM allowed), no NUL, no control characters but tab, LF, CR, FF. */
static int is_text(const unsigned char *p, size_t n)
{
    if (starts(p, n, "\xEF\xBB\xBF", 3)) {
        p += 3;
        n -= 3;
    }
    if (!n || !utf8_valid((const char *)p, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r' && p[i] != '\f') ||
            p[i] == 0x7f)
            return 0;
    return 1;
}

const struct doc_type *document_sniff(const void *data, size_t n)
{
    const unsigned char *p = data;
    if (!p || !n)
        return NULL;
    if (starts(p, n, "%PDF-", 5))
        return &types[T_PDF];
    if (starts(p, n, "\x89PNG\r\n\x1a\n", 8))
        return &types[T_PNG];
    if (starts(p, n, "\xFF\xD8\xFF", 3))
        return &types[T_JPEG];
    if (starts(p, n, "GIF87a", 6) || starts(p, n, "GIF89a", 6))
        return &types[T_GIF];
    if (n >= 16 && starts(p, n, "RIFF", 4) && memcmp(p + 8, "WEBPVP8", 7) == 0)
        return &types[T_WEBP];
    if (starts(p, n, "PK\x03\x04", 4))
        return sniff_zip(p, n);
    if (starts(p, n, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
        return n >= 512 ? sniff_ole(p, n) : NULL;
    if (is_text(p, n))
        return &types[T_TXT];
    return NULL;
}

/* ---- names ---- */

/* Code points left out of a name: bidi controls, zero-width characters, the BOM, the line and
 * paragraph separators. */
static int dropped_cp(unsigned cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C || (cp >= 0x200B && cp <= 0x200D) || cp == 0xFEFF ||
           cp == 0x2028 || cp == 0x2029 || (cp >= 0x80 && cp < 0xA0) || cp == 0x2060;
}

static unsigned decode_cp(const unsigned char *s, size_t len)
{
    if (len == 1)
        return s[0];
    if (len == 2)
        return (unsigned)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
    if (len == 3)
        return (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
    return (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3f) << 12 |
           (unsigned)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
}

/* The extension of name (after its last dot, not the first character), or NULL. */
static const char *ext_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && dot != name && dot[1] ? dot + 1 : NULL;
}

/* The byte offset of the end of the first max characters of s (valid UTF-8). */
static size_t chars_prefix(const char *s, size_t n, size_t max)
{
    size_t i = 0, k = 0;
    while (i < n && k < max) {
        size_t l = utf8_seq_len((const unsigned char *)s + i, n - i);
        i += l ? l : 1;
        k++;
    }
    return i;
}

const char *document_clean_name(struct arena *a, const char *name, const struct doc_type *t,
                                int *mismatch)
{
    if (mismatch)
        *mismatch = 0;
    if (!name)
        name = "";
    /* the last path component, of either separator */
    const char *base = name;
    for (const char *q = name; *q; q++)
        if (*q == '/' || *q == '\\')
            base = q + 1;
    size_t n = strlen(base);
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    int space = 0;
    for (size_t i = 0; i < n;) {
        const unsigned char *s = (const unsigned char *)base + i;
        size_t len = utf8_seq_len(s, n - i);
        if (!len) { /* invalid byte: dropped */
            i++;
            continue;
        }
        unsigned cp = decode_cp(s, len);
        i += len;
        if (cp < 0x20 || cp == 0x7f || dropped_cp(cp) ||
            (cp < 0x80 && strchr("<>:\"|?*", (int)cp) != NULL))
            continue;
        if (cp == ' ' || cp == 0xA0 || cp == 0x3000 || cp == '\t') {
            space = 1;
            continue;
        }
        if (space && o)
            out[o++] = ' ';
        space = 0;
        if (o == 0 && cp == '.') /* no leading dots */
            continue;
        memcpy(out + o, s, len);
        o += len;
    }
    while (o && (out[o - 1] == '.' || out[o - 1] == ' '))
        o--;
    out[o] = 0;
    /* at most DOC_NAME_MAX characters, keeping a short extension */
    if (utf8_chars(out, o) > DOC_NAME_MAX) {
        const char *ext = ext_of(out);
        size_t el = ext && strlen(ext) <= 10 ? strlen(ext) + 1 : 0;
        size_t keep = chars_prefix(out, o, DOC_NAME_MAX - el);
        if (el)
            memmove(out + keep, out + o - el, el);
        o = keep + el;
        out[o] = 0;
        while (o > el && out[o - el - 1] == ' ') { /* a cut left a space before the dot */
            memmove(out + o - el - 1, out + o - el, el);
            out[--o] = 0;
        }
        while (o && (out[o - 1] == '.' || out[o - 1] == ' ')) /* the cut's end, when no ext */
            out[--o] = 0;
    }
    if (!t)
        return out;
    if (!*out)
        return arena_printf(a, "document.%s", t->ext);
    const char *ext = ext_of(out);
    const struct doc_type *named = ext ? document_type_of_ext(ext) : NULL;
    int text = t == &types[T_TXT] || t == &types[T_CSV];
    int named_text = named == &types[T_TXT] || named == &types[T_CSV];
    if (named == t || (text && named_text))
        return out;
    if (named || foreign_ext(ext)) {
        if (mismatch)
            *mismatch = 1;
        return out;
    }
    /* no extension, or one of no known type: the type's own appended, within the limit */
    size_t el = strlen(t->ext) + 1;
    size_t keep = chars_prefix(out, o, DOC_NAME_MAX - el);
    return arena_printf(a, "%.*s.%s", (int)keep, out, t->ext);
}

/* ---- owners ---- */

static const struct owner {
    const char *kind;
    enum obj obj;
    const char *account_sql; /* one `?`: the owner's id; one row, its account (NULL allowed) */
} owners[] = {
    {"contract", OBJ_CONTRACT, "SELECT account_id FROM contracts WHERE id = ?"},
    {"breach", OBJ_BREACH, "SELECT account_id FROM contract_breaches WHERE id = ?"},
    {"dispute", OBJ_DISPUTE, "SELECT account_id FROM disputes WHERE id = ?"},
    {"lesson", OBJ_LESSON, "SELECT account_id FROM lessons WHERE id = ?"},
};
#define NOWNERS (sizeof owners / sizeof owners[0])

static const struct owner *owner_of(const char *kind)
{
    for (size_t i = 0; kind && i < NOWNERS; i++)
        if (strcmp(owners[i].kind, kind) == 0)
            return &owners[i];
    return NULL;
}

enum obj document_owner_obj(const char *owner_kind, int *ok)
{
    const struct owner *o = owner_of(owner_kind);
    *ok = o != NULL;
    return o ? o->obj : (enum obj)0;
}

/* The owner record's account (0: none); KAM_ENOTFOUND "id" when there is no such record. */
static enum kam_err owner_account(struct kam_ctx *ctx, const struct owner *o, int64_t id,
                                  int64_t *account)
{
    *account = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, o->account_sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *account = db_col_is_null(st, 0) ? 0 : db_col_i64(st, 0);
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such %s", o->kind);
    return rc;
}

/* ---- records ---- */

#define DCOLS                                                                                      \
    "d.id, d.owner_kind, d.owner_id, d.account_id, d.name, d.mime, d.size, d.sha256, d.note, "     \
    "d.created_by, d.created_at"

static void doc_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct document *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->owner_kind = arena_strdup(ctx->a, db_col_text(st, 1));
    x->owner_id = db_col_i64(st, 2);
    x->account_id = db_col_is_null(st, 3) ? 0 : db_col_i64(st, 3);
    x->name = arena_strdup(ctx->a, db_col_text(st, 4));
    x->mime = arena_strdup(ctx->a, db_col_text(st, 5));
    x->size = db_col_i64(st, 6);
    x->sha256 = arena_strdup(ctx->a, db_col_text(st, 7));
    x->note = arena_strdup(ctx->a, db_col_text(st, 8));
    x->created_by = db_col_is_null(st, 9) ? 0 : db_col_i64(st, 9);
    x->created_at = db_col_i64(st, 10);
}

enum kam_err document_get(struct kam_ctx *ctx, int64_t id, struct document *out)
{
    return row_get(ctx, "SELECT " DCOLS " FROM documents d WHERE d.id = ?", id, doc_row, out,
                   "document");
}

static void doc_diff(struct audit_diff *d, const struct document *b, const struct document *a)
{
    audit_diff_str(d, "owner_kind", b ? b->owner_kind : NULL, a ? a->owner_kind : NULL);
    audit_diff_i64(d, "owner_id", b ? b->owner_id : 0, !b, a ? a->owner_id : 0, !a);
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "mime", b ? b->mime : NULL, a ? a->mime : NULL);
    audit_diff_i64(d, "size", b ? b->size : 0, !b, a ? a->size : 0, !a);
    audit_diff_str(d, "sha256", b ? b->sha256 : NULL, a ? a->sha256 : NULL);
    audit_diff_str(d, "note", b && *b->note ? b->note : NULL, a && *a->note ? a->note : NULL);
}

static enum kam_err max_bytes(struct kam_ctx *ctx, int64_t *out)
{
    enum kam_err rc = settings_get_i64(ctx, "documents.max_bytes", DOC_MAX_BYTES_DEFAULT, out);
    if (*out <= 0 || *out > (int64_t)DOC_MAX_BYTES_LIMIT)
        *out = *out <= 0 ? DOC_MAX_BYTES_DEFAULT : DOC_MAX_BYTES_LIMIT;
    return rc;
}

enum kam_err document_upload(struct kam_ctx *ctx, const char *owner_kind, int64_t owner_id,
                             const char *name, const char *note, const void *p, size_t n,
                             struct document *out)
{
    const struct owner *o = owner_of(owner_kind);
    if (!o)
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "unknown document owner %s", owner_kind);
    if (name &&
        (!utf8_valid(name, strlen(name)) || utf8_chars(name, strlen(name)) > DOC_NAME_IN_MAX))
        return kam_fail_key(ctx->err, KAM_EINVAL, "name", "document.bad_name",
                            (struct kam_param[]){{"max", "1000"}, {0}},
                            "name must be UTF-8 text of at most 1000 characters");
    enum kam_err rc;
    if ((rc = check_text(ctx, "note", note, 0, DOC_NOTE_MAX, CHECK_LINE)))
        return rc;
    if (!n)
        return kam_fail_key(ctx->err, KAM_EINVAL, "content", "document.empty", NULL,
                            "the file is empty");
    int64_t cap = 0;
    rc = max_bytes(ctx, &cap);
    if (rc)
        return rc;
    if ((uint64_t)n > (uint64_t)cap)
        return kam_fail_key(
            ctx->err, KAM_ETOOBIG, "content", "document.too_big",
            (struct kam_param[]){{"max", arena_printf(ctx->a, "%lld", (long long)cap)}, {0}},
            "the file is larger than %lld bytes", (long long)cap);
    const struct doc_type *t = document_sniff(p, n);
    int mismatch = 0;
    const char *clean = document_clean_name(ctx->a, name, t, &mismatch);
    if (!t) {
        const char *ext = ext_of(clean);
        if (ext && document_type_of_ext(ext))
            return kam_fail_key(ctx->err, KAM_EMEDIA, "name", "document.type_mismatch",
                                (struct kam_param[]){{"ext", ext}, {0}},
                                "the content is not the .%s file its name says", ext);
        return kam_fail_key(ctx->err, KAM_EMEDIA, "content", "document.type_unsupported", NULL,
                            "the file is none of PDF, image (PNG, JPEG, GIF, WebP), Office "
                            "document or plain UTF-8 text");
    }
    if (mismatch) {
        const char *ext = ext_of(clean);
        return kam_fail_key(ctx->err, KAM_EMEDIA, "name", "document.type_mismatch",
                            (struct kam_param[]){{"ext", ext ? ext : ""}, {0}},
                            "the content is not the .%s file its name says", ext ? ext : "");
    }
    if (t == &types[T_TXT]) { /* text: its name says whether it is CSV */
        const char *ext = ext_of(clean);
        if (ext && document_type_of_ext(ext) == &types[T_CSV])
            t = &types[T_CSV];
    }
    unsigned char hash[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    crypto_hash_sha256(hash, p, n);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);

    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct document x = {.owner_kind = o->kind,
                         .owner_id = owner_id,
                         .name = clean,
                         .mime = t->mime,
                         .sha256 = hex,
                         .note = note ? note : "",
                         .size = (int64_t)n,
                         .created_by = ctx->who.user_id > 0 ? ctx->who.user_id : 0,
                         .created_at = ctx->now};
    if ((rc = owner_account(ctx, o, owner_id, &x.account_id)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO documents (owner_kind, owner_id, account_id, name, mime, "
                         "size, sha256, note, created_by, created_at) VALUES "
                         "(?,?,?,?,?,?,?,?,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, x.owner_kind);
    db_bind_i64(st, 2, x.owner_id);
    db_bind_i64n(st, 3, x.account_id, x.account_id == 0);
    db_bind_text(st, 4, x.name);
    db_bind_text(st, 5, x.mime);
    db_bind_i64(st, 6, x.size);
    db_bind_text(st, 7, x.sha256);
    db_bind_text(st, 8, x.note);
    db_bind_i64n(st, 9, x.created_by, x.created_by == 0);
    db_bind_i64(st, 10, x.created_at);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (!rc && !x.id)
        rc = kam_fail(ctx->err, KAM_EDB, "", "the document was not stored");
    if (rc)
        goto out;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO document_content (document_id, content) VALUES (?, ?)", &st,
                         ctx->err)))
        goto out;
    db_bind_i64(st, 1, x.id);
    db_bind_blob(st, 2, p, n);
    if ((rc = db_run(st, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    doc_diff(&d, NULL, &x);
    if (!(rc = audit_write(ctx, "document", x.id, x.account_id, "create", &d)))
        rc = document_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort doc_sorts[] = {
    {"id", "d.id", 0},
};

enum kam_err document_list(struct kam_ctx *ctx, const char *owner_kind, int64_t owner_id,
                           int64_t limit, const char *cursor, struct document **items_out,
                           size_t *n_out, const char **next_out)
{
    *items_out = NULL;
    *n_out = 0;
    *next_out = NULL;
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, doc_sorts, sizeof doc_sorts / sizeof doc_sorts[0], "-id",
                                 limit, cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " DCOLS " FROM documents d WHERE d.owner_kind = ? AND d.owner_id = ?");
    sqlb_text(&b, owner_kind);
    sqlb_i64(&b, owner_id);
    struct document *items;
    const struct document *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "d.id", doc_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, items[n - 1].id, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err document_read(struct kam_ctx *ctx, int64_t id, struct document *out, struct buf *into)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    if ((rc = document_get(ctx, id, out)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db, "SELECT content FROM document_content WHERE document_id = ?", &st,
                         ctx->err)))
        goto out;
    db_bind_i64(st, 1, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_EDB, "", "document %lld has no content", (long long)id);
    if (!rc) {
        size_t n = 0;
        const void *p = db_col_blob(st, 0, &n);
        if (!p)
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
        else if ((int64_t)n != out->size)
            rc = kam_fail(ctx->err, KAM_EDB, "", "document %lld: %zu bytes stored, %lld recorded",
                          (long long)id, n, (long long)out->size);
        else {
            buf_append(into, p, n);
            if (!buf_ok(into))
                rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "the document does not fit the reply");
        }
    }
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "owner_kind", NULL, out->owner_kind); /* see document_audit_hidden */
    audit_diff_str(&d, "name", NULL, out->name);
    audit_diff_i64(&d, "size", 0, 1, out->size, 0);
    audit_diff_str(&d, "sha256", NULL, out->sha256);
    rc = audit_write(ctx, "document", id, out->account_id, "download", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err document_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct document before;
    if ((rc = document_get(ctx, id, &before)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM document_content WHERE document_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM documents WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    doc_diff(&d, &before, NULL);
    rc = audit_write(ctx, "document", id, before.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

const char *document_audit_hidden(struct kam_ctx *ctx)
{
    const char *out = "";
    for (size_t i = 0; i < NOWNERS; i++)
        if (policy_grant(ctx->who.role, owners[i].obj, ACT_READ) == GRANT_NONE)
            out = arena_printf(ctx->a,
                               "%s%schanges LIKE '%%\"owner_kind\":[null,\"%s\"]%%' OR changes "
                               "LIKE '%%\"owner_kind\":[\"%s\",null]%%'",
                               out, *out ? " OR " : "", owners[i].kind, owners[i].kind);
    return *out ? arena_printf(ctx->a, " AND NOT (entity = 'document' AND (%s))", out) : "";
}

enum kam_err document_scope(struct kam_ctx *ctx, int64_t id, enum obj *obj_out,
                            int64_t *account_out)
{
    *account_out = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT owner_kind, COALESCE(account_id, 0) FROM documents WHERE id = ?", &st,
        ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    int row = 0;
    const struct owner *o = NULL;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        o = owner_of(db_col_text(st, 0));
        *account_out = db_col_i64(st, 1);
    }
    db_done(st);
    if (rc)
        return rc;
    if (!row)
        return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such document");
    if (!o)
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "document %lld has an unknown owner kind",
                        (long long)id);
    *obj_out = o->obj;
    return KAM_OK;
}
