/* churn.h -- a binary churn learner over a generic table of text cells (a CSV file or, later,
 * KAM's own feature table), with exact per-column explanations. See docs/CHURN.md.
 *
 * Table: a header of column names and rows of text cells (any UTF-8; "" is missing). Either
 * parsed from a CSV document (churn_csv_parse: RFC 4180, a leading BOM dropped, CRLF or LF) or
 * built row by row (churn_table_new, churn_table_add) by code that has its own features.
 *
 * Columns, typed from the training rows: the target (its two values mapped to 1 / 0, see
 * churn_target_values), the id (churn_id_column; never a feature), ignored ones, and the rest:
 * numeric when every non-empty value parses as a finite number, else categorical.
 *   numeric:      x (standardised); with the extras, when it has >= 10 distinct values, also
 *                 log(1 + x - min) and hinges max(0, x - q) at its quartiles (a linear spline);
 *                 a missing indicator when some training value is missing (then x imputed by
 *                 the mean, i.e. 0 after standardising). Values are clipped to the training
 *                 range (min..max) before anything else; a cell that does not parse is missing.
 *   categorical:  one indicator per training category (unseen categories at scoring: all 0, no
 *                 error), a missing indicator when some training value is blank.
 * Every derived feature is standardised with the training mean and SD, so a feature at the
 * training mean contributes 0.
 *
 * Learner (every choice from the training rows only, by stratified inner cross-validation
 * AUC, deterministic for a seed):
 *   LR   L2-regularised logistic regression (liblinear L2R_LR), C from a grid;
 *   GBM  gradient-boosted depth-3 trees (own, histogram, logistic loss, shrinkage 0.05, 80 %
 *        row subsampling), the number of trees from 25..500;
 *   the two margins averaged with equal weights (a = 0.5), unless one model alone beats that
 *   blend's inner-CV AUC by more than 0.002 (then a = 1: LR only, or a = 0: trees only), then
 *   Platt-scaled (s, t) on the out-of-fold margins: p = 1 / (1 + exp(-(s * m + t))).
 * Explanation: contributions on the log-odds scale per input column, plus an intercept, that
 * sum exactly to the model's logit s * m + t: for LR w_j * z_j, for the trees Saabas path
 * attributions (the change of the node value along the row's path, the root values going to
 * the intercept), mixed with a and scaled by s.
 *
 * Model file: a small versioned text format (first line "KAMCHURN 1"), numbers printed with
 * 17 significant digits so a saved model reads back exactly; churn_model_load refuses anything
 * else with a reason and never reads outside the buffer. */
#ifndef KAM_ANALYTICS_CHURN_H
#define KAM_ANALYTICS_CHURN_H

#include <stddef.h>

#define CHURN_MAX_BYTES (512L * 1024 * 1024) /* a CSV file, at most */
#define CHURN_MAX_COLS 1000
#define CHURN_MAX_ROWS 2000000
#define CHURN_MAX_CATS 1000 /* distinct values of one categorical column */
#define CHURN_MAX_CELL 4096 /* bytes of one cell */
#define CHURN_MAX_CONTRIB CHURN_MAX_COLS

struct churn_table {
    int ncols, nrows;
    char *pool;    /* every string, NUL-terminated */
    size_t *names; /* ncols offsets into pool */
    size_t *cells; /* nrows * ncols offsets, row-major */
    int *line;     /* nrows: the line of the file each row starts on (or the caller's number) */
    size_t pool_len, pool_cap, rows_cap;
};

static inline const char *churn_cell(const struct churn_table *t, int row, int col)
{
    return t->pool + t->cells[(size_t)row * (size_t)t->ncols + (size_t)col];
}
static inline const char *churn_name(const struct churn_table *t, int col)
{
    return t->pool + t->names[col];
}

/* Parses a CSV document data[0..len): header line, then rows with as many fields. 0 on
 * success; -1 with a reason naming the line (limits: CHURN_MAX_*; a row with another number
 * of fields; an unterminated quote; an empty or duplicate column name). */
int churn_csv_parse(const char *data, size_t len, struct churn_table *t, char *why, size_t whylen);
/* An empty table with these column names (copied); then rows of ncols cells each. 0 / -1
 * (out of memory, limits). */
int churn_table_new(struct churn_table *t, int ncols, const char *const *names);
int churn_table_add(struct churn_table *t, const char *const *cells, int line);
void churn_table_free(struct churn_table *t);
/* The column named name, or -1. */
int churn_find_column(const struct churn_table *t, const char *name);
/* The id column: the first named "id" (any case), else the first whose name ends in "ID", "Id"
 * or "_id" (customerID, account_id), else column 0 (not the target: then the first other); -1
 * when the target is the only column. */
int churn_id_column(const struct churn_table *t, int target);
/* Trims spaces and tabs; 1 when s is a finite number (strtod over all of it), *v the value. */
int churn_parse_number(const char *s, double *v);

/* The target's values: which is positive. Pairs recognised (any case): yes/no, 1/0, true/false,
 * y/n, t/f; another pair needs positive (the value that is 1). 0 with *pos / *neg pointing into
 * the table; -1 with a reason (a blank target naming the line, not two values, ...). */
int churn_target_values(const struct churn_table *t, int target, const char *positive,
                        const char **pos, const char **neg, char *why, size_t whylen);

struct churn_opts {
    unsigned seed;             /* shuffles of the inner folds and the trees' subsamples */
    int folds;                 /* inner cross-validation folds, 2..20 (default 5) */
    int extras;                /* 1: log and spline features, missing indicators (default) */
    int gbm;                   /* 1: consider the trees (default); 0: logistic regression only */
    double C;                  /* > 0: fixed; 0: chosen from the grid */
    const char *positive;      /* the target value that is 1 (NULL: recognised pairs) */
    const char *const *ignore; /* column names never used as features (NULL-terminated) */
};
void churn_opts_default(struct churn_opts *o);

struct churn_report {
    int n, pos, nfeat, ntrees;
    double C, weight_lr, platt_s, platt_t;
    double inner_auc_lr, inner_auc_gbm, inner_auc; /* out-of-fold AUC of LR, GBM, the blend */
};

struct churn_model;

/* Trains on the rows of t (rows: NULL for all, else nrows_in indices) with the target column
 * named target. 0 with *out; -1 with a reason. */
int churn_train(const struct churn_table *t, const char *target, const int *rows, int nrows_in,
                const struct churn_opts *o, struct churn_model **out, struct churn_report *rep,
                char *why, size_t whylen);
void churn_model_free(struct churn_model *m);

/* The model as text (malloc'ed, NUL-terminated), or NULL when out of memory. */
char *churn_model_save(const struct churn_model *m, size_t *len);
/* Parses a model file data[0..len). 0 with *out; -1 with a reason. */
int churn_model_load(const char *data, size_t len, struct churn_model **out, char *why,
                     size_t whylen);
const char *churn_model_target(const struct churn_model *m);
const char *churn_model_positive(const struct churn_model *m);
const char *churn_model_id_name(const struct churn_model *m);

/* The table's column for each of the model's input columns (map: churn_model_ncols entries),
 * matched by name; -1 naming the first one missing. */
int churn_model_ncols(const struct churn_model *m);
int churn_model_bind(const struct churn_model *m, const struct churn_table *t, int *map, char *why,
                     size_t whylen);

/* The probability of the positive class for one row (map from churn_model_bind). */
double churn_predict(const struct churn_model *m, const struct churn_table *t, const int *map,
                     int row);

struct churn_contrib {
    int col;        /* the model's input column (churn_model_col_name) */
    double contrib; /* log-odds */
};
const char *churn_model_col_name(const struct churn_model *m, int col);
/* Per input column contributions (every input column, in column order; out has
 * churn_model_ncols entries) and the intercept, summing to the returned logit exactly (up to
 * rounding); the probability is 1 / (1 + exp(-logit)). */
double churn_explain(const struct churn_model *m, const struct churn_table *t, const int *map,
                     int row, struct churn_contrib *out, double *intercept);

/* The k columns with the largest |contribution| for one row, largest first (ties: column
 * order), into out (k entries); returns how many (min(k, columns)) and sets *logit and
 * *intercept. For "the top factors" of an account. */
int churn_top_factors(const struct churn_model *m, const struct churn_table *t, const int *map,
                      int row, int k, struct churn_contrib *out, double *logit, double *intercept);

/* The model's id: 8 hex digits of the FNV-1a hash of its file text (a stored score can name the
 * model that gave it). "" when out of memory. */
void churn_model_id(const struct churn_model *m, char out[9]);

/* ROC AUC of scores against labels (0/1): the Mann-Whitney statistic, ties counted half.
 * -1 when one class is absent. */
double churn_auc(const double *score, const int *y, int n);

/* Stratified folds: fold[i] in 0..k-1 for each of n labels, classes dealt round-robin after a
 * shuffle seeded by seed. */
void churn_folds(const int *y, int n, int k, unsigned seed, int *fold);

/* k-fold stratified cross-validated AUC of the options on all rows of t: fold_auc (k entries)
 * and the return value, their mean; -1 with a reason. */
double churn_cv(const struct churn_table *t, const char *target, const struct churn_opts *o, int k,
                unsigned seed, double *fold_auc, char *why, size_t whylen);

#endif
