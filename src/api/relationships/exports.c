/* exports.c -- CSV/XLSX exports of the relationship lists (issue 12). */
#include <stddef.h>

#include "api/core/internal.h"

const struct api_shape api_shapes_rel_exports[] = {
    {NULL, NULL},
};

const struct route api_routes_rel_exports[] = {
    {0},
};
