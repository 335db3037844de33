/* server.c -- libmicrohttpd glue: request bodies, the per-request log line, connection caps
 * and header deadlines, the exclusive listening socket, graceful stop. */
#include "server.h"
#include "proxy.h"
#include "static.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "base/fault.h"
#include "base/log.h"
#include "base/timeutil.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT;
#else
typedef enum MHD_Result MHD_RESULT;
#endif

/* One accepted connection, from libmicrohttpd's start notice to its close notice: the socket
 * and when the headers of its next request are due. */
struct hconn {
    struct hconn *prev, *next;
    int fd;
    _Atomic int64_t due_us; /* monotonic; 0: none due (a request is being handled) */
};

struct http_server {
    struct MHD_Daemon *d;
    struct http_server_cfg cfg;
    struct http_proxies proxies;
    atomic_int active; /* requests between first byte and completion */
    unsigned port;
    /* Header deadlines. The lock guards the list and is held by the sweeper while it shuts a
     * late connection's socket down; see sweep(). */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct hconn conns; /* list head */
    int stopping;
    int sweeper_on;
    pthread_t sweeper;
};

/* Per-request state, from the first callback to the completion notice. */
struct rstate {
    struct arena a;
    struct buf body;
    int64_t t0;
    int too_big;
    int counted;
    int answered; /* a response is queued (early 413) */
    void (*done)(void *);
    void *done_arg;
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

/* Every X-Forwarded-For line of a request joined with ", " in the order received (RFC 7230
 * 3.2.2: the same list as one line), so the right-to-left scan sees all hops. */
struct xff_join {
    struct arena *a;
    const char *joined; /* NULL: no such header */
};

static MHD_RESULT collect_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                              const char *value)
{
    (void)kind;
    struct xff_join *x = cls;
    if (!key || strcasecmp(key, "X-Forwarded-For") != 0 || !value)
        return MHD_YES;
    x->joined = x->joined ? arena_printf(x->a, "%s, %s", x->joined, value) : value;
    return MHD_YES;
}

/* JSON bodies larger than this go gzipped to a client that accepts it. */
#define HTTP_GZIP_MIN 1024

/* The gzip of data[0..len) (malloc'd, *out_len bytes), or NULL. */
static char *gzip_body(const char *data, size_t len, size_t *out_len)
{
    z_stream z = {0};
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong cap = deflateBound(&z, (uLong)len);
    char *out = malloc(cap);
    if (!out) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

static MHD_RESULT send_resp(struct MHD_Connection *conn, struct http_resp *resp)
{
    struct MHD_Response *mr;
    int gzipped = 0, vary = 0;
    if (resp->has_file) {
        mr = MHD_create_response_from_fd64(resp->file_size, resp->file_fd);
        if (!mr)
            close(resp->file_fd);
        resp->has_file = 0; /* libmicrohttpd closes it with the response */
    } else if (resp->static_body) {
        mr = MHD_create_response_from_buffer(resp->static_len, (void *)resp->static_body,
                                             MHD_RESPMEM_PERSISTENT);
    } else {
        size_t len = 0;
        char *data = buf_steal(&resp->body, &len);
        if (len > HTTP_GZIP_MIN && len <= UINT32_MAX &&
            (!resp->content_type || strncmp(resp->content_type, "application/json", 16) == 0)) {
            vary = 1;
            size_t zlen = 0;
            char *z =
                http_accepts_coding(
                    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Encoding"), "gzip")
                    ? gzip_body(data, len, &zlen)
                    : NULL;
            if (z) {
                free(data);
                data = z;
                len = zlen;
                gzipped = 1;
            }
        }
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
    if (gzipped)
        MHD_add_response_header(mr, "Content-Encoding", "gzip");
    if (vary)
        MHD_add_response_header(mr, "Vary", "Accept-Encoding");
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
#ifdef KAM_FAULT
    /* The fault build: what the countdown armed by X-Kam-Fault saw (tests/fault/). */
    char points[24];
    snprintf(points, sizeof points, "%ld", fault_points());
    MHD_add_response_header(mr, "X-Kam-Fault-Hit", fault_fired() >= 0 ? "1" : "0");
    MHD_add_response_header(mr, "X-Kam-Fault-Kind", fault_kind_name(fault_fired()));
    MHD_add_response_header(mr, "X-Kam-Fault-Points", points);
#endif
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
                          const char *method, const char *url, int early)
{
    struct http_req req = {0};
    req.headers_only = early;
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
    char client[INET6_ADDRSTRLEN];
    struct xff_join xff = {&st->a, NULL};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_xff, &xff);
    http_client_addr(&s->proxies, addr, xff.joined, client, sizeof client);
    req.remote_addr = client;
    req.via_proxy = http_peer_trusted(&s->proxies, addr);
    const union MHD_ConnectionInfo *tls =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_PROTOCOL);
    req.tls = tls != NULL && tls->protocol != 0;

    struct http_resp resp = {0};
    resp.status = 500;
    buf_init(&resp.body, HTTP_MAX_RESPONSE);
#ifdef KAM_FAULT
    /* The fault build: `X-Kam-Fault: N` (or `KIND:N`) fails the Nth fault point of this
     * request, on this thread only (base/fault.h). */
    const char *fault = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Kam-Fault");
    fault_arm_spec(early ? NULL : fault);
#endif
    s->cfg.handler(&req, &resp, s->cfg.user);
#ifdef KAM_FAULT
    fault_disarm();
#endif
    if (early && resp.status == 0) { /* the handler waits for the body */
        buf_release(&resp.body);
        http_resp_drop_file(&resp);
        return MHD_YES;
    }
    int status = resp.status;
    st->done = resp.done; /* called when the request completes (on_completed) */
    st->done_arg = resp.done_arg;
    MHD_RESULT ret = send_resp(conn, &resp);
    buf_release(&resp.body);
    http_resp_drop_file(&resp);
    log_line(s, method, url, status, st->t0);
    st->answered = 1;
    return ret;
}

/* ---- header deadlines ----
 *
 * libmicrohttpd's connection timeout restarts with every byte, so a client sending one header
 * line every few seconds would hold its connection for ever. Each connection therefore gets an
 * absolute deadline for its request headers: set when it is accepted and again when a response
 * has been sent (so an idle keep-alive connection is closed at the same deadline), cleared by
 * the first call for a request (the headers are complete). A sweeper thread shuts down the
 * socket of every connection past its deadline; libmicrohttpd's worker then reads EOF and
 * closes the connection itself, on its own thread, as for any client that went away.
 *
 * Why the fd is safe to use: libmicrohttpd calls the close notice (which takes s->lock to
 * unlink the connection) before it closes the socket, and the sweeper holds s->lock while it
 * calls shutdown(), so a listed fd is still that connection's, never a reused number. */

static struct hconn *hconn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void headers_due(const struct http_server *s, struct hconn *hc)
{
    if (hc && s->cfg.header_timeout_s)
        atomic_store(&hc->due_us, time_mono_us() + (int64_t)s->cfg.header_timeout_s * 1000000);
}

/* The body of a request has a deadline too, or a client could send one byte a minute for
 * ever: HTTP_BODY_GRACE header timeouts plus the time its length takes at HTTP_BODY_MIN_RATE
 * (a slow phone still uploads a 64 MiB import within the hour). Cleared once the body is in. */
#define HTTP_BODY_GRACE 6
#define HTTP_BODY_MIN_RATE 16384 /* bytes a second */

static void body_due(const struct http_server *s, struct hconn *hc, uint64_t len)
{
    if (hc && s->cfg.header_timeout_s)
        atomic_store(&hc->due_us, time_mono_us() +
                                      (int64_t)s->cfg.header_timeout_s * HTTP_BODY_GRACE * 1000000 +
                                      (int64_t)(len / HTTP_BODY_MIN_RATE) * 1000000);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct http_server *s = cls;
    struct hconn *hc = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        if (!s->cfg.header_timeout_s)
            return;
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        hc = ci ? calloc(1, sizeof *hc) : NULL;
        if (!hc)
            return; /* untracked: only the idle timeout applies */
        hc->fd = ci->connect_fd;
        headers_due(s, hc);
        pthread_mutex_lock(&s->lock);
        hc->next = s->conns.next;
        hc->prev = &s->conns;
        hc->next->prev = hc;
        s->conns.next = hc;
        pthread_mutex_unlock(&s->lock);
        *socket_context = hc;
        return;
    }
    if (!hc)
        return;
    pthread_mutex_lock(&s->lock);
    hc->prev->next = hc->next;
    hc->next->prev = hc->prev;
    pthread_mutex_unlock(&s->lock);
    free(hc);
    *socket_context = NULL;
}

/* Shuts down every connection past its deadline; called with s->lock held. */
static void sweep(struct http_server *s)
{
    int64_t now = time_mono_us();
    for (struct hconn *hc = s->conns.next; hc != &s->conns; hc = hc->next) {
        int64_t due = atomic_load(&hc->due_us);
        if (due && now >= due) {
            shutdown(hc->fd, SHUT_RDWR);
            atomic_store(&hc->due_us, 0);
        }
    }
}

static void *sweeper(void *arg)
{
    struct http_server *s = arg;
    /* A tenth of the deadline between sweeps (20 ms .. 1 s): closes come at most 10% late. */
    int64_t period = (int64_t)s->cfg.header_timeout_s * 100000;
    if (period < 20000)
        period = 20000;
    if (period > 1000000)
        period = 1000000;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        sweep(s);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        int64_t ns = until.tv_nsec + period * 1000;
        until.tv_sec += ns / 1000000000;
        until.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static MHD_RESULT on_request(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload_data,
                             size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct http_server *s = cls;
    struct rstate *st = *con_cls;
    if (!st) {
        /* The first call of a request: its headers are complete; its body (if any) is due. */
        struct hconn *hc = hconn_of(conn);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        size_t limit = http_body_limit(url);
        uint64_t len = cl ? strtoull(cl, NULL, 10) : limit;
        body_due(s, hc, len < limit ? len : limit); /* over the limit: refused below */
        st = calloc(1, sizeof *st);
        if (!st)
            return MHD_NO;
        arena_init(&st->a);
        buf_init(&st->body, limit);
        st->t0 = time_mono_us();
        st->counted = 1;
        atomic_fetch_add(&s->active, 1);
        *con_cls = st;
        if (cl && strtoull(cl, NULL, 10) > limit) {
            /* Answer 413 now instead of reading a body we will not use; libmicrohttpd
             * closes the connection after the response. */
            st->too_big = 1;
            return respond(s, conn, st, method, url, 0);
        }
        /* A body is due: the handler may answer on the headers (a throttled client: 429
         * before its body is read); libmicrohttpd then closes the connection. */
        const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
        if ((cl && strtoull(cl, NULL, 10) > 0) || te)
            return respond(s, conn, st, method, url, 1);
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!st->too_big && !st->answered) {
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
    /* The body is in: no deadline while the handler runs (an import may take minutes). */
    struct hconn *hc = hconn_of(conn);
    if (hc)
        atomic_store(&hc->due_us, 0);
    return respond(s, conn, st, method, url, 0);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    /* Sent: the next request's headers are due from now (a kept-alive connection). */
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        headers_due(s, hconn_of(conn));
    struct rstate *st = *con_cls;
    if (!st)
        return;
    if (st->done)
        st->done(st->done_arg);
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

/* libmicrohttpd's own messages ("Server reached connection limit", a client gone in the middle
 * of a request) go to the log, at most MHD_LOG_BURST a minute: a client refused a thousand
 * times must not write a thousand lines. */
#define MHD_LOG_BURST 20

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static int64_t minute;
    static int shown, dropped;
    char msg[256];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\r\n")] = 0;
    int64_t now = time_mono_us() / 60000000;
    pthread_mutex_lock(&lock);
    int dropped_before = 0;
    if (now != minute) {
        dropped_before = dropped;
        minute = now;
        shown = dropped = 0;
    }
    int show = shown < MHD_LOG_BURST;
    if (show)
        shown++;
    else
        dropped++;
    pthread_mutex_unlock(&lock);
    if (dropped_before)
        log_warn("http: %d more messages of libmicrohttpd in the last minute", dropped_before);
    if (show)
        log_warn("http: %s", msg);
}

/* The listening socket. Bound here rather than by libmicrohttpd so that an address in use is
 * an error with its reason, and with SO_REUSEADDR only: a restart may bind while the old
 * process's connections linger in TIME_WAIT, but a second server on a port one already holds
 * fails (SO_REUSEPORT would let both listen and split the clients between them). */
static enum kam_err open_listener(const struct sockaddr_storage *ss, socklen_t len,
                                  const char *where, int *fd_out, struct kam_error *e)
{
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return kam_fail(e, KAM_EIO, "listen", "cannot listen on %s: %s", where, strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ss->ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (const struct sockaddr *)ss, len) != 0 || listen(fd, SOMAXCONN) != 0) {
        int err = errno;
        close(fd);
        if (err == EADDRINUSE)
            return kam_fail(e, KAM_EIO, "listen",
                            "cannot listen on %s: the address is already in use (is another kam "
                            "serve running there?)",
                            where);
        return kam_fail(e, KAM_EIO, "listen", "cannot listen on %s: %s", where, strerror(err));
    }
    *fd_out = fd;
    return KAM_OK;
}

static unsigned bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    if (ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)(const void *)&ss)->sin6_port);
    return ntohs(((const struct sockaddr_in *)(const void *)&ss)->sin_port);
}

static void server_free(struct http_server *s)
{
    if (s->sweeper_on) {
        pthread_mutex_lock(&s->lock);
        s->stopping = 1;
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->sweeper, NULL);
    }
    /* The daemon is stopped: every close notice came; free what a failed start left. */
    while (s->conns.next != &s->conns) {
        struct hconn *hc = s->conns.next;
        s->conns.next = hc->next;
        free(hc);
    }
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

enum kam_err http_server_start(const struct http_server_cfg *cfg, struct http_server **out,
                               struct kam_error *e)
{
    struct sockaddr_storage ss;
    socklen_t slen;
    if (parse_listen(cfg->listen, &ss, &slen) != 0)
        return kam_fail(e, KAM_EINVAL, "listen", "--listen must be ADDR:PORT, got '%s'",
                        cfg->listen);
    struct http_proxies proxies;
    if (http_proxies_parse(cfg->trusted_proxies, &proxies) != 0)
        return kam_fail(e, KAM_EINVAL, "trusted-proxies",
                        "--trusted-proxies must be up to %d addresses or networks (ADDR[/BITS]) "
                        "separated by commas, got '%s'",
                        HTTP_MAX_PROXIES, cfg->trusted_proxies);
    int fd = -1;
    enum kam_err rc = open_listener(&ss, slen, cfg->listen, &fd, e);
    if (rc)
        return rc;
    struct http_server *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    }
    s->cfg = *cfg;
    s->proxies = proxies;
    s->conns.next = s->conns.prev = &s->conns;
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &ca);
    pthread_condattr_destroy(&ca);
    unsigned threads = cfg->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 2;
    }
    if (threads == 1)
        threads = 0; /* one thread is no pool: libmicrohttpd warns about a pool of 1 */
    /* poll(), not epoll: with epoll, MHD_quiesce_daemon (the graceful stop) races the worker
     * threads removing the listening socket from their epoll sets, and the loser's
     * MHD_PANIC("Failed to remove listen FD from epoll set") aborts the process (an open
     * libmicrohttpd defect, seen here about once in a few thousand stops). With poll() the
     * quiesce only wakes the workers through their inter-thread channel. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_USE_TURBO;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* The per-address cap is libmicrohttpd's own count (we keep none): a connection counts from
     * its accept until its worker thread has cleaned it up. A worker runs our handler
     * synchronously, so a client that gives up on a slow request and closes holds its slot
     * until the handler has returned and the worker sees the close -- seconds when the
     * request waits on a lock (measured: 3.1 s for a login waiting 2.5 s on SQLite's write
     * lock; then it is released at once; tests/http/t_whomay.py whomay-cap). That is the cap's
     * purpose (the work is still going on), so it stays; clients retry a refused connection. */
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)HTTP_MAX_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_conns_per_addr,
        MHD_OPTION_END);
    if (!s->d) {
        /* The socket is not closed here: whether a failed start closed it is not documented,
         * and the process is about to exit. */
        server_free(s);
        return kam_fail(e, KAM_EIO, "listen", "cannot serve on %s (see the log above)",
                        cfg->listen);
    }
    s->port = bound_port(fd);
    if (cfg->header_timeout_s) {
        if (pthread_create(&s->sweeper, NULL, sweeper, s) != 0) {
            MHD_stop_daemon(s->d);
            server_free(s);
            return kam_fail(e, KAM_EINTERNAL, "", "cannot start the header deadline thread");
        }
        s->sweeper_on = 1;
    }
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
    /* New connections are refused at once (shutdown() of a listening socket on Linux), but the
     * fd is closed only after the daemon has stopped: a worker that saw it readable just before
     * the quiesce may still call accept() on it, and must not meet a reused number. */
    MHD_socket fd = MHD_quiesce_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET)
        shutdown(fd, SHUT_RDWR);
    int64_t deadline = time_mono_us() + (int64_t)grace_ms * 1000;
    while (atomic_load(&s->active) > 0 && time_mono_us() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (atomic_load(&s->active) > 0)
        log_warn("shutdown: %d requests still running after %d ms", atomic_load(&s->active),
                 grace_ms);
    MHD_stop_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    server_free(s);
}
