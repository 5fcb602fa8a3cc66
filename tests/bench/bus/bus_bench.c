/* Bus benchmarks, one process, every figure measured here (tests/bench/bus/run.sh prints the
 * table with the Go peers):
 *
 *   dispatch_hale     100k typed messages published and handled on one thread through the bus
 *                     (hale_bus_publish: topic lookup, a copy of the payload, the handler call,
 *                     counters), one subscriber: Hale's bus_dispatch workload
 *   dispatch_c        the same 100k through a plain C call (copy + call, no bus): the floor
 *   dispatch_heap     as dispatch_hale with a payload holding two strings (deep copy)
 *   keyed_1of1000     an Int-keyed topic with 1,000 subscribers (one per key); each publish
 *                     reaches exactly one of them through the key index
 *   keyed_hot         the same topic, every publish with one key (the subscriber stays in cache)
 *   unkeyed_1of1      an unkeyed topic with one subscriber, the same payload type and count
 *   fanout_1000       an unkeyed topic with 1,000 subscribers: every publish reaches all
 *   cross_thread      1M messages from the main thread to a subscriber on a pinned pool, until
 *                     the last one is handled
 *
 * Each line is "NAME NANOSECONDS_PER_MESSAGE", the best of several runs. */
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus.h"
#include "scheduler.h"

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

typedef struct {
    int64_t n;
} Tick;
static const hale_field tick_fields[] = {{"n", offsetof(Tick, n), &hale_type_int}};
static const hale_type T_Tick = {.kind = HALE_T_RECORD,
                                 .name = "Tick",
                                 .size = sizeof(Tick),
                                 .align = _Alignof(Tick),
                                 .flat = true,
                                 .fields = tick_fields,
                                 .nfields = 1};

typedef struct {
    hale_str user;
    hale_str text;
    int64_t n;
} Msg;
static const hale_field msg_fields[] = {{"user", offsetof(Msg, user), &hale_type_string},
                                        {"text", offsetof(Msg, text), &hale_type_string},
                                        {"n", offsetof(Msg, n), &hale_type_int}};
static const hale_type T_Msg = {.kind = HALE_T_RECORD,
                                .name = "Msg",
                                .size = sizeof(Msg),
                                .align = _Alignof(Msg),
                                .flat = false,
                                .fields = msg_fields,
                                .nfields = 3};

enum { TICK, HEAP, KEYED, PLAIN, FAN, CROSS, NTOPICS };
static const hale_bus_topic_desc table[NTOPICS] = {
    [TICK] = {.name = "Tick", .subject = "bench.tick", .payload = &T_Tick},
    [HEAP] = {.name = "Msg", .subject = "bench.msg", .payload = &T_Msg},
    [KEYED] = {.name = "Keyed",
               .subject = "bench.keyed",
               .payload = &T_Tick,
               .key_type = &hale_type_int,
               .key_offset = offsetof(Tick, n)},
    [PLAIN] = {.name = "Plain", .subject = "bench.plain", .payload = &T_Tick},
    [FAN] = {.name = "Fan", .subject = "bench.fan", .payload = &T_Tick},
    [CROSS] = {.name = "Cross", .subject = "bench.cross", .payload = &T_Tick},
};

typedef struct {
    int64_t count;
    int64_t sum;
} Aggregator;

static void on_tick(void *locus, const void *payload) {
    Aggregator *a = locus;
    a->count++;
    a->sum += ((const Tick *)payload)->n;
}

static void on_msg(void *locus, const void *payload) {
    Aggregator *a = locus;
    a->count++;
    a->sum += ((const Msg *)payload)->text.len;
}

/* The consumer's count, on a cache line of its own as the Go peer's heap-allocated aggregator is:
 * beside the publisher's data it would measure false sharing, not the hand-off. */
static struct { alignas(64) _Atomic int64_t n; } cross;
#define cross_count cross.n

static void on_cross(void *locus, const void *payload) {
    (void)locus;
    (void)payload;
    atomic_store_explicit(&cross_count,
                          atomic_load_explicit(&cross_count, memory_order_relaxed) + 1,
                          memory_order_release);
}

/* ---- the C floor ---- */

__attribute__((noinline)) static void c_handler(Aggregator *a, const Tick *t) {
    a->count++;
    a->sum += t->n;
}

static double run_c(int64_t n) {
    Aggregator a = {0};
    int64_t t0 = now_ns();
    for (int64_t i = 0; i < n; i++) {
        Tick t = {.n = i};
        Tick copy;
        memcpy(&copy, &t, sizeof copy);
        c_handler(&a, &copy);
    }
    int64_t dt = now_ns() - t0;
    if (a.count != n) {
        abort();
    }
    return (double)dt / (double)n;
}

/* ---- the bus ---- */

static double run_publish(int topic, int64_t n, int64_t keys, Aggregator *a, int64_t want) {
    int64_t before = a->count;
    int64_t t0 = now_ns();
    for (int64_t i = 0; i < n; i++) {
        Tick t = {.n = keys ? i % keys : i};
        hale_bus_publish(topic, &t, 0);
    }
    hale_bus_settle_point(); /* same-thread deliveries run here, as at a generated function's end */
    int64_t dt = now_ns() - t0;
    if (a->count - before != want) {
        fprintf(stderr, "bus bench: %lld handled, wanted %lld\n", (long long)(a->count - before),
                (long long)want);
        exit(1);
    }
    return (double)dt / (double)n;
}

static double run_heap(int64_t n, Aggregator *a) {
    int64_t t0 = now_ns();
    for (int64_t i = 0; i < n; i++) {
        Msg m = {
            .user = HALE_STR_LIT("alice"), .text = HALE_STR_LIT("hello, everyone here"), .n = i};
        hale_bus_publish(HEAP, &m, 0);
    }
    hale_bus_settle_point();
    int64_t dt = now_ns() - t0;
    if (a->count < n) {
        exit(1);
    }
    return (double)dt / (double)n;
}

static double run_cross(int64_t n) {
    atomic_store(&cross_count, 0);
    int64_t t0 = now_ns();
    for (int64_t i = 0; i < n; i++) {
        Tick t = {.n = i};
        hale_bus_publish(CROSS, &t, 0);
    }
    while (atomic_load_explicit(&cross_count, memory_order_acquire) < n) {
        hale_yield();
    }
    return (double)(now_ns() - t0) / (double)n;
}

static void sub_on(void *arg) {
    static Aggregator dummy;
    hale_bus_sub_spec sp = {.locus = &dummy, .handler = on_cross};
    hale_bus_subscribe(CROSS, &sp);
    *(_Atomic int *)arg = 1;
}

static double best(double a, double b) {
    return a < b ? a : b;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 15;
    hale_sched_init(NULL);
    char err[200];
    if (hale_bus_boot(table, NTOPICS, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    static Aggregator tick, heap, keyed[1000], plain, fan[1000];
    hale_bus_sub_spec sp = {.locus = &tick, .handler = on_tick};
    hale_bus_subscribe(TICK, &sp);
    sp = (hale_bus_sub_spec){.locus = &heap, .handler = on_msg};
    hale_bus_subscribe(HEAP, &sp);
    for (int64_t k = 0; k < 1000; k++) {
        sp = (hale_bus_sub_spec){
            .locus = &keyed[k], .handler = on_tick, .match = HALE_BUS_MATCH_KEY, .key = &k};
        hale_bus_subscribe(KEYED, &sp);
        sp = (hale_bus_sub_spec){.locus = &fan[k], .handler = on_tick};
        hale_bus_subscribe(FAN, &sp);
    }
    sp = (hale_bus_sub_spec){.locus = &plain, .handler = on_tick};
    hale_bus_subscribe(PLAIN, &sp);
    static _Atomic int ready;
    hale_post_call(hale_pool_pinned("consumer", NULL), sub_on, (void *)&ready);
    while (!atomic_load(&ready)) {
        hale_yield();
    }

    const int64_t N = 100000;
    double d_hale = 1e30, d_c = 1e30, d_heap = 1e30, d_keyed = 1e30, d_plain = 1e30;
    double d_fan = 1e30, d_cross = 1e30, d_hot = 1e30;
    for (int r = 0; r < rounds; r++) {
        d_hale = best(d_hale, run_publish(TICK, N, 0, &tick, N));
        d_c = best(d_c, run_c(N));
        d_heap = best(d_heap, run_heap(N, &heap));
        /* one keyed subscriber per publish: count only the one that gets key 0 */
        int64_t before = 0;
        for (int k = 0; k < 1000; k++) {
            before += keyed[k].count;
        }
        double k_ns = run_publish(KEYED, N, 1000, &keyed[0], N / 1000);
        int64_t after = 0;
        for (int k = 0; k < 1000; k++) {
            after += keyed[k].count;
        }
        if (after - before != N) {
            fprintf(stderr, "bus bench: keyed publishes reached %lld\n",
                    (long long)(after - before));
            return 1;
        }
        d_keyed = best(d_keyed, k_ns);
        d_hot = best(d_hot, run_publish(KEYED, N, 1, &keyed[0], N)); /* key 0 every time */
        d_plain = best(d_plain, run_publish(PLAIN, N, 1000, &plain, N));
        d_fan = best(d_fan, run_publish(FAN, 1000, 0, &fan[0], 1000));
        if (r < 5) {
            d_cross = best(d_cross, run_cross(1000000));
        }
    }
    printf("dispatch_hale %.2f\n", d_hale);
    printf("dispatch_c %.2f\n", d_c);
    printf("dispatch_heap %.2f\n", d_heap);
    printf("keyed_1of1000 %.2f\n", d_keyed);
    printf("keyed_hot %.2f\n", d_hot);
    printf("unkeyed_1of1 %.2f\n", d_plain);
    printf("fanout_1000 %.2f\n", d_fan);
    printf("cross_thread %.2f\n", d_cross);
    hale_bus_shutdown();
    hale_sched_shutdown();
    return 0;
}
