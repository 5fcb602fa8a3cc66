/* See region.h.
 *
 * Region headers come from a slab that is never returned to the system and are recycled only as
 * region headers: that is what lets a guarded reference read a freed region's generation. The
 * generation is bumped at free, so each incarnation of a header has its own generation.
 *
 * Allocation and mark/reset touch only the region itself and are not synchronised: a region is
 * used by the one execution context that owns it. The parent/child links are protected by the
 * parent's lock because a child may be born or dissolved on another thread than its parent's.
 * The two byte counters are the exception: diagnostics read them from other threads, so the
 * owner writes them with relaxed atomic stores (plain moves on the machines we target).
 *
 * The hot path (`hale_region_alloc`, inline in region.h) is one align, one add and a single
 * combined bounds test; zero sizes, fresh chunks, large allocations and argument checks all live
 * on the slow path here. */
#include "region.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "chunk.h"
#include "fatal.h"
#include "residency.h"

#define LARGE_THRESHOLD (HALE_CHUNK_SIZE / 4)
#define HEADER_SLAB 64
#define MAX_ALIGN 4096

/* A block's header, in front of its 16-byte aligned payload. */
typedef struct block {
    struct block *prev;
    struct block *next;
    size_t size;
    size_t pad;
} block;

struct hale_region {
    hale_region_head head; /* first: the inline fast path in region.h reads it */
    _Atomic uint64_t gen;
    const char *name;
    hale_region *parent;
    hale_region *first_child;
    hale_region *next_sibling;
    hale_region *prev_sibling;
    pthread_mutex_t children_lock;
    hale_chunk *spare; /* one standard chunk kept across resets */
    block *blocks;
    size_t reserved; /* written by the owner only, with relaxed atomic stores */
    size_t block_bytes;
    /* residency registry (HALE_ARENA_RESIDENCY) */
    hale_region *res_prev;
    hale_region *res_next;
    const char *parent_name;
    int registered;
    hale_region *next_free;
};

static inline void add_used(hale_region *r, size_t n) {
    __atomic_store_n(&r->head.used, r->head.used + n, __ATOMIC_RELAXED);
}

static inline void add_reserved(hale_region *r, size_t n) {
    __atomic_store_n(&r->reserved, r->reserved + n, __ATOMIC_RELAXED);
}

static inline void sub_reserved(hale_region *r, size_t n) {
    __atomic_store_n(&r->reserved, r->reserved - n, __ATOMIC_RELAXED);
}

/* ---- system allocation, counted ---- */

static _Atomic int64_t sys_alloc_count;

void *hale_sys_malloc(size_t size) {
    atomic_fetch_add_explicit(&sys_alloc_count, 1, memory_order_relaxed);
    return malloc(size);
}

void *hale_sys_calloc(size_t n, size_t size) {
    atomic_fetch_add_explicit(&sys_alloc_count, 1, memory_order_relaxed);
    return calloc(n, size);
}

void *hale_sys_realloc(void *p, size_t size) {
    atomic_fetch_add_explicit(&sys_alloc_count, 1, memory_order_relaxed);
    return realloc(p, size);
}

void hale_sys_free(void *p) {
    free(p);
}

void hale_sys_advise_dense(void *p, size_t size) {
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (size < 2 * huge) {
        return;
    }
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t hi = ((uintptr_t)p + size) & ~(huge - 1);
    if (hi > lo) {
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
    }
}

int64_t hale_diag_heap_alloc_count(void) {
    return atomic_load_explicit(&sys_alloc_count, memory_order_relaxed);
}

/* ---- residency registry ---- */

static pthread_mutex_t res_lock = PTHREAD_MUTEX_INITIALIZER;
static hale_region *res_head;
static size_t res_count;
static atomic_int res_enabled = -1; /* -1: not yet read from the environment */

int hale_arena_residency_enabled(void) {
    int on = atomic_load_explicit(&res_enabled, memory_order_relaxed);
    if (on < 0) {
        const char *v = getenv("HALE_ARENA_RESIDENCY");
        int want = v && v[0] && strcmp(v, "0") != 0;
        int expected = -1;
        atomic_compare_exchange_strong(&res_enabled, &expected, want);
        on = atomic_load_explicit(&res_enabled, memory_order_relaxed);
    }
    return on;
}

void hale_arena_residency_set_enabled(int on) {
    atomic_store(&res_enabled, on ? 1 : 0);
}

static void res_register(hale_region *r) {
    pthread_mutex_lock(&res_lock);
    r->registered = 1;
    r->res_prev = NULL;
    r->res_next = res_head;
    if (res_head) {
        res_head->res_prev = r;
    }
    res_head = r;
    res_count++;
    pthread_mutex_unlock(&res_lock);
}

static void res_unregister(hale_region *r) {
    pthread_mutex_lock(&res_lock);
    if (r->res_prev) {
        r->res_prev->res_next = r->res_next;
    } else {
        res_head = r->res_next;
    }
    if (r->res_next) {
        r->res_next->res_prev = r->res_prev;
    }
    r->registered = 0;
    res_count--;
    pthread_mutex_unlock(&res_lock);
}

size_t hale_arena_residency_snapshot(hale_region_info *out, size_t max) {
    pthread_mutex_lock(&res_lock);
    size_t i = 0;
    for (hale_region *r = res_head; r && i < max; r = r->res_next, i++) {
        out[i].name = r->name;
        out[i].parent = r->parent_name;
        out[i].used = hale_region_used_bytes(r);
        out[i].reserved = hale_region_reserved_bytes(r);
        out[i].generation = hale_region_generation(r);
    }
    size_t n = res_count;
    pthread_mutex_unlock(&res_lock);
    return n;
}

/* ---- headers ---- */

static pthread_mutex_t header_lock = PTHREAD_MUTEX_INITIALIZER;
static hale_region *free_headers;

static hale_region *header_get(void) {
    pthread_mutex_lock(&header_lock);
    if (!free_headers) {
        hale_region *slab = hale_sys_calloc(HEADER_SLAB, sizeof *slab);
        if (!slab) {
            pthread_mutex_unlock(&header_lock);
            hale_oom(HEADER_SLAB * sizeof *slab, "region headers");
        }
        for (int i = 0; i < HEADER_SLAB; i++) {
            atomic_init(&slab[i].gen, 1);
            slab[i].next_free = free_headers;
            free_headers = &slab[i];
        }
    }
    hale_region *r = free_headers;
    free_headers = r->next_free;
    pthread_mutex_unlock(&header_lock);
    return r;
}

static void header_put(hale_region *r) {
    pthread_mutex_lock(&header_lock);
    r->next_free = free_headers;
    free_headers = r;
    pthread_mutex_unlock(&header_lock);
}

/* ---- lifecycle ---- */

static hale_region *region_new(hale_region *parent, const char *name, int tracked) {
    hale_region *r = header_get();
    /* Everything but the generation starts from zero; the generation carries on. */
    memset(&r->head, 0, sizeof r->head);
    memset((char *)r + offsetof(hale_region, name), 0, sizeof *r - offsetof(hale_region, name));
    r->name = name ? name : "region";
    r->parent = parent;
    pthread_mutex_init(&r->children_lock, NULL);
    if (parent) {
        r->parent_name = parent->name;
        pthread_mutex_lock(&parent->children_lock);
        r->next_sibling = parent->first_child;
        if (parent->first_child) {
            parent->first_child->prev_sibling = r;
        }
        parent->first_child = r;
        pthread_mutex_unlock(&parent->children_lock);
    }
    if (tracked && hale_arena_residency_enabled()) {
        res_register(r);
    }
    return r;
}

hale_region *hale_region_new(hale_region *parent, const char *name) {
    return region_new(parent, name, 1);
}

static void release_chunks(hale_chunk *c) {
    while (c) {
        hale_chunk *next = c->next;
        hale_chunk_put(c);
        c = next;
    }
}

static void release_blocks(block *b) {
    while (b) {
        block *next = b->next;
        hale_sys_free(b);
        b = next;
    }
}

static void unlink_from_parent(hale_region *r) {
    hale_region *p = r->parent;
    pthread_mutex_lock(&p->children_lock);
    if (r->prev_sibling) {
        r->prev_sibling->next_sibling = r->next_sibling;
    } else {
        p->first_child = r->next_sibling;
    }
    if (r->next_sibling) {
        r->next_sibling->prev_sibling = r->prev_sibling;
    }
    pthread_mutex_unlock(&p->children_lock);
}

void hale_region_free(hale_region *r) {
    for (;;) {
        pthread_mutex_lock(&r->children_lock);
        hale_region *child = r->first_child;
        pthread_mutex_unlock(&r->children_lock);
        if (!child) {
            break;
        }
        hale_region_free(child);
    }
    if (r->parent) {
        unlink_from_parent(r);
    }
    if (r->registered) {
        res_unregister(r);
    }
    release_chunks(r->head.cur);
    release_chunks(r->head.large);
    release_blocks(r->blocks);
    if (r->spare) {
        hale_chunk_put(r->spare);
    }
    pthread_mutex_destroy(&r->children_lock);
    atomic_fetch_add_explicit(&r->gen, 1, memory_order_release);
    header_put(r);
}

/* ---- allocation ---- */

static inline uintptr_t align_up(uintptr_t p, size_t align) {
    return (p + align - 1) & ~(uintptr_t)(align - 1);
}

/* A big allocation gets a chunk of its own on the `large` list, so the current chunk's remainder
 * is not wasted; when it fits a standard chunk, that chunk still recycles through the pool. */
static void *alloc_large(hale_region *r, size_t size, size_t align) {
    if (size > SIZE_MAX / 2) {
        hale_oom(size, "a region allocation");
    }
    hale_chunk *c;
    if (size + align <= HALE_CHUNK_SIZE - HALE_CHUNK_HEADER) {
        c = hale_chunk_get();
    } else {
        c = hale_chunk_get_large(size + align);
    }
    c->next = r->head.large;
    r->head.large = c;
    add_reserved(r, c->cap);
    add_used(r, size);
    return (void *)align_up((uintptr_t)hale_chunk_data(c), align);
}

void *hale_region_alloc_slow(hale_region *r, size_t size, size_t align) {
    if (align == 0 || (align & (align - 1)) != 0 || align > MAX_ALIGN) {
        hale_fatal("region %s: alignment %zu is not a power of two up to %d", r->name, align,
                   MAX_ALIGN);
    }
    if (size == 0) {
        return hale_region_alloc(r, 1, align);
    }
    if (size > LARGE_THRESHOLD) {
        return alloc_large(r, size, align);
    }
    hale_chunk *c = r->spare;
    if (c) {
        r->spare = NULL;
    } else {
        c = hale_chunk_get();
    }
    c->next = r->head.cur;
    r->head.cur = c;
    add_reserved(r, c->cap);
    r->head.end = hale_chunk_data(c) + c->cap;
    uintptr_t p = align_up((uintptr_t)hale_chunk_data(c), align);
    r->head.bump = (char *)p + size;
    add_used(r, size);
    return (void *)p;
}

/* ---- blocks ---- */

static block *block_of(void *payload) {
    return (block *)((char *)payload - sizeof(block));
}

void *hale_region_block_alloc(hale_region *r, size_t size) {
    return hale_region_block_realloc(r, NULL, size);
}

void *hale_region_block_realloc(hale_region *r, void *payload, size_t size) {
    if (size > SIZE_MAX - sizeof(block)) {
        hale_oom(size, "a region block");
    }
    block *old = payload ? block_of(payload) : NULL;
    size_t old_size = old ? old->size : 0;
    block *b = hale_sys_realloc(old, sizeof(block) + size);
    if (!b) {
        hale_oom(size, "a region block");
    }
    if (!old) {
        b->prev = NULL;
        b->next = r->blocks;
        if (r->blocks) {
            r->blocks->prev = b;
        }
        r->blocks = b;
    } else if (b != old) {
        if (b->prev) {
            b->prev->next = b;
        } else {
            r->blocks = b;
        }
        if (b->next) {
            b->next->prev = b;
        }
    }
    b->size = size;
    __atomic_store_n(&r->block_bytes, r->block_bytes - old_size + size, __ATOMIC_RELAXED);
    return (char *)b + sizeof(block);
}

void hale_region_block_free(hale_region *r, void *payload) {
    if (!payload) {
        return;
    }
    block *b = block_of(payload);
    if (b->prev) {
        b->prev->next = b->next;
    } else {
        r->blocks = b->next;
    }
    if (b->next) {
        b->next->prev = b->prev;
    }
    __atomic_store_n(&r->block_bytes, r->block_bytes - b->size, __ATOMIC_RELAXED);
    hale_sys_free(b);
}

/* ---- accounting ---- */

size_t hale_region_used_bytes(const hale_region *r) {
    return __atomic_load_n(&r->head.used, __ATOMIC_RELAXED) +
           __atomic_load_n(&r->block_bytes, __ATOMIC_RELAXED);
}

size_t hale_region_reserved_bytes(const hale_region *r) {
    return __atomic_load_n(&r->reserved, __ATOMIC_RELAXED) +
           __atomic_load_n(&r->block_bytes, __ATOMIC_RELAXED);
}

const char *hale_region_name(const hale_region *r) {
    return r->name;
}

hale_region *hale_region_parent(const hale_region *r) {
    return r->parent;
}

/* ---- generations ---- */

hale_gen hale_region_generation(const hale_region *r) {
    return atomic_load_explicit(&((hale_region *)r)->gen, memory_order_acquire);
}

_Static_assert(offsetof(struct hale_region, gen) == offsetof(hale_region_prefix, gen),
               "a region starts with hale_region_prefix (region.h)");
_Static_assert(sizeof(_Atomic uint64_t) == sizeof(uint64_t), "the generation is a plain word");

/* ---- mark / reset ---- */

void hale_region_reset_to(hale_region *r, hale_mark m) {
    while (r->head.cur != m.chunk) {
        hale_chunk *c = r->head.cur;
        r->head.cur = c->next;
        sub_reserved(r, c->cap);
        if (!r->spare) {
            c->next = NULL;
            r->spare = c;
        } else {
            hale_chunk_put(c);
        }
    }
    while (r->head.large != m.large) {
        hale_chunk *c = r->head.large;
        r->head.large = c->next;
        sub_reserved(r, c->cap);
        hale_chunk_put(c);
    }
    if (r->head.cur) {
        r->head.bump = m.bump;
        r->head.end = hale_chunk_data(r->head.cur) + r->head.cur->cap;
    } else {
        r->head.bump = r->head.end = NULL;
    }
    __atomic_store_n(&r->head.used, m.used, __ATOMIC_RELAXED);
}

/* ---- scratch ---- */

struct hale_scratch {
    hale_region *side[2];
};

/* Scratch sides are not registered for residency: they reset at every call and never hold
 * locus state, so listing them would only hide the regions that do grow. */
hale_scratch *hale_scratch_new(const char *name) {
    hale_scratch *s = hale_sys_malloc(sizeof *s);
    if (!s) {
        hale_oom(sizeof *s, "a scratch");
    }
    s->side[0] = region_new(NULL, name, 0);
    s->side[1] = region_new(NULL, name, 0);
    return s;
}

void hale_scratch_free(hale_scratch *s) {
    hale_region_free(s->side[0]);
    hale_region_free(s->side[1]);
    hale_sys_free(s);
}

static _Thread_local hale_scratch *tls_current;
static _Thread_local hale_scratch *tls_own;
static pthread_key_t own_key;
static pthread_once_t own_key_once = PTHREAD_ONCE_INIT;

static void own_scratch_free(void *s) {
    if (tls_current == s) {
        tls_current = NULL;
    }
    tls_own = NULL;
    hale_scratch_free(s);
}

static void make_own_key(void) {
    if (pthread_key_create(&own_key, own_scratch_free) != 0) {
        hale_fatal("cannot create the scratch key");
    }
}

hale_scratch *hale_scratch_current(void) {
    if (!tls_current) {
        if (!tls_own) {
            pthread_once(&own_key_once, make_own_key);
            tls_own = hale_scratch_new("thread scratch");
            pthread_setspecific(own_key, tls_own);
        }
        tls_current = tls_own;
    }
    return tls_current;
}

hale_scratch *hale_scratch_set_current(hale_scratch *s) {
    hale_scratch *prev = tls_current;
    tls_current = s;
    return prev;
}

hale_region *hale_scratch_side(hale_scratch *s, int side) {
    return s->side[side & 1];
}
