/* scorecard.h -- scorecards computed from the records (issue 18 F6.3; docs/TEAM.md "Appraisal
 * computed from the records").
 *
 * A scorecard is one person's appraisal for one period of a scheme. Computing it (POST
 * /scorecards/compute) creates a draft or refreshes one, line by line (indicator.h): each line
 * with its figures, its score, its weighted score, an explanation and the records behind it.
 * The workflow: draft (computed; the manager sets manual indicators and comments) -> review
 * (submitted to the person) -> acknowledged (by the person, and only by them) -> calibrated
 * (the team's lead, the director or hr set the score with a reason; every change kept in
 * scorecard_adjustments) -> final. Manager actions are never taken on one's own scorecard.
 * Audit entity "scorecard". A scorecard is personal data: its reader is the person, those who
 * lead them, and hr, the director, admin (SCOPE_SCORECARD). */
#ifndef KAM_TEAM_SCORECARD_H
#define KAM_TEAM_SCORECARD_H

#include <stddef.h>
#include <stdint.h>

#include "indicator.h"
#include "svc/core/ctx.h"

#define SCORECARD_USERS_MAX 50    /* user_ids of one compute request (API_MAX_IDS) */
#define SCORECARD_COMPUTE_MAX 500 /* people of one compute request */
#define SCORECARD_COMMENT_MAX 4000
#define SCORECARD_REASON_MAX 500

extern const char *const scorecard_statuses[]; /* draft review acknowledged calibrated final */

struct scorecard_adj {
    int64_t id, new_score, adjusted_by, created_at;
    int has_old, has_by;
    int64_t old_score;
    const char *reason, *by_name;
};

struct scorecard {
    int64_t id, scheme_id, user_id, scheme_version, version, created_at, updated_at;
    const char *scheme_name, *user_name, *period, *period_start, *period_end, *status, *comment;
    int has_score, has_computed_score, has_computed_at, has_acknowledged, has_finalised;
    int64_t score, computed_score, computed_at, acknowledged_at, finalised_at, finalised_by;
    struct appr_line *lines; /* scorecard_get only */
    size_t n_lines;
    struct scorecard_adj *adj;
    size_t n_adj;
};

struct scorecard_compute_in {
    unsigned set;
    int64_t scheme_id;
    const char *period;
    int64_t user_ids[SCORECARD_USERS_MAX];
    int n_users, users_given;
};
enum { SCC_SCHEME = 1u << 0, SCC_PERIOD = 1u << 1, SCC_USERS = 1u << 2 };

struct scorecard_compute_out {
    struct scorecard *items; /* the scorecards created or refreshed, without lines */
    size_t n;
    int64_t created, refreshed, skipped; /* skipped: no longer drafts */
};

/* Computes the scorecards of scheme_id for period: user_ids (each one the caller may create a
 * scorecard of), or everyone of the scheme's role in the caller's scope. A draft is refreshed
 * (its manual values and comment kept while the scheme's indicators are the same); a scorecard
 * past draft is left as it is (skipped). */
enum kam_err scorecard_compute(struct kam_ctx *ctx, const struct scorecard_compute_in *in,
                               struct scorecard_compute_out *out);

enum kam_err scorecard_get(struct kam_ctx *ctx, int64_t id, struct scorecard *out);

struct scorecard_manual {
    unsigned set; /* first member (J_OBJS) */
    int64_t indicator_id, value;
    int has_value; /* value null: not assessed */
};
enum { SCM_INDICATOR = 1u << 0, SCM_VALUE = 1u << 1 };

struct scorecard_in {
    unsigned set;
    const char *comment;
    struct scorecard_manual *manual;
    int n_manual;
    int64_t version;
};
enum { SCI_COMMENT = 1u << 0, SCI_MANUAL = 1u << 1, SCI_VERSION = 1u << 2 };

/* The manager's changes: manual indicator values (draft only; the score is recomputed) and the
 * comment (until final). Not on one's own scorecard. */
enum kam_err scorecard_update(struct kam_ctx *ctx, int64_t id, const struct scorecard_in *in,
                              struct scorecard *out);
/* draft -> review (the manager; the person is notified). */
enum kam_err scorecard_submit(struct kam_ctx *ctx, int64_t id, struct scorecard *out);
/* review -> acknowledged: the person only. */
enum kam_err scorecard_acknowledge(struct kam_ctx *ctx, int64_t id, struct scorecard *out);
/* review | acknowledged | calibrated -> calibrated with the new score and its reason. */
enum kam_err scorecard_calibrate(struct kam_ctx *ctx, int64_t id, int64_t score, int has_score,
                                 const char *reason, struct scorecard *out);
/* review | acknowledged | calibrated -> final. */
enum kam_err scorecard_finalise(struct kam_ctx *ctx, int64_t id, struct scorecard *out);

struct scorecard_query {
    int64_t scheme_id, user_id;
    const char *period, *status, *sort, *cursor;
    int64_t limit;
};
/* Scorecards the caller may read (the person's own, their team's, or all), newest first. */
enum kam_err scorecard_list(struct kam_ctx *ctx, const struct scorecard_query *q,
                            struct scorecard **items_out, size_t *n_out, const char **next_out);

struct scorecard_record {
    int64_t id, ref_id, value;
    const char *side, *ref_kind, *note, *account_name;
    int has_day, has_account;
    int64_t day, account_id;
};
struct scorecard_record_query {
    const char *side, *cursor;
    int64_t limit;
};
/* The records behind line indicator_id of scorecard id (KAM_ENOTFOUND "indicator" if the
 * scorecard has no such line), in id order. */
enum kam_err scorecard_records(struct kam_ctx *ctx, int64_t id, int64_t indicator_id,
                               const struct scorecard_record_query *q,
                               struct scorecard_record **items_out, size_t *n_out,
                               const char **next_out);

/* The distribution of a scheme's scores for a period across the scorecards the caller may read
 * (of one team and its subteams when team_id). Bands: below < 7000 <= partly < 9000 <= meets
 * < 11000 <= exceeds < 13000 <= outstanding. Quantiles: linear between order statistics
 * (position (n - 1) x p), rounded half away from zero. */
#define SCORECARD_BANDS 5
struct scorecard_calibration {
    int64_t scheme_id, team_id;
    const char *period;
    int64_t n, mean, min, max, p10, p25, p50, p75, p90;
    int64_t band_n[SCORECARD_BANDS];
    struct scorecard *items; /* by score */
    size_t n_items;
};
extern const char *const scorecard_bands[]; /* below partly meets exceeds outstanding */
extern const int64_t scorecard_band_from[]; /* 0 7000 9000 11000 13000 */
enum kam_err scorecard_calibration(struct kam_ctx *ctx, int64_t scheme_id, const char *period,
                                   int64_t team_id, struct scorecard_calibration *out);

/* The quantile p (percent) of sorted v[0..n-1] (n > 0), as above. */
int64_t scorecard_quantile(const int64_t *v, size_t n, int p);

#endif
