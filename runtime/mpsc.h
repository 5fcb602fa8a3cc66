/* A lock-free multi-producer single-consumer queue with intrusive nodes (Dmitry Vyukov's
 * design).
 *
 * Why this shape: every cross-thread delivery (a bus message for a locus on another pool, a wake
 * for a coroutine parked there) goes through one of these, so a push must never take a lock nor
 * allocate. A push is one atomic exchange and one store; a pop touches only consumer-owned
 * fields unless the queue is nearly empty. Nodes are embedded in whatever the producer sends, so
 * the queue itself owns no memory.
 *
 * One caveat of the design: between a producer's exchange and its link store the queue is
 * briefly "in flux" and pop returns NULL although a node is on its way. Callers therefore pair
 * the queue with a wakeup the producer raises after push (pool.c uses an ev_async), so the
 * consumer always comes back for it. */
#ifndef HALE_RUNTIME_MPSC_H
#define HALE_RUNTIME_MPSC_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>

typedef struct hale_mpsc_node {
    struct hale_mpsc_node *_Atomic next;
} hale_mpsc_node;

typedef struct {
    alignas(64) hale_mpsc_node *_Atomic head; /* producers: the newest node */
    alignas(64) hale_mpsc_node *tail;         /* consumer: the oldest node */
    hale_mpsc_node stub;
} hale_mpsc;

void hale_mpsc_init(hale_mpsc *q);

/* Any thread. `n` must not be in any queue. */
void hale_mpsc_push(hale_mpsc *q, hale_mpsc_node *n);

/* The consumer thread only. The oldest node, or NULL when the queue is empty or a push is in
 * flux (see above). */
hale_mpsc_node *hale_mpsc_pop(hale_mpsc *q);

/* The consumer thread only: true when nothing is queued or in flux. */
bool hale_mpsc_empty(hale_mpsc *q);

#endif
