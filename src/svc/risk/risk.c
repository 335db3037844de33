/* risk.c -- the risk register (risk.h, docs/RISK.md): risks raised by hand or by another part
 * of the chapter, their responses and actions, close and reopen, lists, the heat map and the
 * scheduler's overdue reviews and actions. */
#include "risk.h"

#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "gift.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/group.h"
#include "svc/core/notify.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

const char *const risk_categories[] = {"credit",     "operating", "competitive",
                                       "compliance", "other",     NULL};
const char *const risk_responses[] = {"avoid", "reduce", "transfer", "accept", NULL};
const char *const risk_statuses[] = {"open", "responding", "closed", NULL};
const char *const risk_levels[] = {"low", "medium", "high", "critical", NULL};
static const char *const risk_sources[] = {"manual",     "alert",    "gift",
                                           "competitor", "contract", NULL};

#define CHINA_OFFSET (8 * 3600)

void risk_today(const struct kam_ctx *ctx, char out[11])
{
    int64_t t = ctx->now + CHINA_OFFSET;
    int64_t days = t / 86400 - (t % 86400 < 0);
    int y, m, d;
    days_to_date(days, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

static const char *today_of(struct kam_ctx *ctx)
{
    char t[11];
    risk_today(ctx, t);
    return arena_strdup(ctx->a, t);
}

int risk_score(int likelihood, int impact)
{
    return likelihood * impact;
}

const char *risk_level(int score)
{
    return score <= 4 ? "low" : score <= 9 ? "medium" : score <= 16 ? "high" : "critical";
}

/* The score range of a level (risk_level's inverse). */
static void level_range(const char *level, int *lo, int *hi)
{
    *lo = !strcmp(level, "low")      ? 1
          : !strcmp(level, "medium") ? 5
          : !strcmp(level, "high")   ? 10
                                     : 17;
    *hi = !strcmp(level, "low")      ? 4
          : !strcmp(level, "medium") ? 9
          : !strcmp(level, "high")   ? 16
                                     : 25;
}

/* ---- reading ---- */

#define COLS                                                                                       \
    "risks.id, risks.account_id, accounts.name, risks.covers_group, risks.category, "              \
    "risks.title, risks.description, risks.likelihood, risks.impact, risks.owner_id, "             \
    "COALESCE(NULLIF(ou.name, ''), ou.login, ''), risks.response, risks.response_plan, "           \
    "risks.review_on, risks.status, risks.closed_reason, risks.closed_at, risks.source, "          \
    "risks.source_id, risks.created_by, risks.version, risks.created_at, risks.updated_at, "       \
    "(SELECT COUNT(*) FROM risk_actions ra WHERE ra.risk_id = risks.id), (SELECT COUNT(*) FROM "   \
    "risk_actions ra WHERE ra.risk_id = risks.id AND ra.done_at IS NULL), (SELECT COUNT(*) FROM "  \
    "risk_actions ra WHERE ra.risk_id = risks.id AND ra.done_at IS NULL AND ra.due_on < ?)"

#define FROM                                                                                       \
    " FROM risks JOIN accounts ON accounts.id = risks.account_id LEFT JOIN users ou ON ou.id = "   \
    "risks.owner_id"

static const char *opt_text(struct kam_ctx *ctx, struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? NULL : arena_strdup(ctx->a, db_col_text(st, col));
}

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct risk *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->account_id = db_col_i64(st, 1);
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 2));
    x->covers_group = db_col_i64(st, 3) != 0;
    x->category = arena_strdup(ctx->a, db_col_text(st, 4));
    x->title = arena_strdup(ctx->a, db_col_text(st, 5));
    x->description = arena_strdup(ctx->a, db_col_text(st, 6));
    x->likelihood = db_col_i64(st, 7);
    x->impact = db_col_i64(st, 8);
    x->has_owner = !db_col_is_null(st, 9);
    x->owner_id = x->has_owner ? db_col_i64(st, 9) : 0;
    x->owner_name = arena_strdup(ctx->a, db_col_text(st, 10));
    x->response = opt_text(ctx, st, 11);
    x->response_plan = arena_strdup(ctx->a, db_col_text(st, 12));
    x->review_on = opt_text(ctx, st, 13);
    x->status = arena_strdup(ctx->a, db_col_text(st, 14));
    x->closed_reason = arena_strdup(ctx->a, db_col_text(st, 15));
    x->has_closed_at = !db_col_is_null(st, 16);
    x->closed_at = x->has_closed_at ? db_col_i64(st, 16) : 0;
    x->source = arena_strdup(ctx->a, db_col_text(st, 17));
    x->has_source_id = !db_col_is_null(st, 18);
    x->source_id = x->has_source_id ? db_col_i64(st, 18) : 0;
    x->has_created_by = !db_col_is_null(st, 19);
    x->created_by = x->has_created_by ? db_col_i64(st, 19) : 0;
    x->version = db_col_i64(st, 20);
    x->created_at = db_col_i64(st, 21);
    x->updated_at = db_col_i64(st, 22);
    x->actions_total = db_col_i64(st, 23);
    x->actions_open = db_col_i64(st, 24);
    x->actions_overdue = db_col_i64(st, 25);
    char today[11];
    risk_today(ctx, today);
    x->review_overdue =
        strcmp(x->status, "closed") != 0 && x->review_on && strcmp(x->review_on, today) < 0;
}

static void read_action(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct risk_action *a = row;
    memset(a, 0, sizeof *a);
    a->id = db_col_i64(st, 0);
    a->risk_id = db_col_i64(st, 1);
    a->description = arena_strdup(ctx->a, db_col_text(st, 2));
    a->has_owner = !db_col_is_null(st, 3);
    a->owner_id = a->has_owner ? db_col_i64(st, 3) : 0;
    a->owner_name = arena_strdup(ctx->a, db_col_text(st, 4));
    a->due_on = opt_text(ctx, st, 5);
    a->done = !db_col_is_null(st, 6);
    a->done_at = a->done ? db_col_i64(st, 6) : 0;
    a->created_at = db_col_i64(st, 7);
    a->updated_at = db_col_i64(st, 8);
    char today[11];
    risk_today(ctx, today);
    a->overdue = !a->done && a->due_on && strcmp(a->due_on, today) < 0;
}

#define ACOLS                                                                                      \
    "ra.id, ra.risk_id, ra.description, ra.owner_id, COALESCE(NULLIF(au.name, ''), au.login, "     \
    "''), ra.due_on, ra.done_at, ra.created_at, ra.updated_at FROM risk_actions ra LEFT JOIN "     \
    "users au ON au.id = ra.owner_id"

static enum kam_err load_actions(struct kam_ctx *ctx, struct risk *x)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT " ACOLS " WHERE ra.risk_id = ? ORDER BY ra.done_at IS "
                                 "NOT NULL, COALESCE(ra.due_on, '9999-12-31'), ra.id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->id);
    void *items;
    rc = rows_collect(ctx, st, RISK_ACTIONS_MAX, read_action, sizeof(struct risk_action), &items,
                      &x->nactions);
    x->actions = items;
    return rc;
}

static enum kam_err risk_row(struct kam_ctx *ctx, int64_t id, struct risk *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, "SELECT " COLS FROM " WHERE risks.id = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, today_of(ctx));
    db_bind_i64(st, 2, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        read_row(ctx, st, out);
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such risk");
    return rc;
}

enum kam_err risk_get(struct kam_ctx *ctx, int64_t id, struct risk *out)
{
    enum kam_err rc = risk_row(ctx, id, out);
    if (!rc && out->source && !strcmp(out->source, "alert") && ctx->who.user_id > 0) {
        /* raised from an alert: for those who may read the alert's signal (alert_may_read) */
        struct db_stmt *st;
        int yes = 1, row = 0;
        if ((rc = db_prepare(ctx->db, "SELECT signal FROM alerts WHERE id = ?", &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, out->source_id);
        if (!(rc = db_step(st, &row, ctx->err)) && row)
            rc = alert_may_read(ctx, db_col_text(st, 0), out->account_id, &yes);
        db_done(st);
        if (!rc && !yes)
            rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such risk");
    }
    return rc ? rc : load_actions(ctx, out);
}

/* ---- checks ---- */

static enum kam_err required_text(struct kam_ctx *ctx, const char *field, const char *s, int max,
                                  int multiline)
{
    enum kam_err rc = check_text(ctx, field, s, 1, max, multiline);
    if (!rc && utf8_blank(s))
        rc = kam_fail_key(ctx->err, KAM_EINVAL, field, "required",
                          (struct kam_param[]){{"field", field}, {0}}, "%s is required", field);
    return rc;
}

static enum kam_err bad_owner(struct kam_ctx *ctx, const char *field)
{
    return kam_fail_key(ctx->err, KAM_EINVAL, field, "risk.bad_owner", NULL,
                        "%s must be an active user who may work on this account's risks", field);
}

static enum kam_err check_owner(struct kam_ctx *ctx, const char *field, int64_t owner,
                                int64_t account_id)
{
    int yes = 0;
    enum kam_err rc = policy_user_may(ctx, owner, OBJ_RISK, ACT_UPDATE, account_id, &yes);
    if (rc)
        return rc;
    return yes ? KAM_OK : bad_owner(ctx, field);
}

static enum kam_err check_group(struct kam_ctx *ctx, int64_t account_id)
{
    int64_t n = 0;
    enum kam_err rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM accounts WHERE parent_id = ?", 1,
                                   account_id, &n, ctx->err);
    if (rc)
        return rc;
    if (!n)
        return kam_fail_key(ctx->err, KAM_EINVAL, "covers_group", "risk.not_group", NULL,
                            "covers_group needs a group's head account (one with subsidiaries)");
    return KAM_OK;
}

static enum kam_err validate(struct kam_ctx *ctx, const struct risk *x, const struct risk *before)
{
    enum kam_err rc;
    if ((rc = check_enum(ctx, "category", x->category, risk_categories)) ||
        (rc = required_text(ctx, "title", x->title, RISK_TITLE_MAX, CHECK_LINE)) ||
        (rc = check_text(ctx, "description", x->description, 0, RISK_TEXT_MAX, CHECK_MULTILINE)) ||
        (rc = check_range(ctx, "likelihood", x->likelihood, 1, 5)) ||
        (rc = check_range(ctx, "impact", x->impact, 1, 5)) ||
        (x->response && (rc = check_enum(ctx, "response", x->response, risk_responses))) ||
        (rc = check_text(ctx, "response_plan", x->response_plan, 0, RISK_TEXT_MAX,
                         CHECK_MULTILINE)) ||
        (x->review_on && (rc = check_date(ctx, "review_on", x->review_on))))
        return rc;
    if (x->covers_group && (!before || !before->covers_group) &&
        (rc = check_group(ctx, x->account_id)))
        return rc;
    if (x->has_owner && (!before || !before->has_owner || before->owner_id != x->owner_id) &&
        (rc = check_owner(ctx, "owner_id", x->owner_id, x->account_id)))
        return rc;
    return KAM_OK;
}

static void diff_all(struct audit_diff *d, const struct risk *b, const struct risk *a)
{
    audit_diff_i64(d, "covers_group", b ? b->covers_group : 0, !b, a ? a->covers_group : 0, !a);
    audit_diff_str(d, "category", b ? b->category : NULL, a ? a->category : NULL);
    audit_diff_str(d, "title", b ? b->title : NULL, a ? a->title : NULL);
    audit_diff_str(d, "description", b ? b->description : NULL, a ? a->description : NULL);
    audit_diff_i64(d, "likelihood", b ? b->likelihood : 0, !b, a ? a->likelihood : 0, !a);
    audit_diff_i64(d, "impact", b ? b->impact : 0, !b, a ? a->impact : 0, !a);
    audit_diff_i64(d, "owner_id", b ? b->owner_id : 0, !b || !b->has_owner, a ? a->owner_id : 0,
                   !a || !a->has_owner);
    audit_diff_str(d, "response", b ? b->response : NULL, a ? a->response : NULL);
    audit_diff_str(d, "response_plan", b ? b->response_plan : NULL, a ? a->response_plan : NULL);
    audit_diff_str(d, "review_on", b ? b->review_on : NULL, a ? a->review_on : NULL);
    audit_diff_str(d, "status", b ? b->status : NULL, a ? a->status : NULL);
    audit_diff_str(d, "closed_reason", b ? b->closed_reason : NULL, a ? a->closed_reason : NULL);
    audit_diff_str(d, "source", b ? b->source : NULL, a ? a->source : NULL);
    audit_diff_i64(d, "source_id", b ? b->source_id : 0, !b || !b->has_source_id,
                   a ? a->source_id : 0, !a || !a->has_source_id);
}

/* The account's owner when they may work on its risks; else 0. */
static enum kam_err default_owner(struct kam_ctx *ctx, int64_t account_id, int64_t *owner)
{
    int64_t o = 0;
    int yes = 0;
    *owner = 0;
    enum kam_err rc =
        db_query_i64(ctx->db, "SELECT COALESCE(owner_id, 0) FROM accounts WHERE id = ?", 1,
                     account_id, &o, ctx->err);
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(ctx->err);
        return kam_fail(ctx->err, KAM_EINVAL, "account_id", "no such account");
    }
    if (!rc && o && !(rc = policy_user_may(ctx, o, OBJ_RISK, ACT_UPDATE, account_id, &yes)) && yes)
        *owner = o;
    return rc;
}

/* Inserts x (validated) and writes its audit row; x->id set. */
static enum kam_err insert(struct kam_ctx *ctx, struct risk *x)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO risks (account_id, covers_group, category, title, description, likelihood, "
        "impact, owner_id, response, response_plan, review_on, status, closed_reason, source, "
        "source_id, created_by, version, created_at, updated_at) VALUES "
        "(?,?,?,?,?,?,?,?,?,?,?,?,'',?,?,?,1,?,?) RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->account_id);
    db_bind_i64(st, 2, x->covers_group);
    db_bind_text(st, 3, x->category);
    db_bind_text(st, 4, x->title);
    db_bind_text(st, 5, x->description);
    db_bind_i64(st, 6, x->likelihood);
    db_bind_i64(st, 7, x->impact);
    db_bind_i64n(st, 8, x->owner_id, !x->has_owner);
    db_bind_text(st, 9, x->response);
    db_bind_text(st, 10, x->response_plan);
    db_bind_text(st, 11, x->review_on);
    db_bind_text(st, 12, x->status);
    db_bind_text(st, 13, x->source);
    db_bind_i64n(st, 14, x->source_id, !x->has_source_id);
    db_bind_i64n(st, 15, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_i64(st, 16, ctx->now);
    db_bind_i64(st, 17, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x->id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, NULL, x);
    return audit_write(ctx, "risk", x->id, x->account_id, "create", &d);
}

enum kam_err risk_raise(struct kam_ctx *ctx, const struct risk_raise_in *in, int64_t *id_out,
                        int *created)
{
    *id_out = 0;
    if (created)
        *created = 0;
    enum kam_err rc;
    if ((rc = check_enum(ctx, "source", in->source, risk_sources)))
        return rc;
    if (!strcmp(in->source, "manual") || in->source_id <= 0)
        return kam_fail(ctx->err, KAM_EINVAL, "source_id", "a raised risk names its source");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db, "SELECT id FROM risks WHERE source = ? AND source_id = ?", &st,
                         ctx->err)))
        goto out;
    db_bind_text(st, 1, in->source);
    db_bind_i64(st, 2, in->source_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *id_out = db_col_i64(st, 0);
    db_done(st);
    if (rc || row)
        goto out;
    struct risk x = {0};
    x.account_id = in->account_id;
    x.covers_group = in->covers_group != 0;
    x.category = in->category ? in->category : "other";
    x.title = in->title;
    x.description = in->description ? in->description : "";
    x.likelihood = in->likelihood;
    x.impact = in->impact;
    x.response_plan = "";
    x.status = "open";
    x.source = in->source;
    x.source_id = in->source_id;
    x.has_source_id = 1;
    int64_t owner = in->owner_id;
    if (!owner && (rc = default_owner(ctx, in->account_id, &owner)))
        goto out;
    if (in->owner_id) {
        int64_t acc = 0;
        if ((rc = db_query_i64(ctx->db, "SELECT id FROM accounts WHERE id = ?", 1, in->account_id,
                               &acc, ctx->err)) == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            rc = kam_fail(ctx->err, KAM_EINVAL, "account_id", "no such account");
        }
        if (rc)
            goto out;
    }
    x.owner_id = owner;
    x.has_owner = owner != 0;
    if ((rc = validate(ctx, &x, NULL)))
        goto out;
    /* Another transaction may raise the same source between the SELECT above and this INSERT
     * (PostgreSQL; SQLite's writers take turns): the unique index risks_source refuses the
     * second, whose savepoint is rolled back; the risk committed by the first is the answer. */
    if ((rc = db_begin(ctx->db, ctx->err)))
        goto out;
    rc = db_end(ctx->db, insert(ctx, &x), ctx->err);
    if (rc == KAM_ECONFLICT && !strcmp(ctx->err->field, "source")) {
        kam_error_clear(ctx->err);
        if ((rc = db_prepare(ctx->db, "SELECT id FROM risks WHERE source = ? AND source_id = ?",
                             &st, ctx->err)))
            goto out;
        db_bind_text(st, 1, in->source);
        db_bind_i64(st, 2, in->source_id);
        row = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row)
            *id_out = db_col_i64(st, 0);
        db_done(st);
        if (!rc && !row)
            rc = kam_fail(ctx->err, KAM_EBUSY, "source_id", "the risk of this source went away");
        goto out;
    }
    if (rc)
        goto out;
    *id_out = x.id;
    if (created)
        *created = 1;
out:
    return db_end(ctx->db, rc, ctx->err);
}

static void merge(struct risk *x, const struct risk_in *in)
{
    const struct risk *v = &in->v;
    if (in->set & RK_GROUP)
        x->covers_group = v->covers_group != 0;
    if (in->set & RK_CATEGORY)
        x->category = v->category;
    if (in->set & RK_TITLE)
        x->title = v->title;
    if (in->set & RK_DESC)
        x->description = v->description ? v->description : "";
    if (in->set & RK_LIKELIHOOD)
        x->likelihood = v->likelihood;
    if (in->set & RK_IMPACT)
        x->impact = v->impact;
    if (in->set & RK_OWNER) {
        x->has_owner = v->has_owner;
        x->owner_id = v->has_owner ? v->owner_id : 0;
    }
    if (in->set & RK_RESPONSE)
        x->response = v->response;
    if (in->set & RK_PLAN)
        x->response_plan = v->response_plan ? v->response_plan : "";
    if (in->set & RK_REVIEW)
        x->review_on = v->review_on;
    /* the status follows the response while the risk is not closed */
    if (strcmp(x->status, "closed") != 0)
        x->status = x->response ? "responding" : "open";
}

enum kam_err risk_create(struct kam_ctx *ctx, const struct risk_in *in, struct risk *out)
{
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, RK_ACCOUNT, "account_id")) ||
        (rc = check_given(ctx, in->set, RK_CATEGORY, "category")) ||
        (rc = check_given(ctx, in->set, RK_TITLE, "title")) ||
        (rc = check_given(ctx, in->set, RK_LIKELIHOOD, "likelihood")) ||
        (rc = check_given(ctx, in->set, RK_IMPACT, "impact")))
        return rc;
    if (in->set & RK_VERSION)
        return kam_fail(ctx->err, KAM_EINVAL, "version", "version is set by the server");
    if ((rc = policy_body_account(ctx, "account_id", in->v.account_id, OBJ_RISK, ACT_CREATE)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct risk x = {0};
    x.account_id = in->v.account_id;
    x.description = "";
    x.response_plan = "";
    x.status = "open";
    x.source = "manual";
    if (!(in->set & RK_OWNER)) {
        int64_t owner = 0;
        if ((rc = default_owner(ctx, x.account_id, &owner)))
            goto out;
        x.owner_id = owner;
        x.has_owner = owner != 0;
    }
    merge(&x, in);
    if ((rc = validate(ctx, &x, NULL)) || (rc = insert(ctx, &x)))
        goto out;
    rc = risk_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- update (svc/core/update.h) ---- */

static enum kam_err is_open(struct kam_ctx *ctx, const struct risk *x)
{
    if (strcmp(x->status, "closed") != 0)
        return KAM_OK;
    return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "risk.closed", NULL,
                        "the risk is closed: reopen it first");
}

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return risk_row(ctx, id, rec);
}

/* A risk raised from a gift: *giver and *recorder of the gift (0 otherwise). */
static enum kam_err gift_people(struct kam_ctx *ctx, const struct risk *x, int64_t *giver,
                                int64_t *recorder)
{
    *giver = *recorder = 0;
    if (strcmp(x->source, "gift") != 0 || !x->has_source_id)
        return KAM_OK;
    return gift_interested(ctx, x->source_id, giver, recorder);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    struct risk *x = rec;
    const struct risk *b = op->before;
    enum kam_err rc = is_open(op->ctx, b);
    if (rc)
        return rc;
    merge(x, op->in);
    if ((rc = validate(op->ctx, x, b)))
        return rc;
    /* a gift's risk is not owned by who gave or recorded the gift */
    int64_t giver = 0, recorder = 0;
    if (x->has_owner && (!b->has_owner || b->owner_id != x->owner_id) &&
        !(rc = gift_people(op->ctx, x, &giver, &recorder)) &&
        (x->owner_id == giver || x->owner_id == recorder))
        rc = bad_owner(op->ctx, "owner_id");
    return rc;
}

static void up_diff(const struct update_op *op)
{
    diff_all(op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct risk *x = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "UPDATE risks SET covers_group = ?, category = ?, title = ?, description = ?, "
        "likelihood = ?, impact = ?, owner_id = ?, response = ?, response_plan = ?, review_on = "
        "?, status = ?, closed_reason = ?, closed_at = ?, updated_at = ?, version = version + 1 "
        "WHERE id = ? AND version = ?",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->covers_group);
    db_bind_text(st, 2, x->category);
    db_bind_text(st, 3, x->title);
    db_bind_text(st, 4, x->description);
    db_bind_i64(st, 5, x->likelihood);
    db_bind_i64(st, 6, x->impact);
    db_bind_i64n(st, 7, x->owner_id, !x->has_owner);
    db_bind_text(st, 8, x->response);
    db_bind_text(st, 9, x->response_plan);
    db_bind_text(st, 10, x->review_on);
    db_bind_text(st, 11, x->status);
    db_bind_text(st, 12, x->closed_reason);
    db_bind_i64n(st, 13, x->closed_at, !x->has_closed_at);
    db_bind_i64(st, 14, ctx->now);
    db_bind_i64(st, 15, x->id);
    db_bind_i64(st, 16, b->version);
    return db_run(st, ctx->err);
}

static int64_t up_account(const void *rec)
{
    return ((const struct risk *)rec)->account_id;
}

static const struct update_spec risk_spec = {
    .entity = "risk",
    .size = sizeof(struct risk),
    .versioned = 1,
    .version_at = offsetof(struct risk, version),
    .in_set_at = offsetof(struct risk_in, set),
    .in_version_at = offsetof(struct risk_in, v.version),
    .in_version_bit = RK_VERSION,
    .get = up_get,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
};

enum kam_err risk_update(struct kam_ctx *ctx, int64_t id, const struct risk_in *in,
                         struct risk *out)
{
    if (in->set & RK_ACCOUNT)
        return kam_fail(ctx->err, KAM_EINVAL, "account_id",
                        "a risk cannot move to another account");
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    if (!(rc = record_update(ctx, &risk_spec, id, in, out)))
        rc = load_actions(ctx, out);
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err save(struct kam_ctx *ctx, const struct risk *before, const struct risk *after,
                         const char *action, struct risk *out)
{
    enum kam_err rc = record_save(ctx, &risk_spec, before->id, before, after, NULL, action, NULL);
    return rc ? rc : risk_get(ctx, before->id, out);
}

enum kam_err risk_close(struct kam_ctx *ctx, int64_t id, const char *reason, struct risk *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct risk b, a;
    int64_t giver = 0, recorder = 0;
    if ((rc = risk_row(ctx, id, &b)) || (rc = is_open(ctx, &b)) ||
        (rc = gift_people(ctx, &b, &giver, &recorder)))
        goto out;
    if (ctx->who.user_id && (ctx->who.user_id == giver || ctx->who.user_id == recorder)) {
        rc = kam_fail_key(ctx->err, KAM_EFORBIDDEN, "id", "risk.own_gift", NULL,
                          "who gave or recorded the gift cannot close its risk");
        goto out;
    }
    if ((rc = required_text(ctx, "reason", reason, RISK_REASON_MAX, CHECK_MULTILINE)))
        goto out;
    a = b;
    a.status = "closed";
    a.closed_reason = reason;
    a.closed_at = ctx->now;
    a.has_closed_at = 1;
    rc = save(ctx, &b, &a, "close", out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err risk_reopen(struct kam_ctx *ctx, int64_t id, struct risk *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct risk b, a;
    if ((rc = risk_row(ctx, id, &b)))
        goto out;
    if (strcmp(b.status, "closed") != 0) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "risk.not_closed", NULL,
                          "only a closed risk can be reopened");
        goto out;
    }
    a = b;
    a.status = b.response ? "responding" : "open"; /* the response chosen before still stands */
    a.closed_reason = "";
    a.closed_at = 0;
    a.has_closed_at = 0;
    rc = save(ctx, &b, &a, "reopen", out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err risk_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct risk b;
    if ((rc = risk_get(ctx, id, &b)))
        goto out;
    if (strcmp(b.source, "manual") != 0) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "risk.from_source",
                          (struct kam_param[]){{"source", b.source}, {0}},
                          "a risk raised from a %s cannot be deleted: close it", b.source);
        goto out;
    }
    struct audit_diff d;
    for (size_t i = 0; i < b.nactions; i++) {
        audit_diff_init(&d);
        audit_diff_i64(&d, "action_id", b.actions[i].id, 0, 0, 1);
        audit_diff_str(&d, "action", b.actions[i].description, NULL);
        if ((rc = audit_write(ctx, "risk", id, b.account_id, "action_delete", &d)))
            goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM risk_actions WHERE risk_id = ?", id, ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "UPDATE gifts SET risk_id = NULL WHERE risk_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "UPDATE alerts SET risk_id = NULL WHERE risk_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM risks WHERE id = ?", id, ctx->err)))
        goto out;
    audit_diff_init(&d);
    diff_all(&d, &b, NULL);
    rc = audit_write(ctx, "risk", id, b.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- actions ---- */

static enum kam_err action_row(struct kam_ctx *ctx, int64_t risk_id, int64_t id,
                               struct risk_action *out)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT " ACOLS " WHERE ra.id = ? AND ra.risk_id = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, risk_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        read_action(ctx, st, out);
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "action_id", "no such action of this risk");
    return rc;
}

static void action_diff(struct audit_diff *d, const struct risk_action *b,
                        const struct risk_action *a)
{
    audit_diff_str(d, "action", b ? b->description : NULL, a ? a->description : NULL);
    audit_diff_i64(d, "action_owner_id", b ? b->owner_id : 0, !b || !b->has_owner,
                   a ? a->owner_id : 0, !a || !a->has_owner);
    audit_diff_str(d, "action_due_on", b ? b->due_on : NULL, a ? a->due_on : NULL);
    audit_diff_i64(d, "action_done", b ? b->done : 0, !b, a ? a->done : 0, !a);
}

static enum kam_err action_check(struct kam_ctx *ctx, const struct risk *r,
                                 const struct risk_action *x, const struct risk_action *before)
{
    enum kam_err rc;
    if ((rc =
             required_text(ctx, "description", x->description, RISK_REASON_MAX, CHECK_MULTILINE)) ||
        (x->due_on && (rc = check_date(ctx, "due_on", x->due_on))))
        return rc;
    if (x->has_owner && (!before || !before->has_owner || before->owner_id != x->owner_id))
        return check_owner(ctx, "owner_id", x->owner_id, r->account_id);
    return KAM_OK;
}

static void action_merge(struct kam_ctx *ctx, struct risk_action *x,
                         const struct risk_action_in *in)
{
    if (in->set & RA_DESC)
        x->description = in->description;
    if (in->set & RA_OWNER) {
        x->has_owner = in->has_owner;
        x->owner_id = in->has_owner ? in->owner_id : 0;
    }
    if (in->set & RA_DUE)
        x->due_on = in->due_on;
    if ((in->set & RA_DONE) && (in->done != 0) != x->done) {
        x->done = in->done != 0;
        x->done_at = x->done ? ctx->now : 0;
    }
}

enum kam_err risk_action_add(struct kam_ctx *ctx, int64_t risk_id, const struct risk_action_in *in,
                             struct risk *out)
{
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, RA_DESC, "description")))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct risk r;
    if ((rc = risk_row(ctx, risk_id, &r)) || (rc = is_open(ctx, &r)))
        goto out;
    if (r.actions_total >= RISK_ACTIONS_MAX) {
        rc = kam_fail(ctx->err, KAM_EINVAL, "description", "a risk has at most %d actions",
                      RISK_ACTIONS_MAX);
        goto out;
    }
    struct risk_action x = {0};
    x.risk_id = risk_id;
    if (!(in->set & RA_OWNER)) {
        x.owner_id = r.owner_id;
        x.has_owner = r.has_owner;
    }
    action_merge(ctx, &x, in);
    if ((rc = action_check(ctx, &r, &x, NULL)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO risk_actions (risk_id, description, owner_id, due_on, "
                         "done_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, risk_id);
    db_bind_text(st, 2, x.description);
    db_bind_i64n(st, 3, x.owner_id, !x.has_owner);
    db_bind_text(st, 4, x.due_on);
    db_bind_i64n(st, 5, x.done_at, !x.done);
    db_bind_i64(st, 6, ctx->now);
    db_bind_i64(st, 7, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "action_id", 0, 1, x.id, 0);
    action_diff(&d, NULL, &x);
    if (!(rc = audit_write(ctx, "risk", risk_id, r.account_id, "action_add", &d)))
        rc = risk_get(ctx, risk_id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err risk_action_update(struct kam_ctx *ctx, int64_t risk_id, int64_t action_id,
                                const struct risk_action_in *in, struct risk *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct risk r;
    struct risk_action b, a;
    if ((rc = risk_row(ctx, risk_id, &r)) || (rc = action_row(ctx, risk_id, action_id, &b)) ||
        (rc = is_open(ctx, &r)))
        goto out;
    a = b;
    action_merge(ctx, &a, in);
    if ((rc = action_check(ctx, &r, &a, &b)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    action_diff(&d, &b, &a);
    if (!d.n) {
        audit_diff_release(&d);
        rc = risk_get(ctx, risk_id, out);
        goto out;
    }
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "UPDATE risk_actions SET description = ?, owner_id = ?, due_on = ?, "
                         "done_at = ?, updated_at = ? WHERE id = ?",
                         &st, ctx->err))) {
        audit_diff_release(&d);
        goto out;
    }
    db_bind_text(st, 1, a.description);
    db_bind_i64n(st, 2, a.owner_id, !a.has_owner);
    db_bind_text(st, 3, a.due_on);
    db_bind_i64n(st, 4, a.done_at, !a.done);
    db_bind_i64(st, 5, ctx->now);
    db_bind_i64(st, 6, action_id);
    if ((rc = db_run(st, ctx->err))) {
        audit_diff_release(&d);
        goto out;
    }
    audit_diff_i64(&d, "action_id", 0, 1, action_id, 0);
    if (!(rc = audit_write(ctx, "risk", risk_id, r.account_id, "action_update", &d)))
        rc = risk_get(ctx, risk_id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err risk_action_delete(struct kam_ctx *ctx, int64_t risk_id, int64_t action_id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct risk r;
    struct risk_action b;
    if ((rc = risk_row(ctx, risk_id, &r)) || (rc = action_row(ctx, risk_id, action_id, &b)) ||
        (rc = is_open(ctx, &r)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM risk_actions WHERE id = ?", action_id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "action_id", action_id, 0, 0, 1);
    action_diff(&d, &b, NULL);
    rc = audit_write(ctx, "risk", risk_id, r.account_id, "action_delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- lists, the heat map ---- */

static const struct page_sort sorts[] = {
    {"score", "(risks.likelihood * risks.impact)", 0},
    {"created_at", "risks.created_at", 0},
    {"review_on", "COALESCE(risks.review_on, '9999-12-31')", 1},
    {"id", "risks.id", 0},
};

/* The WHERE clause the list and the heat map share; select is appended after the scope's WITH
 * and binds today first. */
static enum kam_err where(struct kam_ctx *ctx, const struct risk_query *q, struct sqlb *b,
                          const char *select, int binds_today)
{
    enum kam_err rc;
    if ((q->category && (rc = check_enum(ctx, "category", q->category, risk_categories))) ||
        (q->status && (rc = check_enum(ctx, "status", q->status, risk_statuses))) ||
        (q->level && (rc = check_enum(ctx, "level", q->level, risk_levels))) ||
        (q->source && (rc = check_enum(ctx, "source", q->source, risk_sources))) ||
        (q->q && (rc = check_text(ctx, "q", q->q, 0, 100, CHECK_LINE))))
        return rc;
    if (q->subsidiaries && !q->account_id)
        return kam_fail(ctx->err, KAM_EINVAL, "subsidiaries", "subsidiaries=1 needs account_id");
    const char *today = today_of(ctx);
    int scoped = policy_scope_with(ctx, b);
    sqlb_sql(b, select);
    if (binds_today)
        sqlb_text(b, today);
    sqlb_sql(b, FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(b, " AND " POLICY_SCOPE_COND);
    const char *hidden = alert_hidden_signals_sql(ctx);
    if (*hidden) /* raised from alerts the caller may not read (their title names the signal) */
        sqlb_sql(b, arena_printf(ctx->a,
                                 " AND NOT (risks.source = 'alert' AND risks.source_id IN (SELECT "
                                 "id FROM alerts WHERE signal IN (%s)))",
                                 hidden));
    if (q->account_id && q->subsidiaries) {
        sqlb_sql(b, " AND risks.account_id IN ");
        group_sql(ctx, b, q->account_id);
    } else if (q->account_id) {
        sqlb_sql(b, " AND risks.account_id = ?");
        sqlb_i64(b, q->account_id);
    }
    if (q->owner_id) {
        sqlb_sql(b, " AND risks.owner_id = ?");
        sqlb_i64(b, q->owner_id);
    }
    if (q->category) {
        sqlb_sql(b, " AND risks.category = ?");
        sqlb_text(b, q->category);
    }
    if (q->live)
        sqlb_sql(b, " AND risks.status IN ('open', 'responding')");
    else if (q->status) {
        sqlb_sql(b, " AND risks.status = ?");
        sqlb_text(b, q->status);
    }
    if (q->source) {
        sqlb_sql(b, " AND risks.source = ?");
        sqlb_text(b, q->source);
    }
    if (q->level) {
        int lo, hi;
        level_range(q->level, &lo, &hi);
        sqlb_sql(b, " AND risks.likelihood * risks.impact BETWEEN ? AND ?");
        sqlb_i64(b, lo);
        sqlb_i64(b, hi);
    }
    if (q->review_due) {
        sqlb_sql(b, " AND risks.status <> 'closed' AND risks.review_on < ?");
        sqlb_text(b, today);
    }
    if (q->action_overdue) {
        sqlb_sql(b, " AND risks.status <> 'closed' AND EXISTS (SELECT 1 FROM risk_actions x WHERE "
                    "x.risk_id = risks.id AND x.done_at IS NULL AND x.due_on < ?)");
        sqlb_text(b, today);
    }
    if (q->q && *q->q) {
        const char *like = sqlb_like_pattern(ctx->a, q->q);
        sqlb_sql(b, " AND (LOWER(risks.title) LIKE LOWER(?) ESCAPE '\\' OR LOWER(accounts.name) "
                    "LIKE LOWER(?) ESCAPE '\\')");
        sqlb_text(b, like);
        sqlb_text(b, like);
    }
    return KAM_OK;
}

enum kam_err risk_list(struct kam_ctx *ctx, const struct risk_query *q, struct risk **items_out,
                       size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, sizeof sorts / sizeof sorts[0],
                                 q->sort ? q->sort : "-score", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    if ((rc = where(ctx, q, &b, "SELECT " COLS, 1))) {
        sqlb_release(&b);
        return rc;
    }
    struct risk *items;
    const struct risk *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "risks.id", read_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = NULL;
    if (last) {
        const struct risk *l = &items[n - 1];
        const char *key = pg.sort->key;
        int64_t iv = !strcmp(key, "score")        ? l->likelihood * l->impact
                     : !strcmp(key, "created_at") ? l->created_at
                                                  : l->id;
        *next_out = page_cursor(ctx, &pg, l->review_on ? l->review_on : "9999-12-31", iv, l->id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err risk_heatmap(struct kam_ctx *ctx, const struct risk_query *q,
                          struct risk_heat_cell cells[25], int64_t *total)
{
    *total = 0;
    for (int l = 1; l <= 5; l++)
        for (int i = 1; i <= 5; i++) {
            struct risk_heat_cell *c = &cells[(l - 1) * 5 + (i - 1)];
            memset(c, 0, sizeof *c);
            c->likelihood = l;
            c->impact = i;
            c->score = risk_score(l, i);
            c->level = risk_level(c->score);
        }
    struct risk_query lq = *q;
    lq.live = 1;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    enum kam_err rc =
        where(ctx, &lq, &b, "SELECT risks.likelihood, risks.impact, risks.id, risks.title", 0);
    if (rc) {
        sqlb_release(&b);
        return rc;
    }
    sqlb_sql(&b, " ORDER BY risks.likelihood, risks.impact, risks.id");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        int64_t l = db_col_i64(st, 0), i = db_col_i64(st, 1);
        if (l < 1 || l > 5 || i < 1 || i > 5)
            continue;
        struct risk_heat_cell *c = &cells[(l - 1) * 5 + (i - 1)];
        c->count++;
        (*total)++;
        if (c->nrefs < RISK_HEAT_IDS) {
            c->refs[c->nrefs].id = db_col_i64(st, 2);
            c->refs[c->nrefs].title = arena_strdup(ctx->a, db_col_text(st, 3));
            c->nrefs++;
        }
    }
    db_done(st);
    return rc;
}

/* ---- the scheduler ---- */

enum kam_err risks_review_due(struct kam_ctx *ctx, int *n)
{
    *n = 0;
    const char *today = today_of(ctx);
    struct db_stmt *st;
    /* gifts whose day came undecided: breaches with their risks */
    int lapsed = 0;
    enum kam_err rc = gifts_lapse_due(ctx, &lapsed);
    if (rc)
        return rc;
    /* reviews: the risk's owner */
    rc = db_prepare(ctx->db,
                    "SELECT id, owner_id, title, review_on FROM risks WHERE status "
                    "<> 'closed' AND review_on < ? AND owner_id IS NOT NULL "
                    "ORDER BY id",
                    &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, today);
    struct due {
        int64_t id, user;
        const char *title, *day, *what;
    };
    size_t cap = 64, k = 0;
    struct due *v = arena_alloc(ctx->a, cap * sizeof *v);
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        if (k == cap) {
            struct due *w = arena_alloc(ctx->a, 2 * cap * sizeof *w);
            memcpy(w, v, cap * sizeof *v);
            v = w;
            cap *= 2;
        }
        v[k].id = db_col_i64(st, 0);
        v[k].user = db_col_i64(st, 1);
        v[k].title = arena_strdup(ctx->a, db_col_text(st, 2));
        v[k].day = arena_strdup(ctx->a, db_col_text(st, 3));
        v[k].what = NULL;
        k++;
    }
    db_done(st);
    if (rc)
        return rc;
    size_t reviews = k;
    /* actions: the action's owner, else the risk's */
    if ((rc = db_prepare(ctx->db,
                         "SELECT ra.id, COALESCE(ra.owner_id, r.owner_id), r.title, ra.due_on, "
                         "ra.description, r.id FROM risk_actions ra JOIN risks r ON r.id = "
                         "ra.risk_id WHERE r.status <> 'closed' AND ra.done_at IS NULL AND "
                         "ra.due_on < ? AND COALESCE(ra.owner_id, r.owner_id) IS NOT NULL "
                         "ORDER BY ra.id",
                         &st, ctx->err)))
        return rc;
    db_bind_text(st, 1, today);
    int64_t *risk_of = arena_alloc(ctx->a, 1);
    size_t rcap = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        if (k == cap) {
            struct due *w = arena_alloc(ctx->a, 2 * cap * sizeof *w);
            memcpy(w, v, cap * sizeof *v);
            v = w;
            cap *= 2;
        }
        if (k - reviews >= rcap) {
            size_t nc = rcap ? 2 * rcap : 64;
            int64_t *w = arena_alloc(ctx->a, nc * sizeof *w);
            if (rcap)
                memcpy(w, risk_of, rcap * sizeof *w);
            risk_of = w;
            rcap = nc;
        }
        v[k].id = db_col_i64(st, 0);
        v[k].user = db_col_i64(st, 1);
        v[k].title = arena_strdup(ctx->a, db_col_text(st, 2));
        v[k].day = arena_strdup(ctx->a, db_col_text(st, 3));
        v[k].what = arena_strdup(ctx->a, db_col_text(st, 4));
        risk_of[k - reviews] = db_col_i64(st, 5);
        k++;
    }
    db_done(st);
    if (rc)
        return rc;
    for (size_t i = 0; i < k; i++) {
        int created = 0;
        int review = i < reviews;
        int64_t rid = review ? v[i].id : risk_of[i - reviews];
        const char *link = arena_printf(ctx->a, "/risks/%lld", (long long)rid);
        const char *key = arena_printf(ctx->a, "risk_%s:%lld:%s", review ? "review" : "action",
                                       (long long)v[i].id, v[i].day);
        struct kam_param p[] = {
            {"title", v[i].title}, {"date", v[i].day}, {"action", review ? "" : v[i].what}, {0}};
        if ((rc = notify_add_msg(ctx, v[i].user, "risk",
                                 review ? "risk.review_due" : "risk.action_due", p, NULL, link, key,
                                 &created)))
            return rc;
        *n += created;
    }
    return KAM_OK;
}
