/* contact.c -- contacts of an account and their reporting lines. */
#include "contact.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/search.h"
#include "svc/core/settings.h"
#include "svc/core/update.h"

const char *const contact_decision_roles[] = {"decision_maker", "influencer", "user", "gatekeeper",
                                              "champion",       "other",      NULL};

#define COLS                                                                                       \
    "contacts.id, contacts.account_id, contacts.name, contacts.title, contacts.department, "       \
    "contacts.decision_role, contacts.influence, contacts.attitude, contacts.reports_to_id, "      \
    "contacts.phone, contacts.email, contacts.birthday, contacts.last_contacted_at, "              \
    "contacts.notes, contacts.version, contacts.created_at, contacts.updated_at"

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct contact *c = row;
    memset(c, 0, sizeof *c);
    c->id = db_col_i64(st, 0);
    c->account_id = db_col_i64(st, 1);
    c->name = arena_strdup(ctx->a, db_col_text(st, 2));
    c->title = arena_strdup(ctx->a, db_col_text(st, 3));
    c->department = arena_strdup(ctx->a, db_col_text(st, 4));
    c->decision_role = arena_strdup(ctx->a, db_col_text(st, 5));
    c->influence = db_col_i64(st, 6);
    c->attitude = db_col_i64(st, 7);
    c->has_reports_to = !db_col_is_null(st, 8);
    c->reports_to_id = c->has_reports_to ? db_col_i64(st, 8) : 0;
    c->phone = arena_strdup(ctx->a, db_col_text(st, 9));
    c->email = arena_strdup(ctx->a, db_col_text(st, 10));
    c->birthday = db_col_is_null(st, 11) ? NULL : arena_strdup(ctx->a, db_col_text(st, 11));
    c->has_last_contacted = !db_col_is_null(st, 12);
    c->last_contacted_at = c->has_last_contacted ? db_col_i64(st, 12) : 0;
    c->notes = arena_strdup(ctx->a, db_col_text(st, 13));
    c->version = db_col_i64(st, 14);
    c->created_at = db_col_i64(st, 15);
    c->updated_at = db_col_i64(st, 16);
}

enum kam_err contact_get(struct kam_ctx *ctx, int64_t id, struct contact *out)
{
    enum kam_err rc =
        row_get(ctx, "SELECT " COLS " FROM contacts WHERE id = ?", id, read_row, out, "contact");
    return rc;
}

enum kam_err contact_account_of(struct kam_ctx *ctx, int64_t id, int64_t *account_id_out)
{
    enum kam_err rc = db_query_i64(ctx->db, "SELECT account_id FROM contacts WHERE id = ?", 1, id,
                                   account_id_out, ctx->err);
    if (rc == KAM_ENOTFOUND)
        return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such contact");
    return rc;
}

static enum kam_err validate(struct kam_ctx *ctx, const struct contact *c)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "name", c->name, 1, 100, 0)) ||
        (rc = check_text(ctx, "title", c->title, 0, 100, 0)) ||
        (rc = check_text(ctx, "department", c->department, 0, 100, 0)) ||
        (rc = check_enum(ctx, "decision_role", c->decision_role, contact_decision_roles)) ||
        (rc = check_range(ctx, "influence", c->influence, 1, 5)) ||
        (rc = check_range(ctx, "attitude", c->attitude, -2, 2)) ||
        (rc = check_text(ctx, "phone", c->phone, 0, 40, 0)) ||
        (rc = check_email(ctx, "email", c->email)) ||
        (rc = check_text(ctx, "notes", c->notes, 0, 2000, 1)))
        return rc;
    if (c->birthday && (rc = check_date(ctx, "birthday", c->birthday)))
        return rc;
    return KAM_OK;
}

/* reports_to must be another contact of the same account, and not below this one. */
static enum kam_err check_reports_to(struct kam_ctx *ctx, const struct contact *c)
{
    if (!c->has_reports_to)
        return KAM_OK;
    if (c->reports_to_id == c->id)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "reports_to_id", "contact.self_report", NULL,
                            "a contact cannot report to themselves");
    int64_t acc = 0;
    enum kam_err rc = db_query_i64(ctx->db, "SELECT account_id FROM contacts WHERE id = ?", 1,
                                   c->reports_to_id, &acc, ctx->err);
    if (rc == KAM_ENOTFOUND || (!rc && acc != c->account_id))
        return kam_fail(ctx->err, KAM_EINVAL, "reports_to_id",
                        "reports_to_id must be a contact of the same account");
    if (rc || c->id == 0)
        return rc;
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "WITH RECURSIVE up(id) AS (SELECT CAST(? AS BIGINT) UNION SELECT "
                    "contacts.reports_to_id FROM "
                    "contacts JOIN up ON contacts.id = up.id WHERE contacts.reports_to_id IS NOT "
                    "NULL) SELECT EXISTS (SELECT 1 FROM up WHERE id = ?)",
                    &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, c->reports_to_id);
    db_bind_i64(st, 2, c->id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int cycle = !rc && row && db_col_i64(st, 0);
    db_done(st);
    if (!rc && cycle)
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "reports_to_id", "contact.report_cycle", NULL,
                          "this reporting line would form a cycle");
    return rc;
}

static void diff_all(struct audit_diff *d, const struct contact *b, const struct contact *a)
{
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "title", b ? b->title : NULL, a ? a->title : NULL);
    audit_diff_str(d, "department", b ? b->department : NULL, a ? a->department : NULL);
    audit_diff_str(d, "decision_role", b ? b->decision_role : NULL, a ? a->decision_role : NULL);
    audit_diff_i64(d, "influence", b ? b->influence : 0, !b, a ? a->influence : 0, !a);
    audit_diff_i64(d, "attitude", b ? b->attitude : 0, !b, a ? a->attitude : 0, !a);
    audit_diff_i64(d, "reports_to_id", b ? b->reports_to_id : 0, !b || !b->has_reports_to,
                   a ? a->reports_to_id : 0, !a || !a->has_reports_to);
    audit_diff_str(d, "phone", b ? b->phone : NULL, a ? a->phone : NULL);
    audit_diff_str(d, "email", b ? b->email : NULL, a ? a->email : NULL);
    audit_diff_str(d, "birthday", b ? b->birthday : NULL, a ? a->birthday : NULL);
    audit_diff_str(d, "notes", b ? b->notes : NULL, a ? a->notes : NULL);
}

static void merge(struct contact *c, const struct contact_in *in)
{
    const struct contact *v = &in->v;
    if (in->set & CON_NAME)
        c->name = v->name;
    if (in->set & CON_TITLE)
        c->title = v->title;
    if (in->set & CON_DEPARTMENT)
        c->department = v->department;
    if (in->set & CON_DECISION_ROLE)
        c->decision_role = v->decision_role;
    if (in->set & CON_INFLUENCE)
        c->influence = v->influence;
    if (in->set & CON_ATTITUDE)
        c->attitude = v->attitude;
    if (in->set & CON_REPORTS_TO) {
        c->has_reports_to = v->has_reports_to;
        c->reports_to_id = v->has_reports_to ? v->reports_to_id : 0;
    }
    if (in->set & CON_PHONE)
        c->phone = v->phone;
    if (in->set & CON_EMAIL)
        c->email = v->email;
    if (in->set & CON_BIRTHDAY)
        c->birthday = v->birthday;
    if (in->set & CON_NOTES)
        c->notes = v->notes;
}

static void bind_fields(struct db_stmt *st, const struct contact *c)
{
    db_bind_text(st, 1, c->name);
    db_bind_text(st, 2, c->title);
    db_bind_text(st, 3, c->department);
    db_bind_text(st, 4, c->decision_role);
    db_bind_i64(st, 5, c->influence);
    db_bind_i64(st, 6, c->attitude);
    db_bind_i64n(st, 7, c->reports_to_id, !c->has_reports_to);
    db_bind_text(st, 8, c->phone);
    db_bind_text(st, 9, c->email);
    db_bind_text(st, 10, c->birthday);
    db_bind_text(st, 11, c->notes);
}

enum kam_err contact_create(struct kam_ctx *ctx, int64_t account_id, const struct contact_in *in,
                            struct contact *out)
{
    struct contact c = {0};
    c.name = c.title = c.department = c.phone = c.email = c.notes = "";
    c.decision_role = "other";
    c.influence = 3;
    c.account_id = account_id;
    merge(&c, in);
    if (!(in->set & CON_NAME))
        return kam_fail(ctx->err, KAM_EINVAL, "name", "name is required");
    enum kam_err rc = validate(ctx, &c);
    if (rc)
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int64_t exists;
    rc = db_query_i64(ctx->db, "SELECT id FROM accounts WHERE id = ?", 1, account_id, &exists,
                      ctx->err);
    if (rc == KAM_ENOTFOUND)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such account");
    if (rc || (rc = check_reports_to(ctx, &c)))
        goto out;
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "INSERT INTO contacts (name, title, department, decision_role, influence, "
                    "attitude, reports_to_id, phone, email, birthday, notes, account_id, version, "
                    "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,1,?,?) RETURNING id",
                    &st, ctx->err);
    if (rc)
        goto out;
    bind_fields(st, &c);
    db_bind_i64(st, 12, account_id);
    db_bind_i64(st, 13, ctx->now);
    db_bind_i64(st, 14, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        c.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, NULL, &c);
    rc = audit_write(ctx, "contact", c.id, account_id, "create", &d);
    if (!rc)
        rc = search_sync(ctx, "contact", c.id);
    if (!rc)
        rc = contact_get(ctx, c.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- update (svc/core/update.h) ---- */

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return contact_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    struct contact *c = rec;
    const struct contact *b = op->before;
    merge(c, op->in);
    enum kam_err rc = validate(op->ctx, c);
    if (!rc && c->has_reports_to && (!b->has_reports_to || c->reports_to_id != b->reports_to_id))
        rc = check_reports_to(op->ctx, c);
    return rc;
}

static void up_diff(const struct update_op *op)
{
    diff_all(op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct contact *c = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "UPDATE contacts SET name = ?, title = ?, department = ?, decision_role = ?, "
                   "influence = ?, attitude = ?, reports_to_id = ?, phone = ?, email = ?, "
                   "birthday = ?, notes = ?, version = version + 1, updated_at = ? WHERE id = ? "
                   "AND version = ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    bind_fields(st, c);
    db_bind_i64(st, 12, ctx->now);
    db_bind_i64(st, 13, c->id);
    db_bind_i64(st, 14, b->version);
    /* No row changed is a lost race: record_save answers 409 from db_changes. */
    if ((rc = db_run(st, ctx->err)) || db_changes(ctx->db) != 1)
        return rc;
    return search_sync(ctx, "contact", c->id);
}

static int64_t up_account(const void *rec)
{
    return ((const struct contact *)rec)->account_id;
}

static const struct update_spec contact_spec = {
    .entity = "contact",
    .size = sizeof(struct contact),
    .versioned = 1,
    .version_at = offsetof(struct contact, version),
    .get = up_get,
    .in_set_at = offsetof(struct contact_in, set),
    .in_version_at = offsetof(struct contact_in, v.version),
    .in_version_bit = CON_VERSION,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
};

enum kam_err contact_update(struct kam_ctx *ctx, int64_t id, const struct contact_in *in,
                            struct contact *out)
{
    return record_update(ctx, &contact_spec, id, in, out);
}

/* Deletes one loaded contact, detaching its reports first; inside a transaction. */
static enum kam_err delete_one(struct kam_ctx *ctx, const struct contact *c)
{
    /* a contract's signatory (issue 17) stays while a contract names them */
    int64_t signed_n = 0;
    enum kam_err rc =
        db_query_i64(ctx->db, "SELECT COUNT(*) FROM contracts WHERE signatory_contact_id = ?", 1,
                     c->id, &signed_n, ctx->err);
    if (rc)
        return rc;
    if (signed_n)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "contact.contract_signatory", NULL,
                            "the contact signed a contract of the account; the contract keeps "
                            "naming them");
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "SELECT id, account_id FROM contacts WHERE reports_to_id = ? ORDER BY id", &st,
                    ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, c->id);
    int64_t ids[64];
    size_t n = 0;
    int row = 0, more = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (n < sizeof ids / sizeof ids[0])
            ids[n++] = db_col_i64(st, 0);
        else
            more = 1;
    }
    db_done(st);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if ((rc = db_prepare(ctx->db,
                             "UPDATE contacts SET reports_to_id = NULL, version = version + 1, "
                             "updated_at = ? WHERE id = ?",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, ctx->now);
        db_bind_i64(st, 2, ids[i]);
        rc = db_step(st, &row, ctx->err);
        db_done(st);
        if (rc)
            return rc;
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_i64(&d, "reports_to_id", c->id, 0, 0, 1);
        if ((rc = audit_write(ctx, "contact", ids[i], c->account_id, "update", &d)))
            return rc;
    }
    if (more) /* more than 64 direct reports: go round again */
        return delete_one(ctx, c);
    /* What refers to the person goes with them: links to interactions, and visits and issues
     * keep their account but no longer name the contact. */
    static const char *const detach[] = {
        "DELETE FROM interaction_contacts WHERE contact_id = ?",
        "UPDATE visits SET contact_id = NULL WHERE contact_id = ?",
        "UPDATE issues SET contact_id = NULL WHERE contact_id = ?",
        "DELETE FROM care_reminders WHERE contact_id = ?",
    };
    for (size_t i = 0; i < sizeof detach / sizeof detach[0]; i++) {
        if ((rc = db_prepare(ctx->db, detach[i], &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, c->id);
        rc = db_step(st, &row, ctx->err);
        db_done(st);
        if (rc)
            return rc;
    }
    if ((rc = db_prepare(ctx->db, "DELETE FROM contacts WHERE id = ?", &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, c->id);
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    if (rc || (rc = search_drop(ctx, "contact", c->id)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, c, NULL);
    return audit_write(ctx, "contact", c->id, c->account_id, "delete", &d);
}

enum kam_err contact_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct contact c;
    if (!(rc = contact_get(ctx, id, &c)))
        rc = delete_one(ctx, &c);
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err contact_delete_all(struct kam_ctx *ctx, int64_t account_id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    /* Detach reporting lines inside the account first: every contact goes anyway. */
    struct db_stmt *st;
    for (;;) {
        rc = db_prepare(ctx->db,
                        "SELECT " COLS " FROM contacts WHERE account_id = ? ORDER BY "
                        "(reports_to_id IS NULL), id LIMIT 1",
                        &st, ctx->err);
        if (rc)
            break;
        db_bind_i64(st, 1, account_id);
        int row = 0;
        struct contact c;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row)
            read_row(ctx, st, &c);
        db_done(st);
        if (rc || !row)
            break;
        if ((rc = delete_one(ctx, &c)))
            break;
    }
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort sorts[] = {
    {"name", "contacts.name", 1},
    {"id", "contacts.id", 0},
    {"influence", "contacts.influence", 0},
};

enum kam_err contact_list(struct kam_ctx *ctx, const struct contact_query *q,
                          struct contact **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc =
        page_parse(ctx, sorts, sizeof sorts / sizeof sorts[0], q->sort, q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if (q->q && (rc = check_text(ctx, "q", q->q, 0, 100, 0)))
        return rc;
    if (q->decision_role &&
        (rc = check_enum(ctx, "decision_role", q->decision_role, contact_decision_roles)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " COLS " FROM contacts WHERE contacts.account_id = ?");
    sqlb_i64(&b, q->account_id);
    if (q->q && *q->q) {
        const char *bind;
        int nbind;
        const char *cond = db_search_cond(ctx->db, "contacts", q->q, ctx->a, &bind, &nbind);
        sqlb_sql(&b, " AND ");
        sqlb_sql(&b, cond);
        for (int i = 0; i < nbind; i++)
            sqlb_text(&b, bind);
    }
    if (q->decision_role) {
        sqlb_sql(&b, " AND contacts.decision_role = ?");
        sqlb_text(&b, q->decision_role);
    }
    page_sql_tail(&b, &pg, "contacts.id");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    struct contact *items;
    size_t n;
    if ((rc = rows_collect(ctx, st, (size_t)pg.limit + 1, read_row, sizeof *items, (void **)&items,
                           &n)))
        return rc;
    *next_out = NULL;
    if (n > (size_t)pg.limit) {
        n = (size_t)pg.limit;
        const struct contact *last = &items[n - 1];
        int64_t i = strcmp(pg.sort->key, "influence") == 0 ? last->influence : last->id;
        *next_out = page_cursor(ctx, &pg, last->name, i, last->id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err contact_touch(struct kam_ctx *ctx, int64_t id, int64_t at)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct contact c;
    if ((rc = contact_get(ctx, id, &c)))
        goto out;
    if (c.has_last_contacted && c.last_contacted_at >= at)
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db, "UPDATE contacts SET last_contacted_at = ? WHERE id = ?", &st,
                         ctx->err)))
        goto out;
    db_bind_i64(st, 1, at);
    db_bind_i64(st, 2, id);
    rc = db_run(st, ctx->err);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_time(&d, "last_contacted_at", c.last_contacted_at, !c.has_last_contacted, at, 0);
    rc = audit_write(ctx, "contact", id, c.account_id, "update", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static int key_person(const struct contact *c)
{
    return strcmp(c->decision_role, "decision_maker") == 0 ||
           strcmp(c->decision_role, "champion") == 0;
}

enum kam_err contact_mark_stale(struct kam_ctx *ctx, struct contact *items, size_t n)
{
    int64_t days[4];
    enum kam_err rc = contact_freshness(ctx, days);
    int64_t acc = 0, limit = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        struct contact *c = &items[i];
        c->stale = 0;
        if (!key_person(c))
            continue;
        if (c->account_id != acc) {
            struct db_stmt *st;
            if ((rc = db_prepare(ctx->db, "SELECT tier FROM accounts WHERE id = ?", &st, ctx->err)))
                break;
            db_bind_i64(st, 1, c->account_id);
            int row = 0;
            rc = db_step(st, &row, ctx->err);
            limit = days[3];
            for (int t = 0; row && t < 4; t++)
                if (strcmp(account_tiers[t], db_col_text(st, 0)) == 0)
                    limit = days[t];
            db_done(st);
            acc = c->account_id;
        }
        c->stale = !c->has_last_contacted || c->last_contacted_at < ctx->now - limit * 86400;
    }
    return rc;
}

static const struct page_sort stale_sorts[] = {{"overdue", "x.overdue", 0}};

enum kam_err contact_stale_list(struct kam_ctx *ctx, const struct stale_query *q,
                                struct contact **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, stale_sorts, 1, "-overdue", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    int64_t days[4];
    if ((rc = contact_freshness(ctx, days)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    /* overdue: seconds past the tier's freshness limit; never contacted counts as the most. */
    sqlb_sql(&b, "SELECT x.* FROM (SELECT " COLS ", accounts.name AS account_name, accounts.tier, "
                 "COALESCE(? - contacts.last_contacted_at, 4000000000) - 86400 * (CASE "
                 "accounts.tier WHEN 'strategic' THEN CAST(? AS BIGINT) WHEN 'key' THEN CAST(? AS "
                 "BIGINT) WHEN "
                 "'growth' THEN CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) END) AS overdue FROM "
                 "contacts JOIN accounts ON accounts.id = "
                 "contacts.account_id WHERE contacts.decision_role IN ('decision_maker', "
                 "'champion')");
    sqlb_i64(&b, ctx->now);
    for (int i = 0; i < 4; i++)
        sqlb_i64(&b, days[i]);
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->owner_id) {
        sqlb_sql(&b, " AND accounts.owner_id = ?");
        sqlb_i64(&b, q->owner_id);
    }
    sqlb_sql(&b, ") x WHERE x.overdue > 0");
    page_sql_tail(&b, &pg, "x.id");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    struct contact *items = arena_calloc(ctx->a, (size_t)pg.limit + 1, sizeof *items);
    int64_t *overdue = arena_calloc(ctx->a, (size_t)pg.limit + 1, sizeof *overdue);
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        struct contact *c = &items[n];
        read_row(ctx, st, c);
        c->account_name = arena_strdup(ctx->a, db_col_text(st, 17));
        c->tier = arena_strdup(ctx->a, db_col_text(st, 18));
        overdue[n] = db_col_i64(st, 19);
        c->stale = 1;
        c->days_since = c->has_last_contacted ? (ctx->now - c->last_contacted_at) / 86400 : -1;
        n++;
    }
    db_done(st);
    if (rc)
        return rc;
    *next_out = NULL;
    if (n > (size_t)pg.limit) {
        n = (size_t)pg.limit;
        *next_out = page_cursor(ctx, &pg, NULL, overdue[n - 1], items[n - 1].id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ---- freshness settings (per tier) ---- */

enum kam_err contact_freshness(struct kam_ctx *ctx, int64_t days_out[4])
{
    static const int64_t defaults[4] = {30, 45, 60, 90};
    for (int i = 0; i < 4; i++) {
        char key[64];
        snprintf(key, sizeof key, "freshness_days.%s", account_tiers[i]);
        struct db_stmt *st;
        enum kam_err rc =
            db_prepare(ctx->db, "SELECT value FROM settings WHERE key = ?", &st, ctx->err);
        if (rc)
            return rc;
        db_bind_text(st, 1, key);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        days_out[i] = row ? strtoll(db_col_text(st, 0), NULL, 10) : defaults[i];
        db_done(st);
        if (rc)
            return rc;
        if (days_out[i] < 1)
            days_out[i] = defaults[i];
    }
    return KAM_OK;
}

enum kam_err contact_set_freshness(struct kam_ctx *ctx, const int64_t days[4], unsigned mask)
{
    enum kam_err rc;
    for (int i = 0; i < 4; i++)
        if ((mask & (1u << i)) && (rc = check_range(ctx, account_tiers[i], days[i], 1, 365)))
            return rc;
    int64_t before[4];
    if ((rc = contact_freshness(ctx, before)) || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    for (int i = 0; !rc && i < 4; i++) {
        if (!(mask & (1u << i)))
            continue;
        char key[64], val[24];
        snprintf(key, sizeof key, "freshness_days.%s", account_tiers[i]);
        snprintf(val, sizeof val, "%lld", (long long)days[i]);
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                             "DO UPDATE SET value = excluded.value",
                             &st, ctx->err)))
            break;
        db_bind_text(st, 1, key);
        db_bind_text(st, 2, val);
        rc = db_run(st, ctx->err);
        audit_diff_i64(&d, account_tiers[i], before[i], 0, days[i], 0);
    }
    if (!rc)
        rc = audit_write(ctx, "settings", 1, 0, "update", &d);
    else
        audit_diff_release(&d);
    return db_end(ctx->db, rc, ctx->err);
}
