/* signal.h -- the early-warning engine's one interface (issue 16 item 4, docs/RISK.md).
 *
 * A signal is one thing KAM measures per account that can mean risk: volume below forecast,
 * a purchase overdue against the account's own interval, receivables overdue, a key contact
 * gone stale, an SLA breach, a competitor's move... Each chapter defines its signals in a
 * {0}-terminated table declared here, next to its own code (svc/<chapter>/signals*.c); the
 * engine (svc/risk/alert.c) runs every table, turns hits into alerts (one per account and
 * signal while unresolved), and scores account health from them. A later chapter adds its
 * table here and to the engine's list, nothing else (issue 17: contracts ending or breached).
 *
 * Thresholds are thousandths of the signal's unit (threshold_milli = 30000: 30 days), as are
 * the measured values, so both engines compare integers. A rule is the signal's defaults
 * overridden by its alert_rules row (GET|PUT /api/v1/alert-rules). */
#ifndef KAM_SIGNAL_H
#define KAM_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "policy.h"

enum signal_severity { SIGNAL_LOW, SIGNAL_MEDIUM, SIGNAL_HIGH, SIGNAL_CRITICAL };

struct signal_def;

/* A signal's rule as it applies now. */
struct signal_rule {
    const struct signal_def *def;
    int enabled;
    int64_t threshold_milli;
    enum signal_severity severity;
    const char *dept;   /* the department it concerns: sales | finance | service | marketing |
                           technical | production */
    const char *params; /* the signal's own numbers, a JSON object ({"days": 90}) */
};

/* One account on which a signal fires. */
struct signal_hit {
    int64_t account_id;
    int64_t value_milli;  /* the measured figure, in the signal's unit */
    const char *evidence; /* a JSON object: the numbers and the records (kind + id) behind it;
                             the evaluator's arena */
};

/* The engine's callback for each hit; a non-zero return stops the evaluation with it. */
typedef enum kam_err (*signal_emit_fn)(void *arg, const struct signal_hit *hit);

#define SIGNAL_READS_MAX 4

struct signal_def {
    const char *key;         /* stable: "receivables_overdue"; the web words it (signal.<key>) */
    const char *unit;        /* days | percent | count | money | score | ratio: how the web shows
                                values and thresholds */
    int64_t threshold_milli; /* the default threshold */
    enum signal_severity severity;
    const char *dept;
    const char *params;  /* the default params, "{}" when none */
    int higher_is_worse; /* 1: fires when value >= threshold; 0: when value <= threshold */
    /* Evaluates the rule as of ctx's now over the accounts named (n ids), or over every
     * account that is not lost when accounts is NULL, calling emit for each account on which
     * it fires. Reads only; never writes. The near miss (a value just short of the threshold)
     * must not fire. */
    enum kam_err (*eval)(struct kam_ctx *ctx, const struct signal_rule *rule,
                         const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg);
    /* The policy objects (svc/core/policy.h) its value and evidence are read from, OBJ_PUBLIC
     * (0) ending the list: an alert of the signal (its health line, preview hit, export row,
     * notification) reaches only people who may read every one of them on the account
     * (docs/ALERTS.md "Who sees which signal"). Every real signal names at least one. */
    enum obj reads[SIGNAL_READS_MAX];
};

/* ---- for the evaluators (signal.c) ---- */

struct sqlb;

/* The rule's params {"days": N} (1..3650), else def; fails only when out of memory. */
enum kam_err signal_param_days(struct kam_ctx *ctx, const struct signal_rule *r, int64_t def,
                               int64_t *out);
/* 1 when value_milli is at or beyond the rule's threshold (higher_is_worse decides the side). */
int signal_fires(const struct signal_rule *r, int64_t value_milli);

/* The accounts asked for: up to SIGNAL_IN_MAX are bound in the SQL (signal_account_cond); more
 * are kept sorted and rows checked with signal_wanted() (a statement binds few values). */
#define SIGNAL_IN_MAX 16
struct signal_want {
    int64_t *ids; /* NULL: every row is wanted */
    size_t n;
};
struct signal_want signal_want_of(struct kam_ctx *ctx, const int64_t *accounts, size_t n);
int signal_wanted(const struct signal_want *w, int64_t id);
/* " AND a.status <> 'lost'" and, for a few accounts asked for, " AND a.id IN (...)" (alias a:
 * accounts). */
void signal_account_cond(struct sqlb *b, const int64_t *accounts, size_t n);

/* The tables, each {0}-terminated (key NULL). */
extern const struct signal_def signals_volume[];        /* svc/volume/signals.c */
extern const struct signal_def signals_relationships[]; /* svc/relationships/signals.c */
extern const struct signal_def signals_needs[];         /* svc/needs/signals.c */
extern const struct signal_def signals_credit[];        /* svc/risk/signals_credit.c */
extern const struct signal_def signals_competition[];   /* svc/risk/signals_competition.c */
extern const struct signal_def signals_contracts[];     /* svc/contracts/signals.c */

#endif
