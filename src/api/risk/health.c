/* health.c -- the health score and the churn model (issue 16 items 4, 5). */
#include "api/core/internal.h"

const struct api_shape api_shapes_health[] = {
    {0},
};

const struct route api_routes_health[] = {
    {0},
};
