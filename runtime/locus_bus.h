/* Where loci meet the bus: what generated code calls to run a handler as its locus, to hand the
 * bus table to the program, and the lists behind topics the compiler lowered to direct calls.
 *
 * Why a layer of its own. The bus (bus.h) knows subscriptions as (pointer, function) pairs and
 * nothing about loci; the locus runtime (locus.h) knows frames, supervision and closures and
 * nothing about topics. A handler must run as its locus (a fault in it is that locus's failure,
 * its tick closures are checked after it, a quarantined locus hears nothing, a locus that
 * terminated in it is reclaimed), and that glue is the same for every handler, so it lives here
 * once instead of in every generated wrapper.
 *
 * Direct dispatch. When the compiler proves that every subscriber of a topic runs on the
 * publishing thread, that the topic has no binding, no key and no bound, and that each handler
 * is quiet (it cannot publish, wait, fault, or change any locus's life), a send walks a plain
 * list of the subscribers and calls their handlers by name: no copy, no frame, no queue. The
 * subscriptions are registered with the bus as well, so a send made while some handler is
 * running (when the bus must defer it until that handler returns) and a send that finds no
 * subscriber (a counted drop) still take the bus's path and its exact semantics. */
#ifndef HALE_RUNTIME_LOCUS_BUS_H
#define HALE_RUNTIME_LOCUS_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "fatal.h"
#include "locus.h"

/* The bus table of the program (generated `main`, before hale_program_run): the program boots
 * the bus with it once the scheduler is up, and shuts it down (counters dumped when
 * HALE_BUS_COUNTERS_DUMP=1) after the locus tree is gone. */
void hale_program_bus(const hale_bus_topic_desc *topics, size_t n);

/* A generated handler body: the method called with the payload it was given. */
typedef void (*hale_handler_fn)(hale_region *ho, hale_region *hm, void *self, const void *payload);

/* Runs `fn` as the handler of `l` for one delivery: skipped while `l` is quarantined or
 * dissolved; inside a frame of `l` (a fault or a failed closure is `l`'s failure, routed to its
 * supervisor); then `l`'s tick and duration closures; then what the supervisor decided, or the
 * teardown of a locus that terminated in the handler. */
void hale_locus_deliver(hale_locus *l, hale_handler_fn fn, const void *payload);

/* The same for a handler the compiler proved quiet (it cannot fault, wait, publish or change
 * any locus's life): no frame is needed around it, only the gate and the closures after it. */
void hale_locus_deliver_quiet(hale_locus *l, hale_handler_fn fn, const void *payload);

/* Between the drain pass and the dissolve pass of the teardown of `l` (NULL: the whole tree,
 * at the program's end): when some locus of the subtree runs on another pool than `l` (its
 * publishers have just been joined), cross-thread deliveries still on their way reach the
 * subscribers that are about to dissolve (Hale's teardown publish delivery). Does nothing
 * without a bus, or from inside a handler. */
void hale_locus_bus_settle(hale_locus *l);

/* `T <- v or raise` refused by the bus: a fault of the publishing code (BusFull,
 * BusUnmatchedKey), which the locus runtime turns into a failure of the publishing locus. */
HALE_NORETURN void hale_bus_raise(const char *where, int topic, int status);

/* ---- direct dispatch lists ---- */

typedef struct hale_direct_node {
    struct hale_direct_node *next, *prev;
    hale_locus *locus;
    int kind; /* which subscriber type and handler (the compiler's numbering per topic) */
} hale_direct_node;

typedef struct {
    hale_direct_node *head, *tail;
} hale_direct_list;

static inline void hale_direct_add(hale_direct_list *ls, hale_direct_node *n, hale_locus *l,
                                   int kind) {
    n->locus = l;
    n->kind = kind;
    n->next = NULL;
    n->prev = ls->tail;
    if (ls->tail) {
        ls->tail->next = n;
    } else {
        ls->head = n;
    }
    ls->tail = n;
}

static inline void hale_direct_remove(hale_direct_list *ls, hale_direct_node *n) {
    if (!n->locus) {
        return; /* never added */
    }
    if (n->prev) {
        n->prev->next = n->next;
    } else {
        ls->head = n->next;
    }
    if (n->next) {
        n->next->prev = n->prev;
    } else {
        ls->tail = n->prev;
    }
    n->next = n->prev = NULL;
    n->locus = NULL;
}

/* Whether a direct handler call may go to `l` now (it is not quarantined). */
static inline bool hale_direct_ok(const hale_locus *l) {
    return !hale_locus_quarantined(l);
}

#endif
