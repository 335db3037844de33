/* cmd_serve.c -- kam serve: migrate, start the HTTP server, wait for SIGTERM/SIGINT, drain. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/core/api.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "cli.h"
#include "http/proxy.h"
#include "http/server.h"
#include "svc/core/auth.h"
#include "svc/core/jobs.h"
#include "svc/core/search.h"

/* The background thread, with its own connection: first the search index catches up with the
 * records written before it or by older binaries (after the server listens, so the first start
 * after an upgrade that re-folds every record answers at once, and searches meanwhile find what
 * is indexed so far), then, unless the interval is 0, a pass of the jobs every interval. A
 * catch-up that fails (it runs beside live traffic: a busy database, a deadlock) is tried again
 * after a back-off until it succeeds or kam stops; each pass of the jobs catches up too. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
    long interval;
    const char *dsn;
} sched = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 60, NULL};

static int sched_stopping(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&sched.lock);
    int stop = sched.stop;
    pthread_mutex_unlock(&sched.lock);
    return stop;
}

/* The background thread's work runs as the system, with its own arena (released by the caller). */
static struct kam_ctx system_ctx(struct db *db, struct arena *a, struct kam_error *err)
{
    arena_init(a);
    struct kam_ctx ctx = {.db = db, .a = a, .err = err, .now = time_now()};
    ctx.who.role = ROLE_ADMIN;
    ctx.who.login = "system";
    return ctx;
}

/* 1 once the index is caught up; 0 after an error (a busy database, a deadlock: retried). */
static int catch_up(struct db *db)
{
    struct kam_error err = {0};
    struct arena a;
    struct kam_ctx ctx = system_ctx(db, &a, &err);
    int indexed = 0, ok = 0;
    int64_t t0 = time_mono_us();
    if (search_catch_up_until(&ctx, sched_stopping, NULL, &indexed))
        log_warn("search index: %s (retried)", err.msg);
    else {
        ok = !sched_stopping(NULL);
        if (indexed)
            log_info("search index: %d records indexed in %lld ms", indexed,
                     (long long)((time_mono_us() - t0) / 1000));
    }
    arena_release(&a);
    return ok;
}

/* A pass of the jobs; 0 on success (which includes the search catch-up: 1 when it failed or was
 * stopped, the other jobs done all the same). */
static int run_jobs(struct db *db)
{
    struct kam_error err = {0};
    struct arena a;
    struct kam_ctx ctx = system_ctx(db, &a, &err);
    struct jobs_report r;
    int rc = jobs_run_until(&ctx, 0, sched_stopping, NULL, &r) != KAM_OK;
    if (rc)
        log_warn("scheduler: %s", err.msg);
    else if (r.visits_planned || r.overdue_notices || r.issues_escalated || r.care_reminders ||
             r.mails_sent || r.mails_retried)
        log_info("scheduler: %d visits planned, %d overdue notices, %d issues escalated, "
                 "%d care reminders, %d mails sent, %d to retry",
                 r.visits_planned, r.overdue_notices, r.issues_escalated, r.care_reminders,
                 r.mails_sent, r.mails_retried);
    arena_release(&a);
    return rc || r.search_deferred;
}

#define CATCH_UP_BACKOFF_MAX 60 /* seconds between two tries of a failed catch-up, at most */

static void *scheduler(void *arg)
{
    (void)arg;
    struct db *db = NULL;
    int caught_up = 0, tries = 0;
    int64_t next_try = 0, next_jobs = 0; /* time_mono_us() */
    pthread_mutex_lock(&sched.lock);
    while (!sched.stop) {
        pthread_mutex_unlock(&sched.lock);
        struct kam_error err = {0};
        if (!db && conn_open(sched.dsn, 0, &db, &err))
            log_warn("scheduler: %s", err.msg);
        int64_t now = time_mono_us(), wait_us = (int64_t)sched.interval * 1000000;
        if (db && !caught_up && now >= next_try) {
            /* Beside live traffic: a busy or deadlocked batch is tried again after a back-off
             * (1, 2, 4 ... s), and by each pass of the jobs meanwhile, never given up. */
            caught_up = catch_up(db);
            long backoff = tries < 6 ? 1L << tries : CATCH_UP_BACKOFF_MAX;
            tries++;
            next_try = now + (int64_t)backoff * 1000000;
        }
        /* not after a catch-up stopped by SIGTERM: the pass would catch up again */
        if (db && sched.interval && time_mono_us() >= next_jobs && !sched_stopping(NULL)) {
            if (run_jobs(db) == 0)
                caught_up = 1; /* the jobs' pass includes the catch-up */
            next_jobs = time_mono_us() + (int64_t)sched.interval * 1000000;
        }
        now = time_mono_us();
        if (db && sched.interval)
            wait_us = next_jobs - now;
        if (db && !caught_up && (!sched.interval || next_try - now < wait_us))
            wait_us = next_try - now;
        pthread_mutex_lock(&sched.lock);
        /* Without the scheduler the thread ends after the catch-up (or its one try to connect). */
        if (sched.stop || (!sched.interval && (caught_up || !db)))
            break;
        if (wait_us <= 0)
            continue;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += (time_t)(wait_us / 1000000);
        until.tv_nsec += (long)(wait_us % 1000000) * 1000;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&sched.wake, &sched.lock, &until);
    }
    pthread_mutex_unlock(&sched.lock);
    conn_close(db);
    return NULL;
}

/* The ranges of the numeric settings: flags and environment alike. */
#define MAX_THREADS 256
#define MAX_TTL 315360000LL   /* ten years */
#define MAX_INTERVAL 604800LL /* a week */
#define MAX_HEADER_TIMEOUT 3600
#define MAX_EXPORTS 64

int cmd_serve(int argc, char **argv)
{
    const char *dsn = NULL, *listen = "127.0.0.1:8080", *proxies = getenv("KAM_TRUSTED_PROXIES");
    long long threads = 0, ttl = AUTH_DEFAULT_TTL, jobs_interval = 60,
              per_addr = HTTP_DEFAULT_CONNS_PER_ADDR, header_timeout = HTTP_DEFAULT_HEADER_TIMEOUT,
              max_exports = API_EXPORTS_DEFAULT;
    int quiet = 0;
    /* The environment first (checked as strictly as the flags), then the flags override it. */
    if (cli_env_num("KAM_SESSION_TTL", 1, MAX_TTL, &ttl) ||
        cli_env_num("KAM_JOBS_INTERVAL", 0, MAX_INTERVAL, &jobs_interval) ||
        cli_env_num("KAM_MAX_CONNS_PER_ADDR", 0, HTTP_MAX_CONNECTIONS, &per_addr) ||
        cli_env_num("KAM_HEADER_TIMEOUT", 1, MAX_HEADER_TIMEOUT, &header_timeout) ||
        cli_env_num("KAM_MAX_EXPORTS", 1, MAX_EXPORTS, &max_exports))
        return EXIT_USAGE;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"listen", required_argument, 0, 'l'},
        {"threads", required_argument, 0, 't'},
        {"session-ttl", required_argument, 0, 's'},
        {"quiet", no_argument, 0, 'q'},
        {"jobs-interval", required_argument, 0, 'j'},
        {"max-conns-per-addr", required_argument, 0, 'm'},
        {"header-timeout", required_argument, 0, 'h'},
        {"trusted-proxies", required_argument, 0, 'p'},
        {"max-exports", required_argument, 0, 'x'},
        {0, 0, 0, 0},
    };
    int o, bad = 0;
    optind = 1;
    while (!bad && (o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            dsn = optarg;
            break;
        case 'l':
            listen = optarg;
            break;
        case 't':
            bad = cli_parse_num("--threads", optarg, 0, MAX_THREADS, &threads);
            break;
        case 's':
            bad = cli_parse_num("--session-ttl", optarg, 1, MAX_TTL, &ttl);
            break;
        case 'q':
            quiet = 1;
            break;
        case 'j':
            bad = cli_parse_num("--jobs-interval", optarg, 0, MAX_INTERVAL, &jobs_interval);
            break;
        case 'm':
            bad = cli_parse_num("--max-conns-per-addr", optarg, 0, HTTP_MAX_CONNECTIONS, &per_addr);
            break;
        case 'h':
            bad = cli_parse_num("--header-timeout", optarg, 1, MAX_HEADER_TIMEOUT, &header_timeout);
            break;
        case 'p':
            proxies = optarg;
            break;
        case 'x':
            bad = cli_parse_num("--max-exports", optarg, 1, MAX_EXPORTS, &max_exports);
            break;
        default:
            cli_usage(stderr, cli_find("serve"));
            return EXIT_USAGE;
        }
    }
    struct http_proxies pl;
    if (!bad && http_proxies_parse(proxies, &pl) != 0) {
        fprintf(stderr,
                "kam: --trusted-proxies (or KAM_TRUSTED_PROXIES) must be up to %d addresses or "
                "networks ADDR[/BITS] separated by commas, got '%s'\n",
                HTTP_MAX_PROXIES, proxies);
        bad = 1;
    }
    if (bad)
        return EXIT_USAGE;
    if (optind < argc) {
        fprintf(stderr, "kam: unexpected argument '%s'\n", argv[optind]);
        cli_usage(stderr, cli_find("serve"));
        return EXIT_USAGE;
    }
    dsn = cli_dsn(dsn);
    char shown[160];
    conn_dsn_masked(dsn, shown, sizeof shown);

    /* Migrate once before serving, so workers find the schema ready; and refuse a database
     * that is missing (serving an empty one nobody can log in to helps no one) or that takes
     * no writes (every login writes a session). */
    struct cli_ctx c;
    if (cli_ctx_open(&c, dsn, CONN_EXISTING | CONN_WRITABLE))
        return EXIT_FAIL;
    cli_ctx_release(&c); /* the search index catches up on the background thread */

    /* Workers inherit this mask: only the main thread receives the stop signals. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct api_cfg acfg = {.dsn = dsn, .session_ttl = ttl};
    api_init(&acfg);
    api_exports_limit((int)max_exports);
    struct http_server_cfg hcfg = {
        .listen = listen,
        .threads = (unsigned)threads,
        .quiet = quiet,
        .max_conns_per_addr = (unsigned)per_addr,
        .header_timeout_s = (unsigned)header_timeout,
        .trusted_proxies = proxies,
        .handler = api_dispatch,
    };
    struct http_server *srv;
    struct kam_error e = {0};
    if (http_server_start(&hcfg, &srv, &e)) {
        fprintf(stderr, "kam: %s\n", e.msg);
        api_shutdown();
        return e.code == KAM_EINVAL ? EXIT_USAGE : EXIT_FAIL; /* a malformed --listen: usage */
    }
    log_info("kam %s serving %s on %s (port %u)", KAM_VERSION, shown, listen,
             http_server_port(srv));
    pthread_t sched_thread;
    int sched_on = 1; /* the search catch-up, and the jobs when jobs_interval > 0 */
    sched.interval = (long)jobs_interval;
    sched.dsn = dsn;
    if (pthread_create(&sched_thread, NULL, scheduler, NULL) != 0) {
        log_warn("cannot start the scheduler thread");
        sched_on = 0;
    }
    int sig = 0;
    sigwait(&set, &sig);
    log_info("signal %d: finishing requests in flight", sig);
    if (sched_on) {
        pthread_mutex_lock(&sched.lock);
        sched.stop = 1;
        pthread_cond_signal(&sched.wake);
        pthread_mutex_unlock(&sched.lock);
        pthread_join(sched_thread, NULL);
    }
    http_server_stop(srv, 10000);
    api_shutdown();
    log_info("stopped");
    return EXIT_OK;
}
