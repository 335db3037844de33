/* test_relations.c -- unit tests of the issue-5 services on in-memory SQLite: time parsing,
 * visit generation from cadence rules (idempotent), visit completion, the issue workflow and
 * escalation (exactly once), stale key people, and the iCalendar feed's line folding. */
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "fixture.h"
#include "store/db.h"
#include "svc/core/jobs.h"
#include "svc/core/notify.h"
#include "svc/core/user.h"
#include "svc/relationships/account.h"
#include "svc/relationships/contact.h"
#include "svc/relationships/interaction.h"
#include "svc/relationships/issue.h"
#include "svc/relationships/visit.h"
#include "test.h"

#define NOW 1790000000 /* 2026-09-21T14:13:20Z */
#define DAY 86400

struct fx {
    struct fixture fix;
    int64_t lead, am, team, account, boss, engineer;
};

static struct kam_ctx *C(struct fx *f)
{
    return fixture_ctx(&f->fix);
}

static int64_t count(struct fx *f, const char *sql)
{
    int64_t n = -1;
    if (db_query_i64(f->fix.db, sql, 0, 0, &n, &f->fix.e))
        return -1;
    return n;
}

/* A team with lead and account manager, one strategic account with a decision maker (never
 * contacted) and an engineer (user role). */
static int fx_open(struct fx *f, const char *tier)
{
    memset(f, 0, sizeof *f);
    if (!fixture_open(&f->fix, FIXTURE_MEMORY, NOW))
        return 0;
    struct team_in ti = {.set = TEAM_NAME};
    ti.v.name = "East";
    struct team t;
    struct user u;
    struct user_in ui = {.set = USR_LOGIN | USR_ROLE | USR_PASSWORD | USR_TEAM,
                         .password = "password-123"};
    ui.v.has_team = 1;
    int ok = !team_create(C(f), &ti, &t);
    f->team = t.id;
    ui.v.team_id = t.id;
    ui.v.login = "lead";
    ui.v.role = "team_lead";
    ok = ok && !user_create(C(f), &ui, &u);
    f->lead = u.id;
    ui.v.login = "am";
    ui.v.role = "account_manager";
    ok = ok && !user_create(C(f), &ui, &u);
    f->am = u.id;
    struct team_in tm = {.set = TEAM_MANAGER};
    tm.v.has_manager = 1;
    tm.v.manager_id = f->lead;
    ok = ok && !team_update(C(f), f->team, &tm, &t);
    struct account_in ai = {.set = ACC_CODE | ACC_NAME | ACC_OWNER | ACC_TIER};
    ai.v.code = "A1";
    ai.v.name = "华东精密";
    ai.v.owner_id = f->am;
    ai.v.tier = tier;
    struct account acc;
    ok = ok && !account_create(C(f), &ai, &acc);
    f->account = acc.id;
    struct contact_in ci = {.set = CON_NAME | CON_DECISION_ROLE};
    ci.v.name = "张总";
    ci.v.decision_role = "decision_maker";
    struct contact c;
    ok = ok && !contact_create(C(f), f->account, &ci, &c);
    f->boss = c.id;
    ci.v.name = "李工";
    ci.v.decision_role = "user";
    ok = ok && !contact_create(C(f), f->account, &ci, &c);
    f->engineer = c.id;
    return fixture_setup_end(&f->fix, ok);
}

TEST(relations_parse_time_is_strict_and_filters_take_dates)
{
    CHECK_EQ_INT(interaction_parse_time("1970-01-01T00:00:00Z"), 0);
    CHECK_EQ_INT(interaction_parse_time("2026-09-21T14:13:20Z"), NOW);
    CHECK_EQ_INT(interaction_parse_time("2026-09-21"), -1); /* a time needs its time */
    CHECK_EQ_INT(interaction_parse_filter_time("2026-09-21"), NOW - 14 * 3600 - 13 * 60 - 20);
    CHECK_EQ_INT(interaction_parse_filter_time("2026-09-21T14:13:20Z"), NOW);
    CHECK_EQ_INT(interaction_parse_filter_time("2026-09-31"), -1);
    CHECK_EQ_INT(interaction_parse_time("2026-02-30T00:00:00Z"), -1);
    CHECK_EQ_INT(interaction_parse_time("2026-09-21T24:00:00Z"), -1);
    CHECK_EQ_INT(interaction_parse_time("2026-09-21 14:13:20Z"), -1);
    CHECK_EQ_INT(interaction_parse_time("2026-09-21T14:13:20"), -1);
    CHECK_EQ_INT(interaction_parse_time(""), -1);
}

TEST(relations_generation_plans_key_people_once)
{
    struct fx f;
    if (!fx_open(&f, "strategic"))
        return;
    int made = -1;
    CHECK_EQ_INT(visit_generate(C(&f), &made), KAM_OK);
    /* Default rules for strategic decision makers: on-site every 30 days and phone every 14.
     * Only the decision maker qualifies; never contacted, so both are due now. */
    CHECK_EQ_INT(made, 2);
    CHECK_EQ_INT(count(&f, "SELECT COUNT(*) FROM visits WHERE contact_id IS NOT NULL"), 2);
    CHECK_EQ_INT(count(&f, "SELECT COUNT(*) FROM visits WHERE owner_id <> (SELECT owner_id FROM "
                           "accounts)"),
                 0);
    /* Due now: spread to day 1 + id % 5 from today, 10:00 China time. NOW is Monday
     * 2026-09-21; the decision maker's id is 1: Wednesday 2026-09-23T02:00:00Z. */
    CHECK_EQ_INT(f.boss, 1);
    CHECK_EQ_INT(count(&f, "SELECT MIN(planned_at) FROM visits"), 1790128800);
    CHECK_EQ_INT(count(&f, "SELECT MAX(planned_at) FROM visits"), 1790128800);
    CHECK_EQ_INT(visit_generate(C(&f), &made), KAM_OK);
    CHECK_EQ_INT(made, 0);
    /* Each generation wrote its audit row. */
    CHECK_EQ_INT(count(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'visit'"), 2);
    fixture_close(&f.fix);
}

TEST(relations_generation_waits_for_the_cadence_after_a_contact)
{
    struct fx f;
    if (!fx_open(&f, "strategic"))
        return;
    CHECK_EQ_INT(contact_touch(C(&f), f.boss, NOW - 5 * DAY), KAM_OK);
    int made = -1;
    CHECK_EQ_INT(visit_generate(C(&f), &made), KAM_OK);
    /* Phone every 14 days: due in 9 days, beyond the 7-day horizon; on-site 30: later. */
    CHECK_EQ_INT(made, 0);
    f.fix.ctx.now = NOW + 3 * DAY;
    CHECK_EQ_INT(visit_generate(C(&f), &made), KAM_OK);
    CHECK_EQ_INT(made, 1);
    CHECK_EQ_INT(count(&f, "SELECT COUNT(*) FROM visits WHERE kind = 'phone'"), 1);
    /* Due on its own day: contacted NOW - 5 days, every 14 days: NOW + 9 days, Wednesday
     * 2026-09-30, at 02:00 UTC. */
    CHECK_EQ_INT(count(&f, "SELECT planned_at FROM visits"), 1790128800 + 7 * DAY);
    fixture_close(&f.fix);
}

TEST(relations_complete_logs_an_interaction_and_refreshes_the_contact)
{
    struct fx f;
    if (!fx_open(&f, "key"))
        return;
    f.fix.ctx.who = (struct principal){f.am, ROLE_ACCOUNT_MANAGER, "am"};
    struct visit_in in = {.set = VIS_CONTACT | VIS_KIND | VIS_PLANNED};
    in.v.account_id = f.account;
    in.v.has_contact = 1;
    in.v.contact_id = f.boss;
    in.v.kind = "onsite";
    in.planned_at_iso = "2026-09-20T02:00:00Z";
    struct visit v;
    CHECK_EQ_INT(visit_create(C(&f), &in, &v), KAM_OK);
    CHECK_EQ_STR(v.status, "planned");
    struct visit_done d = {.outcome = "谈妥明年框架协议", .next_steps = ""};
    CHECK_EQ_INT(visit_complete(C(&f), v.id, &d, &v), KAM_OK);
    CHECK_EQ_STR(v.status, "done");
    CHECK(v.has_interaction);
    struct interaction it;
    CHECK_EQ_INT(interaction_get(C(&f), v.interaction_id, &it), KAM_OK);
    CHECK_EQ_STR(it.kind, "visit");
    CHECK_EQ_INT(it.ncontacts, 1);
    CHECK_EQ_INT(it.contact_ids[0], f.boss);
    CHECK_EQ_INT(it.visit_id, v.id);
    struct contact c;
    CHECK_EQ_INT(contact_get(C(&f), f.boss, &c), KAM_OK);
    CHECK(c.has_last_contacted && c.last_contacted_at == NOW);
    CHECK_EQ_INT(visit_complete(C(&f), v.id, &d, &v), KAM_ECONFLICT);
    CHECK_EQ_STR(f.fix.e.field, "status");
    fixture_close(&f.fix);
}

TEST(relations_stale_flags_only_key_people_past_their_tier_days)
{
    struct fx f;
    if (!fx_open(&f, "strategic"))
        return;
    struct contact c[2];
    CHECK_EQ_INT(contact_get(C(&f), f.boss, &c[0]), KAM_OK);
    CHECK_EQ_INT(contact_get(C(&f), f.engineer, &c[1]), KAM_OK);
    CHECK_EQ_INT(contact_mark_stale(C(&f), c, 2), KAM_OK);
    CHECK_EQ_INT(c[0].stale, 1); /* decision maker, never contacted */
    CHECK_EQ_INT(c[1].stale, 0); /* a user is not a key person */
    CHECK_EQ_INT(contact_touch(C(&f), f.boss, NOW - 29 * DAY), KAM_OK);
    CHECK_EQ_INT(contact_get(C(&f), f.boss, &c[0]), KAM_OK);
    CHECK_EQ_INT(contact_mark_stale(C(&f), c, 1), KAM_OK);
    CHECK_EQ_INT(c[0].stale, 0); /* strategic: 30 days */
    f.fix.ctx.now = NOW + 2 * DAY;
    CHECK_EQ_INT(contact_mark_stale(C(&f), c, 1), KAM_OK);
    CHECK_EQ_INT(c[0].stale, 1);
    fixture_close(&f.fix);
}

TEST(relations_issue_workflow_and_deadlines)
{
    struct fx f;
    if (!fx_open(&f, "key"))
        return;
    struct issue_in in = {.set = ISS_TITLE | ISS_SEVERITY};
    in.v.title = "来料不良";
    in.v.severity = "high";
    struct issue x;
    CHECK_EQ_INT(issue_create(C(&f), f.account, &in, &x), KAM_OK);
    /* key x high: respond in 8 h, resolve in 72 h (migration defaults). */
    CHECK_EQ_INT(x.response_due_at, NOW + 8 * 3600);
    CHECK_EQ_INT(x.resolution_due_at, NOW + 72 * 3600);
    CHECK_EQ_INT(x.assignee_id, f.am); /* the account owner */
    CHECK_EQ_INT(issue_transition(C(&f), x.id, "confirmed", "", &x), KAM_ECONFLICT);
    CHECK_EQ_STR(f.fix.e.field, "to");
    f.fix.ctx.now = NOW + 3600;
    CHECK_EQ_INT(issue_transition(C(&f), x.id, "in_progress", "called them", &x), KAM_OK);
    CHECK_EQ_INT(x.first_response_at, NOW + 3600);
    CHECK_EQ_INT(issue_transition(C(&f), x.id, "resolved", "", &x), KAM_OK);
    CHECK(x.has_resolved);
    CHECK_EQ_INT(issue_transition(C(&f), x.id, "in_progress", "reopened", &x), KAM_OK);
    CHECK(!x.has_resolved);
    CHECK_EQ_INT(x.first_response_at, NOW + 3600); /* the first response stays */
    CHECK_EQ_INT(count(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'issue' AND action = "
                           "'comment'"),
                 2);
    fixture_close(&f.fix);
}

TEST(relations_escalation_happens_once_to_the_team_lead)
{
    struct fx f;
    if (!fx_open(&f, "key"))
        return;
    struct issue_in in = {.set = ISS_TITLE | ISS_SEVERITY};
    in.v.title = "交货延迟";
    in.v.severity = "critical"; /* key x critical: respond within 4 h */
    struct issue x;
    CHECK_EQ_INT(issue_create(C(&f), f.account, &in, &x), KAM_OK);
    int n = -1;
    f.fix.ctx.now = NOW + 3 * 3600;
    CHECK_EQ_INT(issue_escalate(C(&f), &n), KAM_OK);
    CHECK_EQ_INT(n, 0); /* not yet */
    f.fix.ctx.now = NOW + 5 * 3600;
    CHECK_EQ_INT(issue_escalate(C(&f), &n), KAM_OK);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(issue_get(C(&f), x.id, &x), KAM_OK);
    CHECK(x.has_escalated && x.escalated_at == NOW + 5 * 3600);
    CHECK_EQ_INT(x.escalated_to, f.lead);
    CHECK_EQ_INT(issue_escalate(C(&f), &n), KAM_OK);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(count(&f, "SELECT COUNT(*) FROM notifications WHERE kind = 'issue_escalated'"),
                 2); /* the lead and the assignee, once each */
    fixture_close(&f.fix);
}

TEST(relations_calendar_feed_folds_long_lines_and_uses_crlf)
{
    struct fx f;
    if (!fx_open(&f, "key"))
        return;
    struct account_in ai = {.set = ACC_NAME};
    ai.v.name =
        "一个名字非常非常非常长的客户公司用于测试日历折行功能是否正确处理多字节字符有限公司";
    struct account acc;
    CHECK_EQ_INT(account_update(C(&f), f.account, &ai, &acc), KAM_OK);
    f.fix.ctx.who = (struct principal){f.am, ROLE_ACCOUNT_MANAGER, "am"};
    struct visit_in in = {.set = VIS_KIND | VIS_PLANNED};
    in.v.account_id = f.account;
    in.v.kind = "phone";
    in.planned_at_iso = "2026-09-25T02:00:00Z";
    struct visit v;
    CHECK_EQ_INT(visit_create(C(&f), &in, &v), KAM_OK);
    const char *url = NULL;
    CHECK_EQ_INT(calendar_token_new(C(&f), &url), KAM_OK);
    CHECK(url && strncmp(url, "/calendar/", 10) == 0);
    char token[128];
    snprintf(token, sizeof token, "%.*s", (int)(strlen(url) - 14), url + 10);
    struct buf b;
    buf_init(&b, 1 << 20);
    CHECK_EQ_INT(calendar_feed(C(&f), token, &b), KAM_OK);
    CHECK(b.data && strstr(b.data, "BEGIN:VCALENDAR\r\n") == b.data);
    CHECK(b.data && strstr(b.data, "DTSTART:20260925T020000Z\r\n"));
    /* Every line at most 75 octets, ends in CRLF, and no UTF-8 sequence is cut. */
    int folded = 0, bad = 0;
    for (const char *p = b.data; p && *p;) {
        const char *e = strstr(p, "\r\n");
        if (!e) {
            bad++;
            break;
        }
        if (e - p > 75)
            bad++;
        if (*p == ' ') {
            folded++;
            if (((unsigned char)p[1] & 0xc0) == 0x80)
                bad++;
        }
        p = e + 2;
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(folded >= 1);
    buf_release(&b);
    CHECK_EQ_INT(calendar_token_revoke(C(&f)), KAM_OK);
    buf_init(&b, 1 << 20);
    CHECK_EQ_INT(calendar_feed(C(&f), token, &b), KAM_ENOTFOUND);
    buf_release(&b);
    fixture_close(&f.fix);
}
