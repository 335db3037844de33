/* appraisal.c -- routes of the account team chapter: appraisal schemes, scorecards computed from
 * the records, calibration (F6.3). */
#include "api/core/internal.h"

const struct api_shape api_shapes_appraisal[] = {
    {NULL, NULL},
};

const struct route api_routes_appraisal[] = {
    {0},
};
