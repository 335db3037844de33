/* test_quote_doc.c -- the quote document's money and dates per language (svc/offers/quote_doc.h).
 */
#include <string.h>

#include "base/currency.h"
#include "svc/offers/quote_doc.h"
#include "test.h"

TEST(quote_money_per_currency)
{
    char m[64];
    quote_money(m, sizeof m, "CNY", 123456);
    CHECK(!strcmp(m, "¥1,234.56"));
    quote_money(m, sizeof m, "TWD", 100);
    CHECK(!strcmp(m, "NT$1.00"));
    quote_money(m, sizeof m, "USD", 5);
    CHECK(!strcmp(m, "US$0.05"));
    quote_money(m, sizeof m, "CNY", -45000);
    CHECK(!strcmp(m, "-¥450.00"));
    quote_money(m, sizeof m, "CNY", 123456789012);
    CHECK(!strcmp(m, "¥1,234,567,890.12"));
    quote_money(m, sizeof m, "XPR", 99900);
    CHECK(!strcmp(m, "XPR 999.00"));
    quote_money(m, sizeof m, "CNY", 0);
    CHECK(!strcmp(m, "¥0.00"));
    /* ISO 4217 minor digits: none for JPY, three for KWD */
    quote_money(m, sizeof m, "JPY", 163188);
    CHECK(!strcmp(m, "JPY 163,188"));
    quote_money(m, sizeof m, "KWD", 1234567);
    CHECK(!strcmp(m, "KWD 1,234.567"));
    quote_money(m, sizeof m, "KWD", -5);
    CHECK(!strcmp(m, "-KWD 0.005"));
    CHECK(currency_minor_digits("JPY") == 0 && currency_minor_digits("BHD") == 3 &&
          currency_minor_digits("CNY") == 2 && currency_minor_digits(NULL) == 2);
}

TEST(quote_date_per_language)
{
    char d[64];
    quote_date(d, sizeof d, "zh-CN", "2026-03-01");
    CHECK(!strcmp(d, "2026年3月1日"));
    quote_date(d, sizeof d, "zh-TW", "2099-12-31");
    CHECK(!strcmp(d, "2099年12月31日"));
    quote_date(d, sizeof d, "en", "2026-03-01");
    CHECK(!strcmp(d, "1 Mar 2026"));
    quote_date(d, sizeof d, "en", "not a date");
    CHECK(!strcmp(d, "not a date"));
}
