/* See slot_pool.h. A cell is [header 16 bytes][T padded to 16]; a batch is one region allocation
 * of `n` cells threaded onto the free list. A free cell's header holds the next free cell. */
#include "slot_pool.h"

#include <string.h>

#include "copy.h"
#include "heap.h"

#define CELL_OUT 0x2054554fu  /* "OUT " */
#define CELL_IDLE 0x454c4449u /* "IDLE" */

typedef struct cell_header {
    union {
        hale_pool_slot *owner;    /* while out */
        struct cell_header *next; /* while idle */
    } u;
    uint32_t state;
    uint32_t pad;
} cell_header;

struct hale_pool_slot {
    hale_region *region;
    hale_heap heap; /* contents of cells */
    const hale_type *cell;
    size_t stride;
    cell_header *free;
    int64_t live;
    int64_t made;
    int64_t limit;
    int64_t next_batch;
};

hale_pool_slot *hale_pool_slot_new(hale_region *owner, const char *name, const hale_type *cell,
                                   int64_t limit) {
    hale_region *r = hale_region_new(owner, name ? name : "pool slot");
    hale_pool_slot *p = hale_alloc(r, sizeof *p);
    memset(p, 0, sizeof *p);
    p->region = r;
    hale_heap_init(&p->heap, r);
    p->cell = cell;
    p->stride = sizeof(cell_header) + ((cell->size + 15) & ~(size_t)15);
    p->limit = limit > 0 ? limit : 0;
    p->next_batch = HALE_POOL_FIRST_BATCH;
    return p;
}

static void grow(hale_pool_slot *p) {
    int64_t n = p->next_batch;
    if (p->limit && n > p->limit - p->made) {
        n = p->limit - p->made;
    }
    char *batch = hale_alloc(p->region, (size_t)n * p->stride);
    for (int64_t i = n - 1; i >= 0; i--) {
        cell_header *h = (cell_header *)(batch + (size_t)i * p->stride);
        h->state = CELL_IDLE;
        h->u.next = p->free;
        p->free = h;
    }
    p->made += n;
    if (p->next_batch < HALE_POOL_MAX_BATCH) {
        p->next_batch *= 2;
    }
}

void *hale_pool_slot_acquire(hale_pool_slot *p) {
    if (!p->free) {
        if (p->limit && p->made >= p->limit) {
            return NULL;
        }
        grow(p);
    }
    cell_header *h = p->free;
    p->free = h->u.next;
    h->u.owner = p;
    h->state = CELL_OUT;
    void *cell = h + 1;
    memset(cell, 0, p->cell->size);
    p->live++;
    return cell;
}

int hale_pool_slot_release(hale_pool_slot *p, void *cell) {
    if (!cell) {
        return -1;
    }
    cell_header *h = (cell_header *)cell - 1;
    if (h->state != CELL_OUT || h->u.owner != p) {
        return -1;
    }
    hale_value_release(p->cell, cell, &p->heap);
    h->state = CELL_IDLE;
    h->u.next = p->free;
    p->free = h;
    p->live--;
    return 0;
}

hale_pool_slot *hale_pool_slot_of(const void *cell) {
    if (!cell) {
        return NULL;
    }
    const cell_header *h = (const cell_header *)cell - 1;
    return h->state == CELL_OUT ? h->u.owner : NULL;
}

void hale_pool_slot_assign(hale_pool_slot *p, void *dst, const hale_type *t, const void *src) {
    hale_value_replace_heap(t, dst, src, &p->heap);
}

int64_t hale_pool_slot_live(const hale_pool_slot *p) {
    return p->live;
}

int64_t hale_pool_slot_made(const hale_pool_slot *p) {
    return p->made;
}

int64_t hale_pool_slot_limit(const hale_pool_slot *p) {
    return p->limit;
}

void hale_pool_slot_destroy(hale_pool_slot *p) {
    hale_region_free(p->region);
}
