/* survey_answers.c -- Survey answers: the public answer page and answers taken by phone (issue 14).
 *
 * The public routes take the link's token in the body (never in the path or the query, which
 * reach logs) and need no session; they run without the request transaction (ROUTE_OWN_TX) so
 * that the throttle's count of a refused request is kept (svc/needs/survey_answer.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/core/msg.h"
#include "svc/core/tone.h"
#include "svc/needs/survey_answer.h"

#define SA_BODY_MAX (64 * 1024) /* bytes of an answer body */

struct ans_el {
    unsigned set; /* first: the fields present (J_OBJS) */
    int64_t question_id, value;
    int64_t values[API_MAX_IDS];
    int nvalues, has_values;
    const char *text;
};

#define AF(f) offsetof(struct ans_el, f)

static const struct jfield answer_fields[] = {
    {"question_id", J_I64, SA_HAS_QUESTION, AF(question_id), 0, 0, 0,
     "a question of this survey (its id)", 1},
    {"value", J_I64, SA_HAS_VALUE, AF(value), 0, 0, 0,
     "nps 0..10; csat, rating 1..5; single: the option's position"},
    {"values", J_INTS, SA_HAS_VALUES, AF(values), AF(nvalues), AF(has_values), 0,
     "multi: the chosen options' positions (distinct)", 0, NULL, SA_OPTIONS_MAX},
    {"text", J_STR, SA_HAS_TEXT, AF(text), 0, 0, 0, "text: <= 2000 characters"},
    {0},
};

struct body {
    const char *token, *lang;
    struct ans_el *answers;
    int nanswers;
};

#define BF(f) offsetof(struct body, f)

static const struct jfield public_get_spec[] = {
    {"token", J_STR, 1, BF(token), 0, 0, 0, "the link's token (the URL's fragment after #)", 1},
    {"lang", J_STR, 2, BF(lang), 0, 0, 0, "zh-CN | zh-TW | en (default: the link's)"},
    {0},
};

static const struct jfield public_answer_spec[] = {
    {"token", J_STR, 1, BF(token), 0, 0, 0, "the link's token (the URL's fragment after #)", 1},
    {"lang", J_STR, 2, BF(lang), 0, 0, 0, "zh-CN | zh-TW | en (default: the link's)"},
    {"answers", J_OBJS, 4, BF(answers), BF(nanswers), sizeof(struct ans_el), 0,
     "one per answered question (at most 50): value, values or text by the question's kind", 1,
     answer_fields, SA_QUESTIONS_MAX},
    {0},
};

static const struct jfield enter_spec[] = {
    {"lang", J_STR, 2, BF(lang), 0, 0, 0, "zh-CN | zh-TW | en (default: the link's)"},
    {"answers", J_OBJS, 4, BF(answers), BF(nanswers), sizeof(struct ans_el), 0,
     "one per answered question (at most 50): value, values or text by the question's kind", 1,
     answer_fields, SA_QUESTIONS_MAX},
    {0},
};

const struct api_shape api_shapes_survey_answers[] = {
    {"PublicSurvey", "lang:str(zh-CN|zh-TW|en) langs:[str] title:str intro:str expires_at:ts "
                     "questions:[PublicSurveyQuestion]"},
    {"PublicSurveyQuestion",
     "id:int position:int kind:str(nps|csat|rating|single|multi|text) text:str required:bool "
     "options:[{position:int label:str}]"},
    {"SurveyResponse",
     "id:int survey_id:int link_id:int account_id:int account_name:str contact_id:int? "
     "contact_name:str? lang:str channel:str entered_by:int? submitted_at:ts "
     "answers:[SurveyAnswer]"},
    {"SurveyAnswer",
     "question_id:int position:int kind:str(nps|csat|rating|single|multi|text) value:int? "
     "values:[int]? text:str? tone:str(none|neutral|negative|positive)?"},
    {NULL, NULL},
};

static void retry_after(struct api_call *c, int64_t seconds)
{
    http_resp_header(c->resp, "Retry-After",
                     arena_printf(c->ctx->a, "%lld", (long long)(seconds > 0 ? seconds : 1)));
}

/* The body of the public routes and of staff entry into b; answers into the service's form. */
static enum kam_err decode(struct api_call *c, const struct jfield *spec, struct body *b,
                           struct sa_answer_in **in, size_t *n)
{
    if (c->req->body_len > SA_BODY_MAX)
        return kam_fail(c->ctx->err, KAM_ETOOBIG, "body", "the body is larger than %d bytes",
                        SA_BODY_MAX);
    unsigned set = 0;
    enum kam_err rc = api_decode(c, spec, b, &set);
    if (rc)
        return rc;
    if (spec != public_get_spec && !(set & 4))
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "answers", "required",
                            (struct kam_param[]){{"field", "answers"}, {0}}, "answers is required");
    if (!in)
        return KAM_OK;
    *n = (size_t)b->nanswers;
    *in = arena_calloc(c->ctx->a, *n ? *n : 1, sizeof **in);
    for (size_t i = 0; i < *n; i++) {
        const struct ans_el *e = &b->answers[i];
        struct sa_answer_in *a = &(*in)[i];
        a->has = e->set;
        a->question_id = e->question_id;
        a->value = e->value;
        a->text = e->text ? e->text : "";
        a->nvalues = e->nvalues > SA_OPTIONS_MAX ? SA_OPTIONS_MAX : e->nvalues;
        a->values_over = e->nvalues > SA_OPTIONS_MAX;
        memcpy(a->values, e->values, (size_t)a->nvalues * sizeof a->values[0]);
    }
    return KAM_OK;
}

/* A public body that did not decode (error rc) counts on the client's address: 429 instead
 * when the address is over its limit. */
static enum kam_err refused(struct api_call *c, enum kam_err rc)
{
    struct kam_error saved = *c->ctx->err;
    int64_t retry = 0;
    kam_error_clear(c->ctx->err);
    enum kam_err t = sa_public_refused(c->ctx, c->req->remote_addr, &retry);
    if (t == KAM_ELIMIT)
        retry_after(c, retry);
    if (t)
        return t;
    *c->ctx->err = saved;
    return rc;
}

/* The public routes' gate (api/core/dispatch.c): an address over its limit gets 429 on the
 * request's headers, before its body is read (and again before the body is decoded or the
 * query checked); a request dispatch refuses itself (a body over the 64 KB cap, not JSON, an
 * unknown query parameter) counts on it like one whose body does not decode. A path with no
 * route (404, 405) is not counted. */
static enum kam_err gate(struct api_call *c, enum kam_err rc)
{
    if (rc)
        return refused(c, rc);
    int64_t retry = 0;
    rc = sa_public_over(c->ctx, c->req->remote_addr, &retry);
    if (rc == KAM_ELIMIT)
        retry_after(c, retry);
    return rc;
}

static enum kam_err public_get(struct api_call *c)
{
    struct body b = {0};
    enum kam_err rc = decode(c, public_get_spec, &b, NULL, NULL);
    if (rc)
        return refused(c, rc);
    struct sa_public p;
    int64_t retry = 0;
    rc = sa_public_get(c->ctx, b.token, b.lang, c->req->remote_addr, &p, &retry);
    if (rc == KAM_ELIMIT)
        retry_after(c, retry);
    if (rc)
        return rc;
    struct jw *w = &c->w;
    const struct sa_survey *s = &p.survey;
    jw_obj_begin(w);
    jw_kstr(w, "lang", sa_lang_tags[p.lang]);
    jw_key(w, "langs");
    jw_arr_begin(w);
    for (int i = 0; i < SA_LANGS; i++)
        if (p.langs[i])
            jw_str(w, sa_lang_tags[i]);
    jw_arr_end(w);
    jw_kstr(w, "title", sa_text_in(s->titles, p.lang));
    jw_kstr(w, "intro", sa_text_in(s->intros, p.lang));
    jw_ktime(w, "expires_at", p.expires_at);
    jw_key(w, "questions");
    jw_arr_begin(w);
    for (int i = 0; i < s->nquestions; i++) {
        const struct sa_question *q = &s->questions[i];
        jw_obj_begin(w);
        jw_ki64(w, "id", q->id);
        jw_ki64(w, "position", q->position);
        jw_kstr(w, "kind", sa_kind_names[q->kind]);
        jw_kstr(w, "text", sa_text_in(q->texts, p.lang));
        jw_kbool(w, "required", q->required);
        jw_key(w, "options");
        jw_arr_begin(w);
        for (int k = 0; k < q->noptions; k++) {
            jw_obj_begin(w);
            jw_ki64(w, "position", q->option_pos[k]);
            jw_kstr(w, "label", sa_text_in(q->labels[k], p.lang));
            jw_obj_end(w);
        }
        jw_arr_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err public_answer(struct api_call *c)
{
    struct body b = {0};
    struct sa_answer_in *in = NULL;
    size_t n = 0;
    enum kam_err rc = decode(c, public_answer_spec, &b, &in, &n);
    if (rc)
        return refused(c, rc);
    int lang = 0;
    int64_t retry = 0;
    rc = sa_public_answer(c->ctx, b.token, b.lang, c->req->remote_addr, in, n, &lang, &retry);
    if (rc == KAM_ELIMIT)
        retry_after(c, retry);
    if (rc)
        return rc;
    static const enum msg_lang ml[SA_LANGS] = {MSG_ZH_CN, MSG_ZH_TW, MSG_EN};
    char thanks[256];
    if (msg_render(ml[lang], "survey.thanks", NULL, 0, thanks, sizeof thanks) < 0)
        strcpy(thanks, "Thank you for your answers.");
    c->status = 201;
    jw_obj_begin(&c->w);
    jw_kstr(&c->w, "thanks", thanks);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static void render_response(struct jw *w, const struct sa_response *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "survey_id", x->survey_id);
    jw_ki64(w, "link_id", x->link_id);
    jw_ki64(w, "account_id", x->account_id);
    jw_kstr(w, "account_name", x->account_name);
    jw_ki64n(w, "contact_id", x->contact_id, !x->has_contact);
    jw_kstr(w, "contact_name", x->contact_name);
    jw_kstr(w, "lang", x->lang);
    jw_kstr(w, "channel", x->channel);
    jw_ki64n(w, "entered_by", x->entered_by, !x->has_entered_by);
    jw_ktime(w, "submitted_at", x->submitted_at);
    jw_key(w, "answers");
    jw_arr_begin(w);
    for (size_t i = 0; i < x->nanswers; i++) {
        const struct sa_answer *a = &x->answers[i];
        jw_obj_begin(w);
        jw_ki64(w, "question_id", a->question_id);
        jw_ki64(w, "position", a->position);
        jw_kstr(w, "kind", sa_kind_names[a->kind]);
        jw_ki64n(w, "value", a->value, a->kind == SA_TEXT || a->kind == SA_MULTI);
        jw_key(w, "values");
        if (a->kind == SA_MULTI) {
            jw_arr_begin(w);
            for (int p = 0; p < SA_OPTIONS_MAX; p++)
                if (a->value & ((int64_t)1 << p))
                    jw_i64(w, p);
            jw_arr_end(w);
        } else {
            jw_null(w);
        }
        jw_kstr(w, "text", a->text);
        /* a comment's tone (svc/core/tone.h); null for scores and choices */
        jw_kstr(w, "tone", a->kind == SA_TEXT ? tone_label_name((enum tone_label)a->tone) : NULL);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

static enum kam_err enter(struct api_call *c)
{
    struct body b = {0};
    struct sa_answer_in *in = NULL;
    size_t n = 0;
    enum kam_err rc = decode(c, enter_spec, &b, &in, &n);
    if (rc)
        return rc;
    struct sa_response out;
    if ((rc = sa_response_enter(c->ctx, c->id[0], b.lang, in, n, &out)))
        return rc;
    c->status = 201;
    render_response(&c->w, &out);
    return KAM_OK;
}

static enum kam_err list(struct api_call *c)
{
    struct sa_response_query q = {.survey_id = c->id[0], .cursor = api_query_str(c, "cursor")};
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) ||
        (rc = api_query_i64(c, "account_id", 0, &q.account_id)))
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    struct sa_response *items;
    size_t n;
    const char *next;
    if ((rc = sa_response_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_response(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct sa_response out;
    enum kam_err rc = sa_response_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_response(&c->w, &out);
    return rc;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = sa_response_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static const char *const list_query[] = {"account_id", "limit", "cursor", NULL};

const struct route api_routes_survey_answers[] = {
    {"POST", "/api/v1/public/survey", public_get, OBJ_PUBLIC, ACT_READ, SCOPE_NONE, public_get_spec,
     NULL, 200,
     "The survey of a link as its respondent sees it (no session; the token in the body; "
     "throttled by address (IPv6 by /64) and token: 429 with Retry-After; unknown 404, answered "
     "409, expired or closed 410)",
     "PublicSurvey", ROUTE_OWN_TX, gate},
    {"POST", "/api/v1/public/survey/answer", public_answer, OBJ_PUBLIC, ACT_CREATE, SCOPE_NONE,
     public_answer_spec, NULL, 201,
     "Answer a survey by its link, once (no session; body <= 64 KB; every answer checked "
     "against the survey; nothing is stored on any refusal)",
     "{thanks:str}", ROUTE_OWN_TX, gate},
    {"POST", "/api/v1/survey-links/:id/response", enter, OBJ_SURVEY_RESPONSE, ACT_CREATE,
     SCOPE_SURVEY_LINK, enter_spec, NULL, 201,
     "Enter the answers a contact gave by phone for their link (entered_by: the caller)",
     "SurveyResponse"},
    {"GET", "/api/v1/surveys/:id/responses", list, OBJ_SURVEY_RESPONSE, ACT_READ, SCOPE_NONE, NULL,
     list_query, 200,
     "The survey's responses (verbatims) of accounts in the caller's scope, latest first: "
     "account_id; keyset paging",
     "[SurveyResponse]"},
    {"GET", "/api/v1/survey-responses/:id", get, OBJ_SURVEY_RESPONSE, ACT_READ, SCOPE_RESPONSE,
     NULL, NULL, 200, "One response with its answers", "SurveyResponse"},
    {"DELETE", "/api/v1/survey-responses/:id", del, OBJ_SURVEY_RESPONSE, ACT_DELETE, SCOPE_RESPONSE,
     NULL, NULL, 204,
     "Erase a response: its answers, and the respondent's name, score and comment on its "
     "follow-ups (audited without them; the link stays answered)",
     "-"},
    {0},
};
