/* See region.h.
 *
 * Region headers come from a slab that is never returned to the system and are recycled only as
 * region headers: that is what lets a guarded reference read a freed region's generation. The
 * generation is bumped at free, so each incarnation of a header has its own generation.
 *
 * Allocation and mark/reset touch only the region itself and are not synchronised: a region is
 * used by the one execution context that owns it. The parent/child links are protected by the
 * parent's lock because a child may be born or dissolved on another thread than its parent's. */
#include "region.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "fatal.h"

#define LARGE_THRESHOLD (HALE_CHUNK_SIZE / 4)
#define HEADER_SLAB 64

struct hale_region {
    _Atomic uint64_t gen;
    const char *name;
    hale_region *parent;
    hale_region *first_child;
    hale_region *next_sibling;
    hale_region *prev_sibling;
    pthread_mutex_t children_lock;
    hale_chunk *cur; /* standard chunks, newest first; bump allocates from the head */
    char *bump;
    char *end;
    hale_chunk *large; /* dedicated chunks, newest first */
    hale_chunk *spare; /* one standard chunk kept across resets */
    size_t used;
    size_t reserved;
    hale_region *next_free;
};

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

int64_t hale_diag_heap_alloc_count(void) {
    return atomic_load_explicit(&sys_alloc_count, memory_order_relaxed);
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

hale_region *hale_region_new(hale_region *parent, const char *name) {
    hale_region *r = header_get();
    uint64_t gen = atomic_load_explicit(&r->gen, memory_order_relaxed);
    memset((char *)r + sizeof r->gen, 0, sizeof *r - sizeof r->gen);
    atomic_store_explicit(&r->gen, gen, memory_order_release);
    r->name = name ? name : "region";
    r->parent = parent;
    pthread_mutex_init(&r->children_lock, NULL);
    if (parent) {
        pthread_mutex_lock(&parent->children_lock);
        r->next_sibling = parent->first_child;
        if (parent->first_child) {
            parent->first_child->prev_sibling = r;
        }
        parent->first_child = r;
        pthread_mutex_unlock(&parent->children_lock);
    }
    return r;
}

static void release_chunks(hale_chunk *c) {
    while (c) {
        hale_chunk *next = c->next;
        hale_chunk_put(c);
        c = next;
    }
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
    release_chunks(r->cur);
    release_chunks(r->large);
    if (r->spare) {
        hale_chunk_put(r->spare);
    }
    pthread_mutex_destroy(&r->children_lock);
    atomic_fetch_add_explicit(&r->gen, 1, memory_order_release);
    header_put(r);
}

/* ---- allocation ---- */

/* A big allocation gets a chunk of its own on the `large` list, so the current chunk's remainder
 * is not wasted; when it fits a standard chunk, that chunk still recycles through the pool. */
static void *alloc_large(hale_region *r, size_t size, size_t align) {
    hale_chunk *c;
    if (size + align <= HALE_CHUNK_SIZE - HALE_CHUNK_HEADER) {
        c = hale_chunk_get();
    } else {
        c = hale_chunk_get_large(size + align);
    }
    c->next = r->large;
    r->large = c;
    r->reserved += c->cap;
    uintptr_t p = ((uintptr_t)hale_chunk_data(c) + align - 1) & ~(uintptr_t)(align - 1);
    return (void *)p;
}

static void *alloc_slow(hale_region *r, size_t size, size_t align) {
    if (size > LARGE_THRESHOLD) {
        return alloc_large(r, size, align);
    }
    hale_chunk *c = r->spare;
    if (c) {
        r->spare = NULL;
    } else {
        c = hale_chunk_get();
    }
    c->next = r->cur;
    r->cur = c;
    r->reserved += c->cap;
    r->bump = hale_chunk_data(c);
    r->end = r->bump + c->cap;
    uintptr_t p = ((uintptr_t)r->bump + align - 1) & ~(uintptr_t)(align - 1);
    r->bump = (char *)p + size;
    return (void *)p;
}

void *hale_region_alloc(hale_region *r, size_t size, size_t align) {
    if (size == 0) {
        size = 1;
    }
    r->used += size;
    uintptr_t p = ((uintptr_t)r->bump + align - 1) & ~(uintptr_t)(align - 1);
    if (r->bump && p + size <= (uintptr_t)r->end && p + size > p) {
        r->bump = (char *)p + size;
        return (void *)p;
    }
    return alloc_slow(r, size, align);
}

size_t hale_region_used_bytes(const hale_region *r) {
    return r->used;
}

size_t hale_region_reserved_bytes(const hale_region *r) {
    return r->reserved;
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

int hale_region_alive(const hale_region *r, hale_gen g) {
    return hale_region_generation(r) == g;
}

/* ---- mark / reset ---- */

hale_mark hale_region_mark(const hale_region *r) {
    hale_mark m;
    m.chunk = r->cur;
    m.large = r->large;
    m.offset = r->cur ? (size_t)(r->bump - hale_chunk_data(r->cur)) : 0;
    m.used = r->used;
    return m;
}

void hale_region_reset(hale_region *r, hale_mark m) {
    while (r->cur != m.chunk) {
        hale_chunk *c = r->cur;
        r->cur = c->next;
        r->reserved -= c->cap;
        if (!r->spare) {
            c->next = NULL;
            r->spare = c;
        } else {
            hale_chunk_put(c);
        }
    }
    while (r->large != m.large) {
        hale_chunk *c = r->large;
        r->large = c->next;
        r->reserved -= c->cap;
        hale_chunk_put(c);
    }
    if (r->cur) {
        r->bump = hale_chunk_data(r->cur) + m.offset;
        r->end = hale_chunk_data(r->cur) + r->cur->cap;
    } else {
        r->bump = r->end = NULL;
    }
    r->used = m.used;
}

/* ---- scratch ---- */

struct hale_scratch {
    hale_region *side[2];
};

hale_scratch *hale_scratch_new(const char *name) {
    hale_scratch *s = hale_sys_malloc(sizeof *s);
    if (!s) {
        hale_oom(sizeof *s, "a scratch");
    }
    s->side[0] = hale_region_new(NULL, name);
    s->side[1] = hale_region_new(NULL, name);
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
