/* churn.c -- the churn / decline model's scores, explanations and training (issue 16 item 5). */
#include "api/core/internal.h"

const struct api_shape api_shapes_churn[] = {
    {0},
};

const struct route api_routes_churn[] = {
    {0},
};
