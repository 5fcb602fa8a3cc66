/* The in-process bus: typed topics that loci publish to and subscribe to without seeing each
 * other.
 *
 * Why it looks like this. The compiler knows every topic of a program, so topics are a table it
 * emits once (`hale_bus_topic_desc[]`, dense integer ids) and the runtime builds at boot; a
 * string subject is resolved to its id once, at boot, never per publish. A locus registers its
 * subscriptions at birth and removes them at dissolve; publishers and subscribers meet only in
 * the topic.
 *
 * Delivery semantics (Hale's):
 *   - The receiver gets a copy: the payload is deep-copied once per delivery into memory the
 *     delivery owns, freed when the handler returns. The handler's `payload` is valid for the
 *     duration of the call only; a handler that keeps a value copies it into its locus (which
 *     generated code does for every `self.f = v`). The memory posture's sends by reference
 *     (HALE_BUS_BORROW) lend same-thread deliveries the payload's heap parts instead.
 *   - Same thread: the delivery is queued on the thread (first in, first out across the
 *     thread, subscribers of one publish in registration order) and runs at the next settle
 *     point: when the publishing function returns (generated code calls hale_bus_settle_point
 *     there), when the publishing coroutine parks, yields or ends, when the thread's scheduler
 *     gets control back, or when the outermost handler returns for a publish made inside a
 *     handler. So `A <- 1; A <- 2;` delivers 1 and 2 before whatever their handlers publish, as
 *     Hale's deferred queue does, and handlers that publish never recurse. Only under
 *     backpressure (more than HALE_BUS_LOCAL_CAP queued, or an `or wait` on a full bounded
 *     topic) does a publisher run the oldest queued deliveries itself first.
 *   - Another thread: the delivery goes to the subscription's mailbox and runs on the
 *     subscriber's pool (scheduler.h), in publish order per publisher-subscriber pair. A mailbox
 *     holds at most HALE_BUS_MAILBOX_CAP deliveries (default 8192): a publisher that overfills it
 *     waits for the subscriber (counted in `waits`), so a fast producer cannot grow memory
 *     without bound.
 *   - Keyed topics (`keyed_by`): subscribers with `where key == K` are found through a hash
 *     index, one lookup per publish whatever the number of subscribers. Subscribers without a
 *     `where` get every message. When no `where key == K` subscriber matches, `on_unmatched`
 *     decides: swallow (counted), fail (the publish returns HALE_BUS_UNMATCHED), fallback (the
 *     `where key == _` subscribers get it).
 *   - Bounded topics (`bounded(N); on_full: fail;`): a publish that would put an (N+1)th
 *     message into a subscriber's queue is refused with HALE_BUS_FULL, or waits for room with
 *     HALE_BUS_WAIT. A subscriber's own bound (`bounded(M, drop_old|drop_new)`) sheds quietly
 *     instead, counted in `dropped`.
 *   - A publish that finds no subscriber at all (none born yet, or the last one dissolved) is a
 *     counted drop, never an error.
 *
 * Threads. Publish from any thread. A subscription belongs to a pool (the thread its handler
 * runs on); subscribe and unsubscribe it on that pool's thread, which is where its locus is born
 * and dissolved, or from another thread only while that pool runs nothing (before it starts or
 * after it stopped). Subscriptions may change from inside handlers, including the running one.
 * A subscription made on a thread with no pool gets only that thread's own publishes (other
 * threads' are counted drops: there is no inbox to reach it), as does one whose pool has shut
 * down. hale_bus_sub_seal and hale_bus_sub_flush run on the subscription's thread too.
 *
 * Knobs (read by hale_bus_boot):
 *   HALE_BUS_COUNTERS_DUMP=1    one line per topic on stderr at exit (hale_bus_counters_dump)
 *   HALE_BUS_LOG_UNMATCHED=1    a stderr line per unmatched keyed publish (rate-limited)
 *   HALE_BUS_LOG_DROP=1         the same for drops (no subscriber, shed, sealed), implies the above
 *   HALE_BUS_MAILBOX_CAP=N      cross-thread mailbox capacity before publishers wait (8192)
 *   HALE_BUS_LOCAL_CAP=N        same-thread queue length before publishers drain it (8192) */
#ifndef HALE_RUNTIME_BUS_H
#define HALE_RUNTIME_BUS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "line.h"
#include "scheduler.h"
#include "value.h"

/* ---- the topic table ---- */

typedef enum {
    HALE_BUS_SWALLOW,  /* default: drop an unmatched keyed publish, counted */
    HALE_BUS_FAIL,     /* the publish returns HALE_BUS_UNMATCHED */
    HALE_BUS_FALLBACK, /* deliver to the `where key == _` subscribers */
} hale_bus_unmatched;

/* One per topic, emitted by the compiler; the array index is the topic id. Declared topics and
 * string subjects (`subscribe "a.b" as h of type T`) both get one. */
typedef struct {
    const char *name;          /* the name in source ("Login", or the subject for "a.b") */
    const char *subject;       /* wire subject, `: Parent` chains already joined ("events.login") */
    const hale_type *payload;  /* payload type */
    const hale_type *key_type; /* keyed_by field's type (Int, Bool, Duration, a payload-free enum,
                                * String); NULL for an unkeyed topic */
    size_t key_offset;         /* offset of the keyed_by field in the payload */
    hale_bus_unmatched on_unmatched;
    int64_t bound; /* bounded(N) with on_full: fail; 0 for an unbounded topic */
    /* Sends the compiler lowered to direct calls count here instead of in the bus: [0]
     * publishes, [1] handler calls, written by the publishing thread with relaxed atomic
     * stores (__atomic_*), summed into the topic's counters. NULL when no send is direct. */
    int64_t *direct_counts;
} hale_bus_topic_desc;

/* Builds the bus from the compiler's table (which must outlive the bus) and reads the knobs.
 * After hale_sched_init, on the main thread, before any other call. Returns 0, or -1 with one
 * line in `err` (two topics with one wire subject, a key type the bus cannot route on, a
 * negative bound, a NULL subject or payload). */
int hale_bus_boot(const hale_bus_topic_desc *topics, size_t n, char *err, size_t errlen);

/* Dumps the counters if HALE_BUS_COUNTERS_DUMP=1 (once per boot), then frees the bus: every
 * remaining subscription and queued delivery (counted as dropped). Main thread, with no
 * publisher or handler running; before hale_sched_shutdown. */
void hale_bus_shutdown(void);

/* The id of the topic whose wire subject is `subject`, or -1. For string-subject sites, once at
 * boot. Any thread. */
int hale_bus_topic_id(const char *subject);

size_t hale_bus_topic_count(void);
const hale_bus_topic_desc *hale_bus_topic(int topic);

/* ---- subscriptions ---- */

/* A handler: `locus` is the subscriber's state, `payload` its copy of the message (valid until
 * the handler returns). */
typedef void (*hale_bus_handler)(void *locus, const void *payload);

typedef enum {
    HALE_BUS_MATCH_ALL,      /* no `where`: every message of the topic */
    HALE_BUS_MATCH_KEY,      /* `where key == K` */
    HALE_BUS_MATCH_FALLBACK, /* `where key == _` (on_unmatched: fallback topics) */
} hale_bus_match;

typedef enum {
    HALE_BUS_DROP_NEW, /* at the bound, arrivals are dropped */
    HALE_BUS_DROP_OLD, /* at the bound, the oldest queued delivery is dropped */
} hale_bus_drop;

typedef struct {
    void *locus;
    hale_bus_handler handler;
    hale_pool *pool; /* where the handler runs; NULL: the calling thread's pool */
    hale_bus_match match;
    const void *key; /* MATCH_KEY: a value of the topic's key type, copied (captured by value) */
    int64_t bound;   /* subscriber-side bound; 0: none */
    hale_bus_drop drop;
} hale_bus_sub_spec;

typedef struct hale_bus_sub hale_bus_sub;

/* Registers a subscription at the locus's birth. Fatal on a contract violation the checker
 * rules out (a key on an unkeyed topic, a fallback subscriber on a topic that is not
 * on_unmatched: fallback, a bad topic id). */
hale_bus_sub *hale_bus_subscribe(int topic, const hale_bus_sub_spec *spec);

/* Removes it at dissolve: the handler is not called again, even for deliveries already queued
 * (those are counted as dropped). May be called from inside any handler, its own included. */
void hale_bus_unsubscribe(hale_bus_sub *s);

/* Drain support. `seal`: from now on the subscription accepts no new deliveries (they count as
 * dropped); what is queued still arrives. `flush`: runs the deliveries queued for it now, on its
 * own thread (the subscriber's drain step before dissolve). */
void hale_bus_sub_seal(hale_bus_sub *s);
void hale_bus_sub_flush(hale_bus_sub *s);

/* Deliveries queued for the subscription and not yet handled (same-thread queue + mailbox). */
int64_t hale_bus_sub_pending(hale_bus_sub *s);

/* Live subscriptions of a topic. */
int64_t hale_bus_subscriber_count(int topic);

/* ---- publish ---- */

enum {
    HALE_BUS_OK = 0,
    HALE_BUS_FULL = 1,      /* bounded topic at capacity: `or raise` fails with BusFull */
    HALE_BUS_UNMATCHED = 2, /* keyed on_unmatched: fail topic, no subscriber has the key */
    HALE_BUS_NOLINK = 3,    /* a transport sink reported no link (see hale_bus_set_sink) */
};

/* Flags of a publish (the send site's disposition). `or raise` and `or discard` are plain
 * publishes whose status the send site checks or ignores; `or wait` passes HALE_BUS_WAIT. */
#define HALE_BUS_WAIT 1u
/* The payload's heap parts stay where they are and unchanged until the calling function returns,
 * and the function calls hale_bus_settle_point before it resets its scratch (the compiler's
 * escape analysis says so; the current hale_origin, guard.h, describes the payload). Same-thread
 * deliveries of a publish from ordinary code then hold the flat part by value and the heap parts
 * by reference instead of a deep copy (bus_lend.c); a publish from inside a handler, and
 * deliveries to other threads, copy as always. */
#define HALE_BUS_BORROW 2u

/* `topic <- *payload`. Returns HALE_BUS_OK, or HALE_BUS_FULL (bounded topic without
 * HALE_BUS_WAIT; nothing was delivered), HALE_BUS_UNMATCHED (on_unmatched: fail; subscribers
 * without a `where` still got it), or a sink's status. With HALE_BUS_WAIT a full topic waits:
 * a coroutine parks; ordinary code on a pool thread keeps running that pool's loop (a full
 * same-thread queue is drained by the publisher itself instead); a thread with no pool blocks.
 * A cancelled coroutine stops waiting and gets HALE_BUS_FULL. */
int hale_bus_publish(int topic, const void *payload, unsigned flags);

/* For a send the compiler lowered to direct calls (all subscribers on the publishing thread, no
 * binding): counts one publish and `delivered` handler calls on the topic, nothing else. */
void hale_bus_note_direct(int topic, int64_t delivered);

/* True while a handler runs in the calling context: a publish from here is deferred until it
 * returns (a direct-call send site takes the bus's path then). */
bool hale_bus_deferring(void);

/* A settle point: runs this thread's queued same-thread deliveries now, unless the calling
 * context is inside a handler (the outermost handler's return runs them). Generated code calls
 * it when a function that publishes returns; the scheduler calls it when a coroutine parks and
 * when it gets control back. */
void hale_bus_settle_point(void);

/* Before memory a borrowed delivery may refer to goes away other than at its publisher's settle
 * point (a hook left by a jump resets its scratch marks, a finished coroutine's scratch is
 * reset, a locus's region is freed): every same-thread delivery queued on the calling thread
 * that still borrows parts of its payload (HALE_BUS_BORROW) gets its own copy of them. */
void hale_bus_materialize(void);

/* Bus frames (handlers, queue runs, mailbox drains) open on the calling thread, in any of its
 * contexts. Zero means nothing on the bus is running here, so hale_bus_deferring() is false;
 * a direct-call send site reads this first and asks only when it is not zero. */
extern _Thread_local int hale_bus_tl_frames;

/* ---- teardown ---- */

/* Waits until no cross-thread delivery is queued or running anywhere and this thread's own
 * queue is empty: the step between joining pinned/pooled publishers and dissolving their
 * sibling subscribers, so their last messages arrive. Runs this pool's loop while it waits.
 * timeout_ns < 0: no limit. Returns 0, or -1 at the timeout. */
int hale_bus_quiesce(int64_t timeout_ns);

/* From now on every publish to the topic (or to every topic) is a counted drop. */
void hale_bus_seal(int topic);
void hale_bus_seal_all(void);

/* ---- transport hooks ---- */

/* A topic bound across processes gets a sink: after local delivery, every publish (not inbound
 * ones) calls `send(ctx, topic, payload, flags)` on the publishing thread with the raw value (the
 * transport encodes it). The sink returns HALE_BUS_OK, HALE_BUS_FULL or HALE_BUS_NOLINK; it
 * handles HALE_BUS_WAIT itself. A non-OK status is counted as refused and returned. With a sink,
 * a keyed publish that matches no local subscriber is not "unmatched" (a peer may match) and a
 * publish with no local subscriber is not a drop. Set it at boot, before traffic. NULL removes
 * it. */
typedef int (*hale_bus_sink_fn)(void *ctx, int topic, const void *payload, unsigned flags);
void hale_bus_set_sink(int topic, hale_bus_sink_fn send, void *ctx);
bool hale_bus_has_sink(int topic);

/* How many topics have a sink. A deploy-time route may give one to a topic the compiler lowered
 * to direct calls; such a send site then takes the bus's path (hale_bus_routed), so the route is
 * never silently ignored. */
extern hale_line_counter hale_bus_nsinks; /* read by every send */
static inline bool hale_bus_routed(int topic) {
    return atomic_load_explicit(&hale_bus_nsinks.n, memory_order_relaxed) != 0 &&
           hale_bus_has_sink(topic);
}

/* A value the transport received and decoded: delivered to local subscribers exactly like a
 * publish from this thread (copy per delivery, keys, bounds, unmatched policy), counted in
 * `received` instead of `published`, never given back to the sink. */
int hale_bus_inbound(int topic, const void *payload, unsigned flags);

/* ---- counters ---- */

typedef struct {
    int64_t published; /* publishes from this process */
    int64_t delivered; /* handler calls */
    int64_t dropped;   /* no subscriber, subscriber bound, sealed, dissolved with queued mail */
    int64_t unmatched; /* keyed publishes no `where key ==` subscriber matched */
    int64_t refused;   /* publishes answered HALE_BUS_FULL / a sink's error */
    int64_t waits;     /* times a publisher waited for room */
    int64_t sent;      /* publishes handed to the sink */
    int64_t received;  /* hale_bus_inbound calls */
} hale_bus_counters;

/* Sums of the per-thread counters (slightly stale while other threads run). */
void hale_bus_counters_get(int topic, hale_bus_counters *out);

/* One line per topic, subject first:
 *   `chat.posted published=3 delivered=9 dropped=0 unmatched=0 refused=0 waits=0 sent=0 received=0`
 */
void hale_bus_counters_dump(FILE *f);

#endif
