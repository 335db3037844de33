/* test_auth_sec.c -- issue 10: who may grant which role, the password rules, tokens and sessions
 * ending with a password change, and the failed-attempt throttle (back-off per login and
 * address, spraying, the per-login limit for unknown addresses, parallel attempts). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "fixture.h"
#include "store/db.h"
#include "svc/core/auth.h"
#include "svc/core/password.h"
#include "svc/core/policy.h"
#include "svc/core/user.h"
#include "test.h"

#define NOW 1700000000

/* ---- fixture: struct fixture (fixture.h), in memory or a file for the parallel test ---- */

static struct kam_ctx *C(struct fixture *f)
{
    return fixture_ctx(f);
}

/* Everything a refused user change must leave alone. */
static int64_t user_rows(struct fixture *f)
{
    return fixture_q64(f,
                       "SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM audit) + "
                       "(SELECT COUNT(*) FROM sessions) + (SELECT COUNT(*) FROM api_tokens WHERE "
                       "revoked_at IS NULL) + (SELECT COALESCE(SUM(disabled), 0) FROM users) + "
                       "(SELECT COUNT(DISTINCT role || password_hash || name) FROM users)");
}

static enum kam_err create_as(struct fixture *f, const char *login, const char *role)
{
    struct user_in in = {0};
    in.set = USR_LOGIN | USR_ROLE | USR_PASSWORD;
    in.v.login = login;
    in.v.role = role;
    in.password = "a-fine-password-77";
    struct user out;
    return user_create(C(f), &in, &out);
}

static enum kam_err patch(struct fixture *f, int64_t id, unsigned set, const char *role,
                          const char *password)
{
    struct user_in in = {0};
    in.set = set;
    in.v.role = role;
    in.v.name = "Renamed";
    in.v.disabled = 1;
    in.password = password;
    struct user out;
    return user_update(C(f), id, &in, &out);
}

/* ---- roles ---- */

TEST(role_strength_order_is_total_and_documented)
{
    static const enum role order[] = {ROLE_ADMIN,   ROLE_DIRECTOR,  ROLE_HR,
                                      ROLE_FINANCE, ROLE_TEAM_LEAD, ROLE_ACCOUNT_MANAGER,
                                      ROLE_SERVICE, ROLE_VIEWER};
    for (size_t i = 0; i + 1 < sizeof order / sizeof order[0]; i++)
        CHECK(user_role_rank(order[i]) > user_role_rank(order[i + 1]));
    CHECK(user_role_rank(ROLE_VIEWER) > user_role_rank(ROLE_NONE));
    /* the one role without account data is hr, from the permission table */
    for (int r = ROLE_ADMIN; r < ROLE_COUNT; r++)
        CHECK_EQ_INT(policy_grant((enum role)r, OBJ_ACCOUNT, ACT_READ) == GRANT_NONE, r == ROLE_HR);
}

TEST(hr_cannot_promote_itself_nor_take_over_stronger_users)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t hr = fixture_add_user(&f, "hr.one", "hr", 0);
    int64_t hr2 = fixture_add_user(&f, "hr.two", "hr", 0);
    int64_t dir = fixture_add_user(&f, "dir.one", "director", 0);
    int64_t am = fixture_add_user(&f, "am.one", "account_manager", 0);
    int64_t v = fixture_add_user(&f, "v.one", "viewer", 0);
    fixture_as(&f, hr, ROLE_HR);
    int64_t before = user_rows(&f);
    /* its own role, in any direction */
    fixture_check_err(&f, patch(&f, hr, USR_ROLE, "director", NULL), KAM_EFORBIDDEN, "role");
    fixture_check_err(&f, patch(&f, hr, USR_ROLE, "viewer", NULL), KAM_EFORBIDDEN, "role");
    /* a director: password reset, disable, rename */
    fixture_check_err(&f, patch(&f, dir, USR_PASSWORD, NULL, "hr-chosen-password"), KAM_EFORBIDDEN,
                      "role");
    fixture_check_err(&f, patch(&f, dir, USR_DISABLED, NULL, NULL), KAM_EFORBIDDEN, "role");
    fixture_check_err(&f, patch(&f, dir, USR_NAME, NULL, NULL), KAM_EFORBIDDEN, "role");
    /* weaker users with account data are out of reach too */
    fixture_check_err(&f, patch(&f, am, USR_PASSWORD, NULL, "hr-chosen-password"), KAM_EFORBIDDEN,
                      "role");
    fixture_check_err(&f, patch(&f, v, USR_DISABLED, NULL, NULL), KAM_EFORBIDDEN, "role");
    /* granting */
    fixture_check_err(&f, patch(&f, hr2, USR_ROLE, "director", NULL), KAM_EFORBIDDEN, "role");
    fixture_check_err(&f, patch(&f, hr2, USR_ROLE, "viewer", NULL), KAM_EFORBIDDEN, "role");
    fixture_check_err(&f, create_as(&f, "new.dir", "director"), KAM_EFORBIDDEN, "role");
    fixture_check_err(&f, create_as(&f, "new.viewer", "viewer"), KAM_EFORBIDDEN, "role");
    fixture_check_err(&f, create_as(&f, "new.admin", "admin"), KAM_EFORBIDDEN, "role");
    CHECK_EQ_INT(user_rows(&f), before);
    /* what hr may do: users without account data */
    CHECK_EQ_INT(create_as(&f, "new.hr", "hr"), KAM_OK);
    CHECK_EQ_INT(patch(&f, hr2, USR_NAME | USR_DISABLED, NULL, NULL), KAM_OK);
    CHECK_EQ_INT(patch(&f, hr2, USR_PASSWORD, NULL, "hr-chosen-password"), KAM_OK);
    CHECK_EQ_INT(patch(&f, hr, USR_NAME, NULL, NULL), KAM_OK);
    CHECK_EQ_INT(patch(&f, hr, USR_ROLE, "hr", NULL), KAM_OK); /* the same role: no change */
    fixture_close(&f);
}

TEST(admin_grants_anything_but_its_own_role)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t adm = fixture_add_user(&f, "root.one", "admin", 0);
    int64_t adm2 = fixture_add_user(&f, "root.two", "admin", 0);
    int64_t hr = fixture_add_user(&f, "hr.one", "hr", 0);
    fixture_as(&f, adm, ROLE_ADMIN);
    int64_t before = user_rows(&f);
    fixture_check_err(&f, patch(&f, adm, USR_ROLE, "viewer", NULL), KAM_EFORBIDDEN, "role");
    CHECK_EQ_INT(user_rows(&f), before);
    CHECK_EQ_INT(create_as(&f, "new.dir", "director"), KAM_OK);
    CHECK_EQ_INT(patch(&f, hr, USR_ROLE, "director", NULL), KAM_OK);
    CHECK_EQ_INT(patch(&f, adm2, USR_PASSWORD | USR_DISABLED, NULL, "reset-by-admin-1"), KAM_OK);
    fixture_close(&f);
}

TEST(weaker_role_cannot_grant_stronger_in_svc)
{
    /* No role but admin and hr may write users through the API (policy), but the service
     * rule holds for anyone: a team lead could give only roles up to team_lead. */
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t lead = fixture_add_user(&f, "lead.one", "team_lead", 0);
    int64_t v = fixture_add_user(&f, "v.one", "viewer", 0);
    int64_t fin = fixture_add_user(&f, "fin.one", "finance", 0);
    fixture_as(&f, lead, ROLE_TEAM_LEAD);
    fixture_check_err(&f, patch(&f, v, USR_ROLE, "finance", NULL), KAM_EFORBIDDEN, "role");
    fixture_check_err(&f, patch(&f, fin, USR_NAME, NULL, NULL), KAM_EFORBIDDEN, "role");
    fixture_check_err(&f, create_as(&f, "new.hr", "hr"), KAM_EFORBIDDEN, "role");
    CHECK_EQ_INT(patch(&f, v, USR_ROLE, "team_lead", NULL), KAM_OK);
    fixture_close(&f);
}

TEST(cli_system_user_may_do_everything)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t adm = fixture_add_user(&f, "root.one", "admin", 0);
    fixture_as(&f, 0, ROLE_ADMIN); /* what cli.c sets: the system */
    CHECK_EQ_INT(create_as(&f, "second.root", "admin"), KAM_OK);
    CHECK_EQ_INT(patch(&f, adm, USR_PASSWORD, NULL, "set-by-operator-1"), KAM_OK);
    CHECK_EQ_INT(patch(&f, adm, USR_ROLE, "viewer", NULL), KAM_OK);
    fixture_close(&f);
}

TEST(own_password_only_through_the_old_one)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t adm = fixture_add_user(&f, "root.one", "admin", 0);
    fixture_as(&f, adm, ROLE_ADMIN);
    int64_t before = user_rows(&f);
    fixture_check_err(&f, patch(&f, adm, USR_PASSWORD, NULL, "stolen-session-pw"), KAM_EFORBIDDEN,
                      "password");
    CHECK_EQ_INT(user_rows(&f), before);
    fixture_close(&f);
}

/* ---- password rules ---- */

TEST(password_list_sorted_lower_and_long)
{
    CHECK(password_common_count > 1000);
    for (size_t i = 0; i < password_common_count; i++) {
        const char *p = password_common[i];
        size_t n = strlen(p);
        CHECK(n >= PASSWORD_MIN_CHARS && n < 64);
        for (size_t j = 0; j < n; j++)
            CHECK(!(p[j] >= 'A' && p[j] <= 'Z') && (unsigned char)p[j] > 0x20 &&
                  (unsigned char)p[j] < 0x7f);
        if (i > 0 && strcmp(password_common[i - 1], p) >= 0) {
            fprintf(stderr, "  out of order: %s, %s\n", password_common[i - 1], p);
            CHECK(0);
        }
    }
}

TEST(password_check_refuses_common_and_login)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    fixture_check_err(&f, password_check(C(&f), "password", "li.na", "123456789"), KAM_EINVAL,
                      "password");
    fixture_check_err(&f, password_check(C(&f), "password", "li.na", "1234567890"), KAM_EINVAL,
                      "password");
    fixture_check_err(&f, password_check(C(&f), "pw", NULL, "QwertyUIOP"), KAM_EINVAL, "pw");
    fixture_check_err(&f, password_check(C(&f), "password", NULL, "Password123"), KAM_EINVAL,
                      "password");
    fixture_check_err(&f, password_check(C(&f), "password", NULL, "basketball"), KAM_EINVAL,
                      "password");
    fixture_check_err(&f, password_check(C(&f), "password", NULL, "woaini1314"), KAM_EINVAL,
                      "password");
    fixture_check_err(&f, password_check(C(&f), "password", "li.na", "my-LI.NA-secret"), KAM_EINVAL,
                      "password");
    fixture_check_err(&f, password_check(C(&f), "password", "li.na", "li.na-2026-pw"), KAM_EINVAL,
                      "password");
    char big[202];
    memset(big, 'x', 201);
    big[201] = 0;
    fixture_check_err(&f, password_check(C(&f), "password", NULL, big), KAM_EINVAL, "password");
    /* logins under 3 characters may appear; long unusual passwords pass */
    CHECK_EQ_INT(password_check(C(&f), "password", "hr", "hr-password-77"), KAM_OK);
    CHECK_EQ_INT(password_check(C(&f), "password", "director", "kam-demo-2026"), KAM_OK);
    CHECK_EQ_INT(password_check(C(&f), "password", "li.na", FIXTURE_PW), KAM_OK);
    CHECK_EQ_INT(password_check(C(&f), "password", "li.na", "ＵＮＩ密码-abc-long"), KAM_OK);
    CHECK_EQ_INT(password_is_common("QWERTYUIOP"), 1);
    CHECK_EQ_INT(password_is_common("qwertyuiop!"), 0);
    fixture_close(&f);
}

TEST(password_rules_apply_to_create_update_and_change)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "li.na", "viewer", 0);
    struct user_in in = {0};
    in.set = USR_LOGIN | USR_ROLE | USR_PASSWORD;
    in.v.login = "zhang.wei";
    in.v.role = "viewer";
    in.password = "zhang.wei.2026";
    struct user out;
    fixture_check_err(&f, user_create(C(&f), &in, &out), KAM_EINVAL, "password");
    in.password = "1q2w3e4r5t";
    fixture_check_err(&f, user_create(C(&f), &in, &out), KAM_EINVAL, "password");
    fixture_check_err(&f, patch(&f, u, USR_PASSWORD, NULL, "Li.Na.Password"), KAM_EINVAL,
                      "password");
    fixture_as(&f, u, ROLE_VIEWER);
    fixture_check_err(&f, auth_change_password(C(&f), FIXTURE_PW, "qwerty123456", NULL), KAM_EINVAL,
                      "new_password");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM users"), 1);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM login_failures"),
                 0); /* no attempt was used */
    fixture_close(&f);
}

/* ---- a password change ends the other ways in ---- */

TEST(password_change_revokes_tokens_and_other_sessions)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "li.na", "account_manager", 0);
    struct session s1, s2, back;
    CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, "10.0.0.1", 600, &s1), KAM_OK);
    CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, "10.0.0.2", 600, &s2), KAM_OK);
    fixture_as(&f, u, ROLE_ACCOUNT_MANAGER);
    struct api_token t1, t2;
    CHECK_EQ_INT(token_create(C(&f), "sync", &t1), KAM_OK);
    CHECK_EQ_INT(token_create(C(&f), "phone", &t2), KAM_OK);
    user_set_hash_override(NULL);
    CHECK_EQ_INT(auth_change_password(C(&f), FIXTURE_PW, "brand-new-pass-1", s1.token), KAM_OK);
    struct user who;
    CHECK_EQ_INT(auth_session(C(&f), s1.token, &back), KAM_OK);
    fixture_check_err(&f, auth_session(C(&f), s2.token, &back), KAM_EAUTH, "");
    fixture_check_err(&f, auth_bearer(C(&f), t1.token, &who), KAM_EAUTH, "Authorization");
    fixture_check_err(&f, auth_bearer(C(&f), t2.token, &who), KAM_EAUTH, "Authorization");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM api_tokens WHERE revoked_at = 1700000000"),
                 2);
    /* audited with the change, by the user */
    CHECK_EQ_INT(
        fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'user' AND action = 'update' "
                        "AND changes LIKE '%\"password\"%' AND changes LIKE "
                        "'%\"tokens_revoked\":[0,2]%' AND changes LIKE "
                        "'%\"sessions_ended\":[0,1]%'"),
        1);
    /* a reset by someone else ends every session */
    user_set_hash_override(fixture_cheap_hash());
    fixture_as(&f, 0, ROLE_ADMIN);
    CHECK_EQ_INT(patch(&f, u, USR_PASSWORD, NULL, "reset-by-admin-9"), KAM_OK);
    fixture_check_err(&f, auth_session(C(&f), s1.token, &back), KAM_EAUTH, "");
    fixture_close(&f);
}

/* ---- the throttle ---- */

static enum kam_err try_login(struct fixture *f, const char *login, const char *pw,
                              const char *addr, int64_t *retry)
{
    struct session s;
    enum kam_err rc = auth_login(C(f), login, pw, addr, 600, &s);
    if (retry)
        *retry = s.retry_after;
    return rc;
}

TEST(backoff_per_login_and_address_grows)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    fixture_add_user(&f, "li.na", "account_manager", 0);
    int64_t retry = 0;
    for (int i = 0; i < AUTH_PAIR_FREE; i++)
        CHECK_EQ_INT(try_login(&f, "li.na", "wrong-password", "10.6.6.6", NULL), KAM_EAUTH);
    /* the attacker's address is refused, even with the right password, for 60 s ... */
    CHECK_EQ_INT(try_login(&f, "li.na", FIXTURE_PW, "10.6.6.6", &retry), KAM_ELIMIT);
    CHECK_EQ_STR(f.e.field, "login");
    CHECK_EQ_INT(retry, 60);
    /* ... while the user at another address is not locked out */
    CHECK_EQ_INT(try_login(&f, "li.na", FIXTURE_PW, "10.1.1.1", NULL), KAM_OK);
    f.ctx.now = NOW + 59;
    CHECK_EQ_INT(try_login(&f, "li.na", FIXTURE_PW, "10.6.6.6", &retry), KAM_ELIMIT);
    CHECK_EQ_INT(retry, 1);
    /* one attempt per delay, the delay doubling up to 15 minutes */
    int64_t t = NOW + 60, want[] = {120, 240, 480, 900, 900};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        f.ctx.now = t;
        CHECK_EQ_INT(try_login(&f, "li.na", "wrong-password", "10.6.6.6", NULL), KAM_EAUTH);
        CHECK_EQ_INT(try_login(&f, "li.na", "wrong-password", "10.6.6.6", &retry), KAM_ELIMIT);
        CHECK_EQ_INT(retry, want[i]);
        t += want[i];
    }
    /* the right password after the delay clears the back-off */
    f.ctx.now = t;
    CHECK_EQ_INT(try_login(&f, "li.na", FIXTURE_PW, "10.6.6.6", NULL), KAM_OK);
    for (int i = 0; i < AUTH_PAIR_FREE - 1; i++)
        CHECK_EQ_INT(try_login(&f, "li.na", "wrong-password", "10.6.6.6", NULL), KAM_EAUTH);
    CHECK_EQ_INT(try_login(&f, "li.na", FIXTURE_PW, "10.6.6.6", NULL), KAM_OK);
    /* an idle pair is forgotten */
    for (int i = 0; i < AUTH_PAIR_FREE; i++)
        CHECK_EQ_INT(try_login(&f, "li.na", "wrong-password", "10.6.6.6", NULL), KAM_EAUTH);
    f.ctx.now = t + AUTH_PAIR_FORGET;
    CHECK_EQ_INT(try_login(&f, "li.na", "wrong-password", "10.6.6.6", NULL), KAM_EAUTH);
    fixture_close(&f);
}

TEST(refused_attempts_count_nothing)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    fixture_add_user(&f, "li.na", "viewer", 0);
    for (int i = 0; i < AUTH_PAIR_FREE; i++)
        CHECK_EQ_INT(try_login(&f, "li.na", "wrong-password", "10.6.6.6", NULL), KAM_EAUTH);
    int64_t before = fixture_q64(&f, "SELECT SUM(count) * 1000 + SUM(next_at) FROM login_failures");
    for (int i = 0; i < 30; i++)
        CHECK_EQ_INT(try_login(&f, "li.na", "wrong-password", "10.6.6.6", NULL), KAM_ELIMIT);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT SUM(count) * 1000 + SUM(next_at) FROM login_failures"),
                 before);
    fixture_close(&f);
}

TEST(spraying_is_limited_per_address)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    fixture_add_user(&f, "li.na", "viewer", 0);
    char login[32];
    for (int i = 0; i < AUTH_ADDR_MAX_FAILS; i++) {
        snprintf(login, sizeof login, "ghost%d", i);
        CHECK_EQ_INT(try_login(&f, login, "whatever-pw-1", "10.9.9.9", NULL), KAM_EAUTH);
    }
    int64_t retry = 0;
    CHECK_EQ_INT(try_login(&f, "li.na", FIXTURE_PW, "10.9.9.9", &retry), KAM_ELIMIT);
    CHECK_EQ_INT(retry, AUTH_FAIL_WINDOW);
    CHECK_EQ_INT(try_login(&f, "li.na", FIXTURE_PW, "10.1.1.1", NULL), KAM_OK);
    f.ctx.now = NOW + AUTH_FAIL_WINDOW;
    CHECK_EQ_INT(try_login(&f, "li.na", FIXTURE_PW, "10.9.9.9", NULL), KAM_OK);
    fixture_close(&f);
}

TEST(distributed_guessing_spares_known_addresses)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    fixture_add_user(&f, "li.na", "viewer", 0);
    CHECK_EQ_INT(try_login(&f, "li.na", FIXTURE_PW, "10.1.1.1", NULL), KAM_OK); /* the office */
    char addr[32];
    int n = 0;
    for (int a = 0; n < AUTH_LOGIN_MAX_FAILS_ALL; a++) {
        snprintf(addr, sizeof addr, "192.0.2.%d", a + 1);
        for (int i = 0; i < AUTH_PAIR_FREE && n < AUTH_LOGIN_MAX_FAILS_ALL; i++, n++)
            CHECK_EQ_INT(try_login(&f, "li.na", "guess-password", addr, NULL), KAM_EAUTH);
    }
    /* a fresh address is refused, the office is not */
    CHECK_EQ_INT(try_login(&f, "li.na", FIXTURE_PW, "198.51.100.7", NULL), KAM_ELIMIT);
    CHECK_EQ_INT(try_login(&f, "li.na", FIXTURE_PW, "10.1.1.1", NULL), KAM_OK);
    /* another login is not affected */
    fixture_add_user(&f, "wang.fang", "viewer", 0);
    CHECK_EQ_INT(try_login(&f, "wang.fang", FIXTURE_PW, "198.51.100.7", NULL), KAM_OK);
    fixture_close(&f);
}

TEST(password_change_is_throttled_like_login)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "li.na", "viewer", 0);
    fixture_as(&f, u, ROLE_VIEWER);
    int64_t retry = 0;
    for (int i = 0; i < AUTH_PAIR_FREE; i++)
        fixture_check_err(&f,
                          auth_change_password_from(C(&f), "guess-password", "brand-new-pass-1",
                                                    NULL, "10.6.6.6", &retry),
                          KAM_EINVAL, "old_password");
    fixture_check_err(
        &f,
        auth_change_password_from(C(&f), FIXTURE_PW, "brand-new-pass-1", NULL, "10.6.6.6", &retry),
        KAM_ELIMIT, "old_password");
    CHECK_EQ_INT(retry, 60);
    /* it shares the login's back-off from that address */
    CHECK_EQ_INT(try_login(&f, "li.na", FIXTURE_PW, "10.6.6.6", NULL), KAM_ELIMIT);
    /* from elsewhere the right old password works */
    CHECK_EQ_INT(
        auth_change_password_from(C(&f), FIXTURE_PW, "brand-new-pass-1", NULL, "10.1.1.1", &retry),
        KAM_OK);
    fixture_close(&f);
}

/* ---- parallel attempts: several connections to one SQLite file ---- */

#define RACE_THREADS 8
#define RACE_TRIES 5

struct racer {
    char dsn[256];
    int eauth, elimit, other;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct db *db;
    struct kam_error e = {0};
    if (db_open(r->dsn, &db, &e) != KAM_OK) {
        r->other = RACE_TRIES;
        return NULL;
    }
    struct arena a;
    arena_init(&a);
    struct kam_ctx ctx = {.db = db, .a = &a, .err = &e, .now = NOW};
    ctx.who = (struct principal){0, ROLE_ADMIN, "system"};
    for (int i = 0; i < RACE_TRIES; i++) {
        kam_error_clear(&e);
        struct session s;
        enum kam_err rc = auth_login(&ctx, "li.na", "wrong-password", "10.6.6.6", 600, &s);
        if (rc == KAM_EAUTH)
            r->eauth++;
        else if (rc == KAM_ELIMIT)
            r->elimit++;
        else
            r->other++;
    }
    arena_release(&a);
    db_close(db);
    return NULL;
}

TEST(parallel_attempts_let_through_only_the_allowed_number)
{
    char dir[] = "/tmp/kam-unit-race-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    char dsn[256];
    snprintf(dsn, sizeof dsn, "sqlite:%s/race.db", dir);
    struct fixture f;
    if (!fixture_open(&f, dsn, NOW))
        return;
    fixture_add_user(&f, "li.na", "viewer", 0);
    struct racer r[RACE_THREADS];
    pthread_t th[RACE_THREADS];
    memset(r, 0, sizeof r);
    for (int i = 0; i < RACE_THREADS; i++) {
        snprintf(r[i].dsn, sizeof r[i].dsn, "%s", dsn);
        pthread_create(&th[i], NULL, race, &r[i]);
    }
    int eauth = 0, elimit = 0, other = 0;
    for (int i = 0; i < RACE_THREADS; i++) {
        pthread_join(th[i], NULL);
        eauth += r[i].eauth;
        elimit += r[i].elimit;
        other += r[i].other;
    }
    CHECK_EQ_INT(eauth, AUTH_PAIR_FREE);
    CHECK_EQ_INT(elimit, RACE_THREADS * RACE_TRIES - AUTH_PAIR_FREE);
    CHECK_EQ_INT(other, 0);
    fixture_close(&f);
    char path[300];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/race.db%s", dir, suffix[i]);
        unlink(path);
    }
    rmdir(dir);
}
