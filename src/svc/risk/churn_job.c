/* churn_job.c -- the churn model inside KAM (churn_job.h): training on the features of
 * churn_features.c through analytics/churn, the active model, daily scores with their top
 * factors, and the reads behind the API. */
#include "churn_job.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/churn.h"
#include "base/buf.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "churn_features.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/home.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"

#define MODEL_COLS                                                                                 \
    "id, trained_at, horizon_months, drop_bp, rows, positives, auc_bp, features FROM "             \
    "churn_models"

double churn_logit(double p)
{
    return log(p / (1 - p));
}

int churn_retrain_due(int has_model, int64_t trained_at, int64_t now, int force)
{
    return force || !has_model || now - trained_at >= CHURN_MAX_AGE;
}

static void read_model(struct kam_ctx *ctx, struct db_stmt *st, struct churn_model_info *m)
{
    m->id = db_col_i64(st, 0);
    m->trained_at = db_col_i64(st, 1);
    m->horizon_months = (int)db_col_i64(st, 2);
    m->drop_bp = (int)db_col_i64(st, 3);
    m->rows = (int)db_col_i64(st, 4);
    m->positives = (int)db_col_i64(st, 5);
    m->has_auc = !db_col_is_null(st, 6);
    m->auc_bp = m->has_auc ? (int)db_col_i64(st, 6) : 0;
    m->features = arena_strdup(ctx->a, db_col_text(st, 7));
}

enum kam_err churn_model_active(struct kam_ctx *ctx, struct churn_model_info *out, int *found)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, "SELECT " MODEL_COLS " WHERE active = 1", &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    if (!(rc = db_step(st, &row, ctx->err)) && row) {
        read_model(ctx, st, out);
        *found = 1;
    }
    db_done(st);
    return rc;
}

/* Today (China time) as YYYY-MM-DD. */
static const char *today(struct kam_ctx *ctx)
{
    int y, m, d;
    days_to_date((ctx->now + HOME_TZ_OFFSET) / 86400, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

static void opts_of(struct churn_opts *o)
{
    static const char *const ignore[] = {CHURN_COL_CUTOFF, NULL};
    churn_opts_default(o);
    o->seed = CHURN_SEED;
    o->ignore = ignore;
}

/* The features as a JSON array (ctx->a). */
static const char *features_json(struct kam_ctx *ctx)
{
    struct buf b;
    buf_init(&b, 4096);
    struct jw w;
    jw_init(&w, &b);
    jw_arr_begin(&w);
    for (int f = 0; f < CF_COUNT; f++)
        jw_str(&w, churn_feature_names[f]);
    jw_arr_end(&w);
    const char *s = buf_ok(&b) ? arena_strdup(ctx->a, b.data) : NULL;
    buf_release(&b);
    return s;
}

/* Writes the model: the active one is replaced (the unique index on active = 1 refuses a
 * second one from a racing scheduler: KAM_ECONFLICT, rolled back to the savepoint). */
static enum kam_err store_model(struct kam_ctx *ctx, const struct churn_model_info *m,
                                const char *body, int64_t *id_out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct db_stmt *st;
    if (!(rc = db_prepare(ctx->db, "UPDATE churn_models SET active = 0 WHERE active = 1", &st,
                          ctx->err)))
        rc = db_run(st, ctx->err);
    if (!rc && !(rc = db_prepare(ctx->db,
                                 "INSERT INTO churn_models (trained_at, horizon_months, drop_bp, "
                                 "rows, positives, auc_bp, features, body, active) VALUES "
                                 "(?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
                                 &st, ctx->err))) {
        db_bind_i64(st, 1, m->trained_at);
        db_bind_i64(st, 2, m->horizon_months);
        db_bind_i64(st, 3, m->drop_bp);
        db_bind_i64(st, 4, m->rows);
        db_bind_i64(st, 5, m->positives);
        db_bind_i64n(st, 6, m->auc_bp, !m->has_auc);
        db_bind_text(st, 7, m->features);
        db_bind_text(st, 8, body);
        int row = 0;
        if (!(rc = db_step(st, &row, ctx->err)))
            *id_out = row ? db_col_i64(st, 0) : 0;
        db_done(st);
    }
    if (!rc) {
        /* who trained it (the system: the scheduler) and on what, audited with the model */
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_i64(&d, "horizon_months", 0, 1, m->horizon_months, 0);
        audit_diff_i64(&d, "drop_bp", 0, 1, m->drop_bp, 0);
        audit_diff_i64(&d, "rows", 0, 1, m->rows, 0);
        audit_diff_i64(&d, "positives", 0, 1, m->positives, 0);
        audit_diff_i64(&d, "auc_bp", 0, 1, m->auc_bp, !m->has_auc);
        rc = audit_write(ctx, "churn_model", *id_out, 0, "train", &d);
    }
    return db_end(ctx->db, rc, ctx->err);
}

/* Trains on the history, outside any transaction of its own (reads only): *body_out the model
 * (malloc'd, the caller frees it) for store_and_score; *enough 0 (no body) when there is too
 * little history. */
static enum kam_err train(struct kam_ctx *ctx, int horizon, int drop_bp,
                          struct churn_model_info *out, int *enough, char **body_out)
{
    memset(out, 0, sizeof *out);
    *enough = 0;
    *body_out = NULL;
    struct churn_data *d;
    enum kam_err rc = churn_data_load(ctx, &d);
    if (rc)
        return rc;
    struct churn_table t;
    int pos = 0;
    if ((rc = churn_training_table(ctx, d, horizon, drop_bp, churn_month_now(ctx) - 1, &t, &pos)))
        return rc;
    out->rows = t.nrows;
    out->positives = pos;
    out->horizon_months = horizon;
    out->drop_bp = drop_bp;
    if (t.nrows < CHURN_MIN_ROWS || pos < CHURN_MIN_POSITIVES ||
        t.nrows - pos < CHURN_MIN_POSITIVES) {
        churn_table_free(&t);
        return KAM_OK;
    }
    *enough = 1;
    struct churn_opts o;
    opts_of(&o);
    char why[256] = "";
    double fold_auc[CHURN_CV_FOLDS];
    double auc =
        churn_cv(&t, CHURN_COL_TARGET, &o, CHURN_CV_FOLDS, CHURN_SEED, fold_auc, why, sizeof why);
    if (auc < 0) {
        churn_table_free(&t);
        return kam_fail(ctx->err, KAM_EINTERNAL, NULL, "churn model: %s", why);
    }
    struct churn_model *m = NULL;
    struct churn_report rep;
    if (churn_train(&t, CHURN_COL_TARGET, NULL, 0, &o, &m, &rep, why, sizeof why)) {
        churn_table_free(&t);
        return kam_fail(ctx->err, KAM_EINTERNAL, NULL, "churn model: %s", why);
    }
    churn_table_free(&t);
    size_t len = 0;
    char *body = churn_model_save(m, &len);
    churn_model_free(m);
    if (!body)
        return kam_fail(ctx->err, KAM_EINTERNAL, NULL, "out of memory");
    out->trained_at = ctx->now;
    out->has_auc = auc >= 0;
    out->auc_bp = auc >= 0 ? (int)lround(auc * 10000) : 0;
    out->features = features_json(ctx);
    if (!out->features) {
        free(body);
        return kam_fail(ctx->err, KAM_EINTERNAL, NULL, "out of memory");
    }
    *body_out = body;
    return KAM_OK;
}

/* The factors of one row as JSON (ctx->a); NULL when out of memory (here or in the learner). */
static const char *factors_json(struct kam_ctx *ctx, const struct churn_model *m,
                                const struct churn_table *t, const int *map, int row, double *p)
{
    struct churn_contrib top[CHURN_TOP_FACTORS];
    double logit = 0, intercept = 0;
    logit = NAN;
    int k = churn_top_factors(m, t, map, row, CHURN_TOP_FACTORS, top, &logit, &intercept);
    if (k <= 0 || !isfinite(logit))
        return NULL; /* out of memory in the learner */
    *p = 1 / (1 + exp(-logit));
    struct buf b;
    buf_init(&b, 8192);
    struct jw w;
    jw_init(&w, &b);
    jw_arr_begin(&w);
    for (int j = 0; j < k; j++) {
        const char *name = churn_model_col_name(m, top[j].col);
        int c = map[top[j].col];
        const char *v = c >= 0 ? churn_cell(t, row, c) : "";
        jw_obj_begin(&w);
        jw_kstr(&w, "feature", name);
        jw_kstr(&w, "value", *v ? v : NULL);
        jw_kfixed(&w, "contribution", llround(top[j].contrib * 10000), 4);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    const char *s = buf_ok(&b) ? arena_strdup(ctx->a, b.data) : NULL;
    buf_release(&b);
    return s;
}

static enum kam_err score(struct kam_ctx *ctx, const struct churn_model_info *info,
                          const char *body, int *scored)
{
    *scored = 0;
    struct churn_model *m = NULL;
    char why[256] = "";
    if (churn_model_load(body, strlen(body), &m, why, sizeof why))
        return kam_fail(ctx->err, KAM_EINTERNAL, NULL, "churn model %lld: %s", (long long)info->id,
                        why);
    struct churn_data *d;
    struct churn_table t = {0};
    int64_t *ids = NULL;
    int *map = NULL;
    enum kam_err rc = churn_data_load(ctx, &d);
    if (!rc)
        rc = churn_scoring_table(ctx, d, churn_month_now(ctx) - 1, info->horizon_months, &t, &ids);
    if (!rc) {
        map = arena_calloc(ctx->a, (size_t)churn_model_ncols(m) + 1, sizeof *map);
        if (churn_model_bind(m, &t, map, why, sizeof why))
            rc = kam_fail(ctx->err, KAM_EINTERNAL, NULL, "churn model: %s", why);
    }
    const char *day = today(ctx);
    /* every row's score and factors first, then one bulk load (COPY on PostgreSQL) */
    const char **fs = arena_calloc(ctx->a, (size_t)t.nrows + 1, sizeof *fs);
    int64_t *bps = arena_calloc(ctx->a, (size_t)t.nrows + 1, sizeof *bps);
    for (int r = 0; !rc && r < t.nrows; r++) {
        double p = 0;
        if (!(fs[r] = factors_json(ctx, m, &t, map, r, &p)))
            rc = kam_fail(ctx->err, KAM_EINTERNAL, NULL, "out of memory");
        long bp = lround(p * 10000);
        bps[r] = bp < 0 ? 0 : bp > 10000 ? 10000 : bp;
    }
    if (!rc)
        rc = db_begin(ctx->db, ctx->err);
    if (!rc) {
        struct db_stmt *st;
        /* Two schedulers scoring one day take turns on the model's row (PostgreSQL; SQLite's
         * writers take turns anyway): the second waits, then replaces the first's rows with the
         * same ones instead of running into the primary key. */
        if (*db_update_lock(ctx->db) &&
            !(rc = db_prepare(ctx->db,
                              arena_printf(ctx->a, "SELECT id FROM churn_models WHERE id = ?%s",
                                           db_update_lock(ctx->db)),
                              &st, ctx->err))) {
            db_bind_i64(st, 1, info->id);
            int row = 0;
            rc = db_step(st, &row, ctx->err);
            db_done(st);
        }
        if (!rc &&
            !(rc = db_prepare(ctx->db, "DELETE FROM churn_scores WHERE day = ?", &st, ctx->err))) {
            db_bind_text(st, 1, day);
            rc = db_run(st, ctx->err);
        }
        struct db_bulk *b = NULL;
        if (!rc && t.nrows > 0 &&
            !(rc = db_bulk_begin(ctx->db, "churn_scores",
                                 "account_id, day, model_id, probability_bp, factors", &b,
                                 ctx->err))) {
            for (int r = 0; !rc && r < t.nrows; r++) {
                db_bulk_i64(b, ids[r]);
                db_bulk_text(b, day);
                db_bulk_i64(b, info->id);
                db_bulk_i64(b, bps[r]);
                db_bulk_text(b, fs[r]);
                rc = db_bulk_row(b, ctx->err);
            }
            rc = db_bulk_end(b, rc, ctx->err);
        }
        if (!rc)
            *scored = t.nrows;
        rc = db_end(ctx->db, rc, ctx->err);
    }
    if (rc)
        *scored = 0;
    churn_table_free(&t);
    churn_model_free(m);
    return rc;
}

/* Scores with the active model (loaded with its body) when force or not yet today. */
static enum kam_err score_active(struct kam_ctx *ctx, int force, int *scored)
{
    *scored = 0;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "SELECT " MODEL_COLS " WHERE active = 1 AND (? = 1 OR NOT EXISTS (SELECT 1 FROM "
                   "churn_scores s WHERE s.day = ? AND s.model_id = churn_models.id))",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, force);
    db_bind_text(st, 2, today(ctx));
    int row = 0;
    struct churn_model_info info;
    int found = 0;
    if (!(rc = db_step(st, &row, ctx->err)) && row) {
        read_model(ctx, st, &info);
        found = 1;
    }
    db_done(st);
    if (rc || !found)
        return rc;
    /* the body: another statement (the one above is given back) */
    if ((rc = db_prepare(ctx->db, "SELECT body FROM churn_models WHERE id = ?", &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, info.id);
    const char *body = NULL;
    if (!(rc = db_step(st, &row, ctx->err)) && row)
        body = arena_strdup(ctx->a, db_col_text(st, 0));
    db_done(st);
    if (rc || !body)
        return rc;
    return score(ctx, &info, body, scored);
}

enum kam_err churn_score_all(struct kam_ctx *ctx, int *scored)
{
    return score_active(ctx, 0, scored);
}

/* One transaction: the trained model stored as the active one with its audit row, and today's
 * scores by it -- all or nothing. The body is freed. */
static enum kam_err store_and_score(struct kam_ctx *ctx, struct churn_model_info *m, char *body,
                                    int *scored)
{
    *scored = 0;
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (!rc) {
        rc = store_model(ctx, m, body, &m->id);
        if (!rc)
            rc = score_active(ctx, 1, scored);
        rc = db_end(ctx->db, rc, ctx->err);
    }
    free(body);
    if (rc)
        *scored = 0;
    return rc;
}

enum kam_err churn_app_train(struct kam_ctx *ctx, int horizon_months, int drop_bp,
                             struct churn_model_info *out)
{
    enum kam_err rc;
    if ((rc = check_range(ctx, "horizon_months", horizon_months, 1, 12)) ||
        (rc = check_range(ctx, "drop_bp", drop_bp, 100, 9900)))
        return rc;
    int enough = 0;
    char *body = NULL;
    if ((rc = train(ctx, horizon_months, drop_bp, out, &enough, &body)))
        return rc;
    if (!enough) {
        char rows[24], pos[24];
        snprintf(rows, sizeof rows, "%d", out->rows);
        snprintf(pos, sizeof pos, "%d", out->positives);
        const struct kam_param params[] = {{"rows", rows}, {"positives", pos}, {NULL, NULL}};
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "horizon_months", "churn.too_little_history",
                            params,
                            "too little history to train: %d rows with %d falls (at least %d "
                            "rows and %d of each outcome needed)",
                            out->rows, out->positives, CHURN_MIN_ROWS, CHURN_MIN_POSITIVES);
    }
    int scored = 0;
    return store_and_score(ctx, out, body, &scored);
}

/* The time of the last failed training by the scheduler (settings churn.train_failed_at), 0 when
 * the last one succeeded or none failed. */
static enum kam_err failed_at(struct kam_ctx *ctx, int64_t *at)
{
    *at = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT value FROM settings WHERE key = 'churn.train_failed_at'", &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    if (!(rc = db_step(st, &row, ctx->err)) && row)
        *at = strtoll(db_col_text(st, 0), NULL, 10);
    db_done(st);
    return rc;
}

/* Records (at > 0) or clears (0) the failed training's time. A training that failed keeps its
 * error in ctx->err; this write's own error is logged, not returned over it. */
static enum kam_err set_failed_at(struct kam_ctx *ctx, int64_t at)
{
    struct kam_error keep = *ctx->err;
    memset(ctx->err, 0, sizeof *ctx->err);
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   at ? "INSERT INTO settings (key, value) VALUES ('churn.train_failed_at', ?) ON "
                        "CONFLICT (key) DO UPDATE SET value = excluded.value"
                      : "DELETE FROM settings WHERE key = 'churn.train_failed_at'",
                   &st, ctx->err);
    if (!rc) {
        if (at)
            db_bind_text(st, 1, arena_printf(ctx->a, "%lld", (long long)at));
        rc = db_run(st, ctx->err);
    }
    if (rc && keep.code) {
        log_warn("churn: the failed training's time was not kept: %s", ctx->err->msg);
        *ctx->err = keep;
        return keep.code;
    }
    if (keep.code)
        *ctx->err = keep;
    return rc;
}

enum kam_err churn_job_run(struct kam_ctx *ctx, int force, int *trained, int *scored)
{
    *trained = *scored = 0;
    struct churn_model_info act;
    int found = 0;
    int64_t failed = 0;
    enum kam_err rc = churn_model_active(ctx, &act, &found);
    if (!rc)
        rc = failed_at(ctx, &failed);
    if (rc)
        return rc;
    /* a training that could not succeed (too little history, a learner's failure) is tried
     * again a day later, not on every pass while it is due */
    if (churn_retrain_due(found, act.trained_at, ctx->now, force) &&
        (force || !failed || ctx->now - failed >= CHURN_RETRY_AFTER)) {
        int horizon = found ? act.horizon_months : CHURN_HORIZON_DEFAULT;
        int drop = found ? act.drop_bp : CHURN_DROP_DEFAULT;
        struct churn_model_info m;
        int enough = 0;
        char *body = NULL;
        rc = train(ctx, horizon, drop, &m, &enough, &body);
        if (!rc && enough)
            rc = store_and_score(ctx, &m, body, scored);
        if (rc == KAM_ECONFLICT) {
            /* another scheduler stored its model first */
            log_info("churn: another scheduler trained the model");
            memset(ctx->err, 0, sizeof *ctx->err);
            rc = KAM_OK;
        } else if (!rc && !enough) {
            log_info("churn: too little history to train (%d rows, %d falls; %d and %d needed)%s; "
                     "tried again in a day",
                     m.rows, m.positives, CHURN_MIN_ROWS, CHURN_MIN_POSITIVES,
                     found ? "; the model in use is kept" : "");
            rc = set_failed_at(ctx, ctx->now);
        } else if (!rc) {
            *trained = 1;
            if (failed)
                rc = set_failed_at(ctx, 0);
        } else
            rc = set_failed_at(ctx, ctx->now);
        if (rc)
            return rc;
    }
    return *trained ? KAM_OK : score_active(ctx, 0, scored);
}

/* ---- reads ---- */

enum kam_err churn_account_get(struct kam_ctx *ctx, int64_t account_id, struct churn_account *out)
{
    memset(out, 0, sizeof *out);
    out->account_id = account_id;
    enum kam_err rc = churn_model_active(ctx, &out->model, &out->has_model);
    if (rc)
        return rc;
    struct db_stmt *st;
    /* the latest day the active model scored (the list's day): the account's score of an
     * earlier day is history, not its score now (it is no longer scored) */
    const char *latest = NULL;
    if ((rc = db_prepare(ctx->db,
                         "SELECT MAX(s.day) FROM churn_scores s JOIN churn_models m ON m.id = "
                         "s.model_id AND m.active = 1",
                         &st, ctx->err)))
        return rc;
    int row = 0;
    if (!(rc = db_step(st, &row, ctx->err)) && row && !db_col_is_null(st, 0))
        latest = arena_strdup(ctx->a, db_col_text(st, 0));
    db_done(st);
    if (rc)
        return rc;
    /* the last 12 months: from the first day of the month 11 months before this one */
    int m0 = churn_month_now(ctx) - 11;
    const char *from = arena_printf(ctx->a, "%04d-%02d-01", m0 / 12, m0 % 12 + 1);
    if ((rc = db_prepare(ctx->db,
                         "SELECT day, probability_bp, factors FROM churn_scores WHERE "
                         "account_id = ? AND day >= ? ORDER BY day",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_text(st, 2, from);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        const char *day = db_col_text(st, 0);
        int bp = (int)db_col_i64(st, 1);
        struct churn_point *last = out->nhistory ? &out->history[out->nhistory - 1] : NULL;
        if (last && strncmp(last->day, day, 7) == 0) {
            last->day = arena_strdup(ctx->a, day); /* the month's last score */
            last->probability_bp = bp;
        } else if (out->nhistory < 12) {
            out->history[out->nhistory].day = arena_strdup(ctx->a, day);
            out->history[out->nhistory++].probability_bp = bp;
        }
        /* its score now is the row of the list's day, wherever it stands: a clock moved back
         * (`kam jobs run --now` into the future, then a retraining today) leaves rows of a later
         * day by a model no longer active */
        if (latest && !strcmp(day, latest)) {
            out->has_score = 1;
            out->day = arena_strdup(ctx->a, day);
            out->probability_bp = bp;
            out->factors = arena_strdup(ctx->a, db_col_text(st, 2));
        }
    }
    db_done(st);
    return rc;
}

static const struct page_sort sorts[] = {
    {"probability", "churn_scores.probability_bp", 0},
    {"name", "accounts.name", 1},
};

#define LIST_SELECT                                                                                \
    "SELECT churn_scores.account_id, accounts.owner_id, accounts.name, accounts.code, "            \
    "accounts.tier, churn_scores.day, churn_scores.factors, churn_scores.probability_bp FROM "     \
    "churn_scores JOIN accounts ON accounts.id = churn_scores.account_id"

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct churn_row *r = out;
    r->account_id = db_col_i64(st, 0);
    r->owner_id = db_col_i64(st, 1);
    r->account_name = arena_strdup(ctx->a, db_col_text(st, 2));
    r->account_code = arena_strdup(ctx->a, db_col_text(st, 3));
    r->tier = arena_strdup(ctx->a, db_col_text(st, 4));
    r->day = arena_strdup(ctx->a, db_col_text(st, 5));
    r->factors = arena_strdup(ctx->a, db_col_text(st, 6));
    r->probability_bp = (int)db_col_i64(st, 7);
}

enum kam_err churn_list(struct kam_ctx *ctx, const struct churn_query *q,
                        struct churn_row **items_out, size_t *n_out, const char **next_out)
{
    *items_out = NULL;
    *n_out = 0;
    *next_out = NULL;
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, sizeof sorts / sizeof sorts[0],
                                 q->sort ? q->sort : "-probability", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if ((rc = check_range(ctx, "min_bp", q->min_bp, 0, 10000)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, LIST_SELECT);
    /* the latest day the active model scored */
    sqlb_sql(&b, " WHERE churn_scores.day = (SELECT MAX(s.day) FROM churn_scores s JOIN "
                 "churn_models m ON m.id = s.model_id AND m.active = 1) AND "
                 "churn_scores.probability_bp >= ?");
    sqlb_i64(&b, q->min_bp);
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    struct churn_row *items;
    const struct churn_row *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "churn_scores.account_id", read_row, sizeof *items,
                         (void **)&items, &n, (const void **)&last)))
        return rc;
    if (last) {
        const struct churn_row *l = &items[n - 1];
        *next_out = page_cursor(ctx, &pg, l->account_name, l->probability_bp, l->account_id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}
