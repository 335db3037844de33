/* measure.c -- 4P measures and their measured effect. */
#include "measure.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"
#include "volume.h"

const char *const measure_kinds[] = {"product", "price", "channel", "promotion", NULL};
const char *const measure_statuses[] = {"planned", "in_progress", "done", "cancelled", NULL};
static const char *const measure_units[] = {"amount", "quantity", NULL};

#define COLS                                                                                       \
    "m.id, m.plan_id, m.account_id, m.family, m.region, m.channel, m.kind, m.title, "              \
    "m.description, m.owner_id, m.start_day, m.due_day, m.status, m.expected_uplift, m.measure, "  \
    "m.effect, m.effect_baseline, m.effect_note, m.version, m.created_at, m.updated_at, "          \
    "COALESCE(a.name, ''), COALESCE(u.login, '')"
#define FROM                                                                                       \
    " FROM measures m LEFT JOIN accounts a ON a.id = m.account_id LEFT JOIN users u ON u.id = "    \
    "m.owner_id"

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct measure *m = out;
    memset(m, 0, sizeof *m);
    m->id = db_col_i64(st, 0);
    m->has_plan = !db_col_is_null(st, 1);
    m->plan_id = db_col_i64(st, 1);
    m->has_account = !db_col_is_null(st, 2);
    m->account_id = db_col_i64(st, 2);
    m->family = arena_strdup(ctx->a, db_col_text(st, 3));
    m->region = arena_strdup(ctx->a, db_col_text(st, 4));
    m->channel = arena_strdup(ctx->a, db_col_text(st, 5));
    m->kind = arena_strdup(ctx->a, db_col_text(st, 6));
    m->title = arena_strdup(ctx->a, db_col_text(st, 7));
    m->description = arena_strdup(ctx->a, db_col_text(st, 8));
    m->owner_id = db_col_i64(st, 9);
    m->start_day = db_col_i64(st, 10);
    m->due_day = db_col_i64(st, 11);
    m->status = arena_strdup(ctx->a, db_col_text(st, 12));
    m->expected_uplift = db_col_i64(st, 13);
    m->measure = arena_strdup(ctx->a, db_col_text(st, 14));
    m->has_effect = !db_col_is_null(st, 15);
    m->effect = db_col_i64(st, 15);
    m->effect_baseline = db_col_i64(st, 16);
    m->effect_note = arena_strdup(ctx->a, db_col_text(st, 17));
    m->version = db_col_i64(st, 18);
    m->created_at = db_col_i64(st, 19);
    m->updated_at = db_col_i64(st, 20);
    m->account_name = arena_strdup(ctx->a, db_col_text(st, 21));
    m->owner_login = arena_strdup(ctx->a, db_col_text(st, 22));
}

enum kam_err measure_get(struct kam_ctx *ctx, int64_t id, struct measure *out)
{
    return row_get(ctx, "SELECT " COLS FROM " WHERE m.id = ?", id, read_row, out, "measure");
}

static enum kam_err parse_day(struct kam_ctx *ctx, const char *field, const char *s, int64_t *out)
{
    int y, m, d;
    if (!s || date_parse(s, &y, &m, &d))
        return kam_fail(ctx->err, KAM_EINVAL, field, "%s must be YYYY-MM-DD", field);
    *out = date_to_days(y, m, d);
    return KAM_OK;
}

static enum kam_err merge(struct kam_ctx *ctx, struct measure *m, const struct measure_in *in)
{
    enum kam_err rc;
    if (in->set & MS_PLAN) {
        m->has_plan = in->has_plan;
        m->plan_id = in->plan_id;
    }
    if (in->set & MS_ACCOUNT) {
        m->has_account = in->has_account;
        m->account_id = in->account_id;
    }
    if (in->set & MS_FAMILY)
        m->family = in->family ? in->family : "";
    if (in->set & MS_REGION)
        m->region = in->region ? in->region : "";
    if (in->set & MS_CHANNEL)
        m->channel = in->channel ? in->channel : "";
    if (in->set & MS_KIND)
        m->kind = in->kind;
    if (in->set & MS_TITLE)
        m->title = in->title;
    if (in->set & MS_DESCRIPTION)
        m->description = in->description ? in->description : "";
    if (in->set & MS_OWNER)
        m->owner_id = in->owner_id;
    if ((in->set & MS_START) && (rc = parse_day(ctx, "start", in->start, &m->start_day)))
        return rc;
    if ((in->set & MS_DUE) && (rc = parse_day(ctx, "due", in->due, &m->due_day)))
        return rc;
    if (in->set & MS_STATUS)
        m->status = in->status;
    if (in->set & MS_UPLIFT)
        m->expected_uplift = in->expected_uplift;
    if (in->set & MS_MEASURE)
        m->measure = in->measure;
    if (in->set & MS_EFFECT) {
        m->has_effect = in->has_effect;
        m->effect = in->effect;
    }
    if (in->set & MS_EFFECT_NOTE)
        m->effect_note = in->effect_note ? in->effect_note : "";
    return KAM_OK;
}

/* Field rules and references. before is the stored measure (NULL on create); act the
 * caller's action, whose grant decides what they may name. */
static enum kam_err validate(struct kam_ctx *ctx, const struct measure *m,
                             const struct measure *before, enum act act)
{
    enum kam_err rc;
    if ((rc = check_enum(ctx, "kind", m->kind, measure_kinds)) ||
        (rc = check_text(ctx, "title", m->title, 1, 200, 0)) ||
        (rc = check_text(ctx, "description", m->description, 0, 4000, 1)) ||
        (rc = check_text(ctx, "family", m->family, 0, 64, 0)) ||
        (rc = check_text(ctx, "region", m->region, 0, 64, 0)) ||
        (rc = check_text(ctx, "channel", m->channel, 0, 64, 0)) ||
        (rc = check_enum(ctx, "status", m->status, measure_statuses)) ||
        (rc = check_enum(ctx, "measure", m->measure, measure_units)) ||
        (rc = check_range(ctx, "expected_uplift", m->expected_uplift, -INT64_C(1000000000000000),
                          INT64_C(1000000000000000))) ||
        (rc = check_text(ctx, "effect_note", m->effect_note, 0, 2000, 1)))
        return rc;
    if (m->due_day < m->start_day)
        return kam_fail(ctx->err, KAM_EINVAL, "due", "due must not be before start");
    if (m->due_day - m->start_day > 3 * 366)
        return kam_fail(ctx->err, KAM_EINVAL, "due", "a measure runs at most three years");
    /* The references exist. */
    int64_t x;
    if (m->has_plan && (rc = db_query_i64(ctx->db, "SELECT id FROM target_plans WHERE id = ?", 1,
                                          m->plan_id, &x, ctx->err))) {
        if (rc != KAM_ENOTFOUND)
            return rc;
        kam_error_clear(ctx->err);
        return kam_fail(ctx->err, KAM_EINVAL, "plan_id", "no such target plan");
    }
    /* Writing a measure of an account takes that account in scope (an account the caller
     * may not read is answered like a missing one); a plan-wide one an org-wide grant. The
     * account comes first, so nothing below tells about an account the caller cannot see. */
    if (m->has_account) {
        if ((rc = policy_body_account(ctx, "account_id", m->account_id, OBJ_MEASURE, act)))
            return rc;
    } else if (policy_grant(ctx->who.role, OBJ_MEASURE, act) != GRANT_ALL) {
        return kam_fail(ctx->err, KAM_EFORBIDDEN, "account_id",
                        "measures without an account are for the sales director");
    }
    /* The owner carries the measure out: someone who may change measures of that account (of
     * any account for a plan-wide one). Checked when it is set or the account moves, so a
     * stored owner who has since left does not block other edits. */
    int moved = !before || before->owner_id != m->owner_id ||
                before->has_account != m->has_account || before->account_id != m->account_id;
    int may = 0;
    if (moved && (rc = policy_user_may(ctx, m->owner_id, OBJ_MEASURE, ACT_UPDATE,
                                       m->has_account ? m->account_id : 0, &may)))
        return rc;
    if (moved && !may)
        return kam_fail(ctx->err, KAM_EINVAL, "owner_id",
                        "owner_id must be an active user who may work on this account's "
                        "measures");
    return KAM_OK;
}

/* The effect of a done measure: the slice's actual over the window against a year before. */
static enum kam_err measure_effect(struct kam_ctx *ctx, struct measure *m)
{
    struct volume_sel sel = {0};
    sel.quantity = !strcmp(m->measure, "quantity");
    sel.family = *m->family ? m->family : NULL;
    sel.region = *m->region ? m->region : NULL;
    sel.channel = *m->channel ? m->channel : NULL;
    sel.account_id = m->has_account ? m->account_id : 0;
    int y, mo, d;
    days_to_date(m->start_day, &y, &mo, &d);
    int from = y * 100 + mo;
    days_to_date(m->due_day, &y, &mo, &d);
    int to = y * 100 + mo;
    struct volume_series *now, *before;
    size_t n, nb;
    enum kam_err rc = volume_series(ctx, &sel, VD_NONE, from, to, &now, &n);
    if (!rc)
        rc = volume_series(ctx, &sel, VD_NONE, volume_month_add(from, -12),
                           volume_month_add(to, -12), &before, &nb);
    if (rc)
        return rc;
    int64_t scale = sel.quantity ? 1000 : 100;
    int64_t a = n ? now[0].total : 0, b = nb ? before[0].total : 0;
    m->has_effect = 1;
    m->effect = (a - b) / scale;
    m->effect_baseline = b / scale;
    char note[200];
    snprintf(note, sizeof note, "measured: %lld over the window against %lld a year before",
             (long long)(a / scale), (long long)(b / scale));
    m->effect_note = arena_strdup(ctx->a, note);
    return KAM_OK;
}

static void diff(struct audit_diff *d, const struct measure *b, const struct measure *a)
{
    audit_diff_i64(d, "plan_id", b ? b->plan_id : 0, !b || !b->has_plan, a->plan_id, !a->has_plan);
    audit_diff_i64(d, "account_id", b ? b->account_id : 0, !b || !b->has_account, a->account_id,
                   !a->has_account);
    audit_diff_str(d, "family", b ? b->family : NULL, a->family);
    audit_diff_str(d, "region", b ? b->region : NULL, a->region);
    audit_diff_str(d, "channel", b ? b->channel : NULL, a->channel);
    audit_diff_str(d, "kind", b ? b->kind : NULL, a->kind);
    audit_diff_str(d, "title", b ? b->title : NULL, a->title);
    audit_diff_str(d, "description", b ? b->description : NULL, a->description);
    audit_diff_i64(d, "owner_id", b ? b->owner_id : 0, !b, a->owner_id, 0);
    audit_diff_i64(d, "start_day", b ? b->start_day : 0, !b, a->start_day, 0);
    audit_diff_i64(d, "due_day", b ? b->due_day : 0, !b, a->due_day, 0);
    audit_diff_str(d, "status", b ? b->status : NULL, a->status);
    audit_diff_i64(d, "expected_uplift", b ? b->expected_uplift : 0, !b, a->expected_uplift, 0);
    audit_diff_str(d, "measure", b ? b->measure : NULL, a->measure);
    audit_diff_i64(d, "effect", b ? b->effect : 0, !b || !b->has_effect, a->effect, !a->has_effect);
    audit_diff_str(d, "effect_note", b ? b->effect_note : NULL, a->effect_note);
}

/* Inserts m (id 0; *id gets the new id) or updates it when it is still at `version`. */
static enum kam_err save(struct kam_ctx *ctx, const struct measure *m, int64_t version, int64_t *id)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        m->id ? "UPDATE measures SET plan_id = ?, account_id = ?, family = ?, region = ?, channel "
                "= ?, kind = ?, title = ?, description = ?, owner_id = ?, start_day = ?, due_day "
                "= ?, status = ?, expected_uplift = ?, measure = ?, effect = ?, effect_baseline = "
                "?, effect_note = ?, created_at = ?, updated_at = ?, version = version + 1 WHERE "
                "id = ? AND version = ?"
              : "INSERT INTO measures (plan_id, account_id, family, region, channel, kind, title, "
                "description, owner_id, start_day, due_day, status, expected_uplift, measure, "
                "effect, effect_baseline, effect_note, created_at, updated_at, version) VALUES "
                "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1) RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64n(st, 1, m->plan_id, !m->has_plan);
    db_bind_i64n(st, 2, m->account_id, !m->has_account);
    db_bind_text(st, 3, m->family);
    db_bind_text(st, 4, m->region);
    db_bind_text(st, 5, m->channel);
    db_bind_text(st, 6, m->kind);
    db_bind_text(st, 7, m->title);
    db_bind_text(st, 8, m->description);
    db_bind_i64(st, 9, m->owner_id);
    db_bind_i64(st, 10, m->start_day);
    db_bind_i64(st, 11, m->due_day);
    db_bind_text(st, 12, m->status);
    db_bind_i64(st, 13, m->expected_uplift);
    db_bind_text(st, 14, m->measure);
    db_bind_i64n(st, 15, m->effect, !m->has_effect);
    db_bind_i64n(st, 16, m->effect_baseline, !m->has_effect);
    db_bind_text(st, 17, m->effect_note);
    db_bind_i64(st, 18, m->id ? m->created_at : ctx->now);
    db_bind_i64(st, 19, ctx->now);
    if (m->id) {
        db_bind_i64(st, 20, m->id);
        db_bind_i64(st, 21, version);
    }
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (row)
        *id = db_col_i64(st, 0);
    db_done(st);
    return rc;
}

enum kam_err measure_create(struct kam_ctx *ctx, const struct measure_in *in, struct measure *out)
{
    static const struct {
        unsigned bit;
        const char *name;
    } need[] = {{MS_KIND, "kind"}, {MS_TITLE, "title"}, {MS_START, "start"}, {MS_DUE, "due"}};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!(in->set & need[i].bit))
            return kam_fail(ctx->err, KAM_EINVAL, need[i].name, "%s is required", need[i].name);
    struct measure m = {0};
    m.family = m.region = m.channel = m.description = m.effect_note = "";
    m.status = "planned";
    m.measure = "amount";
    m.owner_id = ctx->who.user_id;
    enum kam_err rc = merge(ctx, &m, in);
    if (rc)
        return rc;
    if (!m.owner_id)
        return kam_fail(ctx->err, KAM_EINVAL, "owner_id", "owner_id is required");
    if (m.has_effect)
        return kam_fail(ctx->err, KAM_EINVAL, "effect", "the effect is measured once done");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int64_t id = 0;
    if (!(rc = validate(ctx, &m, NULL, ACT_CREATE)) &&
        (strcmp(m.status, "done") || !(rc = measure_effect(ctx, &m))) &&
        !(rc = save(ctx, &m, 0, &id))) {
        m.id = id;
        struct audit_diff d;
        audit_diff_init(&d);
        diff(&d, NULL, &m);
        if (!(rc = audit_write(ctx, "measure", id, m.has_account ? m.account_id : 0, "create", &d)))
            rc = measure_get(ctx, id, out);
    }
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- update (svc/core/update.h) ---- */

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return measure_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    struct measure *m = rec;
    const struct measure *b = op->before;
    const struct measure_in *in = op->in;
    enum kam_err rc;
    if ((rc = merge(op->ctx, m, in)) || (rc = validate(op->ctx, m, b, ACT_UPDATE)))
        return rc;
    /* Becoming done measures the effect, unless the caller gives one. */
    if (!strcmp(m->status, "done") && strcmp(b->status, "done") && !(in->set & MS_EFFECT))
        return measure_effect(op->ctx, m);
    return KAM_OK;
}

static void up_diff(const struct update_op *op)
{
    diff(op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    int64_t got;
    return save(op->ctx, op->after, ((const struct measure *)op->before)->version, &got);
}

static int64_t up_account(const void *rec)
{
    const struct measure *m = rec;
    return m->has_account ? m->account_id : 0;
}

static const struct update_spec measure_spec = {
    .entity = "measure",
    .size = sizeof(struct measure),
    .versioned = 1,
    .version_at = offsetof(struct measure, version),
    .get = up_get,
    .in_set_at = offsetof(struct measure_in, set),
    .in_version_at = offsetof(struct measure_in, version),
    .in_version_bit = MS_VERSION,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
};

enum kam_err measure_update(struct kam_ctx *ctx, int64_t id, const struct measure_in *in,
                            struct measure *out)
{
    return record_update(ctx, &measure_spec, id, in, out);
}

enum kam_err measure_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct measure b;
    if ((rc = measure_get(ctx, id, &b)))
        goto out;
    rc = db_exec_i64(ctx->db, "DELETE FROM measures WHERE id = ?", id, ctx->err);
    if (!rc) {
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_str(&d, "title", b.title, NULL);
        rc = audit_write(ctx, "measure", id, b.has_account ? b.account_id : 0, "delete", &d);
    }
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort sorts[] = {{"due", "m.due_day", 0}};

enum kam_err measure_list(struct kam_ctx *ctx, const struct measure_query *q,
                          struct measure **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, 1, NULL, q->limit, q->cursor, &pg);
    if (rc || (q->status && (rc = check_enum(ctx, "status", q->status, measure_statuses))) ||
        (q->kind && (rc = check_enum(ctx, "kind", q->kind, measure_kinds))))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " COLS FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND (m.account_id IS NULL OR m.account_id IN (SELECT accounts.id FROM "
                     "accounts WHERE " POLICY_SCOPE_COND "))");
    const struct {
        const char *sql;
        int64_t v;
    } ints[] = {{" AND m.plan_id = ?", q->plan_id},
                {" AND m.account_id = ?", q->account_id},
                {" AND m.owner_id = ?", q->owner_id}};
    for (size_t i = 0; i < 3; i++)
        if (ints[i].v) {
            sqlb_sql(&b, ints[i].sql);
            sqlb_i64(&b, ints[i].v);
        }
    if (q->status) {
        sqlb_sql(&b, " AND m.status = ?");
        sqlb_text(&b, q->status);
    }
    if (q->kind) {
        sqlb_sql(&b, " AND m.kind = ?");
        sqlb_text(&b, q->kind);
    }
    struct measure *items;
    const struct measure *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "m.id", read_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, last->due_day, last->id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}
