/* cmd_forecast.c -- kam forecast: forecasts every series of a long-format CSV.
 *
 * Reads series_id,t,value (analytics/series_csv.c), forecasts each series with fc_forecast()
 * (ETS + Theta combination, analytics/forecast.c) and writes series_id,h,mean,lo80,hi80,lo95,
 * hi95 with a header row (values as %.17g: they read back exactly), series in order of first
 * appearance. A series that cannot be forecast is named on stderr with the reason and skipped,
 * and the count of skipped series is printed; outliers found in a series (fc_forecast_info)
 * are named on stderr by t. A gap in whole-number t is that series' error unless --zero-fill
 * (missing periods are 0: sales). Exit status: 0 when the input was read and at least one
 * series was forecast (an input without series, or whose series all failed, is 1), 1 when it
 * could not be read or the output could not be written, 2 on usage errors (an unknown
 * KAM_FORECAST_METHOD included).
 *
 * For benchmarks only, KAM_FORECAST_METHOD=auto|auto-full|theta|ets|ets-full|naive picks one method
 * of fc_forecast() instead of the default combination (bench/forecast_m3 measures each). */
#include <csv.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/forecast.h"
#include "cli.h"

#define MAX_INPUT (1024L * 1024 * 1024)

static int usage_error(const char *msg)
{
    if (msg)
        fprintf(stderr, "kam: %s\n", msg);
    const struct cmd *self = cli_find("forecast");
    if (self)
        cli_usage(stderr, self);
    return EXIT_USAGE;
}

/* A positive decimal integer no larger than max; -1 otherwise. */
static int parse_int(const char *s, int max)
{
    if (!s || !*s || strlen(s) > 9 || strspn(s, "0123456789") != strlen(s))
        return -1;
    long v = strtol(s, NULL, 10);
    return v >= 1 && v <= max ? (int)v : -1;
}

/* The whole file ("-": standard input) into a malloc'ed buffer; NULL with errno-ish message. */
static char *read_all(const char *path, size_t *len_out, const char **err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        *err = strerror(errno);
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len == cap) {
            if (cap >= (size_t)MAX_INPUT) {
                *err = "input larger than 1 GiB";
                free(buf);
                buf = NULL;
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                *err = strerror(errno);
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    if (!buf && !*err)
        *err = "out of memory";
    if (f != stdin)
        fclose(f);
    *len_out = len;
    return buf;
}

/* The id as a CSV field: quoted only when it must be. */
static void put_id(FILE *out, const char *id)
{
    if (strpbrk(id, ",\"\r\n") || id[0] == ' ' || (id[0] && id[strlen(id) - 1] == ' '))
        csv_fwrite(out, id, strlen(id));
    else
        fputs(id, out);
}

/* KAM_FORECAST_METHOD, see the top of the file: 0 with *use NULL (unset: the default) or
 * pointing at o; -1 for a name that is not one of them. */
static int method_opts(struct fc_opts *o, const struct fc_opts **use)
{
    const char *m = getenv("KAM_FORECAST_METHOD");
    static const struct {
        const char *name;
        struct fc_opts opts;
    } tab[] = {{"auto", {FC_AUTO, 0}}, {"auto-full", {FC_AUTO, 1}}, {"theta", {FC_THETA, 0}},
               {"ets", {FC_ETS, 0}},   {"ets-full", {FC_ETS, 1}},   {"naive", {FC_NAIVE, 0}}};
    *use = NULL;
    if (!m)
        return 0;
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (strcmp(m, tab[i].name) == 0) {
            *o = tab[i].opts;
            *use = o;
            return 0;
        }
    return -1;
}

/* "outliers at t = 5, 17" (or "at points 5, 17" when t are not periods) on stderr. */
static void report_outliers(const struct fc_series *s, const struct fc_info *info)
{
    if (!info->n_outliers)
        return;
    fprintf(stderr, "kam: forecast: series \"%s\": %d outlier%s at %s", s->id, info->n_outliers,
            info->n_outliers == 1 ? "" : "s", isnan(s->t0) ? "point" : "t =");
    int shown = info->n_outliers < FC_MAX_OUTLIERS ? info->n_outliers : FC_MAX_OUTLIERS;
    for (int k = 0; k < shown; k++) {
        if (isnan(s->t0))
            fprintf(stderr, "%s %d", k ? "," : "", info->outliers[k] + 1);
        else
            fprintf(stderr, "%s %.17g", k ? "," : "", s->t0 + info->outliers[k]);
    }
    fprintf(stderr, "%s (replaced before fitting)\n", shown < info->n_outliers ? ", ..." : "");
}

static int forecast_all(const struct fc_series_set *set, int horizon, int freq,
                        const struct fc_opts *opts, FILE *out, int *written)
{
    double *buf = malloc(sizeof(double) * 5 * (size_t)horizon);
    if (!buf) {
        fputs("kam: forecast: out of memory\n", stderr);
        return -1;
    }
    struct fc_result r = {
        buf, buf + horizon, buf + 2 * horizon, buf + 3 * horizon, buf + 4 * horizon, ""};
    fputs("series_id,h,mean,lo80,hi80,lo95,hi95\n", out);
    for (int i = 0; i < set->n; i++) {
        const struct fc_series *s = &set->s[i];
        char why[160];
        if (s->err[0]) {
            fprintf(stderr, "kam: forecast: series \"%s\": %s; skipped\n", s->id, s->err);
            continue;
        }
        struct fc_info info;
        int frc = fc_forecast_info(s->y, s->n, freq, horizon, opts, &r, &info, why, sizeof why);
        if (frc == FC_ENOMEM) {
            fputs("kam: forecast: out of memory\n", stderr);
            free(buf);
            return -1;
        }
        if (frc) {
            fprintf(stderr, "kam: forecast: series \"%s\": %s; skipped\n", s->id, why);
            continue;
        }
        report_outliers(s, &info);
        /* %.17g: every value reads back as the same double */
        for (int h = 0; h < horizon; h++) {
            put_id(out, s->id);
            fprintf(out, ",%d,%.17g,%.17g,%.17g,%.17g,%.17g\n", h + 1, r.mean[h], r.lo80[h],
                    r.hi80[h], r.lo95[h], r.hi95[h]);
        }
        (*written)++;
    }
    free(buf);
    return 0;
}

int cmd_forecast(int argc, char **argv)
{
    const char *input = NULL, *output = NULL, *h_arg = NULL, *m_arg = "1";
    int zero_fill = 0;
    static const struct option opts[] = {
        {"input", required_argument, 0, 'i'}, {"horizon", required_argument, 0, 'h'},
        {"freq", required_argument, 0, 'm'},  {"output", required_argument, 0, 'o'},
        {"zero-fill", no_argument, 0, 'z'},   {0, 0, 0, 0}};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'i')
            input = optarg;
        else if (o == 'h')
            h_arg = optarg;
        else if (o == 'm')
            m_arg = optarg;
        else if (o == 'o')
            output = optarg;
        else if (o == 'z')
            zero_fill = 1;
        else
            return usage_error(NULL);
    }
    if (optind < argc)
        return usage_error("unexpected argument");
    if (!input)
        return usage_error("--input is required");
    if (!h_arg)
        return usage_error("--horizon is required");
    int horizon = parse_int(h_arg, FC_MAX_HORIZON), freq = parse_int(m_arg, 1000);
    if (horizon < 0) {
        fprintf(stderr, "kam: --horizon must be a whole number from 1 to %d\n", FC_MAX_HORIZON);
        return EXIT_USAGE;
    }
    if (freq < 0) {
        fputs("kam: --freq must be a whole number from 1 to 1000\n", stderr);
        return EXIT_USAGE;
    }
    struct fc_opts ob;
    const struct fc_opts *fopts;
    if (method_opts(&ob, &fopts)) {
        fputs("kam: KAM_FORECAST_METHOD must be auto, auto-full, theta, ets, ets-full or naive\n",
              stderr);
        return EXIT_USAGE;
    }

    size_t len = 0;
    const char *err = NULL;
    char *data = read_all(input, &len, &err);
    if (!data) {
        fprintf(stderr, "kam: forecast: cannot read %s: %s\n", input, err);
        return EXIT_FAIL;
    }
    struct fc_series_set set;
    char why[200];
    int rc = fc_csv_parse_opts(data, len, zero_fill ? FC_CSV_FILL_ZERO : 0, &set, why, sizeof why);
    free(data);
    if (rc) {
        fprintf(stderr, "kam: forecast: %s: %s\n", input, why);
        fc_series_set_release(&set);
        return EXIT_FAIL;
    }
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) {
        fprintf(stderr, "kam: forecast: cannot write %s: %s\n", output, strerror(errno));
        fc_series_set_release(&set);
        return EXIT_FAIL;
    }
    int written = 0;
    rc = forecast_all(&set, horizon, freq, fopts, out, &written);
    if (fflush(out) != 0 || ferror(out))
        rc = -1, fprintf(stderr, "kam: forecast: cannot write the output\n");
    if (out != stdout && fclose(out) != 0)
        rc = -1, fprintf(stderr, "kam: forecast: cannot write %s\n", output);
    if (!rc && written < set.n)
        fprintf(stderr, "kam: forecast: %d of %d series forecast, %d skipped\n", written, set.n,
                set.n - written);
    if (!rc && !written) {
        fprintf(stderr, "kam: forecast: no series could be forecast\n");
        rc = -1;
    }
    fc_series_set_release(&set);
    return rc ? EXIT_FAIL : EXIT_OK;
}
