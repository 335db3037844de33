/* err.c -- kam_fail() and the names of error codes. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum kam_err vfail(struct kam_error *e, enum kam_err code, const char *field,
                          const char *key, const struct kam_param *params, const char *fmt,
                          va_list ap)
{
    /* Keep the first error: a cleanup path must not overwrite the cause. */
    if (!e || e->code != KAM_OK)
        return code;
    e->code = code;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    snprintf(e->key, sizeof e->key, "%s", key && *key ? key : kam_err_name(code));
    e->nparams = 0;
    for (; params && params->name && e->nparams < KAM_ERR_PARAMS; params++) {
        snprintf(e->params[e->nparams].name, sizeof e->params[0].name, "%s", params->name);
        snprintf(e->params[e->nparams].value, sizeof e->params[0].value, "%s",
                 params->value ? params->value : "");
        e->nparams++;
    }
    return code;
}

enum kam_err kam_fail(struct kam_error *e, enum kam_err code, const char *field, const char *fmt,
                      ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(e, code, field, NULL, NULL, fmt, ap);
    va_end(ap);
    return code;
}

enum kam_err kam_fail_key(struct kam_error *e, enum kam_err code, const char *field,
                          const char *key, const struct kam_param *params, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(e, code, field, key, params, fmt, ap);
    va_end(ap);
    return code;
}

void kam_error_clear(struct kam_error *e)
{
    memset(e, 0, sizeof *e);
}

const char *kam_err_name(enum kam_err code)
{
    static const char *const names[KAM_ERR_COUNT] = {
        [KAM_OK] = "ok",
        [KAM_EINVAL] = "invalid",
        [KAM_EAUTH] = "unauthenticated",
        [KAM_EFORBIDDEN] = "forbidden",
        [KAM_ENOTFOUND] = "not_found",
        [KAM_ECONFLICT] = "conflict",
        [KAM_ETOOBIG] = "too_large",
        [KAM_ELIMIT] = "rate_limited",
        [KAM_EMETHOD] = "method_not_allowed",
        [KAM_EMEDIA] = "unsupported_media_type",
        [KAM_EDB] = "db_error",
        [KAM_EBUSY] = "busy",
        [KAM_EIO] = "io_error",
        [KAM_EINTERNAL] = "internal",
        [KAM_EGONE] = "gone",
    };
    if ((unsigned)code >= KAM_ERR_COUNT)
        return "internal";
    return names[code];
}
