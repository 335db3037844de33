/* risks.c -- the risk register: risks, responses, actions, the heat map (issue 16 item 1). */
#include "api/core/internal.h"

const struct api_shape api_shapes_risks[] = {
    {0},
};

const struct route api_routes_risks[] = {
    {0},
};
