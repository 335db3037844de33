/* demo_training.c -- demo data of the account team chapter: training (issue 18 item 7). */
#include "demo.h"

enum kam_err training_demo(struct kam_ctx *ctx)
{
    (void)ctx;
    return KAM_OK;
}
