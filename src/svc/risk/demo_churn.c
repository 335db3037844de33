/* demo_churn.c -- the demo's churn (demo.h). Issue 16 contract: filled in by its slice. */
#include "demo.h"

enum kam_err churn_demo(struct kam_ctx *ctx)
{
    (void)ctx;
    return KAM_OK;
}
