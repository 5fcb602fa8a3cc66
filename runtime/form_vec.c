/* See form_vec.h.
 *
 * A buffer above the heap's size classes is a region block the system allocator maps; its pages
 * are faulted in one at a time as pushes first touch them, which in a growing vec costs more than
 * the pushes themselves. So such a buffer is made ready a window at a time: `ready` stops the
 * inline push paths at the window's end, and the out-of-line push asks the kernel to populate the
 * next window's pages in one call (MADV_POPULATE_WRITE, Linux 5.14) before going on. The window is
 * small beside the buffer, so the vec's resident memory still follows its length; a kernel that
 * refuses the call leaves the pages to be faulted in as before. */
#include "form_vec.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "copy.h"
#include "fatal.h"
#include "sort.h"

#define FIRST_CAP 4
#define READY_WINDOW ((size_t)256 * 1024)
#define PAGE ((uintptr_t)4096)

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static int populate_refused; /* the kernel has refused MADV_POPULATE_WRITE once */

void hale_vec_init(hale_vec *v, hale_region *owner, const hale_type *elem) {
    v->data = NULL;
    v->len = 0;
    v->cap = 0;
    v->ready = 0;
    v->elem = elem;
    hale_heap_init(&v->heap, owner);
}

static size_t bytes_for(const hale_vec *v, int64_t n) {
    return (size_t)n * v->elem->size;
}

void hale_vec_destroy(hale_vec *v) {
    for (int64_t i = 0; i < v->len && !v->elem->flat; i++) {
        hale_value_release(v->elem, hale_vec_at(v, i), &v->heap);
    }
    hale_heap_free(&v->heap, v->data, bytes_for(v, v->cap));
    v->data = NULL;
    v->len = v->cap = v->ready = 0;
}

/* Moves `ready` past len: to the capacity, or for a block buffer to the end of the next window,
 * whose pages are populated first. */
static void make_ready(hale_vec *v) {
    size_t size = v->elem->size ? v->elem->size : 1;
    if (bytes_for(v, v->cap) <= HALE_HEAP_SMALL_MAX ||
        __atomic_load_n(&populate_refused, __ATOMIC_RELAXED)) {
        v->ready = v->cap;
        return;
    }
    uintptr_t from = (uintptr_t)(v->data + bytes_for(v, v->len));
    uintptr_t end = (uintptr_t)(v->data + bytes_for(v, v->cap));
    uintptr_t lo = (from + PAGE - 1) & ~(PAGE - 1);
    uintptr_t hi = (from + READY_WINDOW) & ~(PAGE - 1);
    if (hi >= end || hi <= lo) {
        hi = end & ~(PAGE - 1);
    }
    if (hi > lo && madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE) != 0) {
        __atomic_store_n(&populate_refused, 1, __ATOMIC_RELAXED);
    }
    /* the elements wholly below hi (at least one more: the one being pushed) */
    int64_t ready = (int64_t)((hi - (uintptr_t)v->data) / size);
    v->ready = hi >= (end & ~(PAGE - 1)) || ready <= v->len ? v->cap : ready;
}

static void grow(hale_vec *v) {
    int64_t cap = v->cap ? v->cap * 2 : FIRST_CAP;
    if ((uint64_t)cap > SIZE_MAX / 2 / (v->elem->size ? v->elem->size : 1)) {
        hale_oom(SIZE_MAX, "a vec");
    }
    v->data = hale_heap_realloc(&v->heap, v->data, bytes_for(v, v->cap), bytes_for(v, cap));
    v->cap = cap;
    v->ready = v->len; /* make_ready next */
}

static inline void copy_flat(void *dst, const void *src, size_t n) {
    switch (n) { /* constant sizes become single moves */
    case 8:
        memcpy(dst, src, 8);
        return;
    case 16:
        memcpy(dst, src, 16);
        return;
    case 1:
        memcpy(dst, src, 1);
        return;
    default:
        memcpy(dst, src, n);
    }
}

void hale_vec_push(hale_vec *v, const void *x) {
    if (__builtin_expect(v->len < v->ready && v->elem->flat, 1)) {
        copy_flat(hale_vec_at(v, v->len), x, v->elem->size);
        v->len++;
        return;
    }
    if (v->len == v->cap) {
        /* v.push(v.get(i)) with a borrowed element: keep it across the buffer's move. */
        const char *p = x;
        if (p >= v->data && p < v->data + bytes_for(v, v->cap)) {
            _Alignas(16) char small[256];
            size_t n = v->elem->size;
            char *tmp = n <= sizeof small ? small : hale_heap_alloc(&v->heap, n);
            memcpy(tmp, p, n);
            grow(v);
            hale_vec_push(v, tmp);
            if (tmp != small) {
                hale_heap_free(&v->heap, tmp, n);
            }
            return;
        }
        grow(v);
    }
    if (v->len >= v->ready) {
        make_ready(v);
    }
    void *slot = hale_vec_at(v, v->len);
    if (v->elem->flat) {
        memcpy(slot, x, v->elem->size);
    } else {
        hale_value_copy_heap(v->elem, slot, x, &v->heap);
    }
    v->len++;
}

bool hale_vec_get(const hale_vec *v, int64_t i, void *out, hale_region *into) {
    if (i < 0 || i >= v->len) {
        return false;
    }
    hale_value_read(v->elem, out, hale_vec_at(v, i), into);
    return true;
}

bool hale_vec_set(hale_vec *v, int64_t i, const void *x) {
    if (i < 0 || i >= v->len) {
        return false;
    }
    hale_value_replace_heap(v->elem, hale_vec_at(v, i), x, &v->heap);
    return true;
}

bool hale_vec_pop(hale_vec *v, void *out, hale_region *into) {
    if (v->len == 0) {
        return false;
    }
    void *slot = hale_vec_at(v, v->len - 1);
    hale_value_read(v->elem, out, slot, into);
    if (into && !v->elem->flat) {
        hale_value_release(v->elem, slot, &v->heap);
    }
    v->len--;
    return true;
}

/* ---- sorting ---- */

static int by_value(const void *a, const void *b, void *ctx) {
    return hale_value_compare(ctx, a, b);
}

void hale_vec_sort(hale_vec *v) {
    hale_sort(v->data, (size_t)v->len, v->elem->size, by_value, (void *)v->elem);
}

typedef struct {
    hale_less_fn less;
    void *ctx;
} less_ctx;

/* hale_sort only asks whether a goes before b, so one call of the predicate per comparison. */
static int by_less(const void *a, const void *b, void *ctx) {
    const less_ctx *l = ctx;
    return l->less(a, b, l->ctx) ? -1 : 0;
}

static int by_less_desc(const void *a, const void *b, void *ctx) {
    return by_less(b, a, ctx);
}

void hale_vec_sort_by(hale_vec *v, hale_less_fn less, void *ctx) {
    less_ctx l = {less, ctx};
    hale_sort(v->data, (size_t)v->len, v->elem->size, by_less, &l);
}

void hale_vec_sort_desc_by(hale_vec *v, hale_less_fn less, void *ctx) {
    less_ctx l = {less, ctx};
    hale_sort(v->data, (size_t)v->len, v->elem->size, by_less_desc, &l);
}
