/* churn_model.c -- the churn model file (churn.h): a versioned text format, one record a line,
 * tokens separated by one space; strings escaped (%XX for bytes <= 0x20, '%' and 0x7F), numbers
 * as %.17g (read back exactly by strtod):
 *
 *   KAMCHURN 1
 *   target NAME
 *   positive VALUE                  the target value that is 1
 *   negative VALUE
 *   id NAME                         the id column at training (never a feature)
 *   columns N                       then N lines:
 *   num NAME LO HI | cat NAME K     (numbers are clipped to LO..HI; a cat line is followed by
 *                                   K lines "v CATEGORY", sorted)
 *   features F                      then F lines:
 *   f COL KIND PARAM MEAN SD        KIND 0 x, 1 log(1 + x - PARAM), 2 max(0, x - PARAM),
 *                                   3 missing, 4 category PARAM; z = (value - MEAN) / SD
 *   blend A S T                     logit = S * (A * lr + (1 - A) * gbm) + T
 *   lr C BIAS                       then F lines "w WEIGHT"
 *   gbm NTREES BASE                 then per tree "tree NODES" and NODES lines
 *   n FEAT THR LEFT RIGHT VALUE     (FEAT -1: a leaf; children after their parent)
 *   end
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "churn_int.h"

struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
};

static void put(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap <= b->len + (size_t)n)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
}

static void put_str(struct sbuf *b, const char *s)
{
    put(b, " ");
    if (!*s)
        put(b, "%%");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c == '%' || c == 0x7F)
            put(b, "%%%02X", c);
        else
            put(b, "%c", c);
    }
}

char *churn_model_save(const struct churn_model *m, size_t *len)
{
    struct sbuf b = {0};
    put(&b, "KAMCHURN 1\ntarget");
    put_str(&b, m->target);
    put(&b, "\npositive");
    put_str(&b, m->pos);
    put(&b, "\nnegative");
    put_str(&b, m->neg);
    put(&b, "\nid");
    put_str(&b, m->id);
    put(&b, "\ncolumns %d\n", m->ncols);
    for (int c = 0; c < m->ncols; c++) {
        const struct churn_col *col = &m->cols[c];
        put(&b, "%s", col->type == CHURN_CAT ? "cat" : "num");
        put_str(&b, col->name);
        if (col->type == CHURN_CAT) {
            put(&b, " %d\n", col->ncat);
            for (int k = 0; k < col->ncat; k++) {
                put(&b, "v");
                put_str(&b, col->cats[k]);
                put(&b, "\n");
            }
        } else
            put(&b, " %.17g %.17g\n", col->lo, col->hi);
    }
    put(&b, "features %d\n", m->nfeat);
    for (int j = 0; j < m->nfeat; j++) {
        const struct churn_feat *f = &m->feat[j];
        put(&b, "f %d %d %.17g %.17g %.17g\n", f->col, f->kind, f->param, f->mean, f->sd);
    }
    put(&b, "blend %.17g %.17g %.17g\n", m->a, m->s, m->t);
    put(&b, "lr %.17g %.17g\n", m->C, m->lr_b);
    for (int j = 0; j < m->nfeat; j++)
        put(&b, "w %.17g\n", m->lr_w[j]);
    put(&b, "gbm %d %.17g\n", m->ntrees, m->gbm_base);
    for (int k = 0; k < m->ntrees; k++) {
        put(&b, "tree %d\n", m->trees[k].n);
        for (int i = 0; i < m->trees[k].n; i++) {
            const struct churn_node *nd = &m->trees[k].nodes[i];
            put(&b, "n %d %.17g %d %d %.17g\n", nd->feat, nd->thr, nd->left, nd->right, nd->value);
        }
    }
    put(&b, "end\n");
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    *len = b.len;
    return b.s;
}

/* ---- reading ---- */

struct rd {
    char *buf; /* a NUL-terminated copy */
    char *p;   /* the next line */
    int line;
    char *tok[8];
    int ntok;
    char *why;
    size_t whylen;
};

static int fail(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct rd *r, const char *fmt, ...)
{
    if (r->why && r->whylen) {
        int n = snprintf(r->why, r->whylen, "model line %d: ", r->line);
        if (n >= 0 && (size_t)n < r->whylen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(r->why + n, r->whylen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

/* The next line split on single spaces, its first token equal to key, with exactly want tokens
 * after it. */
static int next_line(struct rd *r, const char *key, int want)
{
    if (!*r->p)
        return fail(r, "the file ends early (expected \"%s\")", key);
    char *e = strchr(r->p, '\n');
    if (!e)
        return fail(r, "the last line has no newline");
    *e = 0;
    r->line++;
    char *s = r->p;
    r->p = e + 1;
    r->ntok = 0;
    for (;;) {
        char *sp = strchr(s, ' ');
        if (r->ntok == 8)
            return fail(r, "too many fields");
        r->tok[r->ntok++] = s;
        if (!sp)
            break;
        *sp = 0;
        s = sp + 1;
    }
    if (strcmp(r->tok[0], key) != 0)
        return fail(r, "expected \"%s\"", key);
    if (r->ntok != want + 1)
        return fail(r, "\"%s\" needs %d fields", key, want);
    for (int i = 0; i < r->ntok; i++)
        if (!r->tok[i][0])
            return fail(r, "an empty field");
    return 0;
}

static int hexv(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Unescapes token i into a malloc'ed string. "%" alone is the empty string. */
static int get_str(struct rd *r, int i, char **out)
{
    const char *s = r->tok[i];
    size_t n = strlen(s);
    char *d = malloc(n + 1), *o = d;
    if (!d)
        return fail(r, "out of memory");
    if (strcmp(s, "%") != 0)
        for (; *s; s++) {
            if (*s == '%') {
                int h = hexv(s[1]), l = h < 0 ? -1 : hexv(s[2]);
                if (l < 0) {
                    free(d);
                    return fail(r, "a bad escape");
                }
                *o++ = (char)(h * 16 + l);
                s += 2;
            } else
                *o++ = *s;
        }
    *o = 0;
    if ((size_t)(o - d) != strlen(d)) {
        free(d);
        return fail(r, "a NUL in a string");
    }
    *out = d;
    return 0;
}

static int get_int(struct rd *r, int i, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(r->tok[i], &end, 10);
    if (*end || end == r->tok[i] || v < lo || v > hi)
        return fail(r, "a whole number from %d to %d expected, not \"%.20s\"", lo, hi, r->tok[i]);
    *out = (int)v;
    return 0;
}

static int get_num(struct rd *r, int i, double *out)
{
    char *end;
    double v = strtod(r->tok[i], &end);
    if (*end || end == r->tok[i] || !isfinite(v))
        return fail(r, "a finite number expected, not \"%.20s\"", r->tok[i]);
    *out = v;
    return 0;
}

int churn_model_load(const char *data, size_t len, struct churn_model **out, char *why,
                     size_t whylen)
{
    *out = NULL;
    if (why && whylen)
        why[0] = 0;
    if (len > 64u * 1024 * 1024 || memchr(data, 0, len)) {
        snprintf(why, whylen, "not a churn model (binary or larger than 64 MiB)");
        return -1;
    }
    struct rd r = {.why = why, .whylen = whylen};
    r.buf = malloc(len + 1);
    struct churn_model *m = calloc(1, sizeof *m);
    if (!r.buf || !m) {
        free(r.buf);
        free(m);
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    memcpy(r.buf, data, len);
    r.buf[len] = 0;
    r.p = r.buf;
    int v;
    if (next_line(&r, "KAMCHURN", 1)) {
        snprintf(why, whylen, "not a churn model (it should start with \"KAMCHURN 1\")");
        goto bad;
    }
    if (get_int(&r, 1, 0, 1000, &v))
        goto bad;
    if (v != 1) {
        fail(&r, "model version %d (this kam reads version 1)", v);
        goto bad;
    }
    if (next_line(&r, "target", 1) || get_str(&r, 1, &m->target) || next_line(&r, "positive", 1) ||
        get_str(&r, 1, &m->pos) || next_line(&r, "negative", 1) || get_str(&r, 1, &m->neg) ||
        next_line(&r, "id", 1) || get_str(&r, 1, &m->id) || next_line(&r, "columns", 1) ||
        get_int(&r, 1, 1, CHURN_MAX_COLS, &v))
        goto bad;
    m->cols = calloc((size_t)v, sizeof *m->cols);
    if (!m->cols) {
        fail(&r, "out of memory");
        goto bad;
    }
    for (int c = 0, nc = v; c < nc; c++) {
        struct churn_col *col = &m->cols[c];
        char *e = strchr(r.p, ' ');
        int is_cat = e && e - r.p == 3 && memcmp(r.p, "cat", 3) == 0;
        if (next_line(&r, is_cat ? "cat" : "num", is_cat ? 2 : 3) || get_str(&r, 1, &col->name))
            goto bad;
        m->ncols++;
        col->type = is_cat ? CHURN_CAT : CHURN_NUM;
        if (!is_cat) {
            if (get_num(&r, 2, &col->lo) || get_num(&r, 3, &col->hi))
                goto bad;
            if (col->lo > col->hi) {
                fail(&r, "a range whose low end is above its high end");
                goto bad;
            }
            continue;
        }
        int k;
        if (get_int(&r, 2, 1, CHURN_MAX_CATS, &k))
            goto bad;
        col->cats = calloc((size_t)k, sizeof *col->cats);
        if (!col->cats) {
            fail(&r, "out of memory");
            goto bad;
        }
        for (int i = 0; i < k; i++) {
            if (next_line(&r, "v", 1) || get_str(&r, 1, &col->cats[i]))
                goto bad;
            col->ncat++;
            if (i && strcmp(col->cats[i - 1], col->cats[i]) >= 0) {
                fail(&r, "categories out of order");
                goto bad;
            }
        }
    }
    if (next_line(&r, "features", 1) || get_int(&r, 1, 1, 1000000, &v))
        goto bad;
    m->feat = calloc((size_t)v, sizeof *m->feat);
    m->lr_w = calloc((size_t)v + 1, sizeof *m->lr_w);
    if (!m->feat || !m->lr_w) {
        fail(&r, "out of memory");
        goto bad;
    }
    for (int j = 0, nf = v; j < nf; j++) {
        struct churn_feat *f = &m->feat[j];
        if (next_line(&r, "f", 5) || get_int(&r, 1, 0, m->ncols - 1, &f->col) ||
            get_int(&r, 2, F_RAW, F_CAT, &f->kind) || get_num(&r, 3, &f->param) ||
            get_num(&r, 4, &f->mean) || get_num(&r, 5, &f->sd))
            goto bad;
        m->nfeat++;
        const struct churn_col *col = &m->cols[f->col];
        if (!(f->sd > 0) || (j && f->col < m->feat[j - 1].col) ||
            (col->type == CHURN_CAT && f->kind != F_CAT && f->kind != F_MISS) ||
            (col->type == CHURN_NUM && f->kind == F_CAT) ||
            (f->kind == F_CAT &&
             (f->param != floor(f->param) || f->param < 0 || f->param >= col->ncat))) {
            fail(&r, "a feature that does not fit its column");
            goto bad;
        }
    }
    if (next_line(&r, "blend", 3) || get_num(&r, 1, &m->a) || get_num(&r, 2, &m->s) ||
        get_num(&r, 3, &m->t))
        goto bad;
    if (m->a < 0 || m->a > 1) {
        fail(&r, "a blend weight outside 0..1");
        goto bad;
    }
    if (next_line(&r, "lr", 2) || get_num(&r, 1, &m->C) || get_num(&r, 2, &m->lr_b))
        goto bad;
    for (int j = 0; j < m->nfeat; j++)
        if (next_line(&r, "w", 1) || get_num(&r, 1, &m->lr_w[j]))
            goto bad;
    if (next_line(&r, "gbm", 2) || get_int(&r, 1, 0, CHURN_MAX_TREES, &v) ||
        get_num(&r, 2, &m->gbm_base))
        goto bad;
    m->trees = calloc((size_t)v + 1, sizeof *m->trees);
    if (!m->trees) {
        fail(&r, "out of memory");
        goto bad;
    }
    for (int k = 0, nt = v; k < nt; k++) {
        struct churn_tree *t = &m->trees[k];
        int nn;
        if (next_line(&r, "tree", 1) || get_int(&r, 1, 1, CHURN_MAX_NODES, &nn))
            goto bad;
        m->ntrees++;
        t->nodes = calloc((size_t)nn, sizeof *t->nodes);
        if (!t->nodes) {
            fail(&r, "out of memory");
            goto bad;
        }
        t->n = nn;
        for (int i = 0; i < nn; i++) {
            struct churn_node *nd = &t->nodes[i];
            if (next_line(&r, "n", 5) || get_int(&r, 1, -1, m->nfeat - 1, &nd->feat) ||
                get_num(&r, 2, &nd->thr) || get_int(&r, 3, -1, nn - 1, &nd->left) ||
                get_int(&r, 4, -1, nn - 1, &nd->right) || get_num(&r, 5, &nd->value))
                goto bad;
            /* children come after their parent: no cycles, every path ends */
            if (nd->feat >= 0 ? (nd->left <= i || nd->right <= i)
                              : (nd->left != -1 || nd->right != -1)) {
                fail(&r, "a tree node with bad children");
                goto bad;
            }
        }
    }
    if (next_line(&r, "end", 0))
        goto bad;
    if (*r.p) {
        r.line++;
        fail(&r, "text after \"end\"");
        goto bad;
    }
    free(r.buf);
    *out = m;
    return 0;
bad:
    free(r.buf);
    churn_model_free(m);
    return -1;
}
