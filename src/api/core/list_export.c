/* list_export.c -- GET <list>/export: every row a list route returns, over all its pages, as a
 * CSV or .xlsx file (issue 12).
 *
 * The export route sits at its list route's path + "/export", with the list's object, action
 * and scope (so dispatch grants an export exactly to those who may list) and the list's query
 * parameters except limit and cursor, plus format (csv|xlsx) and columns. The handler calls
 * the list route's own handler page after page (limit PAGE, following next_cursor), each page
 * in a fresh arena and a reused buffer, and writes each item as a row into an export_stream
 * (an unlinked temporary file), which the server then streams: the memory used does not grow
 * with the rows. So the filters, sort and scope of the export are the list's, by construction.
 *
 * Columns come from the list's item shape (the route's resp "[Name]", api_shapes): scalars by
 * name, nested objects flattened ("revenue.amount"), arrays joined with ", ". columns=
 * picks and orders them, each "key" or "key:label" (the web sends the user's visible columns
 * with their labels in the user's language); a key naming an object takes all its fields. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "internal.h"
#include "svc/core/export_stream.h"

#define PAGE 500
#define MAX_DEPTH 3

struct col {
    const char *key;     /* "revenue.amount" */
    const char *label;   /* the header text */
    const char *cur_key; /* a Money amount: its currency's key ("revenue.currency"), else NULL */
};

struct cols {
    struct col *v;
    size_t n, cap;
};

static void col_add(struct arena *a, struct cols *cs, const char *key, const char *label)
{
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 32;
        struct col *v = arena_calloc(a, cap, sizeof *v);
        if (cs->n)
            memcpy(v, cs->v, cs->n * sizeof *v);
        cs->v = v;
        cs->cap = cap;
    }
    cs->v[cs->n].key = key;
    cs->v[cs->n].label = label;
    cs->v[cs->n].cur_key = NULL;
    cs->n++;
}

/* Decimals of a currency's minor unit (ISO 4217): Money amounts are written in them. */
static int minor_digits(const char *cur)
{
    static const char *const zero[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                       "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                                       "VND", "VUV", "XAF", "XOF", "XPF", NULL};
    static const char *const three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND", NULL};
    for (int i = 0; cur && zero[i]; i++)
        if (strcmp(cur, zero[i]) == 0)
            return 0;
    for (int i = 0; cur && three[i]; i++)
        if (strcmp(cur, three[i]) == 0)
            return 3;
    return 2;
}

static const char *shape_fields(const char *name, size_t len)
{
    for (int i = 0;; i++) {
        const struct api_shape *t = api_shape_table_at(i);
        if (!t)
            return NULL;
        for (; t->name; t++)
            if (strlen(t->name) == len && strncmp(t->name, name, len) == 0)
                return t->fields;
    }
}

/* Appends the columns of a shape's field list (fields[0..len)) under prefix. */
static void shape_cols(struct arena *a, struct cols *cs, const char *prefix, const char *fields,
                       size_t len, int depth)
{
    const char *p = fields, *end = fields + len;
    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        if (p >= end)
            break;
        const char *name = p;
        while (p < end && *p != ':' && *p != ' ')
            p++;
        size_t nlen = (size_t)(p - name);
        if (nlen && name[nlen - 1] == '?')
            nlen--;
        if (p >= end || *p != ':')
            continue;
        p++;
        const char *type = p;
        int d = 0;
        while (p < end && (d > 0 || *p != ' ')) {
            if (*p == '{' || *p == '[' || *p == '(')
                d++;
            else if (*p == '}' || *p == ']' || *p == ')')
                d--;
            p++;
        }
        size_t tlen = (size_t)(p - type);
        if (tlen && type[tlen - 1] == '?')
            tlen--;
        const char *key = arena_printf(a, "%s%.*s", prefix, (int)nlen, name);
        const char *sub = NULL;
        size_t sublen = 0;
        if (tlen >= 2 && type[0] == '{') {
            sub = type + 1;
            sublen = tlen - 2;
        } else if (tlen && type[0] >= 'A' && type[0] <= 'Z') {
            sub = shape_fields(type, tlen);
            sublen = sub ? strlen(sub) : 0;
        }
        if (tlen == 5 && strncmp(type, "Money", 5) == 0) {
            /* money as the number people read (12345.67), beside its currency */
            col_add(a, cs, arena_printf(a, "%s.amount", key), arena_printf(a, "%s.amount", key));
            cs->v[cs->n - 1].cur_key = arena_printf(a, "%s.currency", key);
            const char *ck = arena_printf(a, "%s.currency", key);
            col_add(a, cs, ck, ck);
        } else if (sub && depth < MAX_DEPTH)
            shape_cols(a, cs, arena_printf(a, "%s.", key), sub, sublen, depth + 1);
        else
            col_add(a, cs, key, key);
    }
}

/* The columns columns= asks for, from the item's columns all. */
static enum kam_err pick_cols(struct api_call *c, const struct cols *all, const char *spec,
                              struct cols *out)
{
    struct arena *a = c->ctx->a;
    char *s = arena_strdup(a, spec);
    for (char *item = s; item;) {
        char *next = strchr(item, ',');
        if (next)
            *next++ = 0;
        char *label = strchr(item, ':');
        if (label)
            *label++ = 0;
        while (*item == ' ')
            item++;
        if (!*item) {
            item = next;
            continue;
        }
        size_t klen = strlen(item);
        int found = 0;
        for (size_t i = 0; i < all->n; i++) {
            const char *k = all->v[i].key;
            if (strcmp(k, item) == 0) {
                col_add(a, out, k, label && *label ? label : k);
                out->v[out->n - 1].cur_key = all->v[i].cur_key;
                found = 1;
                break;
            }
            if (strncmp(k, item, klen) == 0 && k[klen] == '.') {
                /* an object: all its fields, "label.field" */
                col_add(a, out, k,
                        label && *label ? arena_printf(a, "%s.%s", label, k + klen + 1) : k);
                out->v[out->n - 1].cur_key = all->v[i].cur_key;
                found = 1;
            }
        }
        if (!found)
            return kam_fail(c->ctx->err, KAM_EINVAL, "columns", "unknown column %.60s", item);
        if (out->n > EXPORT_MAX_COLS)
            return kam_fail(c->ctx->err, KAM_EINVAL, "columns", "at most %d columns",
                            EXPORT_MAX_COLS);
        item = next;
    }
    if (!out->n)
        return kam_fail(c->ctx->err, KAM_EINVAL, "columns", "columns names no column");
    return KAM_OK;
}

/* The value at a dotted path in obj, or NULL. */
static json_t *lookup(json_t *obj, const char *path)
{
    char seg[128];
    while (obj && json_is_object(obj)) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof seg)
            return NULL;
        memcpy(seg, path, n);
        seg[n] = 0;
        obj = json_object_get(obj, seg);
        if (!path[n])
            return obj;
        path += n + 1;
    }
    return NULL;
}

static void json_text(struct buf *b, json_t *v)
{
    if (json_is_string(v)) {
        buf_puts(b, json_string_value(v));
    } else if (json_is_integer(v)) {
        buf_printf(b, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        buf_printf(b, "%.15g", json_real_value(v));
    } else if (json_is_true(v) || json_is_false(v)) {
        buf_puts(b, json_is_true(v) ? "true" : "false");
    } else if (!json_is_null(v)) {
        char *s = json_dumps(v, JSON_COMPACT);
        if (s)
            buf_puts(b, s);
        free(s);
    }
}

/* The cell of a JSON value; text in the arena a (or borrowed from v). */
static void cell_of(struct arena *a, json_t *v, struct export_cell *x)
{
    memset(x, 0, sizeof *x);
    if (!v || json_is_null(v)) {
        x->text = "";
    } else if (json_is_string(v)) {
        x->text = json_string_value(v);
    } else if (json_is_integer(v)) {
        x->num = (int64_t)json_integer_value(v);
    } else if (json_is_real(v)) {
        double r = json_real_value(v);
        int d = 0;
        double scaled = r;
        while (d < 6 && fabs(scaled - nearbyint(scaled)) > 1e-9 * (fabs(scaled) + 1)) {
            scaled *= 10;
            d++;
        }
        if (fabs(scaled) < 9e15) {
            x->num = (int64_t)llrint(scaled);
            x->decimals = d;
        } else {
            x->text = arena_printf(a, "%.15g", r);
        }
    } else if (json_is_array(v)) {
        struct buf b;
        buf_init(&b, 1u << 20);
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (i)
                buf_puts(&b, ", ");
            json_text(&b, e);
        }
        x->text = arena_strdup(a, b.data ? b.data : "");
        buf_release(&b);
    } else {
        struct buf b;
        buf_init(&b, 1u << 20);
        json_text(&b, v);
        x->text = arena_strdup(a, b.data ? b.data : "");
        buf_release(&b);
    }
}

static const struct route *list_route_of(const struct route *export)
{
    size_t n = strlen(export->path);
    static const char suffix[] = "/export";
    if (n <= sizeof suffix - 1 || strcmp(export->path + n - (sizeof suffix - 1), suffix) != 0)
        return NULL;
    for (int i = 0;; i++) {
        const struct route *rt = api_route_at(i);
        if (!rt)
            return NULL;
        if (rt->fn != api_list_export && strcmp(rt->method, "GET") == 0 &&
            strlen(rt->path) == n - (sizeof suffix - 1) &&
            strncmp(rt->path, export->path, n - (sizeof suffix - 1)) == 0)
            return rt;
    }
}

void api_list_export_query(const char *export_path, const char **q)
{
    struct route ex = {.path = export_path};
    const struct route *list = list_route_of(&ex);
    size_t n = 0;
    for (const char *const *p = list ? list->query : NULL; p && *p; p++)
        if (strcmp(*p, "limit") && strcmp(*p, "cursor") && strcmp(*p, "format") &&
            strcmp(*p, "columns") && n < API_EXPORT_QUERY_MAX - 3)
            q[n++] = *p;
    q[n++] = "format";
    q[n++] = "columns";
    q[n] = NULL;
}

/* 'attachment; filename="x"; filename*=UTF-8''x' (RFC 6266 / 5987). */
static const char *disposition(struct arena *a, const char *name)
{
    struct buf b;
    buf_init(&b, 4096);
    buf_puts(&b, "attachment; filename=\"");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        buf_putc(&b, *p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\' ? '_' : (char)*p);
    buf_puts(&b, "\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            buf_putc(&b, (char)*p);
        else
            buf_printf(&b, "%%%02X", *p);
    }
    const char *s = arena_strdup(a, b.data);
    buf_release(&b);
    return s;
}

/* "accounts", "account-12-contacts": the file name's stem, from the list path. */
static const char *file_stem(struct api_call *c, const struct route *list)
{
    const char *p = list->path + strlen("/api/v1/");
    const char *last = strrchr(p, '/');
    if (list->scope == SCOPE_ACCOUNT && last)
        return arena_printf(c->ctx->a, "account-%lld-%s", (long long)c->id[0], last + 1);
    return arena_strdup(c->ctx->a, last ? last + 1 : p);
}

enum kam_err api_list_export(struct api_call *c)
{
    struct kam_ctx *ctx = c->ctx;
    const struct route *list = list_route_of(c->route);
    size_t rlen = list && list->resp ? strlen(list->resp) : 0;
    if (!list || rlen < 3 || list->resp[0] != '[' || list->resp[rlen - 1] != ']')
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "no list route for %s", c->route->path);
    const char *format = api_query_str(c, "format");
    if (format && strcmp(format, "csv") && strcmp(format, "xlsx"))
        return kam_fail(ctx->err, KAM_EINVAL, "format", "format must be csv or xlsx");
    const char *item_fields = shape_fields(list->resp + 1, rlen - 2);
    if (!item_fields)
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "no shape %s", list->resp);
    struct cols all = {0}, cols = {0};
    shape_cols(ctx->a, &all, "", item_fields, strlen(item_fields), 0);
    const char *spec = api_query_str(c, "columns");
    enum kam_err rc;
    if (spec && *spec) {
        if ((rc = pick_cols(c, &all, spec, &cols)))
            return rc;
    } else {
        cols = all;
    }
    if (cols.n > EXPORT_MAX_COLS)
        cols.n = EXPORT_MAX_COLS;

    /* The list's request: the export's parameters but format and columns, plus a page. */
    struct http_req sub = *c->req;
    sub.nquery = 0;
    for (int i = 0; i < c->req->nquery; i++) {
        const char *k = c->req->query[i].key;
        if (strcmp(k, "format") && strcmp(k, "columns") && strcmp(k, "limit") &&
            strcmp(k, "cursor") && sub.nquery < HTTP_MAX_QUERY_PARAMS - 2)
            sub.query[sub.nquery++] = c->req->query[i];
    }
    int base = sub.nquery;
    char limit[16];
    snprintf(limit, sizeof limit, "%d", PAGE);
    sub.query[sub.nquery++] = (struct http_param){"limit", limit};

    const char **labels = arena_calloc(ctx->a, cols.n, sizeof *labels);
    for (size_t i = 0; i < cols.n; i++)
        labels[i] = cols.v[i].label;
    struct export_cell *cells = arena_calloc(ctx->a, cols.n, sizeof *cells);
    const char *ct;
    struct export_stream st;
    if ((rc = export_stream_open(&st, ctx, format, file_stem(c, list), &ct)))
        return rc;
    if ((rc = export_stream_header(&st, labels, cols.n))) {
        export_stream_abort(&st);
        return rc;
    }
    struct arena *req_arena = ctx->a;
    struct buf page;
    buf_init(&page, HTTP_MAX_RESPONSE);
    struct http_resp scratch = {0};
    buf_init(&scratch.body, 0);
    char *cursor = NULL;
    for (;;) {
        struct arena pa;
        arena_init(&pa);
        sub.a = &pa;
        sub.nquery = base + 1;
        if (cursor)
            sub.query[sub.nquery++] = (struct http_param){"cursor", arena_strdup(&pa, cursor)};
        ctx->a = &pa;
        buf_reset(&page);
        struct api_call lc = *c;
        lc.req = &sub;
        lc.resp = &scratch;
        lc.route = list;
        lc.status = 200;
        jw_init(&lc.w, &page);
        rc = list->fn(&lc);
        if (!rc && !buf_ok(&page))
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "a page of the list is too large");
        json_t *doc = NULL;
        if (!rc) {
            json_error_t jerr;
            doc = json_loadb(page.data ? page.data : "", page.len, 0, &jerr);
            if (!doc)
                rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "the list's page does not parse: %s",
                              jerr.text);
        }
        json_t *items = doc ? json_object_get(doc, "items") : NULL;
        size_t i;
        json_t *item;
        if (!rc && !json_is_array(items))
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "the list's page has no items");
        if (!rc) {
            json_array_foreach(items, i, item)
            {
                for (size_t k = 0; k < cols.n; k++) {
                    json_t *v = lookup(item, cols.v[k].key);
                    cell_of(&pa, v, &cells[k]);
                    if (cols.v[k].cur_key && json_is_integer(v))
                        cells[k].decimals =
                            minor_digits(json_string_value(lookup(item, cols.v[k].cur_key)));
                }
                if ((rc = export_stream_row(&st, cells)))
                    break;
            }
        }
        json_t *next = doc ? json_object_get(doc, "next_cursor") : NULL;
        char *prev = cursor;
        cursor = !rc && json_is_string(next) && *json_string_value(next)
                     ? strdup(json_string_value(next))
                     : NULL;
        if (!rc && !cursor && json_is_string(next) && *json_string_value(next))
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
        if (cursor && prev && strcmp(cursor, prev) == 0) {
            free(cursor);
            cursor = NULL;
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "the list's cursor does not advance");
        }
        free(prev);
        json_decref(doc);
        ctx->a = req_arena;
        arena_release(&pa);
        if (rc || !cursor)
            break;
    }
    free(cursor);
    buf_release(&page);
    buf_release(&scratch.body);
    if (rc) {
        export_stream_abort(&st);
        return rc;
    }
    int fd;
    uint64_t size;
    if ((rc = export_stream_finish(&st, &fd, &size)))
        return rc;
    http_resp_file(c->resp, fd, size);
    c->resp->content_type = ct;
    char day[32];
    time_iso(ctx->now, day, sizeof day);
    day[10] = 0;
    http_resp_header(c->resp, "Content-Disposition",
                     disposition(ctx->a, arena_printf(ctx->a, "%s-%s.%s", file_stem(c, list), day,
                                                      st.xlsx ? "xlsx" : "csv")));
    return KAM_OK;
}
