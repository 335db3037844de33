/* test_weight.c -- the embedded web UI's transfer: Accept-Encoding negotiation and the
 * precompressed variants and cache headers http_static_serve() sends. */
#include <string.h>
#include <strings.h>

#include "base/embed.h"
#include "http/static.h"
#include "test.h"

extern const struct embed_file kam_web_assets[];

TEST(weight_accepts_coding)
{
    CHECK(http_accepts_coding("gzip, deflate, br, zstd", "br"));
    CHECK(http_accepts_coding("gzip, deflate, br, zstd", "gzip"));
    CHECK(!http_accepts_coding("gzip, deflate", "br"));
    CHECK(!http_accepts_coding(NULL, "gzip"));
    CHECK(!http_accepts_coding("", "gzip"));
    CHECK(!http_accepts_coding("identity", "gzip"));
    CHECK(http_accepts_coding("GZIP", "gzip"));
    CHECK(http_accepts_coding(" gzip ;q=0.5 , br;q=1.0", "gzip"));
    CHECK(http_accepts_coding(" gzip ;q=0.5 , br;q=1.0", "br"));
    /* q=0 refuses, however it is written */
    CHECK(!http_accepts_coding("br;q=0, gzip", "br"));
    CHECK(!http_accepts_coding("br; q=0.000, gzip", "br"));
    CHECK(http_accepts_coding("br;q=0, gzip", "gzip"));
    CHECK(http_accepts_coding("br;q=0.001", "br"));
    /* a name is not a prefix of another */
    CHECK(!http_accepts_coding("gzipx, brotli", "gzip"));
    CHECK(!http_accepts_coding("gzipx, brotli", "br"));
    /* "*" covers what is not listed; a listed coding's own q wins */
    CHECK(http_accepts_coding("*", "br"));
    CHECK(!http_accepts_coding("*;q=0", "br"));
    CHECK(!http_accepts_coding("*, br;q=0", "br"));
    CHECK(http_accepts_coding("*;q=0, br", "br"));
}

static const char *fake_ae;

static const char *fake_header(const struct http_req *r, const char *name)
{
    (void)r;
    return strcasecmp(name, "Accept-Encoding") == 0 ? fake_ae : NULL;
}

static const char *resp_header(const struct http_resp *r, const char *name)
{
    for (int i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

static const struct embed_file *asset(const char *name)
{
    for (const struct embed_file *f = kam_web_assets; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

/* Serves path with the given Accept-Encoding; checks the body is the variant EXT ("" for the
 * file itself) of name and the encoding header matches. */
static void check_serve(const char *path, const char *ae, const char *name, const char *ext,
                        const char *encoding)
{
    char variant_name[512];
    snprintf(variant_name, sizeof variant_name, "%s%s", name, ext);
    const struct embed_file *want = asset(variant_name);
    if (!want)
        want = asset(name); /* a variant that would not be smaller is not embedded */
    struct http_req req = {.method = "GET", .path = path, .header = fake_header};
    struct http_resp resp = {0};
    fake_ae = ae;
    CHECK_EQ_INT(http_static_serve(&req, &resp), 1);
    CHECK(want && resp.static_body == (const char *)want->data);
    const char *ce = resp_header(&resp, "Content-Encoding");
    if (want && want != asset(name))
        CHECK_EQ_STR(ce, encoding);
    else
        CHECK(ce == NULL);
    CHECK_EQ_STR(resp_header(&resp, "Vary"), "Accept-Encoding");
}

TEST(weight_static_variants_and_cache)
{
    if (http_static_count() == 0) {
        fprintf(stderr, "  (built without web assets: only the negotiation is tested)\n");
        return;
    }
    /* index.html for an app route, revalidated every time */
    check_serve("/accounts/12", "gzip, deflate, br", "index.html", ".br", "br");
    check_serve("/accounts/12", "gzip, deflate", "index.html", ".gz", "gzip");
    check_serve("/accounts/12", "br;q=0, gzip", "index.html", ".gz", "gzip");
    check_serve("/accounts/12", NULL, "index.html", "", NULL);
    struct http_req req = {.method = "GET", .path = "/login", .header = fake_header};
    struct http_resp resp = {0};
    fake_ae = NULL;
    CHECK_EQ_INT(http_static_serve(&req, &resp), 1);
    CHECK_EQ_STR(resp_header(&resp, "Cache-Control"), "no-cache");

    /* a hashed asset: cached for a year, its variant by the client's codings */
    const char *js = NULL;
    for (const struct embed_file *f = kam_web_assets; f->name && !js; f++) {
        size_t n = strlen(f->name);
        if (strncmp(f->name, "assets/", 7) == 0 && n > 3 && strcmp(f->name + n - 3, ".js") == 0)
            js = f->name;
    }
    CHECK(js != NULL);
    if (!js)
        return;
    char path[600];
    snprintf(path, sizeof path, "/%s", js);
    check_serve(path, "gzip, deflate, br, zstd", js, ".br", "br");
    check_serve(path, "gzip", js, ".gz", "gzip");
    check_serve(path, "identity", js, "", NULL);
    struct http_req r2 = {.method = "GET", .path = path, .header = fake_header};
    struct http_resp resp2 = {0};
    CHECK_EQ_INT(http_static_serve(&r2, &resp2), 1);
    CHECK_EQ_STR(resp_header(&resp2, "Cache-Control"), "public, max-age=31536000, immutable");
    CHECK_EQ_STR(resp2.content_type, "text/javascript; charset=utf-8");

    /* a missing file with an extension is not the app (404 from the caller) */
    struct http_req r3 = {.method = "GET", .path = "/assets/nope-123.js", .header = fake_header};
    struct http_resp resp3 = {0};
    CHECK_EQ_INT(http_static_serve(&r3, &resp3), 0);
}
