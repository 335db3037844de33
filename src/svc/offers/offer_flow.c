/* offer_flow.c -- an offer's status machine: submit (approval), send, accept / reject, new
 * versions, customisation confirmations, expiry (docs/OFFERS.md "Offers"). */
#include <string.h>

#include "approval.h"
#include "offer.h"
#include "store/db.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/risk/credit.h"

enum kam_err offer_copy_version(struct kam_ctx *ctx, const struct offer *src, int64_t *id_out);

enum kam_err offer_set_status_ex(struct kam_ctx *ctx, const struct offer *b, const char *status,
                                 const char *reason, int set_sent, int set_decided,
                                 int clear_approval, const char *extra_key, const char *extra_value)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "UPDATE offers SET status = ?, decision_reason = ?, sent_at = CASE WHEN ? = 1 THEN ? ELSE "
        "sent_at END, decided_at = CASE WHEN ? = 1 THEN ? ELSE decided_at END, approval_id = CASE "
        "WHEN ? = 1 THEN NULL ELSE approval_id END, updated_at = ?, version = version + 1 WHERE "
        "id = ? AND version = ?",
        &st, ctx->err);
    if (rc)
        return rc;
    clear_approval = clear_approval && b->has_approval;
    db_bind_text(st, 1, status);
    db_bind_text(st, 2, reason ? reason : b->decision_reason);
    db_bind_i64(st, 3, set_sent);
    db_bind_i64(st, 4, ctx->now);
    db_bind_i64(st, 5, set_decided);
    db_bind_i64(st, 6, ctx->now);
    db_bind_i64(st, 7, clear_approval);
    db_bind_i64(st, 8, ctx->now);
    db_bind_i64(st, 9, b->id);
    db_bind_i64(st, 10, b->version);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    if (db_changes(ctx->db) != 1)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version", NULL,
                            "the offer was changed by someone else; reload it");
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "status", b->status, status);
    if (reason)
        audit_diff_str(&d, "decision_reason", b->decision_reason, reason);
    if (clear_approval)
        audit_diff_i64(&d, "approval_id", b->approval_id, 0, 0, 1);
    if (extra_key)
        audit_diff_str(&d, extra_key, NULL, extra_value);
    return audit_write(ctx, "offer", b->id, b->account_id, "update", &d);
}

/* Back to draft the approval link goes (the approval keeps the offer as its object). */
enum kam_err offer_set_status(struct kam_ctx *ctx, const struct offer *b, const char *status,
                              const char *reason, int set_sent, int set_decided)
{
    return offer_set_status_ex(ctx, b, status, reason, set_sent, set_decided,
                               !strcmp(status, "draft"), NULL, NULL);
}

static enum kam_err expired(struct kam_ctx *ctx, const struct offer *b)
{
    if (strcmp(b->valid_until, offer_today(ctx)) >= 0)
        return KAM_OK;
    return kam_fail_key(ctx->err, KAM_ECONFLICT, "valid_until", "offer.expired",
                        (struct kam_param[]){{"valid_until", b->valid_until}, {0}},
                        "the offer was valid until %s; make a new version", b->valid_until);
}

static enum kam_err bad_move(struct kam_ctx *ctx, const struct offer *b, const char *to,
                             const char *key)
{
    return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", key ? key : "offer.bad_transition",
                        (struct kam_param[]){{"from", b->status}, {"to", to}, {0}},
                        "an offer that is %s cannot become %s", b->status, to);
}

enum kam_err offer_submit(struct kam_ctx *ctx, int64_t id, const char *comment, struct offer *out)
{
    enum kam_err rc = check_text(ctx, "comment", comment, 0, APPROVAL_COMMENT_MAX, CHECK_MULTILINE);
    if (rc || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct offer b;
    if ((rc = offer_get(ctx, id, &b)))
        goto out;
    if (strcmp(b.status, "draft") != 0) {
        rc = bad_move(ctx, &b, "pending", "offer.not_draft");
        goto out;
    }
    if (b.nlines == 0) {
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "lines", "offer.no_lines", NULL,
                          "an offer needs at least one line");
        goto out;
    }
    if ((rc = offer_check_dates(ctx, &b)))
        goto out;
    const char *needs = NULL;
    if ((rc = approval_needs(ctx, ctx->who.role, b.max_discount_bp, &needs)))
        goto out;
    /* a resubmitted offer drops the last decision's reason (and an old approval's link) */
    if (!needs) {
        rc = offer_set_status_ex(ctx, &b, "approved", "", 0, 0, 1, NULL, NULL);
    } else {
        int64_t aid = 0;
        const char *label = arena_printf(ctx->a, "%s v%lld", b.number, (long long)b.version_no);
        if ((rc = approval_open(ctx, b.id, b.account_id, b.max_discount_bp, needs, comment, label,
                                &aid)) ||
            (rc = offer_set_status(ctx, &b, "pending", "", 0, 0)))
            goto out;
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db, "UPDATE offers SET approval_id = ? WHERE id = ?", &st,
                             ctx->err)))
            goto out;
        db_bind_i64(st, 1, aid);
        db_bind_i64(st, 2, b.id);
        rc = db_run(st, ctx->err);
    }
    if (!rc) /* issue 16: over the credit limit -> flagged or held (docs/CREDIT.md) */
        rc = credit_check_offer(ctx, b.id);
    if (!rc)
        rc = offer_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err offer_send(struct kam_ctx *ctx, int64_t id, struct offer *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct offer b;
    if ((rc = offer_get(ctx, id, &b)))
        goto out;
    if (!strcmp(b.status, "draft") || !strcmp(b.status, "pending")) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "offer.needs_approval",
                          (struct kam_param[]){{"status", b.status}, {0}},
                          "the offer must be approved before it is sent (it is %s)", b.status);
        goto out;
    }
    if (strcmp(b.status, "approved") != 0) {
        rc = bad_move(ctx, &b, "sent", NULL);
        goto out;
    }
    if ((rc = expired(ctx, &b)) || (rc = credit_offer_may_send(ctx, b.id)))
        goto out;
    if ((rc = offer_set_status(ctx, &b, "sent", NULL, 1, 0)))
        goto out;
    rc = offer_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err offer_decide(struct kam_ctx *ctx, int64_t id, int accept, const char *reason,
                          struct offer *out)
{
    enum kam_err rc;
    if (!accept && !reason)
        return kam_fail_key(ctx->err, KAM_EINVAL, "reason", "required",
                            (struct kam_param[]){{"field", "reason"}, {0}}, "reason is required");
    if ((rc = check_text(ctx, "reason", reason ? reason : "", accept ? 0 : 1, OFFER_NOTE_MAX,
                         CHECK_MULTILINE)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct offer b;
    const char *to = accept ? "accepted" : "rejected";
    if ((rc = offer_get(ctx, id, &b)))
        goto out;
    if (strcmp(b.status, "sent") != 0) {
        rc = bad_move(ctx, &b, to, NULL);
        goto out;
    }
    if (accept && (rc = expired(ctx, &b)))
        goto out;
    if ((rc = offer_set_status(ctx, &b, to, reason ? reason : "", 0, 1)))
        goto out;
    rc = offer_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err offer_new_version(struct kam_ctx *ctx, int64_t id, struct offer *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct offer b;
    int64_t nid = 0, newest = 0;
    if ((rc = offer_get(ctx, id, &b)))
        goto out;
    if ((rc = db_query_i64(ctx->db,
                           "SELECT MAX(version_no) FROM offers WHERE COALESCE(root_id, id) = ?", 1,
                           b.root_id, &newest, ctx->err)))
        goto out;
    if (!strcmp(b.status, "converted") || !strcmp(b.status, "superseded") ||
        newest != b.version_no) {
        rc = bad_move(ctx, &b, "superseded", "offer.not_newest");
        goto out;
    }
    if (b.approval && !strcmp(b.approval->status, "pending") &&
        (rc = approval_close(ctx, b.approval_id, "withdrawn")))
        goto out;
    if ((rc = offer_set_status(ctx, &b, "superseded", NULL, 0, 0)) ||
        (rc = offer_copy_version(ctx, &b, &nid)))
        goto out;
    rc = offer_get(ctx, nid, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* Who confirms for a department: an account member of that department (dept_role), for
 * service also a user of the service role; a director or an admin for anyone. */
static enum kam_err may_confirm(struct kam_ctx *ctx, int64_t account_id, const char *dept, int *yes)
{
    *yes = 0;
    if (ctx->who.role == ROLE_DIRECTOR || ctx->who.role == ROLE_ADMIN ||
        (!strcmp(dept, "service") && ctx->who.role == ROLE_SERVICE)) {
        *yes = 1;
        return KAM_OK;
    }
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT 1 FROM account_members WHERE account_id = ? AND "
                                 "user_id = ? AND dept_role = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_i64(st, 2, ctx->who.user_id);
    db_bind_text(st, 3, dept);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    *yes = row;
    return rc;
}

enum kam_err offer_cust_update(struct kam_ctx *ctx, int64_t id, int64_t cid,
                               const struct offer_cust_patch *in, struct offer *out)
{
    enum kam_err rc;
    if ((in->set & OCP_FEASIBILITY) &&
        (rc = check_enum(ctx, "feasibility", in->feasibility, offer_feasibilities)))
        return rc;
    if ((in->set & OCP_NOTE) &&
        (rc = check_text(ctx, "note", in->note, 0, OFFER_NOTE_MAX, CHECK_MULTILINE)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct offer b;
    if ((rc = offer_get(ctx, id, &b)))
        goto out;
    const struct offer_cust *c = NULL;
    for (size_t i = 0; i < b.ncusts; i++)
        if (b.custs[i].id == cid)
            c = &b.custs[i];
    if (!c) {
        rc = kam_fail_key(ctx->err, KAM_ENOTFOUND, "cid", "offer.no_customisation", NULL,
                          "no such customisation");
        goto out;
    }
    if (!strcmp(b.status, "converted") || !strcmp(b.status, "superseded")) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "offer.closed",
                          (struct kam_param[]){{"status", b.status}, {0}},
                          "the offer is %s: its customisations are closed", b.status);
        goto out;
    }
    const char *feas = (in->set & OCP_FEASIBILITY) ? in->feasibility : c->feasibility;
    const char *note = (in->set & OCP_NOTE) ? in->note : c->note;
    int confirm = (in->set & OCP_CONFIRM) && in->confirm;
    /* a change without a confirmation drops the one there was (it confirmed other words) */
    int unconfirm =
        !confirm && c->has_confirmed && (strcmp(feas, c->feasibility) || strcmp(note, c->note));
    if (confirm) {
        int yes = 0;
        if ((rc = may_confirm(ctx, b.account_id, c->confirm_by, &yes)))
            goto out;
        if (!yes) {
            rc = kam_fail_key(ctx->err, KAM_EFORBIDDEN, "confirm", "offer.not_confirmer",
                              (struct kam_param[]){{"dept", c->confirm_by}, {0}},
                              "only the account's %s department confirms this request",
                              c->confirm_by);
            goto out;
        }
        if (!strcmp(feas, "open")) {
            rc = kam_fail_key(ctx->err, KAM_EINVAL, "feasibility", "offer.confirm_open", NULL,
                              "say whether it is feasible before confirming");
            goto out;
        }
    }
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "UPDATE offer_customisations SET feasibility = ?, note = ?, "
                         "confirmed_by = CASE WHEN ? = 1 THEN ? WHEN ? = 1 THEN NULL ELSE "
                         "confirmed_by END, confirmed_at = CASE WHEN ? = 1 THEN ? WHEN ? = 1 THEN "
                         "NULL ELSE confirmed_at END WHERE id = ? AND offer_id = ?",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, feas);
    db_bind_text(st, 2, note);
    db_bind_i64(st, 3, confirm);
    db_bind_i64(st, 4, ctx->who.user_id);
    db_bind_i64(st, 5, unconfirm);
    db_bind_i64(st, 6, confirm);
    db_bind_i64(st, 7, ctx->now);
    db_bind_i64(st, 8, unconfirm);
    db_bind_i64(st, 9, cid);
    db_bind_i64(st, 10, id);
    if ((rc = db_run(st, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_i64(&d, "customisation_id", 0, 1, cid, 0);
    audit_diff_str(&d, "feasibility", c->feasibility, feas);
    audit_diff_str(&d, "customisation_note", c->note, note);
    if (confirm)
        audit_diff_i64(&d, "confirmed_by", c->confirmed_by, !c->has_confirmed, ctx->who.user_id, 0);
    if (unconfirm)
        audit_diff_i64(&d, "confirmed_by", c->confirmed_by, 0, 0, 1);
    if (d.n > 1 && (rc = audit_write(ctx, "offer", id, b.account_id, "update", &d)))
        goto out;
    if (d.n <= 1)
        audit_diff_release(&d);
    rc = offer_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err offer_cust_confirm(struct kam_ctx *ctx, int64_t id, int64_t cid,
                                const char *feasibility, const char *note, struct offer *out)
{
    if (!feasibility)
        return kam_fail_key(ctx->err, KAM_EINVAL, "feasibility", "required",
                            (struct kam_param[]){{"field", "feasibility"}, {0}},
                            "feasibility is required");
    struct offer_cust_patch in = {0};
    in.set = OCP_FEASIBILITY | OCP_CONFIRM | (note ? OCP_NOTE : 0);
    in.feasibility = feasibility;
    in.note = note;
    in.confirm = 1;
    return offer_cust_update(ctx, id, cid, &in, out);
}

enum kam_err offer_expire_due(struct kam_ctx *ctx, int64_t *expired_out)
{
    *expired_out = 0;
    const char *today = offer_today(ctx);
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct db_stmt *st;
    int64_t ids[200];
    size_t n = 0;
    if ((rc = db_prepare(ctx->db,
                         "SELECT id FROM offers WHERE status = 'sent' AND valid_until < ? "
                         "ORDER BY id LIMIT 200",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, today);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row)
        ids[n++] = db_col_i64(st, 0);
    db_done(st);
    for (size_t i = 0; !rc && i < n; i++) {
        struct offer b;
        if ((rc = offer_get(ctx, ids[i], &b)))
            break;
        rc = offer_set_status(ctx, &b, "expired", NULL, 0, 1);
    }
    if (!rc)
        *expired_out = (int64_t)n;
out:
    return db_end(ctx->db, rc, ctx->err);
}
