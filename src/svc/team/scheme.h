/* scheme.h -- appraisal schemes (issue 18 F6.3): per role and period kind (quarter | year),
 * weighted indicators (weights add up to 10000 bp) with their scoring curves (indicator.h).
 * hr writes them; everyone reads them. Every change is a new version; a change of the
 * indicators writes the version's own set (appraisal_indicators), the older sets stay for the
 * scorecards computed with them. Audit entity "appraisal_scheme". */
#ifndef KAM_TEAM_SCHEME_H
#define KAM_TEAM_SCHEME_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define SCHEME_NAME_MAX 200
#define SCHEME_LABEL_MAX 100
#define SCHEME_INDICATORS_MAX 20

enum {
    SI_KIND = 1u << 0,
    SI_LABEL = 1u << 1,
    SI_WEIGHT = 1u << 2,
    SI_THRESHOLD = 1u << 3,
    SI_TARGET = 1u << 4,
    SI_STRETCH = 1u << 5,
    SI_CAP = 1u << 6,
    SI_LOWER = 1u << 7,
};

struct scheme_indicator {
    unsigned set; /* SI_* (decoding); first member (J_OBJS) */
    int64_t id, position;
    const char *kind, *label;
    int64_t weight_bp, threshold, target, stretch, cap_score;
    int lower_better;
};

struct scheme {
    int64_t id;
    const char *name, *role, *period_kind;
    int active;
    int64_t version, created_at, updated_at;
    int64_t indicators_version; /* the scheme version of the current indicator set */
    struct scheme_indicator *indicators;
    size_t n_indicators;
    const char *ind_key; /* the indicators as one text (audit) */
    int64_t n_scorecards;
};

enum {
    SC_NAME = 1u << 0,
    SC_ROLE = 1u << 1,
    SC_PERIOD = 1u << 2,
    SC_ACTIVE = 1u << 3,
    SC_INDICATORS = 1u << 4,
    SC_VERSION = 1u << 5,
};

struct scheme_in {
    unsigned set;
    struct scheme v; /* name, role, period_kind, active, version */
    struct scheme_indicator *ind;
    int n_ind;
};

enum kam_err scheme_create(struct kam_ctx *ctx, const struct scheme_in *in, struct scheme *out);
enum kam_err scheme_get(struct kam_ctx *ctx, int64_t id, struct scheme *out);
/* Name, role, active, indicators (replaced whole; period_kind fixed). */
enum kam_err scheme_update(struct kam_ctx *ctx, int64_t id, const struct scheme_in *in,
                           struct scheme *out);
/* Only a scheme without scorecards (409 scheme.in_use: set active false instead). */
enum kam_err scheme_delete(struct kam_ctx *ctx, int64_t id);

struct scheme_query {
    const char *role;
    int active; /* -1 any */
    int64_t limit;
    const char *cursor;
};
enum kam_err scheme_list(struct kam_ctx *ctx, const struct scheme_query *q,
                         struct scheme **items_out, size_t *n_out, const char **next_out);

/* The indicators of scheme id at scheme version v (arena). */
enum kam_err scheme_indicators_at(struct kam_ctx *ctx, int64_t id, int64_t v,
                                  struct scheme_indicator **out, size_t *n);

#endif
