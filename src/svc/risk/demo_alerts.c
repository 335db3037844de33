/* demo_alerts.c -- the demo's alerts (demo.h). Issue 16 contract: filled in by its slice. */
#include "demo.h"

enum kam_err alerts_demo(struct kam_ctx *ctx)
{
    (void)ctx;
    return KAM_OK;
}
