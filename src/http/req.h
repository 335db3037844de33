/* req.h -- one HTTP request and its response, as the API layer sees them.
 *
 * The server (server.c) fills a struct http_req from libmicrohttpd and hands it, with an empty
 * struct http_resp, to api_dispatch(). Everything here is owned by the request's arena or by
 * libmicrohttpd for the duration of the call. */
#ifndef KAM_HTTP_REQ_H
#define KAM_HTTP_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"

#define HTTP_MAX_BODY (1u << 20)    /* 1 MiB */
#define HTTP_MAX_UPLOAD (64u << 20) /* 64 MiB, for the CSV imports */
#define HTTP_UPLOAD_PREFIX "/api/v1/imports/"
/* A document upload (POST /api/v1/{contracts,breaches,disputes,lessons}/:id/documents): the
 * service refuses what is over the setting documents.max_bytes (at most this). */
#define HTTP_MAX_DOCUMENT (64u << 20)
#define HTTP_MAX_PUBLIC_BODY (64u << 10) /* 64 KB, for the routes without a session */
#define HTTP_PUBLIC_PREFIX "/api/v1/public/"
#define HTTP_MAX_QUERY_PARAMS 32
#define HTTP_MAX_RESPONSE (64u << 20)

struct http_param {
    const char *key, *value; /* URL-decoded, NUL-terminated */
};

struct http_req {
    const char *method; /* "GET" ... */
    const char *path;   /* URL path, without query, percent-decoded by libmicrohttpd */
    struct http_param query[HTTP_MAX_QUERY_PARAMS];
    int nquery;
    int query_overflow; /* more parameters than fit */
    const char *body;   /* NULL if none */
    size_t body_len;
    int body_too_big;
    /* Set on the early call of a request with a body: its headers are in, its body is not
     * read yet (body NULL). The handler answers now by setting the response's status, or
     * leaves it 0 and is called again with the body (http_server.h). */
    int headers_only;
    /* Header lookup (case-insensitive); NULL if absent. Borrowed for the call. */
    const char *(*header)(const struct http_req *r, const char *name);
    const char *(*cookie)(const struct http_req *r, const char *name);
    void *conn; /* for header/cookie */
    const char *remote_addr;
    int tls;       /* served over TLS */
    int via_proxy; /* the peer is a trusted proxy (its X-Forwarded-* headers may be believed) */
    struct arena *a;
};

#define HTTP_MAX_HEADERS 8

struct http_resp {
    int status;
    const char *content_type; /* default application/json */
    struct buf body;          /* handed to libmicrohttpd */
    struct {
        const char *name, *value; /* arena or static */
    } headers[HTTP_MAX_HEADERS];
    int nheaders;
    const char *static_body; /* when set (with static_len), sent instead of body, not freed */
    size_t static_len;
    /* A file body (an export): when has_file, file_fd's file_size bytes from offset 0 are sent
     * instead of body and the server closes file_fd (also when the response cannot be sent). */
    int has_file;
    int file_fd;
    uint64_t file_size;
    /* When set, called once with done_arg when the server is done with this request: its
     * response sent, refused, or its connection gone (an export's slot, api/core/list_export.c). */
    void (*done)(void *done_arg);
    void *done_arg;
};

/* The largest body accepted for a URL path: HTTP_MAX_UPLOAD under HTTP_UPLOAD_PREFIX,
 * HTTP_MAX_DOCUMENT for a document upload path,
 * HTTP_MAX_PUBLIC_BODY under HTTP_PUBLIC_PREFIX (a larger one is refused on its headers), else
 * HTTP_MAX_BODY. */
size_t http_body_limit(const char *path);

/* Adds a response header (dropped past HTTP_MAX_HEADERS). */
void http_resp_header(struct http_resp *r, const char *name, const char *value);
/* Sends the file fd (size bytes, from offset 0) as the body; the response owns fd from now. */
void http_resp_file(struct http_resp *r, int fd, uint64_t size);
/* Closes the file body, if any (an error replaces the response). */
void http_resp_drop_file(struct http_resp *r);
/* Value of query parameter key, or NULL. */
const char *http_query(const struct http_req *r, const char *key);

#endif
