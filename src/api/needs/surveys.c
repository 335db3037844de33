/* surveys.c -- Survey definitions, sending and links (issue 14, F3.7): /api/v1/surveys,
 * /api/v1/survey-drivers, /api/v1/survey-links, /api/v1/accounts/:id/survey-links. Decode,
 * call svc/needs/survey, render. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "api/core/internal.h"
#include "svc/needs/survey.h"

/* ---- bodies ---- */

/* {"zh-CN": ..., "zh-TW": ..., "en": ...} into three strings at `base` (offsets of texts[0..2]) */
#define TEXTS_SPEC(name, type, off, max_doc)                                                       \
    static const struct jfield name[] = {                                                          \
        {"zh-CN", J_STR, 1, off(0), 0, 0, 0, max_doc},                                             \
        {"zh-TW", J_STR, 2, off(1), 0, 0, 0, max_doc},                                             \
        {"en", J_STR, 4, off(2), 0, 0, 0, max_doc},                                                \
        {0},                                                                                       \
    }

struct option_el {
    unsigned set;
    unsigned label_set;
    int label_given;
    const char *labels[SURVEY_LANGS];
};

struct question_el {
    unsigned set;
    const char *kind, *driver;
    unsigned text_set;
    int text_given;
    const char *texts[SURVEY_LANGS];
    int required, overall;
    struct option_el *options;
    int noptions;
};

struct survey_body {
    struct survey_in in;
    unsigned title_set, intro_set;
    int title_given, intro_given;
    struct question_el *questions;
    int nquestions;
};

#define OPT_LABEL(i) offsetof(struct option_el, labels) + (size_t)(i) * sizeof(const char *)
#define Q_TEXT(i) offsetof(struct question_el, texts) + (size_t)(i) * sizeof(const char *)
#define S_TITLE(i) offsetof(struct survey_body, in.v.titles) + (size_t)(i) * sizeof(const char *)
#define S_INTRO(i) offsetof(struct survey_body, in.v.intros) + (size_t)(i) * sizeof(const char *)

TEXTS_SPEC(option_label_spec, J_STR, OPT_LABEL, "<= 500");
TEXTS_SPEC(question_text_spec, J_STR, Q_TEXT, "<= 500");
TEXTS_SPEC(title_spec, J_STR, S_TITLE, "<= 200");
TEXTS_SPEC(intro_spec, J_STR, S_INTRO, "<= 2000");

static const struct jfield option_spec[] = {
    {"label", J_OBJ, 1, offsetof(struct option_el, label_set),
     offsetof(struct option_el, label_given), 0, 0, "the option's label in each language", 1,
     option_label_spec},
    {0},
};

#define QF(f) offsetof(struct question_el, f)

static const struct jfield question_spec[] = {
    {"kind", J_STR, 1, QF(kind), 0, 0, 0, "nps | csat | rating | single | multi | text", 1},
    {"driver", J_STR, 2, QF(driver), 0, 0, 1,
     "a rating question: the driver it measures (GET /api/v1/survey-drivers); else null"},
    {"text", J_OBJ, 4, QF(text_set), QF(text_given), 0, 0,
     "the question in each language (at least one before opening)", 1, question_text_spec},
    {"required", J_BOOL, 8, QF(required), 0, 0, 0, "must be answered (default false)"},
    {"overall", J_BOOL, 16, QF(overall), 0, 0, 0,
     "the overall score the key-driver analysis explains: one nps or csat question at most"},
    {"options", J_OBJS, 32, QF(options), QF(noptions), sizeof(struct option_el), 0,
     "single | multi: 2-20 options", 0, option_spec, SURVEY_OPTIONS_MAX},
    {0},
};

#define SF(f) offsetof(struct survey_body, f)

static const struct jfield survey_spec[] = {
    {"title", J_OBJ, SURVEY_TITLE, SF(title_set), SF(title_given), 0, 0,
     "{\"zh-CN\", \"zh-TW\", \"en\"}: at least one not empty, each <= 200", 1, title_spec},
    {"intro", J_OBJ, SURVEY_INTRO, SF(intro_set), SF(intro_given), 0, 0,
     "the text above the questions in each language, each <= 2000", 0, intro_spec},
    {"link_days", J_I64, SURVEY_LINK_DAYS, SF(in.v.link_days), 0, 0, 0,
     "a link expires this many days after sending, 1-365 (default 30)"},
    {"remind_days", J_I64, SURVEY_REMIND_DAYS, SF(in.v.remind_days), 0, 0, 0,
     "remind an unanswered e-mail link after this many days, 1-90 (default 7)"},
    {"max_reminders", J_I64, SURVEY_MAX_REMINDERS, SF(in.v.max_reminders), 0, 0, 0,
     "reminders per link, 0-5 (default 2)"},
    {"questions", J_OBJS, SURVEY_QUESTIONS, SF(questions), SF(nquestions),
     sizeof(struct question_el), 0,
     "the questions in order, at most 50 (PATCH: replaced whole, only while draft)", 0,
     question_spec, SURVEY_QUESTIONS_MAX},
    {"version", J_I64, SURVEY_VERSION, SF(in.v.version), 0, 0, 0, "PATCH: the version you read"},
    {0},
};

static enum kam_err decode_survey(struct api_call *c, struct survey_body *b)
{
    enum kam_err rc = api_decode(c, survey_spec, b, &b->in.set);
    if (rc)
        return rc;
    struct kam_ctx *ctx = c->ctx;
    if ((b->in.set & SURVEY_TITLE) && !b->title_given)
        return kam_fail(ctx->err, KAM_EINVAL, "title", "title must be an object");
    if ((b->in.set & SURVEY_INTRO) && !b->intro_given)
        return kam_fail(ctx->err, KAM_EINVAL, "intro", "intro must be an object");
    size_t n = (size_t)b->nquestions;
    struct survey_question *qs = arena_calloc(ctx->a, n ? n : 1, sizeof *qs);
    for (size_t i = 0; i < n; i++) {
        struct question_el *e = &b->questions[i];
        struct survey_question *q = &qs[i];
        if (!(e->set & 1))
            return kam_fail_key(ctx->err, KAM_EINVAL,
                                arena_printf(ctx->a, "questions[%zu].kind", i), "required",
                                (struct kam_param[]){{"field", "kind"}, {0}}, "kind is required");
        q->kind = e->kind;
        q->driver = e->driver;
        q->position = (int)i + 1;
        for (int l = 0; l < SURVEY_LANGS; l++)
            q->texts[l] = e->texts[l] ? e->texts[l] : "";
        q->required = e->required;
        q->overall = e->overall;
        q->noptions = (size_t)e->noptions;
        q->options = arena_calloc(ctx->a, q->noptions ? q->noptions : 1, sizeof *q->options);
        for (size_t k = 0; k < q->noptions; k++) {
            q->options[k].position = (int)k;
            for (int l = 0; l < SURVEY_LANGS; l++)
                q->options[k].labels[l] = e->options[k].labels[l] ? e->options[k].labels[l] : "";
        }
    }
    b->in.v.questions = qs;
    b->in.v.nquestions = n;
    return KAM_OK;
}

/* ---- rendering ---- */

static void texts(struct jw *w, const char *k, const char *const t[SURVEY_LANGS])
{
    jw_key(w, k);
    jw_obj_begin(w);
    for (int i = 0; i < SURVEY_LANGS; i++)
        jw_kstr(w, survey_langs[i], t[i] ? t[i] : "");
    jw_obj_end(w);
}

#define TEXTS_SHAPE "{zh-CN:str zh-TW:str en:str}"

const struct api_shape api_shapes_surveys[] = {
    {"Survey", "id:int status:str(draft|open|closed) title:" TEXTS_SHAPE " intro:" TEXTS_SHAPE
               " link_days:int remind_days:int max_reminders:int created_by:int? opened_at:ts? "
               "closed_at:ts? version:int created_at:ts updated_at:ts question_count:int links:int "
               "responses:int response_rate:num questions?:[SurveyQuestion]"},
    {"SurveyQuestion",
     "id:int position:int kind:str(nps|csat|rating|single|multi|text) driver:str? "
     "text:" TEXTS_SHAPE " required:bool overall:bool "
     "options:[{position:int label:" TEXTS_SHAPE "}]"},
    {"SurveyDriver",
     "key:str label:" TEXTS_SHAPE " dept_role:str(sales|marketing|technical|production|service) "
     "position:int active:bool updated_at:ts"},
    {"SurveyLink",
     "id:int survey_id:int contact_id:int? contact_name:str account_id:int account_name:str "
     "account_tier:str channel:str(email|copy|phone) lang:str(zh-CN|zh-TW|en) "
     "state:str(pending|answered|expired) expires_at:ts sent_at:ts reminded_at:ts? "
     "reminders:int answered_at:ts? response_id:int? created_by:int? created_at:ts "
     "token?:str url?:str"},
    {"SurveySent", "items:[SurveyLink] skipped:[{contact_id:int "
                   "reason:str(already_sent|no_email|not_in_scope|not_found)}]"},
    {"SurveyRate", "key:str name:str? sent:int answered:int expired:int rate:num"},
    {"SurveyRates", "survey_id:int total:SurveyRate by_account:[SurveyRate] by_tier:[SurveyRate] "
                    "by_channel:[SurveyRate]"},
    {NULL, NULL},
};

static void render_survey(struct jw *w, const struct survey *s, int full)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", s->id);
    jw_kstr(w, "status", s->status);
    texts(w, "title", s->titles);
    texts(w, "intro", s->intros);
    jw_ki64(w, "link_days", s->link_days);
    jw_ki64(w, "remind_days", s->remind_days);
    jw_ki64(w, "max_reminders", s->max_reminders);
    jw_ki64n(w, "created_by", s->created_by, !s->has_created_by);
    jw_ktime_opt(w, "opened_at", s->opened_at, s->has_opened);
    jw_ktime_opt(w, "closed_at", s->closed_at, s->has_closed);
    jw_ki64(w, "version", s->version);
    jw_ktime(w, "created_at", s->created_at);
    jw_ktime(w, "updated_at", s->updated_at);
    jw_ki64(w, "question_count", (int64_t)s->nquestions);
    jw_ki64(w, "links", s->n_links);
    jw_ki64(w, "responses", s->n_responses);
    jw_key(w, "response_rate");
    jw_double(w, s->n_links ? (double)s->n_responses / (double)s->n_links : 0.0);
    if (full) {
        jw_key(w, "questions");
        jw_arr_begin(w);
        for (size_t i = 0; i < s->nquestions; i++) {
            const struct survey_question *q = &s->questions[i];
            jw_obj_begin(w);
            jw_ki64(w, "id", q->id);
            jw_ki64(w, "position", q->position);
            jw_kstr(w, "kind", q->kind);
            jw_kstr(w, "driver", q->driver);
            texts(w, "text", q->texts);
            jw_kbool(w, "required", q->required);
            jw_kbool(w, "overall", q->overall);
            jw_key(w, "options");
            jw_arr_begin(w);
            for (size_t k = 0; k < q->noptions; k++) {
                jw_obj_begin(w);
                jw_ki64(w, "position", q->options[k].position);
                texts(w, "label", q->options[k].labels);
                jw_obj_end(w);
            }
            jw_arr_end(w);
            jw_obj_end(w);
        }
        jw_arr_end(w);
    }
    jw_obj_end(w);
}

static void render_link(struct jw *w, const struct survey_link *l)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", l->id);
    jw_ki64(w, "survey_id", l->survey_id);
    jw_ki64n(w, "contact_id", l->contact_id, !l->has_contact);
    jw_kstr(w, "contact_name", l->contact_name);
    jw_ki64(w, "account_id", l->account_id);
    jw_kstr(w, "account_name", l->account_name);
    jw_kstr(w, "account_tier", l->account_tier);
    jw_kstr(w, "channel", l->channel);
    jw_kstr(w, "lang", l->lang);
    jw_kstr(w, "state", l->state);
    jw_ktime(w, "expires_at", l->expires_at);
    jw_ktime(w, "sent_at", l->sent_at);
    jw_ktime_opt(w, "reminded_at", l->reminded_at, l->has_reminded);
    jw_ki64(w, "reminders", l->reminders);
    jw_ktime_opt(w, "answered_at", l->answered_at, l->has_answered);
    jw_ki64n(w, "response_id", l->response_id, l->response_id == 0);
    jw_ki64n(w, "created_by", l->created_by, !l->has_created_by);
    jw_ktime(w, "created_at", l->created_at);
    if (l->token) {
        jw_kstr(w, "token", l->token);
        jw_kstr(w, "url", l->url);
    }
    jw_obj_end(w);
}

/* ---- definitions ---- */

static enum kam_err filters(struct api_call *c, struct survey_query *q)
{
    memset(q, 0, sizeof *q);
    q->status = api_query_str(c, "status");
    q->q = api_query_str(c, "q");
    q->cursor = api_query_str(c, "cursor");
    enum kam_err rc = api_query_i64(c, "limit", 0, &q->limit);
    if (rc)
        return rc;
    if (http_query(c->req, "limit") && q->limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    return KAM_OK;
}

static enum kam_err list(struct api_call *c)
{
    struct survey_query q;
    struct survey *items;
    size_t n;
    const char *next;
    enum kam_err rc = filters(c, &q);
    if (rc || (rc = survey_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_survey(&c->w, &items[i], 0);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err count(struct api_call *c)
{
    struct survey_query q;
    int64_t total = 0;
    enum kam_err rc = filters(c, &q);
    if (rc || (rc = survey_count(c->ctx, &q, &total)))
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "total", total);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err create(struct api_call *c)
{
    struct survey_body *b = arena_calloc(c->ctx->a, 1, sizeof *b);
    enum kam_err rc = decode_survey(c, b);
    if (rc)
        return rc;
    if (b->in.set & SURVEY_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    if (!(b->in.set & SURVEY_TITLE))
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "title", "required",
                            (struct kam_param[]){{"field", "title"}, {0}}, "title is required");
    struct survey out;
    if ((rc = survey_create(c->ctx, &b->in, &out)))
        return rc;
    c->status = 201;
    render_survey(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct survey out;
    enum kam_err rc = survey_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_survey(&c->w, &out, 1);
    return rc;
}

static enum kam_err patch(struct api_call *c)
{
    struct survey_body *b = arena_calloc(c->ctx->a, 1, sizeof *b);
    struct survey out;
    enum kam_err rc = decode_survey(c, b);
    if (rc || (rc = survey_update(c->ctx, c->id[0], &b->in, &out)))
        return rc;
    render_survey(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = survey_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

struct status_body {
    const char *to;
    int64_t version;
};

static const struct jfield status_spec[] = {
    {"to", J_STR, 1, offsetof(struct status_body, to), 0, 0, 0, "open | closed", 1},
    {"version", J_I64, 2, offsetof(struct status_body, version), 0, 0, 0,
     "the version you read (stale -> 409)"},
    {0},
};

static enum kam_err set_status(struct api_call *c)
{
    struct status_body b = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, status_spec, &b, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "to", "required",
                            (struct kam_param[]){{"field", "to"}, {0}}, "to is required");
    if (!strcmp(b.to, "draft"))
        return kam_fail(c->ctx->err, KAM_EINVAL, "to", "to must be open or closed");
    if ((set & 2) && b.version <= 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version must be positive");
    struct survey out;
    if ((rc = survey_set_status(c->ctx, c->id[0], b.to, b.version, &out)))
        return rc;
    render_survey(&c->w, &out, 1);
    return KAM_OK;
}

static enum kam_err copy(struct api_call *c)
{
    struct survey out;
    enum kam_err rc = survey_copy(c->ctx, c->id[0], &out);
    if (rc)
        return rc;
    c->status = 201;
    render_survey(&c->w, &out, 1);
    return KAM_OK;
}

/* ---- drivers ---- */

static void render_driver(struct jw *w, const struct survey_driver *d)
{
    jw_obj_begin(w);
    jw_kstr(w, "key", d->key);
    texts(w, "label", d->labels);
    jw_kstr(w, "dept_role", d->dept_role);
    jw_ki64(w, "position", d->position);
    jw_kbool(w, "active", d->active);
    jw_ktime(w, "updated_at", d->updated_at);
    jw_obj_end(w);
}

static enum kam_err drivers(struct api_call *c)
{
    struct survey_driver *items;
    size_t n;
    enum kam_err rc = survey_driver_list(c->ctx, &items, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_driver(&c->w, &items[i]);
    api_list_end(c, NULL);
    return KAM_OK;
}

struct driver_body {
    struct survey_driver d;
    unsigned label_set;
    int label_given;
};

#define D_LABEL(i) offsetof(struct driver_body, d.labels) + (size_t)(i) * sizeof(const char *)
TEXTS_SPEC(driver_label_spec, J_STR, D_LABEL, "<= 500");

static const struct jfield driver_spec[] = {
    {"key", J_STR, 1, offsetof(struct driver_body, d.key), 0, 0, 0,
     "a-z 0-9 _, 1-40: an existing driver is updated, a new key adds one", 1},
    {"label", J_OBJ, 2, offsetof(struct driver_body, label_set),
     offsetof(struct driver_body, label_given), 0, 0,
     "the label in each language, at least one not empty", 1, driver_label_spec},
    {"dept_role", J_STR, 4, offsetof(struct driver_body, d.dept_role), 0, 0, 0,
     "sales | marketing | technical | production | service: who follows up a low rating", 1},
    {"position", J_I64, 8, offsetof(struct driver_body, d.position), 0, 0, 0,
     "order in lists, 0-10000 (default 0)"},
    {"active", J_BOOL, 16, offsetof(struct driver_body, d.active), 0, 0, 0,
     "offered to new questions (default true)"},
    {0},
};

static enum kam_err driver_put(struct api_call *c)
{
    struct driver_body b = {0};
    b.d.active = 1;
    unsigned set = 0;
    enum kam_err rc = api_decode(c, driver_spec, &b, &set);
    if (rc)
        return rc;
    static const char *const names[] = {"key", "label", "dept_role"};
    for (int i = 0; i < 3; i++)
        if (!(set & (1u << i)))
            return kam_fail_key(c->ctx->err, KAM_EINVAL, names[i], "required",
                                (struct kam_param[]){{"field", names[i]}, {0}}, "%s is required",
                                names[i]);
    if (!b.label_given)
        return kam_fail(c->ctx->err, KAM_EINVAL, "label", "label must be an object");
    struct survey_driver out;
    int created = 0;
    if ((rc = survey_driver_put(c->ctx, &b.d, &out, &created)))
        return rc;
    render_driver(&c->w, &out);
    return KAM_OK;
}

/* ---- sending and links ---- */

/* scheme://host the sender reached KAM at, for copy and phone links (shown to the sender only)
 * when no public address is configured; never for e-mailed links. X-Forwarded-Host and
 * X-Forwarded-Proto count only from a trusted proxy (KAM_TRUSTED_PROXIES). NULL when the host
 * is missing or not a plain host[:port]. */
static const char *request_base(struct api_call *c)
{
    const char *host = NULL, *xfp = NULL;
    if (c->req->via_proxy) {
        host = c->req->header(c->req, "X-Forwarded-Host");
        xfp = c->req->header(c->req, "X-Forwarded-Proto");
    }
    if (!host || !*host)
        host = c->req->header(c->req, "Host");
    if (!host || !*host)
        return NULL;
    size_t n = strcspn(host, ","); /* the first proxy's view */
    while (n && host[n - 1] == ' ')
        n--;
    if (n == 0 || n > 255)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char ch = host[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              strchr(".-:[]", ch)))
            return NULL;
    }
    int https = c->req->tls || (xfp && strncasecmp(xfp, "https", 5) == 0 &&
                                (xfp[5] == 0 || xfp[5] == ',' || xfp[5] == ' '));
    return arena_printf(c->ctx->a, "%s://%.*s", https ? "https" : "http", (int)n, host);
}

/* ---- settings ---- */

static enum kam_err settings_write(struct api_call *c)
{
    const char *url, *env;
    enum kam_err rc = survey_settings_get(c->ctx, &url, &env);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    jw_kstr(&c->w, "public_url", url);
    jw_kstr(&c->w, "env_public_url", env);
    jw_kstr(&c->w, "in_use", *url ? url : env);
    jw_obj_end(&c->w);
    return KAM_OK;
}

struct settings_body {
    const char *public_url;
};

static const struct jfield settings_spec[] = {
    {"public_url", J_STR, 1, offsetof(struct settings_body, public_url), 0, 0, 0,
     "KAM's address as customers reach it (https://kam.example.com, <= 200): the base of "
     "e-mailed survey links; \"\" clears it (then KAM_PUBLIC_URL)",
     1},
    {0},
};

static enum kam_err settings_patch(struct api_call *c)
{
    struct settings_body b = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, settings_spec, &b, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "public_url", "required",
                            (struct kam_param[]){{"field", "public_url"}, {0}},
                            "public_url is required");
    if ((rc = survey_settings_set(c->ctx, b.public_url)))
        return rc;
    return settings_write(c);
}

struct send_body {
    int64_t contacts[API_MAX_IDS];
    int n_contacts, has_contacts;
    const char *tier, *channel, *lang;
    int key_only;
};

#define BF(f) offsetof(struct send_body, f)

static const struct jfield send_spec[] = {
    {"contact_ids", J_IDS, 1, BF(contacts), BF(n_contacts), BF(has_contacts), 0,
     "the contacts to send to (at most 50); or tier"},
    {"tier", J_STR, 2, BF(tier), 0, 0, 0,
     "strategic | key | growth | maintain: every key contact (decision maker, influencer, "
     "champion, or influence >= 4) of "
     "the tier's accounts in the caller's scope; with key_only true"},
    {"key_only", J_BOOL, 4, BF(key_only), 0, 0, 0, "with tier: true"},
    {"channel", J_STR, 8, BF(channel), 0, 0, 0,
     "email (sent through the outbox; needs KAM's public address: PATCH "
     "/api/v1/settings/surveys or KAM_PUBLIC_URL, else 409 survey.no_public_url) | copy (links "
     "to paste into WeChat) | phone (answers entered by staff); default copy"},
    {"lang", J_STR, 16, BF(lang), 0, 0, 0,
     "zh-CN | zh-TW | en: the answer page's language "
     "(default zh-CN)"},
    {0},
};

static enum kam_err send(struct api_call *c)
{
    struct send_body *b = arena_calloc(c->ctx->a, 1, sizeof *b);
    unsigned set = 0;
    enum kam_err rc = api_decode(c, send_spec, b, &set);
    if (rc)
        return rc;
    struct survey_send_in in = {.contact_ids = b->contacts,
                                .n_contacts = (size_t)b->n_contacts,
                                .tier = b->tier,
                                .key_only = b->key_only,
                                .channel = b->channel,
                                .lang = b->lang,
                                .base_url = request_base(c)};
    struct survey_link *items;
    struct survey_skip *skipped;
    size_t n, ns;
    if ((rc = survey_send(c->ctx, c->id[0], &in, &items, &n, &skipped, &ns)))
        return rc;
    c->status = 201;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        render_link(w, &items[i]);
    jw_arr_end(w);
    jw_key(w, "skipped");
    jw_arr_begin(w);
    for (size_t i = 0; i < ns; i++) {
        jw_obj_begin(w);
        jw_ki64(w, "contact_id", skipped[i].contact_id);
        jw_kstr(w, "reason", skipped[i].reason);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err links_with(struct api_call *c, int64_t survey_id, int64_t account_id)
{
    struct survey_link_query q = {.survey_id = survey_id, .account_id = account_id};
    q.state = api_query_str(c, "state");
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc = api_query_i64(c, "limit", 0, &q.limit);
    if (!rc && !account_id)
        rc = api_query_i64(c, "account_id", 0, &q.account_id);
    if (rc)
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    struct survey s;
    if (survey_id && (rc = survey_get(c->ctx, survey_id, &s))) /* 404 for no such survey */
        return rc;
    struct survey_link *items;
    size_t n;
    const char *next;
    if ((rc = survey_link_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_link(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err links(struct api_call *c)
{
    return links_with(c, c->id[0], 0);
}

static enum kam_err account_links(struct api_call *c)
{
    return links_with(c, 0, c->id[0]);
}

static enum kam_err reissue(struct api_call *c)
{
    struct survey_link out;
    enum kam_err rc = survey_link_reissue(c->ctx, c->id[0], request_base(c), &out);
    if (!rc)
        render_link(&c->w, &out);
    return rc;
}

static enum kam_err revoke(struct api_call *c)
{
    enum kam_err rc = survey_link_revoke(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static void render_rate(struct jw *w, const struct survey_rate *r)
{
    jw_obj_begin(w);
    jw_kstr(w, "key", r->key);
    jw_kstr(w, "name", r->name);
    jw_ki64(w, "sent", r->sent);
    jw_ki64(w, "answered", r->answered);
    jw_ki64(w, "expired", r->expired);
    jw_key(w, "rate");
    jw_double(w, r->rate);
    jw_obj_end(w);
}

static void rate_list(struct jw *w, const char *k, const struct survey_rate *r, size_t n)
{
    jw_key(w, k);
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        render_rate(w, &r[i]);
    jw_arr_end(w);
}

static enum kam_err rates(struct api_call *c)
{
    struct survey_rates r;
    enum kam_err rc = survey_rates_get(c->ctx, c->id[0], &r);
    if (rc)
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "survey_id", c->id[0]);
    jw_key(w, "total");
    render_rate(w, &r.total);
    rate_list(w, "by_account", r.by_account, r.n_account);
    rate_list(w, "by_tier", r.by_tier, r.n_tier);
    rate_list(w, "by_channel", r.by_channel, r.n_channel);
    jw_obj_end(w);
    return KAM_OK;
}

#define SETTINGS_RESP "{public_url:str env_public_url:str? in_use:str?}"

static const char *const list_query[] = {"status", "q", "limit", "cursor", NULL};
static const char *const count_query[] = {"status", "q", NULL};
static const char *const links_query[] = {"account_id", "state", "limit", "cursor", NULL};
static const char *const account_links_query[] = {"state", "limit", "cursor", NULL};

const struct route api_routes_surveys[] = {
    {"GET", "/api/v1/surveys", list, OBJ_SURVEY, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Surveys, newest first: status (draft | open | closed), q (title); keyset paging; links, "
     "responses and response_rate count the accounts in the caller's scope",
     "[Survey]"},
    {"GET", "/api/v1/surveys/count", count, OBJ_SURVEY, ACT_READ, SCOPE_NONE, NULL, count_query,
     200, "The number of surveys the list returns for the same filters", "{total:int}"},
    {"POST", "/api/v1/surveys", create, OBJ_SURVEY, ACT_CREATE, SCOPE_NONE, survey_spec, NULL, 201,
     "Create a survey (a draft) with its questions", "Survey"},
    {"GET", "/api/v1/surveys/:id", get, OBJ_SURVEY, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "One survey with its questions and options", "Survey"},
    {"PATCH", "/api/v1/surveys/:id", patch, OBJ_SURVEY, ACT_UPDATE, SCOPE_NONE, survey_spec, NULL,
     200,
     "Change a survey: texts and link settings any time, questions (replaced whole) only "
     "while draft (else 409 survey.frozen)",
     "Survey"},
    {"DELETE", "/api/v1/surveys/:id", del, OBJ_SURVEY, ACT_DELETE, SCOPE_NONE, NULL, NULL, 204,
     "Delete a draft, or a survey without responses (else 409 survey.has_responses); its links "
     "go with it",
     "-"},
    {"POST", "/api/v1/surveys/:id/status", set_status, OBJ_SURVEY, ACT_UPDATE, SCOPE_NONE,
     status_spec, NULL, 200,
     "Open a draft (every question worded in some language), close an open survey, reopen a "
     "closed one",
     "Survey"},
    {"POST", "/api/v1/surveys/:id/copy", copy, OBJ_SURVEY, ACT_CREATE, SCOPE_NONE, NULL, NULL, 201,
     "A new draft with the same texts and questions", "Survey"},
    {"GET", "/api/v1/survey-drivers", drivers, OBJ_SURVEY, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "The drivers a rating question measures, each with the department that follows it up",
     "[SurveyDriver]"},
    {"PUT", "/api/v1/survey-drivers", driver_put, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE, driver_spec,
     NULL, 200, "Add a driver or change one (by key)", "SurveyDriver"},
    {"POST", "/api/v1/surveys/:id/links", send, OBJ_SURVEY_LINK, ACT_CREATE, SCOPE_NONE, send_spec,
     NULL, 201,
     "Send an open survey: one link per contact (contact_ids, or a tier's key contacts in the "
     "caller's scope); each link's token and url are in this answer only; skipped says who "
     "was not sent and why",
     "SurveySent"},
    {"GET", "/api/v1/surveys/:id/links", links, OBJ_SURVEY_LINK, ACT_READ, SCOPE_NONE, NULL,
     links_query, 200,
     "The survey's links to accounts in the caller's scope, newest first: account_id, state "
     "(pending | answered | expired); keyset paging",
     "[SurveyLink]"},
    {"GET", "/api/v1/accounts/:id/survey-links", account_links, OBJ_SURVEY_LINK, ACT_READ,
     SCOPE_ACCOUNT, NULL, account_links_query, 200, "The account's survey links, newest first",
     "[SurveyLink]"},
    {"POST", "/api/v1/survey-links/:id/reissue", reissue, OBJ_SURVEY_LINK, ACT_UPDATE,
     SCOPE_SURVEY_LINK, NULL, NULL, 200,
     "A new token for an unanswered link of an open survey (the old one stops working) and a new "
     "expiry; an e-mail link is e-mailed again; the token and url are in this answer only",
     "SurveyLink"},
    {"DELETE", "/api/v1/survey-links/:id", revoke, OBJ_SURVEY_LINK, ACT_DELETE, SCOPE_SURVEY_LINK,
     NULL, NULL, 204, "Revoke an unanswered link", "-"},
    {"GET", "/api/v1/settings/surveys", settings_write, OBJ_CONFIG, ACT_READ, SCOPE_NONE, NULL,
     NULL, 200,
     "KAM's public address for e-mailed survey links: public_url (the setting, \"\" when "
     "unset), env_public_url (KAM_PUBLIC_URL), in_use (the one links get; null: e-mail sending "
     "is refused)",
     SETTINGS_RESP},
    {"PATCH", "/api/v1/settings/surveys", settings_patch, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE,
     settings_spec, NULL, 200,
     "Set KAM's public address for e-mailed survey links (an absolute http(s) URL, <= 200; \"\" "
     "clears it)",
     SETTINGS_RESP},
    {"GET", "/api/v1/surveys/:id/rates", rates, OBJ_SURVEY_LINK, ACT_READ, SCOPE_NONE, NULL, NULL,
     200,
     "Response rates of the survey's links to accounts in the caller's scope: in total, by "
     "account, tier and channel",
     "SurveyRates"},
    {0},
};
