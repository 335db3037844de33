/* test_appraisal.c -- appraisal (svc/team/indicator.c, scheme.c, scorecard.c): the scoring curve
 * on each piece and its edges (both directions), rounding half away from zero, the weights
 * shared out when a line has no figure, periods, quantiles, the scheme's weight rule, and one
 * scorecard computed from records written here with every line's figures checked exactly and
 * its records adding up to them. Every test name starts with "appraisal_". */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "fixture.h"
#include "svc/team/indicator.h"
#include "svc/team/scheme.h"
#include "svc/team/scorecard.h"
#include "test.h"

#define NOW 1796558400LL /* 2026-12-06T12:00:00Z */

TEST(appraisal_round_half_away_from_zero)
{
    CHECK_EQ_INT(appr_div_round(5, 2), 3);
    CHECK_EQ_INT(appr_div_round(-5, 2), -3);
    CHECK_EQ_INT(appr_div_round(4, 3), 1);
    CHECK_EQ_INT(appr_div_round(-4, 3), -1);
    CHECK_EQ_INT(appr_div_round(7, -2), -4);
    CHECK_EQ_INT(appr_div_round(0, 7), 0);
}

TEST(appraisal_curve_higher_is_better)
{
    struct appr_curve c = {8000, 10000, 12000, 15000, 0};
    CHECK_EQ_INT(appr_curve_score(&c, 7999), 0);
    CHECK_EQ_INT(appr_curve_score(&c, -5), 0);
    CHECK_EQ_INT(appr_curve_score(&c, 8000), 5000);
    /* 5000 + 5000 x 1000 / 2000 */
    CHECK_EQ_INT(appr_curve_score(&c, 9000), 7500);
    /* 5000 + 5000 x 1 / 2000 = 5002.5 -> 5003 */
    CHECK_EQ_INT(appr_curve_score(&c, 8001), 5003);
    CHECK_EQ_INT(appr_curve_score(&c, 9999), 9998); /* 5000 + 4997.5 -> 9998 */
    CHECK_EQ_INT(appr_curve_score(&c, 10000), 10000);
    /* 10000 + 5000 x 500 / 2000 */
    CHECK_EQ_INT(appr_curve_score(&c, 10500), 11250);
    CHECK_EQ_INT(appr_curve_score(&c, 11999), 14998); /* 10000 + 4997.5 */
    CHECK_EQ_INT(appr_curve_score(&c, 12000), 15000);
    CHECK_EQ_INT(appr_curve_score(&c, 99000), 15000);
    /* stretch == target: on target or above is 10000 */
    struct appr_curve flat = {0, 10, 10, 15000, 0};
    CHECK_EQ_INT(appr_curve_score(&flat, 10), 10000);
    CHECK_EQ_INT(appr_curve_score(&flat, 50), 10000);
    CHECK_EQ_INT(appr_curve_score(&flat, 5), 7500);
    /* threshold == target: below it 0, at it 10000 */
    struct appr_curve step = {10, 10, 20, 20000, 0};
    CHECK_EQ_INT(appr_curve_score(&step, 9), 0);
    CHECK_EQ_INT(appr_curve_score(&step, 10), 10000);
    CHECK_EQ_INT(appr_curve_score(&step, 15), 15000);
}

TEST(appraisal_curve_lower_is_better)
{
    /* breaches: 4 or more scores 0, 2 is on target, 0 scores the cap */
    struct appr_curve c = {4, 2, 0, 12000, 1};
    CHECK_EQ_INT(appr_curve_score(&c, 5), 0);
    CHECK_EQ_INT(appr_curve_score(&c, 4), 5000);
    CHECK_EQ_INT(appr_curve_score(&c, 3), 7500);
    CHECK_EQ_INT(appr_curve_score(&c, 2), 10000);
    CHECK_EQ_INT(appr_curve_score(&c, 1), 11000);
    CHECK_EQ_INT(appr_curve_score(&c, 0), 12000);
}

TEST(appraisal_curve_rules)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct appr_curve ok = {1, 2, 3, 15000, 0}, bad = {3, 2, 1, 15000, 0},
                      low = {3, 2, 1, 15000, 1}, cap = {1, 2, 3, 9999, 0},
                      big = {1, 2, 2000000000000LL, 15000, 0};
    CHECK_EQ_INT(appr_curve_check(fixture_ctx(&f), "x", &ok), KAM_OK);
    CHECK_EQ_INT(appr_curve_check(fixture_ctx(&f), "x", &low), KAM_OK);
    fixture_check_err(&f, appr_curve_check(fixture_ctx(&f), "x", &bad), KAM_EINVAL, "x.target");
    CHECK_EQ_STR(f.e.key, "appraisal.curve_order");
    fixture_check_err(&f, appr_curve_check(fixture_ctx(&f), "x", &cap), KAM_EINVAL, "x.cap_score");
    fixture_check_err(&f, appr_curve_check(fixture_ctx(&f), "x", &big), KAM_EINVAL, "x.stretch");
    fixture_close(&f);
}

TEST(appraisal_weights_shared_out)
{
    /* three lines of 5000, 3000, 2000 bp; the second has no figure: its weight goes to the
     * others in proportion (W = 7000) */
    struct appr_line l[3];
    memset(l, 0, sizeof l);
    struct appr_curve c = {0, 100, 200, 15000, 0};
    for (int i = 0; i < 3; i++)
        l[i].curve = c;
    l[0].weight_bp = 5000, l[0].has_actual = 1, l[0].actual = 100; /* 10000 */
    l[1].weight_bp = 3000;                                         /* no data */
    l[2].weight_bp = 2000, l[2].has_actual = 1, l[2].actual = 50;  /* 7500 */
    int64_t total = 0;
    int has = 0;
    appr_score_lines(l, 3, &total, &has);
    CHECK(has);
    CHECK_EQ_INT(l[0].score, 10000);
    CHECK(!l[1].has_score && !l[1].has_weighted);
    CHECK_EQ_INT(l[2].score, 7500);
    /* 5000 x 10000 / 7000 = 7142.857 -> 7143; 2000 x 7500 / 7000 = 2142.857 -> 2143 */
    CHECK_EQ_INT(l[0].weighted, 7143);
    CHECK_EQ_INT(l[2].weighted, 2143);
    /* (50000000 + 15000000) / 7000 = 9285.714 -> 9286 (rounded once) */
    CHECK_EQ_INT(total, 9286);
    /* no line with a figure: no total */
    l[0].has_actual = l[2].has_actual = 0;
    appr_score_lines(l, 3, &total, &has);
    CHECK(!has);
}

TEST(appraisal_periods)
{
    struct appr_period p;
    CHECK_EQ_INT(appr_period_parse("2026Q3", "quarter", &p), 0);
    CHECK_EQ_STR(p.start, "2026-07-01");
    CHECK_EQ_STR(p.end, "2026-09-30");
    CHECK_EQ_INT(p.d1 - p.d0 + 1, 92);
    CHECK_EQ_INT(p.ly1 - p.ly0 + 1, 92);
    CHECK_EQ_INT(appr_period_parse("2024Q1", "quarter", &p), 0);
    CHECK_EQ_STR(p.end, "2024-03-31");
    CHECK_EQ_INT(p.d1 - p.d0 + 1, 91);   /* a leap year */
    CHECK_EQ_INT(p.ly1 - p.ly0 + 1, 90); /* 2023 was not */
    CHECK_EQ_INT(appr_period_parse("2026", "year", &p), 0);
    CHECK_EQ_STR(p.end, "2026-12-31");
    CHECK_EQ_INT(appr_period_parse("2026", "quarter", &p), -1);
    CHECK_EQ_INT(appr_period_parse("2026Q3", "year", &p), -1);
    CHECK_EQ_INT(appr_period_parse("2026Q5", "quarter", &p), -1);
    CHECK_EQ_INT(appr_period_parse("20x6", "year", &p), -1);
    CHECK_EQ_INT(appr_period_parse("2026Q3x", "quarter", &p), -1);
}

TEST(appraisal_quantiles)
{
    int64_t v[] = {6000, 8000, 9000, 10000, 13000};
    /* position (n-1) x p: p25 -> 1.0 -> 8000; p10 -> 0.4 -> 6000 + 0.4 x 2000 = 6800;
     * p90 -> 3.6 -> 10000 + 0.6 x 3000 = 11800 */
    CHECK_EQ_INT(scorecard_quantile(v, 5, 25), 8000);
    CHECK_EQ_INT(scorecard_quantile(v, 5, 10), 6800);
    CHECK_EQ_INT(scorecard_quantile(v, 5, 50), 9000);
    CHECK_EQ_INT(scorecard_quantile(v, 5, 90), 11800);
    CHECK_EQ_INT(scorecard_quantile(v, 1, 90), 6000);
}

static struct scheme_indicator ind(const char *kind, int64_t w, int64_t thr, int64_t tgt,
                                   int64_t str)
{
    struct scheme_indicator x = {.set =
                                     SI_KIND | SI_WEIGHT | SI_THRESHOLD | SI_TARGET | SI_STRETCH};
    x.kind = kind;
    x.weight_bp = w;
    x.threshold = thr;
    x.target = tgt;
    x.stretch = str;
    return x;
}

TEST(appraisal_scheme_weights_must_add_up)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct scheme_indicator v[2] = {ind("interactions", 6000, 5, 10, 20),
                                    ind("manual", 3999, 1, 3, 5)};
    struct scheme_in in = {.set = SC_NAME | SC_ROLE | SC_PERIOD | SC_INDICATORS};
    in.v.name = "AM";
    in.v.role = "account_manager";
    in.v.period_kind = "quarter";
    in.ind = v;
    in.n_ind = 2;
    struct scheme s;
    int64_t n = fixture_q64(&f, "SELECT COUNT(*) FROM audit");
    fixture_check_err(&f, scheme_create(fixture_ctx(&f), &in, &s), KAM_EINVAL, "indicators");
    CHECK_EQ_STR(f.e.key, "appraisal.weights_sum");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM appraisal_schemes"), 0);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit"), n);
    v[1].weight_bp = 4000;
    CHECK_EQ_INT(scheme_create(fixture_ctx(&f), &in, &s), KAM_OK);
    CHECK_EQ_INT(s.n_indicators, 2);
    CHECK_EQ_INT(s.indicators[1].cap_score, 15000);
    fixture_close(&f);
}

/* One person, one quarter (2026Q3), records written here: 4 visits due of which 3 done, one
 * cancelled (not due); 5 interactions in the quarter and one the day after it; a manual
 * indicator. Scheme: visits 5000 bp (8000/10000/12000), interactions 3000 (2/4/8),
 * manual 2000 (1/3/5). */
TEST(appraisal_scorecard_worked_example)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t am = fixture_add_user(&f, "am1", "account_manager", 0);
    int64_t lead = fixture_add_user(&f, "lead1", "team_lead", 0);
    char sql[600];
    snprintf(sql, sizeof sql,
             "INSERT INTO accounts (code, name, owner_id, tier, status, created_at, updated_at) "
             "VALUES ('W1', 'W1', %lld, 'A', 'active', 1, 1)",
             (long long)am);
    int ok = am > 0 && lead > 0 && !db_exec(f.db, sql, &f.e);
    int64_t acc = fixture_q64(&f, "SELECT id FROM accounts WHERE code = 'W1'");
    /* 2026-07-01T00:00 China = 2026-06-30T16:00Z */
    int64_t q0 = date_to_days(2026, 7, 1) * 86400 - 8 * 3600;
    int64_t q1 = date_to_days(2026, 10, 1) * 86400 - 8 * 3600; /* the first moment after */
    const struct {
        int64_t at;
        const char *status;
    } visits[] = {{q0, "done"},          {q0 + 86400 * 10, "done"},
                  {q1 - 1, "done"},      {q0 + 86400, "planned"},
                  {q0 + 5, "cancelled"}, {q1, "done"}};
    for (size_t i = 0; i < 6 && ok; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO visits (account_id, owner_id, kind, planned_at, status, "
                 "created_at, updated_at) VALUES (%lld, %lld, 'onsite', %lld, '%s', 1, 1)",
                 (long long)acc, (long long)am, (long long)visits[i].at, visits[i].status);
        ok = !db_exec(f.db, sql, &f.e);
    }
    for (int i = 0; i < 6 && ok; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO interactions (account_id, user_id, kind, subject, occurred_at, "
                 "created_at, updated_at) VALUES (%lld, %lld, 'call', 's', %lld, 1, 1)",
                 (long long)acc, (long long)am, (long long)(i < 5 ? q0 + i * 3600 : q1));
        ok = !db_exec(f.db, sql, &f.e);
    }
    struct scheme_indicator v[3] = {ind("visits_vs_cadence", 5000, 8000, 10000, 12000),
                                    ind("interactions", 3000, 2, 4, 8),
                                    ind("manual", 2000, 1, 3, 5)};
    struct scheme_in in = {.set = SC_NAME | SC_ROLE | SC_PERIOD | SC_INDICATORS};
    in.v.name = "AM quarterly";
    in.v.role = "account_manager";
    in.v.period_kind = "quarter";
    in.ind = v;
    in.n_ind = 3;
    struct scheme s;
    ok = ok && !scheme_create(fixture_ctx(&f), &in, &s);
    if (!fixture_setup_end(&f, ok))
        return;
    struct scorecard_compute_in ci = {
        .set = SCC_SCHEME | SCC_PERIOD, .scheme_id = s.id, .period = "2026Q3"};
    struct scorecard_compute_out co;
    CHECK_EQ_INT(scorecard_compute(fixture_ctx(&f), &ci, &co), KAM_OK);
    CHECK_EQ_INT(co.created, 1); /* everyone of the role: the one account manager */
    CHECK_EQ_INT(co.n, 1);
    struct scorecard sc;
    CHECK_EQ_INT(scorecard_get(fixture_ctx(&f), co.items[0].id, &sc), KAM_OK);
    CHECK_EQ_INT(sc.n_lines, 3);
    if (sc.n_lines == 3) {
        /* visits: 3 done of 4 due = 7500 bp: below threshold 8000 -> 0 */
        CHECK_EQ_INT(sc.lines[0].measured, 3);
        CHECK_EQ_INT(sc.lines[0].basis, 4);
        CHECK_EQ_INT(sc.lines[0].actual, 7500);
        CHECK_EQ_INT(sc.lines[0].attainment_bp, 7500);
        CHECK_EQ_INT(sc.lines[0].score, 0);
        /* interactions: 5, between target 4 and stretch 8: 10000 + 5000 x 1 / 4 = 11250 */
        CHECK_EQ_INT(sc.lines[1].actual, 5);
        CHECK_EQ_INT(sc.lines[1].score, 11250);
        /* manual: not assessed, left out: W = 8000; weighted 0 and 3000 x 11250 / 8000 */
        CHECK(!sc.lines[2].has_score);
        CHECK_EQ_STR(sc.lines[2].why, "not_assessed");
        CHECK_EQ_INT(sc.lines[0].weighted, 0);
        CHECK_EQ_INT(sc.lines[1].weighted, 4219); /* 4218.75 */
        CHECK_EQ_INT(sc.score, 4219);
    }
    /* the records add up to the lines */
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM scorecard_records WHERE scorecard_id = %lld AND side = "
             "'actual' AND ref_kind = 'visit'",
             (long long)sc.id);
    CHECK_EQ_INT(fixture_q64(&f, sql), 3);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM scorecard_records WHERE scorecard_id = %lld AND side = "
             "'basis' AND ref_kind = 'visit'",
             (long long)sc.id);
    CHECK_EQ_INT(fixture_q64(&f, sql), 4);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM scorecard_records WHERE scorecard_id = %lld AND ref_kind = "
             "'interaction'",
             (long long)sc.id);
    CHECK_EQ_INT(fixture_q64(&f, sql), 5);
    /* the manager sets the manual value 4: 5000 + 5000 x 3 / 2 ... above target: 10000 +
     * 5000 x 1 / 2 = 12500; W = 10000: total = (0 + 3000 x 11250 + 2000 x 12500) / 10000 */
    fixture_as(&f, lead, ROLE_TEAM_LEAD);
    struct scorecard_manual m = {.set = SCM_INDICATOR | SCM_VALUE,
                                 .indicator_id = sc.lines[2].indicator_id,
                                 .value = 4,
                                 .has_value = 1};
    struct scorecard_in pi = {.set = SCI_MANUAL, .manual = &m, .n_manual = 1};
    struct scorecard after;
    fixture_as(&f, 0, ROLE_ADMIN);
    CHECK_EQ_INT(scorecard_update(fixture_ctx(&f), sc.id, &pi, &after), KAM_OK);
    if (after.n_lines == 3) {
        CHECK_EQ_INT(after.lines[2].score, 12500);
        CHECK_EQ_INT(after.lines[1].weighted, 3375);
        CHECK_EQ_INT(after.lines[2].weighted, 2500);
    }
    CHECK_EQ_INT(after.score, 5875);
    /* the person may not set it themselves */
    fixture_as(&f, am, ROLE_ACCOUNT_MANAGER);
    fixture_check_err(&f, scorecard_update(fixture_ctx(&f), sc.id, &pi, &after), KAM_EFORBIDDEN,
                      "id");
    CHECK_EQ_STR(f.e.key, "scorecard.own");
    /* nor acknowledge a draft */
    fixture_check_err(&f, scorecard_acknowledge(fixture_ctx(&f), sc.id, &after), KAM_ECONFLICT,
                      "status");
    CHECK_EQ_STR(f.e.key, "scorecard.not_in_review");
    fixture_close(&f);
}

static int exec(struct fixture *f, const char *sql)
{
    enum kam_err rc = db_exec(f->db, sql, &f->e);
    if (rc)
        fprintf(stderr, "  %s: %s\n", sql, f->e.msg);
    return rc == KAM_OK;
}

static int64_t cn(int y, int m, int d)
{
    return date_to_days(y, m, d) * 86400 - 8 * 3600 + 3600; /* 01:00 in China that day */
}

/* A yearly scheme (2019) over the other kinds, five indicators of 2000 bp each:
 * share of wallet: 200000 sold this year, 100000 the year before on the account with a wallet
 *   of 1000000 (a line of an account without one not counted): (200000 - 100000) x 10000 x 12
 *   / (1000000 x 12) = 1000 bp -> at stretch 1000: cap 15000;
 * satisfaction: NPS answers 10 9 9 7 2 (and a 0 of 2020): (3 - 1) / 5 = 4000 -> 10000 + 3000 x
 *   1000 / 3000 = 11000;
 * follow-ups: resolved, confirmed, open, in progress (a dropped one not counted): 2 of 4 =
 *   5000 -> at threshold: 5000;
 * breaches and disputes (lower is better, 3 / 1 / 0): one dispute lost in 2019 (one won: info;
 *   one lost in 2020: not counted) -> on target: 10000;
 * training: two enrolments completed in 2019 (one attended, one completed in 2020) -> 2, on
 *   target: 10000.
 * Total: (15000 + 11000 + 5000 + 10000 + 10000) x 2000 / 10000 = 10200. */
TEST(appraisal_scorecard_other_kinds)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t am = fixture_add_user(&f, "am2", "account_manager", 0);
    char sql[700];
    int ok = am > 0;
    for (int i = 0; i < 2 && ok; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO accounts (code, name, owner_id, tier, status, created_at, "
                 "updated_at) VALUES ('S%d', 'S%d', %lld, 'A', 'active', 1, 1)",
                 i, i, (long long)am);
        ok = exec(&f, sql);
    }
    int64_t a0 = fixture_q64(&f, "SELECT id FROM accounts WHERE code = 'S0'");
    int64_t a1 = fixture_q64(&f, "SELECT id FROM accounts WHERE code = 'S1'");
    ok = ok && exec(&f, "INSERT INTO products (sku, name, family, currency, created_at, "
                        "updated_at) VALUES ('P1', 'P1', 'F', 'CNY', 1, 1)");
    const struct {
        int64_t acc, day, amount;
    } lines[] = {{a0, date_to_days(2019, 3, 1), 150000},
                 {a0, date_to_days(2019, 8, 1), 50000},
                 {a0, date_to_days(2018, 5, 1), 100000},
                 {a1, date_to_days(2019, 4, 1), 999999}};
    for (size_t i = 0; i < 4 && ok; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO order_lines (external_id, day, account_id, product_id, region, "
                 "channel, quantity, amount, currency, amount_base, created_at, updated_at) "
                 "VALUES ('E%zu', %lld, %lld, (SELECT id FROM products), '', '', 1000, %lld, "
                 "'CNY', %lld, 1, 1)",
                 i, (long long)lines[i].day, (long long)lines[i].acc, (long long)lines[i].amount,
                 (long long)lines[i].amount);
        ok = exec(&f, sql);
    }
    snprintf(sql, sizeof sql,
             "INSERT INTO wallet_estimates (account_id, year, amount, updated_at) VALUES (%lld, "
             "2019, 1000000, 1)",
             (long long)a0);
    ok = ok && exec(&f, sql) &&
         exec(&f, "INSERT INTO surveys (status, created_at, updated_at) VALUES ('closed', 1, 1)") &&
         exec(&f, "INSERT INTO survey_questions (survey_id, position, kind, created_at) VALUES "
                  "(1, 1, 'nps', 1)");
    const int nps[] = {10, 9, 9, 7, 2, 0};
    for (int i = 0; i < 6 && ok; i++) {
        int64_t at = i < 5 ? cn(2019, 2 + i, 3) : cn(2020, 1, 1) - 3600; /* 2020-01-01 00:00 */
        snprintf(sql, sizeof sql,
                 "INSERT INTO survey_links (survey_id, account_id, token_hash, lang, channel, "
                 "expires_at, sent_at, created_at) VALUES (1, %lld, 'h%d', 'zh-CN', 'email', 9, "
                 "1, 1)",
                 (long long)a1, i);
        ok = exec(&f, sql);
        snprintf(sql, sizeof sql,
                 "INSERT INTO survey_responses (survey_id, link_id, account_id, lang, "
                 "submitted_at) VALUES (1, %d, %lld, 'zh-CN', %lld)",
                 i + 1, (long long)a1, (long long)at);
        ok = ok && exec(&f, sql);
        snprintf(sql, sizeof sql,
                 "INSERT INTO survey_answers (response_id, question_id, value) VALUES (%d, 1, %d)",
                 i + 1, nps[i]);
        ok = ok && exec(&f, sql);
    }
    const char *fu[] = {"resolved", "confirmed", "open", "in_progress", "dropped"};
    for (int i = 0; i < 5 && ok; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO follow_ups (account_id, dept_role, source, title, owner_id, status, "
                 "created_at, updated_at) VALUES (%lld, 'service', 'comment', 't', %lld, '%s', "
                 "%lld, 1)",
                 (long long)a0, (long long)am, fu[i], (long long)cn(2019, 5, 1 + i));
        ok = exec(&f, sql);
    }
    const struct {
        const char *outcome, *closed;
    } disputes[] = {{"lost", "2019-06-01"}, {"won", "2019-07-01"}, {"lost", "2020-01-02"}};
    for (int i = 0; i < 3 && ok; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO disputes (account_id, title, currency, arose_on, limitation_on, "
                 "stage, outcome, closed_on, created_at, updated_at) VALUES (%lld, 'd', 'CNY', "
                 "'2019-01-01', '2022-01-01', 'closed', '%s', '%s', 1, 1)",
                 (long long)a0, disputes[i].outcome, disputes[i].closed);
        ok = exec(&f, sql);
    }
    ok = ok &&
         exec(&f, "INSERT INTO courses (code, title, topic, format, created_at, updated_at) "
                  "VALUES ('C1', 'c', 'negotiation', 'classroom', 1, 1)") &&
         exec(&f, "INSERT INTO training_sessions (course_id, starts_on, ends_on, created_at, "
                  "updated_at) VALUES (1, '2019-01-01', '2019-01-02', 1, 1)");
    const struct {
        const char *status;
        int64_t at;
    } enr[] = {{"completed", cn(2019, 2, 1)},
               {"completed", cn(2019, 11, 11)},
               {"attended", 0},
               {"completed", cn(2020, 1, 5)}};
    for (int i = 0; i < 4 && ok; i++) {
        /* a session each: (session, user) is unique */
        if (i > 0)
            ok = exec(&f, "INSERT INTO training_sessions (course_id, starts_on, ends_on, "
                          "created_at, updated_at) VALUES (1, '2019-01-01', '2019-01-02', 1, 1)");
        snprintf(sql, sizeof sql,
                 "INSERT INTO training_enrolments (session_id, user_id, status, completed_at, "
                 "created_at, updated_at) VALUES (%d, %lld, '%s', %s, 1, 1)",
                 i + 1, (long long)am, enr[i].status,
                 enr[i].at ? arena_printf(&f.a, "%lld", (long long)enr[i].at) : "NULL");
        ok = ok && exec(&f, sql);
    }
    struct scheme_indicator v[5] = {
        ind("share_of_wallet", 2000, -500, 0, 1000), ind("satisfaction", 2000, 0, 3000, 6000),
        ind("follow_ups_closed", 2000, 5000, 8000, 10000), ind("breaches_disputes", 2000, 3, 1, 0),
        ind("training_completed", 2000, 0, 2, 4)};
    v[3].lower_better = 1;
    v[3].set |= SI_LOWER;
    v[1].cap_score = 13000;
    v[3].cap_score = 12000;
    v[1].set |= SI_CAP;
    v[3].set |= SI_CAP;
    struct scheme_in in = {.set = SC_NAME | SC_ROLE | SC_PERIOD | SC_INDICATORS};
    in.v.name = "AM yearly";
    in.v.role = "account_manager";
    in.v.period_kind = "year";
    in.ind = v;
    in.n_ind = 5;
    struct scheme s;
    ok = ok && !scheme_create(fixture_ctx(&f), &in, &s);
    if (!fixture_setup_end(&f, ok))
        return;
    struct scorecard_compute_in ci = {.set = SCC_SCHEME | SCC_PERIOD | SCC_USERS,
                                      .scheme_id = s.id,
                                      .period = "2019",
                                      .user_ids = {am},
                                      .n_users = 1,
                                      .users_given = 1};
    struct scorecard_compute_out co;
    CHECK_EQ_INT(scorecard_compute(fixture_ctx(&f), &ci, &co), KAM_OK);
    CHECK_EQ_INT(co.n, 1);
    if (co.n != 1)
        goto out;
    struct scorecard sc;
    CHECK_EQ_INT(scorecard_get(fixture_ctx(&f), co.items[0].id, &sc), KAM_OK);
    CHECK_EQ_INT(sc.n_lines, 5);
    if (sc.n_lines == 5) {
        const struct appr_line *l = sc.lines;
        CHECK_EQ_INT(l[0].measured, 200000);
        CHECK_EQ_INT(l[0].basis, 100000);
        CHECK_EQ_INT(l[0].actual, 1000);
        CHECK_EQ_INT(l[0].score, 15000);
        CHECK_EQ_INT(l[1].measured, 2); /* promoters - detractors */
        CHECK_EQ_INT(l[1].basis, 5);
        CHECK_EQ_INT(l[1].actual, 4000);
        CHECK_EQ_INT(l[1].score, 11000);
        CHECK_EQ_INT(l[2].measured, 2);
        CHECK_EQ_INT(l[2].basis, 4);
        CHECK_EQ_INT(l[2].actual, 5000);
        CHECK_EQ_INT(l[2].score, 5000);
        CHECK_EQ_INT(l[3].actual, 1);
        CHECK_EQ_INT(l[3].score, 10000);
        CHECK_EQ_INT(l[4].actual, 2);
        CHECK_EQ_INT(l[4].score, 10000);
        CHECK_EQ_INT(l[0].weighted + l[1].weighted + l[2].weighted + l[3].weighted + l[4].weighted,
                     10200);
    }
    CHECK_EQ_INT(sc.score, 10200);
    snprintf(sql, sizeof sql,
             "SELECT COALESCE(SUM(value), 0) FROM scorecard_records WHERE scorecard_id = %lld AND "
             "side = 'wallet'",
             (long long)sc.id);
    CHECK_EQ_INT(fixture_q64(&f, sql), 1000000);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM scorecard_records WHERE scorecard_id = %lld AND side = 'info' "
             "AND ref_kind = 'dispute'",
             (long long)sc.id);
    CHECK_EQ_INT(fixture_q64(&f, sql), 1);
out:
    fixture_close(&f);
}
