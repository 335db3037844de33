/* test_tone.c -- the comment tone rule (svc/core/tone.c): non-answers are neutral, complaints
 * negative, praise positive, in Simplified, Traditional and English; stored scores label the
 * same way; the model id names the shipped model. */
#include "test.h"

#include "fixture.h"
#include "store/db.h"
#include "svc/core/tone.h"

TEST(tone_non_answers_are_neutral_not_negative)
{
    /* each of these, asked, the review-trained model calls negative (see tone.h) */
    const char *const texts[] = {"无",
                                 "没有。",
                                 "暂无建议",
                                 " 沒有意見 ",
                                 "No comment.",
                                 "N/A",
                                 "none",
                                 "OK",
                                 "...",
                                 "－",
                                 "無",
                                 "沒有問題",
                                 "没有什么不满意的！",
                                 "No issues at all.",
                                 "Not bad"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct tone t;
        tone_of(texts[i], TONE_NEGATIVE_BELOW_DEFAULT, &t);
        if (t.label != TONE_NEUTRAL || t.ppm != -1)
            fprintf(stderr, "  non-answer %s: %s %d\n", texts[i], tone_label_name(t.label), t.ppm);
        CHECK_EQ_INT(t.label, TONE_NEUTRAL);
        CHECK_EQ_INT(t.ppm, -1);
        CHECK(tone_non_answer(texts[i]));
    }
    /* an answer that starts like one is not one */
    CHECK(!tone_non_answer("没有及时交货"));
    CHECK(!tone_non_answer("no one answered the phone for two days"));
    CHECK(!tone_non_answer(NULL));
}

TEST(tone_complaints_are_negative_and_praise_positive)
{
    if (!tone_model_id()[0]) {
        CHECK(!"this kam was built without the sentiment model");
        return;
    }
    const char *const neg[] = {"交货经常延迟，很失望", "客服响应太慢了", "發貨速度太慢，服務態度差",
                               "Slow after-sales response, nobody called back"};
    const char *const pos[] = {"产品质量稳定，服务很好", "技術支援很專業", "Great support team"};
    struct tone t;
    for (size_t i = 0; i < sizeof neg / sizeof neg[0]; i++) {
        tone_of(neg[i], TONE_NEGATIVE_BELOW_DEFAULT, &t);
        if (t.label != TONE_NEGATIVE)
            fprintf(stderr, "  complaint %s: %s %d\n", neg[i], tone_label_name(t.label), t.ppm);
        CHECK_EQ_INT(t.label, TONE_NEGATIVE);
        CHECK(t.ppm >= 0 && t.ppm < TONE_NEGATIVE_BELOW_DEFAULT);
    }
    for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++) {
        tone_of(pos[i], TONE_NEGATIVE_BELOW_DEFAULT, &t);
        if (t.label != TONE_POSITIVE)
            fprintf(stderr, "  praise %s: %s %d\n", pos[i], tone_label_name(t.label), t.ppm);
        CHECK_EQ_INT(t.label, TONE_POSITIVE);
        CHECK(t.ppm >= 500000 && t.ppm <= 1000000);
    }
    /* the line moves the label, not the score */
    tone_of("客服响应太慢了", TONE_NEGATIVE_BELOW_DEFAULT, &t);
    struct tone t0;
    tone_of("客服响应太慢了", 0, &t0);
    CHECK_EQ_INT(t0.ppm, t.ppm);
    CHECK_EQ_INT(t0.label, TONE_NEUTRAL);
    /* blank: nothing to score */
    tone_of(" \n\t", TONE_NEGATIVE_BELOW_DEFAULT, &t);
    CHECK_EQ_INT(t.label, TONE_NONE);
    tone_of(NULL, TONE_NEGATIVE_BELOW_DEFAULT, &t);
    CHECK_EQ_INT(t.label, TONE_NONE);
}

TEST(tone_stored_scores_label_like_fresh_ones)
{
    CHECK_EQ_INT(tone_label_of("x", 1, 149999, 150000), TONE_NEGATIVE);
    CHECK_EQ_INT(tone_label_of("x", 1, 150000, 150000), TONE_NEUTRAL);
    CHECK_EQ_INT(tone_label_of("x", 1, 499999, 150000), TONE_NEUTRAL);
    CHECK_EQ_INT(tone_label_of("x", 1, 500000, 150000), TONE_POSITIVE);
    CHECK_EQ_INT(tone_label_of("暂无", 0, 0, 150000), TONE_NEUTRAL);
    CHECK_EQ_INT(tone_label_of("交货延迟", 0, 0, 150000), TONE_NONE); /* not scored yet */
    CHECK_EQ_INT(tone_label_of("", 1, 0, 150000), TONE_NONE);
    CHECK_EQ_STR(tone_label_name(TONE_NEGATIVE), "negative");
    const char *id = tone_model_id();
    CHECK_EQ_INT(strlen(id), 8);
    CHECK(strspn(id, "0123456789abcdef") == 8 && strcmp(id, "00000000") != 0);
}

TEST(tone_line_comes_from_the_settings)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, 1767225600)) {
        CHECK(!"fixture");
        return;
    }
    int ppm = -1;
    CHECK_EQ_INT(tone_negative_below(fixture_ctx(&f), &ppm), KAM_OK);
    CHECK_EQ_INT(ppm, TONE_NEGATIVE_BELOW_DEFAULT);
    CHECK_EQ_INT(db_exec(fixture_ctx(&f)->db,
                         "INSERT INTO settings (key, value) VALUES ('tone.negative_below_ppm', "
                         "'50000')",
                         fixture_ctx(&f)->err),
                 KAM_OK);
    CHECK_EQ_INT(tone_negative_below(fixture_ctx(&f), &ppm), KAM_OK);
    CHECK_EQ_INT(ppm, 50000);
    fixture_close(&f);
}
