/* cmd_serve.c -- kam serve: migrate, start the HTTP server, wait for SIGTERM/SIGINT, drain. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/log.h"
#include "cli.h"
#include "http/server.h"
#include "svc/auth.h"

int cmd_serve(int argc, char **argv)
{
    const char *dsn = NULL, *listen = "127.0.0.1:8080";
    long threads = 0, ttl = 0;
    int quiet = 0;
    const char *env_ttl = getenv("KAM_SESSION_TTL");
    if (env_ttl && *env_ttl)
        ttl = strtol(env_ttl, NULL, 10);
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},      {"listen", required_argument, 0, 'l'},
        {"threads", required_argument, 0, 't'}, {"session-ttl", required_argument, 0, 's'},
        {"quiet", no_argument, 0, 'q'},         {0, 0, 0, 0},
    };
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            dsn = optarg;
            break;
        case 'l':
            listen = optarg;
            break;
        case 't':
            threads = strtol(optarg, NULL, 10);
            break;
        case 's':
            ttl = strtol(optarg, NULL, 10);
            break;
        case 'q':
            quiet = 1;
            break;
        default:
            cli_usage(stderr, cli_find("serve"));
            return EXIT_USAGE;
        }
    }
    if (optind < argc || threads < 0 || threads > 256 || ttl < 0) {
        cli_usage(stderr, cli_find("serve"));
        return EXIT_USAGE;
    }
    dsn = cli_dsn(dsn);

    /* Migrate once before serving, so workers find the schema ready. */
    struct cli_ctx c;
    if (cli_ctx_open(&c, dsn))
        return EXIT_FAIL;
    cli_ctx_release(&c);

    /* Workers inherit this mask: only the main thread receives the stop signals. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct api_cfg acfg = {.dsn = dsn, .session_ttl = ttl ? ttl : AUTH_DEFAULT_TTL};
    api_init(&acfg);
    struct http_server_cfg hcfg = {
        .listen = listen,
        .threads = (unsigned)threads,
        .quiet = quiet,
        .handler = api_dispatch,
    };
    struct http_server *srv;
    struct kam_error e = {0};
    if (http_server_start(&hcfg, &srv, &e)) {
        fprintf(stderr, "kam: %s\n", e.msg);
        api_shutdown();
        return EXIT_FAIL;
    }
    log_info("kam %s serving %s on %s (port %u)", KAM_VERSION, dsn, listen, http_server_port(srv));
    int sig = 0;
    sigwait(&set, &sig);
    log_info("signal %d: finishing requests in flight", sig);
    http_server_stop(srv, 10000);
    api_shutdown();
    log_info("stopped");
    return EXIT_OK;
}
