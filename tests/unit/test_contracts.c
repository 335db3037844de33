/* test_contracts.c -- contracts (svc/contracts/contract.c, obligation.c): the date arithmetic
 * (month ends: Jan 31 + 1 month = Feb 28, Feb 29 in a leap year; a term ending on a month's last
 * day ends on one again), the obligation rules of each kind with their near misses, occurrences,
 * the status job as of ctx->now on the China day (active -> expiring on the first day of the
 * reminder window, not the day before; the renewal reminder once per notice deadline to the owner
 * and every enabled legal user; expired; auto-renewal by whole terms up to today with one version
 * row; a successor makes it renewed), and the workflow's refusals (a term of an active contract,
 * deleting one, activating twice) leaving nothing written. Every test name starts with
 * "contracts_". */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "fixture.h"
#include "svc/contracts/contract.h"
#include "svc/relationships/account.h"
#include "test.h"

#define DAY 86400LL

/* 00:00 in China of y-m-d, as unix seconds (16:00 UTC the day before). */
static int64_t china_midnight(int y, int m, int d)
{
    return date_to_days(y, m, d) * DAY - 8 * 3600;
}

struct cw {
    struct fixture f;
    int64_t am, legal, legal_off, acc;
};

static int cw_open(struct cw *w)
{
    memset(w, 0, sizeof *w);
    if (!fixture_open(&w->f, FIXTURE_MEMORY, china_midnight(2027, 1, 10) + 3600))
        return 0;
    w->am = fixture_add_user(&w->f, "am", "account_manager", 0);
    w->legal = fixture_add_user(&w->f, "lawyer", "legal", 0);
    w->legal_off = fixture_add_user(&w->f, "lawyer_off", "legal", 0);
    int ok = w->am > 0 && w->legal > 0 && w->legal_off > 0 &&
             !db_exec(w->f.db, "UPDATE users SET disabled = 1 WHERE login = 'lawyer_off'", &w->f.e);
    struct account_in ai = {.set = ACC_CODE | ACC_NAME | ACC_OWNER};
    ai.v.code = "K1";
    ai.v.name = "客户一";
    ai.v.owner_id = w->am;
    struct account a;
    ok = ok && !account_create(fixture_ctx(&w->f), &ai, &a);
    w->acc = ok ? a.id : 0;
    return fixture_setup_end(&w->f, ok);
}

/* A contract of the account owned by the account manager, activated unless draft. */
static int64_t new_contract(struct cw *w, const char *number, const char *starts, const char *ends,
                            int notice, int remind, int auto_renew, int64_t renewal_months,
                            int draft)
{
    struct contract_in in = {.set = CT_ACCOUNT | CT_NUMBER | CT_TITLE | CT_KIND | CT_STARTS_ON |
                                    CT_ENDS_ON | CT_CURRENCY | CT_NOTICE_DAYS | CT_REMIND_DAYS |
                                    CT_AUTO_RENEW | CT_RENEWAL_MONTHS | CT_OWNER};
    in.v.account_id = w->acc;
    in.v.number = number;
    in.v.title = "框架协议";
    in.v.kind = "framework";
    in.v.starts_on = starts;
    in.v.ends_on = ends;
    in.v.currency = "CNY";
    in.v.notice_days = notice;
    in.v.remind_days = remind;
    in.v.auto_renew = auto_renew;
    in.v.renewal_months = renewal_months;
    in.v.owner_id = w->am;
    in.v.has_owner = 1;
    struct contract c;
    enum kam_err rc = contract_create(fixture_ctx(&w->f), &in, &c);
    CHECK_EQ_INT(rc, KAM_OK);
    if (rc)
        return 0;
    if (!draft) {
        struct contract out;
        CHECK_EQ_INT(contract_activate(fixture_ctx(&w->f), c.id, 0, 0, &out), KAM_OK);
    }
    return c.id;
}

static int64_t q64(struct cw *w, const char *fmt, int64_t id)
{
    char sql[400];
    snprintf(sql, sizeof sql, fmt, (long long)id);
    return fixture_q64(&w->f, sql);
}

static struct contract get(struct cw *w, int64_t id)
{
    struct contract c;
    memset(&c, 0, sizeof c);
    CHECK_EQ_INT(contract_get(fixture_ctx(&w->f), id, &c), KAM_OK);
    return c;
}

static int run_job(struct cw *w, int64_t now)
{
    w->f.ctx.now = now;
    int changed = -1;
    CHECK_EQ_INT(contract_job(fixture_ctx(&w->f), &changed), KAM_OK);
    return changed;
}

TEST(contracts_dates)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, china_midnight(2027, 1, 10)))
        return;
    struct kam_ctx *ctx = fixture_ctx(&f);
    CHECK_EQ_STR(contract_add_months(ctx, "2027-01-31", 1), "2027-02-28");
    CHECK_EQ_STR(contract_add_months(ctx, "2028-01-31", 1), "2028-02-29");
    CHECK_EQ_STR(contract_add_months(ctx, "2026-03-31", 1), "2026-04-30");
    CHECK_EQ_STR(contract_add_months(ctx, "2026-12-15", 1), "2027-01-15");
    CHECK_EQ_STR(contract_add_months(ctx, "2026-05-31", -3), "2026-02-28");
    CHECK_EQ_STR(contract_add_months(ctx, "2027-01-31", 13), "2028-02-29");
    CHECK(contract_add_months(ctx, "2027-02-30", 1) == NULL);
    /* a renewal term: a month's last day stays one; another day is clamped */
    CHECK_EQ_STR(contract_renewed_end(ctx, "2027-01-31", 1), "2027-02-28");
    CHECK_EQ_STR(contract_renewed_end(ctx, "2027-02-28", 1), "2027-03-31");
    CHECK_EQ_STR(contract_renewed_end(ctx, "2028-02-29", 12), "2029-02-28");
    CHECK_EQ_STR(contract_renewed_end(ctx, "2027-01-30", 1), "2027-02-28");
    CHECK_EQ_STR(contract_renewed_end(ctx, "2027-04-30", 12), "2028-04-30");
    CHECK_EQ_STR(contract_add_days(ctx, "2027-03-01", -1), "2027-02-28");
    CHECK_EQ_STR(contract_add_days(ctx, "2028-02-28", 1), "2028-02-29");
    CHECK_EQ_INT(contract_days_between("2027-01-01", "2027-03-01"), 59);
    CHECK_EQ_INT(contract_days_between("2027-03-01", "2027-01-01"), -59);
    /* today is the China day: 15:59:59 UTC is still the day, 16:00 the next */
    f.ctx.now = china_midnight(2027, 2, 15) - 1;
    CHECK_EQ_STR(contract_today(fixture_ctx(&f)), "2027-02-14");
    f.ctx.now = china_midnight(2027, 2, 15);
    CHECK_EQ_STR(contract_today(fixture_ctx(&f)), "2027-02-15");
    fixture_close(&f);
}

static struct obligation ob(const char *side, const char *kind)
{
    struct obligation o;
    memset(&o, 0, sizeof o);
    o.side = side;
    o.kind = kind;
    o.title = "";
    o.recurrence = "none";
    o.active = 1;
    return o;
}

TEST(contracts_obligation_rules)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, china_midnight(2027, 1, 10)))
        return;
    CHECK_EQ_INT(
        db_exec(f.db,
                "INSERT INTO products (sku, name, family, currency, created_at, updated_at) "
                "VALUES ('P1', '泵', '泵阀', 'CNY', 0, 0)",
                &f.e),
        KAM_OK);
    /* volume: measure, period and target > 0; family one of the products' */
    struct obligation v = ob("theirs", "volume");
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "obligations[2].", &v), KAM_EINVAL,
                      "obligations[2].measure");
    v.measure = "amount";
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &v), KAM_EINVAL, "period");
    v.period = "week";
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &v), KAM_EINVAL, "target");
    v.has_target = 1;
    v.target = 0;
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &v), KAM_EINVAL, "period");
    v.period = "quarter";
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &v), KAM_EINVAL, "target");
    v.target = 1; /* the near miss */
    CHECK_EQ_INT(obligation_check(fixture_ctx(&f), "", &v), KAM_OK);
    v.family = "阀门";
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &v), KAM_EINVAL, "family");
    CHECK_EQ_STR(f.e.key, "contract.unknown_family");
    v.family = "泵阀";
    CHECK_EQ_INT(obligation_check(fixture_ctx(&f), "", &v), KAM_OK);
    v.due_on = "2027-03-01";
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &v), KAM_EINVAL, "due_on");
    CHECK_EQ_STR(f.e.key, "contract.field_not_for_kind");
    /* payment: days 0..365, nothing of volume */
    struct obligation p = ob("theirs", "payment");
    p.has_days = 1;
    p.days = 365;
    CHECK_EQ_INT(obligation_check(fixture_ctx(&f), "", &p), KAM_OK);
    p.days = 366;
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &p), KAM_EINVAL, "days");
    p.days = 30;
    p.measure = "quantity";
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &p), KAM_EINVAL, "measure");
    p.measure = NULL;
    p.recurrence = "month";
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &p), KAM_EINVAL, "recurrence");
    /* service level: hours positive; price: a tolerance up to 100 % */
    struct obligation s = ob("ours", "service_level");
    s.has_response = 1;
    s.response_hours = 0;
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &s), KAM_EINVAL, "response_hours");
    s.response_hours = 1;
    CHECK_EQ_INT(obligation_check(fixture_ctx(&f), "", &s), KAM_OK);
    s.has_days = 1;
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &s), KAM_EINVAL, "days");
    struct obligation pr = ob("ours", "price");
    pr.tolerance_bp = 10000;
    CHECK_EQ_INT(obligation_check(fixture_ctx(&f), "", &pr), KAM_OK);
    pr.tolerance_bp = 10001;
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &pr), KAM_EINVAL, "tolerance_bp");
    /* the dated kinds need due_on and may recur; delivery takes a lead time */
    struct obligation d = ob("ours", "delivery");
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &d), KAM_EINVAL, "due_on");
    d.due_on = "2027-02-29";
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &d), KAM_EINVAL, "due_on");
    d.due_on = "2027-01-31";
    d.recurrence = "month";
    d.has_days = 1;
    d.days = 14;
    CHECK_EQ_INT(obligation_check(fixture_ctx(&f), "", &d), KAM_OK);
    d.recurrence = "fortnight";
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &d), KAM_EINVAL, "recurrence");
    struct obligation t = ob("ours", "training");
    t.due_on = "2027-01-31";
    t.has_days = 1;
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &t), KAM_EINVAL, "days");
    struct obligation bad = ob("both", "training");
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &bad), KAM_EINVAL, "side");
    bad = ob("ours", "bribe");
    fixture_check_err(&f, obligation_check(fixture_ctx(&f), "", &bad), KAM_EINVAL, "kind");
    /* occurrences: due_on plus whole recurrences, month ends clamped from the first due date */
    d.recurrence = "month";
    CHECK(obligation_is_occurrence(fixture_ctx(&f), &d, "2027-01-31"));
    CHECK(obligation_is_occurrence(fixture_ctx(&f), &d, "2027-02-28"));
    CHECK(obligation_is_occurrence(fixture_ctx(&f), &d, "2027-03-31"));
    CHECK(!obligation_is_occurrence(fixture_ctx(&f), &d, "2027-03-28"));
    CHECK(!obligation_is_occurrence(fixture_ctx(&f), &d, "2026-12-31"));
    d.recurrence = "quarter";
    CHECK(obligation_is_occurrence(fixture_ctx(&f), &d, "2027-04-30"));
    CHECK(!obligation_is_occurrence(fixture_ctx(&f), &d, "2027-02-28"));
    d.recurrence = "none";
    CHECK(obligation_is_occurrence(fixture_ctx(&f), &d, "2027-01-31"));
    CHECK(!obligation_is_occurrence(fixture_ctx(&f), &d, "2027-02-28"));
    fixture_close(&f);
}

TEST(contracts_job_expiring_and_reminder)
{
    struct cw w;
    if (!cw_open(&w))
        return;
    struct fixture *f = &w.f;
    /* ends 2027-03-31, notice 30 days: the deadline 2027-03-01; reminded 14 days before it,
     * from 2027-02-15 */
    int64_t id = new_contract(&w, "HT-1", "2026-04-01", "2027-03-31", 30, 14, 0, 12, 0);
    struct contract c = get(&w, id);
    CHECK_EQ_STR(c.notice_on, "2027-03-01");
    CHECK_EQ_STR(c.status, "active");
    int64_t audits = fixture_q64(f, "SELECT COUNT(*) FROM audit");
    /* the day before the window (its last second in China): nothing */
    CHECK_EQ_INT(run_job(&w, china_midnight(2027, 2, 15) - 1), 0);
    c = get(&w, id);
    CHECK_EQ_STR(c.status, "active");
    CHECK(c.reminded_for == NULL);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM notifications"), 0);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit"), audits);
    /* the first day of the window: expiring, the owner and the enabled legal user reminded */
    CHECK_EQ_INT(run_job(&w, china_midnight(2027, 2, 15)), 1);
    c = get(&w, id);
    CHECK_EQ_STR(c.status, "expiring");
    CHECK_EQ_STR(c.reminded_for, "2027-03-01");
    CHECK_EQ_INT(c.days_to_notice, 14);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM notifications WHERE msg_key = "
                                "'contract.renewal_due' AND kind = 'contract'"),
                 2);
    CHECK_EQ_INT(q64(&w, "SELECT COUNT(*) FROM notifications WHERE user_id = %lld", w.am), 1);
    CHECK_EQ_INT(q64(&w, "SELECT COUNT(*) FROM notifications WHERE user_id = %lld", w.legal), 1);
    CHECK_EQ_INT(q64(&w, "SELECT COUNT(*) FROM notifications WHERE user_id = %lld", w.legal_off),
                 0);
    CHECK_EQ_INT(q64(&w,
                     "SELECT COUNT(*) FROM audit WHERE entity = 'contract' AND entity_id = %lld "
                     "AND action IN ('status', 'remind') AND user_id IS NULL",
                     id),
                 2);
    /* once: the next days change and send nothing */
    audits = fixture_q64(f, "SELECT COUNT(*) FROM audit");
    CHECK_EQ_INT(run_job(&w, china_midnight(2027, 2, 15) + 3600), 0);
    CHECK_EQ_INT(run_job(&w, china_midnight(2027, 3, 20)), 0);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM notifications"), 2);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit"), audits);
    /* an amendment moving the end: back to active, and the new deadline is reminded again */
    struct contract_in am = {.set = CT_EFFECTIVE_ON | CT_ENDS_ON};
    am.effective_on = "2027-03-20";
    am.v.ends_on = "2028-03-31";
    struct contract out;
    CHECK_EQ_INT(contract_amend(fixture_ctx(f), id, &am, &out), KAM_OK);
    CHECK_EQ_INT(out.revision, 2);
    CHECK_EQ_INT(run_job(&w, china_midnight(2027, 3, 21)), 1);
    CHECK_EQ_STR(get(&w, id).status, "active");
    /* 2028 is a leap year: 2028-03-01 less 14 days is 2028-02-16 */
    CHECK_EQ_INT(run_job(&w, china_midnight(2028, 2, 15)), 0);
    CHECK_EQ_INT(run_job(&w, china_midnight(2028, 2, 16)), 1);
    c = get(&w, id);
    CHECK_EQ_STR(c.status, "expiring");
    CHECK_EQ_STR(c.reminded_for, "2028-03-01");
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM notifications"), 4);
    /* after its end: expired, nothing more */
    CHECK_EQ_INT(run_job(&w, china_midnight(2028, 3, 31) + DAY - 1), 0);
    CHECK_EQ_STR(get(&w, id).status, "expiring");
    CHECK_EQ_INT(run_job(&w, china_midnight(2028, 4, 1)), 1);
    CHECK_EQ_STR(get(&w, id).status, "expired");
    CHECK_EQ_INT(run_job(&w, china_midnight(2028, 4, 2)), 0);
    /* a draft is left alone */
    int64_t draft = new_contract(&w, "HT-D", "2020-01-01", "2020-12-31", 30, 30, 0, 12, 1);
    CHECK_EQ_INT(run_job(&w, china_midnight(2028, 4, 3)), 0);
    CHECK_EQ_STR(get(&w, draft).status, "draft");
    fixture_close(f);
}

TEST(contracts_job_auto_renew)
{
    struct cw w;
    if (!cw_open(&w))
        return;
    struct fixture *f = &w.f;
    /* monthly auto-renewal from Jan 31, no notice: Feb 28 (the month's end kept: Mar 31) */
    int64_t a = new_contract(&w, "HT-A", "2027-01-01", "2027-01-31", 0, 0, 1, 1, 0);
    /* yearly from a leap day: Feb 28 next year */
    int64_t b = new_contract(&w, "HT-B", "2027-03-01", "2028-02-29", 0, 0, 1, 12, 0);
    /* without auto_renew: expired; with a successor: renewed */
    int64_t c = new_contract(&w, "HT-C", "2026-02-01", "2027-01-31", 0, 0, 0, 12, 0);
    int64_t d = new_contract(&w, "HT-D", "2026-02-01", "2027-01-31", 0, 0, 1, 12, 0);
    struct contract succ;
    CHECK_EQ_INT(contract_renew(fixture_ctx(f), d, "HT-D2", NULL, NULL, &succ), KAM_OK);
    CHECK_EQ_STR(succ.starts_on, "2027-02-01");
    CHECK_EQ_STR(succ.ends_on, "2028-01-31");
    CHECK_EQ_STR(succ.status, "draft");
    /* no notice: the day before the end nothing, the last day expiring (still in its term) */
    CHECK_EQ_INT(run_job(&w, china_midnight(2027, 1, 30)), 0);
    CHECK_EQ_INT(run_job(&w, china_midnight(2027, 1, 31)), 3);
    CHECK_EQ_STR(get(&w, a).status, "expiring");
    CHECK_EQ_STR(get(&w, a).ends_on, "2027-01-31");
    CHECK_EQ_INT(run_job(&w, china_midnight(2027, 2, 1)), 3);
    struct contract x = get(&w, a);
    CHECK_EQ_STR(x.ends_on, "2027-02-28");
    CHECK_EQ_STR(x.status, "active");
    CHECK_EQ_INT(x.revision, 2);
    CHECK_EQ_INT(q64(&w,
                     "SELECT COUNT(*) FROM contract_versions WHERE contract_id = %lld AND "
                     "revision = 2 AND effective_on = '2027-02-01' AND note LIKE 'automatic "
                     "renewal%%'",
                     a),
                 1);
    CHECK_EQ_STR(get(&w, c).status, "expired");
    /* an expired contract renewed later: renewed at once; its successor deleted: expired again */
    struct contract succ_c;
    CHECK_EQ_INT(contract_renew(fixture_ctx(f), c, "HT-C2", "2027-03-01", NULL, &succ_c), KAM_OK);
    CHECK_EQ_STR(succ_c.ends_on, "2028-02-29");
    CHECK_EQ_STR(get(&w, c).status, "renewed");
    struct contract again;
    fixture_check_err(f, contract_renew(fixture_ctx(f), c, "HT-C3", NULL, NULL, &again),
                      KAM_ECONFLICT, "id");
    CHECK_EQ_INT(contract_delete(fixture_ctx(f), succ_c.id), KAM_OK);
    x = get(&w, c);
    CHECK_EQ_STR(x.status, "expired");
    CHECK(!x.has_renewed_to);
    x = get(&w, d);
    CHECK_EQ_STR(x.status, "renewed");
    CHECK_EQ_STR(x.ends_on, "2027-01-31");
    CHECK_EQ_INT(x.renewed_to, succ.id);
    /* two months late: the terms up to today at once, one version row */
    CHECK_EQ_INT(run_job(&w, china_midnight(2027, 4, 15)), 1);
    x = get(&w, a);
    CHECK_EQ_STR(x.ends_on, "2027-04-30");
    CHECK_EQ_INT(x.revision, 3);
    CHECK_EQ_INT(q64(&w, "SELECT COUNT(*) FROM contract_versions WHERE contract_id = %lld", a), 3);
    CHECK_EQ_INT(run_job(&w, china_midnight(2028, 3, 1)), 2);
    CHECK_EQ_STR(get(&w, b).ends_on, "2029-02-28");
    CHECK_EQ_STR(get(&w, b).status, "active");
    CHECK_EQ_STR(get(&w, a).ends_on, "2028-03-31");
    CHECK_EQ_INT(q64(&w,
                     "SELECT COUNT(*) FROM audit WHERE entity = 'contract' AND entity_id = %lld "
                     "AND action = 'renew'",
                     a),
                 3);
    fixture_close(f);
}

TEST(contracts_workflow_refusals)
{
    struct cw w;
    if (!cw_open(&w))
        return;
    struct fixture *f = &w.f;
    int64_t id = new_contract(&w, "HT-W", "2027-01-01", "2027-12-31", 30, 30, 0, 12, 0);
    int64_t draft = new_contract(&w, "HT-X", "2027-01-01", "2027-12-31", 30, 30, 0, 12, 1);
    CHECK_EQ_INT(q64(&w,
                     "SELECT COUNT(*) FROM contract_versions WHERE contract_id = %lld AND "
                     "revision = 1 AND effective_on = '2027-01-01'",
                     id),
                 1);
    int64_t audits = fixture_q64(f, "SELECT COUNT(*) FROM audit");
    int64_t version = get(&w, id).version;
    struct contract out;
    /* a term of an active contract: 409, its note is fine */
    struct contract_in in = {.set = CT_ENDS_ON};
    in.v.ends_on = "2028-12-31";
    fixture_check_err(f, contract_update(fixture_ctx(f), id, &in, &out), KAM_ECONFLICT, "status");
    CHECK_EQ_STR(f->e.key, "contract.amend_active");
    /* the number of another contract: 409 naming number */
    struct contract_in num = {.set = CT_NUMBER};
    num.v.number = "HT-W";
    fixture_check_err(f, contract_update(fixture_ctx(f), draft, &num, &out), KAM_ECONFLICT,
                      "number");
    CHECK_EQ_STR(f->e.key, "contract.number_taken");
    fixture_check_err(f, contract_delete(fixture_ctx(f), id), KAM_ECONFLICT, "id");
    fixture_check_err(f, contract_activate(fixture_ctx(f), id, 0, 0, &out), KAM_ECONFLICT,
                      "status");
    fixture_check_err(f, contract_terminate(fixture_ctx(f), draft, "x", NULL, &out), KAM_ECONFLICT,
                      "status");
    fixture_check_err(f, contract_terminate(fixture_ctx(f), id, " ", NULL, &out), KAM_EINVAL,
                      "reason");
    /* an obligation of a draft only */
    struct obligation_in oi = {.set = OB_SIDE | OB_KIND | OB_DAYS};
    oi.side = "theirs";
    oi.kind = "payment";
    oi.days = 30;
    oi.has_days = 1;
    struct obligation o;
    fixture_check_err(f, obligation_create(fixture_ctx(f), id, &oi, &o), KAM_ECONFLICT, "status");
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit"), audits);
    CHECK_EQ_INT(get(&w, id).version, version);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM contract_obligations"), 0);
    struct contract_in note = {.set = CT_NOTE};
    note.v.note = "谈判中";
    CHECK_EQ_INT(contract_update(fixture_ctx(f), id, &note, &out), KAM_OK);
    CHECK_EQ_INT(out.version, version + 1);
    /* the draft takes the obligation; deleting the draft takes its obligations along */
    CHECK_EQ_INT(obligation_create(fixture_ctx(f), draft, &oi, &o), KAM_OK);
    CHECK_EQ_INT(contract_delete(fixture_ctx(f), draft), KAM_OK);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM contract_obligations"), 0);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit WHERE entity = 'contract_obligation' "
                                "AND action = 'delete'"),
                 1);
    fixture_close(f);
}
