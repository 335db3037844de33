/* settings.h -- company-wide settings kept in the database (admin/director edit them). */
#ifndef KAM_SETTINGS_H
#define KAM_SETTINGS_H

#include <stdint.h>

#include "ctx.h"

/* The value of setting key (in ctx->a), or def when it is not set. */
enum kam_err settings_get(struct kam_ctx *ctx, const char *key, const char *def, const char **out);
/* The integer value of setting key, or def when it is not set or not a number. */
enum kam_err settings_get_i64(struct kam_ctx *ctx, const char *key, int64_t def, int64_t *out);

#endif
