/* risk.h -- the risk register (issue 16 item 1, docs/RISK.md): risks per account (or group)
 * by likelihood x impact, responses with actions, reviews, status, history. */
#ifndef KAM_RISK_RISK_H
#define KAM_RISK_RISK_H

#include <stdint.h>

#include "svc/core/ctx.h"

/* A risk as another part of the chapter raises it (an alert, a gift over the rules, a
 * competitor's move). */
struct risk_raise_in {
    int64_t account_id;
    int covers_group;
    const char *category; /* credit | operating | competitive | compliance | other */
    const char *title, *description;
    int likelihood, impact; /* 1-5 */
    int64_t owner_id;       /* 0: the account's owner */
    const char *source;     /* alert | gift | competitor | contract */
    int64_t source_id;
};

/* Raises a risk, checked and audited, as ctx's user (or the system). One risk per source:
 * raising the same source again returns the existing risk's id with *created = 0. */
enum kam_err risk_raise(struct kam_ctx *ctx, const struct risk_raise_in *in, int64_t *id_out,
                        int *created);

#endif
