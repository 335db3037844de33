/* settings.c -- key/value settings. */
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>

#include "account.h"
#include "audit.h"
#include "check.h"

enum kam_err settings_get(struct kam_ctx *ctx, const char *key, const char *def, const char **out)
{
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
    char *end = NULL;
    long long x = v ? strtoll(v, &end, 10) : 0;
    *out = v && end != v && !*end ? (int64_t)x : def;
    return rc;
}

enum kam_err settings_freshness(struct kam_ctx *ctx, int64_t days_out[4])
{
    static const int64_t defaults[4] = {30, 45, 60, 90};
    for (int i = 0; i < 4; i++) {
        char key[64];
        snprintf(key, sizeof key, "freshness_days.%s", account_tiers[i]);
        struct db_stmt *st;
        enum kam_err rc =
            db_prepare(ctx->db, "SELECT value FROM settings WHERE key = ?", &st, ctx->err);
        if (rc)
            return rc;
        db_bind_text(st, 1, key);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        days_out[i] = row ? strtoll(db_col_text(st, 0), NULL, 10) : defaults[i];
        db_done(st);
        if (rc)
            return rc;
        if (days_out[i] < 1)
            days_out[i] = defaults[i];
    }
    return KAM_OK;
}

enum kam_err settings_set_freshness(struct kam_ctx *ctx, const int64_t days[4], unsigned mask)
{
    enum kam_err rc;
    for (int i = 0; i < 4; i++)
        if ((mask & (1u << i)) && (rc = check_range(ctx, account_tiers[i], days[i], 1, 365)))
            return rc;
    int64_t before[4];
    if ((rc = settings_freshness(ctx, before)) || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    for (int i = 0; !rc && i < 4; i++) {
        if (!(mask & (1u << i)))
            continue;
        char key[64], val[24];
        snprintf(key, sizeof key, "freshness_days.%s", account_tiers[i]);
        snprintf(val, sizeof val, "%lld", (long long)days[i]);
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                             "DO UPDATE SET value = excluded.value",
                             &st, ctx->err)))
            break;
        db_bind_text(st, 1, key);
        db_bind_text(st, 2, val);
        int row;
        rc = db_step(st, &row, ctx->err);
        db_done(st);
        audit_diff_i64(&d, account_tiers[i], before[i], 0, days[i], 0);
    }
    if (!rc)
        rc = audit_write(ctx, "settings", 1, 0, "update", &d);
    else
        audit_diff_release(&d);
    return db_end(ctx->db, rc, ctx->err);
}
