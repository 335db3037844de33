/* static.h -- the web UI's files, compiled into the binary from web/dist (tools/embed.c). */
#ifndef KAM_HTTP_STATIC_H
#define KAM_HTTP_STATIC_H

#include "req.h"

/* Answers a GET/HEAD for a non-API path: the file if it exists (hashed assets cached for a
 * year, Brotli or gzip when the client accepts it), index.html for app routes (no file extension),
 * else returns 0 and leaves resp untouched so the caller can answer 404. */
int http_static_serve(const struct http_req *req, struct http_resp *resp);

/* 1 if an Accept-Encoding value allows the content coding (e.g. "br", "gzip"): the coding is
 * listed with a q above 0, or it is not listed and "*" is, with a q above 0. */
int http_accepts_coding(const char *accept_encoding, const char *coding);

/* Number of embedded files (0 when the binary was built without web/dist). */
int http_static_count(void);

#endif
