/* demo_needs.c -- kam demo: interviews and needs for the first demo accounts, in every status,
 * category, priority and source, some weeks or months old (latent needs), some addressed by the
 * account's issues. Deterministic: same accounts, same data. */
#include <string.h>

#include "base/timeutil.h"
#include "need.h"
#include "store/db.h"
#include "svc/core/rows.h"
#include "svc/relationships/visit.h"

#define DEMO_NEED_ACCOUNTS 40
#define DAY 86400

static const char *const descriptions[][3] = {
    /* description, pain point, expectation */
    {"希望交期从 4 周缩短到 2 周", "旺季缺货，产线停线等料", "常用型号两周内到货"},
    {"需要一份中文的设备操作手册", "新员工看不懂英文手册，误操作多", "随货附中文手册和视频"},
    {"年度框架协议希望价格锁定", "原材料涨价时报价波动大", "一年内价格不变或按指数联动"},
    {"Faster on-site service response", "Line down waits 48 h for an engineer",
     "Engineer on site within 24 h"},
    {"希望提供备件寄售库存", "备件采购周期长，占用资金", "在客户仓库设寄售库存"},
    {"API integration with their ERP for orders", "Orders are keyed by hand twice",
     "EDI or REST order intake"},
    {"產品需要通過 UL 認證", "出口北美受阻", "下季度前取得認證"},
    {"包装改为可回收材料", "客户的 ESG 审核要求", "明年起全部可回收包装"},
    {"培训他们的维修工程师", "小故障也要等我们的工程师", "每年两次现场培训"},
    {"Consolidated monthly invoice", "Dozens of invoices a month to match",
     "One invoice per month per site"},
};

static const char *const categories[] = {"delivery",  "product", "price", "service", "delivery",
                                         "technical", "product", "other", "service", "price"};
static const char *const priorities[] = {"high", "medium", "low"};

static enum kam_err ids_of(struct kam_ctx *ctx, const char *sql, int64_t bind, int64_t *out,
                           size_t max, size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    if (bind)
        db_bind_i64(st, 1, bind);
    *n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && *n < max)
        out[(*n)++] = db_col_i64(st, 0);
    db_done(st);
    return rc;
}

static enum kam_err one_account(struct kam_ctx *ctx, int64_t account_id, int k)
{
    int64_t contacts[4], owner = 0, issue = 0;
    size_t nc = 0, ni = 0;
    enum kam_err rc = ids_of(ctx, "SELECT id FROM contacts WHERE account_id = ? ORDER BY id",
                             account_id, contacts, 4, &nc);
    if (!rc)
        rc = db_query_i64(ctx->db, "SELECT COALESCE(owner_id, 0) FROM accounts WHERE id = ?", 1,
                          account_id, &owner, ctx->err);
    if (!rc)
        rc = ids_of(ctx, "SELECT id FROM issues WHERE account_id = ? ORDER BY id", account_id,
                    &issue, 1, &ni);
    if (rc)
        return rc;
    int64_t now = ctx->now;
    /* The interview, 30-120 days ago. */
    struct interview_in iv = {.set = IV_HELD_ON | IV_TITLE | IV_QUESTIONS | IV_NOTES | IV_CONTACTS |
                                     IV_USERS};
    int64_t held = now - (30 + (k * 7) % 90) * DAY;
    int y, m, d;
    days_to_date(held / DAY, &y, &m, &d);
    iv.v.held_on = arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
    iv.v.title = k % 2 ? "年度需求访谈" : "Quarterly needs interview";
    iv.v.questions = "1. 目前使用我们哪些产品？\n2. 最大的困扰是什么？\n3. 明年的计划和预算？";
    iv.v.notes = "客户对交期和服务响应最关心；价格次之。";
    iv.v.contact_ids = contacts;
    iv.v.n_contacts = nc < 2 ? nc : 2;
    iv.v.user_ids = &owner;
    iv.v.n_users = owner ? 1 : 0;
    struct interview interview;
    ctx->now = held + 3600;
    rc = interview_create(ctx, account_id, &iv, &interview);
    if (rc)
        goto out;
    /* Three or four needs: the first two from the interview, the rest by hand or from a visit
     * later; ages from a few days to four months. */
    int nneeds = 3 + k % 2;
    for (int j = 0; j < nneeds && !rc; j++) {
        int di = (k * 3 + j * 5) % 10;
        struct need_in in = {.set = NEED_DESCRIPTION | NEED_PAIN | NEED_EXPECTATION |
                                    NEED_CATEGORY | NEED_PRIORITY};
        in.v.description = descriptions[di][0];
        in.v.pain_point = descriptions[di][1];
        in.v.expectation = descriptions[di][2];
        in.v.category = categories[di];
        in.v.priority = priorities[(k + j) % 3];
        if (j < 2) {
            in.set |= NEED_INTERVIEW;
            in.v.has_interview = 1;
            in.v.interview_id = interview.id;
            ctx->now = held + 7200;
        } else {
            in.set |= NEED_SOURCE;
            in.v.source = (k + j) % 3 ? "manual" : "survey";
            /* at least 3 days ago: the status moves below come 2 days later, never after now */
            ctx->now = now - (3 + (k + j) % 20) * DAY;
        }
        if (nc && (k + j) % 2 == 0) {
            in.set |= NEED_CONTACT;
            in.v.has_contact = 1;
            in.v.contact_id = contacts[(size_t)j % nc];
        }
        if ((k + j) % 4 == 1) {
            in.set |= NEED_DUE;
            in.v.due_on = (k + j) % 8 == 1 ? "2026-03-31" : "2027-06-30";
        }
        struct need n;
        if ((rc = need_create(ctx, account_id, &in, &n)))
            break;
        /* Every status: open, addressing, addressed (by the account's issue or an offer id),
         * dropped, and one reopened. */
        int s = (k + j) % 5;
        struct need_status_in mv = {.note = ""};
        ctx->now += 2 * DAY;
        if (s == 1 || s == 2 || s == 4) {
            mv.to = "addressing";
            rc = need_set_status(ctx, n.id, &mv, &n);
        }
        if (!rc && s == 2) {
            mv.to = "addressed";
            mv.has_addressed = 1;
            mv.addressed_kind = ni ? "issue" : "offer";
            mv.addressed_id = ni ? issue : 1000 + k;
            mv.note = "已通过改进措施解决";
            rc = need_set_status(ctx, n.id, &mv, &n);
        }
        if (!rc && s == 3) {
            mv.to = "dropped";
            mv.note = "客户已换供应商处理";
            rc = need_set_status(ctx, n.id, &mv, &n);
        }
        if (!rc && s == 4) {
            mv.to = "open";
            mv.note = "重新打开：客户再次提出";
            rc = need_set_status(ctx, n.id, &mv, &n);
        }
    }
    /* What the account's last completed visit learned, with one new need (source visit). */
    int64_t visit = 0;
    size_t nv = 0;
    if (!rc && k % 3 == 0 &&
        !(rc = ids_of(ctx,
                      "SELECT id FROM visits WHERE account_id = ? AND status = 'done' ORDER BY "
                      "completed_at DESC, id DESC",
                      account_id, &visit, 1, &nv)) &&
        nv) {
        static const char *const new_needs[] = {"希望每季度回访一次，带上新品样品"};
        struct visit_learnings l = {
            .how_used = "两条产线在用我们的主力型号，夜班由外包人员操作",
            .works = "设备稳定，故障率低",
            .fails = "换型时间长；备件要等两周",
            .new_needs = new_needs,
            .n_new_needs = 1,
        };
        ctx->now = now - (k % 10) * DAY;
        rc = visit_learnings_save(ctx, visit, account_id, &l);
    }
out:
    ctx->now = now;
    return rc;
}

enum kam_err needs_demo(struct kam_ctx *ctx)
{
    int64_t accounts[DEMO_NEED_ACCOUNTS];
    size_t n = 0;
    enum kam_err rc = ids_of(ctx, "SELECT id FROM accounts WHERE status <> 'prospect' ORDER BY id",
                             0, accounts, DEMO_NEED_ACCOUNTS, &n);
    for (size_t i = 0; i < n && !rc; i++)
        rc = one_account(ctx, accounts[i], (int)i);
    return rc;
}
