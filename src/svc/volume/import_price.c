/* import_price.c -- the price check of an orders import (docs/PRICING.md "Prices on order
 * lines"): each chunk's rows are priced through the engine with the batch cache, one
 * price_account (tier, parents, period sums by day) per account, kept for the whole import
 * (struct imp_pricing below). An import is a record of what the ERP has booked: rows below the
 * price and rows without one are named in the report and stored with their price_check; the
 * role's discount limit does not apply; with prices.below_price refuse the rows below the
 * price are bad rows (refused like any other). The rows are priced in the file's order as if
 * each were written before the next one is priced (the same prices as the rows sent one after
 * the other to POST /orders): each row priced counts in the period sums of the rows after it,
 * and a row replacing a stored line (its external id) does not count that line's old version
 * (price_account_adjust). The period sums read from the database leave this import's own lines
 * out; the rows priced are counted by adjustment instead, whether their chunk is written (a
 * load) or not (a dry run, a load already refused). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "base/timeutil.h"
#include "import_int.h"
#include "store/db.h"
#include "svc/offers/price_check.h"

/* The report's entry for a row below the price or without one. */
static void note(struct imp *im, const struct order_row *r, const struct price_verdict *v)
{
    struct import_report *rep = im->rep;
    if (!strcmp(v->check, "below"))
        rep->price_below++;
    else
        rep->price_unpriced++;
    if (rep->nprices >= IMPORT_MAX_PROBLEMS)
        return;
    if (!rep->prices)
        rep->prices = arena_calloc(im->ctx->a, IMPORT_MAX_PROBLEMS, sizeof *rep->prices);
    rep->prices[rep->nprices++] = (struct import_price_row){
        .row = r->row,
        .external_id = arena_strdup(im->ctx->a, r->external_id),
        .check = v->check,
        .currency = arena_strdup(im->ctx->a, r->currency),
        .amount = r->amount,
        .engine_amount = v->engine_amount,
        .has_engine = v->has_engine,
    };
}

/* A row below the price with the rule refuse: the row's problem, as the reader would record it
 * (the row number of the row, not of the record being read). */
static void refuse_err(struct imp *im, const struct order_row *r, const struct kam_error *e)
{
    int64_t row = im->row;
    int bad = im->row_bad;
    size_t had = im->row_err.len; /* the record being read keeps its own problems */
    im->row = r->row - im->row_base;
    imp_problem_err(im, e);
    FILE *f = im->o->reject;
    if (f && r->raw) { /* the reject file, as import.c writes any bad row */
        imp_reject_header(im);
        fputs(r->raw, f);
        fputc('"', f);
        for (size_t i = had ? had + 2 : 0; i < im->row_err.len; i++) {
            if (im->row_err.data[i] == '"')
                fputc('"', f);
            fputc(im->row_err.data[i], f);
        }
        fputs("\"\n", f);
    }
    im->row_err.len = had;
    if (im->row_err.data)
        im->row_err.data[had] = 0;
    im->row = row;
    im->row_bad = bad;
    im->rep->rows_rejected++;
    if (!im->o->skip_bad_rows)
        im->writing = 0;
}

static void refuse(struct imp *im, const struct order_row *r, const struct price_verdict *v)
{
    char price[32], paid[32];
    price_fmt_minor(v->engine_amount, price, sizeof price);
    price_fmt_minor(r->amount, paid, sizeof paid);
    struct kam_param params[] = {{"value", paid}, {"price", price}, {"currency", r->currency}, {0}};
    struct kam_error e = {0};
    kam_fail_key(&e, KAM_EINVAL, "amount", "import.price_below", params,
                 "is below the price: %s %s for this quantity, paid %s", price, r->currency, paid);
    refuse_err(im, r, &e);
}

/* The stored version of a line an import row rewrites (its external id). */
struct old_ver {
    int64_t account_id, product_id, day, quantity, amount_base;
    int done;
};

#define OLD_BATCH 500

/* The stored lines (not this run's) with the external ids of the chunk's rows, into olds. */
static enum kam_err read_olds(struct imp *im, struct arena *a, struct strmap *olds)
{
    struct kam_ctx *ctx = im->ctx;
    enum kam_err rc = KAM_OK;
    char sql[OLD_BATCH * 2 + 256];
    for (size_t at = 0; at < im->nchunk && !rc; at += OLD_BATCH) {
        size_t n = im->nchunk - at < OLD_BATCH ? im->nchunk - at : OLD_BATCH;
        int len = snprintf(sql, sizeof sql,
                           "SELECT external_id, account_id, product_id, day, quantity, "
                           "amount_base FROM order_lines WHERE (import_id IS NULL OR import_id "
                           "<> ?) AND external_id IN (");
        for (size_t i = 0; i < n; i++)
            len += snprintf(sql + len, sizeof sql - (size_t)len, i ? ",?" : "?");
        snprintf(sql + len, sizeof sql - (size_t)len, ")");
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db, sql, &st, ctx->err)))
            break;
        db_bind_i64(st, 1, im->run_id);
        for (size_t i = 0; i < n; i++)
            db_bind_text(st, (int)i + 2, im->chunk[at + i].external_id);
        for (;;) {
            int row = 0;
            if ((rc = db_step(st, &row, ctx->err)) || !row)
                break;
            const char *ext = db_col_text(st, 0);
            struct old_ver *o = arena_calloc(a, 1, sizeof *o);
            *o = (struct old_ver){db_col_i64(st, 1), db_col_i64(st, 2), db_col_i64(st, 3),
                                  db_col_i64(st, 4), db_col_i64(st, 5), 0};
            strmap_put(olds, arena_strdup(a, ext), strlen(ext), o);
        }
        db_done(st);
    }
    return rc;
}

/* The price check's state from chunk to chunk (in imp.pricing): the accounts of the rows priced
 * so far with their caches (the product plans read once for the import; the period sums of
 * the lines before the import, as spans of whole years when order_lines' indexes are off), and
 * the log of every adjustment: each row priced (+1, written or not: the periods read leave the
 * import's own lines out) and each stored line a row rewrites (-1). A chunk that rewrote lines
 * and was written has taken their old versions out of the database, so the caches read before
 * it would count them twice over against one read after: the state is then dropped and read
 * again (a re-import pays a reading per chunk; a new load reads the lines once). An account
 * read anew gets its adjustments from the log. */
struct imp_adj {
    int64_t account_id, product_id, day, quantity, amount_base; /* quantity, amount signed */
    int old;  /* a stored line's old version (-1) */
    int keep; /* old: its chunk was not written, so it is still in the database */
};
struct imp_pricing {
    struct arena a;              /* the accounts and their caches */
    struct strmap accs;          /* account id (8 bytes) -> struct price_account */
    struct price_account **list; /* the same, in the order read (malloc) */
    size_t n, cap;
    struct price_cache *shared; /* the cache whose product plans every account uses */
    int64_t periods;            /* any break over a month, quarter or year: only then the sums */
    int spans;                  /* the accounts' spans cover the days from .. to */
    int64_t from, to;
    struct imp_adj *log;            /* malloc */
    size_t nlog, caplog, chunk_log; /* chunk_log: the first entry of the chunk being priced */
    int stale; /* a written chunk rewrote stored lines: read the caches again */
};

static void log_adj(struct imp_pricing *pr, int64_t account_id, int64_t product_id, int64_t day,
                    int64_t quantity, int64_t amount_base, int old)
{
    if (pr->nlog == pr->caplog) {
        size_t cap = pr->caplog ? pr->caplog * 2 : 4096;
        struct imp_adj *g = realloc(pr->log, cap * sizeof *g);
        if (!g)
            abort();
        pr->log = g;
        pr->caplog = cap;
    }
    pr->log[pr->nlog++] = (struct imp_adj){
        account_id, product_id, day, old ? -quantity : quantity, old ? -amount_base : amount_base,
        old,        0};
}

static void adjust(struct price_account *acc, const struct imp_adj *j)
{
    price_account_adjust(acc, j->product_id, j->day, j->quantity, j->amount_base, +1);
}

/* Forgets the accounts and their caches (the log stays). */
static void pricing_drop(struct imp_pricing *pr)
{
    strmap_release(&pr->accs);
    strmap_init(&pr->accs);
    arena_release(&pr->a);
    arena_init(&pr->a);
    pr->n = 0;
    pr->shared = NULL;
    pr->spans = 0;
}

void imp_price_end(struct imp *im)
{
    struct imp_pricing *pr = im->pricing;
    if (!pr)
        return;
    strmap_release(&pr->accs);
    arena_release(&pr->a);
    free(pr->list);
    free(pr->log);
    free(pr);
    im->pricing = NULL;
}

static struct imp_pricing *pricing(struct imp *im, enum kam_err *rc)
{
    struct imp_pricing *pr = im->pricing;
    if (pr)
        return pr;
    if (!(pr = calloc(1, sizeof *pr)))
        abort();
    arena_init(&pr->a);
    strmap_init(&pr->accs);
    im->pricing = pr;
    *rc = db_query_i64(im->ctx->db,
                       "SELECT COUNT(*) FROM (SELECT 1 FROM price_breaks WHERE basis <> 'order' "
                       "LIMIT 1) x",
                       0, 0, &pr->periods, im->ctx->err);
    return pr;
}

/* Reads the account (tier, parents, a cache sharing the plans), once. */
static enum kam_err account(struct imp *im, struct imp_pricing *pr, int64_t id,
                            struct price_account **out)
{
    if ((*out = strmap_get(&pr->accs, (const char *)&id, 8)))
        return KAM_OK;
    struct kam_ctx *ctx = im->ctx;
    struct arena *keep = ctx->a;
    ctx->a = &pr->a; /* the account and its cache live as long as the state */
    struct price_account *acc = arena_alloc(&pr->a, sizeof *acc);
    enum kam_err rc = price_account_load(ctx, id, acc);
    ctx->a = keep;
    if (rc)
        return rc;
    acc->cache->wide = 1; /* the account's many lines: one scan per period */
    acc->cache->skip_import = im->run_id;
    if (!pr->shared)
        pr->shared = acc->cache;
    else
        acc->cache->shared = pr->shared; /* each product's plan read once */
    strmap_put(&pr->accs, (const char *)&acc->id, 8, acc);
    if (pr->n == pr->cap) {
        size_t cap = pr->cap ? pr->cap * 2 : 256;
        struct price_account **g = realloc(pr->list, cap * sizeof *g);
        if (!g)
            abort();
        pr->list = g;
        pr->cap = cap;
    }
    pr->list[pr->n++] = acc;
    *out = acc;
    return KAM_OK;
}

/* Reads the chunk's accounts, gives those read anew their logged adjustments, and (indexes
 * off) makes every account's spans cover the chunk's years. */
static enum kam_err prepare(struct imp *im, struct imp_pricing *pr)
{
    enum kam_err rc = KAM_OK;
    if (pr->stale) {
        pricing_drop(pr);
        pr->stale = 0;
    }
    size_t first_new = pr->n;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < im->nchunk && !rc; i++) {
        const struct order_row *r = &im->chunk[i];
        lo = r->day < lo ? r->day : lo;
        hi = r->day > hi ? r->day : hi;
        struct price_account *acc;
        rc = account(im, pr, r->account_id, &acc);
    }
    for (size_t i = 0; i < pr->n; i++) /* the rebate's year sum: read again each chunk */
        pr->list[i]->cache->have_year = 0;
    if (rc || !pr->periods || !im->nchunk)
        return rc;
    if (im->bulk.idx.n > 0) {
        /* The order_lines indexes are off for this load (sales_bulk.h): a period scan per
         * account would read the table. Scans of whole years instead (January 1 of the chunk's
         * first year to December 31 of its last), each year once for every account. */
        int y, m, d, y2;
        days_to_date(lo, &y, &m, &d);
        days_to_date(hi, &y2, &m, &d);
        int64_t from = date_to_days(y, 1, 1), to = date_to_days(y2 + 1, 1, 1) - 1;
        size_t nnew = pr->n - first_new;
        if (!pr->spans) {
            rc = price_preload(im->ctx, from, to, im->run_id, pr->list, pr->n);
            pr->spans = 1;
            pr->from = from;
            pr->to = to;
        } else {
            if (nnew) /* the accounts new in this chunk: the years the others have */
                rc = price_preload(im->ctx, pr->from, pr->to, im->run_id, pr->list + first_new,
                                   nnew);
            if (!rc && from < pr->from)
                rc = price_preload(im->ctx, from, pr->from - 1, im->run_id, pr->list, pr->n);
            if (!rc && to > pr->to)
                rc = price_preload(im->ctx, pr->to + 1, to, im->run_id, pr->list, pr->n);
            pr->from = from < pr->from ? from : pr->from;
            pr->to = to > pr->to ? to : pr->to;
        }
    }
    if (rc || first_new == pr->n || !pr->nlog)
        return rc;
    /* the logged adjustments of the accounts read anew (all of them after a drop; else those
     * whose stored lines an earlier chunk's rows rewrote) */
    struct strmap fresh;
    strmap_init(&fresh);
    for (size_t k = first_new; k < pr->n; k++)
        strmap_put(&fresh, (const char *)&pr->list[k]->id, 8, pr->list[k]);
    for (size_t i = 0; i < pr->nlog; i++) {
        const struct imp_adj *j = &pr->log[i];
        if (j->old && !j->keep)
            continue; /* written: gone from the database, and so from what was read */
        struct price_account *acc = strmap_get(&fresh, (const char *)&j->account_id, 8);
        if (acc)
            adjust(acc, j);
    }
    strmap_release(&fresh);
    return rc;
}

/* After the chunk: whether its rewritten lines' old versions are still in the database. */
static void settle(struct imp_pricing *pr, int written)
{
    for (size_t i = pr->chunk_log; i < pr->nlog; i++) {
        struct imp_adj *j = &pr->log[i];
        if (!j->old)
            continue;
        j->keep = !written;
        if (written)
            pr->stale = 1;
    }
}

void imp_price_chunk(struct imp *im)
{
    int64_t t0 = time_mono_us();
    struct kam_ctx *ctx = im->ctx;
    struct arena *keep = ctx->a, chunk_a, line_a;
    arena_init(&chunk_a);
    arena_init(&line_a);
    im->rep->has_prices = 1;
    int refuse_below = 0;
    enum kam_err rc = price_below_refuses(ctx, &refuse_below);
    im->price_rule = 1;
    im->price_refuse = refuse_below;
    struct imp_pricing *pr = rc ? NULL : pricing(im, &rc);
    struct strmap olds;
    strmap_init(&olds);
    if (!rc)
        rc = prepare(im, pr);
    if (!rc && pr->periods)
        rc = read_olds(im, &chunk_a, &olds);
    size_t kept = 0;
    if (pr)
        pr->chunk_log = pr->nlog;
    for (size_t i = 0; i < im->nchunk && !rc; i++) {
        struct order_row *r = &im->chunk[i];
        struct price_account *acc = strmap_get(&pr->accs, (const char *)&r->account_id, 8);
        struct old_ver *old =
            pr->periods ? strmap_get(&olds, r->external_id, strlen(r->external_id)) : NULL;
        if (old && !old->done) { /* the line this row replaces no longer counts */
            old->done = 1;
            log_adj(pr, old->account_id, old->product_id, old->day, old->quantity, old->amount_base,
                    1);
            struct price_account *oa = strmap_get(&pr->accs, (const char *)&old->account_id, 8);
            if (oa)
                adjust(oa, &pr->log[pr->nlog - 1]);
        }
        ctx->a = &line_a;
        struct price_line pl = {r->account_id, r->product_id, r->day,
                                r->quantity,   r->amount,     r->currency};
        struct price_verdict v;
        rc = price_check_line(ctx, acc, &pl, &v);
        ctx->a = keep;
        arena_release(&line_a);
        if (rc == KAM_EINVAL) { /* the row's own problem (a price past the range): refused */
            struct kam_error e = *ctx->err;
            kam_error_clear(ctx->err);
            refuse_err(im, r, &e);
            rc = KAM_OK;
            continue;
        }
        if (rc)
            break;
        r->price_check = v.check;
        r->engine_amount = v.engine_amount;
        r->has_engine = v.has_engine;
        if (v.check && strcmp(v.check, "ok")) {
            if (refuse_below && !strcmp(v.check, "below")) {
                refuse(im, r, &v);
                continue; /* dropped from the chunk */
            }
            note(im, r, &v);
        }
        if (pr->periods) { /* the rows after this one see it in their period sums */
            log_adj(pr, r->account_id, r->product_id, r->day, r->quantity, r->amount_base, 0);
            adjust(acc, &pr->log[pr->nlog - 1]);
        }
        im->chunk[kept++] = *r;
    }
    if (pr && !rc) /* this chunk goes to the database, or it does not */
        settle(pr, im->writing && !im->o->dry_run);
    ctx->a = keep;
    strmap_release(&olds);
    arena_release(&chunk_a);
    arena_release(&line_a);
    if (rc) {
        imp_fail_db(im, rc);
        return;
    }
    im->nchunk = kept;
    im->rep->us_price += time_mono_us() - t0;
}
