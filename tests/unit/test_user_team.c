/* test_user_team.c -- user_create_in_team (what `kam user add --team` does): the team is made
 * when missing, found when it exists, and a refused user leaves no new team behind. */
#include "fixture.h"
#include "svc/core/user.h"
#include "test.h"

static struct user_in person(const char *login, const char *role)
{
    struct user_in in = {.set = USR_LOGIN | USR_ROLE | USR_PASSWORD};
    in.v.login = login;
    in.v.role = role;
    in.password = FIXTURE_PW;
    return in;
}

TEST(user_create_in_team_makes_finds_and_rolls_back)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, 1700000000))
        return;
    struct user a, b, c;
    struct user_in in = person("li.na", "account_manager");
    CHECK_EQ_INT(user_create_in_team(fixture_ctx(&f), &in, "East KA", &a), KAM_OK);
    CHECK(a.has_team);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM teams WHERE name = 'East KA'"), 1);
    in = person("wang.wei", "team_lead");
    CHECK_EQ_INT(user_create_in_team(fixture_ctx(&f), &in, "East KA", &b), KAM_OK);
    CHECK(b.has_team && b.team_id == a.team_id); /* the same team, not a second one */
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM teams WHERE name = 'East KA'"), 1);
    /* A refused user (unknown role): neither the user nor the new team stays. */
    in = person("zhao.lei", "emperor");
    fixture_check_err(&f, user_create_in_team(fixture_ctx(&f), &in, "West KA", &c), KAM_EINVAL,
                      "role");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM teams WHERE name = 'West KA'"), 0);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM users WHERE login = 'zhao.lei'"), 0);
    /* No team named: none given. */
    in = person("chen.jie", "viewer");
    CHECK_EQ_INT(user_create_in_team(fixture_ctx(&f), &in, NULL, &c), KAM_OK);
    CHECK(!c.has_team);
    fixture_close(&f);
}
