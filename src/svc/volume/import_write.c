/* import_write.c -- writing an orders import's rows, chunk by chunk, while the file is still
 * being read.
 *
 * Reading a row (CSV, checks, lookups) costs about as much as writing it, and a big file is
 * read and written in chunks (CHUNK rows). Past one chunk a writer thread takes each full
 * chunk while the reader fills the other one: two cores, two buffers. The connection belongs to
 * the writer from imp_write_start to imp_write_finish; the reader does no database work
 * meanwhile (its lookups are loaded before). The writer has its own arena and error, so the
 * reader's problems (the request's arena) and the writer's statements never meet. The reader
 * sorts each chunk and counts its rows in the rollup deltas before handing it over; the writer
 * keeps its own deltas (the corrections for rows that rewrote existing lines) and its counts
 * until imp_write_finish adds them to the import's. A failed chunk
 * stops the writer: the reader sees the error at its next hand-over (or at the finish) and stops
 * as it does for any database error. */
#include "import_int.h"

#include <pthread.h>
#include <stdlib.h>

struct imp_writer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int has_work, quit;
    struct order_row *rows; /* the chunk handed over (the reader's other buffer) */
    size_t n;
    enum kam_err rc; /* the first error; nothing is written after it */
    struct kam_ctx ctx;
    struct arena a;
    struct kam_error err;
    int64_t run_id, inserted, updated;
    const struct sales_bulk *bulk; /* the import's, unchanged while the writer runs */
    struct rollup
        *ru; /* the writer's corrections (rows rewritten), added to the import's at the end */
};

static void *writer_main(void *arg)
{
    struct imp_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->has_work && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->has_work)
            break;
        enum kam_err rc = w->rc;
        pthread_mutex_unlock(&w->mu);
        if (!rc)
            rc = sales_bulk_lines(&w->ctx, w->bulk, w->rows, w->n, w->run_id, w->ru, &w->inserted,
                                  &w->updated);
        arena_release(&w->a);
        pthread_mutex_lock(&w->mu);
        w->rc = rc;
        w->has_work = 0;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Waits until the writer has finished its chunk; returns its error (KAM_OK: none). */
static enum kam_err writer_idle(struct imp_writer *w)
{
    pthread_mutex_lock(&w->mu);
    while (w->has_work)
        pthread_cond_wait(&w->cv, &w->mu);
    enum kam_err rc = w->rc;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

void imp_write_start(struct imp *im)
{
    struct imp_writer *w = calloc(1, sizeof *w);
    if (!w)
        abort();
    w->ctx = *im->ctx;
    arena_init(&w->a);
    w->ctx.a = &w->a;
    w->ctx.err = &w->err;
    w->run_id = im->run_id;
    w->bulk = &im->bulk;
    w->ru = rollup_new();
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        /* no thread: the chunks are written in line, as for a small file */
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        rollup_free(w->ru);
        arena_release(&w->a);
        free(w);
        return;
    }
    im->writer = w;
}

void imp_write_finish(struct imp *im)
{
    struct imp_writer *w = im->writer;
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    while (w->has_work)
        pthread_cond_wait(&w->cv, &w->mu);
    w->quit = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    im->rep->rows_inserted += w->inserted;
    im->rep->rows_updated += w->updated;
    if (rollup_size(w->ru))
        rollup_merge(im->ru, w->ru);
    rollup_free(w->ru);
    if (w->rc) {
        *im->ctx->err = w->err;
        imp_fail_db(im, w->rc);
    }
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    arena_release(&w->a);
    free(w);
    im->writer = NULL;
}

void imp_flush_chunk(struct imp *im)
{
    if (im->nchunk && (im->writing || im->o->dry_run || im->price_refuse) && im->kind == K_ORDERS &&
        !im->stop && !im->o->no_price_check) {
        /* The price check reads the database: the writer is done with the other buffer first. */
        enum kam_err rc = im->writer ? writer_idle(im->writer) : KAM_OK;
        if (rc)
            imp_fail_db(im, rc);
        else
            imp_price_chunk(im);
    }
    if (!im->nchunk || !im->writing) {
        im->nchunk = 0;
        arena_release(im->ca);
        return;
    }
    sales_bulk_sort(im->chunk, im->nchunk);
    sales_bulk_count(im->ru, im->chunk, im->nchunk, +1);
    struct imp_writer *w = im->writer;
    if (!w) {
        enum kam_err rc = sales_bulk_lines(im->ctx, &im->bulk, im->chunk, im->nchunk, im->run_id,
                                           im->ru, &im->rep->rows_inserted, &im->rep->rows_updated);
        if (rc)
            imp_fail_db(im, rc);
        im->nchunk = 0;
        arena_release(im->ca);
        return;
    }
    /* The writer is done with the other buffer before it takes this one. */
    enum kam_err rc = writer_idle(w);
    if (rc) {
        /* its error is copied to the caller's at imp_write_finish */
        imp_fail_db(im, rc);
        im->nchunk = 0;
        arena_release(im->ca);
        return;
    }
    pthread_mutex_lock(&w->mu);
    w->rows = im->chunk;
    w->n = im->nchunk;
    w->has_work = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    im->chunks_sent++;
    im->cur ^= 1;
    im->chunk = im->chunks[im->cur];
    im->ca = &im->cas[im->cur];
    arena_release(im->ca); /* the strings of the chunk written before */
    im->nchunk = 0;
}
