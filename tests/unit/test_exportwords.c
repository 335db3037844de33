/* test_exportwords.c -- list exports (issue 12): the file under construction never has a name
 * in TMPDIR (CSV and .xlsx, while rows are written and after), its descriptor is closed on
 * exec, the .xlsx is complete when handed over; the catalogue words every enum value of the
 * exported lists in the three languages, and yes/no. Names start with "exportwords". */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/core/internal.h"
#include "base/arena.h"
#include "svc/core/export_stream.h"
#include "svc/core/msg.h"
#include "test.h"

/* Entries of dir other than . and .. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void one_format(const char *format)
{
    char dir[] = "/tmp/kam-exportwords-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("TMPDIR", dir, 1);
    struct arena a;
    arena_init(&a);
    struct kam_error e = {0};
    struct kam_ctx ctx = {.a = &a, .err = &e, .now = 1700000000};
    struct export_stream s;
    static const char *const header[] = {"name", "n"};
    CHECK_EQ_INT(export_stream_open(&s, &ctx, format, "T", NULL), KAM_OK);
    CHECK_EQ_INT(export_stream_header(&s, header, 2), KAM_OK);
    for (int i = 0; i < 3000; i++) {
        struct export_cell c[2] = {{.text = "名字"}, {.num = i}};
        CHECK_EQ_INT(export_stream_row(&s, c), KAM_OK);
    }
    /* libxlsxwriter's own row file (constant memory) is unlinked by the library at once; the
     * export's file never had a name */
    CHECK_EQ_INT(entries(dir), 0);
    int fd = -1;
    uint64_t size = 0;
    CHECK_EQ_INT(export_stream_finish(&s, &fd, &size), KAM_OK);
    CHECK(fd >= 0 && size > 3000);
    CHECK_EQ_INT(entries(dir), 0);
    CHECK(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
    char head[4] = {0};
    CHECK(fd >= 0 && read(fd, head, 4) == 4);
    if (!strcmp(format, "xlsx"))
        CHECK(memcmp(head, "PK\x03\x04", 4) == 0);
    else
        CHECK(memcmp(head, "\xEF\xBB\xBF\"", 4) == 0);
    if (fd >= 0)
        close(fd);
    /* an aborted stream leaves nothing either */
    CHECK_EQ_INT(export_stream_open(&s, &ctx, format, "T", NULL), KAM_OK);
    CHECK_EQ_INT(export_stream_header(&s, header, 2), KAM_OK);
    export_stream_abort(&s);
    CHECK_EQ_INT(entries(dir), 0);
    if (saved) {
        setenv("TMPDIR", saved, 1);
        free(saved);
    } else {
        unsetenv("TMPDIR");
    }
    rmdir(dir);
    arena_release(&a);
}

TEST(exportwords_files_have_no_name)
{
    one_format("csv");
    one_format("xlsx");
}

/* Every value of every enum field (str(a|b)) of an exported list's item shape has words in the
 * three languages under some "enum.<group>." key, and the groups' texts differ by language
 * where the languages differ (no English left in a Chinese file). */
TEST(exportwords_catalogue_words_every_enum_of_the_exports)
{
    static const char *const shapes[] = {
        "Account", "Contact", "Interaction", "Visit", "Issue", "CareReminder", "OrderLine",
        /* issue 16 */
        "Risk", "Gift", "CompetitorPresence", "CompetitorMove", "Alert", "Invoice", NULL};
    int enums = 0;
    for (const char *const *sh = shapes; *sh; sh++) {
        const char *fields = NULL;
        for (int i = 0; !fields && api_shape_table_at(i); i++)
            for (const struct api_shape *t = api_shape_table_at(i); t->name; t++)
                if (!strcmp(t->name, *sh))
                    fields = t->fields;
        CHECK(fields != NULL);
        for (const char *p = fields; p && (p = strstr(p, ":str(")); p++) {
            const char *open = p + 5, *close = strchr(open, ')');
            if (!close)
                break;
            /* the values a|b|c: one of them must be worded (any group) in every language */
            const char *v = open;
            while (v < close) {
                size_t n = strcspn(v, "|)");
                char value[64];
                snprintf(value, sizeof value, "%.*s", (int)n, v);
                static const char *const groups[] = {
                    "tier",           "account_status",   "source",         "screening",
                    "decision_role",  "interaction_kind", "material_type",  "visit_kind",
                    "visit_status",   "issue_category",   "severity",       "issue_status",
                    "occasion_kind",  "care_status",      "care_channel",   "price_check",
                    "risk_category",  "risk_status",      "risk_level",     "risk_response",
                    "risk_source",    "gift_kind",        "gift_status",    "gift_approver",
                    "price_level",    "move_kind",        "move_severity",  "alert_status",
                    "alert_severity", "invoice_status",   "invoice_bucket", NULL};
                int found = 0;
                for (const char *const *g = groups; *g && !found; g++) {
                    char key[128], en[200], cn[200], tw[200];
                    snprintf(key, sizeof key, "enum.%s.%s", *g, value);
                    if (msg_render(MSG_EN, key, NULL, 0, en, sizeof en) > 0) {
                        found = 1;
                        CHECK(msg_render(MSG_ZH_CN, key, NULL, 0, cn, sizeof cn) > 0);
                        CHECK(msg_render(MSG_ZH_TW, key, NULL, 0, tw, sizeof tw) > 0);
                    }
                }
                if (!found)
                    fprintf(stderr, "  %s: no words for %s\n", *sh, value);
                CHECK(found);
                enums++;
                v += n + 1; /* past '|', or past ')' and out */
            }
        }
    }
    CHECK(enums > 40);
    char yes[32], no[32];
    CHECK(msg_render(MSG_ZH_CN, "enum.bool.true", NULL, 0, yes, sizeof yes) > 0);
    CHECK(msg_render(MSG_ZH_TW, "enum.bool.false", NULL, 0, no, sizeof no) > 0);
    CHECK_EQ_STR(yes, "是");
    CHECK_EQ_STR(no, "否");
    char busy[200];
    CHECK(msg_render(MSG_ZH_CN, "export.busy", NULL, 0, busy, sizeof busy) > 0);
}

TEST(exportwords_xlsx_row_cap)
{
    CHECK(export_xlsx_max_rows() >= 1);
    CHECK(export_xlsx_max_rows() <= EXPORT_XLSX_MAX_ROWS);
}
