/* churn_job.h -- the churn / decline model inside KAM (issue 16 item 5): trained on the
 * company's own history by the scheduler, scoring every account with its top factors.
 * docs/CHURN.md "In KAM"; the features and the label: churn_features.h. */
#ifndef KAM_RISK_CHURN_JOB_H
#define KAM_RISK_CHURN_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define CHURN_MIN_ROWS 200     /* training rows needed to train */
#define CHURN_MIN_POSITIVES 20 /* positive rows needed to train */
#define CHURN_MAX_AGE (30 * 86400)
#define CHURN_RETRY_AFTER 86400 /* a training the scheduler could not do: tried again after */
#define CHURN_TOP_FACTORS 5
#define CHURN_CV_FOLDS 5
#define CHURN_SEED 16

/* One scheduler pass: retrains the model when it is due (or force), then scores every
 * account once a day. Too little history is no error: nothing is trained (logged). */
enum kam_err churn_job_run(struct kam_ctx *ctx, int force, int *trained, int *scored);

/* 1 when a model must be trained: none active, the active one older than CHURN_MAX_AGE, or
 * force. */
int churn_retrain_due(int has_model, int64_t trained_at, int64_t now, int force);

struct churn_model_info {
    int64_t id, trained_at;
    int horizon_months, drop_bp, rows, positives;
    int auc_bp, has_auc;
    const char *features; /* JSON array of feature names */
};

/* The active model; *found 0 when there is none. */
enum kam_err churn_model_active(struct kam_ctx *ctx, struct churn_model_info *out, int *found);

/* Trains a model on the history up to the last complete month (horizon 1..12 months, drop_bp
 * 100..9900), stores it as the active one and scores every account now. Too little history
 * (< CHURN_MIN_ROWS rows or < CHURN_MIN_POSITIVES positives): KAM_ECONFLICT
 * churn.too_little_history (field horizon_months, params rows, positives). */
enum kam_err churn_app_train(struct kam_ctx *ctx, int horizon_months, int drop_bp,
                             struct churn_model_info *out);

/* Scores every account (today, China time) with the active model when it has not yet today;
 * *scored: rows written. */
enum kam_err churn_score_all(struct kam_ctx *ctx, int *scored);

struct churn_point {
    const char *day; /* YYYY-MM-DD */
    int probability_bp;
};

/* An account's churn: its score of the active model's latest scoring day, the list's (has_score
 * 0: none, e.g. too little history, no model, or not scored that day -- an older score is only
 * history), its factors (JSON text [{feature, value, contribution}]), and the last score of each
 * of the last 12 months (oldest first). */
struct churn_account {
    int64_t account_id;
    int has_score, probability_bp;
    const char *day, *factors;
    int has_model;
    struct churn_model_info model;
    struct churn_point history[12];
    size_t nhistory;
};
enum kam_err churn_account_get(struct kam_ctx *ctx, int64_t account_id, struct churn_account *out);

/* The list: the latest day's scores of the active model, scope-filtered, by probability
 * (sort "-probability" default, "probability", "name"); keyset paging. */
struct churn_query {
    const char *sort, *cursor;
    int64_t limit, min_bp;
};
struct churn_row {
    int64_t account_id, owner_id;
    const char *account_name, *account_code, *tier, *day, *factors;
    int probability_bp;
};
enum kam_err churn_list(struct kam_ctx *ctx, const struct churn_query *q,
                        struct churn_row **items_out, size_t *n_out, const char **next_out);

/* Reads the log-odds of p (0 < p < 1). */
double churn_logit(double p);

#endif
