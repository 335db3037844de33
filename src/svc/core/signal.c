/* signal.c -- what the chapters' signal evaluators share (signal.h). */
#include "signal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "store/sqlb.h"

/* "{"days": N}" of the rule (1..3650), else def. */
enum kam_err signal_param_days(struct kam_ctx *ctx, const struct signal_rule *r, int64_t def,
                               int64_t *out)
{
    *out = def;
    if (!r->params || !*r->params)
        return KAM_OK;
    json_error_t je;
    json_t *root = json_loads(r->params, 0, &je);
    if (!root && json_error_code(&je) == json_error_out_of_memory)
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    json_t *d = root ? json_object_get(root, "days") : NULL;
    if (json_is_integer(d) && json_integer_value(d) >= 1 && json_integer_value(d) <= 3650)
        *out = (int64_t)json_integer_value(d);
    json_decref(root);
    return KAM_OK;
}

int signal_fires(const struct signal_rule *r, int64_t v)
{
    return r->def->higher_is_worse ? v >= r->threshold_milli : v <= r->threshold_milli;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

struct signal_want signal_want_of(struct kam_ctx *ctx, const int64_t *accounts, size_t n)
{
    struct signal_want w = {NULL, 0};
    if (accounts && n > SIGNAL_IN_MAX) {
        w.ids = arena_alloc(ctx->a, n * sizeof *w.ids);
        memcpy(w.ids, accounts, n * sizeof *w.ids);
        qsort(w.ids, n, sizeof *w.ids, cmp_i64);
        w.n = n;
    }
    return w;
}

int signal_wanted(const struct signal_want *w, int64_t id)
{
    return !w->ids || bsearch(&id, w->ids, w->n, sizeof id, cmp_i64) != NULL;
}

/* " AND a.status <> 'lost'" and, for a few accounts asked for, " AND a.id IN (...)" (alias a:
 * accounts). */
void signal_account_cond(struct sqlb *b, const int64_t *accounts, size_t n)
{
    sqlb_sql(b, " AND a.status <> 'lost'");
    if (!accounts || n > SIGNAL_IN_MAX)
        return;
    sqlb_sql(b, " AND a.id IN (0");
    for (size_t i = 0; i < n; i++) {
        sqlb_sql(b, ", ?");
        sqlb_i64(b, accounts[i]);
    }
    sqlb_sql(b, ")");
}
