/* signals.c -- the relationships signals of the early-warning engine (svc/core/signal.h). */
#include "svc/core/signal.h"

const struct signal_def signals_relationships[] = {
    {0},
};
