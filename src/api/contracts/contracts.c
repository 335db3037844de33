/* contracts.c -- Contracts, their amendments and obligations (issue 17): decode, call
 * svc/contracts, render. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/contracts/contract.h"

#define OBL_KINDS "volume|price|payment|service_level|delivery|support|training|forecast|other"

const struct api_shape api_shapes_contracts[] = {
    {"ObligationDone", "id:int due_on:date done_on:date note:str created_by:int? created_at:ts"},
    {"Obligation",
     "id:int contract_id:int side:str(ours|theirs) kind:str(" OBL_KINDS ") title:str "
     "family:str? measure:str(quantity|amount)? period:str(month|quarter|year)? target:int? "
     "tolerance_bp:int days:int? response_hours:int? resolution_hours:int? due_on:date? "
     "recurrence:str(none|month|quarter|year) active:bool open_breaches:int next_due:date? "
     "done:[ObligationDone] created_at:ts updated_at:ts"},
    {"Contract",
     "id:int account_id:int account_name:str covers_group:bool number:str title:str "
     "kind:str(framework|supply|service|distribution) our_party:str their_party:str "
     "our_signatory:str their_signatory:str signatory_contact_id:int? signed_on:date? "
     "starts_on:date ends_on:date auto_renew:bool renewal_months:int notice_days:int "
     "remind_days:int reminded_for:date? currency:str price_list_id:int? payment_days:int? "
     "sla_response_hours:int? sla_resolution_hours:int? "
     "status:str(draft|active|expiring|expired|terminated|renewed) status_note:str "
     "renewed_to:int? owner_id:int? note:str revision:int created_by:int? version:int "
     "created_at:ts updated_at:ts notice_on:date days_to_notice:int open_breaches:int "
     "obligations?:[Obligation]"},
    {"ContractVersion", "id:int contract_id:int revision:int effective_on:date note:str terms:obj "
                        "created_by:int? created_at:ts"},
    {NULL, NULL},
};

/* ---- bodies ---- */

#define OBF(f) offsetof(struct obligation_in, f)
#define OBLIGATION_FIELDS                                                                           \
    {"side", J_STR, OB_SIDE, OBF(side), 0, 0, 0, "ours | theirs", 1},                               \
        {"kind", J_STR, OB_KIND, OBF(kind), 0, 0, 0, OBL_KINDS, 1},                                 \
        {"title", J_STR, OB_TITLE, OBF(title), 0, 0, 1, "<= 200 characters"},                       \
        {"family", J_STR, OB_FAMILY, OBF(family),                                                   \
         0,        0,     1,         "volume: a product family (one of the products'); null: all"}, \
        {"measure", J_STR, OB_MEASURE, OBF(measure), 0, 0, 1, "volume: quantity | amount"},         \
        {"period", J_STR, OB_PERIOD, OBF(period), 0, 0, 1, "volume: month | quarter | year"},       \
        {"target",                                                                                  \
         J_I64,                                                                                     \
         OB_TARGET,                                                                                 \
         OBF(target),                                                                               \
         OBF(has_target),                                                                           \
         0,                                                                                         \
         1,                                                                                         \
         "volume: > 0 per period (thousandths of the unit, or minor units of the contract's "       \
         "currency)"},                                                                              \
        {"tolerance_bp",                                                                            \
         J_I64,                                                                                     \
         OB_TOLERANCE,                                                                              \
         OBF(tolerance_bp),                                                                         \
         0,                                                                                         \
         0,                                                                                         \
         0,                                                                                         \
         "price, volume: 0..10000 basis points"},                                                   \
        {"days",                                                                                    \
         J_I64,                                                                                     \
         OB_DAYS,                                                                                   \
         OBF(days),                                                                                 \
         OBF(has_days),                                                                             \
         0,                                                                                         \
         1,                                                                                         \
         "payment: days after the invoice; delivery: lead time (0..365)"},                          \
        {"response_hours",  J_I64, OB_RESPONSE, OBF(response_hours),                                \
         OBF(has_response), 0,     1,           "service_level: 1..8760"},                          \
        {"resolution_hours",                                                                        \
         J_I64,                                                                                     \
         OB_RESOLUTION,                                                                             \
         OBF(resolution_hours),                                                                     \
         OBF(has_resolution),                                                                       \
         0,                                                                                         \
         1,                                                                                         \
         "service_level: 1..8760"},                                                                 \
        {"due_on", J_STR,                                                                           \
         OB_DUE,   OBF(due_on),                                                                     \
         0,        0,                                                                               \
         1,        "delivery, support, training, forecast, other: YYYY-MM-DD (required)"},          \
        {"recurrence",                                                                              \
         J_STR,                                                                                     \
         OB_RECURRENCE,                                                                             \
         OBF(recurrence),                                                                           \
         0,                                                                                         \
         0,                                                                                         \
         0,                                                                                         \
         "dated kinds: none (default) | month | quarter | year"},                                   \
    {                                                                                               \
        "active", J_BOOL, OB_ACTIVE, OBF(active), 0, 0, 0, "default true"                           \
    }

static const struct jfield obligation_spec[] = {
    OBLIGATION_FIELDS,
    {0},
};

static const struct jfield obligation_item_spec[] = {
    {"id", J_I64, OB_ID, OBF(id), 0, 0, 0,
     "an obligation of the contract kept (changed as given); without it a new one"},
    OBLIGATION_FIELDS,
    {0},
};

#define CF(f) offsetof(struct contract_in, v.f)
#define CONTRACT_TERM_FIELDS                                                                         \
    {"covers_group",                                                                                 \
     J_BOOL,                                                                                         \
     CT_COVERS_GROUP,                                                                                \
     CF(covers_group),                                                                               \
     0,                                                                                              \
     0,                                                                                              \
     0,                                                                                              \
     "a group head account's contract covering its subsidiaries"},                                   \
        {"number", J_STR, CT_NUMBER, CF(number), 0, 0, 0, "unique, 1-50 characters", 1},             \
        {"title", J_STR, CT_TITLE, CF(title), 0, 0, 0, "1-200 characters", 1},                       \
        {"kind", J_STR, CT_KIND, CF(kind), 0, 0, 0, "framework | supply | service | distribution",   \
         1},                                                                                         \
        {"our_party", J_STR, CT_OUR_PARTY, CF(our_party), 0, 0, 1, "<= 200 characters"},             \
        {"their_party", J_STR, CT_THEIR_PARTY, CF(their_party), 0, 0, 1, "<= 200 characters"},       \
        {"our_signatory", J_STR, CT_OUR_SIGNATORY, CF(our_signatory), 0, 0, 1, "<= 100 characters"}, \
        {"their_signatory",  J_STR, CT_THEIR_SIGNATORY, CF(their_signatory), 0, 0, 1,                \
         "<= 100 characters"},                                                                       \
        {"signatory_contact_id",                                                                     \
         J_I64,                                                                                      \
         CT_SIGNATORY_CONTACT,                                                                       \
         CF(signatory_contact_id),                                                                   \
         CF(has_signatory_contact),                                                                  \
         0,                                                                                          \
         1,                                                                                          \
         "a contact of the account, or null"},                                                       \
        {"signed_on", J_STR, CT_SIGNED_ON, CF(signed_on), 0, 0, 1, "YYYY-MM-DD or null"},            \
        {"starts_on", J_STR, CT_STARTS_ON, CF(starts_on), 0, 0, 0, "YYYY-MM-DD", 1},                 \
        {"ends_on", J_STR, CT_ENDS_ON, CF(ends_on), 0, 0, 0, "YYYY-MM-DD, not before starts_on", 1}, \
        {"auto_renew",                                                                               \
         J_BOOL,                                                                                     \
         CT_AUTO_RENEW,                                                                              \
         CF(auto_renew),                                                                             \
         0,                                                                                          \
         0,                                                                                          \
         0,                                                                                          \
         "renewed by renewal_months at its end unless renewed otherwise (default false)"},           \
        {"renewal_months",     J_I64, CT_RENEWAL_MONTHS, CF(renewal_months), 0, 0, 0,                \
         "1..120 (default 12)"},                                                                     \
        {"notice_days",                                                                              \
         J_I64,                                                                                      \
         CT_NOTICE_DAYS,                                                                             \
         CF(notice_days),                                                                            \
         0,                                                                                          \
         0,                                                                                          \
         0,                                                                                          \
         "0..365 (default 30): the notice deadline is ends_on less these days"},                     \
        {"remind_days",                                                                              \
         J_I64,                                                                                      \
         CT_REMIND_DAYS,                                                                             \
         CF(remind_days),                                                                            \
         0,                                                                                          \
         0,                                                                                          \
         0,                                                                                          \
         "0..365 (default 30): the renewal reminder this many days before the notice deadline"},     \
        {"currency", J_STR, CT_CURRENCY, CF(currency),                                               \
         0,          0,     0,           "the base currency or one with an exchange rate",           \
         1},                                                                                         \
        {"price_list_id",                                                                            \
         J_I64,                                                                                      \
         CT_PRICE_LIST,                                                                              \
         CF(price_list_id),                                                                          \
         CF(has_price_list),                                                                         \
         0,                                                                                          \
         1,                                                                                          \
         "the contract's prices: an account or group price list of this account (or its group "      \
         "head) in the contract's currency, or null"},                                               \
        {"payment_days",                                                                             \
         J_I64,                                                                                      \
         CT_PAYMENT_DAYS,                                                                            \
         CF(payment_days),                                                                           \
         CF(has_payment_days),                                                                       \
         0,                                                                                          \
         1,                                                                                          \
         "payment terms: 0..365 days after the invoice, or null"},                                   \
        {"sla_response_hours",                                                                       \
         J_I64,                                                                                      \
         CT_SLA_RESPONSE,                                                                            \
         CF(sla_response_hours),                                                                     \
         CF(has_sla_response),                                                                       \
         0,                                                                                          \
         1,                                                                                          \
         "1..8760, or null (the issue SLA rules)"},                                                  \
        {"sla_resolution_hours",                                                                     \
         J_I64,                                                                                      \
         CT_SLA_RESOLUTION,                                                                          \
         CF(sla_resolution_hours),                                                                   \
         CF(has_sla_resolution),                                                                     \
         0,                                                                                          \
         1,                                                                                          \
         "1..8760, or null (the issue SLA rules)"},                                                  \
        {"owner_id",                                                                                 \
         J_I64,                                                                                      \
         CT_OWNER,                                                                                   \
         CF(owner_id),                                                                               \
         CF(has_owner),                                                                              \
         0,                                                                                          \
         1,                                                                                          \
         "a user who may read the account's contracts (default the creator)"},                       \
    {                                                                                                \
        "obligations", J_OBJS, CT_OBLIGATIONS, offsetof(struct contract_in, obligations),            \
            offsetof(struct contract_in, n_obligations), sizeof(struct obligation_in), 0,            \
            "at most 50; PATCH (drafts) and amend: the full new list (an element with id keeps "     \
            "that obligation; the others are deactivated)",                                          \
            0, obligation_item_spec, CONTRACT_OBLIGATIONS_MAX                                        \
    }

static const struct jfield contract_spec[] = {
    {"account_id", J_I64, CT_ACCOUNT, CF(account_id), 0, 0, 0, "POST: the account (cannot change)",
     1},
    CONTRACT_TERM_FIELDS,
    {"note", J_STR, CT_NOTE, CF(note), 0, 0, 1, "<= 2000 characters"},
    {"version", J_I64, CT_VERSION, CF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

static const struct jfield amend_spec[] = {
    {"effective_on", J_STR, CT_EFFECTIVE_ON, offsetof(struct contract_in, effective_on), 0, 0, 0,
     "YYYY-MM-DD, not before the contract starts", 1},
    {"note", J_STR, CT_AMEND_NOTE, offsetof(struct contract_in, amend_note), 0, 0, 1,
     "what the amendment changes and why, <= 2000 characters"},
    CONTRACT_TERM_FIELDS,
    {"version", J_I64, CT_VERSION, CF(version), 0, 0, 0,
     "the version you read (409 if it changed)"},
    {0},
};

struct version_body {
    unsigned set;
    int64_t version;
};
static const struct jfield version_spec[] = {
    {"version", J_I64, 1, offsetof(struct version_body, version), 0, 0, 0,
     "the version you read (409 if it changed)"},
    {0},
};

struct terminate_body {
    unsigned set;
    const char *reason, *on;
};
static const struct jfield terminate_spec[] = {
    {"reason", J_STR, 1, offsetof(struct terminate_body, reason), 0, 0, 0, "1-2000 characters", 1},
    {"on", J_STR, 2, offsetof(struct terminate_body, on), 0, 0, 0,
     "YYYY-MM-DD the contract ends (default today); the end moves there when earlier"},
    {0},
};

struct renew_body {
    unsigned set;
    const char *number, *starts_on, *ends_on;
};
static const struct jfield renew_spec[] = {
    {"number", J_STR, 1, offsetof(struct renew_body, number), 0, 0, 0,
     "the successor's number (unique)", 1},
    {"starts_on", J_STR, 2, offsetof(struct renew_body, starts_on), 0, 0, 0,
     "default the day after the contract's end"},
    {"ends_on", J_STR, 4, offsetof(struct renew_body, ends_on), 0, 0, 0,
     "default renewal_months after starts_on, less a day"},
    {0},
};

struct done_body {
    unsigned set;
    const char *due_on, *done_on, *note;
};
static const struct jfield done_spec[] = {
    {"due_on", J_STR, 1, offsetof(struct done_body, due_on), 0, 0, 0,
     "the occurrence: the obligation's due_on or one of its recurrences", 1},
    {"done_on", J_STR, 2, offsetof(struct done_body, done_on), 0, 0, 0,
     "YYYY-MM-DD, not in the future (default today)"},
    {"note", J_STR, 4, offsetof(struct done_body, note), 0, 0, 0, "<= 2000 characters"},
    {0},
};

/* ---- render ---- */

static void render_obligation(struct jw *w, const struct obligation *o)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", o->id);
    jw_ki64(w, "contract_id", o->contract_id);
    jw_kstr(w, "side", o->side);
    jw_kstr(w, "kind", o->kind);
    jw_kstr(w, "title", o->title);
    jw_kstr(w, "family", o->family);
    jw_kstr(w, "measure", o->measure);
    jw_kstr(w, "period", o->period);
    jw_ki64n(w, "target", o->target, !o->has_target);
    jw_ki64(w, "tolerance_bp", o->tolerance_bp);
    jw_ki64n(w, "days", o->days, !o->has_days);
    jw_ki64n(w, "response_hours", o->response_hours, !o->has_response);
    jw_ki64n(w, "resolution_hours", o->resolution_hours, !o->has_resolution);
    jw_kstr(w, "due_on", o->due_on);
    jw_kstr(w, "recurrence", o->recurrence);
    jw_kbool(w, "active", o->active);
    jw_ki64(w, "open_breaches", o->open_breaches);
    jw_kstr(w, "next_due", o->next_due);
    jw_key(w, "done");
    jw_arr_begin(w);
    for (size_t i = 0; i < o->n_done; i++) {
        const struct obligation_done *d = &o->done[i];
        jw_obj_begin(w);
        jw_ki64(w, "id", d->id);
        jw_kstr(w, "due_on", d->due_on);
        jw_kstr(w, "done_on", d->done_on);
        jw_kstr(w, "note", d->note);
        jw_ki64n(w, "created_by", d->created_by, !d->has_created_by);
        jw_ktime(w, "created_at", d->created_at);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ktime(w, "created_at", o->created_at);
    jw_ktime(w, "updated_at", o->updated_at);
    jw_obj_end(w);
}

static void render_contract(struct jw *w, const struct contract *x, int detail)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "account_id", x->account_id);
    jw_kstr(w, "account_name", x->account_name);
    jw_kbool(w, "covers_group", x->covers_group);
    jw_kstr(w, "number", x->number);
    jw_kstr(w, "title", x->title);
    jw_kstr(w, "kind", x->kind);
    jw_kstr(w, "our_party", x->our_party);
    jw_kstr(w, "their_party", x->their_party);
    jw_kstr(w, "our_signatory", x->our_signatory);
    jw_kstr(w, "their_signatory", x->their_signatory);
    jw_ki64n(w, "signatory_contact_id", x->signatory_contact_id, !x->has_signatory_contact);
    jw_kstr(w, "signed_on", x->signed_on);
    jw_kstr(w, "starts_on", x->starts_on);
    jw_kstr(w, "ends_on", x->ends_on);
    jw_kbool(w, "auto_renew", x->auto_renew);
    jw_ki64(w, "renewal_months", x->renewal_months);
    jw_ki64(w, "notice_days", x->notice_days);
    jw_ki64(w, "remind_days", x->remind_days);
    jw_kstr(w, "reminded_for", x->reminded_for);
    jw_kstr(w, "currency", x->currency);
    jw_ki64n(w, "price_list_id", x->price_list_id, !x->has_price_list);
    jw_ki64n(w, "payment_days", x->payment_days, !x->has_payment_days);
    jw_ki64n(w, "sla_response_hours", x->sla_response_hours, !x->has_sla_response);
    jw_ki64n(w, "sla_resolution_hours", x->sla_resolution_hours, !x->has_sla_resolution);
    jw_kstr(w, "status", x->status);
    jw_kstr(w, "status_note", x->status_note);
    jw_ki64n(w, "renewed_to", x->renewed_to, !x->has_renewed_to);
    jw_ki64n(w, "owner_id", x->owner_id, !x->has_owner);
    jw_kstr(w, "note", x->note);
    jw_ki64(w, "revision", x->revision);
    jw_ki64n(w, "created_by", x->created_by, !x->has_created_by);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_kstr(w, "notice_on", x->notice_on);
    jw_ki64(w, "days_to_notice", x->days_to_notice);
    jw_ki64(w, "open_breaches", x->open_breaches);
    if (detail) {
        jw_key(w, "obligations");
        jw_arr_begin(w);
        for (size_t i = 0; i < x->n_obligations; i++)
            render_obligation(w, &x->obligations[i]);
        jw_arr_end(w);
    }
    jw_obj_end(w);
}

/* ---- handlers ---- */

static enum kam_err paging(struct api_call *c, int64_t *limit)
{
    enum kam_err rc = api_query_i64(c, "limit", 0, limit);
    if (!rc && http_query(c->req, "limit") && *limit == 0)
        rc = kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    return rc;
}

static enum kam_err ct_list(struct api_call *c)
{
    struct contract_query q = {.status = api_query_str(c, "status"),
                               .kind = api_query_str(c, "kind"),
                               .q = api_query_str(c, "q"),
                               .sort = api_query_str(c, "sort"),
                               .cursor = api_query_str(c, "cursor")};
    int64_t subs = 0;
    enum kam_err rc;
    if ((rc = paging(c, &q.limit)) || (rc = api_query_i64(c, "account_id", 0, &q.account_id)) ||
        (rc = api_query_i64(c, "subsidiaries", 0, &subs)) ||
        (rc = api_query_user(c, "owner_id", &q.owner_id)) ||
        (rc = api_query_i64(c, "expiring_within", 0, &q.expiring_within)))
        return rc;
    if (subs < 0 || subs > 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "subsidiaries", "subsidiaries must be 0 or 1");
    q.subsidiaries = (int)subs;
    q.has_expiring = http_query(c->req, "expiring_within") != NULL;
    struct contract *items;
    size_t n;
    const char *next;
    if ((rc = contract_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_contract(&c->w, &items[i], 0);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err ct_create(struct api_call *c)
{
    struct contract_in in = {0};
    enum kam_err rc = api_decode(c, contract_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & CT_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct contract out;
    if ((rc = contract_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_contract(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err ct_get(struct api_call *c)
{
    struct contract out;
    enum kam_err rc = contract_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_contract(&c->w, &out, 1);
    return rc;
}

static enum kam_err ct_patch(struct api_call *c)
{
    struct contract_in in = {0};
    enum kam_err rc = api_decode(c, contract_spec, &in, &in.set);
    if (rc)
        return rc;
    struct contract out;
    if ((rc = contract_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_contract(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err ct_delete(struct api_call *c)
{
    enum kam_err rc = contract_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err ct_activate(struct api_call *c)
{
    struct version_body in = {0};
    enum kam_err rc = api_decode(c, version_spec, &in, &in.set);
    if (rc)
        return rc;
    struct contract out;
    if ((rc = contract_activate(c->ctx, c->id[0], in.version, in.set & 1, &out)))
        return rc;
    render_contract(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err ct_amend(struct api_call *c)
{
    struct contract_in in = {0};
    enum kam_err rc = api_decode(c, amend_spec, &in, &in.set);
    if (rc)
        return rc;
    struct contract out;
    if ((rc = contract_amend(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_contract(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err ct_versions(struct api_call *c)
{
    struct contract_version *v;
    size_t n;
    enum kam_err rc = contract_versions(c->ctx, c->id[0], &v, &n);
    if (rc)
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(w);
        jw_ki64(w, "id", v[i].id);
        jw_ki64(w, "contract_id", v[i].contract_id);
        jw_ki64(w, "revision", v[i].revision);
        jw_kstr(w, "effective_on", v[i].effective_on);
        jw_kstr(w, "note", v[i].note);
        jw_key(w, "terms");
        jw_raw(w, v[i].terms, strlen(v[i].terms));
        jw_ki64n(w, "created_by", v[i].created_by, !v[i].has_created_by);
        jw_ktime(w, "created_at", v[i].created_at);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err ct_terminate(struct api_call *c)
{
    struct terminate_body in = {0};
    enum kam_err rc = api_decode(c, terminate_spec, &in, &in.set);
    if (rc)
        return rc;
    struct contract out;
    if ((rc = contract_terminate(c->ctx, c->id[0], in.reason, in.on, &out)))
        return rc;
    render_contract(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err ct_renew(struct api_call *c)
{
    struct renew_body in = {0};
    enum kam_err rc = api_decode(c, renew_spec, &in, &in.set);
    if (rc)
        return rc;
    struct contract out;
    if ((rc = contract_renew(c->ctx, c->id[0], in.number, in.starts_on, in.ends_on, &out)))
        return rc;
    c->status = 201;
    render_contract(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err ob_list(struct api_call *c)
{
    struct contract x;
    enum kam_err rc = contract_get(c->ctx, c->id[0], &x);
    if (rc)
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < x.n_obligations; i++)
        render_obligation(w, &x.obligations[i]);
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err ob_create(struct api_call *c)
{
    struct obligation_in in = {0};
    enum kam_err rc = api_decode(c, obligation_spec, &in, &in.set);
    if (rc)
        return rc;
    struct obligation out;
    if ((rc = obligation_create(c->ctx, c->id[0], &in, &out)))
        return rc;
    c->status = 201;
    render_obligation(&c->w, &out);
    return KAM_OK;
}

static enum kam_err ob_patch(struct api_call *c)
{
    struct obligation_in in = {0};
    enum kam_err rc = api_decode(c, obligation_spec, &in, &in.set);
    if (rc)
        return rc;
    struct obligation out;
    if ((rc = obligation_update(c->ctx, c->id[0], c->id[1], &in, &out)))
        return rc;
    render_obligation(&c->w, &out);
    return KAM_OK;
}

static enum kam_err ob_delete(struct api_call *c)
{
    enum kam_err rc = obligation_delete(c->ctx, c->id[0], c->id[1]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err ob_done(struct api_call *c)
{
    struct done_body in = {0};
    enum kam_err rc = api_decode(c, done_spec, &in, &in.set);
    if (rc)
        return rc;
    struct obligation out;
    if ((rc = obligation_done(c->ctx, c->id[0], c->id[1], in.due_on, in.done_on, in.note, &out)))
        return rc;
    c->status = 201;
    render_obligation(&c->w, &out);
    return KAM_OK;
}

static const char *const ct_list_query[] = {"account_id", "subsidiaries",    "status", "kind",
                                            "owner_id",   "expiring_within", "q",      "sort",
                                            "limit",      "cursor",          NULL};
/* Written once, before main, by init_queries(). */
static const char *ct_export_query[API_EXPORT_QUERY_MAX];

#define EXPORT_DOC                                                                                 \
    " over all its pages, with its filters and sort, as a file: format=csv (default) or xlsx; "    \
    "columns=key[:label],...; lang=zh-CN|zh-TW|en; raw=1 keeps stored values"

const struct route api_routes_contracts[] = {
    {"GET", "/api/v1/contracts", ct_list, OBJ_CONTRACT, ACT_READ, SCOPE_NONE, NULL, ct_list_query,
     200,
     "Contracts of the caller's accounts: account_id (subsidiaries=1: its group), status, kind, "
     "owner_id (or me), expiring_within (days: in force and ending by then), q (number or "
     "title); sort ends_on (default) | number | id ('-' descending); keyset paging; each with "
     "open_breaches and days_to_notice",
     "[Contract]"},
    {"GET", "/api/v1/contracts/export", api_list_export, OBJ_CONTRACT, ACT_READ, SCOPE_NONE, NULL,
     ct_export_query, 200, "The contracts list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/contracts", ct_create, OBJ_CONTRACT, ACT_CREATE, SCOPE_NONE, contract_spec,
     NULL, 201, "A contract of an account (a draft), its obligations inline", "Contract"},
    {"GET", "/api/v1/contracts/:id", ct_get, OBJ_CONTRACT, ACT_READ, SCOPE_CONTRACT, NULL, NULL,
     200, "One contract with its obligations (open breaches, next due date, done occurrences)",
     "Contract"},
    {"PATCH", "/api/v1/contracts/:id", ct_patch, OBJ_CONTRACT, ACT_UPDATE, SCOPE_CONTRACT,
     contract_spec, NULL, 200,
     "Change a contract (version-guarded): a draft's terms freely; in force only owner_id and "
     "note (terms: 409 contract.amend_active, amend instead); ended: 409 contract.closed",
     "Contract"},
    {"DELETE", "/api/v1/contracts/:id", ct_delete, OBJ_CONTRACT, ACT_DELETE, SCOPE_CONTRACT, NULL,
     NULL, 204, "Delete a draft contract (409 contract.not_draft otherwise)", "-"},
    {"POST", "/api/v1/contracts/:id/activate", ct_activate, OBJ_CONTRACT, ACT_UPDATE,
     SCOPE_CONTRACT, version_spec, NULL, 200, "draft -> active: revision 1 written to the versions",
     "Contract"},
    {"POST", "/api/v1/contracts/:id/amend", ct_amend, OBJ_CONTRACT, ACT_UPDATE, SCOPE_CONTRACT,
     amend_spec, NULL, 200,
     "Amend a contract in force: the terms given (obligations: the full new list), revision + "
     "1 and its version row",
     "Contract"},
    {"GET", "/api/v1/contracts/:id/versions", ct_versions, OBJ_CONTRACT, ACT_READ, SCOPE_CONTRACT,
     NULL, NULL, 200,
     "The contract's versions (terms as they stood from each revision), newest "
     "first",
     "{items:[ContractVersion]}"},
    {"POST", "/api/v1/contracts/:id/terminate", ct_terminate, OBJ_CONTRACT, ACT_UPDATE,
     SCOPE_CONTRACT, terminate_spec, NULL, 200,
     "Terminate a contract in force: the reason, the day it ends; a version row", "Contract"},
    {"POST", "/api/v1/contracts/:id/renew", ct_renew, OBJ_CONTRACT, ACT_CREATE, SCOPE_CONTRACT,
     renew_spec, NULL, 201,
     "Renew: a new draft continuing the contract (its terms and obligations from the day after "
     "its end), named in renewed_to; the contract becomes renewed at its end",
     "Contract"},
    {"GET", "/api/v1/contracts/:id/obligations", ob_list, OBJ_CONTRACT, ACT_READ, SCOPE_CONTRACT,
     NULL, NULL, 200, "The contract's obligations", "{items:[Obligation]}"},
    {"POST", "/api/v1/contracts/:id/obligations", ob_create, OBJ_CONTRACT, ACT_UPDATE,
     SCOPE_CONTRACT, obligation_spec, NULL, 201,
     "Add an obligation to a draft (in force: amend the contract)", "Obligation"},
    {"PATCH", "/api/v1/contracts/:id/obligations/:oid", ob_patch, OBJ_CONTRACT, ACT_UPDATE,
     SCOPE_CONTRACT, obligation_spec, NULL, 200, "Change an obligation of a draft", "Obligation"},
    {"DELETE", "/api/v1/contracts/:id/obligations/:oid", ob_delete, OBJ_CONTRACT, ACT_UPDATE,
     SCOPE_CONTRACT, NULL, NULL, 204, "Remove an obligation of a draft", "-"},
    {"POST", "/api/v1/contracts/:id/obligations/:oid/done", ob_done, OBJ_CONTRACT, ACT_UPDATE,
     SCOPE_CONTRACT, done_spec, NULL, 201,
     "Record an occurrence of a dated obligation done (once per occurrence)", "Obligation"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/contracts/export", ct_export_query);
}
