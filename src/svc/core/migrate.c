/* migrate.c -- kam migrate-data. */
#include "migrate.h"
#include "store/db.h"

enum kam_err migrate_data(const char *from, const char *to, copy_progress progress, void *user,
                          struct kam_error *e)
{
    struct db *src = NULL, *dst = NULL;
    enum kam_err rc = db_open_raw(from, &src, e);
    if (!rc)
        rc = db_open(to, &dst, e);
    if (!rc)
        rc = db_copy(src, dst, progress, user, e);
    db_close(src);
    db_close(dst);
    return rc;
}
