/* demo_competencies.c -- demo data of the account team chapter: competencies (issue 18 item 7).
 *
 * The six built-in competencies get their rubric (levels 1-5, zh and en); three role profiles
 * (account_manager, senior_account_manager, team_lead); the East team's account managers (up to
 * four) are assessed in two rounds (about 11 and 2 months before the demo's now): each by
 * themself, by lead.east and by a colleague, so every one has a reassessment; three candidates
 * for senior_account_manager (am.east1 internal, two external) with interview scores by
 * lead.east and hr, one of them put on hold with its reason. Written through the services as
 * the people who would write them (checked, audited). */
#include <string.h>

#include "base/timeutil.h"
#include "candidate.h"
#include "competency.h"
#include "demo.h"
#include "store/db.h"

#define CHINA_OFFSET (8 * 3600)
#define NCOMP 6
#define MAX_AMS 4

static const char *const codes[NCOMP] = {"communication",   "teamwork",    "product_knowledge",
                                         "problem_solving", "negotiation", "legal_compliance"};

static const char *const level_zh[5] = {
    "了解%s的基本要求，需要他人指导",         "能在常规情形下运用%s，偶尔需要支持",
    "能独立、稳定地运用%s处理本职工作",       "在复杂情形下熟练运用%s，能指导同事",
    "%s方面的标杆，能制定方法并在团队内推广",
};
static const char *const level_en[5] = {
    "Knows the basics of %s; needs guidance",
    "Applies %s in routine situations, with occasional support",
    "Applies %s independently and consistently in their own work",
    "Masters %s in complex situations and coaches colleagues",
    "A reference in %s: sets the method and spreads it across the team",
};

static enum kam_err id_of(struct kam_ctx *ctx, const char *sql, const char *text, int64_t *id)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, text);
    int row = 0;
    *id = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *id = db_col_i64(st, 0);
    db_done(st);
    return rc;
}

static const char *ymd(struct kam_ctx *ctx, int64_t days)
{
    int y, m, d;
    days_to_date(days, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

static enum kam_err rubrics(struct kam_ctx *ctx, int64_t comp[NCOMP])
{
    enum kam_err rc = KAM_OK;
    for (int c = 0; c < NCOMP && !rc; c++) {
        if ((rc = id_of(ctx, "SELECT id FROM competencies WHERE code = ?", codes[c], &comp[c])))
            return rc;
        struct competency cur;
        if (!comp[c] || (rc = competency_get(ctx, comp[c], &cur)))
            return rc ? rc : kam_fail(ctx->err, KAM_EINTERNAL, "", "no competency %s", codes[c]);
        struct competency_rubric lv[5];
        for (int l = 0; l < 5; l++)
            lv[l] = (struct competency_rubric){
                .set = CR_LEVEL | CR_ZH | CR_EN,
                .level = l + 1,
                .descriptor_zh = arena_printf(ctx->a, level_zh[l], cur.name_zh),
                .descriptor_en = arena_printf(ctx->a, level_en[l], cur.name_en)};
        struct competency_in in = {.set = CO_LEVELS, .levels = lv, .n_levels = 5};
        struct competency out;
        rc = competency_update(ctx, comp[c], &in, &out);
    }
    return rc;
}

static enum kam_err profile(struct kam_ctx *ctx, const int64_t comp[NCOMP], const char *code,
                            const char *zh, const char *en, const int need[NCOMP],
                            const int weight[NCOMP], int64_t *id)
{
    struct profile_level pl[NCOMP];
    for (int c = 0; c < NCOMP; c++)
        pl[c] = (struct profile_level){.set = PL_COMP | PL_LEVEL | PL_WEIGHT,
                                       .competency_id = comp[c],
                                       .level = need[c],
                                       .weight = weight[c]};
    struct role_profile_in in = {.set = RP_CODE | RP_NAME_ZH | RP_NAME_EN | RP_LEVELS,
                                 .v = {.code = code, .name_zh = zh, .name_en = en},
                                 .levels = pl,
                                 .n_levels = NCOMP};
    struct role_profile out;
    enum kam_err rc = role_profile_create(ctx, &in, &out);
    *id = rc ? 0 : out.id;
    return rc;
}

static enum kam_err assess(struct kam_ctx *ctx, int64_t who, enum role role, int64_t user,
                           const char *kind, const char *day, const int64_t comp[NCOMP],
                           const int level[NCOMP], const char *note)
{
    struct principal was = ctx->who;
    ctx->who.user_id = who;
    ctx->who.role = role;
    struct assessment_score sc[NCOMP];
    for (int c = 0; c < NCOMP; c++)
        sc[c] = (struct assessment_score){
            .set = AS_COMP | AS_LEVEL | AS_EVIDENCE,
            .competency_id = comp[c],
            .level = level[c],
            .evidence = level[c] >= 4 ? "多次在重点客户拜访中独立处理复杂问题"
                                      : (level[c] <= 2 ? "需在上级陪同下完成客户沟通"
                                                       : "能按计划完成客户拜访与跟进")};
    struct assessment_in in = {
        .set = AM_USER | AM_KIND | AM_DAY | AM_NOTE | AM_SCORES,
        .v = {.user_id = user, .kind = kind, .assessed_on = day, .note = note},
        .scores = sc,
        .n_scores = NCOMP};
    struct assessment out;
    enum kam_err rc = assessment_create(ctx, &in, &out);
    ctx->who = was;
    return rc;
}

static enum kam_err interview(struct kam_ctx *ctx, int64_t who, enum role role, int64_t cand,
                              const int64_t comp[NCOMP], const int level[NCOMP])
{
    struct principal was = ctx->who;
    ctx->who.user_id = who;
    ctx->who.role = role;
    struct interview_score sc[NCOMP];
    for (int c = 0; c < NCOMP; c++)
        sc[c] = (struct interview_score){.set = IS_COMP | IS_LEVEL | IS_NOTE,
                                         .competency_id = comp[c],
                                         .level = level[c],
                                         .note = level[c] >= 4 ? "案例回答具体、有数据支撑"
                                                               : "回答较笼统，需进一步考察"};
    struct interview_in in = {.scores = sc, .n_scores = NCOMP};
    struct candidate out;
    enum kam_err rc = candidate_score(ctx, cand, &in, &out);
    ctx->who = was;
    return rc;
}

static enum kam_err candidate(struct kam_ctx *ctx, int64_t profile_id, int64_t user_id,
                              const char *name, const char *contact, const char *source,
                              int64_t *id)
{
    struct candidate_in in = {.set = CA_PROFILE | CA_SOURCE,
                              .v = {.profile_id = profile_id, .source = source}};
    if (user_id) {
        in.set |= CA_USER;
        in.v.user_id = user_id;
        in.v.has_user = 1;
    } else {
        in.set |= CA_NAME | CA_CONTACT;
        in.v.name = name;
        in.v.contact = contact;
    }
    struct candidate out;
    enum kam_err rc = candidate_create(ctx, &in, &out);
    *id = rc ? 0 : out.id;
    return rc;
}

enum kam_err competencies_demo(struct kam_ctx *ctx)
{
    int64_t comp[NCOMP];
    enum kam_err rc = rubrics(ctx, comp);
    if (rc)
        return rc;
    static const int am_need[NCOMP] = {3, 3, 3, 3, 3, 2}, am_w[NCOMP] = {2, 1, 2, 1, 1, 1};
    static const int sam_need[NCOMP] = {4, 3, 4, 4, 4, 3}, sam_w[NCOMP] = {2, 1, 2, 1, 2, 1};
    static const int tl_need[NCOMP] = {4, 4, 3, 4, 4, 3}, tl_w[NCOMP] = {2, 2, 1, 1, 1, 1};
    int64_t p_am, p_sam, p_tl;
    if ((rc = profile(ctx, comp, "account_manager", "客户经理", "Account manager", am_need, am_w,
                      &p_am)) ||
        (rc = profile(ctx, comp, "senior_account_manager", "高级客户经理", "Senior account manager",
                      sam_need, sam_w, &p_sam)) ||
        (rc = profile(ctx, comp, "team_lead", "大客户团队主管", "Key account team lead", tl_need,
                      tl_w, &p_tl)))
        return rc;
    int64_t lead = 0, hr = 0;
    if ((rc = id_of(ctx, "SELECT id FROM users WHERE login = ?", "lead.east", &lead)) ||
        (rc = id_of(ctx, "SELECT id FROM users WHERE login = ?", "hr", &hr)))
        return rc;
    if (!lead)
        return KAM_OK; /* no demo team */
    int64_t ams[MAX_AMS];
    int n = 0;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT u.id FROM users u JOIN teams t ON t.id = u.team_id WHERE "
                         "t.manager_id = ? AND u.role = 'account_manager' ORDER BY u.id",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, lead);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row)
        if (n < MAX_AMS)
            ams[n++] = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    int64_t today = (ctx->now + CHINA_OFFSET) / 86400;
    static const int64_t rounds[2] = {330, 60};
    for (int r = 0; r < 2 && !rc; r++) {
        for (int i = 0; i < n && !rc; i++) {
            int base[NCOMP], self[NCOMP], peer[NCOMP];
            for (int c = 0; c < NCOMP; c++) {
                base[c] = 2 + (i + c) % 3 + (r && (c + i) % 2 == 0);
                if (base[c] > 5)
                    base[c] = 5;
                self[c] = base[c] < 5 ? base[c] + (c % 2) : 5;
                peer[c] = base[c] > 1 && c == 4 ? base[c] - 1 : base[c];
            }
            const char *day = ymd(ctx, today - rounds[r] - i);
            int64_t colleague = ams[(i + 1) % n];
            if ((rc = assess(ctx, ams[i], ROLE_ACCOUNT_MANAGER, ams[i], "self", day, comp, self,
                             r ? "年中复评自评" : "年度自评")) ||
                (rc = assess(ctx, lead, ROLE_TEAM_LEAD, ams[i], "manager", day, comp, base,
                             r ? "年中复评：沟通与谈判有进步" : "年度评估")))
                break;
            if (n > 1)
                rc = assess(ctx, colleague, ROLE_ACCOUNT_MANAGER, ams[i], "peer", day, comp, peer,
                            "同事互评");
        }
    }
    if (rc || !n)
        return rc;
    int64_t c_int, c_ext1, c_ext2;
    static const int ext1[NCOMP] = {5, 4, 4, 4, 5, 3}, ext1b[NCOMP] = {4, 4, 5, 4, 4, 3};
    static const int ext2[NCOMP] = {3, 4, 3, 2, 3, 4}, ext2b[NCOMP] = {3, 3, 3, 3, 3, 4};
    if ((rc = candidate(ctx, p_sam, ams[0], NULL, NULL, "内部晋升", &c_int)) ||
        (rc = candidate(ctx, p_sam, 0, "王敏 Wang Min", "wang.min@example.com", "猎头推荐",
                        &c_ext1)) ||
        (rc = candidate(ctx, p_sam, 0, "James Carter", "+852 5555 0199", "LinkedIn", &c_ext2)) ||
        (rc = interview(ctx, lead, ROLE_TEAM_LEAD, c_ext1, comp, ext1)) ||
        (rc = interview(ctx, hr, ROLE_HR, c_ext1, comp, ext1b)) ||
        (rc = interview(ctx, lead, ROLE_TEAM_LEAD, c_ext2, comp, ext2)) ||
        (rc = interview(ctx, hr, ROLE_HR, c_ext2, comp, ext2b)))
        return rc;
    struct candidate out;
    return candidate_decide(ctx, c_ext2, "on_hold", "问题解决能力不足，待第二轮案例面试后再定",
                            &out);
}
