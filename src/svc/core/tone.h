/* tone.h -- the one rule for "is this comment negative?" (issue 14 items 5 and 6).
 *
 * A text is scored by the shipped sentiment model (analytics/sentiment.h): ppm is its score of
 * "positive" in millionths. The label:
 *   none      nothing to score (NULL or blank text, or a binary without a model);
 *   neutral   a non-answer ("无", "暂无建议", "N/A", "no comment" ...: what people type into an
 *             optional comment box when they have nothing to say; "没有问题", "no issues" ...:
 *             nothing to complain of), or a score between the
 *             negative line and one half (the model leans negative but is not sure);
 *   negative  a score below the line (setting tone.negative_below_ppm, default 150,000);
 *   positive  a score of one half or more (the model's own decision).
 * Why a non-answer list: the model learned from reviews, which always say something. Asked to
 * choose, it calls "没有" (0.008), "none" (0.016) and "ok" (0.02) negative -- as negative as a
 * real complaint ("客服响应太慢了" 0.04) -- and routing them to a department would bury the
 * real ones. The line: real complaints in survey comments score below 0.15 ("售后响应慢"
 * 0.12, "交货经常延迟，很失望" 0.0007); mild wishes ("希望增加培训" 0.16, "价格偏高" 0.26)
 * stay neutral. The setting moves it; scores are stored, so a new line applies at once.
 * A stored score records its model (tone_model_id): scores of another model are recomputed. */
#ifndef KAM_TONE_H
#define KAM_TONE_H

#include "ctx.h"

enum tone_label { TONE_NONE = 0, TONE_NEUTRAL, TONE_NEGATIVE, TONE_POSITIVE };

#define TONE_NEGATIVE_BELOW_DEFAULT 150000 /* ppm */

struct tone {
    enum tone_label label;
    int ppm; /* 0..1,000,000; -1 when not scored (none, or a non-answer) */
};

/* The shipped model's id (8 hex digits), "" when the binary has none. */
const char *tone_model_id(void);

/* 1 when text (after the model's normalisation: Traditional to Simplified, lower case,
 * punctuation and white space dropped) is a non-answer. */
int tone_non_answer(const char *text);

/* Scores text and labels it against the line negative_below (ppm). KAM_EINTERNAL (out left
 * "none", not scored) when the classifier fails on a text the model has a section for: out of
 * memory; a text in a language the model lacks is not scored and is no error. */
enum kam_err tone_of(const char *text, int negative_below, struct tone *out);
/* tone_of, the failure recorded in ctx->err (a 500 through the usual path). */
enum kam_err tone_score(struct kam_ctx *ctx, const char *text, int negative_below,
                        struct tone *out);

/* The label of a stored score of text: blank text -> none; no score -> neutral for a
 * non-answer (they are not scored), else none (not scored yet). */
enum tone_label tone_label_of(const char *text, int has_ppm, int ppm, int negative_below);

/* The label (*out) of text whose score was stored (has_ppm, ppm) by model (may be NULL): the
 * stored score when model is this binary's, else the text scored afresh (not scored yet, or by
 * another model); a failure to score afresh is an error in ctx->err (tone_score). */
enum kam_err tone_of_stored(struct kam_ctx *ctx, const char *text, int has_ppm, int ppm,
                            const char *model, int negative_below, enum tone_label *out);
/* The label for a READ of a stored answer (a response shown, listed, exported, erased): as
 * tone_of_stored, but a failure to score afresh labels the text TONE_NONE (not scored) and is
 * no error, so a read never fails because a comment could not be re-scored. The write paths
 * (storing an answer, making follow-ups) use tone_score / tone_of_stored and fail. */
enum tone_label tone_label_read(const char *text, int has_ppm, int ppm, const char *model,
                                int negative_below);

/* Tests only (tests/unit/test_web14_tone.c): nonzero makes every text tone_of would score fail
 * as the classifier's out of memory does. The server never sets it. */
extern int tone_test_fail;

/* "none", "neutral", "negative", "positive". */
const char *tone_label_name(enum tone_label l);

/* The line (setting tone.negative_below_ppm, 0..1,000,000; default above). */
enum kam_err tone_negative_below(struct kam_ctx *ctx, int *ppm);

/* The highest line that may be set (by who may update OBJ_CONFIG: admins, directors): a score of
 * one half or more is the model's "positive". */
#define TONE_NEGATIVE_BELOW_MAX 500000
/* Sets the line (field "negative_below_ppm", 0..TONE_NEGATIVE_BELOW_MAX): the setting and its
 * audit row ("settings" 1, update) in one transaction. Stored scores are relabelled at once. */
enum kam_err tone_set_negative_below(struct kam_ctx *ctx, int64_t ppm);

#endif
