/* demo_appraisal.c -- demo data of the account team chapter: appraisal (issue 18 item 7).
 *
 * A quarterly scheme for account managers with six indicators (one manual), computed through the
 * compute service for the four complete quarters before the demo's now for every demo account
 * manager; manual values and comments by the lead; the three older quarters submitted,
 * acknowledged by each person and made final; in the latest, am.east1's acknowledged,
 * am.east2's calibrated with a reason, am.east3's in review, the rest drafts. Deterministic. */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "demo.h"
#include "scheme.h"
#include "scorecard.h"
#include "store/db.h"
#include "svc/core/home.h"
#include "svc/core/user.h"

static struct scheme_indicator ind(const char *kind, const char *label, int64_t w, int64_t thr,
                                   int64_t tgt, int64_t str, int64_t cap)
{
    struct scheme_indicator x = {.set = SI_KIND | SI_LABEL | SI_WEIGHT | SI_THRESHOLD | SI_TARGET |
                                        SI_STRETCH | SI_CAP};
    x.kind = kind;
    x.label = label;
    x.weight_bp = w;
    x.threshold = thr;
    x.target = tgt;
    x.stretch = str;
    x.cap_score = cap;
    return x;
}

static void act_as(struct kam_ctx *ctx, int64_t uid, enum role r)
{
    ctx->who.user_id = uid;
    ctx->who.role = r;
}

enum kam_err appraisal_demo(struct kam_ctx *ctx)
{
    struct scheme_indicator v[6] = {
        ind("volume_attainment", "销售目标达成 Sales vs target", 3000, 8000, 10000, 12000, 15000),
        ind("visits_vs_cadence", "按节奏拜访 Visits vs cadence", 2000, 7000, 9000, 10000, 12000),
        ind("interactions", "客户互动 Interactions", 1000, 6, 12, 24, 13000),
        ind("issue_sla", "问题按时响应 Issues answered in SLA", 1500, 7000, 9000, 10000, 12000),
        ind("satisfaction", "客户满意度 NPS", 1000, 0, 3000, 6000, 13000),
        ind("manual", "关系维护质量 Relationship quality (1-5)", 1500, 2, 3, 5, 13000),
    };
    struct scheme_in in = {.set = SC_NAME | SC_ROLE | SC_PERIOD | SC_INDICATORS};
    in.v.name = "客户经理季度考核 Account manager, quarterly";
    in.v.role = "account_manager";
    in.v.period_kind = "quarter";
    in.ind = v;
    in.n_ind = 6;
    struct principal saved = ctx->who;
    struct scheme s;
    enum kam_err rc = scheme_create(ctx, &in, &s);
    if (rc)
        return rc;
    struct user lead, e1, e2, e3;
    if ((rc = user_by_login(ctx, "lead.east", &lead)) ||
        (rc = user_by_login(ctx, "am.east1", &e1)) || (rc = user_by_login(ctx, "am.east2", &e2)) ||
        (rc = user_by_login(ctx, "am.east3", &e3)))
        return rc;
    /* the quarter of the demo's day, then the four before it */
    int64_t today = (ctx->now + HOME_TZ_OFFSET) / 86400;
    int y, m, d;
    days_to_date(today, &y, &m, &d);
    int q = (m - 1) / 3; /* 0-based: the current quarter */
    for (int k = 4; k >= 1 && !rc; k--) {
        int qq = q - k, yy = y;
        while (qq < 0) {
            qq += 4;
            yy--;
        }
        char period[32];
        snprintf(period, sizeof period, "%04dQ%d", yy, qq + 1);
        act_as(ctx, saved.user_id, saved.role);
        struct scorecard_compute_in ci = {.set = SCC_SCHEME | SCC_PERIOD, .scheme_id = s.id};
        ci.period = period;
        struct scorecard_compute_out co;
        if ((rc = scorecard_compute(ctx, &ci, &co)))
            break;
        for (size_t i = 0; i < co.n && !rc; i++) {
            struct scorecard *c = &co.items[i];
            struct scorecard full;
            int64_t mgr = 0; /* the person's team lead */
            rc = db_query_i64(ctx->db,
                              "SELECT t.manager_id FROM users u JOIN teams t ON t.id = u.team_id "
                              "WHERE u.id = ? AND t.manager_id IS NOT NULL",
                              1, c->user_id, &mgr, ctx->err);
            if (rc == KAM_ENOTFOUND) {
                kam_error_clear(ctx->err);
                rc = KAM_OK;
                mgr = lead.id;
            }
            if (rc)
                break;
            act_as(ctx, mgr, ROLE_TEAM_LEAD);
            if ((rc = scorecard_get(ctx, c->id, &full)))
                break;
            /* the lead's manual value (2..5 by person and quarter) and comment */
            struct scorecard_manual mv = {.set = SCM_INDICATOR | SCM_VALUE, .has_value = 1};
            for (size_t j = 0; j < full.n_lines; j++)
                if (!strcmp(full.lines[j].kind, "manual"))
                    mv.indicator_id = full.lines[j].indicator_id;
            mv.value = 2 + (int64_t)((c->user_id * 7 + k * 3) % 4);
            struct scorecard_in pi = {
                .set = SCI_MANUAL | SCI_COMMENT, .manual = &mv, .n_manual = 1};
            pi.comment = mv.value >= 4
                             ? "客户关系维护扎实，继续保持。Strong relationships; keep it up."
                             : "拜访节奏需要加强，下季度重点跟进大客户。Visits need more "
                               "rhythm; focus on the key accounts next quarter.";
            struct scorecard out;
            if ((rc = scorecard_update(ctx, c->id, &pi, &out)))
                break;
            int latest = k == 1;
            int64_t who = c->user_id;
            if (latest && who != e1.id && who != e2.id && who != e3.id)
                continue; /* drafts */
            if ((rc = scorecard_submit(ctx, c->id, &out)))
                break;
            if (latest && who == e3.id)
                continue; /* in review */
            if (latest && who == e2.id) {
                rc = scorecard_calibrate(ctx, c->id, (out.has_score ? out.score : 9000) + 500, 1,
                                         "大客户华东电网续约谈判贡献未计入销量指标，校准加分。"
                                         "The renewal negotiation he carried is not in the "
                                         "volume figures.",
                                         &out);
                continue;
            }
            act_as(ctx, who, ROLE_ACCOUNT_MANAGER);
            if ((rc = scorecard_acknowledge(ctx, c->id, &out)) || latest)
                continue;
            act_as(ctx, mgr, ROLE_TEAM_LEAD);
            rc = scorecard_finalise(ctx, c->id, &out);
        }
    }
    act_as(ctx, saved.user_id, saved.role);
    return rc;
}
