/* @form(hashmap): a keyed store of entries on a locus
 * (`capacity { pool entries of S indexed_by k; }`).
 *
 * Intrusive: the key is a field of the entry S, named by `indexed_by`; `set` takes the whole
 * entry. Open addressing with linear probing over one table of slots [hash][entry], load factor
 * at most 0.7, 8 slots at the first insert and doubling; removal shifts the following cluster
 * back (no tombstones), so a table under insert/remove churn never degrades. The table and every
 * entry's heap parts come from the map's own heap in the locus region; an entry replaced by
 * `set` or removed gives its parts back to the heap's free lists.
 *
 * Any key type works (hashing and equality walk the key's descriptor); Int and String keys, the
 * two Hale allows, take a direct path. Int keys start out placed by their own value (the home
 * slot of k is k mod cap), so the dense ids most maps hold land side by side and a fill or a
 * scan walks memory in order instead of missing the cache once per key; the first time an entry
 * would sit more than HALE_HASHMAP_MAX_RUN slots past its home (keys sharing low bits: strides
 * of a power of two, clustered values) the map rehashes every key through a mixing hash and
 * stays mixed. So no probe path is ever longer than that bound under the value placement, and
 * keys that would cluster get a random-like placement as before. Table order (entries,
 * key_at) is unspecified either way; for dense Int keys it is ascending. Reading out follows
 * form_vec.h: `into` a region gives a deep copy, `into == NULL` a borrow valid until that entry is
 * next set or removed.
 *
 * Method surface (Hale's `@form(hashmap)`), for generated code:
 *   birth          hale_hashmap_init(&self->m, self_region, &T_S, &T_K, offsetof(S, k));
 *   set(v)         hale_hashmap_set(&self->m, &v);
 *   get(k)         if (!hale_hashmap_get(&self->m, &k, &out, scratch)) -> KeyError "missing_key"
 *   has(k)         hale_hashmap_has(&self->m, &k)
 *   remove(k)      if (!hale_hashmap_remove(&self->m, &k)) -> KeyError "missing_key"
 *   len()          hale_hashmap_len(&self->m)
 *   is_empty()     hale_hashmap_is_empty(&self->m)
 *   key_at(i)      if (!hale_hashmap_key_at(&self->m, i, &k_out, scratch)) -> IndexError
 *   entry_at(i)    if (!hale_hashmap_entry_at(&self->m, i, &s_out, scratch)) -> IndexError
 *                  (table order; walking i = 0, 1, 2, ... costs O(cap) in total, not per call)
 *   bump(k)        hale_hashmap_bump(&self->m, &k, offsetof(S, counter))
 *   for e in m.entries   int64_t c = 0; S *e; while ((e = hale_hashmap_next(&self->m, &c))) ...
 *   dissolve       hale_hashmap_destroy(&self->m)   (optional)
 *
 * Shared (`@form(hashmap, sync = serialized | lockfree)`): hale_hashmap_share(m, owner region)
 * after init makes every call take the map's lock (shared_lock.h), so loci on other pools may call
 * it directly. Both sync modes serialize on that lock today; `lockfree` gives the same results,
 * without the lock-free progress guarantee. The map's heap is only touched under the lock. */
#ifndef HALE_RUNTIME_FORM_HASHMAP_H
#define HALE_RUNTIME_FORM_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"
#include "region.h"
#include "value.h"

typedef struct hale_hashmap {
    char *slots; /* cap slots of `stride` bytes: [uint64 hash, 0 = empty][entry at hoff] */
    int64_t cap; /* power of two; 0 before the first insert */
    int64_t len;
    size_t stride;
    size_t hoff;
    const hale_type *entry;
    const hale_type *key;
    size_t key_offset;
    hale_heap heap;
    int64_t walk_i;                  /* key_at/entry_at cursor: ordinal ... */
    int64_t walk_slot;               /* ... and the slot holding it; walk_i < 0 when stale */
    struct hale_shared_lock *shared; /* a shared map's lock, else NULL */
    bool mixed;                      /* keys placed by the mixing hash (always for non-Int) */
    bool too_far;                    /* an entry landed past the run bound: mix at the end */
} hale_hashmap;

#define HALE_HASHMAP_MAX_RUN 32

void hale_hashmap_init(hale_hashmap *m, hale_region *owner, const hale_type *entry,
                       const hale_type *key, size_t key_offset);
void hale_hashmap_destroy(hale_hashmap *m);
void hale_hashmap_share(hale_hashmap *m, hale_region *owner);
int64_t hale_hashmap_len_shared(const hale_hashmap *m);

void hale_hashmap_set(hale_hashmap *m, const void *entry);
bool hale_hashmap_get(const hale_hashmap *m, const void *key, void *out, hale_region *into);
bool hale_hashmap_has(const hale_hashmap *m, const void *key);
bool hale_hashmap_remove(hale_hashmap *m, const void *key);
bool hale_hashmap_key_at(hale_hashmap *m, int64_t i, void *out, hale_region *into);
bool hale_hashmap_entry_at(hale_hashmap *m, int64_t i, void *out, hale_region *into);
void hale_hashmap_bump(hale_hashmap *m, const void *key, size_t counter_offset);

/* The next entry at or after slot *cursor (start at 0), or NULL at the end. */
void *hale_hashmap_next(const hale_hashmap *m, int64_t *cursor);

static inline int64_t hale_hashmap_len(const hale_hashmap *m) {
    return m->shared ? hale_hashmap_len_shared(m) : m->len;
}

static inline bool hale_hashmap_is_empty(const hale_hashmap *m) {
    return hale_hashmap_len(m) == 0;
}

#endif
