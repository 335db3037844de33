/* outbox.h -- the durable e-mail outbox and its SMTP sender (libcurl).
 *
 * Services queue a message in the same transaction as the change that causes it; the
 * scheduler sends due messages: it claims one row (status "sending", locked for 5 minutes,
 * skipping rows other instances hold), sends it, and marks it "sent", or puts it back with
 * back-off (1, 5, 30 minutes, 2, 6, 12, 24 hours; then "failed"). A dedup key makes queueing
 * the same message twice a no-op. A message is sent at most once unless a process dies between
 * the SMTP server accepting it and the row being marked (then, after the lock expires, it is
 * sent again with the same Message-ID, which receiving systems use to drop duplicates). */
#ifndef KAM_OUTBOX_H
#define KAM_OUTBOX_H

#include <stdint.h>

#include "ctx.h"

/* Queues a message; *id_out the row (new or the existing one with this dedup_key);
 * *created_out (may be NULL) 1 when this call added it. */
enum kam_err outbox_queue(struct kam_ctx *ctx, const char *to, const char *subject,
                          const char *body, const char *dedup_key, int64_t *id_out,
                          int *created_out);

struct mail_cfg {
    const char *url;  /* smtp://host:port or smtps://...; NULL: sending is off */
    const char *from; /* "KAM <kam@example.com>" */
    const char *user, *password;
};

/* From KAM_SMTP_URL, KAM_SMTP_FROM, KAM_SMTP_USER, KAM_SMTP_PASSWORD. */
void outbox_mail_cfg(struct mail_cfg *out);

/* Scheduler job: sends every due message (at most 500 per pass). */
enum kam_err outbox_send_due(struct kam_ctx *ctx, const struct mail_cfg *cfg, int *sent_out,
                             int *retried_out);

/* Status of one row ("queued", "sending", "sent", "failed"), in ctx->a. */
enum kam_err outbox_status(struct kam_ctx *ctx, int64_t id, const char **status_out);

#endif
