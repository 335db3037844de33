/* exports.c -- CSV/XLSX exports of the volume lists (issue 12): the order lines, through the
 * generic list export (api/core/list_export.c), with the list's query parameters (filled in
 * at start-up, api_list_export_query). The KPI table keeps its own GET /api/v1/kpis/export
 * (api/volume/volume.c). */
#include <stddef.h>
#include <stdint.h>

#include "api/core/internal.h"

const struct api_shape api_shapes_vol_exports[] = {
    {NULL, NULL},
};

/* Written once, before main, by init_queries(). */
static const char *orders_query[API_EXPORT_QUERY_MAX];

const struct route api_routes_vol_exports[] = {
    {"GET", "/api/v1/orders/export", api_list_export, OBJ_SALES, ACT_READ, SCOPE_NONE, NULL,
     orders_query, 200,
     "The order lines over all pages, with the list's filters and sort, as a file: format=csv "
     "(default) or xlsx; columns=key[:label],... picks, orders and labels the columns (nested "
     "fields as amount.amount); lang=zh-CN|zh-TW|en (else Accept-Language) words region and "
     "channel as the screen does; raw=1 or a column <key>_code keeps the stored values",
     "csv"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    for (const struct route *rt = api_routes_vol_exports; rt->method; rt++)
        api_list_export_query(rt->path, (const char **)(uintptr_t)rt->query);
}
