/* kda.c -- key-driver analysis: Shapley / LMG decomposition of R^2 with a seeded bootstrap.
 * The method and every definition are in kda.h. */
#include "kda.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64 (Steele, Lea & Flood 2014): small, fast, and easy to reproduce elsewhere (the
 * Python check of tests/kda draws the same resamples). */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Work space of one analysis: m = k + 1 columns (the k ratings, then the overall score). */
struct ws {
    int k, m;
    double *corr; /* m x m correlation matrix; a constant column's row and column are 0 */
    double *r2;   /* 2^k: R^2 of every subset, by bit mask */
    double *w;    /* k: Shapley weight of a subset of size s not containing the attribute */
    /* the Cholesky factor grown along the depth-first walk: level t holds the t-th attribute
     * entered, its row of L against the kept levels before it, its pivot and y's coefficient */
    double *lrow;  /* k x k */
    double *piv;   /* k: sqrt of the pivot; 0 = left out (collinear) */
    double *z;     /* k */
    double *cum;   /* k + 1: R^2 of the first t levels */
    int *col;      /* k */
    double *cross; /* m (m + 1) / 2 centred cross-products */
    double *mean;  /* m */
};

static void ws_init(struct ws *w, int k, struct arena *a)
{
    w->k = k;
    w->m = k + 1;
    size_t m = (size_t)w->m;
    w->corr = arena_calloc(a, m * m, sizeof(double));
    w->r2 = arena_calloc(a, (size_t)1 << k, sizeof(double));
    w->w = arena_calloc(a, (size_t)k, sizeof(double));
    w->lrow = arena_calloc(a, (size_t)k * (size_t)k, sizeof(double));
    w->piv = arena_calloc(a, (size_t)k, sizeof(double));
    w->z = arena_calloc(a, (size_t)k, sizeof(double));
    w->cum = arena_calloc(a, (size_t)k + 1, sizeof(double));
    w->col = arena_calloc(a, (size_t)k, sizeof(int));
    w->cross = arena_calloc(a, m * m, sizeof(double));
    w->mean = arena_calloc(a, m, sizeof(double));
    /* w(s) = s! (k-s-1)! / k!, as a product of ratios to stay exact enough for k <= 12 */
    for (int s = 0; s < k; s++) {
        double v = 1.0 / k;
        /* s! (k-1-s)! / (k-1)! = 1 / C(k-1, s) */
        double c = 1;
        for (int i = 1; i <= s; i++)
            c = c * (double)(k - 1 - s + i) / i;
        w->w[s] = v / c;
    }
}

/* Enters attribute j as level t of the factor (levels 0..t-1 are in place). */
static void enter(struct ws *w, int t, int j)
{
    const int m = w->m, y = w->k;
    const double *R = w->corr;
    double *l = w->lrow + (size_t)t * (size_t)w->k;
    double d = R[j * m + j], zy = R[j * m + y];
    for (int s = 0; s < t; s++) {
        if (w->piv[s] == 0) {
            l[s] = 0;
            continue;
        }
        const double *ls = w->lrow + (size_t)s * (size_t)w->k;
        double v = R[j * m + w->col[s]];
        for (int u = 0; u < s; u++)
            v -= l[u] * ls[u];
        v /= w->piv[s];
        l[s] = v;
        d -= v * v;
        zy -= v * w->z[s];
    }
    w->col[t] = j;
    if (d > KDA_COLLINEAR_TOL * R[j * m + j]) {
        w->piv[t] = sqrt(d);
        w->z[t] = zy / w->piv[t];
        w->cum[t + 1] = w->cum[t] + w->z[t] * w->z[t];
    } else {
        w->piv[t] = 0;
        w->z[t] = 0;
        w->cum[t + 1] = w->cum[t];
    }
}

static void walk(struct ws *w, int t, int start, unsigned mask)
{
    for (int j = start; j < w->k; j++) {
        unsigned mj = mask | 1u << j;
        enter(w, t, j);
        double v = w->cum[t + 1];
        w->r2[mj] = v < 0 ? 0 : v > 1 ? 1 : v;
        walk(w, t + 1, j + 1, mj);
    }
}

/* R^2 of every subset and the Shapley importances from the correlation matrix in w->corr. */
static void shapley(struct ws *w, double *imp)
{
    const int k = w->k;
    const unsigned full = (1u << k) - 1;
    w->r2[0] = 0;
    w->cum[0] = 0;
    walk(w, 0, 0, 0);
    for (int j = 0; j < k; j++) {
        unsigned bj = 1u << j;
        double s = 0;
        for (unsigned mask = 0; mask <= full; mask++) {
            if (mask & bj)
                continue;
            s += w->w[__builtin_popcount(mask)] * (w->r2[mask | bj] - w->r2[mask]);
        }
        imp[j] = s;
    }
}

/* Correlations of a sample of the n complete responses into w->corr: row i taken cnt[i] times
 * (a bootstrap resample; every row once when cnt is NULL). data holds the responses row-major
 * (m columns), D the same centred on the full sample's means. The cross-products are summed
 * about those means and corrected to the sample's own (C = sum c_i d_i d_i' - s s' / n with
 * s = sum c_i d_i: exact for cnt == NULL, where s is 0 up to rounding, and free of cancellation
 * for a resample, whose means are close to the full sample's); only the rows drawn are visited,
 * in order. A column whose values are all equal in the sample gets a zero row and column.
 * Returns the number of constant columns; *first_const the first of them (-1 when the overall
 * score is constant, whatever the ratings). */
static int correlate(struct ws *w, const double *data, const double *D, const uint32_t *cnt, int n,
                     int *first_const)
{
    const int m = w->m;
    double *C = w->cross; /* packed upper triangle, row by row */
    double s[KDA_MAX_K + 1] = {0}, cv[KDA_MAX_K + 1] = {0};
    unsigned char constant[KDA_MAX_K + 1] = {0};
    memset(C, 0, sizeof(double) * (size_t)(m * (m + 1) / 2));
    for (int c = 0; c < m; c++)
        constant[c] = 1;
    const double *first = NULL;
    for (int i = 0; i < n; i++) {
        double c = cnt ? (double)cnt[i] : 1;
        if (c == 0)
            continue;
        const double *raw = data + (size_t)i * (size_t)m, *row = D + (size_t)i * (size_t)m;
        if (!first)
            first = raw;
        for (int a = 0; a < m; a++) {
            if (raw[a] != first[a])
                constant[a] = 0;
            cv[a] = c * row[a];
            s[a] += cv[a];
        }
        double *t = C;
        for (int a = 0; a < m; a++) {
            const double va = cv[a];
            for (int b = a; b < m; b++)
                t[b - a] += va * row[b];
            t += m - a;
        }
    }
    {
        double *t = C;
        for (int a = 0; a < m; a++) {
            for (int b = a; b < m; b++)
                t[b - a] -= s[a] * s[b] / n;
            t += m - a;
        }
    }
    int nconst = 0;
    *first_const = -2;
    if (constant[m - 1]) {
        *first_const = -1;
        nconst++;
    }
    for (int c = 0; c < m - 1; c++)
        if (constant[c]) {
            if (*first_const == -2)
                *first_const = c;
            nconst++;
        }
    /* the diagonal of the packed triangle: row a starts at a*m - a(a-1)/2 */
    double diag[KDA_MAX_K + 1] = {0};
    for (int a = 0; a < m; a++)
        diag[a] = C[a * m - a * (a - 1) / 2];
    double *R = w->corr;
    const double *t = C;
    for (int a = 0; a < m; a++) {
        for (int b = a; b < m; b++) {
            double r = 0;
            if (!constant[a] && !constant[b]) {
                r = a == b ? 1 : t[b - a] / sqrt(diag[a] * diag[b]);
                if (r > 1)
                    r = 1;
                else if (r < -1)
                    r = -1;
            }
            R[a * m + b] = R[b * m + a] = r;
        }
        t += m - a;
    }
    return nconst;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Quantile p of v[0..n) (sorted in place), R's type 7. */
static double quantile(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    double h = (n - 1) * p;
    int f = (int)floor(h);
    if (f >= n - 1)
        return v[n - 1];
    return v[f] + (h - f) * (v[f + 1] - v[f]);
}

static double median(const double *x, int n, struct arena *a)
{
    double *v = arena_alloc(a, sizeof(double) * (size_t)n);
    memcpy(v, x, sizeof(double) * (size_t)n);
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

const char *kda_quadrant_name(enum kda_quadrant q)
{
    switch (q) {
    case KDA_FIX_FIRST:
        return "fix_first";
    case KDA_KEEP_UP:
        return "keep_up";
    case KDA_LOW_PRIORITY:
        return "low_priority";
    case KDA_MAINTAIN:
        return "maintain";
    }
    return "?";
}

static void set_range_param(struct kam_param p[3], char *lo, char *hi, size_t len, long min,
                            long max)
{
    snprintf(lo, len, "%ld", min);
    snprintf(hi, len, "%ld", max);
    p[0] = (struct kam_param){"min", lo};
    p[1] = (struct kam_param){"max", hi};
    p[2] = (struct kam_param){NULL, NULL};
}

enum kam_err kda_run(const double *overall, const double *ratings, int n, int k,
                     const struct kda_opts *opt, struct arena *a, struct kda_result *out,
                     struct kam_error *e)
{
    static const struct kda_opts defaults = KDA_OPTS_DEFAULT;
    struct kam_param p[3];
    char lo[24], hi[24];
    if (!opt)
        opt = &defaults;
    memset(out, 0, sizeof *out);
    out->bad_column = -2;
    out->k = k;
    out->n_total = n;
    if (k < 1 || k > KDA_MAX_K) {
        set_range_param(p, lo, hi, sizeof lo, 1, KDA_MAX_K);
        return kam_fail_key(e, KAM_EINVAL, "attributes", "out_of_range", p,
                            "attributes must be between 1 and %d (got %d)", KDA_MAX_K, k);
    }
    if (n < 0 || n > KDA_MAX_N) {
        set_range_param(p, lo, hi, sizeof lo, 0, KDA_MAX_N);
        return kam_fail_key(e, n < 0 ? KAM_EINVAL : KAM_ETOOBIG, "responses", "out_of_range", p,
                            "responses must be between 0 and %d (got %d)", KDA_MAX_N, n);
    }
    if (opt->boot < 0 || opt->boot > KDA_MAX_BOOT) {
        set_range_param(p, lo, hi, sizeof lo, 0, KDA_MAX_BOOT);
        return kam_fail_key(e, KAM_EINVAL, "boot", "out_of_range", p,
                            "boot must be between 0 and %d", KDA_MAX_BOOT);
    }
    if (!(opt->level >= 0.5 && opt->level <= 0.999)) {
        p[0] = (struct kam_param){"min", "0.5"};
        p[1] = (struct kam_param){"max", "0.999"};
        p[2] = (struct kam_param){NULL, NULL};
        return kam_fail_key(e, KAM_EINVAL, "level", "out_of_range", p,
                            "level must be between 0.5 and 0.999");
    }
    if (n > 0 && (!overall || !ratings))
        return kam_fail(e, KAM_EINVAL, "responses", "no data");

    /* listwise deletion into row-major data: the k ratings, then the overall score */
    const int m = k + 1;
    double *data = arena_alloc(a, sizeof(double) * (size_t)(n ? n : 1) * (size_t)m);
    int nu = 0;
    for (int i = 0; i < n; i++) {
        const double *x = ratings + (size_t)i * (size_t)k;
        int complete = !isnan(overall[i]);
        int inf_field = isinf(overall[i]) ? 1 : 0;
        for (int j = 0; j < k && !inf_field; j++) {
            if (isinf(x[j]))
                inf_field = 2;
            if (isnan(x[j]))
                complete = 0;
        }
        if (inf_field) {
            const char *field = inf_field == 1 ? "overall" : "ratings";
            char row_s[24];
            snprintf(row_s, sizeof row_s, "%d", i + 1);
            struct kam_param q[] = {{"row", row_s}, {NULL, NULL}};
            return kam_fail_key(e, KAM_EINVAL, field, "kda.not_finite", q,
                                "%s must be a finite number (response %d)", field, i + 1);
        }
        if (!complete)
            continue;
        double *row = data + (size_t)nu * (size_t)m;
        memcpy(row, x, sizeof(double) * (size_t)k);
        row[k] = overall[i];
        nu++;
    }
    out->n_used = nu;
    if (nu < k + 2) {
        char have[24], need[24];
        snprintf(have, sizeof have, "%d", nu);
        snprintf(need, sizeof need, "%d", k + 2);
        struct kam_param q[] = {{"n", have}, {"min", need}, {NULL, NULL}};
        return kam_fail_key(e, KAM_EINVAL, "responses", "kda.too_few_responses", q,
                            "%d complete responses (a response missing any rating is left "
                            "out); at least %d are needed",
                            nu, k + 2);
    }

    struct ws w;
    ws_init(&w, k, a);
    double *D = arena_alloc(a, sizeof(double) * (size_t)nu * (size_t)m);
    for (int c = 0; c < m; c++) {
        double t = 0;
        for (int i = 0; i < nu; i++)
            t += data[(size_t)i * (size_t)m + (size_t)c];
        w.mean[c] = t / nu;
        for (int i = 0; i < nu; i++)
            D[(size_t)i * (size_t)m + (size_t)c] =
                data[(size_t)i * (size_t)m + (size_t)c] - w.mean[c];
    }
    int bad;
    if (correlate(&w, data, D, NULL, nu, &bad) > 0) {
        out->bad_column = bad;
        if (bad == -1)
            return kam_fail_key(e, KAM_EINVAL, "overall", "kda.constant_overall", NULL,
                                "every complete response gives the same overall score");
        char col[24];
        snprintf(col, sizeof col, "%d", bad + 1);
        struct kam_param q[] = {{"column", col}, {NULL, NULL}};
        return kam_fail_key(e, KAM_EINVAL, "ratings", "kda.constant_rating", q,
                            "every complete response gives attribute %d the same rating", bad + 1);
    }

    struct kda_attr *attr = arena_calloc(a, (size_t)k, sizeof *attr);
    double *imp = arena_alloc(a, sizeof(double) * (size_t)k);
    shapley(&w, imp);
    const double r2 = w.r2[(1u << k) - 1];
    double *perf = arena_alloc(a, sizeof(double) * (size_t)k);
    for (int j = 0; j < k; j++) {
        attr[j].importance = imp[j];
        attr[j].share = r2 > 0 ? 100 * imp[j] / r2 : 0;
        attr[j].performance = perf[j] = w.mean[j];
        attr[j].r = w.corr[j * m + k];
        attr[j].imp_lo = attr[j].imp_hi = attr[j].importance;
        attr[j].share_lo = attr[j].share_hi = attr[j].share;
    }
    out->r2 = out->r2_lo = out->r2_hi = r2;
    out->level = opt->level;
    out->attr = attr;

    /* quadrants */
    out->med_importance = median(imp, k, a);
    out->med_performance = median(perf, k, a);
    for (int j = 0; j < k; j++) {
        int important = imp[j] > out->med_importance, weak = perf[j] < out->med_performance;
        attr[j].quadrant = important ? (weak ? KDA_FIX_FIRST : KDA_KEEP_UP)
                                     : (weak ? KDA_LOW_PRIORITY : KDA_MAINTAIN);
    }

    /* bootstrap */
    const int B = opt->boot;
    out->boot = B;
    if (B == 0)
        return KAM_OK;
    uint32_t *cnt = arena_alloc(a, sizeof(uint32_t) * (size_t)nu);
    double *bi = arena_alloc(a, sizeof(double) * (size_t)B * (size_t)k); /* [j*B + b] */
    double *bs = arena_alloc(a, sizeof(double) * (size_t)B * (size_t)k);
    double *br = arena_alloc(a, sizeof(double) * (size_t)B);
    uint64_t state = opt->seed;
    for (int b = 0; b < B; b++) {
        memset(cnt, 0, sizeof(uint32_t) * (size_t)nu);
        for (int i = 0; i < nu; i++)
            cnt[((unsigned __int128)splitmix64(&state) * (uint64_t)nu) >> 64]++;
        if (correlate(&w, data, D, cnt, nu, &bad) > 0)
            out->boot_degenerate++;
        shapley(&w, imp);
        double r2b = w.r2[(1u << k) - 1];
        br[b] = r2b;
        for (int j = 0; j < k; j++) {
            bi[(size_t)j * (size_t)B + (size_t)b] = imp[j];
            bs[(size_t)j * (size_t)B + (size_t)b] = r2b > 0 ? 100 * imp[j] / r2b : 0;
        }
    }
    const double plo = (1 - opt->level) / 2, phi = (1 + opt->level) / 2;
    for (int j = 0; j < k; j++) {
        double *v = bi + (size_t)j * (size_t)B;
        attr[j].imp_lo = quantile(v, B, plo);
        attr[j].imp_hi = quantile(v, B, phi);
        v = bs + (size_t)j * (size_t)B;
        attr[j].share_lo = quantile(v, B, plo);
        attr[j].share_hi = quantile(v, B, phi);
    }
    out->r2_lo = quantile(br, B, plo);
    out->r2_hi = quantile(br, B, phi);
    return KAM_OK;
}
