/* competency.h -- the competency model, role profiles and assessments of people (issue 18 item
 * 1, F6.1; docs/TEAM.md "Competencies and selection"). Candidates: candidate.h.
 *
 * The model: six built-in competencies seeded by migration 0026 (communication, teamwork,
 * product_knowledge, problem_solving, negotiation, legal_compliance; custom 0) and the company's
 * own (custom 1), each with rubric levels 1..5 carrying descriptors in Chinese and English
 * (levels are set whole). A competency used by an assessment, an interview score, a role
 * profile or a course cannot be deleted (409 competency.in_use): deactivate it (active false).
 *
 * Role profiles: the level (1..5) each competency needs for a role, with a weight (1..100).
 *
 * Assessments: one assessor's levels of one person on a day, each with its evidence.
 *   kind self    -- user_id must be the caller (400 assessment.self_only naming user_id);
 *   kind manager -- the caller leads the person down the team tree (not themself), or holds the
 *                   org-wide create grant (hr, director, admin) and is not the person
 *                   (403 assessment.not_manager naming user_id);
 *   kind peer    -- the caller is not the person (400 assessment.peer_self), and the person is
 *                   the caller's colleague: in the caller's own team (same team_id) or led by the
 *                   caller; org-wide creators may give any peer assessment (403
 *                   assessment.not_colleague). Reading follows the person's scope (the person,
 *                   those who lead them, org-wide readers), not the assessor: a peer does not
 *                   read back what they wrote about a colleague (but for the create answer).
 *   assessed_on is a real day, not after today (China's day of ctx->now).
 *
 * THE CURRENT-LEVEL RULE (competency_levels_of; training reads it too): for one person and one
 * competency, over the scores of their assessments dated on or before the day:
 *   - if any manager assessment scored it: the level of the latest manager one (latest by
 *     assessed_on, then by assessment id); n_assessments 1;
 *   - else the mean of the latest self score and of each peer assessor's latest score (one per
 *     assessor: a person's repeated self or peer assessments do not weigh more);
 *     n_assessments = the number of scores averaged;
 *   - no score: no entry.
 *
 * Audit entities "competency", "role_profile", "assessment". */
#ifndef KAM_SVC_COMPETENCY_H
#define KAM_SVC_COMPETENCY_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define COMP_CODE_MAX 40
#define COMP_NAME_MAX 100
#define COMP_DESC_MAX 2000
#define COMP_DESCRIPTOR_MAX 500
#define COMP_NOTE_MAX 2000
#define COMP_EVIDENCE_MAX 2000
#define COMP_LEVELS 5
#define PROFILE_LEVELS_MAX 30
#define ASSESS_SCORES_MAX 30

extern const char *const assessment_kinds[]; /* self manager peer */

/* ---- the model ---- */

struct competency_rubric {
    unsigned set; /* CR_* */
    int64_t level;
    const char *descriptor_zh, *descriptor_en;
};
enum { CR_LEVEL = 1u << 0, CR_ZH = 1u << 1, CR_EN = 1u << 2 };

struct competency {
    int64_t id, version, created_at, updated_at;
    const char *code, *name_zh, *name_en, *description_zh, *description_en;
    int custom, active;
    struct competency_rubric levels[COMP_LEVELS];
    size_t n_levels;
    const char *levels_key; /* what the audit compares */
};

enum {
    CO_CODE = 1u << 0,
    CO_NAME_ZH = 1u << 1,
    CO_NAME_EN = 1u << 2,
    CO_DESC_ZH = 1u << 3,
    CO_DESC_EN = 1u << 4,
    CO_ACTIVE = 1u << 5,
    CO_LEVELS = 1u << 6,
    CO_VERSION = 1u << 7,
};

struct competency_in {
    unsigned set;
    struct competency v;
    struct competency_rubric *levels;
    int n_levels;
};

enum kam_err competency_get(struct kam_ctx *ctx, int64_t id, struct competency *out);
/* code (lower-case letters, digits, _; unique: 409 competency.code_taken), name_zh, name_en
 * required; levels: each of 1..5 at most once (all five or none). custom = 1. */
enum kam_err competency_create(struct kam_ctx *ctx, const struct competency_in *in,
                               struct competency *out);
/* Everything but code and custom; levels replaced whole. */
enum kam_err competency_update(struct kam_ctx *ctx, int64_t id, const struct competency_in *in,
                               struct competency *out);
/* 409 competency.in_use when anything uses it; built-in ones: 409 competency.builtin. */
enum kam_err competency_delete(struct kam_ctx *ctx, int64_t id);

struct competency_query {
    int64_t limit;
    int active; /* -1 any */
    const char *sort, *cursor;
};
/* sort code | id (default code). */
enum kam_err competency_list(struct kam_ctx *ctx, const struct competency_query *q,
                             struct competency **items_out, size_t *n_out, const char **next_out);

/* ---- role profiles ---- */

struct profile_level {
    unsigned set; /* PL_* */
    int64_t competency_id, level, weight;
    const char *code, *name_zh, *name_en; /* the competency's, read */
};
enum { PL_COMP = 1u << 0, PL_LEVEL = 1u << 1, PL_WEIGHT = 1u << 2 };

struct role_profile {
    int64_t id, version, created_at, updated_at;
    const char *code, *name_zh, *name_en, *description;
    int active;
    struct profile_level *levels;
    size_t n_levels;
    const char *levels_key;
};

enum {
    RP_CODE = 1u << 0,
    RP_NAME_ZH = 1u << 1,
    RP_NAME_EN = 1u << 2,
    RP_DESC = 1u << 3,
    RP_ACTIVE = 1u << 4,
    RP_LEVELS = 1u << 5,
    RP_VERSION = 1u << 6,
};

struct role_profile_in {
    unsigned set;
    struct role_profile v;
    struct profile_level *levels;
    int n_levels;
};

enum kam_err role_profile_get(struct kam_ctx *ctx, int64_t id, struct role_profile *out);
/* code unique (409 role_profile.code_taken); names required; levels 1..30, each an existing
 * competency once, level 1..5, weight 1..100 (default 1). */
enum kam_err role_profile_create(struct kam_ctx *ctx, const struct role_profile_in *in,
                                 struct role_profile *out);
enum kam_err role_profile_update(struct kam_ctx *ctx, int64_t id, const struct role_profile_in *in,
                                 struct role_profile *out);
/* 409 role_profile.in_use when candidates name it. */
enum kam_err role_profile_delete(struct kam_ctx *ctx, int64_t id);
/* By code; KAM_ENOTFOUND naming field when there is none. */
enum kam_err role_profile_by_code(struct kam_ctx *ctx, const char *field, const char *code,
                                  struct role_profile *out);

struct role_profile_query {
    int64_t limit;
    int active;
    const char *sort, *cursor;
};
enum kam_err role_profile_list(struct kam_ctx *ctx, const struct role_profile_query *q,
                               struct role_profile **items_out, size_t *n_out,
                               const char **next_out);

/* ---- assessments ---- */

struct assessment_score {
    unsigned set; /* AS_* */
    int64_t competency_id, level;
    const char *evidence, *code;
};
enum { AS_COMP = 1u << 0, AS_LEVEL = 1u << 1, AS_EVIDENCE = 1u << 2 };

struct assessment {
    int64_t id, user_id, assessor_id, created_by, version, created_at, updated_at;
    int has_assessor, has_created_by;
    const char *user_name, *assessor_name /* NULL: none */, *kind, *assessed_on, *note;
    struct assessment_score *scores;
    size_t n_scores;
};

enum {
    AM_USER = 1u << 0,
    AM_KIND = 1u << 1,
    AM_DAY = 1u << 2,
    AM_NOTE = 1u << 3,
    AM_SCORES = 1u << 4,
};

struct assessment_in {
    unsigned set;
    struct assessment v;
    struct assessment_score *scores;
    int n_scores;
};

enum kam_err assessment_get(struct kam_ctx *ctx, int64_t id, struct assessment *out);
/* The rules at the top; scores 1..30, each an active competency once, level 1..5. The assessor
 * is the caller. */
enum kam_err assessment_create(struct kam_ctx *ctx, const struct assessment_in *in,
                               struct assessment *out);
enum kam_err assessment_delete(struct kam_ctx *ctx, int64_t id);

struct assessment_query {
    int64_t user_id, assessor_id, limit;
    const char *kind, *sort, *cursor;
};
/* The assessments of the people in the caller's scope; sort id | assessed_on (default -id). */
enum kam_err assessment_list(struct kam_ctx *ctx, const struct assessment_query *q,
                             struct assessment **items_out, size_t *n_out, const char **next_out);

/* ---- current levels (the rule at the top) ---- */

struct competency_level {
    int64_t competency_id;
    double level;
    int n_assessments;
};

/* One score as the rule sees it. */
struct score_obs {
    int64_t competency_id, assessment_id, assessor_id; /* assessor 0: none */
    const char *kind, *assessed_on;
    int level;
};

/* The rule for the scores of ONE competency, newest first (assessed_on desc, assessment id
 * desc): *level and the number of scores used; used[i] (may be NULL) 1 for each score the level
 * is made of. Returns 0 when there is no score. */
int competency_level_rule(const struct score_obs *obs, size_t n, double *level, int *n_used,
                          int *used);

/* The person's current level per competency as of on_day ('YYYY-MM-DD'; assessments on or
 * before it), ordered by competency id; arena-allocated (ctx arena). No access check: callers
 * check (dispatch's person scope, the candidate grant). */
enum kam_err competency_levels_of(struct kam_ctx *ctx, int64_t user_id, const char *on_day,
                                  struct competency_level **out, size_t *n);

/* ---- a person's profile view (GET /users/:id/competencies) ---- */

struct person_score {
    int64_t assessment_id, assessor_id;
    int has_assessor, level, used;
    const char *kind, *assessed_on, *evidence;
};

struct person_competency {
    int64_t competency_id;
    const char *code, *name_zh, *name_en;
    int has_level, n_assessments;
    double level;
    int has_required;
    int64_t required, weight;
    double gap; /* required - level (0 when met; required when no level), has_required only */
    struct person_score *scores;
    size_t n_scores;
};

struct person_view {
    int64_t user_id;
    const char *user_name, *on_day;
    int has_profile;
    struct role_profile profile;
    int64_t fit_bp;
    struct person_competency *items;
    size_t n_items;
};

/* on_day NULL: today; profile_code NULL: no profile (else 400 naming "profile" when unknown).
 * Items: every active competency, and inactive ones with a level or a requirement. */
enum kam_err competency_person_view(struct kam_ctx *ctx, int64_t user_id, const char *on_day,
                                    const char *profile_code, struct person_view *out);

/* ---- fit (candidate.c's ranking and the person view) ----
 * fit_bp = round half up of 10000 x sum over the profile's competencies of
 * weight x min(level, required) / required, divided by the sum of weights; a competency without
 * a level counts 0. 10000 = every requirement met. */
struct fit_item {
    int64_t required, weight;
    int has_level;
    double level;
};
int64_t competency_fit_bp(const struct fit_item *items, size_t n);

/* Today's date (China) in the arena. */
const char *competency_today(struct kam_ctx *ctx);

#endif
