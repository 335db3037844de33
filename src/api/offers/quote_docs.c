/* quote_docs.c -- an offer as a printable A4 quote and an .xlsx workbook; the company header (issue
 * 15 items 4-5). */
#include "api/core/internal.h"

const struct api_shape api_shapes_quote_docs[] = {
    {0},
};

const struct route api_routes_quote_docs[] = {
    {0},
};
