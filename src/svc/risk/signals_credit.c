/* signals_credit.c -- the credit signals of the early-warning engine (svc/core/signal.h). */
#include "svc/core/signal.h"

const struct signal_def signals_credit[] = {
    {0},
};
