/* health.c -- the account health score and its history (issue 16 item 4). */
#include "api/core/internal.h"

const struct api_shape api_shapes_health[] = {
    {0},
};

const struct route api_routes_health[] = {
    {0},
};
