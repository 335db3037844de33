/* test_forecast13.c -- the forecasting defects of issue 13, section 1: seasonality kept for
 * series with zero months, outliers found and reported, no negative forecasts or bounds for
 * non-negative data, gaps in t refused or zero-filled, and intervals that stay right for each
 * series after reconciliation (coverage counted at account level on simulated series). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/forecast.h"
#include "fixture.h"
#include "store/db.h"
#include "svc/relationships/account.h"
#include "svc/volume/outlook.h"
#include "svc/volume/volume.h"
#include "test.h"

#define H 12

struct res13 {
    double b[5][H];
    struct fc_result r;
};

static struct fc_result *res13_init(struct res13 *x)
{
    memset(x, 0, sizeof *x);
    x->r = (struct fc_result){x->b[0], x->b[1], x->b[2], x->b[3], x->b[4], ""};
    return &x->r;
}

static unsigned long long rng13 = 88172645463325252ull;

static double unif13(void)
{
    rng13 ^= rng13 << 13;
    rng13 ^= rng13 >> 7;
    rng13 ^= rng13 << 17;
    return ((rng13 >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss13(void)
{
    return sqrt(-2 * log(unif13())) * cos(6.283185307179586 * unif13());
}

static int nonneg(const struct fc_result *r, int horizon)
{
    for (int h = 0; h < horizon; h++)
        if (r->mean[h] < 0 || r->lo80[h] < 0 || r->lo95[h] < 0 || r->hi80[h] < 0 || r->hi95[h] < 0)
            return 0;
    return 1;
}

/* A seasonal line that sells April to September only: zero months are ordinary. Before issue
 * 13 any zero dropped the seasonal adjustment and the forecast was flat. */
TEST(forecast13_zero_months_keep_seasonality)
{
    static const double season[12] = {0, 0, 0, 40, 80, 120, 160, 120, 80, 40, 0, 0};
    double y[60], x[60], fig[12];
    for (int t = 0; t < 60; t++)
        y[t] = season[t % 12] * (1 + 0.004 * t) + (season[t % 12] > 0 ? 3 * gauss13() : 0);
    CHECK_EQ_INT(fc_adjust(y, 60, 12, x, fig), FC_SA_ADD);
    CHECK(fig[6] > 50 && fig[0] < -30); /* additive figures: July high, January low */
    struct res13 s;
    struct fc_result *r = res13_init(&s);
    char why[100];
    CHECK(fc_forecast(y, 60, 12, H, NULL, r, why, sizeof why) == 0);
    /* the ETS member's heaviest model has an additive season (ANA, AAA or AAdA): zero-safe */
    CHECK(strncmp(r->method, "theta+A", 7) == 0);
    CHECK(r->method[strlen(r->method) - 1] == 'A');
    /* step h is month (60 + h) % 12: July at h = 6, January at h = 0 */
    CHECK(r->mean[6] > 120 && r->mean[6] < 220);
    CHECK(r->mean[0] < 20 && r->mean[1] < 20 && r->mean[11] < 20);
    CHECK(nonneg(r, H));
    /* ETS alone too */
    struct fc_opts ets = {FC_ETS, 0};
    CHECK(fc_forecast(y, 60, 12, H, &ets, r, why, sizeof why) == 0);
    CHECK(r->mean[6] > 120 && r->mean[6] < 220 && r->mean[0] < 20 && nonneg(r, H));
    /* Theta alone too */
    struct fc_opts theta = {FC_THETA, 0};
    CHECK(fc_forecast(y, 60, 12, H, &theta, r, why, sizeof why) == 0);
    CHECK(r->mean[6] > 120 && r->mean[0] < 20);
    /* negative months (returns): additive as well */
    for (int t = 0; t < 60; t++)
        y[t] -= 20;
    CHECK_EQ_INT(fc_adjust(y, 60, 12, x, fig), FC_SA_ADD);
    CHECK(fc_forecast(y, 60, 12, H, NULL, r, why, sizeof why) == 0);
    CHECK(r->mean[6] - r->mean[0] > 100);
    /* a positive series keeps the multiplicative adjustment */
    for (int t = 0; t < 60; t++)
        y[t] += 100;
    CHECK_EQ_INT(fc_adjust(y, 60, 12, x, fig), FC_SA_MUL);
}

/* One 1e15 month in a series of 89..147: found, reported, replaced; the forecast stays in the
 * data's range and nothing goes below zero. */
TEST(forecast13_outlier_reported_and_harmless)
{
    static const double base[24] = {89, 120, 147, 101, 95, 133, 140, 110, 92, 125, 131, 104,
                                    98, 117, 144, 108, 90, 128, 136, 112, 97, 122, 139, 106};
    double y[24];
    memcpy(y, base, sizeof y);
    y[9] = 1e15;
    struct res13 s;
    struct fc_result *r = res13_init(&s);
    struct fc_info info;
    char why[100];
    CHECK(fc_forecast_info(y, 24, 12, H, NULL, r, &info, why, sizeof why) == 0);
    CHECK_EQ_INT(info.n_outliers, 1);
    CHECK_EQ_INT(info.outliers[0], 9);
    for (int h = 0; h < H; h++)
        CHECK(r->mean[h] > 60 && r->mean[h] < 200 && r->hi95[h] < 1000);
    CHECK(nonneg(r, H));
    /* the same with every method */
    for (int m = FC_AUTO; m <= FC_NAIVE; m++) {
        struct fc_opts o = {(enum fc_method)m, 0};
        CHECK(fc_forecast_info(y, 24, 12, H, &o, r, &info, why, sizeof why) == 0);
        CHECK(info.n_outliers == 1 && r->mean[0] > 60 && r->mean[0] < 200 && nonneg(r, H));
    }
    /* ordinary noisy series (normal, trending, seasonal) have none */
    int flagged = 0;
    for (int k = 0; k < 200; k++) {
        double z[72], clean[72];
        int idx[FC_MAX_OUTLIERS];
        for (int t = 0; t < 72; t++)
            z[t] = 100 + 0.5 * t + 20 * sin(t * 0.5235987755982988) + (5 + k % 10) * gauss13();
        flagged += fc_outliers(z, 72, 12, clean, idx, FC_MAX_OUTLIERS) > 0;
    }
    CHECK_EQ_INT(flagged, 0);
    /* a MAD of zero (mostly one value): an ordinary different month is not an outlier ... */
    double flat[36], clean[36];
    int idx[FC_MAX_OUTLIERS];
    for (int t = 0; t < 20; t++)
        flat[t] = 5;
    flat[7] = 9;
    CHECK_EQ_INT(fc_outliers(flat, 20, 1, clean, idx, FC_MAX_OUTLIERS), 0);
    /* ... but 1e15 among 36 months of 100 is (it forecast ~1.85e13) */
    for (int t = 0; t < 36; t++)
        flat[t] = 100;
    flat[20] = 1e15;
    CHECK_EQ_INT(fc_outliers(flat, 36, 12, clean, idx, FC_MAX_OUTLIERS), 1);
    CHECK(idx[0] == 20 && clean[20] == 100);
    CHECK(fc_forecast_info(flat, 36, 12, H, NULL, r, &info, why, sizeof why) == 0);
    CHECK_EQ_INT(info.n_outliers, 1);
    for (int h = 0; h < H; h++)
        CHECK(r->mean[h] > 90 && r->mean[h] < 110 && r->hi95[h] < 1000 && r->lo95[h] >= 0);
    /* a mostly zero series has no level to judge by */
    for (int t = 0; t < 36; t++)
        flat[t] = t % 9 ? 0 : 50;
    CHECK_EQ_INT(fc_outliers(flat, 36, 12, clean, idx, FC_MAX_OUTLIERS), 0);
    /* fewer than 8 points: the median ratio */
    double few[5] = {100, 120, 1e15, 90, 110};
    CHECK_EQ_INT(fc_outliers(few, 5, 12, clean, idx, FC_MAX_OUTLIERS), 1);
    CHECK(idx[0] == 2 && clean[2] == 110);
    CHECK(fc_forecast_info(few, 5, 12, H, NULL, r, &info, why, sizeof why) == 0);
    CHECK(info.n_outliers == 1 && r->mean[0] > 60 && r->mean[0] < 200 && nonneg(r, H));
    double grow[5] = {100, 120, 900, 150, 110}; /* a big month, not a typing error */
    CHECK_EQ_INT(fc_outliers(grow, 5, 12, clean, idx, FC_MAX_OUTLIERS), 0);
}

/* A series falling towards zero: the trend would go negative; sales never do. */
TEST(forecast13_nonnegative_data_nonnegative_forecasts)
{
    double y[30];
    for (int t = 0; t < 30; t++)
        y[t] = 300 - 10 * t + 8 * gauss13();
    for (int t = 0; t < 30; t++)
        if (y[t] < 0)
            y[t] = 0;
    struct res13 s;
    struct fc_result *r = res13_init(&s);
    char why[100];
    for (int m = FC_AUTO; m <= FC_NAIVE; m++) {
        struct fc_opts o = {(enum fc_method)m, 0};
        CHECK(fc_forecast(y, 30, 1, H, &o, r, why, sizeof why) == 0);
        CHECK(nonneg(r, H));
    }
    /* data with a negative value may be forecast below zero */
    y[3] = -1;
    CHECK(fc_forecast(y, 30, 1, H, NULL, r, why, sizeof why) == 0);
    CHECK(r->lo95[H - 1] < 0);
}

static struct fc_series *find13(struct fc_series_set *set, const char *id)
{
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->s[i].id, id) == 0)
            return &set->s[i];
    return NULL;
}

/* t = 1..10, 14..39: refused naming t 11, or zero-filled under FC_CSV_FILL_ZERO. */
TEST(forecast13_csv_gaps)
{
    char doc[4096];
    size_t len = (size_t)snprintf(doc, sizeof doc, "series_id,t,value\n");
    for (int t = 1; t <= 39; t++)
        if (t < 11 || t > 13)
            len += (size_t)snprintf(doc + len, sizeof doc - len, "g,%d,%d\n", t, 100 + t);
    for (int t = 5; t <= 8; t++)
        len +=
            (size_t)snprintf(doc + len, sizeof doc - len, "ok,%d,%d\nfrac,%d.5,%d\n", t, t, t, t);
    len += (size_t)snprintf(doc + len, sizeof doc - len, "frac,20,1\n");
    struct fc_series_set set;
    char why[200];
    CHECK(fc_csv_parse(doc, len, &set, why, sizeof why) == 0);
    struct fc_series *g = find13(&set, "g"), *ok = find13(&set, "ok"), *fr = find13(&set, "frac");
    CHECK(g && strstr(g->err, "t 11 is missing") && strstr(g->err, "3 of 39"));
    CHECK(ok && !ok->err[0] && ok->n == 4 && ok->t0 == 5);
    CHECK(fr && !fr->err[0] && fr->n == 5 && isnan(fr->t0)); /* not periods: only ordered */
    fc_series_set_release(&set);
    CHECK(fc_csv_parse_opts(doc, len, FC_CSV_FILL_ZERO, &set, why, sizeof why) == 0);
    g = find13(&set, "g");
    CHECK(g && !g->err[0] && g->n == 39 && g->t0 == 1);
    CHECK(g && g->y[9] == 110 && g->y[10] == 0 && g->y[12] == 0 && g->y[13] == 114 &&
          g->y[38] == 139);
    fc_series_set_release(&set);
    /* a fill past the cap is refused, not allocated */
    const char *far = "series_id,t,value\nf,1,1\nf,1000000,2\n";
    CHECK(fc_csv_parse_opts(far, strlen(far), FC_CSV_FILL_ZERO, &set, why, sizeof why) == 0);
    CHECK(set.n == 1 && strstr(set.s[0].err, "periods") != NULL);
    fc_series_set_release(&set);
}

/* Accounts of very different noise under one total, forecast and reconciled top-down as
 * svc/volume/outlook.c does: the held-out months fall inside each account's intervals about
 * as often as they say. (Splitting the total's bounds by proportions gave every account the
 * total's relative width, and covered a fraction of that.) */
TEST(forecast13_account_interval_coverage)
{
    enum { ACC = 20, REP = 8, N = 48, HO = 6 };
    int b80 = 0, b95 = 0;
    static double hist[ACC + 1][N + HO];
    static double buf[ACC + 1][5][HO];
    struct fc_result fc[ACC + 1];
    int parent[ACC + 1];
    int in80 = 0, in95 = 0, cnt = 0;
    char why[100];
    for (int rep = 0; rep < REP; rep++) {
        memset(hist, 0, sizeof hist);
        for (int a = 1; a <= ACC; a++) {
            double level = 50 + 400 * unif13(), noise = level * (0.05 + 0.25 * (a % 5) / 4.0);
            double amp = 0.3 * unif13();
            for (int t = 0; t < N + HO; t++) {
                double v = level * (1 + amp * sin(t * 0.5235987755982988)) + noise * gauss13();
                /* account 1 has stopped buying: it forecasts 0, and keeps 0 after the split
                 * (one zero child used to make the whole split equal) */
                if (a == 1)
                    v = 0;
                hist[a][t] = v > 0 ? v : 0;
                hist[0][t] += hist[a][t];
            }
        }
        for (int i = 0; i <= ACC; i++) {
            fc[i] = (struct fc_result){buf[i][0], buf[i][1], buf[i][2], buf[i][3], buf[i][4], ""};
            parent[i] = i ? 0 : -1;
            CHECK(fc_forecast(hist[i], N, 12, HO, NULL, &fc[i], why, sizeof why) == 0);
        }
        for (int a = 1; a <= ACC; a++)
            for (int h = 0; h < HO; h++) {
                double v = hist[a][N + h];
                b80 += fc[a].lo80[h] <= v && v <= fc[a].hi80[h];
                b95 += fc[a].lo95[h] <= v && v <= fc[a].hi95[h];
            }
        CHECK(fc_reconcile(parent, ACC + 1, HO, FC_TOP_DOWN_FP, fc, why, sizeof why) == 0);
        for (int h = 0; h < HO; h++)
            CHECK(fabs(fc[1].mean[h]) < 1e-9 && fc[2].mean[h] > 10);
        for (int a = 1; a <= ACC; a++)
            for (int h = 0; h < HO; h++) {
                double v = hist[a][N + h];
                in80 += fc[a].lo80[h] <= v && v <= fc[a].hi80[h];
                in95 += fc[a].lo95[h] <= v && v <= fc[a].hi95[h];
                cnt++;
            }
    }
    double c80 = (double)in80 / cnt, c95 = (double)in95 / cnt;
    if (!(c80 > 0.70 && c80 < 0.92 && c95 > 0.88))
        fprintf(stderr, "  account coverage: 80 %% %.3f, 95 %% %.3f over %d (base %.3f %.3f)\n",
                c80, c95, cnt, (double)b80 / cnt, (double)b95 / cnt);
    CHECK(c80 > 0.70 && c80 < 0.92);
    CHECK(c95 > 0.88 && c95 <= 1);
}

/* The dashboard's forecast names the months it found to be outliers (by their index into the
 * values here; volume_forecast_sel turns them into months), after the leading months without
 * sales, and never forecasts below zero. */
TEST(forecast13_volume_forecast_outliers)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, 1796083200)) /* 2026-12-01 */
        return;
    int64_t v[30] = {0, 0};
    for (int i = 2; i < 30; i++)
        v[i] = 8900 + 700 * (i % 5) + 300 * (i % 3);
    v[20] = 1000000000000000LL;
    struct volume_forecast fc;
    CHECK_EQ_INT(volume_forecast(fixture_ctx(&f), v, 30, 6, &fc), KAM_OK);
    CHECK_EQ_INT(fc.n_outliers, 1);
    CHECK_EQ_INT(fc.outliers[0], 20);
    for (int h = 0; h < 6; h++)
        CHECK(fc.mean[h] > 5000 && fc.mean[h] < 20000 && fc.lo95[h] >= 0);
    fixture_close(&f);
}

static int64_t account13(struct fixture *f, const char *code, int64_t owner)
{
    struct account_in in = {0};
    in.v.code = code;
    in.v.name = code;
    in.v.owner_id = owner;
    in.v.tier = "maintain";
    in.set = ACC_CODE | ACC_NAME | ACC_OWNER | ACC_TIER;
    struct account a = {0};
    enum kam_err rc = account_create(fixture_ctx(f), &in, &a);
    CHECK_EQ_INT(rc, KAM_OK);
    return rc ? 0 : a.id;
}

static void month13(struct fixture *f, int64_t account, int month, int64_t amount)
{
    char sql[300];
    snprintf(sql, sizeof sql,
             "INSERT INTO sales_monthly_account (account_id, month, quantity, amount, lines) "
             "VALUES (%lld, %d, 1000, %lld, 1)",
             (long long)account, month, (long long)amount);
    CHECK_EQ_INT(db_exec(f->db, sql, &f->e), KAM_OK);
}

/* The stored forecasts (svc/volume/outlook.c): a steady large account and a noisy small one
 * under one total. Each keeps its own relative width; before issue 13 both had the total's. */
TEST(forecast13_outlook_account_widths)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, 1781524800)) /* 2026-06-15 */
        return;
    int64_t owner = fixture_add_user(&f, "f13_owner", "admin", 0);
    int64_t big = account13(&f, "F13-BIG", owner), small = account13(&f, "F13-SMALL", owner);
    for (int i = 0; i < 30; i++) {
        int month = volume_month_add(202312, i);
        month13(&f, big, month, (int64_t)(100000000 * (1 + 0.01 * gauss13())));
        month13(&f, small, month, (int64_t)(10000000 * (1 + 0.3 * gauss13())));
    }
    int n = 0;
    CHECK_EQ_INT(outlook_refresh(fixture_ctx(&f), &n), KAM_OK);
    struct outlook tot, b, s;
    char kb[24], ks[24];
    snprintf(kb, sizeof kb, "%lld", (long long)big);
    snprintf(ks, sizeof ks, "%lld", (long long)small);
    CHECK_EQ_INT(outlook_get(fixture_ctx(&f), "total", "", &tot), KAM_OK);
    CHECK_EQ_INT(outlook_get(fixture_ctx(&f), "account", kb, &b), KAM_OK);
    CHECK_EQ_INT(outlook_get(fixture_ctx(&f), "account", ks, &s), KAM_OK);
    if (tot.n && b.n && s.n) {
        double rt = (double)(tot.hi95[1] - tot.lo95[1]) / (double)tot.mean[1];
        double rs = (double)(s.hi95[1] - s.lo95[1]) / (double)s.mean[1];
        double rb = (double)(b.hi95[1] - b.lo95[1]) / (double)b.mean[1];
        CHECK(rs > 0.6 && rs > 5 * rt); /* +-30 % noise: about +-60 %, not the total's */
        CHECK(rb < 0.2);
        CHECK(s.lo95[1] >= 0 && s.mean[1] > 5000000 && s.mean[1] < 15000000);
    }
    fixture_close(&f);
}
