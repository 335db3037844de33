/* search.c -- global search (pinyin, initials, simplified/traditional) and duplicate candidates
 * (issue 12). */
#include <string.h>

#include "api.h"
#include "internal.h"
#include "svc/core/search.h"

const struct api_shape api_shapes_search[] = {
    {"SearchHit", "kind:str id:int account_id:int? label:str sub:str "
                  "matched:str(code|name|pinyin|initials|phone|email)"},
    {"DuplicateCandidate", "kind:str(account|contact) id:int account_id:int? label:str sub:str "
                           "reason:str(same_code|same_phone|same_email|similar_name) score:int"},
    {NULL, NULL},
};

/* What a search hit and a duplicate candidate both say of their record. */
static void write_found(struct jw *w, const char *kind, int64_t id, int64_t account_id,
                        const char *label, const char *sub)
{
    jw_kstr(w, "kind", kind);
    jw_ki64(w, "id", id);
    jw_ki64n(w, "account_id", account_id, !account_id);
    jw_kstr(w, "label", label);
    jw_kstr(w, "sub", sub);
}

static enum kam_err search(struct api_call *c)
{
    int64_t limit = 0;
    enum kam_err rc = api_query_i64(c, "limit", 0, &limit);
    if (rc)
        return rc;
    if (http_query(c->req, "limit") && limit < 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..%d", SEARCH_MAX_LIMIT);
    struct search_hit *items;
    size_t n;
    if ((rc = search_query(c->ctx, api_query_str(c, "q"), api_query_str(c, "kinds"), limit, &items,
                           &n)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(w);
        write_found(w, items[i].kind, items[i].id, items[i].account_id, items[i].label,
                    items[i].sub);
        jw_kstr(w, "matched", items[i].matched);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err duplicates(struct api_call *c)
{
    struct search_dup_query q = {0};
    enum kam_err rc;
    if ((rc = api_query_i64(c, "account_id", 0, &q.account_id)) ||
        (rc = api_query_i64(c, "exclude_id", 0, &q.exclude_id)))
        return rc;
    if (q.account_id < 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "account_id", "account_id must be positive");
    if (q.exclude_id < 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "exclude_id", "exclude_id must be positive");
    q.kind = api_query_str(c, "kind");
    q.name = api_query_str(c, "name");
    q.code = api_query_str(c, "code");
    q.phone = api_query_str(c, "phone");
    q.email = api_query_str(c, "email");
    struct search_dup *items;
    size_t n;
    int hidden = 0;
    if ((rc = search_duplicates(c->ctx, &q, &items, &n, &hidden)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(w);
        write_found(w, items[i].kind, items[i].id, items[i].account_id, items[i].label,
                    items[i].sub);
        jw_kstr(w, "reason", items[i].reason);
        jw_ki64(w, "score", items[i].score);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_ki64(w, "hidden", hidden);
    jw_obj_end(w);
    return KAM_OK;
}

static const char *const search_query_params[] = {"q", "kinds", "limit", NULL};
static const char *const dup_query_params[] = {"kind",  "name",       "code",       "phone",
                                               "email", "account_id", "exclude_id", NULL};

const struct route api_routes_search[] = {
    {"GET", "/api/v1/search", search, OBJ_SELF, ACT_READ, SCOPE_NONE, NULL, search_query_params,
     200,
     "Search accounts, contacts, issues and products the caller may read by name, code, pinyin "
     "(full or initials), phone digits or e-mail; simplified and traditional alike. q: at most "
     "100 characters; kinds: a comma list; limit: at most 50 (more is capped)",
     "{items:[SearchHit]}"},
    {"GET", "/api/v1/search/duplicates", duplicates, OBJ_ACCOUNT, ACT_READ, SCOPE_NONE, NULL,
     dup_query_params, 200,
     "Records close to an account or contact about to be written (same code, phone or e-mail, "
     "or a similar name once company suffixes are set aside): a warning, not a block. Candidates "
     "the caller may not read are only counted (hidden)",
     "{items:[DuplicateCandidate] hidden:int}"},
    {0},
};
