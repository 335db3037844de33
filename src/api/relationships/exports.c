/* exports.c -- CSV/XLSX exports of the relationship lists (issue 12): each list route's path +
 * "/export", with the list's object, action and scope (api/core/list_export.c). The query
 * parameters are the list route's without limit and cursor, plus format and columns: filled in
 * at start-up from the list route (api_list_export_query), so they follow the list's. */
#include <stddef.h>
#include <stdint.h>

#include "api/core/internal.h"

const struct api_shape api_shapes_rel_exports[] = {
    {NULL, NULL},
};

#define EXPORT_DOC                                                                                 \
    " over all its pages, with the list's filters and sort, as a file: format=csv (default) or "   \
    "xlsx; columns=key[:label],... picks, orders and labels the columns (nested fields as "        \
    "revenue.amount); lang=zh-CN|zh-TW|en (else Accept-Language) words enum values, booleans "     \
    "and user ids as the screen does; raw=1 or a column <key>_code keeps the stored values"

/* Written once, before main, by init_queries(). */
static const char *accounts_query[API_EXPORT_QUERY_MAX], *contacts_query[API_EXPORT_QUERY_MAX],
    *interactions_query[API_EXPORT_QUERY_MAX], *visits_query[API_EXPORT_QUERY_MAX],
    *issues_query[API_EXPORT_QUERY_MAX], *care_query[API_EXPORT_QUERY_MAX];

const struct route api_routes_rel_exports[] = {
    {"GET", "/api/v1/accounts/export", api_list_export, OBJ_ACCOUNT, ACT_READ, SCOPE_NONE, NULL,
     accounts_query, 200, "The accounts list" EXPORT_DOC, "csv"},
    {"GET", "/api/v1/accounts/:id/contacts/export", api_list_export, OBJ_CONTACT, ACT_READ,
     SCOPE_ACCOUNT, NULL, contacts_query, 200, "The account's contacts" EXPORT_DOC, "csv"},
    {"GET", "/api/v1/accounts/:id/interactions/export", api_list_export, OBJ_INTERACTION, ACT_READ,
     SCOPE_ACCOUNT, NULL, interactions_query, 200, "The account's interaction timeline" EXPORT_DOC,
     "csv"},
    {"GET", "/api/v1/visits/export", api_list_export, OBJ_VISIT, ACT_READ, SCOPE_NONE, NULL,
     visits_query, 200, "The visits list" EXPORT_DOC, "csv"},
    {"GET", "/api/v1/issues/export", api_list_export, OBJ_ISSUE, ACT_READ, SCOPE_NONE, NULL,
     issues_query, 200, "The issues list" EXPORT_DOC, "csv"},
    {"GET", "/api/v1/care/export", api_list_export, OBJ_CARE, ACT_READ, SCOPE_NONE, NULL,
     care_query, 200, "The care reminders list" EXPORT_DOC, "csv"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    for (const struct route *rt = api_routes_rel_exports; rt->method; rt++)
        api_list_export_query(rt->path, (const char **)(uintptr_t)rt->query);
}
