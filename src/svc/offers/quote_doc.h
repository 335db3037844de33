/* quote_doc.h -- an offer as the customer's quote (issue 15 items 4-5; docs/OFFERS.md "The quote
 * document"): a printable A4 HTML page and an .xlsx workbook in the offer's language (or one
 * asked for), with our company header from the settings (company.*). Every figure is the
 * offer's stored one (frozen when it was priced): the document never prices anything itself. */
#ifndef KAM_SVC_QUOTE_DOC_H
#define KAM_SVC_QUOTE_DOC_H

#include <stdint.h>

#include "base/buf.h"
#include "svc/core/ctx.h"

/* The company header: settings keys company.<name>; absent = "". */
#define QUOTE_COMPANY_FIELDS 11
extern const char *const quote_company_keys[QUOTE_COMPANY_FIELDS];
extern const int quote_company_max[QUOTE_COMPANY_FIELDS]; /* characters */

struct quote_company {
    const char *v[QUOTE_COMPANY_FIELDS]; /* in quote_company_keys' order */
};

enum kam_err quote_company_get(struct kam_ctx *ctx, struct quote_company *out);
/* Sets the fields whose bit (1 << index) is in set; checks the lengths first (KAM_EINVAL naming
 * the field; nothing written), audits the changed ones as "settings". */
enum kam_err quote_company_set(struct kam_ctx *ctx, const struct quote_company *in, unsigned set);

struct quote_component {
    const char *sku, *name;
    int64_t quantity; /* thousandths per bundle */
};

struct quote_line {
    const char *kind; /* product | bundle | service */
    const char *code, *name, *description, *unit, *sla;
    int64_t quantity; /* thousandths */
    int64_t unit_price, discount_bp, amount;
    int64_t engine_price;
    int has_engine_price;
    struct quote_component *components;
    int ncomponents;
};

struct quote_custom {
    const char *request, *feasibility, *confirm_by, *note;
};

struct quote_doc {
    int64_t id;
    const char *number, *title, *lang, *currency, *price_date, *valid_until, *status;
    int64_t version_no, subtotal, total, created_at;
    const char *terms, *note;
    const char *account_name, *account_code, *contact_name, *contact_title, *contact_phone,
        *contact_email, *owner_name, *owner_email;
    struct quote_line *lines;
    int nlines;
    struct quote_custom *customs;
    int ncustoms;
    struct quote_company company;
    int unofficial; /* not approved (or not current): both documents stamped a draft */
    int digits;     /* the currency's minor-unit decimals (ISO 4217) */
};

/* Loads offer id (the caller's scope is the route's: SCOPE_OFFER). lang: NULL/"" = the
 * offer's; else zh-CN | zh-TW | en (KAM_EINVAL naming "lang"). KAM_ENOTFOUND when no such
 * offer. */
enum kam_err quote_doc_load(struct kam_ctx *ctx, int64_t id, const char *lang,
                            struct quote_doc *out);
/* The printable page (UTF-8 HTML, every text escaped). */
enum kam_err quote_doc_html(struct kam_ctx *ctx, const struct quote_doc *d, struct buf *out);
/* The workbook: one sheet, the header block, the lines with number formats, the totals as
 * values (the offer's own, so they equal the screen's to the cent). */
enum kam_err quote_doc_xlsx(struct kam_ctx *ctx, const struct quote_doc *d, struct buf *out);
/* The file name without extension: "<number>-v<version>" (ASCII). */
const char *quote_doc_filename(struct kam_ctx *ctx, const struct quote_doc *d);

/* Money in the document's language: "¥1,234.56", "NT$1,234.56", "US$1,234.56", else "JPY
 * 1,632"; minor units with the currency's ISO 4217 decimals (currency_minor_digits). Exposed
 * for the unit test. */
void quote_money(char *out, size_t cap, const char *currency, int64_t minor);
/* A date YYYY-MM-DD in lang: "2026年3月1日" (zh) or "1 Mar 2026" (en). */
void quote_date(char *out, size_t cap, const char *lang, const char *ymd);

#endif
