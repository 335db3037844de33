/* alerts.c -- the early-warning engine's alerts and rules (issue 16 item 4). */
#include "api/core/internal.h"

const struct api_shape api_shapes_alerts[] = {
    {0},
};

const struct route api_routes_alerts[] = {
    {0},
};
