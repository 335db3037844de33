/* scheme.c -- appraisal schemes and their indicators (scheme.h). */
#include "scheme.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "indicator.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

static const char *const period_kinds[] = {"quarter", "year", NULL};

static enum kam_err required(struct kam_ctx *ctx, const char *field)
{
    return kam_fail_key(ctx->err, KAM_EINVAL, field, "required",
                        (struct kam_param[]){{"field", field}, {0}}, "%s is required", field);
}

#define SCOLS                                                                                      \
    "s.id, s.name, s.role, s.period_kind, s.active, s.version, s.created_at, s.updated_at, "       \
    "(SELECT COUNT(*) FROM scorecards c WHERE c.scheme_id = s.id)"

static void scheme_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct scheme *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->name = arena_strdup(ctx->a, db_col_text(st, 1));
    x->role = arena_strdup(ctx->a, db_col_text(st, 2));
    x->period_kind = arena_strdup(ctx->a, db_col_text(st, 3));
    x->active = (int)db_col_i64(st, 4);
    x->version = db_col_i64(st, 5);
    x->created_at = db_col_i64(st, 6);
    x->updated_at = db_col_i64(st, 7);
    x->n_scorecards = db_col_i64(st, 8);
}

static void ind_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct scheme_indicator *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->position = db_col_i64(st, 1);
    x->kind = arena_strdup(ctx->a, db_col_text(st, 2));
    x->label = arena_strdup(ctx->a, db_col_text(st, 3));
    x->weight_bp = db_col_i64(st, 4);
    x->threshold = db_col_i64(st, 5);
    x->target = db_col_i64(st, 6);
    x->stretch = db_col_i64(st, 7);
    x->cap_score = db_col_i64(st, 8);
    x->lower_better = (int)db_col_i64(st, 9);
}

static const char *ind_key(struct kam_ctx *ctx, const struct scheme_indicator *v, size_t n)
{
    struct buf b;
    buf_init(&b, 64 * 1024);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s:%s:%lld:%lld/%lld/%lld/%lld%s", i ? "; " : "", v[i].kind, v[i].label,
                   (long long)v[i].weight_bp, (long long)v[i].threshold, (long long)v[i].target,
                   (long long)v[i].stretch, (long long)v[i].cap_score,
                   v[i].lower_better ? ":lower" : "");
    const char *s = arena_strndup(ctx->a, b.data ? b.data : "", b.len);
    buf_release(&b);
    return s;
}

enum kam_err scheme_indicators_at(struct kam_ctx *ctx, int64_t id, int64_t v,
                                  struct scheme_indicator **out, size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, position, kind, label, weight_bp, threshold, target, "
                                 "stretch, cap_score, lower_better FROM appraisal_indicators "
                                 "WHERE scheme_id = ? AND scheme_version = ? ORDER BY position",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, v);
    return rows_collect(ctx, st, SCHEME_INDICATORS_MAX, ind_row, sizeof **out, (void **)out, n);
}

static enum kam_err load_indicators(struct kam_ctx *ctx, struct scheme *x)
{
    enum kam_err rc = db_query_i64(ctx->db,
                                   "SELECT COALESCE(MAX(scheme_version), 0) FROM "
                                   "appraisal_indicators WHERE scheme_id = ?",
                                   1, x->id, &x->indicators_version, ctx->err);
    if (!rc)
        rc = scheme_indicators_at(ctx, x->id, x->indicators_version, &x->indicators,
                                  &x->n_indicators);
    if (!rc)
        x->ind_key = ind_key(ctx, x->indicators, x->n_indicators);
    return rc;
}

enum kam_err scheme_get(struct kam_ctx *ctx, int64_t id, struct scheme *out)
{
    enum kam_err rc = row_get(ctx, "SELECT " SCOLS " FROM appraisal_schemes s WHERE s.id = ?", id,
                              scheme_row, out, "appraisal scheme");
    if (!rc)
        rc = load_indicators(ctx, out);
    return rc;
}

/* Checks and normalises the indicators of in (defaults: label "", cap 15000, higher better). */
static enum kam_err check_indicators(struct kam_ctx *ctx, const struct scheme_in *in,
                                     struct scheme_indicator **out, size_t *n_out)
{
    if (in->n_ind < 1)
        return kam_fail_key(ctx->err, KAM_EINVAL, "indicators", "appraisal.no_indicators", NULL,
                            "a scheme needs at least one indicator");
    if (in->n_ind > SCHEME_INDICATORS_MAX)
        return kam_fail(ctx->err, KAM_EINVAL, "indicators", "at most %d indicators",
                        SCHEME_INDICATORS_MAX);
    struct scheme_indicator *v = arena_calloc(ctx->a, (size_t)in->n_ind, sizeof *v);
    int64_t wsum = 0;
    enum kam_err rc;
    for (int i = 0; i < in->n_ind; i++) {
        const struct scheme_indicator *s = &in->ind[i];
        const char *f = arena_printf(ctx->a, "indicators[%d]", i);
        static const struct {
            unsigned bit;
            const char *name;
        } need[] = {{SI_KIND, "kind"},
                    {SI_WEIGHT, "weight_bp"},
                    {SI_THRESHOLD, "threshold"},
                    {SI_TARGET, "target"},
                    {SI_STRETCH, "stretch"}};
        for (size_t k = 0; k < sizeof need / sizeof need[0]; k++)
            if (!(s->set & need[k].bit))
                return required(ctx, arena_printf(ctx->a, "%s.%s", f, need[k].name));
        v[i] = *s;
        v[i].position = i + 1;
        v[i].label = (s->set & SI_LABEL) && s->label ? s->label : "";
        v[i].cap_score = (s->set & SI_CAP) ? s->cap_score : 15000;
        v[i].lower_better = (s->set & SI_LOWER) ? s->lower_better : 0;
        if ((rc = check_enum(ctx, arena_printf(ctx->a, "%s.kind", f), s->kind,
                             appr_indicator_kinds)) ||
            (rc = check_text(ctx, arena_printf(ctx->a, "%s.label", f), v[i].label, 0,
                             SCHEME_LABEL_MAX, CHECK_LINE)) ||
            (rc =
                 check_range(ctx, arena_printf(ctx->a, "%s.weight_bp", f), s->weight_bp, 1, 10000)))
            return rc;
        struct appr_curve c = {v[i].threshold, v[i].target, v[i].stretch, v[i].cap_score,
                               v[i].lower_better};
        if ((rc = appr_curve_check(ctx, f, &c)))
            return rc;
        for (int j = 0; j < i; j++)
            if (strcmp(v[j].kind, "manual") && !strcmp(v[j].kind, v[i].kind))
                return kam_fail_key(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.kind", f),
                                    "appraisal.kind_twice", NULL,
                                    "%s.kind: a computed indicator appears once", f);
        wsum += s->weight_bp;
    }
    if (wsum != 10000)
        return kam_fail_key(
            ctx->err, KAM_EINVAL, "indicators", "appraisal.weights_sum",
            (struct kam_param[]){{"sum", arena_printf(ctx->a, "%lld", (long long)wsum)}, {0}},
            "the weights must add up to 10000 bp (100 %%), not %lld", (long long)wsum);
    *out = v;
    *n_out = (size_t)in->n_ind;
    return KAM_OK;
}

static enum kam_err write_indicators(struct kam_ctx *ctx, int64_t id, int64_t version,
                                     const struct scheme_indicator *v, size_t n)
{
    enum kam_err rc = KAM_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO appraisal_indicators (scheme_id, scheme_version, "
                             "position, kind, label, weight_bp, threshold, target, stretch, "
                             "cap_score, lower_better) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, id);
        db_bind_i64(st, 2, version);
        db_bind_i64(st, 3, (int64_t)i + 1);
        db_bind_text(st, 4, v[i].kind);
        db_bind_text(st, 5, v[i].label);
        db_bind_i64(st, 6, v[i].weight_bp);
        db_bind_i64(st, 7, v[i].threshold);
        db_bind_i64(st, 8, v[i].target);
        db_bind_i64(st, 9, v[i].stretch);
        db_bind_i64(st, 10, v[i].cap_score);
        db_bind_i64(st, 11, v[i].lower_better);
        rc = db_run(st, ctx->err);
    }
    return rc;
}

static enum kam_err merge(struct kam_ctx *ctx, struct scheme *x, const struct scheme_in *in)
{
    enum kam_err rc;
    if (in->set & SC_NAME)
        x->name = in->v.name;
    if (in->set & SC_ROLE)
        x->role = in->v.role;
    if (in->set & SC_ACTIVE)
        x->active = in->v.active;
    if ((rc = check_text(ctx, "name", x->name, 1, SCHEME_NAME_MAX, CHECK_LINE)))
        return rc;
    if (utf8_blank(x->name))
        return required(ctx, "name");
    if (role_parse(x->role) == ROLE_NONE)
        return kam_fail(ctx->err, KAM_EINVAL, "role", "no such role");
    if (in->set & SC_INDICATORS) {
        if ((rc = check_indicators(ctx, in, &x->indicators, &x->n_indicators)))
            return rc;
        x->ind_key = ind_key(ctx, x->indicators, x->n_indicators);
    }
    return KAM_OK;
}

static void scheme_diff(struct audit_diff *d, const struct scheme *b, const struct scheme *a)
{
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "role", b ? b->role : NULL, a ? a->role : NULL);
    audit_diff_str(d, "period_kind", b ? b->period_kind : NULL, a ? a->period_kind : NULL);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a ? a->active : 0, !a);
    audit_diff_str(d, "indicators", b ? b->ind_key : NULL, a ? a->ind_key : NULL);
}

enum kam_err scheme_create(struct kam_ctx *ctx, const struct scheme_in *in, struct scheme *out)
{
    static const struct {
        unsigned bit;
        const char *name;
    } need[] = {{SC_NAME, "name"},
                {SC_ROLE, "role"},
                {SC_PERIOD, "period_kind"},
                {SC_INDICATORS, "indicators"}};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!(in->set & need[i].bit))
            return required(ctx, need[i].name);
    struct scheme x = {.name = "", .role = "", .active = 1, .version = 1};
    x.period_kind = in->v.period_kind;
    enum kam_err rc;
    if ((rc = check_enum(ctx, "period_kind", x.period_kind, period_kinds)) ||
        (rc = merge(ctx, &x, in)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO appraisal_schemes (name, role, period_kind, active, version, "
                         "created_at, updated_at) VALUES (?,?,?,?,1,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, x.name);
    db_bind_text(st, 2, x.role);
    db_bind_text(st, 3, x.period_kind);
    db_bind_i64(st, 4, x.active ? 1 : 0);
    db_bind_i64(st, 5, ctx->now);
    db_bind_i64(st, 6, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc || (rc = write_indicators(ctx, x.id, 1, x.indicators, x.n_indicators)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    scheme_diff(&d, NULL, &x);
    if (!(rc = audit_write(ctx, "appraisal_scheme", x.id, 0, "create", &d)))
        rc = scheme_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return scheme_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    const struct scheme_in *in = op->in;
    struct scheme *x = rec;
    if ((in->set & SC_PERIOD) && strcmp(in->v.period_kind ? in->v.period_kind : "", x->period_kind))
        return kam_fail(op->ctx->err, KAM_EINVAL, "period_kind", "period_kind cannot change");
    return merge(op->ctx, rec, in);
}

static void up_diff(const struct update_op *op)
{
    scheme_diff(op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct scheme *x = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(op->ctx->db,
                                 "UPDATE appraisal_schemes SET name = ?, role = ?, active = ?, "
                                 "updated_at = ?, version = version + 1 WHERE id = ? AND version "
                                 "= ?",
                                 &st, op->ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, x->name);
    db_bind_text(st, 2, x->role);
    db_bind_i64(st, 3, x->active ? 1 : 0);
    db_bind_i64(st, 4, op->ctx->now);
    db_bind_i64(st, 5, x->id);
    db_bind_i64(st, 6, b->version);
    if ((rc = db_run(st, op->ctx->err)))
        return rc;
    if (db_changes(op->ctx->db) == 1 && strcmp(x->ind_key, b->ind_key))
        rc = write_indicators(op->ctx, x->id, b->version + 1, x->indicators, x->n_indicators);
    return rc;
}

static const struct update_spec scheme_spec = {
    .entity = "appraisal_scheme",
    .noun = "scheme",
    .size = sizeof(struct scheme),
    .versioned = 1,
    .version_at = offsetof(struct scheme, version),
    .in_set_at = offsetof(struct scheme_in, set),
    .in_version_at = offsetof(struct scheme_in, v.version),
    .in_version_bit = SC_VERSION,
    .get = up_get,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
};

enum kam_err scheme_update(struct kam_ctx *ctx, int64_t id, const struct scheme_in *in,
                           struct scheme *out)
{
    return record_update(ctx, &scheme_spec, id, in, out);
}

enum kam_err scheme_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct scheme before;
    if ((rc = scheme_get(ctx, id, &before)))
        goto out;
    if (before.n_scorecards > 0) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "scheme.in_use", NULL,
                          "the scheme has scorecards: set it inactive instead");
        goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM appraisal_indicators WHERE scheme_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM appraisal_schemes WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    scheme_diff(&d, &before, NULL);
    rc = audit_write(ctx, "appraisal_scheme", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort sorts[] = {{"id", "s.id", 0}, {"name", "s.name", 1}};

enum kam_err scheme_list(struct kam_ctx *ctx, const struct scheme_query *q,
                         struct scheme **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, 2, "id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if (q->role && role_parse(q->role) == ROLE_NONE)
        return kam_fail(ctx->err, KAM_EINVAL, "role", "no such role");
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " SCOLS " FROM appraisal_schemes s WHERE 1 = 1");
    if (q->role) {
        sqlb_sql(&b, " AND s.role = ?");
        sqlb_text(&b, q->role);
    }
    if (q->active >= 0) {
        sqlb_sql(&b, " AND s.active = ?");
        sqlb_i64(&b, q->active);
    }
    struct scheme *items;
    const struct scheme *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "s.id", scheme_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    for (size_t i = 0; i < n && !rc; i++)
        rc = load_indicators(ctx, &items[i]);
    if (rc)
        return rc;
    *next_out =
        last ? page_cursor(ctx, &pg, items[n - 1].name, items[n - 1].id, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}
