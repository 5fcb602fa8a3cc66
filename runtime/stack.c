/* See stack.h. A cached stack keeps its descriptor, so reuse costs no allocation at all. Under
 * AddressSanitizer a stack's shadow is cleared before the mapping is reused or returned, because
 * frames that never returned (a coroutine abandoned at shutdown) leave their redzones poisoned. */
#include "stack.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "region.h"
#include "sanitize.h"

#ifdef HALE_ASAN
/* Clears only from the first poisoned byte up: writing the shadow of a whole stack would commit
 * shadow pages for memory the coroutine never touched (1/8 of every cached stack). */
static void unpoison_stack(void *lo, size_t size) {
    char *p = __asan_region_is_poisoned(lo, size);
    if (p) {
        __asan_unpoison_memory_region(p, (size_t)((char *)lo + size - p));
    }
}
#define UNPOISON(p, n) unpoison_stack((p), (n))
#else
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define MIN_STACK ((size_t)16 * 1024)
#define DEFAULT_STACK ((size_t)256 * 1024)

static size_t page_size(void) {
    static size_t ps;
    if (!ps) {
        long v = sysconf(_SC_PAGESIZE);
        ps = v > 0 ? (size_t)v : 4096;
    }
    return ps;
}

static size_t round_pages(size_t n) {
    size_t ps = page_size();
    if (n < MIN_STACK) {
        n = MIN_STACK;
    }
    return (n + ps - 1) & ~(ps - 1);
}

static size_t parse_size(const char *s) {
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) {
        return 0;
    }
    if (*end == 'k' || *end == 'K') {
        v *= 1024;
    } else if (*end == 'm' || *end == 'M') {
        v *= 1024 * 1024;
    }
    return (size_t)v;
}

size_t hale_stack_default_size(void) {
    const char *env = getenv("HALE_STACK_SIZE");
    size_t n = env ? parse_size(env) : 0;
    return round_pages(n ? n : DEFAULT_STACK);
}

int hale_stack_map(hale_stack *s, size_t size) {
    size_t ps = page_size();
    size_t usable = round_pages(size);
    /* the guard page, then the usable area */
    size_t total = ps + usable;
    void *m = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (m == MAP_FAILED) {
        return -1;
    }
    if (mprotect(m, ps, PROT_NONE) != 0) {
        int e = errno;
        munmap(m, total);
        errno = e;
        return -1;
    }
    s->mapping = m;
    s->lo = (char *)m + ps;
    s->size = usable;
    s->next_free = NULL;
    s->dirty = 0;
    return 0;
}

void hale_stack_unmap(hale_stack *s) {
    if (!s->mapping) {
        return;
    }
    UNPOISON(s->lo, s->size);
    munmap(s->mapping, page_size() + s->size);
    s->mapping = NULL;
    s->lo = NULL;
}

void hale_stack_cache_init(hale_stack_cache *c, size_t size, size_t max_idle) {
    c->size = round_pages(size ? size : hale_stack_default_size());
    c->max_idle = max_idle;
    c->idle = 0;
    c->free = NULL;
    c->maps = c->reuses = c->unmaps = 0;
}

hale_stack *hale_stack_cache_get(hale_stack_cache *c) {
    hale_stack *s = c->free;
    if (s) {
        c->free = s->next_free;
        c->idle--;
        c->reuses++;
        s->next_free = NULL;
        return s;
    }
    s = hale_sys_malloc(sizeof *s);
    if (!s) {
        return NULL;
    }
    if (hale_stack_map(s, c->size) != 0) {
        hale_sys_free(s);
        return NULL;
    }
    c->maps++;
    return s;
}

void hale_stack_cache_put(hale_stack_cache *c, hale_stack *s) {
    UNPOISON(s->lo, s->size);
    s->dirty = 1;
    if (c->idle < c->max_idle) {
        s->next_free = c->free;
        c->free = s;
        c->idle++;
        return;
    }
    hale_stack_unmap(s);
    hale_sys_free(s);
    c->unmaps++;
}

void hale_stack_cache_clear(hale_stack_cache *c) {
    while (c->free) {
        hale_stack *s = c->free;
        c->free = s->next_free;
        hale_stack_unmap(s);
        hale_sys_free(s);
        c->unmaps++;
    }
    c->idle = 0;
}

size_t hale_stack_cache_trim(hale_stack_cache *c, size_t keep) {
    size_t n = 0;
    hale_stack **pp = &c->free;
    for (size_t i = 0; *pp && i < keep; i++) {
        if ((*pp)->dirty) {
            madvise((*pp)->lo, (*pp)->size, MADV_DONTNEED);
            (*pp)->dirty = 0;
        }
        pp = &(*pp)->next_free;
    }
    while (*pp) {
        hale_stack *s = *pp;
        *pp = s->next_free;
        hale_stack_unmap(s);
        hale_sys_free(s);
        c->idle--;
        c->unmaps++;
        n++;
    }
    return n;
}
