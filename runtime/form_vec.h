/* @form(vec): a contiguous, growable list of T on a locus (`capacity { heap items of T; }`).
 *
 * The vec lives inline in the locus state and allocates from the locus region through a heap of
 * its own: the element buffer starts at 4 elements on the first push and doubles; buffers up to
 * HALE_HEAP_SMALL_MAX come from the heap's size classes, bigger ones are region blocks that the
 * system allocator grows in place when it can. Capacity never shrinks. Elements are stored by
 * value; a pushed or set value is deep-copied into the vec's heap, and the heap parts of a
 * replaced or popped element go back to the heap's free lists.
 *
 * Reading an element out: with `into` a region (the caller's scratch side), the result is a deep
 * copy that stays valid whatever happens to the vec later. With `into == NULL` the result is a
 * shallow copy (a borrow) whose strings/arrays point into the vec: valid until that element is
 * next set or popped. For flat T both are the same memcpy. `pop` with `into == NULL` moves the
 * element out without releasing its parts; they then stay in the locus region until it dissolves
 * (never reused, so never dangling).
 *
 * Method surface (Hale's `@form(vec)`), for generated code; `elem` is T's descriptor:
 *   birth         hale_vec_init(&self->items, self_region, &T_desc);
 *   push(x)       hale_vec_push(&self->items, &x);
 *   get(i)        if (!hale_vec_get(&self->items, i, &out, scratch)) -> IndexError
 *                     { kind: "out_of_bounds", index: i, len: hale_vec_len(..) }
 *   set(i, x)     if (!hale_vec_set(&self->items, i, &x)) -> IndexError out_of_bounds
 *   pop()         if (!hale_vec_pop(&self->items, &out, scratch)) -> IndexError
 *                     { kind: "empty", index: 0, len: 0 }
 *   len()         hale_vec_len(&self->items)
 *   is_empty()    hale_vec_is_empty(&self->items)
 *   sort()        hale_vec_sort(&self->items)   (Int, Float, String; any T orders structurally)
 *   sort_by(f)    hale_vec_sort_by(&self->items, less, ctx)
 *   sort_desc_by  hale_vec_sort_desc_by(&self->items, less, ctx)
 *   for x in v.items   for (i = 0; i < v->len; i++) { T *x = hale_vec_at(v, i); ... }
 *   dissolve      hale_vec_destroy(&self->items)   (optional: the region reclaims it anyway)
 * For flat T, generated code may call hale_vec_push_flat(&v, &x, sizeof(T)) (inline: one store
 * while len < ready) and read/write `data` directly when in bounds (the fields below are stable
 * ABI). A loop keeps `data`/`len`/`ready` in a cursor (hale_vec_cursor_push) so that a C
 * compiler can hold them in registers: the struct itself lives in memory. */
#ifndef HALE_RUNTIME_FORM_VEC_H
#define HALE_RUNTIME_FORM_VEC_H

#include <stdbool.h>
#include <stdint.h>

#include "heap.h"
#include "region.h"
#include "value.h"

typedef struct hale_vec {
    char *data; /* len elements of elem->size bytes, room for cap */
    int64_t len;
    int64_t cap;
    int64_t ready; /* len <= ready <= cap: the inline pushes store below it (form_vec.c) */
    const hale_type *elem;
    hale_heap heap;
} hale_vec;

/* A strict "a goes before b" predicate (Hale's `fn(T, T) -> Bool`), with the caller's context. */
typedef bool (*hale_less_fn)(const void *a, const void *b, void *ctx);

void hale_vec_init(hale_vec *v, hale_region *owner, const hale_type *elem);
void hale_vec_destroy(hale_vec *v);

void hale_vec_push(hale_vec *v, const void *x);
bool hale_vec_get(const hale_vec *v, int64_t i, void *out, hale_region *into);
bool hale_vec_set(hale_vec *v, int64_t i, const void *x);
bool hale_vec_pop(hale_vec *v, void *out, hale_region *into);

/* push for a flat T whose size the caller knows at compile time (`sizeof(T)`): a plain store
 * while there is room, the call only to grow. */
static inline void hale_vec_push_flat(hale_vec *v, const void *x, size_t size) {
    if (__builtin_expect(v->len < v->ready, 1)) {
        __builtin_memcpy(v->data + (size_t)v->len * size, x, size);
        v->len++;
        return;
    }
    hale_vec_push(v, x);
}

/* A loop's copy of a vec's data, length and ready mark, so that a C compiler can keep them in
 * registers across the loop (the element stores go through a char pointer that may alias the vec
 * itself, which keeps a push on the vec reloading and storing its length in memory otherwise).
 * Generated code makes one for a loop that pushes onto a vec and does nothing else that could
 * reach the vec (emit_vec_loop.c), starting empty (HALE_VEC_CURSOR_EMPTY): the loop's first push
 * takes the out-of-line path and loads it, so nothing is read before the loop pushes. Every push
 * writes the length back, so the vec stays whole for whatever reads it inside the loop (len(),
 * a fault's unwinding, the code after a `break` or `return`). */
typedef struct hale_vec_cursor {
    char *data;
    int64_t len;
    int64_t ready;
} hale_vec_cursor;

#define HALE_VEC_CURSOR_EMPTY                                                                      \
    { NULL, 0, 0 }

/* hale_vec_push_flat through the loop's cursor `c` of `v`. */
static inline void hale_vec_cursor_push(hale_vec *v, hale_vec_cursor *c, const void *x,
                                        size_t size) {
    if (__builtin_expect(c->len < c->ready, 1)) {
        __builtin_memcpy(c->data + (size_t)c->len * size, x, size);
        v->len = ++c->len;
        return;
    }
    if (size <= 32) {
        /* a copy made here, so that `x` need not live in memory on the fast path */
        _Alignas(16) unsigned char tmp[32];
        __builtin_memcpy(tmp, x, size);
        hale_vec_push(v, tmp);
    } else {
        hale_vec_push(v, x);
    }
    c->data = v->data;
    c->len = v->len;
    c->ready = v->ready;
}

static inline int64_t hale_vec_len(const hale_vec *v) {
    return v->len;
}

static inline bool hale_vec_is_empty(const hale_vec *v) {
    return v->len == 0;
}

/* The element at i (0 <= i < len), in place. */
static inline void *hale_vec_at(const hale_vec *v, int64_t i) {
    return v->data + (size_t)i * v->elem->size;
}

void hale_vec_sort(hale_vec *v);
void hale_vec_sort_by(hale_vec *v, hale_less_fn less, void *ctx);
void hale_vec_sort_desc_by(hale_vec *v, hale_less_fn less, void *ctx);

#endif
