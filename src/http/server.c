/* server.c -- libmicrohttpd glue. */
#include "server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/timeutil.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT;
#else
typedef enum MHD_Result MHD_RESULT;
#endif

struct http_server {
    struct MHD_Daemon *d;
    struct http_server_cfg cfg;
    atomic_int active; /* requests between first byte and completion */
    unsigned port;
};

/* Per-request state, from the first callback to the completion notice. */
struct rstate {
    struct arena a;
    struct buf body;
    int64_t t0;
    int too_big;
    int counted;
    int answered; /* a response is queued (early 413) */
};

static const char *hdr(const struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static const char *cookie(const struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

static MHD_RESULT collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    struct http_req *r = cls;
    if (r->nquery >= HTTP_MAX_QUERY_PARAMS) {
        r->query_overflow = 1;
        return MHD_NO;
    }
    r->query[r->nquery].key = key;
    r->query[r->nquery].value = value ? value : "";
    r->nquery++;
    return MHD_YES;
}

static MHD_RESULT send_resp(struct MHD_Connection *conn, struct http_resp *resp)
{
    struct MHD_Response *mr;
    if (resp->static_body) {
        mr = MHD_create_response_from_buffer(resp->static_len, (void *)resp->static_body,
                                             MHD_RESPMEM_PERSISTENT);
    } else {
        size_t len = 0;
        char *data = buf_steal(&resp->body, &len);
        mr = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
        if (!mr)
            free(data);
    }
    if (!mr)
        return MHD_NO;
    MHD_add_response_header(mr, "Content-Type",
                            resp->content_type ? resp->content_type
                                               : "application/json; charset=utf-8");
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    int has_csp = 0, has_cache = 0;
    for (int i = 0; i < resp->nheaders; i++) {
        MHD_add_response_header(mr, resp->headers[i].name, resp->headers[i].value);
        if (strcasecmp(resp->headers[i].name, "Content-Security-Policy") == 0)
            has_csp = 1;
        if (strcasecmp(resp->headers[i].name, "Cache-Control") == 0)
            has_cache = 1;
    }
    if (!has_csp)
        MHD_add_response_header(mr, "Content-Security-Policy",
                                "default-src 'none'; frame-ancestors 'none'");
    if (!has_cache)
        MHD_add_response_header(mr, "Cache-Control", "no-store");
    MHD_RESULT ret = MHD_queue_response(conn, (unsigned)resp->status, mr);
    MHD_destroy_response(mr);
    return ret;
}

static void log_line(const struct http_server *s, const char *method, const char *url, int status,
                     int64_t t0)
{
    if (s->cfg.quiet)
        return;
    log_info("%s %s %d %lldus", method, url, status, (long long)(time_mono_us() - t0));
}

/* Builds the request from what libmicrohttpd collected, runs the handler, queues the answer. */
static MHD_RESULT respond(struct http_server *s, struct MHD_Connection *conn, struct rstate *st,
                          const char *method, const char *url)
{
    struct http_req req = {0};
    req.method = method;
    req.path = url;
    req.a = &st->a;
    req.conn = conn;
    req.header = hdr;
    req.cookie = cookie;
    req.body_too_big = st->too_big;
    if (st->body.data) {
        req.body = st->body.data;
        req.body_len = st->body.len;
    }
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, &req);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char addr[INET6_ADDRSTRLEN] = "";
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, addr,
                      sizeof addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, addr,
                      sizeof addr);
    }
    req.remote_addr = addr;
    const union MHD_ConnectionInfo *tls =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_PROTOCOL);
    req.tls = tls != NULL && tls->protocol != 0;

    struct http_resp resp = {0};
    resp.status = 500;
    buf_init(&resp.body, HTTP_MAX_RESPONSE);
    s->cfg.handler(&req, &resp, s->cfg.user);
    int status = resp.status;
    MHD_RESULT ret = send_resp(conn, &resp);
    buf_release(&resp.body);
    log_line(s, method, url, status, st->t0);
    st->answered = 1;
    return ret;
}

static MHD_RESULT on_request(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload_data,
                             size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct http_server *s = cls;
    struct rstate *st = *con_cls;
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st)
            return MHD_NO;
        arena_init(&st->a);
        size_t limit = http_body_limit(url);
        buf_init(&st->body, limit);
        st->t0 = time_mono_us();
        st->counted = 1;
        atomic_fetch_add(&s->active, 1);
        *con_cls = st;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > limit) {
            /* Answer 413 now instead of reading a body we will not use; libmicrohttpd
             * closes the connection after the response. */
            st->too_big = 1;
            return respond(s, conn, st, method, url);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!st->too_big) {
            buf_append(&st->body, upload_data, *upload_data_size);
            if (!buf_ok(&st->body)) {
                st->too_big = 1;
                buf_release(&st->body);
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->answered)
        return MHD_YES;
    return respond(s, conn, st, method, url);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    struct http_server *s = cls;
    struct rstate *st = *con_cls;
    if (!st)
        return;
    arena_release(&st->a);
    buf_release(&st->body);
    if (st->counted)
        atomic_fetch_sub(&s->active, 1);
    free(st);
    *con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return -1;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535 || end == colon + 1)
        return -1;
    memset(ss, 0, sizeof *ss);
    if (host[0] == '[') {
        size_t n = strlen(host);
        if (n < 2 || host[n - 1] != ']')
            return -1;
        host[n - 1] = 0;
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
            return -1;
        *len = sizeof *s6;
        return 0;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &s4->sin_addr) != 1)
        return -1;
    *len = sizeof *s4;
    return 0;
}

enum kam_err http_server_start(const struct http_server_cfg *cfg, struct http_server **out,
                               struct kam_error *e)
{
    struct sockaddr_storage ss;
    socklen_t slen;
    if (parse_listen(cfg->listen, &ss, &slen) != 0)
        return kam_fail(e, KAM_EINVAL, "listen", "--listen must be ADDR:PORT, got '%s'",
                        cfg->listen);
    struct http_server *s = calloc(1, sizeof *s);
    if (!s)
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    s->cfg = *cfg;
    unsigned threads = cfg->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 2;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_USE_TURBO;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &ss,
                            MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED,
                            on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
                            MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
    if (!s->d) {
        free(s);
        return kam_fail(e, KAM_EIO, "listen", "cannot listen on %s (in use?)", cfg->listen);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    *out = s;
    return KAM_OK;
}

unsigned http_server_port(const struct http_server *s)
{
    return s->port;
}

void http_server_stop(struct http_server *s, int grace_ms)
{
    if (!s)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    int64_t deadline = time_mono_us() + (int64_t)grace_ms * 1000;
    while (atomic_load(&s->active) > 0 && time_mono_us() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (atomic_load(&s->active) > 0)
        log_warn("shutdown: %d requests still running after %d ms", atomic_load(&s->active),
                 grace_ms);
    MHD_stop_daemon(s->d);
    free(s);
}
