/* alert.h -- the early-warning engine (issue 16 item 4): every signal table of
 * svc/core/signal.h evaluated under its rule, hits become alerts (one per account and signal
 * while unresolved), alerts reach the account team's departments and the digest, and the
 * account health score is computed from them. docs/RISK.md. */
#ifndef KAM_RISK_ALERT_H
#define KAM_RISK_ALERT_H

#include "svc/core/ctx.h"

/* One scheduler pass: evaluates every enabled rule over every account, raises new alerts,
 * refreshes open ones (last_seen_at, value, evidence), marks cleared ones, and scores every
 * account's health for today. Safe on several instances at once (one alert per account and
 * signal). */
enum kam_err alerts_run(struct kam_ctx *ctx, int *raised, int *cleared);

#endif
