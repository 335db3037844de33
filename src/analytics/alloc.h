/* alloc.h -- exact integer decomposition of volume targets (largest-remainder apportionment).
 *
 * A sales director splits a yearly target (an integer number of units: yuan, fen, pieces; up to
 * about 10^15) over cells (product family x region x channel x account x month). The results are
 * compared between storage engines and platforms, so everything here is integer arithmetic
 * (unsigned __int128 for products): the same input gives the same output everywhere, and the
 * parts always add up to the total exactly.
 *
 * Return codes (plain ints, so the service maps them to its own errors):
 *   ALLOC_OK (0)          success
 *   ALLOC_EINFEASIBLE (-1) the locked/fixed cells exceed the total, or units are left over
 *                          with no unlocked cell to take them
 *   ALLOC_EINVAL (-2)     invalid input: n < 0, a negative total/weight/fixed value, a NULL
 *                          array that is needed, percentages not summing to 100
 * Nothing can overflow: inputs are int64, intermediates unsigned __int128 (rest * w < 2^126,
 * sums of up to 2^31 values < 2^94), and every output lies between 0 and total.
 *
 * Pure functions: no allocation, no global state, no I/O. A split reads the cells at most
 * 2 + ceil(log2(W) / 8) times (the leftover units are placed by a radix select of the remainders
 * instead of a sort, so no scratch memory is needed): about 0.1 s for 2 million cells with
 * 10^12-sized weights. A blend is O(n * k). */
#ifndef KAM_ALLOC_H
#define KAM_ALLOC_H

#include <stdint.h>

#define ALLOC_OK 0
#define ALLOC_EINFEASIBLE (-1)
#define ALLOC_EINVAL (-2)

/* The common scale alloc_blend normalises every basis to before weighting it. */
#define ALLOC_BLEND_SCALE 1000000000000LL /* 10^12 */

/* Splits total over n cells in proportion to weights w[i] >= 0 exactly.
 *
 * Locked cells (locked != NULL && locked[i] != 0) keep out[i] = fixed[i]; the unlocked cells
 * share rest = total - sum(fixed[i] of locked cells). Each unlocked cell first gets
 * floor(rest * w[i] / W), W = sum of the unlocked weights; the units left over (fewer than the
 * number of unlocked cells) go one each to the cells with the largest remainders
 * rest * w[i] mod W, ties to the lower index. If every unlocked weight is 0 the rest is split
 * equally, the leftover units going to the lowest-index unlocked cells.
 *
 * w[i] of locked cells and fixed[i] of unlocked cells are not read; fixed may be NULL when
 * locked is NULL. Every unlocked cell ends within 1 unit of its exact share rest * w[i] / W, and
 * the result is invariant under multiplying every weight by the same positive integer.
 * out may be the same array as fixed (so a service can split "in place" over its current
 * values) but must not alias w.
 *
 * Returns ALLOC_OK; ALLOC_EINFEASIBLE if rest < 0 or rest != 0 with no unlocked cell (out is
 * then unspecified); ALLOC_EINVAL on invalid input (n < 0, total < 0, a negative weight of an
 * unlocked cell or fixed value of a locked cell, w/out NULL with n > 0, locked without fixed).
 * n == 0 with total == 0 is ALLOC_OK; with total > 0 it is ALLOC_EINFEASIBLE. */
int alloc_split(int64_t total, int n, const int64_t *w, const unsigned char *locked,
                const int64_t *fixed, int64_t *out);

/* "Edit one cell, rebalance the others": cell `edited` takes `value`, locked cells keep cur[i],
 * and the other unlocked cells share what is left of total in proportion to their current
 * values cur[i] (equally if those are all 0), exactly as alloc_split does.
 *
 * Pass total = sum(cur) to keep the overall target; pass a different total to change the target
 * and the edited cell at once. locked may be NULL; the edited cell counts as fixed whether or
 * not it is locked. out must not alias cur.
 *
 * Returns ALLOC_OK; ALLOC_EINFEASIBLE if value + locked cells exceed total, or units are left
 * with no other unlocked cell; ALLOC_EINVAL if edited is out of range, value < 0, or as for
 * alloc_split (cur values must be >= 0). */
int alloc_rebalance(int64_t total, int n, const int64_t *cur, const unsigned char *locked,
                    int edited, int64_t value, int64_t *out);

/* Blends k bases into one weight vector for alloc_split. w holds the bases row-major: basis j
 * is w[j*n .. j*n + n). pct[j] >= 0 are integer percentages summing to exactly 100.
 *
 * Each basis is normalised to ALLOC_BLEND_SCALE: norm[j][i] = floor(w[j][i] * 10^12 / S_j),
 * S_j = sum of basis j. A basis with S_j == 0 contributes nothing and its percentage is spread
 * over the others in proportion to theirs: with P = the sum of the percentages of the non-empty
 * bases, out[i] = floor(sum_j pct[j] * norm[j][i] * 100 / P). If P == 0 (every basis with a
 * percentage is empty), every out[i] is 0 (alloc_split then splits equally). The output therefore
 * sums to at most 100 * 10^12 and fits in int64 comfortably.
 *
 * Exact integers, deterministic. out must not alias w. Returns ALLOC_OK, or ALLOC_EINVAL for
 * n < 0, k < 1, a negative weight or percentage, percentages not summing to 100, NULL arrays. */
int alloc_blend(int n, int k, const int64_t *w, const int *pct, int64_t *out);

#endif
