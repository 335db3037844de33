/* contacts.c -- /api/v1/accounts/:id/contacts and /api/v1/contacts/:id. */
#include <stddef.h>

#include "api/core/internal.h"
#include "svc/relationships/contact.h"

#define CF(f) offsetof(struct contact_in, v.f)

static const struct jfield contact_spec[] = {
    {"name", J_STR, CON_NAME, CF(name), 0, 0, 0, "1-100 characters", 1},
    {"title", J_STR, CON_TITLE, CF(title), 0, 0, 0, "job title, <= 100"},
    {"department", J_STR, CON_DEPARTMENT, CF(department), 0, 0, 0, "<= 100"},
    {"decision_role", J_STR, CON_DECISION_ROLE, CF(decision_role), 0, 0, 0,
     "decision_maker | influencer | user | gatekeeper | champion | other"},
    {"influence", J_I64, CON_INFLUENCE, CF(influence), 0, 0, 0, "1-5"},
    {"attitude", J_I64, CON_ATTITUDE, CF(attitude), 0, 0, 0, "-2 (opposed) .. +2 (supporter)"},
    {"reports_to_id", J_I64, CON_REPORTS_TO, CF(reports_to_id), CF(has_reports_to), 0, 1,
     "a contact of the same account, or null"},
    {"phone", J_STR, CON_PHONE, CF(phone), 0, 0, 0, "<= 40"},
    {"email", J_STR, CON_EMAIL, CF(email), 0, 0, 0, "e-mail address or empty"},
    {"birthday", J_STR, CON_BIRTHDAY, CF(birthday), 0, 0, 1, "YYYY-MM-DD or null"},
    {"notes", J_STR, CON_NOTES, CF(notes), 0, 0, 0, "<= 2000"},
    {"version", J_I64, CON_VERSION, CF(version), 0, 0, 0,
     "PATCH only: the version you read (stale -> 409)"},
    {0},
};

#define CONTACT_FIELDS                                                                             \
    "id:int account_id:int name:str title:str department:str "                                     \
    "decision_role:str(decision_maker|influencer|user|gatekeeper|champion|other) influence:int "   \
    "attitude:int reports_to_id:int? phone:str email:str birthday:date? last_contacted_at:ts? "    \
    "notes:str stale:bool version:int created_at:ts updated_at:ts"

const struct api_shape api_shapes_contacts[] = {
    {"Contact", CONTACT_FIELDS},
    /* GET /stale-contacts adds the account and how long since the last contact */
    {"StaleContact", CONTACT_FIELDS " account_name:str tier:str(strategic|key|growth|maintain) "
                                    "days_since:int?"},
    {NULL, NULL},
};

void render_contact(struct jw *w, const struct contact *c)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", c->id);
    jw_ki64(w, "account_id", c->account_id);
    jw_kstr(w, "name", c->name);
    jw_kstr(w, "title", c->title);
    jw_kstr(w, "department", c->department);
    jw_kstr(w, "decision_role", c->decision_role);
    jw_ki64(w, "influence", c->influence);
    jw_ki64(w, "attitude", c->attitude);
    jw_ki64n(w, "reports_to_id", c->reports_to_id, !c->has_reports_to);
    jw_kstr(w, "phone", c->phone);
    jw_kstr(w, "email", c->email);
    jw_kstr(w, "birthday", c->birthday);
    jw_ktime(w, "last_contacted_at", c->has_last_contacted ? c->last_contacted_at : -1);
    jw_kstr(w, "notes", c->notes);
    jw_kbool(w, "stale", c->stale);
    jw_ki64(w, "version", c->version);
    jw_ktime(w, "created_at", c->created_at);
    jw_ktime(w, "updated_at", c->updated_at);
    if (c->account_name) {
        jw_kstr(w, "account_name", c->account_name);
        jw_kstr(w, "tier", c->tier);
        jw_ki64n(w, "days_since", c->days_since, c->days_since < 0);
    }
    jw_obj_end(w);
}

void jw_ktime_opt(struct jw *w, const char *k, int64_t t, int has)
{
    jw_ktime(w, k, has ? t : -1);
}

static enum kam_err list(struct api_call *c)
{
    struct contact_query q = {.account_id = c->id[0]};
    q.q = api_query_str(c, "q");
    q.decision_role = api_query_str(c, "decision_role");
    q.sort = api_query_str(c, "sort");
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc = api_query_i64(c, "limit", 0, &q.limit);
    if (rc)
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    struct contact *items;
    size_t n;
    const char *next;
    if ((rc = contact_list(c->ctx, &q, &items, &n, &next)) ||
        (rc = contact_mark_stale(c->ctx, items, n)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_contact(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err create(struct api_call *c)
{
    struct contact_in in = {0};
    enum kam_err rc = api_decode(c, contact_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & CON_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct contact out;
    if ((rc = contact_create(c->ctx, c->id[0], &in, &out)) ||
        (rc = contact_mark_stale(c->ctx, &out, 1)))
        return rc;
    c->status = 201;
    render_contact(&c->w, &out);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct contact out;
    enum kam_err rc = contact_get(c->ctx, c->id[0], &out);
    if (!rc)
        rc = contact_mark_stale(c->ctx, &out, 1);
    if (!rc)
        render_contact(&c->w, &out);
    return rc;
}

static enum kam_err patch(struct api_call *c)
{
    struct contact_in in = {0};
    enum kam_err rc = api_decode(c, contact_spec, &in, &in.set);
    if (rc)
        return rc;
    struct contact out;
    if ((rc = contact_update(c->ctx, c->id[0], &in, &out)) ||
        (rc = contact_mark_stale(c->ctx, &out, 1)))
        return rc;
    render_contact(&c->w, &out);
    return KAM_OK;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = contact_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err stale(struct api_call *c)
{
    struct stale_query q = {0};
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) ||
        (rc = api_query_user(c, "owner_id", &q.owner_id)))
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    struct contact *items;
    size_t n;
    const char *next;
    if ((rc = contact_stale_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_contact(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static const char *const stale_query[] = {"owner_id", "limit", "cursor", NULL};
static const char *const list_query[] = {"q", "limit", "cursor", "sort", "decision_role", NULL};

const struct route api_routes_contacts[] = {
    {"GET", "/api/v1/accounts/:id/contacts", list, OBJ_CONTACT, ACT_READ, SCOPE_ACCOUNT, NULL,
     list_query, 200, "Contacts (buying centre) of an account", "[Contact]"},
    {"POST", "/api/v1/accounts/:id/contacts", create, OBJ_CONTACT, ACT_CREATE, SCOPE_ACCOUNT,
     contact_spec, NULL, 201, "Add a contact to an account", "Contact"},
    {"GET", "/api/v1/stale-contacts", stale, OBJ_CONTACT, ACT_READ, SCOPE_NONE, NULL, stale_query,
     200, "Key people not contacted within the freshness days of their account's tier",
     "[StaleContact]"},
    {"GET", "/api/v1/contacts/:id", get, OBJ_CONTACT, ACT_READ, SCOPE_CONTACT, NULL, NULL, 200,
     "One contact", "Contact"},
    {"PATCH", "/api/v1/contacts/:id", patch, OBJ_CONTACT, ACT_UPDATE, SCOPE_CONTACT, contact_spec,
     NULL, 200, "Change a contact (optimistic: send version)", "Contact"},
    {"DELETE", "/api/v1/contacts/:id", del, OBJ_CONTACT, ACT_DELETE, SCOPE_CONTACT, NULL, NULL, 204,
     "Delete a contact", "-"},
    {0},
};
