/* competency.c -- the competency model, role profiles, assessments and the current-level rule
 * (competency.h). */
#include "competency.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

#define CHINA_OFFSET (8 * 3600)
#define SCORES_READ_MAX 20000 /* scores of one person read by the level rule */
#define COMPETENCIES_MAX 500

const char *const assessment_kinds[] = {"self", "manager", "peer", NULL};

const char *competency_today(struct kam_ctx *ctx)
{
    int y, m, d;
    days_to_date((ctx->now + CHINA_OFFSET) / 86400, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

/* lower-case ASCII letters, digits and '_', starting with a letter. */
static enum kam_err check_code(struct kam_ctx *ctx, const char *field, const char *s)
{
    enum kam_err rc = check_line(ctx, field, s, COMP_CODE_MAX);
    if (rc)
        return rc;
    int ok = *s >= 'a' && *s <= 'z';
    for (const char *p = s; *p && ok; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
    if (!ok)
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "competency.bad_code", NULL,
                            "%s: lower-case letters, digits and _, starting with a letter", field);
    return KAM_OK;
}

static int64_t opt_i64(struct db_stmt *st, int i, int *has)
{
    *has = !db_col_is_null(st, i);
    return *has ? db_col_i64(st, i) : 0;
}

static const char *adup(struct kam_ctx *ctx, struct db_stmt *st, int i)
{
    return arena_strdup(ctx->a, db_col_text(st, i));
}

static enum kam_err insert_id(struct kam_ctx *ctx, struct db_stmt *st, int64_t *id)
{
    int row = 0;
    enum kam_err rc = db_step(st, &row, ctx->err);
    *id = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    return rc;
}

/* ==== the model ==== */

#define CCOLS                                                                                      \
    "c.id, c.code, c.name_zh, c.name_en, c.description_zh, c.description_en, c.custom, c.active, " \
    "c.version, c.created_at, c.updated_at"

static void comp_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct competency *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->code = adup(ctx, st, 1);
    x->name_zh = adup(ctx, st, 2);
    x->name_en = adup(ctx, st, 3);
    x->description_zh = adup(ctx, st, 4);
    x->description_en = adup(ctx, st, 5);
    x->custom = (int)db_col_i64(st, 6);
    x->active = (int)db_col_i64(st, 7);
    x->version = db_col_i64(st, 8);
    x->created_at = db_col_i64(st, 9);
    x->updated_at = db_col_i64(st, 10);
    x->levels_key = "";
}

static const char *rubric_key(struct kam_ctx *ctx, const struct competency *x)
{
    struct buf b;
    buf_init(&b, 64 * 1024);
    for (size_t i = 0; i < x->n_levels; i++)
        buf_printf(&b, "%s%lld %s / %s", i ? "\n" : "", (long long)x->levels[i].level,
                   x->levels[i].descriptor_zh, x->levels[i].descriptor_en);
    const char *s = arena_strndup(ctx->a, b.data ? b.data : "", b.len);
    buf_release(&b);
    return s;
}

static enum kam_err load_rubric(struct kam_ctx *ctx, struct competency *x)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "SELECT level, descriptor_zh, descriptor_en FROM competency_levels "
                   "WHERE competency_id = ? ORDER BY level",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->id);
    x->n_levels = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (x->n_levels >= COMP_LEVELS)
            continue;
        struct competency_rubric *l = &x->levels[x->n_levels++];
        l->set = CR_LEVEL | CR_ZH | CR_EN;
        l->level = db_col_i64(st, 0);
        l->descriptor_zh = adup(ctx, st, 1);
        l->descriptor_en = adup(ctx, st, 2);
    }
    db_done(st);
    if (!rc)
        x->levels_key = rubric_key(ctx, x);
    return rc;
}

enum kam_err competency_get(struct kam_ctx *ctx, int64_t id, struct competency *out)
{
    enum kam_err rc = row_get(ctx, "SELECT " CCOLS " FROM competencies c WHERE c.id = ?", id,
                              comp_row, out, "competency");
    if (!rc)
        rc = load_rubric(ctx, out);
    return rc;
}

/* Copies the input over x and checks the result. */
static enum kam_err comp_merge(struct kam_ctx *ctx, struct competency *x,
                               const struct competency_in *in)
{
    const struct competency *v = &in->v;
    if (in->set & CO_NAME_ZH)
        x->name_zh = v->name_zh ? v->name_zh : "";
    if (in->set & CO_NAME_EN)
        x->name_en = v->name_en ? v->name_en : "";
    if (in->set & CO_DESC_ZH)
        x->description_zh = v->description_zh ? v->description_zh : "";
    if (in->set & CO_DESC_EN)
        x->description_en = v->description_en ? v->description_en : "";
    if (in->set & CO_ACTIVE)
        x->active = v->active ? 1 : 0;
    enum kam_err rc;
    if ((rc = check_line(ctx, "name_zh", x->name_zh, COMP_NAME_MAX)) ||
        (rc = check_line(ctx, "name_en", x->name_en, COMP_NAME_MAX)) ||
        (rc = check_text(ctx, "description_zh", x->description_zh, 0, COMP_DESC_MAX,
                         CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "description_en", x->description_en, 0, COMP_DESC_MAX,
                         CHECK_MULTILINE)))
        return rc;
    if (!(in->set & CO_LEVELS))
        return KAM_OK;
    if (in->n_levels != 0 && in->n_levels != COMP_LEVELS)
        return kam_fail_key(ctx->err, KAM_EINVAL, "levels", "competency.five_levels", NULL,
                            "levels: the rubric has levels 1 to 5, each once (or none)");
    x->n_levels = 0;
    for (int i = 0; i < in->n_levels; i++) {
        const struct competency_rubric *l = &in->levels[i];
        const char *f = arena_printf(ctx->a, "levels[%d]", i);
        if ((rc = check_given(ctx, l->set, CR_LEVEL, arena_printf(ctx->a, "%s.level", f))) ||
            (rc = check_range(ctx, arena_printf(ctx->a, "%s.level", f), l->level, 1, 5)))
            return rc;
        for (int j = 0; j < i; j++)
            if (in->levels[j].level == l->level)
                return kam_fail_key(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.level", f),
                                    "competency.five_levels", NULL,
                                    "%s.level: each level of 1 to 5 once", f);
        const char *zh = (l->set & CR_ZH) && l->descriptor_zh ? l->descriptor_zh : "";
        const char *en = (l->set & CR_EN) && l->descriptor_en ? l->descriptor_en : "";
        if ((rc = check_text(ctx, arena_printf(ctx->a, "%s.descriptor_zh", f), zh, 0,
                             COMP_DESCRIPTOR_MAX, CHECK_MULTILINE)) ||
            (rc = check_text(ctx, arena_printf(ctx->a, "%s.descriptor_en", f), en, 0,
                             COMP_DESCRIPTOR_MAX, CHECK_MULTILINE)))
            return rc;
        x->levels[x->n_levels++] = (struct competency_rubric){.set = CR_LEVEL | CR_ZH | CR_EN,
                                                              .level = l->level,
                                                              .descriptor_zh = zh,
                                                              .descriptor_en = en};
    }
    /* in level order */
    for (size_t i = 1; i < x->n_levels; i++)
        for (size_t j = i; j > 0 && x->levels[j - 1].level > x->levels[j].level; j--) {
            struct competency_rubric t = x->levels[j];
            x->levels[j] = x->levels[j - 1];
            x->levels[j - 1] = t;
        }
    x->levels_key = rubric_key(ctx, x);
    return KAM_OK;
}

static enum kam_err write_rubric(struct kam_ctx *ctx, const struct competency *x)
{
    enum kam_err rc = db_exec_i64(ctx->db, "DELETE FROM competency_levels WHERE competency_id = ?",
                                  x->id, ctx->err);
    for (size_t i = 0; i < x->n_levels && !rc; i++) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO competency_levels (competency_id, level, descriptor_zh, "
                             "descriptor_en) VALUES (?,?,?,?)",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, x->id);
        db_bind_i64(st, 2, x->levels[i].level);
        db_bind_text(st, 3, x->levels[i].descriptor_zh);
        db_bind_text(st, 4, x->levels[i].descriptor_en);
        rc = db_run(st, ctx->err);
    }
    return rc;
}

static void comp_diff(struct audit_diff *d, const struct competency *b, const struct competency *a)
{
    audit_diff_str(d, "code", b ? b->code : NULL, a ? a->code : NULL);
    audit_diff_str(d, "name_zh", b ? b->name_zh : NULL, a ? a->name_zh : NULL);
    audit_diff_str(d, "name_en", b ? b->name_en : NULL, a ? a->name_en : NULL);
    audit_diff_str(d, "description_zh", b ? b->description_zh : NULL, a ? a->description_zh : NULL);
    audit_diff_str(d, "description_en", b ? b->description_en : NULL, a ? a->description_en : NULL);
    audit_diff_i64(d, "custom", b ? b->custom : 0, !b, a ? a->custom : 0, !a);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a ? a->active : 0, !a);
    audit_diff_str(d, "levels", b ? b->levels_key : NULL, a ? a->levels_key : NULL);
}

static enum kam_err code_free(struct kam_ctx *ctx, const char *table, const char *code,
                              const char *key)
{
    int64_t id = 0;
    enum kam_err rc = row_i64_text(
        ctx, arena_printf(ctx->a, "SELECT id FROM %s WHERE code = ?", table), code, &id);
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(ctx->err);
        return KAM_OK;
    }
    if (rc)
        return rc;
    return kam_fail_key(ctx->err, KAM_ECONFLICT, "code", key,
                        (struct kam_param[]){{"code", code}, {0}}, "the code %s is taken", code);
}

enum kam_err competency_create(struct kam_ctx *ctx, const struct competency_in *in,
                               struct competency *out)
{
    struct competency x = {.name_zh = "",
                           .name_en = "",
                           .description_zh = "",
                           .description_en = "",
                           .custom = 1,
                           .active = 1,
                           .levels_key = ""};
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, CO_CODE, "code")) ||
        (rc = check_code(ctx, "code", in->v.code)) ||
        (rc = check_given(ctx, in->set, CO_NAME_ZH, "name_zh")) ||
        (rc = check_given(ctx, in->set, CO_NAME_EN, "name_en")) || (rc = comp_merge(ctx, &x, in)))
        return rc;
    x.code = in->v.code;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = code_free(ctx, "competencies", x.code, "competency.code_taken")))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO competencies (code, name_zh, name_en, description_zh, "
                         "description_en, custom, active, version, created_at, updated_at) VALUES "
                         "(?,?,?,?,?,1,?,1,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, x.code);
    db_bind_text(st, 2, x.name_zh);
    db_bind_text(st, 3, x.name_en);
    db_bind_text(st, 4, x.description_zh);
    db_bind_text(st, 5, x.description_en);
    db_bind_i64(st, 6, x.active);
    db_bind_i64(st, 7, ctx->now);
    db_bind_i64(st, 8, ctx->now);
    if ((rc = insert_id(ctx, st, &x.id)) || (rc = write_rubric(ctx, &x)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    comp_diff(&d, NULL, &x);
    if (!(rc = audit_write(ctx, "competency", x.id, 0, "create", &d)))
        rc = competency_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err cu_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return competency_get(ctx, id, rec);
}

static enum kam_err cu_merge(const struct update_op *op, void *rec)
{
    const struct competency_in *in = op->in;
    if (in->set & CO_CODE)
        return kam_fail(op->ctx->err, KAM_EINVAL, "code", "code cannot change");
    return comp_merge(op->ctx, rec, in);
}

static void cu_diff(const struct update_op *op)
{
    comp_diff(op->diff, op->before, op->after);
}

static enum kam_err cu_write(const struct update_op *op)
{
    const struct competency *x = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(op->ctx->db,
                                 "UPDATE competencies SET name_zh = ?, name_en = ?, description_zh "
                                 "= ?, description_en = ?, active = ?, updated_at = ?, version = "
                                 "version + 1 WHERE id = ? AND version = ?",
                                 &st, op->ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, x->name_zh);
    db_bind_text(st, 2, x->name_en);
    db_bind_text(st, 3, x->description_zh);
    db_bind_text(st, 4, x->description_en);
    db_bind_i64(st, 5, x->active);
    db_bind_i64(st, 6, op->ctx->now);
    db_bind_i64(st, 7, x->id);
    db_bind_i64(st, 8, b->version);
    return db_run(st, op->ctx->err);
}

/* After the row's version-guarded UPDATE (record_update counts that statement's changes). */
static enum kam_err cu_then(const struct update_op *op)
{
    const struct competency *x = op->after, *b = op->before;
    return strcmp(x->levels_key, b->levels_key) ? write_rubric(op->ctx, x) : KAM_OK;
}

static const struct update_spec comp_spec = {
    .entity = "competency",
    .size = sizeof(struct competency),
    .versioned = 1,
    .version_at = offsetof(struct competency, version),
    .in_set_at = offsetof(struct competency_in, set),
    .in_version_at = offsetof(struct competency_in, v.version),
    .in_version_bit = CO_VERSION,
    .get = cu_get,
    .merge = cu_merge,
    .diff = cu_diff,
    .write = cu_write,
    .then = cu_then,
};

enum kam_err competency_update(struct kam_ctx *ctx, int64_t id, const struct competency_in *in,
                               struct competency *out)
{
    return record_update(ctx, &comp_spec, id, in, out);
}

enum kam_err competency_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct competency before;
    int64_t used = 0;
    if ((rc = competency_get(ctx, id, &before)))
        goto out;
    if (!before.custom) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "competency.builtin", NULL,
                          "a built-in competency cannot be deleted; deactivate it instead");
        goto out;
    }
    if ((rc = db_query_i64(ctx->db,
                           "SELECT COUNT(*) FROM (SELECT competency_id FROM assessment_scores "
                           "UNION ALL SELECT competency_id FROM role_profile_levels UNION ALL "
                           "SELECT competency_id FROM interview_scores UNION ALL SELECT "
                           "competency_id FROM course_competencies) x WHERE x.competency_id = ?",
                           1, id, &used, ctx->err)))
        goto out;
    if (used) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "competency.in_use", NULL,
                          "the competency is used by assessments, role profiles, interviews or "
                          "courses; deactivate it instead");
        goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM competency_levels WHERE competency_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM competencies WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    comp_diff(&d, &before, NULL);
    rc = audit_write(ctx, "competency", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort comp_sorts[] = {
    {"code", "c.code", 1},
    {"id", "c.id", 0},
};

enum kam_err competency_list(struct kam_ctx *ctx, const struct competency_query *q,
                             struct competency **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc =
        page_parse(ctx, comp_sorts, 2, q->sort ? q->sort : "code", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " CCOLS " FROM competencies c WHERE 1 = 1");
    if (q->active >= 0) {
        sqlb_sql(&b, " AND c.active = ?");
        sqlb_i64(&b, q->active ? 1 : 0);
    }
    struct competency *items;
    const struct competency *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "c.id", comp_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    for (size_t i = 0; i < n && !rc; i++)
        rc = load_rubric(ctx, &items[i]);
    if (rc)
        return rc;
    *next_out = NULL;
    if (last) {
        const struct competency *l = &items[n - 1];
        *next_out = strcmp(pg.sort->key, "code") ? page_cursor(ctx, &pg, NULL, l->id, l->id)
                                                 : page_cursor(ctx, &pg, l->code, 0, l->id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ==== role profiles ==== */

#define PCOLS                                                                                      \
    "p.id, p.code, p.name_zh, p.name_en, p.description, p.active, p.version, p.created_at, "       \
    "p.updated_at"

static void prof_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct role_profile *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->code = adup(ctx, st, 1);
    x->name_zh = adup(ctx, st, 2);
    x->name_en = adup(ctx, st, 3);
    x->description = adup(ctx, st, 4);
    x->active = (int)db_col_i64(st, 5);
    x->version = db_col_i64(st, 6);
    x->created_at = db_col_i64(st, 7);
    x->updated_at = db_col_i64(st, 8);
    x->levels_key = "";
}

static int pl_cmp(const void *pa, const void *pb)
{
    const struct profile_level *a = pa, *b = pb;
    return a->competency_id < b->competency_id ? -1 : a->competency_id > b->competency_id;
}

static const char *prof_key(struct kam_ctx *ctx, const struct role_profile *x)
{
    struct buf b;
    buf_init(&b, 64 * 1024);
    for (size_t i = 0; i < x->n_levels; i++)
        buf_printf(&b, "%s%lld:%lld:%lld", i ? "," : "", (long long)x->levels[i].competency_id,
                   (long long)x->levels[i].level, (long long)x->levels[i].weight);
    const char *s = arena_strndup(ctx->a, b.data ? b.data : "", b.len);
    buf_release(&b);
    return s;
}

static void pl_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct profile_level *l = row;
    memset(l, 0, sizeof *l);
    l->set = PL_COMP | PL_LEVEL | PL_WEIGHT;
    l->competency_id = db_col_i64(st, 0);
    l->level = db_col_i64(st, 1);
    l->weight = db_col_i64(st, 2);
    l->code = adup(ctx, st, 3);
    l->name_zh = adup(ctx, st, 4);
    l->name_en = adup(ctx, st, 5);
}

static enum kam_err load_prof_levels(struct kam_ctx *ctx, struct role_profile *x)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT l.competency_id, l.level, l.weight, c.code, c.name_zh, c.name_en FROM "
        "role_profile_levels l JOIN competencies c ON c.id = l.competency_id WHERE l.profile_id = "
        "? ORDER BY l.competency_id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->id);
    void *items;
    if ((rc = rows_collect(ctx, st, COMPETENCIES_MAX, pl_row, sizeof(struct profile_level), &items,
                           &x->n_levels)))
        return rc;
    x->levels = items;
    x->levels_key = prof_key(ctx, x);
    return KAM_OK;
}

enum kam_err role_profile_get(struct kam_ctx *ctx, int64_t id, struct role_profile *out)
{
    enum kam_err rc = row_get(ctx, "SELECT " PCOLS " FROM role_profiles p WHERE p.id = ?", id,
                              prof_row, out, "role profile");
    if (!rc)
        rc = load_prof_levels(ctx, out);
    return rc;
}

enum kam_err role_profile_by_code(struct kam_ctx *ctx, const char *field, const char *code,
                                  struct role_profile *out)
{
    int64_t id = 0;
    enum kam_err rc = row_i64_text(ctx, "SELECT id FROM role_profiles WHERE code = ?", code, &id);
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(ctx->err);
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "competency.no_such_profile",
                            (struct kam_param[]){{"code", code}, {0}}, "no role profile %s", code);
    }
    return rc ? rc : role_profile_get(ctx, id, out);
}

static enum kam_err comp_exists(struct kam_ctx *ctx, const char *field, int64_t id, int active_only)
{
    int64_t active = 0;
    enum kam_err rc = id > 0 ? db_query_i64(ctx->db, "SELECT active FROM competencies WHERE id = ?",
                                            1, id, &active, ctx->err)
                             : KAM_ENOTFOUND;
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(ctx->err);
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "competency.no_such",
                            (struct kam_param[]){{"field", field}, {0}}, "%s: no such competency",
                            field);
    }
    if (!rc && active_only && !active)
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "competency.inactive",
                            (struct kam_param[]){{"field", field}, {0}},
                            "%s: the competency is inactive", field);
    return rc;
}

static enum kam_err prof_merge(struct kam_ctx *ctx, struct role_profile *x,
                               const struct role_profile_in *in)
{
    const struct role_profile *v = &in->v;
    if (in->set & RP_NAME_ZH)
        x->name_zh = v->name_zh ? v->name_zh : "";
    if (in->set & RP_NAME_EN)
        x->name_en = v->name_en ? v->name_en : "";
    if (in->set & RP_DESC)
        x->description = v->description ? v->description : "";
    if (in->set & RP_ACTIVE)
        x->active = v->active ? 1 : 0;
    enum kam_err rc;
    if ((rc = check_line(ctx, "name_zh", x->name_zh, COMP_NAME_MAX)) ||
        (rc = check_line(ctx, "name_en", x->name_en, COMP_NAME_MAX)) ||
        (rc = check_text(ctx, "description", x->description, 0, COMP_DESC_MAX, CHECK_MULTILINE)))
        return rc;
    if (!(in->set & RP_LEVELS))
        return KAM_OK;
    if (in->n_levels < 1)
        return kam_fail_key(ctx->err, KAM_EINVAL, "levels", "competency.profile_empty", NULL,
                            "levels: a role profile needs at least one competency");
    struct profile_level *ls = arena_calloc(ctx->a, (size_t)in->n_levels, sizeof *ls);
    for (int i = 0; i < in->n_levels; i++) {
        const struct profile_level *l = &in->levels[i];
        const char *f = arena_printf(ctx->a, "levels[%d]", i);
        const char *fc = arena_printf(ctx->a, "%s.competency_id", f);
        const char *fl = arena_printf(ctx->a, "%s.level", f);
        int64_t w = (l->set & PL_WEIGHT) ? l->weight : 1;
        if ((rc = check_given(ctx, l->set, PL_COMP, fc)) ||
            (rc = check_given(ctx, l->set, PL_LEVEL, fl)) ||
            (rc = check_range(ctx, fl, l->level, 1, 5)) ||
            (rc = check_range(ctx, arena_printf(ctx->a, "%s.weight", f), w, 1, 100)) ||
            (rc = comp_exists(ctx, fc, l->competency_id, 0)))
            return rc;
        for (int j = 0; j < i; j++)
            if (ls[j].competency_id == l->competency_id)
                return kam_fail_key(ctx->err, KAM_EINVAL, fc, "competency.twice",
                                    (struct kam_param[]){{"field", fc}, {0}},
                                    "%s: the competency is named twice", fc);
        ls[i] = (struct profile_level){.set = PL_COMP | PL_LEVEL | PL_WEIGHT,
                                       .competency_id = l->competency_id,
                                       .level = l->level,
                                       .weight = w};
    }
    qsort(ls, (size_t)in->n_levels, sizeof *ls, pl_cmp);
    x->levels = ls;
    x->n_levels = (size_t)in->n_levels;
    x->levels_key = prof_key(ctx, x);
    return KAM_OK;
}

static enum kam_err write_prof_levels(struct kam_ctx *ctx, const struct role_profile *x)
{
    enum kam_err rc = db_exec_i64(ctx->db, "DELETE FROM role_profile_levels WHERE profile_id = ?",
                                  x->id, ctx->err);
    for (size_t i = 0; i < x->n_levels && !rc; i++) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO role_profile_levels (profile_id, competency_id, level, "
                             "weight) VALUES (?,?,?,?)",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, x->id);
        db_bind_i64(st, 2, x->levels[i].competency_id);
        db_bind_i64(st, 3, x->levels[i].level);
        db_bind_i64(st, 4, x->levels[i].weight);
        rc = db_run(st, ctx->err);
    }
    return rc;
}

static void prof_diff(struct audit_diff *d, const struct role_profile *b,
                      const struct role_profile *a)
{
    audit_diff_str(d, "code", b ? b->code : NULL, a ? a->code : NULL);
    audit_diff_str(d, "name_zh", b ? b->name_zh : NULL, a ? a->name_zh : NULL);
    audit_diff_str(d, "name_en", b ? b->name_en : NULL, a ? a->name_en : NULL);
    audit_diff_str(d, "description", b ? b->description : NULL, a ? a->description : NULL);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a ? a->active : 0, !a);
    audit_diff_str(d, "levels", b ? b->levels_key : NULL, a ? a->levels_key : NULL);
}

enum kam_err role_profile_create(struct kam_ctx *ctx, const struct role_profile_in *in,
                                 struct role_profile *out)
{
    struct role_profile x = {
        .name_zh = "", .name_en = "", .description = "", .active = 1, .levels_key = ""};
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, RP_CODE, "code")) ||
        (rc = check_code(ctx, "code", in->v.code)) ||
        (rc = check_given(ctx, in->set, RP_NAME_ZH, "name_zh")) ||
        (rc = check_given(ctx, in->set, RP_NAME_EN, "name_en")) ||
        (rc = check_given(ctx, in->set, RP_LEVELS, "levels")))
        return rc;
    x.code = in->v.code;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = prof_merge(ctx, &x, in)) ||
        (rc = code_free(ctx, "role_profiles", x.code, "role_profile.code_taken")))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO role_profiles (code, name_zh, name_en, description, active, "
                         "version, created_at, updated_at) VALUES (?,?,?,?,?,1,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, x.code);
    db_bind_text(st, 2, x.name_zh);
    db_bind_text(st, 3, x.name_en);
    db_bind_text(st, 4, x.description);
    db_bind_i64(st, 5, x.active);
    db_bind_i64(st, 6, ctx->now);
    db_bind_i64(st, 7, ctx->now);
    if ((rc = insert_id(ctx, st, &x.id)) || (rc = write_prof_levels(ctx, &x)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    prof_diff(&d, NULL, &x);
    if (!(rc = audit_write(ctx, "role_profile", x.id, 0, "create", &d)))
        rc = role_profile_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err pu_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return role_profile_get(ctx, id, rec);
}

static enum kam_err pu_merge(const struct update_op *op, void *rec)
{
    const struct role_profile_in *in = op->in;
    if (in->set & RP_CODE)
        return kam_fail(op->ctx->err, KAM_EINVAL, "code", "code cannot change");
    return prof_merge(op->ctx, rec, in);
}

static void pu_diff(const struct update_op *op)
{
    prof_diff(op->diff, op->before, op->after);
}

static enum kam_err pu_write(const struct update_op *op)
{
    const struct role_profile *x = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(op->ctx->db,
                                 "UPDATE role_profiles SET name_zh = ?, name_en = ?, description = "
                                 "?, active = ?, updated_at = ?, version = version + 1 WHERE id = "
                                 "? AND version = ?",
                                 &st, op->ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, x->name_zh);
    db_bind_text(st, 2, x->name_en);
    db_bind_text(st, 3, x->description);
    db_bind_i64(st, 4, x->active);
    db_bind_i64(st, 5, op->ctx->now);
    db_bind_i64(st, 6, x->id);
    db_bind_i64(st, 7, b->version);
    return db_run(st, op->ctx->err);
}

static enum kam_err pu_then(const struct update_op *op)
{
    const struct role_profile *x = op->after, *b = op->before;
    return strcmp(x->levels_key, b->levels_key) ? write_prof_levels(op->ctx, x) : KAM_OK;
}

static const struct update_spec prof_spec = {
    .entity = "role_profile",
    .size = sizeof(struct role_profile),
    .versioned = 1,
    .version_at = offsetof(struct role_profile, version),
    .in_set_at = offsetof(struct role_profile_in, set),
    .in_version_at = offsetof(struct role_profile_in, v.version),
    .in_version_bit = RP_VERSION,
    .get = pu_get,
    .merge = pu_merge,
    .diff = pu_diff,
    .write = pu_write,
    .then = pu_then,
};

enum kam_err role_profile_update(struct kam_ctx *ctx, int64_t id, const struct role_profile_in *in,
                                 struct role_profile *out)
{
    return record_update(ctx, &prof_spec, id, in, out);
}

enum kam_err role_profile_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct role_profile before;
    int64_t used = 0;
    if ((rc = role_profile_get(ctx, id, &before)) ||
        (rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM candidates WHERE profile_id = ?", 1, id,
                           &used, ctx->err)))
        goto out;
    if (used) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "role_profile.in_use", NULL,
                          "candidates are ranked against this profile; deactivate it instead");
        goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM role_profile_levels WHERE profile_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM role_profiles WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    prof_diff(&d, &before, NULL);
    rc = audit_write(ctx, "role_profile", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort prof_sorts[] = {
    {"code", "p.code", 1},
    {"id", "p.id", 0},
};

enum kam_err role_profile_list(struct kam_ctx *ctx, const struct role_profile_query *q,
                               struct role_profile **items_out, size_t *n_out,
                               const char **next_out)
{
    struct page_req pg;
    enum kam_err rc =
        page_parse(ctx, prof_sorts, 2, q->sort ? q->sort : "code", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " PCOLS " FROM role_profiles p WHERE 1 = 1");
    if (q->active >= 0) {
        sqlb_sql(&b, " AND p.active = ?");
        sqlb_i64(&b, q->active ? 1 : 0);
    }
    struct role_profile *items;
    const struct role_profile *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "p.id", prof_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    for (size_t i = 0; i < n && !rc; i++)
        rc = load_prof_levels(ctx, &items[i]);
    if (rc)
        return rc;
    *next_out = NULL;
    if (last) {
        const struct role_profile *l = &items[n - 1];
        *next_out = strcmp(pg.sort->key, "code") ? page_cursor(ctx, &pg, NULL, l->id, l->id)
                                                 : page_cursor(ctx, &pg, l->code, 0, l->id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ==== assessments ==== */

#define ACOLS                                                                                      \
    "a.id, a.user_id, COALESCE(NULLIF(u.name, ''), u.login), a.assessor_id, "                      \
    "COALESCE(NULLIF(v.name, ''), v.login), a.kind, a.assessed_on, a.note, a.created_by, "         \
    "a.version, a.created_at, a.updated_at"
#define AFROM                                                                                      \
    " FROM competency_assessments a JOIN users u ON u.id = a.user_id LEFT JOIN users v ON v.id = " \
    "a.assessor_id"

static void asm_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct assessment *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->user_id = db_col_i64(st, 1);
    x->user_name = adup(ctx, st, 2);
    x->assessor_id = opt_i64(st, 3, &x->has_assessor);
    x->assessor_name = db_col_is_null(st, 4) ? NULL : adup(ctx, st, 4);
    x->kind = adup(ctx, st, 5);
    x->assessed_on = adup(ctx, st, 6);
    x->note = adup(ctx, st, 7);
    x->created_by = opt_i64(st, 8, &x->has_created_by);
    x->version = db_col_i64(st, 9);
    x->created_at = db_col_i64(st, 10);
    x->updated_at = db_col_i64(st, 11);
}

static void score_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct assessment_score *s = row;
    memset(s, 0, sizeof *s);
    s->set = AS_COMP | AS_LEVEL | AS_EVIDENCE;
    s->competency_id = db_col_i64(st, 0);
    s->code = adup(ctx, st, 1);
    s->level = db_col_i64(st, 2);
    s->evidence = adup(ctx, st, 3);
}

static enum kam_err load_scores(struct kam_ctx *ctx, struct assessment *x)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT s.competency_id, c.code, s.level, s.evidence FROM "
                                 "assessment_scores s JOIN competencies c ON c.id = "
                                 "s.competency_id WHERE s.assessment_id = ? ORDER BY "
                                 "s.competency_id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->id);
    void *items;
    if ((rc = rows_collect(ctx, st, COMPETENCIES_MAX, score_row, sizeof(struct assessment_score),
                           &items, &x->n_scores)))
        return rc;
    x->scores = items;
    return KAM_OK;
}

enum kam_err assessment_get(struct kam_ctx *ctx, int64_t id, struct assessment *out)
{
    enum kam_err rc =
        row_get(ctx, "SELECT " ACOLS AFROM " WHERE a.id = ?", id, asm_row, out, "assessment");
    if (!rc)
        rc = load_scores(ctx, out);
    return rc;
}

/* Who may record an assessment of this kind about user_id (competency.h). */
static enum kam_err may_assess(struct kam_ctx *ctx, const char *kind, int64_t user_id)
{
    int64_t found = 0;
    enum kam_err rc = user_id > 0 ? db_query_i64(ctx->db, "SELECT id FROM users WHERE id = ?", 1,
                                                 user_id, &found, ctx->err)
                                  : KAM_ENOTFOUND;
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(ctx->err);
        return kam_fail(ctx->err, KAM_EINVAL, "user_id", "no such user");
    }
    if (rc)
        return rc;
    int self = user_id == ctx->who.user_id;
    int all = policy_grant(ctx->who.role, OBJ_ASSESSMENT, ACT_CREATE) == GRANT_ALL;
    if (!strcmp(kind, "self")) {
        if (!self)
            return kam_fail_key(ctx->err, KAM_EINVAL, "user_id", "assessment.self_only", NULL,
                                "a self-assessment is about the caller");
        return KAM_OK;
    }
    if (self)
        return kam_fail_key(ctx->err, KAM_EINVAL, "user_id", "assessment.not_self", NULL,
                            "a %s assessment is about someone else", kind);
    if (all)
        return KAM_OK;
    int leads = 0;
    if ((rc = policy_manages_user(ctx, user_id, &leads)))
        return rc;
    if (!strcmp(kind, "manager")) {
        if (!leads)
            return kam_fail_key(ctx->err, KAM_EFORBIDDEN, "user_id", "assessment.not_manager", NULL,
                                "a manager assessment is given by someone who leads the person");
        return KAM_OK;
    }
    if (leads)
        return KAM_OK;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT COUNT(*) FROM users a JOIN users b ON a.team_id = b.team_id "
                         "WHERE a.id = ? AND b.id = ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, ctx->who.user_id);
    db_bind_i64(st, 2, user_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int same = !rc && row && db_col_i64(st, 0) > 0;
    db_done(st);
    if (rc)
        return rc;
    if (!same)
        return kam_fail_key(ctx->err, KAM_EFORBIDDEN, "user_id", "assessment.not_colleague", NULL,
                            "a peer assessment is given by a colleague of the same team");
    return KAM_OK;
}

static const char *scores_key(struct kam_ctx *ctx, const struct assessment_score *s, size_t n)
{
    struct buf b;
    buf_init(&b, 256 * 1024);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%lld:%lld %s", i ? "\n" : "", (long long)s[i].competency_id,
                   (long long)s[i].level, s[i].evidence ? s[i].evidence : "");
    const char *k = arena_strndup(ctx->a, b.data ? b.data : "", b.len);
    buf_release(&b);
    return k;
}

enum kam_err assessment_create(struct kam_ctx *ctx, const struct assessment_in *in,
                               struct assessment *out)
{
    const struct assessment *v = &in->v;
    const char *note = (in->set & AM_NOTE) && v->note ? v->note : "";
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, AM_USER, "user_id")) ||
        (rc = check_given(ctx, in->set, AM_KIND, "kind")) ||
        (rc = check_enum(ctx, "kind", v->kind, assessment_kinds)) ||
        (rc = check_given(ctx, in->set, AM_DAY, "assessed_on")) ||
        (rc = check_date(ctx, "assessed_on", v->assessed_on)) ||
        (rc = check_text(ctx, "note", note, 0, COMP_NOTE_MAX, CHECK_MULTILINE)) ||
        (rc = check_given(ctx, in->set, AM_SCORES, "scores")))
        return rc;
    if (strcmp(v->assessed_on, competency_today(ctx)) > 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, "assessed_on", "assessment.future", NULL,
                            "an assessment is recorded once it was made: assessed_on is in the "
                            "future");
    if (in->n_scores < 1)
        return kam_fail_key(ctx->err, KAM_EINVAL, "scores", "assessment.no_scores", NULL,
                            "scores: at least one competency");
    for (int i = 0; i < in->n_scores; i++) {
        const struct assessment_score *s = &in->scores[i];
        const char *f = arena_printf(ctx->a, "scores[%d]", i);
        const char *fc = arena_printf(ctx->a, "%s.competency_id", f);
        const char *fl = arena_printf(ctx->a, "%s.level", f);
        const char *ev = (s->set & AS_EVIDENCE) && s->evidence ? s->evidence : "";
        if ((rc = check_given(ctx, s->set, AS_COMP, fc)) ||
            (rc = check_given(ctx, s->set, AS_LEVEL, fl)) ||
            (rc = check_range(ctx, fl, s->level, 1, 5)) ||
            (rc = check_text(ctx, arena_printf(ctx->a, "%s.evidence", f), ev, 0, COMP_EVIDENCE_MAX,
                             CHECK_MULTILINE)))
            return rc;
        for (int j = 0; j < i; j++)
            if (in->scores[j].competency_id == s->competency_id)
                return kam_fail_key(ctx->err, KAM_EINVAL, fc, "competency.twice",
                                    (struct kam_param[]){{"field", fc}, {0}},
                                    "%s: the competency is named twice", fc);
    }
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = may_assess(ctx, v->kind, v->user_id)))
        goto out;
    for (int i = 0; i < in->n_scores && !rc; i++)
        rc = comp_exists(ctx, arena_printf(ctx->a, "scores[%d].competency_id", i),
                         in->scores[i].competency_id, 1);
    if (rc)
        goto out;
    int has_me = ctx->who.user_id > 0;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO competency_assessments (user_id, assessor_id, kind, "
                         "assessed_on, note, version, created_by, created_at, updated_at) VALUES "
                         "(?,?,?,?,?,1,?,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, v->user_id);
    db_bind_i64n(st, 2, ctx->who.user_id, !has_me);
    db_bind_text(st, 3, v->kind);
    db_bind_text(st, 4, v->assessed_on);
    db_bind_text(st, 5, note);
    db_bind_i64n(st, 6, ctx->who.user_id, !has_me);
    db_bind_i64(st, 7, ctx->now);
    db_bind_i64(st, 8, ctx->now);
    int64_t id = 0;
    if ((rc = insert_id(ctx, st, &id)))
        goto out;
    struct assessment_score *sorted = arena_calloc(ctx->a, (size_t)in->n_scores, sizeof *sorted);
    for (int i = 0; i < in->n_scores && !rc; i++) {
        const struct assessment_score *s = &in->scores[i];
        sorted[i] = *s;
        sorted[i].evidence = (s->set & AS_EVIDENCE) && s->evidence ? s->evidence : "";
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO assessment_scores (assessment_id, competency_id, level, "
                             "evidence) VALUES (?,?,?,?)",
                             &st, ctx->err)))
            break;
        db_bind_i64(st, 1, id);
        db_bind_i64(st, 2, s->competency_id);
        db_bind_i64(st, 3, s->level);
        db_bind_text(st, 4, sorted[i].evidence);
        rc = db_run(st, ctx->err);
    }
    if (rc)
        goto out;
    for (int i = 1; i < in->n_scores; i++)
        for (int j = i; j > 0 && sorted[j - 1].competency_id > sorted[j].competency_id; j--) {
            struct assessment_score t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "user_id", 0, 1, v->user_id, 0);
    audit_diff_i64(&d, "assessor_id", 0, 1, ctx->who.user_id, !has_me);
    audit_diff_str(&d, "kind", NULL, v->kind);
    audit_diff_str(&d, "assessed_on", NULL, v->assessed_on);
    audit_diff_str(&d, "note", NULL, note);
    audit_diff_str(&d, "scores", NULL, scores_key(ctx, sorted, (size_t)in->n_scores));
    if (!(rc = audit_write(ctx, "competency_assessment", id, 0, "create", &d)))
        rc = assessment_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err assessment_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct assessment before;
    if ((rc = assessment_get(ctx, id, &before)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM assessment_scores WHERE assessment_id = ?", id,
                          ctx->err)) ||
        (rc =
             db_exec_i64(ctx->db, "DELETE FROM competency_assessments WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "user_id", before.user_id, 0, 0, 1);
    audit_diff_i64(&d, "assessor_id", before.assessor_id, !before.has_assessor, 0, 1);
    audit_diff_str(&d, "kind", before.kind, NULL);
    audit_diff_str(&d, "assessed_on", before.assessed_on, NULL);
    audit_diff_str(&d, "note", before.note, NULL);
    audit_diff_str(&d, "scores", scores_key(ctx, before.scores, before.n_scores), NULL);
    rc = audit_write(ctx, "competency_assessment", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort asm_sorts[] = {
    {"id", "a.id", 0},
    {"assessed_on", "a.assessed_on", 1},
};

enum kam_err assessment_list(struct kam_ctx *ctx, const struct assessment_query *q,
                             struct assessment **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc =
        page_parse(ctx, asm_sorts, 2, q->sort ? q->sort : "-id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if (q->kind && (rc = check_enum(ctx, "kind", q->kind, assessment_kinds)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_person_scope_with(ctx, OBJ_ASSESSMENT, &b);
    sqlb_sql(&b, "SELECT " ACOLS AFROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_PERSON_COND("a.user_id"));
    if (q->user_id) {
        sqlb_sql(&b, " AND a.user_id = ?");
        sqlb_i64(&b, q->user_id);
    }
    if (q->assessor_id) {
        sqlb_sql(&b, " AND a.assessor_id = ?");
        sqlb_i64(&b, q->assessor_id);
    }
    if (q->kind) {
        sqlb_sql(&b, " AND a.kind = ?");
        sqlb_text(&b, q->kind);
    }
    struct assessment *items;
    const struct assessment *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "a.id", asm_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    for (size_t i = 0; i < n && !rc; i++)
        rc = load_scores(ctx, &items[i]);
    if (rc)
        return rc;
    *next_out = NULL;
    if (last) {
        const struct assessment *l = &items[n - 1];
        *next_out = strcmp(pg.sort->key, "id") ? page_cursor(ctx, &pg, l->assessed_on, 0, l->id)
                                               : page_cursor(ctx, &pg, NULL, l->id, l->id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ==== the current-level rule ==== */

int competency_level_rule(const struct score_obs *obs, size_t n, double *level, int *n_used,
                          int *used)
{
    if (used)
        memset(used, 0, n * sizeof *used);
    *level = 0;
    *n_used = 0;
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(obs[i].kind, "manager")) {
            *level = obs[i].level;
            *n_used = 1;
            if (used)
                used[i] = 1;
            return 1;
        }
    /* the latest self score and each peer assessor's latest */
    int64_t sum = 0;
    int cnt = 0;
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(obs[j].kind, obs[i].kind) &&
                   (!strcmp(obs[i].kind, "self") || obs[j].assessor_id == obs[i].assessor_id);
        if (seen)
            continue;
        sum += obs[i].level;
        cnt++;
        if (used)
            used[i] = 1;
    }
    *level = (double)sum / cnt;
    *n_used = cnt;
    return 1;
}

struct obs_row {
    struct score_obs o;
    const char *evidence;
};

static void obs_read(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct obs_row *r = row;
    memset(r, 0, sizeof *r);
    r->o.competency_id = db_col_i64(st, 0);
    r->o.assessment_id = db_col_i64(st, 1);
    r->o.assessor_id = db_col_is_null(st, 2) ? 0 : db_col_i64(st, 2);
    r->o.kind = adup(ctx, st, 3);
    r->o.assessed_on = adup(ctx, st, 4);
    r->o.level = (int)db_col_i64(st, 5);
    r->evidence = adup(ctx, st, 6);
}

/* The person's scores dated on or before on_day, by competency, newest first. */
static enum kam_err read_obs(struct kam_ctx *ctx, int64_t user_id, const char *on_day,
                             struct obs_row **out, size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT s.competency_id, a.id, a.assessor_id, a.kind, a.assessed_on, s.level, s.evidence "
        "FROM assessment_scores s JOIN competency_assessments a ON a.id = s.assessment_id WHERE "
        "a.user_id = ? AND a.assessed_on <= ? ORDER BY s.competency_id, a.assessed_on DESC, a.id "
        "DESC",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, user_id);
    db_bind_text(st, 2, on_day);
    void *items;
    if ((rc = rows_collect(ctx, st, SCORES_READ_MAX, obs_read, sizeof(struct obs_row), &items, n)))
        return rc;
    *out = items;
    return KAM_OK;
}

enum kam_err competency_levels_of(struct kam_ctx *ctx, int64_t user_id, const char *on_day,
                                  struct competency_level **out, size_t *n)
{
    struct obs_row *rows;
    size_t nr = 0;
    *out = NULL;
    *n = 0;
    enum kam_err rc = read_obs(ctx, user_id, on_day, &rows, &nr);
    if (rc)
        return rc;
    struct competency_level *lv = arena_calloc(ctx->a, nr ? nr : 1, sizeof *lv);
    struct score_obs *obs = arena_calloc(ctx->a, nr ? nr : 1, sizeof *obs);
    size_t k = 0;
    for (size_t i = 0; i < nr;) {
        size_t j = i;
        while (j < nr && rows[j].o.competency_id == rows[i].o.competency_id) {
            obs[j - i] = rows[j].o;
            j++;
        }
        double level;
        int used;
        if (competency_level_rule(obs, j - i, &level, &used, NULL))
            lv[k++] = (struct competency_level){
                .competency_id = rows[i].o.competency_id, .level = level, .n_assessments = used};
        i = j;
    }
    *out = lv;
    *n = k;
    return KAM_OK;
}

int64_t competency_fit_bp(const struct fit_item *items, size_t n)
{
    double num = 0;
    int64_t den = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].required <= 0 || items[i].weight <= 0)
            continue;
        den += items[i].weight;
        if (items[i].has_level) {
            double r = (double)items[i].required;
            double h = items[i].level < r ? items[i].level : r;
            num += (double)items[i].weight * h / r;
        }
    }
    if (!den)
        return 0;
    return (int64_t)floor(10000.0 * num / (double)den + 0.5 + 1e-9);
}

/* ==== a person's view ==== */

struct comp_brief {
    int64_t id;
    const char *code, *name_zh, *name_en;
    int active;
};

static void brief_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct comp_brief *c = row;
    c->id = db_col_i64(st, 0);
    c->code = adup(ctx, st, 1);
    c->name_zh = adup(ctx, st, 2);
    c->name_en = adup(ctx, st, 3);
    c->active = (int)db_col_i64(st, 4);
}

enum kam_err competency_person_view(struct kam_ctx *ctx, int64_t user_id, const char *on_day,
                                    const char *profile_code, struct person_view *out)
{
    memset(out, 0, sizeof *out);
    enum kam_err rc;
    if (on_day && (rc = check_date(ctx, "on", on_day)))
        return rc;
    if (profile_code && (rc = check_text(ctx, "profile", profile_code, 1, COMP_CODE_MAX, 0)))
        return rc;
    out->user_id = user_id;
    out->on_day = on_day ? on_day : competency_today(ctx);
    struct db_stmt *st;
    if ((rc =
             db_prepare(ctx->db, "SELECT COALESCE(NULLIF(name, ''), login) FROM users WHERE id = ?",
                        &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, user_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        out->user_name = adup(ctx, st, 0);
    db_done(st);
    if (rc)
        return rc;
    if (!row)
        return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such user");
    if (profile_code) {
        if ((rc = role_profile_by_code(ctx, "profile", profile_code, &out->profile)))
            return rc;
        out->has_profile = 1;
    }
    if ((rc = db_prepare(ctx->db,
                         "SELECT id, code, name_zh, name_en, active FROM competencies ORDER BY id",
                         &st, ctx->err)))
        return rc;
    void *cs;
    size_t nc = 0;
    if ((rc = rows_collect(ctx, st, COMPETENCIES_MAX, brief_row, sizeof(struct comp_brief), &cs,
                           &nc)))
        return rc;
    const struct comp_brief *comps = cs;
    struct obs_row *rows;
    size_t nr = 0;
    if ((rc = read_obs(ctx, user_id, out->on_day, &rows, &nr)))
        return rc;
    out->items = arena_calloc(ctx->a, nc ? nc : 1, sizeof *out->items);
    struct fit_item *fit = arena_calloc(ctx->a, nc ? nc : 1, sizeof *fit);
    size_t nfit = 0;
    struct score_obs *obs = arena_calloc(ctx->a, nr ? nr : 1, sizeof *obs);
    int *used = arena_calloc(ctx->a, nr ? nr : 1, sizeof *used);
    size_t r = 0;
    for (size_t i = 0; i < nc; i++) {
        const struct comp_brief *c = &comps[i];
        while (r < nr && rows[r].o.competency_id < c->id)
            r++;
        size_t j = r;
        while (j < nr && rows[j].o.competency_id == c->id) {
            obs[j - r] = rows[j].o;
            j++;
        }
        struct person_competency *pc = &out->items[out->n_items];
        memset(pc, 0, sizeof *pc);
        pc->competency_id = c->id;
        pc->code = c->code;
        pc->name_zh = c->name_zh;
        pc->name_en = c->name_en;
        pc->has_level = competency_level_rule(obs, j - r, &pc->level, &pc->n_assessments, used);
        pc->scores = arena_calloc(ctx->a, j > r ? j - r : 1, sizeof *pc->scores);
        for (size_t k = r; k < j; k++) {
            struct person_score *s = &pc->scores[pc->n_scores++];
            s->assessment_id = rows[k].o.assessment_id;
            s->assessor_id = rows[k].o.assessor_id;
            s->has_assessor = rows[k].o.assessor_id > 0;
            s->level = rows[k].o.level;
            s->used = used[k - r];
            s->kind = rows[k].o.kind;
            s->assessed_on = rows[k].o.assessed_on;
            s->evidence = rows[k].evidence;
        }
        for (size_t k = 0; out->has_profile && k < out->profile.n_levels; k++) {
            const struct profile_level *pl = &out->profile.levels[k];
            if (pl->competency_id != c->id)
                continue;
            pc->has_required = 1;
            pc->required = pl->level;
            pc->weight = pl->weight;
            double have = pc->has_level ? pc->level : 0;
            pc->gap = have >= (double)pl->level ? 0 : (double)pl->level - have;
            fit[nfit++] = (struct fit_item){.required = pl->level,
                                            .weight = pl->weight,
                                            .has_level = pc->has_level,
                                            .level = pc->level};
        }
        r = j;
        if (c->active || pc->has_level || pc->has_required)
            out->n_items++;
    }
    out->fit_bp = out->has_profile ? competency_fit_bp(fit, nfit) : 0;
    return KAM_OK;
}
