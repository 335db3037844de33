/* test_disputes.c -- disputes and lessons (svc/contracts/dispute.c, lesson.c): the limitation
 * date (arose + 3 years, 29 Feb -> 28 Feb), the reporting line (the team's manager; up the tree
 * for a manager of their own team; none without a team), the ladder's forbidden moves leaving
 * the rows as they were, the reminders (the limitation date within 90 then 30 days, a stage
 * deadline within 14 then 3 days; the owner and every enabled legal user told once per
 * deadline and threshold, as the clock moves), and a lesson found through the search index by a
 * Chinese and an English word. Every test name starts with "disputes_". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "svc/contracts/dispute.h"
#include "svc/contracts/lesson.h"
#include "svc/relationships/account.h"
#include "test.h"

#define NOW 1796558400LL /* 2026-12-06T12:00:00Z, 20:00 in China: today 2026-12-06 */
#define DAY 86400LL

TEST(disputes_limitation)
{
    static const char *const cases[][2] = {
        {"2024-02-29", "2027-02-28"}, /* no 29 Feb three years on */
        {"2025-02-28", "2028-02-28"},
        {"2025-03-01", "2028-03-01"},
        {"2025-12-31", "2028-12-31"},
        {"2028-02-29", "2031-02-28"},
        {"2021-02-28", "2024-02-28"},
        {"2026-02-30", ""},
        {"x", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[11];
        dispute_limitation(cases[i][0], out);
        CHECK_EQ_STR(out, cases[i][1]);
    }
}

static int64_t q(struct fixture *f, const char *fmt, long long a, long long b)
{
    char sql[400];
    snprintf(sql, sizeof sql, fmt, a, b);
    return fixture_q64(f, sql);
}

TEST(disputes_reporting_line)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t top = fixture_q64(&f, "INSERT INTO teams (name, created_at, updated_at) VALUES "
                                  "('Sales', 0, 0) RETURNING id");
    int64_t east = q(&f,
                     "INSERT INTO teams (name, parent_id, created_at, updated_at) VALUES ('East', "
                     "%lld, 0, 0) RETURNING id",
                     top, 0);
    int64_t boss = fixture_add_user(&f, "boss", "director", top);
    int64_t lead = fixture_add_user(&f, "lead", "team_lead", east);
    int64_t am = fixture_add_user(&f, "am", "account_manager", east);
    int64_t loner = fixture_add_user(&f, "loner", "legal", 0);
    CHECK(q(&f, "UPDATE teams SET manager_id = %lld WHERE id = %lld RETURNING id", boss, top) > 0);
    CHECK(q(&f, "UPDATE teams SET manager_id = %lld WHERE id = %lld RETURNING id", lead, east) > 0);
    struct kam_ctx *ctx = fixture_ctx(&f);
    int64_t m = 0;
    int found = 0;
    CHECK_EQ_INT(dispute_reporting_line(ctx, am, &m, &found), KAM_OK);
    CHECK(found && m == lead);
    /* the lead manages their own team: the manager above */
    CHECK_EQ_INT(dispute_reporting_line(ctx, lead, &m, &found), KAM_OK);
    CHECK(found && m == boss);
    /* the top manager: nobody above */
    CHECK_EQ_INT(dispute_reporting_line(ctx, boss, &m, &found), KAM_OK);
    CHECK(!found && m == 0);
    CHECK_EQ_INT(dispute_reporting_line(ctx, loner, &m, &found), KAM_OK);
    CHECK(!found);
    /* a team without a manager: up to the next one that has one */
    CHECK(q(&f, "UPDATE teams SET manager_id = NULL WHERE id = %lld RETURNING id", east, 0) > 0);
    CHECK_EQ_INT(dispute_reporting_line(ctx, am, &m, &found), KAM_OK);
    CHECK(found && m == boss);
    fixture_close(&f);
}

struct dw {
    struct fixture f;
    int64_t owner, legal, legal_off, acc;
};

static int dw_open(struct dw *w, const char *dsn)
{
    memset(w, 0, sizeof *w);
    if (!fixture_open(&w->f, dsn, NOW))
        return 0;
    w->owner = fixture_add_user(&w->f, "am", "account_manager", 0);
    w->legal = fixture_add_user(&w->f, "legal", "legal", 0);
    w->legal_off = fixture_add_user(&w->f, "legal2", "legal", 0);
    int ok =
        w->owner > 0 && w->legal > 0 && w->legal_off > 0 &&
        q(&w->f, "UPDATE users SET disabled = 1 WHERE id = %lld RETURNING id", w->legal_off, 0) > 0;
    struct account_in ai = {.set = ACC_CODE | ACC_NAME | ACC_OWNER};
    ai.v.code = "D1";
    ai.v.name = "争议客户";
    ai.v.owner_id = w->owner;
    struct account a;
    ok = ok && !account_create(fixture_ctx(&w->f), &ai, &a);
    w->acc = ok ? a.id : 0;
    return fixture_setup_end(&w->f, ok);
}

static int64_t new_dispute(struct dw *w, const char *arose)
{
    struct dispute_in in = {.set = DI_ACCOUNT | DI_TITLE | DI_CURRENCY | DI_AROSE};
    in.v.account_id = w->acc;
    in.v.title = "货款纠纷";
    in.v.currency = "CNY";
    in.v.arose_on = arose;
    struct dispute d;
    enum kam_err rc = dispute_create(fixture_ctx(&w->f), &in, &d);
    CHECK_EQ_INT(rc, KAM_OK);
    return rc ? 0 : d.id;
}

static int64_t notes(struct dw *w, int64_t user)
{
    return q(&w->f, "SELECT COUNT(*) FROM notifications WHERE user_id = %lld AND kind = 'dispute'",
             user, 0);
}

static void reminders_once(const char *dsn)
{
    struct dw w;
    if (!dw_open(&w, dsn))
        return;
    struct fixture *f = &w.f;
    /* limitation 2027-01-25: 50 days ahead -> the 90-day reminder */
    int64_t d1 = new_dispute(&w, "2024-01-25");
    /* limitation far away; a mediation deadline 10 days ahead -> the 14-day reminder */
    int64_t d2 = new_dispute(&w, "2026-11-01");
    /* at arbitration the limitation no longer matters (the claim is filed) */
    int64_t d3 = new_dispute(&w, "2024-01-20");
    struct dispute out;
    struct dispute_stage_in es = {.set = DS_STAGE | DS_DEADLINE};
    es.v.stage = "mediation";
    es.v.deadline_on = "2026-12-16";
    CHECK_EQ_INT(dispute_escalate(fixture_ctx(f), d2, &es, &out), KAM_OK);
    struct dispute_stage_in e3 = {.set = DS_STAGE};
    e3.v.stage = "mediation";
    CHECK_EQ_INT(dispute_escalate(fixture_ctx(f), d3, &e3, &out), KAM_OK);
    e3.v.stage = "arbitration";
    CHECK_EQ_INT(dispute_escalate(fixture_ctx(f), d3, &e3, &out), KAM_OK);
    int n = 0;
    CHECK_EQ_INT(dispute_job(fixture_ctx(f), &n), KAM_OK);
    CHECK_EQ_INT(n, 4); /* two reminders x (owner, the enabled legal user) */
    CHECK_EQ_INT(notes(&w, w.owner), 2);
    CHECK_EQ_INT(notes(&w, w.legal), 2);
    CHECK_EQ_INT(notes(&w, w.legal_off), 0);
    CHECK_EQ_INT(
        q(f,
          "SELECT COUNT(*) FROM notifications WHERE user_id = %lld AND msg_key = "
          "'dispute.limitation_near' AND dedup_key LIKE 'dispute:%lld:limitation:2027-01-25:90:%%'",
          w.legal, d1),
        1);
    /* again the same day: nothing new */
    CHECK_EQ_INT(dispute_job(fixture_ctx(f), &n), KAM_OK);
    CHECK_EQ_INT(n, 0);
    /* 4 days later: the deadline is 6 days ahead (still the 14-day one), nothing new */
    f->ctx.now = NOW + 4 * DAY;
    CHECK_EQ_INT(dispute_job(fixture_ctx(f), &n), KAM_OK);
    CHECK_EQ_INT(n, 0);
    /* 8 days later: the deadline 2 days ahead -> the 3-day reminder, once */
    f->ctx.now = NOW + 8 * DAY;
    CHECK_EQ_INT(dispute_job(fixture_ctx(f), &n), KAM_OK);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(dispute_job(fixture_ctx(f), &n), KAM_OK);
    CHECK_EQ_INT(n, 0);
    /* 21 days later the limitation is 29 days ahead -> the 30-day reminder; the deadline past */
    f->ctx.now = NOW + 21 * DAY;
    CHECK_EQ_INT(dispute_job(fixture_ctx(f), &n), KAM_OK);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(notes(&w, w.owner), 4);
    /* a closed dispute is not reminded of */
    struct dispute_close_in ci = {.set = DC_OUTCOME, .outcome = "withdrawn"};
    CHECK_EQ_INT(dispute_close(fixture_ctx(f), d1, &ci, &out), KAM_OK);
    f->ctx.now = NOW + 40 * DAY; /* past the limitation date: nothing either */
    CHECK_EQ_INT(dispute_job(fixture_ctx(f), &n), KAM_OK);
    CHECK_EQ_INT(n, 0);
    fixture_close(f);
}

/* The row of a dispute and its stages as one number each: what a refused move must not change. */
static void snapshot(struct dw *w, int64_t d, int64_t out[4])
{
    out[0] = q(&w->f, "SELECT version FROM disputes WHERE id = %lld", d, 0);
    out[1] = q(&w->f, "SELECT COUNT(*) FROM dispute_stages WHERE dispute_id = %lld", d, 0);
    out[2] =
        q(&w->f, "SELECT COUNT(*) FROM dispute_stages WHERE dispute_id = %lld AND ended_on IS NULL",
          d, 0);
    out[3] = fixture_q64(&w->f, "SELECT COUNT(*) FROM audit");
}

TEST(disputes_forbidden_moves)
{
    struct dw w;
    if (!dw_open(&w, FIXTURE_MEMORY))
        return;
    struct fixture *f = &w.f;
    int64_t d = new_dispute(&w, "2026-10-01");
    struct dispute out;
    int64_t before[4], after[4];
    static const char *const bad[] = {"arbitration", "litigation", "negotiation", "closed"};
    for (size_t i = 0; i < 4; i++) {
        struct dispute_stage_in in = {.set = DS_STAGE};
        in.v.stage = bad[i];
        snapshot(&w, d, before);
        fixture_check_err(f, dispute_escalate(fixture_ctx(f), d, &in, &out), KAM_ECONFLICT,
                          "stage");
        snapshot(&w, d, after);
        CHECK(!memcmp(before, after, sizeof before));
    }
    struct dispute_close_in won = {.set = DC_OUTCOME, .outcome = "won"};
    fixture_check_err(f, dispute_close(fixture_ctx(f), d, &won, &out), KAM_ECONFLICT, "stage");
    CHECK_EQ_STR(f->e.key, "dispute.outcome_needs_decision");
    struct dispute_close_in settled = {
        .set = DC_OUTCOME | DC_SETTLED, .outcome = "settled", .settled_amount = 100};
    CHECK_EQ_INT(dispute_close(fixture_ctx(f), d, &settled, &out), KAM_OK);
    CHECK_EQ_STR(out.stage, "closed");
    CHECK(out.has_settled && out.settled_amount == 100);
    snapshot(&w, d, before);
    CHECK_EQ_INT(before[2], 0); /* the negotiation ended when it closed */
    fixture_check_err(f, dispute_close(fixture_ctx(f), d, &settled, &out), KAM_ECONFLICT, "stage");
    CHECK_EQ_STR(f->e.key, "dispute.already_closed");
    struct dispute_stage_in med = {.set = DS_STAGE};
    med.v.stage = "mediation";
    fixture_check_err(f, dispute_escalate(fixture_ctx(f), d, &med, &out), KAM_ECONFLICT, "stage");
    CHECK_EQ_STR(f->e.key, "dispute.escalate_closed");
    snapshot(&w, d, after);
    CHECK(!memcmp(before, after, sizeof before));
    fixture_close(f);
}

static void lesson_search(const char *dsn)
{
    struct dw w;
    if (!dw_open(&w, dsn))
        return;
    struct fixture *f = &w.f;
    struct lesson_in in = {.set = LE_TITLE | LE_WHAT | LE_ACCOUNT};
    in.v.title = "模具报价失误";
    in.v.what_happened = "漏算了模具摊销; the forwarder was late";
    in.v.account_id = w.acc;
    in.v.has_account = 1;
    struct lesson l;
    CHECK_EQ_INT(lesson_create(fixture_ctx(f), &in, &l), KAM_OK);
    const char *hits[] = {"摊销", "攤銷", "FORWARDER", "模具报价"};
    for (size_t i = 0; i < 4; i++) {
        struct lesson_query lq = {.q = hits[i]};
        struct lesson *items;
        size_t n;
        const char *next;
        CHECK_EQ_INT(lesson_list(fixture_ctx(f), &lq, &items, &n, &next), KAM_OK);
        CHECK(n == 1 && items[0].id == l.id);
    }
    struct lesson_query miss = {.q = "交期"};
    struct lesson *items;
    size_t n = 9;
    const char *next;
    CHECK_EQ_INT(lesson_list(fixture_ctx(f), &miss, &items, &n, &next), KAM_OK);
    CHECK_EQ_INT(n, 0);
    fixture_close(f);
}

TEST(disputes_reminders_once)
{
    reminders_once(FIXTURE_MEMORY);
}

TEST(disputes_lesson_search)
{
    lesson_search(FIXTURE_MEMORY);
}

/* ---- PostgreSQL (skipped without KAM_TEST_PG_DSN) ---- */

static int pg_db(char *dsn, size_t cap, const char *suffix)
{
    const char *base = getenv("KAM_TEST_PG_DSN");
    const char *slash = base ? strrchr(base, '/') : NULL;
    if (!base || !*base || !slash)
        return 0;
    char name[64], sql[160];
    snprintf(name, sizeof name, "kam_dispute_%s_%ld", suffix, (long)getpid());
    snprintf(dsn, cap, "%.*s/%s", (int)(slash - base), base, name);
    struct db *adm;
    struct kam_error e = {0};
    if (db_open_raw(base, &adm, &e))
        return 0;
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
    int ok = !db_exec(adm, sql, &e);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    ok = ok && !db_exec(adm, sql, &e);
    db_close(adm);
    return ok;
}

TEST(disputes_reminders_and_search_postgres)
{
    char dsn[512];
    if (!pg_db(dsn, sizeof dsn, "rem")) {
        fprintf(stderr, "  (skipped: KAM_TEST_PG_DSN not set)\n");
        return;
    }
    reminders_once(dsn);
    if (!pg_db(dsn, sizeof dsn, "search"))
        return;
    lesson_search(dsn);
}
