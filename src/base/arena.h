/* arena.h -- a bump allocator: many small allocations, one release.
 *
 * Each HTTP request and each CLI command owns one arena; everything decoded or built for it is
 * allocated here and freed at once by arena_release(). Allocation failure aborts: a server that
 * cannot get a few KiB cannot do anything useful, and every input is capped long before. */
#ifndef KAM_ARENA_H
#define KAM_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head;
    size_t used_total; /* bytes handed out, for caps and tests */
};

void arena_init(struct arena *a);
/* Frees every chunk; a stays usable (empty). */
void arena_release(struct arena *a);
/* n bytes aligned for any type; never NULL. Owned by the arena. */
void *arena_alloc(struct arena *a, size_t n);
/* Zeroed n*size bytes; never NULL. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* Copy of s[0..n) plus NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Copy of NUL-terminated s (NULL stays NULL). */
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
