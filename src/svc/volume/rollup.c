/* rollup.c -- delta maps for the monthly rollups and their flush into the database. */
#include "rollup.h"

#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/db.h"

/* One summed delta. The key is account id, month and the three texts, NUL-separated, so the
 * same bytes compare equal and sort in a stable order. */
struct entry {
    uint64_t hash;
    int64_t account_id;
    int month;
    int64_t quantity, amount, lines;
    const char *family, *region, *channel; /* inside key */
    size_t klen;
    char key[];
};

/* Open addressing, power-of-two capacity, at most half full. */
struct map {
    struct entry **slots;
    size_t cap, n;
};

struct rollup {
    struct map fine, dim, acct;
    /* rollup_prepare: the coarser maps summed from the finest, and each map's entries that
     * change something, sorted; dropped by any change */
    int prepared;
    struct entry **sorted[3];
    size_t nsorted[3];
};

static void unprepare(struct rollup *r)
{
    for (int t = 0; t < 3; t++) {
        free(r->sorted[t]);
        r->sorted[t] = NULL;
        r->nsorted[t] = 0;
    }
    r->prepared = 0;
}

static uint64_t fnv(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

static void map_grow(struct map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    struct entry **slots = calloc(cap, sizeof *slots);
    if (!slots)
        abort();
    for (size_t i = 0; i < m->cap; i++) {
        struct entry *e = m->slots[i];
        if (!e)
            continue;
        size_t j = e->hash & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = e;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

static void map_clear(struct map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i]);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* Adds the deltas (q, a, lines) under the key. */
static void map_add(struct map *m, int64_t account_id, int month, const char *family,
                    const char *region, const char *channel, int64_t q, int64_t a, int64_t lines)
{
    char key[1024];
    size_t fl = family ? strlen(family) : 0, rl = region ? strlen(region) : 0,
           cl = channel ? strlen(channel) : 0;
    size_t klen = 8 + 4 + fl + rl + cl + 3;
    char *kp = klen <= sizeof key ? key : malloc(klen);
    if (!kp)
        abort();
    /* Big-endian id and month first: byte order is then numeric order for sorting. */
    uint64_t id = (uint64_t)account_id;
    for (int i = 0; i < 8; i++)
        kp[i] = (char)(id >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        kp[8 + i] = (char)((uint32_t)month >> (24 - 8 * i));
    char *p = kp + 12;
    memcpy(p, family ? family : "", fl + 1);
    p += fl + 1;
    memcpy(p, region ? region : "", rl + 1);
    p += rl + 1;
    memcpy(p, channel ? channel : "", cl + 1);
    uint64_t h = fnv(kp, klen);
    if ((m->n + 1) * 2 > m->cap)
        map_grow(m);
    size_t j = h & (m->cap - 1);
    struct entry *e;
    while ((e = m->slots[j])) {
        if (e->hash == h && e->klen == klen && memcmp(e->key, kp, klen) == 0)
            break;
        j = (j + 1) & (m->cap - 1);
    }
    if (!e) {
        e = calloc(1, sizeof *e + klen);
        if (!e)
            abort();
        e->hash = h;
        e->klen = klen;
        memcpy(e->key, kp, klen);
        e->account_id = account_id;
        e->month = month;
        e->family = e->key + 12;
        e->region = e->family + fl + 1;
        e->channel = e->region + rl + 1;
        m->slots[j] = e;
        m->n++;
    }
    if (kp != key)
        free(kp);
    e->quantity += q;
    e->amount += a;
    e->lines += lines;
}

/* Adds a whole entry's sums under another key. */
static void map_sum(struct map *m, int64_t account_id, int month, const char *family,
                    const char *region, const char *channel, const struct entry *e)
{
    map_add(m, account_id, month, family, region, channel, e->quantity, e->amount, e->lines);
}

struct rollup *rollup_new(void)
{
    struct rollup *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    return r;
}

void rollup_free(struct rollup *r)
{
    if (!r)
        return;
    unprepare(r);
    map_clear(&r->fine);
    map_clear(&r->dim);
    map_clear(&r->acct);
    free(r);
}

void rollup_add(struct rollup *r, int64_t account_id, int month, const char *family,
                const char *region, const char *channel, int64_t quantity, int64_t amount, int sign)
{
    if (r->prepared)
        unprepare(r);
    map_add(&r->fine, account_id, month, family, region, channel, sign * quantity, sign * amount,
            sign);
}

void rollup_merge(struct rollup *dst, const struct rollup *src)
{
    if (dst->prepared)
        unprepare(dst);
    for (size_t i = 0; i < src->fine.cap; i++) {
        const struct entry *e = src->fine.slots[i];
        if (e)
            map_sum(&dst->fine, e->account_id, e->month, e->family, e->region, e->channel, e);
    }
}

size_t rollup_size(const struct rollup *r)
{
    return r->fine.n;
}

int rollup_month_of_day(int64_t day)
{
    int y, m, d;
    days_to_date(day, &y, &m, &d);
    return y * 100 + m;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

/* The entries of m that change something, sorted; caller frees the array. */
static struct entry **sorted(struct map *m, size_t *n_out)
{
    struct entry **v = malloc((m->n ? m->n : 1) * sizeof *v);
    if (!v)
        abort();
    size_t n = 0;
    for (size_t i = 0; i < m->cap; i++) {
        struct entry *e = m->slots[i];
        if (e && (e->lines || e->quantity || e->amount))
            v[n++] = e;
    }
    qsort(v, n, sizeof *v, cmp_entry);
    *n_out = n;
    return v;
}

enum table { T_FINE, T_DIM, T_ACCT };

#define FINE_CONFLICT                                                                              \
    "ON CONFLICT (account_id, month, family, region, channel) DO UPDATE SET quantity = "           \
    "sales_monthly.quantity + excluded.quantity, amount = sales_monthly.amount + "                 \
    "excluded.amount, lines = sales_monthly.lines + excluded.lines"
#define DIM_CONFLICT                                                                               \
    "ON CONFLICT (month, family, region, channel) DO UPDATE SET quantity = "                       \
    "sales_monthly_dim.quantity + excluded.quantity, amount = sales_monthly_dim.amount + "         \
    "excluded.amount, lines = sales_monthly_dim.lines + excluded.lines"
#define ACCT_CONFLICT                                                                              \
    "ON CONFLICT (account_id, month) DO UPDATE SET quantity = sales_monthly_account.quantity + "   \
    "excluded.quantity, amount = sales_monthly_account.amount + excluded.amount, lines = "         \
    "sales_monthly_account.lines + excluded.lines"

static const char *const table_name[] = {
    [T_FINE] = "sales_monthly", [T_DIM] = "sales_monthly_dim", [T_ACCT] = "sales_monthly_account"};
static const char *const table_cols[] = {
    [T_FINE] = "account_id, month, family, region, channel, quantity, amount, lines",
    [T_DIM] = "month, family, region, channel, quantity, amount, lines",
    [T_ACCT] = "account_id, month, quantity, amount, lines"};
static const char *const conflict_sql[] = {
    [T_FINE] = FINE_CONFLICT, [T_DIM] = DIM_CONFLICT, [T_ACCT] = ACCT_CONFLICT};

static const char *const upsert_sql[] = {
    [T_FINE] = "INSERT INTO sales_monthly (account_id, month, family, region, channel, quantity, "
               "amount, lines) VALUES (?, ?, ?, ?, ?, ?, ?, ?) " FINE_CONFLICT,
    [T_DIM] = "INSERT INTO sales_monthly_dim (month, family, region, channel, quantity, amount, "
              "lines) VALUES (?, ?, ?, ?, ?, ?, ?) " DIM_CONFLICT,
    [T_ACCT] = "INSERT INTO sales_monthly_account (account_id, month, quantity, amount, lines) "
               "VALUES (?, ?, ?, ?, ?) " ACCT_CONFLICT,
};

static const char *const prune_sql[] = {
    [T_FINE] = "DELETE FROM sales_monthly WHERE account_id = ? AND month = ? AND family = ? AND "
               "region = ? AND channel = ? AND lines <= 0",
    [T_DIM] = "DELETE FROM sales_monthly_dim WHERE month = ? AND family = ? AND region = ? AND "
              "channel = ? AND lines <= 0",
    [T_ACCT] =
        "DELETE FROM sales_monthly_account WHERE account_id = ? AND month = ? AND lines <= 0",
};

/* Binds the key columns of e for table t from index 1; returns the next index. */
static int bind_key(struct db_stmt *st, enum table t, const struct entry *e)
{
    int i = 1;
    if (t != T_DIM)
        db_bind_i64(st, i++, e->account_id);
    db_bind_i64(st, i++, e->month);
    if (t != T_ACCT) {
        db_bind_text(st, i++, e->family);
        db_bind_text(st, i++, e->region);
        db_bind_text(st, i++, e->channel);
    }
    return i;
}

/* Big flushes (an import's): the deltas go into a temporary table with one bulk load
 * (PostgreSQL's COPY) and into the rollup with one INSERT ... SELECT ... ON CONFLICT, instead of
 * a statement (on PostgreSQL a round trip) per row. The temporary table lives as long as the
 * connection, empty between flushes; created inside the transaction, a rollback takes it away. */
#define BULK_FLUSH 256

static const char *const delta_sql =
    "CREATE TEMP TABLE IF NOT EXISTS rollup_delta (account_id BIGINT NOT NULL, month BIGINT NOT "
    "NULL, family TEXT NOT NULL, region TEXT NOT NULL, channel TEXT NOT NULL, quantity BIGINT NOT "
    "NULL, amount BIGINT NOT NULL, lines BIGINT NOT NULL)";

/* "WHERE true": SQLite needs it to tell ON CONFLICT from a join constraint. */
static const char *const merge_sql[] = {
    [T_FINE] = "INSERT INTO sales_monthly (account_id, month, family, region, channel, quantity, "
               "amount, lines) SELECT account_id, month, family, region, channel, quantity, "
               "amount, lines FROM rollup_delta WHERE true " FINE_CONFLICT,
    [T_DIM] = "INSERT INTO sales_monthly_dim (month, family, region, channel, quantity, amount, "
              "lines) SELECT month, family, region, channel, quantity, amount, lines FROM "
              "rollup_delta WHERE true " DIM_CONFLICT,
    [T_ACCT] = "INSERT INTO sales_monthly_account (account_id, month, quantity, amount, lines) "
               "SELECT account_id, month, quantity, amount, lines FROM rollup_delta WHERE "
               "true " ACCT_CONFLICT,
};

static const char *const prune_all_sql[] = {
    [T_FINE] = "DELETE FROM sales_monthly WHERE lines <= 0 AND EXISTS (SELECT 1 FROM rollup_delta "
               "d WHERE d.lines < 0 AND d.account_id = sales_monthly.account_id AND d.month = "
               "sales_monthly.month AND d.family = sales_monthly.family AND d.region = "
               "sales_monthly.region AND d.channel = sales_monthly.channel)",
    [T_DIM] = "DELETE FROM sales_monthly_dim WHERE lines <= 0 AND EXISTS (SELECT 1 FROM "
              "rollup_delta d WHERE d.lines < 0 AND d.month = sales_monthly_dim.month AND "
              "d.family = sales_monthly_dim.family AND d.region = sales_monthly_dim.region AND "
              "d.channel = sales_monthly_dim.channel)",
    [T_ACCT] = "DELETE FROM sales_monthly_account WHERE lines <= 0 AND EXISTS (SELECT 1 FROM "
               "rollup_delta d WHERE d.lines < 0 AND d.account_id = "
               "sales_monthly_account.account_id AND d.month = sales_monthly_account.month)",
};

/* Removes e's row of table t if its line count has fallen to zero. */
static enum kam_err prune_one(struct kam_ctx *ctx, const struct entry *e, enum table t)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, prune_sql[t], &st, ctx->err);
    if (rc)
        return rc;
    bind_key(st, t, e);
    return db_run(st, ctx->err);
}

/* Engines without COPY: the deltas merge straight into the rollup, many rows per INSERT ...
 * ON CONFLICT; the rows left with no lines go one by one (the rare rewrite). */
static enum kam_err flush_upsert(struct kam_ctx *ctx, struct entry **v, size_t n, enum table t)
{
    struct db_bulk *b;
    enum kam_err rc =
        db_bulk_begin_upsert(ctx->db, table_name[t], table_cols[t], conflict_sql[t], &b, ctx->err);
    for (size_t k = 0; k < n && !rc; k++) {
        if (t != T_DIM)
            db_bulk_i64(b, v[k]->account_id);
        db_bulk_i64(b, v[k]->month);
        if (t != T_ACCT) {
            db_bulk_text(b, v[k]->family);
            db_bulk_text(b, v[k]->region);
            db_bulk_text(b, v[k]->channel);
        }
        db_bulk_i64(b, v[k]->quantity);
        db_bulk_i64(b, v[k]->amount);
        db_bulk_i64(b, v[k]->lines);
        rc = db_bulk_row(b, ctx->err);
    }
    if (b)
        rc = db_bulk_end(b, rc, ctx->err);
    for (size_t k = 0; k < n && !rc; k++)
        if (v[k]->lines < 0)
            rc = prune_one(ctx, v[k], t);
    return rc;
}

static enum kam_err flush_bulk(struct kam_ctx *ctx, struct entry **v, size_t n, enum table t)
{
    if (!db_bulk_copies(ctx->db))
        return flush_upsert(ctx, v, n, t);
    enum kam_err rc = db_exec(ctx->db, delta_sql, ctx->err);
    struct db_bulk *b = NULL;
    if (!rc)
        rc = db_bulk_begin(ctx->db, "rollup_delta",
                           "account_id, month, family, region, channel, quantity, amount, lines",
                           &b, ctx->err);
    int negative = 0;
    for (size_t k = 0; k < n && !rc; k++) {
        db_bulk_i64(b, v[k]->account_id);
        db_bulk_i64(b, v[k]->month);
        db_bulk_text(b, v[k]->family);
        db_bulk_text(b, v[k]->region);
        db_bulk_text(b, v[k]->channel);
        db_bulk_i64(b, v[k]->quantity);
        db_bulk_i64(b, v[k]->amount);
        db_bulk_i64(b, v[k]->lines);
        negative |= v[k]->lines < 0;
        rc = db_bulk_row(b, ctx->err);
    }
    if (b)
        rc = db_bulk_end(b, rc, ctx->err);
    if (!rc)
        rc = db_exec(ctx->db, merge_sql[t], ctx->err);
    if (!rc && negative)
        rc = db_exec(ctx->db, prune_all_sql[t], ctx->err);
    if (!rc)
        rc = db_exec(ctx->db, "DELETE FROM rollup_delta", ctx->err);
    return rc;
}

static enum kam_err flush_map(struct kam_ctx *ctx, struct entry **v, size_t n, enum table t)
{
    enum kam_err rc = KAM_OK;
    if (n >= BULK_FLUSH) {
        rc = flush_bulk(ctx, v, n, t);
        n = 0;
    }
    for (size_t k = 0; k < n && !rc; k++) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db, upsert_sql[t], &st, ctx->err)))
            break;
        int i = bind_key(st, t, v[k]);
        db_bind_i64(st, i++, v[k]->quantity);
        db_bind_i64(st, i++, v[k]->amount);
        db_bind_i64(st, i, v[k]->lines);
        rc = db_run(st, ctx->err);
        if (!rc && v[k]->lines < 0)
            rc = prune_one(ctx, v[k], t);
    }
    return rc;
}

void rollup_prepare(struct rollup *r)
{
    if (r->prepared)
        return;
    /* The coarser maps are sums of the finest one. */
    map_clear(&r->dim);
    map_clear(&r->acct);
    for (size_t i = 0; i < r->fine.cap; i++) {
        const struct entry *e = r->fine.slots[i];
        if (!e)
            continue;
        map_sum(&r->dim, 0, e->month, e->family, e->region, e->channel, e);
        map_sum(&r->acct, e->account_id, e->month, "", "", "", e);
    }
    r->sorted[T_FINE] = sorted(&r->fine, &r->nsorted[T_FINE]);
    r->sorted[T_DIM] = sorted(&r->dim, &r->nsorted[T_DIM]);
    r->sorted[T_ACCT] = sorted(&r->acct, &r->nsorted[T_ACCT]);
    r->prepared = 1;
}

enum kam_err rollup_flush(struct kam_ctx *ctx, struct rollup *r)
{
    rollup_prepare(r);
    enum kam_err rc = KAM_OK;
    for (int t = T_FINE; t <= T_ACCT && !rc; t++)
        rc = flush_map(ctx, r->sorted[t], r->nsorted[t], (enum table)t);
    unprepare(r);
    map_clear(&r->fine);
    map_clear(&r->dim);
    map_clear(&r->acct);
    return rc;
}

enum kam_err rollup_rebuild(struct kam_ctx *ctx)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    rc = db_exec(ctx->db,
                 "DELETE FROM sales_monthly; DELETE FROM sales_monthly_dim; "
                 "DELETE FROM sales_monthly_account",
                 ctx->err);
    struct db_stmt *st = NULL;
    if (!rc)
        rc = db_prepare(ctx->db,
                        "SELECT o.account_id, o.day, p.family, o.region, o.channel, o.quantity, "
                        "o.amount_base FROM order_lines o JOIN products p ON p.id = o.product_id",
                        &st, ctx->err);
    struct rollup *r = rollup_new();
    int row = 0;
    while (!rc && !(rc = db_step(st, &row, ctx->err)) && row)
        rollup_add(r, db_col_i64(st, 0), rollup_month_of_day(db_col_i64(st, 1)), db_col_text(st, 2),
                   db_col_text(st, 3), db_col_text(st, 4), db_col_i64(st, 5), db_col_i64(st, 6), 1);
    if (st)
        db_done(st);
    if (!rc)
        rc = rollup_flush(ctx, r);
    rollup_free(r);
    return db_end(ctx->db, rc, ctx->err);
}
