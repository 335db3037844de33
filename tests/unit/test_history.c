/* test_history.c -- the audit read path of the readable history (issue 12): each row names its
 * actor by display name (the login when the name is empty, NULL for the system) and wallet,
 * target and 4P measure rows name the base currency their amounts are in. */
#include <string.h>

#include "fixture.h"
#include "store/db.h"
#include "svc/core/audit.h"
#include "test.h"

#define NOW 1700000000

static int write_row(struct fixture *f, const char *entity, int64_t id, int64_t account)
{
    struct kam_ctx *ctx = fixture_ctx(f);
    if (db_begin(ctx->db, ctx->err))
        return 0;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "amount", 0, 1, 1234567, 0);
    return db_end(ctx->db, audit_write(ctx, entity, id, account, "create", &d), ctx->err) == KAM_OK;
}

TEST(history_audit_list_names_actor_and_wallet_currency)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t named = fixture_add_user(&f, "wang.fang", "account_manager", 0);
    int64_t bare = fixture_add_user(&f, "li.lei", "account_manager", 0);
    struct kam_error e = {0};
    struct db_stmt *st;
    int ok = db_prepare(f.db, "UPDATE users SET name = ? WHERE id = ?", &st, &e) == KAM_OK;
    if (ok) {
        db_bind_text(st, 1, "王芳");
        db_bind_i64(st, 2, named);
        ok = db_run(st, &e) == KAM_OK;
        if (ok && db_prepare(f.db, "UPDATE users SET name = '' WHERE id = ?", &st, &e) == KAM_OK) {
            db_bind_i64(st, 1, bare);
            ok = db_run(st, &e) == KAM_OK;
        }
    }
    CHECK(ok);
    fixture_as(&f, 0, ROLE_ADMIN);
    CHECK(write_row(&f, "account", 7, 7)); /* the system */
    fixture_as(&f, bare, ROLE_ACCOUNT_MANAGER);
    CHECK(write_row(&f, "account", 7, 7));
    fixture_as(&f, named, ROLE_ACCOUNT_MANAGER);
    CHECK(write_row(&f, "wallet", 7 * 10000 + 2026, 7));
    CHECK(write_row(&f, "target_plan", 3, 0)); /* not in the account's history */
    struct audit_query q = {.entity = "account", .entity_id = 7, .limit = 10};
    struct audit_row *rows;
    size_t n = 0;
    int more = 0;
    CHECK_EQ_INT(audit_list(fixture_ctx(&f), &q, &rows, &n, &more), KAM_OK);
    CHECK_EQ_INT(n, 3);
    if (n == 3) {
        /* newest first: wallet by 王芳, account by li.lei, account by the system */
        CHECK_EQ_STR(rows[0].entity, "wallet");
        CHECK_EQ_STR(rows[0].user_name, "王芳");
        CHECK_EQ_STR(rows[0].user_login, "wang.fang");
        CHECK(rows[0].currency && strcmp(rows[0].currency, "CNY") == 0);
        CHECK_EQ_STR(rows[1].user_name, "li.lei");
        CHECK(rows[1].currency == NULL);
        CHECK(rows[2].user_id == 0 && rows[2].user_name == NULL);
    }
    /* the base currency is a setting: wallet rows follow it */
    if (db_prepare(f.db,
                   "INSERT INTO settings (key, value) VALUES ('base_currency', 'EUR') "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   &st, &e) == KAM_OK)
        CHECK_EQ_INT(db_run(st, &e), KAM_OK);
    CHECK_EQ_INT(audit_list(fixture_ctx(&f), &q, &rows, &n, &more), KAM_OK);
    CHECK(n == 3 && rows[0].currency && strcmp(rows[0].currency, "EUR") == 0);
    /* target plans (and proposals, 4P measures) are in the base currency too */
    struct audit_query qt = {.entity = "target_plan", .entity_id = 3, .limit = 10};
    CHECK_EQ_INT(audit_list(fixture_ctx(&f), &qt, &rows, &n, &more), KAM_OK);
    CHECK(n == 1 && rows[0].currency && strcmp(rows[0].currency, "EUR") == 0);
    fixture_close(&f);
}
