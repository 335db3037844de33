/* gifts.c -- compliance: gifts and hospitality, rules, budgets (issue 16 item 1). */
#include "api/core/internal.h"

const struct api_shape api_shapes_gifts[] = {
    {0},
};

const struct route api_routes_gifts[] = {
    {0},
};
