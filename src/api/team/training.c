/* training.c -- routes of the account team chapter: courses, sessions, enrolments, tests, the
 * training-effect report (F6.2). */
#include "api/core/internal.h"

const struct api_shape api_shapes_training[] = {
    {NULL, NULL},
};

const struct route api_routes_training[] = {
    {0},
};
