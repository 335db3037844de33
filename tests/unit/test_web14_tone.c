/* test_web14_tone.c -- the tone line's writer (svc/core/tone.c, WEB14): range checked on the
 * field "negative_below_ppm" with nothing written; a change is stored and audited (before and
 * after) in the same transaction, and the label of a stored score follows it; tone_of and
 * tone_of_stored report success for texts they score (their failure is the classifier's out of
 * memory). A classifier failure (tone_test_fail) fails the write paths -- staff entry, the
 * follow-ups of a response -- with everything rolled back, and never a read: the response is
 * read, listed and erased, its comment "not scored". */
#include "test.h"

#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "store/db.h"
#include "svc/core/tone.h"
#include "svc/needs/follow_up.h"
#include "svc/needs/survey_answer.h"
#include "svc/relationships/account.h"

#define AUDITS "SELECT COUNT(*) FROM audit WHERE entity = 'settings'"
#define SETS "SELECT COUNT(*) FROM settings WHERE key = 'tone.negative_below_ppm'"

TEST(web14_tone_line_is_checked_stored_and_audited)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, 1767225600)) {
        CHECK(!"fixture");
        return;
    }
    const int64_t bad[] = {-1, TONE_NEGATIVE_BELOW_MAX + 1, 1000000, INT64_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        fixture_check_err(&f, tone_set_negative_below(fixture_ctx(&f), bad[i]), KAM_EINVAL,
                          "negative_below_ppm");
    CHECK_EQ_INT(fixture_q64(&f, AUDITS), 0);
    CHECK_EQ_INT(fixture_q64(&f, SETS), 0);

    CHECK_EQ_INT(tone_set_negative_below(fixture_ctx(&f), 0), KAM_OK);
    int ppm = -1;
    CHECK_EQ_INT(tone_negative_below(fixture_ctx(&f), &ppm), KAM_OK);
    CHECK_EQ_INT(ppm, 0);
    CHECK_EQ_INT(fixture_q64(&f, AUDITS), 1);
    CHECK_EQ_INT(tone_set_negative_below(fixture_ctx(&f), TONE_NEGATIVE_BELOW_MAX), KAM_OK);
    CHECK_EQ_INT(tone_negative_below(fixture_ctx(&f), &ppm), KAM_OK);
    CHECK_EQ_INT(ppm, TONE_NEGATIVE_BELOW_MAX);
    CHECK_EQ_INT(fixture_q64(&f, AUDITS), 2);
    CHECK_EQ_INT(fixture_q64(&f, SETS), 1);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'settings' AND "
                                 "changes LIKE '%tone.negative_below_ppm%'"),
                 2);
    /* each row: settings 1, update, the line before and after */
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'settings' AND "
                                 "entity_id = 1 AND action = 'update' AND changes = "
                                 "'{\"tone.negative_below_ppm\":[150000,0]}'"),
                 1);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'settings' AND "
                                 "entity_id = 1 AND action = 'update' AND changes = "
                                 "'{\"tone.negative_below_ppm\":[0,500000]}'"),
                 1);

    /* a stored score is relabelled by the line; a score of another model is scored afresh */
    enum tone_label l = TONE_NONE;
    CHECK_EQ_INT(
        tone_of_stored(fixture_ctx(&f), "价格偏高", 1, 260000, tone_model_id(), 150000, &l),
        KAM_OK);
    CHECK_EQ_INT(l, TONE_NEUTRAL);
    CHECK_EQ_INT(
        tone_of_stored(fixture_ctx(&f), "价格偏高", 1, 260000, tone_model_id(), 300000, &l),
        KAM_OK);
    CHECK_EQ_INT(l, TONE_NEGATIVE);
    CHECK_EQ_INT(
        tone_of_stored(fixture_ctx(&f), "交货经常延迟，很失望", 1, 999999, "00000000", 150000, &l),
        KAM_OK);
    CHECK_EQ_INT(l, TONE_NEGATIVE);
    struct tone t;
    CHECK_EQ_INT(
        tone_score(fixture_ctx(&f), "Delivery is always late, very disappointed", 150000, &t),
        KAM_OK);
    CHECK_EQ_INT(t.label, TONE_NEGATIVE);
    CHECK_EQ_INT(tone_of("暂无", 150000, &t), KAM_OK);
    CHECK_EQ_INT(t.label, TONE_NEUTRAL);
    fixture_close(&f);
}

#define TNOW 1790000000

static int run(struct fixture *f, const char *sql)
{
    return !db_exec(f->db, sql, &f->e);
}

/* A classifier failure: the write paths fail and roll back; the reads succeed, "not scored". */
TEST(web14_tone_failure_fails_writes_not_reads)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, TNOW)) {
        CHECK(!"fixture");
        return;
    }
    int64_t am = fixture_add_user(&f, "am", "account_manager", 0);
    struct account_in ai = {.set = ACC_CODE | ACC_NAME | ACC_OWNER};
    ai.v.code = "TONE1";
    ai.v.name = "语气客户";
    ai.v.owner_id = am;
    struct account acc;
    int ok = am && !account_create(fixture_ctx(&f), &ai, &acc);
    char buf[1024];
    snprintf(buf, sizeof buf,
             "INSERT INTO surveys (id, title_zh_cn, status, created_at, updated_at) VALUES "
             "(1, '满意度', 'open', %d, %d)",
             TNOW, TNOW);
    ok = ok && run(&f, buf);
    ok = ok && run(&f, "INSERT INTO survey_questions (id, survey_id, position, kind, driver, "
                       "text_zh_cn, text_en, created_at) VALUES "
                       "(11, 1, 1, 'nps', NULL, '推荐意愿', '', 0), "
                       "(15, 1, 2, 'text', NULL, '意见', '', 0)");
    snprintf(buf, sizeof buf,
             "INSERT INTO survey_links (id, survey_id, contact_id, account_id, token_hash, lang, "
             "channel, expires_at, sent_at, created_at) VALUES "
             "(1, 1, NULL, %lld, 'h1', 'zh-CN', 'phone', %d, %d, %d), "
             "(2, 1, NULL, %lld, 'h2', 'zh-CN', 'phone', %d, %d, %d)",
             (long long)acc.id, TNOW + 86400, TNOW, TNOW, (long long)acc.id, TNOW + 86400, TNOW,
             TNOW);
    ok = ok && run(&f, buf);
    snprintf(buf, sizeof buf,
             "INSERT INTO survey_responses (id, survey_id, link_id, account_id, contact_id, lang, "
             "submitted_at) VALUES (1, 1, 1, %lld, NULL, 'zh-CN', %d)",
             (long long)acc.id, TNOW);
    ok = ok && run(&f, buf);
    /* an NPS 3 (a follow-up) and a complaint scored by another model: re-scored when read */
    ok = ok && run(&f, "INSERT INTO survey_answers (response_id, question_id, value, text, "
                       "sentiment_ppm, sentiment_model) VALUES (1, 11, 3, NULL, NULL, NULL), "
                       "(1, 15, NULL, '交货经常延迟，很失望', 999999, 'other000')");
    if (!fixture_setup_end(&f, ok))
        return;
    const int scored = tone_model_id()[0] != 0;
    struct sa_response r;
    CHECK_EQ_INT(sa_response_get(fixture_ctx(&f), 1, &r), KAM_OK);
    CHECK_EQ_INT((int)r.nanswers, 2);
    if (scored && r.nanswers == 2) /* re-scored afresh: the stored 999999 is another model's */
        CHECK_EQ_INT(r.answers[1].tone, TONE_NEGATIVE);

    tone_test_fail = 1;
    /* reads: the response, the survey's list, succeed; the comment is not scored */
    memset(&r, 0, sizeof r);
    CHECK_EQ_INT(sa_response_get(fixture_ctx(&f), 1, &r), KAM_OK);
    CHECK_EQ_INT(f.e.code, KAM_OK);
    CHECK_EQ_INT((int)r.nanswers, 2);
    if (r.nanswers == 2) {
        CHECK_EQ_INT(r.answers[0].value, 3);
        CHECK_EQ_STR(r.answers[1].text, "交货经常延迟，很失望");
        CHECK_EQ_INT(r.answers[1].tone, TONE_NONE);
    }
    struct sa_response_query q = {.survey_id = 1, .limit = 10};
    struct sa_response *items = NULL;
    size_t n = 0;
    const char *next = NULL;
    CHECK_EQ_INT(sa_response_list(fixture_ctx(&f), &q, &items, &n, &next), KAM_OK);
    CHECK_EQ_INT(f.e.code, KAM_OK);
    CHECK_EQ_INT((int)n, 1);
    if (n == 1 && items[0].nanswers == 2)
        CHECK_EQ_INT(items[0].answers[1].tone, TONE_NONE);

    /* write: the follow-ups of the response fail whole (the NPS 3 one is not kept) */
    fixture_check_err(&f, follow_ups_from_response(fixture_ctx(&f), 1), KAM_EINTERNAL, "");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM follow_ups"), 0);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'follow_up'"), 0);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM notifications"), 0);

    /* write: staff entry fails, its transaction rolled back (as dispatch does) */
    struct sa_answer_in in[2];
    memset(in, 0, sizeof in);
    in[0].question_id = 11;
    in[0].value = 9;
    in[0].has = SA_HAS_QUESTION | SA_HAS_VALUE;
    in[1].question_id = 15;
    in[1].text = "价格偏高";
    in[1].has = SA_HAS_QUESTION | SA_HAS_TEXT;
    struct sa_response out;
    struct kam_ctx *ctx = fixture_ctx(&f);
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    CHECK_EQ_INT(rc, KAM_OK);
    rc = sa_response_enter(ctx, 2, "zh-CN", in, 2, &out);
    CHECK_EQ_INT(rc, KAM_EINTERNAL);
    db_end(ctx->db, rc, ctx->err);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM survey_responses"), 1);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM survey_answers"), 2);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM survey_links WHERE id = 2 AND "
                                 "answered_at IS NULL"),
                 1);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'survey_response'"), 0);

    /* erasure reads the response first: it still works */
    CHECK_EQ_INT(sa_response_delete(fixture_ctx(&f), 1), KAM_OK);
    CHECK_EQ_INT(f.e.code, KAM_OK);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM survey_responses"), 0);
    tone_test_fail = 0;

    /* the hook off: staff entry stores and scores the comment */
    ctx = fixture_ctx(&f);
    CHECK_EQ_INT(db_begin(ctx->db, ctx->err), KAM_OK);
    rc = sa_response_enter(ctx, 2, "zh-CN", in, 2, &out);
    CHECK_EQ_INT(rc, KAM_OK);
    db_end(ctx->db, rc, ctx->err);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM survey_responses WHERE link_id = 2"), 1);
    fixture_close(&f);
}
