/* The bus across threads, on real pools: per-pair order with several publishers, copies of
 * string payloads on several pools, keyed routing to other pools, bounded topics refusing and
 * waiting (from a coroutine, from ordinary code on a pool, from a thread with no pool), a
 * cancelled waiter, subscriber bounds, the mailbox cap keeping a flood in bounded memory,
 * teardown delivery from pinned publishers (quiesce), and subscriptions changing under a flood.
 * Handlers on worker threads report through atomics; the main thread asserts. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "bus.h"
#include "scheduler.h"

#define MS ((int64_t)1000000)

typedef struct {
    int64_t from;
    int64_t seq;
} Pair;
static const hale_field pair_fields[] = {{"from", offsetof(Pair, from), &hale_type_int},
                                         {"seq", offsetof(Pair, seq), &hale_type_int}};
static const hale_type T_Pair = {.kind = HALE_T_RECORD,
                                 .name = "Pair",
                                 .size = sizeof(Pair),
                                 .align = _Alignof(Pair),
                                 .flat = true,
                                 .fields = pair_fields,
                                 .nfields = 2};

typedef struct {
    int64_t n;
    hale_str text;
} Note;
static const hale_field note_fields[] = {{"n", offsetof(Note, n), &hale_type_int},
                                         {"text", offsetof(Note, text), &hale_type_string}};
static const hale_type T_Note = {.kind = HALE_T_RECORD,
                                 .name = "Note",
                                 .size = sizeof(Note),
                                 .align = _Alignof(Note),
                                 .flat = false,
                                 .fields = note_fields,
                                 .nfields = 2};

enum { PAIRS, NOTES, KEYED, EVT, DONE, NTOPICS };
static const hale_bus_topic_desc table[NTOPICS] = {
    [PAIRS] = {.name = "Pairs", .subject = "pairs", .payload = &T_Pair},
    [NOTES] = {.name = "Notes", .subject = "notes", .payload = &T_Note},
    [KEYED] = {.name = "Keyed",
               .subject = "keyed",
               .payload = &T_Pair,
               .key_type = &hale_type_int,
               .key_offset = offsetof(Pair, from)},
    [EVT] = {.name = "Evt", .subject = "evt", .payload = &T_Pair, .bound = 10},
    [DONE] = {.name = "Done", .subject = "install.done", .payload = &T_Pair},
};

static void boot(void) {
    char err[200];
    assert_int_equal(hale_bus_boot(table, NTOPICS, err, sizeof err), 0);
}

static int setup(void **state) {
    (void)state;
    hale_sched_init(NULL);
    boot();
    return 0;
}

typedef struct Sink Sink;
static void release_held(void);

static int teardown(void **state) {
    (void)state;
    release_held(); /* a failed test must not leave a handler holding its pool */
    hale_bus_shutdown();
    hale_sched_shutdown();
    return 0;
}

static hale_bus_counters counters(int topic) {
    hale_bus_counters c;
    hale_bus_counters_get(topic, &c);
    return c;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Keeps the main pool running until *v >= want (20 s at most). */
static void wait_for(_Atomic int64_t *v, int64_t want) {
    int64_t deadline = now_ns() + 20000 * MS;
    while (atomic_load(v) < want) {
        assert_true(now_ns() < deadline);
        hale_sleep(MS / 2);
    }
}

/* Runs fn(arg) on pool p's thread and waits for it. */
typedef struct {
    void (*fn)(void *);
    void *arg;
    _Atomic int64_t done;
} on_pool_call;

static void on_pool_cb(void *a) {
    on_pool_call *c = a;
    c->fn(c->arg);
    atomic_store(&c->done, 1);
}

static void on_pool(hale_pool *p, void (*fn)(void *), void *arg) {
    on_pool_call c = {.fn = fn, .arg = arg};
    atomic_init(&c.done, 0);
    assert_int_equal(hale_post_call(p, on_pool_cb, &c), 0);
    wait_for(&c.done, 1);
}

/* A subscriber that reports through atomics. `hold` makes its first delivery wait until
 * `release` is set (a consumer that is busy). */
struct Sink {
    hale_pool *pool;
    int topic;
    hale_bus_sub_spec spec;
    hale_bus_sub *sub;
    _Atomic int64_t count;
    _Atomic int64_t last;
    _Atomic int64_t sum;
    _Atomic int64_t errors;
    _Atomic int64_t entered;
    _Atomic int64_t release;
    _Atomic int64_t max_pending;
    bool hold;
    int64_t next_seq[8];
    int64_t unsub_after;
    _Atomic int64_t *sent;
};

static Sink *held[16];
static int nheld;

static void release_held(void) {
    for (int i = 0; i < nheld; i++) {
        atomic_store(&held[i]->release, 1);
    }
    nheld = 0;
}

static void sink_handler(void *locus, const void *payload) {
    Sink *s = locus;
    const Pair *p = payload;
    if (s->hold && atomic_load(&s->count) == 0) {
        atomic_store(&s->entered, 1);
        while (!atomic_load(&s->release)) {
            hale_sleep(MS / 5);
        }
    }
    if (p->from >= 0 && p->from < 8 && s->topic != KEYED) {
        if (p->seq != s->next_seq[p->from]) {
            atomic_fetch_add(&s->errors, 1);
        }
        s->next_seq[p->from] = p->seq + 1;
    }
    if (s->sent) { /* messages published and not yet handled (this one included) */
        int64_t pend = atomic_load(s->sent) - atomic_load(&s->count);
        if (pend > atomic_load(&s->max_pending)) {
            atomic_store(&s->max_pending, pend);
        }
    }
    atomic_store(&s->last, p->seq);
    atomic_fetch_add(&s->sum, p->seq);
    int64_t c = atomic_fetch_add(&s->count, 1) + 1;
    if (s->unsub_after && c == s->unsub_after) {
        hale_bus_unsubscribe(s->sub);
    }
}

static void subscribe_here(void *arg) {
    Sink *s = arg;
    s->spec.locus = s;
    s->spec.handler = sink_handler;
    s->sub = hale_bus_subscribe(s->topic, &s->spec);
}

static void sink_init(Sink *s, hale_pool *pool, int topic) {
    memset(s, 0, sizeof *s);
    s->pool = pool;
    s->topic = topic;
}

static void sink_start(Sink *s) {
    if (s->hold && nheld < 16) {
        held[nheld++] = s;
    }
    if (s->pool == hale_pool_main()) {
        subscribe_here(s);
    } else {
        on_pool(s->pool, subscribe_here, s);
    }
}

/* A subscriber to `topic` on the cooperative pool "slow" that holds its first delivery. */
static void start_held_sink(Sink *s, int topic) {
    sink_init(s, hale_pool_cooperative("slow", NULL), topic);
    s->hold = true;
    sink_start(s);
}

/* ---- publishers ---- */

typedef struct {
    int topic;
    int64_t from;
    int64_t n;
    int64_t first;
    unsigned flags;
    int64_t sleep_first_ns;
    _Atomic int64_t done;
    _Atomic int64_t refused_at; /* first i that was refused, or -1 */
    _Atomic(hale_co *) co;
    _Atomic int64_t *sent; /* counted before each publish */
} Pub;

static void pub_init(Pub *p, int topic, int64_t from, int64_t n) {
    memset(p, 0, sizeof *p);
    p->topic = topic;
    p->from = from;
    p->n = n;
    atomic_store(&p->refused_at, -1);
}

static void pub_run(void *arg) {
    Pub *p = arg;
    atomic_store(&p->co, hale_co_self());
    if (p->sleep_first_ns) {
        hale_sleep(p->sleep_first_ns);
    }
    for (int64_t i = p->first; i < p->n; i++) {
        Pair m = {.from = p->from, .seq = i};
        if (p->sent) {
            atomic_fetch_add(p->sent, 1);
        }
        if (hale_bus_publish(p->topic, &m, p->flags) != HALE_BUS_OK) {
            atomic_store(&p->refused_at, i);
            break;
        }
    }
    atomic_store(&p->done, 1);
}

static void *pub_thread(void *arg) {
    pub_run(arg);
    return NULL;
}

/* ---- order per pair ---- */

static void test_order_per_publisher_pair(void **state) {
    (void)state;
    enum { PUBS = 3, N = 20000 };
    static Sink s;
    sink_init(&s, hale_pool_main(), PAIRS);
    sink_start(&s);
    static Pub p[PUBS];
    for (int i = 0; i < PUBS; i++) {
        pub_init(&p[i], PAIRS, i, N);
        char name[16];
        snprintf(name, sizeof name, "pub%d", i);
        assert_null(hale_spawn(hale_pool_pinned(name, NULL), pub_run, &p[i], NULL));
    }
    assert_int_equal(hale_sched_run(), 0);
    assert_int_equal(atomic_load(&s.count), PUBS * N);
    assert_int_equal(atomic_load(&s.errors), 0);
    for (int i = 0; i < PUBS; i++) {
        assert_int_equal(s.next_seq[i], N);
    }
    hale_bus_counters c = counters(PAIRS);
    assert_int_equal(c.published, PUBS * N);
    assert_int_equal(c.delivered, PUBS * N);
    assert_int_equal(c.dropped, 0);
}

/* ---- string payloads to two pools ---- */

typedef struct {
    int topic;
    _Atomic int64_t count;
    _Atomic int64_t errors;
    hale_bus_sub *sub;
} NoteSink;

static void on_note(void *locus, const void *payload) {
    NoteSink *ns = locus;
    const Note *n = payload;
    char want[32];
    int len = snprintf(want, sizeof want, "note-%lld", (long long)n->n);
    if (n->text.len != len || memcmp(n->text.ptr, want, (size_t)len) != 0) {
        atomic_fetch_add(&ns->errors, 1);
    }
    atomic_fetch_add(&ns->count, 1);
}

static void note_subscribe(void *arg) {
    NoteSink *ns = arg;
    hale_bus_sub_spec sp = {.locus = ns, .handler = on_note};
    ns->sub = hale_bus_subscribe(NOTES, &sp);
}

static void test_string_payloads_to_two_pools(void **state) {
    (void)state;
    enum { N = 2000 };
    static NoteSink a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    on_pool(hale_pool_cooperative("io", NULL), note_subscribe, &a);
    on_pool(hale_pool_cooperative("work", NULL), note_subscribe, &b);
    for (int i = 0; i < N; i++) {
        char text[32];
        int len = snprintf(text, sizeof text, "note-%d", i);
        Note n = {.n = i, .text = {text, len}};
        assert_int_equal(hale_bus_publish(NOTES, &n, 0), HALE_BUS_OK);
        memset(text, '#', sizeof text); /* the copies were taken at publish */
    }
    assert_int_equal(hale_bus_quiesce(20000 * MS), 0);
    assert_int_equal(atomic_load(&a.count), N);
    assert_int_equal(atomic_load(&b.count), N);
    assert_int_equal(atomic_load(&a.errors) + atomic_load(&b.errors), 0);
    assert_int_equal(counters(NOTES).delivered, 2 * N);
}

/* ---- keyed routing to other pools ---- */

static void test_keyed_routing_across_pools(void **state) {
    (void)state;
    static Sink s[4];
    hale_pool *pools[2] = {hale_pool_cooperative("k0", NULL), hale_pool_cooperative("k1", NULL)};
    for (int i = 0; i < 4; i++) {
        sink_init(&s[i], pools[i % 2], KEYED);
        int64_t key = i;
        s[i].spec.match = HALE_BUS_MATCH_KEY;
        s[i].spec.key = &key;
        sink_start(&s[i]);
    }
    for (int r = 0; r < 100; r++) {
        for (int64_t k = 0; k < 5; k++) { /* key 4 matches nobody */
            Pair m = {.from = k, .seq = r};
            hale_bus_publish(KEYED, &m, 0);
        }
    }
    assert_int_equal(hale_bus_quiesce(20000 * MS), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(atomic_load(&s[i].count), 100);
        assert_int_equal(atomic_load(&s[i].last), 99);
    }
    assert_int_equal(counters(KEYED).unmatched, 100);
}

/* ---- bounded topics across threads ---- */

static void test_bounded_refuses_when_a_subscriber_is_full(void **state) {
    (void)state;
    static Sink s;
    start_held_sink(&s, EVT);
    Pair m = {.from = 0, .seq = 0};
    assert_int_equal(hale_bus_publish(EVT, &m, 0), HALE_BUS_OK);
    wait_for(&s.entered, 1); /* m0 is in the handler, the mailbox is empty */
    int64_t i = 1;
    for (;; i++) {
        m.seq = i;
        if (hale_bus_publish(EVT, &m, 0) != HALE_BUS_OK) {
            break;
        }
        assert_true(i < 100);
    }
    assert_int_equal(i, 11); /* one in the handler + the bound of 10 queued */
    atomic_store(&s.release, 1);
    assert_int_equal(hale_bus_quiesce(20000 * MS), 0);
    assert_int_equal(atomic_load(&s.count), 11);
    assert_int_equal(atomic_load(&s.errors), 0);
    hale_bus_counters c = counters(EVT);
    assert_int_equal(c.refused, 1);
    assert_int_equal(c.delivered, 11);
}

/* The publisher of `p` waits on a full topic; the subscriber holds its first message until the
 * bus has counted a wait, then everything must arrive, in order, nothing refused. */
static void check_wait_delivers_everything(Pub *p, Sink *s) {
    int64_t deadline = now_ns() + 20000 * MS;
    while (counters(EVT).waits == 0) {
        assert_true(now_ns() < deadline);
        hale_sleep(MS);
    }
    atomic_store(&s->release, 1);
    wait_for(&p->done, 1);
    assert_int_equal(hale_bus_quiesce(20000 * MS), 0);
    assert_int_equal(atomic_load(&p->refused_at), -1);
    assert_int_equal(atomic_load(&s->count), p->n);
    assert_int_equal(atomic_load(&s->errors), 0);
    assert_int_equal(atomic_load(&s->last), p->n - 1);
    assert_int_equal(counters(EVT).refused, 0);
}

static void test_or_wait_from_a_coroutine(void **state) {
    (void)state;
    static Sink s;
    start_held_sink(&s, EVT);
    static Pub p;
    pub_init(&p, EVT, 0, 200);
    p.flags = HALE_BUS_WAIT;
    hale_spawn(hale_pool_pinned("pusher", NULL), pub_run, &p, NULL);
    check_wait_delivers_everything(&p, &s);
}

static void test_or_wait_from_ordinary_code_on_a_pool(void **state) {
    (void)state;
    static Sink s;
    start_held_sink(&s, EVT);
    static Pub p;
    pub_init(&p, EVT, 0, 200);
    p.flags = HALE_BUS_WAIT;
    hale_post_call(hale_pool_pinned("pusher", NULL), pub_run, &p); /* not a coroutine */
    check_wait_delivers_everything(&p, &s);
}

static void test_or_wait_from_a_thread_without_a_pool(void **state) {
    (void)state;
    static Sink s;
    start_held_sink(&s, EVT);
    static Pub p;
    pub_init(&p, EVT, 0, 200);
    p.flags = HALE_BUS_WAIT;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, pub_thread, &p), 0);
    check_wait_delivers_everything(&p, &s);
    pthread_join(t, NULL);
}

static void test_cancelled_waiter_gets_full(void **state) {
    (void)state;
    static Sink s;
    start_held_sink(&s, EVT);
    static Pub p;
    pub_init(&p, EVT, 0, 1000);
    p.flags = HALE_BUS_WAIT;
    hale_spawn(hale_pool_pinned("pusher", NULL), pub_run, &p, NULL);
    int64_t deadline = now_ns() + 20000 * MS;
    while (counters(EVT).waits == 0) {
        assert_true(now_ns() < deadline);
        hale_sleep(MS);
    }
    hale_cancel(atomic_load(&p.co));
    wait_for(&p.done, 1);
    int64_t at = atomic_load(&p.refused_at); /* it waited at a full mailbox, then gave up */
    assert_true(at >= 10 && at < 1000);
    assert_int_equal(counters(EVT).refused, 1);
    atomic_store(&s.release, 1);
    assert_int_equal(hale_bus_quiesce(20000 * MS), 0);
    assert_int_equal(atomic_load(&s.count), at);
}

static void test_quiesce_times_out_while_a_handler_holds(void **state) {
    (void)state;
    static Sink s;
    start_held_sink(&s, PAIRS);
    Pair m = {0};
    hale_bus_publish(PAIRS, &m, 0);
    wait_for(&s.entered, 1);
    assert_int_equal(hale_bus_quiesce(20 * MS), -1);
    atomic_store(&s.release, 1);
    assert_int_equal(hale_bus_quiesce(20000 * MS), 0);
    assert_int_equal(atomic_load(&s.count), 1);
}

/* ---- subscriber bounds across threads ---- */

static void run_subscriber_bound(hale_bus_drop drop, int64_t want_last, int64_t want_sum) {
    static Sink s;
    sink_init(&s, hale_pool_cooperative("sampler", NULL), PAIRS);
    s.hold = true;
    s.spec.bound = 4;
    s.spec.drop = drop;
    sink_start(&s);
    Pair m = {.from = 9, .seq = 0}; /* from 9: not order-checked, drops make gaps */
    hale_bus_publish(PAIRS, &m, 0);
    wait_for(&s.entered, 1);
    for (int64_t i = 1; i < 100; i++) {
        m.seq = i;
        assert_int_equal(hale_bus_publish(PAIRS, &m, 0), HALE_BUS_OK);
    }
    atomic_store(&s.release, 1);
    assert_int_equal(hale_bus_quiesce(20000 * MS), 0);
    assert_int_equal(atomic_load(&s.count), 5); /* m0 + the four the bound kept */
    assert_int_equal(atomic_load(&s.last), want_last);
    assert_int_equal(atomic_load(&s.sum), want_sum);
    assert_int_equal(counters(PAIRS).dropped, 95);
}

static void test_subscriber_bound_drop_old_keeps_newest(void **state) {
    (void)state;
    run_subscriber_bound(HALE_BUS_DROP_OLD, 99, 0 + 96 + 97 + 98 + 99);
}

static void test_subscriber_bound_drop_new_keeps_oldest(void **state) {
    (void)state;
    run_subscriber_bound(HALE_BUS_DROP_NEW, 4, 0 + 1 + 2 + 3 + 4);
}

/* ---- a flood stays in bounded memory ---- */

static void test_mailbox_cap_bounds_a_flood(void **state) {
    (void)state;
    hale_bus_shutdown();
    setenv("HALE_BUS_MAILBOX_CAP", "64", 1);
    boot();
    unsetenv("HALE_BUS_MAILBOX_CAP");
    enum { N = 100000 };
    static _Atomic int64_t sent;
    atomic_store(&sent, 0);
    static Sink s;
    sink_init(&s, hale_pool_cooperative("consumer", NULL), PAIRS);
    s.sent = &sent;
    sink_start(&s);
    static Pub p[2];
    pthread_t t;
    pub_init(&p[0], PAIRS, 0, N);
    pub_init(&p[1], PAIRS, 1, N);
    p[0].sent = p[1].sent = &sent;
    assert_int_equal(pthread_create(&t, NULL, pub_thread, &p[0]), 0);    /* no pool: blocks */
    hale_spawn(hale_pool_pinned("flooder", NULL), pub_run, &p[1], NULL); /* coroutine: parks */
    wait_for(&p[0].done, 1);
    wait_for(&p[1].done, 1);
    pthread_join(t, NULL);
    assert_int_equal(hale_bus_quiesce(20000 * MS), 0);
    assert_int_equal(atomic_load(&s.count), 2 * N);
    assert_int_equal(atomic_load(&s.errors), 0);
    /* in flight: at most the cap, one overshoot per publisher, one being published by each and
     * the one in the handler */
    assert_true(atomic_load(&s.max_pending) <= 64 + 2 + 2 + 1);
    assert_true(counters(PAIRS).waits > 0);
}

/* ---- teardown delivery ---- */

static void test_teardown_delivers_pinned_publishers_last_messages(void **state) {
    (void)state;
    static Sink tally;
    sink_init(&tally, hale_pool_main(), DONE); /* declared first: the unfriendly order */
    sink_start(&tally);
    static Pub f[2];
    for (int i = 0; i < 2; i++) {
        pub_init(&f[i], DONE, i, 1);
        f[i].sleep_first_ns = 50 * MS;
        char name[8];
        snprintf(name, sizeof name, "f%d", i);
        hale_spawn(hale_pool_pinned(name, NULL), pub_run, &f[i], NULL);
    }
    /* "join" the pinned publishers without running the main pool: their final publishes wait
     * in the tally's mailbox */
    while (!atomic_load(&f[0].done) || !atomic_load(&f[1].done)) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(atomic_load(&tally.count), 0);
    assert_int_equal(hale_bus_quiesce(20000 * MS), 0); /* drain before dissolving siblings */
    assert_int_equal(atomic_load(&tally.count), 2);
    hale_bus_unsubscribe(tally.sub); /* dissolve */
    Pair m = {0};
    hale_bus_publish(DONE, &m, 0); /* after the last subscriber: a counted drop */
    hale_bus_counters c = counters(DONE);
    assert_int_equal(c.delivered, 2);
    assert_int_equal(c.dropped, 1);
}

/* ---- subscriptions changing under a flood ---- */

static void test_unsubscribe_under_a_flood(void **state) {
    (void)state;
    enum { N = 20000 };
    static Sink s;
    sink_init(&s, hale_pool_main(), PAIRS);
    s.unsub_after = 1000;
    sink_start(&s);
    static Pub p[2];
    for (int i = 0; i < 2; i++) {
        pub_init(&p[i], PAIRS, i, N);
        char name[8];
        snprintf(name, sizeof name, "fl%d", i);
        hale_spawn(hale_pool_pinned(name, NULL), pub_run, &p[i], NULL);
    }
    assert_int_equal(hale_sched_run(), 0);
    assert_int_equal(atomic_load(&s.count), 1000);
    hale_bus_counters c = counters(PAIRS);
    assert_int_equal(c.published, 2 * N);
    assert_int_equal(c.delivered + c.dropped, 2 * N);
}

typedef struct {
    _Atomic int64_t stop;
    _Atomic int64_t cycles;
    _Atomic int64_t going; /* the churner is under way: the flood starts then, so they overlap */
} Churn;

static Churn churn;

static void on_keyed_count(void *locus, const void *payload) {
    (void)payload;
    atomic_fetch_add((_Atomic int64_t *)locus, 1);
}

static void churner(void *arg) {
    Churn *c = arg;
    static _Atomic int64_t hits;
    hale_bus_sub *subs[100] = {0};
    int64_t i = 0;
    while (!atomic_load(&c->stop)) {
        int k = (int)(i % 100);
        if (subs[k]) {
            hale_bus_unsubscribe(subs[k]);
            subs[k] = NULL;
        } else {
            int64_t key = k;
            hale_bus_sub_spec sp = {.locus = &hits,
                                    .handler = on_keyed_count,
                                    .match = HALE_BUS_MATCH_KEY,
                                    .key = &key};
            subs[k] = hale_bus_subscribe(KEYED, &sp);
        }
        i++;
        if (i == 100) {
            atomic_store(&c->going, 1);
        }
        if (i % 16 == 0) {
            hale_yield();
        }
    }
    for (int k = 0; k < 100; k++) {
        hale_bus_unsubscribe(subs[k]);
    }
    atomic_store(&c->cycles, i);
}

static void keyed_flood(void *arg) {
    Pub *p = arg;
    while (!atomic_load(&churn.going)) {
        hale_sleep(1000000); /* a loaded machine may run the flood first: wait for the churn */
    }
    for (int64_t i = 0; i < p->n; i++) {
        Pair m = {.from = i % 100, .seq = i};
        hale_bus_publish(KEYED, &m, 0);
        if (i % 64 == 0) {
            hale_yield();
        }
    }
    atomic_store(&p->done, 1);
}

static void test_keyed_churn_under_a_flood(void **state) {
    (void)state;
    Churn *cp = &churn;
    atomic_store(&cp->stop, 0);
    atomic_store(&cp->going, 0);
    static Pub p;
    pub_init(&p, KEYED, 0, 100000);
    hale_pool *home = hale_pool_cooperative("churn", NULL);
    hale_spawn(home, churner, cp, NULL);
    hale_spawn(hale_pool_pinned("kflood", NULL), keyed_flood, &p, NULL);
    wait_for(&p.done, 1);
    atomic_store(&cp->stop, 1);
    assert_int_equal(hale_sched_run(), 0);
    assert_true(atomic_load(&cp->cycles) >= 100);
    hale_bus_counters k = counters(KEYED);
    assert_int_equal(k.published, 100000);
    /* each publish reached at most one subscriber: delivered, dropped, or unmatched */
    assert_int_equal(k.delivered + k.dropped + k.unmatched, 100000);
}

/* ---- a subscriber on a thread with no pool ---- */

typedef struct {
    _Atomic int64_t subscribed, go, done, got;
} Loner;

static void on_loner(void *locus, const void *payload) {
    (void)payload;
    atomic_fetch_add(&((Loner *)locus)->got, 1);
}

static void *loner_thread(void *arg) {
    Loner *l = arg;
    hale_bus_sub_spec sp = {.locus = l, .handler = on_loner};
    hale_bus_sub *s = hale_bus_subscribe(PAIRS, &sp);
    atomic_store(&l->subscribed, 1);
    while (!atomic_load(&l->go)) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    Pair m = {.from = 9, .seq = 1};
    hale_bus_publish(PAIRS, &m, 0); /* its own thread: queued there */
    hale_bus_settle_point();        /* and delivered at the thread's settle point */
    hale_bus_unsubscribe(s);
    atomic_store(&l->done, 1);
    return NULL;
}

static void test_subscriber_on_a_thread_without_a_pool(void **state) {
    (void)state;
    static Loner l;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, loner_thread, &l), 0);
    wait_for(&l.subscribed, 1);
    Pair m = {.from = 9, .seq = 0};
    assert_int_equal(hale_bus_publish(PAIRS, &m, 0), HALE_BUS_OK); /* no inbox to reach it */
    atomic_store(&l.go, 1);
    wait_for(&l.done, 1);
    pthread_join(t, NULL);
    assert_int_equal(atomic_load(&l.got), 1);
    hale_bus_counters c = counters(PAIRS);
    assert_int_equal(c.delivered, 1);
    assert_int_equal(c.dropped, 1);
}

int main(void) {
    if (getenv("BUS_TEST_FILTER")) {
        cmocka_set_test_filter(getenv("BUS_TEST_FILTER"));
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_per_publisher_pair, setup, teardown),
        cmocka_unit_test_setup_teardown(test_string_payloads_to_two_pools, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyed_routing_across_pools, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounded_refuses_when_a_subscriber_is_full, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_or_wait_from_a_coroutine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_or_wait_from_ordinary_code_on_a_pool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_or_wait_from_a_thread_without_a_pool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancelled_waiter_gets_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quiesce_times_out_while_a_handler_holds, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_subscriber_bound_drop_old_keeps_newest, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_subscriber_bound_drop_new_keeps_oldest, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_mailbox_cap_bounds_a_flood, setup, teardown),
        cmocka_unit_test_setup_teardown(test_teardown_delivers_pinned_publishers_last_messages,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsubscribe_under_a_flood, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyed_churn_under_a_flood, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subscriber_on_a_thread_without_a_pool, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
