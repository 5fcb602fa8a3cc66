/* The memory posture at run time: guarded references, delivery origins, hoisted values and the
 * counters that say what a posture did (compiler/README.md, "Escapes and the memory posture").
 *
 * Guard. A field of a locus that keeps a value escaped from a child may hold it where the child
 * made it instead of a copy; the field's companion `hale_guard` names the child's region and the
 * generation it had then (region.h: headers are never given back, generations never reused). A
 * read checks it (`hale_guard_check`: a load and a compare); once the child's region has been
 * freed the read is the structural failure ActorTerminated of the reading locus, routed to its
 * parent like a fault (or, with `or`, the fallback is taken). A guard with no region is an
 * owned value: the field's parts live in the holder's own heap.
 *
 * Origin. A send the compiler lowered by reference (HALE_BUS_BORROW) describes its payload in a
 * `hale_origin` for the time of the publish: where the value's parts live (a region a guard may
 * name, or none: scratch, keep a copy), and, for a hoisted value, the ancestor whose heap holds
 * it. Direct calls get it from the send; the bus copies it into the *lend* its queued
 * deliveries share (bus_lend.c) and makes that copy current while each of them runs. Handlers
 * that keep their payload get the origin (`hale_origin_of(hp)` in the bus wrapper: the payload
 * pointer is the one the send or the lend handed over, or it is a copy). The current origin is
 * per coroutine (the scheduler swaps `hale_tls_origin` with the coroutine), so a handler that
 * parks cannot let another coroutine's publish be mistaken for its own.
 *
 * Keeping. `hale_guard_keep` stores a handler's payload into a field: taken over when it was
 * hoisted into this very locus, referenced under a guard when it lives in a region, else copied.
 * Every other store into such a field goes through `hale_guard_replace` (the old value is given
 * back only when it was the locus's own), and a store into a part of it through
 * `hale_guard_own` first (a guarded value is copied in before it is changed: the child's memory
 * is never written).
 *
 * Counters (std::diag): bytes copied at escapes (delivery copies to handlers that receive
 * escaped values, copies made by keeps), guard checks, guard failures, hoisted allocations.
 * Each thread counts in its own block; a read sums them. HALE_ESCAPE_COUNTERS_DUMP=1 prints them
 * on stderr at exit. */
#ifndef HALE_RUNTIME_GUARD_H
#define HALE_RUNTIME_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fatal.h"
#include "heap.h"
#include "locus.h"
#include "region.h"
#include "sanitize.h"
#include "value.h"

typedef struct {
    hale_region *r;   /* NULL: the value is the holder's own */
    hale_gen gen;     /* r's generation when the reference was taken */
    const char *from; /* the producer's locus type, for the failure's message */
} hale_guard;

typedef struct hale_origin {
    const void *value;   /* the payload as the publish hands it to handlers */
    hale_region *region; /* where its parts live, when a guard may refer to them; else NULL */
    hale_gen gen;
    hale_locus *owner;  /* hoisted: the locus whose heap holds it (NULL: not hoisted) */
    hale_locus *sender; /* the locus that made and sends it */
    const char *from;   /* the sending locus type */
    bool taken;         /* a keep took the hoisted value over */
    bool lent;          /* the bus's queued deliveries hold it: their lend gives a hoisted value
                           back once they are done (bus_lend.c), not the send */
} hale_origin;

/* ---- counters ---- */

typedef struct {
    int64_t copied, checks, failures, hoisted;
    int registered;
} hale_escape_counts;

extern _Thread_local hale_escape_counts hale_tls_escape;
void hale_escape_counts_register(void);

static inline void hale_escape_bump(int64_t *c, int64_t n) {
    if (__builtin_expect(!hale_tls_escape.registered, 0)) {
        hale_escape_counts_register();
    }
    __atomic_store_n(c, *c + n, __ATOMIC_RELAXED); /* summed by other threads */
}

int64_t hale_escape_bytes_copied(void);
int64_t hale_guard_checks(void);
int64_t hale_guard_failures(void);
int64_t hale_hoisted_allocations(void);
/* One line: "escapes copied_bytes=N guard_checks=N guard_failures=N hoisted=N". */
void hale_escape_counters_dump(FILE *out);
/* At exit (hale_diag_shutdown): the dump when HALE_ESCAPE_COUNTERS_DUMP=1. */
void hale_escape_counters_at_exit(void);

/* Counts a deep copy of the value at `v` (a delivery copy the bus made for a handler). */
void hale_escape_count_copy(const hale_type *t, const void *v);

/* ---- guards ---- */

/* A check is on the hot path of every guarded read, so it counts with a plain increment the C
 * compiler may keep in a register through a loop, and reads the generation with a plain load it
 * may hoist out of one: the producer's region is freed on this same thread (a guard never
 * crosses pools), and only by a call, which reloads both. Other threads read the count as a
 * diagnostic (exact once this thread has stopped); TSan builds use atomic accesses instead. */
static inline bool hale_guard_live(const hale_guard *g) {
    if (__builtin_expect(!hale_tls_escape.registered, 0)) {
        hale_escape_counts_register();
    }
#ifdef HALE_TSAN
    hale_escape_bump(&hale_tls_escape.checks, 1);
    return !g->r || hale_region_alive(g->r, g->gen);
#else
    hale_tls_escape.checks++;
    return !g->r || ((const hale_region_prefix *)(const void *)g->r)->gen == g->gen;
#endif
}

/* ActorTerminated at `where` ("file:line:col") reading `what` ("self.last"): a failure of the
 * running locus routed to its parent (the hook is left), or, outside every locus, the fault
 * report and exit status 1. */
HALE_NORETURN void hale_guard_fail(const hale_guard *g, const char *what, const char *where);

/* A read: returns when the value may be used. */
static inline void hale_guard_check(const hale_guard *g, const char *what, const char *where) {
    if (__builtin_expect(!hale_guard_live(g), 0)) {
        hale_guard_fail(g, what, where);
    }
}

/* `or`: the read failed and its fallback is taken (counted). */
void hale_guard_fallback(void);

/* ---- origins ---- */

extern _Thread_local hale_origin *hale_tls_origin;

static inline hale_origin *hale_origin_enter(hale_origin *o) {
    hale_origin *prev = hale_tls_origin;
    hale_tls_origin = o;
    return prev;
}

static inline void hale_origin_leave(hale_origin *prev) {
    hale_tls_origin = prev;
}

/* The origin of the payload a handler was handed, or NULL when it is a copy. */
static inline hale_origin *hale_origin_of(const void *payload) {
    hale_origin *o = hale_tls_origin;
    return o && o->value == payload ? o : NULL;
}

/* ---- stores into a field that may hold a guarded reference ---- */

/* `self.f = payload` in a handler: see the header comment. `v` is the handler's copy of the
 * payload struct (its parts are the origin's), `self` the keeping locus. Only an ancestor of the
 * sender keeps by reference; anyone else gets a message, which Hale's semantics copies. */
void hale_guard_keep(const hale_type *t, void *field, hale_guard *g, const void *v, hale_origin *o,
                     hale_locus *self);

/* `self.f = c.g` (c a child that never replaces `g`): a reference under a guard on the child's
 * region, or a copy when the child has no region (nothing of the value lives in it). */
void hale_guard_keep_contract(const hale_type *t, void *field, hale_guard *g, const void *v,
                              hale_locus *child, hale_locus *self);

/* Any other store of a whole value: a copy into `h`; the old value is given back to `h` only
 * when it was owned. */
void hale_guard_replace(const hale_type *t, void *field, hale_guard *g, const void *v,
                        hale_heap *h);

/* Before a store into a part of the field: a guarded value is copied into `h` (or the read
 * fails with ActorTerminated); an owned one stays as it is. */
void hale_guard_own(const hale_type *t, void *field, hale_guard *g, hale_heap *h, const char *what,
                    const char *where);

/* A keep into a field that holds no guard (posture copy): hale_value_replace_heap, counted. */
void hale_escape_replace(const hale_type *t, void *field, const void *v, hale_heap *h);

/* ---- hoisting ---- */

/* The nearest ancestor of `from` of type `t` on the same pool (whose heap a hoisted value goes
 * to), or NULL (the value is made in scratch then, and kept by copy). */
hale_locus *hale_hoist_owner(hale_locus *from, const hale_locus_type *t);

/* An array of `n` elements in `h` (hale_value_release gives it back), counted as a hoisted
 * allocation. */
hale_array hale_array_new_heap(hale_heap *h, int64_t n, size_t size, size_t align);

/* After a hoisted send: the value goes back to its owner's heap unless a keep took it or the
 * bus's queued deliveries still hold it (they give it back when they are done). */
void hale_hoist_settle(const hale_type *t, void *v, hale_origin *o);

#endif
