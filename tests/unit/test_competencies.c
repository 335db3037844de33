/* test_competencies.c -- competencies and selection (svc/team/competency.c, candidate.c): the
 * current-level rule on its own and through the database (a day cuts later assessments off),
 * fit in basis points with its rounding, who may write which kind of assessment (nothing
 * written when refused), the ranking of an internal and two external candidates with exact
 * fits and gaps, the decision's reason. Every test name starts with "competencies_". */
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "svc/team/candidate.h"
#include "svc/team/competency.h"
#include "test.h"

#define NOW 1796558400LL /* 2026-12-06T12:00:00Z, today in China 2026-12-06 */

TEST(competencies_level_rule)
{
    double level = -1;
    int n = -1, used[6];
    /* newest first: self 4, peer 7: 3, self 2 (older), peer 8: 2, peer 7: 1 (older) */
    struct score_obs o[5] = {
        {1, 50, 5, "self", "2026-06-01", 4}, {1, 49, 7, "peer", "2026-05-01", 3},
        {1, 40, 5, "self", "2026-01-01", 2}, {1, 39, 8, "peer", "2026-01-01", 2},
        {1, 30, 7, "peer", "2025-12-01", 1},
    };
    CHECK_EQ_INT(competency_level_rule(o, 5, &level, &n, used), 1);
    CHECK(level == 3.0); /* (4 + 3 + 2) / 3 */
    CHECK_EQ_INT(n, 3);
    CHECK(used[0] && used[1] && !used[2] && used[3] && !used[4]);
    /* two scores: a mean that is not whole */
    CHECK_EQ_INT(competency_level_rule(o, 2, &level, &n, NULL), 1);
    CHECK(level == 3.5);
    /* a manager score, however old, decides; the latest manager one */
    struct score_obs m[4] = {
        {1, 60, 5, "self", "2026-07-01", 5},
        {1, 55, 9, "manager", "2026-03-01", 2},
        {1, 20, 9, "manager", "2025-03-01", 4},
        {1, 19, 7, "peer", "2025-03-01", 5},
    };
    CHECK_EQ_INT(competency_level_rule(m, 4, &level, &n, used), 1);
    CHECK(level == 2.0);
    CHECK_EQ_INT(n, 1);
    CHECK(!used[0] && used[1] && !used[2] && !used[3]);
    CHECK_EQ_INT(competency_level_rule(m, 0, &level, &n, NULL), 0);
    CHECK_EQ_INT(n, 0);
}

TEST(competencies_fit)
{
    /* (4, w2) (3, w1) (5, w1) with 4, 2, 3: (2 + 2/3 + 3/5) / 4 = 0.816666.. -> 8167 */
    struct fit_item a[3] = {{4, 2, 1, 4.0}, {3, 1, 1, 2.0}, {5, 1, 1, 3.0}};
    CHECK_EQ_INT(competency_fit_bp(a, 3), 8167);
    /* exceeding one does not make up for another: 5 > 4 counts 4 */
    struct fit_item b[2] = {{4, 1, 1, 5.0}, {2, 1, 0, 0}};
    CHECK_EQ_INT(competency_fit_bp(b, 2), 5000);
    /* all met */
    struct fit_item c[2] = {{3, 1, 1, 3.0}, {2, 5, 1, 4.5}};
    CHECK_EQ_INT(competency_fit_bp(c, 2), 10000);
    /* a third: 3333.33 -> 3333; two thirds: 6666.67 -> 6667 */
    struct fit_item d[1] = {{3, 1, 1, 1.0}};
    CHECK_EQ_INT(competency_fit_bp(d, 1), 3333);
    d[0].level = 2.0;
    CHECK_EQ_INT(competency_fit_bp(d, 1), 6667);
    /* exactly half a basis point rounds up: 10000 x 1/32 = 312.5 -> 313 */
    struct fit_item e[2] = {{1, 1, 1, 1.0}, {4, 31, 0, 0}};
    CHECK_EQ_INT(competency_fit_bp(e, 2), 313);
    /* nothing required: 0 */
    CHECK_EQ_INT(competency_fit_bp(e, 0), 0);
}

struct world {
    struct fixture f;
    int64_t lead, am1, am2, other, comp[3], profile;
};

static int64_t new_comp(struct fixture *f, const char *code)
{
    struct competency_in in = {.set = CO_CODE | CO_NAME_ZH | CO_NAME_EN};
    in.v.code = code;
    in.v.name_zh = code;
    in.v.name_en = code;
    struct competency out;
    return competency_create(fixture_ctx(f), &in, &out) ? 0 : out.id;
}

static int world_open(struct world *w)
{
    memset(w, 0, sizeof *w);
    if (!fixture_open(&w->f, FIXTURE_MEMORY, NOW))
        return 0;
    struct fixture *f = &w->f;
    int ok = !db_exec(f->db,
                      "INSERT INTO teams (name, created_at, updated_at) VALUES ('East', 0, 0), "
                      "('West', 0, 0)",
                      &f->e);
    int64_t east = ok ? fixture_q64(f, "SELECT id FROM teams WHERE name = 'East'") : 0;
    int64_t west = ok ? fixture_q64(f, "SELECT id FROM teams WHERE name = 'West'") : 0;
    ok = ok && (w->lead = fixture_add_user(f, "lead", "team_lead", east)) > 0 &&
         (w->am1 = fixture_add_user(f, "am1", "account_manager", east)) > 0 &&
         (w->am2 = fixture_add_user(f, "am2", "account_manager", east)) > 0 &&
         (w->other = fixture_add_user(f, "amw", "account_manager", west)) > 0;
    if (ok) {
        char sql[120];
        snprintf(sql, sizeof sql, "UPDATE teams SET manager_id = %lld WHERE id = %lld",
                 (long long)w->lead, (long long)east);
        ok = !db_exec(f->db, sql, &f->e);
    }
    ok = ok && (w->comp[0] = new_comp(f, "u_alpha")) > 0 &&
         (w->comp[1] = new_comp(f, "u_beta")) > 0 && (w->comp[2] = new_comp(f, "u_gamma")) > 0;
    if (ok) {
        struct profile_level pl[3] = {
            {PL_COMP | PL_LEVEL | PL_WEIGHT, w->comp[0], 4, 3, 0, 0, 0},
            {PL_COMP | PL_LEVEL | PL_WEIGHT, w->comp[1], 3, 1, 0, 0, 0},
            {PL_COMP | PL_LEVEL | PL_WEIGHT, w->comp[2], 2, 1, 0, 0, 0},
        };
        struct role_profile_in in = {
            .set = RP_CODE | RP_NAME_ZH | RP_NAME_EN | RP_LEVELS,
            .v = {.code = "senior", .name_zh = "高级", .name_en = "Senior"},
            .levels = pl,
            .n_levels = 3};
        struct role_profile out;
        ok = !role_profile_create(fixture_ctx(f), &in, &out);
        w->profile = ok ? out.id : 0;
    }
    return fixture_setup_end(f, ok);
}

static enum kam_err assess(struct world *w, int64_t as, enum role r, int64_t user, const char *kind,
                           const char *day, int64_t comp, int level)
{
    fixture_as(&w->f, as, r);
    struct assessment_score sc = {AS_COMP | AS_LEVEL, comp, level, NULL, NULL};
    struct assessment_in in = {.set = AM_USER | AM_KIND | AM_DAY | AM_SCORES,
                               .v = {.user_id = user, .kind = kind, .assessed_on = day},
                               .scores = &sc,
                               .n_scores = 1};
    struct assessment out;
    enum kam_err rc = assessment_create(fixture_ctx(&w->f), &in, &out);
    fixture_as(&w->f, 0, ROLE_ADMIN);
    return rc;
}

static const struct competency_level *find(const struct competency_level *l, size_t n, int64_t c)
{
    for (size_t i = 0; i < n; i++)
        if (l[i].competency_id == c)
            return &l[i];
    return NULL;
}

TEST(competencies_levels_of_and_rules)
{
    struct world w;
    if (!world_open(&w))
        return;
    struct fixture *f = &w.f;
    const enum role AM = ROLE_ACCOUNT_MANAGER;
    /* who may write which kind; a refusal writes nothing */
    int64_t before = fixture_q64(f, "SELECT COUNT(*) FROM competency_assessments");
    fixture_check_err(f, assess(&w, w.am1, AM, w.am2, "self", "2026-01-01", w.comp[0], 3),
                      KAM_EINVAL, "user_id");
    CHECK_EQ_STR(f->e.key, "assessment.self_only");
    fixture_check_err(f, assess(&w, w.am1, AM, w.am2, "manager", "2026-01-01", w.comp[0], 3),
                      KAM_EFORBIDDEN, "user_id");
    fixture_check_err(f, assess(&w, w.other, AM, w.am1, "peer", "2026-01-01", w.comp[0], 3),
                      KAM_EFORBIDDEN, "user_id");
    CHECK_EQ_STR(f->e.key, "assessment.not_colleague");
    fixture_check_err(
        f, assess(&w, w.lead, ROLE_TEAM_LEAD, w.other, "manager", "2026-01-01", w.comp[0], 3),
        KAM_EFORBIDDEN, "user_id");
    fixture_check_err(f, assess(&w, w.am1, AM, w.am1, "self", "2026-12-07", w.comp[0], 3),
                      KAM_EINVAL, "assessed_on");
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM competency_assessments"), before);
    CHECK_EQ_INT(
        fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'competency_assessment'"), 0);

    /* am1: comp0 self 5 + peer 2 in January, manager 3 in June; comp1 self 4 */
    CHECK_EQ_INT(assess(&w, w.am1, AM, w.am1, "self", "2026-01-10", w.comp[0], 5), KAM_OK);
    CHECK_EQ_INT(assess(&w, w.am2, AM, w.am1, "peer", "2026-01-12", w.comp[0], 2), KAM_OK);
    CHECK_EQ_INT(assess(&w, w.lead, ROLE_TEAM_LEAD, w.am1, "manager", "2026-06-01", w.comp[0], 3),
                 KAM_OK);
    CHECK_EQ_INT(assess(&w, w.am1, AM, w.am1, "self", "2026-02-01", w.comp[1], 4), KAM_OK);
    CHECK_EQ_INT(
        fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'competency_assessment'"), 4);
    struct competency_level *lv;
    size_t n;
    CHECK_EQ_INT(competency_levels_of(fixture_ctx(f), w.am1, "2026-03-01", &lv, &n), KAM_OK);
    CHECK_EQ_INT(n, 2);
    const struct competency_level *x = find(lv, n, w.comp[0]);
    CHECK(x && x->level == 3.5 && x->n_assessments == 2);
    CHECK_EQ_INT(competency_levels_of(fixture_ctx(f), w.am1, "2026-12-06", &lv, &n), KAM_OK);
    x = find(lv, n, w.comp[0]);
    CHECK(x && x->level == 3.0 && x->n_assessments == 1);
    x = find(lv, n, w.comp[1]);
    CHECK(x && x->level == 4.0);
    CHECK_EQ_INT(competency_levels_of(fixture_ctx(f), w.am1, "2025-12-31", &lv, &n), KAM_OK);
    CHECK_EQ_INT(n, 0);

    /* the person's view with the profile: comp0 3 of 4 (w3), comp1 4 of 3 (w1), comp2 none of
     * 2 (w1): (3 x 3/4 + 1 + 0) / 5 = 0.65 -> 6500; gaps 1, 0, 2 */
    struct person_view v;
    CHECK_EQ_INT(competency_person_view(fixture_ctx(f), w.am1, NULL, "senior", &v), KAM_OK);
    CHECK_EQ_INT(v.fit_bp, 6500);
    int seen = 0;
    for (size_t i = 0; i < v.n_items; i++) {
        const struct person_competency *p = &v.items[i];
        if (p->competency_id == w.comp[0]) {
            CHECK(p->gap == 1.0 && p->n_scores == 3);
            seen++;
        } else if (p->competency_id == w.comp[2]) {
            CHECK(!p->has_level && p->gap == 2.0);
            seen++;
        }
    }
    CHECK_EQ_INT(seen, 2);
    fixture_close(f);
}

static int64_t new_candidate(struct world *w, int64_t user, const char *name)
{
    struct candidate_in in = {.set = CA_PROFILE};
    in.v.profile_id = w->profile;
    if (user) {
        in.set |= CA_USER;
        in.v.user_id = user;
        in.v.has_user = 1;
    } else {
        in.set |= CA_NAME;
        in.v.name = name;
    }
    struct candidate out;
    return candidate_create(fixture_ctx(&w->f), &in, &out) ? 0 : out.id;
}

static enum kam_err interview(struct world *w, int64_t as, int64_t cand, const int levels[3])
{
    fixture_as(&w->f, as, ROLE_HR);
    struct interview_score sc[3];
    int k = 0;
    for (int i = 0; i < 3; i++)
        if (levels[i])
            sc[k++] = (struct interview_score){
                .set = IS_COMP | IS_LEVEL, .competency_id = w->comp[i], .level = levels[i]};
    struct interview_in in = {sc, k};
    struct candidate out;
    enum kam_err rc = candidate_score(fixture_ctx(&w->f), cand, &in, &out);
    fixture_as(&w->f, 0, ROLE_ADMIN);
    return rc;
}

TEST(competencies_ranking_and_decision)
{
    struct world w;
    if (!world_open(&w))
        return;
    struct fixture *f = &w.f;
    int64_t hr1 = fixture_add_user(f, "hr1", "hr", 0), hr2 = fixture_add_user(f, "hr2", "hr", 0);
    /* internal am1: comp0 manager 3, comp1 mean(self 4, peer 2) = 3, comp2 from the interview 1 */
    CHECK_EQ_INT(assess(&w, w.lead, ROLE_TEAM_LEAD, w.am1, "manager", "2026-05-01", w.comp[0], 3),
                 KAM_OK);
    CHECK_EQ_INT(assess(&w, w.am1, ROLE_ACCOUNT_MANAGER, w.am1, "self", "2026-05-01", w.comp[1], 4),
                 KAM_OK);
    CHECK_EQ_INT(assess(&w, w.am2, ROLE_ACCOUNT_MANAGER, w.am1, "peer", "2026-05-02", w.comp[1], 2),
                 KAM_OK);
    int64_t ki = new_candidate(&w, w.am1, NULL), ka = new_candidate(&w, 0, "A"),
            kb = new_candidate(&w, 0, "B");
    CHECK(ki && ka && kb);
    CHECK_EQ_INT(new_candidate(&w, w.am1, NULL), 0);
    CHECK_EQ_STR(f->e.key, "candidate.already");
    static const int i1[3] = {5, 0, 1}, a1[3] = {5, 2, 3}, a2[3] = {4, 3, 0}, b1[3] = {4, 4, 2};
    CHECK_EQ_INT(interview(&w, hr1, ki, i1), KAM_OK);
    CHECK_EQ_INT(interview(&w, hr1, ka, a1), KAM_OK);
    CHECK_EQ_INT(interview(&w, hr2, ka, a2), KAM_OK);
    CHECK_EQ_INT(interview(&w, hr1, kb, b1), KAM_OK);
    /* fits, weights 3, 1, 1 over requirements 4, 3, 2:
     * A: 4.5, 2.5, 3 -> (3 + 2.5/3 + 1) / 5 = 0.96667 -> 9667, gap 0.5 on comp1
     * B: 4, 4, 2 -> 10000, no gap
     * internal: 3, 3, 1 -> (3 x 3/4 + 1 + 1/2) / 5 = 0.75 -> 7500, gaps 1 and 1 */
    struct ranking r;
    CHECK_EQ_INT(candidate_ranking(fixture_ctx(f), w.profile, NULL, &r), KAM_OK);
    CHECK_EQ_INT(r.n_items, 3);
    if (r.n_items == 3) {
        CHECK_EQ_INT(r.items[0].c.id, kb);
        CHECK_EQ_INT(r.items[0].fit_bp, 10000);
        CHECK(r.items[0].meets);
        CHECK_EQ_INT(r.items[1].c.id, ka);
        CHECK_EQ_INT(r.items[1].fit_bp, 9667);
        CHECK(r.items[1].gap_sum == 0.5 && !r.items[1].meets);
        CHECK_EQ_INT(r.items[2].c.id, ki);
        CHECK_EQ_INT(r.items[2].fit_bp, 7500);
        CHECK(r.items[2].gap_sum == 2.0);
        CHECK_EQ_STR(r.items[2].levels[0].source, "assessment");
        CHECK_EQ_STR(r.items[2].levels[2].source, "interview");
        CHECK_EQ_INT(r.items[2].rank, 3);
    }
    /* the decision: a reason, promoted internal only, decided once */
    struct candidate c;
    int64_t audits = fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'candidate'");
    fixture_check_err(f, candidate_decide(fixture_ctx(f), ka, "hired", " ", &c), KAM_ECONFLICT,
                      "reason");
    CHECK_EQ_STR(f->e.key, "candidate.reason_required");
    fixture_check_err(f, candidate_decide(fixture_ctx(f), ka, "promoted", "ok", &c), KAM_ECONFLICT,
                      "decision");
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'candidate'"), audits);
    CHECK_EQ_INT(candidate_decide(fixture_ctx(f), ki, "promoted", "达标", &c), KAM_OK);
    CHECK_EQ_STR(c.status, "promoted");
    CHECK_EQ_STR(c.decision_reason, "达标");
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'candidate' AND "
                                "action = 'decide'"),
                 1);
    fixture_check_err(f, candidate_decide(fixture_ctx(f), ki, "rejected", "x", &c), KAM_ECONFLICT,
                      "status");
    fixture_check_err(f, interview(&w, hr1, ki, i1), KAM_ECONFLICT, "status");
    fixture_close(f);
}
