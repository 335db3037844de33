/* test_training.c -- the training-effect statistics (svc/team/effect.c) with exact numbers:
 * Student's t quantiles, the paired mean and its interval, the Welch difference in differences
 * (degrees of freedom, the interval, the cases without one); the current-level rule over
 * assessments; a whole effect report over a small world of visits (trained 2 and 3 visits a
 * month more, colleagues 0 and -1: DiD 3 with df 2), its not-enough-data answers, and
 * enrolment completion closing the person's matching needs. Every test name starts with
 * "training_". */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "fixture.h"
#include "svc/relationships/account.h"
#include "svc/team/effect.h"
#include "svc/team/enrolment.h"
#include "test.h"

#define NOW 1796558400LL /* 2026-12-06T12:00:00Z */

static int near(double a, double b, double tol)
{
    return fabs(a - b) <= tol;
}

TEST(training_t_quantiles)
{
    CHECK(near(stat_t975(1), 12.706204736174707, 1e-9));
    CHECK(near(stat_t975(2), 4.302652729749464, 1e-9));
    CHECK(near(stat_t975(7), 2.364624251592785, 1e-9));
    CHECK(near(stat_t975(10), 2.228138851986274, 1e-9));
    CHECK(near(stat_t975(30), 2.042272456301238, 1e-9));
    CHECK(near(stat_t975(1e9), 1.959963984540054, 1e-12));
    /* a fractional df (Welch): 2.88235..., checked against a Simpson integration of the pdf */
    CHECK(near(stat_t975(49.0 / 17.0), 3.2572081254789147, 1e-8));
    CHECK(near(stat_t_cdf(0, 5), 0.5, 1e-15));
    CHECK(near(stat_t_cdf(-stat_t975(4), 4), 0.025, 1e-12));
    CHECK(isnan(stat_t975(0)));
}

TEST(training_mean_ci)
{
    const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    struct stat_mean m;
    stat_mean_ci(x, 8, &m);
    CHECK_EQ_INT(m.n, 8);
    CHECK(near(m.mean, 5, 1e-12));
    CHECK(near(m.sd, sqrt(32.0 / 7.0), 1e-12));
    CHECK(m.has_ci);
    CHECK(near(m.lo, 3.2125120817637915, 1e-9));
    CHECK(near(m.hi, 6.7874879182362085, 1e-9));
    stat_mean_ci(x, 1, &m);
    CHECK(m.n == 1 && near(m.mean, 2, 0) && !m.has_ci && m.sd == 0);
    stat_mean_ci(x, 0, &m);
    CHECK(m.n == 0 && !m.has_ci);
}

TEST(training_did_welch)
{
    const double dt[] = {10, 12, 14}, dc[] = {1, 3};
    struct stat_did d;
    stat_did_welch(dt, 3, dc, 2, &d);
    CHECK(near(d.mean_t, 12, 1e-12) && near(d.mean_c, 2, 1e-12));
    CHECK(near(d.var_t, 4, 1e-12) && near(d.var_c, 2, 1e-12));
    CHECK(near(d.did, 10, 1e-12));
    CHECK(near(d.se, sqrt(4.0 / 3.0 + 1.0), 1e-12));
    CHECK(near(d.df, 49.0 / 17.0, 1e-12)); /* (7/3)^2 / ((4/3)^2/2 + 1^2/1) */
    CHECK(d.has_ci);
    CHECK(near(d.lo, 5.024532403589219, 1e-7));
    CHECK(near(d.hi, 14.97546759641078, 1e-7));
    /* one control: a point estimate without an interval */
    stat_did_welch(dt, 3, dc, 1, &d);
    CHECK(near(d.did, 11, 1e-12) && !d.has_ci && d.se == 0);
    /* no spread at all: the interval is the point */
    const double same_t[] = {5, 5}, same_c[] = {1, 1, 1};
    stat_did_welch(same_t, 2, same_c, 3, &d);
    CHECK(d.has_ci && near(d.did, 4, 0) && d.lo == 4 && d.hi == 4 && d.se == 0);
}

/* ---- with a database ---- */

struct tw {
    struct fixture f;
    int64_t t1, t2, c1, c2, other, course, session, acc[4], comp;
};

static int64_t new_account(struct fixture *f, int64_t owner, const char *code)
{
    struct account_in ai = {.set = ACC_CODE | ACC_NAME | ACC_OWNER};
    ai.v.code = code;
    ai.v.name = code;
    ai.v.owner_id = owner;
    struct account a;
    return account_create(fixture_ctx(f), &ai, &a) ? 0 : a.id;
}

static int exec(struct fixture *f, const char *sql)
{
    return db_exec(f->db, sql, &f->e) == KAM_OK;
}

/* n visits done by owner at account on the 15th of month (2026-mm). */
static int visits(struct tw *w, int64_t owner, int64_t account, int month, int n)
{
    char q[400];
    for (int i = 0; i < n; i++) {
        int64_t t = date_to_days(2026, month, 15) * 86400 + 4 * 3600 + i;
        snprintf(
            q, sizeof q,
            "INSERT INTO visits (account_id, owner_id, kind, planned_at, status, completed_at, "
            "created_at, updated_at) VALUES (%lld, %lld, 'onsite', %lld, 'done', %lld, 1, 1)",
            (long long)account, (long long)owner, (long long)t, (long long)t);
        if (!exec(&w->f, q))
            return 0;
    }
    return 1;
}

static int tw_open(struct tw *w)
{
    memset(w, 0, sizeof *w);
    if (!fixture_open(&w->f, FIXTURE_MEMORY, NOW))
        return 0;
    struct fixture *f = &w->f;
    w->t1 = fixture_add_user(f, "t1", "account_manager", 0);
    w->t2 = fixture_add_user(f, "t2", "account_manager", 0);
    w->c1 = fixture_add_user(f, "c1", "account_manager", 0);
    w->c2 = fixture_add_user(f, "c2", "account_manager", 0);
    w->other = fixture_add_user(f, "fin", "finance", 0); /* another role: never a control */
    int64_t who[4] = {w->t1, w->t2, w->c1, w->c2};
    const char *codes[4] = {"T1", "T2", "C1", "C2"};
    int ok = w->t1 > 0 && w->t2 > 0 && w->c1 > 0 && w->c2 > 0 && w->other > 0;
    for (int i = 0; ok && i < 4; i++)
        ok = (w->acc[i] = new_account(f, who[i], codes[i])) > 0;
    ok = ok && exec(f, "INSERT INTO courses (code, title, topic, format, created_at, updated_at) "
                       "VALUES ('CX', '沟通', 'communication', 'classroom', 1, 1)");
    w->course = fixture_q64(f, "SELECT id FROM courses WHERE code = 'CX'");
    w->comp = fixture_q64(f, "SELECT id FROM competencies WHERE code = 'communication'");
    char q[600];
    snprintf(q, sizeof q,
             "INSERT INTO course_competencies (course_id, competency_id) VALUES (%lld, %lld)",
             (long long)w->course, (long long)w->comp);
    ok = ok && exec(f, q);
    snprintf(q, sizeof q,
             "INSERT INTO training_sessions (course_id, starts_on, ends_on, trainer_name, "
             "created_at, updated_at) VALUES (%lld, '2026-05-10', '2026-05-11', '王老师', 1, 1)",
             (long long)w->course);
    ok = ok && exec(f, q);
    w->session = fixture_q64(f, "SELECT MAX(id) FROM training_sessions");
    snprintf(q, sizeof q,
             "INSERT INTO training_enrolments (session_id, user_id, status, completed_at, "
             "pre_score, post_score, feedback_rating, created_at, updated_at) VALUES (%lld, %lld, "
             "'completed', 5, 50, 70, 4, 1, 1), (%lld, %lld, 'completed', 5, 60, 90, 5, 1, 1)",
             (long long)w->session, (long long)w->t1, (long long)w->session, (long long)w->t2);
    ok = ok && exec(f, q);
    /* pre = Feb..Apr, post = Jun..Aug; May itself (the session's month) counts in neither */
    ok = ok && visits(w, w->t1, w->acc[0], 3, 3) && visits(w, w->t1, w->acc[0], 7, 9) &&
         visits(w, w->t2, w->acc[1], 2, 6) && visits(w, w->t2, w->acc[1], 8, 15) &&
         visits(w, w->c1, w->acc[2], 4, 3) && visits(w, w->c1, w->acc[2], 6, 3) &&
         visits(w, w->c2, w->acc[3], 3, 6) && visits(w, w->c2, w->acc[3], 7, 3) &&
         visits(w, w->t1, w->acc[0], 5, 50) && visits(w, w->t1, w->acc[0], 1, 50) &&
         visits(w, w->c2, w->acc[3], 9, 50);
    return fixture_setup_end(f, ok);
}

TEST(training_effect_report)
{
    struct tw w;
    if (!tw_open(&w))
        return;
    struct effect_report r;
    CHECK_EQ_INT(effect_report(fixture_ctx(&w.f), w.course, "visits", 3, &r), KAM_OK);
    CHECK_EQ_STR(r.scope, "all");
    CHECK_EQ_INT(r.enrolled, 2);
    CHECK_EQ_INT(r.completed, 2);
    CHECK_EQ_INT(r.reaction_n, 2);
    CHECK(near(r.reaction_mean, 4.5, 1e-12));
    CHECK_EQ_INT(r.reaction_dist[3], 1);
    CHECK_EQ_INT(r.reaction_dist[4], 1);
    CHECK_EQ_INT(r.learning.n, 2);
    CHECK(near(r.learning.mean, 25, 1e-12));
    CHECK(near(r.mean_pre, 55, 1e-12) && near(r.mean_post, 80, 1e-12));
    CHECK_EQ_STR(r.status, "ok");
    CHECK(r.reason == NULL);
    CHECK_EQ_INT(r.did.n_t, 2);
    CHECK_EQ_INT(r.did.n_c, 2);
    /* changes per month: t1 (9-3)/3 = 2, t2 (15-6)/3 = 3; c1 0, c2 (3-6)/3 = -1 */
    CHECK(near(r.did.did, 3, 1e-12));
    CHECK(near(r.did.se, sqrt(0.5), 1e-12));
    CHECK(near(r.did.df, 2, 1e-12));
    CHECK(near(r.did.lo, 3 - 4.302652729749464 * sqrt(0.5), 1e-8));
    CHECK(near(r.did.hi, 3 + 4.302652729749464 * sqrt(0.5), 1e-8));
    CHECK(near(r.pre_t, 1.5, 1e-12) && near(r.post_t, 4, 1e-12));
    CHECK(near(r.pre_c, 1.5, 1e-12) && near(r.post_c, 1, 1e-12));
    /* behaviour: the same visits; no assessments -> the competency has n 0 */
    CHECK_EQ_INT(r.visits.n, 2);
    CHECK(near(r.visits.change, 2.5, 1e-12));
    CHECK_EQ_INT((int64_t)r.n_competencies, 1);
    CHECK_EQ_INT(r.competencies[0].n, 0);

    /* 7 months: the post window (Jun..Dec) is not over on 2026-12-06 */
    CHECK_EQ_INT(effect_report(fixture_ctx(&w.f), w.course, "visits", 7, &r), KAM_OK);
    CHECK_EQ_STR(r.status, "not_enough_data");
    CHECK_EQ_STR(r.reason, "post_window_open");
    CHECK_EQ_INT(r.pending, 2);
    /* one colleague left (c2 enrolled, absent): too few controls */
    char q[200];
    snprintf(q, sizeof q,
             "INSERT INTO training_enrolments (session_id, user_id, status, created_at, "
             "updated_at) VALUES (%lld, %lld, 'absent', 1, 1)",
             (long long)w.session, (long long)w.c2);
    CHECK(exec(&w.f, q));
    CHECK_EQ_INT(effect_report(fixture_ctx(&w.f), w.course, "visits", 3, &r), KAM_OK);
    CHECK_EQ_STR(r.status, "not_enough_data");
    CHECK_EQ_STR(r.reason, "too_few_control");
    CHECK_EQ_INT(r.did.n_c, 1);
    CHECK_EQ_INT(r.enrolled, 3);
    fixture_check_err(&w.f, effect_report(fixture_ctx(&w.f), w.course, "x", 3, &r), KAM_EINVAL,
                      "kpi");
    fixture_check_err(&w.f, effect_report(fixture_ctx(&w.f), w.course, NULL, 13, &r), KAM_EINVAL,
                      "months");
    fixture_check_err(&w.f, effect_report(fixture_ctx(&w.f), 999999, NULL, 3, &r), KAM_ENOTFOUND,
                      "id");
    fixture_close(&w.f);
}

TEST(training_level_rule)
{
    struct tw w;
    if (!tw_open(&w))
        return;
    struct fixture *f = &w.f;
    char q[700];
    /* self 2 (01-10), self 4 (02-10, the latest self), peer c1 3 then 5, peer c2 2;
     * a manager 3 on 03-10 */
    snprintf(q, sizeof q,
             "INSERT INTO competency_assessments (id, user_id, assessor_id, kind, assessed_on, "
             "created_at, updated_at) VALUES (901, %lld, %lld, 'self', '2026-01-10', 1, 1), (902, "
             "%lld, %lld, 'self', '2026-02-10', 1, 1), (903, %lld, %lld, 'peer', '2026-01-11', 1, "
             "1), (904, %lld, %lld, 'peer', '2026-02-11', 1, 1), (905, %lld, %lld, 'peer', "
             "'2026-01-12', 1, 1), (906, %lld, %lld, 'manager', '2026-03-10', 1, 1)",
             (long long)w.t1, (long long)w.t1, (long long)w.t1, (long long)w.t1, (long long)w.t1,
             (long long)w.c1, (long long)w.t1, (long long)w.c1, (long long)w.t1, (long long)w.c2,
             (long long)w.t1, (long long)w.c1);
    CHECK(exec(f, q));
    snprintf(q, sizeof q,
             "INSERT INTO assessment_scores (assessment_id, competency_id, level) VALUES (901, "
             "%lld, 2), (902, %lld, 4), (903, %lld, 3), (904, %lld, 5), (905, %lld, 2), (906, "
             "%lld, 3)",
             (long long)w.comp, (long long)w.comp, (long long)w.comp, (long long)w.comp,
             (long long)w.comp, (long long)w.comp);
    CHECK(exec(f, q));
    double lv;
    int has, n;
    CHECK_EQ_INT(effect_level_of(fixture_ctx(f), w.t1, w.comp, "2026-01-09", &lv, &has, &n),
                 KAM_OK);
    CHECK(!has && n == 0);
    CHECK_EQ_INT(effect_level_of(fixture_ctx(f), w.t1, w.comp, "2026-01-11", &lv, &has, &n),
                 KAM_OK);
    CHECK(has && n == 2 && near(lv, 2.5, 1e-12)); /* self 2, peer c1 3 */
    CHECK_EQ_INT(effect_level_of(fixture_ctx(f), w.t1, w.comp, "2026-02-28", &lv, &has, &n),
                 KAM_OK);
    CHECK(has && n == 3 && near(lv, 11.0 / 3.0, 1e-12)); /* self 4, c1's latest 5, c2 2 */
    CHECK_EQ_INT(effect_level_of(fixture_ctx(f), w.t1, w.comp, "2026-03-10", &lv, &has, &n),
                 KAM_OK);
    CHECK(has && n == 1 && near(lv, 3, 0)); /* the manager's wins */
    fixture_close(f);
}

TEST(training_complete_closes_needs)
{
    struct tw w;
    if (!tw_open(&w))
        return;
    struct fixture *f = &w.f;
    char q[600];
    snprintf(q, sizeof q,
             "INSERT INTO training_enrolments (id, session_id, user_id, status, created_at, "
             "updated_at) VALUES (77, %lld, %lld, 'attended', 1, 1); INSERT INTO training_needs "
             "(source, topic, user_id, status, created_at, updated_at) VALUES ('manual', "
             "'communication', %lld, 'open', 1, 1), ('competency', 'communication', %lld, "
             "'planned', 1, 1), ('manual', 'legal', %lld, 'open', 1, 1), ('manual', "
             "'communication', %lld, 'open', 1, 1)",
             (long long)w.session, (long long)w.c1, (long long)w.c1, (long long)w.c1,
             (long long)w.c1, (long long)w.c2);
    CHECK(exec(f, q));
    struct enrolment e;
    int closed = -1;
    CHECK_EQ_INT(enrolment_complete(fixture_ctx(f), 77, &e, &closed), KAM_OK);
    CHECK_EQ_STR(e.status, "completed");
    CHECK(e.has_completed && e.completed_at == NOW);
    CHECK_EQ_INT(closed, 2);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM training_needs WHERE status = 'done'"), 2);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'training_need'"), 2);
    /* a second completion: 409, nothing changes */
    fixture_check_err(f, enrolment_complete(fixture_ctx(f), 77, &e, NULL), KAM_ECONFLICT, "status");
    /* an enrolment not attended cannot complete */
    snprintf(q, sizeof q,
             "INSERT INTO training_enrolments (id, session_id, user_id, status, created_at, "
             "updated_at) VALUES (78, %lld, %lld, 'enrolled', 1, 1)",
             (long long)w.session, (long long)w.other);
    CHECK(exec(f, q));
    fixture_check_err(f, enrolment_complete(fixture_ctx(f), 78, &e, NULL), KAM_ECONFLICT, "status");
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM training_enrolments WHERE status = "
                                "'completed'"),
                 3);
    fixture_close(f);
}
