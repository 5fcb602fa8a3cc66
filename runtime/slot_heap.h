/* Capacity slot `heap X of T`: growable storage whose cells are allocated and freed one by one
 * during the locus's life and reclaimed wholesale when it dissolves.
 *
 * The slot owns a region nested in the locus region (named after the slot, so residency dumps
 * show it) and a size-class heap over it: a freed cell, and the strings or arrays stored in it,
 * go back to the heap's free lists for the next allocation instead of piling up until dissolve.
 * Each cell carries a small header naming its slot, so freeing a cell twice or into another slot
 * is refused with an error instead of corrupting the lists.
 *
 * Generated code:
 *   locus state:   hale_heap_slot *routes;
 *   birth:         self->routes = hale_heap_slot_new(self_region, "Router.routes", &T_Route);
 *   alloc():       Route *c = hale_heap_slot_alloc(self->routes);            (zeroed)
 *   c.f = v:       hale_heap_slot_assign(self->routes, &c->f, &T_of_f, &v);  (deep copy)
 *                  (flat fields may be stored directly: c->hits = 3;)
 *   free(c):       if (hale_heap_slot_free(self->routes, c) != 0) -> runtime fault
 *   dissolve:      hale_heap_slot_destroy(self->routes);  (slots in reverse declaration order,
 *                  before the locus region; freeing the locus region also reclaims it) */
#ifndef HALE_RUNTIME_SLOT_HEAP_H
#define HALE_RUNTIME_SLOT_HEAP_H

#include <stdint.h>

#include "region.h"
#include "value.h"

typedef struct hale_heap_slot hale_heap_slot;

hale_heap_slot *hale_heap_slot_new(hale_region *owner, const char *name, const hale_type *cell);

/* A new zeroed cell (t->size bytes, aligned for T). Never NULL. */
void *hale_heap_slot_alloc(hale_heap_slot *s);

/* Frees a live cell of this slot and everything stored in it. Returns 0, or -1 (and changes
 * nothing) when `cell` is not a live cell of this slot: freed already, or from elsewhere. */
int hale_heap_slot_free(hale_heap_slot *s, void *cell);

/* Stores a deep copy of the value `src` of type `t` at `dst`, a cell of this slot or a field in
 * one, releasing what `dst` held (dst must hold a value stored this way, or zeroes). */
void hale_heap_slot_assign(hale_heap_slot *s, void *dst, const hale_type *t, const void *src);

/* Live cells, and bytes held by live cells and their contents. */
int64_t hale_heap_slot_live(const hale_heap_slot *s);
size_t hale_heap_slot_live_bytes(const hale_heap_slot *s);

/* The slot a live cell belongs to, or NULL when `cell` is not a live heap-slot cell. */
hale_heap_slot *hale_heap_slot_of(const void *cell);

/* Reclaims the whole slot at once. */
void hale_heap_slot_destroy(hale_heap_slot *s);

#endif
