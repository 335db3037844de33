/* demo_disputes.c -- the demo's disputes and lessons (issue 17 item 7; demo.h), after the
 * contracts and their breaches:
 *
 *   at mediation   the first framework contract's volume shortfall: liquidated damages of a
 *                  tenth of the worst quarter's shortfall claimed, negotiated for a month, at
 *                  the mediation committee since three weeks, its deadline ahead
 *   settled        the late payer's overdue invoices: negotiated, settled at 80 % of the claim
 *
 * and a lesson for each, linked to the dispute and its contract, with who was accountable for
 * which decision and a training need. Written through the services (checked and audited). */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "demo.h"
#include "dispute.h"
#include "lesson.h"
#include "store/db.h"

#define CHINA (8 * 3600)

static const char *day_text(struct kam_ctx *ctx, int64_t days)
{
    int y, m, d;
    days_to_date(days, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

/* The worst breach of kind of the contract numbered like `number`: its id, contract, account
 * and amount at stake; *id 0 when there is none. */
static enum kam_err worst_breach(struct kam_ctx *ctx, const char *number, const char *kind,
                                 int64_t *id, int64_t *contract, int64_t *account,
                                 int64_t *at_stake)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT b.id, b.contract_id, b.account_id, b.at_stake FROM "
                                 "contract_breaches b JOIN contracts c ON c.id = b.contract_id "
                                 "WHERE c.number LIKE ? AND b.kind = ? ORDER BY b.at_stake DESC, "
                                 "b.id LIMIT 1",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, number);
    db_bind_text(st, 2, kind);
    int row = 0;
    *id = 0;
    if (!(rc = db_step(st, &row, ctx->err)) && row) {
        *id = db_col_i64(st, 0);
        *contract = db_col_i64(st, 1);
        *account = db_col_i64(st, 2);
        *at_stake = db_col_i64(st, 3);
    }
    db_done(st);
    return rc;
}

static enum kam_err account_name(struct kam_ctx *ctx, int64_t account, const char **out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, "SELECT name FROM accounts WHERE id = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account);
    int row = 0;
    *out = "";
    if (!(rc = db_step(st, &row, ctx->err)) && row)
        *out = arena_strdup(ctx->a, db_col_text(st, 0));
    db_done(st);
    return rc;
}

static enum kam_err open_dispute(struct kam_ctx *ctx, int64_t account, int64_t breach,
                                 const char *title, int64_t claimed, const char *ours,
                                 const char *theirs, int64_t arose, int64_t started, int64_t legal,
                                 struct dispute *out)
{
    struct dispute_in in = {.set = DI_ACCOUNT | DI_BREACH | DI_TITLE | DI_COUNTERPART | DI_AMOUNT |
                                   DI_CURRENCY | DI_OUR | DI_THEIR | DI_AROSE | DI_STARTED};
    in.v.account_id = account;
    in.v.breach_id = breach;
    in.v.has_breach = 1;
    in.v.title = title;
    in.v.amount_claimed = claimed;
    in.v.currency = "CNY";
    in.v.our_position = ours;
    in.v.their_position = theirs;
    in.v.arose_on = day_text(ctx, arose);
    in.started_on = day_text(ctx, started);
    if (legal) {
        in.set |= DI_REPORTED_TO;
        in.v.reported_to = legal;
        in.v.has_reported_to = 1;
    }
    enum kam_err rc = account_name(ctx, account, &in.v.counterpart);
    return rc ? rc : dispute_create(ctx, &in, out);
}

static enum kam_err lesson(struct kam_ctx *ctx, const char *title, const char *what,
                           const char *root, const char *changes, const char *tag1,
                           const char *tag2, int64_t dispute, int64_t contract, int64_t accountable,
                           const char *decision, const char *topic, const char *audience)
{
    struct lesson_link links[2] = {
        {.set = LL_KIND | LL_REF, .kind = "dispute", .ref_id = dispute},
        {.set = LL_KIND | LL_REF, .kind = "contract", .ref_id = contract}};
    struct lesson_in in = {.set = LE_TITLE | LE_WHAT | LE_ROOT | LE_CHANGES | LE_TAGS | LE_LINKS,
                           .links = links,
                           .n_links = 2,
                           .n_tags = 2,
                           .tags_given = 1};
    in.v.title = title;
    in.v.what_happened = what;
    in.v.root_cause = root;
    in.v.changes = changes;
    in.tags[0] = tag1;
    in.tags[1] = tag2;
    struct lesson l;
    enum kam_err rc = lesson_create(ctx, &in, &l);
    if (rc)
        return rc;
    if (accountable) {
        struct accountability_in ai = {.set = AC_USER | AC_DECISION};
        ai.v.user_id = accountable;
        ai.v.decision = decision;
        struct accountability a;
        if ((rc = accountability_add(ctx, l.id, &ai, &a)))
            return rc;
    }
    struct training_in ti = {.set = TN_TOPIC | TN_DETAIL | TN_ROLE};
    ti.v.topic = topic;
    ti.v.detail = title;
    ti.v.audience_role = audience;
    struct training_need t;
    return training_need_add(ctx, l.id, &ti, &t);
}

enum kam_err disputes_demo(struct kam_ctx *ctx)
{
    int64_t today = (ctx->now + CHINA) / 86400;
    int64_t legal = 0;
    enum kam_err rc =
        db_query_i64(ctx->db, "SELECT MIN(id) FROM users WHERE role = 'legal' AND disabled = 0", 0,
                     0, &legal, ctx->err);
    if (rc == KAM_ENOTFOUND)
        kam_error_clear(ctx->err);
    else if (rc)
        return rc;
    /* at mediation: the first framework contract's volume shortfall */
    int64_t breach = 0, contract = 0, account = 0, stake = 0, owner = 0;
    if ((rc = worst_breach(ctx, "KJ-%-001", "volume", &breach, &contract, &account, &stake)))
        return rc;
    if (breach) {
        struct dispute d;
        if ((rc = db_query_i64(ctx->db, "SELECT owner_id FROM accounts WHERE id = ?", 1, account,
                               &owner, ctx->err)) ||
            (rc = open_dispute(ctx, account, breach, "季度采购量未达框架协议承诺（违约金）",
                               stake / 10 / 100 * 100,
                               "客户连续数季未达承诺采购额，按协议第七条主张违约金。",
                               "市场需求下滑，承诺量系我方销售人员按乐观预测提出，请求豁免。",
                               today - 60, today - 55, legal, &d)))
            return rc;
        struct dispute_stage_in st = {.set = DS_STAGE | DS_STARTED | DS_DEADLINE |
                                             DS_DEADLINE_NOTE | DS_FORUM | DS_PARTICIPANTS};
        st.v.stage = "mediation";
        st.v.started_on = day_text(ctx, today - 21);
        st.v.deadline_on = day_text(ctx, today + 25);
        st.v.deadline_note = "调解期限届满，未达成协议可申请仲裁";
        st.v.forum = "上海市商事调解中心";
        st.v.participants = "我方：法务 陈律、客户经理；对方：采购总监、法务代表";
        struct dispute_event_in ev = {.set = DE_DAY | DE_KIND | DE_TEXT};
        ev.v.day = day_text(ctx, today - 40);
        ev.v.kind = "meeting";
        ev.v.text = "双方首次协商：客户同意补足部分采购，但不接受违约金。";
        struct dispute_event e;
        if ((rc = dispute_event_add(ctx, d.id, &ev, &e)) ||
            (rc = dispute_escalate(ctx, d.id, &st, &d)) ||
            (rc = lesson(ctx, "框架协议的采购量承诺高于客户实际能力",
                         "签约时约定的季度采购额远高于客户过去一年的实际采购，连续数季未达承诺，"
                         "最终进入调解。",
                         "承诺量按销售人员的乐观预测设定，没有以历史采购和客户预算为依据，也没有"
                         "法务和财务复核。",
                         "采购量承诺以过去四个季度的实际采购为基准；超出部分用阶梯返利激励，不写入"
                         "违约条款；框架协议签署前由法务与财务会签。",
                         "采购量", "合同谈判", d.id, contract, owner,
                         "按乐观预测提出季度采购额承诺并写入违约条款", "合同条款谈判与风险评估",
                         "account_manager")))
            return rc;
    }
    /* settled: the late payer's overdue invoices */
    if ((rc = worst_breach(ctx, "GX-%-001", "payment", &breach, &contract, &account, &stake)))
        return rc;
    if (breach) {
        int64_t claimed = 0;
        if ((rc = db_query_i64(ctx->db,
                               "SELECT COALESCE(SUM(i.amount), 0) FROM invoices i JOIN "
                               "contract_breaches b ON b.occurrence = 'invoice:' || i.id WHERE "
                               "b.contract_id = ? AND b.kind = 'payment'",
                               1, contract, &claimed, ctx->err)))
            return rc;
        struct dispute d;
        if (claimed <= 0 ||
            (rc = open_dispute(ctx, account, breach, "逾期货款及逾期利息争议", claimed,
                               "客户多张发票逾期 60 天以上，主张货款及逾期利息。",
                               "客户称部分批次质量问题，要求扣款后再付。", today - 150, today - 140,
                               legal, &d)))
            return rc;
        struct dispute_close_in cl = {.set = DC_OUTCOME | DC_CLOSED_ON | DC_NOTE | DC_SETTLED,
                                      .outcome = "settled",
                                      .closed_on = day_text(ctx, today - 100),
                                      .note = "协商和解：客户分三期付清货款，免除逾期利息。",
                                      .settled_amount = claimed / 10 * 8};
        if ((rc = dispute_close(ctx, d.id, &cl, &d)) ||
            (rc = lesson(ctx, "长期逾期客户未及时启动催收",
                         "客户连续多月逾期付款，直到逾期超过 90 天才启动正式催收，最终以八折和解。",
                         "逾期预警只发到客户经理，财务没有跟进节点；信用额度没有随逾期收紧。",
                         "逾期 30 天由财务介入催收，60 天暂停新订单的信用放行，90 天转法务。",
                         "回款", "信用管理", d.id, contract, 0, NULL, "应收账款催收与信用管理",
                         "finance")))
            return rc;
    }
    return KAM_OK;
}
