/* test_openapi.c -- the OpenAPI document (api/core/openapi.c): every route declares its
 * response, every shape parses, every $ref resolves, operation ids are unique, every path
 * parameter is declared; the caller's permission row of GET /api/v1/me follows policy.c. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/core/api.h"
#include "api/core/internal.h"
#include "svc/core/policy.h"
#include "test.h"

static json_t *document(void)
{
    struct buf b;
    buf_init(&b, 1 << 24);
    api_openapi(&b);
    CHECK(buf_ok(&b));
    json_error_t e;
    json_t *doc = json_loadb(b.data, b.len, 0, &e);
    if (!doc)
        fprintf(stderr, "  openapi.json does not parse: %s (line %d)\n", e.text, e.line);
    buf_release(&b);
    return doc;
}

TEST(openapi_every_route_declares_its_response)
{
    int n = api_route_count();
    CHECK(n > 100);
    for (int i = 0; i < n; i++) {
        const struct route *rt = api_route_at(i);
        if (!rt->resp)
            fprintf(stderr, "  %s %s: resp is NULL\n", rt->method, rt->path);
        CHECK(rt->resp != NULL);
    }
}

TEST(openapi_shapes_routes_and_ids_check_clean)
{
    static char msg[16384];
    int bad = api_openapi_check(msg, sizeof msg);
    if (bad)
        fprintf(stderr, "%s", msg);
    CHECK_EQ_INT(bad, 0);
}

TEST(openapi_shape_syntax_errors_are_found)
{
    CHECK(api_shape_syntax("id:int name:str? tags?:[str] tier:str(a|b)? p:{x:int y:[{z:ts}]}?") ==
          NULL);
    CHECK(api_shape_syntax("a:Account? b:[Account] c:any d:obj? e:date f:num g:bool") == NULL);
    CHECK(api_shape_syntax("") == NULL);
    CHECK(api_shape_syntax("id") != NULL);            /* no type */
    CHECK(api_shape_syntax("id:integer") != NULL);    /* unknown type */
    CHECK(api_shape_syntax("id:int id:str") != NULL); /* duplicate */
    CHECK(api_shape_syntax("a:[int") != NULL);        /* unbalanced */
    CHECK(api_shape_syntax("a:{b:int") != NULL);      /* unbalanced */
    CHECK(api_shape_syntax("a:str(x|)") != NULL);     /* empty enum value */
    CHECK(api_shape_syntax("a:int,b:int") != NULL);   /* not space-separated */
    CHECK(api_shape_syntax("a:int? ?b:int") != NULL); /* no name */
}

/* Resolves a local JSON pointer ("#/components/schemas/Account") in doc. */
static json_t *pointer(json_t *doc, const char *ref)
{
    if (strncmp(ref, "#/", 2) != 0)
        return NULL;
    json_t *node = doc;
    char part[256];
    const char *p = ref + 2;
    while (node && *p) {
        size_t n = strcspn(p, "/"), k = 0;
        for (size_t i = 0; i < n && k < sizeof part - 1; i++) {
            if (p[i] == '~' && i + 1 < n) {
                part[k++] = p[i + 1] == '1' ? '/' : '~';
                i++;
            } else {
                part[k++] = p[i];
            }
        }
        part[k] = 0;
        node = json_object_get(node, part);
        p += n;
        if (*p == '/')
            p++;
    }
    return node;
}

static int unresolved;

static void walk_refs(json_t *doc, json_t *v)
{
    const char *k;
    json_t *x;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, k, x)
        {
            if (!strcmp(k, "$ref") && json_is_string(x) && !pointer(doc, json_string_value(x))) {
                fprintf(stderr, "  unresolved $ref %s\n", json_string_value(x));
                unresolved++;
            }
            walk_refs(doc, x);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x) walk_refs(doc, x);
    }
}

TEST(openapi_every_ref_resolves)
{
    json_t *doc = document();
    CHECK(doc != NULL);
    if (!doc)
        return;
    unresolved = 0;
    walk_refs(doc, doc);
    CHECK_EQ_INT(unresolved, 0);
    CHECK(pointer(doc, "#/components/schemas/Error") != NULL);
    CHECK(pointer(doc, "#/components/securitySchemes/bearer") != NULL);
    CHECK(pointer(doc, "#/components/securitySchemes/session") != NULL);
    CHECK(pointer(doc, "#/components/securitySchemes/csrf") != NULL);
    json_decref(doc);
}

TEST(openapi_operations_ids_params_responses_security)
{
    json_t *doc = document();
    CHECK(doc != NULL);
    if (!doc)
        return;
    json_t *seen = json_object(), *paths = json_object_get(doc, "paths");
    int nops = 0;
    const char *path, *method;
    json_t *item, *op;
    json_object_foreach(paths, path, item)
    {
        json_object_foreach(item, method, op)
        {
            nops++;
            const char *id = json_string_value(json_object_get(op, "operationId"));
            CHECK(id && *id);
            if (!id)
                continue;
            if (json_object_get(seen, id))
                fprintf(stderr, "  duplicate operationId %s (%s %s)\n", id, method, path);
            CHECK(json_object_get(seen, id) == NULL);
            json_object_set_new(seen, id, json_true());
            /* each {name} of the path is a required path parameter */
            for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
                size_t n = strcspn(p + 1, "}");
                int found = 0;
                size_t i;
                json_t *prm;
                json_array_foreach(json_object_get(op, "parameters"), i, prm)
                {
                    const char *name = json_string_value(json_object_get(prm, "name"));
                    found |= name && strlen(name) == n && !strncmp(name, p + 1, n) &&
                             !strcmp(json_string_value(json_object_get(prm, "in")), "path") &&
                             json_is_true(json_object_get(prm, "required"));
                }
                if (!found)
                    fprintf(stderr, "  %s %s: path parameter %.*s is not declared\n", method, path,
                            (int)n, p + 1);
                CHECK(found);
            }
            /* a success with a body has a schema or a file type; errors are Error */
            json_t *responses = json_object_get(op, "responses");
            const char *code;
            json_t *resp;
            int successes = 0, errors = 0;
            json_object_foreach(responses, code, resp)
            {
                if (code[0] == '2') {
                    successes++;
                    if (strcmp(code, "204") != 0)
                        CHECK(json_object_get(resp, "content") != NULL);
                } else if (strcmp(code, "422") != 0) { /* 422: a rejected import's report */
                    errors++;
                    CHECK(json_object_get(resp, "$ref") != NULL);
                }
            }
            CHECK(successes >= 1); /* imports: 201, or 200 for a dry run */
            CHECK(errors >= 3);    /* at least 400, 500, 503 */
            json_t *sec = json_object_get(op, "security");
            CHECK(json_is_array(sec));
            int public_op =
                !strcmp(json_string_value(json_object_get(op, "x-kam-object")), "public");
            CHECK_EQ_INT(json_array_size(sec) == 0, public_op);
        }
    }
    CHECK_EQ_INT(nops, api_route_count());
    /* the trailing wildcard is a path parameter too */
    json_t *cal = json_object_get(paths, "/calendar/{file}");
    CHECK(cal != NULL);
    CHECK_EQ_STR(
        json_string_value(json_object_get(
            json_object_get(json_object_get(paths, "/api/v1/accounts"), "get"), "operationId")),
        "listAccounts");
    CHECK_EQ_STR(json_string_value(json_object_get(
                     json_object_get(json_object_get(paths, "/api/v1/accounts/{id}"), "patch"),
                     "operationId")),
                 "patchAccount");
    json_decref(seen);
    json_decref(doc);
}

TEST(openapi_request_bodies_carry_enums_and_lengths)
{
    json_t *doc = document();
    if (!doc)
        return;
    json_t *props = pointer(doc, "#/paths/~1api~1v1~1accounts/post/requestBody/content/"
                                 "application~1json/schema/properties");
    CHECK(props != NULL);
    json_t *tier = json_object_get(props, "tier");
    CHECK_EQ_INT(json_array_size(json_object_get(tier, "enum")), 4);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(props, "name"), "maxLength")),
                 200);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(props, "code"), "maxLength")),
                 40);
    /* required on POST, not on PATCH */
    json_t *req = pointer(doc, "#/paths/~1api~1v1~1accounts/post/requestBody/content/"
                               "application~1json/schema/required");
    CHECK_EQ_INT(json_array_size(req), 2);
    CHECK_EQ_STR(json_string_value(json_array_get(req, 0)), "code");
    CHECK(pointer(doc, "#/paths/~1api~1v1~1accounts~1{id}/patch/requestBody/content/"
                       "application~1json/schema/required") == NULL);
    /* "a-z 0-9 . _ - @, 1-64": the range is the last one */
    json_t *login = pointer(doc, "#/paths/~1api~1v1~1users/post/requestBody/content/"
                                 "application~1json/schema/properties/login");
    CHECK_EQ_INT(json_integer_value(json_object_get(login, "maxLength")), 64);
    json_decref(doc);
}

/* The caller's row of GET /api/v1/me: the Permissions shape names every object of the table
 * but public and self, and Capabilities every capability, so the document cannot drift from
 * policy.c. */
TEST(openapi_me_permission_row_matches_policy)
{
    const char *perms = NULL, *caps = NULL;
    for (int t = 0; api_shape_table_at(t); t++)
        for (const struct api_shape *s = api_shape_table_at(t); s->name; s++) {
            if (!strcmp(s->name, "Permissions"))
                perms = s->fields;
            if (!strcmp(s->name, "Capabilities"))
                caps = s->fields;
        }
    CHECK(perms && caps);
    if (!perms || !caps)
        return;
    char want[2048] = "";
    for (int o = OBJ_SELF + 1; o < OBJ_COUNT; o++) {
        size_t len = strlen(want);
        snprintf(want + len, sizeof want - len, "%s%s:Grants", o > OBJ_SELF + 1 ? " " : "",
                 obj_name((enum obj)o));
    }
    CHECK_EQ_STR(perms, want);
    want[0] = 0;
    for (int c = 0; c < CAP_COUNT; c++) {
        size_t len = strlen(want);
        snprintf(want + len, sizeof want - len, "%s%s:bool", c ? " " : "",
                 capability_name((enum capability)c));
    }
    CHECK_EQ_STR(caps, want);
    CHECK_EQ_STR(grant_name(GRANT_ALL), "all");
    CHECK_EQ_STR(grant_name(GRANT_SCOPE), "scope");
    CHECK_EQ_STR(grant_name(GRANT_NONE), "none");
}

TEST(policy_capabilities_by_role)
{
    static const struct {
        enum role r;
        int plan, calendars, sla, admin;
    } want[] = {
        {ROLE_ADMIN, 1, 1, 1, 1},     {ROLE_DIRECTOR, 1, 1, 1, 0},
        {ROLE_TEAM_LEAD, 1, 1, 1, 0}, {ROLE_ACCOUNT_MANAGER, 0, 0, 0, 0},
        {ROLE_FINANCE, 0, 1, 0, 0},   {ROLE_SERVICE, 0, 0, 0, 0},
        {ROLE_HR, 0, 0, 0, 0},        {ROLE_VIEWER, 0, 1, 0, 0},
        {ROLE_NONE, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK_EQ_INT(policy_capable(want[i].r, CAP_PLAN_VISITS_FOR_OTHERS), want[i].plan);
        CHECK_EQ_INT(policy_capable(want[i].r, CAP_SEE_OTHERS_CALENDARS), want[i].calendars);
        CHECK_EQ_INT(policy_capable(want[i].r, CAP_SEE_SLA_STATS), want[i].sla);
        CHECK_EQ_INT(policy_capable(want[i].r, CAP_GRANT_ADMIN), want[i].admin);
    }
    CHECK_EQ_STR(capability_name(CAP_SEE_SLA_STATS), "see_sla_stats");
}
