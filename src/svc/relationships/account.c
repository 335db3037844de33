/* account.c -- accounts and account teams. */
#include "account.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "contact.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/search.h"
#include "svc/core/settings.h"
#include "svc/core/update.h"

const char *const account_tiers[] = {"strategic", "key", "growth", "maintain", NULL};
const char *const account_statuses[] = {"prospect", "active", "dormant", "lost", NULL};
const char *const account_sources[] = {"market_research", "trade_show", "referral", "other", NULL};
const char *const member_dept_roles[] = {"sales",      "marketing", "technical",
                                         "production", "service",   NULL};

#define COLS                                                                                       \
    "accounts.id, accounts.code, accounts.name, accounts.alias, accounts.parent_id, "              \
    "accounts.industry, accounts.region, accounts.channel, accounts.employees, "                   \
    "accounts.revenue_amount, accounts.revenue_currency, accounts.owner_id, accounts.tier, "       \
    "accounts.status, accounts.version, accounts.created_at, accounts.updated_at, "                \
    "accounts.source, accounts.referred_by, accounts.screening, accounts.screening_reason, "       \
    "accounts.screened_by, accounts.screened_at, accounts.tier_locked"

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct account *a = row;
    memset(a, 0, sizeof *a);
    a->id = db_col_i64(st, 0);
    a->code = arena_strdup(ctx->a, db_col_text(st, 1));
    a->name = arena_strdup(ctx->a, db_col_text(st, 2));
    a->alias = arena_strdup(ctx->a, db_col_text(st, 3));
    a->has_parent = !db_col_is_null(st, 4);
    a->parent_id = a->has_parent ? db_col_i64(st, 4) : 0;
    a->industry = arena_strdup(ctx->a, db_col_text(st, 5));
    a->region = arena_strdup(ctx->a, db_col_text(st, 6));
    a->channel = arena_strdup(ctx->a, db_col_text(st, 7));
    a->has_employees = !db_col_is_null(st, 8);
    a->employees = a->has_employees ? db_col_i64(st, 8) : 0;
    a->has_revenue = !db_col_is_null(st, 9);
    a->revenue_amount = a->has_revenue ? db_col_i64(st, 9) : 0;
    a->revenue_currency = a->has_revenue ? arena_strdup(ctx->a, db_col_text(st, 10)) : NULL;
    a->owner_id = db_col_i64(st, 11);
    a->tier = arena_strdup(ctx->a, db_col_text(st, 12));
    a->status = arena_strdup(ctx->a, db_col_text(st, 13));
    a->version = db_col_i64(st, 14);
    a->created_at = db_col_i64(st, 15);
    a->updated_at = db_col_i64(st, 16);
    a->source = db_col_is_null(st, 17) ? NULL : arena_strdup(ctx->a, db_col_text(st, 17));
    a->referred_by = arena_strdup(ctx->a, db_col_text(st, 18));
    a->screening = db_col_is_null(st, 19) ? NULL : arena_strdup(ctx->a, db_col_text(st, 19));
    a->screening_reason = arena_strdup(ctx->a, db_col_text(st, 20));
    a->has_screened = !db_col_is_null(st, 22);
    a->screened_by = db_col_is_null(st, 21) ? 0 : db_col_i64(st, 21);
    a->screened_at = a->has_screened ? db_col_i64(st, 22) : 0;
    a->tier_locked = (int)db_col_i64(st, 23);
}

static enum kam_err load(struct kam_ctx *ctx, int64_t id, struct account *out)
{
    enum kam_err rc =
        row_get(ctx, "SELECT " COLS " FROM accounts WHERE id = ?", id, read_row, out, "account");
    return rc;
}

/* Field rules for a complete record (after defaults or merge). */
static enum kam_err validate(struct kam_ctx *ctx, const struct account *a)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "code", a->code, 1, 40, 0)) ||
        (rc = check_text(ctx, "name", a->name, 1, 200, 0)) ||
        (rc = check_text(ctx, "alias", a->alias, 0, 200, 0)) ||
        (rc = check_text(ctx, "industry", a->industry, 0, 60, 0)) ||
        (rc = check_text(ctx, "region", a->region, 0, 60, 0)) ||
        (rc = check_text(ctx, "channel", a->channel, 0, 60, 0)) ||
        (rc = check_enum(ctx, "tier", a->tier, account_tiers)) ||
        (rc = check_enum(ctx, "status", a->status, account_statuses)))
        return rc;
    if (a->has_employees && (rc = check_range(ctx, "employees", a->employees, 0, 100000000)))
        return rc;
    if (a->has_revenue) {
        if ((rc = check_range(ctx, "revenue.amount", a->revenue_amount, 0, (int64_t)1 << 60)) ||
            (rc = check_currency(ctx, "revenue.currency", a->revenue_currency)))
            return rc;
    }
    if (a->has_parent && a->parent_id <= 0)
        return kam_fail(ctx->err, KAM_EINVAL, "parent_id", "parent_id must be a positive id");
    if (a->source && (rc = check_enum(ctx, "source", a->source, account_sources)))
        return rc;
    if ((rc = check_text(ctx, "referred_by", a->referred_by, 0, 200, 0)))
        return rc;
    return KAM_OK;
}

/* The owner must be an enabled user the caller may assign accounts to. */
static enum kam_err check_owner(struct kam_ctx *ctx, int64_t owner_id)
{
    int64_t disabled;
    enum kam_err rc = db_query_i64(ctx->db, "SELECT disabled FROM users WHERE id = ?", 1, owner_id,
                                   &disabled, ctx->err);
    if (rc == KAM_ENOTFOUND || (!rc && disabled))
        return kam_fail(ctx->err, KAM_EINVAL, "owner_id", "owner_id is not an active user");
    if (rc)
        return rc;
    if (policy_list_scoped(&ctx->who)) {
        int yes = 0;
        if ((rc = policy_manages_user(ctx, owner_id, &yes)))
            return rc;
        if (!yes)
            return kam_fail(ctx->err, KAM_EFORBIDDEN, "owner_id",
                            "you may only assign accounts to yourself or people you manage");
    }
    return KAM_OK;
}

/* The parent must exist, be visible to the caller, and not be the account or its descendant. */
static enum kam_err check_parent(struct kam_ctx *ctx, int64_t id, int64_t parent_id)
{
    int in_scope = 0;
    enum kam_err rc = policy_account_in_scope(ctx, parent_id, &in_scope);
    if (rc == KAM_ENOTFOUND || (!rc && !in_scope)) {
        kam_error_clear(ctx->err);
        return kam_fail(ctx->err, KAM_EINVAL, "parent_id", "parent_id is not an account");
    }
    if (rc || id == 0)
        return rc;
    struct db_stmt *st;
    rc = db_prepare(
        ctx->db,
        "WITH RECURSIVE up(id) AS (SELECT CAST(? AS BIGINT) UNION SELECT accounts.parent_id FROM "
        "accounts JOIN up ON accounts.id = up.id WHERE accounts.parent_id IS NOT "
        "NULL) SELECT EXISTS (SELECT 1 FROM up WHERE id = ?)",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, parent_id);
    db_bind_i64(st, 2, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int cycle = !rc && row && db_col_i64(st, 0);
    db_done(st);
    if (!rc && cycle)
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "parent_id", "account.parent_cycle", NULL,
                          "an account cannot be its own parent or ancestor");
    return rc;
}

static void diff_all(struct audit_diff *d, const struct account *b, const struct account *a)
{
    audit_diff_str(d, "code", b ? b->code : NULL, a ? a->code : NULL);
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "alias", b ? b->alias : NULL, a ? a->alias : NULL);
    audit_diff_i64(d, "parent_id", b ? b->parent_id : 0, !b || !b->has_parent, a ? a->parent_id : 0,
                   !a || !a->has_parent);
    audit_diff_str(d, "industry", b ? b->industry : NULL, a ? a->industry : NULL);
    audit_diff_str(d, "region", b ? b->region : NULL, a ? a->region : NULL);
    audit_diff_str(d, "channel", b ? b->channel : NULL, a ? a->channel : NULL);
    audit_diff_i64(d, "employees", b ? b->employees : 0, !b || !b->has_employees,
                   a ? a->employees : 0, !a || !a->has_employees);
    audit_diff_i64(d, "revenue_amount", b ? b->revenue_amount : 0, !b || !b->has_revenue,
                   a ? a->revenue_amount : 0, !a || !a->has_revenue);
    audit_diff_str(d, "revenue_currency", b && b->has_revenue ? b->revenue_currency : NULL,
                   a && a->has_revenue ? a->revenue_currency : NULL);
    audit_diff_i64(d, "owner_id", b ? b->owner_id : 0, !b, a ? a->owner_id : 0, !a);
    audit_diff_str(d, "tier", b ? b->tier : NULL, a ? a->tier : NULL);
    audit_diff_str(d, "status", b ? b->status : NULL, a ? a->status : NULL);
    audit_diff_str(d, "source", b ? b->source : NULL, a ? a->source : NULL);
    audit_diff_str(d, "referred_by", b ? b->referred_by : NULL, a ? a->referred_by : NULL);
    audit_diff_i64(d, "tier_locked", b ? b->tier_locked : 0, !b, a ? a->tier_locked : 0, !a);
}

/* Copies the fields named in in->set over *a. */
static void merge(struct account *a, const struct account_in *in)
{
    const struct account *v = &in->v;
    if (in->set & ACC_CODE)
        a->code = v->code;
    if (in->set & ACC_NAME)
        a->name = v->name;
    if (in->set & ACC_ALIAS)
        a->alias = v->alias;
    if (in->set & ACC_PARENT) {
        a->has_parent = v->has_parent;
        a->parent_id = v->has_parent ? v->parent_id : 0;
    }
    if (in->set & ACC_INDUSTRY)
        a->industry = v->industry;
    if (in->set & ACC_REGION)
        a->region = v->region;
    if (in->set & ACC_CHANNEL)
        a->channel = v->channel;
    if (in->set & ACC_EMPLOYEES) {
        a->has_employees = v->has_employees;
        a->employees = v->employees;
    }
    if (in->set & ACC_REVENUE) {
        a->has_revenue = v->has_revenue;
        a->revenue_amount = v->revenue_amount;
        a->revenue_currency = v->revenue_currency;
    }
    if (in->set & ACC_OWNER)
        a->owner_id = v->owner_id;
    if (in->set & ACC_TIER)
        a->tier = v->tier;
    if (in->set & ACC_STATUS)
        a->status = v->status;
    if (in->set & ACC_SOURCE)
        a->source = v->source;
    if (in->set & ACC_REFERRED)
        a->referred_by = v->referred_by;
    if (in->set & ACC_TIER_LOCKED)
        a->tier_locked = v->tier_locked;
}

static void bind_fields(struct db_stmt *st, const struct account *a)
{
    db_bind_text(st, 1, a->code);
    db_bind_text(st, 2, a->name);
    db_bind_text(st, 3, a->alias);
    db_bind_i64n(st, 4, a->parent_id, !a->has_parent);
    db_bind_text(st, 5, a->industry);
    db_bind_text(st, 6, a->region);
    db_bind_text(st, 7, a->channel);
    db_bind_i64n(st, 8, a->employees, !a->has_employees);
    db_bind_i64n(st, 9, a->revenue_amount, !a->has_revenue);
    db_bind_text(st, 10, a->has_revenue ? a->revenue_currency : NULL);
    db_bind_i64(st, 11, a->owner_id);
    db_bind_text(st, 12, a->tier);
    db_bind_text(st, 13, a->status);
    db_bind_text(st, 14, a->source);
    db_bind_text(st, 15, a->referred_by ? a->referred_by : "");
    db_bind_i64(st, 16, a->tier_locked);
}

enum kam_err account_create(struct kam_ctx *ctx, const struct account_in *in, struct account *out)
{
    struct account a = {0};
    a.code = a.name = a.alias = a.industry = a.region = a.channel = a.referred_by = "";
    a.tier = "maintain";
    a.status = "active";
    a.owner_id = ctx->who.user_id;
    merge(&a, in);
    if (!(in->set & ACC_CODE))
        return kam_fail(ctx->err, KAM_EINVAL, "code", "code is required");
    if (!(in->set & ACC_NAME))
        return kam_fail(ctx->err, KAM_EINVAL, "name", "name is required");
    if (!(in->set & ACC_OWNER) && ctx->who.user_id == 0)
        return kam_fail(ctx->err, KAM_EINVAL, "owner_id", "owner_id is required");
    enum kam_err rc = validate(ctx, &a);
    if (rc)
        return rc;
    rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    if ((rc = check_owner(ctx, a.owner_id)))
        goto out;
    if (a.has_parent && (rc = check_parent(ctx, 0, a.parent_id)))
        goto out;
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "INSERT INTO accounts (code, name, alias, parent_id, industry, region, "
                    "channel, employees, revenue_amount, revenue_currency, owner_id, tier, "
                    "status, source, referred_by, tier_locked, version, created_at, updated_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?) RETURNING id",
                    &st, ctx->err);
    if (rc)
        goto out;
    bind_fields(st, &a);
    db_bind_i64(st, 17, ctx->now);
    db_bind_i64(st, 18, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        a.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, NULL, &a);
    rc = audit_write(ctx, "account", a.id, a.id, "create", &d);
    if (!rc)
        rc = account_record_tier(ctx, a.id, NULL, a.tier, 0, 0, "manual");
    if (!rc)
        rc = search_sync(ctx, "account", a.id);
    if (!rc)
        rc = account_get(ctx, a.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err account_get(struct kam_ctx *ctx, int64_t id, struct account *out)
{
    /* One round trip: on PostgreSQL each query is one. */
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT " COLS ", (SELECT p.name FROM accounts p WHERE p.id = "
                                 "accounts.parent_id), (SELECT COUNT(*) FROM accounts s WHERE "
                                 "s.parent_id = accounts.id) FROM accounts WHERE id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        read_row(ctx, st, out);
        if (!db_col_is_null(st, 24))
            out->parent_name = arena_strdup(ctx->a, db_col_text(st, 24));
        out->subsidiary_count = db_col_i64(st, 25);
    }
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such account");
    return rc;
}

/* ---- update (svc/core/update.h) ---- */

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return account_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    struct account *a = rec;
    const struct account *b = op->before;
    merge(a, op->in);
    enum kam_err rc = validate(op->ctx, a);
    if (!rc && a->owner_id != b->owner_id)
        rc = check_owner(op->ctx, a->owner_id);
    if (!rc && a->has_parent && (!b->has_parent || a->parent_id != b->parent_id))
        rc = check_parent(op->ctx, a->id, a->parent_id);
    return rc;
}

static void up_diff(const struct update_op *op)
{
    diff_all(op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct account *a = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "UPDATE accounts SET code = ?, name = ?, alias = ?, parent_id = ?, "
                   "industry = ?, region = ?, channel = ?, employees = ?, revenue_amount = ?, "
                   "revenue_currency = ?, owner_id = ?, tier = ?, status = ?, source = ?, "
                   "referred_by = ?, tier_locked = ?, version = version + 1, updated_at = ? "
                   "WHERE id = ? AND version = ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    bind_fields(st, a);
    db_bind_i64(st, 17, ctx->now);
    db_bind_i64(st, 18, a->id);
    db_bind_i64(st, 19, b->version);
    /* No row changed is a lost race: record_save answers 409 from db_changes. */
    if ((rc = db_run(st, ctx->err)) || db_changes(ctx->db) != 1)
        return rc;
    return search_sync(ctx, "account", a->id);
}

static int64_t up_account(const void *rec)
{
    return ((const struct account *)rec)->id;
}

/* A manual tier change goes into the tier history. */
static enum kam_err up_after(const struct update_op *op)
{
    const struct account *b = op->before, *a = op->after;
    if (strcmp(a->tier, b->tier) == 0)
        return KAM_OK;
    return account_record_tier(op->ctx, a->id, b->tier, a->tier, 0, 0, "manual");
}

static const struct update_spec account_spec = {
    .entity = "account",
    .size = sizeof(struct account),
    .versioned = 1,
    .version_at = offsetof(struct account, version),
    .get = up_get,
    .in_set_at = offsetof(struct account_in, set),
    .in_version_at = offsetof(struct account_in, v.version),
    .in_version_bit = ACC_VERSION,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
    .after = up_after,
};

enum kam_err account_update(struct kam_ctx *ctx, int64_t id, const struct account_in *in,
                            struct account *out)
{
    return record_update(ctx, &account_spec, id, in, out);
}

/* Deletes the rows of `table` under an account, one audit row each (entity NULL: link rows,
 * not audited on their own). Table names come from this file, never from input. */
static enum kam_err purge(struct kam_ctx *ctx, const char *table, const char *entity,
                          int64_t account_id)
{
    char sql[256];
    enum kam_err rc;
    if (!entity) {
        /* interaction_contacts hang under interactions */
        snprintf(sql, sizeof sql,
                 "DELETE FROM %s WHERE interaction_id IN (SELECT id FROM interactions WHERE "
                 "account_id = ?)",
                 table);
        return db_exec_i64(ctx->db, sql, account_id, ctx->err);
    }
    for (;;) {
        snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE account_id = ? ORDER BY id LIMIT 1",
                 table);
        int64_t rid;
        rc = db_query_i64(ctx->db, sql, 1, account_id, &rid, ctx->err);
        if (rc == KAM_ENOTFOUND)
            return KAM_OK;
        if (rc)
            return rc;
        if (!strcmp(table, "interactions") &&
            (rc = db_exec_i64(ctx->db,
                              "UPDATE visits SET interaction_id = NULL WHERE "
                              "interaction_id = ?",
                              rid, ctx->err)))
            return rc;
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id = ?", table);
        if ((rc = db_exec_i64(ctx->db, sql, rid, ctx->err)))
            return rc;
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_i64(&d, "account_id", account_id, 0, 0, 1);
        if ((rc = audit_write(ctx, entity, rid, account_id, "delete", &d)))
            return rc;
    }
}

enum kam_err account_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct account before;
    int64_t subs = 0;
    if ((rc = load(ctx, id, &before)))
        goto out;
    rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM accounts WHERE parent_id = ?", 1, id, &subs,
                      ctx->err);
    if (rc)
        goto out;
    if (subs) {
        rc = kam_fail_key(
            ctx->err, KAM_ECONFLICT, "id", "account.has_subsidiaries",
            (struct kam_param[]){{"n", arena_printf(ctx->a, "%lld", (long long)subs)}, {0}},
            "the account has %lld subsidiaries; move or delete them first", (long long)subs);
        goto out;
    }
    /* Sales history is the company's record of what was sold: an account that has it stays
     * (mark it lost instead). Target cells keep their numbers; its wallet estimates, proposals
     * and measures go or lose their link. */
    int64_t lines = 0;
    if ((rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM order_lines WHERE account_id = ?", 1, id,
                           &lines, ctx->err)))
        goto out;
    if (lines) {
        rc = kam_fail_key(
            ctx->err, KAM_ECONFLICT, "id", "account.has_order_lines",
            (struct kam_param[]){{"n", arena_printf(ctx->a, "%lld", (long long)lines)}, {0}},
            "the account has %lld order lines; set its status to lost instead", (long long)lines);
        goto out;
    }
    /* Its price lists, promotions and rebates (0020) are business records: they are deleted on
     * their own (audited), not with the account. */
    int64_t prices = 0;
    if ((rc = db_query_i64(ctx->db,
                           "SELECT COUNT(*) FROM accounts a WHERE a.id = ? AND (EXISTS (SELECT "
                           "1 FROM price_lists l WHERE l.account_id = a.id) OR EXISTS (SELECT 1 "
                           "FROM promotions p WHERE p.account_id = a.id) OR EXISTS (SELECT 1 FROM "
                           "rebates r WHERE r.account_id = a.id))",
                           1, id, &prices, ctx->err)))
        goto out;
    if (prices) {
        rc = kam_fail_key(
            ctx->err, KAM_ECONFLICT, "id", "account.has_prices", NULL,
            "the account has price lists, promotions or rebates of its own; delete them first");
        goto out;
    }
    /* Its opportunities, offers and discount approvals (0022) are business records too. */
    int64_t deals = 0;
    if ((rc = db_query_i64(ctx->db,
                           "SELECT COUNT(*) FROM accounts a WHERE a.id = ? AND (EXISTS (SELECT "
                           "1 FROM opportunities o WHERE o.account_id = a.id) OR EXISTS (SELECT 1 "
                           "FROM offers f WHERE f.account_id = a.id) OR EXISTS (SELECT 1 FROM "
                           "approvals p WHERE p.account_id = a.id))",
                           1, id, &deals, ctx->err)))
        goto out;
    if (deals) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "account.has_offers", NULL,
                          "the account has opportunities or offers; delete them or set its "
                          "status to lost instead");
        goto out;
    }
    /* Its risks, gifts, receivables, credit holds and competitors' presence (0023) are
     * business records too; alerts, health scores, churn scores and its credit limit are
     * derived or settings and go with it. */
    int64_t risk = 0;
    if ((rc = db_query_i64(
             ctx->db,
             "SELECT COUNT(*) FROM accounts a WHERE a.id = ? AND (EXISTS (SELECT 1 FROM risks r "
             "WHERE r.account_id = a.id) OR EXISTS (SELECT 1 FROM gifts g WHERE g.account_id = "
             "a.id) OR EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.id) OR EXISTS "
             "(SELECT 1 FROM payments p WHERE p.account_id = a.id) OR EXISTS (SELECT 1 FROM "
             "credit_holds h WHERE h.account_id = a.id) OR EXISTS (SELECT 1 FROM "
             "competitor_presence c WHERE c.account_id = a.id) OR EXISTS (SELECT 1 FROM "
             "competitor_moves m WHERE m.account_id = a.id))",
             1, id, &risk, ctx->err)))
        goto out;
    if (risk) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "account.has_risk_records", NULL,
                          "the account has risks, gifts, invoices, payments or competitor "
                          "records; set its status to lost instead");
        goto out;
    }
    /* Its contracts (0025) are business records too (drafts included: delete them first). */
    int64_t contracts = 0;
    if ((rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM contracts WHERE account_id = ?", 1, id,
                           &contracts, ctx->err)))
        goto out;
    if (contracts) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "account.has_contracts", NULL,
                          "the account has contracts; set its status to lost instead");
        goto out;
    }
    /* Its disputes and lessons learned (0025) too: a case stays with its account. */
    int64_t cases = 0;
    if ((rc = db_query_i64(ctx->db,
                           "SELECT COUNT(*) FROM accounts a WHERE a.id = ? AND (EXISTS (SELECT 1 "
                           "FROM disputes d WHERE d.account_id = a.id) OR EXISTS (SELECT 1 FROM "
                           "lessons l WHERE l.account_id = a.id))",
                           1, id, &cases, ctx->err)))
        goto out;
    if (cases) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "account.has_disputes", NULL,
                          "the account has disputes or lessons learned; set its status to lost "
                          "instead");
        goto out;
    }
    static const char *const sales[] = {
        "DELETE FROM alerts WHERE account_id = ?",
        "DELETE FROM account_health WHERE account_id = ?",
        "DELETE FROM churn_scores WHERE account_id = ?",
        "DELETE FROM credit_limits WHERE account_id = ?",
        "DELETE FROM gift_budgets WHERE account_id = ?",
        "DELETE FROM wallet_estimates WHERE account_id = ?",
        "DELETE FROM target_proposals WHERE account_id = ?",
        "UPDATE measures SET account_id = NULL WHERE account_id = ?"};
    for (size_t i = 0; !rc && i < sizeof sales / sizeof sales[0]; i++)
        rc = db_exec_i64(ctx->db, sales[i], id, ctx->err);
    if (rc)
        goto out;
    /* Needs and interviews (0017) first: they name the visits, interactions and contacts. */
    if ((rc = purge(ctx, "follow_ups", "follow_up", id)) ||
        (rc = purge(ctx, "needs", "need", id)) ||
        (rc = purge(ctx, "interviews", "interview", id)) ||
        (rc = purge(ctx, "interaction_contacts", NULL, id)) ||
        (rc = purge(ctx, "interactions", "interaction", id)) ||
        (rc = purge(ctx, "visits", "visit", id)) || (rc = purge(ctx, "issues", "issue", id)) ||
        (rc = purge(ctx, "care_reminders", "care", id)))
        goto out;
    /* The account's assessments and score go with it; its tier history stays, like its audit
     * trail. */
    static const char *const owned[] = {"DELETE FROM account_assessments WHERE account_id = ?",
                                        "DELETE FROM account_scores WHERE account_id = ?"};
    for (size_t i = 0; !rc && i < sizeof owned / sizeof owned[0]; i++)
        rc = db_exec_i64(ctx->db, owned[i], id, ctx->err);
    if (rc)
        goto out;
    if ((rc = contact_delete_all(ctx, id)))
        goto out;
    struct account_member *m;
    size_t n;
    if ((rc = account_members(ctx, id, &m, &n)))
        goto out;
    for (size_t i = 0; i < n && !rc; i++)
        rc = account_member_remove(ctx, id, m[i].user_id);
    if (rc)
        goto out;
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM accounts WHERE id = ?", id, ctx->err)) ||
        (rc = search_drop_account(ctx, id)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, &before, NULL);
    rc = audit_write(ctx, "account", id, id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* Sort keys of the account list. revenue: the amount converted to the base currency through
 * the volume chapter's exchange rates (fx_rates: base-currency units per unit, times 10^6; the
 * base currency is the setting base_currency), read here by SQL since the chapters do not
 * include each other. The join `fx` (see list_from) gives every account's rate, 10^6 for the
 * base currency; the split product keeps the arithmetic in 64 bits for every amount the
 * account rules allow (<= 2^60) at a sane rate; an account without revenue, without a rate for
 * its currency, or whose converted value would pass 8 * 10^18 minor units sorts as -1 (first
 * ascending). tier: its rank in account_tiers, not the alphabet. */
#define REVENUE_KEY                                                                                \
    "COALESCE(accounts.revenue_amount/1000000*fx.rate_micro+accounts.revenue_amount%1000000*"      \
    "fx.rate_micro/1000000,-1)"
#define TIER_KEY                                                                                   \
    "CASE accounts.tier WHEN 'strategic' THEN 0 WHEN 'key' THEN 1 WHEN 'growth' THEN 2 ELSE 3 END"

static const struct page_sort sorts[] = {
    {"name", "accounts.name", 1},
    {"code", "accounts.code", 1},
    {"updated_at", "accounts.updated_at", 0},
    {"id", "accounts.id", 0},
    {"revenue", REVENUE_KEY, 0},
    {"tier", TIER_KEY, 0},
};

/* Checks q's filters; errors name the parameter. */
static enum kam_err list_check(struct kam_ctx *ctx, const struct account_query *q)
{
    static const char *const screenings[] = {"pending", "accepted", "rejected", NULL};
    enum kam_err rc = KAM_OK;
    if ((q->q && (rc = check_text(ctx, "q", q->q, 0, 100, 0))) ||
        (q->tier && (rc = check_enum(ctx, "tier", q->tier, account_tiers))) ||
        (q->status && (rc = check_enum(ctx, "status", q->status, account_statuses))) ||
        (q->screening && (rc = check_enum(ctx, "screening", q->screening, screenings))) ||
        (q->source && (rc = check_enum(ctx, "source", q->source, account_sources))))
        return rc;
    return KAM_OK;
}

/* " FROM accounts [joins] WHERE <prospects> <filters>" of the list and its count; the scope's
 * WITH clause is already in b. fx: the revenue sort's exchange rates (base bound as text). */
static void list_from(struct kam_ctx *ctx, struct sqlb *b, const struct account_query *q,
                      int scoped, const char *fx_base)
{
    if (q->prospects)
        sqlb_sql(b, " FROM accounts LEFT JOIN account_scores ON account_scores.account_id = "
                    "accounts.id");
    else
        sqlb_sql(b, " FROM accounts");
    if (fx_base) {
        sqlb_sql(b, " LEFT JOIN (SELECT CAST(? AS TEXT) AS currency, CAST(1000000 AS BIGINT) AS "
                    "rate_micro UNION ALL SELECT currency, rate_micro FROM fx_rates WHERE "
                    "currency <> ?) fx ON fx.currency = accounts.revenue_currency AND "
                    "accounts.revenue_amount / 1000000 <= 8000000000000000000 / fx.rate_micro");
        sqlb_text(b, fx_base);
        sqlb_text(b, fx_base);
    }
    if (q->prospects)
        sqlb_sql(b, " WHERE (accounts.status = 'prospect' OR accounts.screening IS NOT NULL)");
    else
        sqlb_sql(b, " WHERE 1 = 1");
    if (q->screening && !strcmp(q->screening, "pending")) {
        sqlb_sql(b, " AND accounts.screening IS NULL");
    } else if (q->screening) {
        sqlb_sql(b, " AND accounts.screening = ?");
        sqlb_text(b, q->screening);
    }
    if (q->source) {
        sqlb_sql(b, " AND accounts.source = ?");
        sqlb_text(b, q->source);
    }
    if (scoped)
        sqlb_sql(b, " AND " POLICY_SCOPE_COND);
    if (q->q && *q->q) {
        const char *bind;
        int nbind;
        const char *cond = db_search_cond(ctx->db, "accounts", q->q, ctx->a, &bind, &nbind);
        sqlb_sql(b, " AND ");
        sqlb_sql(b, cond);
        for (int i = 0; i < nbind; i++)
            sqlb_text(b, bind);
    }
    const struct {
        const char *val, *sql;
    } eq[] = {
        {q->tier, " AND accounts.tier = ?"},
        {q->region, " AND accounts.region = ?"},
        {q->channel, " AND accounts.channel = ?"},
        {q->status, " AND accounts.status = ?"},
    };
    for (size_t i = 0; i < sizeof eq / sizeof eq[0]; i++) {
        if (!eq[i].val)
            continue;
        sqlb_sql(b, eq[i].sql);
        sqlb_text(b, eq[i].val);
    }
    if (q->owner_id) {
        sqlb_sql(b, " AND accounts.owner_id = ?");
        sqlb_i64(b, q->owner_id);
    }
    if (q->parent_id) {
        sqlb_sql(b, " AND accounts.parent_id = ?");
        sqlb_i64(b, q->parent_id);
    }
}

/* A list row: the account, its sort key (column 24), its score (25, prospect lists). */
static void read_list_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct account *a = row;
    read_row(ctx, st, a);
    a->sort_key = db_col_is_null(st, 24) ? 0 : db_col_i64(st, 24);
    a->has_score = !db_col_is_null(st, 25);
    a->score = a->has_score ? db_col_i64(st, 25) : 0;
}

enum kam_err account_list(struct kam_ctx *ctx, const struct account_query *q,
                          struct account **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc =
        page_parse(ctx, sorts, sizeof sorts / sizeof sorts[0], q->sort, q->limit, q->cursor, &pg);
    if (rc || (rc = list_check(ctx, q)))
        return rc;
    const char *base = NULL;
    if (strcmp(pg.sort->key, "revenue") == 0 &&
        (rc = settings_get(ctx, "base_currency", "CNY", &base)))
        return rc;
    int text_key = pg.sort->is_text;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " COLS ", ");
    sqlb_sql(&b, text_key ? "NULL" : pg.sort->column);
    sqlb_sql(&b, q->prospects ? ", account_scores.score" : ", NULL");
    list_from(ctx, &b, q, scoped, base);
    struct account *items;
    const struct account *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "accounts.id", read_list_row, sizeof *items, (void **)&items,
                         &n, (const void **)&last)))
        return rc;
    *next_out = NULL;
    if (last) {
        const char *s = strcmp(pg.sort->key, "code") == 0 ? last->code : last->name;
        *next_out = page_cursor(ctx, &pg, s, last->sort_key, last->id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err account_count(struct kam_ctx *ctx, const struct account_query *q, int64_t *out)
{
    *out = 0;
    enum kam_err rc = list_check(ctx, q);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT COUNT(*)");
    list_from(ctx, &b, q, scoped, NULL);
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *out = db_col_i64(st, 0);
    db_done(st);
    return rc;
}

/* The caller changes each account's owner as a PATCH would: the policy's account update on
 * that account, then record_update (owner rules, version, audit row). */
enum kam_err account_transfer(struct kam_ctx *ctx, const int64_t *ids, size_t n,
                              const int64_t *versions, int64_t owner_id, size_t *changed_out)
{
    *changed_out = 0;
    if (n == 0)
        return kam_fail(ctx->err, KAM_EINVAL, "ids", "ids must name at least one account");
    if (n > ACCOUNT_TRANSFER_MAX)
        return kam_fail(ctx->err, KAM_ETOOBIG, "ids", "at most %d accounts at a time",
                        ACCOUNT_TRANSFER_MAX);
    if (owner_id <= 0)
        return kam_fail(ctx->err, KAM_EINVAL, "owner_id", "owner_id is required");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (ids[i] == ids[j])
                return kam_fail(ctx->err, KAM_EINVAL, "ids", "account %lld is named twice",
                                (long long)ids[i]);
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    /* The new owner once for all (the same rule each PATCH applies). */
    rc = check_owner(ctx, owner_id);
    size_t changed = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = policy_body_account(ctx, "ids", ids[i], OBJ_ACCOUNT, ACT_UPDATE);
        if (!rc) {
            struct account_in in = {0};
            struct account before, after;
            in.v.owner_id = owner_id;
            in.set = ACC_OWNER;
            if (versions) {
                in.v.version = versions[i];
                in.set |= ACC_VERSION;
            }
            if (!(rc = account_get(ctx, ids[i], &before)) &&
                !(rc = account_update(ctx, ids[i], &in, &after)) && after.version != before.version)
                changed++;
        }
        if (rc && rc != KAM_EDB && rc != KAM_EBUSY && rc != KAM_EINTERNAL) {
            /* Name the account that failed, keeping the code, the message key and the
             * reason. */
            char msg[sizeof ctx->err->msg];
            snprintf(msg, sizeof msg, "%s", ctx->err->msg);
            snprintf(ctx->err->field, sizeof ctx->err->field, "ids");
            snprintf(ctx->err->msg, sizeof ctx->err->msg, "account %lld: %.160s", (long long)ids[i],
                     msg);
        }
    }
    if (!rc)
        *changed_out = changed;
    return db_end(ctx->db, rc, ctx->err);
}

/* Starts a statement over the caller's accounts: "<scope WITH> SELECT <what> FROM accounts
 * WHERE <scope> [AND owner_id = ?]". */
static void summary_query(struct kam_ctx *ctx, struct sqlb *b, const char *what, int64_t owner_id)
{
    sqlb_init(b, ctx->a);
    int scoped = policy_scope_with(ctx, b);
    sqlb_sql(b, "SELECT ");
    sqlb_sql(b, what);
    sqlb_sql(b, " FROM accounts WHERE 1 = 1");
    if (scoped)
        sqlb_sql(b, " AND " POLICY_SCOPE_COND);
    if (owner_id) {
        sqlb_sql(b, " AND accounts.owner_id = ?");
        sqlb_i64(b, owner_id);
    }
}

static int index_of(const char *const *vals, const char *s)
{
    for (int i = 0; vals[i]; i++)
        if (strcmp(vals[i], s) == 0)
            return i;
    return -1;
}

static enum kam_err facet(struct kam_ctx *ctx, const char *column, int64_t owner_id,
                          struct facet **out, size_t *n_out)
{
    struct sqlb b;
    char what[96], tail[160];
    snprintf(what, sizeof what, "accounts.%s, COUNT(*)", column);
    summary_query(ctx, &b, what, owner_id);
    snprintf(tail, sizeof tail,
             " AND accounts.%s <> '' GROUP BY accounts.%s ORDER BY COUNT(*) DESC, accounts.%s "
             "LIMIT %d",
             column, column, column, SUMMARY_FACETS_MAX);
    sqlb_sql(&b, tail);
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct facet *items = arena_calloc(ctx->a, SUMMARY_FACETS_MAX, sizeof *items);
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < SUMMARY_FACETS_MAX) {
        items[n].value = arena_strdup(ctx->a, db_col_text(st, 0));
        items[n].count = db_col_i64(st, 1);
        n++;
    }
    db_done(st);
    *out = items;
    *n_out = n;
    return rc;
}

enum kam_err account_summarize(struct kam_ctx *ctx, int64_t owner_id, struct account_summary *out)
{
    memset(out, 0, sizeof *out);
    struct sqlb b;
    summary_query(ctx, &b, "accounts.tier, accounts.status, COUNT(*)", owner_id);
    sqlb_sql(&b, " GROUP BY accounts.tier, accounts.status");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t count = db_col_i64(st, 2);
        int t = index_of(account_tiers, db_col_text(st, 0));
        int s = index_of(account_statuses, db_col_text(st, 1));
        out->total += count;
        if (t >= 0)
            out->by_tier[t] += count;
        if (s >= 0)
            out->by_status[s] += count;
    }
    db_done(st);
    if (!rc)
        rc = facet(ctx, "region", owner_id, &out->regions, &out->nregions);
    if (!rc)
        rc = facet(ctx, "channel", owner_id, &out->channels, &out->nchannels);
    if (!rc)
        rc = facet(ctx, "industry", owner_id, &out->industries, &out->nindustries);
    return rc;
}

static void read_member(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct account_member *m = row;
    m->account_id = db_col_i64(st, 0);
    m->user_id = db_col_i64(st, 1);
    m->created_at = db_col_i64(st, 2);
    m->login = arena_strdup(ctx->a, db_col_text(st, 3));
    m->name = arena_strdup(ctx->a, db_col_text(st, 4));
    m->dept_role = arena_strdup(ctx->a, db_col_text(st, 5));
}

enum kam_err account_members(struct kam_ctx *ctx, int64_t account_id,
                             struct account_member **items_out, size_t *n_out)
{
    int64_t count = 0;
    enum kam_err rc =
        db_query_i64(ctx->db, "SELECT COUNT(*) FROM account_members WHERE account_id = ?", 1,
                     account_id, &count, ctx->err);
    if (rc)
        return rc;
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "SELECT m.account_id, m.user_id, m.created_at, u.login, u.name, m.dept_role "
                    "FROM account_members m JOIN users u ON u.id = m.user_id WHERE "
                    "m.account_id = ? ORDER BY m.dept_role, u.name, u.id",
                    &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    return rows_collect(ctx, st, (size_t)count, read_member, sizeof **items_out, (void **)items_out,
                        n_out);
}

enum kam_err account_member_add(struct kam_ctx *ctx, int64_t account_id, int64_t user_id,
                                const char *dept_role, struct account_member *out)
{
    enum kam_err rc = check_enum(ctx, "dept_role", dept_role, member_dept_roles);
    if (rc)
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int64_t disabled = 0;
    rc = db_query_i64(ctx->db, "SELECT disabled FROM users WHERE id = ?", 1, user_id, &disabled,
                      ctx->err);
    if (rc == KAM_ENOTFOUND || (!rc && disabled)) {
        rc = kam_fail(ctx->err, KAM_EINVAL, "user_id", "user_id is not an active user");
        goto out;
    }
    if (rc)
        goto out;
    struct db_stmt *st;
    rc = db_prepare(ctx->db, "SELECT 1 FROM account_members WHERE account_id = ? AND user_id = ?",
                    &st, ctx->err);
    if (rc)
        goto out;
    db_bind_i64(st, 1, account_id);
    db_bind_i64(st, 2, user_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    if (!rc && row)
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "user_id", "account.already_member", NULL,
                          "already a member of the account team");
    if (rc)
        goto out;
    rc = db_prepare(ctx->db,
                    "INSERT INTO account_members (account_id, user_id, dept_role, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    &st, ctx->err);
    if (rc)
        goto out;
    db_bind_i64(st, 1, account_id);
    db_bind_i64(st, 2, user_id);
    db_bind_text(st, 3, dept_role);
    db_bind_i64(st, 4, ctx->now);
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "user_id", 0, 1, user_id, 0);
    audit_diff_str(&d, "dept_role", NULL, dept_role);
    rc = audit_write(ctx, "account_member", user_id, account_id, "create", &d);
    if (rc)
        goto out;
    struct account_member *m;
    size_t n;
    rc = account_members(ctx, account_id, &m, &n);
    for (size_t i = 0; !rc && i < n; i++)
        if (m[i].user_id == user_id)
            *out = m[i];
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err account_member_remove(struct kam_ctx *ctx, int64_t account_id, int64_t user_id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "SELECT dept_role FROM account_members WHERE account_id = ? AND user_id = ?",
                    &st, ctx->err);
    if (rc)
        goto out;
    db_bind_i64(st, 1, account_id);
    db_bind_i64(st, 2, user_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    const char *role = row ? arena_strdup(ctx->a, db_col_text(st, 0)) : NULL;
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "user_id", "not a member of the account team");
    if (rc)
        goto out;
    rc = db_prepare(ctx->db, "DELETE FROM account_members WHERE account_id = ? AND user_id = ?",
                    &st, ctx->err);
    if (rc)
        goto out;
    db_bind_i64(st, 1, account_id);
    db_bind_i64(st, 2, user_id);
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "user_id", user_id, 0, 0, 1);
    audit_diff_str(&d, "dept_role", role, NULL);
    rc = audit_write(ctx, "account_member", user_id, account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* The tier history is the account's: written by its own changes (manual) and by valuation
 * (score), so neither file needs the other both ways. */
enum kam_err account_record_tier(struct kam_ctx *ctx, int64_t account_id, const char *from,
                                 const char *to, int64_t score, int has_score, const char *reason)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "INSERT INTO tier_history (account_id, from_tier, to_tier, score, "
                                 "reason, user_id, at) VALUES (?,?,?,?,?,?,?)",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_text(st, 2, from);
    db_bind_text(st, 3, to);
    db_bind_i64n(st, 4, score, !has_score);
    db_bind_text(st, 5, reason);
    db_bind_i64n(st, 6, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_i64(st, 7, ctx->now);
    rc = db_run(st, ctx->err);
    return rc;
}
