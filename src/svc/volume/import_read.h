/* import_read.h -- the bytes of an import file as UTF-8 CSV rows.
 *
 * What Excel on a Chinese Windows saves: .xlsx (read through libzip + expat: the first sheet or
 * a named one; shared and inline strings, numbers, booleans, date-styled numbers as
 * YYYY-MM-DD, also in a date1904 workbook), CSV in GBK / GB18030 (or Big5), "Unicode text"
 * (UTF-16 LE with a BOM, tab-separated), UTF-8 with or without a BOM. Text encodings are
 * detected unless named: a BOM; UTF-16 by its zero bytes; valid UTF-8; UTF-8 when uchardet
 * says so or when the invalid runs are few against valid multibyte sequences (those rows are
 * then refused one by one, import.bad_utf8); else GB18030 against Big5, each decoded (a
 * failure or a private-use character rules it out) and scored by its share of common
 * characters; unsure (a Latin-1 file): refused, import.encoding_uncertain naming the choices.
 * iconv converts; tab-separated text is re-written as CSV (fields literal unless properly
 * quoted). The result is UTF-8 (but for those few bad bytes), comma-separated, RFC 4180
 * quoted, with a header row: what import.c parses with libcsv.
 *
 * Caps (a zip bomb, a sheet of a million columns): IMPORT_XLSX_MAX_XML bytes of XML unpacked
 * in all, IMPORT_XLSX_MAX_ROWS rows, IMPORT_XLSX_MAX_COLS columns with a value,
 * IMPORT_XLSX_MAX_SS bytes of shared strings, IMPORT_XLSX_MAX_OUT bytes of CSV out of a sheet
 * (shared strings copied into cells counted each time: an 8 KB workbook repeating a 1 MiB
 * string is refused at 64 MiB, not read to a gigabyte), IMPORT_READ_MAX_OUT bytes of converted
 * text; at most IMPORT_XLSX_READERS workbooks read at once per process (the next is refused,
 * KAM_EBUSY import.xlsx_busy). */
#ifndef KAM_IMPORT_READ_H
#define KAM_IMPORT_READ_H

#include <stddef.h>

#include "svc/core/ctx.h"

#define IMPORT_XLSX_MAX_XML ((size_t)1 << 28)
#define IMPORT_XLSX_MAX_SS ((size_t)64 << 20)
#define IMPORT_XLSX_MAX_OUT ((size_t)64 << 20)
#define IMPORT_XLSX_READERS 2
#define IMPORT_XLSX_MAX_ROWS 1048576 /* Excel's own limit */
#define IMPORT_XLSX_MAX_COLS 256
#define IMPORT_XLSX_MAX_SHEETS 256
#define IMPORT_READ_MAX_OUT ((size_t)1 << 30)

struct import_read_opts {
    const char *encoding; /* NULL or "": detect; else utf-8, gbk, gb18030, gb2312, big5,
                             utf-16, utf-16le, utf-16be (any case) */
    const char *sheet;    /* .xlsx: the sheet's name; NULL or "": the first */
    const char *filename; /* a hint: .tsv / .txt read as tab-separated when tabs lead */
};

struct import_text {
    const char *data; /* UTF-8 CSV: the input itself when it needed nothing, else owned */
    size_t len;
    char *owned;          /* malloc'd (import_text_free) */
    const char *format;   /* "csv", "tsv" or "xlsx" */
    const char *encoding; /* what the text was read as: "UTF-8", "GB18030", "UTF-16LE", ... */
    const char *detected; /* what detection found ("" when the caller named it or for .xlsx) */
    const char **sheets;  /* .xlsx: every sheet's name, in ctx->a */
    size_t nsheets;
    const char *sheet; /* .xlsx: the sheet read */
    int64_t row_base;  /* .xlsx: the sheet's rows above the header (its row - 1), 0 for text:
                          the CSV's row r is the sheet's row r + row_base */
};

/* Reads data[0..len) into *out. KAM_EINVAL with a message key when the file cannot be read:
 * field "encoding" (an unknown name: import.unknown_encoding, listing every name; bytes that
 * are not of the encoding: import.bad_encoding, naming the line; detection unsure:
 * import.encoding_uncertain, naming the choices; encoding= for an .xlsx:
 * import.encoding_not_text), "sheet" (import.no_sheet; sheet= for text: import.sheet_not_xlsx)
 * or "file" (import.bad_xlsx, import.xlsx_too_big, import.file_too_big,
 * import.xlsx_too_many_columns, import.xlsx_too_many_rows; an OLE file -- .xls or a
 * password-protected .xlsx: import.xls_unsupported). KAM_EBUSY import.xlsx_busy past
 * IMPORT_XLSX_READERS. *out is usable (and must be freed) only on KAM_OK. */
enum kam_err import_read(struct kam_ctx *ctx, const struct import_read_opts *o, const char *data,
                         size_t len, struct import_text *out);
void import_text_free(struct import_text *t);

/* The encoding of a text file as detection sees it ("UTF-8", "GB18030", "UTF-16LE",
 * "UTF-16BE", "BIG5"; "" when unsure; never NULL) and the bytes of its byte order mark in
 * *bom. */
const char *import_detect_encoding(const char *data, size_t len, size_t *bom);

#endif
