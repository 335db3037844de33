/* cmd_import.c -- kam import orders|products|accounts|invoices|payments FILE[.csv|.tsv|.txt|.xlsx]
 * [--sheet NAME]
 * [--encoding ENC]: the loader's command line (how files are read: svc/volume/import_read.h).
 *
 * The work is svc/volume/import.c's; this file reads the file, draws a progress bar on a terminal
 * and prints the report (stderr, or --report FILE). Exit 0 only when the file was loaded (or, with
 * --dry-run, would load); 1 when it was rejected or could not be read; 2 on usage errors. */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/timeutil.h"
#include "cli.h"
#include "svc/volume/import.h"

static int usage(const char *msg)
{
    if (msg)
        fprintf(stderr, "kam: %s\n", msg);
    cli_usage(stderr, cli_find("import"));
    return EXIT_USAGE;
}

/* The whole file (or standard input for "-") in a malloc'd buffer. */
static char *read_all(const char *path, size_t *len_out)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    /* a file: its size (+1, to see the end in one read); a pipe grows the buffer */
    struct stat sb;
    size_t cap = 1 << 20, len = 0;
    if (f != stdin && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
        (uint64_t)sb.st_size < SIZE_MAX / 2)
        cap = (size_t)sb.st_size + 1;
    char *data = malloc(cap);
    mem_hint_huge(data, cap);
    while (data) {
        if (len == cap) {
            char *p = realloc(data, cap *= 2);
            if (!p) {
                free(data);
                data = NULL;
                break;
            }
            data = p;
        }
        size_t n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (data && ferror(f)) {
        free(data);
        data = NULL;
    }
    if (f != stdin)
        fclose(f);
    *len_out = len;
    return data;
}

struct bar {
    int64_t t0;
    int shown;
};

static void progress(void *arg, size_t done, size_t total, int64_t rows)
{
    struct bar *b = arg;
    int pct = total ? (int)(done * 100 / total) : 100;
    double s = (double)(time_mono_us() - b->t0) / 1e6;
    char bar[31];
    int fill = pct * 30 / 100;
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = 0;
    fprintf(stderr, "\r[%s] %3d%%  %lld rows  %.1f s", bar, pct, (long long)rows, s);
    b->shown = 1;
}

static void print_report(FILE *f, const char *path, const struct import_report *r, double secs)
{
    fprintf(f, "kam import %s %s: %s; %lld rows read, %lld inserted, %lld updated, %lld rejected",
            r->kind, path, r->status, (long long)r->rows_total, (long long)r->rows_inserted,
            (long long)r->rows_updated, (long long)r->rows_rejected);
    if (r->id)
        fprintf(f, " (import %lld)", (long long)r->id);
    fprintf(f, " in %.2f s\n", secs);
    if (r->format && !strcmp(r->format, "xlsx"))
        fprintf(f, "read as .xlsx, sheet \"%s\"\n", r->sheet ? r->sheet : "");
    else if (r->format)
        fprintf(f, "read as %s text in %s%s%s\n", r->format, r->encoding,
                r->detected && *r->detected && strcmp(r->detected, r->encoding) ? ", detected "
                                                                                : "",
                r->detected && *r->detected && strcmp(r->detected, r->encoding) ? r->detected : "");
    if (r->us_load)
        fprintf(f,
                "time: reading %.2f s, checking and writing %.2f s (of which prices %.2f s), "
                "indexes %.2f s, rollups %.2f s, commit %.2f s\n",
                r->us_read / 1e6, r->us_load / 1e6, r->us_price / 1e6, r->us_indexes / 1e6,
                r->us_rollups / 1e6, r->us_commit / 1e6);
    if (r->has_prices) {
        fprintf(f, "prices: %lld rows below the price, %lld without a price\n",
                (long long)r->price_below, (long long)r->price_unpriced);
        for (size_t i = 0; i < r->nprices && i < 20; i++) {
            const struct import_price_row *p = &r->prices[i];
            fprintf(f, "row %lld (%s): %s", (long long)p->row, p->external_id,
                    !strcmp(p->check, "below") ? "below the price" : "no price");
            if (p->has_engine)
                fprintf(f, ", price %lld.%02lld, paid %lld.%02lld %s",
                        (long long)(p->engine_amount / 100), (long long)(p->engine_amount % 100),
                        (long long)(p->amount / 100), (long long)(p->amount % 100), p->currency);
            fputc('\n', f);
        }
        if (r->price_below + r->price_unpriced > 20)
            fprintf(f, "... (GET /api/v1/orders?price_check=below lists them)\n");
    }
    for (size_t i = 0; i < r->nproblems; i++) {
        const struct import_problem *p = &r->problems[i];
        fprintf(f, "row %lld", (long long)p->row);
        if (*p->column)
            fprintf(f, ", column %s", p->column);
        fprintf(f, ": %s\n", p->reason);
    }
    if (r->problems_total > (int64_t)r->nproblems)
        fprintf(f, "... and %lld more problems\n",
                (long long)(r->problems_total - (int64_t)r->nproblems));
}

int cmd_import(int argc, char **argv)
{
    const char *dsn = NULL, *report = NULL, *reject = NULL;
    struct import_opts o = {0};
    int quiet = 0;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"map", required_argument, 0, 'm'},
                                         {"dry-run", no_argument, 0, 'n'},
                                         {"skip-bad-rows", no_argument, 0, 's'},
                                         {"reject", required_argument, 0, 'r'},
                                         {"report", required_argument, 0, 'R'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"sheet", required_argument, 0, 'S'},
                                         {"encoding", required_argument, 0, 'E'},
                                         {"no-price-check", no_argument, 0, 'P'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dsn = optarg;
            break;
        case 'm':
            o.mapping = optarg;
            break;
        case 'n':
            o.dry_run = 1;
            break;
        case 's':
            o.skip_bad_rows = 1;
            break;
        case 'r':
            reject = optarg;
            break;
        case 'R':
            report = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'S':
            o.sheet = optarg;
            break;
        case 'E':
            o.encoding = optarg;
            break;
        case 'P':
            o.no_price_check = 1;
            break;
        default:
            return usage(NULL);
        }
    }
    if (argc - optind != 2)
        return usage("name the kind (orders, products, accounts, invoices, payments) and the file");
    o.kind = argv[optind];
    const char *path = argv[optind + 1];
    if (!import_header(o.kind))
        return usage("the kind must be orders, products, accounts, invoices or payments");
    const char *slash = strrchr(path, '/');
    o.filename = slash ? slash + 1 : path;
    /* The database first: a missing one leaves no reject file behind. */
    struct cli_ctx cc;
    if (cli_ctx_open(&cc, cli_dsn(dsn), CONN_EXISTING))
        return EXIT_FAIL;
    size_t len;
    char *data = read_all(path, &len);
    if (!data) {
        fprintf(stderr, "kam: cannot read %s\n", path);
        cli_ctx_release(&cc);
        return EXIT_FAIL;
    }
    FILE *rej = NULL;
    char *reject_path = NULL;
    if (o.skip_bad_rows && !o.dry_run) {
        if (!reject) {
            size_t n = strlen(path) + 16;
            reject_path = malloc(n);
            if (reject_path)
                snprintf(reject_path, n, "%s.rejects.csv", strcmp(path, "-") ? path : "stdin");
            reject = reject_path;
        }
        if (!reject || !(rej = fopen(reject, "w"))) {
            fprintf(stderr, "kam: cannot write %s\n", reject ? reject : "the reject file");
            free(data);
            free(reject_path);
            cli_ctx_release(&cc);
            return EXIT_FAIL;
        }
    }
    o.reject = rej;
    struct bar bar = {time_mono_us(), 0};
    if (!quiet && isatty(2)) {
        o.progress = progress;
        o.progress_arg = &bar;
    }
    struct import_report r = {0};
    enum kam_err rc = conn_bulk_mode(cc.ctx.db, &cc.err);
    if (!rc)
        rc = import_run(&cc.ctx, &o, data, len, &r);
    double secs = (double)(time_mono_us() - bar.t0) / 1e6;
    if (bar.shown)
        fputc('\n', stderr);
    free(data);
    int ok = rc == KAM_OK;
    int reported = !rc || (r.status && rc == KAM_EINVAL && !strcmp(cc.err.field, "file"));
    if (reported) {
        FILE *f = report ? fopen(report, "w") : stderr;
        if (!f) {
            fprintf(stderr, "kam: cannot write %s\n", report);
            f = stderr;
        }
        print_report(f, path, &r, secs);
        if (f != stderr)
            fclose(f);
        if (rej && r.rows_rejected && !quiet)
            fprintf(stderr, "kam: the rejected rows are in %s\n", reject);
    } else {
        fprintf(stderr, "kam: %s%s%s%s\n", cc.err.msg, *cc.err.field ? " (" : "", cc.err.field,
                *cc.err.field ? ")" : "");
    }
    if (rej)
        fclose(rej);
    free(reject_path);
    cli_ctx_release(&cc);
    return ok ? EXIT_OK : EXIT_FAIL;
}
