/* test_export_stream.c -- the streaming export writer (issue 12): the CSV it writes is byte for
 * byte what export_render writes for the same table (BOM, quoting, formula-like text
 * neutralised, numbers as numbers); an .xlsx stream is a zip; bad formats and column counts are
 * refused; the .xlsx row cap is a 413 on "format"; and every export route takes exactly its list
 * route's query parameters (but limit and cursor) plus format and columns. Every test name
 * starts with "export_stream" (`build/unit export_stream`). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/core/internal.h"
#include "base/arena.h"
#include "base/buf.h"
#include "svc/core/export.h"
#include "svc/core/export_stream.h"
#include "test.h"

#define NOW 1700000000

/* The bytes of fd (size of them) into out. */
static int slurp(int fd, uint64_t size, struct buf *out)
{
    char chunk[4096];
    ssize_t n;
    uint64_t total = 0;
    while ((n = read(fd, chunk, sizeof chunk)) > 0) {
        buf_append(out, chunk, (size_t)n);
        total += (uint64_t)n;
    }
    close(fd);
    return n == 0 && total == size;
}

static const char *header[] = {"name", "amount", "note"};

static void fill(struct export_cell *c, int i)
{
    static const char *const names[] = {"=1+1", "plain",        "say \"hi\"", "\xef\xbc\x9dx",
                                        " @a",  "多行\r\n文本", "-3",         ""};
    memset(c, 0, 3 * sizeof *c);
    c[0].text = names[i % 8];
    c[1].num = (int64_t)i * 12345 - 500;
    c[1].decimals = i % 4;
    c[2].text = i % 3 ? "ok" : "+cmd";
}

TEST(export_stream_csv_equals_render)
{
    struct arena a;
    arena_init(&a);
    struct kam_error e = {0};
    struct kam_ctx ctx = {.a = &a, .err = &e, .now = NOW};
    struct export_table t;
    export_init(&t, &ctx, "T", header, 3);
    struct export_stream s;
    const char *ct = NULL;
    CHECK_EQ_INT(export_stream_open(&s, &ctx, "csv", "T", &ct), KAM_OK);
    CHECK_EQ_STR(ct, "text/csv; charset=utf-8");
    CHECK_EQ_INT(export_stream_header(&s, header, 3), KAM_OK);
    for (int i = 0; i < 1000; i++) {
        fill(export_row(&t, &ctx), i);
        struct export_cell c[3];
        fill(c, i);
        CHECK_EQ_INT(export_stream_row(&s, c), KAM_OK);
    }
    int fd = -1;
    uint64_t size = 0;
    CHECK_EQ_INT(export_stream_finish(&s, &fd, &size), KAM_OK);
    struct buf got, want;
    buf_init(&got, 16 << 20);
    buf_init(&want, 16 << 20);
    CHECK(fd >= 0 && slurp(fd, size, &got));
    const char *ct2;
    CHECK_EQ_INT(export_render(&ctx, &t, "csv", &want, &ct2), KAM_OK);
    CHECK_EQ_INT(got.len, want.len);
    CHECK(got.len == want.len && memcmp(got.data, want.data, got.len) == 0);
    CHECK(strstr(got.data, "\"'=1+1\"") != NULL);
    CHECK(strstr(got.data, "\"'+cmd\"") != NULL);
    buf_release(&got);
    buf_release(&want);
    arena_release(&a);
}

TEST(export_stream_xlsx_is_a_zip)
{
    struct arena a;
    arena_init(&a);
    struct kam_error e = {0};
    struct kam_ctx ctx = {.a = &a, .err = &e, .now = NOW};
    struct export_stream s;
    const char *ct = NULL;
    CHECK_EQ_INT(export_stream_open(&s, &ctx, "xlsx", "[bad]:name", &ct), KAM_OK);
    CHECK_EQ_STR(ct, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    CHECK_EQ_INT(export_stream_header(&s, header, 3), KAM_OK);
    for (int i = 0; i < 2000; i++) {
        struct export_cell c[3];
        fill(c, i);
        CHECK_EQ_INT(export_stream_row(&s, c), KAM_OK);
    }
    int fd = -1;
    uint64_t size = 0;
    CHECK_EQ_INT(export_stream_finish(&s, &fd, &size), KAM_OK);
    struct buf got;
    buf_init(&got, 16 << 20);
    CHECK(fd >= 0 && slurp(fd, size, &got));
    CHECK(got.len > 4 && memcmp(got.data, "PK\x03\x04", 4) == 0);
    buf_release(&got);
    arena_release(&a);
}

TEST(export_stream_refusals)
{
    struct arena a;
    arena_init(&a);
    struct kam_error e = {0};
    struct kam_ctx ctx = {.a = &a, .err = &e, .now = NOW};
    struct export_stream s;
    CHECK_EQ_INT(export_stream_open(&s, &ctx, "pdf", "T", NULL), KAM_EINVAL);
    CHECK_EQ_STR(e.field, "format");
    kam_error_clear(&e);
    CHECK_EQ_INT(export_stream_open(&s, &ctx, NULL, "T", NULL), KAM_OK); /* csv by default */
    CHECK_EQ_INT(export_stream_header(&s, header, 0), KAM_EINVAL);
    CHECK_EQ_STR(e.field, "columns");
    export_stream_abort(&s);
    /* The .xlsx row cap: a 413 on format (the CSV has none). */
    kam_error_clear(&e);
    CHECK_EQ_INT(export_stream_open(&s, &ctx, "xlsx", "T", NULL), KAM_OK);
    CHECK_EQ_INT(export_stream_header(&s, header, 3), KAM_OK);
    struct export_cell c[3];
    fill(c, 1);
    CHECK_EQ_INT(export_stream_row(&s, c), KAM_OK);
    s.rows = EXPORT_XLSX_MAX_ROWS; /* as if the sheet were full */
    CHECK_EQ_INT(export_stream_row(&s, c), KAM_ETOOBIG);
    CHECK_EQ_STR(e.field, "format");
    export_stream_abort(&s);
    arena_release(&a);
}

static int has(const char *const *q, const char *k)
{
    for (; q && *q; q++)
        if (!strcmp(*q, k))
            return 1;
    return 0;
}

TEST(export_stream_routes_take_their_lists_parameters)
{
    int n = 0;
    for (int i = 0; api_route_at(i); i++) {
        const struct route *ex = api_route_at(i);
        if (ex->fn != api_list_export)
            continue;
        n++;
        size_t len = strlen(ex->path) - strlen("/export");
        const struct route *list = NULL;
        for (int j = 0; api_route_at(j); j++) {
            const struct route *r = api_route_at(j);
            if (r->fn != api_list_export && !strcmp(r->method, "GET") && strlen(r->path) == len &&
                !strncmp(r->path, ex->path, len))
                list = r;
        }
        CHECK(list != NULL);
        if (!list)
            continue;
        CHECK(list->obj == ex->obj && list->act == ex->act && list->scope == ex->scope);
        CHECK(has(ex->query, "format") && has(ex->query, "columns") && has(ex->query, "lang") &&
              has(ex->query, "raw"));
        CHECK(!has(ex->query, "limit") && !has(ex->query, "cursor"));
        for (const char *const *q = list->query; q && *q; q++)
            if (strcmp(*q, "limit") && strcmp(*q, "cursor") && !has(ex->query, *q)) {
                fprintf(stderr, "  %s lacks its list's parameter %s\n", ex->path, *q);
                CHECK(0);
            }
        for (const char *const *q = ex->query; q && *q; q++)
            if (strcmp(*q, "format") && strcmp(*q, "columns") && strcmp(*q, "lang") &&
                strcmp(*q, "raw") && !has(list->query, *q)) {
                fprintf(stderr, "  %s takes %s, which its list does not\n", ex->path, *q);
                CHECK(0);
            }
    }
    /* + needs and follow-ups (issue 14); + risks, gifts, competitors, competitor-moves, alerts,
     * health, churn, receivables, invoices, payments (issue 16); + contracts, breaches,
     * disputes, lessons, accountability, training needs and the documents of contracts,
     * breaches, disputes and lessons (issue 17); + competencies, role profiles, assessments,
     * candidates, courses, training sessions, enrolments, training needs' derivation,
     * appraisal schemes, scorecards, commission plans, payouts, bonus pools, recognitions
     * (issue 18) */
    CHECK_EQ_INT(n, 43);
}
