/* target.c -- target plans: fields, SMART checks, the workflow, and edits of cells with
 * rebalancing (the decomposition is target_split.c, the grid and reports target_read.c). */
#include "target.h"
#include "target_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/alloc.h"
#include "base/buf.h"
#include "base/timeutil.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

static const char *const measures[] = {"amount", "quantity", NULL};
const char *const target_bases[] = {"last_year", "forecast", "potential", "equal", "blend", NULL};
static const char *const dim_names[] = {"account", "family", "region", "channel",
                                        "month",   "owner",  "team"};
#define NDIMS 7

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
enum kam_err target_parse_blend(struct kam_ctx *ctx, const char *s, int pct[5])
{
    memset(pct, 0, 5 * sizeof *pct);
    int sum = 0;
    while (s && *s) {
        size_t n = strcspn(s, ":");
        int k = -1;
        for (int i = 0; i < 4; i++)
            if (strlen(target_bases[i]) == n && !strncmp(s, target_bases[i], n))
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
        (rc = check_enum(ctx, "basis", p->basis, target_bases)) ||
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
                            "dims lists account, family, region, channel, month, owner, team "
                            "(comma-separated)");
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
    if (!strcmp(p->basis, "blend") && (rc = target_parse_blend(ctx, p->blend, pct)))
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

/* Inserts p (id 0; *id_out gets the new id) or updates it when it is still at `version`. */
static enum kam_err write_plan(struct kam_ctx *ctx, const struct target_plan *p, int64_t version,
                               int64_t *id_out)
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
                        "created_at = ?, updated_at = ? WHERE id = ? AND version = ?",
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
    if (p->id) {
        db_bind_i64(st, 20, p->id);
        db_bind_i64(st, 21, version);
    }
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
    if (!(rc = write_plan(ctx, &p, 0, &id))) {
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

int tcell_cmp(const void *a, const void *b)
{
    const struct tcell *x = a, *y = b;
    if (x->account_id != y->account_id)
        return x->account_id < y->account_id ? -1 : 1;
    if (x->owner_id != y->owner_id)
        return x->owner_id < y->owner_id ? -1 : 1;
    if (x->team_id != y->team_id)
        return x->team_id < y->team_id ? -1 : 1;
    int c;
    if ((c = strcmp(x->family, y->family)) || (c = strcmp(x->region, y->region)) ||
        (c = strcmp(x->channel, y->channel)))
        return c;
    return (x->month > y->month) - (x->month < y->month);
}

static void read_cell(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct tcell *c = out;
    c->id = db_col_i64(st, 0);
    c->account_id = db_col_i64(st, 1);
    c->family = arena_strdup(ctx->a, db_col_text(st, 2));
    c->region = arena_strdup(ctx->a, db_col_text(st, 3));
    c->channel = arena_strdup(ctx->a, db_col_text(st, 4));
    c->month = db_col_i64(st, 5);
    c->value = db_col_i64(st, 6);
    c->basis = db_col_i64(st, 7);
    c->locked = (int)db_col_i64(st, 8);
    c->owner_id = db_col_i64(st, 9);
    c->team_id = db_col_i64(st, 10);
    c->changed = 0;
}

/* Every cell of the plan in key order (the order the allocation breaks ties by). */
enum kam_err tcells_load(struct kam_ctx *ctx, int64_t plan_id, struct tcell **out, size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, account_id, family, region, channel, month, value, "
                                 "basis, locked, owner_id, team_id FROM target_cells WHERE "
                                 "plan_id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, plan_id);
    if ((rc = rows_collect(ctx, st, TARGET_MAX_CELLS, read_cell, sizeof **out, (void **)out, n)))
        return rc;
    qsort(*out, *n, sizeof **out, tcell_cmp);
    return KAM_OK;
}

/* Writes the cells marked changed, 50 to a statement. */
enum kam_err tcells_save(struct kam_ctx *ctx, struct tcell *c, size_t n)
{
    enum kam_err rc = KAM_OK;
    size_t i = 0;
    while (i < n && !rc) {
        struct tcell *batch[50];
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
int tcells_split(struct kam_ctx *ctx, struct tcell *c, const size_t *idx, size_t m, int64_t total)
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

int tcell_match(const struct tcell *c, const struct target_sel *s)
{
    return (!s->account_id || c->account_id == s->account_id) &&
           (!s->owner_id || c->owner_id == s->owner_id) &&
           (!s->team_id || c->team_id == s->team_id) && (!s->month || c->month == s->month) &&
           (!s->family || !strcmp(c->family, s->family)) &&
           (!s->region || !strcmp(c->region, s->region)) &&
           (!s->channel || !strcmp(c->channel, s->channel));
}

const char *target_sel_text(struct kam_ctx *ctx, const struct target_sel *s)
{
    /* Each text may be 64 characters of 4 bytes: built on the arena, never a fixed buffer. */
    struct buf b;
    buf_init(&b, 4096);
    if (s->account_id)
        buf_printf(&b, "account=%lld,", (long long)s->account_id);
    if (s->owner_id)
        buf_printf(&b, "owner=%lld,", (long long)s->owner_id);
    if (s->team_id)
        buf_printf(&b, "team=%lld,", (long long)s->team_id);
    if (s->family)
        buf_printf(&b, "family=%s,", s->family);
    if (s->region)
        buf_printf(&b, "region=%s,", s->region);
    if (s->channel)
        buf_printf(&b, "channel=%s,", s->channel);
    if (s->month)
        buf_printf(&b, "month=%lld,", (long long)s->month);
    if (!buf_ok(&b)) {
        buf_release(&b);
        return NULL; /* out of memory */
    }
    const char *out = arena_strndup(ctx->a, b.data ? b.data : "", b.len ? b.len - 1 : 0);
    buf_release(&b);
    return out;
}

enum kam_err target_adjust(struct kam_ctx *ctx, int64_t plan_id, const struct target_sel *sel,
                           const char *selection, const char *action, int has_from, int64_t from,
                           int has_to, int64_t to, const char *reason)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "INSERT INTO target_adjustments (plan_id, selection, action, "
                                 "from_value, to_value, reason, user_id, at, account_id, "
                                 "owner_id, team_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    db_bind_i64(st, 9, sel ? sel->account_id : 0);
    db_bind_i64(st, 10, sel ? sel->owner_id : 0);
    db_bind_i64(st, 11, sel ? sel->team_id : 0);
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
enum kam_err target_need_reason(struct kam_ctx *ctx, const struct target_plan *p,
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

/* Separation of duties: a change to the total, the cells' values or the split of an approved
 * plan returns it to `submitted` (approved_by/at cleared, audited), so that someone other than
 * its author approves the changed plan again. */
enum kam_err target_reopen(struct kam_ctx *ctx, const struct target_plan *p)
{
    if (strcmp(p->status, "approved"))
        return KAM_OK;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "UPDATE target_plans SET status = 'submitted', approved_by = NULL, "
                   "approved_at = NULL, updated_at = ? WHERE id = ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, ctx->now);
    db_bind_i64(st, 2, p->id);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "status", p->status, "submitted");
    return audit_write(ctx, "target_plan", p->id, 0, "update", &d);
}

/* ---- update (svc/core/update.h) ---- */

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return target_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    struct target_plan *p = rec;
    const struct target_plan *b = op->before;
    const struct target_in *in = op->in;
    struct kam_ctx *ctx = op->ctx;
    merge(ctx, p, in);
    enum kam_err rc;
    if ((rc = validate(ctx, p, in)) || (rc = target_need_reason(ctx, b, in->reason)))
        return rc;
    if (b->cells &&
        (p->dims != b->dims || p->year != b->year || strcmp(p->measure, b->measure) ||
         strcmp(p->scope_region, b->scope_region) || strcmp(p->scope_channel, b->scope_channel) ||
         strcmp(p->scope_family, b->scope_family)))
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "dims", "plan.decomposed_fixed", NULL,
                            "the plan is decomposed: year, measure, dims and scope are fixed "
                            "(decompose again after changing them on a new plan)");
    return KAM_OK;
}

static void up_diff(const struct update_op *op)
{
    diff_plan(op->diff, op->before, op->after, op->ctx);
}

static enum kam_err up_write(const struct update_op *op)
{
    int64_t got;
    return write_plan(op->ctx, op->after, ((const struct target_plan *)op->before)->version, &got);
}

/* A new total of a decomposed plan rebalances its unlocked cells (the adjustment's audit row
 * comes before the plan's). */
static enum kam_err up_then(const struct update_op *op)
{
    const struct target_plan *b = op->before, *p = op->after;
    struct kam_ctx *ctx = op->ctx;
    if (p->total == b->total || !b->cells)
        return KAM_OK;
    struct tcell *c;
    size_t n;
    enum kam_err rc = tcells_load(ctx, p->id, &c, &n);
    if (rc)
        return rc;
    size_t *idx = arena_alloc(ctx->a, (n ? n : 1) * sizeof *idx);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    if (tcells_split(ctx, c, idx, n, p->total))
        return kam_fail_key(
            ctx->err, KAM_ECONFLICT, "total", "plan.locked_over_total",
            (struct kam_param[]){{"total", arena_printf(ctx->a, "%lld", (long long)p->total)}, {0}},
            "the locked cells add up to more than %lld", (long long)p->total);
    if ((rc = tcells_save(ctx, c, n)) || (rc = target_reopen(ctx, b)))
        return rc;
    return target_adjust(ctx, p->id, NULL, "", "total", 1, b->total, 1, p->total,
                         ((const struct target_in *)op->in)->reason);
}

static const struct update_spec target_spec = {
    .entity = "target_plan",
    .noun = "plan",
    .size = sizeof(struct target_plan),
    .versioned = 1,
    .version_at = offsetof(struct target_plan, version),
    .get = up_get,
    .in_set_at = offsetof(struct target_in, set),
    .in_version_at = offsetof(struct target_in, version),
    .in_version_bit = TP_VERSION,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .then = up_then,
};

enum kam_err target_update(struct kam_ctx *ctx, int64_t id, const struct target_in *in,
                           struct target_plan *out)
{
    return record_update(ctx, &target_spec, id, in, out);
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
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "plan.delete_draft_only", NULL,
                          "only a draft plan can be deleted");
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
    struct tcell *c;
    size_t n;
    if ((rc = target_get(ctx, id, &p)) || (rc = target_need_reason(ctx, &p, reason)) ||
        (rc = tcells_load(ctx, id, &c, &n)))
        goto out;
    size_t *in = arena_alloc(ctx->a, (n ? n : 1) * sizeof *in);
    size_t *rest = arena_alloc(ctx->a, (n ? n : 1) * sizeof *rest);
    size_t ni = 0, nr = 0;
    int64_t before = 0;
    for (size_t i = 0; i < n; i++) {
        if (tcell_match(&c[i], sel)) {
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
    const char *what = target_sel_text(ctx, sel);
    if (!what) {
        rc = kam_fail(ctx->err, KAM_EINTERNAL, NULL, "out of memory");
        goto out;
    }
    if (has_value && value != before) {
        /* The selection first (its locked cells keep their values), then the rest. */
        if (tcells_split(ctx, c, in, ni, value)) {
            rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "value", "plan.locked_disallow",
                              (struct kam_param[]){
                                  {"value", arena_printf(ctx->a, "%lld", (long long)value)}, {0}},
                              "the selection's locked cells do not allow %lld", (long long)value);
            goto out;
        }
        for (size_t i = 0; i < ni; i++)
            c[in[i]].locked |= 2; /* fixed while the rest rebalances */
        if (tcells_split(ctx, c, rest, nr, p.total - value)) {
            rc = kam_fail_key(
                ctx->err, KAM_ECONFLICT, "value", "plan.locked_need_more",
                (struct kam_param[]){
                    {"value", arena_printf(ctx->a, "%lld", (long long)value)},
                    {"rest", arena_printf(ctx->a, "%lld", (long long)(p.total - value))},
                    {0}},
                "%lld leaves %lld for the other cells, but their locked cells need more "
                "(or there is no unlocked cell to take the difference)",
                (long long)value, (long long)(p.total - value));
            goto out;
        }
        for (size_t i = 0; i < ni; i++)
            c[in[i]].locked &= 1;
        if ((rc = target_adjust(ctx, id, sel, what, "set", 1, before, 1, value, reason)) ||
            (rc = target_reopen(ctx, &p)))
            goto out;
    }
    if (lock >= 0) {
        for (size_t i = 0; i < ni; i++)
            if (c[in[i]].locked != lock) {
                c[in[i]].locked = lock;
                c[in[i]].changed = 1;
            }
        if ((rc = target_adjust(ctx, id, sel, what, lock ? "lock" : "unlock", 0, 0, 0, 0, reason)))
            goto out;
    }
    for (size_t i = 0; i < n; i++)
        *changed_out += c[i].changed;
    if ((rc = tcells_save(ctx, c, n)))
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

/* Separation of duties: neither the person who wrote a plan (its audited creator), nor its owner,
 * nor anyone who changed its values approves it. A plan written outside any session (a script) has
 * no author to compare, but its owner still does not approve it. */
static enum kam_err check_not_author(struct kam_ctx *ctx, const struct target_plan *p)
{
    if (!ctx->who.user_id)
        return KAM_OK;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT user_id FROM audit WHERE entity = 'target_plan' AND "
                                 "entity_id = ? AND action = 'create' ORDER BY id LIMIT 1",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, p->id);
    int row = 0;
    int64_t author = 0;
    if (!(rc = db_step(st, &row, ctx->err)) && row)
        author = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    if (author == ctx->who.user_id || p->owner_id == ctx->who.user_id)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "approved_by", "plan_self_approval", NULL,
                            "a plan is approved by someone other than the person who wrote it");
    /* Nor does anyone who changed its values since it was created: a cell value, the total
     * (decomposed: an adjustment `total`; not yet: an audited update of `total`) or the split.
     * Locks and texts do not count. */
    if ((rc = db_prepare(ctx->db,
                         "SELECT 1 FROM target_adjustments WHERE plan_id = ? AND user_id = ? AND "
                         "action IN ('set', 'total', 'decompose') UNION ALL SELECT 1 FROM audit "
                         "WHERE entity = 'target_plan' AND entity_id = ? AND user_id = ? AND "
                         "action = 'update' AND changes LIKE '%\"total\":[%'",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, p->id);
    db_bind_i64(st, 2, ctx->who.user_id);
    db_bind_i64(st, 3, p->id);
    db_bind_i64(st, 4, ctx->who.user_id);
    row = 0;
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    if (rc)
        return rc;
    if (row)
        return kam_fail_key(
            ctx->err, KAM_ECONFLICT, "approved_by", "plan_self_change_approval", NULL,
            "a plan is approved by someone other than those who changed its values");
    return KAM_OK;
}

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
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "plan.wrong_status",
                          (struct kam_param[]){{"status", p.status}, {0}}, "the plan is %s",
                          p.status);
        goto out;
    }
    if (!p.cells) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "plan.not_decomposed", NULL,
                          "decompose the plan first");
        goto out;
    }
    int approve = !strcmp(to, "approved");
    if (approve && (rc = check_not_author(ctx, &p)))
        goto out;
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
