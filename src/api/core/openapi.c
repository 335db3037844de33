/* openapi.c -- the OpenAPI 3.1 document of the API (GET /api/v1/openapi.json, `kam openapi`),
 * generated from the route tables and the response shapes declared next to each writer
 * (struct api_shape, internal.h), so it cannot drift from what the server does: the HTTP suite
 * validates every response it sees against this document, and tests/contract lints it.
 *
 * The shape DSL (internal.h): fields separated by spaces, `name:type` (required, not null),
 * `name:type?` (required, may be null), `name?:type` (may be absent); types int num str bool
 * any obj date ts, str(a|b), [type], {fields}, or a component name. Schemas are strict
 * (additionalProperties false). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "internal.h"

/* ---- the chapters: one route table and one shape table per api file, and its tag ---- */

struct chapter {
    const struct route *routes;
    const struct api_shape *shapes;
    const char *tag;
    const char *doc;
};

static const struct chapter chapters[] = {
    {api_routes_meta, api_shapes_meta, "meta", "Health check and this document"},
    {api_routes_session, api_shapes_session, "session",
     "Logging in and out, the caller and their permissions, API tokens"},
    {api_routes_users, api_shapes_users, "users", "Users and teams"},
    {api_routes_accounts, api_shapes_accounts, "accounts",
     "Accounts, prospects, subsidiaries and account teams"},
    {api_routes_contacts, api_shapes_contacts, "contacts", "The contacts of an account"},
    {api_routes_audit, api_shapes_audit, "audit", "The audit trail of a record"},
    {api_routes_interactions, api_shapes_interactions, "interactions",
     "Calls, e-mails, meetings, visits and material sent"},
    {api_routes_visits, api_shapes_visits, "visits", "Visit plans and the calendar feed"},
    {api_routes_issues, api_shapes_issues, "issues", "Customer issues and their SLA"},
    {api_routes_config, api_shapes_config, "config",
     "Contact cadences, SLA rules and freshness settings"},
    {api_routes_notifications, api_shapes_notifications, "notifications",
     "The caller's notifications"},
    {api_routes_care, api_shapes_care, "care",
     "Customer care: due greetings, occasions, message templates"},
    {api_routes_valuation, api_shapes_valuation, "valuation",
     "Account valuation, screening, scoring criteria and tier thresholds"},
    {api_routes_sales, api_shapes_sales, "sales",
     "Products, orders, FX rates, imports and share of wallet"},
    {api_routes_volume, api_shapes_volume, "volume", "KPIs, sales series and breakdowns"},
    {api_routes_targets, api_shapes_targets, "targets", "Target plans, their grids and proposals"},
    {api_routes_measures, api_shapes_measures, "measures", "Measures taken to reach the targets"},
    {api_routes_insight, api_shapes_insight, "insight",
     "Purchase behaviour, product affinity, forecasts"},
    {api_routes_search, api_shapes_search, "search",
     "One search over accounts, contacts, issues and products; duplicate candidates"},
    {api_routes_home, api_shapes_home, "home", "The caller's home: agenda and team figures"},
    {api_routes_views, api_shapes_views, "views", "The caller's saved list views"},
    {api_routes_rel_exports, api_shapes_rel_exports, "exports",
     "Lists of accounts, contacts, interactions, visits, issues and care as CSV or Excel"},
    {api_routes_vol_exports, api_shapes_vol_exports, "volume-exports",
     "Order lines and KPIs as CSV or Excel"},
    {api_routes_imports, api_shapes_imports, "imports",
     "Import templates, previews and saved column mappings"},
    {api_routes_needs, api_shapes_needs, "needs",
     "Customer needs, their workflow and interviews with the customer"},
    {api_routes_surveys, api_shapes_surveys, "surveys",
     "Survey definitions, their questions, sending and links"},
    {api_routes_survey_answers, api_shapes_survey_answers, "survey-answers",
     "Survey answers: the public answer page and answers taken by phone"},
    {api_routes_satisfaction, api_shapes_satisfaction, "satisfaction",
     "Satisfaction: NPS, CSAT, key drivers and loyalty"},
    {api_routes_follow_ups, api_shapes_follow_ups, "follow-ups",
     "Department follow-ups of low scores and complaints, and hand-offs"},
    {api_routes_tone, api_shapes_tone, "tone",
     "The line below which a comment's sentiment score reads negative"},
    {api_routes_prices, api_shapes_prices, "prices",
     "The price engine: quotes with their explanation, price lists, promotions, rebates"},
    {api_routes_opportunities, api_shapes_opportunities, "opportunities",
     "Opportunities (商机), their stages and the pipeline"},
    {api_routes_offers, api_shapes_offers, "offers",
     "Offers and quotes: priced lines, versions, customisations, sending, conversion to orders"},
    {api_routes_catalog, api_shapes_catalog, "catalog",
     "Bundles priced as a whole and service items (service plans)"},
    {api_routes_approvals, api_shapes_approvals, "approvals",
     "Discount approvals: limits by role, requests, decisions"},
    {api_routes_quote_docs, api_shapes_quote_docs, "quote-documents",
     "An offer as a printable A4 quote or an Excel workbook, and the company header"},
    {api_routes_risks, api_shapes_risks, "risks",
     "The risk register: risks by likelihood and impact, responses, actions, the heat map"},
    {api_routes_gifts, api_shapes_gifts, "gifts",
     "Compliance: gifts and hospitality against the company's rules and each account's budget"},
    {api_routes_credit, api_shapes_credit, "credit",
     "Credit limits (per account and per group), payment terms, exposure, credit holds"},
    {api_routes_receivables, api_shapes_receivables, "receivables",
     "Invoices and payments from the ERP, ageing, DSO"},
    {api_routes_competitors, api_shapes_competitors, "competitors",
     "Competitors, their presence at each account and product family, their moves"},
    {api_routes_alerts, api_shapes_alerts, "alerts",
     "The early-warning engine: rules over every signal, alerts with evidence and response"},
    {api_routes_health, api_shapes_health, "health",
     "The account health score explained line by line, and its history"},
    {api_routes_churn, api_shapes_churn, "churn",
     "The churn / decline model trained on the company's own history: scores with their factors"},
    {api_routes_documents, api_shapes_documents, "documents",
     "Files attached to contracts, disputes and lessons: sniffed, capped, served as downloads"},
    {api_routes_contracts, api_shapes_contracts, "contracts",
     "Contracts, their amendments and obligations"},
    {api_routes_breaches, api_shapes_breaches, "breaches",
     "Contract breaches found by the scan, with their evidence"},
    {api_routes_disputes, api_shapes_disputes, "disputes",
     "Disputes: the ladder from negotiation to litigation, stages, deadlines, the dossier"},
    {api_routes_lessons, api_shapes_lessons, "lessons",
     "Lessons learned, linked to what they came from; training needs and accountability"},
    {api_routes_competencies, api_shapes_competencies, "competencies",
     "The competency model, role profiles, assessments of people, candidates ranked by fit"},
    {api_routes_training, api_shapes_training, "training",
     "Courses, sessions, enrolments, tests and feedback; training needs; the measured effect"},
    {api_routes_appraisal, api_shapes_appraisal, "appraisal",
     "Appraisal schemes and scorecards computed from the records, explained line by line"},
    {api_routes_incentives, api_shapes_incentives, "incentives",
     "Commission plans, payout statements explained line by line, bonus pools, the simulator"},
};
#define NCHAPTERS (sizeof chapters / sizeof chapters[0])

const struct api_shape *api_shape_table_at(int i)
{
    return i >= 0 && i < (int)NCHAPTERS ? chapters[i].shapes : NULL;
}

static const struct chapter *chapter_of(const struct route *rt)
{
    for (size_t c = 0; c < NCHAPTERS; c++)
        for (const struct route *r = chapters[c].routes; r->method; r++)
            if (r == rt)
                return &chapters[c];
    return NULL;
}

/* ---- the shape DSL ---- */

struct dsl {
    const char *p;   /* the cursor */
    const char *err; /* the first error, or NULL */
    struct jw *w;    /* NULL: only check */
    /* Called for each component name referenced; may be NULL. */
    void (*on_ref)(void *u, const char *name, size_t n);
    void *u;
};

static int is_name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

static int is_enum_char(char ch)
{
    return is_name_char(ch) || ch == '-' || ch == '.' || ch == ':' || ch == '/' || ch == '+';
}

static void fail(struct dsl *d, const char *msg)
{
    if (!d->err)
        d->err = msg;
}

/* The end of the type at p (not its trailing '?'), or NULL when unbalanced. */
static const char *type_end(const char *p)
{
    if (*p == '[' || *p == '{') {
        int depth = 0;
        for (; *p; p++) {
            if (*p == '[' || *p == '{')
                depth++;
            else if (*p == ']' || *p == '}')
                if (--depth == 0)
                    return p + 1;
        }
        return NULL;
    }
    if (strncmp(p, "str(", 4) == 0) {
        const char *e = strchr(p, ')');
        return e ? e + 1 : NULL;
    }
    while (is_name_char(*p))
        p++;
    return p;
}

static void w_type(struct dsl *d, const char *type, int nullable)
{
    if (!d->w)
        return;
    jw_key(d->w, "type");
    if (nullable) {
        jw_arr_begin(d->w);
        jw_str(d->w, type);
        jw_str(d->w, "null");
        jw_arr_end(d->w);
    } else {
        jw_str(d->w, type);
    }
}

static void dsl_fields(struct dsl *d, char close, int nullable);

/* One type at d->p, and its trailing '?'. */
static void dsl_type(struct dsl *d)
{
    struct jw *w = d->w;
    const char *p = d->p, *end = type_end(p);
    if (!end || end == p) {
        fail(d, "expected a type");
        return;
    }
    int nullable = *end == '?';
    if (*p == '[') {
        if (w) {
            jw_obj_begin(w);
            w_type(d, "array", nullable);
            jw_key(w, "items");
        }
        d->p = p + 1;
        dsl_type(d);
        if (d->err)
            return;
        if (*d->p != ']') {
            fail(d, "expected ]");
            return;
        }
        if (w)
            jw_obj_end(w);
    } else if (*p == '{') {
        d->p = p + 1;
        dsl_fields(d, '}', nullable);
        if (d->err)
            return;
    } else if (strncmp(p, "str(", 4) == 0) {
        if (w) {
            jw_obj_begin(w);
            w_type(d, "string", nullable);
            jw_key(w, "enum");
            jw_arr_begin(w);
        }
        const char *q = p + 4;
        for (;;) {
            const char *s = q;
            while (is_enum_char(*q))
                q++;
            if (q == s) {
                fail(d, "empty enum value");
                return;
            }
            if (w)
                jw_strn(w, s, (size_t)(q - s));
            if (*q == ')')
                break;
            if (*q != '|') {
                fail(d, "expected | or ) in str(...)");
                return;
            }
            q++;
        }
        if (w) {
            if (nullable)
                jw_null(w);
            jw_arr_end(w);
            jw_obj_end(w);
        }
    } else if (*p >= 'A' && *p <= 'Z') {
        if (d->on_ref)
            d->on_ref(d->u, p, (size_t)(end - p));
        if (w) {
            char ref[160];
            snprintf(ref, sizeof ref, "#/components/schemas/%.*s", (int)(end - p), p);
            jw_obj_begin(w);
            if (nullable) {
                jw_key(w, "anyOf");
                jw_arr_begin(w);
                jw_obj_begin(w);
                jw_kstr(w, "$ref", ref);
                jw_obj_end(w);
                jw_obj_begin(w);
                jw_kstr(w, "type", "null");
                jw_obj_end(w);
                jw_arr_end(w);
            } else {
                jw_kstr(w, "$ref", ref);
            }
            jw_obj_end(w);
        }
    } else {
        static const struct {
            const char *dsl, *type, *format;
        } prim[] = {
            {"int", "integer", NULL},  {"num", "number", NULL},    {"str", "string", NULL},
            {"bool", "boolean", NULL}, {"date", "string", "date"}, {"ts", "string", "date-time"},
            {"obj", "object", NULL},   {"any", NULL, NULL},
        };
        size_t n = (size_t)(end - p), i;
        for (i = 0; i < sizeof prim / sizeof prim[0]; i++)
            if (strlen(prim[i].dsl) == n && strncmp(prim[i].dsl, p, n) == 0)
                break;
        if (i == sizeof prim / sizeof prim[0]) {
            fail(d, "unknown type (components are Capitalised)");
            return;
        }
        if (w) {
            jw_obj_begin(w);
            if (prim[i].type)
                w_type(d, prim[i].type, nullable);
            if (prim[i].format)
                jw_kstr(w, "format", prim[i].format);
            jw_obj_end(w);
        }
    }
    d->p = end + nullable;
}

#define DSL_MAX_FIELDS 128

/* Fields up to close ('}' or 0) as a strict object schema. */
static void dsl_fields(struct dsl *d, char close, int nullable)
{
    struct jw *w = d->w;
    const char *name[DSL_MAX_FIELDS];
    size_t len[DSL_MAX_FIELDS];
    int optional[DSL_MAX_FIELDS], n = 0, nreq = 0;
    if (w) {
        jw_obj_begin(w);
        w_type(d, "object", nullable);
        jw_kbool(w, "additionalProperties", 0);
        jw_key(w, "properties");
        jw_obj_begin(w);
    }
    for (;;) {
        while (*d->p == ' ')
            d->p++;
        if (*d->p == close)
            break;
        if (!*d->p) {
            fail(d, "expected }");
            return;
        }
        if (n == DSL_MAX_FIELDS) {
            fail(d, "too many fields");
            return;
        }
        name[n] = d->p;
        /* a '-' inside a name: language tags ("zh-CN") as keys */
        while (is_name_char(*d->p) || (*d->p == '-' && d->p != name[n]))
            d->p++;
        len[n] = (size_t)(d->p - name[n]);
        if (len[n] == 0) {
            fail(d, "expected a field name");
            return;
        }
        for (int i = 0; i < n; i++)
            if (len[i] == len[n] && strncmp(name[i], name[n], len[n]) == 0) {
                fail(d, "duplicate field");
                return;
            }
        optional[n] = *d->p == '?';
        d->p += optional[n];
        if (*d->p != ':') {
            fail(d, "expected : after the field name");
            return;
        }
        d->p++;
        nreq += !optional[n];
        if (w) {
            char key[64];
            snprintf(key, sizeof key, "%.*s", (int)len[n], name[n]);
            jw_key(w, key);
        }
        n++;
        dsl_type(d);
        if (d->err)
            return;
        if (*d->p && *d->p != ' ' && *d->p != close) {
            fail(d, "expected a space between fields");
            return;
        }
    }
    if (close)
        d->p++;
    if (w) {
        jw_obj_end(w);
        if (nreq) {
            jw_key(w, "required");
            jw_arr_begin(w);
            for (int i = 0; i < n; i++)
                if (!optional[i])
                    jw_strn(w, name[i], len[i]);
            jw_arr_end(w);
        }
        jw_obj_end(w);
    }
}

/* Checks a field list (object 1) or one type (object 0); returns NULL or the error. */
static const char *dsl_check(const char *s, int object,
                             void (*on_ref)(void *, const char *, size_t), void *u)
{
    struct dsl d = {.p = s, .on_ref = on_ref, .u = u};
    if (object)
        dsl_fields(&d, 0, 0);
    else
        dsl_type(&d);
    if (!d.err && *d.p)
        fail(&d, "trailing text");
    return d.err;
}

/* Writes the schema of a field list or a type, which dsl_check accepted. */
static void dsl_write(struct jw *w, const char *s, int object)
{
    struct dsl d = {.p = s, .w = w};
    if (object)
        dsl_fields(&d, 0, 0);
    else
        dsl_type(&d);
}

/* ---- what each route is ---- */

static int is_file(const char *resp)
{
    return resp && (!strcmp(resp, "csv") || !strcmp(resp, "xlsx") || !strcmp(resp, "ics") ||
                    !strcmp(resp, "html") || !strcmp(resp, "file"));
}

static int is_unsafe(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static int has_path_params(const char *path)
{
    return strchr(path, ':') || strchr(path, '*');
}

/* The error statuses a route can answer, besides those of every route (400, 500, 503). Handler
 * specific ones not visible in the table are listed here. */
static const struct {
    const char *method, *path;
    int status;
} extra_errors[] = {
    {"POST", "/api/v1/session", 401},     /* wrong login or password */
    {"POST", "/api/v1/session", 429},     /* too many failed logins */
    {"POST", "/api/v1/me/password", 429}, /* too many wrong current passwords */
    {"GET", "/calendar/*", 404},          /* unknown feed token */
    /* the public survey page (api/needs/survey_answers.c): an unknown token, an expired link or
     * a closed survey, too many requests; an answer to a link already answered */
    {"POST", "/api/v1/public/survey", 404},
    {"POST", "/api/v1/public/survey", 409},
    {"POST", "/api/v1/public/survey", 410},
    {"POST", "/api/v1/public/survey", 429},
    {"POST", "/api/v1/public/survey/answer", 404},
    {"POST", "/api/v1/public/survey/answer", 409},
    {"POST", "/api/v1/public/survey/answer", 410},
    {"POST", "/api/v1/public/survey/answer", 429},
};

static int route_gives(const struct route *rt, int status)
{
    int pub = rt->obj == OBJ_PUBLIC;
    for (size_t i = 0; i < sizeof extra_errors / sizeof extra_errors[0]; i++)
        if (extra_errors[i].status == status && !strcmp(extra_errors[i].method, rt->method) &&
            !strcmp(extra_errors[i].path, rt->path))
            return 1;
    switch (status) {
    case 400: /* an unknown query parameter, a body where none is taken, bad input */
    case 500:
    case 503: /* the database is busy */
        return 1;
    case 401: /* not logged in */
    case 403: /* the policy, or a missing X-CSRF-Token */
        return !pub;
    case 404: /* no such record, or one out of the caller's scope */
        return !pub || has_path_params(rt->path);
    case 409: /* a unique key, a stale version, still in use */
        return !pub && is_unsafe(rt->method);
    case 413: /* a body over the cap; an export over its cap */
        return rt->body != NULL || is_file(rt->resp);
    case 415: /* a body that is not application/json (text/csv for imports) */
        return rt->body != NULL;
    }
    return 0;
}

/* Statuses a handler answers with the body of its success, besides ok_status. */
static const struct {
    const char *method, *path;
    int status;
    const char *doc;
} alt_successes[] = {
    {"POST", "/api/v1/imports/orders", 200, "A dry run (dry_run=1): the report, nothing stored"},
    {"POST", "/api/v1/imports/orders", 422, "The file was rejected: the report names why"},
    {"POST", "/api/v1/imports/products", 200, "A dry run (dry_run=1): the report, nothing stored"},
    {"POST", "/api/v1/imports/products", 422, "The file was rejected: the report names why"},
    {"POST", "/api/v1/imports/accounts", 200, "A dry run (dry_run=1): the report, nothing stored"},
    {"POST", "/api/v1/imports/accounts", 422, "The file was rejected: the report names why"},
    /* issue 16 (CREDIT): receivables from the ERP */
    {"POST", "/api/v1/imports/invoices", 200, "A dry run (dry_run=1): the report, nothing stored"},
    {"POST", "/api/v1/imports/invoices", 422, "The file was rejected: the report names why"},
    {"POST", "/api/v1/imports/payments", 200, "A dry run (dry_run=1): the report, nothing stored"},
    {"POST", "/api/v1/imports/payments", 422, "The file was rejected: the report names why"},
};

static const struct {
    int status;
    const char *name, *doc;
} error_responses[] = {
    {400, "BadRequest", "Invalid input: error.field names the field or query parameter"},
    {401, "Unauthorized", "Not logged in, or the token or session is not valid"},
    {403, "Forbidden", "The caller's role may not do this, or X-CSRF-Token is missing or wrong"},
    {404, "NotFound", "No such record, or one outside the caller's scope"},
    {409, "Conflict", "A unique value is taken, the version is stale, or the record is in use"},
    {410, "Gone", "The link has expired or its survey is closed"},
    {413, "TooLarge", "The body or the result is over its size cap"},
    {415, "UnsupportedMediaType", "The body has the wrong Content-Type"},
    {429, "TooManyRequests", "Too many attempts: retry later"},
    {500, "InternalError", "The server failed (logged in full on the server)"},
    {503, "Unavailable", "The database is busy or takes no writes: retry"},
};
#define NERRORS (sizeof error_responses / sizeof error_responses[0])

/* ---- operation ids: derived from the method and the path ---- */

/* Explicit ids where the derived one reads badly. */
static const struct {
    const char *method, *path, *id;
} explicit_ids[] = {
    {"GET", "/healthz", "getHealth"},
    {"GET", "/api/v1/openapi.json", "getOpenApi"},
    {"POST", "/api/v1/session", "login"},
    {"DELETE", "/api/v1/session", "logout"},
    {"POST", "/api/v1/me/password", "changePassword"},
    {"GET", "/calendar/*", "getCalendarFeed"},
    {"POST", "/api/v1/accounts/:id/members", "addAccountMember"},
    {"DELETE", "/api/v1/accounts/:id/members/:user_id", "removeAccountMember"},
    {"POST", "/api/v1/accounts/:id/screening", "screenAccount"},
    {"POST", "/api/v1/prospects/:id/screening", "screenProspect"},
    {"PATCH", "/api/v1/scoring-criteria/:id", "patchScoringCriterion"},
    {"GET", "/api/v1/notifications/count", "countNotifications"},
    {"POST", "/api/v1/imports/orders", "importOrders"},
    {"POST", "/api/v1/imports/products", "importProducts"},
    {"POST", "/api/v1/imports/accounts", "importAccounts"},
    {"POST", "/api/v1/imports/invoices", "importInvoices"},
    {"POST", "/api/v1/imports/payments", "importPayments"},
};

static void put_cap(struct buf *b, const char *s, size_t n, int cap)
{
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (i == 0 && cap && ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        buf_putc(b, ch);
    }
}

/* "accounts" -> "account", "activities" -> "activity", "statuses" -> "status". */
static size_t singular_len(const char *s, size_t n, int *ies)
{
    *ies = 0;
    if (n > 3 && strncmp(s + n - 3, "ies", 3) == 0) {
        *ies = 1;
        return n - 3;
    }
    if (n > 4 && strncmp(s + n - 4, "sses", 4) == 0)
        return n - 2;
    if (n > 4 && strncmp(s + n - 4, "uses", 4) == 0)
        return n - 2;
    if (n > 1 && s[n - 1] == 's' && s[n - 2] != 's')
        return n - 1;
    return n;
}

/* One path segment as camel-case words ("read-all" -> "ReadAll"), singular when asked. */
static void put_segment(struct buf *b, const char *s, size_t n, int singular, int cap_first)
{
    int ies = 0;
    if (singular)
        n = singular_len(s, n, &ies);
    int cap = cap_first;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-' || s[i] == '_' || s[i] == '.') {
            cap = 1;
            continue;
        }
        put_cap(b, s + i, 1, cap);
        cap = 0;
    }
    if (ies)
        buf_putc(b, 'y');
}

/* The operation id of a route into b (NUL-terminated). */
static void operation_id(struct buf *b, const struct route *rt)
{
    buf_reset(b);
    for (size_t i = 0; i < sizeof explicit_ids / sizeof explicit_ids[0]; i++)
        if (!strcmp(explicit_ids[i].method, rt->method) &&
            !strcmp(explicit_ids[i].path, rt->path)) {
            buf_puts(b, explicit_ids[i].id);
            return;
        }
    const char *p = rt->path;
    if (strncmp(p, "/api/v1/", 8) == 0)
        p += 8;
    else if (*p == '/')
        p++;
    /* The literal segments; whether each is followed by a parameter. */
    const char *seg[16];
    size_t len[16];
    int param_after[16];
    int nseg = 0, ends_with_param = 0;
    while (*p && nseg < 16) {
        size_t n = strcspn(p, "/");
        if (*p == ':' || *p == '*') {
            if (nseg)
                param_after[nseg - 1] = 1;
            ends_with_param = 1;
        } else {
            seg[nseg] = p;
            len[nseg] = n;
            param_after[nseg++] = 0;
            ends_with_param = 0;
        }
        p += n;
        if (*p == '/')
            p++;
    }
    const char *verb = NULL;
    int verb_is_segment = 0;
    if (!strcmp(rt->method, "GET"))
        verb = rt->resp && rt->resp[0] == '[' ? "list" : "get";
    else if (!strcmp(rt->method, "PATCH"))
        verb = "patch";
    else if (!strcmp(rt->method, "PUT"))
        verb = "put";
    else if (!strcmp(rt->method, "DELETE"))
        verb = "delete";
    else if (rt->act == ACT_CREATE || ends_with_param || nseg < 2)
        verb = "create";
    else
        verb_is_segment = 1; /* POST .../:id/send -> sendCare */
    int last = nseg;
    if (verb_is_segment) {
        last = nseg - 1;
        put_segment(b, seg[last], len[last], 0, 0);
    } else {
        buf_puts(b, verb);
    }
    for (int i = 0; i < last; i++) {
        /* A collection named with a parameter after it, or created by a POST, is one record. */
        int singular = param_after[i] || (i == last - 1 && !strcmp(rt->method, "POST") &&
                                          !verb_is_segment && rt->act == ACT_CREATE);
        put_segment(b, seg[i], len[i], singular, 1);
    }
    buf_putc(b, 0);
    b->len--;
}

/* ---- writing the document ---- */

/* "/api/v1/accounts/:id/members/:user_id" -> "/api/v1/accounts/{id}/members/{user_id}" */
static void openapi_path(struct buf *b, const char *p)
{
    while (*p) {
        if (*p == '*') {
            buf_puts(b, "{file}");
            p++;
        } else if (*p == ':') {
            p++;
            buf_putc(b, '{');
            while (*p && *p != '/')
                buf_putc(b, *p++);
            buf_putc(b, '}');
        } else {
            buf_putc(b, *p++);
        }
    }
    buf_putc(b, 0);
    b->len--;
}

static void path_params(struct jw *w, const char *p)
{
    for (; *p; p++) {
        if (*p == '*') {
            jw_obj_begin(w);
            jw_kstr(w, "name", "file");
            jw_kstr(w, "in", "path");
            jw_kbool(w, "required", 1);
            jw_kstr(w, "description", "the feed's file name: the calendar token and .ics");
            jw_key(w, "schema");
            jw_obj_begin(w);
            jw_kstr(w, "type", "string");
            jw_obj_end(w);
            jw_obj_end(w);
            continue;
        }
        if (*p != ':')
            continue;
        p++;
        size_t n = strcspn(p, "/");
        jw_obj_begin(w);
        jw_key(w, "name");
        jw_strn(w, p, n);
        jw_kstr(w, "in", "path");
        jw_kbool(w, "required", 1);
        jw_key(w, "schema");
        jw_obj_begin(w);
        jw_kstr(w, "type", "integer");
        jw_ki64(w, "minimum", 1);
        jw_obj_end(w);
        jw_obj_end(w);
        p += n - 1;
    }
}

static int name_in(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(name, *list))
            return 1;
    return 0;
}

/* Query parameters by name: what the handlers parse them as. */
static void query_param(struct jw *w, const char *q, const struct route *rt)
{
    static const char *const integers[] = {
        "account_id",   "plan_id",  "parent_id", "product_id", "team_id",       "id",
        "year",         "month",    "min_count", "active",     "dry_run",       "escalated",
        "forecast",     "overdue",  "unread",    "limit",      "skip_bad_rows", "exclude_id",
        "subsidiaries", "negative", NULL,
    };
    /* The audit query names its record (dispatch.c resolve_scope). */
    int audit = rt->scope == SCOPE_AUDIT && (!strcmp(q, "entity") || !strcmp(q, "id"));
    jw_obj_begin(w);
    jw_kstr(w, "name", q);
    jw_kstr(w, "in", "query");
    if (audit)
        jw_kbool(w, "required", 1);
    jw_key(w, "schema");
    jw_obj_begin(w);
    if (audit && !strcmp(q, "entity")) {
        static const char *const entities[] = {
            "account", "contact", "interaction", "visit", "issue", "care", "user", "team", "token"};
        jw_kstr(w, "type", "string");
        jw_key(w, "enum");
        jw_arr_begin(w);
        for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
            jw_str(w, entities[i]);
        jw_arr_end(w);
    } else if (!strcmp(q, "owner_id") || !strcmp(q, "assignee_id")) {
        jw_kstr(w, "type", "string");
        jw_kstr(w, "pattern", "^([0-9]+|me)$");
        jw_kstr(w, "description", "a user id, or me for the caller");
    } else if (!strcmp(q, "limit")) {
        jw_kstr(w, "type", "integer");
        jw_ki64(w, "minimum", 1);
        jw_ki64(w, "maximum", 500);
    } else if (!strcmp(q, "format")) {
        jw_kstr(w, "type", "string");
        jw_key(w, "enum");
        jw_arr_begin(w);
        jw_str(w, "csv");
        jw_str(w, "xlsx");
        jw_arr_end(w);
    } else if (!strcmp(q, "cursor")) {
        jw_kstr(w, "type", "string");
        jw_kstr(w, "description", "next_cursor of the previous page");
    } else {
        jw_kstr(w, "type", name_in(q, integers) ? "integer" : "string");
    }
    jw_obj_end(w);
    jw_obj_end(w);
}

/* Reads "a | b | c" (after an optional "for x: " and before ", ..." or " (...") as an enum. */
static int doc_enum(const char *doc, const char *vals[16], size_t lens[16])
{
    if (!doc)
        return 0;
    const char *colon = strstr(doc, ": ");
    if (colon && !memchr(doc, '|', (size_t)(colon - doc)))
        doc = colon + 2;
    int n = 0;
    const char *p = doc;
    for (;;) {
        const char *s = p;
        while (is_name_char(*p))
            p++;
        if (p == s || n == 16)
            return 0;
        vals[n] = s;
        lens[n++] = (size_t)(p - s);
        if (strncmp(p, " | ", 3) == 0) {
            p += 3;
            continue;
        }
        break;
    }
    if (*p && *p != ',' && *p != ' ')
        return 0;
    return n >= 2 ? n : 0;
}

/* Finds "A-B" (a range) and "<= B" in a doc. */
static void doc_range(const char *doc, long long *lo, long long *hi)
{
    *lo = -1;
    *hi = -1;
    if (!doc)
        return;
    /* "<= N" and ">= N" win; otherwise the last "A-B" */
    for (const char *p = doc; *p; p++) {
        if (p != doc && (is_name_char(p[-1]) || p[-1] == '-' || p[-1] == '+'))
            continue;
        long long a, b;
        int used = 0;
        if (*p >= '0' && *p <= '9' && sscanf(p, "%lld-%lld%n", &a, &b, &used) == 2 && used &&
            !is_name_char(p[used]) && p[used] != '-' && b >= a) {
            /* the last range: "a-z 0-9 . _ - @, 1-64" is 1-64 */
            *lo = a;
            *hi = b;
            continue;
        }
        if (strncmp(p, "<= ", 3) == 0 && sscanf(p + 3, "%lld", &b) == 1) {
            *hi = b;
            return;
        }
        if (strncmp(p, ">= ", 3) == 0 && sscanf(p + 3, "%lld", &a) == 1) {
            *lo = a;
            return;
        }
    }
}

static void body_field(struct jw *w, const struct jfield *f)
{
    jw_key(w, f->name);
    jw_obj_begin(w);
    int nullable = f->nullable || f->type == J_MONEY;
    const char *type = "string";
    switch (f->type) {
    case J_STR:
        type = "string";
        break;
    case J_I64:
        type = "integer";
        break;
    case J_BOOL:
        type = "boolean";
        break;
    case J_MONEY:
        type = "object";
        break;
    case J_IDS:
    case J_STRS:
    case J_INTS:
    case J_OBJS:
        type = "array";
        break;
    case J_DEC3:
    case J_F64:
        type = "number";
        break;
    case J_OBJ:
        type = "object";
        break;
    }
    jw_key(w, "type");
    if (nullable) {
        jw_arr_begin(w);
        jw_str(w, type);
        jw_str(w, "null");
        jw_arr_end(w);
    } else {
        jw_str(w, type);
    }
    jw_kstr(w, "description", f->doc);
    const char *vals[16];
    size_t lens[16];
    long long lo, hi;
    int n;
    switch (f->type) {
    case J_STR:
        if ((n = doc_enum(f->doc, vals, lens))) {
            jw_key(w, "enum");
            jw_arr_begin(w);
            for (int i = 0; i < n; i++)
                jw_strn(w, vals[i], lens[i]);
            if (nullable)
                jw_null(w);
            jw_arr_end(w);
            break;
        }
        doc_range(f->doc, &lo, &hi);
        if (lo > 0)
            jw_ki64(w, "minLength", lo);
        jw_ki64(w, "maxLength", hi >= 0 ? hi : API_MAX_STRING);
        break;
    case J_I64:
        doc_range(f->doc, &lo, &hi);
        if (lo >= 0)
            jw_ki64(w, "minimum", lo);
        if (hi >= 0)
            jw_ki64(w, "maximum", hi);
        break;
    case J_MONEY:
        jw_kbool(w, "additionalProperties", 0);
        jw_key(w, "properties");
        jw_obj_begin(w);
        jw_key(w, "amount");
        jw_obj_begin(w);
        jw_kstr(w, "type", "integer");
        jw_kstr(w, "description", "minor units (cents)");
        jw_obj_end(w);
        jw_key(w, "currency");
        jw_obj_begin(w);
        jw_kstr(w, "type", "string");
        jw_kstr(w, "description", "ISO 4217 code");
        jw_obj_end(w);
        jw_obj_end(w);
        jw_key(w, "required");
        jw_arr_begin(w);
        jw_str(w, "amount");
        jw_str(w, "currency");
        jw_arr_end(w);
        break;
    case J_IDS:
        jw_ki64(w, "maxItems", API_MAX_IDS);
        jw_key(w, "items");
        jw_obj_begin(w);
        jw_kstr(w, "type", "integer");
        jw_ki64(w, "minimum", 1);
        jw_obj_end(w);
        break;
    case J_STRS:
        jw_ki64(w, "maxItems",
                f->max_items > 0 && f->max_items < API_MAX_IDS ? f->max_items : API_MAX_IDS);
        jw_key(w, "items");
        jw_obj_begin(w);
        jw_kstr(w, "type", "string");
        jw_ki64(w, "maxLength", API_MAX_STRING);
        jw_obj_end(w);
        break;
    case J_OBJ:
        jw_kbool(w, "additionalProperties", 0);
        jw_key(w, "properties");
        jw_obj_begin(w);
        for (const struct jfield *sf = f->sub; sf && sf->name; sf++)
            body_field(w, sf);
        jw_obj_end(w);
        break;
    case J_INTS:
        jw_ki64(w, "maxItems",
                f->max_items > 0 && f->max_items < API_MAX_IDS ? f->max_items : API_MAX_IDS);
        jw_key(w, "items");
        jw_obj_begin(w);
        jw_kstr(w, "type", "integer");
        jw_ki64(w, "minimum", 0);
        jw_obj_end(w);
        break;
    case J_OBJS:
        jw_ki64(w, "maxItems", f->max_items > 0 ? f->max_items : API_MAX_IDS);
        jw_key(w, "items");
        jw_obj_begin(w);
        jw_kstr(w, "type", "object");
        jw_kbool(w, "additionalProperties", 0);
        jw_key(w, "properties");
        jw_obj_begin(w);
        for (const struct jfield *sf = f->sub; sf && sf->name; sf++)
            body_field(w, sf);
        jw_obj_end(w);
        jw_obj_end(w);
        break;
    case J_BOOL:
    case J_DEC3:
    case J_F64:
        break;
    }
    jw_obj_end(w);
}

static void request_body(struct jw *w, const struct route *rt)
{
    jw_key(w, "requestBody");
    jw_obj_begin(w);
    jw_kbool(w, "required", 1);
    jw_key(w, "content");
    jw_obj_begin(w);
    if (rt->body == api_file_body) {
        jw_key(w, "application/octet-stream");
        jw_obj_begin(w);
        jw_key(w, "schema");
        jw_obj_begin(w);
        jw_kstr(w, "type", "string");
        jw_kstr(w, "format", "binary");
        jw_kstr(w, "description", "the file's bytes (its type is judged from them)");
        jw_obj_end(w);
        jw_obj_end(w);
    } else if (rt->body == api_csv_body) {
        jw_key(w, "text/csv");
        jw_obj_begin(w);
        jw_key(w, "schema");
        jw_obj_begin(w);
        jw_kstr(w, "type", "string");
        jw_kstr(w, "description", "CSV text with a header row");
        jw_obj_end(w);
        jw_obj_end(w);
        /* the imports also read tab-separated text and .xlsx (svc/volume/import_read.h) */
        jw_key(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        jw_obj_begin(w);
        jw_key(w, "schema");
        jw_obj_begin(w);
        jw_kstr(w, "type", "string");
        jw_kstr(w, "format", "binary");
        jw_kstr(w, "description", "an Excel workbook (the first sheet unless sheet= names one)");
        jw_obj_end(w);
        jw_obj_end(w);
    } else {
        jw_key(w, "application/json");
        jw_obj_begin(w);
        jw_key(w, "schema");
        jw_obj_begin(w);
        jw_kstr(w, "type", "object");
        jw_kbool(w, "additionalProperties", 0);
        jw_key(w, "properties");
        jw_obj_begin(w);
        for (const struct jfield *f = rt->body; f->name; f++)
            body_field(w, f);
        jw_obj_end(w);
        /* A PATCH sends what changes; a POST or PUT what its table marks required. */
        int nreq = 0;
        for (const struct jfield *f = rt->body; f->name; f++)
            nreq += f->required && strcmp(rt->method, "PATCH") != 0;
        if (nreq) {
            jw_key(w, "required");
            jw_arr_begin(w);
            for (const struct jfield *f = rt->body; f->name; f++)
                if (f->required)
                    jw_str(w, f->name);
            jw_arr_end(w);
        }
        jw_obj_end(w);
        jw_obj_end(w);
    }
    jw_obj_end(w);
    jw_obj_end(w);
}

/* The success response's content for rt->resp. */
/* The success content of rt->resp. A file route with a format query parameter answers csv or
 * xlsx, as asked. */
static void success_content(struct jw *w, const char *resp, const struct route *rt)
{
    static const struct {
        const char *resp, *type, *doc;
    } files[] = {
        {"csv", "text/csv", "CSV with a header row"},
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "an Excel workbook"},
        {"ics", "text/calendar", "an iCalendar feed"},
        {"html", "text/html", "an HTML page"},
        /* "file": a stored document, served as the type sniffed at its upload
         * (svc/core/document.c) */
        {"file", "application/pdf", "a stored document"},
        {"file", "image/png", "a stored document"},
        {"file", "image/jpeg", "a stored document"},
        {"file", "image/gif", "a stored document"},
        {"file", "image/webp", "a stored document"},
        {"file", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "a stored document"},
        {"file", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "a stored document"},
        {"file", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
         "a stored document"},
        {"file", "application/msword", "a stored document"},
        {"file", "application/vnd.ms-excel", "a stored document"},
        {"file", "application/vnd.ms-powerpoint", "a stored document"},
        {"file", "text/plain", "a stored document"},
        {"file", "text/csv", "a stored document"},
    };
    int either = 0;
    for (const char *const *q = rt->query; q && *q; q++)
        either |= !strcmp(*q, "format") && (!strcmp(resp, "csv") || !strcmp(resp, "xlsx"));
    jw_key(w, "content");
    jw_obj_begin(w);
    int files_written = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (strcmp(resp, files[i].resp) != 0 &&
            !(either && (!strcmp(files[i].resp, "csv") || !strcmp(files[i].resp, "xlsx"))))
            continue;
        files_written++;
        jw_key(w, files[i].type);
        jw_obj_begin(w);
        jw_key(w, "schema");
        jw_obj_begin(w);
        jw_kstr(w, "type", "string");
        if (strcmp(resp, "xlsx") == 0 || strcmp(resp, "file") == 0)
            jw_kstr(w, "format", "binary");
        jw_kstr(w, "description", files[i].doc);
        jw_obj_end(w);
        jw_obj_end(w);
    }
    if (files_written) {
        jw_obj_end(w);
        return;
    }
    jw_key(w, "application/json");
    jw_obj_begin(w);
    jw_key(w, "schema");
    if (resp[0] == '[') {
        /* The paged list envelope of api_list_begin/api_list_end. */
        size_t n = strlen(resp);
        char inner[512];
        snprintf(inner, sizeof inner, "%.*s", (int)(n - 2), resp + 1);
        jw_obj_begin(w);
        jw_kstr(w, "type", "object");
        jw_kbool(w, "additionalProperties", 0);
        jw_key(w, "properties");
        jw_obj_begin(w);
        jw_key(w, "items");
        jw_obj_begin(w);
        jw_kstr(w, "type", "array");
        jw_key(w, "items");
        dsl_write(w, inner, 0);
        jw_obj_end(w);
        jw_key(w, "next_cursor");
        jw_obj_begin(w);
        jw_key(w, "type");
        jw_arr_begin(w);
        jw_str(w, "string");
        jw_str(w, "null");
        jw_arr_end(w);
        jw_kstr(w, "description", "pass as cursor for the next page; null on the last page");
        jw_obj_end(w);
        jw_obj_end(w);
        jw_key(w, "required");
        jw_arr_begin(w);
        jw_str(w, "items");
        jw_str(w, "next_cursor");
        jw_arr_end(w);
        jw_obj_end(w);
    } else if (resp[0] == '{') {
        size_t n = strlen(resp);
        char inner[2048];
        snprintf(inner, sizeof inner, "%.*s", (int)(n - 2), resp + 1);
        dsl_write(w, inner, 1);
    } else {
        dsl_write(w, resp, 0);
    }
    jw_obj_end(w);
    jw_obj_end(w);
}

/* Whether rt->resp is well-formed: NULL when it is, else why not. */
static const char *resp_error(const char *resp, void (*on_ref)(void *, const char *, size_t),
                              void *u)
{
    if (!resp)
        return "no response declared (resp is NULL)";
    if (!strcmp(resp, "-") || is_file(resp))
        return NULL;
    size_t n = strlen(resp);
    if (resp[0] == '[' || resp[0] == '{') {
        char close = resp[0] == '[' ? ']' : '}';
        if (n < 2 || resp[n - 1] != close || n > 2000)
            return "unbalanced [..] or {..}";
        char inner[2048];
        snprintf(inner, sizeof inner, "%.*s", (int)(n - 2), resp + 1);
        return dsl_check(inner, resp[0] == '{', on_ref, u);
    }
    return dsl_check(resp, 0, on_ref, u);
}

static void ref_to(struct jw *w, const char *kind, const char *name)
{
    char ref[128];
    snprintf(ref, sizeof ref, "#/components/%s/%s", kind, name);
    jw_obj_begin(w);
    jw_kstr(w, "$ref", ref);
    jw_obj_end(w);
}

static void security(struct jw *w, const struct route *rt)
{
    jw_key(w, "security");
    jw_arr_begin(w);
    if (rt->obj != OBJ_PUBLIC) {
        jw_obj_begin(w);
        jw_key(w, "bearer");
        jw_arr_begin(w);
        jw_arr_end(w);
        jw_obj_end(w);
        jw_obj_begin(w);
        jw_key(w, "session");
        jw_arr_begin(w);
        jw_arr_end(w);
        if (is_unsafe(rt->method)) {
            jw_key(w, "csrf");
            jw_arr_begin(w);
            jw_arr_end(w);
        }
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void operation(struct jw *w, const struct route *rt, struct buf *scratch)
{
    char lower[8];
    size_t i;
    for (i = 0; rt->method[i] && i < sizeof lower - 1; i++)
        lower[i] = (char)(rt->method[i] | 0x20);
    lower[i] = 0;
    jw_key(w, lower);
    jw_obj_begin(w);
    operation_id(scratch, rt);
    jw_kstr(w, "operationId", scratch->data);
    jw_kstr(w, "summary", rt->summary);
    const struct chapter *ch = chapter_of(rt);
    jw_key(w, "tags");
    jw_arr_begin(w);
    jw_str(w, ch ? ch->tag : "other");
    jw_arr_end(w);
    jw_kstr(w, "x-kam-object", obj_name(rt->obj));
    jw_kstr(w, "x-kam-action", act_name(rt->act));
    jw_kstr(w, "x-kam-scope", scope_kind_name(rt->scope));
    security(w, rt);
    if (has_path_params(rt->path) || (rt->query && *rt->query)) {
        jw_key(w, "parameters");
        jw_arr_begin(w);
        path_params(w, rt->path);
        for (const char *const *q = rt->query; q && *q; q++)
            query_param(w, *q, rt);
        jw_arr_end(w);
    }
    if (rt->body)
        request_body(w, rt);
    jw_key(w, "responses");
    jw_obj_begin(w);
    char code[8];
    snprintf(code, sizeof code, "%d", rt->ok_status);
    jw_key(w, code);
    jw_obj_begin(w);
    const char *resp = rt->resp;
    if (!resp || resp_error(resp, NULL, NULL)) {
        jw_kstr(w, "description", "success (undeclared response)");
    } else if (!strcmp(resp, "-")) {
        jw_kstr(w, "description", "done, no body");
    } else {
        jw_kstr(w, "description", "success");
        success_content(w, resp, rt);
    }
    jw_obj_end(w);
    for (size_t a = 0; a < sizeof alt_successes / sizeof alt_successes[0]; a++) {
        if (strcmp(alt_successes[a].method, rt->method) != 0 ||
            strcmp(alt_successes[a].path, rt->path) != 0 || !resp || resp_error(resp, NULL, NULL))
            continue;
        snprintf(code, sizeof code, "%d", alt_successes[a].status);
        jw_key(w, code);
        jw_obj_begin(w);
        jw_kstr(w, "description", alt_successes[a].doc);
        success_content(w, resp, rt);
        jw_obj_end(w);
    }
    for (size_t e = 0; e < NERRORS; e++) {
        if (!route_gives(rt, error_responses[e].status))
            continue;
        snprintf(code, sizeof code, "%d", error_responses[e].status);
        jw_key(w, code);
        if (error_responses[e].status == 503 && !strcmp(rt->path, "/healthz"))
            ref_to(w, "responses", "HealthUnavailable");
        else
            ref_to(w, "responses", error_responses[e].name);
    }
    jw_obj_end(w);
    jw_obj_end(w);
}

static void error_schema(struct jw *w)
{
    jw_key(w, "Error");
    jw_obj_begin(w);
    jw_kstr(w, "type", "object");
    jw_kstr(w, "description",
            "Every error answer: error.code is stable, error.field names the "
            "input to blame (\"\" when none)");
    jw_kbool(w, "additionalProperties", 0);
    jw_key(w, "properties");
    jw_obj_begin(w);
    jw_key(w, "error");
    jw_obj_begin(w);
    jw_kstr(w, "type", "object");
    jw_kbool(w, "additionalProperties", 0);
    jw_key(w, "properties");
    jw_obj_begin(w);
    jw_key(w, "code");
    jw_obj_begin(w);
    jw_kstr(w, "type", "string");
    jw_key(w, "enum");
    jw_arr_begin(w);
    for (int c = KAM_OK + 1; c < KAM_ERR_COUNT; c++)
        jw_str(w, kam_err_name((enum kam_err)c));
    jw_arr_end(w);
    jw_obj_end(w);
    jw_key(w, "message");
    jw_obj_begin(w);
    jw_kstr(w, "type", "string");
    jw_obj_end(w);
    jw_key(w, "field");
    jw_obj_begin(w);
    jw_kstr(w, "type", "string");
    jw_obj_end(w);
    jw_key(w, "key");
    jw_obj_begin(w);
    jw_kstr(w, "type", "string");
    jw_kstr(w, "description",
            "Stable message key (\"required\", \"too_long\", \"not_one_of\", ...; the code's "
            "name when the call site has none): a UI words the message from key, params and the "
            "field's label. message is in the request's Accept-Language (en, zh-CN, zh-TW) when "
            "the key has a template, else English");
    jw_obj_end(w);
    jw_key(w, "params");
    jw_obj_begin(w);
    jw_kstr(w, "type", "object");
    jw_kstr(w, "description", "The message's named parameters (max, min, allowed, ...)");
    jw_key(w, "additionalProperties");
    jw_obj_begin(w);
    jw_kstr(w, "type", "string");
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
    jw_key(w, "required");
    jw_arr_begin(w);
    jw_str(w, "code");
    jw_str(w, "message");
    jw_str(w, "field");
    jw_str(w, "key");
    jw_str(w, "params");
    jw_arr_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
    jw_key(w, "required");
    jw_arr_begin(w);
    jw_str(w, "error");
    jw_arr_end(w);
    jw_obj_end(w);
}

static void json_response(struct jw *w, const char *name, const char *doc, const char *schema_ref)
{
    jw_key(w, name);
    jw_obj_begin(w);
    jw_kstr(w, "description", doc);
    jw_key(w, "content");
    jw_obj_begin(w);
    jw_key(w, "application/json");
    jw_obj_begin(w);
    jw_key(w, "schema");
    jw_obj_begin(w);
    jw_kstr(w, "$ref", schema_ref);
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
}

static void components(struct jw *w)
{
    jw_key(w, "components");
    jw_obj_begin(w);
    jw_key(w, "schemas");
    jw_obj_begin(w);
    error_schema(w);
    for (size_t c = 0; c < NCHAPTERS; c++)
        for (const struct api_shape *s = chapters[c].shapes; s && s->name; s++) {
            if (!s->fields || dsl_check(s->fields, 1, NULL, NULL))
                continue; /* malformed: the unit test names it */
            jw_key(w, s->name);
            dsl_write(w, s->fields, 1);
        }
    jw_obj_end(w);

    jw_key(w, "responses");
    jw_obj_begin(w);
    for (size_t e = 0; e < NERRORS; e++)
        json_response(w, error_responses[e].name, error_responses[e].doc,
                      "#/components/schemas/Error");
    /* /healthz answers 503 with its own body when the database takes no writes. */
    jw_key(w, "HealthUnavailable");
    jw_obj_begin(w);
    jw_kstr(w, "description", "The database does not answer or takes no writes");
    jw_key(w, "content");
    jw_obj_begin(w);
    jw_key(w, "application/json");
    jw_obj_begin(w);
    jw_key(w, "schema");
    jw_obj_begin(w);
    jw_key(w, "anyOf");
    jw_arr_begin(w);
    ref_to(w, "schemas", "Health");
    ref_to(w, "schemas", "Error");
    jw_arr_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);

    jw_key(w, "securitySchemes");
    jw_obj_begin(w);
    jw_key(w, "bearer");
    jw_obj_begin(w);
    jw_kstr(w, "type", "http");
    jw_kstr(w, "scheme", "bearer");
    jw_kstr(w, "description",
            "An API token (POST /api/v1/tokens; kam token): "
            "Authorization: Bearer <token>. No CSRF header needed.");
    jw_obj_end(w);
    jw_key(w, "session");
    jw_obj_begin(w);
    jw_kstr(w, "type", "apiKey");
    jw_kstr(w, "in", "cookie");
    jw_kstr(w, "name", "kam_session");
    jw_kstr(w, "description", "The session cookie POST /api/v1/session sets");
    jw_obj_end(w);
    jw_key(w, "csrf");
    jw_obj_begin(w);
    jw_kstr(w, "type", "apiKey");
    jw_kstr(w, "in", "header");
    jw_kstr(w, "name", "X-CSRF-Token");
    jw_kstr(w, "description",
            "With the session cookie, on every unsafe method: the csrf value "
            "of POST /api/v1/session or GET /api/v1/session");
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
}

void api_openapi(struct buf *b)
{
    struct jw w;
    jw_init(&w, b);
    jw_obj_begin(&w);
    jw_kstr(&w, "openapi", "3.1.0");
    jw_key(&w, "info");
    jw_obj_begin(&w);
    jw_kstr(&w, "title", "KAM API");
    jw_kstr(&w, "version", "1");
    jw_kstr(&w, "summary", "Key account management");
    jw_kstr(&w, "description",
            "Key account management: accounts, contacts, interactions, visits, issues, care, "
            "valuation, sales volume, targets and measures. Authenticate with a session cookie "
            "(kam_session, plus X-CSRF-Token on unsafe methods) or an API token (Authorization: "
            "Bearer). x-kam-object, x-kam-action and x-kam-scope name the policy each operation "
            "is checked against; GET /api/v1/me returns the caller's permissions. Errors are "
            "{\"error\":{\"code\",\"message\",\"field\"}}. Lists are pages {items, next_cursor}.");
    jw_key(&w, "license");
    jw_obj_begin(&w);
    jw_kstr(&w, "name", "Proprietary");
    jw_kstr(&w, "identifier", "LicenseRef-KAM");
    jw_obj_end(&w);
    jw_obj_end(&w);
    jw_key(&w, "servers");
    jw_arr_begin(&w);
    jw_obj_begin(&w);
    jw_kstr(&w, "url", "/");
    jw_kstr(&w, "description", "The KAM server that serves this document");
    jw_obj_end(&w);
    jw_arr_end(&w);
    jw_key(&w, "tags");
    jw_arr_begin(&w);
    for (size_t c = 0; c < NCHAPTERS; c++) {
        jw_obj_begin(&w);
        jw_kstr(&w, "name", chapters[c].tag);
        jw_kstr(&w, "description", chapters[c].doc);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_key(&w, "paths");
    jw_obj_begin(&w);
    struct buf scratch;
    buf_init(&scratch, 1 << 16);
    int n = api_route_count();
    /* Group operations by path, in table order of first appearance. */
    for (int i = 0; i < n; i++) {
        const struct route *rt = api_route_at(i);
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = strcmp(api_route_at(j)->path, rt->path) == 0;
        if (seen)
            continue;
        buf_reset(&scratch);
        openapi_path(&scratch, rt->path);
        jw_key(&w, scratch.data);
        jw_obj_begin(&w);
        for (int j = i; j < n; j++)
            if (strcmp(api_route_at(j)->path, rt->path) == 0)
                operation(&w, api_route_at(j), &scratch);
        jw_obj_end(&w);
    }
    buf_release(&scratch);
    jw_obj_end(&w);
    components(&w);
    jw_obj_end(&w);
}

enum kam_err api_openapi_route(struct api_call *c)
{
    api_openapi(c->w.b);
    return KAM_OK;
}

/* ---- the checks the unit tests run ---- */

const char *api_shape_syntax(const char *fields)
{
    return dsl_check(fields, 1, NULL, NULL);
}

struct refcheck {
    char *msg;
    size_t cap;
    int bad;
    const char *where;
};

static int component_exists(const char *name, size_t n)
{
    if (n == 5 && !strncmp(name, "Error", 5))
        return 1;
    for (size_t c = 0; c < NCHAPTERS; c++)
        for (const struct api_shape *s = chapters[c].shapes; s && s->name; s++)
            if (strlen(s->name) == n && !strncmp(s->name, name, n))
                return 1;
    return 0;
}

__attribute__((format(printf, 3, 4))) static void note(struct refcheck *r, const char *where,
                                                       const char *fmt, ...)
{
    size_t len = strlen(r->msg);
    r->bad++;
    if (len + 1 >= r->cap)
        return;
    len += (size_t)snprintf(r->msg + len, r->cap - len, "%s: ", where);
    if (len + 1 >= r->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    len += (size_t)vsnprintf(r->msg + len, r->cap - len, fmt, ap);
    va_end(ap);
    if (len + 1 < r->cap)
        snprintf(r->msg + len, r->cap - len, "\n");
}

static void check_ref(void *u, const char *name, size_t n)
{
    struct refcheck *r = u;
    if (!component_exists(name, n))
        note(r, r->where, "unknown component %.*s", (int)n, name);
}

int api_openapi_check(char *msg, size_t cap)
{
    struct refcheck r = {.msg = msg, .cap = cap};
    msg[0] = 0;
    char where[200];
    r.where = where;
    for (size_t c = 0; c < NCHAPTERS; c++)
        for (const struct api_shape *s = chapters[c].shapes; s && s->name; s++) {
            snprintf(where, sizeof where, "shape %s (%s)", s->name, chapters[c].tag);
            const char *e = s->fields ? dsl_check(s->fields, 1, check_ref, &r) : "no fields";
            if (e)
                note(&r, where, "%s", e);
            if (s->name[0] < 'A' || s->name[0] > 'Z')
                note(&r, where, "component names are Capitalised");
            for (size_t c2 = 0; c2 <= c; c2++)
                for (const struct api_shape *t = chapters[c2].shapes; t && t->name && t != s; t++)
                    if (!strcmp(t->name, s->name))
                        note(&r, where, "declared twice");
        }
    int n = api_route_count();
    struct buf id, other;
    buf_init(&id, 1 << 12);
    buf_init(&other, 1 << 12);
    for (int i = 0; i < n; i++) {
        const struct route *rt = api_route_at(i);
        snprintf(where, sizeof where, "%s %s", rt->method, rt->path);
        const char *e = resp_error(rt->resp, check_ref, &r);
        if (e)
            note(&r, where, "%s", e);
        if (!chapter_of(rt))
            note(&r, where, "its table is not listed in openapi.c (chapters)");
        int no_body = rt->resp && strcmp(rt->resp, "-") == 0;
        if (rt->resp && no_body != (rt->ok_status == 204))
            note(&r, where, "resp \"-\" goes with status 204, and only it");
        operation_id(&id, rt);
        for (int j = 0; j < i; j++) {
            operation_id(&other, api_route_at(j));
            if (!strcmp(id.data, other.data))
                note(&r, where, "duplicate operationId %s", id.data);
        }
    }
    buf_release(&id);
    buf_release(&other);
    return r.bad;
}
