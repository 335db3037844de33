/* jobs.c -- one scheduler pass. */
#include "jobs.h"

#include <string.h>

#include "issue.h"
#include "visit.h"

enum kam_err jobs_run(struct kam_ctx *ctx, struct jobs_report *out)
{
    memset(out, 0, sizeof *out);
    enum kam_err rc = visit_generate(ctx, &out->visits_planned);
    if (!rc)
        rc = visit_notify_overdue(ctx, &out->overdue_notices);
    if (!rc)
        rc = issue_escalate(ctx, &out->issues_escalated);
    return rc;
}
