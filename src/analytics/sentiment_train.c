/* sentiment_train.c -- training and cross-validation of the sentiment model (sentiment.h) with
 * liblinear: L2-regularised logistic regression or L2-loss linear SVM over the hashed,
 * L2-normalised binary features, optionally scaled by naive Bayes log-count ratios (NB-SVM,
 * Wang & Manning 2012, "Baselines and Bigrams"; the ratios are computed on the training part
 * only, so cross-validation never sees the held-out fold). The weights of the scaled problem
 * are folded back (w_j * r_j), so the model stays one linear function of the features. */
#include <linear.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sentiment.h"

/* The C values tried: the SVM's best lie lower than logistic regression's. */
static const double grid_svm[] = {0.1, 0.3, 1, 3, 10}, grid_lr[] = {1, 3, 10, 30, 100};

const double *sentiment_c_grid(int solver, int *n)
{
    *n = 5;
    return solver == SENT_LR ? grid_lr : grid_svm;
}

void sentiment_train_defaults(struct sent_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->solver = SENT_SVM;
    o->C = 0;
    o->nb = 1;
    o->nb_alpha = 1;
    o->min_df[SENT_ZH] = 2;
    o->min_df[SENT_EN] = 2;
    o->folds = 5;
    o->lang_cfg[SENT_ZH] = (struct sent_feat_cfg){20, 3, SENT_F_WORDS | SENT_F_ZHNEG};
    o->lang_cfg[SENT_EN] = (struct sent_feat_cfg){18, 2, SENT_F_NEGATION | SENT_F_CHARS};
}

/* One example's features. */
struct doc {
    uint32_t *idx;
    int n;
    int y; /* +1 / -1 */
};

static void quiet(const char *s)
{
    (void)s;
}

static void set_why(char *why, size_t whylen, const char *msg)
{
    if (why && whylen)
        snprintf(why, whylen, "%s", msg);
}

static void free_docs(struct doc *d, int n)
{
    for (int i = 0; d && i < n; i++)
        free(d[i].idx);
    free(d);
}

/* Features of the examples of language lang (ex[i] routed by sentiment_lang_of unless
 * force). Returns the docs (count in *nd) or NULL. */
static struct doc *make_docs(const struct sent_example *ex, int n, int lang, int force,
                             const struct sent_feat_cfg *cfg, int *nd)
{
    uint32_t *buf = malloc(sizeof *buf * SENT_MAX_FEATS);
    struct doc *d = calloc((size_t)n + 1, sizeof *d);
    *nd = 0;
    if (!buf || !d) {
        free(buf);
        free(d);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        if (!force && sentiment_lang_of(ex[i].text, ex[i].len) != lang)
            continue;
        int nf = sentiment_features(ex[i].text, ex[i].len, lang, cfg, buf, NULL);
        if (nf < 0)
            goto oom;
        struct doc *x = &d[*nd];
        x->idx = malloc(sizeof *x->idx * (size_t)(nf ? nf : 1));
        if (!x->idx)
            goto oom;
        memcpy(x->idx, buf, sizeof *buf * (size_t)nf);
        x->n = nf;
        x->y = ex[i].label ? 1 : -1;
        (*nd)++;
    }
    free(buf);
    return d;
oom:
    free(buf);
    free_docs(d, *nd);
    return NULL;
}

/* Trains on the docs with in[i] set; w (dim + 1 doubles: the last is the bias) gets the
 * weights in the unscaled feature space, pruned to features in >= min_df training docs. */
static int fit(const struct doc *d, int nd, const unsigned char *in, size_t dim,
               const struct sent_train_opts *o, int lang, double C, double *w)
{
    int rc = -1, l = 0;
    size_t nodes = 0;
    for (int i = 0; i < nd; i++)
        if (in[i])
            l++, nodes += (size_t)d[i].n + 2;
    double *r = malloc(sizeof *r * dim);
    double *p = calloc(dim, sizeof *p), *q = calloc(dim, sizeof *q);
    int *df = calloc(dim, sizeof *df);
    struct feature_node *pool = malloc(sizeof *pool * (nodes ? nodes : 1));
    struct feature_node **x = malloc(sizeof *x * (size_t)(l ? l : 1));
    double *y = malloc(sizeof *y * (size_t)(l ? l : 1));
    struct model *mod = NULL;
    if (!r || !p || !q || !df || !pool || !x || !y)
        goto out;
    for (int i = 0; i < nd; i++) {
        if (!in[i])
            continue;
        for (int k = 0; k < d[i].n; k++) {
            df[d[i].idx[k]]++;
            (d[i].y > 0 ? p : q)[d[i].idx[k]] += 1;
        }
    }
    /* NB log-count ratios over the buckets seen (alpha = 1) */
    double sp = 0, sq = 0, al = o->nb_alpha > 0 ? o->nb_alpha : 1;
    for (size_t j = 0; j < dim; j++)
        if (df[j])
            sp += p[j] + al, sq += q[j] + al;
    for (size_t j = 0; j < dim; j++)
        r[j] = o->nb && df[j] ? log((p[j] + al) / sp) - log((q[j] + al) / sq) : 1.0;
    size_t at = 0;
    int li = 0;
    for (int i = 0; i < nd; i++) {
        if (!in[i])
            continue;
        x[li] = pool + at;
        y[li] = d[i].y;
        double v = d[i].n ? 1.0 / sqrt((double)d[i].n) : 0;
        for (int k = 0; k < d[i].n; k++)
            pool[at++] = (struct feature_node){(int)d[i].idx[k] + 1, v * r[d[i].idx[k]]};
        pool[at++] = (struct feature_node){(int)dim + 1, 1.0};
        pool[at++] = (struct feature_node){-1, 0};
        li++;
    }
    struct problem prob = {l, (int)dim + 1, y, x, 1.0};
    struct parameter par;
    memset(&par, 0, sizeof par);
    set_print_string_function(quiet);
    memset(w, 0, sizeof *w * (dim + 1));
    /* SENT_ENS: the SVM at C and logistic regression at 10 C, each scaled to a unit weight
     * vector, averaged (still one linear function) */
    for (int k = 0; k < (o->solver == SENT_ENS ? 2 : 1); k++) {
        int lr = o->solver == SENT_LR || (o->solver == SENT_ENS && k == 1);
        par.solver_type = lr ? L2R_LR : L2R_L2LOSS_SVC_DUAL;
        par.eps = lr ? 0.01 : 0.1;
        par.C = o->solver == SENT_ENS && lr ? 10 * C : C;
        if (check_parameter(&prob, &par))
            goto out;
        srand(1); /* liblinear's solvers shuffle with rand(): the same model every run */
        mod = train(&prob, &par);
        if (!mod)
            goto out;
        double sign = mod->label[0] == 1 ? 1.0 : -1.0, norm = 1;
        if (o->solver == SENT_ENS) {
            norm = 0;
            for (size_t j = 0; j < dim; j++)
                norm += mod->w[j] * mod->w[j];
            norm = norm > 0 ? 2 * sqrt(norm) : 1;
        }
        for (size_t j = 0; j < dim; j++)
            w[j] += df[j] >= o->min_df[lang] ? sign * mod->w[j] * r[j] / norm : 0.0;
        w[dim] += sign * mod->w[dim] / norm;
        free_and_destroy_model(&mod); /* (it does not reset mod) */
        mod = NULL;
    }
    rc = 0;
out:
    if (mod)
        free_and_destroy_model(&mod);
    free(r);
    free(p);
    free(q);
    free(df);
    free(pool);
    free(x);
    free(y);
    return rc;
}

static double decision(const struct doc *d, const double *w, size_t dim)
{
    double s = 0;
    for (int k = 0; k < d->n; k++)
        s += w[d->idx[k]];
    return w[dim] + (d->n ? s / sqrt((double)d->n) : 0);
}

/* A doc's feature hash: the same text (after normalisation) gives the same hash. */
static uint64_t doc_hash(const struct doc *d)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)d->n;
    for (int k = 0; k < d->n; k++) {
        h ^= d->idx[k];
        h *= 0x100000001b3ULL;
        h ^= h >> 29;
    }
    return h;
}

struct keyed {
    uint64_t key;
    int i;
};

static int by_key(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key ? 1 : (x->i > y->i) - (x->i < y->i);
}

/* k-fold CV: out-of-fold decision values into dv (may be NULL); accuracy or -1. Texts with the
 * same features (duplicates: ChnSentiCorp's train split has 1,325 groups of them) are kept in
 * one fold, so a held-out text is never also in the training part. */
static double cv_docs(const struct doc *d, int nd, size_t dim, const struct sent_train_opts *o,
                      int lang, double C, int folds, double *dv)
{
    int *fold = malloc(sizeof *fold * (size_t)(nd ? nd : 1));
    int *perm = malloc(sizeof *perm * (size_t)(nd ? nd : 1));
    int *grp = malloc(sizeof *grp * (size_t)(nd ? nd : 1));
    struct keyed *key = malloc(sizeof *key * (size_t)(nd ? nd : 1));
    unsigned char *in = calloc((size_t)(nd ? nd : 1), 1);
    double *w = malloc(sizeof *w * (dim + 1));
    double acc = -1;
    if (!fold || !perm || !grp || !key || !in || !w || folds < 2 || nd < folds)
        goto out;
    /* groups of equal texts (sorted by feature hash) */
    for (int i = 0; i < nd; i++)
        key[i] = (struct keyed){doc_hash(&d[i]), i};
    qsort(key, (size_t)nd, sizeof *key, by_key);
    int ng = 0;
    for (int i = 0; i < nd; i++) {
        if (i == 0 || key[i].key != key[i - 1].key)
            ng++;
        grp[key[i].i] = ng - 1;
    }
    if (ng < folds)
        goto out;
    /* a seeded shuffle (xorshift) of the groups, then folds round-robin */
    uint64_t s = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < ng; i++)
        perm[i] = i;
    for (int i = ng - 1; i > 0; i--) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        int j = (int)(s % (uint64_t)(i + 1));
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (int i = 0; i < ng; i++)
        key[perm[i]].i = i % folds; /* key reused: the fold of group perm[i] */
    for (int i = 0; i < nd; i++)
        fold[i] = key[grp[i]].i;
    int right = 0;
    for (int f = 0; f < folds; f++) {
        for (int i = 0; i < nd; i++)
            in[i] = fold[i] != f;
        if (fit(d, nd, in, dim, o, lang, C, w))
            goto out;
        for (int i = 0; i < nd; i++) {
            if (in[i])
                continue;
            double v = decision(&d[i], w, dim);
            if (dv)
                dv[i] = v;
            right += (v >= 0) == (d[i].y > 0);
        }
    }
    acc = (double)right / nd;
out:
    free(fold);
    free(perm);
    free(grp);
    free(key);
    free(in);
    free(w);
    return acc;
}

double sentiment_cv(const struct sent_example *ex, int n, int lang, const struct sent_train_opts *o,
                    int folds, char *why, size_t whylen)
{
    if (lang != SENT_ZH && lang != SENT_EN) {
        set_why(why, whylen, "sentiment_cv needs a language");
        return -1;
    }
    const struct sent_feat_cfg *cfg = &o->lang_cfg[lang];
    int nd;
    struct doc *d = make_docs(ex, n, lang, 1, cfg, &nd);
    if (!d) {
        set_why(why, whylen, "out of memory");
        return -1;
    }
    double acc = cv_docs(d, nd, (size_t)1 << cfg->bits, o, lang, o->C, folds, NULL);
    if (acc < 0)
        set_why(why, whylen, "cross-validation failed (too few examples, or out of memory)");
    free_docs(d, nd);
    return acc;
}

/* Platt slope a (no offset, so the label and score >= 0.5 agree) by Newton's method; at least
 * 0.5, so that a model fitted on few texts (whose held-out folds say little) still separates
 * its scores from 0.5. */
static double platt(const struct doc *d, int nd, const double *dv)
{
    double a = 1;
    for (int it = 0; it < 100; it++) {
        double g = 0, h = 1e-12;
        for (int i = 0; i < nd; i++) {
            double m = d[i].y * dv[i];
            double sg = 1.0 / (1.0 + exp(a * m)); /* sigma(-a m) */
            g -= m * sg;
            h += m * m * sg * (1 - sg);
        }
        double na = a - g / h;
        if (!(na > 1e-3))
            na = a / 2;
        if (na > 1e3)
            na = 1e3;
        if (fabs(na - a) < 1e-9 * a) {
            a = na;
            break;
        }
        a = na;
    }
    return a < 0.5 ? 0.5 : a;
}

struct wbuf {
    unsigned char *p;
    size_t n, cap;
    int oom;
};

static void put(struct wbuf *b, const void *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap * 2 : 4096;
        while (c < b->n + n)
            c *= 2;
        unsigned char *np = realloc(b->p, c);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = c;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void put_u8(struct wbuf *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    put(b, &c, 1);
}

static void put_u32(struct wbuf *b, uint32_t v)
{
    unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put(b, c, 4);
}

static void put_f32(struct wbuf *b, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    put_u32(b, u);
}

static void put_varint(struct wbuf *b, uint32_t v)
{
    while (v >= 0x80) {
        put_u8(b, (v & 0x7F) | 0x80);
        v >>= 7;
    }
    put_u8(b, v);
}

/* One section: quantised weights (i16, scale = max |w| / 32767). */
static unsigned put_section(struct wbuf *b, int lang, const struct sent_feat_cfg *cfg,
                            const double *w, size_t dim, double a)
{
    double mx = 0;
    for (size_t j = 0; j < dim; j++)
        if (fabs(w[j]) > mx)
            mx = fabs(w[j]);
    double scale = mx > 0 ? mx / 32767.0 : 1.0;
    uint32_t nnz = 0;
    for (size_t j = 0; j < dim; j++)
        nnz += lrint(w[j] / scale) != 0;
    put_u8(b, (unsigned)lang);
    put_u8(b, cfg->bits);
    put_u8(b, cfg->ngram_max);
    put_u8(b, cfg->flags);
    put_f32(b, (float)scale);
    put_f32(b, (float)w[dim]);
    put_f32(b, (float)a);
    put_u32(b, nnz);
    size_t last = 0;
    int first = 1;
    for (size_t j = 0; j < dim; j++) {
        long q = lrint(w[j] / scale);
        if (!q)
            continue;
        put_varint(b, (uint32_t)(first ? j : j - last));
        first = 0;
        last = j;
        uint16_t u = (uint16_t)(int16_t)q;
        put_u8(b, u & 0xFF);
        put_u8(b, u >> 8);
    }
    return nnz;
}

int sentiment_train(const struct sent_example *ex, int n, int lang, const struct sent_train_opts *o,
                    unsigned char **file, size_t *file_len, struct sent_train_report *rep,
                    char *why, size_t whylen)
{
    *file = NULL;
    *file_len = 0;
    memset(rep, 0, sizeof *rep);
    if (o->folds < 2 || o->folds > 20 || o->min_df[SENT_ZH] < 1 || o->min_df[SENT_EN] < 1 ||
        o->C < 0 || (o->solver != SENT_LR && o->solver != SENT_SVM && o->solver != SENT_ENS)) {
        set_why(why, whylen, "invalid training options");
        return -1;
    }
    struct wbuf b = {0};
    double *w[3] = {0}, a[3] = {0};
    struct doc *docs[3] = {0};
    int nds[3] = {0}, nsec = 0, rc = -1;
    for (int L = SENT_ZH; L <= SENT_EN; L++) {
        if (lang != SENT_AUTO && lang != L)
            continue;
        const struct sent_feat_cfg *cfg = &o->lang_cfg[L];
        if (cfg->bits < 10 || cfg->bits > 22 || cfg->ngram_max < 1 || cfg->ngram_max > 5 ||
            (cfg->flags & ~SENT_F_ALL)) {
            set_why(why, whylen, "invalid feature options");
            goto out;
        }
        size_t dim = (size_t)1 << cfg->bits;
        docs[L] = make_docs(ex, n, L, lang != SENT_AUTO, cfg, &nds[L]);
        if (!docs[L]) {
            set_why(why, whylen, "out of memory");
            goto out;
        }
        struct doc *d = docs[L];
        int nd = nds[L], pos = 0;
        for (int i = 0; i < nd; i++)
            pos += d[i].y > 0;
        rep->n[L] = nd;
        rep->pos[L] = pos;
        if (pos == 0 || pos == nd || nd < o->folds)
            continue; /* no section: one class only, or too few */
        double *dv = malloc(sizeof *dv * (size_t)nd), *dv_best = malloc(sizeof *dv * (size_t)nd);
        w[L] = malloc(sizeof *w[L] * (dim + 1));
        if (!dv || !dv_best || !w[L]) {
            free(dv);
            free(dv_best);
            set_why(why, whylen, "out of memory");
            goto out;
        }
        double bestC = o->C, best = -1;
        int ngrid;
        const double *grid = sentiment_c_grid(o->solver, &ngrid);
        for (int g = 0; g < (o->C > 0 ? 1 : ngrid); g++) {
            double C = o->C > 0 ? o->C : grid[g];
            double acc = cv_docs(d, nd, dim, o, L, C, o->folds, dv);
            if (acc < 0) {
                free(dv);
                free(dv_best);
                set_why(why, whylen, "training failed (out of memory?)");
                goto out;
            }
            if (acc > best + 1e-12) {
                best = acc, bestC = C;
                memcpy(dv_best, dv, sizeof *dv * (size_t)nd);
            }
        }
        a[L] = platt(d, nd, dv_best);
        free(dv);
        free(dv_best);
        unsigned char *all = malloc((size_t)nd);
        if (!all) {
            set_why(why, whylen, "out of memory");
            goto out;
        }
        memset(all, 1, (size_t)nd);
        int frc = fit(d, nd, all, dim, o, L, bestC, w[L]);
        free(all);
        if (frc) {
            set_why(why, whylen, "training failed (out of memory?)");
            goto out;
        }
        rep->C[L] = bestC;
        rep->cv_acc[L] = best;
        rep->platt_a[L] = a[L];
        nsec++;
    }
    if (!nsec) {
        set_why(why, whylen,
                "nothing to learn from: each language needs positive and negative examples");
        goto out;
    }
    put(&b, "KAMSENT", 8);
    put_u32(&b, 1);
    put_u32(&b, (uint32_t)nsec);
    for (int L = SENT_ZH; L <= SENT_EN; L++)
        if (w[L])
            rep->nnz[L] =
                put_section(&b, L, &o->lang_cfg[L], w[L], (size_t)1 << o->lang_cfg[L].bits, a[L]);
    put_u32(&b, (uint32_t)crc32(crc32(0L, Z_NULL, 0), b.p, (uInt)b.n));
    if (b.oom) {
        set_why(why, whylen, "out of memory");
        goto out;
    }
    /* the written file read back: the share of training texts whose label it keeps */
    struct sentiment_model *m;
    if (sentiment_model_load(b.p, b.n, &m, why, whylen))
        goto out;
    int same = 0, total = 0;
    for (int i = 0; i < n; i++) {
        int L = lang != SENT_AUTO ? lang : sentiment_lang_of(ex[i].text, ex[i].len);
        if (!w[L])
            continue;
        uint32_t *buf = malloc(sizeof *buf * SENT_MAX_FEATS);
        int nf =
            buf ? sentiment_features(ex[i].text, ex[i].len, L, &o->lang_cfg[L], buf, NULL) : -1;
        if (nf < 0) {
            free(buf);
            sentiment_model_free(m);
            set_why(why, whylen, "out of memory");
            goto out;
        }
        struct doc dd = {buf, nf, 0};
        double fv = decision(&dd, w[L], (size_t)1 << o->lang_cfg[L].bits);
        free(buf);
        double qv;
        /* classify_ex routes by script; a forced language reads every text with its rules */
        if (lang == SENT_AUTO) {
            if (sentiment_classify_ex(m, ex[i].text, ex[i].len, NULL, NULL, &qv) < 0) {
                sentiment_model_free(m);
                set_why(why, whylen, "out of memory");
                goto out;
            }
            same += (qv >= 0) == (fv >= 0);
        } else {
            same++;
        }
        total++;
    }
    sentiment_model_free(m);
    rep->quant_agree = total ? (double)same / total : 1;
    *file = b.p;
    *file_len = b.n;
    b.p = NULL;
    rc = 0;
out:
    free(b.p);
    for (int L = 0; L < 3; L++) {
        free(w[L]);
        free_docs(docs[L], nds[L]);
    }
    return rc;
}
