/* demo_appraisal.c -- demo data of the account team chapter: appraisal (issue 18 item 7). */
#include "demo.h"

enum kam_err appraisal_demo(struct kam_ctx *ctx)
{
    (void)ctx;
    return KAM_OK;
}
