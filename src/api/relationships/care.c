/* care.c -- /api/v1/care (reminders), /api/v1/care-occasions, /api/v1/message-templates. */
#include <stddef.h>

#include "api/core/internal.h"
#include "svc/core/msg.h"
#include "svc/relationships/care.h"

const struct api_shape api_shapes_care[] = {
    /* mail_status: the outbox state of a greeting sent by e-mail, else null */
    {"CareReminder",
     "id:int account_id:int account_name:str contact_id:int contact_name:str contact_email:str "
     "owner_id:int occasion_kind:str(festival|birthday|special) occasion_key:str "
     "occasion_name:str occasion_date:date status:str(pending|sent|done|skipped) "
     "channel:str(email|call|gift|visit|other)? note:str done_at:ts? interaction_id:int? "
     "mail_status:str? version:int created_at:ts"},
    {"CareOccasion", "id:int kind:str(festival|birthday|special) festival_key:str? name:str "
                     "month:int? day:int? days_before:int key_people_only:bool active:bool"},
    {"MessageTemplate", "id:int name:str locale:str(zh|en) "
                        "occasion:str(birthday|festival|special|any) subject:str body:str"},
    {NULL, NULL},
};

/* occasion_name: a festival's or a birthday's in the request's Accept-Language (zh-TW in
 * Traditional; occasion_key names it for a UI), a special date's as its user wrote it; in an
 * export, the file's language (list_export.c answers Accept-Language), stored with raw=1. */
static void render(struct api_call *c, const struct care_reminder *r)
{
    struct jw *w = &c->w;
    enum msg_lang lang = msg_lang_parse(c->req->header(c->req, "Accept-Language"));
    jw_obj_begin(w);
    jw_ki64(w, "id", r->id);
    jw_ki64(w, "account_id", r->account_id);
    jw_kstr(w, "account_name", r->account_name);
    jw_ki64(w, "contact_id", r->contact_id);
    jw_kstr(w, "contact_name", r->contact_name);
    jw_kstr(w, "contact_email", r->contact_email);
    jw_ki64(w, "owner_id", r->owner_id);
    jw_kstr(w, "occasion_kind", r->occasion_kind);
    jw_kstr(w, "occasion_key", r->occasion_key);
    jw_kstr(w, "occasion_name",
            c->export_raw ? r->occasion_name
                          : msg_occasion_name(lang, r->occasion_key, r->occasion_name));
    jw_kstr(w, "occasion_date", r->occasion_date);
    jw_kstr(w, "status", r->status);
    jw_kstr(w, "channel", r->channel);
    jw_kstr(w, "note", r->note);
    jw_ktime_opt(w, "done_at", r->done_at, r->has_done);
    jw_ki64n(w, "interaction_id", r->interaction_id, !r->has_interaction);
    jw_kstr(w, "mail_status", r->outbox_status);
    jw_ki64(w, "version", r->version);
    jw_ktime(w, "created_at", r->created_at);
    jw_obj_end(w);
}

static enum kam_err list(struct api_call *c)
{
    struct care_query q = {0};
    q.status = api_query_str(c, "status");
    q.from = api_query_str(c, "from");
    q.to = api_query_str(c, "to");
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) ||
        (rc = api_query_user(c, "owner_id", &q.owner_id)) ||
        (rc = api_query_i64(c, "account_id", 0, &q.account_id)))
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    struct care_reminder *items;
    size_t n;
    const char *next;
    if ((rc = care_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render(c, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct care_reminder r;
    enum kam_err rc = care_get(c->ctx, c->id[0], &r);
    if (!rc)
        render(c, &r);
    return rc;
}

struct send_in {
    int64_t template_id;
};

static const struct jfield send_spec[] = {
    {"template_id", J_I64, 1, offsetof(struct send_in, template_id), 0, 0, 0,
     "the message template", 1},
    {0},
};

static enum kam_err send(struct api_call *c)
{
    struct send_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, send_spec, &in, &set);
    if (rc)
        return rc;
    if (!set)
        return kam_fail(c->ctx->err, KAM_EINVAL, "template_id", "template_id is required");
    struct care_reminder r;
    if ((rc = care_send(c->ctx, c->id[0], in.template_id, &r)))
        return rc;
    render(c, &r);
    return KAM_OK;
}

struct done_in {
    const char *channel, *note;
};

static const struct jfield done_spec[] = {
    {"channel", J_STR, 1, offsetof(struct done_in, channel), 0, 0, 0, "call | gift | visit | other",
     1},
    {"note", J_STR, 2, offsetof(struct done_in, note), 0, 0, 0, "<= 2000"},
    {0},
};

static enum kam_err done(struct api_call *c)
{
    struct done_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, done_spec, &in, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail(c->ctx->err, KAM_EINVAL, "channel", "channel is required");
    struct care_reminder r;
    if ((rc = care_done(c->ctx, c->id[0], in.channel, in.note ? in.note : "", &r)))
        return rc;
    render(c, &r);
    return KAM_OK;
}

static enum kam_err skip(struct api_call *c)
{
    struct care_reminder r;
    enum kam_err rc = care_skip(c->ctx, c->id[0], &r);
    if (!rc)
        render(c, &r);
    return rc;
}

#define OF(f) offsetof(struct care_occasion_in, v.f)

static const struct jfield occasion_spec[] = {
    {"kind", J_STR, OCC_KIND, OF(kind), 0, 0, 0, "festival | birthday | special", 1},
    {"festival_key", J_STR, OCC_FESTIVAL, OF(festival_key), 0, 0, 1,
     "for festival: a key of `kam festivals`"},
    {"name", J_STR, OCC_NAME, OF(name), 0, 0, 0, "for special: its name"},
    {"month", J_I64, OCC_MONTH, OF(month), 0, 0, 0, "for special: 1-12"},
    {"day", J_I64, OCC_DAY, OF(day), 0, 0, 0, "for special: day of month"},
    {"days_before", J_I64, OCC_DAYS_BEFORE, OF(days_before), 0, 0, 0, "0-60"},
    {"key_people_only", J_BOOL, OCC_KEY_ONLY, OF(key_people_only), 0, 0, 0,
     "only decision makers and champions"},
    {"active", J_BOOL, OCC_ACTIVE, OF(active), 0, 0, 0, "remind or not"},
    {0},
};

static void render_occasion(struct jw *w, const struct care_occasion *o)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", o->id);
    jw_kstr(w, "kind", o->kind);
    jw_kstr(w, "festival_key", o->festival_key);
    jw_kstr(w, "name", o->name);
    jw_ki64n(w, "month", o->month, !o->has_date);
    jw_ki64n(w, "day", o->day, !o->has_date);
    jw_ki64(w, "days_before", o->days_before);
    jw_kbool(w, "key_people_only", o->key_people_only);
    jw_kbool(w, "active", o->active);
    jw_obj_end(w);
}

static enum kam_err occasions(struct api_call *c)
{
    struct care_occasion *items;
    size_t n;
    enum kam_err rc = care_occasion_list(c->ctx, &items, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_occasion(&c->w, &items[i]);
    api_list_end(c, NULL);
    return KAM_OK;
}

static enum kam_err occasion_new(struct api_call *c)
{
    struct care_occasion_in in = {0};
    enum kam_err rc = api_decode(c, occasion_spec, &in, &in.set);
    if (rc)
        return rc;
    struct care_occasion o;
    if ((rc = care_occasion_create(c->ctx, &in, &o)))
        return rc;
    c->status = 201;
    render_occasion(&c->w, &o);
    return KAM_OK;
}

static enum kam_err occasion_patch(struct api_call *c)
{
    struct care_occasion_in in = {0};
    enum kam_err rc = api_decode(c, occasion_spec, &in, &in.set);
    if (rc)
        return rc;
    struct care_occasion o;
    if ((rc = care_occasion_update(c->ctx, c->id[0], &in, &o)))
        return rc;
    render_occasion(&c->w, &o);
    return KAM_OK;
}

static enum kam_err occasion_del(struct api_call *c)
{
    enum kam_err rc = care_occasion_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

#define TF(f) offsetof(struct message_template_in, v.f)

static const struct jfield template_spec[] = {
    {"name", J_STR, TPL_NAME, TF(name), 0, 0, 0, "1-100", 1},
    {"locale", J_STR, TPL_LOCALE, TF(locale), 0, 0, 0, "zh | en"},
    {"occasion", J_STR, TPL_OCCASION, TF(occasion), 0, 0, 0, "birthday | festival | special | any"},
    {"subject", J_STR, TPL_SUBJECT, TF(subject), 0, 0, 0,
     "1-200; placeholders {{contact_name}} {{account_name}} {{occasion}} {{sender_name}} "
     "{{company}}",
     1},
    {"body", J_STR, TPL_BODY, TF(body), 0, 0, 0, "1-8000, same placeholders", 1},
    {0},
};

static void render_template(struct jw *w, const struct message_template *t)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", t->id);
    jw_kstr(w, "name", t->name);
    jw_kstr(w, "locale", t->locale);
    jw_kstr(w, "occasion", t->occasion);
    jw_kstr(w, "subject", t->subject);
    jw_kstr(w, "body", t->body);
    jw_obj_end(w);
}

static enum kam_err templates(struct api_call *c)
{
    struct message_template *items;
    size_t n;
    enum kam_err rc = template_list(c->ctx, &items, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_template(&c->w, &items[i]);
    api_list_end(c, NULL);
    return KAM_OK;
}

static enum kam_err template_new(struct api_call *c)
{
    struct message_template_in in = {0};
    enum kam_err rc = api_decode(c, template_spec, &in, &in.set);
    if (rc)
        return rc;
    struct message_template t;
    if ((rc = template_create(c->ctx, &in, &t)))
        return rc;
    c->status = 201;
    render_template(&c->w, &t);
    return KAM_OK;
}

static enum kam_err template_patch(struct api_call *c)
{
    struct message_template_in in = {0};
    enum kam_err rc = api_decode(c, template_spec, &in, &in.set);
    if (rc)
        return rc;
    struct message_template t;
    if ((rc = template_update(c->ctx, c->id[0], &in, &t)))
        return rc;
    render_template(&c->w, &t);
    return KAM_OK;
}

static enum kam_err template_del(struct api_call *c)
{
    enum kam_err rc = template_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static const char *const list_query[] = {"owner_id", "account_id", "status", "from",
                                         "to",       "limit",      "cursor", NULL};

const struct route api_routes_care[] = {
    {"GET", "/api/v1/care", list, OBJ_CARE, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Care reminders (birthdays, festivals, special dates) of the accounts in scope",
     "[CareReminder]"},
    {"GET", "/api/v1/care/:id", get, OBJ_CARE, ACT_READ, SCOPE_CARE, NULL, NULL, 200,
     "One care reminder", "CareReminder"},
    {"POST", "/api/v1/care/:id/send", send, OBJ_CARE, ACT_UPDATE, SCOPE_CARE, send_spec, NULL, 200,
     "Send the greeting by e-mail from a template (through the outbox)", "CareReminder"},
    {"POST", "/api/v1/care/:id/done", done, OBJ_CARE, ACT_UPDATE, SCOPE_CARE, done_spec, NULL, 200,
     "Record care given by hand (call, gift, visit)", "CareReminder"},
    {"POST", "/api/v1/care/:id/skip", skip, OBJ_CARE, ACT_UPDATE, SCOPE_CARE, NULL, NULL, 200,
     "Skip a reminder", "CareReminder"},
    {"GET", "/api/v1/care-occasions", occasions, OBJ_CONFIG, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "What the company remembers: festivals, birthdays, special dates", "[CareOccasion]"},
    {"POST", "/api/v1/care-occasions", occasion_new, OBJ_CONFIG, ACT_CREATE, SCOPE_NONE,
     occasion_spec, NULL, 201, "Add an occasion", "CareOccasion"},
    {"PATCH", "/api/v1/care-occasions/:id", occasion_patch, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE,
     occasion_spec, NULL, 200, "Change an occasion", "CareOccasion"},
    {"DELETE", "/api/v1/care-occasions/:id", occasion_del, OBJ_CONFIG, ACT_DELETE, SCOPE_NONE, NULL,
     NULL, 204, "Delete an occasion", "-"},
    {"GET", "/api/v1/message-templates", templates, OBJ_CONFIG, ACT_READ, SCOPE_NONE, NULL, NULL,
     200, "Greeting templates in Chinese and English", "[MessageTemplate]"},
    {"POST", "/api/v1/message-templates", template_new, OBJ_CONFIG, ACT_CREATE, SCOPE_NONE,
     template_spec, NULL, 201, "Add a template", "MessageTemplate"},
    {"PATCH", "/api/v1/message-templates/:id", template_patch, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE,
     template_spec, NULL, 200, "Change a template", "MessageTemplate"},
    {"DELETE", "/api/v1/message-templates/:id", template_del, OBJ_CONFIG, ACT_DELETE, SCOPE_NONE,
     NULL, NULL, 204, "Delete a template", "-"},
    {0},
};
