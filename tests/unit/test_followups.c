/* test_followups.c -- department follow-ups (issue 14): the workflow's moves (every pair), the
 * low-score rules and routing, China's days, medians; follow-ups made from a response (low
 * scores routed to the driver's department and its member, urgent due dates, thresholds from
 * settings, negative comments by their stored sentiment, idempotent), and the per-department
 * stats with the clock moved (days to resolve and confirm, closed-loop rate, overdue). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "fixture.h"
#include "svc/core/tone.h"
#include "svc/needs/follow_up.h"
#include "svc/relationships/account.h"
#include "test.h"

#define NOW 1790000000 /* 2026-09-21T14:13:20Z, 22:13 in China */
#define DAY 86400

TEST(follow_up_transitions_every_pair)
{
    static const char *const st[] = {"open",      "in_progress", "resolved",
                                     "confirmed", "reopened",    "dropped"};
    static const int allowed[6][6] = {
        /* to:          open prog res conf reop drop */
        /* open */ {0, 1, 1, 0, 0, 1},
        /* in_progress */ {0, 0, 1, 0, 0, 1},
        /* resolved */ {0, 0, 0, 1, 1, 0},
        /* confirmed */ {0, 0, 0, 0, 0, 0},
        /* reopened */ {0, 1, 1, 0, 0, 1},
        /* dropped */ {0, 0, 0, 0, 1, 0},
    };
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            if (follow_up_transition_allowed(st[i], st[j]) != allowed[i][j])
                fprintf(stderr, "  %s -> %s\n", st[i], st[j]);
            CHECK_EQ_INT(follow_up_transition_allowed(st[i], st[j]), allowed[i][j]);
        }
    CHECK(!follow_up_transition_allowed(NULL, "open"));
    CHECK(!follow_up_transition_allowed("open", "closed"));
}

TEST(follow_up_rules)
{
    /* NPS <= 6, CSAT <= 2, rating <= 2 with the default thresholds; out-of-range never low. */
    CHECK(follow_up_is_low("nps", 0, 6, 2, 2));
    CHECK(follow_up_is_low("nps", 6, 6, 2, 2));
    CHECK(!follow_up_is_low("nps", 7, 6, 2, 2));
    CHECK(!follow_up_is_low("nps", -1, 6, 2, 2));
    CHECK(follow_up_is_low("csat", 2, 6, 2, 2));
    CHECK(!follow_up_is_low("csat", 3, 6, 2, 2));
    CHECK(!follow_up_is_low("csat", 0, 6, 2, 2));
    CHECK(follow_up_is_low("rating", 1, 6, 2, 2));
    CHECK(!follow_up_is_low("rating", 3, 6, 2, 2));
    CHECK(follow_up_is_low("rating", 3, 6, 2, 3));
    CHECK(!follow_up_is_low("text", 1, 6, 2, 2));
    CHECK(!follow_up_is_low("single", 0, 6, 2, 2));
    CHECK_EQ_STR(follow_up_dept_for("nps", NULL), "sales");
    CHECK_EQ_STR(follow_up_dept_for("csat", "production"), "sales");
    CHECK_EQ_STR(follow_up_dept_for("rating", "production"), "production");
    CHECK_EQ_STR(follow_up_dept_for("rating", "legal"), "sales"); /* unknown department */
    CHECK(follow_up_dept_for("text", "service") == NULL);
    /* China's day: 2026-09-21 22:13 China; 2 hours later it is the 22nd there. */
    char d[11];
    follow_up_day(NOW, 0, d);
    CHECK_EQ_STR(d, "2026-09-21");
    follow_up_day(NOW + 2 * 3600, 0, d);
    CHECK_EQ_STR(d, "2026-09-22");
    follow_up_day(NOW, 7, d);
    CHECK_EQ_STR(d, "2026-09-28");
    follow_up_day(NOW, 365, d);
    CHECK_EQ_STR(d, "2027-09-21");
    double v[] = {5, 1, 3, 2};
    CHECK(fabs(follow_up_median(v, 4) - 2.5) < 1e-12);
    CHECK(fabs(follow_up_median(v, 3) - 2) < 1e-12); /* v is sorted in place: 1 2 3 */
    CHECK(follow_up_median(v, 0) == 0);
}

struct world {
    struct fixture f;
    int64_t am, prod, acc, survey, q_nps, q_csat, q_deliv, q_price, q_text, q_text2;
    int link;
};

static int sql(struct world *w, const char *s)
{
    return !db_exec(w->f.db, s, &w->f.e);
}

static int setup(struct world *w)
{
    memset(w, 0, sizeof *w);
    if (!fixture_open(&w->f, FIXTURE_MEMORY, NOW))
        return 0;
    w->am = fixture_add_user(&w->f, "am", "account_manager", 0);
    w->prod = fixture_add_user(&w->f, "prod", "service", 0);
    int64_t viewer = fixture_add_user(&w->f, "viewer", "viewer", 0);
    struct account_in ai = {.set = ACC_CODE | ACC_NAME | ACC_OWNER};
    ai.v.code = "FU1";
    ai.v.name = "跟进客户";
    ai.v.owner_id = w->am;
    struct account acc;
    struct account_member m;
    int ok = w->am && w->prod && viewer && !account_create(fixture_ctx(&w->f), &ai, &acc);
    w->acc = acc.id;
    /* The viewer joined the production department first but may not work follow-ups: skipped. */
    ok = ok && !account_member_add(fixture_ctx(&w->f), w->acc, viewer, "production", &m);
    w->f.ctx.now = NOW + 1;
    ok = ok && !account_member_add(fixture_ctx(&w->f), w->acc, w->prod, "production", &m);
    w->f.ctx.now = NOW;
    char buf[1024];
    snprintf(buf, sizeof buf,
             "INSERT INTO surveys (id, title_zh_cn, status, created_at, updated_at) VALUES "
             "(1, '满意度', 'open', %d, %d)",
             NOW, NOW);
    ok = ok && sql(w, buf);
    ok = ok && sql(w, "INSERT INTO survey_questions (id, survey_id, position, kind, driver, "
                      "text_zh_cn, text_en, created_at) VALUES "
                      "(11, 1, 1, 'nps', NULL, '推荐意愿', 'Recommend', 0), "
                      "(12, 1, 2, 'csat', NULL, '', 'Overall', 0), "
                      "(13, 1, 3, 'rating', 'delivery', '交货准时', '', 0), "
                      "(14, 1, 4, 'rating', 'price', '价格', '', 0), "
                      "(15, 1, 5, 'text', NULL, '意见', '', 0), "
                      "(16, 1, 6, 'text', NULL, '表扬', '', 0)");
    w->q_nps = 11, w->q_csat = 12, w->q_deliv = 13, w->q_price = 14, w->q_text = 15,
    w->q_text2 = 16;
    ok = ok &&
         sql(w, "INSERT INTO contacts (id, account_id, name, decision_role, influence, attitude, "
                "created_at, updated_at) VALUES (900, (SELECT MIN(id) FROM accounts), "
                "'刘客户', 'user', 3, 3, 0, 0)");
    return fixture_setup_end(&w->f, ok);
}

/* A response on a new link with the given answers ("qid:value" / "qid:ppm:text" SQL tuples). */
static int64_t respond(struct world *w, const char *answers)
{
    w->link++;
    char buf[2048];
    snprintf(buf, sizeof buf,
             "INSERT INTO survey_links (id, survey_id, contact_id, account_id, token_hash, lang, "
             "channel, expires_at, sent_at, created_at) VALUES (%d, 1, NULL, %lld, 'h%d', "
             "'zh-CN', 'phone', %d, %d, %d)",
             w->link, (long long)w->acc, w->link, NOW + 30 * DAY, NOW, NOW);
    if (!sql(w, buf))
        return 0;
    snprintf(buf, sizeof buf,
             "INSERT INTO survey_responses (id, survey_id, link_id, account_id, contact_id, lang, "
             "submitted_at) VALUES (%d, 1, %d, %lld, 900, 'zh-CN', %d)",
             w->link, w->link, (long long)w->acc, NOW);
    if (!sql(w, buf))
        return 0;
    snprintf(buf, sizeof buf,
             "INSERT INTO survey_answers (response_id, question_id, value, text, sentiment_ppm) "
             "VALUES %s",
             answers);
    char *p;
    while ((p = strstr(buf, "R,")))
        p[0] = (char)('0' + w->link); /* the response id (< 10) */
    return sql(w, buf) ? w->link : 0;
}

static int64_t count(struct world *w, const char *where)
{
    char buf[512];
    snprintf(buf, sizeof buf, "SELECT COUNT(*) FROM follow_ups WHERE %s", where);
    return fixture_q64(&w->f, buf);
}

TEST(follow_ups_from_a_response)
{
    struct world w;
    if (!setup(&w))
        return;
    struct fixture *f = &w.f;
    /* NPS 3 (urgent), CSAT 2, delivery 1, price 4 (fine), a comment scored negative, a comment
     * scored positive. */
    int64_t r1 = respond(&w, "(R, 11, 3, NULL, NULL), (R, 12, 2, NULL, NULL), "
                             "(R, 13, 1, NULL, NULL), (R, 14, 4, NULL, NULL), "
                             "(R, 15, NULL, '交货太慢，非常失望', 120000), "
                             "(R, 16, NULL, '服务很好', 950000)");
    CHECK(r1 > 0);
    fixture_as(f, 0, ROLE_ADMIN); /* the public answer route: nobody signed in */
    CHECK(!follow_ups_from_response(fixture_ctx(f), r1));
    CHECK_EQ_INT(count(&w, "response_id = 1"), 4);
    CHECK_EQ_INT(count(&w, "response_id = 1 AND question_id = 11 AND dept_role = 'sales' AND "
                           "source = 'survey' AND due_on = '2026-09-24'"),
                 1); /* NPS 3: urgent, 3 days */
    CHECK_EQ_INT(count(&w, "question_id = 12 AND dept_role = 'sales' AND due_on = '2026-09-28'"),
                 1); /* CSAT 2: 7 days */
    CHECK_EQ_INT(count(&w, "question_id = 13 AND dept_role = 'production'"), 1);
    char buf[128];
    snprintf(buf, sizeof buf, "question_id = 13 AND owner_id = %lld", (long long)w.prod);
    CHECK_EQ_INT(count(&w, buf), 1); /* the production member who may (not the viewer) */
    snprintf(buf, sizeof buf, "question_id = 11 AND owner_id = %lld", (long long)w.am);
    CHECK_EQ_INT(count(&w, buf), 1); /* no sales member: the account owner */
    CHECK_EQ_INT(count(&w, "question_id = 14"), 0);
    CHECK_EQ_INT(count(&w, "question_id = 15 AND source = 'comment' AND detail LIKE '%非常失望%'"),
                 1);
    CHECK_EQ_INT(count(&w, "question_id = 16"), 0);
    CHECK_EQ_INT(count(&w, "title LIKE 'NPS 3/10：推荐意愿%'"), 1);
    CHECK_EQ_INT(count(&w, "question_id = 12 AND title LIKE '%Overall%'"), 1); /* en fallback */
    /* stored with the neutral word: the name is composed in as they are read (t_fix14.py) */
    CHECK_EQ_INT(count(&w, "detail LIKE '受访者于%'"), 3);
    CHECK_EQ_INT(count(&w, "title || detail LIKE '%刘客户%'"), 0);
    /* Owners are notified; the audit has a row per follow-up without the comment's text. */
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM notifications WHERE kind = 'follow_up'"), 4);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'follow_up'"), 4);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'follow_up' AND "
                                "changes LIKE '%失望%'"),
                 0);
    /* Idempotent: a second call adds nothing. */
    CHECK(!follow_ups_from_response(fixture_ctx(f), r1));
    CHECK(!follow_up_from_comment(fixture_ctx(f), r1, w.q_text, "again"));
    CHECK_EQ_INT(count(&w, "1 = 1"), 4);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'follow_up'"), 4);

    /* Thresholds from settings: NPS <= 8 is low, ratings <= 4. */
    int64_t set[5] = {8, 2, 4, 7, 3};
    CHECK(!follow_up_set_settings(fixture_ctx(f), set, 1u | 4u));
    int64_t r2 = respond(&w, "(R, 11, 8, NULL, NULL), (R, 13, 5, NULL, NULL), "
                             "(R, 14, 4, NULL, NULL)");
    CHECK(!follow_ups_from_response(fixture_ctx(f), r2));
    CHECK_EQ_INT(count(&w, "response_id = 2"), 2); /* NPS 8, price 4 */
    CHECK_EQ_INT(count(&w, "response_id = 2 AND question_id = 14 AND dept_role = 'sales'"), 1);
    /* Bad settings are refused whole. */
    int64_t bad[5] = {10, 2, 2, 7, 3};
    fixture_check_err(f, follow_up_set_settings(fixture_ctx(f), bad, 31u), KAM_EINVAL, "nps_max");
    int64_t now_set[5];
    CHECK(!follow_up_settings(fixture_ctx(f), now_set));
    CHECK(now_set[0] == 8 && now_set[2] == 4 && now_set[1] == 2);
    /* An unknown response. */
    fixture_check_err(f, follow_ups_from_response(fixture_ctx(f), 99), KAM_ENOTFOUND,
                      "response_id");
    fixture_close(f);
}

TEST(follow_up_stats_days_and_rates)
{
    struct world w;
    if (!setup(&w))
        return;
    struct fixture *f = &w.f;
    struct follow_up x[4];
    struct follow_up_in in = {.set = FU_FROM_DEPT | FU_DEPT | FU_TITLE | FU_DUE};
    in.v.from_dept = "sales";
    in.v.dept_role = "service";
    in.v.title = "转交";
    in.v.due_on = "2026-09-25";
    for (int i = 0; i < 4; i++)
        CHECK(!follow_up_create(fixture_ctx(f), w.acc, &in, &x[i]));
    CHECK(x[0].has_owner && x[0].owner_id == w.am); /* no service member: the owner */
    struct follow_up out;
    struct follow_up_status_in res = {.to = "resolved", .action = "修好了"};
    struct follow_up_status_in conf = {.to = "confirmed", .confirmation = "客户确认"};
    struct follow_up_status_in drop = {.to = "dropped", .reason = "不需要"};
    f->ctx.now = NOW + 2 * DAY;
    CHECK(!follow_up_set_status(fixture_ctx(f), x[0].id, &res, &out));
    f->ctx.now = NOW + 4 * DAY;
    CHECK(!follow_up_set_status(fixture_ctx(f), x[1].id, &res, &out));
    f->ctx.now = NOW + 9 * DAY;
    CHECK(!follow_up_set_status(fixture_ctx(f), x[0].id, &conf, &out));
    CHECK(!follow_up_set_status(fixture_ctx(f), x[2].id, &drop, &out));
    /* A move that is not allowed changes nothing. */
    int64_t audit = fixture_q64(f, "SELECT COUNT(*) FROM audit");
    fixture_check_err(f, follow_up_set_status(fixture_ctx(f), x[2].id, &res, &out), KAM_ECONFLICT,
                      "to");
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit"), audit);
    struct follow_up_stat *s;
    size_t n;
    CHECK(!follow_up_stats(fixture_ctx(f), NULL, NULL, 0, &s, &n));
    CHECK_EQ_INT(n, 5);
    const struct follow_up_stat *sv = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s[i].dept_role, "service"))
            sv = &s[i];
    CHECK(sv != NULL);
    if (sv) {
        CHECK_EQ_INT(sv->created, 4);
        CHECK_EQ_INT(sv->resolved, 2);
        CHECK_EQ_INT(sv->confirmed, 1);
        CHECK_EQ_INT(sv->dropped, 1);
        CHECK_EQ_INT(sv->overdue, 1); /* x[3]: open, due 09-25, now 09-30 */
        CHECK(fabs(sv->closed_loop_rate - 0.25) < 1e-12);
        CHECK(sv->has_resolve && fabs(sv->mean_days_resolve - 3) < 1e-9);
        CHECK(fabs(sv->median_days_resolve - 3) < 1e-9);
        CHECK(sv->has_confirm && fabs(sv->mean_days_confirm - 9) < 1e-9);
    }
    /* The window: created 2026-09-21 (China) only. */
    CHECK(!follow_up_stats(fixture_ctx(f), "2026-09-22", NULL, 0, &s, &n));
    CHECK_EQ_INT(s[4].created + s[0].created, 0);
    CHECK(!follow_up_stats(fixture_ctx(f), "2026-09-21", "2026-09-21", 0, &s, &n));
    CHECK_EQ_INT(s[4].created, 4);
    fixture_check_err(f, follow_up_stats(fixture_ctx(f), "2026-09-22", "2026-09-21", 0, &s, &n),
                      KAM_EINVAL, "to");
    /* Reopening clears the resolution, a new one counts from creation again. */
    struct follow_up_status_in reo = {.to = "reopened"};
    CHECK(!follow_up_set_status(fixture_ctx(f), x[1].id, &reo, &out));
    CHECK(!out.has_resolved && !strcmp(out.action, "修好了"));
    fixture_close(f);
}

/* Comments by the one rule of svc/core/tone.h: a score stored with this binary's model id is
 * used as stored (not re-scored), one of another model is scored afresh, a non-answer makes no
 * follow-up. */
TEST(follow_ups_comments_by_stored_tone)
{
    struct world w;
    if (!setup(&w))
        return;
    struct fixture *f = &w.f;
    fixture_as(f, 0, ROLE_ADMIN);
    const char *model = tone_model_id();
    char buf[256];
    /* "服务很好" stored as negative by this model: the stored score decides -> a follow-up. */
    int64_t r1 = respond(&w, "(R, 15, NULL, '服务很好', 10000), (R, 16, NULL, '无', NULL)");
    snprintf(buf, sizeof buf,
             "UPDATE survey_answers SET sentiment_model = '%s' WHERE sentiment_ppm IS NOT NULL",
             model);
    CHECK(r1 > 0 && sql(&w, buf));
    CHECK(!follow_ups_from_response(fixture_ctx(f), r1));
    if (*model) {
        CHECK_EQ_INT(count(&w, "response_id = 1 AND question_id = 15 AND source = 'comment'"), 1);
    }
    CHECK_EQ_INT(count(&w, "response_id = 1 AND question_id = 16"), 0); /* "无": a non-answer */
    /* The same text and score from another model: scored afresh (positive) -> none. */
    int64_t r2 = respond(&w, "(R, 15, NULL, '服务很好', 10000)");
    CHECK(r2 > 0 && sql(&w, "UPDATE survey_answers SET sentiment_model = 'other000' WHERE "
                            "response_id = 2"));
    CHECK(!follow_ups_from_response(fixture_ctx(f), r2));
    CHECK_EQ_INT(count(&w, "response_id = 2"), 0);
    /* A real complaint stored with this model's negative score does. */
    int64_t r3 = respond(&w, "(R, 15, NULL, '交货经常延迟，很失望', 700)");
    snprintf(buf, sizeof buf,
             "UPDATE survey_answers SET sentiment_model = '%s' WHERE response_id = 3", model);
    CHECK(r3 > 0 && sql(&w, buf));
    CHECK(!follow_ups_from_response(fixture_ctx(f), r3));
    CHECK_EQ_INT(count(&w, "response_id = 3 AND source = 'comment'"), 1);
    fixture_close(f);
}

/* Personal data: a follow-up from a response names the respondent and their score or comment
 * for readers of responses only; the audit and notifications never carry them; a generated
 * title fits the 200-character limit; erasure scrubs them; a move by a caller who may not read
 * responses leaves the stored title and detail alone. */
TEST(follow_ups_personal_data_and_erasure)
{
    struct world w;
    if (!setup(&w))
        return;
    struct fixture *f = &w.f;
    fixture_as(f, 0, ROLE_ADMIN);
    int64_t r1 = respond(&w, "(R, 11, 3, NULL, NULL), (R, 13, 1, NULL, NULL), "
                             "(R, 15, NULL, '交货太慢，非常失望', 120000)");
    CHECK(r1 > 0 && !follow_ups_from_response(fixture_ctx(f), r1));
    CHECK_EQ_INT(count(&w, "response_id = 1"), 3);
    int64_t nps = fixture_q64(f, "SELECT id FROM follow_ups WHERE question_id = 11");
    int64_t com = fixture_q64(f, "SELECT id FROM follow_ups WHERE question_id = 15");
    CHECK_EQ_INT(count(&w, "title LIKE 'NPS 3/10：推荐意愿%' AND detail LIKE '受访者于%'"), 1);
    CHECK_EQ_INT(count(&w, "title = '负面评论：受访者 · 意见'"), 1);
    /* Never in the audit, nor in notifications: the name, the score, the comment. */
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'follow_up' AND "
                                "(changes LIKE '%刘客户%' OR changes LIKE '%3/10%' OR changes LIKE "
                                "'%失望%')"),
                 0);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'follow_up' AND "
                                "changes LIKE '%低分：推荐意愿%'"),
                 1);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM notifications WHERE params || title || body "
                                "LIKE '%刘客户%' OR params || title || body LIKE '%3/10%'"),
                 0);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM notifications WHERE kind = 'follow_up'"), 3);
    /* A reader of responses sees them; a viewer the plain title and no detail. */
    struct follow_up x;
    fixture_as(f, w.am, ROLE_ACCOUNT_MANAGER);
    CHECK(!follow_up_get(fixture_ctx(f), nps, &x));
    /* the name beside, never in the title or detail */
    CHECK(strstr(x.title, "3/10") && !strncmp(x.detail, "受访者于 ", strlen("受访者于 ")) &&
          !x.detail_withheld);
    CHECK(x.respondent && !strcmp(x.respondent, "刘客户"));
    CHECK(!follow_up_get(fixture_ctx(f), com, &x));
    CHECK_EQ_STR(x.title, "负面评论：受访者 · 意见");
    CHECK(x.respondent && !strcmp(x.respondent, "刘客户"));
    int64_t viewer = fixture_q64(f, "SELECT id FROM users WHERE login = 'viewer'");
    fixture_as(f, viewer, ROLE_VIEWER);
    CHECK(!follow_up_get(fixture_ctx(f), nps, &x));
    CHECK_EQ_STR(x.title, "低分：推荐意愿");
    CHECK(!*x.detail && x.detail_withheld && !x.respondent);
    CHECK(!follow_up_get(fixture_ctx(f), com, &x));
    CHECK_EQ_STR(x.title, "负面评论：意见");
    struct follow_up *items;
    size_t n;
    const char *next;
    struct follow_up_query q = {.account_id = w.acc};
    CHECK(!follow_up_list(fixture_ctx(f), &q, &items, &n, &next));
    CHECK_EQ_INT(n, 3);
    for (size_t i = 0; i < n; i++)
        CHECK(!strstr(items[i].title, "刘客户") && !strstr(items[i].title, "/10") &&
              !*items[i].detail);
    /* A move (and a PATCH of the due date) by such a caller keeps the stored title and detail. */
    struct follow_up_status_in start = {.to = "in_progress"};
    CHECK(!follow_up_set_status(fixture_ctx(f), nps, &start, &x));
    struct follow_up_in due = {.set = FU_DUE};
    due.v.due_on = "2026-10-01";
    CHECK(!follow_up_update(fixture_ctx(f), nps, &due, &x));
    CHECK_EQ_INT(count(&w, "title LIKE 'NPS 3/10：%' AND detail LIKE '受访者于%' AND status = "
                           "'in_progress' AND due_on = '2026-10-01'"),
                 1);
    /* The action: on in_progress and resolved only. */
    struct follow_up_status_in bad = {.to = "dropped", .action = "x", .reason = "y"};
    fixture_check_err(f, follow_up_set_status(fixture_ctx(f), nps, &bad, &x), KAM_EINVAL, "action");

    /* A name of 100 characters and a question of 150: the comment's title stays within 200. */
    fixture_as(f, 0, ROLE_ADMIN);
    char buf[1024], name[301], qtext[451];
    name[0] = qtext[0] = 0;
    for (int i = 0; i < 100; i++)
        strcat(name, "名");
    for (int i = 0; i < 150; i++)
        strcat(qtext, "问");
    snprintf(buf, sizeof buf, "UPDATE contacts SET name = '%s' WHERE id = 900", name);
    CHECK(sql(&w, buf));
    snprintf(buf, sizeof buf,
             "INSERT INTO survey_questions (id, survey_id, position, kind, text_zh_cn, "
             "created_at) VALUES (17, 1, 7, 'text', '%s', 0)",
             qtext);
    CHECK(sql(&w, buf));
    int64_t r2 = respond(&w, "(R, 17, NULL, '太差了，很失望', 700)");
    CHECK(sql(&w, "UPDATE survey_answers SET sentiment_model = NULL WHERE response_id = 2"));
    CHECK(r2 > 0 && !follow_up_from_comment(fixture_ctx(f), r2, 17, "test"));
    int64_t long_id = fixture_q64(f, "SELECT id FROM follow_ups WHERE response_id = 2");
    struct follow_up_in due2 = {.set = FU_DUE | FU_TITLE};
    CHECK(!follow_up_get(fixture_ctx(f), long_id, &x)); /* the name beside, whole */
    CHECK(!strstr(x.title, "名名") && x.respondent &&
          utf8_chars(x.respondent, strlen(x.respondent)) == 100);
    due2.v.title = x.title; /* as a client sends it back */
    due2.v.due_on = "2026-10-02";
    CHECK(!follow_up_update(fixture_ctx(f), long_id, &due2, &x));

    /* Erasure of response 1: titles without the name or score, the detail replaced, audited
     * without the text. */
    int64_t audit = fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'follow_up'");
    CHECK(!follow_ups_erase_response(fixture_ctx(f), r1));
    CHECK_EQ_INT(count(&w, "response_id = 1 AND (title LIKE '%刘客户%' OR title LIKE '%/10%' OR "
                           "detail <> '（已按要求删除 / erased）')"),
                 0);
    CHECK_EQ_INT(count(&w, "response_id = 1 AND title = '低分：推荐意愿'"), 1);
    CHECK_EQ_INT(count(&w, "response_id = 1 AND title = '负面评论：意见'"), 1);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'follow_up'"),
                 audit + 3);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'follow_up' AND "
                                "(changes LIKE '%刘客户%' OR changes LIKE '%失望%' OR changes LIKE "
                                "'%3/10%')"),
                 0);
    /* Again: nothing left to scrub, nothing written. */
    CHECK(!follow_ups_erase_response(fixture_ctx(f), r1));
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'follow_up'"),
                 audit + 3);
    /* The response of the 100-character name untouched. */
    CHECK_EQ_INT(count(&w, "response_id = 2 AND title LIKE '负面评论：受访者 · 问问%'"), 1);
    fixture_close(f);
}

/* Owners: no member of the department, and an account owner who may not work follow-ups
 * (disabled) -> the nearest manager up the owner's team tree; urgent_days <= due_days; stats by
 * team take in subteams and their managers; an unknown team is 404. */
TEST(follow_ups_owner_fallback_settings_team_stats)
{
    struct world w;
    if (!setup(&w))
        return;
    struct fixture *f = &w.f;
    fixture_as(f, 0, ROLE_ADMIN);
    int64_t boss = fixture_add_user(&w.f, "boss", "team_lead", 0);
    char buf[512];
    snprintf(buf, sizeof buf,
             "INSERT INTO teams (id, name, parent_id, manager_id, created_at, updated_at) VALUES "
             "(71, 'top', NULL, %lld, 0, 0), (72, 'sub', 71, NULL, 0, 0)",
             (long long)boss);
    CHECK(sql(&w, buf));
    snprintf(buf, sizeof buf, "UPDATE users SET team_id = 72 WHERE id = %lld", (long long)w.am);
    CHECK(sql(&w, buf));
    struct follow_up_in in = {.set = FU_FROM_DEPT | FU_DEPT | FU_TITLE};
    in.v.from_dept = "sales";
    in.v.dept_role = "technical";
    in.v.title = "转交";
    struct follow_up x;
    CHECK(!follow_up_create(fixture_ctx(f), w.acc, &in, &x));
    CHECK(x.has_owner && x.owner_id == w.am); /* the account owner first */
    snprintf(buf, sizeof buf, "UPDATE users SET disabled = 1 WHERE id = %lld", (long long)w.am);
    CHECK(sql(&w, buf));
    CHECK(!follow_up_create(fixture_ctx(f), w.acc, &in, &x));
    CHECK(x.has_owner && x.owner_id == boss); /* the manager of the parent team */
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM notifications WHERE kind = 'follow_up' AND "
                                "user_id = (SELECT id FROM users WHERE login = 'boss')"),
                 1);
    /* urgent_days <= due_days, checked against the stored value when only one is given. */
    int64_t set[5] = {6, 2, 2, 5, 8};
    fixture_check_err(f, follow_up_set_settings(fixture_ctx(f), set, 1u << 4), KAM_EINVAL,
                      "urgent_days");
    fixture_check_err(f, follow_up_set_settings(fixture_ctx(f), set, 3u << 3), KAM_EINVAL,
                      "urgent_days");
    set[3] = 2;
    fixture_check_err(f, follow_up_set_settings(fixture_ctx(f), set, 1u << 3), KAM_EINVAL,
                      "urgent_days"); /* due 2 < the stored urgent 3 */
    set[3] = 5;
    set[4] = 5;
    CHECK(!follow_up_set_settings(fixture_ctx(f), set, 3u << 3));
    /* Stats by team: the account's owner sits in a subteam of 71. */
    struct follow_up_stat *s;
    size_t n;
    CHECK(!follow_up_stats(fixture_ctx(f), NULL, NULL, 71, &s, &n));
    CHECK_EQ_INT(s[2].created, 2); /* technical */
    CHECK(!follow_up_stats(fixture_ctx(f), NULL, NULL, 72, &s, &n));
    CHECK_EQ_INT(s[2].created, 2);
    fixture_check_err(f, follow_up_stats(fixture_ctx(f), NULL, NULL, 999, &s, &n), KAM_ENOTFOUND,
                      "team_id");
    fixture_close(f);
}

/* Migration 0021: rows written before it named the respondent in the title (a comment) or the
 * detail (a score); the migration puts the neutral word in their place, nothing else. */
TEST(follow_ups_migration_0021_names)
{
    struct world w;
    if (!setup(&w))
        return;
    struct fixture *f = &w.f;
    int64_t r1 = respond(&w, "(R, 11, 3, NULL, NULL), (R, 15, NULL, '交货太慢，非常失望', 120000)");
    CHECK(r1 > 0 && !follow_ups_from_response(fixture_ctx(f), r1));
    CHECK_EQ_INT(count(&w, "response_id = 1"), 2);
    /* as the code before wrote them (a user's words appended to the detail) */
    CHECK(sql(&w,
              "UPDATE follow_ups SET title = '负面评论：刘客户 · 意见' WHERE source = 'comment'"));
    CHECK(sql(&w,
              "UPDATE follow_ups SET detail = '刘客户 ' || substr(detail, 4) || '已回访 · 于 甲' "
              "WHERE source = 'survey'"));
    CHECK_EQ_INT(count(&w, "detail LIKE '刘客户 于 %' OR title LIKE '负面评论：刘客户 · %'"), 2);
    const char *m21 = db_migration_sql(f->db, 21);
    CHECK(m21 && strstr(m21, "受访者"));
    if (!m21) {
        fixture_close(f);
        return;
    }
    CHECK(!db_exec(f->db, m21, &f->e));
    CHECK_EQ_INT(count(&w, "title || detail LIKE '%刘客户%'"), 0);
    CHECK_EQ_INT(count(&w, "source = 'comment' AND title = '负面评论：受访者 · 意见'"), 1);
    CHECK_EQ_INT(count(&w, "source = 'survey' AND detail LIKE '受访者于 % 在问卷“%已回访 · 于 甲'"),
                 1);
    /* again: nothing of that shape left, nothing changed */
    CHECK(!db_exec(f->db, m21, &f->e));
    CHECK_EQ_INT(count(&w, "source = 'comment' AND title = '负面评论：受访者 · 意见'"), 1);
    CHECK_EQ_INT(count(&w, "source = 'survey' AND detail LIKE '受访者于 % 在问卷“%已回访 · 于 甲'"),
                 1);
    fixture_close(f);
}
