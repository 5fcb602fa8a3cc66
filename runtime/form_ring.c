/* See form_ring.h. */
#include "form_ring.h"

#include <string.h>

#include "copy.h"
#include "fatal.h"

static inline char *slot(const hale_ring *r, int64_t i) {
    return r->buf + (size_t)i * r->elem->size;
}

void hale_ring_init(hale_ring *r, hale_region *owner, const hale_type *elem, int64_t cap) {
    if (cap < 1) {
        cap = 1;
    }
    if ((uint64_t)cap > SIZE_MAX / 2 / (elem->size ? elem->size : 1)) {
        hale_oom(SIZE_MAX, "a ring buffer");
    }
    hale_heap_init(&r->heap, owner);
    r->elem = elem;
    r->cap = cap;
    r->head = 0;
    r->len = 0;
    r->buf = hale_heap_alloc(&r->heap, (size_t)cap * elem->size);
}

void hale_ring_destroy(hale_ring *r) {
    for (int64_t i = 0; i < r->len && !r->elem->flat; i++) {
        hale_value_release(r->elem, slot(r, (r->head + i) % r->cap), &r->heap);
    }
    hale_heap_free(&r->heap, r->buf, (size_t)r->cap * r->elem->size);
    r->buf = NULL;
    r->len = 0;
    r->head = 0;
}

bool hale_ring_push(hale_ring *r, const void *x) {
    if (r->len == r->cap) {
        return false;
    }
    int64_t tail = r->head + r->len;
    if (tail >= r->cap) {
        tail -= r->cap;
    }
    hale_value_copy_heap(r->elem, slot(r, tail), x, &r->heap);
    r->len++;
    return true;
}

bool hale_ring_pop(hale_ring *r, void *out, hale_region *into) {
    if (r->len == 0) {
        return false;
    }
    char *s = slot(r, r->head);
    hale_value_read(r->elem, out, s, into);
    if (into && !r->elem->flat) {
        hale_value_release(r->elem, s, &r->heap);
    }
    r->head = r->head + 1 == r->cap ? 0 : r->head + 1;
    r->len--;
    return true;
}
