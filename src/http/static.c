/* static.c -- serving the embedded web UI.
 *
 * Files come from web/dist at build time, each next to its precompressed NAME.br and NAME.gz
 * (tools/embed-compress.mjs; a variant is left out when it would not be smaller). The app is
 * a single page with history routing: any path without a file extension gets index.html.
 * Hashed files (assets/) are cached for a year; index.html and the rest are revalidated. */
#include "static.h"

#include <string.h>
#include <strings.h>

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

/* 1 if one Accept-Encoding element's parameters ("; q=0.5") leave it allowed: no q, or a q
 * above 0 (read by hand: q is "0" or "1" with up to 3 decimals; strtod would follow LC_NUMERIC). */
static int element_allowed(const char *params, const char *end)
{
    int ok = 1;
    while (params < end) {
        params++; /* ';' */
        while (params < end && (*params == ' ' || *params == '\t'))
            params++;
        if (end - params > 2 && (params[0] == 'q' || params[0] == 'Q') && params[1] == '=') {
            const char *v = params + 2;
            ok = 0;
            for (; v < end && ((*v >= '0' && *v <= '9') || *v == '.'); v++)
                if (*v >= '1' && *v <= '9')
                    ok = 1;
        }
        params += strcspn(params, ";,");
    }
    return ok;
}

int http_accepts_coding(const char *ae, const char *coding)
{
    size_t clen = strlen(coding);
    int star = 0; /* "*" seen: -1 refused (q=0), 1 allowed */
    while (ae && *ae) {
        while (*ae == ' ' || *ae == '\t' || *ae == ',')
            ae++;
        if (!*ae)
            break;
        const char *end = ae + strcspn(ae, ",");
        size_t n = strcspn(ae, ",;");
        size_t t = n;
        while (t && (ae[t - 1] == ' ' || ae[t - 1] == '\t'))
            t--;
        int ok = element_allowed(ae + n, end);
        if (t == clen && strncasecmp(ae, coding, clen) == 0)
            return ok;
        if (t == 1 && ae[0] == '*')
            star = ok ? 1 : -1;
        ae = end;
    }
    return star == 1;
}

/* The precompressed variant NAME.EXT of a file, or NULL. */
static const struct embed_file *variant(const char *name, const char *ext)
{
    char path[512];
    size_t n = strlen(name), e = strlen(ext);
    if (n + e + 1 > sizeof path)
        return NULL;
    memcpy(path, name, n);
    memcpy(path + n, ext, e + 1);
    return find(path);
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
        /* /s: the public survey answer page has an entry of its own (web/s.html), light for a
         * customer's phone; every other route is the app. */
        name = strcmp(path, "/s") == 0 && find("s.html") ? "s.html" : "index.html";
        f = find(name);
        if (!f)
            return 0;
        is_index = 1;
    }
    /* Brotli when the client takes it (browsers do over HTTPS), else gzip, else the file. */
    const char *ae = req->header ? req->header(req, "Accept-Encoding") : NULL;
    const struct embed_file *z = NULL;
    if (http_accepts_coding(ae, "br") && (z = variant(name, ".br")) != NULL)
        http_resp_header(resp, "Content-Encoding", "br");
    else if (http_accepts_coding(ae, "gzip") && (z = variant(name, ".gz")) != NULL)
        http_resp_header(resp, "Content-Encoding", "gzip");
    if (z)
        f = z;
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
