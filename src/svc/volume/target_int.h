/* target_int.h -- what target.c, target_split.c and target_read.c share; not for other files.
 *
 * A tcell is one row of target_cells in memory. Cells are handled in key order (account id,
 * owner id, team id, family, region, channel, month; bytewise), the order the exact allocation
 * breaks ties by, so both storage engines give the same values. */
#ifndef KAM_TARGET_INT_H
#define KAM_TARGET_INT_H

#include "target.h"

struct tcell {
    int64_t id, account_id, month, value, basis, owner_id, team_id;
    const char *family, *region, *channel;
    int locked, changed;
};

extern const char *const target_bases[]; /* last_year forecast potential equal blend, NULL */

int tcell_cmp(const void *a, const void *b);
/* Every cell of the plan, in key order. */
enum kam_err tcells_load(struct kam_ctx *ctx, int64_t plan_id, struct tcell **out, size_t *n);
/* Writes the cells marked changed. */
enum kam_err tcells_save(struct kam_ctx *ctx, struct tcell *c, size_t n);
/* Splits total over c[idx[0..m)] in proportion to their values (locked kept); an alloc error. */
int tcells_split(struct kam_ctx *ctx, struct tcell *c, const size_t *idx, size_t m, int64_t total);
int tcell_match(const struct tcell *c, const struct target_sel *s);
/* "family=A,month=3" for the adjustment log. */
const char *target_sel_text(struct kam_ctx *ctx, const struct target_sel *s);
/* Records an adjustment with its reason, and its audit row. */
/* sel (NULL: the whole plan) gives the account, owner and team it names, kept for the scope of
 * the adjustment log. */
enum kam_err target_adjust(struct kam_ctx *ctx, int64_t plan_id, const struct target_sel *sel,
                           const char *selection, const char *action, int has_from, int64_t from,
                           int has_to, int64_t to, const char *reason);
/* KAM_EINVAL field "reason" when the plan is approved and reason is empty. */
enum kam_err target_need_reason(struct kam_ctx *ctx, const struct target_plan *p,
                                const char *reason);
/* An approved plan back to submitted (approved_by/at cleared, audited); no-op otherwise. */
enum kam_err target_reopen(struct kam_ctx *ctx, const struct target_plan *p);
/* "last_year:50,forecast:50" -> percentages by target_bases index (summing to 100). */
enum kam_err target_parse_blend(struct kam_ctx *ctx, const char *s, int pct[5]);

#endif
