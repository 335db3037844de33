/* test_risk.c -- the risk register and compliance (svc/risk/risk.c, gift.c): score and level
 * boundaries, the rule that applies to a gift (recipient role over 'any', kind over 'any',
 * inactive rules skipped, the lowest id among equals), the status rule, and on a database the
 * boundaries at the rule's maximum and at the budget, a breach raising its risk once, and
 * risk_raise returning the existing risk for the same source. */
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "svc/relationships/account.h"
#include "svc/risk/gift.h"
#include "svc/risk/risk.h"
#include "test.h"

#define NOW 1780000000 /* 2026-05-29 in China */

TEST(risk_score_and_level)
{
    CHECK_EQ_INT(risk_score(4, 5), 20);
    CHECK_EQ_STR(risk_level(risk_score(1, 1)), "low");
    CHECK_EQ_STR(risk_level(risk_score(2, 2)), "low");      /* 4: the top of low */
    CHECK_EQ_STR(risk_level(risk_score(5, 1)), "medium");   /* 5 */
    CHECK_EQ_STR(risk_level(risk_score(3, 3)), "medium");   /* 9 */
    CHECK_EQ_STR(risk_level(risk_score(2, 5)), "high");     /* 10 */
    CHECK_EQ_STR(risk_level(risk_score(4, 4)), "high");     /* 16 */
    CHECK_EQ_STR(risk_level(risk_score(4, 5)), "critical"); /* 20 */
    CHECK_EQ_STR(risk_level(risk_score(5, 5)), "critical");
}

TEST(gift_rule_matching)
{
    struct gift_rule r[] = {
        {.id = 1, .kind = "any", .recipient_role = "any", .active = 1},
        {.id = 2, .kind = "gift", .recipient_role = "any", .active = 1},
        {.id = 3, .kind = "any", .recipient_role = "gatekeeper", .active = 1},
        {.id = 4, .kind = "hospitality", .recipient_role = "gatekeeper", .active = 1},
        {.id = 5, .kind = "hospitality", .recipient_role = "champion", .active = 0},
        {.id = 6, .kind = "gift", .recipient_role = "any", .active = 1},
    };
    size_t n = sizeof r / sizeof r[0];
    /* role match (2) over kind match (1) */
    CHECK_EQ_INT(r[gift_rule_pick(r, n, "gift", "gatekeeper")].id, 3);
    /* both */
    CHECK_EQ_INT(r[gift_rule_pick(r, n, "hospitality", "gatekeeper")].id, 4);
    /* kind only; two equal (2, 6): the lowest id */
    CHECK_EQ_INT(r[gift_rule_pick(r, n, "gift", "champion")].id, 2);
    /* inactive skipped: champion hospitality falls back to any/any */
    CHECK_EQ_INT(r[gift_rule_pick(r, n, "hospitality", "champion")].id, 1);
    /* no contact: only 'any' recipients */
    CHECK_EQ_INT(r[gift_rule_pick(r, n, "gift", "")].id, 2);
    CHECK_EQ_INT(gift_rule_pick(r + 3, 3, "gift", "champion"), 2);  /* r[5] (id 6) of the slice */
    CHECK_EQ_INT(gift_rule_pick(r + 3, 2, "gift", "champion"), -1); /* none applies */
}

TEST(gift_status_rule)
{
    CHECK_EQ_STR(gift_status_of(0, 0, 0, 1), "recorded");
    CHECK_EQ_STR(gift_status_of(0, 1, 0, 0), "pending");
    CHECK_EQ_STR(gift_status_of(0, 1, 0, 1), "breach"); /* given before approval */
    CHECK_EQ_STR(gift_status_of(0, 0, 1, 0), "breach"); /* over the budget */
    CHECK_EQ_STR(gift_status_of(1, 0, 0, 0), "breach"); /* forbidden */
}

struct gworld {
    struct fixture f;
    int64_t account, owner, contact;
};

static int gworld_open(struct gworld *w)
{
    memset(w, 0, sizeof *w);
    if (!fixture_open(&w->f, FIXTURE_MEMORY, NOW))
        return 0;
    w->owner = fixture_add_user(&w->f, "am", "account_manager", 0);
    struct account_in ai = {.set = ACC_CODE | ACC_NAME | ACC_OWNER};
    ai.v.code = "G1";
    ai.v.name = "G1";
    ai.v.owner_id = w->owner;
    struct account acc;
    int ok = w->owner && !account_create(fixture_ctx(&w->f), &ai, &acc);
    w->account = ok ? acc.id : 0;
    char sql[300];
    snprintf(
        sql, sizeof sql,
        "INSERT INTO contacts (account_id, name, decision_role, influence, attitude, created_at, "
        "updated_at) "
        "VALUES (%lld, 'C', 'champion', 3, 3, 1, 1)",
        (long long)w->account);
    ok = ok && !db_exec(w->f.db, sql, &w->f.e);
    w->contact = fixture_q64(&w->f, "SELECT MAX(id) FROM contacts");
    struct gift_rule_in ri = {.set = GR_NAME | GR_KIND | GR_ROLE | GR_MAX | GR_CURRENCY};
    ri.v.name = "R";
    ri.v.kind = "gift";
    ri.v.recipient_role = "champion";
    ri.v.max_value = 50000;
    ri.v.currency = "CNY";
    struct gift_rule rule;
    ok = ok && !gift_rule_create(fixture_ctx(&w->f), &ri, &rule);
    struct gift_budget b;
    ok = ok && !gift_budget_set(fixture_ctx(&w->f), w->account, 2026, 120000, "CNY", &b);
    return fixture_setup_end(&w->f, ok);
}

static const char *give(struct gworld *w, int64_t value, const char *day, struct gift *out)
{
    struct gift_in in = {.set = GF_ACCOUNT | GF_CONTACT | GF_KIND | GF_DESC | GF_VALUE |
                                GF_CURRENCY | GF_GIVEN_ON};
    in.v.account_id = w->account;
    in.v.contact_id = w->contact;
    in.v.has_contact = 1;
    in.v.kind = "gift";
    in.v.description = "茶叶";
    in.v.value = value;
    in.v.currency = "CNY";
    in.v.given_on = day;
    if (gift_create(fixture_ctx(&w->f), &in, out)) {
        fprintf(stderr, "  gift_create: %s\n", w->f.e.msg);
        return "error";
    }
    return out->status;
}

TEST(gift_boundaries_on_a_database)
{
    struct gworld w;
    if (!gworld_open(&w))
        return;
    struct gift g;
    /* budget 1,200.00; the rule 500.00. At the maximum: recorded */
    CHECK_EQ_STR(give(&w, 50000, "2026-05-28", &g), "recorded");
    CHECK(!g.has_risk);
    /* one more, planned: pending (used 1,000.01 of 1,200.00) */
    CHECK_EQ_STR(give(&w, 50001, "2026-06-10", &g), "pending");
    /* rejected before it was given: rejected, and it no longer counts */
    CHECK(!gift_decide(fixture_ctx(&w.f), g.id, "reject", "", &g));
    CHECK_EQ_STR(g.status, "rejected");
    CHECK(!g.has_risk);
    /* 500.00 + 500.00 + 200.00 = the budget exactly: within */
    CHECK_EQ_STR(give(&w, 50000, "2026-05-28", &g), "recorded");
    CHECK_EQ_STR(give(&w, 20000, "2026-05-28", &g), "recorded");
    CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM risks"), 0);
    /* 0.01 more: over the budget, a breach with its risk */
    CHECK_EQ_STR(give(&w, 1, "2026-05-28", &g), "breach");
    CHECK(g.has_risk);
    /* over the rule and already given: a breach */
    CHECK_EQ_STR(give(&w, 50001, "2026-05-27", &g), "breach");
    CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM risks WHERE source = 'gift' AND "
                                   "category = 'compliance'"),
                 2);
    struct gift_budget b;
    CHECK(!gift_budget_get(fixture_ctx(&w.f), w.account, 2026, &b));
    CHECK_EQ_INT(b.amount_base, 120000);
    CHECK_EQ_INT(b.used_base, 170002);
    CHECK_EQ_INT(b.remaining_base, -50002);
    CHECK_EQ_INT(b.gifts, 5);
    fixture_close(&w.f);
}

TEST(risk_raise_once_per_source)
{
    struct gworld w;
    if (!gworld_open(&w))
        return;
    struct risk_raise_in in = {.account_id = w.account,
                               .category = "credit",
                               .title = "逾期",
                               .likelihood = 4,
                               .impact = 3,
                               .source = "alert",
                               .source_id = 77};
    int64_t id1 = 0, id2 = 0;
    int c1 = 0, c2 = 0;
    CHECK(!risk_raise(fixture_ctx(&w.f), &in, &id1, &c1));
    CHECK(!risk_raise(fixture_ctx(&w.f), &in, &id2, &c2));
    CHECK(id1 > 0 && id1 == id2);
    CHECK_EQ_INT(c1, 1);
    CHECK_EQ_INT(c2, 0);
    struct risk r;
    CHECK(!risk_get(fixture_ctx(&w.f), id1, &r));
    CHECK_EQ_INT(r.owner_id, w.owner); /* the account's owner */
    CHECK_EQ_STR(r.source, "alert");
    CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM audit WHERE entity = 'risk'"), 1);
    /* a manual source is refused */
    in.source = "manual";
    CHECK(risk_raise(fixture_ctx(&w.f), &in, &id1, &c1) == KAM_EINVAL);
    fixture_close(&w.f);
}

TEST(risk_review_due_once)
{
    struct gworld w;
    if (!gworld_open(&w))
        return;
    struct risk_in in = {.set = RK_ACCOUNT | RK_CATEGORY | RK_TITLE | RK_LIKELIHOOD | RK_IMPACT |
                                RK_REVIEW};
    in.v.account_id = w.account;
    in.v.category = "other";
    in.v.title = "复核";
    in.v.likelihood = 2;
    in.v.impact = 2;
    in.v.review_on = "2026-05-28"; /* yesterday */
    struct risk r;
    CHECK(!risk_create(fixture_ctx(&w.f), &in, &r));
    in.v.review_on = "2026-05-29"; /* today: not overdue */
    CHECK(!risk_create(fixture_ctx(&w.f), &in, &r));
    int n = 0;
    CHECK(!risks_review_due(fixture_ctx(&w.f), &n));
    CHECK_EQ_INT(n, 1);
    CHECK(!risks_review_due(fixture_ctx(&w.f), &n));
    CHECK_EQ_INT(n, 0);
    fixture_close(&w.f);
}
