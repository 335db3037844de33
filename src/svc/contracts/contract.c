/* contract.c -- contracts: terms, amendments as versions, the status machine, renewal and the
 * scheduler's status pass (contract.h). Obligations: obligation.c. */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/jw.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/group.h"
#include "svc/core/notify.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/search.h"
#include "svc/core/settings.h"
#include "svc/core/update.h"

const char *const contract_kinds[] = {"framework", "supply", "service", "distribution", NULL};
const char *const contract_statuses[] = {"draft",      "active",  "expiring", "expired",
                                         "terminated", "renewed", NULL};

/* ---- dates ---- */

static int64_t day_no(const char *s, int *ok)
{
    int y, m, d;
    if (!s || date_parse(s, &y, &m, &d)) {
        *ok = 0;
        return 0;
    }
    *ok = 1;
    return date_to_days(y, m, d);
}

static const char *day_str(struct kam_ctx *ctx, int64_t days)
{
    int y, m, d;
    days_to_date(days, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

const char *contract_today(struct kam_ctx *ctx)
{
    int64_t t = ctx->now + 8 * 3600;
    int64_t days = t / 86400;
    if (t < 0 && t % 86400)
        days--;
    return day_str(ctx, days);
}

static int month_len(int y, int m)
{
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return len[m - 1];
}

const char *contract_add_months(struct kam_ctx *ctx, const char *day, int64_t months)
{
    int y, m, d;
    if (!day || date_parse(day, &y, &m, &d) || months < -120000 || months > 120000)
        return NULL;
    int64_t idx = (int64_t)y * 12 + (m - 1) + months;
    int64_t ny = idx / 12;
    int nm = (int)(idx % 12) + 1;
    if (ny < 1 || ny > 9999)
        return NULL;
    int ml = month_len((int)ny, nm);
    return arena_printf(ctx->a, "%04d-%02d-%02d", (int)ny, nm, d > ml ? ml : d);
}

const char *contract_renewed_end(struct kam_ctx *ctx, const char *ends_on, int64_t months)
{
    int y, m, d;
    if (!ends_on || date_parse(ends_on, &y, &m, &d))
        return NULL;
    const char *e = contract_add_months(ctx, ends_on, months);
    if (!e || d != month_len(y, m))
        return e;
    /* a term ending at a month's end ends at a month's end again */
    int ny, nm, nd;
    if (date_parse(e, &ny, &nm, &nd))
        return NULL;
    return arena_printf(ctx->a, "%04d-%02d-%02d", ny, nm, month_len(ny, nm));
}

const char *contract_add_days(struct kam_ctx *ctx, const char *day, int64_t days)
{
    int ok;
    int64_t n = day_no(day, &ok);
    if (!ok)
        return NULL;
    int y, m, d;
    days_to_date(n + days, &y, &m, &d);
    if (y < 1 || y > 9999)
        return NULL;
    return day_str(ctx, n + days);
}

int64_t contract_days_between(const char *a, const char *b)
{
    int oka, okb;
    int64_t x = day_no(a, &oka), y = day_no(b, &okb);
    return oka && okb ? y - x : 0;
}

/* ---- rows ---- */

#define CCOLS                                                                                      \
    "c.id, c.account_id, c.covers_group, c.number, c.title, c.kind, c.our_party, c.their_party, "  \
    "c.our_signatory, c.their_signatory, c.signatory_contact_id, c.signed_on, c.starts_on, "       \
    "c.ends_on, c.auto_renew, c.renewal_months, c.notice_days, c.remind_days, c.reminded_for, "    \
    "c.currency, c.price_list_id, c.payment_days, c.sla_response_hours, c.sla_resolution_hours, "  \
    "c.status, c.status_note, c.renewed_to, c.owner_id, c.note, c.revision, c.created_by, "        \
    "c.version, c.created_at, c.updated_at, accounts.name, (SELECT COUNT(*) FROM "                 \
    "contract_breaches b WHERE b.contract_id = c.id AND b.status IN ('detected', 'confirmed', "    \
    "'action'))"
#define CFROM " FROM contracts c JOIN accounts ON accounts.id = c.account_id"

static int64_t opt_i64(struct db_stmt *st, int col, int *has)
{
    *has = !db_col_is_null(st, col);
    return *has ? db_col_i64(st, col) : 0;
}

static const char *opt_text(struct kam_ctx *ctx, struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? NULL : arena_strdup(ctx->a, db_col_text(st, col));
}

static void derive(struct kam_ctx *ctx, struct contract *x)
{
    x->notice_on = contract_add_days(ctx, x->ends_on, -x->notice_days);
    if (!x->notice_on)
        x->notice_on = x->ends_on;
    x->days_to_notice = contract_days_between(contract_today(ctx), x->notice_on);
}

static void contract_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct contract *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->account_id = db_col_i64(st, 1);
    x->covers_group = db_col_i64(st, 2) != 0;
    x->number = arena_strdup(ctx->a, db_col_text(st, 3));
    x->title = arena_strdup(ctx->a, db_col_text(st, 4));
    x->kind = arena_strdup(ctx->a, db_col_text(st, 5));
    x->our_party = arena_strdup(ctx->a, db_col_text(st, 6));
    x->their_party = arena_strdup(ctx->a, db_col_text(st, 7));
    x->our_signatory = arena_strdup(ctx->a, db_col_text(st, 8));
    x->their_signatory = arena_strdup(ctx->a, db_col_text(st, 9));
    x->signatory_contact_id = opt_i64(st, 10, &x->has_signatory_contact);
    x->signed_on = opt_text(ctx, st, 11);
    x->starts_on = arena_strdup(ctx->a, db_col_text(st, 12));
    x->ends_on = arena_strdup(ctx->a, db_col_text(st, 13));
    x->auto_renew = db_col_i64(st, 14) != 0;
    x->renewal_months = db_col_i64(st, 15);
    x->notice_days = db_col_i64(st, 16);
    x->remind_days = db_col_i64(st, 17);
    x->reminded_for = opt_text(ctx, st, 18);
    x->currency = arena_strdup(ctx->a, db_col_text(st, 19));
    x->price_list_id = opt_i64(st, 20, &x->has_price_list);
    x->payment_days = opt_i64(st, 21, &x->has_payment_days);
    x->sla_response_hours = opt_i64(st, 22, &x->has_sla_response);
    x->sla_resolution_hours = opt_i64(st, 23, &x->has_sla_resolution);
    x->status = arena_strdup(ctx->a, db_col_text(st, 24));
    x->status_note = arena_strdup(ctx->a, db_col_text(st, 25));
    x->renewed_to = opt_i64(st, 26, &x->has_renewed_to);
    x->owner_id = opt_i64(st, 27, &x->has_owner);
    x->note = arena_strdup(ctx->a, db_col_text(st, 28));
    x->revision = db_col_i64(st, 29);
    x->created_by = opt_i64(st, 30, &x->has_created_by);
    x->version = db_col_i64(st, 31);
    x->created_at = db_col_i64(st, 32);
    x->updated_at = db_col_i64(st, 33);
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 34));
    x->open_breaches = db_col_i64(st, 35);
    derive(ctx, x);
}

/* The row alone, without its obligations. */
static enum kam_err contract_load(struct kam_ctx *ctx, int64_t id, struct contract *out)
{
    return row_get(ctx, "SELECT " CCOLS CFROM " WHERE c.id = ?", id, contract_row, out, "contract");
}

enum kam_err contract_get(struct kam_ctx *ctx, int64_t id, struct contract *out)
{
    enum kam_err rc = contract_load(ctx, id, out);
    if (!rc)
        rc = obligation_list(ctx, id, &out->obligations, &out->n_obligations);
    return rc;
}

/* ---- checks ---- */

static enum kam_err required(struct kam_ctx *ctx, const char *field)
{
    return kam_fail_key(ctx->err, KAM_EINVAL, field, "required",
                        (struct kam_param[]){{"field", field}, {0}}, "%s is required", field);
}

static enum kam_err conflict(struct kam_ctx *ctx, const char *field, const char *key,
                             const char *msg)
{
    return kam_fail_key(ctx->err, KAM_ECONFLICT, field, key, NULL, "%s", msg);
}

/* A currency is known when it is the base currency or has an exchange rate. */
static enum kam_err currency_known(struct kam_ctx *ctx, const char *field, const char *cur)
{
    enum kam_err rc = check_currency(ctx, field, cur);
    if (rc)
        return rc;
    const char *base;
    if ((rc = settings_get(ctx, "base_currency", "CNY", &base)))
        return rc;
    if (!strcmp(base, cur))
        return KAM_OK;
    int64_t n = 0;
    rc = row_i64_text(ctx, "SELECT COUNT(*) FROM fx_rates WHERE currency = ? AND rate_micro > 0",
                      cur, &n);
    if (rc)
        return rc;
    if (!n)
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "contract.unknown_currency",
                            (struct kam_param[]){{"field", field}, {"currency", cur}, {0}},
                            "%s: no exchange rate for %s", field, cur);
    return KAM_OK;
}

static enum kam_err number_free(struct kam_ctx *ctx, const char *number, int64_t self)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT COUNT(*) FROM contracts WHERE number = ? AND id <> ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, number);
    db_bind_i64(st, 2, self);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t n = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    if (rc || !n)
        return rc;
    return kam_fail_key(ctx->err, KAM_ECONFLICT, "number", "contract.number_taken",
                        (struct kam_param[]){{"number", number}, {0}},
                        "contract number %s is already taken", number);
}

static enum kam_err bad(struct kam_ctx *ctx, const char *field, const char *key, const char *msg)
{
    return kam_fail_key(ctx->err, KAM_EINVAL, field, key,
                        (struct kam_param[]){{"field", field}, {0}}, "%s: %s", field, msg);
}

/* The price list: scope 'account' naming the account, or 'group' naming the account or one of
 * its ancestors (its group head), in the contract's currency. */
static enum kam_err check_price_list(struct kam_ctx *ctx, const struct contract *x)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT COUNT(*) FROM price_lists l WHERE l.id = ? AND l.currency = ? AND ((l.scope = "
        "'account' AND l.account_id = ?) OR (l.scope = 'group' AND l.account_id IN (WITH "
        "RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM accounts WHERE id = ? UNION "
        "SELECT a.id, a.parent_id FROM accounts a JOIN up ON a.id = up.parent_id) SELECT id FROM "
        "up)))",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->price_list_id);
    db_bind_text(st, 2, x->currency);
    db_bind_i64(st, 3, x->account_id);
    db_bind_i64(st, 4, x->account_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t n = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    if (rc || n)
        return rc;
    return bad(ctx, "price_list_id", "contract.price_list",
               "must be a price list of this account or its group, in the contract's currency");
}

static enum kam_err check_contract(struct kam_ctx *ctx, const struct contract *x)
{
    enum kam_err rc;
    if ((rc = check_line(ctx, "number", x->number, CONTRACT_NUMBER_MAX)) ||
        (rc = check_line(ctx, "title", x->title, CONTRACT_TITLE_MAX)) ||
        (rc = check_enum(ctx, "kind", x->kind, contract_kinds)) ||
        (rc = check_text(ctx, "our_party", x->our_party, 0, CONTRACT_PARTY_MAX, CHECK_LINE)) ||
        (rc = check_text(ctx, "their_party", x->their_party, 0, CONTRACT_PARTY_MAX, CHECK_LINE)) ||
        (rc = check_text(ctx, "our_signatory", x->our_signatory, 0, CONTRACT_SIGNATORY_MAX,
                         CHECK_LINE)) ||
        (rc = check_text(ctx, "their_signatory", x->their_signatory, 0, CONTRACT_SIGNATORY_MAX,
                         CHECK_LINE)) ||
        (x->signed_on && (rc = check_date(ctx, "signed_on", x->signed_on))) ||
        (rc = check_date(ctx, "starts_on", x->starts_on)) ||
        (rc = check_date(ctx, "ends_on", x->ends_on)) ||
        (rc = check_range(ctx, "renewal_months", x->renewal_months, 1, CONTRACT_MONTHS_MAX)) ||
        (rc = check_range(ctx, "notice_days", x->notice_days, 0, CONTRACT_DAYS_MAX)) ||
        (rc = check_range(ctx, "remind_days", x->remind_days, 0, CONTRACT_DAYS_MAX)) ||
        (x->has_payment_days &&
         (rc = check_range(ctx, "payment_days", x->payment_days, 0, CONTRACT_DAYS_MAX))) ||
        (x->has_sla_response && (rc = check_range(ctx, "sla_response_hours", x->sla_response_hours,
                                                  1, CONTRACT_HOURS_MAX))) ||
        (x->has_sla_resolution &&
         (rc = check_range(ctx, "sla_resolution_hours", x->sla_resolution_hours, 1,
                           CONTRACT_HOURS_MAX))) ||
        (rc = check_text(ctx, "note", x->note, 0, CONTRACT_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    if (strcmp(x->starts_on, x->ends_on) > 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, "ends_on", "contract.ends_before_start", NULL,
                            "ends_on is before starts_on");
    if ((rc = currency_known(ctx, "currency", x->currency)))
        return rc;
    if (x->covers_group) {
        int64_t subs = 0;
        if ((rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM accounts WHERE parent_id = ?", 1,
                               x->account_id, &subs, ctx->err)))
            return rc;
        if (!subs)
            return kam_fail_key(ctx->err, KAM_EINVAL, "covers_group", "contract.not_group", NULL,
                                "covers_group needs a group's head account (one with "
                                "subsidiaries)");
    }
    if (x->has_signatory_contact) {
        int64_t acc = 0;
        rc = db_query_i64(ctx->db, "SELECT account_id FROM contacts WHERE id = ?", 1,
                          x->signatory_contact_id, &acc, ctx->err);
        if (rc == KAM_ENOTFOUND || (!rc && acc != x->account_id)) {
            kam_error_clear(ctx->err);
            return bad(ctx, "signatory_contact_id", "contract.not_account_contact",
                       "must be a contact of the contract's account");
        }
        if (rc)
            return rc;
    }
    if (x->has_price_list && (rc = check_price_list(ctx, x)))
        return rc;
    if (x->has_owner) {
        int yes = 0;
        if ((rc = policy_user_may(ctx, x->owner_id, OBJ_CONTRACT, ACT_READ, x->account_id, &yes)))
            return rc;
        if (!yes)
            return bad(ctx, "owner_id", "contract.bad_owner",
                       "must be an active user who may read this account's contracts");
    }
    return number_free(ctx, x->number, x->id);
}

static void merge_contract(struct contract *x, const struct contract_in *in)
{
    const struct contract *v = &in->v;
    unsigned s = in->set;
    if (s & CT_ACCOUNT)
        x->account_id = v->account_id;
    if (s & CT_COVERS_GROUP)
        x->covers_group = v->covers_group;
    if (s & CT_NUMBER)
        x->number = v->number;
    if (s & CT_TITLE)
        x->title = v->title;
    if (s & CT_KIND)
        x->kind = v->kind;
    if (s & CT_OUR_PARTY)
        x->our_party = v->our_party ? v->our_party : "";
    if (s & CT_THEIR_PARTY)
        x->their_party = v->their_party ? v->their_party : "";
    if (s & CT_OUR_SIGNATORY)
        x->our_signatory = v->our_signatory ? v->our_signatory : "";
    if (s & CT_THEIR_SIGNATORY)
        x->their_signatory = v->their_signatory ? v->their_signatory : "";
    if (s & CT_SIGNATORY_CONTACT) {
        x->has_signatory_contact = v->has_signatory_contact;
        x->signatory_contact_id = v->has_signatory_contact ? v->signatory_contact_id : 0;
    }
    if (s & CT_SIGNED_ON)
        x->signed_on = v->signed_on;
    if (s & CT_STARTS_ON)
        x->starts_on = v->starts_on;
    if (s & CT_ENDS_ON)
        x->ends_on = v->ends_on;
    if (s & CT_AUTO_RENEW)
        x->auto_renew = v->auto_renew;
    if (s & CT_RENEWAL_MONTHS)
        x->renewal_months = v->renewal_months;
    if (s & CT_NOTICE_DAYS)
        x->notice_days = v->notice_days;
    if (s & CT_REMIND_DAYS)
        x->remind_days = v->remind_days;
    if (s & CT_CURRENCY)
        x->currency = v->currency;
    if (s & CT_PRICE_LIST) {
        x->has_price_list = v->has_price_list;
        x->price_list_id = v->has_price_list ? v->price_list_id : 0;
    }
    if (s & CT_PAYMENT_DAYS) {
        x->has_payment_days = v->has_payment_days;
        x->payment_days = v->has_payment_days ? v->payment_days : 0;
    }
    if (s & CT_SLA_RESPONSE) {
        x->has_sla_response = v->has_sla_response;
        x->sla_response_hours = v->has_sla_response ? v->sla_response_hours : 0;
    }
    if (s & CT_SLA_RESOLUTION) {
        x->has_sla_resolution = v->has_sla_resolution;
        x->sla_resolution_hours = v->has_sla_resolution ? v->sla_resolution_hours : 0;
    }
    if (s & CT_OWNER) {
        x->has_owner = v->has_owner;
        x->owner_id = v->has_owner ? v->owner_id : 0;
    }
    if (s & CT_NOTE)
        x->note = v->note ? v->note : "";
}

static void contract_diff(struct audit_diff *d, const struct contract *b, const struct contract *a)
{
#define DS(f) audit_diff_str(d, #f, b ? b->f : NULL, a ? a->f : NULL)
#define DI(f) audit_diff_i64(d, #f, b ? b->f : 0, !b, a ? a->f : 0, !a)
#define DN(f, h) audit_diff_i64(d, #f, b ? b->f : 0, !b || !b->h, a ? a->f : 0, !a || !a->h)
    DI(account_id);
    DI(covers_group);
    DS(number);
    DS(title);
    DS(kind);
    DS(our_party);
    DS(their_party);
    DS(our_signatory);
    DS(their_signatory);
    DN(signatory_contact_id, has_signatory_contact);
    DS(signed_on);
    DS(starts_on);
    DS(ends_on);
    DI(auto_renew);
    DI(renewal_months);
    DI(notice_days);
    DI(remind_days);
    DS(currency);
    DN(price_list_id, has_price_list);
    DN(payment_days, has_payment_days);
    DN(sla_response_hours, has_sla_response);
    DN(sla_resolution_hours, has_sla_resolution);
    DS(status);
    DS(status_note);
    DN(renewed_to, has_renewed_to);
    DN(owner_id, has_owner);
    DS(note);
    DI(revision);
#undef DS
#undef DI
#undef DN
}

/* Binds the 24 stored fields from account_id to note, at 1..24. */
static void bind_fields(struct db_stmt *st, const struct contract *x)
{
    db_bind_i64(st, 1, x->account_id);
    db_bind_i64(st, 2, x->covers_group);
    db_bind_text(st, 3, x->number);
    db_bind_text(st, 4, x->title);
    db_bind_text(st, 5, x->kind);
    db_bind_text(st, 6, x->our_party);
    db_bind_text(st, 7, x->their_party);
    db_bind_text(st, 8, x->our_signatory);
    db_bind_text(st, 9, x->their_signatory);
    db_bind_i64n(st, 10, x->signatory_contact_id, !x->has_signatory_contact);
    db_bind_text(st, 11, x->signed_on);
    db_bind_text(st, 12, x->starts_on);
    db_bind_text(st, 13, x->ends_on);
    db_bind_i64(st, 14, x->auto_renew);
    db_bind_i64(st, 15, x->renewal_months);
    db_bind_i64(st, 16, x->notice_days);
    db_bind_i64(st, 17, x->remind_days);
    db_bind_text(st, 18, x->currency);
    db_bind_i64n(st, 19, x->price_list_id, !x->has_price_list);
    db_bind_i64n(st, 20, x->payment_days, !x->has_payment_days);
    db_bind_i64n(st, 21, x->sla_response_hours, !x->has_sla_response);
    db_bind_i64n(st, 22, x->sla_resolution_hours, !x->has_sla_resolution);
    db_bind_i64n(st, 23, x->owner_id, !x->has_owner);
    db_bind_text(st, 24, x->note);
}

#define FIELD_COLS                                                                                 \
    "account_id, covers_group, number, title, kind, our_party, their_party, our_signatory, "       \
    "their_signatory, signatory_contact_id, signed_on, starts_on, ends_on, auto_renew, "           \
    "renewal_months, notice_days, remind_days, currency, price_list_id, payment_days, "            \
    "sla_response_hours, sla_resolution_hours, owner_id, note"

/* The terms as JSON: the contract's fields and its active obligations. */
static const char *terms_json(struct kam_ctx *ctx, const struct contract *x,
                              const struct obligation *obl, size_t n)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    struct jw w;
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_kstr(&w, "number", x->number);
    jw_kstr(&w, "title", x->title);
    jw_kstr(&w, "kind", x->kind);
    jw_kbool(&w, "covers_group", x->covers_group);
    jw_kstr(&w, "our_party", x->our_party);
    jw_kstr(&w, "their_party", x->their_party);
    jw_kstr(&w, "our_signatory", x->our_signatory);
    jw_kstr(&w, "their_signatory", x->their_signatory);
    jw_ki64n(&w, "signatory_contact_id", x->signatory_contact_id, !x->has_signatory_contact);
    jw_kstr(&w, "signed_on", x->signed_on);
    jw_kstr(&w, "starts_on", x->starts_on);
    jw_kstr(&w, "ends_on", x->ends_on);
    jw_kbool(&w, "auto_renew", x->auto_renew);
    jw_ki64(&w, "renewal_months", x->renewal_months);
    jw_ki64(&w, "notice_days", x->notice_days);
    jw_ki64(&w, "remind_days", x->remind_days);
    jw_kstr(&w, "currency", x->currency);
    jw_ki64n(&w, "price_list_id", x->price_list_id, !x->has_price_list);
    jw_ki64n(&w, "payment_days", x->payment_days, !x->has_payment_days);
    jw_ki64n(&w, "sla_response_hours", x->sla_response_hours, !x->has_sla_response);
    jw_ki64n(&w, "sla_resolution_hours", x->sla_resolution_hours, !x->has_sla_resolution);
    jw_key(&w, "obligations");
    jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++) {
        const struct obligation *o = &obl[i];
        if (!o->active)
            continue;
        jw_obj_begin(&w);
        jw_ki64(&w, "id", o->id);
        jw_kstr(&w, "side", o->side);
        jw_kstr(&w, "kind", o->kind);
        jw_kstr(&w, "title", o->title);
        jw_kstr(&w, "family", o->family);
        jw_kstr(&w, "measure", o->measure);
        jw_kstr(&w, "period", o->period);
        jw_ki64n(&w, "target", o->target, !o->has_target);
        jw_ki64(&w, "tolerance_bp", o->tolerance_bp);
        jw_ki64n(&w, "days", o->days, !o->has_days);
        jw_ki64n(&w, "response_hours", o->response_hours, !o->has_response);
        jw_ki64n(&w, "resolution_hours", o->resolution_hours, !o->has_resolution);
        jw_kstr(&w, "due_on", o->due_on);
        jw_kstr(&w, "recurrence", o->recurrence);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    const char *s = b.overflow ? "{}" : arena_strdup(ctx->a, b.data ? b.data : "{}");
    buf_release(&b);
    return s;
}

/* Writes the version row of x's current revision (x as stored, with its obligations). */
static enum kam_err write_version(struct kam_ctx *ctx, int64_t id, const char *effective_on,
                                  const char *note)
{
    struct contract x;
    enum kam_err rc = contract_get(ctx, id, &x);
    if (rc)
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO contract_versions (contract_id, revision, effective_on, "
                         "note, terms, created_by, created_at) VALUES (?,?,?,?,?,?,?)",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, x.revision);
    db_bind_text(st, 3, effective_on);
    db_bind_text(st, 4, note ? note : "");
    db_bind_text(st, 5, terms_json(ctx, &x, x.obligations, x.n_obligations));
    db_bind_i64n(st, 6, ctx->who.user_id, ctx->who.user_id <= 0);
    db_bind_i64(st, 7, ctx->now);
    return db_run(st, ctx->err);
}

/* ---- create ---- */

enum kam_err contract_create(struct kam_ctx *ctx, const struct contract_in *in,
                             struct contract *out)
{
    struct contract x = {.our_party = "",
                         .their_party = "",
                         .our_signatory = "",
                         .their_signatory = "",
                         .renewal_months = 12,
                         .notice_days = 30,
                         .remind_days = 30,
                         .status = "draft",
                         .status_note = "",
                         .note = "",
                         .revision = 1};
    if (ctx->who.user_id > 0) {
        x.has_owner = 1;
        x.owner_id = ctx->who.user_id;
    }
    merge_contract(&x, in);
    static const struct {
        unsigned bit;
        const char *field;
    } req[] = {{CT_ACCOUNT, "account_id"}, {CT_NUMBER, "number"},       {CT_TITLE, "title"},
               {CT_KIND, "kind"},          {CT_STARTS_ON, "starts_on"}, {CT_ENDS_ON, "ends_on"},
               {CT_CURRENCY, "currency"}};
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (!(in->set & req[i].bit))
            return required(ctx, req[i].field);
    enum kam_err rc =
        policy_body_account(ctx, "account_id", x.account_id, OBJ_CONTRACT, ACT_CREATE);
    if (rc)
        return rc;
    if (in->n_obligations > CONTRACT_OBLIGATIONS_MAX)
        return kam_fail(ctx->err, KAM_EINVAL, "obligations", "at most %d obligations",
                        CONTRACT_OBLIGATIONS_MAX);
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = check_contract(ctx, &x)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO contracts (" FIELD_COLS
                         ", updated_at, created_by, created_at, status, revision, version) "
                         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'draft',"
                         "1,1) RETURNING id",
                         &st, ctx->err)))
        goto out;
    bind_fields(st, &x);
    db_bind_i64(st, 25, ctx->now);
    db_bind_i64n(st, 26, ctx->who.user_id, ctx->who.user_id <= 0);
    db_bind_i64(st, 27, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    contract_diff(&d, NULL, &x);
    if ((rc = audit_write(ctx, "contract", x.id, x.account_id, "create", &d)) ||
        (rc = search_sync(ctx, "contract", x.id)))
        goto out;
    if (in->set & CT_OBLIGATIONS) {
        struct contract c;
        if ((rc = contract_load(ctx, x.id, &c)) ||
            (rc = obligation_replace(ctx, &c, in->obligations, in->n_obligations)))
            goto out;
    }
    rc = contract_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- update ---- */

static int is_open(const char *status)
{
    return !strcmp(status, "active") || !strcmp(status, "expiring");
}

/* Terms of a contract that is not a draft: 409 amend_active (open) or closed. */
static enum kam_err terms_locked(struct kam_ctx *ctx, const struct contract *b)
{
    if (is_open(b->status))
        return conflict(ctx, "status", "contract.amend_active",
                        "the contract is in force: its terms change only through an amendment");
    return conflict(ctx, "status", "contract.closed", "the contract has ended: it cannot change");
}

struct ct_update {
    const struct contract_in *in;
    const char *obl_before, *obl_after; /* the obligations' JSON around a replacement */
};

static enum kam_err ct_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return contract_load(ctx, id, rec);
}

static enum kam_err ct_merge(const struct update_op *op, void *rec)
{
    const struct ct_update *u = op->in;
    struct contract *x = rec;
    const struct contract *b = op->before;
    if ((u->in->set & CT_ACCOUNT) && u->in->v.account_id != b->account_id)
        return kam_fail(op->ctx->err, KAM_EINVAL, "account_id",
                        "a contract's account cannot "
                        "change");
    merge_contract(x, u->in);
    if (strcmp(b->status, "draft")) {
        /* owner and note change in any status; the terms only in a draft */
        struct contract t = *x;
        t.has_owner = b->has_owner;
        t.owner_id = b->owner_id;
        t.note = b->note;
        struct audit_diff d;
        audit_diff_init(&d);
        contract_diff(&d, b, &t);
        int changed = d.n > 0;
        audit_diff_release(&d);
        if (changed)
            return terms_locked(op->ctx, b);
    }
    return check_contract(op->ctx, x);
}

static void ct_diff(const struct update_op *op)
{
    contract_diff(op->diff, op->before, op->after);
    const struct ct_update *u = op->in;
    if (u && u->obl_before && u->obl_after)
        audit_diff_str(op->diff, "obligations", u->obl_before, u->obl_after);
}

static enum kam_err ct_write(const struct update_op *op)
{
    const struct contract *x = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        op->ctx->db,
        "UPDATE contracts SET account_id = ?, covers_group = ?, number = ?, title = ?, kind = ?, "
        "our_party = ?, their_party = ?, our_signatory = ?, their_signatory = ?, "
        "signatory_contact_id = ?, signed_on = ?, starts_on = ?, ends_on = ?, auto_renew = ?, "
        "renewal_months = ?, notice_days = ?, remind_days = ?, currency = ?, price_list_id = ?, "
        "payment_days = ?, sla_response_hours = ?, sla_resolution_hours = ?, owner_id = ?, note "
        "= ?, status = ?, status_note = ?, revision = ?, renewed_to = ?, updated_at = ?, version "
        "= version + 1 WHERE id = ? AND version = ?",
        &st, op->ctx->err);
    if (rc)
        return rc;
    bind_fields(st, x);
    db_bind_text(st, 25, x->status);
    db_bind_text(st, 26, x->status_note);
    db_bind_i64(st, 27, x->revision);
    db_bind_i64n(st, 28, x->renewed_to, !x->has_renewed_to);
    db_bind_i64(st, 29, op->ctx->now);
    db_bind_i64(st, 30, x->id);
    db_bind_i64(st, 31, b->version);
    return db_run(st, op->ctx->err);
}

static int64_t ct_account(const void *rec)
{
    return ((const struct contract *)rec)->account_id;
}

/* The search index row follows every write of the row (its version with it). */
static enum kam_err ct_after(const struct update_op *op)
{
    return search_sync(op->ctx, "contract", op->id);
}

static const struct update_spec contract_spec = {
    .entity = "contract",
    .size = sizeof(struct contract),
    .versioned = 1,
    .version_at = offsetof(struct contract, version),
    .get = ct_get,
    .merge = ct_merge,
    .diff = ct_diff,
    .write = ct_write,
    .account_of = ct_account,
    .after = ct_after,
};

static const char *obligations_json(struct kam_ctx *ctx, const struct contract *c)
{
    struct contract x = *c;
    const char *t = terms_json(ctx, &x, c->obligations, c->n_obligations);
    const char *p = strstr(t, "\"obligations\":");
    if (!p)
        return t;
    p += 14;
    size_t n = strlen(p);
    return arena_strndup(ctx->a, p, n ? n - 1 : 0); /* without the terms' closing brace */
}

enum kam_err contract_update(struct kam_ctx *ctx, int64_t id, const struct contract_in *in,
                             struct contract *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct contract before;
    struct ct_update u = {.in = in};
    if ((rc = contract_get(ctx, id, &before)))
        goto out;
    if ((in->set & CT_VERSION) && in->v.version != before.version) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version", NULL,
                          "the contract was changed by someone else (version %lld, now %lld)",
                          (long long)in->v.version, (long long)before.version);
        goto out;
    }
    if ((in->set & CT_OBLIGATIONS) && strcmp(before.status, "draft")) {
        rc = terms_locked(ctx, &before);
        goto out;
    }
    if (in->set & CT_OBLIGATIONS) {
        if (in->n_obligations > CONTRACT_OBLIGATIONS_MAX) {
            rc = kam_fail(ctx->err, KAM_EINVAL, "obligations", "at most %d obligations",
                          CONTRACT_OBLIGATIONS_MAX);
            goto out;
        }
        struct contract now;
        u.obl_before = obligations_json(ctx, &before);
        if ((rc = obligation_replace(ctx, &before, in->obligations, in->n_obligations)) ||
            (rc = contract_get(ctx, id, &now)))
            goto out;
        u.obl_after = obligations_json(ctx, &now);
    }
    /* record_update reads the version from in->set: the wrapper's first member points to in,
     * so the version check above stands in for it */
    struct contract res;
    if ((rc = record_update(ctx, &contract_spec, id, &u, &res)))
        goto out;
    rc = contract_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- delete ---- */

enum kam_err contract_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct contract before;
    if ((rc = contract_get(ctx, id, &before)))
        goto out;
    if (strcmp(before.status, "draft")) {
        rc = conflict(ctx, "id", "contract.not_draft",
                      "only a draft contract can be deleted; terminate it instead");
        goto out;
    }
    int64_t n = 0;
    int64_t n2 = 0;
    if ((rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM contract_breaches WHERE contract_id = ?",
                           1, id, &n, ctx->err)) ||
        (rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM disputes WHERE contract_id = ?", 1, id,
                           &n2, ctx->err)))
        goto out;
    n += n2;
    if (n) {
        rc = conflict(ctx, "id", "contract.in_use", "the contract has breaches or disputes");
        goto out;
    }
    /* the contract it renewed names it no more (and is expired again if it had ended) */
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db, "SELECT id FROM contracts WHERE renewed_to = ?", &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, id);
    int row = 0;
    int64_t prev = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        prev = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    if (prev) {
        struct contract pb, pa;
        if ((rc = contract_load(ctx, prev, &pb)))
            goto out;
        pa = pb;
        pa.has_renewed_to = 0;
        pa.renewed_to = 0;
        if (!strcmp(pa.status, "renewed"))
            pa.status = "expired";
        if ((rc = record_save(ctx, &contract_spec, prev, &pb, &pa, NULL, "update", NULL)))
            goto out;
    }
    for (size_t i = 0; i < before.n_obligations; i++) {
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_i64(&d, "contract_id", id, 0, 0, 1);
        if ((rc = audit_write(ctx, "contract_obligation", before.obligations[i].id,
                              before.account_id, "delete", &d)))
            goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM contract_versions WHERE contract_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db,
                          "DELETE FROM contract_obligation_done WHERE obligation_id IN (SELECT id "
                          "FROM contract_obligations WHERE contract_id = ?)",
                          id, ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM contract_obligations WHERE contract_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM contracts WHERE id = ?", id, ctx->err)) ||
        (rc = search_drop(ctx, "contract", id)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    contract_diff(&d, &before, NULL);
    rc = audit_write(ctx, "contract", id, before.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- list ---- */

static const struct page_sort ct_sorts[] = {
    {"ends_on", "c.ends_on", 1},
    {"number", "c.number", 1},
    {"id", "c.id", 0},
};

enum kam_err contract_list(struct kam_ctx *ctx, const struct contract_query *q,
                           struct contract **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, ct_sorts, sizeof ct_sorts / sizeof ct_sorts[0],
                                 q->sort ? q->sort : "ends_on", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if ((q->status && (rc = check_enum(ctx, "status", q->status, contract_statuses))) ||
        (q->kind && (rc = check_enum(ctx, "kind", q->kind, contract_kinds))) ||
        (q->q && (rc = check_text(ctx, "q", q->q, 0, 100, CHECK_LINE))) ||
        (q->has_expiring &&
         (rc = check_range(ctx, "expiring_within", q->expiring_within, 0, 3660))))
        return rc;
    if (q->subsidiaries && !q->account_id)
        return kam_fail(ctx->err, KAM_EINVAL, "subsidiaries", "subsidiaries needs account_id");
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " CCOLS CFROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->account_id && q->subsidiaries) {
        sqlb_sql(&b, " AND c.account_id IN ");
        group_sql(ctx, &b, q->account_id);
    } else if (q->account_id) {
        sqlb_sql(&b, " AND c.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    if (q->status) {
        sqlb_sql(&b, " AND c.status = ?");
        sqlb_text(&b, q->status);
    }
    if (q->kind) {
        sqlb_sql(&b, " AND c.kind = ?");
        sqlb_text(&b, q->kind);
    }
    if (q->owner_id) {
        sqlb_sql(&b, " AND c.owner_id = ?");
        sqlb_i64(&b, q->owner_id);
    }
    if (q->has_expiring) {
        sqlb_sql(&b, " AND c.status IN ('active', 'expiring') AND c.ends_on <= ?");
        sqlb_text(&b, contract_add_days(ctx, contract_today(ctx), q->expiring_within));
    }
    if (q->q && *q->q) {
        const char *like = sqlb_like_pattern(ctx->a, q->q);
        sqlb_sql(&b, " AND (lower(c.number) LIKE lower(?) ESCAPE '\\' OR lower(c.title) LIKE "
                     "lower(?) ESCAPE '\\')");
        sqlb_text(&b, like);
        sqlb_text(&b, like);
    }
    struct contract *items;
    const struct contract *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "c.id", contract_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    if (last) {
        const struct contract *l = &items[n - 1];
        const char *key = !strcmp(pg.sort->key, "number") ? l->number : l->ends_on;
        *next_out = page_cursor(ctx, &pg, key, l->id, l->id);
    } else {
        *next_out = NULL;
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ---- workflow ---- */

static enum kam_err version_check(struct kam_ctx *ctx, const struct contract *b, int64_t version,
                                  int has_version)
{
    if (has_version && version != b->version)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version", NULL,
                            "the contract was changed by someone else (version %lld, now %lld)",
                            (long long)version, (long long)b->version);
    return KAM_OK;
}

enum kam_err contract_activate(struct kam_ctx *ctx, int64_t id, int64_t version, int has_version,
                               struct contract *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct contract b, a;
    if ((rc = contract_load(ctx, id, &b)) || (rc = version_check(ctx, &b, version, has_version)))
        goto out;
    if (strcmp(b.status, "draft")) {
        rc = conflict(ctx, "status", "contract.not_draft_activate",
                      "the contract is not a draft: it was activated already");
        goto out;
    }
    a = b;
    a.status = "active";
    a.revision = 1;
    if ((rc = check_contract(ctx, &a)) ||
        (rc = record_save(ctx, &contract_spec, id, &b, &a, NULL, "activate", NULL)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM contract_versions WHERE contract_id = ?", id,
                          ctx->err)) ||
        (rc = write_version(ctx, id, a.starts_on, "")))
        goto out;
    rc = contract_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err contract_amend(struct kam_ctx *ctx, int64_t id, const struct contract_in *in,
                            struct contract *out)
{
    enum kam_err rc;
    if (!(in->set & CT_EFFECTIVE_ON) || !in->effective_on)
        return required(ctx, "effective_on");
    if ((rc = check_date(ctx, "effective_on", in->effective_on)) ||
        (rc = check_text(ctx, "note", in->amend_note, 0, CONTRACT_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    if (in->set & CT_ACCOUNT)
        return kam_fail(ctx->err, KAM_EINVAL, "account_id", "a contract's account cannot change");
    if (in->n_obligations > CONTRACT_OBLIGATIONS_MAX)
        return kam_fail(ctx->err, KAM_EINVAL, "obligations", "at most %d obligations",
                        CONTRACT_OBLIGATIONS_MAX);
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct contract b, a;
    if ((rc = contract_get(ctx, id, &b)) ||
        (rc = version_check(ctx, &b, in->v.version, (in->set & CT_VERSION) != 0)))
        goto out;
    if (!is_open(b.status)) {
        rc = conflict(ctx, "status", "contract.not_active",
                      "only a contract in force (active or expiring) can do this");
        goto out;
    }
    if (strcmp(in->effective_on, b.starts_on) < 0) {
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "effective_on", "contract.effective_before_start",
                          (struct kam_param[]){{"field", "effective_on"}, {0}},
                          "effective_on is before the contract starts");
        goto out;
    }
    a = b;
    merge_contract(&a, in);
    a.revision = b.revision + 1;
    struct ct_update u = {.in = in};
    if ((rc = check_contract(ctx, &a)))
        goto out;
    if (in->set & CT_OBLIGATIONS) {
        struct contract now;
        u.obl_before = obligations_json(ctx, &b);
        if ((rc = obligation_replace(ctx, &b, in->obligations, in->n_obligations)) ||
            (rc = contract_get(ctx, id, &now)))
            goto out;
        u.obl_after = obligations_json(ctx, &now);
    }
    if ((rc = record_save(ctx, &contract_spec, id, &b, &a, &u, "amend", NULL)) ||
        (rc = write_version(ctx, id, in->effective_on, in->amend_note)))
        goto out;
    rc = contract_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err contract_terminate(struct kam_ctx *ctx, int64_t id, const char *reason, const char *on,
                                struct contract *out)
{
    enum kam_err rc;
    if (!reason || utf8_blank(reason))
        return required(ctx, "reason");
    if ((rc = check_text(ctx, "reason", reason, 1, CONTRACT_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    if (!on)
        on = contract_today(ctx);
    if ((rc = check_date(ctx, "on", on)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct contract b, a;
    if ((rc = contract_load(ctx, id, &b)))
        goto out;
    if (!is_open(b.status)) {
        rc = conflict(ctx, "status", "contract.not_active",
                      "only a contract in force (active or expiring) can do this");
        goto out;
    }
    if (strcmp(on, b.starts_on) < 0) {
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "on", "contract.effective_before_start",
                          (struct kam_param[]){{"field", "on"}, {0}},
                          "on is before the contract starts");
        goto out;
    }
    a = b;
    a.status = "terminated";
    a.status_note = reason;
    if (strcmp(on, b.ends_on) < 0)
        a.ends_on = on;
    a.revision = b.revision + 1;
    if ((rc = record_save(ctx, &contract_spec, id, &b, &a, NULL, "terminate", NULL)) ||
        (rc = write_version(ctx, id, on, reason)))
        goto out;
    rc = contract_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err contract_renew(struct kam_ctx *ctx, int64_t id, const char *number,
                            const char *starts_on, const char *ends_on, struct contract *out)
{
    enum kam_err rc;
    if (!number)
        return required(ctx, "number");
    if ((starts_on && (rc = check_date(ctx, "starts_on", starts_on))) ||
        (ends_on && (rc = check_date(ctx, "ends_on", ends_on))))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct contract b, a;
    if ((rc = contract_get(ctx, id, &b)))
        goto out;
    if (b.has_renewed_to) {
        rc = conflict(ctx, "id", "contract.already_renewed", "the contract was renewed already");
        goto out;
    }
    if (!is_open(b.status) && strcmp(b.status, "expired")) {
        rc = conflict(ctx, "status", "contract.not_renewable",
                      "only an active, expiring or expired contract is renewed");
        goto out;
    }
    /* the successor: a copy of the terms and the active obligations */
    struct contract_in n = {
        .set = CT_ACCOUNT | CT_COVERS_GROUP | CT_NUMBER | CT_TITLE | CT_KIND | CT_OUR_PARTY |
               CT_THEIR_PARTY | CT_OUR_SIGNATORY | CT_THEIR_SIGNATORY | CT_SIGNATORY_CONTACT |
               CT_STARTS_ON | CT_ENDS_ON | CT_AUTO_RENEW | CT_RENEWAL_MONTHS | CT_NOTICE_DAYS |
               CT_REMIND_DAYS | CT_CURRENCY | CT_PRICE_LIST | CT_PAYMENT_DAYS | CT_SLA_RESPONSE |
               CT_SLA_RESOLUTION | CT_OWNER | CT_NOTE | CT_OBLIGATIONS};
    n.v = b;
    n.v.number = number;
    n.v.starts_on = starts_on ? starts_on : contract_add_days(ctx, b.ends_on, 1);
    n.v.ends_on =
        ends_on
            ? ends_on
            : contract_add_days(ctx, contract_add_months(ctx, n.v.starts_on, b.renewal_months), -1);
    if (!n.v.starts_on || !n.v.ends_on) {
        rc = kam_fail(ctx->err, KAM_EINVAL, "ends_on", "the renewal's dates are out of range");
        goto out;
    }
    n.v.note = "";
    n.obligations = arena_alloc(ctx->a, (b.n_obligations + 1) * sizeof *n.obligations);
    for (size_t i = 0; i < b.n_obligations; i++) {
        const struct obligation *o = &b.obligations[i];
        if (!o->active)
            continue;
        struct obligation_in *e = &n.obligations[n.n_obligations++];
        memset(e, 0, sizeof *e);
        e->set = OB_SIDE | OB_KIND | OB_TITLE | OB_FAMILY | OB_MEASURE | OB_PERIOD | OB_TARGET |
                 OB_TOLERANCE | OB_DAYS | OB_RESPONSE | OB_RESOLUTION | OB_DUE | OB_RECURRENCE;
        e->side = o->side;
        e->kind = o->kind;
        e->title = o->title;
        e->family = o->family;
        e->measure = o->measure;
        e->period = o->period;
        e->target = o->target;
        e->has_target = o->has_target;
        e->tolerance_bp = o->tolerance_bp;
        e->days = o->days;
        e->has_days = o->has_days;
        e->response_hours = o->response_hours;
        e->has_response = o->has_response;
        e->resolution_hours = o->resolution_hours;
        e->has_resolution = o->has_resolution;
        e->due_on = o->due_on;
        e->recurrence = o->recurrence;
        /* a dated obligation starts over in the new term: its first occurrence on or after
         * the new start */
        if (o->due_on && strcmp(o->due_on, n.v.starts_on) < 0) {
            const char *d = o->due_on;
            int64_t step = !strcmp(o->recurrence, "month")     ? 1
                           : !strcmp(o->recurrence, "quarter") ? 3
                           : !strcmp(o->recurrence, "year")    ? 12
                                                               : 0;
            for (int64_t k = 1; step && d && strcmp(d, n.v.starts_on) < 0 && k < 2400; k++)
                d = contract_add_months(ctx, o->due_on, k * step);
            e->due_on = d && strcmp(d, n.v.starts_on) >= 0 ? d : n.v.starts_on;
        }
    }
    if ((rc = contract_create(ctx, &n, out)))
        goto out;
    a = b;
    a.has_renewed_to = 1;
    a.renewed_to = out->id;
    if (!strcmp(b.status, "expired"))
        a.status = "renewed";
    if ((rc = record_save(ctx, &contract_spec, id, &b, &a, NULL, "renew", NULL)))
        goto out;
out:
    return db_end(ctx->db, rc, ctx->err);
}

static void version_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct contract_version *v = row;
    memset(v, 0, sizeof *v);
    v->id = db_col_i64(st, 0);
    v->contract_id = db_col_i64(st, 1);
    v->revision = db_col_i64(st, 2);
    v->effective_on = arena_strdup(ctx->a, db_col_text(st, 3));
    v->note = arena_strdup(ctx->a, db_col_text(st, 4));
    v->terms = arena_strdup(ctx->a, db_col_text(st, 5));
    v->created_by = opt_i64(st, 6, &v->has_created_by);
    v->created_at = db_col_i64(st, 7);
}

enum kam_err contract_versions(struct kam_ctx *ctx, int64_t id, struct contract_version **items,
                               size_t *n)
{
    struct contract c;
    enum kam_err rc = contract_load(ctx, id, &c);
    if (rc)
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT id, contract_id, revision, effective_on, note, terms, created_by, "
                         "created_at FROM contract_versions WHERE contract_id = ? ORDER BY "
                         "revision DESC LIMIT 500",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, id);
    return rows_collect(ctx, st, 500, version_row, sizeof **items, (void **)items, n);
}

/* ---- the scheduler's pass ---- */

/* The renewal reminder of c's notice deadline, once (reminded_for guarded, so two schedulers
 * send one). */
static enum kam_err remind(struct kam_ctx *ctx, const struct contract *c, int *sent)
{
    *sent = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE contracts SET reminded_for = ? WHERE id = ? AND "
                                 "(reminded_for IS NULL OR reminded_for <> ?)",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, c->notice_on);
    db_bind_i64(st, 2, c->id);
    db_bind_text(st, 3, c->notice_on);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    if (db_changes(ctx->db) != 1)
        return KAM_OK;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "reminded_for", c->reminded_for, c->notice_on);
    if ((rc = audit_write(ctx, "contract", c->id, c->account_id, "remind", &d)))
        return rc;
    /* the owner and every enabled legal user */
    if ((rc = db_prepare(ctx->db,
                         "SELECT id FROM users WHERE disabled = 0 AND (id = ? OR role = 'legal') "
                         "ORDER BY id",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, c->has_owner ? c->owner_id : 0);
    int64_t users[64];
    size_t nu = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row)
        if (nu < sizeof users / sizeof users[0])
            users[nu++] = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    const char *link = arena_printf(ctx->a, "/contracts/%lld", (long long)c->id);
    struct kam_param p[] = {
        {"contract_number", c->number}, {"deadline", c->notice_on}, {"title", c->title}, {0}};
    for (size_t i = 0; i < nu; i++) {
        const char *key = arena_printf(ctx->a, "contract:%lld:notice:%s:user:%lld",
                                       (long long)c->id, c->notice_on, (long long)users[i]);
        if ((rc = notify_add_msg(ctx, users[i], "contract", "contract.renewal_due", p, NULL, link,
                                 key, NULL)))
            return rc;
    }
    *sent = 1;
    return KAM_OK;
}

/* One contract's move as of today; *changed 1 when it changed or was reminded. */
static enum kam_err job_one(struct kam_ctx *ctx, int64_t id, const char *today, int *changed)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct contract b, a;
    if ((rc = contract_load(ctx, id, &b)))
        goto out;
    if (!is_open(b.status))
        goto out; /* moved meanwhile */
    a = b;
    int renewed = 0;
    if (strcmp(today, a.ends_on) > 0) {
        if (a.has_renewed_to) {
            a.status = "renewed";
        } else if (a.auto_renew) {
            /* one renewal term after another until today is within one */
            for (int k = 0; k < 1200 && strcmp(today, a.ends_on) > 0; k++) {
                const char *e = contract_renewed_end(ctx, a.ends_on, a.renewal_months);
                if (!e)
                    break;
                a.ends_on = e;
                renewed++;
            }
            a.status = "active";
            if (strcmp(today, a.ends_on) > 0)
                a.status = "expired";
        } else {
            a.status = "expired";
        }
    }
    if (is_open(a.status)) {
        derive(ctx, &a);
        const char *window = contract_add_days(ctx, a.notice_on, -a.remind_days);
        a.status = window && strcmp(today, window) >= 0 ? "expiring" : "active";
    }
    if (renewed)
        a.revision = b.revision + 1;
    int saved = 0;
    if ((rc = record_save(ctx, &contract_spec, id, &b, &a, NULL, renewed ? "renew" : "status",
                          &saved)))
        goto out;
    if (renewed &&
        (rc = write_version(ctx, id, contract_add_days(ctx, b.ends_on, 1),
                            arena_printf(ctx->a, "automatic renewal: %lld month(s) x %d, to %s",
                                         (long long)a.renewal_months, renewed, a.ends_on))))
        goto out;
    *changed = saved;
    /* the reminder: from remind_days before the notice deadline, once per deadline, while
     * there is no successor */
    if (is_open(a.status) && !a.has_renewed_to) {
        struct contract c;
        if ((rc = contract_load(ctx, id, &c)))
            goto out;
        const char *window = contract_add_days(ctx, c.notice_on, -c.remind_days);
        if (window && strcmp(today, window) >= 0 &&
            (!c.reminded_for || strcmp(c.reminded_for, c.notice_on))) {
            int sent = 0;
            if ((rc = remind(ctx, &c, &sent)))
                goto out;
            *changed = *changed || sent;
        }
    }
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err contract_job(struct kam_ctx *ctx, int *changed)
{
    *changed = 0;
    const char *today = contract_today(ctx);
    int64_t after = 0;
    for (;;) {
        /* the open contracts, a batch at a time (each moved in its own transaction) */
        struct db_stmt *st;
        enum kam_err rc = db_prepare(ctx->db,
                                     "SELECT id FROM contracts WHERE status IN ('active', "
                                     "'expiring') AND id > ? ORDER BY id LIMIT 200",
                                     &st, ctx->err);
        if (rc)
            return rc;
        db_bind_i64(st, 1, after);
        int64_t ids[200];
        size_t n = 0;
        int row = 0;
        while (!(rc = db_step(st, &row, ctx->err)) && row)
            ids[n++] = db_col_i64(st, 0);
        db_done(st);
        if (rc)
            return rc;
        for (size_t i = 0; i < n; i++) {
            int one = 0;
            rc = job_one(ctx, ids[i], today, &one);
            if (rc == KAM_ECONFLICT) {
                /* another scheduler (or a user) changed it meanwhile: its move stands */
                kam_error_clear(ctx->err);
                continue;
            }
            if (rc)
                return rc;
            *changed += one;
        }
        if (n < 200)
            return KAM_OK;
        after = ids[n - 1];
    }
}
