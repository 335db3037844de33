/* survey_answer.c -- survey answers: the public answer page (token, throttle, one response per
 * link), answers entered by staff, reading and erasing responses. */
#include "survey_answer.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/auth.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/tone.h"
#include "svc/needs/follow_up.h"
#include "svc/needs/survey.h"

const char *const sa_kind_names[] = {"nps", "csat", "rating", "single", "multi", "text", NULL};
const char *const sa_lang_tags[] = {"zh-CN", "zh-TW", "en", NULL};

int sa_lang_index(const char *tag)
{
    for (int i = 0; tag && i < SA_LANGS; i++)
        if (!strcmp(tag, sa_lang_tags[i]))
            return i;
    return -1;
}

const char *sa_text_in(const char *const texts[SA_LANGS], int lang)
{
    static const int order[SA_LANGS][SA_LANGS] = {{0, 1, 2}, {1, 0, 2}, {2, 0, 1}};
    if (lang < 0 || lang >= SA_LANGS)
        lang = 0;
    for (int i = 0; i < SA_LANGS; i++) {
        const char *t = texts[order[lang][i]];
        if (t && *t)
            return t;
    }
    return "";
}

void sa_token_hash(const char *token, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, 65, h, sizeof h);
}

static enum sa_kind kind_of(const char *s)
{
    for (int i = 0; i < SA_KIND_COUNT; i++)
        if (!strcmp(s, sa_kind_names[i]))
            return (enum sa_kind)i;
    return SA_TEXT;
}

/* ---- checking answers (pure) ---- */

static const struct sa_question *question_of(const struct sa_survey *s, int64_t id, int *idx)
{
    for (int i = 0; i < s->nquestions; i++)
        if (s->questions[i].id == id) {
            *idx = i;
            return &s->questions[i];
        }
    return NULL;
}

static int option_index(const struct sa_question *q, int64_t pos)
{
    for (int i = 0; i < q->noptions; i++)
        if (q->option_pos[i] == pos)
            return i;
    return -1;
}

static const char *afield(struct kam_ctx *ctx, size_t i, const char *f)
{
    return arena_printf(ctx->a, "answers[%zu].%s", i, f);
}

static enum kam_err bad(struct kam_ctx *ctx, const char *field, const char *key, const char *msg)
{
    return kam_fail_key(ctx->err, KAM_EINVAL, field, key, NULL, "%s: %s", field, msg);
}

static enum kam_err check_one(struct kam_ctx *ctx, const struct sa_question *q,
                              const struct sa_answer_in *a, size_t i, struct sa_answer *o,
                              int *skip)
{
    unsigned has = a->has & (SA_HAS_VALUE | SA_HAS_VALUES | SA_HAS_TEXT);
    const char *want = q->kind == SA_MULTI ? "values" : q->kind == SA_TEXT ? "text" : "value";
    unsigned want_bit = q->kind == SA_MULTI  ? SA_HAS_VALUES
                        : q->kind == SA_TEXT ? SA_HAS_TEXT
                                             : SA_HAS_VALUE;
    *skip = 0;
    if (has != want_bit) {
        unsigned extra = has & ~want_bit; /* name what should not be there, else what is missing */
        const char *f = !extra                  ? want
                        : extra & SA_HAS_VALUE  ? "value"
                        : extra & SA_HAS_VALUES ? "values"
                                                : "text";
        return kam_fail_key(ctx->err, KAM_EINVAL, afield(ctx, i, f), "survey.answer_shape",
                            (struct kam_param[]){{"want", want}, {0}},
                            "a %s question is answered with %s (only)", sa_kind_names[q->kind],
                            want);
    }
    o->question_id = q->id;
    o->kind = q->kind;
    o->position = (int)q->position;
    o->text = NULL;
    switch (q->kind) {
    case SA_NPS:
    case SA_CSAT:
    case SA_RATING: {
        int64_t lo = q->kind == SA_NPS ? 0 : 1, hi = q->kind == SA_NPS ? 10 : 5;
        if (a->value < lo || a->value > hi) {
            const char *f = afield(ctx, i, "value");
            return kam_fail_key(
                ctx->err, KAM_EINVAL, f, "out_of_range",
                (struct kam_param[]){
                    {"field", f}, {"min", lo ? "1" : "0"}, {"max", hi == 10 ? "10" : "5"}, {0}},
                "%s must be between %lld and %lld", f, (long long)lo, (long long)hi);
        }
        o->value = a->value;
        return KAM_OK;
    }
    case SA_SINGLE:
        if (option_index(q, a->value) < 0)
            return bad(ctx, afield(ctx, i, "value"), "survey.answer_no_option", "no such option");
        o->value = a->value;
        return KAM_OK;
    case SA_MULTI: {
        if (a->values_over || a->nvalues == 0)
            return bad(ctx, afield(ctx, i, "values"), "survey.answer_no_option",
                       a->nvalues == 0 ? "choose at least one option" : "too many options");
        int64_t mask = 0;
        for (int k = 0; k < a->nvalues; k++) {
            int64_t p = a->values[k];
            if (option_index(q, p) < 0 || p < 0 || p >= SA_OPTIONS_MAX)
                return bad(ctx, afield(ctx, i, "values"), "survey.answer_no_option",
                           "no such option");
            if (mask & ((int64_t)1 << p))
                return bad(ctx, afield(ctx, i, "values"), "survey.answer_duplicate",
                           "an option is named twice");
            mask |= (int64_t)1 << p;
        }
        o->value = mask;
        return KAM_OK;
    }
    case SA_TEXT:
    case SA_KIND_COUNT:
        break;
    }
    enum kam_err rc =
        check_text(ctx, afield(ctx, i, "text"), a->text, 0, SA_TEXT_MAX, CHECK_MULTILINE);
    if (rc)
        return rc;
    if (utf8_blank(a->text)) {
        *skip = 1;
        return KAM_OK;
    }
    o->text = a->text;
    o->value = 0;
    return KAM_OK;
}

enum kam_err sa_check(struct kam_ctx *ctx, const struct sa_survey *s, const struct sa_answer_in *in,
                      size_t n, struct sa_answer *out, size_t *nout)
{
    *nout = 0;
    if (n > (size_t)s->nquestions)
        return kam_fail_key(ctx->err, KAM_EINVAL, "answers", "survey.answer_too_many", NULL,
                            "answers: more answers than the survey has questions");
    unsigned char seen[SA_QUESTIONS_MAX] = {0};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct sa_answer_in *a = &in[i];
        if (!(a->has & SA_HAS_QUESTION))
            return kam_fail_key(ctx->err, KAM_EINVAL, afield(ctx, i, "question_id"), "required",
                                (struct kam_param[]){{"field", "question_id"}, {0}},
                                "answers[%zu].question_id is required", i);
        int qi = 0;
        const struct sa_question *q = question_of(s, a->question_id, &qi);
        if (!q || qi >= SA_QUESTIONS_MAX)
            return bad(ctx, afield(ctx, i, "question_id"), "survey.answer_no_question",
                       "not a question of this survey");
        if (seen[qi])
            return bad(ctx, afield(ctx, i, "question_id"), "survey.answer_duplicate",
                       "the question is answered twice");
        seen[qi] = 1;
        int skip = 0;
        enum kam_err rc = check_one(ctx, q, a, i, &out[k], &skip);
        if (rc)
            return rc;
        if (skip)
            seen[qi] = 2; /* a blank text: not an answer */
        else
            k++;
    }
    for (int i = 0; i < s->nquestions && i < SA_QUESTIONS_MAX; i++)
        if (s->questions[i].required && seen[i] != 1) {
            char pos[24];
            snprintf(pos, sizeof pos, "%d", i + 1);
            return kam_fail_key(ctx->err, KAM_EINVAL, "answers", "survey.answer_required",
                                (struct kam_param[]){{"n", pos}, {0}},
                                "answers: question %s must be answered", pos);
        }
    if (k == 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, "answers", "survey.answer_none", NULL,
                            "answers: answer at least one question");
    *nout = k;
    return KAM_OK;
}

/* ---- the survey as stored ---- */

static const char *col_str(struct kam_ctx *ctx, struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? NULL : arena_strdup(ctx->a, db_col_text(st, col));
}

enum kam_err sa_survey_load(struct kam_ctx *ctx, int64_t survey_id, struct sa_survey *out)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, status, title_zh_cn, title_zh_tw, title_en, "
                                 "intro_zh_cn, intro_zh_tw, intro_en FROM surveys WHERE id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, survey_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        out->id = db_col_i64(st, 0);
        out->status = col_str(ctx, st, 1);
        for (int i = 0; i < SA_LANGS; i++) {
            out->titles[i] = col_str(ctx, st, 2 + i);
            out->intros[i] = col_str(ctx, st, 5 + i);
        }
    }
    db_done(st);
    if (rc)
        return rc;
    if (!row)
        return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such survey");
    rc = db_prepare(ctx->db,
                    "SELECT id, position, kind, driver, text_zh_cn, text_zh_tw, text_en, required, "
                    "overall FROM survey_questions WHERE survey_id = ? ORDER BY position, id",
                    &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, survey_id);
    out->questions = arena_calloc(ctx->a, SA_QUESTIONS_MAX, sizeof *out->questions);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (out->nquestions >= SA_QUESTIONS_MAX)
            continue; /* the builder caps them; more are not shown */
        struct sa_question *q = &out->questions[out->nquestions++];
        q->id = db_col_i64(st, 0);
        q->position = db_col_i64(st, 1);
        q->kind = kind_of(db_col_text(st, 2));
        q->driver = col_str(ctx, st, 3);
        for (int i = 0; i < SA_LANGS; i++)
            q->texts[i] = col_str(ctx, st, 4 + i);
        q->required = db_col_i64(st, 7) != 0;
        q->overall = db_col_i64(st, 8) != 0;
    }
    db_done(st);
    if (rc)
        return rc;
    rc = db_prepare(ctx->db,
                    "SELECT o.question_id, o.position, o.label_zh_cn, o.label_zh_tw, o.label_en "
                    "FROM survey_options o JOIN survey_questions q ON q.id = o.question_id "
                    "WHERE q.survey_id = ? ORDER BY o.question_id, o.position",
                    &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, survey_id);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int qi = 0;
        struct sa_question *q = (struct sa_question *)question_of(out, db_col_i64(st, 0), &qi);
        int64_t pos = db_col_i64(st, 1);
        if (!q || q->noptions >= SA_OPTIONS_MAX || pos < 0 || pos >= SA_OPTIONS_MAX)
            continue;
        q->option_pos[q->noptions] = (int)pos;
        for (int i = 0; i < SA_LANGS; i++)
            q->labels[q->noptions][i] = col_str(ctx, st, 2 + i);
        q->noptions++;
    }
    db_done(st);
    return rc;
}

/* ---- the public page ---- */

/* The throttle's key of a client address: "addr:" + the address, an IPv6 one by its /64 (the
 * login throttle's grouping, auth_throttle_addr); NULL without an address. */
static const char *addr_key(struct kam_ctx *ctx, const char *addr)
{
    const char *a = auth_throttle_addr(ctx, addr);
    return *a ? arena_printf(ctx->a, "addr:%.64s", a) : NULL;
}

/* *over when key has used its max requests of the current window (*retry: seconds until the
 * window ends). A read: a request refused here writes nothing. */
static enum kam_err full(struct kam_ctx *ctx, const char *key, int64_t max, int *over,
                         int64_t *retry)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT window_start, count FROM survey_hits WHERE key = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, key);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row && db_col_i64(st, 0) > ctx->now - SA_WINDOW && db_col_i64(st, 1) >= max) {
        *over = 1;
        int64_t r = db_col_i64(st, 0) + SA_WINDOW - ctx->now;
        if (r > *retry)
            *retry = r;
    }
    db_done(st);
    return rc;
}

/* Counts one request on key unless it has used its max of the current window: then *over and
 * nothing is inserted or changed (the upsert's WHERE, as the login throttle's; it takes the
 * row's lock, so parallel requests are counted one after another). */
static enum kam_err hit(struct kam_ctx *ctx, const char *key, int64_t max, int *over,
                        int64_t *retry)
{
    int64_t cutoff = ctx->now - SA_WINDOW;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO survey_hits (key, window_start, count) VALUES (?, ?, 1) ON CONFLICT (key) DO "
        "UPDATE SET window_start = CASE WHEN survey_hits.window_start <= ? THEN ? ELSE "
        "survey_hits.window_start END, count = CASE WHEN survey_hits.window_start <= ? THEN 1 "
        "ELSE survey_hits.count + 1 END WHERE survey_hits.window_start <= ? OR survey_hits.count "
        "< ? RETURNING count",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, key);
    db_bind_i64(st, 2, ctx->now);
    db_bind_i64(st, 3, cutoff);
    db_bind_i64(st, 4, ctx->now);
    db_bind_i64(st, 5, cutoff);
    db_bind_i64(st, 6, cutoff);
    db_bind_i64(st, 7, max);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    if (rc || row)
        return rc;
    return full(ctx, key, max, over, retry);
}

static enum kam_err throttled(struct kam_ctx *ctx, int64_t *retry)
{
    if (*retry < 1)
        *retry = 1;
    return kam_fail_key(ctx->err, KAM_ELIMIT, "token", "survey.throttled", NULL,
                        "too many requests; try again in %lld seconds", (long long)*retry);
}

/* Counts one request of the address key ak (may be NULL), pruning ended windows; KAM_ELIMIT
 * when it is over its limit (then nothing is counted). Inside the caller's transaction. */
static enum kam_err count_addr(struct kam_ctx *ctx, const char *ak, int64_t *retry)
{
    if (!ak)
        return KAM_OK;
    int over = 0;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "DELETE FROM survey_hits WHERE window_start <= ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, ctx->now - SA_WINDOW);
    if ((rc = db_run(st, ctx->err)) || (rc = hit(ctx, ak, SA_ADDR_MAX, &over, retry)))
        return rc;
    return over ? throttled(ctx, retry) : KAM_OK;
}

/* An address over its limit, refused by a read before any transaction or write. */
static enum kam_err addr_precheck(struct kam_ctx *ctx, const char *ak, int64_t *retry)
{
    int over = 0;
    enum kam_err rc = ak ? full(ctx, ak, SA_ADDR_MAX, &over, retry) : KAM_OK;
    return rc ? rc : over ? throttled(ctx, retry) : KAM_OK;
}

enum kam_err sa_public_over(struct kam_ctx *ctx, const char *addr, int64_t *retry)
{
    *retry = 0;
    return addr_precheck(ctx, addr_key(ctx, addr), retry);
}

enum kam_err sa_public_refused(struct kam_ctx *ctx, const char *addr, int64_t *retry)
{
    const char *ak = addr_key(ctx, addr);
    *retry = 0;
    enum kam_err rc = addr_precheck(ctx, ak, retry);
    if (rc || !ak)
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    rc = count_addr(ctx, ak, retry);
    enum kam_err c = db_end(ctx->db, rc == KAM_ELIMIT ? KAM_OK : rc, ctx->err);
    return rc == KAM_ELIMIT && !c ? rc : c;
}

struct link {
    int64_t id, survey_id, account_id, contact_id, expires_at;
    int has_contact, answered;
    const char *lang, *channel, *status;
    const char *hash; /* the public path: the token's hash (the guarded UPDATE checks it still
                       * opens the link); NULL for staff entry */
};

static enum kam_err link_read(struct kam_ctx *ctx, const char *where, const char *text, int64_t id,
                              struct link *l, int *found)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        arena_printf(ctx->a,
                     "SELECT l.id, l.survey_id, l.account_id, l.contact_id, l.expires_at, "
                     "l.answered_at, l.lang, l.channel, s.status FROM survey_links l JOIN surveys "
                     "s ON s.id = l.survey_id WHERE %s",
                     where),
        &st, ctx->err);
    if (rc)
        return rc;
    if (text) {
        db_bind_text(st, 1, text);
        if (strchr(strchr(where, '?') + 1, '?'))
            db_bind_text(st, 2, text);
    } else
        db_bind_i64(st, 1, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *found = !rc && row;
    if (*found) {
        memset(l, 0, sizeof *l);
        l->id = db_col_i64(st, 0);
        l->survey_id = db_col_i64(st, 1);
        l->account_id = db_col_i64(st, 2);
        l->has_contact = !db_col_is_null(st, 3);
        l->contact_id = l->has_contact ? db_col_i64(st, 3) : 0;
        l->expires_at = db_col_i64(st, 4);
        l->answered = !db_col_is_null(st, 5);
        l->lang = col_str(ctx, st, 6);
        l->channel = col_str(ctx, st, 7);
        l->status = col_str(ctx, st, 8);
    }
    db_done(st);
    return rc;
}

/* The link of a token as the public sees it: unknown 404, answered 409, expired or closed 410. */
static enum kam_err public_link(struct kam_ctx *ctx, const char *hash, int token_ok, struct link *l)
{
    int found = 0;
    /* the current token, or the one a reminder replaced while the link is unanswered */
    enum kam_err rc =
        token_ok
            ? link_read(ctx,
                        "l.token_hash = ? OR (l.prev_token_hash = ? AND l.answered_at IS NULL)",
                        hash, 0, l, &found)
            : KAM_OK;
    if (rc)
        return rc;
    if (!found)
        return kam_fail_key(ctx->err, KAM_ENOTFOUND, "token", "survey.link_unknown", NULL,
                            "this survey link is not valid");
    if (l->answered)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "token", "survey.link_used", NULL,
                            "this survey link has already been answered");
    if (l->expires_at <= ctx->now)
        return kam_fail_key(ctx->err, KAM_EGONE, "token", "survey.link_expired", NULL,
                            "this survey link has expired");
    if (strcmp(l->status, "open") != 0)
        return kam_fail_key(ctx->err, KAM_EGONE, "token", "survey.closed", NULL,
                            "this survey is closed");
    return KAM_OK;
}

static int token_ok(const char *t)
{
    if (!t || strlen(t) != SA_TOKEN_LEN)
        return 0;
    for (const char *c = t; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_'))
            return 0;
    return 1;
}

static int refusal(enum kam_err rc)
{
    return rc == KAM_EINVAL || rc == KAM_ENOTFOUND || rc == KAM_ECONFLICT || rc == KAM_EGONE ||
           rc == KAM_ETOOBIG || rc == KAM_ELIMIT;
}

/* The frame of both public calls. An address over its limit is refused by a read, before the
 * token is looked at. Then one transaction counts the request on the address (and prunes ended
 * windows), then on the token's hash, then checks lang; the work runs in a savepoint
 * inside it. A refusal (4xx) keeps the counts and undoes the work, a failure (5xx) undoes both.
 * A request over a limit inserts nothing. */
static enum kam_err
public_frame(struct kam_ctx *ctx, const char *token, const char *lang, const char *addr,
             int64_t *retry, enum kam_err (*work)(struct kam_ctx *ctx, struct link *l, void *arg),
             void *arg)
{
    const char *ak = addr_key(ctx, addr);
    *retry = 0;
    enum kam_err rc = addr_precheck(ctx, ak, retry);
    if (rc || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    char hash[65];
    int over = 0;
    if ((rc = count_addr(ctx, ak, retry)))
        goto out;
    if (!token || !*token) {
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "token", "required",
                          (struct kam_param[]){{"field", "token"}, {0}}, "token is required");
        goto out;
    }
    sa_token_hash(strlen(token) > 200 ? "" : token, hash);
    if ((rc = hit(ctx, arena_printf(ctx->a, "tok:%s", hash), SA_TOKEN_MAX, &over, retry)))
        goto out;
    if (over) {
        rc = throttled(ctx, retry);
        goto out;
    }
    if (lang && sa_lang_index(lang) < 0) {
        rc = check_enum(ctx, "lang", lang, sa_lang_tags);
        goto out;
    }
    if (!(rc = db_begin(ctx->db, ctx->err))) {
        struct link l;
        rc = public_link(ctx, hash, token_ok(token), &l);
        if (!rc) {
            l.hash = hash;
            rc = work(ctx, &l, arg);
        }
        rc = db_end(ctx->db, rc, ctx->err);
    }
out:
    if (refusal(rc)) {
        enum kam_err c = db_end(ctx->db, KAM_OK, ctx->err);
        return c ? c : rc;
    }
    return db_end(ctx->db, rc, ctx->err);
}

struct get_arg {
    const char *lang;
    struct sa_public *out;
};

static enum kam_err get_work(struct kam_ctx *ctx, struct link *l, void *arg)
{
    struct get_arg *g = arg;
    struct sa_public *o = g->out;
    memset(o, 0, sizeof *o);
    enum kam_err rc = sa_survey_load(ctx, l->survey_id, &o->survey);
    if (rc)
        return rc;
    for (int i = 0; i < SA_LANGS; i++)
        o->langs[i] = o->survey.titles[i] && *o->survey.titles[i];
    o->lang = sa_lang_index(g->lang ? g->lang : l->lang);
    if (o->lang < 0)
        o->lang = 0;
    o->expires_at = l->expires_at;
    return KAM_OK;
}

enum kam_err sa_public_get(struct kam_ctx *ctx, const char *token, const char *lang,
                           const char *addr, struct sa_public *out, int64_t *retry_after)
{
    struct get_arg g = {lang, out};
    return public_frame(ctx, token, lang, addr, retry_after, get_work, &g);
}

/* Why the guarded UPDATE of link l claimed nothing: answered 409, expired 410, else the token no
 * longer opens it (reissued, or the link is gone) 404. */
static enum kam_err claim_refused(struct kam_ctx *ctx, const struct link *l)
{
    struct link now;
    int found = 0;
    enum kam_err rc = link_read(ctx, "l.id = ?", NULL, l->id, &now, &found);
    if (rc)
        return rc;
    if (found && now.answered)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, l->hash ? "token" : "id", "survey.link_used",
                            NULL, "this survey link has already been answered");
    if (found && now.expires_at <= ctx->now)
        return kam_fail_key(ctx->err, KAM_EGONE, "token", "survey.link_expired", NULL,
                            "this survey link has expired");
    return kam_fail_key(ctx->err, KAM_ENOTFOUND, l->hash ? "token" : "id", "survey.link_unknown",
                        NULL, "this survey link is not valid");
}

/* Stores the response of link l (inside a transaction). */
static enum kam_err store(struct kam_ctx *ctx, const struct link *l, int lang,
                          const struct sa_answer_in *in, size_t n, int64_t *id_out)
{
    /* The survey row first, as survey_delete takes it, and still open (PostgreSQL: FOR SHARE,
     * which waits for a delete's FOR UPDATE and a close's UPDATE and holds both off until this
     * answer commits; a row changed meanwhile is read again as committed). One order: a delete
     * racing this answer waits for it (then refuses: the survey has a response) or this answer
     * waits for the delete and finds the survey gone (404), or for a close and finds it closed
     * (410 survey.closed) -- never the link first here and the survey first there, which
     * deadlocked, and never an answer stored in a survey closed as it was checked. */
    int64_t open = 0, there = 0;
    enum kam_err rc = db_query_i64(
        ctx->db,
        arena_printf(ctx->a,
                     "SELECT COUNT(*) FROM (SELECT id FROM surveys WHERE id = ? AND status = "
                     "'open'%s) x",
                     db_share_lock(ctx->db)),
        1, l->survey_id, &open, ctx->err);
    if (!rc && !open)
        rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM surveys WHERE id = ?", 1, l->survey_id,
                          &there, ctx->err);
    if (rc)
        return rc;
    if (!open && there)
        return l->hash ? kam_fail_key(ctx->err, KAM_EGONE, "token", "survey.closed", NULL,
                                      "this survey is closed")
                       : kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "survey.closed", NULL,
                                      "this survey is closed");
    if (!open)
        return kam_fail_key(ctx->err, KAM_ENOTFOUND, l->hash ? "token" : "id",
                            "survey.link_unknown", NULL, "this survey link is not valid");
    struct sa_survey s;
    if ((rc = sa_survey_load(ctx, l->survey_id, &s)))
        return rc;
    struct sa_answer *ans = arena_calloc(ctx->a, n ? n : 1, sizeof *ans);
    size_t na = 0;
    if ((rc = sa_check(ctx, &s, in, n, ans, &na)))
        return rc;
    /* The claim: unanswered and, on the public path, the token still opens it (not reissued,
     * not expired) as the row is now -- on PostgreSQL another transaction may have changed it
     * since it was read. */
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         l->hash ? "UPDATE survey_links SET answered_at = ? WHERE id = ? AND "
                                   "answered_at IS NULL AND (token_hash = ? OR prev_token_hash = "
                                   "?) AND expires_at > ?"
                                 : "UPDATE survey_links SET answered_at = ? WHERE id = ? AND "
                                   "answered_at IS NULL",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, ctx->now);
    db_bind_i64(st, 2, l->id);
    if (l->hash) {
        db_bind_text(st, 3, l->hash);
        db_bind_text(st, 4, l->hash);
        db_bind_i64(st, 5, ctx->now);
    }
    if ((rc = db_run(st, ctx->err)))
        return rc;
    if (db_changes(ctx->db) != 1)
        return claim_refused(ctx, l);
    /* queued e-mails of the link hold a link that no longer opens anything */
    if ((rc = survey_link_mail_drop(ctx, l->id)))
        return rc;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO survey_responses (survey_id, link_id, account_id, "
                         "contact_id, lang, entered_by, submitted_at) VALUES (?,?,?,?,?,?,?) "
                         "RETURNING id",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, l->survey_id);
    db_bind_i64(st, 2, l->id);
    db_bind_i64(st, 3, l->account_id);
    db_bind_i64n(st, 4, l->contact_id, !l->has_contact);
    db_bind_text(st, 5, sa_lang_tags[lang]);
    db_bind_i64n(st, 6, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_i64(st, 7, ctx->now);
    int row = 0;
    int64_t id = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    /* A text answer is scored as it is stored (tone.h), with the model that scored it. */
    int below = TONE_NEGATIVE_BELOW_DEFAULT;
    if ((rc = tone_negative_below(ctx, &below)))
        return rc;
    const char *model = tone_model_id();
    for (size_t i = 0; i < na; i++) {
        struct tone t = {TONE_NONE, -1};
        if (ans[i].text && (rc = tone_score(ctx, ans[i].text, below, &t)))
            return rc;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO survey_answers (response_id, question_id, value, text, "
                             "sentiment_ppm, sentiment_model) VALUES (?,?,?,?,?,?)",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, id);
        db_bind_i64(st, 2, ans[i].question_id);
        db_bind_i64n(st, 3, ans[i].value, ans[i].text != NULL);
        db_bind_text(st, 4, ans[i].text);
        db_bind_i64n(st, 5, t.ppm, t.ppm < 0);
        if (ans[i].text && t.label != TONE_NONE && model[0])
            db_bind_text(st, 6, model);
        else
            db_bind_null(st, 6);
        if ((rc = db_run(st, ctx->err)))
            return rc;
    }
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "survey_id", 0, 1, l->survey_id, 0);
    audit_diff_i64(&d, "link_id", 0, 1, l->id, 0);
    audit_diff_i64(&d, "contact_id", 0, 1, l->contact_id, !l->has_contact);
    audit_diff_str(&d, "lang", NULL, sa_lang_tags[lang]);
    audit_diff_i64(&d, "answers", 0, 1, (int64_t)na, 0);
    audit_diff_i64(&d, "entered_by", 0, 1, ctx->who.user_id, ctx->who.user_id == 0);
    if ((rc = audit_write(ctx, "survey_response", id, l->account_id, "create", &d)))
        return rc;
    /* Low scores become follow-ups for the departments that fix them (same transaction). */
    if ((rc = follow_ups_from_response(ctx, id)))
        return rc;
    *id_out = id;
    return KAM_OK;
}

struct answer_arg {
    const char *lang;
    const struct sa_answer_in *in;
    size_t n;
    int *thanks_lang;
};

static enum kam_err answer_work(struct kam_ctx *ctx, struct link *l, void *arg)
{
    struct answer_arg *a = arg;
    int lang = sa_lang_index(a->lang ? a->lang : l->lang);
    if (lang < 0)
        lang = 0;
    *a->thanks_lang = lang;
    int64_t id = 0;
    return store(ctx, l, lang, a->in, a->n, &id);
}

enum kam_err sa_public_answer(struct kam_ctx *ctx, const char *token, const char *lang,
                              const char *addr, const struct sa_answer_in *in, size_t n,
                              int *thanks_lang, int64_t *retry_after)
{
    struct answer_arg a = {lang, in, n, thanks_lang};
    *thanks_lang = 0;
    return public_frame(ctx, token, lang, addr, retry_after, answer_work, &a);
}

/* ---- staff: entry, reading, erasure ---- */

enum kam_err sa_response_enter(struct kam_ctx *ctx, int64_t link_id, const char *lang,
                               const struct sa_answer_in *in, size_t n, struct sa_response *out)
{
    int li = sa_lang_index(lang);
    if (lang && li < 0)
        return check_enum(ctx, "lang", lang, sa_lang_tags);
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct link l;
    int found = 0;
    int64_t id = 0;
    if ((rc = link_read(ctx, "l.id = ?", NULL, link_id, &l, &found)))
        goto out;
    if (!found) {
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such survey link");
        goto out;
    }
    if (l.answered) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "survey.link_used", NULL,
                          "this survey link has already been answered");
        goto out;
    }
    if (strcmp(l.status, "open") != 0) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "survey.closed", NULL,
                          "this survey is closed");
        goto out;
    }
    if (li < 0)
        li = sa_lang_index(l.lang) < 0 ? 0 : sa_lang_index(l.lang);
    if ((rc = store(ctx, &l, li, in, n, &id)))
        goto out;
    rc = sa_response_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

#define RCOLS                                                                                      \
    "r.id, r.survey_id, r.link_id, r.account_id, r.contact_id, r.entered_by, r.submitted_at, "     \
    "r.lang, l.channel, accounts.name, contacts.name"
#define RFROM                                                                                      \
    " FROM survey_responses r JOIN survey_links l ON l.id = r.link_id JOIN accounts ON "           \
    "accounts.id = r.account_id LEFT JOIN contacts ON contacts.id = r.contact_id"

static void read_response(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct sa_response *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->survey_id = db_col_i64(st, 1);
    x->link_id = db_col_i64(st, 2);
    x->account_id = db_col_i64(st, 3);
    x->has_contact = !db_col_is_null(st, 4);
    x->contact_id = x->has_contact ? db_col_i64(st, 4) : 0;
    x->has_entered_by = !db_col_is_null(st, 5);
    x->entered_by = x->has_entered_by ? db_col_i64(st, 5) : 0;
    x->submitted_at = db_col_i64(st, 6);
    x->lang = col_str(ctx, st, 7);
    x->channel = col_str(ctx, st, 8);
    x->account_name = col_str(ctx, st, 9);
    x->contact_name = col_str(ctx, st, 10);
}

#define ANSWER_CHUNK 25 /* response ids per query (sqlb binds at most 32); padded to one text */

/* Loads the answers of items[0..n), ANSWER_CHUNK responses a query; text answers get their
 * tone (the one rule of svc/core/tone.h, against the configured negative line: the score stored
 * with the answer, or a fresh one when a new model shipped; one that cannot be scored afresh
 * reads not scored: a read -- shown, listed, exported, erased -- never fails for it). */
static enum kam_err load_answers(struct kam_ctx *ctx, struct sa_response *items, size_t n)
{
    int below = TONE_NEGATIVE_BELOW_DEFAULT;
    enum kam_err trc = n ? tone_negative_below(ctx, &below) : KAM_OK;
    if (trc)
        return trc;
    for (size_t i = 0; i < n; i++)
        items[i].answers = arena_calloc(ctx->a, SA_QUESTIONS_MAX, sizeof *items[i].answers);
    for (size_t from = 0; from < n; from += ANSWER_CHUNK) {
        struct sqlb b;
        sqlb_init(&b, ctx->a);
        sqlb_sql(&b, "SELECT a.response_id, a.question_id, a.value, a.text, q.position, q.kind, "
                     "a.sentiment_ppm, a.sentiment_model FROM survey_answers a JOIN "
                     "survey_questions q ON q.id = a.question_id WHERE "
                     "a.response_id IN (");
        for (size_t k = 0; k < ANSWER_CHUNK; k++) {
            size_t i = from + k < n ? from + k : n - 1;
            sqlb_sql(&b, k ? ", ?" : "?");
            sqlb_i64(&b, items[i].id);
        }
        sqlb_sql(&b, ") ORDER BY a.response_id, q.position");
        struct db_stmt *st;
        enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
        if (rc)
            return rc;
        int row = 0;
        while (!(rc = db_step(st, &row, ctx->err)) && row) {
            int64_t rid = db_col_i64(st, 0);
            for (size_t i = from; i < n && i < from + ANSWER_CHUNK; i++) {
                if (items[i].id != rid || items[i].nanswers >= SA_QUESTIONS_MAX)
                    continue;
                struct sa_answer *a = &items[i].answers[items[i].nanswers++];
                a->question_id = db_col_i64(st, 1);
                a->value = db_col_is_null(st, 2) ? 0 : db_col_i64(st, 2);
                a->text = col_str(ctx, st, 3);
                a->position = (int)db_col_i64(st, 4);
                a->kind = kind_of(db_col_text(st, 5));
                /* a read: a comment that cannot be scored afresh reads "not scored" (tone.h) */
                a->tone = a->text ? (int)tone_label_read(a->text, !db_col_is_null(st, 6),
                                                         (int)db_col_i64(st, 6), db_col_text(st, 7),
                                                         below)
                                  : TONE_NONE;
                break;
            }
        }
        db_done(st);
        if (rc)
            return rc;
    }
    return KAM_OK;
}

enum kam_err sa_response_get(struct kam_ctx *ctx, int64_t id, struct sa_response *out)
{
    enum kam_err rc = row_get(ctx, "SELECT " RCOLS RFROM " WHERE r.id = ?", id, read_response, out,
                              "survey response");
    return rc ? rc : load_answers(ctx, out, 1);
}

enum kam_err sa_response_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct sa_response x;
    /* the follow-ups first: they find the response by response_id, which the DELETE clears */
    if ((rc = sa_response_get(ctx, id, &x)) || (rc = follow_ups_erase_response(ctx, id)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM survey_responses WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "survey_id", x.survey_id, 0, 0, 1);
    audit_diff_i64(&d, "link_id", x.link_id, 0, 0, 1);
    audit_diff_i64(&d, "contact_id", x.contact_id, !x.has_contact, 0, 1);
    audit_diff_i64(&d, "answers", (int64_t)x.nanswers, 0, 0, 1);
    rc = audit_write(ctx, "survey_response", id, x.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort sorts[] = {{"submitted_at", "r.submitted_at", 0}};

enum kam_err sa_response_list(struct kam_ctx *ctx, const struct sa_response_query *q,
                              struct sa_response **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, 1, "-submitted_at", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    int64_t one = 0;
    if ((rc = db_query_i64(ctx->db, "SELECT id FROM surveys WHERE id = ?", 1, q->survey_id, &one,
                           ctx->err))) {
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such survey");
        }
        return rc;
    }
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " RCOLS RFROM " WHERE r.survey_id = ?");
    sqlb_i64(&b, q->survey_id);
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->account_id) {
        sqlb_sql(&b, " AND r.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    struct sa_response *items;
    const struct sa_response *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "r.id", read_response, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = NULL;
    if (last) {
        const struct sa_response *l = &items[n - 1];
        *next_out = page_cursor(ctx, &pg, NULL, l->submitted_at, l->id);
    }
    if ((rc = load_answers(ctx, items, n)))
        return rc;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}
