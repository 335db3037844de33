/* disputes.c -- Disputes: the ladder from negotiation to litigation, stages, deadlines, the dossier
 * (issue 17): decode, call svc/contracts, render. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/contracts/dispute.h"

#define STAGES "negotiation|mediation|arbitration|litigation"

const struct api_shape api_shapes_disputes[] = {
    {"Dispute",
     "id:int account_id:int account_name:str contract_id:int? contract_number:str? breach_id:int? "
     "title:str counterpart:str amount_claimed:int currency:str our_position:str "
     "their_position:str arose_on:date limitation_on:date stage:str(" STAGES "|closed) "
     "outcome:str(settled|won|lost|withdrawn)? outcome_note:str settled_amount:int? "
     "closed_on:date? reported_by:int? reported_to:int? owner_id:int? stage_started_on:date? "
     "deadline_on:date? version:int created_at:ts updated_at:ts stages?:[DisputeStage]"},
    {"DisputeStage",
     "id:int dispute_id:int stage:str(" STAGES ") started_on:date ended_on:date? "
     "deadline_on:date? deadline_note:str forum:str participants:str cost:int note:str "
     "created_at:ts updated_at:ts"},
    {"DisputeEvent",
     "id:int dispute_id:int day:date "
     "kind:str(note|meeting|filing|hearing|offer|decision|payment) text:str amount:int? "
     "created_by:int? created_at:ts"},
    {"DisputeTimelineItem",
     "kind:str(stage_started|stage_ended|event|audit) day:date at:ts? ref_id:int stage:str? "
     "event_kind:str? text:str amount:int? entity:str? action:str? changes:any? user_id:int?"},
    {"DisputeTimeline", "dispute_id:int items:[DisputeTimelineItem]"},
    {"DisputeAmount", "currency:str amount:int"},
    {"DisputeBoardStage",
     "stage:str(" STAGES "|closed) count:int amounts:[DisputeAmount] next_deadline:date? "
     "next_deadline_dispute_id:int?"},
    {"DisputeBoard", "stages:[DisputeBoardStage]"},
    {NULL, NULL},
};

/* ---- bodies ---- */

#define DF(f) offsetof(struct dispute_in, v.f)
static const struct jfield dispute_spec[] = {
    {"account_id", J_I64, DI_ACCOUNT, DF(account_id), 0, 0, 0,
     "the account (cannot change); the caller must be allowed to create disputes there", 1},
    {"contract_id", J_I64, DI_CONTRACT, DF(contract_id), DF(has_contract), 0, 1,
     "a contract of the account (cannot change)"},
    {"breach_id", J_I64, DI_BREACH, DF(breach_id), DF(has_breach), 0, 1,
     "a breach of that contract (cannot change); its contract becomes contract_id"},
    {"title", J_STR, DI_TITLE, DF(title), 0, 0, 0, "1-200 characters", 1},
    {"counterpart", J_STR, DI_COUNTERPART, DF(counterpart), 0, 0, 1, "<= 200 characters"},
    {"amount_claimed", J_I64, DI_AMOUNT, DF(amount_claimed), 0, 0, 0,
     "minor units of currency, >= 0 (default 0)"},
    {"currency", J_STR, DI_CURRENCY, DF(currency), 0, 0, 0, "ISO 4217 code", 1},
    {"our_position", J_STR, DI_OUR, DF(our_position), 0, 0, 1, "<= 4000 characters"},
    {"their_position", J_STR, DI_THEIR, DF(their_position), 0, 0, 1, "<= 4000 characters"},
    {"arose_on", J_STR, DI_AROSE, DF(arose_on), 0, 0, 0,
     "YYYY-MM-DD, not in the future; limitation_on = arose_on + 3 years", 1},
    {"reported_to", J_I64, DI_REPORTED_TO, DF(reported_to), DF(has_reported_to), 0, 1,
     "a user who may read the account's disputes; default the caller's team manager (up the "
     "team tree)"},
    {"owner_id", J_I64, DI_OWNER, DF(owner_id), DF(has_owner), 0, 1,
     "a user who may read the account's disputes; default the account's owner"},
    {"started_on", J_STR, DI_STARTED, offsetof(struct dispute_in, started_on), 0, 0, 0,
     "POST: the negotiation's start, YYYY-MM-DD, not before arose_on (default today)"},
    {"version", J_I64, DI_VERSION, DF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

#define SF(f) offsetof(struct dispute_stage_in, v.f)
static const struct jfield escalate_spec[] = {
    {"stage", J_STR, DS_STAGE, SF(stage), 0, 0, 0,
     "the next stage: negotiation -> mediation -> arbitration -> litigation (anything else: "
     "409 naming stage)",
     1},
    {"started_on", J_STR, DS_STARTED, SF(started_on), 0, 0, 0,
     "YYYY-MM-DD, not before the current stage's start, not in the future (default today)"},
    {"deadline_on", J_STR, DS_DEADLINE, SF(deadline_on), 0, 0, 1,
     "the stage's deadline (an arbitration or appeal deadline), YYYY-MM-DD"},
    {"deadline_note", J_STR, DS_DEADLINE_NOTE, SF(deadline_note), 0, 0, 1, "<= 2000 characters"},
    {"forum", J_STR, DS_FORUM, SF(forum), 0, 0, 1,
     "the mediator, arbitration commission or court, <= 300 characters"},
    {"participants", J_STR, DS_PARTICIPANTS, SF(participants), 0, 0, 1,
     "lawyers and others, <= 2000 characters"},
    {0},
};

static const struct jfield stage_spec[] = {
    {"deadline_on", J_STR, DS_DEADLINE, SF(deadline_on), 0, 0, 1, "YYYY-MM-DD or null"},
    {"deadline_note", J_STR, DS_DEADLINE_NOTE, SF(deadline_note), 0, 0, 1, "<= 2000 characters"},
    {"forum", J_STR, DS_FORUM, SF(forum), 0, 0, 1, "<= 300 characters"},
    {"participants", J_STR, DS_PARTICIPANTS, SF(participants), 0, 0, 1, "<= 2000 characters"},
    {"cost", J_I64, DS_COST, SF(cost), 0, 0, 0, "minor units of the dispute's currency, >= 0"},
    {"note", J_STR, DS_NOTE, SF(note), 0, 0, 1, "<= 2000 characters"},
    {0},
};

#define CF(f) offsetof(struct dispute_close_in, f)
static const struct jfield close_spec[] = {
    {"outcome", J_STR, DC_OUTCOME, CF(outcome), 0, 0, 0,
     "settled | won | lost | withdrawn; won and lost only at arbitration or litigation (409 "
     "naming stage)",
     1},
    {"closed_on", J_STR, DC_CLOSED_ON, CF(closed_on), 0, 0, 0,
     "YYYY-MM-DD, not before the current stage's start, not in the future (default today)"},
    {"settled_amount", J_I64, DC_SETTLED, CF(settled_amount), 0, 0, 0,
     "settled only: minor units of the dispute's currency, >= 0"},
    {"note", J_STR, DC_NOTE, CF(note), 0, 0, 1, "the outcome, <= 2000 characters"},
    {0},
};

#define EF(f) offsetof(struct dispute_event_in, v.f)
static const struct jfield event_spec[] = {
    {"day", J_STR, DE_DAY, EF(day), 0, 0, 0, "YYYY-MM-DD (default today)"},
    {"kind", J_STR, DE_KIND, EF(kind), 0, 0, 0,
     "note | meeting | filing | hearing | offer | decision | payment", 1},
    {"text", J_STR, DE_TEXT, EF(text), 0, 0, 0, "1-2000 characters", 1},
    {"amount", J_I64, DE_AMOUNT, EF(amount), EF(has_amount), 0, 1,
     "minor units of the dispute's currency (an offer, a payment), or null"},
    {0},
};

/* ---- renderers ---- */

static void render_stage(struct jw *w, const struct dispute_stage *s)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", s->id);
    jw_ki64(w, "dispute_id", s->dispute_id);
    jw_kstr(w, "stage", s->stage);
    jw_kstr(w, "started_on", s->started_on);
    jw_kstr(w, "ended_on", s->ended_on);
    jw_kstr(w, "deadline_on", s->deadline_on);
    jw_kstr(w, "deadline_note", s->deadline_note);
    jw_kstr(w, "forum", s->forum);
    jw_kstr(w, "participants", s->participants);
    jw_ki64(w, "cost", s->cost);
    jw_kstr(w, "note", s->note);
    jw_ktime(w, "created_at", s->created_at);
    jw_ktime(w, "updated_at", s->updated_at);
    jw_obj_end(w);
}

static void render_dispute(struct jw *w, const struct dispute *x, const struct dispute_stage *ss,
                           size_t ns, int with_stages)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "account_id", x->account_id);
    jw_kstr(w, "account_name", x->account_name);
    jw_ki64n(w, "contract_id", x->contract_id, !x->has_contract);
    jw_kstr(w, "contract_number", x->contract_number);
    jw_ki64n(w, "breach_id", x->breach_id, !x->has_breach);
    jw_kstr(w, "title", x->title);
    jw_kstr(w, "counterpart", x->counterpart);
    jw_ki64(w, "amount_claimed", x->amount_claimed);
    jw_kstr(w, "currency", x->currency);
    jw_kstr(w, "our_position", x->our_position);
    jw_kstr(w, "their_position", x->their_position);
    jw_kstr(w, "arose_on", x->arose_on);
    jw_kstr(w, "limitation_on", x->limitation_on);
    jw_kstr(w, "stage", x->stage);
    jw_kstr(w, "outcome", x->outcome);
    jw_kstr(w, "outcome_note", x->outcome_note);
    jw_ki64n(w, "settled_amount", x->settled_amount, !x->has_settled);
    jw_kstr(w, "closed_on", x->closed_on);
    jw_ki64n(w, "reported_by", x->reported_by, !x->has_reported_by);
    jw_ki64n(w, "reported_to", x->reported_to, !x->has_reported_to);
    jw_ki64n(w, "owner_id", x->owner_id, !x->has_owner);
    jw_kstr(w, "stage_started_on", x->stage_started_on);
    jw_kstr(w, "deadline_on", x->deadline_on);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    if (with_stages) {
        jw_key(w, "stages");
        jw_arr_begin(w);
        for (size_t i = 0; i < ns; i++)
            render_stage(w, &ss[i]);
        jw_arr_end(w);
    }
    jw_obj_end(w);
}

/* The dispute with its stages. */
static enum kam_err write_full(struct api_call *c, const struct dispute *x)
{
    struct dispute_stage *ss;
    size_t ns;
    enum kam_err rc = dispute_stages_of(c->ctx, x->id, &ss, &ns);
    if (!rc)
        render_dispute(&c->w, x, ss, ns, 1);
    return rc;
}

static void render_event(struct jw *w, const struct dispute_event *e)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", e->id);
    jw_ki64(w, "dispute_id", e->dispute_id);
    jw_kstr(w, "day", e->day);
    jw_kstr(w, "kind", e->kind);
    jw_kstr(w, "text", e->text);
    jw_ki64n(w, "amount", e->amount, !e->has_amount);
    jw_ki64n(w, "created_by", e->created_by, !e->has_created_by);
    jw_ktime(w, "created_at", e->created_at);
    jw_obj_end(w);
}

static enum kam_err paging(struct api_call *c, int64_t *limit)
{
    enum kam_err rc = api_query_i64(c, "limit", 0, limit);
    if (!rc && http_query(c->req, "limit") && *limit == 0)
        rc = kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    return rc;
}

/* ---- handlers ---- */

static enum kam_err di_list(struct api_call *c)
{
    struct dispute_query q = {.stage = api_query_str(c, "stage"),
                              .q = api_query_str(c, "q"),
                              .sort = api_query_str(c, "sort"),
                              .cursor = api_query_str(c, "cursor")};
    int64_t open = 0;
    enum kam_err rc;
    if ((rc = paging(c, &q.limit)) || (rc = api_query_i64(c, "account_id", 0, &q.account_id)) ||
        (rc = api_query_i64(c, "contract_id", 0, &q.contract_id)) ||
        (rc = api_query_i64(c, "open", 0, &open)))
        return rc;
    if (open < 0 || open > 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "open", "open must be 0 or 1");
    q.open = (int)open;
    struct dispute *items;
    size_t n;
    const char *next;
    if ((rc = dispute_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_dispute(&c->w, &items[i], NULL, 0, 0);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err di_board(struct api_call *c)
{
    struct dispute_board_col cols[5];
    enum kam_err rc = dispute_board(c->ctx, cols);
    if (rc)
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_key(w, "stages");
    jw_arr_begin(w);
    for (int i = 0; i < 5; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "stage", cols[i].stage);
        jw_ki64(w, "count", cols[i].count);
        jw_key(w, "amounts");
        jw_arr_begin(w);
        for (size_t j = 0; j < cols[i].n_amounts; j++) {
            jw_obj_begin(w);
            jw_kstr(w, "currency", cols[i].amounts[j].currency);
            jw_ki64(w, "amount", cols[i].amounts[j].amount);
            jw_obj_end(w);
        }
        jw_arr_end(w);
        jw_kstr(w, "next_deadline", cols[i].next_deadline);
        jw_ki64n(w, "next_deadline_dispute_id", cols[i].next_deadline_dispute,
                 !cols[i].next_deadline);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err di_create(struct api_call *c)
{
    struct dispute_in in = {0};
    enum kam_err rc = api_decode(c, dispute_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & DI_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct dispute out;
    if ((rc = dispute_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    return write_full(c, &out);
}

static enum kam_err di_get(struct api_call *c)
{
    struct dispute out;
    enum kam_err rc = dispute_get(c->ctx, c->id[0], &out);
    return rc ? rc : write_full(c, &out);
}

static enum kam_err di_patch(struct api_call *c)
{
    struct dispute_in in = {0};
    enum kam_err rc = api_decode(c, dispute_spec, &in, &in.set);
    if (rc)
        return rc;
    struct dispute out;
    if ((rc = dispute_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    return write_full(c, &out);
}

static enum kam_err di_del(struct api_call *c)
{
    enum kam_err rc = dispute_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err di_escalate(struct api_call *c)
{
    struct dispute_stage_in in = {0};
    enum kam_err rc = api_decode(c, escalate_spec, &in, &in.set);
    if (rc)
        return rc;
    struct dispute out;
    if ((rc = dispute_escalate(c->ctx, c->id[0], &in, &out)))
        return rc;
    return write_full(c, &out);
}

static enum kam_err di_close(struct api_call *c)
{
    struct dispute_close_in in = {0};
    enum kam_err rc = api_decode(c, close_spec, &in, &in.set);
    if (rc)
        return rc;
    struct dispute out;
    if ((rc = dispute_close(c->ctx, c->id[0], &in, &out)))
        return rc;
    return write_full(c, &out);
}

static enum kam_err di_stage_patch(struct api_call *c)
{
    struct dispute_stage_in in = {0};
    enum kam_err rc = api_decode(c, stage_spec, &in, &in.set);
    if (rc)
        return rc;
    struct dispute_stage out;
    if ((rc = dispute_stage_update(c->ctx, c->id[0], c->id[1], &in, &out)))
        return rc;
    render_stage(&c->w, &out);
    return KAM_OK;
}

static enum kam_err di_event(struct api_call *c)
{
    struct dispute_event_in in = {0};
    enum kam_err rc = api_decode(c, event_spec, &in, &in.set);
    if (rc)
        return rc;
    struct dispute_event out;
    if ((rc = dispute_event_add(c->ctx, c->id[0], &in, &out)))
        return rc;
    c->status = 201;
    render_event(&c->w, &out);
    return KAM_OK;
}

static enum kam_err di_timeline(struct api_call *c)
{
    struct dispute_tl *t;
    size_t n;
    enum kam_err rc = dispute_timeline(c->ctx, c->id[0], &t, &n);
    if (rc)
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "dispute_id", c->id[0]);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        const struct dispute_tl *x = &t[i];
        int audit = !strcmp(x->kind, "audit");
        jw_obj_begin(w);
        jw_kstr(w, "kind", x->kind);
        jw_kstr(w, "day", x->day);
        jw_ktime_opt(w, "at", x->at, audit);
        jw_ki64(w, "ref_id", x->ref_id);
        jw_kstr(w, "stage", x->stage);
        jw_kstr(w, "event_kind", x->event_kind);
        jw_kstr(w, "text", x->text ? x->text : "");
        jw_ki64n(w, "amount", x->amount, !x->has_amount);
        jw_kstr(w, "entity", x->entity);
        jw_kstr(w, "action", x->action);
        jw_key(w, "changes");
        if (x->changes && *x->changes)
            jw_raw(w, x->changes, strlen(x->changes));
        else
            jw_null(w);
        jw_ki64n(w, "user_id", x->user_id, !x->has_user);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

/* Content-Disposition with an ASCII name: dispute-<id>-dossier.<ext>. */
static void disposition(struct api_call *c, const char *kind, const char *ext)
{
    http_resp_header(c->resp, "Content-Disposition",
                     arena_printf(c->ctx->a, "%s; filename=\"dispute-%lld-dossier.%s\"", kind,
                                  (long long)c->id[0], ext));
}

static enum kam_err di_dossier_html(struct api_call *c)
{
    struct dispute_dossier d;
    enum kam_err rc = dispute_dossier_load(c->ctx, c->id[0], &d);
    struct buf *b = &c->resp->body;
    buf_reset(b);
    if (rc || (rc = dispute_dossier_html(c->ctx, &d, b))) {
        buf_reset(b);
        return rc;
    }
    c->resp->content_type = "text/html; charset=utf-8";
    http_resp_header(c->resp, "Content-Security-Policy",
                     "default-src 'none'; style-src 'unsafe-inline'; font-src 'self' data:; "
                     "img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'");
    http_resp_header(c->resp, "Cache-Control", "no-store");
    disposition(c, "inline", "html");
    return KAM_OK;
}

static enum kam_err di_dossier_xlsx(struct api_call *c)
{
    struct dispute_dossier d;
    enum kam_err rc = dispute_dossier_load(c->ctx, c->id[0], &d);
    struct buf *b = &c->resp->body;
    buf_reset(b);
    if (rc || (rc = dispute_dossier_xlsx(c->ctx, &d, b))) {
        buf_reset(b);
        return rc;
    }
    c->resp->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    http_resp_header(c->resp, "Cache-Control", "no-store");
    disposition(c, "attachment", "xlsx");
    return KAM_OK;
}

static const char *const list_query[] = {"account_id", "contract_id", "stage",  "open", "q",
                                         "sort",       "limit",       "cursor", NULL};
/* Written once, before main, by init_queries(). */
static const char *export_query[API_EXPORT_QUERY_MAX];

#define EXPORT_DOC                                                                                 \
    " over all its pages, with its filters and sort, as a file: format=csv (default) or xlsx; "    \
    "columns=key[:label],...; lang=zh-CN|zh-TW|en; raw=1 keeps stored values"

const struct route api_routes_disputes[] = {
    {"GET", "/api/v1/disputes", di_list, OBJ_DISPUTE, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Disputes of the accounts the caller may read: account_id, contract_id, stage, open=1 (not "
     "closed), q (title or counterpart); sort id | arose_on | limitation_on (default -id); "
     "keyset paging",
     "[Dispute]"},
    {"GET", "/api/v1/disputes/export", api_list_export, OBJ_DISPUTE, ACT_READ, SCOPE_NONE, NULL,
     export_query, 200, "The disputes list" EXPORT_DOC, "csv"},
    {"GET", "/api/v1/disputes/board", di_board, OBJ_DISPUTE, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "The disputes board: per stage (the four of the ladder and closed) how many, the amount "
     "claimed by currency, and the next deadline of the current stages (today or later)",
     "DisputeBoard"},
    {"POST", "/api/v1/disputes", di_create, OBJ_DISPUTE, ACT_CREATE, SCOPE_NONE, dispute_spec, NULL,
     201,
     "Report a dispute: it starts at negotiation; limitation_on = arose_on + 3 years; "
     "reported_by the caller, reported_to their reporting line unless named, owner the "
     "account's owner unless named",
     "Dispute"},
    {"GET", "/api/v1/disputes/:id", di_get, OBJ_DISPUTE, ACT_READ, SCOPE_DISPUTE, NULL, NULL, 200,
     "One dispute with its stages", "Dispute"},
    {"PATCH", "/api/v1/disputes/:id", di_patch, OBJ_DISPUTE, ACT_UPDATE, SCOPE_DISPUTE,
     dispute_spec, NULL, 200,
     "Change a dispute's title, counterpart, amount, positions, arose_on (limitation "
     "recomputed), reported_to, owner (not its account, contract, breach or stage)",
     "Dispute"},
    {"DELETE", "/api/v1/disputes/:id", di_del, OBJ_DISPUTE, ACT_DELETE, SCOPE_DISPUTE, NULL, NULL,
     204,
     "Delete a dispute with its stages and events (409 dispute.has_lessons while a lesson "
     "links it)",
     "-"},
    {"POST", "/api/v1/disputes/:id/escalate", di_escalate, OBJ_DISPUTE, ACT_UPDATE, SCOPE_DISPUTE,
     escalate_spec, NULL, 200,
     "Escalate one step (negotiation -> mediation -> arbitration -> litigation): the current "
     "stage ends on started_on; skipping, going back, the same stage, closed: 409 naming stage",
     "Dispute"},
    {"POST", "/api/v1/disputes/:id/close", di_close, OBJ_DISPUTE, ACT_UPDATE, SCOPE_DISPUTE,
     close_spec, NULL, 200,
     "Close from any open stage with its outcome (won and lost only at arbitration or "
     "litigation); a closed dispute is not reopened (409 naming stage)",
     "Dispute"},
    {"PATCH", "/api/v1/disputes/:id/stages/:sid", di_stage_patch, OBJ_DISPUTE, ACT_UPDATE,
     SCOPE_DISPUTE, stage_spec, NULL, 200,
     "Change a stage's deadline, forum, participants, cost or note", "DisputeStage"},
    {"POST", "/api/v1/disputes/:id/events", di_event, OBJ_DISPUTE, ACT_UPDATE, SCOPE_DISPUTE,
     event_spec, NULL, 201, "Add an event (meeting, filing, hearing, offer, ...) to the timeline",
     "DisputeEvent"},
    {"GET", "/api/v1/disputes/:id/timeline", di_timeline, OBJ_DISPUTE, ACT_READ, SCOPE_DISPUTE,
     NULL, NULL, 200,
     "Stages (started, ended), events and the audit rows of the dispute, its stages and events, "
     "by day (what happened before the log of recording it)",
     "DisputeTimeline"},
    {"GET", "/api/v1/disputes/:id/dossier.html", di_dossier_html, OBJ_DISPUTE, ACT_READ,
     SCOPE_DISPUTE, NULL, NULL, 200,
     "The dossier as a printable A4 page: the dispute, stages, events, contract and obligations, "
     "the breach and its evidence, the audit trail with the hash-chain verification",
     "html"},
    {"GET", "/api/v1/disputes/:id/dossier.xlsx", di_dossier_xlsx, OBJ_DISPUTE, ACT_READ,
     SCOPE_DISPUTE, NULL, NULL, 200,
     "The dossier as a workbook: sheets Dispute, Stages, Events, Contract, Breach, Audit", "xlsx"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/disputes/export", export_query);
}
