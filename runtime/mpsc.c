/* See mpsc.h. The queue is a singly linked list from `tail` (oldest) to `head` (newest) with a
 * stub node that is re-pushed whenever the consumer would otherwise take the last real node, so
 * producers and the consumer never write the same field. Memory order: a producer publishes its
 * node's contents with the release store of `prev->next`; the consumer reads `next` with acquire.
 */
#include "mpsc.h"

#include <stddef.h>

void hale_mpsc_init(hale_mpsc *q) {
    atomic_store_explicit(&q->stub.next, NULL, memory_order_relaxed);
    atomic_store_explicit(&q->head, &q->stub, memory_order_relaxed);
    q->tail = &q->stub;
}

void hale_mpsc_push(hale_mpsc *q, hale_mpsc_node *n) {
    atomic_store_explicit(&n->next, NULL, memory_order_relaxed);
    /* seq_cst, as is the head load in hale_mpsc_empty: a producer that then reads a flag the
     * consumer clears before checking for emptiness (bus_mailbox.c) cannot miss and be missed */
    hale_mpsc_node *prev = atomic_exchange_explicit(&q->head, n, memory_order_seq_cst);
    atomic_store_explicit(&prev->next, n, memory_order_release);
}

hale_mpsc_node *hale_mpsc_pop(hale_mpsc *q) {
    hale_mpsc_node *tail = q->tail;
    hale_mpsc_node *next = atomic_load_explicit(&tail->next, memory_order_acquire);
    if (tail == &q->stub) {
        if (!next) {
            return NULL;
        }
        q->tail = next;
        tail = next;
        next = atomic_load_explicit(&tail->next, memory_order_acquire);
    }
    if (next) {
        q->tail = next;
        return tail;
    }
    if (tail != atomic_load_explicit(&q->head, memory_order_acquire)) {
        return NULL; /* a producer is between its exchange and its link */
    }
    hale_mpsc_push(q, &q->stub);
    next = atomic_load_explicit(&tail->next, memory_order_acquire);
    if (next) {
        q->tail = next;
        return tail;
    }
    return NULL;
}

bool hale_mpsc_empty(hale_mpsc *q) {
    return q->tail == &q->stub &&
           atomic_load_explicit(&q->stub.next, memory_order_acquire) == NULL &&
           atomic_load_explicit(&q->head, memory_order_seq_cst) == &q->stub;
}
