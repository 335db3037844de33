/* signals.c -- the needs signals of the early-warning engine (svc/core/signal.h,
 * docs/SIGNALS.md): an account's NPS or CSAT dropping between two periods, negative comments.
 * The figures are satisfaction.c's (sat_nps_of, sat_csat_of) with its minimum of SAT_MIN_N
 * respondents in each period; whether a comment is negative is core/tone.c's rule. Set-based,
 * read only; evidence names responses, never the respondent (follow_up.c's rule). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/jw.h"
#include "satisfaction.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/signal.h"
#include "svc/core/tone.h"

#define EV_MAX_ITEMS 20
#define DAY 86400

/* ---- nps_drop, csat_drop ---- */

/* One account's answers in the two periods: [0] the earlier, [1] the recent one. */
struct sat_acc {
    int64_t account;
    int64_t counts[2][11]; /* nps: value 0..10; csat: value 1..5 */
    int64_t people[2];     /* distinct responses answering */
};

static int cmp_acc(const void *a, const void *b)
{
    int64_t x = ((const struct sat_acc *)a)->account, y = ((const struct sat_acc *)b)->account;
    return x < y ? -1 : x > y;
}

/* The figure of one period: NPS score or CSAT top-2 share, in percent (points). */
static double figure(int nps, const int64_t c[11])
{
    if (nps) {
        struct sat_nps s;
        sat_nps_of(c, &s);
        return s.score;
    }
    struct sat_csat s;
    sat_csat_of(c, &s);
    return s.top2_share;
}

/* The drop (earlier - recent, points) of an account's NPS (nps) or CSAT top-2 share over the
 * last `days` days against the `days` before, each period with at least SAT_MIN_N respondents. */
static enum kam_err eval_drop(struct kam_ctx *ctx, const struct signal_rule *rule,
                              const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg,
                              int nps)
{
    int64_t days;
    enum kam_err rc = signal_param_days(ctx, rule, 180, &days);
    if (rc)
        return rc;
    int64_t mid = ctx->now - days * DAY, start = ctx->now - 2 * days * DAY;
    const char *kind = nps ? "nps" : "csat";
    /* Pass 1: respondents per account and period. */
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT r.account_id, CASE WHEN r.submitted_at > ? THEN 1 ELSE 0 END, "
                 "COUNT(DISTINCT r.id) FROM survey_responses r JOIN survey_answers an ON "
                 "an.response_id = r.id JOIN survey_questions q ON q.id = an.question_id JOIN "
                 "accounts a ON a.id = r.account_id WHERE q.kind = ? AND an.value IS NOT NULL AND "
                 "r.submitted_at > ? AND r.submitted_at <= ?");
    sqlb_i64(&b, mid);
    sqlb_text(&b, kind);
    sqlb_i64(&b, start);
    sqlb_i64(&b, ctx->now);
    struct signal_want wa = signal_want_of(ctx, accounts, n);
    signal_account_cond(&b, accounts, n);
    sqlb_sql(&b, " GROUP BY r.account_id, 2 ORDER BY r.account_id");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    size_t cap = 64, na = 0;
    struct sat_acc *v = arena_calloc(ctx->a, cap, sizeof *v);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t account = db_col_i64(st, 0);
        if (!signal_wanted(&wa, account))
            continue;
        if (!na || v[na - 1].account != account) {
            if (na == cap) {
                struct sat_acc *bigger = arena_calloc(ctx->a, 2 * cap, sizeof *bigger);
                memcpy(bigger, v, cap * sizeof *v);
                v = bigger;
                cap *= 2;
            }
            v[na++].account = account;
        }
        v[na - 1].people[db_col_i64(st, 1) ? 1 : 0] = db_col_i64(st, 2);
    }
    db_done(st);
    if (rc || !na)
        return rc;
    /* Pass 2: answers per account, period and value. */
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT r.account_id, CASE WHEN r.submitted_at > ? THEN 1 ELSE 0 END, an.value, "
                 "COUNT(*) FROM survey_responses r JOIN survey_answers an ON an.response_id = r.id "
                 "JOIN survey_questions q ON q.id = an.question_id JOIN accounts a ON a.id = "
                 "r.account_id WHERE q.kind = ? AND an.value IS NOT NULL AND r.submitted_at > ? "
                 "AND r.submitted_at <= ?");
    sqlb_i64(&b, mid);
    sqlb_text(&b, kind);
    sqlb_i64(&b, start);
    sqlb_i64(&b, ctx->now);
    signal_account_cond(&b, accounts, n);
    sqlb_sql(&b, " GROUP BY r.account_id, 2, an.value");
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        struct sat_acc key = {.account = db_col_i64(st, 0)};
        struct sat_acc *x = bsearch(&key, v, na, sizeof *v, cmp_acc);
        int64_t val = db_col_i64(st, 2);
        if (x && val >= 0 && val <= (nps ? 10 : 5))
            x->counts[db_col_i64(st, 1) ? 1 : 0][val] += db_col_i64(st, 3);
    }
    db_done(st);
    for (size_t i = 0; i < na && !rc; i++) {
        struct sat_acc *x = &v[i];
        if (x->people[0] < SAT_MIN_N || x->people[1] < SAT_MIN_N)
            continue;
        double before = figure(nps, x->counts[0]), now = figure(nps, x->counts[1]);
        int64_t value = (int64_t)llround((before - now) * 1000);
        if (!signal_fires(rule, value))
            continue;
        struct buf eb;
        struct jw w;
        buf_init(&eb, 1 << 12);
        jw_init(&w, &eb);
        jw_obj_begin(&w);
        jw_kfixed(&w, "before", (int64_t)llround(before * 10), 1);
        jw_kfixed(&w, "now", (int64_t)llround(now * 10), 1);
        jw_ki64(&w, "respondents_before", x->people[0]);
        jw_ki64(&w, "respondents_now", x->people[1]);
        jw_ki64(&w, "days", days);
        jw_obj_end(&w);
        if (!buf_ok(&eb))
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
        else {
            struct signal_hit h = {x->account, value, arena_strndup(ctx->a, eb.data, eb.len)};
            rc = emit(arg, &h);
        }
        buf_release(&eb);
    }
    return rc;
}

static enum kam_err eval_nps_drop(struct kam_ctx *ctx, const struct signal_rule *rule,
                                  const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg)
{
    return eval_drop(ctx, rule, accounts, n, emit, arg, 1);
}

static enum kam_err eval_csat_drop(struct kam_ctx *ctx, const struct signal_rule *rule,
                                   const int64_t *accounts, size_t n, signal_emit_fn emit,
                                   void *arg)
{
    return eval_drop(ctx, rule, accounts, n, emit, arg, 0);
}

/* ---- negative_sentiment ---- */

/* Comments (answers to text questions) of the account's responses in the last `days` days that
 * tone.c labels negative (the stored score, re-scored when another model made it; a comment
 * that cannot be re-scored counts as not scored). value: how many. Evidence: the responses and
 * questions, never who answered. */
static enum kam_err eval_negative(struct kam_ctx *ctx, const struct signal_rule *rule,
                                  const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg)
{
    int64_t days;
    int below = 0;
    enum kam_err rc = signal_param_days(ctx, rule, 90, &days);
    if (rc || (rc = tone_negative_below(ctx, &below)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT r.account_id, r.id, an.question_id, an.text, an.sentiment_ppm, "
                 "an.sentiment_model, r.survey_id, r.submitted_at FROM survey_responses r JOIN "
                 "survey_answers an ON an.response_id = r.id JOIN survey_questions q ON q.id = "
                 "an.question_id JOIN accounts a ON a.id = r.account_id WHERE q.kind = 'text' AND "
                 "an.text IS NOT NULL AND r.submitted_at > ? AND r.submitted_at <= ?");
    sqlb_i64(&b, ctx->now - days * DAY);
    sqlb_i64(&b, ctx->now);
    struct signal_want wa = signal_want_of(ctx, accounts, n);
    signal_account_cond(&b, accounts, n);
    sqlb_sql(&b, " ORDER BY r.account_id, r.submitted_at DESC, r.id DESC, an.question_id");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    struct buf eb = {0};
    struct jw w;
    int open = 0, row = 0;
    int64_t cur = 0, count = 0;
    for (;;) {
        if ((rc = db_step(st, &row, ctx->err)))
            break;
        int64_t account = row ? db_col_i64(st, 0) : -1;
        if (open && account != cur) {
            open = 0;
            jw_arr_end(&w);
            jw_ki64(&w, "count", count);
            jw_ki64(&w, "days", days);
            jw_obj_end(&w);
            if (!buf_ok(&eb))
                rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
            else if (signal_fires(rule, count * 1000)) {
                struct signal_hit h = {cur, count * 1000, arena_strndup(ctx->a, eb.data, eb.len)};
                rc = emit(arg, &h);
            }
            buf_release(&eb);
        }
        if (rc || !row)
            break;
        if (!signal_wanted(&wa, account))
            continue;
        enum tone_label tl =
            tone_label_read(db_col_text(st, 3), !db_col_is_null(st, 4), (int)db_col_i64(st, 4),
                            db_col_is_null(st, 5) ? NULL : db_col_text(st, 5), below);
        if (tl != TONE_NEGATIVE)
            continue;
        if (!open) {
            open = 1;
            cur = account;
            count = 0;
            buf_init(&eb, 1 << 16);
            jw_init(&w, &eb);
            jw_obj_begin(&w);
            jw_key(&w, "comments");
            jw_arr_begin(&w);
        }
        if (count++ < EV_MAX_ITEMS) {
            jw_obj_begin(&w);
            jw_ki64(&w, "response_id", db_col_i64(st, 1));
            jw_ki64(&w, "question_id", db_col_i64(st, 2));
            jw_ki64(&w, "survey_id", db_col_i64(st, 6));
            jw_ktime(&w, "submitted_at", db_col_i64(st, 7));
            jw_obj_end(&w);
        }
    }
    db_done(st);
    if (open)
        buf_release(&eb);
    return rc;
}

/* key, unit, threshold, severity, dept, params, higher_is_worse, eval, the policy objects read
 * (signal.h: who sees its alerts) */
/* clang-format off */
const struct signal_def signals_needs[] = {
    {"nps_drop", "score", 20000, SIGNAL_HIGH, "sales", "{\"days\": 180}", 1, eval_nps_drop,
     {OBJ_SATISFACTION}},
    {"csat_drop", "percent", 15000, SIGNAL_MEDIUM, "service", "{\"days\": 180}", 1, eval_csat_drop,
     {OBJ_SATISFACTION}},
    /* comments: one respondent's answers (responses), beside the satisfaction figures */
    {"negative_sentiment", "count", 2000, SIGNAL_MEDIUM, "service", "{\"days\": 90}", 1,
     eval_negative, {OBJ_SATISFACTION, OBJ_SURVEY_RESPONSE}},
    {0},
};
/* clang-format on */
