/* churn_gbm.c -- the churn learner's gradient-boosted trees (churn_int.h): histogram-based,
 * logistic loss, Newton leaf values, depth-limited, seeded row subsampling. Every node keeps
 * its own Newton value (shrunk like a leaf) so a prediction can be explained by Saabas path
 * attributions that telescope exactly to the leaf. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "churn_int.h"

uint64_t churn_rng(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void churn_bins_free(struct churn_bins *b)
{
    if (!b)
        return;
    free(b->bin);
    free(b->cuts);
    free(b->ncut);
    memset(b, 0, sizeof *b);
}

/* Cuts per feature from the rows' values; bin of a value = the first cut >= it (or ncut). */
int churn_bins_make(struct churn_bins *b, const double *Z, int n, int F)
{
    memset(b, 0, sizeof *b);
    b->n = n;
    b->F = F;
    b->bin = malloc((size_t)n * (size_t)F + 1);
    b->cuts = calloc((size_t)F * CHURN_GBM_BINS + 1, sizeof *b->cuts);
    b->ncut = calloc((size_t)F + 1, sizeof *b->ncut);
    double *v = malloc(sizeof *v * (size_t)(n ? n : 1));
    if (!b->bin || !b->cuts || !b->ncut || !v) {
        free(v);
        churn_bins_free(b);
        return -1;
    }
    for (int f = 0; f < F; f++) {
        for (int i = 0; i < n; i++)
            v[i] = Z[(size_t)i * F + f];
        qsort(v, (size_t)n, sizeof *v, cmp_double);
        double *c = b->cuts + (size_t)f * CHURN_GBM_BINS;
        int nc = 0;
        for (int q = 1; q < CHURN_GBM_BINS && n > 0; q++) {
            double x = v[(size_t)((long long)q * (n - 1) / CHURN_GBM_BINS)];
            if (x < v[n - 1] && (nc == 0 || x > c[nc - 1]))
                c[nc++] = x;
        }
        b->ncut[f] = nc;
        for (int i = 0; i < n; i++) {
            double x = Z[(size_t)i * F + f];
            int lo = 0, hi = nc; /* first cut >= x */
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (c[mid] >= x)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            b->bin[(size_t)i * F + f] = (uint8_t)lo;
        }
    }
    free(v);
    return 0;
}

struct grow {
    const struct churn_bins *B;
    const double *g, *h;
    struct churn_tree *t;
    int cap;
    double *hist; /* F x BINS x 2 */
};

static int new_node(struct grow *G)
{
    if (G->t->n == G->cap) {
        int cap = G->cap ? G->cap * 2 : 16;
        struct churn_node *nn = realloc(G->t->nodes, sizeof *nn * (size_t)cap);
        if (!nn)
            return -1;
        G->t->nodes = nn;
        G->cap = cap;
    }
    return G->t->n++;
}

static int grow_node(struct grow *G, int *rows, int nr, int depth)
{
    const struct churn_bins *B = G->B;
    int F = B->F, me = new_node(G);
    if (me < 0)
        return -1;
    double sg = 0, sh = 0;
    for (int i = 0; i < nr; i++)
        sg += G->g[rows[i]], sh += G->h[rows[i]];
    struct churn_node *nd = &G->t->nodes[me];
    nd->feat = -1;
    nd->thr = 0;
    nd->left = nd->right = -1;
    nd->value = -sg / (sh + CHURN_GBM_LAMBDA) * CHURN_GBM_ETA;
    if (depth >= CHURN_GBM_DEPTH || sh < 2 * CHURN_GBM_MIN_HESS)
        return me;
    double *hist = G->hist;
    memset(hist, 0, sizeof *hist * (size_t)F * CHURN_GBM_BINS * 2);
    for (int i = 0; i < nr; i++) {
        const uint8_t *bi = B->bin + (size_t)rows[i] * F;
        double gi = G->g[rows[i]], hi = G->h[rows[i]];
        for (int f = 0; f < F; f++) {
            double *hb = hist + ((size_t)f * CHURN_GBM_BINS + bi[f]) * 2;
            hb[0] += gi;
            hb[1] += hi;
        }
    }
    double parent = sg * sg / (sh + CHURN_GBM_LAMBDA), best = 1e-9;
    int bf = -1, bb = -1;
    for (int f = 0; f < F; f++) {
        double gl = 0, hl = 0;
        for (int b = 0; b < B->ncut[f]; b++) {
            gl += hist[((size_t)f * CHURN_GBM_BINS + b) * 2];
            hl += hist[((size_t)f * CHURN_GBM_BINS + b) * 2 + 1];
            double gr = sg - gl, hr = sh - hl;
            if (hl < CHURN_GBM_MIN_HESS || hr < CHURN_GBM_MIN_HESS)
                continue;
            double gain =
                gl * gl / (hl + CHURN_GBM_LAMBDA) + gr * gr / (hr + CHURN_GBM_LAMBDA) - parent;
            if (gain > best)
                best = gain, bf = f, bb = b;
        }
    }
    if (bf < 0)
        return me;
    /* partition: bin <= bb to the left */
    int l = 0;
    for (int i = 0; i < nr; i++)
        if (B->bin[(size_t)rows[i] * F + bf] <= bb) {
            int tmp = rows[l];
            rows[l++] = rows[i];
            rows[i] = tmp;
        }
    int left = grow_node(G, rows, l, depth + 1);
    if (left < 0)
        return -1;
    int right = grow_node(G, rows + l, nr - l, depth + 1);
    if (right < 0)
        return -1;
    nd = &G->t->nodes[me];
    nd->feat = bf;
    nd->bin = bb;
    nd->thr = B->cuts[(size_t)bf * CHURN_GBM_BINS + bb];
    nd->left = left;
    nd->right = right;
    return me;
}

static double tree_bin_value(const struct churn_tree *t, const uint8_t *bin)
{
    int k = 0;
    while (t->nodes[k].feat >= 0)
        k = bin[t->nodes[k].feat] <= t->nodes[k].bin ? t->nodes[k].left : t->nodes[k].right;
    return t->nodes[k].value;
}

double churn_tree_value(const struct churn_tree *t, const double *z)
{
    int k = 0;
    while (t->nodes[k].feat >= 0)
        k = z[t->nodes[k].feat] <= t->nodes[k].thr ? t->nodes[k].left : t->nodes[k].right;
    return t->nodes[k].value;
}

void churn_trees_free(struct churn_tree *t, int n)
{
    for (int i = 0; t && i < n; i++)
        free(t[i].nodes);
    free(t);
}

int churn_gbm_fit(const struct churn_bins *B, const int *y, const int *tr, int ntr, const int *va,
                  int nva, int T, uint64_t seed, struct churn_tree **trees_out, double *base_out,
                  double *va_margin)
{
    int F = B->F, rc = -1;
    double *m = malloc(sizeof *m * (size_t)(ntr ? ntr : 1));
    double *g = calloc((size_t)B->n + 1, sizeof *g), *h = calloc((size_t)B->n + 1, sizeof *h);
    int *rows = malloc(sizeof *rows * (size_t)(ntr ? ntr : 1));
    double *hist = malloc(sizeof *hist * (size_t)F * CHURN_GBM_BINS * 2 + 1);
    double *vm = va ? malloc(sizeof *vm * (size_t)(nva ? nva : 1)) : NULL;
    struct churn_tree *trees = calloc((size_t)T + 1, sizeof *trees);
    if (!m || !g || !h || !rows || !hist || (va && !vm) || !trees)
        goto out;
    int pos = 0;
    for (int i = 0; i < ntr; i++)
        pos += y[tr[i]];
    double p0 = (pos + 0.5) / (ntr + 1.0), base = log(p0 / (1 - p0));
    for (int i = 0; i < ntr; i++)
        m[i] = base;
    for (int i = 0; i < nva; i++)
        vm[i] = base;
    uint64_t rs = seed * 0x9E3779B97F4A7C15ull + 1;
    for (int k = 0; k < T; k++) {
        int nr = 0;
        for (int i = 0; i < ntr; i++) {
            double p = 1 / (1 + exp(-m[i]));
            g[tr[i]] = p - y[tr[i]];
            h[tr[i]] = p * (1 - p);
            if ((churn_rng(&rs) >> 11) * 0x1.0p-53 < CHURN_GBM_SUBSAMPLE)
                rows[nr++] = tr[i];
        }
        struct grow G = {B, g, h, &trees[k], 0, hist};
        if (grow_node(&G, rows, nr, 0) < 0)
            goto out;
        for (int i = 0; i < ntr; i++)
            m[i] += tree_bin_value(&trees[k], B->bin + (size_t)tr[i] * F);
        for (int i = 0; i < nva; i++) {
            vm[i] += tree_bin_value(&trees[k], B->bin + (size_t)va[i] * F);
            if ((k + 1) % CHURN_GBM_STEP == 0)
                va_margin[(size_t)((k + 1) / CHURN_GBM_STEP - 1) * nva + i] = vm[i];
        }
    }
    *trees_out = trees;
    trees = NULL;
    *base_out = base;
    rc = 0;
out:
    churn_trees_free(trees, T);
    free(m);
    free(g);
    free(h);
    free(rows);
    free(hist);
    free(vm);
    return rc;
}
