/* test_churn.c -- the churn learner (analytics/churn.h): AUC by hand (ties), CSV reading and
 * typing, column roles, one-hot and unseen categories, contributions summing to the logit,
 * the model file's exact round trip and its refusals, determinism. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/churn.h"
#include "test.h"

TEST(churn_auc_by_hand)
{
    double s1[] = {0.1, 0.4, 0.35, 0.8};
    int y1[] = {0, 0, 1, 1};
    /* pairs (pos, neg): (0.35,0.1) win, (0.35,0.4) loss, (0.8,*) 2 wins: 3 of 4 */
    CHECK(fabs(churn_auc(s1, y1, 4) - 0.75) < 1e-12);
    double s2[] = {1, 1, 1, 1};
    int y2[] = {0, 1, 0, 1};
    CHECK(fabs(churn_auc(s2, y2, 4) - 0.5) < 1e-12); /* all ties: half each */
    double s3[] = {0.5, 0.5, 0.9};
    int y3[] = {0, 1, 1};
    CHECK(fabs(churn_auc(s3, y3, 3) - 0.75) < 1e-12); /* one tie (1/2) and one win */
    double s4[] = {0.2, 0.3, 0.3, 0.3, 0.9};
    int y4[] = {1, 0, 1, 0, 0};
    /* pos 0.2: 0 wins of 3; pos 0.3: tie, tie, loss vs 0.9 = 1; total 1 of 6 */
    CHECK(fabs(churn_auc(s4, y4, 5) - 1.0 / 6) < 1e-12);
    int y5[] = {1, 1, 1};
    CHECK(churn_auc(s3, y5, 3) == -1);
}

TEST(churn_folds_stratified)
{
    int y[103], fold[103], cnt[5][2] = {{0}};
    for (int i = 0; i < 103; i++)
        y[i] = i % 4 == 0;
    churn_folds(y, 103, 5, 7, fold);
    for (int i = 0; i < 103; i++) {
        CHECK(fold[i] >= 0 && fold[i] < 5);
        cnt[fold[i]][y[i]]++;
    }
    for (int f = 0; f < 5; f++) {
        CHECK(cnt[f][1] >= 5 && cnt[f][1] <= 6); /* 26 positives */
        int tot = cnt[f][0] + cnt[f][1];
        CHECK(tot >= 20 && tot <= 21);
    }
}

TEST(churn_csv_reading)
{
    const char *doc = "\xEF\xBB\xBF"
                      "customerID,num,cat,Churn\r\n"
                      "a1,1.5,x,Yes\r\n"
                      "a2, ,\"q,\"\"r\"\"\",No\n"
                      "\n"
                      "a3,2e1,\"two\nlines\",no\n";
    struct churn_table t;
    char why[200];
    CHECK_EQ_INT(churn_csv_parse(doc, strlen(doc), &t, why, sizeof why), 0);
    CHECK_EQ_INT(t.ncols, 4);
    CHECK_EQ_INT(t.nrows, 3);
    CHECK_EQ_STR(churn_name(&t, 0), "customerID");
    CHECK_EQ_STR(churn_cell(&t, 1, 2), "q,\"r\"");
    CHECK_EQ_STR(churn_cell(&t, 2, 2), "two\nlines");
    CHECK_EQ_INT(t.line[0], 2);
    CHECK_EQ_INT(t.line[2], 5);
    double v;
    CHECK(churn_parse_number(churn_cell(&t, 2, 1), &v) && v == 20);
    CHECK(!churn_parse_number(churn_cell(&t, 1, 1), &v)); /* blank */
    CHECK(!churn_parse_number("nan", &v) && !churn_parse_number("inf", &v));
    CHECK(!churn_parse_number("0x10", &v) && !churn_parse_number("1,5", &v));
    CHECK_EQ_INT(churn_id_column(&t, 3), 0);
    const char *pos, *neg;
    /* "Yes", "No" and "no" are three values */
    CHECK_EQ_INT(churn_target_values(&t, 3, NULL, &pos, &neg, why, sizeof why), -1);
    CHECK(strstr(why, "line 5") != NULL);
    churn_table_free(&t);

    /* a cell over 4 KiB is refused naming its line */
    char *big = malloc(5000);
    memcpy(big, "a,b\n1,", 6);
    memset(big + 6, 'x', 4200);
    memcpy(big + 4206, "\n", 2);
    CHECK_EQ_INT(churn_csv_parse(big, strlen(big), &t, why, sizeof why), -1);
    CHECK(strstr(why, "line 2") && strstr(why, "longer than"));
    free(big);
    const char *bad[] = {"a,b\n1,2\n3\n",  "a,b\n1,\"2\n", "a,a\n1,2\n", "a,,b\n1,2,3\n", "",
                         "a,b\n1,\"2\"x\n"};
    const char *want[] = {"line 3", "not closed", "twice", "no name", "empty", "after a closing"};
    for (int i = 0; i < 6; i++) {
        CHECK_EQ_INT(churn_csv_parse(bad[i], strlen(bad[i]), &t, why, sizeof why), -1);
        CHECK(strstr(why, want[i]) != NULL);
    }
}

TEST(churn_columns_and_target)
{
    const char *n1[] = {"x", "ID", "y"}, *n2[] = {"y", "x", "z"}, *n3[] = {"acct_id", "Id", "y"};
    struct churn_table t;
    CHECK_EQ_INT(churn_table_new(&t, 3, n1), 0);
    CHECK_EQ_INT(churn_id_column(&t, 2), 1);
    churn_table_free(&t);
    CHECK_EQ_INT(churn_table_new(&t, 3, n2), 0);
    CHECK_EQ_INT(churn_id_column(&t, 0), 1); /* the first column is the target */
    CHECK_EQ_INT(churn_id_column(&t, 2), 0);
    churn_table_free(&t);
    CHECK_EQ_INT(churn_table_new(&t, 3, n3), 0);
    CHECK_EQ_INT(churn_id_column(&t, 2), 1); /* "Id" is an exact "id" */
    const char *r1[] = {"a", "1", "true"}, *r2[] = {"b", "2", "FALSE"}, *r3[] = {"c", "3", " "};
    churn_table_add(&t, r1, 2);
    churn_table_add(&t, r2, 3);
    const char *pos, *neg;
    char why[200];
    CHECK_EQ_INT(churn_target_values(&t, 2, NULL, &pos, &neg, why, sizeof why), 0);
    CHECK_EQ_STR(pos, "true");
    CHECK_EQ_INT(churn_target_values(&t, 2, "FALSE", &pos, &neg, why, sizeof why), 0);
    CHECK_EQ_STR(pos, "FALSE");
    CHECK_EQ_INT(churn_target_values(&t, 2, "maybe", &pos, &neg, why, sizeof why), -1);
    churn_table_add(&t, r3, 4);
    CHECK_EQ_INT(churn_target_values(&t, 2, NULL, &pos, &neg, why, sizeof why), -1);
    CHECK(strstr(why, "line 4") && strstr(why, "blank"));
    churn_table_free(&t);
}

/* A synthetic table: num drives the target, cat shifts it, noise does nothing, some blanks. */
static void synth(struct churn_table *t, int n, unsigned seed)
{
    const char *names[] = {"account_id", "num", "cat", "noise", "skewed", "churned"};
    churn_table_new(t, 6, names);
    unsigned s = seed;
    for (int i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        double u1 = (s >> 8) / 16777216.0;
        s = s * 1103515245u + 12345u;
        double u2 = (s >> 8) / 16777216.0;
        s = s * 1103515245u + 12345u;
        double u3 = (s >> 8) / 16777216.0;
        const char *cats[] = {"red", "green", "blue"};
        int c = (int)(u2 * 3);
        double logit = 3 * (u1 - 0.5) * 2 + (c == 0 ? 1 : c == 1 ? -1 : 0);
        int yv = u3 < 1 / (1 + exp(-logit));
        char id[16], num[32], noise[32], sk[32];
        snprintf(id, sizeof id, "A%04d", i);
        snprintf(num, sizeof num, "%.4f", u1 * 10);
        snprintf(noise, sizeof noise, "%.3f", u3 * u2);
        snprintf(sk, sizeof sk, "%.2f", exp(u1 * 5));
        const char *row[] = {id, i % 17 == 3 ? "" : num, i % 23 == 5 ? "" : cats[c], noise,
                             sk, yv ? "Yes" : "No"};
        churn_table_add(t, row, i + 2);
    }
}

TEST(churn_train_explain_roundtrip)
{
    struct churn_table t;
    synth(&t, 600, 11);
    struct churn_opts o;
    churn_opts_default(&o);
    o.seed = 3;
    struct churn_model *m = NULL, *m2 = NULL, *m3 = NULL;
    struct churn_report rep;
    char why[300];
    CHECK_EQ_INT(churn_train(&t, "churned", NULL, 0, &o, &m, &rep, why, sizeof why), 0);
    if (!m) {
        fprintf(stderr, "  %s\n", why);
        churn_table_free(&t);
        return;
    }
    CHECK_EQ_STR(churn_model_positive(m), "Yes");
    CHECK_EQ_STR(churn_model_id_name(m), "account_id");
    CHECK_EQ_INT(churn_model_ncols(m), 4); /* num, cat, noise, skewed: not the id, not the target */
    CHECK(rep.inner_auc > 0.75);
    int map[8];
    CHECK_EQ_INT(churn_model_bind(m, &t, map, why, sizeof why), 0);
    /* contributions + intercept = logit, and the probability is its sigmoid (every row) */
    struct churn_contrib ct[8];
    double worst = 0;
    for (int r = 0; r < t.nrows; r++) {
        double icpt, logit = churn_explain(m, &t, map, r, ct, &icpt), sum = icpt;
        for (int c = 0; c < churn_model_ncols(m); c++)
            sum += ct[c].contrib;
        worst = fmax(worst, fabs(sum - logit));
        worst = fmax(worst, fabs(1 / (1 + exp(-logit)) - churn_predict(m, &t, map, r)));
    }
    CHECK(worst < 1e-9);
    /* the model file: save -> load -> save gives the same bytes and the same predictions */
    size_t len, len2;
    char *f1 = churn_model_save(m, &len);
    CHECK(f1 && strncmp(f1, "KAMCHURN 1\n", 11) == 0);
    CHECK_EQ_INT(churn_model_load(f1, len, &m2, why, sizeof why), 0);
    char *f2 = m2 ? churn_model_save(m2, &len2) : NULL;
    CHECK(f2 && len2 == len && memcmp(f1, f2, len) == 0);
    int same = 1;
    for (int r = 0; m2 && r < t.nrows; r++)
        same &= churn_predict(m, &t, map, r) == churn_predict(m2, &t, map, r);
    CHECK(same);
    /* the top factors: sorted by |contribution|, a prefix of the full explanation */
    struct churn_contrib top[3];
    double lg, ic;
    CHECK_EQ_INT(churn_top_factors(m, &t, map, 5, 3, top, &lg, &ic), 3);
    CHECK(fabs(top[0].contrib) >= fabs(top[1].contrib) &&
          fabs(top[1].contrib) >= fabs(top[2].contrib));
    CHECK_EQ_INT(churn_top_factors(m, &t, map, 5, 99, ct, &lg, &ic), 4);
    char id1[9], id2[9];
    churn_model_id(m, id1);
    churn_model_id(m2 ? m2 : m, id2);
    CHECK(strlen(id1) == 8 && strcmp(id1, id2) == 0);
    /* determinism: the same seed, the same model */
    CHECK_EQ_INT(churn_train(&t, "churned", NULL, 0, &o, &m3, NULL, why, sizeof why), 0);
    size_t len3;
    char *f3 = m3 ? churn_model_save(m3, &len3) : NULL;
    CHECK(f3 && len3 == len && memcmp(f1, f3, len) == 0);

    /* unseen and blank categories, text in a numeric column, missing numbers: finite */
    const char *names[] = {"skewed", "noise", "cat", "num"};
    struct churn_table s;
    churn_table_new(&s, 4, names);
    const char *r1[] = {"3", "0.1", "purple", "5"}, *r2[] = {"", "", "", ""},
               *r3[] = {"x", "y", "red", "abc"}, *r4[] = {"1e9", "-1e9", "blue", "-1e9"};
    churn_table_add(&s, r1, 2);
    churn_table_add(&s, r2, 3);
    churn_table_add(&s, r3, 4);
    churn_table_add(&s, r4, 5);
    int map2[8];
    CHECK_EQ_INT(churn_model_bind(m, &s, map2, why, sizeof why), 0);
    for (int r = 0; r < 4; r++) {
        double p = churn_predict(m, &s, map2, r);
        CHECK(isfinite(p) && p > 0 && p < 1);
    }
    /* an unseen category contributes as "none of the training categories" */
    double icpt;
    churn_explain(m, &s, map2, 0, ct, &icpt);
    CHECK(isfinite(ct[1].contrib));
    /* a missing column is named */
    const char *names3[] = {"num", "cat"};
    struct churn_table u;
    churn_table_new(&u, 2, names3);
    CHECK_EQ_INT(churn_model_bind(m, &u, map2, why, sizeof why), -1);
    CHECK(strstr(why, "noise") != NULL);
    churn_table_free(&u);
    churn_table_free(&s);

    /* refusals of the reader */
    struct churn_model *x = NULL;
    CHECK_EQ_INT(churn_model_load("KAMSENT", 7, &x, why, sizeof why), -1);
    CHECK_EQ_INT(churn_model_load(f1, len - 5, &x, why, sizeof why), -1); /* truncated */
    char *more = malloc(len + 8);
    memcpy(more, f1, len);
    memcpy(more + len, "extra\n", 6);
    CHECK_EQ_INT(churn_model_load(more, len + 6, &x, why, sizeof why), -1);
    CHECK(strstr(why, "after") != NULL);
    memcpy(more, "KAMCHURN 2", 10);
    CHECK_EQ_INT(churn_model_load(more, len, &x, why, sizeof why), -1);
    CHECK(strstr(why, "version 2") != NULL);
    free(more);
    CHECK(x == NULL);

    free(f1);
    free(f2);
    free(f3);
    churn_model_free(m);
    churn_model_free(m2);
    churn_model_free(m3);
    churn_table_free(&t);
}

TEST(churn_linear_only_and_noise)
{
    /* a target unrelated to every column: the inner AUC stays near 0.5 */
    const char *names[] = {"id", "a", "b", "y"};
    struct churn_table t;
    churn_table_new(&t, 4, names);
    unsigned s = 99;
    for (int i = 0; i < 400; i++) {
        char id[16], a[32], b[32];
        s = s * 1103515245u + 12345u;
        snprintf(a, sizeof a, "%u", (s >> 8) % 1000);
        s = s * 1103515245u + 12345u;
        snprintf(b, sizeof b, "k%u", (s >> 8) % 5);
        s = s * 1103515245u + 12345u;
        snprintf(id, sizeof id, "%d", i);
        const char *row[] = {id, a, b, (s >> 8) % 2 ? "1" : "0"};
        churn_table_add(&t, row, i + 2);
    }
    struct churn_opts o;
    churn_opts_default(&o);
    o.gbm = 0;
    struct churn_model *m = NULL;
    struct churn_report rep;
    char why[200];
    CHECK_EQ_INT(churn_train(&t, "y", NULL, 0, &o, &m, &rep, why, sizeof why), 0);
    CHECK(rep.inner_auc < 0.6);
    CHECK(rep.ntrees == 0 && rep.weight_lr == 1);
    CHECK_EQ_STR(m ? churn_model_positive(m) : "", "1");
    churn_model_free(m);
    /* too few of a class */
    CHECK_EQ_INT(churn_train(&t, "nope", NULL, 0, &o, &m, &rep, why, sizeof why), -1);
    CHECK(strstr(why, "nope") != NULL);
    churn_table_free(&t);
}

TEST(churn_first_column_rule)
{
    /* no id-like name: the first column is the id only when its values are all different */
    const char *names[] = {"plan", "usage", "left"};
    struct churn_table t;
    churn_table_new(&t, 3, names);
    for (int i = 0; i < 60; i++) {
        char u[16];
        snprintf(u, sizeof u, "%d", i * 7 % 50);
        const char *row[] = {i % 3 ? "basic" : "pro", u, i % 2 ? "true" : "false"};
        churn_table_add(&t, row, i + 2);
    }
    struct churn_opts o;
    churn_opts_default(&o);
    o.gbm = 0;
    struct churn_model *m = NULL;
    char why[200];
    CHECK_EQ_INT(churn_train(&t, "left", NULL, 0, &o, &m, NULL, why, sizeof why), 0);
    CHECK_EQ_INT(m ? churn_model_ncols(m) : -1, 2); /* plan and usage */
    CHECK_EQ_STR(m ? churn_model_col_name(m, 0) : "", "plan");
    churn_model_free(m);
    churn_table_free(&t);
    /* cv with more folds than a class has rows is refused */
    double fa[20];
    const char *n2[] = {"serial", "usage", "left"};
    churn_table_new(&t, 3, n2);
    for (int i = 0; i < 6; i++) {
        char s[16];
        snprintf(s, sizeof s, "S%d", i);
        const char *row[] = {s, i < 3 ? "1" : "2", i == 0 || i == 4 ? "1" : "0"};
        churn_table_add(&t, row, i + 2);
    }
    CHECK(churn_cv(&t, "left", &o, 3, 1, fa, why, sizeof why) < 0);
    CHECK(strstr(why, "too few") != NULL);
    churn_table_free(&t);
}
