/* test_update.c -- the update skeleton (svc/core/update.h): nothing changed writes nothing, a
 * stale version and a lost race are 409 "version" with nothing kept, hooks run in order. */
#include <stddef.h>

#include "fixture.h"
#include "svc/core/audit.h"
#include "svc/core/update.h"
#include "svc/core/user.h"
#include "svc/relationships/account.h"
#include "svc/volume/product.h"
#include "test.h"

#define NOW 1767225600 /* 2026-01-01 */

static int64_t mk_product(struct fixture *f, const char *sku)
{
    struct product_in in = {.set = PROD_SKU | PROD_NAME | PROD_FAMILY};
    in.sku = sku;
    in.name = sku;
    in.family = "Servers";
    struct product p = {0};
    CHECK_EQ_INT(product_create(fixture_ctx(f), &in, &p), KAM_OK);
    return p.id;
}

static int64_t audit_rows(struct fixture *f)
{
    return fixture_q64(f, "SELECT COUNT(*) FROM audit");
}

TEST(update_nothing_changed_writes_nothing)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t id = mk_product(&f, "SKU-U1");
    int64_t rows = audit_rows(&f);
    f.ctx.now = NOW + 60;
    struct product_in same = {.set = PROD_NAME | PROD_FAMILY | PROD_VERSION};
    same.name = "SKU-U1";
    same.family = "Servers";
    same.version = 1;
    struct product p = {0};
    CHECK_EQ_INT(product_update(fixture_ctx(&f), id, &same, &p), KAM_OK);
    CHECK_EQ_INT(p.version, 1);
    CHECK_EQ_INT(p.updated_at, NOW);
    CHECK_EQ_INT(audit_rows(&f), rows);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT version FROM products WHERE sku = 'SKU-U1'"), 1);
    /* a real change: one version, one audit row naming the field */
    same.name = "Renamed";
    CHECK_EQ_INT(product_update(fixture_ctx(&f), id, &same, &p), KAM_OK);
    CHECK_EQ_INT(p.version, 2);
    CHECK_EQ_INT(p.updated_at, NOW + 60);
    CHECK_EQ_STR(p.name, "Renamed");
    CHECK_EQ_INT(audit_rows(&f), rows + 1);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM audit WHERE entity = 'product' AND action = "
                                 "'update' AND changes LIKE '%\"name\":[\"SKU-U1\",\"Renamed\"]%'"),
                 1);
    /* unversioned records follow the same rule: a team renamed to its own name */
    struct team_in tin = {.set = TEAM_NAME};
    tin.v.name = "Sales";
    struct team t = {0};
    CHECK_EQ_INT(team_create(fixture_ctx(&f), &tin, &t), KAM_OK);
    rows = audit_rows(&f);
    f.ctx.now = NOW + 120;
    CHECK_EQ_INT(team_update(fixture_ctx(&f), t.id, &tin, &t), KAM_OK);
    CHECK_EQ_INT(t.updated_at, NOW + 60);
    CHECK_EQ_INT(audit_rows(&f), rows);
    fixture_close(&f);
}

TEST(update_stale_version_is_409_version)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t id = mk_product(&f, "SKU-U2");
    struct product_in in = {.set = PROD_NAME | PROD_VERSION};
    in.name = "Other";
    in.version = 7;
    struct product p = {0};
    fixture_check_err(&f, product_update(fixture_ctx(&f), id, &in, &p), KAM_ECONFLICT, "version");
    CHECK(strstr(f.e.msg, "version 7, now 1") != NULL);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM products WHERE name = 'Other'"), 0);
    /* a missing record is 404 "id" before anything else */
    fixture_check_err(&f, product_update(fixture_ctx(&f), id + 100, &in, &p), KAM_ENOTFOUND, "id");
    fixture_close(&f);
}

/* A spec over products whose merge lets "someone else" bump the row between the load and the
 * write, as a concurrent transaction on another connection would. */
struct race {
    int then_ran, after_ran;
};
static struct race race;

static enum kam_err race_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return product_get(ctx, id, rec);
}

static enum kam_err race_merge(const struct update_op *op, void *rec)
{
    struct product *p = rec;
    p->name = op->in;
    return db_exec_i64(op->ctx->db, "UPDATE products SET version = version + 1 WHERE id = ?", p->id,
                       op->ctx->err);
}

static void race_diff(const struct update_op *op)
{
    const struct product *b = op->before, *a = op->after;
    audit_diff_str(op->diff, "name", b->name, a->name);
}

static enum kam_err race_write(const struct update_op *op)
{
    const struct product *p = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        op->ctx->db,
        "UPDATE products SET name = ?, version = version + 1 WHERE id = ? AND version = ?", &st,
        op->ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, p->name);
    db_bind_i64(st, 2, p->id);
    db_bind_i64(st, 3, b->version);
    return db_run(st, op->ctx->err);
}

static enum kam_err race_then(const struct update_op *op)
{
    (void)op;
    race.then_ran++;
    return KAM_OK;
}

static enum kam_err race_after(const struct update_op *op)
{
    (void)op;
    race.after_ran++;
    return KAM_OK;
}

static const struct update_spec race_spec = {
    .entity = "product",
    .size = sizeof(struct product),
    .versioned = 1,
    .version_at = offsetof(struct product, version),
    .get = race_get,
    .merge = race_merge,
    .diff = race_diff,
    .write = race_write,
    .then = race_then,
    .after = race_after,
};

TEST(update_lost_race_is_409_and_keeps_nothing)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t id = mk_product(&f, "SKU-U3");
    int64_t rows = audit_rows(&f);
    struct product p = {0};
    race = (struct race){0};
    fixture_check_err(&f, record_update(fixture_ctx(&f), &race_spec, id, "Raced", &p),
                      KAM_ECONFLICT, "version");
    CHECK_EQ_STR(f.e.msg, "the product was changed meanwhile");
    CHECK_EQ_INT(race.then_ran, 0);
    CHECK_EQ_INT(race.after_ran, 0);
    CHECK_EQ_INT(audit_rows(&f), rows);
    /* rolled back as a whole: neither name nor the other writer's bump (same transaction) */
    CHECK_EQ_INT(fixture_q64(&f, "SELECT version FROM products WHERE sku = 'SKU-U3'"), 1);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM products WHERE name = 'Raced'"), 0);
    fixture_close(&f);
}

TEST(update_hooks_run_in_order_and_account_tier_goes_to_history)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t owner = fixture_add_user(&f, "owner-u", "account_manager", 0);
    struct account_in in = {.set = ACC_CODE | ACC_NAME | ACC_OWNER};
    in.v.code = "U-1";
    in.v.name = "Upd";
    in.v.owner_id = owner;
    struct account a = {0};
    CHECK_EQ_INT(account_create(fixture_ctx(&f), &in, &a), KAM_OK);
    int64_t hist = fixture_q64(&f, "SELECT COUNT(*) FROM tier_history");
    struct account_in up = {.set = ACC_TIER | ACC_VERSION};
    up.v.tier = "key";
    up.v.version = a.version;
    CHECK_EQ_INT(account_update(fixture_ctx(&f), a.id, &up, &a), KAM_OK);
    CHECK_EQ_STR(a.tier, "key");
    CHECK_EQ_INT(a.version, 2);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM tier_history"), hist + 1);
    /* the same again changes nothing: no history row, no version */
    up.v.version = 2;
    CHECK_EQ_INT(account_update(fixture_ctx(&f), a.id, &up, &a), KAM_OK);
    CHECK_EQ_INT(a.version, 2);
    CHECK_EQ_INT(fixture_q64(&f, "SELECT COUNT(*) FROM tier_history"), hist + 1);
    /* a failing check in merge leaves no trace and names its field */
    struct account_in bad = {.set = ACC_TIER};
    bad.v.tier = "emperor";
    fixture_check_err(&f, account_update(fixture_ctx(&f), a.id, &bad, &a), KAM_EINVAL, "tier");
    fixture_close(&f);
}
