/* need.h -- needs capture (issue 14, F3.1): structured customer needs per account, their
 * workflow (open -> addressing -> addressed | dropped, reopened to open) and what addressed
 * them (an offer, a measure or an issue, linked by id), interviews with the customer (attendees
 * on both sides, questions, notes; linked to a visit or interaction), and what a revisit learned
 * (F2.7: how the customer uses our products, what works, what does not; new needs). */
#ifndef KAM_NEED_H
#define KAM_NEED_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define NEED_TEXT_MAX 2000       /* description, pain point, expectation */
#define INTERVIEW_TEXT_MAX 10000 /* questions, notes */
#define LEARNING_TEXT_MAX 4000   /* each of the three texts of a visit's learnings */
#define NEED_ATTENDEES_MAX 50    /* per side of an interview */

extern const char *const need_categories[]; /* product service price delivery technical other */
extern const char *const need_priorities[]; /* low medium high */
extern const char *const need_statuses[];   /* open addressing addressed dropped */
extern const char *const need_sources[];    /* interview visit survey manual */
extern const char *const need_addressed_kinds[]; /* offer measure issue */

struct need {
    int64_t id, account_id, contact_id, addressed_id, interview_id, visit_id, owner_id;
    int64_t created_by, status_at, version, created_at, updated_at;
    int has_contact, has_addressed, has_interview, has_visit, has_owner, has_created_by;
    const char *category, *description, *pain_point, *expectation, *priority, *status;
    const char *addressed_kind; /* NULL when !has_addressed */
    const char *due_on;         /* "YYYY-MM-DD" or NULL */
    const char *source, *account_name;
};

enum need_field {
    NEED_CATEGORY = 1u << 0,
    NEED_DESCRIPTION = 1u << 1,
    NEED_PAIN = 1u << 2,
    NEED_EXPECTATION = 1u << 3,
    NEED_PRIORITY = 1u << 4,
    NEED_CONTACT = 1u << 5,
    NEED_DUE = 1u << 6,
    NEED_INTERVIEW = 1u << 7,
    NEED_VISIT = 1u << 8,
    NEED_SOURCE = 1u << 9,
    NEED_OWNER = 1u << 10,
    NEED_VERSION = 1u << 11,
};

struct need_in {
    struct need v;
    unsigned set;
};

/* check_text for a required free text (1..max characters) that also refuses a text of only
 * white space (ASCII, U+3000 ideographic space, U+00A0): "required" on field. */
enum kam_err need_check_required(struct kam_ctx *ctx, const char *field, const char *s, int max);

/* 1 if a need may move from status `from` to `to`: open -> addressing | addressed | dropped,
 * addressing -> addressed | dropped | open, addressed | dropped -> open (reopened). */
int need_transition_allowed(const char *from, const char *to);

enum kam_err need_create(struct kam_ctx *ctx, int64_t account_id, const struct need_in *in,
                         struct need *out);
enum kam_err need_get(struct kam_ctx *ctx, int64_t id, struct need *out);
enum kam_err need_update(struct kam_ctx *ctx, int64_t id, const struct need_in *in,
                         struct need *out);
enum kam_err need_delete(struct kam_ctx *ctx, int64_t id);

/* The status move: KAM_ECONFLICT "need.bad_transition" (field "to") when not allowed;
 * `addressed` requires addressed_kind + addressed_id (a measure or issue of the same account;
 * an offer id is taken as given until offers exist, issue 15); other moves must not name one.
 * Reopening clears what addressed it. version 0: not checked. */
struct need_status_in {
    const char *to, *note, *addressed_kind;
    int64_t addressed_id, version;
    int has_addressed, has_version;
};
enum kam_err need_set_status(struct kam_ctx *ctx, int64_t id, const struct need_status_in *in,
                             struct need *out);

struct need_query {
    int64_t account_id, owner_id, interview_id, limit;
    int64_t older_than_days; /* 0: any age; N: created more than N days ago ("latent") */
    const char *category, *status, *priority, *due_before, *sort, *cursor, *q;
    int open_only; /* status open or addressing */
};
enum kam_err need_list(struct kam_ctx *ctx, const struct need_query *q, struct need **items_out,
                       size_t *n_out, const char **next_out);
/* How many needs the list would show over all its pages (sort, limit and cursor ignored). */
enum kam_err need_count(struct kam_ctx *ctx, const struct need_query *q, int64_t *n_out);

/* ---- interviews ---- */

struct interview {
    int64_t id, account_id, visit_id, interaction_id, created_by, version, created_at, updated_at;
    int has_visit, has_interaction, has_created_by;
    const char *held_on, *title, *questions, *notes, *account_name;
    int64_t *user_ids, *contact_ids; /* sorted ascending */
    size_t n_users, n_contacts;
    int64_t needs; /* how many needs name it */
};

enum interview_field {
    IV_HELD_ON = 1u << 0,
    IV_VISIT = 1u << 1,
    IV_INTERACTION = 1u << 2,
    IV_TITLE = 1u << 3,
    IV_QUESTIONS = 1u << 4,
    IV_NOTES = 1u << 5,
    IV_USERS = 1u << 6,
    IV_CONTACTS = 1u << 7,
    IV_VERSION = 1u << 8,
};

struct interview_in {
    struct interview v;
    unsigned set;
};

enum kam_err interview_create(struct kam_ctx *ctx, int64_t account_id,
                              const struct interview_in *in, struct interview *out);
enum kam_err interview_get(struct kam_ctx *ctx, int64_t id, struct interview *out);
enum kam_err interview_update(struct kam_ctx *ctx, int64_t id, const struct interview_in *in,
                              struct interview *out);
/* Deletes the interview; its needs stay and lose the link. */
enum kam_err interview_delete(struct kam_ctx *ctx, int64_t id);
enum kam_err interview_list(struct kam_ctx *ctx, int64_t account_id, int64_t limit,
                            const char *cursor, struct interview **items_out, size_t *n_out,
                            const char **next_out);

/* ---- a revisit's learnings (F2.7) ---- */

struct visit_learnings; /* svc/relationships/visit.h */

/* Inside the visit completion's transaction: stores the three texts for visit_id (replacing
 * earlier ones) and creates one need per new need text, source "visit", on account_id, owned
 * by the account owner; all audited. Errors name "learnings.<field>". */
enum kam_err visit_learnings_save(struct kam_ctx *ctx, int64_t visit_id, int64_t account_id,
                                  const struct visit_learnings *l);
/* The stored learnings of a visit; *found 0 when none. */
enum kam_err visit_learnings_get(struct kam_ctx *ctx, int64_t visit_id, struct visit_learnings *out,
                                 int *found);

/* kam demo: interviews and needs for the demo accounts, in every status and category. */
enum kam_err needs_demo(struct kam_ctx *ctx);

#endif
