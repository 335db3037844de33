/* demo.c -- builds the demo data set from demo_names.c with a seeded PRNG. */
#include "demo.h"

#include <stdio.h>
#include <string.h>

#include "account.h"
#include "base/timeutil.h"
#include "contact.h"
#include "demo_names.h"
#include "interaction.h"
#include "issue.h"
#include "store/db.h"
#include "svc/contracts/demo.h"
#include "svc/core/user.h"
#include "svc/needs/follow_up.h"    /* named exception: the demo loads every chapter */
#include "svc/needs/need.h"         /* named exception: the demo loads every chapter */
#include "svc/needs/satisfaction.h" /* named exception: the demo loads every chapter */
#include "svc/offers/demo_catalog.h"
#include "svc/offers/demo_offers.h"
#include "svc/offers/demo_opportunities.h"
#include "svc/offers/demo_prices.h" /* named exception: the demo loads every chapter */
#include "svc/risk/demo.h"
#include "svc/team/demo.h"
#include "svc/volume/demo_sales.h" /* named exception: the demo loads every chapter */
#include "valuation.h"
#include "visit.h"

const struct demo_login demo_logins[] = {
    {"admin", "administrator: users and teams"},
    {"director", "sales director: every account"},
    {"gm", "general manager: approves the director's plans"},
    {"lead.east", "team lead, East key accounts"},
    {"am.east1", "account manager, East"},
    {"finance", "finance: reads everything"},
    {"service1", "service engineer on account teams"},
    {"hr", "HR: users and teams"},
    {"viewer", "read-only, on a few account teams"},
    {"legal", "legal: contracts, breaches, disputes, lessons"},
    {0, 0},
};

/* splitmix64: tiny, good enough, and the same on every platform. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int rnd_n(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

#define PICK(arr) arr[rnd_n((int)arr##_n)]

struct team_def {
    const char *name, *lead, *lead_name;
    const char *regions[5];
};

static const struct team_def team_defs[] = {
    {"华东大客户组 East KA", "lead.east", "陈立华", {"华东", "华北", "华中", "东北", NULL}},
    {"华南大客户组 South KA", "lead.south", "黄志强", {"华南", "西南", "西北", "港澳台", NULL}},
    {"海外大客户组 Global KA", "lead.global", "Olivia Bennett", {"APAC", "EMEA", "Americas", NULL}},
};
#define NTEAMS 3

struct ctx_ids {
    int64_t root_team, teams[NTEAMS];
    int64_t *ams[NTEAMS]; /* account managers per team */
    int nams[NTEAMS];
    int64_t service[2], viewer;
    int group_first, group_region0; /* index of the current group's parent, its first region */
    struct demo_stats st;
};

static enum kam_err add_user(struct kam_ctx *ctx, struct ctx_ids *ids, const char *login,
                             const char *name, const char *role, int64_t team_id, int64_t *id_out)
{
    struct user_in in = {.set = USR_LOGIN | USR_NAME | USR_ROLE | USR_PASSWORD | USR_EMAIL};
    in.v.login = login;
    in.v.name = name;
    in.v.role = role;
    in.v.email = arena_printf(ctx->a, "%s@kam-demo.example", login);
    in.password = DEMO_PASSWORD;
    if (team_id) {
        in.v.team_id = team_id;
        in.v.has_team = 1;
        in.set |= USR_TEAM;
    }
    struct user u;
    enum kam_err rc = user_create(ctx, &in, &u);
    if (!rc) {
        ids->st.users++;
        if (id_out)
            *id_out = u.id;
    }
    return rc;
}

static enum kam_err add_team(struct kam_ctx *ctx, struct ctx_ids *ids, const char *name,
                             int64_t parent, int64_t manager, int64_t *id_out)
{
    struct team_in in = {.set = TEAM_NAME | TEAM_PARENT | TEAM_MANAGER};
    in.v.name = name;
    in.v.has_parent = parent != 0;
    in.v.parent_id = parent;
    in.v.has_manager = manager != 0;
    in.v.manager_id = manager;
    struct team t;
    enum kam_err rc = team_create(ctx, &in, &t);
    if (!rc) {
        ids->st.teams++;
        *id_out = t.id;
    }
    return rc;
}

static void set_manager(struct kam_ctx *ctx, int64_t team, int64_t manager, enum kam_err *rc)
{
    if (*rc)
        return;
    struct team_in in = {.set = TEAM_MANAGER};
    in.v.has_manager = 1;
    in.v.manager_id = manager;
    struct team t;
    *rc = team_update(ctx, team, &in, &t);
}

static enum kam_err people(struct kam_ctx *ctx, struct ctx_ids *ids, int accounts)
{
    enum kam_err rc;
    int64_t director, x;
    if ((rc = add_team(ctx, ids, "销售部 Sales", 0, 0, &ids->root_team)) ||
        (rc = add_user(ctx, ids, "admin", "系统管理员 Admin", "admin", 0, &x)) ||
        (rc = add_user(ctx, ids, "director", "王建国", "director", ids->root_team, &director)) ||
        (rc = add_user(ctx, ids, "gm", "总经理 赵明", "director", ids->root_team, &x)))
        return rc;
    set_manager(ctx, ids->root_team, director, &rc);
    if (rc)
        return rc;
    int per_team = accounts / 25 / NTEAMS;
    if (per_team < 3)
        per_team = 3;
    for (int t = 0; t < NTEAMS; t++) {
        const struct team_def *td = &team_defs[t];
        int64_t lead;
        if ((rc = add_team(ctx, ids, td->name, ids->root_team, 0, &ids->teams[t])) ||
            (rc = add_user(ctx, ids, td->lead, td->lead_name, "team_lead", ids->teams[t], &lead)))
            return rc;
        set_manager(ctx, ids->teams[t], lead, &rc);
        if (rc)
            return rc;
        ids->ams[t] = arena_calloc(ctx->a, (size_t)per_team, sizeof(int64_t));
        ids->nams[t] = per_team;
        const char *key = strchr(td->lead, '.') + 1;
        for (int i = 0; i < per_team; i++) {
            int cn = t < 2;
            /* One draw per statement: argument evaluation order is unspecified in C, and
             * the data set must not depend on the compiler. */
            const char *first = cn ? PICK(demo_cn_surnames) : PICK(demo_en_first);
            const char *last = cn ? PICK(demo_cn_given) : PICK(demo_en_last);
            const char *name = cn ? arena_printf(ctx->a, "%s%s", first, last)
                                  : arena_printf(ctx->a, "%s %s", first, last);
            const char *login = arena_printf(ctx->a, "am.%s%d", key, i + 1);
            if ((rc = add_user(ctx, ids, login, name, "account_manager", ids->teams[t],
                               &ids->ams[t][i])))
                return rc;
        }
    }
    if ((rc = add_user(ctx, ids, "finance", "刘芳 (Finance)", "finance", 0, &x)) ||
        (rc = add_user(ctx, ids, "service1", "赵磊", "service", ids->teams[0], &ids->service[0])) ||
        (rc = add_user(ctx, ids, "service2", "Grace Lim", "service", ids->teams[1],
                       &ids->service[1])) ||
        (rc = add_user(ctx, ids, "hr", "孙丽 (HR)", "hr", 0, &x)) ||
        (rc = add_user(ctx, ids, "viewer", "周静 (Viewer)", "viewer", ids->teams[0],
                       &ids->viewer)) ||
        (rc = add_user(ctx, ids, "legal", "陈律 (Legal)", "legal", 0, &x)))
        return rc;
    return KAM_OK;
}

static const char *const tiers[] = {"strategic", "key", "growth", "maintain"};

static const char *pick_tier(void)
{
    int r = rnd_n(100);
    return r < 6 ? tiers[0] : r < 22 ? tiers[1] : r < 52 ? tiers[2] : tiers[3];
}

/* Team serving a region. */
static int team_of_region(const char *region)
{
    for (int t = 0; t < NTEAMS; t++)
        for (int i = 0; team_defs[t].regions[i]; i++)
            if (strcmp(team_defs[t].regions[i], region) == 0)
                return t;
    return 0;
}

/* Seniority of a title: directors and chiefs 1, managers 2, everyone else 3. */
static int title_rank(int i)
{
    const char *role = demo_titles[i].role, *en = demo_titles[i].en;
    if (strcmp(role, "decision_maker") == 0)
        return 1;
    if (strstr(en, "Manager") || strstr(en, "Director") || strstr(en, "Counsel"))
        return 2;
    return 3;
}

static enum kam_err add_contacts(struct kam_ctx *ctx, struct ctx_ids *ids, int64_t account_id,
                                 int chinese, const char *domain)
{
    /* A buying centre as companies have them: the top executive, then department heads,
     * then their people; everyone reports to the nearest senior person of their department,
     * or to the top when the department has none here. */
    int n = 3 + rnd_n(5); /* 3..7, mean 5 */
    int idx[8];
    int r = rnd_n(10);
    idx[0] = r < 5 ? 1 : r < 8 ? 3 : 0; /* general manager, CEO or chairman */
    for (int i = 1; i < n; i++) {
        int k, dup;
        do {
            k = 2 + rnd_n((int)demo_titles_n - 2);
            dup = k == 3;
            for (int j = 0; j < i; j++)
                dup |= idx[j] == k;
        } while (dup);
        /* Keep the list ordered by seniority so heads come before their people. */
        int j = i;
        while (j > 1 && title_rank(idx[j - 1]) > title_rank(k)) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = k;
    }
    int64_t ids_made[8] = {0};
    for (int i = 0; i < n; i++) {
        const struct demo_title *t = &demo_titles[idx[i]];
        struct contact_in in = {0};
        in.set = CON_NAME | CON_TITLE | CON_DEPARTMENT | CON_DECISION_ROLE | CON_INFLUENCE |
                 CON_ATTITUDE | CON_PHONE | CON_EMAIL | CON_BIRTHDAY;
        struct contact *v = &in.v;
        if (chinese) {
            int s = rnd_n((int)demo_cn_surnames_n), g = rnd_n((int)demo_cn_given_n);
            v->name = arena_printf(ctx->a, "%s%s", demo_cn_surnames[s], demo_cn_given[g]);
            v->email = arena_printf(ctx->a, "%s.%s%d@%s", demo_cn_given_py[g],
                                    demo_cn_surnames_py[s], rnd_n(90) + 10, domain);
            v->title = t->cn;
            v->department = t->dept_cn;
            int p1 = rnd_n(10), p2 = rnd_n(10000);
            int p3 = rnd_n(10000);
            v->phone = arena_printf(ctx->a, "+86 13%d %04d %04d", p1, p2, p3);
        } else {
            const char *f = PICK(demo_en_first), *l = PICK(demo_en_last);
            v->name = arena_printf(ctx->a, "%s %s", f, l);
            v->email = arena_printf(ctx->a, "%c.%s%d@%s", f[0] | 0x20, l, rnd_n(90) + 10, domain);
            for (char *p = (char *)v->email; *p && *p != '@'; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p | 0x20);
            v->title = t->en;
            v->department = t->dept_en;
            int p1 = 1 + rnd_n(60), p2 = rnd_n(1000);
            int p3 = rnd_n(1000);
            int p4 = rnd_n(10000);
            v->phone = arena_printf(ctx->a, "+%d %03d %03d %04d", p1, p2, p3, p4);
        }
        v->decision_role = t->role;
        v->influence = strcmp(t->role, "decision_maker") == 0 ? 4 + rnd_n(2)
                       : strcmp(t->role, "user") == 0         ? 1 + rnd_n(3)
                                                              : 2 + rnd_n(3);
        v->attitude = rnd_n(5) - 2;
        v->attitude += rnd_n(3) == 0; /* leans positive */
        if (v->attitude > 2)
            v->attitude = 2;
        int by = 1960 + rnd_n(40);
        int bm = 1 + rnd_n(12);
        int bd = 1 + rnd_n(28);
        v->birthday = arena_printf(ctx->a, "%04d-%02d-%02d", by, bm, bd);
        if (i > 0) {
            int boss = 0;
            for (int j = i - 1; j > 0 && !boss; j--)
                if (strcmp(demo_titles[idx[j]].dept_en, t->dept_en) == 0 &&
                    title_rank(idx[j]) < title_rank(idx[i]))
                    boss = j;
            in.set |= CON_REPORTS_TO;
            v->has_reports_to = 1;
            v->reports_to_id = ids_made[boss];
        }
        struct contact out;
        enum kam_err rc = contact_create(ctx, account_id, &in, &out);
        if (rc)
            return rc;
        ids->st.contacts++;
        ids_made[i] = out.id;
        /* Freshness: most people were contacted within a few months, some never. */
        if (rnd_n(6)) {
            if ((rc = contact_touch(ctx, out.id, ctx->now - 86400 * (int64_t)rnd_n(150))))
                return rc;
        }
    }
    return KAM_OK;
}

static const struct {
    const char *kind, *cn, *en, *material;
} topics[] = {
    {"meeting", "季度业务回顾", "Quarterly business review", NULL},
    {"meeting", "年度框架协议谈判", "Annual framework agreement negotiation", NULL},
    {"call", "交期问题沟通", "Call about delivery dates", NULL},
    {"call", "新项目需求了解", "Call about a new project's needs", NULL},
    {"email", "报价单跟进", "Quotation follow-up", NULL},
    {"email", "样品测试结果反馈", "Sample test results", NULL},
    {"meeting", "新品技术交流会", "New product technical exchange", NULL},
    {"material", "分享行业趋势报告", "Shared an industry trends report", "industry_trends"},
    {"material", "分享市场动态简报", "Shared a market news brief", "market_news"},
    {"material", "发送新品资料", "Sent new product information", "product_info"},
    {"material", "技术白皮书", "Technology white paper", "technology"},
};

static const struct {
    const char *cn, *en;
} outcomes[] = {
    {"确认了下季度的需求预测，客户计划增加 15% 采购量。",
     "Confirmed next quarter's forecast; the customer plans 15% more volume."},
    {"客户对交期不满，需要协调生产排期。",
     "Unhappy with lead times; production scheduling to coordinate."},
    {"介绍了新品，客户技术部门愿意试用样品。",
     "Presented the new product; their engineers will trial samples."},
    {"讨论了年度框架协议的价格条款。", "Discussed price terms of the annual agreement."},
    {"客户引荐了采购总监，建立了新联系。", "Introduced to the purchasing director: a new contact."},
};

static const struct {
    const char *cn, *en, *category, *severity;
} problems[] = {
    {"批次来料不良率偏高", "Incoming batch defect rate too high", "quality", "high"},
    {"交货延迟三天", "Delivery three days late", "delivery", "medium"},
    {"发票金额与合同不符", "Invoice does not match the contract", "billing", "medium"},
    {"设备安装调试支持", "Installation and commissioning support", "technical", "high"},
    {"希望增加包装规格", "Would like another pack size", "suggestion", "low"},
    {"售后响应慢", "Slow after-sales response", "service", "critical"},
};

/* A few months of history for one account: interactions, visits done and planned, issues. */
static enum kam_err add_history(struct kam_ctx *ctx, struct ctx_ids *ids, const struct account *a,
                                int chinese, int big)
{
    int64_t now = ctx->now, contacts[8];
    int nc = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT id FROM contacts WHERE account_id = ? ORDER BY id LIMIT 8", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, a->id);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && nc < 8)
        contacts[nc++] = db_col_i64(st, 0);
    db_done(st);
    if (rc || nc == 0)
        return rc;
    /* A value assessment in line with the tier the account has. */
    static const struct {
        const char *tier;
        int lo, span;
    } bands[] = {{"strategic", 82, 15}, {"key", 62, 16}, {"growth", 42, 16}, {"maintain", 15, 24}};
    int band = 3;
    for (int b = 0; b < 4; b++)
        if (!strcmp(a->tier, bands[b].tier))
            band = b;
    struct assessment as[3] = {
        {"business_scale", 0}, {"market_position", 0}, {"growth_potential", 0}};
    for (int k = 0; k < 3; k++)
        as[k].value = bands[band].lo + rnd_n(bands[band].span);
    struct valuation val;
    rc = valuation_assess(ctx, a->id, as, 3, "", &val);
    if (rc)
        return rc;
    struct principal system = ctx->who;
    /* The owner logs the history, as it would have happened. */
    ctx->who.user_id = a->owner_id;
    ctx->who.role = ROLE_ACCOUNT_MANAGER;
    int n = big >= 3 ? 2 + rnd_n(4) : rnd_n(3);
    for (int k = 0; !rc && k < n; k++) {
        int t = rnd_n((int)(sizeof topics / sizeof topics[0]));
        struct interaction_in in = {0};
        in.set = INT_KIND | INT_SUBJECT | INT_OCCURRED | INT_CONTACTS | INT_NOTES;
        in.v.kind = topics[t].kind;
        in.v.subject = chinese ? topics[t].cn : topics[t].en;
        in.v.notes = "";
        if (topics[t].material) {
            in.set |= INT_MATERIAL;
            in.v.material_type = topics[t].material;
        }
        int days_ago = 3 + rnd_n(170);
        char iso[32];
        time_iso(now - (int64_t)days_ago * 86400 - rnd_n(8) * 3600, iso, sizeof iso);
        in.occurred_at_iso = iso;
        in.v.ncontacts = 1;
        in.v.contact_ids[0] = contacts[rnd_n(nc)];
        struct interaction out;
        rc = interaction_create(ctx, a->id, &in, &out);
        ids->st.interactions += !rc;
    }
    /* Strategic and key accounts: a visit done last month, often one planned, sometimes one
     * that slipped (overdue). */
    if (!rc && big >= 3) {
        int o = rnd_n((int)(sizeof outcomes / sizeof outcomes[0]));
        char iso[32];
        struct visit_in vin = {0};
        vin.set = VIS_CONTACT | VIS_KIND | VIS_PLANNED;
        vin.v.account_id = a->id;
        vin.v.has_contact = 1;
        vin.v.contact_id = contacts[0];
        vin.v.kind = rnd_n(2) ? "onsite" : "phone";
        int64_t when = now - (int64_t)(20 + rnd_n(40)) * 86400;
        time_iso(when / 86400 * 86400 + 2 * 3600, iso, sizeof iso);
        vin.planned_at_iso = iso;
        struct visit v;
        rc = visit_create(ctx, &vin, &v);
        if (!rc) {
            struct visit_done done = {0};
            done.outcome = chinese ? outcomes[o].cn : outcomes[o].en;
            done.next_steps = chinese ? "一周内发送报价并安排样品。"
                                      : "Send the quotation and samples within a week.";
            done.occurred_at_iso = iso;
            rc = visit_complete(ctx, v.id, &done, &v);
            ids->st.visits += !rc;
        }
        if (!rc && rnd_n(3)) {
            int late = rnd_n(5) == 0;
            int64_t at = late ? now - (int64_t)(1 + rnd_n(6)) * 86400
                              : now + (int64_t)(1 + rnd_n(20)) * 86400;
            time_iso(at / 86400 * 86400 + 2 * 3600, iso, sizeof iso);
            vin.planned_at_iso = iso;
            vin.v.contact_id = contacts[rnd_n(nc)];
            rc = visit_create(ctx, &vin, &v);
            ids->st.visits += !rc;
        }
    }
    /* One account in five has raised an issue in the last two months. */
    if (!rc && rnd_n(5) == 0) {
        int p = rnd_n((int)(sizeof problems / sizeof problems[0]));
        struct issue_in in = {0};
        in.set = ISS_TITLE | ISS_CATEGORY | ISS_SEVERITY | ISS_CONTACT;
        in.v.title = chinese ? problems[p].cn : problems[p].en;
        in.v.category = problems[p].category;
        in.v.severity = problems[p].severity;
        in.v.has_contact = 1;
        in.v.contact_id = contacts[rnd_n(nc)];
        int age = rnd_n(60); /* days since it was raised */
        ctx->now = now - (int64_t)age * 86400 - rnd_n(12) * 3600;
        struct issue x;
        rc = issue_create(ctx, a->id, &in, &x);
        ids->st.issues += !rc;
        /* Older issues have moved on; the clock follows their history. */
        int stage = age > 20 ? 3 : age > 7 ? 2 : age > 2 ? rnd_n(2) : 0;
        static const char *const path[] = {"in_progress", "resolved", "confirmed"};
        for (int k = 0; !rc && k < stage; k++) {
            ctx->now += (int64_t)(2 + rnd_n(30)) * 3600;
            if (ctx->now > now)
                ctx->now = now;
            rc = issue_transition(ctx, x.id, path[k], "", &x);
        }
        ctx->now = now;
    }
    ctx->who = system;
    return rc;
}

/* Account number i: a group parent (group set, parent 0), one of its subsidiaries (group and
 * parent set), or an independent company (neither). */
static enum kam_err one_account(struct kam_ctx *ctx, struct ctx_ids *ids, int i, int64_t parent,
                                const struct demo_group *group, int64_t *id_out)
{
    struct account_in in = {0};
    struct account *v = &in.v;
    in.set = ACC_CODE | ACC_NAME | ACC_ALIAS | ACC_INDUSTRY | ACC_REGION | ACC_CHANNEL |
             ACC_EMPLOYEES | ACC_REVENUE | ACC_OWNER | ACC_TIER | ACC_STATUS;
    v->code = arena_printf(ctx->a, "C%06d", i + 1);
    int chinese;
    const char *region;
    if (group && parent) {
        chinese = (unsigned char)group->name[0] >= 0x80;
        /* Subsidiary k of a group sits in a region of its own. */
        int k = i - ids->group_first;
        region = chinese ? demo_regions[(ids->group_region0 + k) % 8] : demo_regions[8 + k % 3];
        /* Subsidiaries are named after the group and their region, as groups do. */
        v->name = chinese ? arena_printf(ctx->a, "%s%s分公司", group->name, region)
                          : arena_printf(ctx->a, "%s (%s)", group->name, region);
        v->alias = chinese ? arena_printf(ctx->a, "%s (%s)", group->alias, region)
                           : arena_printf(ctx->a, "%s%s分公司", group->alias, region);
        v->industry = group->industry;
        v->tier = rnd_n(3) ? "key" : "growth";
    } else if (group) {
        chinese = (unsigned char)group->name[0] >= 0x80;
        ids->group_first = i;
        ids->group_region0 = rnd_n(8);
        v->name = group->name;
        v->alias = group->alias;
        v->industry = group->industry;
        region = chinese ? demo_regions[rnd_n(8)] : demo_regions[8 + rnd_n(3)];
        v->tier = rnd_n(2) ? "strategic" : "key";
    } else {
        chinese = rnd_n(100) < 68;
        /* i * prime mod the name space walks every stem x suffix pair once before repeating,
         * so names stay unique up to a few thousand accounts; past that "#n" tells them apart. */
        size_t ncn = demo_cn_stems_n * demo_cn_suffixes_n;
        size_t nen = demo_en_stems_n * demo_en_suffixes_n;
        size_t kc = (size_t)i * 7919 % ncn, ke = (size_t)i * 7919 % nen;
        const char *cn = arena_printf(ctx->a, "%s%s", demo_cn_stems[kc % demo_cn_stems_n],
                                      demo_cn_suffixes[kc / demo_cn_stems_n]);
        const char *en = arena_printf(ctx->a, "%s %s", demo_en_stems[ke % demo_en_stems_n],
                                      demo_en_suffixes[ke / demo_en_stems_n]);
        region = chinese ? demo_regions[rnd_n(8)] : demo_regions[rnd_n((int)demo_regions_n)];
        v->name = chinese ? cn : en;
        v->alias = rnd_n(3) ? (chinese ? en : cn) : "";
        size_t space = chinese ? ncn : nen;
        if ((size_t)i >= space)
            v->name = arena_printf(ctx->a, "%s #%zu", v->name, (size_t)i / space + 1);
        v->industry = PICK(demo_industries);
        v->tier = pick_tier();
    }
    v->region = region;
    v->channel = PICK(demo_channels);
    int t = team_of_region(region);
    v->owner_id = ids->ams[t][rnd_n(ids->nams[t])];
    int big = !strcmp(v->tier, "strategic") ? 4 : !strcmp(v->tier, "key") ? 3 : 2;
    v->has_employees = 1;
    v->employees = (int64_t)(50 + rnd_n(500)) * (big == 4 ? 100 : big == 3 ? 20 : 3);
    v->has_revenue = 1;
    v->revenue_amount = v->employees * (int64_t)(300000 + rnd_n(900000)) * 100;
    v->revenue_currency = chinese ? "CNY" : (rnd_n(2) ? "USD" : "EUR");
    int s = rnd_n(100);
    v->status = s < 6 ? "prospect" : s < 92 ? "active" : s < 97 ? "dormant" : "lost";
    if (s < 6) {
        static const char *const sources[] = {"market_research", "trade_show", "referral"};
        in.set |= ACC_SOURCE | ACC_REFERRED;
        v->source = sources[rnd_n(3)];
        v->referred_by = !strcmp(v->source, "referral")
                             ? (chinese ? "行业协会 王秘书长" : "Industry association")
                             : "";
    }
    if (parent) {
        in.set |= ACC_PARENT;
        v->has_parent = 1;
        v->parent_id = parent;
    }
    struct account out;
    enum kam_err rc = account_create(ctx, &in, &out);
    if (rc)
        return rc;
    ids->st.accounts++;
    *id_out = out.id;
    /* Account team: a service engineer on most key accounts, a colleague for sales support,
     * and the demo viewer on a few East accounts so that role has something to see. */
    struct account_member m;
    if (big >= 3 && t < 2 && rnd_n(3))
        rc = account_member_add(ctx, out.id, ids->service[t], "service", &m);
    if (!rc && rnd_n(4) == 0) {
        int64_t other = ids->ams[t][rnd_n(ids->nams[t])];
        if (other != v->owner_id)
            rc = account_member_add(ctx, out.id, other, "sales", &m);
    }
    if (!rc && t == 0 && rnd_n(8) == 0)
        rc = account_member_add(ctx, out.id, ids->viewer, "marketing", &m);
    if (!rc) {
        const char *domain = arena_printf(ctx->a, "c%06d.%s", i + 1,
                                          demo_email_domains[rnd_n((int)demo_email_domains_n)]);
        rc = add_contacts(ctx, ids, out.id, chinese, domain);
    }
    /* Relationship history for the first accounts; big scales are for benchmarks. */
    if (!rc && i < 2000)
        rc = add_history(ctx, ids, &out, chinese, big);
    return rc;
}

enum kam_err demo_load(struct kam_ctx *ctx, int accounts, struct demo_stats *out)
{
    rng_state = 20261127;
    struct ctx_ids ids;
    memset(&ids, 0, sizeof ids);
    struct user existing;
    if (user_by_login(ctx, "director", &existing) == KAM_OK)
        return kam_fail(ctx->err, KAM_ECONFLICT, "", "demo data is already loaded");
    kam_error_clear(ctx->err);

    /* Users share one argon2id hash of the demo password: hashing it per user would make a
     * 100,000-account demo take minutes. Real users each get their own salt. */
    char hash[128];
    enum kam_err rc = user_hash_password(ctx, DEMO_PASSWORD, hash);
    if (rc)
        return rc;
    user_set_hash_override(hash);
    rc = db_begin(ctx->db, ctx->err);
    if (!rc)
        rc = people(ctx, &ids, accounts);
    rc = db_end(ctx->db, rc, ctx->err);
    user_set_hash_override(NULL);
    if (rc)
        return rc;

    /* Groups first (parents with 2-6 subsidiaries), then independent accounts. Commits every
     * 500 accounts keep the write-ahead log small on big scales. */
    int i = 0;
    size_t g = 0;
    int group_share = accounts / 4; /* about a quarter of accounts belong to groups */
    struct arena *outer = ctx->a;
    while (i < accounts && !rc) {
        struct arena batch;
        arena_init(&batch);
        ctx->a = &batch;
        rc = db_begin(ctx->db, ctx->err);
        int end = i + 500;
        while (!rc && i < accounts && i < end) {
            int64_t id;
            if (i < group_share && g < demo_groups_n) {
                const struct demo_group *grp = &demo_groups[g++];
                rc = one_account(ctx, &ids, i++, 0, grp, &id);
                int english = (unsigned char)grp->name[0] < 0x80;
                int subs = english ? 2 + rnd_n(2) : 2 + rnd_n(5);
                for (int k = 0; k < subs && !rc && i < accounts; k++) {
                    int64_t sid;
                    rc = one_account(ctx, &ids, i++, id, grp, &sid);
                }
            } else {
                rc = one_account(ctx, &ids, i++, 0, NULL, &id);
            }
        }
        rc = db_end(ctx->db, rc, ctx->err);
        ctx->a = outer;
        arena_release(&batch);
    }
    if (!rc) {
        /* Three years of order lines for the first accounts (bench/dashboard builds its own
         * ten million). */
        rc = db_begin(ctx->db, ctx->err);
        if (!rc)
            rc = demo_sales(ctx, accounts < 2000 ? accounts : 2000, &ids.st.order_lines);
        if (!rc)
            rc = demo_plans(ctx);
        if (!rc)
            rc = needs_demo(ctx);
        if (!rc)
            rc = surveys_demo(ctx); /* svc/needs/demo_surveys.c (RESULTS) */
        if (!rc)
            rc = follow_ups_demo(ctx); /* svc/needs/demo_follow_ups.c (FOLLOWUPS) */
        if (!rc)
            rc = prices_demo(ctx); /* svc/offers/demo_prices.c (issue 15) */
        if (!rc)
            rc = catalog_demo(ctx); /* svc/offers/demo_catalog.c (issue 15) */
        if (!rc)
            rc = opportunities_demo(ctx); /* svc/offers/demo_opportunities.c (issue 15) */
        if (!rc)
            rc = offers_demo(ctx); /* svc/offers/demo_offers.c (issue 15) */
        if (!rc)
            rc = competitors_demo(ctx); /* svc/risk/demo_*.c (issue 16) */
        if (!rc)
            rc = receivables_demo(ctx);
        if (!rc)
            rc = risks_demo(ctx);
        if (!rc)
            rc = churn_demo(ctx);
        if (!rc)
            rc = contracts_demo(ctx); /* svc/contracts/demo_*.c (issue 17) */
        if (!rc)
            rc = disputes_demo(ctx);
        if (!rc)
            rc = competencies_demo(ctx); /* svc/team/demo_*.c (issue 18) */
        if (!rc)
            rc = training_demo(ctx);
        if (!rc)
            rc = appraisal_demo(ctx);
        if (!rc)
            rc = incentives_demo(ctx);
        if (!rc)
            rc = alerts_demo(ctx);
        rc = db_end(ctx->db, rc, ctx->err);
    }
    if (!rc)
        *out = ids.st;
    return rc;
}
