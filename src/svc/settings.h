/* settings.h -- company-wide settings kept in the database (admin/director edit them). */
#ifndef KAM_SETTINGS_H
#define KAM_SETTINGS_H

#include <stdint.h>

#include "ctx.h"

/* Days without contact after which a key person of an account of each tier (in the order of
 * account_tiers) counts as stale. */
/* The value of setting key (in ctx->a), or def when it is not set. */
enum kam_err settings_get(struct kam_ctx *ctx, const char *key, const char *def, const char **out);
/* The integer value of setting key, or def when it is not set or not a number. */
enum kam_err settings_get_i64(struct kam_ctx *ctx, const char *key, int64_t def, int64_t *out);

enum kam_err settings_freshness(struct kam_ctx *ctx, int64_t days_out[4]);
/* Sets the tiers whose bit (1 << index) is in mask; each 1..365. Audited. */
enum kam_err settings_set_freshness(struct kam_ctx *ctx, const int64_t days[4], unsigned mask);

#endif
