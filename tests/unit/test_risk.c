/* test_risk.c -- the risk register and compliance (svc/risk/risk.c, gift.c): score and level
 * boundaries, the rule that applies to a gift (recipient role over 'any', kind over 'any',
 * inactive rules skipped, the lowest id among equals), the status rule, and on a database the
 * boundaries at the rule's maximum and at the budget, a breach raising its risk once, and
 * risk_raise returning the existing risk for the same source. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/timeutil.h"
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

static int gworld_open_on(struct gworld *w, const char *dsn)
{
    memset(w, 0, sizeof *w);
    if (!fixture_open(&w->f, dsn, NOW))
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

static int gworld_open(struct gworld *w)
{
    return gworld_open_on(w, FIXTURE_MEMORY);
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

/* A PATCH that does not touch what the judgment reads keeps the judgment: a rule changed since
 * does not judge an old gift again; a new value is judged. */
TEST(gift_edit_keeps_its_judgment)
{
    struct gworld w;
    if (!gworld_open(&w))
        return;
    struct gift g;
    CHECK_EQ_STR(give(&w, 50000, "2026-05-28", &g), "recorded"); /* at the rule's maximum */
    int64_t rule = fixture_q64(&w.f, "SELECT MIN(id) FROM gift_rules");
    struct gift_rule_in ri = {.set = GR_MAX};
    ri.v.max_value = 100; /* the rule tightened since */
    struct gift_rule r;
    CHECK(!gift_rule_update(fixture_ctx(&w.f), rule, &ri, &r));
    struct gift_in in = {.set = GF_DESC};
    in.v.description = "茶叶（两盒）";
    CHECK(!gift_update(fixture_ctx(&w.f), g.id, &in, &g));
    CHECK_EQ_STR(g.status, "recorded");
    CHECK_EQ_STR(g.description, "茶叶（两盒）");
    CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM risks"), 0);
    /* a new value is judged by the rule in force: over it and already given -> a breach */
    in.set = GF_VALUE;
    in.v.value = 40000;
    CHECK(!gift_update(fixture_ctx(&w.f), g.id, &in, &g));
    CHECK_EQ_STR(g.status, "breach");
    fixture_close(&w.f);
}

/* A pending gift whose day comes undecided: a decision is 409, the scheduler's pass makes it a
 * breach with its risk; the day before, it can still be decided. */
TEST(gift_lapses_on_its_day)
{
    struct gworld w;
    if (!gworld_open(&w))
        return;
    struct gift g, h, x;
    CHECK_EQ_STR(give(&w, 50001, "2026-06-10", &g), "pending");
    CHECK_EQ_STR(give(&w, 50001, "2026-06-10", &h), "pending");
    /* 2026-06-09 in China: the day before -- decided, and the pass leaves the other alone */
    w.f.ctx.now = (int64_t)date_to_days(2026, 6, 9) * 86400 + 3600;
    CHECK(!gift_decide(fixture_ctx(&w.f), h.id, "approve", "", &x));
    CHECK_EQ_STR(x.status, "approved");
    int n = 0;
    CHECK(!gifts_lapse_due(fixture_ctx(&w.f), &n));
    CHECK_EQ_INT(n, 0);
    /* 2026-06-10 00:30 in China (16:30 UTC the day before): its day */
    w.f.ctx.now = (int64_t)date_to_days(2026, 6, 9) * 86400 + 16 * 3600 + 1800;
    fixture_check_err(&w.f, gift_decide(fixture_ctx(&w.f), g.id, "reject", "", &x), KAM_ECONFLICT,
                      "status");
    CHECK_EQ_STR(w.f.e.key, "gift.lapsed");
    CHECK(!risks_review_due(fixture_ctx(&w.f), &n));
    CHECK(!gift_get(fixture_ctx(&w.f), g.id, &x));
    CHECK_EQ_STR(x.status, "breach");
    CHECK(x.has_risk);
    CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM audit WHERE entity = 'gift' AND action = "
                                   "'lapse' AND user_id IS NULL"),
                 1);
    /* once */
    CHECK(!gifts_lapse_due(fixture_ctx(&w.f), &n));
    CHECK_EQ_INT(n, 0);
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

/* ---- PostgreSQL: two transactions at once (skipped without KAM_TEST_PG_DSN) ---- */

/* The second transaction: runs on its own connection in a thread. */
struct racer {
    struct fixture f;
    struct gworld *w;
    int what; /* 0 risk_raise, 1 a gift of 700.00 without a contact */
    enum kam_err rc;
    int64_t id;
    int created;
    char status[16];
};

static const struct risk_raise_in race_risk = {.category = "credit",
                                               .title = "同时",
                                               .likelihood = 2,
                                               .impact = 2,
                                               .source = "alert",
                                               .source_id = 91};

static enum kam_err race_gift(struct kam_ctx *ctx, int64_t account, struct gift *out)
{
    struct gift_in in = {.set =
                             GF_ACCOUNT | GF_KIND | GF_DESC | GF_VALUE | GF_CURRENCY | GF_GIVEN_ON};
    in.v.account_id = account;
    in.v.kind = "gift";
    in.v.description = "同时送";
    in.v.value = 70000;
    in.v.currency = "CNY";
    in.v.given_on = "2026-05-28";
    return gift_create(ctx, &in, out);
}

static void *racer_run(void *arg)
{
    struct racer *r = arg;
    struct kam_ctx *ctx = fixture_ctx(&r->f);
    if (r->what == 0) {
        struct risk_raise_in in = race_risk;
        in.account_id = r->w->account;
        r->rc = risk_raise(ctx, &in, &r->id, &r->created);
    } else {
        struct gift g;
        r->rc = race_gift(ctx, r->w->account, &g);
        if (!r->rc)
            snprintf(r->status, sizeof r->status, "%s", g.status);
    }
    return NULL;
}

/* The first transaction holds its write open while the second runs into it; then commits. */
static void race(const char *dsn, int what, struct gworld *w, struct racer *r)
{
    memset(r, 0, sizeof *r);
    r->w = w;
    r->what = what;
    if (!fixture_open(&r->f, dsn, NOW))
        return;
    struct kam_ctx *a = fixture_ctx(&w->f);
    CHECK(!db_begin(w->f.db, &w->f.e));
    if (what == 0) {
        struct risk_raise_in in = race_risk;
        in.account_id = w->account;
        int64_t id = 0;
        int created = 0;
        CHECK(!risk_raise(a, &in, &id, &created));
        CHECK_EQ_INT(created, 1);
    } else {
        struct gift g;
        CHECK(!race_gift(a, w->account, &g));
        CHECK_EQ_STR(g.status, "recorded");
    }
    pthread_t th;
    int started = pthread_create(&th, NULL, racer_run, r) == 0;
    CHECK(started);
    int waited = started && fixture_pg_lock_wait(dsn);
    CHECK(!db_end(w->f.db, KAM_OK, &w->f.e));
    if (started)
        pthread_join(th, NULL);
    CHECK(waited); /* the second transaction waited for the first */
    fixture_close(&r->f);
}

/* risk_raise of one source by two transactions at once: the second gets the first's risk. */
TEST(risk_raise_race_postgres)
{
    char dsn[512], name[64];
    if (!fixture_pg_fresh("kam_risk", dsn, sizeof dsn, name, sizeof name))
        return;
    struct gworld w;
    if (gworld_open_on(&w, dsn)) {
        struct racer r;
        race(dsn, 0, &w, &r);
        if (r.rc)
            fprintf(stderr, "  second risk_raise: %s (%s)\n", r.f.e.msg, r.f.e.field);
        CHECK_EQ_INT(r.rc, KAM_OK);
        CHECK_EQ_INT(r.created, 0);
        CHECK_EQ_INT(r.id, fixture_q64(&w.f, "SELECT MIN(id) FROM risks"));
        CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM risks WHERE source = 'alert' AND "
                                       "source_id = 91"),
                     1);
        CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM audit WHERE entity = 'risk'"), 1);
        fixture_close(&w.f);
    }
    fixture_pg_drop(name);
}

/* Two gifts judged at once against one budget (1,200.00; 700.00 each): the second counts the
 * first and is a breach. */
TEST(gift_budget_race_postgres)
{
    char dsn[512], name[64];
    if (!fixture_pg_fresh("kam_risk", dsn, sizeof dsn, name, sizeof name))
        return;
    struct gworld w;
    if (gworld_open_on(&w, dsn)) {
        struct racer r;
        race(dsn, 1, &w, &r);
        CHECK_EQ_INT(r.rc, KAM_OK);
        CHECK_EQ_STR(r.status, "breach");
        CHECK_EQ_INT(fixture_q64(&w.f, "SELECT COUNT(*) FROM gifts WHERE status = 'breach'"), 1);
        fixture_close(&w.f);
    }
    fixture_pg_drop(name);
}
