/* candidate.h -- candidates for a role profile, their interview scores, the ranking by fit and
 * the decision (issue 18 item 1, F6.1; docs/TEAM.md "Competencies and selection").
 *
 * A candidate is internal (user_id: an existing user; the name defaults to theirs) or external
 * (name, contact, source). Interview scores: one level (1..5) per competency and interviewer
 * (the caller), with a note; a second score by the same interviewer replaces the first.
 *
 * Fit (the ranking): a candidate's level per competency is, for an internal candidate, their
 * current assessed level (competency_levels_of as of today), else -- external candidates, and
 * internal ones not yet assessed on that competency -- the mean of their interview scores over
 * interviewers; fit_bp = competency_fit_bp over the profile's competencies (competency.h):
 * round half up of 10000 x sum(weight x min(level, required) / required) / sum(weight). Gaps: each
 * profile competency whose level is below the requirement (no level: has null, gap = required).
 * Ranked by fit_bp descending, then by the sum of gaps ascending, then by id.
 *
 * The decision: hired | rejected | on_hold | promoted (promoted: internal candidates only, 409
 * candidate.promote_external), with a reason (none: 409 candidate.reason_required); only an
 * open or on-hold candidate is decided (409 candidate.decided); scores are taken while open or
 * on hold (409 candidate.decided). Audit entity "candidate" (actions create, update, score,
 * decide). */
#ifndef KAM_SVC_CANDIDATE_H
#define KAM_SVC_CANDIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define CAND_NAME_MAX 100
#define CAND_CONTACT_MAX 200
#define CAND_SOURCE_MAX 100
#define CAND_NOTE_MAX 2000
#define CAND_REASON_MAX 2000
#define CAND_SCORES_MAX 30
#define CAND_RANK_MAX 500

extern const char *const candidate_statuses[];  /* open hired rejected on_hold promoted */
extern const char *const candidate_decisions[]; /* hired rejected on_hold promoted */

struct interview_score {
    unsigned set; /* IS_* */
    int64_t competency_id, level, interviewer_id, scored_at;
    const char *note, *code, *interviewer_name;
};
enum { IS_COMP = 1u << 0, IS_LEVEL = 1u << 1, IS_NOTE = 1u << 2 };

struct candidate {
    int64_t id, profile_id, user_id, decided_by, decided_at, created_by, version, created_at,
        updated_at;
    int has_user, has_decided_by, has_decided_at, has_created_by;
    const char *profile_code, *name, *contact, *source, *note, *status, *decision_reason;
    struct interview_score *scores;
    size_t n_scores;
};

enum {
    CA_PROFILE = 1u << 0,
    CA_USER = 1u << 1,
    CA_NAME = 1u << 2,
    CA_CONTACT = 1u << 3,
    CA_SOURCE = 1u << 4,
    CA_NOTE = 1u << 5,
    CA_VERSION = 1u << 6,
};

struct candidate_in {
    unsigned set;
    struct candidate v;
};

enum kam_err candidate_get(struct kam_ctx *ctx, int64_t id, struct candidate *out);
/* profile_id (an active profile) required; user_id (internal) or name (external) required. */
enum kam_err candidate_create(struct kam_ctx *ctx, const struct candidate_in *in,
                              struct candidate *out);
/* name, contact, source, note; not the profile, the person or the status. */
enum kam_err candidate_update(struct kam_ctx *ctx, int64_t id, const struct candidate_in *in,
                              struct candidate *out);

struct interview_in {
    struct interview_score *scores;
    int n_scores;
};
/* The caller's scores (1..30, each an active competency once); audited (action "score"). */
enum kam_err candidate_score(struct kam_ctx *ctx, int64_t id, const struct interview_in *in,
                             struct candidate *out);

/* decision one of candidate_decisions; reason required (409 candidate.reason_required). */
enum kam_err candidate_decide(struct kam_ctx *ctx, int64_t id, const char *decision,
                              const char *reason, struct candidate *out);

struct candidate_query {
    int64_t profile_id, limit;
    const char *status, *cursor;
};
enum kam_err candidate_list(struct kam_ctx *ctx, const struct candidate_query *q,
                            struct candidate **items_out, size_t *n_out, const char **next_out);

/* ---- the ranking ---- */

struct rank_level {
    int64_t competency_id, required, weight;
    const char *code;
    int has_level, n;
    double level;
    const char *source; /* "assessment" | "interview" | NULL */
};

struct ranked {
    int rank;
    struct candidate c;
    int64_t fit_bp;
    double gap_sum;
    int meets;
    struct rank_level *levels; /* one per profile competency, in the profile's order */
    size_t n_levels;
};

struct ranking {
    int64_t profile_id;
    const char *profile_code, *on_day;
    struct ranked *items;
    size_t n_items;
};

/* The profile's candidates (status: only those; NULL all) ranked by fit; at most 500. */
enum kam_err candidate_ranking(struct kam_ctx *ctx, int64_t profile_id, const char *status,
                               struct ranking *out);

#endif
