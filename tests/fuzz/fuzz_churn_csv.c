/* fuzz_churn_csv.c -- libFuzzer target: the churn learner's CSV reader and model file reader
 * (analytics/churn.h).
 *
 * The first byte picks the mode. Even: the rest is a CSV document; a refusal needs a reason;
 * a table has consistent cells; small tables (<= 300 rows) are trained on (the last column as
 * the target, trees when bit 1 is set), and the model must then save, load and save again to
 * the same bytes, score every row to a probability in 0..1 and explain it exactly (intercept +
 * contributions = logit). Odd: the rest is a model file; a refusal needs a reason and leaves
 * no model; an accepted model saves to text that loads back to the same text, and scores a
 * row of odd values (blank, text, huge) to a probability in 0..1. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/churn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

static void bug(const char *what)
{
    fprintf(stderr, "fuzz_churn_csv: %s\n", what);
    abort();
}

/* save -> load -> save gives the same text; returns the reloaded model. */
static struct churn_model *roundtrip(const struct churn_model *m)
{
    size_t l1, l2;
    char why[300], *t1 = churn_model_save(m, &l1);
    if (!t1)
        return NULL;
    struct churn_model *m2 = NULL;
    if (churn_model_load(t1, l1, &m2, why, sizeof why))
        bug("a saved model does not load");
    char *t2 = churn_model_save(m2, &l2);
    if (t2 && (l1 != l2 || memcmp(t1, t2, l1) != 0))
        bug("save -> load -> save changed the text");
    free(t1);
    free(t2);
    return m2;
}

static void check_rows(const struct churn_model *m, const struct churn_table *t)
{
    int nc = churn_model_ncols(m), *map = malloc(sizeof *map * (size_t)nc);
    struct churn_contrib *ct = malloc(sizeof *ct * (size_t)nc);
    char why[300];
    if (map && ct && churn_model_bind(m, t, map, why, sizeof why) == 0)
        for (int r = 0; r < t->nrows; r++) {
            double p = churn_predict(m, t, map, r), icpt;
            if (!(p >= 0 && p <= 1))
                bug("a probability outside 0..1");
            double logit = churn_explain(m, t, map, r, ct, &icpt), sum = icpt;
            for (int c = 0; c < nc; c++)
                sum += ct[c].contrib;
            if (isfinite(logit) && fabs(sum - logit) > 1e-6 * (1 + fabs(logit)))
                bug("contributions do not sum to the logit");
        }
    free(map);
    free(ct);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *rest = (const char *)data + 1;
    size_t n = size - 1;
    char why[300];
    if (data[0] & 1) {
        struct churn_model *m = NULL;
        if (churn_model_load(rest, n, &m, why, sizeof why)) {
            if (m || !why[0])
                bug("refusal without a reason, or with a model");
            return 0;
        }
        struct churn_model *m2 = roundtrip(m);
        /* one row of odd values under the model's column names */
        int nc = churn_model_ncols(m);
        const char **names = malloc(sizeof *names * (size_t)nc);
        const char **cells = malloc(sizeof *cells * (size_t)nc);
        static const char *const odd[] = {"", "x", "1e300", "-5", "0", " 3 "};
        struct churn_table t;
        if (names && cells) {
            for (int c = 0; c < nc; c++)
                names[c] = churn_model_col_name(m, c), cells[c] = odd[c % 6];
            if (churn_table_new(&t, nc, names) == 0) {
                if (churn_table_add(&t, cells, 2) == 0)
                    check_rows(m, &t);
                churn_table_free(&t);
            }
        }
        free(names);
        free(cells);
        churn_model_free(m2);
        churn_model_free(m);
        return 0;
    }
    struct churn_table t;
    if (churn_csv_parse(rest, n, &t, why, sizeof why)) {
        if (!why[0])
            bug("a refusal without a reason");
        return 0;
    }
    if (t.ncols < 1)
        bug("a table without columns");
    for (int r = 0; r < t.nrows; r++)
        for (int c = 0; c < t.ncols; c++)
            if (strlen(churn_cell(&t, r, c)) > CHURN_MAX_CELL)
                bug("a cell over the limit");
    if (t.ncols >= 2 && t.nrows <= 300) {
        struct churn_opts o;
        churn_opts_default(&o);
        o.gbm = (data[0] >> 1) & 1;
        o.folds = 2;
        struct churn_model *m = NULL;
        if (churn_train(&t, churn_name(&t, t.ncols - 1), NULL, 0, &o, &m, NULL, why, sizeof why) ==
            0) {
            struct churn_model *m2 = roundtrip(m);
            check_rows(m, &t);
            churn_model_free(m2);
            churn_model_free(m);
        } else if (m || !why[0])
            bug("training refused without a reason, or with a model");
    }
    churn_table_free(&t);
    return 0;
}
