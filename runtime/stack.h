/* Coroutine stacks: guard-paged mappings, recycled through a per-pool cache.
 *
 * Every stack is its own anonymous mapping with one PROT_NONE page below it, so an overflow
 * faults at once instead of silently writing into a neighbour. Pages are committed on first
 * touch (MAP_NORESERVE), so a generous size costs address space, not memory.
 *
 * Mapping and unmapping is two or three system calls and a TLB shootdown; a server that creates
 * one coroutine per connection would pay that per connection. A `hale_stack_cache` keeps freed
 * stacks for reuse. It is owned by one thread (one pool) and takes no lock. */
#ifndef HALE_RUNTIME_STACK_H
#define HALE_RUNTIME_STACK_H

#include <stddef.h>
#include <stdint.h>

typedef struct hale_stack {
    void *lo;      /* lowest usable byte (just above the guard page) */
    size_t size;   /* usable bytes */
    void *mapping; /* start of the mapping, guard page included */
    struct hale_stack *next_free;
    int dirty; /* used since the last trim: its pages may be resident */
} hale_stack;

/* The default usable size (256 KiB), overridden by HALE_STACK_SIZE (bytes, or with a K/M
 * suffix) in the environment. Always a whole number of pages, at least 16 KiB. */
size_t hale_stack_default_size(void);

/* Maps a stack of at least `size` usable bytes (rounded up to pages). Returns 0, or -1 with errno
 * set when the system refuses. */
int hale_stack_map(hale_stack *s, size_t size);

/* Unmaps a stack. */
void hale_stack_unmap(hale_stack *s);

typedef struct {
    size_t size;     /* usable size of every stack this cache serves */
    size_t max_idle; /* stacks kept for reuse beyond which frees unmap */
    size_t idle;
    hale_stack *free;
    /* counters, for tests and diagnostics */
    int64_t maps;
    int64_t reuses;
    int64_t unmaps;
} hale_stack_cache;

void hale_stack_cache_init(hale_stack_cache *c, size_t size, size_t max_idle);

/* A stack from the cache, or a new mapping. Returns NULL when the system refuses. The returned
 * object is owned by the caller until hale_stack_cache_put. */
hale_stack *hale_stack_cache_get(hale_stack_cache *c);

/* Gives a stack back: kept for reuse, or unmapped when the cache is full. */
void hale_stack_cache_put(hale_stack_cache *c, hale_stack *s);

/* Unmaps every idle stack. */
void hale_stack_cache_clear(hale_stack_cache *c);
/* After a burst: unmaps the idle stacks beyond `keep` (the most recently freed stay) and gives
 * the pages of the kept ones back (MADV_DONTNEED: the mapping stays, a reuse faults in fresh
 * zero pages). Returns how many stacks went back to the system. */
size_t hale_stack_cache_trim(hale_stack_cache *c, size_t keep);

#endif
