/* Capacity slot `pool Y of T`: a bounded population of fixed-shape cells that are acquired and
 * released over and over (sessions, connection records, buffers).
 *
 * Cells are made in batches that grow geometrically (16, 32, ... up to 4096 cells per batch)
 * when the free list runs dry, and a released cell goes to the front of the free list, so the
 * next acquire reuses the most recently used (cache-warm) cell. A pool may be given a population
 * limit: at the limit, acquire refuses (returns NULL) instead of growing. The slot owns a region
 * nested in the locus region; strings and arrays stored in cells live in a heap over it and are
 * given back when their cell is released. Each cell carries a header naming its pool, so a
 * double release or a release into the wrong pool is refused.
 *
 * Generated code:
 *   birth:        self->sessions = hale_pool_slot_new(self_region, "Srv.sessions", &T_Session, 0);
 *   acquire():    Session *c = hale_pool_slot_acquire(self->sessions);   (zeroed; NULL at limit)
 *   c.f = v:      hale_pool_slot_assign(self->sessions, &c->f, &T_of_f, &v);
 *   release(c):   if (hale_pool_slot_release(self->sessions, c) != 0) -> runtime fault
 *   dissolve:     hale_pool_slot_destroy(self->sessions); */
#ifndef HALE_RUNTIME_SLOT_POOL_H
#define HALE_RUNTIME_SLOT_POOL_H

#include <stdint.h>

#include "region.h"
#include "value.h"

#define HALE_POOL_FIRST_BATCH 16
#define HALE_POOL_MAX_BATCH 4096

typedef struct hale_pool_slot hale_pool_slot;

/* `limit` caps the number of cells out at once; 0 means no cap. */
hale_pool_slot *hale_pool_slot_new(hale_region *owner, const char *name, const hale_type *cell,
                                   int64_t limit);

/* A zeroed cell, or NULL when `limit` cells are already out. */
void *hale_pool_slot_acquire(hale_pool_slot *p);

/* Returns a cell (and what is stored in it) to the pool. 0, or -1 (nothing changes) when `cell`
 * is not a cell of this pool that is out. */
int hale_pool_slot_release(hale_pool_slot *p, void *cell);

/* Stores a deep copy of `src` (type `t`) at `dst`, a cell of this pool or a field in one,
 * releasing what `dst` held. */
void hale_pool_slot_assign(hale_pool_slot *p, void *dst, const hale_type *t, const void *src);

/* Cells out, cells made (out + idle), and the limit (0: none). */
int64_t hale_pool_slot_live(const hale_pool_slot *p);
int64_t hale_pool_slot_made(const hale_pool_slot *p);
int64_t hale_pool_slot_limit(const hale_pool_slot *p);

/* The slot an acquired cell belongs to, or NULL when `cell` is not an acquired pool cell. */
hale_pool_slot *hale_pool_slot_of(const void *cell);

void hale_pool_slot_destroy(hale_pool_slot *p);

#endif
