/* err.h -- the one error type of KAM: a code plus the field to blame and a message.
 *
 * Every fallible function returns enum kam_err (KAM_OK == 0) and, when it fails, fills a
 * struct kam_error through kam_fail(). The HTTP layer maps codes to statuses in one table
 * (api/core/dispatch.c: status_of); the CLI prints the message.
 *
 * Out of memory, one policy:
 * - Arena allocations (base/arena.c) never fail: an exhausted machine aborts the process, as
 *   do the few long-lived structures that have no error path (rollup maps, outlook sets,
 *   import state) and start-up allocations.
 * - Any other malloc/calloc/realloc/strdup whose failure a function can report makes it fail
 *   with KAM_EINTERNAL "out of memory" (a 500; a transaction around it rolls back). It never
 *   answers KAM_OK with what it had computed so far, never skips the rest of the work, and
 *   never turns the failure into a value ("no forecast", a bound NULL). A failed bind is kept
 *   by the statement and returned by db_step (store/db.h). */
#ifndef KAM_ERR_H
#define KAM_ERR_H

enum kam_err {
    KAM_OK = 0,
    KAM_EINVAL,     /* bad input: wrong type, missing, out of range */
    KAM_EAUTH,      /* not authenticated */
    KAM_EFORBIDDEN, /* authenticated, but the policy says no */
    KAM_ENOTFOUND,  /* no such record (or one the caller may not know of) */
    KAM_ECONFLICT,  /* unique key taken, stale version, cycle, still in use */
    KAM_ETOOBIG,    /* input over a cap */
    KAM_ELIMIT,     /* rate limited */
    KAM_EMETHOD,    /* path known, method not */
    KAM_EMEDIA,     /* unsupported media type */
    KAM_EDB,        /* the database failed */
    KAM_EBUSY,      /* the database is busy or a serialization failure: retry later */
    KAM_EIO,        /* file or network I/O failed */
    KAM_EINTERNAL,  /* a bug */
    KAM_EGONE,      /* existed, but no longer usable (an expired survey link: 410) */
    KAM_ERR_COUNT
};

/* A named parameter of an error's message ("max" = "200"): the UI words the message itself
 * from key and params (and the field's label) in the reader's language. */
#define KAM_ERR_PARAMS 4
struct kam_param {
    const char *name, *value;
};

struct kam_error {
    enum kam_err code;
    char field[48];
    char msg[200]; /* English, printf-rendered: the fallback text */
    char key[32];  /* stable message key ("required", "too_long"); the code's name if unset */
    int nparams;
    struct {
        char name[16];
        char value[96];
    } params[KAM_ERR_PARAMS];
};

/* Records code, field (may be NULL or "") and a printf-style message in e (may be NULL);
 * returns code so callers can write `return kam_fail(...)`. */
enum kam_err kam_fail(struct kam_error *e, enum kam_err code, const char *field, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

/* kam_fail with a stable message key (msg/catalogue: svc/core/msg.c) and parameters
 * (NULL, or an array ending with {NULL, NULL}; at most KAM_ERR_PARAMS are kept). */
enum kam_err kam_fail_key(struct kam_error *e, enum kam_err code, const char *field,
                          const char *key, const struct kam_param *params, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Clears e to KAM_OK with empty field and message. */
void kam_error_clear(struct kam_error *e);

/* Stable machine name of a code ("invalid", "not_found", ...). */
const char *kam_err_name(enum kam_err code);

#endif
