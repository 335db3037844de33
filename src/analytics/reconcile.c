/* reconcile.c -- makes the forecasts of a hierarchy coherent: every parent equals the sum of
 * its children at every step.
 *
 * Bottom-up: the leaves keep their base forecasts and every parent becomes the sum of its
 * children. Its interval half-widths (below and above the mean, at 80 and 95 % separately)
 * become the root of the sum of the children's squared half-widths: exact for independent
 * normal errors, too narrow when the children's errors are positively correlated.
 *
 * Top-down by forecast proportions (Athanasopoulos, Ahmed & Hyndman 2009): the root keeps its
 * base forecast; going down, each child gets the share of its parent's coherent forecast that
 * its base forecast has among its siblings' base forecasts, at each step h. When the siblings'
 * base forecasts are not all positive the parent is split equally. The intervals are each
 * node's own: its base model's half-widths (below and above, 80 and 95 %) scaled by the ratio
 * of its reconciled to its base mean (1 for an equal split) around the reconciled mean, and
 * widened to contain the base interval too: the node's own model and the split of its parent
 * are two forecasts of it, and which is nearer is not known in advance (so the coverage is at
 * least that of the node's own model; tests/unit/test_forecast13.c counts it on simulated
 * accounts). Splitting the parent's bounds by the proportions instead would give every node
 * the root's relative width (a company total's +-2 % for an account whose own model says
 * +-10 %). Quantiles do not add up, so the bounds are not coherent, and need not be. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast.h"

/* The tree as child lists, plus a breadth-first order from the root. */
struct tree {
    int *first, *next, *order; /* first child, next sibling, BFS order */
};

static int build(const int *parent, int nodes, struct tree *t, char *why, size_t whylen)
{
    t->first = fc_malloc(sizeof(int) * 3 * (size_t)nodes);
    if (!t->first) {
        snprintf(why, whylen, "out of memory");
        return FC_ENOMEM;
    }
    t->next = t->first + nodes;
    t->order = t->next + nodes;
    int root = -1;
    for (int i = 0; i < nodes; i++)
        t->first[i] = t->next[i] = -1;
    for (int i = nodes - 1; i >= 0; i--) { /* backwards so children stay in index order */
        int p = parent[i];
        if (p == -1) {
            if (root >= 0) {
                snprintf(why, whylen, "nodes %d and %d are both roots", i, root);
                return -1;
            }
            root = i;
        } else if (p < 0 || p >= nodes || p == i) {
            snprintf(why, whylen, "node %d has an invalid parent %d", i, p);
            return -1;
        } else {
            t->next[i] = t->first[p];
            t->first[p] = i;
        }
    }
    if (root < 0) {
        snprintf(why, whylen, "the tree has no root");
        return -1;
    }
    int len = 0;
    t->order[len++] = root;
    for (int k = 0; k < len; k++)
        for (int c = t->first[t->order[k]]; c >= 0; c = t->next[c])
            t->order[len++] = c;
    if (len != nodes) {
        snprintf(why, whylen, "the parents form a cycle (%d of %d nodes reach the root)", len,
                 nodes);
        return -1;
    }
    return 0;
}

static void bottom_up(const struct tree *t, int nodes, int horizon, struct fc_result *fc)
{
    for (int k = nodes - 1; k >= 0; k--) {
        int i = t->order[k];
        if (t->first[i] < 0)
            continue;
        for (int h = 0; h < horizon; h++) {
            double m = 0, l8 = 0, u8 = 0, l9 = 0, u9 = 0;
            for (int c = t->first[i]; c >= 0; c = t->next[c]) {
                const struct fc_result *r = &fc[c];
                double a = r->mean[h] - r->lo80[h], b = r->hi80[h] - r->mean[h];
                double d = r->mean[h] - r->lo95[h], e = r->hi95[h] - r->mean[h];
                m += r->mean[h];
                l8 += a * a;
                u8 += b * b;
                l9 += d * d;
                u9 += e * e;
            }
            fc[i].mean[h] = m;
            fc[i].lo80[h] = m - sqrt(l8);
            fc[i].hi80[h] = m + sqrt(u8);
            fc[i].lo95[h] = m - sqrt(l9);
            fc[i].hi95[h] = m + sqrt(u9);
        }
    }
}

static void top_down(const struct tree *t, int nodes, int horizon, struct fc_result *fc)
{
    for (int k = 0; k < nodes; k++) {
        int i = t->order[k];
        if (t->first[i] < 0)
            continue;
        int nc = 0;
        for (int c = t->first[i]; c >= 0; c = t->next[c])
            nc++;
        for (int h = 0; h < horizon; h++) {
            /* Proportions of the children's means, negatives counted as 0 (a child forecasting
             * 0 gets 0); an equal split only when they add up to nothing. */
            double sum = 0;
            for (int c = t->first[i]; c >= 0; c = t->next[c])
                sum += fc[c].mean[h] > 0 ? fc[c].mean[h] : 0;
            int positive = sum > 0 && isfinite(sum);
            const struct fc_result *p = &fc[i];
            for (int c = t->first[i]; c >= 0; c = t->next[c]) {
                struct fc_result *r = &fc[c];
                double own = r->mean[h] > 0 ? r->mean[h] : 0;
                double share = positive ? own / sum : 1.0 / nc;
                double base = r->mean[h], mean = share * p->mean[h];
                /* the child's own widths, scaled as its mean was (ratio = parent / sum of the
                 * siblings' base means, the same for every sibling) */
                double ratio = positive ? mean / base : 1;
                if (!isfinite(ratio) || ratio < 0)
                    ratio = 1;
                r->lo80[h] = fmin(r->lo80[h], mean - (base - r->lo80[h]) * ratio);
                r->hi80[h] = fmax(r->hi80[h], mean + (r->hi80[h] - base) * ratio);
                r->lo95[h] = fmin(r->lo95[h], mean - (base - r->lo95[h]) * ratio);
                r->hi95[h] = fmax(r->hi95[h], mean + (r->hi95[h] - base) * ratio);
                r->mean[h] = mean;
            }
        }
    }
}

int fc_reconcile(const int *parent, int nodes, int horizon, enum fc_reconcile_how how,
                 struct fc_result *fc, char *why, size_t whylen)
{
    if (nodes < 1 || horizon < 1) {
        snprintf(why, whylen, "nothing to reconcile");
        return -1;
    }
    struct tree t;
    int rc = build(parent, nodes, &t, why, whylen);
    if (rc) {
        free(t.first);
        return rc;
    }
    if (how == FC_TOP_DOWN_FP)
        top_down(&t, nodes, horizon, fc);
    else
        bottom_up(&t, nodes, horizon, fc);
    free(t.first);
    return 0;
}
