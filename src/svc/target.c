/* target.c -- target plans, the decomposition, edits with rebalancing, the grid. */
#include "target.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/alloc.h"
#include "analytics/forecast.h"
#include "audit.h"
#include "base/strmap.h"
#include "base/timeutil.h"
#include "check.h"
#include "policy.h"
#include "rows.h"
#include "store/sqlb.h"

static const char *const measures[] = {"amount", "quantity", NULL};
static const char *const bases[] = {"last_year", "forecast", "potential", "equal", "blend", NULL};
static const char *const dim_names[] = {"account", "family", "region", "channel", "month"};
#define NDIMS 5

int target_dims_parse(const char *s, unsigned *out)
{
    *out = 0;
    while (s && *s) {
        size_t n = strcspn(s, ",");
        int found = 0;
        for (int i = 0; i < NDIMS; i++)
            if (strlen(dim_names[i]) == n && !strncmp(s, dim_names[i], n)) {
                if (*out & (1u << i))
                    return -1; /* named twice */
                *out |= 1u << i;
                found = 1;
            }
        if (!found)
            return -1;
        s += n;
        if (*s == ',' && !*++s)
            return -1; /* a trailing comma */
    }
    return 0;
}

const char *target_dims_text(struct kam_ctx *ctx, unsigned dims)
{
    char buf[64] = "";
    for (int i = 0; i < NDIMS; i++)
        if (dims & (1u << i)) {
            if (*buf)
                strcat(buf, ",");
            strcat(buf, dim_names[i]);
        }
    return arena_strdup(ctx->a, buf);
}

/* ---- plans ---- */

#define COLS                                                                                       \
    "p.id, p.year, p.name, p.measure, p.total, p.dims, p.basis, p.blend, p.scope_region, "         \
    "p.scope_channel, p.scope_family, p.status, p.owner_id, p.approved_by, p.approved_at, "        \
    "p.specific, p.measurable, p.achievable, p.relevant, p.deadline, p.decomposed_at, p.version, " \
    "p.created_at, p.updated_at, (SELECT COUNT(*) FROM target_cells c WHERE c.plan_id = p.id)"

static void read_plan(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct target_plan *p = out;
    memset(p, 0, sizeof *p);
    p->id = db_col_i64(st, 0);
    p->year = db_col_i64(st, 1);
    p->name = arena_strdup(ctx->a, db_col_text(st, 2));
    p->measure = arena_strdup(ctx->a, db_col_text(st, 3));
    p->total = db_col_i64(st, 4);
    target_dims_parse(db_col_text(st, 5), &p->dims);
    p->basis = arena_strdup(ctx->a, db_col_text(st, 6));
    p->blend = arena_strdup(ctx->a, db_col_text(st, 7));
    p->scope_region = arena_strdup(ctx->a, db_col_text(st, 8));
    p->scope_channel = arena_strdup(ctx->a, db_col_text(st, 9));
    p->scope_family = arena_strdup(ctx->a, db_col_text(st, 10));
    p->status = arena_strdup(ctx->a, db_col_text(st, 11));
    p->owner_id = db_col_i64(st, 12);
    p->has_approved = !db_col_is_null(st, 13);
    p->approved_by = db_col_i64(st, 13);
    p->approved_at = db_col_i64(st, 14);
    p->specific = arena_strdup(ctx->a, db_col_text(st, 15));
    p->measurable = arena_strdup(ctx->a, db_col_text(st, 16));
    p->achievable = arena_strdup(ctx->a, db_col_text(st, 17));
    p->relevant = arena_strdup(ctx->a, db_col_text(st, 18));
    p->deadline = db_col_i64(st, 19);
    p->has_decomposed = !db_col_is_null(st, 20);
    p->decomposed_at = db_col_i64(st, 20);
    p->version = db_col_i64(st, 21);
    p->created_at = db_col_i64(st, 22);
    p->updated_at = db_col_i64(st, 23);
    p->cells = db_col_i64(st, 24);
}

enum kam_err target_get(struct kam_ctx *ctx, int64_t id, struct target_plan *out)
{
    return row_get(ctx, "SELECT " COLS " FROM target_plans p WHERE p.id = ?", id, read_plan, out,
                   "target plan");
}

enum kam_err target_list(struct kam_ctx *ctx, int64_t year, struct target_plan **items_out,
                         size_t *n_out)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " COLS " FROM target_plans p WHERE 1 = 1");
    if (year) {
        sqlb_sql(&b, " AND p.year = ?");
        sqlb_i64(&b, year);
    }
    sqlb_sql(&b, " ORDER BY p.year DESC, p.id DESC LIMIT 500");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    return rows_collect(ctx, st, 500, read_plan, sizeof **items_out, (void **)items_out, n_out);
}

/* "last_year:50,forecast:50" -> percentages per basis (bases order), summing to 100. */
static enum kam_err parse_blend(struct kam_ctx *ctx, const char *s, int pct[5])
{
    memset(pct, 0, 5 * sizeof *pct);
    int sum = 0;
    while (s && *s) {
        size_t n = strcspn(s, ":");
        int k = -1;
        for (int i = 0; i < 4; i++)
            if (strlen(bases[i]) == n && !strncmp(s, bases[i], n))
                k = i;
        if (k < 0 || s[n] != ':')
            return kam_fail(ctx->err, KAM_EINVAL, "blend",
                            "blend is like last_year:50,forecast:50 (bases: last_year, forecast, "
                            "potential, equal)");
        char *end;
        long v = strtol(s + n + 1, &end, 10);
        if (end == s + n + 1 || v < 0 || v > 100 || (*end && *end != ','))
            return kam_fail(ctx->err, KAM_EINVAL, "blend", "each share is 0..100");
        pct[k] += (int)v;
        sum += (int)v;
        s = *end ? end + 1 : end;
    }
    if (sum != 100)
        return kam_fail(ctx->err, KAM_EINVAL, "blend", "the shares must add up to 100");
    return KAM_OK;
}

static void merge(struct kam_ctx *ctx, struct target_plan *p, const struct target_in *in)
{
    (void)ctx;
    if (in->set & TP_YEAR)
        p->year = in->year;
    if (in->set & TP_NAME)
        p->name = in->name;
    if (in->set & TP_MEASURE)
        p->measure = in->measure;
    if (in->set & TP_TOTAL)
        p->total = in->total;
    if (in->set & TP_BASIS)
        p->basis = in->basis;
    if (in->set & TP_BLEND)
        p->blend = in->blend ? in->blend : "";
    if (in->set & TP_SCOPE_REGION)
        p->scope_region = in->scope_region ? in->scope_region : "";
    if (in->set & TP_SCOPE_CHANNEL)
        p->scope_channel = in->scope_channel ? in->scope_channel : "";
    if (in->set & TP_SCOPE_FAMILY)
        p->scope_family = in->scope_family ? in->scope_family : "";
    if (in->set & TP_SPECIFIC)
        p->specific = in->specific;
    if (in->set & TP_MEASURABLE)
        p->measurable = in->measurable;
    if (in->set & TP_ACHIEVABLE)
        p->achievable = in->achievable;
    if (in->set & TP_RELEVANT)
        p->relevant = in->relevant;
    if (in->set & TP_OWNER)
        p->owner_id = in->owner_id;
}

/* Checks the plan's fields, SMART ones included; in->dims / deadline are parsed here. */
static enum kam_err validate(struct kam_ctx *ctx, struct target_plan *p, const struct target_in *in)
{
    enum kam_err rc;
    if ((rc = check_range(ctx, "year", p->year, 2000, 2100)) ||
        (rc = check_text(ctx, "name", p->name, 1, 200, 0)) ||
        (rc = check_enum(ctx, "measure", p->measure, measures)) ||
        (rc = check_range(ctx, "total", p->total, 0, INT64_C(1000000000000000))) ||
        (rc = check_enum(ctx, "basis", p->basis, bases)) ||
        (rc = check_text(ctx, "scope_region", p->scope_region, 0, 64, 0)) ||
        (rc = check_text(ctx, "scope_channel", p->scope_channel, 0, 64, 0)) ||
        (rc = check_text(ctx, "scope_family", p->scope_family, 0, 64, 0)) ||
        (rc = check_text(ctx, "specific", p->specific, 10, 2000, 1)) ||
        (rc = check_text(ctx, "measurable", p->measurable, 5, 2000, 1)) ||
        (rc = check_text(ctx, "achievable", p->achievable, 10, 2000, 1)) ||
        (rc = check_text(ctx, "relevant", p->relevant, 10, 2000, 1)))
        return rc;
    if (in->set & TP_DIMS) {
        if (!in->dims || target_dims_parse(in->dims, &p->dims))
            return kam_fail(ctx->err, KAM_EINVAL, "dims",
                            "dims lists account, family, region, channel, month (comma-separated)");
    }
    if (in->set & TP_DEADLINE) {
        int y, m, d;
        if (!in->deadline || date_parse(in->deadline, &y, &m, &d))
            return kam_fail(ctx->err, KAM_EINVAL, "deadline", "deadline must be YYYY-MM-DD");
        p->deadline = date_to_days(y, m, d);
    }
    int y, m, d;
    days_to_date(p->deadline, &y, &m, &d);
    if (y != p->year)
        return kam_fail(ctx->err, KAM_EINVAL, "deadline", "the deadline must fall in %lld",
                        (long long)p->year);
    int pct[5];
    if (!strcmp(p->basis, "blend") && (rc = parse_blend(ctx, p->blend, pct)))
        return rc;
    if (strcmp(p->basis, "blend") && *p->blend)
        return kam_fail(ctx->err, KAM_EINVAL, "blend", "blend is only for basis blend");
    return KAM_OK;
}

static void diff_plan(struct audit_diff *d, const struct target_plan *b,
                      const struct target_plan *a, struct kam_ctx *ctx)
{
    audit_diff_i64(d, "year", b ? b->year : 0, !b, a->year, 0);
    audit_diff_str(d, "name", b ? b->name : NULL, a->name);
    audit_diff_str(d, "measure", b ? b->measure : NULL, a->measure);
    audit_diff_i64(d, "total", b ? b->total : 0, !b, a->total, 0);
    audit_diff_str(d, "dims", b ? target_dims_text(ctx, b->dims) : NULL,
                   target_dims_text(ctx, a->dims));
    audit_diff_str(d, "basis", b ? b->basis : NULL, a->basis);
    audit_diff_str(d, "blend", b ? b->blend : NULL, a->blend);
    audit_diff_str(d, "scope_region", b ? b->scope_region : NULL, a->scope_region);
    audit_diff_str(d, "scope_channel", b ? b->scope_channel : NULL, a->scope_channel);
    audit_diff_str(d, "scope_family", b ? b->scope_family : NULL, a->scope_family);
    audit_diff_str(d, "status", b ? b->status : NULL, a->status);
    audit_diff_str(d, "specific", b ? b->specific : NULL, a->specific);
    audit_diff_str(d, "measurable", b ? b->measurable : NULL, a->measurable);
    audit_diff_str(d, "achievable", b ? b->achievable : NULL, a->achievable);
    audit_diff_str(d, "relevant", b ? b->relevant : NULL, a->relevant);
    audit_diff_i64(d, "deadline", b ? b->deadline : 0, !b, a->deadline, 0);
    audit_diff_i64(d, "owner_id", b ? b->owner_id : 0, !b, a->owner_id, 0);
}

static enum kam_err write_plan(struct kam_ctx *ctx, const struct target_plan *p, int64_t *id_out)
{
    struct db_stmt *st;
    enum kam_err rc;
    if (!p->id)
        rc = db_prepare(ctx->db,
                        "INSERT INTO target_plans (year, name, measure, total, dims, basis, blend, "
                        "scope_region, scope_channel, scope_family, status, owner_id, specific, "
                        "measurable, achievable, relevant, deadline, version, created_at, "
                        "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?) RETURNING id",
                        &st, ctx->err);
    else
        rc = db_prepare(ctx->db,
                        "UPDATE target_plans SET year = ?, name = ?, measure = ?, total = ?, dims "
                        "= ?, basis = ?, blend = ?, scope_region = ?, scope_channel = ?, "
                        "scope_family = ?, status = ?, owner_id = ?, specific = ?, measurable = ?, "
                        "achievable = ?, relevant = ?, deadline = ?, version = version + 1, "
                        "created_at = ?, updated_at = ? WHERE id = ? RETURNING id",
                        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, p->year);
    db_bind_text(st, 2, p->name);
    db_bind_text(st, 3, p->measure);
    db_bind_i64(st, 4, p->total);
    db_bind_text(st, 5, target_dims_text(ctx, p->dims));
    db_bind_text(st, 6, p->basis);
    db_bind_text(st, 7, p->blend);
    db_bind_text(st, 8, p->scope_region);
    db_bind_text(st, 9, p->scope_channel);
    db_bind_text(st, 10, p->scope_family);
    db_bind_text(st, 11, p->status);
    db_bind_i64(st, 12, p->owner_id);
    db_bind_text(st, 13, p->specific);
    db_bind_text(st, 14, p->measurable);
    db_bind_text(st, 15, p->achievable);
    db_bind_text(st, 16, p->relevant);
    db_bind_i64(st, 17, p->deadline);
    db_bind_i64(st, 18, p->id ? p->created_at : ctx->now);
    db_bind_i64(st, 19, ctx->now);
    if (p->id)
        db_bind_i64(st, 20, p->id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (row)
        *id_out = db_col_i64(st, 0);
    db_done(st);
    return rc;
}

enum kam_err target_create(struct kam_ctx *ctx, const struct target_in *in, struct target_plan *out)
{
    static const struct {
        unsigned bit;
        const char *name;
    } need[] = {{TP_YEAR, "year"},
                {TP_NAME, "name"},
                {TP_TOTAL, "total"},
                {TP_DIMS, "dims"},
                {TP_SPECIFIC, "specific"},
                {TP_MEASURABLE, "measurable"},
                {TP_ACHIEVABLE, "achievable"},
                {TP_RELEVANT, "relevant"},
                {TP_DEADLINE, "deadline"}};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!(in->set & need[i].bit))
            return kam_fail(ctx->err, KAM_EINVAL, need[i].name, "%s is required", need[i].name);
    struct target_plan p = {0};
    p.measure = "amount";
    p.basis = "last_year";
    p.blend = p.scope_region = p.scope_channel = p.scope_family = "";
    p.status = "draft";
    p.owner_id = ctx->who.user_id;
    merge(ctx, &p, in);
    enum kam_err rc;
    if (!p.owner_id)
        return kam_fail(ctx->err, KAM_EINVAL, "owner_id", "owner_id is required");
    if ((rc = validate(ctx, &p, in)) || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int64_t id = 0;
    if (!(rc = write_plan(ctx, &p, &id))) {
        p.id = id;
        struct audit_diff d;
        audit_diff_init(&d);
        diff_plan(&d, NULL, &p, ctx);
        if (!(rc = audit_write(ctx, "target_plan", id, 0, "create", &d)))
            rc = target_get(ctx, id, out);
    }
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- cells ---- */

struct cell {
    int64_t id, account_id, month, value, basis;
    const char *family, *region, *channel;
    int locked, changed;
};

static int cmp_cell(const void *a, const void *b)
{
    const struct cell *x = a, *y = b;
    if (x->account_id != y->account_id)
        return x->account_id < y->account_id ? -1 : 1;
    int c;
    if ((c = strcmp(x->family, y->family)) || (c = strcmp(x->region, y->region)) ||
        (c = strcmp(x->channel, y->channel)))
        return c;
    return (x->month > y->month) - (x->month < y->month);
}

static void read_cell(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct cell *c = out;
    c->id = db_col_i64(st, 0);
    c->account_id = db_col_i64(st, 1);
    c->family = arena_strdup(ctx->a, db_col_text(st, 2));
    c->region = arena_strdup(ctx->a, db_col_text(st, 3));
    c->channel = arena_strdup(ctx->a, db_col_text(st, 4));
    c->month = db_col_i64(st, 5);
    c->value = db_col_i64(st, 6);
    c->basis = db_col_i64(st, 7);
    c->locked = (int)db_col_i64(st, 8);
    c->changed = 0;
}

/* Every cell of the plan in key order (the order the allocation breaks ties by). */
static enum kam_err load_cells(struct kam_ctx *ctx, int64_t plan_id, struct cell **out, size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, account_id, family, region, channel, month, value, "
                                 "basis, locked FROM target_cells WHERE plan_id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, plan_id);
    if ((rc = rows_collect(ctx, st, TARGET_MAX_CELLS, read_cell, sizeof **out, (void **)out, n)))
        return rc;
    qsort(*out, *n, sizeof **out, cmp_cell);
    return KAM_OK;
}

/* Writes the cells marked changed, 50 to a statement. */
static enum kam_err save_cells(struct kam_ctx *ctx, struct cell *c, size_t n)
{
    enum kam_err rc = KAM_OK;
    size_t i = 0;
    while (i < n && !rc) {
        struct cell *batch[50];
        size_t k = 0;
        for (; i < n && k < 50; i++)
            if (c[i].changed)
                batch[k++] = &c[i];
        if (!k)
            break;
        char sql[4096];
        size_t len = (size_t)snprintf(sql, sizeof sql, "UPDATE target_cells SET value = CASE id");
        for (size_t j = 0; j < k; j++)
            len += (size_t)snprintf(sql + len, sizeof sql - len, " WHEN ? THEN ?");
        len += (size_t)snprintf(sql + len, sizeof sql - len, " ELSE value END, locked = CASE id");
        for (size_t j = 0; j < k; j++)
            len += (size_t)snprintf(sql + len, sizeof sql - len, " WHEN ? THEN ?");
        len += (size_t)snprintf(sql + len, sizeof sql - len, " ELSE locked END WHERE id IN (");
        for (size_t j = 0; j < k; j++)
            len += (size_t)snprintf(sql + len, sizeof sql - len, j ? ",?" : "?");
        snprintf(sql + len, sizeof sql - len, ")");
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db, sql, &st, ctx->err)))
            break;
        int b = 1;
        for (size_t j = 0; j < k; j++) {
            db_bind_i64(st, b++, batch[j]->id);
            db_bind_i64(st, b++, batch[j]->value);
        }
        for (size_t j = 0; j < k; j++) {
            db_bind_i64(st, b++, batch[j]->id);
            db_bind_i64(st, b++, batch[j]->locked);
        }
        for (size_t j = 0; j < k; j++)
            db_bind_i64(st, b++, batch[j]->id);
        rc = db_run(st, ctx->err);
    }
    return rc;
}

/* Splits total over cells idx[0..m) in proportion to their current values (equally when all
 * are 0), keeping locked ones unless ignore_locks. 0 or an alloc error. */
static int split_over(struct kam_ctx *ctx, struct cell *c, const size_t *idx, size_t m,
                      int64_t total)
{
    int64_t *w = arena_alloc(ctx->a, (m ? m : 1) * sizeof *w);
    int64_t *fixed = arena_alloc(ctx->a, (m ? m : 1) * sizeof *fixed);
    int64_t *out = arena_alloc(ctx->a, (m ? m : 1) * sizeof *out);
    unsigned char *locked = arena_alloc(ctx->a, m ? m : 1);
    for (size_t i = 0; i < m; i++) {
        w[i] = c[idx[i]].value;
        fixed[i] = c[idx[i]].value;
        locked[i] = (unsigned char)c[idx[i]].locked;
    }
    int r = alloc_split(total, (int)m, w, locked, fixed, out);
    if (r)
        return r;
    for (size_t i = 0; i < m; i++)
        if (out[i] != c[idx[i]].value) {
            c[idx[i]].value = out[i];
            c[idx[i]].changed = 1;
        }
    return 0;
}

static int sel_match(const struct cell *c, const struct target_sel *s)
{
    return (!s->account_id || c->account_id == s->account_id) &&
           (!s->month || c->month == s->month) && (!s->family || !strcmp(c->family, s->family)) &&
           (!s->region || !strcmp(c->region, s->region)) &&
           (!s->channel || !strcmp(c->channel, s->channel));
}

static const char *sel_text(struct kam_ctx *ctx, const struct target_sel *s)
{
    char buf[400] = "";
    size_t n = 0;
    if (s->account_id)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "account=%lld,", (long long)s->account_id);
    if (s->family)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "family=%s,", s->family);
    if (s->region)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "region=%s,", s->region);
    if (s->channel)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "channel=%s,", s->channel);
    if (s->month && n < sizeof buf)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "month=%lld,", (long long)s->month);
    if (n && n <= sizeof buf)
        buf[n - 1] = 0;
    return arena_strdup(ctx->a, buf);
}

static enum kam_err adjust(struct kam_ctx *ctx, int64_t plan_id, const char *selection,
                           const char *action, int has_from, int64_t from, int has_to, int64_t to,
                           const char *reason)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "INSERT INTO target_adjustments (plan_id, selection, action, "
                                 "from_value, to_value, reason, user_id, at) VALUES "
                                 "(?, ?, ?, ?, ?, ?, ?, ?)",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, plan_id);
    db_bind_text(st, 2, selection);
    db_bind_text(st, 3, action);
    db_bind_i64n(st, 4, from, !has_from);
    db_bind_i64n(st, 5, to, !has_to);
    db_bind_text(st, 6, reason ? reason : "");
    db_bind_i64n(st, 7, ctx->who.user_id, !ctx->who.user_id);
    db_bind_i64(st, 8, ctx->now);
    rc = db_run(st, ctx->err);
    if (rc)
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "selection", NULL, selection);
    audit_diff_str(&d, "action", NULL, action);
    audit_diff_i64(&d, "value", from, !has_from, to, !has_to);
    audit_diff_str(&d, "reason", NULL, reason ? reason : "");
    return audit_write(ctx, "target_plan", plan_id, 0, "adjust", &d);
}

/* Changes to an approved plan need a reason. */
static enum kam_err need_reason(struct kam_ctx *ctx, const struct target_plan *p,
                                const char *reason)
{
    enum kam_err rc = check_text(ctx, "reason", reason, 0, 2000, 1);
    if (rc)
        return rc;
    if (!strcmp(p->status, "approved") && (!reason || !*reason))
        return kam_fail(ctx->err, KAM_EINVAL, "reason",
                        "the plan is approved: say why it changes (reason)");
    return KAM_OK;
}

enum kam_err target_update(struct kam_ctx *ctx, int64_t id, const struct target_in *in,
                           struct target_plan *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct target_plan before, p;
    if ((rc = target_get(ctx, id, &before)))
        goto out;
    if ((in->set & TP_VERSION) && in->version != before.version) {
        rc = kam_fail(ctx->err, KAM_ECONFLICT, "version",
                      "the plan was changed by someone else (version %lld)",
                      (long long)before.version);
        goto out;
    }
    p = before;
    merge(ctx, &p, in);
    if ((rc = validate(ctx, &p, in)) || (rc = need_reason(ctx, &before, in->reason)))
        goto out;
    if (before.cells &&
        (p.dims != before.dims || p.year != before.year || strcmp(p.measure, before.measure) ||
         strcmp(p.scope_region, before.scope_region) ||
         strcmp(p.scope_channel, before.scope_channel) ||
         strcmp(p.scope_family, before.scope_family))) {
        rc = kam_fail(ctx->err, KAM_ECONFLICT, "dims",
                      "the plan is decomposed: year, measure, dims and scope are fixed (decompose "
                      "again after changing them on a new plan)");
        goto out;
    }
    if (p.total != before.total && before.cells) {
        struct cell *c;
        size_t n;
        if ((rc = load_cells(ctx, id, &c, &n)))
            goto out;
        size_t *idx = arena_alloc(ctx->a, (n ? n : 1) * sizeof *idx);
        for (size_t i = 0; i < n; i++)
            idx[i] = i;
        if (split_over(ctx, c, idx, n, p.total)) {
            rc = kam_fail(ctx->err, KAM_ECONFLICT, "total",
                          "the locked cells add up to more than %lld", (long long)p.total);
            goto out;
        }
        if ((rc = save_cells(ctx, c, n)) ||
            (rc = adjust(ctx, id, "", "total", 1, before.total, 1, p.total, in->reason)))
            goto out;
    }
    int64_t got;
    if ((rc = write_plan(ctx, &p, &got)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_plan(&d, &before, &p, ctx);
    if (!(rc = audit_write(ctx, "target_plan", id, 0, "update", &d)))
        rc = target_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err target_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct target_plan p;
    if ((rc = target_get(ctx, id, &p)))
        goto out;
    if (strcmp(p.status, "draft")) {
        rc = kam_fail(ctx->err, KAM_ECONFLICT, "status", "only a draft plan can be deleted");
        goto out;
    }
    static const char *const del[] = {
        "DELETE FROM target_cells WHERE plan_id = ?",
        "DELETE FROM target_adjustments WHERE plan_id = ?",
        "DELETE FROM target_proposals WHERE plan_id = ?",
        "UPDATE measures SET plan_id = NULL WHERE plan_id = ?",
        "DELETE FROM target_plans WHERE id = ?",
    };
    for (size_t i = 0; i < sizeof del / sizeof del[0] && !rc; i++)
        rc = db_exec_i64(ctx->db, del[i], id, ctx->err);
    if (!rc) {
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_str(&d, "name", p.name, NULL);
        audit_diff_i64(&d, "total", p.total, 0, 0, 1);
        rc = audit_write(ctx, "target_plan", id, 0, "delete", &d);
    }
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- decomposition ---- */

/* One leaf: a combination of the plan's dims, with its weights per basis. */
struct leaf {
    struct cell c;
    int64_t w[4]; /* last_year, forecast, potential, equal */
};

struct decomp {
    struct kam_ctx *ctx;
    const struct target_plan *p;
    struct strmap map; /* leaf key -> index + 1 */
    struct leaf *leaves;
    size_t n, cap;
};

static struct leaf *leaf_of(struct decomp *d, int64_t account_id, const char *family,
                            const char *region, const char *channel, int64_t month)
{
    unsigned dims = d->p->dims;
    struct cell k = {0};
    k.account_id = dims & TD_ACCOUNT ? account_id : 0;
    k.family = dims & TD_FAMILY ? family : "";
    k.region = dims & TD_REGION ? region : "";
    k.channel = dims & TD_CHANNEL ? channel : "";
    k.month = dims & TD_MONTH ? month : 0;
    char key[512];
    int n = snprintf(key, sizeof key, "%lld\x1f%s\x1f%s\x1f%s\x1f%lld", (long long)k.account_id,
                     k.family, k.region, k.channel, (long long)k.month);
    if (n < 0 || (size_t)n >= sizeof key)
        n = (int)sizeof key - 1;
    intptr_t at = (intptr_t)strmap_get(&d->map, key, (size_t)n);
    if (at)
        return &d->leaves[at - 1];
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 256;
        struct leaf *l = arena_calloc(d->ctx->a, cap, sizeof *l);
        if (d->n)
            memcpy(l, d->leaves, d->n * sizeof *l);
        d->leaves = l;
        d->cap = cap;
    }
    struct leaf *l = &d->leaves[d->n++];
    l->c = k;
    l->c.family = arena_strdup(d->ctx->a, k.family);
    l->c.region = arena_strdup(d->ctx->a, k.region);
    l->c.channel = arena_strdup(d->ctx->a, k.channel);
    strmap_put(&d->map, key, (size_t)n, (void *)(intptr_t)d->n);
    return l;
}

/* The basis year: the twelve months before the plan year, or the last twelve complete months
 * when the year before is not over yet (planning next year in November). yyyymm bounds. */
static void basis_window(const struct kam_ctx *ctx, const struct target_plan *p, int *from, int *to)
{
    int y, m, d;
    days_to_date(ctx->now / 86400, &y, &m, &d);
    int last_complete = y * 12 + (m - 1) - 1; /* month index */
    int end = (int)p->year * 12 - 1;          /* December before the plan year */
    if (last_complete < end)
        end = last_complete;
    int start = end - 11;
    *from = (start / 12) * 100 + start % 12 + 1;
    *to = (end / 12) * 100 + end % 12 + 1;
}

/* Per-account factors for the forecast and potential bases: the account's expected volume in
 * the plan year over its last-year volume. */
struct factor {
    int64_t account_id;
    double fc, pot;
};

/* The account's forecast volume for the plan year: actual months of the year so far plus the
 * forecast of the rest, from its monthly history. */
static double forecast_year(const int64_t *hist, int nhist, int first_of_year, int last_actual)
{
    /* hist[i] is month first + i; the plan year starts at index first_of_year. */
    int skip = 0;
    while (skip < last_actual && hist[skip] == 0)
        skip++;
    int n = last_actual - skip + 1;
    double sum = 0;
    for (int i = first_of_year; i <= last_actual && i < nhist; i++)
        if (i >= 0)
            sum += (double)hist[i];
    int horizon = first_of_year + 12 - (last_actual + 1);
    if (horizon <= 0)
        return sum;
    if (n < FC_MIN_N)
        return -1;
    double *y = malloc((size_t)n * sizeof *y), *buf = malloc((size_t)horizon * 5 * sizeof *buf);
    if (!y || !buf) {
        free(y);
        free(buf);
        return -1;
    }
    for (int i = 0; i < n; i++)
        y[i] = (double)hist[skip + i];
    struct fc_result r = {
        buf, buf + horizon, buf + 2 * horizon, buf + 3 * horizon, buf + 4 * horizon, {0}};
    char why[96];
    double out = -1;
    if (!fc_forecast(y, n, 12, horizon, NULL, &r, why, sizeof why)) {
        out = sum;
        for (int h = 0; h < horizon; h++) {
            int idx = last_actual + 1 + h;
            if (idx >= first_of_year)
                out += r.mean[h] > 0 ? r.mean[h] : 0;
        }
    }
    free(y);
    free(buf);
    return out;
}

static enum kam_err account_factors(struct kam_ctx *ctx, const struct target_plan *p,
                                    struct factor **out, size_t *n_out)
{
    /* History: three years before the plan year up to the last complete month before today. */
    int y, m, d;
    days_to_date(ctx->now / 86400, &y, &m, &d);
    int first = ((int)p->year - 3) * 12; /* month index of Jan, year - 3 */
    int now_idx = y * 12 + (m - 1) - 1;  /* last complete month */
    int plan_idx = (int)p->year * 12;    /* Jan of the plan year */
    int last = now_idx < plan_idx + 11 ? now_idx : plan_idx + 11;
    int nhist = last - first + 1;
    if (nhist < 1)
        nhist = 1;
    int ly_from, ly_to;
    basis_window(ctx, p, &ly_from, &ly_to);
    struct db_stmt *st;
    const char *col = !strcmp(p->measure, "quantity") ? "quantity" : "amount";
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT account_id, month, SUM(%s) FROM sales_monthly WHERE month >= ? AND month <= ? "
             "AND (? = '' OR region = ?) AND (? = '' OR channel = ?) AND (? = '' OR family = ?) "
             "GROUP BY account_id, month ORDER BY account_id, month",
             col);
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, (first / 12) * 100 + 1);
    db_bind_i64(st, 2, (last / 12) * 100 + last % 12 + 1);
    db_bind_text(st, 3, p->scope_region);
    db_bind_text(st, 4, p->scope_region);
    db_bind_text(st, 5, p->scope_channel);
    db_bind_text(st, 6, p->scope_channel);
    db_bind_text(st, 7, p->scope_family);
    db_bind_text(st, 8, p->scope_family);
    size_t cap = 64, n = 0;
    struct factor *f = arena_calloc(ctx->a, cap, sizeof *f);
    int64_t *hist = calloc((size_t)nhist, sizeof *hist);
    int64_t cur = 0;
    int row = 0;
    int64_t ly = 0;
    for (;;) {
        rc = db_step(st, &row, ctx->err);
        int64_t acct = row && !rc ? db_col_i64(st, 0) : -1;
        if (cur && acct != cur) {
            if (n == cap) {
                struct factor *g = arena_calloc(ctx->a, cap * 2, sizeof *f);
                memcpy(g, f, n * sizeof *f);
                f = g;
                cap *= 2;
            }
            double fy = forecast_year(hist, nhist, plan_idx - first, last - first);
            f[n].account_id = cur;
            f[n].fc = ly > 0 && fy >= 0 ? fy / (double)ly : 1;
            f[n].pot = 1;
            n++;
            memset(hist, 0, (size_t)nhist * sizeof *hist);
            ly = 0;
        }
        if (rc || !row)
            break;
        cur = acct;
        int mo = (int)db_col_i64(st, 1);
        int idx = (mo / 100) * 12 + mo % 100 - 1 - first;
        if (idx >= 0 && idx < nhist)
            hist[idx] = db_col_i64(st, 2);
        if (mo >= ly_from && mo <= ly_to)
            ly += db_col_i64(st, 2);
    }
    db_done(st);
    free(hist);
    if (rc)
        return rc;
    /* Potential: the wallet estimate of the plan year (or the latest before) over last year's
     * actual of the account. */
    snprintf(sql, sizeof sql,
             "SELECT w.account_id, w.amount, (SELECT SUM(amount) FROM sales_monthly_account s "
             "WHERE s.account_id = w.account_id AND s.month >= ? AND s.month <= ?) FROM "
             "wallet_estimates w WHERE w.year = (SELECT MAX(year) FROM wallet_estimates x WHERE "
             "x.account_id = w.account_id AND x.year <= ?) ORDER BY w.account_id");
    if ((rc = db_prepare(ctx->db, sql, &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, ly_from);
    db_bind_i64(st, 2, ly_to);
    db_bind_i64(st, 3, p->year);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t acct = db_col_i64(st, 0), wallet = db_col_i64(st, 1), lyv = db_col_i64(st, 2);
        for (size_t i = 0; i < n; i++)
            if (f[i].account_id == acct && lyv > 0)
                f[i].pot = (double)wallet / (double)lyv;
    }
    db_done(st);
    *out = f;
    *n_out = n;
    return rc;
}

static double factor_of(const struct factor *f, size_t n, int64_t acct, int pot)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f[mid].account_id < acct)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && f[lo].account_id == acct)
        return pot ? f[lo].pot : f[lo].fc;
    return 1;
}

/* Leaves from last year's sales (weights per basis); none -> the accounts and families. */
static enum kam_err build_leaves(struct decomp *d)
{
    struct kam_ctx *ctx = d->ctx;
    const struct target_plan *p = d->p;
    struct factor *f = NULL;
    size_t nf = 0;
    enum kam_err rc;
    int need_factors = !strcmp(p->basis, "forecast") || !strcmp(p->basis, "potential") ||
                       !strcmp(p->basis, "blend");
    if (need_factors && (rc = account_factors(ctx, p, &f, &nf)))
        return rc;
    const char *col = !strcmp(p->measure, "quantity") ? "quantity" : "amount";
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT account_id, family, region, channel, month, %s FROM sales_monthly WHERE month "
             ">= ? AND month <= ? AND (? = '' OR region = ?) AND (? = '' OR channel = ?) AND (? = "
             "'' OR family = ?)",
             col);
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db, sql, &st, ctx->err)))
        return rc;
    int ly_from, ly_to;
    basis_window(ctx, p, &ly_from, &ly_to);
    db_bind_i64(st, 1, ly_from);
    db_bind_i64(st, 2, ly_to);
    db_bind_text(st, 3, p->scope_region);
    db_bind_text(st, 4, p->scope_region);
    db_bind_text(st, 5, p->scope_channel);
    db_bind_text(st, 6, p->scope_channel);
    db_bind_text(st, 7, p->scope_family);
    db_bind_text(st, 8, p->scope_family);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t acct = db_col_i64(st, 0), v = db_col_i64(st, 5);
        struct leaf *l = leaf_of(d, acct, db_col_text(st, 1), db_col_text(st, 2),
                                 db_col_text(st, 3), db_col_i64(st, 4) % 100);
        if (v <= 0)
            continue;
        l->w[0] += v;
        if (need_factors) {
            l->w[1] += llround((double)v * factor_of(f, nf, acct, 0));
            l->w[2] += llround((double)v * factor_of(f, nf, acct, 1));
        }
        l->w[3] = 1;
    }
    db_done(st);
    if (rc || d->n)
        return rc;
    /* No sales last year: the active accounts of the scope, every family, every month. */
    snprintf(sql, sizeof sql,
             "SELECT a.id, a.region, a.channel, f.family FROM accounts a CROSS JOIN (SELECT "
             "DISTINCT family FROM products WHERE active = 1 AND (? = '' OR family = ?)) f WHERE "
             "a.status = 'active' AND (? = '' OR a.region = ?) AND (? = '' OR a.channel = ?) "
             "LIMIT 100000");
    if ((rc = db_prepare(ctx->db, sql, &st, ctx->err)))
        return rc;
    db_bind_text(st, 1, p->scope_family);
    db_bind_text(st, 2, p->scope_family);
    db_bind_text(st, 3, p->scope_region);
    db_bind_text(st, 4, p->scope_region);
    db_bind_text(st, 5, p->scope_channel);
    db_bind_text(st, 6, p->scope_channel);
    while (!(rc = db_step(st, &row, ctx->err)) && row)
        for (int mo = 1; mo <= 12; mo++)
            leaf_of(d, db_col_i64(st, 0), db_col_text(st, 3), db_col_text(st, 1),
                    db_col_text(st, 2), mo)
                ->w[3] = 1;
    db_done(st);
    for (int mo = 1; !rc && !d->n && mo <= 12; mo++)
        leaf_of(d, 0, p->scope_family, p->scope_region, p->scope_channel, mo)->w[3] = 1;
    return rc;
}

static int cmp_leaf(const void *a, const void *b)
{
    return cmp_cell(&((const struct leaf *)a)->c, &((const struct leaf *)b)->c);
}

enum kam_err target_decompose(struct kam_ctx *ctx, int64_t id, const char *reason,
                              struct target_plan *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct target_plan p;
    struct decomp d = {ctx, &p, {0}, NULL, 0, 0};
    strmap_init(&d.map);
    if ((rc = target_get(ctx, id, &p)) || (rc = need_reason(ctx, &p, reason)))
        goto out;
    if ((rc = build_leaves(&d)))
        goto out;
    if (d.n > TARGET_MAX_CELLS) {
        rc = kam_fail(ctx->err, KAM_ETOOBIG, "dims",
                      "that split makes %zu cells (at most %d): split by fewer dims", d.n,
                      TARGET_MAX_CELLS);
        goto out;
    }
    qsort(d.leaves, d.n, sizeof *d.leaves, cmp_leaf);
    int n = (int)d.n;
    int64_t *w = arena_alloc(ctx->a, (size_t)n * sizeof *w);
    int64_t *vals = arena_alloc(ctx->a, (size_t)n * sizeof *vals);
    int b = -1;
    for (int i = 0; i < 4; i++)
        if (!strcmp(p.basis, bases[i]))
            b = i;
    if (b >= 0) {
        for (int i = 0; i < n; i++)
            w[i] = d.leaves[i].w[b];
    } else {
        int pct[5], k = 0;
        if ((rc = parse_blend(ctx, p.blend, pct)))
            goto out;
        int use[4], upct[4];
        for (int j = 0; j < 4; j++)
            if (pct[j]) {
                use[k] = j;
                upct[k++] = pct[j];
            }
        int64_t *m = arena_alloc(ctx->a, (size_t)(k * n) * sizeof *m);
        for (int j = 0; j < k; j++)
            for (int i = 0; i < n; i++)
                m[j * n + i] = d.leaves[i].w[use[j]];
        if (alloc_blend(n, k, m, upct, w)) {
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "blend", "the blend could not be computed");
            goto out;
        }
    }
    if (alloc_split(p.total, n, w, NULL, NULL, vals)) {
        rc = kam_fail(ctx->err, KAM_EINTERNAL, "total", "the split failed");
        goto out;
    }
    struct db_stmt *st;
    rc = db_exec_i64(ctx->db, "DELETE FROM target_cells WHERE plan_id = ?", id, ctx->err);
    for (int i = 0; i < n && !rc; i += 50) {
        int k = n - i < 50 ? n - i : 50;
        char sql[4096];
        size_t len = (size_t)snprintf(sql, sizeof sql,
                                      "INSERT INTO target_cells (plan_id, account_id, family, "
                                      "region, channel, month, value, basis, locked) VALUES ");
        for (int j = 0; j < k; j++)
            len += (size_t)snprintf(sql + len, sizeof sql - len,
                                    j ? ",(?,?,?,?,?,?,?,?,0)" : "(?,?,?,?,?,?,?,?,0)");
        if ((rc = db_prepare(ctx->db, sql, &st, ctx->err)))
            break;
        for (int j = 0; j < k; j++) {
            const struct leaf *l = &d.leaves[i + j];
            int at = j * 8;
            db_bind_i64(st, at + 1, id);
            db_bind_i64(st, at + 2, l->c.account_id);
            db_bind_text(st, at + 3, l->c.family);
            db_bind_text(st, at + 4, l->c.region);
            db_bind_text(st, at + 5, l->c.channel);
            db_bind_i64(st, at + 6, l->c.month);
            db_bind_i64(st, at + 7, vals[i + j]);
            db_bind_i64(st, at + 8, w[i + j]);
        }
        rc = db_run(st, ctx->err);
    }
    if (!rc && !(rc = db_prepare(ctx->db,
                                 "UPDATE target_plans SET decomposed_at = ?, updated_at = ?, "
                                 "version = version + 1 WHERE id = ?",
                                 &st, ctx->err))) {
        db_bind_i64(st, 1, ctx->now);
        db_bind_i64(st, 2, ctx->now);
        db_bind_i64(st, 3, id);
        rc = db_run(st, ctx->err);
    }
    if (!rc)
        rc = adjust(ctx, id, "", "decompose", 0, 0, 1, p.total, reason);
    if (!rc)
        rc = target_get(ctx, id, out);
out:
    strmap_release(&d.map);
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- edits ---- */

enum kam_err target_set_cells(struct kam_ctx *ctx, int64_t id, const struct target_sel *sel,
                              int has_value, int64_t value, int lock, const char *reason,
                              int64_t *changed_out)
{
    *changed_out = 0;
    enum kam_err rc;
    if (has_value && (rc = check_range(ctx, "value", value, 0, INT64_C(1000000000000000))))
        return rc;
    if (sel->month && (rc = check_range(ctx, "month", sel->month, 1, 12)))
        return rc;
    if (!has_value && lock < 0)
        return kam_fail(ctx->err, KAM_EINVAL, "value", "give a value, lock, or both");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct target_plan p;
    struct cell *c;
    size_t n;
    if ((rc = target_get(ctx, id, &p)) || (rc = need_reason(ctx, &p, reason)) ||
        (rc = load_cells(ctx, id, &c, &n)))
        goto out;
    size_t *in = arena_alloc(ctx->a, (n ? n : 1) * sizeof *in);
    size_t *rest = arena_alloc(ctx->a, (n ? n : 1) * sizeof *rest);
    size_t ni = 0, nr = 0;
    int64_t before = 0;
    for (size_t i = 0; i < n; i++) {
        if (sel_match(&c[i], sel)) {
            in[ni++] = i;
            before += c[i].value;
        } else {
            rest[nr++] = i;
        }
    }
    if (!ni) {
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "cells", "no cell of the plan matches");
        goto out;
    }
    const char *what = sel_text(ctx, sel);
    if (has_value && value != before) {
        /* The selection first (its locked cells keep their values), then the rest. */
        if (split_over(ctx, c, in, ni, value)) {
            rc = kam_fail(ctx->err, KAM_ECONFLICT, "value",
                          "the selection's locked cells do not allow %lld", (long long)value);
            goto out;
        }
        for (size_t i = 0; i < ni; i++)
            c[in[i]].locked |= 2; /* fixed while the rest rebalances */
        if (split_over(ctx, c, rest, nr, p.total - value)) {
            rc = kam_fail(ctx->err, KAM_ECONFLICT, "value",
                          "%lld leaves %lld for the other cells, but their locked cells need more "
                          "(or there is no unlocked cell to take the difference)",
                          (long long)value, (long long)(p.total - value));
            goto out;
        }
        for (size_t i = 0; i < ni; i++)
            c[in[i]].locked &= 1;
        if ((rc = adjust(ctx, id, what, "set", 1, before, 1, value, reason)))
            goto out;
    }
    if (lock >= 0) {
        for (size_t i = 0; i < ni; i++)
            if (c[in[i]].locked != lock) {
                c[in[i]].locked = lock;
                c[in[i]].changed = 1;
            }
        if ((rc = adjust(ctx, id, what, lock ? "lock" : "unlock", 0, 0, 0, 0, reason)))
            goto out;
    }
    for (size_t i = 0; i < n; i++)
        *changed_out += c[i].changed;
    if ((rc = save_cells(ctx, c, n)))
        goto out;
    struct db_stmt *st;
    if (!(rc = db_prepare(ctx->db,
                          "UPDATE target_plans SET updated_at = ?, version = version + 1 WHERE id "
                          "= ?",
                          &st, ctx->err))) {
        db_bind_i64(st, 1, ctx->now);
        db_bind_i64(st, 2, id);
        rc = db_run(st, ctx->err);
    }
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- workflow ---- */

static enum kam_err set_status(struct kam_ctx *ctx, int64_t id, const char *from_a,
                               const char *from_b, const char *to, const char *note,
                               struct target_plan *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct target_plan p;
    if ((rc = target_get(ctx, id, &p)) || (rc = check_text(ctx, "note", note, 0, 2000, 1)))
        goto out;
    if (strcmp(p.status, from_a) && (!from_b || strcmp(p.status, from_b))) {
        rc = kam_fail(ctx->err, KAM_ECONFLICT, "status", "the plan is %s", p.status);
        goto out;
    }
    if (!p.cells) {
        rc = kam_fail(ctx->err, KAM_ECONFLICT, "status", "decompose the plan first");
        goto out;
    }
    int approve = !strcmp(to, "approved");
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         approve ? "UPDATE target_plans SET status = ?, approved_by = ?, "
                                   "approved_at = ?, version = version + 1, updated_at = ? "
                                   "WHERE id = ?"
                                 : "UPDATE target_plans SET status = ?, version = version + 1, "
                                   "updated_at = ? WHERE id = ?",
                         &st, ctx->err)))
        goto out;
    int b = 1;
    db_bind_text(st, b++, to);
    if (approve) {
        db_bind_i64n(st, b++, ctx->who.user_id, !ctx->who.user_id);
        db_bind_i64(st, b++, ctx->now);
    }
    db_bind_i64(st, b++, ctx->now);
    db_bind_i64(st, b, id);
    rc = db_run(st, ctx->err);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "status", p.status, to);
    if (note && *note)
        audit_diff_str(&d, "note", NULL, note);
    if (!(rc = audit_write(ctx, "target_plan", id, 0, approve ? "approve" : "submit", &d)))
        rc = target_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err target_submit(struct kam_ctx *ctx, int64_t id, struct target_plan *out)
{
    return set_status(ctx, id, "draft", NULL, "submitted", NULL, out);
}

enum kam_err target_approve(struct kam_ctx *ctx, int64_t id, const char *note,
                            struct target_plan *out)
{
    return set_status(ctx, id, "submitted", "draft", "approved", note, out);
}

/* ---- reading ---- */

static const char *dim_col(unsigned dim)
{
    switch (dim) {
    case TD_ACCOUNT:
        return "CAST(c.account_id AS TEXT)";
    case TD_FAMILY:
        return "c.family";
    case TD_REGION:
        return "c.region";
    case TD_CHANNEL:
        return "c.channel";
    case TD_MONTH:
        return "CAST(c.month AS TEXT)";
    }
    return "''";
}

/* Appends the filter and the caller's scope on cells c. */
static void cell_where(struct kam_ctx *ctx, struct sqlb *b, const struct target_sel *f, int scoped)
{
    if (f->account_id) {
        sqlb_sql(b, " AND c.account_id = ?");
        sqlb_i64(b, f->account_id);
    }
    if (f->month) {
        sqlb_sql(b, " AND c.month = ?");
        sqlb_i64(b, f->month);
    }
    const char *const t[][2] = {{" AND c.family = ?", f->family},
                                {" AND c.region = ?", f->region},
                                {" AND c.channel = ?", f->channel}};
    for (int i = 0; i < 3; i++)
        if (t[i][1]) {
            sqlb_sql(b, t[i][0]);
            sqlb_text(b, t[i][1]);
        }
    (void)ctx;
    if (scoped)
        sqlb_sql(b, " AND (c.account_id = 0 OR c.account_id IN (SELECT accounts.id FROM accounts "
                    "WHERE " POLICY_SCOPE_COND "))");
}

static int key_index(const char **keys, size_t n, const char *k)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(keys[i], k))
            return (int)i;
    return -1;
}

enum kam_err target_grid(struct kam_ctx *ctx, int64_t id, unsigned rows_dim, unsigned cols_dim,
                         const struct target_sel *filter, struct target_grid *out)
{
    memset(out, 0, sizeof *out);
    struct target_plan p;
    enum kam_err rc = target_get(ctx, id, &p);
    if (rc)
        return rc;
    if ((rows_dim && !(p.dims & rows_dim)) || (cols_dim && !(p.dims & cols_dim)))
        return kam_fail(ctx->err, KAM_EINVAL, rows_dim && !(p.dims & rows_dim) ? "rows" : "cols",
                        "the plan is not split by that dimension");
    out->rows_dim = rows_dim;
    out->cols_dim = cols_dim;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    char sql[600];
    snprintf(sql, sizeof sql,
             "SELECT %s, %s, SUM(c.value), SUM(c.locked), COUNT(*), %s%s%s FROM target_cells c "
             "%s WHERE c.plan_id = ?",
             dim_col(rows_dim), dim_col(cols_dim), rows_dim ? "MIN(" : "",
             rows_dim == TD_ACCOUNT ? "a.name" : dim_col(rows_dim), rows_dim ? ")" : "",
             rows_dim == TD_ACCOUNT ? "LEFT JOIN accounts a ON a.id = c.account_id" : "");
    sqlb_sql(&b, sql);
    sqlb_i64(&b, id);
    cell_where(ctx, &b, filter, scoped);
    /* PostgreSQL refuses a constant in GROUP BY: group by the dims that vary only. */
    if (rows_dim || cols_dim) {
        snprintf(sql, sizeof sql, " GROUP BY %s%s%s", rows_dim ? dim_col(rows_dim) : "",
                 rows_dim && cols_dim ? ", " : "", cols_dim ? dim_col(cols_dim) : "");
        sqlb_sql(&b, sql);
    }
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    size_t cap = 2048, nr = 0;
    struct {
        const char *r, *c, *label;
        int64_t v, locked, count;
    } *raw = arena_calloc(ctx->a, cap, sizeof *raw);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (nr == cap) {
            void *bigger = arena_calloc(ctx->a, cap * 2, sizeof *raw);
            memcpy(bigger, raw, nr * sizeof *raw);
            raw = bigger;
            cap *= 2;
        }
        raw[nr].r = arena_strdup(ctx->a, db_col_text(st, 0));
        raw[nr].c = arena_strdup(ctx->a, db_col_text(st, 1));
        raw[nr].v = db_col_i64(st, 2);
        raw[nr].locked = db_col_i64(st, 3);
        raw[nr].count = db_col_i64(st, 4);
        raw[nr].label = arena_strdup(ctx->a, db_col_text(st, 5));
        nr++;
    }
    db_done(st);
    if (rc)
        return rc;
    /* Columns and rows in key order (months numerically). */
    const char **cols = arena_calloc(ctx->a, nr + 1, sizeof *cols);
    const char **rows = arena_calloc(ctx->a, nr + 1, sizeof *rows);
    const char **labels = arena_calloc(ctx->a, nr + 1, sizeof *labels);
    size_t nc = 0, nrow = 0;
    for (size_t i = 0; i < nr; i++) {
        if (key_index(cols, nc, raw[i].c) < 0)
            cols[nc++] = raw[i].c;
        if (key_index(rows, nrow, raw[i].r) < 0) {
            labels[nrow] = raw[i].label;
            rows[nrow++] = raw[i].r;
        }
    }
    int numeric_c = cols_dim == TD_MONTH || cols_dim == TD_ACCOUNT;
    int numeric_r = rows_dim == TD_MONTH || rows_dim == TD_ACCOUNT;
    for (size_t i = 1; i < nc; i++)
        for (size_t j = i; j > 0; j--) {
            int less =
                numeric_c ? atoll(cols[j]) < atoll(cols[j - 1]) : strcmp(cols[j], cols[j - 1]) < 0;
            if (!less)
                break;
            const char *t = cols[j];
            cols[j] = cols[j - 1];
            cols[j - 1] = t;
        }
    for (size_t i = 1; i < nrow; i++)
        for (size_t j = i; j > 0; j--) {
            int less =
                numeric_r ? atoll(rows[j]) < atoll(rows[j - 1]) : strcmp(rows[j], rows[j - 1]) < 0;
            if (!less)
                break;
            const char *t = rows[j], *l = labels[j];
            rows[j] = rows[j - 1];
            labels[j] = labels[j - 1];
            rows[j - 1] = t;
            labels[j - 1] = l;
        }
    out->cols = cols;
    out->col_labels = cols;
    out->ncols = nc;
    out->col_totals = arena_calloc(ctx->a, nc + 1, sizeof *out->col_totals);
    out->rows = arena_calloc(ctx->a, nrow + 1, sizeof *out->rows);
    out->nrows = nrow;
    for (size_t i = 0; i < nrow; i++) {
        out->rows[i].key = rows[i];
        out->rows[i].label = labels[i];
        out->rows[i].cells = arena_calloc(ctx->a, nc + 1, sizeof *out->rows[i].cells);
        for (size_t j = 0; j < nc; j++)
            out->rows[i].cells[j].col = cols[j];
    }
    for (size_t i = 0; i < nr; i++) {
        int r = key_index(rows, nrow, raw[i].r), c = key_index(cols, nc, raw[i].c);
        struct target_gcell *g = &out->rows[r].cells[c];
        g->value = raw[i].v;
        g->locked = raw[i].locked == 0 ? 0 : raw[i].locked == raw[i].count ? 2 : 1;
        out->rows[r].total += raw[i].v;
        out->col_totals[c] += raw[i].v;
        out->total += raw[i].v;
    }
    return KAM_OK;
}

static void read_adj(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct target_adjustment *a = out;
    a->id = db_col_i64(st, 0);
    a->selection = arena_strdup(ctx->a, db_col_text(st, 1));
    a->action = arena_strdup(ctx->a, db_col_text(st, 2));
    a->has_from = !db_col_is_null(st, 3);
    a->from_value = db_col_i64(st, 3);
    a->has_to = !db_col_is_null(st, 4);
    a->to_value = db_col_i64(st, 4);
    a->reason = arena_strdup(ctx->a, db_col_text(st, 5));
    a->has_user = !db_col_is_null(st, 6);
    a->user_id = db_col_i64(st, 6);
    a->user_login = arena_strdup(ctx->a, db_col_text(st, 7));
    a->at = db_col_i64(st, 8);
}

enum kam_err target_adjustments(struct kam_ctx *ctx, int64_t id,
                                struct target_adjustment **items_out, size_t *n_out)
{
    struct target_plan p;
    enum kam_err rc = target_get(ctx, id, &p);
    struct db_stmt *st;
    if (rc || (rc = db_prepare(ctx->db,
                               "SELECT j.id, j.selection, j.action, j.from_value, j.to_value, "
                               "j.reason, j.user_id, COALESCE(u.login, ''), j.at FROM "
                               "target_adjustments j LEFT JOIN users u ON u.id = j.user_id WHERE "
                               "j.plan_id = ? ORDER BY j.id DESC LIMIT 500",
                               &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, id);
    return rows_collect(ctx, st, 500, read_adj, sizeof **items_out, (void **)items_out, n_out);
}

enum kam_err target_propose(struct kam_ctx *ctx, int64_t plan_id, int64_t account_id, int64_t value,
                            const char *note)
{
    enum kam_err rc;
    if ((rc = check_range(ctx, "value", value, 0, INT64_C(1000000000000000))) ||
        (rc = check_text(ctx, "note", note, 0, 2000, 1)) || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct target_plan p;
    if ((rc = target_get(ctx, plan_id, &p))) {
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            rc = kam_fail(ctx->err, KAM_ENOTFOUND, "plan_id", "no such target plan");
        }
        goto out;
    }
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO target_proposals (plan_id, account_id, value, note, user_id, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (plan_id, account_id) "
                         "DO UPDATE SET value = excluded.value, note = excluded.note, user_id = "
                         "excluded.user_id, updated_at = excluded.updated_at",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, plan_id);
    db_bind_i64(st, 2, account_id);
    db_bind_i64(st, 3, value);
    db_bind_text(st, 4, note ? note : "");
    db_bind_i64n(st, 5, ctx->who.user_id, !ctx->who.user_id);
    db_bind_i64(st, 6, ctx->now);
    rc = db_run(st, ctx->err);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "plan_id", 0, 1, plan_id, 0);
    audit_diff_i64(&d, "value", 0, 1, value, 0);
    audit_diff_str(&d, "note", NULL, note ? note : "");
    rc = audit_write(ctx, "target_proposal", plan_id, account_id, "update", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err target_bottom_up(struct kam_ctx *ctx, int64_t id, int by_region,
                              struct target_bu **items_out, size_t *n_out, int64_t *td_total,
                              int64_t *proposal_total)
{
    struct target_plan p;
    enum kam_err rc = target_get(ctx, id, &p);
    if (rc)
        return rc;
    if (!(p.dims & TD_ACCOUNT))
        return kam_fail(ctx->err, KAM_EINVAL, "id",
                        "the plan is not split by account: there is nothing to compare");
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    const char *k = by_region ? "accounts.region" : "CAST(accounts.id AS TEXT)";
    char sql[900];
    snprintf(sql, sizeof sql,
             "SELECT %s, MIN(%s), SUM(x.td), SUM(x.pr), SUM(x.has) FROM (SELECT c.account_id AS "
             "aid, SUM(c.value) AS td, 0 AS pr, 0 AS has FROM target_cells c WHERE c.plan_id = ? "
             "GROUP BY c.account_id UNION ALL SELECT t.account_id, 0, t.value, 1 FROM "
             "target_proposals t WHERE t.plan_id = ?) x JOIN accounts ON accounts.id = x.aid "
             "WHERE 1 = 1",
             k, by_region ? "accounts.region" : "accounts.name");
    sqlb_sql(&b, sql);
    sqlb_i64(&b, id);
    sqlb_i64(&b, id);
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    snprintf(sql, sizeof sql, " GROUP BY %s ORDER BY 3 DESC, 1 LIMIT 5000", k);
    sqlb_sql(&b, sql);
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    struct target_bu *items = arena_calloc(ctx->a, 5000, sizeof *items);
    size_t n = 0;
    int row = 0;
    *td_total = *proposal_total = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < 5000) {
        items[n].key = arena_strdup(ctx->a, db_col_text(st, 0));
        items[n].label = arena_strdup(ctx->a, db_col_text(st, 1));
        items[n].top_down = db_col_i64(st, 2);
        items[n].proposal = db_col_i64(st, 3);
        items[n].has_proposal = db_col_i64(st, 4) > 0;
        *td_total += items[n].top_down;
        *proposal_total += items[n].proposal;
        n++;
    }
    db_done(st);
    *items_out = items;
    *n_out = n;
    return rc;
}

enum kam_err target_sum(struct kam_ctx *ctx, const struct target_plan *p,
                        const struct target_sel *sel, int m_from, int m_to, int64_t *out)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT COALESCE(SUM(c.value), 0) FROM target_cells c WHERE c.plan_id = ?");
    sqlb_i64(&b, p->id);
    struct target_sel f = *sel;
    f.month = 0;
    cell_where(ctx, &b, &f, scoped);
    int by_month = (p->dims & TD_MONTH) != 0;
    if (by_month) {
        sqlb_sql(&b, " AND c.month >= ? AND c.month <= ?");
        sqlb_i64(&b, m_from);
        sqlb_i64(&b, m_to);
    }
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t v = row ? db_col_i64(st, 0) : 0;
    db_done(st);
    *out = by_month ? v : v * (m_to - m_from + 1) / 12;
    return rc;
}
