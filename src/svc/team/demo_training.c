/* demo_training.c -- demo data of the account team chapter: training (issue 18 item 7).
 *
 * Two courses: 客户沟通技巧 (communication, a workshop ~7 months before the demo's now) and
 * 合同与法律意识 (legal awareness, a classroom session ~6 months before it). Four account
 * managers complete the first, two the second, one is absent; pre/post tests, the people's
 * own feedback and practice assignments on their own accounts. Every account manager gets
 * 1-3 visits done a month over the three months before and after each session (deterministic
 * draws); those trained in communication make 2-4 more a month after it, so the course's
 * difference-in-differences on visits (GET /courses/:id/effect?kpi=visits) is positive with a
 * CI above 0, while the legal course's is not. Written through the services (checked, audited). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "course.h"
#include "demo.h"
#include "enrolment.h"
#include "store/db.h"
#include "svc/relationships/visit.h"

#define CHINA_OFFSET (8 * 3600)

static enum kam_err user_by_login(struct kam_ctx *ctx, const char *login, int64_t *id)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, "SELECT id FROM users WHERE login = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, login);
    int row = 0;
    *id = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *id = db_col_i64(st, 0);
    db_done(st);
    return rc;
}

static enum kam_err first_account(struct kam_ctx *ctx, int64_t owner, int64_t *id)
{
    enum kam_err rc = db_query_i64(
        ctx->db, "SELECT id FROM accounts WHERE owner_id = ? AND status <> 'prospect' ORDER BY id",
        1, owner, id, ctx->err);
    if (rc == KAM_ENOTFOUND) {
        *id = 0;
        return KAM_OK;
    }
    return rc;
}

static const char *ymd(struct kam_ctx *ctx, int64_t days)
{
    int y, m, d;
    days_to_date(days, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

/* The first day (days) of month index mi (y * 12 + m - 1). */
static int64_t month_first(int mi)
{
    return date_to_days(mi / 12, mi % 12 + 1, 1);
}

static enum kam_err new_course(struct kam_ctx *ctx, const char *code, const char *title,
                               const char *topic, const char *format, const char *desc,
                               const char *const *competencies, int64_t *id)
{
    struct course_in in = {.set = CRS_CODE | CRS_TITLE | CRS_TOPIC | CRS_FORMAT | CRS_DESCRIPTION |
                                  CRS_COMPETENCIES};
    in.v.code = code;
    in.v.title = title;
    in.v.topic = topic;
    in.v.format = format;
    in.v.description = desc;
    enum kam_err rc = KAM_OK;
    for (int i = 0; competencies[i] && !rc; i++) {
        int64_t cid = 0;
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db, "SELECT id FROM competencies WHERE code = ?", &st, ctx->err)))
            return rc;
        db_bind_text(st, 1, competencies[i]);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row)
            cid = db_col_i64(st, 0);
        db_done(st);
        if (cid)
            in.competency_ids[in.n_competency_ids++] = cid;
    }
    in.competencies_given = 1;
    struct course c;
    if (!rc && !(rc = course_create(ctx, &in, &c)))
        *id = c.id;
    return rc;
}

static enum kam_err new_session(struct kam_ctx *ctx, int64_t course, int64_t start, int days,
                                int64_t trainer, const char *trainer_name, const char *place,
                                int64_t *id)
{
    struct session_in in = {.set = SES_COURSE | SES_STARTS | SES_ENDS | SES_PLACE};
    in.v.course_id = course;
    in.v.starts_on = ymd(ctx, start);
    in.v.ends_on = ymd(ctx, start + days - 1);
    in.v.place = place;
    if (trainer) {
        in.set |= SES_TRAINER;
        in.v.trainer_id = trainer;
        in.v.has_trainer = 1;
    }
    if (trainer_name) {
        in.set |= SES_TRAINER_NAME;
        in.v.trainer_name = trainer_name;
    }
    struct training_session s;
    enum kam_err rc = session_create(ctx, &in, &s);
    if (!rc)
        *id = s.id;
    return rc;
}

struct trainee {
    const char *login;
    int attended;
    int64_t pre, post, rating;
    const char *comment;
};

/* Enrols, records attendance, tests, the person's feedback, a practice assignment and the
 * completion, each at a plausible time of the demo's past. */
static enum kam_err train(struct kam_ctx *ctx, int64_t session, int64_t start, int days,
                          const struct trainee *t, const char *task, const char *result)
{
    int64_t now = ctx->now, uid = 0;
    struct principal system = ctx->who;
    enum kam_err rc = user_by_login(ctx, t->login, &uid);
    if (rc || !uid)
        return rc;
    struct enrolment e;
    struct enrolment_in in = {.set = EN_SESSION | EN_USER};
    in.v.session_id = session;
    in.v.user_id = uid;
    ctx->now = (start - 14) * 86400 - CHINA_OFFSET + 10 * 3600;
    if ((rc = enrolment_create(ctx, &in, &e)))
        goto out;
    struct enrolment_in pre = {.set = EN_PRE};
    pre.v.pre_score = t->pre;
    pre.v.has_pre = 1;
    ctx->now = start * 86400 - CHINA_OFFSET + 9 * 3600;
    if ((rc = enrolment_update(ctx, e.id, &pre, &e)) ||
        (rc = enrolment_attendance(ctx, e.id, t->attended, &e)) || !t->attended)
        goto out;
    int64_t end = start + days - 1;
    ctx->now = end * 86400 - CHINA_OFFSET + 17 * 3600;
    struct enrolment_in post = {.set = EN_POST};
    post.v.post_score = t->post;
    post.v.has_post = 1;
    if ((rc = enrolment_update(ctx, e.id, &post, &e)))
        goto out;
    ctx->who = (struct principal){uid, ROLE_ACCOUNT_MANAGER, t->login};
    rc = enrolment_feedback(ctx, e.id, t->rating, t->comment, &e);
    ctx->who = system;
    if (rc)
        goto out;
    int64_t acc = 0;
    if ((rc = first_account(ctx, uid, &acc)))
        goto out;
    if (acc) {
        struct enrolment_in pr = {.set = EN_PACCOUNT | EN_PTASK | EN_PDUE | EN_PDONE | EN_PRESULT};
        pr.v.practice_account_id = acc;
        pr.v.has_practice_account = 1;
        pr.v.practice_task = task;
        pr.v.practice_due_on = ymd(ctx, end + 30);
        pr.v.practice_done_on = ymd(ctx, end + 24);
        pr.v.practice_result = result;
        ctx->now = (end + 24) * 86400 - CHINA_OFFSET + 18 * 3600;
        if ((rc = enrolment_update(ctx, e.id, &pr, &e)))
            goto out;
    }
    ctx->now = (end + 25) * 86400 - CHINA_OFFSET + 10 * 3600;
    rc = enrolment_complete(ctx, e.id, &e, NULL);
out:
    ctx->who = system;
    ctx->now = now;
    return rc;
}

/* n visits done by the account's owner (login) in month mi, on days 3, 10, 17, 24 ... at 10:00,
 * each logged by them. */
static enum kam_err visits(struct kam_ctx *ctx, int64_t owner, const char *login, int64_t account,
                           int mi, int n)
{
    int64_t now = ctx->now;
    struct principal system = ctx->who;
    ctx->who = (struct principal){owner, ROLE_ACCOUNT_MANAGER, login};
    enum kam_err rc = KAM_OK;
    for (int i = 0; i < n && !rc; i++) {
        int64_t day = month_first(mi) + 2 + 7 * (i % 4) + i / 4;
        int64_t at = day * 86400 - CHINA_OFFSET + 10 * 3600;
        char iso[32];
        time_iso(at, iso, sizeof iso);
        struct visit_in vin = {0};
        vin.set = VIS_KIND | VIS_PLANNED | VIS_OWNER;
        vin.v.account_id = account;
        vin.v.owner_id = owner;
        vin.v.kind = i % 2 ? "phone" : "onsite";
        vin.planned_at_iso = iso;
        struct visit v;
        ctx->now = at - 3 * 86400;
        if ((rc = visit_create(ctx, &vin, &v)))
            break;
        struct visit_done done = {0};
        done.outcome = "例行拜访：了解本季度采购计划。";
        done.next_steps = "两周内跟进报价。";
        done.occurred_at_iso = iso;
        ctx->now = at + 3600;
        rc = visit_complete(ctx, v.id, &done, &v);
    }
    ctx->who = system;
    ctx->now = now;
    return rc;
}

enum kam_err training_demo(struct kam_ctx *ctx)
{
    int y, m, d;
    days_to_date((ctx->now + CHINA_OFFSET) / 86400, &y, &m, &d);
    int now_mi = y * 12 + m - 1;
    int mi_a = now_mi - 7, mi_b = now_mi - 6; /* the two sessions' months */
    int64_t start_a = month_first(mi_a) + 9, start_b = month_first(mi_b) + 14;
    int64_t course_a = 0, course_b = 0, ses_a = 0, ses_b = 0, legal = 0;
    static const char *const comp_a[] = {"communication", "negotiation", NULL};
    static const char *const comp_b[] = {"legal_compliance", NULL};
    enum kam_err rc;
    if ((rc = user_by_login(ctx, "legal", &legal)) ||
        (rc = new_course(ctx, "KAM-COM-01", "客户沟通技巧", "communication", "workshop",
                         "倾听与提问、高层对话、异议处理；含角色扮演与真实客户演练。", comp_a,
                         &course_a)) ||
        (rc = new_course(ctx, "KAM-LEG-01", "合同与法律意识", "legal", "classroom",
                         "合同条款要点、违约与争议的早期识别、合规红线。", comp_b, &course_b)) ||
        (rc = new_course(ctx, "KAM-PRD-02", "液压产品知识进阶", "product", "online",
                         "液压泵与比例阀的选型、典型故障与应用案例。",
                         (const char *const[]){"product_knowledge", NULL}, &(int64_t){0})) ||
        (rc = new_session(ctx, course_a, start_a, 2, 0, "王敏（外部讲师）", "上海培训中心 A201",
                          &ses_a)) ||
        (rc = new_session(ctx, course_b, start_b, 1, legal, NULL, "总部 3 楼会议室", &ses_b)))
        return rc;
    static const struct trainee a[] = {
        {"am.east1", 1, 58, 84, 5, "角色扮演很实用，马上用在了客户季度回顾上。"},
        {"am.east2", 1, 62, 88, 5, "学会了先问后讲。"},
        {"am.south1", 1, 55, 79, 4, "案例贴近实际，希望多一些高层对话练习。"},
        {"am.south2", 1, 60, 83, 4, "异议处理的框架很好用。"},
        {"am.global2", 0, 64, 0, 0, NULL},
    };
    static const struct trainee b[] = {
        {"am.east3", 1, 66, 74, 3, "内容偏理论。"},
        {"am.south3", 1, 61, 70, 4, "违约条款部分有帮助。"},
    };
    for (size_t i = 0; i < sizeof a / sizeof a[0] && !rc; i++)
        rc = train(ctx, ses_a, start_a, 2, &a[i],
                   "为该客户准备一次季度业务回顾，运用提问框架并记录客户反馈",
                   "已完成季度回顾，客户提出两项新需求，已录入。");
    for (size_t i = 0; i < sizeof b / sizeof b[0] && !rc; i++)
        rc = train(ctx, ses_b, start_b, 1, &b[i], "对照该客户现行合同梳理违约与争议风险点",
                   "识别出交付延期条款风险一项，已与法务确认。");
    if (rc)
        return rc;
    /* visits: every account manager 1-3 a month around both sessions; the communication
     * trainees 3 more a month after theirs */
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT id, login FROM users WHERE role = 'account_manager' AND disabled "
                         "= 0 ORDER BY id",
                         &st, ctx->err)))
        return rc;
    int64_t ids[64];
    const char *logins[64];
    int n = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row || n == 64)
            break;
        ids[n] = db_col_i64(st, 0);
        logins[n++] = arena_strdup(ctx->a, db_col_text(st, 1));
    }
    db_done(st);
    for (int i = 0; i < n && !rc; i++) {
        int64_t acc = 0;
        if ((rc = first_account(ctx, ids[i], &acc)) || !acc)
            continue;
        int trained_a = 0;
        for (size_t k = 0; k < 4; k++)
            trained_a |= !strcmp(logins[i], a[k].login);
        for (int mi = mi_a - 3; mi <= mi_b + 3 && !rc; mi++) {
            uint64_t h =
                (uint64_t)ids[i] * 0x9e3779b97f4a7c15ull ^ (uint64_t)mi * 0xbf58476d1ce4e5b9ull;
            h ^= h >> 29;
            int base = 1 + (int)(h % 3);
            int extra = trained_a && mi > mi_a && mi <= mi_a + 3 ? 2 + (int)(ids[i] % 3) : 0;
            rc = visits(ctx, ids[i], logins[i], acc, mi, base + extra);
        }
    }
    return rc;
}
