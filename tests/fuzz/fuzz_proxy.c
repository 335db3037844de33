/* fuzz_proxy.c -- libFuzzer target: the --trusted-proxies list and X-Forwarded-For (http/proxy.c).
 *
 * Input: "LIST\nPEER\nXFF". Checks, besides not crashing: the client address is always either
 * the peer or an address that parses back (inet_pton) and is never longer than an address; a
 * peer that is not a trusted proxy is always its own client, whatever the header says. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    char *peer = strchr(s, '\n'), *xff = NULL;
    if (peer) {
        *peer++ = 0;
        xff = strchr(peer, '\n');
        if (xff)
            *xff++ = 0;
    }
    struct http_proxies p;
    int rc = http_proxies_parse(s, &p);
    if (rc == 0 && (p.n < 0 || p.n > HTTP_MAX_PROXIES))
        abort();
    if (rc == 0 && peer) {
        char out[64];
        http_client_addr(&p, peer, xff, out, sizeof out);
        unsigned char a[16];
        if (strncmp(out, peer, sizeof out - 1) != 0 && inet_pton(AF_INET, out, a) != 1 &&
            inet_pton(AF_INET6, out, a) != 1)
            abort(); /* the client is the peer or a real address */
        struct http_proxies none = {0};
        char own[64];
        http_client_addr(&none, peer, xff, own, sizeof own);
        if (strncmp(own, peer, sizeof own - 1) != 0)
            abort(); /* no trusted proxy: the header is ignored */
    }
    free(s);
    return 0;
}
