/* accounts.c -- /api/v1/accounts: CRUD, subsidiaries, account team. */
#include <stddef.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/relationships/account.h"

#define AF(f) offsetof(struct account_in, v.f)

static const struct jfield account_spec[] = {
    {"code", J_STR, ACC_CODE, AF(code), 0, 0, 0, "customer number in the ERP, unique, 1-40", 1},
    {"name", J_STR, ACC_NAME, AF(name), 0, 0, 0, "name, 1-200 characters", 1},
    {"alias", J_STR, ACC_ALIAS, AF(alias), 0, 0, 0, "name in the other language, <= 200"},
    {"parent_id", J_I64, ACC_PARENT, AF(parent_id), AF(has_parent), 0, 1,
     "parent account (group), or null"},
    {"industry", J_STR, ACC_INDUSTRY, AF(industry), 0, 0, 0, "<= 60"},
    {"region", J_STR, ACC_REGION, AF(region), 0, 0, 0, "<= 60"},
    {"channel", J_STR, ACC_CHANNEL, AF(channel), 0, 0, 0, "<= 60"},
    {"employees", J_I64, ACC_EMPLOYEES, AF(employees), AF(has_employees), 0, 1, ">= 0, or null"},
    {"revenue", J_MONEY, ACC_REVENUE, AF(revenue_amount), AF(revenue_currency), AF(has_revenue), 1,
     "annual revenue {amount (minor units), currency}, or null"},
    {"owner_id", J_I64, ACC_OWNER, AF(owner_id), 0, 0, 0, "owning account manager"},
    {"tier", J_STR, ACC_TIER, AF(tier), 0, 0, 0, "strategic | key | growth | maintain"},
    {"status", J_STR, ACC_STATUS, AF(status), 0, 0, 0, "prospect | active | dormant | lost"},
    {"source", J_STR, ACC_SOURCE, AF(source), 0, 0, 1,
     "where a prospect came from: market_research | trade_show | referral | other, or null"},
    {"referred_by", J_STR, ACC_REFERRED, AF(referred_by), 0, 0, 0, "who referred it, <= 200"},
    {"tier_locked", J_BOOL, ACC_TIER_LOCKED, AF(tier_locked), 0, 0, 0,
     "true: the value score does not move the tier"},
    {"version", J_I64, ACC_VERSION, AF(version), 0, 0, 0,
     "PATCH only: the version you read (stale -> 409)"},
    {0},
};

#define ACCOUNT_FIELDS                                                                             \
    "id:int code:str name:str alias:str parent_id:int? industry:str region:str channel:str "       \
    "employees:int? revenue:Money? owner_id:int tier:str(strategic|key|growth|maintain) "          \
    "status:str(prospect|active|dormant|lost) source:str(market_research|trade_show|referral|"     \
    "other)? referred_by:str screening:str(accepted|rejected)? screening_reason:str "              \
    "screened_by:int? screened_at:ts? tier_locked:bool version:int created_at:ts updated_at:ts"

const struct api_shape api_shapes_accounts[] = {
    {"Money", "amount:int currency:str"},
    {"Account", ACCOUNT_FIELDS}, /* detail 0 */
    {"AccountDetail", ACCOUNT_FIELDS " parent:{id:int name:str}? subsidiary_count:int"}, /* 1 */
    {"Prospect", ACCOUNT_FIELDS " score:int?"}, /* detail 2 */
    {"AccountMember", "user_id:int login:str name:str "
                      "dept_role:str(sales|marketing|technical|production|service) created_at:ts"},
    {"Facet", "value:str count:int"},
    {"AccountSummary", "total:int by_tier:{strategic:int key:int growth:int maintain:int} "
                       "by_status:{prospect:int active:int dormant:int lost:int} regions:[Facet] "
                       "channels:[Facet] industries:[Facet]"},
    {NULL, NULL},
};

void render_account(struct jw *w, const struct account *a, int detail)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", a->id);
    jw_kstr(w, "code", a->code);
    jw_kstr(w, "name", a->name);
    jw_kstr(w, "alias", a->alias);
    jw_ki64n(w, "parent_id", a->parent_id, !a->has_parent);
    jw_kstr(w, "industry", a->industry);
    jw_kstr(w, "region", a->region);
    jw_kstr(w, "channel", a->channel);
    jw_ki64n(w, "employees", a->employees, !a->has_employees);
    jw_key(w, "revenue");
    if (a->has_revenue) {
        jw_obj_begin(w);
        jw_ki64(w, "amount", a->revenue_amount);
        jw_kstr(w, "currency", a->revenue_currency);
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
    jw_ki64(w, "owner_id", a->owner_id);
    jw_kstr(w, "tier", a->tier);
    jw_kstr(w, "status", a->status);
    jw_kstr(w, "source", a->source);
    jw_kstr(w, "referred_by", a->referred_by);
    jw_kstr(w, "screening", a->screening);
    jw_kstr(w, "screening_reason", a->screening_reason);
    jw_ki64n(w, "screened_by", a->screened_by, !a->has_screened || !a->screened_by);
    jw_ktime_opt(w, "screened_at", a->screened_at, a->has_screened);
    jw_kbool(w, "tier_locked", a->tier_locked);
    jw_ki64(w, "version", a->version);
    jw_ktime(w, "created_at", a->created_at);
    jw_ktime(w, "updated_at", a->updated_at);
    if (detail == 2) /* prospect lists */
        jw_ki64n(w, "score", a->score, !a->has_score);
    if (detail == 1) {
        jw_key(w, "parent");
        if (a->has_parent && a->parent_name) {
            jw_obj_begin(w);
            jw_ki64(w, "id", a->parent_id);
            jw_kstr(w, "name", a->parent_name);
            jw_obj_end(w);
        } else {
            jw_null(w);
        }
        jw_ki64(w, "subsidiary_count", a->subsidiary_count);
    }
    jw_obj_end(w);
}

/* The list's filters from the query (shared by the list and its count). */
static enum kam_err list_filters(struct api_call *c, struct account_query *q, int64_t parent_id)
{
    enum kam_err rc;
    q->q = api_query_str(c, "q");
    q->tier = api_query_str(c, "tier");
    q->region = api_query_str(c, "region");
    q->channel = api_query_str(c, "channel");
    q->status = api_query_str(c, "status");
    if ((rc = api_query_user(c, "owner_id", &q->owner_id)))
        return rc;
    if (parent_id)
        q->parent_id = parent_id;
    else if ((rc = api_query_i64(c, "parent_id", 0, &q->parent_id)))
        return rc;
    return KAM_OK;
}

/* The count is its own request, not a field of every page: the list screen asks once per
 * filter change (one COUNT with the list's WHERE), and paging on costs no count at all. */
static enum kam_err count(struct api_call *c)
{
    struct account_query q = {0};
    int64_t total;
    enum kam_err rc = list_filters(c, &q, 0);
    if (rc || (rc = account_count(c->ctx, &q, &total)))
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "total", total);
    jw_obj_end(&c->w);
    return KAM_OK;
}

struct transfer_in {
    int64_t ids[API_MAX_IDS], versions[API_MAX_IDS], owner_id;
    int nids, has_ids, nversions, has_versions;
};

#define TF(f) offsetof(struct transfer_in, f)

static const struct jfield transfer_spec[] = {
    {"ids", J_IDS, 1, TF(ids), TF(nids), TF(has_ids), 0, "the accounts, 1-50", 1},
    {"owner_id", J_I64, 2, TF(owner_id), 0, 0, 0, "the new owner", 1},
    {"versions", J_IDS, 4, TF(versions), TF(nversions), TF(has_versions), 0,
     "optional: the version of each account as read, in the order of ids (stale -> 409)"},
    {0},
};

static enum kam_err transfer(struct api_call *c)
{
    struct transfer_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, transfer_spec, &in, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail(c->ctx->err, KAM_EINVAL, "ids", "ids is required");
    if (!(set & 2))
        return kam_fail(c->ctx->err, KAM_EINVAL, "owner_id", "owner_id is required");
    if ((set & 4) && in.nversions != in.nids)
        return kam_fail(c->ctx->err, KAM_EINVAL, "versions",
                        "versions must hold one version per id");
    size_t changed;
    if ((rc = account_transfer(c->ctx, in.ids, (size_t)in.nids, (set & 4) ? in.versions : NULL,
                               in.owner_id, &changed)))
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "transferred", (int64_t)in.nids);
    jw_ki64(&c->w, "changed", (int64_t)changed);
    jw_ki64(&c->w, "owner_id", in.owner_id);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err list_common(struct api_call *c, int64_t parent_id)
{
    struct account_query q = {0};
    enum kam_err rc;
    q.sort = api_query_str(c, "sort");
    q.cursor = api_query_str(c, "cursor");
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) || (rc = list_filters(c, &q, parent_id)))
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..%d", PAGE_MAX);
    struct account *items;
    size_t n;
    const char *next;
    if ((rc = account_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_account(&c->w, &items[i], 0);
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err list(struct api_call *c)
{
    return list_common(c, 0);
}

static enum kam_err subsidiaries(struct api_call *c)
{
    return list_common(c, c->id[0]);
}

static enum kam_err create(struct api_call *c)
{
    struct account_in in = {0};
    enum kam_err rc = api_decode(c, account_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & ACC_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct account a;
    if ((rc = account_create(c->ctx, &in, &a)))
        return rc;
    c->status = 201;
    render_account(&c->w, &a, 1);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct account a;
    enum kam_err rc = account_get(c->ctx, c->id[0], &a);
    if (!rc)
        render_account(&c->w, &a, 1);
    return rc;
}

static enum kam_err patch(struct api_call *c)
{
    struct account_in in = {0};
    enum kam_err rc = api_decode(c, account_spec, &in, &in.set);
    if (rc)
        return rc;
    struct account a;
    if ((rc = account_update(c->ctx, c->id[0], &in, &a)))
        return rc;
    render_account(&c->w, &a, 1);
    return KAM_OK;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = account_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err prospects(struct api_call *c)
{
    struct account_query q = {.prospects = 1};
    enum kam_err rc;
    q.q = api_query_str(c, "q");
    q.screening = api_query_str(c, "screening");
    q.source = api_query_str(c, "source");
    q.sort = api_query_str(c, "sort");
    q.cursor = api_query_str(c, "cursor");
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) ||
        (rc = api_query_user(c, "owner_id", &q.owner_id)))
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..%d", PAGE_MAX);
    struct account *items;
    size_t n;
    const char *next;
    if ((rc = account_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_account(&c->w, &items[i], 2);
    api_list_end(c, next);
    return KAM_OK;
}

/* A new prospect: an account whose status is "prospect" unless the body says otherwise. */
static enum kam_err prospect_create(struct api_call *c)
{
    struct account_in in = {0};
    enum kam_err rc = api_decode(c, account_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & ACC_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    if (!(in.set & ACC_STATUS)) {
        in.v.status = "prospect";
        in.set |= ACC_STATUS;
    }
    struct account a;
    if ((rc = account_create(c->ctx, &in, &a)))
        return rc;
    c->status = 201;
    render_account(&c->w, &a, 1);
    return KAM_OK;
}

static void render_member(struct jw *w, const struct account_member *m)
{
    jw_obj_begin(w);
    jw_ki64(w, "user_id", m->user_id);
    jw_kstr(w, "login", m->login);
    jw_kstr(w, "name", m->name);
    jw_kstr(w, "dept_role", m->dept_role);
    jw_ktime(w, "created_at", m->created_at);
    jw_obj_end(w);
}

static enum kam_err members_list(struct api_call *c)
{
    struct account_member *items;
    size_t n;
    enum kam_err rc = account_members(c->ctx, c->id[0], &items, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_member(&c->w, &items[i]);
    api_list_end(c, NULL);
    return KAM_OK;
}

struct member_in {
    int64_t user_id;
    const char *dept_role;
};

static const struct jfield member_spec[] = {
    {"user_id", J_I64, 1, offsetof(struct member_in, user_id), 0, 0, 0, "the user", 1},
    {"dept_role", J_STR, 2, offsetof(struct member_in, dept_role), 0, 0, 0,
     "sales | marketing | technical | production | service", 1},
    {0},
};

static enum kam_err members_add(struct api_call *c)
{
    struct member_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, member_spec, &in, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail(c->ctx->err, KAM_EINVAL, "user_id", "user_id is required");
    if (!(set & 2))
        return kam_fail(c->ctx->err, KAM_EINVAL, "dept_role", "dept_role is required");
    struct account_member m;
    if ((rc = account_member_add(c->ctx, c->id[0], in.user_id, in.dept_role, &m)))
        return rc;
    c->status = 201;
    render_member(&c->w, &m);
    return KAM_OK;
}

static enum kam_err members_remove(struct api_call *c)
{
    enum kam_err rc = account_member_remove(c->ctx, c->id[0], c->id[1]);
    if (!rc)
        c->status = 204;
    return rc;
}

static void facets(struct jw *w, const char *key, const struct facet *f, size_t n)
{
    jw_key(w, key);
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "value", f[i].value);
        jw_ki64(w, "count", f[i].count);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static enum kam_err summary(struct api_call *c)
{
    int64_t owner_id;
    enum kam_err rc = api_query_user(c, "owner_id", &owner_id);
    if (rc)
        return rc;
    struct account_summary s;
    if ((rc = account_summarize(c->ctx, owner_id, &s)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "total", s.total);
    jw_key(w, "by_tier");
    jw_obj_begin(w);
    for (int i = 0; account_tiers[i]; i++)
        jw_ki64(w, account_tiers[i], s.by_tier[i]);
    jw_obj_end(w);
    jw_key(w, "by_status");
    jw_obj_begin(w);
    for (int i = 0; account_statuses[i]; i++)
        jw_ki64(w, account_statuses[i], s.by_status[i]);
    jw_obj_end(w);
    facets(w, "regions", s.regions, s.nregions);
    facets(w, "channels", s.channels, s.nchannels);
    facets(w, "industries", s.industries, s.nindustries);
    jw_obj_end(w);
    return KAM_OK;
}

static const char *const summary_query_params[] = {"owner_id", NULL};

static const char *const list_query[] = {"q",        "limit",     "cursor",  "sort",
                                         "tier",     "region",    "channel", "status",
                                         "owner_id", "parent_id", NULL};
static const char *const count_query[] = {"q",      "tier",     "region",    "channel",
                                          "status", "owner_id", "parent_id", NULL};
static const char *const prospect_query[] = {"q",    "screening", "source", "owner_id",
                                             "sort", "limit",     "cursor", NULL};
static const char *const sub_query[] = {"limit", "cursor", "sort", "q", NULL};

const struct route api_routes_accounts[] = {
    {"GET", "/api/v1/accounts", list, OBJ_ACCOUNT, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Accounts in the caller's scope: search, filter, sort, page", "[Account]"},
    {"GET", "/api/v1/accounts/count", count, OBJ_ACCOUNT, ACT_READ, SCOPE_NONE, NULL, count_query,
     200, "The number of accounts the list returns for the same filters", "{total:int}"},
    {"POST", "/api/v1/accounts/transfer", transfer, OBJ_ACCOUNT, ACT_UPDATE, SCOPE_NONE,
     transfer_spec, NULL, 200,
     "Give accounts to a new owner: each checked as a PATCH of owner_id, all or nothing",
     "{transferred:int changed:int owner_id:int}"},
    {"GET", "/api/v1/accounts/summary", summary, OBJ_ACCOUNT, ACT_READ, SCOPE_NONE, NULL,
     summary_query_params, 200,
     "Counts of the caller's accounts by tier and status; regions, channels, industries in use",
     "AccountSummary"},
    {"POST", "/api/v1/accounts", create, OBJ_ACCOUNT, ACT_CREATE, SCOPE_NONE, account_spec, NULL,
     201, "Create an account", "AccountDetail"},
    {"GET", "/api/v1/accounts/:id", get, OBJ_ACCOUNT, ACT_READ, SCOPE_ACCOUNT, NULL, NULL, 200,
     "One account, with its parent and number of subsidiaries", "AccountDetail"},
    {"PATCH", "/api/v1/accounts/:id", patch, OBJ_ACCOUNT, ACT_UPDATE, SCOPE_ACCOUNT, account_spec,
     NULL, 200, "Change an account (optimistic: send version)", "AccountDetail"},
    {"DELETE", "/api/v1/accounts/:id", del, OBJ_ACCOUNT, ACT_DELETE, SCOPE_ACCOUNT, NULL, NULL, 204,
     "Delete an account with its contacts and team", "-"},
    {"GET", "/api/v1/accounts/:id/subsidiaries", subsidiaries, OBJ_ACCOUNT, ACT_READ, SCOPE_ACCOUNT,
     NULL, sub_query, 200, "Child accounts in the caller's scope", "[Account]"},
    {"GET", "/api/v1/prospects", prospects, OBJ_ACCOUNT, ACT_READ, SCOPE_NONE, NULL, prospect_query,
     200, "Prospects (accounts still prospects or screened) in scope, with their value score",
     "[Prospect]"},
    {"POST", "/api/v1/prospects", prospect_create, OBJ_ACCOUNT, ACT_CREATE, SCOPE_NONE,
     account_spec, NULL, 201, "Record a prospect (an account with status prospect)",
     "AccountDetail"},
    {"GET", "/api/v1/accounts/:id/members", members_list, OBJ_MEMBER, ACT_READ, SCOPE_ACCOUNT, NULL,
     NULL, 200, "The account team", "[AccountMember]"},
    {"POST", "/api/v1/accounts/:id/members", members_add, OBJ_MEMBER, ACT_CREATE, SCOPE_ACCOUNT,
     member_spec, NULL, 201, "Add a user to the account team", "AccountMember"},
    {"DELETE", "/api/v1/accounts/:id/members/:user_id", members_remove, OBJ_MEMBER, ACT_DELETE,
     SCOPE_ACCOUNT, NULL, NULL, 204, "Remove a user from the account team", "-"},
    {0},
};
