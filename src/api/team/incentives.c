/* incentives.c -- routes of the account team chapter: commission plans, payout statements, bonus
 * pools, the simulator (F6.4). */
#include "api/core/internal.h"

const struct api_shape api_shapes_incentives[] = {
    {NULL, NULL},
};

const struct route api_routes_incentives[] = {
    {0},
};
