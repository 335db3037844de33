/* interaction.h -- the account's communication log (F2.2): calls, e-mails, meetings, visits and
 * materials shared, with the contacts present. Logging one keeps contacts' freshness. */
#ifndef KAM_INTERACTION_H
#define KAM_INTERACTION_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define INTERACTION_MAX_CONTACTS 50

enum interaction_field {
    INT_KIND = 1u << 0,
    INT_SUBJECT = 1u << 1,
    INT_NOTES = 1u << 2,
    INT_MATERIAL = 1u << 3,
    INT_OCCURRED = 1u << 4,
    INT_CONTACTS = 1u << 5,
    INT_VERSION = 1u << 6,
};

struct interaction {
    int64_t id, account_id, user_id, occurred_at, visit_id, version, created_at, updated_at;
    int has_user, has_visit;
    const char *kind, *subject, *notes;
    const char *material_type; /* NULL unless kind is "material" */
    int64_t contact_ids[INTERACTION_MAX_CONTACTS];
    int ncontacts;
};

struct interaction_in {
    struct interaction v;
    const char *occurred_at_iso; /* when INT_OCCURRED: "YYYY-MM-DDTHH:MM:SSZ" */
    unsigned set;
};

extern const char *const interaction_kinds[];
extern const char *const interaction_materials[];

/* Logs an interaction on account_id by the caller; moves each contact's last contact forward. */
enum kam_err interaction_create(struct kam_ctx *ctx, int64_t account_id,
                                const struct interaction_in *in, struct interaction *out);
enum kam_err interaction_get(struct kam_ctx *ctx, int64_t id, struct interaction *out);
enum kam_err interaction_update(struct kam_ctx *ctx, int64_t id, const struct interaction_in *in,
                                struct interaction *out);
enum kam_err interaction_delete(struct kam_ctx *ctx, int64_t id);

struct interaction_query {
    int64_t account_id;
    const char *kind, *cursor;
    int64_t limit;
};

/* The account's timeline, newest first. */
enum kam_err interaction_list(struct kam_ctx *ctx, const struct interaction_query *q,
                              struct interaction **items_out, size_t *n_out, const char **next_out);

/* Parses exactly "YYYY-MM-DDTHH:MM:SSZ" into unix seconds; -1 if malformed. */
int64_t interaction_parse_time(const char *s);
/* For list filters: the same, or a date "YYYY-MM-DD" (its first second, UTC). */
int64_t interaction_parse_filter_time(const char *s);

#endif
