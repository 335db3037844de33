/* breach_scan.c -- every obligation checked against what the data says (breach.h; the rules:
 * docs/CONTRACTS.md "Breach detection").
 *
 *   volume         the order lines of each complete period against the target, pro rata when
 *                  the contract covers part of the period; short beyond tolerance_bp: breach
 *   price          the order lines of products on the contract's price list, each against the
 *                  price engine's answer (svc/offers/price.h) when the engine answers from that
 *                  list: paid above it beyond tolerance_bp; one breach per month (and account,
 *                  currency), the lines in its evidence
 *   payment        each invoice against its due day under the terms (the obligation's days,
 *                  else the contract's payment_days, else the invoice's own due day): still
 *                  open after it, or paid after it
 *   service_level  each issue's first response and resolution against the hours agreed (the
 *                  obligation's, else the contract's, else the issue's own SLA deadlines)
 *   dated kinds    each occurrence (due_on and its recurrences) done by its day
 *
 * Days are China's (UTC+8), as everywhere in KAM; a day is judged once it has passed: an
 * invoice due today, a deliverable due today is never late yet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "breach.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/group.h"
#include "svc/core/notify.h"
#include "svc/core/rows.h"
#include "svc/core/settings.h"
#include "svc/offers/price.h"

#define CHINA (8 * 3600)
#define OCCURRENCES_MAX 1000 /* a recurrence's occurrences looked at, at most */

struct contract {
    int64_t id, account_id, owner_id;
    int covers_group, has_owner;
    const char *number, *currency;
    int64_t start, end; /* days */
    int64_t payment_days, sla_response, sla_resolution, price_list_id;
    int has_payment_days, has_sla_response, has_sla_resolution, has_price_list;
};

struct obligation {
    int64_t id;
    const char *side, *kind, *title, *family, *measure, *period, *recurrence;
    int64_t target, tolerance_bp, days, response_hours, resolution_hours, due;
    int has_family, has_target, has_days, has_response, has_resolution, has_due;
};

/* A breach as one check finds it. */
struct found {
    int64_t account_id;
    const char *occurrence, *severity, *currency, *evidence;
    int64_t at_stake, measured, expected;
};

struct scan {
    struct kam_ctx *ctx;
    struct breach_scan_report *r;
    int64_t today;
    const char *base_currency;
};

/* ---- days ---- */

static int64_t day_of(const char *s)
{
    int y, m, d;
    if (!s || date_parse(s, &y, &m, &d))
        return -1;
    return date_to_days(y, m, d);
}

static const char *day_text(struct kam_ctx *ctx, int64_t days)
{
    int y, m, d;
    days_to_date(days, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

/* day + n months, the day of month kept where it exists, else the month's last day. */
static int64_t add_months(int64_t day, int n)
{
    int y, m, d;
    days_to_date(day, &y, &m, &d);
    int months = y * 12 + (m - 1) + n;
    y = months / 12;
    m = months % 12 + 1;
    while (d > 28 && !date_valid(y, m, d))
        d--;
    return date_to_days(y, m, d);
}

static int step_months(const char *unit)
{
    return !strcmp(unit, "month")     ? 1
           : !strcmp(unit, "quarter") ? 3
           : !strcmp(unit, "year")    ? 12
                                      : 0;
}

/* The calendar period (month | quarter | year) holding day: its first and last day, its key
 * ("2026-07", "2026-Q3", "2026"). */
static void period_of(const char *period, int64_t day, int64_t *first, int64_t *last, char *key,
                      size_t keyn)
{
    int y, m, d;
    days_to_date(day, &y, &m, &d);
    int fm = m, months = 1;
    if (!strcmp(period, "quarter")) {
        fm = (m - 1) / 3 * 3 + 1;
        months = 3;
        snprintf(key, keyn, "%04d-Q%d", y, (m - 1) / 3 + 1);
    } else if (!strcmp(period, "year")) {
        fm = 1;
        months = 12;
        snprintf(key, keyn, "%04d", y);
    } else
        snprintf(key, keyn, "%04d-%02d", y, m);
    *first = date_to_days(y, fm, 1);
    *last = add_months(*first, months) - 1;
}

/* round(v * num / den) for non-negative figures, half up. */
static int64_t muldiv(int64_t v, int64_t num, int64_t den)
{
    int overflow = 0;
    int64_t r = price_muldiv(v, num, den, &overflow);
    return overflow ? INT64_MAX : r;
}

/* ---- reading ---- */

static void contract_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct contract *c = row;
    memset(c, 0, sizeof *c);
    c->id = db_col_i64(st, 0);
    c->account_id = db_col_i64(st, 1);
    c->covers_group = db_col_i64(st, 2) != 0;
    c->number = arena_strdup(ctx->a, db_col_text(st, 3));
    c->currency = arena_strdup(ctx->a, db_col_text(st, 4));
    c->start = day_of(db_col_text(st, 5));
    c->end = day_of(db_col_text(st, 6));
    c->has_payment_days = !db_col_is_null(st, 7);
    c->payment_days = db_col_i64(st, 7);
    c->has_sla_response = !db_col_is_null(st, 8);
    c->sla_response = db_col_i64(st, 8);
    c->has_sla_resolution = !db_col_is_null(st, 9);
    c->sla_resolution = db_col_i64(st, 9);
    c->has_price_list = !db_col_is_null(st, 10);
    c->price_list_id = db_col_i64(st, 10);
    c->has_owner = !db_col_is_null(st, 11);
    c->owner_id = db_col_i64(st, 11);
}

static void obligation_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct obligation *o = row;
    memset(o, 0, sizeof *o);
    o->id = db_col_i64(st, 0);
    o->side = arena_strdup(ctx->a, db_col_text(st, 1));
    o->kind = arena_strdup(ctx->a, db_col_text(st, 2));
    o->title = arena_strdup(ctx->a, db_col_text(st, 3));
    o->has_family = !db_col_is_null(st, 4);
    o->family = o->has_family ? arena_strdup(ctx->a, db_col_text(st, 4)) : NULL;
    o->measure = db_col_is_null(st, 5) ? "amount" : arena_strdup(ctx->a, db_col_text(st, 5));
    o->period = db_col_is_null(st, 6) ? "month" : arena_strdup(ctx->a, db_col_text(st, 6));
    o->has_target = !db_col_is_null(st, 7);
    o->target = db_col_i64(st, 7);
    o->tolerance_bp = db_col_i64(st, 8);
    o->has_days = !db_col_is_null(st, 9);
    o->days = db_col_i64(st, 9);
    o->has_response = !db_col_is_null(st, 10);
    o->response_hours = db_col_i64(st, 10);
    o->has_resolution = !db_col_is_null(st, 11);
    o->resolution_hours = db_col_i64(st, 11);
    o->due = day_of(db_col_is_null(st, 12) ? NULL : db_col_text(st, 12));
    o->has_due = o->due >= 0;
    o->recurrence = arena_strdup(ctx->a, db_col_text(st, 13));
}

#define CONTRACT_COLS                                                                              \
    "c.id, c.account_id, c.covers_group, c.number, c.currency, c.starts_on, c.ends_on, "           \
    "c.payment_days, c.sla_response_hours, c.sla_resolution_hours, c.price_list_id, "              \
    "COALESCE(c.owner_id, a.owner_id)"

static enum kam_err load_contracts(struct scan *s, int64_t contract_id, struct contract **v,
                                   size_t *n)
{
    struct kam_ctx *ctx = s->ctx;
    struct db_stmt *st;
    /* active and expiring contracts, and those expired within the last 400 days (a period
     * that ended with the contract is judged after it) */
    enum kam_err rc = db_prepare(
        ctx->db,
        contract_id ? "SELECT " CONTRACT_COLS " FROM contracts c JOIN accounts a ON a.id = "
                      "c.account_id WHERE c.id = ? AND c.status IN ('active', 'expiring', "
                      "'expired')"
                    : "SELECT " CONTRACT_COLS " FROM contracts c JOIN accounts a ON a.id = "
                      "c.account_id WHERE (c.status IN ('active', 'expiring') OR (c.status = "
                      "'expired' AND c.ends_on >= ?)) ORDER BY c.id",
        &st, ctx->err);
    if (rc)
        return rc;
    if (contract_id)
        db_bind_i64(st, 1, contract_id);
    else
        db_bind_text(st, 1, day_text(ctx, s->today - 400));
    return rows_collect(ctx, st, 100000, contract_row, sizeof **v, (void **)v, n);
}

static enum kam_err load_obligations(struct kam_ctx *ctx, int64_t contract_id,
                                     struct obligation **v, size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT id, side, kind, title, family, measure, period, target, tolerance_bp, days, "
        "response_hours, resolution_hours, due_on, recurrence FROM contract_obligations WHERE "
        "contract_id = ? AND active = 1 ORDER BY id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, contract_id);
    return rows_collect(ctx, st, 10000, obligation_row, sizeof **v, (void **)v, n);
}

/* " AND <col> IN (the contract's accounts)" */
static void accounts_cond(struct sqlb *b, const char *col, const struct contract *c)
{
    sqlb_sql(b, " AND ");
    sqlb_sql(b, col);
    if (c->covers_group) {
        sqlb_sql(b, " IN " GROUP_IDS_SQL);
        sqlb_i64(b, c->account_id);
    } else {
        sqlb_sql(b, " = ?");
        sqlb_i64(b, c->account_id);
    }
}

/* ---- recording ---- */

static void id_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    (void)ctx;
    *(int64_t *)row = db_col_i64(st, 0);
}

static const char *json_of(struct kam_ctx *ctx, struct buf *o)
{
    const char *s = arena_strndup(ctx->a, o->data, o->len);
    buf_release(o);
    return s;
}

static enum kam_err tell(struct scan *s, const struct contract *c, const struct obligation *o,
                         int64_t breach_id, const struct found *f)
{
    struct kam_ctx *ctx = s->ctx;
    struct db_stmt *st;
    /* the owner, and every enabled legal and finance user */
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id FROM users WHERE disabled = 0 AND (id = ? OR role IN "
                                 "('legal', 'finance')) ORDER BY id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, c->has_owner ? c->owner_id : 0);
    int64_t *ids;
    size_t n;
    if ((rc = rows_collect(ctx, st, 1000, id_row, sizeof *ids, (void **)&ids, &n)))
        return rc;
    const char *link = arena_printf(ctx->a, "/breaches/%lld", (long long)breach_id);
    struct kam_param params[] = {{"contract_number", c->number},
                                 {"obligation", o->title[0] ? o->title : o->kind},
                                 {"kind", o->kind},
                                 {"occurrence", f->occurrence},
                                 {0}};
    for (size_t i = 0; !rc && i < n; i++)
        rc = notify_add_msg(
            ctx, ids[i], "breach", "notify.breach_detected", params, NULL, link,
            arena_printf(ctx->a, "breach:%lld:%lld", (long long)breach_id, (long long)ids[i]),
            NULL);
    return rc;
}

static void found_diff(struct audit_diff *d, const struct found *b, const struct found *a)
{
    audit_diff_str(d, "severity", b ? b->severity : NULL, a->severity);
    audit_diff_i64(d, "at_stake", b ? b->at_stake : 0, !b, a->at_stake, 0);
    audit_diff_i64(d, "measured", b ? b->measured : 0, !b, a->measured, 0);
    audit_diff_i64(d, "expected", b ? b->expected : 0, !b, a->expected, 0);
}

/* Records f: a new breach (audited, people told), or the refreshed figures of a known open one
 * (audited when they changed). A breach once waived or cured stays as it was. */
static enum kam_err record(struct scan *s, const struct contract *c, const struct obligation *o,
                           const struct found *f)
{
    struct kam_ctx *ctx = s->ctx;
    s->r->found++;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO contract_breaches (contract_id, obligation_id, account_id, side, kind, "
        "occurrence, severity, at_stake, currency, measured, expected, evidence, status, "
        "owner_id, detected_at, last_seen_at, created_at, updated_at) VALUES "
        "(?,?,?,?,?,?,?,?,?,?,?,?,'detected',?,?,?,?,?) ON CONFLICT (obligation_id, occurrence) "
        "DO NOTHING RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, c->id);
    db_bind_i64(st, 2, o->id);
    db_bind_i64(st, 3, f->account_id);
    db_bind_text(st, 4, o->side);
    db_bind_text(st, 5, o->kind);
    db_bind_text(st, 6, f->occurrence);
    db_bind_text(st, 7, f->severity);
    db_bind_i64(st, 8, f->at_stake);
    db_bind_text(st, 9, f->currency);
    db_bind_i64(st, 10, f->measured);
    db_bind_i64(st, 11, f->expected);
    db_bind_text(st, 12, f->evidence);
    db_bind_i64n(st, 13, c->owner_id, !c->has_owner);
    for (int i = 14; i <= 17; i++)
        db_bind_i64(st, i, ctx->now);
    int row = 0;
    int64_t id = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    if (id) {
        s->r->detected++;
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_i64(&d, "contract_id", 0, 1, c->id, 0);
        audit_diff_i64(&d, "obligation_id", 0, 1, o->id, 0);
        audit_diff_str(&d, "occurrence", NULL, f->occurrence);
        audit_diff_str(&d, "status", NULL, "detected");
        found_diff(&d, NULL, f);
        if ((rc = audit_write(ctx, "breach", id, f->account_id, "create", &d)))
            return rc;
        return tell(s, c, o, id, f);
    }
    /* known: refresh an open one whose figures moved */
    if ((rc = db_prepare(ctx->db,
                         "SELECT id, severity, at_stake, measured, expected, account_id FROM "
                         "contract_breaches WHERE obligation_id = ? AND occurrence = ? AND status "
                         "IN ('detected', 'confirmed', 'action')",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, o->id);
    db_bind_text(st, 2, f->occurrence);
    struct found old = {0};
    int64_t account = 0;
    if (!(rc = db_step(st, &row, ctx->err)) && row) {
        id = db_col_i64(st, 0);
        old.severity = arena_strdup(ctx->a, db_col_text(st, 1));
        old.at_stake = db_col_i64(st, 2);
        old.measured = db_col_i64(st, 3);
        old.expected = db_col_i64(st, 4);
        account = db_col_i64(st, 5);
    }
    db_done(st);
    if (rc || !id)
        return rc;
    if (!strcmp(old.severity, f->severity) && old.at_stake == f->at_stake &&
        old.measured == f->measured && old.expected == f->expected)
        return KAM_OK;
    if ((rc = db_prepare(ctx->db,
                         "UPDATE contract_breaches SET severity = ?, at_stake = ?, measured = ?, "
                         "expected = ?, evidence = ?, last_seen_at = ?, version = version + 1, "
                         "updated_at = ? WHERE id = ?",
                         &st, ctx->err)))
        return rc;
    db_bind_text(st, 1, f->severity);
    db_bind_i64(st, 2, f->at_stake);
    db_bind_i64(st, 3, f->measured);
    db_bind_i64(st, 4, f->expected);
    db_bind_text(st, 5, f->evidence);
    db_bind_i64(st, 6, ctx->now);
    db_bind_i64(st, 7, ctx->now);
    db_bind_i64(st, 8, id);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    found_diff(&d, &old, f);
    return audit_write(ctx, "breach", id, account, "scan", &d);
}

/* ---- volume ---- */

struct volume_sum {
    int64_t quantity, amount; /* amount: the contract's currency */
    int64_t lines;
};

static enum kam_err volume_in(struct scan *s, const struct contract *c, const struct obligation *o,
                              int64_t from, int64_t to, struct volume_sum *v, struct buf *records)
{
    struct kam_ctx *ctx = s->ctx;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT COALESCE(SUM(l.quantity), 0), COALESCE(SUM(l.amount_base), 0), COUNT(*) "
                 "FROM order_lines l WHERE l.day BETWEEN ? AND ?");
    sqlb_i64(&b, from);
    sqlb_i64(&b, to);
    accounts_cond(&b, "l.account_id", c);
    if (o->has_family) {
        sqlb_sql(&b, " AND l.product_id IN (SELECT id FROM products WHERE family = ?)");
        sqlb_text(&b, o->family);
    }
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    int64_t base = 0;
    memset(v, 0, sizeof *v);
    if (!(rc = db_step(st, &row, ctx->err)) && row) {
        v->quantity = db_col_i64(st, 0);
        base = db_col_i64(st, 1);
        v->lines = db_col_i64(st, 2);
    }
    db_done(st);
    if (rc)
        return rc;
    if (strcmp(c->currency, s->base_currency)) {
        if ((rc = price_convert(ctx, "currency", base, s->base_currency, c->currency, &v->amount)))
            return rc;
    } else
        v->amount = base;
    if (!records)
        return KAM_OK;
    /* the evidence: the largest lines of the period */
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT l.id, l.day, p.sku, l.quantity, l.amount, l.currency FROM order_lines l "
                 "JOIN products p ON p.id = l.product_id WHERE l.day BETWEEN ? AND ?");
    sqlb_i64(&b, from);
    sqlb_i64(&b, to);
    accounts_cond(&b, "l.account_id", c);
    if (o->has_family) {
        sqlb_sql(&b, " AND p.family = ?");
        sqlb_text(&b, o->family);
    }
    sqlb_sql(&b, " ORDER BY l.amount_base DESC, l.id LIMIT 20");
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    struct jw w;
    jw_init(&w, records);
    jw_arr_begin(&w);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        jw_obj_begin(&w);
        jw_kstr(&w, "kind", "order_line");
        jw_ki64(&w, "id", db_col_i64(st, 0));
        jw_kstr(&w, "day", day_text(ctx, db_col_i64(st, 1)));
        jw_kstr(&w, "sku", db_col_text(st, 2));
        jw_ki64(&w, "quantity", db_col_i64(st, 3));
        jw_ki64(&w, "amount", db_col_i64(st, 4));
        jw_kstr(&w, "currency", db_col_text(st, 5));
        jw_obj_end(&w);
    }
    db_done(st);
    jw_arr_end(&w);
    return rc;
}

static int64_t measured_of(const struct obligation *o, const struct volume_sum *v)
{
    return !strcmp(o->measure, "quantity") ? v->quantity : v->amount;
}

/* The least a period may reach: expected less the tolerance. */
static int64_t floor_of(int64_t expected, int64_t tolerance_bp)
{
    return expected - muldiv(expected, tolerance_bp, 10000);
}

static enum kam_err check_volume(struct scan *s, const struct contract *c,
                                 const struct obligation *o)
{
    struct kam_ctx *ctx = s->ctx;
    if (!o->has_target || o->target <= 0 || step_months(o->period) == 0)
        return KAM_OK;
    enum kam_err rc = KAM_OK;
    int64_t day = c->start;
    for (int guard = 0; !rc && day <= c->end && guard < OCCURRENCES_MAX; guard++) {
        int64_t pf, pl;
        char key[24];
        period_of(o->period, day, &pf, &pl, key, sizeof key);
        int64_t from = pf > c->start ? pf : c->start, to = pl < c->end ? pl : c->end;
        day = pl + 1;
        if (to >= s->today) /* not over yet: the running period is judged on the contract page */
            break;
        int64_t expected = muldiv(o->target, to - from + 1, pl - pf + 1);
        struct volume_sum v;
        if ((rc = volume_in(s, c, o, from, to, &v, NULL)))
            break;
        int64_t actual = measured_of(o, &v), least = floor_of(expected, o->tolerance_bp);
        if (actual >= least)
            continue;
        struct buf records;
        buf_init(&records, 4096);
        if ((rc = volume_in(s, c, o, from, to, &v, &records))) {
            buf_release(&records);
            break;
        }
        int64_t shortfall = expected - actual;
        int64_t at_stake = shortfall;
        if (!strcmp(o->measure, "quantity"))
            at_stake = v.quantity > 0 ? muldiv(shortfall, v.amount, v.quantity) : 0;
        int64_t pct = expected > 0 ? muldiv(shortfall, 100, expected) : 100;
        struct buf ev;
        buf_init(&ev, 4096);
        struct jw w;
        jw_init(&w, &ev);
        jw_obj_begin(&w);
        jw_kstr(&w, "period", key);
        jw_kstr(&w, "from", day_text(ctx, from));
        jw_kstr(&w, "to", day_text(ctx, to));
        jw_kstr(&w, "measure", o->measure);
        if (o->has_family)
            jw_kstr(&w, "family", o->family);
        jw_ki64(&w, "target", o->target);
        jw_ki64(&w, "expected", expected);
        jw_ki64(&w, "tolerance_bp", o->tolerance_bp);
        jw_ki64(&w, "least", least);
        jw_ki64(&w, "actual", actual);
        jw_ki64(&w, "shortfall", shortfall);
        jw_ki64(&w, "lines", v.lines);
        jw_kstr(&w, "currency", c->currency);
        jw_key(&w, "records");
        jw_raw(&w, records.data, records.len);
        jw_obj_end(&w);
        buf_release(&records);
        struct found f = {.account_id = c->account_id,
                          .occurrence = arena_strdup(ctx->a, key),
                          .severity = pct >= 50   ? "high"
                                      : pct >= 20 ? "medium"
                                                  : "low",
                          .currency = c->currency,
                          .evidence = json_of(ctx, &ev),
                          .at_stake = at_stake,
                          .measured = actual,
                          .expected = expected};
        rc = record(s, c, o, &f);
    }
    return rc;
}

/* ---- price ---- */

struct price_month {
    char key[24];
    int64_t account_id;
    int64_t paid, agreed; /* in the lines' currency (the first line's) */
    const char *currency;
    int worst_bp;
    struct buf records;
    struct jw w;
    int n;
};

static enum kam_err flush_price(struct scan *s, const struct contract *c,
                                const struct obligation *o, struct price_month *m)
{
    if (!m->n)
        return KAM_OK;
    struct kam_ctx *ctx = s->ctx;
    jw_arr_end(&m->w);
    struct buf ev;
    buf_init(&ev, 4096);
    struct jw w;
    jw_init(&w, &ev);
    jw_obj_begin(&w);
    jw_kstr(&w, "month", m->key);
    jw_ki64(&w, "tolerance_bp", o->tolerance_bp);
    jw_ki64(&w, "lines", m->n);
    jw_ki64(&w, "paid", m->paid);
    jw_ki64(&w, "agreed", m->agreed);
    jw_kstr(&w, "currency", m->currency);
    jw_ki64(&w, "worst_bp", m->worst_bp);
    jw_key(&w, "records");
    jw_raw(&w, m->records.data, m->records.len);
    jw_obj_end(&w);
    buf_release(&m->records);
    /* a group's contract: one per subsidiary and month (and currency: a month's lines in two
     * currencies are two breaches) */
    const char *occ = c->covers_group ? arena_printf(ctx->a, "price:%s:%lld:%s", m->key,
                                                     (long long)m->account_id, m->currency)
                                      : arena_printf(ctx->a, "price:%s:%s", m->key, m->currency);
    struct found f = {.account_id = m->account_id,
                      .occurrence = occ,
                      .severity = m->worst_bp >= 1000  ? "high"
                                  : m->worst_bp >= 300 ? "medium"
                                                       : "low",
                      .currency = m->currency,
                      .evidence = json_of(ctx, &ev),
                      .at_stake = m->paid - m->agreed,
                      .measured = m->paid,
                      .expected = m->agreed};
    m->n = 0;
    return record(s, c, o, &f);
}

struct line {
    int64_t id, account_id, product_id, day, quantity, amount;
    const char *currency, *sku;
};

static void line_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct line *l = row;
    l->id = db_col_i64(st, 0);
    l->account_id = db_col_i64(st, 1);
    l->product_id = db_col_i64(st, 2);
    l->day = db_col_i64(st, 3);
    l->quantity = db_col_i64(st, 4);
    l->amount = db_col_i64(st, 5);
    l->currency = arena_strdup(ctx->a, db_col_text(st, 6));
    l->sku = arena_strdup(ctx->a, db_col_text(st, 7));
}

static enum kam_err check_price(struct scan *s, const struct contract *c,
                                const struct obligation *o)
{
    struct kam_ctx *ctx = s->ctx;
    if (!c->has_price_list)
        return KAM_OK;
    int64_t to = c->end < s->today - 1 ? c->end : s->today - 1;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT l.id, l.account_id, l.product_id, l.day, l.quantity, l.amount, "
                 "l.currency, p.sku FROM order_lines l JOIN products p ON p.id = l.product_id "
                 "WHERE l.day BETWEEN ? AND ? AND l.quantity > 0 AND l.product_id IN (SELECT "
                 "product_id FROM price_list_items WHERE list_id = ?)");
    sqlb_i64(&b, c->start);
    sqlb_i64(&b, to);
    sqlb_i64(&b, c->price_list_id);
    accounts_cond(&b, "l.account_id", c);
    sqlb_sql(&b, " ORDER BY l.account_id, l.day, l.id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct line *lines;
    size_t n;
    if ((rc = rows_collect(ctx, st, 1000000, line_row, sizeof *lines, (void **)&lines, &n)))
        return rc;
    struct price_account acc = {0};
    int64_t acc_id = 0;
    struct price_month m = {0};
    for (size_t i = 0; !rc && i < n; i++) {
        struct line *l = &lines[i];
        if (l->account_id != acc_id) {
            if ((rc = price_account_load(ctx, l->account_id, &acc)))
                break;
            acc_id = l->account_id;
        }
        struct price_query q = {.account_id = l->account_id,
                                .product_id = l->product_id,
                                .date = day_text(ctx, l->day),
                                .quantity = l->quantity,
                                .currency = l->currency,
                                .skip_rebate = 1};
        struct price_result r;
        if ((rc = price_quote_for(ctx, &acc, &q, &r))) {
            if (rc != KAM_EINVAL) /* a line the engine cannot price (a currency without a
                                     rate): not judged */
                break;
            kam_error_clear(ctx->err);
            rc = KAM_OK;
            continue;
        }
        /* only a price the contract agreed: the engine's answer from the contract's list
         * (breaks and promotions of it included); a line it prices from another list (the
         * contract's not valid on its day) has no contract price */
        if (!r.found || r.list_id != c->price_list_id)
            continue;
        int64_t paid_unit = muldiv(l->amount, 1000, l->quantity);
        /* the line's amount over the agreed amount (the agreed unit price x its quantity) beyond
         * the tolerance */
        int overflow = 0;
        int64_t allowed = price_muldiv(r.amount, 10000 + o->tolerance_bp, 10000, &overflow);
        if (overflow || l->amount <= allowed)
            continue;
        char key[24];
        int y, mo, d;
        days_to_date(l->day, &y, &mo, &d);
        snprintf(key, sizeof key, "%04d-%02d", y, mo);
        if (m.n && (strcmp(m.key, key) || strcmp(m.currency, l->currency) ||
                    m.account_id != l->account_id)) {
            if ((rc = flush_price(s, c, o, &m)))
                break;
        }
        if (!m.n) {
            memcpy(m.key, key, sizeof key);
            m.account_id = l->account_id;
            m.currency = l->currency;
            m.paid = m.agreed = 0;
            m.worst_bp = 0;
            buf_init(&m.records, 4096);
            jw_init(&m.w, &m.records);
            jw_arr_begin(&m.w);
        }
        int64_t agreed = r.amount;
        int bp = agreed > 0 ? (int)muldiv(l->amount - agreed, 10000, agreed) : 10000;
        if (bp > m.worst_bp)
            m.worst_bp = bp;
        m.paid += l->amount;
        m.agreed += agreed;
        if (m.n < BREACH_EVIDENCE_ROWS) {
            jw_obj_begin(&m.w);
            jw_kstr(&m.w, "kind", "order_line");
            jw_ki64(&m.w, "id", l->id);
            jw_kstr(&m.w, "day", q.date);
            jw_kstr(&m.w, "sku", l->sku);
            jw_ki64(&m.w, "quantity", l->quantity);
            jw_ki64(&m.w, "paid_unit", paid_unit);
            jw_ki64(&m.w, "agreed_unit", r.unit_price);
            jw_ki64(&m.w, "amount", l->amount);
            jw_ki64(&m.w, "list_id", r.list_id);
            jw_kstr(&m.w, "source", r.source);
            jw_obj_end(&m.w);
        }
        m.n++;
    }
    if (!rc)
        rc = flush_price(s, c, o, &m);
    else if (m.n)
        buf_release(&m.records);
    return rc;
}

/* ---- payment ---- */

struct inv {
    int64_t id, account_id, day, due, amount, paid, paid_on; /* due: the invoice's own */
    const char *no, *currency;
};

static void inv_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct inv *x = row;
    x->id = db_col_i64(st, 0);
    x->no = arena_strdup(ctx->a, db_col_text(st, 1));
    x->account_id = db_col_i64(st, 2);
    x->day = day_of(db_col_text(st, 3));
    x->due = day_of(db_col_text(st, 4));
    x->amount = db_col_i64(st, 5);
    x->paid = db_col_i64(st, 6);
    x->paid_on = db_col_is_null(st, 7) ? -1 : day_of(db_col_text(st, 7));
    x->currency = arena_strdup(ctx->a, db_col_text(st, 8));
}

static enum kam_err check_payment(struct scan *s, const struct contract *c,
                                  const struct obligation *o)
{
    struct kam_ctx *ctx = s->ctx;
    int64_t terms = o->has_days ? o->days : c->has_payment_days ? c->payment_days : -1;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT i.id, i.invoice_no, i.account_id, i.day, i.due_day, i.amount, i.paid, "
                 "i.paid_on, i.currency FROM invoices i WHERE i.day BETWEEN ? AND ?");
    sqlb_text(&b, day_text(ctx, c->start));
    sqlb_text(&b, day_text(ctx, c->end));
    accounts_cond(&b, "i.account_id", c);
    sqlb_sql(&b, " ORDER BY i.id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct inv *v;
    size_t n;
    if ((rc = rows_collect(ctx, st, 1000000, inv_row, sizeof *v, (void **)&v, &n)))
        return rc;
    for (size_t i = 0; !rc && i < n; i++) {
        struct inv *x = &v[i];
        x->due = terms >= 0 ? x->day + terms : x->due;
        int open = x->paid < x->amount;
        int64_t late;
        if (open)
            late = s->today - x->due; /* judged the day after the due day */
        else
            late = x->paid_on >= 0 ? x->paid_on - x->due : 0;
        if (late <= 0 || x->day < 0 || x->due < 0)
            continue;
        struct buf ev;
        buf_init(&ev, 1024);
        struct jw w;
        jw_init(&w, &ev);
        jw_obj_begin(&w);
        jw_ki64(&w, "terms_days", terms >= 0 ? terms : x->due - x->day);
        jw_kstr(&w, "due_day", day_text(ctx, x->due));
        jw_ki64(&w, "days_late", late);
        jw_kbool(&w, "open", open);
        jw_key(&w, "records");
        jw_arr_begin(&w);
        jw_obj_begin(&w);
        jw_kstr(&w, "kind", "invoice");
        jw_ki64(&w, "id", x->id);
        jw_kstr(&w, "invoice_no", x->no);
        jw_kstr(&w, "day", day_text(ctx, x->day));
        jw_ki64(&w, "amount", x->amount);
        jw_ki64(&w, "paid", x->paid);
        if (x->paid_on >= 0)
            jw_kstr(&w, "paid_on", day_text(ctx, x->paid_on));
        jw_kstr(&w, "currency", x->currency);
        jw_obj_end(&w);
        jw_arr_end(&w);
        jw_obj_end(&w);
        struct found f = {
            .account_id = x->account_id,
            .occurrence = arena_printf(ctx->a, "invoice:%lld", (long long)x->id),
            .severity = open && late >= 90 ? "critical"
                        : late >= 60       ? "high"
                        : late >= 30       ? "medium"
                                           : "low",
            .currency = x->currency,
            .evidence = json_of(ctx, &ev),
            .at_stake = x->amount - x->paid,
            .measured = late,
            .expected = terms >= 0 ? terms : x->due - x->day,
        };
        rc = record(s, c, o, &f);
    }
    return rc;
}

/* ---- service levels ---- */

struct iss {
    int64_t id, account_id, reported, resp_due, res_due, responded, resolved;
    const char *title, *severity;
};

static void iss_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct iss *x = row;
    x->id = db_col_i64(st, 0);
    x->account_id = db_col_i64(st, 1);
    x->title = arena_strdup(ctx->a, db_col_text(st, 2));
    x->severity = arena_strdup(ctx->a, db_col_text(st, 3));
    x->reported = db_col_i64(st, 4);
    x->resp_due = db_col_i64(st, 5);
    x->res_due = db_col_i64(st, 6);
    x->responded = db_col_is_null(st, 7) ? -1 : db_col_i64(st, 7);
    x->resolved = db_col_is_null(st, 8) ? -1 : db_col_i64(st, 8);
}

static enum kam_err check_service(struct scan *s, const struct contract *c,
                                  const struct obligation *o)
{
    struct kam_ctx *ctx = s->ctx;
    int64_t resp = o->has_response ? o->response_hours : c->has_sla_response ? c->sla_response : -1;
    int64_t res = o->has_resolution       ? o->resolution_hours
                  : c->has_sla_resolution ? c->sla_resolution
                                          : -1;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT i.id, i.account_id, i.title, i.severity, i.reported_at, "
                 "i.response_due_at, i.resolution_due_at, i.first_response_at, i.resolved_at "
                 "FROM issues i WHERE i.reported_at >= ? AND i.reported_at < ? AND "
                 "i.reported_at <= ?");
    sqlb_i64(&b, c->start * 86400 - CHINA);
    sqlb_i64(&b, (c->end + 1) * 86400 - CHINA);
    sqlb_i64(&b, ctx->now);
    accounts_cond(&b, "i.account_id", c);
    sqlb_sql(&b, " ORDER BY i.id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct iss *v;
    size_t n;
    if ((rc = rows_collect(ctx, st, 1000000, iss_row, sizeof *v, (void **)&v, &n)))
        return rc;
    for (size_t i = 0; !rc && i < n; i++) {
        struct iss *x = &v[i];
        for (int which = 0; !rc && which < 2; which++) {
            int64_t limit_s = which == 0 ? (resp >= 0 ? resp * 3600 : x->resp_due - x->reported)
                                         : (res >= 0 ? res * 3600 : x->res_due - x->reported);
            int64_t done = which == 0 ? x->responded : x->resolved;
            int64_t took = (done >= 0 ? done : ctx->now) - x->reported;
            if (took <= limit_s)
                continue;
            struct buf ev;
            buf_init(&ev, 1024);
            struct jw w;
            jw_init(&w, &ev);
            jw_obj_begin(&w);
            jw_kstr(&w, "measure", which == 0 ? "response" : "resolution");
            jw_ki64(&w, "limit_hours", (limit_s + 3599) / 3600);
            jw_ki64(&w, "hours", took / 3600);
            jw_kbool(&w, "done", done >= 0);
            jw_key(&w, "records");
            jw_arr_begin(&w);
            jw_obj_begin(&w);
            jw_kstr(&w, "kind", "issue");
            jw_ki64(&w, "id", x->id);
            jw_kstr(&w, "title", x->title);
            jw_kstr(&w, "severity", x->severity);
            jw_ktime(&w, "reported_at", x->reported);
            if (done >= 0)
                jw_ktime(&w, which == 0 ? "first_response_at" : "resolved_at", done);
            jw_obj_end(&w);
            jw_arr_end(&w);
            jw_obj_end(&w);
            int grave = !strcmp(x->severity, "critical") || !strcmp(x->severity, "high");
            struct found f = {
                .account_id = x->account_id,
                .occurrence = arena_printf(ctx->a, "issue:%lld:%s", (long long)x->id,
                                           which == 0 ? "response" : "resolution"),
                .severity = grave ? "high" : "medium",
                .currency = c->currency,
                .evidence = json_of(ctx, &ev),
                .at_stake = 0,
                .measured = took / 3600,
                .expected = (limit_s + 3599) / 3600,
            };
            rc = record(s, c, o, &f);
        }
    }
    return rc;
}

/* ---- dated obligations ---- */

static enum kam_err check_dated(struct scan *s, const struct contract *c,
                                const struct obligation *o)
{
    struct kam_ctx *ctx = s->ctx;
    if (!o->has_due)
        return KAM_OK;
    int step = step_months(o->recurrence);
    enum kam_err rc = KAM_OK;
    int64_t due = o->due;
    for (int k = 0; !rc && k < OCCURRENCES_MAX; k++) {
        if (k)
            due = add_months(o->due, step * k);
        if (due > c->end || due >= s->today)
            break;
        const char *due_s = day_text(ctx, due);
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "SELECT done_on FROM contract_obligation_done WHERE obligation_id = ? "
                             "AND due_on = ?",
                             &st, ctx->err)))
            break;
        db_bind_i64(st, 1, o->id);
        db_bind_text(st, 2, due_s);
        int row = 0;
        int64_t done = -1;
        if (!(rc = db_step(st, &row, ctx->err)) && row)
            done = day_of(db_col_text(st, 0));
        db_done(st);
        if (rc)
            break;
        int64_t late = (done >= 0 ? done : s->today) - due;
        if (late > 0) {
            struct buf ev;
            buf_init(&ev, 512);
            struct jw w;
            jw_init(&w, &ev);
            jw_obj_begin(&w);
            jw_kstr(&w, "due_on", due_s);
            if (done >= 0)
                jw_kstr(&w, "done_on", day_text(ctx, done));
            jw_ki64(&w, "days_late", late);
            jw_kstr(&w, "recurrence", o->recurrence);
            jw_key(&w, "records");
            jw_arr_begin(&w);
            jw_arr_end(&w);
            jw_obj_end(&w);
            struct found f = {.account_id = c->account_id,
                              .occurrence = due_s,
                              .severity = late > 30 ? "high" : "medium",
                              .currency = c->currency,
                              .evidence = json_of(ctx, &ev),
                              .at_stake = 0,
                              .measured = late,
                              .expected = 0};
            rc = record(s, c, o, &f);
        }
        if (!step)
            break;
    }
    return rc;
}

/* ---- the scan ---- */

static enum kam_err check(struct scan *s, const struct contract *c, const struct obligation *o)
{
    s->r->obligations++;
    if (!strcmp(o->kind, "volume"))
        return check_volume(s, c, o);
    if (!strcmp(o->kind, "price"))
        return check_price(s, c, o);
    if (!strcmp(o->kind, "payment"))
        return check_payment(s, c, o);
    if (!strcmp(o->kind, "service_level"))
        return check_service(s, c, o);
    return check_dated(s, c, o);
}

enum kam_err breach_scan(struct kam_ctx *ctx, int64_t contract_id, struct breach_scan_report *r)
{
    memset(r, 0, sizeof *r);
    struct scan s = {.ctx = ctx, .r = r, .today = (ctx->now + CHINA) / 86400};
    enum kam_err rc = settings_get(ctx, "base_currency", "CNY", &s.base_currency);
    if (rc)
        return rc;
    struct contract *cs;
    size_t n;
    if ((rc = load_contracts(&s, contract_id, &cs, &n)))
        return rc;
    for (size_t i = 0; !rc && i < n; i++) {
        if (cs[i].start < 0 || cs[i].end < 0)
            continue;
        struct obligation *os;
        size_t no;
        if ((rc = db_begin(ctx->db, ctx->err)))
            break;
        r->contracts++;
        if (!(rc = load_obligations(ctx, cs[i].id, &os, &no)))
            for (size_t k = 0; !rc && k < no; k++)
                rc = check(&s, &cs[i], &os[k]);
        rc = db_end(ctx->db, rc, ctx->err);
        /* a contract its data cannot judge (a currency without an exchange rate): told when it
         * was asked for, else logged and skipped so the others are still checked */
        if (rc == KAM_EINVAL && !contract_id) {
            log_warn("breach scan: contract %s skipped: %s", cs[i].number, ctx->err->msg);
            kam_error_clear(ctx->err);
            rc = KAM_OK;
            r->skipped++;
        }
    }
    return rc;
}

/* ---- the obligations' standing, for the contract page ---- */

static void status_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    (void)ctx;
    int64_t *v = row;
    v[0] = db_col_i64(st, 0);
    v[1] = db_col_i64(st, 1);
}

/* The running period of a volume obligation: actual so far, pro rata expected, projection. */
static enum kam_err volume_status(struct scan *s, const struct contract *c,
                                  const struct obligation *o, struct obligation_status *x)
{
    struct kam_ctx *ctx = s->ctx;
    if (!o->has_target || step_months(o->period) == 0 || s->today < c->start || s->today > c->end)
        return KAM_OK;
    int64_t pf, pl;
    char key[24];
    period_of(o->period, s->today, &pf, &pl, key, sizeof key);
    int64_t from = pf > c->start ? pf : c->start, to = pl < c->end ? pl : c->end;
    struct volume_sum v;
    enum kam_err rc = volume_in(s, c, o, from, s->today, &v, NULL);
    if (rc)
        return rc;
    int64_t span = to - from + 1, elapsed = s->today - from + 1;
    x->has_volume = 1;
    x->period = arena_strdup(ctx->a, key);
    x->target = muldiv(o->target, span, pl - pf + 1);
    x->actual = measured_of(o, &v);
    x->expected_to_date = muldiv(x->target, elapsed, span);
    x->projected = muldiv(x->actual, span, elapsed);
    if (!strcmp(x->state, "ok") && x->projected < floor_of(x->target, o->tolerance_bp))
        x->state = "at_risk";
    return KAM_OK;
}

/* A dated obligation's first occurrence not done yet (none past the contract's end). */
static enum kam_err next_due(struct kam_ctx *ctx, const struct contract *c,
                             const struct obligation *o, struct obligation_status *x)
{
    int step = step_months(o->recurrence);
    enum kam_err rc = KAM_OK;
    for (int k = 0; !rc && k < OCCURRENCES_MAX; k++) {
        int64_t due = k ? add_months(o->due, step * k) : o->due;
        if (due > c->end || (k && !step))
            break;
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "SELECT 1 FROM contract_obligation_done WHERE obligation_id = ? AND "
                             "due_on = ?",
                             &st, ctx->err)))
            break;
        const char *due_s = day_text(ctx, due);
        db_bind_i64(st, 1, o->id);
        db_bind_text(st, 2, due_s);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        db_done(st);
        if (!rc && !row) {
            x->next_due = due_s;
            break;
        }
    }
    return rc;
}

enum kam_err breach_obligations_status(struct kam_ctx *ctx, int64_t contract_id,
                                       struct obligation_status **out, size_t *n)
{
    struct scan s = {.ctx = ctx, .today = (ctx->now + CHINA) / 86400};
    struct breach_scan_report r;
    s.r = &r;
    enum kam_err rc = settings_get(ctx, "base_currency", "CNY", &s.base_currency);
    if (rc)
        return rc;
    struct contract c;
    if ((rc = row_get(ctx,
                      "SELECT " CONTRACT_COLS " FROM contracts c JOIN accounts a ON a.id = "
                      "c.account_id WHERE c.id = ?",
                      contract_id, contract_row, &c, "contract")))
        return rc;
    struct obligation *os;
    size_t no;
    if ((rc = load_obligations(ctx, contract_id, &os, &no)))
        return rc;
    /* open breaches per obligation */
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT obligation_id, COUNT(*) FROM contract_breaches WHERE contract_id "
                         "= ? AND status IN ('detected', 'confirmed', 'action') GROUP BY "
                         "obligation_id",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, contract_id);
    int64_t(*counts)[2];
    size_t nc;
    if ((rc = rows_collect(ctx, st, 10000, status_row, sizeof *counts, (void **)&counts, &nc)))
        return rc;
    *out = arena_calloc(ctx->a, no ? no : 1, sizeof **out);
    *n = no;
    for (size_t i = 0; !rc && i < no; i++) {
        struct obligation_status *x = &(*out)[i];
        x->obligation_id = os[i].id;
        for (size_t k = 0; k < nc; k++)
            if (counts[k][0] == os[i].id)
                x->open_breaches = counts[k][1];
        int started = c.start >= 0 && s.today > c.start;
        x->state = x->open_breaches ? "breached" : started ? "ok" : "none";
        if (!strcmp(os[i].kind, "volume") && c.start >= 0 && c.end >= 0)
            rc = volume_status(&s, &c, &os[i], x);
        else if (os[i].has_due)
            rc = next_due(ctx, &c, &os[i], x);
    }
    return rc;
}
