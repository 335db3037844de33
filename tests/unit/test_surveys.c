/* test_surveys.c -- the pure rules of survey definitions and links: language fallback, when a
 * survey may open, the question checks (caps, kinds, drivers, options, one overall score),
 * tokens (22 base64url characters over 128 random bits, hex sha256 stored), and, on in-memory
 * SQLite, that a survey round-trips and its questions freeze once open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "http/proxy.h"
#include "svc/needs/survey.h"
#include "test.h"

#define NOW 1790000000 /* 2026-09-21T14:13:20Z */

TEST(survey_lang_fallback)
{
    CHECK_EQ_INT(survey_lang_index("zh-CN"), 0);
    CHECK_EQ_INT(survey_lang_index("zh-TW"), 1);
    CHECK_EQ_INT(survey_lang_index("en"), 2);
    CHECK_EQ_INT(survey_lang_index("zh-HK"), -1);
    CHECK_EQ_INT(survey_lang_index(NULL), -1);
    const char *all[3] = {"简", "繁", "en"};
    CHECK_EQ_STR(survey_text_in(all, 0), "简");
    CHECK_EQ_STR(survey_text_in(all, 1), "繁");
    CHECK_EQ_STR(survey_text_in(all, 2), "en");
    const char *no_tw[3] = {"简", "", "en"};
    CHECK_EQ_STR(survey_text_in(no_tw, 1), "简"); /* zh-TW -> zh-CN -> en */
    const char *only_en[3] = {"", NULL, "en"};
    CHECK_EQ_STR(survey_text_in(only_en, 0), "en");
    CHECK_EQ_STR(survey_text_in(only_en, 1), "en");
    const char *no_cn[3] = {"", "繁", "en"};
    CHECK_EQ_STR(survey_text_in(no_cn, 0), "繁"); /* zh-CN -> zh-TW -> en */
    const char *no_en[3] = {"简", "繁", ""};
    CHECK_EQ_STR(survey_text_in(no_en, 2), "简"); /* en -> zh-CN -> zh-TW */
    const char *none[3] = {"", "", ""};
    CHECK_EQ_STR(survey_text_in(none, 2), "");
    CHECK_EQ_STR(survey_text_in(all, 7), "简"); /* an unknown index reads as zh-CN */
}

static struct survey_question q_of(const char *kind, const char *driver, const char *text)
{
    struct survey_question q;
    memset(&q, 0, sizeof q);
    q.kind = kind;
    q.driver = driver;
    q.texts[0] = text;
    q.texts[1] = "";
    q.texts[2] = "";
    return q;
}

TEST(survey_openable_rules)
{
    struct survey_option opts[2] = {{0, {"甲", "", ""}}, {1, {"", "", ""}}};
    struct survey_question qs[2] = {q_of("csat", NULL, "满意吗"), q_of("single", NULL, "")};
    struct survey s;
    memset(&s, 0, sizeof s);
    s.titles[0] = s.titles[1] = s.titles[2] = "";
    s.questions = qs;
    s.nquestions = 1;
    CHECK(!survey_openable(&s)); /* no title */
    s.titles[2] = "Survey";
    CHECK(survey_openable(&s));
    s.nquestions = 0;
    CHECK(!survey_openable(&s)); /* no question */
    s.nquestions = 2;
    CHECK(!survey_openable(&s)); /* the second question has no text */
    qs[1].texts[1] = "選一個";
    qs[1].options = opts;
    qs[1].noptions = 2;
    CHECK(!survey_openable(&s)); /* an option without a label */
    opts[1].labels[2] = "B";
    CHECK(survey_openable(&s));
}

TEST(survey_question_checks)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct survey_option two[2] = {{0, {"a", "", ""}}, {1, {"b", "", ""}}};
    struct survey_option many[21];
    for (int i = 0; i < 21; i++)
        many[i] = (struct survey_option){i, {"x", "", ""}};
    struct survey_question ok[3] = {q_of("nps", NULL, "推荐吗"), q_of("rating", "delivery", "交付"),
                                    q_of("single", NULL, "角色")};
    ok[0].overall = 1;
    ok[2].options = two;
    ok[2].noptions = 2;
    CHECK_EQ_INT(survey_check_questions(fixture_ctx(&f), ok, 3), KAM_OK);

    struct survey_question q;
    q = q_of("stars", NULL, "x");
    fixture_check_err(&f, survey_check_questions(fixture_ctx(&f), &q, 1), KAM_EINVAL,
                      "questions[0].kind");
    q = q_of("rating", NULL, "x");
    fixture_check_err(&f, survey_check_questions(fixture_ctx(&f), &q, 1), KAM_EINVAL,
                      "questions[0].driver");
    q = q_of("csat", "price", "x");
    fixture_check_err(&f, survey_check_questions(fixture_ctx(&f), &q, 1), KAM_EINVAL,
                      "questions[0].driver");
    q = q_of("rating", "price", "x");
    q.overall = 1;
    fixture_check_err(&f, survey_check_questions(fixture_ctx(&f), &q, 1), KAM_EINVAL,
                      "questions[0].overall");
    struct survey_question two_overall[2] = {q_of("csat", NULL, "a"), q_of("nps", NULL, "b")};
    two_overall[0].overall = two_overall[1].overall = 1;
    fixture_check_err(&f, survey_check_questions(fixture_ctx(&f), two_overall, 2), KAM_EINVAL,
                      "questions[1].overall");
    q = q_of("multi", NULL, "x");
    q.options = two;
    q.noptions = 1;
    fixture_check_err(&f, survey_check_questions(fixture_ctx(&f), &q, 1), KAM_EINVAL,
                      "questions[0].options");
    q.options = many;
    q.noptions = 21;
    fixture_check_err(&f, survey_check_questions(fixture_ctx(&f), &q, 1), KAM_EINVAL,
                      "questions[0].options");
    q.noptions = 20;
    CHECK_EQ_INT(survey_check_questions(fixture_ctx(&f), &q, 1), KAM_OK);
    q = q_of("text", NULL, "x");
    q.options = two;
    q.noptions = 2;
    fixture_check_err(&f, survey_check_questions(fixture_ctx(&f), &q, 1), KAM_EINVAL,
                      "questions[0].options");
    char long_text[600];
    memset(long_text, 'x', 501);
    long_text[501] = 0;
    q = q_of("text", NULL, long_text);
    fixture_check_err(&f, survey_check_questions(fixture_ctx(&f), &q, 1), KAM_EINVAL,
                      "questions[0].text.zh-CN");
    long_text[500] = 0;
    q = q_of("text", NULL, long_text);
    CHECK_EQ_INT(survey_check_questions(fixture_ctx(&f), &q, 1), KAM_OK);
    struct survey_question lots[51];
    for (int i = 0; i < 51; i++)
        lots[i] = q_of("text", NULL, "x");
    fixture_check_err(&f, survey_check_questions(fixture_ctx(&f), lots, 51), KAM_EINVAL,
                      "questions");
    CHECK_EQ_INT(survey_check_questions(fixture_ctx(&f), lots, 50), KAM_OK);
    fixture_close(&f);
}

TEST(survey_tokens)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    const char *t1, *t2;
    char h1[65], h2[65], again[65];
    survey_token_new(fixture_ctx(&f), &t1, h1);
    survey_token_new(fixture_ctx(&f), &t2, h2);
    CHECK_EQ_INT(strlen(t1), 22);
    CHECK(strcmp(t1, t2) != 0);
    CHECK(strcmp(h1, h2) != 0);
    for (const char *p = t1; *p; p++)
        CHECK((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_');
    CHECK_EQ_INT(strlen(h1), 64);
    survey_token_hash(t1, again);
    CHECK_EQ_STR(again, h1);
    /* sha256("abc"), FIPS 180-2 */
    survey_token_hash("abc", again);
    CHECK_EQ_STR(again, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *url = NULL;
    CHECK_EQ_INT(survey_link_url(fixture_ctx(&f), "https://kam.example.com/", "TOK", &url), KAM_OK);
    CHECK_EQ_STR(url, "https://kam.example.com/s#TOK");
    fixture_close(&f);
}

TEST(survey_roundtrip_and_freeze)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct survey_option two[2] = {{0, {"采购", "採購", "Buyer"}}, {1, {"技术", "技術", ""}}};
    struct survey_question qs[2] = {q_of("csat", NULL, "满意吗"), q_of("single", NULL, "角色")};
    qs[0].overall = 1;
    qs[1].options = two;
    qs[1].noptions = 2;
    struct survey_in in;
    memset(&in, 0, sizeof in);
    in.v.titles[0] = "调查";
    in.v.questions = qs;
    in.v.nquestions = 2;
    in.set = SURVEY_TITLE | SURVEY_QUESTIONS;
    struct survey s, g, o;
    CHECK_EQ_INT(survey_create(fixture_ctx(&f), &in, &s), KAM_OK);
    CHECK_EQ_STR(s.status, "draft");
    CHECK_EQ_INT(survey_get(fixture_ctx(&f), s.id, &g), KAM_OK);
    CHECK_EQ_INT(g.nquestions, 2);
    CHECK_EQ_INT(g.questions[1].noptions, 2);
    CHECK_EQ_STR(g.questions[1].options[0].labels[1], "採購");
    CHECK_EQ_STR(g.questions[1].options[1].labels[2], "");
    CHECK_EQ_INT(g.questions[0].overall, 1);
    CHECK_EQ_INT(survey_set_status(fixture_ctx(&f), s.id, "open", 0, &o), KAM_OK);
    CHECK_EQ_STR(o.status, "open");
    struct survey_in up;
    memset(&up, 0, sizeof up);
    up.v.questions = qs;
    up.v.nquestions = 1;
    up.set = SURVEY_QUESTIONS;
    int64_t v = o.version;
    fixture_check_err(&f, survey_update(fixture_ctx(&f), s.id, &up, &o), KAM_ECONFLICT,
                      "questions");
    CHECK_EQ_INT(survey_get(fixture_ctx(&f), s.id, &g), KAM_OK);
    CHECK_EQ_INT(g.nquestions, 2); /* unchanged */
    CHECK_EQ_INT(g.version, v);
    fixture_check_err(&f, survey_set_status(fixture_ctx(&f), s.id, "draft", 0, &o), KAM_ECONFLICT,
                      "to");
    fixture_close(&f);
}

/* The public address of e-mailed links: only an absolute http(s) URL, and a link's base is the
 * configured one, never the fallback (the request's Host) when one is configured. */
TEST(survey_public_url_rules)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct kam_ctx *ctx = fixture_ctx(&f);
    static const char *const good[] = {"", "https://kam.example.com", "http://10.0.0.5:8080/kam/",
                                       "https://[2001:db8::1]/kam"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        CHECK_EQ_INT(survey_check_public_url(ctx, "public_url", good[i]), KAM_OK);
    static const char *const bad[] = {"kam.example.com",
                                      "ftp://kam.example.com",
                                      "https://",
                                      "https:///path",
                                      "https://kam.example.com/?a=1",
                                      "https://kam.example.com/#x",
                                      "https://kam example.com",
                                      "https://kam.example.com/\"><script>",
                                      "javascript:alert(1)"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        fixture_check_err(&f, survey_check_public_url(ctx, "public_url", bad[i]), KAM_EINVAL,
                          "public_url");
    char longer[260];
    memset(longer, 'x', sizeof longer);
    memcpy(longer, "https://", 8);
    longer[201] = 0;
    fixture_check_err(&f, survey_check_public_url(ctx, "public_url", longer), KAM_EINVAL,
                      "public_url");

    const char *base = "?", *url = NULL;
    unsetenv("KAM_PUBLIC_URL");
    CHECK_EQ_INT(survey_public_base(ctx, &base), KAM_OK);
    CHECK(base == NULL);
    CHECK_EQ_INT(survey_link_url(ctx, "http://host.seen:8080", "TOK", &url), KAM_OK);
    CHECK_EQ_STR(url, "http://host.seen:8080/s#TOK"); /* a copy link: the sender's own address */
    setenv("KAM_PUBLIC_URL", "https://env.example.com/", 1);
    CHECK_EQ_INT(survey_link_url(ctx, "http://evil.example", "TOK", &url), KAM_OK);
    CHECK_EQ_STR(url, "https://env.example.com/s#TOK");
    CHECK_EQ_INT(survey_settings_set(ctx, "https://kam.example.com"), KAM_OK);
    CHECK_EQ_INT(survey_public_base(ctx, &base), KAM_OK);
    CHECK_EQ_STR(base, "https://kam.example.com"); /* the setting first */
    CHECK_EQ_INT(survey_link_url(ctx, "http://evil.example", "TOK", &url), KAM_OK);
    CHECK_EQ_STR(url, "https://kam.example.com/s#TOK");
    unsetenv("KAM_PUBLIC_URL");
    CHECK_EQ_INT(survey_settings_set(ctx, ""), KAM_OK);
    CHECK_EQ_INT(survey_public_base(ctx, &base), KAM_OK);
    CHECK(base == NULL);
    fixture_close(&f);
}

/* Only a trusted proxy's X-Forwarded-Host/Proto may name the address a copy link shows. */
TEST(survey_proxy_peer)
{
    struct http_proxies p;
    CHECK_EQ_INT(http_proxies_parse("10.0.0.0/8, 192.0.2.1", &p), 0);
    CHECK_EQ_INT(http_peer_trusted(&p, "10.1.2.3"), 1);
    CHECK_EQ_INT(http_peer_trusted(&p, "192.0.2.1"), 1);
    CHECK_EQ_INT(http_peer_trusted(&p, "192.0.2.2"), 0);
    CHECK_EQ_INT(http_peer_trusted(&p, "127.0.0.1"), 0);
    CHECK_EQ_INT(http_peer_trusted(&p, "evil"), 0);
    CHECK_EQ_INT(http_peer_trusted(&p, NULL), 0);
    CHECK_EQ_INT(http_proxies_parse(NULL, &p), 0);
    CHECK_EQ_INT(http_peer_trusted(&p, "10.1.2.3"), 0); /* none configured: nobody */
}
