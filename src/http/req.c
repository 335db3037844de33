/* req.c -- small accessors on requests and responses. */
#include "req.h"

#include <string.h>
#include <unistd.h>

/* /api/v1/{contracts,breaches,disputes,lessons}/<digits>/documents: a document upload. */
static int document_upload_path(const char *path)
{
    static const char *const owners[] = {"contracts/", "breaches/", "disputes/", "lessons/"};
    static const char prefix[] = "/api/v1/";
    if (strncmp(path, prefix, sizeof prefix - 1) != 0)
        return 0;
    path += sizeof prefix - 1;
    for (size_t i = 0; i < sizeof owners / sizeof owners[0]; i++) {
        size_t n = strlen(owners[i]);
        if (strncmp(path, owners[i], n) != 0)
            continue;
        const char *p = path + n;
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
        return strcmp(p, "/documents") == 0;
    }
    return 0;
}

size_t http_body_limit(const char *path)
{
    if (path && strncmp(path, HTTP_PUBLIC_PREFIX, sizeof HTTP_PUBLIC_PREFIX - 1) == 0)
        return HTTP_MAX_PUBLIC_BODY;
    if (path && document_upload_path(path))
        return HTTP_MAX_DOCUMENT;
    return path && strncmp(path, HTTP_UPLOAD_PREFIX, sizeof HTTP_UPLOAD_PREFIX - 1) == 0
               ? HTTP_MAX_UPLOAD
               : HTTP_MAX_BODY;
}

void http_resp_header(struct http_resp *r, const char *name, const char *value)
{
    if (r->nheaders >= HTTP_MAX_HEADERS)
        return;
    r->headers[r->nheaders].name = name;
    r->headers[r->nheaders].value = value;
    r->nheaders++;
}

void http_resp_file(struct http_resp *r, int fd, uint64_t size)
{
    http_resp_drop_file(r);
    r->has_file = 1;
    r->file_fd = fd;
    r->file_size = size;
}

void http_resp_drop_file(struct http_resp *r)
{
    if (r->has_file)
        close(r->file_fd);
    r->has_file = 0;
    r->file_fd = -1;
}

const char *http_query(const struct http_req *r, const char *key)
{
    for (int i = 0; i < r->nquery; i++)
        if (strcmp(r->query[i].key, key) == 0)
            return r->query[i].value;
    return NULL;
}
