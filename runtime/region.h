/* Regions: the memory every locus owns.
 *
 * A region is a list of chunks with a bump pointer. Allocation is a pointer bump; there is no
 * per-object free. Regions nest like loci: freeing a region frees every region nested in it, and
 * their chunks go back to a process-wide chunk pool (with a per-thread cache) for reuse.
 *
 * Every region header carries a generation that is bumped when the region is freed. Headers are
 * never returned to the operating system and are only ever reused as region headers, so a
 * guarded reference (pointer + generation) can always be checked: `hale_region_alive` is safe to
 * call on a region that has been freed.
 *
 * Mark/reset gives stack discipline inside one region: the compiler opens a mark on the current
 * context's scratch at every function entry and resets it on return, so transient allocations of
 * a call never outlive it. Scratch belongs to an execution context (the main thread, a pool
 * worker, a coroutine), not to a thread, because a parked coroutine's scratch must survive while
 * others run on the same thread; the scheduler switches `hale_scratch_set_current` with the
 * context.
 *
 * This header is the contract between the runtime and generated C. */
#ifndef HALE_RUNTIME_REGION_H
#define HALE_RUNTIME_REGION_H

#include <stddef.h>
#include <stdint.h>

#define HALE_CHUNK_SIZE ((size_t)64 * 1024)

typedef struct hale_region hale_region;

/* Creates a region nested in `parent` (NULL for a root region). `name` labels it in diagnostics
 * and must outlive the region (generated code passes string literals). */
hale_region *hale_region_new(hale_region *parent, const char *name);

/* Frees `r` and, first, every region nested in it. Their chunks return to the chunk pool and
 * their generations are bumped. */
void hale_region_free(hale_region *r);

/* The allocation fast path's state: the first member of every region, so the common case
 * (bump within the current chunk) is inlined into the caller. Read-only outside region.c. */
struct hale_chunk;
typedef struct {
    char *bump;
    char *end;
    size_t used; /* written by the owner with relaxed atomic stores (diagnostics read it) */
    struct hale_chunk *cur;   /* standard chunks, newest first; bump allocates from the head */
    struct hale_chunk *large; /* dedicated chunks, newest first */
} hale_region_head;

/* Everything but the bump-within-the-chunk case: new chunks, large and zero sizes, checks. */
void *hale_region_alloc_slow(hale_region *r, size_t size, size_t align);

/* Returns `size` bytes aligned to `align` (a power of two, at most 4096). Never returns NULL: out
 * of memory is fatal. An allocation larger than a quarter chunk that does not fit the rest of the
 * current chunk gets a dedicated chunk (the current one keeps serving small allocations). A zero
 * size returns a valid, unique, aligned pointer. */
static inline void *hale_region_alloc(hale_region *r, size_t size, size_t align) {
    hale_region_head *h = (hale_region_head *)r;
    uintptr_t p = ((uintptr_t)h->bump + align - 1) & ~(uintptr_t)(align - 1);
    uintptr_t e = p + size;
    /* e > p rejects a zero size and wrap-around; an empty region (NULL bump/end) fails e <= end */
    if (__builtin_expect(e <= (uintptr_t)h->end && e > p, 1)) {
        h->bump = (char *)e;
        __atomic_store_n(&h->used, h->used + size, __ATOMIC_RELAXED);
        return (void *)p;
    }
    return hale_region_alloc_slow(r, size, align);
}

/* The common case: 16-byte alignment. */
static inline void *hale_alloc(hale_region *r, size_t size) {
    return hale_region_alloc(r, size, 16);
}

/* ---- blocks ---- */

/* A block is a dedicated allocation owned by a region that, unlike bump memory, can be resized
 * and freed on its own: the storage of growable buffers (form vectors, byte builders) whose old
 * copies would otherwise pile up in the region. Blocks come from the system (counted), are not
 * touched by mark/reset, and whatever is left of them is freed with the region. Payloads are
 * 16-byte aligned. `hale_region_block_realloc(r, NULL, n)` allocates. */
void *hale_region_block_alloc(hale_region *r, size_t size);
void *hale_region_block_realloc(hale_region *r, void *block, size_t size);
void hale_region_block_free(hale_region *r, void *block);

/* Bytes handed out by allocations since creation or the last reset (not counting padding) plus
 * live blocks, and bytes of chunk and block memory the region currently holds. Neither includes
 * nested regions. Safe to read from another thread (diagnostics). */
size_t hale_region_used_bytes(const hale_region *r);
size_t hale_region_reserved_bytes(const hale_region *r);

/* The region's label and parent, for diagnostics. */
const char *hale_region_name(const hale_region *r);
hale_region *hale_region_parent(const hale_region *r);

/* ---- generations (guarded references) ---- */

typedef uint64_t hale_gen;

/* The region's current generation. Safe to call after the region was freed. */
hale_gen hale_region_generation(const hale_region *r);

/* The first members of every region: the allocation fast path's state, then the generation
 * (region.c checks that its struct starts this way). Read-only outside region.c. */
typedef struct {
    hale_region_head head;
    uint64_t gen; /* written with atomic stores by region.c */
} hale_region_prefix;

/* 1 while the region that had generation `g` is still alive, 0 once it has been freed: one
 * load and a compare, inline, because a guarded reference checks it at every access. */
static inline int hale_region_alive(const hale_region *r, hale_gen g) {
    return __atomic_load_n(&((const hale_region_prefix *)(const void *)r)->gen, __ATOMIC_ACQUIRE) ==
           g;
}

/* ---- mark / reset ---- */

typedef struct {
    void *chunk; /* chunk that was current at the mark */
    void *large; /* newest dedicated (large) chunk at the mark */
    char *bump;  /* the bump pointer at the mark (within `chunk`, or NULL) */
    size_t used; /* used-bytes count at the mark */
} hale_mark;

/* Inline: it is taken on entry to every function that may allocate. */
static inline hale_mark hale_region_mark(const hale_region *r) {
    const hale_region_head *h = (const hale_region_head *)(const void *)r;
    return (hale_mark){h->cur, h->large, h->bump, h->used};
}

/* Forgets everything allocated in `r` after `m` was taken. Chunks that become unused go back to
 * the pool (a region may keep one spare to avoid churn on hot call paths). Inline when nothing
 * was allocated since the mark (the same bump pointer and count: every allocation, dedicated
 * chunks included, adds to the count), which is most calls of a function that may allocate. */
void hale_region_reset_to(hale_region *r, hale_mark m);

static inline void hale_region_reset(hale_region *r, hale_mark m) {
    const hale_region_head *h = (const hale_region_head *)(const void *)r;
    if (__builtin_expect(h->bump == m.bump && h->used == m.used, 1)) {
        return;
    }
    hale_region_reset_to(r, m);
}

/* ---- scratch ---- */

/* Scratch for one execution context: two regions ("sides") used alternately by call depth, so a
 * callee's return value can be copied into the caller's side before the callee's side resets. */
typedef struct hale_scratch hale_scratch;

hale_scratch *hale_scratch_new(const char *name);
void hale_scratch_free(hale_scratch *s);

/* The current context's scratch. Each thread starts with one of its own, created on first use. */
hale_scratch *hale_scratch_current(void);

/* Makes `s` the current scratch of this thread; returns the previous one. */
hale_scratch *hale_scratch_set_current(hale_scratch *s);

/* Side 0 or 1 of `s`. */
hale_region *hale_scratch_side(hale_scratch *s, int side);

/* ---- diagnostics ---- */

/* Cumulative number of system allocations (malloc, calloc, realloc, mmap) the runtime has made,
 * process-wide. A chunk served from the pool is not a system allocation. */
int64_t hale_diag_heap_alloc_count(void);

/* Every system allocation the runtime makes goes through these, so it is counted. */
void *hale_sys_malloc(size_t size);
void *hale_sys_calloc(size_t n, size_t size);
void *hale_sys_realloc(void *p, size_t size);
void hale_sys_free(void *p);

/* Says that the caller is about to write all of [p, p + size) (a table it clears, a buffer it
 * fills): where that spans whole huge pages, the kernel may back them so (one fault and one TLB
 * entry per 2 MiB instead of 512). Nothing below 4 MiB; a hint only, never an error. */
void hale_sys_advise_dense(void *p, size_t size);

#endif
