/* See slot_heap.h. A cell is [header 16 bytes][T], allocated from the slot's heap. */
#include "slot_heap.h"

#include <string.h>

#include "copy.h"
#include "heap.h"

#define CELL_LIVE 0x4c495645u /* "LIVE" */
#define CELL_FREE 0x46524545u /* "FREE" */

typedef struct {
    hale_heap_slot *owner;
    uint32_t state;
    uint32_t pad;
} cell_header;

struct hale_heap_slot {
    hale_region *region;
    hale_heap heap;
    const hale_type *cell;
    int64_t live;
};

static size_t cell_bytes(const hale_heap_slot *s) {
    return sizeof(cell_header) + s->cell->size;
}

hale_heap_slot *hale_heap_slot_new(hale_region *owner, const char *name, const hale_type *cell) {
    hale_region *r = hale_region_new(owner, name ? name : "heap slot");
    hale_heap_slot *s = hale_alloc(r, sizeof *s);
    s->region = r;
    hale_heap_init(&s->heap, r);
    s->cell = cell;
    s->live = 0;
    return s;
}

void *hale_heap_slot_alloc(hale_heap_slot *s) {
    cell_header *h = hale_heap_alloc(&s->heap, cell_bytes(s));
    h->owner = s;
    h->state = CELL_LIVE;
    h->pad = 0;
    void *cell = h + 1;
    memset(cell, 0, s->cell->size);
    s->live++;
    return cell;
}

int hale_heap_slot_free(hale_heap_slot *s, void *cell) {
    if (!cell) {
        return -1;
    }
    cell_header *h = (cell_header *)cell - 1;
    if (h->owner != s || h->state != CELL_LIVE) {
        return -1;
    }
    hale_value_release(s->cell, cell, &s->heap);
    h->state = CELL_FREE;
    h->owner = NULL;
    hale_heap_free(&s->heap, h, cell_bytes(s));
    s->live--;
    return 0;
}

hale_heap_slot *hale_heap_slot_of(const void *cell) {
    if (!cell) {
        return NULL;
    }
    const cell_header *h = (const cell_header *)cell - 1;
    return h->state == CELL_LIVE ? h->owner : NULL;
}

void hale_heap_slot_assign(hale_heap_slot *s, void *dst, const hale_type *t, const void *src) {
    hale_value_replace_heap(t, dst, src, &s->heap);
}

int64_t hale_heap_slot_live(const hale_heap_slot *s) {
    return s->live;
}

size_t hale_heap_slot_live_bytes(const hale_heap_slot *s) {
    return s->heap.live_bytes;
}

void hale_heap_slot_destroy(hale_heap_slot *s) {
    hale_region_free(s->region);
}
