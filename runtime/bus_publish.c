/* The publish path: from `Topic <- value` to every subscriber that gets a copy.
 *
 * A publish walks the topic's slices. The publishing thread's own slice is read without a lock
 * and its subscriptions get a copy queued on the thread (bus_local.c), to run at the next settle
 * point in registration order; every other slice is read under its lock and its subscriptions
 * get a copy in their mailboxes. Keyed topics look the key up in each slice's index instead of
 * walking subscribers, then apply on_unmatched when no `where key == K` subscription matched
 * anywhere. A bounded topic first checks that no subscription it would reach is full (refuse,
 * or wait and look again), so a refused publish delivers nothing. The lean path at the end skips
 * all of this for the common one-subscriber, same-thread case. */
#include <string.h>

#include "bus_impl.h"
#include "copy.h"
#include "fatal.h"
#include "region.h"

/* ---- delivery ---- */

void *hbus_copy_block(size_t head, const hale_type *t, const void *v) {
    char *b = hbus_mem_alloc(head + t->size + hale_value_copy_extra(t, v));
    char *bump = b + head + t->size;
    hale_value_copy_bump(t, b + head, v, &bump);
    return b;
}

void hbus_call(bus_thread *bt, bus_sub *s, const void *payload) {
    int id = s->topic->id; /* the handler may unsubscribe s */
    bus_frame f;
    bus_frame_push(bt, &f, BUS_FRAME_HANDLER);
    s->handler(s->locus, payload);
    bus_frame_pop(bt, &f);
    bus_count(id, BUS_C_DELIVERED, 1);
}

/* The copy of a small flat payload, without a call for the common record sizes. */
static inline void copy_flat(void *dst, const void *src, size_t n) {
    switch (n) {
    case 8:
        __builtin_memcpy(dst, src, 8);
        break;
    case 16:
        __builtin_memcpy(dst, src, 16);
        break;
    case 24:
        __builtin_memcpy(dst, src, 24);
        break;
    case 32:
        __builtin_memcpy(dst, src, 32);
        break;
    default:
        memcpy(dst, src, n);
    }
}

bus_rec *hbus_rec_new(bus_sub *s, const void *payload) {
    bus_topic *tp = s->topic;
    bus_rec *r;
    if (tp->flat_small) {
        r = hbus_mem_alloc(BUS_REC_PAYLOAD + tp->size);
        copy_flat(bus_rec_payload(r), payload, tp->size);
    } else {
        r = hbus_copy_block(BUS_REC_PAYLOAD, tp->d->payload, payload);
    }
    r->next = r->sub_next = NULL;
    r->sub = s;
    r->tomb = false;
    r->hold = BUS_REC_OWN;
    return r;
}

void hbus_rec_free(bus_rec *r) {
    if (r->hold != BUS_REC_OWN) {
        hbus_rec_let_go(r);
    }
    hbus_mem_free(r);
}

void hbus_deliver_rec(bus_thread *bt, bus_rec *r) {
    bus_sub *s = r->sub;
    if (atomic_load_explicit(&s->dead, memory_order_relaxed)) {
        bus_count(s->topic->id, BUS_C_DROPPED, 1);
    } else {
        hbus_call_rec(bt, r);
    }
    hbus_rec_free(r);
}

/* ---- publish ---- */

typedef struct {
    bus_topic *tp;
    const void *v;
    bus_key key;
    bool keyed;
    bus_thread *bt;
    void *me;
    bool borrow;     /* HALE_BUS_BORROW from ordinary code: same-thread records may be LENT */
    bus_lend *lend;  /* their lend, made with the first of them */
    int64_t reached; /* subscriptions that got (or queued) a copy */
    bus_sub *pin;    /* a mailbox over its cap: wait on it after the publish */
    bus_sub *full;   /* admission: a full subscription (pinned when foreign) */
} pub;

typedef void (*visit_fn)(pub *p, bus_sub *s, bool local);

/* Calls `fn` on the subscriptions of `sl` the publish reaches: the `where key == K` chain and
 * the unfiltered ones merged in registration order, or (`fallback`) the `where key == _` ones.
 * Returns how many `where key == K` subscriptions matched. Walks the live lists: `fn` must not
 * run handlers. */
static int64_t visit(pub *p, bus_slice *sl, bool fallback, bool local, visit_fn fn) {
    if (fallback) {
        for (bus_sub *s = sl->fb_head; s; s = s->next) {
            p->bt->visited++;
            fn(p, s, local);
        }
        return 0;
    }
    bus_sub *a = sl->all_head;
    bus_sub *k = p->keyed ? bus_index_find(&sl->index, &p->key) : NULL;
    int64_t specific = 0;
    while (a || k) {
        p->bt->visited++;
        if (k && (!a || k->seq < a->seq)) {
            bus_sub *next = k->next;
            specific++;
            fn(p, k, local);
            k = next;
        } else {
            bus_sub *next = a->next;
            fn(p, a, local);
            a = next;
        }
    }
    return specific;
}

static bool sealed_drop(bus_sub *s) {
    if (atomic_load_explicit(&s->sealed, memory_order_relaxed)) {
        bus_count(s->topic->id, BUS_C_DROPPED, 1);
        return true;
    }
    return false;
}

static void queue_fn(pub *p, bus_sub *s, bool local) {
    p->reached++;
    if (sealed_drop(s)) {
        return;
    }
    if (local) {
        if (p->borrow && !p->lend) {
            p->lend = hbus_lend_new(p->bt, p->tp, p->v);
            p->borrow = p->lend != NULL;
        }
        hbus_local_enqueue(p->bt, s, p->v, p->lend);
    } else if (hbus_mailbox_push(s, p->v) == BUS_PUSH_OVER_CAP && !p->pin) {
        atomic_fetch_add_explicit(&s->rc, 1, memory_order_relaxed); /* under the slice lock */
        p->pin = s;
    }
}

/* One pass over every slice: returns the `where key == K` matches. */
static int64_t route(pub *p, bool fallback) {
    bus_topic *tp = p->tp;
    size_t n = atomic_load_explicit(&tp->nslices, memory_order_acquire);
    bus_slice **arr = atomic_load_explicit(&tp->slices, memory_order_acquire);
    int64_t specific = 0;
    for (size_t i = 0; i < n; i++) {
        bus_slice *sl = arr[i];
        if (atomic_load_explicit(&sl->live, memory_order_relaxed) == 0) {
            continue;
        }
        if (sl->owner == p->me) {
            specific += visit(p, sl, fallback, true, queue_fn);
        } else {
            bus_spin_lock(&sl->lock);
            specific += visit(p, sl, fallback, false, queue_fn);
            bus_spin_unlock(&sl->lock);
        }
    }
    return specific;
}

/* ---- admission (bounded topics) ---- */

static void admit_fn(pub *p, bus_sub *s, bool local) {
    int64_t bound = p->tp->d->bound;
    if (p->full || atomic_load_explicit(&s->sealed, memory_order_relaxed) ||
        (s->bound > 0 && s->bound <= bound)) {
        return; /* already found one; or it sheds by itself */
    }
    int64_t pending = local ? s->lq_len : hbus_mailbox_len(s);
    if (pending >= bound) {
        if (!local) {
            atomic_fetch_add_explicit(&s->rc, 1, memory_order_relaxed); /* under the slice lock */
        }
        p->full = s;
    }
}

/* Finds a subscription the publish would overfill. Sets p->full (pinned when foreign) and
 * returns whether it is local. */
static bool find_full(pub *p) {
    bus_topic *tp = p->tp;
    size_t n = atomic_load_explicit(&tp->nslices, memory_order_acquire);
    bus_slice **arr = atomic_load_explicit(&tp->slices, memory_order_acquire);
    p->full = NULL;
    bool any_specific = false;
    for (int pass = 0; pass < 2 && !p->full; pass++) {
        bool fallback = pass == 1;
        if (fallback && (!p->keyed || any_specific || tp->d->on_unmatched != HALE_BUS_FALLBACK)) {
            break;
        }
        for (size_t i = 0; i < n && !p->full; i++) {
            bus_slice *sl = arr[i];
            if (atomic_load_explicit(&sl->live, memory_order_relaxed) == 0) {
                continue;
            }
            bool local = sl->owner == p->me;
            if (!local) {
                bus_spin_lock(&sl->lock);
            }
            if (visit(p, sl, fallback, local, admit_fn) > 0) {
                any_specific = true;
            }
            if (!local) {
                bus_spin_unlock(&sl->lock);
            }
            if (p->full) {
                return local;
            }
        }
    }
    return false;
}

static int admit(pub *p, unsigned flags) {
    for (;;) {
        bool local = find_full(p);
        bus_sub *s = p->full;
        if (!s) {
            return HALE_BUS_OK;
        }
        p->full = NULL;
        if (!(flags & HALE_BUS_WAIT)) {
            if (!local) {
                hbus_sub_release(s);
            }
            bus_count(p->tp->id, BUS_C_REFUSED, 1);
            return HALE_BUS_FULL;
        }
        bus_count(p->tp->id, BUS_C_WAITS, 1);
        if (local) {
            if (!hbus_local_drain_inline(p->bt)) {
                return HALE_BUS_OK; /* cannot run the queue from here: let it grow */
            }
        } else if (hbus_wait_room(s, p->tp->d->bound) != 0) {
            bus_count(p->tp->id, BUS_C_REFUSED, 1);
            return HALE_BUS_FULL; /* cancelled */
        }
    }
}

/* ---- the publish ---- */

static int publish(bus_topic *tp, bus_thread *bt, const void *v, unsigned flags, bool inbound) {
    bus_count(tp->id, inbound ? BUS_C_RECEIVED : BUS_C_PUBLISHED, 1);
    if (atomic_load_explicit(&tp->sealed, memory_order_relaxed)) {
        hbus_drop(tp, "dropped (topic sealed)");
        return HALE_BUS_OK;
    }
    hale_bus_sink_fn sink = inbound ? NULL : atomic_load_explicit(&tp->sink, memory_order_acquire);
    void *me = bus_owner_self(bt);

    if (atomic_load_explicit(&tp->live, memory_order_relaxed) == 0) {
        int st = HALE_BUS_OK;
        if (sink) {
            st = sink(atomic_load(&tp->sink_ctx), tp->id, v, flags);
            bus_count(tp->id, st == HALE_BUS_OK ? BUS_C_SENT : BUS_C_REFUSED, 1);
        } else {
            hbus_drop(tp, "dropped (no subscriber)");
        }
        return st;
    }

    /* a publish from ordinary code is delivered at its function's settle point at the latest,
     * while what HALE_BUS_BORROW says about the payload still holds */
    pub p; /* field by field: a whole-struct zeroing compiles to a slow `rep stos` here */
    p.tp = tp;
    p.v = v;
    p.bt = bt;
    p.me = me;
    p.borrow = (flags & HALE_BUS_BORROW) && bus_may_settle(bt);
    p.lend = NULL;
    p.reached = 0;
    p.pin = p.full = NULL;
    p.key = (bus_key){0};
    p.keyed = tp->key_kind != BUS_KEY_NONE;
    if (p.keyed) {
        bus_key_read(tp->key_kind, (const char *)v + tp->d->key_offset, &p.key);
    }
    if (tp->d->bound > 0) {
        int st = admit(&p, flags);
        if (st != HALE_BUS_OK) {
            return st;
        }
    }
    int st = HALE_BUS_OK;
    int64_t specific = route(&p, false);
    if (p.keyed && specific == 0 && !sink) {
        bus_count(tp->id, BUS_C_UNMATCHED, 1);
        if (hbus_cfg.log_unmatched) {
            hbus_log(tp, "unmatched key", &p.key);
        }
        if (tp->d->on_unmatched == HALE_BUS_FALLBACK) {
            route(&p, true);
        } else if (tp->d->on_unmatched == HALE_BUS_FAIL) {
            st = HALE_BUS_UNMATCHED;
        }
    } else if (p.reached == 0 && !sink) {
        hbus_drop(tp, "dropped (no subscriber)");
    }
    if (p.lend) {
        hbus_lend_put(p.lend);
    }
    if (bt->q_len > hbus_cfg.local_cap) {
        hbus_local_drain_inline(bt); /* backpressure on this thread's queue */
    }
    hbus_thread_leave(bt);
    if (sink) {
        int ss = sink(atomic_load(&tp->sink_ctx), tp->id, v, flags);
        bus_count(tp->id, ss == HALE_BUS_OK ? BUS_C_SENT : BUS_C_REFUSED, 1);
        if (ss != HALE_BUS_OK && st == HALE_BUS_OK) {
            st = ss;
        }
    }
    if (p.pin) {
        bus_count(tp->id, BUS_C_WAITS, 1);
        hbus_wait_room(p.pin,
                       hbus_cfg.mailbox_cap / 2 + 1); /* releases the pin; room for a burst */
    }
    return st;
}

/* The lean path: a publish on the subscriber's own thread, an unbounded topic whose only slice
 * is this thread's, and exactly one subscriber that gets the message (the only one of an
 * unkeyed topic, or the only one with the key): the copy goes straight onto the thread's queue.
 * Everything else goes the general way. Returns false when it does not apply (nothing was
 * done). */
static inline __attribute__((always_inline)) bool lean_publish(bus_topic *tp, bus_thread *bt,
                                                               const void *v, unsigned flags) {
    bus_slice *sl = atomic_load_explicit(&tp->gate, memory_order_acquire);
    hale_pool *pool = hale_tls_pool;
    if (!sl || sl->owner != (pool ? (void *)pool : (void *)bt)) {
        return false; /* only the owner may read the slice without its lock */
    }
    bus_sub *s;
    if (tp->key_kind == BUS_KEY_NONE) {
        s = sl->solo;
        if (!s) {
            return false;
        }
    } else {
        if (sl->all_head || sl->fb_head) {
            return false;
        }
        bus_key k;
        bus_key_read(tp->key_kind, (const char *)v + tp->d->key_offset, &k);
        s = bus_index_find(&sl->index, &k);
        if (!s || s->next || atomic_load_explicit(&s->sealed, memory_order_relaxed)) {
            return false;
        }
    }
    bus_count(tp->id, BUS_C_PUBLISHED, 1);
    if ((flags & HALE_BUS_BORROW) && bus_may_settle(bt)) {
        hbus_local_enqueue_solo(bt, s, v);
    } else {
        hbus_local_enqueue(bt, s, v, NULL);
    }
    if (bt->q_len > hbus_cfg.local_cap) {
        hbus_local_drain_inline(bt); /* backpressure on this thread's queue */
    }
    return true;
}

static inline bus_topic *topic_fast(int id) {
    if (__builtin_expect(!hbus_cfg.topics || id < 0 || (size_t)id >= hbus_cfg.ntopics, 0)) {
        return hbus_topic_at(id); /* fatal */
    }
    return &hbus_cfg.topics[id];
}

int hale_bus_publish(int topic, const void *payload, unsigned flags) {
    bus_topic *tp = topic_fast(topic);
    bus_thread *bt = bus_thread_self();
    if (tp->lean && lean_publish(tp, bt, payload, flags)) {
        return HALE_BUS_OK;
    }
    return publish(tp, bt, payload, flags, false);
}

int hale_bus_inbound(int topic, const void *payload, unsigned flags) {
    return publish(hbus_topic_at(topic), bus_thread_self(), payload, flags, true);
}

void hale_bus_note_direct(int topic, int64_t delivered) {
    bus_topic *tp = hbus_topic_at(topic);
    bus_count(tp->id, BUS_C_PUBLISHED, 1);
    bus_count(tp->id, BUS_C_DELIVERED, delivered);
}
