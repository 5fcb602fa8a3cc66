/* The bounded socket close with real nng sockets (inproc): a close that nng finishes is waited
 * for and followed by its `after` step before returning; a close that nng cannot finish (here a
 * pipe callback held shut, which keeps nng_close waiting as a lost transfer would) is given up
 * on after the wait, its `after` step not run, and both finish on their own once nng does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>
#include <pthread.h>

#include <nng/nng.h>
#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/pipeline0/push.h>

#include "closer.h"

#if defined(__SANITIZE_THREAD__)
/* nng is not built with ThreadSanitizer (see binding_test.c). */
const char *__tsan_default_suppressions(void);
const char *__tsan_default_suppressions(void) {
    return "race:libnng.so\n";
}
#endif

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int ups;
    bool hold;   /* pipe removals wait while set */
    int afters;  /* `after` steps run */
    bool closed; /* the socket was closed when `after` ran */
} st = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false, 0, false};

static nng_socket pull_sock;

static void on_pipe(nng_pipe p, nng_pipe_ev ev, void *arg) {
    (void)p;
    (void)arg;
    pthread_mutex_lock(&st.mu);
    if (ev == NNG_PIPE_EV_ADD_POST) {
        st.ups++;
    } else {
        while (st.hold) {
            pthread_cond_wait(&st.cv, &st.mu);
        }
    }
    pthread_cond_broadcast(&st.cv);
    pthread_mutex_unlock(&st.mu);
}

static void after(void *arg) {
    (void)arg;
    int n = 0;
    pthread_mutex_lock(&st.mu);
    st.closed = nng_socket_get_int(pull_sock, NNG_OPT_RECVBUF, &n) == NNG_ECLOSED;
    st.afters++;
    pthread_cond_broadcast(&st.cv);
    pthread_mutex_unlock(&st.mu);
}

/* Waits (a hang guard, not a measurement) until *v reaches want. */
static bool wait_for(int *v, int want) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 20;
    pthread_mutex_lock(&st.mu);
    while (*v < want && pthread_cond_timedwait(&st.cv, &st.mu, &until) == 0) {
    }
    bool ok = *v >= want;
    pthread_mutex_unlock(&st.mu);
    return ok;
}

/* A pull listener with one push peer connected; returns the push socket. */
static nng_socket connected_pair(const char *url) {
    nng_socket push;
    pthread_mutex_lock(&st.mu);
    st.ups = 0;
    st.afters = 0;
    st.closed = false;
    pthread_mutex_unlock(&st.mu);
    assert_int_equal(nng_pull0_open(&pull_sock), 0);
    nng_pipe_notify(pull_sock, NNG_PIPE_EV_ADD_POST, on_pipe, NULL);
    nng_pipe_notify(pull_sock, NNG_PIPE_EV_REM_POST, on_pipe, NULL);
    assert_int_equal(nng_listen(pull_sock, url, NULL, 0), 0);
    assert_int_equal(nng_push0_open(&push), 0);
    assert_int_equal(nng_dial(push, url, NULL, 0), 0);
    assert_true(wait_for(&st.ups, 1));
    return push;
}

static void test_finished_close_is_waited_for(void **state) {
    (void)state;
    nng_socket push = connected_pair("inproc://closer-finished");
    assert_int_equal(tp_close_socket(pull_sock, after, NULL, TP_CLOSE_WAIT_MS), 0);
    assert_int_equal(st.afters, 1);
    assert_true(st.closed);
    assert_int_equal(tp_close_socket(push, NULL, NULL, TP_CLOSE_WAIT_MS), 0);
}

static void test_stuck_close_is_given_up_then_finishes(void **state) {
    (void)state;
    nng_socket push = connected_pair("inproc://closer-stuck");
    pthread_mutex_lock(&st.mu);
    st.hold = true;
    pthread_mutex_unlock(&st.mu);
    assert_int_equal(tp_close_socket(pull_sock, after, NULL, 100), -1);
    pthread_mutex_lock(&st.mu);
    assert_int_equal(st.afters, 0); /* nng_close has not returned: nothing freed under it */
    st.hold = false;
    pthread_cond_broadcast(&st.cv);
    pthread_mutex_unlock(&st.mu);
    assert_true(wait_for(&st.afters, 1));
    assert_true(st.closed);
    /* nng is going again, so the next close is waited for again. */
    assert_int_equal(tp_close_socket(push, NULL, NULL, TP_CLOSE_WAIT_MS), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finished_close_is_waited_for),
        cmocka_unit_test(test_stuck_close_is_given_up_then_finishes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
