/* Internal to the bus (bus*.c): the structures behind bus.h. Not part of the contract with
 * generated code.
 *
 * Shape. A topic's subscriptions are split into *slices*, one per pool that has subscribers (or
 * per thread, for a thread with no pool). A slice is changed only by its own thread, under the
 * slice's lock; its own thread reads it without the lock (it is the only writer), other threads
 * read it under the lock. So a publish to subscribers on the publishing thread takes no lock at
 * all, and one to another pool takes that slice's lock once.
 *
 * A subscription lives until the last of its references is gone: the registry's, one per queued
 * same-thread delivery, one while a mailbox drain is scheduled, one per publisher waiting on it.
 * Delivery records and subscriptions come from the size-class blocks of bus_mem.c. */
#ifndef HALE_RUNTIME_BUS_IMPL_H
#define HALE_RUNTIME_BUS_IMPL_H

#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>

#include "bus.h"
#include "sched_impl.h" /* hale_tls_pool: the hot path reads the pool and coroutine inline */
#include "scheduler.h"

/* ---- keys (bus_index.c) ---- */

enum { BUS_KEY_NONE, BUS_KEY_I64, BUS_KEY_BOOL, BUS_KEY_STR };

typedef struct {
    uint64_t bits; /* the integer value, or the string's hash */
    hale_str str;  /* BUS_KEY_STR: the bytes (owned by a subscription, borrowed by a publish) */
} bus_key;

/* The kind of key a type routes as, or BUS_KEY_NONE when it cannot be a key. */
int hbus_key_kind(const hale_type *t);

void hbus_key_read_str(const void *v, bus_key *out);

/* Reads a key from a value of the key type at `v`. */
static inline void bus_key_read(int kind, const void *v, bus_key *out) {
    out->str.ptr = NULL;
    out->str.len = 0;
    if (kind == BUS_KEY_I64) {
        int64_t x;
        __builtin_memcpy(&x, v, sizeof x);
        out->bits = (uint64_t)x;
    } else if (kind == BUS_KEY_BOOL) {
        bool b;
        __builtin_memcpy(&b, v, sizeof b);
        out->bits = b ? 1 : 0;
    } else if (kind == BUS_KEY_STR) {
        hbus_key_read_str(v, out);
    } else {
        out->bits = 0;
    }
}

static inline bool bus_key_equal(int kind, const bus_key *a, const bus_key *b) {
    if (a->bits != b->bits) {
        return false;
    }
    if (kind != BUS_KEY_STR) {
        return true;
    }
    return a->str.len == b->str.len &&
           (a->str.len == 0 || __builtin_memcmp(a->str.ptr, b->str.ptr, (size_t)a->str.len) == 0);
}

/* Renders a key for a log line. */
void hbus_key_print(int kind, const bus_key *k, FILE *f);

typedef struct hale_bus_sub bus_sub;

/* The per-slice index: key -> the subscriptions with that key, in registration order. Open
 * addressing with linear probing and backward-shift deletion. */
typedef struct {
    bus_key key;
    bus_sub *head, *tail; /* NULL head: empty slot */
} bus_bucket;

typedef struct {
    bus_bucket *slots;
    size_t cap; /* power of two, 0 when empty */
    size_t used;
    int kind;
} bus_index;

static inline uint64_t bus_mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static inline size_t bus_slot_of(const bus_index *ix, uint64_t bits) {
    return (size_t)bus_mix(bits) & (ix->cap - 1);
}

static inline bus_bucket *bus_find_bucket(const bus_index *ix, const bus_key *k) {
    if (ix->cap == 0) {
        return NULL;
    }
    for (size_t i = bus_slot_of(ix, k->bits);; i = (i + 1) & (ix->cap - 1)) {
        bus_bucket *b = &ix->slots[i];
        if (!b->head) {
            return NULL;
        }
        if (bus_key_equal(ix->kind, &b->key, k)) {
            return b;
        }
    }
}

void hbus_index_init(bus_index *ix, int kind);
void hbus_index_free(bus_index *ix);
/* Appends `s` (its key set) to its key's chain. */
void hbus_index_add(bus_index *ix, bus_sub *s);
void hbus_index_remove(bus_index *ix, bus_sub *s);
/* The first subscription with key `k`, or NULL. */
static inline bus_sub *bus_index_find(const bus_index *ix, const bus_key *k) {
    bus_bucket *b = bus_find_bucket(ix, k);
    return b ? b->head : NULL;
}

/* ---- delivery memory (bus_mem.c) ---- */

/* A block of at least `size` bytes, 16-byte aligned; from this thread's cache of its size class.
 * Any thread may free it. */
void *hbus_mem_alloc(size_t size);
void hbus_mem_free(void *p);

/* ---- structures ---- */

/* What a record's payload holds (bus_lend.c). */
enum {
    BUS_REC_OWN,  /* a deep copy, inside the record */
    BUS_REC_LENT, /* the flat part by value, the heap parts the publisher's (a lend in the tail) */
    BUS_REC_SIDE, /* the flat part by value, a deep copy of the parts in a side block (the tail) */
};

/* One queued delivery and its copy of the payload (which follows at BUS_REC_PAYLOAD). */
typedef struct bus_rec {
    union {                   /* a record is in one queue at a time */
        hale_mpsc_node node;  /* lock-free mailbox */
        struct bus_rec *next; /* thread queue or locked mailbox */
    };
    struct bus_rec *sub_next; /* the subscription's own same-thread queue */
    bus_sub *sub;
    bool tomb;     /* dropped (drop_old, dissolve) while still linked in the thread queue */
    uint8_t hold;  /* BUS_REC_*; not OWN only in a thread queue */
    uint32_t tail; /* LENT, SIDE: bus_rec_tail_at(payload size) */
} bus_rec;

#define BUS_REC_PAYLOAD ((sizeof(bus_rec) + 15) & ~(size_t)15)

static inline void *bus_rec_payload(bus_rec *r) {
    return (char *)r + BUS_REC_PAYLOAD;
}

/* Where a LENT or SIDE record keeps its pointer: after its flat payload of `size` bytes. */
static inline size_t bus_rec_tail_at(size_t size) {
    return BUS_REC_PAYLOAD + ((size + 7) & ~(size_t)7);
}

static inline void **bus_rec_tail(bus_rec *r) {
    return (void **)((char *)r + r->tail);
}

typedef struct bus_waiter bus_waiter;
typedef struct bus_lend bus_lend;
typedef struct bus_thread bus_thread;
typedef struct bus_slice bus_slice;
typedef struct bus_topic bus_topic;

struct hale_bus_sub {
    /* read by publishers */
    void *locus;
    hale_bus_handler handler;
    bus_topic *topic;
    bus_slice *slice;
    bus_key key;
    uint64_t seq; /* registration order within the slice */
    int64_t bound;
    uint8_t match;
    uint8_t drop;
    _Atomic bool dead;   /* unsubscribed */
    _Atomic bool sealed; /* hale_bus_sub_seal */
    _Atomic int64_t rc;

    /* slice lists (ALL and FALLBACK) or index chain (KEY), registration order */
    bus_sub *prev, *next;

    /* same-thread queue: the subscription's records in the thread queue (owner thread) */
    bus_rec *lq_head, *lq_tail;
    int64_t lq_len;
    /* records of this subscription in the owner's thread queue, tombstones too: together they
     * hold one reference (taken by the first, released by the last), so a same-thread delivery
     * costs no atomic read-modify-write on `rc` */
    int64_t lq_refs;
    bus_sub *zombie_next;

    void *raw; /* the block this subscription was carved from (64-byte alignment) */

    /* Mailbox (other threads). Two kinds: a subscription whose deliveries are bounded (its own
     * bound or its topic's) keeps a FIFO under mb_lock, so bounds are exact and drop_old can drop
     * from the front; every other one a lock-free MPSC queue with pushed/popped counts. Fields
     * are grouped by writer so publishers and the consumer do not share cache lines. */
    bool mb_locked;
    _Atomic bool mb_dead_pool; /* the pool refused a post: deliveries are dropped */
    pthread_mutex_t mb_lock;   /* the locked FIFO, and waiters for either kind */
    bus_rec *mb_head, *mb_tail;
    int64_t mb_len;
    bus_waiter *waiters;
    _Atomic int nwaiters;

    alignas(64) _Atomic int64_t mb_pushed; /* publishers */
    _Atomic bool mb_scheduled;             /* a drain is posted or running: whoever sets it posts */

    alignas(64) _Atomic int64_t mb_popped; /* published by the consumer every few pops */

    alignas(64) int64_t mb_popped_local; /* the consumer's own */
    bool draining;                       /* a drain is running (owner thread) */
    hale_msg drain_msg;
    hale_mpsc mbq;
};

/* A slice list or an index chain (registration order): append at the tail, unlink anywhere. */
static inline void bus_list_append(bus_sub **head, bus_sub **tail, bus_sub *s) {
    s->next = NULL;
    s->prev = *tail;
    if (*tail) {
        (*tail)->next = s;
    } else {
        *head = s;
    }
    *tail = s;
}

static inline void bus_list_remove(bus_sub **head, bus_sub **tail, bus_sub *s) {
    if (s->prev) {
        s->prev->next = s->next;
    } else {
        *head = s->next;
    }
    if (s->next) {
        s->next->prev = s->prev;
    } else {
        *tail = s->prev;
    }
    s->prev = s->next = NULL;
}

/* A spinlock for slices: held for a list walk and a few pushes, never across a handler or a
 * wait, so a publisher's lock is one exchange and its unlock one store. */
typedef struct {
    _Atomic int held;
} bus_spin;

static inline void bus_spin_lock(bus_spin *l) {
    for (int i = 0; atomic_exchange_explicit(&l->held, 1, memory_order_acquire); i++) {
        while (atomic_load_explicit(&l->held, memory_order_relaxed)) {
            if (++i > 64) {
                sched_yield(); /* the holder may have been preempted */
            }
        }
    }
}

static inline void bus_spin_unlock(bus_spin *l) {
    atomic_store_explicit(&l->held, 0, memory_order_release);
}

struct bus_slice {
    void *owner;     /* the hale_pool, or the bus_thread of a thread with no pool */
    hale_pool *pool; /* where mailbox drains are posted (NULL: none) */
    bus_spin lock;
    bus_sub *all_head, *all_tail; /* MATCH_ALL, registration order */
    bus_sub *fb_head, *fb_tail;   /* MATCH_FALLBACK */
    bus_index index;              /* MATCH_KEY */
    uint64_t next_seq;
    _Atomic int64_t live;
    /* the lean path's answer for an unkeyed topic: the slice's only subscription when it is an
     * unsealed MATCH_ALL one and nothing else is there (written under `lock`, read by the owner) */
    bus_sub *solo;
};

struct bus_topic {
    const hale_bus_topic_desc *d;
    int id;
    int key_kind;
    bool lean;       /* unbounded: the lean path may apply */
    bool flat_small; /* flat payload that fits the stack copy */
    size_t size;     /* payload size */
    _Atomic(bus_slice **) slices;
    _Atomic size_t nslices;
    size_t slices_cap;
    _Atomic int sealed;
    _Atomic int64_t live;
    _Atomic(hale_bus_sink_fn) sink;
    void *_Atomic sink_ctx;
    /* the only slice while the topic has exactly one, is not sealed and has no sink; else NULL
     * (the lean path's first test) */
    _Atomic(bus_slice *) gate;
};

/* What an execution context (the thread's own, or a coroutine) is doing on the bus: frames live
 * on the stack of the call that pushed them and are linked per thread, newest first. They are
 * per context, not per thread, because a handler that parks (a coroutine, or a nested loop) lets
 * other contexts run on the thread, and those must not be treated as inside that handler. */
enum {
    BUS_FRAME_NONE,
    BUS_FRAME_HANDLER, /* a handler is running: publishes queue */
    BUS_FRAME_SETTLE,  /* the thread queue is being run */
    BUS_FRAME_ROOT,    /* a mailbox drain: a fresh start, as ordinary code */
};

typedef struct bus_frame {
    struct bus_frame *newer, *older;
    hale_co *co;
    int kind;
} bus_frame;

/* Per-thread state (bus_local.c). */
struct bus_thread {
    bus_frame *frames; /* newest first, all contexts */
    int active;        /* bus frames holding subscription pointers without references */
    int inline_depth;
    bus_rec *q_head, *q_tail; /* deferred same-thread deliveries, oldest first */
    int64_t q_len;
    bus_sub *zombies; /* unsubscribed while `active`: released when it returns to 0 */
    int64_t lent;     /* LENT records made on this thread and not yet freed (bus_lend.c) */
    int efd;          /* eventfd for waits outside coroutines; -1 until needed */
    int64_t visited;  /* subscriptions publishes on this thread have looked at (tests) */
};

/* ---- bus.c ---- */

/* Flat payloads up to this size are copied with a plain memcpy into their delivery record. */
#define STACK_COPY 256

/* The topic table and the settings: read by every publish on every thread, written at boot.
 * The struct is aligned to a cache line and sized to whole lines, so nothing that another thread
 * writes can sit beside them: a counter sharing their line (a handler's, on the consumer's core)
 * made every cross-thread publish miss on reading `topics`. */
typedef struct {
    alignas(64) bus_topic *topics;
    size_t ntopics;
    int64_t mailbox_cap; /* HALE_BUS_MAILBOX_CAP */
    int64_t local_cap;   /* HALE_BUS_LOCAL_CAP */
    bool log_unmatched;
    bool log_drop;
} hbus_settings;
extern hbus_settings hbus_cfg;
bus_topic *hbus_topic_at(int id);
/* Delivered mailboxes still scheduled across all subscriptions (quiescence). */
extern hale_line_counter hbus_busy_mailboxes;

/* ---- bus_sub.c ---- */

void hbus_sub_release(bus_sub *s);
/* Recomputes the topic's lean-path gate after a change to its slices, seal or sink. */
void hbus_topic_refresh(bus_topic *tp);
void hbus_slices_free_retired(void);

/* ---- bus_publish.c ---- */

/* Runs the handler on a record's payload (unless the subscription is dead: then it counts a
 * drop) and frees the record. Neither settles the thread queue. */
void hbus_deliver_rec(bus_thread *bt, bus_rec *r);
/* Runs the handler on `payload` as it is (already the subscription's own copy). */
void hbus_call(bus_thread *bt, bus_sub *s, const void *payload);

/* A delivery record for `s` holding a copy of `payload`. */
bus_rec *hbus_rec_new(bus_sub *s, const void *payload);
void hbus_rec_free(bus_rec *r);
/* A bus block of `head` bytes followed by a deep copy of `v` (heap parts and all). */
void *hbus_copy_block(size_t head, const hale_type *t, const void *v);

/* Rate-limited diagnostic line (HALE_BUS_LOG_*). */
void hbus_log(bus_topic *tp, const char *what, const bus_key *key);
/* Counts one dropped delivery and logs `why` when HALE_BUS_LOG_DROP is on. */
void hbus_drop(bus_topic *tp, const char *why);

/* ---- bus_local.c: the thread's queue ---- */

extern _Thread_local bus_thread *hbus_tl;
bus_thread *hbus_thread_new(void);

static inline bus_thread *bus_thread_self(void) {
    bus_thread *bt = hbus_tl;
    return __builtin_expect(bt != NULL, 1) ? bt : hbus_thread_new();
}

/* The running coroutine (NULL outside one), as hale_co_self, inline. */
static inline hale_co *bus_co_self(void) {
    hale_pool *p = hale_tls_pool;
    return p ? p->current : NULL;
}

/* The slice owner for the calling thread: its pool, or its bus state when it has none. */
static inline void *bus_owner_self(bus_thread *bt) {
    hale_pool *p = hale_tls_pool;
    return p ? (void *)p : (void *)bt;
}

static inline void bus_frame_push(bus_thread *bt, bus_frame *f, int kind) {
    hale_bus_tl_frames++;
    f->co = bus_co_self();
    f->kind = kind;
    f->newer = NULL;
    f->older = bt->frames;
    if (bt->frames) {
        bt->frames->newer = f;
    }
    bt->frames = f;
}

static inline void bus_frame_pop(bus_thread *bt, bus_frame *f) {
    hale_bus_tl_frames--;
    if (f->newer) {
        f->newer->older = f->older;
    } else {
        bt->frames = f->older;
    }
    if (f->older) {
        f->older->newer = f->newer;
    }
}

/* The kind of the calling context's newest frame (BUS_FRAME_NONE in ordinary code). */
int hbus_frame_kind(bus_thread *bt);

/* True when a publish from here must queue (a handler of this context is running). */
static inline bool bus_in_handler(bus_thread *bt) {
    return bt->frames && hbus_frame_kind(bt) == BUS_FRAME_HANDLER;
}

/* True when this context may run the thread queue now. */
static inline bool bus_may_settle(bus_thread *bt) {
    if (!bt->frames) {
        return true;
    }
    int k = hbus_frame_kind(bt);
    return k == BUS_FRAME_NONE || k == BUS_FRAME_ROOT;
}

/* Queues a same-thread delivery for `s` (its bound applied): a copy of `payload`, or with
 * `lend` a LENT record of it. */
void hbus_local_enqueue(bus_thread *bt, bus_sub *s, const void *payload, bus_lend *lend);
/* The same for the only delivery of a HALE_BUS_BORROW publish from ordinary code: a LENT record
 * with its lend inside it (a copy when no origin describes `payload`). */
void hbus_local_enqueue_solo(bus_thread *bt, bus_sub *s, const void *payload);
/* Runs queued same-thread deliveries unless this context is inside a handler or already running
 * them. */
void hbus_settle(bus_thread *bt);
/* Runs the oldest queued deliveries now (backpressure); false when it could not. */
bool hbus_local_drain_inline(bus_thread *bt);
/* Runs this one subscription's queued same-thread deliveries now (flush inside a handler). */
void hbus_local_flush_sub(bus_thread *bt, bus_sub *s);
/* Marks the subscription's queued same-thread deliveries dropped. */
void hbus_local_purge(bus_sub *s);
/* Releases zombies when nothing on this thread holds bare subscription pointers. */
void hbus_thread_leave(bus_thread *bt);
void hbus_zombie(bus_thread *bt, bus_sub *s);

/* ---- bus_lend.c: same-thread deliveries that borrow the payload's parts ---- */

/* A publish of `v` with HALE_BUS_BORROW from ordinary code (bus_may_settle): the lend its
 * same-thread records share, holding the publish's own reference (hbus_lend_put it when the
 * publish is done), or NULL when no origin describes `v` (the records copy then). */
bus_lend *hbus_lend_new(bus_thread *bt, bus_topic *tp, const void *v);
void hbus_lend_put(bus_lend *l);
/* A LENT record of `payload` for `s`. */
bus_rec *hbus_rec_new_lent(bus_sub *s, const void *payload, bus_lend *l);
/* A LENT record of `payload` for `s` that holds its own lend (the publish's only record), or
 * NULL when no origin describes `payload`. */
bus_rec *hbus_rec_new_solo(bus_thread *bt, bus_sub *s, const void *payload);
/* A record that is not OWN gives back what it holds besides itself (hbus_rec_free). */
void hbus_rec_let_go(bus_rec *r);
/* Runs the handler on a record's payload, with the lend's origin current for a LENT one; a LENT
 * record reached from another context than its publisher's gets its own copy first. */
void hbus_call_rec(bus_thread *bt, bus_rec *r);
/* Gives every LENT record in the thread queue its own copy of the parts. */
void hbus_lend_materialize(bus_thread *bt);

/* ---- bus_mailbox.c: cross-thread delivery ---- */

enum { BUS_PUSH_OK, BUS_PUSH_OVER_CAP };

/* Sets up a new subscription's mailbox; `locked` picks the kind. */
void hbus_mailbox_init(bus_sub *s, bool locked);
void hbus_mailbox_destroy(bus_sub *s);

/* Under the slice lock: queues a copy for `s` in its mailbox and schedules the drain. Returns
 * BUS_PUSH_OVER_CAP when the mailbox passed HALE_BUS_MAILBOX_CAP (the caller waits). */
int hbus_mailbox_push(bus_sub *s, const void *payload);
/* Deliveries in the mailbox (the lock-free kind may count up to a few handled ones). */
int64_t hbus_mailbox_len(bus_sub *s);
/* Takes and drops everything queued (dissolve, shutdown). */
void hbus_mailbox_purge(bus_sub *s);
/* Runs what is queued, on the owner thread (flush). */
void hbus_mailbox_run(bus_sub *s);

/* Waiting for room. `pin` is taken under the slice lock (the subscription stays valid), then
 * hbus_wait_room waits until the mailbox is below `limit` (or the subscription died) and drops the
 * pin. Returns 0, or -1 when the waiting coroutine was cancelled. */
int hbus_wait_room(bus_sub *s, int64_t limit);

/* ---- bus_counters.c ---- */

enum {
    BUS_C_PUBLISHED,
    BUS_C_DELIVERED,
    BUS_C_DROPPED,
    BUS_C_UNMATCHED,
    BUS_C_REFUSED,
    BUS_C_WAITS,
    BUS_C_SENT,
    BUS_C_RECEIVED,
    BUS_NCOUNTERS
};

/* This thread's counters (BUS_NCOUNTERS per topic), valid while hbus_tl_gen == hbus_counters_gen;
 * single writer, relaxed atomics so a dump on another thread reads them safely. */
extern _Thread_local _Atomic int64_t *hbus_tl_counters;
extern _Thread_local uint64_t hbus_tl_gen;
extern _Atomic uint64_t hbus_counters_gen;
void hbus_counters_attach(void);

/* Adds `n` to this thread's counter `c` of topic `id`. */
static inline void bus_count(int id, int c, int64_t n) {
    if (__builtin_expect(
            hbus_tl_gen != atomic_load_explicit(&hbus_counters_gen, memory_order_relaxed), 0)) {
        hbus_counters_attach();
    }
    _Atomic int64_t *x = &hbus_tl_counters[(size_t)id * BUS_NCOUNTERS + (size_t)c];
    atomic_store_explicit(x, atomic_load_explicit(x, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

/* At boot: a fresh set of counters for `ntopics` topics (earlier blocks are retired). */
void hbus_counters_reset(size_t ntopics);
void hbus_counters_sum(int id, int64_t out[BUS_NCOUNTERS]);

#endif
