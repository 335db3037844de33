/* churn_csv.c -- the churn learner's table (churn.h): CSV reading, column roles, the target. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "churn.h"

static void set_why(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_why(char *why, size_t whylen, const char *fmt, ...)
{
    if (!why || !whylen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
}

void churn_table_free(struct churn_table *t)
{
    if (!t)
        return;
    free(t->pool);
    free(t->names);
    free(t->cells);
    free(t->line);
    memset(t, 0, sizeof *t);
}

/* Room for n more pool bytes. */
static int pool_reserve(struct churn_table *t, size_t n)
{
    if (t->pool_len + n <= t->pool_cap)
        return 0;
    size_t cap = t->pool_cap ? t->pool_cap : 4096;
    while (cap < t->pool_len + n)
        cap *= 2;
    char *p = realloc(t->pool, cap);
    if (!p)
        return -1;
    t->pool = p;
    t->pool_cap = cap;
    return 0;
}

static int rows_reserve(struct churn_table *t)
{
    if ((size_t)t->nrows < t->rows_cap)
        return 0;
    size_t cap = t->rows_cap ? t->rows_cap * 2 : 256;
    size_t *c = realloc(t->cells, sizeof *c * cap * (size_t)t->ncols);
    if (!c)
        return -1;
    t->cells = c;
    int *l = realloc(t->line, sizeof *l * cap);
    if (!l)
        return -1;
    t->line = l;
    t->rows_cap = cap;
    return 0;
}

static size_t pool_add(struct churn_table *t, const char *s, size_t n)
{
    size_t at = t->pool_len;
    memcpy(t->pool + at, s, n);
    t->pool[at + n] = 0;
    t->pool_len += n + 1;
    return at;
}

int churn_table_new(struct churn_table *t, int ncols, const char *const *names)
{
    memset(t, 0, sizeof *t);
    if (ncols < 1 || ncols > CHURN_MAX_COLS)
        return -1;
    t->ncols = ncols;
    t->names = malloc(sizeof *t->names * (size_t)ncols);
    if (!t->names)
        return -1;
    for (int i = 0; i < ncols; i++) {
        size_t n = strlen(names[i]);
        if (pool_reserve(t, n + 1)) {
            churn_table_free(t);
            return -1;
        }
        t->names[i] = pool_add(t, names[i], n);
    }
    return 0;
}

int churn_table_add(struct churn_table *t, const char *const *cells, int line)
{
    if (t->nrows >= CHURN_MAX_ROWS || rows_reserve(t))
        return -1;
    size_t *row = t->cells + (size_t)t->nrows * (size_t)t->ncols;
    for (int i = 0; i < t->ncols; i++) {
        const char *s = cells[i] ? cells[i] : "";
        size_t n = strlen(s);
        if (n > CHURN_MAX_CELL || pool_reserve(t, n + 1))
            return -1;
        row[i] = pool_add(t, s, n);
    }
    t->line[t->nrows++] = line;
    return 0;
}

int churn_find_column(const struct churn_table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(churn_name(t, i), name) == 0)
            return i;
    return -1;
}

int churn_id_column(const struct churn_table *t, int target)
{
    for (int i = 0; i < t->ncols; i++)
        if (i != target && strcasecmp(churn_name(t, i), "id") == 0)
            return i;
    for (int i = 0; i < t->ncols; i++) {
        const char *s = churn_name(t, i);
        size_t n = strlen(s);
        if (i != target && n > 2 &&
            (strcmp(s + n - 2, "ID") == 0 || strcmp(s + n - 2, "Id") == 0 ||
             strcasecmp(s + n - 3, "_id") == 0))
            return i;
    }
    if (target == 0)
        return t->ncols > 1 ? 1 : -1;
    return 0;
}

int churn_parse_number(const char *s, double *v)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return 0;
    /* digits, sign, point, exponent only (no "nan", "inf", hex) */
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p) && !strchr("+-.eE \t", *p))
            return 0;
    char *end;
    double x = strtod(s, &end);
    if (end == s)
        return 0;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end || !isfinite(x))
        return 0;
    *v = x;
    return 1;
}

/* s without surrounding spaces into buf (cut to its size). */
static const char *trimmed(const char *s, char *buf, size_t size)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n >= size)
        n = size - 1;
    memcpy(buf, s, n);
    buf[n] = 0;
    return buf;
}

int churn_target_values(const struct churn_table *t, int target, const char *positive,
                        const char **pos, const char **neg, char *why, size_t whylen)
{
    const char *v[2] = {NULL, NULL};
    char a[CHURN_MAX_CELL + 1], b[CHURN_MAX_CELL + 1];
    for (int r = 0; r < t->nrows; r++) {
        const char *s = churn_cell(t, r, target);
        trimmed(s, a, sizeof a);
        if (!a[0]) {
            set_why(why, whylen, "line %d: the target column \"%s\" is blank", t->line[r],
                    churn_name(t, target));
            return -1;
        }
        int k = 0;
        for (; k < 2 && v[k]; k++)
            if (strcmp(trimmed(v[k], b, sizeof b), a) == 0)
                break;
        if (k == 2) {
            set_why(why, whylen,
                    "line %d: the target column \"%s\" has a third value \"%.40s\" (it needs "
                    "exactly two, e.g. Yes/No or 1/0)",
                    t->line[r], churn_name(t, target), a);
            return -1;
        }
        if (!v[k])
            v[k] = s;
    }
    if (!v[0] || !v[1]) {
        set_why(why, whylen, "the target column \"%s\" has %s (it needs two, e.g. Yes/No)",
                churn_name(t, target), v[0] ? "only one value" : "no rows");
        return -1;
    }
    trimmed(v[0], a, sizeof a);
    trimmed(v[1], b, sizeof b);
    int first_pos = -1;
    if (positive) {
        char p[CHURN_MAX_CELL + 1];
        trimmed(positive, p, sizeof p);
        if (strcmp(a, p) == 0)
            first_pos = 1;
        else if (strcmp(b, p) == 0)
            first_pos = 0;
        else {
            set_why(why, whylen, "--positive \"%.40s\" is not a value of \"%s\" (%.40s, %.40s)", p,
                    churn_name(t, target), a, b);
            return -1;
        }
    } else {
        static const char *const pairs[][2] = {
            {"yes", "no"}, {"1", "0"}, {"true", "false"}, {"y", "n"}, {"t", "f"}};
        for (size_t i = 0; i < sizeof pairs / sizeof pairs[0] && first_pos < 0; i++) {
            if (strcasecmp(a, pairs[i][0]) == 0 && strcasecmp(b, pairs[i][1]) == 0)
                first_pos = 1;
            else if (strcasecmp(b, pairs[i][0]) == 0 && strcasecmp(a, pairs[i][1]) == 0)
                first_pos = 0;
        }
        if (first_pos < 0) {
            set_why(why, whylen,
                    "the target column \"%s\" has the values \"%.40s\" and \"%.40s\": say which "
                    "is positive with --positive",
                    churn_name(t, target), a, b);
            return -1;
        }
    }
    *pos = first_pos ? v[0] : v[1];
    *neg = first_pos ? v[1] : v[0];
    return 0;
}

int churn_csv_parse(const char *data, size_t len, struct churn_table *t, char *why, size_t whylen)
{
    memset(t, 0, sizeof *t);
    if (why && whylen)
        why[0] = 0;
    if (len > (size_t)CHURN_MAX_BYTES) {
        set_why(why, whylen, "the file is larger than %ld MiB", CHURN_MAX_BYTES >> 20);
        return -1;
    }
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        data += 3, len -= 3;
    /* every field unescaped into the pool: never longer than the input plus one NUL each */
    t->pool_cap = len + 2;
    t->pool = malloc(t->pool_cap);
    size_t fcap = 64, nf = 0;
    size_t *fields = malloc(sizeof *fields * fcap);
    if (!t->pool || !fields) {
        free(fields);
        churn_table_free(t);
        set_why(why, whylen, "out of memory");
        return -1;
    }
    size_t i = 0;
    int line = 1, header = 1;
    while (i < len) {
        int rec_line = line;
        nf = 0;
        /* one record */
        for (;;) {
            size_t at = t->pool_len;
            if (i < len && data[i] == '"') {
                i++;
                for (;;) {
                    if (i >= len) {
                        set_why(why, whylen, "line %d: a quoted field is not closed", rec_line);
                        goto fail;
                    }
                    if (data[i] == '"') {
                        if (i + 1 < len && data[i + 1] == '"') {
                            t->pool[t->pool_len++] = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (data[i] == '\n')
                        line++;
                    t->pool[t->pool_len++] = data[i++];
                }
                if (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
                    set_why(why, whylen, "line %d: text after a closing quote", line);
                    goto fail;
                }
            } else {
                while (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
                    if (data[i] == 0) {
                        set_why(why, whylen, "line %d: a NUL byte (not a text file?)", line);
                        goto fail;
                    }
                    t->pool[t->pool_len++] = data[i++];
                }
            }
            if (t->pool_len - at > CHURN_MAX_CELL) {
                set_why(why, whylen, "line %d: a field longer than %d bytes", line, CHURN_MAX_CELL);
                goto fail;
            }
            t->pool[t->pool_len++] = 0;
            if (nf == fcap) {
                if (fcap > CHURN_MAX_COLS) {
                    set_why(why, whylen, "line %d: more than %d columns", rec_line, CHURN_MAX_COLS);
                    goto fail;
                }
                size_t *nfp = realloc(fields, sizeof *fields * fcap * 2);
                if (!nfp)
                    goto oom;
                fields = nfp;
                fcap *= 2;
            }
            fields[nf++] = at;
            if (i < len && data[i] == ',') {
                i++;
                continue;
            }
            if (i < len && data[i] == '\r')
                i++;
            if (i < len && data[i] == '\n')
                i++;
            line++;
            break;
        }
        if (nf == 1 && t->pool[fields[0]] == 0) {
            t->pool_len = fields[0];
            continue; /* an empty line */
        }
        if (nf > CHURN_MAX_COLS) {
            set_why(why, whylen, "line %d: more than %d columns", rec_line, CHURN_MAX_COLS);
            goto fail;
        }
        if (header) {
            header = 0;
            t->ncols = (int)nf;
            t->names = malloc(sizeof *t->names * nf);
            if (!t->names)
                goto oom;
            memcpy(t->names, fields, sizeof *fields * nf);
            for (int c = 0; c < t->ncols; c++) {
                if (!churn_name(t, c)[0]) {
                    set_why(why, whylen, "line %d: column %d has no name", rec_line, c + 1);
                    goto fail;
                }
                for (int d = 0; d < c; d++)
                    if (strcmp(churn_name(t, c), churn_name(t, d)) == 0) {
                        set_why(why, whylen, "line %d: the column name \"%.60s\" appears twice",
                                rec_line, churn_name(t, c));
                        goto fail;
                    }
            }
            continue;
        }
        if ((int)nf != t->ncols) {
            set_why(why, whylen, "line %d: %zu fields, the header has %d", rec_line, nf, t->ncols);
            goto fail;
        }
        if (t->nrows >= CHURN_MAX_ROWS) {
            set_why(why, whylen, "more than %d rows", CHURN_MAX_ROWS);
            goto fail;
        }
        if (rows_reserve(t))
            goto oom;
        memcpy(t->cells + (size_t)t->nrows * nf, fields, sizeof *fields * nf);
        t->line[t->nrows++] = rec_line;
    }
    free(fields);
    if (header) {
        set_why(why, whylen, "the file is empty (it needs a header line)");
        churn_table_free(t);
        return -1;
    }
    return 0;
oom:
    set_why(why, whylen, "out of memory");
fail:
    free(fields);
    churn_table_free(t);
    return -1;
}
