/* update.c -- the update skeleton (see update.h). */
#include "update.h"
#include "store/db.h"

#include <string.h>

static int64_t i64_at(const void *p, size_t at)
{
    int64_t v;
    memcpy(&v, (const unsigned char *)p + at, sizeof v);
    return v;
}

/* 1 and *v when the input names the version it was edited from. */
static int asked_version(const struct update_spec *spec, const void *in, int64_t *v)
{
    unsigned set;
    if (!spec->versioned || !spec->in_version_bit || !in)
        return 0;
    memcpy(&set, (const unsigned char *)in + spec->in_set_at, sizeof set);
    *v = i64_at(in, spec->in_version_at);
    return (set & spec->in_version_bit) != 0;
}

static const char *noun(const struct update_spec *spec)
{
    return spec->noun ? spec->noun : spec->entity;
}

enum kam_err record_save(struct kam_ctx *ctx, const struct update_spec *spec, int64_t id,
                         const void *before, const void *after, const void *in, const char *action,
                         int *changed_out)
{
    if (changed_out)
        *changed_out = 0;
    struct audit_diff d;
    audit_diff_init(&d);
    const struct update_op op = {ctx, id, before, after, in, &d};
    spec->diff(&op);
    if (d.n == 0) {
        audit_diff_release(&d);
        return KAM_OK;
    }
    enum kam_err rc = spec->write(&op);
    if (!rc && spec->versioned && db_changes(ctx->db) != 1)
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version", NULL,
                          "the %s was changed meanwhile", noun(spec));
    if (!rc && spec->then)
        rc = spec->then(&op);
    if (rc) {
        audit_diff_release(&d);
        return rc;
    }
    if ((rc = audit_write(ctx, spec->entity, id, spec->account_of ? spec->account_of(after) : 0,
                          action, &d)))
        return rc;
    if (changed_out)
        *changed_out = 1;
    return spec->after ? spec->after(&op) : KAM_OK;
}

enum kam_err record_update(struct kam_ctx *ctx, const struct update_spec *spec, int64_t id,
                           const void *in, void *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    void *before = arena_alloc(ctx->a, spec->size), *after = arena_alloc(ctx->a, spec->size);
    int64_t asked;
    int changed = 0;
    if ((rc = spec->get(ctx, id, before)))
        goto out;
    if (asked_version(spec, in, &asked) && asked != i64_at(before, spec->version_at)) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version", NULL,
                          "the %s was changed by someone else (version %lld, now %lld)", noun(spec),
                          (long long)asked, (long long)i64_at(before, spec->version_at));
        goto out;
    }
    memcpy(after, before, spec->size);
    const struct update_op op = {ctx, id, before, after, in, NULL};
    if ((rc = spec->merge(&op, after)) ||
        (rc = record_save(ctx, spec, id, before, after, in, "update", &changed)))
        goto out;
    if (changed)
        rc = spec->get(ctx, id, out);
    else
        memcpy(out, before, spec->size);
out:
    return db_end(ctx->db, rc, ctx->err);
}
