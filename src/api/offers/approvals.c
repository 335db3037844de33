/* approvals.c -- discount limits, approval requests and decisions (issue 15 item 2). */
#include "api/core/internal.h"

const struct api_shape api_shapes_approvals[] = {
    {0},
};

const struct route api_routes_approvals[] = {
    {0},
};
