/* proxy.h -- the client address behind trusted reverse proxies (X-Forwarded-For).
 *
 * Per-address limits (the connection cap, the login throttle) need the client's address. Behind
 * a load balancer every request comes from the balancer, so its address would make one limit
 * for everybody. Only peers listed as trusted proxies (--trusted-proxies) may name the client:
 * the client is the rightmost address of X-Forwarded-For that is not itself a trusted proxy.
 * From any other peer the header is ignored (anyone can write it). */
#ifndef KAM_HTTP_PROXY_H
#define KAM_HTTP_PROXY_H

#include <stddef.h>

#define HTTP_MAX_PROXIES 32
#define HTTP_MAX_XFF_HOPS 32 /* entries of X-Forwarded-For looked at, from the right */

struct http_proxies {
    int n;
    struct {
        int v6; /* 0: IPv4 (addr[0..3]), 1: IPv6 */
        unsigned char addr[16];
        int prefix; /* bits */
    } net[HTTP_MAX_PROXIES];
};

/* Parses a comma-separated list of addresses and networks ("10.0.0.0/8, 192.0.2.1,
 * 2001:db8::/32"); NULL or "" is the empty list. 0, or -1 on a malformed or extra entry. */
int http_proxies_parse(const char *list, struct http_proxies *out);

/* Writes the client's address into out (at least 46 bytes): peer itself unless it is a trusted
 * proxy and xff is present; then the rightmost entry of xff that is not a trusted proxy (the
 * leftmost when all are). An entry that is not a plain address stops the walk: the address
 * before it (the last trusted hop) is used, never a string of the client's making. */
void http_client_addr(const struct http_proxies *p, const char *peer, const char *xff, char *out,
                      size_t n);

/* 1 when peer (an address) is one of the trusted proxies. */
int http_peer_trusted(const struct http_proxies *p, const char *peer);

#endif
