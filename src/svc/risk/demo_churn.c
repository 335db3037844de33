/* demo_churn.c -- the demo's churn model (demo.h): trained on the demo's own history and every
 * account scored at the demo's now. The demo's sales (svc/volume/demo_sales.c) have accounts
 * whose volume really declines before the end, three of which stop. At small scales there may be
 * too little history: the model is then left untrained (the web says "not enough history yet"). */
#include "churn_features.h"
#include "churn_job.h"
#include "demo.h"

enum kam_err churn_demo(struct kam_ctx *ctx)
{
    struct churn_model_info m;
    enum kam_err rc = churn_app_train(ctx, CHURN_HORIZON_DEFAULT, CHURN_DROP_DEFAULT, &m);
    if (rc == KAM_ECONFLICT) {
        kam_error_clear(ctx->err);
        return KAM_OK;
    }
    return rc;
}
