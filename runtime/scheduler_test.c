/* The scheduler on real threads and real libev loops: coroutine order, parking on timers and
 * fds, sleeping without starving the pool, cross-thread wakes and cancels, stop and shutdown,
 * placement, and stack reuse under coroutine churn. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "region.h"
#include "scheduler.h"

#define MS ((int64_t)1000000)

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- order: spawn and yield ---- */

static char order_log[32];
static int order_len;

static void yielder(void *arg) {
    char c = (char)(intptr_t)arg;
    for (int i = 0; i < 3; i++) {
        order_log[order_len++] = c;
        hale_yield();
    }
}

static void test_yield_interleaves(void **state) {
    (void)state;
    hale_sched_init(NULL);
    order_len = 0;
    assert_non_null(hale_spawn(hale_pool_main(), yielder, (void *)(intptr_t)'a', NULL));
    assert_non_null(hale_spawn(hale_pool_main(), yielder, (void *)(intptr_t)'b', NULL));
    assert_int_equal(hale_sched_run(), 0); /* the work ran out */
    order_log[order_len] = 0;
    assert_string_equal(order_log, "ababab");
    hale_sched_shutdown();
}

/* ---- a thousand sleepers on one pool ---- */

/* All thousand are spawned and parked first, then released at once, so the figure is the
 * sleeping alone (spawning a coroutine is slow under ThreadSanitizer, and not what this
 * measures). */
#define SLEEPERS 1000
static _Atomic int woke;
static hale_co *sleepers[SLEEPERS];
static int64_t release_ns;
static _Atomic int64_t last_wake_ns;

static int64_t sleep_for(int i) {
    return (100 + (i % 91) * 10) * MS; /* 100ms .. 1s: long enough that load is noise */
}

static void sleeper(void *arg) {
    int i = (int)(intptr_t)arg;
    sleepers[i] = hale_co_self();
    assert_int_equal(hale_park(), 0);
    int64_t t0 = now_ns();
    assert_int_equal(hale_sleep(sleep_for(i)), 0);
    int64_t t1 = now_ns();
    assert_true(t1 - t0 >= sleep_for(i) - MS); /* never early (libev rounds to ~1ms) */
    int64_t prev = atomic_load(&last_wake_ns);
    while (t1 > prev && !atomic_compare_exchange_weak(&last_wake_ns, &prev, t1)) {
    }
    atomic_fetch_add(&woke, 1);
}

static void releaser(void *arg) {
    (void)arg; /* spawned after every sleeper on the same pool: they have all parked */
    release_ns = now_ns();
    for (int i = 0; i < SLEEPERS; i++) {
        hale_wake(sleepers[i]);
    }
}

static void test_thousand_sleepers_overlap(void **state) {
    (void)state;
    hale_sched_init(NULL);
    hale_pool *p = hale_pool_cooperative("sleepers", NULL);
    atomic_store(&woke, 0);
    atomic_store(&last_wake_ns, 0);
    int64_t longest = 0;
    for (int i = 0; i < SLEEPERS; i++) {
        longest = sleep_for(i) > longest ? sleep_for(i) : longest;
        bool ok;
        hale_spawn(p, sleeper, (void *)(intptr_t)i, &ok);
        assert_true(ok);
    }
    hale_spawn(p, releaser, NULL, NULL);
    assert_int_equal(hale_sched_run(), 0);
    int64_t took = atomic_load(&last_wake_ns) - release_ns;
    assert_int_equal(atomic_load(&woke), SLEEPERS);
    assert_true(took >= longest - MS);
    assert_true(took < 10 * longest); /* one after another would be ~55s */
    hale_pool_stats st;
    hale_pool_stats_get(p, &st);
    assert_int_equal(st.spawned, SLEEPERS + 1);
    assert_int_equal(st.exited, SLEEPERS + 1);
    hale_sched_shutdown();
}

/* ---- sleeping on the main pool keeps draining work sent to it ---- */

#define FLOOD 1000
static int handled_on_main; /* main thread only */
static int handled_when_woke;

static void count_on_main(void *arg) {
    assert_ptr_equal(hale_pool_current(), hale_pool_main());
    (void)arg;
    handled_on_main++;
}

static void flooder(void *arg) {
    (void)arg;
    for (int i = 0; i < FLOOD; i++) {
        assert_int_equal(hale_post_call(hale_pool_main(), count_on_main, NULL), 0);
        if (i % 100 == 0) {
            hale_sleep(1 * MS);
        }
    }
}

/* Sleeps in steps until everything posted has been handled (or 30 s pass). handled_on_main only
 * moves while this thread is inside hale_sleep, so reaching FLOOD shows sleep drained the work. */
static void sleep_until_flood_handled(void) {
    for (int step = 0; step < 300 && handled_on_main < FLOOD; step++) {
        int before = handled_on_main;
        assert_int_equal(hale_sleep(100 * MS), 0);
        assert_true(handled_on_main >= before);
    }
}

static void main_sleeper(void *arg) {
    (void)arg;
    sleep_until_flood_handled();
    handled_when_woke = handled_on_main;
}

static void test_sleep_on_main_keeps_draining(void **state) {
    (void)state;
    hale_sched_init(NULL);
    handled_on_main = 0;
    hale_spawn(hale_pool_main(), main_sleeper, NULL, NULL);
    hale_spawn(hale_pool_cooperative("flood", NULL), flooder, NULL, NULL);
    assert_int_equal(hale_sched_run(), 0);
    assert_int_equal(handled_when_woke, FLOOD);
    hale_sched_shutdown();
}

/* The same outside any coroutine: plain code on the main thread calling sleep. */
static void test_plain_sleep_on_main_keeps_draining(void **state) {
    (void)state;
    hale_sched_init(NULL);
    handled_on_main = 0;
    hale_spawn(hale_pool_cooperative("flood", NULL), flooder, NULL, NULL);
    int64_t t0 = now_ns();
    assert_int_equal(hale_sleep(100 * MS), 0);
    assert_true(now_ns() - t0 >= 99 * MS);
    sleep_until_flood_handled();
    assert_int_equal(handled_on_main, FLOOD);
    assert_int_equal(hale_sched_run(), 0);
    hale_sched_shutdown();
}

/* ---- park / wake across threads ---- */

static hale_co *parked_co;
static _Atomic int park_result = -1;
static _Atomic int parked_ready;

static void parker(void *arg) {
    (void)arg;
    parked_co = hale_co_self();
    atomic_store(&parked_ready, 1);
    hale_wake(hale_co_self()); /* a wake before park is not lost */
    assert_int_equal(hale_park(), 0);
    atomic_store(&park_result, hale_park()); /* this one waits for the other pool */
}

static void waker(void *arg) {
    (void)arg;
    while (!atomic_load(&parked_ready)) {
        hale_sleep(1 * MS);
    }
    hale_sleep(20 * MS);
    assert_int_equal(atomic_load(&park_result), -1); /* still parked */
    hale_wake(parked_co);
}

static void test_cross_thread_wake(void **state) {
    (void)state;
    hale_sched_init(NULL);
    atomic_store(&parked_ready, 0);
    atomic_store(&park_result, -1);
    hale_spawn(hale_pool_cooperative("a", NULL), parker, NULL, NULL);
    hale_spawn(hale_pool_cooperative("b", NULL), waker, NULL, NULL);
    assert_int_equal(hale_sched_run(), 0);
    assert_int_equal(atomic_load(&park_result), 0);
    hale_sched_shutdown();
}

/* ---- cancel ---- */

static hale_co *victim;
static int victim_first, victim_second;

static void long_sleeper(void *arg) {
    (void)arg;
    victim_first = hale_sleep(60 * 1000 * MS);
    victim_second = hale_sleep(1 * MS); /* cancellation sticks */
    assert_true(hale_cancelled());
}

static void canceller(void *arg) {
    (void)arg;
    hale_sleep(10 * MS);
    hale_cancel(victim);
}

static void test_cancel_ends_waits(void **state) {
    (void)state;
    hale_sched_init(NULL);
    victim = hale_spawn(hale_pool_main(), long_sleeper, NULL, NULL);
    hale_spawn(hale_pool_cooperative("c", NULL), canceller, NULL, NULL);
    int64_t t0 = now_ns();
    assert_int_equal(hale_sched_run(), 0);
    assert_true(now_ns() - t0 < 30 * 1000 * MS);
    assert_int_equal(victim_first, -HALE_ECANCELED);
    assert_int_equal(victim_second, -HALE_ECANCELED);
    hale_sched_shutdown();
}

/* ---- waiting for an fd ---- */

static int pipefd[2];
static int fd_result, fd_timeout_result;

static void reader(void *arg) {
    (void)arg;
    fd_timeout_result = hale_wait_fd(pipefd[0], HALE_READABLE, 5 * MS);
    fd_result = hale_wait_fd(pipefd[0], HALE_READABLE, -1);
    char c;
    assert_int_equal(read(pipefd[0], &c, 1), 1);
    assert_int_equal(c, 'x');
}

static void writer(void *arg) {
    (void)arg;
    hale_sleep(30 * MS);
    assert_int_equal(write(pipefd[1], "x", 1), 1);
}

static void test_wait_fd(void **state) {
    (void)state;
    hale_sched_init(NULL);
    assert_int_equal(pipe(pipefd), 0);
    hale_spawn(hale_pool_main(), reader, NULL, NULL);
    hale_spawn(hale_pool_main(), writer, NULL, NULL);
    assert_int_equal(hale_sched_run(), 0);
    assert_int_equal(fd_timeout_result, 0);
    assert_int_equal(fd_result, HALE_READABLE);
    close(pipefd[0]);
    close(pipefd[1]);
    hale_sched_shutdown();
}

/* ---- each coroutine has its own scratch ---- */

static hale_scratch *seen_scratch[2];

static void scratch_user(void *arg) {
    int i = (int)(intptr_t)arg;
    seen_scratch[i] = hale_scratch_current();
    hale_region *r = hale_scratch_side(seen_scratch[i], 0);
    char *p = hale_alloc(r, 1000);
    memset(p, i, 1000);
    hale_yield();
    assert_ptr_equal(hale_scratch_current(), seen_scratch[i]);
    for (int k = 0; k < 1000; k++) {
        assert_int_equal(p[k], i); /* the other coroutine did not reuse it */
    }
}

static void test_scratch_per_coroutine(void **state) {
    (void)state;
    hale_sched_init(NULL);
    hale_scratch *mine = hale_scratch_current();
    seen_scratch[0] = seen_scratch[1] = NULL;
    hale_spawn(hale_pool_main(), scratch_user, (void *)(intptr_t)0, NULL);
    hale_spawn(hale_pool_main(), scratch_user, (void *)(intptr_t)1, NULL);
    assert_int_equal(hale_sched_run(), 0);
    assert_non_null(seen_scratch[0]);
    assert_non_null(seen_scratch[1]);
    assert_ptr_not_equal(seen_scratch[0], seen_scratch[1]);
    assert_ptr_not_equal(seen_scratch[0], mine);
    assert_ptr_equal(hale_scratch_current(), mine);
    hale_sched_shutdown();
}

/* ---- stop and shutdown ---- */

static _Atomic int forever_exited;

static void forever(void *arg) {
    (void)arg;
    while (hale_sleep(5 * MS) == 0) {
    }
    atomic_fetch_add(&forever_exited, 1);
}

static void *stopper(void *arg) {
    (void)arg;
    usleep(50 * 1000);
    hale_sched_stop();
    return NULL;
}

static void test_stop_then_shutdown_cancels(void **state) {
    (void)state;
    hale_sched_init(NULL);
    atomic_store(&forever_exited, 0);
    hale_spawn(hale_pool_main(), forever, NULL, NULL);
    hale_spawn(hale_pool_cooperative("w", NULL), forever, NULL, NULL);
    hale_spawn(hale_pool_pinned("p", NULL), forever, NULL, NULL);
    pthread_t t;
    pthread_create(&t, NULL, stopper, NULL);
    assert_int_equal(hale_sched_run(), 1);
    assert_true(hale_sched_stopping());
    pthread_join(t, NULL);
    hale_sched_shutdown();
    assert_int_equal(atomic_load(&forever_exited), 3);
}

/* ---- signals run ordinary code on the main thread ---- */

static int usr1_seen;
static pthread_t main_thread;

static void on_usr1(void *arg) {
    assert_true(pthread_equal(pthread_self(), main_thread));
    assert_ptr_equal(hale_pool_current(), hale_pool_main());
    usr1_seen += (int)(intptr_t)arg;
    hale_sched_stop();
}

static void raiser(void *arg) {
    (void)arg;
    hale_sleep(10 * MS);
    kill(getpid(), SIGUSR1); /* delivered to whichever thread: handled on main */
    while (hale_sleep(5 * MS) == 0) {
    }
}

static void test_signal_hook(void **state) {
    (void)state;
    hale_sched_init(NULL);
    main_thread = pthread_self();
    usr1_seen = 0;
    hale_sched_on_signal(SIGUSR1, on_usr1, (void *)(intptr_t)1);
    hale_spawn(hale_pool_cooperative("raiser", NULL), raiser, NULL, NULL);
    assert_int_equal(hale_sched_run(), 1);
    assert_int_equal(usr1_seen, 1);
    hale_sched_shutdown(); /* cancels the raiser, restores SIGUSR1 */
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    assert_ptr_equal(sa.sa_handler, SIG_DFL);
}

/* ---- placement ---- */

static hale_pool *ran_on[4];

static void where_am_i(void *arg) {
    int i = (int)(intptr_t)arg;
    ran_on[i] = hale_pool_current();
}

static void test_placement_table(void **state) {
    (void)state;
    hale_sched_init(NULL);
    hale_placement t[5];
    memset(t, 0, sizeof t);
    t[0] = (hale_placement){.locus = "metrics", .kind = HALE_POOL_COOPERATIVE, .pool = "io"};
    t[1] = (hale_placement){.locus = "logs", .kind = HALE_POOL_COOPERATIVE, .pool = "io"};
    hale_cpus_add(&t[1].cpus, 0); /* declared on a later entry: the pool still gets it */
    t[2] = (hale_placement){.locus = "gateway", .kind = HALE_POOL_PINNED};
    hale_cpus_add_range(&t[2].cpus, 0, 1, true);
    t[3] = (hale_placement){.locus = "ui", .kind = HALE_POOL_PINNED};
    t[4] = (hale_placement){.locus = "app", .kind = HALE_POOL_COOPERATIVE, .pool = "main"};
    hale_pool *pools[5];
    hale_sched_place(t, 5, pools);
    assert_ptr_equal(pools[0], pools[1]);
    assert_ptr_not_equal(pools[2], pools[3]);
    assert_ptr_equal(pools[4], hale_pool_main());
    assert_int_equal(hale_pool_kind_of(pools[0]), HALE_POOL_COOPERATIVE);
    assert_int_equal(hale_pool_kind_of(pools[2]), HALE_POOL_PINNED);
    assert_string_equal(hale_pool_name(pools[2]), "gateway");
    hale_cpus got;
    hale_pool_cpus(pools[0], &got);
    assert_true(hale_cpus_has(&got, 0) || hale_cpus_empty(&got)); /* best effort */
    hale_pool_cpus(pools[2], &got);
    assert_true(hale_cpus_count(&got) <= 2);
    hale_pool_cpus(pools[3], &got);
    assert_true(hale_cpus_empty(&got));
    for (int i = 0; i < 4; i++) {
        hale_spawn(pools[i], where_am_i, (void *)(intptr_t)i, NULL);
    }
    assert_int_equal(hale_sched_run(), 0);
    for (int i = 0; i < 4; i++) {
        assert_ptr_equal(ran_on[i], pools[i]);
    }
    hale_sched_shutdown();
}

/* ---- churn: stacks are reused, not remapped ---- */

#define CHURN 20000
static int churned;

static void short_lived(void *arg) {
    (void)arg;
    churned++;
    hale_yield();
}

static void churner(void *arg) {
    (void)arg;
    for (int i = 0; i < CHURN; i++) {
        hale_spawn(hale_pool_current(), short_lived, NULL, NULL);
        if (i % 8 == 0) {
            hale_yield();
        }
    }
}

static void test_stacks_reused_under_churn(void **state) {
    (void)state;
    hale_sched_init(NULL);
    churned = 0;
    hale_spawn(hale_pool_main(), churner, NULL, NULL);
    assert_int_equal(hale_sched_run(), 0);
    assert_int_equal(churned, CHURN);
    hale_pool_stats st;
    hale_pool_stats_get(hale_pool_main(), &st);
    assert_int_equal(st.spawned, CHURN + 1);
    assert_true(st.stack_maps < 64); /* bounded by concurrency, not by count */
    assert_true(st.stack_reuses > CHURN - 64);
    hale_sched_shutdown();
}

/* ---- idle worker pools do not keep run() alive ---- */

static void test_idle_pools_are_quiescent(void **state) {
    (void)state;
    hale_sched_init(NULL);
    hale_pool *p = hale_pool_cooperative("idle", NULL);
    hale_pool_pinned("idle-pinned", NULL);
    assert_int_equal(hale_post_call(p, where_am_i, (void *)(intptr_t)0), 0);
    assert_int_equal(hale_sched_run(), 0);
    assert_ptr_equal(ran_on[0], p);
    hale_pool_stats st;
    hale_pool_stats_get(p, &st);
    assert_int_equal(st.handled, st.posted);
    hale_sched_shutdown();
}

/* ---- work flowing between pools does not wake the main thread; the end always does ---- */

#define HOPS 10000

typedef struct {
    hale_msg msg;
    hale_pool *side[2];
    int at;
    int hops;
} ball;

static void bounce(hale_msg *m) {
    ball *b = (ball *)m;
    if (++b->hops >= HOPS) {
        return;
    }
    b->at ^= 1;
    assert_int_equal(hale_post(b->side[b->at], &b->msg), 0);
}

static void test_ping_pong_leaves_main_asleep(void **state) {
    (void)state;
    hale_sched_init(NULL);
    static ball b;
    b = (ball){.msg = {.fn = bounce}};
    b.side[0] = hale_pool_pinned("ping", NULL);
    b.side[1] = hale_pool_pinned("pong", NULL);
    hale_pool_stats before, after;
    hale_pool_stats_get(hale_pool_main(), &before);
    assert_int_equal(hale_post(b.side[0], &b.msg), 0);
    assert_int_equal(hale_sched_run(), 0);
    hale_pool_stats_get(hale_pool_main(), &after);
    assert_int_equal(b.hops, HOPS);
    /* each pool idles between hops, but the other holds the ball: only the end pokes (a poke a
     * millisecond, as before, is dozens here) */
    assert_true(after.batches - before.batches <= 10);
    hale_sched_shutdown();
}

static _Atomic int finished;

static void finish(void *arg) {
    (void)arg;
    atomic_fetch_add(&finished, 1);
}

/* Two pools that go idle at the same moment: whichever sees the other still busy stays quiet,
 * so the other must see it done and poke, or run() never returns (the test's timeout). */
static void test_pools_ending_together_end_the_run(void **state) {
    (void)state;
    hale_sched_init(NULL);
    hale_pool *p[2] = {hale_pool_pinned("a", NULL), hale_pool_pinned("b", NULL)};
    for (int round = 0; round < 300; round++) {
        atomic_store(&finished, 0);
        for (int i = 0; i < 2; i++) {
            assert_int_equal(hale_post_call(p[i], finish, NULL), 0);
        }
        assert_int_equal(hale_sched_run(), 0);
        assert_int_equal(atomic_load(&finished), 2);
    }
    hale_sched_shutdown();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yield_interleaves),
        cmocka_unit_test(test_thousand_sleepers_overlap),
        cmocka_unit_test(test_sleep_on_main_keeps_draining),
        cmocka_unit_test(test_plain_sleep_on_main_keeps_draining),
        cmocka_unit_test(test_cross_thread_wake),
        cmocka_unit_test(test_cancel_ends_waits),
        cmocka_unit_test(test_wait_fd),
        cmocka_unit_test(test_scratch_per_coroutine),
        cmocka_unit_test(test_stop_then_shutdown_cancels),
        cmocka_unit_test(test_signal_hook),
        cmocka_unit_test(test_placement_table),
        cmocka_unit_test(test_stacks_reused_under_churn),
        cmocka_unit_test(test_idle_pools_are_quiescent),
        cmocka_unit_test(test_ping_pong_leaves_main_asleep),
        cmocka_unit_test(test_pools_ending_together_end_the_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
