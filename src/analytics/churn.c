/* churn.c -- the churn learner (churn.h): features, logistic regression (liblinear), the blend
 * with the trees (churn_gbm.c), inner cross-validation, prediction and explanation, AUC. */
#include <linear.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "churn_int.h"

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

static void quiet(const char *s)
{
    (void)s;
}

/* The C values tried (features standardised; the bias is regularised too). */
static const double c_grid[] = {0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3};

void churn_opts_default(struct churn_opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->folds = 5;
    o->extras = 1;
    o->gbm = 1;
}

/* ---- text helpers: values compared without surrounding spaces ---- */

static const char *ltrim(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static size_t tlen(const char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n;
}

static int tcmp(const char *a, const char *b)
{
    size_t na = tlen(a), nb = tlen(b);
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? c : (na < nb ? -1 : na > nb);
}

static int tcmp_p(const void *a, const void *b)
{
    return tcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static char *tdup(const char *s)
{
    s = ltrim(s);
    size_t n = tlen(s);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* ---- the model ---- */

void churn_model_free(struct churn_model *m)
{
    if (!m)
        return;
    free(m->target);
    free(m->pos);
    free(m->neg);
    free(m->id);
    for (int c = 0; m->cols && c < m->ncols; c++) {
        free(m->cols[c].name);
        for (int k = 0; m->cols[c].cats && k < m->cols[c].ncat; k++)
            free(m->cols[c].cats[k]);
        free(m->cols[c].cats);
    }
    free(m->cols);
    free(m->feat);
    free(m->lr_w);
    churn_trees_free(m->trees, m->ntrees);
    free(m);
}

const char *churn_model_target(const struct churn_model *m)
{
    return m->target;
}
const char *churn_model_positive(const struct churn_model *m)
{
    return m->pos;
}
const char *churn_model_id_name(const struct churn_model *m)
{
    return m->id;
}
int churn_model_ncols(const struct churn_model *m)
{
    return m->ncols;
}
const char *churn_model_col_name(const struct churn_model *m, int col)
{
    return col >= 0 && col < m->ncols ? m->cols[col].name : "";
}

int churn_model_bind(const struct churn_model *m, const struct churn_table *t, int *map, char *why,
                     size_t whylen)
{
    for (int c = 0; c < m->ncols; c++) {
        map[c] = churn_find_column(t, m->cols[c].name);
        if (map[c] < 0) {
            set_why(why, whylen, "the column \"%.80s\" the model was trained with is missing",
                    m->cols[c].name);
            return -1;
        }
    }
    return 0;
}

/* The category index of s in column c, or -1 (unseen); -2 when s is blank. */
static int cat_index(const struct churn_col *c, const char *s)
{
    s = ltrim(s);
    if (!*s)
        return -2;
    int lo = 0, hi = c->ncat - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, r = tcmp(s, c->cats[mid]);
        if (r == 0)
            return mid;
        if (r < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

/* Raw (unstandardised) value of feature f for a column's cell; missing numbers take the mean
 * (standardised: 0). A numeric cell that does not parse is missing. */
static double raw_value(const struct churn_feat *f, int type, int have, double x, int cat)
{
    if (type == CHURN_CAT) {
        if (f->kind == F_MISS)
            return cat == -2;
        return cat == (int)f->param;
    }
    if (f->kind == F_MISS)
        return !have;
    if (!have)
        return f->mean;
    if (f->kind == F_LOG)
        return log1p(x > f->param ? x - f->param : 0);
    if (f->kind == F_HINGE)
        return x > f->param ? x - f->param : 0;
    return x;
}

void churn_featurize(const struct churn_model *m, const struct churn_table *t, const int *map,
                     int row, double *z)
{
    int last = -1, have = 0, cat = -1;
    double x = 0;
    for (int j = 0; j < m->nfeat; j++) {
        const struct churn_feat *f = &m->feat[j];
        const struct churn_col *c = &m->cols[f->col];
        if (f->col != last) { /* features of a column are consecutive */
            last = f->col;
            const char *s = churn_cell(t, row, map[f->col]);
            if (c->type == CHURN_CAT)
                cat = cat_index(c, s);
            else {
                have = churn_parse_number(s, &x);
                x = x < c->lo ? c->lo : x > c->hi ? c->hi : x;
            }
        }
        z[j] = (raw_value(f, c->type, have, x, cat) - f->mean) / f->sd;
    }
}

/* The blended margin's parts for a featurised row. */
static double lr_margin(const struct churn_model *m, const double *z)
{
    double s = m->lr_b;
    for (int j = 0; j < m->nfeat; j++)
        s += m->lr_w[j] * z[j];
    return s;
}

static double gbm_margin(const struct churn_model *m, const double *z)
{
    double s = m->gbm_base;
    for (int k = 0; k < m->ntrees; k++)
        s += churn_tree_value(&m->trees[k], z);
    return s;
}

static double logit_of(const struct churn_model *m, const double *z)
{
    double v = 0;
    if (m->a > 0)
        v += m->a * lr_margin(m, z);
    if (m->a < 1)
        v += (1 - m->a) * gbm_margin(m, z);
    return m->s * v + m->t;
}

static double sigmoid(double v)
{
    return 1 / (1 + exp(-v));
}

double churn_predict(const struct churn_model *m, const struct churn_table *t, const int *map,
                     int row)
{
    double zs[256], *z = m->nfeat <= 256 ? zs : malloc(sizeof *z * (size_t)m->nfeat);
    if (!z)
        return NAN;
    churn_featurize(m, t, map, row, z);
    double p = sigmoid(logit_of(m, z));
    if (z != zs)
        free(z);
    return p;
}

double churn_explain(const struct churn_model *m, const struct churn_table *t, const int *map,
                     int row, struct churn_contrib *out, double *intercept)
{
    double *z = malloc(sizeof *z * (size_t)(m->nfeat + 1));
    double *lr = calloc((size_t)m->ncols + 1, sizeof *lr),
           *gb = calloc((size_t)m->ncols + 1, sizeof *gb);
    if (!z || !lr || !gb) {
        free(z);
        free(lr);
        free(gb);
        *intercept = NAN;
        return NAN;
    }
    churn_featurize(m, t, map, row, z);
    double b_lr = m->lr_b, b_gb = m->gbm_base;
    for (int j = 0; j < m->nfeat; j++)
        lr[m->feat[j].col] += m->lr_w[j] * z[j];
    for (int k = 0; k < m->ntrees; k++) {
        const struct churn_tree *tr = &m->trees[k];
        int n = 0;
        b_gb += tr->nodes[0].value;
        while (tr->nodes[n].feat >= 0) {
            const struct churn_node *nd = &tr->nodes[n];
            int next = z[nd->feat] <= nd->thr ? nd->left : nd->right;
            gb[m->feat[nd->feat].col] += tr->nodes[next].value - nd->value;
            n = next;
        }
    }
    *intercept = m->t + m->s * (m->a * b_lr + (1 - m->a) * b_gb);
    for (int c = 0; c < m->ncols; c++) {
        out[c].col = c;
        out[c].contrib = m->s * (m->a * lr[c] + (1 - m->a) * gb[c]);
    }
    double logit = logit_of(m, z);
    free(z);
    free(lr);
    free(gb);
    return logit;
}

static int cmp_abs_contrib(const void *a, const void *b)
{
    const struct churn_contrib *x = a, *y = b;
    double ax = fabs(x->contrib), ay = fabs(y->contrib);
    if (ax != ay)
        return ax < ay ? 1 : -1;
    return (x->col > y->col) - (x->col < y->col);
}

int churn_top_factors(const struct churn_model *m, const struct churn_table *t, const int *map,
                      int row, int k, struct churn_contrib *out, double *logit, double *intercept)
{
    struct churn_contrib *all = malloc(sizeof *all * (size_t)m->ncols);
    if (!all) {
        *logit = *intercept = NAN;
        return 0;
    }
    *logit = churn_explain(m, t, map, row, all, intercept);
    qsort(all, (size_t)m->ncols, sizeof *all, cmp_abs_contrib);
    int n = k < m->ncols ? k : m->ncols;
    if (n < 0)
        n = 0;
    memcpy(out, all, sizeof *all * (size_t)n);
    free(all);
    return n;
}

void churn_model_id(const struct churn_model *m, char out[9])
{
    size_t len;
    char *text = churn_model_save(m, &len);
    out[0] = 0;
    if (!text)
        return;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)text[i]) * 16777619u;
    free(text);
    snprintf(out, 9, "%08x", (unsigned)h);
}

/* ---- AUC and folds ---- */

struct sy {
    double s;
    int y;
};

static int cmp_sy(const void *a, const void *b)
{
    double x = ((const struct sy *)a)->s, y = ((const struct sy *)b)->s;
    return x < y ? -1 : x > y;
}

double churn_auc(const double *score, const int *y, int n)
{
    struct sy *v = malloc(sizeof *v * (size_t)(n ? n : 1));
    if (!v)
        return -1;
    long long np = 0, nn = 0;
    for (int i = 0; i < n; i++) {
        v[i].s = score[i];
        v[i].y = y[i] ? 1 : 0;
        np += v[i].y;
    }
    nn = n - np;
    if (!np || !nn) {
        free(v);
        return -1;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_sy);
    /* sum of the positives' ranks, ties given their average rank */
    double rank_sum = 0;
    for (int i = 0; i < n;) {
        int j = i;
        long long p = 0;
        while (j < n && v[j].s == v[i].s)
            p += v[j++].y;
        rank_sum += p * ((i + 1 + j) / 2.0);
        i = j;
    }
    free(v);
    return (rank_sum - np * (np + 1) / 2.0) / ((double)np * (double)nn);
}

void churn_folds(const int *y, int n, int k, unsigned seed, int *fold)
{
    int *ix = malloc(sizeof *ix * (size_t)(n ? n : 1));
    if (!ix) {
        for (int i = 0; i < n; i++)
            fold[i] = i % k;
        return;
    }
    uint64_t rs = (uint64_t)seed * 0xD1B54A32D192ED03ull + 7;
    for (int i = 0; i < n; i++)
        ix[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(churn_rng(&rs) % (uint64_t)(i + 1)), tmp = ix[i];
        ix[i] = ix[j];
        ix[j] = tmp;
    }
    /* the positives start where the negatives ended, so fold sizes differ by one at most */
    int next[2] = {0, 0};
    for (int i = 0; i < n; i++)
        next[1] += !y[i];
    next[1] %= k;
    for (int i = 0; i < n; i++) {
        int c = y[ix[i]] ? 1 : 0;
        fold[ix[i]] = next[c];
        next[c] = (next[c] + 1) % k;
    }
    free(ix);
}

/* ---- logistic regression (liblinear) on the standardised matrix ---- */

static int lr_fit(const double *Z, int F, const int *y, const int *rows, int n, double C,
                  double *w /* F + 1: the last is the bias */)
{
    size_t per = (size_t)F + 2;
    struct feature_node *pool = malloc(sizeof *pool * per * (size_t)(n ? n : 1));
    struct feature_node **x = malloc(sizeof *x * (size_t)(n ? n : 1));
    double *yy = malloc(sizeof *yy * (size_t)(n ? n : 1));
    int rc = -1;
    if (!pool || !x || !yy)
        goto out;
    for (int i = 0; i < n; i++) {
        struct feature_node *p = pool + per * (size_t)i;
        x[i] = p;
        const double *zr = Z + (size_t)rows[i] * F;
        for (int j = 0; j < F; j++)
            if (zr[j] != 0)
                *p++ = (struct feature_node){j + 1, zr[j]};
        *p++ = (struct feature_node){F + 1, 1.0};
        *p = (struct feature_node){-1, 0};
        yy[i] = y[rows[i]] ? 1 : -1;
    }
    struct problem prob = {.l = n, .n = F + 1, .y = yy, .x = x, .bias = -1};
    struct parameter par = {.solver_type = L2R_LR, .eps = 1e-4, .C = C};
    set_print_string_function(quiet);
    if (check_parameter(&prob, &par))
        goto out;
    struct model *mod = train(&prob, &par);
    if (!mod)
        goto out;
    double sign = mod->label[0] == 1 ? 1 : -1;
    for (int j = 0; j <= F; j++)
        w[j] = sign * mod->w[j];
    free_and_destroy_model(&mod);
    rc = 0;
out:
    free(pool);
    free(x);
    free(yy);
    return rc;
}

/* Platt scaling: s, t minimising the log loss of sigmoid(s m + t) (Newton, a tiny ridge). */
static void platt(const double *m, const int *y, int n, double *s_out, double *t_out)
{
    double s = 1, t = 0;
    for (int it = 0; it < 100; it++) {
        double gs = 1e-6 * (s - 1), gt = 0, hss = 1e-6, hst = 0, htt = 1e-9;
        for (int i = 0; i < n; i++) {
            double p = sigmoid(s * m[i] + t), d = p - y[i], w = p * (1 - p);
            gs += d * m[i];
            gt += d;
            hss += w * m[i] * m[i];
            hst += w * m[i];
            htt += w;
        }
        double det = hss * htt - hst * hst;
        if (!(det > 0))
            break;
        double ds = (htt * gs - hst * gt) / det, dt = (hss * gt - hst * gs) / det;
        s -= ds;
        t -= dt;
        if (fabs(ds) < 1e-10 && fabs(dt) < 1e-10)
            break;
    }
    *s_out = isfinite(s) && s > 0 ? s : 1;
    *t_out = isfinite(t) ? t : 0;
}

/* Mean over folds of the AUC of margins mg (one per row of rows, fold fo). */
static double fold_mean_auc(const double *mg, const int *yr, const int *fo, int n, int k,
                            double *tmp_s, int *tmp_y)
{
    double sum = 0;
    int cnt = 0;
    for (int f = 0; f < k; f++) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (fo[i] == f)
                tmp_s[m] = mg[i], tmp_y[m++] = yr[i];
        double a = churn_auc(tmp_s, tmp_y, m);
        if (a >= 0)
            sum += a, cnt++;
    }
    return cnt ? sum / cnt : 0.5;
}

/* ---- training ---- */

static int is_ignored(const struct churn_opts *o, const char *name)
{
    for (int i = 0; o->ignore && o->ignore[i]; i++)
        if (strcmp(o->ignore[i], name) == 0)
            return 1;
    return 0;
}

static int add_feat(struct churn_model *m, int *cap, int col, int kind, double param)
{
    if (m->nfeat == *cap) {
        int nc = *cap ? *cap * 2 : 64;
        struct churn_feat *nf = realloc(m->feat, sizeof *nf * (size_t)nc);
        if (!nf)
            return -1;
        m->feat = nf;
        *cap = nc;
    }
    m->feat[m->nfeat++] = (struct churn_feat){col, kind, param, 0, 1};
    return 0;
}

/* The input columns and derived features from the training rows. map[c] gets the table column
 * of the model's column c. */
static int make_schema(struct churn_model *m, const struct churn_table *t, int target, int idc,
                       const int *rows, int n, const struct churn_opts *o, int *map, char *why,
                       size_t whylen)
{
    const char **v = malloc(sizeof *v * (size_t)(n ? n : 1));
    double *x = malloc(sizeof *x * (size_t)(n ? n : 1));
    int fcap = 0, rc = -1;
    m->cols = calloc((size_t)t->ncols, sizeof *m->cols);
    if (!v || !x || !m->cols)
        goto oom;
    for (int tc = 0; tc < t->ncols; tc++) {
        if (tc == target || tc == idc || is_ignored(o, churn_name(t, tc)))
            continue;
        int nv = 0, nx = 0, numeric = 1, miss = 0;
        for (int i = 0; i < n; i++) {
            const char *s = ltrim(churn_cell(t, rows[i], tc));
            if (!*s) {
                miss++;
                continue;
            }
            v[nv++] = s;
            if (numeric && churn_parse_number(s, &x[nx]))
                nx++;
            else
                numeric = 0;
        }
        if (!nv)
            continue; /* every value blank: nothing to learn */
        int c = m->ncols;
        struct churn_col *col = &m->cols[c];
        col->name = strdup(churn_name(t, tc));
        if (!col->name)
            goto oom;
        m->ncols++;
        map[c] = tc;
        if (numeric) {
            col->type = CHURN_NUM;
            qsort(x, (size_t)nx, sizeof *x, cmp_double);
            col->lo = x[0];
            col->hi = x[nx - 1];
            int distinct = 1;
            for (int i = 1; i < nx; i++)
                distinct += x[i] != x[i - 1];
            if (add_feat(m, &fcap, c, F_RAW, 0))
                goto oom;
            if (o->extras && distinct >= 10) {
                if (add_feat(m, &fcap, c, F_LOG, x[0]))
                    goto oom;
                double last = x[0];
                for (int q = 1; q <= 3; q++) {
                    double k = x[(size_t)((long long)q * (nx - 1) / 4)];
                    if (k > last && k < x[nx - 1]) {
                        if (add_feat(m, &fcap, c, F_HINGE, k))
                            goto oom;
                        last = k;
                    }
                }
            }
            if (o->extras && miss && add_feat(m, &fcap, c, F_MISS, 0))
                goto oom;
        } else {
            col->type = CHURN_CAT;
            qsort(v, (size_t)nv, sizeof *v, tcmp_p);
            int k = 1;
            for (int i = 1; i < nv; i++)
                k += tcmp(v[i], v[i - 1]) != 0;
            if (k > CHURN_MAX_CATS) {
                set_why(why, whylen,
                        "the column \"%.80s\" has more than %d distinct values (free text or an "
                        "id? leave it out with --ignore)",
                        col->name, CHURN_MAX_CATS);
                goto out;
            }
            col->cats = calloc((size_t)k, sizeof *col->cats);
            if (!col->cats)
                goto oom;
            for (int i = 0; i < nv; i++)
                if (i == 0 || tcmp(v[i], v[i - 1]) != 0) {
                    if (!(col->cats[col->ncat] = tdup(v[i])))
                        goto oom;
                    if (add_feat(m, &fcap, c, F_CAT, col->ncat++))
                        goto oom;
                }
            if (miss && add_feat(m, &fcap, c, F_MISS, 0))
                goto oom;
        }
    }
    if (!m->nfeat) {
        set_why(why, whylen, "no feature columns (only the id and the target?)");
        goto out;
    }
    rc = 0;
    goto out;
oom:
    set_why(why, whylen, "out of memory");
out:
    free(v);
    free(x);
    return rc;
}

/* The standardised matrix of the rows (n x nfeat), setting each feature's mean and SD. */
static double *make_matrix(struct churn_model *m, const struct churn_table *t, const int *map,
                           const int *rows, int n)
{
    int F = m->nfeat;
    double *Z = malloc(sizeof *Z * (size_t)n * (size_t)F + 1);
    if (!Z)
        return NULL;
    /* raw values: missing numbers need the mean first, so two passes */
    for (int j = 0; j < F; j++)
        m->feat[j].mean = 0, m->feat[j].sd = 1;
    for (int i = 0; i < n; i++)
        churn_featurize(m, t, map, rows[i], Z + (size_t)i * F);
    /* the mean over present values: a missing number's raw value was 0 (mean 0 above) */
    for (int j = 0; j < F; j++) {
        struct churn_feat *f = &m->feat[j];
        const struct churn_col *c = &m->cols[f->col];
        double s = 0;
        int cnt = 0;
        for (int i = 0; i < n; i++) {
            if (c->type == CHURN_NUM && f->kind != F_MISS) {
                double xv;
                if (!churn_parse_number(churn_cell(t, rows[i], map[f->col]), &xv))
                    continue;
            }
            s += Z[(size_t)i * F + j], cnt++;
        }
        double mean = cnt ? s / cnt : 0, ss = 0;
        for (int i = 0; i < n; i++) {
            double *zv = &Z[(size_t)i * F + j];
            if (c->type == CHURN_NUM && f->kind != F_MISS) {
                double xv;
                if (!churn_parse_number(churn_cell(t, rows[i], map[f->col]), &xv))
                    *zv = mean;
            }
            ss += (*zv - mean) * (*zv - mean);
        }
        double sd = n > 1 ? sqrt(ss / (n - 1)) : 0;
        f->mean = mean;
        f->sd = sd > 1e-12 ? sd : 1;
        for (int i = 0; i < n; i++)
            Z[(size_t)i * F + j] = (Z[(size_t)i * F + j] - f->mean) / f->sd;
    }
    return Z;
}

/* A name the id rule recognises (not only the fallback to the first column). */
static int id_named(const char *s)
{
    size_t n = strlen(s);
    return strcasecmp(s, "id") == 0 ||
           (n > 2 && (strcmp(s + n - 2, "ID") == 0 || strcmp(s + n - 2, "Id") == 0 ||
                      strcasecmp(s + n - 3, "_id") == 0));
}

/* 1 when the column's values on the rows are all different (and none blank). */
static int all_distinct(const struct churn_table *t, int col, const int *rows, int n)
{
    const char **v = malloc(sizeof *v * (size_t)(n ? n : 1));
    if (!v)
        return 1;
    for (int i = 0; i < n; i++)
        v[i] = ltrim(churn_cell(t, rows[i], col));
    qsort(v, (size_t)n, sizeof *v, tcmp_p);
    int ok = n == 0 || *v[0];
    for (int i = 1; i < n && ok; i++)
        ok = tcmp(v[i], v[i - 1]) != 0;
    free(v);
    return ok;
}

int churn_train(const struct churn_table *t, const char *target, const int *rows_in, int nrows_in,
                const struct churn_opts *o_in, struct churn_model **out, struct churn_report *rep,
                char *why, size_t whylen)
{
    struct churn_opts o;
    if (o_in)
        o = *o_in;
    else
        churn_opts_default(&o);
    if (o.folds < 2 || o.folds > 20)
        o.folds = 5;
    *out = NULL;
    if (why && whylen)
        why[0] = 0;
    int tc = churn_find_column(t, target);
    if (tc < 0) {
        set_why(why, whylen, "no column named \"%.80s\" (the target)", target);
        return -1;
    }
    const char *pos, *neg;
    if (churn_target_values(t, tc, o.positive, &pos, &neg, why, whylen))
        return -1;
    int n = rows_in ? nrows_in : t->nrows, rc = -1, idc = churn_id_column(t, tc);
    struct churn_model *m = calloc(1, sizeof *m);
    int *rows = malloc(sizeof *rows * (size_t)(n ? n : 1));
    int *y = malloc(sizeof *y * (size_t)(t->nrows ? t->nrows : 1));
    int *map = malloc(sizeof *map * (size_t)t->ncols);
    int *fo = malloc(sizeof *fo * (size_t)(n ? n : 1)),
        *yr = malloc(sizeof *yr * (size_t)(n ? n : 1));
    double *oof_lr = malloc(sizeof(double) * (size_t)(n ? n : 1));
    double *oof_gb = malloc(sizeof(double) * (size_t)(n ? n : 1));
    double *tmp_s = malloc(sizeof(double) * (size_t)(n ? n : 1));
    int *tmp_y = malloc(sizeof(int) * (size_t)(n ? n : 1));
    int *tr = malloc(sizeof(int) * (size_t)(n ? n : 1)),
        *va = malloc(sizeof(int) * (size_t)(n ? n : 1));
    double *Z = NULL, *w = NULL, *vm = NULL, *gbm_oof_all = NULL;
    struct churn_bins B = {0};
    if (!m || !rows || !y || !map || !fo || !yr || !oof_lr || !oof_gb || !tmp_s || !tmp_y || !tr ||
        !va)
        goto oom;
    for (int i = 0; i < n; i++)
        rows[i] = rows_in ? rows_in[i] : i;
    for (int r = 0; r < t->nrows; r++)
        y[r] = tcmp(ltrim(churn_cell(t, r, tc)), ltrim(pos)) == 0;
    int npos = 0;
    for (int i = 0; i < n; i++)
        npos += y[rows[i]];
    if (npos < o.folds || n - npos < o.folds) {
        set_why(why, whylen,
                "too few examples: %d positive (%s) and %d negative; each needs at least %d", npos,
                pos, n - npos, o.folds);
        goto out;
    }
    if (!(m->target = strdup(target)) || !(m->pos = tdup(pos)) || !(m->neg = tdup(neg)) ||
        !(m->id = strdup(idc >= 0 ? churn_name(t, idc) : "")))
        goto oom;
    if (idc >= 0 && !id_named(churn_name(t, idc)) && !all_distinct(t, idc, rows, n))
        idc = -1; /* the first column by default, but its values repeat: a feature, not an id */
    if (make_schema(m, t, tc, idc, rows, n, &o, map, why, whylen))
        goto out;
    int F = m->nfeat;
    if ((double)n * F > CHURN_MAX_CELLS) {
        set_why(why, whylen, "%d rows x %d features is more than this learner takes (%.0f)", n, F,
                CHURN_MAX_CELLS);
        goto out;
    }
    if (!(Z = make_matrix(m, t, map, rows, n)))
        goto oom;
    /* Z's rows are 0..n-1 from here; the labels too */
    for (int i = 0; i < n; i++)
        yr[i] = y[rows[i]];
    churn_folds(yr, n, o.folds, o.seed, fo);
    w = malloc(sizeof *w * ((size_t)F + 1));
    if (!w)
        goto oom;
    /* LR: C by inner CV */
    int nc = o.C > 0 ? 1 : (int)(sizeof c_grid / sizeof c_grid[0]);
    double best_auc = -1, best_C = o.C;
    double *cand = malloc(sizeof *cand * (size_t)n);
    if (!cand)
        goto oom;
    for (int ci = 0; ci < nc; ci++) {
        double C = o.C > 0 ? o.C : c_grid[ci];
        for (int f = 0; f < o.folds; f++) {
            int ntr = 0, nva = 0;
            for (int i = 0; i < n; i++)
                if (fo[i] == f)
                    va[nva++] = i;
                else
                    tr[ntr++] = i;
            if (lr_fit(Z, F, yr, tr, ntr, C, w)) {
                free(cand);
                goto oom;
            }
            for (int i = 0; i < nva; i++) {
                double s = w[F];
                for (int j = 0; j < F; j++)
                    s += w[j] * Z[(size_t)va[i] * F + j];
                cand[va[i]] = s;
            }
        }
        double a = fold_mean_auc(cand, yr, fo, n, o.folds, tmp_s, tmp_y);
        if (a > best_auc + 1e-9) {
            best_auc = a;
            best_C = C;
            memcpy(oof_lr, cand, sizeof *cand * (size_t)n);
        }
    }
    free(cand);
    m->C = best_C;
    double auc_lr = best_auc, auc_gb = -1;
    int T = 0;
    if (o.gbm) {
        if (churn_bins_make(&B, Z, n, F))
            goto oom;
        int steps = CHURN_GBM_MAX_TREES / CHURN_GBM_STEP;
        gbm_oof_all = malloc(sizeof *gbm_oof_all * (size_t)steps * (size_t)n);
        vm = malloc(sizeof *vm * (size_t)steps * (size_t)n);
        if (!gbm_oof_all || !vm)
            goto oom;
        for (int f = 0; f < o.folds; f++) {
            int ntr = 0, nva = 0;
            for (int i = 0; i < n; i++)
                if (fo[i] == f)
                    va[nva++] = i;
                else
                    tr[ntr++] = i;
            struct churn_tree *trees = NULL;
            double base;
            if (churn_gbm_fit(&B, yr, tr, ntr, va, nva, CHURN_GBM_MAX_TREES, o.seed + 101u * f,
                              &trees, &base, vm))
                goto oom;
            churn_trees_free(trees, CHURN_GBM_MAX_TREES);
            for (int s = 0; s < steps; s++)
                for (int i = 0; i < nva; i++)
                    gbm_oof_all[(size_t)s * n + va[i]] = vm[(size_t)s * nva + i];
        }
        for (int s = 0; s < steps; s++) {
            double a = fold_mean_auc(gbm_oof_all + (size_t)s * n, yr, fo, n, o.folds, tmp_s, tmp_y);
            if (a > auc_gb + 1e-9) {
                auc_gb = a;
                T = (s + 1) * CHURN_GBM_STEP;
                memcpy(oof_gb, gbm_oof_all + (size_t)s * n, sizeof *oof_gb * (size_t)n);
            }
        }
    }
    /* The blend: the equal-weight mean of the two margins, unless one model alone beats it in
     * the inner CV by more than CHURN_BLEND_MARGIN (a coarse choice: finer weights picked by
     * inner CV on a few thousand rows mostly fit its noise). */
    double best_a = 1, best_blend = auc_lr;
    if (o.gbm) {
        double *mg = malloc(sizeof *mg * (size_t)n);
        if (!mg)
            goto oom;
        for (int i = 0; i < n; i++)
            mg[i] = 0.5 * oof_lr[i] + 0.5 * oof_gb[i];
        double auc = fold_mean_auc(mg, yr, fo, n, o.folds, tmp_s, tmp_y);
        free(mg);
        best_a = 0.5;
        best_blend = auc;
        if (auc_lr > best_blend + CHURN_BLEND_MARGIN && auc_lr >= auc_gb)
            best_a = 1, best_blend = auc_lr;
        else if (auc_gb > best_blend + CHURN_BLEND_MARGIN && auc_gb > auc_lr)
            best_a = 0, best_blend = auc_gb;
    }
    m->a = best_a;
    for (int i = 0; i < n; i++)
        oof_lr[i] = m->a * oof_lr[i] + (m->a < 1 ? (1 - m->a) * oof_gb[i] : 0);
    platt(oof_lr, yr, n, &m->s, &m->t);
    /* the final fits on every training row */
    for (int i = 0; i < n; i++)
        tr[i] = i;
    if (m->a > 0) {
        if (lr_fit(Z, F, yr, tr, n, m->C, w))
            goto oom;
        m->lr_w = w;
        m->lr_b = w[F];
        w = NULL;
    } else {
        m->lr_w = calloc((size_t)F + 1, sizeof *m->lr_w);
        if (!m->lr_w)
            goto oom;
    }
    if (m->a < 1) {
        if (churn_gbm_fit(&B, yr, tr, n, NULL, 0, T, o.seed + 7919u, &m->trees, &m->gbm_base, NULL))
            goto oom;
        m->ntrees = T;
        for (int k = 0; k < T; k++)
            for (int j = 0; j < m->trees[k].n; j++)
                m->trees[k].nodes[j].bin = 0;
    }
    if (rep) {
        memset(rep, 0, sizeof *rep);
        rep->n = n;
        rep->pos = npos;
        rep->nfeat = F;
        rep->ntrees = m->ntrees;
        rep->C = m->C;
        rep->weight_lr = m->a;
        rep->platt_s = m->s;
        rep->platt_t = m->t;
        rep->inner_auc_lr = auc_lr;
        rep->inner_auc_gbm = auc_gb;
        rep->inner_auc = best_blend;
    }
    *out = m;
    m = NULL;
    rc = 0;
    goto out;
oom:
    set_why(why, whylen, "out of memory");
out:
    churn_model_free(m);
    churn_bins_free(&B);
    free(rows);
    free(y);
    free(map);
    free(fo);
    free(yr);
    free(oof_lr);
    free(oof_gb);
    free(tmp_s);
    free(tmp_y);
    free(tr);
    free(va);
    free(Z);
    free(w);
    free(vm);
    free(gbm_oof_all);
    return rc;
}

double churn_cv(const struct churn_table *t, const char *target, const struct churn_opts *o, int k,
                unsigned seed, double *fold_auc, char *why, size_t whylen)
{
    int tc = churn_find_column(t, target);
    if (tc < 0) {
        set_why(why, whylen, "no column named \"%.80s\" (the target)", target);
        return -1;
    }
    const char *pos, *neg;
    if (churn_target_values(t, tc, o ? o->positive : NULL, &pos, &neg, why, whylen))
        return -1;
    int n = t->nrows;
    int *y = malloc(sizeof *y * (size_t)(n ? n : 1)),
        *fo = malloc(sizeof *fo * (size_t)(n ? n : 1));
    int *tr = malloc(sizeof *tr * (size_t)(n ? n : 1)),
        *va = malloc(sizeof *va * (size_t)(n ? n : 1));
    double *sc = malloc(sizeof *sc * (size_t)(n ? n : 1));
    int *yv = malloc(sizeof *yv * (size_t)(n ? n : 1));
    double mean = -1;
    if (!y || !fo || !tr || !va || !sc || !yv) {
        set_why(why, whylen, "out of memory");
        goto out;
    }
    for (int r = 0; r < n; r++)
        y[r] = tcmp(ltrim(churn_cell(t, r, tc)), ltrim(pos)) == 0;
    int npos = 0;
    for (int r = 0; r < n; r++)
        npos += y[r];
    if (npos < k || n - npos < k) {
        set_why(why, whylen, "%d positive and %d negative rows: too few for %d folds", npos,
                n - npos, k);
        goto out;
    }
    churn_folds(y, n, k, seed, fo);
    double sum = 0;
    for (int f = 0; f < k; f++) {
        int ntr = 0, nva = 0;
        for (int i = 0; i < n; i++)
            if (fo[i] == f)
                va[nva++] = i;
            else
                tr[ntr++] = i;
        struct churn_model *m;
        if (churn_train(t, target, tr, ntr, o, &m, NULL, why, whylen))
            goto out;
        int *map = malloc(sizeof *map * (size_t)(m->ncols + 1));
        if (!map || churn_model_bind(m, t, map, why, whylen)) {
            free(map);
            churn_model_free(m);
            goto out;
        }
        for (int i = 0; i < nva; i++) {
            sc[i] = churn_predict(m, t, map, va[i]);
            yv[i] = y[va[i]];
        }
        free(map);
        churn_model_free(m);
        fold_auc[f] = churn_auc(sc, yv, nva);
        sum += fold_auc[f];
    }
    mean = sum / k;
out:
    free(y);
    free(fo);
    free(tr);
    free(va);
    free(sc);
    free(yv);
    return mean;
}
