/* err.c -- kam_fail() and the names of error codes. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum kam_err kam_fail(struct kam_error *e, enum kam_err code, const char *field, const char *fmt,
                      ...)
{
    if (!e)
        return code;
    /* Keep the first error: a cleanup path must not overwrite the cause. */
    if (e->code != KAM_OK)
        return code;
    e->code = code;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
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
    };
    if ((unsigned)code >= KAM_ERR_COUNT)
        return "internal";
    return names[code];
}
