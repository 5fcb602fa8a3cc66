/* @form(lru_cache, cap = N): a bounded keyed cache on a locus
 * (`capacity { pool sessions of S indexed_by k; }`).
 *
 * At most N entries; putting a new key into a full cache silently evicts the least recently used
 * entry. A `get` hit counts as a use (it refreshes the entry), `contains` does not. Everything is
 * O(1): N nodes preallocated at birth, linked in recency order (most recent first), plus an
 * open-addressed index of node numbers sized to at least 2N (load at most one half) with
 * backward-shift removal, so eviction churn never degrades it. Entries are deep-copied into the
 * cache's heap in the locus region; an evicted or replaced entry's heap parts go back to it.
 *
 * Reading out follows form_vec.h: `into` a region gives a deep copy, `into == NULL` a borrow valid
 * until that entry is next replaced or evicted (any later `put` may evict it).
 *
 * Method surface (Hale's `@form(lru_cache)`), for generated code:
 *   birth         hale_lru_init(&self->c, self_region, &T_S, &T_K, offsetof(S, k), N);
 *   put(x)        hale_lru_put(&self->c, &x);
 *   get(k)        if (!hale_lru_get(&self->c, &k, &out, scratch)) -> KeyError "missing_key"
 *   contains(k)   hale_lru_contains(&self->c, &k)
 *   len()         hale_lru_len(&self->c)
 *   dissolve      hale_lru_destroy(&self->c)   (optional) */
#ifndef HALE_RUNTIME_FORM_LRU_H
#define HALE_RUNTIME_FORM_LRU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"
#include "region.h"
#include "value.h"

typedef struct hale_lru {
    char *nodes;    /* cap nodes of `stride` bytes: [prev i32][next i32][hash u64][entry] */
    int32_t *index; /* index_cap node numbers, -1 = empty */
    int64_t cap;
    int64_t len;
    int64_t index_cap; /* power of two >= 2 * cap */
    int32_t head;      /* most recently used, -1 when empty */
    int32_t tail;      /* least recently used */
    size_t stride;
    size_t hoff;
    const hale_type *entry;
    const hale_type *key;
    size_t key_offset;
    int64_t evictions;
    hale_heap heap;
} hale_lru;

/* `cap` is clamped to 1 .. 2^30. */
void hale_lru_init(hale_lru *c, hale_region *owner, const hale_type *entry, const hale_type *key,
                   size_t key_offset, int64_t cap);
void hale_lru_destroy(hale_lru *c);

void hale_lru_put(hale_lru *c, const void *entry);
bool hale_lru_get(hale_lru *c, const void *key, void *out, hale_region *into);
bool hale_lru_contains(const hale_lru *c, const void *key);

static inline int64_t hale_lru_len(const hale_lru *c) {
    return c->len;
}

/* Entries evicted so far (diagnostics and tests). */
static inline int64_t hale_lru_evictions(const hale_lru *c) {
    return c->evictions;
}

#endif
