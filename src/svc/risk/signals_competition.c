/* signals_competition.c -- the competition signals of the early-warning engine (svc/core/signal.h).
 */
#include "svc/core/signal.h"

const struct signal_def signals_competition[] = {
    {0},
};
