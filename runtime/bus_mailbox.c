/* Cross-thread delivery: each subscription's mailbox, drained on its own pool.
 *
 * A publisher on another thread appends a copy to the subscription's mailbox and, when the
 * mailbox was idle, posts the subscription's one embedded drain message to its pool
 * (scheduler.h): no allocation per message, one wakeup per burst rather than per message.
 * Whoever flips `mb_scheduled` from false to true posts the drain and owns it (and a reference
 * to the subscription); the drain runs until the mailbox is empty, clears the flag, looks once
 * more, and yields to its pool after a budget so one busy topic cannot starve the pool's other
 * work.
 *
 * Two kinds of mailbox. Most subscriptions are unbounded: their mailbox is a lock-free MPSC
 * queue (mpsc.h), so a publish is an exchange and a store, and publishers never contend with the
 * consumer on a lock. Its length is pushed - popped, with `popped` published by the consumer
 * every few messages, close enough for the capacity check. A subscription with a bound (its own
 * `bounded(N, drop_old|drop_new)` or its topic's `bounded(N)`) keeps a FIFO under a mutex
 * instead, so its length is exact and drop_old can drop from the front.
 *
 * Room. A mailbox over its limit (its topic's bound for `or wait`, HALE_BUS_MAILBOX_CAP for
 * every mailbox) makes publishers wait: a waiter registers under the mailbox lock and is woken
 * when the consumer makes room. A coroutine parks; ordinary code on a pool thread waits on the
 * thread's eventfd through hale_wait_fd, which keeps that pool's loop running (so two pools
 * flooding each other still make progress); a thread with no pool blocks in poll. */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bus_impl.h"
#include "fatal.h"

#define DRAIN_BUDGET 1024
#define POPPED_EVERY 64
#define WAIT_SLICE_NS ((int64_t)10 * 1000 * 1000)

struct bus_waiter {
    bus_waiter *next;
    hale_co *co; /* NULL: wake through `efd` */
    int efd;
    _Atomic int state; /* 0 registered, 1 taken by a waker, 2 the waker is done with it */
};

hale_line_counter hbus_busy_mailboxes;

static void drain_cb(hale_msg *m);

void hbus_mailbox_init(bus_sub *s, bool locked) {
    s->mb_locked = locked;
    pthread_mutex_init(&s->mb_lock, NULL);
    hale_mpsc_init(&s->mbq);
    s->drain_msg.fn = drain_cb;
}

void hbus_mailbox_destroy(bus_sub *s) {
    pthread_mutex_destroy(&s->mb_lock);
}

static bus_rec *rec_of(hale_mpsc_node *n) {
    return n ? (bus_rec *)((char *)n - offsetof(bus_rec, node)) : NULL;
}

/* ---- waking ---- */

/* Under the mailbox lock: takes every waiter off the subscription. */
static bus_waiter *take_waiters(bus_sub *s) {
    bus_waiter *w = s->waiters;
    s->waiters = NULL;
    for (bus_waiter *x = w; x; x = x->next) {
        atomic_store_explicit(&x->state, 1, memory_order_relaxed);
        atomic_fetch_sub(&s->nwaiters, 1);
    }
    return w;
}

/* After the lock: wakes what take_waiters took. A waiter's memory is its own once state is 2. */
static void wake_all(bus_waiter *w) {
    while (w) {
        bus_waiter *next = w->next;
        if (w->co) {
            hale_wake(w->co);
        } else {
            uint64_t one = 1;
            ssize_t n;
            do {
                n = write(w->efd, &one, sizeof one);
            } while (n < 0 && errno == EINTR);
        }
        atomic_store_explicit(&w->state, 2, memory_order_release);
        w = next;
    }
}

static void wake_if_waiting(bus_sub *s) {
    if (atomic_load(&s->nwaiters) > 0) {
        pthread_mutex_lock(&s->mb_lock);
        bus_waiter *w = take_waiters(s);
        pthread_mutex_unlock(&s->mb_lock);
        wake_all(w);
    }
}

/* Consumer (lock-free kind): makes the pops so far visible to publishers' capacity checks. */
static void publish_popped(bus_sub *s) {
    atomic_store(&s->mb_popped, s->mb_popped_local);
    wake_if_waiting(s);
}

/* ---- scheduling the drain ---- */

/* The pool refused the drain (it has shut down): from now on deliveries to `s` are drops. */
static void post_failed(bus_sub *s) {
    atomic_store(&s->mb_dead_pool, true); /* mb_scheduled stays set: nobody posts again */
    atomic_fetch_sub(&hbus_busy_mailboxes.n, 1);
    wake_if_waiting(s);
    hbus_sub_release(s);
}

static void schedule(bus_sub *s) {
    /* Most pushes find a drain already scheduled: a plain read then, not a locked exchange on
     * a line the consumer owns. The drain clears the flag and then looks at the mailbox again;
     * the push before this read, the read, the clear and that look are all seq_cst, so either
     * the look sees this push or this read sees the cleared flag (and the exchange below,
     * which only one pusher wins, posts the drain). */
    if (atomic_load_explicit(&s->mb_scheduled, memory_order_seq_cst)) {
        return;
    }
    if (!atomic_exchange_explicit(&s->mb_scheduled, true, memory_order_seq_cst)) {
        atomic_fetch_add_explicit(&s->rc, 1, memory_order_relaxed); /* the drain's */
        atomic_fetch_add(&hbus_busy_mailboxes.n, 1);
        if (!s->slice->pool || hale_post(s->slice->pool, &s->drain_msg) != 0) {
            post_failed(s); /* a thread with no pool cannot be reached from another thread */
        }
    }
}

/* ---- pushing ---- */

static int push_locked(bus_sub *s, const void *payload) {
    bus_rec *old = NULL;
    pthread_mutex_lock(&s->mb_lock);
    if (s->bound > 0 && s->mb_len >= s->bound) {
        if (s->drop == HALE_BUS_DROP_NEW) {
            pthread_mutex_unlock(&s->mb_lock);
            hbus_drop(s->topic, "dropped (subscriber bound, drop_new)");
            return BUS_PUSH_OK;
        }
        old = s->mb_head;
        s->mb_head = old->next;
        if (!s->mb_head) {
            s->mb_tail = NULL;
        }
        s->mb_len--;
    }
    bus_rec *r = hbus_rec_new(s, payload);
    if (s->mb_tail) {
        s->mb_tail->next = r;
    } else {
        s->mb_head = r;
    }
    s->mb_tail = r;
    s->mb_len++;
    bool over = s->bound == 0 && s->mb_len > hbus_cfg.mailbox_cap;
    pthread_mutex_unlock(&s->mb_lock);
    if (old) {
        hbus_rec_free(old);
        bus_count(s->topic->id, BUS_C_DROPPED, 1);
    }
    schedule(s);
    return over ? BUS_PUSH_OVER_CAP : BUS_PUSH_OK;
}

int hbus_mailbox_push(bus_sub *s, const void *payload) {
    if (atomic_load_explicit(&s->mb_dead_pool, memory_order_relaxed)) {
        bus_count(s->topic->id, BUS_C_DROPPED, 1);
        return BUS_PUSH_OK;
    }
    if (s->mb_locked) {
        return push_locked(s, payload);
    }
    bus_rec *r = hbus_rec_new(s, payload);
    hale_mpsc_push(&s->mbq, &r->node);
    /* publishers to this subscription are serialized by its slice's lock: no read-modify-write */
    int64_t pushed = atomic_load_explicit(&s->mb_pushed, memory_order_relaxed) + 1;
    atomic_store_explicit(&s->mb_pushed, pushed, memory_order_relaxed);
    schedule(s);
    int64_t len = pushed - atomic_load_explicit(&s->mb_popped, memory_order_relaxed);
    return len > hbus_cfg.mailbox_cap ? BUS_PUSH_OVER_CAP : BUS_PUSH_OK;
}

int64_t hbus_mailbox_len(bus_sub *s) {
    if (!s->mb_locked) {
        return atomic_load(&s->mb_pushed) - atomic_load(&s->mb_popped);
    }
    pthread_mutex_lock(&s->mb_lock);
    int64_t n = s->mb_len;
    pthread_mutex_unlock(&s->mb_lock);
    return n;
}

/* ---- consuming (the subscription's own thread) ---- */

/* Locked kind: takes the whole FIFO (room for publishers at once). */
static bus_rec *take_all(bus_sub *s) {
    pthread_mutex_lock(&s->mb_lock);
    bus_rec *list = s->mb_head;
    s->mb_head = s->mb_tail = NULL;
    s->mb_len = 0;
    bus_waiter *w = list ? take_waiters(s) : NULL;
    pthread_mutex_unlock(&s->mb_lock);
    wake_all(w);
    return list;
}

static void deliver_one(bus_thread *bt, bus_rec *r) {
    hbus_deliver_rec(bt, r);
    hbus_settle(bt);
}

/* Runs up to `budget` deliveries that are in the mailbox now; returns how many ran. */
static int64_t run_some(bus_thread *bt, bus_sub *s, int64_t budget) {
    int64_t n = 0;
    if (s->mb_locked) {
        bus_rec *list = take_all(s);
        while (list) {
            bus_rec *next = list->next;
            deliver_one(bt, list);
            list = next;
            n++;
        }
        return n;
    }
    bus_rec *r;
    while (n < budget && (r = rec_of(hale_mpsc_pop(&s->mbq)))) {
        if (++s->mb_popped_local % POPPED_EVERY == 0) {
            publish_popped(s);
        }
        deliver_one(bt, r);
        n++;
    }
    return n;
}

static bool mailbox_nonempty(bus_sub *s) {
    if (!s->mb_locked) {
        return !hale_mpsc_empty(&s->mbq);
    }
    pthread_mutex_lock(&s->mb_lock);
    bool any = s->mb_head != NULL;
    pthread_mutex_unlock(&s->mb_lock);
    return any;
}

static void drain_cb(hale_msg *m) {
    bus_sub *s = (bus_sub *)((char *)m - offsetof(bus_sub, drain_msg));
    bus_thread *bt = bus_thread_self();
    bus_frame root;
    bus_frame_push(bt, &root, BUS_FRAME_ROOT);
    s->draining = true;
    int64_t handled = 0;
    for (;;) {
        int64_t n = run_some(bt, s, DRAIN_BUDGET - handled);
        handled += n;
        if (handled >= DRAIN_BUDGET) { /* still scheduled: come back after the pool's other work */
            if (!s->mb_locked) {
                publish_popped(s);
            }
            s->draining = false;
            bus_frame_pop(bt, &root);
            if (hale_post(s->slice->pool, &s->drain_msg) != 0) {
                post_failed(s);
            }
            return;
        }
        if (n > 0) {
            continue;
        }
        if (!s->mb_locked) {
            publish_popped(s);
        }
        atomic_exchange_explicit(&s->mb_scheduled, false, memory_order_seq_cst);
        atomic_fetch_sub(&hbus_busy_mailboxes.n, 1);
        if (mailbox_nonempty(s) &&
            !atomic_exchange_explicit(&s->mb_scheduled, true, memory_order_acq_rel)) {
            atomic_fetch_add(&hbus_busy_mailboxes.n, 1); /* a push raced the flag: keep going */
            continue;
        }
        s->draining = false;
        bus_frame_pop(bt, &root);
        hbus_sub_release(s); /* the drain's reference */
        return;
    }
}

void hbus_mailbox_run(bus_sub *s) {
    if (s->draining) {
        return; /* the drain is on the stack below us and will get to it */
    }
    bus_thread *bt = bus_thread_self();
    s->draining = true;
    while (run_some(bt, s, INT64_MAX) > 0) {
    }
    if (!s->mb_locked) {
        publish_popped(s);
    }
    s->draining = false;
}

void hbus_mailbox_purge(bus_sub *s) {
    int64_t n = 0;
    if (s->mb_locked) {
        for (bus_rec *list = take_all(s); list;) {
            bus_rec *next = list->next;
            hbus_rec_free(list);
            list = next;
            n++;
        }
    } else {
        bus_rec *r;
        while ((r = rec_of(hale_mpsc_pop(&s->mbq)))) {
            hbus_rec_free(r);
            s->mb_popped_local++;
            n++;
        }
        publish_popped(s);
    }
    wake_if_waiting(s); /* they will find the subscription dead */
    if (n) {
        bus_count(s->topic->id, BUS_C_DROPPED, n);
    }
}

/* ---- waiting for room ---- */

static int thread_efd(void) {
    bus_thread *bt = bus_thread_self();
    if (bt->efd < 0) {
        bt->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (bt->efd < 0) {
            hale_fatal("bus: eventfd: %s", strerror(errno));
        }
    }
    return bt->efd;
}

/* Under the mailbox lock, after announcing a waiter: is there room (or no point waiting)? */
static bool room_locked(bus_sub *s, int64_t limit) {
    if (atomic_load(&s->dead) || atomic_load(&s->mb_dead_pool)) {
        return true;
    }
    int64_t len =
        s->mb_locked ? s->mb_len : atomic_load(&s->mb_pushed) - atomic_load(&s->mb_popped);
    return len < limit;
}

int hbus_wait_room(bus_sub *s, int64_t limit) {
    hale_co *co = hale_co_self();
    int efd = co ? -1 : thread_efd();
    int result = 0;
    for (;;) {
        bus_waiter w = {.next = NULL, .co = co, .efd = efd};
        atomic_init(&w.state, 0);
        pthread_mutex_lock(&s->mb_lock);
        atomic_fetch_add(&s->nwaiters, 1); /* before the check: the consumer looks after popping */
        if (room_locked(s, limit)) {
            atomic_fetch_sub(&s->nwaiters, 1);
            pthread_mutex_unlock(&s->mb_lock);
            break;
        }
        w.next = s->waiters;
        s->waiters = &w;
        pthread_mutex_unlock(&s->mb_lock);
        int r = 0;
        if (co) {
            r = hale_park();
        } else {
            hale_wait_fd(efd, HALE_READABLE, WAIT_SLICE_NS);
            uint64_t v;
            while (read(efd, &v, sizeof v) < 0 && errno == EINTR) {
            }
        }
        pthread_mutex_lock(&s->mb_lock);
        if (atomic_load_explicit(&w.state, memory_order_relaxed) == 0) {
            for (bus_waiter **pp = &s->waiters; *pp; pp = &(*pp)->next) {
                if (*pp == &w) {
                    *pp = w.next;
                    break;
                }
            }
            atomic_fetch_sub(&s->nwaiters, 1);
            atomic_store_explicit(&w.state, 2, memory_order_relaxed);
        }
        pthread_mutex_unlock(&s->mb_lock);
        while (atomic_load_explicit(&w.state, memory_order_acquire) != 2) {
            sched_yield(); /* a waker has taken us and is about to wake us */
        }
        if (r < 0) {
            result = -1;
            break;
        }
    }
    hbus_sub_release(s); /* the caller's pin */
    return result;
}
