/* home.c -- the role homes: an account manager's agenda, a lead's or director's team figures (issue
 * 12). */
#include "svc/core/home.h"
#include "svc/core/msg.h"
#include <stdio.h>

#include "api.h"
#include "internal.h"

const struct api_shape api_shapes_home[] = {
    {"HomeVisit",
     "id:int account_id:int account_name:str contact_id:int? contact_name:str? "
     "kind:str(phone|onsite) status:str(planned|done|cancelled) planned_at:ts purpose:str "
     "place:str"},
    {"HomeCare", "id:int account_id:int account_name:str contact_id:int contact_name:str "
                 "occasion_kind:str occasion_name:str occasion_date:date status:str"},
    {"HomeIssue", "id:int account_id:int account_name:str title:str severity:str "
                  "status:str(open|in_progress) response_due_at:ts resolution_due_at:ts "
                  "first_response_at:ts? escalated:bool"},
    {"HomeAgenda", "date:date day_start:ts day_end:ts now:ts visits:[HomeVisit] care:[HomeCare] "
                   "follow_ups:[HomeIssue] overdue_visits:[HomeVisit] overdue_issues:[HomeIssue] "
                   "overdue_care:[HomeCare] truncated:[str] sections:[str]"},
    {"HomePerson",
     "user_id:int? name:str login:str role:str team_id:int? team_name:str? accounts:int "
     "actual:num target:num? attainment_pct:num? projection_pct:num? "
     "status:str(on_track|at_risk|off_track|no_target) overdue_visits:int open_issues:int "
     "overdue_issues:int stale_accounts:int"},
    {"HomeAlert", "id:int user_id:int user_name:str kind:str title:str body:str link:str "
                  "created_at:ts read:bool key:str params:obj"},
    {"HomeTeamRef", "id:int name:str"},
    {"HomeTeam",
     "period:str from:str to:str days:int elapsed:int team_id:int? teams:[HomeTeamRef] "
     "stale_days:int measure:str(amount|quantity) unit:str plan_id:int? plan_name:str? "
     "people:[HomePerson] truncated:bool totals:HomePerson alerts:[HomeAlert] sections:[str]"},
    {NULL, NULL},
};

static void render_visits(struct jw *w, const char *k, const struct home_list_visits *l)
{
    jw_key(w, k);
    jw_arr_begin(w);
    for (size_t i = 0; i < l->n; i++) {
        const struct home_visit *v = &l->items[i];
        jw_obj_begin(w);
        jw_ki64(w, "id", v->id);
        jw_ki64(w, "account_id", v->account_id);
        jw_kstr(w, "account_name", v->account_name);
        jw_ki64n(w, "contact_id", v->contact_id, !v->has_contact);
        jw_kstr(w, "contact_name", v->contact_name);
        jw_kstr(w, "kind", v->kind);
        jw_kstr(w, "status", v->status);
        jw_ktime(w, "planned_at", v->planned_at);
        jw_kstr(w, "purpose", v->purpose);
        jw_kstr(w, "place", v->place);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

/* occasion_name: a festival's or a birthday's in the request's language (msg_occasion_name). */
static void render_care(struct jw *w, enum msg_lang lang, const char *k,
                        const struct home_list_care *l)
{
    jw_key(w, k);
    jw_arr_begin(w);
    for (size_t i = 0; i < l->n; i++) {
        const struct home_care *r = &l->items[i];
        jw_obj_begin(w);
        jw_ki64(w, "id", r->id);
        jw_ki64(w, "account_id", r->account_id);
        jw_kstr(w, "account_name", r->account_name);
        jw_ki64(w, "contact_id", r->contact_id);
        jw_kstr(w, "contact_name", r->contact_name);
        jw_kstr(w, "occasion_kind", r->occasion_kind);
        jw_kstr(w, "occasion_name", msg_occasion_name(lang, r->occasion_key, r->occasion_name));
        jw_kstr(w, "occasion_date", r->occasion_date);
        jw_kstr(w, "status", r->status);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void render_issues(struct jw *w, const char *k, const struct home_list_issues *l)
{
    jw_key(w, k);
    jw_arr_begin(w);
    for (size_t i = 0; i < l->n; i++) {
        const struct home_issue *x = &l->items[i];
        jw_obj_begin(w);
        jw_ki64(w, "id", x->id);
        jw_ki64(w, "account_id", x->account_id);
        jw_kstr(w, "account_name", x->account_name);
        jw_kstr(w, "title", x->title);
        jw_kstr(w, "severity", x->severity);
        jw_kstr(w, "status", x->status);
        jw_ktime(w, "response_due_at", x->response_due_at);
        jw_ktime(w, "resolution_due_at", x->resolution_due_at);
        jw_ktime_opt(w, "first_response_at", x->first_response_at, x->has_first_response);
        jw_kbool(w, "escalated", x->escalated);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static enum kam_err agenda(struct api_call *c)
{
    struct home_agenda a;
    enum kam_err rc = home_agenda(c->ctx, api_query_str(c, "date"), &a);
    if (rc)
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_kstr(w, "date", a.date);
    jw_ktime(w, "day_start", a.day_start);
    jw_ktime(w, "day_end", a.day_end);
    jw_ktime(w, "now", c->ctx->now);
    render_visits(w, "visits", &a.visits);
    enum msg_lang lang = msg_lang_parse(c->req->header(c->req, "Accept-Language"));
    render_care(w, lang, "care", &a.care);
    render_issues(w, "follow_ups", &a.follow_ups);
    render_visits(w, "overdue_visits", &a.overdue_visits);
    render_issues(w, "overdue_issues", &a.overdue_issues);
    render_care(w, lang, "overdue_care", &a.overdue_care);
    jw_key(w, "truncated");
    jw_arr_begin(w);
    const struct {
        const char *name;
        int more;
    } more[] = {{"visits", a.visits.more},
                {"care", a.care.more},
                {"follow_ups", a.follow_ups.more},
                {"overdue_visits", a.overdue_visits.more},
                {"overdue_issues", a.overdue_issues.more},
                {"overdue_care", a.overdue_care.more}};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        if (more[i].more)
            jw_str(w, more[i].name);
    jw_arr_end(w);
    jw_key(w, "sections");
    jw_arr_begin(w);
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        jw_str(w, more[i].name);
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static void render_person(struct jw *w, const struct home_person *p, int quantity, int total)
{
    int dec = quantity ? 3 : 2;
    jw_obj_begin(w);
    jw_ki64n(w, "user_id", p->user_id, total);
    jw_kstr(w, "name", p->name);
    jw_kstr(w, "login", p->login);
    jw_kstr(w, "role", p->role);
    jw_ki64n(w, "team_id", p->team_id, !p->has_team);
    jw_kstr(w, "team_name", p->team_name);
    jw_ki64(w, "accounts", p->accounts);
    jw_kfixed(w, "actual", p->actual, dec);
    if (p->has_target)
        jw_kfixed(w, "target", p->target, 0);
    else {
        jw_key(w, "target");
        jw_null(w);
    }
    jw_key(w, "attainment_pct");
    if (p->has_target)
        jw_double(w, p->attainment_pct);
    else
        jw_null(w);
    jw_key(w, "projection_pct");
    if (p->has_target)
        jw_double(w, p->projection_pct);
    else
        jw_null(w);
    jw_kstr(w, "status", p->status);
    jw_ki64(w, "overdue_visits", p->overdue_visits);
    jw_ki64(w, "open_issues", p->open_issues);
    jw_ki64(w, "overdue_issues", p->overdue_issues);
    jw_ki64(w, "stale_accounts", p->stale_accounts);
    jw_obj_end(w);
}

static enum kam_err team(struct api_call *c)
{
    int64_t team_id = 0, stale = 30;
    enum kam_err rc;
    if ((rc = api_query_i64(c, "team_id", 0, &team_id)) ||
        (rc = api_query_i64(c, "stale_days", 30, &stale)))
        return rc;
    if (team_id < 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "team_id", "team_id must be a team id");
    struct home_team t;
    if ((rc = home_team(c->ctx, team_id, api_query_str(c, "period"), stale, &t)))
        return rc;
    struct jw *w = &c->w;
    enum msg_lang lang = msg_lang_parse(c->req->header(c->req, "Accept-Language"));
    char ym[16];
    jw_obj_begin(w);
    jw_kstr(w, "period", t.period);
    snprintf(ym, sizeof ym, "%04d-%02d", t.from / 100, t.from % 100);
    jw_kstr(w, "from", ym);
    snprintf(ym, sizeof ym, "%04d-%02d", t.to / 100, t.to % 100);
    jw_kstr(w, "to", ym);
    jw_ki64(w, "days", t.days);
    jw_ki64(w, "elapsed", t.elapsed);
    jw_ki64n(w, "team_id", t.team_id, t.team_id == 0);
    jw_key(w, "teams");
    jw_arr_begin(w);
    for (size_t i = 0; i < t.n_teams; i++) {
        jw_obj_begin(w);
        jw_ki64(w, "id", t.teams[i].id);
        jw_kstr(w, "name", t.teams[i].name);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ki64(w, "stale_days", t.stale_days);
    jw_kstr(w, "measure", t.quantity ? "quantity" : "amount");
    jw_kstr(w, "unit", t.unit ? t.unit : "");
    jw_ki64n(w, "plan_id", t.plan_id, t.plan_id == 0);
    jw_kstr(w, "plan_name", t.plan_name);
    jw_key(w, "people");
    jw_arr_begin(w);
    for (size_t i = 0; i < t.n_people; i++)
        render_person(w, &t.people[i], t.quantity, 0);
    jw_arr_end(w);
    jw_kbool(w, "truncated", t.truncated);
    jw_key(w, "totals");
    render_person(w, &t.totals, t.quantity, 1);
    jw_key(w, "alerts");
    jw_arr_begin(w);
    for (size_t i = 0; i < t.n_alerts; i++) {
        const struct home_alert *x = &t.alerts[i];
        jw_obj_begin(w);
        jw_ki64(w, "id", x->id);
        jw_ki64(w, "user_id", x->user_id);
        jw_kstr(w, "user_name", x->user_name);
        jw_kstr(w, "kind", x->kind);
        char title[400];
        int rendered = *x->msg_key &&
                       msg_render(lang, x->msg_key, x->params, x->nparams, title, sizeof title) > 0;
        jw_kstr(w, "title", rendered ? title : x->title);
        jw_kstr(w, "body", x->body);
        jw_kstr(w, "link", x->link);
        jw_ktime(w, "created_at", x->created_at);
        jw_kbool(w, "read", x->read);
        jw_kstr(w, "key", x->msg_key);
        jw_key(w, "params");
        jw_obj_begin(w);
        for (size_t k = 0; k < x->nparams; k++)
            jw_kstr(w, x->params[k].name, x->params[k].value);
        jw_obj_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    /* The sections present; a later chapter adds its own ("pipeline") beside them, so clients
     * show what they know and ignore the rest. */
    jw_key(w, "sections");
    jw_arr_begin(w);
    if (t.targets) /* plan, targets and attainment: for readers of targets (policy) */
        jw_str(w, "attainment");
    jw_str(w, "actual");
    jw_str(w, "visits");
    jw_str(w, "issues");
    jw_str(w, "stale_accounts");
    jw_str(w, "alerts");
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static const char *const agenda_query[] = {"date", NULL};
static const char *const team_query[] = {"team_id", "period", "stale_days", NULL};

const struct route api_routes_home[] = {
    {"GET", "/api/v1/home/agenda", agenda, OBJ_SELF, ACT_READ, SCOPE_NONE, NULL, agenda_query, 200,
     "The caller's day (date: YYYY-MM-DD, default today in China time): visits of the day, care "
     "reminders due that day and the six after, follow-ups (own open issues with a deadline in "
     "48 hours) and what is overdue; at most 50 items per list",
     "HomeAgenda"},
    {"GET", "/api/v1/home/team", team, OBJ_ACCOUNT, ACT_READ, SCOPE_NONE, NULL, team_query, 200,
     "Figures per person for period (YYYY, YYYY-Qn, YYYY-MM; default this year): attainment "
     "against the year's approved plan split by account (per account owner), overdue visits, "
     "open and overdue issues (by assignee), accounts without an interaction for stale_days "
     "(default 30), recent KPI and escalation alerts. Org-wide readers: any team_id or "
     "everyone; others: the people of their scope (a lead's teams; an account manager sees "
     "only themselves), another team_id is 403, and a team's people outside the caller's scope "
     "are not listed. A role without a grant on targets (service) gets no plan, targets, "
     "attainment or KPI alerts (sections without \"attainment\"), the actual alone",
     "HomeTeam"},
    {0},
};
