/* See heap.h. Classes: multiples of 16 up to 128 bytes, then four classes per power of two up to
 * HALE_HEAP_SMALL_MAX (a request wastes at most a quarter of its block). A free block's first
 * word links it into its class list. */
#include "heap.h"

#include <string.h>

#include "fatal.h"

static inline int floor_log2(size_t v) {
    return 63 - __builtin_clzll((unsigned long long)v);
}

/* Class index of a small request (1 .. HALE_HEAP_SMALL_MAX bytes). */
static inline int class_of(size_t size) {
    if (size <= 128) {
        return (int)((size + 15) / 16) - 1; /* 0 .. 7 */
    }
    int k = floor_log2(size - 1); /* size in (2^k, 2^(k+1)], k >= 7 */
    /* the step is 2^(k-2): a shift, not a division (this runs for every locus state) */
    return 8 + (k - 7) * 4 + (int)((size - 1 - ((size_t)1 << k)) >> (k - 2));
}

static inline size_t class_size(int c) {
    if (c < 8) {
        return (size_t)(c + 1) * 16;
    }
    int k = 7 + (c - 8) / 4;
    size_t step = (size_t)1 << (k - 2);
    return ((size_t)1 << k) + (size_t)((c - 8) % 4 + 1) * step;
}

size_t hale_heap_class_size(size_t size) {
    if (size == 0) {
        size = 1;
    }
    return size > HALE_HEAP_SMALL_MAX ? size : class_size(class_of(size));
}

void hale_heap_init(hale_heap *h, hale_region *r) {
    h->region = r;
    h->free_lists = NULL;
    h->live_bytes = 0;
    h->idle_bytes = 0;
}

void *hale_heap_alloc(hale_heap *h, size_t size) {
    if (size == 0) {
        size = 1;
    }
    if (size > HALE_HEAP_SMALL_MAX) {
        h->live_bytes += size;
        return hale_region_block_alloc(h->region, size);
    }
    int c = class_of(size);
    size_t cs = class_size(c);
    h->live_bytes += cs;
    if (h->free_lists && h->free_lists[c]) {
        void *p = h->free_lists[c];
        h->free_lists[c] = *(void **)p;
        __asm__ volatile("" ::: "memory"); /* see hale_heap_free */
        h->idle_bytes -= cs;
        return p;
    }
    return hale_region_alloc(h->region, cs, 16);
}

void hale_heap_free(hale_heap *h, void *p, size_t size) {
    if (!p) {
        return;
    }
    if (size == 0) {
        size = 1;
    }
    if (size > HALE_HEAP_SMALL_MAX) {
        h->live_bytes -= size;
        hale_region_block_free(h->region, p);
        return;
    }
    if (!h->free_lists) {
        h->free_lists = hale_alloc(h->region, HALE_HEAP_CLASSES * sizeof(void *));
        memset(h->free_lists, 0, HALE_HEAP_CLASSES * sizeof(void *));
    }
    int c = class_of(size);
    size_t cs = class_size(c);
    *(void **)p = h->free_lists[c];
    h->free_lists[c] = p;
    h->live_bytes -= cs;
    /* two plain updates: merged into one 16-byte load and store they would wait on the two
     * 8-byte stores of the allocation just before (a failed store-to-load forward) */
    __asm__ volatile("" ::: "memory");
    h->idle_bytes += cs;
}

void *hale_heap_realloc(hale_heap *h, void *p, size_t old_size, size_t new_size) {
    if (!p) {
        return hale_heap_alloc(h, new_size);
    }
    if (old_size == 0) {
        old_size = 1;
    }
    if (new_size == 0) {
        new_size = 1;
    }
    if (old_size > HALE_HEAP_SMALL_MAX && new_size > HALE_HEAP_SMALL_MAX) {
        h->live_bytes += new_size - old_size;
        return hale_region_block_realloc(h->region, p, new_size);
    }
    if (old_size <= HALE_HEAP_SMALL_MAX && new_size <= HALE_HEAP_SMALL_MAX &&
        class_of(old_size) == class_of(new_size)) {
        return p;
    }
    void *q = hale_heap_alloc(h, new_size);
    memcpy(q, p, old_size < new_size ? old_size : new_size);
    hale_heap_free(h, p, old_size);
    return q;
}
