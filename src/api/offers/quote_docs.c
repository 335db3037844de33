/* quote_docs.c -- an offer as a printable A4 quote and an .xlsx workbook; the company header (issue
 * 15 items 4-5; svc/offers/quote_doc.h, docs/OFFERS.md "The quote document"). The documents are
 * read with OBJ_OFFER read on SCOPE_OFFER: an offer outside the caller's scope is 404. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "base/arena.h"
#include "svc/offers/quote_doc.h"

#define COMPANY_FIELDS                                                                             \
    "name_zh_hans:str name_zh_hant:str name_en:str address_zh_hans:str address_zh_hant:str "       \
    "address_en:str phone:str email:str tax_id:str bank:str website:str"

const struct api_shape api_shapes_quote_docs[] = {
    {"CompanySettings", COMPANY_FIELDS},
    {NULL, NULL},
};

struct company_body {
    const char *v[QUOTE_COMPANY_FIELDS];
};

#define CF(i) offsetof(struct company_body, v) + (i) * sizeof(const char *)

static const struct jfield company_spec[] = {
    {"name_zh_hans", J_STR, 1u << 0, CF(0), 0, 0, 0,
     "our company's name in Simplified Chinese (<= 200)"},
    {"name_zh_hant", J_STR, 1u << 1, CF(1), 0, 0, 0, "in Traditional Chinese (<= 200)"},
    {"name_en", J_STR, 1u << 2, CF(2), 0, 0, 0, "in English (<= 200)"},
    {"address_zh_hans", J_STR, 1u << 3, CF(3), 0, 0, 0,
     "the address in Simplified Chinese (<= 500)"},
    {"address_zh_hant", J_STR, 1u << 4, CF(4), 0, 0, 0, "in Traditional Chinese (<= 500)"},
    {"address_en", J_STR, 1u << 5, CF(5), 0, 0, 0, "in English (<= 500)"},
    {"phone", J_STR, 1u << 6, CF(6), 0, 0, 0, "(<= 50)"},
    {"email", J_STR, 1u << 7, CF(7), 0, 0, 0, "an e-mail address or \"\""},
    {"tax_id", J_STR, 1u << 8, CF(8), 0, 0, 0, "the tax id (税号, 统一社会信用代码) (<= 50)"},
    {"bank", J_STR, 1u << 9, CF(9), 0, 0, 0, "bank and account, several lines (<= 1000)"},
    {"website", J_STR, 1u << 10, CF(10), 0, 0, 0, "(<= 200)"},
    {0},
};

static enum kam_err company_write(struct api_call *c)
{
    struct quote_company co;
    enum kam_err rc = quote_company_get(c->ctx, &co);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    for (int i = 0; i < QUOTE_COMPANY_FIELDS; i++)
        jw_kstr(&c->w, quote_company_keys[i], co.v[i]);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err company_patch(struct api_call *c)
{
    struct company_body b = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, company_spec, &b, &set);
    if (rc)
        return rc;
    struct quote_company in;
    for (int i = 0; i < QUOTE_COMPANY_FIELDS; i++)
        in.v[i] = b.v[i] ? b.v[i] : "";
    if ((rc = quote_company_set(c->ctx, &in, set)))
        return rc;
    return company_write(c);
}

/* Content-Disposition with the offer's number: an ASCII fallback and the RFC 5987 form. */
static void disposition(struct api_call *c, const char *kind, const char *name, const char *ext)
{
    char enc[256];
    size_t k = 0;
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)name; *p && k + 4 < sizeof enc; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_')
            enc[k++] = (char)*p;
        else {
            enc[k++] = '%';
            enc[k++] = hex[*p >> 4];
            enc[k++] = hex[*p & 15];
        }
    }
    enc[k] = 0;
    http_resp_header(c->resp, "Content-Disposition",
                     arena_printf(c->ctx->a, "%s; filename=\"%s.%s\"; filename*=UTF-8''%s.%s", kind,
                                  name, ext, enc, ext));
}

static enum kam_err load(struct api_call *c, struct quote_doc *d)
{
    return quote_doc_load(c->ctx, c->id[0], api_query_str(c, "lang"), d);
}

static enum kam_err quote_html(struct api_call *c)
{
    struct quote_doc d;
    enum kam_err rc = load(c, &d);
    struct buf *b = &c->resp->body;
    buf_reset(b);
    if (rc || (rc = quote_doc_html(c->ctx, &d, b))) {
        buf_reset(b);
        return rc;
    }
    c->resp->content_type = "text/html; charset=utf-8";
    /* no script at all; inline styles; framed only by the app itself (the print view) */
    http_resp_header(c->resp, "Content-Security-Policy",
                     "default-src 'none'; style-src 'unsafe-inline'; font-src 'self' data:; "
                     "img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'");
    http_resp_header(c->resp, "Cache-Control", "no-store");
    disposition(c, "inline", quote_doc_filename(c->ctx, &d), "html");
    return KAM_OK;
}

static enum kam_err quote_xlsx(struct api_call *c)
{
    struct quote_doc d;
    enum kam_err rc = load(c, &d);
    struct buf *b = &c->resp->body;
    buf_reset(b);
    if (rc || (rc = quote_doc_xlsx(c->ctx, &d, b))) {
        buf_reset(b);
        return rc;
    }
    c->resp->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    http_resp_header(c->resp, "Cache-Control", "no-store");
    disposition(c, "attachment", quote_doc_filename(c->ctx, &d), "xlsx");
    return KAM_OK;
}

static const char *const doc_query[] = {"lang", NULL};

const struct route api_routes_quote_docs[] = {
    {"GET", "/api/v1/settings/company", company_write, OBJ_CONFIG, ACT_READ, SCOPE_NONE, NULL, NULL,
     200,
     "Our company's header on quotes (name and address per language, phone, e-mail, tax id, "
     "bank); an unset field is \"\"",
     "CompanySettings"},
    {"PATCH", "/api/v1/settings/company", company_patch, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE,
     company_spec, NULL, 200,
     "Change fields of the company header (the ones sent; \"\" clears); audited as settings",
     "CompanySettings"},
    {"GET", "/api/v1/offers/:id/quote.html", quote_html, OBJ_OFFER, ACT_READ, SCOPE_OFFER, NULL,
     doc_query, 200,
     "The offer as a printable A4 quote (text/html with print CSS) in the offer's language or "
     "lang (zh-CN | zh-TW | en): company header, customer, lines, totals, terms, "
     "customisations, signature blocks",
     "html"},
    {"GET", "/api/v1/offers/:id/quote.xlsx", quote_xlsx, OBJ_OFFER, ACT_READ, SCOPE_OFFER, NULL,
     doc_query, 200,
     "The offer as an Excel workbook in the offer's language or lang: the header block, the "
     "lines (numbers with formats), the totals as the offer's stored values",
     "xlsx"},
    {0},
};
