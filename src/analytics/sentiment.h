/* sentiment.h -- binary sentiment (positive / negative) of Chinese and English free text.
 *
 * text -> normalised text -> hashed features -> linear model -> label and score.
 *
 *   Normalisation: full-width ASCII (U+FF01..U+FF5E) and the ideographic space become
 *   half-width, Latin letters lower-case, runs of one character longer than 3 are cut to 3,
 *   curly apostrophes (U+2018, U+2019, U+02BC) become ', Traditional Chinese becomes
 *   Simplified (OpenCC tw2sp, read from OpenCC's data directory by absolute path, so zh-TW and
 *   zh-CN texts give the same features), invalid UTF-8 bytes are separators.
 *   Language by the dominant script: zh when 3 x (Han characters) >= Latin letters and there
 *   is at least one Han character, otherwise en.
 *   zh: tokens are single CJK characters, single punctuation marks and whole Latin/digit words;
 *       features are the token n-grams, 1..ngram_max (whitespace is dropped) and, with
 *       SENT_F_WORDS, the words of ICU's dictionary-based word breaker and their bigrams; with
 *       SENT_F_ZHNEG, after a negator (不 没 无 未 非 别 莫, not inside 非常, 无论, 特别, ...)
 *       the tokens up to the next mark or space are marked ("not_好"; a second negator in
 *       the scope ends it: 没有不满意).
 *   en: tokens are words ([a-z0-9'] runs) and ! ? marks; after a negation word (not, no,
 *       never, n't, ...) the words up to the next punctuation are marked ("not_good");
 *       features are unigrams and bigrams (1..ngram_max) and, with SENT_F_CHARS, character
 *       3..5-grams inside words ('n' instead of 'c' for the words of a negation scope).
 *   Every feature is hashed (64-bit FNV-1a + a finaliser) into 2^bits buckets, counted once
 *   (binary) and the vector is L2-normalised. Score = 1 / (1 + exp(-a * (w.x + b))), the
 *   probability-like score of "positive" (a fitted by Platt scaling on cross-validated
 *   decision values); label = positive when w.x + b >= 0 (score >= 0.5).
 *
 * Model file (models/sentiment.kam; the shipped one is embedded in the binary), little-endian:
 *   "KAMSENT\0" u32 version (1) u32 n_sections (1..2), then per section:
 *     u8 lang (1 zh, 2 en) u8 bits (10..22) u8 ngram_max (1..5) u8 flags (SENT_F_*)
 *     f32 scale f32 bias f32 platt_a u32 nnz, then nnz x (LEB128 index delta, i16 weight)
 *     (the first delta is the index itself; indices strictly increase; weight = i16 * scale)
 *   and last u32 CRC-32 (zlib) of every byte before it. sentiment_model_load() refuses
 *   anything else (bad magic, other version, truncated, trailing bytes, checksum, a section
 *   out of range) with a reason; it never reads outside the buffer.
 *
 * Thread safety: a loaded model is read-only; sentiment_classify() may be called from many
 * threads at once (the OpenCC conversion is serialised by a mutex inside). Training
 * (sentiment_train, sentiment_cv) is NOT thread-safe: it seeds rand() and sets liblinear's
 * global print function; run one at a time.
 * Cost: ~0.2 ms for a review of ~100 Chinese characters, ~2 ms at the 4 KiB cap (mostly
 * OpenCC); scratch memory is malloc'ed per call (~300 KiB at most) and freed. */
#ifndef KAM_ANALYTICS_SENTIMENT_H
#define KAM_ANALYTICS_SENTIMENT_H

#include <stddef.h>
#include <stdint.h>

enum sent_lang { SENT_AUTO = 0, SENT_ZH = 1, SENT_EN = 2 };

#define SENT_MAX_TEXT 4096 /* bytes of a text that are looked at (cut at a character) */
#define SENT_F_NEGATION 1u /* en: negation marking */
#define SENT_F_CHARS 2u    /* en: character 3..5-grams inside words */
#define SENT_F_DIGITS 4u   /* every digit is read as 0 */
#define SENT_F_TAIL 8u     /* unigrams and bigrams of the last sentence, again ('T', 'U') */
#define SENT_F_SKIP 16u    /* token pairs with one token between them ('s') */
#define SENT_F_WORDS 32u   /* zh: ICU dictionary words, unigrams and bigrams ('W', 'X') */
#define SENT_F_ZHNEG 64u   /* zh: negation scopes (不/没/无/未/非/别/莫 to the next mark) */
#define SENT_F_ALL                                                                                 \
    (SENT_F_NEGATION | SENT_F_CHARS | SENT_F_DIGITS | SENT_F_TAIL | SENT_F_SKIP | SENT_F_WORDS |   \
     SENT_F_ZHNEG)
#define SENT_MAX_FEATS 65536 /* features of one text, at most */

/* How a language's text becomes features (stored in each model section). */
struct sent_feat_cfg {
    unsigned bits;      /* 2^bits hash buckets, 10..22 (a model file's limit) */
    unsigned ngram_max; /* 1..5 */
    unsigned flags;     /* SENT_F_* */
};

/* SENT_ZH when Han characters dominate s[0..n) (3 x Han >= Latin letters, at least one Han),
 * else SENT_EN. */
int sentiment_lang_of(const char *s, size_t n);

/* The normalised text (see the top) of s[0..n): malloc'ed, NUL-terminated; NULL when out of
 * memory. A text with any Han character is also converted from Traditional to Simplified.
 * flags: SENT_F_* (SENT_F_DIGITS is the one it reads). */
char *sentiment_normalise(const char *s, size_t n, unsigned flags);
/* "" when OpenCC's Traditional -> Simplified conversion is available as intended, else why not
 * (also logged once, at the first Chinese text). */
const char *sentiment_convert_error(void);

/* Calls fn(feature, len, ctx) for every feature string (with repeats) of the text s[0..n) in
 * language lang (SENT_AUTO: sentiment_lang_of). Feature strings start with a namespace byte
 * ('1'..'5' for zh n-grams, 'w'/'b'/'t' en unigrams, bigrams, trigrams, 'c' character
 * grams); tokens inside an n-gram are separated by a space. Returns the language used, or -1
 * when out of memory. The first SENT_MAX_TEXT bytes are read. */
int sentiment_tokens(const char *s, size_t n, int lang, const struct sent_feat_cfg *cfg,
                     void (*fn)(const char *feat, size_t len, void *ctx), void *ctx);

/* The hashed, de-duplicated, sorted bucket indices of the text's features (at most
 * SENT_MAX_FEATS) into idx (caller-owned, SENT_MAX_FEATS entries); each has value
 * 1/sqrt(count). Returns the count (>= 0), or -1 when out of memory; *lang_out (may be NULL)
 * gets the language used. */
int sentiment_features(const char *s, size_t n, int lang, const struct sent_feat_cfg *cfg,
                       uint32_t *idx, int *lang_out);

struct sentiment_model;

/* Parses a model file held in data[0..len) (copied; data may be freed afterwards). 0 and
 * *out on success; -1 with a reason in why (always NUL-terminated when whylen > 0). */
int sentiment_model_load(const void *data, size_t len, struct sentiment_model **out, char *why,
                         size_t whylen);
void sentiment_model_free(struct sentiment_model *m);
/* The model's id: the 8 hex digits of its file's CRC-32 (a score records the model that gave
 * it, so a new model can rescore). */
void sentiment_model_id(const struct sentiment_model *m, char out[9]);
/* Which languages the model has sections for: a bit mask of 1 << SENT_ZH, 1 << SENT_EN. */
/* (sentiment_classify() scores a language m lacks with the built-in model's section.) */
unsigned sentiment_model_langs(const struct sentiment_model *m);

/* The model embedded in the binary at build time (models/sentiment.kam), parsed once
 * (thread-safe). NULL when the binary was built without one or it does not parse (the reason
 * is then in sentiment_default_error()). */
const struct sentiment_model *sentiment_default(void);
const char *sentiment_default_error(void);

/* Classifies s[0..n) (its first SENT_MAX_TEXT bytes). Returns 1 positive, 0 negative, -1 on
 * error (no model, out of memory, no section for the text's language); *score (may be NULL)
 * gets the 0..1 score of "positive". A text whose language has no section in m is scored by
 * the built-in model's section for that language (sentiment_default()); when that has none
 * either, -1 (a text is never read with the other language's rules). */
int sentiment_classify(const struct sentiment_model *m, const char *s, size_t n, double *score);
/* The same, also giving the language of the section used (SENT_ZH / SENT_EN; the text's
 * language) and the raw decision value. */
int sentiment_classify_ex(const struct sentiment_model *m, const char *s, size_t n, double *score,
                          int *lang, double *decision);

/* ---- training (liblinear) ---- */

enum sent_solver {
    SENT_LR = 0,  /* L2-regularised logistic regression (liblinear L2R_LR) */
    SENT_SVM = 1, /* L2-regularised L2-loss linear SVM, dual (L2R_L2LOSS_SVC_DUAL) */
    SENT_ENS = 2, /* both (LR at 10 C), unit-scaled weight vectors averaged */
};

struct sent_train_opts {
    int solver;      /* enum sent_solver */
    double C;        /* > 0; 0: chosen by cross-validation from SENT_C_GRID */
    int nb;          /* 1: NB-SVM (Wang & Manning 2012) log-count-ratio scaling */
    double nb_alpha; /* NB smoothing (> 0; default 1) */
    int min_df[3];   /* per language: features in fewer training texts get weight 0 (>= 1) */
    int folds;       /* folds for choosing C and for Platt scaling (2..20) */
    struct sent_feat_cfg lang_cfg[3]; /* per language: [SENT_ZH], [SENT_EN] */
};

/* The C values training tries (cross-validated) when C is 0: n of them. */
const double *sentiment_c_grid(int solver, int *n);

/* The defaults the shipped model uses (see models/README.md). */
void sentiment_train_defaults(struct sent_train_opts *o);

struct sent_example {
    const char *text;
    size_t len;
    int label; /* 1 positive, 0 negative */
};

/* What a training run measured, per language. */
struct sent_train_report {
    int n[3], pos[3];   /* examples and positives per language */
    double C[3];        /* the C used */
    double cv_acc[3];   /* cross-validated accuracy at that C (the folds of the options) */
    double platt_a[3];  /* the fitted Platt slope */
    unsigned nnz[3];    /* weights kept in the model */
    double quant_agree; /* share of training texts whose label the quantised model keeps */
};

/* Trains a model from examples (each routed to its language by sentiment_lang_of; lang
 * SENT_ZH/SENT_EN forces one) and writes the model file into a malloc'ed buffer (*file,
 * *file_len). A language without both classes gets no section; at least one section is
 * needed. Deterministic (liblinear's random numbers are seeded). 0 on success; -1 with a
 * reason in why. */
int sentiment_train(const struct sent_example *ex, int n, int lang, const struct sent_train_opts *o,
                    unsigned char **file, size_t *file_len, struct sent_train_report *rep,
                    char *why, size_t whylen);

/* k-fold cross-validated accuracy of the options on the examples of one language (C must be
 * set); texts with the same features (duplicates) share a fold, the groups are assigned
 * round-robin after a seeded shuffle. -1 on error (also with fewer distinct texts than folds). */
double sentiment_cv(const struct sent_example *ex, int n, int lang, const struct sent_train_opts *o,
                    int folds, char *why, size_t whylen);

#endif
