/* competitors.c -- competitors, presence, moves (issue 16 item 3). */
#include "api/core/internal.h"

const struct api_shape api_shapes_competitors[] = {
    {0},
};

const struct route api_routes_competitors[] = {
    {0},
};
