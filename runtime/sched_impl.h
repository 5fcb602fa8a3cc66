/* Internal to the scheduler (pool.c, coro.c): the pool and coroutine structures. Not part of the
 * contract with generated code; scheduler.h is.
 *
 * Field layout follows who writes what. The inbox head and `posted`/`refused` are written by
 * any thread; the counters in `shared` are written only by the pool's own thread and read by the
 * main thread when it checks for quiescence; everything after `loop` belongs to the pool's
 * thread alone. Each group starts on its own cache line so producers on other threads do not
 * bounce the line the owner works on. */
#ifndef HALE_RUNTIME_SCHED_IMPL_H
#define HALE_RUNTIME_SCHED_IMPL_H

#include <ev.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdalign.h>
#include <stdatomic.h>

#include "ctx.h"
#include "region.h"
#include "sanitize.h"
#include "scheduler.h"
#include "stack.h"

enum { CO_READY, CO_RUNNING, CO_PARKED, CO_DONE };
enum { PARK_WAKE, PARK_TIMER, PARK_IO };

struct hale_co {
    hale_exec_ctx ctx;
    hale_pool *pool;
    hale_stack *stack;
    void (*fn)(void *);
    void *arg;
    hale_scratch *scratch; /* kept across reuse; reset to `marks` when the coroutine ends */
    hale_mark marks[2];
    hale_co *next; /* run queue or free list */
    hale_co *live_prev, *live_next;
    int state;
    int park_kind;
    int wait_result;
    bool wake_pending;
    bool cancelled;
    bool interrupted; /* hale_interrupt arrived while it was not waiting */
    ev_timer timer;
    ev_io io;
    struct hale_locus_frame *frame; /* its hale_tls_frame while it is not running */
    struct hale_origin *origin;     /* its hale_tls_origin (guard.h) while it is not running */
    void *tsan_fiber;
    void *asan_fake_stack;
};

/* Single-writer counters: the owner loads and stores (no read-modify-write), others load. */
typedef _Atomic int64_t hale_counter;

static inline void counter_bump(hale_counter *c) {
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                          memory_order_release);
}

struct hale_pool {
    hale_mpsc inbox;

    alignas(64) _Atomic int64_t posted; /* any thread */
    _Atomic int64_t refused;            /* posts turned away after close */
    _Atomic int closed;
    _Atomic int stop;

    alignas(64) hale_counter handled; /* owner thread writes */
    hale_counter spawned;
    hale_counter exited;
    hale_counter switches;
    hale_counter readied; /* coroutines put on the run queue (depth: readied - switches) */
    hale_counter batches;
    hale_counter stack_maps;
    hale_counter stack_reuses;

    alignas(64) struct ev_loop *loop;
    ev_async wakeup;
    hale_exec_ctx sched_ctx; /* the thread's own context while a coroutine runs */
    hale_co *current;
    hale_co *ready_head, *ready_tail;
    hale_co *free_cos;
    hale_co *live;
    int64_t live_count;
    bool cancel_new; /* shutdown: coroutines are born cancelled */
    hale_stack_cache stacks;
    int64_t handled_at_pass; /* `handled` when the last pass began its loop run (pool.c) */
    ev_timer trim_timer;     /* memory back after a burst (trim.c) */
    void *tsan_thread_fiber;
    const void *asan_sched_bottom;
    size_t asan_sched_size;

    hale_pool_kind kind;
    char name[48];
    hale_cpus want;
    hale_cpus applied;
    pthread_t thread;
    sem_t started;
    hale_pool *next_pool; /* registry: added on the main thread, read anywhere */
};

/* ---- shared between pool.c and coro.c ---- */

/* The pool of the calling thread (NULL if none). */
extern _Thread_local hale_pool *hale_tls_pool;

/* The locus runtime's frames (locus_impl.h) belong to the coroutine that pushed them: resume()
 * gives every coroutine its own (NULL when it starts) and puts the thread's back afterwards. */
extern _Thread_local struct hale_locus_frame *hale_tls_frame;

/* hale_sched_set_settle's function (NULL: none); coro.c calls it at cooperative points. */
typedef void (*hale_settle_fn)(void);
extern _Atomic(hale_settle_fn) hale_sched_settle;

/* hale_sched_set_before_reset's function (NULL: none). */
extern _Atomic(hale_settle_fn) hale_sched_before_reset;

static inline void hale_sched_settle_now(void) {
    hale_settle_fn fn = atomic_load_explicit(&hale_sched_settle, memory_order_relaxed);
    if (fn) {
        fn();
    }
}

/* Configuration fixed at hale_sched_init. */
size_t hale_sched_stack_size(void);
size_t hale_sched_stack_cache_max(void);

/* trim.c: the timer that gives idle stacks, chunks and heap back to the system. */
void hale_trim_start(hale_pool *p);
void hale_trim_stop(hale_pool *p);

/* One turn of the pool's loop: run the coroutines that are ready now, then poll (blocking when
 * `may_block` and nothing is ready). */
void hale_pool_pass(hale_pool *p, bool may_block);

/* A worker pool ran out of work: tell the main pool (at most once a millisecond, deferred
 * otherwise) so hale_sched_run rechecks quiescence. Owner thread. */
void hale_pool_went_idle(hale_pool *p);

/* coro.c: runs every ready coroutine once; cancels every coroutine of the pool; frees the pool's
 * coroutines (the ones still alive are abandoned) and stacks. Owner thread. */
int hale_co_run_ready(hale_pool *p); /* returns how many were resumed */
hale_co *hale_co_spawn_local(hale_pool *p, void (*fn)(void *), void *arg);
void hale_co_cancel_all(hale_pool *p);
void hale_co_free_all(hale_pool *p);
/* Frees the finished coroutines kept for reuse beyond `keep` (each with its scratch region);
 * returns how many. Owner thread. */
size_t hale_co_cache_trim(hale_pool *p, size_t keep);

#endif
