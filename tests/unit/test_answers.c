/* test_answers.c -- the pure parts of survey answers (svc/needs/survey_answer.c): the language
 * fallback, the token hash, and every rule of sa_check against a survey of each question kind. */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "svc/core/ctx.h"
#include "svc/needs/survey_answer.h"
#include "test.h"

TEST(answers_lang_fallback)
{
    CHECK_EQ_INT(sa_lang_index("zh-CN"), 0);
    CHECK_EQ_INT(sa_lang_index("zh-TW"), 1);
    CHECK_EQ_INT(sa_lang_index("en"), 2);
    CHECK_EQ_INT(sa_lang_index("zh-tw"), -1);
    CHECK_EQ_INT(sa_lang_index(NULL), -1);
    const char *all[3] = {"简", "繁", "en"};
    CHECK_EQ_STR(sa_text_in(all, 0), "简");
    CHECK_EQ_STR(sa_text_in(all, 1), "繁");
    CHECK_EQ_STR(sa_text_in(all, 2), "en");
    const char *no_tw[3] = {"简", "", "en"};
    CHECK_EQ_STR(sa_text_in(no_tw, 1), "简"); /* zh-TW -> zh-CN */
    const char *no_cn[3] = {NULL, "繁", "en"};
    CHECK_EQ_STR(sa_text_in(no_cn, 0), "繁"); /* zh-CN -> zh-TW */
    const char *no_en[3] = {"", "繁", ""};
    CHECK_EQ_STR(sa_text_in(no_en, 2), "繁"); /* en -> zh-CN -> zh-TW */
    const char *only_en[3] = {"", "", "en"};
    CHECK_EQ_STR(sa_text_in(only_en, 1), "en");
    const char *none[3] = {"", NULL, ""};
    CHECK_EQ_STR(sa_text_in(none, 0), "");
    CHECK_EQ_STR(sa_text_in(all, 7), "简"); /* out of range: zh-CN */
}

TEST(answers_token_hash)
{
    char h[65];
    sa_token_hash("abc", h);
    CHECK_EQ_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sa_token_hash("", h);
    CHECK_EQ_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* A survey of six questions: nps (required), csat (required), rating, single (options 0..2),
 * multi (options 0, 1, 3: a gap), text. */
static void survey6(struct sa_survey *s, struct sa_question q[6])
{
    memset(s, 0, sizeof *s);
    memset(q, 0, 6 * sizeof q[0]);
    static const enum sa_kind kinds[6] = {SA_NPS, SA_CSAT, SA_RATING, SA_SINGLE, SA_MULTI, SA_TEXT};
    for (int i = 0; i < 6; i++) {
        q[i].id = 100 + i;
        q[i].position = i + 1;
        q[i].kind = kinds[i];
    }
    q[0].required = q[1].required = 1;
    q[3].noptions = 3;
    for (int k = 0; k < 3; k++)
        q[3].option_pos[k] = k;
    q[4].noptions = 3;
    q[4].option_pos[0] = 0;
    q[4].option_pos[1] = 1;
    q[4].option_pos[2] = 3;
    s->id = 1;
    s->status = "open";
    s->nquestions = 6;
    s->questions = q;
}

static struct sa_answer_in val(int64_t qid, int64_t v)
{
    struct sa_answer_in a = {.question_id = qid, .value = v, .has = SA_HAS_QUESTION | SA_HAS_VALUE};
    return a;
}

/* Runs sa_check on n answers; returns the error code and copies the field into field. */
static enum kam_err run(const struct sa_survey *s, const struct sa_answer_in *in, size_t n,
                        struct sa_answer *out, size_t *nout, char *field)
{
    struct arena a;
    arena_init(&a);
    struct kam_error e = {0};
    struct kam_ctx ctx = {.a = &a, .err = &e, .now = 1790000000};
    enum kam_err rc = sa_check(&ctx, s, in, n, out, nout);
    snprintf(field, 48, "%s", e.field);
    arena_release(&a);
    return rc;
}

TEST(answers_check_rules)
{
    struct sa_survey s;
    struct sa_question q[6];
    survey6(&s, q);
    struct sa_answer out[8];
    size_t n = 0;
    char f[48];
    struct sa_answer_in in[8];

    /* the happy path: every kind; multi stored as a bit mask; text kept */
    in[0] = val(100, 0);
    in[1] = val(101, 5);
    in[2] = val(102, 1);
    in[3] = val(103, 2);
    in[4] = (struct sa_answer_in){.question_id = 104, .has = SA_HAS_QUESTION | SA_HAS_VALUES};
    in[4].values[0] = 3;
    in[4].values[1] = 0;
    in[4].nvalues = 2;
    in[5] = (struct sa_answer_in){
        .question_id = 105, .text = "很好", .has = SA_HAS_QUESTION | SA_HAS_TEXT};
    CHECK_EQ_INT(run(&s, in, 6, out, &n, f), KAM_OK);
    CHECK_EQ_INT(n, 6);
    CHECK_EQ_INT(out[4].value, 9); /* 1<<3 | 1<<0 */
    CHECK(out[5].text && !strcmp(out[5].text, "很好"));
    CHECK(out[0].text == NULL && out[0].value == 0);

    /* answers in any order; only the required ones */
    in[0] = val(101, 3);
    in[1] = val(100, 10);
    CHECK_EQ_INT(run(&s, in, 2, out, &n, f), KAM_OK);
    CHECK_EQ_INT(n, 2);

    /* ranges by kind */
    static const struct {
        int q;
        int64_t v;
        int ok;
    } ranges[] = {{0, -1, 0}, {0, 0, 1}, {0, 10, 1}, {0, 11, 0},  {1, 0, 0}, {1, 1, 1},
                  {1, 5, 1},  {1, 6, 0}, {2, 0, 0},  {2, 5, 1},   {2, 6, 0}, {3, -1, 0},
                  {3, 0, 1},  {3, 2, 1}, {3, 3, 0},  {3, 1000, 0}};
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        in[0] = val(100, 5);
        in[1] = val(101, 3);
        in[2] = val(100 + ranges[i].q, ranges[i].v);
        size_t k = ranges[i].q < 2 ? 2 : 3;
        if (ranges[i].q < 2)
            in[ranges[i].q] = val(100 + ranges[i].q, ranges[i].v);
        enum kam_err rc = run(&s, in, k, out, &n, f);
        if ((rc == KAM_OK) != ranges[i].ok)
            fprintf(stderr, "  q%d value %lld\n", ranges[i].q, (long long)ranges[i].v);
        CHECK_EQ_INT(rc == KAM_OK, ranges[i].ok);
        if (!ranges[i].ok)
            CHECK_EQ_STR(f, ranges[i].q < 2
                                ? (ranges[i].q ? "answers[1].value" : "answers[0].value")
                                : "answers[2].value");
    }

    /* multi: a gap position (2) is no option; duplicates; empty; over 20 */
    in[0] = val(100, 5);
    in[1] = val(101, 3);
    in[2] = (struct sa_answer_in){.question_id = 104, .has = SA_HAS_QUESTION | SA_HAS_VALUES};
    in[2].values[0] = 2;
    in[2].nvalues = 1;
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);
    CHECK_EQ_STR(f, "answers[2].values");
    in[2].values[0] = 1;
    in[2].values[1] = 1;
    in[2].nvalues = 2;
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);
    in[2].nvalues = 0;
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);
    in[2].nvalues = 1;
    in[2].values_over = 1;
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);

    /* the wrong shape for the kind */
    in[2] = val(104, 1); /* multi with value */
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);
    CHECK_EQ_STR(f, "answers[2].value");
    in[2] = val(105, 1); /* text with value */
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);
    in[2] = (struct sa_answer_in){.question_id = 100,
                                  .value = 3,
                                  .text = "x",
                                  .has = SA_HAS_QUESTION | SA_HAS_VALUE | SA_HAS_TEXT};
    in[0] = val(102, 3);
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);
    CHECK_EQ_STR(f, "answers[2].text");
    in[2] = (struct sa_answer_in){.question_id = 100, .has = SA_HAS_QUESTION}; /* nothing */
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);
    CHECK_EQ_STR(f, "answers[2].value");

    /* unknown and duplicate questions, missing question_id */
    in[0] = val(100, 5);
    in[1] = val(101, 3);
    in[2] = val(999, 3);
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);
    CHECK_EQ_STR(f, "answers[2].question_id");
    in[2] = val(100, 3);
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);
    CHECK_EQ_STR(f, "answers[2].question_id");
    in[2] = (struct sa_answer_in){.value = 3, .has = SA_HAS_VALUE};
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);
    CHECK_EQ_STR(f, "answers[2].question_id");

    /* required questions; none at all; more answers than questions */
    in[0] = val(100, 5);
    CHECK_EQ_INT(run(&s, in, 1, out, &n, f), KAM_EINVAL);
    CHECK_EQ_STR(f, "answers");
    CHECK_EQ_INT(run(&s, in, 0, out, &n, f), KAM_EINVAL);
    for (int i = 0; i < 7; i++)
        in[i] = val(100, 5);
    CHECK_EQ_INT(run(&s, in, 7, out, &n, f), KAM_EINVAL);
    CHECK_EQ_STR(f, "answers");

    /* text: 2000 characters pass, 2001 do not; blank text is no answer; control characters */
    static char long_text[3 * 2001 + 1];
    for (int i = 0; i < 2001; i++)
        memcpy(long_text + 3 * i, "好", 3);
    long_text[3 * 2001] = 0;
    in[0] = val(100, 5);
    in[1] = val(101, 3);
    in[2] = (struct sa_answer_in){
        .question_id = 105, .text = long_text, .has = SA_HAS_QUESTION | SA_HAS_TEXT};
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);
    CHECK_EQ_STR(f, "answers[2].text");
    long_text[3 * 2000] = 0;
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_OK);
    CHECK_EQ_INT(n, 3);
    in[2].text = " \t\xe3\x80\x80\xc2\xa0\n";
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_OK);
    CHECK_EQ_INT(n, 2); /* the blank comment is dropped */
    in[2].text = "bad\x01";
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);
    in[2].text = "\xff\xfe";
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);
    /* a required text question answered only with blanks counts as unanswered */
    q[5].required = 1;
    in[2].text = "   ";
    CHECK_EQ_INT(run(&s, in, 3, out, &n, f), KAM_EINVAL);
    CHECK_EQ_STR(f, "answers");
}
