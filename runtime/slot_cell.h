/* Cells of capacity slots as generated code sees them: `Cell<T>` is a pointer to the cell, and a
 * store into a cell (or a field of one) deep-copies into the heap of whichever slot the cell
 * belongs to, found from the cell's header (slot_heap.h, slot_pool.h), so the compiler does not
 * need to know which slot a handle came from.
 *
 * Generated code:
 *   c.f = v;   hale_cell_assign(c, &c->f, &T_of_f, &v, "file:line:col");
 *   c.f        c->f (a read: a borrow valid until the field is stored again or the cell freed) */
#ifndef HALE_RUNTIME_SLOT_CELL_H
#define HALE_RUNTIME_SLOT_CELL_H

#include "value.h"

/* Stores a deep copy of `src` (type `t`) at `dst`, inside the live cell `cell`. A cell that has
 * been freed or released is a runtime fault at `where`. */
void hale_cell_assign(void *cell, void *dst, const hale_type *t, const void *src,
                      const char *where);

#endif
