/* See form_lru.h. */
#include "form_lru.h"

#include <string.h>

#include "copy.h"
#include "keys.h"

#define MAX_CAP ((int64_t)1 << 30)

typedef struct {
    int32_t prev;
    int32_t next;
    uint64_t hash;
} node_head;

static inline node_head *node(const hale_lru *c, int32_t n) {
    return (node_head *)(c->nodes + (size_t)n * c->stride);
}

static inline char *node_entry(const hale_lru *c, int32_t n) {
    return c->nodes + (size_t)n * c->stride + c->hoff;
}

static size_t align_up(size_t v, size_t a) {
    return (v + a - 1) & ~(a - 1);
}

void hale_lru_init(hale_lru *c, hale_region *owner, const hale_type *entry, const hale_type *key,
                   size_t key_offset, int64_t cap) {
    memset(c, 0, sizeof *c);
    cap = cap < 1 ? 1 : (cap > MAX_CAP ? MAX_CAP : cap);
    size_t a = entry->align > 8 ? entry->align : 8;
    c->hoff = align_up(sizeof(node_head), a);
    c->stride = align_up(c->hoff + entry->size, a);
    c->entry = entry;
    c->key = key;
    c->key_offset = key_offset;
    c->cap = cap;
    c->index_cap = 2;
    while (c->index_cap < 2 * cap) {
        c->index_cap *= 2;
    }
    c->head = c->tail = -1;
    hale_heap_init(&c->heap, owner);
    c->nodes = hale_heap_alloc(&c->heap, (size_t)cap * c->stride);
    c->index = hale_heap_alloc(&c->heap, (size_t)c->index_cap * sizeof(int32_t));
    memset(c->index, 0xff, (size_t)c->index_cap * sizeof(int32_t));
}

void hale_lru_destroy(hale_lru *c) {
    for (int32_t n = c->head; n >= 0 && !c->entry->flat; n = node(c, n)->next) {
        hale_value_release(c->entry, node_entry(c, n), &c->heap);
    }
    hale_heap_free(&c->heap, c->nodes, (size_t)c->cap * c->stride);
    hale_heap_free(&c->heap, c->index, (size_t)c->index_cap * sizeof(int32_t));
    c->nodes = NULL;
    c->index = NULL;
    c->len = 0;
    c->head = c->tail = -1;
}

/* ---- recency list ---- */

static void unlink_node(hale_lru *c, int32_t n) {
    node_head *h = node(c, n);
    if (h->prev >= 0) {
        node(c, h->prev)->next = h->next;
    } else {
        c->head = h->next;
    }
    if (h->next >= 0) {
        node(c, h->next)->prev = h->prev;
    } else {
        c->tail = h->prev;
    }
}

static void push_front(hale_lru *c, int32_t n) {
    node_head *h = node(c, n);
    h->prev = -1;
    h->next = c->head;
    if (c->head >= 0) {
        node(c, c->head)->prev = n;
    }
    c->head = n;
    if (c->tail < 0) {
        c->tail = n;
    }
}

static void touch(hale_lru *c, int32_t n) {
    if (c->head != n) {
        unlink_node(c, n);
        push_front(c, n);
    }
}

/* ---- index ---- */

/* The index slot holding `key`'s node, or -1. */
static int64_t lookup(const hale_lru *c, const void *key, uint64_t h) {
    uint64_t mask = (uint64_t)c->index_cap - 1;
    for (uint64_t i = h & mask;; i = (i + 1) & mask) {
        int32_t n = c->index[i];
        if (n < 0) {
            return -1;
        }
        if (node(c, n)->hash == h &&
            hale_key_equal(c->key, node_entry(c, n) + c->key_offset, key)) {
            return (int64_t)i;
        }
    }
}

static void index_insert(hale_lru *c, int32_t n, uint64_t h) {
    uint64_t mask = (uint64_t)c->index_cap - 1;
    uint64_t i = h & mask;
    while (c->index[i] >= 0) {
        i = (i + 1) & mask;
    }
    c->index[i] = n;
}

/* Removes node n from the index, shifting its cluster back (see form_hashmap.c). */
static void index_remove(hale_lru *c, int32_t n) {
    uint64_t mask = (uint64_t)c->index_cap - 1;
    uint64_t hole = node(c, n)->hash & mask;
    while (c->index[hole] != n) {
        hole = (hole + 1) & mask;
    }
    for (uint64_t j = (hole + 1) & mask; c->index[j] >= 0; j = (j + 1) & mask) {
        uint64_t home = node(c, c->index[j])->hash & mask;
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            c->index[hole] = c->index[j];
            hole = j;
        }
    }
    c->index[hole] = -1;
}

/* ---- surface ---- */

void hale_lru_put(hale_lru *c, const void *entry) {
    const char *key = (const char *)entry + c->key_offset;
    uint64_t h = hale_key_hash(c->key, key);
    int64_t slot = lookup(c, key, h);
    if (slot >= 0) {
        int32_t n = c->index[slot];
        hale_value_replace_heap(c->entry, node_entry(c, n), entry, &c->heap);
        touch(c, n);
        return;
    }
    int32_t n;
    if (c->len < c->cap) {
        n = (int32_t)c->len++;
        hale_value_copy_heap(c->entry, node_entry(c, n), entry, &c->heap);
    } else {
        /* Evict the least recently used node and reuse it. Copy the new entry first: its parts
         * may be borrowed from the victim. */
        n = c->tail;
        index_remove(c, n);
        unlink_node(c, n);
        hale_value_replace_heap(c->entry, node_entry(c, n), entry, &c->heap);
        c->evictions++;
    }
    node(c, n)->hash = h;
    push_front(c, n);
    index_insert(c, n, h);
}

bool hale_lru_get(hale_lru *c, const void *key, void *out, hale_region *into) {
    int64_t slot = lookup(c, key, hale_key_hash(c->key, key));
    if (slot < 0) {
        return false;
    }
    int32_t n = c->index[slot];
    touch(c, n);
    hale_value_read(c->entry, out, node_entry(c, n), into);
    return true;
}

bool hale_lru_contains(const hale_lru *c, const void *key) {
    return lookup(c, key, hale_key_hash(c->key, key)) >= 0;
}
