/* gift.c -- compliance: gift rules, yearly budgets, gifts and their decisions (gift.h). */
#include "gift.h"

#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "receivable.h"
#include "risk.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/notify.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

const char *const gift_kinds[] = {"gift", "hospitality", NULL};
const char *const gift_rule_kinds[] = {"gift", "hospitality", "any", NULL};
const char *const gift_statuses[] = {"recorded", "pending", "approved", "rejected", "breach", NULL};
const char *const gift_approver_roles[] = {"team_lead", "director", "finance", NULL};

int gift_rule_pick(const struct gift_rule *rules, size_t n, const char *kind, const char *role)
{
    int best = -1, best_rank = -1;
    for (size_t i = 0; i < n; i++) {
        const struct gift_rule *r = &rules[i];
        if (!r->active)
            continue;
        int kind_match = !strcmp(r->kind, kind);
        int role_match = role && *role && !strcmp(r->recipient_role, role);
        if (!kind_match && strcmp(r->kind, "any") != 0)
            continue;
        if (!role_match && strcmp(r->recipient_role, "any") != 0)
            continue;
        int rank = 2 * role_match + kind_match;
        if (rank > best_rank || (rank == best_rank && r->id < rules[best].id)) {
            best = (int)i;
            best_rank = rank;
        }
    }
    return best;
}

const char *gift_status_of(int forbidden, int over_rule, int over_budget, int given)
{
    if (forbidden || over_budget || (over_rule && given))
        return "breach";
    return over_rule ? "pending" : "recorded";
}

/* A currency with an exchange rate (or the base): its amount converts. */
static enum kam_err known_currency(struct kam_ctx *ctx, const char *field, const char *cur)
{
    enum kam_err rc = check_currency(ctx, field, cur);
    int64_t out = 0;
    if (!rc && (rc = recv_to_base(ctx, cur, 0, &out)) == KAM_EINVAL) {
        kam_error_clear(ctx->err);
        rc = kam_fail(ctx->err, KAM_EINVAL, field, "%s: no exchange rate for %s", field, cur);
    }
    return rc;
}

static enum kam_err to_base(struct kam_ctx *ctx, const char *field, const char *cur, int64_t v,
                            int64_t *out)
{
    enum kam_err rc = recv_to_base(ctx, cur, v, out);
    if (rc == KAM_EINVAL) {
        kam_error_clear(ctx->err);
        rc = kam_fail(ctx->err, KAM_EINVAL, field, "%s: no exchange rate for %s", field, cur);
    }
    return rc;
}

/* ---- rules ---- */

#define RCOLS                                                                                      \
    "id, name, kind, recipient_role, max_value, currency, approver_role, forbidden, active, "      \
    "version, created_at, updated_at"

static void rule_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct gift_rule *r = row;
    memset(r, 0, sizeof *r);
    r->id = db_col_i64(st, 0);
    r->name = arena_strdup(ctx->a, db_col_text(st, 1));
    r->kind = arena_strdup(ctx->a, db_col_text(st, 2));
    r->recipient_role = arena_strdup(ctx->a, db_col_text(st, 3));
    r->max_value = db_col_i64(st, 4);
    r->currency = arena_strdup(ctx->a, db_col_text(st, 5));
    r->approver_role = arena_strdup(ctx->a, db_col_text(st, 6));
    r->forbidden = db_col_i64(st, 7) != 0;
    r->active = db_col_i64(st, 8) != 0;
    r->version = db_col_i64(st, 9);
    r->created_at = db_col_i64(st, 10);
    r->updated_at = db_col_i64(st, 11);
}

enum kam_err gift_rule_list(struct kam_ctx *ctx, struct gift_rule **items, size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT " RCOLS " FROM gift_rules ORDER BY id", &st, ctx->err);
    if (rc)
        return rc;
    void *v;
    rc = rows_collect(ctx, st, 500, rule_row, sizeof(struct gift_rule), &v, n);
    *items = v;
    return rc;
}

enum kam_err gift_rule_get(struct kam_ctx *ctx, int64_t id, struct gift_rule *out)
{
    return row_get(ctx, "SELECT " RCOLS " FROM gift_rules WHERE id = ?", id, rule_row, out,
                   "gift rule");
}

/* A contact's decision roles (contacts.decision_role, svc/relationships/contact.c; the risk
 * chapter does not include that chapter's headers), or any. */
static const char *const recipient_roles[] = {"any",        "decision_maker", "influencer", "user",
                                              "gatekeeper", "champion",       "other",      NULL};

static int role_ok(const char *s)
{
    return check_in(s, recipient_roles);
}

static enum kam_err rule_validate(struct kam_ctx *ctx, const struct gift_rule *r)
{
    enum kam_err rc;
    if ((rc = check_line(ctx, "name", r->name, GIFT_NAME_MAX)) ||
        (rc = check_enum(ctx, "kind", r->kind, gift_rule_kinds)) ||
        (rc = check_range(ctx, "max_value", r->max_value, 0, GIFT_VALUE_MAX)) ||
        (rc = known_currency(ctx, "currency", r->currency)) ||
        (rc = check_enum(ctx, "approver_role", r->approver_role, gift_approver_roles)))
        return rc;
    if (!r->recipient_role || !role_ok(r->recipient_role))
        return kam_fail(ctx->err, KAM_EINVAL, "recipient_role",
                        "recipient_role must be a contact's decision role or any");
    return KAM_OK;
}

static void rule_diff(struct audit_diff *d, const struct gift_rule *b, const struct gift_rule *a)
{
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "kind", b ? b->kind : NULL, a ? a->kind : NULL);
    audit_diff_str(d, "recipient_role", b ? b->recipient_role : NULL, a ? a->recipient_role : NULL);
    audit_diff_i64(d, "max_value", b ? b->max_value : 0, !b, a ? a->max_value : 0, !a);
    audit_diff_str(d, "currency", b ? b->currency : NULL, a ? a->currency : NULL);
    audit_diff_str(d, "approver_role", b ? b->approver_role : NULL, a ? a->approver_role : NULL);
    audit_diff_i64(d, "forbidden", b ? b->forbidden : 0, !b, a ? a->forbidden : 0, !a);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a ? a->active : 0, !a);
}

static void rule_merge(struct gift_rule *r, const struct gift_rule_in *in)
{
    const struct gift_rule *v = &in->v;
    if (in->set & GR_NAME)
        r->name = v->name;
    if (in->set & GR_KIND)
        r->kind = v->kind;
    if (in->set & GR_ROLE)
        r->recipient_role = v->recipient_role;
    if (in->set & GR_MAX)
        r->max_value = v->max_value;
    if (in->set & GR_CURRENCY)
        r->currency = v->currency;
    if (in->set & GR_APPROVER)
        r->approver_role = v->approver_role;
    if (in->set & GR_FORBIDDEN)
        r->forbidden = v->forbidden != 0;
    if (in->set & GR_ACTIVE)
        r->active = v->active != 0;
}

enum kam_err gift_rule_create(struct kam_ctx *ctx, const struct gift_rule_in *in,
                              struct gift_rule *out)
{
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, GR_NAME, "name")) ||
        (rc = check_given(ctx, in->set, GR_MAX, "max_value")) ||
        (rc = check_given(ctx, in->set, GR_CURRENCY, "currency")))
        return rc;
    if (in->set & GR_VERSION)
        return kam_fail(ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct gift_rule r = {
        .kind = "any", .recipient_role = "any", .approver_role = "director", .active = 1};
    rule_merge(&r, in);
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = rule_validate(ctx, &r)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO gift_rules (name, kind, recipient_role, max_value, "
                         "currency, approver_role, forbidden, active, version, created_at, "
                         "updated_at) VALUES (?,?,?,?,?,?,?,?,1,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, r.name);
    db_bind_text(st, 2, r.kind);
    db_bind_text(st, 3, r.recipient_role);
    db_bind_i64(st, 4, r.max_value);
    db_bind_text(st, 5, r.currency);
    db_bind_text(st, 6, r.approver_role);
    db_bind_i64(st, 7, r.forbidden);
    db_bind_i64(st, 8, r.active);
    db_bind_i64(st, 9, ctx->now);
    db_bind_i64(st, 10, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        r.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    rule_diff(&d, NULL, &r);
    if (!(rc = audit_write(ctx, "gift_rule", r.id, 0, "create", &d)))
        rc = gift_rule_get(ctx, r.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err gr_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return gift_rule_get(ctx, id, rec);
}

static enum kam_err gr_merge(const struct update_op *op, void *rec)
{
    rule_merge(rec, op->in);
    return rule_validate(op->ctx, rec);
}

static void gr_diff(const struct update_op *op)
{
    rule_diff(op->diff, op->before, op->after);
}

static enum kam_err gr_write(const struct update_op *op)
{
    const struct gift_rule *r = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE gift_rules SET name = ?, kind = ?, recipient_role = ?, "
                                 "max_value = ?, currency = ?, approver_role = ?, forbidden = ?, "
                                 "active = ?, updated_at = ?, version = version + 1 WHERE id = ? "
                                 "AND version = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, r->name);
    db_bind_text(st, 2, r->kind);
    db_bind_text(st, 3, r->recipient_role);
    db_bind_i64(st, 4, r->max_value);
    db_bind_text(st, 5, r->currency);
    db_bind_text(st, 6, r->approver_role);
    db_bind_i64(st, 7, r->forbidden);
    db_bind_i64(st, 8, r->active);
    db_bind_i64(st, 9, ctx->now);
    db_bind_i64(st, 10, r->id);
    db_bind_i64(st, 11, b->version);
    return db_run(st, ctx->err);
}

static const struct update_spec rule_spec = {
    .entity = "gift_rule",
    .size = sizeof(struct gift_rule),
    .versioned = 1,
    .version_at = offsetof(struct gift_rule, version),
    .in_set_at = offsetof(struct gift_rule_in, set),
    .in_version_at = offsetof(struct gift_rule_in, v.version),
    .in_version_bit = GR_VERSION,
    .get = gr_get,
    .merge = gr_merge,
    .diff = gr_diff,
    .write = gr_write,
};

enum kam_err gift_rule_update(struct kam_ctx *ctx, int64_t id, const struct gift_rule_in *in,
                              struct gift_rule *out)
{
    return record_update(ctx, &rule_spec, id, in, out);
}

enum kam_err gift_rule_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct gift_rule b;
    int64_t n = 0;
    if ((rc = gift_rule_get(ctx, id, &b)) ||
        (rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM gifts WHERE rule_id = ?", 1, id, &n,
                           ctx->err)))
        goto out;
    if (n) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "in_use", NULL,
                          "gifts were judged by this rule: deactivate it instead");
        goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM gift_rules WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    rule_diff(&d, &b, NULL);
    rc = audit_write(ctx, "gift_rule", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- gifts ---- */

#define GCOLS                                                                                      \
    "gifts.id, gifts.account_id, accounts.name, gifts.contact_id, COALESCE(c.name, ''), "          \
    "COALESCE(c.decision_role, ''), gifts.kind, gifts.description, gifts.value, gifts.currency, "  \
    "gifts.value_base, gifts.given_on, gifts.given_by, COALESCE(NULLIF(gu.name, ''), gu.login, "   \
    "''), gifts.care_reminder_id, gifts.visit_id, gifts.rule_id, COALESCE(gr.name, ''), "          \
    "gr.approver_role, gifts.status, gifts.decided_by, gifts.decided_at, gifts.decision_note, "    \
    "gifts.risk_id, gifts.version, gifts.created_at, gifts.updated_at, gifts.created_by"
#define GFROM                                                                                      \
    " FROM gifts JOIN accounts ON accounts.id = gifts.account_id LEFT JOIN contacts c ON c.id = "  \
    "gifts.contact_id LEFT JOIN users gu ON gu.id = gifts.given_by LEFT JOIN gift_rules gr ON "    \
    "gr.id = gifts.rule_id"

static int64_t opt_i64(struct db_stmt *st, int col, int *has)
{
    *has = !db_col_is_null(st, col);
    return *has ? db_col_i64(st, col) : 0;
}

static void gift_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct gift *g = row;
    memset(g, 0, sizeof *g);
    g->id = db_col_i64(st, 0);
    g->account_id = db_col_i64(st, 1);
    g->account_name = arena_strdup(ctx->a, db_col_text(st, 2));
    g->contact_id = opt_i64(st, 3, &g->has_contact);
    g->contact_name = arena_strdup(ctx->a, db_col_text(st, 4));
    g->contact_role = arena_strdup(ctx->a, db_col_text(st, 5));
    g->kind = arena_strdup(ctx->a, db_col_text(st, 6));
    g->description = arena_strdup(ctx->a, db_col_text(st, 7));
    g->value = db_col_i64(st, 8);
    g->currency = arena_strdup(ctx->a, db_col_text(st, 9));
    g->value_base = db_col_i64(st, 10);
    g->given_on = arena_strdup(ctx->a, db_col_text(st, 11));
    g->given_by = opt_i64(st, 12, &g->has_given_by);
    g->given_by_name = arena_strdup(ctx->a, db_col_text(st, 13));
    g->care_reminder_id = opt_i64(st, 14, &g->has_care);
    g->visit_id = opt_i64(st, 15, &g->has_visit);
    g->rule_id = opt_i64(st, 16, &g->has_rule);
    g->rule_name = arena_strdup(ctx->a, db_col_text(st, 17));
    g->approver_role = db_col_is_null(st, 18) ? NULL : arena_strdup(ctx->a, db_col_text(st, 18));
    g->status = arena_strdup(ctx->a, db_col_text(st, 19));
    g->decided_by = opt_i64(st, 20, &g->has_decided);
    g->decided_at = db_col_is_null(st, 21) ? 0 : db_col_i64(st, 21);
    g->decision_note = arena_strdup(ctx->a, db_col_text(st, 22));
    g->risk_id = opt_i64(st, 23, &g->has_risk);
    g->version = db_col_i64(st, 24);
    g->created_at = db_col_i64(st, 25);
    g->updated_at = db_col_i64(st, 26);
    g->created_by = opt_i64(st, 27, &g->has_created_by);
}

enum kam_err gift_get(struct kam_ctx *ctx, int64_t id, struct gift *out)
{
    return row_get(ctx, "SELECT " GCOLS GFROM " WHERE gifts.id = ?", id, gift_row, out, "gift");
}

static void gift_diff(struct audit_diff *d, const struct gift *b, const struct gift *a)
{
    audit_diff_i64(d, "contact_id", b ? b->contact_id : 0, !b || !b->has_contact,
                   a ? a->contact_id : 0, !a || !a->has_contact);
    audit_diff_str(d, "kind", b ? b->kind : NULL, a ? a->kind : NULL);
    audit_diff_str(d, "description", b ? b->description : NULL, a ? a->description : NULL);
    audit_diff_i64(d, "value", b ? b->value : 0, !b, a ? a->value : 0, !a);
    audit_diff_str(d, "currency", b ? b->currency : NULL, a ? a->currency : NULL);
    audit_diff_str(d, "given_on", b ? b->given_on : NULL, a ? a->given_on : NULL);
    audit_diff_i64(d, "given_by", b ? b->given_by : 0, !b || !b->has_given_by, a ? a->given_by : 0,
                   !a || !a->has_given_by);
    audit_diff_i64(d, "care_reminder_id", b ? b->care_reminder_id : 0, !b || !b->has_care,
                   a ? a->care_reminder_id : 0, !a || !a->has_care);
    audit_diff_i64(d, "visit_id", b ? b->visit_id : 0, !b || !b->has_visit, a ? a->visit_id : 0,
                   !a || !a->has_visit);
    audit_diff_i64(d, "rule_id", b ? b->rule_id : 0, !b || !b->has_rule, a ? a->rule_id : 0,
                   !a || !a->has_rule);
    audit_diff_str(d, "status", b ? b->status : NULL, a ? a->status : NULL);
    audit_diff_str(d, "decision_note", b ? b->decision_note : NULL, a ? a->decision_note : NULL);
    audit_diff_i64(d, "risk_id", b ? b->risk_id : 0, !b || !b->has_risk, a ? a->risk_id : 0,
                   !a || !a->has_risk);
}

static enum kam_err same_account(struct kam_ctx *ctx, const char *field, const char *sql,
                                 int64_t id, int64_t account_id)
{
    int64_t acc = 0;
    enum kam_err rc = db_query_i64(ctx->db, sql, 1, id, &acc, ctx->err);
    if (rc == KAM_ENOTFOUND || (!rc && acc != account_id)) {
        kam_error_clear(ctx->err);
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "gift.not_same_account",
                            (struct kam_param[]){{"field", field}, {0}},
                            "%s must be a record of the same account", field);
    }
    return rc;
}

/* Checks g's fields and sets its value_base, rule and status (the header's rule), excluding
 * gift id self from the budget's use. */
static enum kam_err evaluate(struct kam_ctx *ctx, struct gift *g, const struct gift *before)
{
    enum kam_err rc;
    if ((rc = check_enum(ctx, "kind", g->kind, gift_kinds)) ||
        (rc = check_line(ctx, "description", g->description, GIFT_TEXT_MAX)) ||
        (rc = check_range(ctx, "value", g->value, 0, GIFT_VALUE_MAX)) ||
        (rc = known_currency(ctx, "currency", g->currency)) ||
        (rc = check_date(ctx, "given_on", g->given_on)))
        return rc;
    g->contact_role = "";
    if (g->has_contact) {
        if ((!before || !before->has_contact || before->contact_id != g->contact_id) &&
            (rc = same_account(ctx, "contact_id", "SELECT account_id FROM contacts WHERE id = ?",
                               g->contact_id, g->account_id)))
            return rc;
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db, "SELECT decision_role FROM contacts WHERE id = ?", &st,
                             ctx->err)))
            return rc;
        db_bind_i64(st, 1, g->contact_id);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row && !db_col_is_null(st, 0))
            g->contact_role = arena_strdup(ctx->a, db_col_text(st, 0));
        db_done(st);
        if (rc)
            return rc;
    }
    if (g->has_visit && (!before || !before->has_visit || before->visit_id != g->visit_id) &&
        (rc = same_account(ctx, "visit_id", "SELECT account_id FROM visits WHERE id = ?",
                           g->visit_id, g->account_id)))
        return rc;
    if (g->has_care &&
        (!before || !before->has_care || before->care_reminder_id != g->care_reminder_id) &&
        (rc = same_account(ctx, "care_reminder_id",
                           "SELECT account_id FROM care_reminders WHERE id = ?",
                           g->care_reminder_id, g->account_id)))
        return rc;
    if (g->has_given_by && (!before || !before->has_given_by || before->given_by != g->given_by)) {
        int yes = 0;
        if ((rc = policy_user_may(ctx, g->given_by, OBJ_GIFT, ACT_CREATE, g->account_id, &yes)))
            return rc;
        if (!yes)
            return kam_fail(ctx->err, KAM_EINVAL, "given_by",
                            "given_by must be an active user who may record this account's gifts");
    }
    /* A PATCH that leaves what the judgment reads alone (kind, value, currency, recipient, day)
     * keeps the judgment made when the gift was recorded: today's rules, rates and budget do not
     * judge an old gift again. */
    if (before && !strcmp(before->kind, g->kind) && before->value == g->value &&
        !strcmp(before->currency, g->currency) && before->has_contact == g->has_contact &&
        before->contact_id == g->contact_id && !strcmp(before->given_on, g->given_on)) {
        g->value_base = before->value_base;
        g->has_rule = before->has_rule;
        g->rule_id = before->rule_id;
        g->approver_role = before->approver_role;
        g->status = before->status;
        return KAM_OK;
    }
    if ((rc = to_base(ctx, "currency", g->currency, g->value, &g->value_base)))
        return rc;
    /* the rule */
    struct gift_rule *rules;
    size_t n;
    if ((rc = gift_rule_list(ctx, &rules, &n)))
        return rc;
    int k = gift_rule_pick(rules, n, g->kind, g->contact_role);
    int forbidden = 0, over_rule = 0, over_budget = 0;
    g->has_rule = k >= 0;
    g->rule_id = k >= 0 ? rules[k].id : 0;
    g->approver_role = k >= 0 ? rules[k].approver_role : NULL;
    if (k >= 0) {
        int64_t max_base = 0;
        forbidden = rules[k].forbidden;
        if ((rc = to_base(ctx, "currency", rules[k].currency, rules[k].max_value, &max_base)))
            return rc;
        over_rule = g->value_base > max_base;
    }
    /* the budget of the year given; its row locked until the transaction ends, so gifts
     * judged at the same time against it take turns and each counts the others (PostgreSQL;
     * SQLite's writers take turns anyway) */
    struct gift_budget b;
    int64_t year = 0;
    sscanf(g->given_on, "%4lld", (long long *)&year);
    if (*db_update_lock(ctx->db)) {
        struct db_stmt *lk;
        if ((rc = db_prepare(ctx->db,
                             arena_printf(ctx->a,
                                          "SELECT account_id FROM gift_budgets WHERE account_id "
                                          "= ? AND year = ?%s",
                                          db_update_lock(ctx->db)),
                             &lk, ctx->err)))
            return rc;
        db_bind_i64(lk, 1, g->account_id);
        db_bind_i64(lk, 2, year);
        int row = 0;
        rc = db_step(lk, &row, ctx->err);
        db_done(lk);
        if (rc)
            return rc;
    }
    if ((rc = gift_budget_get(ctx, g->account_id, year, &b)))
        return rc;
    if (b.has_budget) {
        int64_t used = b.used_base - (before && strcmp(before->status, "rejected") != 0 &&
                                              !strncmp(before->given_on, g->given_on, 4)
                                          ? before->value_base
                                          : 0);
        over_budget = used + g->value_base > b.amount_base;
    }
    char today[11];
    risk_today(ctx, today);
    g->status = gift_status_of(forbidden, over_rule, over_budget, strcmp(g->given_on, today) <= 0);
    return KAM_OK;
}

enum kam_err gift_interested(struct kam_ctx *ctx, int64_t id, int64_t *giver, int64_t *recorder)
{
    *giver = *recorder = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT COALESCE(given_by, 0), COALESCE(created_by, 0) FROM gifts "
                                 "WHERE id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        *giver = db_col_i64(st, 0);
        *recorder = db_col_i64(st, 1);
    }
    db_done(st);
    return rc;
}

/* The user ids st selects (at most max, in its order) who are neither g's giver nor its recorder
 * and may update obj on g's account, the first `want` of them into ids; finishes st. */
static enum kam_err neither_giver_nor_recorder(struct kam_ctx *ctx, struct db_stmt *st,
                                               const struct gift *g, enum obj obj, int64_t *ids,
                                               size_t max, size_t want, size_t *n_out)
{
    size_t n = 0, k = 0;
    int row = 0;
    enum kam_err rc;
    while (!(rc = db_step(st, &row, ctx->err)) && row)
        if (n < max)
            ids[n++] = db_col_i64(st, 0);
    db_done(st);
    for (size_t i = 0; !rc && i < n && k < want; i++) {
        if ((g->has_given_by && ids[i] == g->given_by) ||
            (g->has_created_by && ids[i] == g->created_by))
            continue;
        int yes = 0;
        if (!(rc = policy_user_may(ctx, ids[i], obj, ACT_UPDATE, g->account_id, &yes)) && yes)
            ids[k++] = ids[i];
    }
    *n_out = k;
    return rc;
}

/* The owner of a gift's compliance risk: never its giver nor whoever recorded it. The first of
 * the manager of the account owner's team, the directors, the admins (by id) who may work on the
 * account's risks; 0 (no owner) when none may. */
static enum kam_err breach_owner(struct kam_ctx *ctx, const struct gift *g, int64_t *owner)
{
    *owner = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT id FROM (SELECT t.manager_id AS id, 0 AS k FROM accounts a JOIN users u ON u.id = "
        "a.owner_id JOIN teams t ON t.id = u.team_id WHERE a.id = ? AND t.manager_id IS NOT NULL "
        "UNION ALL SELECT id, CASE role WHEN 'director' THEN 1 ELSE 2 END FROM users WHERE "
        "disabled = 0 AND role IN ('director', 'admin')) c ORDER BY k, id LIMIT 50",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, g->account_id);
    int64_t ids[50];
    size_t n = 0;
    if (!(rc = neither_giver_nor_recorder(ctx, st, g, OBJ_RISK, ids, 50, 1, &n)) && n)
        *owner = ids[0];
    return rc;
}

/* A breach raises its compliance risk (once per gift); *g gets its id. The risk's title and
 * text name the gift by its id only: its description, value and day stay behind the gift's own
 * policy (viewers read risks, not gifts). */
static enum kam_err raise_breach(struct kam_ctx *ctx, struct gift *g)
{
    if (strcmp(g->status, "breach") != 0 || g->has_risk)
        return KAM_OK;
    struct risk_raise_in r = {
        .account_id = g->account_id,
        .category = "compliance",
        .title = "礼品/招待违规",
        .description = arena_printf(ctx->a, "见礼品记录 #%lld", (long long)g->id),
        .likelihood = 3,
        .impact = 4,
        .source = "gift",
        .source_id = g->id,
    };
    enum kam_err rc = breach_owner(ctx, g, &r.owner_id);
    if (rc)
        return rc;
    int64_t rid = 0;
    rc = risk_raise(ctx, &r, &rid, NULL);
    if (rc)
        return rc;
    g->risk_id = rid;
    g->has_risk = 1;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db, "UPDATE gifts SET risk_id = ? WHERE id = ?", &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, rid);
    db_bind_i64(st, 2, g->id);
    return db_run(st, ctx->err);
}

/* Tells the approvers of a pending gift: users of its rule's approver role (and directors)
 * who may decide the account's gifts, but the giver. */
static enum kam_err notify_pending(struct kam_ctx *ctx, const struct gift *g)
{
    if (strcmp(g->status, "pending") != 0 || !g->approver_role)
        return KAM_OK;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id FROM users WHERE disabled = 0 AND (role = ? OR role "
                                 "= 'director') ORDER BY id LIMIT 200",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, g->approver_role);
    int64_t ids[200];
    size_t n = 0;
    rc = neither_giver_nor_recorder(ctx, st, g, OBJ_GIFT, ids, 200, 200, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        struct kam_param p[] = {{"account", g->account_name}, {"description", g->description}, {0}};
        rc = notify_add_msg(
            ctx, ids[i], "gift", "gift.pending_for_you", p, NULL,
            arena_printf(ctx->a, "/gifts?id=%lld", (long long)g->id),
            arena_printf(ctx->a, "gift_pending:%lld:%lld", (long long)g->id, (long long)ids[i]),
            NULL);
    }
    return rc;
}

static void gift_merge(struct gift *g, const struct gift_in *in)
{
    const struct gift *v = &in->v;
    if (in->set & GF_CONTACT) {
        g->has_contact = v->has_contact;
        g->contact_id = v->has_contact ? v->contact_id : 0;
    }
    if (in->set & GF_KIND)
        g->kind = v->kind;
    if (in->set & GF_DESC)
        g->description = v->description;
    if (in->set & GF_VALUE)
        g->value = v->value;
    if (in->set & GF_CURRENCY)
        g->currency = v->currency;
    if (in->set & GF_GIVEN_ON)
        g->given_on = v->given_on;
    if (in->set & GF_GIVEN_BY) {
        g->has_given_by = v->has_given_by;
        g->given_by = v->has_given_by ? v->given_by : 0;
    }
    if (in->set & GF_CARE) {
        g->has_care = v->has_care;
        g->care_reminder_id = v->has_care ? v->care_reminder_id : 0;
    }
    if (in->set & GF_VISIT) {
        g->has_visit = v->has_visit;
        g->visit_id = v->has_visit ? v->visit_id : 0;
    }
}

enum kam_err gift_create(struct kam_ctx *ctx, const struct gift_in *in, struct gift *out)
{
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, GF_ACCOUNT, "account_id")) ||
        (rc = check_given(ctx, in->set, GF_KIND, "kind")) ||
        (rc = check_given(ctx, in->set, GF_DESC, "description")) ||
        (rc = check_given(ctx, in->set, GF_VALUE, "value")) ||
        (rc = check_given(ctx, in->set, GF_CURRENCY, "currency")) ||
        (rc = check_given(ctx, in->set, GF_GIVEN_ON, "given_on")))
        return rc;
    if (in->set & GF_VERSION)
        return kam_fail(ctx->err, KAM_EINVAL, "version", "version is set by the server");
    if ((rc = policy_body_account(ctx, "account_id", in->v.account_id, OBJ_GIFT, ACT_CREATE)))
        return rc;
    struct gift g = {0};
    g.account_id = in->v.account_id;
    g.has_given_by = ctx->who.user_id != 0;
    g.given_by = ctx->who.user_id;
    g.has_created_by = ctx->who.user_id != 0;
    g.created_by = ctx->who.user_id;
    g.decision_note = "";
    gift_merge(&g, in);
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = db_query_i64(ctx->db, "SELECT 0 FROM accounts WHERE id = ?", 1, g.account_id,
                           &(int64_t){0}, ctx->err)))
        goto out;
    if ((rc = evaluate(ctx, &g, NULL)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO gifts (account_id, contact_id, kind, description, value, "
                         "currency, value_base, given_on, given_by, care_reminder_id, visit_id, "
                         "rule_id, status, decision_note, version, created_at, updated_at, "
                         "created_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'',1,?,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, g.account_id);
    db_bind_i64n(st, 2, g.contact_id, !g.has_contact);
    db_bind_text(st, 3, g.kind);
    db_bind_text(st, 4, g.description);
    db_bind_i64(st, 5, g.value);
    db_bind_text(st, 6, g.currency);
    db_bind_i64(st, 7, g.value_base);
    db_bind_text(st, 8, g.given_on);
    db_bind_i64n(st, 9, g.given_by, !g.has_given_by);
    db_bind_i64n(st, 10, g.care_reminder_id, !g.has_care);
    db_bind_i64n(st, 11, g.visit_id, !g.has_visit);
    db_bind_i64n(st, 12, g.rule_id, !g.has_rule);
    db_bind_text(st, 13, g.status);
    db_bind_i64(st, 14, ctx->now);
    db_bind_i64(st, 15, ctx->now);
    db_bind_i64n(st, 16, g.created_by, !g.has_created_by);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        g.id = db_col_i64(st, 0);
    db_done(st);
    if (rc || (rc = gift_get(ctx, g.id, &g)) || (rc = raise_breach(ctx, &g)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    gift_diff(&d, NULL, &g);
    if ((rc = audit_write(ctx, "gift", g.id, g.account_id, "create", &d)) ||
        (rc = notify_pending(ctx, &g)))
        goto out;
    rc = gift_get(ctx, g.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err not_decided(struct kam_ctx *ctx, const struct gift *g)
{
    if (!strcmp(g->status, "recorded") || !strcmp(g->status, "pending"))
        return KAM_OK;
    return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "gift.decided",
                        (struct kam_param[]){{"status", g->status}, {0}},
                        "the gift is %s: it can no longer change", g->status);
}

static enum kam_err gf_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return gift_get(ctx, id, rec);
}

static enum kam_err gf_merge(const struct update_op *op, void *rec)
{
    enum kam_err rc = not_decided(op->ctx, op->before);
    if (rc)
        return rc;
    gift_merge(rec, op->in);
    return evaluate(op->ctx, rec, op->before);
}

static void gf_diff(const struct update_op *op)
{
    gift_diff(op->diff, op->before, op->after);
}

static enum kam_err gf_write(const struct update_op *op)
{
    const struct gift *g = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "UPDATE gifts SET contact_id = ?, kind = ?, description = ?, value = ?, currency = ?, "
        "value_base = ?, given_on = ?, given_by = ?, care_reminder_id = ?, visit_id = ?, rule_id "
        "= ?, status = ?, decided_by = ?, decided_at = ?, decision_note = ?, updated_at = ?, "
        "version = version + 1 WHERE id = ? AND version = ?",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64n(st, 1, g->contact_id, !g->has_contact);
    db_bind_text(st, 2, g->kind);
    db_bind_text(st, 3, g->description);
    db_bind_i64(st, 4, g->value);
    db_bind_text(st, 5, g->currency);
    db_bind_i64(st, 6, g->value_base);
    db_bind_text(st, 7, g->given_on);
    db_bind_i64n(st, 8, g->given_by, !g->has_given_by);
    db_bind_i64n(st, 9, g->care_reminder_id, !g->has_care);
    db_bind_i64n(st, 10, g->visit_id, !g->has_visit);
    db_bind_i64n(st, 11, g->rule_id, !g->has_rule);
    db_bind_text(st, 12, g->status);
    db_bind_i64n(st, 13, g->decided_by, !g->has_decided);
    db_bind_i64n(st, 14, g->decided_at, !g->has_decided);
    db_bind_text(st, 15, g->decision_note);
    db_bind_i64(st, 16, ctx->now);
    db_bind_i64(st, 17, g->id);
    db_bind_i64(st, 18, b->version);
    return db_run(st, ctx->err);
}

static enum kam_err gf_after(const struct update_op *op)
{
    struct gift g = *(const struct gift *)op->after;
    enum kam_err rc = raise_breach(op->ctx, &g);
    return rc ? rc : notify_pending(op->ctx, &g);
}

static int64_t gf_account(const void *rec)
{
    return ((const struct gift *)rec)->account_id;
}

static const struct update_spec gift_spec = {
    .entity = "gift",
    .size = sizeof(struct gift),
    .versioned = 1,
    .version_at = offsetof(struct gift, version),
    .in_set_at = offsetof(struct gift_in, set),
    .in_version_at = offsetof(struct gift_in, v.version),
    .in_version_bit = GF_VERSION,
    .get = gf_get,
    .merge = gf_merge,
    .diff = gf_diff,
    .write = gf_write,
    .account_of = gf_account,
    .after = gf_after,
};

enum kam_err gift_update(struct kam_ctx *ctx, int64_t id, const struct gift_in *in,
                         struct gift *out)
{
    if (in->set & GF_ACCOUNT)
        return kam_fail(ctx->err, KAM_EINVAL, "account_id",
                        "a gift cannot move to another account");
    return record_update(ctx, &gift_spec, id, in, out);
}

enum kam_err gift_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct gift b;
    if ((rc = gift_get(ctx, id, &b)) || (rc = not_decided(ctx, &b)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM gifts WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    gift_diff(&d, &b, NULL);
    rc = audit_write(ctx, "gift", id, b.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err gift_decide(struct kam_ctx *ctx, int64_t id, const char *decision, const char *note,
                         struct gift *out)
{
    static const char *const decisions[] = {"approve", "reject", NULL};
    enum kam_err rc;
    if ((rc = check_enum(ctx, "decision", decision, decisions)) ||
        (rc = check_text(ctx, "note", note, 0, GIFT_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct gift b, a;
    if ((rc = gift_get(ctx, id, &b)))
        goto out;
    if (strcmp(b.status, "pending") != 0) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "gift.not_pending", NULL,
                          "only a pending gift can be decided");
        goto out;
    }
    char today[11];
    risk_today(ctx, today);
    if (strcmp(b.given_on, today) <= 0) {
        rc =
            kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "gift.lapsed",
                         (struct kam_param[]){{"date", b.given_on}, {0}},
                         "the gift's day (%s) came without a decision: it is a breach", b.given_on);
        goto out;
    }
    if (b.has_given_by && b.given_by == ctx->who.user_id) {
        rc = kam_fail_key(ctx->err, KAM_EFORBIDDEN, "id", "gift.own_gift", NULL,
                          "the giver cannot decide their own gift");
        goto out;
    }
    if (b.has_created_by && b.created_by == ctx->who.user_id) {
        rc = kam_fail_key(ctx->err, KAM_EFORBIDDEN, "id", "gift.own_record", NULL,
                          "whoever recorded a gift cannot decide it");
        goto out;
    }
    const char *role = role_name(ctx->who.role);
    if (ctx->who.user_id && ctx->who.role != ROLE_DIRECTOR &&
        (!b.approver_role || strcmp(b.approver_role, role) != 0)) {
        rc = kam_fail_key(
            ctx->err, KAM_EFORBIDDEN, "id", "gift.not_approver",
            (struct kam_param[]){{"role", b.approver_role ? b.approver_role : "director"}, {0}},
            "only the rule's approver (%s) or a director may decide this gift",
            b.approver_role ? b.approver_role : "director");
        goto out;
    }
    a = b;
    a.status = !strcmp(decision, "approve") ? "approved" : "rejected";
    a.has_decided = ctx->who.user_id != 0;
    a.decided_by = ctx->who.user_id;
    a.decided_at = ctx->now;
    a.decision_note = note ? note : "";
    if ((rc = record_save(ctx, &gift_spec, id, &b, &a, NULL, decision, NULL)))
        goto out;
    rc = gift_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err gifts_lapse_due(struct kam_ctx *ctx, int *n)
{
    *n = 0;
    char today[11];
    risk_today(ctx, today);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id FROM gifts WHERE status = 'pending' AND given_on <= ? "
                                 "ORDER BY id LIMIT 500",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, today);
    int64_t ids[500];
    size_t k = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        if (k < 500)
            ids[k++] = db_col_i64(st, 0);
    }
    db_done(st);
    for (size_t i = 0; !rc && i < k; i++) {
        if ((rc = db_begin(ctx->db, ctx->err)))
            break;
        struct gift b, a;
        /* read again under the transaction: another scheduler or a PATCH may have been first */
        if (!(rc = gift_get(ctx, ids[i], &b)) && !strcmp(b.status, "pending") &&
            strcmp(b.given_on, today) <= 0) {
            a = b;
            a.status = "breach";
            if (!(rc = record_save(ctx, &gift_spec, b.id, &b, &a, NULL, "lapse", NULL)))
                (*n)++;
        } else if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            rc = KAM_OK;
        }
        rc = db_end(ctx->db, rc, ctx->err);
    }
    return rc;
}

/* ---- lists ---- */

static const struct page_sort sorts[] = {
    {"given_on", "gifts.given_on", 1},
};

enum kam_err gift_list(struct kam_ctx *ctx, const struct gift_query *q, struct gift **items,
                       size_t *n, const char **next)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, 1, "-given_on", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if (q->status && (rc = check_enum(ctx, "status", q->status, gift_statuses)))
        return rc;
    if (q->year && (rc = check_range(ctx, "year", q->year, 1900, 9999)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " GCOLS GFROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->account_id) {
        sqlb_sql(&b, " AND gifts.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    if (q->contact_id) {
        sqlb_sql(&b, " AND gifts.contact_id = ?");
        sqlb_i64(&b, q->contact_id);
    }
    if (q->given_by) {
        sqlb_sql(&b, " AND gifts.given_by = ?");
        sqlb_i64(&b, q->given_by);
    }
    if (q->status) {
        sqlb_sql(&b, " AND gifts.status = ?");
        sqlb_text(&b, q->status);
    }
    if (q->year) {
        sqlb_sql(&b, " AND gifts.given_on BETWEEN ? AND ?");
        sqlb_text(&b, arena_printf(ctx->a, "%04lld-01-01", (long long)q->year));
        sqlb_text(&b, arena_printf(ctx->a, "%04lld-12-31", (long long)q->year));
    }
    if (q->pending_for_me) {
        sqlb_sql(&b, " AND gifts.status = 'pending' AND COALESCE(gifts.given_by, 0) <> ? AND "
                     "COALESCE(gifts.created_by, 0) <> ? AND gifts.given_on > ? AND (? = "
                     "'director' OR gr.approver_role = ?)");
        const char *role = role_name(ctx->who.role);
        char today[11];
        risk_today(ctx, today);
        sqlb_i64(&b, ctx->who.user_id);
        sqlb_i64(&b, ctx->who.user_id);
        sqlb_text(&b, arena_strdup(ctx->a, today));
        sqlb_text(&b, role);
        sqlb_text(&b, role);
    }
    const struct gift *last;
    void *v;
    if ((rc = page_fetch(ctx, &b, &pg, "gifts.id", gift_row, sizeof(struct gift), &v, n,
                         (const void **)&last)))
        return rc;
    *items = v;
    *next = last ? page_cursor(ctx, &pg, last->given_on, 0, last->id) : NULL;
    return KAM_OK;
}

/* ---- budgets ---- */

enum kam_err gift_budget_get(struct kam_ctx *ctx, int64_t account_id, int64_t year,
                             struct gift_budget *out)
{
    memset(out, 0, sizeof *out);
    out->account_id = account_id;
    out->year = year;
    enum kam_err rc;
    if ((rc = check_range(ctx, "year", year, 1900, 9999)) ||
        (rc = recv_base_currency(ctx, &out->base_currency)))
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT amount, currency FROM gift_budgets WHERE account_id = ? "
                         "AND year = ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_i64(st, 2, year);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        out->has_budget = 1;
        out->amount = db_col_i64(st, 0);
        out->currency = arena_strdup(ctx->a, db_col_text(st, 1));
    }
    db_done(st);
    if (rc)
        return rc;
    if (out->has_budget &&
        (rc = to_base(ctx, "currency", out->currency, out->amount, &out->amount_base)))
        return rc;
    if ((rc = db_prepare(ctx->db,
                         "SELECT COALESCE(SUM(value_base), 0), COUNT(*) FROM gifts WHERE "
                         "account_id = ? AND status <> 'rejected' AND given_on BETWEEN ? AND ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_text(st, 2, arena_printf(ctx->a, "%04lld-01-01", (long long)year));
    db_bind_text(st, 3, arena_printf(ctx->a, "%04lld-12-31", (long long)year));
    row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        out->used_base = db_col_i64(st, 0);
        out->gifts = db_col_i64(st, 1);
    }
    db_done(st);
    out->remaining_base = out->has_budget ? out->amount_base - out->used_base : 0;
    return rc;
}

enum kam_err gift_budget_set(struct kam_ctx *ctx, int64_t account_id, int64_t year, int64_t amount,
                             const char *currency, struct gift_budget *out)
{
    enum kam_err rc;
    if ((rc = check_range(ctx, "year", year, 1900, 9999)) ||
        (rc = check_range(ctx, "amount", amount, 0, GIFT_VALUE_MAX)) ||
        (rc = known_currency(ctx, "currency", currency)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct gift_budget b;
    if ((rc = gift_budget_get(ctx, account_id, year, &b)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         b.has_budget ? "UPDATE gift_budgets SET amount = ?, currency = ?, "
                                        "updated_by = ?, updated_at = ? WHERE account_id = ? AND "
                                        "year = ?"
                                      : "INSERT INTO gift_budgets (amount, currency, updated_by, "
                                        "updated_at, account_id, year) VALUES (?,?,?,?,?,?)",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, amount);
    db_bind_text(st, 2, currency);
    db_bind_i64n(st, 3, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_i64(st, 4, ctx->now);
    db_bind_i64(st, 5, account_id);
    db_bind_i64(st, 6, year);
    if ((rc = db_run(st, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "year", year, !b.has_budget, year, 0);
    audit_diff_i64(&d, "amount", b.amount, !b.has_budget, amount, 0);
    audit_diff_str(&d, "currency", b.has_budget ? b.currency : NULL, currency);
    if (!d.n) {
        audit_diff_release(&d);
    } else if ((rc = audit_write(ctx, "gift_budget", account_id, account_id,
                                 b.has_budget ? "update" : "create", &d)))
        goto out;
    rc = gift_budget_get(ctx, account_id, year, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}
