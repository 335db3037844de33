/* demo_risks.c -- the demo's risks (demo.h). Issue 16 contract: filled in by its slice. */
#include "demo.h"

enum kam_err risks_demo(struct kam_ctx *ctx)
{
    (void)ctx;
    return KAM_OK;
}
