/* migrate.h -- moving a whole installation to another database (SQLite -> PostgreSQL and back). */
#ifndef KAM_MIGRATE_H
#define KAM_MIGRATE_H

#include "base/err.h"
#include "store/copy.h"

/* Opens `from` as it is (it must already be at the current schema) and `to` (created or
 * migrated, and empty), copies every table with its ids, verifies counts and checksums, and
 * commits only when all match. progress (may be NULL) sees each table's figures. */
enum kam_err migrate_data(const char *from, const char *to, copy_progress progress, void *user,
                          struct kam_error *e);

#endif
