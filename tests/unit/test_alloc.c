/* test_alloc.c -- unit and property tests of src/analytics/alloc: exact target splitting.
 *
 * Hand-computed examples first, then edge cases, then thousands of random cases from a
 * fixed-seed PRNG, each checked against the invariants (exact sum, locked cells untouched, no
 * negative cell, within one unit of the exact rational share, largest remainders win) and
 * against a straightforward reference implementation that sorts the remainders. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/alloc.h"
#include "test.h"

typedef unsigned __int128 u128;

/* splitmix64: a tiny deterministic PRNG, so every run tests the same cases. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, bound] (bound < 2^63; the tiny modulo bias does not matter here). */
static int64_t rng_upto(uint64_t *s, int64_t bound)
{
    return (int64_t)(rng_next(s) % ((uint64_t)bound + 1));
}

/* ---- hand-computed examples ---- */

static int split_eq(int64_t total, int n, const int64_t *w, const unsigned char *locked,
                    const int64_t *fixed, const int64_t *want)
{
    int64_t out[16];
    if (alloc_split(total, n, w, locked, fixed, out) != ALLOC_OK)
        return 0;
    return memcmp(out, want, sizeof(int64_t) * (size_t)n) == 0;
}

TEST(alloc_split_examples)
{
    /* 100 / 3 = 33 r 1; equal remainders -> the lowest index takes the unit. */
    CHECK(split_eq(100, 3, (int64_t[]){1, 1, 1}, NULL, NULL, (int64_t[]){34, 33, 33}));
    /* 10 over 1,2,3,4 (W = 10) is exact. */
    CHECK(split_eq(10, 4, (int64_t[]){1, 2, 3, 4}, NULL, NULL, (int64_t[]){1, 2, 3, 4}));
    /* 100 over 1,2,0: floors 33 (100/3), 66 (200/3), 0; remainders 1, 2, 0 -> cell 1. */
    CHECK(split_eq(100, 3, (int64_t[]){1, 2, 0}, NULL, NULL, (int64_t[]){33, 67, 0}));
    /* 7 over 5,5 -> 3.5 each: floors 3,3, remainders equal -> cell 0. */
    CHECK(split_eq(7, 2, (int64_t[]){5, 5}, NULL, NULL, (int64_t[]){4, 3}));
    /* 10 over 1,1,1,1,1,1 (W = 6): floors 1 each, remainder 4 each, L = 4 -> cells 0..3. */
    CHECK(
        split_eq(10, 6, (int64_t[]){1, 1, 1, 1, 1, 1}, NULL, NULL, (int64_t[]){2, 2, 2, 2, 1, 1}));
    /* 1000 over 1,3,7 (W = 11): 1000/11 = 90.9, 3000/11 = 272.7, 7000/11 = 636.4;
     * floors 90+272+636 = 998, L = 2; remainders 10, 8, 4 -> cells 0 and 1. */
    CHECK(split_eq(1000, 3, (int64_t[]){1, 3, 7}, NULL, NULL, (int64_t[]){91, 273, 636}));
}

TEST(alloc_split_locked_examples)
{
    /* Cell 0 locked at 40: rest 60 over 1,1 -> 30,30. Its weight (99) is not read. */
    unsigned char lk[] = {1, 0, 0};
    CHECK(split_eq(100, 3, (int64_t[]){99, 1, 1}, lk, (int64_t[]){40, 0, 0},
                   (int64_t[]){40, 30, 30}));
    /* A negative weight on a locked cell is ignored; a negative fixed on an unlocked one too. */
    CHECK(split_eq(100, 3, (int64_t[]){-5, 1, 3}, lk, (int64_t[]){20, -7, -7},
                   (int64_t[]){20, 20, 60}));
    /* Locked sum > total. */
    int64_t out[3];
    CHECK_EQ_INT(alloc_split(50, 3, (int64_t[]){1, 1, 1}, lk, (int64_t[]){51, 0, 0}, out),
                 ALLOC_EINFEASIBLE);
    /* All locked, rest 0: fine; rest != 0: infeasible. */
    unsigned char all[] = {1, 1, 1};
    CHECK(split_eq(60, 3, (int64_t[]){0, 0, 0}, all, (int64_t[]){10, 20, 30},
                   (int64_t[]){10, 20, 30}));
    CHECK_EQ_INT(alloc_split(61, 3, (int64_t[]){0, 0, 0}, all, (int64_t[]){10, 20, 30}, out),
                 ALLOC_EINFEASIBLE);
    /* out may be the fixed array itself (in-place split over current values). */
    int64_t cur[] = {40, 7, 7};
    CHECK_EQ_INT(alloc_split(100, 3, (int64_t[]){0, 1, 2}, lk, cur, cur), ALLOC_OK);
    /* rest 60 over 1,2 -> 20, 40. */
    CHECK(cur[0] == 40 && cur[1] == 20 && cur[2] == 40);
}

TEST(alloc_split_edge_cases)
{
    int64_t out[4] = {-1, -1, -1, -1};
    /* n = 0 */
    CHECK_EQ_INT(alloc_split(0, 0, NULL, NULL, NULL, NULL), ALLOC_OK);
    CHECK_EQ_INT(alloc_split(5, 0, NULL, NULL, NULL, NULL), ALLOC_EINFEASIBLE);
    /* All weights 0 -> equal split, lower indices first: 10 = 4+3+3. */
    CHECK(split_eq(10, 3, (int64_t[]){0, 0, 0}, NULL, NULL, (int64_t[]){4, 3, 3}));
    /* ... skipping locked cells: 11 - 5 = 6 over cells 0 and 2 -> 3, 3. */
    unsigned char lk[] = {0, 1, 0};
    CHECK(split_eq(11, 3, (int64_t[]){0, 0, 0}, lk, (int64_t[]){0, 5, 0}, (int64_t[]){3, 5, 3}));
    /* One cell takes everything, whatever its weight. */
    CHECK(split_eq(12345, 1, (int64_t[]){0}, NULL, NULL, (int64_t[]){12345}));
    CHECK(split_eq(12345, 1, (int64_t[]){77}, NULL, NULL, (int64_t[]){12345}));
    /* Total 0. */
    CHECK(split_eq(0, 3, (int64_t[]){5, 0, 9}, NULL, NULL, (int64_t[]){0, 0, 0}));
    /* Invalid input. */
    CHECK_EQ_INT(alloc_split(10, -1, NULL, NULL, NULL, out), ALLOC_EINVAL);
    CHECK_EQ_INT(alloc_split(-1, 2, (int64_t[]){1, 1}, NULL, NULL, out), ALLOC_EINVAL);
    CHECK_EQ_INT(alloc_split(10, 2, (int64_t[]){1, -1}, NULL, NULL, out), ALLOC_EINVAL);
    CHECK_EQ_INT(alloc_split(10, 2, NULL, NULL, NULL, out), ALLOC_EINVAL);
    CHECK_EQ_INT(alloc_split(10, 2, (int64_t[]){1, 1}, NULL, NULL, NULL), ALLOC_EINVAL);
    CHECK_EQ_INT(alloc_split(10, 2, (int64_t[]){1, 1}, (unsigned char[]){1, 0}, NULL, out),
                 ALLOC_EINVAL);
    CHECK_EQ_INT(
        alloc_split(10, 2, (int64_t[]){1, 1}, (unsigned char[]){1, 0}, (int64_t[]){-1, 0}, out),
        ALLOC_EINVAL);
}

TEST(alloc_split_huge_values)
{
    /* 10^15 over weights around 10^15: rest * w ~ 10^30 needs 128 bits. W = 6 * 10^15,
     * shares 1/6, 2/6, 3/6 of 10^15: 166666666666666.67 -> 166666666666666 + r 4*10^15,
     * 333333333333333.33 -> r 2*10^15, 5 * 10^14 exact. L = 1 -> cell 0. */
    const int64_t e15 = 1000000000000000LL;
    CHECK(split_eq(e15, 3, (int64_t[]){e15, 2 * e15, 3 * e15}, NULL, NULL,
                   (int64_t[]){166666666666667LL, 333333333333333LL, 500000000000000LL}));
    /* The extremes: INT64_MAX total over INT64_MAX weights (W ~ 2^65). */
    int64_t w[5] = {INT64_MAX, INT64_MAX, INT64_MAX, 1, 0};
    int64_t out[5];
    CHECK_EQ_INT(alloc_split(INT64_MAX, 5, w, NULL, NULL, out), ALLOC_OK);
    u128 sum = 0;
    for (int i = 0; i < 5; i++)
        sum += (u128)out[i];
    CHECK(sum == (u128)INT64_MAX);
    CHECK(out[0] >= out[1] && out[1] >= out[2] && out[0] - out[2] <= 1);
    CHECK(out[3] <= 1 && out[4] == 0);
    /* Locked cells whose sum exceeds int64 are infeasible, not an overflow. */
    unsigned char lk[] = {1, 1, 0};
    CHECK_EQ_INT(alloc_split(INT64_MAX, 3, (int64_t[]){0, 0, 1}, lk,
                             (int64_t[]){INT64_MAX, INT64_MAX, 0}, out),
                 ALLOC_EINFEASIBLE);
}

/* ---- the random property test ---- */

struct rem {
    u128 r;
    int i;
};

static int rem_cmp(const void *a, const void *b)
{
    const struct rem *x = a, *y = b;
    if (x->r != y->r)
        return x->r > y->r ? -1 : 1;
    return x->i - y->i;
}

/* The obvious implementation: floors, then sort the remainders. Returns as alloc_split. */
static int ref_split(int64_t total, int n, const int64_t *w, const unsigned char *locked,
                     const int64_t *fixed, int64_t *out)
{
    u128 fsum = 0, wsum = 0;
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (locked && locked[i])
            fsum += (u128)fixed[i];
        else
            wsum += (u128)w[i], m++;
    }
    if (fsum > (u128)total)
        return ALLOC_EINFEASIBLE;
    u128 rest = (u128)total - fsum;
    if (m == 0) {
        memcpy(out, fixed, sizeof(int64_t) * (size_t)n);
        return rest ? ALLOC_EINFEASIBLE : ALLOC_OK;
    }
    struct rem *rems = malloc(sizeof(struct rem) * (size_t)n);
    int nr = 0;
    u128 given = 0;
    for (int i = 0; i < n; i++) {
        if (locked && locked[i]) {
            out[i] = fixed[i];
            continue;
        }
        u128 num = wsum ? rest * (u128)w[i] : rest, den = wsum ? wsum : (u128)m;
        out[i] = (int64_t)(num / den);
        given += num / den;
        rems[nr++] = (struct rem){num % den, i};
    }
    qsort(rems, (size_t)nr, sizeof rems[0], rem_cmp);
    for (u128 k = 0; k < rest - given; k++)
        out[rems[k].i]++;
    free(rems);
    return ALLOC_OK;
}

/* One random weight vector, from one of several shapes. */
static void random_weights(uint64_t *s, int n, int64_t *w)
{
    int shape = (int)rng_upto(s, 4);
    for (int i = 0; i < n; i++) {
        switch (shape) {
        case 0: /* small, many ties */
            w[i] = rng_upto(s, 3);
            break;
        case 1: /* moderate */
            w[i] = rng_upto(s, 1000000);
            break;
        case 2: /* huge */
            w[i] = rng_upto(s, 1000000000000000LL);
            break;
        case 3: /* sparse */
            w[i] = rng_upto(s, 9) < 7 ? 0 : rng_upto(s, 100);
            break;
        default: /* anything */
            w[i] = rng_upto(s, INT64_MAX - 1);
            break;
        }
    }
}

TEST(alloc_split_random_properties)
{
    uint64_t seed = 20260101;
    int ok_cases = 0, infeasible_cases = 0;
    for (int c = 0; c < 5000; c++) {
        int n = 1 + (int)rng_upto(&seed, 40);
        int64_t w[64], fixed[64], out[64], out2[64], ref[64], scaled[64];
        unsigned char locked[64];
        random_weights(&seed, n, w);
        int64_t total;
        switch (rng_upto(&seed, 3)) {
        case 0:
            total = rng_upto(&seed, 100);
            break;
        case 1:
            total = rng_upto(&seed, 1000000000LL);
            break;
        case 2:
            total = rng_upto(&seed, 1000000000000000LL);
            break;
        default:
            total = INT64_MAX - rng_upto(&seed, 1000);
            break;
        }
        int use_lock = rng_upto(&seed, 2) == 0;
        for (int i = 0; i < n; i++) {
            locked[i] = use_lock && rng_upto(&seed, 4) == 0;
            /* total/n keeps most cases feasible; an occasional large value makes some not. */
            fixed[i] =
                rng_upto(&seed, 30) == 0 ? rng_upto(&seed, total) : rng_upto(&seed, total / n);
        }
        if (use_lock && c % 40 == 0 && total < INT64_MAX) {
            locked[0] = 1; /* a locked cell above the total */
            fixed[0] = total + 1;
        }
        const unsigned char *lk = use_lock ? locked : NULL;

        int rc = alloc_split(total, n, w, lk, fixed, out);
        int rrc = ref_split(total, n, w, lk, fixed, ref);
        CHECK_EQ_INT(rc, rrc);
        if (rc != ALLOC_OK) {
            CHECK_EQ_INT(rc, ALLOC_EINFEASIBLE);
            infeasible_cases++;
            continue;
        }
        ok_cases++;
        CHECK(memcmp(out, ref, sizeof(int64_t) * (size_t)n) == 0);

        /* Deterministic. */
        CHECK_EQ_INT(alloc_split(total, n, w, lk, fixed, out2), ALLOC_OK);
        CHECK(memcmp(out, out2, sizeof(int64_t) * (size_t)n) == 0);

        /* Exact sum, locked untouched, nothing negative. */
        u128 sum = 0, fsum = 0, wsum = 0;
        for (int i = 0; i < n; i++) {
            CHECK(out[i] >= 0);
            sum += (u128)out[i];
            if (lk && lk[i]) {
                CHECK(out[i] == fixed[i]);
                fsum += (u128)fixed[i];
            } else {
                wsum += (u128)w[i];
            }
        }
        CHECK(sum == (u128)total);

        /* Within one unit of the exact share rest*w/W: |out*W - rest*w| < W, i.e.
         * rest*w < (out+1)*W and out*W < rest*w + W (or rest/m for an equal split). */
        u128 rest = (u128)total - fsum;
        int m = 0;
        for (int i = 0; i < n; i++)
            m += !(lk && lk[i]);
        for (int i = 0; i < n; i++) {
            if (lk && lk[i])
                continue;
            u128 num = wsum ? rest * (u128)w[i] : rest, den = wsum ? wsum : (u128)m;
            CHECK(num < ((u128)out[i] + 1) * den);
            CHECK((u128)out[i] * den < num + den);
        }

        /* Largest remainders won: a cell rounded up never has a smaller remainder than one
         * rounded down, and on a tie it has the lower index. */
        for (int i = 0; i < n; i++) {
            if (lk && lk[i])
                continue;
            u128 ni = wsum ? rest * (u128)w[i] : rest, den = wsum ? wsum : (u128)m;
            int up_i = (u128)out[i] * den > ni;
            for (int j = 0; j < n; j++) {
                if ((lk && lk[j]) || j == i)
                    continue;
                u128 nj = wsum ? rest * (u128)w[j] : rest;
                int up_j = (u128)out[j] * den > nj;
                if (up_i && !up_j) {
                    u128 ri = ni % den, rj = nj % den;
                    CHECK(ri > rj || (ri == rj && i < j));
                }
            }
        }

        /* Scaling invariance: multiplying every weight by c changes nothing. */
        int64_t maxw = 0;
        for (int i = 0; i < n; i++)
            if (!(lk && lk[i]) && w[i] > maxw)
                maxw = w[i];
        int64_t cmul = 2 + rng_upto(&seed, 998);
        if (maxw <= INT64_MAX / cmul) {
            for (int i = 0; i < n; i++)
                scaled[i] = (lk && lk[i]) ? w[i] : w[i] * cmul;
            CHECK_EQ_INT(alloc_split(total, n, scaled, lk, fixed, out2), ALLOC_OK);
            CHECK(memcmp(out, out2, sizeof(int64_t) * (size_t)n) == 0);
        }

        /* In place over the fixed array gives the same answer. */
        memcpy(out2, fixed, sizeof(int64_t) * (size_t)n);
        CHECK_EQ_INT(alloc_split(total, n, w, lk, out2, out2), ALLOC_OK);
        CHECK(memcmp(out, out2, sizeof(int64_t) * (size_t)n) == 0);
    }
    /* The generator must exercise both outcomes. */
    CHECK(ok_cases > 3000);
    CHECK(infeasible_cases > 60);
}

TEST(alloc_split_many_cells_match_reference)
{
    /* Thousands of cells: many radix passes (huge weights) and long runs of equal remainders
     * (tiny weights) against the sorting reference. */
    enum { N = 20000 };
    int64_t *w = malloc(sizeof(int64_t) * N), *out = malloc(sizeof(int64_t) * N),
            *ref = malloc(sizeof(int64_t) * N);
    uint64_t seed = 9;
    for (int c = 0; c < 12; c++) {
        int n = 1000 + (int)rng_upto(&seed, N - 1000);
        for (int i = 0; i < n; i++)
            w[i] = c % 3 == 0   ? rng_upto(&seed, 2)
                   : c % 3 == 1 ? rng_upto(&seed, 1000000000000000LL)
                                : rng_upto(&seed, INT64_MAX - 1);
        int64_t total = c % 2 ? rng_upto(&seed, 1000000000000000LL) : rng_upto(&seed, 3 * N);
        CHECK_EQ_INT(alloc_split(total, n, w, NULL, NULL, out), ALLOC_OK);
        CHECK_EQ_INT(ref_split(total, n, w, NULL, NULL, ref), ALLOC_OK);
        CHECK(memcmp(out, ref, sizeof(int64_t) * (size_t)n) == 0);
    }
    free(w);
    free(out);
    free(ref);
}

/* ---- rebalance ---- */

TEST(alloc_rebalance_examples)
{
    int64_t out[4];
    /* 30,30,40 (total 100), cell 0 -> 50: rest 50 over 30,40 (W = 70): 1500/70 = 21 r 30,
     * 2000/70 = 28 r 40; L = 1 -> cell 2. */
    CHECK_EQ_INT(alloc_rebalance(100, 3, (int64_t[]){30, 30, 40}, NULL, 0, 50, out), ALLOC_OK);
    CHECK(out[0] == 50 && out[1] == 21 && out[2] == 29);
    /* 10,20,30,40 with cell 3 locked, cell 0 -> 25: rest 100-25-40 = 35 over 20,30 -> 14, 21. */
    unsigned char lk[] = {0, 0, 0, 1};
    CHECK_EQ_INT(alloc_rebalance(100, 4, (int64_t[]){10, 20, 30, 40}, lk, 0, 25, out), ALLOC_OK);
    CHECK(out[0] == 25 && out[1] == 14 && out[2] == 21 && out[3] == 40);
    /* Others all 0: equal split of 100 - 40 = 60 -> 30, 30. */
    CHECK_EQ_INT(alloc_rebalance(100, 3, (int64_t[]){100, 0, 0}, NULL, 0, 40, out), ALLOC_OK);
    CHECK(out[0] == 40 && out[1] == 30 && out[2] == 30);
    /* Too large an edit, the only unlocked cell edited, bad index. */
    CHECK_EQ_INT(alloc_rebalance(100, 4, (int64_t[]){10, 20, 30, 40}, lk, 0, 61, out),
                 ALLOC_EINFEASIBLE);
    CHECK_EQ_INT(alloc_rebalance(100, 1, (int64_t[]){100}, NULL, 0, 90, out), ALLOC_EINFEASIBLE);
    CHECK_EQ_INT(alloc_rebalance(100, 1, (int64_t[]){100}, NULL, 0, 100, out), ALLOC_OK);
    CHECK_EQ_INT(alloc_rebalance(100, 2, (int64_t[]){50, 50}, NULL, 2, 10, out), ALLOC_EINVAL);
    CHECK_EQ_INT(alloc_rebalance(100, 2, (int64_t[]){50, 50}, NULL, 0, -1, out), ALLOC_EINVAL);
}

TEST(alloc_rebalance_random_keeps_total)
{
    uint64_t seed = 77;
    for (int c = 0; c < 2000; c++) {
        int n = 2 + (int)rng_upto(&seed, 30);
        int64_t cur[64], out[64];
        unsigned char lk[64];
        int64_t total = 0;
        for (int i = 0; i < n; i++) {
            cur[i] = rng_upto(&seed, 1000000000000LL);
            total += cur[i];
            lk[i] = rng_upto(&seed, 5) == 0;
        }
        int e = (int)rng_upto(&seed, n - 1);
        int64_t v = rng_upto(&seed, cur[e] * 2 + 1);
        int rc = alloc_rebalance(total, n, cur, lk, e, v, out);
        if (rc != ALLOC_OK)
            continue;
        int64_t sum = 0;
        for (int i = 0; i < n; i++) {
            sum += out[i];
            CHECK(out[i] >= 0);
            if (lk[i] && i != e)
                CHECK(out[i] == cur[i]);
        }
        CHECK(out[e] == v);
        CHECK(sum == total);
    }
}

/* ---- blend ---- */

TEST(alloc_blend_examples)
{
    int64_t out[3];
    /* A = 1,0,1 (S 2 -> 5*10^11, 0, 5*10^11), B = 0,1,1 (0, 5*10^11, 5*10^11), 50/50:
     * 50 * 5*10^11 = 2.5*10^13; cell 2 gets both. */
    CHECK_EQ_INT(alloc_blend(3, 2, (int64_t[]){1, 0, 1, 0, 1, 1}, (int[]){50, 50}, out), ALLOC_OK);
    CHECK(out[0] == 25000000000000LL && out[1] == 25000000000000LL && out[2] == 50000000000000LL);
    int64_t cells[3];
    CHECK_EQ_INT(alloc_split(100, 3, out, NULL, NULL, cells), ALLOC_OK);
    CHECK(cells[0] == 25 && cells[1] == 25 && cells[2] == 50);

    /* B empty: its 40 % goes to A, P = 60: floor(60 * norm * 100 / 60) = 100 * norm.
     * A = 1,1,2 (S 4): norms 2.5*10^11, 2.5*10^11, 5*10^11. */
    CHECK_EQ_INT(alloc_blend(3, 2, (int64_t[]){1, 1, 2, 0, 0, 0}, (int[]){60, 40}, out), ALLOC_OK);
    CHECK(out[0] == 25000000000000LL && out[1] == 25000000000000LL && out[2] == 50000000000000LL);

    /* 1,2 (S 3): norms floor(10^12/3) = 333333333333, 666666666666; times 100. */
    CHECK_EQ_INT(alloc_blend(2, 1, (int64_t[]){1, 2}, (int[]){100}, out), ALLOC_OK);
    CHECK(out[0] == 33333333333300LL && out[1] == 66666666666600LL);

    /* 70 % last year (10,30), 30 % potential (1,0): 70*(2.5e11, 7.5e11) + 30*(1e12, 0)
     * = 1.75e13 + 3e13 = 4.75e13, 5.25e13. */
    CHECK_EQ_INT(alloc_blend(2, 2, (int64_t[]){10, 30, 1, 0}, (int[]){70, 30}, out), ALLOC_OK);
    CHECK(out[0] == 47500000000000LL && out[1] == 52500000000000LL);

    /* All empty -> zeros; the split is then equal. */
    CHECK_EQ_INT(alloc_blend(3, 2, (int64_t[]){0, 0, 0, 0, 0, 0}, (int[]){50, 50}, out), ALLOC_OK);
    CHECK(out[0] == 0 && out[1] == 0 && out[2] == 0);

    /* Invalid. */
    CHECK_EQ_INT(alloc_blend(2, 2, (int64_t[]){1, 1, 1, 1}, (int[]){50, 49}, out), ALLOC_EINVAL);
    CHECK_EQ_INT(alloc_blend(2, 2, (int64_t[]){1, 1, 1, 1}, (int[]){150, -50}, out), ALLOC_EINVAL);
    CHECK_EQ_INT(alloc_blend(2, 1, (int64_t[]){1, -1}, (int[]){100}, out), ALLOC_EINVAL);
    CHECK_EQ_INT(alloc_blend(2, 0, NULL, NULL, out), ALLOC_EINVAL);
    CHECK_EQ_INT(alloc_blend(-1, 1, NULL, (int[]){100}, out), ALLOC_EINVAL);
    CHECK_EQ_INT(alloc_blend(0, 1, NULL, (int[]){100}, NULL), ALLOC_OK);
}

TEST(alloc_blend_random_properties)
{
    uint64_t seed = 4242;
    for (int c = 0; c < 1000; c++) {
        int n = 1 + (int)rng_upto(&seed, 30), k = 1 + (int)rng_upto(&seed, 3);
        int64_t w[4 * 32], w2[4 * 32], out[32], out2[32];
        int pct[4], left = 100;
        for (int j = 0; j < k; j++) {
            pct[j] = j == k - 1 ? left : (int)rng_upto(&seed, left);
            left -= pct[j];
            int empty = rng_upto(&seed, 5) == 0;
            random_weights(&seed, n, w + j * n);
            for (int i = 0; i < n; i++) {
                if (empty)
                    w[j * n + i] = 0;
                w2[j * n + i] = w[j * n + i];
            }
            /* Scaling a basis (where it fits) must not change the blend. */
            int64_t cmul = 1 + rng_upto(&seed, 6), mx = 0;
            for (int i = 0; i < n; i++)
                mx = w[j * n + i] > mx ? w[j * n + i] : mx;
            if (mx <= INT64_MAX / cmul)
                for (int i = 0; i < n; i++)
                    w2[j * n + i] = w[j * n + i] * cmul;
        }
        CHECK_EQ_INT(alloc_blend(n, k, w, pct, out), ALLOC_OK);
        CHECK_EQ_INT(alloc_blend(n, k, w2, pct, out2), ALLOC_OK);
        CHECK(memcmp(out, out2, sizeof(int64_t) * (size_t)n) == 0);
        u128 sum = 0;
        for (int i = 0; i < n; i++) {
            CHECK(out[i] >= 0);
            sum += (u128)out[i];
        }
        CHECK(sum <= (u128)100 * ALLOC_BLEND_SCALE);
        /* One basis at 100 % is that basis, normalised: floor(w * 10^12 / S) * 100. */
        if (k == 1) {
            u128 s = 0;
            for (int i = 0; i < n; i++)
                s += (u128)w[i];
            for (int i = 0; i < n; i++)
                CHECK(out[i] == (s ? (int64_t)((u128)w[i] * ALLOC_BLEND_SCALE / s) * 100 : 0));
        }
    }
}
