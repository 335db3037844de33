/* jobs.c -- one scheduler pass. */
#include "jobs.h"

#include <string.h>

#include "care.h"
#include "issue.h"
#include "outbox.h"
#include "visit.h"

enum kam_err jobs_run(struct kam_ctx *ctx, struct jobs_report *out)
{
    memset(out, 0, sizeof *out);
    enum kam_err rc = visit_generate(ctx, &out->visits_planned);
    if (!rc)
        rc = visit_notify_overdue(ctx, &out->overdue_notices);
    if (!rc)
        rc = issue_escalate(ctx, &out->issues_escalated);
    if (!rc)
        rc = care_generate(ctx, &out->care_reminders);
    if (!rc) {
        struct mail_cfg cfg;
        outbox_mail_cfg(&cfg);
        rc = outbox_send_due(ctx, &cfg, &out->mails_sent, &out->mails_retried);
    }
    return rc;
}
