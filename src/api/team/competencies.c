/* competencies.c -- routes of the account team chapter: competency model, role profiles,
 * assessments, candidates (F6.1). */
#include "api/core/internal.h"

const struct api_shape api_shapes_competencies[] = {
    {NULL, NULL},
};

const struct route api_routes_competencies[] = {
    {0},
};
