/* Cross-thread ping-pong latency: one message bounced between two pinned threads.
 *
 *   hale:     two pinned pools (cores 0 and 1); each handler posts the message back to the other
 *             pool with hale_post (MPSC inbox + ev_async wakeup).
 *   baseline: two pthreads pinned the same way, each blocking in read() on its own eventfd and
 *             writing the other's: the least a kernel-mediated wakeup can cost.
 *   free:     the same two pthreads with no CPU affinity, the baseline for loci placed `pinned`
 *             without cores (a thread of their own, wherever the kernel runs it): on a busy
 *             machine a thread bound to one core waits for that core, a free one does not, so
 *             only like compared with like gives a stable ratio.
 * Prints "pingpong_hale_ns=X pingpong_eventfd_ns=Y pingpong_eventfd_free_ns=Z" (nanoseconds per
 * round trip). Usage: sched_bench_pingpong [ROUND_TRIPS] */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "scheduler.h"

static long rounds;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- hale ---- */

static hale_pool *side[2];
static long hops; /* touched by whichever side holds the ball */

typedef struct {
    hale_msg msg;
    int at;
} ball;

static void bounce(hale_msg *m) {
    ball *b = (ball *)m;
    if (++hops >= 2 * rounds) {
        return; /* the run ends when nothing is in flight */
    }
    b->at ^= 1;
    hale_post(side[b->at], &b->msg);
}

static double hale_rtt_ns(void) {
    hale_sched_init(NULL);
    hale_cpus c0, c1;
    hale_cpus_clear(&c0);
    hale_cpus_clear(&c1);
    hale_cpus_add(&c0, 0);
    hale_cpus_add(&c1, 1);
    side[0] = hale_pool_pinned("ping", &c0);
    side[1] = hale_pool_pinned("pong", &c1);
    static ball b = {.msg = {.fn = bounce}, .at = 0};
    hops = 0;
    double t0 = now_s();
    hale_post(side[0], &b.msg);
    hale_sched_run();
    double t = now_s() - t0;
    hale_sched_shutdown();
    return t / (double)rounds * 1e9;
}

/* ---- pthread + eventfd ---- */

static int efd[2];
static int bind_cores; /* pin the players to cores 0 and 1 */

static void pin(int cpu) {
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

static void *player(void *arg) {
    int me = (int)(intptr_t)arg;
    if (bind_cores) {
        pin(me);
    }
    uint64_t v;
    for (long i = 0; i < rounds; i++) {
        if (me == 0 && write(efd[1], &(uint64_t){1}, 8) != 8) {
            abort();
        }
        if (read(efd[me], &v, 8) != 8) {
            abort();
        }
        if (me == 1 && write(efd[0], &(uint64_t){1}, 8) != 8) {
            abort();
        }
    }
    return NULL;
}

static double eventfd_rtt_ns(int bound) {
    bind_cores = bound;
    efd[0] = eventfd(0, 0);
    efd[1] = eventfd(0, 0);
    pthread_t th[2];
    double t0 = now_s();
    for (int i = 0; i < 2; i++) {
        pthread_create(&th[i], NULL, player, (void *)(intptr_t)i);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
    }
    double t = now_s() - t0;
    close(efd[0]);
    close(efd[1]);
    return t / (double)rounds * 1e9;
}

int main(int argc, char **argv) {
    rounds = argc > 1 ? atol(argv[1]) : 200000;
    double base = eventfd_rtt_ns(1);
    double free_base = eventfd_rtt_ns(0);
    double ours = hale_rtt_ns();
    printf("pingpong_hale_ns=%.0f pingpong_eventfd_ns=%.0f pingpong_eventfd_free_ns=%.0f\n", ours,
           base, free_base);
    return 0;
}
