/* copy.h -- copying a whole installation between databases (kam migrate-data).
 *
 * Every table of the schema, rows with their ids, in foreign-key order; columns that point at
 * rows not yet copied (self references, the team/manager cycle) are filled in a second pass.
 * Afterwards each table is verified: row count and an order-independent checksum of every
 * row's values as text must match on both sides. */
#ifndef KAM_COPY_H
#define KAM_COPY_H

#include <stdint.h>

#include "db.h"

struct copy_report {
    const char *table;
    int64_t rows_src, rows_dst;
    uint64_t sum_src, sum_dst;
};

/* Called after each table is copied and verified. */
typedef void (*copy_progress)(const struct copy_report *r, void *user);

/* Copies src into dst (both at the same schema version; dst must be empty) in one dst
 * transaction. KAM_ECONFLICT if dst holds data, KAM_EINVAL if the schemas differ or src has a
 * table this code does not know, KAM_EDB on a mismatch after copying (nothing is committed). */
enum kam_err db_copy(struct db *src, struct db *dst, copy_progress progress, void *user,
                     struct kam_error *e);

/* The verification figures db_copy computes for one table: its row count and the sum of the
 * FNV-1a hashes of each row's values as text (NULL distinct from ""), over the columns `cols`
 * ("a, b, c") in that order -- so the same for two databases with the same rows, whatever the
 * engine or the order the rows come in. table and cols are pasted into SQL: names from the
 * code or checked identifiers only (kam backup reuses this over the catalog's columns).
 * KAM_EINVAL when they are too long. */
enum kam_err db_copy_checksum(struct db *db, const char *table, const char *cols, int64_t *rows_out,
                              uint64_t *sum_out, struct kam_error *e);

#endif
