/* import_parse.c -- dates, amounts, currencies and header names as Chinese files write them
 * (see import_parse.h). */
#include "import_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "sales.h"

#define MAX_VALUE 64 /* longer values are not numbers or dates of any form read here */

/* Full-width digits and signs, the ideographic space and NBSP as ASCII into out (NUL-ended),
 * other bytes as they are; surrounding spaces dropped. -1 when it does not fit. */
static int ascii_form(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        const unsigned char *u = (const unsigned char *)s + i;
        char c = 0;
        size_t k = 1;
        if (i + 3 <= n && u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x88 && u[2] <= 0x9A) {
            static const char fw[] = "()*+,-./0123456789:"; /* U+FF08 .. U+FF1A */
            c = fw[u[2] - 0x88];
            k = 3;
        } else if (i + 3 <= n && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) {
            c = ' '; /* U+3000 */
            k = 3;
        } else if (i + 3 <= n && u[0] == 0xE2 && u[1] == 0x88 && u[2] == 0x92) {
            c = '-'; /* U+2212 minus */
            k = 3;
        } else if (i + 2 <= n && u[0] == 0xC2 && u[1] == 0xA0) {
            c = ' ';
            k = 2;
        }
        if (o + (c ? 1 : k) >= cap)
            return -1;
        if (c)
            out[o++] = c;
        else
            memcpy(out + o, s + i, k), o += k;
        i += k;
    }
    out[o] = 0;
    size_t b = 0;
    while (b < o && out[b] == ' ')
        b++;
    while (o > b && out[o - 1] == ' ')
        o--;
    memmove(out, out + b, o - b);
    out[o - b] = 0;
    return (int)(o - b);
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

/* Reads 1..max digits at *p. */
static int read_int(const char **p, int max, int *v)
{
    int k = 0;
    *v = 0;
    while (k < max && (*p)[k] >= '0' && (*p)[k] <= '9')
        *v = *v * 10 + ((*p)[k++] - '0');
    *p += k;
    return k;
}

/* What may follow a date: nothing, or 'T' / ' ' and a time (ignored). */
static int time_tail(const char *p)
{
    if (!*p)
        return 0;
    if (*p != 'T' && *p != ' ')
        return -1;
    if (!p[1])
        return -1;
    for (p++; *p; p++)
        if (!strchr("0123456789:.+-Z ", *p))
            return -1;
    return 0;
}

static int ymd(int y, int m, int d, int64_t *day)
{
    if (y < 1900 || y > 9999 || !date_valid(y, m, d))
        return -1;
    *day = date_to_days(y, m, d);
    return 0;
}

int import_parse_date(const char *s, size_t n, int64_t *day)
{
    char t[MAX_VALUE + 1];
    if (n > MAX_VALUE)
        return -1;
    int len = ascii_form(s, n, t, sizeof t);
    if (len <= 0)
        return -1;
    /* 2026年3月5日 */
    static const char nian[] = "\xE5\xB9\xB4", yue[] = "\xE6\x9C\x88", ri[] = "\xE6\x97\xA5";
    const char *p = t;
    int y, m, d;
    if (strstr(t, nian)) {
        if (read_int(&p, 4, &y) != 4 || strncmp(p, nian, 3))
            return -1;
        p += 3;
        if (!read_int(&p, 2, &m) || strncmp(p, yue, 3))
            return -1;
        p += 3;
        if (!read_int(&p, 2, &d))
            return -1;
        if (!strncmp(p, ri, 3))
            p += 3;
        else if (!strncmp(p, "\xE5\x8F\xB7", 3)) /* 号 */
            p += 3;
        else
            return -1;
        return time_tail(p) ? -1 : ymd(y, m, d, day);
    }
    /* YYYYMMDD and Excel serials */
    const char *dot = strchr(t, '.');
    int ilen = dot ? (int)(dot - t) : len;
    if (digits(t, ilen) && (!dot || digits(dot + 1, len - ilen - 1))) {
        if (!dot && len == 8) {
            y = atoi((char[]){t[0], t[1], t[2], t[3], 0});
            m = atoi((char[]){t[4], t[5], 0});
            d = atoi((char[]){t[6], t[7], 0});
            return ymd(y, m, d, day);
        }
        /* An Excel serial day outside a date-styled cell (which the .xlsx reader writes as
         * YYYY-MM-DD): only within 1990-01-01 .. 2100-12-31, so that a year ("2026") or a
         * quantity in the wrong column is no date of 1905 */
        if (ilen > 5)
            return -1;
        long serial = atol(t);
        if (serial < IMPORT_SERIAL_MIN || serial > IMPORT_SERIAL_MAX)
            return -1;
        *day = serial - 25569;
        return 0;
    }
    /* YYYY-M-D, YYYY/M/D, YYYY.M.D */
    if (read_int(&p, 4, &y) != 4 || !strchr("-/.", *p) || !*p)
        return -1;
    char sep = *p++;
    if (!read_int(&p, 2, &m) || *p++ != sep || !read_int(&p, 2, &d))
        return -1;
    return time_tail(p) ? -1 : ymd(y, m, d, day);
}

int import_parse_decimal(const char *s, size_t n, int decimals, int money, int64_t *out)
{
    char t[MAX_VALUE + 1], u[MAX_VALUE + 2];
    if (n > MAX_VALUE)
        return -1;
    int len = ascii_form(s, n, t, sizeof t);
    if (len <= 0)
        return -1;
    char *p = t, *e = t + len;
    int neg = 0;
    if (money && *p == '(' && e[-1] == ')') {
        neg = 1;
        p++, e--;
    }
    *e = 0;
    /* 元 at the end */
    if (money && e - p >= 3 && !memcmp(e - 3, "\xE5\x85\x83", 3))
        e -= 3, *e = 0;
    while (p < e && *p == ' ')
        p++;
    while (e > p && e[-1] == ' ')
        *--e = 0;
    char sign = 0;
    if (*p == '-' || *p == '+')
        sign = *p++;
    if (money && !strncmp(p, "\xC2\xA5", 2)) /* ¥ */
        p += 2;
    else if (money && !strncmp(p, "\xEF\xBF\xA5", 3)) /* ￥ */
        p += 3;
    while (*p == ' ')
        p++;
    if (!sign && (*p == '-' || *p == '+'))
        sign = *p++;
    if (neg && sign)
        return -1;
    /* thousands separators: 1-3 digits, then groups of exactly 3 */
    size_t o = 0;
    if (neg || sign == '-')
        u[o++] = '-';
    const char *q = p;
    int group = -1, run = 0;
    for (; *q && *q != '.'; q++) {
        if (*q == ',') {
            if (run == 0 || run > 3 || (group >= 0 && run != 3))
                return -1;
            group = 1;
            run = 0;
            continue;
        }
        if (*q < '0' || *q > '9')
            return -1;
        run++;
        u[o++] = *q;
    }
    if (group >= 0 && run != 3)
        return -1;
    size_t rest = strlen(q);
    if (o + rest >= sizeof u)
        return -1;
    memcpy(u + o, q, rest);
    o += rest;
    u[o] = 0;
    return sales_parse_decimal(u, o, decimals, out);
}

const char *import_currency(const char *s, size_t n, char out[4])
{
    static const struct {
        const char *name, *code;
    } names[] = {
        {"RMB", "CNY"},
        {"\xE4\xBA\xBA\xE6\xB0\x91\xE5\xB8\x81", "CNY"}, /* 人民币 */
        {"\xE4\xBA\xBA\xE6\xB0\x91\xE5\xB9\xA3", "CNY"}, /* 人民幣 */
        {"\xE5\x85\x83", "CNY"},                         /* 元 */
        {"\xC2\xA5", "CNY"},
        {"\xEF\xBF\xA5", "CNY"},                         /* ¥ ￥ */
        {"\xE7\xBE\x8E\xE5\x85\x83", "USD"},             /* 美元 */
        {"\xE6\xB8\xAF\xE5\xB8\x81", "HKD"},             /* 港币 */
        {"\xE6\xB8\xAF\xE5\xB9\xA3", "HKD"},             /* 港幣 */
        {"\xE6\xB8\xAF\xE5\x85\x83", "HKD"},             /* 港元 */
        {"\xE6\xAC\xA7\xE5\x85\x83", "EUR"},             /* 欧元 */
        {"\xE6\xAD\x90\xE5\x85\x83", "EUR"},             /* 歐元 */
        {"\xE6\x97\xA5\xE5\x85\x83", "JPY"},             /* 日元 */
        {"\xE6\x96\xB0\xE5\x8F\xB0\xE5\xB8\x81", "TWD"}, /* 新台币 */
        {"\xE6\x96\xB0\xE8\x87\xBA\xE5\xB9\xA3", "TWD"}, /* 新臺幣 */
        {"\xE6\x96\xB0\xE5\x8F\xB0\xE5\xB9\xA3", "TWD"}, /* 新台幣 */
    };
    char t[MAX_VALUE + 1];
    if (n > MAX_VALUE)
        return NULL;
    int len = ascii_form(s, n, t, sizeof t);
    if (len <= 0)
        return NULL;
    if (len == 3) {
        for (int i = 0; i < 3; i++) {
            char c = t[i];
            if (c >= 'a' && c <= 'z')
                c = (char)(c - 'a' + 'A');
            if (c < 'A' || c > 'Z')
                goto names;
            out[i] = c;
        }
        out[3] = 0;
        return !strcmp(out, "RMB") ? "CNY" : out;
    }
names:
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(t, names[i].name))
            return names[i].code;
    return NULL;
}

/* ---- header names ---- */

static const struct alias {
    const char *kind, *field;
    const char *names; /* '|'-separated; the first is the template's */
} aliases[] = {
    {"orders", "external_id",
     "订单号|订单编号|单号|订单行号|单据编号|外部编号|訂單號|訂單編號|單號"},
    {"orders", "date", "日期|订单日期|下单日期|销售日期|单据日期|訂單日期|銷售日期"},
    {"orders", "account_code", "客户代码|客户编码|客户编号|客户代號|客戶代碼|客戶編號|客戶編碼"},
    {"orders", "sku", "产品编码|产品代码|物料编码|商品编码|货号|產品編碼|產品代碼|料號|貨號"},
    {"orders", "region", "区域|地区|大区|區域|地區"},
    {"orders", "channel", "渠道|销售渠道|通路|銷售通路"},
    {"orders", "quantity", "数量|销量|销售数量|數量|銷量"},
    {"orders", "amount", "金额|销售额|销售金额|含税金额|价税合计|金額|銷售額|銷售金額"},
    {"orders", "currency", "币种|币别|货币|幣別|幣種|貨幣"},
    {"products", "sku", "产品编码|产品代码|物料编码|商品编码|货号|產品編碼|產品代碼|料號|貨號"},
    {"products", "name", "产品名称|品名|商品名称|名称|產品名稱|商品名稱|名稱"},
    {"products", "family", "产品系列|产品类别|系列|品类|类别|產品系列|產品類別|類別"},
    {"products", "unit", "单位|计量单位|單位|計量單位"},
    {"products", "list_price", "单价|价格|标准价|目录价|牌价|單價|價格|標準價"},
    {"products", "currency", "币种|币别|货币|幣別|幣種|貨幣"},
    {"accounts", "code", "客户代码|客户编码|客户编号|客戶代碼|客戶編號|客戶編碼"},
    {"accounts", "name", "客户名称|公司名称|名称|客戶名稱|公司名稱|名稱"},
    {"accounts", "industry", "行业|所属行业|行業|所屬行業"},
    {"accounts", "region", "区域|地区|大区|區域|地區"},
    {"accounts", "channel", "渠道|销售渠道|通路|銷售通路"},
    {"accounts", "tier", "等级|客户等级|级别|等級|客戶等級|級別"},
    {"accounts", "owner_login", "负责人账号|客户经理账号|负责人登录名|負責人帳號|客戶經理帳號"},
    /* issue 16: invoices and payments from the ERP */
    {"invoices", "invoice_no", "发票号|发票号码|发票编号|单据编号|發票號|發票號碼|發票編號"},
    {"invoices", "account_code", "客户编码|客户代码|客户编号|客戶編碼|客戶代碼|客戶編號"},
    {"invoices", "date", "开票日期|发票日期|日期|開票日期|發票日期"},
    {"invoices", "due_date", "到期日|到期日期|应收到期日|付款到期日|應收到期日"},
    {"invoices", "amount", "金额|发票金额|价税合计|含税金额|金額|發票金額|價稅合計"},
    {"invoices", "currency", "币种|币别|货币|幣別|幣種|貨幣"},
    {"payments", "payment_no", "回款单号|收款单号|回款编号|单据编号|回款單號|收款單號"},
    {"payments", "account_code", "客户编码|客户代码|客户编号|客戶編碼|客戶代碼|客戶編號"},
    {"payments", "date", "回款日期|收款日期|日期|到账日期|到賬日期"},
    {"payments", "amount", "金额|回款金额|收款金额|金額|回款金額|收款金額"},
    {"payments", "currency", "币种|币别|货币|幣別|幣種|貨幣"},
    {"payments", "invoice_no", "发票号|发票号码|核销发票|發票號|發票號碼"},
};

static const struct alias *alias_of(const char *kind, const char *field)
{
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (kind && field && !strcmp(aliases[i].kind, kind) && !strcmp(aliases[i].field, field))
            return &aliases[i];
    return NULL;
}

/* h[0..n) without surrounding spaces (ASCII, U+3000, NBSP) and a byte order mark. */
static const char *trim(const char *h, size_t *n)
{
    for (;;) {
        if (*n >= 3 && (!memcmp(h, "\xEF\xBB\xBF", 3) || !memcmp(h, "\xE3\x80\x80", 3)))
            h += 3, *n -= 3;
        else if (*n >= 2 && !memcmp(h, "\xC2\xA0", 2))
            h += 2, *n -= 2;
        else if (*n && (*h == ' ' || *h == '\t'))
            h++, --*n;
        else
            break;
    }
    for (;;) {
        if (*n >= 3 && !memcmp(h + *n - 3, "\xE3\x80\x80", 3))
            *n -= 3;
        else if (*n >= 2 && !memcmp(h + *n - 2, "\xC2\xA0", 2))
            *n -= 2;
        else if (*n && (h[*n - 1] == ' ' || h[*n - 1] == '\t'))
            --*n;
        else
            break;
    }
    return h;
}

static int names_field(const struct alias *al, const char *field, const char *h, size_t n)
{
    h = trim(h, &n);
    if (!n)
        return 0;
    size_t fl = strlen(field);
    if (n == fl) {
        size_t i = 0;
        for (; i < n; i++) {
            char c = h[i];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if (c == ' ' || c == '-')
                c = '_';
            if (c != field[i])
                break;
        }
        if (i == n)
            return 1;
    }
    if (!al)
        return 0;
    for (const char *p = al->names; *p;) {
        const char *e = strchr(p, '|');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (k == n && !memcmp(p, h, n))
            return 1;
        p += k + (e != NULL);
    }
    return 0;
}

int import_header_is(const char *kind, const char *field, const char *h, size_t hn)
{
    const struct alias *al = alias_of(kind, field);
    h = trim(h, &hn);
    if (names_field(al, field, h, hn))
        return 1;
    /* "订单号 (external_id)", "订单号（external_id）" */
    size_t close = 0, open = 0;
    if (hn >= 2 && h[hn - 1] == ')')
        close = 1;
    else if (hn >= 4 && !memcmp(h + hn - 3, "\xEF\xBC\x89", 3))
        close = 3;
    if (!close)
        return 0;
    for (size_t i = hn - close; i-- > 0;) {
        if (h[i] == '(') {
            open = 1;
        } else if (i + 3 <= hn - close && !memcmp(h + i, "\xEF\xBC\x88", 3)) {
            open = 3;
        }
        if (open) {
            return names_field(al, field, h, i) ||
                   names_field(al, field, h + i + open, hn - close - i - open);
        }
    }
    return 0;
}

/* The header the mapping names for field: *out, *outn; 0 when none. */
static int mapping_of(const char *mapping, const char *field, const char **out, size_t *outn)
{
    size_t fl = strlen(field);
    for (const char *p = mapping; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n > fl && !strncmp(p, field, fl) && p[fl] == '=') {
            *out = p + fl + 1;
            *outn = n - fl - 1;
            return 1;
        }
        p += n + (p[n] == ',');
    }
    return 0;
}

void import_match_columns(const char *kind, const char *const fields[], size_t nf,
                          const char *mapping, const char *const heads[], const size_t hlens[],
                          size_t ncols, int col[], int named[])
{
    for (size_t f = 0; f < nf; f++) {
        const char *want = NULL;
        size_t wn = 0;
        named[f] = mapping_of(mapping, fields[f], &want, &wn);
        col[f] = -1;
        for (size_t c = 0; c < ncols && col[f] < 0; c++) {
            int taken = 0;
            for (size_t g = 0; g < f && !taken; g++)
                taken = col[g] == (int)c;
            if (taken)
                continue;
            const char *h = heads[c];
            size_t hn = hlens[c];
            if (c == 0 && hn >= 3 && !memcmp(h, "\xEF\xBB\xBF", 3))
                h += 3, hn -= 3;
            if (named[f] ? hn == wn && !memcmp(h, want, hn)
                         : import_header_is(kind, fields[f], h, hn))
                col[f] = (int)c;
        }
    }
}

const char *import_header_label(const char *kind, const char *field, char *out, size_t cap)
{
    const struct alias *al = alias_of(kind, field);
    if (!al || !cap)
        return NULL;
    const char *e = strchr(al->names, '|');
    int k = e ? (int)(e - al->names) : (int)strlen(al->names);
    snprintf(out, cap, "%.*s (%s)", k, al->names, field);
    return out;
}

int import_row_empty(const size_t *lens, int nf)
{
    for (int i = 0; i < nf; i++)
        if (lens[i])
            return 0;
    return 1;
}
