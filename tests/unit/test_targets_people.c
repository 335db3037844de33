/* test_targets_people.c -- issue 13, sections 2 and 3 in the services: growth like for like
 * (svc/volume/growth.c: the window, and last year's figure from the rollups plus the order lines
 * of the month in progress), and a plan split by owner and team (decomposition, roll-up, locks)
 * with the author refused as approver. Every test name starts with "targets_people_". */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "fixture.h"
#include "svc/core/user.h"
#include "svc/relationships/account.h"
#include "svc/relationships/demo.h"
#include "svc/volume/growth.h"
#include "svc/volume/kpi.h"
#include "svc/volume/product.h"
#include "svc/volume/sales.h"
#include "svc/volume/target.h"
#include "test.h"

static struct kam_ctx at(int y, int m, int d)
{
    struct kam_ctx c = {0};
    c.now = date_to_days(y, m, d) * 86400 + 12 * 3600;
    return c;
}

static int64_t day(int y, int m, int d)
{
    return date_to_days(y, m, d);
}

TEST(targets_people_growth_window)
{
    struct kam_ctx c = at(2026, 12, 5);
    int64_t a, b;
    growth_window(&c, 202612, 202612, &a, &b); /* December after five days */
    CHECK_EQ_INT(a, day(2025, 12, 1));
    CHECK_EQ_INT(b, day(2025, 12, 5));
    growth_window(&c, 202610, 202612, &a, &b); /* Q4: October, November, 1-5 December */
    CHECK_EQ_INT(a, day(2025, 10, 1));
    CHECK_EQ_INT(b, day(2025, 12, 5));
    growth_window(&c, 202601, 202612, &a, &b); /* the year to date */
    CHECK_EQ_INT(a, day(2025, 1, 1));
    CHECK_EQ_INT(b, day(2025, 12, 5));
    growth_window(&c, 202507, 202509, &a, &b); /* a past quarter: whole months */
    CHECK_EQ_INT(a, day(2024, 7, 1));
    CHECK_EQ_INT(b, day(2024, 9, 30));
    growth_window(&c, 202701, 202703, &a, &b); /* not started: whole months */
    CHECK_EQ_INT(b, day(2026, 3, 31));
    CHECK(growth_started(&c, 202612));
    CHECK(!growth_started(&c, 202701));
    struct kam_ctx leap = at(2028, 2, 29); /* 29 February compares with 28 February */
    growth_window(&leap, 202802, 202802, &a, &b);
    CHECK_EQ_INT(b, day(2027, 2, 28));
}

/* ---- a small world: two account managers in two teams, one account each ---- */

struct fx {
    struct fixture fix;
    int64_t team[2], am[2], acc[2], dir, dir2;
};

static struct kam_ctx *C(struct fx *f)
{
    return fixture_ctx(&f->fix);
}

static int line(struct fx *f, int k, int acc, const char *date, int64_t amount)
{
    struct order_in in = {0};
    char ext[24];
    snprintf(ext, sizeof ext, "TP%03d", k);
    in.set = ORD_EXTERNAL_ID | ORD_DATE | ORD_ACCOUNT | ORD_SKU | ORD_QUANTITY | ORD_AMOUNT;
    in.external_id = ext;
    in.date = date;
    in.account_id = f->acc[acc];
    in.sku = "TPSKU";
    in.quantity = 1000;
    in.amount = amount * 100;
    in.currency = "CNY";
    struct order_line out;
    enum kam_err rc = order_create(C(f), &in, &out);
    if (rc)
        fprintf(stderr, "  order_create %s: %s\n", ext, f->fix.e.msg);
    return rc == KAM_OK;
}

static int fx_open(struct fx *f)
{
    memset(f, 0, sizeof *f);
    /* 5 December 2026, noon UTC */
    if (!fixture_open(&f->fix, FIXTURE_MEMORY, day(2026, 12, 5) * 86400 + 12 * 3600))
        return 0;
    int ok = 1;
    for (int i = 0; i < 2 && ok; i++) {
        struct team_in ti = {.set = TEAM_NAME};
        ti.v.name = i ? "West" : "East";
        struct team t;
        ok = !team_create(C(f), &ti, &t);
        f->team[i] = t.id;
        f->am[i] = fixture_add_user(&f->fix, i ? "am_w" : "am_e", "account_manager", t.id);
        ok = ok && f->am[i];
    }
    f->dir = fixture_add_user(&f->fix, "dir", "director", 0);
    f->dir2 = fixture_add_user(&f->fix, "dir2", "director", 0);
    struct product_in pi = {.set = PROD_SKU | PROD_NAME | PROD_FAMILY};
    pi.sku = "TPSKU";
    pi.name = "TPSKU";
    pi.family = "Bearings";
    struct product p;
    ok = ok && !product_create(C(f), &pi, &p);
    for (int i = 0; i < 2 && ok; i++) {
        struct account_in in = {0};
        in.v.code = i ? "TPA2" : "TPA1";
        in.v.name = in.v.code;
        in.v.owner_id = f->am[i];
        in.set = ACC_CODE | ACC_NAME | ACC_OWNER;
        struct account a;
        ok = !account_create(C(f), &in, &a);
        f->acc[i] = a.id;
    }
    /* A1: October and November up, a big sale on 20 December 2025 (after the 5th) */
    ok = ok && line(f, 1, 0, "2025-10-10", 1000) && line(f, 2, 0, "2025-11-10", 1000) &&
         line(f, 3, 0, "2025-12-03", 100) && line(f, 4, 0, "2025-12-20", 5000) &&
         line(f, 5, 0, "2026-10-10", 1200) && line(f, 6, 0, "2026-11-10", 1100) &&
         line(f, 7, 0, "2026-12-02", 150);
    /* A2: 5 December is in, 6 December is out */
    ok = ok && line(f, 8, 1, "2025-12-05", 50) && line(f, 9, 1, "2025-12-06", 999) &&
         line(f, 10, 1, "2026-12-01", 300);
    return fixture_setup_end(&f->fix, ok);
}

static int64_t total_of(const struct volume_total *t, size_t n, const char *key)
{
    const struct volume_total *x = volume_total_find(t, n, key);
    return x ? x->total : -1;
}

TEST(targets_people_growth_last_year_like_for_like)
{
    struct fx f;
    if (!fx_open(&f))
        return;
    struct volume_sel sel = {0};
    struct volume_total *t;
    size_t n;
    CHECK_EQ_INT(growth_last_year(C(&f), &sel, VD_NONE, 202612, 202612, &t, &n), KAM_OK);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(n ? t[0].total : -1, 15000); /* 100 + 50 yuan: 1-5 December 2025 */
    CHECK_EQ_INT(growth_last_year(C(&f), &sel, VD_NONE, 202610, 202612, &t, &n), KAM_OK);
    CHECK_EQ_INT(n ? t[0].total : -1, 215000); /* 1000 + 1000 + 100 + 50 */
    CHECK_EQ_INT(growth_last_year(C(&f), &sel, VD_ACCOUNT, 202610, 202612, &t, &n), KAM_OK);
    char k0[24], k1[24];
    snprintf(k0, sizeof k0, "%lld", (long long)f.acc[0]);
    snprintf(k1, sizeof k1, "%lld", (long long)f.acc[1]);
    CHECK_EQ_INT(total_of(t, n, k0), 210000);
    CHECK_EQ_INT(total_of(t, n, k1), 5000);
    CHECK_EQ_INT(growth_last_year(C(&f), &sel, VD_FAMILY, 202612, 202612, &t, &n), KAM_OK);
    CHECK_EQ_INT(total_of(t, n, "Bearings"), 15000);
    /* a past period: whole months */
    CHECK_EQ_INT(growth_last_year(C(&f), &sel, VD_NONE, 202512, 202512, &t, &n), KAM_OK);
    CHECK_EQ_INT(n, 0); /* nothing in December 2024 */
    /* the KPI total: +28.6 % for December, not -91 % against the whole of December 2025 */
    struct kpi_period per;
    CHECK_EQ_INT(kpi_period_parse("2026-12", &per), 0);
    struct kpi_report r;
    CHECK_EQ_INT(kpi_compute(C(&f), NULL, &sel, VD_NONE, &per, 10, &r), KAM_OK);
    CHECK_EQ_INT(r.total.actual, 45000);
    CHECK_EQ_INT(r.total.last_year, 15000); /* 150 yuan: A1's 100 and A2's 50 */
    CHECK(r.total.has_growth && r.total.growth_pct > 0);
    CHECK(r.total.why_target && !strcmp(r.total.why_target, "no_plan"));
    fixture_close(&f.fix);
}

static int64_t cell_sum(struct fx *f, int64_t plan, const char *where)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT COALESCE(SUM(value), -1) FROM target_cells WHERE plan_id = %lld%s",
             (long long)plan, where);
    return fixture_q64(&f->fix, sql);
}

TEST(targets_people_owner_plan_split_lock_and_sod)
{
    struct fx f;
    if (!fx_open(&f))
        return;
    fixture_as(&f.fix, f.dir, ROLE_DIRECTOR);
    struct target_in in = {0};
    in.set = TP_YEAR | TP_NAME | TP_TOTAL | TP_DIMS | TP_SPECIFIC | TP_MEASURABLE | TP_ACHIEVABLE |
             TP_RELEVANT | TP_DEADLINE;
    in.year = 2026;
    in.name = "by owner";
    in.total = 10000;
    in.dims = "owner,month";
    const char *smart = "以可衡量、可实现、相关且有期限的方式提高重点客户的销量";
    in.specific = in.measurable = in.achievable = in.relevant = smart;
    in.deadline = "2026-12-31";
    struct target_plan p;
    CHECK_EQ_INT(target_create(C(&f), &in, &p), KAM_OK);
    CHECK_EQ_INT(target_decompose(C(&f), p.id, NULL, &p), KAM_OK);
    CHECK_EQ_INT(cell_sum(&f, p.id, ""), 10000);
    char w[120];
    /* basis 2025: A1 7100, A2 1049 -> 8713 / 1287 (largest remainder) */
    snprintf(w, sizeof w, " AND owner_id = %lld AND team_id = %lld", (long long)f.am[0],
             (long long)f.team[0]);
    int64_t east = cell_sum(&f, p.id, w);
    snprintf(w, sizeof w, " AND owner_id = %lld AND team_id = %lld", (long long)f.am[1],
             (long long)f.team[1]);
    int64_t west = cell_sum(&f, p.id, w);
    CHECK_EQ_INT(east + west, 10000);
    CHECK_EQ_INT(east, 8713);
    CHECK_EQ_INT(fixture_q64(&f.fix, "SELECT COUNT(*) FROM target_cells WHERE account_id <> 0"), 0);
    /* lock East's October, set West's December to 500: East's October keeps its value, East's
     * other months take the rest, the total holds */
    snprintf(w, sizeof w, " AND owner_id = %lld AND month = 10", (long long)f.am[0]);
    int64_t oct = cell_sum(&f, p.id, w);
    CHECK_EQ_INT(oct, 1227);
    struct target_sel s = {0};
    s.owner_id = f.am[0];
    s.month = 10;
    int64_t changed;
    CHECK_EQ_INT(target_set_cells(C(&f), p.id, &s, 0, 0, 1, NULL, &changed), KAM_OK);
    memset(&s, 0, sizeof s);
    s.team_id = f.team[1];
    s.month = 12;
    CHECK_EQ_INT(target_set_cells(C(&f), p.id, &s, 1, 500, -1, NULL, &changed), KAM_OK);
    CHECK_EQ_INT(cell_sum(&f, p.id, w), oct);
    snprintf(w, sizeof w, " AND team_id = %lld AND month = 12", (long long)f.team[1]);
    CHECK_EQ_INT(cell_sum(&f, p.id, w), 500);
    CHECK_EQ_INT(cell_sum(&f, p.id, ""), 10000);
    east = 9500;
    /* the grid by team rolls the owners' cells up */
    struct target_grid g;
    struct target_sel none = {0};
    CHECK_EQ_INT(target_grid(C(&f), p.id, TD_TEAM, 0, &none, &g), KAM_OK);
    CHECK_EQ_INT(g.nrows, 2);
    CHECK_EQ_INT(g.total, 10000);
    CHECK(g.nrows == 2 && !strcmp(g.rows[0].label, "East") && g.rows[0].total == east);
    /* separation of duties: the author may not approve; another director may */
    CHECK_EQ_INT(target_submit(C(&f), p.id, &p), KAM_OK);
    fixture_check_err(&f.fix, target_approve(C(&f), p.id, "", &p), KAM_ECONFLICT, "approved_by");
    CHECK(!strcmp(f.fix.e.key, "plan_self_approval"));
    fixture_as(&f.fix, f.dir2, ROLE_DIRECTOR);
    CHECK_EQ_INT(target_approve(C(&f), p.id, "", &p), KAM_OK);
    CHECK_EQ_INT(p.approved_by, f.dir2);
    /* KPIs by owner and by team come from the cells */
    struct kpi_period per;
    CHECK_EQ_INT(kpi_period_parse("2026", &per), 0);
    struct kpi_report r;
    struct volume_sel sel = {0};
    CHECK_EQ_INT(kpi_compute_people(C(&f), &p, &sel, KPI_BY_TEAM, &per, &r), KAM_OK);
    CHECK_EQ_INT(r.n, 2);
    int64_t tsum = 0;
    for (size_t i = 0; i < r.n; i++)
        tsum += r.items[i].target;
    CHECK_EQ_INT(tsum, 10000);
    CHECK_EQ_INT(r.total.target, 10000);
    CHECK(r.n == 2 && r.items[0].rank == 1 && r.items[1].rank == 2);
    CHECK(r.n == 2 && r.items[0].attainment_pct >= r.items[1].attainment_pct);
    /* an account manager sees their own line only */
    fixture_as(&f.fix, f.am[1], ROLE_ACCOUNT_MANAGER);
    CHECK_EQ_INT(kpi_compute_people(C(&f), &p, &sel, KPI_BY_OWNER, &per, &r), KAM_OK);
    CHECK_EQ_INT(r.n, 1);
    CHECK(r.n == 1 && r.items[0].has_target && r.items[0].actual == 30000);
    fixture_close(&f.fix);
}

/* The demo's plans keep separation of duties: this year's is written by the director and
 * approved by the general manager; next year's draft is written (and owned) by the director, so
 * the director cannot approve it (it used to be written as the system user, with no author to
 * compare). */
TEST(targets_people_demo_plans_sod)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, (int64_t)date_to_days(2026, 12, 6) * 86400 + 43200))
        return;
    struct demo_stats st;
    CHECK_EQ_INT(demo_load(&f.ctx, 12, &st), KAM_OK);
    int64_t dir = fixture_q64(&f, "SELECT id FROM users WHERE login = 'director'");
    int64_t gm = fixture_q64(&f, "SELECT id FROM users WHERE login = 'gm'");
    CHECK(dir > 0 && gm > 0 && dir != gm);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM target_plans p WHERE status = 'approved' "
                                 "AND approved_by IS NOT NULL AND approved_by <> (SELECT user_id "
                                 "FROM audit WHERE entity = 'target_plan' AND entity_id = p.id AND "
                                 "action = 'create')"),
                 1);
    int64_t draft = fixture_q64(&f, "SELECT id FROM target_plans WHERE status = 'draft'");
    CHECK(draft > 0);
    char q[200];
    snprintf(q, sizeof q,
             "SELECT user_id FROM audit WHERE entity = 'target_plan' AND entity_id = %lld AND "
             "action = 'create'",
             (long long)draft);
    CHECK_EQ_INT(fixture_q64(&f, q), dir);
    fixture_as(&f, dir, ROLE_DIRECTOR);
    struct target_plan p;
    CHECK_EQ_INT(target_submit(&f.ctx, draft, &p), KAM_OK);
    CHECK_EQ_INT(target_approve(&f.ctx, draft, NULL, &p), KAM_ECONFLICT);
    CHECK(!strcmp(f.e.key, "plan_self_approval"));
    kam_error_clear(&f.e);
    fixture_as(&f, gm, ROLE_DIRECTOR);
    CHECK_EQ_INT(target_approve(&f.ctx, draft, NULL, &p), KAM_OK);
    CHECK(p.has_approved && p.approved_by == gm);
    fixture_close(&f);
}
