/* interaction.c -- interactions and the contacts present at them. */
#include "interaction.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "contact.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

const char *const interaction_kinds[] = {"call",     "email", "meeting", "visit",
                                         "material", "care",  NULL};
const char *const interaction_materials[] = {"industry_trends", "market_news", "product_info",
                                             "technology",      "other",       NULL};

#define COLS                                                                                       \
    "interactions.id, interactions.account_id, interactions.user_id, interactions.kind, "          \
    "interactions.subject, interactions.notes, interactions.material_type, "                       \
    "interactions.occurred_at, interactions.visit_id, interactions.version, "                      \
    "interactions.created_at, interactions.updated_at"

int64_t interaction_parse_filter_time(const char *s)
{
    if (strlen(s) == 10) { /* a date: its first second */
        int y, m, d;
        if (date_parse(s, &y, &m, &d) != 0)
            return -1;
        return date_to_days(y, m, d) * 86400;
    }
    return interaction_parse_time(s);
}

int64_t interaction_parse_time(const char *s)
{
    int y, m, d, hh = 0, mm = 0, ss = 0;
    char date[11];
    size_t n = strlen(s);
    if (n != 20)
        return -1;
    memcpy(date, s, 10);
    date[10] = 0;
    if (date_parse(date, &y, &m, &d) != 0)
        return -1;
    {
        if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
            return -1;
        for (int i = 11; i < 19; i++)
            if (i != 13 && i != 16 && (s[i] < '0' || s[i] > '9'))
                return -1;
        hh = (s[11] - '0') * 10 + (s[12] - '0');
        mm = (s[14] - '0') * 10 + (s[15] - '0');
        ss = (s[17] - '0') * 10 + (s[18] - '0');
        if (hh > 23 || mm > 59 || ss > 59)
            return -1;
    }
    return date_to_days(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct interaction *it = row;
    memset(it, 0, sizeof *it);
    it->id = db_col_i64(st, 0);
    it->account_id = db_col_i64(st, 1);
    it->has_user = !db_col_is_null(st, 2);
    it->user_id = it->has_user ? db_col_i64(st, 2) : 0;
    it->kind = arena_strdup(ctx->a, db_col_text(st, 3));
    it->subject = arena_strdup(ctx->a, db_col_text(st, 4));
    it->notes = arena_strdup(ctx->a, db_col_text(st, 5));
    it->material_type = db_col_is_null(st, 6) ? NULL : arena_strdup(ctx->a, db_col_text(st, 6));
    it->occurred_at = db_col_i64(st, 7);
    it->has_visit = !db_col_is_null(st, 8);
    it->visit_id = it->has_visit ? db_col_i64(st, 8) : 0;
    it->version = db_col_i64(st, 9);
    it->created_at = db_col_i64(st, 10);
    it->updated_at = db_col_i64(st, 11);
}

static enum kam_err load_contacts(struct kam_ctx *ctx, struct interaction *it)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT contact_id FROM interaction_contacts WHERE "
                                 "interaction_id = ? ORDER BY contact_id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, it->id);
    int row = 0;
    it->ncontacts = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && it->ncontacts < INTERACTION_MAX_CONTACTS)
        it->contact_ids[it->ncontacts++] = db_col_i64(st, 0);
    db_done(st);
    return rc;
}

enum kam_err interaction_get(struct kam_ctx *ctx, int64_t id, struct interaction *out)
{
    enum kam_err rc = row_get(ctx, "SELECT " COLS " FROM interactions WHERE id = ?", id, read_row,
                              out, "interaction");
    if (!rc)
        rc = load_contacts(ctx, out);
    return rc;
}

/* Rules for a complete record; contacts must belong to the account. */
static enum kam_err validate(struct kam_ctx *ctx, const struct interaction *it)
{
    enum kam_err rc;
    if ((rc = check_enum(ctx, "kind", it->kind, interaction_kinds)) ||
        (rc = check_text(ctx, "subject", it->subject, 1, 200, 0)) ||
        (rc = check_text(ctx, "notes", it->notes, 0, 10000, 1)))
        return rc;
    if (strcmp(it->kind, "material") == 0) {
        if (!it->material_type)
            return kam_fail(ctx->err, KAM_EINVAL, "material_type",
                            "material_type is required for shared materials");
        if ((rc = check_enum(ctx, "material_type", it->material_type, interaction_materials)))
            return rc;
    } else if (it->material_type) {
        return kam_fail(ctx->err, KAM_EINVAL, "material_type",
                        "material_type applies only to kind material");
    }
    if (it->occurred_at > ctx->now + 86400)
        return kam_fail(ctx->err, KAM_EINVAL, "occurred_at",
                        "occurred_at may not be more than a day in the future");
    for (int i = 0; i < it->ncontacts; i++) {
        int64_t acc = 0;
        rc = db_query_i64(ctx->db, "SELECT account_id FROM contacts WHERE id = ?", 1,
                          it->contact_ids[i], &acc, ctx->err);
        if (rc == KAM_ENOTFOUND || (!rc && acc != it->account_id))
            return kam_fail(ctx->err, KAM_EINVAL, "contact_ids",
                            "contact %lld is not a contact of this account",
                            (long long)it->contact_ids[i]);
        if (rc)
            return rc;
        for (int j = 0; j < i; j++)
            if (it->contact_ids[j] == it->contact_ids[i])
                return kam_fail(ctx->err, KAM_EINVAL, "contact_ids", "contact listed twice");
    }
    return KAM_OK;
}

static void merge(struct kam_ctx *ctx, struct interaction *it, const struct interaction_in *in,
                  enum kam_err *rc)
{
    const struct interaction *v = &in->v;
    if (in->set & INT_KIND)
        it->kind = v->kind;
    if (in->set & INT_SUBJECT)
        it->subject = v->subject;
    if (in->set & INT_NOTES)
        it->notes = v->notes;
    if (in->set & INT_MATERIAL)
        it->material_type = v->material_type;
    if (in->set & INT_OCCURRED) {
        int64_t t = in->occurred_at_iso ? interaction_parse_time(in->occurred_at_iso) : -1;
        if (t < 0)
            *rc = kam_fail(ctx->err, KAM_EINVAL, "occurred_at",
                           "occurred_at must be YYYY-MM-DDTHH:MM:SSZ");
        it->occurred_at = t;
    }
    if (in->set & INT_CONTACTS) {
        it->ncontacts = v->ncontacts;
        memcpy(it->contact_ids, v->contact_ids, sizeof it->contact_ids);
    }
}

static enum kam_err save_contacts(struct kam_ctx *ctx, const struct interaction *it)
{
    struct db_stmt *st;
    enum kam_err rc = db_exec_i64(
        ctx->db, "DELETE FROM interaction_contacts WHERE interaction_id = ?", it->id, ctx->err);
    for (int i = 0; !rc && i < it->ncontacts; i++) {
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO interaction_contacts (interaction_id, contact_id) VALUES "
                             "(?, ?)",
                             &st, ctx->err)))
            break;
        db_bind_i64(st, 1, it->id);
        db_bind_i64(st, 2, it->contact_ids[i]);
        rc = db_run(st, ctx->err);
        if (!rc)
            rc = contact_touch(ctx, it->contact_ids[i], it->occurred_at);
    }
    return rc;
}

static void contacts_text(char *out, size_t n, const struct interaction *it)
{
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < it->ncontacts && len + 24 < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s%lld", i ? "," : "",
                                (long long)it->contact_ids[i]);
}

static void diff_all(struct audit_diff *d, const struct interaction *b, const struct interaction *a)
{
    char cb[1100], ca[1100];
    audit_diff_str(d, "kind", b ? b->kind : NULL, a ? a->kind : NULL);
    audit_diff_str(d, "subject", b ? b->subject : NULL, a ? a->subject : NULL);
    audit_diff_str(d, "notes", b ? b->notes : NULL, a ? a->notes : NULL);
    audit_diff_str(d, "material_type", b ? b->material_type : NULL, a ? a->material_type : NULL);
    audit_diff_time(d, "occurred_at", b ? b->occurred_at : 0, !b, a ? a->occurred_at : 0, !a);
    if (b)
        contacts_text(cb, sizeof cb, b);
    if (a)
        contacts_text(ca, sizeof ca, a);
    audit_diff_str(d, "contact_ids", b ? cb : NULL, a ? ca : NULL);
}

enum kam_err interaction_create(struct kam_ctx *ctx, int64_t account_id,
                                const struct interaction_in *in, struct interaction *out)
{
    struct interaction it = {0};
    it.account_id = account_id;
    it.notes = "";
    it.occurred_at = ctx->now;
    enum kam_err rc = KAM_OK;
    merge(ctx, &it, in, &rc);
    if (rc)
        return rc;
    if (!(in->set & INT_KIND))
        return kam_fail(ctx->err, KAM_EINVAL, "kind", "kind is required");
    if (!(in->set & INT_SUBJECT))
        return kam_fail(ctx->err, KAM_EINVAL, "subject", "subject is required");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = validate(ctx, &it)))
        goto out;
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "INSERT INTO interactions (account_id, user_id, kind, subject, notes, "
                    "material_type, occurred_at, visit_id, version, created_at, updated_at) "
                    "VALUES (?,?,?,?,?,?,?,?,1,?,?) RETURNING id",
                    &st, ctx->err);
    if (rc)
        goto out;
    db_bind_i64(st, 1, account_id);
    db_bind_i64n(st, 2, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_text(st, 3, it.kind);
    db_bind_text(st, 4, it.subject);
    db_bind_text(st, 5, it.notes);
    db_bind_text(st, 6, it.material_type);
    db_bind_i64(st, 7, it.occurred_at);
    db_bind_i64n(st, 8, it.visit_id, !it.has_visit);
    db_bind_i64(st, 9, ctx->now);
    db_bind_i64(st, 10, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        it.id = db_col_i64(st, 0);
    db_done(st);
    if (rc || (rc = save_contacts(ctx, &it)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, NULL, &it);
    rc = audit_write(ctx, "interaction", it.id, account_id, "create", &d);
    if (!rc)
        rc = interaction_get(ctx, it.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- update (svc/core/update.h) ---- */

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return interaction_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    enum kam_err rc = KAM_OK;
    merge(op->ctx, rec, op->in, &rc);
    return rc ? rc : validate(op->ctx, rec);
}

static void up_diff(const struct update_op *op)
{
    diff_all(op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct interaction *it = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "UPDATE interactions SET kind = ?, subject = ?, notes = ?, material_type = ?, "
                   "occurred_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND "
                   "version = ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, it->kind);
    db_bind_text(st, 2, it->subject);
    db_bind_text(st, 3, it->notes);
    db_bind_text(st, 4, it->material_type);
    db_bind_i64(st, 5, it->occurred_at);
    db_bind_i64(st, 6, ctx->now);
    db_bind_i64(st, 7, it->id);
    db_bind_i64(st, 8, b->version);
    return db_run(st, ctx->err);
}

/* New contacts or a new time: the links again, and the contacts' last contact. */
static enum kam_err up_then(const struct update_op *op)
{
    if (((const struct interaction_in *)op->in)->set & (INT_CONTACTS | INT_OCCURRED))
        return save_contacts(op->ctx, op->after);
    return KAM_OK;
}

static int64_t up_account(const void *rec)
{
    return ((const struct interaction *)rec)->account_id;
}

static const struct update_spec interaction_spec = {
    .entity = "interaction",
    .size = sizeof(struct interaction),
    .versioned = 1,
    .version_at = offsetof(struct interaction, version),
    .get = up_get,
    .in_set_at = offsetof(struct interaction_in, set),
    .in_version_at = offsetof(struct interaction_in, v.version),
    .in_version_bit = INT_VERSION,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
    .then = up_then,
};

enum kam_err interaction_update(struct kam_ctx *ctx, int64_t id, const struct interaction_in *in,
                                struct interaction *out)
{
    return record_update(ctx, &interaction_spec, id, in, out);
}

enum kam_err interaction_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct interaction before;
    if ((rc = interaction_get(ctx, id, &before)))
        goto out;
    static const char *const sqls[] = {
        "DELETE FROM interaction_contacts WHERE interaction_id = ?",
        "UPDATE visits SET interaction_id = NULL WHERE interaction_id = ?",
        "DELETE FROM interactions WHERE id = ?",
    };
    for (size_t i = 0; !rc && i < sizeof sqls / sizeof sqls[0]; i++)
        rc = db_exec_i64(ctx->db, sqls[i], id, ctx->err);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, &before, NULL);
    rc = audit_write(ctx, "interaction", id, before.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort sorts[] = {
    {"occurred_at", "interactions.occurred_at", 0},
};

enum kam_err interaction_list(struct kam_ctx *ctx, const struct interaction_query *q,
                              struct interaction **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    /* Newest first, always. */
    enum kam_err rc = page_parse(ctx, sorts, 1, "-occurred_at", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if (q->kind && (rc = check_enum(ctx, "kind", q->kind, interaction_kinds)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " COLS " FROM interactions WHERE interactions.account_id = ?");
    sqlb_i64(&b, q->account_id);
    if (q->kind) {
        sqlb_sql(&b, " AND interactions.kind = ?");
        sqlb_text(&b, q->kind);
    }
    struct interaction *items;
    const struct interaction *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "interactions.id", read_row, sizeof *items, (void **)&items,
                         &n, (const void **)&last)))
        return rc;
    for (size_t i = 0; !rc && i < n; i++)
        rc = load_contacts(ctx, &items[i]);
    if (rc)
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, last->occurred_at, last->id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}
