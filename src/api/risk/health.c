/* health.c -- the account health score and its history (issue 16 item 4): decode, call
 * svc/risk/health, render. docs/ALERTS.md. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/core/internal.h"
#include "svc/risk/health.h"

const struct api_shape api_shapes_health[] = {
    {"AccountHealth",
     "account_id:int account_name:str score:int restricted_points:int day:date "
     "lines:[{alert_id:int signal:str "
     "severity:str(low|medium|high|critical) points:int value_milli:int? threshold_milli:int? "
     "unit:str}] history:[{day:date score:int}]"},
    {"HealthRow", "account_id:int account_name:str owner_id:int owner_name:str score:int day:date "
                  "open_alerts:int"},
    {NULL, NULL},
};

static enum kam_err account_health(struct api_call *c)
{
    struct health h;
    enum kam_err rc = health_get(c->ctx, c->id[0], &h);
    if (rc)
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_ki64(w, "account_id", h.account_id);
    jw_kstr(w, "account_name", h.account_name);
    jw_ki64(w, "score", h.score);
    jw_ki64(w, "restricted_points", h.restricted_points);
    jw_kstr(w, "day", h.day);
    jw_key(w, "lines");
    jw_arr_begin(w);
    for (size_t i = 0; i < h.n; i++) {
        const struct health_line *l = &h.lines[i];
        jw_obj_begin(w);
        jw_ki64(w, "alert_id", l->alert_id);
        jw_kstr(w, "signal", l->signal);
        jw_kstr(w, "severity", l->severity);
        jw_ki64(w, "points", l->points);
        jw_ki64n(w, "value_milli", l->value_milli, !l->has_value);
        jw_ki64n(w, "threshold_milli", l->threshold_milli, !l->has_threshold);
        jw_kstr(w, "unit", l->unit);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "history");
    jw_arr_begin(w);
    for (size_t i = 0; i < h.n_history; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "day", h.history[i].day);
        jw_ki64(w, "score", h.history[i].score);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

static enum kam_err list(struct api_call *c)
{
    struct health_query q = {0};
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) ||
        (rc = api_query_user(c, "owner_id", &q.owner_id)))
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    struct health_row *items;
    size_t n;
    const char *next;
    if ((rc = health_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++) {
        struct jw *w = &c->w;
        jw_obj_begin(w);
        jw_ki64(w, "account_id", items[i].account_id);
        jw_kstr(w, "account_name", items[i].account_name);
        jw_ki64(w, "owner_id", items[i].owner_id);
        jw_kstr(w, "owner_name", items[i].owner_name);
        jw_ki64(w, "score", items[i].score);
        jw_kstr(w, "day", items[i].day);
        jw_ki64(w, "open_alerts", items[i].open_alerts);
        jw_obj_end(w);
    }
    api_list_end(c, next);
    return KAM_OK;
}

static const char *const list_query[] = {"owner_id", "limit", "cursor", NULL};
static const char *export_query[API_EXPORT_QUERY_MAX];

const struct route api_routes_health[] = {
    {"GET", "/api/v1/accounts/:id/health", account_health, OBJ_ALERT, ACT_READ, SCOPE_ACCOUNT, NULL,
     NULL, 200,
     "The account's health score now (100 minus points per unresolved alert: low 5, medium 10, "
     "high 20, critical 35; floor 0), explained line by line, with the last 365 days' stored "
     "scores; the lines of signals the caller may not read (receivables to a service user...) "
     "are left out, their points summed in restricted_points",
     "AccountHealth"},
    {"GET", "/api/v1/health", list, OBJ_ALERT, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Accounts by their latest stored health score, lowest first: owner_id (a user id or me); "
     "keyset paging",
     "[HealthRow]"},
    {"GET", "/api/v1/health/export", api_list_export, OBJ_ALERT, ACT_READ, SCOPE_NONE, NULL,
     export_query, 200,
     "The health list over all its pages as a file: format=csv (default) or xlsx; columns=key"
     "[:label],...; lang=zh-CN|zh-TW|en",
     "csv"},
    {0},
};

__attribute__((constructor)) static void init_queries(void)
{
    api_list_export_query("/api/v1/health/export", export_query);
}
