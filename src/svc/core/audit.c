/* audit.c -- writing and reading the audit log, and its hash chain (see audit.h). */
#include "audit.h"
#include "document.h"
#include "policy.h"
#include "settings.h"
#include "store/db.h"
#include "svc/risk/alert.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void audit_diff_init(struct audit_diff *d)
{
    buf_init(&d->b, 1 << 20);
    jw_init(&d->w, &d->b);
    jw_obj_begin(&d->w);
    d->n = 0;
}

void audit_diff_release(struct audit_diff *d)
{
    buf_release(&d->b);
}

void audit_diff_str(struct audit_diff *d, const char *field, const char *before, const char *after)
{
    if (!before && !after)
        return;
    if (before && after && strcmp(before, after) == 0)
        return;
    jw_key(&d->w, field);
    jw_arr_begin(&d->w);
    jw_str(&d->w, before);
    jw_str(&d->w, after);
    jw_arr_end(&d->w);
    d->n++;
}

void audit_diff_i64(struct audit_diff *d, const char *field, int64_t before, int before_null,
                    int64_t after, int after_null)
{
    if (before_null && after_null)
        return;
    if (!before_null && !after_null && before == after)
        return;
    jw_key(&d->w, field);
    jw_arr_begin(&d->w);
    if (before_null)
        jw_null(&d->w);
    else
        jw_i64(&d->w, before);
    if (after_null)
        jw_null(&d->w);
    else
        jw_i64(&d->w, after);
    jw_arr_end(&d->w);
    d->n++;
}

void audit_diff_time(struct audit_diff *d, const char *field, int64_t before, int before_null,
                     int64_t after, int after_null)
{
    if (before_null && after_null)
        return;
    if (!before_null && !after_null && before == after)
        return;
    jw_key(&d->w, field);
    jw_arr_begin(&d->w);
    jw_time(&d->w, before_null ? -1 : before);
    jw_time(&d->w, after_null ? -1 : after);
    jw_arr_end(&d->w);
    d->n++;
}

/* ---- the hash chain ---------------------------------------------------------------------- */

#define HASH_BYTES 32
#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define BACKFILL_BATCH 256

/* One row as the hash sees it. Text is borrowed. */
struct chain_row {
    int64_t seq, id, at, user_id, entity_id, account_id; /* user_id, account_id 0: NULL */
    const char *entity, *action, *changes;
    size_t entity_len, action_len, changes_len;
};

static void put_u64(crypto_generichash_state *s, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (56 - 8 * i));
    crypto_generichash_update(s, b, sizeof b);
}

/* A nullable integer: a presence byte, then the value (0 for NULL). */
static void put_i64n(crypto_generichash_state *s, int64_t v)
{
    unsigned char present = v != 0;
    crypto_generichash_update(s, &present, 1);
    put_u64(s, (uint64_t)v);
}

/* Text: its length in bytes, then the bytes, so no two field lists encode alike. */
static void put_str(crypto_generichash_state *s, const char *p, size_t n)
{
    put_u64(s, n);
    crypto_generichash_update(s, (const unsigned char *)p, n);
}

/* BLAKE2b-256 of the row's stored fields and prev (32 bytes), as lowercase hex. Changing this
 * encoding breaks every stored chain: a new one needs a new version tag and a migration. */
static void row_hash(const struct chain_row *r, const unsigned char prev[HASH_BYTES],
                     char hex_out[AUDIT_HASH_HEX])
{
    static const char tag[] = "kam-audit-v1";
    crypto_generichash_state s;
    unsigned char h[HASH_BYTES];
    crypto_generichash_init(&s, NULL, 0, sizeof h);
    put_str(&s, tag, sizeof tag - 1);
    put_u64(&s, (uint64_t)r->seq);
    put_u64(&s, (uint64_t)r->id);
    put_u64(&s, (uint64_t)r->at);
    put_i64n(&s, r->user_id);
    put_str(&s, r->entity, r->entity_len);
    put_u64(&s, (uint64_t)r->entity_id);
    put_i64n(&s, r->account_id);
    put_str(&s, r->action, r->action_len);
    put_str(&s, r->changes, r->changes_len);
    crypto_generichash_update(&s, prev, HASH_BYTES);
    crypto_generichash_final(&s, h, sizeof h);
    sodium_bin2hex(hex_out, AUDIT_HASH_HEX, h, sizeof h);
}

/* 64 lowercase hex digits into 32 bytes; 0 when hex is anything else. */
static int hash_parse(const char *hex, unsigned char out[HASH_BYTES])
{
    size_t got = 0;
    if (strlen(hex) != 2 * HASH_BYTES || strspn(hex, "0123456789abcdef") != 2 * HASH_BYTES)
        return 0;
    return sodium_hex2bin(out, HASH_BYTES, hex, 2 * HASH_BYTES, NULL, &got, NULL) == 0 &&
           got == HASH_BYTES;
}

/* Takes the head's row lock, moves the head to seq + 1 (hash still the old one) and returns
 * both. The head's key is its seq, so each move is a new index entry: on PostgreSQL, updating
 * one key in place many times in one transaction (the demo, an accounts import) makes every
 * later lookup walk all the versions before it, quadratic in the rows written. A second writer
 * blocks on the first one's row lock; when the first commits, the row it waited for has another
 * seq, so its UPDATE matches nothing and it reads the new head on the next try. */
static enum kam_err head_lock(struct kam_ctx *ctx, int64_t *seq_out, char hash_out[AUDIT_HASH_HEX],
                              int *unchained_out)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        struct db_stmt *st;
        enum kam_err rc =
            db_prepare(ctx->db,
                       "UPDATE audit_head SET seq = seq + 1 WHERE seq = (SELECT MAX(seq) FROM "
                       "audit_head) RETURNING seq, hash, unchained",
                       &st, ctx->err);
        if (rc)
            return rc;
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row) {
            *seq_out = db_col_i64(st, 0) - 1;
            snprintf(hash_out, AUDIT_HASH_HEX, "%s", db_col_text(st, 1));
            *unchained_out = db_col_i64(st, 2) != 0;
        }
        db_done(st);
        if (rc || row)
            return rc;
        int64_t n = 0;
        rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM audit_head", 0, 0, &n, ctx->err);
        if (rc)
            return rc;
        if (n == 0)
            return kam_fail(ctx->err, KAM_EINTERNAL, "",
                            "the audit chain has no head (audit_head)");
    }
    return kam_fail(ctx->err, KAM_EBUSY, "", "the audit chain's head kept moving; retry");
}

/* Sets the head (already moved to at least seq by head_lock, in this transaction) to seq, hash:
 * one row, so the key of that row is whatever head_lock left. */
static enum kam_err head_store(struct kam_ctx *ctx, int64_t seq, const char *hash)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "UPDATE audit_head SET seq = ?, hash = ?, unchained = 0 WHERE seq = (SELECT "
                   "MAX(seq) FROM audit_head)",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, seq);
    db_bind_text(st, 2, hash);
    return db_run(st, ctx->err);
}

/* Chains every row without seq, in id order, after (*seq, hash); advances both. Under the head
 * lock. Reads in batches into a scratch arena: the rows it updates are the ones it selects. */
static enum kam_err backfill_locked(struct kam_ctx *ctx, int64_t *seq, char hash[AUDIT_HASH_HEX],
                                    int64_t *chained)
{
    enum kam_err rc = KAM_OK;
    struct arena scratch;
    arena_init(&scratch);
    size_t n = BACKFILL_BATCH;
    while (!rc && n == BACKFILL_BATCH) {
        struct chain_row rows[BACKFILL_BATCH];
        struct db_stmt *st;
        n = 0;
        rc = db_prepare(ctx->db,
                        "SELECT id, at, user_id, entity, entity_id, account_id, action, changes "
                        "FROM audit WHERE seq IS NULL ORDER BY id LIMIT ?",
                        &st, ctx->err);
        if (rc)
            break;
        db_bind_i64(st, 1, BACKFILL_BATCH);
        int row = 0;
        while (!(rc = db_step(st, &row, ctx->err)) && row) {
            struct chain_row *r = &rows[n++];
            memset(r, 0, sizeof *r);
            r->id = db_col_i64(st, 0);
            r->at = db_col_i64(st, 1);
            r->user_id = db_col_is_null(st, 2) ? 0 : db_col_i64(st, 2);
            const char *t = db_col_textn(st, 3, &r->entity_len);
            r->entity = arena_strndup(&scratch, t, r->entity_len);
            r->entity_id = db_col_i64(st, 4);
            r->account_id = db_col_is_null(st, 5) ? 0 : db_col_i64(st, 5);
            t = db_col_textn(st, 6, &r->action_len);
            r->action = arena_strndup(&scratch, t, r->action_len);
            t = db_col_textn(st, 7, &r->changes_len);
            r->changes = arena_strndup(&scratch, t, r->changes_len);
        }
        db_done(st);
        for (size_t i = 0; i < n && !rc; i++) {
            unsigned char prev[HASH_BYTES];
            if (!hash_parse(hash, prev)) {
                rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "the audit head's hash is not valid");
                break;
            }
            char h[AUDIT_HASH_HEX];
            rows[i].seq = *seq + 1;
            row_hash(&rows[i], prev, h);
            rc = db_prepare(ctx->db,
                            "UPDATE audit SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?", &st,
                            ctx->err);
            if (rc)
                break;
            db_bind_i64(st, 1, rows[i].seq);
            db_bind_text(st, 2, hash);
            db_bind_text(st, 3, h);
            db_bind_i64(st, 4, rows[i].id);
            rc = db_run(st, ctx->err);
            if (!rc) {
                *seq = rows[i].seq;
                memcpy(hash, h, AUDIT_HASH_HEX);
                (*chained)++;
            }
        }
        arena_release(&scratch);
        arena_init(&scratch);
    }
    arena_release(&scratch);
    return rc;
}

enum kam_err audit_chain_backfill(struct kam_ctx *ctx, int64_t *chained_out)
{
    int64_t chained = 0, flag = 0;
    /* Unlocked look first: the usual answer is "nothing to do", and that should not write. */
    enum kam_err rc =
        db_query_i64(ctx->db, "SELECT unchained FROM audit_head ORDER BY seq DESC LIMIT 1", 0, 0,
                     &flag, ctx->err);
    if (rc == KAM_ENOTFOUND)
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "the audit chain has no head (audit_head)");
    if (!rc && flag) {
        rc = db_begin(ctx->db, ctx->err);
        if (rc)
            return rc;
        int64_t seq = 0;
        char hash[AUDIT_HASH_HEX];
        int unchained = 0;
        rc = head_lock(ctx, &seq, hash, &unchained);
        if (!rc && unchained)
            rc = backfill_locked(ctx, &seq, hash, &chained);
        if (!rc) /* also when another writer chained them meanwhile: head_lock moved the head */
            rc = head_store(ctx, seq, hash);
        rc = db_end(ctx->db, rc, ctx->err);
    }
    if (chained_out)
        *chained_out = rc ? 0 : chained;
    return rc;
}

enum kam_err audit_chain_head(struct kam_ctx *ctx, int64_t *seq_out, char hash_out[AUDIT_HASH_HEX])
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT seq, hash FROM audit_head ORDER BY seq DESC LIMIT 1", &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        *seq_out = db_col_i64(st, 0);
        snprintf(hash_out, AUDIT_HASH_HEX, "%s", db_col_text(st, 1));
    }
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "the audit chain has no head (audit_head)");
    return rc;
}

/* The audit rows this transaction wrote, chained when it is about to commit (chain_pending). */
struct pending {
    int64_t *ids;
    size_t n, cap;
};

static void pending_free(void *arg)
{
    struct pending *p = arg;
    free(p->ids);
    free(p);
}

/* Chains row id, if it is still there unchained (a savepoint may have rolled it back), after the
 * head (*seq, hash), and advances both. */
static enum kam_err chain_one(struct kam_ctx *ctx, int64_t id, int64_t *seq,
                              char hash[AUDIT_HASH_HEX])
{
    unsigned char prev[HASH_BYTES];
    if (!hash_parse(hash, prev))
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "the audit head's hash is not valid");
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT at, user_id, entity, entity_id, account_id, action, "
                                 "changes FROM audit WHERE id = ? AND seq IS NULL",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    int row = 0;
    char h[AUDIT_HASH_HEX];
    struct chain_row r = {.id = id, .seq = *seq + 1};
    if (!(rc = db_step(st, &row, ctx->err)) && row) {
        r.at = db_col_i64(st, 0);
        r.user_id = db_col_is_null(st, 1) ? 0 : db_col_i64(st, 1);
        r.entity = db_col_textn(st, 2, &r.entity_len);
        r.entity_id = db_col_i64(st, 3);
        r.account_id = db_col_is_null(st, 4) ? 0 : db_col_i64(st, 4);
        r.action = db_col_textn(st, 5, &r.action_len);
        r.changes = db_col_textn(st, 6, &r.changes_len);
        row_hash(&r, prev, h); /* the text is borrowed until db_done */
    }
    db_done(st);
    if (rc || !row)
        return rc;
    if ((rc = db_prepare(ctx->db, "UPDATE audit SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, r.seq);
    db_bind_text(st, 2, hash);
    db_bind_text(st, 3, h);
    db_bind_i64(st, 4, id);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    *seq = r.seq;
    memcpy(hash, h, AUDIT_HASH_HEX);
    return KAM_OK;
}

/* The commit hook (db_before_commit): takes the head's lock, chains rows from before the chain
 * if any are left, then this transaction's rows in the order they were written, and moves the
 * head. Last in the transaction, so the head is locked only for the commit itself: two
 * transactions never hold it while waiting for each other's rows. */
static enum kam_err chain_pending(struct db *db, void *arg, struct kam_error *e)
{
    struct pending *p = arg;
    struct kam_ctx c = {.db = db, .err = e};
    int64_t seq = 0, chained = 0, left = 0, old = 0;
    char hash[AUDIT_HASH_HEX];
    int unchained = 0;
    /* Nothing to chain when savepoints rolled every row back (a dry-run import): then the head
     * is not even locked. Rows of this transaction are the only unchained ones it can see in
     * the range of its ids, but for rows added outside kam, which only cost the lock. */
    if (p->n == 0)
        return KAM_OK;
    int64_t lo = p->ids[0], hi = p->ids[0];
    for (size_t i = 1; i < p->n; i++) {
        lo = p->ids[i] < lo ? p->ids[i] : lo;
        hi = p->ids[i] > hi ? p->ids[i] : hi;
    }
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        db,
        "SELECT COUNT(*), (SELECT unchained FROM audit_head ORDER BY seq DESC LIMIT 1) FROM "
        "audit WHERE seq IS NULL AND id >= ? AND id <= ?",
        &st, e);
    if (rc)
        return rc;
    db_bind_i64(st, 1, lo);
    db_bind_i64(st, 2, hi);
    int row = 0;
    if (!(rc = db_step(st, &row, e)) && row) {
        left = db_col_i64(st, 0);
        old = db_col_is_null(st, 1) ? 0 : db_col_i64(st, 1);
    }
    db_done(st);
    if (rc || (left == 0 && old == 0))
        return rc;
    rc = head_lock(&c, &seq, hash, &unchained);
    if (!rc && unchained)
        rc = backfill_locked(&c, &seq, hash, &chained);
    for (size_t i = 0; !rc && i < p->n; i++)
        rc = chain_one(&c, p->ids[i], &seq, hash);
    return rc ? rc : head_store(&c, seq, hash);
}

/* Notes id for chaining when the transaction commits. */
static enum kam_err pending_add(struct kam_ctx *ctx, int64_t id)
{
    struct pending *p = db_commit_arg(ctx->db, chain_pending);
    if (!p) {
        if (!(p = calloc(1, sizeof *p)))
            return kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
        enum kam_err rc = db_before_commit(ctx->db, chain_pending, pending_free, p, ctx->err);
        if (rc) {
            free(p);
            return rc;
        }
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        int64_t *ids = realloc(p->ids, cap * sizeof *ids);
        if (!ids)
            return kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
        p->ids = ids;
        p->cap = cap;
    }
    p->ids[p->n++] = id;
    return KAM_OK;
}

enum kam_err audit_write(struct kam_ctx *ctx, const char *entity, int64_t entity_id,
                         int64_t account_id, const char *action, struct audit_diff *d)
{
    enum kam_err rc = KAM_OK;
    int own_tx = 0;
    if (d->n == 0 && strcmp(action, "update") == 0)
        goto out;
    jw_obj_end(&d->w);
    if (!buf_ok(&d->b)) {
        rc = kam_fail(ctx->err, KAM_ETOOBIG, "", "audit record too large");
        goto out;
    }
    /* The row is written now and chained when its transaction commits (chain_pending); callers
     * are normally in their own transaction already. */
    own_tx = !db_in_tx(ctx->db);
    if (own_tx && (rc = db_begin(ctx->db, ctx->err)))
        goto out;
    struct db_stmt *st;
    if (!(rc = db_prepare(ctx->db,
                          "INSERT INTO audit (at, user_id, entity, entity_id, account_id, action, "
                          "changes) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          &st, ctx->err))) {
        db_bind_i64(st, 1, ctx->now);
        db_bind_i64n(st, 2, ctx->who.user_id, ctx->who.user_id == 0);
        db_bind_text(st, 3, entity);
        db_bind_i64(st, 4, entity_id);
        db_bind_i64n(st, 5, account_id, account_id == 0);
        db_bind_text(st, 6, action);
        db_bind_textn(st, 7, d->b.data, d->b.len);
        int row = 0;
        int64_t id = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row)
            id = db_col_i64(st, 0);
        db_done(st);
        if (!rc && !row)
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "INSERT INTO audit returned no id");
        if (!rc)
            rc = pending_add(ctx, id);
    }
    if (own_tx)
        rc = db_end(ctx->db, rc, ctx->err);
out:
    audit_diff_release(d);
    return rc;
}

static void broken(struct audit_chain_report *out, int64_t seq, int64_t id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void broken(struct audit_chain_report *out, int64_t seq, int64_t id, const char *fmt, ...)
{
    if (!out->intact)
        return;
    out->intact = 0;
    out->bad_seq = seq;
    out->bad_id = id;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->problem, sizeof out->problem, fmt, ap);
    va_end(ap);
}

enum kam_err audit_chain_verify(struct kam_ctx *ctx, struct audit_chain_report *out)
{
    memset(out, 0, sizeof *out);
    out->intact = 1;
    int64_t unchained = 0;
    enum kam_err rc = audit_chain_head(ctx, &out->head_seq, out->head_hash);
    if (!rc)
        rc = db_query_i64(ctx->db, "SELECT unchained FROM audit_head ORDER BY seq DESC LIMIT 1", 0,
                          0, &unchained, ctx->err);
    if (rc)
        return rc;
    int64_t last_seq = 0, last_id = 0;
    char last_hash[AUDIT_HASH_HEX] = GENESIS;
    size_t n = BACKFILL_BATCH;
    /* In pages by seq: bounded memory whatever the engine's driver buffers. */
    while (!rc && out->intact && n == BACKFILL_BATCH) {
        struct db_stmt *st;
        n = 0;
        rc = db_prepare(ctx->db,
                        "SELECT seq, id, at, user_id, entity, entity_id, account_id, action, "
                        "changes, prev_hash, hash FROM audit WHERE seq > ? AND seq <= ? ORDER BY "
                        "seq LIMIT ?",
                        &st, ctx->err);
        if (rc)
            break;
        db_bind_i64(st, 1, last_seq);
        db_bind_i64(st, 2, out->head_seq);
        db_bind_i64(st, 3, BACKFILL_BATCH);
        int row = 0;
        while (out->intact && !(rc = db_step(st, &row, ctx->err)) && row) {
            n++;
            struct chain_row r = {0};
            r.seq = db_col_i64(st, 0);
            r.id = db_col_i64(st, 1);
            r.at = db_col_i64(st, 2);
            r.user_id = db_col_is_null(st, 3) ? 0 : db_col_i64(st, 3);
            r.entity = db_col_textn(st, 4, &r.entity_len);
            r.entity_id = db_col_i64(st, 5);
            r.account_id = db_col_is_null(st, 6) ? 0 : db_col_i64(st, 6);
            r.action = db_col_textn(st, 7, &r.action_len);
            r.changes = db_col_textn(st, 8, &r.changes_len);
            const char *prev_hex = db_col_text(st, 9), *stored = db_col_text(st, 10);
            unsigned char prev[HASH_BYTES];
            char h[AUDIT_HASH_HEX] = "";
            if (hash_parse(prev_hex, prev))
                row_hash(&r, prev, h);
            if (r.seq != last_seq + 1) {
                broken(out, last_seq + 1, 0,
                       "audit rows seq %lld to %lld were removed (the next row is seq %lld, id "
                       "%lld)",
                       (long long)(last_seq + 1), (long long)(r.seq - 1), (long long)r.seq,
                       (long long)r.id);
            } else if (!*h || strcmp(h, stored) != 0) {
                broken(out, r.seq, r.id,
                       "audit row seq %lld (id %lld) was changed: its content does not match "
                       "its hash",
                       (long long)r.seq, (long long)r.id);
            } else if (strcmp(prev_hex, last_hash) != 0) {
                if (last_seq == 0)
                    broken(out, r.seq, r.id,
                           "audit row seq 1 (id %lld) was changed: it does not start the chain",
                           (long long)r.id);
                else
                    broken(out, last_seq, last_id,
                           "audit row seq %lld (id %lld) was changed or replaced: row seq %lld "
                           "was chained to a different hash",
                           (long long)last_seq, (long long)last_id, (long long)r.seq);
            }
            if (out->intact) {
                last_seq = r.seq;
                last_id = r.id;
                memcpy(last_hash, stored, AUDIT_HASH_HEX);
                out->rows++;
            }
        }
        db_done(st);
    }
    if (rc || !out->intact)
        return rc;
    if (last_seq < out->head_seq)
        broken(out, last_seq + 1, 0,
               "audit rows seq %lld to %lld were removed (the head is at seq %lld)",
               (long long)(last_seq + 1), (long long)out->head_seq, (long long)out->head_seq);
    else if (strcmp(last_hash, out->head_hash) != 0)
        broken(out, last_seq, last_id,
               "audit row seq %lld (id %lld) was changed or replaced, or the head was: the head "
               "records a different hash",
               (long long)last_seq, (long long)last_id);
    if (!out->intact)
        return KAM_OK;
    /* Rows the walk could not see: beyond the head as it is now (one statement, one snapshot,
     * so rows committed meanwhile with their head are not counted), or without seq. */
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "SELECT seq, id FROM audit WHERE seq > (SELECT MAX(seq) FROM audit_head) ORDER "
                    "BY seq LIMIT 1",
                    &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        broken(out, db_col_i64(st, 0), db_col_i64(st, 1),
               "audit row seq %lld (id %lld) is beyond the head: it was added outside kam",
               (long long)db_col_i64(st, 0), (long long)db_col_i64(st, 1));
    db_done(st);
    if (rc || !out->intact)
        return rc;
    int64_t stray = 0;
    rc = db_query_i64(ctx->db, "SELECT id FROM audit WHERE seq IS NULL ORDER BY id LIMIT 1", 0, 0,
                      &stray, ctx->err);
    if (rc == KAM_ENOTFOUND) /* no row without seq; db_query_i64 set no error */
        return KAM_OK;
    if (!rc && unchained)
        broken(out, 0, stray,
               "audit rows from before the chain (from id %lld) are not chained yet: kam audit "
               "verify chains them",
               (long long)stray);
    else if (!rc)
        broken(out, 0, stray, "audit row id %lld is not in the chain: it was added outside kam",
               (long long)stray);
    return rc;
}

/* An account's whole history leaves out the rows of records the caller may not read (their
 * contents are in the rows: a follow-up's title, an order line's amounts). */
static const char *unreadable_entities(struct kam_ctx *ctx, int64_t account_id)
{
    static const struct {
        const char *entity;
        enum obj o;
    } objs[] = {
        {"contact", OBJ_CONTACT},
        {"account_member", OBJ_MEMBER},
        {"interaction", OBJ_INTERACTION},
        {"visit", OBJ_VISIT},
        {"issue", OBJ_ISSUE},
        {"care", OBJ_CARE},
        {"order_line", OBJ_SALES},
        {"target_plan", OBJ_TARGET},
        {"target_proposal", OBJ_PROPOSAL},
        {"measure", OBJ_MEASURE},
        {"need", OBJ_NEED},
        {"interview", OBJ_INTERVIEW},
        {"survey_link", OBJ_SURVEY_LINK},
        {"survey_response", OBJ_SURVEY_RESPONSE},
        {"follow_up", OBJ_FOLLOW_UP},
        {"risk", OBJ_RISK},
        {"gift", OBJ_GIFT},
        {"gift_budget", OBJ_GIFT},
        {"alert", OBJ_ALERT},
        {"invoice", OBJ_RECEIVABLE},
        {"payment", OBJ_RECEIVABLE},
        {"credit_limit", OBJ_CREDIT},
        {"credit_hold", OBJ_CREDIT},
        {"competitor_presence", OBJ_COMPETITION},
        {"competitor_move", OBJ_COMPETITION},
    };
    const char *out = "";
    if (ctx->who.user_id == 0)
        return out;
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        if (policy_grant(ctx->who.role, objs[i].o, ACT_READ) == GRANT_NONE)
            out = arena_printf(ctx->a, "%s%s'%s'", out, *out ? ", " : "", objs[i].entity);
    out = *out ? arena_printf(ctx->a, " AND entity NOT IN (%s)", out) : "";
    /* a document's rows: those attached to records of an object the caller may not read */
    out = arena_printf(ctx->a, "%s%s", out, document_audit_hidden(ctx));
    /* an alert's rows name its signal and measured value: those of signals the caller may not
     * read (risk/alert.h: receivables to a service user) stay out too */
    const char *hidden = "";
    for (size_t i = 0; policy_grant(ctx->who.role, OBJ_ALERT, ACT_READ) != GRANT_NONE; i++) {
        const struct signal_def *d = alert_signal_at(i);
        if (!d)
            break;
        int yes = 1;
        if (alert_may_read(ctx, d->key, account_id, &yes) != KAM_OK) {
            kam_error_clear(ctx->err); /* cannot tell: left out */
            yes = 0;
        }
        if (!yes)
            hidden = arena_printf(ctx->a, "%s%s'%s'", hidden, *hidden ? ", " : "", d->key);
    }
    if (*hidden)
        out = arena_printf(ctx->a,
                           "%s AND NOT (entity = 'alert' AND entity_id IN (SELECT id FROM alerts "
                           "WHERE signal IN (%s)))",
                           out, hidden);
    return out;
}

enum kam_err audit_list(struct kam_ctx *ctx, const struct audit_query *q,
                        struct audit_row **items_out, size_t *n_out, int *more_out)
{
    int by_account = strcmp(q->entity, "account") == 0;
    const char *sql =
        by_account ? arena_printf(ctx->a,
                                  "SELECT audit.id, at, user_id, COALESCE(users.login, ''), "
                                  "entity, entity_id, account_id, action, changes, "
                                  "COALESCE(users.name, '') FROM audit LEFT JOIN users ON "
                                  "users.id = audit.user_id WHERE account_id = ?%s AND audit.id "
                                  "< ? ORDER BY audit.id DESC LIMIT ?",
                                  unreadable_entities(ctx, q->entity_id))
                   : "SELECT audit.id, at, user_id, COALESCE(users.login, ''), entity, entity_id, "
                     "account_id, action, changes, COALESCE(users.name, '') FROM audit LEFT "
                     "JOIN users ON users.id = "
                     "audit.user_id WHERE entity = ? AND entity_id = ? AND audit.id < ? ORDER BY "
                     "audit.id DESC LIMIT ?";
    struct db_stmt *st;
    enum kam_err rc;
    if (!strcmp(q->entity, "alert") && ctx->who.user_id > 0) {
        /* one alert's history: for those who may read the alert itself (its signal's objects) */
        int yes = 1;
        if ((rc = db_prepare(ctx->db, "SELECT signal, account_id FROM alerts WHERE id = ?", &st,
                             ctx->err)))
            return rc;
        db_bind_i64(st, 1, q->entity_id);
        int row = 0;
        if (!(rc = db_step(st, &row, ctx->err)) && row)
            rc = alert_may_read(ctx, db_col_text(st, 0), db_col_i64(st, 1), &yes);
        db_done(st);
        if (rc)
            return rc;
        if (!yes)
            return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such alert");
    }
    if ((rc = db_prepare(ctx->db, sql, &st, ctx->err)))
        return rc;
    int i = 1;
    if (!by_account)
        db_bind_text(st, i++, q->entity);
    db_bind_i64(st, i++, q->entity_id);
    db_bind_i64(st, i++, q->before_id > 0 ? q->before_id : INT64_MAX);
    db_bind_i64(st, i++, q->limit + 1);
    struct audit_row *items = arena_calloc(ctx->a, (size_t)q->limit + 1, sizeof *items);
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        struct audit_row *r = &items[n++];
        r->id = db_col_i64(st, 0);
        r->at = db_col_i64(st, 1);
        r->user_id = db_col_is_null(st, 2) ? 0 : db_col_i64(st, 2);
        r->user_login = arena_strdup(ctx->a, db_col_text(st, 3));
        r->entity = arena_strdup(ctx->a, db_col_text(st, 4));
        r->entity_id = db_col_i64(st, 5);
        r->account_id = db_col_is_null(st, 6) ? 0 : db_col_i64(st, 6);
        r->action = arena_strdup(ctx->a, db_col_text(st, 7));
        r->changes = arena_strdup(ctx->a, db_col_text(st, 8));
        const char *name = db_col_text(st, 9);
        r->user_name = name && *name    ? arena_strdup(ctx->a, name)
                       : *r->user_login ? r->user_login
                                        : NULL; /* the system, or a user since removed */
    }
    db_done(st);
    if (rc)
        return rc;
    /* Wallet estimates (minor units), target plans, proposals and 4P measures of amount (whole
     * units) are in the base currency (svc/volume): say which, so a reader need not guess. */
    static const char *const in_base[] = {"wallet", "target_plan", "target_proposal", "measure",
                                          NULL};
    const char *base = NULL;
    for (size_t k = 0; k < n; k++) {
        /* An account row that changed the revenue amount but not its currency: the account's
         * currency (as it is now: a currency changed later shows in its own row). */
        if (strcmp(items[k].entity, "account") == 0 && items[k].changes &&
            strstr(items[k].changes, "\"revenue_amount\"") &&
            !strstr(items[k].changes, "\"revenue_currency\"")) {
            struct db_stmt *cs;
            if ((rc = db_prepare(ctx->db, "SELECT revenue_currency FROM accounts WHERE id = ?", &cs,
                                 ctx->err)))
                return rc;
            db_bind_i64(cs, 1, items[k].entity_id);
            int crow = 0;
            rc = db_step(cs, &crow, ctx->err);
            if (!rc && crow && !db_col_is_null(cs, 0))
                items[k].currency = arena_strdup(ctx->a, db_col_text(cs, 0));
            db_done(cs);
            if (rc)
                return rc;
            continue;
        }
        int money = 0;
        for (int j = 0; in_base[j]; j++)
            money |= strcmp(items[k].entity, in_base[j]) == 0;
        if (!money)
            continue;
        if (!base && (rc = settings_get(ctx, "base_currency", "CNY", &base)))
            return rc;
        items[k].currency = base;
    }
    *more_out = n > (size_t)q->limit;
    if (*more_out)
        n = (size_t)q->limit;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err audit_account_of(struct kam_ctx *ctx, const char *entity, int64_t entity_id,
                              int64_t *account_id_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT account_id FROM audit WHERE entity = ? AND entity_id = ? "
                                 "ORDER BY id DESC LIMIT 1",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, entity);
    db_bind_i64(st, 2, entity_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *account_id_out = db_col_is_null(st, 0) ? 0 : db_col_i64(st, 0);
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no audit history for this record");
    return rc;
}
