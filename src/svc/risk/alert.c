/* alert.c -- the early-warning engine (alert.h). Issue 16 contract: filled in by its slice. */
#include "alert.h"

enum kam_err alerts_run(struct kam_ctx *ctx, int *raised, int *cleared)
{
    (void)ctx;
    *raised = *cleared = 0;
    return KAM_OK;
}
