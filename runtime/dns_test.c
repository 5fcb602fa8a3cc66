/* dns.h: numeric hosts never leave the caller, a name outside any pool is the blocking lookup, and
 * a name looked up from a coroutine goes to a resolver thread while another coroutine on the same
 * pool keeps running (the resolver is held by the test hook until it has seen that coroutine
 * advance); a cancelled lookup returns ECANCELED and is finished and freed by the resolver; a
 * tcp connect by name goes the same way. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dns.h"
#include "scheduler.h"
#include "tcp.h"

static struct addrinfo stream_hints(void) {
    struct addrinfo h;
    memset(&h, 0, sizeof h);
    h.ai_family = AF_UNSPEC;
    h.ai_socktype = SOCK_STREAM;
    h.ai_flags = AI_NUMERICSERV;
    return h;
}

static void test_numeric_and_no_pool(void **state) {
    (void)state;
    struct addrinfo h = stream_hints(), *ai = NULL;
    int64_t before = hale_dns_offloaded();
    assert_int_equal(hale_dns_resolve("127.0.0.1", "80", &h, &ai), 0);
    assert_non_null(ai);
    freeaddrinfo(ai);
    assert_int_equal(hale_dns_resolve("::1", "80", &h, &ai), 0);
    freeaddrinfo(ai);
    /* a thread with no pool: the plain lookup, nothing handed off */
    assert_int_equal(hale_dns_resolve("localhost", "80", &h, &ai), 0);
    assert_non_null(ai);
    freeaddrinfo(ai);
    assert_int_equal(hale_dns_resolve("127.0.0.1", "not-a-port", &h, &ai), EAI_NONAME);
    assert_int_equal(hale_dns_offloaded(), before);
}

/* ---- a lookup in flight while the pool runs on ---- */

static atomic_long ticks;
static atomic_bool lookup_done, hook_timed_out;
static atomic_long ticks_seen_by_hook = -1;
static char hooked_host[64];

static void sleep_ms(int ms) {
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* Holds the lookup until the ticker has advanced three times (bounded: gives up after ~20 s and
 * says so, so a broken scheduler fails the test instead of hanging it). */
static void hold_until_ticks(const char *host) {
    snprintf(hooked_host, sizeof hooked_host, "%s", host ? host : "");
    for (int i = 0; atomic_load(&ticks) < 3; i++) {
        if (i == 20000) {
            atomic_store(&hook_timed_out, true);
            break;
        }
        sleep_ms(1);
    }
    atomic_store(&ticks_seen_by_hook, atomic_load(&ticks));
}

static int lookup_rc = -100;
static int64_t offloaded_in_lookup;

static void looker(void *arg) {
    (void)arg;
    struct addrinfo h = stream_hints(), *ai = NULL;
    int64_t before = hale_dns_offloaded();
    lookup_rc = hale_dns_resolve("localhost", "8080", &h, &ai);
    offloaded_in_lookup = hale_dns_offloaded() - before;
    if (ai) {
        struct sockaddr *sa = ai->ai_addr;
        assert_true(sa->sa_family == AF_INET || sa->sa_family == AF_INET6);
        freeaddrinfo(ai);
    }
    atomic_store(&lookup_done, true);
}

static void ticker(void *arg) {
    (void)arg;
    for (int i = 0; i < 100000 && !atomic_load(&lookup_done); i++) {
        atomic_fetch_add(&ticks, 1);
        hale_sleep(1000000);
    }
}

static void test_pool_runs_during_lookup(void **state) {
    (void)state;
    hale_dns_set_test_hook(hold_until_ticks);
    hale_sched_init(NULL);
    hale_spawn(hale_pool_main(), looker, NULL, NULL);
    hale_spawn(hale_pool_main(), ticker, NULL, NULL);
    hale_sched_run();
    hale_sched_shutdown();
    hale_dns_set_test_hook(NULL);
    assert_false(atomic_load(&hook_timed_out));
    assert_string_equal(hooked_host, "localhost");
    assert_int_equal(lookup_rc, 0);
    assert_int_equal(offloaded_in_lookup, 1);
    /* the other coroutine advanced while the lookup was held on the resolver thread */
    assert_true(atomic_load(&ticks_seen_by_hook) >= 3);
}

/* ---- a cancelled lookup ---- */

static atomic_bool release_resolver, resolver_entered;
static hale_co *waiting;
static int cancelled_rc, cancelled_errno;

static void hold_until_released(const char *host) {
    (void)host;
    atomic_store(&resolver_entered, true);
    for (int i = 0; i < 20000 && !atomic_load(&release_resolver); i++) {
        sleep_ms(1);
    }
}

static void cancelled_looker(void *arg) {
    (void)arg;
    struct addrinfo h = stream_hints(), *ai = NULL;
    cancelled_rc = hale_dns_resolve("localhost", "80", &h, &ai);
    cancelled_errno = errno;
    assert_null(ai);
}

static void canceller(void *arg) {
    (void)arg;
    for (int i = 0; i < 20000 && !atomic_load(&resolver_entered); i++) {
        hale_sleep(1000000);
    }
    hale_cancel(waiting);
}

static void test_cancelled_lookup(void **state) {
    (void)state;
    hale_dns_set_test_hook(hold_until_released);
    hale_sched_init(NULL);
    waiting = hale_spawn(hale_pool_main(), cancelled_looker, NULL, NULL);
    hale_spawn(hale_pool_main(), canceller, NULL, NULL);
    hale_sched_run();
    hale_sched_shutdown();
    assert_true(atomic_load(&resolver_entered));
    assert_int_equal(cancelled_rc, EAI_SYSTEM);
    assert_int_equal(cancelled_errno, ECANCELED);
    atomic_store(&release_resolver, true); /* the resolver finishes and frees the lookup */
    hale_dns_set_test_hook(NULL);
}

/* ---- tcp connect by name from a coroutine ---- */

static hale_tcp_listener lst;
static int connect_rc = -100, accepted = -100, bad_rc = -100;
static hale_io_error bad_err;

static void acceptor(void *arg) {
    (void)arg;
    hale_tcp_stream s;
    hale_io_error e;
    accepted = hale_tcp_accept(&lst, &s, &e);
    if (accepted == 0) {
        hale_tcp_close(&s);
    }
}

static void connector(void *arg) {
    (void)arg;
    hale_tcp_stream s;
    hale_io_error e;
    connect_rc = hale_tcp_connect("localhost", hale_tcp_listener_port(&lst), &s, &e);
    if (connect_rc == 0) {
        hale_tcp_close(&s);
    }
    bad_rc = hale_tcp_connect("no.such.host.invalid", 80, &s, &bad_err);
}

static void test_tcp_connect_by_name(void **state) {
    (void)state;
    hale_io_error e;
    /* an IPv4 listener: "localhost" yields 127.0.0.1 among its addresses, tried in turn */
    assert_int_equal(hale_tcp_listen("127.0.0.1", 0, 0, &lst, &e), 0);
    int64_t before = hale_dns_offloaded();
    hale_sched_init(NULL);
    hale_spawn(hale_pool_main(), acceptor, NULL, NULL);
    hale_spawn(hale_pool_main(), connector, NULL, NULL);
    hale_sched_run();
    hale_sched_shutdown();
    hale_tcp_listener_close(&lst);
    assert_int_equal(connect_rc, 0);
    assert_int_equal(accepted, 0);
    assert_int_equal(bad_rc, -1);
    assert_non_null(strstr(bad_err.message, "no.such.host.invalid"));
    assert_int_equal(hale_dns_offloaded() - before, 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numeric_and_no_pool),
        cmocka_unit_test(test_pool_runs_during_lookup),
        cmocka_unit_test(test_cancelled_lookup),
        cmocka_unit_test(test_tcp_connect_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
