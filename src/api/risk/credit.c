/* credit.c -- credit limits, terms, exposure, credit holds (issue 16 item 2). */
#include "api/core/internal.h"

const struct api_shape api_shapes_credit[] = {
    {0},
};

const struct route api_routes_credit[] = {
    {0},
};
