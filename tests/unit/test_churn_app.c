/* test_churn_app.c -- the churn model inside KAM (svc/risk/churn_features.c, churn_job.c): the
 * features of a constructed history computed by hand, the label at its boundary (a fall of
 * exactly X % is not positive, X % + 1 is), the retrain-due rule, training on a constructed
 * company (one active model, scores stored), an explanation that sums to the prediction
 * (intercept + every contribution = logit(p)) and the stored top factors, too little history. */
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analytics/churn.h"
#include "base/timeutil.h"
#include "fixture.h"
#include "svc/risk/churn_features.h"
#include "svc/risk/churn_job.h"
#include "test.h"

#define NOW                                                                                        \
    1780000000 /* 2026-05-28 20:26 UTC, 2026-05-29 in China: the last complete month is 2026-04 */

static int xsql(struct fixture *f, const char *sql)
{
    kam_error_clear(&f->e);
    enum kam_err rc = db_exec(f->db, sql, &f->e);
    if (rc)
        fprintf(stderr, "  sql failed: %s: %s\n", sql, f->e.msg);
    return rc == KAM_OK;
}

/* Noon UTC of a date (20:00 in China: the same day). */
static long long at(int y, int m, int d)
{
    return (long long)date_to_days(y, m, d) * 86400 + 12 * 3600;
}

static int64_t add_account(struct fixture *f, int64_t owner, const char *code)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO accounts (code, name, owner_id, tier, status, created_at, updated_at) "
             "VALUES ('%s', '%s', %lld, 'key', 'active', 1, 1)",
             code, code, (long long)owner);
    if (!xsql(f, sql))
        return 0;
    snprintf(sql, sizeof sql, "SELECT id FROM accounts WHERE code = '%s'", code);
    return fixture_q64(f, sql);
}

static int add_month(struct fixture *f, int64_t account, int yyyymm, long long amount)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO sales_monthly_account (account_id, month, quantity, amount, lines) "
             "VALUES (%lld, %d, 1, %lld, 1)",
             (long long)account, yyyymm, amount);
    return xsql(f, sql);
}

static size_t index_of(const struct churn_data *d, int64_t id)
{
    for (size_t i = 0; i < churn_data_accounts(d); i++)
        if (churn_data_account_id(d, i) == id)
            return i;
    return (size_t)-1;
}

TEST(churn_label_boundary_and_retrain_due)
{
    /* prev 10000: a fall to 7000 is exactly 30 % (not positive), to 6900 is 31 % (positive) */
    CHECK_EQ_INT(churn_label_of(10000, 7000, 3000), 0);
    CHECK_EQ_INT(churn_label_of(10000, 6900, 3000), 1);
    CHECK_EQ_INT(churn_label_of(10000, 7001, 3000), 0);
    CHECK_EQ_INT(churn_label_of(10000, 6999, 3000), 1);
    CHECK_EQ_INT(churn_label_of(10000, 0, 3000), 1); /* stops */
    CHECK_EQ_INT(churn_label_of(10000, 12000, 3000), 0);
    /* retrain: none, 30 days old, force -- not 29 days old */
    CHECK_EQ_INT(churn_retrain_due(0, 0, NOW, 0), 1);
    CHECK_EQ_INT(churn_retrain_due(1, NOW - 29 * 86400, NOW, 0), 0);
    CHECK_EQ_INT(churn_retrain_due(1, NOW - 30 * 86400, NOW, 0), 1);
    CHECK_EQ_INT(churn_retrain_due(1, NOW - 86400, NOW, 1), 1);
    CHECK_EQ_INT(churn_month_of_yyyymm(202604), 2026 * 12 + 3);
}

TEST(churn_features_by_hand)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t owner = fixture_add_user(&f, "am", "account_manager", 0);
    int64_t a = add_account(&f, owner, "A"), b = add_account(&f, owner, "B"),
            c = add_account(&f, owner, "C");
    int ok = owner && a && b && c;
    /* A: 1000 a month in 2025, then 900, 600, 300 and nothing in April 2026 */
    for (int m = 1; m <= 12 && ok; m++)
        ok = add_month(&f, a, 202500 + m, 1000);
    ok = ok && add_month(&f, a, 202601, 900) && add_month(&f, a, 202602, 600) &&
         add_month(&f, a, 202603, 300);
    /* B and C: 1000 a month Jul 2025 - Jan 2026, then 700 (a fall of exactly 30 %) and 690 */
    for (int m = 0; m < 10 && ok; m++) {
        int ym = m < 6 ? 202507 + m : 202601 + (m - 6);
        int later = m >= 7; /* Feb - Apr 2026 */
        ok = add_month(&f, b, ym, later ? 700 : 1000) && add_month(&f, c, ym, later ? 690 : 1000);
    }
    /* families: F2 before the window (Mar 2025), F1 twice, F3 once in it */
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO sales_monthly (account_id, month, family, region, channel, quantity, "
             "amount, lines) VALUES (%lld, 202503, 'F2', '', '', 1, 5, 1), (%lld, 202506, 'F1', "
             "'', '', 1, 5, 1), (%lld, 202601, 'F1', '', '', 1, 5, 1), (%lld, 202602, 'F3', '', "
             "'', 1, 5, 1)",
             (long long)a, (long long)a, (long long)a, (long long)a);
    ok = ok && xsql(&f, sql);
    /* visits: done 2025-12-10 (in the 6 months), done 2025-10-01 (before them); planned
     * 2026-04-20 not done (overdue), planned 2026-05-10 (after the cutoff), planned 2026-04-25
     * done 2026-05-03 (overdue at the cutoff), cancelled 2026-04-01 (never overdue) */
    snprintf(sql, sizeof sql,
             "INSERT INTO visits (account_id, owner_id, kind, planned_at, status, completed_at, "
             "created_at, updated_at) VALUES (%lld, %lld, 'visit', %lld, 'done', %lld, 1, 1), "
             "(%lld, %lld, 'visit', %lld, 'done', %lld, 1, 1), (%lld, %lld, 'visit', %lld, "
             "'planned', NULL, 1, 1), (%lld, %lld, 'visit', %lld, 'planned', NULL, 1, 1), (%lld, "
             "%lld, 'visit', %lld, 'done', %lld, 1, 1), (%lld, %lld, 'visit', %lld, 'cancelled', "
             "NULL, 1, 1)",
             (long long)a, (long long)owner, at(2025, 12, 9), at(2025, 12, 10), (long long)a,
             (long long)owner, at(2025, 10, 1), at(2025, 10, 1), (long long)a, (long long)owner,
             at(2026, 4, 20), (long long)a, (long long)owner, at(2026, 5, 10), (long long)a,
             (long long)owner, at(2026, 4, 25), at(2026, 5, 3), (long long)a, (long long)owner,
             at(2026, 4, 1));
    ok = ok && xsql(&f, sql);
    /* issues: Jan (resolved after its due time: a breach), Mar (in time), Sep 2025 (before the
     * window, never resolved) */
    snprintf(sql, sizeof sql,
             "INSERT INTO issues (account_id, title, category, severity, status, reported_at, "
             "response_due_at, resolution_due_at, resolved_at, created_at, updated_at) VALUES "
             "(%lld, 'x', 'quality', 'high', 'resolved', %lld, %lld, %lld, %lld, 1, 1), (%lld, "
             "'y', 'quality', 'high', 'resolved', %lld, %lld, %lld, %lld, 1, 1), (%lld, 'z', "
             "'quality', 'high', 'open', %lld, %lld, %lld, NULL, 1, 1)",
             (long long)a, at(2026, 1, 5), at(2026, 1, 6), at(2026, 1, 8), at(2026, 1, 10),
             (long long)a, at(2026, 3, 1), at(2026, 3, 2), at(2026, 3, 5), at(2026, 3, 4),
             (long long)a, at(2025, 9, 1), at(2025, 9, 2), at(2025, 9, 3));
    ok = ok && xsql(&f, sql);
    if (!fixture_setup_end(&f, ok))
        return;
    struct kam_ctx *ctx = fixture_ctx(&f);
    struct churn_data *d = NULL;
    CHECK_EQ_INT(churn_data_load(ctx, &d), KAM_OK);
    if (!d) {
        fixture_close(&f);
        return;
    }
    CHECK_EQ_INT(churn_month_now(ctx), churn_month_of_yyyymm(202605));
    int m = churn_month_of_yyyymm(202604);
    size_t ia = index_of(d, a), ib = index_of(d, b), ic = index_of(d, c);
    const char *cells[CF_COUNT];
    churn_features_row(ctx, d, ia, m, cells);
    CHECK_EQ_STR(cells[CF_VOL_3M], "900");    /* 600 + 300 + 0 */
    CHECK_EQ_STR(cells[CF_VOL_6M], "3800");   /* 1000 + 1000 + 900 + 600 + 300 + 0 */
    CHECK_EQ_STR(cells[CF_VOL_12M], "9800");  /* 8 x 1000 + 900 + 600 + 300 */
    CHECK_EQ_STR(cells[CF_CHG_3M], "-69");    /* 900 vs 2900: -68.97 % */
    CHECK_EQ_STR(cells[CF_CHG_YOY], "-70");   /* 900 vs 3000 */
    CHECK_EQ_STR(cells[CF_SINCE_BUY], "1");   /* March */
    CHECK_EQ_STR(cells[CF_ACTIVE_12M], "11"); /* May 2025 - Mar 2026 */
    CHECK_EQ_STR(cells[CF_FAMILIES], "2");    /* F1, F3 */
    CHECK_EQ_STR(cells[CF_TIER], "key");
    CHECK_EQ_STR(cells[CF_VISITS_6M], "1");
    CHECK_EQ_STR(cells[CF_VISITS_OVERDUE], "2");
    CHECK_EQ_STR(cells[CF_ISSUES_6M], "2");
    CHECK_EQ_STR(cells[CF_SLA_6M], "1");
    CHECK_EQ_STR(cells[CF_NPS], "");    /* no answers: missing */
    CHECK_EQ_STR(cells[CF_AR_DPD], ""); /* no invoices anywhere: missing */
    CHECK_EQ_STR(cells[CF_DSO], "");
    /* the label: A at Jan 2026 over 3 months: 2900 -> 900, positive; too little history at
     * May 2025 (first purchase Jan 2025); June 2025 3000 -> 3000 not positive */
    int last = m;
    CHECK_EQ_INT(churn_label_at(d, ia, churn_month_of_yyyymm(202601), 3, 3000, last), 1);
    CHECK_EQ_INT(churn_label_at(d, ia, churn_month_of_yyyymm(202505), 3, 3000, last), -1);
    CHECK_EQ_INT(churn_label_at(d, ia, churn_month_of_yyyymm(202506), 3, 3000, last), 0);
    CHECK_EQ_INT(churn_label_at(d, ia, churn_month_of_yyyymm(202602), 3, 3000, last), -1);
    /* B falls exactly 30 % (3000 -> 2100): not positive; C 31 % (3000 -> 2070): positive */
    CHECK_EQ_INT(churn_label_at(d, ib, churn_month_of_yyyymm(202601), 3, 3000, last), 0);
    CHECK_EQ_INT(churn_label_at(d, ic, churn_month_of_yyyymm(202601), 3, 3000, last), 1);
    CHECK_EQ_INT(churn_label_at(d, ic, churn_month_of_yyyymm(202601), 3, 3200, last), 0);

    /* receivables: one invoice of 1000 dated 2026-03-01, due 2026-03-31, unpaid: 30 days past
     * due on 2026-04-30, DSO 1000 x 91 / 1000 = 91; B's paid on 2026-04-10: not open */
    snprintf(sql, sizeof sql,
             "INSERT INTO invoices (invoice_no, account_id, day, due_day, amount, currency, "
             "amount_base, paid, paid_on, created_at, updated_at) VALUES ('I1', %lld, "
             "'2026-03-01', '2026-03-31', 1000, 'CNY', 1000, 0, NULL, 1, 1), ('I2', %lld, "
             "'2026-03-01', '2026-03-31', 500, 'CNY', 500, 500, '2026-04-10', 1, 1)",
             (long long)a, (long long)b);
    CHECK(xsql(&f, sql));
    CHECK_EQ_INT(churn_data_load(ctx, &d), KAM_OK);
    churn_features_row(ctx, d, index_of(d, a), m, cells);
    CHECK_EQ_STR(cells[CF_AR_DPD], "30");
    CHECK_EQ_STR(cells[CF_DSO], "91");
    churn_features_row(ctx, d, index_of(d, b), m, cells);
    CHECK_EQ_STR(cells[CF_AR_DPD], "0");
    CHECK_EQ_STR(cells[CF_DSO], "0");
    /* on 31 March the same invoice of B was open and due that day: not past due */
    churn_features_row(ctx, d, index_of(d, b), churn_month_of_yyyymm(202603), cells);
    CHECK_EQ_STR(cells[CF_AR_DPD], "0");
    CHECK_EQ_STR(cells[CF_DSO], "91");

    /* the tier at the cutoff, not today's ('key' for all three): A became key on 2026-05-10
     * (after the April cutoff) from important; B general -> important on 2026-02-01, then key on
     * 2026-05-10; C never changed */
    snprintf(sql, sizeof sql,
             "INSERT INTO tier_history (account_id, from_tier, to_tier, reason, at) VALUES "
             "(%lld, 'important', 'key', 'score', %lld), (%lld, 'general', 'important', 'score', "
             "%lld), (%lld, 'important', 'key', 'manual', %lld)",
             (long long)a, at(2026, 5, 10), (long long)b, at(2026, 2, 1), (long long)b,
             at(2026, 5, 10));
    CHECK(xsql(&f, sql));
    CHECK_EQ_INT(churn_data_load(ctx, &d), KAM_OK);
    churn_features_row(ctx, d, index_of(d, a), m, cells);
    CHECK_EQ_STR(cells[CF_TIER], "important");
    churn_features_row(ctx, d, index_of(d, b), m, cells);
    CHECK_EQ_STR(cells[CF_TIER], "important");
    churn_features_row(ctx, d, index_of(d, b), churn_month_of_yyyymm(202601), cells);
    CHECK_EQ_STR(cells[CF_TIER], "general");
    churn_features_row(ctx, d, index_of(d, b), churn_month_of_yyyymm(202605), cells);
    CHECK_EQ_STR(cells[CF_TIER], "key");
    churn_features_row(ctx, d, index_of(d, c), churn_month_of_yyyymm(202601), cells);
    CHECK_EQ_STR(cells[CF_TIER], "key");
    fixture_close(&f);
}

/* A company of 80 accounts from Jan 2024: every 4th declines 20 % a month for 4 months from
 * a month that depends on it, the others wobble around 1000. */
static int company(struct fixture *f, int n)
{
    int64_t owner = fixture_add_user(f, "am", "account_manager", 0);
    int ok = owner > 0;
    for (int k = 0; k < n && ok; k++) {
        char code[16];
        snprintf(code, sizeof code, "K%03d", k);
        int64_t id = add_account(f, owner, code);
        ok = id > 0;
        int start = 6 + (k / 4 % 7) * 3; /* months after Jan 2024 */
        for (int t = 0; t < 28 && ok; t++) {
            int yyyymm = (2024 + t / 12) * 100 + t % 12 + 1;
            double v = 1000 + (k * 37 + t * 11) % 200;
            if (k % 4 == 0 && t >= start)
                v *= t - start >= 4 ? 0.3 : 1 - 0.2 * (t - start + 1);
            ok = add_month(f, id, yyyymm, (long long)v);
        }
    }
    return ok;
}

TEST(churn_train_scores_explained)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    if (!fixture_setup_end(&f, company(&f, 80)))
        return;
    struct kam_ctx *ctx = fixture_ctx(&f);
    struct churn_model_info m;
    enum kam_err rc = churn_app_train(ctx, 6, 3000, &m);
    CHECK_EQ_INT(rc, KAM_OK);
    if (rc) {
        fprintf(stderr, "  %s\n", f.e.msg);
        fixture_close(&f);
        return;
    }
    CHECK(m.rows >= 200);
    CHECK(m.positives >= 20);
    CHECK(m.has_auc && m.auc_bp > 5000 && m.auc_bp <= 10000);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM churn_models WHERE active = 1"), 1);
    int64_t scored = fixture_q64(&f, "SELECT COUNT(*) FROM churn_scores WHERE day = '2026-05-29'");
    CHECK(scored > 0 && scored <= 80);
    /* again: still one active model, the scores now the new one's */
    struct churn_model_info m2;
    CHECK_EQ_INT(churn_app_train(ctx, 6, 3000, &m2), KAM_OK);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM churn_models"), 2);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM churn_models WHERE active = 1"), 1);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM churn_scores WHERE model_id <> "
                                 "(SELECT id FROM churn_models WHERE active = 1)"),
                 0);
    /* the scheduler: the model is fresh and today is scored -- nothing to do */
    int trained = -1, sc = -1;
    CHECK_EQ_INT(churn_job_run(ctx, 0, &trained, &sc), KAM_OK);
    CHECK_EQ_INT(trained, 0);
    CHECK_EQ_INT(sc, 0);

    /* the explanation of every scored account sums to its prediction, and the stored score
     * and top factors are the model's */
    struct db_stmt *st;
    CHECK_EQ_INT(db_prepare(f.db, "SELECT body FROM churn_models WHERE active = 1", &st, &f.e),
                 KAM_OK);
    int row = 0;
    char *body = NULL;
    if (!db_step(st, &row, &f.e) && row)
        body = strdup(db_col_text(st, 0));
    db_done(st);
    struct churn_model *cm = NULL;
    char why[200];
    CHECK(body && churn_model_load(body, strlen(body), &cm, why, sizeof why) == 0);
    free(body);
    struct churn_data *d = NULL;
    struct churn_table t = {0};
    int64_t *ids = NULL;
    CHECK_EQ_INT(churn_data_load(ctx, &d), KAM_OK);
    CHECK_EQ_INT(churn_scoring_table(ctx, d, churn_month_now(ctx) - 1, 6, &t, &ids), KAM_OK);
    CHECK_EQ_INT(t.nrows, scored);
    int map[64];
    CHECK(cm && churn_model_ncols(cm) <= 64 && churn_model_bind(cm, &t, map, why, sizeof why) == 0);
    int checked = 0, top_ok = 0;
    for (int r = 0; cm && r < t.nrows; r++) {
        struct churn_contrib all[64];
        double intercept = 0;
        double logit = churn_explain(cm, &t, map, r, all, &intercept);
        double p = churn_predict(cm, &t, map, r);
        double sum = intercept;
        int best = 0;
        for (int j = 0; j < churn_model_ncols(cm); j++) {
            sum += all[j].contrib;
            if (fabs(all[j].contrib) > fabs(all[best].contrib))
                best = j;
        }
        CHECK(fabs(sum - logit) < 1e-9);
        CHECK(fabs(logit - churn_logit(p)) < 1e-6);
        char q[200];
        snprintf(q, sizeof q,
                 "SELECT probability_bp FROM churn_scores WHERE account_id = %lld AND day = "
                 "'2026-05-29'",
                 (long long)ids[r]);
        CHECK_EQ_INT(fixture_q64(&f, q), lround(p * 10000));
        /* the first stored factor is the largest contribution */
        snprintf(q, sizeof q,
                 "SELECT COUNT(*) FROM churn_scores WHERE account_id = %lld AND factors LIKE "
                 "'[{\"feature\":\"%s\",%%'",
                 (long long)ids[r], churn_model_col_name(cm, all[best].col));
        top_ok += fixture_q64(&f, q) == 1;
        /* the stored factors (and the account's read, which serves them) are the learner's: the
         * largest contributions in order, each its feature's to 4 places, and with every other
         * contribution and the intercept they sum to the logit of the stored probability */
        struct churn_account ca;
        CHECK_EQ_INT(churn_account_get(fixture_ctx(&f), ids[r], &ca), KAM_OK);
        json_t *fj = ca.factors ? json_loads(ca.factors, 0, NULL) : NULL;
        CHECK(json_is_array(fj) && json_array_size(fj) >= 1 && json_array_size(fj) <= 5);
        double rest = intercept, prev = INFINITY;
        int used[64] = {0};
        size_t fi;
        json_t *fe;
        json_array_foreach(fj, fi, fe)
        {
            const char *name = json_string_value(json_object_get(fe, "feature"));
            double c = json_number_value(json_object_get(fe, "contribution"));
            int col = -1;
            for (int j = 0; name && j < churn_model_ncols(cm); j++)
                if (!strcmp(churn_model_col_name(cm, all[j].col), name))
                    col = j;
            CHECK(col >= 0);
            if (col < 0)
                continue;
            CHECK(fabs(c - all[col].contrib) <= 0.00005 + 1e-12);
            CHECK(fabs(c) <= prev + 0.0001);
            prev = fabs(c);
            used[col] = 1;
            rest += c;
        }
        for (int j = 0; j < churn_model_ncols(cm); j++) {
            if (used[j])
                continue;
            CHECK(fabs(all[j].contrib) <= prev + 0.0001); /* none left out is larger */
            rest += all[j].contrib;
        }
        double stored_p = ca.probability_bp / 10000.0;
        /* the stored p is rounded to 0.5 bp, and each stored contribution to 0.00005: up to 5 of
         * them move the logit by 0.00025, p by at most a quarter of that */
        CHECK(fabs(1 / (1 + exp(-rest)) - stored_p) <= 0.00005 + 0.25 * 0.00025 + 1e-9);
        json_decref(fj);
        checked++;
    }
    CHECK(checked > 0);
    CHECK_EQ_INT(top_ok, checked);
    churn_table_free(&t);
    churn_model_free(cm);

    /* the account's read: today's score, the model, one history point */
    struct churn_account ca;
    CHECK_EQ_INT(churn_account_get(ctx, ids[0], &ca), KAM_OK);
    CHECK_EQ_INT(ca.has_score, 1);
    CHECK_EQ_INT(ca.has_model, 1);
    CHECK_EQ_INT(ca.nhistory, 1);
    CHECK_EQ_STR(ca.day, "2026-05-29");
    /* an account scored on an earlier day only (no longer scored): that is history, not its
     * score now */
    int64_t gone =
        add_account(&f, fixture_q64(&f, "SELECT id FROM users WHERE login = 'am'"), "Z1");
    char zs[300];
    snprintf(zs, sizeof zs,
             "INSERT INTO churn_scores (account_id, day, model_id, probability_bp, factors) "
             "SELECT %lld, '2026-05-02', id, 4321, '[]' FROM churn_models WHERE active = 1",
             (long long)gone);
    CHECK(gone && xsql(&f, zs));
    CHECK_EQ_INT(churn_account_get(fixture_ctx(&f), gone, &ca), KAM_OK);
    CHECK_EQ_INT(ca.has_score, 0);
    CHECK(ca.day == NULL);
    CHECK_EQ_INT(ca.nhistory, 1);
    CHECK_EQ_INT(ca.history[0].probability_bp, 4321);
    /* a row of a later day by a model no longer active (a scheduler run in the future, then a
     * retraining today): the score now is still the list's day's */
    snprintf(zs, sizeof zs,
             "INSERT INTO churn_scores (account_id, day, model_id, probability_bp, factors) "
             "SELECT %lld, '2027-09-05', id, 1234, '[]' FROM churn_models WHERE active = 1",
             (long long)ids[0]);
    CHECK(xsql(&f, zs));
    CHECK(xsql(&f,
               "INSERT INTO churn_models (trained_at, horizon_months, drop_bp, rows, positives, "
               "features, body, active) VALUES (0, 6, 3000, 0, 0, '[]', '', 0)"));
    CHECK(xsql(&f, "UPDATE churn_scores SET model_id = (SELECT MAX(id) FROM churn_models) WHERE "
                   "day = '2027-09-05'"));
    struct churn_account now;
    CHECK_EQ_INT(churn_account_get(fixture_ctx(&f), ids[0], &now), KAM_OK);
    CHECK_EQ_INT(now.has_score, 1);
    CHECK_EQ_STR(now.day, "2026-05-29");
    CHECK(now.probability_bp != 1234);
    CHECK(xsql(&f, "DELETE FROM churn_scores WHERE day = '2027-09-05'"));
    /* the list, by probability descending */
    struct churn_query q = {.limit = 500};
    struct churn_row *items;
    size_t n;
    const char *next;
    CHECK_EQ_INT(churn_list(ctx, &q, &items, &n, &next), KAM_OK);
    CHECK_EQ_INT(n, scored);
    for (size_t i = 1; i < n; i++)
        CHECK(items[i - 1].probability_bp >= items[i].probability_bp);
    fixture_close(&f);
}

TEST(churn_too_little_history)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    if (!fixture_setup_end(&f, company(&f, 8)))
        return;
    struct kam_ctx *ctx = fixture_ctx(&f);
    struct churn_model_info m;
    enum kam_err rc = churn_app_train(ctx, 6, 3000, &m);
    fixture_check_err(&f, rc, KAM_ECONFLICT, "horizon_months");
    CHECK_EQ_STR(f.e.key, "churn.too_little_history");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM churn_models"), 0);
    fixture_check_err(&f, churn_app_train(fixture_ctx(&f), 13, 3000, &m), KAM_EINVAL,
                      "horizon_months");
    fixture_check_err(&f, churn_app_train(fixture_ctx(&f), 6, 50, &m), KAM_EINVAL, "drop_bp");
    /* the scheduler says so and trains nothing */
    int trained = -1, sc = -1;
    CHECK_EQ_INT(churn_job_run(fixture_ctx(&f), 1, &trained, &sc), KAM_OK);
    CHECK_EQ_INT(trained, 0);
    CHECK_EQ_INT(sc, 0);
    fixture_close(&f);
}

/* The scheduler's retraining that cannot succeed is tried again a day later, not on every pass
 * while the model is due. */
TEST(churn_retrain_backs_off)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    if (!fixture_setup_end(&f, company(&f, 80)))
        return;
    struct churn_model_info m;
    CHECK_EQ_INT(churn_app_train(fixture_ctx(&f), 6, 3000, &m), KAM_OK);
    /* 31 days old, with a definition the history cannot train (a fall of 99 % in 12 months) */
    char q[200];
    snprintf(q, sizeof q,
             "UPDATE churn_models SET trained_at = %lld, horizon_months = 12, drop_bp = 9900 "
             "WHERE active = 1",
             (long long)(NOW - 31 * 86400));
    CHECK(xsql(&f, q));
    int trained = -1, sc = -1;
    CHECK_EQ_INT(churn_job_run(fixture_ctx(&f), 0, &trained, &sc), KAM_OK);
    CHECK_EQ_INT(trained, 0);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT CAST(value AS INTEGER) FROM settings WHERE key = "
                                 "'churn.train_failed_at'"),
                 NOW);
    /* now it could train, but an hour later the scheduler does not try again */
    CHECK(xsql(&f, "UPDATE churn_models SET horizon_months = 6, drop_bp = 3000 WHERE active = 1"));
    f.ctx.now = NOW + 3600;
    CHECK_EQ_INT(churn_job_run(fixture_ctx(&f), 0, &trained, &sc), KAM_OK);
    CHECK_EQ_INT(trained, 0);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM churn_models"), 1);
    /* a day after the failure it does, and the failure is forgotten */
    f.ctx.now = NOW + 86400;
    CHECK_EQ_INT(churn_job_run(fixture_ctx(&f), 0, &trained, &sc), KAM_OK);
    CHECK_EQ_INT(trained, 1);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM churn_models"), 2);
    CHECK_EQ_INT(
        fixture_q64(&f, "SELECT COUNT(*) FROM settings WHERE key = 'churn.train_failed_at'"), 0);
    fixture_close(&f);
}

/* ---- PostgreSQL: two schedulers scoring one day (skipped without KAM_TEST_PG_DSN) ---- */

struct scorer {
    struct fixture f;
    enum kam_err rc;
    int scored;
};

static void *scorer_run(void *arg)
{
    struct scorer *s = arg;
    s->rc = churn_score_all(fixture_ctx(&s->f), &s->scored);
    return NULL;
}

TEST(churn_score_race_postgres)
{
    const char *base = getenv("KAM_TEST_PG_DSN");
    const char *slash = base ? strrchr(base, '/') : NULL;
    if (!base || !*base || !slash) {
        fprintf(stderr, "  (skipped: KAM_TEST_PG_DSN not set)\n");
        return;
    }
    char name[64], dsn[512], sql[160];
    snprintf(name, sizeof name, "kam_churn_%ld", (long)getpid());
    snprintf(dsn, sizeof dsn, "%.*s/%s", (int)(slash - base), base, name);
    struct db *adm;
    struct kam_error e = {0};
    if (db_open_raw(base, &adm, &e)) {
        CHECK(0);
        return;
    }
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    CHECK(!db_exec(adm, sql, &e));
    struct fixture f;
    if (fixture_open(&f, dsn, NOW) && fixture_setup_end(&f, company(&f, 80))) {
        struct churn_model_info m;
        CHECK_EQ_INT(churn_app_train(fixture_ctx(&f), 6, 3000, &m), KAM_OK);
        /* the next day: both schedulers find the day not yet scored */
        struct scorer s = {0};
        if (fixture_open(&s.f, dsn, NOW + 86400)) {
            f.ctx.now = NOW + 86400;
            CHECK(!db_begin(f.db, &f.e));
            int n = 0;
            CHECK_EQ_INT(churn_score_all(fixture_ctx(&f), &n), KAM_OK);
            CHECK(n > 0);
            pthread_t th;
            int started = pthread_create(&th, NULL, scorer_run, &s) == 0;
            int waited = started && fixture_pg_lock_wait(dsn);
            CHECK(!db_end(f.db, KAM_OK, &f.e));
            if (started)
                pthread_join(th, NULL);
            CHECK(waited);
            if (s.rc)
                fprintf(stderr, "  the second scorer: %s\n", s.f.e.msg);
            CHECK_EQ_INT(s.rc, KAM_OK);
            CHECK_EQ_INT(s.scored, n);
            CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM churn_scores WHERE day = "
                                         "'2026-05-30'"),
                         n);
            fixture_close(&s.f);
        }
        fixture_close(&f);
    }
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    db_exec(adm, sql, &e);
    db_close(adm);
}
