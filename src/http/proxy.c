/* proxy.c -- trusted proxies and X-Forwarded-For (see proxy.h). */
#include "proxy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An address ("192.0.2.1", "2001:db8::1") into bytes; 0 when it is not one. */
static int parse_addr(const char *s, size_t len, int *v6, unsigned char out[16])
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = 0;
    memset(out, 0, 16);
    if (inet_pton(AF_INET, buf, out) == 1) {
        *v6 = 0;
        return 1;
    }
    if (inet_pton(AF_INET6, buf, out) == 1) {
        *v6 = 1;
        return 1;
    }
    return 0;
}

static const char *trim(const char *s, const char *end, size_t *len)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *len = (size_t)(end - s);
    return s;
}

int http_proxies_parse(const char *list, struct http_proxies *out)
{
    memset(out, 0, sizeof *out);
    if (!list)
        return 0;
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        size_t len;
        const char *e = trim(p, end, &len);
        if (len) {
            if (out->n == HTTP_MAX_PROXIES)
                return -1;
            const char *slash = memchr(e, '/', len);
            size_t alen = slash ? (size_t)(slash - e) : len;
            int v6;
            if (!parse_addr(e, alen, &v6, out->net[out->n].addr))
                return -1;
            int max = v6 ? 128 : 32, prefix = max;
            if (slash) {
                const char *d = slash + 1;
                size_t dlen = len - alen - 1;
                if (dlen < 1 || dlen > 3)
                    return -1;
                prefix = 0;
                for (size_t i = 0; i < dlen; i++) {
                    if (d[i] < '0' || d[i] > '9')
                        return -1;
                    prefix = prefix * 10 + (d[i] - '0');
                }
                if (prefix > max)
                    return -1;
            }
            out->net[out->n].v6 = v6;
            out->net[out->n].prefix = prefix;
            out->n++;
        } else if (comma || p != list) {
            return -1; /* an empty entry: "a,,b" or a trailing comma */
        }
        if (comma && !comma[1])
            return -1; /* a trailing comma */
        p = comma ? comma + 1 : end;
    }
    return 0;
}

static int trusted(const struct http_proxies *p, int v6, const unsigned char a[16])
{
    for (int i = 0; i < p->n; i++) {
        if (p->net[i].v6 != v6)
            continue;
        int bits = p->net[i].prefix, k = 0;
        for (; bits >= 8; bits -= 8, k++)
            if (a[k] != p->net[i].addr[k])
                break;
        if (bits >= 8)
            continue;
        unsigned char mask = (unsigned char)(0xff00u >> bits);
        if (bits == 0 || (a[k] & mask) == (p->net[i].addr[k] & mask))
            return 1;
    }
    return 0;
}

static void write_addr(int v6, const unsigned char a[16], char *out, size_t n)
{
    char buf[INET6_ADDRSTRLEN];
    if (!inet_ntop(v6 ? AF_INET6 : AF_INET, a, buf, sizeof buf))
        buf[0] = 0;
    snprintf(out, n, "%s", buf);
}

int http_peer_trusted(const struct http_proxies *p, const char *peer)
{
    int v6;
    unsigned char a[16];
    return p && p->n && peer && parse_addr(peer, strlen(peer), &v6, a) && trusted(p, v6, a);
}

void http_client_addr(const struct http_proxies *p, const char *peer, const char *xff, char *out,
                      size_t n)
{
    snprintf(out, n, "%s", peer ? peer : "");
    int v6;
    unsigned char a[16];
    if (!p || !p->n || !xff || !peer || !parse_addr(peer, strlen(peer), &v6, a) ||
        !trusted(p, v6, a))
        return;
    /* From the right: each hop appended the address it saw; stop at the first that is not
     * one of ours. */
    const char *end = xff + strlen(xff);
    for (int hops = 0; end > xff && hops < HTTP_MAX_XFF_HOPS; hops++) {
        const char *start = end;
        while (start > xff && start[-1] != ',')
            start--;
        size_t len;
        const char *e = trim(start, end, &len);
        int hv6;
        unsigned char h[16];
        if (!parse_addr(e, len, &hv6, h))
            return; /* garbage: keep the last trusted hop */
        write_addr(hv6, h, out, n);
        if (!trusted(p, hv6, h))
            return;
        end = start > xff ? start - 1 : xff;
    }
}
