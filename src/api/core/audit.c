/* audit.c -- GET /api/v1/audit?entity=&id= : the change history of a record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "internal.h"
#include "svc/core/audit.h"

/* Audit cursors are the last row id, base64url-wrapped like every other cursor. */
static enum kam_err parse_cursor(struct api_call *c, const char *cursor, int64_t *before)
{
    *before = 0;
    if (!cursor || !*cursor)
        return KAM_OK;
    size_t n = strlen(cursor);
    unsigned char plain[64];
    if (n > 40 || b64url_decode(cursor, n, plain) < 0 || strncmp((char *)plain, "a|", 2) != 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "cursor", "malformed cursor");
    char *end;
    errno = 0;
    long long v = strtoll((char *)plain + 2, &end, 10);
    if (errno || *end || v <= 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, "cursor", "malformed cursor");
    *before = v;
    return KAM_OK;
}

const struct api_shape api_shapes_audit[] = {
    /* changes: the audit diff, {"field": [before, after], ...} as stored */
    /* user_name: the actor's display name (the login when it has none); currency: the unit of
     * the row's money fields when changes name none (wallet, target and measure rows: the base
     * currency) */
    {"AuditEntry", "id:int at:ts user_id:int? user_login:str? user_name:str? entity:str "
                   "entity_id:int account_id:int? action:str changes:obj currency:str?"},
    {NULL, NULL},
};

static enum kam_err list(struct api_call *c)
{
    struct audit_query q = {0};
    int64_t limit;
    enum kam_err rc;
    q.entity = api_query_str(c, "entity");
    if ((rc = api_query_i64(c, "id", 0, &q.entity_id)) ||
        (rc = api_query_i64(c, "limit", 50, &limit)) ||
        (rc = parse_cursor(c, api_query_str(c, "cursor"), &q.before_id)))
        return rc;
    if (limit < 1 || limit > 500)
        return kam_fail(c->ctx->err, KAM_EINVAL, "limit", "limit must be 1..500");
    q.limit = (int)limit;
    struct audit_row *items;
    size_t n;
    int more;
    if ((rc = audit_list(c->ctx, &q, &items, &n, &more)))
        return rc;
    api_list_begin(c);
    for (size_t i = 0; i < n; i++) {
        const struct audit_row *r = &items[i];
        struct jw *w = &c->w;
        jw_obj_begin(w);
        jw_ki64(w, "id", r->id);
        jw_ktime(w, "at", r->at);
        jw_ki64n(w, "user_id", r->user_id, r->user_id == 0);
        jw_kstr(w, "user_login", r->user_login);
        jw_kstr(w, "user_name", r->user_name);
        jw_kstr(w, "entity", r->entity);
        jw_ki64(w, "entity_id", r->entity_id);
        jw_ki64n(w, "account_id", r->account_id, r->account_id == 0);
        jw_kstr(w, "action", r->action);
        jw_key(w, "changes");
        jw_raw(w, r->changes, strlen(r->changes));
        jw_kstr(w, "currency", r->currency);
        jw_obj_end(w);
    }
    const char *next = NULL;
    if (more) {
        char plain[32], *enc = arena_alloc(c->ctx->a, 48);
        int len = snprintf(plain, sizeof plain, "a|%lld", (long long)items[n - 1].id);
        b64url_encode((unsigned char *)plain, (size_t)len, enc);
        next = enc;
    }
    api_list_end(c, next);
    return KAM_OK;
}

static const char *const audit_query[] = {"entity", "id", "limit", "cursor", NULL};

const struct route api_routes_audit[] = {
    {"GET", "/api/v1/audit", list, OBJ_AUDIT, ACT_READ, SCOPE_AUDIT, NULL, audit_query, 200,
     "Change history of a record (entity=account includes everything under the account)",
     "[AuditEntry]"},
    {0},
};
