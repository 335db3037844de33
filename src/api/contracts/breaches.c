/* breaches.c -- contract breaches (issue 17 item 3): the inbox, one breach with its evidence,
 * the workflow, the scan on demand, the obligations' standing. Decode, call
 * svc/contracts/breach, render. docs/CONTRACTS.md. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/contracts/breach.h"

#define SEVERITIES "low|medium|high|critical"
#define STATUSES "detected|confirmed|waived|action|cured"

const struct api_shape api_shapes_breaches[] = {
    {"Breach",
     "id:int contract_id:int contract_number:str contract_title:str obligation_id:int "
     "obligation_title:str account_id:int account_name:str side:str(ours|theirs) kind:str "
     "occurrence:str severity:str(" SEVERITIES ") at_stake:int currency:str measured:int? "
     "expected:int? evidence:obj status:str(" STATUSES ") reason:str action:str owner_id:int? "
     "detected_at:ts last_seen_at:ts cured_at:ts? version:int created_at:ts updated_at:ts"},
    {"BreachScan", "contracts:int obligations:int found:int detected:int skipped:int"},
    {"ObligationStatus",
     "obligation_id:int state:str(ok|at_risk|breached|none) open_breaches:int period:str? "
     "actual:int? expected_to_date:int? target:int? projected:int? next_due:date?"},
    {NULL, NULL},
};

static void render(struct jw *w, const struct breach *b)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", b->id);
    jw_ki64(w, "contract_id", b->contract_id);
    jw_kstr(w, "contract_number", b->contract_number);
    jw_kstr(w, "contract_title", b->contract_title);
    jw_ki64(w, "obligation_id", b->obligation_id);
    jw_kstr(w, "obligation_title", b->obligation_title);
    jw_ki64(w, "account_id", b->account_id);
    jw_kstr(w, "account_name", b->account_name);
    jw_kstr(w, "side", b->side);
    jw_kstr(w, "kind", b->kind);
    jw_kstr(w, "occurrence", b->occurrence);
    jw_kstr(w, "severity", b->severity);
    jw_ki64(w, "at_stake", b->at_stake);
    jw_kstr(w, "currency", b->currency);
    jw_ki64n(w, "measured", b->measured, !b->has_measured);
    jw_ki64n(w, "expected", b->expected, !b->has_expected);
    jw_key(w, "evidence");
    const char *ev = b->evidence && *b->evidence == '{' ? b->evidence : "{}";
    jw_raw(w, ev, strlen(ev));
    jw_kstr(w, "status", b->status);
    jw_kstr(w, "reason", b->reason);
    jw_kstr(w, "action", b->action);
    jw_ki64n(w, "owner_id", b->owner_id, !b->has_owner);
    jw_ktime(w, "detected_at", b->detected_at);
    jw_ktime(w, "last_seen_at", b->last_seen_at);
    jw_ktime_opt(w, "cured_at", b->cured_at, b->has_cured);
    jw_ki64(w, "version", b->version);
    jw_ktime(w, "created_at", b->created_at);
    jw_ktime(w, "updated_at", b->updated_at);
    jw_obj_end(w);
}

static enum kam_err positive(struct api_call *c, const char *name, int64_t *v)
{
    enum kam_err rc = api_query_i64(c, name, 0, v);
    if (!rc && *v < 0)
        rc = kam_fail(c->ctx->err, KAM_EINVAL, name, "%s must be a positive id", name);
    return rc;
}

static enum kam_err b_list(struct api_call *c)
{
    struct breach_query q = {0};
    q.status = api_query_str(c, "status");
    q.side = api_query_str(c, "side");
    q.kind = api_query_str(c, "kind");
    q.severity = api_query_str(c, "severity");
    q.sort = api_query_str(c, "sort");
    q.cursor = api_query_str(c, "cursor");
    int64_t mine = 0;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) ||
        (rc = positive(c, "account_id", &q.account_id)) ||
        (rc = positive(c, "contract_id", &q.contract_id)) ||
        (rc = api_query_i64(c, "mine", 0, &mine)))
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    if (mine != 0 && mine != 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "mine", "mine must be 0 or 1");
    if (mine)
        q.owner_id = c->ctx->who.user_id > 0 ? c->ctx->who.user_id : -1;
    struct breach *items;
    size_t n;
    const char *next;
    if ((rc = breach_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err reply(struct api_call *c, enum kam_err rc, const struct breach *b)
{
    if (!rc)
        render(&c->w, b);
    return rc;
}

static enum kam_err b_get(struct api_call *c)
{
    struct breach b;
    return reply(c, breach_get(c->ctx, c->id[0], &b), &b);
}

struct move_body {
    unsigned set;
    const char *text;
    int64_t version;
};

static const struct jfield reason_spec[] = {
    {"reason", J_STR, 1, offsetof(struct move_body, text), 0, 0, 0,
     "why the breach is waived, 1-2000 characters", 1},
    {"version", J_I64, 2, offsetof(struct move_body, version), 0, 0, 0,
     "the version you read (409 if it changed)"},
    {0},
};
static const struct jfield action_spec[] = {
    {"action", J_STR, 1, offsetof(struct move_body, text), 0, 0, 0,
     "the corrective action taken, 1-2000 characters", 1},
    {"version", J_I64, 2, offsetof(struct move_body, version), 0, 0, 0,
     "the version you read (409 if it changed)"},
    {0},
};
static const struct jfield note_spec[] = {
    {"note", J_STR, 1, offsetof(struct move_body, text), 0, 0, 0,
     "optional, <= 2000 characters; cured: added to the action"},
    {"version", J_I64, 2, offsetof(struct move_body, version), 0, 0, 0,
     "the version you read (409 if it changed)"},
    {0},
};

static const struct jfield version_spec[] = {
    {"version", J_I64, 2, offsetof(struct move_body, version), 0, 0, 0,
     "the version you read (409 if it changed)"},
    {0},
};

static enum kam_err do_move(struct api_call *c, const struct jfield *spec, const char *to)
{
    struct move_body b = {0};
    enum kam_err rc = api_decode(c, spec, &b, &b.set);
    if (rc)
        return rc;
    if ((b.set & 2) && b.version <= 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version must be positive");
    struct breach out;
    return reply(c, breach_move(c->ctx, c->id[0], to, b.text, b.version, &out), &out);
}

static enum kam_err b_confirm(struct api_call *c)
{
    return do_move(c, version_spec, "confirmed");
}

static enum kam_err b_waive(struct api_call *c)
{
    return do_move(c, reason_spec, "waived");
}

static enum kam_err b_action(struct api_call *c)
{
    return do_move(c, action_spec, "action");
}

static enum kam_err b_cure(struct api_call *c)
{
    return do_move(c, note_spec, "cured");
}

static void render_scan(struct jw *w, const struct breach_scan_report *r)
{
    jw_obj_begin(w);
    jw_ki64(w, "contracts", r->contracts);
    jw_ki64(w, "obligations", r->obligations);
    jw_ki64(w, "found", r->found);
    jw_ki64(w, "detected", r->detected);
    jw_ki64(w, "skipped", r->skipped);
    jw_obj_end(w);
}

static enum kam_err b_scan_contract(struct api_call *c)
{
    struct breach_scan_report r;
    enum kam_err rc = breach_scan(c->ctx, c->id[0], &r);
    if (!rc)
        render_scan(&c->w, &r);
    return rc;
}

static enum kam_err b_scan_all(struct api_call *c)
{
    struct breach_scan_report r;
    enum kam_err rc = breach_scan(c->ctx, 0, &r);
    if (!rc)
        render_scan(&c->w, &r);
    return rc;
}

static enum kam_err b_status(struct api_call *c)
{
    struct obligation_status *v;
    size_t n;
    enum kam_err rc = breach_obligations_status(c->ctx, c->id[0], &v, &n);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    jw_key(&c->w, "items");
    jw_arr_begin(&c->w);
    for (size_t i = 0; i < n; i++) {
        const struct obligation_status *x = &v[i];
        jw_obj_begin(&c->w);
        jw_ki64(&c->w, "obligation_id", x->obligation_id);
        jw_kstr(&c->w, "state", x->state);
        jw_ki64(&c->w, "open_breaches", x->open_breaches);
        jw_kstr(&c->w, "period", x->period);
        jw_ki64n(&c->w, "actual", x->actual, !x->has_volume);
        jw_ki64n(&c->w, "expected_to_date", x->expected_to_date, !x->has_volume);
        jw_ki64n(&c->w, "target", x->target, !x->has_volume);
        jw_ki64n(&c->w, "projected", x->projected, !x->has_volume);
        jw_kstr(&c->w, "next_due", x->next_due);
        jw_obj_end(&c->w);
    }
    jw_arr_end(&c->w);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static const char *const list_query[] = {"account_id", "contract_id", "status", "side",
                                         "kind",       "severity",    "mine",   "sort",
                                         "limit",      "cursor",      NULL};
static const char *export_query[API_EXPORT_QUERY_MAX];

const struct route api_routes_breaches[] = {
    {"GET", "/api/v1/breaches", b_list, OBJ_BREACH, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Contract breaches, newest first (sort detected_at | at_stake | id, - for descending): "
     "account_id, contract_id, status (one, or open: detected | confirmed | action), side "
     "(ours | theirs), kind (the obligation's), severity, mine=1 (I own them); keyset paging",
     "[Breach]"},
    {"GET", "/api/v1/breaches/export", api_list_export, OBJ_BREACH, ACT_READ, SCOPE_NONE, NULL,
     export_query, 200,
     "The breaches list over all its pages as a file: format=csv (default) or xlsx; columns=key"
     "[:label],...; lang=zh-CN|zh-TW|en",
     "csv"},
    {"POST", "/api/v1/breaches/scan", b_scan_all, OBJ_BREACH, ACT_CREATE, SCOPE_NONE, NULL, NULL,
     200,
     "Check every obligation of every active, expiring and recently expired contract now (the "
     "scheduler does it with each planning pass); new breaches are recorded and told",
     "BreachScan"},
    {"GET", "/api/v1/breaches/:id", b_get, OBJ_BREACH, ACT_READ, SCOPE_BREACH, NULL, NULL, 200,
     "One breach with its evidence (the lines, invoices or issues that show it)", "Breach"},
    {"POST", "/api/v1/breaches/:id/confirm", b_confirm, OBJ_BREACH, ACT_UPDATE, SCOPE_BREACH,
     version_spec, NULL, 200, "detected -> confirmed (409 naming status from any other status)",
     "Breach"},
    {"POST", "/api/v1/breaches/:id/waive", b_waive, OBJ_BREACH, ACT_UPDATE, SCOPE_BREACH,
     reason_spec, NULL, 200, "detected or confirmed -> waived, with the reason", "Breach"},
    {"POST", "/api/v1/breaches/:id/action", b_action, OBJ_BREACH, ACT_UPDATE, SCOPE_BREACH,
     action_spec, NULL, 200, "confirmed -> action: the corrective action taken", "Breach"},
    {"POST", "/api/v1/breaches/:id/cure", b_cure, OBJ_BREACH, ACT_UPDATE, SCOPE_BREACH, note_spec,
     NULL, 200, "action -> cured", "Breach"},
    {"POST", "/api/v1/contracts/:id/scan", b_scan_contract, OBJ_BREACH, ACT_CREATE, SCOPE_CONTRACT,
     NULL, NULL, 200,
     "Check this contract's obligations now (active, expiring or expired contracts)", "BreachScan"},
    {"GET", "/api/v1/contracts/:id/compliance", b_status, OBJ_CONTRACT, ACT_READ, SCOPE_CONTRACT,
     NULL, NULL, 200,
     "Each obligation's standing now: ok | at_risk (the running period's projection falls "
     "short) | breached (open breaches) | none (nothing to judge yet); a volume obligation's "
     "running period with its pro-rata expectation and linear projection; a dated one's next "
     "occurrence not done",
     "{items:[ObligationStatus]}"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/breaches/export", export_query);
}
