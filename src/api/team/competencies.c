/* competencies.c -- routes of the account team chapter: competency model, role profiles,
 * assessments, candidates (F6.1): decode, call svc/team, render. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/team/candidate.h"
#include "svc/team/competency.h"

const struct api_shape api_shapes_competencies[] = {
    {"Competency", "id:int code:str name_zh:str name_en:str description_zh:str description_en:str "
                   "custom:bool active:bool levels:[CompetencyLevel] version:int created_at:ts "
                   "updated_at:ts"},
    {"CompetencyLevel", "level:int descriptor_zh:str descriptor_en:str"},
    {"RoleProfile", "id:int code:str name_zh:str name_en:str description:str active:bool "
                    "levels:[RoleProfileLevel] version:int created_at:ts updated_at:ts"},
    {"RoleProfileLevel", "competency_id:int code:str name_zh:str name_en:str level:int weight:int"},
    {"RoleProfileRef", "id:int code:str name_zh:str name_en:str"},
    {"Assessment", "id:int user_id:int user_name:str assessor_id:int? assessor_name:str? "
                   "kind:str(self|manager|peer) assessed_on:date note:str scores:[AssessmentScore] "
                   "created_by:int? version:int created_at:ts updated_at:ts"},
    {"AssessmentScore", "competency_id:int code:str level:int evidence:str"},
    {"PersonCompetencies", "user_id:int user_name:str on:date profile:RoleProfileRef? fit_bp:int? "
                           "items:[PersonCompetency]"},
    {"PersonCompetency",
     "competency_id:int code:str name_zh:str name_en:str level:num? n_assessments:int "
     "required:int? weight:int? gap:num? assessments:[PersonScore]"},
    {"PersonScore", "assessment_id:int kind:str(self|manager|peer) assessor_id:int? "
                    "assessed_on:date level:int evidence:str used:bool"},
    {"Candidate",
     "id:int profile_id:int profile_code:str user_id:int? internal:bool name:str contact:str "
     "source:str note:str status:str(open|hired|rejected|on_hold|promoted) decision_reason:str "
     "decided_by:int? decided_at:ts? interview_scores:[InterviewScore] created_by:int? "
     "version:int created_at:ts updated_at:ts"},
    {"InterviewScore", "competency_id:int code:str interviewer_id:int interviewer_name:str "
                       "level:int note:str scored_at:ts"},
    {"CandidateRanking", "profile_id:int profile_code:str on:date items:[RankedCandidate]"},
    {"RankedCandidate",
     "rank:int candidate_id:int name:str internal:bool user_id:int? "
     "status:str(open|hired|rejected|on_hold|promoted) fit_bp:int meets:bool levels:[RankLevel] "
     "gaps:[RankGap]"},
    {"RankLevel", "competency_id:int code:str required:int weight:int level:num? "
                  "source:str(assessment|interview)? n:int"},
    {"RankGap", "competency_id:int code:str required:int has:num? gap:num"},
    {NULL, NULL},
};

/* ---- bodies ---- */

#define CRF(f) offsetof(struct competency_rubric, f)
static const struct jfield rubric_spec[] = {
    {"level", J_I64, CR_LEVEL, CRF(level), 0, 0, 0, "1..5, each once", 1},
    {"descriptor_zh", J_STR, CR_ZH, CRF(descriptor_zh), 0, 0, 1, "<= 500 characters"},
    {"descriptor_en", J_STR, CR_EN, CRF(descriptor_en), 0, 0, 1, "<= 500 characters"},
    {0},
};

#define CF(f) offsetof(struct competency_in, v.f)
#define CB(f) offsetof(struct competency_in, f)
static const struct jfield comp_spec[] = {
    {"code", J_STR, CO_CODE, CF(code), 0, 0, 0,
     "POST: lower-case letters, digits, _ (1-40, unique); cannot change", 1},
    {"name_zh", J_STR, CO_NAME_ZH, CF(name_zh), 0, 0, 0, "1-100 characters", 1},
    {"name_en", J_STR, CO_NAME_EN, CF(name_en), 0, 0, 0, "1-100 characters", 1},
    {"description_zh", J_STR, CO_DESC_ZH, CF(description_zh), 0, 0, 1, "<= 2000 characters"},
    {"description_en", J_STR, CO_DESC_EN, CF(description_en), 0, 0, 1, "<= 2000 characters"},
    {"active", J_BOOL, CO_ACTIVE, CF(active), 0, 0, 0,
     "default true; false retires it (new assessments, interviews refuse it)"},
    {"levels", J_OBJS, CO_LEVELS, CB(levels), CB(n_levels), sizeof(struct competency_rubric), 0,
     "the rubric, set whole: levels 1 to 5 each once with descriptors, or none", 0, rubric_spec,
     COMP_LEVELS},
    {"version", J_I64, CO_VERSION, CF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

#define PLF(f) offsetof(struct profile_level, f)
static const struct jfield plevel_spec[] = {
    {"competency_id", J_I64, PL_COMP, PLF(competency_id), 0, 0, 0, "a competency, once", 1},
    {"level", J_I64, PL_LEVEL, PLF(level), 0, 0, 0, "the level needed, 1..5", 1},
    {"weight", J_I64, PL_WEIGHT, PLF(weight), 0, 0, 0, "1..100 in the fit (default 1)"},
    {0},
};

#define PF(f) offsetof(struct role_profile_in, v.f)
#define PB(f) offsetof(struct role_profile_in, f)
static const struct jfield prof_spec[] = {
    {"code", J_STR, RP_CODE, PF(code), 0, 0, 0,
     "POST: account_manager, senior_account_manager, team_lead or any code (lower-case letters, "
     "digits, _; unique); cannot change",
     1},
    {"name_zh", J_STR, RP_NAME_ZH, PF(name_zh), 0, 0, 0, "1-100 characters", 1},
    {"name_en", J_STR, RP_NAME_EN, PF(name_en), 0, 0, 0, "1-100 characters", 1},
    {"description", J_STR, RP_DESC, PF(description), 0, 0, 1, "<= 2000 characters"},
    {"active", J_BOOL, RP_ACTIVE, PF(active), 0, 0, 0, "default true"},
    {"levels", J_OBJS, RP_LEVELS, PB(levels), PB(n_levels), sizeof(struct profile_level), 0,
     "the level each competency needs (set whole), 1-30", 1, plevel_spec, PROFILE_LEVELS_MAX},
    {"version", J_I64, RP_VERSION, PF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

#define ASF(f) offsetof(struct assessment_score, f)
static const struct jfield ascore_spec[] = {
    {"competency_id", J_I64, AS_COMP, ASF(competency_id), 0, 0, 0, "an active competency, once", 1},
    {"level", J_I64, AS_LEVEL, ASF(level), 0, 0, 0, "1..5", 1},
    {"evidence", J_STR, AS_EVIDENCE, ASF(evidence), 0, 0, 1, "<= 2000 characters"},
    {0},
};

#define AF(f) offsetof(struct assessment_in, v.f)
#define AB(f) offsetof(struct assessment_in, f)
static const struct jfield asm_spec[] = {
    {"user_id", J_I64, AM_USER, AF(user_id), 0, 0, 0,
     "the person assessed (self: the caller; manager: someone the caller leads; peer: a "
     "colleague of the caller's team)",
     1},
    {"kind", J_STR, AM_KIND, AF(kind), 0, 0, 0, "self | manager | peer", 1},
    {"assessed_on", J_STR, AM_DAY, AF(assessed_on), 0, 0, 0, "YYYY-MM-DD, not in the future", 1},
    {"note", J_STR, AM_NOTE, AF(note), 0, 0, 1, "<= 2000 characters"},
    {"scores", J_OBJS, AM_SCORES, AB(scores), AB(n_scores), sizeof(struct assessment_score), 0,
     "the levels given, 1-30, each with its evidence", 1, ascore_spec, ASSESS_SCORES_MAX},
    {0},
};

#define KF(f) offsetof(struct candidate_in, v.f)
static const struct jfield cand_spec[] = {
    {"profile_id", J_I64, CA_PROFILE, KF(profile_id), 0, 0, 0,
     "POST: the active role profile applied for; cannot change", 1},
    {"user_id", J_I64, CA_USER, KF(user_id), KF(has_user), 0, 1,
     "POST: an internal candidate (a user; the name defaults to theirs); cannot change"},
    {"name", J_STR, CA_NAME, KF(name), 0, 0, 0, "1-100 characters (required for an external one)"},
    {"contact", J_STR, CA_CONTACT, KF(contact), 0, 0, 1, "<= 200 characters"},
    {"source", J_STR, CA_SOURCE, KF(source), 0, 0, 1,
     "where an external candidate came from, <= 100 characters"},
    {"note", J_STR, CA_NOTE, KF(note), 0, 0, 1, "<= 2000 characters"},
    {"version", J_I64, CA_VERSION, KF(version), 0, 0, 0,
     "PATCH: the version you read (409 if it changed)"},
    {0},
};

#define ISF(f) offsetof(struct interview_score, f)
static const struct jfield iscore_spec[] = {
    {"competency_id", J_I64, IS_COMP, ISF(competency_id), 0, 0, 0, "an active competency, once", 1},
    {"level", J_I64, IS_LEVEL, ISF(level), 0, 0, 0, "1..5", 1},
    {"note", J_STR, IS_NOTE, ISF(note), 0, 0, 1, "<= 2000 characters"},
    {0},
};

struct scores_body {
    unsigned set;
    struct interview_in in;
};
#define SB(f) offsetof(struct scores_body, f)
static const struct jfield scores_spec[] = {
    {"scores", J_OBJS, 1, SB(in.scores), SB(in.n_scores), sizeof(struct interview_score), 0,
     "the caller's interview levels, 1-30 (a competency scored again replaces the caller's "
     "earlier score)",
     1, iscore_spec, CAND_SCORES_MAX},
    {0},
};

struct decision_body {
    unsigned set;
    const char *decision, *reason;
};
#define DB(f) offsetof(struct decision_body, f)
static const struct jfield decision_spec[] = {
    {"decision", J_STR, 1, DB(decision), 0, 0, 0,
     "hired | rejected | on_hold | promoted (internal candidates)", 1},
    {"reason", J_STR, 2, DB(reason), 0, 0, 1,
     "why; required (409 candidate.reason_required without one), <= 2000 characters", 1},
    {0},
};

/* ---- renderers ---- */

static void level_num(struct jw *w, const char *k, int has, double v)
{
    jw_key(w, k);
    if (has)
        jw_fixed(w, (int64_t)llround(v * 100.0), 2);
    else
        jw_null(w);
}

static void render_comp(struct jw *w, const struct competency *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "code", x->code);
    jw_kstr(w, "name_zh", x->name_zh);
    jw_kstr(w, "name_en", x->name_en);
    jw_kstr(w, "description_zh", x->description_zh);
    jw_kstr(w, "description_en", x->description_en);
    jw_kbool(w, "custom", x->custom);
    jw_kbool(w, "active", x->active);
    jw_key(w, "levels");
    jw_arr_begin(w);
    for (size_t i = 0; i < x->n_levels; i++) {
        jw_obj_begin(w);
        jw_ki64(w, "level", x->levels[i].level);
        jw_kstr(w, "descriptor_zh", x->levels[i].descriptor_zh);
        jw_kstr(w, "descriptor_en", x->levels[i].descriptor_en);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static void render_prof(struct jw *w, const struct role_profile *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_kstr(w, "code", x->code);
    jw_kstr(w, "name_zh", x->name_zh);
    jw_kstr(w, "name_en", x->name_en);
    jw_kstr(w, "description", x->description);
    jw_kbool(w, "active", x->active);
    jw_key(w, "levels");
    jw_arr_begin(w);
    for (size_t i = 0; i < x->n_levels; i++) {
        const struct profile_level *l = &x->levels[i];
        jw_obj_begin(w);
        jw_ki64(w, "competency_id", l->competency_id);
        jw_kstr(w, "code", l->code);
        jw_kstr(w, "name_zh", l->name_zh);
        jw_kstr(w, "name_en", l->name_en);
        jw_ki64(w, "level", l->level);
        jw_ki64(w, "weight", l->weight);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static void render_asm(struct jw *w, const struct assessment *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "user_id", x->user_id);
    jw_kstr(w, "user_name", x->user_name);
    jw_ki64n(w, "assessor_id", x->assessor_id, !x->has_assessor);
    jw_kstr(w, "assessor_name", x->assessor_name);
    jw_kstr(w, "kind", x->kind);
    jw_kstr(w, "assessed_on", x->assessed_on);
    jw_kstr(w, "note", x->note);
    jw_key(w, "scores");
    jw_arr_begin(w);
    for (size_t i = 0; i < x->n_scores; i++) {
        jw_obj_begin(w);
        jw_ki64(w, "competency_id", x->scores[i].competency_id);
        jw_kstr(w, "code", x->scores[i].code);
        jw_ki64(w, "level", x->scores[i].level);
        jw_kstr(w, "evidence", x->scores[i].evidence);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ki64n(w, "created_by", x->created_by, !x->has_created_by);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

static void render_cand(struct jw *w, const struct candidate *x)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", x->id);
    jw_ki64(w, "profile_id", x->profile_id);
    jw_kstr(w, "profile_code", x->profile_code);
    jw_ki64n(w, "user_id", x->user_id, !x->has_user);
    jw_kbool(w, "internal", x->has_user);
    jw_kstr(w, "name", x->name);
    jw_kstr(w, "contact", x->contact);
    jw_kstr(w, "source", x->source);
    jw_kstr(w, "note", x->note);
    jw_kstr(w, "status", x->status);
    jw_kstr(w, "decision_reason", x->decision_reason);
    jw_ki64n(w, "decided_by", x->decided_by, !x->has_decided_by);
    jw_ktime_opt(w, "decided_at", x->decided_at, x->has_decided_at);
    jw_key(w, "interview_scores");
    jw_arr_begin(w);
    for (size_t i = 0; i < x->n_scores; i++) {
        const struct interview_score *s = &x->scores[i];
        jw_obj_begin(w);
        jw_ki64(w, "competency_id", s->competency_id);
        jw_kstr(w, "code", s->code);
        jw_ki64(w, "interviewer_id", s->interviewer_id);
        jw_kstr(w, "interviewer_name", s->interviewer_name);
        jw_ki64(w, "level", s->level);
        jw_kstr(w, "note", s->note);
        jw_ktime(w, "scored_at", s->scored_at);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ki64n(w, "created_by", x->created_by, !x->has_created_by);
    jw_ki64(w, "version", x->version);
    jw_ktime(w, "created_at", x->created_at);
    jw_ktime(w, "updated_at", x->updated_at);
    jw_obj_end(w);
}

/* ---- handlers ---- */

static enum kam_err paging(struct api_call *c, int64_t *limit)
{
    enum kam_err rc = api_query_i64(c, "limit", 0, limit);
    if (!rc && http_query(c->req, "limit") && *limit == 0)
        rc = kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    return rc;
}

static enum kam_err active_param(struct api_call *c, int *out)
{
    int64_t v = -1;
    enum kam_err rc = api_query_i64(c, "active", -1, &v);
    if (rc)
        return rc;
    if (v < -1 || v > 1 || (http_query(c->req, "active") && v < 0))
        return kam_fail(c->ctx->err, KAM_EINVAL, "active", "active must be 0 or 1");
    *out = (int)v;
    return KAM_OK;
}

static enum kam_err no_version(struct api_call *c, unsigned set, unsigned bit)
{
    if (set & bit)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    return KAM_OK;
}

static enum kam_err co_list(struct api_call *c)
{
    struct competency_query q = {.sort = api_query_str(c, "sort"),
                                 .cursor = api_query_str(c, "cursor")};
    enum kam_err rc;
    if ((rc = paging(c, &q.limit)) || (rc = active_param(c, &q.active)))
        return rc;
    struct competency *items;
    size_t n;
    const char *next;
    if ((rc = competency_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_comp(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err co_create(struct api_call *c)
{
    struct competency_in in = {0};
    enum kam_err rc = api_decode(c, comp_spec, &in, &in.set);
    if (rc || (rc = no_version(c, in.set, CO_VERSION)))
        return rc;
    struct competency out;
    if ((rc = competency_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_comp(&c->w, &out);
    return KAM_OK;
}

static enum kam_err co_get(struct api_call *c)
{
    struct competency out;
    enum kam_err rc = competency_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_comp(&c->w, &out);
    return rc;
}

static enum kam_err co_patch(struct api_call *c)
{
    struct competency_in in = {0};
    enum kam_err rc = api_decode(c, comp_spec, &in, &in.set);
    if (rc)
        return rc;
    struct competency out;
    if ((rc = competency_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_comp(&c->w, &out);
    return KAM_OK;
}

static enum kam_err co_del(struct api_call *c)
{
    enum kam_err rc = competency_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err rp_list(struct api_call *c)
{
    struct role_profile_query q = {.sort = api_query_str(c, "sort"),
                                   .cursor = api_query_str(c, "cursor")};
    enum kam_err rc;
    if ((rc = paging(c, &q.limit)) || (rc = active_param(c, &q.active)))
        return rc;
    struct role_profile *items;
    size_t n;
    const char *next;
    if ((rc = role_profile_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_prof(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err rp_create(struct api_call *c)
{
    struct role_profile_in in = {0};
    enum kam_err rc = api_decode(c, prof_spec, &in, &in.set);
    if (rc || (rc = no_version(c, in.set, RP_VERSION)))
        return rc;
    struct role_profile out;
    if ((rc = role_profile_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_prof(&c->w, &out);
    return KAM_OK;
}

static enum kam_err rp_get(struct api_call *c)
{
    struct role_profile out;
    enum kam_err rc = role_profile_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_prof(&c->w, &out);
    return rc;
}

static enum kam_err rp_patch(struct api_call *c)
{
    struct role_profile_in in = {0};
    enum kam_err rc = api_decode(c, prof_spec, &in, &in.set);
    if (rc)
        return rc;
    struct role_profile out;
    if ((rc = role_profile_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_prof(&c->w, &out);
    return KAM_OK;
}

static enum kam_err rp_del(struct api_call *c)
{
    enum kam_err rc = role_profile_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err rp_ranking(struct api_call *c)
{
    struct ranking r;
    enum kam_err rc = candidate_ranking(c->ctx, c->id[0], api_query_str(c, "status"), &r);
    if (rc)
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "profile_id", r.profile_id);
    jw_kstr(w, "profile_code", r.profile_code);
    jw_kstr(w, "on", r.on_day);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < r.n_items; i++) {
        const struct ranked *x = &r.items[i];
        jw_obj_begin(w);
        jw_ki64(w, "rank", x->rank);
        jw_ki64(w, "candidate_id", x->c.id);
        jw_kstr(w, "name", x->c.name);
        jw_kbool(w, "internal", x->c.has_user);
        jw_ki64n(w, "user_id", x->c.user_id, !x->c.has_user);
        jw_kstr(w, "status", x->c.status);
        jw_ki64(w, "fit_bp", x->fit_bp);
        jw_kbool(w, "meets", x->meets);
        jw_key(w, "levels");
        jw_arr_begin(w);
        for (size_t k = 0; k < x->n_levels; k++) {
            const struct rank_level *l = &x->levels[k];
            jw_obj_begin(w);
            jw_ki64(w, "competency_id", l->competency_id);
            jw_kstr(w, "code", l->code);
            jw_ki64(w, "required", l->required);
            jw_ki64(w, "weight", l->weight);
            level_num(w, "level", l->has_level, l->level);
            jw_kstr(w, "source", l->source);
            jw_ki64(w, "n", l->n);
            jw_obj_end(w);
        }
        jw_arr_end(w);
        jw_key(w, "gaps");
        jw_arr_begin(w);
        for (size_t k = 0; k < x->n_levels; k++) {
            const struct rank_level *l = &x->levels[k];
            double have = l->has_level ? l->level : 0;
            if (have >= (double)l->required)
                continue;
            jw_obj_begin(w);
            jw_ki64(w, "competency_id", l->competency_id);
            jw_kstr(w, "code", l->code);
            jw_ki64(w, "required", l->required);
            level_num(w, "has", l->has_level, l->level);
            level_num(w, "gap", 1, (double)l->required - have);
            jw_obj_end(w);
        }
        jw_arr_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err as_list(struct api_call *c)
{
    struct assessment_query q = {.kind = api_query_str(c, "kind"),
                                 .sort = api_query_str(c, "sort"),
                                 .cursor = api_query_str(c, "cursor")};
    enum kam_err rc;
    if ((rc = paging(c, &q.limit)) || (rc = api_query_user(c, "user_id", &q.user_id)) ||
        (rc = api_query_user(c, "assessor_id", &q.assessor_id)))
        return rc;
    struct assessment *items;
    size_t n;
    const char *next;
    if ((rc = assessment_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_asm(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err as_create(struct api_call *c)
{
    struct assessment_in in = {0};
    enum kam_err rc = api_decode(c, asm_spec, &in, &in.set);
    if (rc)
        return rc;
    struct assessment out;
    if ((rc = assessment_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_asm(&c->w, &out);
    return KAM_OK;
}

static enum kam_err as_get(struct api_call *c)
{
    struct assessment out;
    enum kam_err rc = assessment_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_asm(&c->w, &out);
    return rc;
}

static enum kam_err as_del(struct api_call *c)
{
    enum kam_err rc = assessment_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err person_view(struct api_call *c)
{
    struct person_view v;
    enum kam_err rc = competency_person_view(c->ctx, c->id[0], api_query_str(c, "on"),
                                             api_query_str(c, "profile"), &v);
    if (rc)
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "user_id", v.user_id);
    jw_kstr(w, "user_name", v.user_name);
    jw_kstr(w, "on", v.on_day);
    jw_key(w, "profile");
    if (v.has_profile) {
        jw_obj_begin(w);
        jw_ki64(w, "id", v.profile.id);
        jw_kstr(w, "code", v.profile.code);
        jw_kstr(w, "name_zh", v.profile.name_zh);
        jw_kstr(w, "name_en", v.profile.name_en);
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
    jw_ki64n(w, "fit_bp", v.fit_bp, !v.has_profile);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < v.n_items; i++) {
        const struct person_competency *x = &v.items[i];
        jw_obj_begin(w);
        jw_ki64(w, "competency_id", x->competency_id);
        jw_kstr(w, "code", x->code);
        jw_kstr(w, "name_zh", x->name_zh);
        jw_kstr(w, "name_en", x->name_en);
        level_num(w, "level", x->has_level, x->level);
        jw_ki64(w, "n_assessments", x->n_assessments);
        jw_ki64n(w, "required", x->required, !x->has_required);
        jw_ki64n(w, "weight", x->weight, !x->has_required);
        level_num(w, "gap", x->has_required, x->gap);
        jw_key(w, "assessments");
        jw_arr_begin(w);
        for (size_t k = 0; k < x->n_scores; k++) {
            const struct person_score *s = &x->scores[k];
            jw_obj_begin(w);
            jw_ki64(w, "assessment_id", s->assessment_id);
            jw_kstr(w, "kind", s->kind);
            jw_ki64n(w, "assessor_id", s->assessor_id, !s->has_assessor);
            jw_kstr(w, "assessed_on", s->assessed_on);
            jw_ki64(w, "level", s->level);
            jw_kstr(w, "evidence", s->evidence);
            jw_kbool(w, "used", s->used);
            jw_obj_end(w);
        }
        jw_arr_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err ca_list(struct api_call *c)
{
    struct candidate_query q = {.status = api_query_str(c, "status"),
                                .cursor = api_query_str(c, "cursor")};
    enum kam_err rc;
    if ((rc = paging(c, &q.limit)) || (rc = api_query_i64(c, "profile_id", 0, &q.profile_id)))
        return rc;
    struct candidate *items;
    size_t n;
    const char *next;
    if ((rc = candidate_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_cand(&c->w, &items[i]);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err ca_create(struct api_call *c)
{
    struct candidate_in in = {0};
    enum kam_err rc = api_decode(c, cand_spec, &in, &in.set);
    if (rc || (rc = no_version(c, in.set, CA_VERSION)))
        return rc;
    struct candidate out;
    if ((rc = candidate_create(c->ctx, &in, &out)))
        return rc;
    c->status = 201;
    render_cand(&c->w, &out);
    return KAM_OK;
}

static enum kam_err ca_get(struct api_call *c)
{
    struct candidate out;
    enum kam_err rc = candidate_get(c->ctx, c->id[0], &out);
    if (!rc)
        render_cand(&c->w, &out);
    return rc;
}

static enum kam_err ca_patch(struct api_call *c)
{
    struct candidate_in in = {0};
    enum kam_err rc = api_decode(c, cand_spec, &in, &in.set);
    if (rc)
        return rc;
    struct candidate out;
    if ((rc = candidate_update(c->ctx, c->id[0], &in, &out)))
        return rc;
    render_cand(&c->w, &out);
    return KAM_OK;
}

static enum kam_err ca_scores(struct api_call *c)
{
    struct scores_body b = {0};
    enum kam_err rc = api_decode(c, scores_spec, &b, &b.set);
    if (rc)
        return rc;
    if (!(b.set & 1))
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "scores", "required",
                            (struct kam_param[]){{"field", "scores"}, {0}}, "scores is required");
    struct candidate out;
    if ((rc = candidate_score(c->ctx, c->id[0], &b.in, &out)))
        return rc;
    render_cand(&c->w, &out);
    return KAM_OK;
}

static enum kam_err ca_decide(struct api_call *c)
{
    struct decision_body b = {0};
    enum kam_err rc = api_decode(c, decision_spec, &b, &b.set);
    if (rc)
        return rc;
    struct candidate out;
    if ((rc = candidate_decide(c->ctx, c->id[0], (b.set & 1) ? b.decision : NULL,
                               (b.set & 2) ? b.reason : NULL, &out)))
        return rc;
    render_cand(&c->w, &out);
    return KAM_OK;
}

static const char *const model_query[] = {"active", "sort", "limit", "cursor", NULL};
static const char *const asm_query[] = {"user_id", "assessor_id", "kind", "sort",
                                        "limit",   "cursor",      NULL};
static const char *const person_query[] = {"on", "profile", NULL};
static const char *const cand_query[] = {"profile_id", "status", "limit", "cursor", NULL};
static const char *const rank_query[] = {"status", NULL};
/* Written once, before main, by init_queries(). */
static const char *co_export_query[API_EXPORT_QUERY_MAX];
static const char *rp_export_query[API_EXPORT_QUERY_MAX];
static const char *as_export_query[API_EXPORT_QUERY_MAX];
static const char *ca_export_query[API_EXPORT_QUERY_MAX];

#define EXPORT_DOC                                                                                 \
    " over all its pages, with its filters and sort, as a file: format=csv (default) or xlsx; "    \
    "columns=key[:label],...; lang=zh-CN|zh-TW|en; raw=1 keeps stored values"

const struct route api_routes_competencies[] = {
    {"GET", "/api/v1/competencies", co_list, OBJ_COMPETENCY, ACT_READ, SCOPE_NONE, NULL,
     model_query, 200,
     "The competency model: built-in and custom competencies with their rubric levels 1-5 "
     "(descriptors zh/en); active=0|1; sort code | id (default code); keyset paging",
     "[Competency]"},
    {"GET", "/api/v1/competencies/export", api_list_export, OBJ_COMPETENCY, ACT_READ, SCOPE_NONE,
     NULL, co_export_query, 200, "The competency list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/competencies", co_create, OBJ_COMPETENCY, ACT_CREATE, SCOPE_NONE, comp_spec,
     NULL, 201, "A custom competency with its rubric", "Competency"},
    {"GET", "/api/v1/competencies/:id", co_get, OBJ_COMPETENCY, ACT_READ, SCOPE_NONE, NULL, NULL,
     200, "One competency with its rubric", "Competency"},
    {"PATCH", "/api/v1/competencies/:id", co_patch, OBJ_COMPETENCY, ACT_UPDATE, SCOPE_NONE,
     comp_spec, NULL, 200,
     "Change a competency: names, descriptions, active, the rubric (set whole); not its code",
     "Competency"},
    {"DELETE", "/api/v1/competencies/:id", co_del, OBJ_COMPETENCY, ACT_DELETE, SCOPE_NONE, NULL,
     NULL, 204,
     "Delete an unused custom competency (409 competency.in_use / competency.builtin: deactivate "
     "it instead)",
     "-"},
    {"GET", "/api/v1/role-profiles", rp_list, OBJ_COMPETENCY, ACT_READ, SCOPE_NONE, NULL,
     model_query, 200,
     "Role profiles: the level each competency needs for a role; active=0|1; sort code | id",
     "[RoleProfile]"},
    {"GET", "/api/v1/role-profiles/export", api_list_export, OBJ_COMPETENCY, ACT_READ, SCOPE_NONE,
     NULL, rp_export_query, 200, "The role profile list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/role-profiles", rp_create, OBJ_COMPETENCY, ACT_CREATE, SCOPE_NONE, prof_spec,
     NULL, 201, "A role profile with its required levels", "RoleProfile"},
    {"GET", "/api/v1/role-profiles/:id", rp_get, OBJ_COMPETENCY, ACT_READ, SCOPE_NONE, NULL, NULL,
     200, "One role profile", "RoleProfile"},
    {"PATCH", "/api/v1/role-profiles/:id", rp_patch, OBJ_COMPETENCY, ACT_UPDATE, SCOPE_NONE,
     prof_spec, NULL, 200, "Change a role profile (levels set whole; not its code)", "RoleProfile"},
    {"DELETE", "/api/v1/role-profiles/:id", rp_del, OBJ_COMPETENCY, ACT_DELETE, SCOPE_NONE, NULL,
     NULL, 204,
     "Delete a role profile no candidate names (409 role_profile.in_use: deactivate it instead)",
     "-"},
    {"GET", "/api/v1/role-profiles/:id/ranking", rp_ranking, OBJ_CANDIDATE, ACT_READ, SCOPE_NONE,
     NULL, rank_query, 200,
     "The profile's candidates ranked by fit (fit_bp: 10000 x the weighted mean of min(level, "
     "required) / required; internal candidates by their assessed levels, external by the mean "
     "of their interview scores), each with the gaps; status= only those",
     "CandidateRanking"},
    {"GET", "/api/v1/assessments", as_list, OBJ_ASSESSMENT, ACT_READ, SCOPE_NONE, NULL, asm_query,
     200,
     "Assessments of the people in the caller's scope (themself, those they lead; hr, director "
     "all): user_id (or me), assessor_id (or me), kind; sort id | assessed_on (default -id)",
     "[Assessment]"},
    {"GET", "/api/v1/assessments/export", api_list_export, OBJ_ASSESSMENT, ACT_READ, SCOPE_NONE,
     NULL, as_export_query, 200, "The assessment list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/assessments", as_create, OBJ_ASSESSMENT, ACT_CREATE, SCOPE_NONE, asm_spec,
     NULL, 201,
     "Record an assessment of a person by the caller: self (about the caller), manager (of "
     "someone the caller leads), peer (of a colleague of the caller's team)",
     "Assessment"},
    {"GET", "/api/v1/assessments/:id", as_get, OBJ_ASSESSMENT, ACT_READ, SCOPE_ASSESSMENT, NULL,
     NULL, 200, "One assessment with its scores and evidence (the person's scope)", "Assessment"},
    {"DELETE", "/api/v1/assessments/:id", as_del, OBJ_ASSESSMENT, ACT_DELETE, SCOPE_ASSESSMENT,
     NULL, NULL, 204, "Delete an assessment (audited)", "-"},
    {"GET", "/api/v1/users/:id/competencies", person_view, OBJ_ASSESSMENT, ACT_READ, SCOPE_USER,
     NULL, person_query, 200,
     "A person's current level per competency (the latest manager assessment, else the mean of "
     "the latest self and each peer's latest) as of on= (default today), the assessments behind "
     "each number, and with profile=<code> the required levels, gaps and fit_bp",
     "PersonCompetencies"},
    {"GET", "/api/v1/candidates", ca_list, OBJ_CANDIDATE, ACT_READ, SCOPE_NONE, NULL, cand_query,
     200, "Candidates: profile_id, status; newest first", "[Candidate]"},
    {"GET", "/api/v1/candidates/export", api_list_export, OBJ_CANDIDATE, ACT_READ, SCOPE_NONE, NULL,
     ca_export_query, 200, "The candidate list" EXPORT_DOC, "csv"},
    {"POST", "/api/v1/candidates", ca_create, OBJ_CANDIDATE, ACT_CREATE, SCOPE_NONE, cand_spec,
     NULL, 201, "A candidate for a role profile: internal (user_id) or external (name, contact)",
     "Candidate"},
    {"GET", "/api/v1/candidates/:id", ca_get, OBJ_CANDIDATE, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "One candidate with the interview scores", "Candidate"},
    {"PATCH", "/api/v1/candidates/:id", ca_patch, OBJ_CANDIDATE, ACT_UPDATE, SCOPE_NONE, cand_spec,
     NULL, 200, "Change a candidate's name, contact, source, note", "Candidate"},
    {"POST", "/api/v1/candidates/:id/scores", ca_scores, OBJ_CANDIDATE, ACT_UPDATE, SCOPE_NONE,
     scores_spec, NULL, 200,
     "The caller's interview scores per competency (while the candidate is open or on hold)",
     "Candidate"},
    {"POST", "/api/v1/candidates/:id/decision", ca_decide, OBJ_CANDIDATE, ACT_UPDATE, SCOPE_NONE,
     decision_spec, NULL, 200,
     "Decide: hired | rejected | on_hold | promoted, with its reason (audited)", "Candidate"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/competencies/export", co_export_query);
    api_list_export_query("/api/v1/role-profiles/export", rp_export_query);
    api_list_export_query("/api/v1/assessments/export", as_export_query);
    api_list_export_query("/api/v1/candidates/export", ca_export_query);
}
