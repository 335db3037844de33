/* alert_rule.c -- the early-warning rules (alert.h, docs/ALERTS.md): a signal's defaults from
 * its signal_def, overridden by its alert_rules row; the preview of a rule over today. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "base/utf8.h"
#include "store/db.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/policy.h"

const char *const alert_severities[] = {"low", "medium", "high", "critical", NULL};
const char *const alert_depts[] = {"sales",     "finance",    "service", "marketing",
                                   "technical", "production", NULL};

const char *alert_severity_name(enum signal_severity s)
{
    return (unsigned)s < 4 ? alert_severities[s] : "medium";
}

enum signal_severity alert_severity_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (s && !strcmp(s, alert_severities[i]))
            return (enum signal_severity)i;
    return SIGNAL_MEDIUM;
}

static void defaults(struct alert_rule *r, const struct signal_def *d)
{
    memset(r, 0, sizeof *r);
    r->def = d;
    r->signal = d->key;
    r->unit = d->unit;
    r->higher_is_worse = d->higher_is_worse;
    r->def_threshold_milli = d->threshold_milli;
    r->def_severity = alert_severity_name(d->severity);
    r->def_dept = d->dept ? d->dept : "sales";
    r->def_params = d->params ? d->params : "{}";
    r->enabled = 1;
    r->threshold_milli = r->def_threshold_milli;
    r->severity = r->def_severity;
    r->dept = r->def_dept;
    r->params = r->def_params;
}

static enum kam_err load(struct kam_ctx *ctx, const struct signal_def *d, struct alert_rule *r)
{
    defaults(r, d);
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "SELECT enabled, threshold_milli, severity, dept, params, version, "
                   "updated_by, updated_at FROM alert_rules WHERE signal = ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, d->key);
    int row = 0;
    if (!(rc = db_step(st, &row, ctx->err)) && row) {
        r->overridden = 1;
        r->enabled = db_col_i64(st, 0) != 0;
        r->threshold_milli = db_col_i64(st, 1);
        r->severity = arena_strdup(ctx->a, db_col_text(st, 2));
        r->dept = arena_strdup(ctx->a, db_col_text(st, 3));
        r->params = arena_strdup(ctx->a, db_col_text(st, 4));
        r->version = db_col_i64(st, 5);
        r->has_updated_by = !db_col_is_null(st, 6);
        r->updated_by = db_col_i64(st, 6);
        r->updated_at = db_col_i64(st, 7);
    }
    db_done(st);
    return rc;
}

static enum kam_err find(struct kam_ctx *ctx, const char *signal, const struct signal_def **out)
{
    *out = alert_signal_find(signal);
    if (!*out)
        return kam_fail_key(ctx->err, KAM_ENOTFOUND, "signal", "alert.no_signal",
                            (struct kam_param[]){{"signal", signal ? signal : ""}, {0}},
                            "no such signal");
    return KAM_OK;
}

enum kam_err alert_rule_get(struct kam_ctx *ctx, const char *signal, struct alert_rule *out)
{
    const struct signal_def *d;
    enum kam_err rc = find(ctx, signal, &d);
    return rc ? rc : load(ctx, d, out);
}

enum kam_err alert_rules_list(struct kam_ctx *ctx, struct alert_rule **out, size_t *n_out)
{
    size_t n = 0;
    while (alert_signal_at(n))
        n++;
    struct alert_rule *items = arena_calloc(ctx->a, n ? n : 1, sizeof *items);
    for (size_t i = 0; i < n; i++) {
        enum kam_err rc = load(ctx, alert_signal_at(i), &items[i]);
        if (rc)
            return rc;
    }
    *out = items;
    *n_out = n;
    return KAM_OK;
}

/* The params a signal takes are those of its defaults (signal_def.params): another name is
 * refused (params.<name>), as is a value out of its range: "days" a whole number 1..3650 (what
 * the evaluators read, signal_param_days). */
static enum kam_err check_params(struct kam_ctx *ctx, const struct signal_def *d, const char *p)
{
    enum kam_err rc = check_text(ctx, "params", p, 2, ALERT_PARAMS_MAX, CHECK_LINE);
    if (rc)
        return rc;
    json_t *root = json_loads(p, JSON_REJECT_DUPLICATES, NULL);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return kam_fail_key(ctx->err, KAM_EINVAL, "params", "alert.params",
                            (struct kam_param[]){{0}}, "params must be a JSON object");
    }
    json_t *defs = json_loads(d->params ? d->params : "{}", 0, NULL);
    if (!defs) { /* the definition's own params: only out of memory fails here */
        json_decref(root);
        return kam_fail(ctx->err, KAM_EINTERNAL, NULL, "out of memory");
    }
    const char *name;
    json_t *v;
    json_object_foreach(root, name, v)
    {
        const char *field = arena_printf(ctx->a, "params.%s", name);
        if (!json_object_get(defs, name)) {
            rc = kam_fail_key(ctx->err, KAM_EINVAL, field, "alert.param_unknown",
                              (struct kam_param[]){{"name", arena_strdup(ctx->a, name)}, {0}},
                              "the signal has no parameter %s", name);
            break;
        }
        if (!strcmp(name, "days")) {
            int64_t days = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
            if ((rc = check_range(ctx, field, days, 1, 3650)))
                break;
        }
    }
    json_decref(defs);
    json_decref(root);
    return rc;
}

/* A threshold a rule can mean, in thousandths of the signal's unit: a count, days, a ratio or
 * money above 0 (0 or less would fire on every account measured); a percent from -100 % to
 * 1000 %; a score from -200 to 200 (NPS points). */
static enum kam_err check_threshold(struct kam_ctx *ctx, const struct signal_def *d, int64_t v)
{
    const char *u = d->unit ? d->unit : "";
    if (!strcmp(u, "percent"))
        return check_range(ctx, "threshold_milli", v, -100000, 1000000);
    if (!strcmp(u, "score"))
        return check_range(ctx, "threshold_milli", v, -200000, 200000);
    return check_range(ctx, "threshold_milli", v, 1, 1000000000000LL);
}

enum kam_err alert_rule_merge(struct kam_ctx *ctx, const char *signal,
                              const struct alert_rule_in *in, struct alert_rule *out)
{
    enum kam_err rc = alert_rule_get(ctx, signal, out);
    if (rc)
        return rc;
    if (in->set & AR_ENABLED)
        out->enabled = in->enabled != 0;
    if (in->set & AR_THRESHOLD) {
        if ((rc = check_threshold(ctx, out->def, in->threshold_milli)))
            return rc;
        out->threshold_milli = in->threshold_milli;
    }
    if (in->set & AR_SEVERITY) {
        if ((rc = check_enum(ctx, "severity", in->severity, alert_severities)))
            return rc;
        out->severity = in->severity;
    }
    if (in->set & AR_DEPT) {
        if ((rc = check_enum(ctx, "dept", in->dept, alert_depts)))
            return rc;
        out->dept = in->dept;
    }
    if (in->set & AR_PARAMS) {
        if ((rc = check_params(ctx, out->def, in->params)))
            return rc;
        out->params = in->params;
    }
    return KAM_OK;
}

static int64_t position(const struct signal_def *d)
{
    for (size_t i = 0; alert_signal_at(i); i++)
        if (alert_signal_at(i) == d)
            return (int64_t)i + 1;
    return 0;
}

static void diff_rules(struct audit_diff *d, const struct alert_rule *b, const struct alert_rule *a)
{
    audit_diff_i64(d, "enabled", b->enabled, 0, a->enabled, 0);
    audit_diff_i64(d, "threshold_milli", b->threshold_milli, 0, a->threshold_milli, 0);
    audit_diff_str(d, "severity", b->severity, a->severity);
    audit_diff_str(d, "dept", b->dept, a->dept);
    audit_diff_str(d, "params", b->params, a->params);
}

static enum kam_err audit_rule(struct kam_ctx *ctx, const struct alert_rule *before,
                               const struct alert_rule *after, const char *action, int *changed)
{
    struct audit_diff d;
    audit_diff_init(&d);
    diff_rules(&d, before, after);
    *changed = d.n > 0;
    if (!d.n) {
        audit_diff_release(&d);
        return KAM_OK;
    }
    audit_diff_str(&d, "signal", NULL, after->signal);
    return audit_write(ctx, "alert_rule", position(after->def), 0, action, &d);
}

enum kam_err alert_rule_put(struct kam_ctx *ctx, const char *signal, const struct alert_rule_in *in,
                            struct alert_rule *out)
{
    struct alert_rule before, after;
    enum kam_err rc = alert_rule_get(ctx, signal, &before);
    if (rc || (rc = alert_rule_merge(ctx, signal, in, &after)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int changed = 0;
    struct audit_diff probe;
    audit_diff_init(&probe);
    diff_rules(&probe, &before, &after);
    changed = probe.n > 0;
    audit_diff_release(&probe);
    if (changed) {
        struct db_stmt *st;
        if (!(rc = db_prepare(
                  ctx->db,
                  "INSERT INTO alert_rules (signal, enabled, threshold_milli, severity, dept, "
                  "params, version, updated_by, updated_at) VALUES (?,?,?,?,?,?,1,?,?) ON "
                  "CONFLICT (signal) DO UPDATE SET enabled = excluded.enabled, threshold_milli = "
                  "excluded.threshold_milli, severity = excluded.severity, dept = excluded.dept, "
                  "params = excluded.params, version = alert_rules.version + 1, updated_by = "
                  "excluded.updated_by, updated_at = excluded.updated_at",
                  &st, ctx->err))) {
            db_bind_text(st, 1, after.signal);
            db_bind_i64(st, 2, after.enabled);
            db_bind_i64(st, 3, after.threshold_milli);
            db_bind_text(st, 4, after.severity);
            db_bind_text(st, 5, after.dept);
            db_bind_text(st, 6, after.params);
            db_bind_i64n(st, 7, ctx->who.user_id, ctx->who.user_id <= 0);
            db_bind_i64(st, 8, ctx->now);
            rc = db_run(st, ctx->err);
        }
        if (!rc)
            rc = audit_rule(ctx, &before, &after, "update", &changed);
    }
    if (!rc)
        rc = alert_rule_get(ctx, signal, out);
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err alert_rule_reset(struct kam_ctx *ctx, const char *signal, struct alert_rule *out)
{
    struct alert_rule before;
    enum kam_err rc = alert_rule_get(ctx, signal, &before);
    if (rc)
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if (before.overridden) {
        struct db_stmt *st;
        if (!(rc =
                  db_prepare(ctx->db, "DELETE FROM alert_rules WHERE signal = ?", &st, ctx->err))) {
            db_bind_text(st, 1, before.signal);
            rc = db_run(st, ctx->err);
        }
        struct alert_rule after;
        defaults(&after, before.def);
        int changed = 0;
        if (!rc)
            rc = audit_rule(ctx, &before, &after, "reset", &changed);
    }
    if (!rc)
        rc = alert_rule_get(ctx, signal, out);
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- preview ---- */

struct collect {
    struct kam_ctx *ctx;
    struct alert_preview_row *rows;
    size_t n, cap;
};

static enum kam_err collect_hit(void *arg, const struct signal_hit *hit)
{
    struct collect *c = arg;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct alert_preview_row *r = arena_calloc(c->ctx->a, cap, sizeof *r);
        if (c->n)
            memcpy(r, c->rows, c->n * sizeof *r);
        c->rows = r;
        c->cap = cap;
    }
    c->rows[c->n].account_id = hit->account_id;
    c->rows[c->n].value_milli = hit->value_milli;
    c->n++;
    return KAM_OK;
}

/* ascending value, then account (the caller negates values to sort worst first) */
static int by_value(const void *x, const void *y)
{
    const struct alert_preview_row *a = x, *b = y;
    if (a->value_milli != b->value_milli)
        return a->value_milli < b->value_milli ? -1 : 1;
    return a->account_id < b->account_id ? -1 : a->account_id > b->account_id;
}

enum kam_err alert_rule_preview(struct kam_ctx *ctx, const char *signal,
                                const struct alert_rule_in *in, struct alert_preview *out)
{
    memset(out, 0, sizeof *out);
    enum kam_err rc = alert_rule_merge(ctx, signal, in, &out->rule);
    if (rc)
        return rc;
    struct signal_rule sr = {out->rule.def,
                             1,
                             out->rule.threshold_milli,
                             alert_severity_parse(out->rule.severity),
                             out->rule.dept,
                             out->rule.params};
    struct collect c = {ctx, NULL, 0, 0};
    if ((rc = out->rule.def->eval(ctx, &sr, NULL, 0, collect_hit, &c)))
        return rc;
    /* only the accounts the caller may read, and none at all of a signal whose records the
     * caller may not read (alert_may_read: receivables to a service user) */
    int scoped = policy_list_scoped(&ctx->who);
    enum alert_sight sight = alert_signal_sight(&ctx->who, out->rule.def);
    size_t k = 0;
    for (size_t i = 0; sight != ALERT_SIGHT_NONE && i < c.n; i++) {
        int in_scope = 1;
        if (scoped && (rc = policy_account_in_scope(ctx, c.rows[i].account_id, &in_scope))) {
            if (rc != KAM_ENOTFOUND)
                return rc;
            kam_error_clear(ctx->err);
            in_scope = 0;
        }
        if (in_scope && sight == ALERT_SIGHT_OWN &&
            (rc = alert_may_read(ctx, out->rule.signal, c.rows[i].account_id, &in_scope)))
            return rc;
        if (in_scope)
            c.rows[k++] = c.rows[i];
    }
    int flip = out->rule.higher_is_worse; /* worst first */
    for (size_t i = 0; flip && i < k; i++)
        c.rows[i].value_milli = -c.rows[i].value_milli;
    if (k > 1)
        qsort(c.rows, k, sizeof *c.rows, by_value);
    for (size_t i = 0; flip && i < k; i++)
        c.rows[i].value_milli = -c.rows[i].value_milli;
    out->count = (int64_t)k;
    out->n = k < ALERT_PREVIEW_MAX ? k : ALERT_PREVIEW_MAX;
    out->items = c.rows;
    for (size_t i = 0; i < out->n; i++) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db, "SELECT name FROM accounts WHERE id = ?", &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, out->items[i].account_id);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        out->items[i].name = arena_strdup(ctx->a, row ? db_col_text(st, 0) : "");
        db_done(st);
        if (rc)
            return rc;
    }
    return KAM_OK;
}
