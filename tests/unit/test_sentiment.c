/* test_sentiment.c -- analytics/sentiment: normalisation, tokens, features, the model file
 * (refusals), training, the embedded model on obvious texts, determinism and caps. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/sentiment.h"
#include "test.h"

static const struct sent_feat_cfg ZH = {20, 3, 0};
static const struct sent_feat_cfg EN = {18, 2, SENT_F_NEGATION};

struct featlist {
    char s[256][96];
    int n;
};

static void collect(const char *f, size_t len, void *ctx)
{
    struct featlist *l = ctx;
    if (l->n < 256 && len < 96) {
        memcpy(l->s[l->n], f, len);
        l->s[l->n][len] = 0;
        l->n++;
    }
}

static int has(const struct featlist *l, const char *f)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->s[i], f) == 0)
            return 1;
    return 0;
}

static struct featlist *feats(const char *s, int lang, const struct sent_feat_cfg *cfg, int *used)
{
    struct featlist *l = calloc(1, sizeof *l);
    *used = sentiment_tokens(s, strlen(s), lang, cfg, collect, l);
    return l;
}

TEST(sentiment_lang_by_script)
{
    CHECK_EQ_INT(sentiment_lang_of("hello world", 11), SENT_EN);
    CHECK_EQ_INT(sentiment_lang_of("iPhone 很好", strlen("iPhone 很好")), SENT_ZH);
    CHECK_EQ_INT(sentiment_lang_of("服務", strlen("服務")), SENT_ZH);
    CHECK_EQ_INT(sentiment_lang_of("カタカナ", strlen("カタカナ")), SENT_EN); /* no Han */
    CHECK_EQ_INT(sentiment_lang_of(NULL, 0), SENT_EN);
}

TEST(sentiment_tokens_mixed_zh_en)
{
    int used;
    /* full-width letters, digits and marks become half-width; Latin words stay whole */
    struct featlist *l = feats("这款iPhone很好用！ＯＫ", SENT_AUTO, &ZH, &used);
    CHECK_EQ_INT(used, SENT_ZH);
    CHECK(has(l, "1这"));
    CHECK(has(l, "1iphone"));
    CHECK(has(l, "2款 iphone"));
    CHECK(has(l, "3很 好 用"));
    CHECK(has(l, "1!"));
    CHECK(has(l, "1ok"));
    CHECK(has(l, "2! ok"));
    CHECK(!has(l, "1ＯＫ") && !has(l, "1！"));
    free(l);
    /* ICU dictionary words (Traditional converted first), unigrams and bigrams */
    struct sent_feat_cfg zw = ZH;
    zw.flags |= SENT_F_WORDS;
    l = feats("這家酒店的服務非常好", SENT_AUTO, &zw, &used);
    CHECK(has(l, "W酒店") && has(l, "W服务") && has(l, "X服务 非常") && has(l, "1酒"));
    free(l);
    /* whitespace is dropped between Chinese characters */
    l = feats("很 好", SENT_ZH, &ZH, &used);
    CHECK(has(l, "2很 好"));
    free(l);
}

TEST(sentiment_tokens_english_negation)
{
    int used;
    struct featlist *l =
        feats("This is NOT good, but the screen isn't bad. Great!", SENT_AUTO, &EN, &used);
    CHECK_EQ_INT(used, SENT_EN);
    CHECK(has(l, "wthis"));
    CHECK(has(l, "wnot"));
    CHECK(has(l, "wnot_good"));
    CHECK(has(l, "bnot not_good"));
    CHECK(!has(l, "wgood"));
    CHECK(has(l, "wthe"));     /* the comma ended the scope */
    CHECK(has(l, "wnot_bad")); /* n't starts one */
    CHECK(has(l, "wgreat"));   /* the full stop ended it */
    CHECK(has(l, "w!"));
    free(l);
    struct sent_feat_cfg nn = EN;
    nn.flags = 0;
    l = feats("not good", SENT_EN, &nn, &used);
    CHECK(has(l, "wgood") && !has(l, "wnot_good"));
    free(l);
    struct sent_feat_cfg ch = EN;
    ch.flags |= SENT_F_CHARS;
    l = feats("good", SENT_EN, &ch, &used);
    CHECK(has(l, "c go") && has(l, "cgood") && has(l, "cood "));
    free(l);
    l = feats("not good", SENT_EN, &ch, &used); /* a negated word's characters are marked too */
    CHECK(has(l, "ngood") && !has(l, "cgood") && has(l, "cnot"));
    free(l);
}

static int same_features(const char *a, const char *b, const struct sent_feat_cfg *cfg)
{
    static uint32_t x[SENT_MAX_FEATS], y[SENT_MAX_FEATS];
    int na = sentiment_features(a, strlen(a), SENT_AUTO, cfg, x, NULL);
    int nb = sentiment_features(b, strlen(b), SENT_AUTO, cfg, y, NULL);
    return na > 0 && na == nb && memcmp(x, y, sizeof *x * (size_t)na) == 0;
}

TEST(sentiment_traditional_equals_simplified)
{
    CHECK(same_features("這個酒店服務很好，房間乾淨，下次還會再來",
                        "这个酒店服务很好，房间干净，下次还会再来", &ZH));
    CHECK(same_features("軟體很難用，螢幕太暗", "软件很难用，屏幕太暗", &ZH)); /* Taiwan words */
    CHECK(same_features("ＡＢＣ　１２３好", "abc 123好", &ZH));
    CHECK(!same_features("很好", "不好", &ZH));
    CHECK(same_features("soooooo goooood!!!!!!", "sooo gooood!!!", &EN));
}

TEST(sentiment_features_sorted_unique_capped)
{
    static uint32_t idx[SENT_MAX_FEATS];
    int n = sentiment_features("好好好 好好好", strlen("好好好 好好好"), SENT_AUTO, &ZH, idx, NULL);
    CHECK(n == 3); /* 好, 好好, 好好好 */
    for (int i = 1; i < n; i++)
        CHECK(idx[i - 1] < idx[i]);
    /* a long text is read up to SENT_MAX_TEXT bytes, cut at a character */
    size_t big = 100000;
    char *s = malloc(big + 1);
    for (size_t i = 0; i + 3 <= big; i += 3)
        memcpy(s + i, i % 2 ? "好" : "差", 3);
    s[big - big % 3] = 0;
    size_t len = strlen(s);
    int a = sentiment_features(s, len, SENT_AUTO, &ZH, idx, NULL);
    CHECK(a > 0 && a <= SENT_MAX_FEATS);
    free(s);
    /* invalid UTF-8 is a separator, never a crash */
    const char bad[] = "\xff\xfe好\xe5\x80";
    CHECK(sentiment_features(bad, sizeof bad - 1, SENT_AUTO, &ZH, idx, NULL) >= 1);
}

/* A tiny training set, both languages. */
static const struct sent_example tiny[] = {
    {"服务很好，非常满意", 0, 1},       {"质量很好，推荐购买", 0, 1},
    {"房间干净，服务热情", 0, 1},       {"非常满意，下次再来", 0, 1},
    {"太差了，非常失望", 0, 0},         {"质量很差，不推荐", 0, 0},
    {"房间很脏，服务很差", 0, 0},       {"失望，再也不来了", 0, 0},
    {"great product, love it", 0, 1},   {"works great, very happy", 0, 1},
    {"excellent and good value", 0, 1}, {"love it, great", 0, 1},
    {"terrible, broke quickly", 0, 0},  {"bad quality, waste of money", 0, 0},
    {"not good, very bad", 0, 0},       {"terrible waste, do not buy", 0, 0},
};

static unsigned char *train_tiny(size_t *len)
{
    int n = (int)(sizeof tiny / sizeof tiny[0]);
    struct sent_example ex[16];
    for (int i = 0; i < n; i++) {
        ex[i] = tiny[i];
        ex[i].len = strlen(ex[i].text);
    }
    struct sent_train_opts o;
    sentiment_train_defaults(&o);
    o.folds = 2;
    o.C = 1;
    struct sent_train_report rep;
    unsigned char *file = NULL;
    char why[200];
    if (sentiment_train(ex, n, SENT_AUTO, &o, &file, len, &rep, why, sizeof why)) {
        fprintf(stderr, "  train: %s\n", why);
        return NULL;
    }
    return file;
}

TEST(sentiment_train_tiny_and_deterministic)
{
    size_t l1, l2;
    unsigned char *f1 = train_tiny(&l1), *f2 = train_tiny(&l2);
    CHECK(f1 && f2);
    if (!f1 || !f2)
        return;
    CHECK(l1 == l2 && memcmp(f1, f2, l1) == 0);
    struct sentiment_model *m;
    char why[200];
    CHECK_EQ_INT(sentiment_model_load(f1, l1, &m, why, sizeof why), 0);
    CHECK_EQ_INT(sentiment_model_langs(m), (1u << SENT_ZH) | (1u << SENT_EN));
    double s1, s2;
    CHECK_EQ_INT(sentiment_classify(m, "服务很好", strlen("服务很好"), &s1), 1);
    CHECK(s1 > 0.5 && s1 < 1);
    CHECK_EQ_INT(sentiment_classify(m, "服務很差", strlen("服務很差"), &s2), 0);
    CHECK(s2 < 0.5 && s2 > 0);
    CHECK_EQ_INT(sentiment_classify(m, "great, love it", 14, NULL), 1);
    CHECK_EQ_INT(sentiment_classify(m, "terrible waste", 14, NULL), 0);
    /* the empty text gets the bias alone, never an error */
    CHECK(sentiment_classify(m, "", 0, &s1) >= 0 && s1 > 0 && s1 < 1);
    sentiment_model_free(m);
    /* one class only: nothing to learn */
    struct sent_example one[3] = {{"好", 3, 1}, {"很好", 6, 1}, {"不错", 6, 1}};
    struct sent_train_opts o;
    sentiment_train_defaults(&o);
    o.folds = 2;
    struct sent_train_report rep;
    unsigned char *f3;
    size_t l3;
    CHECK_EQ_INT(sentiment_train(one, 3, SENT_AUTO, &o, &f3, &l3, &rep, why, sizeof why), -1);
    CHECK(strstr(why, "positive and negative") != NULL);
    free(f1);
    free(f2);
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16),
    p[3] = (unsigned char)(v >> 24);
}

/* Recomputes the trailing CRC-32 after an edit (zlib's polynomial, bitwise). */
static void fix_crc(unsigned char *p, size_t len)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < len - 4; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    put32(p + len - 4, c ^ 0xFFFFFFFFu);
}

static int refused(const unsigned char *p, size_t len, const char *expect)
{
    struct sentiment_model *m = (struct sentiment_model *)1;
    char why[200] = "x";
    int rc = sentiment_model_load(p, len, &m, why, sizeof why);
    int ok = rc == -1 && m == NULL && why[0] && (!expect || strstr(why, expect));
    if (!ok)
        fprintf(stderr, "  refused? rc %d why \"%s\" (expected \"%s\")\n", rc, why,
                expect ? expect : "");
    if (rc == 0)
        sentiment_model_free(m);
    return ok;
}

TEST(sentiment_model_file_refusals)
{
    size_t len;
    unsigned char *f = train_tiny(&len);
    CHECK(f != NULL);
    if (!f)
        return;
    unsigned char *c = malloc(len + 8);
    /* every truncation */
    for (size_t k = 0; k < len; k++)
        CHECK(refused(f, k, NULL));
    CHECK(refused(NULL, 0, "KAMSENT"));
    /* one flipped bit anywhere */
    for (size_t k = 0; k < len; k += 7) {
        memcpy(c, f, len);
        c[k] ^= 0x10;
        CHECK(refused(c, len, NULL));
    }
    /* a foreign file */
    CHECK(refused((const unsigned char *)"GIF89a.............", 19, "KAMSENT"));
    /* another version, with a valid checksum */
    memcpy(c, f, len);
    put32(c + 8, 2);
    fix_crc(c, len);
    CHECK(refused(c, len, "version 2"));
    /* trailing bytes (checksum over them valid) */
    memcpy(c, f, len - 4);
    memset(c + len - 4, 0, 4);
    fix_crc(c, len + 4);
    CHECK(refused(c, len + 4, "trailing"));
    /* section fields out of range, checksum valid */
    memcpy(c, f, len);
    c[16] = 9; /* language */
    fix_crc(c, len);
    CHECK(refused(c, len, "language"));
    memcpy(c, f, len);
    c[17] = 30; /* bits */
    fix_crc(c, len);
    CHECK(refused(c, len, "hash size"));
    memcpy(c, f, len);
    put32(c + 32, 0xFFFFFFFFu); /* nnz */
    fix_crc(c, len);
    CHECK(refused(c, len, NULL));
    memcpy(c, f, len);
    put32(c + 12, 3); /* sections */
    fix_crc(c, len);
    CHECK(refused(c, len, "sections"));
    /* and the untouched file loads */
    struct sentiment_model *m;
    char why[200];
    CHECK_EQ_INT(sentiment_model_load(f, len, &m, why, sizeof why), 0);
    sentiment_model_free(m);
    free(c);
    free(f);
}

TEST(sentiment_embedded_model_obvious_texts)
{
    const struct sentiment_model *m = sentiment_default();
    if (!m)
        fprintf(stderr, "  no embedded model: %s\n", sentiment_default_error());
    CHECK(m != NULL);
    if (!m)
        return;
    CHECK_EQ_INT(sentiment_model_langs(m), (1u << SENT_ZH) | (1u << SENT_EN));
    static const struct {
        const char *text;
        int label;
    } cases[] = {
        {"酒店服务很好，房间干净整洁，下次还会再来", 1},
        {"质量太差了，用了两天就坏了，非常失望", 0},
        {"物流很快，包装完好，非常满意", 1},
        {"客服态度恶劣，问题一直没有解决", 0},
        {"服務很好，房間乾淨，非常滿意", 1},
        {"品質太差勁了，很失望，不會再買", 0},
        {"This product is great, works perfectly and I love it.", 1},
        {"Terrible quality, it broke after two days. Waste of money.", 0},
        {"Excellent service, very friendly staff.", 1},
        {"The food was not good and the service was slow.", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double s = -1;
        int got = sentiment_classify(m, cases[i].text, strlen(cases[i].text), &s);
        if (got != cases[i].label)
            fprintf(stderr, "  \"%s\": got %d (score %.3f)\n", cases[i].text, got, s);
        CHECK_EQ_INT(got, cases[i].label);
        CHECK(s > 0 && s < 1 && (s >= 0.5) == (got == 1));
        double s2;
        CHECK_EQ_INT(sentiment_classify(m, cases[i].text, strlen(cases[i].text), &s2), got);
        CHECK(s2 == s); /* deterministic */
    }
    /* a long text: only the first SENT_MAX_TEXT bytes count */
    size_t big = 3 * 5000;
    char *s = malloc(big + 16);
    for (size_t i = 0; i < big; i += 3)
        memcpy(s + i, "好", 3);
    memcpy(s + big, "差差差差差", 15);
    double a, b;
    CHECK(sentiment_classify(m, s, big + 15, &a) >= 0);
    CHECK(sentiment_classify(m, s, SENT_MAX_TEXT - SENT_MAX_TEXT % 3, &b) >= 0);
    CHECK(a == b);
    free(s);
    CHECK_EQ_INT(sentiment_classify(NULL, "x", 1, NULL), -1);
}

/* The embedded model used from several threads at once gives the single-thread answers. */
static const char *const thread_texts[] = {
    "服務很好，非常滿意", "质量太差了，非常失望",         "great product, love it",
    "not good at all",    "房间干净，位置方便，早餐一般", "The battery died after a week.",
};
#define N_THREAD_TEXTS (sizeof thread_texts / sizeof thread_texts[0])

struct thread_arg {
    double want[N_THREAD_TEXTS];
    int bad;
};

static void *classify_many(void *p)
{
    struct thread_arg *a = p;
    const struct sentiment_model *m = sentiment_default();
    for (int round = 0; round < 40; round++)
        for (size_t i = 0; i < N_THREAD_TEXTS; i++) {
            double s;
            if (!m || sentiment_classify(m, thread_texts[i], strlen(thread_texts[i]), &s) < 0 ||
                s != a->want[i])
                a->bad++;
        }
    return NULL;
}

TEST(sentiment_threads)
{
    const struct sentiment_model *m = sentiment_default();
    CHECK(m != NULL);
    if (!m)
        return;
    struct thread_arg arg[4];
    for (size_t i = 0; i < N_THREAD_TEXTS; i++)
        CHECK(sentiment_classify(m, thread_texts[i], strlen(thread_texts[i]), &arg[0].want[i]) >=
              0);
    pthread_t t[4];
    for (int k = 0; k < 4; k++) {
        memcpy(arg[k].want, arg[0].want, sizeof arg[k].want);
        arg[k].bad = 0;
        CHECK(pthread_create(&t[k], NULL, classify_many, &arg[k]) == 0);
    }
    for (int k = 0; k < 4; k++) {
        pthread_join(t[k], NULL);
        CHECK_EQ_INT(arg[k].bad, 0);
    }
}

/* ---- the review of issue 14 item 5 (SENTFIX) ---- */

/* The dominant script decides: a place name in an English sentence stays English, a brand in
 * a Chinese one stays Chinese. */
TEST(sentiment_lang_dominant_script)
{
    static const struct {
        const char *s;
        int lang;
    } cases[] = {
        {"Excellent service from the 上海 team, very happy.", SENT_EN},
        {"Wow... Loved this place. (台北)", SENT_EN},
        {"Crust is not good. (台北)", SENT_EN},
        {"这款iPhone很好用", SENT_ZH},
        {"服务很好 but the app is slow", SENT_EN},
        {"我们的CRM系统很好用，service也不错", SENT_ZH},
        {"ok 很好", SENT_ZH},
        {"很好", SENT_ZH},
        {"ＧＯＯＤ 好", SENT_EN}, /* full-width letters count as Latin */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = sentiment_lang_of(cases[i].s, strlen(cases[i].s));
        if (got != cases[i].lang)
            fprintf(stderr, "  \"%s\": %d\n", cases[i].s, got);
        CHECK_EQ_INT(got, cases[i].lang);
    }
    /* and the embedded model reads such a sentence with its English section */
    const struct sentiment_model *m = sentiment_default();
    if (!m)
        return;
    static const char *const pos[] = {"Excellent service from the 上海 team, very happy.",
                                      "Great phone, works perfectly. (台北)"};
    for (size_t i = 0; i < 2; i++) {
        double s;
        int lang = 0;
        CHECK_EQ_INT(sentiment_classify_ex(m, pos[i], strlen(pos[i]), &s, &lang, NULL), 1);
        CHECK_EQ_INT(lang, SENT_EN);
    }
}

/* U+2019 (and U+2018, U+02BC) read as an apostrophe: the negation scope starts. */
TEST(sentiment_curly_apostrophe)
{
    CHECK(same_features("it isn\u2019t good", "it isn't good", &EN));
    CHECK(same_features("wouldn\u02BCt recommend", "wouldn't recommend", &EN));
    CHECK(same_features("\u2018ok\u2019", "'ok'", &EN));
    int used;
    struct featlist *l = feats("It isn\u2019t good.", SENT_EN, &EN, &used);
    CHECK(has(l, "wnot_good"));
    free(l);
    const struct sentiment_model *m = sentiment_default();
    if (!m)
        return;
    static const char *const a[] = {"It isn\u2019t good.", "Wouldn\u2019t recommend."};
    static const char *const b[] = {"It isn't good.", "Wouldn't recommend."};
    for (size_t i = 0; i < 2; i++) {
        double sa, sb;
        CHECK_EQ_INT(sentiment_classify(m, a[i], strlen(a[i]), &sa), 0);
        CHECK_EQ_INT(sentiment_classify(m, b[i], strlen(b[i]), &sb), 0);
        CHECK(sa == sb);
    }
}

/* OpenCC is found by absolute path: here (Debian's libopencc data) without a complaint, and a
 * Traditional text still converts (the CLI test checks that a tw2sp.json in the cwd is not
 * read). */
TEST(sentiment_opencc_absolute)
{
    char *t = sentiment_normalise("服務很好", strlen("服務很好"), 0);
    CHECK(t && strcmp(t, "服务很好") == 0);
    free(t);
    CHECK_EQ_STR(sentiment_convert_error(), "");
}

/* zh negation scopes (SENT_F_ZHNEG): marked to the next mark; not inside 非常 / 特别; a second
 * negator ends the scope. */
TEST(sentiment_zh_negation_scope)
{
    const struct sent_feat_cfg zn = {20, 2, SENT_F_ZHNEG};
    int used;
    struct featlist *l = feats("没有问题，很好", SENT_ZH, &zn, &used);
    CHECK(has(l, "1没"));
    CHECK(has(l, "1not_问"));
    CHECK(has(l, "2not_问 not_题"));
    CHECK(has(l, "1好")); /* after the comma: no scope */
    CHECK(!has(l, "1not_好"));
    free(l);
    l = feats("非常好，特别满意", SENT_ZH, &zn, &used);
    CHECK(has(l, "1好") && has(l, "1满") && !has(l, "1not_好") && !has(l, "1not_满"));
    free(l);
    l = feats("没有不满意的", SENT_ZH, &zn, &used);
    CHECK(has(l, "1not_有") && has(l, "1满") && !has(l, "1not_满"));
    free(l);
    l = feats("沒有問題", SENT_ZH, &zn, &used); /* Traditional: the same after tw2sp */
    CHECK(has(l, "1not_问"));
    free(l);
    /* without the flag nothing is marked */
    l = feats("没有问题", SENT_ZH, &ZH, &used);
    CHECK(has(l, "1问") && !has(l, "1not_问"));
    free(l);
}

/* A hand-built one-section model: header, en section (bits 10, 1-grams), weights, CRC. */
static size_t build_model(unsigned char *c, unsigned ng, unsigned flags, uint32_t scale_bits,
                          uint32_t bias_bits, uint32_t nnz, const unsigned char *w, size_t wn)
{
    memcpy(c, "KAMSENT", 8);
    put32(c + 8, 1);
    put32(c + 12, 1);
    c[16] = SENT_EN, c[17] = 10, c[18] = (unsigned char)ng, c[19] = (unsigned char)flags;
    put32(c + 20, scale_bits);
    put32(c + 24, bias_bits);
    put32(c + 28, 0x3F800000u); /* platt a 1.0 */
    put32(c + 32, nnz);
    memcpy(c + 36, w, wn);
    size_t len = 36 + wn + 4;
    fix_crc(c, len);
    return len;
}

/* Refusals behind a valid checksum: indices that do not increase or leave the table, weights
 * cut short, NaN / infinite scale or bias, n-gram length or flags out of range. */
TEST(sentiment_model_refusals_valid_crc)
{
    unsigned char c[128];
    const uint32_t one = 0x3F800000u, zero = 0, nan = 0x7FC00000u, inf = 0x7F800000u;
    /* two weights: index 5 and 5 + 9 */
    static const unsigned char ok[] = {5, 1, 0, 9, 0xFF, 0x7F};
    size_t len = build_model(c, 1, 0, one, zero, 2, ok, sizeof ok);
    struct sentiment_model *m = NULL;
    char why[200];
    CHECK_EQ_INT(sentiment_model_load(c, len, &m, why, sizeof why), 0);
    CHECK_EQ_INT(sentiment_model_langs(m), 1u << SENT_EN);
    sentiment_model_free(m);
    static const unsigned char same[] = {5, 1, 0, 0, 1, 0};
    len = build_model(c, 1, 0, one, zero, 2, same, sizeof same);
    CHECK(refused(c, len, "do not increase"));
    static const unsigned char far[] = {5, 1, 0, 0xFF, 0x07, 1, 0}; /* 5 + 1023 = 1028 */
    len = build_model(c, 1, 0, one, zero, 2, far, sizeof far);
    CHECK(refused(c, len, "out of range"));
    static const unsigned char first_far[] = {0x80, 0x08, 1, 0}; /* 1024: the table's end */
    len = build_model(c, 1, 0, one, zero, 1, first_far, sizeof first_far);
    CHECK(refused(c, len, "index out of range"));
    static const unsigned char cut[] = {0x85, 0x80, 0x80, 0x00, 1, 0, 9}; /* 2nd: no weight */
    len = build_model(c, 1, 0, one, zero, 2, cut, sizeof cut);
    CHECK(refused(c, len, "truncated weights"));
    len = build_model(c, 1, 0, nan, zero, 2, ok, sizeof ok);
    CHECK(refused(c, len, "weights out of range"));
    len = build_model(c, 1, 0, inf, zero, 2, ok, sizeof ok);
    CHECK(refused(c, len, "weights out of range"));
    len = build_model(c, 1, 0, one, nan, 2, ok, sizeof ok);
    CHECK(refused(c, len, "weights out of range"));
    len = build_model(c, 1, 0, one, inf | 0x80000000u, 2, ok, sizeof ok);
    CHECK(refused(c, len, "weights out of range"));
    len = build_model(c, 0, 0, one, zero, 2, ok, sizeof ok);
    CHECK(refused(c, len, "n-gram length"));
    len = build_model(c, 6, 0, one, zero, 2, ok, sizeof ok);
    CHECK(refused(c, len, "n-gram length"));
    len = build_model(c, 1, 0x80, one, zero, 2, ok, sizeof ok);
    CHECK(refused(c, len, "unknown feature flags"));
    len = build_model(c, 1, SENT_F_ZHNEG, one, zero, 2, ok, sizeof ok);
    CHECK_EQ_INT(sentiment_model_load(c, len, &m, why, sizeof why), 0); /* a known flag */
    sentiment_model_free(m);
}

/* A model without a language's section: that language is scored by the built-in model's
 * section (the same answer as the built-in model), never with the other language's rules. */
TEST(sentiment_missing_section_falls_back)
{
    const struct sentiment_model *d = sentiment_default();
    unsigned char c[128];
    static const unsigned char ok[] = {5, 1, 0, 9, 0xFF, 0x7F};
    size_t len = build_model(c, 1, 0, 0x3F800000u, 0, 2, ok, sizeof ok);
    struct sentiment_model *m = NULL;
    char why[200];
    CHECK_EQ_INT(sentiment_model_load(c, len, &m, why, sizeof why), 0);
    static const char *const zh[] = {"质量太差了，非常失望", "服务很好，非常满意"};
    for (size_t i = 0; i < 2; i++) {
        double s1 = -1, s2 = -2;
        int lang = 0;
        int a = sentiment_classify_ex(m, zh[i], strlen(zh[i]), &s1, &lang, NULL);
        if (!d) {
            CHECK_EQ_INT(a, -1); /* nothing to fall back on: refused */
            continue;
        }
        CHECK_EQ_INT(a, sentiment_classify(d, zh[i], strlen(zh[i]), &s2));
        CHECK(s1 == s2);
        CHECK_EQ_INT(lang, SENT_ZH);
        CHECK_EQ_INT(a, (int)i);
    }
    sentiment_model_free(m);
}

/* Cross-validation keeps copies of a text in one fold: 6 distinct texts repeated 4 times
 * each, 3 folds; a model that memorises would score 1.0 with copies split across folds. */
TEST(sentiment_cv_groups_duplicates)
{
    static const char *const texts[] = {"alpha bravo", "charlie delta", "echo foxtrot",
                                        "golf hotel",  "india juliet",  "kilo lima"};
    struct sent_example ex[24];
    for (int i = 0; i < 24; i++)
        ex[i] = (struct sent_example){texts[i % 6], strlen(texts[i % 6]), (i % 6) % 2};
    struct sent_train_opts o;
    sentiment_train_defaults(&o);
    o.C = 10;
    o.min_df[SENT_EN] = 1;
    char why[200];
    double acc = sentiment_cv(ex, 24, SENT_EN, &o, 3, why, sizeof why);
    /* no word is shared between texts: a held-out text has no known feature, so at best the
     * bias decides (chance); with copies in the training part it would be 1.0 */
    CHECK(acc >= 0 && acc <= 0.75);
    /* fewer distinct texts than folds: refused */
    CHECK(sentiment_cv(ex, 24, SENT_EN, &o, 7, why, sizeof why) < 0);
}
