/* alert.h -- the early-warning engine (issue 16 item 4): every signal table of
 * svc/core/signal.h evaluated under its rule, hits become alerts (one per account and signal
 * while unresolved), alerts reach the account team's departments and the digest, and the
 * account health score is computed from them. docs/ALERTS.md. */
#ifndef KAM_RISK_ALERT_H
#define KAM_RISK_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"
#include "svc/core/signal.h"

/* One scheduler pass: evaluates every enabled rule over every account, raises new alerts,
 * refreshes open ones whose measurement changed (value, evidence; last_seen_at at least daily),
 * marks cleared ones, closes the alerts of disabled rules and removed signals, and scores every
 * account's health for today (rows that changed only). Safe on several instances at once (one
 * alert per account and signal). docs/ALERTS.md "The engine". */
enum kam_err alerts_run(struct kam_ctx *ctx, int *raised, int *cleared);

/* The engine's resolutions (the web words them): the signal stopped firing; the rule was disabled;
 * no signal table has the signal any more. */
#define ALERT_RESOLVED_CLEARED "cleared"
#define ALERT_RESOLVED_RULE_OFF "rule_disabled"
#define ALERT_RESOLVED_SIGNAL_GONE "signal_removed"
/* An unchanged firing alert is rewritten (last_seen_at) at most this often, in seconds. */
#define ALERT_SEEN_EVERY 86400

struct alert_rule;
/* One rule of the pass (alerts_run runs every rule: an enabled one raises, refreshes and clears;
 * a disabled one closes its alerts; then it closes the alerts of removed signals and scores
 * health). */
enum kam_err alerts_run_rule(struct kam_ctx *ctx, const struct alert_rule *r, int *raised,
                             int *cleared);

/* The signal tables the engine runs: NULL-terminated. Tests replace them (NULL: the real
 * ones, signal.h). */
void alerts_set_tables(const struct signal_def *const *tables);
const struct signal_def *alert_signal_find(const char *key);
/* The i-th signal over every table, NULL past the end. */
const struct signal_def *alert_signal_at(size_t i);

/* ---- who sees which signal (docs/ALERTS.md) ---- */

/* How the caller may read a signal's alerts, health lines and preview hits: every policy object
 * the signal reads (signal_def.reads) must be readable. NONE: one is not; OWN: one is readable
 * only in the caller's record scope while their alert reads are org-wide; ALL: wherever they may
 * read alerts. A signal no table has any more (d NULL): ALL (the engine closes its alerts). */
enum alert_sight { ALERT_SIGHT_NONE = 0, ALERT_SIGHT_OWN, ALERT_SIGHT_ALL };
enum alert_sight alert_signal_sight(const struct principal *who, const struct signal_def *d);
/* May user_id read alerts of signal d on account_id (every object of d->reads, policy_user_may)?
 * *yes 0 or 1. */
enum kam_err alert_user_may_read(struct kam_ctx *ctx, int64_t user_id, const struct signal_def *d,
                                 int64_t account_id, int *yes);
/* The same for the caller (the system, user 0, reads everything). */
enum kam_err alert_may_read(struct kam_ctx *ctx, const char *signal, int64_t account_id, int *yes);
/* The signals the caller may read nowhere (ALERT_SIGHT_NONE) as an SQL list "'a', 'b'" (keys
 * are [a-z_]), "" when none: records raised from their alerts (risks) stay out of sight too. */
const char *alert_hidden_signals_sql(struct kam_ctx *ctx);

/* A query over alerts restricted to the signals the caller may read: alert_sight_begin first
 * (it appends POLICY_SCOPE_WITH with its binds when the query needs it; *scoped: the caller's
 * reads are scoped, so the query adds POLICY_SCOPE_COND itself), then, in the WHERE clause,
 * alert_sight_cond(col) (" AND ..." on the signal column; it may use POLICY_SCOPE_COND over the
 * table `accounts` of the query). */
struct sqlb;
struct alert_sight_set {
    int scoped, with;
    const char **none, **own;
    size_t n_none, n_own;
};
void alert_sight_begin(struct kam_ctx *ctx, struct sqlb *b, struct alert_sight_set *s);
void alert_sight_cond(struct sqlb *b, const struct alert_sight_set *s, const char *col);

/* ---- rules (alert_rule.c) ---- */

#define ALERT_PARAMS_MAX 2000 /* characters */
#define ALERT_PREVIEW_MAX 50

extern const char *const alert_severities[]; /* low medium high critical, NULL */
extern const char *const alert_depts[];      /* sales finance service marketing technical
                                                production, NULL */
const char *alert_severity_name(enum signal_severity s);
enum signal_severity alert_severity_parse(const char *s);

struct alert_rule {
    const struct signal_def *def;
    const char *signal, *unit;
    int higher_is_worse;
    int64_t def_threshold_milli;
    const char *def_severity, *def_dept, *def_params;
    /* effective */
    int enabled;
    int64_t threshold_milli;
    const char *severity, *dept, *params;
    int overridden;
    int64_t version; /* the override's; 0 without one */
    int64_t updated_by, updated_at;
    int has_updated_by;
};

enum {
    AR_ENABLED = 1u << 0,
    AR_THRESHOLD = 1u << 1,
    AR_SEVERITY = 1u << 2,
    AR_DEPT = 1u << 3,
    AR_PARAMS = 1u << 4,
};
struct alert_rule_in {
    unsigned set;
    int enabled;
    int64_t threshold_milli;
    const char *severity, *dept, *params;
};

enum kam_err alert_rules_list(struct kam_ctx *ctx, struct alert_rule **out, size_t *n_out);
/* KAM_ENOTFOUND (field "signal") for an unknown signal. */
enum kam_err alert_rule_get(struct kam_ctx *ctx, const char *signal, struct alert_rule *out);
/* The rule's effective values with the given fields changed (unset ones keep theirs), checked. */
enum kam_err alert_rule_merge(struct kam_ctx *ctx, const char *signal,
                              const struct alert_rule_in *in, struct alert_rule *out);
/* Writes the override (audited "alert_rule", entity id: the signal's position). */
enum kam_err alert_rule_put(struct kam_ctx *ctx, const char *signal, const struct alert_rule_in *in,
                            struct alert_rule *out);
/* Back to the defaults (no override row; audited). */
enum kam_err alert_rule_reset(struct kam_ctx *ctx, const char *signal, struct alert_rule *out);

struct alert_preview_row {
    int64_t account_id, value_milli;
    const char *name;
};
struct alert_preview {
    struct alert_rule rule;
    int64_t count;
    struct alert_preview_row *items; /* the first ALERT_PREVIEW_MAX by value, worst first */
    size_t n;
};
/* The accounts the rule (with in's changes) would alert on today; writes nothing. Only the
 * accounts the caller may read are listed and counted. */
enum kam_err alert_rule_preview(struct kam_ctx *ctx, const char *signal,
                                const struct alert_rule_in *in, struct alert_preview *out);

/* ---- alerts (alert.c) ---- */

struct alert {
    int64_t id, account_id, value_milli, threshold_milli, owner_id, acknowledged_by,
        acknowledged_at, resolved_by, resolved_at, cleared_at, risk_id, first_seen_at, last_seen_at,
        version, created_at, updated_at;
    int has_value, has_threshold, has_owner, has_ack_by, has_ack_at, has_resolved_by,
        has_resolved_at, has_cleared, has_risk;
    const char *signal, *severity, *dept, *evidence, *status, *response, *response_due, *resolution,
        *account_name, *owner_name, *unit;
};

struct alert_query {
    int mine;           /* owner is the caller */
    const char *dept;   /* "mine": the caller's departments; else one department */
    int64_t account_id; /* 0: any */
    const char *status; /* open (not resolved) | acknowledged | responding | resolved | NULL */
    const char *severity, *signal;
    int64_t limit;
    const char *cursor;
};

enum kam_err alert_list(struct kam_ctx *ctx, const struct alert_query *q, struct alert **items_out,
                        size_t *n_out, const char **next_out);
enum kam_err alert_get(struct kam_ctx *ctx, int64_t id, struct alert *out);

#define ALERT_RESPONSE_MAX 2000
#define ALERT_RESOLUTION_MAX 2000

enum { AL_RESPONSE = 1u << 0, AL_DUE = 1u << 1, AL_OWNER = 1u << 2, AL_VERSION = 1u << 3 };
struct alert_in {
    unsigned set;
    struct {
        const char *response, *response_due;
        int64_t owner_id, version;
        int has_owner;
    } v;
};

enum kam_err alert_acknowledge(struct kam_ctx *ctx, int64_t id, struct alert *out);
/* response (plan), response_due, owner_id; a plan given moves open/acknowledged -> responding. */
enum kam_err alert_update(struct kam_ctx *ctx, int64_t id, const struct alert_in *in,
                          struct alert *out);
enum kam_err alert_resolve(struct kam_ctx *ctx, int64_t id, const char *resolution,
                           struct alert *out);
/* Raises a risk from the alert (svc/risk/risk.h, source 'alert'); *created 0 when it existed. */
enum kam_err alert_raise_risk(struct kam_ctx *ctx, int64_t id, int64_t *risk_id, int *created);
/* The risk category of a signal: credit (finance), competitive (competition), operating. */
const char *alert_risk_category(const char *signal, const char *dept);

#endif
