/* api.h -- the JSON API: route table, authentication, the permission check, handlers.
 *
 * http/server.c calls api_dispatch() for every request on a worker thread. Each worker thread
 * opens its own database connection on first use; api_shutdown() closes them all. */
#ifndef KAM_API_H
#define KAM_API_H

#include <stdint.h>

#include "base/err.h"
#include "http/req.h"

struct api_cfg {
    const char *dsn;
    int64_t session_ttl; /* seconds */
};

/* Keeps a copy of cfg for the workers. */
void api_init(const struct api_cfg *cfg);
void api_dispatch(struct http_req *req, struct http_resp *resp, void *user);
/* At most n list exports (GET <list>/export) build or stream at once (n >= 1; default
 * API_EXPORTS_DEFAULT); the next is refused 503 "export.busy" with Retry-After. */
#define API_EXPORTS_DEFAULT 4
void api_exports_limit(int n);
/* Closes every worker's connection; call after the server stopped. */
void api_shutdown(void);
/* Writes the OpenAPI document of every route into b (for `kam openapi` and the route). */
void api_openapi(struct buf *b);
/* Number of routes and the i-th route's method, path and policy names (for tests). */
int api_route_count(void);
void api_route_info(int i, const char **method, const char **path, const char **object,
                    const char **action, const char **scope);

#endif
