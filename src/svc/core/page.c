/* page.c -- parsing sort/limit/cursor and encoding cursors.
 * Cursor plaintext: "1|<sort key>|<a|d>|<id>|<value>"; the value comes last so it may hold '|'. */
#include "page.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "store/sqlb.h"

#define CURSOR_MAX 2048

enum kam_err page_parse(struct kam_ctx *ctx, const struct page_sort *sorts, size_t nsorts,
                        const char *sort, int64_t limit, const char *cursor, struct page_req *r)
{
    memset(r, 0, sizeof *r);
    r->sort = &sorts[0];
    if (sort && *sort) {
        const char *k = sort;
        if (*k == '-') {
            r->desc = 1;
            k++;
        }
        r->sort = NULL;
        for (size_t i = 0; i < nsorts; i++)
            if (strcmp(sorts[i].key, k) == 0)
                r->sort = &sorts[i];
        if (!r->sort)
            return kam_fail(ctx->err, KAM_EINVAL, "sort", "unknown sort key");
    }
    if (limit == 0)
        limit = PAGE_DEFAULT;
    if (limit < 1 || limit > PAGE_MAX)
        return kam_fail(ctx->err, KAM_EINVAL, "limit", "limit must be 1..%d", PAGE_MAX);
    r->limit = (int)limit;
    if (!cursor || !*cursor)
        return KAM_OK;
    size_t n = strlen(cursor);
    if (n > CURSOR_MAX)
        return kam_fail(ctx->err, KAM_EINVAL, "cursor", "cursor too long");
    unsigned char *plain = arena_alloc(ctx->a, n + 1);
    long len = b64url_decode(cursor, n, plain);
    if (len < 0)
        return kam_fail(ctx->err, KAM_EINVAL, "cursor", "malformed cursor");
    if (memchr(plain, 0, (size_t)len))
        return kam_fail(ctx->err, KAM_EINVAL, "cursor", "malformed cursor");
    /* version | sort | dir | id | value */
    char *p = (char *)plain, *fields[4];
    for (int i = 0; i < 4; i++) {
        char *bar = memchr(p, '|', (size_t)len - (size_t)(p - (char *)plain));
        if (!bar)
            return kam_fail(ctx->err, KAM_EINVAL, "cursor", "malformed cursor");
        *bar = 0;
        fields[i] = p;
        p = bar + 1;
    }
    if (strcmp(fields[0], "1") != 0)
        return kam_fail(ctx->err, KAM_EINVAL, "cursor", "malformed cursor");
    if (strcmp(fields[1], r->sort->key) != 0 || strcmp(fields[2], r->desc ? "d" : "a") != 0)
        return kam_fail(ctx->err, KAM_EINVAL, "cursor", "cursor belongs to another sort order");
    char *end;
    errno = 0;
    long long id = strtoll(fields[3], &end, 10);
    if (errno || *end || fields[3][0] < '0' || fields[3][0] > '9' || id < 0)
        return kam_fail(ctx->err, KAM_EINVAL, "cursor", "malformed cursor");
    r->has_after = 1;
    r->after_id = id;
    if (r->sort->is_text) {
        r->after_s = p;
    } else {
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (errno || *end || end == p)
            return kam_fail(ctx->err, KAM_EINVAL, "cursor", "malformed cursor");
        r->after_i = v;
    }
    return KAM_OK;
}

const char *page_cursor(struct kam_ctx *ctx, const struct page_req *r, const char *s, int64_t i,
                        int64_t id)
{
    char *plain = r->sort->is_text ? arena_printf(ctx->a, "1|%s|%s|%lld|%s", r->sort->key,
                                                  r->desc ? "d" : "a", (long long)id, s ? s : "")
                                   : arena_printf(ctx->a, "1|%s|%s|%lld|%lld", r->sort->key,
                                                  r->desc ? "d" : "a", (long long)id, (long long)i);
    size_t n = strlen(plain);
    char *out = arena_alloc(ctx->a, 4 * (n / 3 + 1) + 1);
    b64url_encode((const unsigned char *)plain, n, out);
    return out;
}

void page_sql_tail(struct sqlb *b, const struct page_req *r, const char *idcol)
{
    char frag[200];
    if (r->has_after) {
        snprintf(frag, sizeof frag, " AND (%s, %s) %s (?, ?)", r->sort->column, idcol,
                 r->desc ? "<" : ">");
        sqlb_sql(b, frag);
        if (r->sort->is_text)
            sqlb_text(b, r->after_s);
        else
            sqlb_i64(b, r->after_i);
        sqlb_i64(b, r->after_id);
    }
    const char *dir = r->desc ? "DESC" : "ASC";
    snprintf(frag, sizeof frag, " ORDER BY %s %s, %s %s LIMIT ?", r->sort->column, dir, idcol, dir);
    sqlb_sql(b, frag);
    sqlb_i64(b, r->limit + 1);
}

enum kam_err page_fetch(struct kam_ctx *ctx, struct sqlb *b, const struct page_req *r,
                        const char *idcol, row_reader read, size_t size, void **items_out,
                        size_t *n_out, const void **last_out)
{
    *items_out = NULL;
    *n_out = 0;
    *last_out = NULL;
    page_sql_tail(b, r, idcol);
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(b, ctx->db, &st, ctx->err);
    if (rc || (rc = rows_collect(ctx, st, (size_t)r->limit + 1, read, size, items_out, n_out)))
        return rc;
    if (*n_out > (size_t)r->limit) {
        *n_out = (size_t)r->limit;
        *last_out = (const char *)*items_out + (*n_out - 1) * size;
    }
    return KAM_OK;
}
