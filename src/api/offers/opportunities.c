/* opportunities.c -- opportunities (商机), stages and the pipeline (issue 15 item 3). */
#include "api/core/internal.h"

const struct api_shape api_shapes_opportunities[] = {
    {0},
};

const struct route api_routes_opportunities[] = {
    {0},
};
