/* test_alerts.c -- the early-warning engine (svc/risk/alert*.c, health.c) over a test-only
 * signal table: a rule is its defaults overridden by its row; a hit raises one alert per account
 * and signal however often it fires (the near miss raises none); an alert whose signal stops
 * firing is resolved as "cleared" unless someone acknowledged it; firing again after that is a
 * new alert; the preview writes nothing; the health score's arithmetic and its floor. */
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "svc/relationships/account.h"
#include "svc/risk/alert.h"
#include "svc/risk/health.h"
#include "test.h"

#define NOW 1780000000 /* 2026-05-28 */
#define MAXA 8

/* The values the test signal measures per account (0: not measured). */
static int64_t measured[MAXA + 1][2];

static enum kam_err eval_t(struct kam_ctx *ctx, const struct signal_rule *rule, int which,
                           signal_emit_fn emit, void *arg)
{
    (void)ctx;
    for (int64_t a = 1; a <= MAXA; a++) {
        int64_t v = measured[a][which];
        if (!v || v < rule->threshold_milli)
            continue;
        struct signal_hit h = {a, v, "{\"orders\":[{\"kind\":\"order\",\"id\":7}]}"};
        enum kam_err rc = emit(arg, &h);
        if (rc)
            return rc;
    }
    return KAM_OK;
}

static enum kam_err eval_a(struct kam_ctx *ctx, const struct signal_rule *rule,
                           const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg)
{
    (void)accounts;
    (void)n;
    return eval_t(ctx, rule, 0, emit, arg);
}

static enum kam_err eval_b(struct kam_ctx *ctx, const struct signal_rule *rule,
                           const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg)
{
    (void)accounts;
    (void)n;
    return eval_t(ctx, rule, 1, emit, arg);
}

static const struct signal_def test_signals[] = {
    {"t_days_late", "days", 30000, SIGNAL_MEDIUM, "sales", "{}", 1, eval_a, {OBJ_SALES}},
    /* reads receivables: service and viewer may not read it */
    {"t_money_due",
     "money",
     1000,
     SIGNAL_CRITICAL,
     "finance",
     "{\"days\": 30}",
     1,
     eval_b,
     {OBJ_RECEIVABLE}},
    {0},
};
static const struct signal_def *const test_tables[] = {test_signals, NULL};

struct aworld {
    struct fixture f;
    int64_t am, fin, acc[3];
};

static int aworld_open(struct aworld *w)
{
    memset(w, 0, sizeof *w);
    memset(measured, 0, sizeof measured);
    alerts_set_tables(test_tables);
    if (!fixture_open(&w->f, FIXTURE_MEMORY, NOW))
        return 0;
    w->am = fixture_add_user(&w->f, "am", "account_manager", 0);
    w->fin = fixture_add_user(&w->f, "fin", "finance", 0);
    int ok = w->am && w->fin;
    for (int i = 0; ok && i < 3; i++) {
        struct account_in ai = {.set = ACC_CODE | ACC_NAME | ACC_OWNER};
        char code[8];
        snprintf(code, sizeof code, "A%d", i + 1);
        ai.v.code = code;
        ai.v.name = code;
        ai.v.owner_id = w->am;
        struct account acc;
        ok = !account_create(fixture_ctx(&w->f), &ai, &acc);
        w->acc[i] = ok ? acc.id : 0;
        ok = ok && acc.id <= MAXA;
    }
    return fixture_setup_end(&w->f, ok);
}

static void aworld_close(struct aworld *w)
{
    fixture_close(&w->f);
    alerts_set_tables(NULL);
}

static int64_t q(struct aworld *w, const char *sql)
{
    return fixture_q64(&w->f, sql);
}

TEST(alerts_rule_defaults_and_override)
{
    struct aworld w;
    if (!aworld_open(&w))
        return;
    struct kam_ctx *ctx = fixture_ctx(&w.f);
    struct alert_rule *rules;
    size_t n;
    CHECK_EQ_INT(alert_rules_list(ctx, &rules, &n), KAM_OK);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_STR(rules[0].signal, "t_days_late");
    CHECK_EQ_INT(rules[0].threshold_milli, 30000);
    CHECK_EQ_STR(rules[0].severity, "medium");
    CHECK_EQ_INT(rules[0].overridden, 0);
    CHECK_EQ_STR(rules[1].params, "{\"days\": 30}");

    struct alert_rule_in in = {
        .set = AR_THRESHOLD | AR_SEVERITY, .threshold_milli = 45000, .severity = "high"};
    struct alert_rule r;
    CHECK_EQ_INT(alert_rule_put(fixture_ctx(&w.f), "t_days_late", &in, &r), KAM_OK);
    CHECK_EQ_INT(r.threshold_milli, 45000);
    CHECK_EQ_STR(r.severity, "high");
    CHECK_EQ_STR(r.dept, "sales"); /* not given: the default stands */
    CHECK_EQ_INT(r.def_threshold_milli, 30000);
    CHECK_EQ_INT(r.overridden, 1);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM audit WHERE entity = 'alert_rule'"), 1);
    /* the same again changes nothing and writes no audit row */
    CHECK_EQ_INT(alert_rule_put(fixture_ctx(&w.f), "t_days_late", &in, &r), KAM_OK);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM audit WHERE entity = 'alert_rule'"), 1);
    CHECK_EQ_INT(r.version, 1);

    /* refusals name the field and write nothing */
    struct alert_rule_in bad = {.set = AR_SEVERITY, .severity = "urgent"};
    fixture_check_err(&w.f, alert_rule_put(fixture_ctx(&w.f), "t_days_late", &bad, &r), KAM_EINVAL,
                      "severity");
    bad = (struct alert_rule_in){.set = AR_PARAMS, .params = "[1]"};
    fixture_check_err(&w.f, alert_rule_put(fixture_ctx(&w.f), "t_days_late", &bad, &r), KAM_EINVAL,
                      "params");
    bad = (struct alert_rule_in){.set = AR_DEPT, .dept = "hr"};
    fixture_check_err(&w.f, alert_rule_put(fixture_ctx(&w.f), "t_days_late", &bad, &r), KAM_EINVAL,
                      "dept");
    fixture_check_err(&w.f, alert_rule_put(fixture_ctx(&w.f), "nope", &in, &r), KAM_ENOTFOUND,
                      "signal");
    /* params out of range or unknown to the signal, thresholds it cannot mean: named */
    static const struct {
        const char *signal, *params, *field;
    } badp[] = {
        {"t_money_due", "{\"days\": 0}", "params.days"},
        {"t_money_due", "{\"days\": 3651}", "params.days"},
        {"t_money_due", "{\"days\": \"30\"}", "params.days"},
        {"t_money_due", "{\"days\": 30.5}", "params.days"},
        {"t_money_due", "{\"weeks\": 2}", "params.weeks"},
        {"t_days_late", "{\"days\": 30}", "params.days"}, /* t_days_late takes none */
    };
    for (size_t i = 0; i < sizeof badp / sizeof *badp; i++) {
        bad = (struct alert_rule_in){.set = AR_PARAMS, .params = badp[i].params};
        fixture_check_err(&w.f, alert_rule_put(fixture_ctx(&w.f), badp[i].signal, &bad, &r),
                          KAM_EINVAL, badp[i].field);
    }
    bad = (struct alert_rule_in){.set = AR_PARAMS, .params = "{\"days\": 3650}"};
    CHECK_EQ_INT(alert_rule_merge(fixture_ctx(&w.f), "t_money_due", &bad, &r), KAM_OK);
    bad = (struct alert_rule_in){.set = AR_THRESHOLD, .threshold_milli = 0};
    fixture_check_err(&w.f, alert_rule_put(fixture_ctx(&w.f), "t_days_late", &bad, &r), KAM_EINVAL,
                      "threshold_milli");
    bad.threshold_milli = -5000;
    fixture_check_err(&w.f, alert_rule_put(fixture_ctx(&w.f), "t_money_due", &bad, &r), KAM_EINVAL,
                      "threshold_milli");
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM alert_rules WHERE signal = 't_money_due'"), 0);
    CHECK_EQ_INT(q(&w, "SELECT threshold_milli FROM alert_rules WHERE signal = 't_days_late'"),
                 45000);

    /* reset: back to the defaults */
    CHECK_EQ_INT(alert_rule_reset(fixture_ctx(&w.f), "t_days_late", &r), KAM_OK);
    CHECK_EQ_INT(r.threshold_milli, 30000);
    CHECK_EQ_INT(r.overridden, 0);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM alert_rules"), 0);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM audit WHERE entity = 'alert_rule'"), 2);
    aworld_close(&w);
}

TEST(alerts_dedup_near_miss_clear_and_refire)
{
    struct aworld w;
    if (!aworld_open(&w))
        return;
    int64_t a1 = w.acc[0], a2 = w.acc[1], a3 = w.acc[2];
    measured[a1][0] = 30000; /* exactly the threshold: fires */
    measured[a2][0] = 29999; /* the near miss */
    measured[a3][0] = 50000;
    int raised = 0, cleared = 0;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(raised, 2);
    CHECK_EQ_INT(cleared, 0);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM alerts"), 2);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM alerts WHERE account_id = %lld", (long long)a2);
    CHECK_EQ_INT(q(&w, sql), 0);
    /* the owner is notified once per alert */
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM notifications WHERE kind = 'alert'"), 2);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM audit WHERE entity = 'alert' AND action = 'raise'"),
                 2);

    /* the same hits again: no new alert, the value refreshed */
    measured[a3][0] = 61000;
    w.f.ctx.now = NOW + 86400;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(raised, 0);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM alerts"), 2);
    snprintf(sql, sizeof sql, "SELECT value_milli FROM alerts WHERE account_id = %lld",
             (long long)a3);
    CHECK_EQ_INT(q(&w, sql), 61000);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM notifications WHERE kind = 'alert'"), 2);

    /* a3's alert acknowledged; then neither fires: a1's (open) is resolved as cleared, a3's
     * stays acknowledged with cleared_at */
    snprintf(sql, sizeof sql, "SELECT id FROM alerts WHERE account_id = %lld", (long long)a3);
    int64_t id3 = q(&w, sql);
    struct alert al;
    fixture_as(&w.f, w.am, ROLE_ACCOUNT_MANAGER);
    CHECK_EQ_INT(alert_acknowledge(fixture_ctx(&w.f), id3, &al), KAM_OK);
    CHECK_EQ_STR(al.status, "acknowledged");
    fixture_check_err(&w.f, alert_acknowledge(fixture_ctx(&w.f), id3, &al), KAM_ECONFLICT,
                      "status");
    fixture_as(&w.f, 0, ROLE_ADMIN);
    measured[a1][0] = measured[a3][0] = 0;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(cleared, 2);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM alerts WHERE account_id = %lld AND status = 'resolved' AND "
             "resolution = 'cleared' AND open_key IS NULL",
             (long long)a1);
    CHECK_EQ_INT(q(&w, sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM alerts WHERE id = %lld AND status = 'acknowledged' AND "
             "cleared_at IS NOT NULL",
             (long long)id3);
    CHECK_EQ_INT(q(&w, sql), 1);

    /* a1 fires again: a new alert; a3 fires again: its acknowledged one is refreshed */
    measured[a1][0] = measured[a3][0] = 40000;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(raised, 1);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM alerts WHERE account_id = %lld", (long long)a1);
    CHECK_EQ_INT(q(&w, sql), 2);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM alerts WHERE id = %lld AND cleared_at IS NULL",
             (long long)id3);
    CHECK_EQ_INT(q(&w, sql), 1);
    aworld_close(&w);
}

TEST(alerts_lifecycle_and_recipients)
{
    struct aworld w;
    if (!aworld_open(&w))
        return;
    int64_t a1 = w.acc[0];
    measured[a1][1] = 5000; /* t_money_due: critical, finance */
    int raised = 0, cleared = 0;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(raised, 1);
    /* the owner and the finance user */
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM notifications WHERE kind = 'alert' AND user_id IN (%lld, %lld)",
             (long long)w.am, (long long)w.fin);
    CHECK_EQ_INT(q(&w, sql), 2);
    int64_t id = q(&w, "SELECT id FROM alerts");
    fixture_as(&w.f, w.am, ROLE_ACCOUNT_MANAGER);
    struct alert_in in = {.set = AL_RESPONSE | AL_DUE};
    in.v.response = "call the buyer";
    in.v.response_due = "2026-06-05";
    struct alert a;
    CHECK_EQ_INT(alert_update(fixture_ctx(&w.f), id, &in, &a), KAM_OK);
    CHECK_EQ_STR(a.status, "responding");
    CHECK_EQ_INT(a.has_ack_at, 1);
    CHECK_EQ_INT(a.version, 2);
    in = (struct alert_in){.set = AL_DUE | AL_VERSION};
    in.v.response_due = "2026-13-01";
    in.v.version = 2;
    fixture_check_err(&w.f, alert_update(fixture_ctx(&w.f), id, &in, &a), KAM_EINVAL,
                      "response_due");
    in.v.response_due = "2026-06-06";
    in.v.version = 1;
    fixture_check_err(&w.f, alert_update(fixture_ctx(&w.f), id, &in, &a), KAM_ECONFLICT, "version");
    fixture_check_err(&w.f, alert_resolve(fixture_ctx(&w.f), id, "", &a), KAM_EINVAL, "resolution");
    CHECK_EQ_INT(alert_resolve(fixture_ctx(&w.f), id, "paid on 6-01", &a), KAM_OK);
    CHECK_EQ_STR(a.status, "resolved");
    /* resolved while its signal still fires: it keeps the account's key (no new alert) */
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM alerts WHERE open_key IS NULL"), 0);
    fixture_check_err(&w.f, alert_resolve(fixture_ctx(&w.f), id, "again", &a), KAM_ECONFLICT,
                      "status");
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit WHERE entity = 'alert' AND entity_id = %lld",
             (long long)id);
    CHECK_EQ_INT(q(&w, sql), 3); /* raise, update, resolve */
    aworld_close(&w);
}

TEST(alerts_preview_writes_nothing)
{
    struct aworld w;
    if (!aworld_open(&w))
        return;
    measured[w.acc[0]][0] = 10000;
    measured[w.acc[1]][0] = 20000;
    measured[w.acc[2]][0] = 40000;
    struct alert_rule_in in = {.set = AR_THRESHOLD, .threshold_milli = 15000};
    struct alert_preview p;
    CHECK_EQ_INT(alert_rule_preview(fixture_ctx(&w.f), "t_days_late", &in, &p), KAM_OK);
    CHECK_EQ_INT(p.count, 2);
    CHECK_EQ_INT(p.n, 2);
    CHECK_EQ_INT(p.items[0].account_id, w.acc[2]); /* the worst first */
    CHECK_EQ_STR(p.items[0].name, "A3");
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM alerts"), 0);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM alert_rules"), 0);
    /* with the default threshold (30 days) one */
    in.set = 0;
    CHECK_EQ_INT(alert_rule_preview(fixture_ctx(&w.f), "t_days_late", &in, &p), KAM_OK);
    CHECK_EQ_INT(p.count, 1);
    aworld_close(&w);
}

TEST(alerts_health_score)
{
    CHECK_EQ_INT(health_points("low"), 5);
    CHECK_EQ_INT(health_points("medium"), 10);
    CHECK_EQ_INT(health_points("high"), 20);
    CHECK_EQ_INT(health_points("critical"), 35);
    struct aworld w;
    if (!aworld_open(&w))
        return;
    int64_t a1 = w.acc[0], a2 = w.acc[1];
    measured[a1][0] = 30000; /* medium: 10 */
    measured[a1][1] = 2000;  /* critical: 35 */
    int raised = 0, cleared = 0;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    struct health h;
    CHECK_EQ_INT(health_get(fixture_ctx(&w.f), a1, &h), KAM_OK);
    CHECK_EQ_INT(h.score, 55);
    CHECK_EQ_INT(h.n, 2);
    CHECK_EQ_STR(h.lines[0].signal, "t_days_late");
    CHECK_EQ_INT(h.lines[0].points, 10);
    CHECK_EQ_INT(h.lines[1].points, 35);
    CHECK_EQ_INT(h.lines[1].value_milli, 2000);
    CHECK_EQ_INT(h.n_history, 1);
    CHECK_EQ_STR(h.history[0].day, "2026-05-29"); /* 1780000000 is 05-29 04:26 in China */
    CHECK_EQ_INT(h.history[0].score, 55);
    CHECK_EQ_INT(health_get(fixture_ctx(&w.f), a2, &h), KAM_OK);
    CHECK_EQ_INT(h.score, 100);
    CHECK_EQ_INT(h.n, 0);
    /* the floor: three critical alerts take 105 points */
    char sql[400];
    for (int i = 0; i < 3; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO alerts (account_id, signal, open_key, severity, dept, status, "
                 "first_seen_at, last_seen_at, created_at, updated_at) VALUES (%lld, 'x%d', "
                 "'%lld:x%d', 'critical', 'sales', 'open', 1, 1, 1, 1)",
                 (long long)a2, i, (long long)a2, i);
        CHECK(db_exec(w.f.db, sql, &w.f.e) == KAM_OK);
    }
    CHECK_EQ_INT(health_get(fixture_ctx(&w.f), a2, &h), KAM_OK);
    CHECK_EQ_INT(h.score, 0);
    CHECK_EQ_INT(h.n, 3);
    /* the day's row is upserted, not added; the alerts of signals no table has (x0..x2) are
     * closed by the pass, so they no longer lower the score */
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    snprintf(sql, sizeof sql, "SELECT score FROM account_health WHERE account_id = %lld",
             (long long)a2);
    CHECK_EQ_INT(q(&w, sql), 100);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM account_health"), 3);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM alerts WHERE signal LIKE 'x%' AND status = "
                       "'resolved' AND resolution = 'signal_removed' AND open_key IS NULL"),
                 3);
    aworld_close(&w);
}

/* Every real signal names the policy objects it reads (the one rule of who sees its alerts). */
TEST(alerts_signals_name_what_they_read)
{
    alerts_set_tables(NULL);
    size_t n = 0;
    for (const struct signal_def *d; (d = alert_signal_at(n)); n++) {
        if (!d->reads[0])
            fprintf(stderr, "  %s names no policy object\n", d->key);
        CHECK(d->reads[0] != OBJ_PUBLIC);
    }
    CHECK(n >= 15);
    const struct principal svc = {5, ROLE_SERVICE, "s"}, fin = {6, ROLE_FINANCE, "f"},
                           am = {7, ROLE_ACCOUNT_MANAGER, "a"}, viewer = {8, ROLE_VIEWER, "v"};
    const struct signal_def *ro = alert_signal_find("receivables_overdue"),
                            *ex = alert_signal_find("exposure_near_limit"),
                            *vo = alert_signal_find("visits_overdue"),
                            *ns = alert_signal_find("negative_sentiment");
    CHECK(ro && ex && vo && ns);
    CHECK_EQ_INT(alert_signal_sight(&svc, ro), ALERT_SIGHT_NONE);
    CHECK_EQ_INT(alert_signal_sight(&viewer, ex), ALERT_SIGHT_NONE);
    CHECK_EQ_INT(alert_signal_sight(&svc, vo), ALERT_SIGHT_ALL);
    CHECK_EQ_INT(alert_signal_sight(&am, ro), ALERT_SIGHT_ALL);
    CHECK_EQ_INT(alert_signal_sight(&fin, ex), ALERT_SIGHT_ALL);
    CHECK_EQ_INT(alert_signal_sight(&viewer, ns), ALERT_SIGHT_NONE); /* comments: responses */
    CHECK_EQ_INT(alert_signal_sight(&fin, ns), ALERT_SIGHT_NONE);
}

/* A signal reading receivables: its alerts, health lines, preview hits and notifications reach
 * only people who may read receivables (a service member of the account team does not). */
TEST(alerts_hidden_from_who_may_not_read_the_signal)
{
    struct aworld w;
    if (!aworld_open(&w))
        return;
    int64_t svc = fixture_add_user(&w.f, "svc", "service", 0);
    int64_t a1 = w.acc[0];
    char sql[300];
    snprintf(sql, sizeof sql,
             "INSERT INTO account_members (account_id, user_id, dept_role, created_at) VALUES "
             "(%lld, %lld, 'service', 1)",
             (long long)a1, (long long)svc);
    CHECK(db_exec(w.f.db, sql, &w.f.e) == KAM_OK);
    /* the finance signal handed to the service department: still not for the service user */
    struct alert_rule_in rin = {.set = AR_DEPT, .dept = "service"};
    struct alert_rule r;
    CHECK_EQ_INT(alert_rule_put(fixture_ctx(&w.f), "t_money_due", &rin, &r), KAM_OK);
    measured[a1][0] = 40000; /* t_days_late (sales): medium, 10 */
    measured[a1][1] = 5000;  /* t_money_due (receivables): critical, 35 */
    int raised = 0, cleared = 0;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(raised, 2);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM notifications WHERE user_id = %lld",
             (long long)svc);
    CHECK_EQ_INT(q(&w, sql), 0); /* a member of the rule's department, but no reader */
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM notifications WHERE user_id = %lld",
             (long long)w.am);
    CHECK_EQ_INT(q(&w, sql), 2); /* the owner reads both */
    int64_t money = q(&w, "SELECT id FROM alerts WHERE signal = 't_money_due'");
    int64_t late = q(&w, "SELECT id FROM alerts WHERE signal = 't_days_late'");

    fixture_as(&w.f, svc, ROLE_SERVICE);
    struct alert_query aq = {0};
    struct alert *items;
    size_t n;
    const char *next;
    CHECK_EQ_INT(alert_list(fixture_ctx(&w.f), &aq, &items, &n, &next), KAM_OK);
    CHECK(n == 1 && items[0].id == late);
    struct alert al;
    fixture_check_err(&w.f, alert_get(fixture_ctx(&w.f), money, &al), KAM_ENOTFOUND, "id");
    fixture_check_err(&w.f, alert_resolve(fixture_ctx(&w.f), money, "x", &al), KAM_ENOTFOUND, "id");
    CHECK_EQ_INT(alert_get(fixture_ctx(&w.f), late, &al), KAM_OK);
    struct health h;
    CHECK_EQ_INT(health_get(fixture_ctx(&w.f), a1, &h), KAM_OK);
    CHECK_EQ_INT(h.score, 55); /* the account's score, the same for everyone */
    CHECK(h.n == 1 && !strcmp(h.lines[0].signal, "t_days_late"));
    CHECK_EQ_INT(h.restricted_points, 35);
    struct health_query hq = {0};
    struct health_row *rows;
    CHECK_EQ_INT(health_list(fixture_ctx(&w.f), &hq, &rows, &n, &next), KAM_OK);
    CHECK(n == 1 && rows[0].account_id == a1 && rows[0].open_alerts == 1);
    struct alert_preview p;
    struct alert_rule_in none = {0};
    CHECK_EQ_INT(alert_rule_preview(fixture_ctx(&w.f), "t_money_due", &none, &p), KAM_OK);
    CHECK(p.count == 0 && p.n == 0);
    CHECK_EQ_INT(alert_rule_preview(fixture_ctx(&w.f), "t_days_late", &none, &p), KAM_OK);
    CHECK_EQ_INT(p.count, 1);

    /* the owner sees all; and may not hand the receivables alert to the service user */
    fixture_as(&w.f, w.am, ROLE_ACCOUNT_MANAGER);
    CHECK_EQ_INT(alert_list(fixture_ctx(&w.f), &aq, &items, &n, &next), KAM_OK);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(health_get(fixture_ctx(&w.f), a1, &h), KAM_OK);
    CHECK(h.n == 2 && h.restricted_points == 0);
    CHECK_EQ_INT(alert_rule_preview(fixture_ctx(&w.f), "t_money_due", &none, &p), KAM_OK);
    CHECK_EQ_INT(p.count, 1);
    struct alert_in in = {.set = AL_OWNER};
    in.v.owner_id = svc;
    in.v.has_owner = 1;
    fixture_check_err(&w.f, alert_update(fixture_ctx(&w.f), money, &in, &al), KAM_EINVAL,
                      "owner_id");
    CHECK_EQ_INT(alert_update(fixture_ctx(&w.f), late, &in, &al), KAM_OK);
    aworld_close(&w);
}

/* A disabled rule's alerts are closed at the next pass (acknowledged ones too), with the
 * resolution rule_disabled, so they no longer lower health; enabled again, it raises anew. */
TEST(alerts_disabled_rule_closes_its_alerts)
{
    struct aworld w;
    if (!aworld_open(&w))
        return;
    int64_t a1 = w.acc[0], a2 = w.acc[1];
    measured[a1][0] = measured[a2][0] = 40000;
    int raised = 0, cleared = 0;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(raised, 2);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT id FROM alerts WHERE account_id = %lld", (long long)a2);
    int64_t id2 = q(&w, sql);
    struct alert al;
    fixture_as(&w.f, w.am, ROLE_ACCOUNT_MANAGER);
    CHECK_EQ_INT(alert_acknowledge(fixture_ctx(&w.f), id2, &al), KAM_OK);
    fixture_as(&w.f, 0, ROLE_ADMIN);
    struct health h;
    CHECK_EQ_INT(health_get(fixture_ctx(&w.f), a2, &h), KAM_OK);
    CHECK_EQ_INT(h.score, 90);
    struct alert_rule_in off = {.set = AR_ENABLED, .enabled = 0};
    struct alert_rule r;
    CHECK_EQ_INT(alert_rule_put(fixture_ctx(&w.f), "t_days_late", &off, &r), KAM_OK);
    w.f.ctx.now = NOW + 3600;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(raised, 0);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM alerts WHERE status = 'resolved' AND resolution = "
                       "'rule_disabled' AND open_key IS NULL AND cleared_at IS NOT NULL"),
                 2);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM audit WHERE entity = 'alert' AND action = "
                       "'resolve'"),
                 2);
    CHECK_EQ_INT(health_get(fixture_ctx(&w.f), a2, &h), KAM_OK);
    CHECK_EQ_INT(h.score, 100);
    snprintf(sql, sizeof sql,
             "SELECT score FROM account_health WHERE account_id = %lld AND day = '2026-05-29'",
             (long long)a2);
    CHECK_EQ_INT(q(&w, sql), 100);
    /* a second pass with the rule still off changes nothing */
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM audit WHERE entity = 'alert' AND action = "
                       "'resolve'"),
                 2);
    /* on again: new alerts */
    struct alert_rule_in on = {.set = AR_ENABLED, .enabled = 1};
    CHECK_EQ_INT(alert_rule_put(fixture_ctx(&w.f), "t_days_late", &on, &r), KAM_OK);
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(raised, 2);
    aworld_close(&w);
}

/* Resolved by someone while its signal still fires: the next passes raise nothing new (the
 * alert keeps its account's key, stays resolved and is not refreshed); once the signal stops
 * firing the key is freed, and firing again raises a new alert. */
TEST(alerts_resolved_while_firing_stays_resolved)
{
    struct aworld w;
    if (!aworld_open(&w))
        return;
    int64_t a1 = w.acc[0];
    measured[a1][0] = 40000;
    int raised = 0, cleared = 0;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    int64_t id = q(&w, "SELECT id FROM alerts");
    struct alert al;
    fixture_as(&w.f, w.am, ROLE_ACCOUNT_MANAGER);
    CHECK_EQ_INT(alert_resolve(fixture_ctx(&w.f), id, "agreed a payment plan", &al), KAM_OK);
    fixture_as(&w.f, 0, ROLE_ADMIN);
    for (int pass = 1; pass <= 2; pass++) {
        measured[a1][0] = 40000 + pass * 1000; /* still firing, even worse */
        w.f.ctx.now = NOW + pass * 86400;
        CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
        CHECK_EQ_INT(raised, 0);
        CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM alerts"), 1);
        CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM notifications WHERE kind = 'alert'"), 1);
    }
    CHECK_EQ_INT(q(&w, "SELECT value_milli FROM alerts"), 40000); /* not refreshed */
    struct health h;
    CHECK_EQ_INT(health_get(fixture_ctx(&w.f), a1, &h), KAM_OK);
    CHECK_EQ_INT(h.score, 100);
    /* the signal stops: the key is freed (the alert stays resolved as it was) */
    measured[a1][0] = 0;
    w.f.ctx.now = NOW + 3 * 86400;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM alerts WHERE open_key IS NULL AND status = "
                       "'resolved' AND resolution = 'agreed a payment plan' AND cleared_at IS "
                       "NOT NULL"),
                 1);
    /* and fires again: a new alert */
    measured[a1][0] = 40000;
    w.f.ctx.now = NOW + 4 * 86400;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(raised, 1);
    CHECK_EQ_INT(q(&w, "SELECT COUNT(*) FROM alerts WHERE status = 'open'"), 1);
    aworld_close(&w);
}

/* The engine writes only what changed: an unchanged firing alert is not rewritten by a pass an
 * hour later (last_seen_at at least daily), an unchanged health row neither. */
TEST(alerts_pass_writes_only_what_changed)
{
    struct aworld w;
    if (!aworld_open(&w))
        return;
    int64_t a1 = w.acc[0];
    measured[a1][0] = 40000;
    int raised = 0, cleared = 0;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK(db_exec(w.f.db,
                  "CREATE TABLE wc (t TEXT PRIMARY KEY, n INTEGER); INSERT INTO wc VALUES "
                  "('alerts', 0), ('health', 0); CREATE TRIGGER wc_a AFTER UPDATE ON alerts "
                  "BEGIN UPDATE wc SET n = n + 1 WHERE t = 'alerts'; END; CREATE TRIGGER wc_h "
                  "AFTER UPDATE ON account_health BEGIN UPDATE wc SET n = n + 1 WHERE t = "
                  "'health'; END; CREATE TRIGGER wc_hi AFTER INSERT ON account_health BEGIN "
                  "UPDATE wc SET n = n + 1 WHERE t = 'health'; END",
                  &w.f.e) == KAM_OK);
    w.f.ctx.now = NOW + 3600;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(q(&w, "SELECT n FROM wc WHERE t = 'alerts'"), 0);
    CHECK_EQ_INT(q(&w, "SELECT n FROM wc WHERE t = 'health'"), 0);
    CHECK_EQ_INT(q(&w, "SELECT last_seen_at FROM alerts"), NOW);
    /* the value moved: one alert rewritten, one health line (its value) */
    measured[a1][0] = 41000;
    w.f.ctx.now = NOW + 7200;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(q(&w, "SELECT n FROM wc WHERE t = 'alerts'"), 1);
    CHECK_EQ_INT(q(&w, "SELECT n FROM wc WHERE t = 'health'"), 1);
    /* unchanged, but a day after it was last written: last_seen_at moves (and a new day's
     * health rows are written) */
    w.f.ctx.now = NOW + 7200 + 86400;
    CHECK_EQ_INT(alerts_run(fixture_ctx(&w.f), &raised, &cleared), KAM_OK);
    CHECK_EQ_INT(q(&w, "SELECT n FROM wc WHERE t = 'alerts'"), 2);
    CHECK_EQ_INT(q(&w, "SELECT last_seen_at FROM alerts"), NOW + 7200 + 86400);
    CHECK_EQ_INT(q(&w, "SELECT n FROM wc WHERE t = 'health'"), 4);
    aworld_close(&w);
}
