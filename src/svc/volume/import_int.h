/* import_int.h -- what import.c (the run: parsing, header, lookups, records) and
 * import_rows.c (checking and writing the rows of each kind) share; not for other files. */
#ifndef KAM_IMPORT_INT_H
#define KAM_IMPORT_INT_H

#include "base/buf.h"
#include "base/jw.h"
#include "base/strmap.h"
#include "import.h"
#include "rollup.h"
#include "sales.h"
#include "sales_bulk.h"

#define MAX_COLS 64
#define MAX_FIELD 4096
/* Order rows written (sorted) at a time: big enough that a load of a million rows fills each index
 * in a few ordered sweeps, small enough to keep two buffers of them (~25 MB each). */
#define CHUNK 262144
#define NFIELDS 9

enum kind { K_ORDERS, K_PRODUCTS, K_ACCOUNTS, K_INVOICES, K_PAYMENTS };

/* Field indexes per kind. */
enum { O_EXT, O_DATE, O_ACCOUNT, O_SKU, O_REGION, O_CHANNEL, O_QTY, O_AMOUNT, O_CURRENCY };
enum { P_SKU, P_NAME, P_FAMILY, P_UNIT, P_PRICE, P_CURRENCY };
enum { A_CODE, A_NAME, A_INDUSTRY, A_REGION, A_CHANNEL, A_TIER, A_OWNER };
/* invoices and payments (issue 16) */
enum { I_NO, I_ACCOUNT, I_DATE, I_DUE, I_AMOUNT, I_CURRENCY };
enum { Y_NO, Y_ACCOUNT, Y_DATE, Y_AMOUNT, Y_CURRENCY, Y_INVOICE };

struct acct_info {
    int64_t id;
    const char *region, *channel;
};
struct prod_info {
    int64_t id;
    const char *family;
};

struct imp {
    struct kam_ctx *ctx;
    const struct import_opts *o;
    enum kind kind;
    struct import_report *rep;
    struct buf problems; /* JSON array for import_runs.report */
    struct jw pw;
    /* the record being read */
    struct buf fbuf;
    size_t foff[MAX_COLS + 1], flen[MAX_COLS];
    int nf, overflow, too_long;
    int64_t row;
    int64_t row_base; /* sheet rows before the header (.xlsx): added to reported rows */
    /* the header */
    int col[NFIELDS];
    const char *header[MAX_COLS];
    int ncols;
    int have_header; /* the header has been read (title rows above it skipped) */
    int row_bad;
    struct buf row_err;
    /* state */
    int64_t max_rows; /* data rows the caller may import; 0: no limit */
    int writing;      /* rows are being written */
    int stop;         /* the file cannot be read on (missing columns, fatal error) */
    enum kam_err rc;  /* first database / internal error */
    int64_t run_id;
    /* lookups */
    struct arena la;
    struct strmap accounts, products, seen, users, fx;
    const char *base_currency;
    /* orders waiting to be written: chunk (its strings in *ca) is one of two buffers, the other
     * one being written by the writer thread, if any (import_write.c) */
    struct order_row *chunk, *chunks[2];
    size_t nchunk, chunk_cap, chunks_sent;
    struct arena *ca, cas[2];
    int cur;
    struct imp_writer *writer;
    struct rollup *ru;
    struct sales_bulk bulk; /* sales_bulk.h: indexes dropped for a big load */
    /* the price check of order rows (import_price.c): refuse = prices.below_price refuse
     * (price_rule: 1 once read) */
    int price_refuse, price_rule;
    int reject_header;           /* the reject file's header is written */
    struct imp_pricing *pricing; /* the price check's state across chunks (import_price.c) */
};

/* The reject file's header (once; import.c). */
void imp_reject_header(struct imp *im);
/* The current record as the reject file writes it (each field quoted, then a comma), in the
 * chunk's arena: kept with an order row that the price check may refuse (import_price.c). */
const char *imp_raw_record(struct imp *im);

/* Records a problem of the current row (column "" = the row or the file). */
void imp_problem(struct imp *im, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* imp_problem with a message key (svc/core/msg.c "import.*") and its parameters: value (the
 * cell quoted, NULL: none), n and max (< 0: none); the UI words the problem from them. */
void imp_problem_key(struct imp *im, const char *column, const char *key, const char *value,
                     int64_t n, int64_t max, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* A service's refusal of the row (its key and params kept). */
void imp_problem_err(struct imp *im, const struct kam_error *e);
/* s[0..n) clipped as imp_clip does, NUL-terminated in the request's arena. */
const char *imp_quote(struct imp *im, const char *s, size_t n, size_t max);
/* A database or internal error: stops reading and writing; import_run returns it. */
void imp_fail_db(struct imp *im, enum kam_err rc);
/* How many bytes of s[0..n) to quote in a message: at most max, never splitting a character. */
int imp_clip(const char *s, size_t n, size_t max);
/* The value of field f in the current record ("" when absent), length in *n. */
const char *imp_get(struct imp *im, int f, size_t *n);

/* import_rows.c: check one record of each kind and write it (orders in chunks). */
void imp_order_row(struct imp *im);
void imp_product_row(struct imp *im);
void imp_account_row(struct imp *im);
/* invoices and payments through svc/risk/receivable.h (issue 16) */
void imp_invoice_row(struct imp *im);
void imp_payment_row(struct imp *im);
/* import_price.c: prices the order rows waiting in the chunk (the connection must be the
 * reader's: no writer at work), records the rows below the price or without one in the report
 * and, with prices.below_price refuse, refuses the rows below it as row problems. */
void imp_price_chunk(struct imp *im);
/* Frees the price check's state (at the end of the import). */
void imp_price_end(struct imp *im);
/* import_write.c: writes the orders waiting in the chunk (sorted), or hands them to the writer
 * thread and goes on with the other buffer. */
void imp_flush_chunk(struct imp *im);
/* Starts the writer thread for a file of more than one chunk (without a thread, imp_flush_chunk
 * writes in line); imp_write_finish waits for its last chunk and ends it, handing back its
 * counts and its error (ctx->err, im->rc). */
void imp_write_start(struct imp *im);
void imp_write_finish(struct imp *im);

#endif
