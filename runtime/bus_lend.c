/* Same-thread deliveries that borrow the payload's heap parts (HALE_BUS_BORROW; guard.h, and
 * compiler/README.md, "Escapes and the memory posture").
 *
 * Why. A send the escape analysis lowered by reference hands the bus a value whose heap parts
 * stay where the publisher made them (its scratch, its locus's region, or a hoisting ancestor's
 * heap) and stay unchanged until the publishing function returns, which is a settle point:
 * generated code settles there before it resets its scratch. A publish from ordinary code has
 * its same-thread deliveries run there at the latest (or earlier: a park, backpressure, a
 * subscriber's flush), so their records need not copy those parts. Such a *lent* record holds
 * the payload's flat part by value (the send's variable is gone when its block ends) and its
 * heap parts by reference. A publish made inside a handler runs when the outermost handler
 * returns, after the publishing function reset its scratch: it copies, as cross-thread
 * deliveries do.
 *
 * The lend. The records of one publish share one (inside the record itself when the lean path
 * makes the only one): a copy of the send's origin, made current (with `value` set to the
 * record's payload) while each of them runs, so the handler's wrapper knows it was handed the
 * parts themselves and a keep can reference or take them; a count of the records holding it
 * plus the publish's own reference; and, for a hoisted value, its flat part, so the value goes
 * back to the ancestor's heap once the last record is done and no keep took it over (the send
 * leaves that to the lend: hale_origin.lent).
 *
 * Contexts. Only the publishing context (its coroutine, or the thread outside coroutines) runs
 * a lent record as it is: that context cannot reset its scratch while a handler it runs has the
 * parts. Any other context that reaches one (the scheduler's settle after a resume, a coroutine
 * settling the queue while the publisher is parked inside a handler) gives it its own copy
 * first.
 *
 * Materializing. Memory a lent record refers to goes away before the publisher's settle point
 * only through a jump or a teardown: a fault or a stop leaving a hook resets the scratch marks
 * (hale_locus_framed), a finished coroutine's scratch is reset for reuse, a locus's region is
 * freed when it dissolves. Each of those calls hale_bus_materialize first: every lent record
 * still queued on the thread gets a deep copy of the parts in a side block it owns, so it is
 * an ordinary copy from then on (the handler's wrapper counts it as one). Tombstones are left
 * alone: nothing reads their payload. */
#include <string.h>

#include "bus_impl.h"
#include "copy.h"
#include "guard.h"

struct bus_lend {
    hale_origin o;
    const hale_type *t;
    bus_thread *bt;
    hale_co *co;               /* the publishing context */
    int64_t refs;              /* the publish's own, and one per record */
    hale_region *owner_region; /* a hoisted value: its owner's region, and its generation then */
    hale_gen owner_gen;
    bool inside; /* in the block of its only record (a lean publish): freed with it */
};

/* A hoisted value's flat part follows the lend. */
#define LEND_FLAT ((sizeof(bus_lend) + 15) & ~(size_t)15)

static size_t lend_size(const hale_origin *o, const bus_topic *tp) {
    return LEND_FLAT + (o->owner ? tp->size : 0);
}

/* Fills `l` from the send's origin `o` of `v`, which the lend gives back from now on. */
static void lend_init(bus_lend *l, hale_origin *o, bus_thread *bt, bus_topic *tp, const void *v,
                      int64_t refs, bool inside) {
    l->o = *o;
    l->o.lent = false;
    l->t = tp->d->payload;
    l->bt = bt;
    l->co = bus_co_self();
    l->refs = refs;
    l->inside = inside;
    l->owner_region = NULL;
    if (o->owner) {
        l->owner_region = hale_locus_region(o->owner);
        l->owner_gen = hale_region_generation(l->owner_region);
        memcpy((char *)l + LEND_FLAT, v, tp->size);
    }
    o->lent = true;
}

/* The origin describing `v`, the payload of the publish being made, or NULL. */
static hale_origin *origin_of(const void *v) {
    hale_origin *o = hale_tls_origin;
    return o && o->value == v ? o : NULL;
}

bus_lend *hbus_lend_new(bus_thread *bt, bus_topic *tp, const void *v) {
    hale_origin *o = origin_of(v);
    if (!o) {
        return NULL;
    }
    bus_lend *l = hbus_mem_alloc(lend_size(o, tp));
    lend_init(l, o, bt, tp, v, 1, false);
    return l;
}

void hbus_lend_put(bus_lend *l) {
    if (--l->refs > 0) {
        return;
    }
    /* the owner may be gone (a teardown dropping records): its heap went with its region */
    if (l->owner_region && !l->o.taken && hale_region_alive(l->owner_region, l->owner_gen)) {
        hale_value_release(l->t, (char *)l + LEND_FLAT, hale_locus_heap(l->o.owner));
    }
    if (!l->inside) {
        hbus_mem_free(l);
    }
}

/* A LENT record's block: the flat payload, the tail pointer, then `extra` bytes (16-aligned). */
static bus_rec *lent_rec(bus_sub *s, const void *payload, size_t extra, size_t *extra_at) {
    size_t size = s->topic->size, tail = bus_rec_tail_at(size);
    *extra_at = (tail + sizeof(void *) + 15) & ~(size_t)15;
    bus_rec *r = hbus_mem_alloc(*extra_at + extra);
    memcpy(bus_rec_payload(r), payload, size);
    r->next = r->sub_next = NULL;
    r->sub = s;
    r->tomb = false;
    r->hold = BUS_REC_LENT;
    r->tail = (uint32_t)tail;
    return r;
}

bus_rec *hbus_rec_new_lent(bus_sub *s, const void *payload, bus_lend *l) {
    size_t at;
    bus_rec *r = lent_rec(s, payload, 0, &at);
    *bus_rec_tail(r) = l;
    l->refs++;
    l->bt->lent++;
    return r;
}

bus_rec *hbus_rec_new_solo(bus_thread *bt, bus_sub *s, const void *payload) {
    hale_origin *o = origin_of(payload);
    if (!o) {
        return NULL;
    }
    size_t at;
    bus_rec *r = lent_rec(s, payload, lend_size(o, s->topic), &at);
    bus_lend *l = (bus_lend *)((char *)r + at);
    lend_init(l, o, bt, s->topic, payload, 1, true);
    *bus_rec_tail(r) = l;
    bt->lent++;
    return r;
}

void hbus_rec_let_go(bus_rec *r) {
    void **tail = bus_rec_tail(r);
    if (r->hold == BUS_REC_LENT) {
        bus_lend *l = *tail;
        l->bt->lent--;
        hbus_lend_put(l); /* a lend inside r stays readable until r is freed */
    } else {
        hbus_mem_free(*tail);
    }
    r->hold = BUS_REC_OWN;
}

/* The record's own copy of the parts: the flat part is re-pointed at them. */
static void materialize(bus_rec *r) {
    bus_topic *tp = r->sub->topic;
    void *payload = bus_rec_payload(r);
    void **tail = bus_rec_tail(r);
    bus_lend *l = *tail;
    char *side = hbus_copy_block(0, tp->d->payload, payload);
    memcpy(payload, side, tp->size);
    *tail = side;
    r->hold = BUS_REC_SIDE;
    l->bt->lent--;
    hbus_lend_put(l);
}

void hbus_call_rec(bus_thread *bt, bus_rec *r) {
    bus_sub *s = r->sub;
    void *payload = bus_rec_payload(r);
    if (r->hold == BUS_REC_LENT) {
        bus_lend *l = *bus_rec_tail(r);
        if (l->co == bus_co_self()) {
            l->o.value = payload;
            hale_origin *prev = hale_origin_enter(&l->o);
            hbus_call(bt, s, payload); /* r, and so l, outlive the call */
            hale_origin_leave(prev);
            return;
        }
        materialize(r);
    }
    hbus_call(bt, s, payload);
}

void hbus_lend_materialize(bus_thread *bt) {
    for (bus_rec *r = bt->q_head; r && bt->lent > 0; r = r->next) {
        if (r->hold == BUS_REC_LENT && !r->tomb) {
            materialize(r);
        }
    }
}

void hale_bus_materialize(void) {
    bus_thread *bt = hbus_tl;
    if (bt && bt->lent > 0) {
        hbus_lend_materialize(bt);
    }
}
