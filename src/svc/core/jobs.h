/* jobs.h -- the background work: one pass over every due job. Run by the scheduler thread of
 * kam serve every minute and by `kam jobs run`. Every job is idempotent (unique keys, row
 * versions), so passes may overlap across instances without doing anything twice. */
#ifndef KAM_JOBS_H
#define KAM_JOBS_H

#include "ctx.h"

struct jobs_report {
    int visits_planned, overdue_notices, issues_escalated, care_reminders, mails_sent,
        mails_retried, digests, forecasts, kpi_alerts;
    int survey_reminders;              /* survey links reminded (svc/needs/survey_link.c) */
    int alerts_raised, alerts_cleared; /* early-warning alerts (svc/risk/alert.c) */
    int churn_trained, churn_scored;   /* the churn model (svc/risk/churn_job.c) */
    int breaches_detected;             /* new contract breaches (svc/contracts/breach_scan.c) */
    int search_deferred; /* 1: the search catch-up failed (logged) or was stopped: retry it */
};

/* How often the scans that plan visits and care reminders run inside kam serve; the other jobs
 * (notices, escalation, mail) run on every pass. */
#define JOBS_PLAN_EVERY 900

/* Runs every due job once as the system; with force the planning scans run whatever their
 * last run. Stops at the first error (the others run next time), except the search catch-up's
 * (see jobs_run_until). */
enum kam_err jobs_run(struct kam_ctx *ctx, int force, struct jobs_report *out);

/* jobs_run whose search catch-up stops between two batches once stop(stop_arg) returns
 * non-zero (kam serve stopping). A failed or stopped catch-up does not stop the other jobs:
 * it is logged and reported as out->search_deferred, and the pass goes on. */
enum kam_err jobs_run_until(struct kam_ctx *ctx, int force, int (*stop)(void *), void *stop_arg,
                            struct jobs_report *out);

#endif
