/* fuzz_sentiment.c -- libFuzzer target: the sentiment model-file parser and the text
 * normaliser / tokenizer / classifier (analytics/sentiment.h).
 *
 * Input: the first byte picks the mode. Even: the rest is a model file; it either loads or is
 * refused with a reason; a loaded model classifies a few texts with a score in (0, 1) that
 * agrees with the label. With bit 1 also set (2, 6, ...), the harness first writes the magic,
 * version 1 and a correct trailing CRC-32 over the rest, so the section parser behind the
 * checksum is reached. Odd: the rest is a text; its features (the byte's bits pick the
 * n-gram length and the flags) are sorted, unique and inside the hash space, and the embedded
 * model (when there is one) classifies it with the same answer twice. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "analytics/sentiment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

static void bug(const char *what)
{
    fprintf(stderr, "fuzz_sentiment: %s\n", what);
    abort();
}

static void check_classify(const struct sentiment_model *m, const char *s, size_t n)
{
    double sc = -1, sc2 = -1;
    int a = sentiment_classify(m, s, n, &sc);
    int b = sentiment_classify(m, s, n, &sc2);
    if (a < 0)
        return; /* out of memory only */
    if (a != b || sc != sc2)
        bug("classification not deterministic");
    if (!(sc >= 0 && sc <= 1) || (a == 1) != (sc >= 0.5))
        bug("score out of range or disagreeing with the label");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *rest = (const char *)data + 1;
    size_t n = size - 1;
    if (!(data[0] & 1)) {
        struct sentiment_model *m = NULL;
        char why[200];
        unsigned char *fixed = NULL;
        if ((data[0] & 2) && n >= 16) {
            fixed = malloc(n);
            if (!fixed)
                return 0;
            memcpy(fixed, rest, n);
            memcpy(fixed, "KAMSENT", 8);
            fixed[8] = 1, fixed[9] = fixed[10] = fixed[11] = 0;
            uint32_t c = (uint32_t)crc32(crc32(0L, Z_NULL, 0), fixed, (uInt)(n - 4));
            fixed[n - 4] = (unsigned char)c, fixed[n - 3] = (unsigned char)(c >> 8);
            fixed[n - 2] = (unsigned char)(c >> 16), fixed[n - 1] = (unsigned char)(c >> 24);
            rest = (const char *)fixed;
        }
        int rc = sentiment_model_load(rest, n, &m, why, sizeof why);
        free(fixed);
        if (rc) {
            if (m || !why[0])
                bug("refusal without a reason, or with a model");
            return 0;
        }
        if (!m || !sentiment_model_langs(m))
            bug("a loaded model without sections");
        static const char *const texts[] = {"很好", "很差", "good", "not bad", ""};
        for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
            check_classify(m, texts[i], strlen(texts[i]));
        sentiment_model_free(m);
        return 0;
    }
    struct sent_feat_cfg cfg = {10u + (data[0] >> 1) % 13u, 1u + (data[0] >> 3) % 5u,
                                (data[0] >> 5) & SENT_F_ALL};
    static uint32_t idx[SENT_MAX_FEATS];
    int lang;
    int nf = sentiment_features(rest, n, SENT_AUTO, &cfg, idx, &lang);
    if (nf >= 0) {
        if (nf > SENT_MAX_FEATS || (lang != SENT_ZH && lang != SENT_EN))
            bug("feature count or language out of range");
        for (int i = 0; i < nf; i++) {
            if (idx[i] >> cfg.bits)
                bug("feature outside the hash space");
            if (i && idx[i - 1] >= idx[i])
                bug("features not sorted and unique");
        }
    }
    char *norm = sentiment_normalise(rest, n, cfg.flags);
    free(norm);
    const struct sentiment_model *m = sentiment_default();
    if (m)
        check_classify(m, rest, n);
    return 0;
}
