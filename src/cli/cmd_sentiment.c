/* cmd_sentiment.c -- kam sentiment train | classify | eval | cv (analytics/sentiment.h).
 *
 * Labelled files (train, eval, cv), UTF-8, one example a line (\n, a trailing \r dropped,
 * empty lines skipped):
 *   label<TAB>text        (ChnSentiCorp's "label\ttext_a", with its header line)
 *   text<TAB>label        (UCI Sentiment Labelled Sentences: "sentence\tlabel")
 * The label is 1/0, pos/neg or positive/negative; it is looked for in the first column, then
 * the last. A first line without a label is a header and skipped; any other line without one
 * is an error naming the file and line. classify reads one text a line and scores the whole
 * line, except that a label column found the same way (first or last tab-separated field) is
 * dropped and a first line with a tab and no label, followed by labelled lines, is a header
 * and skipped; it writes label<TAB>score<TAB>text.
 * Every input must be UTF-8 (a leading BOM is dropped): anything else is refused naming the
 * file and line (and the encoding it looks like, e.g. GB18030 or BIG5).
 *
 * Exit status: 0 done; 1 a file could not be read or written, a model could not be used, or
 * training failed; 2 usage errors. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uchardet.h>

#include "analytics/sentiment.h"
#include "base/utf8.h"
#include "cli.h"

#define MAX_INPUT (1024L * 1024 * 1024)
#define MAX_INPUTS 16

static int usage_error(const char *msg)
{
    if (msg)
        fprintf(stderr, "kam: %s\n", msg);
    const struct cmd *self = cli_find("sentiment");
    if (self)
        cli_usage(stderr, self);
    return EXIT_USAGE;
}

/* The whole file ("-": standard input), NUL-terminated, malloc'ed; NULL with *err set. */
static char *read_all(const char *path, size_t *len_out, const char **err)
{
    *err = NULL;
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        *err = strerror(errno);
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 >= cap) {
            if (cap >= (size_t)MAX_INPUT) {
                *err = "larger than 1 GiB";
                free(buf);
                buf = NULL;
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                *err = strerror(errno);
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    if (!buf && !*err)
        *err = "out of memory";
    if (f != stdin)
        fclose(f);
    if (buf)
        buf[len] = 0;
    *len_out = len;
    return buf;
}

/* 1 / 0 for a label word s[0..n), -1 for anything else. */
static int parse_label(const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
        n--;
    while (n && *s == ' ')
        s++, n--;
    static const char *const pos[] = {"1", "pos", "positive", "+1"};
    static const char *const neg[] = {"0", "neg", "negative", "-1"};
    for (int i = 0; i < 4; i++) {
        if (strlen(pos[i]) == n && strncmp(s, pos[i], n) == 0)
            return 1;
        if (strlen(neg[i]) == n && strncmp(s, neg[i], n) == 0)
            return 0;
    }
    return -1;
}

/* The label of a line p[0..n) (first tab-separated field, then the last) and its text; -1
 * when it has none (then the text is the whole line). */
static int split_label(const char *p, size_t n, const char **text, size_t *tlen)
{
    const char *t1 = memchr(p, '\t', n), *t2 = NULL;
    for (size_t i = n; i > 0; i--)
        if (p[i - 1] == '\t') {
            t2 = p + i - 1;
            break;
        }
    int label;
    *text = p;
    *tlen = n;
    if (t1 && (label = parse_label(p, (size_t)(t1 - p))) >= 0) {
        *text = t1 + 1;
        *tlen = (size_t)(p + n - *text);
        return label;
    }
    if (t2 && (label = parse_label(t2 + 1, (size_t)(p + n - t2 - 1))) >= 0) {
        *tlen = (size_t)(t2 - p);
        return label;
    }
    return -1;
}

/* Refuses (0 ok, -1 after printing file:line) input that is not UTF-8; *data past a leading
 * UTF-8 BOM is what the caller reads (*skip gets 3 or 0). */
static int check_utf8(const char *path, const char *data, size_t len, size_t *skip)
{
    *skip = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    if (utf8_valid(data + *skip, len - *skip))
        return 0;
    int line = 1;
    size_t i = *skip;
    while (i < len) {
        size_t l = utf8_seq_len((const unsigned char *)data + i, len - i);
        if (!l)
            break;
        line += data[i] == '\n';
        i += l;
    }
    char cs[64] = "";
    uchardet_t ud = uchardet_new();
    if (ud) {
        if (uchardet_handle_data(ud, data, len < (1u << 20) ? len : (1u << 20)) == 0) {
            uchardet_data_end(ud);
            snprintf(cs, sizeof cs, "%s", uchardet_get_charset(ud));
        }
        uchardet_delete(ud);
    }
    if (cs[0] && strcmp(cs, "UTF-8") != 0 && strcmp(cs, "ASCII") != 0)
        fprintf(stderr,
                "kam: sentiment: %s:%d: not UTF-8 (it looks like %s; convert it first, e.g. "
                "iconv -f %s -t UTF-8)\n",
                path, line, cs, cs);
    else
        fprintf(stderr, "kam: sentiment: %s:%d: not UTF-8 (convert it to UTF-8 first)\n", path,
                line);
    return -1;
}

struct examples {
    struct sent_example *ex;
    int n, cap;
    char *bufs[MAX_INPUTS];
    int nbufs;
};

static void examples_free(struct examples *e)
{
    free(e->ex);
    for (int i = 0; i < e->nbufs; i++)
        free(e->bufs[i]);
}

/* Reads a labelled file into e (the texts point into the kept buffer). 0, or -1 after
 * printing the reason. */
static int read_labelled(const char *path, struct examples *e)
{
    size_t len;
    const char *err;
    char *data = read_all(path, &len, &err);
    if (!data) {
        fprintf(stderr, "kam: sentiment: cannot read %s: %s\n", path, err);
        return -1;
    }
    e->bufs[e->nbufs++] = data;
    size_t skip;
    if (check_utf8(path, data, len, &skip))
        return -1;
    int line = 0;
    for (char *p = data + skip; p < data + len;) {
        char *nl = memchr(p, '\n', (size_t)(data + len - p));
        char *end = nl ? nl : data + len;
        line++;
        char *next = nl ? nl + 1 : data + len;
        if (end > p && end[-1] == '\r')
            end--;
        *end = 0;
        if (end == p) {
            p = next;
            continue;
        }
        const char *text;
        size_t tlen;
        int label = split_label(p, (size_t)(end - p), &text, &tlen);
        if (label < 0) {
            if (line == 1) { /* a header */
                p = next;
                continue;
            }
            fprintf(stderr,
                    "kam: sentiment: %s:%d: no label (1/0, pos/neg) in the first or last "
                    "tab-separated column\n",
                    path, line);
            return -1;
        }
        if (e->n == e->cap) {
            int nc = e->cap ? e->cap * 2 : 1024;
            struct sent_example *ne = realloc(e->ex, sizeof *ne * (size_t)nc);
            if (!ne) {
                fputs("kam: sentiment: out of memory\n", stderr);
                return -1;
            }
            e->ex = ne;
            e->cap = nc;
        }
        e->ex[e->n++] = (struct sent_example){text, tlen, label};
        p = next;
    }
    return 0;
}

/* A text of language tl and a model (path; NULL: built in) with sections langs: 0 when it can
 * be scored (said once on stderr when the built-in model's section does it), -1 after
 * printing why not. */
static int lang_check(const struct sentiment_model *m, const char *path, unsigned langs, int tl,
                      unsigned *warned, const char *input, int line)
{
    if (langs & (1u << tl))
        return 0;
    const char *name = tl == SENT_ZH ? "Chinese" : "English";
    const struct sentiment_model *d = sentiment_default();
    if (d && d != m && (sentiment_model_langs(d) & (1u << tl))) {
        if (!(*warned & (1u << tl)))
            fprintf(stderr,
                    "kam: sentiment: %s has no %s section: %s texts are scored with the model "
                    "built into kam\n",
                    path ? path : "the model", name, name);
        *warned |= 1u << tl;
        return 0;
    }
    if (input)
        fprintf(stderr, "kam: sentiment: %s:%d: ", input, line);
    else
        fputs("kam: sentiment: ", stderr);
    fprintf(stderr, "the model has no %s section (nor has kam's own)\n", name);
    return -1;
}

/* Loads --model FILE, or the embedded model when path is NULL. */
static int get_model(const char *path, const struct sentiment_model **m,
                     struct sentiment_model **owned)
{
    *owned = NULL;
    if (!path) {
        *m = sentiment_default();
        if (!*m) {
            fprintf(stderr, "kam: sentiment: %s; give --model FILE\n", sentiment_default_error());
            return -1;
        }
        return 0;
    }
    size_t len;
    const char *err;
    char *data = read_all(path, &len, &err);
    if (!data) {
        fprintf(stderr, "kam: sentiment: cannot read %s: %s\n", path, err);
        return -1;
    }
    char why[200];
    int rc = sentiment_model_load(data, len, owned, why, sizeof why);
    free(data);
    if (rc) {
        fprintf(stderr, "kam: sentiment: %s: %s\n", path, why);
        return -1;
    }
    *m = *owned;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A number flag from lo to hi; a whole number unless the flag is C or alpha. */
static int num_arg(const char *name, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    int real = strcmp(name, "C") == 0 || strcmp(name, "alpha") == 0;
    if (!*s || *end || errno || !(v >= lo && v <= hi) || (!real && v != (double)(long)v)) {
        fprintf(stderr, "kam: --%s must be a %s from %g to %g, not '%s'\n", name,
                real ? "number" : "whole number", lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

enum {
    O_INPUT = 1,
    O_OUTPUT,
    O_MODEL,
    O_LANG,
    O_SOLVER,
    O_NB,
    O_C,
    O_FOLDS,
    O_MINDF,
    O_NGRAM,
    O_BITS,
    O_CHARS,
    O_NEG,
    O_DIGITS,
    O_ALPHA,
    O_TAIL,
    O_SKIP,
    O_WORDS,
    O_ZHNEG
};

int cmd_sentiment(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("a subcommand is required: train, classify, eval or cv");
    const char *sub = argv[1];
    int is_train = strcmp(sub, "train") == 0, is_classify = strcmp(sub, "classify") == 0,
        is_eval = strcmp(sub, "eval") == 0, is_cv = strcmp(sub, "cv") == 0;
    if (!is_train && !is_classify && !is_eval && !is_cv)
        return usage_error("the subcommand must be train, classify, eval or cv");
    const char *inputs[MAX_INPUTS], *output = NULL, *model = NULL;
    int ninputs = 0, lang = SENT_AUTO, lang_given = 0;
    struct sent_train_opts o;
    sentiment_train_defaults(&o);
    int folds_given = 0;
    /* feature options apply to the language(s) trained */
    int ngram = 0, bits = 0, chars = -1, neg = -1, digits = -1, tail = -1, skip = -1, words = -1,
        zhneg = -1;
    static const struct option opts[] = {{"input", required_argument, 0, O_INPUT},
                                         {"output", required_argument, 0, O_OUTPUT},
                                         {"model", required_argument, 0, O_MODEL},
                                         {"lang", required_argument, 0, O_LANG},
                                         {"solver", required_argument, 0, O_SOLVER},
                                         {"nb", required_argument, 0, O_NB},
                                         {"C", required_argument, 0, O_C},
                                         {"folds", required_argument, 0, O_FOLDS},
                                         {"min-df", required_argument, 0, O_MINDF},
                                         {"ngram", required_argument, 0, O_NGRAM},
                                         {"bits", required_argument, 0, O_BITS},
                                         {"chars", required_argument, 0, O_CHARS},
                                         {"negation", required_argument, 0, O_NEG},
                                         {"digits", required_argument, 0, O_DIGITS},
                                         {"alpha", required_argument, 0, O_ALPHA},
                                         {"tail", required_argument, 0, O_TAIL},
                                         {"skip", required_argument, 0, O_SKIP},
                                         {"words", required_argument, 0, O_WORDS},
                                         {"zh-negation", required_argument, 0, O_ZHNEG},
                                         {0, 0, 0, 0}};
    int c;
    double v;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_INPUT:
            if (ninputs == MAX_INPUTS)
                return usage_error("at most 16 --input files");
            inputs[ninputs++] = optarg;
            break;
        case O_OUTPUT:
            output = optarg;
            break;
        case O_MODEL:
            model = optarg;
            break;
        case O_LANG:
            lang_given = 1;
            if (strcmp(optarg, "zh") == 0)
                lang = SENT_ZH;
            else if (strcmp(optarg, "en") == 0)
                lang = SENT_EN;
            else if (strcmp(optarg, "auto") == 0)
                lang = SENT_AUTO;
            else
                return usage_error("--lang must be zh, en or auto");
            break;
        case O_SOLVER:
            if (strcmp(optarg, "svm") == 0)
                o.solver = SENT_SVM;
            else if (strcmp(optarg, "lr") == 0)
                o.solver = SENT_LR;
            else if (strcmp(optarg, "ens") == 0)
                o.solver = SENT_ENS;
            else
                return usage_error("--solver must be svm, lr or ens");
            break;
        case O_NB:
            if (num_arg("nb", optarg, 0, 1, &v))
                return EXIT_USAGE;
            o.nb = (int)v;
            break;
        case O_C:
            if (num_arg("C", optarg, 1e-4, 1e4, &v))
                return EXIT_USAGE;
            o.C = v;
            break;
        case O_FOLDS:
            if (num_arg("folds", optarg, 2, 20, &v))
                return EXIT_USAGE;
            o.folds = (int)v;
            folds_given = 1;
            break;
        case O_WORDS:
            if (num_arg("words", optarg, 0, 1, &v))
                return EXIT_USAGE;
            words = (int)v;
            break;
        case O_ZHNEG:
            if (num_arg("zh-negation", optarg, 0, 1, &v))
                return EXIT_USAGE;
            zhneg = (int)v;
            break;
        case O_TAIL:
        case O_SKIP:
            if (num_arg(c == O_TAIL ? "tail" : "skip", optarg, 0, 1, &v))
                return EXIT_USAGE;
            *(c == O_TAIL ? &tail : &skip) = (int)v;
            break;
        case O_ALPHA:
            if (num_arg("alpha", optarg, 0.001, 100, &o.nb_alpha))
                return EXIT_USAGE;
            break;
        case O_MINDF:
            if (num_arg("min-df", optarg, 1, 1000, &v))
                return EXIT_USAGE;
            o.min_df[SENT_ZH] = o.min_df[SENT_EN] = (int)v;
            break;
        case O_NGRAM:
            if (num_arg("ngram", optarg, 1, 5, &v))
                return EXIT_USAGE;
            ngram = (int)v;
            break;
        case O_BITS:
            if (num_arg("bits", optarg, 10, 22, &v))
                return EXIT_USAGE;
            bits = (int)v;
            break;
        case O_CHARS:
        case O_NEG:
        case O_DIGITS:
            if (num_arg(c == O_CHARS ? "chars"
                        : c == O_NEG ? "negation"
                                     : "digits",
                        optarg, 0, 1, &v))
                return EXIT_USAGE;
            *(c == O_CHARS ? &chars : c == O_NEG ? &neg : &digits) = (int)v;
            break;
        default:
            return usage_error(NULL);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument");
    if (!ninputs)
        return usage_error("--input is required");
    for (int L = SENT_ZH; L <= SENT_EN; L++) {
        struct sent_feat_cfg *f = &o.lang_cfg[L];
        if (ngram)
            f->ngram_max = (unsigned)ngram;
        if (bits)
            f->bits = (unsigned)bits;
        if (chars >= 0)
            f->flags = chars ? f->flags | SENT_F_CHARS : f->flags & ~SENT_F_CHARS;
        if (neg >= 0)
            f->flags = neg ? f->flags | SENT_F_NEGATION : f->flags & ~SENT_F_NEGATION;
        if (tail >= 0)
            f->flags = tail ? f->flags | SENT_F_TAIL : f->flags & ~SENT_F_TAIL;
        if (skip >= 0)
            f->flags = skip ? f->flags | SENT_F_SKIP : f->flags & ~SENT_F_SKIP;
        if (words >= 0)
            f->flags = words ? f->flags | SENT_F_WORDS : f->flags & ~SENT_F_WORDS;
        if (digits >= 0)
            f->flags = digits ? f->flags | SENT_F_DIGITS : f->flags & ~SENT_F_DIGITS;
        if (zhneg >= 0 && L == SENT_ZH)
            f->flags = zhneg ? f->flags | SENT_F_ZHNEG : f->flags & ~SENT_F_ZHNEG;
    }

    if (is_classify) {
        if (ninputs != 1)
            return usage_error("classify reads one --input");
        if (output || lang_given)
            return usage_error("classify takes --input and --model only");
        const struct sentiment_model *m;
        struct sentiment_model *owned;
        if (get_model(model, &m, &owned))
            return EXIT_FAIL;
        size_t len;
        const char *err;
        char *data = read_all(inputs[0], &len, &err);
        if (!data) {
            fprintf(stderr, "kam: sentiment: cannot read %s: %s\n", inputs[0], err);
            sentiment_model_free(owned);
            return EXIT_FAIL;
        }
        size_t bom;
        if (check_utf8(inputs[0], data, len, &bom)) {
            free(data);
            sentiment_model_free(owned);
            return EXIT_FAIL;
        }
        unsigned langs = sentiment_model_langs(m), warned = 0;
        int rc = EXIT_OK, line = 0;
        for (char *p = data + bom; p < data + len;) {
            char *nl = memchr(p, '\n', (size_t)(data + len - p));
            char *end = nl ? nl : data + len, *next = nl ? nl + 1 : data + len;
            line++;
            if (end > p && end[-1] == '\r')
                end--;
            *end = 0;
            if (end == p) {
                p = next;
                continue;
            }
            const char *text;
            size_t tlen;
            int has_label = split_label(p, (size_t)(end - p), &text, &tlen) >= 0;
            if (line == 1 && !has_label && memchr(p, '\t', (size_t)(end - p))) {
                /* a header, as train reads it: a first line with a tab and no label, when the
                 * next non-empty line has one */
                const char *q = next;
                while (q < data + len && (*q == '\n' || *q == '\r'))
                    q++;
                const char *qe = q < data + len ? memchr(q, '\n', (size_t)(data + len - q)) : NULL;
                qe = qe ? qe : data + len;
                while (qe > q && qe[-1] == '\r')
                    qe--;
                const char *t2;
                size_t l2;
                if (q < data + len && split_label(q, (size_t)(qe - q), &t2, &l2) >= 0) {
                    p = next;
                    continue;
                }
            }
            if (lang_check(m, model, langs, sentiment_lang_of(text, tlen), &warned, inputs[0],
                           line)) {
                rc = EXIT_FAIL;
                break;
            }
            double score;
            int lab = sentiment_classify(m, text, tlen, &score);
            if (lab < 0) {
                fputs("kam: sentiment: out of memory\n", stderr);
                rc = EXIT_FAIL;
                break;
            }
            printf("%s\t%.4f\t%.*s\n", lab ? "positive" : "negative", score, (int)tlen, text);
            p = next;
        }
        free(data);
        sentiment_model_free(owned);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fputs("kam: sentiment: cannot write the output\n", stderr);
            rc = EXIT_FAIL;
        }
        return rc;
    }

    struct examples e = {0};
    for (int i = 0; i < ninputs; i++)
        if (read_labelled(inputs[i], &e)) {
            examples_free(&e);
            return EXIT_FAIL;
        }
    if (e.n == 0) {
        fputs("kam: sentiment: no labelled lines in the input\n", stderr);
        examples_free(&e);
        return EXIT_FAIL;
    }

    if (is_eval) {
        if (output || lang_given)
            return examples_free(&e), usage_error("eval takes --input and --model only");
        const struct sentiment_model *m;
        struct sentiment_model *owned;
        if (get_model(model, &m, &owned)) {
            examples_free(&e);
            return EXIT_FAIL;
        }
        int right = 0, pos = 0;
        unsigned langs = sentiment_model_langs(m), warned = 0;
        for (int i = 0; i < e.n; i++)
            if (lang_check(m, model, langs, sentiment_lang_of(e.ex[i].text, e.ex[i].len), &warned,
                           NULL, 0)) {
                sentiment_model_free(owned);
                examples_free(&e);
                return EXIT_FAIL;
            }
        double t0 = now_s();
        for (int i = 0; i < e.n; i++) {
            int lab = sentiment_classify(m, e.ex[i].text, e.ex[i].len, NULL);
            if (lab < 0) {
                fputs("kam: sentiment: out of memory\n", stderr);
                sentiment_model_free(owned);
                examples_free(&e);
                return EXIT_FAIL;
            }
            right += lab == e.ex[i].label;
            pos += e.ex[i].label;
        }
        double dt = now_s() - t0;
        printf("n %d accuracy %.4f majority %.4f ms_per_text %.4f\n", e.n, (double)right / e.n,
               (double)(pos > e.n - pos ? pos : e.n - pos) / e.n, 1000 * dt / e.n);
        sentiment_model_free(owned);
        examples_free(&e);
        return EXIT_OK;
    }

    if (is_cv) {
        if (output || model)
            return examples_free(&e), usage_error("cv takes no --output or --model");
        int L = lang != SENT_AUTO ? lang : sentiment_lang_of(e.ex[0].text, e.ex[0].len);
        int folds = folds_given ? o.folds : 10;
        int ng;
        const double *grid = sentiment_c_grid(o.solver, &ng);
        ng = o.C > 0 ? 1 : ng;
        int rc = EXIT_OK;
        for (int g = 0; g < ng; g++) {
            struct sent_train_opts oc = o;
            oc.C = o.C > 0 ? o.C : grid[g];
            char why[200];
            double acc = sentiment_cv(e.ex, e.n, L, &oc, folds, why, sizeof why);
            if (acc < 0) {
                fprintf(stderr, "kam: sentiment: %s\n", why);
                rc = EXIT_FAIL;
                break;
            }
            printf("lang %s solver %s nb %d C %g folds %d n %d accuracy %.4f\n",
                   L == SENT_ZH ? "zh" : "en",
                   o.solver == SENT_LR    ? "lr"
                   : o.solver == SENT_ENS ? "ens"
                                          : "svm",
                   o.nb, oc.C, folds, e.n, acc);
            fflush(stdout);
        }
        examples_free(&e);
        return rc;
    }

    /* train */
    if (!output || model)
        return examples_free(&e), usage_error("train needs --output MODEL (and no --model)");
    unsigned char *file;
    size_t flen;
    struct sent_train_report rep;
    char why[200];
    if (sentiment_train(e.ex, e.n, lang, &o, &file, &flen, &rep, why, sizeof why)) {
        fprintf(stderr, "kam: sentiment: %s\n", why);
        examples_free(&e);
        return EXIT_FAIL;
    }
    examples_free(&e);
    int empty = 0;
    for (int L = SENT_ZH; L <= SENT_EN; L++) {
        if (!rep.n[L])
            continue;
        const char *ln = L == SENT_ZH ? "zh" : "en";
        if (rep.C[L] <= 0) { /* no section trained: say the real reason */
            if (rep.pos[L] == 0 || rep.pos[L] == rep.n[L])
                fprintf(stderr,
                        "kam: sentiment: %s: %d texts (%d positive): no section (one "
                        "class only)\n",
                        ln, rep.n[L], rep.pos[L]);
            else
                fprintf(stderr,
                        "kam: sentiment: %s: %d texts (%d positive): no section (fewer "
                        "texts than the %d cross-validation folds)\n",
                        ln, rep.n[L], rep.pos[L], o.folds);
            continue;
        }
        if (!rep.nnz[L]) {
            fprintf(stderr,
                    "kam: sentiment: %s: %d texts (%d positive): the section has no "
                    "weights (too few texts, or --min-df too high): every %s text would get "
                    "the same score\n",
                    ln, rep.n[L], rep.pos[L], ln);
            empty = 1;
            continue;
        }
        printf("%s: %d texts (%d positive), C %g, %d-fold CV accuracy %.4f, Platt a %.3f, %u "
               "weights\n",
               L == SENT_ZH ? "zh" : "en", rep.n[L], rep.pos[L], rep.C[L], o.folds, rep.cv_acc[L],
               rep.platt_a[L], rep.nnz[L]);
    }
    if (empty) {
        fputs("kam: sentiment: no model written\n", stderr);
        free(file);
        return EXIT_FAIL;
    }
    /* written next to the target and renamed: a reader never sees half a model */
    size_t ol = strlen(output);
    char *tmp = malloc(ol + 8);
    if (!tmp) {
        free(file);
        fputs("kam: sentiment: out of memory\n", stderr);
        return EXIT_FAIL;
    }
    snprintf(tmp, ol + 8, "%s.tmp", output);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(file, 1, flen, f) == flen;
    if (f && fclose(f) != 0)
        ok = 0;
    if (ok && rename(tmp, output) != 0)
        ok = 0;
    if (!ok) {
        fprintf(stderr, "kam: sentiment: cannot write %s: %s\n", output, strerror(errno));
        remove(tmp);
    } else {
        if (lang == SENT_AUTO)
            printf("model written to %s (%zu bytes; quantised labels agree on %.2f%% of the "
                   "training texts)\n",
                   output, flen, 100 * rep.quant_agree);
        else /* (the quantised model routes by script: not measured for a forced language) */
            printf("model written to %s (%zu bytes)\n", output, flen);
    }
    free(tmp);
    free(file);
    return ok ? EXIT_OK : EXIT_FAIL;
}
