/* survey_answers.c -- Survey answers: the public answer page and answers taken by phone (issue 14).
 */
#include "api/core/internal.h"

const struct api_shape api_shapes_survey_answers[] = {
    {NULL, NULL},
};

const struct route api_routes_survey_answers[] = {
    {0},
};
