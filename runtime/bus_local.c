/* The bus's per-thread state: the same-thread queue that makes a publish from inside a handler
 * run after that handler returns, and the bookkeeping that lets handlers unsubscribe anything,
 * themselves included, while a fan-out is walking the subscriber list.
 *
 * Queue. Deliveries to subscribers on the publishing thread go into one FIFO per thread; at a
 * settle point (the publishing function's return, a park, the outermost handler's return) the
 * thread runs the FIFO to empty (a handler run from it that publishes appends to the same FIFO),
 * so publish chains are breadth-first and the stack never grows with them. Each record is also
 * linked into its subscription's own queue, which is what a subscriber bound counts and what
 * drop_old drops from.
 *
 * Zombies. A fan-out copies the subscriber pointers it will call into a scratch array and holds
 * no references. A subscription unsubscribed meanwhile is marked dead (the fan-out skips it) and
 * parked on the thread's zombie list; its registry reference is released when no bus frame on
 * the thread is left (`active` back to 0). */
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bus_impl.h"
#include "fatal.h"
#include "region.h"

_Thread_local bus_thread *hbus_tl;
_Thread_local int hale_bus_tl_frames;
static pthread_key_t bt_key;
static pthread_once_t bt_once = PTHREAD_ONCE_INIT;

static bus_rec *pop(bus_thread *bt);
static void drop_queue_ref(bus_sub *s);

static void bt_exit(void *p) {
    bus_thread *bt = p;
    bus_rec *r;
    while ((r = pop(bt))) { /* a thread that ends with deliveries queued drops them */
        bus_sub *s = r->sub;
        if (!r->tomb) {
            bus_count(s->topic->id, BUS_C_DROPPED, 1);
        }
        hbus_rec_free(r);
        drop_queue_ref(s);
    }
    bt->active = 0;
    hbus_thread_leave(bt);
    if (bt->efd >= 0) {
        close(bt->efd);
    }
    hale_sys_free(bt);
    hbus_tl = NULL;
}

static void bt_make_key(void) {
    if (pthread_key_create(&bt_key, bt_exit) != 0) {
        hale_fatal("bus: cannot create the thread key");
    }
}

bus_thread *hbus_thread_new(void) {
    pthread_once(&bt_once, bt_make_key);
    bus_thread *bt = hale_sys_calloc(1, sizeof *bt);
    if (!bt) {
        hale_oom(sizeof *bt, "bus thread state");
    }
    bt->efd = -1;
    pthread_setspecific(bt_key, bt);
    hbus_tl = bt;
    return bt;
}

/* ---- frames ---- */

int hbus_frame_kind(bus_thread *bt) {
    hale_co *co = bus_co_self();
    for (bus_frame *f = bt->frames; f; f = f->older) {
        if (f->co == co) {
            return f->kind;
        }
    }
    return BUS_FRAME_NONE;
}

bool hale_bus_deferring(void) {
    bus_thread *bt = hbus_tl;
    return bt && bt->frames && bus_in_handler(bt);
}

/* ---- zombies ---- */

void hbus_zombie(bus_thread *bt, bus_sub *s) {
    s->zombie_next = bt->zombies;
    bt->zombies = s;
}

void hbus_thread_leave(bus_thread *bt) {
    while (bt->active == 0 && bt->zombies) {
        bus_sub *s = bt->zombies;
        bt->zombies = s->zombie_next;
        hbus_sub_release(s); /* the registry's reference */
    }
}

/* ---- the queue ---- */

static void sub_queue_unlink_head(bus_sub *s, bus_rec *r) {
    if (s->lq_head == r) {
        s->lq_head = r->sub_next;
        if (!s->lq_head) {
            s->lq_tail = NULL;
        }
        s->lq_len--;
    }
}

/* Drops the subscription's oldest queued record (drop_old): it stays in the thread queue as a
 * tombstone until the queue reaches it. */
static void drop_oldest(bus_sub *s) {
    bus_rec *r = s->lq_head;
    if (r) {
        sub_queue_unlink_head(s, r);
        r->tomb = true;
        bus_count(s->topic->id, BUS_C_DROPPED, 1);
    }
}

/* Applies the subscription's bound to a new delivery: false when it is dropped (drop_new). */
static bool admit(bus_sub *s) {
    if (s->bound > 0 && s->lq_len >= s->bound) {
        if (s->drop == HALE_BUS_DROP_NEW) {
            hbus_drop(s->topic, "dropped (subscriber bound, drop_new)");
            return false;
        }
        drop_oldest(s);
    }
    return true;
}

static void queue_rec(bus_thread *bt, bus_sub *s, bus_rec *r) {
    if (s->lq_refs++ == 0) {
        atomic_fetch_add_explicit(&s->rc, 1, memory_order_relaxed);
    }
    if (bt->q_tail) {
        bt->q_tail->next = r;
    } else {
        bt->q_head = r;
    }
    bt->q_tail = r;
    bt->q_len++;
    if (s->lq_tail) {
        s->lq_tail->sub_next = r;
    } else {
        s->lq_head = r;
    }
    s->lq_tail = r;
    s->lq_len++;
}

void hbus_local_enqueue(bus_thread *bt, bus_sub *s, const void *payload, bus_lend *lend) {
    if (admit(s)) {
        queue_rec(bt, s, lend ? hbus_rec_new_lent(s, payload, lend) : hbus_rec_new(s, payload));
    }
}

void hbus_local_enqueue_solo(bus_thread *bt, bus_sub *s, const void *payload) {
    if (admit(s)) {
        bus_rec *r = hbus_rec_new_solo(bt, s, payload);
        queue_rec(bt, s, r ? r : hbus_rec_new(s, payload));
    }
}

static bus_rec *pop(bus_thread *bt) {
    bus_rec *r = bt->q_head;
    if (r) {
        bt->q_head = r->next;
        if (!bt->q_head) {
            bt->q_tail = NULL;
        }
        bt->q_len--;
        if (!r->tomb) {
            sub_queue_unlink_head(r->sub, r);
        }
    }
    return r;
}

/* A record of `s` left the thread queue: the last one gives back the queue's reference. */
static void drop_queue_ref(bus_sub *s) {
    if (--s->lq_refs == 0) {
        hbus_sub_release(s);
    }
}

/* Runs one queued record (or discards a tombstone) and drops its reference. */
static void run_one(bus_thread *bt, bus_rec *r) {
    bus_sub *s = r->sub;
    if (r->tomb) {
        hbus_rec_free(r);
    } else {
        hbus_deliver_rec(bt, r); /* frees r; counts a dead subscription's record as dropped */
    }
    drop_queue_ref(s);
}

void hale_bus_settle_point(void) {
    bus_thread *bt = hbus_tl;
    if (bt && (bt->q_head || bt->zombies)) {
        hbus_settle(bt);
    }
}

void hbus_settle(bus_thread *bt) {
    if (!bt->q_head || !bus_may_settle(bt)) {
        hbus_thread_leave(bt);
        return;
    }
    bus_frame f;
    bus_frame_push(bt, &f, BUS_FRAME_SETTLE);
    bt->active++;
    bus_rec *r;
    while ((r = pop(bt))) {
        run_one(bt, r);
    }
    bt->active--;
    bus_frame_pop(bt, &f);
    hbus_thread_leave(bt);
}

/* Backpressure on the same thread: run the oldest half of the queue now. Nested at most a few
 * levels (a handler run here may publish into a full queue again); past that the queue simply
 * grows. */
bool hbus_local_drain_inline(bus_thread *bt) {
    if (bt->inline_depth >= 4 || !bt->q_head) {
        return false;
    }
    bt->inline_depth++;
    bt->active++;
    int64_t n = bt->q_len / 2 + 1;
    bus_rec *r;
    while (n-- > 0 && (r = pop(bt))) {
        run_one(bt, r);
    }
    bt->active--;
    bt->inline_depth--;
    return true;
}

void hbus_local_purge(bus_sub *s) {
    int64_t n = 0;
    while (s->lq_head) {
        bus_rec *r = s->lq_head;
        sub_queue_unlink_head(s, r);
        r->tomb = true;
        n++;
    }
    if (n) {
        bus_count(s->topic->id, BUS_C_DROPPED, n);
    }
}

void hbus_local_flush_sub(bus_thread *bt, bus_sub *s) {
    bt->active++;
    while (s->lq_head) {
        bus_rec *r = s->lq_head;
        sub_queue_unlink_head(s, r);
        r->tomb = true; /* the thread queue frees it when it gets there */
        if (!atomic_load_explicit(&s->dead, memory_order_relaxed)) {
            hbus_call_rec(bt, r);
        }
    }
    bt->active--;
}
