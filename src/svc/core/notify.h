/* notify.h -- in-app notifications: what the scheduler and the services tell a user. */
#ifndef KAM_NOTIFY_H
#define KAM_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "msg.h"

#define NOTIFY_PARAMS 6

struct notification {
    int64_t id, user_id, created_at, read_at;
    int read;
    const char *kind, *title, *body, *link;
    const char *msg_key; /* "" for rows written before message keys (0009) */
    struct kam_param params[NOTIFY_PARAMS];
    size_t nparams;
};

/* Adds a notification for user_id unless one with the same dedup_key exists (NULL: always).
 * *created_out (may be NULL) is 1 when a row was added. */
enum kam_err notify_add(struct kam_ctx *ctx, int64_t user_id, const char *kind, const char *title,
                        const char *body, const char *link, const char *dedup_key,
                        int *created_out);

/* Adds a notification whose title is message key msg_key (svc/core/msg.c) with params (an
 * array ending with {NULL, NULL}): each reader gets it in their language. The title column
 * keeps the zh-CN and English text for older readers of the table. body is user text (may be
 * NULL). */
enum kam_err notify_add_msg(struct kam_ctx *ctx, int64_t user_id, const char *kind,
                            const char *msg_key, const struct kam_param *params, const char *body,
                            const char *link, const char *dedup_key, int *created_out);

struct notification_query {
    int unread;
    const char *kind; /* NULL: every kind */
    int64_t limit;
    const char *cursor;
};

/* The caller's notifications, newest first. */
enum kam_err notify_list(struct kam_ctx *ctx, const struct notification_query *q,
                         struct notification **items_out, size_t *n_out, const char **next_out);
/* Marks one of the caller's notifications read (KAM_ENOTFOUND for anyone else's). */
enum kam_err notify_read(struct kam_ctx *ctx, int64_t id);
enum kam_err notify_read_all(struct kam_ctx *ctx);
/* How many of the caller's notifications are unread. */
enum kam_err notify_unread(struct kam_ctx *ctx, int64_t *count_out);

#endif
