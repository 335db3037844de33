/* settings.h -- company-wide settings kept in the database (admin/director edit them). */
#ifndef KAM_SETTINGS_H
#define KAM_SETTINGS_H

#include <stdint.h>

#include "ctx.h"

/* Days without contact after which a key person of an account of each tier (in the order of
 * account_tiers) counts as stale. */
enum kam_err settings_freshness(struct kam_ctx *ctx, int64_t days_out[4]);
/* Sets the tiers whose bit (1 << index) is in mask; each 1..365. Audited. */
enum kam_err settings_set_freshness(struct kam_ctx *ctx, const int64_t days[4], unsigned mask);

#endif
