/* contact.h -- the buying centre (F1.3): the people of an account, their role in the decision,
 * influence, attitude to us, reporting line and freshness (last contact). */
#ifndef KAM_CONTACT_H
#define KAM_CONTACT_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

enum contact_field {
    CON_NAME = 1u << 0,
    CON_TITLE = 1u << 1,
    CON_DEPARTMENT = 1u << 2,
    CON_DECISION_ROLE = 1u << 3,
    CON_INFLUENCE = 1u << 4,
    CON_ATTITUDE = 1u << 5,
    CON_REPORTS_TO = 1u << 6,
    CON_PHONE = 1u << 7,
    CON_EMAIL = 1u << 8,
    CON_BIRTHDAY = 1u << 9,
    CON_NOTES = 1u << 10,
    CON_VERSION = 1u << 11,
};

struct contact {
    int64_t id, account_id, reports_to_id, influence, attitude, last_contacted_at, version;
    int64_t created_at, updated_at;
    int has_reports_to, has_last_contacted;
    const char *name, *title, *department, *decision_role, *phone, *email, *notes;
    const char *birthday; /* "YYYY-MM-DD" or NULL */
    /* Filled by contact_mark_stale / contact_stale_list: a key person (decision maker or
     * champion) not contacted within the freshness days of the account's tier. */
    int stale;
    /* Filled by contact_stale_list only. */
    const char *account_name, *tier;
    int64_t days_since; /* -1: never contacted */
};

struct contact_in {
    struct contact v;
    unsigned set;
};

extern const char *const contact_decision_roles[];

enum kam_err contact_create(struct kam_ctx *ctx, int64_t account_id, const struct contact_in *in,
                            struct contact *out);
enum kam_err contact_get(struct kam_ctx *ctx, int64_t id, struct contact *out);
enum kam_err contact_update(struct kam_ctx *ctx, int64_t id, const struct contact_in *in,
                            struct contact *out);
/* Deletes; contacts reporting to it get reports_to_id null (each audited). */
enum kam_err contact_delete(struct kam_ctx *ctx, int64_t id);
/* Deletes every contact of an account (for account_delete), audited. */
enum kam_err contact_delete_all(struct kam_ctx *ctx, int64_t account_id);
/* Records that someone was in touch with the contact at `at` (interactions, visits and care
 * call this); only moves last_contacted_at forward. Audited. */
enum kam_err contact_touch(struct kam_ctx *ctx, int64_t id, int64_t at);
/* The account a contact belongs to; KAM_ENOTFOUND if there is no such contact. */
enum kam_err contact_account_of(struct kam_ctx *ctx, int64_t id, int64_t *account_id_out);

struct contact_query {
    int64_t account_id;
    const char *q, *decision_role, *sort, *cursor;
    int64_t limit;
};

/* Sets .stale on n contacts (each may belong to any account). */
enum kam_err contact_mark_stale(struct kam_ctx *ctx, struct contact *items, size_t n);

struct stale_query {
    int64_t owner_id, limit;
    const char *cursor;
};

/* Stale key people of the accounts in the caller's scope, longest without contact first. */
enum kam_err contact_stale_list(struct kam_ctx *ctx, const struct stale_query *q,
                                struct contact **items_out, size_t *n_out, const char **next_out);

enum kam_err contact_list(struct kam_ctx *ctx, const struct contact_query *q,
                          struct contact **items_out, size_t *n_out, const char **next_out);

/* Days without contact after which a key person of an account of each tier (in the order of
 * account_tiers) counts as stale: the settings freshness_days.<tier>, with defaults. */
enum kam_err contact_freshness(struct kam_ctx *ctx, int64_t days_out[4]);
/* Sets the tiers whose bit (1 << index) is in mask; each 1..365. Audited. */
enum kam_err contact_set_freshness(struct kam_ctx *ctx, const int64_t days[4], unsigned mask);

#endif
