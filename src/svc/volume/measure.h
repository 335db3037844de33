/* measure.h -- the 4P measures taken to reach a target (F4.4): product, price, channel and
 * promotion actions, linked to a plan and a slice of it (account, family, region, channel),
 * with an owner, a window (start..due), a status, the expected uplift and, once done, the
 * measured effect: the slice's actual over the window against the same window a year before
 * (kept with its baseline; the owner may overwrite it with a better estimate and a note). */
#ifndef KAM_MEASURE_H
#define KAM_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

struct measure {
    int64_t id, plan_id, account_id, owner_id, start_day, due_day, expected_uplift, effect,
        effect_baseline, version, created_at, updated_at;
    int has_plan, has_account, has_effect;
    const char *family, *region, *channel, *kind, *title, *description, *status, *measure,
        *effect_note, *account_name, *owner_login;
};

enum {
    MS_PLAN = 1 << 0,
    MS_ACCOUNT = 1 << 1,
    MS_FAMILY = 1 << 2,
    MS_REGION = 1 << 3,
    MS_CHANNEL = 1 << 4,
    MS_KIND = 1 << 5,
    MS_TITLE = 1 << 6,
    MS_DESCRIPTION = 1 << 7,
    MS_OWNER = 1 << 8,
    MS_START = 1 << 9,
    MS_DUE = 1 << 10,
    MS_STATUS = 1 << 11,
    MS_UPLIFT = 1 << 12,
    MS_MEASURE = 1 << 13,
    MS_EFFECT = 1 << 14, /* effect + effect_note */
    MS_VERSION = 1 << 15,
    MS_EFFECT_NOTE = 1 << 16,
};

struct measure_in {
    unsigned set;
    int64_t plan_id, account_id, owner_id, expected_uplift, effect, version;
    int has_plan, has_account, has_effect;
    const char *family, *region, *channel, *kind, *title, *description, *start, *due, *status,
        *measure, *effect_note;
};

extern const char *const measure_kinds[];    /* product, price, channel, promotion */
extern const char *const measure_statuses[]; /* planned, in_progress, done, cancelled */

enum kam_err measure_create(struct kam_ctx *ctx, const struct measure_in *in, struct measure *out);
enum kam_err measure_get(struct kam_ctx *ctx, int64_t id, struct measure *out);
enum kam_err measure_update(struct kam_ctx *ctx, int64_t id, const struct measure_in *in,
                            struct measure *out);
enum kam_err measure_delete(struct kam_ctx *ctx, int64_t id);

struct measure_query {
    int64_t plan_id, account_id, owner_id;
    const char *status, *kind, *cursor;
    int64_t limit;
};
/* Measures of the caller's accounts and plan-wide ones, by due date. */
enum kam_err measure_list(struct kam_ctx *ctx, const struct measure_query *q,
                          struct measure **items_out, size_t *n_out, const char **next_out);

#endif
