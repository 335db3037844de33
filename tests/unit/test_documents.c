/* test_documents.c -- documents (svc/core/document.c) and binary columns (store/: db_bind_blob,
 * db_col_blob, db_col_is_blob, migrate-data and the checksums over them): the sniffer on every
 * accepted type and its near misses (a magic one byte off, a zip without [Content_Types].xml, an
 * OLE2 file without an Office stream or with a stream of the right name but a storage's type,
 * text with a control character or invalid UTF-8); the name sanitiser on path, control, bidi,
 * reserved and length tricks; blobs with NUL and high bytes, empty (not NULL) and NULL on SQLite;
 * the service: upload, list, read (audited download), delete, the size cap from the settings
 * (the cap itself accepted, one byte more refused), type and name refusals leaving nothing,
 * document_scope naming the owner's object and account; on PostgreSQL (KAM_TEST_PG_DSN): the
 * same bytes through bytea in both result formats (bytea_output hex and escape) and a copy
 * SQLite -> PostgreSQL -> SQLite (db_copy) byte-exact with equal checksums. Every test name
 * starts with "documents_". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "store/copy.h"
#include "svc/core/document.h"
#include "svc/relationships/account.h"
#include "test.h"

#define NOW 1796558400LL /* 2026-12-06T12:00:00Z */

static const unsigned char pdf[] = "%PDF-1.7\n\x00\x01\xff\xfe binary \x00 bytes\n%%EOF\n";
#define PDF_LEN (sizeof pdf - 1)

/* A CFB file: header, then one directory sector holding the root and a stream entry. */
static size_t ole2(unsigned char *out, const char *stream, int type)
{
    memset(out, 0, 1024);
    memcpy(out, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
    out[0x1E] = 9;
    const char *names[2] = {"Root Entry", stream};
    int types[2] = {5, type};
    for (int k = 0; k < 2; k++) {
        unsigned char *e = out + 512 + 128 * k;
        size_t n = strlen(names[k]);
        for (size_t i = 0; i < n; i++)
            e[2 * i] = (unsigned char)names[k][i];
        e[0x40] = (unsigned char)((n + 1) * 2);
        e[0x42] = (unsigned char)types[k];
    }
    return 1024;
}

static const char *mime_of(const void *p, size_t n)
{
    const struct doc_type *t = document_sniff(p, n);
    return t ? t->mime : "-";
}

TEST(documents_sniff)
{
    CHECK_EQ_STR(mime_of(pdf, PDF_LEN), "application/pdf");
    CHECK_EQ_STR(mime_of(" %PDF-1.7", 9), "text/plain"); /* one byte off: text, not PDF */
    CHECK_EQ_STR(mime_of("\x89PNG\r\n\x1a\n\x00\x00", 10), "image/png");
    CHECK_EQ_STR(mime_of("\x89PNG\r\n\x1a", 7), "-"); /* cut signature */
    CHECK_EQ_STR(mime_of("\xFF\xD8\xFF\xE0", 4), "image/jpeg");
    CHECK_EQ_STR(mime_of("\xFF\xD8\xFE\xE0", 4), "-");
    CHECK_EQ_STR(mime_of("GIF89a\x01\x00", 8), "image/gif");
    CHECK_EQ_STR(mime_of("GIF87a\x01\x00", 8), "image/gif");
    CHECK_EQ_STR(mime_of("GIF88a\x01\x00", 8), "-");
    CHECK_EQ_STR(mime_of("GIF88a", 6), "text/plain");
    CHECK_EQ_STR(mime_of("RIFF\x10\x00\x00\x00WEBPVP8 \x00\x00", 18), "image/webp");
    CHECK_EQ_STR(mime_of("RIFF\x10\x00\x00\x00WAVEfmt \x00\x00", 18), "-"); /* a WAV */
    unsigned char ole[1024];
    CHECK_EQ_STR(mime_of(ole, ole2(ole, "WordDocument", 2)), "application/msword");
    CHECK_EQ_STR(mime_of(ole, ole2(ole, "Workbook", 2)), "application/vnd.ms-excel");
    CHECK_EQ_STR(mime_of(ole, ole2(ole, "Book", 2)), "application/vnd.ms-excel");
    CHECK_EQ_STR(mime_of(ole, ole2(ole, "PowerPoint Document", 2)),
                 "application/vnd.ms-powerpoint");
    CHECK_EQ_STR(mime_of(ole, ole2(ole, "WordDocument", 1)), "-"); /* a storage, not a stream */
    CHECK_EQ_STR(mime_of(ole, ole2(ole, "Contents", 2)), "-");
    CHECK_EQ_STR(mime_of(ole, 511), "-"); /* no directory */
    CHECK_EQ_STR(mime_of("\x7f"
                         "ELF\x02\x01\x01",
                         7),
                 "-");
    CHECK_EQ_STR(mime_of("PK\x03\x04garbage", 11), "-"); /* a broken zip */
    CHECK_EQ_STR(mime_of("", 0), "-");
    CHECK_EQ_STR(mime_of("\xEF\xBB\xBF\xE5\x90\x88\xE5\x90\x8C\n", 10), "text/plain");
    CHECK_EQ_STR(mime_of("\xEF\xBB\xBF", 3), "-"); /* a BOM alone */
    CHECK_EQ_STR(mime_of("a\tb\r\nc\f", 7), "text/plain");
    CHECK_EQ_STR(mime_of("a\x01"
                         "b",
                         3),
                 "-");
    CHECK_EQ_STR(mime_of("a\x00"
                         "b",
                         3),
                 "-");
    CHECK_EQ_STR(mime_of("a\x7f"
                         "b",
                         3),
                 "-");
    CHECK_EQ_STR(mime_of("\xC3\x28", 2), "-");     /* invalid UTF-8 */
    CHECK_EQ_STR(mime_of("\xED\xA0\x80", 3), "-"); /* a surrogate */
    CHECK(document_type_of_ext("JPEG") == document_sniff("\xFF\xD8\xFF", 3));
    CHECK(document_type_of_ext("exe") == NULL);
    CHECK(document_type_of_ext("") == NULL);
}

static const char *clean(struct arena *a, const char *name, const char *type_ext, int *mm)
{
    return document_clean_name(a, name, type_ext ? document_type_of_ext(type_ext) : NULL, mm);
}

TEST(documents_clean_name)
{
    struct arena a;
    arena_init(&a);
    int mm = -1;
    CHECK_EQ_STR(clean(&a, "../../etc/passwd", "txt", &mm), "passwd.txt");
    CHECK_EQ_INT(mm, 0);
    CHECK_EQ_STR(clean(&a, "C:\\x\\y.pdf", "pdf", &mm), "y.pdf");
    CHECK_EQ_STR(clean(&a, "dir/sub\\合同.PDF", "pdf", &mm), "合同.PDF");
    CHECK_EQ_STR(clean(&a, "a\xE2\x80\xAEtxt.pdf", "pdf", &mm), "atxt.pdf"); /* U+202E */
    CHECK_EQ_STR(clean(&a, "a\xE2\x81\xA6x\xE2\x80\x8F.pdf", "pdf", &mm),
                 "ax.pdf"); /* 2066, 200F */
    CHECK_EQ_STR(clean(&a,
                       "a\xC2\x85"
                       "b.pdf",
                       "pdf", &mm),
                 "ab.pdf"); /* a C1 control */
    CHECK_EQ_STR(clean(&a, "re\x01po\x1frt\x7f.pdf", "pdf", &mm), "report.pdf");
    CHECK_EQ_STR(clean(&a, "...hidden.pdf", "pdf", &mm), "hidden.pdf");
    CHECK_EQ_STR(clean(&a, "a<b>:c|d?e*f\".pdf", "pdf", &mm), "abcdef.pdf");
    CHECK_EQ_STR(clean(&a, "trailing.pdf. . ", "pdf", &mm), "trailing.pdf");
    CHECK_EQ_STR(clean(&a,
                       "a\xFF\xFE"
                       "b.pdf",
                       "pdf", &mm),
                 "ab.pdf"); /* invalid bytes */
    CHECK_EQ_STR(clean(&a, "  a \xE3\x80\x80 b  .pdf", "pdf", &mm), "a b .pdf");
    CHECK_EQ_STR(clean(&a, "", "pdf", &mm), "document.pdf");
    CHECK_EQ_STR(clean(&a, NULL, "png", &mm), "document.png");
    CHECK_EQ_STR(clean(&a, "/", "pdf", &mm), "document.pdf");
    CHECK_EQ_STR(clean(&a, "....", "pdf", &mm), "document.pdf");
    CHECK_EQ_STR(clean(&a, "notes", "txt", &mm), "notes.txt");
    CHECK_EQ_STR(clean(&a, "rows.csv", "txt", &mm), "rows.csv"); /* text under either text name */
    CHECK_EQ_STR(clean(&a, "report.final", "pdf", &mm), "report.final.pdf");
    CHECK_EQ_INT(mm, 0);
    CHECK_EQ_STR(clean(&a, "x.pdf", "txt", &mm), "x.pdf");
    CHECK_EQ_INT(mm, 1);
    CHECK_EQ_STR(clean(&a, "x.exe", "pdf", &mm), "x.exe");
    CHECK_EQ_INT(mm, 1);
    CHECK_EQ_STR(clean(&a, "x.html", "txt", &mm), "x.html");
    CHECK_EQ_INT(mm, 1);
    CHECK_EQ_STR(clean(&a, "x.docx", "pdf", &mm), "x.docx");
    CHECK_EQ_INT(mm, 1);
    /* 300 Chinese characters and .pdf: 196 + ".pdf" */
    char longname[1024];
    size_t k = 0;
    for (int i = 0; i < 300; i++) {
        memcpy(longname + k, "\xE5\xB9\xB4", 3);
        k += 3;
    }
    memcpy(longname + k, ".pdf", 5);
    const char *c = clean(&a, longname, "pdf", &mm);
    CHECK_EQ_INT(strlen(c), 196 * 3 + 4);
    CHECK(strcmp(c + 196 * 3, ".pdf") == 0);
    /* no extension: cut to make room for the type's */
    c = clean(&a, longname, NULL, NULL);
    CHECK_EQ_INT(strlen(c), 196 * 3 + 4);
    longname[k] = 0;
    c = clean(&a, longname, "pdf", &mm);
    CHECK_EQ_INT(strlen(c), 196 * 3 + 4);
    arena_release(&a);
}

TEST(documents_blob_sqlite)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    CHECK(!db_exec(f.db, "CREATE TABLE b (k INTEGER, v BLOB)", &f.e));
    struct db_stmt *st;
    const unsigned char bytes[] = {0, 1, 0xff, 0, 'x', 0x80};
    for (int k = 0; k < 3; k++) {
        CHECK(!db_prepare(f.db, "INSERT INTO b VALUES (?, ?)", &st, &f.e));
        db_bind_i64(st, 1, k);
        if (k == 0)
            db_bind_blob(st, 2, bytes, sizeof bytes);
        else if (k == 1)
            db_bind_blob(st, 2, NULL, 0);
        else
            db_bind_null(st, 2);
        CHECK(!db_run(st, &f.e));
    }
    CHECK(!db_prepare(f.db, "SELECT v, length(v), typeof(v) FROM b ORDER BY k", &st, &f.e));
    int row = 0;
    size_t n = 99;
    CHECK(!db_step(st, &row, &f.e) && row);
    const void *p = db_col_blob(st, 0, &n);
    CHECK(p && n == sizeof bytes && memcmp(p, bytes, n) == 0);
    CHECK(db_col_is_blob(st, 0));
    CHECK(!db_step(st, &row, &f.e) && row);
    p = db_col_blob(st, 0, &n);
    CHECK(p != NULL && n == 0); /* empty, not NULL */
    CHECK_EQ_STR(db_col_text(st, 2), "blob");
    CHECK(!db_step(st, &row, &f.e) && row);
    CHECK(db_col_blob(st, 0, &n) == NULL && n == 0 && db_col_is_null(st, 0));
    CHECK(!db_col_is_blob(st, 0));
    db_done(st);
    /* a checksum reads the bytes, so it does not depend on the engine's text form */
    int64_t rows = 0;
    uint64_t sum = 0;
    CHECK(!db_copy_checksum(f.db, "b", "k, v", &rows, &sum, &f.e));
    CHECK_EQ_INT(rows, 3);
    fixture_close(&f);
}

struct dw {
    struct fixture f;
    int64_t am, acc, contract, lesson;
};

static int dw_open(struct dw *w, const char *dsn)
{
    memset(w, 0, sizeof *w);
    if (!fixture_open(&w->f, dsn, NOW))
        return 0;
    w->am = fixture_add_user(&w->f, "doc_am", "account_manager", 0);
    struct account_in ai = {.set = ACC_CODE | ACC_NAME | ACC_OWNER};
    ai.v.code = "DOC1";
    ai.v.name = "文档客户";
    ai.v.owner_id = w->am;
    struct account a;
    int ok = w->am > 0 && !account_create(fixture_ctx(&w->f), &ai, &a);
    w->acc = ok ? a.id : 0;
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO contracts (account_id, number, title, kind, starts_on, ends_on, "
             "currency, created_at, updated_at) VALUES (%lld, 'D-1', 't', 'framework', "
             "'2026-01-01', '2026-12-31', 'CNY', 0, 0)",
             (long long)w->acc);
    ok = ok && !db_exec(w->f.db, sql, &w->f.e);
    w->contract = ok ? fixture_q64(&w->f, "SELECT MAX(id) FROM contracts") : 0;
    ok = ok && !db_exec(w->f.db,
                        "INSERT INTO lessons (account_id, title, created_at, updated_at) VALUES "
                        "(NULL, 'company-wide', 0, 0)",
                        &w->f.e);
    w->lesson = ok ? fixture_q64(&w->f, "SELECT MAX(id) FROM lessons") : 0;
    return fixture_setup_end(&w->f, ok && w->contract > 0 && w->lesson > 0);
}

static int64_t count(struct dw *w, const char *sql)
{
    return fixture_q64(&w->f, sql);
}

TEST(documents_service)
{
    struct dw w;
    if (!dw_open(&w, FIXTURE_MEMORY))
        return;
    struct fixture *f = &w.f;
    fixture_as(f, w.am, ROLE_ACCOUNT_MANAGER);
    struct document d, g;
    CHECK_EQ_INT(document_upload(fixture_ctx(f), "contract", w.contract, "../合同.pdf", NULL, pdf,
                                 PDF_LEN, &d),
                 KAM_OK);
    CHECK_EQ_STR(d.name, "合同.pdf");
    CHECK_EQ_STR(d.mime, "application/pdf");
    CHECK_EQ_INT(d.size, PDF_LEN);
    CHECK_EQ_INT(d.account_id, w.acc);
    CHECK_EQ_INT(d.created_by, w.am);
    CHECK_EQ_INT(strlen(d.sha256), 64);
    /* read: the bytes and an audited download */
    struct buf b;
    buf_init(&b, 1 << 20);
    CHECK_EQ_INT(document_read(fixture_ctx(f), d.id, &g, &b), KAM_OK);
    CHECK(b.len == PDF_LEN && memcmp(b.data, pdf, PDF_LEN) == 0);
    buf_release(&b);
    CHECK_EQ_INT(count(&w, "SELECT COUNT(*) FROM audit WHERE entity = 'document' AND action IN "
                           "('create', 'download')"),
                 2);
    enum obj o = OBJ_ACCOUNT;
    int64_t acc = -1;
    CHECK_EQ_INT(document_scope(fixture_ctx(f), d.id, &o, &acc), KAM_OK);
    CHECK(o == OBJ_CONTRACT && acc == w.acc);
    fixture_check_err(f, document_scope(fixture_ctx(f), 999999, &o, &acc), KAM_ENOTFOUND, "id");

    /* refusals write nothing */
    int64_t docs = count(&w, "SELECT COUNT(*) FROM documents");
    int64_t audits = count(&w, "SELECT COUNT(*) FROM audit");
    fixture_check_err(
        f, document_upload(fixture_ctx(f), "contract", w.contract, "x.pdf", NULL, "", 0, &g),
        KAM_EINVAL, "content");
    fixture_check_err(f,
                      document_upload(fixture_ctx(f), "contract", w.contract, "x.pdf", NULL,
                                      "<html></html>", 13, &g),
                      KAM_EMEDIA, "name");
    fixture_check_err(f,
                      document_upload(fixture_ctx(f), "contract", w.contract, "x.bin", NULL,
                                      "\x7f"
                                      "ELF",
                                      4, &g),
                      KAM_EMEDIA, "content");
    fixture_check_err(
        f, document_upload(fixture_ctx(f), "contract", 424242, "x.pdf", NULL, pdf, PDF_LEN, &g),
        KAM_ENOTFOUND, "id");
    fixture_check_err(f,
                      document_upload(fixture_ctx(f), "contract", w.contract, "a\xFF.pdf", NULL,
                                      pdf, PDF_LEN, &g),
                      KAM_EINVAL, "name");
    fixture_check_err(f,
                      document_upload(fixture_ctx(f), "contract", w.contract, "x.pdf", "two\nlines",
                                      pdf, PDF_LEN, &g),
                      KAM_EINVAL, "note");
    char note[502];
    memset(note, 'n', 501);
    note[501] = 0;
    fixture_check_err(
        f, document_upload(fixture_ctx(f), "contract", w.contract, "x.pdf", note, pdf, PDF_LEN, &g),
        KAM_EINVAL, "note");
    /* the cap: documents.max_bytes bytes are accepted, one more refused */
    CHECK(!db_exec(f->db, "INSERT INTO settings (key, value) VALUES ('documents.max_bytes', '30')",
                   &f->e));
    fixture_check_err(f,
                      document_upload(fixture_ctx(f), "contract", w.contract, "x.txt", NULL,
                                      "0123456789012345678901234567890", 31, &g),
                      KAM_ETOOBIG, "content");
    CHECK_EQ_INT(count(&w, "SELECT COUNT(*) FROM documents"), docs);
    CHECK_EQ_INT(count(&w, "SELECT COUNT(*) FROM audit"), audits);
    CHECK_EQ_INT(document_upload(fixture_ctx(f), "contract", w.contract, "rows.csv", NULL,
                                 "012345678901234567890123456789", 30, &g),
                 KAM_OK);
    CHECK_EQ_STR(g.mime, "text/csv");
    struct document nd;
    CHECK_EQ_INT(
        document_upload(fixture_ctx(f), "lesson", w.lesson, "n.txt", note + 1, "x", 1, &nd),
        KAM_OK);
    CHECK_EQ_INT(strlen(nd.note), 500);
    /* a lesson of no account */
    struct document l;
    CHECK_EQ_INT(document_upload(fixture_ctx(f), "lesson", w.lesson, NULL, NULL, "lesson", 6, &l),
                 KAM_OK);
    CHECK_EQ_STR(l.name, "document.txt");
    CHECK_EQ_INT(l.account_id, 0);
    CHECK_EQ_INT(document_scope(fixture_ctx(f), l.id, &o, &acc), KAM_OK);
    CHECK(o == OBJ_LESSON && acc == 0);
    /* list, newest first, in pages */
    struct document *items;
    size_t n;
    const char *next;
    CHECK_EQ_INT(document_list(fixture_ctx(f), "contract", w.contract, 1, NULL, &items, &n, &next),
                 KAM_OK);
    CHECK(n == 1 && items[0].id == g.id && next);
    CHECK_EQ_INT(document_list(fixture_ctx(f), "contract", w.contract, 1, next, &items, &n, &next),
                 KAM_OK);
    CHECK(n == 1 && items[0].id == d.id && !next);
    /* delete: row, bytes, audit */
    CHECK_EQ_INT(document_delete(fixture_ctx(f), d.id), KAM_OK);
    CHECK_EQ_INT(count(&w, "SELECT COUNT(*) FROM document_content"), 3);
    CHECK_EQ_INT(count(&w, "SELECT COUNT(*) FROM audit WHERE entity = 'document' AND action = "
                           "'delete'"),
                 1);
    fixture_check_err(f, document_delete(fixture_ctx(f), d.id), KAM_ENOTFOUND, "id");
    fixture_close(f);
}

/* ---- PostgreSQL (skipped without KAM_TEST_PG_DSN) ---- */

static int pg_db(char *dsn, size_t cap, const char *suffix)
{
    const char *base = getenv("KAM_TEST_PG_DSN");
    const char *slash = base ? strrchr(base, '/') : NULL;
    if (!base || !*base || !slash)
        return 0;
    char name[64], sql[160];
    snprintf(name, sizeof name, "kam_doc_%s_%ld", suffix, (long)getpid());
    snprintf(dsn, cap, "%.*s/%s", (int)(slash - base), base, name);
    struct db *adm;
    struct kam_error e = {0};
    if (db_open_raw(base, &adm, &e))
        return 0;
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
    int ok = !db_exec(adm, sql, &e);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    ok = ok && !db_exec(adm, sql, &e);
    db_close(adm);
    return ok;
}

TEST(documents_postgres)
{
    char dsn[512];
    if (!pg_db(dsn, sizeof dsn, "pg")) {
        fprintf(stderr, "  (skipped: KAM_TEST_PG_DSN not set)\n");
        return;
    }
    /* a SQLite source with documents of every byte value */
    char path[128], src_dsn[160];
    snprintf(path, sizeof path, "/tmp/kam-doc-unit-%ld.db", (long)getpid());
    unlink(path);
    snprintf(src_dsn, sizeof src_dsn, "sqlite:%s", path);
    struct dw w;
    if (!dw_open(&w, src_dsn))
        return;
    unsigned char all[4096];
    memcpy(all, "%PDF-", 5);
    for (size_t i = 5; i < sizeof all; i++)
        all[i] = (unsigned char)(i * 31 + 7);
    struct document d1, d2;
    CHECK_EQ_INT(document_upload(fixture_ctx(&w.f), "contract", w.contract, "all.pdf", NULL, all,
                                 sizeof all, &d1),
                 KAM_OK);
    CHECK_EQ_INT(
        document_upload(fixture_ctx(&w.f), "contract", w.contract, "n.txt", NULL, "hello", 5, &d2),
        KAM_OK);

    struct db *pg = NULL;
    struct kam_error e = {0};
    if (db_open(dsn, &pg, &e)) {
        CHECK(0);
        fixture_close(&w.f);
        return;
    }
    CHECK_EQ_INT(db_copy(w.f.db, pg, NULL, NULL, &e), KAM_OK);
    int64_t r1 = 0, r2 = 0;
    uint64_t s1 = 0, s2 = 0;
    CHECK(!db_copy_checksum(w.f.db, "document_content", "document_id, content", &r1, &s1, &e));
    CHECK(!db_copy_checksum(pg, "document_content", "document_id, content", &r2, &s2, &e));
    CHECK(r1 == 2 && r1 == r2 && s1 == s2);
    /* the bytes through bytea, whichever text format the server sends */
    const char *outputs[] = {"SET bytea_output = 'hex'", "SET bytea_output = 'escape'"};
    for (int k = 0; k < 2; k++) {
        CHECK(!db_exec(pg, outputs[k], &e));
        struct db_stmt *st;
        CHECK(
            !db_prepare(pg, "SELECT content FROM document_content WHERE document_id = ?", &st, &e));
        db_bind_i64(st, 1, d1.id);
        int row = 0;
        size_t n = 0;
        CHECK(!db_step(st, &row, &e) && row);
        const void *p = db_col_blob(st, 0, &n);
        CHECK(p && n == sizeof all && memcmp(p, all, n) == 0);
        CHECK(db_col_is_blob(st, 0));
        db_done(st);
    }
    /* empty and NULL through bytea */
    struct db_stmt *st;
    CHECK(!db_prepare(pg, "SELECT ?::bytea, NULL::bytea", &st, &e));
    db_bind_blob(st, 1, NULL, 0);
    int row = 0;
    size_t n = 9;
    CHECK(!db_step(st, &row, &e) && row);
    const void *p = db_col_blob(st, 0, &n);
    CHECK(p && n == 0);
    CHECK(db_col_blob(st, 1, &n) == NULL && db_col_is_null(st, 1));
    db_done(st);
    /* back to a new SQLite database: the same bytes and checksum */
    struct db *back = NULL;
    CHECK(!db_open(FIXTURE_MEMORY, &back, &e));
    if (back) {
        CHECK_EQ_INT(db_copy(pg, back, NULL, NULL, &e), KAM_OK);
        CHECK(!db_copy_checksum(back, "document_content", "document_id, content", &r2, &s2, &e));
        CHECK(r2 == 2 && s2 == s1);
        CHECK(!db_prepare(back, "SELECT content FROM document_content WHERE document_id = ?", &st,
                          &e));
        db_bind_i64(st, 1, d1.id);
        CHECK(!db_step(st, &row, &e) && row);
        p = db_col_blob(st, 0, &n);
        CHECK(p && n == sizeof all && memcmp(p, all, n) == 0);
        db_done(st);
        db_close(back);
    }
    db_close(pg);
    fixture_close(&w.f);
    unlink(path);
}
