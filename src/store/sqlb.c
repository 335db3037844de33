/* sqlb.c -- dynamic statement text with bound values. */
#include "sqlb.h"

void sqlb_init(struct sqlb *q, struct arena *a)
{
    q->a = a;
    buf_init(&q->sql, 16384);
    q->n = 0;
    q->overflow = 0;
}

void sqlb_release(struct sqlb *q)
{
    buf_release(&q->sql);
}

void sqlb_sql(struct sqlb *q, const char *fragment)
{
    buf_puts(&q->sql, fragment);
}

void sqlb_i64(struct sqlb *q, int64_t v)
{
    if (q->n >= SQLB_MAX_BINDS) {
        q->overflow = 1;
        return;
    }
    q->binds[q->n].is_text = 0;
    q->binds[q->n].is_null = 0;
    q->binds[q->n].i = v;
    q->n++;
}

void sqlb_text(struct sqlb *q, const char *s)
{
    if (q->n >= SQLB_MAX_BINDS) {
        q->overflow = 1;
        return;
    }
    q->binds[q->n].is_text = 1;
    q->binds[q->n].is_null = s == NULL;
    q->binds[q->n].s = s;
    q->n++;
}

enum kam_err sqlb_prepare(struct sqlb *q, struct db *db, struct db_stmt **out, struct kam_error *e)
{
    if (q->overflow || !buf_ok(&q->sql)) {
        sqlb_release(q);
        return kam_fail(e, KAM_EINTERNAL, "", "query too large");
    }
    struct db_stmt *st;
    enum kam_err rc = db_prepare(db, q->sql.data, &st, e);
    if (!rc) {
        for (int i = 0; i < q->n; i++) {
            if (q->binds[i].is_text)
                db_bind_text(st, i + 1, q->binds[i].is_null ? NULL : q->binds[i].s);
            else
                db_bind_i64(st, i + 1, q->binds[i].i);
        }
        *out = st;
    }
    sqlb_release(q);
    return rc;
}

const char *sqlb_like_pattern(struct arena *a, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, 2 * n + 3), *p = out;
    *p++ = '%';
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            *p++ = '\\';
        *p++ = *s;
    }
    *p++ = '%';
    *p = 0;
    return out;
}
