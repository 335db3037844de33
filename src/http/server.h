/* server.h -- the HTTP server: libmicrohttpd in thread-pool mode (epoll).
 *
 * It reads requests (bodies capped at HTTP_MAX_BODY), calls the handler once per request on a
 * worker thread, sends the response, and writes one log line per request: method, path,
 * status, microseconds. Shutdown stops accepting, lets requests in flight finish (up to a
 * grace period), then stops the workers.
 *
 * Connections are capped: HTTP_MAX_CONNECTIONS in all, max_conns_per_addr from one client
 * address (more are closed at once), and each request's headers must arrive within
 * header_timeout_s of the connection being accepted or of its previous response (otherwise the
 * connection is closed), so one slow client cannot hold every connection. The listening
 * address is exclusive: a second server on it fails to start. */
#ifndef KAM_HTTP_SERVER_H
#define KAM_HTTP_SERVER_H

#include "base/err.h"
#include "req.h"

/* Called once per request with its body, and, for a request that has a body, once before it
 * is read (req->headers_only: a response status left 0 there means "go on reading"). */
typedef void (*http_handler)(struct http_req *req, struct http_resp *resp, void *user);
/* Called on each worker thread as it ends (to close its database connection). */
typedef void (*http_thread_end)(void *user);

#define HTTP_MAX_CONNECTIONS 4096
#define HTTP_DEFAULT_CONNS_PER_ADDR 256
#define HTTP_DEFAULT_HEADER_TIMEOUT 10 /* seconds */

struct http_server_cfg {
    const char *listen;          /* "127.0.0.1:8080", "0.0.0.0:80", "[::1]:8080" */
    unsigned threads;            /* worker threads (0 = number of CPUs) */
    int quiet;                   /* no per-request log lines */
    unsigned max_conns_per_addr; /* open connections per client address; 0: no cap */
    unsigned header_timeout_s;   /* seconds for each request's headers; 0: no deadline */
    const char *trusted_proxies; /* addresses/networks that may name the client in
                                    X-Forwarded-For (proxy.h); NULL: none */
    http_handler handler;
    void *user;
};

struct http_server;

/* Binds cfg->listen and starts the workers. KAM_EINVAL (field "listen") for a malformed
 * address; KAM_EIO naming the address and the reason when it cannot be bound, e.g. in use. */
enum kam_err http_server_start(const struct http_server_cfg *cfg, struct http_server **out,
                               struct kam_error *e);
/* The port actually bound (useful with port 0). */
unsigned http_server_port(const struct http_server *s);
/* Stops accepting, waits up to grace_ms for requests in flight, then stops and frees s. */
void http_server_stop(struct http_server *s, int grace_ms);

#endif
