/* test_competitors.c -- competitors (svc/risk/competitor.c, signals_competition.c): the share
 * rule (the competitors of one account and family hold at most 100 %, exactly 100 % allowed,
 * another family apart, null shares not counted, a refused write leaves nothing), the one
 * presence per competitor, account and family, delete refused while in use, a future move
 * refused, a move raised as a risk once, and the two signals on their cases and near misses
 * (a move 30 days old fires, 31 not; a low move alone not; a share of 50 % fires, 49.9 % not).
 * Every test name starts with "competitors_". */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "fixture.h"
#include "svc/core/signal.h"
#include "svc/relationships/account.h"
#include "svc/risk/competitor.h"
#include "test.h"

#define NOW 1796558400LL /* 2026-12-06T12:00:00Z, 20:00 in China: today 2026-12-06 */
#define DAY 86400LL

struct cw {
    struct fixture f;
    int64_t owner, acc[4], c1, c2;
};

static int64_t new_account(struct fixture *f, int64_t owner, const char *code)
{
    struct account_in ai = {.set = ACC_CODE | ACC_NAME | ACC_OWNER};
    ai.v.code = code;
    ai.v.name = code;
    ai.v.owner_id = owner;
    struct account a;
    return account_create(fixture_ctx(f), &ai, &a) ? 0 : a.id;
}

static int64_t new_competitor(struct fixture *f, const char *name)
{
    struct competitor_in in = {.set = CO_NAME};
    in.v.name = name;
    struct competitor c;
    return competitor_create(fixture_ctx(f), &in, &c) ? 0 : c.id;
}

static int cw_open(struct cw *w)
{
    memset(w, 0, sizeof *w);
    if (!fixture_open(&w->f, FIXTURE_MEMORY, NOW))
        return 0;
    w->owner = fixture_add_user(&w->f, "am", "account_manager", 0);
    int ok = w->owner > 0;
    const char *codes[4] = {"K1", "K2", "K3", "K4"};
    for (int i = 0; i < 4 && ok; i++)
        ok = (w->acc[i] = new_account(&w->f, w->owner, codes[i])) > 0;
    ok = ok && (w->c1 = new_competitor(&w->f, "华信科技")) > 0 &&
         (w->c2 = new_competitor(&w->f, "ACME")) > 0;
    return fixture_setup_end(&w->f, ok);
}

static enum kam_err add_presence(struct cw *w, int64_t account, int64_t comp, const char *fam,
                                 int64_t share, int has_share, int64_t *id)
{
    struct presence_in in = {.set = PR_COMPETITOR | PR_FAMILY | PR_SHARE};
    in.v.competitor_id = comp;
    in.v.family = fam;
    in.v.share_bp = share;
    in.v.has_share = has_share;
    struct presence p;
    enum kam_err rc = presence_create(fixture_ctx(&w->f), account, &in, &p);
    if (id)
        *id = rc ? 0 : p.id;
    return rc;
}

static const char *day_ago(int64_t ago)
{
    static char s[4][16];
    static int k;
    int y, m, d;
    days_to_date((NOW + 8 * 3600) / DAY - ago, &y, &m, &d);
    char *o = s[k++ % 4];
    snprintf(o, 16, "%04d-%02d-%02d", y, m, d);
    return o;
}

static enum kam_err add_move(struct cw *w, int64_t account, int64_t comp, int64_t ago,
                             const char *severity, int64_t *id)
{
    struct move_in in = {.set = MV_COMPETITOR | MV_DAY | MV_KIND | MV_SEVERITY | MV_DESC};
    in.v.competitor_id = comp;
    in.v.day = day_ago(ago);
    in.v.kind = "price_cut";
    in.v.severity = severity;
    in.v.description = "降价 8%";
    struct move m;
    enum kam_err rc = move_create(fixture_ctx(&w->f), account, &in, &m);
    if (id)
        *id = rc ? 0 : m.id;
    return rc;
}

TEST(competitors_share_sum)
{
    struct cw w;
    if (!cw_open(&w))
        return;
    struct fixture *f = &w.f;
    int64_t p1 = 0, p2 = 0;
    CHECK_EQ_INT(add_presence(&w, w.acc[0], w.c1, "F", 6000, 1, &p1), KAM_OK);
    /* 6000 + 4001 > 10000: refused naming share_bp, nothing written */
    int64_t rows = fixture_q64(f, "SELECT COUNT(*) FROM competitor_presence");
    int64_t audits = fixture_q64(f, "SELECT COUNT(*) FROM audit");
    fixture_check_err(f, add_presence(&w, w.acc[0], w.c2, "F", 4001, 1, NULL), KAM_EINVAL,
                      "share_bp");
    CHECK_EQ_STR(f->e.key, "competitor.share_sum");
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM competitor_presence"), rows);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit"), audits);
    /* exactly 100 % is allowed */
    CHECK_EQ_INT(add_presence(&w, w.acc[0], w.c2, "F", 4000, 1, &p2), KAM_OK);
    /* another family and another account are apart; a null share does not count */
    CHECK_EQ_INT(add_presence(&w, w.acc[0], w.c2, "G", 9000, 1, NULL), KAM_OK);
    CHECK_EQ_INT(add_presence(&w, w.acc[1], w.c2, "F", 9000, 1, NULL), KAM_OK);
    CHECK_EQ_INT(add_presence(&w, w.acc[0], w.c1, "", 0, 0, NULL), KAM_OK);
    /* the same competitor, account and family again: 409 naming family */
    fixture_check_err(f, add_presence(&w, w.acc[0], w.c1, "F", 0, 0, NULL), KAM_ECONFLICT,
                      "family");
    /* an update past 100 % refused; down, then the other up to the rest */
    struct presence_in up = {.set = PR_SHARE};
    up.v.share_bp = 6001;
    up.v.has_share = 1;
    struct presence out;
    fixture_check_err(f, presence_update(fixture_ctx(f), p1, &up, &out), KAM_EINVAL, "share_bp");
    up.v.share_bp = 5000;
    CHECK_EQ_INT(presence_update(fixture_ctx(f), p1, &up, &out), KAM_OK);
    CHECK_EQ_INT(out.share_bp, 5000);
    CHECK_EQ_INT(out.version, 2);
    up.v.share_bp = 5000;
    CHECK_EQ_INT(presence_update(fixture_ctx(f), p2, &up, &out), KAM_OK);
    CHECK_EQ_INT(out.share_bp, 5000);
    /* the same value again: no new version, no audit row */
    audits = fixture_q64(f, "SELECT COUNT(*) FROM audit");
    CHECK_EQ_INT(presence_update(fixture_ctx(f), p2, &up, &out), KAM_OK);
    CHECK_EQ_INT(out.version, 2);
    CHECK_EQ_INT(fixture_q64(f, "SELECT COUNT(*) FROM audit"), audits);
    /* the competitor of a presence cannot change */
    struct presence_in cc = {.set = PR_COMPETITOR};
    cc.v.competitor_id = w.c1;
    fixture_check_err(f, presence_update(fixture_ctx(f), p2, &cc, &out), KAM_EINVAL,
                      "competitor_id");
    fixture_close(f);
}

TEST(competitors_delete_and_moves)
{
    struct cw w;
    if (!cw_open(&w))
        return;
    struct fixture *f = &w.f;
    struct kam_ctx *ctx = fixture_ctx(f);
    int64_t mv = 0;
    CHECK_EQ_INT(add_move(&w, w.acc[0], w.c1, 0, "high", &mv), KAM_OK);
    /* a move tomorrow is refused */
    fixture_check_err(f, add_move(&w, w.acc[0], w.c1, -1, "high", NULL), KAM_EINVAL, "day");
    /* the competitor with a move cannot go; one without can */
    fixture_check_err(f, competitor_delete(fixture_ctx(f), w.c1), KAM_ECONFLICT, "id");
    CHECK_EQ_STR(f->e.key, "competitor.in_use");
    CHECK_EQ_INT(competitor_delete(fixture_ctx(f), w.c2), KAM_OK);
    CHECK_EQ_INT(fixture_q64(f,
                             "SELECT COUNT(*) FROM audit WHERE entity = 'competitor' AND action = "
                             "'delete'"),
                 1);
    /* a move of an inactive competitor is refused */
    struct competitor_in off = {.set = CO_ACTIVE};
    off.v.active = 0;
    struct competitor c;
    CHECK_EQ_INT(competitor_update(fixture_ctx(f), w.c1, &off, &c), KAM_OK);
    fixture_check_err(f, add_move(&w, w.acc[0], w.c1, 0, "low", NULL), KAM_EINVAL, "competitor_id");
    /* raised as a risk once: severity high -> 4 x 4, competitive, source competitor */
    int64_t rid = 0, rid2 = 0;
    int created = 0;
    CHECK_EQ_INT(move_raise_risk(fixture_ctx(f), mv, 0, 0, &rid, &created), KAM_OK);
    CHECK_EQ_INT(created, 1);
    char q[200];
    snprintf(q, sizeof q,
             "SELECT likelihood * 10 + impact FROM risks WHERE id = %lld AND category = "
             "'competitive' AND source = 'competitor' AND source_id = %lld",
             (long long)rid, (long long)mv);
    CHECK_EQ_INT(fixture_q64(f, q), 44);
    CHECK_EQ_INT(move_raise_risk(fixture_ctx(f), mv, 0, 0, &rid2, &created), KAM_OK);
    CHECK_EQ_INT(created, 0);
    CHECK_EQ_INT(rid2, rid);
    struct move m;
    CHECK_EQ_INT(move_get(fixture_ctx(f), mv, &m), KAM_OK);
    CHECK(m.has_risk && m.risk_id == rid);
    /* a raised move stays */
    fixture_check_err(f, move_delete(fixture_ctx(f), mv), KAM_ECONFLICT, "id");
    (void)ctx;
    fixture_close(f);
}

/* ---- signals ---- */

struct hit {
    int64_t account, value;
    char evidence[2048];
};

struct hits {
    struct hit v[16];
    int n;
};

static enum kam_err collect(void *arg, const struct signal_hit *h)
{
    struct hits *hs = arg;
    if (hs->n < 16) {
        hs->v[hs->n].account = h->account_id;
        hs->v[hs->n].value = h->value_milli;
        snprintf(hs->v[hs->n].evidence, sizeof hs->v[hs->n].evidence, "%s", h->evidence);
        hs->n++;
    }
    return KAM_OK;
}

static const struct hit *find(const struct hits *hs, int64_t account)
{
    for (int i = 0; i < hs->n; i++)
        if (hs->v[i].account == account)
            return &hs->v[i];
    return NULL;
}

static int run(struct fixture *f, const char *key, struct hits *out)
{
    memset(out, 0, sizeof *out);
    const struct signal_def *d = signals_competition;
    while (d->key && strcmp(d->key, key))
        d++;
    CHECK(d->key != NULL);
    if (!d->key)
        return 0;
    struct signal_rule r = {d, 1, d->threshold_milli, d->severity, d->dept, d->params};
    enum kam_err rc = d->eval(fixture_ctx(f), &r, NULL, 0, collect, out);
    CHECK_EQ_INT(rc, KAM_OK);
    return rc == KAM_OK;
}

TEST(competitors_signal_move)
{
    struct cw w;
    if (!cw_open(&w))
        return;
    struct fixture *f = &w.f;
    int64_t m30 = 0, m31 = 0;
    /* K1: a high move 30 days old (in the window) and a low one today: worst 3 */
    CHECK_EQ_INT(add_move(&w, w.acc[0], w.c1, 30, "high", &m30), KAM_OK);
    CHECK_EQ_INT(add_move(&w, w.acc[0], w.c2, 0, "low", NULL), KAM_OK);
    /* K2: a high move 31 days old only (the near miss) */
    CHECK_EQ_INT(add_move(&w, w.acc[1], w.c1, 31, "high", &m31), KAM_OK);
    /* K3: a low move yesterday only: 1 < 2 */
    CHECK_EQ_INT(add_move(&w, w.acc[2], w.c1, 1, "low", NULL), KAM_OK);
    /* K4: a medium move today: 2, at the threshold */
    CHECK_EQ_INT(add_move(&w, w.acc[3], w.c2, 0, "medium", NULL), KAM_OK);
    struct hits hs;
    if (!run(f, "competitor_move", &hs)) {
        fixture_close(f);
        return;
    }
    CHECK_EQ_INT(hs.n, 2);
    const struct hit *h = find(&hs, w.acc[0]);
    CHECK(h != NULL);
    if (h) {
        CHECK_EQ_INT(h->value, 3000);
        char want[64];
        snprintf(want, sizeof want, "\"kind\":\"competitor_move\",\"id\":%lld", (long long)m30);
        CHECK(strstr(h->evidence, want) != NULL);
        CHECK(strstr(h->evidence, "\"moves_count\":2") != NULL);
        CHECK(strstr(h->evidence, "\"since\":\"2026-11-06\"") != NULL);
    }
    CHECK(find(&hs, w.acc[1]) == NULL);
    CHECK(find(&hs, w.acc[2]) == NULL);
    h = find(&hs, w.acc[3]);
    CHECK(h != NULL && h->value == 2000);
    fixture_close(f);
}

TEST(competitors_signal_share)
{
    struct cw w;
    if (!cw_open(&w))
        return;
    struct fixture *f = &w.f;
    int64_t p50 = 0;
    /* K1: 50.00 % in F (fires, 50000) beside 30 % in G; K2: 49.90 % (near miss); K3: two
     * competitors of 40 % each (the largest share counts, not the sum) */
    CHECK_EQ_INT(add_presence(&w, w.acc[0], w.c1, "F", 5000, 1, &p50), KAM_OK);
    CHECK_EQ_INT(add_presence(&w, w.acc[0], w.c2, "G", 3000, 1, NULL), KAM_OK);
    CHECK_EQ_INT(add_presence(&w, w.acc[1], w.c1, "F", 4990, 1, NULL), KAM_OK);
    CHECK_EQ_INT(add_presence(&w, w.acc[2], w.c1, "F", 4000, 1, NULL), KAM_OK);
    CHECK_EQ_INT(add_presence(&w, w.acc[2], w.c2, "F", 4000, 1, NULL), KAM_OK);
    struct hits hs;
    if (!run(f, "competitor_share", &hs)) {
        fixture_close(f);
        return;
    }
    CHECK_EQ_INT(hs.n, 1);
    const struct hit *h = find(&hs, w.acc[0]);
    CHECK(h != NULL);
    if (h) {
        CHECK_EQ_INT(h->value, 50000);
        char want[80];
        snprintf(want, sizeof want, "\"kind\":\"competitor_presence\",\"id\":%lld", (long long)p50);
        CHECK(strstr(h->evidence, want) != NULL);
    }
    fixture_close(f);
}

TEST(competitors_our_share)
{
    struct cw w;
    if (!cw_open(&w))
        return;
    struct fixture *f = &w.f;
    int64_t share, sales, wallet;
    int has;
    CHECK_EQ_INT(competitor_our_share(fixture_ctx(f), w.acc[0], &share, &sales, &wallet, &has),
                 KAM_OK);
    CHECK_EQ_INT(has, 0);
    /* sales 2025-12 .. 2026-11 count (30000 + 3333), this month (2026-12) and 2025-11 not;
     * wallet 2026 = 100000: 33.33 % -> 3333 bp */
    char q[400];
    snprintf(q, sizeof q,
             "INSERT INTO sales_monthly_account (account_id, month, quantity, amount, lines) "
             "VALUES (%lld, 202511, 1, 99999, 1), (%lld, 202512, 1, 30000, 1), (%lld, 202611, 1, "
             "3333, 1), (%lld, 202612, 1, 77777, 1)",
             (long long)w.acc[0], (long long)w.acc[0], (long long)w.acc[0], (long long)w.acc[0]);
    CHECK_EQ_INT(db_exec(f->db, q, &f->e), KAM_OK);
    snprintf(q, sizeof q,
             "INSERT INTO wallet_estimates (account_id, year, amount, updated_at) VALUES (%lld, "
             "2025, 1, 1), (%lld, 2026, 100000, 1)",
             (long long)w.acc[0], (long long)w.acc[0]);
    CHECK_EQ_INT(db_exec(f->db, q, &f->e), KAM_OK);
    CHECK_EQ_INT(competitor_our_share(fixture_ctx(f), w.acc[0], &share, &sales, &wallet, &has),
                 KAM_OK);
    CHECK_EQ_INT(has, 1);
    CHECK_EQ_INT(sales, 33333);
    CHECK_EQ_INT(wallet, 100000);
    CHECK_EQ_INT(share, 3333);
    fixture_close(f);
}
