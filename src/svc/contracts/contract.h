/* contract.h -- contracts (issue 17 item 1, F5.3): per account (covers_group on a group's head
 * account covers its subsidiaries), their terms, obligations (obligation.h), amendments as
 * versions, the status draft -> active -> expiring -> expired | terminated | renewed, and the
 * renewal reminders of the scheduler's contract_job.
 *
 * Terms (every field but owner_id and note) change freely while a contract is a draft; once it
 * is active or expiring only through an amendment (contract_amend: revision + 1, a
 * contract_versions row with the terms as JSON), a PATCH of terms is 409
 * contract.amend_active; an ended contract (expired, terminated, renewed) changes no more
 * (409 contract.closed). Only drafts are deleted (409 contract.not_draft).
 *
 * Renewal (contract_renew): a new draft continuing the contract (a copy of its terms and active
 * obligations from the day after its end, for renewal_months), named in renewed_to. The
 * contract itself runs on to its end, where the job makes it 'renewed' instead of 'expired'
 * (at once when it had already expired). A contract with auto_renew and no successor is
 * extended by the job instead: ends_on + renewal_months (a day past the target month's end is
 * its last day: Jan 31 + 1 month is Feb 28 or 29; a term ending on a month's last day ends on
 * one again: Feb 28 + 1 month is Mar 31), a version row noting the automatic renewal.
 *
 * Every write is audited in its transaction (entity "contract"; obligations
 * "contract_obligation"; both carry the account). */
#ifndef KAM_SVC_CONTRACT_H
#define KAM_SVC_CONTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define CONTRACT_NUMBER_MAX 50
#define CONTRACT_TITLE_MAX 200
#define CONTRACT_PARTY_MAX 200
#define CONTRACT_SIGNATORY_MAX 100
#define CONTRACT_TEXT_MAX 2000
#define CONTRACT_OBLIGATIONS_MAX 50
#define CONTRACT_HOURS_MAX 8760 /* a year */
#define CONTRACT_DAYS_MAX 365
#define CONTRACT_MONTHS_MAX 120

extern const char *const contract_kinds[];    /* framework supply service distribution */
extern const char *const contract_statuses[]; /* draft active expiring expired terminated renewed */
extern const char *const obligation_sides[];  /* ours theirs */
extern const char *const obligation_kinds[];  /* volume price payment service_level delivery
                                                 support training forecast other */
extern const char *const obligation_measures[];    /* quantity amount */
extern const char *const obligation_periods[];     /* month quarter year */
extern const char *const obligation_recurrences[]; /* none month quarter year */

/* One occurrence done (contract_obligation_done). */
struct obligation_done {
    int64_t id, created_by, created_at;
    int has_created_by;
    const char *due_on, *done_on, *note;
};

struct obligation {
    int64_t id, contract_id, target, tolerance_bp, days, response_hours, resolution_hours;
    int has_target, has_days, has_response, has_resolution, active;
    const char *side, *kind, *title;
    const char *family, *measure, *period, *due_on; /* NULL when not set */
    const char *recurrence;
    int64_t created_at, updated_at;
    /* read only */
    int64_t open_breaches;
    const char *next_due; /* dated kinds: the first occurrence not done, up to the contract's
                             end; NULL otherwise */
    struct obligation_done *done; /* the latest first, at most 50 */
    size_t n_done;
};

enum {
    OB_SIDE = 1u << 0,
    OB_KIND = 1u << 1,
    OB_TITLE = 1u << 2,
    OB_FAMILY = 1u << 3,
    OB_MEASURE = 1u << 4,
    OB_PERIOD = 1u << 5,
    OB_TARGET = 1u << 6,
    OB_TOLERANCE = 1u << 7,
    OB_DAYS = 1u << 8,
    OB_RESPONSE = 1u << 9,
    OB_RESOLUTION = 1u << 10,
    OB_DUE = 1u << 11,
    OB_RECURRENCE = 1u << 12,
    OB_ACTIVE = 1u << 13,
    OB_ID = 1u << 14, /* in a full list (PATCH of a draft, amend): the obligation kept */
};

struct obligation_in {
    unsigned set; /* first: a J_OBJS element */
    int64_t id, target, tolerance_bp, days, response_hours, resolution_hours;
    int has_target, has_days, has_response, has_resolution, active;
    const char *side, *kind, *title, *family, *measure, *period, *due_on, *recurrence;
};

struct contract {
    int64_t id, account_id, signatory_contact_id, renewal_months, notice_days, remind_days;
    int64_t price_list_id, payment_days, sla_response_hours, sla_resolution_hours;
    int64_t renewed_to, owner_id, revision, created_by, version, created_at, updated_at;
    int covers_group, auto_renew;
    int has_signatory_contact, has_price_list, has_payment_days, has_sla_response,
        has_sla_resolution, has_renewed_to, has_owner, has_created_by;
    const char *number, *title, *kind, *our_party, *their_party, *our_signatory, *their_signatory;
    const char *signed_on; /* NULL when not set */
    const char *starts_on, *ends_on, *reminded_for, *currency, *status, *status_note, *note;
    /* read only */
    const char *account_name;
    const char *notice_on;          /* ends_on - notice_days */
    int64_t open_breaches;          /* its breaches detected, confirmed or under action */
    int64_t days_to_notice;         /* notice_on - today (China), negative once past */
    struct obligation *obligations; /* contract_get only */
    size_t n_obligations;
};

enum {
    CT_ACCOUNT = 1u << 0,
    CT_COVERS_GROUP = 1u << 1,
    CT_NUMBER = 1u << 2,
    CT_TITLE = 1u << 3,
    CT_KIND = 1u << 4,
    CT_OUR_PARTY = 1u << 5,
    CT_THEIR_PARTY = 1u << 6,
    CT_OUR_SIGNATORY = 1u << 7,
    CT_THEIR_SIGNATORY = 1u << 8,
    CT_SIGNATORY_CONTACT = 1u << 9,
    CT_SIGNED_ON = 1u << 10,
    CT_STARTS_ON = 1u << 11,
    CT_ENDS_ON = 1u << 12,
    CT_AUTO_RENEW = 1u << 13,
    CT_RENEWAL_MONTHS = 1u << 14,
    CT_NOTICE_DAYS = 1u << 15,
    CT_REMIND_DAYS = 1u << 16,
    CT_CURRENCY = 1u << 17,
    CT_PRICE_LIST = 1u << 18,
    CT_PAYMENT_DAYS = 1u << 19,
    CT_SLA_RESPONSE = 1u << 20,
    CT_SLA_RESOLUTION = 1u << 21,
    CT_OWNER = 1u << 22,
    CT_NOTE = 1u << 23,
    CT_VERSION = 1u << 24,
    CT_OBLIGATIONS = 1u << 25,
    CT_EFFECTIVE_ON = 1u << 26, /* amend */
    CT_AMEND_NOTE = 1u << 27,   /* amend: the version's note */
};
/* The terms: what only an amendment changes once a contract is active. */
#define CT_TERMS                                                                                   \
    (CT_COVERS_GROUP | CT_NUMBER | CT_TITLE | CT_KIND | CT_OUR_PARTY | CT_THEIR_PARTY |            \
     CT_OUR_SIGNATORY | CT_THEIR_SIGNATORY | CT_SIGNATORY_CONTACT | CT_SIGNED_ON | CT_STARTS_ON |  \
     CT_ENDS_ON | CT_AUTO_RENEW | CT_RENEWAL_MONTHS | CT_NOTICE_DAYS | CT_REMIND_DAYS |            \
     CT_CURRENCY | CT_PRICE_LIST | CT_PAYMENT_DAYS | CT_SLA_RESPONSE | CT_SLA_RESOLUTION |         \
     CT_OBLIGATIONS)

struct contract_in {
    unsigned set;
    struct contract v;
    struct obligation_in *obligations;
    int n_obligations;
    const char *effective_on, *amend_note; /* amend */
};

struct contract_query {
    int64_t account_id, owner_id, expiring_within, limit;
    int subsidiaries, has_expiring;
    const char *status, *kind, *q, *sort, *cursor;
};

struct contract_version {
    int64_t id, contract_id, revision, created_by, created_at;
    int has_created_by;
    const char *effective_on, *note, *terms; /* terms: JSON text */
};

/* The contract with its obligations (each with its open breaches, next due date and done
 * occurrences). KAM_ENOTFOUND naming id. */
enum kam_err contract_get(struct kam_ctx *ctx, int64_t id, struct contract *out);
/* account_id (the caller may create contracts there: policy_body_account), number, title,
 * kind, starts_on, ends_on, currency required; obligations inline. Status draft. */
enum kam_err contract_create(struct kam_ctx *ctx, const struct contract_in *in,
                             struct contract *out);
/* Version-guarded. The account cannot change (400 account_id). */
enum kam_err contract_update(struct kam_ctx *ctx, int64_t id, const struct contract_in *in,
                             struct contract *out);
enum kam_err contract_delete(struct kam_ctx *ctx, int64_t id);
/* Keyset list over the caller's accounts: account_id (subsidiaries: its group), status, kind,
 * owner_id, expiring_within (active or expiring, ending within that many days from today),
 * q (number or title); sort ends_on (default) | number | id. */
enum kam_err contract_list(struct kam_ctx *ctx, const struct contract_query *q,
                           struct contract **items_out, size_t *n_out, const char **next_out);

/* draft -> active; revision 1 written to contract_versions (effective on starts_on). */
enum kam_err contract_activate(struct kam_ctx *ctx, int64_t id, int64_t version, int has_version,
                               struct contract *out);
/* An amendment of an active or expiring contract: the terms in `in` (obligations: the full new
 * list when given; an element with id keeps that obligation, the others are deactivated),
 * effective_on (required, a date), amend_note; revision + 1 and its contract_versions row. */
enum kam_err contract_amend(struct kam_ctx *ctx, int64_t id, const struct contract_in *in,
                            struct contract *out);
/* active | expiring -> terminated on `on` (default today): status_note = reason (required),
 * ends_on = on when earlier, a version row with the reason. */
enum kam_err contract_terminate(struct kam_ctx *ctx, int64_t id, const char *reason, const char *on,
                                struct contract *out);
/* The successor draft (see the top): number required (unique), starts_on / ends_on default
 * to the day after the end and renewal_months later. *out is the new draft. */
enum kam_err contract_renew(struct kam_ctx *ctx, int64_t id, const char *number,
                            const char *starts_on, const char *ends_on, struct contract *out);
/* The versions, newest first (at most 500). */
enum kam_err contract_versions(struct kam_ctx *ctx, int64_t id, struct contract_version **items,
                               size_t *n);

/* The scheduler's pass as of ctx->now (the China day): active -> expiring from the notice
 * deadline (ends_on - notice_days) less remind_days; expiring -> active when an amendment moved
 * the window away; after ends_on: renewed (a successor), extended (auto_renew) or expired;
 * the renewal reminder to the owner and every enabled legal user, once per notice deadline
 * (reminded_for), from remind_days before it. *changed: contracts changed or reminded. */
enum kam_err contract_job(struct kam_ctx *ctx, int *changed);

/* Date arithmetic (unit tests): day + months, a day past the month's end clamped to its last
 * day ("2027-01-31" + 1 = "2027-02-28"); day + days. In ctx->a; NULL for a bad date. */
const char *contract_add_months(struct kam_ctx *ctx, const char *day, int64_t months);
const char *contract_add_days(struct kam_ctx *ctx, const char *day, int64_t days);
/* The end of the next renewal term: ends_on + months, clamped like contract_add_months, and a
 * month's last day stays a month's last day ("2027-02-28" + 1 = "2027-03-31"). */
const char *contract_renewed_end(struct kam_ctx *ctx, const char *ends_on, int64_t months);
/* Days from a to b (b - a); 0 for a bad date. */
int64_t contract_days_between(const char *a, const char *b);
/* Today in China (UTC+8) as YYYY-MM-DD. */
const char *contract_today(struct kam_ctx *ctx);

/* ---- obligations (obligation.c) ---- */

/* Checks one obligation (fields named prefix + name, prefix "" or "obligations[i]."). */
enum kam_err obligation_check(struct kam_ctx *ctx, const char *prefix, const struct obligation *o);
/* Merges an input over an obligation. */
void obligation_merge(struct obligation *o, const struct obligation_in *in);
/* The obligations of a contract (active first, then by id), with their figures. */
enum kam_err obligation_list(struct kam_ctx *ctx, int64_t contract_id, struct obligation **items,
                             size_t *n);
/* One obligation of the contract (KAM_ENOTFOUND naming oid for another contract's). */
enum kam_err obligation_get(struct kam_ctx *ctx, int64_t contract_id, int64_t oid,
                            struct obligation *out);
/* Adds, changes or deletes an obligation of a draft (409 contract.amend_active otherwise). */
enum kam_err obligation_create(struct kam_ctx *ctx, int64_t contract_id,
                               const struct obligation_in *in, struct obligation *out);
enum kam_err obligation_update(struct kam_ctx *ctx, int64_t contract_id, int64_t oid,
                               const struct obligation_in *in, struct obligation *out);
enum kam_err obligation_delete(struct kam_ctx *ctx, int64_t contract_id, int64_t oid);
/* Records an occurrence done: due_on one of its occurrences (400 contract.not_occurrence),
 * done_on not in the future (default today), once per occurrence (409 contract.already_done).
 * Not on drafts (409 contract.not_active). */
enum kam_err obligation_done(struct kam_ctx *ctx, int64_t contract_id, int64_t oid,
                             const char *due_on, const char *done_on, const char *note,
                             struct obligation *out);
/* Replaces the obligations of contract c with list (keeping those named by id, deactivating
 * the rest of the active ones), audited; inside the caller's transaction. */
enum kam_err obligation_replace(struct kam_ctx *ctx, const struct contract *c,
                                const struct obligation_in *list, int n);
/* Whether day is an occurrence of o (due_on + k recurrences, k >= 0). */
int obligation_is_occurrence(struct kam_ctx *ctx, const struct obligation *o, const char *day);

#endif
