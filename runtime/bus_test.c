/* The bus on one thread: the topic table, fan-out and registration order, copies, routing keys
 * (Int, String, Bool), each unmatched policy, deferred delivery (until the settle point) and its
 * order,
 * subscriptions changing during a publish, subscriber and topic bounds on the thread's queue,
 * drops, sealing, flush, counters and their dump, the transport hooks, and a steady state that
 * makes no system allocation. Cross-thread behaviour is in bus_threads_test.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bus.h"
#include "bus_impl.h"
#include "region.h"
#include "scheduler.h"
#include "test_types.h"

/* ---- payload types, as the compiler would emit them ---- */

typedef struct {
    hale_str room;
    hale_str text;
    int64_t n;
} Said;
static const hale_field said_fields[] = {{"room", offsetof(Said, room), &hale_type_string},
                                         {"text", offsetof(Said, text), &hale_type_string},
                                         {"n", offsetof(Said, n), &hale_type_int}};
static const hale_type T_Said = {.kind = HALE_T_RECORD,
                                 .name = "Said",
                                 .size = sizeof(Said),
                                 .align = _Alignof(Said),
                                 .flat = false,
                                 .fields = said_fields,
                                 .nfields = 3};

typedef struct {
    int64_t sym;
    int64_t px;
    bool hot;
} Quote;
static const hale_field quote_fields[] = {{"sym", offsetof(Quote, sym), &hale_type_int},
                                          {"px", offsetof(Quote, px), &hale_type_int},
                                          {"hot", offsetof(Quote, hot), &hale_type_bool}};
static const hale_type T_Quote = {.kind = HALE_T_RECORD,
                                  .name = "Quote",
                                  .size = sizeof(Quote),
                                  .align = _Alignof(Quote),
                                  .flat = true,
                                  .fields = quote_fields,
                                  .nfields = 3};

enum { TICKS, ECHO, POSTED, QUOTES, QUOTES_FAIL, QUOTES_FB, HOT, BOUNDED, OTHER, NTOPICS };

static const hale_bus_topic_desc table[NTOPICS] = {
    [TICKS] = {.name = "Ticks", .subject = "ticks", .payload = &T_Tick},
    [ECHO] = {.name = "Echo", .subject = "demo.echo", .payload = &T_Tick},
    [POSTED] = {.name = "Posted",
                .subject = "chat.posted",
                .payload = &T_Said,
                .key_type = &hale_type_string,
                .key_offset = offsetof(Said, room)},
    [QUOTES] = {.name = "Quote",
                .subject = "market.quote",
                .payload = &T_Quote,
                .key_type = &hale_type_int,
                .key_offset = offsetof(Quote, sym)},
    [QUOTES_FAIL] = {.name = "QuoteStrict",
                     .subject = "market.strict",
                     .payload = &T_Quote,
                     .key_type = &hale_type_int,
                     .key_offset = offsetof(Quote, sym),
                     .on_unmatched = HALE_BUS_FAIL},
    [QUOTES_FB] = {.name = "QuoteFb",
                   .subject = "market.fb",
                   .payload = &T_Quote,
                   .key_type = &hale_type_int,
                   .key_offset = offsetof(Quote, sym),
                   .on_unmatched = HALE_BUS_FALLBACK},
    [HOT] = {.name = "Hot",
             .subject = "market.hot",
             .payload = &T_Quote,
             .key_type = &hale_type_bool,
             .key_offset = offsetof(Quote, hot)},
    [BOUNDED] = {.name = "Evt", .subject = "evt", .payload = &T_Tick, .bound = 2},
    [OTHER] = {.name = "Other", .subject = "other", .payload = &T_Tick},
};

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

static hale_bus_sub *sub(int topic, void *locus, hale_bus_handler h) {
    hale_bus_sub_spec sp = {.locus = locus, .handler = h};
    return hale_bus_subscribe(topic, &sp);
}

static hale_bus_sub *sub_key(int topic, void *locus, hale_bus_handler h, const void *key) {
    hale_bus_sub_spec sp = {.locus = locus, .handler = h, .match = HALE_BUS_MATCH_KEY, .key = key};
    return hale_bus_subscribe(topic, &sp);
}

static hale_bus_counters counters(int topic) {
    hale_bus_counters c;
    hale_bus_counters_get(topic, &c);
    return c;
}

/* A publish from ordinary code followed by the settle point its function's return would be
 * (generated code calls hale_bus_settle_point there): what the bus delivers on this thread, it
 * has delivered when this returns. */
static int publish(int topic, const void *payload, unsigned flags) {
    int st = hale_bus_publish(topic, payload, flags);
    hale_bus_settle_point();
    return st;
}

/* A log of handler calls: "<locus id>:<n>" entries. */
static char trace[8192];

static void trace_add(const char *fmt, ...) {
    size_t len = strlen(trace);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(trace + len, sizeof trace - len, fmt, ap);
    va_end(ap);
}

typedef struct {
    int id;
    int64_t count;
    int64_t sum;
    int64_t last;
    hale_bus_sub *self;
} Watcher;

static void on_tick(void *locus, const void *payload) {
    Watcher *w = locus;
    const Tick *t = payload;
    w->count++;
    w->sum += t->n;
    w->last = t->n;
    trace_add("%d:%lld ", w->id, (long long)t->n);
}

/* ---- the table ---- */

static void test_boot_rejects_bad_tables(void **state) {
    (void)state;
    char err[200];
    assert_int_equal(hale_bus_boot(table, NTOPICS, err, sizeof err), -1); /* already booted */
    hale_bus_shutdown();

    hale_bus_topic_desc dup[2] = {
        {.name = "Login", .subject = "events.login", .payload = &T_Tick},
        {.name = "SignIn", .subject = "events.login", .payload = &T_Tick}};
    assert_int_equal(hale_bus_boot(dup, 2, err, sizeof err), -1);
    assert_non_null(strstr(err, "Login"));
    assert_non_null(strstr(err, "SignIn"));
    assert_non_null(strstr(err, "events.login"));

    hale_bus_topic_desc badkey = {.name = "P",
                                  .subject = "p",
                                  .payload = &T_Quote,
                                  .key_type = &hale_type_float,
                                  .key_offset = 0};
    assert_int_equal(hale_bus_boot(&badkey, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "Float"));
    hale_bus_topic_desc neg = {.name = "N", .subject = "n", .payload = &T_Tick, .bound = -1};
    assert_int_equal(hale_bus_boot(&neg, 1, err, sizeof err), -1);
    hale_bus_topic_desc nosubj = {.name = "X", .payload = &T_Tick};
    assert_int_equal(hale_bus_boot(&nosubj, 1, err, sizeof err), -1);

    assert_int_equal(hale_bus_boot(table, NTOPICS, err, sizeof err), 0);
    assert_int_equal(hale_bus_topic_count(), NTOPICS);
    assert_int_equal(hale_bus_topic_id("chat.posted"), POSTED);
    assert_int_equal(hale_bus_topic_id("demo.echo"), ECHO);
    assert_int_equal(hale_bus_topic_id("nope"), -1);
    assert_string_equal(hale_bus_topic(QUOTES)->name, "Quote");
}

/* ---- fan-out, order, copies ---- */

static void test_fanout_in_registration_order(void **state) {
    (void)state;
    enum { N = 100 };
    Watcher w[N];
    trace[0] = 0;
    for (int i = 0; i < N; i++) {
        w[i] = (Watcher){.id = i};
        sub(TICKS, &w[i], on_tick);
    }
    Tick t = {.n = 7};
    assert_int_equal(publish(TICKS, &t, 0), HALE_BUS_OK);
    for (int i = 0; i < N; i++) {
        assert_int_equal(w[i].count, 1); /* delivered before publish returned */
        assert_int_equal(w[i].last, 7);
    }
    char want[8192] = "";
    for (int i = 0; i < N; i++) {
        snprintf(want + strlen(want), sizeof want - strlen(want), "%d:7 ", i);
    }
    assert_string_equal(trace, want);
    hale_bus_counters c = counters(TICKS);
    assert_int_equal(c.published, 1);
    assert_int_equal(c.delivered, N);
    assert_int_equal(c.dropped, 0);
}

static const Said *seen_msg;
static Said seen_copy;
static char seen_room[64];

static void on_msg_check(void *locus, const void *payload) {
    (void)locus;
    const Said *m = payload;
    seen_msg = m;
    seen_copy = *m;
    snprintf(seen_room, sizeof seen_room, "%.*s", (int)m->room.len, m->room.ptr);
}

static void test_receiver_gets_a_copy(void **state) {
    (void)state;
    const char *lobby = "lobby";
    sub_key(POSTED, NULL, on_msg_check, &(hale_str){lobby, 5});
    char room[] = "lobby";
    char text[] = "hello there";
    Said m = {.room = {room, 5}, .text = {text, 11}, .n = 3};
    assert_int_equal(publish(POSTED, &m, 0), HALE_BUS_OK);
    assert_ptr_not_equal(seen_msg, &m);
    assert_ptr_not_equal(seen_copy.room.ptr, room);
    assert_ptr_not_equal(seen_copy.text.ptr, text);
    assert_string_equal(seen_room, "lobby");
    assert_int_equal(seen_copy.n, 3);
}

/* ---- routing keys ---- */

static void test_keyed_int_touches_one_of_a_thousand(void **state) {
    (void)state;
    enum { N = 1000 };
    static Watcher w[N];
    for (int i = 0; i < N; i++) {
        w[i] = (Watcher){.id = i};
        int64_t key = i;
        sub_key(QUOTES, &w[i], on_tick, &key); /* Quote starts with an Int like Tick */
    }
    Watcher all = {.id = -1};
    sub(QUOTES, &all, on_tick); /* no `where`: gets everything */
    bus_thread *bt = bus_thread_self();
    int64_t v0 = bt->visited;
    Quote q = {.sym = 537, .px = 10};
    assert_int_equal(publish(QUOTES, &q, 0), HALE_BUS_OK);
    assert_int_equal(bt->visited - v0, 2); /* the one keyed subscriber + the unfiltered one */
    for (int i = 0; i < N; i++) {
        assert_int_equal(w[i].count, i == 537 ? 1 : 0);
    }
    assert_int_equal(all.count, 1);
    assert_int_equal(counters(QUOTES).delivered, 2);
    assert_int_equal(counters(QUOTES).unmatched, 0);
    assert_int_equal(hale_bus_subscriber_count(QUOTES), N + 1);
}

static void test_keyed_churn_index(void **state) {
    (void)state;
    enum { N = 2000 };
    static Watcher w[N];
    static hale_bus_sub *s[N];
    for (int i = 0; i < N; i++) {
        w[i] = (Watcher){.id = i};
        int64_t key = i % 500; /* four subscribers per key */
        s[i] = sub_key(QUOTES, &w[i], on_tick, &key);
    }
    for (int i = 0; i < N; i += 3) {
        hale_bus_unsubscribe(s[i]);
    }
    for (int64_t k = 0; k < 500; k++) {
        Quote q = {.sym = k};
        publish(QUOTES, &q, 0);
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(w[i].count, i % 3 == 0 ? 0 : 1);
    }
    for (int i = 0; i < N; i++) {
        if (i % 3) {
            hale_bus_unsubscribe(s[i]);
        }
    }
    assert_int_equal(hale_bus_subscriber_count(QUOTES), 0);
    Quote q = {.sym = 1};
    publish(QUOTES, &q, 0);
    assert_int_equal(counters(QUOTES).dropped, 1); /* nobody left */
}

static char posted_log[512];

static void on_posted(void *locus, const void *payload) {
    const Said *m = payload;
    size_t len = strlen(posted_log);
    snprintf(posted_log + len, sizeof posted_log - len, "%s<%.*s> ", (const char *)locus,
             (int)m->text.len, m->text.ptr);
}

static void test_keyed_string_routing(void **state) {
    (void)state;
    posted_log[0] = 0;
    char name[16] = "lobby";
    hale_str k1 = {name, 5};
    sub_key(POSTED, "a", on_posted, &k1);
    strcpy(name, "dev__"); /* the key was captured by value */
    hale_str k2 = {"dev", 3};
    sub_key(POSTED, "b", on_posted, &k2);
    hale_str k3 = {"lobby", 5};
    sub_key(POSTED, "c", on_posted, &k3);
    hale_str empty = {"", 0};
    sub_key(POSTED, "d", on_posted, &empty);

    Said m = {.room = {"lobby", 5}, .text = {"hi", 2}};
    publish(POSTED, &m, 0);
    m = (Said){.room = {"dev", 3}, .text = {"build", 5}};
    publish(POSTED, &m, 0);
    m = (Said){.room = {"lobb", 4}, .text = {"no", 2}};
    publish(POSTED, &m, 0);
    m = (Said){.room = {"", 0}, .text = {"e", 1}};
    publish(POSTED, &m, 0);
    assert_string_equal(posted_log, "a<hi> c<hi> b<build> d<e> ");
    assert_int_equal(counters(POSTED).unmatched, 1);
}

static void test_keyed_bool_routing(void **state) {
    (void)state;
    Watcher hot = {.id = 1}, cold = {.id = 0};
    bool t = true, f = false;
    sub_key(HOT, &hot, on_tick, &t);
    sub_key(HOT, &cold, on_tick, &f);
    for (int i = 0; i < 5; i++) {
        Quote q = {.sym = i, .hot = i % 2 == 0};
        publish(HOT, &q, 0);
    }
    assert_int_equal(hot.count, 3);
    assert_int_equal(cold.count, 2);
}

/* ---- unmatched policies ---- */

static void test_unmatched_swallow_fail_fallback(void **state) {
    (void)state;
    Watcher a = {.id = 1}, all = {.id = 2}, fb = {.id = 3}, c = {.id = 4};
    int64_t k1 = 1;
    sub_key(QUOTES, &a, on_tick, &k1);
    Quote q = {.sym = 2};
    assert_int_equal(publish(QUOTES, &q, 0), HALE_BUS_OK); /* swallow */
    assert_int_equal(counters(QUOTES).unmatched, 1);
    assert_int_equal(counters(QUOTES).delivered, 0);

    sub_key(QUOTES_FAIL, &a, on_tick, &k1);
    sub(QUOTES_FAIL, &all, on_tick);
    assert_int_equal(publish(QUOTES_FAIL, &q, 0), HALE_BUS_UNMATCHED);
    assert_int_equal(all.count, 1); /* the unfiltered subscriber still got it */
    q.sym = 1;
    assert_int_equal(publish(QUOTES_FAIL, &q, 0), HALE_BUS_OK);
    assert_int_equal(counters(QUOTES_FAIL).unmatched, 1);

    hale_bus_sub_spec sp = {.locus = &fb, .handler = on_tick, .match = HALE_BUS_MATCH_FALLBACK};
    hale_bus_subscribe(QUOTES_FB, &sp);
    sub_key(QUOTES_FB, &c, on_tick, &k1);
    q.sym = 9;
    assert_int_equal(publish(QUOTES_FB, &q, 0), HALE_BUS_OK);
    q.sym = 1;
    assert_int_equal(publish(QUOTES_FB, &q, 0), HALE_BUS_OK);
    assert_int_equal(fb.count, 1);
    assert_int_equal(fb.last, 9);
    assert_int_equal(c.count, 1);
    assert_int_equal(counters(QUOTES_FB).unmatched, 1);
}

static void test_unmatched_log_is_rate_limited(void **state) {
    (void)state;
    hale_bus_shutdown();
    setenv("HALE_BUS_LOG_UNMATCHED", "1", 1);
    char err[200];
    assert_int_equal(hale_bus_boot(table, NTOPICS, err, sizeof err), 0);
    unsetenv("HALE_BUS_LOG_UNMATCHED");
    Watcher a = {.id = 1};
    int64_t k = 1;
    sub_key(QUOTES, &a, on_tick, &k);
    FILE *tmp = tmpfile();
    fflush(stderr);
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    for (int i = 0; i < 200; i++) {
        Quote q = {.sym = 1000 + i};
        publish(QUOTES, &q, 0);
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    char line[512];
    int lines = 0;
    bool first_ok = false;
    while (fgets(line, sizeof line, tmp)) {
        if (lines == 0) {
            first_ok = strstr(line, "unmatched") && strstr(line, "market.quote") &&
                       strstr(line, "key 1000");
        }
        lines++;
    }
    fclose(tmp);
    assert_true(first_ok);
    assert_true(lines >= 1 && lines <= 21);
    assert_int_equal(counters(QUOTES).unmatched, 200);
}

/* ---- deferred delivery from handlers ---- */

static void on_relay(void *locus, const void *payload) {
    Watcher *w = locus;
    const Tick *t = payload;
    trace_add("%d:%lld ", w->id, (long long)t->n);
    w->count++;
    Tick out = {.n = t->n * 10};
    hale_bus_publish(ECHO, &out, 0);
    out.n = -1;                         /* the queued copy was taken at publish */
    w->last = counters(ECHO).delivered; /* nothing delivered yet while we run */
}

static void test_publish_from_handler_runs_after_it(void **state) {
    (void)state;
    trace[0] = 0;
    Watcher s1 = {.id = 1}, s2 = {.id = 2}, t = {.id = 3};
    sub(TICKS, &s1, on_relay);
    sub(TICKS, &s2, on_tick);
    sub(ECHO, &t, on_tick);
    Tick x = {.n = 5};
    publish(TICKS, &x, 0);
    /* breadth-first: the original reaches every subscriber before the relayed message */
    assert_string_equal(trace, "1:5 2:5 3:50 ");
    assert_int_equal(s1.last, 0);
    assert_int_equal(t.count, 1);
}

/* Ordinary code's publishes wait for its settle point, then run in the order they were made,
 * before anything their handlers publish (Hale's `ev 1, ev 2, ev 99`). */
static void test_ordinary_publishes_wait_for_the_settle_point(void **state) {
    (void)state;
    trace[0] = 0;
    Watcher relay = {.id = 1}, echo = {.id = 3};
    sub(TICKS, &relay, on_relay);
    sub(ECHO, &echo, on_tick);
    Tick x = {.n = 1};
    hale_bus_publish(TICKS, &x, 0);
    x.n = 2; /* the queued copy was taken at publish */
    hale_bus_publish(TICKS, &x, 0);
    assert_string_equal(trace, "");
    assert_int_equal(counters(TICKS).delivered, 0);
    hale_bus_settle_point();
    assert_string_equal(trace, "1:1 1:2 3:10 3:20 ");
    hale_bus_settle_point(); /* nothing left: a no-op */
    assert_int_equal(counters(ECHO).delivered, 2);
}

static int depth_now, depth_max;
static int64_t chain_left;

static void on_chain(void *locus, const void *payload) {
    (void)locus;
    const Tick *t = payload;
    depth_now++;
    if (depth_now > depth_max) {
        depth_max = depth_now;
    }
    if (chain_left-- > 0) {
        Tick next = {.n = t->n + 1};
        hale_bus_publish(TICKS, &next, 0);
    }
    depth_now--;
}

static void test_handler_chains_do_not_recurse(void **state) {
    (void)state;
    Watcher w = {.id = 0};
    sub(TICKS, &w, on_chain);
    sub(TICKS, &w, on_tick);
    chain_left = 100000;
    depth_max = 0;
    Tick x = {.n = 0};
    publish(TICKS, &x, 0);
    assert_int_equal(depth_max, 1);
    assert_int_equal(w.count, 100001);
    assert_int_equal(w.last, 100000);
}

/* A handler that parks its coroutine must not make other coroutines on the thread count as
 * inside it: here the parked handler waits for a delivery another coroutine publishes. */
static int gate, gate_seen;

static void on_wait_gate(void *locus, const void *payload) {
    (void)locus;
    (void)payload;
    for (int i = 0; i < 2000 && !gate; i++) {
        hale_sleep(1000000);
    }
    gate_seen = gate;
}

static void on_open_gate(void *locus, const void *payload) {
    (void)locus;
    (void)payload;
    gate = 1;
}

static void co_publish_ticks(void *arg) {
    (void)arg;
    Tick t = {.n = 1};
    hale_bus_publish(TICKS, &t, 0);
}

static void co_publish_echo(void *arg) {
    (void)arg;
    hale_sleep(5000000);
    Tick t = {.n = 2};
    hale_bus_publish(ECHO, &t, 0);
}

static void test_parked_handler_does_not_hold_other_coroutines(void **state) {
    (void)state;
    gate = gate_seen = 0;
    sub(TICKS, NULL, on_wait_gate);
    sub(ECHO, NULL, on_open_gate);
    hale_spawn(hale_pool_main(), co_publish_ticks, NULL, NULL);
    hale_spawn(hale_pool_main(), co_publish_echo, NULL, NULL);
    assert_int_equal(hale_sched_run(), 0);
    assert_int_equal(gate_seen, 1);
}

/* ---- subscriptions changing during a publish ---- */

static Watcher churn_w[10];
static hale_bus_sub *churn_s[10];
static Watcher late = {.id = 99};

static void on_churn(void *locus, const void *payload) {
    Watcher *w = locus;
    on_tick(locus, payload);
    if (w->id == 3 && w->count == 1) {
        hale_bus_unsubscribe(churn_s[5]); /* later in this fan-out */
        hale_bus_unsubscribe(churn_s[3]); /* itself */
        hale_bus_unsubscribe(churn_s[1]); /* already called */
        sub(TICKS, &late, on_tick);       /* not part of this publish */
    }
}

static void test_register_unregister_during_publish(void **state) {
    (void)state;
    trace[0] = 0;
    for (int i = 0; i < 10; i++) {
        churn_w[i] = (Watcher){.id = i};
        churn_s[i] = sub(TICKS, &churn_w[i], on_churn);
    }
    Tick x = {.n = 1};
    publish(TICKS, &x, 0);
    assert_string_equal(trace, "0:1 1:1 2:1 3:1 4:1 6:1 7:1 8:1 9:1 ");
    trace[0] = 0;
    x.n = 2;
    publish(TICKS, &x, 0);
    assert_string_equal(trace, "0:2 2:2 4:2 6:2 7:2 8:2 9:2 99:2 ");
    assert_int_equal(hale_bus_subscriber_count(TICKS), 8);
}

static Watcher pend_target = {.id = 7};
static hale_bus_sub *pend_sub;

static void on_publish_then_kill(void *locus, const void *payload) {
    (void)locus;
    (void)payload;
    Tick t = {.n = 1};
    hale_bus_publish(ECHO, &t, 0);
    hale_bus_publish(ECHO, &t, 0);
    hale_bus_unsubscribe(pend_sub); /* two deliveries queued for it */
}

static void test_unsubscribe_drops_queued(void **state) {
    (void)state;
    Watcher w = {.id = 0};
    sub(TICKS, &w, on_publish_then_kill);
    pend_sub = sub(ECHO, &pend_target, on_tick);
    Tick x = {.n = 0};
    publish(TICKS, &x, 0);
    assert_int_equal(pend_target.count, 0);
    assert_int_equal(counters(ECHO).dropped, 2);
    assert_int_equal(counters(ECHO).delivered, 0);
}

/* ---- bounds on the thread's queue ---- */

static int burst_n;
static int burst_status[16];
static unsigned burst_flags;
static int burst_topic;

static void on_burst(void *locus, const void *payload) {
    (void)locus;
    (void)payload;
    for (int i = 0; i < burst_n; i++) {
        Tick t = {.n = i};
        burst_status[i] = hale_bus_publish(burst_topic, &t, burst_flags);
    }
}

static void test_subscriber_bounds_drop_old_and_new(void **state) {
    (void)state;
    trace[0] = 0;
    Watcher trigger = {.id = 0};
    sub(TICKS, &trigger, on_burst);
    Watcher old = {.id = 1}, young = {.id = 2};
    hale_bus_sub_spec so = {
        .locus = &old, .handler = on_tick, .bound = 3, .drop = HALE_BUS_DROP_OLD};
    hale_bus_sub_spec sn = {
        .locus = &young, .handler = on_tick, .bound = 3, .drop = HALE_BUS_DROP_NEW};
    hale_bus_subscribe(ECHO, &so);
    hale_bus_subscribe(ECHO, &sn);
    burst_n = 10;
    burst_topic = ECHO;
    burst_flags = 0;
    Tick x = {.n = 0};
    publish(TICKS, &x, 0);
    assert_int_equal(old.count, 3);
    assert_int_equal(old.sum, 7 + 8 + 9); /* the newest three */
    assert_int_equal(young.count, 3);
    assert_int_equal(young.sum, 0 + 1 + 2); /* the first three */
    assert_int_equal(counters(ECHO).dropped, 14);
    assert_int_equal(counters(ECHO).delivered, 6);
}

static void test_bounded_topic_refuses_or_waits(void **state) {
    (void)state;
    Watcher trigger = {.id = 0}, slow = {.id = 1};
    sub(TICKS, &trigger, on_burst);
    sub(BOUNDED, &slow, on_tick);
    burst_n = 5;
    burst_topic = BOUNDED;
    burst_flags = 0; /* `or raise` / `or discard` */
    Tick x = {.n = 0};
    publish(TICKS, &x, 0);
    int want[5] = {HALE_BUS_OK, HALE_BUS_OK, HALE_BUS_FULL, HALE_BUS_FULL, HALE_BUS_FULL};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(burst_status[i], want[i]);
    }
    assert_int_equal(slow.count, 2);
    assert_int_equal(counters(BOUNDED).refused, 3);

    burst_flags = HALE_BUS_WAIT; /* `or wait`: the publisher runs the queue to make room */
    slow.count = slow.sum = 0;
    publish(TICKS, &x, 0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(burst_status[i], HALE_BUS_OK);
    }
    assert_int_equal(slow.count, 5);
    assert_int_equal(slow.sum, 0 + 1 + 2 + 3 + 4);
    assert_true(counters(BOUNDED).waits >= 1);
    assert_int_equal(counters(BOUNDED).refused, 3);

    /* ordinary code that reaches a settle point after each send never fills the queue */
    for (int i = 0; i < 10; i++) {
        assert_int_equal(publish(BOUNDED, &x, 0), HALE_BUS_OK);
    }
    /* without one, its sends queue like a handler's: the third is refused */
    assert_int_equal(hale_bus_publish(BOUNDED, &x, 0), HALE_BUS_OK);
    assert_int_equal(hale_bus_publish(BOUNDED, &x, 0), HALE_BUS_OK);
    assert_int_equal(hale_bus_publish(BOUNDED, &x, 0), HALE_BUS_FULL);
    hale_bus_settle_point();
    assert_int_equal(hale_bus_publish(BOUNDED, &x, 0), HALE_BUS_OK);
    hale_bus_settle_point();
}

static void on_flood(void *locus, const void *payload) {
    (void)locus;
    (void)payload;
    for (int i = 0; i < 20000; i++) {
        Tick t = {.n = i};
        hale_bus_publish(ECHO, &t, 0);
    }
}

static void test_thread_queue_backpressure(void **state) {
    (void)state;
    Watcher trigger = {.id = 0}, sink = {.id = 1};
    sub(TICKS, &trigger, on_flood);
    sub(ECHO, &sink, on_tick);
    Tick x = {.n = 0};
    trace[0] = 0;
    publish(TICKS, &x, 0);
    assert_int_equal(sink.count, 20000);
    assert_int_equal(sink.sum, (int64_t)20000 * 19999 / 2);
    assert_true(bus_thread_self()->q_len == 0);
}

/* ---- drops, seal, flush ---- */

static void test_drops_and_seal(void **state) {
    (void)state;
    Tick x = {.n = 1};
    assert_int_equal(publish(TICKS, &x, 0), HALE_BUS_OK); /* nobody born yet */
    assert_int_equal(counters(TICKS).dropped, 1);
    Watcher w = {.id = 0};
    hale_bus_sub *s = sub(TICKS, &w, on_tick);
    publish(TICKS, &x, 0);
    hale_bus_unsubscribe(s);
    publish(TICKS, &x, 0); /* after the last subscriber dissolved */
    assert_int_equal(counters(TICKS).dropped, 2);
    assert_int_equal(w.count, 1);
    sub(TICKS, &w, on_tick);
    hale_bus_seal(TICKS);
    publish(TICKS, &x, 0);
    assert_int_equal(w.count, 1);
    assert_int_equal(counters(TICKS).dropped, 3);
    assert_int_equal(counters(TICKS).published, 4);
}

static hale_bus_sub *flush_target;
static int64_t flush_seen_in_handler;
static Watcher flush_w = {.id = 5};

static void on_seal_and_flush(void *locus, const void *payload) {
    (void)locus;
    (void)payload;
    Tick t = {.n = 1};
    hale_bus_publish(ECHO, &t, 0);
    hale_bus_publish(ECHO, &t, 0);
    hale_bus_sub_seal(flush_target); /* draining: no new messages */
    hale_bus_publish(ECHO, &t, 0);
    assert_int_equal(hale_bus_sub_pending(flush_target), 2);
    hale_bus_sub_flush(flush_target); /* in-flight ones are delivered now */
    flush_seen_in_handler = flush_w.count;
    hale_bus_unsubscribe(flush_target);
}

static void test_seal_and_flush_subscription(void **state) {
    (void)state;
    Watcher w = {.id = 0};
    sub(TICKS, &w, on_seal_and_flush);
    flush_target = sub(ECHO, &flush_w, on_tick);
    Tick x = {.n = 0};
    publish(TICKS, &x, 0);
    assert_int_equal(flush_seen_in_handler, 2);
    assert_int_equal(flush_w.count, 2);
    assert_int_equal(counters(ECHO).dropped, 1);
}

/* ---- counters ---- */

static void test_counters_dump_format(void **state) {
    (void)state;
    Watcher w = {.id = 0};
    sub(TICKS, &w, on_tick);
    sub(TICKS, &w, on_tick);
    Tick x = {.n = 1};
    publish(TICKS, &x, 0);
    publish(TICKS, &x, 0);
    hale_bus_note_direct(OTHER, 3);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hale_bus_counters_dump(f);
    fclose(f);
    int lines = 0;
    for (char *p = buf; *p; p++) {
        lines += *p == '\n';
    }
    assert_int_equal(lines, NTOPICS);
    assert_non_null(strstr(buf, "ticks published=2 delivered=4 dropped=0 unmatched=0 refused=0 "
                                "waits=0 sent=0 received=0\n"));
    assert_non_null(strstr(buf, "other published=1 delivered=3 "));
    assert_true(strncmp(buf, "ticks ", 6) == 0); /* subject first, table order */
    free(buf);
}

/* ---- transport hooks ---- */

static int sink_calls;
static int sink_status;
static int64_t sink_last;

static int test_sink(void *ctx, int topic, const void *payload, unsigned flags) {
    (void)flags;
    assert_int_equal(*(int *)ctx, 42);
    assert_int_equal(topic, QUOTES);
    sink_calls++;
    sink_last = ((const Quote *)payload)->sym;
    return sink_status;
}

static void test_sink_and_inbound(void **state) {
    (void)state;
    static int ctx = 42;
    hale_bus_set_sink(QUOTES, test_sink, &ctx);
    Watcher w = {.id = 0};
    int64_t k = 5;
    sub_key(QUOTES, &w, on_tick, &k);
    sink_status = HALE_BUS_OK;
    Quote q = {.sym = 5};
    assert_int_equal(publish(QUOTES, &q, 0), HALE_BUS_OK);
    q.sym = 6; /* no local match: a peer may match, so not unmatched */
    assert_int_equal(publish(QUOTES, &q, 0), HALE_BUS_OK);
    assert_int_equal(sink_calls, 2);
    assert_int_equal(sink_last, 6);
    assert_int_equal(w.count, 1);
    hale_bus_counters c = counters(QUOTES);
    assert_int_equal(c.unmatched, 0);
    assert_int_equal(c.sent, 2);

    q.sym = 5;
    assert_int_equal(hale_bus_inbound(QUOTES, &q, 0), HALE_BUS_OK);
    hale_bus_settle_point();
    assert_int_equal(sink_calls, 2); /* never echoed back out */
    assert_int_equal(w.count, 2);
    assert_int_equal(counters(QUOTES).received, 1);

    sink_status = HALE_BUS_NOLINK;
    assert_int_equal(publish(QUOTES, &q, 0), HALE_BUS_NOLINK);
    assert_int_equal(w.count, 3); /* local delivery happened */
    assert_int_equal(counters(QUOTES).refused, 1);
    hale_bus_set_sink(QUOTES, NULL, NULL);
}

/* ---- memory ---- */

static void on_msg_count(void *locus, const void *payload) {
    Watcher *w = locus;
    const Said *m = payload;
    w->count++;
    w->sum += m->text.len;
}

static Said relay_msg;

static void on_tick_relay_msg(void *locus, const void *payload) {
    (void)locus;
    (void)payload;
    hale_bus_publish(POSTED, &relay_msg, 0); /* queued: a record holding copies of the strings */
}

static void test_steady_state_allocates_nothing(void **state) {
    (void)state;
    Watcher w = {.id = 0}, r = {.id = 1};
    hale_str key = {"room", 4};
    sub_key(POSTED, &w, on_msg_count, &key);
    sub(TICKS, &r, on_tick_relay_msg);
    char text[3000];
    memset(text, 'x', sizeof text);
    relay_msg = (Said){.room = {"room", 4}, .text = {text, sizeof text}};
    Tick t = {.n = 1};
    for (int i = 0; i < 100; i++) { /* warm the caches */
        publish(POSTED, &relay_msg, 0);
        publish(TICKS, &t, 0);
    }
    int64_t before = hale_diag_heap_alloc_count();
    for (int i = 0; i < 10000; i++) {
        publish(POSTED, &relay_msg, 0); /* queued: a record from the thread's cache */
        publish(TICKS, &t, 0);          /* flat: a memcpy into its record */
    }
    assert_int_equal(hale_diag_heap_alloc_count() - before, 0);
    assert_int_equal(w.count, 2 * 10100);
    assert_int_equal(w.sum, (int64_t)2 * 10100 * 3000);
}

static void test_large_payload(void **state) {
    (void)state;
    Watcher w = {.id = 0};
    hale_str key = {"big", 3};
    sub_key(POSTED, &w, on_msg_count, &key);
    size_t n = 200 * 1024;
    char *text = malloc(n);
    memset(text, 'y', n);
    Said m = {.room = {"big", 3}, .text = {text, (int64_t)n}};
    publish(POSTED, &m, 0);
    assert_int_equal(w.sum, (int64_t)n);
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_boot_rejects_bad_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fanout_in_registration_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receiver_gets_a_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyed_int_touches_one_of_a_thousand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyed_churn_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyed_string_routing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyed_bool_routing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmatched_swallow_fail_fallback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmatched_log_is_rate_limited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_publish_from_handler_runs_after_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ordinary_publishes_wait_for_the_settle_point, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_handler_chains_do_not_recurse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parked_handler_does_not_hold_other_coroutines, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_register_unregister_during_publish, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsubscribe_drops_queued, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subscriber_bounds_drop_old_and_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounded_topic_refuses_or_waits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_queue_backpressure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drops_and_seal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seal_and_flush_subscription, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters_dump_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_and_inbound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_steady_state_allocates_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_payload, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
