/* jobs.h -- the background work: one pass over every due job. Run by the scheduler thread of
 * kam serve every minute and by `kam jobs run`. Every job is idempotent (unique keys, row
 * versions), so passes may overlap across instances without doing anything twice. */
#ifndef KAM_JOBS_H
#define KAM_JOBS_H

#include "ctx.h"

struct jobs_report {
    int visits_planned, overdue_notices, issues_escalated, care_reminders, mails_sent,
        mails_retried;
};

/* Runs every job once as the system; stops at the first error (the others run next time). */
enum kam_err jobs_run(struct kam_ctx *ctx, struct jobs_report *out);

#endif
