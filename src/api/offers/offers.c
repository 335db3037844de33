/* offers.c -- offers and quotes: lines priced by the engine, versions, customisations, status,
 * conversion (issue 15 item 4). */
#include "api/core/internal.h"

const struct api_shape api_shapes_offers[] = {
    {0},
};

const struct route api_routes_offers[] = {
    {0},
};
