/* static.c -- serving the embedded web UI.
 *
 * Files come from web/dist at build time, each next to its precompressed NAME.gz. The app is
 * a single page with history routing: any path without a file extension gets index.html. */
#include "static.h"

#include <string.h>

#include "base/embed.h"

extern const struct embed_file kam_web_assets[];

/* The SPA may load only its own scripts; styles may be inline because component libraries
 * set style attributes. No framing, no plugins. */
#define APP_CSP                                                                                    \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "     \
    "data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "       \
    "form-action 'self'; frame-ancestors 'none'"

static const struct embed_file *find(const char *name)
{
    for (const struct embed_file *f = kam_web_assets; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static const char *mime(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".ttf", "font/ttf"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
    };
    const char *dot = strrchr(name, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

static int accepts_gzip(const struct http_req *req)
{
    const char *ae = req->header ? req->header(req, "Accept-Encoding") : NULL;
    return ae && strstr(ae, "gzip") != NULL;
}

int http_static_serve(const struct http_req *req, struct http_resp *resp)
{
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
        return 0;
    const char *path = req->path;
    if (path[0] != '/' || strstr(path, ".."))
        return 0;
    const char *name = path + 1;
    const struct embed_file *f = *name ? find(name) : NULL;
    int is_index = 0;
    if (!f) {
        /* App routes (/accounts/12, /login) have no extension; files always do. */
        const char *slash = strrchr(path, '/');
        if (strchr(slash, '.'))
            return 0;
        f = find("index.html");
        if (!f)
            return 0;
        name = "index.html";
        is_index = 1;
    }
    if (accepts_gzip(req)) {
        char gz[512];
        size_t n = strlen(name);
        if (n + 4 < sizeof gz) {
            memcpy(gz, name, n);
            memcpy(gz + n, ".gz", 4);
            const struct embed_file *z = find(gz);
            if (z) {
                f = z;
                http_resp_header(resp, "Content-Encoding", "gzip");
            }
        }
    }
    http_resp_header(resp, "Vary", "Accept-Encoding");
    int hashed = strncmp(name, "assets/", 7) == 0;
    http_resp_header(resp, "Cache-Control",
                     hashed && !is_index ? "public, max-age=31536000, immutable" : "no-cache");
    http_resp_header(resp, "Content-Security-Policy", APP_CSP);
    http_resp_header(resp, "X-Frame-Options", "DENY");
    http_resp_header(resp, "Referrer-Policy", "same-origin");
    resp->status = 200;
    resp->content_type = mime(name);
    resp->static_body = (const char *)f->data;
    resp->static_len = f->len;
    return 1;
}

int http_static_count(void)
{
    int n = 0;
    for (const struct embed_file *f = kam_web_assets; f->name; f++)
        n++;
    return n;
}
