/* series_csv.c -- reads the long-format CSV of `kam forecast`: series_id,t,value.
 *
 * RFC 4180 through libcsv in strict mode (quotes, doubled quotes, CRLF or LF, a UTF-8 BOM
 * before the header). The header names the columns, in any order, extra columns ignored.
 * Rows are grouped by series_id in order of first appearance and ordered by t (a number) within
 * a series, so neither the series nor their points need to be contiguous or sorted. What is
 * wrong with one series (a t or value that is not a number, a value that is not finite, a
 * duplicated t, a row too short to have the value, too many points) is recorded in that
 * series' err and does not stop the others; a document-level problem (no header, a missing
 * column, broken quoting, too many series) returns -1. A gap in whole-number t (1..10, 14..39)
 * is refused per series, or filled with zeros under FC_CSV_FILL_ZERO (forecast.h): never closed
 * silently, which would shift the seasonal phase. */
#include <csv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/fault.h"
#include "forecast.h"

#define MAX_ID 256

struct point {
    double t, v;
};

struct pts {
    struct point *p;
    int n, cap;
};

struct reader {
    struct fc_series_set *set;
    struct pts *pts; /* parallel to set->s */
    uint32_t *hash;  /* open addressing: series index + 1, 0 = empty */
    size_t hcap;
    int col_id, col_t, col_v, ncols; /* header positions */
    long row;                        /* 1 = header */
    int field;                       /* field index within the row */
    char id[MAX_ID + 1], t[64], v[64];
    int have_id, have_t, have_v, id_long, t_long, v_long;
    int fatal, flags;
    char *why;
    size_t whylen;
};

static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int fail(struct reader *r, const char *msg)
{
    if (!r->fatal)
        snprintf(r->why, r->whylen, "%s", msg);
    r->fatal = 1;
    return -1;
}

/* The index of series id, created when new; -1 on a fatal error. */
static int series_of(struct reader *r, const char *id)
{
    struct fc_series_set *set = r->set;
    if ((size_t)set->n * 2 >= r->hcap) {
        size_t ncap = r->hcap ? r->hcap * 2 : 64;
        uint32_t *nh = FAULT_CALLOC(ncap, sizeof *nh);
        if (!nh)
            return fail(r, "out of memory");
        for (int i = 0; i < set->n; i++) {
            size_t j = fnv(set->s[i].id) & (ncap - 1);
            while (nh[j])
                j = (j + 1) & (ncap - 1);
            nh[j] = (uint32_t)i + 1;
        }
        free(r->hash);
        r->hash = nh;
        r->hcap = ncap;
    }
    size_t j = fnv(id) & (r->hcap - 1);
    while (r->hash[j]) {
        int i = (int)r->hash[j] - 1;
        if (strcmp(set->s[i].id, id) == 0)
            return i;
        j = (j + 1) & (r->hcap - 1);
    }
    if (set->n >= FC_CSV_MAX_SERIES)
        return fail(r, "too many series");
    if (set->n == set->cap) {
        int ncap = set->cap ? set->cap * 2 : 16;
        struct fc_series *ns = FAULT_REALLOC(set->s, sizeof *ns * (size_t)ncap);
        if (ns)
            set->s = ns;
        struct pts *np = FAULT_REALLOC(r->pts, sizeof *np * (size_t)ncap);
        if (np)
            r->pts = np;
        if (!ns || !np)
            return fail(r, "out of memory");
        set->cap = ncap;
    }
    struct fc_series *s = &set->s[set->n];
    memset(s, 0, sizeof *s);
    memset(&r->pts[set->n], 0, sizeof r->pts[0]);
    s->id = strdup(id);
    if (!s->id)
        return fail(r, "out of memory");
    r->hash[j] = (uint32_t)set->n + 1;
    return set->n++;
}

static void copy_field(char *dst, size_t cap, const char *src, size_t len, int *have, int *lng)
{
    *have = 1;
    *lng = len >= cap;
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, src, len);
    dst[len] = 0;
}

static void on_field(void *data, size_t len, void *ctx)
{
    struct reader *r = ctx;
    const char *s = data ? data : "";
    if (r->fatal)
        return;
    if (r->row == 1) {
        if (r->field == 0 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            len -= 3;
        }
        while (len && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len == 9 && strncasecmp(s, "series_id", 9) == 0 && r->col_id < 0)
            r->col_id = r->field;
        else if (len == 1 && (*s == 't' || *s == 'T') && r->col_t < 0)
            r->col_t = r->field;
        else if (len == 5 && strncasecmp(s, "value", 5) == 0 && r->col_v < 0)
            r->col_v = r->field;
    } else if (r->field == r->col_id) {
        copy_field(r->id, sizeof r->id, s, len, &r->have_id, &r->id_long);
    } else if (r->field == r->col_t) {
        copy_field(r->t, sizeof r->t, s, len, &r->have_t, &r->t_long);
    } else if (r->field == r->col_v) {
        copy_field(r->v, sizeof r->v, s, len, &r->have_v, &r->v_long);
    }
    r->field++;
}

/* A number, surrounding blanks allowed; 0 ok, -1 not a number, -2 not finite. */
static int parse_num(const char *s, int too_long, double *out)
{
    if (too_long)
        return -1;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return -1;
    char *end;
    double v = strtod(s, &end);
    if (end == s)
        return -1;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end)
        return -1;
    if (!isfinite(v))
        return -2;
    *out = v;
    return 0;
}

static void series_error(struct fc_series *s, long row, const char *fmt, const char *what)
{
    if (s->err[0])
        return;
    char msg[80];
    snprintf(msg, sizeof msg, fmt, what);
    snprintf(s->err, sizeof s->err, "row %ld: %s", row, msg);
}

static void on_row(int c, void *ctx)
{
    struct reader *r = ctx;
    (void)c;
    if (r->fatal)
        return;
    if (r->row == 1) {
        if (r->col_id < 0 || r->col_t < 0 || r->col_v < 0) {
            fail(r, "the header must name the columns series_id, t and value");
            return;
        }
    } else {
        int i = series_of(r, r->have_id ? r->id : "");
        if (i < 0)
            return;
        struct fc_series *s = &r->set->s[i];
        struct pts *p = &r->pts[i];
        double t = 0, v = 0;
        int rc;
        if (!r->have_id || !r->id[0])
            series_error(s, r->row, "%sempty series_id", "");
        else if (r->id_long)
            series_error(s, r->row, "%sseries_id longer than 256 bytes", "");
        else if (!r->have_t || !r->have_v)
            series_error(s, r->row, "%smissing column", "");
        else if (parse_num(r->t, r->t_long, &t))
            series_error(s, r->row, "t \"%.40s\" is not a number", r->t);
        else if ((rc = parse_num(r->v, r->v_long, &v)) == -1)
            series_error(s, r->row, "value \"%.40s\" is not a number", r->v);
        else if (rc == -2)
            series_error(s, r->row, "value \"%.40s\" is not finite", r->v);
        else if (p->n >= FC_CSV_MAX_POINTS)
            series_error(s, r->row, "%smore than 100000 points", "");
        if (!s->err[0]) {
            if (p->n == p->cap) {
                int ncap = p->cap ? p->cap * 2 : 32;
                struct point *np = FAULT_REALLOC(p->p, sizeof *np * (size_t)ncap);
                if (!np) {
                    fail(r, "out of memory");
                    return;
                }
                p->p = np;
                p->cap = ncap;
            }
            p->p[p->n++] = (struct point){t, v};
        }
    }
    r->row++;
    r->field = 0;
    r->have_id = r->have_t = r->have_v = 0;
}

static int by_t(const void *a, const void *b)
{
    const struct point *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* Sorts each good series by t and moves its values into s->y. */
static int finish(struct reader *r)
{
    for (int i = 0; i < r->set->n; i++) {
        struct fc_series *s = &r->set->s[i];
        struct pts *p = &r->pts[i];
        if (s->err[0])
            continue;
        qsort(p->p, (size_t)p->n, sizeof *p->p, by_t);
        for (int k = 1; k < p->n && !s->err[0]; k++)
            if (p->p[k].t == p->p[k - 1].t)
                snprintf(s->err, sizeof s->err, "duplicated t = %.17g", p->p[k].t);
        if (s->err[0])
            continue;
        /* Periods: whole-number t only (see forecast.h). */
        int whole = p->n > 0;
        for (int k = 0; k < p->n && whole; k++)
            whole = p->p[k].t == floor(p->p[k].t) && fabs(p->p[k].t) < 9007199254740992.0;
        int len = p->n;
        if (whole && p->n > 1) {
            double span = p->p[p->n - 1].t - p->p[0].t + 1;
            if (span > p->n) {
                double miss = p->p[0].t;
                for (int k = 1; k < p->n && miss == p->p[0].t; k++)
                    if (p->p[k].t != p->p[k - 1].t + 1)
                        miss = p->p[k - 1].t + 1;
                if (!(r->flags & FC_CSV_FILL_ZERO)) {
                    snprintf(s->err, sizeof s->err,
                             "t %lld is missing (%lld of %lld periods); no gaps allowed",
                             (long long)miss, (long long)span - p->n, (long long)span);
                    continue;
                }
                if (span > FC_CSV_MAX_FILL) {
                    snprintf(s->err, sizeof s->err, "t runs over %lld periods: more than %d",
                             (long long)span, FC_CSV_MAX_FILL);
                    continue;
                }
                len = (int)span;
            }
        }
        s->y = FAULT_MALLOC(sizeof(double) * (size_t)(len ? len : 1));
        if (!s->y)
            return fail(r, "out of memory");
        if (len == p->n) {
            for (int k = 0; k < p->n; k++)
                s->y[k] = p->p[k].v;
        } else { /* missing periods are zero */
            for (int k = 0; k < len; k++)
                s->y[k] = 0;
            for (int k = 0; k < p->n; k++)
                s->y[(int)(p->p[k].t - p->p[0].t)] = p->p[k].v;
        }
        s->n = len;
        s->t0 = whole ? p->p[0].t : NAN;
    }
    return 0;
}

int fc_csv_parse(const char *data, size_t len, struct fc_series_set *out, char *why, size_t whylen)
{
    return fc_csv_parse_opts(data, len, 0, out, why, whylen);
}

int fc_csv_parse_opts(const char *data, size_t len, int flags, struct fc_series_set *out, char *why,
                      size_t whylen)
{
    memset(out, 0, sizeof *out);
    struct reader r = {.set = out, .col_id = -1, .col_t = -1, .col_v = -1, .row = 1};
    r.flags = flags;
    r.why = why;
    r.whylen = whylen;
    if (whylen)
        why[0] = 0;
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    if (csv_parse(&p, data, len, on_field, on_row, &r) != len && !r.fatal) {
        snprintf(why, whylen, "malformed CSV near row %ld: %s", r.row, csv_strerror(csv_error(&p)));
        r.fatal = 1;
    }
    if (!r.fatal && csv_fini(&p, on_field, on_row, &r) != 0 && !r.fatal) {
        snprintf(why, whylen, "malformed CSV at the end: %s", csv_strerror(csv_error(&p)));
        r.fatal = 1;
    }
    csv_free(&p);
    if (!r.fatal && r.row == 1)
        fail(&r, "empty input: no header row");
    if (!r.fatal)
        finish(&r);
    for (int i = 0; i < out->n; i++)
        free(r.pts[i].p);
    free(r.pts);
    free(r.hash);
    return r.fatal ? -1 : 0;
}

void fc_series_set_release(struct fc_series_set *set)
{
    for (int i = 0; i < set->n; i++) {
        free(set->s[i].id);
        free(set->s[i].y);
    }
    free(set->s);
    memset(set, 0, sizeof *set);
}
