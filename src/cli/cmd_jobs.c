/* cmd_jobs.c -- kam jobs run [--db DSN] [--now ISO]: one pass of the background jobs. Exits 0
 * when the jobs ran, with a warning on stderr when the search catch-up did not finish (it gave
 * way to a writer's lock: the next run or kam serve catches up); 1 when a job failed. */
#include <getopt.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli.h"
#include "svc/core/jobs.h"
#include "svc/relationships/interaction.h"

int cmd_jobs(int argc, char **argv)
{
    const struct cmd *self = cli_find("jobs");
    if (argc < 2 || strcmp(argv[1], "run") != 0) {
        cli_usage(stderr, self);
        return EXIT_USAGE;
    }
    const char *dsn = NULL, *now = NULL;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'}, {"now", required_argument, 0, 'n'}, {0, 0, 0, 0}};
    int o;
    optind = 2;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            dsn = optarg;
        else if (o == 'n')
            now = optarg;
        else {
            cli_usage(stderr, self);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_usage(stderr, self);
        return EXIT_USAGE;
    }
    if (now) {
        int64_t t = interaction_parse_time(now);
        if (t < 0) {
            fputs("kam: --now must be YYYY-MM-DDTHH:MM:SSZ\n", stderr);
            return EXIT_USAGE;
        }
        time_set_fake(t);
    }
    struct cli_ctx c;
    if (cli_ctx_open(&c, cli_dsn(dsn), CONN_EXISTING))
        return EXIT_FAIL;
    struct jobs_report r;
    int rc = jobs_run(&c.ctx, 1, &r) ? cli_fail(&c) : EXIT_OK;
    if (rc == EXIT_OK)
        printf("kam: jobs done: %d visits planned, %d overdue notices, %d issues escalated, %d "
               "care reminders, %d digests, %d mails sent, %d mails to retry, %d forecasts, %d "
               "KPI alerts, %d survey reminders, %d alerts raised, %d alerts cleared, %d churn "
               "models trained, %d churn scores, %d contract breaches detected\n",
               r.visits_planned, r.overdue_notices, r.issues_escalated, r.care_reminders, r.digests,
               r.mails_sent, r.mails_retried, r.forecasts, r.kpi_alerts, r.survey_reminders,
               r.alerts_raised, r.alerts_cleared, r.churn_trained, r.churn_scored,
               r.breaches_detected);
    if (rc == EXIT_OK && r.search_deferred) /* exit 0: the other jobs ran; serve retries it */
        fputs("kam: warning: the search index catch-up did not finish (see the log); it is tried "
              "again by the next run\n",
              stderr);
    cli_ctx_release(&c);
    return rc;
}
