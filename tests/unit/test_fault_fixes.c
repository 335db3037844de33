/* test_fault_fixes.c -- failures that used to become values (base/err.h): a failed read of the
 * valuation's sales, of the KPIs' stored forecasts, and a refresh of the stored forecasts that
 * fails after its claim. Each breaks one table (renamed away) and checks that the service fails and
 * writes nothing, then that it works again once the table is back; the "no data" answers (no
 * forecast, too short a history) stay answers. Failed allocations inside src/analytics (FC_ENOMEM)
 * are the fault suite's (tests/fault/run.py). Every test name starts with "ff_". */
#include <stdint.h>
#include <string.h>

#include "fixture.h"
#include "store/db.h"
#include "svc/relationships/account.h"
#include "svc/relationships/valuation.h"
#include "svc/volume/kpi.h"
#include "svc/volume/outlook.h"
#include "svc/volume/volume.h"
#include "test.h"

#define NOW 1781524800 /* 2026-06-15T12:00:00Z */
#define DAY 86400

static int64_t mk_account(struct fixture *f, const char *code)
{
    int64_t owner = fixture_add_user(f, "ff_owner", "admin", 0);
    struct account_in in = {0};
    in.v.code = code;
    in.v.name = code;
    in.v.owner_id = owner;
    in.v.tier = "maintain";
    in.set = ACC_CODE | ACC_NAME | ACC_OWNER | ACC_TIER;
    struct account a = {0};
    enum kam_err rc = account_create(fixture_ctx(f), &in, &a);
    if (rc)
        fprintf(stderr, "  account_create %s: %s\n", code, f->e.msg);
    CHECK_EQ_INT(rc, KAM_OK);
    return rc ? 0 : a.id;
}

static int exec_ok(struct fixture *f, const char *sql)
{
    enum kam_err rc = db_exec(f->db, sql, &f->e);
    if (rc)
        fprintf(stderr, "  %s: %s\n", sql, f->e.msg);
    CHECK_EQ_INT(rc, KAM_OK);
    return rc == KAM_OK;
}

/* One month of sales of the account in the three rollups (amount in minor units). */
static void add_month(struct fixture *f, int64_t account, int month, int64_t amount)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "INSERT INTO sales_monthly_account (account_id, month, quantity, amount, lines) "
             "VALUES (%lld, %d, 1000, %lld, 1)",
             (long long)account, month, (long long)amount);
    exec_ok(f, sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO sales_monthly (account_id, month, family, region, channel, quantity, "
             "amount, lines) VALUES (%lld, %d, 'Servers', '', '', 1000, %lld, 1)",
             (long long)account, month, (long long)amount);
    exec_ok(f, sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO sales_monthly_dim (month, family, region, channel, quantity, amount, "
             "lines) VALUES (%d, 'Servers', '', '', 1000, %lld, 1)",
             month, (long long)amount);
    exec_ok(f, sql);
}

static const struct contribution *part(const struct valuation *v, const char *key)
{
    for (int i = 0; i < v->nparts; i++)
        if (!strcmp(v->parts[i].c->key, key))
            return &v->parts[i];
    return NULL;
}

/* svc/relationships/valuation.c computed_values: a failed sales query used to score the account
 * as if it had no sales (GET answered it, PATCH and the rescoring stored it). */
TEST(ff_valuation_failed_sales_query_fails)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t id = mk_account(&f, "FF-V1");
    add_month(&f, id, 202605, 100000000); /* one million yuan in the last 12 months: 50 */
    struct valuation v;
    struct assessment a = {"growth_potential", 60};
    CHECK_EQ_INT(valuation_assess(fixture_ctx(&f), id, &a, 1, "first", &v), KAM_OK);
    const struct contribution *c = part(&v, "volume_12m");
    CHECK(c && c->has_value && c->value == 50);
    int64_t score = fixture_q64(&f, "SELECT score FROM account_scores");
    CHECK(score > 0);

    /* The sales query fails (its wallet table is gone): every path fails, nothing is stored. */
    if (!exec_ok(&f, "ALTER TABLE wallet_estimates RENAME TO ff_wallet_gone"))
        goto out;
    fixture_check_err(&f, valuation_get(fixture_ctx(&f), id, &v), KAM_EDB, "");
    a.value = 90;
    fixture_check_err(&f, valuation_assess(fixture_ctx(&f), id, &a, 1, "second", &v), KAM_EDB, "");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT value FROM account_assessments WHERE criterion = "
                                 "'growth_potential'"),
                 60);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT score FROM account_scores"), score);
    int moved = 0;
    fixture_check_err(&f, valuation_rescore_all(fixture_ctx(&f), &moved), KAM_EDB, "");
    struct criterion cr;
    fixture_check_err(&f, criterion_update(fixture_ctx(&f), 1, 50, 1, 1, 0, &cr), KAM_EDB, "");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT weight FROM scoring_criteria WHERE id = 1"), 30);
    const int64_t thr[3] = {90, 70, 50};
    fixture_check_err(&f, valuation_set_thresholds(fixture_ctx(&f), thr, 7, &moved), KAM_EDB, "");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT value FROM settings WHERE key = 'tier_threshold.key'"),
                 60);
    struct assessment w = {"volume_12m", 90};
    struct preview_row *rows;
    size_t n;
    int64_t scored;
    fixture_check_err(&f, valuation_preview(fixture_ctx(&f), &w, 1, thr, 0, &rows, &n, &scored),
                      KAM_EDB, "");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'assessment'"), 1);

    /* Back: the same valuation as before. */
    if (!exec_ok(&f, "ALTER TABLE ff_wallet_gone RENAME TO wallet_estimates"))
        goto out;
    CHECK_EQ_INT(valuation_get(fixture_ctx(&f), id, &v), KAM_OK);
    c = part(&v, "volume_12m");
    CHECK(c && c->has_value && c->value == 50);
    CHECK_EQ_INT(v.score, score);
out:
    fixture_close(&f);
}

static enum kam_err kpi(struct fixture *f, enum volume_dim by, struct kpi_report *r)
{
    struct kpi_period per;
    CHECK_EQ_INT(kpi_period_parse("2026", &per), 0);
    struct volume_sel sel = {0};
    return kpi_compute(fixture_ctx(f), NULL, &sel, by, &per, 100, r);
}

/* svc/volume/kpi.c: a failed read of the stored forecasts (stored_sums, by_month's outlook_get)
 * used to be taken for "none stored" and the KPIs answered from a forecast of their own; a
 * history too short to forecast is no projection, not an error. */
TEST(ff_kpi_failed_forecast_read_fails)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    static const enum volume_dim dims[] = {VD_NONE, VD_MONTH, VD_FAMILY};
    struct kpi_report r;
    /* Nothing at all, then two months of sales: answers, without a forecast projection. */
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
        CHECK_EQ_INT(kpi(&f, dims[i], &r), KAM_OK);
    int64_t id = mk_account(&f, "FF-K1");
    add_month(&f, id, 202604, 500000);
    add_month(&f, id, 202605, 700000);
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        CHECK_EQ_INT(kpi(&f, dims[i], &r), KAM_OK);
        CHECK_EQ_INT(f.e.code, KAM_OK);
    }
    CHECK_EQ_INT(kpi(&f, VD_NONE, &r), KAM_OK);
    CHECK_EQ_INT(r.total.actual, 1200000);
    CHECK_EQ_INT(r.total.has_projection, 0);

    /* The stored forecasts cannot be read: the KPIs fail. */
    if (!exec_ok(&f, "ALTER TABLE forecasts RENAME TO ff_forecasts_gone"))
        goto out;
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
        fixture_check_err(&f, kpi(&f, dims[i], &r), KAM_EDB, "");
    if (!exec_ok(&f, "ALTER TABLE ff_forecasts_gone RENAME TO forecasts"))
        goto out;
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
        CHECK_EQ_INT(kpi(&f, dims[i], &r), KAM_OK);
out:
    fixture_close(&f);
}

/* volume_forecast's answers: KAM_EINVAL when the series has no forecast (the KPIs' "no
 * projection"), a forecast otherwise. */
TEST(ff_volume_forecast_no_forecast_is_einval)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct volume_forecast fc;
    const int64_t two[] = {0, 0, 100, 200};
    fixture_check_err(&f, volume_forecast(fixture_ctx(&f), two, 4, 3, &fc), KAM_EINVAL, "from");
    fixture_check_err(&f, volume_forecast(fixture_ctx(&f), two, 4, 37, &fc), KAM_EINVAL, "horizon");
    const int64_t six[] = {100, 120, 110, 130, 125, 140};
    CHECK_EQ_INT(volume_forecast(fixture_ctx(&f), six, 6, 3, &fc), KAM_OK);
    CHECK(fc.mean && fc.mean[0] > 0);
    fixture_close(&f);
}

static int64_t forecast_at(struct fixture *f)
{
    return fixture_q64(f, "SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE "
                          "key = 'jobs.forecast_at'), 0)");
}

/* svc/volume/outlook.c outlook_refresh_due: the claim (settings jobs.forecast_at) used to be
 * committed before the refresh and kept when it failed, so the day's scheduled refresh was
 * skipped. Now they commit or roll back together: first claim (INSERT), then a later day's
 * (UPDATE). */
TEST(ff_outlook_claim_rolls_back_with_refresh)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t id = mk_account(&f, "FF-O1");
    for (int m = 1; m <= 5; m++)
        add_month(&f, id, 202600 + m, 100000 * m);
    int n = -1;
    for (int day = 0; day < 2; day++) {
        int64_t before = forecast_at(&f);
        f.ctx.now = NOW + day * 2 * DAY;
        /* The store fails, after the claim and the forecasting. */
        if (!exec_ok(&f, "ALTER TABLE forecasts RENAME TO ff_forecasts_gone"))
            break;
        fixture_check_err(&f, outlook_refresh_due(fixture_ctx(&f), 0, &n), KAM_EDB, "");
        CHECK_EQ_INT(n, 0);
        CHECK_EQ_INT(forecast_at(&f), before); /* the claim went with the refresh */
        if (!exec_ok(&f, "ALTER TABLE ff_forecasts_gone RENAME TO forecasts"))
            break;
        /* The next pass is due and refreshes. */
        CHECK_EQ_INT(outlook_refresh_due(fixture_ctx(&f), 0, &n), KAM_OK);
        CHECK(n >= 3); /* total, the account, the family */
        CHECK_EQ_INT(forecast_at(&f), f.ctx.now);
        CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM forecasts WHERE level = 'total'"),
                     OUTLOOK_HORIZON);
        /* ... and the one after skips: claimed less than a day ago. */
        CHECK_EQ_INT(outlook_refresh_due(fixture_ctx(&f), 0, &n), KAM_OK);
        CHECK_EQ_INT(n, 0);
    }
    fixture_close(&f);
}
