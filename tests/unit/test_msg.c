/* test_msg.c -- the message catalogue (svc/core/msg.c), Accept-Language parsing and error keys. */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "svc/core/check.h"
#include "svc/core/msg.h"
#include "svc/core/signal.h"
#include "test.h"

TEST(msg_lang_parse)
{
    CHECK_EQ_INT(msg_lang_parse(NULL), MSG_EN);
    CHECK_EQ_INT(msg_lang_parse(""), MSG_EN);
    CHECK_EQ_INT(msg_lang_parse("en-US,en;q=0.9"), MSG_EN);
    CHECK_EQ_INT(msg_lang_parse("zh-CN"), MSG_ZH_CN);
    CHECK_EQ_INT(msg_lang_parse("zh"), MSG_ZH_CN);
    CHECK_EQ_INT(msg_lang_parse("zh-Hans-CN"), MSG_ZH_CN);
    CHECK_EQ_INT(msg_lang_parse("zh-SG"), MSG_ZH_CN);
    CHECK_EQ_INT(msg_lang_parse("zh-TW"), MSG_ZH_TW);
    CHECK_EQ_INT(msg_lang_parse("zh-HK"), MSG_ZH_TW);
    CHECK_EQ_INT(msg_lang_parse("zh-MO"), MSG_ZH_TW);
    CHECK_EQ_INT(msg_lang_parse("zh-Hant"), MSG_ZH_TW);
    CHECK_EQ_INT(msg_lang_parse("zh-Hant-CN"), MSG_ZH_TW); /* the script decides */
    CHECK_EQ_INT(msg_lang_parse("zh_tw"), MSG_ZH_TW);
    /* q-values: the highest wins, the first on a tie, q=0 refuses */
    CHECK_EQ_INT(msg_lang_parse("en;q=0.5, zh-TW;q=0.8"), MSG_ZH_TW);
    CHECK_EQ_INT(msg_lang_parse("zh-TW;q=0.8, zh-CN;q=0.8"), MSG_ZH_TW);
    CHECK_EQ_INT(msg_lang_parse("zh-CN;q=0, en;q=0.1"), MSG_EN);
    CHECK_EQ_INT(msg_lang_parse("zh-CN;q=0"), MSG_EN);
    CHECK_EQ_INT(msg_lang_parse("fr-FR, zh-HK;q=0.3, de;q=0.9"), MSG_ZH_TW);
    CHECK_EQ_INT(msg_lang_parse("ja, *;q=0.1"), MSG_EN);
    CHECK_EQ_INT(msg_lang_parse("zh-TW;q=0.500, en;q=0.499"), MSG_ZH_TW);
    /* junk: ignored item by item, never a crash */
    CHECK_EQ_INT(msg_lang_parse(",,, ;;;q=,"), MSG_EN);
    CHECK_EQ_INT(msg_lang_parse("zhx-TW"), MSG_EN);
    CHECK_EQ_INT(msg_lang_parse("zh-TW;q=2"), MSG_EN);   /* q > 1: malformed */
    CHECK_EQ_INT(msg_lang_parse("zh-TW;q=abc"), MSG_EN); /* malformed */
    CHECK_EQ_INT(msg_lang_parse("english, zh-TW"), MSG_ZH_TW);
    CHECK_EQ_STR(msg_lang_tag(MSG_ZH_TW), "zh-TW");
    CHECK_EQ_STR(msg_lang_tag(MSG_ZH_CN), "zh-CN");
    CHECK_EQ_STR(msg_lang_tag(MSG_EN), "en");
}

TEST(msg_render_catalogue)
{
    char out[200];
    struct kam_param p[] = {{"field", "name"}, {"max", "200"}};
    CHECK(msg_render(MSG_EN, "too_long", p, 2, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "name is longer than 200 characters");
    CHECK(msg_render(MSG_ZH_CN, "too_long", p, 2, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "name 不能超过 200 个字符");
    CHECK(msg_render(MSG_ZH_TW, "too_long", p, 2, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "name 不能超過 200 個字元");
    /* a missing parameter renders empty; an unknown key is not rendered */
    CHECK(msg_render(MSG_EN, "too_long", p, 1, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "name is longer than  characters");
    CHECK_EQ_INT(msg_render(MSG_ZH_CN, "no.such.key", p, 2, out, sizeof out), -1);
    CHECK_EQ_STR(out, "");
    CHECK(msg_known("required"));
    CHECK(!msg_known("invalid")); /* the printf text says more */
    /* a small buffer cuts on a character boundary */
    char small[8];
    msg_render(MSG_ZH_CN, "notify.visit_overdue", (struct kam_param[]){{"name", "某某"}}, 1, small,
               sizeof small);
    CHECK(strlen(small) < sizeof small);
    CHECK_EQ_STR(small, "拜访"); /* 6 bytes; the third character would not fit */
}

TEST(msg_render_signal_name)
{
    /* {signal_name}: the signal named by {signal} in the reader's language; an unknown key as is */
    char out[200];
    struct kam_param p[] = {{"name", "华东电力"}, {"signal", "receivables_overdue"}};
    CHECK(msg_render(MSG_ZH_CN, "notify.alert_raised", p, 2, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "新预警：华东电力，应收账款逾期");
    CHECK(msg_render(MSG_ZH_TW, "notify.alert_raised", p, 2, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "新預警：华东电力，應收帳款逾期");
    CHECK(msg_render(MSG_EN, "notify.alert_raised", p, 2, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "New alert: 华东电力, Receivables overdue");
    struct kam_param q[] = {{"name", "A"}, {"signal", "no_such_signal"}};
    CHECK(msg_render(MSG_EN, "notify.alert_raised", q, 2, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "New alert: A, no_such_signal");
}

TEST(msg_params_pack)
{
    struct kam_param in[] = {{"name", "客户 A"}, {"pct", "12.5"}, {"empty", ""}};
    char packed[100];
    msg_params_pack(in, 3, packed, sizeof packed);
    struct kam_param out[4];
    size_t n = msg_params_unpack(packed, out, 4);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_STR(out[0].name, "name");
    CHECK_EQ_STR(out[0].value, "客户 A");
    CHECK_EQ_STR(out[1].value, "12.5");
    CHECK_EQ_STR(out[2].name, "empty");
    CHECK_EQ_STR(out[2].value, "");
    char empty[4] = "";
    CHECK_EQ_INT(msg_params_unpack(empty, out, 4), 0);
    /* a parameter that does not fit whole is dropped, never cut */
    char tiny[16];
    msg_params_pack(in, 3, tiny, sizeof tiny);
    CHECK_EQ_INT(msg_params_unpack(tiny, out, 4), 1);
}

TEST(err_keys)
{
    struct kam_error e = {0};
    kam_fail(&e, KAM_ENOTFOUND, "id", "no such %s", "thing");
    CHECK_EQ_STR(e.key, "not_found"); /* the code's name by default */
    CHECK_EQ_INT(e.nparams, 0);
    CHECK_EQ_STR(e.msg, "no such thing");
    kam_error_clear(&e);
    kam_fail_key(&e, KAM_EINVAL, "name", "too_long",
                 (struct kam_param[]){{"max", "5"}, {NULL, NULL}}, "%s is too long", "name");
    CHECK_EQ_STR(e.key, "too_long");
    CHECK_EQ_INT(e.nparams, 1);
    CHECK_EQ_STR(e.params[0].name, "max");
    CHECK_EQ_STR(e.params[0].value, "5");
    /* the first error is kept, key and all */
    kam_fail_key(&e, KAM_ECONFLICT, "x", "taken", NULL, "later");
    CHECK_EQ_STR(e.key, "too_long");
    CHECK_EQ_INT(e.code, KAM_EINVAL);

    struct kam_ctx ctx = {.err = &e};
    kam_error_clear(&e);
    check_text(&ctx, "name", "", 1, 10, CHECK_LINE);
    CHECK_EQ_STR(e.key, "required");
    kam_error_clear(&e);
    check_text(&ctx, "name", "abcdefghijk", 1, 10, CHECK_LINE);
    CHECK_EQ_STR(e.key, "too_long");
    CHECK_EQ_STR(e.params[0].value, "10");
    CHECK_EQ_STR(e.msg, "name is longer than 10 characters");
    kam_error_clear(&e);
    check_enum(&ctx, "tier", "Z", (const char *const[]){"A", "B", NULL});
    CHECK_EQ_STR(e.key, "not_one_of");
    CHECK_EQ_STR(e.params[0].value, "A, B");
    kam_error_clear(&e);
    check_range(&ctx, "n", 9, 1, 5);
    CHECK_EQ_STR(e.key, "out_of_range");
    CHECK_EQ_STR(e.params[0].value, "1");
    CHECK_EQ_STR(e.params[1].value, "5");
    kam_error_clear(&e);
    check_date(&ctx, "day", "2026-02-30");
    CHECK_EQ_STR(e.key, "bad_date");
    kam_error_clear(&e);
    check_email(&ctx, "email", "a b@c");
    CHECK_EQ_STR(e.key, "bad_email");
    kam_error_clear(&e);
    check_currency(&ctx, "currency", "usd");
    CHECK_EQ_STR(e.key, "bad_currency");
    /* every check's key has a template in each language */
    const char *keys[] = {"bad_utf8",     "control_char", "bidi_control", "line_break",
                          "required",     "too_short",    "too_long",     "not_one_of",
                          "out_of_range", "bad_date",     "bad_email",    "bad_currency"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        for (int l = 0; l < MSG_LANG_COUNT; l++) {
            char out[300];
            CHECK(msg_render((enum msg_lang)l, keys[i], (struct kam_param[]){{"field", "f"}}, 1,
                             out, sizeof out) > 0);
        }
}

TEST(msg_to_hant)
{
    char out[64];
    CHECK_EQ_STR(msg_to_hant("客户关系", out, sizeof out), "客戶關係");
    CHECK_EQ_STR(msg_to_hant("软件采购规模", out, sizeof out),
                 "軟體採購規模"); /* Taiwan phrasing */
    CHECK_EQ_STR(msg_to_hant("Wallet share", out, sizeof out), "Wallet share");
    CHECK_EQ_STR(msg_to_hant("", out, sizeof out), "");
    CHECK_EQ_STR(msg_to_hant(NULL, out, sizeof out), "");
    char small[8]; /* 2 characters of 3 bytes fit, never half of the third */
    CHECK_EQ_STR(msg_to_hant("客户关系", small, sizeof small), "客戶");
}

/* Every signal of every chapter's table has its words (enum.signal.<key>): notifications and
 * the digest name the signal through them ({signal_name}), in every language. */
TEST(msg_every_signal_has_words)
{
    const struct signal_def *const tables[] = {signals_volume,      signals_relationships,
                                               signals_needs,       signals_credit,
                                               signals_competition, signals_contracts};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct signal_def *d = tables[t]; d->key; d++) {
            char key[96], out[256];
            snprintf(key, sizeof key, "enum.signal.%s", d->key);
            CHECK(msg_known(key));
            CHECK(msg_render(MSG_ZH_CN, key, NULL, 0, out, sizeof out) > 0 && strcmp(out, d->key));
            CHECK(msg_render(MSG_ZH_TW, key, NULL, 0, out, sizeof out) > 0 && strcmp(out, d->key));
            CHECK(msg_render(MSG_EN, key, NULL, 0, out, sizeof out) > 0 && strcmp(out, d->key));
        }
}
