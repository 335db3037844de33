/* obligation.c -- a contract's obligations: checks by kind, the full-list replacement of drafts
 * and amendments, single writes on drafts, occurrences and their done records (contract.h). */
#include "contract.h"

#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "store/db.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/rows.h"

const char *const obligation_sides[] = {"ours", "theirs", NULL};
const char *const obligation_kinds[] = {"volume",   "price",   "payment",  "service_level",
                                        "delivery", "support", "training", "forecast",
                                        "other",    NULL};
const char *const obligation_measures[] = {"quantity", "amount", NULL};
const char *const obligation_periods[] = {"month", "quarter", "year", NULL};
const char *const obligation_recurrences[] = {"none", "month", "quarter", "year", NULL};

#define OB_TITLE_MAX 200
#define OB_FAMILY_MAX 100
#define OB_DONE_SHOWN 50
#define OB_OCCURRENCES_MAX 2400 /* 200 years of months */

static int dated(const char *kind)
{
    static const char *const k[] = {"delivery", "support", "training", "forecast", "other", NULL};
    return check_in(kind, k);
}

static int64_t step_months(const char *recurrence)
{
    return !recurrence                      ? 0
           : !strcmp(recurrence, "month")   ? 1
           : !strcmp(recurrence, "quarter") ? 3
           : !strcmp(recurrence, "year")    ? 12
                                            : 0;
}

/* ---- rows ---- */

#define OCOLS                                                                                      \
    "o.id, o.contract_id, o.side, o.kind, o.title, o.family, o.measure, o.period, o.target, "      \
    "o.tolerance_bp, o.days, o.response_hours, o.resolution_hours, o.due_on, o.recurrence, "       \
    "o.active, o.created_at, o.updated_at, (SELECT COUNT(*) FROM contract_breaches b WHERE "       \
    "b.obligation_id = o.id AND b.status IN ('detected', 'confirmed', 'action'))"

static const char *opt_text(struct kam_ctx *ctx, struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? NULL : arena_strdup(ctx->a, db_col_text(st, col));
}

static int64_t opt_i64(struct db_stmt *st, int col, int *has)
{
    *has = !db_col_is_null(st, col);
    return *has ? db_col_i64(st, col) : 0;
}

static void obligation_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct obligation *o = row;
    memset(o, 0, sizeof *o);
    o->id = db_col_i64(st, 0);
    o->contract_id = db_col_i64(st, 1);
    o->side = arena_strdup(ctx->a, db_col_text(st, 2));
    o->kind = arena_strdup(ctx->a, db_col_text(st, 3));
    o->title = arena_strdup(ctx->a, db_col_text(st, 4));
    o->family = opt_text(ctx, st, 5);
    o->measure = opt_text(ctx, st, 6);
    o->period = opt_text(ctx, st, 7);
    o->target = opt_i64(st, 8, &o->has_target);
    o->tolerance_bp = db_col_i64(st, 9);
    o->days = opt_i64(st, 10, &o->has_days);
    o->response_hours = opt_i64(st, 11, &o->has_response);
    o->resolution_hours = opt_i64(st, 12, &o->has_resolution);
    o->due_on = opt_text(ctx, st, 13);
    o->recurrence = arena_strdup(ctx->a, db_col_text(st, 14));
    o->active = db_col_i64(st, 15) != 0;
    o->created_at = db_col_i64(st, 16);
    o->updated_at = db_col_i64(st, 17);
    o->open_breaches = db_col_i64(st, 18);
}

static void done_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct obligation_done *d = row;
    memset(d, 0, sizeof *d);
    d->id = db_col_i64(st, 0);
    d->due_on = arena_strdup(ctx->a, db_col_text(st, 1));
    d->done_on = arena_strdup(ctx->a, db_col_text(st, 2));
    d->note = arena_strdup(ctx->a, db_col_text(st, 3));
    d->created_by = opt_i64(st, 4, &d->has_created_by);
    d->created_at = db_col_i64(st, 5);
}

int obligation_is_occurrence(struct kam_ctx *ctx, const struct obligation *o, const char *day)
{
    if (!o->due_on || !day)
        return 0;
    int64_t step = step_months(o->recurrence);
    for (int64_t k = 0; k < OB_OCCURRENCES_MAX; k++) {
        const char *occ = k ? contract_add_months(ctx, o->due_on, k * step) : o->due_on;
        if (!occ)
            return 0;
        int c = strcmp(occ, day);
        if (!c)
            return 1;
        if (c > 0 || !step)
            return 0;
    }
    return 0;
}

/* The done rows (all, latest occurrence first) and the next due occurrence up to ends_on. */
static enum kam_err figures(struct kam_ctx *ctx, struct obligation *o, const char *ends_on)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, due_on, done_on, note, created_by, created_at FROM "
                                 "contract_obligation_done WHERE obligation_id = ? ORDER BY due_on "
                                 "DESC LIMIT 5000",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, o->id);
    struct obligation_done *all;
    size_t n;
    if ((rc = rows_collect(ctx, st, 5000, done_row, sizeof *all, (void **)&all, &n)))
        return rc;
    o->done = all;
    o->n_done = n < OB_DONE_SHOWN ? n : OB_DONE_SHOWN;
    o->next_due = NULL;
    if (!o->active || !o->due_on || !dated(o->kind))
        return KAM_OK;
    int64_t step = step_months(o->recurrence);
    for (int64_t k = 0; k < OB_OCCURRENCES_MAX; k++) {
        const char *occ = k ? contract_add_months(ctx, o->due_on, k * step) : o->due_on;
        if (!occ || (ends_on && strcmp(occ, ends_on) > 0))
            break;
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            found = !strcmp(all[i].due_on, occ);
        if (!found) {
            o->next_due = occ;
            break;
        }
        if (!step)
            break;
    }
    return KAM_OK;
}

enum kam_err obligation_list(struct kam_ctx *ctx, int64_t contract_id, struct obligation **items,
                             size_t *n)
{
    char *ends_on = NULL;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT ends_on FROM contracts WHERE id = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, contract_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        ends_on = arena_strdup(ctx->a, db_col_text(st, 0));
    db_done(st);
    if (rc)
        return rc;
    if ((rc = db_prepare(ctx->db,
                         "SELECT " OCOLS " FROM contract_obligations o WHERE o.contract_id = ? "
                         "ORDER BY o.active DESC, o.id LIMIT 500",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, contract_id);
    if ((rc = rows_collect(ctx, st, 500, obligation_row, sizeof **items, (void **)items, n)))
        return rc;
    for (size_t i = 0; i < *n; i++)
        if ((rc = figures(ctx, &(*items)[i], ends_on)))
            return rc;
    return KAM_OK;
}

enum kam_err obligation_get(struct kam_ctx *ctx, int64_t contract_id, int64_t oid,
                            struct obligation *out)
{
    enum kam_err rc = row_get(ctx, "SELECT " OCOLS " FROM contract_obligations o WHERE o.id = ?",
                              oid, obligation_row, out, "obligation");
    if (!rc && out->contract_id != contract_id)
        return kam_fail(ctx->err, KAM_ENOTFOUND, "oid", "no such obligation of this contract");
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(ctx->err);
        return kam_fail(ctx->err, KAM_ENOTFOUND, "oid", "no such obligation");
    }
    if (rc)
        return rc;
    char *ends_on = NULL;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db, "SELECT ends_on FROM contracts WHERE id = ?", &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, contract_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        ends_on = arena_strdup(ctx->a, db_col_text(st, 0));
    db_done(st);
    return rc ? rc : figures(ctx, out, ends_on);
}

/* ---- checks ---- */

static const char *fname(struct kam_ctx *ctx, const char *prefix, const char *f)
{
    return *prefix ? arena_printf(ctx->a, "%s%s", prefix, f) : f;
}

static enum kam_err need(struct kam_ctx *ctx, const char *prefix, const char *f)
{
    const char *field = fname(ctx, prefix, f);
    return kam_fail_key(ctx->err, KAM_EINVAL, field, "required",
                        (struct kam_param[]){{"field", field}, {0}}, "%s is required", field);
}

static enum kam_err not_for(struct kam_ctx *ctx, const char *prefix, const char *f,
                            const char *kind)
{
    const char *field = fname(ctx, prefix, f);
    return kam_fail_key(ctx->err, KAM_EINVAL, field, "contract.field_not_for_kind",
                        (struct kam_param[]){{"field", field}, {"kind", kind}, {0}},
                        "%s does not apply to a %s obligation", field, kind);
}

enum kam_err obligation_check(struct kam_ctx *ctx, const char *prefix, const struct obligation *o)
{
    enum kam_err rc;
    if (!o->side)
        return need(ctx, prefix, "side");
    if (!o->kind)
        return need(ctx, prefix, "kind");
    if ((rc = check_enum(ctx, fname(ctx, prefix, "side"), o->side, obligation_sides)) ||
        (rc = check_enum(ctx, fname(ctx, prefix, "kind"), o->kind, obligation_kinds)) ||
        (rc =
             check_text(ctx, fname(ctx, prefix, "title"), o->title, 0, OB_TITLE_MAX, CHECK_LINE)) ||
        (rc = check_enum(ctx, fname(ctx, prefix, "recurrence"), o->recurrence,
                         obligation_recurrences)) ||
        (rc = check_range(ctx, fname(ctx, prefix, "tolerance_bp"), o->tolerance_bp, 0, 10000)))
        return rc;
    const char *k = o->kind;
    int is_volume = !strcmp(k, "volume"), is_payment = !strcmp(k, "payment"),
        is_sla = !strcmp(k, "service_level"), is_dated = dated(k), is_price = !strcmp(k, "price");
    /* what does not apply to the kind */
    if (!is_volume) {
        if (o->family)
            return not_for(ctx, prefix, "family", k);
        if (o->measure)
            return not_for(ctx, prefix, "measure", k);
        if (o->period)
            return not_for(ctx, prefix, "period", k);
        if (o->has_target)
            return not_for(ctx, prefix, "target", k);
    }
    if (!is_volume && !is_price && o->tolerance_bp)
        return not_for(ctx, prefix, "tolerance_bp", k);
    if (!is_payment && strcmp(k, "delivery") && o->has_days)
        return not_for(ctx, prefix, "days", k);
    if (!is_sla && o->has_response)
        return not_for(ctx, prefix, "response_hours", k);
    if (!is_sla && o->has_resolution)
        return not_for(ctx, prefix, "resolution_hours", k);
    if (!is_dated && o->due_on)
        return not_for(ctx, prefix, "due_on", k);
    if (!is_dated && strcmp(o->recurrence, "none"))
        return not_for(ctx, prefix, "recurrence", k);
    /* what the kind needs */
    if (is_volume) {
        if (!o->measure)
            return need(ctx, prefix, "measure");
        if (!o->period)
            return need(ctx, prefix, "period");
        if (!o->has_target)
            return need(ctx, prefix, "target");
        if ((rc =
                 check_enum(ctx, fname(ctx, prefix, "measure"), o->measure, obligation_measures)) ||
            (rc = check_enum(ctx, fname(ctx, prefix, "period"), o->period, obligation_periods)) ||
            (rc = check_range(ctx, fname(ctx, prefix, "target"), o->target, 1,
                              INT64_C(1000000000000000))))
            return rc;
        if (o->family) {
            if ((rc = check_text(ctx, fname(ctx, prefix, "family"), o->family, 1, OB_FAMILY_MAX,
                                 CHECK_LINE)))
                return rc;
            int64_t n = 0;
            if ((rc = row_i64_text(ctx, "SELECT COUNT(*) FROM products WHERE family = ?", o->family,
                                   &n)))
                return rc;
            if (!n) {
                const char *field = fname(ctx, prefix, "family");
                return kam_fail_key(ctx->err, KAM_EINVAL, field, "contract.unknown_family",
                                    (struct kam_param[]){{"field", field}, {0}},
                                    "%s: no product has this family", field);
            }
        }
    }
    if (o->has_days &&
        (rc = check_range(ctx, fname(ctx, prefix, "days"), o->days, 0, CONTRACT_DAYS_MAX)))
        return rc;
    if (o->has_response && (rc = check_range(ctx, fname(ctx, prefix, "response_hours"),
                                             o->response_hours, 1, CONTRACT_HOURS_MAX)))
        return rc;
    if (o->has_resolution && (rc = check_range(ctx, fname(ctx, prefix, "resolution_hours"),
                                               o->resolution_hours, 1, CONTRACT_HOURS_MAX)))
        return rc;
    if (is_dated) {
        if (!o->due_on)
            return need(ctx, prefix, "due_on");
        if ((rc = check_date(ctx, fname(ctx, prefix, "due_on"), o->due_on)))
            return rc;
    }
    return KAM_OK;
}

void obligation_merge(struct obligation *o, const struct obligation_in *in)
{
    unsigned s = in->set;
    if (s & OB_SIDE)
        o->side = in->side;
    if (s & OB_KIND)
        o->kind = in->kind;
    if (s & OB_TITLE)
        o->title = in->title ? in->title : "";
    if (s & OB_FAMILY)
        o->family = in->family && *in->family ? in->family : NULL;
    if (s & OB_MEASURE)
        o->measure = in->measure;
    if (s & OB_PERIOD)
        o->period = in->period;
    if (s & OB_TARGET) {
        o->has_target = in->has_target;
        o->target = in->has_target ? in->target : 0;
    }
    if (s & OB_TOLERANCE)
        o->tolerance_bp = in->tolerance_bp;
    if (s & OB_DAYS) {
        o->has_days = in->has_days;
        o->days = in->has_days ? in->days : 0;
    }
    if (s & OB_RESPONSE) {
        o->has_response = in->has_response;
        o->response_hours = in->has_response ? in->response_hours : 0;
    }
    if (s & OB_RESOLUTION) {
        o->has_resolution = in->has_resolution;
        o->resolution_hours = in->has_resolution ? in->resolution_hours : 0;
    }
    if (s & OB_DUE)
        o->due_on = in->due_on;
    if (s & OB_RECURRENCE)
        o->recurrence = in->recurrence ? in->recurrence : "none";
    if (s & OB_ACTIVE)
        o->active = in->active;
}

static void obligation_diff(struct audit_diff *d, const struct obligation *b,
                            const struct obligation *a)
{
#define DS(f) audit_diff_str(d, #f, b ? b->f : NULL, a ? a->f : NULL)
#define DI(f) audit_diff_i64(d, #f, b ? b->f : 0, !b, a ? a->f : 0, !a)
#define DN(f, h) audit_diff_i64(d, #f, b ? b->f : 0, !b || !b->h, a ? a->f : 0, !a || !a->h)
    DI(contract_id);
    DS(side);
    DS(kind);
    DS(title);
    DS(family);
    DS(measure);
    DS(period);
    DN(target, has_target);
    DI(tolerance_bp);
    DN(days, has_days);
    DN(response_hours, has_response);
    DN(resolution_hours, has_resolution);
    DS(due_on);
    DS(recurrence);
    DI(active);
#undef DS
#undef DI
#undef DN
}

static void bind_obligation(struct db_stmt *st, const struct obligation *o)
{
    db_bind_text(st, 1, o->side);
    db_bind_text(st, 2, o->kind);
    db_bind_text(st, 3, o->title);
    db_bind_text(st, 4, o->family);
    db_bind_text(st, 5, o->measure);
    db_bind_text(st, 6, o->period);
    db_bind_i64n(st, 7, o->target, !o->has_target);
    db_bind_i64(st, 8, o->tolerance_bp);
    db_bind_i64n(st, 9, o->days, !o->has_days);
    db_bind_i64n(st, 10, o->response_hours, !o->has_response);
    db_bind_i64n(st, 11, o->resolution_hours, !o->has_resolution);
    db_bind_text(st, 12, o->due_on);
    db_bind_text(st, 13, o->recurrence);
    db_bind_i64(st, 14, o->active);
}

static enum kam_err insert(struct kam_ctx *ctx, const struct contract *c, struct obligation *o)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO contract_obligations (side, kind, title, family, measure, period, target, "
        "tolerance_bp, days, response_hours, resolution_hours, due_on, recurrence, active, "
        "contract_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    bind_obligation(st, o);
    db_bind_i64(st, 15, c->id);
    db_bind_i64(st, 16, ctx->now);
    db_bind_i64(st, 17, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        o->id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    o->contract_id = c->id;
    struct audit_diff d;
    audit_diff_init(&d);
    obligation_diff(&d, NULL, o);
    return audit_write(ctx, "contract_obligation", o->id, c->account_id, "create", &d);
}

/* Writes a changed obligation (nothing when nothing changed). */
static enum kam_err save(struct kam_ctx *ctx, const struct contract *c, const struct obligation *b,
                         const struct obligation *a)
{
    struct audit_diff d;
    audit_diff_init(&d);
    obligation_diff(&d, b, a);
    if (!d.n) {
        audit_diff_release(&d);
        return KAM_OK;
    }
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "UPDATE contract_obligations SET side = ?, kind = ?, title = ?, family = ?, measure = ?, "
        "period = ?, target = ?, tolerance_bp = ?, days = ?, response_hours = ?, "
        "resolution_hours = ?, due_on = ?, recurrence = ?, active = ?, updated_at = ? WHERE id "
        "= ?",
        &st, ctx->err);
    if (rc) {
        audit_diff_release(&d);
        return rc;
    }
    bind_obligation(st, a);
    db_bind_i64(st, 15, ctx->now);
    db_bind_i64(st, 16, a->id);
    if ((rc = db_run(st, ctx->err))) {
        audit_diff_release(&d);
        return rc;
    }
    return audit_write(ctx, "contract_obligation", a->id, c->account_id, "update", &d);
}

static void fresh(struct obligation *o)
{
    memset(o, 0, sizeof *o);
    o->title = "";
    o->recurrence = "none";
    o->active = 1;
}

enum kam_err obligation_replace(struct kam_ctx *ctx, const struct contract *c,
                                const struct obligation_in *list, int n)
{
    struct obligation *cur;
    size_t ncur;
    enum kam_err rc = obligation_list(ctx, c->id, &cur, &ncur);
    if (rc)
        return rc;
    int *kept = arena_alloc(ctx->a, (ncur + 1) * sizeof *kept);
    memset(kept, 0, (ncur + 1) * sizeof *kept);
    for (int i = 0; i < n; i++) {
        const struct obligation_in *in = &list[i];
        const char *prefix = arena_printf(ctx->a, "obligations[%d].", i);
        struct obligation o;
        const struct obligation *before = NULL;
        if (in->set & OB_ID) {
            for (size_t j = 0; j < ncur && !before; j++)
                if (cur[j].id == in->id) {
                    before = &cur[j];
                    if (kept[j])
                        return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%sid", prefix),
                                        "%sid: the obligation is named twice", prefix);
                    kept[j] = 1;
                }
            if (!before)
                return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%sid", prefix),
                                "%sid: no such obligation of this contract", prefix);
            o = *before;
            if (!(in->set & OB_ACTIVE))
                o.active = 1;
        } else {
            fresh(&o);
        }
        obligation_merge(&o, in);
        if ((rc = obligation_check(ctx, prefix, &o)))
            return rc;
        if ((rc = before ? save(ctx, c, before, &o) : insert(ctx, c, &o)))
            return rc;
    }
    /* the rest: deactivated (breaches and done records keep naming them) */
    for (size_t j = 0; j < ncur; j++) {
        if (kept[j] || !cur[j].active)
            continue;
        struct obligation a = cur[j];
        a.active = 0;
        if ((rc = save(ctx, c, &cur[j], &a)))
            return rc;
    }
    return KAM_OK;
}

/* ---- single writes (drafts) ---- */

static enum kam_err contract_of(struct kam_ctx *ctx, int64_t contract_id, struct contract *c)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT account_id, status, ends_on FROM contracts WHERE id = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, contract_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    memset(c, 0, sizeof *c);
    if (!rc && row) {
        c->id = contract_id;
        c->account_id = db_col_i64(st, 0);
        c->status = arena_strdup(ctx->a, db_col_text(st, 1));
        c->ends_on = arena_strdup(ctx->a, db_col_text(st, 2));
    }
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such contract");
    return rc;
}

static enum kam_err draft_only(struct kam_ctx *ctx, const struct contract *c)
{
    if (!strcmp(c->status, "draft"))
        return KAM_OK;
    if (!strcmp(c->status, "active") || !strcmp(c->status, "expiring"))
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "contract.amend_active", NULL,
                            "the contract is in force: its terms change only through an "
                            "amendment");
    return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "contract.closed", NULL,
                        "the contract has ended: it cannot change");
}

enum kam_err obligation_create(struct kam_ctx *ctx, int64_t contract_id,
                               const struct obligation_in *in, struct obligation *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct contract c;
    struct obligation o;
    int64_t n = 0;
    fresh(&o);
    obligation_merge(&o, in);
    if ((rc = contract_of(ctx, contract_id, &c)) || (rc = draft_only(ctx, &c)) ||
        (rc = obligation_check(ctx, "", &o)) ||
        (rc = db_query_i64(ctx->db,
                           "SELECT COUNT(*) FROM contract_obligations WHERE contract_id = ? AND "
                           "active = 1",
                           1, contract_id, &n, ctx->err)))
        goto out;
    if (n >= CONTRACT_OBLIGATIONS_MAX) {
        rc = kam_fail(ctx->err, KAM_EINVAL, "kind", "a contract has at most %d obligations",
                      CONTRACT_OBLIGATIONS_MAX);
        goto out;
    }
    if ((rc = insert(ctx, &c, &o)))
        goto out;
    rc = obligation_get(ctx, contract_id, o.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err obligation_update(struct kam_ctx *ctx, int64_t contract_id, int64_t oid,
                               const struct obligation_in *in, struct obligation *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct contract c;
    struct obligation b, a;
    if ((rc = contract_of(ctx, contract_id, &c)) ||
        (rc = obligation_get(ctx, contract_id, oid, &b)) || (rc = draft_only(ctx, &c)))
        goto out;
    a = b;
    obligation_merge(&a, in);
    if ((rc = obligation_check(ctx, "", &a)) || (rc = save(ctx, &c, &b, &a)))
        goto out;
    rc = obligation_get(ctx, contract_id, oid, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err obligation_delete(struct kam_ctx *ctx, int64_t contract_id, int64_t oid)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct contract c;
    struct obligation b;
    int64_t n = 0;
    if ((rc = contract_of(ctx, contract_id, &c)) ||
        (rc = obligation_get(ctx, contract_id, oid, &b)) || (rc = draft_only(ctx, &c)) ||
        (rc =
             db_query_i64(ctx->db, "SELECT COUNT(*) FROM contract_breaches WHERE obligation_id = ?",
                          1, oid, &n, ctx->err)))
        goto out;
    if (n) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "oid", "contract.obligation_in_use", NULL,
                          "the obligation has breaches: it stays");
        goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM contract_obligation_done WHERE obligation_id = ?",
                          oid, ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM contract_obligations WHERE id = ?", oid, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    obligation_diff(&d, &b, NULL);
    rc = audit_write(ctx, "contract_obligation", oid, c.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err obligation_done(struct kam_ctx *ctx, int64_t contract_id, int64_t oid,
                             const char *due_on, const char *done_on, const char *note,
                             struct obligation *out)
{
    enum kam_err rc;
    const char *today = contract_today(ctx);
    if (!due_on)
        return kam_fail_key(ctx->err, KAM_EINVAL, "due_on", "required",
                            (struct kam_param[]){{"field", "due_on"}, {0}}, "due_on is required");
    if (!done_on)
        done_on = today;
    if (!note)
        note = "";
    if ((rc = check_date(ctx, "due_on", due_on)) || (rc = check_date(ctx, "done_on", done_on)) ||
        (rc = check_text(ctx, "note", note, 0, CONTRACT_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    if (strcmp(done_on, today) > 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, "done_on", "contract.future_day", NULL,
                            "done_on is in the future");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct contract c;
    struct obligation o;
    int64_t n = 0;
    if ((rc = contract_of(ctx, contract_id, &c)) ||
        (rc = obligation_get(ctx, contract_id, oid, &o)))
        goto out;
    if (!strcmp(c.status, "draft")) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "contract.not_active", NULL,
                          "only a contract in force (active or expiring) can do this");
        goto out;
    }
    if (!dated(o.kind) || !obligation_is_occurrence(ctx, &o, due_on)) {
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "due_on", "contract.not_occurrence", NULL,
                          "due_on is not a due date of this obligation");
        goto out;
    }
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT COUNT(*) FROM contract_obligation_done WHERE obligation_id = ? "
                         "AND due_on = ?",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, oid);
    db_bind_text(st, 2, due_on);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    n = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    if (rc)
        goto out;
    if (n) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "due_on", "contract.already_done", NULL,
                          "this occurrence is recorded as done already");
        goto out;
    }
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO contract_obligation_done (obligation_id, due_on, done_on, "
                         "note, created_by, created_at) VALUES (?,?,?,?,?,?)",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, oid);
    db_bind_text(st, 2, due_on);
    db_bind_text(st, 3, done_on);
    db_bind_text(st, 4, note);
    db_bind_i64n(st, 5, ctx->who.user_id, ctx->who.user_id <= 0);
    db_bind_i64(st, 6, ctx->now);
    if ((rc = db_run(st, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "done_due_on", NULL, due_on);
    audit_diff_str(&d, "done_on", NULL, done_on);
    if (*note)
        audit_diff_str(&d, "done_note", NULL, note);
    if ((rc = audit_write(ctx, "contract_obligation", oid, c.account_id, "done", &d)))
        goto out;
    rc = obligation_get(ctx, contract_id, oid, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}
