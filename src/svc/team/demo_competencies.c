/* demo_competencies.c -- demo data of the account team chapter: competencies (issue 18 item 7). */
#include "demo.h"

enum kam_err competencies_demo(struct kam_ctx *ctx)
{
    (void)ctx;
    return KAM_OK;
}
