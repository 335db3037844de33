/* test_search_pinyin.c -- pinyin that knows place names (issue 12 item 5): phrase overrides
 * before ICU's one-character readings, both readings of an ambiguous surname, and rows folded
 * by the older rule re-indexed by the catch-up. */
#include <string.h>

#include "fixture.h"
#include "svc/core/search.h"
#include "svc/relationships/account.h"
#include "test.h"

#define NOW 1767225600 /* 2026-01-01 */

static void py(const char *in, const char *full, const char *init)
{
    struct arena a;
    arena_init(&a);
    const char *f, *i;
    search_pinyin(&a, search_fold(&a, in), &f, &i);
    CHECK_EQ_STR(f, full);
    CHECK_EQ_STR(i, init);
    arena_release(&a);
}

TEST(search_pinyin_tables_are_sorted)
{
    CHECK(search_pinyin_tables_sorted());
}

TEST(search_pinyin_place_names_and_phrases)
{
    /* ICU alone: zhangsha, shamen, yinxing, zhangchun, chengdou */
    py("长沙", "changsha", "cs");
    py("長沙市宏达有限公司", "changshashihongdayouxiangongsi", "csshdyxgs");
    py("厦门", "xiamen", "xm");
    py("廈門", "xiamen", "xm");
    py("长春", "changchun", "cc");
    py("重庆", "chongqing", "cq");
    py("招商银行", "zhaoshangyinhang", "zsyh");
    py("中國銀行長沙分行", "zhongguoyinhangchangshafenhang", "zgyhcsfh");
    py("成都", "chengdu", "cd");
    py("朝阳", "chaoyang", "cy");
    py("音乐", "yinyue", "yy");
    py("快乐", "kuaile", "kl");
    /* longest match first: 长沙市 as one phrase, then ICU for the rest */
    py("长沙市", "changshashi", "css");
    /* a title stays ICU's: 行长 hangzhang, 董事长 dongshizhang */
    py("行长", "hangzhang", "hz");
    py("董事长", "dongshizhang", "dsz");
    /* Latin words beside a phrase keep the old joining rule */
    py("ABC长沙 Co., Ltd.", "abcchangshaco ltd", "abccsco ltd");
}

TEST(search_pinyin_surnames_keep_both_readings)
{
    py("曾伟", "cengwei zengwei", "cw zw");
    py("单小明", "danxiaoming shanxiaoming", "dxm sxm");
    py("乐天", "letian yuetian", "lt yt");
    py("解放", "jiefang xiefang", "jf xf");
    /* a place beats the surname: 单县 is shanxian either way, one reading */
    py("单县", "shanxian", "sx");
    /* not at the start: no second reading */
    py("王曾", "wangceng", "wc");
    py("", "", "");
}

static int64_t account(struct fixture *f, const char *code, const char *name)
{
    struct account_in in = {.set = ACC_CODE | ACC_NAME};
    in.v.code = code;
    in.v.name = name;
    struct account out = {0};
    CHECK_EQ_INT(account_create(fixture_ctx(f), &in, &out), KAM_OK);
    return out.id;
}

static int found(struct fixture *f, const char *q, int64_t id)
{
    struct search_hit *h;
    size_t n;
    if (search_query(fixture_ctx(f), q, "account", 50, &h, &n) != KAM_OK)
        return -2;
    for (size_t i = 0; i < n; i++)
        if (h[i].id == id)
            return 1;
    return 0;
}

TEST(search_pinyin_queries_and_refold)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    fixture_as(&f, fixture_add_user(&f, "boss", "admin", 0), ROLE_ADMIN);
    int64_t cs = account(&f, "CS-1", "长沙宏达机械有限公司");
    int64_t xm = account(&f, "XM-1", "厦门海联贸易");
    int64_t zeng = account(&f, "Z-1", "曾氏实业");
    fixture_as(&f, 0, ROLE_ADMIN);
    CHECK_EQ_INT(found(&f, "cs", cs), 1);
    CHECK_EQ_INT(found(&f, "changsha", cs), 1);
    CHECK_EQ_INT(found(&f, "zhangsha", cs), 0);
    CHECK_EQ_INT(found(&f, "xm", xm), 1);
    CHECK_EQ_INT(found(&f, "xiamen", xm), 1);
    CHECK_EQ_INT(found(&f, "shamen", xm), 0);
    CHECK_EQ_INT(found(&f, "zengshi", zeng), 1);
    CHECK_EQ_INT(found(&f, "cengshi", zeng), 1);
    CHECK_EQ_INT(found(&f, "zs", zeng), 1);
    /* A row folded by the older rule (as a binary before the overrides left it) is re-folded
     * by the catch-up. */
    CHECK_EQ_INT(db_exec(f.db,
                         "UPDATE search_index SET py_full = 'zhangshahongdajixie', py_init = "
                         "'zshdjx', fold_version = 2 WHERE kind = 'account' AND code = 'cs-1'",
                         &f.e),
                 KAM_OK);
    CHECK_EQ_INT(found(&f, "changsha", cs), 0);
    int n = 0;
    CHECK_EQ_INT(search_catch_up(fixture_ctx(&f), &n), KAM_OK);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(found(&f, "changsha", cs), 1);
    CHECK_EQ_INT(found(&f, "cs", cs), 1);
    fixture_close(&f);
}
