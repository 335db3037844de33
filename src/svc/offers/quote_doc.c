/* quote_doc.c -- an offer as the customer's quote: the printable A4 page, the workbook, the
 * company header (quote_doc.h; docs/OFFERS.md "The quote document"). The offer is read here
 * with a few queries of its own (one for the header, one each for lines, bundle components and
 * customisations): the document shows the stored, frozen figures and never reprices. */
#include "svc/offers/quote_doc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "base/arena.h"
#include "base/currency.h"
#include "base/err.h"
#include "store/db.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/settings.h"
#include "svc/offers/approval.h"
#include "svc/risk/credit.h"

const char *const quote_company_keys[QUOTE_COMPANY_FIELDS] = {
    "name_zh_hans",    "name_zh_hant", "name_en", "address_zh_hans",
    "address_zh_hant", "address_en",   "phone",   "email",
    "tax_id",          "bank",         "website"};
const int quote_company_max[QUOTE_COMPANY_FIELDS] = {200, 200, 200, 500,  500, 500,
                                                     50,  254, 50,  1000, 200};

#define QUOTE_LINES_MAX 500
#define QUOTE_CUSTOMS_MAX 100

/* ---- the company header ---- */

enum kam_err quote_company_get(struct kam_ctx *ctx, struct quote_company *out)
{
    for (int i = 0; i < QUOTE_COMPANY_FIELDS; i++) {
        char key[64];
        snprintf(key, sizeof key, "company.%s", quote_company_keys[i]);
        enum kam_err rc = settings_get(ctx, key, "", &out->v[i]);
        if (rc)
            return rc;
    }
    return KAM_OK;
}

enum kam_err quote_company_set(struct kam_ctx *ctx, const struct quote_company *in, unsigned set)
{
    enum kam_err rc = KAM_OK;
    for (int i = 0; i < QUOTE_COMPANY_FIELDS && !rc; i++)
        if (set & (1u << i)) {
            /* addresses and bank details take several lines */
            int multi = i >= 3 && i <= 5 ? 1 : i == 9;
            rc = check_text(ctx, quote_company_keys[i], in->v[i], 0, quote_company_max[i], multi);
            if (!rc && i == 7)
                rc = check_email(ctx, "email", in->v[i]);
        }
    struct quote_company before;
    if (rc || (rc = quote_company_get(ctx, &before)) || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    for (int i = 0; i < QUOTE_COMPANY_FIELDS && !rc; i++) {
        if (!(set & (1u << i)) || !strcmp(before.v[i], in->v[i] ? in->v[i] : ""))
            continue;
        char key[64];
        snprintf(key, sizeof key, "company.%s", quote_company_keys[i]);
        struct db_stmt *st;
        if (!(rc = db_prepare(ctx->db,
                              "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                              "DO UPDATE SET value = excluded.value",
                              &st, ctx->err))) {
            db_bind_text(st, 1, key);
            db_bind_text(st, 2, in->v[i] ? in->v[i] : "");
            rc = db_run(st, ctx->err);
        }
        if (!rc)
            audit_diff_str(&d, key, before.v[i], in->v[i] ? in->v[i] : "");
    }
    if (!rc)
        rc = audit_write(ctx, "settings", 1, 0, "update", &d);
    else
        audit_diff_release(&d);
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- loading the offer ---- */

static const char *dup_col(struct kam_ctx *ctx, struct db_stmt *st, int col)
{
    return arena_strdup(ctx->a, db_col_text(st, col));
}

static enum kam_err load_head(struct kam_ctx *ctx, int64_t id, struct quote_doc *d)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT o.id, o.number, o.version_no, o.title, o.lang, o.currency, o.price_date, "
        "o.valid_until, o.status, o.subtotal, o.total, o.terms, o.note, o.created_at, a.name, "
        "a.code, COALESCE(u.name, ''), COALESCE(u.email, ''), a.id, o.max_discount_bp FROM offers "
        "o "
        "JOIN accounts a ON a.id = o.account_id LEFT JOIN users u ON u.id = o.created_by "
        "WHERE o.id = ?",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    int has = 0;
    if ((rc = db_step(st, &has, ctx->err)) || !has) {
        db_done(st);
        return rc ? rc : kam_fail(ctx->err, KAM_ENOTFOUND, "", "no such offer");
    }
    d->id = db_col_i64(st, 0);
    d->number = dup_col(ctx, st, 1);
    d->version_no = db_col_i64(st, 2);
    d->title = dup_col(ctx, st, 3);
    d->lang = dup_col(ctx, st, 4);
    d->currency = dup_col(ctx, st, 5);
    d->price_date = dup_col(ctx, st, 6);
    d->valid_until = dup_col(ctx, st, 7);
    d->status = dup_col(ctx, st, 8);
    d->subtotal = db_col_i64(st, 9);
    d->total = db_col_i64(st, 10);
    d->terms = dup_col(ctx, st, 11);
    d->note = dup_col(ctx, st, 12);
    d->created_at = db_col_i64(st, 13);
    d->account_name = dup_col(ctx, st, 14);
    d->account_code = dup_col(ctx, st, 15);
    d->owner_name = dup_col(ctx, st, 16);
    d->owner_email = dup_col(ctx, st, 17);
    int64_t account_id = db_col_i64(st, 18);
    int64_t max_discount_bp = db_col_i64(st, 19);
    db_done(st);

    /* the clean document only for an offer the customer may hold: approved or past it, or a
     * draft the caller could send without an approval; everything else is stamped a draft */
    static const char *const official[] = {"approved", "sent", "accepted", "converted", NULL};
    d->unofficial = !check_in(d->status, official);
    if (!strcmp(d->status, "draft")) {
        const char *needs = NULL;
        if ((rc = approval_needs(ctx, ctx->who.role, max_discount_bp, &needs)))
            return rc;
        d->unofficial = needs != NULL;
    }
    /* an approved offer finance holds or refused for credit (risk/credit.h) cannot be sent:
     * its document is stamped a draft too */
    if (!d->unofficial && !strcmp(d->status, "approved")) {
        struct kam_error held = {0};
        struct kam_ctx c = *ctx;
        c.err = &held;
        enum kam_err hrc = credit_offer_may_send(&c, id);
        if (hrc == KAM_ECONFLICT)
            d->unofficial = 1;
        else if (hrc) {
            *ctx->err = held;
            return hrc;
        }
    }

    /* the customer's contact: the decision maker of most influence, else the most influential */
    d->contact_name = d->contact_title = d->contact_phone = d->contact_email = "";
    if ((rc = db_prepare(ctx->db,
                         "SELECT name, title, phone, email FROM contacts WHERE account_id = ? "
                         "ORDER BY CASE WHEN decision_role = 'decision_maker' THEN 0 ELSE 1 END, "
                         "influence DESC, id LIMIT 1",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, account_id);
    if (!(rc = db_step(st, &has, ctx->err)) && has) {
        d->contact_name = dup_col(ctx, st, 0);
        d->contact_title = dup_col(ctx, st, 1);
        d->contact_phone = dup_col(ctx, st, 2);
        d->contact_email = dup_col(ctx, st, 3);
    }
    db_done(st);
    return rc;
}

/* Reads offer_lines.components ([{product_id, sku, name, quantity, engine_price}], quantity in
 * thousandths per bundle) into l; 0 when the field is empty or unreadable. */
static int frozen_components(struct kam_ctx *ctx, struct quote_line *l, const char *json)
{
    if (!json || !*json)
        return 0;
    json_t *root = json_loads(json, 0, NULL);
    if (!json_is_array(root)) {
        json_decref(root);
        return 0;
    }
    size_t n = json_array_size(root);
    if (n > 200)
        n = 200;
    l->components = arena_calloc(ctx->a, n + 1, sizeof *l->components);
    l->ncomponents = 0;
    for (size_t k = 0; k < n; k++) {
        json_t *o = json_array_get(root, k);
        const char *sku = json_string_value(json_object_get(o, "sku"));
        const char *name = json_string_value(json_object_get(o, "name"));
        struct quote_component *c = &l->components[l->ncomponents++];
        c->sku = arena_strdup(ctx->a, sku ? sku : "");
        c->name = arena_strdup(ctx->a, name ? name : "");
        c->quantity = (int64_t)json_integer_value(json_object_get(o, "quantity"));
    }
    json_decref(root);
    return 1;
}

static enum kam_err load_lines(struct kam_ctx *ctx, struct quote_doc *d)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT l.kind, COALESCE(p.sku, b.code, s.code, ''), COALESCE(p.name, b.name, s.name, ''), "
        "l.description, COALESCE(p.unit, s.unit, ''), COALESCE(s.sla, ''), l.quantity, "
        "l.unit_price, l.discount_bp, l.amount, l.engine_price, COALESCE(l.bundle_id, 0), "
        "COALESCE(b.description, ''), l.components FROM offer_lines l "
        "LEFT JOIN products p ON p.id = l.product_id LEFT JOIN bundles b ON b.id = l.bundle_id "
        "LEFT JOIN service_items s ON s.id = l.service_item_id WHERE l.offer_id = ? "
        "ORDER BY l.position, l.id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, d->id);
    d->lines = arena_calloc(ctx->a, QUOTE_LINES_MAX, sizeof *d->lines);
    int64_t *bundle_of = arena_calloc(ctx->a, QUOTE_LINES_MAX, sizeof *bundle_of);
    int has = 0, nbundles = 0;
    d->nlines = 0;
    while (!(rc = db_step(st, &has, ctx->err)) && has && d->nlines < QUOTE_LINES_MAX) {
        struct quote_line *l = &d->lines[d->nlines];
        l->kind = dup_col(ctx, st, 0);
        l->code = dup_col(ctx, st, 1);
        l->name = dup_col(ctx, st, 2);
        l->description = dup_col(ctx, st, 3);
        if (!l->description[0])
            l->description = dup_col(ctx, st, 12);
        l->unit = dup_col(ctx, st, 4);
        l->sla = dup_col(ctx, st, 5);
        l->quantity = db_col_i64(st, 6);
        l->unit_price = db_col_i64(st, 7);
        l->discount_bp = db_col_i64(st, 8);
        l->amount = db_col_i64(st, 9);
        l->has_engine_price = !db_col_is_null(st, 10);
        l->engine_price = db_col_i64(st, 10);
        bundle_of[d->nlines] = db_col_i64(st, 11);
        /* a bundle line's components as priced (frozen on the line); the live bundle rows
         * only for a line priced before they were frozen */
        if (bundle_of[d->nlines] && frozen_components(ctx, l, db_col_text(st, 13)))
            bundle_of[d->nlines] = 0;
        nbundles += bundle_of[d->nlines] != 0;
        d->nlines++;
    }
    db_done(st);
    if (rc || !nbundles)
        return rc;
    if ((rc = db_prepare(ctx->db,
                         "SELECT bi.bundle_id, p.sku, p.name, bi.quantity FROM bundle_items bi "
                         "JOIN products p ON p.id = bi.product_id WHERE bi.bundle_id IN (SELECT "
                         "bundle_id FROM offer_lines WHERE offer_id = ? AND bundle_id IS NOT NULL) "
                         "ORDER BY bi.bundle_id, p.sku",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, d->id);
    int cap = 0;
    struct {
        int64_t bundle;
        struct quote_component c;
    } *all = NULL;
    int nall = 0;
    while (!(rc = db_step(st, &has, ctx->err)) && has && nall < 4000) {
        if (nall == cap) {
            int ncap = cap ? cap * 2 : 32;
            void *p = arena_calloc(ctx->a, (size_t)ncap, sizeof *all);
            if (all)
                memcpy(p, all, (size_t)nall * sizeof *all);
            all = p;
            cap = ncap;
        }
        all[nall].bundle = db_col_i64(st, 0);
        all[nall].c.sku = dup_col(ctx, st, 1);
        all[nall].c.name = dup_col(ctx, st, 2);
        all[nall].c.quantity = db_col_i64(st, 3);
        nall++;
    }
    db_done(st);
    if (rc)
        return rc;
    for (int i = 0; i < d->nlines; i++) {
        if (!bundle_of[i])
            continue;
        int n = 0;
        for (int k = 0; k < nall; k++)
            n += all[k].bundle == bundle_of[i];
        d->lines[i].components =
            arena_calloc(ctx->a, (size_t)(n ? n : 1), sizeof(struct quote_component));
        for (int k = 0; k < nall; k++)
            if (all[k].bundle == bundle_of[i])
                d->lines[i].components[d->lines[i].ncomponents++] = all[k].c;
    }
    return KAM_OK;
}

static enum kam_err load_customs(struct kam_ctx *ctx, struct quote_doc *d)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT request, feasibility, confirm_by, note FROM "
                                 "offer_customisations WHERE offer_id = ? ORDER BY id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, d->id);
    d->customs = arena_calloc(ctx->a, QUOTE_CUSTOMS_MAX, sizeof *d->customs);
    int has = 0;
    d->ncustoms = 0;
    while (!(rc = db_step(st, &has, ctx->err)) && has && d->ncustoms < QUOTE_CUSTOMS_MAX) {
        struct quote_custom *c = &d->customs[d->ncustoms++];
        c->request = dup_col(ctx, st, 0);
        c->feasibility = dup_col(ctx, st, 1);
        c->confirm_by = dup_col(ctx, st, 2);
        c->note = dup_col(ctx, st, 3);
    }
    db_done(st);
    return rc;
}

static const char *const quote_langs[] = {"zh-CN", "zh-TW", "en", NULL};

enum kam_err quote_doc_load(struct kam_ctx *ctx, int64_t id, const char *lang,
                            struct quote_doc *out)
{
    memset(out, 0, sizeof *out);
    enum kam_err rc;
    if (lang && *lang && (rc = check_enum(ctx, "lang", lang, quote_langs)))
        return rc;
    /* one transaction: the head, lines and customisations of the same moment */
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if (!(rc = load_head(ctx, id, out)) && !(rc = load_lines(ctx, out)) &&
        !(rc = load_customs(ctx, out)))
        rc = quote_company_get(ctx, &out->company);
    if ((rc = db_end(ctx->db, rc, ctx->err)))
        return rc;
    out->digits = currency_minor_digits(out->currency);
    if (lang && *lang)
        out->lang = lang;
    if (!check_in(out->lang, quote_langs))
        out->lang = "zh-CN";
    return KAM_OK;
}

/* ---- words ---- */

enum {
    W_QUOTE,
    W_NUMBER,
    W_DATE,
    W_VALID,
    W_CUSTOMER,
    W_CONTACT,
    W_CODE,
    W_ITEM,
    W_QTY,
    W_UNIT_PRICE,
    W_DISCOUNT,
    W_AMOUNT,
    W_SUBTOTAL,
    W_SAVING,
    W_TOTAL,
    W_TERMS,
    W_CUSTOMS,
    W_REQUEST,
    W_FEASIBILITY,
    W_CONFIRM_BY,
    W_NOTE,
    W_SIGN_US,
    W_SIGN_THEM,
    W_SIGNATURE,
    W_SIGN_DATE,
    W_SLA,
    W_INCLUDES,
    W_TEL,
    W_EMAIL,
    W_TAX_ID,
    W_BANK,
    W_PREPARED_BY,
    W_CURRENCY,
    W_VERSION,
    W_PAGE_TITLE,
    W_SEAL,
    W_DRAFT,
    W_PER_SET,
    W_COUNT
};

static const char *const words[3][W_COUNT] = {
    {"报价单",
     "报价单号",
     "日期",
     "有效期至",
     "客户",
     "联系人",
     "编码",
     "项目",
     "数量",
     "单价",
     "折扣",
     "金额",
     "标准价合计",
     "优惠",
     "报价总额",
     "条款",
     "定制需求",
     "需求",
     "可行性",
     "确认部门",
     "备注",
     "报价方",
     "客户确认",
     "签字",
     "日期",
     "服务水平",
     "包含",
     "电话",
     "邮箱",
     "税号",
     "开户行及账号",
     "报价人",
     "币种",
     "版本",
     "报价单",
     "盖章",
     "草稿 — 未经审批，非正式报价",
     "每套"},
    {"報價單",
     "報價單號",
     "日期",
     "有效期至",
     "客戶",
     "聯絡人",
     "編碼",
     "項目",
     "數量",
     "單價",
     "折扣",
     "金額",
     "標準價合計",
     "優惠",
     "報價總額",
     "條款",
     "客製需求",
     "需求",
     "可行性",
     "確認部門",
     "備註",
     "報價方",
     "客戶確認",
     "簽字",
     "日期",
     "服務水準",
     "包含",
     "電話",
     "電郵",
     "統一編號",
     "銀行帳戶",
     "報價人",
     "幣別",
     "版本",
     "報價單",
     "蓋章",
     "草稿 — 未經審批，非正式報價",
     "每套"},
    {"Quotation",
     "Quote no.",
     "Date",
     "Valid until",
     "Customer",
     "Contact",
     "Code",
     "Item",
     "Qty",
     "Unit price",
     "Discount",
     "Amount",
     "Subtotal at list",
     "Savings",
     "Total",
     "Terms",
     "Customisations",
     "Request",
     "Feasibility",
     "Confirmed by",
     "Note",
     "For the supplier",
     "Accepted by the customer",
     "Signature",
     "Date",
     "Service level",
     "Includes",
     "Tel.",
     "E-mail",
     "Tax ID",
     "Bank",
     "Prepared by",
     "Currency",
     "Version",
     "Quotation",
     "Seal",
     "DRAFT – not valid",
     "per set"},
};

static int lang_index(const char *lang)
{
    return !strcmp(lang, "zh-TW") ? 1 : !strcmp(lang, "en") ? 2 : 0;
}

static const char *word(const struct quote_doc *d, int w)
{
    return words[lang_index(d->lang)][w];
}

/* ": " in English, the full-width "：" in Chinese */
static const char *colon(const struct quote_doc *d)
{
    return lang_index(d->lang) == 2 ? ": " : "：";
}

/* enum values as words: feasibility, confirm_by, service units */
static const char *enum_word(const char *lang, const char *v)
{
    static const struct {
        const char *v, *w[3];
    } t[] = {
        {"open", {"待评估", "待評估", "to be assessed"}},
        {"feasible", {"可行", "可行", "feasible"}},
        {"partly", {"部分可行", "部分可行", "partly feasible"}},
        {"no", {"不可行", "不可行", "not feasible"}},
        {"production", {"生产部", "生產部", "production"}},
        {"technical", {"技术部", "技術部", "technical"}},
        {"service", {"服务部", "服務部", "service"}},
        {"hour", {"小时", "小時", "hour"}},
        {"day", {"天", "天", "day"}},
        {"visit", {"次", "次", "visit"}},
        {"month", {"月", "月", "month"}},
        {"year", {"年", "年", "year"}},
        {"each", {"项", "項", "each"}},
        {"pc", {"件", "個", "pc"}},
        {"pcs", {"件", "個", "pcs"}},
        {"piece", {"件", "個", "piece"}},
        {"set", {"套", "套", "set"}},
        {"box", {"箱", "箱", "box"}},
        {"kg", {"千克", "公斤", "kg"}},
        {"m", {"米", "公尺", "m"}},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(t[i].v, v))
            return t[i].w[lang_index(lang)];
    return v;
}

/* a unit as a word of the document's language: a known one translated, an unknown one shown
 * as it is in English only (a raw code in a Chinese quote reads as noise) */
static const char *unit_word(const char *lang, const char *v)
{
    const char *w = enum_word(lang, v);
    return w != v || !strcmp(lang, "en") ? w : "";
}

static const char *company_name(const struct quote_doc *d)
{
    int i = lang_index(d->lang); /* name_zh_hans, name_zh_hant, name_en */
    const char *const *v = d->company.v;
    if (v[i] && v[i][0])
        return v[i];
    return v[0][0] ? v[0] : v[1][0] ? v[1] : v[2];
}

static const char *company_address(const struct quote_doc *d)
{
    int i = 3 + lang_index(d->lang);
    const char *const *v = d->company.v;
    if (v[i] && v[i][0])
        return v[i];
    return v[3][0] ? v[3] : v[4][0] ? v[4] : v[5];
}

void quote_money(char *out, size_t cap, const char *currency, int64_t minor)
{
    const char *sym = !strcmp(currency, "CNY")   ? "¥"
                      : !strcmp(currency, "TWD") ? "NT$"
                      : !strcmp(currency, "USD") ? "US$"
                      : !strcmp(currency, "HKD") ? "HK$"
                      : !strcmp(currency, "EUR") ? "€"
                                                 : NULL;
    int neg = minor < 0, nd = currency_minor_digits(currency);
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t scale = nd == 0 ? 1 : nd == 3 ? 1000 : 100;
    char digits[32], frac[8] = "";
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)(u / scale));
    if (nd)
        snprintf(frac, sizeof frac, ".%0*llu", nd, (unsigned long long)(u % scale));
    char grouped[48];
    size_t n = strlen(digits), k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            grouped[k++] = ',';
        grouped[k++] = digits[i];
    }
    grouped[k] = 0;
    if (sym)
        snprintf(out, cap, "%s%s%s%s", neg ? "-" : "", sym, grouped, frac);
    else
        snprintf(out, cap, "%s%s %s%s", neg ? "-" : "", currency, grouped, frac);
}

void quote_date(char *out, size_t cap, const char *lang, const char *ymd)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int y, m, dd;
    if (!ymd || sscanf(ymd, "%d-%d-%d", &y, &m, &dd) != 3 || m < 1 || m > 12) {
        snprintf(out, cap, "%s", ymd ? ymd : "");
        return;
    }
    if (!strcmp(lang, "en"))
        snprintf(out, cap, "%d %s %d", dd, mon[m - 1], y);
    else
        snprintf(out, cap, "%d年%d月%d日", y, m, dd);
}

/* a quantity in thousandths, trailing zeros trimmed */
static void qty_text(char *out, size_t cap, int64_t q)
{
    int neg = q < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)q : (uint64_t)q;
    unsigned frac = (unsigned)(u % 1000);
    if (!frac)
        snprintf(out, cap, "%s%llu", neg ? "-" : "", (unsigned long long)(u / 1000));
    else {
        char f[8];
        snprintf(f, sizeof f, "%03u", frac);
        for (int i = 2; i > 0 && f[i] == '0'; i--)
            f[i] = 0;
        snprintf(out, cap, "%s%llu.%s", neg ? "-" : "", (unsigned long long)(u / 1000), f);
    }
}

static void pct_text(char *out, size_t cap, int64_t bp)
{
    int neg = bp < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)bp : (uint64_t)bp;
    if (u % 100)
        snprintf(out, cap, "%s%llu.%02llu%%", neg ? "-" : "", (unsigned long long)(u / 100),
                 (unsigned long long)(u % 100));
    else
        snprintf(out, cap, "%s%llu%%", neg ? "-" : "", (unsigned long long)(u / 100));
}

/* ---- HTML ---- */

static void esc(struct buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        case '\'':
            buf_puts(b, "&#39;");
            break;
        default:
            buf_putc(b, *s);
        }
    }
}

/* escaped, line breaks kept */
static void esc_lines(struct buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\n')
            buf_puts(b, "<br>");
        else if (*s != '\r') {
            char one[2] = {*s, 0};
            esc(b, one);
        }
    }
}

static void tag(struct buf *b, const char *open, const char *text, const char *close)
{
    buf_puts(b, open);
    esc(b, text);
    buf_puts(b, close);
}

static const char quote_css[] =
    "@page{size:A4;margin:16mm 14mm 18mm 14mm}"
    "*{box-sizing:border-box}"
    "body{font-family:'Noto Sans CJK SC','Noto Sans CJK TC','Source Han Sans SC','Source Han Sans "
    "TC','PingFang SC','PingFang TC','Microsoft YaHei','Microsoft JhengHei',sans-serif;"
    "font-size:10.5pt;color:#1f2329;margin:0;line-height:1.45}"
    "html[lang=zh-TW] body{font-family:'Noto Sans CJK TC','Source Han Sans TC','PingFang TC',"
    "'Microsoft JhengHei','Noto Sans CJK SC',sans-serif}"
    ".sheet{max-width:182mm;margin:0 auto;padding:8mm 0}"
    "header.co{display:flex;justify-content:space-between;gap:8mm;border-bottom:2px solid "
    "#1f4e8c;padding-bottom:3mm}"
    ".co h1{font-size:15pt;margin:0 0 1mm;color:#1f4e8c}.co p{margin:0;font-size:9pt;color:#555}"
    ".doc{text-align:right}.doc h2{font-size:18pt;margin:0;letter-spacing:.1em}"
    ".doc table td{padding:0 0 0 3mm;font-size:9pt}"
    ".parties{display:flex;gap:6mm;margin:4mm 0}.parties section{flex:1;border:1px solid #d0d7e2;"
    "padding:2mm 3mm;border-radius:1mm}.parties h3{font-size:9pt;color:#666;margin:0 0 1mm}"
    ".parties p{margin:0}"
    "h4{font-size:11pt;margin:4mm 0 1mm}"
    "table.lines{width:100%;border-collapse:collapse;font-size:9.5pt}"
    "table.lines th{background:#eef2f8;border-bottom:1px solid #9fb0c8;text-align:left;"
    "padding:1.5mm 1.5mm;font-weight:600}"
    "table.lines td{border-bottom:1px solid #e3e7ee;padding:1.5mm;vertical-align:top}"
    "table.lines .n{text-align:right;white-space:nowrap}"
    "table.lines tr.comp td{color:#555;font-size:8.5pt;border-bottom:none;padding-top:0}"
    "table.lines tr.comp td.item{padding-left:6mm}"
    ".desc,.sla{display:block;color:#666;font-size:8.5pt}"
    "thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}"
    ".totals{margin-left:auto;width:75mm;border-collapse:collapse;margin-top:2mm}"
    ".totals td{padding:1mm 1.5mm}.totals td.n{text-align:right;white-space:nowrap}"
    ".totals tr.grand td{border-top:2px solid #1f4e8c;font-weight:700;font-size:11.5pt}"
    ".terms{white-space:normal;font-size:9.5pt}"
    ".signs{display:flex;gap:10mm;margin-top:10mm;break-inside:avoid;page-break-inside:avoid}"
    ".signs section{flex:1;border-top:1px solid #333;padding-top:2mm;min-height:28mm}"
    ".signs p{margin:0 0 5mm}"
    "@media screen{body{background:#f3f5f8}.sheet{background:#fff;padding:12mm 14mm;margin:4mm "
    "auto;box-shadow:0 1px 4px rgba(0,0,0,.12)}}"
    "@media screen and (max-width:700px){.sheet{padding:4mm}header.co,.parties{display:block}"
    ".doc{text-align:left;margin-top:3mm}.parties section{margin-bottom:3mm}.totals{width:100%}"
    ".lines-wrap{overflow-x:auto}}"
    "@media screen and (max-width:480px){table.lines .code{display:none}"
    "table.lines{font-size:8.5pt}table.lines td,table.lines th{padding:1mm}}"
    ".draft{border:2px solid #c0392b;color:#c0392b;text-align:center;font-weight:700;"
    "font-size:13pt;padding:2mm;margin-bottom:3mm;letter-spacing:.05em}";

enum kam_err quote_doc_html(struct kam_ctx *ctx, const struct quote_doc *d, struct buf *b)
{
    char m[64], t[64];
    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"");
    esc(b, d->lang);
    buf_puts(b, "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                "content=\"width=device-width,initial-scale=1\"><title>");
    esc(b, word(d, W_PAGE_TITLE));
    buf_puts(b, " ");
    esc(b, d->number);
    buf_printf(b, " v%lld", (long long)d->version_no);
    if (d->unofficial)
        tag(b, " (", word(d, W_DRAFT), ")");
    buf_printf(b, "</title><style>%s</style></head><body><div class=\"sheet\">", quote_css);
    if (d->unofficial)
        tag(b, "<div class=\"draft\" role=\"note\">", word(d, W_DRAFT), "</div>");

    /* our header */
    buf_puts(b, "<header class=\"co\"><div>");
    if (company_name(d)[0])
        tag(b, "<h1>", company_name(d), "</h1>");
    if (company_address(d)[0]) {
        buf_puts(b, "<p>");
        esc_lines(b, company_address(d));
        buf_puts(b, "</p>");
    }
    const char *const *v = d->company.v;
    if (v[6][0] || v[7][0] || v[10][0]) {
        buf_puts(b, "<p>");
        if (v[6][0]) {
            tag(b, "", word(d, W_TEL), " ");
            tag(b, "", v[6], " ");
        }
        if (v[7][0]) {
            tag(b, "", word(d, W_EMAIL), " ");
            tag(b, "", v[7], " ");
        }
        esc(b, v[10]);
        buf_puts(b, "</p>");
    }
    if (v[8][0]) {
        tag(b, "<p>", word(d, W_TAX_ID), " ");
        tag(b, "", v[8], "</p>");
    }
    buf_puts(b, "</div><div class=\"doc\">");
    tag(b, "<h2>", word(d, W_QUOTE), "</h2><table>");
    tag(b, "<tr><td>", word(d, W_NUMBER), "</td>");
    tag(b, "<td class=\"num\">", d->number, "</td></tr>");
    buf_printf(b, "<tr><td>%s</td><td>v%lld</td></tr>", word(d, W_VERSION),
               (long long)d->version_no);
    quote_date(t, sizeof t, d->lang, d->price_date);
    tag(b, "<tr><td>", word(d, W_DATE), "</td>");
    tag(b, "<td>", t, "</td></tr>");
    quote_date(t, sizeof t, d->lang, d->valid_until);
    tag(b, "<tr><td>", word(d, W_VALID), "</td>");
    tag(b, "<td class=\"valid\">", t, "</td></tr>");
    tag(b, "<tr><td>", word(d, W_CURRENCY), "</td>");
    tag(b, "<td>", d->currency, "</td></tr></table></div></header>");

    /* the parties */
    buf_puts(b, "<div class=\"parties\"><section>");
    tag(b, "<h3>", word(d, W_CUSTOMER), "</h3>");
    tag(b, "<p class=\"customer\"><strong>", d->account_name, "</strong></p>");
    if (d->contact_name[0]) {
        tag(b, "<p>", word(d, W_CONTACT), colon(d));
        esc(b, d->contact_name);
        if (d->contact_title[0])
            tag(b, " (", d->contact_title, ")");
        buf_puts(b, "</p>");
        if (d->contact_phone[0] || d->contact_email[0]) {
            buf_puts(b, "<p>");
            esc(b, d->contact_phone);
            if (d->contact_phone[0] && d->contact_email[0])
                buf_puts(b, " · ");
            esc(b, d->contact_email);
            buf_puts(b, "</p>");
        }
    }
    buf_puts(b, "</section><section>");
    tag(b, "<h3>", word(d, W_PREPARED_BY), "</h3>");
    tag(b, "<p><strong>", d->owner_name, "</strong></p>");
    tag(b, "<p>", d->owner_email, "</p>");
    buf_puts(b, "</section></div>");
    if (d->title[0])
        tag(b, "<h4 class=\"title\">", d->title, "</h4>");

    /* the lines */
    buf_puts(b, "<div class=\"lines-wrap\"><table class=\"lines\"><thead><tr><th>#</th>");
    tag(b, "<th class=\"code\">", word(d, W_CODE), "</th>");
    tag(b, "<th>", word(d, W_ITEM), "</th>");
    tag(b, "<th class=\"n\">", word(d, W_QTY), "</th>");
    tag(b, "<th class=\"n\">", word(d, W_UNIT_PRICE), "</th>");
    tag(b, "<th class=\"n\">", word(d, W_DISCOUNT), "</th>");
    tag(b, "<th class=\"n\">", word(d, W_AMOUNT), "</th></tr></thead><tbody>");
    for (int i = 0; i < d->nlines; i++) {
        const struct quote_line *l = &d->lines[i];
        buf_printf(b, "<tr class=\"line %s\"><td>%d</td>",
                   !strcmp(l->kind, "bundle")    ? "bundle"
                   : !strcmp(l->kind, "service") ? "service"
                                                 : "product",
                   i + 1);
        tag(b, "<td class=\"code\">", l->code, "</td>");
        tag(b, "<td class=\"item\"><strong>", l->name, "</strong>");
        if (l->description[0])
            tag(b, "<span class=\"desc\">", l->description, "</span>");
        if (l->sla[0]) {
            tag(b, "<span class=\"sla\">", word(d, W_SLA), colon(d));
            tag(b, "", l->sla, "</span>");
        }
        buf_puts(b, "</td>");
        qty_text(t, sizeof t, l->quantity);
        tag(b, "<td class=\"n\">", t, "");
        if (unit_word(d->lang, l->unit)[0])
            tag(b, " ", unit_word(d->lang, l->unit), "");
        buf_puts(b, "</td>");
        quote_money(m, sizeof m, d->currency, l->unit_price);
        tag(b, "<td class=\"n\">", m, "</td>");
        if (l->discount_bp > 0) {
            pct_text(t, sizeof t, l->discount_bp);
            tag(b, "<td class=\"n\">", t, "</td>");
        } else
            buf_puts(b, "<td class=\"n\"></td>");
        quote_money(m, sizeof m, d->currency, l->amount);
        tag(b, "<td class=\"n amount\">", m, "</td></tr>");
        for (int k = 0; k < l->ncomponents; k++) {
            const struct quote_component *c = &l->components[k];
            buf_puts(b, "<tr class=\"comp\"><td></td>");
            tag(b, "<td class=\"code\">", c->sku, "</td>");
            tag(b, "<td class=\"item\">", word(d, W_INCLUDES), colon(d));
            tag(b, "", c->name, "</td>");
            qty_text(t, sizeof t, c->quantity);
            /* the quantity is per bundle: "每套 2" / "2 per set" */
            if (lang_index(d->lang) == 2) {
                tag(b, "<td class=\"n\">", t, " ");
                esc(b, word(d, W_PER_SET));
            } else {
                tag(b, "<td class=\"n\">", word(d, W_PER_SET), " ");
                esc(b, t);
            }
            buf_puts(b, "</td><td></td><td></td><td></td></tr>");
        }
    }
    buf_puts(b, "</tbody></table></div>");

    /* the totals */
    buf_puts(b, "<table class=\"totals\">");
    if (d->subtotal > d->total) {
        quote_money(m, sizeof m, d->currency, d->subtotal);
        tag(b, "<tr><td>", word(d, W_SUBTOTAL), "</td>");
        tag(b, "<td class=\"n\">", m, "</td></tr>");
        quote_money(m, sizeof m, d->currency, d->subtotal - d->total);
        tag(b, "<tr><td>", word(d, W_SAVING), "</td>");
        tag(b, "<td class=\"n\">-", m, "</td></tr>");
    }
    quote_money(m, sizeof m, d->currency, d->total);
    tag(b, "<tr class=\"grand\"><td>", word(d, W_TOTAL), "</td>");
    tag(b, "<td class=\"n total\">", m, "</td></tr></table>");

    if (d->ncustoms) {
        tag(b, "<h4>", word(d, W_CUSTOMS), "</h4><table class=\"lines customs\"><thead><tr>");
        tag(b, "<th>", word(d, W_REQUEST), "</th>");
        tag(b, "<th>", word(d, W_FEASIBILITY), "</th>");
        tag(b, "<th>", word(d, W_CONFIRM_BY), "</th>");
        tag(b, "<th>", word(d, W_NOTE), "</th></tr></thead><tbody>");
        for (int i = 0; i < d->ncustoms; i++) {
            const struct quote_custom *c = &d->customs[i];
            buf_puts(b, "<tr><td>");
            esc_lines(b, c->request);
            tag(b, "</td><td>", enum_word(d->lang, c->feasibility), "</td>");
            tag(b, "<td>", enum_word(d->lang, c->confirm_by), "</td><td>");
            esc_lines(b, c->note);
            buf_puts(b, "</td></tr>");
        }
        buf_puts(b, "</tbody></table>");
    }
    if (d->terms[0]) {
        tag(b, "<h4>", word(d, W_TERMS), "</h4><div class=\"terms\">");
        esc_lines(b, d->terms);
        buf_puts(b, "</div>");
    }
    if (v[9][0]) {
        tag(b, "<h4>", word(d, W_BANK), "</h4><div class=\"terms\">");
        esc_lines(b, v[9]);
        buf_puts(b, "</div>");
    }

    /* signatures */
    buf_puts(b, "<div class=\"signs\"><section>");
    tag(b, "<p><strong>", word(d, W_SIGN_US), "</strong> ");
    tag(b, "", company_name(d), "</p>"); /* an unset name: the label alone */
    tag(b, "<p>", word(d, W_SIGNATURE), colon(d));
    buf_puts(b, "</p>");
    tag(b, "<p>", word(d, W_SEAL), colon(d));
    buf_puts(b, "</p>");
    tag(b, "<p>", word(d, W_SIGN_DATE), colon(d));
    buf_puts(b, "</p></section><section>");
    tag(b, "<p><strong>", word(d, W_SIGN_THEM), "</strong> ");
    tag(b, "", d->account_name, "</p>");
    tag(b, "<p>", word(d, W_SIGNATURE), colon(d));
    buf_puts(b, "</p>");
    tag(b, "<p>", word(d, W_SEAL), colon(d));
    buf_puts(b, "</p>");
    tag(b, "<p>", word(d, W_SIGN_DATE), colon(d));
    buf_puts(b, "</p></section></div>");
    buf_puts(b, "</div></body></html>\n");
    if (!buf_ok(b))
        return kam_fail(ctx->err, KAM_ETOOBIG, "", "the quote is too large");
    return KAM_OK;
}

/* ---- the workbook ---- */

static enum kam_err xlsx_fail(struct kam_ctx *ctx, lxw_error err)
{
    return kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be written: %s",
                    lxw_strerror(err));
}

static enum kam_err read_file(struct kam_ctx *ctx, const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be read back");
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(out, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad || !buf_ok(out))
        return kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be read back");
    return KAM_OK;
}

static lxw_error fill_xlsx(struct kam_ctx *ctx, const struct quote_doc *d, lxw_workbook *wb)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, word(d, W_QUOTE));
    if (!ws)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *title = workbook_add_format(wb);
    format_set_bold(title);
    format_set_font_size(title, 16);
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xEEF2F8);
    format_set_bottom(head, LXW_BORDER_THIN);
    /* money in the currency's minor-unit decimals (JPY none, KWD three) */
    const char *money_fmt = d->digits == 0 ? "#,##0" : d->digits == 3 ? "#,##0.000" : "#,##0.00";
    double scale = d->digits == 0 ? 1.0 : d->digits == 3 ? 1000.0 : 100.0;
    lxw_format *money = workbook_add_format(wb);
    format_set_num_format(money, money_fmt);
    lxw_format *money_bold = workbook_add_format(wb);
    format_set_num_format(money_bold, money_fmt);
    format_set_bold(money_bold);
    lxw_format *qty = workbook_add_format(wb);
    format_set_num_format(qty, "#,##0.###");
    lxw_format *pct = workbook_add_format(wb);
    format_set_num_format(pct, "0.00%");
    lxw_format *wrap = workbook_add_format(wb);
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    lxw_format *indent = workbook_add_format(wb);
    format_set_indent(indent, 2);
    format_set_font_color(indent, 0x555555);
    worksheet_set_column(ws, 0, 0, 5, NULL);
    worksheet_set_column(ws, 1, 1, 16, NULL);
    worksheet_set_column(ws, 2, 2, 40, NULL);
    worksheet_set_column(ws, 3, 3, 10, NULL);
    worksheet_set_column(ws, 4, 6, 14, NULL);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_set_portrait(ws);
    worksheet_fit_to_pages(ws, 1, 0);

    lxw_row_t r = 0;
    lxw_error e = LXW_NO_ERROR;
    if (d->unofficial) {
        lxw_format *draft = workbook_add_format(wb);
        format_set_bold(draft);
        format_set_font_size(draft, 14);
        format_set_font_color(draft, 0xC0392B);
        e = worksheet_write_string(ws, r++, 0, word(d, W_DRAFT), draft);
    }
    if (company_name(d)[0])
        e = e ? e : worksheet_write_string(ws, r++, 0, company_name(d), title);
    if (company_address(d)[0])
        e = e ? e : worksheet_write_string(ws, r++, 0, company_address(d), NULL);
    const char *const *v = d->company.v;
    const int contact_fields[] = {6, 7, 8, 10};
    const int contact_words[] = {W_TEL, W_EMAIL, W_TAX_ID, -1};
    for (int i = 0; i < 4 && !e; i++)
        if (v[contact_fields[i]][0]) {
            if (contact_words[i] >= 0)
                e = worksheet_write_string(ws, r, 0, word(d, contact_words[i]), NULL);
            e = e ? e : worksheet_write_string(ws, r++, 2, v[contact_fields[i]], NULL);
        }
    r++;
    e = e ? e : worksheet_write_string(ws, r++, 0, word(d, W_QUOTE), title);
    struct {
        int w;
        const char *v;
    } kv[8];
    int nkv = 0;
    char date[64], valid[64], ver[32];
    quote_date(date, sizeof date, d->lang, d->price_date);
    quote_date(valid, sizeof valid, d->lang, d->valid_until);
    snprintf(ver, sizeof ver, "v%lld", (long long)d->version_no);
    kv[nkv].w = W_NUMBER, kv[nkv++].v = d->number;
    kv[nkv].w = W_VERSION, kv[nkv++].v = ver;
    kv[nkv].w = W_DATE, kv[nkv++].v = date;
    kv[nkv].w = W_VALID, kv[nkv++].v = valid;
    kv[nkv].w = W_CURRENCY, kv[nkv++].v = d->currency;
    kv[nkv].w = W_CUSTOMER, kv[nkv++].v = d->account_name;
    if (d->contact_name[0])
        kv[nkv].w = W_CONTACT, kv[nkv++].v = d->contact_name;
    kv[nkv].w = W_PREPARED_BY, kv[nkv++].v = d->owner_name;
    for (int i = 0; i < nkv && !e; i++) {
        e = worksheet_write_string(ws, r, 0, word(d, kv[i].w), bold);
        e = e ? e : worksheet_write_string(ws, r++, 2, kv[i].v, NULL);
    }
    if (d->title[0])
        e = e ? e : worksheet_write_string(ws, r++, 0, d->title, bold);
    r++;
    const int heads[] = {-1, W_CODE, W_ITEM, W_QTY, W_UNIT_PRICE, W_DISCOUNT, W_AMOUNT};
    for (int c = 0; c < 7 && !e; c++)
        e = worksheet_write_string(ws, r, (lxw_col_t)c, c ? word(d, heads[c]) : "#", head);
    worksheet_repeat_rows(ws, r, r);
    r++;
    for (int i = 0; i < d->nlines && !e; i++) {
        const struct quote_line *l = &d->lines[i];
        /* no fixed cap: a description may be 2,000 characters (6,000 bytes) */
        const char *name =
            arena_printf(ctx->a, "%s%s%s%s%s%s%s", l->name, l->description[0] ? "\n" : "",
                         l->description, l->sla[0] ? "\n" : "", l->sla[0] ? word(d, W_SLA) : "",
                         l->sla[0] ? colon(d) : "", l->sla);
        e = worksheet_write_number(ws, r, 0, i + 1, NULL);
        e = e ? e : worksheet_write_string(ws, r, 1, l->code, NULL);
        e = e ? e : worksheet_write_string(ws, r, 2, name, wrap);
        e = e ? e : worksheet_write_number(ws, r, 3, (double)l->quantity / 1000.0, qty);
        e = e ? e : worksheet_write_number(ws, r, 4, (double)l->unit_price / scale, money);
        if (l->discount_bp > 0)
            e = e ? e : worksheet_write_number(ws, r, 5, (double)l->discount_bp / 10000.0, pct);
        e = e ? e : worksheet_write_number(ws, r, 6, (double)l->amount / scale, money);
        r++;
        for (int k = 0; k < l->ncomponents && !e; k++) {
            const struct quote_component *c = &l->components[k];
            name = arena_printf(ctx->a, "%s%s%s (%s)", word(d, W_INCLUDES), colon(d), c->name,
                                word(d, W_PER_SET));
            e = worksheet_write_string(ws, r, 1, c->sku, indent);
            e = e ? e : worksheet_write_string(ws, r, 2, name, indent);
            e = e ? e : worksheet_write_number(ws, r++, 3, (double)c->quantity / 1000.0, qty);
        }
    }
    r++;
    if (!e && d->subtotal > d->total) {
        e = worksheet_write_string(ws, r, 5, word(d, W_SUBTOTAL), NULL);
        e = e ? e : worksheet_write_number(ws, r++, 6, (double)d->subtotal / scale, money);
        e = e ? e : worksheet_write_string(ws, r, 5, word(d, W_SAVING), NULL);
        e = e ? e
              : worksheet_write_number(ws, r++, 6, (double)(d->total - d->subtotal) / scale, money);
    }
    e = e ? e : worksheet_write_string(ws, r, 5, word(d, W_TOTAL), bold);
    e = e ? e : worksheet_write_number(ws, r++, 6, (double)d->total / scale, money_bold);
    if (!e && d->ncustoms) {
        r++;
        e = worksheet_write_string(ws, r++, 0, word(d, W_CUSTOMS), bold);
        for (int i = 0; i < d->ncustoms && !e; i++) {
            const struct quote_custom *c = &d->customs[i];
            e = worksheet_write_string(ws, r, 1, enum_word(d->lang, c->feasibility), NULL);
            e = e ? e : worksheet_write_string(ws, r, 2, c->request, wrap);
            e = e ? e : worksheet_write_string(ws, r++, 3, enum_word(d->lang, c->confirm_by), NULL);
        }
    }
    if (!e && d->terms[0]) {
        r++;
        e = worksheet_write_string(ws, r++, 0, word(d, W_TERMS), bold);
        e = e ? e : worksheet_write_string(ws, r++, 0, d->terms, wrap);
    }
    if (!e && v[9][0]) {
        e = worksheet_write_string(ws, r++, 0, word(d, W_BANK), bold);
        e = e ? e : worksheet_write_string(ws, r++, 0, v[9], wrap);
    }
    return e;
}

enum kam_err quote_doc_xlsx(struct kam_ctx *ctx, const struct quote_doc *d, struct buf *out)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/kam-quote-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return kam_fail(ctx->err, KAM_EIO, "", "cannot create a temporary file");
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    if (!wb) {
        unlink(path);
        return kam_fail(ctx->err, KAM_EIO, "", "cannot start the workbook");
    }
    enum kam_err rc = KAM_OK;
    lxw_error e = fill_xlsx(ctx, d, wb);
    if (e) {
        lxw_workbook_free(wb);
        rc = xlsx_fail(ctx, e);
    } else {
        e = workbook_close(wb);
        rc = e ? xlsx_fail(ctx, e) : read_file(ctx, path, out);
    }
    unlink(path);
    return rc;
}

const char *quote_doc_filename(struct kam_ctx *ctx, const struct quote_doc *d)
{
    char *s = arena_printf(ctx->a, "%s-v%lld", d->number, (long long)d->version_no);
    for (char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            *p = '_';
    return s;
}
