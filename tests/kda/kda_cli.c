/* kda_cli.c -- a test tool (not part of kam): key-driver analysis of a CSV on stdin, for the
 * independent check tests/kda/check_kda.py and bench/kda.
 *
 *   kda_cli [--boot B] [--seed S] [--level L] [--time] < data.csv
 *
 * Each line: overall,a1,...,ak (k from the first line). An empty field or NA is a missing value.
 * A first line with a field that is not a number is a header: its names label the attributes.
 * Prints the kda_run result as one JSON object on stdout (numbers with 17 significant digits);
 * a refusal prints {"error": {...}} and exits 2; a malformed CSV exits 1. --time adds the
 * milliseconds kda_run took ("ms"). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analytics/kda.h"
#include "base/arena.h"
#include "base/err.h"

#define MAX_LINE 65536

static int split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = 0;
        p = c + 1;
    }
    return n;
}

static int parse(const char *s, double *v)
{
    while (*s == ' ')
        s++;
    if (!*s || strcmp(s, "NA") == 0) {
        *v = NAN;
        return 0;
    }
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    while (*end == ' ')
        end++;
    return (*end || errno) ? -1 : 0;
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", *s);
        else
            putchar(*s);
    }
    putchar('"');
}

int main(int argc, char **argv)
{
    struct kda_opts o = KDA_OPTS_DEFAULT;
    int timing = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--boot") == 0 && i + 1 < argc)
            o.boot = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            o.seed = strtoull(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "--level") == 0 && i + 1 < argc)
            o.level = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--time") == 0)
            timing = 1;
        else {
            fprintf(stderr, "usage: kda_cli [--boot B] [--seed S] [--level L] [--time] < csv\n");
            return 1;
        }
    }
    static char line[MAX_LINE];
    char *f[KDA_MAX_K + 2];
    char names[KDA_MAX_K + 1][64]; /* one more than kda_run takes, so it refuses */
    int k = -1, n = 0, cap = 0, lineno = 0;
    double *y = NULL, *x = NULL;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0])
            continue;
        int nf = split(line, f, KDA_MAX_K + 2);
        if (nf < 0) {
            /* more columns than kda_run takes: let it refuse */
            fprintf(stderr, "kda_cli: line %d: more than %d attributes\n", lineno, KDA_MAX_K);
            printf("{\"error\": {\"code\": \"invalid\", \"field\": \"attributes\", \"key\": "
                   "\"out_of_range\"}}\n");
            return 2;
        }
        if (k < 0) {
            k = nf - 1;
            double v;
            int header = 0;
            for (int j = 0; j < nf; j++)
                if (parse(f[j], &v) < 0)
                    header = 1;
            for (int j = 0; j < k; j++)
                snprintf(names[j], sizeof names[j], "%s", header ? f[j + 1] : "");
            if (header)
                continue;
        }
        if (nf != k + 1) {
            fprintf(stderr, "kda_cli: line %d: %d fields, expected %d\n", lineno, nf, k + 1);
            goto bad;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            double *ny = realloc(y, sizeof(double) * (size_t)cap);
            if (ny)
                y = ny;
            double *nx = realloc(x, sizeof(double) * (size_t)cap * (size_t)(k > 0 ? k : 1));
            if (nx)
                x = nx;
            if (!nx || !ny) {
                fprintf(stderr, "kda_cli: out of memory\n");
                goto bad;
            }
        }
        for (int j = 0; j < nf; j++) {
            double v;
            if (parse(f[j], &v) < 0) {
                fprintf(stderr, "kda_cli: line %d: field %d is not a number\n", lineno, j + 1);
                goto bad;
            }
            if (j == 0)
                y[n] = v;
            else
                x[(size_t)n * (size_t)k + (size_t)(j - 1)] = v;
        }
        n++;
    }
    if (k < 0)
        k = 0;

    struct arena a;
    arena_init(&a);
    struct kda_result r;
    struct kam_error e;
    kam_error_clear(&e);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enum kam_err rc = kda_run(y, x, n, k, &o, &a, &r, &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (rc != KAM_OK) {
        printf("{\"error\": {\"code\": ");
        json_str(kam_err_name(rc));
        printf(", \"field\": ");
        json_str(e.field);
        printf(", \"key\": ");
        json_str(e.key);
        printf(", \"message\": ");
        json_str(e.msg);
        printf(", \"n_used\": %d, \"bad_column\": %d}}\n", r.n_used, r.bad_column);
        free(x);
        free(y);
        arena_release(&a);
        return 2;
    }
    printf("{\"k\": %d, \"n_total\": %d, \"n_used\": %d, \"boot\": %d, \"boot_degenerate\": %d, "
           "\"level\": %.17g, \"r2\": %.17g, \"r2_lo\": %.17g, \"r2_hi\": %.17g, "
           "\"med_importance\": %.17g, \"med_performance\": %.17g,",
           r.k, r.n_total, r.n_used, r.boot, r.boot_degenerate, r.level, r.r2, r.r2_lo, r.r2_hi,
           r.med_importance, r.med_performance);
    if (timing)
        printf(" \"ms\": %.3f,", ms);
    printf(" \"attributes\": [");
    for (int j = 0; j < k; j++) {
        const struct kda_attr *t = &r.attr[j];
        printf("%s{\"name\": ", j ? ", " : "");
        json_str(names[j]);
        printf(", \"importance\": %.17g, \"share\": %.17g, \"performance\": %.17g, \"r\": %.17g, "
               "\"imp_lo\": %.17g, \"imp_hi\": %.17g, \"share_lo\": %.17g, \"share_hi\": %.17g, "
               "\"quadrant\": \"%s\"}",
               t->importance, t->share, t->performance, t->r, t->imp_lo, t->imp_hi, t->share_lo,
               t->share_hi, kda_quadrant_name(t->quadrant));
    }
    printf("]}\n");
    free(x);
    free(y);
    arena_release(&a);
    return 0;
bad:
    free(x);
    free(y);
    return 1;
}
