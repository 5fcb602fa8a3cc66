/* See locus.h, "Placement". This file: detached loci, the coroutines that carry them, and how
 * their holders join them.
 *
 * A detached locus runs its whole lifecycle on a coroutine of its own pool (a *runner*), so that
 * everything it does happens on the thread that owns its memory: a pinned locus on its thread, a
 * connection's flow child on the worker pool of the server that accepted it. The code that
 * started it goes on at once. Whatever holds the locus (its parent's teardown, a field being
 * replaced) *joins* it before touching it again: the runner tears the locus down itself, on its
 * own thread, and tells the joiner when it is done. That gives Hale's two placement rules at
 * once: a dissolving parent waits for its pinned children's run() (pthread_join in Hale), and a
 * flow child is reclaimed on its own pool's worker the moment its run() returns.
 *
 * The handshake is one atomic word per runner (JOIN: someone waits; RAN: run() returned and the
 * locus waits for its holder; DONE: torn down; GONE: it freed itself) and two messages embedded in
 * the record: `done` to the joiner's pool, `stop` to the runner's pool. The record is counted:
 * one reference for the runner, one for the holder (l->runner), one for a stop message in flight.
 * Flags of a locus are only ever written on its own pool's thread; the stop message sets them
 * there. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "fatal.h"
#include "locus_impl.h"
#include "sched_impl.h"

enum { ST_JOIN = 1u, ST_RAN = 2u, ST_DONE = 4u, ST_GONE = 8u };

typedef struct hale_runner {
    hale_msg done_msg; /* runner -> the joiner's pool */
    hale_msg stop_msg; /* joiner -> the runner's pool */
    hale_msg born_msg; /* runner -> the starter's pool: the birth phase is over */
    hale_locus *l;
    hale_pool *pool;
    _Atomic(hale_co *) co; /* set by the runner when it starts, on its pool */
    int how;
    int born; /* the birth phase's answer, when it ran before the runner (see spawn) */
    int birth_done;
    /* the starter's side: it waits for the birth phase when that runs on the runner */
    hale_co *starter;
    hale_pool *starter_pool;
    _Atomic int born_seen;
    _Atomic unsigned st;
    _Atomic int refs;
    _Atomic int stop_posted;
    /* the joiner's side */
    hale_co *joiner;
    hale_pool *joiner_pool;
    _Atomic int joined;
} hale_runner;

/* Runner records are made and dropped once per detached locus (per connection, for a server):
 * each thread keeps a few it released for the next one, and frees them when it exits. */
#define RUNNER_CACHE 256
typedef struct {
    hale_runner *v[RUNNER_CACHE];
    int n;
} runner_cache;
static _Thread_local runner_cache *cache;
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p) {
    runner_cache *c = p;
    while (c->n > 0) {
        hale_sys_free(c->v[--c->n]);
    }
    hale_sys_free(c);
}

static void cache_key_make(void) {
    pthread_key_create(&cache_key, cache_free);
}

static runner_cache *my_cache(void) {
    if (!cache) {
        pthread_once(&cache_once, cache_key_make);
        cache = hale_sys_malloc(sizeof *cache);
        if (!cache) {
            return NULL;
        }
        cache->n = 0;
        pthread_setspecific(cache_key, cache);
    }
    return cache;
}

static hale_runner *runner_new(void) {
    runner_cache *c = my_cache();
    if (c && c->n > 0) {
        return c->v[--c->n];
    }
    hale_runner *r = hale_sys_malloc(sizeof *r);
    if (!r) {
        hale_oom(sizeof *r, "a detached locus");
    }
    return r;
}

static void runner_release(hale_runner *r) {
    if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1) {
        return;
    }
    runner_cache *c = my_cache();
    if (c && c->n < RUNNER_CACHE) {
        c->v[c->n++] = r;
    } else {
        hale_sys_free(r);
    }
}

hale_pool *hale_locus_pool(const hale_locus *l) {
    return l->pool ? l->pool : hale_pool_main();
}

static hale_co *runner_co(const hale_runner *r) {
    return atomic_load_explicit(&((hale_runner *)r)->co, memory_order_acquire);
}

int hale_place_foreign(const hale_locus *l) {
    const hale_runner *r = l->runner;
    if (!r) {
        return 0;
    }
    hale_co *co = runner_co(r);
    return !co || co != hale_co_self();
}

/* ---- waiting without losing the caller's frames ---- */

/* Waits until *flag is set by a message handled on this thread (or, on a thread with no pool,
 * by another thread). Interrupts and spurious wakes just go round again; `tick` runs after each. */
static void wait_flag(_Atomic int *flag, void (*tick)(void *), void *arg) {
    hale_pool *p = hale_pool_current();
    while (!atomic_load_explicit(flag, memory_order_acquire)) {
        if (hale_co_self()) {
            if (hale_park() == -HALE_ECANCELED) {
                hale_yield(); /* cancelled by a shutdown past its grace: cannot park any more */
            }
        } else if (p) {
            hale_pool_pass(p, true);
        } else {
            sched_yield();
        }
        if (tick) {
            tick(arg);
        }
    }
}

/* ---- the runner ---- */

static void on_done(hale_msg *m) {
    hale_runner *r = (hale_runner *)((char *)m - offsetof(hale_runner, done_msg));
    atomic_store_explicit(&r->joined, 1, memory_order_release);
    if (r->joiner) {
        hale_wake(r->joiner); /* parked until `joined`: it cannot have finished */
    }
    runner_release(r); /* the runner's reference, carried by the message */
}

/* The runner's last word. After it the locus belongs to its holder again (or is gone). */
static void runner_finish(hale_runner *r, int free_self) {
    hale_locus *l = r->l;
    unsigned cur = atomic_load(&r->st), nw;
    do {
        nw = cur | ST_DONE;
        if (free_self && !(cur & ST_JOIN)) {
            nw |= ST_GONE;
        }
    } while (!atomic_compare_exchange_weak(&r->st, &cur, nw));
    if (nw & ST_GONE) {
        /* nobody holds it any more: a flow child that is over gives its memory back now */
        l->runner = NULL;
        hale_locus_free(l);
        runner_release(r); /* the holder's reference: it went with the locus */
    }
    if (cur & ST_JOIN) {
        if (r->joiner_pool) {
            if (hale_post(r->joiner_pool, &r->done_msg) == 0) {
                return;
            }
        }
        atomic_store_explicit(&r->joined, 1, memory_order_release);
    }
    runner_release(r);
}

/* run() has returned and the locus stays alive (a resident, a placed locus whose handlers go on):
 * wait for the holder. */
static void wait_for_join(hale_runner *r) {
    unsigned old = atomic_fetch_or(&r->st, ST_RAN);
    if (old & ST_JOIN) {
        return;
    }
    while (!(atomic_load(&r->st) & ST_JOIN)) {
        if (hale_park() == -HALE_ECANCELED) {
            return; /* the scheduler is shutting down past its grace period */
        }
    }
}

static void on_born(hale_msg *m) {
    hale_runner *r = (hale_runner *)((char *)m - offsetof(hale_runner, born_msg));
    atomic_store_explicit(&r->born_seen, 1, memory_order_release);
    if (r->starter) {
        hale_wake(r->starter); /* parked until `born_seen`: it cannot have gone on */
    }
    runner_release(r); /* the reference the message carried */
}

/* Tells the code that instantiated the locus that its birth phase is over (it waits for it). */
static void announce_born(hale_runner *r) {
    if (!r->starter_pool || hale_post(r->starter_pool, &r->born_msg) != 0) {
        atomic_store_explicit(&r->born_seen, 1, memory_order_release);
        runner_release(r);
    }
}

static void runner_main(void *arg) {
    hale_runner *r = arg;
    hale_locus *l = r->l;
    atomic_store_explicit(&r->co, hale_co_self(), memory_order_release);
    int born = r->born;
    if (!r->birth_done) {
        hale_place_start_deferred(l);
        born = hale_locus_birth_phase(l);
        announce_born(r);
    }
    hale_locus_run_phase(l, born);
    int flow = (l->flags & LF_FLOW) != 0;
    int done = (l->flags & (LF_TERMINATE | LF_DISSOLVED)) != 0 || flow;
    int keep = !done && (r->how != HALE_HOW_STMT || hale_locus_tracked_resident(l) ||
                         (l->type->flags & HALE_LT_LONG_LIVED));
    if (keep) {
        l->flags |= LF_KEPT;
        wait_for_join(r);
    }
    hale_locus_teardown(l, flow, 0);
    hale_tls_frame = NULL;
    runner_finish(r, r->how == HALE_HOW_STMT);
}

/* Hands `l` to a runner on `pool`. `born` is the answer of a birth phase already run here, or
 * HALE_PLACE_UNBORN: then the runner runs it, and this waits until it is over, as Hale's
 * instantiation order requires (birth and the bus subscriptions happen before the literal
 * returns; only run() goes on elsewhere). Returns 0 when the pool is gone (start it here). */
static int spawn(hale_locus *l, int how, hale_pool *pool, int born) {
    hale_runner *r = runner_new();
    memset(r, 0, sizeof *r);
    int wait_birth = born == HALE_PLACE_UNBORN;
    r->l = l;
    r->pool = pool;
    r->how = how;
    r->born = born;
    r->birth_done = !wait_birth;
    r->done_msg.fn = on_done;
    r->born_msg.fn = on_born;
    if (wait_birth) {
        r->starter = hale_co_self();
        r->starter_pool = hale_pool_current();
    }
    atomic_init(&r->st, 0);
    atomic_init(&r->refs, wait_birth ? 3 : 2); /* runner, holder, the birth announcement */
    atomic_init(&r->stop_posted, 0);
    atomic_init(&r->joined, 0);
    atomic_init(&r->born_seen, 0);
    atomic_init(&r->co, NULL);
    l->runner = r;
    l->flags |= LF_DETACHED;
    bool ok = false;
    hale_spawn(pool, runner_main, r, &ok);
    if (!ok) {
        /* the pool is gone (shutdown): run it here instead */
        l->runner = NULL;
        l->flags &= ~LF_DETACHED;
        atomic_store(&r->refs, 1);
        runner_release(r);
        return 0;
    }
    if (wait_birth) {
        /* `l` may be gone once this returns (a flow that ran and ended): only `r` is ours */
        wait_flag(&r->born_seen, NULL, NULL);
        runner_release(r);
    }
    return 1;
}

int hale_place_detach(hale_locus *l, int how, int *born) {
    hale_pool *want = hale_locus_pool(l), *cur = hale_pool_current();
    if (want != cur) {
        hale_locus *p = l->parent;
        if (how == HALE_HOW_FIELD && p && p->phase == PH_NEW &&
            !(p->flags & (LF_DETACHED | LF_BORN)) && hale_locus_pool(p) == want) {
            l->flags |= LF_DEFERRED; /* its parent's coroutine starts it, first thing */
            return 1;
        }
        return spawn(l, how, want, HALE_PLACE_UNBORN);
    }
    if (cur && cur != hale_pool_main() && how == HALE_HOW_STMT && (l->flags & LF_ACCEPTED)) {
        /* a flow child on its owner's worker pool: born here, at once; its run() gets a
         * coroutine of its own so the owner goes on */
        *born = hale_locus_birth_phase(l);
        return spawn(l, how, cur, *born);
    }
    return 0;
}

void hale_place_start_deferred(hale_locus *l) {
    for (hale_locus *c = l->first; c; c = c->next) {
        /* a detached child's flags belong to its own thread: not read here */
        if (!c->runner && (c->flags & LF_DEFERRED)) {
            c->flags &= ~LF_DEFERRED;
            hale_locus_start(c, c->hold, NULL);
        }
    }
}

/* ---- joining ---- */

static void on_stop(hale_msg *m) {
    hale_runner *r = (hale_runner *)((char *)m - offsetof(hale_runner, stop_msg));
    if (!(atomic_load(&r->st) & ST_DONE)) {
        /* leave birth/run at the next wait; a run() not yet entered is not entered */
        r->l->flags |= LF_STOP | LF_DRAINING;
        hale_co *co = runner_co(r); /* NULL: not started yet, and it will see the flags */
        if (co) {
            hale_interrupt(co);
        }
    }
    runner_release(r);
}

static void post_stop(hale_runner *r) {
    if (atomic_exchange(&r->stop_posted, 1)) {
        return;
    }
    atomic_fetch_add(&r->refs, 1);
    r->stop_msg.fn = on_stop;
    if (hale_post(r->pool, &r->stop_msg) != 0) {
        runner_release(r);
    }
}

typedef struct {
    hale_runner *r;
    int stop;
} join_tick;

static void escalate(void *arg) {
    join_tick *j = arg;
    if (!j->stop && hale_program_shutting_down()) {
        j->stop = 1;
        post_stop(j->r);
    }
}

int hale_place_join(hale_locus *l, int stop) {
    hale_runner *r = l->runner;
    if (!r || runner_co(r) == hale_co_self()) {
        return 0;
    }
    stop |= hale_program_shutting_down();
    r->joiner = hale_co_self();
    r->joiner_pool = hale_pool_current();
    unsigned old = atomic_fetch_or(&r->st, ST_JOIN);
    if (!(old & ST_DONE)) {
        if (stop) {
            post_stop(r);
        }
        if (old & ST_RAN) {
            hale_wake(runner_co(r)); /* it waits for this join and cannot finish before it */
        }
        join_tick j = {r, stop};
        wait_flag(&r->joined, escalate, &j);
    }
    int gone = (atomic_load(&r->st) & ST_GONE) != 0;
    if (!gone) {
        l->runner = NULL;
        l->flags &= ~LF_DETACHED;
        runner_release(r); /* the holder's reference */
    }
    return gone;
}

bool hale_place_join_waiting(const hale_locus *l) {
    hale_runner *r = l->runner;
    return r && (atomic_load(&r->st) & ST_JOIN) != 0;
}

void hale_place_join_children(hale_locus *l, int stop, int keep_fields) {
    for (;;) {
        /* rescan after every join: flow children that ended meanwhile have unlinked themselves */
        hale_locus *c = l->last;
        while (c && (!c->runner || (keep_fields && c->hold == HALE_HOW_FIELD))) {
            c = c->prev;
        }
        if (!c) {
            return;
        }
        hale_place_join(c, stop);
    }
}

/* ---- running something on another pool ---- */

typedef struct {
    hale_msg msg;
    hale_msg back;
    void (*fn)(void *);
    void *arg;
    hale_co *waiter;
    hale_pool *home;
    _Atomic int done;
} call_msg;

static void call_back(hale_msg *m) {
    call_msg *c = (call_msg *)((char *)m - offsetof(call_msg, back));
    atomic_store_explicit(&c->done, 1, memory_order_release);
    if (c->waiter) {
        hale_wake(c->waiter);
    }
}

static void call_run(hale_msg *m) {
    call_msg *c = (call_msg *)m;
    /* a message runs between coroutines: no frames of anyone's underneath */
    hale_locus_frame *saved = hale_tls_frame;
    hale_tls_frame = NULL;
    c->fn(c->arg);
    hale_tls_frame = saved;
    if (!c->home || hale_post(c->home, &c->back) != 0) {
        atomic_store_explicit(&c->done, 1, memory_order_release);
    }
}

void hale_place_call(hale_pool *pool, void (*fn)(void *), void *arg) {
    if (pool == hale_pool_current()) {
        fn(arg);
        return;
    }
    call_msg c;
    memset(&c, 0, sizeof c);
    c.msg.fn = call_run;
    c.back.fn = call_back;
    c.fn = fn;
    c.arg = arg;
    c.waiter = hale_co_self();
    c.home = hale_pool_current();
    atomic_init(&c.done, 0);
    if (hale_post(pool, &c.msg) != 0) {
        fn(arg); /* that pool has shut down: nothing else can be running its loci */
        return;
    }
    wait_flag(&c.done, NULL, NULL);
}
