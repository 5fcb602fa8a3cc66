/* Heaps: individually freed memory inside a region.
 *
 * A region frees only wholesale. Storage that churns during a locus's life (cells of a capacity
 * slot, elements replaced in a form container, a growing buffer) would pile up there until the
 * locus dissolves, so such storage goes through a heap: size-class free lists carved out of one
 * region. A freed block waits on its class's list for the next allocation of that class; the
 * memory itself still belongs to the region and is reclaimed wholesale with it, so a heap needs
 * no destructor. Buffers above HALE_HEAP_SMALL_MAX are region blocks (see region.h), resized in
 * place by the system allocator when it can and returned to it when freed.
 *
 * Frees are sized: the caller passes the size it allocated, which generated code and the value
 * walkers always know (a String's length, an array's capacity, a cell's type), so blocks carry no
 * header. A heap is used by the one execution context that owns its region. */
#ifndef HALE_RUNTIME_HEAP_H
#define HALE_RUNTIME_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "region.h"

#define HALE_HEAP_SMALL_MAX ((size_t)32 * 1024)
#define HALE_HEAP_CLASSES 40

typedef struct hale_heap {
    hale_region *region;
    void **free_lists; /* HALE_HEAP_CLASSES heads, allocated from the region at the first free */
    size_t live_bytes; /* bytes held by live blocks, rounded up to their class */
    size_t idle_bytes; /* bytes waiting on the free lists */
} hale_heap;

void hale_heap_init(hale_heap *h, hale_region *r);

/* 16-byte aligned storage for `size` bytes (a zero size is served as 1). Never NULL. */
void *hale_heap_alloc(hale_heap *h, size_t size);

/* Returns a block allocated with `size` bytes. NULL is ignored. */
void hale_heap_free(hale_heap *h, void *p, size_t size);

/* Resizes a block allocated with `old_size` bytes, keeping min(old, new) bytes; p may be NULL. */
void *hale_heap_realloc(hale_heap *h, void *p, size_t old_size, size_t new_size);

/* The size a request is rounded up to (its class size; itself above HALE_HEAP_SMALL_MAX). */
size_t hale_heap_class_size(size_t size);

#endif
