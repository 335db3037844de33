/* cmd_serve.c -- kam serve: migrate, start the HTTP server, wait for SIGTERM/SIGINT, drain. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "cli.h"
#include "http/server.h"
#include "svc/auth.h"
#include "svc/jobs.h"

/* The scheduler: one thread, its own connection, a pass of the jobs every interval. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
    long interval;
    const char *dsn;
} sched = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 60, NULL};

static void *scheduler(void *arg)
{
    (void)arg;
    struct db *db = NULL;
    pthread_mutex_lock(&sched.lock);
    while (!sched.stop) {
        pthread_mutex_unlock(&sched.lock);
        struct kam_error err = {0};
        if (!db && db_open_raw(sched.dsn, &db, &err))
            log_warn("scheduler: %s", err.msg);
        if (db) {
            struct arena a;
            arena_init(&a);
            struct kam_ctx ctx = {.db = db, .a = &a, .err = &err, .now = time_now()};
            ctx.who.role = ROLE_ADMIN;
            ctx.who.login = "system";
            struct jobs_report r;
            if (jobs_run(&ctx, 0, &r))
                log_warn("scheduler: %s", err.msg);
            else if (r.visits_planned || r.overdue_notices || r.issues_escalated ||
                     r.care_reminders || r.mails_sent || r.mails_retried)
                log_info("scheduler: %d visits planned, %d overdue notices, %d issues escalated, "
                         "%d care reminders, %d mails sent, %d to retry",
                         r.visits_planned, r.overdue_notices, r.issues_escalated, r.care_reminders,
                         r.mails_sent, r.mails_retried);
            arena_release(&a);
        }
        pthread_mutex_lock(&sched.lock);
        if (sched.stop)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += sched.interval;
        pthread_cond_timedwait(&sched.wake, &sched.lock, &until);
    }
    pthread_mutex_unlock(&sched.lock);
    db_close(db);
    return NULL;
}

int cmd_serve(int argc, char **argv)
{
    const char *dsn = NULL, *listen = "127.0.0.1:8080";
    long threads = 0, ttl = 0, jobs_interval = 60;
    const char *env_jobs = getenv("KAM_JOBS_INTERVAL");
    if (env_jobs && *env_jobs)
        jobs_interval = strtol(env_jobs, NULL, 10);
    int quiet = 0;
    const char *env_ttl = getenv("KAM_SESSION_TTL");
    if (env_ttl && *env_ttl)
        ttl = strtol(env_ttl, NULL, 10);
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"listen", required_argument, 0, 'l'},
        {"threads", required_argument, 0, 't'},
        {"session-ttl", required_argument, 0, 's'},
        {"quiet", no_argument, 0, 'q'},
        {"jobs-interval", required_argument, 0, 'j'},
        {0, 0, 0, 0},
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
        case 'j':
            jobs_interval = strtol(optarg, NULL, 10);
            break;
        default:
            cli_usage(stderr, cli_find("serve"));
            return EXIT_USAGE;
        }
    }
    if (optind < argc || threads < 0 || threads > 256 || ttl < 0 || jobs_interval < 0) {
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
    pthread_t sched_thread;
    int sched_on = jobs_interval > 0;
    sched.interval = jobs_interval;
    sched.dsn = dsn;
    if (sched_on && pthread_create(&sched_thread, NULL, scheduler, NULL) != 0) {
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
