/* Same-thread deliveries that borrow a payload's parts (HALE_BUS_BORROW, bus_lend.c), on one
 * thread with hand-written types: a publish from ordinary code queues records that hold the
 * parts by reference and hand the send's origin to the handler at the settle point, on the lean
 * path and the general one, without a system allocation in the steady state; a publish from
 * inside a handler copies; hale_bus_materialize and a delivery from another context give the
 * record its own copy (the parts may be gone: ASan poisons a freed region's chunks); a hoisted
 * value goes back to its owner's heap after the last record unless a keep took it, also when a
 * bound drops the record, and never into the heap of an owner that is gone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bus.h"
#include "guard.h"
#include "locus_impl.h"
#include "region.h"
#include "scheduler.h"
#include "test_types.h"

enum { ENTRIES, TRIGGER, NTOPICS };

static const hale_bus_topic_desc table[NTOPICS] = {
    [ENTRIES] = {.name = "Entries", .subject = "entries", .payload = &T_Entry},
    [TRIGGER] = {.name = "Trigger", .subject = "trigger", .payload = &hale_type_int},
};

typedef struct {
    hale_locus h;
    Entry kept;
    hale_guard g;
} holder;

static const hale_locus_type holder_t = {.name = "Holder", .size = sizeof(holder)};
static const hale_locus_type sender_t = {.name = "Sender", .size = sizeof(hale_locus)};

static int setup(void **state) {
    (void)state;
    hale_sched_init(NULL);
    char err[200];
    assert_int_equal(hale_bus_boot(table, NTOPICS, err, sizeof err), 0);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    hale_bus_shutdown();
    hale_sched_shutdown();
    return 0;
}

static holder *new_holder(void) {
    holder proto;
    memset(&proto, 0, sizeof proto);
    return hale_locus_new(&holder_t, NULL, &proto, NULL);
}

static hale_locus *new_sender(hale_locus *parent) {
    hale_locus proto;
    memset(&proto, 0, sizeof proto);
    return hale_locus_new(&sender_t, parent, &proto, NULL);
}

/* What one subscriber saw. */
typedef struct {
    int calls;
    const char *ptr;  /* the name's bytes it was handed */
    char bytes[32];   /* what they said */
    bool origin;      /* hale_origin_of found the send's origin */
    hale_region *reg; /* ... and the region it names */
    holder *keeper;   /* keeps the payload in keeper->kept (hale_guard_keep) */
} seen;

static void on_entry(void *locus, const void *payload) {
    seen *s = locus;
    const Entry *e = payload;
    hale_origin *o = hale_origin_of(payload);
    s->calls++;
    s->ptr = e->name.ptr;
    size_t n = (size_t)e->name.len < sizeof s->bytes - 1 ? (size_t)e->name.len : 0;
    memcpy(s->bytes, e->name.ptr, n);
    s->bytes[n] = 0;
    s->origin = o != NULL;
    s->reg = o ? o->region : NULL;
    if (s->keeper) {
        hale_guard_keep(&T_Entry, &s->keeper->kept, &s->keeper->g, e, o, &s->keeper->h);
    }
}

static hale_bus_sub *sub(int topic, void *locus, hale_bus_handler h) {
    hale_bus_sub_spec sp = {.locus = locus, .handler = h};
    return hale_bus_subscribe(topic, &sp);
}

static hale_bus_sub *sub_bound(void *locus, int64_t bound, hale_bus_drop drop) {
    hale_bus_sub_spec sp = {.locus = locus, .handler = on_entry, .bound = bound, .drop = drop};
    return hale_bus_subscribe(ENTRIES, &sp);
}

/* An Entry whose name lives in `r`. */
static Entry entry_in(hale_region *r, int64_t id, const char *name) {
    size_t n = strlen(name);
    char *p = hale_region_alloc(r, n, 1);
    memcpy(p, name, n);
    return (Entry){id, {p, (int64_t)n}};
}

/* An Entry whose name lives in heap `h`. */
static Entry entry_heap(hale_heap *h, int64_t id, const char *name) {
    size_t n = strlen(name);
    char *p = hale_heap_alloc(h, n);
    memcpy(p, name, n);
    return (Entry){id, {p, (int64_t)n}};
}

/* A send the compiler lowered by reference: its origin current while it publishes. */
static void send(Entry *v, hale_origin *o) {
    o->value = v;
    hale_origin *prev = hale_origin_enter(o);
    hale_bus_publish(ENTRIES, v, HALE_BUS_BORROW);
    hale_origin_leave(prev);
}

/* ---- lent records ---- */

static void lent_from_ordinary_code(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "sender");
    seen a = {0};
    sub(ENTRIES, &a, on_entry); /* one subscriber: the lean path */
    Entry v = entry_in(r, 1, "frame");
    hale_origin o = {.region = r, .gen = hale_region_generation(r), .from = "Sender"};
    send(&v, &o);
    assert_true(o.lent);
    assert_int_equal(a.calls, 0); /* queued until the settle point */
    hale_bus_settle_point();
    assert_int_equal(a.calls, 1);
    assert_ptr_equal(a.ptr, v.name.ptr); /* the parts themselves */
    assert_string_equal(a.bytes, "frame");
    assert_true(a.origin);
    assert_ptr_equal(a.reg, r);

    seen b = {0};
    sub(ENTRIES, &b, on_entry); /* two: the general path, one lend for both records */
    Entry w = entry_in(r, 2, "second");
    hale_origin o2 = {.region = r, .gen = hale_region_generation(r)};
    send(&w, &o2);
    hale_bus_settle_point();
    assert_int_equal(a.calls, 2);
    assert_int_equal(b.calls, 1);
    assert_ptr_equal(a.ptr, w.name.ptr);
    assert_ptr_equal(b.ptr, w.name.ptr);
    assert_true(a.origin && b.origin);

    /* without an origin describing the payload the records copy */
    Entry u = entry_in(r, 3, "plain");
    hale_bus_publish(ENTRIES, &u, HALE_BUS_BORROW);
    hale_bus_settle_point();
    assert_ptr_not_equal(a.ptr, u.name.ptr);
    assert_false(a.origin);
    assert_string_equal(b.bytes, "plain");
    hale_region_free(r);
}

static void steady_state_allocates_nothing(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "sender");
    seen a = {0};
    sub(ENTRIES, &a, on_entry);
    Entry v = entry_in(r, 1, "frame");
    for (int i = 0; i < 100; i++) { /* warm the caches */
        hale_origin o = {.region = r};
        send(&v, &o);
        hale_bus_settle_point();
    }
    int64_t before = hale_diag_heap_alloc_count();
    for (int i = 0; i < 10000; i++) {
        hale_origin o = {.region = r};
        send(&v, &o);
        hale_bus_settle_point();
    }
    assert_int_equal(hale_diag_heap_alloc_count() - before, 0);
    assert_int_equal(a.calls, 10100);
    assert_ptr_equal(a.ptr, v.name.ptr);
    hale_region_free(r);
}

/* A handler's publish runs after the outermost handler returns, when the sending function has
 * reset its scratch: it copies, whatever the flag says. */
static hale_region *trigger_region;

static void on_trigger(void *locus, const void *payload) {
    (void)locus;
    (void)payload;
    Entry v = entry_in(trigger_region, 7, "nested");
    hale_origin o = {.region = trigger_region};
    send(&v, &o);
    assert_false(o.lent);
}

static void handler_publish_copies(void **state) {
    (void)state;
    trigger_region = hale_region_new(NULL, "handler");
    seen a = {0};
    sub(ENTRIES, &a, on_entry);
    sub(TRIGGER, NULL, on_trigger);
    int64_t one = 1;
    hale_bus_publish(TRIGGER, &one, 0);
    hale_bus_settle_point();
    assert_int_equal(a.calls, 1);
    assert_false(a.origin);
    assert_string_equal(a.bytes, "nested");
    hale_region_free(trigger_region);
}

/* ---- copies before the parts go away ---- */

static void materialize_before_the_parts_go(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "scratch");
    seen a = {0}, b = {0};
    sub(ENTRIES, &a, on_entry);
    sub(ENTRIES, &b, on_entry);
    Entry v = entry_in(r, 1, "made here");
    hale_origin o = {.region = r, .gen = hale_region_generation(r)};
    send(&v, &o);
    const char *was = v.name.ptr;
    hale_bus_materialize();
    hale_region_free(r); /* what a jump's reset does to scratch: poisoned under ASan */
    hale_bus_settle_point();
    assert_int_equal(a.calls, 1);
    assert_int_equal(b.calls, 1);
    assert_string_equal(a.bytes, "made here");
    assert_string_equal(b.bytes, "made here");
    assert_ptr_not_equal(a.ptr, was);
    assert_ptr_not_equal(a.ptr, b.ptr); /* each record its own copy */
    assert_false(a.origin || b.origin); /* a copy: the wrapper counts it */
    hale_bus_materialize();             /* nothing queued: a no-op */
}

static void settle_in_coroutine(void *arg) {
    (void)arg;
    hale_bus_settle_point();
}

/* A record the publishing context did not run itself is run by another one (here a coroutine,
 * the publish having been made outside any): it gets its own copy first. */
static void another_context_copies(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "sender");
    seen a = {0};
    sub(ENTRIES, &a, on_entry);
    Entry v = entry_in(r, 1, "elsewhere");
    hale_origin o = {.region = r};
    send(&v, &o);
    hale_spawn(hale_pool_main(), settle_in_coroutine, NULL, NULL);
    assert_int_equal(hale_sched_run(), 0);
    assert_int_equal(a.calls, 1);
    assert_ptr_not_equal(a.ptr, v.name.ptr);
    assert_false(a.origin);
    assert_string_equal(a.bytes, "elsewhere");
    hale_region_free(r);
}

/* ---- hoisted values ---- */

static void hoisted_given_back_after_the_last_record(void **state) {
    (void)state;
    holder *anc = new_holder();
    hale_locus *w = new_sender(&anc->h);
    hale_heap *h = hale_locus_heap(&anc->h);
    seen a = {0}, b = {0};
    sub(ENTRIES, &a, on_entry);
    sub(ENTRIES, &b, on_entry);
    size_t before = h->live_bytes;
    Entry v = entry_heap(h, 1, "hoisted");
    hale_origin o = {.owner = &anc->h, .sender = w};
    send(&v, &o);
    hale_hoist_settle(&T_Entry, &v, &o); /* the lend gives it back, not the send */
    assert_true(h->live_bytes > before);
    hale_bus_settle_point();
    assert_ptr_equal(a.ptr, v.name.ptr);
    assert_ptr_equal(b.ptr, v.name.ptr);
    assert_int_equal(h->live_bytes, before);

    /* kept by its owner: taken over, nothing copied, not given back */
    a.keeper = anc;
    Entry k = entry_heap(h, 2, "kept");
    hale_origin o2 = {.owner = &anc->h, .sender = w};
    int64_t copied = hale_escape_bytes_copied();
    send(&k, &o2);
    hale_hoist_settle(&T_Entry, &k, &o2);
    hale_bus_settle_point();
    assert_ptr_equal(anc->kept.name.ptr, k.name.ptr);
    assert_null(anc->g.r);
    assert_int_equal(hale_escape_bytes_copied(), copied);
    assert_memory_equal(anc->kept.name.ptr, "kept", 4);
    hale_locus_free(w);
    hale_locus_free(&anc->h);
}

static void dropped_records_give_it_back(void **state) {
    (void)state;
    holder *anc = new_holder();
    hale_locus *w = new_sender(&anc->h);
    hale_heap *h = hale_locus_heap(&anc->h);
    seen a = {0};
    hale_bus_sub *s = sub_bound(&a, 1, HALE_BUS_DROP_OLD);
    size_t before = h->live_bytes;
    Entry v1 = entry_heap(h, 1, "first"), v2 = entry_heap(h, 2, "second");
    hale_origin o1 = {.owner = &anc->h, .sender = w}, o2 = {.owner = &anc->h, .sender = w};
    send(&v1, &o1);
    hale_hoist_settle(&T_Entry, &v1, &o1);
    send(&v2, &o2); /* drops the first: a tombstone until the queue reaches it */
    hale_hoist_settle(&T_Entry, &v2, &o2);
    hale_bus_settle_point();
    assert_int_equal(a.calls, 1);
    assert_string_equal(a.bytes, "second");
    assert_int_equal(h->live_bytes, before);
    hale_bus_unsubscribe(s);

    seen n = {0};
    s = sub_bound(&n, 1, HALE_BUS_DROP_NEW);
    Entry v3 = entry_heap(h, 3, "third"), v4 = entry_heap(h, 4, "fourth");
    hale_origin o3 = {.owner = &anc->h, .sender = w}, o4 = {.owner = &anc->h, .sender = w};
    send(&v3, &o3);
    hale_hoist_settle(&T_Entry, &v3, &o3);
    send(&v4, &o4); /* dropped at once: no record holds it, the send gives it back */
    assert_false(o4.lent);
    hale_hoist_settle(&T_Entry, &v4, &o4);
    hale_bus_settle_point();
    assert_int_equal(n.calls, 1);
    assert_string_equal(n.bytes, "third");
    assert_int_equal(h->live_bytes, before);
    hale_bus_unsubscribe(s);
    hale_locus_free(w);
    hale_locus_free(&anc->h);
}

/* The owner dissolves while a record still holds its value: the record was copied first, and
 * nothing is given back into the heap that went with the owner's region. */
static void owner_gone_first(void **state) {
    (void)state;
    holder *anc = new_holder();
    hale_locus *w = new_sender(&anc->h);
    seen a = {0};
    sub(ENTRIES, &a, on_entry);
    Entry v = entry_heap(hale_locus_heap(&anc->h), 1, "orphan");
    hale_origin o = {.owner = &anc->h, .sender = w};
    send(&v, &o);
    hale_hoist_settle(&T_Entry, &v, &o);
    hale_locus_free(w);
    hale_locus_free(&anc->h); /* copies the queued record before the region goes */
    hale_bus_settle_point();
    assert_int_equal(a.calls, 1);
    assert_string_equal(a.bytes, "orphan");
    assert_false(a.origin);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(lent_from_ordinary_code, setup, teardown),
        cmocka_unit_test_setup_teardown(steady_state_allocates_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(handler_publish_copies, setup, teardown),
        cmocka_unit_test_setup_teardown(materialize_before_the_parts_go, setup, teardown),
        cmocka_unit_test_setup_teardown(another_context_copies, setup, teardown),
        cmocka_unit_test_setup_teardown(hoisted_given_back_after_the_last_record, setup, teardown),
        cmocka_unit_test_setup_teardown(dropped_records_give_it_back, setup, teardown),
        cmocka_unit_test_setup_teardown(owner_gone_first, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
