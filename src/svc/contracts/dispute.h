/* dispute.h -- disputes (issue 17 item 4, F5.4): the ladder negotiation -> mediation ->
 * arbitration -> litigation -> closed, each stage with its dates, deadline, forum, participants
 * and cost; events on a timeline; reminders of the limitation period and the stage deadlines; a
 * dossier (the dispute, its contract, the breach evidence, the audit trail with the hash-chain
 * verification) as printable HTML and .xlsx.
 *
 * The rules (docs/API.md "Disputes (issue 17)"):
 * - limitation_on = arose_on + 3 years (PRC Civil Code art. 188), computed here; 29 Feb + 3
 *   years is 28 Feb.
 * - reported_by is the caller; reported_to defaults to the caller's team manager (up the team
 *   tree while the caller manages their own team), or a named user who may read disputes of
 *   the account; owner_id defaults to the account's owner.
 * - Escalation one step at a time, naming the next stage; closing (settled | won | lost |
 *   withdrawn) from any open stage, won and lost only at arbitration or litigation (a decision
 *   needs an arbitrator or a court); nothing from closed (no reopening). Every forbidden move is
 *   a 409 naming `stage` with its own message key, nothing changed. The current stage's row gets
 *   ended_on when the next starts (or the dispute closes).
 * - Audit entities "dispute", "dispute_stage", "dispute_event", all carrying the account. */
#ifndef KAM_SVC_DISPUTE_H
#define KAM_SVC_DISPUTE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "svc/core/ctx.h"

#define DISPUTE_TITLE_MAX 200
#define DISPUTE_PARTY_MAX 200
#define DISPUTE_TEXT_MAX 4000
#define DISPUTE_NOTE_MAX 2000
#define DISPUTE_FORUM_MAX 300
#define DISPUTE_AMOUNT_MAX 1000000000000000LL /* minor units */
#define DISPUTE_EVENTS_MAX 1000               /* events and audit rows on a timeline or dossier */

extern const char *const dispute_stages[];   /* negotiation mediation arbitration litigation
                                                closed */
extern const char *const dispute_outcomes[]; /* settled won lost withdrawn */
extern const char *const dispute_event_kinds[];

struct dispute {
    int64_t id, account_id, contract_id, breach_id, amount_claimed, settled_amount;
    int64_t reported_by, reported_to, owner_id, version, created_at, updated_at;
    int has_contract, has_breach, has_settled, has_reported_by, has_reported_to, has_owner;
    const char *account_name, *contract_number, *title, *counterpart, *currency, *our_position,
        *their_position, *arose_on, *limitation_on, *stage, *outcome /* NULL: open */,
        *outcome_note, *closed_on /* NULL: open */;
    /* the current stage's row (none once closed) */
    int64_t stage_id;
    int has_stage_row;
    const char *stage_started_on, *deadline_on /* NULL: none */;
};

enum {
    DI_ACCOUNT = 1u << 0,
    DI_CONTRACT = 1u << 1,
    DI_BREACH = 1u << 2,
    DI_TITLE = 1u << 3,
    DI_COUNTERPART = 1u << 4,
    DI_AMOUNT = 1u << 5,
    DI_CURRENCY = 1u << 6,
    DI_OUR = 1u << 7,
    DI_THEIR = 1u << 8,
    DI_AROSE = 1u << 9,
    DI_REPORTED_TO = 1u << 10,
    DI_OWNER = 1u << 11,
    DI_VERSION = 1u << 12,
    DI_STARTED = 1u << 13,
};

struct dispute_in {
    unsigned set;
    struct dispute v;
    const char *started_on; /* create: the negotiation's start (default today) */
};

/* limitation = arose + 3 years, 29 Feb -> 28 Feb; arose must be a valid date. */
void dispute_limitation(const char *arose_on, char out[11]);

/* The reporting line of user uid: the manager of their team, up the tree while that is uid
 * itself; *found 0 when there is none. */
enum kam_err dispute_reporting_line(struct kam_ctx *ctx, int64_t uid, int64_t *manager, int *found);

enum kam_err dispute_get(struct kam_ctx *ctx, int64_t id, struct dispute *out);
/* account_id, title, currency, arose_on required (the account's scope checked here: the path
 * names none). contract_id of that account; breach_id of that contract (its contract becomes
 * contract_id when none is given). Starts at negotiation. */
enum kam_err dispute_create(struct kam_ctx *ctx, const struct dispute_in *in, struct dispute *out);
/* title, counterpart, amount_claimed, currency, positions, arose_on (limitation recomputed),
 * reported_to, owner_id; version optional (409 when stale). */
enum kam_err dispute_update(struct kam_ctx *ctx, int64_t id, const struct dispute_in *in,
                            struct dispute *out);
/* 409 dispute.has_lessons while a lesson links it. */
enum kam_err dispute_delete(struct kam_ctx *ctx, int64_t id);

struct dispute_stage {
    int64_t id, dispute_id, account_id, cost, created_at, updated_at;
    const char *stage, *started_on, *ended_on /* NULL */, *deadline_on /* NULL */, *deadline_note,
        *forum, *participants, *note;
};

enum {
    DS_DEADLINE = 1u << 0,
    DS_DEADLINE_NOTE = 1u << 1,
    DS_FORUM = 1u << 2,
    DS_PARTICIPANTS = 1u << 3,
    DS_COST = 1u << 4,
    DS_NOTE = 1u << 5,
    DS_STAGE = 1u << 6,
    DS_STARTED = 1u << 7,
};

struct dispute_stage_in {
    unsigned set;
    struct dispute_stage v;
};

/* Escalates to in->v.stage (required: the next stage), started_on (default today, not before
 * the current stage's start, not in the future), deadline_on, deadline_note, forum,
 * participants. */
enum kam_err dispute_escalate(struct kam_ctx *ctx, int64_t id, const struct dispute_stage_in *in,
                              struct dispute *out);

struct dispute_close_in {
    unsigned set; /* DC_* */
    const char *outcome, *closed_on, *note;
    int64_t settled_amount;
};
enum { DC_OUTCOME = 1u << 0, DC_CLOSED_ON = 1u << 1, DC_NOTE = 1u << 2, DC_SETTLED = 1u << 3 };

enum kam_err dispute_close(struct kam_ctx *ctx, int64_t id, const struct dispute_close_in *in,
                           struct dispute *out);

/* The stages of dispute id in order. */
enum kam_err dispute_stages_of(struct kam_ctx *ctx, int64_t id, struct dispute_stage **items,
                               size_t *n);
/* Changes stage sid of dispute id (KAM_ENOTFOUND when it is another's): deadline_on (null
 * clears), deadline_note, forum, participants, cost (>= 0), note. */
enum kam_err dispute_stage_update(struct kam_ctx *ctx, int64_t id, int64_t sid,
                                  const struct dispute_stage_in *in, struct dispute_stage *out);

struct dispute_event {
    int64_t id, dispute_id, amount, created_by, created_at;
    int has_amount, has_created_by;
    const char *day, *kind, *text;
};
enum { DE_DAY = 1u << 0, DE_KIND = 1u << 1, DE_TEXT = 1u << 2, DE_AMOUNT = 1u << 3 };
struct dispute_event_in {
    unsigned set;
    struct dispute_event v;
};
/* kind and text required; day default today. */
enum kam_err dispute_event_add(struct kam_ctx *ctx, int64_t id, const struct dispute_event_in *in,
                               struct dispute_event *out);
enum kam_err dispute_events_of(struct kam_ctx *ctx, int64_t id, struct dispute_event **items,
                               size_t *n);

/* One entry of the timeline: a stage started or ended, an event, an audit row. */
struct dispute_tl {
    const char *kind; /* stage_started stage_ended event audit */
    const char *day;  /* YYYY-MM-DD (China) */
    int64_t at;       /* audit: the unix time; else 0 */
    int64_t ref_id;   /* the stage, event or audit row */
    const char *stage, *event_kind, *text, *entity, *action, *changes /* JSON */;
    int64_t amount, user_id;
    int has_amount, has_user;
};
/* Stages, events and the audit rows of the dispute, its stages and events, by day then time. */
enum kam_err dispute_timeline(struct kam_ctx *ctx, int64_t id, struct dispute_tl **items,
                              size_t *n);

struct dispute_query {
    int64_t account_id, contract_id, limit;
    int open; /* 1: not closed */
    const char *stage, *q, *sort, *cursor;
};
/* The disputes the caller may read; sort id | arose_on | limitation_on (default -id). */
enum kam_err dispute_list(struct kam_ctx *ctx, const struct dispute_query *q,
                          struct dispute **items_out, size_t *n_out, const char **next_out);

struct dispute_amount {
    const char *currency;
    int64_t amount;
};
struct dispute_board_col {
    const char *stage;
    int64_t count;
    struct dispute_amount *amounts; /* claimed, by currency */
    size_t n_amounts;
    const char *next_deadline; /* NULL: none ahead */
    int64_t next_deadline_dispute;
};
/* Per stage (the five, in order): the disputes the caller may read. */
enum kam_err dispute_board(struct kam_ctx *ctx, struct dispute_board_col cols[5]);

/* The reminders: an open dispute at negotiation or mediation whose limitation date is within
 * 90 days (then within 30), a current stage's deadline within 14 days (then 3) -> one
 * notification to the owner and every enabled legal user, once per (deadline, threshold)
 * (notifications' dedup_key). *reminded: notifications added. Own transaction. */
enum kam_err dispute_job(struct kam_ctx *ctx, int *reminded);

/* ---- the dossier ---- */

struct dossier_audit {
    int64_t id, seq, at, user_id;
    int has_user;
    const char *entity, *action, *changes, *user_name;
    int64_t entity_id;
};

struct dispute_dossier {
    struct dispute d;
    struct dispute_stage *stages;
    size_t n_stages;
    struct dispute_event *events;
    size_t n_events;
    int has_contract;
    const char *c_number, *c_title, *c_kind, *c_our_party, *c_their_party, *c_our_signatory,
        *c_their_signatory, *c_starts_on, *c_ends_on, *c_status, *c_currency;
    struct dossier_obligation {
        const char *side, *kind, *title, *due_on;
        int64_t target;
        int has_target;
    } * obligations;
    size_t n_obligations;
    int has_breach;
    const char *b_kind, *b_side, *b_occurrence, *b_severity, *b_status, *b_currency, *b_evidence;
    int64_t b_at_stake;
    struct dossier_audit *audit;
    size_t n_audit;
    int chain_intact;
    int64_t chain_rows, chain_bad_seq;
    const char *chain_problem;
    int64_t generated_at;
};

enum kam_err dispute_dossier_load(struct kam_ctx *ctx, int64_t id, struct dispute_dossier *d);
enum kam_err dispute_dossier_html(struct kam_ctx *ctx, const struct dispute_dossier *d,
                                  struct buf *b);
enum kam_err dispute_dossier_xlsx(struct kam_ctx *ctx, const struct dispute_dossier *d,
                                  struct buf *out);

#endif
