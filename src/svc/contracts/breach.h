/* breach.h -- contract breaches: found by the scan (breach_scan.c), worked by people
 * (issue 17 item 3, docs/CONTRACTS.md).
 *
 * One breach per obligation and occurrence (the period, invoice, order line, issue or due date
 * it is about), so scans that race find the same row. What each obligation kind is checked
 * against, and what counts as a miss, is docs/CONTRACTS.md "Breach detection".
 *
 * status: detected -> confirmed | waived (a reason); confirmed -> action (the corrective action)
 * | waived; action -> cured. Every other move is a 409 naming status (breach.bad_move). */
#ifndef KAM_SVC_BREACH_H
#define KAM_SVC_BREACH_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define BREACH_TEXT_MAX 2000
#define BREACH_EVIDENCE_ROWS 50 /* the records an evidence names at most (the worst first) */

extern const char *const breach_statuses[];   /* detected confirmed waived action cured */
extern const char *const breach_severities[]; /* low medium high critical */

struct breach {
    int64_t id, contract_id, obligation_id, account_id;
    const char *contract_number, *contract_title, *account_name, *obligation_title;
    const char *side; /* ours | theirs */
    const char *kind; /* the obligation's kind */
    const char *occurrence;
    const char *severity;
    int64_t at_stake;
    const char *currency;
    int64_t measured, expected;
    int has_measured, has_expected;
    const char *evidence; /* JSON object */
    const char *status, *reason, *action;
    int64_t owner_id;
    int has_owner;
    int64_t detected_at, last_seen_at, cured_at;
    int has_cured;
    int64_t version, created_at, updated_at;
};

struct breach_query {
    int64_t account_id, contract_id, owner_id;
    const char *status; /* one status, or "open": detected | confirmed | action */
    const char *side, *kind, *severity;
    const char *sort, *cursor;
    int64_t limit;
};

enum kam_err breach_get(struct kam_ctx *ctx, int64_t id, struct breach *out);
enum kam_err breach_list(struct kam_ctx *ctx, const struct breach_query *q, struct breach **items,
                         size_t *n, const char **next);

/* A move of the workflow: to = confirmed | waived | action | cured; text: the reason (waived,
 * required), the action (action, required), a note (cured, optional). version: the one read
 * (409 stale_version when it changed), 0: not checked. */
enum kam_err breach_move(struct kam_ctx *ctx, int64_t id, const char *to, const char *text,
                         int64_t version, struct breach *out);

/* ---- the scan (breach_scan.c) ---- */

struct breach_scan_report {
    int contracts, obligations;
    int found;    /* breaches seen this scan (new and known) */
    int detected; /* of them, new */
    int skipped;  /* contracts their data could not judge (logged) */
};

/* Checks every active obligation of contract_id (0: of every active or expiring contract) as
 * of ctx->now, records the breaches not known yet (audited, their owner and the legal and
 * finance users told) and refreshes the evidence of the known ones still open. */
enum kam_err breach_scan(struct kam_ctx *ctx, int64_t contract_id, struct breach_scan_report *r);

/* One obligation's standing now, for the contract page: ok | at_risk | breached | none (not
 * checkable yet: before its first due day or period end). The volume kind fills the running
 * period's pro-rata figures and the linear projection. */
struct obligation_status {
    int64_t obligation_id;
    const char *state;
    int64_t open_breaches;
    const char *period; /* volume: the running period ("2026-Q3"), else NULL */
    int64_t actual, expected_to_date, target, projected;
    int has_volume;
    const char *next_due; /* dated kinds: the next occurrence not done, else NULL */
};
enum kam_err breach_obligations_status(struct kam_ctx *ctx, int64_t contract_id,
                                       struct obligation_status **out, size_t *n);

#endif
