/* churn_int.h -- internals shared by the churn learner's files (churn.h is the interface). */
#ifndef KAM_ANALYTICS_CHURN_INT_H
#define KAM_ANALYTICS_CHURN_INT_H

#include <stdint.h>

#include "churn.h"

#define CHURN_GBM_BINS 32
#define CHURN_GBM_DEPTH 3
#define CHURN_GBM_ETA 0.05
#define CHURN_GBM_LAMBDA 1.0
#define CHURN_GBM_MIN_HESS 3.0
#define CHURN_GBM_SUBSAMPLE 0.8
#define CHURN_GBM_MAX_TREES 500
#define CHURN_GBM_STEP 25          /* the number of trees is chosen among multiples of this */
#define CHURN_BLEND_MARGIN 0.002   /* inner-CV AUC a single model must gain over the blend */
#define CHURN_MAX_CELLS 50000000.0 /* training rows x derived features, at most */
#define CHURN_MAX_TREES 5000       /* in a model file */
#define CHURN_MAX_NODES 100000     /* of one tree in a model file */

enum { CHURN_NUM = 0, CHURN_CAT = 1 };
/* derived features */
enum { F_RAW = 0, F_LOG = 1, F_HINGE = 2, F_MISS = 3, F_CAT = 4 };

struct churn_col {
    char *name;
    int type; /* CHURN_NUM / CHURN_CAT */
    int ncat;
    char **cats;   /* sorted (strcmp), trimmed */
    double lo, hi; /* numeric: the training range; values are clipped to it */
};

struct churn_feat {
    int col, kind;
    double param; /* F_LOG: the minimum; F_HINGE: the knot; F_CAT: the category index */
    double mean, sd;
};

struct churn_node {
    int feat; /* -1: a leaf */
    int bin;  /* training only: the split's bin */
    double thr;
    int left, right;
    double value; /* the node's Newton value, shrunk */
};

struct churn_tree {
    int n;
    struct churn_node *nodes;
};

struct churn_model {
    char *target, *pos, *neg, *id;
    int ncols;
    struct churn_col *cols;
    int nfeat;
    struct churn_feat *feat;
    double a, s, t; /* blend weight of LR; Platt slope and offset */
    double C, lr_b;
    double *lr_w;
    double gbm_base;
    int ntrees;
    struct churn_tree *trees;
};

struct churn_bins {
    int n, F;
    uint8_t *bin; /* n x F */
    double *cuts; /* F x CHURN_GBM_BINS */
    int *ncut;
};

uint64_t churn_rng(uint64_t *s);
int churn_bins_make(struct churn_bins *b, const double *Z, int n, int F);
void churn_bins_free(struct churn_bins *b);
/* Fits T trees on the rows tr (indices into the bins' rows); va_margin ((T / CHURN_GBM_STEP)
 * x nva) gets the margin of each validation row after every CHURN_GBM_STEP trees when va is
 * not NULL. */
int churn_gbm_fit(const struct churn_bins *B, const int *y, const int *tr, int ntr, const int *va,
                  int nva, int T, uint64_t seed, struct churn_tree **trees_out, double *base_out,
                  double *va_margin);
double churn_tree_value(const struct churn_tree *t, const double *z);
void churn_trees_free(struct churn_tree *t, int n);

/* The standardised features of one row into z (m->nfeat). */
void churn_featurize(const struct churn_model *m, const struct churn_table *t, const int *map,
                     int row, double *z);

#endif
