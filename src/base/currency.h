/* currency.h -- facts about ISO 4217 currency codes shared by the writers of money (the list
 * exports, the quote document). Amounts are stored in the currency's minor unit. */
#ifndef KAM_BASE_CURRENCY_H
#define KAM_BASE_CURRENCY_H

/* Decimals of a currency's minor unit (ISO 4217): 0 (JPY, KRW, ...), 3 (BHD, KWD, ...), else 2
 * (also for NULL or an unknown code). */
int currency_minor_digits(const char *cur);

#endif
