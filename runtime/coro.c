/* Coroutines on a pool: spawn, resume, park, wake, cancel, and the waiting calls built on them
 * (hale_sleep, hale_wait_fd, hale_yield). See scheduler.h for the contract.
 *
 * Everything about a coroutine happens on its pool's thread. Wakes and cancels from other
 * threads travel as messages through the pool's inbox, so coroutine state needs no locks.
 *
 * A coroutine waits on one thing at a time, so each carries one ev_timer and one ev_io of its
 * own: parking never allocates, and the ev_io stays armed between waits on the same fd. Finished
 * coroutines keep their stack, scratch and struct on the pool's free lists, so a connection that
 * comes and goes costs no system call for its stack.
 *
 * Sanitizers: AddressSanitizer must be told before every switch which stack is about to run
 * (__sanitizer_start/finish_switch_fiber) and ThreadSanitizer which fiber
 * (__tsan_switch_to_fiber); both happen in switch_to() right before the machine switch, and a
 * coroutine's final switch lets ASan free its fake stack. */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>

#include "fatal.h"
#include "guard.h"
#include "sched_impl.h"
#include "std.h"

_Static_assert(HALE_ECANCELED == ECANCELED, "HALE_ECANCELED must be the system's ECANCELED");
_Static_assert(HALE_EINTR == EINTR, "HALE_EINTR must be the system's EINTR");

#define CONTAINER(ptr, type, field) ((type *)((char *)(ptr)-offsetof(type, field)))

/* ---- switching ---- */

_Thread_local struct hale_locus_frame *hale_tls_frame;

/* Scheduler -> coroutine. Returns when the coroutine parks, yields or ends. */
static void resume(hale_pool *p, hale_co *co) {
    p->current = co;
    co->state = CO_RUNNING;
    hale_scratch *prev = hale_scratch_set_current(co->scratch);
    struct hale_locus_frame *outer = hale_tls_frame;
    hale_tls_frame = co->frame;
    hale_origin *outer_origin = hale_tls_origin; /* guard.h: per coroutine too */
    hale_tls_origin = co->origin;
    counter_bump(&p->switches);
#ifdef HALE_ASAN
    void *fake = NULL;
    __sanitizer_start_switch_fiber(&fake, co->stack->lo, co->stack->size);
#endif
#ifdef HALE_TSAN
    __tsan_switch_to_fiber(co->tsan_fiber, 0);
#endif
    hale_exec_ctx_switch(&p->sched_ctx, &co->ctx);
#ifdef HALE_ASAN
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
    co->frame = hale_tls_frame;
    hale_tls_frame = outer;
    co->origin = hale_tls_origin;
    hale_tls_origin = outer_origin;
    hale_scratch_set_current(prev);
    p->current = NULL;
}

/* Coroutine -> scheduler. `final` when the coroutine will never run again. */
static void suspend(hale_pool *p, hale_co *co, bool final) {
#ifdef HALE_ASAN
    __sanitizer_start_switch_fiber(final ? NULL : &co->asan_fake_stack, p->asan_sched_bottom,
                                   p->asan_sched_size);
#else
    (void) final;
#endif
#ifdef HALE_TSAN
    __tsan_switch_to_fiber(p->tsan_thread_fiber, 0);
#endif
    hale_exec_ctx_switch(&co->ctx, &p->sched_ctx);
#ifdef HALE_ASAN
    __sanitizer_finish_switch_fiber(co->asan_fake_stack, &p->asan_sched_bottom,
                                    &p->asan_sched_size);
#endif
}

static void co_main(void *arg) {
    hale_co *co = arg;
    hale_pool *p = co->pool;
#ifdef HALE_ASAN
    __sanitizer_finish_switch_fiber(NULL, &p->asan_sched_bottom, &p->asan_sched_size);
#endif
    co->fn(co->arg);
    hale_sched_settle_now();
    co->state = CO_DONE;
    suspend(p, co, true);
    hale_fatal("a finished coroutine was resumed");
}

/* ---- run queue and live list ---- */

static void ready_push(hale_pool *p, hale_co *co) {
    counter_bump(&p->readied);
    co->state = CO_READY;
    co->next = NULL;
    if (p->ready_tail) {
        p->ready_tail->next = co;
    } else {
        p->ready_head = co;
    }
    p->ready_tail = co;
}

static void live_insert(hale_pool *p, hale_co *co) {
    co->live_prev = NULL;
    co->live_next = p->live;
    if (p->live) {
        p->live->live_prev = co;
    }
    p->live = co;
    p->live_count++;
}

static void live_remove(hale_pool *p, hale_co *co) {
    if (co->live_prev) {
        co->live_prev->live_next = co->live_next;
    } else {
        p->live = co->live_next;
    }
    if (co->live_next) {
        co->live_next->live_prev = co->live_prev;
    }
    p->live_count--;
}

/* ---- lifecycle ---- */

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void io_cb(struct ev_loop *loop, ev_io *w, int revents);

hale_co *hale_co_spawn_local(hale_pool *p, void (*fn)(void *), void *arg) {
    if (atomic_load(&p->closed)) {
        return NULL;
    }
    hale_co *co = p->free_cos;
    if (co) {
        p->free_cos = co->next;
    } else {
        co = hale_sys_calloc(1, sizeof *co);
        if (!co) {
            return NULL;
        }
        co->pool = p;
        co->scratch = hale_scratch_new("coroutine scratch");
        ev_init(&co->timer, timer_cb);
        ev_init(&co->io, io_cb);
    }
    co->stack = hale_stack_cache_get(&p->stacks);
    if (!co->stack) {
        co->next = p->free_cos;
        p->free_cos = co;
        return NULL;
    }
    atomic_store_explicit(&p->stack_maps, p->stacks.maps, memory_order_relaxed);
    atomic_store_explicit(&p->stack_reuses, p->stacks.reuses, memory_order_relaxed);
    co->fn = fn;
    co->arg = arg;
    co->marks[0] = hale_region_mark(hale_scratch_side(co->scratch, 0));
    co->marks[1] = hale_region_mark(hale_scratch_side(co->scratch, 1));
    co->wake_pending = false;
    co->cancelled = p->cancel_new;
    co->interrupted = false;
    co->wait_result = 0;
    co->frame = NULL;
    co->origin = NULL;
    hale_exec_ctx_make(&co->ctx, co->stack->lo, co->stack->size, co_main, co);
#ifdef HALE_TSAN
    /* One fiber per incarnation: reusing a fiber across coroutines makes ThreadSanitizer's
     * memory grow with every reuse. */
    co->tsan_fiber = __tsan_create_fiber(0);
#endif
    co->asan_fake_stack = NULL;
    live_insert(p, co);
    counter_bump(&p->spawned);
    ready_push(p, co);
    return co;
}

static void recycle(hale_pool *p, hale_co *co) {
    ev_io_stop(p->loop, &co->io);
    live_remove(p, co);
    hale_settle_fn before = atomic_load_explicit(&hale_sched_before_reset, memory_order_relaxed);
    if (before) {
        before();
    }
    hale_region_reset(hale_scratch_side(co->scratch, 0), co->marks[0]);
    hale_region_reset(hale_scratch_side(co->scratch, 1), co->marks[1]);
    hale_stack_cache_put(&p->stacks, co->stack);
    co->stack = NULL;
#ifdef HALE_TSAN
    __tsan_destroy_fiber(co->tsan_fiber);
    co->tsan_fiber = NULL;
#endif
    co->next = p->free_cos;
    p->free_cos = co;
    counter_bump(&p->exited);
    if (p->live_count == 0 && p->kind != HALE_POOL_MAIN) {
        hale_pool_went_idle(p);
    }
}

int hale_co_run_ready(hale_pool *p) {
    hale_co *batch = p->ready_head;
    p->ready_head = p->ready_tail = NULL;
    int n = 0;
    while (batch) {
        n++;
        hale_co *co = batch;
        batch = co->next;
        co->next = NULL;
        resume(p, co);
        if (co->state == CO_DONE) {
            recycle(p, co);
        }
        hale_sched_settle_now();
    }
    return n;
}

/* Ends a wait: queues the coroutine with `result`. The io watcher stays armed (see io_cb). */
static void unpark(hale_co *co, int result) {
    hale_pool *p = co->pool;
    ev_timer_stop(p->loop, &co->timer);
    co->wait_result = result;
    ready_push(p, co);
}

/* HALE_READABLE / HALE_WRITABLE <-> libev's EV_READ / EV_WRITE. */
static int to_ev(int events) {
    return (events & HALE_READABLE ? EV_READ : 0) | (events & HALE_WRITABLE ? EV_WRITE : 0);
}

static int from_ev(int revents) {
    return (revents & EV_READ ? HALE_READABLE : 0) | (revents & EV_WRITE ? HALE_WRITABLE : 0);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop;
    (void)revents;
    unpark(CONTAINER(w, hale_co, timer), 0);
}

/* The io watcher is stopped lazily: a coroutine that waits on the same fd again (the next recv
 * of a connection, the next accept of a listener) finds it still armed and costs no epoll_ctl.
 * It is stopped here when it fires while its coroutine is not waiting for it, when the
 * coroutine waits on something else, ends, or closes the fd (hale_fd_closing). */
static void io_cb(struct ev_loop *loop, ev_io *w, int revents) {
    hale_co *co = CONTAINER(w, hale_co, io);
    if (co->state != CO_PARKED || co->park_kind != PARK_IO) {
        ev_io_stop(loop, w);
        return;
    }
    int ev = from_ev(revents);
    unpark(co, ev ? ev : HALE_READABLE);
}

void hale_fd_closing(int fd) {
    hale_co *co = hale_co_self();
    if (co && ev_is_active(&co->io) && co->io.fd == fd) {
        ev_io_stop(co->pool->loop, &co->io);
    }
}

/* Parks the running coroutine; its watchers (if any) are already started. */
static int park(hale_co *co, int kind) {
    co->state = CO_PARKED;
    co->park_kind = kind;
    suspend(co->pool, co, false);
    return co->wait_result;
}

void hale_co_cancel_all(hale_pool *p) {
    p->cancel_new = true;
    for (hale_co *co = p->live; co; co = co->live_next) {
        co->cancelled = true;
        if (co->state == CO_PARKED) {
            unpark(co, -HALE_ECANCELED);
        }
    }
}

void hale_co_free_all(hale_pool *p) {
    while (p->live) {
        hale_co *co = p->live;
        live_remove(p, co);
        ev_timer_stop(p->loop, &co->timer);
        ev_io_stop(p->loop, &co->io);
        hale_stack_cache_put(&p->stacks, co->stack);
#ifdef HALE_TSAN
        __tsan_destroy_fiber(co->tsan_fiber);
        co->tsan_fiber = NULL;
#endif
        co->next = p->free_cos;
        p->free_cos = co;
    }
    while (p->free_cos) {
        hale_co *co = p->free_cos;
        p->free_cos = co->next;
        hale_scratch_free(co->scratch);
        hale_sys_free(co);
    }
    p->ready_head = p->ready_tail = NULL;
    hale_stack_cache_clear(&p->stacks);
}

size_t hale_co_cache_trim(hale_pool *p, size_t keep) {
    size_t n = 0;
    hale_co **pp = &p->free_cos;
    for (size_t i = 0; *pp && i < keep; i++) {
        pp = &(*pp)->next;
    }
    while (*pp) {
        hale_co *co = *pp;
        *pp = co->next;
        hale_scratch_free(co->scratch);
        hale_sys_free(co);
        n++;
    }
    return n;
}

/* ---- public: spawning and identity ---- */

typedef struct {
    hale_msg msg;
    void (*fn)(void *);
    void *arg;
} spawn_msg;

static void spawn_msg_run(hale_msg *m) {
    spawn_msg *sm = (spawn_msg *)m;
    if (!hale_co_spawn_local(hale_tls_pool, sm->fn, sm->arg)) {
        hale_fatal("cannot start a coroutine on pool %s (out of memory or mappings)",
                   hale_tls_pool->name);
    }
    hale_sys_free(sm);
}

hale_co *hale_spawn(hale_pool *p, void (*fn)(void *), void *arg, bool *ok) {
    if (hale_tls_pool == p) {
        hale_co *co = hale_co_spawn_local(p, fn, arg);
        if (ok) {
            *ok = co != NULL;
        }
        return co;
    }
    spawn_msg *sm = hale_sys_malloc(sizeof *sm);
    if (!sm) {
        hale_oom(sizeof *sm, "a scheduler message");
    }
    sm->msg.fn = spawn_msg_run;
    sm->fn = fn;
    sm->arg = arg;
    int r = hale_post(p, &sm->msg);
    if (r != 0) {
        hale_sys_free(sm);
    }
    if (ok) {
        *ok = r == 0;
    }
    return NULL;
}

hale_co *hale_co_self(void) {
    return hale_tls_pool ? hale_tls_pool->current : NULL;
}

hale_pool *hale_co_pool(const hale_co *co) {
    return co->pool;
}

/* ---- public: park / wake / cancel ---- */

/* Runs op(co) on the coroutine's own thread: at once from there, else as a posted call. */
static void on_pool(hale_co *co, void (*op)(void *)) {
    if (hale_tls_pool == co->pool) {
        op(co);
    } else {
        hale_post_call(co->pool, op, co);
    }
}

/* Every wait first refuses at once for a cancel, or for an interrupt that arrived while the
 * coroutine was not waiting; 0 when it may park. */
static int wait_refused(hale_co *co) {
    if (co->cancelled) {
        return -HALE_ECANCELED;
    }
    if (co->interrupted) {
        co->interrupted = false;
        return -HALE_EINTR;
    }
    return 0;
}

int hale_park(void) {
    hale_co *co = hale_co_self();
    if (!co) {
        hale_fatal("hale_park called outside a coroutine");
    }
    int r = wait_refused(co);
    if (r) {
        return r;
    }
    hale_sched_settle_now();
    if (co->wake_pending) {
        co->wake_pending = false;
        return 0;
    }
    return park(co, PARK_WAKE);
}

static void wake_local(void *arg) {
    hale_co *co = arg;
    if (co->state == CO_PARKED && co->park_kind == PARK_WAKE) {
        unpark(co, 0);
    } else {
        co->wake_pending = true;
    }
}

void hale_wake(hale_co *co) {
    on_pool(co, wake_local);
}

static void cancel_local(void *arg) {
    hale_co *co = arg;
    if (co->state == CO_DONE) {
        return;
    }
    co->cancelled = true;
    if (co->state == CO_PARKED) {
        unpark(co, -HALE_ECANCELED);
    }
}

void hale_cancel(hale_co *co) {
    on_pool(co, cancel_local);
}

static void interrupt_local(void *arg) {
    hale_co *co = arg;
    if (co->state == CO_DONE) {
        return;
    }
    if (co->state == CO_PARKED) {
        unpark(co, -HALE_EINTR);
    } else {
        co->interrupted = true;
    }
}

void hale_interrupt(hale_co *co) {
    on_pool(co, interrupt_local);
}

bool hale_cancelled(void) {
    hale_co *co = hale_co_self();
    return co && co->cancelled;
}

/* ---- public: waiting ---- */

void hale_yield(void) {
    hale_pool *p = hale_tls_pool;
    hale_co *co = p ? p->current : NULL;
    if (co) {
        hale_sched_settle_now();
        ready_push(p, co);
        suspend(p, co, false);
    } else if (p) {
        hale_pool_pass(p, false);
    } else {
        sched_yield();
    }
}

static double seconds(int64_t ns) {
    return (double)ns / 1e9;
}

/* Outside a coroutine on a pool thread: keep the pool running until `done` is set. */
typedef struct {
    ev_timer timer;
    ev_io io;
    int result;
    bool done;
} nested_wait;

static void nested_timer_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop;
    (void)revents;
    nested_wait *nw = CONTAINER(w, nested_wait, timer);
    nw->done = true;
}

static void nested_io_cb(struct ev_loop *loop, ev_io *w, int revents) {
    (void)loop;
    nested_wait *nw = CONTAINER(w, nested_wait, io);
    nw->result = from_ev(revents);
    nw->done = true;
}

static int nested(hale_pool *p, int fd, int events, int64_t timeout_ns) {
    nested_wait nw = {.result = 0, .done = false};
    ev_timer_init(&nw.timer, nested_timer_cb, 0, 0);
    ev_io_init(&nw.io, nested_io_cb, fd, 0);
    ev_now_update(p->loop);
    if (timeout_ns >= 0) {
        ev_timer_set(&nw.timer, seconds(timeout_ns), 0);
        ev_timer_start(p->loop, &nw.timer);
    }
    if (fd >= 0) {
        ev_io_set(&nw.io, fd, to_ev(events));
        ev_io_start(p->loop, &nw.io);
    }
    while (!nw.done) {
        hale_pool_pass(p, true);
    }
    ev_timer_stop(p->loop, &nw.timer);
    ev_io_stop(p->loop, &nw.io);
    return nw.result;
}

int hale_sleep(int64_t ns) {
    hale_pool *p = hale_tls_pool;
    hale_co *co = p ? p->current : NULL;
    if (co) {
        int r = wait_refused(co);
        if (r) {
            return r;
        }
        if (ns <= 0) {
            hale_yield();
            return co->cancelled ? -HALE_ECANCELED : 0;
        }
        hale_sched_settle_now();
        ev_now_update(p->loop);
        ev_timer_set(&co->timer, seconds(ns), 0);
        ev_timer_start(p->loop, &co->timer);
        return park(co, PARK_TIMER);
    }
    if (ns <= 0) {
        return 0;
    }
    if (p) {
        nested(p, -1, 0, ns);
        return 0;
    }
    hale_time_sleep(ns);
    return 0;
}

int hale_wait_fd(int fd, int events, int64_t timeout_ns) {
    hale_pool *p = hale_tls_pool;
    hale_co *co = p ? p->current : NULL;
    int evmask = to_ev(events);
    if (co) {
        int r = wait_refused(co);
        if (r) {
            return r;
        }
        hale_sched_settle_now();
        if (!ev_is_active(&co->io) || co->io.fd != fd ||
            (co->io.events & (EV_READ | EV_WRITE)) != evmask) {
            ev_io_stop(p->loop, &co->io);
            ev_io_set(&co->io, fd, evmask);
            ev_io_start(p->loop, &co->io);
        }
        if (timeout_ns >= 0) {
            ev_now_update(p->loop);
            ev_timer_set(&co->timer, seconds(timeout_ns), 0);
            ev_timer_start(p->loop, &co->timer);
        }
        return park(co, PARK_IO);
    }
    if (p) {
        return nested(p, fd, events, timeout_ns < 0 ? -1 : timeout_ns);
    }
    struct pollfd pfd = {.fd = fd,
                         .events = (short)((events & HALE_READABLE ? POLLIN : 0) |
                                           (events & HALE_WRITABLE ? POLLOUT : 0))};
    int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
    int r;
    while ((r = poll(&pfd, 1, ms)) < 0 && errno == EINTR) {
    }
    if (r <= 0) {
        return 0;
    }
    int ev = (pfd.revents & (POLLIN | POLLHUP | POLLERR) ? HALE_READABLE : 0) |
             (pfd.revents & (POLLOUT | POLLERR) ? HALE_WRITABLE : 0);
    return ev ? ev : HALE_READABLE;
}
