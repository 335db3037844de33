/* currency.c -- ISO 4217 minor-unit digits (currency.h). */
#include "base/currency.h"

#include <string.h>

int currency_minor_digits(const char *cur)
{
    static const char *const zero[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                       "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                                       "VND", "VUV", "XAF", "XOF", "XPF", NULL};
    static const char *const three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND", NULL};
    for (int i = 0; cur && zero[i]; i++)
        if (strcmp(cur, zero[i]) == 0)
            return 0;
    for (int i = 0; cur && three[i]; i++)
        if (strcmp(cur, three[i]) == 0)
            return 3;
    return 2;
}
