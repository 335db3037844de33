/* import_mapping.h -- what helps a user load a file: the column mapping they last saved per
 * import kind (reused on their next import), a template per kind (Chinese and English headers,
 * one example row), and a preview of how a file reads (format, encoding as detected or named,
 * its sheets, header, first rows and which column each field comes from) before it is loaded.
 *
 * Mappings are preferences, not business data: not audited (like saved views). */
#ifndef KAM_IMPORT_MAPPING_H
#define KAM_IMPORT_MAPPING_H

#include <stddef.h>
#include <stdint.h>

#include "import_read.h"
#include "svc/core/ctx.h"
#include "svc/core/export.h"

#define IMPORT_MAPPING_MAX 2000 /* characters, as import_run's mapping */
#define IMPORT_PREVIEW_ROWS 5

/* Rows above the header -- a title ("2026年销售明细"), an export note, a blank line: at most
 * IMPORT_TITLE_CELLS filled cells, none of them naming a column of kind -- are skipped, up to
 * IMPORT_TITLE_ROWS of them, by the import and its preview alike. */
#define IMPORT_TITLE_CELLS 2
#define IMPORT_TITLE_ROWS 10
int import_title_row(struct kam_ctx *ctx, const char *kind, const char *mapping,
                     const char *const cells[], const size_t lens[], size_t n);

struct import_mapping {
    const char *kind, *mapping; /* "" when none was saved */
    int64_t updated_at;         /* 0 when none was saved */
};

/* The caller's saved mapping of kind (KAM_EINVAL on "kind" for an unknown kind). */
enum kam_err import_mapping_get(struct kam_ctx *ctx, const char *kind, struct import_mapping *out);
/* Saves it ("" removes it). "field=Header,..." with fields of kind, each once; KAM_EINVAL on
 * "mapping" otherwise. */
enum kam_err import_mapping_put(struct kam_ctx *ctx, const char *kind, const char *mapping,
                                struct import_mapping *out);

/* The template of kind: headers "订单号 (external_id)", ..., and an example row. */
enum kam_err import_template(struct kam_ctx *ctx, const char *kind, struct export_table *t);

struct import_preview_col {
    const char *header;
    const char *field; /* the canonical field read from this column, "" when none */
};

struct import_preview {
    const char *kind, *format, *encoding, *detected, *sheet;
    const char **sheets;
    size_t nsheets;
    struct import_preview_col *cols;
    size_t ncols;
    const char ***rows; /* the first IMPORT_PREVIEW_ROWS data rows, ncols cells each */
    size_t nrows;
    size_t header_row;    /* rows above the header, skipped as titles (0: the first row) */
    const char **missing; /* required fields no column gives */
    size_t nmissing;
};

/* How data would be read for an import of kind with o and mapping (NULL: none); nothing is
 * written. Errors as import_read's, and KAM_EINVAL on "kind". */
enum kam_err import_preview(struct kam_ctx *ctx, const char *kind, const struct import_read_opts *o,
                            const char *mapping, const char *data, size_t len,
                            struct import_preview *out);

#endif
