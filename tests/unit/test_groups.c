/* test_groups.c -- account groups added up (svc/core/group.c): the group's ids at any depth,
 * scoped to what the caller may read (the rest counted as not visible), cycle-safe on data
 * that has a cycle anyway (written behind the service's back), and the service's refusal of a
 * cycle. */
#include <stdio.h>

#include "fixture.h"
#include "store/sqlb.h"
#include "svc/core/group.h"
#include "svc/relationships/account.h"
#include "test.h"

#define CHAIN 200

static int64_t mk(struct fixture *f, const char *code, int64_t owner, int64_t parent)
{
    struct account_in in = {0};
    in.v.code = code;
    in.v.name = code;
    in.v.owner_id = owner;
    in.v.tier = "maintain";
    in.set = ACC_CODE | ACC_NAME | ACC_OWNER | ACC_TIER;
    if (parent) {
        in.v.has_parent = 1;
        in.v.parent_id = parent;
        in.set |= ACC_PARENT;
    }
    struct account a = {0};
    enum kam_err rc = account_create(fixture_ctx(f), &in, &a);
    if (rc)
        fprintf(stderr, "  account_create %s: %s\n", code, f->e.msg);
    CHECK_EQ_INT(rc, KAM_OK);
    return rc ? 0 : a.id;
}

/* The number of the group's ids the subquery of group_sql() yields for the caller. */
static int64_t sql_count(struct fixture *f, int64_t id)
{
    struct sqlb b;
    sqlb_init(&b, &f->a);
    sqlb_sql(&b, "SELECT COUNT(*) FROM accounts WHERE id IN ");
    group_sql(fixture_ctx(f), &b, id);
    struct db_stmt *st;
    int row = 0;
    int64_t n = -1;
    if (sqlb_prepare(&b, f->db, &st, &f->e) == KAM_OK) {
        if (db_step(st, &row, &f->e) == KAM_OK && row)
            n = db_col_i64(st, 0);
        db_done(st);
    }
    return n;
}

TEST(groups_add_up_at_any_depth_scoped_and_cycle_safe)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, 1780000000))
        return;
    int64_t am1 = fixture_add_user(&f, "g_am1", "account_manager", 0);
    int64_t am2 = fixture_add_user(&f, "g_am2", "account_manager", 0);
    int64_t g = mk(&f, "G", am1, 0), s1 = mk(&f, "S1", am1, g), s2 = mk(&f, "S2", am2, g);
    int64_t last = mk(&f, "S11", am1, s1), s11 = last;
    char code[16];
    for (int i = 0; i < CHAIN; i++) { /* a chain 200 deep under S11 */
        snprintf(code, sizeof code, "D%03d", i);
        last = mk(&f, code, am1, last);
    }
    int64_t subs = -1, hidden = -1, *ids = NULL;
    size_t n = 0;
    /* the system reads every account: all subsidiaries, none hidden */
    CHECK_EQ_INT(group_extent(fixture_ctx(&f), g, &subs, &hidden), KAM_OK);
    CHECK_EQ_INT(subs, 3 + CHAIN);
    CHECK_EQ_INT(hidden, 0);
    CHECK_EQ_INT(group_ids(fixture_ctx(&f), g, "subsidiaries", &ids, &n), KAM_OK);
    CHECK_EQ_INT(n, 4 + CHAIN);
    CHECK(n > 0 && ids[0] == g);
    CHECK(group_has(ids, n, s2) && group_has(ids, n, last) && group_has(ids, n, s11));
    CHECK(!group_has(ids, n, g + 100000));
    CHECK_EQ_INT(sql_count(&f, g), 4 + CHAIN);
    CHECK_EQ_INT(sql_count(&f, s2), 1); /* a leaf is its own group */
    /* am1 may not read S2 (am2's): left out and counted */
    fixture_as(&f, am1, ROLE_ACCOUNT_MANAGER);
    CHECK_EQ_INT(group_extent(fixture_ctx(&f), g, &subs, &hidden), KAM_OK);
    CHECK_EQ_INT(subs, 3 + CHAIN);
    CHECK_EQ_INT(hidden, 1);
    CHECK_EQ_INT(group_ids(fixture_ctx(&f), g, "subsidiaries", &ids, &n), KAM_OK);
    CHECK_EQ_INT(n, 3 + CHAIN);
    CHECK(!group_has(ids, n, s2) && group_has(ids, n, s1));
    CHECK_EQ_INT(sql_count(&f, g), 3 + CHAIN);
    /* the service refuses a cycle: G under its deepest descendant */
    fixture_as(&f, 0, ROLE_ADMIN);
    struct account_in up = {0};
    up.v.has_parent = 1;
    up.v.parent_id = last;
    up.set = ACC_PARENT;
    struct account out;
    enum kam_err rc = account_update(fixture_ctx(&f), g, &up, &out);
    fixture_check_err(&f, rc, KAM_ECONFLICT, "parent_id");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM accounts WHERE parent_id IS NULL"), 1);
    /* a cycle written behind its back still ends: every id once */
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE accounts SET parent_id = %lld WHERE id = %lld",
             (long long)last, (long long)g);
    CHECK_EQ_INT(db_exec(f.db, sql, fixture_ctx(&f)->err), KAM_OK);
    CHECK_EQ_INT(group_extent(fixture_ctx(&f), s1, &subs, &hidden), KAM_OK);
    CHECK_EQ_INT(subs, 3 + CHAIN); /* S11, the chain, G and S2: everyone but S1 itself */
    CHECK_EQ_INT(group_ids(fixture_ctx(&f), g, "subsidiaries", &ids, &n), KAM_OK);
    CHECK_EQ_INT(n, 4 + CHAIN);
    CHECK_EQ_INT(sql_count(&f, s11), 4 + CHAIN);
    fixture_close(&f);
}
