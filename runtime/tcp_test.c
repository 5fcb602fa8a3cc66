/* std::io::tcp on loopback, inside the scheduler: an echo round trip between coroutines, clean
 * end of stream, recv_into a growing buffer, and each failure as an IoError with its kind:
 * refused, address in use, reset by the peer, broken pipe without SIGPIPE, cancelled accept,
 * recv timeout, use after close; a send deadline, shutdown waking a parked reader, and accept
 * waiting out a lack of descriptors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "scheduler.h"
#include "tcp.h"

#define MS ((int64_t)1000000)

static hale_tcp_listener lst;
static int port;

static void listen_any(void) {
    hale_io_error err;
    assert_int_equal(hale_tcp_listen("127.0.0.1", 0, 0, &lst, &err), 0);
    port = hale_tcp_listener_port(&lst);
    assert_true(port > 0);
}

/* ---- echo round trip, EOF, recv_into ---- */

static void echo_once(void *arg) {
    (void)arg;
    hale_tcp_stream s;
    hale_io_error err;
    assert_int_equal(hale_tcp_accept(&lst, &s, &err), 0);
    assert_int_equal(hale_tcp_set_nodelay(&s, true, &err), 0);
    char buf[4096];
    int64_t n;
    while ((n = hale_tcp_recv(&s, buf, sizeof buf, &err)) > 0) {
        assert_int_equal(hale_tcp_send(&s, buf, (size_t)n, &err), 0);
    }
    assert_int_equal(n, 0); /* clean end of stream */
    hale_tcp_close(&s);
    hale_tcp_close(&s); /* twice is harmless */
}

typedef struct {
    uint8_t *data;
    size_t len, cap;
} growbuf;

static uint8_t *gb_reserve(void *ctx, size_t min, size_t *avail) {
    growbuf *b = ctx;
    if (b->cap - b->len < min) {
        size_t cap = b->cap ? b->cap : 16;
        while (cap - b->len < min) {
            cap *= 2;
        }
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            return NULL;
        }
        b->data = d;
        b->cap = cap;
    }
    *avail = b->cap - b->len;
    return b->data + b->len;
}

static void gb_commit(void *ctx, size_t n) {
    ((growbuf *)ctx)->len += n;
}

#define PAYLOAD (300 * 1000)

static void echo_client(void *arg) {
    (void)arg;
    hale_tcp_stream s;
    hale_io_error err;
    assert_int_equal(hale_tcp_connect("127.0.0.1", port, &s, &err), 0);
    char *out = malloc(PAYLOAD);
    for (int i = 0; i < PAYLOAD; i++) {
        out[i] = (char)(i * 7);
    }
    /* large enough that send parks on a full socket while the server echoes back */
    growbuf in = {0};
    hale_tcp_sink sink = {&in, gb_reserve, gb_commit};
    size_t sent = 0;
    while (sent < PAYLOAD) {
        size_t chunk = PAYLOAD - sent < 50000 ? PAYLOAD - sent : 50000;
        assert_int_equal(hale_tcp_send(&s, out + sent, chunk, &err), 0);
        sent += chunk;
        while (in.len < sent) {
            assert_true(hale_tcp_recv_into(&s, &sink, 8192, &err) > 0);
        }
    }
    assert_int_equal(hale_tcp_shutdown_write(&s, &err), 0);
    char c;
    assert_int_equal(hale_tcp_recv(&s, &c, 1, &err), 0);
    assert_int_equal(in.len, PAYLOAD);
    assert_memory_equal(in.data, out, PAYLOAD);
    hale_tcp_close(&s);
    assert_int_equal(hale_tcp_send(&s, "x", 1, &err), -1);
    assert_string_equal(err.kind, "invalid");
    free(in.data);
    free(out);
}

static void test_echo_round_trip(void **state) {
    (void)state;
    hale_sched_init(NULL);
    listen_any();
    hale_spawn(hale_pool_main(), echo_once, NULL, NULL);
    hale_spawn(hale_pool_main(), echo_client, NULL, NULL);
    assert_int_equal(hale_sched_run(), 0);
    hale_tcp_listener_close(&lst);
    hale_sched_shutdown();
}

/* ---- errors ---- */

static void test_refused_and_in_use(void **state) {
    (void)state;
    hale_sched_init(NULL);
    listen_any();
    hale_tcp_listener second;
    hale_io_error err;
    assert_int_equal(hale_tcp_listen("127.0.0.1", port, 0, &second, &err), -1);
    assert_string_equal(err.kind, "address_in_use");
    assert_int_equal(err.err, EADDRINUSE);
    assert_non_null(strstr(err.message, "listen 127.0.0.1:"));
    hale_tcp_listener_close(&lst);
    hale_tcp_stream s;
    assert_int_equal(hale_tcp_connect("127.0.0.1", port, &s, &err), -1); /* nothing listens */
    assert_string_equal(err.kind, "connection_refused");
    assert_int_equal(s.fd, -1);
    assert_int_equal(hale_tcp_connect("127.0.0.1", 0, &s, &err), -1);
    assert_string_equal(err.kind, "invalid");
    assert_int_equal(hale_tcp_connect("", 80, &s, &err), -1);
    assert_string_equal(err.kind, "invalid");
    hale_sched_shutdown();
}

static void reset_then_write(void *arg) {
    (void)arg;
    hale_tcp_stream s;
    hale_io_error err;
    assert_int_equal(hale_tcp_accept(&lst, &s, &err), 0);
    char buf[64];
    assert_int_equal(hale_tcp_recv(&s, buf, sizeof buf, &err), 5);
    hale_sleep(20 * MS); /* the peer resets meanwhile */
    int64_t n = hale_tcp_recv(&s, buf, sizeof buf, &err);
    assert_int_equal(n, -1);
    assert_string_equal(err.kind, "connection_reset");
    /* writing into the dead connection: an error, never SIGPIPE */
    int rc = 0;
    for (int i = 0; i < 100 && rc == 0; i++) {
        rc = hale_tcp_send(&s, buf, sizeof buf, &err);
    }
    assert_int_equal(rc, -1);
    assert_true(strcmp(err.kind, "broken_pipe") == 0 || strcmp(err.kind, "connection_reset") == 0);
    hale_tcp_close(&s);
}

static void resetting_client(void *arg) {
    (void)arg;
    hale_tcp_stream s;
    hale_io_error err;
    assert_int_equal(hale_tcp_connect("127.0.0.1", port, &s, &err), 0);
    assert_int_equal(hale_tcp_send(&s, "hello", 5, &err), 0);
    hale_sleep(5 * MS);
    struct linger lg = {1, 0};
    setsockopt(s.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    hale_tcp_close(&s); /* RST */
}

static void test_reset_and_broken_pipe(void **state) {
    (void)state;
    hale_sched_init(NULL);
    listen_any();
    hale_spawn(hale_pool_main(), reset_then_write, NULL, NULL);
    hale_spawn(hale_pool_main(), resetting_client, NULL, NULL);
    assert_int_equal(hale_sched_run(), 0);
    hale_tcp_listener_close(&lst);
    hale_sched_shutdown();
}

static int accept_rc;
static const char *accept_kind;
static int64_t timeout_rc;

static void blocked_acceptor(void *arg) {
    (void)arg;
    hale_tcp_stream s;
    hale_io_error err;
    accept_rc = hale_tcp_accept(&lst, &s, &err);
    accept_kind = err.kind;
}

static void silent_peer_reader(void *arg) {
    (void)arg;
    hale_tcp_stream s;
    hale_io_error err;
    hale_tcp_listener l2;
    assert_int_equal(hale_tcp_listen("127.0.0.1", 0, 0, &l2, &err), 0);
    hale_tcp_stream c;
    assert_int_equal(hale_tcp_connect("127.0.0.1", hale_tcp_listener_port(&l2), &c, &err), 0);
    assert_int_equal(hale_tcp_accept(&l2, &s, &err), 0);
    s.recv_timeout_ns = 20 * MS;
    char buf[8];
    timeout_rc = hale_tcp_recv(&s, buf, sizeof buf, &err);
    hale_tcp_close(&s);
    hale_tcp_close(&c);
    hale_tcp_listener_close(&l2);
}

static void test_cancelled_accept_and_timeout(void **state) {
    (void)state;
    hale_sched_init(NULL);
    listen_any();
    hale_co *a = hale_spawn(hale_pool_main(), blocked_acceptor, NULL, NULL);
    hale_spawn(hale_pool_main(), silent_peer_reader, NULL, NULL);
    hale_sleep(30 * MS); /* everything parks; nothing connects to lst */
    hale_cancel(a);
    assert_int_equal(hale_sched_run(), 0);
    assert_int_equal(accept_rc, -1);
    assert_string_equal(accept_kind, "cancelled");
    assert_int_equal(timeout_rc, HALE_TCP_TIMEOUT);
    hale_tcp_listener_close(&lst);
    hale_sched_shutdown();
}

/* ---- send deadline, shutdown ---- */

static int send_rc;
static const char *send_kind;
static int64_t sent_before_timeout;
static int64_t woken_rc;
static hale_tcp_stream reader_side;

/* The peer never reads: a send bigger than both socket buffers meets its deadline. */
static void stalled_sender(void *arg) {
    (void)arg;
    hale_tcp_stream c, s;
    hale_io_error err;
    assert_int_equal(hale_tcp_connect("127.0.0.1", port, &c, &err), 0);
    assert_int_equal(hale_tcp_accept(&lst, &s, &err), 0);
    int small = 4096;
    setsockopt(s.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    s.send_timeout_ns = 50 * MS;
    static char big[8 << 20];
    send_rc = hale_tcp_send(&s, big, sizeof big, &err);
    send_kind = err.kind;
    sent_before_timeout = 1;
    hale_tcp_close(&s);
    hale_tcp_close(&c);
}

/* A reader parked on a stream, woken by another coroutine's shutdown of the same fd. */
static void parked_reader(void *arg) {
    (void)arg;
    hale_io_error err;
    char buf[8];
    woken_rc = hale_tcp_recv(&reader_side, buf, sizeof buf, &err);
}

static void shutter(void *arg) {
    (void)arg;
    hale_sleep(20 * MS);
    hale_tcp_stream borrowed = {.fd = reader_side.fd}; /* as a borrowed Stream does */
    hale_tcp_shutdown(&borrowed);
}

static void test_send_deadline_and_shutdown(void **state) {
    (void)state;
    hale_sched_init(NULL);
    listen_any();
    hale_spawn(hale_pool_main(), stalled_sender, NULL, NULL);
    assert_int_equal(hale_sched_run(), 0);
    assert_int_equal(sent_before_timeout, 1);
    assert_int_equal(send_rc, -1);
    assert_string_equal(send_kind, "timeout");

    hale_tcp_stream c;
    hale_io_error err;
    assert_int_equal(hale_tcp_connect("127.0.0.1", port, &c, &err), 0);
    assert_int_equal(hale_tcp_accept(&lst, &reader_side, &err), 0);
    woken_rc = -99;
    hale_spawn(hale_pool_main(), parked_reader, NULL, NULL);
    hale_spawn(hale_pool_main(), shutter, NULL, NULL);
    assert_int_equal(hale_sched_run(), 0);
    assert_int_equal(woken_rc, 0); /* end of stream, though the peer is still connected */
    hale_tcp_close(&reader_side);
    hale_tcp_close(&c);
    hale_tcp_listener_close(&lst);
    hale_sched_shutdown();
}

/* ---- accept backpressure: out of descriptors it waits for one ---- */

static int fill_fds[64];
static int nfill;
static int emfile_accept_rc = -99;

static void acceptor_out_of_fds(void *arg) {
    (void)arg;
    hale_tcp_stream s;
    hale_io_error err;
    emfile_accept_rc = hale_tcp_accept(&lst, &s, &err);
    hale_tcp_close(&s);
}

static void fd_giver(void *arg) {
    (void)arg;
    hale_sleep(120 * MS); /* a couple of the acceptor's backoffs */
    close(fill_fds[--nfill]);
}

static void test_accept_waits_for_a_descriptor(void **state) {
    (void)state;
    hale_sched_init(NULL);
    listen_any();
    hale_tcp_stream c;
    hale_io_error err;
    assert_int_equal(hale_tcp_connect("127.0.0.1", port, &c, &err), 0); /* queued in backlog */
    struct rlimit old, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    int probe = dup(0);
    low = old;
    low.rlim_cur = (rlim_t)probe + 8; /* a little headroom, then fill it */
    close(probe);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    int fd;
    while (nfill < 64 && (fd = dup(0)) >= 0) {
        fill_fds[nfill++] = fd;
    }
    assert_true(nfill > 0 && nfill < 64);
    hale_spawn(hale_pool_main(), acceptor_out_of_fds, NULL, NULL);
    hale_spawn(hale_pool_main(), fd_giver, NULL, NULL);
    assert_int_equal(hale_sched_run(), 0);
    assert_int_equal(emfile_accept_rc, 0); /* waited, then got it: no error, no spin */
    while (nfill > 0) {
        close(fill_fds[--nfill]);
    }
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
    hale_tcp_close(&c);
    hale_tcp_listener_close(&lst);
    hale_sched_shutdown();
}

/* Outside the scheduler (a thread with no pool) the same calls simply block. */
static void test_works_without_a_pool(void **state) {
    (void)state;
    listen_any();
    hale_tcp_stream c, s;
    hale_io_error err;
    assert_int_equal(hale_tcp_connect("127.0.0.1", port, &c, &err), 0);
    assert_int_equal(hale_tcp_accept(&lst, &s, &err), 0);
    assert_int_equal(hale_tcp_send(&c, "ping", 4, &err), 0);
    char buf[8];
    assert_int_equal(hale_tcp_recv(&s, buf, sizeof buf, &err), 4);
    assert_memory_equal(buf, "ping", 4);
    hale_tcp_close(&c);
    assert_int_equal(hale_tcp_recv(&s, buf, sizeof buf, &err), 0);
    hale_tcp_close(&s);
    hale_tcp_listener_close(&lst);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_round_trip),
        cmocka_unit_test(test_refused_and_in_use),
        cmocka_unit_test(test_reset_and_broken_pipe),
        cmocka_unit_test(test_cancelled_accept_and_timeout),
        cmocka_unit_test(test_send_deadline_and_shutdown),
        cmocka_unit_test(test_accept_waits_for_a_descriptor),
        cmocka_unit_test(test_works_without_a_pool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
