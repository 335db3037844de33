/* update.h -- the one skeleton of every PATCH: load, check the version, merge and validate,
 * diff, write the row, side effects, audit, reload -- in one transaction.
 *
 * A service describes its record once in a struct update_spec (callbacks take void pointers to
 * its own record type and input type) and record_update() runs the steps:
 *
 *     begin; get(id) -> before
 *     versioned and the input names a stale version -> 409 "version"
 *     after = before; merge(after, in): copy the given fields, check the result (may read, never
 *         writes); errors name the field
 *     diff(before, after): nothing changed -> out = before, no write, no audit row, no new version
 *     write(before, after): the row's UPDATE; versioned: it sets version = version + 1 and is
 *         guarded by "AND version = ?" bound to before's version, and unless exactly one row
 *         changed -> 409 "version" (someone else won the race)
 *     then(): side effects that belong before the audit row (may add fields to the diff)
 *     audit_write(entity, id, account_of(after), "update", diff)
 *     after(): side effects after the audit row (rollups, tier history, notifications, rescoring)
 *     get(id) -> out; db_end (commit on KAM_OK, roll back otherwise)
 *
 * record_save() is the middle of it (diff .. after) for writes that are not a PATCH of the
 * input -- a workflow move, an escalation -- so they share the version guard and the audit.
 *
 * Usage (svc/relationships/contact.c; each callback is a few lines over the file's own merge,
 * validate, diff_all and bind_fields):
 *
 *     static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
 *     {
 *         return contact_get(ctx, id, rec);
 *     }
 *     static enum kam_err up_merge(const struct update_op *op, void *rec)
 *     {
 *         merge(rec, op->in);
 *         return validate(op->ctx, rec);     (+ checks against op->before: a new reports_to)
 *     }
 *     static void up_diff(const struct update_op *op)
 *     {
 *         diff_all(op->diff, op->before, op->after);
 *     }
 *     static enum kam_err up_write(const struct update_op *op)
 *     {
 *         const struct contact *c = op->after, *b = op->before;
 *         ... db_prepare "UPDATE contacts SET name = ?, ..., version = version + 1,
 *             updated_at = ? WHERE id = ? AND version = ?"; bind_fields(st, c); now; c->id;
 *             b->version ...
 *         return db_run(st, op->ctx->err);
 *     }
 *     static int64_t up_account(const void *rec)
 *     {
 *         return ((const struct contact *)rec)->account_id;
 *     }
 *     static const struct update_spec contact_spec = {
 *         .entity = "contact",
 *         .size = sizeof(struct contact),
 *         .versioned = 1,
 *         .version_at = offsetof(struct contact, version),
 *         .in_set_at = offsetof(struct contact_in, set),
 *         .in_version_at = offsetof(struct contact_in, v.version),
 *         .in_version_bit = CON_VERSION,
 *         .get = up_get, .merge = up_merge, .diff = up_diff, .write = up_write,
 *         .account_of = up_account,
 *     };
 *     enum kam_err contact_update(struct kam_ctx *ctx, int64_t id, const struct contact_in *in,
 *                                 struct contact *out)
 *     {
 *         return record_update(ctx, &contact_spec, id, in, out);
 *     }
 *
 * A record without a version leaves .versioned and the in_* fields 0; an input that is not
 * one struct (sla_update's arguments, user_update's password hash) is wrapped in a small local
 * struct whose address is passed as `in`.
 */
#ifndef KAM_UPDATE_H
#define KAM_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "ctx.h"

/* One update as the callbacks see it. before, after and out point to the service's record
 * struct (spec->size bytes); in to whatever record_update's caller passed (NULL from
 * record_save). */
struct update_op {
    struct kam_ctx *ctx;
    int64_t id;
    const void *before;      /* the record as loaded */
    const void *after;       /* before with the input merged in: what write stores */
    const void *in;          /* the input */
    struct audit_diff *diff; /* the audit row: diff fills it, then may add to it (NULL in merge) */
};

struct update_spec {
    const char *entity; /* audit entity: "contact", "target_plan" */
    const char *noun;   /* in messages ("the plan was changed ..."); NULL: entity */
    size_t size;        /* sizeof the record */
    /* Optimistic versions: the record has an int64_t version at version_at. */
    int versioned;
    size_t version_at;
    /* Versioned: the input's `unsigned set` (at in_set_at) has in_version_bit when the client
     * names the version it edited (an int64_t at in_version_at). in_version_bit 0: never. */
    size_t in_set_at, in_version_at;
    unsigned in_version_bit;

    /* Reads record id; KAM_ENOTFOUND (field "id") when there is none. Required. */
    enum kam_err (*get)(struct kam_ctx *ctx, int64_t id, void *rec);
    /* rec (op->after) holds a copy of before: copy the fields of op->in over it and check the
     * result (errors name the field). May read the database; must not write. Required. */
    enum kam_err (*merge)(const struct update_op *op, void *rec);
    /* Records in op->diff the audited fields that differ. Everything write stores must be
     * covered: an empty diff means "nothing changed" and nothing is written. Required. */
    void (*diff)(const struct update_op *op);
    /* The row's UPDATE (see the top of this file for the version rule). Required. */
    enum kam_err (*write)(const struct update_op *op);
    /* The account the audit row belongs to; NULL: none (0). */
    int64_t (*account_of)(const void *rec);
    /* Optional: after the row, before its audit row; may add fields to op->diff. */
    enum kam_err (*then)(const struct update_op *op);
    /* Optional: after the audit row. */
    enum kam_err (*after)(const struct update_op *op);
};

/* Runs the whole skeleton above for record id with input in; *out (spec->size bytes) is the
 * record as it is now (before, when nothing changed). Opens its own transaction (nested in the
 * caller's, if any). */
enum kam_err record_update(struct kam_ctx *ctx, const struct update_spec *spec, int64_t id,
                           const void *in, void *out);

/* The steps from diff to `after` for id, inside the caller's transaction: nothing when before
 * and after do not differ (*changed_out 0), else write, then, audit row with `action`, after
 * (*changed_out 1). changed_out may be NULL. */
enum kam_err record_save(struct kam_ctx *ctx, const struct update_spec *spec, int64_t id,
                         const void *before, const void *after, const void *in, const char *action,
                         int *changed_out);

#endif
