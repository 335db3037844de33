/* jobs.c -- one scheduler pass. */
#include "jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "digest.h"
#include "outbox.h"
#include "search.h"
#include "store/db.h"
#include "svc/contracts/contracts_job.h"
#include "svc/needs/survey.h"
#include "svc/offers/offer.h"
#include "svc/relationships/care.h"
#include "svc/relationships/issue.h"
#include "svc/relationships/visit.h"
#include "svc/risk/alert.h"
#include "svc/risk/churn_job.h"
#include "svc/risk/risk.h"
#include "svc/volume/kpi.h"
#include "svc/volume/outlook.h"

/* 1 when the planning scans are due; records this run. Several instances may both decide to
 * scan: harmless, the scans are idempotent; this only keeps their cost down. */
static enum kam_err plan_due(struct kam_ctx *ctx, int *due)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT value FROM settings WHERE key = 'jobs.planned_at'", &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    long long last = row ? strtoll(db_col_text(st, 0), NULL, 10) : 0;
    db_done(st);
    if (rc)
        return rc;
    *due = ctx->now - last >= JOBS_PLAN_EVERY || ctx->now < last;
    if (!*due)
        return KAM_OK;
    char val[24];
    snprintf(val, sizeof val, "%lld", (long long)ctx->now);
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO settings (key, value) VALUES ('jobs.planned_at', ?) ON "
                         "CONFLICT (key) DO UPDATE SET value = excluded.value",
                         &st, ctx->err)))
        return rc;
    db_bind_text(st, 1, val);
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    return rc;
}

/* A risk-chapter job's failure: logged, the error cleared, the pass goes on. */
static void risk_job(struct kam_ctx *ctx, const char *what, enum kam_err rc)
{
    if (!rc)
        return;
    log_warn("%s: %s (tried again by the next pass)", what, ctx->err->msg);
    memset(ctx->err, 0, sizeof *ctx->err);
}

enum kam_err jobs_run(struct kam_ctx *ctx, int force, struct jobs_report *out)
{
    return jobs_run_until(ctx, force, NULL, NULL, out);
}

enum kam_err jobs_run_until(struct kam_ctx *ctx, int force, int (*stop)(void *), void *stop_arg,
                            struct jobs_report *out)
{
    memset(out, 0, sizeof *out);
    int due = 1;
    enum kam_err rc = plan_due(ctx, &due);
    if (!rc && (due || force))
        rc = visit_generate(ctx, &out->visits_planned);
    if (!rc && (due || force))
        rc = care_generate(ctx, &out->care_reminders);
    if (!rc)
        rc = visit_notify_overdue(ctx, &out->overdue_notices);
    if (!rc)
        rc = issue_escalate(ctx, &out->issues_escalated);
    if (!rc)
        rc = digest_run(ctx, &out->digests);
    /* Sales: the stored forecasts once a day, off-track KPI alerts with the planning scans. */
    if (!rc)
        rc = outlook_refresh_due(ctx, force, &out->forecasts);
    if (!rc && (due || force))
        rc = kpi_alerts(ctx, &out->kpi_alerts);
    /* Surveys: reminders for unanswered e-mail links (queued before the mail is sent). */
    if (!rc)
        rc = survey_reminders_run(ctx, &out->survey_reminders);
    /* Offers: sent offers past their validity expire (svc/offers/offer_flow.c). */
    if (!rc) {
        int64_t expired = 0;
        rc = offer_expire_due(ctx, &expired);
    }
    /* Risk: the churn model (retrained when due, accounts scored daily), then the early-warning
     * engine with the planning scans (alerts raised and cleared, health scored) and overdue risk
     * reviews and actions (their owners told once). A failure of one of them (a model that
     * cannot be read, a race lost to another scheduler) is logged and the pass goes on: the
     * next pass tries it again, and the mail never waits for it. */
    if (!rc)
        risk_job(ctx, "churn model",
                 churn_job_run(ctx, force, &out->churn_trained, &out->churn_scored));
    /* Contracts: the breach scan before the alerts, so a new breach alerts in this pass. */
    if (!rc && (due || force)) {
        struct contracts_job_report cr;
        risk_job(ctx, "contracts", contracts_job_run(ctx, &cr));
        out->breaches_detected = cr.breaches_detected;
    }
    if (!rc && (due || force))
        risk_job(ctx, "early-warning alerts",
                 alerts_run(ctx, &out->alerts_raised, &out->alerts_cleared));
    if (!rc && (due || force))
        risk_job(ctx, "risk reviews", risks_review_due(ctx, &(int){0}));
    /* Records written by older binaries or straight into the tables. A catch-up that gives way
     * (a lock held by a writer, KAM_EBUSY) or is stopped is retried later (kam serve's back-off,
     * the next pass); it never holds back the mail. */
    if (!rc) {
        if (search_catch_up_until(ctx, stop, stop_arg, NULL)) {
            log_warn("search index: %s (retried later)", ctx->err->msg);
            memset(ctx->err, 0, sizeof *ctx->err);
            out->search_deferred = 1;
        } else if (stop && stop(stop_arg))
            out->search_deferred = 1;
    }
    if (!rc) {
        struct mail_cfg cfg;
        outbox_mail_cfg(&cfg);
        rc = outbox_send_due(ctx, &cfg, &out->mails_sent, &out->mails_retried);
    }
    return rc;
}
