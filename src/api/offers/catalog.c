/* catalog.c -- bundles and service items (issue 15 item 4). */
#include "api/core/internal.h"

const struct api_shape api_shapes_catalog[] = {
    {0},
};

const struct route api_routes_catalog[] = {
    {0},
};
