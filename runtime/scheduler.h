/* Scheduling: where loci run, and how blocking-style code waits without blocking a thread.
 *
 * A *pool* is one thread, one libev loop, a run queue of coroutines and an inbox (a lock-free
 * MPSC queue with an ev_async wakeup) for work sent from other threads. Hale's placement maps
 * onto pools directly:
 *   - the main pool runs on the main thread (the one that called hale_sched_init);
 *   - `cooperative(pool = X)` is one worker thread per distinct name X (X = main is the main pool);
 *   - `pinned`, `pinned(core = N)`, `pinned(cores = ...)` is a pool of its own, with best-effort
 *     CPU affinity; a cooperative pool may carry affinity too.
 * Everything a locus does runs on its pool's thread: handlers arrive through the inbox
 * (hale_post), coroutines are spawned there and never migrate.
 *
 * A *coroutine* is a stackful task on a pool (a locus's run(), one per connection, a handler
 * that blocks). hale_sleep, hale_wait_fd and the tcp operations park it on an ev_timer / ev_io
 * and the pool runs other work meanwhile. The same calls made outside any coroutine (plain C on
 * a pool thread, a message handler) do not block the pool either: they keep running the pool's
 * loop (timers, I/O, inbox, other coroutines) until their own condition is met. On a thread
 * with no pool they simply block.
 *
 * Each coroutine has its own scratch (region.h), current whenever it runs.
 *
 * Lifetime: hale_sched_init, create pools (directly or from a placement table), spawn work,
 * hale_sched_run (returns on hale_sched_stop or when no work is left anywhere),
 * hale_sched_shutdown (cancels what is still parked, lets it unwind, joins every thread). */
#ifndef HALE_RUNTIME_SCHEDULER_H
#define HALE_RUNTIME_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "affinity.h"
#include "mpsc.h"

typedef struct hale_pool hale_pool;
typedef struct hale_co hale_co;

/* Error results of the waiting calls (negated, like errno values). */
#define HALE_ECANCELED 125 /* == ECANCELED on Linux */
#define HALE_EINTR 4       /* == EINTR: a wait ended by hale_interrupt */

/* ---- lifetime ---- */

typedef struct {
    size_t stack_size;         /* 0: hale_stack_default_size() (HALE_STACK_SIZE) */
    size_t stack_cache_max;    /* idle stacks each pool keeps; 0: 4096 */
    int64_t shutdown_grace_ns; /* how long shutdown waits for cancelled work; 0: 5s */
} hale_sched_config;

/* Makes the calling thread the main pool's thread. `cfg` may be NULL. Must be called once before
 * any other call here (again after hale_sched_shutdown). */
void hale_sched_init(const hale_sched_config *cfg);

/* Runs the main pool on the calling (main) thread until hale_sched_stop is called, or until no
 * coroutine is alive and no message is in flight on any pool. Returns 1 when stopped, 0 when
 * the work ran out. */
int hale_sched_run(void);

/* Asks hale_sched_run to return. Any thread; async-signal-safe. */
void hale_sched_stop(void);

/* True once hale_sched_stop has been called (until the next hale_sched_init). */
bool hale_sched_stopping(void);

/* Runs fn(arg) on the main pool's thread, from its loop, each time signal `sig` (1..63)
 * arrives: the way a program reacts to SIGTERM/SIGINT with ordinary code (start draining, call
 * hale_sched_stop, ...). fn NULL restores the default disposition. Main thread, after
 * hale_sched_init; hale_sched_shutdown restores every signal it took. */
void hale_sched_on_signal(int sig, void (*fn)(void *), void *arg);

/* A function the scheduler calls at every cooperative point: in a coroutine before it waits
 * (park, sleep, fd, yield) or ends, and on the pool's thread after each coroutine it resumes
 * gives control back. The bus sets it (hale_bus_settle_point) so deliveries queued on a thread
 * run at the points Hale's deferred queue drains at; NULL: none. Set before any pool runs. */
void hale_sched_set_settle(void (*fn)(void));

/* A function the scheduler calls on a pool's thread before it resets a finished coroutine's
 * scratch for reuse. The bus sets it (hale_bus_materialize) so a queued delivery never refers
 * to that scratch afterwards; NULL: none. Set before any pool runs. */
void hale_sched_set_before_reset(void (*fn)(void));

/* Cancels every coroutine still alive on every pool (their waits return -HALE_ECANCELED), runs
 * the pools until those coroutines have returned (at most the grace period), stops and joins
 * every worker thread and frees everything. Main thread, after hale_sched_run returned. */
void hale_sched_shutdown(void);

/* ---- pools ---- */

typedef enum {
    HALE_POOL_MAIN,
    HALE_POOL_COOPERATIVE,
    HALE_POOL_PINNED,
} hale_pool_kind;

hale_pool *hale_pool_main(void);

/* The cooperative pool named `name`, started on first use ("main" is the main pool). `cpus`
 * (may be NULL) binds its worker thread, on the call that creates it. Main thread. */
hale_pool *hale_pool_cooperative(const char *name, const hale_cpus *cpus);

/* A new pool with its own thread for one pinned locus; `cpus` may be NULL (OS-scheduled).
 * `name` labels it. Main thread. */
hale_pool *hale_pool_pinned(const char *name, const hale_cpus *cpus);

/* The pool whose thread is calling, or NULL on a thread with no pool. */
hale_pool *hale_pool_current(void);

const char *hale_pool_name(const hale_pool *p);
hale_pool_kind hale_pool_kind_of(const hale_pool *p);

/* The CPUs the pool's thread was actually bound to (empty: unpinned). Valid once the pool's
 * thread has started, which hale_pool_cooperative/pinned wait for. */
void hale_pool_cpus(const hale_pool *p, hale_cpus *out);

/* One entry of the `placement { }` table the compiler emits for `main`. */
typedef struct {
    const char *locus;   /* the placed locus's name, for diagnostics */
    hale_pool_kind kind; /* HALE_POOL_COOPERATIVE or HALE_POOL_PINNED */
    const char *pool;    /* COOPERATIVE: the pool name */
    hale_cpus cpus;      /* empty: no affinity */
} hale_placement;

/* Creates the pools a placement table names and stores each entry's pool in pools_out[i]
 * (entries naming the same cooperative pool share it; a pool's affinity is taken from the first
 * entry naming it that has one). Unlisted loci belong to hale_pool_main(). Main thread. */
void hale_sched_place(const hale_placement *table, size_t n, hale_pool **pools_out);

/* ---- cross-thread delivery ---- */

/* A message for a pool. Embed it in your own struct; `fn` runs on the target pool's thread and
 * owns the message from then on (it may free or reuse it). */
typedef struct hale_msg {
    hale_mpsc_node node;
    void (*fn)(struct hale_msg *m);
} hale_msg;

/* Delivers `m` to pool `p`: `m->fn(m)` runs on p's thread, after the messages this thread posted
 * to p before it (per-producer order is kept). Any thread, including p's own. Returns 0, or -1
 * when p has been shut down (the message was not taken; the caller still owns it). */
int hale_post(hale_pool *p, hale_msg *m);

/* Convenience: runs fn(arg) on p's thread. Allocates one small message. Returns 0 or -1. */
int hale_post_call(hale_pool *p, void (*fn)(void *), void *arg);

/* ---- coroutines ---- */

/* Starts fn(arg) as a coroutine on pool p. From p's own thread it is created at once and
 * returned; from any other thread it is created on p's thread soon after and NULL is returned.
 * Returns NULL too when p has been shut down, with *ok (if not NULL) set to false. */
hale_co *hale_spawn(hale_pool *p, void (*fn)(void *), void *arg, bool *ok);

/* The running coroutine, or NULL outside any coroutine. */
hale_co *hale_co_self(void);

/* The coroutine's pool. */
hale_pool *hale_co_pool(const hale_co *co);

/* Reschedules: a coroutine goes to the back of its pool's run queue; outside a coroutine on a
 * pool thread this runs one non-blocking turn of the pool's loop; elsewhere sched_yield(). */
void hale_yield(void);

/* Waits `ns` nanoseconds (see the header comment for where). Returns 0, or -HALE_ECANCELED when
 * the coroutine was cancelled (at once if it already was). */
int hale_sleep(int64_t ns);

#define HALE_READABLE 1
#define HALE_WRITABLE 2

/* Waits until `fd` is readable and/or writable (`events`: HALE_READABLE | HALE_WRITABLE), or
 * `timeout_ns` passed (< 0: no timeout). Returns the ready events (> 0), 0 on timeout, or
 * -HALE_ECANCELED. */
int hale_wait_fd(int fd, int events, int64_t timeout_ns);

/* Call before closing an fd the running coroutine waited on with hale_wait_fd (the tcp
 * operations do): the wait's watcher may still be armed, and must not outlive the fd. */
void hale_fd_closing(int fd);

/* Parks the running coroutine until hale_wake. Returns 0, or -HALE_ECANCELED. A wake that
 * arrived since the coroutine last parked is not lost: park then returns at once. Must be called
 * from a coroutine. */
int hale_park(void);

/* Makes a parked coroutine runnable (or marks the wake for its next hale_park). Any thread; the
 * caller must know the coroutine has not finished. */
void hale_wake(hale_co *co);

/* Cancels a coroutine: its current wait and every later one return -HALE_ECANCELED. Any thread;
 * the caller must know the coroutine has not finished. */
void hale_cancel(hale_co *co);

/* Ends the coroutine's current wait (hale_park, hale_sleep, hale_wait_fd, the tcp operations)
 * with -HALE_EINTR, or, when it is not waiting, its next one. Unlike hale_cancel it is one-shot:
 * later waits behave normally. It is how a locus is told to stop (the stop flag is set first, the
 * interrupted wait notices it). Any thread; the caller must know the coroutine has not finished. */
void hale_interrupt(hale_co *co);

/* True when the running coroutine has been cancelled. */
bool hale_cancelled(void);

/* ---- diagnostics ---- */

typedef struct {
    int64_t spawned;      /* coroutines started on the pool */
    int64_t exited;       /* ... and finished */
    int64_t switches;     /* coroutine resumptions */
    int64_t posted;       /* messages posted to the pool */
    int64_t handled;      /* messages run */
    int64_t batches;      /* inbox drains */
    int64_t readied;      /* coroutines put on the run queue (waiting: readied - switches) */
    int64_t refused;      /* posts turned away after the pool closed */
    int64_t stack_maps;   /* stacks mapped (the rest were reused) */
    int64_t stack_reuses; /* stacks served from the pool's cache */
} hale_pool_stats;

/* A snapshot of the pool's counters. Any thread (the numbers may be slightly stale). */
void hale_pool_stats_get(hale_pool *p, hale_pool_stats *out);

/* Calls fn for every pool, main included, newest first. Any thread: pools are added on the main
 * thread and published whole, and freed only by hale_sched_shutdown, which must not overlap. */
void hale_pool_foreach(void (*fn)(hale_pool *p, void *arg), void *arg);

#endif
