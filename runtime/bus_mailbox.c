/* Cross-thread delivery: each subscription's mailbox, drained on its own pool.
 *
 * A publisher on another thread appends a copy to the subscription's mailbox (a FIFO under a
 * mutex, so per-publisher order holds and drop_old can drop from the front) and, when the mailbox
 * was idle, posts the subscription's one embedded drain message to its pool (scheduler.h: no
 * allocation per message, one wakeup per batch rather than per message). The drain takes the
 * whole mailbox at once, runs the handlers, and looks again; it yields to the pool after a
 * budget so one busy topic cannot starve the pool's other work.
 *
 * Room. A mailbox over its limit (the topic's bound for `or wait`, HALE_BUS_MAILBOX_CAP for every
 * mailbox) makes publishers wait: a waiter registers on the subscription under the mailbox lock
 * and is woken when the drain takes the mailbox. A coroutine parks; ordinary code on a pool
 * thread waits on the thread's eventfd through hale_wait_fd, which keeps that pool's loop
 * running (so two pools flooding each other still make progress); a thread with no pool
 * blocks in poll. */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bus_impl.h"
#include "fatal.h"

#define DRAIN_BUDGET 1024
#define WAIT_SLICE_NS ((int64_t)10 * 1000 * 1000)

struct bus_waiter {
    bus_waiter *next;
    hale_co *co; /* NULL: wake through `efd` */
    int efd;
    _Atomic int state; /* 0 registered, 1 taken by a waker, 2 the waker is done with it */
};

_Atomic int64_t bus_busy_mailboxes;

/* ---- waking ---- */

/* Under the mailbox lock: takes every waiter off the subscription. */
static bus_waiter *take_waiters(bus_sub *s) {
    bus_waiter *w = s->waiters;
    s->waiters = NULL;
    for (bus_waiter *x = w; x; x = x->next) {
        atomic_store_explicit(&x->state, 1, memory_order_relaxed);
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

/* ---- scheduling the drain ---- */

static void drain_cb(hale_msg *m);

/* The mailbox could not be scheduled (its pool has shut down): drop what is queued. */
static void post_failed(bus_sub *s) {
    pthread_mutex_lock(&s->mb_lock);
    bus_rec *list = s->mb_head;
    s->mb_head = s->mb_tail = NULL;
    int64_t n = s->mb_len;
    s->mb_len = 0;
    s->mb_scheduled = false;
    bus_waiter *w = take_waiters(s);
    pthread_mutex_unlock(&s->mb_lock);
    wake_all(w);
    while (list) {
        bus_rec *next = list->next;
        bus_rec_free(list);
        list = next;
    }
    bus_count(s->topic->id, BUS_C_DROPPED, n);
    atomic_fetch_sub(&bus_busy_mailboxes, 1);
    bus_sub_release(s);
}

int bus_mailbox_push(bus_sub *s, const void *payload) {
    bus_rec *old = NULL;
    int64_t dropped = 0;
    pthread_mutex_lock(&s->mb_lock);
    if (s->bound > 0 && s->mb_len >= s->bound) {
        if (s->drop == HALE_BUS_DROP_NEW) {
            pthread_mutex_unlock(&s->mb_lock);
            bus_count(s->topic->id, BUS_C_DROPPED, 1);
            if (bus_log_drop) {
                bus_log(s->topic, "dropped (subscriber bound, drop_new)", NULL);
            }
            return BUS_PUSH_OK;
        }
        old = s->mb_head;
        s->mb_head = old->next;
        if (!s->mb_head) {
            s->mb_tail = NULL;
        }
        s->mb_len--;
        dropped = 1;
    }
    bus_rec *r = bus_rec_new(s, payload);
    if (s->mb_tail) {
        s->mb_tail->next = r;
    } else {
        s->mb_head = r;
    }
    s->mb_tail = r;
    s->mb_len++;
    bool post = !s->mb_scheduled;
    if (post) {
        s->mb_scheduled = true;
        atomic_fetch_add_explicit(&s->rc, 1, memory_order_relaxed);
        atomic_fetch_add(&bus_busy_mailboxes, 1);
    }
    bool over = s->bound == 0 && s->mb_len > bus_mailbox_cap;
    pthread_mutex_unlock(&s->mb_lock);
    if (old) {
        bus_rec_free(old);
        bus_count(s->topic->id, BUS_C_DROPPED, dropped);
    }
    if (post && hale_post(s->slice->pool, &s->drain_msg) != 0) {
        post_failed(s);
    }
    return over ? BUS_PUSH_OVER_CAP : BUS_PUSH_OK;
}

int64_t bus_mailbox_len(bus_sub *s) {
    pthread_mutex_lock(&s->mb_lock);
    int64_t n = s->mb_len;
    pthread_mutex_unlock(&s->mb_lock);
    return n;
}

/* Takes the whole mailbox; when it is empty and `finish`, marks it idle. */
static bus_rec *take_all(bus_sub *s, bool finish, bool *idle) {
    pthread_mutex_lock(&s->mb_lock);
    bus_rec *list = s->mb_head;
    s->mb_head = s->mb_tail = NULL;
    s->mb_len = 0;
    *idle = false;
    if (!list && finish) {
        s->mb_scheduled = false;
        *idle = true;
    }
    bus_waiter *w = take_waiters(s);
    pthread_mutex_unlock(&s->mb_lock);
    wake_all(w);
    return list;
}

static int64_t run_list(bus_thread *bt, bus_rec *list) {
    int64_t n = 0;
    while (list) {
        bus_rec *next = list->next;
        bus_deliver_rec(bt, list);
        bus_settle(bt);
        list = next;
        n++;
    }
    return n;
}

static void drain_cb(hale_msg *m) {
    bus_sub *s = (bus_sub *)((char *)m - offsetof(bus_sub, drain_msg));
    bus_thread *bt = bus_thread_self();
    s->draining = true;
    int64_t handled = 0;
    for (;;) {
        bool idle;
        bus_rec *list = take_all(s, true, &idle);
        if (idle) {
            s->draining = false;
            atomic_fetch_sub(&bus_busy_mailboxes, 1);
            bus_sub_release(s); /* the scheduled drain's reference */
            return;
        }
        handled += run_list(bt, list);
        if (handled >= DRAIN_BUDGET) {
            s->draining = false; /* still scheduled: come back after the pool's other work */
            if (hale_post(s->slice->pool, &s->drain_msg) != 0) {
                post_failed(s);
            }
            return;
        }
    }
}

void bus_mailbox_init(bus_sub *s) {
    s->drain_msg.fn = drain_cb;
}

void bus_mailbox_run(bus_sub *s) {
    if (s->draining) {
        return; /* the drain is on the stack below us and will get to it */
    }
    bus_thread *bt = bus_thread_self();
    s->draining = true;
    bool idle;
    bus_rec *list;
    while ((list = take_all(s, false, &idle))) {
        run_list(bt, list);
    }
    s->draining = false;
}

void bus_mailbox_purge(bus_sub *s) {
    bool idle;
    bus_rec *list = take_all(s, false, &idle);
    int64_t n = 0;
    while (list) {
        bus_rec *next = list->next;
        bus_rec_free(list);
        list = next;
        n++;
    }
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

int bus_wait_room(bus_sub *s, int64_t limit) {
    hale_co *co = hale_co_self();
    int efd = co ? -1 : thread_efd();
    int result = 0;
    for (;;) {
        bus_waiter w = {.next = NULL, .co = co, .efd = efd};
        atomic_init(&w.state, 0);
        pthread_mutex_lock(&s->mb_lock);
        if (atomic_load(&s->dead) || s->mb_len < limit) {
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
    bus_sub_release(s); /* the caller's pin */
    return result;
}
