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

/* Scores text and labels it against the line negative_below (ppm). */
void tone_of(const char *text, int negative_below, struct tone *out);

/* The label of a stored score of text: blank text -> none; no score -> neutral for a
 * non-answer (they are not scored), else none (not scored yet). */
enum tone_label tone_label_of(const char *text, int has_ppm, int ppm, int negative_below);

/* The label of text whose score was stored (has_ppm, ppm) by model (may be NULL): the stored
 * score when model is this binary's, else the text scored afresh (not scored yet, or by
 * another model). */
enum tone_label tone_of_stored(const char *text, int has_ppm, int ppm, const char *model,
                               int negative_below);

/* "none", "neutral", "negative", "positive". */
const char *tone_label_name(enum tone_label l);

/* The line (setting tone.negative_below_ppm, 0..1,000,000; default above). */
enum kam_err tone_negative_below(struct kam_ctx *ctx, int *ppm);

#endif
