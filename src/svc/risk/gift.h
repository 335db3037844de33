/* gift.h -- compliance (誠信經營, F2.6; docs/RISK.md): gifts and hospitality given to an
 * account's people against the company's rules and the account's yearly budget.
 *
 * The rule of a gift: among the active rules whose kind is the gift's or 'any' and whose
 * recipient_role is the contact's decision role or 'any', the most specific -- a recipient
 * role match counts 2, a kind match 1; the highest sum wins, the lowest id among equals.
 * Its status when recorded (and re-evaluated by a PATCH):
 *   breach   the rule is forbidden; or the account's yearly budget (base currency) would be
 *            exceeded: used (gifts not rejected that year) + value > budget; or the value is
 *            over the rule's maximum and the gift is already given (given_on <= today) -- it
 *            was given before approval;
 *   pending  over the rule's maximum, to be given later: waits for the rule's approver role;
 *   recorded otherwise (at the maximum and exactly using up the budget are within).
 * A breach raises a compliance risk (risk_raise, source 'gift'; a neutral title naming the gift
 * by id, owned by someone other than the giver and the recorder: gift_risk_owner). A pending
 * gift is decided before its day by a user of the rule's approver role or a director, never by
 * its giver nor by whoever recorded it: approved or rejected. On its day an undecided pending
 * gift becomes a breach (gifts_lapse_due, the scheduler) and a decision is 409 gift.lapsed. */
#ifndef KAM_RISK_GIFT_H
#define KAM_RISK_GIFT_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

extern const char *const gift_kinds[];          /* gift, hospitality */
extern const char *const gift_rule_kinds[];     /* gift, hospitality, any */
extern const char *const gift_statuses[];       /* recorded pending approved rejected breach */
extern const char *const gift_approver_roles[]; /* team_lead, director, finance */

#define GIFT_TEXT_MAX 500
#define GIFT_NAME_MAX 100
#define GIFT_VALUE_MAX INT64_C(100000000000) /* minor units */

struct gift_rule {
    int64_t id;
    const char *name, *kind, *recipient_role;
    int64_t max_value;
    const char *currency, *approver_role;
    int forbidden, active;
    int64_t version, created_at, updated_at;
};

/* The rule that applies (the header's ranking) among rules[0..n) (active ones only), or -1. */
int gift_rule_pick(const struct gift_rule *rules, size_t n, const char *kind, const char *role);

/* The status by the header's rule: forbidden rule, over the rule's maximum, over the budget,
 * already given (given_on <= today). */
const char *gift_status_of(int forbidden, int over_rule, int over_budget, int given);

enum {
    GR_NAME = 1u << 0,
    GR_KIND = 1u << 1,
    GR_ROLE = 1u << 2,
    GR_MAX = 1u << 3,
    GR_CURRENCY = 1u << 4,
    GR_APPROVER = 1u << 5,
    GR_FORBIDDEN = 1u << 6,
    GR_ACTIVE = 1u << 7,
    GR_VERSION = 1u << 8,
};
struct gift_rule_in {
    unsigned set;
    struct gift_rule v;
};
enum kam_err gift_rule_list(struct kam_ctx *ctx, struct gift_rule **items, size_t *n);
enum kam_err gift_rule_get(struct kam_ctx *ctx, int64_t id, struct gift_rule *out);
enum kam_err gift_rule_create(struct kam_ctx *ctx, const struct gift_rule_in *in,
                              struct gift_rule *out);
enum kam_err gift_rule_update(struct kam_ctx *ctx, int64_t id, const struct gift_rule_in *in,
                              struct gift_rule *out);
/* 409 in_use when gifts name the rule: deactivate it instead. */
enum kam_err gift_rule_delete(struct kam_ctx *ctx, int64_t id);

struct gift {
    int64_t id, account_id;
    const char *account_name;
    int64_t contact_id;
    int has_contact;
    const char *contact_name, *contact_role; /* "" without a contact */
    const char *kind, *description;
    int64_t value;
    const char *currency;
    int64_t value_base;
    const char *given_on;
    int64_t given_by;
    int has_given_by;
    const char *given_by_name;
    int64_t care_reminder_id, visit_id, rule_id;
    int has_care, has_visit, has_rule;
    const char *rule_name, *approver_role; /* "" / NULL without a rule */
    const char *status;
    int64_t decided_by, decided_at;
    int has_decided;
    const char *decision_note;
    int64_t risk_id;
    int has_risk;
    int64_t version, created_at, updated_at;
    int64_t created_by; /* who recorded it (may not decide it) */
    int has_created_by;
};

enum {
    GF_ACCOUNT = 1u << 0,
    GF_CONTACT = 1u << 1,
    GF_KIND = 1u << 2,
    GF_DESC = 1u << 3,
    GF_VALUE = 1u << 4,
    GF_CURRENCY = 1u << 5,
    GF_GIVEN_ON = 1u << 6,
    GF_GIVEN_BY = 1u << 7,
    GF_CARE = 1u << 8,
    GF_VISIT = 1u << 9,
    GF_VERSION = 1u << 10,
};
struct gift_in {
    unsigned set;
    struct gift v;
};

enum kam_err gift_get(struct kam_ctx *ctx, int64_t id, struct gift *out);
enum kam_err gift_create(struct kam_ctx *ctx, const struct gift_in *in, struct gift *out);
/* Recorded and pending gifts only (else 409 gift.decided); the status is evaluated again. */
enum kam_err gift_update(struct kam_ctx *ctx, int64_t id, const struct gift_in *in,
                         struct gift *out);
/* Recorded and pending gifts only (else 409 gift.decided). */
enum kam_err gift_delete(struct kam_ctx *ctx, int64_t id);
/* decision "approve" | "reject"; 403 gift.own_gift (the giver) / gift.own_record (the recorder)
 * / gift.not_approver; 409 gift.not_pending, gift.lapsed (its day has come). */
enum kam_err gift_decide(struct kam_ctx *ctx, int64_t id, const char *decision, const char *note,
                         struct gift *out);

/* The scheduler's pass: every pending gift whose day (given_on, China) has come undecided
 * becomes a breach with its risk, audited (action "lapse", by the system). *n: how many. */
enum kam_err gifts_lapse_due(struct kam_ctx *ctx, int *n);

/* The giver and the recorder of gift id (0 when none / no such gift): the users who may not
 * own or close the risk raised from it. */
enum kam_err gift_interested(struct kam_ctx *ctx, int64_t id, int64_t *giver, int64_t *recorder);

struct gift_query {
    int64_t account_id, contact_id, given_by, year;
    const char *status;
    int pending_for_me;
    const char *cursor;
    int64_t limit;
};
enum kam_err gift_list(struct kam_ctx *ctx, const struct gift_query *q, struct gift **items,
                       size_t *n, const char **next);

struct gift_budget {
    int64_t account_id, year;
    int has_budget;
    int64_t amount;
    const char *currency;
    int64_t amount_base, used_base, remaining_base, gifts;
    const char *base_currency;
};
enum kam_err gift_budget_get(struct kam_ctx *ctx, int64_t account_id, int64_t year,
                             struct gift_budget *out);
enum kam_err gift_budget_set(struct kam_ctx *ctx, int64_t account_id, int64_t year, int64_t amount,
                             const char *currency, struct gift_budget *out);

#endif
