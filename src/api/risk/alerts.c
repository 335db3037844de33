/* alerts.c -- the early-warning engine's alerts and rules (issue 16 item 4): decode, call
 * svc/risk/alert, render. docs/ALERTS.md. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/risk/alert.h"

#define SEVERITIES "low|medium|high|critical"

const struct api_shape api_shapes_alerts[] = {
    {"AlertRule",
     "signal:str unit:str higher_is_worse:bool default_threshold_milli:int "
     "default_severity:str(" SEVERITIES ") default_dept:str default_params:str enabled:bool "
     "threshold_milli:int severity:str(" SEVERITIES ") dept:str params:str overridden:bool "
     "version:int updated_at:ts?"},
    {"AlertPreview", "signal:str threshold_milli:int count:int items:[{account_id:int name:str "
                     "value_milli:int}]"},
    {"Alert",
     "id:int account_id:int account_name:str signal:str unit:str severity:str(" SEVERITIES ") "
     "dept:str value_milli:int? threshold_milli:int? evidence:obj "
     "status:str(open|acknowledged|responding|resolved) owner_id:int? owner_name:str? "
     "acknowledged_by:int? acknowledged_at:ts? response:str response_due:date? resolved_by:int? "
     "resolved_at:ts? resolution:str cleared_at:ts? risk_id:int? first_seen_at:ts "
     "last_seen_at:ts version:int created_at:ts updated_at:ts rule?:AlertRule"},
    {NULL, NULL},
};

/* ---- rules ---- */

struct rule_body {
    unsigned set;
    const char *signal;
    struct alert_rule_in in;
};

enum { RB_SIGNAL = 1u << 8 };

#define RBF(f) offsetof(struct rule_body, in.f)
static const struct jfield rule_spec[] = {
    {"signal", J_STR, RB_SIGNAL, offsetof(struct rule_body, signal), 0, 0, 0,
     "the signal's key (GET /api/v1/alert-rules)", 1},
    {"enabled", J_BOOL, AR_ENABLED, RBF(enabled), 0, 0, 0, "whether the rule raises alerts"},
    {"threshold_milli", J_I64, AR_THRESHOLD, RBF(threshold_milli), 0, 0, 0,
     "thousandths of the signal's unit (30000: 30 days)"},
    {"severity", J_STR, AR_SEVERITY, RBF(severity), 0, 0, 0, "low | medium | high | critical"},
    {"dept", J_STR, AR_DEPT, RBF(dept), 0, 0, 0,
     "sales | finance | service | marketing | technical | production"},
    {"params", J_STR, AR_PARAMS, RBF(params), 0, 0, 0,
     "the signal's own numbers: a JSON object as text, <= 2000 characters"},
    {0},
};

static const struct jfield signal_spec[] = {
    {"signal", J_STR, RB_SIGNAL, offsetof(struct rule_body, signal), 0, 0, 0, "the signal's key",
     1},
    {0},
};

static void render_rule(struct jw *w, const struct alert_rule *r)
{
    jw_obj_begin(w);
    jw_kstr(w, "signal", r->signal);
    jw_kstr(w, "unit", r->unit);
    jw_kbool(w, "higher_is_worse", r->higher_is_worse);
    jw_ki64(w, "default_threshold_milli", r->def_threshold_milli);
    jw_kstr(w, "default_severity", r->def_severity);
    jw_kstr(w, "default_dept", r->def_dept);
    jw_kstr(w, "default_params", r->def_params);
    jw_kbool(w, "enabled", r->enabled);
    jw_ki64(w, "threshold_milli", r->threshold_milli);
    jw_kstr(w, "severity", r->severity);
    jw_kstr(w, "dept", r->dept);
    jw_kstr(w, "params", r->params);
    jw_kbool(w, "overridden", r->overridden);
    jw_ki64(w, "version", r->version);
    jw_ktime_opt(w, "updated_at", r->updated_at, r->overridden);
    jw_obj_end(w);
}

static enum kam_err need_signal(struct api_call *c, const struct rule_body *b)
{
    if (!(b->set & RB_SIGNAL) || !b->signal)
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "signal", "required",
                            (struct kam_param[]){{"field", "signal"}, {0}}, "signal is required");
    return KAM_OK;
}

static enum kam_err rules_list(struct api_call *c)
{
    struct alert_rule *items;
    size_t n;
    enum kam_err rc = alert_rules_list(c->ctx, &items, &n);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    jw_key(&c->w, "items");
    jw_arr_begin(&c->w);
    for (size_t i = 0; i < n; i++)
        render_rule(&c->w, &items[i]);
    jw_arr_end(&c->w);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err decode_rule(struct api_call *c, const struct jfield *spec, struct rule_body *b)
{
    memset(b, 0, sizeof *b);
    enum kam_err rc = api_decode(c, spec, b, &b->set);
    if (rc || (rc = need_signal(c, b)))
        return rc;
    b->in.set = b->set & ~(unsigned)RB_SIGNAL;
    return KAM_OK;
}

static enum kam_err rule_put(struct api_call *c)
{
    struct rule_body b;
    struct alert_rule out;
    enum kam_err rc = decode_rule(c, rule_spec, &b);
    if (rc || (rc = alert_rule_put(c->ctx, b.signal, &b.in, &out)))
        return rc;
    render_rule(&c->w, &out);
    return KAM_OK;
}

static enum kam_err rule_reset(struct api_call *c)
{
    struct rule_body b;
    struct alert_rule out;
    enum kam_err rc = decode_rule(c, signal_spec, &b);
    if (rc || (rc = alert_rule_reset(c->ctx, b.signal, &out)))
        return rc;
    render_rule(&c->w, &out);
    return KAM_OK;
}

static enum kam_err rule_preview(struct api_call *c)
{
    struct rule_body b;
    struct alert_preview p;
    enum kam_err rc = decode_rule(c, rule_spec, &b);
    if (rc || (rc = alert_rule_preview(c->ctx, b.signal, &b.in, &p)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_kstr(w, "signal", p.rule.signal);
    jw_ki64(w, "threshold_milli", p.rule.threshold_milli);
    jw_ki64(w, "count", p.count);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < p.n; i++) {
        jw_obj_begin(w);
        jw_ki64(w, "account_id", p.items[i].account_id);
        jw_kstr(w, "name", p.items[i].name);
        jw_ki64(w, "value_milli", p.items[i].value_milli);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

/* ---- alerts ---- */

static void render_alert(struct jw *w, const struct alert *a, const struct alert_rule *rule)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", a->id);
    jw_ki64(w, "account_id", a->account_id);
    jw_kstr(w, "account_name", a->account_name);
    jw_kstr(w, "signal", a->signal);
    jw_kstr(w, "unit", a->unit);
    jw_kstr(w, "severity", a->severity);
    jw_kstr(w, "dept", a->dept);
    jw_ki64n(w, "value_milli", a->value_milli, !a->has_value);
    jw_ki64n(w, "threshold_milli", a->threshold_milli, !a->has_threshold);
    jw_key(w, "evidence");
    const char *ev = a->evidence && *a->evidence == '{' ? a->evidence : "{}";
    jw_raw(w, ev, strlen(ev));
    jw_kstr(w, "status", a->status);
    jw_ki64n(w, "owner_id", a->owner_id, !a->has_owner);
    jw_kstr(w, "owner_name", a->has_owner ? a->owner_name : NULL);
    jw_ki64n(w, "acknowledged_by", a->acknowledged_by, !a->has_ack_by);
    jw_ktime_opt(w, "acknowledged_at", a->acknowledged_at, a->has_ack_at);
    jw_kstr(w, "response", a->response ? a->response : "");
    jw_kstr(w, "response_due", a->response_due);
    jw_ki64n(w, "resolved_by", a->resolved_by, !a->has_resolved_by);
    jw_ktime_opt(w, "resolved_at", a->resolved_at, a->has_resolved_at);
    jw_kstr(w, "resolution", a->resolution ? a->resolution : "");
    jw_ktime_opt(w, "cleared_at", a->cleared_at, a->has_cleared);
    jw_ki64n(w, "risk_id", a->risk_id, !a->has_risk);
    jw_ktime(w, "first_seen_at", a->first_seen_at);
    jw_ktime(w, "last_seen_at", a->last_seen_at);
    jw_ki64(w, "version", a->version);
    jw_ktime(w, "created_at", a->created_at);
    jw_ktime(w, "updated_at", a->updated_at);
    if (rule) {
        jw_key(w, "rule");
        render_rule(w, rule);
    }
    jw_obj_end(w);
}

static enum kam_err filters(struct api_call *c, struct alert_query *q)
{
    memset(q, 0, sizeof *q);
    q->dept = api_query_str(c, "dept");
    q->status = api_query_str(c, "status");
    q->severity = api_query_str(c, "severity");
    q->signal = api_query_str(c, "signal");
    q->cursor = api_query_str(c, "cursor");
    int64_t mine = 0;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q->limit)) ||
        (rc = api_query_i64(c, "mine", 0, &mine)) ||
        (rc = api_query_i64(c, "account_id", 0, &q->account_id)))
        return rc;
    if (http_query(c->req, "limit") && q->limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    if (mine != 0 && mine != 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "mine", "mine must be 0 or 1");
    if (q->account_id < 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "account_id", "account_id must be positive");
    q->mine = (int)mine;
    return KAM_OK;
}

static enum kam_err al_list(struct api_call *c)
{
    struct alert_query q;
    struct alert *items;
    size_t n;
    const char *next;
    enum kam_err rc = filters(c, &q);
    if (rc || (rc = alert_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_alert(&c->w, &items[i], NULL);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err reply(struct api_call *c, enum kam_err rc, const struct alert *a)
{
    if (rc)
        return rc;
    struct alert_rule rule;
    rc = alert_rule_get(c->ctx, a->signal, &rule);
    if (rc && rc != KAM_ENOTFOUND)
        return rc;
    if (rc) /* a signal no table has any more: the alert without its rule */
        kam_error_clear(c->ctx->err);
    render_alert(&c->w, a, rc ? NULL : &rule);
    return KAM_OK;
}

static enum kam_err al_get(struct api_call *c)
{
    struct alert a;
    return reply(c, alert_get(c->ctx, c->id[0], &a), &a);
}

static enum kam_err al_ack(struct api_call *c)
{
    struct alert a;
    return reply(c, alert_acknowledge(c->ctx, c->id[0], &a), &a);
}

#define ALF(f) offsetof(struct alert_in, v.f)
static const struct jfield alert_spec[] = {
    {"response", J_STR, AL_RESPONSE, ALF(response), 0, 0, 0,
     "the response plan, <= 2000 characters; a plan given makes the alert responding"},
    {"response_due", J_STR, AL_DUE, ALF(response_due), 0, 0, 1, "YYYY-MM-DD, or null"},
    {"owner_id", J_I64, AL_OWNER, ALF(owner_id), ALF(has_owner), 0, 0,
     "who owns the alert: someone who may work on the account's alerts"},
    {"version", J_I64, AL_VERSION, ALF(version), 0, 0, 0,
     "the version you read (409 if it changed)"},
    {0},
};

static enum kam_err al_patch(struct api_call *c)
{
    struct alert_in in = {0};
    enum kam_err rc = api_decode(c, alert_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & AL_OWNER)
        in.v.has_owner = 1;
    struct alert a;
    return reply(c, alert_update(c->ctx, c->id[0], &in, &a), &a);
}

struct resolve_body {
    unsigned set;
    const char *resolution;
};
static const struct jfield resolve_spec[] = {
    {"resolution", J_STR, 1, offsetof(struct resolve_body, resolution), 0, 0, 0,
     "how it was resolved, 1-2000 characters", 1},
    {0},
};

static enum kam_err al_resolve(struct api_call *c)
{
    struct resolve_body b = {0};
    enum kam_err rc = api_decode(c, resolve_spec, &b, &b.set);
    if (rc)
        return rc;
    struct alert a;
    return reply(c, alert_resolve(c->ctx, c->id[0], b.resolution, &a), &a);
}

static enum kam_err al_risk(struct api_call *c)
{
    int64_t risk = 0;
    int created = 0;
    enum kam_err rc = alert_raise_risk(c->ctx, c->id[0], &risk, &created);
    if (rc)
        return rc;
    (void)created;
    struct alert a;
    return reply(c, alert_get(c->ctx, c->id[0], &a), &a);
}

static const char *const list_query[] = {"mine",   "dept",  "account_id", "status", "severity",
                                         "signal", "limit", "cursor",     NULL};
static const char *export_query[API_EXPORT_QUERY_MAX];

const struct route api_routes_alerts[] = {
    {"GET", "/api/v1/alert-rules", rules_list, OBJ_CONFIG, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "Every early-warning signal's rule: its defaults, the effective values (the defaults "
     "overridden by the rule set here) and whether it is overridden",
     "{items:[AlertRule]}"},
    {"PUT", "/api/v1/alert-rules", rule_put, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE, rule_spec, NULL,
     200,
     "Set a signal's rule: the fields given override its effective values (404 naming signal "
     "for an unknown one)",
     "AlertRule"},
    {"POST", "/api/v1/alert-rules/reset", rule_reset, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE,
     signal_spec, NULL, 200, "Put a signal's rule back to its defaults", "AlertRule"},
    {"POST", "/api/v1/alert-rules/preview", rule_preview, OBJ_CONFIG, ACT_READ, SCOPE_NONE,
     rule_spec, NULL, 200,
     "The accounts a rule (its effective values with the fields given changed) would alert on "
     "today, the worst first: their number and the first 50 the caller may read; writes nothing",
     "AlertPreview"},
    {"GET", "/api/v1/alerts", al_list, OBJ_ALERT, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Alerts, newest first: mine=1 (I own them), dept=mine (my departments on the account teams; "
     "finance: finance's) or a department, account_id, status (open: not resolved | "
     "acknowledged | responding | resolved), severity, signal; keyset paging",
     "[Alert]"},
    {"GET", "/api/v1/alerts/export", api_list_export, OBJ_ALERT, ACT_READ, SCOPE_NONE, NULL,
     export_query, 200,
     "The alerts list over all its pages as a file: format=csv (default) or xlsx; columns=key"
     "[:label],...; lang=zh-CN|zh-TW|en",
     "csv"},
    {"GET", "/api/v1/alerts/:id", al_get, OBJ_ALERT, ACT_READ, SCOPE_ALERT, NULL, NULL, 200,
     "One alert with its evidence, its rule and its account's name", "Alert"},
    {"POST", "/api/v1/alerts/:id/acknowledge", al_ack, OBJ_ALERT, ACT_UPDATE, SCOPE_ALERT, NULL,
     NULL, 200, "Acknowledge an open alert (409 naming status otherwise)", "Alert"},
    {"PATCH", "/api/v1/alerts/:id", al_patch, OBJ_ALERT, ACT_UPDATE, SCOPE_ALERT, alert_spec, NULL,
     200, "The response plan, its due date and the owner (version-guarded)", "Alert"},
    {"POST", "/api/v1/alerts/:id/resolve", al_resolve, OBJ_ALERT, ACT_UPDATE, SCOPE_ALERT,
     resolve_spec, NULL, 200, "Resolve an alert with its resolution", "Alert"},
    {"POST", "/api/v1/alerts/:id/risk", al_risk, OBJ_RISK, ACT_CREATE, SCOPE_ALERT, NULL, NULL, 200,
     "Raise a risk from the alert (source alert; the same risk when it was raised before; "
     "the alert answers with its risk_id): credit for finance signals, competitive for "
     "competitors', operating otherwise",
     "Alert"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/alerts/export", export_query);
}
