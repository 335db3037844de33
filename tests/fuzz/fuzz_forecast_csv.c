/* fuzz_forecast_csv.c -- libFuzzer target: the long-format CSV reader and the forecasting
 * engine behind `kam forecast`.
 *
 * Input: a CSV document (series_id,t,value). The first byte also picks the seasonal period
 * (1..13) and the horizon (1..24). Every series the reader accepts is forecast; checks besides
 * not crashing: a series is either usable (values, no error) or carries an error; a forecast
 * either fails with a reason or is finite with nested intervals (lo95 <= lo80 <= mean <= hi80
 * <= hi95); non-negative data get no negative forecast or bound; outlier positions are in
 * range and ascending; the series of a set are distinct. Reconciliation of the forecasts as
 * children of one root (both ways) keeps the root equal to the sum of its children. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/forecast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* UBSan findings are bugs too: stop at the first one (libFuzzer builds do not pass
 * -fno-sanitize-recover), so the fuzzer saves the input. Unused without UBSan. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

#define MAXH 24
#define MAXNODES 9

static void bug(const char *what, const char *id)
{
    fprintf(stderr, "fuzz_forecast_csv: %s (series \"%s\")\n", what, id ? id : "");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int period = size ? 1 + data[0] % 13 : 1, horizon = size ? 1 + (data[0] >> 3) % MAXH : 1;
    struct fc_series_set set;
    char why[200];
    /* bit 7 of the last byte: missing periods zero-filled (kam forecast --zero-fill) */
    int flags = size && (data[size - 1] & 0x80) ? FC_CSV_FILL_ZERO : 0;
    int rc = fc_csv_parse_opts((const char *)data, size, flags, &set, why, sizeof why);
    if (rc && !why[0])
        bug("error without a reason", NULL);
    static double buf[MAXNODES][5][MAXH];
    struct fc_result res[MAXNODES];
    int parent[MAXNODES], nodes = 1;
    memset(buf[0], 0, sizeof buf[0]);
    for (int i = 0; i < MAXNODES; i++)
        res[i] = (struct fc_result){buf[i][0], buf[i][1], buf[i][2], buf[i][3], buf[i][4], ""};
    for (int i = 0; !rc && i < set.n; i++) {
        const struct fc_series *s = &set.s[i];
        if (!s->id)
            bug("series without an id", NULL);
        for (int j = 0; j < i && j < 50; j++)
            if (strcmp(set.s[j].id, s->id) == 0)
                bug("the same id twice", s->id);
        if (s->err[0])
            continue;
        if (s->n && !s->y)
            bug("points without values", s->id);
        struct fc_result *r = nodes < MAXNODES ? &res[nodes] : &res[0];
        struct fc_info info;
        if (fc_forecast_info(s->y, s->n, period, horizon, NULL, r, &info, why, sizeof why)) {
            if (!why[0])
                bug("forecast error without a reason", s->id);
            continue;
        }
        int nonneg = 1;
        for (int k = 0; k < s->n; k++)
            nonneg &= s->y[k] >= 0;
        if (info.n_outliers < 0 || info.n_outliers > s->n / 10 + 1)
            bug("more outliers than the cap", s->id);
        for (int k = 0; k < info.n_outliers && k < FC_MAX_OUTLIERS; k++)
            if (info.outliers[k] < 0 || info.outliers[k] >= s->n ||
                (k && info.outliers[k] <= info.outliers[k - 1]))
                bug("outlier positions out of range or not ascending", s->id);
        for (int h = 0; h < horizon && nonneg; h++)
            if (r->lo95[h] < 0 || r->mean[h] < 0)
                bug("negative forecast or bound for non-negative data", s->id);
        for (int h = 0; h < horizon; h++) {
            if (!isfinite(r->mean[h]) || !isfinite(r->lo95[h]) || !isfinite(r->hi95[h]) ||
                !isfinite(r->lo80[h]) || !isfinite(r->hi80[h]))
                bug("non-finite forecast", s->id);
            if (!(r->lo95[h] <= r->lo80[h] && r->lo80[h] <= r->mean[h] &&
                  r->mean[h] <= r->hi80[h] && r->hi80[h] <= r->hi95[h]))
                bug("intervals not nested", s->id);
        }
        if (nodes < MAXNODES)
            nodes++;
    }
    if (nodes > 1) {
        parent[0] = -1;
        for (int i = 1; i < nodes; i++)
            parent[i] = 0;
        for (int how = 0; how < 2; how++) {
            if (fc_reconcile(parent, nodes, horizon, how ? FC_TOP_DOWN_FP : FC_BOTTOM_UP, res, why,
                             sizeof why))
                bug("reconcile refused a valid tree", NULL);
            for (int h = 0; h < horizon; h++) {
                double s = 0, mag = fabs(res[0].mean[h]);
                for (int i = 1; i < nodes; i++) {
                    s += res[i].mean[h];
                    mag += fabs(res[i].mean[h]);
                }
                if (isfinite(s) && isfinite(mag) && fabs(s - res[0].mean[h]) > 1e-9 * mag)
                    bug("reconciled root is not the sum of its children", NULL);
            }
        }
    }
    fc_series_set_release(&set);
    return 0;
}
