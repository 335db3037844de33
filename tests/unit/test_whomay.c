/* test_whomay.c -- issue 12 review follow-ups: the search catch-up that `kam serve` runs after it
 * listens (stoppable between batches), and the check-in refusals' message keys. */
#include <string.h>

#include "fixture.h"
#include "svc/core/msg.h"
#include "svc/core/search.h"
#include "test.h"

#define NOW 1767225600 /* 2026-01-01 */

static int calls_before_stop;
static int stop_after(void *arg)
{
    int *calls = arg;
    return (*calls)++ >= calls_before_stop;
}

TEST(search_catch_up_until_stops_between_batches)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    fixture_add_user(&f, "owner", "account_manager", 0);
    /* 600 accounts written behind the services' back: two batches of the account kind */
    CHECK_EQ_INT(db_exec(f.db,
                         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE "
                         "i < 600) INSERT INTO accounts (code, name, owner_id, tier, status, "
                         "version, created_at, updated_at) SELECT 'W-' || i, '测评' || i, "
                         "(SELECT MIN(id) FROM users), 'key', 'active', 1, 0, 0 FROM n",
                         &f.e),
                 KAM_OK);
    int calls = 0, n = -1;
    calls_before_stop = 0; /* stop at once: nothing indexed, no error */
    CHECK_EQ_INT(search_catch_up_until(fixture_ctx(&f), stop_after, &calls, &n), KAM_OK);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM search_index"), 0);
    calls = 0;
    calls_before_stop = 1; /* one batch (500 in one transaction), then stop */
    CHECK_EQ_INT(search_catch_up_until(fixture_ctx(&f), stop_after, &calls, &n), KAM_OK);
    CHECK_EQ_INT(n, 500);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM search_index"), 500);
    /* the rest; a current row is left alone, a row of a gone record is dropped */
    CHECK_EQ_INT(db_exec(f.db, "DELETE FROM accounts WHERE code = 'W-1'", &f.e), KAM_OK);
    CHECK_EQ_INT(search_catch_up_until(fixture_ctx(&f), NULL, NULL, &n), KAM_OK);
    CHECK_EQ_INT(n, 101); /* 100 indexed, 1 dropped */
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM search_index"), 599);
    CHECK_EQ_INT(search_catch_up(fixture_ctx(&f), &n), KAM_OK);
    CHECK_EQ_INT(n, 0);
    fixture_close(&f);
}

TEST(visit_checkin_keys_in_three_languages)
{
    static const char *const keys[] = {"visit.checkin_owner", "visit.checkin_planned",
                                       "visit.checkin_onsite", "visit.checkin_twice"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char out[200];
        CHECK(msg_known(keys[i]));
        for (int l = 0; l < MSG_LANG_COUNT; l++)
            CHECK(msg_render((enum msg_lang)l, keys[i], NULL, 0, out, sizeof out) > 0);
    }
    char out[200];
    msg_render(MSG_ZH_TW, "visit.checkin_twice", NULL, 0, out, sizeof out);
    CHECK_EQ_STR(out, "該拜訪已簽到，不能重複簽到");
}
