/* cmd_festivals.c -- kam festivals: the festivals KAM knows for a year, with their dates.
 *
 * Outside tools read this output, so its form is fixed: one festival per line as
 * "YYYY-MM-DD<TAB>key<TAB>name" (name in simplified Chinese) in date order, or with --json one
 * JSON array of {"date","key","name_zh","name_zh_tw","name_en"}. The dates come from
 * base/lunar.c; this file only parses arguments and prints. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/jw.h"
#include "base/lunar.h"
#include "cli.h"

static int usage_error(const char *msg)
{
    if (msg)
        fprintf(stderr, "kam: %s\n", msg);
    const struct cmd *self = cli_find("festivals");
    if (self)
        cli_usage(stderr, self);
    else
        fputs("usage: kam festivals --year YYYY [--json]\n", stderr);
    return EXIT_USAGE;
}

/* Parses a year: decimal digits only (no sign, no spaces), within the supported range. */
static int parse_year(const char *s, int *y)
{
    if (!s || !*s || strlen(s) > 4 || strspn(s, "0123456789") != strlen(s))
        return -1;
    long v = strtol(s, NULL, 10);
    if (v < LUNAR_FEST_MIN_YEAR || v > LUNAR_FEST_MAX_YEAR)
        return -1;
    *y = (int)v;
    return 0;
}

/* Prints the JSON array; -1 if it did not fit the buffer (it always does: < 10 KiB). */
static int print_json(const struct festival *f, int n)
{
    struct buf b;
    buf_init(&b, 1 << 16);
    struct jw w;
    jw_init(&w, &b);
    jw_arr_begin(&w);
    for (int i = 0; i < n; i++) {
        char date[16];
        snprintf(date, sizeof date, "%04d-%02d-%02d", f[i].y, f[i].m, f[i].d);
        jw_obj_begin(&w);
        jw_kstr(&w, "date", date);
        jw_kstr(&w, "key", f[i].key);
        jw_kstr(&w, "name_zh", f[i].name_zh);
        jw_kstr(&w, "name_zh_tw", f[i].name_zh_tw);
        jw_kstr(&w, "name_en", f[i].name_en);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    int ok = buf_ok(&b);
    if (ok)
        printf("%s\n", b.data);
    buf_release(&b);
    return ok ? 0 : -1;
}

int cmd_festivals(int argc, char **argv)
{
    const char *year_arg = NULL;
    int json = 0;
    static const struct option opts[] = {
        {"year", required_argument, 0, 'y'}, {"json", no_argument, 0, 'j'}, {0, 0, 0, 0}};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'y')
            year_arg = optarg;
        else if (o == 'j')
            json = 1;
        else
            return usage_error(NULL);
    }
    if (optind < argc)
        return usage_error("unexpected argument");
    if (!year_arg)
        return usage_error("--year is required");
    int year;
    if (parse_year(year_arg, &year)) {
        fprintf(stderr, "kam: --year must be a year from %d to %d\n", LUNAR_FEST_MIN_YEAR,
                LUNAR_FEST_MAX_YEAR);
        return EXIT_USAGE;
    }
    struct festival f[LUNAR_FESTIVALS_MAX];
    int n = lunar_festivals(year, f, LUNAR_FESTIVALS_MAX);
    if (n < 0 || n > LUNAR_FESTIVALS_MAX) {
        fputs("kam: festivals: internal error\n", stderr);
        return EXIT_FAIL;
    }
    if (json) {
        if (print_json(f, n)) {
            fputs("kam: festivals: output too large\n", stderr);
            return EXIT_FAIL;
        }
    } else {
        for (int i = 0; i < n; i++)
            printf("%04d-%02d-%02d\t%s\t%s\n", f[i].y, f[i].m, f[i].d, f[i].key, f[i].name_zh);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("kam: festivals: cannot write the output\n", stderr);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}
