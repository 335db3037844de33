/* candidate.c -- candidates, interview scores, the ranking by fit, the decision (candidate.h). */
#include "candidate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "competency.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

const char *const candidate_statuses[] = {"open", "hired", "rejected", "on_hold", "promoted", NULL};
const char *const candidate_decisions[] = {"hired", "rejected", "on_hold", "promoted", NULL};

static int64_t opt_i64(struct db_stmt *st, int i, int *has)
{
    *has = !db_col_is_null(st, i);
    return *has ? db_col_i64(st, i) : 0;
}

static const char *adup(struct kam_ctx *ctx, struct db_stmt *st, int i)
{
    return arena_strdup(ctx->a, db_col_text(st, i));
}

#define KCOLS                                                                                      \
    "k.id, k.profile_id, p.code, k.user_id, k.name, k.contact, k.source, k.note, k.status, "       \
    "k.decision_reason, k.decided_by, k.decided_at, k.created_by, k.version, k.created_at, "       \
    "k.updated_at"
#define KFROM " FROM candidates k JOIN role_profiles p ON p.id = k.profile_id"

static void cand_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct candidate *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->profile_id = db_col_i64(st, 1);
    x->profile_code = adup(ctx, st, 2);
    x->user_id = opt_i64(st, 3, &x->has_user);
    x->name = adup(ctx, st, 4);
    x->contact = adup(ctx, st, 5);
    x->source = adup(ctx, st, 6);
    x->note = adup(ctx, st, 7);
    x->status = adup(ctx, st, 8);
    x->decision_reason = adup(ctx, st, 9);
    x->decided_by = opt_i64(st, 10, &x->has_decided_by);
    x->decided_at = opt_i64(st, 11, &x->has_decided_at);
    x->created_by = opt_i64(st, 12, &x->has_created_by);
    x->version = db_col_i64(st, 13);
    x->created_at = db_col_i64(st, 14);
    x->updated_at = db_col_i64(st, 15);
}

static void is_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct interview_score *s = row;
    memset(s, 0, sizeof *s);
    s->set = IS_COMP | IS_LEVEL | IS_NOTE;
    s->competency_id = db_col_i64(st, 0);
    s->code = adup(ctx, st, 1);
    s->interviewer_id = db_col_i64(st, 2);
    s->interviewer_name = adup(ctx, st, 3);
    s->level = db_col_i64(st, 4);
    s->note = adup(ctx, st, 5);
    s->scored_at = db_col_i64(st, 6);
}

static enum kam_err load_iscores(struct kam_ctx *ctx, struct candidate *x)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT s.competency_id, c.code, s.interviewer_id, COALESCE(NULLIF(u.name, ''), u.login), "
        "s.level, s.note, s.scored_at FROM interview_scores s JOIN competencies c ON c.id = "
        "s.competency_id JOIN users u ON u.id = s.interviewer_id WHERE s.candidate_id = ? ORDER "
        "BY s.competency_id, s.interviewer_id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->id);
    void *items;
    if ((rc = rows_collect(ctx, st, 5000, is_row, sizeof(struct interview_score), &items,
                           &x->n_scores)))
        return rc;
    x->scores = items;
    return KAM_OK;
}

enum kam_err candidate_get(struct kam_ctx *ctx, int64_t id, struct candidate *out)
{
    enum kam_err rc =
        row_get(ctx, "SELECT " KCOLS KFROM " WHERE k.id = ?", id, cand_row, out, "candidate");
    if (!rc)
        rc = load_iscores(ctx, out);
    return rc;
}

static void cand_diff(struct audit_diff *d, const struct candidate *b, const struct candidate *a)
{
    audit_diff_i64(d, "profile_id", b ? b->profile_id : 0, !b, a ? a->profile_id : 0, !a);
    audit_diff_i64(d, "user_id", b ? b->user_id : 0, !b || !b->has_user, a ? a->user_id : 0,
                   !a || !a->has_user);
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "contact", b ? b->contact : NULL, a ? a->contact : NULL);
    audit_diff_str(d, "source", b ? b->source : NULL, a ? a->source : NULL);
    audit_diff_str(d, "note", b ? b->note : NULL, a ? a->note : NULL);
    audit_diff_str(d, "status", b ? b->status : NULL, a ? a->status : NULL);
    audit_diff_str(d, "decision_reason", b ? b->decision_reason : NULL,
                   a ? a->decision_reason : NULL);
}

static enum kam_err cand_merge(struct kam_ctx *ctx, struct candidate *x,
                               const struct candidate_in *in)
{
    const struct candidate *v = &in->v;
    if (in->set & CA_NAME)
        x->name = v->name ? v->name : "";
    if (in->set & CA_CONTACT)
        x->contact = v->contact ? v->contact : "";
    if (in->set & CA_SOURCE)
        x->source = v->source ? v->source : "";
    if (in->set & CA_NOTE)
        x->note = v->note ? v->note : "";
    enum kam_err rc;
    if ((rc = check_line(ctx, "name", x->name, CAND_NAME_MAX)) ||
        (rc = check_text(ctx, "contact", x->contact, 0, CAND_CONTACT_MAX, CHECK_LINE)) ||
        (rc = check_text(ctx, "source", x->source, 0, CAND_SOURCE_MAX, CHECK_LINE)) ||
        (rc = check_text(ctx, "note", x->note, 0, CAND_NOTE_MAX, CHECK_MULTILINE)))
        return rc;
    return KAM_OK;
}

enum kam_err candidate_create(struct kam_ctx *ctx, const struct candidate_in *in,
                              struct candidate *out)
{
    const struct candidate *v = &in->v;
    struct candidate x = {.name = "",
                          .contact = "",
                          .source = "",
                          .note = "",
                          .status = "open",
                          .decision_reason = ""};
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, CA_PROFILE, "profile_id")))
        return rc;
    x.has_user = (in->set & CA_USER) && v->has_user;
    x.user_id = x.has_user ? v->user_id : 0;
    if (!x.has_user && (rc = check_given(ctx, in->set, CA_NAME, "name")))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int64_t active = 0;
    rc = v->profile_id > 0 ? db_query_i64(ctx->db, "SELECT active FROM role_profiles WHERE id = ?",
                                          1, v->profile_id, &active, ctx->err)
                           : KAM_ENOTFOUND;
    if (rc == KAM_ENOTFOUND || (!rc && !active)) {
        kam_error_clear(ctx->err);
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "profile_id", "candidate.no_such_profile", NULL,
                          "no such active role profile");
        goto out;
    }
    if (rc)
        goto out;
    x.profile_id = v->profile_id;
    if (x.has_user) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "SELECT COALESCE(NULLIF(name, ''), login) FROM users WHERE id = ?",
                             &st, ctx->err)))
            goto out;
        db_bind_i64(st, 1, x.user_id);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row)
            x.name = adup(ctx, st, 0);
        db_done(st);
        if (rc)
            goto out;
        if (!row) {
            rc = kam_fail(ctx->err, KAM_EINVAL, "user_id", "no such user");
            goto out;
        }
        int64_t dup = 0;
        struct db_stmt *q;
        if ((rc = db_prepare(ctx->db,
                             "SELECT COUNT(*) FROM candidates WHERE profile_id = ? AND user_id = ? "
                             "AND status IN ('open', 'on_hold')",
                             &q, ctx->err)))
            goto out;
        db_bind_i64(q, 1, x.profile_id);
        db_bind_i64(q, 2, x.user_id);
        rc = db_step(q, &row, ctx->err);
        dup = !rc && row ? db_col_i64(q, 0) : 0;
        db_done(q);
        if (rc)
            goto out;
        if (dup) {
            rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "user_id", "candidate.already", NULL,
                              "the person is already an open candidate for this profile");
            goto out;
        }
    }
    if ((rc = cand_merge(ctx, &x, in)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO candidates (profile_id, user_id, name, contact, source, "
                         "note, status, decision_reason, version, created_by, created_at, "
                         "updated_at) VALUES (?,?,?,?,?,?,'open','',1,?,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, x.profile_id);
    db_bind_i64n(st, 2, x.user_id, !x.has_user);
    db_bind_text(st, 3, x.name);
    db_bind_text(st, 4, x.contact);
    db_bind_text(st, 5, x.source);
    db_bind_text(st, 6, x.note);
    db_bind_i64n(st, 7, ctx->who.user_id, ctx->who.user_id <= 0);
    db_bind_i64(st, 8, ctx->now);
    db_bind_i64(st, 9, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    cand_diff(&d, NULL, &x);
    if (!(rc = audit_write(ctx, "candidate", x.id, 0, "create", &d)))
        rc = candidate_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err ku_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return candidate_get(ctx, id, rec);
}

static enum kam_err ku_merge(const struct update_op *op, void *rec)
{
    const struct candidate_in *in = op->in;
    if (in->set & CA_PROFILE)
        return kam_fail(op->ctx->err, KAM_EINVAL, "profile_id", "profile_id cannot change");
    if (in->set & CA_USER)
        return kam_fail(op->ctx->err, KAM_EINVAL, "user_id", "user_id cannot change");
    return cand_merge(op->ctx, rec, in);
}

static void ku_diff(const struct update_op *op)
{
    cand_diff(op->diff, op->before, op->after);
}

static enum kam_err ku_write(const struct update_op *op)
{
    const struct candidate *x = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(op->ctx->db,
                                 "UPDATE candidates SET name = ?, contact = ?, source = ?, note = "
                                 "?, status = ?, decision_reason = ?, decided_by = ?, decided_at "
                                 "= ?, updated_at = ?, version = version + 1 WHERE id = ? AND "
                                 "version = ?",
                                 &st, op->ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, x->name);
    db_bind_text(st, 2, x->contact);
    db_bind_text(st, 3, x->source);
    db_bind_text(st, 4, x->note);
    db_bind_text(st, 5, x->status);
    db_bind_text(st, 6, x->decision_reason);
    db_bind_i64n(st, 7, x->decided_by, !x->has_decided_by);
    db_bind_i64n(st, 8, x->decided_at, !x->has_decided_at);
    db_bind_i64(st, 9, op->ctx->now);
    db_bind_i64(st, 10, x->id);
    db_bind_i64(st, 11, b->version);
    return db_run(st, op->ctx->err);
}

static const struct update_spec cand_spec = {
    .entity = "candidate",
    .size = sizeof(struct candidate),
    .versioned = 1,
    .version_at = offsetof(struct candidate, version),
    .in_set_at = offsetof(struct candidate_in, set),
    .in_version_at = offsetof(struct candidate_in, v.version),
    .in_version_bit = CA_VERSION,
    .get = ku_get,
    .merge = ku_merge,
    .diff = ku_diff,
    .write = ku_write,
};

enum kam_err candidate_update(struct kam_ctx *ctx, int64_t id, const struct candidate_in *in,
                              struct candidate *out)
{
    return record_update(ctx, &cand_spec, id, in, out);
}

static int undecided(const struct candidate *c)
{
    return !strcmp(c->status, "open") || !strcmp(c->status, "on_hold");
}

static enum kam_err decided(struct kam_ctx *ctx, const struct candidate *c)
{
    return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "candidate.decided",
                        (struct kam_param[]){{"status", c->status}, {0}},
                        "the candidate was decided (%s)", c->status);
}

enum kam_err candidate_score(struct kam_ctx *ctx, int64_t id, const struct interview_in *in,
                             struct candidate *out)
{
    enum kam_err rc;
    if (in->n_scores < 1)
        return kam_fail_key(ctx->err, KAM_EINVAL, "scores", "assessment.no_scores", NULL,
                            "scores: at least one competency");
    if (ctx->who.user_id <= 0)
        return kam_fail(ctx->err, KAM_EFORBIDDEN, "", "an interviewer is a user");
    for (int i = 0; i < in->n_scores; i++) {
        const struct interview_score *s = &in->scores[i];
        const char *f = arena_printf(ctx->a, "scores[%d]", i);
        const char *fc = arena_printf(ctx->a, "%s.competency_id", f);
        const char *fl = arena_printf(ctx->a, "%s.level", f);
        const char *note = (s->set & IS_NOTE) && s->note ? s->note : "";
        if ((rc = check_given(ctx, s->set, IS_COMP, fc)) ||
            (rc = check_given(ctx, s->set, IS_LEVEL, fl)) ||
            (rc = check_range(ctx, fl, s->level, 1, 5)) ||
            (rc = check_text(ctx, arena_printf(ctx->a, "%s.note", f), note, 0, CAND_NOTE_MAX,
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
    struct candidate before;
    if ((rc = candidate_get(ctx, id, &before)))
        goto out;
    if (!undecided(&before)) {
        rc = decided(ctx, &before);
        goto out;
    }
    struct buf kb;
    buf_init(&kb, 256 * 1024);
    for (int i = 0; i < in->n_scores && !rc; i++) {
        const struct interview_score *s = &in->scores[i];
        int64_t active = 0;
        const char *fc = arena_printf(ctx->a, "scores[%d].competency_id", i);
        rc = s->competency_id > 0
                 ? db_query_i64(ctx->db, "SELECT active FROM competencies WHERE id = ?", 1,
                                s->competency_id, &active, ctx->err)
                 : KAM_ENOTFOUND;
        if (rc == KAM_ENOTFOUND || (!rc && !active)) {
            kam_error_clear(ctx->err);
            rc = kam_fail_key(ctx->err, KAM_EINVAL, fc, "competency.no_such",
                              (struct kam_param[]){{"field", fc}, {0}},
                              "%s: no such active competency", fc);
            break;
        }
        if (rc)
            break;
        const char *note = (s->set & IS_NOTE) && s->note ? s->note : "";
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "DELETE FROM interview_scores WHERE candidate_id = ? AND "
                             "competency_id = ? AND interviewer_id = ?",
                             &st, ctx->err)))
            break;
        db_bind_i64(st, 1, id);
        db_bind_i64(st, 2, s->competency_id);
        db_bind_i64(st, 3, ctx->who.user_id);
        if ((rc = db_run(st, ctx->err)) ||
            (rc = db_prepare(ctx->db,
                             "INSERT INTO interview_scores (candidate_id, competency_id, "
                             "interviewer_id, level, note, scored_at) VALUES (?,?,?,?,?,?)",
                             &st, ctx->err)))
            break;
        db_bind_i64(st, 1, id);
        db_bind_i64(st, 2, s->competency_id);
        db_bind_i64(st, 3, ctx->who.user_id);
        db_bind_i64(st, 4, s->level);
        db_bind_text(st, 5, note);
        db_bind_i64(st, 6, ctx->now);
        rc = db_run(st, ctx->err);
        buf_printf(&kb, "%s%lld:%lld %s", i ? "\n" : "", (long long)s->competency_id,
                   (long long)s->level, note);
    }
    const char *key = arena_strndup(ctx->a, kb.data ? kb.data : "", kb.len);
    buf_release(&kb);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "interviewer_id", 0, 1, ctx->who.user_id, 0);
    audit_diff_str(&d, "interview_scores", NULL, key);
    if (!(rc = audit_write(ctx, "candidate", id, 0, "score", &d)))
        rc = candidate_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err candidate_decide(struct kam_ctx *ctx, int64_t id, const char *decision,
                              const char *reason, struct candidate *out)
{
    enum kam_err rc;
    if (!decision)
        return check_given(ctx, 0, 1, "decision");
    if ((rc = check_enum(ctx, "decision", decision, candidate_decisions)) ||
        (rc = check_text(ctx, "reason", reason, 0, CAND_REASON_MAX, CHECK_MULTILINE)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct candidate before, after;
    if ((rc = candidate_get(ctx, id, &before)))
        goto out;
    if (!undecided(&before)) {
        rc = decided(ctx, &before);
        goto out;
    }
    if (!reason || utf8_blank(reason)) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "reason", "candidate.reason_required", NULL,
                          "a decision is recorded with its reason");
        goto out;
    }
    if (!strcmp(decision, "promoted") && !before.has_user) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "decision", "candidate.promote_external", NULL,
                          "only an internal candidate is promoted; an external one is hired");
        goto out;
    }
    after = before;
    after.status = decision;
    after.decision_reason = reason;
    after.decided_by = ctx->who.user_id;
    after.has_decided_by = ctx->who.user_id > 0;
    after.decided_at = ctx->now;
    after.has_decided_at = 1;
    int changed = 0;
    if (!(rc = record_save(ctx, &cand_spec, id, &before, &after, NULL, "decide", &changed)))
        rc = candidate_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort cand_sorts[] = {{"id", "k.id", 0}};

enum kam_err candidate_list(struct kam_ctx *ctx, const struct candidate_query *q,
                            struct candidate **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, cand_sorts, 1, "-id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if (q->status && (rc = check_enum(ctx, "status", q->status, candidate_statuses)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " KCOLS KFROM " WHERE 1 = 1");
    if (q->profile_id) {
        sqlb_sql(&b, " AND k.profile_id = ?");
        sqlb_i64(&b, q->profile_id);
    }
    if (q->status) {
        sqlb_sql(&b, " AND k.status = ?");
        sqlb_text(&b, q->status);
    }
    struct candidate *items;
    const struct candidate *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "k.id", cand_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    for (size_t i = 0; i < n && !rc; i++)
        rc = load_iscores(ctx, &items[i]);
    if (rc)
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, items[n - 1].id, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ---- the ranking ---- */

static int ranked_cmp(const void *pa, const void *pb)
{
    const struct ranked *a = pa, *b = pb;
    if (a->fit_bp != b->fit_bp)
        return a->fit_bp > b->fit_bp ? -1 : 1;
    if (a->gap_sum != b->gap_sum)
        return a->gap_sum < b->gap_sum ? -1 : 1;
    return a->c.id < b->c.id ? -1 : a->c.id > b->c.id;
}

enum kam_err candidate_ranking(struct kam_ctx *ctx, int64_t profile_id, const char *status,
                               struct ranking *out)
{
    memset(out, 0, sizeof *out);
    enum kam_err rc;
    if (status && (rc = check_enum(ctx, "status", status, candidate_statuses)))
        return rc;
    struct role_profile p;
    if ((rc = role_profile_get(ctx, profile_id, &p)))
        return rc;
    out->profile_id = p.id;
    out->profile_code = p.code;
    out->on_day = competency_today(ctx);
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " KCOLS KFROM " WHERE k.profile_id = ?");
    sqlb_i64(&b, profile_id);
    if (status) {
        sqlb_sql(&b, " AND k.status = ?");
        sqlb_text(&b, status);
    }
    sqlb_sql(&b, " ORDER BY k.id LIMIT 500");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    void *cs;
    size_t nc = 0;
    if ((rc = rows_collect(ctx, st, CAND_RANK_MAX, cand_row, sizeof(struct candidate), &cs, &nc)))
        return rc;
    struct candidate *cands = cs;
    out->items = arena_calloc(ctx->a, nc ? nc : 1, sizeof *out->items);
    struct fit_item *fit = arena_calloc(ctx->a, p.n_levels ? p.n_levels : 1, sizeof *fit);
    for (size_t i = 0; i < nc; i++) {
        struct candidate *c = &cands[i];
        if ((rc = load_iscores(ctx, c)))
            return rc;
        struct competency_level *lv = NULL;
        size_t nl = 0;
        /* An internal candidate's assessed levels are personal data: they count only for a
         * caller who may read that person's assessments; otherwise the interviews do. */
        int sees = 0;
        if (c->has_user) {
            enum grant g = policy_grant(ctx->who.role, OBJ_ASSESSMENT, ACT_READ);
            sees = g == GRANT_ALL;
            if (g == GRANT_SCOPE && (rc = policy_manages_user(ctx, c->user_id, &sees)))
                return rc;
        }
        if (sees && (rc = competency_levels_of(ctx, c->user_id, out->on_day, &lv, &nl)))
            return rc;
        struct ranked *r = &out->items[out->n_items++];
        r->c = *c;
        r->levels = arena_calloc(ctx->a, p.n_levels ? p.n_levels : 1, sizeof *r->levels);
        r->n_levels = p.n_levels;
        r->meets = 1;
        for (size_t k = 0; k < p.n_levels; k++) {
            const struct profile_level *pl = &p.levels[k];
            struct rank_level *rl = &r->levels[k];
            rl->competency_id = pl->competency_id;
            rl->required = pl->level;
            rl->weight = pl->weight;
            rl->code = pl->code;
            for (size_t j = 0; j < nl; j++)
                if (lv[j].competency_id == pl->competency_id) {
                    rl->has_level = 1;
                    rl->level = lv[j].level;
                    rl->n = lv[j].n_assessments;
                    rl->source = "assessment";
                }
            if (!rl->has_level) {
                int64_t sum = 0;
                int n = 0;
                for (size_t j = 0; j < c->n_scores; j++)
                    if (c->scores[j].competency_id == pl->competency_id) {
                        sum += c->scores[j].level;
                        n++;
                    }
                if (n) {
                    rl->has_level = 1;
                    rl->level = (double)sum / n;
                    rl->n = n;
                    rl->source = "interview";
                }
            }
            double have = rl->has_level ? rl->level : 0;
            if (have < (double)pl->level) {
                r->meets = 0;
                r->gap_sum += (double)pl->level - have;
            }
            fit[k] = (struct fit_item){.required = pl->level,
                                       .weight = pl->weight,
                                       .has_level = rl->has_level,
                                       .level = rl->level};
        }
        r->fit_bp = competency_fit_bp(fit, p.n_levels);
    }
    qsort(out->items, out->n_items, sizeof *out->items, ranked_cmp);
    for (size_t i = 0; i < out->n_items; i++)
        out->items[i].rank = (int)i + 1;
    return KAM_OK;
}
