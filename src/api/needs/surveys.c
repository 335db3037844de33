/* surveys.c -- Survey definitions, sending and links (issue 14). */
#include "api/core/internal.h"

const struct api_shape api_shapes_surveys[] = {
    {NULL, NULL},
};

const struct route api_routes_surveys[] = {
    {0},
};
