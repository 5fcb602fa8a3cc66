/* A fast producer against the bus must not grow memory without bound (Hale's GH #125 shape),
 * and HALE_BUS_COUNTERS_DUMP=1 prints the counters when the program exits.
 *
 *   local   a handler publishes 2M messages (strings inside) to a subscriber on its own thread:
 *           the thread queue is capped (HALE_BUS_LOCAL_CAP) and the publisher drains it itself
 *   remote  the main thread publishes 2M messages to a subscriber on a pinned pool: the mailbox
 *           is capped (HALE_BUS_MAILBOX_CAP) and the publisher waits for the consumer
 * Each must deliver everything, in order, with RSS growth under 64 MiB (2M queued copies would
 * be about 400 MiB). The program then exits with the bus still up, so the dump comes from the
 * exit hook. Prints one line per phase: "PHASE delivered=N rss_growth_kib=K". */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "diag.h"
#include "scheduler.h"

#define N 2000000
#define LIMIT_KIB (64 * 1024)

typedef struct {
    int64_t n;
    hale_str user;
    hale_str text;
} Msg;
static const hale_field msg_fields[] = {{"n", offsetof(Msg, n), &hale_type_int},
                                        {"user", offsetof(Msg, user), &hale_type_string},
                                        {"text", offsetof(Msg, text), &hale_type_string}};
static const hale_type T_Msg = {.kind = HALE_T_RECORD,
                                .name = "Msg",
                                .size = sizeof(Msg),
                                .align = _Alignof(Msg),
                                .flat = false,
                                .fields = msg_fields,
                                .nfields = 3};

enum { START, LOCAL, REMOTE, NTOPICS };
static const hale_bus_topic_desc table[NTOPICS] = {
    [START] = {.name = "Start", .subject = "bus.flood.start", .payload = &hale_type_int},
    [LOCAL] = {.name = "Local", .subject = "bus.flood.local", .payload = &T_Msg},
    [REMOTE] = {.name = "Remote", .subject = "bus.flood.remote", .payload = &T_Msg},
};

static const char text[] = "a message long enough to make an unbounded queue obvious in RSS: "
                           "0123456789abcdef0123456789abcdef";

static _Atomic int64_t got[NTOPICS];
static _Atomic int64_t order_errors;

static void on_msg(void *locus, const void *payload) {
    _Atomic int64_t *count = locus;
    const Msg *m = payload;
    if (m->n != atomic_load(count) || m->text.len != (int64_t)strlen(text)) {
        atomic_fetch_add(&order_errors, 1);
    }
    atomic_fetch_add(count, 1);
}

static void publish_all(int topic) {
    for (int64_t i = 0; i < N; i++) {
        Msg m = {.n = i, .user = HALE_STR_LIT("producer"), .text = {text, (int64_t)strlen(text)}};
        hale_bus_publish(topic, &m, 0);
    }
}

static void on_start(void *locus, const void *payload) {
    (void)locus;
    (void)payload;
    publish_all(LOCAL); /* inside a handler: every delivery queues on this thread */
}

static void subscribe_remote(void *arg) {
    hale_bus_sub_spec sp = {.locus = &got[REMOTE], .handler = on_msg};
    hale_bus_subscribe(REMOTE, &sp);
    atomic_store((_Atomic int *)arg, 1);
}

static int check(const char *phase, int topic, int64_t rss0) {
    int64_t growth = (hale_process_rss_bytes() - rss0) / 1024;
    int64_t n = atomic_load(&got[topic]);
    printf("%s delivered=%lld rss_growth_kib=%lld\n", phase, (long long)n, (long long)growth);
    if (n != N || atomic_load(&order_errors) != 0 || growth > LIMIT_KIB) {
        fprintf(stderr, "bus flood %s: delivered %lld of %d, %lld out of order, RSS +%lld KiB\n",
                phase, (long long)n, N, (long long)atomic_load(&order_errors), (long long)growth);
        return 1;
    }
    return 0;
}

int main(void) {
    hale_sched_init(NULL);
    char err[200];
    if (hale_bus_boot(table, NTOPICS, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    hale_bus_sub_spec sp = {.locus = NULL, .handler = on_start};
    hale_bus_subscribe(START, &sp);
    sp = (hale_bus_sub_spec){.locus = &got[LOCAL], .handler = on_msg};
    hale_bus_subscribe(LOCAL, &sp);
    static _Atomic int ready;
    hale_post_call(hale_pool_pinned("sink", NULL), subscribe_remote, (void *)&ready);
    while (!atomic_load(&ready)) {
        hale_yield();
    }

    int64_t rss0 = hale_process_rss_bytes();
    int64_t go = 1;
    hale_bus_publish(START, &go, 0);
    hale_bus_settle_point(); /* where a Hale function that published would return */
    if (check("local", LOCAL, rss0)) {
        return 1;
    }
    rss0 = hale_process_rss_bytes();
    publish_all(REMOTE);
    if (hale_bus_quiesce((int64_t)60 * 1000 * 1000 * 1000) != 0 || check("remote", REMOTE, rss0)) {
        return 1;
    }
    fflush(stdout);
    exit(0); /* the bus is still up: HALE_BUS_COUNTERS_DUMP=1 prints from the exit hook */
}
