/* visit.c -- cadence rules, planned visits, completion, generation, the calendar feed. */
#include "visit.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "base/jw.h"
#include "base/timeutil.h"
#include "contact.h"
#include "interaction.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/auth.h"
#include "svc/core/check.h"
#include "svc/core/notify.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"
#include "svc/needs/need.h"

const char *const visit_kinds[] = {"phone", "onsite", NULL};
const char *const visit_statuses[] = {"planned", "done", "cancelled", NULL};

#define DAY 86400
#define LOOKAHEAD_DAYS 7 /* plan visits due within a week */

/* ---- cadence rules ---- */

#define CAD_COLS "id, tier, decision_role, kind, every_days, active, created_at, updated_at"

static void read_cadence(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct cadence *c = row;
    memset(c, 0, sizeof *c);
    c->id = db_col_i64(st, 0);
    c->tier = arena_strdup(ctx->a, db_col_text(st, 1));
    c->decision_role = db_col_is_null(st, 2) ? NULL : arena_strdup(ctx->a, db_col_text(st, 2));
    c->kind = arena_strdup(ctx->a, db_col_text(st, 3));
    c->every_days = db_col_i64(st, 4);
    c->active = (int)db_col_i64(st, 5);
    c->created_at = db_col_i64(st, 6);
    c->updated_at = db_col_i64(st, 7);
}

enum kam_err cadence_list(struct kam_ctx *ctx, struct cadence **items_out, size_t *n_out)
{
    int64_t count = 0;
    enum kam_err rc =
        db_query_i64(ctx->db, "SELECT COUNT(*) FROM cadence_rules", 0, 0, &count, ctx->err);
    if (rc)
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db, "SELECT " CAD_COLS " FROM cadence_rules ORDER BY id", &st,
                         ctx->err)))
        return rc;
    return rows_collect(ctx, st, (size_t)count, read_cadence, sizeof **items_out,
                        (void **)items_out, n_out);
}

static enum kam_err cadence_get(struct kam_ctx *ctx, int64_t id, struct cadence *out)
{
    enum kam_err rc = row_get(ctx, "SELECT " CAD_COLS " FROM cadence_rules WHERE id = ?", id,
                              read_cadence, out, "cadence rule");
    return rc;
}

static enum kam_err cadence_check(struct kam_ctx *ctx, const struct cadence *c)
{
    enum kam_err rc;
    if ((rc = check_enum(ctx, "tier", c->tier, account_tiers)) ||
        (rc = check_enum(ctx, "kind", c->kind, visit_kinds)) ||
        (rc = check_range(ctx, "every_days", c->every_days, 1, 365)))
        return rc;
    if (c->decision_role &&
        (rc = check_enum(ctx, "decision_role", c->decision_role, contact_decision_roles)))
        return rc;
    return KAM_OK;
}

static void cadence_merge(struct cadence *c, const struct cadence_in *in)
{
    if (in->set & CAD_TIER)
        c->tier = in->v.tier;
    if (in->set & CAD_ROLE)
        c->decision_role = in->v.decision_role;
    if (in->set & CAD_KIND)
        c->kind = in->v.kind;
    if (in->set & CAD_EVERY)
        c->every_days = in->v.every_days;
    if (in->set & CAD_ACTIVE)
        c->active = in->v.active;
}

static void cadence_diff(struct audit_diff *d, const struct cadence *b, const struct cadence *a)
{
    audit_diff_str(d, "tier", b ? b->tier : NULL, a ? a->tier : NULL);
    audit_diff_str(d, "decision_role", b ? b->decision_role : NULL, a ? a->decision_role : NULL);
    audit_diff_str(d, "kind", b ? b->kind : NULL, a ? a->kind : NULL);
    audit_diff_i64(d, "every_days", b ? b->every_days : 0, !b, a ? a->every_days : 0, !a);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a ? a->active : 0, !a);
}

enum kam_err cadence_create(struct kam_ctx *ctx, const struct cadence_in *in, struct cadence *out)
{
    struct cadence c = {.active = 1};
    cadence_merge(&c, in);
    if (!(in->set & CAD_TIER))
        return kam_fail(ctx->err, KAM_EINVAL, "tier", "tier is required");
    if (!(in->set & CAD_KIND))
        return kam_fail(ctx->err, KAM_EINVAL, "kind", "kind is required");
    if (!(in->set & CAD_EVERY))
        return kam_fail(ctx->err, KAM_EINVAL, "every_days", "every_days is required");
    enum kam_err rc = cadence_check(ctx, &c);
    if (rc || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "INSERT INTO cadence_rules (tier, decision_role, kind, every_days, active, "
                    "created_at, updated_at) VALUES (?,?,?,?,?,?,?) RETURNING id",
                    &st, ctx->err);
    if (rc)
        goto out;
    db_bind_text(st, 1, c.tier);
    db_bind_text(st, 2, c.decision_role);
    db_bind_text(st, 3, c.kind);
    db_bind_i64(st, 4, c.every_days);
    db_bind_i64(st, 5, c.active);
    db_bind_i64(st, 6, ctx->now);
    db_bind_i64(st, 7, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        c.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    cadence_diff(&d, NULL, &c);
    rc = audit_write(ctx, "cadence", c.id, 0, "create", &d);
    if (!rc)
        rc = cadence_get(ctx, c.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err cadence_up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return cadence_get(ctx, id, rec);
}

static enum kam_err cadence_up_merge(const struct update_op *op, void *rec)
{
    cadence_merge(rec, op->in);
    return cadence_check(op->ctx, rec);
}

static void cadence_up_diff(const struct update_op *op)
{
    cadence_diff(op->diff, op->before, op->after);
}

static enum kam_err cadence_up_write(const struct update_op *op)
{
    const struct cadence *c = op->after;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "UPDATE cadence_rules SET tier = ?, decision_role = ?, kind = ?, every_days = "
                   "?, active = ?, updated_at = ? WHERE id = ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, c->tier);
    db_bind_text(st, 2, c->decision_role);
    db_bind_text(st, 3, c->kind);
    db_bind_i64(st, 4, c->every_days);
    db_bind_i64(st, 5, c->active);
    db_bind_i64(st, 6, ctx->now);
    db_bind_i64(st, 7, c->id);
    return db_run(st, ctx->err);
}

static const struct update_spec cadence_spec = {
    .entity = "cadence",
    .size = sizeof(struct cadence),
    .get = cadence_up_get,
    .merge = cadence_up_merge,
    .diff = cadence_up_diff,
    .write = cadence_up_write,
};

enum kam_err cadence_update(struct kam_ctx *ctx, int64_t id, const struct cadence_in *in,
                            struct cadence *out)
{
    return record_update(ctx, &cadence_spec, id, in, out);
}

enum kam_err cadence_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct cadence before;
    if ((rc = cadence_get(ctx, id, &before)))
        goto out;
    /* Visits it planned stay; they just no longer point at a rule. */
    static const char *const sqls[] = {"UPDATE visits SET cadence_id = NULL WHERE cadence_id = ?",
                                       "DELETE FROM cadence_rules WHERE id = ?"};
    for (size_t i = 0; !rc && i < 2; i++)
        rc = db_exec_i64(ctx->db, sqls[i], id, ctx->err);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    cadence_diff(&d, &before, NULL);
    rc = audit_write(ctx, "cadence", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- visits ---- */

#define COLS                                                                                       \
    "visits.id, visits.account_id, visits.contact_id, visits.owner_id, visits.kind, "              \
    "visits.planned_at, visits.status, visits.outcome, visits.next_steps, visits.completed_at, "   \
    "visits.interaction_id, visits.cadence_id, visits.version, visits.created_at, "                \
    "visits.updated_at, accounts.name, contacts.name, visits.duration_min, visits.place, "         \
    "visits.purpose, visits.checkin_lat_e6, visits.checkin_lon_e6, visits.checkin_accuracy_m, "    \
    "visits.checkin_at, vl.how_used, vl.works, vl.fails"
#define FROM                                                                                       \
    " FROM visits JOIN accounts ON accounts.id = visits.account_id LEFT JOIN contacts ON "         \
    "contacts.id = visits.contact_id LEFT JOIN visit_learnings vl ON vl.visit_id = visits.id"

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct visit *v = row;
    memset(v, 0, sizeof *v);
    v->id = db_col_i64(st, 0);
    v->account_id = db_col_i64(st, 1);
    v->has_contact = !db_col_is_null(st, 2);
    v->contact_id = v->has_contact ? db_col_i64(st, 2) : 0;
    v->owner_id = db_col_i64(st, 3);
    v->kind = arena_strdup(ctx->a, db_col_text(st, 4));
    v->planned_at = db_col_i64(st, 5);
    v->status = arena_strdup(ctx->a, db_col_text(st, 6));
    v->outcome = arena_strdup(ctx->a, db_col_text(st, 7));
    v->next_steps = arena_strdup(ctx->a, db_col_text(st, 8));
    v->has_completed = !db_col_is_null(st, 9);
    v->completed_at = v->has_completed ? db_col_i64(st, 9) : 0;
    v->has_interaction = !db_col_is_null(st, 10);
    v->interaction_id = v->has_interaction ? db_col_i64(st, 10) : 0;
    v->has_cadence = !db_col_is_null(st, 11);
    v->cadence_id = v->has_cadence ? db_col_i64(st, 11) : 0;
    v->version = db_col_i64(st, 12);
    v->created_at = db_col_i64(st, 13);
    v->updated_at = db_col_i64(st, 14);
    v->account_name = arena_strdup(ctx->a, db_col_text(st, 15));
    v->contact_name = db_col_is_null(st, 16) ? NULL : arena_strdup(ctx->a, db_col_text(st, 16));
    v->has_duration = !db_col_is_null(st, 17);
    v->duration_min = v->has_duration ? db_col_i64(st, 17) : 0;
    v->place = arena_strdup(ctx->a, db_col_text(st, 18));
    v->purpose = arena_strdup(ctx->a, db_col_text(st, 19));
    v->has_checkin = !db_col_is_null(st, 20) && !db_col_is_null(st, 21);
    v->lat_e6 = v->has_checkin ? db_col_i64(st, 20) : 0;
    v->lon_e6 = v->has_checkin ? db_col_i64(st, 21) : 0;
    v->has_accuracy = v->has_checkin && !db_col_is_null(st, 22);
    v->accuracy_m = v->has_accuracy ? db_col_i64(st, 22) : 0;
    v->checkin_at = v->has_checkin && !db_col_is_null(st, 23) ? db_col_i64(st, 23) : 0;
    v->has_learnings = !db_col_is_null(st, 24);
    if (v->has_learnings) {
        v->learn_how_used = arena_strdup(ctx->a, db_col_text(st, 24));
        v->learn_works = arena_strdup(ctx->a, db_col_text(st, 25));
        v->learn_fails = arena_strdup(ctx->a, db_col_text(st, 26));
    }
}

enum kam_err visit_get(struct kam_ctx *ctx, int64_t id, struct visit *out)
{
    enum kam_err rc =
        row_get(ctx, "SELECT " COLS FROM " WHERE visits.id = ?", id, read_row, out, "visit");
    return rc;
}

static void diff_all(struct audit_diff *d, const struct visit *b, const struct visit *a)
{
    audit_diff_i64(d, "contact_id", b ? b->contact_id : 0, !b || !b->has_contact,
                   a ? a->contact_id : 0, !a || !a->has_contact);
    audit_diff_i64(d, "owner_id", b ? b->owner_id : 0, !b, a ? a->owner_id : 0, !a);
    audit_diff_str(d, "kind", b ? b->kind : NULL, a ? a->kind : NULL);
    audit_diff_time(d, "planned_at", b ? b->planned_at : 0, !b, a ? a->planned_at : 0, !a);
    audit_diff_str(d, "status", b ? b->status : NULL, a ? a->status : NULL);
    audit_diff_str(d, "outcome", b ? b->outcome : NULL, a ? a->outcome : NULL);
    audit_diff_str(d, "next_steps", b ? b->next_steps : NULL, a ? a->next_steps : NULL);
    audit_diff_i64(d, "duration_min", b ? b->duration_min : 0, !b || !b->has_duration,
                   a ? a->duration_min : 0, !a || !a->has_duration);
    audit_diff_str(d, "place", b ? b->place : NULL, a ? a->place : NULL);
    audit_diff_str(d, "purpose", b ? b->purpose : NULL, a ? a->purpose : NULL);
    /* Coordinates as exact decimal text ("31.230416"), like the API shows them. */
    char bl[JW_FIXED_MAX], al[JW_FIXED_MAX];
    int bc = b && b->has_checkin, ac = a && a->has_checkin;
    if (bc)
        jw_format_fixed(bl, b->lat_e6, 6, 1);
    if (ac)
        jw_format_fixed(al, a->lat_e6, 6, 1);
    audit_diff_str(d, "checkin_lat", bc ? bl : NULL, ac ? al : NULL);
    if (bc)
        jw_format_fixed(bl, b->lon_e6, 6, 1);
    if (ac)
        jw_format_fixed(al, a->lon_e6, 6, 1);
    audit_diff_str(d, "checkin_lon", bc ? bl : NULL, ac ? al : NULL);
    audit_diff_i64(d, "checkin_accuracy_m", bc ? b->accuracy_m : 0, !bc || !b->has_accuracy,
                   ac ? a->accuracy_m : 0, !ac || !a->has_accuracy);
    audit_diff_time(d, "checkin_at", bc ? b->checkin_at : 0, !bc, ac ? a->checkin_at : 0, !ac);
}

/* Merges and checks the details and the check-in of in into v (create and update). Refusals
 * name the field; a check-in needs both coordinates and gets the server's time. */
static enum kam_err merge_details(struct kam_ctx *ctx, struct visit *v, const struct visit_in *in)
{
    enum kam_err rc;
    if (in->set & VIS_DURATION) {
        v->has_duration = in->v.has_duration;
        v->duration_min = in->v.has_duration ? in->v.duration_min : 0;
        if (v->has_duration &&
            (rc = check_range(ctx, "duration_min", v->duration_min, 1, VISIT_DURATION_MAX)))
            return rc;
    }
    if (in->set & VIS_PLACE) {
        if ((rc = check_text(ctx, "place", in->v.place, 0, VISIT_PLACE_MAX, CHECK_LINE)))
            return rc;
        v->place = in->v.place ? in->v.place : "";
    }
    if (in->set & VIS_PURPOSE) {
        if ((rc = check_text(ctx, "purpose", in->v.purpose, 0, VISIT_PURPOSE_MAX, CHECK_MULTILINE)))
            return rc;
        v->purpose = in->v.purpose ? in->v.purpose : "";
    }
    unsigned ck = in->set & (VIS_LAT | VIS_LON | VIS_ACCURACY);
    if (!ck)
        return KAM_OK;
    if (!(ck & VIS_LAT))
        return kam_fail(ctx->err, KAM_EINVAL, "checkin_lat",
                        "checkin_lat is required with a check-in");
    if (!(ck & VIS_LON))
        return kam_fail(ctx->err, KAM_EINVAL, "checkin_lon",
                        "checkin_lon is required with a check-in");
    if (!(in->lat >= -90.0 && in->lat <= 90.0))
        return kam_fail(ctx->err, KAM_EINVAL, "checkin_lat", "checkin_lat must be -90..90");
    if (!(in->lon >= -180.0 && in->lon <= 180.0))
        return kam_fail(ctx->err, KAM_EINVAL, "checkin_lon", "checkin_lon must be -180..180");
    if ((ck & VIS_ACCURACY) && !(in->accuracy >= 0.0 && in->accuracy <= VISIT_ACCURACY_MAX))
        return kam_fail(ctx->err, KAM_EINVAL, "checkin_accuracy_m",
                        "checkin_accuracy_m must be 0..%.0f metres", VISIT_ACCURACY_MAX);
    v->has_checkin = 1;
    v->lat_e6 = (int64_t)llround(in->lat * 1e6);
    v->lon_e6 = (int64_t)llround(in->lon * 1e6);
    v->has_accuracy = (ck & VIS_ACCURACY) != 0;
    v->accuracy_m = v->has_accuracy ? (int64_t)ceil(in->accuracy) : 0;
    v->checkin_at = ctx->now;
    return KAM_OK;
}

#define VIS_CHECKIN (VIS_LAT | VIS_LON | VIS_ACCURACY)

/* Who may check in (外勤签到), and when: the visit's owner -- the person visiting -- on an
 * on-site visit that is still planned and has no check-in yet. A second check-in is refused:
 * the first is the record of arrival (its accuracy shows how good the fix was; the audit log
 * keeps it). b: the visit before the write (NULL on create), v: after it. The values are
 * checked before (merge_details), so a bad coordinate names its own field. */
static enum kam_err checkin_allowed(struct kam_ctx *ctx, const struct visit *b,
                                    const struct visit *v)
{
    if (v->owner_id != ctx->who.user_id || (b && b->owner_id != ctx->who.user_id))
        return kam_fail_key(ctx->err, KAM_EFORBIDDEN, "checkin_lat", "visit.checkin_owner", NULL,
                            "only the visit's owner (the person visiting) may check in");
    if (strcmp(v->status, "planned") != 0)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "visit.checkin_planned", NULL,
                            "only a planned visit can be checked in");
    if (strcmp(v->kind, "onsite") != 0)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "kind", "visit.checkin_onsite", NULL,
                            "only an on-site visit can be checked in");
    if (b && b->has_checkin)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "checkin_at", "visit.checkin_twice", NULL,
                            "the visit is already checked in");
    return KAM_OK;
}

/* The owner must be an enabled user the caller may give work to, who may work on the visits
 * of the account: a visit lands in its owner's list and calendar feed with the account's and
 * the contact's names, so an owner without the account in scope would read what they may not. */
static enum kam_err check_owner(struct kam_ctx *ctx, int64_t owner_id, int64_t account_id)
{
    int64_t disabled = 0;
    enum kam_err rc = db_query_i64(ctx->db, "SELECT disabled FROM users WHERE id = ?", 1, owner_id,
                                   &disabled, ctx->err);
    if (rc == KAM_ENOTFOUND || (!rc && disabled)) {
        kam_error_clear(ctx->err);
        return kam_fail(ctx->err, KAM_EINVAL, "owner_id", "owner_id is not an active user");
    }
    if (rc)
        return rc;
    int yes = 0;
    if (policy_list_scoped(&ctx->who)) {
        if ((rc = policy_manages_user(ctx, owner_id, &yes)))
            return rc;
        if (!yes)
            return kam_fail(ctx->err, KAM_EFORBIDDEN, "owner_id",
                            "you may only plan visits for yourself or people you manage");
    }
    if ((rc = policy_user_may(ctx, owner_id, OBJ_VISIT, ACT_UPDATE, account_id, &yes)))
        return rc;
    if (!yes)
        return kam_fail(ctx->err, KAM_EINVAL, "owner_id",
                        "owner_id must be someone who may work on this account's visits");
    return KAM_OK;
}

static enum kam_err check_contact(struct kam_ctx *ctx, const struct visit *v)
{
    if (!v->has_contact)
        return KAM_OK;
    int64_t acc = 0;
    enum kam_err rc = db_query_i64(ctx->db, "SELECT account_id FROM contacts WHERE id = ?", 1,
                                   v->contact_id, &acc, ctx->err);
    if (rc == KAM_ENOTFOUND || (!rc && acc != v->account_id))
        return kam_fail(ctx->err, KAM_EINVAL, "contact_id",
                        "contact_id must be a contact of the same account");
    return rc;
}

static enum kam_err insert_visit(struct kam_ctx *ctx, struct visit *v, const char *gen_key,
                                 int *created)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO visits (account_id, contact_id, owner_id, kind, planned_at, status, "
        "cadence_id, gen_key, version, created_at, updated_at, duration_min, place, purpose, "
        "checkin_lat_e6, checkin_lon_e6, checkin_accuracy_m, checkin_at) VALUES "
        "(?,?,?,?,?,'planned',?,?,1,?,?,?,?,?,?,?,?,?) ON CONFLICT (gen_key) DO NOTHING "
        "RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, v->account_id);
    db_bind_i64n(st, 2, v->contact_id, !v->has_contact);
    db_bind_i64(st, 3, v->owner_id);
    db_bind_text(st, 4, v->kind);
    db_bind_i64(st, 5, v->planned_at);
    db_bind_i64n(st, 6, v->cadence_id, !v->has_cadence);
    db_bind_text(st, 7, gen_key);
    db_bind_i64(st, 8, ctx->now);
    db_bind_i64(st, 9, ctx->now);
    if (!v->place)
        v->place = "";
    if (!v->purpose)
        v->purpose = "";
    db_bind_i64n(st, 10, v->duration_min, !v->has_duration);
    db_bind_text(st, 11, v->place);
    db_bind_text(st, 12, v->purpose);
    db_bind_i64n(st, 13, v->lat_e6, !v->has_checkin);
    db_bind_i64n(st, 14, v->lon_e6, !v->has_checkin);
    db_bind_i64n(st, 15, v->accuracy_m, !v->has_checkin || !v->has_accuracy);
    db_bind_i64n(st, 16, v->checkin_at, !v->has_checkin);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *created = !rc && row;
    if (*created)
        v->id = db_col_i64(st, 0);
    db_done(st);
    if (rc || !*created)
        return rc;
    v->status = "planned";
    v->outcome = v->next_steps = "";
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, NULL, v);
    return audit_write(ctx, "visit", v->id, v->account_id, "create", &d);
}

enum kam_err visit_create(struct kam_ctx *ctx, const struct visit_in *in, struct visit *out)
{
    struct visit v = {0};
    v.status = "planned";
    v.account_id = in->v.account_id;
    v.owner_id = ctx->who.user_id;
    v.kind = "onsite";
    if (in->set & VIS_CONTACT) {
        v.has_contact = in->v.has_contact;
        v.contact_id = in->v.contact_id;
    }
    if (in->set & VIS_OWNER)
        v.owner_id = in->v.owner_id;
    if (in->set & VIS_KIND)
        v.kind = in->v.kind;
    if (!(in->set & VIS_PLANNED))
        return kam_fail(ctx->err, KAM_EINVAL, "planned_at", "planned_at is required");
    v.planned_at = in->planned_at_iso ? interaction_parse_time(in->planned_at_iso) : -1;
    if (v.planned_at < 0)
        return kam_fail(ctx->err, KAM_EINVAL, "planned_at",
                        "planned_at must be YYYY-MM-DDTHH:MM:SSZ");
    if (v.owner_id == 0)
        return kam_fail(ctx->err, KAM_EINVAL, "owner_id", "owner_id is required");
    enum kam_err rc = check_enum(ctx, "kind", v.kind, visit_kinds);
    if (rc || (rc = merge_details(ctx, &v, in)) ||
        ((in->set & VIS_CHECKIN) && (rc = checkin_allowed(ctx, NULL, &v))) ||
        (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int created = 0;
    if (!(rc = check_owner(ctx, v.owner_id, v.account_id)) && !(rc = check_contact(ctx, &v)) &&
        !(rc = insert_visit(ctx, &v, NULL, &created)))
        rc = visit_get(ctx, v.id, out);
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- update (svc/core/update.h) ---- */

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return visit_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    struct kam_ctx *ctx = op->ctx;
    struct visit *v = rec;
    const struct visit *b = op->before;
    const struct visit_in *in = op->in;
    if (strcmp(b->status, "planned") != 0)
        return (in->set & VIS_CHECKIN)
                   ? kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "visit.checkin_planned", NULL,
                                  "only a planned visit can be checked in")
                   : kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "visit.not_planned", NULL,
                                  "only planned visits can change");
    if (in->set & VIS_CONTACT) {
        v->has_contact = in->v.has_contact;
        v->contact_id = in->v.contact_id;
    }
    if (in->set & VIS_OWNER)
        v->owner_id = in->v.owner_id;
    if (in->set & VIS_KIND)
        v->kind = in->v.kind;
    if (in->set & VIS_PLANNED) {
        v->planned_at = in->planned_at_iso ? interaction_parse_time(in->planned_at_iso) : -1;
        if (v->planned_at < 0)
            return kam_fail(ctx->err, KAM_EINVAL, "planned_at",
                            "planned_at must be YYYY-MM-DDTHH:MM:SSZ");
    }
    if (in->set & VIS_STATUS) {
        /* Completion has its own route; here a plan can only be cancelled. */
        if (!in->v.status ||
            (strcmp(in->v.status, "cancelled") != 0 && strcmp(in->v.status, "planned") != 0))
            return kam_fail(ctx->err, KAM_EINVAL, "status",
                            "status may be set to cancelled here; complete a visit with "
                            "POST /api/v1/visits/{id}/complete");
        v->status = in->v.status;
    }
    /* The check-in records where the owner stood for an on-site visit: it stays true only
     * with that owner and kind. */
    if (b->has_checkin && (v->owner_id != b->owner_id || strcmp(v->kind, b->kind) != 0))
        return kam_fail_key(ctx->err, KAM_ECONFLICT,
                            v->owner_id != b->owner_id ? "owner_id" : "kind", "visit.checked_in",
                            NULL, "a checked-in visit keeps its owner and kind");
    enum kam_err rc;
    if ((rc = merge_details(ctx, v, in)) || (rc = check_enum(ctx, "kind", v->kind, visit_kinds)) ||
        ((in->set & VIS_CHECKIN) && (rc = checkin_allowed(ctx, b, v))) ||
        (v->owner_id != b->owner_id && (rc = check_owner(ctx, v->owner_id, v->account_id))))
        return rc;
    return check_contact(ctx, v);
}

static void up_diff(const struct update_op *op)
{
    diff_all(op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct visit *v = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "UPDATE visits SET contact_id = ?, owner_id = ?, kind = ?, planned_at = ?, "
                   "status = ?, outcome = ?, next_steps = ?, completed_at = ?, interaction_id = "
                   "?, duration_min = ?, place = ?, purpose = ?, checkin_lat_e6 = ?, "
                   "checkin_lon_e6 = ?, checkin_accuracy_m = ?, checkin_at = ?, version = "
                   "version + 1, updated_at = ? WHERE id = ? AND version = ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64n(st, 1, v->contact_id, !v->has_contact);
    db_bind_i64(st, 2, v->owner_id);
    db_bind_text(st, 3, v->kind);
    db_bind_i64(st, 4, v->planned_at);
    db_bind_text(st, 5, v->status);
    db_bind_text(st, 6, v->outcome);
    db_bind_text(st, 7, v->next_steps);
    db_bind_i64n(st, 8, v->completed_at, !v->has_completed);
    db_bind_i64n(st, 9, v->interaction_id, !v->has_interaction);
    db_bind_i64n(st, 10, v->duration_min, !v->has_duration);
    db_bind_text(st, 11, v->place);
    db_bind_text(st, 12, v->purpose);
    db_bind_i64n(st, 13, v->lat_e6, !v->has_checkin);
    db_bind_i64n(st, 14, v->lon_e6, !v->has_checkin);
    db_bind_i64n(st, 15, v->accuracy_m, !v->has_checkin || !v->has_accuracy);
    db_bind_i64n(st, 16, v->checkin_at, !v->has_checkin);
    db_bind_i64(st, 17, ctx->now);
    db_bind_i64(st, 18, v->id);
    db_bind_i64(st, 19, b->version);
    return db_run(st, ctx->err);
}

static int64_t up_account(const void *rec)
{
    return ((const struct visit *)rec)->account_id;
}

static const struct update_spec visit_spec = {
    .entity = "visit",
    .size = sizeof(struct visit),
    .versioned = 1,
    .version_at = offsetof(struct visit, version),
    .get = up_get,
    .in_set_at = offsetof(struct visit_in, set),
    .in_version_at = offsetof(struct visit_in, v.version),
    .in_version_bit = VIS_VERSION,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
};

enum kam_err visit_update(struct kam_ctx *ctx, int64_t id, const struct visit_in *in,
                          struct visit *out)
{
    return record_update(ctx, &visit_spec, id, in, out);
}

enum kam_err visit_complete(struct kam_ctx *ctx, int64_t id, const struct visit_done *in,
                            struct visit *out)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "outcome", in->outcome, 1, 4000, 1)) ||
        (rc = check_text(ctx, "next_steps", in->next_steps, 0, 4000, 1)))
        return rc;
    int64_t at = ctx->now;
    if (in->occurred_at_iso) {
        at = interaction_parse_time(in->occurred_at_iso);
        if (at < 0)
            return kam_fail(ctx->err, KAM_EINVAL, "occurred_at",
                            "occurred_at must be YYYY-MM-DDTHH:MM:SSZ");
    }
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct visit before, v;
    if ((rc = visit_get(ctx, id, &before)))
        goto out;
    if (strcmp(before.status, "planned") != 0) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "visit.already_closed",
                          (struct kam_param[]){{"status", before.status}, {0}},
                          "the visit is already %s", before.status);
        goto out;
    }
    /* New needs from the learnings are need creations: the caller needs that grant too (service
     * staff may complete visits, not create needs), checked before anything is written. */
    if (in->learnings && in->learnings->n_new_needs &&
        (rc = policy_body_account(ctx, "learnings.new_needs", before.account_id, OBJ_NEED,
                                  ACT_CREATE)))
        goto out;
    struct interaction_in ii = {0};
    ii.set = INT_KIND | INT_SUBJECT | INT_NOTES | INT_OCCURRED | INT_CONTACTS;
    ii.v.kind = strcmp(before.kind, "onsite") == 0 ? "visit" : "call";
    char subject[256];
    snprintf(subject, sizeof subject, "%s%s%s",
             strcmp(before.kind, "onsite") == 0 ? "拜访 Visit" : "电话 Call",
             before.contact_name ? ": " : "", before.contact_name ? before.contact_name : "");
    ii.v.subject = subject;
    ii.v.notes = *in->next_steps ? arena_printf(ctx->a, "%s\n\n%s", in->outcome, in->next_steps)
                                 : in->outcome;
    char iso[32];
    time_iso(at, iso, sizeof iso);
    ii.occurred_at_iso = iso;
    if (in->has_contacts) {
        ii.v.ncontacts = in->ncontacts;
        memcpy(ii.v.contact_ids, in->contact_ids, sizeof(int64_t) * (size_t)in->ncontacts);
    } else if (before.has_contact) {
        ii.v.ncontacts = 1;
        ii.v.contact_ids[0] = before.contact_id;
    }
    struct interaction it;
    if ((rc = interaction_create(ctx, before.account_id, &ii, &it)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db, "UPDATE interactions SET visit_id = ? WHERE id = ?", &st,
                         ctx->err)))
        goto out;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, it.id);
    rc = db_run(st, ctx->err);
    if (rc)
        goto out;
    v = before;
    v.status = "done";
    v.outcome = in->outcome;
    v.next_steps = in->next_steps ? in->next_steps : "";
    v.has_completed = 1;
    v.completed_at = at;
    v.has_interaction = 1;
    v.interaction_id = it.id;
    if ((rc = merge_details(ctx, &v, &in->details)))
        goto out;
    if ((rc = record_save(ctx, &visit_spec, id, &before, &v, NULL, "update", NULL)))
        goto out;
    /* What the revisit learned, and the new needs it found (svc/needs: a named exception in
     * scripts/check-deps.sh). */
    if (in->learnings && (rc = visit_learnings_save(ctx, id, before.account_id, in->learnings)))
        goto out;
    rc = visit_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort sorts[] = {{"planned_at", "visits.planned_at", 0}};

enum kam_err visit_list(struct kam_ctx *ctx, const struct visit_query *q, struct visit **items_out,
                        size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, 1, NULL, q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if (q->status && (rc = check_enum(ctx, "status", q->status, visit_statuses)))
        return rc;
    int64_t from = -1, to = -1;
    if (q->from && (from = interaction_parse_filter_time(q->from)) < 0)
        return kam_fail(ctx->err, KAM_EINVAL, "from", "from must be an ISO time");
    if (q->to && (to = interaction_parse_filter_time(q->to)) < 0)
        return kam_fail(ctx->err, KAM_EINVAL, "to", "to must be an ISO time");
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " COLS FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->owner_id) {
        sqlb_sql(&b, " AND visits.owner_id = ?");
        sqlb_i64(&b, q->owner_id);
    }
    if (q->account_id) {
        sqlb_sql(&b, " AND visits.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    if (q->status) {
        sqlb_sql(&b, " AND visits.status = ?");
        sqlb_text(&b, q->status);
    }
    if (q->overdue) {
        sqlb_sql(&b, " AND visits.status = 'planned' AND visits.planned_at < ?");
        sqlb_i64(&b, ctx->now);
    }
    if (from >= 0) {
        sqlb_sql(&b, " AND visits.planned_at >= ?");
        sqlb_i64(&b, from);
    }
    if (to >= 0) {
        sqlb_sql(&b, " AND visits.planned_at < ?");
        sqlb_i64(&b, to);
    }
    struct visit *items;
    const struct visit *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "visits.id", read_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, last->planned_at, last->id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ---- generation ---- */

/* When a generated visit takes place: 10:00 in China (02:00 UTC) on its due day, on a working
 * day. Visits already due (or never made) are spread over the next five working days by the
 * record's id, so a first run does not pile a hundred calls onto tomorrow. */
static int64_t plan_time(int64_t due, int64_t now, int64_t spread_id)
{
    int64_t today = now / DAY, day;
    if (due > now + DAY)
        day = due / DAY;
    else
        day = today + 1 + spread_id % 5;
    int weekday = (int)((day + 4) % 7); /* 1970-01-01 was a Thursday; 0 = Sunday */
    if (weekday == 6)
        day += 2;
    else if (weekday == 0)
        day += 1;
    return day * DAY + 2 * 3600;
}

static enum kam_err generate_rule(struct kam_ctx *ctx, const struct cadence *r, int *created)
{
    const char *sql =
        r->decision_role
            ? "SELECT contacts.account_id, contacts.id, accounts.owner_id, "
              "contacts.last_contacted_at, (SELECT MAX(v.completed_at) FROM visits v WHERE "
              "v.contact_id = contacts.id AND v.kind = ? AND v.status = 'done') FROM contacts "
              "JOIN accounts ON accounts.id = contacts.account_id WHERE accounts.tier = ? AND "
              "accounts.status IN ('active', 'prospect') AND contacts.decision_role = ? AND NOT "
              "EXISTS (SELECT 1 FROM visits v WHERE v.contact_id = contacts.id AND v.kind = ? AND "
              "v.status = 'planned') ORDER BY contacts.id"
            : "SELECT accounts.id, NULL, accounts.owner_id, (SELECT MAX(c.last_contacted_at) FROM "
              "contacts c WHERE c.account_id = accounts.id), (SELECT MAX(v.completed_at) FROM "
              "visits v WHERE v.account_id = accounts.id AND v.kind = ? AND v.status = 'done') "
              "FROM accounts WHERE accounts.tier = ? AND accounts.status IN ('active', "
              "'prospect') AND CAST(? AS TEXT) IS NULL AND NOT EXISTS (SELECT 1 FROM visits v "
              "WHERE "
              "v.account_id = accounts.id AND v.contact_id IS NULL AND v.kind = ? AND v.status = "
              "'planned') ORDER BY accounts.id";
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, r->kind);
    db_bind_text(st, 2, r->tier);
    db_bind_text(st, 3, r->decision_role);
    db_bind_text(st, 4, r->kind);
    /* Collect first: inserting while a read is open is fine in SQLite, but keeping the two
     * apart keeps each engine's behaviour obvious. */
    size_t cap = 1024, n = 0;
    struct visit *todo = arena_calloc(ctx->a, cap, sizeof *todo);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t last = -1;
        if (!db_col_is_null(st, 3))
            last = db_col_i64(st, 3);
        if (!db_col_is_null(st, 4) && db_col_i64(st, 4) > last)
            last = db_col_i64(st, 4);
        int64_t due = last < 0 ? ctx->now : last + r->every_days * DAY;
        if (due > ctx->now + LOOKAHEAD_DAYS * DAY)
            continue;
        if (n == cap) {
            struct visit *bigger = arena_calloc(ctx->a, cap * 2, sizeof *bigger);
            memcpy(bigger, todo, cap * sizeof *todo);
            todo = bigger;
            cap *= 2;
        }
        struct visit *v = &todo[n++];
        v->account_id = db_col_i64(st, 0);
        v->has_contact = !db_col_is_null(st, 1);
        v->contact_id = v->has_contact ? db_col_i64(st, 1) : 0;
        v->owner_id = db_col_i64(st, 2);
        v->kind = r->kind;
        v->planned_at = plan_time(due, ctx->now, v->has_contact ? v->contact_id : v->account_id);
        v->has_cadence = 1;
        v->cadence_id = r->id;
    }
    db_done(st);
    for (size_t i = 0; !rc && i < n; i++) {
        /* One key per rule, account, contact and planned day: a second run, here or in
         * another instance, finds the key taken and plans nothing. */
        char key[96];
        snprintf(key, sizeof key, "c%lld:a%lld:p%lld:d%lld", (long long)r->id,
                 (long long)todo[i].account_id, (long long)todo[i].contact_id,
                 (long long)(todo[i].planned_at / DAY));
        int made = 0;
        rc = insert_visit(ctx, &todo[i], key, &made);
        *created += made;
    }
    return rc;
}

enum kam_err visit_generate(struct kam_ctx *ctx, int *created_out)
{
    struct cadence *rules;
    size_t n;
    *created_out = 0;
    enum kam_err rc = cadence_list(ctx, &rules, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        if (!rules[i].active)
            continue;
        if ((rc = db_begin(ctx->db, ctx->err)))
            break;
        rc = generate_rule(ctx, &rules[i], created_out);
        rc = db_end(ctx->db, rc, ctx->err);
    }
    return rc;
}

enum kam_err visit_notify_overdue(struct kam_ctx *ctx, int *created_out)
{
    *created_out = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT visits.id, visits.owner_id, accounts.name, "
                                 "visits.planned_at FROM visits JOIN accounts ON accounts.id = "
                                 "visits.account_id WHERE visits.status = 'planned' AND "
                                 "visits.planned_at < ? AND NOT EXISTS (SELECT 1 FROM "
                                 "notifications n WHERE n.dedup_key = 'visit-overdue:' || "
                                 "CAST(visits.id AS TEXT)) ORDER BY visits.id LIMIT 10000",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, ctx->now);
    struct over {
        int64_t id, owner;
        const char *name;
    } *list = arena_calloc(ctx->a, 10000, sizeof *list);
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < 10000) {
        list[n].id = db_col_i64(st, 0);
        list[n].owner = db_col_i64(st, 1);
        list[n].name = arena_strdup(ctx->a, db_col_text(st, 2));
        n++;
    }
    db_done(st);
    for (size_t i = 0; !rc && i < n; i++) {
        int made = 0;
        rc = notify_add_msg(ctx, list[i].owner, "visit_overdue", "notify.visit_overdue",
                            (struct kam_param[]){{"name", list[i].name}, {0}}, "",
                            arena_printf(ctx->a, "/visits?focus=%lld", (long long)list[i].id),
                            arena_printf(ctx->a, "visit-overdue:%lld", (long long)list[i].id),
                            &made);
        *created_out += made;
    }
    return rc;
}

/* ---- calendar feed ---- */

enum kam_err calendar_token_new(struct kam_ctx *ctx, const char **url_out)
{
    const char *token = auth_new_secret(ctx, "cal_");
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct db_stmt *st;
    rc = db_exec_i64(ctx->db, "DELETE FROM calendar_tokens WHERE user_id = ?", ctx->who.user_id,
                     ctx->err);
    if (!rc && !(rc = db_prepare(ctx->db,
                                 "INSERT INTO calendar_tokens (user_id, token_hash, created_at) "
                                 "VALUES (?, ?, ?)",
                                 &st, ctx->err))) {
        db_bind_i64(st, 1, ctx->who.user_id);
        db_bind_text(st, 2, auth_secret_hash(ctx, token));
        db_bind_i64(st, 3, ctx->now);
        rc = db_run(st, ctx->err);
    }
    rc = db_end(ctx->db, rc, ctx->err);
    if (!rc)
        *url_out = arena_printf(ctx->a, "/calendar/%s.ics", token);
    return rc;
}

enum kam_err calendar_token_revoke(struct kam_ctx *ctx)
{
    return db_exec_i64(ctx->db, "DELETE FROM calendar_tokens WHERE user_id = ?", ctx->who.user_id,
                       ctx->err);
}

enum kam_err calendar_token_state(struct kam_ctx *ctx, int *active_out, int64_t *created_out)
{
    enum kam_err rc = db_query_i64(ctx->db,
                                   "SELECT created_at FROM calendar_tokens WHERE user_id "
                                   "= ?",
                                   1, ctx->who.user_id, created_out, ctx->err);
    *active_out = rc == KAM_OK;
    if (rc == KAM_ENOTFOUND) {
        *created_out = 0;
        return KAM_OK;
    }
    return rc;
}

/* RFC 5545 text: escape \ ; , and newlines. */
static void ics_text(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == ';' || *s == ',')
            buf_putc(b, '\\');
        if (*s == '\n') {
            buf_puts(b, "\\n");
            continue;
        }
        if (*s == '\r')
            continue;
        buf_putc(b, *s);
    }
}

/* Appends one content line folded at 75 octets (never inside a UTF-8 sequence) plus CRLF. */
static void ics_line(struct buf *b, const char *line)
{
    size_t n = strlen(line), col = 0;
    for (size_t i = 0; i < n;) {
        size_t len = 1;
        unsigned char c = (unsigned char)line[i];
        if (c >= 0xf0)
            len = 4;
        else if (c >= 0xe0)
            len = 3;
        else if (c >= 0xc0)
            len = 2;
        if (col + len > 75) {
            buf_puts(b, "\r\n ");
            col = 1;
        }
        buf_append(b, line + i, len);
        col += len;
        i += len;
    }
    buf_puts(b, "\r\n");
}

static void ics_time(char *out, int64_t t)
{
    char iso[32];
    time_iso(t, iso, sizeof iso); /* YYYY-MM-DDTHH:MM:SSZ -> YYYYMMDDTHHMMSSZ */
    int o = 0;
    for (int i = 0; iso[i]; i++)
        if (iso[i] != '-' && iso[i] != ':')
            out[o++] = iso[i];
    out[o] = 0;
}

enum kam_err calendar_feed(struct kam_ctx *ctx, const char *token, struct buf *b)
{
    int64_t user_id = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT user_id FROM calendar_tokens t JOIN users u ON "
                                 "u.id = t.user_id WHERE t.token_hash = ? AND "
                                 "u.disabled = 0",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, auth_secret_hash(ctx, token));
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        user_id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    if (!row)
        return kam_fail(ctx->err, KAM_ENOTFOUND, "token", "no such calendar");
    if ((rc = db_prepare(ctx->db,
                         "SELECT " COLS FROM " WHERE visits.owner_id = ? AND visits.status = "
                         "'planned' AND visits.planned_at >= ? ORDER BY visits.planned_at, "
                         "visits.id LIMIT 2000",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, user_id);
    db_bind_i64(st, 2, ctx->now - 30 * DAY);
    ics_line(b, "BEGIN:VCALENDAR");
    ics_line(b, "VERSION:2.0");
    ics_line(b, "PRODID:-//KAM//Key Account Management//ZH");
    ics_line(b, "CALSCALE:GREGORIAN");
    ics_line(b, "X-WR-CALNAME:KAM 拜访计划 Visits");
    char stamp[24], start[24];
    ics_time(stamp, ctx->now);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        struct visit v;
        read_row(ctx, st, &v);
        struct buf line;
        buf_init(&line, 4096);
        ics_line(b, "BEGIN:VEVENT");
        buf_printf(&line, "UID:visit-%lld@kam", (long long)v.id);
        ics_line(b, line.data);
        buf_reset(&line);
        buf_printf(&line, "DTSTAMP:%s", stamp);
        ics_line(b, line.data);
        buf_reset(&line);
        ics_time(start, v.planned_at);
        buf_printf(&line, "DTSTART:%s", start);
        ics_line(b, line.data);
        ics_line(b, "DURATION:PT1H");
        buf_reset(&line);
        buf_puts(&line, "SUMMARY:");
        ics_text(&line, strcmp(v.kind, "onsite") == 0 ? "拜访 Visit: " : "电话 Call: ");
        ics_text(&line, v.account_name);
        if (v.contact_name) {
            ics_text(&line, " - ");
            ics_text(&line, v.contact_name);
        }
        ics_line(b, line.data);
        ics_line(b, "STATUS:CONFIRMED");
        ics_line(b, "END:VEVENT");
        buf_release(&line);
    }
    db_done(st);
    ics_line(b, "END:VCALENDAR");
    return rc;
}
