/* page.h -- keyset paging: sort keys and opaque cursors.
 *
 * A list is ordered by (sort key, id); a cursor carries the last row's key, so the next page is
 * "rows after this key" -- stable under inserts and fast on an index, unlike OFFSET. Cursors
 * are base64url text that only this module reads; one issued for another sort is rejected. */
#ifndef KAM_PAGE_H
#define KAM_PAGE_H

#include <stdint.h>

#include "ctx.h"
#include "rows.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 500

struct page_sort {
    const char *key;    /* API name: "name" */
    const char *column; /* SQL: "accounts.name" */
    int is_text;
};

struct page_req {
    const struct page_sort *sort; /* chosen entry */
    int desc;
    int limit;
    int has_after; /* a cursor was given */
    const char *after_s;
    int64_t after_i, after_id;
};

/* Fills r from the request's sort ("name" / "-name", NULL = sorts[0]), limit (0 = default) and
 * cursor (NULL = first page). Errors name the parameter: "sort", "limit", "cursor". */
enum kam_err page_parse(struct kam_ctx *ctx, const struct page_sort *sorts, size_t nsorts,
                        const char *sort, int64_t limit, const char *cursor, struct page_req *r);

/* Cursor after a row with the given key (s for text keys, i otherwise) and id; in ctx->a. */
const char *page_cursor(struct kam_ctx *ctx, const struct page_req *r, const char *s, int64_t i,
                        int64_t id);

struct sqlb;
/* The tail every keyset list shares: " AND (sort column, idcol) >/< (?, ?)" when a cursor was
 * given, then ORDER BY both and LIMIT limit + 1 (the extra row says there is a next page). */
void page_sql_tail(struct sqlb *b, const struct page_req *r, const char *idcol);

/* The rest of every keyset list: adds page_sql_tail to b, runs it, reads the rows (read, size:
 * as rows_collect) and keeps r->limit of them. *last_out is the last kept row when there is a
 * next page (the caller makes the cursor from its key: page_cursor), NULL when this is the
 * last page. */
enum kam_err page_fetch(struct kam_ctx *ctx, struct sqlb *b, const struct page_req *r,
                        const char *idcol, row_reader read, size_t size, void **items_out,
                        size_t *n_out, const void **last_out);

#endif
