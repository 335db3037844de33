/* fuzz_search_fold.c -- libFuzzer target: the search index's folding (svc/core/search.h).
 *
 * The input (any bytes, invalid UTF-8 included) goes through search_fold, search_pinyin,
 * search_name_core, search_digits and search_similarity. Checks, besides not crashing: every
 * output is valid UTF-8; folding is idempotent (folding a folded text changes nothing); the
 * pinyin strings hold only [a-z0-9] and single spaces between Latin words; the initials are never
 * longer than the full pinyin; the digits are digits; a core is no longer than its folded name;
 * similarity is 0..100, symmetric, and 100 for a text with itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/utf8.h"
#include "svc/core/search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

static void bug(const char *what)
{
    fprintf(stderr, "fuzz_search_fold: %s\n", what);
    abort();
}

static void ascii_only(const char *s, const char *what)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == ' '))
            bug(what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    struct arena a;
    arena_init(&a);
    char *s = arena_strndup(&a, (const char *)data, size); /* stops at the first NUL */
    const char *f = search_fold(&a, s);
    if (!f)
        bug("search_fold failed (ICU transliterators missing?)");
    if (!utf8_valid(f, strlen(f)))
        bug("folded text is not valid UTF-8");
    /* Only inputs under the folding cap: a longer one is cut, and its fold folds further. */
    if (strlen(s) < 1024) {
        const char *ff = search_fold(&a, f);
        if (!ff || strcmp(f, ff) != 0)
            bug("folding is not idempotent");
    }
    const char *full, *init;
    search_pinyin(&a, f, &full, &init);
    ascii_only(full, "full pinyin outside [a-z0-9 ]");
    ascii_only(init, "initials outside [a-z0-9 ]");
    if (strstr(full, "  ") || strstr(init, "  ") || *full == ' ' || *init == ' ')
        bug("pinyin with a leading or double space");
    if (strlen(init) > strlen(full))
        bug("initials longer than the full pinyin");
    const char *d = search_digits(&a, s);
    for (const char *p = d; *p; p++)
        if (*p < '0' || *p > '9')
            bug("digits hold a non-digit");
    const char *core = search_name_core(&a, f);
    if (!utf8_valid(core, strlen(core)) || strlen(core) > strlen(f))
        bug("bad name core");
    int x = search_similarity(core, f), y = search_similarity(f, core);
    if (x < 0 || x > 100 || x != y)
        bug("similarity out of range or not symmetric");
    if (*core && search_similarity(core, core) != 100)
        bug("similarity with itself is not 100");
    arena_release(&a);
    return 0;
}
