/* notifications.c -- /api/v1/notifications: the caller's own. A notification with a message
 * key (0009 on) is rendered in the request's Accept-Language; key and params let a UI word it
 * itself; older rows keep their stored title. */
#include <string.h>

#include "internal.h"
#include "svc/core/msg.h"
#include "svc/core/notify.h"

const struct api_shape api_shapes_notifications[] = {
    {"Notification", "id:int kind:str title:str body:str link:str created_at:ts read_at:ts? "
                     "key:str params:obj"},
    {NULL, NULL},
};

static enum kam_err list(struct api_call *c)
{
    struct notification_query q = {0};
    int64_t unread = 0;
    q.cursor = api_query_str(c, "cursor");
    enum kam_err rc;
    if ((rc = api_query_i64(c, "limit", 0, &q.limit)) ||
        (rc = api_query_i64(c, "unread", 0, &unread)))
        return rc;
    if (http_query(c->req, "limit") && q.limit == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    if (unread != 0 && unread != 1)
        return kam_fail(c->ctx->err, KAM_EINVAL, "unread", "unread must be 0 or 1");
    q.unread = (int)unread;
    q.kind = api_query_str(c, "kind");
    if (q.kind && strlen(q.kind) > 40)
        return kam_fail(c->ctx->err, KAM_EINVAL, "kind", "kind is longer than 40 characters");
    enum msg_lang lang = msg_lang_parse(c->req->header(c->req, "Accept-Language"));
    struct notification *items;
    size_t n;
    const char *next;
    if ((rc = notify_list(c->ctx, &q, &items, &n, &next)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++) {
        struct jw *w = &c->w;
        jw_obj_begin(w);
        jw_ki64(w, "id", items[i].id);
        jw_kstr(w, "kind", items[i].kind);
        char title[400];
        const struct notification *x = &items[i];
        int rendered = *x->msg_key &&
                       msg_render(lang, x->msg_key, x->params, x->nparams, title, sizeof title) > 0;
        jw_kstr(w, "title", rendered ? title : x->title);
        jw_kstr(w, "body", items[i].body);
        jw_kstr(w, "link", items[i].link);
        jw_ktime(w, "created_at", items[i].created_at);
        jw_ktime_opt(w, "read_at", items[i].read_at, items[i].read);
        jw_kstr(w, "key", x->msg_key);
        jw_key(w, "params");
        jw_obj_begin(w);
        for (size_t k = 0; k < x->nparams; k++)
            jw_kstr(w, x->params[k].name, x->params[k].value);
        jw_obj_end(w);
        jw_obj_end(w);
    }
    api_list_end(c, next);
    return KAM_OK;
}

static enum kam_err unread(struct api_call *c)
{
    int64_t n = 0;
    enum kam_err rc = notify_unread(c->ctx, &n);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "unread", n);
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err read_one(struct api_call *c)
{
    enum kam_err rc = notify_read(c->ctx, c->id[0]);
    if (!rc)
        c->status = 204;
    return rc;
}

static enum kam_err read_all(struct api_call *c)
{
    enum kam_err rc = notify_read_all(c->ctx);
    if (!rc)
        c->status = 204;
    return rc;
}

static const char *const list_query[] = {"unread", "kind", "limit", "cursor", NULL};

const struct route api_routes_notifications[] = {
    {"GET", "/api/v1/notifications", list, OBJ_SELF, ACT_READ, SCOPE_NONE, NULL, list_query, 200,
     "One's notifications, newest first (unread=1: only unread; kind: one kind)", "[Notification]"},
    {"GET", "/api/v1/notifications/count", unread, OBJ_SELF, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "How many of one's notifications are unread", "{unread:int}"},
    {"POST", "/api/v1/notifications/read-all", read_all, OBJ_SELF, ACT_UPDATE, SCOPE_NONE, NULL,
     NULL, 204, "Mark all of one's notifications read", "-"},
    {"POST", "/api/v1/notifications/:id/read", read_one, OBJ_SELF, ACT_UPDATE, SCOPE_NONE, NULL,
     NULL, 204, "Mark one notification read", "-"},
    {0},
};
