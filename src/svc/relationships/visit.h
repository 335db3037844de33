/* visit.h -- visit plans (F2.3): cadence rules per tier and decision role, planned visits for
 * each account's owner, rescheduling, completion (which logs an interaction), the overdue list,
 * and a private iCalendar feed per user. */
#ifndef KAM_VISIT_H
#define KAM_VISIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "svc/core/ctx.h"

struct cadence {
    int64_t id, every_days, created_at, updated_at;
    int active;
    const char *tier, *decision_role /* NULL: the account itself */, *kind;
};

enum cadence_field {
    CAD_TIER = 1u << 0,
    CAD_ROLE = 1u << 1,
    CAD_KIND = 1u << 2,
    CAD_EVERY = 1u << 3,
    CAD_ACTIVE = 1u << 4,
};

struct cadence_in {
    struct cadence v;
    unsigned set;
};

extern const char *const visit_kinds[];    /* phone, onsite */
extern const char *const visit_statuses[]; /* planned, done, cancelled */

enum kam_err cadence_list(struct kam_ctx *ctx, struct cadence **items_out, size_t *n_out);
enum kam_err cadence_create(struct kam_ctx *ctx, const struct cadence_in *in, struct cadence *out);
enum kam_err cadence_update(struct kam_ctx *ctx, int64_t id, const struct cadence_in *in,
                            struct cadence *out);
enum kam_err cadence_delete(struct kam_ctx *ctx, int64_t id);

struct visit {
    int64_t id, account_id, contact_id, owner_id, planned_at, completed_at, interaction_id;
    int64_t cadence_id, version, created_at, updated_at;
    int has_contact, has_completed, has_interaction, has_cadence;
    const char *kind, *status, *outcome, *next_steps;
    const char *account_name, *contact_name; /* for lists and the calendar */
    /* Details (0012): duration in minutes (has_duration 0: not given), where and what for. */
    int64_t duration_min;
    int has_duration;
    const char *place, *purpose;
    /* The optional check-in (外勤签到): micro-degrees, the accuracy in whole metres
     * (has_accuracy 0: not reported) and the server's time of it; has_checkin 0: none. */
    int64_t lat_e6, lon_e6, accuracy_m, checkin_at;
    int has_checkin, has_accuracy;
    /* What the visit learned (0017, svc/needs/learnings.c); has_learnings 0: nothing recorded. */
    const char *learn_how_used, *learn_works, *learn_fails;
    int has_learnings;
};

enum visit_field {
    VIS_ACCOUNT = 1u << 0,
    VIS_CONTACT = 1u << 1,
    VIS_OWNER = 1u << 2,
    VIS_KIND = 1u << 3,
    VIS_PLANNED = 1u << 4,
    VIS_STATUS = 1u << 5,
    VIS_VERSION = 1u << 6,
    VIS_DURATION = 1u << 7, /* v.duration_min, v.has_duration (null clears) */
    VIS_PLACE = 1u << 8,
    VIS_PURPOSE = 1u << 9,
    VIS_LAT = 1u << 10, /* a check-in: lat and lon together, accuracy optional */
    VIS_LON = 1u << 11,
    VIS_ACCURACY = 1u << 12,
};

/* Caps of the details. */
#define VISIT_PLACE_MAX 200
#define VISIT_PURPOSE_MAX 2000
#define VISIT_DURATION_MAX 1440     /* minutes: one day */
#define VISIT_ACCURACY_MAX 100000.0 /* metres: a check-in less precise than 100 km says nothing */

struct visit_in {
    struct visit v;
    const char *planned_at_iso;
    double lat, lon, accuracy; /* the check-in as the browser reports it (degrees, metres) */
    unsigned set;
};

/* Plans a visit on in->v.account_id (the caller has write on it). */
enum kam_err visit_create(struct kam_ctx *ctx, const struct visit_in *in, struct visit *out);
enum kam_err visit_get(struct kam_ctx *ctx, int64_t id, struct visit *out);
/* Reschedules / reassigns / cancels a planned visit, sets its details or checks in; done visits
 * do not change (409). A check-in (create or update; the server stamps its time) is the
 * owner's alone (403 otherwise), on an on-site visit that stays planned, once: a second one is
 * refused (409 "visit.checkin_twice"). */
enum kam_err visit_update(struct kam_ctx *ctx, int64_t id, const struct visit_in *in,
                          struct visit *out);

/* What a revisit learned (F2.7): how the customer uses our products or service, what works,
 * what does not, and new needs (each becomes a need, source visit; svc/needs/learnings.c). */
#define LEARNING_NEW_NEEDS_MAX 10
struct visit_learnings {
    const char *how_used, *works, *fails; /* NULL: "" */
    const char *const *new_needs;         /* at most LEARNING_NEW_NEEDS_MAX descriptions */
    size_t n_new_needs;
};

struct visit_done {
    const char *outcome, *next_steps, *occurred_at_iso; /* occurred_at NULL: now */
    int64_t contact_ids[50];
    int ncontacts, has_contacts;
    struct visit_in details; /* duration, place, purpose (details.set: VIS_DURATION ...) */
    /* What the revisit learned (F2.7, svc/needs/need.h): stored with the visit, each new need
     * becomes a need (source visit) -- in the completion's transaction. NULL: none. */
    const struct visit_learnings *learnings;
};

/* Marks a planned visit done and logs the interaction it was. */
enum kam_err visit_complete(struct kam_ctx *ctx, int64_t id, const struct visit_done *in,
                            struct visit *out);

struct visit_query {
    int64_t owner_id, account_id, limit;
    const char *status, *from, *to, *cursor;
    int overdue;
};

/* Visits of accounts in the caller's scope, by planned time. */
enum kam_err visit_list(struct kam_ctx *ctx, const struct visit_query *q, struct visit **items_out,
                        size_t *n_out, const char **next_out);

/* Scheduler job: plans the visits the cadence rules call for; *created_out counts them. Safe
 * to run concurrently: each planned visit has a unique generation key. */
enum kam_err visit_generate(struct kam_ctx *ctx, int *created_out);
/* Scheduler job: one notification per overdue visit to its owner. */
enum kam_err visit_notify_overdue(struct kam_ctx *ctx, int *created_out);

/* The caller's calendar feed token: a new one replaces the old; *url_out "/calendar/T.ics". */
enum kam_err calendar_token_new(struct kam_ctx *ctx, const char **url_out);
enum kam_err calendar_token_revoke(struct kam_ctx *ctx);
/* Whether the caller has a feed, and since when (the URL itself is shown only once). */
enum kam_err calendar_token_state(struct kam_ctx *ctx, int *active_out, int64_t *created_out);
/* Writes the iCalendar (RFC 5545) feed of the token's user into b; KAM_ENOTFOUND for an
 * unknown or revoked token. */
enum kam_err calendar_feed(struct kam_ctx *ctx, const char *token, struct buf *b);

#endif
