/* demo_follow_ups.c -- kam demo: department follow-ups in every state. The follow-ups the demo
 * survey responses made (low scores, negative comments: surveys_demo runs first) are worked
 * through the workflow at plausible times -- some left open, some in progress, resolved,
 * confirmed by the customer, reopened, dropped -- and the first demo accounts get hand-offs
 * between departments, a few of them overdue. Deterministic: same accounts, same data. */
#include <string.h>

#include "follow_up.h"
#include "store/db.h"

#define DAY 86400
#define DEMO_HANDOFF_ACCOUNTS 12

static const char *const actions[] = {
    "安排工程师上门重新调试，更换了故障传感器",
    "调整排产计划，常用型号改为两周交货",
    "Sent a senior engineer on site; replaced the controller board",
    "与客户重新核对报价，给出年度框架价格",
    "補發中文操作手冊並安排線上培訓",
    "Set up a weekly call with the customer's purchasing team",
};
static const char *const confirmations[] = {
    "客户采购经理电话确认问题已解决，设备运行正常",
    "The customer confirmed by e-mail that deliveries are on time again",
    "客戶表示新的交期安排可以接受",
};
static const char *const reasons[] = {
    "客户已更换该产品线，无需跟进",
    "Duplicate of an open issue; handled there",
};

struct handoff {
    const char *from, *to, *title, *detail;
};
static const struct handoff handoffs[] = {
    {"sales", "technical", "客户希望评估新一代控制器的兼容性",
     "请技术部在两周内给出兼容性评估和升级方案。"},
    {"sales", "production", "加急订单需要插单生产", "客户下月初有展会，需要提前交付 200 台。"},
    {"service", "sales", "客户询问延保服务价格",
     "Service visit found the warranty ends next month."},
    {"sales", "marketing", "需要英文版产品资料",
     "The customer's HQ in Germany asks for English brochures."},
    {"technical", "service", "現場安裝後需要定期巡檢", "技術部已完成安裝，請服務部每季巡檢一次。"},
    {"production", "sales", "原材料涨价影响报价", "请销售与客户沟通明年的价格调整。"},
};

static enum kam_err ids_of(struct kam_ctx *ctx, const char *sql, int64_t *out, size_t max,
                           size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    *n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && *n < max)
        out[(*n)++] = db_col_i64(st, 0);
    db_done(st);
    return rc;
}

static enum kam_err move(struct kam_ctx *ctx, int64_t id, const char *to, const char *text)
{
    struct follow_up_status_in in = {.to = to};
    if (!strcmp(to, "resolved"))
        in.action = text;
    else if (!strcmp(to, "confirmed"))
        in.confirmation = text;
    else if (!strcmp(to, "dropped"))
        in.reason = text;
    struct follow_up out;
    return follow_up_set_status(ctx, id, &in, &out);
}

/* Works follow-up id (created at `created`) to the k-th end state of seven, moving the clock to
 * a few days after its creation for each step (never past now). */
static enum kam_err work(struct kam_ctx *ctx, int64_t id, int64_t created, int k, int64_t now)
{
    enum kam_err rc = KAM_OK;
    int64_t t = created;
#define AT(days) (ctx->now = (t + (days)*DAY < now ? t + (days)*DAY : now))
    switch (k % 7) {
    case 0: /* left open */
        break;
    case 1:
        AT(1);
        rc = move(ctx, id, "in_progress", NULL);
        break;
    case 2:
        AT(1);
        if (!(rc = move(ctx, id, "in_progress", NULL))) {
            AT(3 + k % 5);
            rc = move(ctx, id, "resolved", actions[k % 6]);
        }
        break;
    case 3:
        AT(2);
        if (!(rc = move(ctx, id, "resolved", actions[k % 6]))) {
            AT(6 + k % 7);
            rc = move(ctx, id, "confirmed", confirmations[k % 3]);
        }
        break;
    case 4: /* reopened (the customer said no), and 5: back in progress */
    case 5:
        AT(2);
        if (!(rc = move(ctx, id, "resolved", actions[k % 6]))) {
            AT(5);
            if (!(rc = move(ctx, id, "reopened", NULL)) && k % 7 == 5) {
                AT(6);
                rc = move(ctx, id, "in_progress", NULL);
            }
        }
        break;
    default:
        AT(1);
        rc = move(ctx, id, "dropped", reasons[k % 2]);
    }
#undef AT
    ctx->now = now;
    return rc;
}

enum kam_err follow_ups_demo(struct kam_ctx *ctx)
{
    int64_t now = ctx->now;
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    /* The survey-made follow-ups (surveys_demo ran before). */
    int64_t ids[400];
    size_t n = 0;
    if ((rc = ids_of(ctx, "SELECT id FROM follow_ups WHERE status = 'open' ORDER BY id", ids, 400,
                     &n)))
        goto out;
    for (size_t i = 0; i < n && !rc; i++) {
        int64_t created = 0;
        if (!(rc = db_query_i64(ctx->db, "SELECT created_at FROM follow_ups WHERE id = ?", 1,
                                ids[i], &created, ctx->err)))
            rc = work(ctx, ids[i], created, (int)i, now);
    }
    if (rc)
        goto out;
    /* Hand-offs on the first accounts, created 1-40 days ago. */
    int64_t accs[DEMO_HANDOFF_ACCOUNTS];
    size_t na = 0;
    if ((rc = ids_of(ctx, "SELECT id FROM accounts WHERE owner_id IS NOT NULL ORDER BY id", accs,
                     DEMO_HANDOFF_ACCOUNTS, &na)))
        goto out;
    size_t nh = sizeof handoffs / sizeof handoffs[0];
    for (size_t i = 0; i < na && !rc; i++) {
        const struct handoff *h = &handoffs[i % nh];
        int64_t created = now - (int64_t)(1 + (i * 13) % 40) * DAY;
        ctx->now = created;
        char due[11];
        follow_up_day(created, i % 3 ? 7 : 3, due); /* the older ones are overdue when open */
        struct follow_up_in in = {.set = FU_FROM_DEPT | FU_DEPT | FU_TITLE | FU_DETAIL | FU_DUE};
        in.v.from_dept = h->from;
        in.v.dept_role = h->to;
        in.v.title = h->title;
        in.v.detail = h->detail;
        in.v.due_on = due;
        struct follow_up out;
        if (!(rc = follow_up_create(ctx, accs[i], &in, &out)))
            rc = work(ctx, out.id, created, (int)(i + 1), now);
    }
out:
    ctx->now = now;
    return db_end(ctx->db, rc, ctx->err);
}
