/* strmap.h -- a string-keyed hash map (open addressing), for lookups during bulk work:
 * account codes and SKUs of an import, the external ids already seen in a file.
 *
 * Keys are copied (into one growing pool, so a million keys cost two allocations per growth,
 * not a million); values are caller-owned pointers or small integers. Not thread-safe. */
#ifndef KAM_STRMAP_H
#define KAM_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap {
    struct strmap_slot *slots;
    size_t cap, n;
    char *pool;
    size_t pool_len, pool_cap;
};

void strmap_init(struct strmap *m);
void strmap_release(struct strmap *m);
/* The value stored under key[0..len), or NULL. */
void *strmap_get(const struct strmap *m, const char *key, size_t len);
/* Stores v (not NULL) under key; returns the previous value, or NULL if the key was new. */
void *strmap_put(struct strmap *m, const char *key, size_t len, void *v);
/* Stores v (not NULL) under key if the key is new (returns NULL); otherwise leaves the map as
 * it is and returns the value stored. One lookup for "seen before?" and "remember it". */
void *strmap_add(struct strmap *m, const char *key, size_t len, void *v);
/* Room for n keys (key_bytes of them in all, NULs included) without growing. */
void strmap_reserve(struct strmap *m, size_t n, size_t key_bytes);

#endif
