/* digest.h -- the daily e-mail digest for users who opted in: their unread notifications of
 * the last day, overdue visits and pending care, queued in the outbox once per user and day
 * (from 08:00 China time). */
#ifndef KAM_DIGEST_H
#define KAM_DIGEST_H

#include "ctx.h"

enum kam_err digest_run(struct kam_ctx *ctx, int *queued_out);

#endif
