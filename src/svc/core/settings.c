/* settings.c -- key/value settings. */
#include "settings.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>

enum kam_err settings_get(struct kam_ctx *ctx, const char *key, const char *def, const char **out)
{
    *out = def; /* also when the query fails: no caller reads an unset value */
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT value FROM settings WHERE key = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, key);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *out = row ? arena_strdup(ctx->a, db_col_text(st, 0)) : def;
    db_done(st);
    return rc;
}

enum kam_err settings_get_i64(struct kam_ctx *ctx, const char *key, int64_t def, int64_t *out)
{
    const char *v;
    enum kam_err rc = settings_get(ctx, key, NULL, &v);
    *out = def;
    if (rc)
        return rc;
    char *end = NULL;
    long long x = v ? strtoll(v, &end, 10) : 0;
    if (v && end != v && !*end)
        *out = (int64_t)x;
    return KAM_OK;
}
