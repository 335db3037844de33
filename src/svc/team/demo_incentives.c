/* demo_incentives.c -- demo data of the account team chapter: incentives (issue 18 item 7). */
#include "demo.h"

enum kam_err incentives_demo(struct kam_ctx *ctx)
{
    (void)ctx;
    return KAM_OK;
}
