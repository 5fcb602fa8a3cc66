/* See slot_cell.h. */
#include "slot_cell.h"

#include "fault.h"
#include "slot_heap.h"
#include "slot_pool.h"

void hale_cell_assign(void *cell, void *dst, const hale_type *t, const void *src,
                      const char *where) {
    hale_heap_slot *h = hale_heap_slot_of(cell);
    if (h) {
        hale_heap_slot_assign(h, dst, t, src);
        return;
    }
    hale_pool_slot *p = hale_pool_slot_of(cell);
    if (p) {
        hale_pool_slot_assign(p, dst, t, src);
        return;
    }
    hale_fault(where, "store into a cell that has been freed");
}
