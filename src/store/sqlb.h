/* sqlb.h -- building a statement from fixed fragments plus its bind values.
 *
 * For list queries whose WHERE clause depends on which filters a request names. Only fixed
 * SQL text written in the source goes into the text; every value is bound. The result is
 * prepared through the statement cache like any other query.
 *
 *     struct sqlb q; sqlb_init(&q, a);
 *     sqlb_sql(&q, "SELECT ... FROM accounts WHERE 1=1");
 *     if (tier) { sqlb_sql(&q, " AND tier = ?"); sqlb_text(&q, tier); }
 *     rc = sqlb_prepare(&q, db, &st, e);
 */
#ifndef KAM_SQLB_H
#define KAM_SQLB_H

#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "db.h"

#define SQLB_MAX_BINDS 32

struct sqlb {
    struct arena *a;
    struct buf sql;
    int n;
    struct {
        int is_text, is_null;
        int64_t i;
        const char *s; /* arena or caller-owned, must live until sqlb_prepare */
    } binds[SQLB_MAX_BINDS];
    int overflow;
};

void sqlb_init(struct sqlb *q, struct arena *a);
void sqlb_release(struct sqlb *q);
void sqlb_sql(struct sqlb *q, const char *fragment);
void sqlb_i64(struct sqlb *q, int64_t v);
void sqlb_text(struct sqlb *q, const char *s);
/* Prepares and binds; the statement is the caller's until db_done(). Releases q's buffer. */
enum kam_err sqlb_prepare(struct sqlb *q, struct db *db, struct db_stmt **out, struct kam_error *e);

/* "%s%" for `LIKE ? ESCAPE '\\'` with s's own % _ and \\ escaped: a substring match. */
const char *sqlb_like_pattern(struct arena *a, const char *s);

#endif
