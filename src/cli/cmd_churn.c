/* cmd_churn.c -- kam churn train | score | explain | cv (analytics/churn.h, docs/CHURN.md).
 *
 * Input: a CSV file with a header line (UTF-8, a BOM dropped). Output files are written next
 * to their target and renamed, so a reader never sees half a model or half a score file.
 * Exit status: 0 done; 1 a file could not be read or written, a model could not be used or
 * training failed; 2 usage errors. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analytics/churn.h"
#include "base/utf8.h"
#include "cli.h"

#define MAX_IGNORE 64

static int usage_error(const char *msg)
{
    if (msg)
        fprintf(stderr, "kam: %s\n", msg);
    const struct cmd *self = cli_find("churn");
    if (self)
        cli_usage(stderr, self);
    return EXIT_USAGE;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The whole file (NUL-terminated, malloc'ed) or NULL after printing why. */
static char *read_file(const char *what, const char *path, size_t *len_out, long max)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kam: churn: cannot read %s %s: %s\n", what, path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 >= cap) {
            if (cap > (size_t)max) {
                fprintf(stderr, "kam: churn: %s %s is larger than %ld MiB\n", what, path,
                        max >> 20);
                free(buf);
                fclose(f);
                return NULL;
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
                fprintf(stderr, "kam: churn: cannot read %s %s: %s\n", what, path, strerror(errno));
                free(buf);
                fclose(f);
                return NULL;
            }
            break;
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "kam: churn: out of memory reading %s\n", path);
        return NULL;
    }
    buf[len] = 0;
    *len_out = len;
    return buf;
}

/* Reads and parses a CSV file; 0 or -1 after printing why. */
static int read_table(const char *path, struct churn_table *t)
{
    size_t len;
    char *data = read_file("input", path, &len, CHURN_MAX_BYTES);
    if (!data)
        return -1;
    if (!utf8_valid(data, len)) {
        int line = 1;
        size_t i = 0;
        while (i < len) {
            size_t l = utf8_seq_len((const unsigned char *)data + i, len - i);
            if (!l)
                break;
            line += data[i] == '\n';
            i += l;
        }
        fprintf(stderr, "kam: churn: %s:%d: not UTF-8 (convert it to UTF-8 first)\n", path, line);
        free(data);
        return -1;
    }
    char why[300];
    int rc = churn_csv_parse(data, len, t, why, sizeof why);
    free(data);
    if (rc) {
        fprintf(stderr, "kam: churn: %s: %s\n", path, why);
        return -1;
    }
    if (t->nrows == 0) {
        fprintf(stderr, "kam: churn: %s: no rows after the header\n", path);
        churn_table_free(t);
        return -1;
    }
    return 0;
}

static int read_model(const char *path, struct churn_model **m)
{
    size_t len;
    char *data = read_file("model", path, &len, 64L * 1024 * 1024);
    if (!data)
        return -1;
    char why[300];
    int rc = churn_model_load(data, len, m, why, sizeof why);
    free(data);
    if (rc)
        fprintf(stderr, "kam: churn: %s: %s\n", path, why);
    return rc;
}

/* Writes data to path through path.tmp and a rename ("-": standard output; a path that is not
 * a regular file, e.g. /dev/stdout or a pipe, is written directly). 0 or -1 after printing
 * why. */
static int write_atomic(const char *path, const char *data, size_t len)
{
    struct stat st;
    if (strcmp(path, "-") == 0 || (stat(path, &st) == 0 && !S_ISREG(st.st_mode))) {
        FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
        int ok = f && fwrite(data, 1, len, f) == len;
        if (f && (f == stdout ? fflush(f) : fclose(f)) != 0)
            ok = 0;
        if (!ok)
            fprintf(stderr, "kam: churn: cannot write %s: %s\n", path, strerror(errno));
        return ok ? 0 : -1;
    }
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 5);
    if (!tmp)
        return -1;
    snprintf(tmp, pl + 5, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = 0;
    if (ok && rename(tmp, path) != 0)
        ok = 0;
    if (!ok) {
        fprintf(stderr, "kam: churn: cannot write %s: %s\n", path, strerror(errno));
        remove(tmp);
    }
    free(tmp);
    return ok ? 0 : -1;
}

struct buf {
    char *s;
    size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns)
            return -1;
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
    return 0;
}

/* A CSV field, quoted when it needs to be. */
static int buf_csv(struct buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n"))
        return buf_add(b, s, strlen(s));
    int rc = buf_add(b, "\"", 1);
    for (; *s && !rc; s++)
        rc = *s == '"' ? buf_add(b, "\"\"", 2) : buf_add(b, s, 1);
    return rc ? rc : buf_add(b, "\"", 1);
}

/* The id column of a file to score: the model's id column when the file has it, else the rule
 * of churn_id_column. */
static int score_id_column(const struct churn_model *m, const struct churn_table *t)
{
    int c = churn_model_id_name(m)[0] ? churn_find_column(t, churn_model_id_name(m)) : -1;
    return c >= 0 ? c : churn_id_column(t, churn_find_column(t, churn_model_target(m)));
}

enum {
    O_INPUT = 1,
    O_OUTPUT,
    O_MODEL,
    O_TARGET,
    O_FOLDS,
    O_SEED,
    O_POSITIVE,
    O_IGNORE,
    O_GBM,
    O_EXTRAS,
    O_C,
    O_TOP,
    O_REPEAT,
};

static int cmp_abs(const void *a, const void *b)
{
    double x = fabs(((const struct churn_contrib *)a)->contrib),
           y = fabs(((const struct churn_contrib *)b)->contrib);
    if (x != y)
        return x < y ? 1 : -1;
    return ((const struct churn_contrib *)a)->col - ((const struct churn_contrib *)b)->col;
}

int cmd_churn(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("a subcommand is required: train, score, explain or cv");
    const char *sub = argv[1];
    int is_train = strcmp(sub, "train") == 0, is_score = strcmp(sub, "score") == 0,
        is_explain = strcmp(sub, "explain") == 0, is_cv = strcmp(sub, "cv") == 0;
    if (!is_train && !is_score && !is_explain && !is_cv)
        return usage_error("the subcommand must be train, score, explain or cv");
    const char *input = NULL, *output = NULL, *model = NULL, *target = NULL;
    const char *ignore[MAX_IGNORE + 1] = {0};
    int nignore = 0;
    char *ignore_buf[MAX_IGNORE] = {0};
    int nbufs = 0;
    struct churn_opts o;
    churn_opts_default(&o);
    long long folds = 5, seed = 1, top = 5, repeat = 1, flag;
    int folds_given = 0;
    static const struct option opts[] = {{"input", required_argument, 0, O_INPUT},
                                         {"output", required_argument, 0, O_OUTPUT},
                                         {"model", required_argument, 0, O_MODEL},
                                         {"target", required_argument, 0, O_TARGET},
                                         {"folds", required_argument, 0, O_FOLDS},
                                         {"seed", required_argument, 0, O_SEED},
                                         {"positive", required_argument, 0, O_POSITIVE},
                                         {"ignore", required_argument, 0, O_IGNORE},
                                         {"gbm", required_argument, 0, O_GBM},
                                         {"extras", required_argument, 0, O_EXTRAS},
                                         {"C", required_argument, 0, O_C},
                                         {"top", required_argument, 0, O_TOP},
                                         {"repeat", required_argument, 0, O_REPEAT},
                                         {0, 0, 0, 0}};
    int c, rc = EXIT_USAGE;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_INPUT:
            input = optarg;
            break;
        case O_OUTPUT:
            output = optarg;
            break;
        case O_MODEL:
            model = optarg;
            break;
        case O_TARGET:
            target = optarg;
            break;
        case O_POSITIVE:
            o.positive = optarg;
            break;
        case O_FOLDS:
            if (cli_parse_num("--folds", optarg, 2, 20, &folds))
                goto usage;
            folds_given = 1;
            break;
        case O_SEED:
            if (cli_parse_num("--seed", optarg, 0, 4294967295LL, &seed))
                goto usage;
            break;
        case O_TOP:
            if (cli_parse_num("--top", optarg, 1, CHURN_MAX_COLS, &top))
                goto usage;
            break;
        case O_REPEAT:
            if (cli_parse_num("--repeat", optarg, 1, 20, &repeat))
                goto usage;
            break;
        case O_GBM:
        case O_EXTRAS:
            if (cli_parse_num(c == O_GBM ? "--gbm" : "--extras", optarg, 0, 1, &flag))
                goto usage;
            *(c == O_GBM ? &o.gbm : &o.extras) = (int)flag;
            break;
        case O_C: {
            char *end;
            double v = strtod(optarg, &end);
            if (*end || end == optarg || !(v > 0) || !isfinite(v)) {
                fprintf(stderr, "kam: --C must be a number above 0, not '%s'\n", optarg);
                goto usage;
            }
            o.C = v;
            break;
        }
        case O_IGNORE: {
            if (nbufs == MAX_IGNORE) {
                fprintf(stderr, "kam: at most %d --ignore options\n", MAX_IGNORE);
                goto usage;
            }
            char *s = strdup(optarg);
            if (!s)
                goto usage;
            ignore_buf[nbufs++] = s;
            for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
                if (nignore == MAX_IGNORE) {
                    fprintf(stderr, "kam: at most %d ignored columns\n", MAX_IGNORE);
                    goto usage;
                }
                ignore[nignore++] = tok;
            }
            break;
        }
        default:
            goto usage;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "kam: unexpected argument '%s'\n", argv[optind]);
        goto usage;
    }
    o.ignore = ignore;
    o.seed = (unsigned)seed;
    if (folds_given && !is_cv)
        o.folds = (int)folds;
    if (!input) {
        fprintf(stderr, "kam: --input FILE.csv is required\n");
        goto usage;
    }
    if ((is_train || is_cv) && !target) {
        fprintf(stderr, "kam: --target COLUMN is required\n");
        goto usage;
    }
    if (is_train && !output) {
        fprintf(stderr, "kam: --output MODEL is required\n");
        goto usage;
    }
    if ((is_score || is_explain) && !model) {
        fprintf(stderr, "kam: --model MODEL is required\n");
        goto usage;
    }
    if (is_score && !output) {
        fprintf(stderr, "kam: --output OUT.csv is required\n");
        goto usage;
    }

    rc = EXIT_FAIL;
    struct churn_table t;
    if (read_table(input, &t))
        goto done;
    char why[400];
    if (is_train) {
        struct churn_model *m;
        struct churn_report rep;
        double t0 = now_s();
        if (churn_train(&t, target, NULL, 0, &o, &m, &rep, why, sizeof why)) {
            fprintf(stderr, "kam: churn: %s: %s\n", input, why);
            churn_table_free(&t);
            goto done;
        }
        size_t len;
        char *text = churn_model_save(m, &len);
        if (text && write_atomic(output, text, len) == 0) {
            fprintf(stderr,
                    "churn: trained on %d rows (%d positive, %s = \"%s\") in %.1f s: %d features, "
                    "C %g, %d trees, weight of the linear model %.2f; inner %d-fold CV AUC: "
                    "linear %.4f, trees %.4f, model %.4f\n",
                    rep.n, rep.pos, target, churn_model_positive(m), now_s() - t0, rep.nfeat, rep.C,
                    rep.ntrees, rep.weight_lr, o.folds, rep.inner_auc_lr, rep.inner_auc_gbm,
                    rep.inner_auc);
            rc = EXIT_OK;
        } else if (!text)
            fprintf(stderr, "kam: churn: out of memory\n");
        free(text);
        churn_model_free(m);
    } else if (is_cv) {
        double fa[20 * 20], all = 0, sq = 0, t0 = now_s();
        int cnt = 0;
        for (int r = 0; r < repeat; r++) {
            double mean = churn_cv(&t, target, &o, (int)folds, (unsigned)seed + (unsigned)r,
                                   fa + cnt, why, sizeof why);
            if (mean < 0) {
                fprintf(stderr, "kam: churn: %s: %s\n", input, why);
                churn_table_free(&t);
                goto done;
            }
            for (int f = 0; f < folds; f++)
                printf("repeat %d fold %d auc %.4f\n", r + 1, f + 1, fa[cnt + f]);
            cnt += (int)folds;
        }
        for (int i = 0; i < cnt; i++)
            all += fa[i];
        all /= cnt;
        for (int i = 0; i < cnt; i++)
            sq += (fa[i] - all) * (fa[i] - all);
        printf("auc mean %.4f sd %.4f folds %d repeats %lld seconds %.1f\n", all,
               cnt > 1 ? sqrt(sq / (cnt - 1)) : 0.0, (int)folds, repeat, now_s() - t0);
        rc = EXIT_OK;
    } else {
        struct churn_model *m;
        if (read_model(model, &m)) {
            churn_table_free(&t);
            goto done;
        }
        int nc = churn_model_ncols(m);
        int *map = malloc(sizeof *map * (size_t)nc);
        struct churn_contrib *ct = malloc(sizeof *ct * (size_t)nc);
        struct buf out = {0};
        int idc = score_id_column(m, &t), bad = 0;
        if (!map || !ct) {
            fprintf(stderr, "kam: churn: out of memory\n");
            bad = 1;
        } else if (churn_model_bind(m, &t, map, why, sizeof why)) {
            fprintf(stderr, "kam: churn: %s: %s\n", input, why);
            bad = 1;
        }
        if (!bad && is_score) {
            double t0 = now_s();
            bad = buf_add(&out, "id,probability\n", 15);
            for (int r = 0; r < t.nrows && !bad; r++) {
                char num[40];
                double p = churn_predict(m, &t, map, r);
                int n = snprintf(num, sizeof num, ",%.8f\n", p);
                char line[24];
                snprintf(line, sizeof line, "%d", t.line[r]);
                bad = buf_csv(&out, idc >= 0 ? churn_cell(&t, r, idc) : line) ||
                      buf_add(&out, num, (size_t)n);
            }
            if (bad)
                fprintf(stderr, "kam: churn: out of memory\n");
            else if (write_atomic(output, out.s, out.len) == 0) {
                fprintf(stderr, "churn: scored %d rows in %.3f s (id column \"%s\")\n", t.nrows,
                        now_s() - t0, idc >= 0 ? churn_name(&t, idc) : "(line number)");
                rc = EXIT_OK;
            }
        } else if (!bad) {
            FILE *f = output && strcmp(output, "-") != 0 ? fopen(output, "w") : stdout;
            if (!f) {
                fprintf(stderr, "kam: churn: cannot write %s: %s\n", output, strerror(errno));
                bad = 1;
            }
            for (int r = 0; r < t.nrows && !bad; r++) {
                double icpt, logit = churn_explain(m, &t, map, r, ct, &icpt);
                char line[24];
                snprintf(line, sizeof line, "line %d", t.line[r]);
                fprintf(f, "%s probability %.4f logit %+.4f = intercept %+.4f",
                        idc >= 0 ? churn_cell(&t, r, idc) : line, 1 / (1 + exp(-logit)), logit,
                        icpt);
                qsort(ct, (size_t)nc, sizeof *ct, cmp_abs);
                double rest = 0;
                int shown = 0;
                for (int k = 0; k < nc; k++) {
                    if (k < top && ct[k].contrib != 0) {
                        fprintf(f, "\n  %+.4f  %s = %s", ct[k].contrib,
                                churn_model_col_name(m, ct[k].col),
                                churn_cell(&t, r, map[ct[k].col]));
                        shown++;
                    } else
                        rest += ct[k].contrib;
                }
                fprintf(f, "\n  %+.4f  the other %d columns\n", rest, nc - shown);
            }
            if (f && f != stdout && fclose(f) != 0) {
                fprintf(stderr, "kam: churn: cannot write %s: %s\n", output, strerror(errno));
                bad = 1;
            }
            if (!bad)
                rc = EXIT_OK;
        }
        free(out.s);
        free(map);
        free(ct);
        churn_model_free(m);
    }
    churn_table_free(&t);
    goto done;
usage:
    rc = usage_error(NULL);
done:
    for (int i = 0; i < nbufs; i++)
        free(ignore_buf[i]);
    return rc;
}
