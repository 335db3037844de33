/* satisfaction.c -- Satisfaction: NPS, CSAT, drivers and loyalty (issue 14). */
#include "api/core/internal.h"

const struct api_shape api_shapes_satisfaction[] = {
    {NULL, NULL},
};

const struct route api_routes_satisfaction[] = {
    {0},
};
