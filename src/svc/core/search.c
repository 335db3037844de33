/* search.c -- the global search index, its folding (ICU) and the duplicate check (查重).
 *
 * Transliterators are expensive to open (Han-Latin loads its tables: tens of milliseconds) and
 * are not safe for concurrent use, so the process opens each once, uses them under one mutex
 * (a folding takes microseconds) and closes them at exit. */
#include "search.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>
#include <unicode/utrans.h>

#include "base/utf8.h"
#include "policy.h"
#include "store/db.h"
#include "store/sqlb.h"

/* Bumped when the folding changes: rows folded by an older rule are re-indexed by the
 * catch-up. */
#define FOLD_VERSION 3   /* 3: pinyin phrase overrides, both readings of a surname */
#define FOLD_MAX_IN 4096 /* bytes of one text that are folded */
#define BATCH 500

/* ---- the kinds ---- */

/* One searchable kind. `select` reads one record as: account_id (NULL: none), version, label,
 * sub, code, name, other text, phone, e-mail; search.c appends " WHERE t.id = ?". */
struct search_kind {
    const char *name;
    const char *table;
    enum obj obj;
    int scoped; /* under an account: readers are filtered by their account scope */
    const char *select;
};

static const struct search_kind kinds[] = {
    {"account", "accounts", OBJ_ACCOUNT, 1,
     "SELECT t.id, t.version, t.name, t.code, t.code, t.name, t.alias, '', '' FROM accounts t"},
    {"contact", "contacts", OBJ_CONTACT, 1,
     "SELECT t.account_id, t.version, t.name, t.title, '', t.name, t.department, t.phone, "
     "t.email FROM contacts t"},
    {"issue", "issues", OBJ_ISSUE, 1,
     "SELECT t.account_id, t.version, t.title, '', '', t.title, '', '', '' FROM issues t"},
    {"product", "products", OBJ_PRODUCT, 0,
     "SELECT NULL, t.version, t.name, t.sku, t.sku, t.name, t.family, '', '' FROM products t"},
    /* issue 17: lessons learned (svc/contracts/lesson.c; its q= reads these rows) */
    {"lesson", "lessons", OBJ_LESSON, 1,
     "SELECT t.account_id, t.version, t.title, '', '', t.title, t.what_happened || ' ' || "
     "t.root_cause || ' ' || t.changes || ' ' || t.tags, '', '' FROM lessons t"},
    /* issue 17: contracts by number and title (svc/contracts/contract.c) */
    {"contract", "contracts", OBJ_CONTRACT, 1,
     "SELECT t.account_id, t.version, t.title, t.number, t.number, t.title, t.their_party || ' ' "
     "|| t.our_party, '', '' FROM contracts t"},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static const struct search_kind *kind_find(const char *name, size_t n)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (strlen(kinds[i].name) == n && !strncmp(kinds[i].name, name, n))
            return &kinds[i];
    return NULL;
}

/* ---- ICU ---- */

static pthread_mutex_t icu_lock = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *t_fold, *t_pinyin;
static int icu_exit_registered;

void search_shutdown(void)
{
    pthread_mutex_lock(&icu_lock);
    if (t_fold)
        utrans_close(t_fold);
    if (t_pinyin)
        utrans_close(t_pinyin);
    t_fold = t_pinyin = NULL;
    pthread_mutex_unlock(&icu_lock);
}

static void at_exit(void)
{
    search_shutdown();
}

static UTransliterator *open_one(const char *id)
{
    UChar uid[64];
    u_uastrncpy(uid, id, 63);
    uid[63] = 0;
    UErrorCode e = U_ZERO_ERROR;
    UTransliterator *t = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
    if (U_FAILURE(e)) {
        if (t)
            utrans_close(t);
        return NULL;
    }
    return t;
}

/* With icu_lock held: opens what is not open yet; 0 when both are there. */
static int icu_ready(void)
{
    if (!t_fold)
        t_fold = open_one("NFKC; Traditional-Simplified; Lower");
    if (!t_pinyin)
        t_pinyin = open_one("Han-Latin; Latin-ASCII");
    if ((t_fold || t_pinyin) && !icu_exit_registered) {
        icu_exit_registered = 1;
        atexit(at_exit);
    }
    return t_fold && t_pinyin ? 0 : -1;
}

/* s (n bytes of UTF-8, invalid sequences become U+FFFD) as UTF-16 in the arena. */
static UChar *to_u16(struct arena *a, const char *s, size_t n, int32_t *len_out)
{
    if (n > FOLD_MAX_IN)
        n = FOLD_MAX_IN;
    UChar *u = arena_alloc(a, (n + 1) * sizeof(UChar));
    int32_t len = 0, subs = 0;
    UErrorCode e = U_ZERO_ERROR;
    u_strFromUTF8WithSub(u, (int32_t)n + 1, &len, s, (int32_t)n, 0xFFFD, &subs, &e);
    if (U_FAILURE(e))
        len = 0;
    *len_out = len;
    return u;
}

static char *to_u8(struct arena *a, const UChar *u, int32_t n)
{
    size_t cap = (size_t)n * 3 + 1;
    char *s = arena_alloc(a, cap);
    int32_t len = 0, subs = 0;
    UErrorCode e = U_ZERO_ERROR;
    u_strToUTF8WithSub(s, (int32_t)cap, &len, u, n, 0xFFFD, &subs, &e);
    if (U_FAILURE(e))
        len = 0;
    s[len] = 0;
    return s;
}

/* With icu_lock held: t applied to in[0..n); NULL if ICU fails. */
static UChar *translit(struct arena *a, UTransliterator *t, const UChar *in, int32_t n,
                       int32_t *len_out)
{
    int32_t cap = n * 4 + 16;
    for (;;) {
        UChar *buf = arena_alloc(a, (size_t)cap * sizeof(UChar));
        memcpy(buf, in, (size_t)n * sizeof(UChar));
        int32_t len = n, limit = n;
        UErrorCode e = U_ZERO_ERROR;
        utrans_transUChars(t, buf, &len, cap, 0, &limit, &e);
        if (e == U_BUFFER_OVERFLOW_ERROR && cap < (1 << 20)) {
            cap *= 4;
            continue;
        }
        if (U_FAILURE(e))
            return NULL;
        *len_out = len;
        return buf;
    }
}

const char *search_fold(struct arena *a, const char *s)
{
    if (!s)
        s = "";
    int32_t n = 0;
    UChar *u = to_u16(a, s, strlen(s), &n);
    pthread_mutex_lock(&icu_lock);
    UChar *f = NULL;
    int32_t fn = 0;
    if (!icu_ready())
        f = translit(a, t_fold, u, n, &fn);
    pthread_mutex_unlock(&icu_lock);
    if (!f)
        return NULL;
    /* Trim, and collapse runs of white space into one space. */
    char *out = to_u8(a, f, fn), *w = out;
    int space = 1;
    for (const char *p = out; *p; p++) {
        int ws = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v';
        if (ws) {
            if (!space)
                *w++ = ' ';
            space = 1;
        } else {
            *w++ = *p;
            space = 0;
        }
    }
    if (w > out && w[-1] == ' ')
        w--;
    *w = 0;
    return out;
}

static int is_han(UChar32 c)
{
    UErrorCode e = U_ZERO_ERROR;
    return uscript_getScript(c, &e) == USCRIPT_HAN && U_SUCCESS(e);
}

/* Appends the ASCII words of t[0..n) to full and to initials: a Han run's syllables give
 * their first letter, other words are kept whole. Two Latin words in a row keep a space between
 * them, so a query cannot match across them ("cp" in "hydrauli-c p-ump"); a Han run and the
 * word beside it join ("abc测评" -> "abccp"), as do the syllables of a Han run ("ceping"). */
static void words_of(const UChar *t, int32_t n, int han, struct buf *full, struct buf *init)
{
    int in_word = 0, words = 0;
    for (int32_t i = 0; i < n; i++) {
        UChar c = t[i];
        if (c < 128 &&
            ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            char ch = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            if (!han && !in_word && words++) {
                buf_putc(full, ' ');
                buf_putc(init, ' ');
            }
            buf_putc(full, ch);
            if (!han || !in_word)
                buf_putc(init, ch);
            in_word = 1;
        } else {
            in_word = 0;
        }
    }
}

/* ---- pinyin: phrase overrides before ICU ----
 *
 * ICU's Han-Latin reads each character alone, with its most common reading: 长沙 comes out
 * "zhangsha", 厦门 "shamen", 银行 "yinxing". Phrases (place names, banks, common words) whose
 * reading differs are listed here with their syllables and win over ICU, longest match first;
 * the syllables give the initials too. Simplified (folded) text, sorted by strcmp (checked by
 * the unit tests through search_pinyin_tables_sorted()). */
struct py_phrase {
    const char *zh, *py;
};

static const struct py_phrase py_phrases[] = {
    {"东阿", "dong e"},           {"中行", "zhong hang"},  {"乐亭", "lao ting"},
    {"乐器", "yue qi"},           {"乐团", "yue tuan"},    {"乐队", "yue dui"},
    {"交行", "jiao hang"},        {"会计", "kuai ji"},     {"六安", "lu an"},
    {"农行", "nong hang"},        {"分行", "fen hang"},    {"单于", "chan yu"},
    {"单县", "shan xian"},        {"厦门", "xia men"},     {"商行", "shang hang"},
    {"央行", "yang hang"},        {"工行", "gong hang"},   {"建行", "jian hang"},
    {"总行", "zong hang"},        {"成都", "cheng du"},    {"投行", "tou hang"},
    {"招行", "zhao hang"},        {"支行", "zhi hang"},    {"枞阳", "zong yang"},
    {"泌阳", "bi yang"},          {"洪洞", "hong tong"},   {"犍为", "qian wei"},
    {"番禺", "pan yu"},           {"蚌埠", "beng bu"},     {"行业", "hang ye"},
    {"行情", "hang qing"},        {"行长", "hang zhang"},  {"西藏", "xi zang"},
    {"车行", "che hang"},         {"都市", "du shi"},      {"都江堰", "du jiang yan"},
    {"重复", "chong fu"},         {"重建", "chong jian"},  {"重新", "chong xin"},
    {"重组", "chong zu"},         {"重阳", "chong yang"},  {"铅山", "yan shan"},
    {"银行", "yin hang"},         {"长丰", "chang feng"},  {"长乐", "chang le"},
    {"长兴", "chang xing"},       {"长城", "chang cheng"}, {"长城汽车", "chang cheng qi che"},
    {"长宁", "chang ning"},       {"长安", "chang an"},    {"长寿", "chang shou"},
    {"长岛", "chang dao"},        {"长度", "chang du"},    {"长征", "chang zheng"},
    {"长春", "chang chun"},       {"长期", "chang qi"},    {"长汀", "chang ting"},
    {"长江", "chang jiang"},      {"长沙", "chang sha"},   {"长沙市", "chang sha shi"},
    {"长治", "chang zhi"},        {"长海", "chang hai"},   {"长清", "chang qing"},
    {"长白山", "chang bai shan"}, {"长葛", "chang ge"},    {"长虹", "chang hong"},
    {"长远", "chang yuan"},       {"长途", "chang tu"},    {"音乐", "yin yue"},
    {"首都", "shou du"},          {"黄陂", "huang pi"},
};
static const struct py_phrase py_surnames[] = {
    {"万俟", "mo qi"}, {"乐", "yue"},      {"仇", "qiu"},  {"区", "ou"},
    {"单", "shan"},    {"尉迟", "yu chi"}, {"曾", "zeng"}, {"朴", "piao"},
    {"查", "zha"},     {"盖", "ge"},       {"覃", "qin"},  {"解", "xie"},
};

/* Surnames read otherwise than the character alone (单 shan, 曾 zeng, ...): a name that starts
 * with one is indexed under both readings (py_surnames above), "danwei shanwei". */
#define PY_PHRASE_MAX 4 /* characters of the longest phrase */
#define NPHRASES (sizeof py_phrases / sizeof py_phrases[0])
#define NSURNAMES (sizeof py_surnames / sizeof py_surnames[0])

static int phrase_cmp(const void *k, const void *e)
{
    return strcmp(k, ((const struct py_phrase *)e)->zh);
}

int search_pinyin_tables_sorted(void)
{
    for (size_t i = 1; i < NPHRASES; i++)
        if (strcmp(py_phrases[i - 1].zh, py_phrases[i].zh) >= 0)
            return 0;
    for (size_t i = 1; i < NSURNAMES; i++)
        if (strcmp(py_surnames[i - 1].zh, py_surnames[i].zh) >= 0)
            return 0;
    return 1;
}

/* The longest entry of tab that u[i..n) starts with (UTF-16 units of it in *len); NULL if none. */
static const struct py_phrase *phrase_at(const struct py_phrase *tab, size_t ntab, const UChar *u,
                                         int32_t i, int32_t n, int32_t *len)
{
    int32_t ends[PY_PHRASE_MAX + 1], k = 0, j = i;
    while (k < PY_PHRASE_MAX && j < n) {
        U16_FWD_1(u, j, n);
        ends[++k] = j;
    }
    for (; k >= 1; k--) {
        char key[4 * PY_PHRASE_MAX + 1];
        int32_t kn = 0;
        UErrorCode e = U_ZERO_ERROR;
        u_strToUTF8(key, (int32_t)sizeof key, &kn, u + i, ends[k] - i, &e);
        if (U_FAILURE(e) || kn >= (int32_t)sizeof key)
            continue;
        key[kn] = 0;
        const struct py_phrase *p = bsearch(key, tab, ntab, sizeof *tab, phrase_cmp);
        if (p) {
            *len = ends[k] - i;
            return p;
        }
    }
    return NULL;
}

/* Appends the syllables "chang sha" as a Han run's words. */
static void words_of_ascii(const char *py, struct buf *full, struct buf *init)
{
    UChar t[64];
    int32_t n = 0;
    for (; *py && n < 64; py++)
        t[n++] = (UChar)(unsigned char)*py;
    words_of(t, n, 1, full, init);
}

/* With icu_lock held: the pinyin of the Han run u[0..n) into full and init; the phrase
 * overrides first, ICU for the rest. surname: read the run's first character(s) as a surname
 * when py_surnames has them. */
static void han_run(struct arena *a, const UChar *u, int32_t n, int surname, struct buf *full,
                    struct buf *init)
{
    int32_t i = 0, plain = 0; /* u[plain..i) waits for ICU */
    while (i < n) {
        int32_t len = 0;
        const struct py_phrase *p = NULL;
        p = phrase_at(py_phrases, NPHRASES, u, i, n, &len);
        if (surname && i == 0) { /* a longer phrase wins: 单县 is a place */
            int32_t slen = 0;
            const struct py_phrase *s = phrase_at(py_surnames, NSURNAMES, u, i, n, &slen);
            if (s && (!p || slen >= len)) {
                p = s;
                len = slen;
            }
        }
        if (!p) {
            U16_FWD_1(u, i, n);
            continue;
        }
        if (i > plain) {
            int32_t tn = 0;
            UChar *t = translit(a, t_pinyin, u + plain, i - plain, &tn);
            if (t)
                words_of(t, tn, 1, full, init);
        }
        words_of_ascii(p->py, full, init);
        i += len;
        plain = i;
    }
    if (n > plain) {
        int32_t tn = 0;
        UChar *t = translit(a, t_pinyin, u + plain, n - plain, &tn);
        if (t)
            words_of(t, tn, 1, full, init);
    }
}

/* With icu_lock held: the pinyin of u[0..n) (see search_pinyin). */
static void pinyin_of(struct arena *a, const UChar *u, int32_t n, int surname, struct buf *full,
                      struct buf *init)
{
    int32_t i = 0;
    while (i < n) {
        int32_t start = i;
        UChar32 c;
        U16_NEXT(u, i, n, c);
        int han = is_han(c);
        int32_t end = i;
        while (end < n) {
            int32_t j = end;
            U16_NEXT(u, j, n, c);
            if (is_han(c) != han)
                break;
            end = j;
        }
        if (han) {
            han_run(a, u + start, end - start, surname && start == 0, full, init);
        } else {
            int32_t tn = 0;
            UChar *t = translit(a, t_pinyin, u + start, end - start, &tn);
            if (t)
                words_of(t, tn, 0, full, init);
        }
        i = end;
    }
}

void search_pinyin(struct arena *a, const char *folded, const char **full_out,
                   const char **initials_out)
{
    struct buf full, init, full2, init2;
    buf_init(&full, 1 << 16);
    buf_init(&init, 1 << 16);
    buf_init(&full2, 1 << 16);
    buf_init(&init2, 1 << 16);
    int32_t n = 0;
    UChar *u = to_u16(a, folded ? folded : "", folded ? strlen(folded) : 0, &n);
    int32_t len = 0;
    /* A name starting with a surname of two readings: both (cheap: one more pass). */
    int ambiguous = n > 0 && phrase_at(py_surnames, NSURNAMES, u, 0, n, &len) != NULL;
    pthread_mutex_lock(&icu_lock);
    if (!icu_ready()) {
        pinyin_of(a, u, n, 0, &full, &init);
        if (ambiguous)
            pinyin_of(a, u, n, 1, &full2, &init2);
    }
    pthread_mutex_unlock(&icu_lock);
    buf_putc(&full, 0);
    buf_putc(&init, 0);
    buf_putc(&full2, 0);
    buf_putc(&init2, 0);
    const char *f = buf_ok(&full) ? full.data : "", *in = buf_ok(&init) ? init.data : "";
    const char *f2 = buf_ok(&full2) ? full2.data : "", *in2 = buf_ok(&init2) ? init2.data : "";
    if (ambiguous && *f2 && strcmp(f, f2) != 0) {
        *full_out = arena_printf(a, "%s %s", f, f2);
        *initials_out = strcmp(in, in2) ? arena_printf(a, "%s %s", in, in2) : arena_strdup(a, in);
    } else {
        *full_out = arena_strdup(a, f);
        *initials_out = arena_strdup(a, in);
    }
    buf_release(&full);
    buf_release(&init);
    buf_release(&full2);
    buf_release(&init2);
}

const char *search_digits(struct arena *a, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char *out = arena_alloc(a, n + 1), *w = out;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= '0' && s[i] <= '9')
            *w++ = s[i];
    *w = 0;
    return out;
}

/* ---- names: company suffixes, similarity ---- */

static const char *const latin_suffixes[] = {
    "co",      "ltd",   "limited", "inc", "incorporated", "corp",     "corporation",
    "company", "group", "gmbh",    "llc", "plc",          "holdings", "holding",
    "sa",      "ag",    "bv",      "pte", "pty",          "lp",       NULL};
/* Folded (simplified) Han suffixes, longest first. */
static const char *const han_suffixes[] = {
    "股份有限公司", "有限责任公司", "集团有限公司", "集团公司", "有限公司", "责任公司",
    "集团",         "股份",         "公司",         "控股",     NULL};

static int word_is(const char *w, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && !memcmp(*list, w, n))
            return 1;
    return 0;
}

static int ends_with(const char *s, size_t n, const char *suf)
{
    size_t m = strlen(suf);
    return m < n && !memcmp(s + n - m, suf, m);
}

const char *search_name_core(struct arena *a, const char *folded)
{
    if (!folded)
        folded = "";
    /* "(中国)" and "(china)" (full-width brackets are ASCII after NFKC) say nothing. */
    size_t n = strlen(folded);
    char *s = arena_strndup(a, folded, n);
    static const char *const marks[] = {"(中国)", "(china)", "【中国】", NULL};
    for (const char *const *m = marks; *m; m++) {
        char *p;
        size_t ml = strlen(*m);
        while ((p = strstr(s, *m)))
            memmove(p, p + ml, strlen(p + ml) + 1);
    }
    n = strlen(s);
    /* Words: runs of letters and digits. */
    size_t *ws = arena_alloc(a, (n + 1) * sizeof(size_t)),
           *we = arena_alloc(a, (n + 1) * sizeof(size_t));
    size_t nw = 0;
    int32_t i = 0, len = (int32_t)n;
    while (i < len) {
        int32_t at = i;
        UChar32 c;
        U8_NEXT(s, i, len, c);
        int alnum = c >= 0 && u_isalnum(c);
        if (alnum) {
            if (nw == 0 || we[nw - 1] != (size_t)at) {
                ws[nw] = (size_t)at;
                nw++;
            }
            we[nw - 1] = (size_t)i;
        }
    }
    /* Trailing Latin company words go ("co., ltd.", "inc", "group"), one word at least stays. */
    while (nw > 1 && word_is(s + ws[nw - 1], we[nw - 1] - ws[nw - 1], latin_suffixes))
        nw--;
    struct buf b;
    buf_init(&b, 1 << 16);
    for (size_t k = 0; k < nw; k++)
        buf_append(&b, s + ws[k], we[k] - ws[k]);
    buf_putc(&b, 0);
    char *core = buf_ok(&b) ? arena_strdup(a, b.data) : arena_strdup(a, "");
    buf_release(&b);
    size_t cn = strlen(core);
    for (int again = 1; again;) {
        again = 0;
        for (const char *const *suf = han_suffixes; *suf; suf++)
            if (ends_with(core, cn, *suf)) {
                cn -= strlen(*suf);
                core[cn] = 0;
                again = 1;
                break;
            }
    }
    return core;
}

#define SIM_MAX 128

static int code_points(const char *s, UChar32 *out)
{
    int32_t i = 0, n = (int32_t)strlen(s);
    int k = 0;
    while (i < n && k < SIM_MAX) {
        UChar32 c;
        U8_NEXT(s, i, n, c);
        out[k++] = c;
    }
    return k;
}

int search_similarity(const char *a, const char *b)
{
    if (!a || !b || !*a || !*b)
        return 0;
    if (!strcmp(a, b))
        return 100;
    UChar32 x[SIM_MAX], y[SIM_MAX];
    int nx = code_points(a, x), ny = code_points(b, y);
    int score = 0;
    if (nx >= 2 && ny >= 2) {
        unsigned char used[SIM_MAX] = {0};
        int common = 0;
        for (int i = 0; i + 1 < nx; i++)
            for (int j = 0; j + 1 < ny; j++)
                if (!used[j] && x[i] == y[j] && x[i + 1] == y[j + 1]) {
                    used[j] = 1;
                    common++;
                    break;
                }
        score = 200 * common / ((nx - 1) + (ny - 1));
    }
    const char *shorter = nx <= ny ? a : b, *longer = nx <= ny ? b : a;
    if ((nx <= ny ? nx : ny) >= 2 && strstr(longer, shorter) && score < 75)
        score = 75;
    return score;
}

/* ---- writing the index ---- */

static enum kam_err fold_fail(struct kam_ctx *ctx)
{
    return kam_fail(ctx->err, KAM_EINTERNAL, NULL, "cannot open the ICU transliterators");
}

enum kam_err search_drop(struct kam_ctx *ctx, const char *kind, int64_t id)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "DELETE FROM search_index WHERE kind = ? AND id = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, kind);
    db_bind_i64(st, 2, id);
    return db_run(st, ctx->err);
}

enum kam_err search_drop_account(struct kam_ctx *ctx, int64_t account_id)
{
    return db_exec_i64(ctx->db, "DELETE FROM search_index WHERE account_id = ?", account_id,
                       ctx->err);
}

static const char *col(struct kam_ctx *ctx, struct db_stmt *st, int i)
{
    const char *s = db_col_is_null(st, i) ? "" : db_col_text(st, i);
    return arena_strdup(ctx->a, s ? s : "");
}

/* if_older (the catch-up): the index row is written only over an older one (a lower record
 * version, or the same with another fold version), so a catch-up that read a record before a
 * writer changed it never overwrites the writer's newer entry, without locking the record (on
 * PostgreSQL the upsert waits for the writer's uncommitted index row, then compares). */
static enum kam_err sync_one(struct kam_ctx *ctx, const char *kind, int64_t id, int if_older)
{
    const struct search_kind *k = kind_find(kind, strlen(kind));
    if (!k)
        return kam_fail(ctx->err, KAM_EINTERNAL, NULL, "unknown search kind %s", kind);
    char sql[512];
    snprintf(sql, sizeof sql, "%s WHERE t.id = ?", k->select);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t account_id = 0, version = 0;
    int has_account = 0;
    const char *label = "", *sub = "", *code = "", *name = "", *body = "", *phone = "", *email = "";
    if (!rc && row) {
        has_account = !db_col_is_null(st, 0);
        account_id = has_account ? db_col_i64(st, 0) : 0;
        version = db_col_i64(st, 1);
        label = col(ctx, st, 2);
        sub = col(ctx, st, 3);
        code = col(ctx, st, 4);
        name = col(ctx, st, 5);
        body = col(ctx, st, 6);
        phone = col(ctx, st, 7);
        email = col(ctx, st, 8);
    }
    db_done(st);
    if (rc)
        return rc;
    if (!row)
        return search_drop(ctx, kind, id);
    const char *fcode = search_fold(ctx->a, code), *fname = search_fold(ctx->a, name),
               *fbody = search_fold(ctx->a, body), *femail = search_fold(ctx->a, email);
    if (!fcode || !fname || !fbody || !femail)
        return fold_fail(ctx);
    const char *full, *init;
    search_pinyin(ctx->a, fname, &full, &init);
    static const char upsert[] =
        "INSERT INTO search_index (kind, id, account_id, version, fold_version, label, "
        "sub, code, name, core, body, py_full, py_init, phone, email) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (kind, id) DO UPDATE SET "
        "account_id = excluded.account_id, version = excluded.version, "
        "fold_version = excluded.fold_version, label = excluded.label, "
        "sub = excluded.sub, code = excluded.code, name = excluded.name, "
        "core = excluded.core, body = excluded.body, py_full = excluded.py_full, "
        "py_init = excluded.py_init, phone = excluded.phone, email = excluded.email";
    static const char older[] =
        " WHERE search_index.version < excluded.version OR (search_index.version = "
        "excluded.version AND search_index.fold_version <> excluded.fold_version)";
    char sqlu[sizeof upsert + sizeof older];
    snprintf(sqlu, sizeof sqlu, "%s%s", upsert, if_older ? older : "");
    rc = db_prepare(ctx->db, sqlu, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, k->name);
    db_bind_i64(st, 2, id);
    db_bind_i64n(st, 3, account_id, !has_account);
    db_bind_i64(st, 4, version);
    db_bind_i64(st, 5, FOLD_VERSION);
    db_bind_text(st, 6, label);
    db_bind_text(st, 7, sub);
    db_bind_text(st, 8, fcode);
    db_bind_text(st, 9, fname);
    db_bind_text(st, 10, search_name_core(ctx->a, fname));
    db_bind_text(st, 11, fbody);
    db_bind_text(st, 12, full);
    db_bind_text(st, 13, init);
    db_bind_text(st, 14, search_digits(ctx->a, phone));
    db_bind_text(st, 15, femail);
    if ((rc = db_run(st, ctx->err)) || !if_older)
        return rc;
    /* PostgreSQL: a writer that deleted the record and its index row, uncommitted when the
     * record was read above, made the upsert wait; once it committed, the conflicting row was
     * gone and the INSERT went ahead. A new statement sees the delete: the row goes again. */
    snprintf(sql, sizeof sql,
             "DELETE FROM search_index WHERE kind = ? AND id = ? AND NOT EXISTS (SELECT 1 FROM "
             "%s t WHERE t.id = ?)",
             k->table);
    if ((rc = db_prepare(ctx->db, sql, &st, ctx->err)))
        return rc;
    db_bind_text(st, 1, k->name);
    db_bind_i64(st, 2, id);
    db_bind_i64(st, 3, id);
    return db_run(st, ctx->err);
}

enum kam_err search_sync(struct kam_ctx *ctx, const char *kind, int64_t id)
{
    return sync_one(ctx, kind, id, 0);
}

/* Up to BATCH ids the query (binds: kind, and the fold version if with_fold) names. */
static enum kam_err collect_ids(struct kam_ctx *ctx, const char *sql, const char *kind,
                                int with_fold, int64_t **ids_out, size_t *n_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, kind);
    if (with_fold)
        db_bind_i64(st, 2, FOLD_VERSION);
    int64_t *ids = arena_alloc(ctx->a, BATCH * sizeof *ids);
    size_t n = 0;
    int row = 0;
    while (!rc && n < BATCH && !(rc = db_step(st, &row, ctx->err)) && row)
        ids[n++] = db_col_i64(st, 0);
    db_done(st);
    *ids_out = ids;
    *n_out = n;
    return rc;
}

/* Inside the batch's transaction: re-reads the collected records of kind k, CHUNK at a time,
 * and indexes each whose index row is not current by now (a writer may have indexed it in
 * between); a record gone meanwhile loses its row. No record is locked (a batch locking its
 * rows in id order deadlocked with writers locking the same kind in another order): the
 * upsert is conditional instead (sync_one's if_older), so a writer's newer entry stays. An
 * index row newer than its record (the record's id given again after a delete behind kam's
 * back) is left as it is. *written: rows written or dropped. */
#define CHUNK 100
static enum kam_err catch_up_ids(struct kam_ctx *ctx, const struct search_kind *k,
                                 const int64_t *ids, size_t n, int *written)
{
    char sql[512 + 2 * CHUNK];
    int len = snprintf(sql, sizeof sql,
                       "SELECT t.id, t.version, s.version, s.fold_version FROM %s t LEFT JOIN "
                       "search_index s ON s.kind = ? AND s.id = t.id WHERE t.id IN (?",
                       k->table);
    for (int i = 1; i < CHUNK && len + 3 < (int)sizeof sql; i++) {
        sql[len++] = ',';
        sql[len++] = '?';
    }
    snprintf(sql + len, sizeof sql - (size_t)len, ")");
    enum kam_err rc = KAM_OK;
    for (size_t at = 0; !rc && at < n; at += CHUNK) {
        size_t m = n - at < CHUNK ? n - at : CHUNK;
        unsigned char *state = arena_calloc(ctx->a, m, 1); /* 0 gone, 1 stale, 2 current */
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db, sql, &st, ctx->err)))
            break;
        db_bind_text(st, 1, k->name);
        for (int i = 0; i < CHUNK; i++) /* a short chunk repeats its last id */
            db_bind_i64(st, i + 2, ids[at + ((size_t)i < m ? (size_t)i : m - 1)]);
        int row = 0;
        while (!(rc = db_step(st, &row, ctx->err)) && row) {
            int64_t id = db_col_i64(st, 0);
            for (size_t i = 0; i < m; i++) {
                if (ids[at + i] != id)
                    continue;
                int64_t tv = db_col_i64(st, 1), sv = db_col_i64(st, 2);
                state[i] = !db_col_is_null(st, 2) &&
                                   (sv > tv || (sv == tv && db_col_i64(st, 3) == FOLD_VERSION))
                               ? 2
                               : 1;
            }
        }
        db_done(st);
        for (size_t i = 0; !rc && i < m; i++) {
            if (state[i] == 2)
                continue;
            rc = state[i] ? sync_one(ctx, k->name, ids[at + i], 1)
                          : search_drop(ctx, k->name, ids[at + i]);
            (*written)++;
        }
    }
    return rc;
}

enum kam_err search_catch_up_until(struct kam_ctx *ctx, int (*stop)(void *), void *stop_arg,
                                   int *indexed_out)
{
    int total = 0, outer_tx = db_in_tx(ctx->db);
    enum kam_err rc = KAM_OK;
    for (size_t k = 0; !rc && k < NKINDS; k++) {
        char stale[512], gone[512], drop[256];
        snprintf(stale, sizeof stale,
                 "SELECT t.id FROM %s t LEFT JOIN search_index s ON s.kind = ? AND s.id = t.id "
                 "WHERE s.id IS NULL OR s.version < t.version OR (s.version = t.version AND "
                 "s.fold_version <> ?) "
                 "ORDER BY t.id LIMIT 500",
                 kinds[k].table);
        snprintf(gone, sizeof gone,
                 "SELECT s.id FROM search_index s WHERE s.kind = ? AND NOT EXISTS (SELECT 1 "
                 "FROM %s t WHERE t.id = s.id) "
                 "ORDER BY s.id LIMIT 500",
                 kinds[k].table);
        /* re-checked when dropped: SQLite may give a new record the id of a deleted one */
        snprintf(drop, sizeof drop,
                 "DELETE FROM search_index WHERE kind = ? AND id = ? AND NOT EXISTS (SELECT 1 "
                 "FROM %s t WHERE t.id = ?)",
                 kinds[k].table);
        /* Each batch in an arena of its own: a re-index of millions of rows (a new folding
         * rule) holds one batch's texts at a time, not all of them. */
        struct arena *outer = ctx->a;
        for (int pass = 0; !rc && pass < 100000; pass++) {
            if (stop && stop(stop_arg))
                goto out;
            struct arena batch;
            arena_init(&batch);
            ctx->a = &batch;
            int64_t *ids, *dead;
            size_t n = 0, nd = 0;
            int more = 0;
            /* Looked for outside a transaction, so a pass with nothing to do takes no write
             * lock; what was found is re-checked record by record inside the batch's one
             * transaction (catch_up_ids). */
            if (!(rc = collect_ids(ctx, stale, kinds[k].name, 1, &ids, &n)) &&
                !(rc = collect_ids(ctx, gone, kinds[k].name, 0, &dead, &nd)) && (n || nd) &&
                !(rc = db_begin(ctx->db, ctx->err))) {
                int written = 0;
                /* PostgreSQL: the batch, not a writer, gives way when their index rows cross
                 * (KAM_EBUSY after a short wait; the caller tries again later) -- only in a
                 * transaction of its own, never in a request's. */
                if (!outer_tx && strcmp(db_scheme(ctx->db), "sqlite") != 0)
                    rc = db_exec(ctx->db, "SET LOCAL lock_timeout = '200ms'", ctx->err);
                if (!rc)
                    rc = catch_up_ids(ctx, &kinds[k], ids, n, &written);
                for (size_t i = 0; !rc && i < nd; i++) {
                    struct db_stmt *st;
                    if (!(rc = db_prepare(ctx->db, drop, &st, ctx->err))) {
                        db_bind_text(st, 1, kinds[k].name);
                        db_bind_i64(st, 2, dead[i]);
                        db_bind_i64(st, 3, dead[i]);
                        rc = db_run(st, ctx->err);
                        written++;
                    }
                }
                rc = db_end(ctx->db, rc, ctx->err);
                if (!rc)
                    total += written;
                more = n >= BATCH || nd >= BATCH;
            }
            ctx->a = outer;
            arena_release(&batch);
            if (!more)
                break;
        }
    }
out:
    if (indexed_out)
        *indexed_out = total;
    return rc;
}

enum kam_err search_catch_up(struct kam_ctx *ctx, int *indexed_out)
{
    return search_catch_up_until(ctx, NULL, NULL, indexed_out);
}

/* ---- querying ---- */

/* Valid UTF-8 of at most max characters. */
static int text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    return utf8_valid(s, n) && utf8_chars(s, n) <= max;
}

/* s with LIKE's % _ \ escaped, between the given affixes ("%" or ""). */
static const char *like(struct arena *a, const char *pre, const char *s, const char *post)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, 2 * n + 3), *p = out;
    if (*pre)
        *p++ = '%';
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            *p++ = '\\';
        *p++ = *s;
    }
    if (*post)
        *p++ = '%';
    *p = 0;
    return out;
}

#define ESC " ESCAPE '\\'"

static int starts(const char *s, const char *p)
{
    return *p && !strncmp(s, p, strlen(p));
}

static int has(const char *s, const char *p)
{
    return *p && strstr(s, p);
}

/* What the query matched, in the order of the ranking. */
static const char *matched_field(const char *code, const char *name, const char *body,
                                 const char *full, const char *init, const char *phone,
                                 const char *email, const char *fq, const char *qc,
                                 const char *digits)
{
    if (starts(code, fq))
        return "code";
    if (starts(name, fq))
        return "name";
    if (*qc && starts(full, qc))
        return "pinyin";
    if (*qc && starts(init, qc))
        return "initials";
    if (has(name, fq) || has(body, fq))
        return "name";
    if (has(code, fq))
        return "code";
    if (*qc && has(init, qc))
        return "initials";
    if (*qc && has(full, qc))
        return "pinyin";
    if (*digits && has(phone, digits))
        return "phone";
    if (has(email, fq))
        return "email";
    return "name";
}

/* Appends "(s.kind = 'x' OR (s.kind = 'y' AND scope) ...)" for the kinds the caller may read
 * among `want` (NULL: all); 0 when none. The WITH prefix must already be there if scoped. */
static int visible_kinds(struct kam_ctx *ctx, struct sqlb *b, const unsigned char *want, int scoped)
{
    int any = 0;
    sqlb_sql(b, "(");
    for (size_t i = 0; i < NKINDS; i++) {
        if ((want && !want[i]) || policy_grant(ctx->who.role, kinds[i].obj, ACT_READ) == GRANT_NONE)
            continue;
        sqlb_sql(b, any ? " OR (s.kind = ?" : "(s.kind = ?");
        sqlb_text(b, kinds[i].name);
        /* A kind read org-wide (hr's lessons) needs no scope; a record of no account (a
         * company-wide lesson) is every reader's of its kind. */
        if (kinds[i].scoped && scoped &&
            policy_grant(ctx->who.role, kinds[i].obj, ACT_READ) != GRANT_ALL)
            sqlb_sql(b, " AND (s.account_id IS NULL OR s.account_id IN (SELECT accounts.id FROM "
                        "accounts WHERE " POLICY_SCOPE_COND "))");
        sqlb_sql(b, ")");
        any = 1;
    }
    sqlb_sql(b, any ? ")" : "1 = 0)");
    return any;
}

enum kam_err search_query(struct kam_ctx *ctx, const char *q, const char *kinds_param,
                          int64_t limit, struct search_hit **items_out, size_t *n_out)
{
    *items_out = NULL;
    *n_out = 0;
    if (limit < 0)
        return kam_fail(ctx->err, KAM_EINVAL, "limit", "limit must be 1..%d", SEARCH_MAX_LIMIT);
    if (limit == 0)
        limit = 20;
    if (limit > SEARCH_MAX_LIMIT)
        limit = SEARCH_MAX_LIMIT;
    if (!q || !*q)
        return kam_fail(ctx->err, KAM_EINVAL, "q", "q is required");
    size_t qlen = strlen(q);
    if (qlen > SEARCH_MAX_Q * 4 || !text_ok(q, SEARCH_MAX_Q))
        return kam_fail(ctx->err, KAM_EINVAL, "q", "q must be valid text of at most %d characters",
                        SEARCH_MAX_Q);
    unsigned char want[NKINDS] = {0};
    int filter = 0;
    if (kinds_param && *kinds_param) {
        filter = 1;
        for (const char *p = kinds_param; *p;) {
            size_t n = strcspn(p, ",");
            const struct search_kind *k = kind_find(p, n);
            if (!k)
                return kam_fail(ctx->err, KAM_EINVAL, "kinds",
                                "kinds must be a comma list of account, contact, issue, product, "
                                "lesson, contract");
            want[k - kinds] = 1;
            p += n;
            if (*p == ',')
                p++;
        }
    }
    const char *fq = search_fold(ctx->a, q);
    if (!fq)
        return fold_fail(ctx);
    if (!*fq)
        return kam_fail(ctx->err, KAM_EINVAL, "q", "q is required");
    /* Pinyin: an ASCII query of letters (and digits), spaces dropped ("ce ping" = "ceping"). */
    char *qc = arena_alloc(ctx->a, strlen(fq) + 1), *w = qc;
    int letters = 0, ascii = 1;
    for (const char *p = fq; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ')
            continue;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            letters += c >= 'a';
            *w++ = (char)c;
        } else {
            ascii = 0;
        }
    }
    *w = 0;
    if (!ascii || !letters)
        *qc = 0;
    /* Phone: digits and the usual separators only, three digits at least. */
    const char *digits = "";
    if (strspn(fq, "0123456789 +-()") == strlen(fq)) {
        digits = search_digits(ctx->a, fq);
        if (strlen(digits) < 3)
            digits = "";
    }
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT s.kind, s.id, s.account_id, s.label, s.sub, a.name, s.code, s.name, "
                 "s.body, s.py_full, s.py_init, s.phone, s.email, CASE WHEN s.code = ? OR "
                 "s.name = ? THEN 0 WHEN s.code LIKE ?" ESC " OR s.name LIKE ?" ESC " THEN 1");
    const char *prefix = like(ctx->a, "", fq, "%"), *sub = like(ctx->a, "%", fq, "%");
    sqlb_text(&b, fq);
    sqlb_text(&b, fq);
    sqlb_text(&b, prefix);
    sqlb_text(&b, prefix);
    const char *qprefix = *qc ? like(ctx->a, "", qc, "%") : NULL;
    if (*qc) {
        sqlb_sql(&b, " WHEN s.py_full LIKE ?" ESC " OR s.py_init LIKE ?" ESC " THEN 2");
        sqlb_text(&b, qprefix);
        sqlb_text(&b, qprefix);
    }
    sqlb_sql(&b, " ELSE 3 END AS rnk FROM search_index s LEFT JOIN accounts a ON a.id = "
                 "s.account_id WHERE ");
    if (!visible_kinds(ctx, &b, filter ? want : NULL, scoped)) {
        sqlb_release(&b);
        return KAM_OK;
    }
    sqlb_sql(&b, " AND (s.name LIKE ?" ESC " OR s.code LIKE ?" ESC " OR s.body LIKE ?" ESC
                 " OR s.email LIKE ?" ESC);
    for (int i = 0; i < 4; i++)
        sqlb_text(&b, sub);
    if (*qc) {
        /* One letter: initials and pinyin only as a prefix. */
        const char *qsub = strlen(qc) >= 2 ? like(ctx->a, "%", qc, "%") : qprefix;
        sqlb_sql(&b, " OR s.py_full LIKE ?" ESC " OR s.py_init LIKE ?" ESC);
        sqlb_text(&b, qsub);
        sqlb_text(&b, qsub);
    }
    if (*digits) {
        sqlb_sql(&b, " OR s.phone LIKE ?" ESC);
        sqlb_text(&b, like(ctx->a, "%", digits, "%"));
    }
    sqlb_sql(&b, ") ORDER BY rnk, LENGTH(s.name), s.kind, s.id LIMIT ?");
    sqlb_i64(&b, limit);
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct search_hit *items = arena_calloc(ctx->a, (size_t)limit, sizeof *items);
    size_t n = 0;
    int row = 0;
    while (n < (size_t)limit && !(rc = db_step(st, &row, ctx->err)) && row) {
        struct search_hit *h = &items[n++];
        h->kind = col(ctx, st, 0);
        h->id = db_col_i64(st, 1);
        h->account_id = db_col_is_null(st, 2) ? 0 : db_col_i64(st, 2);
        h->label = col(ctx, st, 3);
        const char *own = col(ctx, st, 4), *acc = col(ctx, st, 5);
        /* Records under an account name it: "title · account". */
        if (strcmp(h->kind, "account") && *acc)
            h->sub = *own ? arena_printf(ctx->a, "%s · %s", own, acc) : acc;
        else
            h->sub = own;
        h->matched =
            matched_field(col(ctx, st, 6), col(ctx, st, 7), col(ctx, st, 8), col(ctx, st, 9),
                          col(ctx, st, 10), col(ctx, st, 11), col(ctx, st, 12), fq, qc, digits);
        h->rank = (int)db_col_i64(st, 13);
    }
    db_done(st);
    if (rc)
        return rc;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ---- duplicates ---- */

struct cand {
    struct search_dup d;
    int visible;
};

static void add_cand(struct cand *c, size_t *n, size_t cap, const struct cand *x)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(c[i].d.kind, x->d.kind) && c[i].d.id == x->d.id) {
            if (x->d.score > c[i].d.score)
                c[i] = *x;
            return;
        }
    if (*n < cap)
        c[(*n)++] = *x;
}

static int cand_cmp(const void *pa, const void *pb)
{
    const struct cand *a = pa, *b = pb;
    if (a->d.score != b->d.score)
        return b->d.score - a->d.score;
    return a->d.id < b->d.id ? -1 : a->d.id > b->d.id;
}

#define DUP_SCAN 500
#define DUP_SHOW 10
#define DUP_MIN_SCORE 60

enum kam_err search_duplicates(struct kam_ctx *ctx, const struct search_dup_query *q,
                               struct search_dup **items_out, size_t *n_out, int *hidden_out)
{
    *items_out = NULL;
    *n_out = 0;
    *hidden_out = 0;
    int is_account;
    if (q->kind && !strcmp(q->kind, "account"))
        is_account = 1;
    else if (q->kind && !strcmp(q->kind, "contact"))
        is_account = 0;
    else
        return kam_fail(ctx->err, KAM_EINVAL, "kind", "kind must be account or contact");
    /* The account a contact goes under must be one the caller may read: otherwise the counts
     * would tell who works at an account the caller cannot see. */
    enum kam_err rc0;
    if (!is_account && q->account_id &&
        (rc0 = policy_body_account(ctx, "account_id", q->account_id, OBJ_CONTACT, ACT_READ)))
        return rc0;
    static const char *const fields[] = {"name", "code", "phone", "email"};
    const char *vals[] = {q->name, q->code, q->phone, q->email};
    for (int i = 0; i < 4; i++)
        if (vals[i] && (strlen(vals[i]) > 800 || !text_ok(vals[i], 200)))
            return kam_fail(ctx->err, KAM_EINVAL, fields[i],
                            "%s must be valid text of at most 200 characters", fields[i]);
    const char *fname = search_fold(ctx->a, q->name), *fcode = search_fold(ctx->a, q->code),
               *femail = search_fold(ctx->a, q->email);
    if (!fname || !fcode || !femail)
        return fold_fail(ctx);
    const char *core = search_name_core(ctx->a, fname), *digits = search_digits(ctx->a, q->phone);
    const char *full = "", *init = "";
    if (!is_account && *fname)
        search_pinyin(ctx->a, fname, &full, &init);
    if (strlen(digits) < 5)
        digits = ""; /* an extension or a fragment says nothing */
    if (!strchr(femail, '@'))
        femail = "";
    if (!*core && !*fcode && !*digits && !*femail)
        return KAM_OK;

    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    int contacts_readable = policy_grant(ctx->who.role, OBJ_CONTACT, ACT_READ) != GRANT_NONE;
    sqlb_sql(&b, "SELECT s.kind, s.id, s.account_id, s.label, s.sub, s.code, s.core, s.phone, "
                 "s.email, s.py_full, a.name, ");
    sqlb_sql(
        &b,
        scoped
            ? "CASE WHEN s.account_id IN (SELECT accounts.id FROM accounts WHERE " POLICY_SCOPE_COND
              ") THEN 1 ELSE 0 END"
            : "1");
    sqlb_sql(&b, " FROM search_index s LEFT JOIN accounts a ON a.id = s.account_id WHERE (1 = 0");
    /* Names compare among accounts, or among the contacts of one account. */
    int names = *core && (is_account || q->account_id > 0);
    if (names) {
        sqlb_sql(&b, is_account ? " OR (s.kind = 'account' AND (s.core = ?"
                                : " OR (s.kind = 'contact' AND s.account_id = ? AND (s.core = ?");
        if (!is_account)
            sqlb_i64(&b, q->account_id);
        sqlb_text(&b, core);
        if (!is_account && *full) {
            sqlb_sql(&b, " OR s.py_full = ?");
            sqlb_text(&b, full);
        }
        /* Candidates share a character pair with the name (at most 8 looked for). */
        UChar32 cp[SIM_MAX];
        int np = code_points(core, cp);
        int32_t off = 0, len = (int32_t)strlen(core);
        for (int i = 0; i + 1 < np && i < 8; i++) {
            int32_t start = off, mid = off, end;
            U8_FWD_1(core, mid, len);
            end = mid;
            U8_FWD_1(core, end, len);
            sqlb_sql(&b, " OR s.core LIKE ?" ESC);
            sqlb_text(&b, like(ctx->a, "%",
                               arena_strndup(ctx->a, core + start, (size_t)(end - start)), "%"));
            off = mid;
        }
        sqlb_sql(&b, "))");
    }
    if (is_account && *fcode) {
        sqlb_sql(&b, " OR (s.kind = 'account' AND s.code = ?)");
        sqlb_text(&b, fcode);
    }
    if (*digits) {
        sqlb_sql(&b, " OR (s.kind = 'contact' AND s.phone = ?)");
        sqlb_text(&b, digits);
    }
    if (*femail) {
        sqlb_sql(&b, " OR (s.kind = 'contact' AND s.email = ?)");
        sqlb_text(&b, femail);
    }
    sqlb_sql(&b, ") LIMIT ?");
    sqlb_i64(&b, DUP_SCAN);
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct cand *c = arena_calloc(ctx->a, DUP_SCAN, sizeof *c);
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        const char *kind = col(ctx, st, 0), *scode = col(ctx, st, 5), *score_s = col(ctx, st, 6),
                   *sphone = col(ctx, st, 7), *semail = col(ctx, st, 8), *sfull = col(ctx, st, 9),
                   *acc = col(ctx, st, 10);
        int64_t id = db_col_i64(st, 1), acc_id = db_col_is_null(st, 2) ? 0 : db_col_i64(st, 2);
        struct cand x = {0};
        x.visible = (int)db_col_i64(st, 11);
        x.d.kind = is_account ? "account" : "contact";
        if (!strcmp(kind, "contact") && is_account) {
            /* A contact's phone or e-mail points at its account. */
            x.d.id = acc_id;
            x.d.account_id = acc_id;
            x.d.label = acc;
            x.d.sub = col(ctx, st, 3);
        } else {
            x.d.id = id;
            x.d.account_id = acc_id;
            x.d.label = col(ctx, st, 3);
            const char *own = col(ctx, st, 4);
            x.d.sub = is_account || !*acc ? own
                      : *own              ? arena_printf(ctx->a, "%s · %s", own, acc)
                                          : acc;
        }
        if (!strcmp(kind, "contact") && !is_account && !contacts_readable)
            x.visible = 0;
        if (q->exclude_id && x.d.id == q->exclude_id)
            continue;
        if (is_account && !strcmp(kind, "account") && *fcode && !strcmp(scode, fcode)) {
            x.d.reason = "same_code";
            x.d.score = 100;
            add_cand(c, &n, DUP_SCAN, &x);
        }
        if (!strcmp(kind, "contact") && *digits && !strcmp(sphone, digits)) {
            x.d.reason = "same_phone";
            x.d.score = 100;
            add_cand(c, &n, DUP_SCAN, &x);
        }
        if (!strcmp(kind, "contact") && *femail && !strcmp(semail, femail)) {
            x.d.reason = "same_email";
            x.d.score = 100;
            add_cand(c, &n, DUP_SCAN, &x);
        }
        if (names && !strcmp(kind, x.d.kind) && (is_account || acc_id == q->account_id)) {
            int s = search_similarity(core, score_s);
            if (!is_account && *full && !strcmp(full, sfull) && s < 80)
                s = 80; /* 张伟 and 章伟 sound the same */
            if (s >= DUP_MIN_SCORE) {
                x.d.reason = "similar_name";
                x.d.score = s;
                add_cand(c, &n, DUP_SCAN, &x);
            }
        }
    }
    db_done(st);
    if (rc)
        return rc;
    qsort(c, n, sizeof *c, cand_cmp);
    struct search_dup *items = arena_calloc(ctx->a, DUP_SHOW, sizeof *items);
    size_t shown = 0;
    int hidden = 0;
    for (size_t i = 0; i < n; i++) {
        if (!c[i].visible)
            hidden++;
        else if (shown < DUP_SHOW)
            items[shown++] = c[i].d;
    }
    *items_out = items;
    *n_out = shown;
    *hidden_out = hidden;
    return KAM_OK;
}
