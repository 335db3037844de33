/* import_mapping.c -- saved column mappings, templates and previews of imports (see
 * import_mapping.h). */
#include "import_mapping.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "import_parse.h"
#include "store/db.h"
#include "svc/core/check.h"

/* The fields of kind (import_header's order) into fields[], their count; 0 for an unknown kind.
 * required[i]: the file must have the column (as import.c's kinds[] says). */
static size_t kind_fields(struct kam_ctx *ctx, const char *kind, const char *fields[16],
                          int required[16])
{
    static const char *const req[] = {"orders:external_id,date,account_code,sku,quantity,amount",
                                      "products:sku,name,family", "accounts:code,name",
                                      "invoices:invoice_no,account_code,date,due_date,amount",
                                      "payments:payment_no,account_code,date,amount"};
    const char *h = import_header(kind);
    if (!h)
        return 0;
    size_t n = 0;
    const char *r = "";
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (!strncmp(req[i], kind, strlen(kind)) && req[i][strlen(kind)] == ':')
            r = req[i] + strlen(kind) + 1;
    for (const char *p = h; *p && n < 16;) {
        size_t k = strcspn(p, ",");
        fields[n] = arena_strndup(ctx->a, p, k);
        required[n] = 0;
        for (const char *q = r; *q;) {
            size_t m = strcspn(q, ",");
            if (m == k && !memcmp(q, p, k))
                required[n] = 1;
            q += m + (q[m] == ',');
        }
        n++;
        p += k + (p[k] == ',');
    }
    return n;
}

int import_title_row(struct kam_ctx *ctx, const char *kind, const char *mapping,
                     const char *const cells[], const size_t lens[], size_t n)
{
    size_t filled = 0;
    for (size_t i = 0; i < n; i++)
        filled += lens[i] > 0;
    const char *fields[16];
    int req[16], col[16], named[16];
    size_t nf = filled <= IMPORT_TITLE_CELLS ? kind_fields(ctx, kind, fields, req) : 0;
    if (!nf)
        return 0;
    import_match_columns(kind, fields, nf, mapping, cells, lens, n, col, named);
    for (size_t f = 0; f < nf; f++)
        if (col[f] >= 0)
            return 0; /* it names a column: a header (complete or not) */
    return 1;
}

static enum kam_err bad_kind(struct kam_ctx *ctx)
{
    return kam_fail(ctx->err, KAM_EINVAL, "kind",
                    "kind must be orders, products, accounts, invoices or payments");
}

/* ---- saved mappings ---- */

enum kam_err import_mapping_get(struct kam_ctx *ctx, const char *kind, struct import_mapping *out)
{
    if (!kind || !import_header(kind))
        return bad_kind(ctx);
    out->kind = kind;
    out->mapping = "";
    out->updated_at = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT mapping, updated_at FROM import_mappings WHERE user_id = ? AND kind = ?",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, ctx->who.user_id);
    db_bind_text(st, 2, kind);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        out->mapping = arena_strdup(ctx->a, db_col_text(st, 0));
        out->updated_at = db_col_i64(st, 1);
    }
    db_done(st);
    return rc;
}

/* "field=Header,...": known fields of kind, each once, a non-empty header. */
static enum kam_err check_mapping(struct kam_ctx *ctx, const char *kind, const char *m)
{
    const char *fields[16];
    int req[16];
    size_t nf = kind_fields(ctx, kind, fields, req);
    unsigned seen = 0;
    for (const char *p = m; *p;) {
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);
        size_t i = 0;
        if (eq)
            for (; i < nf; i++)
                if ((size_t)(eq - p) == strlen(fields[i]) &&
                    !memcmp(p, fields[i], strlen(fields[i])))
                    break;
        if (!eq || i == nf || eq + 1 == p + n || (seen >> i & 1)) {
            const char *item = arena_strndup(ctx->a, p, n < 80 ? n : 80);
            return kam_fail_key(ctx->err, KAM_EINVAL, "mapping", "import.bad_mapping",
                                (struct kam_param[]){{"value", item}, {NULL, NULL}},
                                "\"%s\" is not field=Header with a field of this kind, once", item);
        }
        seen |= 1u << i;
        p += n + (p[n] == ',');
    }
    return KAM_OK;
}

enum kam_err import_mapping_put(struct kam_ctx *ctx, const char *kind, const char *mapping,
                                struct import_mapping *out)
{
    enum kam_err rc;
    if (!kind || !import_header(kind))
        return bad_kind(ctx);
    if (!mapping)
        mapping = "";
    if ((rc = check_text(ctx, "mapping", mapping, 0, IMPORT_MAPPING_MAX, 0)) ||
        (rc = check_mapping(ctx, kind, mapping)))
        return rc;
    if (!ctx->who.user_id)
        return kam_fail(ctx->err, KAM_EINVAL, "user", "a mapping is saved for a signed-in user");
    struct db_stmt *st;
    if (!*mapping) {
        rc = db_prepare(ctx->db, "DELETE FROM import_mappings WHERE user_id = ? AND kind = ?", &st,
                        ctx->err);
        if (rc)
            return rc;
        db_bind_i64(st, 1, ctx->who.user_id);
        db_bind_text(st, 2, kind);
    } else {
        rc = db_prepare(ctx->db,
                        "INSERT INTO import_mappings (user_id, kind, mapping, updated_at) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (user_id, kind) DO UPDATE SET "
                        "mapping = excluded.mapping, updated_at = excluded.updated_at",
                        &st, ctx->err);
        if (rc)
            return rc;
        db_bind_i64(st, 1, ctx->who.user_id);
        db_bind_text(st, 2, kind);
        db_bind_text(st, 3, mapping);
        db_bind_i64(st, 4, ctx->now);
    }
    if ((rc = db_run(st, ctx->err)))
        return rc;
    return import_mapping_get(ctx, kind, out);
}

/* ---- templates ---- */

enum kam_err import_template(struct kam_ctx *ctx, const char *kind, struct export_table *t)
{
    static const struct {
        const char *kind;
        const char *example[9]; /* NULL: a number, given in num[] */
        int64_t num[9];
        int dec[9];
    } ex[] = {
        {"orders",
         {"SO-2026-0001", "2026-03-05", "C000001", "BRG-100", "华东", "直销", NULL, NULL, "CNY"},
         {0, 0, 0, 0, 0, 0, 10, 123450, 0},
         {0, 0, 0, 0, 0, 0, 0, 2, 0}},
        {"products",
         {"BRG-100", "深沟球轴承 6204", "轴承", "个", NULL, "CNY"},
         {0, 0, 0, 0, 1250, 0},
         {0, 0, 0, 0, 2, 0}},
        {"accounts",
         {"C000101", "华东精密机械有限公司", "制造业", "华东", "直销", "A", "am1"},
         {0},
         {0}},
        {"invoices",
         {"INV-2026-0001", "C000001", "2026-03-05", "2026-04-04", NULL, "CNY"},
         {0, 0, 0, 0, 1130000, 0},
         {0, 0, 0, 0, 2, 0}},
        {"payments",
         {"PAY-2026-0001", "C000001", "2026-04-02", NULL, "CNY", "INV-2026-0001"},
         {0, 0, 0, 500000, 0, 0},
         {0, 0, 0, 2, 0, 0}},
    };
    const char *fields[16];
    int req[16];
    size_t nf = kind_fields(ctx, kind, fields, req);
    if (!nf)
        return bad_kind(ctx);
    const char **header = arena_calloc(ctx->a, nf, sizeof *header);
    for (size_t i = 0; i < nf; i++) {
        char *label = arena_alloc(ctx->a, 96);
        header[i] = import_header_label(kind, fields[i], label, 96);
        if (!header[i])
            header[i] = fields[i];
    }
    export_init(t, ctx, kind, header, nf);
    for (size_t k = 0; k < sizeof ex / sizeof ex[0]; k++) {
        if (strcmp(ex[k].kind, kind))
            continue;
        struct export_cell *c = export_row(t, ctx);
        for (size_t i = 0; i < nf; i++) {
            c[i].text = ex[k].example[i];
            c[i].num = ex[k].num[i];
            c[i].decimals = ex[k].dec[i];
        }
    }
    return KAM_OK;
}

/* ---- previews ---- */

struct pv {
    struct kam_ctx *ctx;
    struct import_preview *out;
    const char **cells;
    size_t ncells, cap;
    size_t records;
    const char *mapping;
};

static void pv_field(void *s, size_t n, void *arg)
{
    struct pv *p = arg;
    if (p->ncells >= 64)
        return;
    if (p->ncells == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 16;
        const char **nc = arena_alloc(p->ctx->a, ncap * sizeof *nc);
        if (p->ncells)
            memcpy(nc, p->cells, p->ncells * sizeof *nc);
        p->cells = nc;
        p->cap = ncap;
    }
    p->cells[p->ncells++] = arena_strndup(p->ctx->a, s, n < 200 ? n : 200);
}

static void pv_row(int c, void *arg)
{
    (void)c;
    struct pv *p = arg;
    struct import_preview *o = p->out;
    int empty = 1;
    for (size_t i = 0; i < p->ncells; i++)
        empty &= !*p->cells[i];
    size_t lens[64];
    for (size_t i = 0; i < p->ncells; i++)
        lens[i] = strlen(p->cells[i]);
    if (p->records == 0 && o->header_row < IMPORT_TITLE_ROWS &&
        import_title_row(p->ctx, o->kind, p->mapping, p->cells, lens, p->ncells)) {
        o->header_row++; /* a title above the header, as the import skips it */
    } else if (p->records == 0) {
        o->ncols = p->ncells;
        o->cols = arena_calloc(p->ctx->a, p->ncells ? p->ncells : 1, sizeof *o->cols);
        for (size_t i = 0; i < p->ncells; i++)
            o->cols[i] = (struct import_preview_col){p->cells[i], ""};
        p->records++;
    } else if (!empty && o->nrows < IMPORT_PREVIEW_ROWS) {
        const char **row = arena_calloc(p->ctx->a, o->ncols ? o->ncols : 1, sizeof *row);
        for (size_t i = 0; i < o->ncols; i++)
            row[i] = i < p->ncells ? p->cells[i] : "";
        o->rows[o->nrows++] = row;
        p->records++;
    }
    p->ncells = 0;
    p->cells = NULL;
    p->cap = 0;
}

enum kam_err import_preview(struct kam_ctx *ctx, const char *kind, const struct import_read_opts *o,
                            const char *mapping, const char *data, size_t len,
                            struct import_preview *out)
{
    memset(out, 0, sizeof *out);
    const char *fields[16];
    int req[16];
    size_t nf = kind ? kind_fields(ctx, kind, fields, req) : 0;
    if (!nf)
        return bad_kind(ctx);
    enum kam_err rc;
    if (mapping && ((rc = check_text(ctx, "mapping", mapping, 0, IMPORT_MAPPING_MAX, 0)) ||
                    (rc = check_mapping(ctx, kind, mapping))))
        return rc;
    struct import_text t;
    if ((rc = import_read(ctx, o, data, len, &t)))
        return rc;
    out->kind = kind;
    out->format = t.format;
    out->encoding = t.encoding;
    out->detected = t.detected ? t.detected : "";
    out->sheet = t.sheet ? t.sheet : "";
    out->sheets = t.sheets;
    out->nsheets = t.nsheets;
    out->rows = arena_calloc(ctx->a, IMPORT_PREVIEW_ROWS, sizeof *out->rows);
    /* the header and the first rows: parse until they are in (a line at a time) */
    out->kind = kind;
    struct pv p = {ctx, out, NULL, 0, 0, 0, mapping};
    struct csv_parser cp;
    csv_init(&cp, 0);
    size_t done = 0;
    while (done < t.len && out->nrows < IMPORT_PREVIEW_ROWS) {
        const char *nl = memchr(t.data + done, '\n', t.len - done);
        size_t n = nl ? (size_t)(nl - (t.data + done)) + 1 : t.len - done;
        if (csv_parse(&cp, t.data + done, n, pv_field, pv_row, &p) != n)
            break;
        done += n;
    }
    if (done == t.len)
        csv_fini(&cp, pv_field, pv_row, &p);
    csv_free(&cp);
    import_text_free(&t);
    /* the same matching as the import's (import.c read_header) */
    out->missing = arena_calloc(ctx->a, nf, sizeof *out->missing);
    const char **heads = arena_calloc(ctx->a, out->ncols + 1, sizeof *heads);
    size_t *hlens = arena_calloc(ctx->a, out->ncols + 1, sizeof *hlens);
    for (size_t c = 0; c < out->ncols; c++) {
        heads[c] = out->cols[c].header;
        hlens[c] = strlen(heads[c]);
    }
    int col[16], named[16];
    import_match_columns(kind, fields, nf, mapping, heads, hlens, out->ncols, col, named);
    for (size_t f = 0; f < nf; f++) {
        if (col[f] >= 0)
            out->cols[col[f]].field = fields[f];
        else if (req[f] || named[f])
            out->missing[out->nmissing++] = fields[f];
    }
    return KAM_OK;
}
