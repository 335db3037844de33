/* test_search.c -- the search index (svc/core/search.h): folding with ICU (traditional ->
 * simplified, full-width, pinyin and initials, phone digits), company-name cores and similarity,
 * the ranking, the index kept in step with writes, the catch-up, duplicates. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "svc/core/search.h"
#include "svc/relationships/account.h"
#include "svc/relationships/contact.h"
#include "test.h"

#define NOW 1767225600 /* 2026-01-01 */

static void check_fold(const char *in, const char *want)
{
    struct arena a;
    arena_init(&a);
    const char *got = search_fold(&a, in);
    CHECK_EQ_STR(got, want);
    arena_release(&a);
}

static void check_pinyin(const char *in, const char *full, const char *init)
{
    struct arena a;
    arena_init(&a);
    const char *f, *i;
    search_pinyin(&a, search_fold(&a, in), &f, &i);
    CHECK_EQ_STR(f, full);
    CHECK_EQ_STR(i, init);
    arena_release(&a);
}

TEST(search_fold_traditional_fullwidth_case)
{
    check_fold("測評科技", "测评科技");
    check_fold("東莞市", "东莞市");
    check_fold("臺灣", "台湾");
    check_fold("ＡＢＣ１２３", "abc123");
    check_fold("Ｔｅｓｔ　Ｉｎｃ", "test inc");
    check_fold("  Shenzhen   ACME  ", "shenzhen acme");
    check_fold("", "");
    check_fold(NULL, "");
    /* Invalid UTF-8 becomes U+FFFD rather than failing. */
    check_fold("a\xff"
               "b",
               "a\xef\xbf\xbd"
               "b");
}

TEST(search_pinyin_full_and_initials)
{
    check_pinyin("测评", "ceping", "cp");
    check_pinyin("測評科技", "cepingkeji", "cpkj");
    check_pinyin("東莞", "dongguan", "dg");
    check_pinyin("ABC测评 Co., Ltd.", "abccepingco ltd", "abccpco ltd");
    /* Latin words keep a space between them: "cp" must not match across "hydraulic pump". */
    check_pinyin("液压泵 Hydraulic pump", "yeyabenghydraulic pump", "yybhydraulic pump");
    check_pinyin("綠", "lu", "l");
    check_pinyin("café 2号", "cafe 2hao", "cafe 2h");
    /* ICU's Han-Latin reads characters one by one with their most common reading; the phrase
     * overrides (test_search_pinyin.c) fix place names and banks. */
    check_pinyin("重庆", "chongqing", "cq");
    check_pinyin("长沙", "changsha", "cs");
    check_pinyin("厦门", "xiamen", "xm");
    check_pinyin("银行", "yinhang", "yh");
}

TEST(search_digits_and_name_core)
{
    struct arena a;
    arena_init(&a);
    CHECK_EQ_STR(search_digits(&a, "+86 138-0013 8000"), "8613800138000");
    CHECK_EQ_STR(search_digits(&a, "138 0013 8000"), "13800138000");
    CHECK_EQ_STR(search_digits(&a, NULL), "");
    CHECK_EQ_STR(search_name_core(&a, search_fold(&a, "深圳测评科技有限公司")), "深圳测评科技");
    CHECK_EQ_STR(search_name_core(&a, search_fold(&a, "华东精密工业集团股份有限公司")),
                 "华东精密工业");
    CHECK_EQ_STR(search_name_core(&a, search_fold(&a, "ACME (China) Co., Ltd.")), "acme");
    CHECK_EQ_STR(search_name_core(&a, search_fold(&a, "東莞測評（中國）有限公司")), "东莞测评");
    CHECK_EQ_STR(search_name_core(&a, search_fold(&a, "Costco")), "costco");
    CHECK_EQ_STR(search_name_core(&a, search_fold(&a, "Group")), "group");
    arena_release(&a);
    CHECK_EQ_INT(search_similarity("深圳测评科技", "深圳测评科技"), 100);
    CHECK(search_similarity("深圳测评科技", "深圳测评") >= 75);
    CHECK(search_similarity("深圳测评科技", "深圳测平科技") >= 60);
    CHECK(search_similarity("深圳测评科技", "北京华为") < 60);
    CHECK_EQ_INT(search_similarity("", "x"), 0);
}

static int64_t mk_account(struct fixture *f, const char *code, const char *name)
{
    struct account_in in = {.set = ACC_CODE | ACC_NAME};
    in.v.code = code;
    in.v.name = name;
    struct account out = {0};
    CHECK_EQ_INT(account_create(fixture_ctx(f), &in, &out), KAM_OK);
    return out.id;
}

static int64_t mk_contact(struct fixture *f, int64_t account_id, const char *name,
                          const char *phone)
{
    struct contact_in in = {.set = CON_NAME | CON_PHONE};
    in.v.name = name;
    in.v.phone = phone;
    struct contact out = {0};
    CHECK_EQ_INT(contact_create(fixture_ctx(f), account_id, &in, &out), KAM_OK);
    return out.id;
}

/* The position of (kind, id) in a query's results; -1 when absent. */
static int pos(struct fixture *f, const char *q, const char *kind, int64_t id, const char **matched)
{
    struct search_hit *h;
    size_t n;
    if (search_query(fixture_ctx(f), q, NULL, 50, &h, &n) != KAM_OK)
        return -2;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(h[i].kind, kind) && h[i].id == id) {
            if (matched)
                *matched = h[i].matched;
            return (int)i;
        }
    return -1;
}

TEST(search_query_ranks_and_matches)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "boss", "admin", 0);
    fixture_as(&f, u, ROLE_ADMIN);
    int64_t sub = mk_account(&f, "X-900", "东莞测评中心");
    int64_t exact = mk_account(&f, "CP", "测评");
    int64_t prefix = mk_account(&f, "T-100", "測評科技有限公司");
    int64_t other = mk_account(&f, "A-1", "华为");
    int64_t c = mk_contact(&f, other, "张三", "138 0013 8000");
    fixture_as(&f, 0, ROLE_ADMIN);
    const char *m = NULL;
    /* "cp": the code CP exactly first, then the initials. */
    CHECK_EQ_INT(pos(&f, "cp", "account", exact, &m), 0);
    CHECK_EQ_STR(m, "code");
    CHECK(pos(&f, "cp", "account", prefix, &m) > 0);
    CHECK_EQ_STR(m, "initials");
    CHECK(pos(&f, "cp", "account", sub, &m) > pos(&f, "cp", "account", prefix, NULL));
    CHECK_EQ_STR(m, "initials");
    CHECK(pos(&f, "ceping", "account", prefix, &m) >= 0);
    CHECK_EQ_STR(m, "pinyin");
    CHECK(pos(&f, "ce ping", "account", prefix, NULL) >= 0);
    /* 測評 finds 测评 and back; exact name before prefix before substring. */
    CHECK_EQ_INT(pos(&f, "測評", "account", exact, &m), 0);
    CHECK_EQ_STR(m, "name");
    CHECK_EQ_INT(pos(&f, "测评", "account", prefix, NULL), 1);
    CHECK_EQ_INT(pos(&f, "测评", "account", sub, NULL), 2);
    CHECK_EQ_INT(pos(&f, "東莞", "account", sub, NULL), 0);
    CHECK_EQ_INT(pos(&f, "华为", "account", other, NULL), 0);
    CHECK_EQ_INT(pos(&f, "華為", "account", other, NULL), 0);
    /* A phone's digits, however typed, find the contact. */
    CHECK_EQ_INT(pos(&f, "13800138000", "contact", c, &m), 0);
    CHECK_EQ_STR(m, "phone");
    CHECK_EQ_INT(pos(&f, "0013 8000", "contact", c, NULL), 0);
    CHECK_EQ_INT(pos(&f, "zs", "contact", c, NULL), 0);
    /* LIKE's wildcards are plain characters. */
    CHECK_EQ_INT(pos(&f, "%", "account", exact, NULL), -1);
    CHECK_EQ_INT(pos(&f, "_", "account", exact, NULL), -1);
    /* Bad input. */
    struct search_hit *h;
    size_t n;
    fixture_check_err(&f, search_query(fixture_ctx(&f), "", NULL, 10, &h, &n), KAM_EINVAL, "q");
    fixture_check_err(&f, search_query(fixture_ctx(&f), "x", "accounts", 10, &h, &n), KAM_EINVAL,
                      "kinds");
    char big[SEARCH_MAX_Q + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    fixture_check_err(&f, search_query(fixture_ctx(&f), big, NULL, 10, &h, &n), KAM_EINVAL, "q");
    /* kinds narrows. */
    CHECK_EQ_INT(search_query(fixture_ctx(&f), "张三", "account,issue", 10, &h, &n), KAM_OK);
    CHECK_EQ_INT(n, 0);
    fixture_close(&f);
}

TEST(search_index_follows_writes_and_catches_up)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "boss", "admin", 0);
    fixture_as(&f, u, ROLE_ADMIN);
    int64_t id = mk_account(&f, "E-1", "东莞测评");
    fixture_as(&f, 0, ROLE_ADMIN);
    CHECK_EQ_INT(pos(&f, "dg", "account", id, NULL), 0);
    struct account_in up = {.set = ACC_NAME};
    up.v.name = "广州测评";
    struct account out;
    CHECK_EQ_INT(account_update(fixture_ctx(&f), id, &up, &out), KAM_OK);
    CHECK_EQ_INT(pos(&f, "dg", "account", id, NULL), -1);
    CHECK_EQ_INT(pos(&f, "gz", "account", id, NULL), 0);
    /* Rows written behind the services' back (an older binary) are found after a catch-up. */
    CHECK_EQ_INT(db_exec(f.db,
                         "INSERT INTO accounts (code, name, owner_id, tier, status, version, "
                         "created_at, updated_at) SELECT 'OLD-1', '舊賬戶', MIN(id), 'key', "
                         "'active', 1, 0, 0 FROM users",
                         &f.e),
                 KAM_OK);
    CHECK_EQ_INT(db_exec(f.db,
                         "UPDATE accounts SET name = '深圳', version = version + 1 WHERE "
                         "code = 'E-1'",
                         &f.e),
                 KAM_OK);
    int64_t old = fixture_q64(&f, "SELECT id FROM accounts WHERE code = 'OLD-1'");
    CHECK_EQ_INT(pos(&f, "旧账户", "account", old, NULL), -1);
    int n = 0;
    CHECK_EQ_INT(search_catch_up(fixture_ctx(&f), &n), KAM_OK);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(pos(&f, "旧账户", "account", old, NULL), 0);
    CHECK_EQ_INT(pos(&f, "sz", "account", id, NULL), 0);
    CHECK_EQ_INT(search_catch_up(fixture_ctx(&f), &n), KAM_OK);
    CHECK_EQ_INT(n, 0);
    /* Deleted: gone from the index with its contacts. */
    mk_contact(&f, id, "李四", "13900000000");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM search_index WHERE account_id = "
                                 "(SELECT id FROM accounts WHERE code = 'E-1')"),
                 2);
    CHECK_EQ_INT(account_delete(fixture_ctx(&f), id), KAM_OK);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM search_index"), 1);
    fixture_close(&f);
}

/* An UPDATE that changes no row (another writer won the race) is still a 409: the index write
 * after it must not hide the lost race from record_update (which reads db_changes). */
TEST(search_sync_keeps_lost_race_a_conflict)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "boss", "admin", 0);
    fixture_as(&f, u, ROLE_ADMIN);
    int64_t id = mk_account(&f, "R-1", "赛跑");
    int64_t c = mk_contact(&f, id, "王五", "13700000000");
    CHECK_EQ_INT(db_exec(f.db,
                         "CREATE TRIGGER lose_race BEFORE UPDATE ON accounts WHEN NEW.name = "
                         "'Raced' BEGIN SELECT RAISE(IGNORE); END; CREATE TRIGGER lose_race_c "
                         "BEFORE UPDATE ON contacts WHEN NEW.name = 'Raced' BEGIN SELECT "
                         "RAISE(IGNORE); END",
                         &f.e),
                 KAM_OK);
    struct account_in up = {.set = ACC_NAME};
    up.v.name = "Raced";
    struct account out;
    fixture_check_err(&f, account_update(fixture_ctx(&f), id, &up, &out), KAM_ECONFLICT, "version");
    struct contact_in cu = {.set = CON_NAME};
    cu.v.name = "Raced";
    struct contact cout;
    fixture_check_err(&f, contact_update(fixture_ctx(&f), c, &cu, &cout), KAM_ECONFLICT, "version");
    CHECK_EQ_INT(pos(&f, "赛跑", "account", id, NULL), 0);
    CHECK_EQ_INT(pos(&f, "raced", "account", id, NULL), -1);
    fixture_close(&f);
}

TEST(search_duplicates_reasons)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "boss", "admin", 0);
    fixture_as(&f, u, ROLE_ADMIN);
    int64_t a = mk_account(&f, "DUP-1", "深圳测评科技有限公司");
    mk_account(&f, "DUP-2", "北京华为");
    int64_t c = mk_contact(&f, a, "张伟", "138-0013-8000");
    fixture_as(&f, 0, ROLE_ADMIN);
    struct search_dup_query q = {.kind = "account", .name = "深圳測評科技股份有限公司"};
    struct search_dup *d;
    size_t n;
    int hidden;
    CHECK_EQ_INT(search_duplicates(fixture_ctx(&f), &q, &d, &n, &hidden), KAM_OK);
    CHECK_EQ_INT(n, 1);
    if (n) {
        CHECK_EQ_INT(d[0].id, a);
        CHECK_EQ_STR(d[0].reason, "similar_name");
        CHECK_EQ_INT(d[0].score, 100);
    }
    q = (struct search_dup_query){.kind = "account", .code = "dup-1", .name = "别的名字"};
    CHECK_EQ_INT(search_duplicates(fixture_ctx(&f), &q, &d, &n, &hidden), KAM_OK);
    CHECK_EQ_INT(n, 1);
    if (n)
        CHECK_EQ_STR(d[0].reason, "same_code");
    q.exclude_id = a; /* editing the account itself */
    CHECK_EQ_INT(search_duplicates(fixture_ctx(&f), &q, &d, &n, &hidden), KAM_OK);
    CHECK_EQ_INT(n, 0);
    q = (struct search_dup_query){
        .kind = "contact", .phone = "13800138000", .name = "章伟", .account_id = a};
    CHECK_EQ_INT(search_duplicates(fixture_ctx(&f), &q, &d, &n, &hidden), KAM_OK);
    CHECK_EQ_INT(n, 1);
    if (n) {
        CHECK_EQ_INT(d[0].id, c);
        CHECK_EQ_STR(d[0].reason, "same_phone");
    }
    q = (struct search_dup_query){.kind = "contact", .name = "章伟", .account_id = a};
    CHECK_EQ_INT(search_duplicates(fixture_ctx(&f), &q, &d, &n, &hidden), KAM_OK);
    CHECK_EQ_INT(n, 1);
    if (n)
        CHECK_EQ_STR(d[0].reason, "similar_name");
    q = (struct search_dup_query){.kind = "offer"};
    fixture_check_err(&f, search_duplicates(fixture_ctx(&f), &q, &d, &n, &hidden), KAM_EINVAL,
                      "kind");
    fixture_close(&f);
}
