/* fuzz_document.c -- libFuzzer target: what parses a document upload (svc/core/document.c): the
 * type sniffer (magic numbers, the zip reader of OOXML through libzip, the OLE2 directory
 * scan, the UTF-8 text check) and the name sanitiser.
 *
 * Input: the low 7 bits of the first byte are the name's length k (0..127), the next k bytes the
 * file name as the client sent it (cut at a NUL: a query value has none), the rest the file's
 * bytes; when the top bit of byte 0 is set, the rest is instead zipped here under the name picked
 * by its first byte ([Content_Types].xml plus word/, xl/ or ppt/ main parts, or a stray entry), so
 * the OOXML branch is reached past the zip's checksums.
 *
 * Checks besides not crashing: a sniffed type is one of the known ones and sniffing the same
 * bytes again gives it again; every cleaned name (with the sniffed type, with none, with
 * plain text) is valid UTF-8 without NUL, C0/C1 controls, DEL, '/', '\', <>:"|?*, bidi or
 * zero-width characters, starts with neither '.' nor a space, ends with neither, has at most
 * DOC_NAME_MAX characters, is non-empty when a type is given, and -- unless a mismatch was
 * reported -- carries an extension that names its type (text: txt or csv ones); cleaning a
 * cleaned name again changes nothing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/utf8.h"
#include "svc/core/document.h"

#include <zip.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

static void bug(const char *what, const char *name)
{
    fprintf(stderr, "fuzz_document: %s (%s)\n", what, name ? name : "");
    abort();
}

/* A zip holding [Content_Types].xml and one entry named by sel, with body p[0..n). */
static uint8_t *zip_of(uint8_t sel, const uint8_t *p, size_t n, size_t *len)
{
    static const char *const mains[] = {"word/document.xml", "xl/workbook.xml",
                                        "ppt/presentation.xml", "other/part.xml"};
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    zip_error_fini(&ze);
    if (!z) {
        if (src)
            zip_source_free(src);
        return NULL;
    }
    zip_source_keep(src);
    static const char ct[] = "<Types/>";
    zip_source_t *a = sel & 4 ? NULL : zip_source_buffer(z, ct, sizeof ct - 1, 0);
    if (a && zip_file_add(z, "[Content_Types].xml", a, 0) < 0)
        zip_source_free(a);
    zip_source_t *b = zip_source_buffer(z, p, n, 0);
    if (b && zip_file_add(z, mains[sel & 3], b, 0) < 0)
        zip_source_free(b);
    if (zip_close(z) < 0) {
        zip_discard(z);
        zip_source_free(src);
        return NULL;
    }
    uint8_t *out = NULL;
    zip_stat_t st;
    if (zip_source_stat(src, &st) == 0 && zip_source_open(src) == 0) {
        out = malloc(st.size ? st.size : 1);
        zip_int64_t got = out ? zip_source_read(src, out, st.size) : -1;
        zip_source_close(src);
        if (got < 0 || (zip_uint64_t)got != st.size) {
            free(out);
            out = NULL;
        }
        *len = (size_t)st.size;
    }
    zip_source_free(src);
    return out;
}

static void check_name(struct arena *a, const char *in, const struct doc_type *t)
{
    int mismatch = -1;
    const char *s = document_clean_name(a, in, t, &mismatch);
    size_t n = strlen(s);
    if (!utf8_valid(s, n))
        bug("not UTF-8", s);
    if (t && !n)
        bug("empty with a type", in);
    if (n && (s[0] == '.' || s[0] == ' ' || s[n - 1] == '.' || s[n - 1] == ' '))
        bug("a leading or trailing dot or space", s);
    if (utf8_chars(s, n) > DOC_NAME_MAX)
        bug("longer than DOC_NAME_MAX", s);
    for (size_t i = 0; i < n;) {
        const unsigned char *c = (const unsigned char *)s + i;
        size_t l = utf8_seq_len(c, n - i);
        unsigned cp =
            l == 1   ? c[0]
            : l == 2 ? (unsigned)(c[0] & 0x1f) << 6 | (c[1] & 0x3f)
            : l == 3 ? (unsigned)(c[0] & 0x0f) << 12 | (unsigned)(c[1] & 0x3f) << 6 | (c[2] & 0x3f)
                     : 0x10000;
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
            strchr("/\\<>:\"|?*", (int)(cp < 0x80 ? cp : 'a')) || (cp >= 0x202a && cp <= 0x202e) ||
            (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c ||
            (cp >= 0x200b && cp <= 0x200d) || cp == 0xfeff)
            bug("a character that must go", s);
        i += l ? l : 1;
    }
    if (t && !mismatch) {
        const char *dot = strrchr(s, '.');
        const struct doc_type *named = dot ? document_type_of_ext(dot + 1) : NULL;
        int text = !strncmp(t->mime, "text/", 5);
        if (!named || (named != t && !(text && !strncmp(named->mime, "text/", 5))))
            bug("the extension does not name the type", s);
    }
    int m2 = -1;
    const char *again = document_clean_name(a, s, t, &m2);
    if (strcmp(again, s) != 0 || m2 != mismatch)
        bug("cleaning twice changes the name", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    size_t k = data[0] & 0x7f;
    if (k > size - 1)
        k = size - 1;
    char name[256];
    memcpy(name, data + 1, k);
    name[k] = 0;
    const uint8_t *body = data + 1 + k;
    size_t blen = size - 1 - k;
    uint8_t *zipped = NULL;
    if (data[0] & 0x80 && blen) {
        size_t zl = 0;
        zipped = zip_of(body[0], body + 1, blen - 1, &zl);
        if (!zipped)
            return 0;
        body = zipped;
        blen = zl;
    }
    uint8_t *copy = malloc(blen ? blen : 1); /* exact size: ASan sees overreads */
    if (!copy) {
        free(zipped);
        return 0;
    }
    memcpy(copy, body, blen);
    const struct doc_type *t = document_sniff(copy, blen);
    if (t) {
        if (!t->mime || !t->ext || document_type_of_ext(t->ext) != t)
            bug("an unknown type", t->mime);
        if (document_sniff(copy, blen) != t)
            bug("sniffing twice differs", t->mime);
        if (!blen)
            bug("a type for no bytes", t->mime);
    }
    struct arena a;
    arena_init(&a);
    check_name(&a, name, t);
    check_name(&a, name, NULL);
    check_name(&a, name, document_type_of_ext("txt"));
    arena_release(&a);
    free(copy);
    free(zipped);
    return 0;
}
