/* targets.c -- /api/v1/targets: plans, decomposition, grid, edits, approval, bottom-up. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "api/core/internal.h"
#include "base/timeutil.h"
#include "svc/core/export.h"
#include "svc/volume/target.h"

/* The response shapes of this file (the field DSL of api/core/internal.h). Target values are
 * whole units of the plan's measure (yuan or pieces); times (ts) ISO 8601 strings (jw_ktime);
 * dims is the plan's split, a comma list of account, family, region, channel, month, owner (the
 * accounts' account manager), team (the owner's team). */
const struct api_shape api_shapes_targets[] = {
    {"TargetPlan", "id:int year:int name:str measure:str(amount|quantity) total:int dims:str "
                   "basis:str(last_year|forecast|potential|equal|blend) blend:str "
                   "scope_region:str scope_channel:str scope_family:str "
                   "status:str(draft|submitted|approved) owner_id:int approved_by:int? "
                   "approved_at:ts? specific:str measurable:str achievable:str relevant:str "
                   "deadline:date decomposed_at:ts? cells:int version:int created_at:ts "
                   "updated_at:ts"},
    {"TargetGrid", "rows_dim:str(account|family|region|channel|month|owner|team|none) "
                   "cols_dim:str(account|family|region|channel|month|owner|team|none) "
                   "measure:str(amount|quantity) plan_total:int total:int cols:[TargetGridColumn] "
                   "rows:[TargetGridRow]"},
    {"TargetGridColumn", "key:str label:str total:int"},
    {"TargetGridRow", "key:str label:str total:int cells:[TargetGridCell]"},
    {"TargetGridCell", "col:str value:int locked:str(none|some|all)"},
    {"TargetAdjustment", "id:int selection:str action:str(set|lock|unlock|total|decompose) "
                         "from_value:int? to_value:int? reason:str user_id:int? user_login:str "
                         "at:ts"},
    {"TargetBottomUp", "by:str(account|region) top_down:int proposal:int "
                       "items:[TargetBottomUpItem]"},
    {"TargetBottomUpItem", "key:str label:str top_down:int proposal:int? gap:int?"},
    {NULL, NULL},
};

static void render_plan(struct api_call *c, const struct target_plan *p)
{
    struct jw *w = &c->w;
    char date[16];
    int y, m, d;
    days_to_date(p->deadline, &y, &m, &d);
    snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
    jw_obj_begin(w);
    jw_ki64(w, "id", p->id);
    jw_ki64(w, "year", p->year);
    jw_kstr(w, "name", p->name);
    jw_kstr(w, "measure", p->measure);
    jw_ki64(w, "total", p->total);
    jw_kstr(w, "dims", target_dims_text(c->ctx, p->dims));
    jw_kstr(w, "basis", p->basis);
    jw_kstr(w, "blend", p->blend);
    jw_kstr(w, "scope_region", p->scope_region);
    jw_kstr(w, "scope_channel", p->scope_channel);
    jw_kstr(w, "scope_family", p->scope_family);
    jw_kstr(w, "status", p->status);
    jw_ki64(w, "owner_id", p->owner_id);
    jw_ki64n(w, "approved_by", p->approved_by, !p->has_approved);
    /* has_approved says approved_by is set; a plan approved without a user (the demo, a
     * script) still has its approval time, 0 only while the column is null. */
    jw_ktime_opt(w, "approved_at", p->approved_at, p->has_approved || p->approved_at != 0);
    jw_kstr(w, "specific", p->specific);
    jw_kstr(w, "measurable", p->measurable);
    jw_kstr(w, "achievable", p->achievable);
    jw_kstr(w, "relevant", p->relevant);
    jw_kstr(w, "deadline", date);
    jw_ktime_opt(w, "decomposed_at", p->decomposed_at, p->has_decomposed);
    jw_ki64(w, "cells", p->cells);
    jw_ki64(w, "version", p->version);
    jw_ktime(w, "created_at", p->created_at);
    jw_ktime(w, "updated_at", p->updated_at);
    jw_obj_end(w);
}

static const struct jfield plan_spec[] = {
    {"year", J_I64, TP_YEAR, offsetof(struct target_in, year), 0, 0, 0, "2000-2100"},
    {"name", J_STR, TP_NAME, offsetof(struct target_in, name), 0, 0, 0, "1-200"},
    {"measure", J_STR, TP_MEASURE, offsetof(struct target_in, measure), 0, 0, 0,
     "amount (whole units of the base currency) | quantity (pieces)"},
    {"total", J_I64, TP_TOTAL, offsetof(struct target_in, total), 0, 0, 0, "whole units"},
    {"dims", J_STR, TP_DIMS, offsetof(struct target_in, dims), 0, 0, 0,
     "the split: account,family,region,channel,month (any subset)"},
    {"basis", J_STR, TP_BASIS, offsetof(struct target_in, basis), 0, 0, 0,
     "last_year | forecast | potential | equal | blend"},
    {"blend", J_STR, TP_BLEND, offsetof(struct target_in, blend), 0, 0, 0,
     "for blend: last_year:50,forecast:50 (shares add up to 100)"},
    {"scope_region", J_STR, TP_SCOPE_REGION, offsetof(struct target_in, scope_region), 0, 0, 0,
     "'' = all regions"},
    {"scope_channel", J_STR, TP_SCOPE_CHANNEL, offsetof(struct target_in, scope_channel), 0, 0, 0,
     "'' = all channels"},
    {"scope_family", J_STR, TP_SCOPE_FAMILY, offsetof(struct target_in, scope_family), 0, 0, 0,
     "'' = all families"},
    {"specific", J_STR, TP_SPECIFIC, offsetof(struct target_in, specific), 0, 0, 0,
     "SMART: what exactly, 10-2000"},
    {"measurable", J_STR, TP_MEASURABLE, offsetof(struct target_in, measurable), 0, 0, 0,
     "SMART: how it is measured, 5-2000"},
    {"achievable", J_STR, TP_ACHIEVABLE, offsetof(struct target_in, achievable), 0, 0, 0,
     "SMART: why it can be reached, 10-2000"},
    {"relevant", J_STR, TP_RELEVANT, offsetof(struct target_in, relevant), 0, 0, 0,
     "SMART: why it matters, 10-2000"},
    {"deadline", J_STR, TP_DEADLINE, offsetof(struct target_in, deadline), 0, 0, 0,
     "SMART: YYYY-MM-DD within the plan year"},
    {"owner_id", J_I64, TP_OWNER, offsetof(struct target_in, owner_id), 0, 0, 0, "a user"},
    {"version", J_I64, TP_VERSION, offsetof(struct target_in, version), 0, 0, 0,
     "the version you read: 409 if it changed"},
    {"reason", J_STR, TP_REASON, offsetof(struct target_in, reason), 0, 0, 0,
     "why (required to change an approved plan)"},
    {0},
};

static enum kam_err list(struct api_call *c)
{
    int64_t year = 0;
    enum kam_err rc = api_query_i64(c, "year", 0, &year);
    struct target_plan *items;
    size_t n;
    if (rc || (rc = target_list(c->ctx, year, &items, &n)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++)
        render_plan(c, &items[i]);
    api_list_end(c, NULL);
    return KAM_OK;
}

static enum kam_err create(struct api_call *c)
{
    struct target_in in = {0};
    enum kam_err rc = api_decode(c, plan_spec, &in, &in.set);
    if (rc)
        return rc;
    if (in.set & TP_VERSION)
        return kam_fail(c->ctx->err, KAM_EINVAL, "version", "version is set by the server");
    struct target_plan p;
    if ((rc = target_create(c->ctx, &in, &p)))
        return rc;
    c->status = 201;
    render_plan(c, &p);
    return KAM_OK;
}

static enum kam_err get(struct api_call *c)
{
    struct target_plan p;
    enum kam_err rc = target_get(c->ctx, c->id[0], &p);
    if (!rc)
        render_plan(c, &p);
    return rc;
}

static enum kam_err patch(struct api_call *c)
{
    struct target_in in = {0};
    enum kam_err rc = api_decode(c, plan_spec, &in, &in.set);
    struct target_plan p;
    if (rc || (rc = target_update(c->ctx, c->id[0], &in, &p)))
        return rc;
    render_plan(c, &p);
    return KAM_OK;
}

static enum kam_err del(struct api_call *c)
{
    enum kam_err rc = target_delete(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

struct note_in {
    const char *text;
};

static const struct jfield reason_spec[] = {
    {"reason", J_STR, 1, offsetof(struct note_in, text), 0, 0, 0,
     "why (required once the plan is approved)"},
    {0},
};

static const struct jfield note_spec[] = {
    {"note", J_STR, 1, offsetof(struct note_in, text), 0, 0, 0, "optional, <= 2000"},
    {0},
};

/* Decodes an optional small body ({} or none). */
static enum kam_err optional_body(struct api_call *c, const struct jfield *spec, struct note_in *in)
{
    unsigned set = 0;
    memset(in, 0, sizeof *in);
    if (!c->req->body_len)
        return KAM_OK;
    return api_decode(c, spec, in, &set);
}

static enum kam_err decompose(struct api_call *c)
{
    struct note_in in;
    struct target_plan p;
    enum kam_err rc = optional_body(c, reason_spec, &in);
    if (rc || (rc = target_decompose(c->ctx, c->id[0], in.text, &p)))
        return rc;
    render_plan(c, &p);
    return KAM_OK;
}

static enum kam_err submit(struct api_call *c)
{
    struct note_in in;
    struct target_plan p;
    enum kam_err rc = optional_body(c, note_spec, &in);
    if (rc || (rc = target_submit(c->ctx, c->id[0], &p)))
        return rc;
    render_plan(c, &p);
    return KAM_OK;
}

static enum kam_err approve(struct api_call *c)
{
    struct note_in in;
    struct target_plan p;
    enum kam_err rc = optional_body(c, note_spec, &in);
    if (rc || (rc = target_approve(c->ctx, c->id[0], in.text, &p)))
        return rc;
    render_plan(c, &p);
    return KAM_OK;
}

/* "family" | ... -> one TD_ bit; "" or NULL -> def. */
static enum kam_err dim_param(struct api_call *c, const char *key, unsigned def, unsigned *out)
{
    const char *s = api_query_str(c, key);
    if (!s || !*s) {
        *out = def;
        return KAM_OK;
    }
    if (!strcmp(s, "none")) {
        *out = 0;
        return KAM_OK;
    }
    if (target_dims_parse(s, out) || !*out || (*out & (*out - 1)))
        return kam_fail(c->ctx->err, KAM_EINVAL, key,
                        "%s must be one of account, family, region, channel, month, owner, team, "
                        "none",
                        key);
    return KAM_OK;
}

static enum kam_err sel_params(struct api_call *c, struct target_sel *f)
{
    memset(f, 0, sizeof *f);
    f->family = api_query_str(c, "family");
    f->region = api_query_str(c, "region");
    f->channel = api_query_str(c, "channel");
    enum kam_err rc = api_query_i64(c, "account_id", 0, &f->account_id);
    if (!rc)
        rc = api_query_i64(c, "month", 0, &f->month);
    if (!rc)
        rc = api_query_i64(c, "owner_id", 0, &f->owner_id);
    if (!rc)
        rc = api_query_i64(c, "team_id", 0, &f->team_id);
    return rc;
}

/* Rows default to the plan's first dim other than month, columns to month when split by it. */
static enum kam_err grid_dims(struct api_call *c, const struct target_plan *p, unsigned *rows,
                              unsigned *cols)
{
    unsigned first = 0;
    for (unsigned b = TD_ACCOUNT; b <= TD_TEAM; b <<= 1)
        if ((p->dims & b) && b != TD_MONTH && !first)
            first = b;
    enum kam_err rc = dim_param(c, "rows", first, rows);
    if (!rc)
        rc = dim_param(c, "cols", p->dims & TD_MONTH ? TD_MONTH : 0, cols);
    return rc;
}

static enum kam_err grid(struct api_call *c)
{
    struct target_plan p;
    struct target_sel f;
    unsigned rows, cols;
    struct target_grid g;
    enum kam_err rc;
    if ((rc = target_get(c->ctx, c->id[0], &p)) || (rc = sel_params(c, &f)) ||
        (rc = grid_dims(c, &p, &rows, &cols)) ||
        (rc = target_grid(c->ctx, c->id[0], rows, cols, &f, &g)))
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_kstr(w, "rows_dim", rows ? target_dims_text(c->ctx, rows) : "none");
    jw_kstr(w, "cols_dim", cols ? target_dims_text(c->ctx, cols) : "none");
    jw_kstr(w, "measure", p.measure);
    jw_ki64(w, "plan_total", p.total);
    jw_ki64(w, "total", g.total);
    jw_key(w, "cols");
    jw_arr_begin(w);
    for (size_t i = 0; i < g.ncols; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "key", g.cols[i]);
        jw_kstr(w, "label", g.col_labels[i]);
        jw_ki64(w, "total", g.col_totals[i]);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "rows");
    jw_arr_begin(w);
    static const char *const lock_names[] = {"none", "some", "all"};
    for (size_t r = 0; r < g.nrows; r++) {
        jw_obj_begin(w);
        jw_kstr(w, "key", g.rows[r].key);
        jw_kstr(w, "label", g.rows[r].label);
        jw_ki64(w, "total", g.rows[r].total);
        jw_key(w, "cells");
        jw_arr_begin(w);
        for (size_t k = 0; k < g.ncols; k++) {
            jw_obj_begin(w);
            jw_kstr(w, "col", g.rows[r].cells[k].col);
            jw_ki64(w, "value", g.rows[r].cells[k].value);
            jw_kstr(w, "locked", lock_names[g.rows[r].cells[k].locked]);
            jw_obj_end(w);
        }
        jw_arr_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

struct cells_in {
    int64_t account_id, month, value, owner_id, team_id;
    const char *family, *region, *channel, *reason;
    int lock;
};

static const struct jfield cells_spec[] = {
    {"account_id", J_I64, 1, offsetof(struct cells_in, account_id), 0, 0, 0, "narrows the cells"},
    {"month", J_I64, 2, offsetof(struct cells_in, month), 0, 0, 0, "1-12, narrows the cells"},
    {"family", J_STR, 4, offsetof(struct cells_in, family), 0, 0, 0, "narrows the cells"},
    {"region", J_STR, 8, offsetof(struct cells_in, region), 0, 0, 0, "narrows the cells"},
    {"channel", J_STR, 16, offsetof(struct cells_in, channel), 0, 0, 0, "narrows the cells"},
    {"value", J_I64, 32, offsetof(struct cells_in, value), 0, 0, 0,
     "the selection's new total (whole units); the unlocked rest rebalances"},
    {"lock", J_BOOL, 64, offsetof(struct cells_in, lock), 0, 0, 0, "lock or unlock the selection"},
    {"reason", J_STR, 128, offsetof(struct cells_in, reason), 0, 0, 0,
     "why (required once the plan is approved)"},
    {"owner_id", J_I64, 256, offsetof(struct cells_in, owner_id), 0, 0, 0,
     "narrows the cells (a plan by owner)"},
    {"team_id", J_I64, 512, offsetof(struct cells_in, team_id), 0, 0, 0,
     "narrows the cells (a plan by owner or team)"},
    {0},
};

static enum kam_err cells_put(struct api_call *c)
{
    struct cells_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, cells_spec, &in, &set);
    if (rc)
        return rc;
    struct target_sel sel = {.account_id = in.account_id,
                             .month = in.month,
                             .owner_id = in.owner_id,
                             .team_id = in.team_id,
                             .family = in.family,
                             .region = in.region,
                             .channel = in.channel};
    int64_t changed;
    if ((rc = target_set_cells(c->ctx, c->id[0], &sel, (set & 32) != 0, in.value,
                               (set & 64) ? in.lock : -1, in.reason, &changed)))
        return rc;
    struct target_plan p;
    if ((rc = target_get(c->ctx, c->id[0], &p)))
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "changed", changed);
    jw_ki64(&c->w, "plan_total", p.total);
    jw_ki64(&c->w, "version", p.version);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err adjustments(struct api_call *c)
{
    struct target_adjustment *a;
    size_t n;
    enum kam_err rc = target_adjustments(c->ctx, c->id[0], &a, &n);
    if (rc)
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++) {
        struct jw *w = &c->w;
        jw_obj_begin(w);
        jw_ki64(w, "id", a[i].id);
        jw_kstr(w, "selection", a[i].selection);
        jw_kstr(w, "action", a[i].action);
        jw_ki64n(w, "from_value", a[i].from_value, !a[i].has_from);
        jw_ki64n(w, "to_value", a[i].to_value, !a[i].has_to);
        jw_kstr(w, "reason", a[i].reason);
        jw_ki64n(w, "user_id", a[i].user_id, !a[i].has_user);
        jw_kstr(w, "user_login", a[i].user_login);
        jw_ktime(w, "at", a[i].at);
        jw_obj_end(w);
    }
    api_list_end(c, NULL);
    return KAM_OK;
}

static enum kam_err bottom_up(struct api_call *c)
{
    const char *by = api_query_str(c, "by");
    if (by && strcmp(by, "account") && strcmp(by, "region"))
        return kam_fail(c->ctx->err, KAM_EINVAL, "by", "by must be account or region");
    int by_region = by && !strcmp(by, "region");
    struct target_bu *items;
    size_t n;
    int64_t td, pr;
    enum kam_err rc = target_bottom_up(c->ctx, c->id[0], by_region, &items, &n, &td, &pr);
    if (rc)
        return rc;
    struct jw *w = &c->w;
    jw_obj_begin(w);
    jw_kstr(w, "by", by_region ? "region" : "account");
    jw_ki64(w, "top_down", td);
    jw_ki64(w, "proposal", pr);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "key", items[i].key);
        jw_kstr(w, "label", items[i].label);
        jw_ki64(w, "top_down", items[i].top_down);
        jw_ki64n(w, "proposal", items[i].proposal, !items[i].has_proposal);
        jw_ki64n(w, "gap", items[i].proposal - items[i].top_down, !items[i].has_proposal);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    return KAM_OK;
}

struct proposal_in {
    int64_t value;
    const char *note;
};

static const struct jfield proposal_spec[] = {
    {"value", J_I64, 1, offsetof(struct proposal_in, value), 0, 0, 0,
     "the account team's target for the account, whole units"},
    {"note", J_STR, 2, offsetof(struct proposal_in, note), 0, 0, 0, "why, <= 2000"},
    {0},
};

static enum kam_err propose(struct api_call *c)
{
    struct proposal_in in = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, proposal_spec, &in, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail(c->ctx->err, KAM_EINVAL, "value", "value is required");
    if ((rc = target_propose(c->ctx, c->id[1], c->id[0], in.value, in.note)))
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "plan_id", c->id[1]);
    jw_ki64(&c->w, "account_id", c->id[0]);
    jw_ki64(&c->w, "value", in.value);
    jw_kstr(&c->w, "note", in.note ? in.note : "");
    jw_obj_end(&c->w);
    return KAM_OK;
}

/* Writes a rendered file as the response, named for download. */
enum kam_err api_send_file(struct api_call *c, const struct export_table *t, const char *format,
                           const char *name)
{
    const char *ct;
    buf_reset(&c->resp->body);
    enum kam_err rc = export_render(c->ctx, t, format, &c->resp->body, &ct);
    if (rc) {
        buf_reset(&c->resp->body);
        return rc;
    }
    c->resp->content_type = ct;
    http_resp_header(c->resp, "Content-Disposition",
                     arena_printf(c->ctx->a, "attachment; filename=\"%s.%s\"", name,
                                  format && !strcmp(format, "xlsx") ? "xlsx" : "csv"));
    http_resp_header(c->resp, "Cache-Control", "no-store");
    return KAM_OK;
}

static enum kam_err export_grid(struct api_call *c)
{
    struct target_plan p;
    struct target_sel f;
    unsigned rows, cols;
    struct target_grid g;
    enum kam_err rc;
    const char *format = api_query_str(c, "format");
    if ((rc = target_get(c->ctx, c->id[0], &p)) || (rc = sel_params(c, &f)) ||
        (rc = grid_dims(c, &p, &rows, &cols)) ||
        (rc = target_grid(c->ctx, c->id[0], rows, cols, &f, &g)))
        return rc;
    const char **header = arena_calloc(c->ctx->a, g.ncols + 3, sizeof *header);
    header[0] = rows ? target_dims_text(c->ctx, rows) : "";
    header[1] = rows == TD_ACCOUNT ? "name" : "label";
    for (size_t i = 0; i < g.ncols; i++)
        header[i + 2] = g.cols[i];
    header[g.ncols + 2] = "total";
    struct export_table t;
    export_init(&t, c->ctx, p.name, header, g.ncols + 3);
    for (size_t r = 0; r < g.nrows; r++) {
        struct export_cell *x = export_row(&t, c->ctx);
        x[0].text = g.rows[r].key;
        x[1].text = g.rows[r].label;
        for (size_t k = 0; k < g.ncols; k++)
            x[k + 2].num = g.rows[r].cells[k].value;
        x[g.ncols + 2].num = g.rows[r].total;
    }
    struct export_cell *x = export_row(&t, c->ctx);
    x[0].text = "total";
    x[1].text = "";
    for (size_t k = 0; k < g.ncols; k++)
        x[k + 2].num = g.col_totals[k];
    x[g.ncols + 2].num = g.total;
    return api_send_file(c, &t, format, arena_printf(c->ctx->a, "target-%lld", (long long)p.id));
}

static const char *const list_query[] = {"year", NULL};
static const char *const grid_query[] = {"rows",       "cols",  "family",   "region",  "channel",
                                         "account_id", "month", "owner_id", "team_id", NULL};
static const char *const export_query[] = {"format",   "rows",    "cols",       "family",
                                           "region",   "channel", "account_id", "month",
                                           "owner_id", "team_id", NULL};
static const char *const bu_query[] = {"by", NULL};

const struct route api_routes_targets[] = {
    {"GET", "/api/v1/targets", list, OBJ_TARGET, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "Target plans, newest year first", "[TargetPlan]"},
    {"POST", "/api/v1/targets", create, OBJ_TARGET, ACT_CREATE, SCOPE_NONE, plan_spec, NULL, 201,
     "Create a target plan (draft) with its SMART fields", "TargetPlan"},
    {"GET", "/api/v1/targets/:id", get, OBJ_TARGET, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "One plan", "TargetPlan"},
    {"PATCH", "/api/v1/targets/:id", patch, OBJ_TARGET, ACT_UPDATE, SCOPE_NONE, plan_spec, NULL,
     200, "Change a plan; a new total rebalances the unlocked cells", "TargetPlan"},
    {"DELETE", "/api/v1/targets/:id", del, OBJ_TARGET, ACT_DELETE, SCOPE_NONE, NULL, NULL, 204,
     "Delete a draft plan", "-"},
    {"POST", "/api/v1/targets/:id/decompose", decompose, OBJ_TARGET, ACT_UPDATE, SCOPE_NONE,
     reason_spec, NULL, 200, "Split the total over the cells by the plan's basis (locks cleared)",
     "TargetPlan"},
    {"POST", "/api/v1/targets/:id/submit", submit, OBJ_TARGET, ACT_UPDATE, SCOPE_NONE, note_spec,
     NULL, 200, "Submit a decomposed draft for approval", "TargetPlan"},
    {"POST", "/api/v1/targets/:id/approve", approve, OBJ_APPROVAL, ACT_UPDATE, SCOPE_NONE,
     note_spec, NULL, 200, "Approve a plan (the sales director)", "TargetPlan"},
    {"GET", "/api/v1/targets/:id/grid", grid, OBJ_TARGET, ACT_READ, SCOPE_NONE, NULL, grid_query,
     200, "Cells summed by a row and a column dimension, with lock states", "TargetGrid"},
    {"PUT", "/api/v1/targets/:id/cells", cells_put, OBJ_TARGET, ACT_UPDATE, SCOPE_NONE, cells_spec,
     NULL, 200, "Set and/or lock a selection of cells; the unlocked rest keeps the total",
     "{changed:int plan_total:int version:int}"},
    {"GET", "/api/v1/targets/:id/adjustments", adjustments, OBJ_TARGET, ACT_READ, SCOPE_NONE, NULL,
     NULL, 200, "Every change of the plan's cells with its reason", "[TargetAdjustment]"},
    {"GET", "/api/v1/targets/:id/bottom-up", bottom_up, OBJ_TARGET, ACT_READ, SCOPE_NONE, NULL,
     bu_query, 200, "Top-down cells against the account teams' proposals", "TargetBottomUp"},
    {"GET", "/api/v1/targets/:id/export", export_grid, OBJ_TARGET, ACT_READ, SCOPE_NONE, NULL,
     export_query, 200, "The grid as a file: format=xlsx or csv", "csv"},
    {"PUT", "/api/v1/accounts/:id/target-proposals/:plan_id", propose, OBJ_PROPOSAL, ACT_UPDATE,
     SCOPE_ACCOUNT, proposal_spec, NULL, 200, "The account team's proposal for a plan",
     "{plan_id:int account_id:int value:int note:str}"},
    {0},
};
