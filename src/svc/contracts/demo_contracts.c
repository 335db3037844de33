/* demo_contracts.c -- the contracts chapter's demo (issue 17 item 7; demo.h): framework
 * contracts for the three strategic accounts and a supply contract for a late payer, written
 * through the services (checked and audited), then activated, then one breach scan.
 *
 *   the first strategic account  a quarterly volume commitment of 125 % of what it bought a
 *                                quarter over the last year: really missed in the demo's order
 *                                lines; our service levels (the issue SLAs)
 *   the second                   a contract price list from the first day of last month (an
 *                                amendment: its two most bought products, the first at what it
 *                                pays, the second 5 % off): the lines still invoiced at the old
 *                                price since are a price breach (tolerance 0.5 %); a quarterly
 *                                volume of 60 % (met)
 *   the third                    60 % volume (met); quarterly training sessions, all held
 *   a late payer                 payment in 30 days: its invoices paid late are breaches
 *
 * Deterministic: amounts and dates come from the demo's data and ctx->now. */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "breach.h"
#include "contract.h"
#include "demo.h"
#include "store/db.h"
#include "svc/core/rows.h"
#include "svc/offers/pricing.h"

#define CHINA (8 * 3600)

static void id_row(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    (void)ctx;
    ((int64_t *)out)[0] = db_col_i64(st, 0);
    ((int64_t *)out)[1] = db_col_is_null(st, 1) ? 0 : db_col_i64(st, 1);
}

static const char *day_text(struct kam_ctx *ctx, int64_t days)
{
    int y, m, d;
    days_to_date(days, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

/* What the account bought a quarter over the last four complete quarters (base currency). */
static enum kam_err quarterly(struct kam_ctx *ctx, int64_t account, int64_t q0, int64_t *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT COALESCE(SUM(amount_base), 0) FROM order_lines WHERE "
                                 "account_id = ? AND day >= ? AND day < ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    int y, m, d;
    days_to_date(q0, &y, &m, &d);
    int64_t from = date_to_days(y - 1, m, 1);
    db_bind_i64(st, 1, account);
    db_bind_i64(st, 2, from);
    db_bind_i64(st, 3, q0);
    int row = 0;
    *out = 0;
    if (!(rc = db_step(st, &row, ctx->err)) && row)
        *out = db_col_i64(st, 0) / 4;
    db_done(st);
    return rc;
}

static struct obligation_in volume(int64_t target, const char *title)
{
    return (struct obligation_in){.set = OB_SIDE | OB_KIND | OB_TITLE | OB_MEASURE | OB_PERIOD |
                                         OB_TARGET,
                                  .side = "theirs",
                                  .kind = "volume",
                                  .title = title,
                                  .measure = "amount",
                                  .period = "quarter",
                                  .target = target,
                                  .has_target = 1};
}

static enum kam_err make(struct kam_ctx *ctx, int64_t account, int64_t owner, const char *number,
                         const char *title, const char *kind, const char *from, const char *to,
                         int64_t price_list, int64_t payment_days, struct obligation_in *obs,
                         int nobs, int64_t *id)
{
    struct contract_in in = {.set = CT_ACCOUNT | CT_NUMBER | CT_TITLE | CT_KIND | CT_STARTS_ON |
                                    CT_ENDS_ON | CT_CURRENCY | CT_OUR_PARTY | CT_THEIR_PARTY |
                                    CT_OBLIGATIONS | CT_NOTICE_DAYS | CT_SIGNED_ON};
    in.v.account_id = account;
    in.v.number = number;
    in.v.title = title;
    in.v.kind = kind;
    in.v.starts_on = from;
    in.v.ends_on = to;
    in.v.signed_on = from;
    in.v.currency = "CNY";
    in.v.our_party = "KAM 示范有限公司";
    in.v.notice_days = 60;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, "SELECT name FROM accounts WHERE id = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account);
    int row = 0;
    in.v.their_party = "";
    if (!(rc = db_step(st, &row, ctx->err)) && row)
        in.v.their_party = arena_strdup(ctx->a, db_col_text(st, 0));
    db_done(st);
    if (rc)
        return rc;
    if (owner) {
        in.set |= CT_OWNER;
        in.v.owner_id = owner;
        in.v.has_owner = 1;
    }
    if (price_list) {
        in.set |= CT_PRICE_LIST;
        in.v.price_list_id = price_list;
        in.v.has_price_list = 1;
    }
    if (payment_days) {
        in.set |= CT_PAYMENT_DAYS;
        in.v.payment_days = payment_days;
        in.v.has_payment_days = 1;
    }
    in.obligations = obs;
    in.n_obligations = nobs;
    struct contract c;
    if ((rc = contract_create(ctx, &in, &c)) || (rc = contract_activate(ctx, c.id, 0, 0, &c)))
        return rc;
    *id = c.id;
    return KAM_OK;
}

/* The contract price list of account: its two most bought products over the last year at what
 * it pays on average, the second 5 % off, valid from `from`. *list 0 when it bought nothing. */
static enum kam_err contract_prices(struct kam_ctx *ctx, int64_t account, int64_t since,
                                    const char *from, const char *name, int64_t *list)
{
    *list = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT product_id, SUM(amount) * 1000 / SUM(quantity) FROM "
                                 "order_lines WHERE account_id = ? AND day >= ? AND currency = "
                                 "'CNY' AND quantity > 0 GROUP BY product_id ORDER BY COUNT(*) "
                                 "DESC, product_id LIMIT 2",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account);
    db_bind_i64(st, 2, since);
    int64_t(*v)[2];
    size_t n;
    if ((rc = rows_collect(ctx, st, 2, id_row, sizeof *v, (void **)&v, &n)) || n < 2)
        return rc;
    struct price_item_in items[2] = {
        {.set = 1 | 2, .product_id = v[0][0], .unit_price = v[0][1]},
        {.set = 1 | 2, .product_id = v[1][0], .unit_price = v[1][1] / 100 * 95},
    };
    struct price_list_in in = {.set = PL_NAME | PL_CURRENCY | PL_FROM | PL_SCOPE | PL_ACCOUNT |
                                      PL_ITEMS | PL_NOTE,
                               .items = items,
                               .nitems = 2};
    in.v.name = name;
    in.v.currency = "CNY";
    in.v.valid_from = from;
    in.v.scope = "account";
    in.v.account_id = account;
    in.v.has_account = 1;
    in.v.note = "合同补充协议：第二项产品降价 5%";
    struct price_list out;
    if ((rc = price_list_create(ctx, &in, &out)))
        return rc;
    *list = out.id;
    return KAM_OK;
}

/* Every training session of contract id held on its day, up to yesterday. */
static enum kam_err trainings_held(struct kam_ctx *ctx, int64_t id, int64_t today)
{
    struct contract c;
    enum kam_err rc = contract_get(ctx, id, &c);
    for (size_t k = 0; !rc && k < c.n_obligations; k++) {
        const struct obligation *o = &c.obligations[k];
        if (strcmp(o->kind, "training") || !o->due_on)
            continue;
        for (int q = 0; !rc && q < 8; q++) {
            const char *due = contract_add_months(ctx, o->due_on, 3 * q);
            if (contract_days_between(due, day_text(ctx, today)) <= 0)
                break;
            struct obligation out;
            rc = obligation_done(ctx, id, o->id, due, due, "已按期培训", &out);
        }
    }
    return rc;
}

enum kam_err contracts_demo(struct kam_ctx *ctx)
{
    int64_t today = (ctx->now + CHINA) / 86400;
    int y, m, d;
    days_to_date(today, &y, &m, &d);
    /* this quarter's first day, and the contracts' start four quarters before it */
    int64_t q0 = date_to_days(y, (m - 1) / 3 * 3 + 1, 1);
    int sy = y - 1, sm = (m - 1) / 3 * 3 + 1;
    const char *from = arena_printf(ctx->a, "%04d-%02d-01", sy, sm);
    const char *to = day_text(ctx, date_to_days(sy + 2, sm, 1) - 1);
    struct db_stmt *st;
    /* the strategic accounts at the head of no group, oldest first */
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, NULL FROM accounts WHERE tier = 'strategic' AND "
                                 "parent_id IS NULL ORDER BY id LIMIT 3",
                                 &st, ctx->err);
    if (rc)
        return rc;
    int64_t(*key)[2];
    size_t nk;
    if ((rc = rows_collect(ctx, st, 3, id_row, sizeof *key, (void **)&key, &nk)))
        return rc;
    for (size_t i = 0; i < nk; i++) {
        int64_t avg = 0, owner = 0, id = 0;
        if ((rc = quarterly(ctx, key[i][0], q0, &avg)) ||
            (rc = db_query_i64(ctx->db, "SELECT owner_id FROM accounts WHERE id = ?", 1, key[i][0],
                               &owner, ctx->err)))
            return rc;
        if (avg <= 0)
            continue;
        struct obligation_in obs[3];
        int n = 0;
        if (i == 0) {
            obs[n++] = volume(avg / 4 * 5, "季度采购额承诺");
            obs[n++] = (struct obligation_in){.set = OB_SIDE | OB_KIND | OB_TITLE,
                                              .side = "ours",
                                              .kind = "service_level",
                                              .title = "服务响应与解决时限（按问题 SLA）"};
        } else if (i == 1) {
            obs[n++] = volume(avg / 10 * 6, "季度采购额承诺");
            obs[n++] = (struct obligation_in){.set = OB_SIDE | OB_KIND | OB_TITLE | OB_TOLERANCE,
                                              .side = "ours",
                                              .kind = "price",
                                              .title = "按合同价目表供货",
                                              .tolerance_bp = 50};
        } else {
            obs[n++] = volume(avg / 10 * 6, "季度采购额承诺");
            obs[n++] =
                (struct obligation_in){.set = OB_SIDE | OB_KIND | OB_TITLE | OB_DUE | OB_RECURRENCE,
                                       .side = "ours",
                                       .kind = "training",
                                       .title = "每季度产品培训",
                                       .due_on = day_text(ctx, date_to_days(sy, sm, 1) + 45),
                                       .recurrence = "quarter"};
        }
        const char *number = arena_printf(ctx->a, "KJ-%04d-%03zu", sy, i + 1);
        int64_t list = 0;
        if (i == 1) {
            int ly, lm, ld;
            days_to_date(today, &ly, &lm, &ld);
            lm = lm == 1 ? 12 : lm - 1;
            ly = lm == 12 ? ly - 1 : ly;
            if ((rc = contract_prices(ctx, key[i][0], today - 365,
                                      arena_printf(ctx->a, "%04d-%02d-01", ly, lm),
                                      arena_printf(ctx->a, "合同价 %s", number), &list)))
                return rc;
        }
        if ((rc = make(ctx, key[i][0], owner, number,
                       arena_printf(ctx->a, "%04d-%04d 年度框架采购协议", sy, sy + 2), "framework",
                       from, to, list, i == 0 ? 0 : 45, obs, n, &id)))
            return rc;
        if (i == 2 && (rc = trainings_held(ctx, id, today)))
            return rc;
    }
    /* a late payer (the receivables demo's): the account whose invoices were paid late most */
    int64_t payer = 0, owner = 0, id = 0;
    rc = db_query_i64(ctx->db,
                      "SELECT i.account_id FROM invoices i JOIN accounts a ON a.id = i.account_id "
                      "WHERE i.paid_on > i.due_day AND a.tier <> 'strategic' GROUP BY i.account_id "
                      "ORDER BY COUNT(*) DESC, i.account_id LIMIT 1",
                      0, 0, &payer, ctx->err);
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(ctx->err);
        return KAM_OK;
    }
    if (rc || (rc = db_query_i64(ctx->db, "SELECT owner_id FROM accounts WHERE id = ?", 1, payer,
                                 &owner, ctx->err)))
        return rc;
    struct obligation_in pay = {.set = OB_SIDE | OB_KIND | OB_TITLE,
                                .side = "theirs",
                                .kind = "payment",
                                .title = "发票开具后 30 天内付款"};
    if ((rc = make(ctx, payer, owner, arena_printf(ctx->a, "GX-%04d-001", sy),
                   arena_printf(ctx->a, "%04d 年度供货合同", sy), "supply", from, to, 0, 30, &pay,
                   1, &id)))
        return rc;
    /* the statuses as of today, then what the data says */
    int changed = 0;
    struct breach_scan_report r;
    if ((rc = contract_job(ctx, &changed)) || (rc = breach_scan(ctx, 0, &r)))
        return rc;
    return KAM_OK;
}
