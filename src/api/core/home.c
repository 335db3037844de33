/* home.c -- the role homes: an account manager's agenda, a lead's or director's team figures (issue 12). */
#include "api.h"
#include "internal.h"

const struct api_shape api_shapes_home[] = {
    {NULL, NULL},
};

const struct route api_routes_home[] = {
    {0},
};
