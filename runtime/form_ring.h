/* @form(ring_buffer, cap = N): a fixed-capacity FIFO on a locus
 * (`capacity { pool history of T; }`).
 *
 * The N-element buffer is allocated once at birth from the ring's heap in the locus region and
 * never grows: a push at capacity is refused (Hale's `push -> Bool`), which is a normal outcome
 * the caller decides about, not an error. Pushed values are deep-copied into the ring's heap;
 * a popped element's heap parts go back to it, so a ring cycling forever holds at most N values'
 * worth of memory.
 *
 * Method surface (Hale's `@form(ring_buffer)`), for generated code:
 *   birth        hale_ring_init(&self->r, self_region, &T_desc, N);
 *   push(x)      bool accepted = hale_ring_push(&self->r, &x);
 *   pop()        if (!hale_ring_pop(&self->r, &out, scratch)) -> EmptyError { kind: "empty" }
 *                (`into == NULL` moves the parts out unreleased, as in form_vec.h)
 *   len()        hale_ring_len(&self->r)
 *   is_full()    hale_ring_is_full(&self->r)
 *   dissolve     hale_ring_destroy(&self->r)   (optional) */
#ifndef HALE_RUNTIME_FORM_RING_H
#define HALE_RUNTIME_FORM_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "heap.h"
#include "region.h"
#include "value.h"

typedef struct hale_ring {
    char *buf;    /* cap elements */
    int64_t cap;  /* fixed at init, >= 1 */
    int64_t head; /* index of the oldest element */
    int64_t len;
    const hale_type *elem;
    hale_heap heap;
} hale_ring;

/* `cap` below 1 is taken as 1 (the compiler only accepts positive literals). */
void hale_ring_init(hale_ring *r, hale_region *owner, const hale_type *elem, int64_t cap);
void hale_ring_destroy(hale_ring *r);

bool hale_ring_push(hale_ring *r, const void *x);
bool hale_ring_pop(hale_ring *r, void *out, hale_region *into);

static inline int64_t hale_ring_len(const hale_ring *r) {
    return r->len;
}

static inline bool hale_ring_is_full(const hale_ring *r) {
    return r->len == r->cap;
}

#endif
