/* internal.h -- what the api/ files share: the call context, the route table entry, body
 * decoding specs, renderers. Not for use outside src/api/. */
#ifndef KAM_API_INTERNAL_H
#define KAM_API_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/jw.h"
#include "http/req.h"
#include "svc/core/auth.h"
#include "svc/core/ctx.h"
#include "svc/core/policy.h"

#define API_MAX_PATH_IDS 3
#define API_MAX_STRING (64 * 1024) /* bytes; services apply the per-field character limits */

struct api_call {
    struct http_req *req;
    struct http_resp *resp;
    struct kam_ctx *ctx;
    const struct route *route;
    int64_t id[API_MAX_PATH_IDS]; /* path parameters, in order */
    struct jw w;                  /* writes the success body */
    int status;                   /* success status, default 200 */
    int via_cookie;               /* authenticated by session cookie */
    const char *session_token;
    const char *csrf;
    int64_t session_expires;
    int64_t session_ttl;
    int64_t scope_account_id; /* the record's account, for SCOPE_* routes */
    int export_raw; /* a list's page for an export with raw=1: stored texts, not reworded */
};

typedef enum kam_err (*api_fn)(struct api_call *c);

/* Body field types. */
enum jtype { J_STR, J_I64, J_BOOL, J_MONEY, J_IDS, J_DEC3, J_F64, J_OBJ, J_STRS, J_INTS, J_OBJS };

#define API_MAX_IDS 50 /* J_IDS: at most this many ids */

/* One accepted body field: where its value goes in the output struct and which bit marks it
 * present. J_I64 nullable: off2 is an int "has" flag (0 when null). J_STR nullable: NULL when
 * null. J_MONEY: {"amount","currency"} -> int64 at off, const char * at off2, has flag at off3
 * (null allowed). J_IDS: an array of positive ids -> int64_t[API_MAX_IDS] at off, int count
 * at off2, int "given" flag at off3. J_DEC3: a number with at most 3 decimals -> int64
 * thousandths at off. J_F64: any finite number -> double at off (coordinates). J_OBJ: an object
 * whose fields are the spec `sub` (offsets into the same output struct, errors name
 * "<name>.<field>"): their bits -> unsigned at off, int "given" flag at off2 (0 when null).
 * J_STRS: an array of strings -> const char *[API_MAX_IDS] at off, int count at off2, int
 * "given" flag at off3. J_INTS: like J_IDS but integers >= 0 (positions), at most max_items.
 * J_OBJS: an array of at most max_items (0: API_MAX_IDS) objects, each decoded by the spec
 * `sub` into its own element struct of off3 bytes whose first member is an `unsigned` of the
 * bits of the fields present (sub's offsets are into the element; errors name
 * "<name>[i].<field>") -> an arena array of the elements at off (void *), int count at off2. */
struct jfield {
    const char *name;
    enum jtype type;
    unsigned bit;
    size_t off, off2, off3;
    int nullable;
    const char *doc; /* for openapi */
    int required;    /* for openapi: a POST or PUT must send it (the handler or service says so) */
    const struct jfield *sub; /* J_OBJ: its fields, {0}-terminated */
    int max_items;            /* J_STRS: at most this many (<= API_MAX_IDS); 0: API_MAX_IDS */
};

/* Route and body field tables are positional initialisers whose last members are optional
 * (jfield.required) or checked elsewhere (route.resp: the unit test "every route declares its
 * response", tests/unit/test_openapi.c), so leaving them out is no warning. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct route {
    const char *method;
    const char *path; /* "/api/v1/accounts/:id" */
    api_fn fn;
    enum obj obj;
    enum act act;
    enum scope_kind scope;
    const struct jfield *body; /* NULL: no body */
    const char *const *query;  /* accepted query parameters, NULL-terminated; NULL: none */
    int ok_status;             /* documented success status */
    const char *summary;
    /* The success response (see api/core/openapi.c): a component name ("Account"); "[Account]"
     * the paged list envelope {items:[Account], next_cursor:str?}; "-" no body; "csv", "xlsx",
     * "ics", "html" a file ("file": a stored document of its own type); "{...}" an inline field
     * list. NULL: undeclared (a unit test fails). */
    const char *resp;
    unsigned flags; /* ROUTE_* */
    /* A public route's own throttle, run by dispatch before the route: with KAM_OK on the
     * request's headers, before its body is read (the server's early call, req->headers_only;
     * a client over its limit: KAM_ELIMIT, 429), again before the body is decoded or the query
     * checked, then with the error of a request dispatch refuses itself (413 body too big --
     * over 64 KB under /api/v1/public/, see http_body_limit --, 400 query), which it counts;
     * returns the error to answer. A 404 or 405 (no route) is not counted. NULL: none. */
    enum kam_err (*gate)(struct api_call *c, enum kam_err refused);
};

/* Route flags. A request with an unsafe method (POST, PUT, PATCH, DELETE) runs its handler in
 * one transaction, read-back included: it commits whole or not at all (dispatch.c). */
enum {
    /* The handler commits in steps on purpose (the login throttle's reservation must outlive a
     * refused password) or does slow work before its own transaction (password hashing, which
     * must not hold SQLite's write lock): no transaction around it. */
    ROUTE_OWN_TX = 1,
};

/* A response shape, declared next to the code that writes it (see api/core/openapi.c). */
struct api_shape {
    const char *name;   /* component name, "Account" */
    const char *fields; /* "id:int name:str owner_id:int? tags:[str] tier:str(A|B|C)? ..." */
};

/* The body spec of a route whose body is CSV text (the imports), handed over unparsed. */
extern const struct jfield api_csv_body[];
/* The body spec of a route whose body is a file's bytes (document uploads), unparsed. */
extern const struct jfield api_file_body[];

/* Decodes the request body (a JSON object) into out per spec, setting bits in *set.
 * Unknown fields, wrong types, NUL bytes, oversized strings → KAM_EINVAL naming the field. */
enum kam_err api_decode(struct api_call *c, const struct jfield *spec, void *out, unsigned *set);
/* Query parameter helpers: absent → default; malformed → KAM_EINVAL naming the parameter. */
enum kam_err api_query_i64(struct api_call *c, const char *key, int64_t def, int64_t *out);
/* A quantity as a decimal with at most 3 places ("2.5") -> thousandths. */
enum kam_err api_query_dec3(struct api_call *c, const char *key, int64_t def, int64_t *out);
const char *api_query_str(struct api_call *c, const char *key);
/* A user id parameter: an integer, or "me" for the caller; absent → 0. */
enum kam_err api_query_user(struct api_call *c, const char *key, int64_t *out);

/* Writes {"items":[ ... ], "next_cursor": ...}: begin, then the items, then end. */
void api_list_begin(struct api_call *c);
void api_list_end(struct api_call *c, const char *next_cursor);

/* Renderers shared between resources. */
void render_user(struct jw *w, const struct user *u);

/* The route tables of each resource file, {NULL}-terminated. */
extern const struct route api_routes_meta[];
extern const struct route api_routes_session[];
extern const struct route api_routes_users[];
extern const struct route api_routes_accounts[];
extern const struct route api_routes_contacts[];
extern const struct route api_routes_audit[];
extern const struct route api_routes_interactions[];
extern const struct route api_routes_visits[];
extern const struct route api_routes_issues[];
extern const struct route api_routes_config[];
extern const struct route api_routes_notifications[];
extern const struct route api_routes_care[];
extern const struct route api_routes_valuation[];
extern const struct route api_routes_sales[];
extern const struct route api_routes_volume[];
extern const struct route api_routes_targets[];
extern const struct route api_routes_measures[];
extern const struct route api_routes_insight[];
extern const struct route api_routes_search[];
extern const struct route api_routes_home[];
extern const struct route api_routes_views[];
extern const struct route api_routes_rel_exports[];
extern const struct route api_routes_vol_exports[];
extern const struct route api_routes_imports[];
extern const struct route api_routes_needs[];
extern const struct route api_routes_surveys[];
extern const struct route api_routes_survey_answers[];
extern const struct route api_routes_satisfaction[];
extern const struct route api_routes_follow_ups[];
extern const struct route api_routes_tone[];
extern const struct route api_routes_prices[];
extern const struct route api_routes_opportunities[];
extern const struct route api_routes_offers[];
extern const struct route api_routes_catalog[];
extern const struct route api_routes_approvals[];
extern const struct route api_routes_quote_docs[];
extern const struct route api_routes_risks[];
extern const struct route api_routes_gifts[];
extern const struct route api_routes_credit[];
extern const struct route api_routes_receivables[];
extern const struct route api_routes_competitors[];
extern const struct route api_routes_alerts[];
extern const struct route api_routes_health[];
extern const struct route api_routes_churn[];
extern const struct route api_routes_documents[];
extern const struct route api_routes_contracts[];
extern const struct route api_routes_breaches[];
extern const struct route api_routes_disputes[];
extern const struct route api_routes_lessons[];
extern const struct route api_routes_competencies[]; /* api/team/ (issue 18) */
extern const struct route api_routes_training[];
extern const struct route api_routes_appraisal[];
extern const struct route api_routes_incentives[];

/* The response shapes of each resource file, {NULL, NULL}-terminated, declared next to the
 * writers. Field DSL (space-separated): name:type required, non-null; name:type? required,
 * may be null; name?:type may be absent. Types: int num str bool any obj, date (YYYY-MM-DD),
 * ts (a time as jw_time/jw_ktime write it: NOTE the writers emit ISO 8601 UTC strings
 * "2026-01-02T03:04:05Z", not unix seconds, so ts is a date-time string in the document),
 * a component name (Capitalised), [type], str(a|b|c), {field list}. */
extern const struct api_shape api_shapes_meta[];
extern const struct api_shape api_shapes_session[];
extern const struct api_shape api_shapes_users[];
extern const struct api_shape api_shapes_accounts[];
extern const struct api_shape api_shapes_contacts[];
extern const struct api_shape api_shapes_audit[];
extern const struct api_shape api_shapes_interactions[];
extern const struct api_shape api_shapes_visits[];
extern const struct api_shape api_shapes_issues[];
extern const struct api_shape api_shapes_config[];
extern const struct api_shape api_shapes_notifications[];
extern const struct api_shape api_shapes_care[];
extern const struct api_shape api_shapes_valuation[];
extern const struct api_shape api_shapes_sales[];
extern const struct api_shape api_shapes_volume[];
extern const struct api_shape api_shapes_targets[];
extern const struct api_shape api_shapes_measures[];
extern const struct api_shape api_shapes_insight[];
extern const struct api_shape api_shapes_search[];
extern const struct api_shape api_shapes_home[];
extern const struct api_shape api_shapes_views[];
extern const struct api_shape api_shapes_rel_exports[];
extern const struct api_shape api_shapes_vol_exports[];
extern const struct api_shape api_shapes_imports[];
extern const struct api_shape api_shapes_needs[];
extern const struct api_shape api_shapes_surveys[];
extern const struct api_shape api_shapes_survey_answers[];
extern const struct api_shape api_shapes_satisfaction[];
extern const struct api_shape api_shapes_follow_ups[];
extern const struct api_shape api_shapes_tone[];
extern const struct api_shape api_shapes_prices[];
extern const struct api_shape api_shapes_opportunities[];
extern const struct api_shape api_shapes_offers[];
extern const struct api_shape api_shapes_catalog[];
extern const struct api_shape api_shapes_approvals[];
extern const struct api_shape api_shapes_quote_docs[];
extern const struct api_shape api_shapes_risks[];
extern const struct api_shape api_shapes_gifts[];
extern const struct api_shape api_shapes_credit[];
extern const struct api_shape api_shapes_receivables[];
extern const struct api_shape api_shapes_competitors[];
extern const struct api_shape api_shapes_alerts[];
extern const struct api_shape api_shapes_health[];
extern const struct api_shape api_shapes_churn[];
extern const struct api_shape api_shapes_documents[];
extern const struct api_shape api_shapes_contracts[];
extern const struct api_shape api_shapes_breaches[];
extern const struct api_shape api_shapes_disputes[];
extern const struct api_shape api_shapes_lessons[];
extern const struct api_shape api_shapes_competencies[];
extern const struct api_shape api_shapes_training[];
extern const struct api_shape api_shapes_appraisal[];
extern const struct api_shape api_shapes_incentives[];

/* The i-th route of all tables in dispatch order, NULL past the end (dispatch.c). */
const struct route *api_route_at(int i);
/* The i-th shape table (api_shapes_<file>), NULL past the end (openapi.c). */
const struct api_shape *api_shape_table_at(int i);

/* Sends a table as a file download (format csv or xlsx). */
struct export_table;
enum kam_err api_send_file(struct api_call *c, const struct export_table *t, const char *format,
                           const char *name);

/* GET <list path>/export: the list route's rows over all its pages as a CSV or .xlsx file,
 * streamed from a temporary file (list_export.c). The route carries the list's object, action,
 * scope and query parameters (but limit, cursor) plus format and columns; resp "csv". */
enum kam_err api_list_export(struct api_call *c);
/* Fills q (API_EXPORT_QUERY_MAX entries, NULL-terminated) with the query parameters of the export
 * route at export_path: its list route's but limit and cursor, plus format and columns. The
 * export route tables call it at start-up on their (writable) query arrays, so an export takes
 * whatever filters its list takes. */
#define API_EXPORT_QUERY_MAX 48
void api_list_export_query(const char *export_path, const char **q);

/* Renders an account: detail 0 list item, 1 with parent and subsidiary count, 2 with score. */
struct account;
void render_account(struct jw *w, const struct account *a, int detail);

/* Renders a contact (shared by contacts and stale-contacts). */
struct contact;
void render_contact(struct jw *w, const struct contact *c);
/* Writes an ISO time from an optional unix time. */
void jw_ktime_opt(struct jw *w, const char *k, int64_t t, int has);

/* GET /api/v1/openapi.json (openapi.c; listed in meta.c's table). */
enum kam_err api_openapi_route(struct api_call *c);
/* Checks every route and shape (resp declared and well-formed, components exist and are unique,
 * operation ids unique); writes one line per problem into msg and returns their number. */
int api_openapi_check(char *msg, size_t cap);
/* The syntax of a shape's field list: NULL when well-formed, else what is wrong (for tests). */
const char *api_shape_syntax(const char *fields);

#endif
