/* test_svc.c -- unit tests of src/svc against a fresh in-memory SQLite database per test. */
/* Policy, record scope, accounts, contacts, audit, auth, users and teams, paging. */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/b64.h"
#include "fixture.h"
#include "store/db.h"
#include "svc/core/audit.h"
#include "svc/core/auth.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/user.h"
#include "svc/relationships/account.h"
#include "svc/relationships/contact.h"
#include "test.h"

#define NOW 1700000000

/* ---- fixture: struct fixture (fixture.h) on a fresh in-memory database ---- */

/* The context with a cleared error (kam_fail keeps the first error). */
static struct kam_ctx *C(struct fixture *f)
{
    return fixture_ctx(f);
}

static void as_system(struct fixture *f)
{
    fixture_as(f, 0, ROLE_ADMIN);
}

static int64_t q64_id(struct fixture *f, const char *sql, int64_t id)
{
    int64_t v = -1;
    struct kam_error e = {0};
    if (db_query_i64(f->db, sql, 1, id, &v, &e) != KAM_OK)
        fprintf(stderr, "  query failed: %s: %s\n", sql, e.msg);
    return v;
}

/* Text column 0 of the first row of sql bound to id, copied into the arena ("" if none). */
static const char *qtext(struct fixture *f, const char *sql, int64_t id)
{
    struct db_stmt *st;
    struct kam_error e = {0};
    if (db_prepare(f->db, sql, &st, &e) != KAM_OK)
        return "";
    db_bind_i64(st, 1, id);
    int row = 0;
    const char *s = "";
    if (db_step(st, &row, &e) == KAM_OK && row)
        s = arena_strdup(&f->a, db_col_text(st, 0));
    db_done(st);
    return s;
}

static int64_t mk_team(struct fixture *f, const char *name, int64_t parent, int64_t manager)
{
    struct principal saved = f->ctx.who;
    as_system(f);
    struct team_in in = {0};
    in.v.name = name;
    in.set = TEAM_NAME;
    if (parent) {
        in.v.has_parent = 1;
        in.v.parent_id = parent;
        in.set |= TEAM_PARENT;
    }
    if (manager) {
        in.v.has_manager = 1;
        in.v.manager_id = manager;
        in.set |= TEAM_MANAGER;
    }
    struct team t = {0};
    enum kam_err rc = team_create(C(f), &in, &t);
    if (rc)
        fprintf(stderr, "  team_create %s: %s\n", name, f->e.msg);
    CHECK_EQ_INT(rc, KAM_OK);
    f->ctx.who = saved;
    return rc ? 0 : t.id;
}

static struct account_in acc_in(const char *code, const char *name, int64_t owner)
{
    struct account_in in = {0};
    in.v.code = code;
    in.v.name = name;
    in.set = ACC_CODE | ACC_NAME;
    if (owner) {
        in.v.owner_id = owner;
        in.set |= ACC_OWNER;
    }
    return in;
}

static int64_t mk_account_in(struct fixture *f, const struct account_in *in)
{
    struct principal saved = f->ctx.who;
    as_system(f);
    struct account a = {0};
    enum kam_err rc = account_create(C(f), in, &a);
    if (rc)
        fprintf(stderr, "  account_create %s: %s\n", in->v.code, f->e.msg);
    CHECK_EQ_INT(rc, KAM_OK);
    f->ctx.who = saved;
    return rc ? 0 : a.id;
}

static int64_t mk_account(struct fixture *f, const char *code, const char *name, int64_t owner)
{
    struct account_in in = acc_in(code, name, owner);
    return mk_account_in(f, &in);
}

static int64_t mk_contact(struct fixture *f, int64_t account, const char *name, int64_t reports_to)
{
    struct principal saved = f->ctx.who;
    as_system(f);
    struct contact_in in = {0};
    in.v.name = name;
    in.set = CON_NAME;
    if (reports_to) {
        in.v.has_reports_to = 1;
        in.v.reports_to_id = reports_to;
        in.set |= CON_REPORTS_TO;
    }
    struct contact c = {0};
    enum kam_err rc = contact_create(C(f), account, &in, &c);
    if (rc)
        fprintf(stderr, "  contact_create %s: %s\n", name, f->e.msg);
    CHECK_EQ_INT(rc, KAM_OK);
    f->ctx.who = saved;
    return rc ? 0 : c.id;
}

static void add_member(struct fixture *f, int64_t account, int64_t user, const char *dept_role)
{
    struct principal saved = f->ctx.who;
    as_system(f);
    struct account_member m;
    enum kam_err rc = account_member_add(C(f), account, user, dept_role, &m);
    if (rc)
        fprintf(stderr, "  account_member_add: %s\n", f->e.msg);
    CHECK_EQ_INT(rc, KAM_OK);
    f->ctx.who = saved;
}

/* Rows in every table a failed operation must leave alone. */
static int64_t rows_total(struct fixture *f)
{
    return fixture_q64(f,
                       "SELECT (SELECT COUNT(*) FROM accounts) + (SELECT COUNT(*) FROM contacts) + "
                       "(SELECT COUNT(*) FROM account_members) + (SELECT COUNT(*) FROM audit) + "
                       "(SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM teams) + "
                       "(SELECT COUNT(*) FROM api_tokens)");
}

/* The org used by the scope tests:
 *   team Top (manager boss) > team Mid (manager mid) > team Leaf (no manager)
 *   am1, am2: account managers in Leaf (peers); lead2 manages the unrelated team Other;
 *   svc1: service, no team; fin: finance; viewer1: viewer, no team.
 *   A1 owned by am1, A2 owned by am2. */
struct org {
    int64_t boss, mid, am1, am2, lead2, svc1, fin, viewer1;
    int64_t top, midt, leaf, other;
    int64_t a1, a2;
};

static void build_org(struct fixture *f, struct org *o)
{
    o->boss = fixture_add_user(f, "boss", "team_lead", 0);
    o->mid = fixture_add_user(f, "mid", "team_lead", 0);
    o->top = mk_team(f, "Top", 0, o->boss);
    o->midt = mk_team(f, "Mid", o->top, o->mid);
    o->leaf = mk_team(f, "Leaf", o->midt, 0);
    o->am1 = fixture_add_user(f, "am1", "account_manager", o->leaf);
    o->am2 = fixture_add_user(f, "am2", "account_manager", o->leaf);
    o->lead2 = fixture_add_user(f, "lead2", "team_lead", 0);
    o->other = mk_team(f, "Other", 0, o->lead2);
    o->svc1 = fixture_add_user(f, "svc1", "service", 0);
    o->fin = fixture_add_user(f, "fin", "finance", 0);
    o->viewer1 = fixture_add_user(f, "viewer1", "viewer", 0);
    o->a1 = mk_account(f, "A1", "Acc One", o->am1);
    o->a2 = mk_account(f, "A2", "Acc Two", o->am2);
}

static int in_scope_as(struct fixture *f, int64_t uid, enum role r, int64_t account)
{
    fixture_as(f, uid, r);
    int yes = -1;
    enum kam_err rc = policy_account_in_scope(C(f), account, &yes);
    CHECK_EQ_INT(rc, KAM_OK);
    as_system(f);
    return yes;
}

/* ---- policy table ---- */

static const enum obj data_objs[] = {OBJ_ACCOUNT, OBJ_CONTACT, OBJ_MEMBER};

TEST(policy_admin_may_do_everything_but_write_audit)
{
    /* Everything on every object, except: the audit trail is read-only, products are never
     * deleted (there is no delete; retire one with active=false), imports are records of what
     * happened (no update or delete), and approving target plans is the director's alone
     * (separation of duties: whoever administers the system does not approve targets).
     * Satisfaction figures are computed, never written; a survey response is what the customer
     * said: it may be erased, never edited. */
    for (int o = OBJ_PUBLIC; o < OBJ_COUNT; o++)
        for (int a = 0; a < ACT_COUNT; a++) {
            enum grant want = GRANT_ALL;
            if (o == OBJ_AUDIT && a != ACT_READ)
                want = GRANT_NONE;
            else if (o == OBJ_PRODUCT && a == ACT_DELETE)
                want = GRANT_NONE;
            else if (o == OBJ_IMPORT && (a == ACT_UPDATE || a == ACT_DELETE))
                want = GRANT_NONE;
            else if (o == OBJ_APPROVAL)
                want = GRANT_NONE;
            else if (o == OBJ_SATISFACTION && a != ACT_READ)
                want = GRANT_NONE;
            else if (o == OBJ_SURVEY_RESPONSE && a == ACT_UPDATE)
                want = GRANT_NONE;
            else if (o == OBJ_DISCOUNT && (a == ACT_UPDATE || a == ACT_DELETE))
                want = GRANT_NONE; /* deciding discounts is the business's, not the admin's */
            CHECK_EQ_INT(policy_grant(ROLE_ADMIN, o, a), want);
        }
    CHECK_EQ_INT(policy_grant(ROLE_DIRECTOR, OBJ_APPROVAL, ACT_UPDATE), GRANT_ALL);
}

TEST(policy_director_writes_business_data_reads_people)
{
    for (size_t i = 0; i < 3; i++)
        for (int a = 0; a < ACT_COUNT; a++)
            CHECK_EQ_INT(policy_grant(ROLE_DIRECTOR, data_objs[i], a), GRANT_ALL);
    CHECK_EQ_INT(policy_grant(ROLE_DIRECTOR, OBJ_USER, ACT_READ), GRANT_ALL);
    CHECK_EQ_INT(policy_grant(ROLE_DIRECTOR, OBJ_USER, ACT_CREATE), GRANT_NONE);
    CHECK_EQ_INT(policy_grant(ROLE_DIRECTOR, OBJ_TEAM, ACT_UPDATE), GRANT_NONE);
}

TEST(policy_finance_is_read_only)
{
    /* Finance reads everything org-wide and writes nothing of the relationship (accounts,
     * contacts, teams, interactions, visits, issues, care, config, targets), but keeps the
     * figures: the product catalogue and exchange rates (no delete), the order lines (all
     * actions) and the imports (read and create). It never approves targets. Of the surveys it
     * reads the questions and the aggregates, not who was sent what, what one person answered or
     * the departments' follow-ups of it (personal data it does not need). */
    for (int o = OBJ_ACCOUNT; o <= OBJ_TRAINING; o++) { /* the team chapter: below */
        int hidden = o == OBJ_APPROVAL || o == OBJ_SURVEY_LINK || o == OBJ_SURVEY_RESPONSE ||
                     o == OBJ_FOLLOW_UP || o == OBJ_ACCOUNTABILITY || o == OBJ_TRAINING;
        CHECK_EQ_INT(policy_grant(ROLE_FINANCE, o, ACT_READ), hidden ? GRANT_NONE : GRANT_ALL);
        for (int a = ACT_CREATE; a < ACT_COUNT; a++) {
            enum grant want = GRANT_NONE;
            if (o == OBJ_PRODUCT && a != ACT_DELETE)
                want = GRANT_ALL;
            else if (o == OBJ_SALES)
                want = GRANT_ALL;
            else if (o == OBJ_IMPORT && a == ACT_CREATE)
                want = GRANT_ALL;
            else if (o == OBJ_PRICING) /* price lists, promotions, rebates (issue 15) */
                want = GRANT_ALL;
            else if (o == OBJ_CATALOG) /* bundles, service items (issue 15) */
                want = GRANT_ALL;
            else if (o == OBJ_DISCOUNT && a == ACT_UPDATE) /* decides discounts over the
                                                             director's limit, with them */
                want = GRANT_ALL;
            else if (o == OBJ_CREDIT || o == OBJ_RECEIVABLE) /* owns credit and receivables */
                want = GRANT_ALL;
            else if (o == OBJ_RISK && a != ACT_DELETE) /* raises and works credit risks */
                want = GRANT_ALL;
            else if ((o == OBJ_GIFT || o == OBJ_ALERT) && a == ACT_UPDATE) /* decides gifts over
                                                       a finance rule; works payment alerts */
                want = GRANT_ALL;
            else if ((o == OBJ_CONTRACT || o == OBJ_DISPUTE || o == OBJ_LESSON) &&
                     a != ACT_DELETE) /* with legal: contracts, disputes, lessons (issue 17) */
                want = GRANT_ALL;
            else if (o == OBJ_BREACH && a == ACT_UPDATE) /* confirms, waives, cures breaches */
                want = GRANT_ALL;
            CHECK_EQ_INT(policy_grant(ROLE_FINANCE, o, a), want);
        }
    }
}

TEST(policy_legal_reads_what_finance_reads)
{
    /* Issue 17: legal reads, org-wide, whatever finance reads, and writes nothing outside the
     * contracts chapter, where it holds every right but deleting a breach (a breach is waived
     * with a reason, never deleted). */
    for (int o = OBJ_ACCOUNT; o <= OBJ_TRAINING; o++) { /* the team chapter: below */
        int chapter = o == OBJ_CONTRACT || o == OBJ_BREACH || o == OBJ_DISPUTE || o == OBJ_LESSON ||
                      o == OBJ_ACCOUNTABILITY || o == OBJ_TRAINING;
        if (chapter)
            continue;
        CHECK_EQ_INT(policy_grant(ROLE_LEGAL, o, ACT_READ),
                     policy_grant(ROLE_FINANCE, o, ACT_READ) ? GRANT_ALL : GRANT_NONE);
        for (int a = ACT_CREATE; a < ACT_COUNT; a++)
            CHECK_EQ_INT(policy_grant(ROLE_LEGAL, o, a), GRANT_NONE);
    }
    const enum obj mine[] = {OBJ_CONTRACT, OBJ_DISPUTE, OBJ_LESSON, OBJ_ACCOUNTABILITY};
    for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++)
        for (int a = 0; a < ACT_COUNT; a++)
            CHECK_EQ_INT(policy_grant(ROLE_LEGAL, mine[i], a), GRANT_ALL);
    CHECK_EQ_INT(policy_grant(ROLE_LEGAL, OBJ_BREACH, ACT_UPDATE), GRANT_ALL);
    CHECK_EQ_INT(policy_grant(ROLE_LEGAL, OBJ_BREACH, ACT_DELETE), GRANT_NONE);
    CHECK_EQ_INT(user_role_rank(ROLE_LEGAL) < user_role_rank(ROLE_FINANCE), 1);
    CHECK_EQ_INT(user_role_rank(ROLE_LEGAL) > user_role_rank(ROLE_TEAM_LEAD), 1);
}

TEST(policy_team_records_are_personal)
{
    /* Issue 18: a person's assessments, enrolments, scorecards and payout statements are read
     * org-wide only by admin, hr and the director (and payouts by finance, who approves them);
     * everyone else reads them in scope (their own, and a lead those of their team) or not at
     * all. An account manager changes nothing of their own scorecard but the acknowledgement
     * (update), and reads their statement without changing it. The company-wide parts (the
     * competency model, the catalogue, the schemes) are read by everyone. */
    const enum obj personal[] = {OBJ_ASSESSMENT, OBJ_ENROLMENT, OBJ_SCORECARD, OBJ_PAYOUT};
    for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++) {
        for (size_t i = 0; i < sizeof personal / sizeof personal[0]; i++) {
            enum obj o = personal[i];
            int org = r == ROLE_ADMIN || r == ROLE_HR || r == ROLE_DIRECTOR ||
                      (o == OBJ_PAYOUT && r == ROLE_FINANCE);
            enum grant g = policy_grant((enum role)r, o, ACT_READ);
            CHECK_EQ_INT(g == GRANT_ALL, org);
        }
        CHECK_EQ_INT(policy_grant((enum role)r, OBJ_COMPETENCY, ACT_READ) != GRANT_NONE, 1);
        CHECK_EQ_INT(policy_grant((enum role)r, OBJ_COURSE, ACT_READ) != GRANT_NONE, 1);
        CHECK_EQ_INT(policy_grant((enum role)r, OBJ_SCHEME, ACT_READ) != GRANT_NONE, 1);
    }
    CHECK_EQ_INT(policy_grant(ROLE_ACCOUNT_MANAGER, OBJ_SCORECARD, ACT_READ), GRANT_SCOPE);
    CHECK_EQ_INT(policy_grant(ROLE_ACCOUNT_MANAGER, OBJ_SCORECARD, ACT_UPDATE), GRANT_SCOPE);
    CHECK_EQ_INT(policy_grant(ROLE_ACCOUNT_MANAGER, OBJ_SCORECARD, ACT_CREATE), GRANT_NONE);
    CHECK_EQ_INT(policy_grant(ROLE_ACCOUNT_MANAGER, OBJ_PAYOUT, ACT_READ), GRANT_SCOPE);
    CHECK_EQ_INT(policy_grant(ROLE_ACCOUNT_MANAGER, OBJ_PAYOUT, ACT_UPDATE), GRANT_NONE);
    CHECK_EQ_INT(policy_grant(ROLE_TEAM_LEAD, OBJ_PAYOUT, ACT_READ), GRANT_SCOPE);
    CHECK_EQ_INT(policy_grant(ROLE_FINANCE, OBJ_PAYOUT, ACT_UPDATE), GRANT_ALL); /* approves */
    CHECK_EQ_INT(policy_grant(ROLE_HR, OBJ_PAYOUT, ACT_UPDATE), GRANT_NONE);
    for (int a = 0; a < ACT_COUNT; a++) {
        CHECK_EQ_INT(policy_grant(ROLE_HR, OBJ_COMPETENCY, a), GRANT_ALL);
        CHECK_EQ_INT(policy_grant(ROLE_HR, OBJ_COURSE, a), GRANT_ALL);
        CHECK_EQ_INT(policy_grant(ROLE_HR, OBJ_SCHEME, a), GRANT_ALL);
    }
    CHECK_EQ_INT(policy_scope_is_person(SCOPE_SCORECARD), 1);
    CHECK_EQ_INT(policy_scope_is_person(SCOPE_ACCOUNT), 0);
    /* denied: a 403 for whoever may read the record itself, else a 404, whatever accounts the
     * caller reads (finance reads every account but no assessment) */
    CHECK_EQ_INT(policy_decide(ROLE_HR, OBJ_PAYOUT, ACT_UPDATE, SCOPE_PAYOUT, 0), DECIDE_FORBID);
    CHECK_EQ_INT(policy_decide(ROLE_FINANCE, OBJ_ASSESSMENT, ACT_READ, SCOPE_ASSESSMENT, 0),
                 DECIDE_HIDE);
    CHECK_EQ_INT(policy_decide(ROLE_ACCOUNT_MANAGER, OBJ_SCORECARD, ACT_READ, SCOPE_SCORECARD, 0),
                 DECIDE_HIDE);
    CHECK_EQ_INT(policy_decide(ROLE_ACCOUNT_MANAGER, OBJ_SCORECARD, ACT_DELETE, SCOPE_SCORECARD, 1),
                 DECIDE_FORBID);
    CHECK_EQ_INT(policy_decide(ROLE_ACCOUNT_MANAGER, OBJ_SCORECARD, ACT_READ, SCOPE_SCORECARD, 1),
                 DECIDE_ALLOW);
}

TEST(policy_credit_is_finances)
{
    /* Issue 16: finance owns credit limits; an account manager and a team lead read their
     * accounts' exposure and receivables but change no limit; the director reads them all. */
    for (int a = 0; a < ACT_COUNT; a++) {
        CHECK_EQ_INT(policy_grant(ROLE_FINANCE, OBJ_CREDIT, a), GRANT_ALL);
        enum grant am = a == ACT_READ ? GRANT_SCOPE : GRANT_NONE;
        CHECK_EQ_INT(policy_grant(ROLE_ACCOUNT_MANAGER, OBJ_CREDIT, a), am);
        CHECK_EQ_INT(policy_grant(ROLE_TEAM_LEAD, OBJ_CREDIT, a), am);
        CHECK_EQ_INT(policy_grant(ROLE_ACCOUNT_MANAGER, OBJ_RECEIVABLE, a), am);
        CHECK_EQ_INT(policy_grant(ROLE_DIRECTOR, OBJ_CREDIT, a),
                     a == ACT_READ ? GRANT_ALL : GRANT_NONE);
        CHECK_EQ_INT(policy_grant(ROLE_HR, OBJ_ALERT, a), GRANT_NONE);
    }
}

TEST(policy_hr_has_no_accounts_but_manages_people)
{
    for (int a = 0; a < ACT_COUNT; a++) {
        CHECK_EQ_INT(policy_grant(ROLE_HR, OBJ_ACCOUNT, a), GRANT_NONE);
        CHECK_EQ_INT(policy_grant(ROLE_HR, OBJ_CONTACT, a), GRANT_NONE);
        CHECK_EQ_INT(policy_grant(ROLE_HR, OBJ_MEMBER, a), GRANT_NONE);
        CHECK_EQ_INT(policy_grant(ROLE_HR, OBJ_AUDIT, a), GRANT_NONE);
        CHECK_EQ_INT(policy_grant(ROLE_HR, OBJ_USER, a), GRANT_ALL);
        CHECK_EQ_INT(policy_grant(ROLE_HR, OBJ_TEAM, a), GRANT_ALL);
    }
}

TEST(policy_viewer_reads_in_scope_only)
{
    for (size_t i = 0; i < 3; i++) {
        CHECK_EQ_INT(policy_grant(ROLE_VIEWER, data_objs[i], ACT_READ), GRANT_SCOPE);
        for (int a = ACT_CREATE; a < ACT_COUNT; a++)
            CHECK_EQ_INT(policy_grant(ROLE_VIEWER, data_objs[i], a), GRANT_NONE);
    }
    CHECK_EQ_INT(policy_grant(ROLE_VIEWER, OBJ_AUDIT, ACT_READ), GRANT_SCOPE);
    CHECK_EQ_INT(policy_grant(ROLE_VIEWER, OBJ_USER, ACT_READ), GRANT_ALL);
    CHECK_EQ_INT(policy_grant(ROLE_VIEWER, OBJ_USER, ACT_UPDATE), GRANT_NONE);
}

TEST(policy_account_manager_cannot_delete_accounts)
{
    CHECK_EQ_INT(policy_grant(ROLE_ACCOUNT_MANAGER, OBJ_ACCOUNT, ACT_READ), GRANT_SCOPE);
    CHECK_EQ_INT(policy_grant(ROLE_ACCOUNT_MANAGER, OBJ_ACCOUNT, ACT_CREATE), GRANT_SCOPE);
    CHECK_EQ_INT(policy_grant(ROLE_ACCOUNT_MANAGER, OBJ_ACCOUNT, ACT_UPDATE), GRANT_SCOPE);
    CHECK_EQ_INT(policy_grant(ROLE_ACCOUNT_MANAGER, OBJ_ACCOUNT, ACT_DELETE), GRANT_NONE);
    CHECK_EQ_INT(policy_grant(ROLE_ACCOUNT_MANAGER, OBJ_CONTACT, ACT_DELETE), GRANT_SCOPE);
    CHECK_EQ_INT(policy_grant(ROLE_ACCOUNT_MANAGER, OBJ_MEMBER, ACT_CREATE), GRANT_SCOPE);
    CHECK_EQ_INT(policy_grant(ROLE_ACCOUNT_MANAGER, OBJ_USER, ACT_CREATE), GRANT_NONE);
}

TEST(policy_team_lead_deletes_in_scope)
{
    for (int a = 0; a < ACT_COUNT; a++)
        CHECK_EQ_INT(policy_grant(ROLE_TEAM_LEAD, OBJ_ACCOUNT, a), GRANT_SCOPE);
    CHECK_EQ_INT(policy_grant(ROLE_TEAM_LEAD, OBJ_TEAM, ACT_CREATE), GRANT_NONE);
}

TEST(policy_service_writes_contacts_only)
{
    CHECK_EQ_INT(policy_grant(ROLE_SERVICE, OBJ_ACCOUNT, ACT_READ), GRANT_SCOPE);
    CHECK_EQ_INT(policy_grant(ROLE_SERVICE, OBJ_ACCOUNT, ACT_UPDATE), GRANT_NONE);
    for (int a = 0; a < ACT_COUNT; a++)
        CHECK_EQ_INT(policy_grant(ROLE_SERVICE, OBJ_CONTACT, a), GRANT_SCOPE);
    CHECK_EQ_INT(policy_grant(ROLE_SERVICE, OBJ_MEMBER, ACT_READ), GRANT_SCOPE);
    CHECK_EQ_INT(policy_grant(ROLE_SERVICE, OBJ_MEMBER, ACT_CREATE), GRANT_NONE);
}

TEST(policy_unknown_role_object_or_action_grants_nothing)
{
    CHECK_EQ_INT(policy_grant(ROLE_NONE, OBJ_ACCOUNT, ACT_READ), GRANT_NONE);
    CHECK_EQ_INT(policy_grant(ROLE_NONE, OBJ_SELF, ACT_READ), GRANT_NONE);
    CHECK_EQ_INT(policy_grant(ROLE_COUNT, OBJ_ACCOUNT, ACT_READ), GRANT_NONE);
    CHECK_EQ_INT(policy_grant((enum role) - 1, OBJ_ACCOUNT, ACT_READ), GRANT_NONE);
    CHECK_EQ_INT(policy_grant(ROLE_ADMIN, OBJ_COUNT, ACT_READ), GRANT_NONE);
    CHECK_EQ_INT(policy_grant(ROLE_ADMIN, OBJ_ACCOUNT, ACT_COUNT), GRANT_NONE);
    CHECK_EQ_INT(policy_decide(ROLE_NONE, OBJ_ACCOUNT, ACT_READ, SCOPE_ACCOUNT, 1), DECIDE_HIDE);
}

/* Expected decisions per role for one (object, action) on a record route, out of / in scope. */
struct decide_row {
    enum role r;
    enum decision out, in;
};

static void check_decide(enum obj o, enum act a, enum scope_kind k, const struct decide_row *rows,
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        enum decision d0 = policy_decide(rows[i].r, o, a, k, 0);
        enum decision d1 = policy_decide(rows[i].r, o, a, k, 1);
        if (d0 != rows[i].out || d1 != rows[i].in)
            fprintf(stderr, "  role %s %s %s: got %d/%d\n", role_name(rows[i].r), obj_name(o),
                    act_name(a), d0, d1);
        CHECK_EQ_INT(d0, rows[i].out);
        CHECK_EQ_INT(d1, rows[i].in);
    }
}

#define A_ DECIDE_ALLOW
#define F_ DECIDE_FORBID
#define H_ DECIDE_HIDE

TEST(policy_decide_read_account_every_role)
{
    static const struct decide_row rows[] = {
        {ROLE_ADMIN, A_, A_},     {ROLE_DIRECTOR, A_, A_},        {ROLE_FINANCE, A_, A_},
        {ROLE_TEAM_LEAD, H_, A_}, {ROLE_ACCOUNT_MANAGER, H_, A_}, {ROLE_SERVICE, H_, A_},
        {ROLE_HR, H_, H_},        {ROLE_VIEWER, H_, A_},
    };
    check_decide(OBJ_ACCOUNT, ACT_READ, SCOPE_ACCOUNT, rows, sizeof rows / sizeof rows[0]);
}

TEST(policy_decide_update_account_every_role)
{
    static const struct decide_row rows[] = {
        {ROLE_ADMIN, A_, A_},     {ROLE_DIRECTOR, A_, A_},        {ROLE_FINANCE, F_, F_},
        {ROLE_TEAM_LEAD, H_, A_}, {ROLE_ACCOUNT_MANAGER, H_, A_}, {ROLE_SERVICE, H_, F_},
        {ROLE_HR, H_, H_},        {ROLE_VIEWER, H_, F_},
    };
    check_decide(OBJ_ACCOUNT, ACT_UPDATE, SCOPE_ACCOUNT, rows, sizeof rows / sizeof rows[0]);
}

TEST(policy_decide_delete_account_every_role)
{
    static const struct decide_row rows[] = {
        {ROLE_ADMIN, A_, A_},     {ROLE_DIRECTOR, A_, A_},        {ROLE_FINANCE, F_, F_},
        {ROLE_TEAM_LEAD, H_, A_}, {ROLE_ACCOUNT_MANAGER, H_, F_}, {ROLE_SERVICE, H_, F_},
        {ROLE_HR, H_, H_},        {ROLE_VIEWER, H_, F_},
    };
    check_decide(OBJ_ACCOUNT, ACT_DELETE, SCOPE_ACCOUNT, rows, sizeof rows / sizeof rows[0]);
}

TEST(policy_decide_update_contact_every_role)
{
    static const struct decide_row rows[] = {
        {ROLE_ADMIN, A_, A_},     {ROLE_DIRECTOR, A_, A_},        {ROLE_FINANCE, F_, F_},
        {ROLE_TEAM_LEAD, H_, A_}, {ROLE_ACCOUNT_MANAGER, H_, A_}, {ROLE_SERVICE, H_, A_},
        {ROLE_HR, H_, H_},        {ROLE_VIEWER, H_, F_},
    };
    check_decide(OBJ_CONTACT, ACT_UPDATE, SCOPE_CONTACT, rows, sizeof rows / sizeof rows[0]);
}

TEST(policy_decide_add_member_every_role)
{
    static const struct decide_row rows[] = {
        {ROLE_ADMIN, A_, A_},     {ROLE_DIRECTOR, A_, A_},        {ROLE_FINANCE, F_, F_},
        {ROLE_TEAM_LEAD, H_, A_}, {ROLE_ACCOUNT_MANAGER, H_, A_}, {ROLE_SERVICE, H_, F_},
        {ROLE_HR, H_, H_},        {ROLE_VIEWER, H_, F_},
    };
    check_decide(OBJ_MEMBER, ACT_CREATE, SCOPE_ACCOUNT, rows, sizeof rows / sizeof rows[0]);
}

TEST(policy_decide_collection_routes_ignore_scope)
{
    /* SCOPE_NONE: any grant allows, whatever in_scope says. */
    static const struct decide_row create_account[] = {
        {ROLE_ADMIN, A_, A_},     {ROLE_DIRECTOR, A_, A_},        {ROLE_FINANCE, F_, F_},
        {ROLE_TEAM_LEAD, A_, A_}, {ROLE_ACCOUNT_MANAGER, A_, A_}, {ROLE_SERVICE, F_, F_},
        {ROLE_HR, F_, F_},        {ROLE_VIEWER, F_, F_},
    };
    check_decide(OBJ_ACCOUNT, ACT_CREATE, SCOPE_NONE, create_account,
                 sizeof create_account / sizeof create_account[0]);
    static const struct decide_row list_accounts[] = {
        {ROLE_HR, F_, F_}, {ROLE_VIEWER, A_, A_}, {ROLE_SERVICE, A_, A_}, {ROLE_FINANCE, A_, A_}};
    check_decide(OBJ_ACCOUNT, ACT_READ, SCOPE_NONE, list_accounts,
                 sizeof list_accounts / sizeof list_accounts[0]);
    static const struct decide_row create_user[] = {
        {ROLE_ADMIN, A_, A_},     {ROLE_DIRECTOR, F_, F_},        {ROLE_FINANCE, F_, F_},
        {ROLE_TEAM_LEAD, F_, F_}, {ROLE_ACCOUNT_MANAGER, F_, F_}, {ROLE_SERVICE, F_, F_},
        {ROLE_HR, A_, A_},        {ROLE_VIEWER, F_, F_},
    };
    check_decide(OBJ_USER, ACT_CREATE, SCOPE_NONE, create_user,
                 sizeof create_user / sizeof create_user[0]);
}

TEST(policy_decide_audit_read)
{
    static const struct decide_row rows[] = {
        {ROLE_ADMIN, A_, A_},  {ROLE_FINANCE, A_, A_}, {ROLE_ACCOUNT_MANAGER, H_, A_},
        {ROLE_VIEWER, H_, A_}, {ROLE_HR, H_, H_},
    };
    check_decide(OBJ_AUDIT, ACT_READ, SCOPE_AUDIT, rows, sizeof rows / sizeof rows[0]);
}

#undef A_
#undef F_
#undef H_

TEST(policy_list_scoped_only_for_scoped_readers)
{
    static const struct {
        enum role r;
        int scoped;
    } rows[] = {{ROLE_ADMIN, 0},     {ROLE_DIRECTOR, 0},        {ROLE_FINANCE, 0},
                {ROLE_TEAM_LEAD, 1}, {ROLE_ACCOUNT_MANAGER, 1}, {ROLE_SERVICE, 1},
                {ROLE_HR, 1},        {ROLE_VIEWER, 1}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct principal p = {5, rows[i].r, "x"};
        CHECK_EQ_INT(policy_list_scoped(&p), rows[i].scoped);
    }
}

TEST(role_names_round_trip)
{
    CHECK_EQ_STR(role_name(ROLE_ACCOUNT_MANAGER), "account_manager");
    CHECK_EQ_INT(role_parse("account_manager"), ROLE_ACCOUNT_MANAGER);
    CHECK_EQ_INT(role_parse("viewer"), ROLE_VIEWER);
    CHECK_EQ_INT(role_parse("Admin"), ROLE_NONE);
    CHECK_EQ_INT(role_parse(""), ROLE_NONE);
    CHECK_EQ_STR(role_name(ROLE_COUNT), "");
}

/* ---- record scope ---- */

TEST(scope_owner_is_in_scope)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    CHECK_EQ_INT(in_scope_as(&f, o.am1, ROLE_ACCOUNT_MANAGER, o.a1), 1);
    CHECK_EQ_INT(in_scope_as(&f, o.am2, ROLE_ACCOUNT_MANAGER, o.a2), 1);
    fixture_close(&f);
}

TEST(scope_peer_is_not_in_scope)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    CHECK_EQ_INT(in_scope_as(&f, o.am1, ROLE_ACCOUNT_MANAGER, o.a2), 0);
    CHECK_EQ_INT(in_scope_as(&f, o.am2, ROLE_ACCOUNT_MANAGER, o.a1), 0);
    CHECK_EQ_INT(in_scope_as(&f, o.viewer1, ROLE_VIEWER, o.a1), 0);
    fixture_close(&f);
}

TEST(scope_via_account_team_membership)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    CHECK_EQ_INT(in_scope_as(&f, o.svc1, ROLE_SERVICE, o.a2), 0);
    add_member(&f, o.a2, o.svc1, "service");
    CHECK_EQ_INT(in_scope_as(&f, o.svc1, ROLE_SERVICE, o.a2), 1);
    CHECK_EQ_INT(in_scope_as(&f, o.svc1, ROLE_SERVICE, o.a1), 0);
    /* and am1 as a member of a peer's account */
    add_member(&f, o.a2, o.am1, "sales");
    CHECK_EQ_INT(in_scope_as(&f, o.am1, ROLE_ACCOUNT_MANAGER, o.a2), 1);
    fixture_close(&f);
}

TEST(scope_via_manager_up_two_level_team_tree)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    /* boss manages Top, whose grandchild Leaf holds am1 and am2 */
    CHECK_EQ_INT(in_scope_as(&f, o.boss, ROLE_TEAM_LEAD, o.a1), 1);
    CHECK_EQ_INT(in_scope_as(&f, o.boss, ROLE_TEAM_LEAD, o.a2), 1);
    /* mid manages Mid, Leaf's parent */
    CHECK_EQ_INT(in_scope_as(&f, o.mid, ROLE_TEAM_LEAD, o.a1), 1);
    /* lead2 manages an unrelated team */
    CHECK_EQ_INT(in_scope_as(&f, o.lead2, ROLE_TEAM_LEAD, o.a1), 0);
    fixture_close(&f);
}

TEST(scope_via_manager_of_a_team_member)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    int64_t a3 = mk_account(&f, "A3", "Acc Three", o.svc1);
    CHECK_EQ_INT(in_scope_as(&f, o.boss, ROLE_TEAM_LEAD, a3), 0);
    add_member(&f, a3, o.am1, "technical");
    CHECK_EQ_INT(in_scope_as(&f, o.boss, ROLE_TEAM_LEAD, a3), 1);
    CHECK_EQ_INT(in_scope_as(&f, o.lead2, ROLE_TEAM_LEAD, a3), 0);
    fixture_close(&f);
}

TEST(scope_does_not_flow_upwards)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    int64_t boss_acc = mk_account(&f, "B1", "Boss Account", o.boss);
    CHECK_EQ_INT(in_scope_as(&f, o.am1, ROLE_ACCOUNT_MANAGER, boss_acc), 0);
    CHECK_EQ_INT(in_scope_as(&f, o.mid, ROLE_TEAM_LEAD, boss_acc), 0);
    CHECK_EQ_INT(in_scope_as(&f, o.boss, ROLE_TEAM_LEAD, boss_acc), 1);
    fixture_close(&f);
}

TEST(scope_org_wide_readers_see_every_account)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    CHECK_EQ_INT(in_scope_as(&f, o.fin, ROLE_FINANCE, o.a1), 1);
    CHECK_EQ_INT(in_scope_as(&f, o.fin, ROLE_FINANCE, o.a2), 1);
    fixture_close(&f);
}

TEST(scope_unknown_account_is_not_found)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    int yes = -1;
    fixture_as(&f, o.am1, ROLE_ACCOUNT_MANAGER);
    fixture_check_err(&f, policy_account_in_scope(C(&f), 9999, &yes), KAM_ENOTFOUND, "id");
    fixture_as(&f, o.fin, ROLE_FINANCE);
    fixture_check_err(&f, policy_account_in_scope(C(&f), 9999, &yes), KAM_ENOTFOUND, "id");
    fixture_close(&f);
}

TEST(scope_manages_user_down_the_tree_only)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    int yes = -1;
    fixture_as(&f, o.boss, ROLE_TEAM_LEAD);
    CHECK_EQ_INT(policy_manages_user(C(&f), o.am2, &yes), KAM_OK);
    CHECK_EQ_INT(yes, 1);
    CHECK_EQ_INT(policy_manages_user(C(&f), o.boss, &yes), KAM_OK);
    CHECK_EQ_INT(yes, 1);
    CHECK_EQ_INT(policy_manages_user(C(&f), o.lead2, &yes), KAM_OK);
    CHECK_EQ_INT(yes, 0);
    fixture_as(&f, o.am1, ROLE_ACCOUNT_MANAGER);
    CHECK_EQ_INT(policy_manages_user(C(&f), o.am2, &yes), KAM_OK);
    CHECK_EQ_INT(yes, 0);
    CHECK_EQ_INT(policy_manages_user(C(&f), o.boss, &yes), KAM_OK);
    CHECK_EQ_INT(yes, 0);
    fixture_close(&f);
}

/* ---- accounts: validation ---- */

static void check_create_fails(struct fixture *f, struct account_in *in, enum kam_err want,
                               const char *field)
{
    int64_t before = rows_total(f);
    struct account a;
    fixture_check_err(f, account_create(C(f), in, &a), want, field);
    CHECK_EQ_INT(rows_total(f), before);
}

TEST(account_create_requires_code)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    struct account_in in = acc_in("X", "Name", u);
    in.set &= ~(unsigned)ACC_CODE;
    check_create_fails(&f, &in, KAM_EINVAL, "code");
    in = acc_in("", "Name", u);
    check_create_fails(&f, &in, KAM_EINVAL, "code");
    fixture_close(&f);
}

TEST(account_create_requires_name)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    struct account_in in = acc_in("C1", "Name", u);
    in.set &= ~(unsigned)ACC_NAME;
    check_create_fails(&f, &in, KAM_EINVAL, "name");
    in = acc_in("C1", "", u);
    check_create_fails(&f, &in, KAM_EINVAL, "name");
    fixture_close(&f);
}

TEST(account_create_rejects_unknown_tier_and_status)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    struct account_in in = acc_in("C1", "Name", u);
    in.v.tier = "gold";
    in.set |= ACC_TIER;
    check_create_fails(&f, &in, KAM_EINVAL, "tier");
    in.v.tier = "Key"; /* enums are case-sensitive */
    check_create_fails(&f, &in, KAM_EINVAL, "tier");
    in = acc_in("C1", "Name", u);
    in.v.status = "closed";
    in.set |= ACC_STATUS;
    check_create_fails(&f, &in, KAM_EINVAL, "status");
    fixture_close(&f);
}

TEST(account_create_rejects_negative_employees)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    struct account_in in = acc_in("C1", "Name", u);
    in.v.has_employees = 1;
    in.v.employees = -1;
    in.set |= ACC_EMPLOYEES;
    check_create_fails(&f, &in, KAM_EINVAL, "employees");
    in.v.employees = 0;
    struct account a;
    CHECK_EQ_INT(account_create(C(&f), &in, &a), KAM_OK);
    CHECK_EQ_INT(a.has_employees, 1);
    CHECK_EQ_INT(a.employees, 0);
    fixture_close(&f);
}

TEST(account_create_rejects_lowercase_currency)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    struct account_in in = acc_in("C1", "Name", u);
    in.v.has_revenue = 1;
    in.v.revenue_amount = 100;
    in.v.revenue_currency = "cny";
    in.set |= ACC_REVENUE;
    check_create_fails(&f, &in, KAM_EINVAL, "revenue.currency");
    in.v.revenue_currency = "CNYX";
    check_create_fails(&f, &in, KAM_EINVAL, "revenue.currency");
    in.v.revenue_currency = "CNY";
    in.v.revenue_amount = -1;
    check_create_fails(&f, &in, KAM_EINVAL, "revenue.amount");
    in.v.revenue_amount = 64200000000000LL;
    struct account a;
    CHECK_EQ_INT(account_create(C(&f), &in, &a), KAM_OK);
    CHECK_EQ_INT(a.has_revenue, 1);
    CHECK_EQ_INT(a.revenue_amount, 64200000000000LL);
    CHECK_EQ_STR(a.revenue_currency, "CNY");
    fixture_close(&f);
}

TEST(account_create_counts_characters_not_bytes)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    char code[41 * 3 + 1] = "";
    for (int i = 0; i < 40; i++)
        strcat(code, "\xe5\x8d\x8e"); /* 40 x U+534E: 120 bytes, 40 characters */
    struct account_in in = acc_in(code, "Name", u);
    struct account a;
    CHECK_EQ_INT(account_create(C(&f), &in, &a), KAM_OK);
    strcat(code, "\xe5\x8d\x8e");
    in = acc_in(code, "Name", u);
    check_create_fails(&f, &in, KAM_EINVAL, "code");
    fixture_close(&f);
}

TEST(account_create_rejects_control_chars_and_invalid_utf8)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    struct account_in in = acc_in("C1", "a\tb", u);
    check_create_fails(&f, &in, KAM_EINVAL, "name");
    in = acc_in("C1", "bad \xff", u);
    check_create_fails(&f, &in, KAM_EINVAL, "name");
    in = acc_in("C1", "ok", u);
    in.v.alias = "\xc0\xaf";
    in.set |= ACC_ALIAS;
    check_create_fails(&f, &in, KAM_EINVAL, "alias");
    fixture_close(&f);
}

TEST(account_create_defaults)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    fixture_as(&f, u, ROLE_ACCOUNT_MANAGER);
    struct account_in in = acc_in("C1", "华为技术有限公司", 0);
    struct account a;
    CHECK_EQ_INT(account_create(C(&f), &in, &a), KAM_OK);
    CHECK(a.id > 0);
    CHECK_EQ_STR(a.code, "C1");
    CHECK_EQ_STR(a.name, "华为技术有限公司");
    CHECK_EQ_STR(a.alias, "");
    CHECK_EQ_STR(a.tier, "maintain");
    CHECK_EQ_STR(a.status, "active");
    CHECK_EQ_INT(a.owner_id, u); /* the caller */
    CHECK_EQ_INT(a.version, 1);
    CHECK_EQ_INT(a.created_at, NOW);
    CHECK_EQ_INT(a.updated_at, NOW);
    CHECK_EQ_INT(a.has_parent, 0);
    CHECK_EQ_INT(a.has_employees, 0);
    CHECK_EQ_INT(a.has_revenue, 0);
    CHECK_EQ_INT(a.subsidiary_count, 0);
    fixture_close(&f);
}

TEST(account_create_by_system_needs_owner)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct account_in in = acc_in("C1", "Name", 0);
    check_create_fails(&f, &in, KAM_EINVAL, "owner_id");
    fixture_close(&f);
}

TEST(account_create_owner_must_be_an_active_user)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    struct account_in in = acc_in("C1", "Name", 4242);
    check_create_fails(&f, &in, KAM_EINVAL, "owner_id");
    struct user_in ui = {0};
    ui.v.disabled = 1;
    ui.set = USR_DISABLED;
    struct user uo;
    CHECK_EQ_INT(user_update(C(&f), u, &ui, &uo), KAM_OK);
    in = acc_in("C1", "Name", u);
    check_create_fails(&f, &in, KAM_EINVAL, "owner_id");
    fixture_close(&f);
}

TEST(account_create_duplicate_code_conflicts)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    mk_account(&f, "C1", "First", u);
    struct account_in in = acc_in("C1", "Second", u);
    check_create_fails(&f, &in, KAM_ECONFLICT, "code");
    fixture_close(&f);
}

TEST(account_create_account_manager_cannot_assign_to_peer)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    fixture_as(&f, o.am1, ROLE_ACCOUNT_MANAGER);
    struct account_in in = acc_in("C9", "Peer's", o.am2);
    check_create_fails(&f, &in, KAM_EFORBIDDEN, "owner_id");
    /* the boss may assign to someone two levels down */
    fixture_as(&f, o.boss, ROLE_TEAM_LEAD);
    struct account a;
    CHECK_EQ_INT(account_create(C(&f), &in, &a), KAM_OK);
    CHECK_EQ_INT(a.owner_id, o.am2);
    fixture_close(&f);
}

TEST(account_create_parent_must_exist_and_be_positive)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    struct account_in in = acc_in("C1", "Child", u);
    in.v.has_parent = 1;
    in.v.parent_id = 777;
    in.set |= ACC_PARENT;
    check_create_fails(&f, &in, KAM_EINVAL, "parent_id");
    in.v.parent_id = 0;
    check_create_fails(&f, &in, KAM_EINVAL, "parent_id");
    in.v.parent_id = -3;
    check_create_fails(&f, &in, KAM_EINVAL, "parent_id");
    fixture_close(&f);
}

TEST(account_create_parent_out_of_scope_is_rejected)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    fixture_as(&f, o.am1, ROLE_ACCOUNT_MANAGER);
    struct account_in in = acc_in("C1", "Child", 0);
    in.v.has_parent = 1;
    in.v.parent_id = o.a2;
    in.set |= ACC_PARENT;
    check_create_fails(&f, &in, KAM_EINVAL, "parent_id");
    in.v.parent_id = o.a1;
    struct account a;
    CHECK_EQ_INT(account_create(C(&f), &in, &a), KAM_OK);
    CHECK_EQ_INT(a.parent_id, o.a1);
    fixture_close(&f);
}

/* ---- accounts: update, get, delete ---- */

TEST(account_get_shows_parent_and_subsidiary_count)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t p = mk_account(&f, "P", "Group", u);
    for (int i = 0; i < 3; i++) {
        char code[8];
        snprintf(code, sizeof code, "S%d", i);
        struct account_in in = acc_in(arena_strdup(&f.a, code), "Sub", u);
        in.v.has_parent = 1;
        in.v.parent_id = p;
        in.set |= ACC_PARENT;
        mk_account_in(&f, &in);
    }
    struct account a;
    CHECK_EQ_INT(account_get(C(&f), p, &a), KAM_OK);
    CHECK_EQ_INT(a.subsidiary_count, 3);
    CHECK(a.parent_name == NULL);
    CHECK_EQ_INT(account_get(C(&f), p + 1, &a), KAM_OK);
    CHECK_EQ_INT(a.has_parent, 1);
    CHECK_EQ_INT(a.parent_id, p);
    CHECK_EQ_STR(a.parent_name, "Group");
    CHECK_EQ_INT(a.subsidiary_count, 0);
    fixture_check_err(&f, account_get(C(&f), 999, &a), KAM_ENOTFOUND, "id");
    fixture_close(&f);
}

TEST(account_update_parent_cycle_conflicts)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Top", u);
    struct account_in in = acc_in("B", "Middle", u);
    in.v.has_parent = 1;
    in.v.parent_id = a;
    in.set |= ACC_PARENT;
    int64_t b = mk_account_in(&f, &in);
    in = acc_in("C", "Bottom", u);
    in.v.has_parent = 1;
    in.v.parent_id = b;
    in.set |= ACC_PARENT;
    int64_t c = mk_account_in(&f, &in);
    struct account_in up = {0};
    up.set = ACC_PARENT;
    up.v.has_parent = 1;
    up.v.parent_id = c; /* A under its own grandchild */
    int64_t before = rows_total(&f);
    struct account out;
    fixture_check_err(&f, account_update(C(&f), a, &up, &out), KAM_ECONFLICT, "parent_id");
    up.v.parent_id = a; /* A under itself */
    fixture_check_err(&f, account_update(C(&f), a, &up, &out), KAM_ECONFLICT, "parent_id");
    CHECK_EQ_INT(rows_total(&f), before);
    CHECK_EQ_INT(q64_id(&f, "SELECT version FROM accounts WHERE id = ?", a), 1);
    fixture_close(&f);
}

TEST(account_update_stale_version_conflicts)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    struct account_in up = {0};
    up.set = ACC_NAME | ACC_VERSION;
    up.v.name = "Acme 2";
    up.v.version = 2;
    int64_t before = rows_total(&f);
    struct account out;
    fixture_check_err(&f, account_update(C(&f), a, &up, &out), KAM_ECONFLICT, "version");
    CHECK_EQ_INT(rows_total(&f), before);
    up.v.version = 1;
    f.ctx.now = NOW + 60;
    CHECK_EQ_INT(account_update(C(&f), a, &up, &out), KAM_OK);
    CHECK_EQ_INT(out.version, 2);
    CHECK_EQ_STR(out.name, "Acme 2");
    CHECK_EQ_INT(out.updated_at, NOW + 60);
    CHECK_EQ_INT(out.created_at, NOW);
    /* the version the caller read is now stale */
    fixture_check_err(&f, account_update(C(&f), a, &up, &out), KAM_ECONFLICT, "version");
    fixture_close(&f);
}

TEST(account_update_without_change_keeps_version_and_audit)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    int64_t audits = fixture_q64(&f, "SELECT COUNT(*) FROM audit");
    struct account_in up = {0};
    up.set = ACC_TIER | ACC_NAME;
    up.v.tier = "maintain";
    up.v.name = "Acme";
    struct account out;
    CHECK_EQ_INT(account_update(C(&f), a, &up, &out), KAM_OK);
    CHECK_EQ_INT(out.version, 1);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit"), audits);
    fixture_close(&f);
}

TEST(account_update_validates_merged_record)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    struct account_in up = {0};
    up.set = ACC_EMPLOYEES;
    up.v.has_employees = 1;
    up.v.employees = -5;
    struct account out;
    fixture_check_err(&f, account_update(C(&f), a, &up, &out), KAM_EINVAL, "employees");
    up.set = ACC_OWNER;
    up.v.owner_id = 31337;
    fixture_check_err(&f, account_update(C(&f), a, &up, &out), KAM_EINVAL, "owner_id");
    fixture_close(&f);
}

TEST(account_update_code_taken_conflicts)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    mk_account(&f, "A", "Acme", u);
    int64_t b = mk_account(&f, "B", "Beta", u);
    struct account_in up = {0};
    up.set = ACC_CODE;
    up.v.code = "A";
    int64_t before = rows_total(&f);
    struct account out;
    fixture_check_err(&f, account_update(C(&f), b, &up, &out), KAM_ECONFLICT, "code");
    CHECK_EQ_INT(rows_total(&f), before);
    fixture_close(&f);
}

TEST(account_update_account_manager_cannot_hand_to_peer)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    fixture_as(&f, o.am1, ROLE_ACCOUNT_MANAGER);
    struct account_in up = {0};
    up.set = ACC_OWNER;
    up.v.owner_id = o.am2;
    struct account out;
    fixture_check_err(&f, account_update(C(&f), o.a1, &up, &out), KAM_EFORBIDDEN, "owner_id");
    CHECK_EQ_INT(q64_id(&f, "SELECT owner_id FROM accounts WHERE id = ?", o.a1), o.am1);
    fixture_close(&f);
}

TEST(account_delete_with_subsidiaries_conflicts)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t p = mk_account(&f, "P", "Group", u);
    struct account_in in = acc_in("S", "Sub", u);
    in.v.has_parent = 1;
    in.v.parent_id = p;
    in.set |= ACC_PARENT;
    int64_t s = mk_account_in(&f, &in);
    mk_contact(&f, p, "Zhang Wei", 0);
    int64_t before = rows_total(&f);
    fixture_check_err(&f, account_delete(C(&f), p), KAM_ECONFLICT, "id");
    CHECK_EQ_INT(rows_total(&f), before);
    /* without the subsidiary it goes */
    CHECK_EQ_INT(account_delete(C(&f), s), KAM_OK);
    CHECK_EQ_INT(account_delete(C(&f), p), KAM_OK);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM accounts"), 0);
    fixture_close(&f);
}

TEST(account_delete_unknown_is_not_found)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    fixture_check_err(&f, account_delete(C(&f), 12345), KAM_ENOTFOUND, "id");
    fixture_close(&f);
}

TEST(account_delete_removes_contacts_members_and_audits_each)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    int64_t a = mk_account(&f, "DEL1", "To Delete", o.am1);
    int64_t c1 = mk_contact(&f, a, "Boss Contact", 0);
    int64_t c2 = mk_contact(&f, a, "Report", c1);
    mk_contact(&f, a, "Report of report", c2);
    add_member(&f, a, o.svc1, "service");
    add_member(&f, a, o.am2, "sales");
    int64_t keep = mk_contact(&f, o.a1, "Elsewhere", 0);
    CHECK_EQ_INT(account_delete(C(&f), a), KAM_OK);
    CHECK_EQ_INT(q64_id(&f, "SELECT COUNT(*) FROM accounts WHERE id = ?", a), 0);
    CHECK_EQ_INT(q64_id(&f, "SELECT COUNT(*) FROM contacts WHERE account_id = ?", a), 0);
    CHECK_EQ_INT(q64_id(&f, "SELECT COUNT(*) FROM account_members WHERE account_id = ?", a), 0);
    CHECK_EQ_INT(q64_id(&f, "SELECT COUNT(*) FROM contacts WHERE id = ?", keep), 1);
    CHECK_EQ_INT(q64_id(&f,
                        "SELECT COUNT(*) FROM audit WHERE account_id = ? AND action = 'delete' "
                        "AND entity = 'account'",
                        a),
                 1);
    CHECK_EQ_INT(q64_id(&f,
                        "SELECT COUNT(*) FROM audit WHERE account_id = ? AND action = 'delete' "
                        "AND entity = 'contact'",
                        a),
                 3);
    CHECK_EQ_INT(q64_id(&f,
                        "SELECT COUNT(*) FROM audit WHERE account_id = ? AND action = 'delete' "
                        "AND entity = 'account_member'",
                        a),
                 2);
    const char *ch = qtext(&f,
                           "SELECT changes FROM audit WHERE entity = 'account' AND entity_id = ? "
                           "AND action = 'delete'",
                           a);
    CHECK(strncmp(ch, "{\"code\":[\"DEL1\",null],\"name\":[\"To Delete\",null]", 45) == 0);
    fixture_close(&f);
}

/* ---- audit ---- */

TEST(audit_update_of_one_field_records_exact_changes)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    fixture_as(&f, u, ROLE_ACCOUNT_MANAGER);
    f.ctx.now = NOW + 5;
    struct account_in up = {0};
    up.set = ACC_TIER;
    up.v.tier = "key";
    struct account out;
    CHECK_EQ_INT(account_update(C(&f), a, &up, &out), KAM_OK);
    struct audit_query q = {.entity = "account", .entity_id = a, .limit = 10};
    struct audit_row *rows;
    size_t n = 0;
    int more = -1;
    CHECK_EQ_INT(audit_list(C(&f), &q, &rows, &n, &more), KAM_OK);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(more, 0);
    if (n == 2) {
        CHECK_EQ_STR(rows[0].action, "update");
        CHECK_EQ_STR(rows[0].changes, "{\"tier\":[\"maintain\",\"key\"]}");
        CHECK_EQ_STR(rows[0].entity, "account");
        CHECK_EQ_INT(rows[0].entity_id, a);
        CHECK_EQ_INT(rows[0].account_id, a);
        CHECK_EQ_INT(rows[0].user_id, u);
        CHECK_EQ_STR(rows[0].user_login, "owner");
        CHECK_EQ_INT(rows[0].at, NOW + 5);
        CHECK_EQ_STR(rows[1].action, "create");
    }
    fixture_close(&f);
}

TEST(audit_update_from_null_and_of_money)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    struct account_in up = {0};
    up.set = ACC_EMPLOYEES;
    up.v.has_employees = 1;
    up.v.employees = 250;
    struct account out;
    CHECK_EQ_INT(account_update(C(&f), a, &up, &out), KAM_OK);
    CHECK_EQ_STR(qtext(&f, "SELECT changes FROM audit WHERE entity_id = ? ORDER BY id DESC", a),
                 "{\"employees\":[null,250]}");
    up.set = ACC_REVENUE;
    up.v.has_revenue = 1;
    up.v.revenue_amount = 12345;
    up.v.revenue_currency = "CNY";
    CHECK_EQ_INT(account_update(C(&f), a, &up, &out), KAM_OK);
    CHECK_EQ_STR(qtext(&f, "SELECT changes FROM audit WHERE entity_id = ? ORDER BY id DESC", a),
                 "{\"revenue_amount\":[null,12345],\"revenue_currency\":[null,\"CNY\"]}");
    up.set = ACC_NAME | ACC_ALIAS;
    up.v.name = "Acme \"Quoted\"";
    up.v.alias = "艾克米";
    CHECK_EQ_INT(account_update(C(&f), a, &up, &out), KAM_OK);
    CHECK_EQ_STR(qtext(&f, "SELECT changes FROM audit WHERE entity_id = ? ORDER BY id DESC", a),
                 "{\"name\":[\"Acme\",\"Acme \\\"Quoted\\\"\"],\"alias\":[\"\",\"艾克米\"]}");
    fixture_close(&f);
}

TEST(audit_create_by_system_has_null_user)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "C1", "N", u);
    CHECK_EQ_INT(q64_id(&f,
                        "SELECT COUNT(*) FROM audit WHERE entity = 'account' AND entity_id = ? "
                        "AND action = 'create' AND user_id IS NULL",
                        a),
                 1);
    const char *ch = qtext(&f,
                           "SELECT changes FROM audit WHERE entity = 'account' AND entity_id = ? "
                           "AND action = 'create'",
                           a);
    CHECK(strncmp(ch, "{\"code\":[null,\"C1\"],\"name\":[null,\"N\"]", 37) == 0);
    struct audit_query q = {.entity = "account", .entity_id = a, .limit = 5};
    struct audit_row *rows;
    size_t n = 0;
    int more;
    CHECK_EQ_INT(audit_list(C(&f), &q, &rows, &n, &more), KAM_OK);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK_EQ_INT(rows[0].user_id, 0);
        CHECK_EQ_STR(rows[0].user_login, "");
    }
    fixture_close(&f);
}

TEST(audit_list_of_account_includes_contacts_newest_first_and_pages)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    int64_t other = mk_account(&f, "B", "Other", u);
    int64_t c = mk_contact(&f, a, "Li Qiang", 0);
    mk_contact(&f, other, "Not mine", 0);
    struct account_in up = {0};
    up.set = ACC_STATUS;
    up.v.status = "dormant";
    struct account out;
    CHECK_EQ_INT(account_update(C(&f), a, &up, &out), KAM_OK);
    struct audit_query q = {.entity = "account", .entity_id = a, .limit = 2};
    struct audit_row *rows;
    size_t n = 0;
    int more = 0;
    CHECK_EQ_INT(audit_list(C(&f), &q, &rows, &n, &more), KAM_OK);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(more, 1);
    if (n == 2) {
        CHECK_EQ_STR(rows[0].entity, "account");
        CHECK_EQ_STR(rows[0].action, "update");
        CHECK_EQ_STR(rows[1].entity, "contact");
        CHECK_EQ_INT(rows[1].entity_id, c);
        CHECK(rows[0].id > rows[1].id);
        q.before_id = rows[1].id;
        CHECK_EQ_INT(audit_list(C(&f), &q, &rows, &n, &more), KAM_OK);
        CHECK_EQ_INT(n, 1);
        CHECK_EQ_INT(more, 0);
        if (n == 1) {
            CHECK_EQ_STR(rows[0].entity, "account");
            CHECK_EQ_STR(rows[0].action, "create");
        }
    }
    /* a contact's own history holds only its rows */
    struct audit_query qc = {.entity = "contact", .entity_id = c, .limit = 10};
    CHECK_EQ_INT(audit_list(C(&f), &qc, &rows, &n, &more), KAM_OK);
    CHECK_EQ_INT(n, 1);
    fixture_close(&f);
}

TEST(audit_account_of_survives_deletion)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    int64_t c = mk_contact(&f, a, "Gone", 0);
    CHECK_EQ_INT(contact_delete(C(&f), c), KAM_OK);
    int64_t acc = 0;
    CHECK_EQ_INT(audit_account_of(C(&f), "contact", c, &acc), KAM_OK);
    CHECK_EQ_INT(acc, a);
    fixture_check_err(&f, audit_account_of(C(&f), "contact", c + 100, &acc), KAM_ENOTFOUND, "id");
    fixture_close(&f);
}

TEST(audit_failed_operations_leave_no_rows)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    int64_t c1 = mk_contact(&f, o.a1, "C One", 0);
    int64_t c2 = mk_contact(&f, o.a1, "C Two", c1);
    int64_t cx = mk_contact(&f, o.a2, "Other account", 0);
    struct account_in in = acc_in("SUB", "Sub", o.am1);
    in.v.has_parent = 1;
    in.v.parent_id = o.a1;
    in.set |= ACC_PARENT;
    mk_account_in(&f, &in);
    int64_t before = rows_total(&f);
    struct account a;
    struct contact c;
    struct account_member m;

    in = acc_in("A1", "dup code", o.am1);
    CHECK_EQ_INT(account_create(C(&f), &in, &a), KAM_ECONFLICT);
    CHECK_EQ_INT(account_delete(C(&f), o.a1), KAM_ECONFLICT);
    struct account_in up = {0};
    up.set = ACC_VERSION | ACC_TIER;
    up.v.version = 7;
    up.v.tier = "key";
    CHECK_EQ_INT(account_update(C(&f), o.a1, &up, &a), KAM_ECONFLICT);
    struct contact_in ci = {0};
    ci.set = CON_REPORTS_TO;
    ci.v.has_reports_to = 1;
    ci.v.reports_to_id = c2;
    CHECK_EQ_INT(contact_update(C(&f), c1, &ci, &c), KAM_ECONFLICT);
    ci.v.reports_to_id = cx;
    CHECK_EQ_INT(contact_update(C(&f), c1, &ci, &c), KAM_EINVAL);
    ci.set = CON_NAME | CON_INFLUENCE;
    ci.v.name = "New";
    ci.v.influence = 9;
    CHECK_EQ_INT(contact_create(C(&f), o.a1, &ci, &c), KAM_EINVAL);
    CHECK_EQ_INT(account_member_add(C(&f), o.a1, o.am2, "chef", &m), KAM_EINVAL);
    CHECK_EQ_INT(account_member_add(C(&f), o.a1, 4242, "sales", &m), KAM_EINVAL);
    add_member(&f, o.a2, o.svc1, "service");
    before = rows_total(&f);
    CHECK_EQ_INT(account_member_add(C(&f), o.a2, o.svc1, "sales", &m), KAM_ECONFLICT);
    CHECK_EQ_STR(f.e.field, "user_id");
    CHECK_EQ_INT(account_member_remove(C(&f), o.a1, o.svc1), KAM_ENOTFOUND);
    struct user_in ui = {0};
    ui.set = USR_LOGIN | USR_ROLE | USR_PASSWORD;
    ui.v.login = "am1";
    ui.v.role = "viewer";
    ui.password = FIXTURE_PW;
    struct user u;
    CHECK_EQ_INT(user_create(C(&f), &ui, &u), KAM_ECONFLICT);
    CHECK_EQ_INT(rows_total(&f), before);
    fixture_close(&f);
}

/* ---- account lists ---- */

static void mk_five(struct fixture *f, int64_t owner)
{
    static const char *const names[] = {"Delta", "Alpha", "Echo", "Charlie", "Bravo"};
    static const char *const tiers[] = {"key", "strategic", "key", "growth", "maintain"};
    static const char *const regions[] = {"华东", "华南", "华东", "华北", "华东"};
    for (int i = 0; i < 5; i++) {
        char code[8];
        snprintf(code, sizeof code, "K%d", 5 - i); /* code order is the reverse of ids */
        struct account_in in = acc_in(arena_strdup(&f->a, code), names[i], owner);
        in.v.tier = tiers[i];
        in.v.region = regions[i];
        in.set |= ACC_TIER | ACC_REGION;
        mk_account_in(f, &in);
    }
}

/* Lists with q, following next cursors; writes names joined by ',' into out. Returns pages. */
static int walk(struct fixture *f, struct account_query q, char *out, size_t cap)
{
    out[0] = 0;
    int pages = 0;
    for (;;) {
        struct account *items;
        size_t n = 0;
        const char *next = NULL;
        enum kam_err rc = account_list(C(f), &q, &items, &n, &next);
        CHECK_EQ_INT(rc, KAM_OK);
        if (rc) {
            fprintf(stderr, "  account_list: %s: %s\n", f->e.field, f->e.msg);
            return pages;
        }
        pages++;
        for (size_t i = 0; i < n; i++) {
            if (*out)
                strncat(out, ",", cap - strlen(out) - 1);
            strncat(out, items[i].name, cap - strlen(out) - 1);
        }
        if (!next || pages > 20)
            return pages;
        q.cursor = next;
    }
}

TEST(account_list_pages_of_two_walk_all_without_duplicates)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    mk_five(&f, u);
    char got[256];
    struct account_query q = {.limit = 2};
    CHECK_EQ_INT(walk(&f, q, got, sizeof got), 3);
    CHECK_EQ_STR(got, "Alpha,Bravo,Charlie,Delta,Echo");
    /* exactly divisible: the last full page still says there is no more */
    q.limit = 5;
    CHECK_EQ_INT(walk(&f, q, got, sizeof got), 1);
    CHECK_EQ_STR(got, "Alpha,Bravo,Charlie,Delta,Echo");
    fixture_close(&f);
}

TEST(account_list_first_page_and_cursor)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    mk_five(&f, u);
    struct account_query q = {.limit = 2};
    struct account *items;
    size_t n = 0;
    const char *next = NULL;
    CHECK_EQ_INT(account_list(C(&f), &q, &items, &n, &next), KAM_OK);
    CHECK_EQ_INT(n, 2);
    CHECK(next != NULL);
    if (next && n == 2) {
        /* "1|name|a|<id of Bravo>|Bravo" */
        char plain[64];
        snprintf(plain, sizeof plain, "1|name|a|%lld|Bravo", (long long)items[1].id);
        char want[128];
        b64url_encode((const unsigned char *)plain, strlen(plain), want);
        CHECK_EQ_STR(next, want);
    }
    fixture_close(&f);
}

TEST(account_list_sort_descending_name)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    mk_five(&f, u);
    char got[256];
    struct account_query q = {.limit = 2, .sort = "-name"};
    CHECK_EQ_INT(walk(&f, q, got, sizeof got), 3);
    CHECK_EQ_STR(got, "Echo,Delta,Charlie,Bravo,Alpha");
    fixture_close(&f);
}

TEST(account_list_sort_code_and_id)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    mk_five(&f, u);
    char got[256];
    struct account_query q = {.limit = 2, .sort = "code"};
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Bravo,Charlie,Echo,Alpha,Delta");
    q.sort = "id";
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Delta,Alpha,Echo,Charlie,Bravo");
    q.sort = "-id";
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Bravo,Charlie,Echo,Alpha,Delta");
    fixture_close(&f);
}

TEST(account_list_sort_updated_at_with_ties)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    mk_five(&f, u); /* ids 1..5: Delta Alpha Echo Charlie Bravo, all at NOW */
    static const struct {
        int64_t id, at;
    } touches[] = {{1, NOW + 3}, {2, NOW + 1}, {3, NOW + 1}};
    for (size_t i = 0; i < 3; i++) {
        f.ctx.now = touches[i].at;
        struct account_in up = {0};
        up.set = ACC_STATUS;
        up.v.status = "prospect";
        struct account out;
        CHECK_EQ_INT(account_update(C(&f), touches[i].id, &up, &out), KAM_OK);
    }
    char got[256];
    struct account_query q = {.limit = 2, .sort = "updated_at"};
    CHECK_EQ_INT(walk(&f, q, got, sizeof got), 3);
    CHECK_EQ_STR(got, "Charlie,Bravo,Alpha,Echo,Delta");
    q.sort = "-updated_at";
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Delta,Echo,Alpha,Bravo,Charlie");
    fixture_close(&f);
}

TEST(account_list_filters)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t u2 = fixture_add_user(&f, "owner2", "account_manager", 0);
    mk_five(&f, u);
    struct account_in in = acc_in("Z1", "Zulu", u2);
    in.v.has_parent = 1;
    in.v.parent_id = 1;
    in.v.channel = "partner";
    in.v.status = "lost";
    in.set |= ACC_PARENT | ACC_CHANNEL | ACC_STATUS;
    mk_account_in(&f, &in);
    char got[256];
    struct account_query q = {.tier = "key"};
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Delta,Echo");
    q = (struct account_query){.region = "华东"};
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Bravo,Delta,Echo");
    q = (struct account_query){.region = "华东", .tier = "maintain"};
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Bravo");
    q = (struct account_query){.owner_id = u2};
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Zulu");
    q = (struct account_query){.parent_id = 1};
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Zulu");
    q = (struct account_query){.channel = "partner"};
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Zulu");
    q = (struct account_query){.status = "active"};
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Alpha,Bravo,Charlie,Delta,Echo");
    struct account *items;
    size_t n;
    const char *next;
    q = (struct account_query){.tier = "nonsense"};
    fixture_check_err(&f, account_list(C(&f), &q, &items, &n, &next), KAM_EINVAL, "tier");
    q = (struct account_query){.status = "closed"};
    fixture_check_err(&f, account_list(C(&f), &q, &items, &n, &next), KAM_EINVAL, "status");
    fixture_close(&f);
}

TEST(account_list_cursor_of_other_sort_is_rejected)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    mk_five(&f, u);
    struct account_query q = {.limit = 2, .sort = "name"};
    struct account *items;
    size_t n;
    const char *next = NULL;
    CHECK_EQ_INT(account_list(C(&f), &q, &items, &n, &next), KAM_OK);
    CHECK(next != NULL);
    q.cursor = next;
    q.sort = "code";
    fixture_check_err(&f, account_list(C(&f), &q, &items, &n, &next), KAM_EINVAL, "cursor");
    q.sort = "-name";
    fixture_check_err(&f, account_list(C(&f), &q, &items, &n, &next), KAM_EINVAL, "cursor");
    q.sort = NULL; /* the default is name: accepted */
    CHECK_EQ_INT(account_list(C(&f), &q, &items, &n, &next), KAM_OK);
    fixture_close(&f);
}

TEST(account_list_rejects_bad_sort_limit_and_cursor)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct account *items;
    size_t n;
    const char *next;
    struct account_query q = {.sort = "owner"};
    fixture_check_err(&f, account_list(C(&f), &q, &items, &n, &next), KAM_EINVAL, "sort");
    q = (struct account_query){.sort = "-"};
    fixture_check_err(&f, account_list(C(&f), &q, &items, &n, &next), KAM_EINVAL, "sort");
    q = (struct account_query){.limit = 501};
    fixture_check_err(&f, account_list(C(&f), &q, &items, &n, &next), KAM_EINVAL, "limit");
    q = (struct account_query){.limit = -1};
    fixture_check_err(&f, account_list(C(&f), &q, &items, &n, &next), KAM_EINVAL, "limit");
    q = (struct account_query){.limit = 500};
    CHECK_EQ_INT(account_list(C(&f), &q, &items, &n, &next), KAM_OK);
    q = (struct account_query){.cursor = "not a cursor!"};
    fixture_check_err(&f, account_list(C(&f), &q, &items, &n, &next), KAM_EINVAL, "cursor");
    q = (struct account_query){.cursor = "Zm9vYmFy"}; /* "foobar": valid base64, no fields */
    fixture_check_err(&f, account_list(C(&f), &q, &items, &n, &next), KAM_EINVAL, "cursor");
    q = (struct account_query){.q = "a\x01"};
    fixture_check_err(&f, account_list(C(&f), &q, &items, &n, &next), KAM_EINVAL, "q");
    fixture_close(&f);
}

static void mk_search_set(struct fixture *f, int64_t owner)
{
    static const char *const rows[][3] = {
        {"HW001", "华为技术有限公司", "Huawei Technologies"},
        {"EC002", "华东电力设计院", "East China Electric Power Design"},
        {"ZTE01", "中兴通讯", "ZTE Corporation"},
        {"TC004", "Technicolor Ltd", ""},
        {"AB005", "50% Discount Store", "under_score"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct account_in in = acc_in(rows[i][0], rows[i][1], owner);
        in.v.alias = rows[i][2];
        in.set |= ACC_ALIAS;
        mk_account_in(f, &in);
    }
}

TEST(account_list_search_two_char_chinese_substring)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    mk_search_set(&f, u);
    char got[512];
    struct account_query q = {.q = "技术"};
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "华为技术有限公司");
    q.q = "通讯";
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "中兴通讯");
    q.q = "华";
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "华东电力设计院,华为技术有限公司");
    fixture_close(&f);
}

TEST(account_list_search_three_plus_chars_case_insensitive)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    mk_search_set(&f, u);
    char got[512];
    struct account_query q = {.q = "TECHN"};
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Technicolor Ltd,华为技术有限公司");
    q.q = "TECHNO";
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "华为技术有限公司");
    q.q = "huawei";
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "华为技术有限公司");
    q.q = "ogies"; /* inside a word */
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "华为技术有限公司");
    q.q = "zte01"; /* the code */
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "中兴通讯");
    q.q = "电力设计"; /* 3+ Chinese characters */
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "华东电力设计院");
    q.q = "hw"; /* two ASCII characters */
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "华为技术有限公司");
    q.q = "nothing like this";
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "");
    fixture_close(&f);
}

TEST(account_list_search_treats_wildcards_and_quotes_literally)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    mk_search_set(&f, u);
    char got[512];
    struct account_query q = {.q = "%"};
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "50% Discount Store");
    q.q = "_";
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "50% Discount Store");
    q.q = "\"";
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "");
    q.q = "a\" OR \"b";
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "");
    q.q = "0% D";
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "50% Discount Store");
    fixture_close(&f);
}

TEST(account_list_scoped_for_account_manager)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    int64_t a3 = mk_account(&f, "A3", "Acc Three", o.am2);
    add_member(&f, a3, o.am1, "sales");
    mk_account(&f, "B1", "Boss Account", o.boss);
    char got[256];
    struct account_query q = {0};
    fixture_as(&f, o.am1, ROLE_ACCOUNT_MANAGER);
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Acc One,Acc Three");
    fixture_as(&f, o.am2, ROLE_ACCOUNT_MANAGER);
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Acc Three,Acc Two");
    fixture_as(&f, o.mid, ROLE_TEAM_LEAD);
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Acc One,Acc Three,Acc Two");
    fixture_as(&f, o.boss, ROLE_TEAM_LEAD);
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Acc One,Acc Three,Acc Two,Boss Account");
    fixture_as(&f, o.viewer1, ROLE_VIEWER);
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "");
    fixture_as(&f, o.fin, ROLE_FINANCE);
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Acc One,Acc Three,Acc Two,Boss Account");
    /* scope and search combine */
    fixture_as(&f, o.am1, ROLE_ACCOUNT_MANAGER);
    q.q = "Two";
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "");
    q.q = "Thr";
    walk(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Acc Three");
    fixture_close(&f);
}

TEST(account_members_add_list_remove)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct org o;
    build_org(&f, &o);
    struct account_member m;
    CHECK_EQ_INT(account_member_add(C(&f), o.a1, o.svc1, "service", &m), KAM_OK);
    CHECK_EQ_INT(m.user_id, o.svc1);
    CHECK_EQ_STR(m.login, "svc1");
    CHECK_EQ_STR(m.dept_role, "service");
    CHECK_EQ_INT(m.created_at, NOW);
    CHECK_EQ_INT(account_member_add(C(&f), o.a1, o.am2, "marketing", &m), KAM_OK);
    struct account_member *items;
    size_t n = 0;
    CHECK_EQ_INT(account_members(C(&f), o.a1, &items, &n), KAM_OK);
    CHECK_EQ_INT(n, 2);
    if (n == 2) { /* by dept_role */
        CHECK_EQ_STR(items[0].dept_role, "marketing");
        CHECK_EQ_STR(items[1].dept_role, "service");
    }
    fixture_check_err(&f, account_member_add(C(&f), o.a1, o.am2, "bogus", &m), KAM_EINVAL,
                      "dept_role");
    CHECK_EQ_INT(account_member_remove(C(&f), o.a1, o.am2), KAM_OK);
    fixture_check_err(&f, account_member_remove(C(&f), o.a1, o.am2), KAM_ENOTFOUND, "user_id");
    CHECK_EQ_INT(account_members(C(&f), o.a1, &items, &n), KAM_OK);
    CHECK_EQ_INT(n, 1);
    char want[96];
    snprintf(want, sizeof want, "{\"user_id\":[%lld,null],\"dept_role\":[\"marketing\",null]}",
             (long long)o.am2);
    CHECK_EQ_STR(qtext(&f,
                       "SELECT changes FROM audit WHERE entity = 'account_member' AND "
                       "action = 'delete' AND entity_id = ?",
                       o.am2),
                 want);
    fixture_close(&f);
}

/* ---- contacts ---- */

static struct contact_in con_in(const char *name)
{
    struct contact_in in = {0};
    in.v.name = name;
    in.set = CON_NAME;
    return in;
}

static void check_contact_fails(struct fixture *f, int64_t account, struct contact_in *in,
                                enum kam_err want, const char *field)
{
    int64_t before = rows_total(f);
    struct contact c;
    fixture_check_err(f, contact_create(C(f), account, in, &c), want, field);
    CHECK_EQ_INT(rows_total(f), before);
}

static int64_t contact_ok(struct fixture *f, int64_t account, struct contact_in *in)
{
    struct contact c = {0};
    enum kam_err rc = contact_create(C(f), account, in, &c);
    if (rc)
        fprintf(stderr, "  contact_create: %s: %s\n", f->e.field, f->e.msg);
    CHECK_EQ_INT(rc, KAM_OK);
    return rc ? 0 : c.id;
}

TEST(contact_create_defaults)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    struct contact_in in = con_in("张伟");
    struct contact c;
    CHECK_EQ_INT(contact_create(C(&f), a, &in, &c), KAM_OK);
    CHECK(c.id > 0);
    CHECK_EQ_INT(c.account_id, a);
    CHECK_EQ_STR(c.name, "张伟");
    CHECK_EQ_STR(c.decision_role, "other");
    CHECK_EQ_INT(c.influence, 3);
    CHECK_EQ_INT(c.attitude, 0);
    CHECK_EQ_INT(c.has_reports_to, 0);
    CHECK(c.birthday == NULL);
    CHECK_EQ_INT(c.has_last_contacted, 0);
    CHECK_EQ_STR(c.email, "");
    CHECK_EQ_INT(c.version, 1);
    CHECK_EQ_INT(c.created_at, NOW);
    fixture_close(&f);
}

TEST(contact_create_requires_name_and_known_account)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    struct contact_in in = con_in("x");
    in.set = 0;
    check_contact_fails(&f, a, &in, KAM_EINVAL, "name");
    in = con_in("");
    check_contact_fails(&f, a, &in, KAM_EINVAL, "name");
    in = con_in("Someone");
    check_contact_fails(&f, a + 50, &in, KAM_ENOTFOUND, "id");
    fixture_close(&f);
}

TEST(contact_influence_must_be_1_to_5)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    struct contact_in in = con_in("Li");
    in.set |= CON_INFLUENCE;
    in.v.influence = 0;
    check_contact_fails(&f, a, &in, KAM_EINVAL, "influence");
    in.v.influence = 6;
    check_contact_fails(&f, a, &in, KAM_EINVAL, "influence");
    in.v.influence = 1;
    contact_ok(&f, a, &in);
    in.v.influence = 5;
    contact_ok(&f, a, &in);
    fixture_close(&f);
}

TEST(contact_attitude_must_be_minus2_to_2)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    struct contact_in in = con_in("Li");
    in.set |= CON_ATTITUDE;
    in.v.attitude = 3;
    check_contact_fails(&f, a, &in, KAM_EINVAL, "attitude");
    in.v.attitude = -3;
    check_contact_fails(&f, a, &in, KAM_EINVAL, "attitude");
    in.v.attitude = -2;
    contact_ok(&f, a, &in);
    in.v.attitude = 2;
    contact_ok(&f, a, &in);
    fixture_close(&f);
}

TEST(contact_birthday_must_be_a_real_date)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    struct contact_in in = con_in("Li");
    in.set |= CON_BIRTHDAY;
    in.v.birthday = "2023-02-30";
    check_contact_fails(&f, a, &in, KAM_EINVAL, "birthday");
    in.v.birthday = "1975-4-12";
    check_contact_fails(&f, a, &in, KAM_EINVAL, "birthday");
    in.v.birthday = "";
    check_contact_fails(&f, a, &in, KAM_EINVAL, "birthday");
    in.v.birthday = "2024-02-29";
    int64_t id = contact_ok(&f, a, &in);
    struct contact c;
    CHECK_EQ_INT(contact_get(C(&f), id, &c), KAM_OK);
    CHECK_EQ_STR(c.birthday, "2024-02-29");
    in.v.birthday = NULL; /* null is allowed */
    contact_ok(&f, a, &in);
    fixture_close(&f);
}

TEST(contact_email_shape)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    static const char *const bad[] = {"no-at-sign", "a@b@c.cn", "zhang wei@example.cn",
                                      "@example.cn", "zhang@"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct contact_in in = con_in("Li");
        in.set |= CON_EMAIL;
        in.v.email = bad[i];
        check_contact_fails(&f, a, &in, KAM_EINVAL, "email");
    }
    struct contact_in in = con_in("Li");
    in.set |= CON_EMAIL;
    in.v.email = "";
    contact_ok(&f, a, &in);
    in.v.email = "zhang.wei@example.cn";
    contact_ok(&f, a, &in);
    fixture_close(&f);
}

TEST(contact_other_text_limits)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    struct contact_in in = con_in("Li");
    in.set |= CON_DECISION_ROLE;
    in.v.decision_role = "boss";
    check_contact_fails(&f, a, &in, KAM_EINVAL, "decision_role");
    in = con_in("Li");
    in.set |= CON_NOTES;
    in.v.notes = "line one\nline two\ttabbed"; /* notes are multi-line */
    contact_ok(&f, a, &in);
    in = con_in("Li");
    in.set |= CON_TITLE;
    in.v.title = "line one\nline two"; /* titles are not */
    check_contact_fails(&f, a, &in, KAM_EINVAL, "title");
    char phone[42];
    memset(phone, '1', 41);
    phone[41] = 0;
    in = con_in("Li");
    in.set |= CON_PHONE;
    in.v.phone = phone;
    check_contact_fails(&f, a, &in, KAM_EINVAL, "phone");
    phone[40] = 0;
    contact_ok(&f, a, &in);
    fixture_close(&f);
}

TEST(contact_reports_to_must_be_same_account)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    int64_t b = mk_account(&f, "B", "Beta", u);
    int64_t cb = mk_contact(&f, b, "In B", 0);
    int64_t ca = mk_contact(&f, a, "In A", 0);
    struct contact_in in = con_in("New in A");
    in.set |= CON_REPORTS_TO;
    in.v.has_reports_to = 1;
    in.v.reports_to_id = cb;
    check_contact_fails(&f, a, &in, KAM_EINVAL, "reports_to_id");
    in.v.reports_to_id = 9999;
    check_contact_fails(&f, a, &in, KAM_EINVAL, "reports_to_id");
    /* and on update */
    struct contact_in up = {0};
    up.set = CON_REPORTS_TO;
    up.v.has_reports_to = 1;
    up.v.reports_to_id = cb;
    struct contact c;
    fixture_check_err(&f, contact_update(C(&f), ca, &up, &c), KAM_EINVAL, "reports_to_id");
    in.v.reports_to_id = ca;
    CHECK(contact_ok(&f, a, &in) > 0);
    fixture_close(&f);
}

TEST(contact_reports_to_cycle_conflicts)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    int64_t c1 = mk_contact(&f, a, "CEO", 0);
    int64_t c2 = mk_contact(&f, a, "VP", c1);
    int64_t c3 = mk_contact(&f, a, "Director", c2);
    struct contact_in up = {0};
    up.set = CON_REPORTS_TO;
    up.v.has_reports_to = 1;
    up.v.reports_to_id = c3;
    struct contact c;
    int64_t before = rows_total(&f);
    fixture_check_err(&f, contact_update(C(&f), c1, &up, &c), KAM_ECONFLICT, "reports_to_id");
    up.v.reports_to_id = c1;
    fixture_check_err(&f, contact_update(C(&f), c1, &up, &c), KAM_ECONFLICT, "reports_to_id");
    CHECK_EQ_INT(rows_total(&f), before);
    CHECK_EQ_INT(q64_id(&f, "SELECT reports_to_id IS NULL FROM contacts WHERE id = ?", c1), 1);
    /* moving the director straight under the CEO is fine */
    up.v.reports_to_id = c1;
    CHECK_EQ_INT(contact_update(C(&f), c3, &up, &c), KAM_OK);
    CHECK_EQ_INT(c.reports_to_id, c1);
    CHECK_EQ_INT(c.version, 2);
    fixture_close(&f);
}

TEST(contact_delete_of_manager_nulls_reports_to_of_reports)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    int64_t boss = mk_contact(&f, a, "Boss", 0);
    int64_t r1 = mk_contact(&f, a, "Report 1", boss);
    int64_t r2 = mk_contact(&f, a, "Report 2", boss);
    int64_t rr = mk_contact(&f, a, "Report of report", r1);
    f.ctx.now = NOW + 10;
    CHECK_EQ_INT(contact_delete(C(&f), boss), KAM_OK);
    struct contact c;
    fixture_check_err(&f, contact_get(C(&f), boss, &c), KAM_ENOTFOUND, "id");
    CHECK_EQ_INT(contact_get(C(&f), r1, &c), KAM_OK);
    CHECK_EQ_INT(c.has_reports_to, 0);
    CHECK_EQ_INT(c.version, 2);
    CHECK_EQ_INT(c.updated_at, NOW + 10);
    CHECK_EQ_INT(contact_get(C(&f), r2, &c), KAM_OK);
    CHECK_EQ_INT(c.has_reports_to, 0);
    CHECK_EQ_INT(contact_get(C(&f), rr, &c), KAM_OK);
    CHECK_EQ_INT(c.has_reports_to, 1); /* untouched */
    CHECK_EQ_INT(c.reports_to_id, r1);
    char want[64];
    snprintf(want, sizeof want, "{\"reports_to_id\":[%lld,null]}", (long long)boss);
    CHECK_EQ_STR(qtext(&f,
                       "SELECT changes FROM audit WHERE entity = 'contact' AND entity_id = ? "
                       "ORDER BY id DESC",
                       r2),
                 want);
    CHECK_EQ_INT(q64_id(&f,
                        "SELECT account_id FROM audit WHERE entity = 'contact' AND entity_id = ? "
                        "AND action = 'delete'",
                        boss),
                 a);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE action = 'update'"), 2);
    fixture_close(&f);
}

TEST(contact_update_stale_version_conflicts)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    int64_t id = mk_contact(&f, a, "Li", 0);
    struct contact_in up = {0};
    up.set = CON_TITLE | CON_VERSION;
    up.v.title = "CFO";
    up.v.version = 3;
    struct contact c;
    fixture_check_err(&f, contact_update(C(&f), id, &up, &c), KAM_ECONFLICT, "version");
    up.v.version = 1;
    CHECK_EQ_INT(contact_update(C(&f), id, &up, &c), KAM_OK);
    CHECK_EQ_INT(c.version, 2);
    CHECK_EQ_STR(c.title, "CFO");
    CHECK_EQ_STR(qtext(&f,
                       "SELECT changes FROM audit WHERE entity = 'contact' AND entity_id = ? "
                       "ORDER BY id DESC",
                       id),
                 "{\"title\":[\"\",\"CFO\"]}");
    fixture_check_err(&f, contact_update(C(&f), id + 9, &up, &c), KAM_ENOTFOUND, "id");
    fixture_close(&f);
}

TEST(contact_touch_only_moves_forward)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    int64_t id = mk_contact(&f, a, "Li", 0);
    struct contact c;
    CHECK_EQ_INT(contact_touch(C(&f), id, NOW + 100), KAM_OK);
    CHECK_EQ_INT(contact_touch(C(&f), id, NOW + 50), KAM_OK);
    CHECK_EQ_INT(contact_get(C(&f), id, &c), KAM_OK);
    CHECK_EQ_INT(c.has_last_contacted, 1);
    CHECK_EQ_INT(c.last_contacted_at, NOW + 100);
    CHECK_EQ_INT(q64_id(&f,
                        "SELECT COUNT(*) FROM audit WHERE entity = 'contact' AND entity_id = ? "
                        "AND action = 'update'",
                        id),
                 1);
    fixture_close(&f);
}

static void walk_contacts(struct fixture *f, struct contact_query q, char *out, size_t cap)
{
    out[0] = 0;
    for (int pages = 0; pages < 20; pages++) {
        struct contact *items;
        size_t n = 0;
        const char *next = NULL;
        enum kam_err rc = contact_list(C(f), &q, &items, &n, &next);
        CHECK_EQ_INT(rc, KAM_OK);
        if (rc)
            return;
        for (size_t i = 0; i < n; i++) {
            if (*out)
                strncat(out, ",", cap - strlen(out) - 1);
            strncat(out, items[i].name, cap - strlen(out) - 1);
        }
        if (!next)
            return;
        q.cursor = next;
    }
}

TEST(contact_list_sorts_pages_and_filters)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "owner", "account_manager", 0);
    int64_t a = mk_account(&f, "A", "Acme", u);
    int64_t b = mk_account(&f, "B", "Beta", u);
    static const struct {
        const char *name;
        int influence;
        const char *role;
    } people[] = {{"Alice", 5, "decision_maker"},
                  {"Bob", 4, "influencer"},
                  {"Carol", 2, "decision_maker"},
                  {"Dave", 4, "user"}};
    for (size_t i = 0; i < 4; i++) {
        struct contact_in in = con_in(people[i].name);
        in.set |= CON_INFLUENCE | CON_DECISION_ROLE;
        in.v.influence = people[i].influence;
        in.v.decision_role = people[i].role;
        contact_ok(&f, a, &in);
    }
    mk_contact(&f, b, "Elsewhere", 0);
    char got[256];
    struct contact_query q = {.account_id = a, .limit = 3};
    walk_contacts(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Alice,Bob,Carol,Dave");
    q.sort = "influence";
    q.limit = 2;
    walk_contacts(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Carol,Bob,Dave,Alice");
    q.sort = "-influence";
    walk_contacts(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Alice,Dave,Bob,Carol");
    q = (struct contact_query){.account_id = a, .decision_role = "decision_maker"};
    walk_contacts(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Alice,Carol");
    q = (struct contact_query){.account_id = a, .q = "aro"};
    walk_contacts(&f, q, got, sizeof got);
    CHECK_EQ_STR(got, "Carol");
    struct contact *items;
    size_t n;
    const char *next;
    q = (struct contact_query){.account_id = a, .decision_role = "ceo"};
    fixture_check_err(&f, contact_list(C(&f), &q, &items, &n, &next), KAM_EINVAL, "decision_role");
    q = (struct contact_query){.account_id = a, .sort = "title"};
    fixture_check_err(&f, contact_list(C(&f), &q, &items, &n, &next), KAM_EINVAL, "sort");
    fixture_close(&f);
}

/* ---- auth ---- */

TEST(auth_login_opens_session)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "li.na", "account_manager", 0);
    struct session s;
    CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, "10.0.0.1", 3600, &s), KAM_OK);
    CHECK(strncmp(s.token, "s_", 2) == 0);
    CHECK(strncmp(s.csrf, "c_", 2) == 0);
    CHECK_EQ_INT(strlen(s.token), 2 + 43);
    CHECK(strcmp(s.token + 2, s.csrf + 2) != 0);
    CHECK_EQ_INT(s.expires_at, NOW + 3600);
    CHECK_EQ_INT(s.user.id, u);
    CHECK_EQ_STR(s.user.role, "account_manager");
    struct session back;
    CHECK_EQ_INT(auth_session(C(&f), s.token, &back), KAM_OK);
    CHECK_EQ_INT(back.user.id, u);
    CHECK_EQ_STR(back.user.login, "li.na");
    CHECK_EQ_STR(back.csrf, s.csrf);
    CHECK_EQ_INT(back.expires_at, NOW + 3600);
    /* only a hash of the cookie is stored */
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM sessions WHERE id LIKE 's_%'"), 0);
    fixture_close(&f);
}

TEST(auth_login_wrong_password_is_eauth)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    fixture_add_user(&f, "li.na", "account_manager", 0);
    struct session s;
    fixture_check_err(&f, auth_login(C(&f), "li.na", "wrong-password", "10.0.0.1", 3600, &s),
                      KAM_EAUTH, "login");
    fixture_check_err(&f, auth_login(C(&f), "nobody", FIXTURE_PW, "10.0.0.1", 3600, &s), KAM_EAUTH,
                      "login");
    fixture_check_err(&f, auth_login(C(&f), "LI.NA", FIXTURE_PW, "10.0.0.1", 3600, &s), KAM_EAUTH,
                      "login");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM sessions"), 0);
    fixture_close(&f);
}

TEST(auth_login_five_failures_then_right_password_is_limited)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    fixture_add_user(&f, "li.na", "account_manager", 0);
    struct session s;
    for (int i = 0; i < AUTH_PAIR_FREE; i++)
        CHECK_EQ_INT(auth_login(C(&f), "li.na", "wrong-password", NULL, 3600, &s), KAM_EAUTH);
    fixture_check_err(&f, auth_login(C(&f), "li.na", FIXTURE_PW, NULL, 3600, &s), KAM_ELIMIT,
                      "login");
    f.ctx.now = NOW + AUTH_BACKOFF_FIRST - 1;
    CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, NULL, 3600, &s), KAM_ELIMIT);
    f.ctx.now = NOW + AUTH_BACKOFF_FIRST;
    CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, NULL, 3600, &s), KAM_OK);
    fixture_close(&f);
}

TEST(auth_login_success_clears_login_failures)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    fixture_add_user(&f, "li.na", "account_manager", 0);
    struct session s;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < AUTH_PAIR_FREE - 1; i++)
            CHECK_EQ_INT(auth_login(C(&f), "li.na", "wrong-password", NULL, 3600, &s), KAM_EAUTH);
        CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, NULL, 3600, &s), KAM_OK);
    }
    fixture_close(&f);
}

TEST(auth_login_limited_per_address)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    fixture_add_user(&f, "li.na", "account_manager", 0);
    struct session s;
    for (int i = 0; i < AUTH_ADDR_MAX_FAILS; i++) {
        char login[16];
        snprintf(login, sizeof login, "ghost%d", i);
        CHECK_EQ_INT(auth_login(C(&f), login, "whatever-pw", "10.9.9.9", 3600, &s), KAM_EAUTH);
    }
    fixture_check_err(&f, auth_login(C(&f), "li.na", FIXTURE_PW, "10.9.9.9", 3600, &s), KAM_ELIMIT,
                      "login");
    CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, "10.1.1.1", 3600, &s), KAM_OK);
    fixture_close(&f);
}

TEST(auth_session_expires)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    fixture_add_user(&f, "li.na", "viewer", 0);
    struct session s, back;
    CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, NULL, 600, &s), KAM_OK);
    f.ctx.now = s.expires_at - 1;
    CHECK_EQ_INT(auth_session(C(&f), s.token, &back), KAM_OK);
    f.ctx.now = s.expires_at;
    CHECK_EQ_INT(auth_session(C(&f), s.token, &back), KAM_EAUTH);
    f.ctx.now = s.expires_at + 86400;
    CHECK_EQ_INT(auth_session(C(&f), s.token, &back), KAM_EAUTH);
    fixture_close(&f);
}

TEST(auth_session_unknown_or_malformed_token)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct session back;
    CHECK_EQ_INT(auth_session(C(&f), "s_nonexistent", &back), KAM_EAUTH);
    CHECK_EQ_INT(auth_session(C(&f), "", &back), KAM_EAUTH);
    CHECK_EQ_INT(auth_session(C(&f), NULL, &back), KAM_EAUTH);
    char longtok[300];
    memset(longtok, 'a', sizeof longtok - 1);
    longtok[sizeof longtok - 1] = 0;
    CHECK_EQ_INT(auth_session(C(&f), longtok, &back), KAM_EAUTH);
    fixture_close(&f);
}

TEST(auth_logout_ends_session)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    fixture_add_user(&f, "li.na", "viewer", 0);
    struct session s1, s2, back;
    CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, NULL, 600, &s1), KAM_OK);
    CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, NULL, 600, &s2), KAM_OK);
    CHECK_EQ_INT(auth_logout(C(&f), s1.token), KAM_OK);
    CHECK_EQ_INT(auth_session(C(&f), s1.token, &back), KAM_EAUTH);
    CHECK_EQ_INT(auth_session(C(&f), s2.token, &back), KAM_OK);
    fixture_close(&f);
}

TEST(auth_disabled_user_loses_sessions_and_cannot_log_in)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "li.na", "viewer", 0);
    struct session s, back;
    CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, NULL, 600, &s), KAM_OK);
    struct user_in in = {0};
    in.set = USR_DISABLED;
    in.v.disabled = 1;
    struct user out;
    CHECK_EQ_INT(user_update(C(&f), u, &in, &out), KAM_OK);
    CHECK_EQ_INT(out.disabled, 1);
    CHECK_EQ_INT(auth_session(C(&f), s.token, &back), KAM_EAUTH);
    CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, NULL, 600, &s), KAM_EAUTH);
    fixture_close(&f);
}

TEST(token_create_bearer_and_revoke)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "li.na", "account_manager", 0);
    fixture_as(&f, u, ROLE_ACCOUNT_MANAGER);
    struct api_token t;
    CHECK_EQ_INT(token_create(C(&f), "crm sync", &t), KAM_OK);
    CHECK(t.id > 0);
    CHECK_EQ_INT(t.user_id, u);
    CHECK(strncmp(t.token, "kam_", 4) == 0);
    CHECK_EQ_INT(strlen(t.token), 4 + 43);
    CHECK_EQ_INT(t.created_at, NOW);
    struct user who;
    CHECK_EQ_INT(auth_bearer(C(&f), t.token, &who), KAM_OK);
    CHECK_EQ_INT(who.id, u);
    CHECK_EQ_STR(who.login, "li.na");
    CHECK_EQ_STR(who.role, "account_manager");
    struct api_token *items;
    size_t n = 0;
    CHECK_EQ_INT(token_list(C(&f), &items, &n), KAM_OK);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK_EQ_STR(items[0].name, "crm sync");
        CHECK_EQ_INT(items[0].revoked, 0);
        CHECK(items[0].token == NULL);
    }
    f.ctx.now = NOW + 7;
    CHECK_EQ_INT(token_revoke(C(&f), t.id), KAM_OK);
    fixture_check_err(&f, auth_bearer(C(&f), t.token, &who), KAM_EAUTH, "Authorization");
    CHECK_EQ_INT(token_list(C(&f), &items, &n), KAM_OK);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK_EQ_INT(items[0].revoked, 1);
        CHECK_EQ_INT(items[0].revoked_at, NOW + 7);
    }
    fixture_check_err(&f, token_revoke(C(&f), t.id), KAM_ENOTFOUND, "id");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM api_tokens WHERE token_hash LIKE 'kam_%'"),
                 0);
    fixture_close(&f);
}

TEST(token_of_another_user_cannot_be_revoked_or_listed)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u1 = fixture_add_user(&f, "li.na", "account_manager", 0);
    int64_t u2 = fixture_add_user(&f, "wang.fang", "account_manager", 0);
    fixture_as(&f, u1, ROLE_ACCOUNT_MANAGER);
    struct api_token t;
    CHECK_EQ_INT(token_create(C(&f), "mine", &t), KAM_OK);
    fixture_as(&f, u2, ROLE_ACCOUNT_MANAGER);
    fixture_check_err(&f, token_revoke(C(&f), t.id), KAM_ENOTFOUND, "id");
    struct api_token *items;
    size_t n = 9;
    CHECK_EQ_INT(token_list(C(&f), &items, &n), KAM_OK);
    CHECK_EQ_INT(n, 0);
    struct user who;
    CHECK_EQ_INT(auth_bearer(C(&f), t.token, &who), KAM_OK);
    CHECK_EQ_INT(who.id, u1);
    fixture_close(&f);
}

TEST(token_name_is_required)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "li.na", "account_manager", 0);
    fixture_as(&f, u, ROLE_ACCOUNT_MANAGER);
    struct api_token t;
    fixture_check_err(&f, token_create(C(&f), "", &t), KAM_EINVAL, "name");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM api_tokens"), 0);
    fixture_close(&f);
}

TEST(auth_bearer_rejects_unknown_and_disabled)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "li.na", "account_manager", 0);
    struct user who;
    fixture_check_err(&f, auth_bearer(C(&f), "kam_unknown", &who), KAM_EAUTH, "Authorization");
    fixture_check_err(&f, auth_bearer(C(&f), NULL, &who), KAM_EAUTH, "Authorization");
    fixture_as(&f, u, ROLE_ACCOUNT_MANAGER);
    struct api_token t;
    CHECK_EQ_INT(token_create(C(&f), "t", &t), KAM_OK);
    as_system(&f);
    struct user_in in = {0};
    in.set = USR_DISABLED;
    in.v.disabled = 1;
    struct user out;
    CHECK_EQ_INT(user_update(C(&f), u, &in, &out), KAM_OK);
    fixture_check_err(&f, auth_bearer(C(&f), t.token, &who), KAM_EAUTH, "Authorization");
    fixture_close(&f);
}

TEST(auth_change_password_checks_old_and_keeps_current_session)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t u = fixture_add_user(&f, "li.na", "account_manager", 0);
    user_set_hash_override(NULL); /* the new password gets a real argon2id hash */
    struct session s1, s2, back;
    CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, NULL, 600, &s1), KAM_OK);
    CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, NULL, 600, &s2), KAM_OK);
    fixture_as(&f, u, ROLE_ACCOUNT_MANAGER);
    fixture_check_err(&f,
                      auth_change_password(C(&f), "not-the-password", "brand-new-pass", s1.token),
                      KAM_EINVAL, "old_password");
    fixture_check_err(&f, auth_change_password(C(&f), FIXTURE_PW, "short", s1.token), KAM_EINVAL,
                      "new_password");
    CHECK_EQ_INT(auth_session(C(&f), s2.token, &back), KAM_OK);
    CHECK_EQ_INT(auth_change_password(C(&f), FIXTURE_PW, "brand-new-pass", s1.token), KAM_OK);
    CHECK_EQ_INT(auth_session(C(&f), s1.token, &back), KAM_OK);
    CHECK_EQ_INT(auth_session(C(&f), s2.token, &back), KAM_EAUTH);
    const char *h = qtext(&f, "SELECT password_hash FROM users WHERE id = ?", u);
    CHECK(strncmp(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    as_system(&f);
    struct session s3;
    CHECK_EQ_INT(auth_login(C(&f), "li.na", "brand-new-pass", NULL, 600, &s3), KAM_OK);
    CHECK_EQ_INT(auth_login(C(&f), "li.na", FIXTURE_PW, NULL, 600, &s3), KAM_EAUTH);
    fixture_close(&f);
}

/* ---- users and teams ---- */

TEST(only_admin_may_grant_admin)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t hr = fixture_add_user(&f, "hr.one", "hr", 0);
    int64_t adm = fixture_add_user(&f, "root", "admin", 0);
    int64_t v = fixture_add_user(&f, "v.one", "viewer", 0);
    fixture_as(&f, hr, ROLE_HR);
    struct user_in in = {0};
    in.set = USR_LOGIN | USR_ROLE | USR_PASSWORD;
    in.v.login = "new.admin";
    in.v.role = "admin";
    in.password = FIXTURE_PW;
    struct user out;
    int64_t before = rows_total(&f);
    fixture_check_err(&f, user_create(C(&f), &in, &out), KAM_EFORBIDDEN, "role");
    struct user_in up = {0};
    up.set = USR_ROLE;
    up.v.role = "admin";
    fixture_check_err(&f, user_update(C(&f), v, &up, &out), KAM_EFORBIDDEN, "role");
    up.set = USR_NAME; /* hr may not touch an administrator at all */
    up.v.name = "Renamed";
    fixture_check_err(&f, user_update(C(&f), adm, &up, &out), KAM_EFORBIDDEN, "role");
    CHECK_EQ_INT(rows_total(&f), before);
    in.v.role = "account_manager"; /* hr sees no account data: it grants no role that does */
    fixture_check_err(&f, user_create(C(&f), &in, &out), KAM_EFORBIDDEN, "role");
    in.v.role = "hr";
    CHECK_EQ_INT(user_create(C(&f), &in, &out), KAM_OK);
    CHECK_EQ_STR(out.role, "hr");
    fixture_as(&f, adm, ROLE_ADMIN);
    in.v.login = "second.admin";
    in.v.role = "admin";
    CHECK_EQ_INT(user_create(C(&f), &in, &out), KAM_OK);
    fixture_close(&f);
}

TEST(user_create_validation)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct user_in in = {0};
    in.set = USR_LOGIN | USR_ROLE | USR_PASSWORD;
    in.v.login = "Li.Na";
    in.v.role = "viewer";
    in.password = FIXTURE_PW;
    struct user out;
    fixture_check_err(&f, user_create(C(&f), &in, &out), KAM_EINVAL, "login");
    in.v.login = "li na";
    fixture_check_err(&f, user_create(C(&f), &in, &out), KAM_EINVAL, "login");
    in.v.login = "";
    fixture_check_err(&f, user_create(C(&f), &in, &out), KAM_EINVAL, "login");
    in.v.login = "li.na";
    in.v.role = "superuser";
    fixture_check_err(&f, user_create(C(&f), &in, &out), KAM_EINVAL, "role");
    in.v.role = "viewer";
    in.password = "123456789"; /* 9 characters */
    fixture_check_err(&f, user_create(C(&f), &in, &out), KAM_EINVAL, "password");
    in.password = FIXTURE_PW;
    in.set |= USR_EMAIL;
    in.v.email = "not-an-email";
    fixture_check_err(&f, user_create(C(&f), &in, &out), KAM_EINVAL, "email");
    in.v.email = "li.na@example.cn";
    in.set |= USR_TEAM;
    in.v.has_team = 1;
    in.v.team_id = 77;
    fixture_check_err(&f, user_create(C(&f), &in, &out), KAM_EINVAL, "team_id");
    in.set &= ~(unsigned)USR_PASSWORD;
    in.v.has_team = 0;
    fixture_check_err(&f, user_create(C(&f), &in, &out), KAM_EINVAL, "password");
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM users"), 0);
    in.set |= USR_PASSWORD;
    CHECK_EQ_INT(user_create(C(&f), &in, &out), KAM_OK);
    CHECK_EQ_STR(out.login, "li.na");
    CHECK_EQ_STR(out.email, "li.na@example.cn");
    CHECK_EQ_INT(out.has_team, 0);
    CHECK_EQ_INT(out.disabled, 0);
    fixture_check_err(&f, user_create(C(&f), &in, &out), KAM_ECONFLICT, "login");
    fixture_close(&f);
}

TEST(team_tree_rejects_cycles_and_duplicate_names)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t top = mk_team(&f, "Top", 0, 0);
    int64_t mid = mk_team(&f, "Mid", top, 0);
    int64_t leaf = mk_team(&f, "Leaf", mid, 0);
    struct team_in in = {0};
    in.set = TEAM_PARENT;
    in.v.has_parent = 1;
    in.v.parent_id = leaf;
    struct team t;
    int64_t before = rows_total(&f);
    fixture_check_err(&f, team_update(C(&f), top, &in, &t), KAM_ECONFLICT, "parent_id");
    in.v.parent_id = top;
    fixture_check_err(&f, team_update(C(&f), top, &in, &t), KAM_ECONFLICT, "parent_id");
    in.v.parent_id = 999;
    fixture_check_err(&f, team_update(C(&f), top, &in, &t), KAM_EINVAL, "parent_id");
    in = (struct team_in){0};
    in.set = TEAM_NAME;
    in.v.name = "Top";
    fixture_check_err(&f, team_create(C(&f), &in, &t), KAM_ECONFLICT, "name");
    fixture_check_err(&f, team_update(C(&f), leaf, &in, &t), KAM_ECONFLICT, "name");
    in.set |= TEAM_MANAGER;
    in.v.name = "Fresh";
    in.v.has_manager = 1;
    in.v.manager_id = 4242;
    fixture_check_err(&f, team_create(C(&f), &in, &t), KAM_EINVAL, "manager_id");
    CHECK_EQ_INT(rows_total(&f), before);
    fixture_close(&f);
}

TEST(user_list_pages_by_login)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    static const char *const logins[] = {"dd", "aa", "ee", "cc", "bb"};
    for (int i = 0; i < 5; i++)
        fixture_add_user(&f, logins[i], i % 2 ? "viewer" : "finance", 0);
    char got[128] = "";
    struct user_query q = {.limit = 2};
    for (int pages = 0; pages < 10; pages++) {
        struct user *items;
        size_t n = 0;
        const char *next = NULL;
        CHECK_EQ_INT(user_list(C(&f), &q, &items, &n, &next), KAM_OK);
        for (size_t i = 0; i < n; i++) {
            strcat(got, items[i].login);
            strcat(got, " ");
        }
        if (!next)
            break;
        q.cursor = next;
    }
    CHECK_EQ_STR(got, "aa bb cc dd ee ");
    struct user *items;
    size_t n = 0;
    const char *next;
    q = (struct user_query){.role = "viewer"};
    CHECK_EQ_INT(user_list(C(&f), &q, &items, &n, &next), KAM_OK);
    CHECK_EQ_INT(n, 2);
    fixture_close(&f);
}

/* ---- paging ---- */

static const struct page_sort test_sorts[] = {
    {"name", "t.name", 1},
    {"updated_at", "t.updated_at", 0},
};

static struct page_req parse_ok(struct fixture *f, const char *sort, int64_t limit,
                                const char *cursor)
{
    struct page_req r;
    memset(&r, 0, sizeof r);
    enum kam_err rc = page_parse(C(f), test_sorts, 2, sort, limit, cursor, &r);
    if (rc)
        fprintf(stderr, "  page_parse: %s: %s\n", f->e.field, f->e.msg);
    CHECK_EQ_INT(rc, KAM_OK);
    return r;
}

static void parse_fails(struct fixture *f, const char *sort, int64_t limit, const char *cursor,
                        const char *field)
{
    struct page_req r;
    fixture_check_err(f, page_parse(C(f), test_sorts, 2, sort, limit, cursor, &r), KAM_EINVAL,
                      field);
}

/* base64url of plain, in the fixture's arena */
static const char *b64(struct fixture *f, const char *plain)
{
    size_t n = strlen(plain);
    char *out = arena_alloc(&f->a, 4 * (n / 3 + 1) + 1);
    b64url_encode((const unsigned char *)plain, n, out);
    return out;
}

TEST(page_parse_defaults)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct page_req r = parse_ok(&f, NULL, 0, NULL);
    CHECK(r.sort == &test_sorts[0]);
    CHECK_EQ_INT(r.desc, 0);
    CHECK_EQ_INT(r.limit, PAGE_DEFAULT);
    CHECK_EQ_INT(r.has_after, 0);
    r = parse_ok(&f, "-updated_at", 500, "");
    CHECK(r.sort == &test_sorts[1]);
    CHECK_EQ_INT(r.desc, 1);
    CHECK_EQ_INT(r.limit, 500);
    CHECK_EQ_INT(r.has_after, 0);
    fixture_close(&f);
}

TEST(page_cursor_encodes_documented_plaintext)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct page_req r = parse_ok(&f, "name", 10, NULL);
    CHECK_EQ_STR(page_cursor(&f.ctx, &r, "华东", 0, 12), "MXxuYW1lfGF8MTJ85Y2O5Lic");
    r = parse_ok(&f, "-updated_at", 10, NULL);
    CHECK_EQ_STR(page_cursor(&f.ctx, &r, NULL, 1700000000, 7),
                 b64(&f, "1|updated_at|d|7|1700000000"));
    fixture_close(&f);
}

TEST(page_parse_reads_hand_made_cursor)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    struct page_req r = parse_ok(&f, "name", 0, "MXxuYW1lfGF8MTJ85Y2O5Lic");
    CHECK_EQ_INT(r.has_after, 1);
    CHECK_EQ_INT(r.after_id, 12);
    CHECK_EQ_STR(r.after_s, "华东");
    /* the value comes last and may hold '|' */
    r = parse_ok(&f, "name", 0, b64(&f, "1|name|a|3|a|b|c"));
    CHECK_EQ_STR(r.after_s, "a|b|c");
    r = parse_ok(&f, "-updated_at", 0, b64(&f, "1|updated_at|d|9|-42"));
    CHECK_EQ_INT(r.after_i, -42);
    CHECK_EQ_INT(r.after_id, 9);
    r = parse_ok(&f, "name", 0, b64(&f, "1|name|a|5|"));
    CHECK_EQ_STR(r.after_s, "");
    fixture_close(&f);
}

TEST(page_parse_rejects_bad_input_naming_the_parameter)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    parse_fails(&f, "title", 0, NULL, "sort");
    parse_fails(&f, "--name", 0, NULL, "sort");
    parse_fails(&f, "Name", 0, NULL, "sort");
    parse_fails(&f, NULL, 501, NULL, "limit");
    parse_fails(&f, NULL, -5, NULL, "limit");
    parse_fails(&f, NULL, 0, "***", "cursor");
    parse_fails(&f, NULL, 0, "MXxuYW1lfGF8MTJ85Y2O5Lic=", "cursor");
    parse_fails(&f, "name", 0, b64(&f, "2|name|a|12|x"), "cursor");       /* version */
    parse_fails(&f, "-name", 0, b64(&f, "1|name|a|12|x"), "cursor");      /* direction */
    parse_fails(&f, "updated_at", 0, b64(&f, "1|name|a|12|x"), "cursor"); /* other key */
    parse_fails(&f, "name", 0, b64(&f, "1|name|a|12"), "cursor");         /* missing value */
    parse_fails(&f, "name", 0, b64(&f, "1|name|a|-1|x"), "cursor");       /* negative id */
    parse_fails(&f, "name", 0, b64(&f, "1|name|a||x"), "cursor");         /* empty id */
    parse_fails(&f, "name", 0, b64(&f, "1|name|a|1x|x"), "cursor");       /* junk id */
    parse_fails(&f, "name", 0, b64(&f, "1|name|a|99999999999999999999|x"), "cursor");
    parse_fails(&f, "updated_at", 0, b64(&f, "1|updated_at|a|1|"), "cursor");
    parse_fails(&f, "updated_at", 0, b64(&f, "1|updated_at|a|1|12ab"), "cursor");
    char big[3000];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = 0;
    parse_fails(&f, NULL, 0, big, "cursor");
    fixture_close(&f);
}

TEST(page_parse_rejects_nul_inside_cursor_value)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    static const unsigned char plain[] = "1|name|a|3|ab\0cd";
    char enc[64];
    b64url_encode(plain, sizeof plain - 1, enc);
    parse_fails(&f, "name", 0, enc, "cursor");
    fixture_close(&f);
}
