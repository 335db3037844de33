/* import_parse.h -- the values of an import as Chinese companies write them: dates "2026/3/5",
 * "2026-3-5", "2026年3月5日", "20260305" and Excel serial numbers; amounts "1,234.50",
 * "¥1,234.50", "￥", full-width digits, "(1,234.50)" as a negative; currency aliases ("RMB",
 * "人民币", "cny"); header names in Chinese as aliases of the canonical columns. Pure functions,
 * no database: svc/volume/import_rows.c and import.c call them, the unit tests pin them. */
#ifndef KAM_IMPORT_PARSE_H
#define KAM_IMPORT_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* A date of s[0..n) into days since 1970-01-01: "YYYY-MM-DD" (optionally followed by a time:
 * "T" or a space, then digits, ':', '.', a zone; ignored), "YYYY/M/D", "YYYY-M-D", "YYYY.M.D",
 * "YYYY年M月D日" (each optionally followed by a space and a time), "YYYYMMDD", and an Excel
 * serial day number between IMPORT_SERIAL_MIN (1990-01-01) and IMPORT_SERIAL_MAX (2100-12-31)
 * (1900 date system, a fraction is the time of day and ignored; a bare "2026" is no date). The
 * .xlsx reader writes date-styled cells as YYYY-MM-DD whatever their serial. Full-width digits
 * and separators are read as ASCII. 0 on success, -1 otherwise. */
#define IMPORT_SERIAL_MIN 32874
#define IMPORT_SERIAL_MAX 73415
int import_parse_date(const char *s, size_t n, int64_t *day);

/* A decimal number of s[0..n) with at most `decimals` places, scaled by 10^decimals: what
 * sales_parse_decimal() reads, and also surrounding spaces, full-width digits and signs and
 * thousands separators in groups of three ("1,234,567.5"; "1,23" is refused). When money is
 * set (amounts and prices, not quantities): also a leading "¥" or "￥" (after a sign, too), a
 * trailing "元", and "(1,234.50)" as -1234.50. 0 on success, -1 if malformed or out of range. */
int import_parse_decimal(const char *s, size_t n, int decimals, int money, int64_t *out);

/* The ISO code of a currency as written: "RMB", "人民币", "元", "¥", "￥", "cny" -> "CNY";
 * "美元" -> "USD", "港币"/"港元" -> "HKD", "欧元" -> "EUR", "日元" -> "JPY", "新台币" ->
 * "TWD"; any other 3 ASCII letters upper-cased. Surrounding spaces are ignored. NULL when s is
 * none of these (the caller reports it as written). The result is a static string or written
 * into out (>= 4 bytes). */
const char *import_currency(const char *s, size_t n, char out[4]);

/* 1 when the header cell h[0..hn) names the canonical field of kind ("orders", "products",
 * "accounts"): the field itself (any case, spaces or '-' for '_', e.g. "External ID"), one of
 * its Chinese names (订单号 for external_id, 日期 for date, ...), or "中文 (field)" /
 * "中文（field）" as the templates write them. Surrounding spaces (also U+3000) and a byte
 * order mark are ignored. */
int import_header_is(const char *kind, const char *field, const char *h, size_t hn);

/* The column of each of the nf fields of kind (in the kind's order) among the ncols header
 * cells heads[c][0..hlens[c]) into col[f] (-1: none), for an import and its preview alike: the
 * header the mapping ("field=Header,...") names for the field, exactly; else a header that
 * import_header_is() says names it. A byte order mark before the first cell is ignored. A
 * column serves one field, the first in the kind's order that claims it. named[f]: 1 when the
 * mapping names a header for the field (a missing column is then a problem even for an
 * optional field). */
void import_match_columns(const char *kind, const char *const fields[], size_t nf,
                          const char *mapping, const char *const heads[], const size_t hlens[],
                          size_t ncols, int col[], int named[]);

/* The template's header cell of a field, "订单号 (external_id)", written into out; NULL when
 * the field has no Chinese name. */
const char *import_header_label(const char *kind, const char *field, char *out, size_t cap);

/* 1 when a row's fields are all empty (a ",,,,," row, or a trailing empty row of a sheet). */
int import_row_empty(const size_t *lens, int nf);

#endif
