/* tone.c -- scores and labels of comments (tone.h). */
#include "tone.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/sentiment.h"
#include "audit.h"
#include "base/log.h"
#include "base/utf8.h"
#include "check.h"
#include "settings.h"
#include "store/db.h"

int tone_test_fail;

static pthread_once_t id_once = PTHREAD_ONCE_INIT;
static char model_id[9];

static void id_init(void)
{
    const struct sentiment_model *m = sentiment_default();
    if (m)
        sentiment_model_id(m, model_id);
    else
        log_warn("sentiment: no model (%s): comments are not scored", sentiment_default_error());
}

const char *tone_model_id(void)
{
    pthread_once(&id_once, id_init);
    return model_id;
}

/* What people type into a comment box when they have nothing to say, or nothing to complain of,
 * as the normalised text reads (Simplified, lower case, no punctuation or spaces). */
/* clang-format off */
static const char *const non_answers[] = {
    "无", "没有", "没", "暂无", "暂时没有", "目前没有", "无意见", "没有意见", "没意见", "暂无意见",
    "无建议", "没有建议", "暂无建议", "暂时没有建议", "没什么", "没什么意见", "没什么建议", "没有了",
    "无其他", "没有其他", "其他无", "没有其他意见", "没有其他建议", "一般", "还行", "不清楚",
    "不知道", "同上", "略", "无无", "na", "n/a", "none", "nothing", "no", "nil", "null",
    "nocomment", "nocomments", "nothingtoadd", "nothingelse", "notapplicable", "nosuggestion",
    "nosuggestions", "ok", "okay", "fine", "nope", "idk",
    /* "nothing wrong": satisfied, nothing for a department to fix -- and the model, which has
     * no Chinese negation and learned "问题" and "issue" from complaints, calls them negative
     * ("没有问题" 0.025, "No issues at all" 0.02) */
    "没有问题", "没问题", "无问题", "没有任何问题", "没什么问题", "一切正常", "无投诉", "没有投诉",
    "没有不满意", "没有什么不满意", "没有什么不满意的", "没有不满", "不差", "noissue", "noissues",
    "noissuesatall", "noproblem", "noproblems", "noproblemsatall", "nothingwrong", "nocomplaint",
    "nocomplaints", "notbad", "allgood", "allfine", NULL};
/* clang-format on */

/* The characters of s kept for the comparison: letters, digits, '/', and everything outside
 * ASCII but CJK and general punctuation. */
static size_t squeeze(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && o + 4 < cap) {
        if (*p < 0x80) {
            if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '/')
                out[o++] = (char)*p;
            p++;
            continue;
        }
        size_t len = utf8_seq_len(p, strnlen((const char *)p, 4));
        if (!len) { /* not UTF-8: a separator */
            p++;
            continue;
        }
        unsigned cp = 0;
        if (len == 3)
            cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
        int punct = len == 3 && ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
                                 (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
                                 cp == 0xFF1A || cp == 0xFF1B || cp == 0xFF1F || cp == 0x2026);
        if (!punct) {
            memcpy(out + o, p, len);
            o += len;
        }
        p += len;
    }
    out[o] = 0;
    return o;
}

/* The list as the normalisation leaves it (OpenCC's Traditional-to-Simplified step also
 * rewrites some Simplified text: "什么" reads "什幺"), made once. */
static pthread_once_t list_once = PTHREAD_ONCE_INIT;
static char *norm_list[sizeof non_answers / sizeof non_answers[0]];

static size_t squeeze(const char *s, char *out, size_t cap);

static void list_init(void)
{
    for (size_t i = 0; non_answers[i]; i++) {
        char *t = sentiment_normalise(non_answers[i], strlen(non_answers[i]), 0);
        char buf[80];
        squeeze(t ? t : non_answers[i], buf, sizeof buf);
        free(t);
        norm_list[i] = strdup(buf); /* kept for the life of the process */
    }
}

int tone_non_answer(const char *text)
{
    if (!text)
        return 0;
    size_t n = strlen(text);
    if (n > 64) /* no non-answer is this long, even with spaces and marks */
        return 0;
    char *t = sentiment_normalise(text, n, 0);
    if (!t)
        return 0;
    char buf[80];
    size_t k = squeeze(t, buf, sizeof buf);
    free(t);
    if (!k)
        return 1; /* only marks: "...", "-", "/" */
    pthread_once(&list_once, list_init);
    for (size_t i = 0; non_answers[i]; i++)
        if (norm_list[i] && !strcmp(buf, norm_list[i]))
            return 1;
    return 0;
}

enum tone_label tone_label_of(const char *text, int has_ppm, int ppm, int negative_below)
{
    if (!text || utf8_blank(text))
        return TONE_NONE;
    if (!has_ppm)
        return tone_non_answer(text) ? TONE_NEUTRAL : TONE_NONE;
    if (ppm < negative_below)
        return TONE_NEGATIVE;
    return ppm >= 500000 ? TONE_POSITIVE : TONE_NEUTRAL;
}

enum kam_err tone_of(const char *text, int negative_below, struct tone *out)
{
    out->label = TONE_NONE;
    out->ppm = -1;
    if (!text || utf8_blank(text))
        return KAM_OK;
    if (tone_non_answer(text)) {
        out->label = TONE_NEUTRAL;
        return KAM_OK;
    }
    if (tone_test_fail)
        return KAM_EINTERNAL;
    const struct sentiment_model *m = sentiment_default();
    if (!tone_model_id()[0])
        return KAM_OK;
    size_t n = strlen(text);
    double s = 0;
    if (sentiment_classify(m, text, n, &s) < 0) {
        /* no section for the text's language: not scored; else the classifier ran out of
         * memory, which the caller must hear of (a comment stored "not scored" would never be
         * routed) */
        unsigned lang = (unsigned)sentiment_lang_of(text, n < SENT_MAX_TEXT ? n : SENT_MAX_TEXT);
        return sentiment_model_langs(m) & (1u << lang) ? KAM_EINTERNAL : KAM_OK;
    }
    int ppm = (int)(s * 1e6 + 0.5);
    out->ppm = ppm < 0 ? 0 : ppm > 1000000 ? 1000000 : ppm;
    out->label = tone_label_of(text, 1, out->ppm, negative_below);
    return KAM_OK;
}

enum kam_err tone_score(struct kam_ctx *ctx, const char *text, int negative_below, struct tone *out)
{
    enum kam_err rc = tone_of(text, negative_below, out);
    if (rc)
        return kam_fail(ctx->err, rc, "", "out of memory while scoring a comment");
    return KAM_OK;
}

enum kam_err tone_of_stored(struct kam_ctx *ctx, const char *text, int has_ppm, int ppm,
                            const char *model, int negative_below, enum tone_label *out)
{
    const char *id = tone_model_id();
    if (model && id[0] && !strcmp(model, id)) {
        *out = tone_label_of(text, has_ppm, ppm, negative_below);
        return KAM_OK;
    }
    struct tone t;
    enum kam_err rc = tone_score(ctx, text, negative_below, &t);
    *out = t.label;
    return rc;
}

enum tone_label tone_label_read(const char *text, int has_ppm, int ppm, const char *model,
                                int negative_below)
{
    const char *id = tone_model_id();
    if (model && id[0] && !strcmp(model, id))
        return tone_label_of(text, has_ppm, ppm, negative_below);
    struct tone t;
    if (tone_of(text, negative_below, &t)) {
        log_warn("tone: a stored comment could not be scored afresh: read as not scored");
        return TONE_NONE;
    }
    return t.label;
}

const char *tone_label_name(enum tone_label l)
{
    static const char *const names[] = {"none", "neutral", "negative", "positive"};
    return (unsigned)l < 4 ? names[l] : "none";
}

enum kam_err tone_negative_below(struct kam_ctx *ctx, int *ppm)
{
    int64_t v;
    enum kam_err rc =
        settings_get_i64(ctx, "tone.negative_below_ppm", TONE_NEGATIVE_BELOW_DEFAULT, &v);
    if (rc)
        return rc;
    *ppm = v < 0 || v > 1000000 ? TONE_NEGATIVE_BELOW_DEFAULT : (int)v;
    return KAM_OK;
}

enum kam_err tone_set_negative_below(struct kam_ctx *ctx, int64_t ppm)
{
    enum kam_err rc = check_range(ctx, "negative_below_ppm", ppm, 0, TONE_NEGATIVE_BELOW_MAX);
    int before = TONE_NEGATIVE_BELOW_DEFAULT;
    if (rc || (rc = tone_negative_below(ctx, &before)) || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    char val[24];
    snprintf(val, sizeof val, "%lld", (long long)ppm);
    struct db_stmt *st;
    if (!(rc = db_prepare(ctx->db,
                          "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                          "DO UPDATE SET value = excluded.value",
                          &st, ctx->err))) {
        db_bind_text(st, 1, "tone.negative_below_ppm");
        db_bind_text(st, 2, val);
        rc = db_run(st, ctx->err);
    }
    if (!rc) {
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_i64(&d, "tone.negative_below_ppm", before, 0, ppm, 0);
        rc = audit_write(ctx, "settings", 1, 0, "update", &d);
    }
    return db_end(ctx->db, rc, ctx->err);
}
