/* alloc.c -- exact largest-remainder splitting of integer targets (see alloc.h).
 *
 * Every quantity is an integer. Products rest * w[i] are below 2^126 (rest and w[i] are int64),
 * sums of up to 2^31 int64 values are below 2^94, so unsigned __int128 never overflows. The
 * leftover units are placed without sorting: the remainders are recomputed from the floors
 * (r = rest * w - floor * W, two multiplications) and a radix select finds the threshold
 * remainder t of the L-th largest, ties broken by index. That keeps the functions free of
 * scratch memory and their result independent of any sort's stability. */
#include "analytics/alloc.h"

#include <stddef.h>

typedef unsigned __int128 u128;

/* The cells of a split that keep a given value: the locked ones plus, for a rebalance, the
 * edited one. */
struct fixed_set {
    const unsigned char *locked;
    const int64_t *fixed;
    int edited; /* -1: none */
    int64_t edited_value;
};

static int is_fixed(const struct fixed_set *fs, int i)
{
    return i == fs->edited || (fs->locked && fs->locked[i]);
}

static int64_t fixed_value(const struct fixed_set *fs, int i)
{
    return i == fs->edited ? fs->edited_value : fs->fixed[i];
}

/* The remainder of unlocked cell i while out[i] holds its floor: rest * w[i] mod W. */
static u128 remainder_of(const int64_t *w, u128 rest, u128 wsum, const int64_t *out, int i)
{
    return rest * (u128)w[i] - (u128)out[i] * wsum;
}

/* Gives the `left` leftover units to the unlocked cells with the largest remainders, ties to
 * the lower index. out[] holds the floors on entry.
 *
 * A radix select finds t, the left-th largest remainder, eight bits per pass from the top
 * (remainders are < W < 2^94, so at most 12 passes plus one to hand out the units): each pass
 * counts the remainders that share the bits found so far by their next byte, in a 256-entry
 * histogram on the stack, and descends into the byte where the left-th largest falls. */
static void place_leftover(int n, const int64_t *w, const struct fixed_set *fs, u128 rest,
                           u128 wsum, int64_t *out, int64_t left)
{
    int bits = 0;
    for (u128 v = wsum - 1; v; v >>= 1)
        bits++;
    u128 prefix = 0;     /* the bits of t above `shift`, found so far */
    int64_t need = left; /* how many of the remainders matching prefix still to take */
    for (int shift = bits > 0 ? ((bits - 1) / 8) * 8 : 0; shift >= 0; shift -= 8) {
        int64_t hist[256] = {0};
        for (int i = 0; i < n; i++) {
            if (is_fixed(fs, i))
                continue;
            u128 r = remainder_of(w, rest, wsum, out, i);
            if (r >> (shift + 8) == prefix)
                hist[(unsigned)(r >> shift) & 255u]++;
        }
        int byte = 255;
        while (hist[byte] < need) /* terminates: the matching remainders number >= need */
            need -= hist[byte--];
        prefix = (prefix << 8) | (u128)byte;
    }
    /* Now prefix == t: every cell above t gets one (left - need of them), then `need` cells
     * exactly at t in index order. Raising a cell changes only its own remainder, which is
     * read before it is raised. */
    u128 t = prefix;
    for (int i = 0; i < n; i++) {
        if (is_fixed(fs, i))
            continue;
        u128 r = remainder_of(w, rest, wsum, out, i);
        if (r > t) {
            out[i]++;
        } else if (r == t && need > 0) {
            out[i]++;
            need--;
        }
    }
}

static int split_core(int64_t total, int n, const int64_t *w, const struct fixed_set *fs,
                      int64_t *out)
{
    if (n < 0 || total < 0)
        return ALLOC_EINVAL;
    if (n > 0 && (!w || !out))
        return ALLOC_EINVAL;
    if (fs->locked && !fs->fixed)
        return ALLOC_EINVAL;

    u128 fixed_sum = 0, wsum = 0;
    int64_t unlocked = 0;
    for (int i = 0; i < n; i++) {
        if (is_fixed(fs, i)) {
            int64_t f = fixed_value(fs, i);
            if (f < 0)
                return ALLOC_EINVAL;
            fixed_sum += (u128)f;
        } else {
            if (w[i] < 0)
                return ALLOC_EINVAL;
            wsum += (u128)w[i];
            unlocked++;
        }
    }
    if (fixed_sum > (u128)total)
        return ALLOC_EINFEASIBLE;
    int64_t rest = total - (int64_t)fixed_sum;
    if (unlocked == 0 && rest != 0)
        return ALLOC_EINFEASIBLE;

    if (wsum == 0) {
        /* Equal split: the same as weights all 1 (equal remainders, lower index first). */
        int64_t base = unlocked ? rest / unlocked : 0;
        int64_t extra = unlocked ? rest % unlocked : 0;
        for (int i = 0; i < n; i++) {
            if (is_fixed(fs, i)) {
                out[i] = fixed_value(fs, i);
            } else {
                out[i] = base + (extra > 0);
                if (extra > 0)
                    extra--;
            }
        }
        return ALLOC_OK;
    }

    u128 r128 = (u128)rest;
    int64_t given = 0;
    for (int i = 0; i < n; i++) {
        if (is_fixed(fs, i)) {
            out[i] = fixed_value(fs, i);
        } else {
            out[i] = (int64_t)(r128 * (u128)w[i] / wsum); /* <= rest */
            given += out[i];                              /* sum of floors <= rest: no overflow */
        }
    }
    int64_t left = rest - given; /* < number of unlocked cells */
    if (left > 0)
        place_leftover(n, w, fs, r128, wsum, out, left);
    return ALLOC_OK;
}

int alloc_split(int64_t total, int n, const int64_t *w, const unsigned char *locked,
                const int64_t *fixed, int64_t *out)
{
    struct fixed_set fs = {locked, fixed, -1, 0};
    return split_core(total, n, w, &fs, out);
}

int alloc_rebalance(int64_t total, int n, const int64_t *cur, const unsigned char *locked,
                    int edited, int64_t value, int64_t *out)
{
    if (n < 0 || edited < 0 || edited >= n || value < 0 || !cur)
        return ALLOC_EINVAL;
    struct fixed_set fs = {locked, cur, edited, value};
    return split_core(total, n, cur, &fs, out);
}

int alloc_blend(int n, int k, const int64_t *w, const int *pct, int64_t *out)
{
    if (n < 0 || k < 1 || !pct)
        return ALLOC_EINVAL;
    if (n > 0 && (!w || !out))
        return ALLOC_EINVAL;
    int pct_sum = 0;
    for (int j = 0; j < k; j++) {
        if (pct[j] < 0 || pct[j] > 100)
            return ALLOC_EINVAL;
        pct_sum += pct[j];
        if (pct_sum > 100)
            return ALLOC_EINVAL;
    }
    if (pct_sum != 100)
        return ALLOC_EINVAL;
    for (int64_t x = 0; x < (int64_t)n * k; x++) {
        if (w[x] < 0)
            return ALLOC_EINVAL;
    }

    /* P: the percentages of the bases that have something in them. The basis sums are
     * recomputed in the accumulation pass rather than stored, to need no scratch memory. */
    int active = 0;
    for (int j = 0; j < k; j++) {
        u128 s = 0;
        for (int i = 0; i < n; i++)
            s += (u128)w[(size_t)j * (size_t)n + (size_t)i];
        if (s > 0)
            active += pct[j];
    }
    for (int i = 0; i < n; i++)
        out[i] = 0;
    if (active == 0)
        return ALLOC_OK;
    for (int j = 0; j < k; j++) {
        const int64_t *row = w + (size_t)j * (size_t)n;
        u128 s = 0;
        for (int i = 0; i < n; i++)
            s += (u128)row[i];
        if (s == 0 || pct[j] == 0)
            continue;
        for (int i = 0; i < n; i++) {
            u128 norm = (u128)row[i] * (u128)ALLOC_BLEND_SCALE / s; /* <= 10^12 */
            out[i] += (int64_t)(norm * (u128)pct[j]);               /* total <= 10^14 */
        }
    }
    if (active != 100) {
        for (int i = 0; i < n; i++)
            out[i] = (int64_t)((u128)out[i] * 100 / (u128)active);
    }
    return ALLOC_OK;
}
