/* exports.c -- CSV/XLSX exports of the volume lists (issue 12). */
#include <stddef.h>

#include "api/core/internal.h"

const struct api_shape api_shapes_vol_exports[] = {
    {NULL, NULL},
};

const struct route api_routes_vol_exports[] = {
    {0},
};
