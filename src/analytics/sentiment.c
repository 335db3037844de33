/* sentiment.c -- normalisation, features, the model file and classification (sentiment.h).
 * Training is in sentiment_train.c. */
#include "sentiment.h"

#include <math.h>
#include <opencc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/ustring.h>
#include <zlib.h>

#include "base/embed.h"
#include "base/log.h"
#include "base/utf8.h"

/* The embedded model (build/gen/sentiment_model.c, made by tools/embed from models/; empty
 * when the build had no model file). */
extern const struct embed_file kam_sentiment_model[];

/* ---- normalisation ---- */

static int is_han(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF);
}

static int is_space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0xA0 ||
           (c >= 0x2000 && c <= 0x200B) || c == 0x3000 || c == 0xFEFF || c == 0x202F || c == 0x205F;
}

/* Letters and digits of words: ASCII, Latin-1 letters up to Greek/Cyrillic/extended Latin. */
static int is_wordch(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '\'' || c == '_';
    return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x370 && c <= 0x52F);
}

/* Decodes one character at s[0..n); invalid bytes give U+FFFD and length 1. */
static size_t dec(const unsigned char *s, size_t n, uint32_t *c)
{
    size_t l = utf8_seq_len(s, n);
    if (l == 0) {
        *c = 0xFFFD;
        return 1;
    }
    if (l == 1)
        *c = s[0];
    else if (l == 2)
        *c = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    else if (l == 3)
        *c = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    else
        *c = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
             ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    return l;
}

static size_t enc(uint32_t c, char *o)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* n cut to SENT_MAX_TEXT at a character boundary. */
static size_t clip(const char *s, size_t n)
{
    if (n <= SENT_MAX_TEXT)
        return n;
    n = SENT_MAX_TEXT;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static pthread_once_t t2s_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t t2s_mu = PTHREAD_MUTEX_INITIALIZER;
static opencc_t t2s_cc = (opencc_t)-1;
static char t2s_err[300];

/* OpenCC's configurations by absolute path only (its data directory, ${prefix}/share/opencc):
 * a file of the same name in the working directory must not change the scores. tw2sp (with
 * Taiwan phrases) first, then plain t2s; a miss is logged once and kept for
 * sentiment_convert_error(). */
static void t2s_open(void)
{
    static const char *const dirs[] = {"/usr/share/opencc/", "/usr/local/share/opencc/"};
    static const char *const cfgs[] = {"tw2sp.json", "t2s.json"};
    char path[128];
    for (size_t c = 0; c < sizeof cfgs / sizeof cfgs[0] && t2s_cc == (opencc_t)-1; c++)
        for (size_t d = 0; d < sizeof dirs / sizeof dirs[0] && t2s_cc == (opencc_t)-1; d++) {
            snprintf(path, sizeof path, "%s%s", dirs[d], cfgs[c]);
            t2s_cc = opencc_open(path);
            if (t2s_cc != (opencc_t)-1 && c > 0)
                snprintf(t2s_err, sizeof t2s_err,
                         "OpenCC tw2sp.json not found; Traditional Chinese converted with %s "
                         "(scores of zh-TW text may differ)",
                         path);
        }
    if (t2s_cc == (opencc_t)-1)
        snprintf(t2s_err, sizeof t2s_err,
                 "OpenCC tw2sp.json / t2s.json not found in /usr/share/opencc or "
                 "/usr/local/share/opencc; Traditional Chinese is scored unconverted (less "
                 "accurate)");
    if (t2s_err[0])
        log_warn("sentiment: %s", t2s_err);
}

const char *sentiment_convert_error(void)
{
    pthread_once(&t2s_once, t2s_open);
    return t2s_err;
}

char *sentiment_normalise(const char *s, size_t n, unsigned flags)
{
    if (!s)
        n = 0;
    n = clip(s, n);
    /* each character re-encodes in at most as many bytes as it had, U+FFFD (3) for 1 */
    char *out = malloc(3 * n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    uint32_t prev = 0;
    int run = 0, han = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        i += dec((const unsigned char *)s + i, n - i, &c);
        if (c >= 0xFF01 && c <= 0xFF5E)
            c -= 0xFEE0;
        if (c == 0x2018 || c == 0x2019 || c == 0x02BC)
            c = '\''; /* curly apostrophes: "isn’t" reads as "isn't" */
        if (c == 0xFFFD || c == 0 || is_space(c) || (c < 0x20) || c == 0x7F)
            c = ' ';
        if (c >= 'A' && c <= 'Z')
            c += 32;
        else if ((c >= 0xC0 && c <= 0xDE && c != 0xD7))
            c += 32;
        if ((flags & SENT_F_DIGITS) && c >= '0' && c <= '9')
            c = '0';
        han |= is_han(c);
        run = c == prev ? run + 1 : 1;
        prev = c;
        if (run > 3 || (c == ' ' && run > 1))
            continue;
        o += enc(c, out + o);
    }
    out[o] = 0;
    if (!han)
        return out;
    pthread_once(&t2s_once, t2s_open);
    if (t2s_cc == (opencc_t)-1)
        return out;
    pthread_mutex_lock(&t2s_mu);
    char *conv = opencc_convert_utf8(t2s_cc, out, o);
    pthread_mutex_unlock(&t2s_mu);
    if (!conv)
        return out; /* OpenCC failed (out of memory): keep the unconverted text */
    size_t cl = strlen(conv);
    char *res = malloc(cl + 1);
    if (res)
        memcpy(res, conv, cl + 1);
    opencc_convert_utf8_free(conv);
    free(out);
    return res;
}

int sentiment_lang_of(const char *s, size_t n)
{
    if (!s)
        return SENT_EN;
    n = clip(s, n);
    /* the dominant script: a Han character weighs as much as 3 Latin letters (a Chinese word
     * is ~1.5 characters, an English one ~4.7 letters), so "the 上海 team was great" stays
     * English and "这款iPhone很好用" Chinese; a tie goes to Chinese */
    size_t han = 0, latin = 0;
    for (size_t i = 0; i < n;) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x80) {
            latin += (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
            i++;
            continue;
        }
        uint32_t c;
        i += dec((const unsigned char *)s + i, n - i, &c);
        if (is_han(c))
            han++;
        else if ((c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A) ||
                 (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7))
            latin++;
    }
    return han > 0 && 3 * han >= latin ? SENT_ZH : SENT_EN;
}

/* ---- tokens and features ---- */

#define TOK_MAX 64 /* bytes of one token kept */

struct tok {
    uint32_t off, len;
    unsigned char neg;  /* inside a negation scope (en; zh with SENT_F_ZHNEG) */
    unsigned char word; /* a word (not a mark) */
};

static int is_negation(const char *w, size_t n)
{
    static const char *const neg[] = {
        "not",     "no",       "never",  "none",    "nobody", "nothing", "neither",
        "nor",     "nowhere",  "cannot", "without", "hardly", "barely",  "dont",
        "didnt",   "doesnt",   "isnt",   "wasnt",   "cant",   "wont",    "couldnt",
        "wouldnt", "shouldnt", "arent",  "werent",  "havent", "hasnt",   "aint"};
    if (n >= 3 && memcmp(w + n - 3, "n't", 3) == 0)
        return 1;
    for (size_t i = 0; i < sizeof neg / sizeof neg[0]; i++)
        if (strlen(neg[i]) == n && memcmp(neg[i], w, n) == 0)
            return 1;
    return 0;
}

/* zh: 1 when the Han character c (between prev and next) is a negator: 不 没
 * 无 未 非 别 莫 (the text is already Simplified), except inside words where it does not
 * negate (非常, 无论, 无比, 未来, 别人, 别的, 不过, 不仅, 不但; 特别, 区别, 分别, 级别, ...). */
static int zh_negator(uint32_t c, uint32_t prev, uint32_t next)
{
    switch (c) {
    case 0x4E0D:                                                   /* 不 */
        return next != 0x8FC7 && next != 0x4EC5 && next != 0x4F46; /* 过 仅 但 */
    case 0x6CA1:                                                   /* 没 */
    case 0x83AB:                                                   /* 莫 */
        return 1;
    case 0x65E0:                                 /* 无 */
        return next != 0x8BBA && next != 0x6BD4; /* 论 比 */
    case 0x672A:                                 /* 未 */
        return next != 0x6765;                   /* 来 */
    case 0x975E:                                 /* 非 */
        return next != 0x5E38 && next != 0x51E1; /* 常 凡 */
    case 0x522B:                                 /* 别 */
        if (next == 0x4EBA || next == 0x7684)    /* 人 的 */
            return 0;
        /* after 特 区 分 级 类 个 差 告 识 性 离 辨 it is part of a word */
        return !(prev == 0x7279 || prev == 0x533A || prev == 0x5206 || prev == 0x7EA7 ||
                 prev == 0x7C7B || prev == 0x4E2A || prev == 0x5DEE || prev == 0x544A ||
                 prev == 0x8BC6 || prev == 0x6027 || prev == 0x79BB || prev == 0x8FA8);
    }
    return 0;
}

/* Splits the normalised text t into tokens (see sentiment.h); returns the count. */
static int tokenise(const char *t, size_t n, int lang, unsigned flags, struct tok *tk)
{
    int nt = 0, neg = 0, zhneg = lang == SENT_ZH && (flags & SENT_F_ZHNEG);
    uint32_t prev = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t l = dec((const unsigned char *)t + i, n - i, &c);
        if (c == ' ') {
            i += l;
            neg = zhneg ? 0 : neg;
            prev = c;
            continue;
        }
        if (zhneg && is_han(c)) {
            /* a negator flips the scope (没有不满意: 满意 unmarked); the scope runs to the
             * next punctuation mark or space */
            uint32_t next = 0;
            if (i + l < n)
                dec((const unsigned char *)t + i + l, n - i - l, &next);
            tk[nt] = (struct tok){(uint32_t)i, (uint32_t)l, (unsigned char)neg, 0};
            if (zh_negator(c, prev, next))
                neg = !neg, tk[nt].neg = 0;
            else if (c == 0x4E0D && next == 0x8FC7) /* 不过: but */
                neg = 0;
            nt++;
            i += l;
            prev = c;
            continue;
        }
        prev = c;
        if (is_wordch(c)) {
            size_t j = i + l;
            while (j < n) {
                uint32_t d;
                size_t m = dec((const unsigned char *)t + j, n - j, &d);
                if (!is_wordch(d))
                    break;
                j += m;
            }
            size_t a = i, b = j;
            while (a < b && t[a] == '\'')
                a++;
            while (b > a && t[b - 1] == '\'')
                b--;
            if (b > a) {
                tk[nt] = (struct tok){(uint32_t)a, (uint32_t)(b - a), 0, 1};
                if (zhneg)
                    tk[nt].neg = (unsigned char)neg;
                if (lang == SENT_EN && (flags & SENT_F_NEGATION)) {
                    tk[nt].neg = (unsigned char)neg;
                    if (is_negation(t + a, b - a))
                        neg = 1, tk[nt].neg = 0;
                    else if (b - a == 3 && memcmp(t + a, "but", 3) == 0)
                        neg = 0, tk[nt].neg = 0;
                }
                nt++;
            }
            i = j;
            continue;
        }
        if (lang == SENT_EN) {
            /* marks end a negation scope; ! and ? (and emoji, kana, ...) are tokens */
            if (c < 0x80 && c != '!' && c != '?') {
                neg = c == '-' || c == '"' || c == '(' || c == ')' ? neg : 0;
                i += l;
                continue;
            }
            if (c == '!' || c == '?')
                neg = 0;
        }
        neg = zhneg ? 0 : neg; /* zh: a mark ends the scope */
        tk[nt++] = (struct tok){(uint32_t)i, (uint32_t)l, 0, 0};
        i += l;
    }
    return nt;
}

static int is_end(const char *t, const struct tok *k)
{
    const char *s = t + k->off;
    if (k->word)
        return 0;
    if (k->len == 1)
        return strchr(".!?;~", s[0]) != NULL;
    return k->len == 3 && (memcmp(s, "\u3002", 3) == 0 || memcmp(s, "\u2026", 3) == 0);
}

static size_t put_tok(char *f, const char *t, const struct tok *k)
{
    size_t o = 0;
    if (k->neg) {
        memcpy(f, "not_", 4);
        o = 4;
    }
    size_t l = k->len > TOK_MAX ? TOK_MAX : k->len;
    memcpy(f + o, t + k->off, l);
    return o + l;
}

/* zh: the words of ICU's dictionary-based word breaker (UBRK_WORD, "zh"), unigrams 'W' and
 * bigrams 'X'; whitespace is skipped, punctuation marks are words. -1 when out of memory. */
static int zh_words(const char *t, size_t tn, void (*fn)(const char *feat, size_t len, void *ctx),
                    void *ctx)
{
    UErrorCode e = U_ZERO_ERROR;
    int32_t ul = 0;
    u_strFromUTF8(NULL, 0, &ul, t, (int32_t)tn, &e);
    if (e != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(e))
        return 0;
    UChar *u = malloc(sizeof *u * ((size_t)ul + 1));
    if (!u)
        return -1;
    e = U_ZERO_ERROR;
    u_strFromUTF8(u, ul + 1, &ul, t, (int32_t)tn, &e);
    UBreakIterator *bi = U_SUCCESS(e) ? ubrk_open(UBRK_WORD, "zh", u, ul, &e) : NULL;
    if (!bi || U_FAILURE(e)) {
        if (bi)
            ubrk_close(bi);
        free(u);
        return e == U_MEMORY_ALLOCATION_ERROR ? -1 : 0;
    }
    char f[2 * (TOK_MAX + 4) + 4];
    size_t pl = 0; /* the previous word, at f + 1 (its length) */
    char prev[TOK_MAX + 4];
    for (int32_t a = ubrk_first(bi), b = ubrk_next(bi); b != UBRK_DONE; a = b, b = ubrk_next(bi)) {
        char w[TOK_MAX + 4];
        int32_t wl = 0;
        UErrorCode e2 = U_ZERO_ERROR;
        int32_t cut = b - a > TOK_MAX / 3 ? TOK_MAX / 3 : b - a;
        u_strToUTF8(w, (int32_t)sizeof w, &wl, u + a, cut, &e2);
        if (U_FAILURE(e2) || wl <= 0 || wl > TOK_MAX || (wl == 1 && w[0] == ' '))
            continue;
        f[0] = 'W';
        memcpy(f + 1, w, (size_t)wl);
        fn(f, (size_t)wl + 1, ctx);
        if (pl) {
            f[0] = 'X';
            memcpy(f + 1, prev, pl);
            f[pl + 1] = ' ';
            memcpy(f + pl + 2, w, (size_t)wl);
            fn(f, pl + 2 + (size_t)wl, ctx);
        }
        memcpy(prev, w, (size_t)wl);
        pl = (size_t)wl;
    }
    ubrk_close(bi);
    free(u);
    return 0;
}

int sentiment_tokens(const char *s, size_t n, int lang, const struct sent_feat_cfg *cfg,
                     void (*fn)(const char *feat, size_t len, void *ctx), void *ctx)
{
    if (!s)
        n = 0;
    n = clip(s, n);
    if (lang != SENT_ZH && lang != SENT_EN)
        lang = sentiment_lang_of(s, n);
    char *t = sentiment_normalise(s, n, cfg->flags);
    if (!t)
        return -1;
    size_t tn = strlen(t);
    struct tok *tk = malloc(sizeof *tk * (tn + 1));
    if (!tk) {
        free(t);
        return -1;
    }
    int nt = tokenise(t, tn, lang, cfg->flags, tk);
    unsigned nmax = cfg->ngram_max < 1 ? 1 : cfg->ngram_max > 5 ? 5 : cfg->ngram_max;
    char f[8 + 5 * (TOK_MAX + 5)];
    static const char en_ns[] = "wbtqp";
    /* the last sentence: after the last sentence end that is not at the end of the text */
    int tail = nt;
    if (cfg->flags & SENT_F_TAIL) {
        int e = nt;
        while (e > 0 && is_end(t, &tk[e - 1]))
            e--;
        tail = e;
        while (tail > 0 && !is_end(t, &tk[tail - 1]))
            tail--;
        if (tail == 0)
            tail = nt; /* one sentence: no tail */
    }
    for (int i = 0; i < nt; i++) {
        if ((cfg->flags & SENT_F_SKIP) && i + 2 < nt) {
            size_t o = 0;
            f[o++] = 's';
            o += put_tok(f + o, t, &tk[i]);
            f[o++] = ' ';
            o += put_tok(f + o, t, &tk[i + 2]);
            fn(f, o, ctx);
        }
        if (i >= tail) {
            size_t o = 0;
            f[o++] = 'T';
            o += put_tok(f + o, t, &tk[i]);
            fn(f, o, ctx);
            if (i + 1 < nt) {
                f[0] = 'U';
                f[o++] = ' ';
                o += put_tok(f + o, t, &tk[i + 1]);
                fn(f, o, ctx);
            }
        }
        for (unsigned k = 1; k <= nmax && i + (int)k <= nt; k++) {
            size_t o = 0;
            f[o++] = lang == SENT_ZH ? (char)('0' + k) : en_ns[k - 1];
            for (unsigned j = 0; j < k; j++) {
                if (j)
                    f[o++] = ' ';
                o += put_tok(f + o, t, &tk[i + (int)j]);
            }
            fn(f, o, ctx);
        }
        if (lang == SENT_EN && (cfg->flags & SENT_F_CHARS) && tk[i].word) {
            /* character 3..5-grams of " word " (bytes; a word is mostly ASCII) */
            char w[TOK_MAX + 2];
            size_t wl = tk[i].len > TOK_MAX ? TOK_MAX : tk[i].len;
            w[0] = ' ';
            memcpy(w + 1, t + tk[i].off, wl);
            w[wl + 1] = ' ';
            wl += 2;
            for (size_t a = 0; a < wl; a++)
                for (size_t g = 3; g <= 5 && a + g <= wl; g++) {
                    f[0] = tk[i].neg ? 'n' : 'c';
                    memcpy(f + 1, w + a, g);
                    fn(f, g + 1, ctx);
                }
        }
    }
    free(tk);
    if (lang == SENT_ZH && (cfg->flags & SENT_F_WORDS) && zh_words(t, tn, fn, ctx) < 0) {
        free(t);
        return -1;
    }
    free(t);
    return lang;
}

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    /* murmur3 finaliser: FNV's low bits are weak, the top bits are used */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

struct hash_ctx {
    uint32_t *idx;
    int n;
    unsigned bits;
};

static void hash_one(const char *feat, size_t len, void *ctx)
{
    struct hash_ctx *h = ctx;
    if (h->n < SENT_MAX_FEATS)
        h->idx[h->n++] = (uint32_t)(fnv(feat, len) >> (64 - h->bits));
}

/* Sorts a[0..n) (values < 2^24) with two 12-bit LSD radix passes through tmp; the result is
 * in a. */
static void radix_sort(uint32_t *a, uint32_t *tmp, int n)
{
    uint32_t *src = a, *dst = tmp;
    for (int shift = 0; shift < 24; shift += 12) {
        int cnt[4097] = {0};
        for (int i = 0; i < n; i++)
            cnt[((src[i] >> shift) & 4095) + 1]++;
        for (int k = 0; k < 4096; k++)
            cnt[k + 1] += cnt[k];
        for (int i = 0; i < n; i++)
            dst[cnt[(src[i] >> shift) & 4095]++] = src[i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
}

int sentiment_features(const char *s, size_t n, int lang, const struct sent_feat_cfg *cfg,
                       uint32_t *idx, int *lang_out)
{
    struct hash_ctx h = {idx, 0, cfg->bits < 10 ? 10 : cfg->bits > 24 ? 24 : cfg->bits};
    int used = sentiment_tokens(s, n, lang, cfg, hash_one, &h);
    if (used < 0)
        return -1;
    if (lang_out)
        *lang_out = used;
    uint32_t *tmp = malloc(sizeof *tmp * (size_t)(h.n ? h.n : 1));
    if (!tmp)
        return -1;
    radix_sort(idx, tmp, h.n);
    free(tmp);
    int u = 0;
    for (int i = 0; i < h.n; i++)
        if (u == 0 || idx[u - 1] != idx[i])
            idx[u++] = idx[i];
    return u;
}

/* ---- the model file ---- */

struct sent_section {
    int present;
    struct sent_feat_cfg cfg;
    float scale, bias, platt_a;
    unsigned nnz;
    int16_t *w; /* dense, 2^bits */
};

struct sentiment_model {
    struct sent_section sec[3];
    uint32_t crc; /* the file's CRC-32: its id */
};

#define SENT_MAGIC "KAMSENT"
#define SENT_VERSION 1u
#define SENT_MIN_BITS 10
#define SENT_MAX_BITS 22

struct rd {
    const unsigned char *p;
    size_t n, at;
};

static int rd_u8(struct rd *r, unsigned *v)
{
    if (r->at >= r->n)
        return -1;
    *v = r->p[r->at++];
    return 0;
}

static int rd_u32(struct rd *r, uint32_t *v)
{
    if (r->n - r->at < 4)
        return -1;
    const unsigned char *p = r->p + r->at;
    *v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    r->at += 4;
    return 0;
}

static int rd_f32(struct rd *r, float *v)
{
    uint32_t u;
    if (rd_u32(r, &u))
        return -1;
    memcpy(v, &u, 4);
    return 0;
}

static int rd_varint(struct rd *r, uint32_t *v)
{
    uint32_t x = 0;
    for (int sh = 0; sh < 35; sh += 7) {
        unsigned b;
        if (rd_u8(r, &b))
            return -1;
        if (sh == 28 && (b & 0x70))
            return -1; /* more than 32 bits */
        x |= (uint32_t)(b & 0x7F) << sh;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

void sentiment_model_free(struct sentiment_model *m)
{
    if (!m)
        return;
    for (int i = 0; i < 3; i++)
        free(m->sec[i].w);
    free(m);
}

static int load_fail(struct sentiment_model *m, char *why, size_t whylen, const char *msg, int sec)
{
    if (why && whylen) {
        if (sec >= 0)
            snprintf(why, whylen, "not a usable sentiment model: section %d: %s", sec + 1, msg);
        else
            snprintf(why, whylen, "not a usable sentiment model: %s", msg);
    }
    sentiment_model_free(m);
    return -1;
}

int sentiment_model_load(const void *data, size_t len, struct sentiment_model **out, char *why,
                         size_t whylen)
{
    *out = NULL;
    if (why && whylen)
        why[0] = 0;
    const unsigned char *p = data;
    if (!p || len < 8 + 4 + 4 + 4 || memcmp(p, SENT_MAGIC, 8) != 0)
        return load_fail(NULL, why, whylen, "it does not start with the KAMSENT header", -1);
    struct rd r = {p, len - 4, 8};
    uint32_t version, nsec, crc_file;
    struct rd tail = {p, len, len - 4};
    rd_u32(&r, &version);
    rd_u32(&r, &nsec);
    rd_u32(&tail, &crc_file);
    if (version != SENT_VERSION) {
        char msg[96];
        snprintf(msg, sizeof msg, "version %u (this kam reads version %u)", version, SENT_VERSION);
        return load_fail(NULL, why, whylen, msg, -1);
    }
    uLong crc = crc32(0L, Z_NULL, 0);
    size_t done = 0;
    while (done < len - 4) {
        size_t chunk = len - 4 - done > (1u << 30) ? (1u << 30) : len - 4 - done;
        crc = crc32(crc, p + done, (uInt)chunk);
        done += chunk;
    }
    if ((uint32_t)crc != crc_file)
        return load_fail(NULL, why, whylen, "checksum mismatch (damaged or truncated file)", -1);
    if (nsec < 1 || nsec > 2)
        return load_fail(NULL, why, whylen, "it must have 1 or 2 sections", -1);
    struct sentiment_model *m = calloc(1, sizeof *m);
    if (!m)
        return load_fail(NULL, why, whylen, "out of memory", -1);
    m->crc = crc_file;
    for (int s = 0; s < (int)nsec; s++) {
        unsigned lang, bits, ng, flags;
        float scale, bias, pa;
        uint32_t nnz;
        if (rd_u8(&r, &lang) || rd_u8(&r, &bits) || rd_u8(&r, &ng) || rd_u8(&r, &flags) ||
            rd_f32(&r, &scale) || rd_f32(&r, &bias) || rd_f32(&r, &pa) || rd_u32(&r, &nnz))
            return load_fail(m, why, whylen, "truncated header", s);
        if (lang != SENT_ZH && lang != SENT_EN)
            return load_fail(m, why, whylen, "unknown language", s);
        if (m->sec[lang].present)
            return load_fail(m, why, whylen, "the language appears twice", s);
        if (bits < SENT_MIN_BITS || bits > SENT_MAX_BITS)
            return load_fail(m, why, whylen, "hash size out of range", s);
        if (ng < 1 || ng > 5)
            return load_fail(m, why, whylen, "n-gram length out of range", s);
        if (flags & ~SENT_F_ALL)
            return load_fail(m, why, whylen, "unknown feature flags", s);
        if (!isfinite(scale) || scale < 0 || !isfinite(bias) || !isfinite(pa) || pa <= 0 ||
            fabsf(bias) > 1e6f || scale > 1e6f || pa > 1e6f)
            return load_fail(m, why, whylen, "weights out of range", s);
        size_t dim = (size_t)1 << bits;
        if (nnz > dim || (size_t)nnz * 3 > r.n - r.at)
            return load_fail(m, why, whylen, "more weights than the file holds", s);
        struct sent_section *sec = &m->sec[lang];
        sec->w = calloc(dim, sizeof *sec->w);
        if (!sec->w)
            return load_fail(m, why, whylen, "out of memory", s);
        sec->present = 1;
        sec->cfg = (struct sent_feat_cfg){bits, ng, flags};
        sec->scale = scale;
        sec->bias = bias;
        sec->platt_a = pa;
        sec->nnz = nnz;
        uint64_t at = 0;
        for (uint32_t k = 0; k < nnz; k++) {
            uint32_t d;
            unsigned lo, hi;
            if (rd_varint(&r, &d) || rd_u8(&r, &lo) || rd_u8(&r, &hi))
                return load_fail(m, why, whylen, "truncated weights", s);
            if (k > 0 && d == 0)
                return load_fail(m, why, whylen, "weight indices do not increase", s);
            at += d;
            if (at >= dim)
                return load_fail(m, why, whylen, "weight index out of range", s);
            sec->w[at] = (int16_t)(uint16_t)(lo | hi << 8);
        }
    }
    if (r.at != r.n)
        return load_fail(m, why, whylen, "trailing bytes after the last section", -1);
    *out = m;
    return 0;
}

void sentiment_model_id(const struct sentiment_model *m, char out[9])
{
    snprintf(out, 9, "%08x", m ? (unsigned)m->crc : 0u);
}

unsigned sentiment_model_langs(const struct sentiment_model *m)
{
    unsigned b = 0;
    for (int i = 1; m && i < 3; i++)
        if (m->sec[i].present)
            b |= 1u << i;
    return b;
}

static pthread_once_t def_once = PTHREAD_ONCE_INIT;
static struct sentiment_model *def_model;
static char def_err[200];

static void def_load(void)
{
    const struct embed_file *f = NULL;
    for (const struct embed_file *e = kam_sentiment_model; e->name; e++)
        if (strcmp(e->name, "sentiment.kam") == 0)
            f = e;
    if (!f) {
        snprintf(def_err, sizeof def_err, "this kam was built without a sentiment model");
        return;
    }
    sentiment_model_load(f->data, f->len, &def_model, def_err, sizeof def_err);
}

const struct sentiment_model *sentiment_default(void)
{
    pthread_once(&def_once, def_load);
    return def_model;
}

const char *sentiment_default_error(void)
{
    pthread_once(&def_once, def_load);
    return def_model ? "" : def_err;
}

int sentiment_classify_ex(const struct sentiment_model *m, const char *s, size_t n, double *score,
                          int *lang, double *decision)
{
    if (!m)
        return -1;
    int want = sentiment_lang_of(s, n);
    const struct sent_section *sec = &m->sec[want];
    if (!sec->present) {
        /* a company model without this language: the built-in model's section for it */
        const struct sentiment_model *d = sentiment_default();
        if (!d || d == m || !d->sec[want].present)
            return -1;
        sec = &d->sec[want];
    }
    uint32_t *idx = malloc(sizeof *idx * SENT_MAX_FEATS);
    if (!idx)
        return -1;
    int used;
    int nf = sentiment_features(s, n, want, &sec->cfg, idx, &used);
    if (nf < 0) {
        free(idx);
        return -1;
    }
    int64_t acc = 0;
    for (int i = 0; i < nf; i++)
        acc += sec->w[idx[i]];
    free(idx);
    double dv = sec->bias + (nf ? (double)acc * sec->scale / sqrt((double)nf) : 0.0);
    if (score)
        *score = 1.0 / (1.0 + exp(-(double)sec->platt_a * dv));
    if (lang)
        *lang = want;
    if (decision)
        *decision = dv;
    return dv >= 0;
}

int sentiment_classify(const struct sentiment_model *m, const char *s, size_t n, double *score)
{
    return sentiment_classify_ex(m, s, n, score, NULL, NULL);
}
