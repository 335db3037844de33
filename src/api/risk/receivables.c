/* receivables.c -- invoices, payments, ageing, DSO (issue 16 item 2). */
#include "api/core/internal.h"

const struct api_shape api_shapes_receivables[] = {
    {0},
};

const struct route api_routes_receivables[] = {
    {0},
};
