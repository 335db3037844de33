/* import_price.c -- the price check of an orders import (docs/PRICING.md "Prices on order
 * lines"): each chunk's rows are priced through the engine with the batch cache, one
 * price_account (tier, parents, period sums by day) per account of the chunk. An import is a
 * record of what the ERP has booked: rows below the price and rows without one are named in
 * the report and stored with their price_check; the role's discount limit does not apply; with
 * prices.below_price refuse the rows below the price are bad rows (refused like any other). The
 * rows are priced in the file's order as if each were written before the next one is priced
 * (the same prices as the rows sent one after the other to POST /orders): each row priced
 * counts in the period sums of the rows after it, and a row replacing a stored line (its
 * external id) does not count that line's old version (price_account_adjust). Rows of an
 * earlier chunk are in the database when the next one is priced; those of a chunk that is not
 * written (a dry run, a load already refused) are carried to the next chunks (imp.carry). */
#include <stdio.h>
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

/* Remembers an adjustment of a chunk that will not be written, for the chunks after it. */
static void carry(struct imp *im, int64_t account_id, int64_t product_id, int64_t day,
                  int64_t quantity, int64_t amount_base, int sign)
{
    if (im->ncarry == im->capcarry) {
        size_t cap = im->capcarry ? im->capcarry * 2 : 1024;
        struct imp_carry *g = arena_alloc(&im->la, cap * sizeof *g);
        if (im->ncarry)
            memcpy(g, im->carry, im->ncarry * sizeof *g);
        im->carry = g;
        im->capcarry = cap;
    }
    im->carry[im->ncarry++] =
        (struct imp_carry){account_id, product_id, day, sign < 0 ? -quantity : quantity,
                           sign < 0 ? -amount_base : amount_base};
}

static struct price_account *find_acc(void *arg, int64_t account_id)
{
    return strmap_get(arg, (const char *)&account_id, 8);
}

void imp_price_chunk(struct imp *im)
{
    int64_t t0 = time_mono_us();
    struct kam_ctx *ctx = im->ctx;
    struct arena *keep = ctx->a, chunk_a, line_a;
    arena_init(&chunk_a);
    arena_init(&line_a);
    struct strmap accs;
    strmap_init(&accs);
    im->rep->has_prices = 1;
    int refuse_below = 0;
    enum kam_err rc = price_below_refuses(ctx, &refuse_below);
    im->price_rule = 1;
    im->price_refuse = refuse_below;
    struct strmap olds;
    strmap_init(&olds);
    /* The chunk's accounts (tier, parents, the batch cache), and its days. */
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    struct price_cache *shared = NULL;
    for (size_t i = 0; i < im->nchunk && !rc; i++) {
        const struct order_row *r = &im->chunk[i];
        lo = r->day < lo ? r->day : lo;
        hi = r->day > hi ? r->day : hi;
        if (strmap_get(&accs, (const char *)&r->account_id, 8))
            continue;
        ctx->a = &chunk_a; /* the account and its cache live as long as the chunk */
        struct price_account *acc = arena_alloc(&chunk_a, sizeof *acc);
        rc = price_account_load(ctx, r->account_id, acc);
        ctx->a = keep;
        if (rc)
            break;
        acc->cache->wide = 1; /* the account's many lines: one scan per period */
        if (!shared)
            shared = acc->cache;
        else
            acc->cache->shared = shared; /* each product's plan read once per chunk */
        strmap_put(&accs, (const char *)&r->account_id, 8, acc);
    }
    int64_t periods = 0; /* any break over a month, quarter or year: only then the sums */
    if (!rc && im->nchunk)
        rc = db_query_i64(ctx->db,
                          "SELECT COUNT(*) FROM (SELECT 1 FROM price_breaks WHERE basis <> "
                          "'order' LIMIT 1) x",
                          0, 0, &periods, ctx->err);
    if (!rc && periods)
        rc = read_olds(im, &chunk_a, &olds);
    if (!rc && periods && im->bulk.idx.n > 0) {
        /* The order_lines indexes are off for this load (sales_bulk.h): a period scan per
         * account would read the table. One scan of the days the chunk's periods cover (from
         * January 1 of its first year to December 31 of its last) instead. */
        int y, m, d, y2;
        days_to_date(lo, &y, &m, &d);
        days_to_date(hi, &y2, &m, &d);
        int64_t from = date_to_days(y, 1, 1), to = date_to_days(y2 + 1, 1, 1) - 1;
        for (size_t i = 0; i < im->nchunk; i++) {
            struct price_account *acc =
                strmap_get(&accs, (const char *)&im->chunk[i].account_id, 8);
            if (acc && !acc->cache->has_span) { /* no lines in the span: an empty one */
                acc->cache->has_span = 1;
                acc->cache->span = (struct price_period){.from = from, .to = to};
            }
        }
        rc = price_preload(ctx, from, to, find_acc, &accs);
    }
    /* the earlier chunks that were priced but not written count as if they had been */
    for (size_t i = 0; periods && !rc && i < im->ncarry; i++) {
        const struct imp_carry *c = &im->carry[i];
        struct price_account *ca = strmap_get(&accs, (const char *)&c->account_id, 8);
        if (ca)
            price_account_adjust(ca, c->product_id, c->day, c->quantity, c->amount_base, +1);
    }
    size_t kept = 0, carry_base = im->ncarry;
    for (size_t i = 0; i < im->nchunk && !rc; i++) {
        struct order_row *r = &im->chunk[i];
        struct price_account *acc = strmap_get(&accs, (const char *)&r->account_id, 8);
        struct old_ver *old =
            periods ? strmap_get(&olds, r->external_id, strlen(r->external_id)) : NULL;
        if (old && !old->done) { /* the line this row replaces no longer counts */
            old->done = 1;
            struct price_account *oa = strmap_get(&accs, (const char *)&old->account_id, 8);
            if (oa)
                price_account_adjust(oa, old->product_id, old->day, old->quantity, old->amount_base,
                                     -1);
            carry(im, old->account_id, old->product_id, old->day, old->quantity, old->amount_base,
                  -1);
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
        if (periods) { /* the rows after this one see it in their period sums */
            price_account_adjust(acc, r->product_id, r->day, r->quantity, r->amount_base, +1);
            carry(im, r->account_id, r->product_id, r->day, r->quantity, r->amount_base, +1);
        }
        im->chunk[kept++] = *r;
    }
    if (!rc && im->writing && !im->o->dry_run)
        im->ncarry = carry_base; /* this chunk goes to the database: the next one reads it there */
    ctx->a = keep;
    strmap_release(&olds);
    strmap_release(&accs);
    arena_release(&chunk_a);
    arena_release(&line_a);
    if (rc) {
        imp_fail_db(im, rc);
        return;
    }
    im->nchunk = kept;
    im->rep->us_price += time_mono_us() - t0;
}
