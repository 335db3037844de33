/* receivables.c -- invoices, payments, ageing, DSO (issue 16 item 2): decode, call
 * svc/risk/receivable and credit, render (docs/CREDIT.md). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/risk/credit.h"

void render_exposure(struct jw *w, const struct exposure *e);
void render_ageing(struct jw *w, const struct ageing *a);

const struct api_shape api_shapes_receivables[] = {
    {"ReceivableRow", "account_id:int account_name:str account_code:str owner_id:int? "
                      "owner_name:str limit_base:int? exposure:Exposure used_bp:int? "
                      "over_limit:bool ageing:Ageing dso:num?"},
    {"Allocation", "payment_id:int payment_no:str invoice_id:int invoice_no:str day:date "
                   "amount:int"},
    {"Invoice",
     "id:int invoice_no:str account_id:int account_name:str day:date due_day:date amount:int "
     "currency:str amount_base:int paid:int open:int open_base:int paid_on:date? "
     "status:str(open|overdue|paid) days_past_due:int "
     "bucket:str(not_due|1_30|31_60|61_90|over_90)? import_id:int? created_at:ts updated_at:ts "
     "allocations?:[Allocation]"},
    {"Payment", "id:int payment_no:str account_id:int account_name:str day:date amount:int "
                "currency:str amount_base:int invoice_id:int? invoice_no:str? unapplied:int "
                "import_id:int? created_at:ts allocations:[Allocation]"},
    {NULL, NULL},
};

static void render_alloc(struct jw *w, const struct allocation *a)
{
    jw_obj_begin(w);
    jw_ki64(w, "payment_id", a->payment_id);
    jw_kstr(w, "payment_no", a->payment_no);
    jw_ki64(w, "invoice_id", a->invoice_id);
    jw_kstr(w, "invoice_no", a->invoice_no);
    jw_kstr(w, "day", a->day);
    jw_ki64(w, "amount", a->amount);
    jw_obj_end(w);
}

static void render_invoice(struct jw *w, const struct invoice *x, int detail)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "invoice_no", x->invoice_no);
    jw_ki64(w, "account_id", x->account_id);
    jw_kstr(w, "account_name", x->account_name);
    jw_kstr(w, "day", x->day);
    jw_kstr(w, "due_day", x->due_day);
    jw_ki64(w, "amount", x->amount);
    jw_kstr(w, "currency", x->currency);
    jw_ki64(w, "amount_base", x->amount_base);
    jw_ki64(w, "paid", x->paid);
    jw_ki64(w, "open", x->open);
    jw_ki64(w, "open_base", x->open_base);
    jw_kstr(w, "paid_on", x->paid_on);
    jw_kstr(w, "status", x->status);
    jw_ki64(w, "days_past_due", x->open ? x->days_past_due : 0);
    jw_kstr(w, "bucket", x->bucket);
    jw_ki64n(w, "import_id", x->import_id, !x->has_import);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    if (detail) {
        jw_key(w, "allocations");
        jw_arr_begin(w);
        for (size_t i = 0; i < x->nallocations; i++)
            render_alloc(w, &x->allocations[i]);
        jw_arr_end(w);
    }
    jw_obj_end(w);
}

static void render_payment(struct jw *w, const struct payment *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "payment_no", x->payment_no);
    jw_ki64(w, "account_id", x->account_id);
    jw_kstr(w, "account_name", x->account_name);
    jw_kstr(w, "day", x->day);
    jw_ki64(w, "amount", x->amount);
    jw_kstr(w, "currency", x->currency);
    jw_ki64(w, "amount_base", x->amount_base);
    jw_ki64n(w, "invoice_id", x->invoice_id, !x->has_invoice);
    jw_kstr(w, "invoice_no", x->invoice_no);
    jw_ki64(w, "unapplied", x->unapplied);
    jw_ki64n(w, "import_id", x->import_id, !x->has_import);
    jw_ktime(w, "created_at", x->created_at);
    jw_key(w, "allocations");
    jw_arr_begin(w);
    for (size_t i = 0; i < x->nallocations; i++)
        render_alloc(w, &x->allocations[i]);
    jw_arr_end(w);
    jw_obj_end(w);
}

static enum kam_err flag01(struct api_call *c, const char *key, int *out)
{
    int64_t v = 0;
    enum kam_err rc = api_query_i64(c, key, 0, &v);
    if (rc)
        return rc;
    if (v < 0 || v > 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, key, "%s must be 0 or 1", key);
    *out = (int)v;
    return KAM_OK;
}

static enum kam_err receivables_list(struct api_call *c)
{
    struct receivable_query q = {0};
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc;
    if ((rc = flag01(c, "over_limit", &q.over_limit)) || (rc = flag01(c, "overdue", &q.overdue)) ||
        (rc = api_query_user(c, "owner_id", &q.owner_id)) ||
        (rc = api_query_i64(c, "limit", 0, &q.limit)))
        return rc;
    struct receivable_row *items;
    size_t n;
    const char *next;
    if ((rc = receivable_rows(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++) {
        const struct receivable_row *r = &items[i];
        struct jw *w = &c->w;
        jw_obj_begin(w);
        jw_ki64(w, "account_id", r->account_id);
        jw_kstr(w, "account_name", r->account_name);
        jw_kstr(w, "account_code", r->account_code);
        jw_ki64n(w, "owner_id", r->owner_id, !r->owner_id);
        jw_kstr(w, "owner_name", r->owner_name);
        jw_ki64n(w, "limit_base", r->limit_base, !r->has_limit);
        jw_key(w, "exposure");
        render_exposure(w, &r->exposure);
        jw_ki64n(w, "used_bp", r->used_bp, !r->has_used);
        jw_kbool(w, "over_limit", r->has_limit && r->exposure.total > r->limit_base);
        jw_key(w, "ageing");
        render_ageing(w, &r->ageing);
        jw_key(w, "dso");
        if (r->has_dso)
            jw_fixed(w, r->dso_tenths, 1);
        else
            jw_null(w);
        jw_obj_end(w);
    }
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err invoices_list(struct api_call *c)
{
    struct invoice_query q = {0};
    q.status = api_query_str(c, "status");
    q.bucket = api_query_str(c, "bucket");
    q.sort = api_query_str(c, "sort");
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc;
    if ((rc = api_query_i64(c, "account_id", 0, &q.account_id)) ||
        (rc = api_query_i64(c, "limit", 0, &q.limit)))
        return rc;
    struct invoice *items;
    size_t n;
    const char *next;
    if ((rc = invoice_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_invoice(&c->w, &items[i], 0);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err invoices_get(struct api_call *c)
{
    struct invoice x;
    enum kam_err rc = invoice_get(c->ctx, c->id[0], &x);
    if (!rc)
        render_invoice(&c->w, &x, 1);
    return rc;
}

static enum kam_err payments_list(struct api_call *c)
{
    struct payment_query q = {0};
    q.sort = api_query_str(c, "sort");
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc;
    if ((rc = api_query_i64(c, "account_id", 0, &q.account_id)) ||
        (rc = api_query_i64(c, "limit", 0, &q.limit)))
        return rc;
    struct payment *items;
    size_t n;
    const char *next;
    if ((rc = payment_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_payment(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static const char *const recv_query[] = {"over_limit", "overdue", "owner_id",
                                         "limit",      "cursor",  NULL};
static const char *const inv_query[] = {"account_id", "status", "bucket", "sort",
                                        "limit",      "cursor", NULL};
static const char *const pay_query[] = {"account_id", "sort", "limit", "cursor", NULL};
/* Written once, before main, by init_queries(). */
static const char *recv_export_query[API_EXPORT_QUERY_MAX];
static const char *inv_export_query[API_EXPORT_QUERY_MAX];
static const char *pay_export_query[API_EXPORT_QUERY_MAX];

#define EXPORT_DOC                                                                                 \
    " over all its pages, with its filters and sort, as a file: format=csv (default) or xlsx; "    \
    "columns=key[:label],...; lang=zh-CN|zh-TW|en; raw=1 keeps stored values"

const struct route api_routes_receivables[] = {
    {"GET", "/api/v1/receivables", receivables_list, OBJ_RECEIVABLE, ACT_READ, SCOPE_NONE, NULL,
     recv_query, 200,
     "Receivables per account (the caller's accounts with a credit limit or an invoice): limit, "
     "exposure, used %, ageing buckets, DSO; most overdue first; over_limit=1, overdue=1, "
     "owner_id (or me); keyset paging",
     "[ReceivableRow]"},
    {"GET", "/api/v1/receivables/export", api_list_export, OBJ_RECEIVABLE, ACT_READ, SCOPE_NONE,
     NULL, recv_export_query, 200, "The receivables list" EXPORT_DOC, "csv"},
    {"GET", "/api/v1/invoices", invoices_list, OBJ_RECEIVABLE, ACT_READ, SCOPE_NONE, NULL,
     inv_query, 200,
     "Invoices of the caller's accounts: account_id, status (open|overdue|paid), bucket "
     "(not_due|1_30|31_60|61_90|over_90); sort due_day | day | id ('-' descending); keyset "
     "paging",
     "[Invoice]"},
    {"GET", "/api/v1/invoices/export", api_list_export, OBJ_RECEIVABLE, ACT_READ, SCOPE_NONE, NULL,
     inv_export_query, 200, "The invoices list" EXPORT_DOC, "csv"},
    {"GET", "/api/v1/invoices/:id", invoices_get, OBJ_RECEIVABLE, ACT_READ, SCOPE_INVOICE, NULL,
     NULL, 200, "One invoice with the payments applied to it", "Invoice"},
    {"GET", "/api/v1/payments", payments_list, OBJ_RECEIVABLE, ACT_READ, SCOPE_NONE, NULL,
     pay_query, 200,
     "Payments of the caller's accounts with what each was applied to: account_id; sort day | id "
     "(default -day); keyset paging",
     "[Payment]"},
    {"GET", "/api/v1/payments/export", api_list_export, OBJ_RECEIVABLE, ACT_READ, SCOPE_NONE, NULL,
     pay_export_query, 200, "The payments list" EXPORT_DOC, "csv"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/receivables/export", recv_export_query);
    api_list_export_query("/api/v1/invoices/export", inv_export_query);
    api_list_export_query("/api/v1/payments/export", pay_export_query);
}
