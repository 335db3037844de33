/* behaviour.c -- per-account purchase behaviour: intervals, RFM, trend, seasonality, family mix,
 * co-purchase affinity and cross-sell (see behaviour.h).
 *
 * Everything is a pure function of its arrays. Sorting always uses a total order (ties broken by
 * index or by exact integer comparison), so results never depend on qsort's instability and are
 * the same on every platform that has IEEE doubles. */
#include "analytics/behaviour.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

typedef unsigned __int128 u128;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n), n > 0, sorting v in place. */
static double median_double(double *v, size_t n)
{
    qsort(v, n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int all_finite(const double *y, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return 0;
    return 1;
}

/* ---- intervals ---- */

enum kam_err behaviour_intervals(const int32_t *days, int n, int32_t today, struct arena *a,
                                 struct behaviour_intervals *out)
{
    *out = (struct behaviour_intervals){0};
    if (n < 0 || (n > 0 && !days))
        return KAM_EINVAL;
    if (n > BEHAVIOUR_MAX_ORDERS)
        return KAM_ETOOBIG;
    for (int i = 1; i < n; i++)
        if (days[i] < days[i - 1])
            return KAM_EINVAL;
    if (n == 0)
        return KAM_OK;

    /* Gaps between distinct days; a day repeated (several orders) adds no gap. */
    int64_t *gap = arena_alloc(a, sizeof(int64_t) * (size_t)n);
    int ng = 0;
    for (int i = 1; i < n; i++)
        if (days[i] != days[i - 1])
            gap[ng++] = (int64_t)days[i] - days[i - 1];
    out->orders = ng + 1;
    out->intervals = ng;
    out->last_day = days[n - 1];
    out->regularity = BEHAVIOUR_INSUFFICIENT;
    if (ng == 0)
        return KAM_OK;

    double sum = 0;
    for (int i = 0; i < ng; i++)
        sum += (double)gap[i];
    double mean = sum / ng, ss = 0;
    for (int i = 0; i < ng; i++)
        ss += ((double)gap[i] - mean) * ((double)gap[i] - mean);
    out->mean_days = mean;
    out->cv = sqrt(ss / ng) / mean; /* mean >= 1: days are distinct */
    qsort(gap, (size_t)ng, sizeof gap[0], cmp_i64);
    /* Integer median * 2 keeps the half exact. */
    int64_t med2 = ng % 2 ? 2 * gap[ng / 2] : gap[ng / 2 - 1] + gap[ng / 2];
    out->median_days = (double)med2 / 2;
    if (out->orders >= BEHAVIOUR_MIN_ORDERS)
        out->regularity = out->cv < BEHAVIOUR_REGULAR_CV ? BEHAVIOUR_REGULAR : BEHAVIOUR_IRREGULAR;

    int64_t next = (int64_t)out->last_day + (med2 + 1) / 2; /* half rounds up */
    out->has_next = 1;
    out->next_day = next > INT32_MAX ? INT32_MAX : (int32_t)next;
    if (today > out->next_day) {
        out->overdue = 1;
        out->days_overdue = today - out->next_day;
    }
    return KAM_OK;
}

/* ---- RFM ---- */

enum kam_err behaviour_rfm(const int32_t *days, const int64_t *amounts, int n, int32_t today,
                           struct behaviour_rfm *out)
{
    *out = (struct behaviour_rfm){0, -1, 0, 0};
    if (n < 0 || (n > 0 && (!days || !amounts)))
        return KAM_EINVAL;
    int64_t from = (int64_t)today - BEHAVIOUR_RFM_WINDOW_DAYS; /* exclusive */
    int32_t last = 0;
    for (int i = 0; i < n; i++) {
        if (days[i] > today)
            continue;
        if (!out->has_orders || days[i] > last)
            last = days[i];
        out->has_orders = 1;
        if (days[i] > from) {
            out->frequency++;
            if (__builtin_add_overflow(out->monetary, amounts[i], &out->monetary))
                return KAM_EINVAL;
        }
    }
    if (out->has_orders)
        out->recency_days = today - last;
    return KAM_OK;
}

void behaviour_sort_i64(int64_t *v, int n)
{
    if (n > 1)
        qsort(v, (size_t)n, sizeof v[0], cmp_i64);
}

/* First index whose value is >= v (strict: > v). */
static int bound(const int64_t *s, int m, int64_t v, int strict)
{
    int lo = 0, hi = m;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strict ? s[mid] <= v : s[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int behaviour_quintile(int64_t value, const int64_t *sorted, int m, int higher_is_better)
{
    if (m <= 0 || !sorted)
        return 0;
    int64_t lo = bound(sorted, m, value, 0), hi = bound(sorted, m, value, 1);
    int64_t equal = hi - lo, worse = higher_is_better ? lo : m - hi;
    int64_t s = 1 + 5 * (2 * worse + equal) / (2 * (int64_t)m);
    return s < 1 ? 1 : s > 5 ? 5 : (int)s;
}

void behaviour_rfm_score(const struct behaviour_rfm *v, const int64_t *recency_sorted,
                         const int64_t *frequency_sorted, const int64_t *monetary_sorted, int m,
                         struct behaviour_rfm_score *out)
{
    out->r =
        v->has_orders ? behaviour_quintile(v->recency_days, recency_sorted, m, 0) : (m > 0 ? 1 : 0);
    out->f = behaviour_quintile(v->frequency, frequency_sorted, m, 1);
    out->m = behaviour_quintile(v->monetary, monetary_sorted, m, 1);
}

/* ---- trend ---- */

enum kam_err behaviour_trend(const double *y, int n, struct arena *a, struct behaviour_trend *out)
{
    *out = (struct behaviour_trend){0};
    if (n > BEHAVIOUR_MAX_MONTHS)
        return KAM_ETOOBIG;
    if (n < 0 || (n > 0 && !y) || !all_finite(y, n))
        return KAM_EINVAL;
    out->n = n;
    if (n == 0)
        return KAM_OK;
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += y[i];
    out->mean = sum / n;
    if (n >= 24) {
        double last = 0, prev = 0;
        for (int i = n - 12; i < n; i++)
            last += y[i];
        for (int i = n - 24; i < n - 12; i++)
            prev += y[i];
        if (prev > 0) {
            out->has_yoy = 1;
            out->yoy_pct = 100 * (last / prev - 1);
        }
    }
    if (n < 2)
        return KAM_OK;

    double xbar = (n - 1) / 2.0, sxy = 0, sxx = 0;
    for (int i = 0; i < n; i++) {
        sxy += (i - xbar) * (y[i] - out->mean);
        sxx += (i - xbar) * (i - xbar);
    }
    out->ols_slope = sxy / sxx;

    size_t np = (size_t)n * (size_t)(n - 1) / 2, k = 0;
    double *sl = arena_alloc(a, sizeof(double) * np);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            sl[k++] = (y[j] - y[i]) / (j - i);
    out->theil_sen_slope = median_double(sl, np);

    if (out->mean > 0) {
        out->ols_pct_year = 1200 * out->ols_slope / out->mean;
        out->theil_sen_pct_year = 1200 * out->theil_sen_slope / out->mean;
        out->label = out->theil_sen_pct_year > BEHAVIOUR_TREND_PCT    ? BEHAVIOUR_GROWING
                     : out->theil_sen_pct_year < -BEHAVIOUR_TREND_PCT ? BEHAVIOUR_DECLINING
                                                                      : BEHAVIOUR_STABLE;
    }
    return KAM_OK;
}

/* ---- seasonality ---- */

static void season_none(struct behaviour_season *out)
{
    *out = (struct behaviour_season){0};
    for (int m = 0; m < 12; m++)
        out->index[m] = 1;
}

/* The detrended value of point t (y / CMA or y / level), or NAN when it has none. */
static double detrended(const double *y, int n, int t, enum behaviour_season_method method,
                        double level)
{
    if (method == BEHAVIOUR_SEASON_MONTH_MEANS)
        return y[t] / level;
    if (t < 6 || t + 6 >= n)
        return NAN;
    double c = 0.5 * y[t - 6] + 0.5 * y[t + 6];
    for (int i = t - 5; i <= t + 5; i++)
        c += y[i];
    c /= 12;
    return c > 0 ? y[t] / c : NAN;
}

enum kam_err behaviour_season(const double *y, int n, int first_month, struct behaviour_season *out)
{
    season_none(out);
    if (n > BEHAVIOUR_MAX_MONTHS)
        return KAM_ETOOBIG;
    if (n < 0 || first_month < 1 || first_month > 12 || (n > 0 && !y) || !all_finite(y, n))
        return KAM_EINVAL;
    if (n < 12)
        return KAM_OK;

    enum behaviour_season_method method =
        n >= 24 ? BEHAVIOUR_SEASON_RATIO_MA : BEHAVIOUR_SEASON_MONTH_MEANS;
    double level = 1;
    if (method == BEHAVIOUR_SEASON_MONTH_MEANS) {
        /* The level is the mean of the month means, so a month seen twice does not weigh more. */
        double msum[12] = {0};
        int mcnt[12] = {0};
        for (int t = 0; t < n; t++) {
            msum[(first_month - 1 + t) % 12] += y[t];
            mcnt[(first_month - 1 + t) % 12]++;
        }
        level = 0;
        for (int m = 0; m < 12; m++)
            level += msum[m] / mcnt[m] / 12;
        if (!(level > 0))
            return KAM_OK;
    }

    double rsum[12] = {0};
    int rcnt[12] = {0}, total = 0;
    for (int t = 0; t < n; t++) {
        double d = detrended(y, n, t, method, level);
        if (isnan(d))
            continue;
        rsum[(first_month - 1 + t) % 12] += d;
        rcnt[(first_month - 1 + t) % 12]++;
        total++;
    }
    if (total == 0)
        return KAM_OK;
    double raw[12], mean = 0;
    for (int m = 0; m < 12; m++) {
        raw[m] = rcnt[m] ? rsum[m] / rcnt[m] : 1; /* a month never seen: neutral */
        mean += raw[m] / 12;
    }
    if (!(mean > 0))
        return KAM_OK;
    out->method = method;
    for (int m = 0; m < 12; m++)
        out->index[m] = raw[m] / mean;

    /* Strength: how much of the detrended variation the indices explain. */
    double dsum = 0, rs = 0;
    for (int t = 0; t < n; t++) {
        double d = detrended(y, n, t, method, level);
        if (isnan(d))
            continue;
        dsum += d;
        rs += d - out->index[(first_month - 1 + t) % 12];
    }
    double dmean = dsum / total, rmean = rs / total, dvar = 0, rvar = 0;
    for (int t = 0; t < n; t++) {
        double d = detrended(y, n, t, method, level);
        if (isnan(d))
            continue;
        double r = d - out->index[(first_month - 1 + t) % 12];
        dvar += (d - dmean) * (d - dmean);
        rvar += (r - rmean) * (r - rmean);
    }
    out->strength = dvar > 0 ? 1 - rvar / dvar : 0;
    if (out->strength < 0)
        out->strength = 0;
    if (out->strength > 1)
        out->strength = 1;

    int peak = 0, trough = 0;
    for (int m = 1; m < 12; m++) {
        if (out->index[m] > out->index[peak])
            peak = m;
        if (out->index[m] < out->index[trough])
            trough = m;
    }
    out->peak_month = peak + 1;
    out->trough_month = trough + 1;
    return KAM_OK;
}

/* ---- mix ---- */

static int cmp_share(const void *a, const void *b)
{
    const struct behaviour_share *x = a, *y = b;
    if (x->amount != y->amount)
        return x->amount > y->amount ? -1 : 1;
    return (x->family > y->family) - (x->family < y->family);
}

enum kam_err behaviour_mix(const int64_t *amount, int n, struct behaviour_share *out)
{
    if (n < 0 || (n > 0 && (!amount || !out)))
        return KAM_EINVAL;
    u128 total = 0;
    for (int i = 0; i < n; i++) {
        if (amount[i] < 0)
            return KAM_EINVAL;
        total += (u128)amount[i];
    }
    double t = (double)total;
    for (int i = 0; i < n; i++)
        out[i] = (struct behaviour_share){i, amount[i], total ? (double)amount[i] / t : 0};
    if (n > 1)
        qsort(out, (size_t)n, sizeof out[0], cmp_share);
    return KAM_OK;
}

/* ---- affinity ---- */

static int cmp_pair(const void *pa, const void *pb)
{
    const struct behaviour_pair *x = pa, *y = pb;
    /* lift_x > lift_y  <=>  ab_x * a_y * b_y > ab_y * a_x * b_x (the basket count cancels);
     * counts < 2^31, so the products fit in 128 bits. */
    u128 lx = (u128)x->count_ab * (u128)y->count_a * (u128)y->count_b;
    u128 ly = (u128)y->count_ab * (u128)x->count_a * (u128)x->count_b;
    if (lx != ly)
        return lx > ly ? -1 : 1;
    if (x->count_ab != y->count_ab)
        return x->count_ab > y->count_ab ? -1 : 1;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

enum kam_err behaviour_affinity(const uint64_t *baskets, int nb, int nfam, int64_t min_count,
                                double min_support, struct arena *a,
                                struct behaviour_pair **pairs_out, int *npairs_out)
{
    *pairs_out = NULL;
    *npairs_out = 0;
    if (nb < 0 || nfam < 0 || nfam > BEHAVIOUR_MAX_FAMILIES || (nb > 0 && !baskets) ||
        isnan(min_support))
        return KAM_EINVAL;
    uint64_t allowed = nfam == 64 ? ~(uint64_t)0 : (((uint64_t)1 << nfam) - 1);
    for (int i = 0; i < nb; i++)
        if (baskets[i] & ~allowed)
            return KAM_EINVAL;
    if (nfam < 2 || nb == 0)
        return KAM_OK;

    int64_t single[64] = {0};
    int64_t *both = arena_calloc(a, 64 * 64, sizeof(int64_t)); /* both[lo * 64 + hi] */
    for (int i = 0; i < nb; i++) {
        int bits[64], nbits = 0;
        for (uint64_t m = baskets[i]; m; m &= m - 1)
            bits[nbits++] = __builtin_ctzll(m);
        for (int x = 0; x < nbits; x++) {
            single[bits[x]]++;
            for (int y = x + 1; y < nbits; y++)
                both[bits[x] * 64 + bits[y]]++;
        }
    }

    if (min_count < 1)
        min_count = 1;
    struct behaviour_pair *p = arena_alloc(a, sizeof(*p) * (size_t)nfam * (size_t)(nfam - 1));
    int np = 0;
    for (int x = 0; x < nfam; x++) {
        for (int y = 0; y < nfam; y++) {
            if (x == y)
                continue;
            int64_t ab = x < y ? both[x * 64 + y] : both[y * 64 + x];
            double support = (double)ab / nb;
            if (ab < min_count || support < min_support)
                continue;
            /* count_a * count_b is computed as a product of doubles in one order for (x, y) and
             * (y, x) alike, so lift is exactly symmetric. */
            double ca = (double)single[x], cb = (double)single[y];
            double lo = ca < cb ? ca : cb, hi = ca < cb ? cb : ca;
            p[np++] = (struct behaviour_pair){
                .a = x,
                .b = y,
                .count_a = single[x],
                .count_b = single[y],
                .count_ab = ab,
                .support = support,
                .confidence = (double)ab / ca,
                .lift = (double)ab * (double)nb / (lo * hi),
            };
        }
    }
    if (np > 1)
        qsort(p, (size_t)np, sizeof p[0], cmp_pair);
    *pairs_out = p;
    *npairs_out = np;
    return KAM_OK;
}

/* ---- whitespace ---- */

double behaviour_cosine(const double *x, const double *y, int n)
{
    double dot = 0, xx = 0, yy = 0;
    for (int i = 0; i < n; i++) {
        dot += x[i] * y[i];
        xx += x[i] * x[i];
        yy += y[i] * y[i];
    }
    if (xx == 0 || yy == 0)
        return 0;
    /* sqrt(xx * xx) == xx exactly in IEEE arithmetic, so a vector with itself gives 1. */
    double c = dot / sqrt(xx * yy);
    return c > 1 ? 1 : c < -1 ? -1 : c;
}

static int cmp_neighbour(const void *a, const void *b)
{
    const struct behaviour_neighbour *x = a, *y = b;
    if (x->similarity != y->similarity)
        return x->similarity > y->similarity ? -1 : 1;
    return (x->account > y->account) - (x->account < y->account);
}

static int cmp_suggestion(const void *a, const void *b)
{
    const struct behaviour_suggestion *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->expected_amount != y->expected_amount)
        return x->expected_amount > y->expected_amount ? -1 : 1;
    return (x->family > y->family) - (x->family < y->family);
}

static double row_total(const double *row, int families)
{
    double s = 0;
    for (int f = 0; f < families; f++)
        s += row[f];
    return s;
}

enum kam_err behaviour_whitespace(const double *m, int accounts, int families, int target, int k,
                                  struct arena *a, struct behaviour_neighbour **nb_out,
                                  int *nnb_out, struct behaviour_suggestion **sug_out,
                                  int *nsug_out)
{
    *nb_out = NULL;
    *sug_out = NULL;
    *nnb_out = *nsug_out = 0;
    if (accounts < 0 || families < 0 || families > 100000 || target < 0 || target >= accounts ||
        k < 0 || !m)
        return KAM_EINVAL;
    size_t cells = (size_t)accounts * (size_t)families;
    for (size_t i = 0; i < cells; i++)
        if (!isfinite(m[i]) || m[i] < 0)
            return KAM_EINVAL;

    const double *tr = m + (size_t)target * (size_t)families;
    struct behaviour_neighbour *cand =
        arena_alloc(a, sizeof(*cand) * (size_t)(accounts > 0 ? accounts : 1));
    int nc = 0;
    for (int j = 0; j < accounts; j++) {
        if (j == target)
            continue;
        double s = behaviour_cosine(tr, m + (size_t)j * (size_t)families, families);
        if (s > 0)
            cand[nc++] = (struct behaviour_neighbour){j, s};
    }
    if (nc > 1)
        qsort(cand, (size_t)nc, sizeof cand[0], cmp_neighbour);
    int nn = nc < k ? nc : k;
    *nb_out = cand;
    *nnb_out = nn;
    if (nn == 0)
        return KAM_OK;

    double sim_total = 0, *tot = arena_alloc(a, sizeof(double) * (size_t)nn);
    for (int i = 0; i < nn; i++) {
        sim_total += cand[i].similarity;
        tot[i] = row_total(m + (size_t)cand[i].account * (size_t)families, families);
    }
    double t_total = row_total(tr, families);
    struct behaviour_suggestion *sug =
        arena_alloc(a, sizeof(*sug) * (size_t)(families > 0 ? families : 1));
    int ns = 0;
    for (int f = 0; f < families; f++) {
        if (tr[f] != 0)
            continue;
        double ssim = 0, wshare = 0;
        int cnt = 0;
        for (int i = 0; i < nn; i++) {
            double v = m[(size_t)cand[i].account * (size_t)families + (size_t)f];
            if (v > 0) {
                ssim += cand[i].similarity;
                wshare += cand[i].similarity * v / tot[i]; /* tot > 0: similarity > 0 */
                cnt++;
            }
        }
        if (cnt == 0)
            continue;
        sug[ns++] =
            (struct behaviour_suggestion){f, ssim / sim_total, cnt, t_total * wshare / ssim};
    }
    if (ns > 1)
        qsort(sug, (size_t)ns, sizeof sug[0], cmp_suggestion);
    *sug_out = sug;
    *nsug_out = ns;
    return KAM_OK;
}
