/* dispute.c -- disputes: the record, the ladder, stages, events, the timeline, lists, the board
 * and the reminders (dispute.h). The dossier is dispute_doc.c. */
#include "dispute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/notify.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

const char *const dispute_stages[] = {"negotiation", "mediation", "arbitration",
                                      "litigation",  "closed",    NULL};
const char *const dispute_outcomes[] = {"settled", "won", "lost", "withdrawn", NULL};
const char *const dispute_event_kinds[] = {"note",  "meeting",  "filing",  "hearing",
                                           "offer", "decision", "payment", NULL};

#define CHINA_OFFSET (8 * 3600)

static int stage_index(const char *s)
{
    for (int i = 0; dispute_stages[i]; i++)
        if (s && !strcmp(dispute_stages[i], s))
            return i;
    return -1;
}

static const char *today(struct kam_ctx *ctx)
{
    int y, m, d;
    days_to_date((ctx->now + CHINA_OFFSET) / 86400, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

static int64_t day_number(const char *s)
{
    int y, m, d;
    if (!s || date_parse(s, &y, &m, &d))
        return 0;
    return date_to_days(y, m, d);
}

void dispute_limitation(const char *arose_on, char out[11])
{
    int y = 0, m = 1, d = 1;
    out[0] = 0;
    if (date_parse(arose_on, &y, &m, &d) || y < 1 || y > 9996)
        return;
    y += 3;
    if (m == 2 && d == 29 && !date_valid(y, m, d))
        d = 28;
    char s[32];
    snprintf(s, sizeof s, "%04d-%02d-%02d", y, m, d);
    memcpy(out, s, 11);
    out[10] = 0;
}

static enum kam_err not_future(struct kam_ctx *ctx, const char *field, const char *day)
{
    enum kam_err rc = check_date(ctx, field, day);
    if (rc)
        return rc;
    if (strcmp(day, today(ctx)) > 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "dispute.future_day",
                            (struct kam_param[]){{"field", field}, {0}}, "%s is in the future",
                            field);
    return KAM_OK;
}

static enum kam_err stage_conflict(struct kam_ctx *ctx, const char *key, const char *from,
                                   const char *to, const char *msg)
{
    const char *next = "";
    int i = stage_index(from);
    if (i >= 0 && i < 3)
        next = dispute_stages[i + 1];
    return kam_fail_key(
        ctx->err, KAM_ECONFLICT, "stage", key,
        (struct kam_param[]){{"from", from}, {"to", to ? to : ""}, {"next", next}, {0}}, "%s", msg);
}

/* ---- the reporting line ---- */

enum kam_err dispute_reporting_line(struct kam_ctx *ctx, int64_t uid, int64_t *manager, int *found)
{
    *manager = 0;
    *found = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT team_id FROM users WHERE id = ? AND team_id IS NOT NULL", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, uid);
    int row = 0;
    int64_t team = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        team = db_col_i64(st, 0);
    db_done(st);
    /* up the tree: at most 64 levels (a cycle cannot loop for ever) */
    for (int depth = 0; !rc && team && depth < 64; depth++) {
        if ((rc = db_prepare(ctx->db,
                             "SELECT t.manager_id, t.parent_id FROM teams t LEFT JOIN users u ON "
                             "u.id = t.manager_id WHERE t.id = ?",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, team);
        row = 0;
        int64_t mgr = 0, parent = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row) {
            mgr = db_col_is_null(st, 0) ? 0 : db_col_i64(st, 0);
            parent = db_col_is_null(st, 1) ? 0 : db_col_i64(st, 1);
        }
        db_done(st);
        if (rc || !row)
            break;
        if (mgr && mgr != uid) {
            *manager = mgr;
            *found = 1;
            return KAM_OK;
        }
        team = parent;
    }
    return rc;
}

/* ---- the record ---- */

#define DCOLS                                                                                      \
    "d.id, d.account_id, accounts.name, d.contract_id, c.number, d.breach_id, d.title, "           \
    "d.counterpart, d.amount_claimed, d.currency, d.our_position, d.their_position, d.arose_on, "  \
    "d.limitation_on, d.stage, d.outcome, d.outcome_note, d.settled_amount, d.closed_on, "         \
    "d.reported_by, d.reported_to, d.owner_id, d.version, d.created_at, d.updated_at, s.id, "      \
    "s.started_on, s.deadline_on"
#define DFROM                                                                                      \
    " FROM disputes d JOIN accounts ON accounts.id = d.account_id LEFT JOIN contracts c ON c.id "  \
    "= d.contract_id LEFT JOIN dispute_stages s ON s.dispute_id = d.id AND s.stage = d.stage AND " \
    "s.ended_on IS NULL"

static const char *opt_text(struct kam_ctx *ctx, struct db_stmt *st, int i)
{
    return db_col_is_null(st, i) ? NULL : arena_strdup(ctx->a, db_col_text(st, i));
}

static int64_t opt_i64(struct db_stmt *st, int i, int *has)
{
    *has = !db_col_is_null(st, i);
    return *has ? db_col_i64(st, i) : 0;
}

static void dispute_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct dispute *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->account_id = db_col_i64(st, 1);
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 2));
    x->contract_id = opt_i64(st, 3, &x->has_contract);
    x->contract_number = opt_text(ctx, st, 4);
    x->breach_id = opt_i64(st, 5, &x->has_breach);
    x->title = arena_strdup(ctx->a, db_col_text(st, 6));
    x->counterpart = arena_strdup(ctx->a, db_col_text(st, 7));
    x->amount_claimed = db_col_i64(st, 8);
    x->currency = arena_strdup(ctx->a, db_col_text(st, 9));
    x->our_position = arena_strdup(ctx->a, db_col_text(st, 10));
    x->their_position = arena_strdup(ctx->a, db_col_text(st, 11));
    x->arose_on = arena_strdup(ctx->a, db_col_text(st, 12));
    x->limitation_on = arena_strdup(ctx->a, db_col_text(st, 13));
    x->stage = arena_strdup(ctx->a, db_col_text(st, 14));
    x->outcome = opt_text(ctx, st, 15);
    x->outcome_note = arena_strdup(ctx->a, db_col_text(st, 16));
    x->settled_amount = opt_i64(st, 17, &x->has_settled);
    x->closed_on = opt_text(ctx, st, 18);
    x->reported_by = opt_i64(st, 19, &x->has_reported_by);
    x->reported_to = opt_i64(st, 20, &x->has_reported_to);
    x->owner_id = opt_i64(st, 21, &x->has_owner);
    x->version = db_col_i64(st, 22);
    x->created_at = db_col_i64(st, 23);
    x->updated_at = db_col_i64(st, 24);
    x->stage_id = opt_i64(st, 25, &x->has_stage_row);
    x->stage_started_on = opt_text(ctx, st, 26);
    x->deadline_on = opt_text(ctx, st, 27);
}

enum kam_err dispute_get(struct kam_ctx *ctx, int64_t id, struct dispute *out)
{
    return row_get(ctx, "SELECT " DCOLS DFROM " WHERE d.id = ?", id, dispute_row, out, "dispute");
}

static void dispute_diff(struct audit_diff *d, const struct dispute *b, const struct dispute *a)
{
    audit_diff_i64(d, "account_id", b ? b->account_id : 0, !b, a ? a->account_id : 0, !a);
    audit_diff_i64(d, "contract_id", b ? b->contract_id : 0, !b || !b->has_contract,
                   a ? a->contract_id : 0, !a || !a->has_contract);
    audit_diff_i64(d, "breach_id", b ? b->breach_id : 0, !b || !b->has_breach, a ? a->breach_id : 0,
                   !a || !a->has_breach);
    audit_diff_str(d, "title", b ? b->title : NULL, a ? a->title : NULL);
    audit_diff_str(d, "counterpart", b ? b->counterpart : NULL, a ? a->counterpart : NULL);
    audit_diff_i64(d, "amount_claimed", b ? b->amount_claimed : 0, !b, a ? a->amount_claimed : 0,
                   !a);
    audit_diff_str(d, "currency", b ? b->currency : NULL, a ? a->currency : NULL);
    audit_diff_str(d, "our_position", b ? b->our_position : NULL, a ? a->our_position : NULL);
    audit_diff_str(d, "their_position", b ? b->their_position : NULL, a ? a->their_position : NULL);
    audit_diff_str(d, "arose_on", b ? b->arose_on : NULL, a ? a->arose_on : NULL);
    audit_diff_str(d, "limitation_on", b ? b->limitation_on : NULL, a ? a->limitation_on : NULL);
    audit_diff_str(d, "stage", b ? b->stage : NULL, a ? a->stage : NULL);
    audit_diff_str(d, "outcome", b ? b->outcome : NULL, a ? a->outcome : NULL);
    audit_diff_str(d, "outcome_note", b ? b->outcome_note : NULL, a ? a->outcome_note : NULL);
    audit_diff_i64(d, "settled_amount", b ? b->settled_amount : 0, !b || !b->has_settled,
                   a ? a->settled_amount : 0, !a || !a->has_settled);
    audit_diff_str(d, "closed_on", b ? b->closed_on : NULL, a ? a->closed_on : NULL);
    audit_diff_i64(d, "reported_by", b ? b->reported_by : 0, !b || !b->has_reported_by,
                   a ? a->reported_by : 0, !a || !a->has_reported_by);
    audit_diff_i64(d, "reported_to", b ? b->reported_to : 0, !b || !b->has_reported_to,
                   a ? a->reported_to : 0, !a || !a->has_reported_to);
    audit_diff_i64(d, "owner_id", b ? b->owner_id : 0, !b || !b->has_owner, a ? a->owner_id : 0,
                   !a || !a->has_owner);
}

/* A user named for field who must read disputes of the account: 400 otherwise. */
static enum kam_err check_person(struct kam_ctx *ctx, const char *field, int64_t uid,
                                 int64_t account_id)
{
    int yes = 0;
    enum kam_err rc = policy_user_may(ctx, uid, OBJ_DISPUTE, ACT_READ, account_id, &yes);
    if (rc)
        return rc;
    if (!yes)
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "dispute.person",
                            (struct kam_param[]){{"field", field}, {0}},
                            "%s must be an active user who may read the account's disputes", field);
    return KAM_OK;
}

static enum kam_err validate(struct kam_ctx *ctx, const struct dispute *x)
{
    enum kam_err rc;
    if ((rc = check_line(ctx, "title", x->title, DISPUTE_TITLE_MAX)) ||
        (rc = check_text(ctx, "counterpart", x->counterpart, 0, DISPUTE_PARTY_MAX, CHECK_LINE)) ||
        (rc = check_range(ctx, "amount_claimed", x->amount_claimed, 0, DISPUTE_AMOUNT_MAX)) ||
        (rc = check_currency(ctx, "currency", x->currency)) ||
        (rc = check_text(ctx, "our_position", x->our_position, 0, DISPUTE_TEXT_MAX,
                         CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "their_position", x->their_position, 0, DISPUTE_TEXT_MAX,
                         CHECK_MULTILINE)) ||
        (rc = not_future(ctx, "arose_on", x->arose_on)))
        return rc;
    return KAM_OK;
}

static void merge(struct dispute *x, const struct dispute_in *in)
{
    const struct dispute *v = &in->v;
    if (in->set & DI_TITLE)
        x->title = v->title;
    if (in->set & DI_COUNTERPART)
        x->counterpart = v->counterpart ? v->counterpart : "";
    if (in->set & DI_AMOUNT)
        x->amount_claimed = v->amount_claimed;
    if (in->set & DI_CURRENCY)
        x->currency = v->currency;
    if (in->set & DI_OUR)
        x->our_position = v->our_position ? v->our_position : "";
    if (in->set & DI_THEIR)
        x->their_position = v->their_position ? v->their_position : "";
    if (in->set & DI_AROSE)
        x->arose_on = v->arose_on;
    if (in->set & DI_REPORTED_TO) {
        x->has_reported_to = v->has_reported_to;
        x->reported_to = v->has_reported_to ? v->reported_to : 0;
    }
    if (in->set & DI_OWNER) {
        x->has_owner = v->has_owner;
        x->owner_id = v->has_owner ? v->owner_id : 0;
    }
}

static void set_limitation(struct kam_ctx *ctx, struct dispute *x)
{
    char lim[11];
    dispute_limitation(x->arose_on, lim);
    x->limitation_on = arena_strdup(ctx->a, lim);
}

/* contract_id and breach_id against the account: 400 naming the field. */
static enum kam_err check_links(struct kam_ctx *ctx, struct dispute *x)
{
    enum kam_err rc;
    int64_t acc = 0;
    if (x->has_breach) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "SELECT contract_id, account_id FROM contract_breaches WHERE id = ?",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, x->breach_id);
        int row = 0;
        int64_t cid = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row) {
            cid = db_col_i64(st, 0);
            acc = db_col_i64(st, 1);
        }
        db_done(st);
        if (rc)
            return rc;
        if (!row || acc != x->account_id)
            return kam_fail(ctx->err, KAM_EINVAL, "breach_id", "no such breach of the account");
        if (x->has_contract && x->contract_id != cid)
            return kam_fail_key(ctx->err, KAM_EINVAL, "breach_id", "dispute.breach_contract", NULL,
                                "the breach is of another contract");
        x->has_contract = 1;
        x->contract_id = cid;
    }
    if (x->has_contract) {
        rc = db_query_i64(ctx->db, "SELECT account_id FROM contracts WHERE id = ?", 1,
                          x->contract_id, &acc, ctx->err);
        if (rc == KAM_ENOTFOUND || (!rc && acc != x->account_id)) {
            kam_error_clear(ctx->err);
            return kam_fail(ctx->err, KAM_EINVAL, "contract_id", "no such contract of the account");
        }
        if (rc)
            return rc;
    }
    return KAM_OK;
}

static enum kam_err insert_stage(struct kam_ctx *ctx, const struct dispute *x,
                                 struct dispute_stage *s)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "INSERT INTO dispute_stages (dispute_id, stage, started_on, "
                                 "deadline_on, deadline_note, forum, participants, cost, note, "
                                 "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
                                 "RETURNING id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->id);
    db_bind_text(st, 2, s->stage);
    db_bind_text(st, 3, s->started_on);
    if (s->deadline_on)
        db_bind_text(st, 4, s->deadline_on);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, s->deadline_note);
    db_bind_text(st, 6, s->forum);
    db_bind_text(st, 7, s->participants);
    db_bind_i64(st, 8, s->cost);
    db_bind_text(st, 9, s->note);
    db_bind_i64(st, 10, ctx->now);
    db_bind_i64(st, 11, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        s->id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "dispute_id", 0, 1, x->id, 0);
    audit_diff_str(&d, "stage", NULL, s->stage);
    audit_diff_str(&d, "started_on", NULL, s->started_on);
    audit_diff_str(&d, "deadline_on", NULL, s->deadline_on);
    audit_diff_str(&d, "deadline_note", NULL, s->deadline_note);
    audit_diff_str(&d, "forum", NULL, s->forum);
    audit_diff_str(&d, "participants", NULL, s->participants);
    return audit_write(ctx, "dispute_stage", s->id, x->account_id, "create", &d);
}

enum kam_err dispute_create(struct kam_ctx *ctx, const struct dispute_in *in, struct dispute *out)
{
    const struct dispute *v = &in->v;
    struct dispute x = {.title = "",
                        .counterpart = "",
                        .our_position = "",
                        .their_position = "",
                        .outcome_note = "",
                        .stage = "negotiation"};
    merge(&x, in);
    x.account_id = v->account_id;
    x.has_contract = (in->set & DI_CONTRACT) && v->has_contract;
    x.contract_id = x.has_contract ? v->contract_id : 0;
    x.has_breach = (in->set & DI_BREACH) && v->has_breach;
    x.breach_id = x.has_breach ? v->breach_id : 0;
    const char *started = (in->set & DI_STARTED) && in->started_on ? in->started_on : today(ctx);
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, DI_ACCOUNT, "account_id")) ||
        (rc = check_given(ctx, in->set, DI_TITLE, "title")) ||
        (rc = check_given(ctx, in->set, DI_CURRENCY, "currency")) ||
        (rc = check_given(ctx, in->set, DI_AROSE, "arose_on")) || (rc = validate(ctx, &x)) ||
        (rc = not_future(ctx, "started_on", started)))
        return rc;
    if (strcmp(started, x.arose_on) < 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, "started_on", "dispute.before_arose", NULL,
                            "started_on is before the dispute arose");
    set_limitation(ctx, &x);
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = policy_body_account(ctx, "account_id", x.account_id, OBJ_DISPUTE, ACT_CREATE)) ||
        (rc = check_links(ctx, &x)))
        goto out;
    x.has_reported_by = ctx->who.user_id > 0;
    x.reported_by = ctx->who.user_id;
    if (!(in->set & DI_REPORTED_TO) && x.has_reported_by &&
        (rc = dispute_reporting_line(ctx, ctx->who.user_id, &x.reported_to, &x.has_reported_to)))
        goto out;
    if ((in->set & DI_REPORTED_TO) && x.has_reported_to &&
        (rc = check_person(ctx, "reported_to", x.reported_to, x.account_id)))
        goto out;
    if (!(in->set & DI_OWNER)) {
        int64_t owner = 0;
        rc = db_query_i64(ctx->db,
                          "SELECT owner_id FROM accounts WHERE id = ? AND owner_id IS NOT NULL", 1,
                          x.account_id, &owner, ctx->err);
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            rc = KAM_OK;
        }
        if (rc)
            goto out;
        x.has_owner = owner > 0;
        x.owner_id = owner;
    } else if (x.has_owner && (rc = check_person(ctx, "owner_id", x.owner_id, x.account_id))) {
        goto out;
    }
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO disputes (account_id, contract_id, breach_id, title, "
                         "counterpart, amount_claimed, currency, our_position, their_position, "
                         "arose_on, limitation_on, stage, reported_by, reported_to, owner_id, "
                         "version, created_at, updated_at) VALUES "
                         "(?,?,?,?,?,?,?,?,?,?,?,'negotiation',?,?,?,1,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, x.account_id);
    db_bind_i64n(st, 2, x.contract_id, !x.has_contract);
    db_bind_i64n(st, 3, x.breach_id, !x.has_breach);
    db_bind_text(st, 4, x.title);
    db_bind_text(st, 5, x.counterpart);
    db_bind_i64(st, 6, x.amount_claimed);
    db_bind_text(st, 7, x.currency);
    db_bind_text(st, 8, x.our_position);
    db_bind_text(st, 9, x.their_position);
    db_bind_text(st, 10, x.arose_on);
    db_bind_text(st, 11, x.limitation_on);
    db_bind_i64n(st, 12, x.reported_by, !x.has_reported_by);
    db_bind_i64n(st, 13, x.reported_to, !x.has_reported_to);
    db_bind_i64n(st, 14, x.owner_id, !x.has_owner);
    db_bind_i64(st, 15, ctx->now);
    db_bind_i64(st, 16, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    dispute_diff(&d, NULL, &x);
    if ((rc = audit_write(ctx, "dispute", x.id, x.account_id, "create", &d)))
        goto out;
    struct dispute_stage s = {.stage = "negotiation",
                              .started_on = started,
                              .deadline_note = "",
                              .forum = "",
                              .participants = "",
                              .note = ""};
    if (!(rc = insert_stage(ctx, &x, &s)))
        rc = dispute_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return dispute_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    const struct dispute_in *in = op->in;
    struct dispute *x = rec;
    struct kam_ctx *ctx = op->ctx;
    static const struct {
        unsigned bit;
        const char *field;
    } fixed[] = {{DI_ACCOUNT, "account_id"},
                 {DI_CONTRACT, "contract_id"},
                 {DI_BREACH, "breach_id"},
                 {DI_STARTED, "started_on"}};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (in->set & fixed[i].bit)
            return kam_fail(ctx->err, KAM_EINVAL, fixed[i].field, "%s cannot change",
                            fixed[i].field);
    merge(x, in);
    enum kam_err rc = validate(ctx, x);
    if (rc)
        return rc;
    set_limitation(ctx, x);
    const struct dispute *b = op->before;
    if ((in->set & DI_REPORTED_TO) && x->has_reported_to &&
        (!b->has_reported_to || b->reported_to != x->reported_to) &&
        (rc = check_person(ctx, "reported_to", x->reported_to, x->account_id)))
        return rc;
    if ((in->set & DI_OWNER) && x->has_owner && (!b->has_owner || b->owner_id != x->owner_id) &&
        (rc = check_person(ctx, "owner_id", x->owner_id, x->account_id)))
        return rc;
    return KAM_OK;
}

static void up_diff(const struct update_op *op)
{
    dispute_diff(op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct dispute *x = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(op->ctx->db,
                                 "UPDATE disputes SET title = ?, counterpart = ?, amount_claimed "
                                 "= ?, currency = ?, our_position = ?, their_position = ?, "
                                 "arose_on = ?, limitation_on = ?, reported_to = ?, owner_id = ?, "
                                 "reminded_for = NULL, updated_at = ?, version = version + 1 "
                                 "WHERE id = ? AND version = ?",
                                 &st, op->ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, x->title);
    db_bind_text(st, 2, x->counterpart);
    db_bind_i64(st, 3, x->amount_claimed);
    db_bind_text(st, 4, x->currency);
    db_bind_text(st, 5, x->our_position);
    db_bind_text(st, 6, x->their_position);
    db_bind_text(st, 7, x->arose_on);
    db_bind_text(st, 8, x->limitation_on);
    db_bind_i64n(st, 9, x->reported_to, !x->has_reported_to);
    db_bind_i64n(st, 10, x->owner_id, !x->has_owner);
    db_bind_i64(st, 11, op->ctx->now);
    db_bind_i64(st, 12, x->id);
    db_bind_i64(st, 13, b->version);
    return db_run(st, op->ctx->err);
}

static int64_t up_account(const void *rec)
{
    return ((const struct dispute *)rec)->account_id;
}

static const struct update_spec dispute_spec = {
    .entity = "dispute",
    .size = sizeof(struct dispute),
    .versioned = 1,
    .version_at = offsetof(struct dispute, version),
    .in_set_at = offsetof(struct dispute_in, set),
    .in_version_at = offsetof(struct dispute_in, v.version),
    .in_version_bit = DI_VERSION,
    .get = up_get,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
};

enum kam_err dispute_update(struct kam_ctx *ctx, int64_t id, const struct dispute_in *in,
                            struct dispute *out)
{
    return record_update(ctx, &dispute_spec, id, in, out);
}

enum kam_err dispute_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct dispute before;
    int64_t n = 0;
    if ((rc = dispute_get(ctx, id, &before)) ||
        (rc = db_query_i64(ctx->db,
                           "SELECT COUNT(*) FROM lesson_links WHERE kind = 'dispute' AND ref_id "
                           "= ?",
                           1, id, &n, ctx->err)))
        goto out;
    if (n) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "dispute.has_lessons", NULL,
                          "a lesson learned links the dispute; it stays as the lesson's case");
        goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM dispute_events WHERE dispute_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM dispute_stages WHERE dispute_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM disputes WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    dispute_diff(&d, &before, NULL);
    rc = audit_write(ctx, "dispute", id, before.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- the ladder ---- */

/* Reads the dispute with its row locked (PostgreSQL), so two moves of one dispute take turns. */
static enum kam_err get_locked(struct kam_ctx *ctx, int64_t id, struct dispute *x)
{
    int64_t n = 0;
    enum kam_err rc;
    if (*db_update_lock(ctx->db) &&
        (rc = db_query_i64(ctx->db,
                           "SELECT COUNT(*) FROM (SELECT id FROM disputes WHERE id = ? FOR NO KEY "
                           "UPDATE) x",
                           1, id, &n, ctx->err)))
        return rc;
    return dispute_get(ctx, id, x);
}

/* Ends the current stage row on `day` (audited). */
static enum kam_err end_stage(struct kam_ctx *ctx, const struct dispute *x, const char *day)
{
    if (!x->has_stage_row)
        return KAM_OK;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "UPDATE dispute_stages SET ended_on = ?, updated_at = ? WHERE id = ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, day);
    db_bind_i64(st, 2, ctx->now);
    db_bind_i64(st, 3, x->stage_id);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "ended_on", NULL, day);
    return audit_write(ctx, "dispute_stage", x->stage_id, x->account_id, "update", &d);
}

static enum kam_err move_dispute(struct kam_ctx *ctx, const struct dispute *b,
                                 const struct dispute *a, const char *action)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE disputes SET stage = ?, outcome = ?, outcome_note = ?, "
                                 "settled_amount = ?, closed_on = ?, reminded_for = NULL, "
                                 "updated_at = ?, version = version + 1 WHERE id = ? AND "
                                 "version = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, a->stage);
    if (a->outcome)
        db_bind_text(st, 2, a->outcome);
    else
        db_bind_null(st, 2);
    db_bind_text(st, 3, a->outcome_note);
    db_bind_i64n(st, 4, a->settled_amount, !a->has_settled);
    if (a->closed_on)
        db_bind_text(st, 5, a->closed_on);
    else
        db_bind_null(st, 5);
    db_bind_i64(st, 6, ctx->now);
    db_bind_i64(st, 7, a->id);
    db_bind_i64(st, 8, b->version);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    dispute_diff(&d, b, a);
    return audit_write(ctx, "dispute", a->id, a->account_id, action, &d);
}

static enum kam_err check_stage_fields(struct kam_ctx *ctx, const struct dispute_stage *s)
{
    enum kam_err rc;
    if ((s->deadline_on && (rc = check_date(ctx, "deadline_on", s->deadline_on))) ||
        (rc =
             check_text(ctx, "deadline_note", s->deadline_note, 0, DISPUTE_NOTE_MAX, CHECK_LINE)) ||
        (rc = check_text(ctx, "forum", s->forum, 0, DISPUTE_FORUM_MAX, CHECK_LINE)) ||
        (rc = check_text(ctx, "participants", s->participants, 0, DISPUTE_NOTE_MAX,
                         CHECK_MULTILINE)) ||
        (rc = check_range(ctx, "cost", s->cost, 0, DISPUTE_AMOUNT_MAX)) ||
        (rc = check_text(ctx, "note", s->note, 0, DISPUTE_NOTE_MAX, CHECK_MULTILINE)))
        return rc;
    return KAM_OK;
}

enum kam_err dispute_escalate(struct kam_ctx *ctx, int64_t id, const struct dispute_stage_in *in,
                              struct dispute *out)
{
    const struct dispute_stage *v = &in->v;
    struct dispute_stage s = {
        .stage = v->stage,
        .started_on = (in->set & DS_STARTED) && v->started_on ? v->started_on : today(ctx),
        .deadline_on = (in->set & DS_DEADLINE) ? v->deadline_on : NULL,
        .deadline_note = (in->set & DS_DEADLINE_NOTE) && v->deadline_note ? v->deadline_note : "",
        .forum = (in->set & DS_FORUM) && v->forum ? v->forum : "",
        .participants = (in->set & DS_PARTICIPANTS) && v->participants ? v->participants : "",
        .cost = (in->set & DS_COST) ? v->cost : 0,
        .note = (in->set & DS_NOTE) && v->note ? v->note : "",
    };
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, DS_STAGE, "stage")) ||
        (rc = check_enum(ctx, "stage", s.stage, dispute_stages)) ||
        (rc = not_future(ctx, "started_on", s.started_on)) || (rc = check_stage_fields(ctx, &s)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct dispute b;
    if ((rc = get_locked(ctx, id, &b)))
        goto out;
    int from = stage_index(b.stage), to = stage_index(s.stage);
    if (from == 4)
        rc = stage_conflict(ctx, "dispute.escalate_closed", b.stage, s.stage,
                            "the dispute is closed: it cannot be escalated");
    else if (to == 4)
        rc = stage_conflict(ctx, "dispute.escalate_to_closed", b.stage, s.stage,
                            "a dispute is closed with its outcome, not escalated to closed");
    else if (to == from)
        rc = stage_conflict(ctx, "dispute.same_stage", b.stage, s.stage,
                            arena_printf(ctx->a, "the dispute is already at %s", b.stage));
    else if (to < from)
        rc = stage_conflict(
            ctx, "dispute.backwards", b.stage, s.stage,
            arena_printf(ctx->a, "a dispute does not go back: %s -> %s", b.stage, s.stage));
    else if (to > from + 1)
        rc = stage_conflict(
            ctx, "dispute.skip_stage", b.stage, s.stage,
            arena_printf(ctx->a,
                         "a dispute escalates one step at a time: from %s the next stage is %s",
                         b.stage, dispute_stages[from + 1]));
    if (rc)
        goto out;
    if (b.stage_started_on && strcmp(s.started_on, b.stage_started_on) < 0) {
        rc =
            kam_fail_key(ctx->err, KAM_EINVAL, "started_on", "dispute.before_stage", NULL,
                         "started_on is before the current stage started (%s)", b.stage_started_on);
        goto out;
    }
    struct dispute a = b;
    a.stage = s.stage;
    if ((rc = end_stage(ctx, &b, s.started_on)) || (rc = insert_stage(ctx, &a, &s)) ||
        (rc = move_dispute(ctx, &b, &a, "escalate")))
        goto out;
    rc = dispute_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err dispute_close(struct kam_ctx *ctx, int64_t id, const struct dispute_close_in *in,
                           struct dispute *out)
{
    const char *closed_on = (in->set & DC_CLOSED_ON) && in->closed_on ? in->closed_on : today(ctx);
    const char *note = (in->set & DC_NOTE) && in->note ? in->note : "";
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, DC_OUTCOME, "outcome")) ||
        (rc = check_enum(ctx, "outcome", in->outcome, dispute_outcomes)) ||
        (rc = not_future(ctx, "closed_on", closed_on)) ||
        (rc = check_text(ctx, "note", note, 0, DISPUTE_NOTE_MAX, CHECK_MULTILINE)))
        return rc;
    int settled = !strcmp(in->outcome, "settled");
    if ((in->set & DC_SETTLED) && !settled)
        return kam_fail_key(ctx->err, KAM_EINVAL, "settled_amount", "dispute.settled_only", NULL,
                            "settled_amount goes with the outcome settled only");
    if ((in->set & DC_SETTLED) &&
        (rc = check_range(ctx, "settled_amount", in->settled_amount, 0, DISPUTE_AMOUNT_MAX)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct dispute b;
    if ((rc = get_locked(ctx, id, &b)))
        goto out;
    int from = stage_index(b.stage);
    if (from == 4) {
        rc = stage_conflict(ctx, "dispute.already_closed", b.stage, "closed",
                            "the dispute is already closed");
        goto out;
    }
    if (from < 2 && (!strcmp(in->outcome, "won") || !strcmp(in->outcome, "lost"))) {
        rc = kam_fail_key(
            ctx->err, KAM_ECONFLICT, "stage", "dispute.outcome_needs_decision",
            (struct kam_param[]){{"outcome", in->outcome}, {"from", b.stage}, {0}},
            "%s needs a decision: a dispute is won or lost at arbitration or litigation, not at %s",
            in->outcome, b.stage);
        goto out;
    }
    if (strcmp(closed_on, b.arose_on) < 0 ||
        (b.stage_started_on && strcmp(closed_on, b.stage_started_on) < 0)) {
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "closed_on", "dispute.before_stage", NULL,
                          "closed_on is before the current stage started");
        goto out;
    }
    struct dispute a = b;
    a.stage = "closed";
    a.outcome = in->outcome;
    a.outcome_note = note;
    a.has_settled = settled && (in->set & DC_SETTLED);
    a.settled_amount = a.has_settled ? in->settled_amount : 0;
    a.closed_on = closed_on;
    if ((rc = end_stage(ctx, &b, closed_on)) || (rc = move_dispute(ctx, &b, &a, "close")))
        goto out;
    rc = dispute_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- stages ---- */

#define SCOLS                                                                                      \
    "s.id, s.dispute_id, d.account_id, s.stage, s.started_on, s.ended_on, s.deadline_on, "         \
    "s.deadline_note, s.forum, s.participants, s.cost, s.note, s.created_at, s.updated_at"

static void stage_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct dispute_stage *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->dispute_id = db_col_i64(st, 1);
    x->account_id = db_col_i64(st, 2);
    x->stage = arena_strdup(ctx->a, db_col_text(st, 3));
    x->started_on = arena_strdup(ctx->a, db_col_text(st, 4));
    x->ended_on = opt_text(ctx, st, 5);
    x->deadline_on = opt_text(ctx, st, 6);
    x->deadline_note = arena_strdup(ctx->a, db_col_text(st, 7));
    x->forum = arena_strdup(ctx->a, db_col_text(st, 8));
    x->participants = arena_strdup(ctx->a, db_col_text(st, 9));
    x->cost = db_col_i64(st, 10);
    x->note = arena_strdup(ctx->a, db_col_text(st, 11));
    x->created_at = db_col_i64(st, 12);
    x->updated_at = db_col_i64(st, 13);
}

enum kam_err dispute_stages_of(struct kam_ctx *ctx, int64_t id, struct dispute_stage **items,
                               size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT " SCOLS " FROM dispute_stages s JOIN disputes d ON d.id "
                                 "= s.dispute_id WHERE s.dispute_id = ? ORDER BY s.id LIMIT 100",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    return rows_collect(ctx, st, 100, stage_row, sizeof **items, (void **)items, n);
}

static enum kam_err st_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return row_get(ctx,
                   "SELECT " SCOLS " FROM dispute_stages s JOIN disputes d ON d.id = "
                   "s.dispute_id WHERE s.id = ?",
                   id, stage_row, rec, "dispute stage");
}

static enum kam_err st_merge(const struct update_op *op, void *rec)
{
    const struct dispute_stage_in *in = op->in;
    struct dispute_stage *x = rec;
    const struct dispute_stage *v = &in->v;
    if (in->set & (DS_STAGE | DS_STARTED))
        return kam_fail(op->ctx->err, KAM_EINVAL, in->set & DS_STAGE ? "stage" : "started_on",
                        "a stage's name and start are set by the ladder");
    if (in->set & DS_DEADLINE)
        x->deadline_on = v->deadline_on; /* NULL: cleared */
    if (in->set & DS_DEADLINE_NOTE)
        x->deadline_note = v->deadline_note ? v->deadline_note : "";
    if (in->set & DS_FORUM)
        x->forum = v->forum ? v->forum : "";
    if (in->set & DS_PARTICIPANTS)
        x->participants = v->participants ? v->participants : "";
    if (in->set & DS_COST)
        x->cost = v->cost;
    if (in->set & DS_NOTE)
        x->note = v->note ? v->note : "";
    return check_stage_fields(op->ctx, x);
}

static void stage_diff(struct audit_diff *d, const struct dispute_stage *b,
                       const struct dispute_stage *a)
{
    audit_diff_str(d, "deadline_on", b->deadline_on, a->deadline_on);
    audit_diff_str(d, "deadline_note", b->deadline_note, a->deadline_note);
    audit_diff_str(d, "forum", b->forum, a->forum);
    audit_diff_str(d, "participants", b->participants, a->participants);
    audit_diff_i64(d, "cost", b->cost, 0, a->cost, 0);
    audit_diff_str(d, "note", b->note, a->note);
}

static void st_diff(const struct update_op *op)
{
    stage_diff(op->diff, op->before, op->after);
}

static enum kam_err st_write(const struct update_op *op)
{
    const struct dispute_stage *x = op->after;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(op->ctx->db,
                                 "UPDATE dispute_stages SET deadline_on = ?, deadline_note = ?, "
                                 "forum = ?, participants = ?, cost = ?, note = ?, updated_at = ? "
                                 "WHERE id = ?",
                                 &st, op->ctx->err);
    if (rc)
        return rc;
    if (x->deadline_on)
        db_bind_text(st, 1, x->deadline_on);
    else
        db_bind_null(st, 1);
    db_bind_text(st, 2, x->deadline_note);
    db_bind_text(st, 3, x->forum);
    db_bind_text(st, 4, x->participants);
    db_bind_i64(st, 5, x->cost);
    db_bind_text(st, 6, x->note);
    db_bind_i64(st, 7, op->ctx->now);
    db_bind_i64(st, 8, x->id);
    if ((rc = db_run(st, op->ctx->err)))
        return rc;
    const struct dispute_stage *b = op->before;
    /* a new deadline is reminded of anew */
    if ((b->deadline_on == NULL) != (x->deadline_on == NULL) ||
        (b->deadline_on && strcmp(b->deadline_on, x->deadline_on)))
        rc = db_exec_i64(op->ctx->db, "UPDATE disputes SET reminded_for = NULL WHERE id = ?",
                         x->dispute_id, op->ctx->err);
    return rc;
}

static int64_t st_account(const void *rec)
{
    return ((const struct dispute_stage *)rec)->account_id;
}

static const struct update_spec stage_spec = {
    .entity = "dispute_stage",
    .noun = "dispute stage",
    .size = sizeof(struct dispute_stage),
    .get = st_get,
    .merge = st_merge,
    .diff = st_diff,
    .write = st_write,
    .account_of = st_account,
};

enum kam_err dispute_stage_update(struct kam_ctx *ctx, int64_t id, int64_t sid,
                                  const struct dispute_stage_in *in, struct dispute_stage *out)
{
    struct dispute_stage s;
    enum kam_err rc = st_get(ctx, sid, &s);
    if (rc)
        return rc;
    if (s.dispute_id != id)
        return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such dispute stage");
    return record_update(ctx, &stage_spec, sid, in, out);
}

/* ---- events ---- */

#define ECOLS "e.id, e.dispute_id, e.day, e.kind, e.text, e.amount, e.created_by, e.created_at"

static void event_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct dispute_event *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->dispute_id = db_col_i64(st, 1);
    x->day = arena_strdup(ctx->a, db_col_text(st, 2));
    x->kind = arena_strdup(ctx->a, db_col_text(st, 3));
    x->text = arena_strdup(ctx->a, db_col_text(st, 4));
    x->amount = opt_i64(st, 5, &x->has_amount);
    x->created_by = opt_i64(st, 6, &x->has_created_by);
    x->created_at = db_col_i64(st, 7);
}

enum kam_err dispute_events_of(struct kam_ctx *ctx, int64_t id, struct dispute_event **items,
                               size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT " ECOLS " FROM dispute_events e WHERE e.dispute_id = ? "
                                 "ORDER BY e.day, e.id LIMIT 1000",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    return rows_collect(ctx, st, DISPUTE_EVENTS_MAX, event_row, sizeof **items, (void **)items, n);
}

enum kam_err dispute_event_add(struct kam_ctx *ctx, int64_t id, const struct dispute_event_in *in,
                               struct dispute_event *out)
{
    const struct dispute_event *v = &in->v;
    struct dispute_event x = {.dispute_id = id,
                              .day = (in->set & DE_DAY) && v->day ? v->day : today(ctx),
                              .kind = v->kind,
                              .text = v->text,
                              .has_amount = (in->set & DE_AMOUNT) && v->has_amount,
                              .amount = v->amount};
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, DE_KIND, "kind")) ||
        (rc = check_given(ctx, in->set, DE_TEXT, "text")) || (rc = check_date(ctx, "day", x.day)) ||
        (rc = check_enum(ctx, "kind", x.kind, dispute_event_kinds)) ||
        (rc = check_text(ctx, "text", x.text, 1, DISPUTE_NOTE_MAX, CHECK_MULTILINE)) ||
        (x.has_amount &&
         (rc = check_range(ctx, "amount", x.amount, -DISPUTE_AMOUNT_MAX, DISPUTE_AMOUNT_MAX))))
        return rc;
    if (utf8_blank(x.text))
        return check_given(ctx, 0, 1, "text");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct dispute d;
    if ((rc = dispute_get(ctx, id, &d)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO dispute_events (dispute_id, day, kind, text, amount, "
                         "created_by, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, id);
    db_bind_text(st, 2, x.day);
    db_bind_text(st, 3, x.kind);
    db_bind_text(st, 4, x.text);
    db_bind_i64n(st, 5, x.amount, !x.has_amount);
    db_bind_i64n(st, 6, ctx->who.user_id, ctx->who.user_id <= 0);
    db_bind_i64(st, 7, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff df;
    audit_diff_init(&df);
    audit_diff_i64(&df, "dispute_id", 0, 1, id, 0);
    audit_diff_str(&df, "day", NULL, x.day);
    audit_diff_str(&df, "kind", NULL, x.kind);
    audit_diff_str(&df, "text", NULL, x.text);
    audit_diff_i64(&df, "amount", 0, 1, x.amount, !x.has_amount);
    if ((rc = audit_write(ctx, "dispute_event", x.id, d.account_id, "create", &df)))
        goto out;
    rc = row_get(ctx, "SELECT " ECOLS " FROM dispute_events e WHERE e.id = ?", x.id, event_row, out,
                 "dispute event");
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- the timeline ---- */

static const char *china_day(struct kam_ctx *ctx, int64_t t)
{
    int y, m, d;
    days_to_date((t + CHINA_OFFSET) / 86400, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

static int tl_cmp(const void *pa, const void *pb)
{
    const struct dispute_tl *a = pa, *b = pb;
    int c = strcmp(a->day, b->day);
    if (c)
        return c;
    /* within a day: what happened (stages, events) before the log of recording it */
    int ka = !strcmp(a->kind, "audit"), kb = !strcmp(b->kind, "audit");
    if (ka != kb)
        return ka - kb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return a->ref_id < b->ref_id ? -1 : a->ref_id > b->ref_id;
}

#define DISPUTE_AUDIT_WHERE                                                                        \
    "(entity = 'dispute' AND entity_id = ?) OR (entity = 'dispute_stage' AND entity_id IN "        \
    "(SELECT id FROM dispute_stages WHERE dispute_id = ?)) OR (entity = 'dispute_event' AND "      \
    "entity_id IN (SELECT id FROM dispute_events WHERE dispute_id = ?))"

enum kam_err dispute_timeline(struct kam_ctx *ctx, int64_t id, struct dispute_tl **items, size_t *n)
{
    struct dispute d;
    struct dispute_stage *ss;
    struct dispute_event *es;
    size_t ns, ne;
    enum kam_err rc;
    if ((rc = dispute_get(ctx, id, &d)) || (rc = dispute_stages_of(ctx, id, &ss, &ns)) ||
        (rc = dispute_events_of(ctx, id, &es, &ne)))
        return rc;
    size_t cap = 2 * ns + ne + DISPUTE_EVENTS_MAX, k = 0;
    struct dispute_tl *t = arena_calloc(ctx->a, cap, sizeof *t);
    for (size_t i = 0; i < ns; i++) {
        t[k++] = (struct dispute_tl){.kind = "stage_started",
                                     .day = ss[i].started_on,
                                     .ref_id = ss[i].id,
                                     .stage = ss[i].stage,
                                     .text = ss[i].forum};
        if (ss[i].ended_on)
            t[k++] = (struct dispute_tl){.kind = "stage_ended",
                                         .day = ss[i].ended_on,
                                         .ref_id = ss[i].id,
                                         .stage = ss[i].stage,
                                         .text = ""};
    }
    for (size_t i = 0; i < ne; i++)
        t[k++] = (struct dispute_tl){.kind = "event",
                                     .day = es[i].day,
                                     .ref_id = es[i].id,
                                     .event_kind = es[i].kind,
                                     .text = es[i].text,
                                     .amount = es[i].amount,
                                     .has_amount = es[i].has_amount,
                                     .user_id = es[i].created_by,
                                     .has_user = es[i].has_created_by};
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT id, at, user_id, entity, entity_id, action, changes FROM audit "
                         "WHERE " DISPUTE_AUDIT_WHERE " ORDER BY id LIMIT 1000",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, id);
    db_bind_i64(st, 3, id);
    int row = 0;
    while (k < cap && !(rc = db_step(st, &row, ctx->err)) && row) {
        struct dispute_tl *x = &t[k++];
        x->kind = "audit";
        x->ref_id = db_col_i64(st, 0);
        x->at = db_col_i64(st, 1);
        x->day = china_day(ctx, x->at);
        x->user_id = opt_i64(st, 2, &x->has_user);
        x->entity = arena_strdup(ctx->a, db_col_text(st, 3));
        x->action = arena_strdup(ctx->a, db_col_text(st, 5));
        x->changes = arena_strdup(ctx->a, db_col_text(st, 6));
        x->text = "";
    }
    db_done(st);
    if (rc)
        return rc;
    qsort(t, k, sizeof *t, tl_cmp);
    *items = t;
    *n = k;
    return KAM_OK;
}

/* ---- lists ---- */

/* The caller's disputes: everything for an org-wide grant, else the accounts in scope. */
static int scope_begin(struct kam_ctx *ctx, struct sqlb *b)
{
    if (policy_grant(ctx->who.role, OBJ_DISPUTE, ACT_READ) == GRANT_ALL)
        return 0;
    sqlb_sql(b, POLICY_SCOPE_WITH);
    sqlb_i64(b, ctx->who.user_id);
    sqlb_i64(b, ctx->who.user_id);
    return 1;
}

static const struct page_sort di_sorts[] = {
    {"id", "d.id", 0},
    {"arose_on", "d.arose_on", 1},
    {"limitation_on", "d.limitation_on", 1},
};

enum kam_err dispute_list(struct kam_ctx *ctx, const struct dispute_query *q,
                          struct dispute **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, di_sorts, sizeof di_sorts / sizeof di_sorts[0],
                                 q->sort ? q->sort : "-id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if ((q->stage && (rc = check_enum(ctx, "stage", q->stage, dispute_stages))) ||
        (q->q && (rc = check_text(ctx, "q", q->q, 0, 100, CHECK_LINE))))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = scope_begin(ctx, &b);
    sqlb_sql(&b, "SELECT " DCOLS DFROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->account_id) {
        sqlb_sql(&b, " AND d.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    if (q->contract_id) {
        sqlb_sql(&b, " AND d.contract_id = ?");
        sqlb_i64(&b, q->contract_id);
    }
    if (q->stage) {
        sqlb_sql(&b, " AND d.stage = ?");
        sqlb_text(&b, q->stage);
    }
    if (q->open)
        sqlb_sql(&b, " AND d.stage <> 'closed'");
    if (q->q && *q->q) {
        const char *like = sqlb_like_pattern(ctx->a, q->q);
        sqlb_sql(&b, " AND (lower(d.title) LIKE lower(?) ESCAPE '\\' OR lower(d.counterpart) "
                     "LIKE lower(?) ESCAPE '\\')");
        sqlb_text(&b, like);
        sqlb_text(&b, like);
    }
    struct dispute *items;
    const struct dispute *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "d.id", dispute_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    const char *key = NULL;
    if (last && !strcmp(pg.sort->key, "arose_on"))
        key = items[n - 1].arose_on;
    else if (last && !strcmp(pg.sort->key, "limitation_on"))
        key = items[n - 1].limitation_on;
    *next_out = last ? page_cursor(ctx, &pg, key, items[n - 1].id, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err dispute_board(struct kam_ctx *ctx, struct dispute_board_col cols[5])
{
    memset(cols, 0, 5 * sizeof *cols);
    for (int i = 0; i < 5; i++) {
        cols[i].stage = dispute_stages[i];
        cols[i].amounts = arena_calloc(ctx->a, 64, sizeof *cols[i].amounts);
    }
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = scope_begin(ctx, &b);
    sqlb_sql(&b, "SELECT d.stage, d.currency, COUNT(*), SUM(d.amount_claimed) FROM disputes d "
                 "JOIN accounts ON accounts.id = d.account_id");
    if (scoped)
        sqlb_sql(&b, " WHERE " POLICY_SCOPE_COND);
    sqlb_sql(&b, " GROUP BY d.stage, d.currency ORDER BY d.stage, d.currency");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int i = stage_index(db_col_text(st, 0));
        if (i < 0)
            continue;
        struct dispute_board_col *c = &cols[i];
        c->count += db_col_i64(st, 2);
        if (c->n_amounts < 64)
            c->amounts[c->n_amounts++] = (struct dispute_amount){
                arena_strdup(ctx->a, db_col_text(st, 1)), db_col_i64(st, 3)};
    }
    db_done(st);
    if (rc)
        return rc;
    /* the next deadline of each open stage: the earliest of today or later */
    sqlb_init(&b, ctx->a);
    scoped = scope_begin(ctx, &b);
    sqlb_sql(&b, "SELECT d.stage, s.deadline_on, d.id FROM disputes d JOIN accounts ON "
                 "accounts.id = d.account_id JOIN dispute_stages s ON s.dispute_id = d.id AND "
                 "s.stage = d.stage AND s.ended_on IS NULL WHERE s.deadline_on >= ?");
    sqlb_text(&b, today(ctx));
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    sqlb_sql(&b, " ORDER BY s.deadline_on, d.id");
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    int seen = 0;
    while (seen < 4 && !(rc = db_step(st, &row, ctx->err)) && row) {
        int i = stage_index(db_col_text(st, 0));
        if (i < 0 || i > 3 || cols[i].next_deadline)
            continue;
        cols[i].next_deadline = arena_strdup(ctx->a, db_col_text(st, 1));
        cols[i].next_deadline_dispute = db_col_i64(st, 2);
        seen++;
    }
    db_done(st);
    return rc;
}

/* ---- reminders ---- */

struct reminder {
    int64_t id, account_id, owner_id;
    int has_owner;
    const char *title, *what, *date;
    int threshold;
};

static enum kam_err remind(struct kam_ctx *ctx, const struct reminder *r, const int64_t *legal,
                           size_t nlegal, int *reminded)
{
    char days[16], id[24];
    snprintf(days, sizeof days, "%d", r->threshold);
    snprintf(id, sizeof id, "%lld", (long long)r->id);
    const char *key =
        !strcmp(r->what, "limitation") ? "dispute.limitation_near" : "dispute.deadline_near";
    struct kam_param params[] = {
        {"title", r->title}, {"date", r->date}, {"days", days}, {"id", id}, {0}};
    const char *link = arena_printf(ctx->a, "/disputes/%lld", (long long)r->id);
    enum kam_err rc = KAM_OK;
    for (size_t i = 0; i <= nlegal && !rc; i++) {
        int64_t uid;
        if (i == nlegal) {
            if (!r->has_owner)
                break;
            uid = r->owner_id;
            int dup = 0;
            for (size_t j = 0; j < nlegal; j++)
                dup |= legal[j] == uid;
            if (dup)
                break;
        } else {
            uid = legal[i];
        }
        const char *dedup = arena_printf(ctx->a, "dispute:%lld:%s:%s:%d:%lld", (long long)r->id,
                                         r->what, r->date, r->threshold, (long long)uid);
        int created = 0;
        rc = notify_add_msg(ctx, uid, "dispute", key, params, NULL, link, dedup, &created);
        *reminded += created;
    }
    return rc;
}

static int threshold(int64_t left, int far, int near)
{
    if (left < 0 || left > far)
        return 0;
    return left <= near ? near : far;
}

enum kam_err dispute_job(struct kam_ctx *ctx, int *reminded)
{
    *reminded = 0;
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    int64_t *legal = NULL;
    size_t nlegal = 0;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT id FROM users WHERE role = 'legal' AND disabled = 0 ORDER BY id "
                         "LIMIT 200",
                         &st, ctx->err)))
        goto out;
    legal = arena_calloc(ctx->a, 200, sizeof *legal);
    int row = 0;
    while (nlegal < 200 && !(rc = db_step(st, &row, ctx->err)) && row)
        legal[nlegal++] = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    const char *now_day = today(ctx);
    int64_t today_n = day_number(now_day);
    /* candidates: open disputes with a limitation date or a current deadline within 90 days */
    char horizon[32];
    {
        int y, m, d;
        days_to_date(today_n + 90, &y, &m, &d);
        snprintf(horizon, sizeof horizon, "%04d-%02d-%02d", y, m, d);
    }
    if ((rc = db_prepare(ctx->db,
                         "SELECT d.id, d.account_id, d.owner_id, d.title, d.stage, "
                         "d.limitation_on, s.deadline_on, u.disabled FROM disputes d LEFT JOIN "
                         "dispute_stages s ON s.dispute_id = d.id AND s.stage = d.stage AND "
                         "s.ended_on IS NULL LEFT JOIN users u ON u.id = d.owner_id WHERE "
                         "d.stage <> 'closed' AND ((d.limitation_on >= ? AND d.limitation_on <= "
                         "?) OR (s.deadline_on >= ? AND s.deadline_on <= ?)) ORDER BY d.id LIMIT "
                         "5000",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, now_day);
    db_bind_text(st, 2, horizon);
    db_bind_text(st, 3, now_day);
    db_bind_text(st, 4, horizon);
    struct reminder *rs = arena_calloc(ctx->a, 10000, sizeof *rs);
    size_t n = 0;
    row = 0;
    while (n + 2 <= 10000 && !(rc = db_step(st, &row, ctx->err)) && row) {
        struct reminder r = {.id = db_col_i64(st, 0), .account_id = db_col_i64(st, 1)};
        r.owner_id = opt_i64(st, 2, &r.has_owner);
        if (r.has_owner && !db_col_is_null(st, 7) && db_col_i64(st, 7))
            r.has_owner = 0; /* a disabled owner is not told */
        r.title = arena_strdup(ctx->a, db_col_text(st, 3));
        int early = stage_index(db_col_text(st, 4)) < 2;
        const char *lim = db_col_text(st, 5);
        /* the limitation matters until arbitration or litigation is filed */
        int t = early ? threshold(day_number(lim) - today_n, 90, 30) : 0;
        if (t) {
            rs[n] = r;
            rs[n].what = "limitation";
            rs[n].date = arena_strdup(ctx->a, lim);
            rs[n++].threshold = t;
        }
        if (!db_col_is_null(st, 6)) {
            const char *dl = db_col_text(st, 6);
            t = threshold(day_number(dl) - today_n, 14, 3);
            if (t) {
                rs[n] = r;
                rs[n].what = "deadline";
                rs[n].date = arena_strdup(ctx->a, dl);
                rs[n++].threshold = t;
            }
        }
    }
    db_done(st);
    for (size_t i = 0; i < n && !rc; i++)
        rc = remind(ctx, &rs[i], legal, nlegal, reminded);
out:
    return db_end(ctx->db, rc, ctx->err);
}
