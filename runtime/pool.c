/* Pools: threads, loops, inboxes, placement, and the run / stop / shutdown of the whole
 * scheduler. See scheduler.h for the contract, sched_impl.h for the layout.
 *
 * A pool's thread repeats one *pass*: run the coroutines that are ready, then run its libev loop
 * once (blocking only when nothing is ready). Watcher callbacks never run coroutine code
 * themselves; they only move coroutines to the run queue, so every resumption happens from the
 * same place and libev is never re-entered from a coroutine stack.
 *
 * The inbox is drained in batches of at most INBOX_BATCH messages per wakeup, so a flood from
 * other threads cannot starve the pool's own timers and sockets; when more remain the pool feeds
 * itself another wakeup and comes back on the next pass.
 *
 * Quiescence ("no work left anywhere", for hale_sched_run) is decided on the main thread from
 * monotonic counters: per pool, coroutines spawned/exited and messages posted/handled(+refused).
 * The main thread reads every counter twice; when both reads agree, they were all unchanged over
 * an instant between the two, so the balance seen is a true snapshot. A worker that runs out of
 * coroutines or drains its inbox pokes the main pool when every pool's counters balance as it
 * reads them (hale_pool_went_idle), so the main thread looks again when the answer may have
 * become yes, and sleeps while work flows between the other pools. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fatal.h"
#include "sched_impl.h"
#include "std.h"

#define INBOX_BATCH 256
#define DEFAULT_STACK_CACHE 4096
#define DEFAULT_GRACE_NS ((int64_t)5 * 1000000000)

_Thread_local hale_pool *hale_tls_pool;
_Atomic(hale_settle_fn) hale_sched_settle;

void hale_sched_set_settle(void (*fn)(void)) {
    atomic_store_explicit(&hale_sched_settle, fn, memory_order_relaxed);
}

_Atomic(hale_settle_fn) hale_sched_before_reset;

void hale_sched_set_before_reset(void (*fn)(void)) {
    atomic_store_explicit(&hale_sched_before_reset, fn, memory_order_relaxed);
}

static struct {
    bool inited;
    hale_sched_config cfg;
    hale_pool *main;
    hale_pool *pools; /* every pool, main included; changed on the main thread only, and
                         published with a release store so hale_pool_foreach may walk it */
    _Atomic int stop;
} S;

size_t hale_sched_stack_size(void) {
    return S.cfg.stack_size;
}

size_t hale_sched_stack_cache_max(void) {
    return S.cfg.stack_cache_max;
}

/* ---- inbox ---- */

static void inbox_drain(hale_pool *p) {
    int n = 0;
    hale_mpsc_node *node;
    while (n < INBOX_BATCH && (node = hale_mpsc_pop(&p->inbox))) {
        hale_msg *m = (hale_msg *)node;
        m->fn(m);
        counter_bump(&p->handled);
        n++;
    }
    counter_bump(&p->batches);
    if (n == INBOX_BATCH) {
        ev_feed_event(p->loop, &p->wakeup, EV_ASYNC);
    } else if (p->kind != HALE_POOL_MAIN && p->live_count == 0) {
        hale_pool_went_idle(p);
    }
}

/* ---- signals: a flag and a wakeup from the handler, the work on the main thread ---- */

#define MAX_SIG 64

static struct {
    void (*fn)(void *);
    void *arg;
} sig_hooks[MAX_SIG];
static _Atomic uint64_t sig_pending;

static void sig_handler(int sig) {
    int e = errno;
    atomic_fetch_or(&sig_pending, (uint64_t)1 << sig);
    if (S.main) {
        ev_async_send(S.main->loop, &S.main->wakeup);
    }
    errno = e;
}

static void sig_dispatch(void) {
    uint64_t m = atomic_exchange(&sig_pending, 0);
    for (int sig = 1; m && sig < MAX_SIG; sig++) {
        if ((m >> sig) & 1 && sig_hooks[sig].fn) {
            sig_hooks[sig].fn(sig_hooks[sig].arg);
        }
    }
}

void hale_sched_on_signal(int sig, void (*fn)(void *), void *arg) {
    if (sig <= 0 || sig >= MAX_SIG) {
        hale_fatal("hale_sched_on_signal: no signal %d", sig);
    }
    sig_hooks[sig].fn = fn;
    sig_hooks[sig].arg = arg;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn ? sig_handler : SIG_DFL;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void signals_restore(void) {
    for (int sig = 1; sig < MAX_SIG; sig++) {
        if (sig_hooks[sig].fn) {
            hale_sched_on_signal(sig, NULL, NULL);
        }
    }
    atomic_store(&sig_pending, 0);
}

static void wakeup_cb(struct ev_loop *loop, ev_async *w, int revents) {
    (void)loop;
    (void)revents;
    hale_pool *p = w->data;
    if (p == S.main && atomic_load_explicit(&sig_pending, memory_order_relaxed)) {
        sig_dispatch();
    }
    inbox_drain(p);
}

int hale_post(hale_pool *p, hale_msg *m) {
    atomic_fetch_add_explicit(&p->posted, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&p->closed, memory_order_seq_cst)) {
        atomic_fetch_add_explicit(&p->refused, 1, memory_order_seq_cst);
        return -1;
    }
    hale_mpsc_push(&p->inbox, &m->node);
    ev_async_send(p->loop, &p->wakeup);
    return 0;
}

typedef struct {
    hale_msg msg;
    void (*fn)(void *);
    void *arg;
} call_msg;

static void call_msg_run(hale_msg *m) {
    call_msg *c = (call_msg *)m;
    void (*fn)(void *) = c->fn;
    void *arg = c->arg;
    hale_sys_free(c);
    fn(arg);
}

int hale_post_call(hale_pool *p, void (*fn)(void *), void *arg) {
    call_msg *c = hale_sys_malloc(sizeof *c);
    if (!c) {
        hale_oom(sizeof *c, "a posted call");
    }
    c->msg.fn = call_msg_run;
    c->fn = fn;
    c->arg = arg;
    if (hale_post(p, &c->msg) != 0) {
        hale_sys_free(c);
        return -1;
    }
    return 0;
}

/* ---- passes ---- */

/* Runs ready coroutines for up to RUN_BUDGET resumptions (several rounds when few are ready,
 * so yield-heavy code does not pay a poll per round), then polls. */
#define RUN_BUDGET 64

static void run_budget(hale_pool *p) {
    int resumed = 0;
    do {
        resumed += hale_co_run_ready(p);
    } while (p->ready_head && resumed < RUN_BUDGET);
}

/* After a pass that handled posts, a pool about to sleep first watches its post count for up to
 * POST_SPIN_NS: a publisher streaming into one of its mailboxes posts the next drain a moment
 * after the last one ends, and catching that post awake spares the publisher an eventfd write
 * and this thread a wakeup (each costs more than the spin). The count sits on a line of its own
 * that only posts write, so watching it does not slow the publisher's stream. */
#define POST_SPIN_NS 4000

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static bool post_arrives(hale_pool *p) {
    int64_t seen = atomic_load_explicit(&p->posted, memory_order_relaxed);
    int64_t until = hale_time_monotonic() + POST_SPIN_NS;
    do {
        for (int i = 0; i < 16; i++) {
            if (atomic_load_explicit(&p->posted, memory_order_relaxed) != seen) {
                return true;
            }
            cpu_relax();
        }
    } while (hale_time_monotonic() < until);
    return false;
}

void hale_pool_pass(hale_pool *p, bool may_block) {
    run_budget(p);
    int64_t handled = atomic_load_explicit(&p->handled, memory_order_relaxed);
    bool block = may_block && !p->ready_head;
    if (block && handled != p->handled_at_pass) {
        block = !post_arrives(p);
    }
    p->handled_at_pass = handled;
    ev_run(p->loop, block ? EVRUN_ONCE : EVRUN_NOWAIT);
}

static void poke_main(void) {
    ev_async_send(S.main->loop, &S.main->wakeup);
}

typedef struct {
    int64_t spawned, exited, posted, done;
} totals;

/* Every pool's counters, summed (any thread: the pool list is published with a release store). */
static totals collect(void) {
    totals t = {0, 0, 0, 0};
    hale_pool *pools = __atomic_load_n(&S.pools, __ATOMIC_ACQUIRE);
    for (hale_pool *p = pools; p; p = p->next_pool) {
        t.exited += atomic_load(&p->exited);
        t.done += atomic_load(&p->handled) + atomic_load(&p->refused);
    }
    for (hale_pool *p = pools; p; p = p->next_pool) {
        t.spawned += atomic_load(&p->spawned);
        t.posted += atomic_load(&p->posted);
    }
    return t;
}

/* A pool that goes idle pokes the main thread only when everything looks done. Poking on every
 * idle moment would wake the main thread once per message in a ping-pong between two pools (each
 * idles between messages), and a timer that spaces the pokes out makes every pool sleep with a
 * short timeout, which costs a timer reprogramming per sleep (on a virtual machine, ~10 us a
 * round trip at 1 ms). Whoever ends last sees it: each pool bumps its counter, then fences, then
 * reads everyone's; of two pools ending at once, the one whose fence comes second in the single
 * order of seq_cst fences sees the other's bump, so the last pool to go idle always pokes. A
 * wrong "done" costs the main thread one look (quiescent() decides). */
void hale_pool_went_idle(hale_pool *p) {
    (void)p;
    atomic_thread_fence(memory_order_seq_cst);
    totals t = collect(); /* one read: quiescent() on the main thread decides */
    if (t.spawned == t.exited && t.posted == t.done) {
        poke_main();
    }
}

/* ---- creation ---- */

static hale_pool *pool_alloc(hale_pool_kind kind, const char *name, const hale_cpus *cpus) {
    hale_pool *p = aligned_alloc(64, (sizeof(hale_pool) + 63) & ~(size_t)63);
    if (!p) {
        hale_oom(sizeof *p, "a pool");
    }
    memset(p, 0, sizeof *p);
    hale_mpsc_init(&p->inbox);
    p->kind = kind;
    snprintf(p->name, sizeof p->name, "%s", name);
    if (cpus) {
        p->want = *cpus;
    }
    p->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
    if (!p->loop) {
        hale_fatal("cannot create an event loop for pool %s", p->name);
    }
    ev_async_init(&p->wakeup, wakeup_cb);
    p->wakeup.data = p;
    ev_async_start(p->loop, &p->wakeup);
    hale_stack_cache_init(&p->stacks, S.cfg.stack_size, S.cfg.stack_cache_max);
    hale_trim_start(p);
    p->next_pool = S.pools;
    __atomic_store_n(&S.pools, p, __ATOMIC_RELEASE);
    return p;
}

/* Binds the calling thread to the pool. */
static void pool_enter(hale_pool *p) {
    hale_tls_pool = p;
    hale_cpus_apply_self(&p->want, &p->applied);
#ifdef HALE_TSAN
    p->tsan_thread_fiber = __tsan_get_current_fiber();
#endif
}

static void pool_close(hale_pool *p) {
    atomic_store_explicit(&p->closed, 1, memory_order_seq_cst);
    for (;;) {
        hale_mpsc_node *node;
        while ((node = hale_mpsc_pop(&p->inbox))) {
            hale_msg *m = (hale_msg *)node;
            m->fn(m);
            counter_bump(&p->handled);
        }
        int64_t done = atomic_load(&p->handled) + atomic_load(&p->refused);
        if (done == atomic_load(&p->posted)) {
            break;
        }
        sched_yield(); /* a producer is between its count and its push */
    }
    hale_co_free_all(p);
}

static void *worker_main(void *arg) {
    hale_pool *p = arg;
    pool_enter(p);
    sem_post(&p->started);
    while (!atomic_load_explicit(&p->stop, memory_order_acquire)) {
        hale_pool_pass(p, true);
    }
    pool_close(p);
    hale_tls_pool = NULL;
    return NULL;
}

static hale_pool *pool_start(hale_pool_kind kind, const char *name, const hale_cpus *cpus) {
    if (!S.inited) {
        hale_fatal("hale_sched_init must be called before creating pool %s", name);
    }
    hale_pool *p = pool_alloc(kind, name, cpus);
    sem_init(&p->started, 0, 0);
    int e = pthread_create(&p->thread, NULL, worker_main, p);
    if (e != 0) {
        hale_fatal("cannot start the thread of pool %s: %s", name, strerror(e));
    }
    while (sem_wait(&p->started) != 0 && errno == EINTR) {
    }
    return p;
}

hale_pool *hale_pool_main(void) {
    return S.main;
}

hale_pool *hale_pool_cooperative(const char *name, const hale_cpus *cpus) {
    if (strcmp(name, "main") == 0) {
        return S.main;
    }
    for (hale_pool *p = S.pools; p; p = p->next_pool) {
        if (p->kind == HALE_POOL_COOPERATIVE && strcmp(p->name, name) == 0) {
            return p;
        }
    }
    return pool_start(HALE_POOL_COOPERATIVE, name, cpus);
}

hale_pool *hale_pool_pinned(const char *name, const hale_cpus *cpus) {
    return pool_start(HALE_POOL_PINNED, name, cpus);
}

hale_pool *hale_pool_current(void) {
    return hale_tls_pool;
}

const char *hale_pool_name(const hale_pool *p) {
    return p->name;
}

hale_pool_kind hale_pool_kind_of(const hale_pool *p) {
    return p->kind;
}

void hale_pool_cpus(const hale_pool *p, hale_cpus *out) {
    *out = p->applied;
}

void hale_sched_place(const hale_placement *table, size_t n, hale_pool **pools_out) {
    for (size_t i = 0; i < n; i++) {
        const hale_placement *e = &table[i];
        const hale_cpus *cpus = hale_cpus_empty(&e->cpus) ? NULL : &e->cpus;
        if (e->kind == HALE_POOL_PINNED) {
            pools_out[i] = hale_pool_pinned(e->locus, cpus);
            continue;
        }
        if (!cpus) {
            /* a later entry naming the same pool may carry its affinity */
            for (size_t j = i + 1; j < n; j++) {
                if (table[j].kind == HALE_POOL_COOPERATIVE && strcmp(table[j].pool, e->pool) == 0 &&
                    !hale_cpus_empty(&table[j].cpus)) {
                    cpus = &table[j].cpus;
                    break;
                }
            }
        }
        pools_out[i] = hale_pool_cooperative(e->pool, cpus);
    }
}

/* ---- run / stop / shutdown ---- */

void hale_sched_init(const hale_sched_config *cfg) {
    if (S.inited) {
        hale_fatal("hale_sched_init called twice without hale_sched_shutdown");
    }
    memset(&S.cfg, 0, sizeof S.cfg);
    if (cfg) {
        S.cfg = *cfg;
    }
    if (!S.cfg.stack_size) {
        S.cfg.stack_size = hale_stack_default_size();
    }
    if (!S.cfg.stack_cache_max) {
        S.cfg.stack_cache_max = DEFAULT_STACK_CACHE;
    }
    if (!S.cfg.shutdown_grace_ns) {
        S.cfg.shutdown_grace_ns = DEFAULT_GRACE_NS;
    }
    S.inited = true;
    S.pools = NULL;
    atomic_store(&S.stop, 0);
    S.main = pool_alloc(HALE_POOL_MAIN, "main", NULL);
    pool_enter(S.main);
}

static bool quiescent(void) {
    if (S.main->ready_head || S.main->live_count) {
        return false;
    }
    totals a = collect(), b = collect();
    return memcmp(&a, &b, sizeof a) == 0 && a.spawned == a.exited && a.posted == a.done;
}

int hale_sched_run(void) {
    hale_pool *m = S.main;
    if (!m || hale_tls_pool != m || m->current) {
        hale_fatal("hale_sched_run must be called on the thread that called hale_sched_init, "
                   "outside any coroutine");
    }
    for (;;) {
        if (atomic_load_explicit(&S.stop, memory_order_acquire)) {
            return 1;
        }
        run_budget(m);
        if (quiescent()) {
            return 0;
        }
        ev_run(m->loop, m->ready_head ? EVRUN_NOWAIT : EVRUN_ONCE);
    }
}

void hale_sched_stop(void) {
    atomic_store_explicit(&S.stop, 1, memory_order_release);
    poke_main();
}

bool hale_sched_stopping(void) {
    return atomic_load_explicit(&S.stop, memory_order_acquire) != 0;
}

static void cancel_all_cb(void *arg) {
    hale_co_cancel_all(arg);
}

void hale_sched_shutdown(void) {
    hale_pool *m = S.main;
    if (!S.inited || hale_tls_pool != m || m->current) {
        hale_fatal("hale_sched_shutdown must be called on the main thread after hale_sched_init, "
                   "outside any coroutine");
    }
    for (hale_pool *p = S.pools; p; p = p->next_pool) {
        if (p == m) {
            hale_co_cancel_all(m);
        } else {
            hale_post_call(p, cancel_all_cb, p);
        }
    }
    int64_t deadline = hale_time_monotonic() + S.cfg.shutdown_grace_ns;
    while (!quiescent() && hale_time_monotonic() < deadline) {
        hale_pool_pass(m, false);
        if (!m->ready_head) {
            hale_time_sleep(200000);
        }
    }
    for (hale_pool *p = S.pools; p; p = p->next_pool) {
        if (p != m) {
            atomic_store_explicit(&p->stop, 1, memory_order_release);
            ev_async_send(p->loop, &p->wakeup);
        }
    }
    for (hale_pool *p = S.pools; p; p = p->next_pool) {
        if (p != m) {
            pthread_join(p->thread, NULL);
            sem_destroy(&p->started);
        }
    }
    signals_restore();
    pool_close(m);
    while (S.pools) {
        hale_pool *p = S.pools;
        S.pools = p->next_pool;
        ev_async_stop(p->loop, &p->wakeup);
        hale_trim_stop(p);
        ev_loop_destroy(p->loop);
        free(p);
    }
    hale_tls_pool = NULL;
    S.main = NULL;
    S.inited = false;
}

void hale_pool_stats_get(hale_pool *p, hale_pool_stats *out) {
    out->spawned = atomic_load(&p->spawned);
    out->exited = atomic_load(&p->exited);
    out->switches = atomic_load(&p->switches);
    out->posted = atomic_load(&p->posted);
    out->handled = atomic_load(&p->handled);
    out->batches = atomic_load(&p->batches);
    out->readied = atomic_load(&p->readied);
    out->refused = atomic_load(&p->refused);
    out->stack_maps = atomic_load(&p->stack_maps);
    out->stack_reuses = atomic_load(&p->stack_reuses);
}

void hale_pool_foreach(void (*fn)(hale_pool *p, void *arg), void *arg) {
    for (hale_pool *p = __atomic_load_n(&S.pools, __ATOMIC_ACQUIRE); p; p = p->next_pool) {
        fn(p, arg);
    }
}
