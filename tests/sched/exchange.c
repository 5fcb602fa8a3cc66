/* A million messages between two cooperative pools and two pinned threads.
 *
 * Four endpoints (pools "alpha" and "beta", pinned "p0" on core 0 and "p1" on core 1) each run
 * a sender coroutine that posts to each of the other three in turn, yielding every burst so its
 * own pool also handles what arrives. Every message is preallocated and carries (from, to, seq).
 * The receiving handler checks it runs on the receiver's own thread, that seq is exactly the
 * next one for that pair (order kept), and that the message was not delivered before (no
 * duplicate); at the end every pair must have received every seq (nothing lost).
 *
 * Usage: sched_exchange [PER_PAIR]   (default 83334: 12 pairs, 1,000,008 messages) */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "scheduler.h"

#define ENDPOINTS 4
#define BURST 512

typedef struct {
    hale_msg msg;
    uint8_t from, to;
    _Atomic uint8_t delivered;
    uint32_t seq;
} message;

static hale_pool *pools[ENDPOINTS];
static message *box[ENDPOINTS][ENDPOINTS];
static uint32_t next_seq[ENDPOINTS][ENDPOINTS]; /* [to][from], receiver-owned */
static _Atomic long errors;
static uint32_t per_pair;

static void fail(const char *what, const message *m) {
    if (atomic_fetch_add(&errors, 1) < 10) {
        fprintf(stderr, "exchange: %s (from %d to %d seq %u)\n", what, m->from, m->to, m->seq);
    }
}

static void on_message(hale_msg *hm) {
    message *m = (message *)hm;
    if (hale_pool_current() != pools[m->to]) {
        fail("handled on the wrong thread", m);
    }
    if (atomic_exchange(&m->delivered, 1)) {
        fail("duplicate", m);
    }
    if (next_seq[m->to][m->from] != m->seq) {
        fail("out of order", m);
    }
    next_seq[m->to][m->from] = m->seq + 1;
}

static void sender(void *arg) {
    int from = (int)(intptr_t)arg;
    uint32_t sent = 0;
    while (sent < per_pair) {
        for (int k = 0; k < BURST && sent < per_pair; k++, sent++) {
            for (int to = 0; to < ENDPOINTS; to++) {
                if (to == from) {
                    continue;
                }
                message *m = &box[from][to][sent];
                if (hale_post(pools[to], &m->msg) != 0) {
                    fail("post refused", m);
                }
            }
        }
        hale_yield();
    }
}

int main(int argc, char **argv) {
    per_pair = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 83334;
    for (int f = 0; f < ENDPOINTS; f++) {
        for (int t = 0; t < ENDPOINTS; t++) {
            if (f == t) {
                continue;
            }
            box[f][t] = calloc(per_pair, sizeof(message));
            if (!box[f][t]) {
                perror("calloc");
                return 2;
            }
            for (uint32_t i = 0; i < per_pair; i++) {
                message *m = &box[f][t][i];
                m->msg.fn = on_message;
                m->from = (uint8_t)f;
                m->to = (uint8_t)t;
                m->seq = i;
            }
        }
    }
    hale_sched_init(NULL);
    hale_cpus c0, c1;
    hale_cpus_clear(&c0);
    hale_cpus_clear(&c1);
    hale_cpus_add(&c0, 0);
    hale_cpus_add(&c1, 1);
    pools[0] = hale_pool_cooperative("alpha", NULL);
    pools[1] = hale_pool_cooperative("beta", NULL);
    pools[2] = hale_pool_pinned("p0", &c0);
    pools[3] = hale_pool_pinned("p1", &c1);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < ENDPOINTS; i++) {
        bool ok;
        hale_spawn(pools[i], sender, (void *)(intptr_t)i, &ok);
        if (!ok) {
            fprintf(stderr, "exchange: cannot spawn on %s\n", hale_pool_name(pools[i]));
            return 2;
        }
    }
    int stopped = hale_sched_run();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long total = 0, lost = 0;
    for (int f = 0; f < ENDPOINTS; f++) {
        for (int t = 0; t < ENDPOINTS; t++) {
            if (f == t) {
                continue;
            }
            if (next_seq[t][f] != per_pair) {
                fprintf(stderr, "exchange: pair %d->%d got %u of %u\n", f, t, next_seq[t][f],
                        per_pair);
            }
            for (uint32_t i = 0; i < per_pair; i++) {
                total += atomic_load(&box[f][t][i].delivered);
                lost += !atomic_load(&box[f][t][i].delivered);
            }
            free(box[f][t]);
        }
    }
    hale_pool_stats st;
    long handled = 0;
    for (int i = 0; i < ENDPOINTS; i++) {
        hale_pool_stats_get(pools[i], &st);
        handled += st.handled;
    }
    hale_sched_shutdown();
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("exchange: %ld messages delivered, %ld lost, %ld errors, %.2f s (%.0f msg/s)\n", total,
           lost, atomic_load(&errors), secs, (double)total / secs);
    long expected = (long)per_pair * ENDPOINTS * (ENDPOINTS - 1);
    if (stopped || lost || atomic_load(&errors) || total != expected || handled < expected) {
        fprintf(stderr, "exchange: FAILED\n");
        return 1;
    }
    return 0;
}
