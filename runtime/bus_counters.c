/* Bus counters: per topic, per thread, summed on demand.
 *
 * Every publish bumps at least two counters, from whatever thread publishes and whatever thread
 * handles, so a shared atomic per topic would bounce one cache line between every pool that
 * touches the topic. Instead each thread owns a block (its own allocation, cache-line aligned)
 * that only it writes, with relaxed loads and stores; a reader sums the live blocks plus what
 * exited threads left behind. A boot starts a new generation: older blocks are forgotten and each
 * thread attaches a fresh one on its next count. */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bus_impl.h"
#include "fatal.h"
#include "region.h"

typedef struct block {
    struct block *next;
    void *raw;
    uint64_t gen;
    size_t ntopics;
    _Atomic int64_t *c; /* ntopics * BUS_NCOUNTERS, 64-byte aligned */
} block;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static block *blocks;
static int64_t *retired; /* counts of threads that exited in this generation */
static size_t cur_ntopics;

_Atomic uint64_t hbus_counters_gen = 1;
_Thread_local _Atomic int64_t *hbus_tl_counters;
_Thread_local uint64_t hbus_tl_gen;
static _Thread_local block *tl_block;

static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

static void block_free(block *b) {
    hale_sys_free(b->raw);
    hale_sys_free(b);
}

/* Thread exit: fold this thread's counts into `retired`. */
static void on_exit_thread(void *unused) {
    (void)unused;
    pthread_mutex_lock(&lock);
    block *b = tl_block;
    if (b && hbus_tl_gen == atomic_load(&hbus_counters_gen)) {
        for (block **pp = &blocks; *pp; pp = &(*pp)->next) {
            if (*pp == b) {
                *pp = b->next;
                break;
            }
        }
        for (size_t i = 0; i < b->ntopics * BUS_NCOUNTERS && retired; i++) {
            retired[i] += atomic_load_explicit(&b->c[i], memory_order_relaxed);
        }
        block_free(b);
    }
    tl_block = NULL;
    hbus_tl_gen = 0;
    hbus_tl_counters = NULL;
    pthread_mutex_unlock(&lock);
}

static void make_key(void) {
    if (pthread_key_create(&exit_key, on_exit_thread) != 0) {
        hale_fatal("bus: cannot create the counters key");
    }
}

void hbus_counters_attach(void) {
    pthread_once(&exit_once, make_key);
    pthread_mutex_lock(&lock);
    size_t n = cur_ntopics ? cur_ntopics : 1;
    size_t bytes = n * BUS_NCOUNTERS * sizeof(int64_t);
    block *b = hale_sys_calloc(1, sizeof *b);
    if (!b || !(b->raw = hale_sys_calloc(1, bytes + 128))) {
        hale_oom(bytes, "bus counters");
    }
    b->c = (_Atomic int64_t *)(((uintptr_t)b->raw + 63) & ~(uintptr_t)63);
    b->ntopics = n;
    b->gen = atomic_load(&hbus_counters_gen);
    b->next = blocks;
    blocks = b;
    tl_block = b;
    hbus_tl_counters = b->c;
    hbus_tl_gen = b->gen;
    pthread_mutex_unlock(&lock);
    pthread_setspecific(exit_key, b);
}

void hbus_counters_reset(size_t ntopics) {
    pthread_mutex_lock(&lock);
    while (blocks) {
        block *b = blocks;
        blocks = b->next;
        block_free(b);
    }
    hale_sys_free(retired);
    retired = hale_sys_calloc(ntopics ? ntopics * BUS_NCOUNTERS : 1, sizeof(int64_t));
    cur_ntopics = ntopics;
    atomic_fetch_add(&hbus_counters_gen, 1);
    pthread_mutex_unlock(&lock);
}

void hbus_counters_sum(int id, int64_t out[BUS_NCOUNTERS]) {
    memset(out, 0, BUS_NCOUNTERS * sizeof out[0]);
    pthread_mutex_lock(&lock);
    if ((size_t)id < cur_ntopics) {
        for (int k = 0; k < BUS_NCOUNTERS; k++) {
            out[k] = retired[(size_t)id * BUS_NCOUNTERS + (size_t)k];
        }
        for (block *b = blocks; b; b = b->next) {
            for (int k = 0; k < BUS_NCOUNTERS; k++) {
                out[k] += atomic_load_explicit(&b->c[(size_t)id * BUS_NCOUNTERS + (size_t)k],
                                               memory_order_relaxed);
            }
        }
    }
    pthread_mutex_unlock(&lock);
}

void hale_bus_counters_get(int topic, hale_bus_counters *out) {
    int64_t c[BUS_NCOUNTERS];
    hbus_counters_sum(topic, c);
    out->published = c[BUS_C_PUBLISHED];
    out->delivered = c[BUS_C_DELIVERED];
    out->dropped = c[BUS_C_DROPPED];
    out->unmatched = c[BUS_C_UNMATCHED];
    out->refused = c[BUS_C_REFUSED];
    out->waits = c[BUS_C_WAITS];
    out->sent = c[BUS_C_SENT];
    out->received = c[BUS_C_RECEIVED];
    const hale_bus_topic_desc *d = hbus_topic_at(topic)->d;
    if (d->direct_counts) {
        int64_t pub = __atomic_load_n(&d->direct_counts[0], __ATOMIC_RELAXED);
        out->published += pub;
        out->delivered += __atomic_load_n(&d->direct_counts[1], __ATOMIC_RELAXED);
    }
}

void hale_bus_counters_dump(FILE *f) {
    for (size_t i = 0; i < hbus_cfg.ntopics; i++) {
        hale_bus_counters c;
        hale_bus_counters_get((int)i, &c);
        fprintf(f,
                "%s published=%" PRId64 " delivered=%" PRId64 " dropped=%" PRId64
                " unmatched=%" PRId64 " refused=%" PRId64 " waits=%" PRId64 " sent=%" PRId64
                " received=%" PRId64 "\n",
                hbus_topic_at((int)i)->d->subject, c.published, c.delivered, c.dropped, c.unmatched,
                c.refused, c.waits, c.sent, c.received);
    }
    fflush(f);
}
