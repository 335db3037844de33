/* care.c -- care occasions, templates, reminders and their generation. */
#include "care.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/lunar.h"
#include "base/timeutil.h"
#include "interaction.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/msg.h"
#include "svc/core/notify.h"
#include "svc/core/outbox.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

static const char *const occasion_kinds[] = {"festival", "birthday", "special", NULL};
static const char *const template_locales[] = {"zh", "en", NULL};
static const char *const template_occasions[] = {"birthday", "festival", "special", "any", NULL};
static const char *const care_channels[] = {"call", "gift", "visit", "other", NULL};

#define CHINA_OFFSET (8 * 3600) /* dates of festivals and birthdays are China's */

/* ---- occasions ---- */

#define OCC_COLS "id, kind, festival_key, name, month, day, days_before, key_people_only, active"

static void read_occasion(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct care_occasion *o = row;
    memset(o, 0, sizeof *o);
    o->id = db_col_i64(st, 0);
    o->kind = arena_strdup(ctx->a, db_col_text(st, 1));
    o->festival_key = db_col_is_null(st, 2) ? NULL : arena_strdup(ctx->a, db_col_text(st, 2));
    o->name = arena_strdup(ctx->a, db_col_text(st, 3));
    o->has_date = !db_col_is_null(st, 4);
    o->month = db_col_i64(st, 4);
    o->day = db_col_i64(st, 5);
    o->days_before = db_col_i64(st, 6);
    o->key_people_only = (int)db_col_i64(st, 7);
    o->active = (int)db_col_i64(st, 8);
}

enum kam_err care_occasion_list(struct kam_ctx *ctx, struct care_occasion **items_out,
                                size_t *n_out)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT " OCC_COLS " FROM care_occasions ORDER BY id", &st, ctx->err);
    if (rc)
        return rc;
    return rows_collect(ctx, st, 256, read_occasion, sizeof **items_out, (void **)items_out, n_out);
}

static enum kam_err occasion_get(struct kam_ctx *ctx, int64_t id, struct care_occasion *out)
{
    return row_get(ctx, "SELECT " OCC_COLS " FROM care_occasions WHERE id = ?", id, read_occasion,
                   out, "occasion");
}

static int festival_known(const char *key)
{
    struct festival f[LUNAR_FESTIVALS_MAX];
    int n = lunar_festivals(2026, f, LUNAR_FESTIVALS_MAX);
    for (int i = 0; i < n && i < LUNAR_FESTIVALS_MAX; i++)
        if (strcmp(f[i].key, key) == 0)
            return 1;
    return 0;
}

static enum kam_err occasion_check(struct kam_ctx *ctx, const struct care_occasion *o)
{
    enum kam_err rc;
    if ((rc = check_enum(ctx, "kind", o->kind, occasion_kinds)) ||
        (rc = check_range(ctx, "days_before", o->days_before, 0, 60)))
        return rc;
    if (!strcmp(o->kind, "festival") && (!o->festival_key || !festival_known(o->festival_key)))
        return kam_fail(ctx->err, KAM_EINVAL, "festival_key",
                        "festival_key must be a key of `kam festivals`");
    if (!strcmp(o->kind, "special")) {
        if ((rc = check_text(ctx, "name", o->name, 1, 100, 0)))
            return rc;
        if (!o->has_date || !date_valid(2024, (int)o->month, (int)o->day))
            return kam_fail(ctx->err, KAM_EINVAL, o->has_date ? "day" : "month",
                            "a special date needs a valid month and day");
    } else if ((rc = check_text(ctx, "name", o->name, 0, 100, 0))) {
        return rc;
    }
    return KAM_OK;
}

static void occasion_merge(struct care_occasion *o, const struct care_occasion_in *in)
{
    const struct care_occasion *v = &in->v;
    if (in->set & OCC_KIND)
        o->kind = v->kind;
    if (in->set & OCC_FESTIVAL)
        o->festival_key = v->festival_key;
    if (in->set & OCC_NAME)
        o->name = v->name;
    if (in->set & OCC_MONTH) {
        o->month = v->month;
        o->has_date = 1;
    }
    if (in->set & OCC_DAY) {
        o->day = v->day;
        o->has_date = 1;
    }
    if (in->set & OCC_DAYS_BEFORE)
        o->days_before = v->days_before;
    if (in->set & OCC_KEY_ONLY)
        o->key_people_only = v->key_people_only;
    if (in->set & OCC_ACTIVE)
        o->active = v->active;
}

static void occasion_diff(struct audit_diff *d, const struct care_occasion *b,
                          const struct care_occasion *a)
{
    audit_diff_str(d, "kind", b ? b->kind : NULL, a ? a->kind : NULL);
    audit_diff_str(d, "festival_key", b ? b->festival_key : NULL, a ? a->festival_key : NULL);
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_i64(d, "month", b ? b->month : 0, !b || !b->has_date, a ? a->month : 0,
                   !a || !a->has_date);
    audit_diff_i64(d, "day", b ? b->day : 0, !b || !b->has_date, a ? a->day : 0,
                   !a || !a->has_date);
    audit_diff_i64(d, "days_before", b ? b->days_before : 0, !b, a ? a->days_before : 0, !a);
    audit_diff_i64(d, "key_people_only", b ? b->key_people_only : 0, !b, a ? a->key_people_only : 0,
                   !a);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a ? a->active : 0, !a);
}

static enum kam_err occasion_write(struct kam_ctx *ctx, const struct care_occasion *o, int64_t *id)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        *id ? "UPDATE care_occasions SET kind = ?, festival_key = ?, name = ?, month = ?, day = ?, "
              "days_before = ?, key_people_only = ?, active = ?, updated_at = ? WHERE id = ? "
              "RETURNING id"
            : "INSERT INTO care_occasions (kind, festival_key, name, month, day, days_before, "
              "key_people_only, active, updated_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?) "
              "RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, o->kind);
    db_bind_text(st, 2, strcmp(o->kind, "festival") ? NULL : o->festival_key);
    db_bind_text(st, 3, o->name ? o->name : "");
    db_bind_i64n(st, 4, o->month, !o->has_date || strcmp(o->kind, "special"));
    db_bind_i64n(st, 5, o->day, !o->has_date || strcmp(o->kind, "special"));
    db_bind_i64(st, 6, o->days_before);
    db_bind_i64(st, 7, o->key_people_only);
    db_bind_i64(st, 8, o->active);
    db_bind_i64(st, 9, ctx->now);
    db_bind_i64(st, 10, *id ? *id : ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *id = db_col_i64(st, 0);
    db_done(st);
    return rc;
}

enum kam_err care_occasion_create(struct kam_ctx *ctx, const struct care_occasion_in *in,
                                  struct care_occasion *out)
{
    struct care_occasion o = {.name = "", .days_before = 7, .key_people_only = 1, .active = 1};
    occasion_merge(&o, in);
    if (!(in->set & OCC_KIND))
        return kam_fail(ctx->err, KAM_EINVAL, "kind", "kind is required");
    enum kam_err rc = occasion_check(ctx, &o);
    if (rc || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int64_t id = 0;
    if (!(rc = occasion_write(ctx, &o, &id))) {
        struct audit_diff d;
        audit_diff_init(&d);
        occasion_diff(&d, NULL, &o);
        rc = audit_write(ctx, "care_occasion", id, 0, "create", &d);
    }
    if (!rc)
        rc = occasion_get(ctx, id, out);
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err occasion_up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return occasion_get(ctx, id, rec);
}

static enum kam_err occasion_up_merge(const struct update_op *op, void *rec)
{
    occasion_merge(rec, op->in);
    return occasion_check(op->ctx, rec);
}

static void occasion_up_diff(const struct update_op *op)
{
    occasion_diff(op->diff, op->before, op->after);
}

static enum kam_err occasion_up_write(const struct update_op *op)
{
    int64_t id = op->id;
    return occasion_write(op->ctx, op->after, &id);
}

static const struct update_spec occasion_spec = {
    .entity = "care_occasion",
    .size = sizeof(struct care_occasion),
    .get = occasion_up_get,
    .merge = occasion_up_merge,
    .diff = occasion_up_diff,
    .write = occasion_up_write,
};

enum kam_err care_occasion_update(struct kam_ctx *ctx, int64_t id,
                                  const struct care_occasion_in *in, struct care_occasion *out)
{
    return record_update(ctx, &occasion_spec, id, in, out);
}

enum kam_err care_occasion_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct care_occasion before;
    if (!(rc = occasion_get(ctx, id, &before)) &&
        !(rc = db_exec_i64(ctx->db, "DELETE FROM care_occasions WHERE id = ?", id, ctx->err))) {
        struct audit_diff d;
        audit_diff_init(&d);
        occasion_diff(&d, &before, NULL);
        rc = audit_write(ctx, "care_occasion", id, 0, "delete", &d);
    }
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- templates ---- */

#define TPL_COLS "id, name, locale, occasion, subject, body"

static void read_template(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct message_template *t = row;
    t->id = db_col_i64(st, 0);
    t->name = arena_strdup(ctx->a, db_col_text(st, 1));
    t->locale = arena_strdup(ctx->a, db_col_text(st, 2));
    t->occasion = arena_strdup(ctx->a, db_col_text(st, 3));
    t->subject = arena_strdup(ctx->a, db_col_text(st, 4));
    t->body = arena_strdup(ctx->a, db_col_text(st, 5));
}

enum kam_err template_list(struct kam_ctx *ctx, struct message_template **items_out, size_t *n_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, "SELECT " TPL_COLS " FROM message_templates ORDER BY id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    return rows_collect(ctx, st, 256, read_template, sizeof **items_out, (void **)items_out, n_out);
}

static enum kam_err template_get(struct kam_ctx *ctx, int64_t id, struct message_template *out)
{
    return row_get(ctx, "SELECT " TPL_COLS " FROM message_templates WHERE id = ?", id,
                   read_template, out, "template");
}

static enum kam_err template_check(struct kam_ctx *ctx, const struct message_template *t)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "name", t->name, 1, 100, 0)) ||
        (rc = check_enum(ctx, "locale", t->locale, template_locales)) ||
        (rc = check_enum(ctx, "occasion", t->occasion, template_occasions)) ||
        (rc = check_text(ctx, "subject", t->subject, 1, 200, 0)) ||
        (rc = check_text(ctx, "body", t->body, 1, 8000, 1)))
        return rc;
    return KAM_OK;
}

static void template_merge(struct message_template *t, const struct message_template_in *in)
{
    if (in->set & TPL_NAME)
        t->name = in->v.name;
    if (in->set & TPL_LOCALE)
        t->locale = in->v.locale;
    if (in->set & TPL_OCCASION)
        t->occasion = in->v.occasion;
    if (in->set & TPL_SUBJECT)
        t->subject = in->v.subject;
    if (in->set & TPL_BODY)
        t->body = in->v.body;
}

static void template_diff(struct audit_diff *d, const struct message_template *b,
                          const struct message_template *a)
{
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "locale", b ? b->locale : NULL, a ? a->locale : NULL);
    audit_diff_str(d, "occasion", b ? b->occasion : NULL, a ? a->occasion : NULL);
    audit_diff_str(d, "subject", b ? b->subject : NULL, a ? a->subject : NULL);
    audit_diff_str(d, "body", b ? b->body : NULL, a ? a->body : NULL);
}

static enum kam_err template_write(struct kam_ctx *ctx, const struct message_template *t,
                                   int64_t *id)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        *id ? "UPDATE message_templates SET name = ?, locale = ?, occasion = ?, subject = ?, body "
              "= ?, updated_at = ? WHERE id = ? RETURNING id"
            : "INSERT INTO message_templates (name, locale, occasion, subject, body, updated_at, "
              "created_at) VALUES (?,?,?,?,?,?,?) RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, t->name);
    db_bind_text(st, 2, t->locale);
    db_bind_text(st, 3, t->occasion);
    db_bind_text(st, 4, t->subject);
    db_bind_text(st, 5, t->body);
    db_bind_i64(st, 6, ctx->now);
    db_bind_i64(st, 7, *id ? *id : ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *id = db_col_i64(st, 0);
    db_done(st);
    return rc;
}

enum kam_err template_create(struct kam_ctx *ctx, const struct message_template_in *in,
                             struct message_template *out)
{
    struct message_template t = {
        .name = "", .locale = "zh", .occasion = "any", .subject = "", .body = ""};
    template_merge(&t, in);
    enum kam_err rc = template_check(ctx, &t);
    if (rc || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int64_t id = 0;
    if (!(rc = template_write(ctx, &t, &id))) {
        struct audit_diff d;
        audit_diff_init(&d);
        template_diff(&d, NULL, &t);
        rc = audit_write(ctx, "message_template", id, 0, "create", &d);
    }
    if (!rc)
        rc = template_get(ctx, id, out);
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err template_up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return template_get(ctx, id, rec);
}

static enum kam_err template_up_merge(const struct update_op *op, void *rec)
{
    template_merge(rec, op->in);
    return template_check(op->ctx, rec);
}

static void template_up_diff(const struct update_op *op)
{
    template_diff(op->diff, op->before, op->after);
}

static enum kam_err template_up_write(const struct update_op *op)
{
    int64_t id = op->id;
    return template_write(op->ctx, op->after, &id);
}

static const struct update_spec template_spec = {
    .entity = "message_template",
    .noun = "template",
    .size = sizeof(struct message_template),
    .get = template_up_get,
    .merge = template_up_merge,
    .diff = template_up_diff,
    .write = template_up_write,
};

enum kam_err template_update(struct kam_ctx *ctx, int64_t id, const struct message_template_in *in,
                             struct message_template *out)
{
    return record_update(ctx, &template_spec, id, in, out);
}

enum kam_err template_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct message_template before;
    if (!(rc = template_get(ctx, id, &before)) &&
        !(rc = db_exec_i64(ctx->db, "DELETE FROM message_templates WHERE id = ?", id, ctx->err))) {
        struct audit_diff d;
        audit_diff_init(&d);
        template_diff(&d, &before, NULL);
        rc = audit_write(ctx, "message_template", id, 0, "delete", &d);
    }
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- rendering ---- */

const char *care_render(struct kam_ctx *ctx, const char *text, const char *contact_name,
                        const char *account_name, const char *occasion, const char *sender_name,
                        const char *company)
{
    static const char *const keys[] = {"contact_name", "account_name", "occasion", "sender_name",
                                       "company"};
    const char *vals[] = {contact_name, account_name, occasion, sender_name, company};
    struct buf b;
    buf_init(&b, 1 << 20);
    for (const char *p = text; *p;) {
        if (p[0] == '{' && p[1] == '{') {
            const char *end = strstr(p + 2, "}}");
            int done = 0;
            for (size_t k = 0; end && k < sizeof keys / sizeof keys[0]; k++) {
                size_t n = strlen(keys[k]);
                if ((size_t)(end - p - 2) == n && strncmp(p + 2, keys[k], n) == 0) {
                    buf_puts(&b, vals[k] ? vals[k] : "");
                    p = end + 2;
                    done = 1;
                    break;
                }
            }
            if (done)
                continue;
        }
        buf_putc(&b, *p++);
    }
    const char *out = arena_strdup(ctx->a, b.data ? b.data : "");
    buf_release(&b);
    return out;
}

/* ---- reminders ---- */

#define COLS                                                                                       \
    "care_reminders.id, care_reminders.account_id, care_reminders.contact_id, "                    \
    "care_reminders.owner_id, care_reminders.occasion_kind, care_reminders.occasion_key, "         \
    "care_reminders.occasion_name, care_reminders.occasion_date, care_reminders.status, "          \
    "care_reminders.channel, care_reminders.note, care_reminders.done_at, "                        \
    "care_reminders.interaction_id, care_reminders.outbox_id, care_reminders.version, "            \
    "care_reminders.created_at, care_reminders.updated_at, accounts.name, contacts.name, "         \
    "contacts.email, outbox.status"
#define FROM                                                                                       \
    " FROM care_reminders JOIN accounts ON accounts.id = care_reminders.account_id JOIN "          \
    "contacts ON contacts.id = care_reminders.contact_id LEFT JOIN outbox ON outbox.id = "         \
    "care_reminders.outbox_id"

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct care_reminder *r = row;
    memset(r, 0, sizeof *r);
    r->id = db_col_i64(st, 0);
    r->account_id = db_col_i64(st, 1);
    r->contact_id = db_col_i64(st, 2);
    r->owner_id = db_col_i64(st, 3);
    r->occasion_kind = arena_strdup(ctx->a, db_col_text(st, 4));
    r->occasion_key = arena_strdup(ctx->a, db_col_text(st, 5));
    r->occasion_name = arena_strdup(ctx->a, db_col_text(st, 6));
    r->occasion_date = arena_strdup(ctx->a, db_col_text(st, 7));
    r->status = arena_strdup(ctx->a, db_col_text(st, 8));
    r->channel = db_col_is_null(st, 9) ? NULL : arena_strdup(ctx->a, db_col_text(st, 9));
    r->note = arena_strdup(ctx->a, db_col_text(st, 10));
    r->has_done = !db_col_is_null(st, 11);
    r->done_at = r->has_done ? db_col_i64(st, 11) : 0;
    r->has_interaction = !db_col_is_null(st, 12);
    r->interaction_id = r->has_interaction ? db_col_i64(st, 12) : 0;
    r->has_outbox = !db_col_is_null(st, 13);
    r->outbox_id = r->has_outbox ? db_col_i64(st, 13) : 0;
    r->version = db_col_i64(st, 14);
    r->created_at = db_col_i64(st, 15);
    r->updated_at = db_col_i64(st, 16);
    r->account_name = arena_strdup(ctx->a, db_col_text(st, 17));
    r->contact_name = arena_strdup(ctx->a, db_col_text(st, 18));
    r->contact_email = arena_strdup(ctx->a, db_col_text(st, 19));
    r->outbox_status = db_col_is_null(st, 20) ? NULL : arena_strdup(ctx->a, db_col_text(st, 20));
}

enum kam_err care_get(struct kam_ctx *ctx, int64_t id, struct care_reminder *out)
{
    enum kam_err rc = row_get(ctx, "SELECT " COLS FROM " WHERE care_reminders.id = ?", id, read_row,
                              out, "care reminder");
    return rc;
}

static const struct page_sort sorts[] = {{"occasion_date", "care_reminders.occasion_date", 1}};

enum kam_err care_list(struct kam_ctx *ctx, const struct care_query *q,
                       struct care_reminder **items_out, size_t *n_out, const char **next_out)
{
    static const char *const statuses[] = {"pending", "sent", "done", "skipped", NULL};
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, 1, NULL, q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    int y, m, d;
    if ((q->status && (rc = check_enum(ctx, "status", q->status, statuses))))
        return rc;
    if (q->from && date_parse(q->from, &y, &m, &d))
        return kam_fail(ctx->err, KAM_EINVAL, "from", "from must be YYYY-MM-DD");
    if (q->to && date_parse(q->to, &y, &m, &d))
        return kam_fail(ctx->err, KAM_EINVAL, "to", "to must be YYYY-MM-DD");
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " COLS FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->owner_id) {
        sqlb_sql(&b, " AND care_reminders.owner_id = ?");
        sqlb_i64(&b, q->owner_id);
    }
    if (q->account_id) {
        sqlb_sql(&b, " AND care_reminders.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    if (q->status) {
        sqlb_sql(&b, " AND care_reminders.status = ?");
        sqlb_text(&b, q->status);
    }
    if (q->from) {
        sqlb_sql(&b, " AND care_reminders.occasion_date >= ?");
        sqlb_text(&b, q->from);
    }
    if (q->to) {
        sqlb_sql(&b, " AND care_reminders.occasion_date < ?");
        sqlb_text(&b, q->to);
    }
    struct care_reminder *items;
    const struct care_reminder *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "care_reminders.id", read_row, sizeof *items,
                         (void **)&items, &n, (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, last->occasion_date, 0, last->id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* Marks a pending reminder handled, with the interaction that records it. */
static enum kam_err close_reminder(struct kam_ctx *ctx, const struct care_reminder *before,
                                   const char *status, const char *channel, const char *note,
                                   int64_t interaction_id, int64_t outbox_id)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE care_reminders SET status = ?, channel = ?, note = ?, "
                                 "done_at = ?, interaction_id = ?, outbox_id = ?, version = "
                                 "version + 1, updated_at = ? WHERE id = ? AND status = 'pending'",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, status);
    db_bind_text(st, 2, channel);
    db_bind_text(st, 3, note ? note : "");
    db_bind_i64(st, 4, ctx->now);
    db_bind_i64n(st, 5, interaction_id, interaction_id == 0);
    db_bind_i64n(st, 6, outbox_id, outbox_id == 0);
    db_bind_i64(st, 7, ctx->now);
    db_bind_i64(st, 8, before->id);
    rc = db_run(st, ctx->err);
    if (!rc && db_changes(ctx->db) != 1)
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "care.already_closed",
                          (struct kam_param[]){{"status", before->status}, {0}},
                          "the reminder is already %s", before->status);
    if (rc)
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "status", before->status, status);
    audit_diff_str(&d, "channel", before->channel, channel);
    audit_diff_str(&d, "note", before->note, note ? note : "");
    return audit_write(ctx, "care", before->id, before->account_id, "update", &d);
}

static enum kam_err pending(struct kam_ctx *ctx, int64_t id, struct care_reminder *r)
{
    enum kam_err rc = care_get(ctx, id, r);
    if (!rc && strcmp(r->status, "pending") != 0)
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "care.already_closed",
                          (struct kam_param[]){{"status", r->status}, {0}},
                          "the reminder is already %s", r->status);
    return rc;
}

static enum kam_err log_care(struct kam_ctx *ctx, const struct care_reminder *r, const char *kind,
                             const char *subject, const char *notes, int64_t *id_out)
{
    struct interaction_in in = {0};
    in.set = INT_KIND | INT_SUBJECT | INT_NOTES | INT_CONTACTS;
    in.v.kind = kind;
    in.v.subject = subject;
    in.v.notes = notes ? notes : "";
    in.v.ncontacts = 1;
    in.v.contact_ids[0] = r->contact_id;
    struct interaction it;
    enum kam_err rc = interaction_create(ctx, r->account_id, &in, &it);
    if (!rc)
        *id_out = it.id;
    return rc;
}

enum kam_err care_send(struct kam_ctx *ctx, int64_t id, int64_t template_id,
                       struct care_reminder *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct care_reminder r;
    struct message_template t;
    if ((rc = pending(ctx, id, &r)))
        goto out;
    if ((rc = template_get(ctx, template_id, &t))) {
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            rc = kam_fail(ctx->err, KAM_EINVAL, "template_id", "no such template");
        }
        goto out;
    }
    if (!r.contact_email || !*r.contact_email) {
        rc = kam_fail(ctx->err, KAM_EINVAL, "email", "%s has no e-mail address", r.contact_name);
        goto out;
    }
    /* The sender's name; the company's from the settings. */
    const char *sender = ctx->who.login ? ctx->who.login : "";
    struct db_stmt *st;
    if (!(rc = db_prepare(ctx->db, "SELECT name FROM users WHERE id = ?", &st, ctx->err))) {
        db_bind_i64(st, 1, ctx->who.user_id);
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row && *db_col_text(st, 0))
            sender = arena_strdup(ctx->a, db_col_text(st, 0));
        db_done(st);
    }
    const char *company = "KAM";
    if (!rc && !(rc = db_prepare(ctx->db, "SELECT value FROM settings WHERE key = 'company_name'",
                                 &st, ctx->err))) {
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row)
            company = arena_strdup(ctx->a, db_col_text(st, 0));
        db_done(st);
    }
    if (rc)
        goto out;
    /* The occasion in the template's language: a festival or a birthday by its key; a special
     * date's name as its user wrote it. */
    const char *occ = msg_occasion_name(strcmp(t.locale, "en") ? MSG_ZH_CN : MSG_EN, r.occasion_key,
                                        r.occasion_name);
    const char *subject =
        care_render(ctx, t.subject, r.contact_name, r.account_name, occ, sender, company);
    const char *body =
        care_render(ctx, t.body, r.contact_name, r.account_name, occ, sender, company);
    int64_t outbox_id = 0, interaction_id = 0;
    char key[48];
    snprintf(key, sizeof key, "care:%lld", (long long)id);
    if ((rc = outbox_queue(ctx, r.contact_email, subject, body, key, &outbox_id, NULL)) ||
        (rc = log_care(ctx, &r, "email", subject, body, &interaction_id)) ||
        (rc = close_reminder(ctx, &r, "sent", "email", "", interaction_id, outbox_id)))
        goto out;
    rc = care_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err care_done(struct kam_ctx *ctx, int64_t id, const char *channel, const char *note,
                       struct care_reminder *out)
{
    enum kam_err rc = check_enum(ctx, "channel", channel, care_channels);
    if (rc || (rc = check_text(ctx, "note", note, 0, 2000, 1)) ||
        (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct care_reminder r;
    int64_t interaction_id = 0;
    if ((rc = pending(ctx, id, &r)))
        goto out;
    const char *kind = !strcmp(channel, "call")    ? "call"
                       : !strcmp(channel, "visit") ? "visit"
                                                   : "care";
    const char *subject = arena_printf(ctx->a, "%s · %s", r.occasion_name, channel);
    if ((rc = log_care(ctx, &r, kind, subject, note, &interaction_id)) ||
        (rc = close_reminder(ctx, &r, "done", channel, note, interaction_id, 0)))
        goto out;
    rc = care_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err care_skip(struct kam_ctx *ctx, int64_t id, struct care_reminder *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct care_reminder r;
    if (!(rc = pending(ctx, id, &r)) && !(rc = close_reminder(ctx, &r, "skipped", NULL, "", 0, 0)))
        rc = care_get(ctx, id, out);
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- generation ---- */

struct due {
    int64_t days; /* days since epoch of the occasion (China date) */
    char date[11];
    const char *name, *key;
};

/* The next occurrence (today included) of an occasion that is not a birthday; 0 if none. */
static int next_occasion(const struct care_occasion *o, int64_t today, struct due *out)
{
    int y, m, d;
    char iso[32];
    time_iso(today * 86400, iso, sizeof iso);
    iso[10] = 0;
    date_parse(iso, &y, &m, &d);
    for (int yy = y; yy <= y + 1; yy++) {
        if (!strcmp(o->kind, "special")) {
            int dd = (int)o->day;
            if (o->month == 2 && dd == 29 && !date_valid(yy, 2, 29))
                dd = 28;
            int64_t t = date_to_days(yy, (int)o->month, dd);
            if (t >= today) {
                out->days = t;
                snprintf(out->date, sizeof out->date, "%04d-%02d-%02d", yy, (int)o->month, dd);
                out->name = o->name;
                out->key = NULL;
                return 1;
            }
            continue;
        }
        struct festival f[LUNAR_FESTIVALS_MAX];
        int n = lunar_festivals(yy, f, LUNAR_FESTIVALS_MAX);
        for (int i = 0; i < n && i < LUNAR_FESTIVALS_MAX; i++) {
            if (strcmp(f[i].key, o->festival_key) != 0)
                continue;
            int64_t t = date_to_days(f[i].y, f[i].m, f[i].d);
            if (t >= today) {
                out->days = t;
                snprintf(out->date, sizeof out->date, "%04d-%02d-%02d", f[i].y, f[i].m, f[i].d);
                out->name = NULL; /* msg_occasion_name() words it in each reader's language */
                out->key = f[i].key;
                return 1;
            }
        }
    }
    return 0;
}

static enum kam_err insert_reminder(struct kam_ctx *ctx, const struct care_occasion *o,
                                    int64_t account_id, int64_t contact_id, int64_t owner_id,
                                    const char *key, const char *name, const char *date,
                                    int *created)
{
    char gen[96];
    snprintf(gen, sizeof gen, "o%lld:c%lld:%s", (long long)o->id, (long long)contact_id, date);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO care_reminders (account_id, contact_id, owner_id, occasion_id, "
        "occasion_kind, occasion_key, occasion_name, occasion_date, status, gen_key, version, "
        "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,'pending',?,1,?,?) ON CONFLICT (gen_key) "
        "DO NOTHING RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_i64(st, 2, contact_id);
    db_bind_i64(st, 3, owner_id);
    db_bind_i64(st, 4, o->id);
    db_bind_text(st, 5, o->kind);
    db_bind_text(st, 6, key);
    db_bind_text(st, 7, name);
    db_bind_text(st, 8, date);
    db_bind_text(st, 9, gen);
    db_bind_i64(st, 10, ctx->now);
    db_bind_i64(st, 11, ctx->now);
    int row = 0;
    int64_t id = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        id = db_col_i64(st, 0);
    db_done(st);
    if (rc || !row)
        return rc;
    (*created)++;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "occasion", NULL, name);
    audit_diff_str(&d, "occasion_date", NULL, date);
    if ((rc = audit_write(ctx, "care", id, account_id, "create", &d)))
        return rc;
    char dedup[128];
    snprintf(dedup, sizeof dedup, "care:%lld:%s:%s", (long long)owner_id, key, date);
    return notify_add_msg(
        ctx, owner_id, "care_due", "notify.care_due",
        (struct kam_param[]){{"name", name}, {"date", date}, {"occasion", key}, {0}}, "",
        arena_printf(ctx->a, "/care?from=%s", date), dedup, NULL);
}

static enum kam_err generate_occasion(struct kam_ctx *ctx, const struct care_occasion *o,
                                      int64_t today, int *created)
{
    const char *role_cond =
        o->key_people_only ? " AND contacts.decision_role IN ('decision_maker', 'champion')" : "";
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT contacts.id, contacts.account_id, accounts.owner_id, contacts.birthday "
                 "FROM contacts JOIN accounts ON accounts.id = contacts.account_id WHERE "
                 "accounts.status IN ('active', 'prospect')");
    sqlb_sql(&b, role_cond);
    int birthday = !strcmp(o->kind, "birthday");
    struct due due = {0};
    const char *name = NULL, *key = NULL;
    if (birthday) {
        sqlb_sql(&b, " AND contacts.birthday IS NOT NULL");
        key = "birthday";
    } else {
        if (!next_occasion(o, today, &due) || due.days - today > o->days_before) {
            sqlb_release(&b);
            return KAM_OK;
        }
        key = due.key ? due.key : arena_printf(ctx->a, "special:%lld", (long long)o->id);
        /* Stored in Simplified Chinese (the default language); the API and the UI word a
         * festival by its key in each reader's language. */
        name = due.key ? msg_occasion_name(MSG_ZH_CN, due.key, NULL) : o->name;
    }
    sqlb_sql(&b, " ORDER BY contacts.id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct todo {
        int64_t contact, account, owner;
        char date[11];
    };
    size_t cap = 256, n = 0;
    struct todo *list = arena_calloc(ctx->a, cap, sizeof *list);
    int row = 0;
    int ty, tm, td;
    char iso[32];
    time_iso(today * 86400, iso, sizeof iso);
    iso[10] = 0;
    date_parse(iso, &ty, &tm, &td);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        char date[11];
        if (birthday) {
            int y, m, d;
            if (date_parse(db_col_text(st, 3), &y, &m, &d))
                continue;
            int found = 0;
            for (int yy = ty; yy <= ty + 1 && !found; yy++) {
                int dd = (m == 2 && d == 29 && !date_valid(yy, 2, 29)) ? 28 : d;
                int64_t t = date_to_days(yy, m, dd);
                if (t >= today) {
                    found = t - today <= o->days_before;
                    snprintf(date, sizeof date, "%04d-%02d-%02d", yy, m, dd);
                    break;
                }
            }
            if (!found)
                continue;
        } else {
            memcpy(date, due.date, sizeof date);
        }
        if (n == cap) {
            struct todo *bigger = arena_calloc(ctx->a, cap * 2, sizeof *bigger);
            memcpy(bigger, list, cap * sizeof *list);
            list = bigger;
            cap *= 2;
        }
        list[n].contact = db_col_i64(st, 0);
        list[n].account = db_col_i64(st, 1);
        list[n].owner = db_col_i64(st, 2);
        memcpy(list[n].date, date, sizeof date);
        n++;
    }
    db_done(st);
    for (size_t i = 0; !rc && i < n; i++)
        rc = insert_reminder(ctx, o, list[i].account, list[i].contact, list[i].owner, key,
                             birthday ? msg_occasion_name(MSG_ZH_CN, "birthday", NULL) : name,
                             list[i].date, created);
    return rc;
}

enum kam_err care_generate(struct kam_ctx *ctx, int *created_out)
{
    *created_out = 0;
    struct care_occasion *occ;
    size_t n;
    enum kam_err rc = care_occasion_list(ctx, &occ, &n);
    int64_t today = (ctx->now + CHINA_OFFSET) / 86400;
    for (size_t i = 0; !rc && i < n; i++) {
        if (!occ[i].active)
            continue;
        if ((rc = db_begin(ctx->db, ctx->err)))
            break;
        rc = generate_occasion(ctx, &occ[i], today, created_out);
        rc = db_end(ctx->db, rc, ctx->err);
    }
    return rc;
}
