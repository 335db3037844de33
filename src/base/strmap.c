/* strmap.c -- open addressing with linear probing; keys live in one pool, slots hold offsets. */
#include "strmap.h"

#include "mem.h"

#include <stdlib.h>
#include <string.h>

struct strmap_slot {
    uint64_t hash;
    size_t off, len; /* key in pool */
    void *v;         /* NULL: empty slot */
};

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

void strmap_init(struct strmap *m)
{
    memset(m, 0, sizeof *m);
}

void strmap_release(struct strmap *m)
{
    free(m->slots);
    free(m->pool);
    memset(m, 0, sizeof *m);
}

static struct strmap_slot *find(const struct strmap *m, const char *key, size_t len, uint64_t h)
{
    size_t j = h & (m->cap - 1);
    for (;;) {
        struct strmap_slot *s = &m->slots[j];
        if (!s->v || (s->hash == h && s->len == len && memcmp(m->pool + s->off, key, len) == 0))
            return s;
        j = (j + 1) & (m->cap - 1);
    }
}

void *strmap_get(const struct strmap *m, const char *key, size_t len)
{
    if (!m->cap)
        return NULL;
    return find(m, key, len, hash(key, len))->v;
}

static void grow(struct strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 256;
    struct strmap_slot *old = m->slots, *slots = calloc(cap, sizeof *slots);
    if (!slots)
        abort();
    mem_hint_huge(slots, cap * sizeof *slots); /* a million keys: 128 MiB touched at random */
    size_t ocap = m->cap;
    m->slots = slots;
    m->cap = cap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].v)
            *find(m, m->pool + old[i].off, old[i].len, old[i].hash) = old[i];
    free(old);
}

/* Stores v under key (replace: over an existing value too); returns the previous value. */
static void *put(struct strmap *m, const char *key, size_t len, void *v, int replace)
{
    if ((m->n + 1) * 2 > m->cap)
        grow(m);
    uint64_t h = hash(key, len);
    struct strmap_slot *s = find(m, key, len, h);
    if (s->v) {
        void *prev = s->v;
        if (replace)
            s->v = v;
        return prev;
    }
    if (m->pool_len + len + 1 > m->pool_cap) {
        size_t cap = m->pool_cap ? m->pool_cap : 4096;
        while (m->pool_len + len + 1 > cap)
            cap *= 2;
        char *p = realloc(m->pool, cap);
        if (!p)
            abort();
        m->pool = p;
        m->pool_cap = cap;
    }
    memcpy(m->pool + m->pool_len, key, len);
    m->pool[m->pool_len + len] = 0;
    *s = (struct strmap_slot){h, m->pool_len, len, v};
    m->pool_len += len + 1;
    m->n++;
    return NULL;
}

void *strmap_put(struct strmap *m, const char *key, size_t len, void *v)
{
    return put(m, key, len, v, 1);
}

void *strmap_add(struct strmap *m, const char *key, size_t len, void *v)
{
    return put(m, key, len, v, 0);
}

void strmap_reserve(struct strmap *m, size_t n, size_t key_bytes)
{
    while ((n + 1) * 2 > m->cap)
        grow(m);
    if (key_bytes > m->pool_cap) {
        char *p = realloc(m->pool, key_bytes);
        if (!p)
            abort();
        m->pool = p;
        m->pool_cap = key_bytes;
    }
}
