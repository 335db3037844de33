/* views.c -- saved list views of the caller (issue 12). */
#include "api.h"
#include "internal.h"

const struct api_shape api_shapes_views[] = {
    {NULL, NULL},
};

const struct route api_routes_views[] = {
    {0},
};
