/* test_langs.c -- every server text in the reader's language (issue 12 item 2): care occasions
 * worded by their key (festivals, birthdays; a special date as written), the care notification
 * re-rendered per reader, users' stored language (migration 0016: validated, audited) and the
 * daily digest written in it. */
#include <string.h>

#include "fixture.h"
#include "store/db.h"
#include "svc/core/digest.h"
#include "svc/core/msg.h"
#include "svc/core/notify.h"
#include "svc/core/user.h"
#include "test.h"

/* 2026-03-02 09:00 China time: after 08:00, the digest's hour */
#define NOW (1772413200 + 3600)

TEST(langs_occasion_names)
{
    CHECK_EQ_STR(msg_occasion_name(MSG_ZH_CN, "spring_festival", "x"), "春节");
    CHECK_EQ_STR(msg_occasion_name(MSG_ZH_TW, "spring_festival", "x"), "春節");
    CHECK_EQ_STR(msg_occasion_name(MSG_EN, "spring_festival", "x"), "Spring Festival");
    CHECK_EQ_STR(msg_occasion_name(MSG_ZH_TW, "mid_autumn", "中秋节 Mid-Autumn Festival"),
                 "中秋節");
    CHECK_EQ_STR(msg_occasion_name(MSG_ZH_TW, "birthday", "生日 Birthday"), "生日");
    CHECK_EQ_STR(msg_occasion_name(MSG_EN, "birthday", "生日 Birthday"), "Birthday");
    /* a special date keeps its user's words, spaces and all */
    CHECK_EQ_STR(msg_occasion_name(MSG_ZH_TW, "special:7", "Company day 公司日"),
                 "Company day 公司日");
    CHECK_EQ_STR(msg_occasion_name(MSG_EN, NULL, "周年庆"), "周年庆");
    CHECK_EQ_STR(msg_occasion_name(MSG_EN, NULL, NULL), "");
}

TEST(langs_care_notification_per_reader)
{
    /* as stored before: the name bilingual; the key words it now */
    const struct kam_param p[] = {
        {"name", "春节 Spring Festival"}, {"date", "2027-02-06"}, {"occasion", "spring_festival"}};
    char out[200];
    CHECK(msg_render(MSG_ZH_TW, "notify.care_due", p, 3, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "客戶關懷：春節 2027-02-06");
    CHECK(msg_render(MSG_ZH_CN, "notify.care_due", p, 3, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "客户关怀：春节 2027-02-06");
    CHECK(msg_render(MSG_EN, "notify.care_due", p, 3, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "Care: Spring Festival 2027-02-06");
    const struct kam_param s[] = {
        {"name", "Company day"}, {"date", "2026-05-01"}, {"occasion", "special:3"}};
    CHECK(msg_render(MSG_ZH_TW, "notify.care_due", s, 3, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "客戶關懷：Company day 2026-05-01");
    /* a caller's own occasion_name parameter wins over the derived one */
    const struct kam_param o[] = {{"occasion_name", "given"}, {"occasion", "birthday"}};
    CHECK(msg_render(MSG_EN, "notify.care_due", o, 2, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "Care: given ");
}

TEST(langs_stored_lang_tags)
{
    CHECK_EQ_INT(msg_lang_stored(NULL), MSG_ZH_CN);
    CHECK_EQ_INT(msg_lang_stored(""), MSG_ZH_CN);
    CHECK_EQ_INT(msg_lang_stored("zh-CN"), MSG_ZH_CN);
    CHECK_EQ_INT(msg_lang_stored("zh-TW"), MSG_ZH_TW);
    CHECK_EQ_INT(msg_lang_stored("en"), MSG_EN);
    CHECK_EQ_INT(msg_lang_stored("fr"), MSG_ZH_CN);
}

static int64_t user_with(struct fixture *f, const char *login, const char *email, const char *lang)
{
    int64_t id = fixture_add_user(f, login, "account_manager", 0);
    struct user_in in = {.set = USR_EMAIL | USR_DIGEST};
    in.v.email = email;
    in.v.digest = 1;
    if (lang) {
        in.set |= USR_LANG;
        in.v.lang = lang;
    }
    struct user u;
    CHECK_EQ_INT(user_update(fixture_ctx(f), id, &in, &u), KAM_OK);
    if (lang)
        CHECK_EQ_STR(u.lang, lang);
    else
        CHECK(u.lang == NULL);
    return id;
}

/* The digest queued for addr: subject and body into the arena; 0 when none. */
static int digest_of(struct fixture *f, const char *addr, const char **subject, const char **body)
{
    struct db_stmt *st;
    if (db_prepare(f->db, "SELECT subject, body FROM outbox WHERE to_addr = ?", &st, &f->e))
        return 0;
    db_bind_text(st, 1, addr);
    int row = 0;
    enum kam_err rc = db_step(st, &row, &f->e);
    if (!rc && row) {
        *subject = arena_strdup(&f->a, db_col_text(st, 0));
        *body = arena_strdup(&f->a, db_col_text(st, 1));
    }
    db_done(st);
    return !rc && row;
}

TEST(langs_user_lang_and_digest)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t cn = user_with(&f, "cn", "cn@example.com", NULL);
    int64_t tw = user_with(&f, "tw", "tw@example.com", "zh-TW");
    int64_t en = user_with(&f, "en", "en@example.com", "en");
    /* refused: not one of the three; nothing changed */
    struct user_in bad = {.set = USR_LANG};
    bad.v.lang = "fr";
    struct user u;
    fixture_check_err(&f, user_update(fixture_ctx(&f), en, &bad, &u), KAM_EINVAL, "lang");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM users WHERE login = 'en' AND lang = 'en'"),
                 1);
    /* audited like the other user fields */
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'user' AND entity_id "
                                 "IN (SELECT id FROM users WHERE login IN ('tw', 'en')) AND "
                                 "changes LIKE '%lang%'"),
                 2);
    /* a care notification for each, then the digests */
    const int64_t who[] = {cn, tw, en};
    for (int i = 0; i < 3; i++) {
        char dedup[32];
        snprintf(dedup, sizeof dedup, "t:%d", i);
        CHECK_EQ_INT(notify_add_msg(fixture_ctx(&f), who[i], "care_due", "notify.care_due",
                                    (struct kam_param[]){{"name", "中秋节 Mid-Autumn Festival"},
                                                         {"date", "2026-09-25"},
                                                         {"occasion", "mid_autumn"},
                                                         {0}},
                                    "", "/care", dedup, NULL),
                     KAM_OK);
    }
    int queued = 0;
    CHECK_EQ_INT(digest_run(fixture_ctx(&f), &queued), KAM_OK);
    CHECK_EQ_INT(queued, 3);
    const char *s = "", *b = "";
    CHECK(digest_of(&f, "cn@example.com", &s, &b));
    CHECK_EQ_STR(s, "KAM 每日摘要 2026-03-02");
    CHECK(strstr(b, "cn，您好：") != NULL);
    CHECK(strstr(b, "- 客户关怀：中秋节 2026-09-25") != NULL);
    CHECK(strstr(b, "Mid-Autumn") == NULL);
    CHECK(digest_of(&f, "tw@example.com", &s, &b));
    CHECK(strstr(b, "- 客戶關懷：中秋節 2026-09-25") != NULL);
    CHECK(strstr(b, "Hello") == NULL);
    CHECK(digest_of(&f, "en@example.com", &s, &b));
    CHECK_EQ_STR(s, "KAM daily digest 2026-03-02");
    CHECK(strstr(b, "Hello en,") != NULL);
    CHECK(strstr(b, "- Care: Mid-Autumn Festival 2026-09-25") != NULL);
    CHECK(strstr(b, "中秋") == NULL && strstr(b, "您好") == NULL);
    fixture_close(&f);
}
