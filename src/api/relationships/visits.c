/* visits.c -- /api/v1/visits, /api/v1/accounts/:id/visits, the calendar token and feed. */
#include <stddef.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/relationships/visit.h"

#define VF(f) offsetof(struct visit_in, v.f)

static const struct jfield spec[] = {
    {"contact_id", J_I64, VIS_CONTACT, VF(contact_id), VF(has_contact), 0, 1,
     "a contact of the account, or null"},
    {"owner_id", J_I64, VIS_OWNER, VF(owner_id), 0, 0, 0, "who visits (default: you)"},
    {"kind", J_STR, VIS_KIND, VF(kind), 0, 0, 0, "phone | onsite"},
    {"planned_at", J_STR, VIS_PLANNED, offsetof(struct visit_in, planned_at_iso), 0, 0, 0,
     "YYYY-MM-DDTHH:MM:SSZ", 1},
    {"status", J_STR, VIS_STATUS, VF(status), 0, 0, 0, "PATCH: cancelled (or planned)"},
    {"version", J_I64, VIS_VERSION, VF(version), 0, 0, 0, "PATCH: the version you read"},
    {"duration_min", J_I64, VIS_DURATION, VF(duration_min), VF(has_duration), 0, 1,
     "minutes, 1..1440, or null"},
    {"place", J_STR, VIS_PLACE, VF(place), 0, 0, 0, "where, <= 200 characters"},
    {"purpose", J_STR, VIS_PURPOSE, VF(purpose), 0, 0, 0, "what for, <= 2000 characters"},
    {"checkin_lat", J_F64, VIS_LAT, offsetof(struct visit_in, lat), 0, 0, 0,
     "check-in (外勤签到) latitude, -90..90; with checkin_lon; the server stamps the time"},
    {"checkin_lon", J_F64, VIS_LON, offsetof(struct visit_in, lon), 0, 0, 0,
     "check-in longitude, -180..180"},
    {"checkin_accuracy_m", J_F64, VIS_ACCURACY, offsetof(struct visit_in, accuracy), 0, 0, 0,
     "check-in accuracy in metres as the device reports it, 0..100000 (optional)"},
    {0},
};

const struct api_shape api_shapes_visits[] = {
    {"Visit", "id:int account_id:int account_name:str contact_id:int? contact_name:str? "
              "owner_id:int kind:str(phone|onsite) planned_at:ts "
              "status:str(planned|done|cancelled) outcome:str next_steps:str completed_at:ts? "
              "interaction_id:int? cadence_id:int? overdue:bool version:int created_at:ts "
              "updated_at:ts duration_min:int? place:str purpose:str checkin_lat:num? "
              "checkin_lon:num? checkin_accuracy_m:int? checkin_at:ts? "
              "learnings?:{how_used:str works:str fails:str}"},
    {"CalendarToken", "active:bool created_at:ts?"},
    {"CalendarUrl", "url:str"},
    {NULL, NULL},
};

static void render(struct api_call *c, const struct visit *v)
{
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "id", v->id);
    jw_ki64(w, "account_id", v->account_id);
    jw_kstr(w, "account_name", v->account_name);
    jw_ki64n(w, "contact_id", v->contact_id, !v->has_contact);
    jw_kstr(w, "contact_name", v->contact_name);
    jw_ki64(w, "owner_id", v->owner_id);
    jw_kstr(w, "kind", v->kind);
    jw_ktime(w, "planned_at", v->planned_at);
    jw_kstr(w, "status", v->status);
    jw_kstr(w, "outcome", v->outcome);
    jw_kstr(w, "next_steps", v->next_steps);
    jw_ktime_opt(w, "completed_at", v->completed_at, v->has_completed);
    jw_ki64n(w, "interaction_id", v->interaction_id, !v->has_interaction);
    jw_ki64n(w, "cadence_id", v->cadence_id, !v->has_cadence);
    jw_kbool(w, "overdue", !strcmp(v->status, "planned") && v->planned_at < c->ctx->now);
    jw_ki64(w, "version", v->version);
    jw_ktime(w, "created_at", v->created_at);
    jw_ktime(w, "updated_at", v->updated_at);
    jw_ki64n(w, "duration_min", v->duration_min, !v->has_duration);
    jw_kstr(w, "place", v->place);
    jw_kstr(w, "purpose", v->purpose);
    if (v->has_checkin) {
        jw_kfixed(w, "checkin_lat", v->lat_e6, 6);
        jw_kfixed(w, "checkin_lon", v->lon_e6, 6);
    } else {
        jw_key(w, "checkin_lat");
        jw_null(w);
        jw_key(w, "checkin_lon");
        jw_null(w);
    }
    jw_ki64n(w, "checkin_accuracy_m", v->accuracy_m, !v->has_accuracy);
    jw_ktime_opt(w, "checkin_at", v->checkin_at, v->has_checkin);
    if (v->has_learnings) {
        jw_key(w, "learnings");
        jw_obj_begin(w);
        jw_kstr(w, "how_used", v->learn_how_used);
        jw_kstr(w, "works", v->learn_works);
        jw_kstr(w, "fails", v->learn_fails);
        jw_obj_end(w);
    }
    jw_obj_end(w);
}

static enum kam_err list(struct api_call *c)
{
    struct visit_query q = {0};
    q.status = api_query_str(c, "status");
    q.from = api_query_str(c, "from");
    q.to = api_query_str(c, "to");
    q.cursor = api_query_str(c, "cursor");
    int64_t overdue = 0;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) ||
        (rc = api_query_user(c, "owner_id", &q.owner_id)) ||
        (rc = api_query_i64(c, "account_id", 0, &q.account_id)) ||
        (rc = api_query_i64(c, "overdue", 0, &overdue)))
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    if (overdue != 0 && overdue != 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "overdue", "overdue must be 0 or 1");
    q.overdue = (int)overdue;
    struct visit *items;
    size_t n;
    const char *next;
    if ((rc = visit_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render(c, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err create(struct api_call *c)
{
    struct visit_in in = {0};
    enum kam_err rc = api_decode(c, spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & (VIS_VERSION | VIS_STATUS))
        return kam_fail(c->ctx->err, KAM_EINVAL, in.set & VIS_VERSION ? "version" : "status",
                        "set by the server");
    in.v.account_id = c->id[0];
    struct visit out;
    if ((rc = visit_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render(c, &out);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct visit out;
    enum kam_err rc = visit_get(c->ctx, c->id[0], &out);
    if (!rc)
        render(c, &out);
    return rc;
}

static enum kam_err patch(struct api_call *c)
{
    struct visit_in in = {0};
    enum kam_err rc = api_decode(c, spec, &in, &in.set);
    if (rc)
        return rc;
    struct visit out;
    if ((rc = visit_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render(c, &out);
    return KAM_OK;
}

/* The completion's body: the visit_done fields (offsets from 0) and the learnings object. */
struct done_body {
    struct visit_done d;
    const char *how_used, *works, *fails;
    const char *new_needs[API_MAX_IDS];
    int n_new_needs, has_new_needs, has_learnings;
    unsigned learn_set;
};

#define DB(f) offsetof(struct done_body, f)

static const struct jfield learnings_spec[] = {
    {"how_used", J_STR, 1, DB(how_used), 0, 0, 0,
     "how the customer uses our products or service, <= 4000"},
    {"works", J_STR, 2, DB(works), 0, 0, 0, "what works for them, <= 4000"},
    {"fails", J_STR, 4, DB(fails), 0, 0, 0, "what does not, <= 4000"},
    {"new_needs", J_STRS, 8, DB(new_needs), DB(n_new_needs), DB(has_new_needs), 0,
     "new needs heard, each 1-2000 characters (not only spaces), at most 10: each becomes a "
     "need (source visit); needs the need create permission on the account",
     0, NULL, LEARNING_NEW_NEEDS_MAX},
    {0},
};

static const struct jfield done_spec[] = {
    {"outcome", J_STR, 1, offsetof(struct visit_done, outcome), 0, 0, 0, "what came of it", 1},
    {"next_steps", J_STR, 2, offsetof(struct visit_done, next_steps), 0, 0, 0, "<= 4000"},
    {"occurred_at", J_STR, 4, offsetof(struct visit_done, occurred_at_iso), 0, 0, 0,
     "YYYY-MM-DDTHH:MM:SSZ (default now)"},
    {"contact_ids", J_IDS, 8, offsetof(struct visit_done, contact_ids),
     offsetof(struct visit_done, ncontacts), offsetof(struct visit_done, has_contacts), 0,
     "who took part (default: the visit's contact)"},
    {"duration_min", J_I64, 16, offsetof(struct visit_done, details.v.duration_min),
     offsetof(struct visit_done, details.v.has_duration), 0, 1, "minutes, 1..1440, or null"},
    {"place", J_STR, 32, offsetof(struct visit_done, details.v.place), 0, 0, 0,
     "where, <= 200 characters"},
    {"purpose", J_STR, 64, offsetof(struct visit_done, details.v.purpose), 0, 0, 0,
     "what for, <= 2000 characters"},
    {"learnings", J_OBJ, 128, DB(learn_set), DB(has_learnings), 0, 1,
     "what the revisit learned (F2.7), or null", 0, learnings_spec},
    {0},
};

static enum kam_err complete(struct api_call *c)
{
    struct done_body *body = arena_calloc(c->ctx->a, 1, sizeof *body);
    struct visit_done *in = &body->d;
    unsigned set = 0;
    enum kam_err rc = api_decode(c, done_spec, body, &set);
    if (rc)
        return rc;
    struct visit_learnings learn = {body->how_used, body->works, body->fails, body->new_needs,
                                    (size_t)body->n_new_needs};
    if (body->has_learnings)
        in->learnings = &learn;
    if (!(set & 1))
        return kam_fail(c->ctx->err, KAM_EINVAL, "outcome", "outcome is required");
    if (!in->next_steps)
        in->next_steps = "";
    in->details.set =
        (set & 16 ? VIS_DURATION : 0) | (set & 32 ? VIS_PLACE : 0) | (set & 64 ? VIS_PURPOSE : 0);
    struct visit out;
    if ((rc = visit_complete(c->ctx, c->id[0], in, &out)))
        return rc;
    render(c, &out);
    return KAM_OK;
}

static enum kam_err cal_new(struct api_call *c)
{
    const char *url;
    enum kam_err rc = calendar_token_new(c->ctx, &url);
    if (rc)
        return rc;
    c->status = 201;
    jw_obj_begin(&c->w);
    jw_kstr(&c->w, "url", url);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err cal_state(struct api_call *c)
{
    int active = 0;
    int64_t created = 0;
    enum kam_err rc = calendar_token_state(c->ctx, &active, &created);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    jw_kbool(&c->w, "active", active);
    jw_ktime_opt(&c->w, "created_at", created, active);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err cal_revoke(struct api_call *c)
{
    enum kam_err rc = calendar_token_revoke(c->ctx);
    if (!rc)
        c->status = 204;
    return rc;
}

/* GET /calendar/<token>.ics: the token is the credential; no session. */
static enum kam_err feed(struct api_call *c)
{
    const char *name = strrchr(c->req->path, '/') + 1;
    size_t n = strlen(name);
    if (n < 5 || n > 120 || strcmp(name + n - 4, ".ics") != 0)
        return kam_fail(c->ctx->err, KAM_ENOTFOUND, "token", "no such calendar");
    const char *token = arena_strndup(c->ctx->a, name, n - 4);
    struct buf *b = &c->resp->body;
    enum kam_err rc = calendar_feed(c->ctx, token, b);
    if (rc) {
        buf_reset(b);
        return rc;
    }
    c->resp->content_type = "text/calendar; charset=utf-8";
    http_resp_header(c->resp, "Cache-Control", "private, max-age=300");
    return KAM_OK;
}

static const char *const list_query[] = {"owner_id", "account_id", "status", "from", "to",
                                         "overdue",  "limit",      "cursor", NULL};

const struct route api_routes_visits[] = {
    {"GET", "/api/v1/visits", list, OBJ_VISIT, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Visits of the accounts in the caller's scope, by planned time", "[Visit]"},
    {"POST", "/api/v1/accounts/:id/visits", create, OBJ_VISIT, ACT_CREATE, SCOPE_ACCOUNT, spec,
     NULL, 201, "Plan a visit", "Visit"},
    {"GET", "/api/v1/visits/:id", get, OBJ_VISIT, ACT_READ, SCOPE_VISIT, NULL, NULL, 200,
     "One visit", "Visit"},
    {"PATCH", "/api/v1/visits/:id", patch, OBJ_VISIT, ACT_UPDATE, SCOPE_VISIT, spec, NULL, 200,
     "Reschedule, reassign or cancel a planned visit; set its details or check in (外勤签到: the "
     "owner only, on an on-site visit, once; 403 visit.checkin_owner, 409 visit.checkin_planned, "
     "visit.checkin_onsite, visit.checkin_twice)",
     "Visit"},
    {"POST", "/api/v1/visits/:id/complete", complete, OBJ_VISIT, ACT_UPDATE, SCOPE_VISIT, done_spec,
     NULL, 200, "Complete a visit with its outcome (logs an interaction)", "Visit"},
    {"GET", "/api/v1/calendar-token", cal_state, OBJ_SELF, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "Whether one has a calendar feed, and since when", "CalendarToken"},
    {"POST", "/api/v1/calendar-token", cal_new, OBJ_SELF, ACT_CREATE, SCOPE_NONE, NULL, NULL, 201,
     "A private iCalendar feed URL of one's planned visits (replaces the old one)", "CalendarUrl"},
    {"DELETE", "/api/v1/calendar-token", cal_revoke, OBJ_SELF, ACT_DELETE, SCOPE_NONE, NULL, NULL,
     204, "Revoke one's calendar feed URL", "-"},
    {"GET", "/calendar/*", feed, OBJ_PUBLIC, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "The iCalendar feed (text/calendar) of the URL's token", "ics"},
    {0},
};
