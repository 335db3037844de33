/* satisfaction.c -- survey results, key-driver analysis, satisfaction trends and loyalty (see
 * satisfaction.h for the definitions, the scope and the minimum-n rule). The database hands over
 * the answers; every figure is computed here in C from integers, so both engines give the same
 * numbers. */
#include "satisfaction.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "base/timeutil.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/check.h"
#include "svc/core/home.h"
#include "svc/core/policy.h"

/* accounts.tier (svc/relationships/account.c: account_tiers; chapters do not include each other).
 */
static const char *const tiers[] = {"strategic", "key", "growth", "maintain", NULL};
static const char *const groups[] = {"account", "tier", "region", "owner", "team", "all", NULL};
static const char *const periods[] = {"month", "quarter", "year", NULL};

/* ---- pure helpers ---- */

void sat_nps_of(const int64_t counts[11], struct sat_nps *out)
{
    memset(out, 0, sizeof *out);
    for (int v = 0; v <= 10; v++) {
        out->n += counts[v];
        if (v >= 9)
            out->promoters += counts[v];
        else if (v >= 7)
            out->passives += counts[v];
        else
            out->detractors += counts[v];
    }
    out->score = out->n ? 100.0 * (double)(out->promoters - out->detractors) / (double)out->n : 0.0;
}

void sat_csat_of(const int64_t counts[6], struct sat_csat *out)
{
    memset(out, 0, sizeof *out);
    int64_t sum = 0;
    for (int v = 1; v <= 5; v++) {
        out->n += counts[v];
        sum += v * counts[v];
        if (v >= 4)
            out->top2 += counts[v];
    }
    if (out->n) {
        out->mean = (double)sum / (double)out->n;
        out->top2_share = 100.0 * (double)out->top2 / (double)out->n;
    }
}

int sat_period_key(int64_t t, const char *period, char *out, size_t n)
{
    int64_t local = t + HOME_TZ_OFFSET;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int y, m, d;
    days_to_date(days, &y, &m, &d);
    if (!period || !strcmp(period, "month"))
        snprintf(out, n, "%04d-%02d", y, m);
    else if (!strcmp(period, "quarter"))
        snprintf(out, n, "%04d-Q%d", y, (m - 1) / 3 + 1);
    else if (!strcmp(period, "year"))
        snprintf(out, n, "%04d", y);
    else
        return -1;
    return 0;
}

int sat_hidden(int may_read, int64_t n)
{
    return !may_read && n < SAT_MIN_N;
}

/* ---- filters ---- */

static int may_read_responses(struct kam_ctx *ctx)
{
    return policy_grant(ctx->who.role, OBJ_SURVEY_RESPONSE, ACT_READ) != GRANT_NONE;
}

/* The first second of day s (China time), or of the day after it (end = 1). */
static enum kam_err day_start(struct kam_ctx *ctx, const char *field, const char *s, int end,
                              int64_t *out)
{
    int y, m, d;
    enum kam_err rc = check_date(ctx, field, s);
    if (rc)
        return rc;
    date_parse(s, &y, &m, &d);
    *out = (date_to_days(y, m, d) + end) * 86400 - HOME_TZ_OFFSET;
    return KAM_OK;
}

/* The filters set in f, as bits (FB_*), and f keeping only the filters of mask. */
enum {
    FB_ACCOUNT = 1,
    FB_OWNER = 2,
    FB_TEAM = 4,
    FB_TIER = 8,
    FB_REGION = 16,
    FB_FROM = 32,
    FB_TO = 64
};
static const char *const filter_names[] = {"account_id", "owner_id", "team_id", "tier",
                                           "region",     "from",     "to"};

static unsigned filter_bits(const struct sat_filter *f)
{
    return (f->account_id ? FB_ACCOUNT : 0u) | (f->owner_id ? FB_OWNER : 0u) |
           (f->team_id ? FB_TEAM : 0u) | (f->tier ? FB_TIER : 0u) | (f->region ? FB_REGION : 0u) |
           (f->from ? FB_FROM : 0u) | (f->to ? FB_TO : 0u);
}

static struct sat_filter filter_masked(const struct sat_filter *f, unsigned mask)
{
    struct sat_filter g = *f;
    if (!(mask & FB_ACCOUNT))
        g.account_id = 0;
    if (!(mask & FB_OWNER))
        g.owner_id = 0;
    if (!(mask & FB_TEAM))
        g.team_id = 0;
    if (!(mask & FB_TIER))
        g.tier = NULL;
    if (!(mask & FB_REGION))
        g.region = NULL;
    if (!(mask & FB_FROM))
        g.from = NULL;
    if (!(mask & FB_TO))
        g.to = NULL;
    return g;
}

/* The name of the first filter in bits. */
static const char *filter_name(unsigned bits)
{
    for (int i = 0; i < 7; i++)
        if (bits & (1u << i))
            return filter_names[i];
    return "from";
}

/* The filters' values; a reader who may not read responses gives whole months: from the 1st of
 * a month, to the last day of a month (sat.whole_months). */
static enum kam_err check_filter(struct kam_ctx *ctx, const struct sat_filter *f)
{
    enum kam_err rc;
    if ((f->tier && (rc = check_enum(ctx, "tier", f->tier, tiers))) ||
        (f->region && (rc = check_text(ctx, "region", f->region, 1, 100, CHECK_LINE))) ||
        (f->from && (rc = check_date(ctx, "from", f->from))) ||
        (f->to && (rc = check_date(ctx, "to", f->to))))
        return rc;
    if (f->team_id < 0)
        return kam_fail(ctx->err, KAM_EINVAL, "team_id", "team_id must be positive");
    if (f->team_id) {
        int64_t n = 0;
        if ((rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM teams WHERE id = ?", 1, f->team_id,
                               &n, ctx->err)))
            return rc;
        if (!n)
            return kam_fail_key(ctx->err, KAM_ENOTFOUND, "team_id", "not_found",
                                (struct kam_param[]){{"what", "team"}, {0}}, "no such team");
    }
    if (f->from && f->to && strcmp(f->from, f->to) > 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, "to", "sat.bad_range", NULL,
                            "to must not be before from");
    if (may_read_responses(ctx))
        return KAM_OK;
    int y, m, d, y2, m2, d2, bad_from = 0, bad_to = 0;
    if (f->from) {
        date_parse(f->from, &y, &m, &d);
        bad_from = d != 1;
    }
    if (f->to) {
        date_parse(f->to, &y, &m, &d);
        days_to_date(date_to_days(y, m, d) + 1, &y2, &m2, &d2);
        bad_to = d2 != 1;
    }
    if (bad_from || bad_to) {
        const char *field = bad_from ? "from" : "to";
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "sat.whole_months",
                            (struct kam_param[]){{"field", field}, {0}},
                            "%s: whole months only (from the 1st of a month, to the last day of a "
                            "month)",
                            field);
    }
    return KAM_OK;
}

enum kam_err sat_filter_check(struct kam_ctx *ctx, const struct sat_filter *f)
{
    return check_filter(ctx, f);
}

/* The refusal of a figure whose complement (the responses a looser filter adds) has 1 to
 * SAT_MIN_N - 1 responses: the difference of the two would be those few responses. */
static enum kam_err small_complement(struct kam_ctx *ctx, unsigned dropped)
{
    const char *field = filter_name(dropped);
    return kam_fail_key(ctx->err, KAM_EINVAL, field, "sat.small_complement",
                        (struct kam_param[]){{"field", field}, {0}},
                        "%s leaves out only 1 or 2 responses: widen or drop this filter", field);
}

/* Appends the conditions of f on r (survey_responses) and accounts; scoped: the caller's scope
 * WITH clause was opened by policy_scope_with. On a refusal b is released. */
static enum kam_err filter_sql(struct kam_ctx *ctx, const struct sat_filter *f, int scoped,
                               struct sqlb *b)
{
    enum kam_err rc;
    if (scoped)
        sqlb_sql(b, " AND " POLICY_SCOPE_COND);
    if (f->account_id) {
        sqlb_sql(b, " AND r.account_id = ?");
        sqlb_i64(b, f->account_id);
    }
    if (f->owner_id) {
        sqlb_sql(b, " AND accounts.owner_id = ?");
        sqlb_i64(b, f->owner_id);
    }
    if (f->team_id) {
        /* policy.h's one team rule: the team, its subteams, their members and managers */
        sqlb_sql(b, " AND accounts.owner_id IN (WITH RECURSIVE " POLICY_TEAM_TT
                    "tq(uid) AS (SELECT uid FROM tp) SELECT uid FROM tq)");
        sqlb_i64(b, f->team_id);
    }
    if (f->tier) {
        sqlb_sql(b, " AND accounts.tier = ?");
        sqlb_text(b, f->tier);
    }
    if (f->region) {
        sqlb_sql(b, " AND accounts.region = ?");
        sqlb_text(b, f->region);
    }
    int64_t t;
    if (f->from) {
        if ((rc = day_start(ctx, "from", f->from, 0, &t))) {
            sqlb_release(b);
            return rc;
        }
        sqlb_sql(b, " AND r.submitted_at >= ?");
        sqlb_i64(b, t);
    }
    if (f->to) {
        if ((rc = day_start(ctx, "to", f->to, 1, &t))) {
            sqlb_release(b);
            return rc;
        }
        sqlb_sql(b, " AND r.submitted_at < ?");
        sqlb_i64(b, t);
    }
    return KAM_OK;
}

#define RFROM " FROM survey_responses r JOIN accounts ON accounts.id = r.account_id"

/* ---- the survey and its questions ---- */

static const char *dup_col(struct kam_ctx *ctx, struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? NULL : arena_strdup(ctx->a, db_col_text(st, col));
}

static enum kam_err load_survey(struct kam_ctx *ctx, int64_t id, struct sat_results *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT status, title_zh_cn, title_zh_tw, title_en FROM surveys WHERE id = ?", &st,
        ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        out->status = dup_col(ctx, st, 0);
        for (int l = 0; l < 3; l++)
            out->titles[l] = dup_col(ctx, st, 1 + l);
    }
    db_done(st);
    if (!rc && !row)
        return kam_fail_key(ctx->err, KAM_ENOTFOUND, "id", "not_found",
                            (struct kam_param[]){{"what", "survey"}, {0}}, "survey not found");
    if (rc)
        return rc;
    out->survey_id = id;

    size_t cap = 8;
    out->q = arena_calloc(ctx->a, cap, sizeof *out->q);
    rc = db_prepare(ctx->db,
                    "SELECT id, position, kind, driver, text_zh_cn, text_zh_tw, text_en, required, "
                    "overall FROM survey_questions WHERE survey_id = ? ORDER BY position, id",
                    &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (out->nq == cap) {
            struct sat_question *g = arena_calloc(ctx->a, cap * 2, sizeof *g);
            memcpy(g, out->q, cap * sizeof *g);
            out->q = g;
            cap *= 2;
        }
        struct sat_question *q = &out->q[out->nq++];
        q->id = db_col_i64(st, 0);
        q->position = (int)db_col_i64(st, 1);
        q->kind = dup_col(ctx, st, 2);
        q->driver = dup_col(ctx, st, 3);
        for (int l = 0; l < 3; l++)
            q->texts[l] = dup_col(ctx, st, 4 + l);
        q->required = (int)db_col_i64(st, 7);
        q->overall = (int)db_col_i64(st, 8);
        if (!strcmp(q->kind, "nps")) {
            q->nvalues = 11;
            q->first = 0;
        } else if (!strcmp(q->kind, "csat") || !strcmp(q->kind, "rating")) {
            q->nvalues = 5;
            q->first = 1;
        }
    }
    db_done(st);
    if (rc)
        return rc;
    rc = db_prepare(ctx->db,
                    "SELECT o.question_id, o.position, o.label_zh_cn, o.label_zh_tw, o.label_en "
                    "FROM survey_options o JOIN survey_questions q ON q.id = o.question_id WHERE "
                    "q.survey_id = ? ORDER BY o.question_id, o.position",
                    &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t qid = db_col_i64(st, 0);
        int pos = (int)db_col_i64(st, 1);
        for (size_t i = 0; i < out->nq; i++) {
            struct sat_question *q = &out->q[i];
            if (q->id != qid || pos < 0 || pos > 19)
                continue;
            if (!q->options)
                q->options = arena_calloc(ctx->a, 20, sizeof *q->options);
            struct sat_option *o = &q->options[q->noptions++];
            o->position = pos;
            for (int l = 0; l < 3; l++)
                o->labels[l] = dup_col(ctx, st, 2 + l);
            if (pos + 1 > q->nvalues)
                q->nvalues = pos + 1;
        }
    }
    db_done(st);
    return rc;
}

/* The driver list with labels (every driver, active or not: old surveys may use retired ones). */
static enum kam_err load_drivers(struct kam_ctx *ctx, struct sat_driver **out, size_t *n_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT key, label_zh_cn, label_zh_tw, label_en FROM "
                                 "survey_drivers ORDER BY position, key",
                                 &st, ctx->err);
    if (rc)
        return rc;
    size_t cap = 16, n = 0;
    struct sat_driver *d = arena_calloc(ctx->a, cap, sizeof *d);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (n == cap) {
            struct sat_driver *g = arena_calloc(ctx->a, cap * 2, sizeof *g);
            memcpy(g, d, cap * sizeof *g);
            d = g;
            cap *= 2;
        }
        d[n].key = dup_col(ctx, st, 0);
        for (int l = 0; l < 3; l++)
            d[n].labels[l] = dup_col(ctx, st, 1 + l);
        n++;
    }
    db_done(st);
    *out = d;
    *n_out = n;
    return rc;
}

static struct sat_question *question_of(struct sat_results *r, int64_t id)
{
    for (size_t i = 0; i < r->nq; i++)
        if (r->q[i].id == id)
            return &r->q[i];
    return NULL;
}

/* The answers of the scoped, filtered responses of a survey: rows (response id, question id,
 * value or NULL for a text answer), by response. */
static enum kam_err answers_stmt(struct kam_ctx *ctx, int64_t survey_id, const struct sat_filter *f,
                                 struct db_stmt **st)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT r.id, a.question_id, a.value" RFROM
                 " JOIN survey_answers a ON a.response_id = r.id WHERE r.survey_id = ?");
    sqlb_i64(&b, survey_id);
    enum kam_err rc = filter_sql(ctx, f, scoped, &b);
    if (rc)
        return rc;
    sqlb_sql(&b, " ORDER BY r.id, a.question_id");
    return sqlb_prepare(&b, ctx->db, st, ctx->err);
}

/* The same answers counted by question and value (NULL: text answers). */
static enum kam_err counts_stmt(struct kam_ctx *ctx, int64_t survey_id, const struct sat_filter *f,
                                struct db_stmt **st)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT a.question_id, a.value, COUNT(*)" RFROM
                 " JOIN survey_answers a ON a.response_id = r.id WHERE r.survey_id = ?");
    sqlb_i64(&b, survey_id);
    enum kam_err rc = filter_sql(ctx, f, scoped, &b);
    if (rc)
        return rc;
    sqlb_sql(&b, " GROUP BY a.question_id, a.value");
    return sqlb_prepare(&b, ctx->db, st, ctx->err);
}

static enum kam_err count_responses(struct kam_ctx *ctx, int64_t survey_id,
                                    const struct sat_filter *f, int64_t *n)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT COUNT(*)" RFROM " WHERE r.survey_id = ?");
    sqlb_i64(&b, survey_id);
    enum kam_err rc = filter_sql(ctx, f, scoped, &b);
    struct db_stmt *st;
    if (rc || (rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *n = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    return rc;
}

/* The scored answers (not texts) matching f counted by question (ascending question id) into
 * ids/counts (cap entries; a survey has at most 50 questions). */
static enum kam_err question_counts(struct kam_ctx *ctx, int64_t survey_id,
                                    const struct sat_filter *f, int64_t *ids, int64_t *counts,
                                    size_t cap, size_t *n)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT a.question_id, COUNT(*)" RFROM
                 " JOIN survey_answers a ON a.response_id = r.id WHERE r.survey_id = ? AND "
                 "a.value IS NOT NULL");
    sqlb_i64(&b, survey_id);
    enum kam_err rc = filter_sql(ctx, f, scoped, &b);
    struct db_stmt *st;
    if (rc)
        return rc;
    sqlb_sql(&b, " GROUP BY a.question_id ORDER BY a.question_id");
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    int row = 0;
    *n = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && *n < cap) {
        ids[*n] = db_col_i64(st, 0);
        counts[(*n)++] = db_col_i64(st, 1);
    }
    db_done(st);
    return rc;
}

/* For a reader who may not read responses: n responses match f; every looser filter (f less
 * any of its filters, down to the scope alone) must add none or at least SAT_MIN_N -- to the
 * responses and to each shown question's scored answers, so no figure shown (a question's
 * distribution,
 * NPS, CSAT, a driver's mean: sums of its questions' answers) can be subtracted from a looser
 * one to read one or two people's answers. */
static enum kam_err check_complement(struct kam_ctx *ctx, int64_t survey_id,
                                     const struct sat_filter *f, int64_t n)
{
    unsigned set = filter_bits(f);
    if (!set)
        return KAM_OK;
    enum { CAP = 512 };
    int64_t *mid = arena_calloc(ctx->a, 4 * CAP, sizeof *mid);
    int64_t *mc = mid + CAP, *wid = mid + 2 * CAP, *wc = mid + 3 * CAP;
    size_t mn = 0, wn = 0;
    enum kam_err rc = question_counts(ctx, survey_id, f, mid, mc, CAP, &mn);
    if (rc)
        return rc;
    for (unsigned sub = (set - 1) & set;; sub = (sub - 1) & set) {
        struct sat_filter g = filter_masked(f, sub);
        int64_t m = 0;
        if ((rc = count_responses(ctx, survey_id, &g, &m)) ||
            (rc = question_counts(ctx, survey_id, &g, wid, wc, CAP, &wn)))
            return rc;
        if (m - n >= 1 && m - n < SAT_MIN_N)
            return small_complement(ctx, set & ~sub);
        /* Both ascending: a question the narrow filter has answers to is in the wide one. A
         * figure hidden under f (fewer than SAT_MIN_N answers) gives nothing to subtract. */
        for (size_t i = 0, j = 0; i < mn; i++) {
            while (j < wn && wid[j] < mid[i])
                j++;
            if (mc[i] < SAT_MIN_N)
                continue;
            int64_t c = (j < wn && wid[j] == mid[i] ? wc[j] : 0) - mc[i];
            if (c >= 1 && c < SAT_MIN_N)
                return small_complement(ctx, set & ~sub);
        }
        if (!sub)
            break;
    }
    return KAM_OK;
}

/* The responses answering a rating question of each driver (a driver may have two questions:
 * a person counts once), into dn (by index in out->d). */
static enum kam_err driver_responses(struct kam_ctx *ctx, int64_t survey_id,
                                     const struct sat_filter *f, struct sat_results *out,
                                     int64_t *dn)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT q.driver, COUNT(DISTINCT r.id)" RFROM
                 " JOIN survey_answers a ON a.response_id = r.id JOIN survey_questions q ON q.id = "
                 "a.question_id WHERE r.survey_id = ? AND q.kind = 'rating' AND q.driver IS NOT "
                 "NULL AND a.value IS NOT NULL");
    sqlb_i64(&b, survey_id);
    enum kam_err rc = filter_sql(ctx, f, scoped, &b);
    struct db_stmt *st;
    if (rc)
        return rc;
    sqlb_sql(&b, " GROUP BY q.driver");
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row)
        for (size_t i = 0; i < out->nd; i++)
            if (!strcmp(out->d[i].key, db_col_text(st, 0)))
                dn[i] = db_col_i64(st, 1);
    db_done(st);
    return rc;
}

static double mean_of(const struct sat_question *q)
{
    int64_t n = 0, sum = 0;
    for (int i = 0; i < q->nvalues && i < 21; i++) {
        n += q->counts[i];
        sum += (int64_t)(q->first + i) * q->counts[i];
    }
    return n ? (double)sum / (double)n : 0.0;
}

enum kam_err sat_results(struct kam_ctx *ctx, int64_t survey_id, const struct sat_filter *f,
                         struct sat_results *out)
{
    memset(out, 0, sizeof *out);
    enum kam_err rc = check_filter(ctx, f);
    if (rc || (rc = load_survey(ctx, survey_id, out)) ||
        (rc = load_drivers(ctx, &out->d, &out->nd)) ||
        (rc = count_responses(ctx, survey_id, f, &out->responses)))
        return rc;
    out->may_read = may_read_responses(ctx);
    if (!out->may_read && (rc = check_complement(ctx, survey_id, f, out->responses)))
        return rc;
    out->suppressed = sat_hidden(out->may_read, out->responses);
    int64_t *dn = arena_calloc(ctx->a, out->nd + 1, sizeof *dn);
    int64_t *dsum = arena_calloc(ctx->a, out->nd + 1, sizeof *dsum);
    struct db_stmt *st;
    if ((rc = counts_stmt(ctx, survey_id, f, &st)))
        return rc;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        struct sat_question *q = question_of(out, db_col_i64(st, 0));
        if (!q)
            continue;
        int64_t c = db_col_i64(st, 2);
        q->n += c;
        if (db_col_is_null(st, 1))
            continue; /* text answers: counted, never shown here */
        int64_t v = db_col_i64(st, 1);
        if (!strcmp(q->kind, "multi")) {
            for (int i = 0; i < q->nvalues && i < 20; i++)
                if (v & ((int64_t)1 << i))
                    q->counts[i] += c;
        } else if (v - q->first >= 0 && v - q->first < q->nvalues && v - q->first < 21) {
            q->counts[v - q->first] += c;
        }
        if (q->driver && !strcmp(q->kind, "rating"))
            for (size_t i = 0; i < out->nd; i++)
                if (!strcmp(out->d[i].key, q->driver)) {
                    dn[i] += c;
                    dsum[i] += v * c;
                }
    }
    db_done(st);
    int64_t *dresp = arena_calloc(ctx->a, out->nd + 1, sizeof *dresp);
    if (rc || (rc = driver_responses(ctx, survey_id, f, out, dresp)))
        return rc;
    for (size_t i = 0; i < out->nq; i++) {
        struct sat_question *q = &out->q[i];
        if (!strcmp(q->kind, "nps") || !strcmp(q->kind, "csat") || !strcmp(q->kind, "rating"))
            q->mean = mean_of(q);
        q->hidden = out->suppressed || sat_hidden(out->may_read, q->n);
        if (!out->has_nps && !strcmp(q->kind, "nps")) {
            out->has_nps = 1;
            sat_nps_of(q->counts, &out->nps);
        }
        if (!out->has_csat && !strcmp(q->kind, "csat")) {
            int64_t c[6] = {0};
            for (int v = 1; v <= 5; v++)
                c[v] = q->counts[v - 1];
            out->has_csat = 1;
            sat_csat_of(c, &out->csat);
        }
    }
    /* Keep only the drivers this survey asks about. */
    size_t k = 0;
    for (size_t i = 0; i < out->nd; i++) {
        int asked = 0;
        for (size_t j = 0; j < out->nq; j++)
            if (out->q[j].driver && !strcmp(out->q[j].driver, out->d[i].key))
                asked = 1;
        if (!asked)
            continue;
        struct sat_driver d = out->d[i];
        d.n = dn[i];
        d.mean = dn[i] ? (double)dsum[i] / (double)dn[i] : 0.0;
        d.hidden = out->suppressed || sat_hidden(out->may_read, dresp[i]);
        out->d[k++] = d;
    }
    out->nd = k;
    /* No answer: no figure (null), not an NPS of 0. */
    out->has_nps = out->has_nps && out->nps.n > 0;
    out->has_csat = out->has_csat && out->csat.n > 0;
    out->nps_hidden = out->suppressed || sat_hidden(out->may_read, out->nps.n);
    out->csat_hidden = out->suppressed || sat_hidden(out->may_read, out->csat.n);
    return KAM_OK;
}

/* ---- key-driver analysis ---- */

enum kam_err sat_drivers(struct kam_ctx *ctx, int64_t survey_id, const struct sat_filter *f,
                         int boot, uint64_t seed, struct sat_kda *out)
{
    memset(out, 0, sizeof *out);
    out->survey_id = survey_id;
    if (boot < 0 || boot > KDA_MAX_BOOT)
        return kam_fail(ctx->err, KAM_EINVAL, "boot", "boot must be 0..%d", KDA_MAX_BOOT);
    struct sat_results r;
    memset(&r, 0, sizeof r);
    enum kam_err rc = check_filter(ctx, f);
    if (rc || (rc = load_survey(ctx, survey_id, &r)) || (rc = load_drivers(ctx, &r.d, &r.nd)))
        return rc;
    out->may_read = may_read_responses(ctx);
    int64_t nresp = 0;
    if ((rc = count_responses(ctx, survey_id, f, &nresp)) ||
        (!out->may_read && (rc = check_complement(ctx, survey_id, f, nresp))))
        return rc;
    const struct sat_question *overall = NULL;
    for (size_t i = 0; i < r.nq; i++)
        if (r.q[i].overall)
            overall = &r.q[i];
    if (!overall) {
        out->why = "no_overall";
        return KAM_OK;
    }
    out->overall_question_id = overall->id;
    out->overall_kind = overall->kind;
    /* One column per driver: its first rating question. */
    out->d = arena_calloc(ctx->a, KDA_MAX_K, sizeof *out->d);
    for (size_t i = 0; i < r.nq && out->nd < KDA_MAX_K; i++) {
        const struct sat_question *q = &r.q[i];
        if (strcmp(q->kind, "rating") || !q->driver)
            continue;
        int dup = 0;
        for (size_t j = 0; j < out->nd; j++)
            if (!strcmp(out->d[j].key, q->driver))
                dup = 1;
        if (dup)
            continue;
        struct sat_kda_driver *d = &out->d[out->nd++];
        d->key = q->driver;
        d->question_id = q->id;
        d->labels[0] = d->labels[1] = d->labels[2] = q->driver;
        for (size_t j = 0; j < r.nd; j++)
            if (!strcmp(r.d[j].key, q->driver))
                memcpy(d->labels, r.d[j].labels, sizeof d->labels);
    }
    if (!out->nd) {
        out->why = "no_ratings";
        return KAM_OK;
    }
    int k = (int)out->nd;
    /* The responses' rows, one per response with any answer. */
    struct db_stmt *st;
    if ((rc = answers_stmt(ctx, survey_id, f, &st)))
        return rc;
    size_t cap = 64, n = 0;
    double *y = arena_alloc(ctx->a, cap * sizeof *y);
    double *x = arena_alloc(ctx->a, cap * (size_t)k * sizeof *x);
    int64_t last = -1;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t rid = db_col_i64(st, 0), qid = db_col_i64(st, 1);
        if (rid != last) {
            if (n == KDA_MAX_N) {
                db_done(st);
                return kam_fail(ctx->err, KAM_ETOOBIG, "responses",
                                "too many responses to analyse (at most %d)", KDA_MAX_N);
            }
            if (n == cap) {
                double *y2 = arena_alloc(ctx->a, cap * 2 * sizeof *y2);
                double *x2 = arena_alloc(ctx->a, cap * 2 * (size_t)k * sizeof *x2);
                memcpy(y2, y, cap * sizeof *y2);
                memcpy(x2, x, cap * (size_t)k * sizeof *x2);
                y = y2;
                x = x2;
                cap *= 2;
            }
            y[n] = NAN;
            for (int j = 0; j < k; j++)
                x[n * (size_t)k + (size_t)j] = NAN;
            n++;
            last = rid;
        }
        if (db_col_is_null(st, 2))
            continue;
        double v = (double)db_col_i64(st, 2);
        if (qid == overall->id)
            y[n - 1] = v;
        for (int j = 0; j < k; j++)
            if (out->d[j].question_id == qid)
                x[(n - 1) * (size_t)k + (size_t)j] = v;
    }
    db_done(st);
    if (rc)
        return rc;
    /* The bootstrap's work is boot x n: capped (SAT_MAX_BOOT_WORK); r.boot says the resamples
     * used. */
    if (n && (int64_t)boot * (int64_t)n > SAT_MAX_BOOT_WORK)
        boot = (int)(SAT_MAX_BOOT_WORK / (int64_t)n);
    struct kda_opts opt = {boot, seed, KDA_DEFAULT_LEVEL};
    struct kam_error ke = {0};
    rc = kda_run(y, x, (int)n, k, &opt, ctx->a, &out->r, &ke);
    if (rc == KAM_EINVAL &&
        (!strcmp(ke.key, "kda.too_few_responses") || !strcmp(ke.key, "kda.constant_rating") ||
         !strcmp(ke.key, "kda.constant_overall"))) {
        out->why = arena_strdup(ctx->a, ke.key + 4);
        if (!strcmp(ke.key, "kda.constant_rating") && out->r.bad_column >= 0 &&
            out->r.bad_column < k)
            out->why_driver = out->d[out->r.bad_column].key;
        out->r.n_total = (int)n;
        return KAM_OK;
    }
    if (rc) {
        /* Anything else (out of memory in the analysis) is the server's failure. */
        return kam_fail(ctx->err, rc == KAM_ETOOBIG ? KAM_ETOOBIG : KAM_EINTERNAL,
                        ke.field[0] ? ke.field : "responses", "%s",
                        ke.msg[0] ? ke.msg : "key-driver analysis failed");
    }
    if (sat_hidden(out->may_read, out->r.n_used)) {
        out->suppressed = 1;
        out->why = "suppressed";
        return KAM_OK;
    }
    for (int j = 0; j < k; j++)
        out->d[j].a = out->r.attr[j];
    out->ok = 1;
    return KAM_OK;
}

/* ---- trends ---- */

/* s, copied once into the arena (m remembers the copies). */
static const char *intern(struct kam_ctx *ctx, struct strmap *m, const char *s)
{
    size_t len = strlen(s);
    const char *v = strmap_get(m, s, len);
    if (!v) {
        char *c = arena_strdup(ctx->a, s);
        strmap_put(m, s, len, c);
        v = c;
    }
    return v;
}

struct trow {
    const char *group, *name, *period;
    int64_t rid;
    int kind; /* 0 nps, 1 csat, 2 rating */
    int driver;
    int value;
};

static int trow_cmp(const void *a, const void *b)
{
    const struct trow *x = a, *y = b;
    int c = strcmp(x->group, y->group);
    if (!c)
        c = strcmp(x->period, y->period);
    if (!c)
        c = (x->rid > y->rid) - (x->rid < y->rid);
    return c;
}

/* Secondary suppression (a grouped trend, a reader who may not read responses): within one
 * period, the cells whose figure is hidden must add up to none or at least SAT_MIN_N responses,
 * else the period's figure over all groups less the shown cells would give them away; the
 * smallest shown cells are hidden too until they do. which: 0 the cell, 1 its NPS, 2 its CSAT.
 * Periods are interned: one pointer per period. */
static int64_t fig_n(const struct sat_point *p, int which)
{
    return which == 0 ? p->responses : which == 1 ? p->nps_responses : p->csat_responses;
}

static int fig_shown(const struct sat_point *p, int which)
{
    return which == 0 ? !p->hidden : which == 1 ? p->has_nps : p->has_csat;
}

static void fig_hide(struct sat_point *p, int which)
{
    if (which == 0) {
        p->hidden = 1;
        p->has_nps = p->has_csat = 0;
        for (size_t i = 0; i < p->nd; i++)
            p->d[i].hidden = 1; /* dropped at the end (drop_hidden_drivers) */
    } else if (which == 1) {
        p->has_nps = 0;
    } else {
        p->has_csat = 0;
    }
}

static void suppress_period(struct sat_trend *t, const char *period, int which)
{
    for (;;) {
        int64_t hidden = 0;
        struct sat_point *smallest = NULL;
        for (size_t i = 0; i < t->n; i++) {
            struct sat_point *p = &t->p[i];
            if (p->period != period || !fig_n(p, which))
                continue;
            if (!fig_shown(p, which))
                hidden += fig_n(p, which);
            else if (!smallest || fig_n(p, which) < fig_n(smallest, which))
                smallest = p;
        }
        if (!hidden || hidden >= SAT_MIN_N || !smallest)
            return;
        fig_hide(smallest, which);
    }
}

/* The same secondary suppression for each driver's mean (by its distinct responses): a
 * grouped trend's hidden means of a driver in one period, hidden cells included, must add up to
 * none or at least SAT_MIN_N responses, else the period's mean over all groups less the shown
 * ones would give them away (the driver keys are load_drivers' pointers). */
static void suppress_period_drivers(struct sat_trend *t, const char *period, const char *key)
{
    for (;;) {
        int64_t hidden = 0;
        struct sat_driver_mean *smallest = NULL;
        for (size_t i = 0; i < t->n; i++) {
            struct sat_point *p = &t->p[i];
            if (p->period != period)
                continue;
            for (size_t j = 0; j < p->nd; j++) {
                struct sat_driver_mean *m = &p->d[j];
                if (m->key != key)
                    continue;
                if (m->hidden)
                    hidden += m->responses;
                else if (!smallest || m->responses < smallest->responses)
                    smallest = m;
            }
        }
        if (!hidden || hidden >= SAT_MIN_N || !smallest)
            return;
        smallest->hidden = 1;
    }
}

/* Drops the hidden driver means from every point (sat_trend's answer lists the shown ones). */
static void drop_hidden_drivers(struct sat_trend *t)
{
    for (size_t i = 0; i < t->n; i++) {
        struct sat_point *p = &t->p[i];
        size_t k = 0;
        for (size_t j = 0; j < p->nd; j++)
            if (!p->d[j].hidden)
                p->d[k++] = p->d[j];
        p->nd = k;
    }
}

/* 1 when the period of point i appeared before it. */
static int period_seen(const struct sat_trend *t, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (t->p[j].period == t->p[i].period)
            return 1;
    return 0;
}

/* The figures of a trend's period, each counted in distinct responses: 0 any score, 1 NPS, 2 CSAT,
 * 3 + d driver d's raters (d: index in the driver list dl). A period's counts: nfig(nd) values. */
#define FIG_DRIVER 3
static size_t nfig(size_t nd)
{
    return FIG_DRIVER + nd;
}

/* Per period of t (on the first point of the period, cnt[i * nfig + fig]) the responses of each
 * figure over the scoped responses matching f. */
static enum kam_err period_counts(struct kam_ctx *ctx, const struct sat_filter *f,
                                  const char *period, const struct sat_trend *t,
                                  const struct sat_driver *dl, size_t nd, int64_t *cnt)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT DISTINCT r.id, r.submitted_at, q.kind, q.driver" RFROM
                 " JOIN survey_answers a ON a.response_id = r.id JOIN survey_questions q ON q.id = "
                 "a.question_id WHERE q.kind IN ('nps', 'csat', 'rating') AND a.value IS NOT NULL");
    enum kam_err rc = filter_sql(ctx, f, scoped, &b);
    if (rc)
        return rc;
    sqlb_sql(&b, " ORDER BY r.id");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    size_t nf = nfig(nd);
    int64_t *last = arena_calloc(ctx->a, nf, sizeof *last); /* the last response per figure */
    for (size_t k = 0; k < nf; k++)
        last[k] = -1;
    int row = 0;
    char pk[16];
    memset(cnt, 0, t->n * nf * sizeof *cnt);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t rid = db_col_i64(st, 0);
        sat_period_key(db_col_i64(st, 1), period, pk, sizeof pk);
        size_t i;
        for (i = 0; i < t->n && strcmp(t->p[i].period, pk); i++)
            ;
        if (i == t->n) /* a period the trend does not show */
            continue;
        const char *kind = db_col_text(st, 2);
        size_t fig = !strcmp(kind, "nps") ? 1 : !strcmp(kind, "csat") ? 2 : 0;
        if (!fig && !db_col_is_null(st, 3)) {
            const char *dk = db_col_text(st, 3);
            for (size_t d = 0; d < nd; d++)
                if (!strcmp(dl[d].key, dk))
                    fig = FIG_DRIVER + d;
        }
        if (last[0] != rid)
            cnt[i * nf]++;
        last[0] = rid;
        if (fig && last[fig] != rid)
            cnt[i * nf + fig]++;
        if (fig)
            last[fig] = rid;
    }
    db_done(st);
    return rc;
}

/* Hides figure fig of every point of period (fig_hide; a driver: its mean). */
static void hide_figure(struct sat_trend *t, const char *period, size_t fig,
                        const struct sat_driver *dl)
{
    for (size_t k = 0; k < t->n; k++) {
        struct sat_point *p = &t->p[k];
        if (p->period != period)
            continue;
        if (fig < FIG_DRIVER) {
            fig_hide(p, (int)fig);
            continue;
        }
        for (size_t j = 0; j < p->nd; j++)
            if (p->d[j].key == dl[fig - FIG_DRIVER].key)
                p->d[j].hidden = 1;
    }
}

/* The filter complement of a trend (a reader who may not read responses), figure by figure: in
 * every period, a looser filter (f less any of its filters) must add none or at least SAT_MIN_N
 * responses with any score, none or at least SAT_MIN_N answering an nps question, the same for
 * csat, and for each driver none or at least SAT_MIN_N raters; else KAM_EINVAL naming the filter,
 * or (f->soft) that figure of the period's cells is hidden (any score: the whole cells). A figure
 * the filter itself does not show (no answers) is not compared. Before drop_hidden_drivers (the
 * driver means hidden so far still count in the period's raters). */
static enum kam_err trend_complement(struct kam_ctx *ctx, const struct sat_filter *f,
                                     const char *period, struct sat_trend *t,
                                     const struct sat_driver *dl, size_t nd)
{
    unsigned set = filter_bits(f);
    if (!set || !t->n)
        return KAM_OK;
    size_t nf = nfig(nd);
    int64_t *mine = arena_calloc(ctx->a, t->n * nf, sizeof *mine);
    int64_t *wide = arena_calloc(ctx->a, t->n * nf, sizeof *wide);
    for (size_t i = 0; i < t->n; i++) {
        size_t j;
        for (j = 0; j < i && t->p[j].period != t->p[i].period; j++)
            ;
        const struct sat_point *p = &t->p[i];
        int64_t *m = &mine[j * nf]; /* on the first point of the period */
        m[0] += p->responses;
        m[1] += p->nps_responses;
        m[2] += p->csat_responses;
        for (size_t k = 0; k < p->nd; k++)
            for (size_t d = 0; d < nd; d++)
                if (p->d[k].key == dl[d].key)
                    m[FIG_DRIVER + d] += p->d[k].responses;
    }
    for (unsigned sub = (set - 1) & set;; sub = (sub - 1) & set) {
        struct sat_filter g = filter_masked(f, sub);
        enum kam_err rc = period_counts(ctx, &g, period, t, dl, nd, wide);
        if (rc)
            return rc;
        for (size_t i = 0; i < t->n; i++)
            for (size_t fig = 0; fig < nf; fig++) {
                int64_t mn = mine[i * nf + fig], c = wide[i * nf + fig] - mn;
                if (!mn || c < 1 || c >= SAT_MIN_N)
                    continue;
                if (!f->soft)
                    return small_complement(ctx, set & ~sub);
                hide_figure(t, t->p[i].period, fig, dl);
            }
        if (!sub)
            break;
    }
    return KAM_OK;
}

/* The key of the quarter or year (period) containing the month or quarter key fine. */
static void coarse_key(const char *fine, const char *period, char *out, size_t n)
{
    int y = atoi(fine);
    if (!strcmp(period, "year"))
        snprintf(out, n, "%04d", y);
    else
        snprintf(out, n, "%04d-Q%d", y, (atoi(fine + 5) - 1) / 3 + 1);
}

/* Nested periods (a reader who may not read responses, a quarter or year trend): a quarter's
 * figure less the shown figures of its months (the same group, filters and reader) is the part
 * hidden in the months; when that part is 1 to SAT_MIN_N - 1 raters, the quarter's figure is
 * hidden too (a year: against its quarters and against its months). Figures: NPS, CSAT, each
 * driver's mean (every scored response answers one of them). Before drop_hidden_drivers. */
static enum kam_err nest_suppress(struct kam_ctx *ctx, const char *group, const char *period,
                                  const struct sat_filter *f, struct sat_trend *t,
                                  const struct sat_driver *dl, size_t nd)
{
    static const char *const finer[] = {"month", "quarter"};
    int nfiner = !strcmp(period, "year") ? 2 : 1;
    size_t nf = nfig(nd);
    struct strmap m;
    strmap_init(&m);
    for (size_t i = 0; i < t->n; i++) {
        const char *k = arena_printf(ctx->a, "%s\x1f%s", t->p[i].group, t->p[i].period);
        strmap_put(&m, k, strlen(k), &t->p[i]);
    }
    int64_t *shown = arena_calloc(ctx->a, t->n * nf, sizeof *shown);
    enum kam_err rc = KAM_OK;
    for (int fi = 0; fi < nfiner && !rc; fi++) {
        struct sat_filter g = *f;
        g.soft = 1; /* a finer period too small to difference is hidden there: its part counts */
        struct sat_trend ft;
        if ((rc = sat_trend(ctx, group, finer[fi], &g, &ft)))
            break;
        memset(shown, 0, t->n * nf * sizeof *shown);
        char ck[32];
        for (size_t i = 0; i < ft.n; i++) {
            const struct sat_point *q = &ft.p[i];
            coarse_key(q->period, period, ck, sizeof ck);
            const char *k = arena_printf(ctx->a, "%s\x1f%s", q->group, ck);
            struct sat_point *p = strmap_get(&m, k, strlen(k));
            if (!p)
                continue;
            int64_t *sh = &shown[(size_t)(p - t->p) * nf];
            sh[1] += q->has_nps ? q->nps_responses : 0;
            sh[2] += q->has_csat ? q->csat_responses : 0;
            for (size_t j = 0; j < q->nd; j++) /* the shown means (sat_trend dropped the rest) */
                for (size_t d = 0; d < nd; d++)
                    if (!strcmp(q->d[j].key, dl[d].key))
                        sh[FIG_DRIVER + d] += q->d[j].responses;
        }
        for (size_t i = 0; i < t->n; i++) {
            struct sat_point *p = &t->p[i];
            const int64_t *sh = &shown[i * nf];
            int64_t part = p->nps_responses - sh[1];
            if (p->has_nps && part >= 1 && part < SAT_MIN_N)
                p->has_nps = 0;
            part = p->csat_responses - sh[2];
            if (p->has_csat && part >= 1 && part < SAT_MIN_N)
                p->has_csat = 0;
            for (size_t j = 0; j < p->nd; j++)
                for (size_t d = 0; d < nd; d++)
                    if (p->d[j].key == dl[d].key && !p->d[j].hidden) {
                        part = p->d[j].responses - sh[FIG_DRIVER + d];
                        p->d[j].hidden = part >= 1 && part < SAT_MIN_N;
                    }
        }
    }
    strmap_release(&m);
    return rc;
}

enum kam_err sat_trend(struct kam_ctx *ctx, const char *group, const char *period,
                       const struct sat_filter *f, struct sat_trend *out)
{
    memset(out, 0, sizeof *out);
    if (!group)
        group = "all";
    if (!period)
        period = "month";
    enum kam_err rc;
    if ((rc = check_enum(ctx, "group", group, groups)) ||
        (rc = check_enum(ctx, "period", period, periods)) || (rc = check_filter(ctx, f)))
        return rc;
    out->may_read = may_read_responses(ctx);
    struct sat_driver *dl;
    size_t nd;
    if ((rc = load_drivers(ctx, &dl, &nd)))
        return rc;
    const char *gcols = !strcmp(group, "account")  ? "accounts.id, NULL, accounts.name"
                        : !strcmp(group, "tier")   ? "NULL, accounts.tier, accounts.tier"
                        : !strcmp(group, "region") ? "NULL, accounts.region, accounts.region"
                        : !strcmp(group, "owner")  ? "accounts.owner_id, NULL, ou.name"
                        : !strcmp(group, "team")   ? "ou.team_id, NULL, teams.name"
                                                   : "NULL, 'all', 'all'";
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT r.id, r.submitted_at, ");
    sqlb_sql(&b, gcols);
    sqlb_sql(&b, ", q.kind, q.driver, a.value" RFROM
                 " JOIN survey_answers a ON a.response_id = r.id JOIN survey_questions q ON q.id = "
                 "a.question_id LEFT JOIN users ou ON ou.id = accounts.owner_id LEFT JOIN teams "
                 "ON teams.id = ou.team_id WHERE q.kind IN ('nps', 'csat', 'rating') AND a.value "
                 "IS NOT NULL");
    if ((rc = filter_sql(ctx, f, scoped, &b)))
        return rc;
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    size_t cap = 256, n = 0;
    struct trow *rows = arena_alloc(ctx->a, cap * sizeof *rows);
    int row = 0;
    char pk[16], gk[24];
    /* Group keys, names and periods repeat across rows: one arena copy of each. */
    struct strmap names;
    strmap_init(&names);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (n == SAT_MAX_ANSWERS) {
            rc = kam_fail(ctx->err, KAM_ETOOBIG, "from",
                          "more than %d answers to add up: narrow the dates (from, to)",
                          SAT_MAX_ANSWERS);
            break;
        }
        if (n == cap) {
            struct trow *g = arena_alloc(ctx->a, cap * 2 * sizeof *g);
            memcpy(g, rows, cap * sizeof *g);
            rows = g;
            cap *= 2;
        }
        struct trow *t = &rows[n];
        t->rid = db_col_i64(st, 0);
        sat_period_key(db_col_i64(st, 1), period, pk, sizeof pk);
        t->period = intern(ctx, &names, pk);
        if (!db_col_is_null(st, 2)) {
            snprintf(gk, sizeof gk, "%lld", (long long)db_col_i64(st, 2));
            t->group = intern(ctx, &names, gk);
        } else {
            t->group = db_col_is_null(st, 3) ? "" : intern(ctx, &names, db_col_text(st, 3));
        }
        t->name = db_col_is_null(st, 4) ? "" : intern(ctx, &names, db_col_text(st, 4));
        const char *kind = db_col_text(st, 5);
        t->kind = !strcmp(kind, "nps") ? 0 : !strcmp(kind, "csat") ? 1 : 2;
        t->driver = -1;
        if (t->kind == 2 && !db_col_is_null(st, 6)) {
            const char *dk = db_col_text(st, 6);
            for (size_t i = 0; i < nd; i++)
                if (!strcmp(dl[i].key, dk))
                    t->driver = (int)i;
        }
        t->value = (int)db_col_i64(st, 7);
        n++;
    }
    strmap_release(&names);
    db_done(st);
    if (rc)
        return rc;
    if (n)
        qsort(rows, n, sizeof *rows, trow_cmp);
    size_t pcap = 16;
    out->p = arena_calloc(ctx->a, pcap, sizeof *out->p);
    int64_t *dn = arena_calloc(ctx->a, nd + 1, sizeof *dn);
    int64_t *ds = arena_calloc(ctx->a, nd + 1, sizeof *ds);
    int64_t *dr = arena_calloc(ctx->a, nd + 1, sizeof *dr);       /* distinct responses */
    int64_t *dlast = arena_calloc(ctx->a, nd + 1, sizeof *dlast); /* their last response */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        int64_t nps[11] = {0}, csat[6] = {0}, responses = 0, last = -1;
        int64_t nps_resp = 0, csat_resp = 0, nps_last = -1, csat_last = -1;
        memset(dn, 0, (nd + 1) * sizeof *dn);
        memset(ds, 0, (nd + 1) * sizeof *ds);
        memset(dr, 0, (nd + 1) * sizeof *dr);
        for (size_t d = 0; d <= nd; d++)
            dlast[d] = -1;
        /* rows of one cell come by response: a response counts once per figure */
        for (; j < n && !strcmp(rows[j].group, rows[i].group) && rows[j].period == rows[i].period;
             j++) {
            const struct trow *t = &rows[j];
            if (t->rid != last) {
                responses++;
                last = t->rid;
            }
            if (t->kind == 0 && t->value >= 0 && t->value <= 10) {
                nps[t->value]++;
                nps_resp += t->rid != nps_last;
                nps_last = t->rid;
            } else if (t->kind == 1 && t->value >= 1 && t->value <= 5) {
                csat[t->value]++;
                csat_resp += t->rid != csat_last;
                csat_last = t->rid;
            } else if (t->kind == 2 && t->driver >= 0) {
                dn[t->driver]++;
                ds[t->driver] += t->value;
                dr[t->driver] += t->rid != dlast[t->driver];
                dlast[t->driver] = t->rid;
            }
        }
        if (out->n == SAT_MAX_GROUPS)
            return kam_fail(ctx->err, KAM_ETOOBIG, "group",
                            "more than %d groups and periods: narrow the dates or the group",
                            SAT_MAX_GROUPS);
        if (out->n == pcap) {
            struct sat_point *g = arena_calloc(ctx->a, pcap * 2, sizeof *g);
            memcpy(g, out->p, pcap * sizeof *g);
            out->p = g;
            pcap *= 2;
        }
        struct sat_point *p = &out->p[out->n++];
        p->group = rows[i].group;
        p->name = rows[i].name;
        p->period = rows[i].period;
        p->responses = responses;
        p->nps_responses = nps_resp;
        p->csat_responses = csat_resp;
        p->hidden = sat_hidden(out->may_read, responses);
        sat_nps_of(nps, &p->nps);
        sat_csat_of(csat, &p->csat);
        /* each figure on its own: shown from SAT_MIN_N responses answering it */
        p->has_nps = nps_resp > 0 && !p->hidden && !sat_hidden(out->may_read, nps_resp);
        p->has_csat = csat_resp > 0 && !p->hidden && !sat_hidden(out->may_read, csat_resp);
        p->d = arena_calloc(ctx->a, nd + 1, sizeof *p->d);
        /* every driver with answers, the hidden ones marked (the secondary suppression below
         * counts them), dropped before returning */
        for (size_t d = 0; d < nd; d++)
            if (dn[d]) {
                p->d[p->nd].key = dl[d].key;
                p->d[p->nd].n = dn[d];
                p->d[p->nd].mean = (double)ds[d] / (double)dn[d];
                p->d[p->nd].responses = dr[d];
                p->d[p->nd].hidden = p->hidden || sat_hidden(out->may_read, dr[d]);
                p->nd++;
            }
        i = j;
    }
    if (out->may_read) {
        drop_hidden_drivers(out);
        return KAM_OK;
    }
    if (strcmp(group, "all"))
        for (size_t i = 0; i < out->n; i++)
            if (i == 0 || !period_seen(out, i)) {
                for (int which = 0; which < 3; which++)
                    suppress_period(out, out->p[i].period, which);
                for (size_t d = 0; d < nd; d++)
                    suppress_period_drivers(out, out->p[i].period, dl[d].key);
            }
    rc = trend_complement(ctx, f, period, out, dl, nd);
    if (!rc && strcmp(period, "month"))
        rc = nest_suppress(ctx, group, period, f, out, dl, nd);
    drop_hidden_drivers(out);
    return rc;
}

/* ---- loyalty ---- */

static int month_index(int yyyymm)
{
    return (yyyymm / 100) * 12 + (yyyymm % 100) - 1;
}

enum kam_err sat_loyalty(struct kam_ctx *ctx, int64_t account_id, struct sat_loyalty *out)
{
    memset(out, 0, sizeof *out);
    char pk[16];
    sat_period_key(ctx->now, "month", pk, sizeof pk);
    /* a month counts as ordered when its net amount is > 0 (a month of only returns or credit
     * notes is not an order); the last complete month: the current one is still running */
    int cur = atoi(pk) * 12 + atoi(pk + 5) - 1 - 1, lo = cur - 23;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT month, amount FROM sales_monthly_account WHERE "
                                 "account_id = ? AND month >= ? AND month <= ? AND amount > 0 "
                                 "ORDER BY month",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_i64(st, 2, (int64_t)(lo / 12) * 100 + lo % 12 + 1);
    db_bind_i64(st, 3, (int64_t)(cur / 12) * 100 + cur % 12 + 1);
    int row = 0, first = -1, last12 = 0, prev12 = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int mi = month_index((int)db_col_i64(st, 0));
        int64_t amount = db_col_i64(st, 1);
        if (mi < lo || mi > cur)
            continue;
        out->months_ordered++;
        if (first < 0)
            first = mi;
        else
            out->months_with_repeat++;
        if (mi > cur - 12) {
            last12 = 1;
            out->amount_12m += amount;
        } else {
            prev12 = 1;
            out->amount_prev_12m += amount;
        }
    }
    db_done(st);
    if (rc)
        return rc;
    if (first >= 0 && cur > first) {
        out->months_after_first = cur - first;
        out->has_repeat = 1;
        out->repeat_rate =
            100.0 * (double)out->months_with_repeat / (double)out->months_after_first;
    }
    if (prev12) {
        out->has_retained = 1;
        out->retained = last12;
    }
    return KAM_OK;
}

enum kam_err sat_account_recent(struct kam_ctx *ctx, int64_t account_id, int *has_nps,
                                struct sat_nps *nps, int *has_csat, struct sat_csat *csat)
{
    *has_nps = *has_csat = 0;
    memset(nps, 0, sizeof *nps);
    memset(csat, 0, sizeof *csat);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT q.kind, a.value, COUNT(*) FROM survey_responses r JOIN survey_answers a ON "
        "a.response_id = r.id JOIN survey_questions q ON q.id = a.question_id WHERE r.account_id "
        "= ? AND r.submitted_at >= ? AND q.kind IN ('nps', 'csat') AND a.value IS NOT NULL GROUP "
        "BY q.kind, a.value",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_i64(st, 2, ctx->now - 365 * 86400);
    int64_t n[11] = {0}, c[6] = {0};
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int v = (int)db_col_i64(st, 1);
        if (!strcmp(db_col_text(st, 0), "nps") && v >= 0 && v <= 10)
            n[v] += db_col_i64(st, 2);
        else if (v >= 1 && v <= 5)
            c[v] += db_col_i64(st, 2);
    }
    db_done(st);
    if (rc)
        return rc;
    sat_nps_of(n, nps);
    sat_csat_of(c, csat);
    /* Each figure is shown from SAT_MIN_N distinct responses answering it (a reader who may not
     * read responses); a survey may ask two nps questions of one person. */
    if ((rc = db_prepare(ctx->db,
                         "SELECT q.kind, COUNT(DISTINCT r.id) FROM survey_responses r JOIN "
                         "survey_answers a ON a.response_id = r.id JOIN survey_questions q ON q.id "
                         "= a.question_id WHERE r.account_id = ? AND r.submitted_at >= ? AND "
                         "q.kind IN ('nps', 'csat') AND a.value IS NOT NULL GROUP BY q.kind",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_i64(st, 2, ctx->now - 365 * 86400);
    int may_read = may_read_responses(ctx);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t people = db_col_i64(st, 1);
        int shown = people > 0 && !sat_hidden(may_read, people);
        if (!strcmp(db_col_text(st, 0), "nps"))
            *has_nps = shown && nps->n > 0;
        else
            *has_csat = shown && csat->n > 0;
    }
    db_done(st);
    return rc;
}
