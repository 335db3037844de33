/* fuzz_cursor.c -- libFuzzer target: page_parse() and the base64url codec. */
/* page_parse() gets arbitrary sort, limit and cursor strings; the codec the raw input.
 *
 * Input: "SORT\nLIMIT\nCURSOR" (missing parts are absent). Checks, besides not crashing: a
 * parsed cursor re-encoded by page_cursor() parses back to the same position; errors name one
 * of the three parameters; base64url decoding accepts only text that encodes back to itself. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/b64.h"
#include "svc/core/page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* UBSan findings are bugs too: stop at the first one (libFuzzer builds do not pass
 * -fno-sanitize-recover), so the fuzzer saves the input. Unused without UBSan. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

/* The account list's sort keys: two text keys and two integer keys. */
static const struct page_sort sorts[] = {
    {"name", "accounts.name", 1},
    {"code", "accounts.code", 1},
    {"updated_at", "accounts.updated_at", 0},
    {"id", "accounts.id", 0},
};
#define NSORTS (sizeof sorts / sizeof sorts[0])

static void bug(const char *what)
{
    fprintf(stderr, "fuzz_cursor: %s\n", what);
    abort();
}

static void check_b64(const uint8_t *data, size_t size)
{
    /* Decoding: exactly the documented buffer size, so ASan sees any overrun. */
    unsigned char *plain = malloc(3 * size / 4 + 1);
    if (!plain)
        abort();
    long n = b64url_decode((const char *)data, size, plain);
    if (n >= 0) {
        if ((size_t)n != 3 * size / 4)
            bug("decoded length is not 3/4 of the input");
        char *back = malloc(4 * ((size_t)n / 3 + 1) + 1);
        if (!back)
            abort();
        size_t m = b64url_encode(plain, (size_t)n, back);
        if (m != size || memcmp(back, data, size) != 0)
            bug("accepted base64url that does not encode back to itself");
        free(back);
    }
    free(plain);

    /* Encoding arbitrary bytes decodes back to them. */
    size_t cap = 4 * (size / 3 + 1) + 1;
    char *enc = malloc(cap);
    unsigned char *dec = malloc(3 * cap / 4 + 1);
    if (!enc || !dec)
        abort();
    size_t elen = b64url_encode(data, size, enc);
    if (elen >= cap || enc[elen] != 0)
        bug("encoding overran or is not terminated");
    long dlen = b64url_decode(enc, elen, dec);
    if (dlen != (long)size || memcmp(dec, data, size) != 0)
        bug("encode/decode round trip lost data");
    free(enc);
    free(dec);
}

static void check_page(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a);
    struct kam_error err = {0};
    struct kam_ctx ctx = {.a = &a, .err = &err, .who = {0, ROLE_ADMIN, "fuzz"}};

    /* Split into up to three NUL-terminated parts. */
    const char *in = (const char *)data;
    const char *parts[3] = {NULL, NULL, NULL};
    size_t off = 0;
    for (int i = 0; i < 3 && off <= size; i++) {
        const char *nl = i < 2 ? memchr(in + off, '\n', size - off) : NULL;
        size_t len = nl ? (size_t)(nl - (in + off)) : size - off;
        parts[i] = arena_strndup(&a, in + off, len);
        off += len + 1;
        if (!nl)
            break;
    }
    const char *sort = parts[0], *cursor = parts[2];
    int64_t limit = 0;
    if (parts[1]) {
        errno = 0;
        limit = strtoll(parts[1], NULL, 10);
    }

    struct page_req r;
    enum kam_err rc = page_parse(&ctx, sorts, NSORTS, sort, limit, cursor, &r);
    if (rc) {
        if (rc != KAM_EINVAL ||
            (strcmp(err.field, "sort") != 0 && strcmp(err.field, "limit") != 0 &&
             strcmp(err.field, "cursor") != 0))
            bug("error is not KAM_EINVAL naming sort, limit or cursor");
        arena_release(&a);
        return;
    }
    if (r.sort < sorts || r.sort >= sorts + NSORTS)
        bug("sort outside the table");
    if (r.limit < 1 || r.limit > PAGE_MAX)
        bug("limit outside 1..PAGE_MAX");
    if (r.has_after) {
        if (r.after_id < 0)
            bug("negative id after a cursor");
        if (r.sort->is_text && !r.after_s)
            bug("text cursor without a value");
        /* The same position, re-encoded, must parse to the same position. */
        const char *again = page_cursor(&ctx, &r, r.after_s, r.after_i, r.after_id);
        char sort_again[32];
        snprintf(sort_again, sizeof sort_again, "%s%s", r.desc ? "-" : "", r.sort->key);
        struct page_req r2;
        if (page_parse(&ctx, sorts, NSORTS, sort_again, r.limit, again, &r2) != KAM_OK)
            bug("page_cursor output rejected by page_parse");
        if (r2.sort != r.sort || r2.desc != r.desc || !r2.has_after || r2.after_id != r.after_id ||
            (r.sort->is_text ? strcmp(r2.after_s, r.after_s) != 0 : r2.after_i != r.after_i))
            bug("cursor round trip moved the position");
    } else if (cursor && *cursor) {
        bug("a non-empty cursor was accepted without a position");
    }
    arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_b64(data, size);
    check_page(data, size);
    return 0;
}
