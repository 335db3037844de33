/* demo_surveys.c -- kam demo (issue 14 item 8): two surveys with answers.
 *
 * 1. The annual satisfaction survey (open): NPS (the overall question), CSAT, six attribute
 *    ratings and a comment, worded in zh-CN, zh-TW and en; sent to the two most influential
 *    contacts of the first demo accounts. The ratings REALLY drive the overall score: NPS =
 *    round(-3.3 + 1.1 delivery + 1.0 product quality + 0.5 service response + 0.1 price +
 *    0.15 account manager + 0.1 technical support + noise), with delivery also rated lowest, so
 *    the driver chart shows delivery as "fix first" and technical support / account manager
 *    as well served. Comments in Chinese and English, negative where the scores are low.
 *    Some links are unanswered, some expired.
 * 2. A short service pulse (closed): CSAT and a comment, half a year ago.
 *
 * Written with SQL in the demo's transaction (each survey, link and response audited); token
 * hashes are of random tokens nobody holds (a demo link cannot be answered). Every response
 * goes through follow_ups_from_response, as a real answer does. The scores come from a seeded
 * generator: the same demo gives the same answers. */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "follow_up.h"
#include "satisfaction.h"
#include "store/db.h"
#include "svc/core/audit.h"

#define DAY 86400
#define DEMO_SURVEY_ACCOUNTS 60

struct rng {
    uint64_t s;
};

static uint64_t next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double unif(struct rng *r)
{
    return (double)(next(r) >> 11) / 9007199254740992.0;
}

static double gauss(struct rng *r)
{
    double u = unif(r), v = unif(r);
    if (u < 1e-12)
        u = 1e-12;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static int clampi(double v, int lo, int hi)
{
    long x = lround(v);
    return x < lo ? lo : x > hi ? hi : (int)x;
}

static const char *const drivers[6] = {"product_quality",  "delivery",          "price",
                                       "service_response", "technical_support", "account_manager"};
static const double base[6] = {3.7, 2.9, 3.2, 3.6, 4.3, 4.2};
static const double weight[6] = {1.0, 1.1, 0.1, 0.5, 0.1, 0.15};
static const char *const q_zh_cn[6] = {"产品质量",     "交货准时", "价格",
                                       "服务响应速度", "技术支持", "客户经理"};
static const char *const q_zh_tw[6] = {"產品品質",     "交貨準時", "價格",
                                       "服務回應速度", "技術支援", "客戶經理"};
static const char *const q_en[6] = {
    "Product quality",           "On-time delivery",  "Price",
    "Speed of service response", "Technical support", "Your account manager"};

static const char *const bad_comments[] = {
    "交货总是延期，上个月的订单晚了两周，产线差点停了。",
    "服务响应太慢，工程师三天后才到现场。",
    "Deliveries keep slipping and nobody tells us in advance.",
    "價格比去年漲了不少，交期還是不穩定。",
    "The last batch had quality problems and the replacement took weeks.",
    "催了好几次发货都没有回音，很失望。",
};
static const char *const good_comments[] = {
    "产品质量稳定，客户经理很专业，希望交期再快一点。",
    "Great technical support, they solved our issue in one visit.",
    "整體滿意，技術支援很及時。",
    "合作多年，质量一直可靠。",
    "Good value and a responsive team.",
};

static enum kam_err exec_id(struct kam_ctx *ctx, struct db_stmt *st, int64_t *id)
{
    int row = 0;
    enum kam_err rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *id = db_col_i64(st, 0);
    db_done(st);
    return rc;
}

static enum kam_err new_survey(struct kam_ctx *ctx, const char *const title[3],
                               const char *const intro[3], const char *status, int64_t opened,
                               int64_t closed, int link_days, int64_t *id)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO surveys (title_zh_cn, title_zh_tw, title_en, intro_zh_cn, intro_zh_tw, "
        "intro_en, status, link_days, opened_at, closed_at, created_at, updated_at) VALUES "
        "(?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    for (int l = 0; l < 3; l++) {
        db_bind_text(st, 1 + l, title[l]);
        db_bind_text(st, 4 + l, intro[l]);
    }
    db_bind_text(st, 7, status);
    db_bind_i64(st, 8, link_days);
    db_bind_i64(st, 9, opened);
    db_bind_i64n(st, 10, closed, closed == 0);
    db_bind_i64(st, 11, opened - DAY);
    db_bind_i64(st, 12, closed ? closed : opened);
    if ((rc = exec_id(ctx, st, id)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "title_zh_cn", NULL, title[0]);
    audit_diff_str(&d, "status", NULL, status);
    return audit_write(ctx, "survey", *id, 0, "create", &d);
}

static enum kam_err new_question(struct kam_ctx *ctx, int64_t survey, int pos, const char *kind,
                                 const char *driver, const char *cn, const char *tw, const char *en,
                                 int required, int overall, int64_t *id)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "INSERT INTO survey_questions (survey_id, position, kind, driver, "
                                 "text_zh_cn, text_zh_tw, text_en, required, overall, created_at) "
                                 "VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, survey);
    db_bind_i64(st, 2, pos);
    db_bind_text(st, 3, kind);
    db_bind_text(st, 4, driver);
    db_bind_text(st, 5, cn);
    db_bind_text(st, 6, tw);
    db_bind_text(st, 7, en);
    db_bind_i64(st, 8, required);
    db_bind_i64(st, 9, overall);
    db_bind_i64(st, 10, ctx->now);
    return exec_id(ctx, st, id);
}

/* A link (random token nobody holds) and, when answered > 0, its response with answers
 * (values[i] for qids[i]; value < 0: not answered; text: the comment question's answer). */
static enum kam_err new_link(struct kam_ctx *ctx, int64_t survey, int64_t account, int64_t contact,
                             const char *lang, int64_t sent, int link_days, int64_t answered,
                             const int64_t *qids, const int *values, int nq, int64_t text_qid,
                             const char *text)
{
    unsigned char raw[16], h[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    randombytes_buf(raw, sizeof raw);
    crypto_hash_sha256(h, raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO survey_links (survey_id, contact_id, account_id, token_hash, lang, channel, "
        "expires_at, sent_at, answered_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, survey);
    db_bind_i64(st, 2, contact);
    db_bind_i64(st, 3, account);
    db_bind_text(st, 4, hex);
    db_bind_text(st, 5, lang);
    db_bind_text(st, 6, contact % 3 ? "email" : "copy");
    db_bind_i64(st, 7, sent + (int64_t)link_days * DAY);
    db_bind_i64(st, 8, sent);
    db_bind_i64n(st, 9, answered, answered == 0);
    db_bind_i64(st, 10, sent);
    int64_t link = 0;
    if ((rc = exec_id(ctx, st, &link)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "survey_id", 0, 1, survey, 0);
    audit_diff_i64(&d, "contact_id", 0, 1, contact, 0);
    audit_diff_str(&d, "lang", NULL, lang);
    if ((rc = audit_write(ctx, "survey_link", link, account, "create", &d)) || !answered)
        return rc;
    rc = db_prepare(ctx->db,
                    "INSERT INTO survey_responses (survey_id, link_id, account_id, contact_id, "
                    "lang, submitted_at) VALUES (?,?,?,?,?,?) RETURNING id",
                    &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, survey);
    db_bind_i64(st, 2, link);
    db_bind_i64(st, 3, account);
    db_bind_i64(st, 4, contact);
    db_bind_text(st, 5, lang);
    db_bind_i64(st, 6, answered);
    int64_t resp = 0;
    if ((rc = exec_id(ctx, st, &resp)))
        return rc;
    for (int i = 0; i <= nq && !rc; i++) {
        if (i < nq && values[i] < 0)
            continue;
        if (i == nq && !text)
            break;
        rc = db_prepare(ctx->db,
                        "INSERT INTO survey_answers (response_id, question_id, value, text) VALUES "
                        "(?,?,?,?)",
                        &st, ctx->err);
        if (rc)
            break;
        db_bind_i64(st, 1, resp);
        db_bind_i64(st, 2, i < nq ? qids[i] : text_qid);
        db_bind_i64n(st, 3, i < nq ? values[i] : 0, i == nq);
        db_bind_text(st, 4, i < nq ? NULL : text);
        rc = db_run(st, ctx->err);
    }
    if (rc)
        return rc;
    audit_diff_init(&d);
    audit_diff_i64(&d, "survey_id", 0, 1, survey, 0);
    audit_diff_i64(&d, "link_id", 0, 1, link, 0);
    audit_diff_str(&d, "lang", NULL, lang);
    if ((rc = audit_write(ctx, "survey_response", resp, account, "create", &d)))
        return rc;
    int64_t now = ctx->now;
    ctx->now = answered;
    rc = follow_ups_from_response(ctx, resp); /* low scores and negative comments (tone.h) */
    ctx->now = now;
    return rc;
}

static enum kam_err key_contacts(struct kam_ctx *ctx, int64_t account, int64_t *out, int max,
                                 int *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id FROM contacts WHERE account_id = ? ORDER BY influence "
                                 "DESC, id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account);
    *n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && *n < max)
        out[(*n)++] = db_col_i64(st, 0);
    db_done(st);
    return rc;
}

static const char *lang_of(int i)
{
    return i % 5 == 3 ? "en" : i % 7 == 2 ? "zh-TW" : "zh-CN";
}

enum kam_err surveys_demo(struct kam_ctx *ctx)
{
    int64_t now = ctx->now, accounts[DEMO_SURVEY_ACCOUNTS];
    int na = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT id FROM accounts WHERE status <> 'prospect' ORDER BY id", &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && na < DEMO_SURVEY_ACCOUNTS)
        accounts[na++] = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;

    /* 1. the annual survey */
    static const char *const title[3] = {"2026 年度客户满意度调查", "2026 年度客戶滿意度調查",
                                         "2026 annual customer satisfaction survey"};
    static const char intro_en[] = "Thank you for working with us. This takes about 3 minutes: "
                                   "what you tell us goes to the team that can fix it.";
    static const char *const intro[3] = {
        "感谢您一直以来的支持！本问卷约需 3 分钟，您的意见将直接转给负责改进的部门。",
        "感謝您一直以來的支持！本問卷約需 3 分鐘，您的意見將直接轉給負責改進的部門。", intro_en};
    int64_t s1 = 0, qn = 0, qc = 0, qr[6], qt = 0;
    int64_t opened = now - 100 * DAY;
    ctx->now = opened;
    rc = new_survey(ctx, title, intro, "open", opened, 0, 30, &s1);
    if (!rc)
        rc = new_question(ctx, s1, 1, "nps", NULL, "您有多大可能向同行推荐我们？",
                          "您有多大可能向同業推薦我們？",
                          "How likely are you to recommend us to a colleague?", 1, 1, &qn);
    if (!rc)
        rc = new_question(ctx, s1, 2, "csat", NULL, "总体而言，您对我们的满意程度如何？",
                          "整體而言，您對我們的滿意程度如何？",
                          "Overall, how satisfied are you with us?", 1, 0, &qc);
    for (int j = 0; j < 6 && !rc; j++)
        rc = new_question(ctx, s1, 3 + j, "rating", drivers[j], q_zh_cn[j], q_zh_tw[j], q_en[j], 0,
                          0, &qr[j]);
    if (!rc)
        rc = new_question(ctx, s1, 9, "text", NULL, "还有什么想告诉我们的？",
                          "還有什麼想告訴我們的？", "Anything else you would like to tell us?", 0,
                          0, &qt);
    if (rc)
        goto out;
    struct rng r = {0x4b414d53555256ULL}; /* "KAMSURV" */
    int64_t qids[8] = {qn, qc, qr[0], qr[1], qr[2], qr[3], qr[4], qr[5]};
    int i = 0;
    for (int a = 0; a < na && !rc; a++) {
        /* Every third account, and those a viewer is on, ask four people (close together, so
         * that finance and viewers, who see no figure of fewer than 3 responses, have accounts
         * with figures); the others two. */
        int64_t contacts[4], viewers = 0;
        if ((rc = db_query_i64(ctx->db,
                               "SELECT COUNT(*) FROM account_members m JOIN users u ON u.id = "
                               "m.user_id WHERE m.account_id = ? AND u.role = 'viewer'",
                               1, accounts[a], &viewers, ctx->err)))
            break;
        int nc = 0, four = a % 3 == 0 || viewers > 0;
        if ((rc = key_contacts(ctx, accounts[a], contacts, four ? 4 : 2, &nc)))
            break;
        double mood = 0.35 * gauss(&r); /* the account's mood, shared by its contacts */
        for (int c = 0; c < nc && !rc; c++, i++) {
            int64_t sent = four ? opened + (int64_t)(40 + a % 5 + c) * DAY
                                : opened + (int64_t)((i * 7) % 60) * DAY;
            int64_t answered = sent + (1 + i % (four ? 4 : 9)) * DAY;
            if (!four && i % 11 == 5) {
                answered = 0; /* unanswered: expired by now, or sent lately and still open */
                if (i % 2)
                    sent = now - (int64_t)(3 + i % 20) * DAY;
            }
            if (answered > now)
                answered = 0;
            int v[8];
            double x[6], y = -3.3;
            for (int j = 0; j < 6; j++) {
                v[2 + j] = clampi(base[j] + mood + 0.85 * gauss(&r), 1, 5);
                x[j] = v[2 + j];
                y += weight[j] * x[j];
            }
            v[0] = clampi(y + 0.9 * gauss(&r), 0, 10);
            v[1] = clampi(0.4 + 0.45 * (x[0] + x[1] + x[3]) / 1.5 + 0.5 * gauss(&r), 1, 5);
            if (i % 13 == 7)
                v[2 + 2] = -1; /* skipped the price question */
            const char *text = NULL;
            if (v[0] <= 5 && i % 2 == 0)
                text = bad_comments[(size_t)i % (sizeof bad_comments / sizeof *bad_comments)];
            else if (v[0] >= 9 && i % 3 == 0)
                text = good_comments[(size_t)i % (sizeof good_comments / sizeof *good_comments)];
            ctx->now = sent;
            rc = new_link(ctx, s1, accounts[a], contacts[c], lang_of(i), sent, 30, answered, qids,
                          v, 8, qt, text);
        }
    }
    if (rc)
        goto out;

    /* 2. the service pulse, closed */
    static const char *const ptitle[3] = {"服务满意度快速调查", "服務滿意度快速調查",
                                          "Service pulse"};
    static const char *const pintro[3] = {"一个问题，十秒钟。", "一個問題，十秒鐘。",
                                          "One question, ten seconds."};
    int64_t s2 = 0, pq = 0, pt = 0, popened = now - 200 * DAY;
    ctx->now = popened;
    rc = new_survey(ctx, ptitle, pintro, "closed", popened, now - 150 * DAY, 14, &s2);
    if (!rc)
        rc = new_question(ctx, s2, 1, "csat", NULL, "您对最近一次服务的满意程度？",
                          "您對最近一次服務的滿意程度？",
                          "How satisfied were you with our last service visit?", 1, 0, &pq);
    if (!rc)
        rc = new_question(ctx, s2, 2, "text", NULL, "原因是？", "原因是？", "Why?", 0, 0, &pt);
    for (int a = 0; a < na && a < 20 && !rc; a++) {
        int64_t contact;
        int nc = 0;
        if ((rc = key_contacts(ctx, accounts[a], &contact, 1, &nc)) || !nc)
            continue;
        int64_t sent = popened + (int64_t)(a % 10) * DAY;
        int64_t answered = a % 4 == 3 ? 0 : sent + (1 + a % 3) * DAY;
        int v = clampi(3.8 + gauss(&r), 1, 5);
        const char *text = v <= 2            ? "工程师迟到，问题也没一次解决。"
                           : v >= 5 && a % 2 ? "Quick and friendly, thanks!"
                                             : NULL;
        ctx->now = sent;
        rc = new_link(ctx, s2, accounts[a], contact, lang_of(a), sent, 14, answered, &pq, &v, 1, pt,
                      text);
    }
out:
    ctx->now = now;
    return rc;
}
