/* demo_alerts.c -- the demo's alerts (demo.h): one pass of the early-warning engine at the demo's
 * "now" (so the demo opens with alerts and health scores), then a few of them taken through the
 * lifecycle by their owners: the oldest open one acknowledged, the next given a response plan,
 * the third resolved. Deterministic: the same demo data raise the same alerts in the same order. */
#include <string.h>

#include "alert.h"
#include "demo.h"
#include "store/db.h"

enum kam_err alerts_demo(struct kam_ctx *ctx)
{
    int raised = 0, cleared = 0;
    enum kam_err rc = alerts_run(ctx, &raised, &cleared);
    if (rc)
        return rc;
    struct db_stmt *st;
    if ((rc =
             db_prepare(ctx->db,
                        "SELECT id, owner_id FROM alerts WHERE status = 'open' AND owner_id IS NOT "
                        "NULL ORDER BY id LIMIT 3",
                        &st, ctx->err)))
        return rc;
    int64_t ids[3], owners[3];
    size_t n = 0;
    int row = 0;
    while (n < 3 && !(rc = db_step(st, &row, ctx->err)) && row) {
        ids[n] = db_col_i64(st, 0);
        owners[n++] = db_col_i64(st, 1);
    }
    db_done(st);
    struct principal was = ctx->who;
    for (size_t i = 0; !rc && i < n; i++) {
        ctx->who.user_id = owners[i];
        ctx->who.role = ROLE_ACCOUNT_MANAGER;
        struct alert a;
        if (i == 0) {
            rc = alert_acknowledge(ctx, ids[i], &a);
        } else if (i == 1) {
            struct alert_in in = {.set = AL_RESPONSE};
            in.v.response = "本周内拜访客户，核实情况并制定跟进计划";
            rc = alert_update(ctx, ids[i], &in, &a);
        } else {
            rc = alert_resolve(ctx, ids[i], "已与客户沟通确认，属正常波动", &a);
        }
    }
    ctx->who = was;
    return rc;
}
