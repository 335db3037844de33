/* valuation.c -- criteria, assessments, scores, tiers, preview, screening. */
#include "valuation.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "base/buf.h"
#include "base/jw.h"
#include "base/timeutil.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/group.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

static const char *const threshold_keys[3] = {"tier_threshold.strategic", "tier_threshold.key",
                                              "tier_threshold.growth"};

#define CRIT_COLS "id, key, name_zh, name_en, kind, weight, active"

static void read_criterion(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct criterion *c = row;
    c->id = db_col_i64(st, 0);
    c->key = arena_strdup(ctx->a, db_col_text(st, 1));
    c->name_zh = arena_strdup(ctx->a, db_col_text(st, 2));
    c->name_en = arena_strdup(ctx->a, db_col_text(st, 3));
    c->kind = arena_strdup(ctx->a, db_col_text(st, 4));
    c->weight = db_col_i64(st, 5);
    c->active = (int)db_col_i64(st, 6);
}

enum kam_err criteria_list(struct kam_ctx *ctx, struct criterion **items_out, size_t *n_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, "SELECT " CRIT_COLS " FROM scoring_criteria ORDER BY id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    return rows_collect(ctx, st, VALUATION_MAX_CRITERIA, read_criterion, sizeof **items_out,
                        (void **)items_out, n_out);
}

enum kam_err valuation_thresholds(struct kam_ctx *ctx, int64_t out[3])
{
    static const int64_t defaults[3] = {80, 60, 40};
    for (int i = 0; i < 3; i++) {
        struct db_stmt *st;
        enum kam_err rc =
            db_prepare(ctx->db, "SELECT value FROM settings WHERE key = ?", &st, ctx->err);
        if (rc)
            return rc;
        db_bind_text(st, 1, threshold_keys[i]);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        out[i] = row ? strtoll(db_col_text(st, 0), NULL, 10) : defaults[i];
        db_done(st);
        if (rc)
            return rc;
    }
    return KAM_OK;
}

static const char *tier_for(int64_t score, const int64_t t[3])
{
    return score >= t[0]   ? "strategic"
           : score >= t[1] ? "key"
           : score >= t[2] ? "growth"
                           : "maintain";
}

/* The score from values (by criterion) and weights: the weighted mean over the active
 * criteria that have a value, rounded half up; *has 0 when none has. */
static void compute(struct contribution *parts, int n, const int64_t *weights, int64_t *score,
                    int *has)
{
    int64_t wsum = 0, wv = 0;
    for (int i = 0; i < n; i++)
        if (parts[i].has_value && parts[i].c->active) {
            wsum += weights[i];
            wv += weights[i] * parts[i].value;
        }
    *has = wsum > 0;
    for (int i = 0; i < n; i++)
        parts[i].points = wsum > 0 && parts[i].has_value && parts[i].c->active
                              ? (double)weights[i] * (double)parts[i].value / (double)wsum
                              : 0;
    /* Integers, rounding half up: Σwv/Σw + 1/2 = (2Σwv + Σw) / 2Σw. Summing the float shares
     * can land on 72.4999... where the exact mean is 72.5. */
    *score = *has ? (2 * wv + wsum) / (2 * wsum) : 0;
}

/* The inputs of the computed criteria: the account's sales in the twelve complete months
 * before this one and in the twelve before those, and its latest wallet estimate. A group's
 * are its own and its subsidiaries' (svc/core/group.h): mode VAL_GROUP the whole group (the
 * score is the company's figure of the account, the same for every reader), VAL_GROUP_SEEN only
 * the subsidiaries the caller may read (what a screen shows them); the wallet is then the sum
 * of the group's estimates for the latest year any of them has. A failed query is an error,
 * never "no sales". */
enum { VAL_ALONE, VAL_GROUP, VAL_GROUP_SEEN };

static enum kam_err load_inputs(struct kam_ctx *ctx, int64_t account_id, int mode,
                                struct valuation_figures *out)
{
    memset(out, 0, sizeof *out);
    int y, m, d;
    days_to_date(ctx->now / 86400, &y, &m, &d);
    int now = y * 12 + m - 1;
    int to = now - 1, from = now - 12, pfrom = now - 24, pto = now - 13;
    const char *ids = mode == VAL_ALONE ? "(?)"
                      : mode == VAL_GROUP
                          ? GROUP_IDS_SQL
                          : "(SELECT accounts.id FROM accounts WHERE accounts.id IN " GROUP_IDS_SQL
                            " AND " POLICY_SCOPE_COND ")";
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    if (mode == VAL_GROUP_SEEN && !policy_scope_with(ctx, &b))
        ids = GROUP_IDS_SQL; /* an org-wide reader sees the whole group */
    const char *parts[] = {
        "SELECT (SELECT SUM(amount) FROM sales_monthly_account WHERE account_id IN ",
        " AND month >= ? AND month <= ?), (SELECT SUM(amount) FROM "
        "sales_monthly_account WHERE account_id IN ",
        " AND month >= ? AND month <= ?), (SELECT SUM(amount) FROM "
        "wallet_estimates WHERE account_id IN ",
        " AND year = (SELECT MAX(year) FROM wallet_estimates WHERE account_id IN ", "))"};
    int64_t binds[][2] = {{(from / 12) * 100 + from % 12 + 1, (to / 12) * 100 + to % 12 + 1},
                          {(pfrom / 12) * 100 + pfrom % 12 + 1, (pto / 12) * 100 + pto % 12 + 1}};
    for (int i = 0; i < 4; i++) {
        sqlb_sql(&b, parts[i]);
        sqlb_sql(&b, ids);
        sqlb_i64(&b, account_id);
        if (i < 2) {
            sqlb_i64(&b, binds[i][0]);
            sqlb_i64(&b, binds[i][1]);
        }
    }
    sqlb_sql(&b, parts[4]);
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        out->has_12m = !db_col_is_null(st, 0);
        out->sales_12m = db_col_i64(st, 0);
        out->has_prev = !db_col_is_null(st, 1);
        out->sales_prev = db_col_i64(st, 1);
        out->has_wallet = !db_col_is_null(st, 2);
        out->wallet = db_col_i64(st, 2);
    }
    db_done(st);
    return rc;
}

enum kam_err valuation_inputs(struct kam_ctx *ctx, int64_t account_id, struct valuation_inputs *out)
{
    memset(out, 0, sizeof *out);
    enum kam_err rc = group_extent(ctx, account_id, &out->subsidiaries, &out->not_visible);
    if (!rc)
        rc = load_inputs(ctx, account_id, VAL_ALONE, &out->alone);
    if (!rc && out->subsidiaries)
        rc = load_inputs(ctx, account_id, VAL_GROUP_SEEN, &out->group);
    out->subsidiaries -= out->not_visible;
    return rc;
}

/* The satisfaction criterion's value (see computed_values): SQL of its own, as chapters do not
 * include each other. */
static enum kam_err satisfaction_value(struct kam_ctx *ctx, int64_t account_id, double *v, int *has)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN a.value >= 9 THEN 1 WHEN a.value <= 6 THEN -1 "
        "ELSE 0 END), 0), COUNT(DISTINCT r.id) FROM survey_responses r JOIN survey_answers a ON "
        "a.response_id = r.id JOIN survey_questions q ON q.id = a.question_id WHERE r.account_id = "
        "? AND q.kind = 'nps' AND a.value IS NOT NULL AND r.submitted_at >= ?",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_i64(st, 2, ctx->now - 365 * 86400);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t n = !rc && row ? db_col_i64(st, 0) : 0, net = !rc && row ? db_col_i64(st, 1) : 0;
    int64_t people = !rc && row ? db_col_i64(st, 2) : 0; /* distinct responses */
    db_done(st);
    if (!rc && people >= 3) {
        *v = (100.0 * (double)net / (double)n + 100.0) / 2.0;
        *has = 1;
    }
    return rc;
}

/* The computed criteria, 0-100, from the inputs of the account's whole group (load_inputs):
 *   volume_12m       25 x log10(yuan / 10,000), clamped: 10 thousand -> 0, 1 million -> 50,
 *                    100 million -> 100 (a log scale: key accounts differ by orders of magnitude)
 *   growth           50 + growth %, clamped: -50 % -> 0, flat -> 50, +50 % -> 100
 *   share_of_wallet  the share in %, clamped to 100
 *   satisfaction     (optional, issue 14: counted when a scoring_criteria row with this key
 *                    exists and is active) (NPS + 100) / 2 over the account's own answers to nps
 *                    questions of the last 365 days: -100 -> 0, 0 -> 50, +100 -> 100; no value
 *                    below 3 responses (the minimum n of svc/needs/satisfaction.h: the score is
 *                    shown to readers who may not read responses)
 * A criterion without data (no sales, no previous year, no estimate) has no value. */
static enum kam_err computed_values(struct kam_ctx *ctx, int64_t account_id, struct criterion *crit,
                                    size_t ncrit, struct contribution *parts)
{
    struct valuation_figures f;
    enum kam_err rc = load_inputs(ctx, account_id, VAL_GROUP, &f);
    if (rc)
        return rc;
    int has12 = f.has_12m, hasprev = f.has_prev, haswallet = f.has_wallet;
    int64_t a12 = f.sales_12m, prev = f.sales_prev, wallet = f.wallet;
    for (size_t i = 0; i < ncrit; i++) {
        if (strcmp(crit[i].kind, "computed"))
            continue;
        double v = 0;
        int has = 0;
        if (!strcmp(crit[i].key, "volume_12m") && has12) {
            v = a12 > 0 ? 25 * log10((double)a12 / 100.0 / 10000.0) : 0;
            has = 1;
        } else if (!strcmp(crit[i].key, "growth") && has12 && hasprev && prev > 0) {
            v = 50 + ((double)a12 / (double)prev - 1) * 100;
            has = 1;
        } else if (!strcmp(crit[i].key, "share_of_wallet") && has12 && haswallet && wallet > 0) {
            v = (double)a12 * 100 / (double)wallet;
            has = 1;
        } else if (!strcmp(crit[i].key, "satisfaction")) {
            if ((rc = satisfaction_value(ctx, account_id, &v, &has)))
                return rc;
        }
        if (!has)
            continue;
        parts[i].value = v < 0 ? 0 : v > 100 ? 100 : (int64_t)floor(v + 0.5);
        parts[i].has_value = 1;
    }
    return KAM_OK;
}

/* The account's criteria values: assessments for manual ones, sales for computed ones. */
static enum kam_err load_parts(struct kam_ctx *ctx, int64_t account_id, struct criterion *crit,
                               size_t ncrit, struct contribution *parts)
{
    for (size_t i = 0; i < ncrit; i++) {
        parts[i] = (struct contribution){.c = &crit[i]};
    }
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT criterion, value FROM account_assessments WHERE account_id = ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        const char *key = db_col_text(st, 0);
        for (size_t i = 0; i < ncrit; i++)
            if (!strcmp(crit[i].key, key) && !strcmp(crit[i].kind, "manual")) {
                parts[i].value = db_col_i64(st, 1);
                parts[i].has_value = 1;
            }
    }
    db_done(st);
    if (!rc)
        rc = computed_values(ctx, account_id, crit, ncrit, parts);
    return rc;
}

enum kam_err valuation_get(struct kam_ctx *ctx, int64_t account_id, struct valuation *out)
{
    memset(out, 0, sizeof *out);
    struct criterion *crit;
    size_t ncrit;
    int64_t thr[3];
    enum kam_err rc;
    if ((rc = criteria_list(ctx, &crit, &ncrit)) || (rc = valuation_thresholds(ctx, thr)) ||
        (rc = load_parts(ctx, account_id, crit, ncrit, out->parts)))
        return rc;
    out->nparts = (int)ncrit;
    int64_t weights[VALUATION_MAX_CRITERIA];
    for (size_t i = 0; i < ncrit; i++)
        weights[i] = crit[i].weight;
    compute(out->parts, out->nparts, weights, &out->score, &out->has_score);
    out->account_id = account_id;
    out->suggested_tier = out->has_score ? tier_for(out->score, thr) : NULL;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT accounts.tier, accounts.tier_locked, account_scores.computed_at "
                         "FROM accounts LEFT JOIN account_scores ON account_scores.account_id = "
                         "accounts.id WHERE accounts.id = ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, account_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        out->tier = arena_strdup(ctx->a, db_col_text(st, 0));
        out->tier_locked = (int)db_col_i64(st, 1);
        out->computed_at = db_col_is_null(st, 2) ? -1 : db_col_i64(st, 2);
    }
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such account");
    return rc;
}

/* Stores the score with its explanation and moves an unlocked tier. In a transaction. */
static enum kam_err store(struct kam_ctx *ctx, const struct valuation *v, int *moved)
{
    struct buf b;
    buf_init(&b, 1 << 16);
    struct jw w;
    jw_init(&w, &b);
    jw_arr_begin(&w);
    for (int i = 0; i < v->nparts; i++) {
        if (!v->parts[i].has_value || !v->parts[i].c->active)
            continue;
        jw_obj_begin(&w);
        jw_kstr(&w, "key", v->parts[i].c->key);
        jw_ki64(&w, "value", v->parts[i].value);
        jw_ki64(&w, "weight", v->parts[i].c->weight);
        jw_key(&w, "points");
        jw_double(&w, floor(v->parts[i].points * 10 + 0.5) / 10);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "INSERT INTO account_scores (account_id, score, details, "
                                 "computed_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO "
                                 "UPDATE SET score = excluded.score, details = excluded.details, "
                                 "computed_at = excluded.computed_at",
                                 &st, ctx->err);
    if (!rc) {
        db_bind_i64(st, 1, v->account_id);
        db_bind_i64(st, 2, v->score);
        db_bind_textn(st, 3, b.data, b.len);
        db_bind_i64(st, 4, ctx->now);
        rc = db_run(st, ctx->err);
    }
    buf_release(&b);
    if (rc || v->tier_locked || !v->suggested_tier || !strcmp(v->tier, v->suggested_tier))
        return rc;
    if ((rc = db_prepare(ctx->db,
                         "UPDATE accounts SET tier = ?, version = version + 1, updated_at = ? "
                         "WHERE id = ?",
                         &st, ctx->err)))
        return rc;
    db_bind_text(st, 1, v->suggested_tier);
    db_bind_i64(st, 2, ctx->now);
    db_bind_i64(st, 3, v->account_id);
    rc = db_run(st, ctx->err);
    if (rc)
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "tier", v->tier, v->suggested_tier);
    audit_diff_i64(&d, "score", 0, 1, v->score, 0);
    if ((rc = audit_write(ctx, "account", v->account_id, v->account_id, "update", &d)))
        return rc;
    (*moved)++;
    return account_record_tier(ctx, v->account_id, v->tier, v->suggested_tier, v->score, 1,
                               "score");
}

enum kam_err valuation_rescore(struct kam_ctx *ctx, int64_t account_id, int *moved_out)
{
    struct valuation v;
    enum kam_err rc = valuation_get(ctx, account_id, &v);
    if (rc || !v.has_score)
        return rc;
    return store(ctx, &v, moved_out);
}

enum kam_err valuation_rescore_all(struct kam_ctx *ctx, int *moved_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT DISTINCT account_id FROM account_assessments ORDER BY 1", &st, ctx->err);
    if (rc)
        return rc;
    size_t cap = 1024, n = 0;
    int64_t *ids = malloc(cap * sizeof *ids);
    int row = 0;
    /* The out-of-memory policy (base/err.h): a failed allocation fails the whole rescoring
     * instead of rescoring the accounts read so far and answering KAM_OK. */
    if (!ids)
        rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    while (!rc && !(rc = db_step(st, &row, ctx->err)) && row) {
        if (n == cap) {
            int64_t *more = realloc(ids, 2 * cap * sizeof *ids);
            if (!more) {
                rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
                break;
            }
            ids = more;
            cap *= 2;
        }
        ids[n++] = db_col_i64(st, 0);
    }
    db_done(st);
    struct arena *outer = ctx->a;
    for (size_t i = 0; !rc && i < n; i++) {
        struct arena a;
        arena_init(&a);
        ctx->a = &a;
        rc = valuation_rescore(ctx, ids[i], moved_out);
        ctx->a = outer;
        arena_release(&a);
    }
    free(ids);
    return rc;
}

enum kam_err valuation_assess(struct kam_ctx *ctx, int64_t account_id, const struct assessment *a,
                              size_t n, const char *note, struct valuation *out)
{
    struct criterion *crit;
    size_t ncrit;
    enum kam_err rc = criteria_list(ctx, &crit, &ncrit);
    if (rc || (rc = check_text(ctx, "note", note, 0, 2000, 1)))
        return rc;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < ncrit && strcmp(crit[k].key, a[i].key) != 0)
            k++;
        if (k == ncrit || strcmp(crit[k].kind, "manual") != 0)
            return kam_fail(ctx->err, KAM_EINVAL, a[i].key, "%s is not a manual criterion",
                            a[i].key);
        if ((rc = check_range(ctx, a[i].key, a[i].value, 0, 100)))
            return rc;
    }
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    for (size_t i = 0; !rc && i < n; i++) {
        int64_t before = 0;
        struct db_stmt *st;
        int had = 0;
        if (!(rc = db_prepare(ctx->db,
                              "SELECT value FROM account_assessments WHERE account_id = ? AND "
                              "criterion = ?",
                              &st, ctx->err))) {
            db_bind_i64(st, 1, account_id);
            db_bind_text(st, 2, a[i].key);
            int row = 0;
            rc = db_step(st, &row, ctx->err);
            had = !rc && row;
            before = had ? db_col_i64(st, 0) : 0;
            db_done(st);
        }
        if (rc || (rc = db_prepare(ctx->db,
                                   "INSERT INTO account_assessments (account_id, criterion, "
                                   "value, note, assessed_by, assessed_at) VALUES (?,?,?,?,?,?) "
                                   "ON CONFLICT (account_id, criterion) DO UPDATE SET value = "
                                   "excluded.value, note = excluded.note, assessed_by = "
                                   "excluded.assessed_by, assessed_at = excluded.assessed_at",
                                   &st, ctx->err)))
            break;
        db_bind_i64(st, 1, account_id);
        db_bind_text(st, 2, a[i].key);
        db_bind_i64(st, 3, a[i].value);
        db_bind_text(st, 4, note ? note : "");
        db_bind_i64n(st, 5, ctx->who.user_id, ctx->who.user_id == 0);
        db_bind_i64(st, 6, ctx->now);
        rc = db_run(st, ctx->err);
        audit_diff_i64(&d, a[i].key, before, !had, a[i].value, 0);
    }
    if (!rc)
        rc = audit_write(ctx, "assessment", account_id, account_id, "update", &d);
    else
        audit_diff_release(&d);
    int moved = 0;
    if (!rc)
        rc = valuation_rescore(ctx, account_id, &moved);
    if (!rc)
        rc = valuation_get(ctx, account_id, out);
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- criterion update (svc/core/update.h) ---- */

struct criterion_in {
    int64_t weight;
    int active, has_weight, has_active;
};

static enum kam_err crit_up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return row_get(ctx, "SELECT " CRIT_COLS " FROM scoring_criteria WHERE id = ?", id,
                   read_criterion, rec, "criterion");
}

static enum kam_err crit_up_merge(const struct update_op *op, void *rec)
{
    struct criterion *c = rec;
    const struct criterion_in *in = op->in;
    if (in->has_weight)
        c->weight = in->weight;
    if (in->has_active)
        c->active = in->active;
    return KAM_OK;
}

static void crit_up_diff(const struct update_op *op)
{
    const struct criterion *b = op->before, *a = op->after;
    audit_diff_i64(op->diff, "weight", b->weight, 0, a->weight, 0);
    audit_diff_i64(op->diff, "active", b->active, 0, a->active, 0);
}

static enum kam_err crit_up_write(const struct update_op *op)
{
    const struct criterion *c = op->after;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE scoring_criteria SET weight = ?, active = ?, updated_at = "
                                 "? WHERE id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, c->weight);
    db_bind_i64(st, 2, c->active);
    db_bind_i64(st, 3, ctx->now);
    db_bind_i64(st, 4, c->id);
    return db_run(st, ctx->err);
}

/* New weights: every account's score again. */
static enum kam_err crit_up_after(const struct update_op *op)
{
    int moved = 0;
    return valuation_rescore_all(op->ctx, &moved);
}

static const struct update_spec criterion_spec = {
    .entity = "criterion",
    .size = sizeof(struct criterion),
    .get = crit_up_get,
    .merge = crit_up_merge,
    .diff = crit_up_diff,
    .write = crit_up_write,
    .after = crit_up_after,
};

enum kam_err criterion_update(struct kam_ctx *ctx, int64_t id, int64_t weight, int has_weight,
                              int active, int has_active, struct criterion *out)
{
    enum kam_err rc;
    if (has_weight && (rc = check_range(ctx, "weight", weight, 0, 100)))
        return rc;
    struct criterion_in in = {weight, active, has_weight, has_active};
    return record_update(ctx, &criterion_spec, id, &in, out);
}

enum kam_err valuation_set_thresholds(struct kam_ctx *ctx, const int64_t t[3], unsigned mask,
                                      int *moved_out)
{
    int64_t cur[3], next[3];
    enum kam_err rc = valuation_thresholds(ctx, cur);
    if (rc)
        return rc;
    static const char *const names[3] = {"strategic", "key", "growth"};
    for (int i = 0; i < 3; i++) {
        next[i] = (mask & (1u << i)) ? t[i] : cur[i];
        if ((rc = check_range(ctx, names[i], next[i], 0, 100)))
            return rc;
    }
    if (!(next[0] > next[1] && next[1] > next[2]))
        return kam_fail(ctx->err, KAM_EINVAL, "key",
                        "thresholds must fall: strategic > key > growth");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    for (int i = 0; !rc && i < 3; i++) {
        char val[24];
        snprintf(val, sizeof val, "%lld", (long long)next[i]);
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                             "DO UPDATE SET value = excluded.value",
                             &st, ctx->err)))
            break;
        db_bind_text(st, 1, threshold_keys[i]);
        db_bind_text(st, 2, val);
        rc = db_run(st, ctx->err);
        audit_diff_i64(&d, names[i], cur[i], 0, next[i], 0);
    }
    if (!rc)
        rc = audit_write(ctx, "settings", 2, 0, "update", &d);
    else
        audit_diff_release(&d);
    if (!rc)
        rc = valuation_rescore_all(ctx, moved_out);
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err valuation_preview(struct kam_ctx *ctx, const struct assessment *weights, size_t nw,
                               const int64_t thresholds[3], unsigned tmask,
                               struct preview_row **rows_out, size_t *n_out, int64_t *scored_out)
{
    struct criterion *crit;
    size_t ncrit;
    int64_t cur_t[3], new_t[3];
    enum kam_err rc;
    if ((rc = criteria_list(ctx, &crit, &ncrit)) || (rc = valuation_thresholds(ctx, cur_t)))
        return rc;
    int64_t cur_w[VALUATION_MAX_CRITERIA], new_w[VALUATION_MAX_CRITERIA];
    for (size_t i = 0; i < ncrit; i++)
        cur_w[i] = new_w[i] = crit[i].weight;
    for (size_t j = 0; j < nw; j++) {
        size_t k = 0;
        while (k < ncrit && strcmp(crit[k].key, weights[j].key) != 0)
            k++;
        if (k == ncrit)
            return kam_fail(ctx->err, KAM_EINVAL, weights[j].key, "no criterion %s",
                            weights[j].key);
        if ((rc = check_range(ctx, weights[j].key, weights[j].value, 0, 100)))
            return rc;
        new_w[k] = weights[j].value;
    }
    static const char *const tnames[3] = {"threshold_strategic", "threshold_key",
                                          "threshold_growth"};
    for (int i = 0; i < 3; i++) {
        new_t[i] = (tmask & (1u << i)) ? thresholds[i] : cur_t[i];
        if ((rc = check_range(ctx, tnames[i], new_t[i], 0, 100)))
            return rc;
    }
    if (!(new_t[0] > new_t[1] && new_t[1] > new_t[2]))
        return kam_fail(ctx->err, KAM_EINVAL, "key",
                        "thresholds must fall: strategic > key > growth");
    /* Accounts in scope that have assessments, with their current tier. */
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT accounts.id, accounts.name, accounts.tier, accounts.tier_locked FROM "
                 "accounts WHERE accounts.id IN (SELECT account_id FROM account_assessments)");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    sqlb_sql(&b, " ORDER BY accounts.id LIMIT 20000");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    size_t cap = 64, n = 0, scanned = 0;
    struct {
        int64_t id;
        const char *name, *tier;
        int locked;
    } *acc = arena_calloc(ctx->a, 20000, sizeof *acc);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && scanned < 20000) {
        acc[scanned].id = db_col_i64(st, 0);
        acc[scanned].name = arena_strdup(ctx->a, db_col_text(st, 1));
        acc[scanned].tier = arena_strdup(ctx->a, db_col_text(st, 2));
        acc[scanned].locked = (int)db_col_i64(st, 3);
        scanned++;
    }
    db_done(st);
    if (rc)
        return rc;
    struct preview_row *rows = arena_calloc(ctx->a, cap, sizeof *rows);
    struct contribution parts[VALUATION_MAX_CRITERIA];
    for (size_t i = 0; !rc && i < scanned; i++) {
        if ((rc = load_parts(ctx, acc[i].id, crit, ncrit, parts)))
            break;
        int64_t s_old, s_new;
        int h_old, h_new;
        compute(parts, (int)ncrit, cur_w, &s_old, &h_old);
        compute(parts, (int)ncrit, new_w, &s_new, &h_new);
        if (!h_new || acc[i].locked)
            continue;
        const char *t_new = tier_for(s_new, new_t);
        if (!strcmp(t_new, acc[i].tier))
            continue;
        if (n == cap) {
            struct preview_row *more = arena_calloc(ctx->a, cap * 2, sizeof *more);
            memcpy(more, rows, cap * sizeof *rows);
            rows = more;
            cap *= 2;
        }
        rows[n++] = (struct preview_row){acc[i].id, s_old, s_new, acc[i].name, acc[i].tier, t_new};
    }
    *rows_out = rows;
    *n_out = n;
    *scored_out = (int64_t)scanned;
    return rc;
}

static void read_tier_change(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct tier_change *t = row;
    t->id = db_col_i64(st, 0);
    t->from_tier = db_col_is_null(st, 1) ? NULL : arena_strdup(ctx->a, db_col_text(st, 1));
    t->to_tier = arena_strdup(ctx->a, db_col_text(st, 2));
    t->has_score = !db_col_is_null(st, 3);
    t->score = db_col_i64(st, 3);
    t->reason = arena_strdup(ctx->a, db_col_text(st, 4));
    t->has_user = !db_col_is_null(st, 5);
    t->user_id = db_col_i64(st, 5);
    t->at = db_col_i64(st, 6);
}

enum kam_err valuation_history(struct kam_ctx *ctx, int64_t account_id,
                               struct tier_change **items_out, size_t *n_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, from_tier, to_tier, score, reason, user_id, at FROM "
                                 "tier_history WHERE account_id = ? ORDER BY id DESC LIMIT 200",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    return rows_collect(ctx, st, 200, read_tier_change, sizeof **items_out, (void **)items_out,
                        n_out);
}

enum kam_err account_screen(struct kam_ctx *ctx, int64_t account_id, const char *decision,
                            const char *reason)
{
    static const char *const decisions[] = {"accepted", "rejected", NULL};
    enum kam_err rc = check_enum(ctx, "decision", decision, decisions);
    if (rc || (rc = check_text(ctx, "reason", reason, 1, 2000, 1)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct account before;
    if ((rc = account_get(ctx, account_id, &before)))
        goto out;
    const char *status = !strcmp(decision, "accepted") ? "active" : "lost";
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "UPDATE accounts SET screening = ?, screening_reason = ?, screened_by = "
                         "?, screened_at = ?, status = ?, version = version + 1, updated_at = ? "
                         "WHERE id = ?",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, decision);
    db_bind_text(st, 2, reason);
    db_bind_i64n(st, 3, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_i64(st, 4, ctx->now);
    db_bind_text(st, 5, status);
    db_bind_i64(st, 6, ctx->now);
    db_bind_i64(st, 7, account_id);
    rc = db_run(st, ctx->err);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "screening", before.screening, decision);
    audit_diff_str(&d, "screening_reason", before.screening_reason, reason);
    audit_diff_str(&d, "status", before.status, status);
    rc = audit_write(ctx, "account", account_id, account_id, "screen", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}
