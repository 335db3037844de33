/* search.c -- global search (pinyin, initials, simplified/traditional) and duplicate candidates (issue 12). */
#include "api.h"
#include "internal.h"

const struct api_shape api_shapes_search[] = {
    {NULL, NULL},
};

const struct route api_routes_search[] = {
    {0},
};
