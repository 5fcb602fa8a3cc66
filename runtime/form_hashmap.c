/* See form_hashmap.h. */
#include "form_hashmap.h"

#include <string.h>

#include "copy.h"
#include "fatal.h"
#include "keys.h"
#include "shared_lock.h"

#define FIRST_CAP 8

static inline char *slot_at(const hale_hashmap *m, int64_t i) {
    return m->slots + (size_t)i * m->stride;
}

static inline uint64_t slot_hash(const char *slot) {
    uint64_t h;
    memcpy(&h, slot, sizeof h);
    return h;
}

static inline void set_slot_hash(char *slot, uint64_t h) {
    memcpy(slot, &h, sizeof h);
}

static inline char *slot_entry(const hale_hashmap *m, char *slot) {
    return slot + m->hoff;
}

/* The hash `key` is placed by: its own value for an Int key until the map mixes (see the header);
 * never 0, the empty mark. */
static inline uint64_t map_hash(const hale_hashmap *m, const void *key) {
    if (!m->mixed) {
        return (uint64_t) * (const int64_t *)key | ((uint64_t)1 << 63);
    }
    return hale_key_hash(m->key, key);
}

/* Notes an entry placed `steps` slots past its home: under the value placement, one too far
 * means the keys cluster, and the map mixes once the operation has stored its entry. */
static inline void note_run(hale_hashmap *m, uint64_t steps) {
    if (steps > HALE_HASHMAP_MAX_RUN && !m->mixed) {
        m->too_far = true;
    }
}

static size_t align_up(size_t v, size_t a) {
    return (v + a - 1) & ~(a - 1);
}

void hale_hashmap_init(hale_hashmap *m, hale_region *owner, const hale_type *entry,
                       const hale_type *key, size_t key_offset) {
    memset(m, 0, sizeof *m);
    size_t a = entry->align > 8 ? entry->align : 8;
    m->hoff = align_up(sizeof(uint64_t), a);
    m->stride = align_up(m->hoff + entry->size, a);
    m->entry = entry;
    m->key = key;
    m->key_offset = key_offset;
    m->walk_i = -1;
    m->mixed = key->kind != HALE_T_INT;
    hale_heap_init(&m->heap, owner);
}

void hale_hashmap_destroy(hale_hashmap *m) {
    for (int64_t i = 0; i < m->cap && !m->entry->flat; i++) {
        char *s = slot_at(m, i);
        if (slot_hash(s)) {
            hale_value_release(m->entry, slot_entry(m, s), &m->heap);
        }
    }
    hale_heap_free(&m->heap, m->slots, (size_t)m->cap * m->stride);
    m->slots = NULL;
    m->cap = m->len = 0;
    m->walk_i = -1;
}

/* The slot holding `key`, or -1. */
static int64_t find(const hale_hashmap *m, const void *key, uint64_t h) {
    if (m->cap == 0) {
        return -1;
    }
    uint64_t mask = (uint64_t)m->cap - 1;
    for (uint64_t i = h & mask;; i = (i + 1) & mask) {
        char *s = slot_at(m, (int64_t)i);
        uint64_t sh = slot_hash(s);
        if (sh == 0) {
            return -1;
        }
        if (sh == h && hale_key_equal(m->key, slot_entry(m, s) + m->key_offset, key)) {
            return (int64_t)i;
        }
    }
}

/* The first empty slot on `h`'s probe path (the key is known to be absent). */
static char *free_slot(hale_hashmap *m, uint64_t h) {
    uint64_t mask = (uint64_t)m->cap - 1;
    uint64_t i = h & mask, steps = 0;
    while (slot_hash(slot_at(m, (int64_t)i))) {
        i = (i + 1) & mask;
        steps++;
    }
    note_run(m, steps);
    return slot_at(m, (int64_t)i);
}

/* Moves every entry to a fresh table of `cap` slots (their parts move with them), by its stored
 * hash, or by a new one from its key when `rehash`. */
static void rebuild(hale_hashmap *m, int64_t cap, bool rehash) {
    int64_t old_cap = m->cap;
    char *old = m->slots;
    if ((uint64_t)cap > SIZE_MAX / 2 / m->stride) {
        hale_oom(SIZE_MAX, "a hashmap");
    }
    size_t bytes = (size_t)cap * m->stride;
    m->slots = hale_heap_alloc(&m->heap, bytes);
    hale_sys_advise_dense(m->slots, bytes);
    memset(m->slots, 0, bytes);
    m->cap = cap;
    for (int64_t i = 0; i < old_cap; i++) {
        char *s = old + (size_t)i * m->stride;
        uint64_t h = slot_hash(s);
        if (h) {
            if (rehash) {
                h = map_hash(m, slot_entry(m, s) + m->key_offset);
                set_slot_hash(s, h);
            }
            /* slots are whole words (stride is a multiple of 8): a word loop, not a call */
            char *to = free_slot(m, h);
            for (size_t w = 0; w < m->stride; w += 8) {
                memcpy(to + w, s + w, 8);
            }
        }
    }
    hale_heap_free(&m->heap, old, (size_t)old_cap * m->stride);
    m->walk_i = -1;
}

static void grow(hale_hashmap *m) {
    rebuild(m, m->cap ? m->cap * 2 : FIRST_CAP, false);
}

/* Ends an operation that stored an entry: if one landed past the run bound, every key moves to
 * the mixing hash (at the same size), for good. */
static void settle_runs(hale_hashmap *m) {
    if (m->too_far) {
        m->too_far = false;
        m->mixed = true;
        rebuild(m, m->cap, true);
    }
}

static char *insert_new(hale_hashmap *m, uint64_t h) {
    if ((m->len + 1) * 10 > m->cap * 7) {
        grow(m);
    }
    char *s = free_slot(m, h);
    set_slot_hash(s, h);
    m->len++;
    m->walk_i = -1;
    return s;
}

/* The slot holding `key`, or else (*empty) the empty slot ending its probe path: one walk for
 * both questions a set asks. The table has room (cap > 0). */
static char *probe(hale_hashmap *m, const void *key, uint64_t h, int *empty) {
    uint64_t mask = (uint64_t)m->cap - 1;
    for (uint64_t i = h & mask, steps = 0;; i = (i + 1) & mask, steps++) {
        char *s = slot_at(m, (int64_t)i);
        uint64_t sh = slot_hash(s);
        if (sh == 0) {
            *empty = 1;
            note_run(m, steps);
            return s;
        }
        if (sh == h && hale_key_equal(m->key, slot_entry(m, s) + m->key_offset, key)) {
            *empty = 0;
            return s;
        }
    }
}

static void raw_set(hale_hashmap *m, const void *entry) {
    const char *key = (const char *)entry + m->key_offset;
    uint64_t h = map_hash(m, key);
    int empty = 1;
    char *s = m->cap ? probe(m, key, h, &empty) : NULL;
    if (!empty) {
        hale_value_replace_heap(m->entry, slot_entry(m, s), entry, &m->heap);
        return;
    }
    /* `entry` cannot lie in the table: an entry there has its key present, handled above. */
    if (!s || (m->len + 1) * 10 > m->cap * 7) {
        s = insert_new(m, h); /* grows, then finds the slot on the new table */
    } else {
        set_slot_hash(s, h); /* the empty slot the probe ended at */
        m->len++;
        m->walk_i = -1;
    }
    if (m->entry->flat) {
        memcpy(slot_entry(m, s), entry, m->entry->size);
    } else {
        hale_value_copy_heap(m->entry, slot_entry(m, s), entry, &m->heap);
    }
    settle_runs(m);
}

static bool raw_get(const hale_hashmap *m, const void *key, void *out, hale_region *into) {
    int64_t i = find(m, key, map_hash(m, key));
    if (i < 0) {
        return false;
    }
    hale_value_read(m->entry, out, slot_entry(m, slot_at(m, i)), into);
    return true;
}

static bool raw_has(const hale_hashmap *m, const void *key) {
    return find(m, key, map_hash(m, key)) >= 0;
}

/* Empties slot i and shifts back the rest of its cluster so every probe path stays unbroken. */
static void delete_at(hale_hashmap *m, int64_t i) {
    uint64_t mask = (uint64_t)m->cap - 1;
    uint64_t hole = (uint64_t)i;
    for (uint64_t j = (hole + 1) & mask;; j = (j + 1) & mask) {
        char *s = slot_at(m, (int64_t)j);
        uint64_t h = slot_hash(s);
        if (h == 0) {
            break;
        }
        uint64_t home = h & mask;
        /* The entry at j may move to the hole unless its home lies cyclically in (hole, j]. */
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            memcpy(slot_at(m, (int64_t)hole), s, m->stride);
            hole = j;
        }
    }
    set_slot_hash(slot_at(m, (int64_t)hole), 0);
    m->len--;
    m->walk_i = -1;
}

static bool raw_remove(hale_hashmap *m, const void *key) {
    int64_t i = find(m, key, map_hash(m, key));
    if (i < 0) {
        return false;
    }
    hale_value_release(m->entry, slot_entry(m, slot_at(m, i)), &m->heap);
    delete_at(m, i);
    return true;
}

static void *raw_next(const hale_hashmap *m, int64_t *cursor) {
    for (int64_t i = *cursor < 0 ? 0 : *cursor; i < m->cap; i++) {
        char *s = slot_at(m, i);
        if (slot_hash(s)) {
            *cursor = i + 1;
            return slot_entry(m, s);
        }
    }
    *cursor = m->cap;
    return NULL;
}

/* The i-th entry in table order. Resumes from the previous call's position when walking
 * forward, so a loop over i = 0 .. len-1 touches each slot once. */
static char *nth_entry(hale_hashmap *m, int64_t i) {
    if (i < 0 || i >= m->len) {
        return NULL;
    }
    int64_t ord = 0, cursor = 0;
    if (m->walk_i >= 0 && m->walk_i <= i) {
        ord = m->walk_i;
        cursor = m->walk_slot;
    }
    for (;;) {
        char *e = raw_next(m, &cursor);
        if (!e) {
            return NULL; /* unreachable while len is right */
        }
        if (ord == i) {
            m->walk_i = i;
            m->walk_slot = cursor - 1;
            return e;
        }
        ord++;
    }
}

static bool raw_key_at(hale_hashmap *m, int64_t i, void *out, hale_region *into) {
    char *e = nth_entry(m, i);
    if (!e) {
        return false;
    }
    hale_value_read(m->key, out, e + m->key_offset, into);
    return true;
}

static bool raw_entry_at(hale_hashmap *m, int64_t i, void *out, hale_region *into) {
    char *e = nth_entry(m, i);
    if (!e) {
        return false;
    }
    hale_value_read(m->entry, out, e, into);
    return true;
}

static void raw_bump(hale_hashmap *m, const void *key, size_t counter_offset) {
    uint64_t h = map_hash(m, key);
    int64_t i = find(m, key, h);
    char *e;
    if (i >= 0) {
        e = slot_entry(m, slot_at(m, i));
    } else {
        e = slot_entry(m, insert_new(m, h));
        memset(e, 0, m->entry->size);
        hale_value_copy_heap(m->key, e + m->key_offset, key, &m->heap);
    }
    int64_t n;
    memcpy(&n, e + counter_offset, sizeof n);
    n++;
    memcpy(e + counter_offset, &n, sizeof n);
    settle_runs(m);
}

/* ---- the public calls: a shared map (`sync = ...`) takes its lock around each ---- */

void hale_hashmap_share(hale_hashmap *m, hale_region *owner) {
    m->shared = hale_shared_lock_new(owner);
}

#define LOCKED(m, call)                                                                            \
    do {                                                                                           \
        if (!(m)->shared) {                                                                        \
            return call;                                                                           \
        }                                                                                          \
        hale_shared_lock_take((m)->shared);                                                        \
        __typeof__(call) r_ = call;                                                                \
        hale_shared_lock_give((m)->shared);                                                        \
        return r_;                                                                                 \
    } while (0)

#define LOCKED_VOID(m, call)                                                                       \
    do {                                                                                           \
        if ((m)->shared) {                                                                         \
            hale_shared_lock_take((m)->shared);                                                    \
        }                                                                                          \
        call;                                                                                      \
        if ((m)->shared) {                                                                         \
            hale_shared_lock_give((m)->shared);                                                    \
        }                                                                                          \
    } while (0)

void hale_hashmap_set(hale_hashmap *m, const void *entry) {
    LOCKED_VOID(m, raw_set(m, entry));
}

bool hale_hashmap_get(const hale_hashmap *m, const void *key, void *out, hale_region *into) {
    LOCKED(m, raw_get(m, key, out, into));
}

bool hale_hashmap_has(const hale_hashmap *m, const void *key) {
    LOCKED(m, raw_has(m, key));
}

bool hale_hashmap_remove(hale_hashmap *m, const void *key) {
    LOCKED(m, raw_remove(m, key));
}

void *hale_hashmap_next(const hale_hashmap *m, int64_t *cursor) {
    LOCKED(m, raw_next(m, cursor));
}

bool hale_hashmap_key_at(hale_hashmap *m, int64_t i, void *out, hale_region *into) {
    LOCKED(m, raw_key_at(m, i, out, into));
}

bool hale_hashmap_entry_at(hale_hashmap *m, int64_t i, void *out, hale_region *into) {
    LOCKED(m, raw_entry_at(m, i, out, into));
}

void hale_hashmap_bump(hale_hashmap *m, const void *key, size_t counter_offset) {
    LOCKED_VOID(m, raw_bump(m, key, counter_offset));
}

int64_t hale_hashmap_len_shared(const hale_hashmap *m) {
    LOCKED(m, m->len);
}
