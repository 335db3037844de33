/* follow_ups.c -- Department follow-ups of low scores, and hand-offs (issue 14). */
#include "api/core/internal.h"

const struct api_shape api_shapes_follow_ups[] = {
    {NULL, NULL},
};

const struct route api_routes_follow_ups[] = {
    {0},
};
