/* care.h -- care (F2.4): reminders before contacts' birthdays, festivals (Gregorian and the
 * Chinese lunar ones, from base/lunar.c) and the company's special dates; greetings sent by
 * e-mail through the outbox from templates in Chinese and English, or care given by hand
 * (a call, a gift); each becomes an interaction. */
#ifndef KAM_CARE_H
#define KAM_CARE_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

struct care_occasion {
    int64_t id, month, day, days_before;
    int has_date, key_people_only, active;
    const char *kind, *festival_key, *name;
};

enum occasion_field {
    OCC_KIND = 1u << 0,
    OCC_FESTIVAL = 1u << 1,
    OCC_NAME = 1u << 2,
    OCC_MONTH = 1u << 3,
    OCC_DAY = 1u << 4,
    OCC_DAYS_BEFORE = 1u << 5,
    OCC_KEY_ONLY = 1u << 6,
    OCC_ACTIVE = 1u << 7,
};

struct care_occasion_in {
    struct care_occasion v;
    unsigned set;
};

enum kam_err care_occasion_list(struct kam_ctx *ctx, struct care_occasion **items_out,
                                size_t *n_out);
enum kam_err care_occasion_create(struct kam_ctx *ctx, const struct care_occasion_in *in,
                                  struct care_occasion *out);
enum kam_err care_occasion_update(struct kam_ctx *ctx, int64_t id,
                                  const struct care_occasion_in *in, struct care_occasion *out);
enum kam_err care_occasion_delete(struct kam_ctx *ctx, int64_t id);

struct message_template {
    int64_t id;
    const char *name, *locale, *occasion, *subject, *body;
};

enum template_field {
    TPL_NAME = 1u << 0,
    TPL_LOCALE = 1u << 1,
    TPL_OCCASION = 1u << 2,
    TPL_SUBJECT = 1u << 3,
    TPL_BODY = 1u << 4,
};

struct message_template_in {
    struct message_template v;
    unsigned set;
};

enum kam_err template_list(struct kam_ctx *ctx, struct message_template **items_out, size_t *n_out);
enum kam_err template_create(struct kam_ctx *ctx, const struct message_template_in *in,
                             struct message_template *out);
enum kam_err template_update(struct kam_ctx *ctx, int64_t id, const struct message_template_in *in,
                             struct message_template *out);
enum kam_err template_delete(struct kam_ctx *ctx, int64_t id);

struct care_reminder {
    int64_t id, account_id, contact_id, owner_id, done_at, interaction_id, outbox_id, version;
    int64_t created_at, updated_at;
    int has_done, has_interaction, has_outbox;
    const char *occasion_kind, *occasion_key, *occasion_name, *occasion_date, *status, *channel;
    const char *note, *account_name, *contact_name, *contact_email;
    const char *outbox_status; /* NULL when nothing was queued */
};

struct care_query {
    int64_t owner_id, account_id, limit;
    const char *status, *from, *to, *cursor; /* from/to: YYYY-MM-DD on occasion_date */
};

enum kam_err care_list(struct kam_ctx *ctx, const struct care_query *q,
                       struct care_reminder **items_out, size_t *n_out, const char **next_out);
enum kam_err care_get(struct kam_ctx *ctx, int64_t id, struct care_reminder *out);
/* Renders the template for the reminder and queues the e-mail; marks the reminder sent and
 * logs an e-mail interaction. KAM_EINVAL field "email" when the contact has no address. */
enum kam_err care_send(struct kam_ctx *ctx, int64_t id, int64_t template_id,
                       struct care_reminder *out);
/* Care given by hand: channel call | gift | visit | other; logs an interaction. */
enum kam_err care_done(struct kam_ctx *ctx, int64_t id, const char *channel, const char *note,
                       struct care_reminder *out);
enum kam_err care_skip(struct kam_ctx *ctx, int64_t id, struct care_reminder *out);

/* Scheduler job: creates the reminders due within each occasion's days_before, once each, and
 * tells each owner once per occasion and date. */
enum kam_err care_generate(struct kam_ctx *ctx, int *created_out);

/* Replaces {{contact_name}} {{account_name}} {{occasion}} {{sender_name}} {{company}} in text.
 * Unknown placeholders stay as they are. Result in ctx->a. */
const char *care_render(struct kam_ctx *ctx, const char *text, const char *contact_name,
                        const char *account_name, const char *occasion, const char *sender_name,
                        const char *company);

#endif
