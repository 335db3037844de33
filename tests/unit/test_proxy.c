/* test_proxy.c -- trusted proxies and X-Forwarded-For (http/proxy.c). */
#include <string.h>

#include "http/proxy.h"
#include "test.h"

static const char *client(const char *list, const char *peer, const char *xff)
{
    static char out[64];
    struct http_proxies p;
    CHECK_EQ_INT(http_proxies_parse(list, &p), 0);
    http_client_addr(&p, peer, xff, out, sizeof out);
    return out;
}

TEST(proxy_list_parses_addresses_and_networks)
{
    struct http_proxies p;
    CHECK_EQ_INT(http_proxies_parse(NULL, &p), 0);
    CHECK_EQ_INT(p.n, 0);
    CHECK_EQ_INT(http_proxies_parse("", &p), 0);
    CHECK_EQ_INT(http_proxies_parse(" 10.0.0.0/8 , 192.0.2.1,2001:db8::/32 ", &p), 0);
    CHECK_EQ_INT(p.n, 3);
    CHECK_EQ_INT(p.net[0].prefix, 8);
    CHECK_EQ_INT(p.net[1].prefix, 32);
    CHECK(p.net[2].v6 && p.net[2].prefix == 32);
    static const char *const bad[] = {"10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/x",
                                      "1.2.3",       "a,,b",           "1.1.1.1,",  "host.example",
                                      "10.0.0.0/-1", "1.1.1.1/0008"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_INT(http_proxies_parse(bad[i], &p), -1);
    char many[64 * 12] = "";
    for (int i = 0; i <= HTTP_MAX_PROXIES; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s10.0.0.%d", i ? "," : "", i);
    CHECK_EQ_INT(http_proxies_parse(many, &p), -1); /* one more than allowed */
}

TEST(proxy_client_is_the_rightmost_untrusted_hop)
{
    /* no trusted proxies, or an untrusted peer: the header is ignored */
    CHECK_EQ_STR(client("", "127.0.0.1", "203.0.113.7"), "127.0.0.1");
    CHECK_EQ_STR(client("10.0.0.0/8", "127.0.0.1", "203.0.113.7"), "127.0.0.1");
    /* a trusted peer names the client */
    CHECK_EQ_STR(client("127.0.0.1", "127.0.0.1", "203.0.113.7"), "203.0.113.7");
    CHECK_EQ_STR(client("127.0.0.1", "127.0.0.1", NULL), "127.0.0.1");
    /* spoofed entries on the left do not matter: the rightmost untrusted one counts */
    CHECK_EQ_STR(client("127.0.0.1, 10.0.0.0/8", "127.0.0.1", "1.1.1.1, 203.0.113.7, 10.2.3.4"),
                 "203.0.113.7");
    /* all trusted: the leftmost */
    CHECK_EQ_STR(client("10.0.0.0/8", "10.0.0.1", "10.0.0.9, 10.0.0.8"), "10.0.0.9");
    /* garbage stops the walk at the last trusted hop */
    CHECK_EQ_STR(client("127.0.0.1", "127.0.0.1", "not-an-address"), "127.0.0.1");
    CHECK_EQ_STR(client("10.0.0.0/8", "10.0.0.1", "x, 10.0.0.7"), "10.0.0.7");
    CHECK_EQ_STR(client("127.0.0.1", "127.0.0.1", ""), "127.0.0.1");
    /* IPv6, prefixes that do not end on a byte, normalised output */
    CHECK_EQ_STR(client("2001:db8::/32", "2001:db8::1", "2001:DB8:0:0::abcd, 2a00:1450::1"),
                 "2a00:1450::1");
    CHECK_EQ_STR(client("192.168.0.0/23", "192.168.1.200", "198.51.100.4"), "198.51.100.4");
    CHECK_EQ_STR(client("192.168.0.0/23", "192.168.2.1", "198.51.100.4"), "192.168.2.1");
    CHECK_EQ_STR(client("0.0.0.0/0", "8.8.8.8", " 198.51.100.4 "), "198.51.100.4");
}
