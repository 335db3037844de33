/* static.h -- the web UI's files, compiled into the binary from web/dist (tools/embed.c). */
#ifndef KAM_HTTP_STATIC_H
#define KAM_HTTP_STATIC_H

#include "req.h"

/* Answers a GET/HEAD for a non-API path: the file if it exists (hashed assets cached for a
 * year, gzip when the client accepts it), index.html for app routes (no file extension), else
 * returns 0 and leaves resp untouched so the caller can answer 404. */
int http_static_serve(const struct http_req *req, struct http_resp *resp);

/* Number of embedded files (0 when the binary was built without web/dist). */
int http_static_count(void);

#endif
