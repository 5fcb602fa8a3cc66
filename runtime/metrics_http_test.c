/* The /metrics HTTP server on a real libev loop (its own thread) and real loopback TCP: a scrape
 * and its headers, HEAD, the other paths, methods and malformed or oversized requests, a request
 * that arrives in pieces, idle clients that must not hold up a scrape, the connection cap, and
 * addresses that are malformed or taken. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "metrics_http.h"
#include "test_http.h"

static const char body_text[] = "# TYPE up gauge\nup 1\n";
static _Atomic int renders;

static void render(hale_mtext *body, void *ctx) {
    (void)ctx;
    renders++;
    hale_mtext_append(body, body_text, strlen(body_text));
}

/* A server on a loop of its own thread, stopped through an ev_async. */
typedef struct {
    struct ev_loop *loop;
    ev_async stop;
    hale_mhttp *h;
    pthread_t thread;
    int port;
} server;

static void stop_cb(struct ev_loop *loop, ev_async *w, int revents) {
    (void)revents;
    server *s = w->data;
    hale_mhttp_close(s->h);
    ev_async_stop(loop, w);
    ev_break(loop, EVBREAK_ALL);
}

static void *loop_main(void *arg) {
    server *s = arg;
    ev_run(s->loop, 0);
    return NULL;
}

static void server_start(server *s) {
    char err[256];
    s->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
    assert_non_null(s->loop);
    s->h = hale_mhttp_open(s->loop, "127.0.0.1:0", render, NULL, err, sizeof err);
    assert_non_null(s->h);
    s->port = test_http_port(hale_mhttp_address(s->h));
    assert_true(s->port > 0);
    ev_async_init(&s->stop, stop_cb);
    s->stop.data = s;
    ev_async_start(s->loop, &s->stop);
    assert_int_equal(pthread_create(&s->thread, NULL, loop_main, s), 0);
}

static void server_stop(server *s) {
    ev_async_send(s->loop, &s->stop);
    pthread_join(s->thread, NULL);
    ev_loop_destroy(s->loop);
}

static char answer[32768];

static void test_scrape(void **state) {
    (void)state;
    server s;
    server_start(&s);
    int before = renders;
    assert_true(
        test_http(s.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", answer, sizeof answer) > 0);
    assert_true(strncmp(answer, "HTTP/1.1 200 OK\r\n", 17) == 0);
    assert_non_null(
        strstr(answer, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
    char want[64];
    snprintf(want, sizeof want, "\r\nContent-Length: %zu\r\n", strlen(body_text));
    assert_non_null(strstr(answer, want));
    assert_non_null(strstr(answer, "\r\nConnection: close\r\n"));
    assert_string_equal(test_http_body(answer), body_text);
    assert_int_equal(renders, before + 1);
    /* a query string is fine; HTTP/1.0 too */
    test_http(s.port, "GET /metrics?x=1 HTTP/1.0\r\n\r\n", answer, sizeof answer);
    assert_string_equal(test_http_body(answer), body_text);
    /* HEAD: the same headers, no body */
    test_http(s.port, "HEAD /metrics HTTP/1.1\r\n\r\n", answer, sizeof answer);
    assert_non_null(strstr(answer, want));
    assert_string_equal(test_http_body(answer), "");
    server_stop(&s);
}

static void test_other_requests(void **state) {
    (void)state;
    server s;
    server_start(&s);
    int before = renders;
    test_http(s.port, "GET / HTTP/1.1\r\n\r\n", answer, sizeof answer);
    assert_true(strncmp(answer, "HTTP/1.1 200 OK\r\n", 17) == 0);
    assert_non_null(strstr(test_http_body(answer), "/metrics"));
    test_http(s.port, "GET /metricsx HTTP/1.1\r\n\r\n", answer, sizeof answer);
    assert_true(strncmp(answer, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
    test_http(s.port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", answer, sizeof answer);
    assert_true(strncmp(answer, "HTTP/1.1 405 Method Not Allowed\r\n", 33) == 0);
    assert_non_null(strstr(answer, "\r\nAllow: GET, HEAD\r\n"));
    const char *bad[] = {"hello\r\n\r\n", "GET /metrics\r\n\r\n", "GET  /metrics HTTP/1.1\r\n\r\n",
                         "GET /metrics SPDY/3\r\n\r\n", "GET /metrics HTTP/1.1 x\r\n\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        test_http(s.port, bad[i], answer, sizeof answer);
        assert_true(strncmp(answer, "HTTP/1.1 400 Bad Request\r\n", 26) == 0);
    }
    /* a head that never ends within 8 KiB */
    static char big[9000];
    memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
    memset(big + 26, 'a', sizeof big - 27);
    test_http(s.port, big, answer, sizeof answer);
    assert_true(strncmp(answer, "HTTP/1.1 431 ", 13) == 0);
    assert_int_equal(renders, before); /* none of these rendered the metrics */
    server_stop(&s);
}

static void test_request_in_pieces_and_idle_clients(void **state) {
    (void)state;
    server s;
    server_start(&s);
    /* clients that connect and say nothing must not hold up anyone */
    int idle[5];
    for (int i = 0; i < 5; i++) {
        idle[i] = test_http_connect(s.port);
        assert_true(idle[i] >= 0);
    }
    int fd = test_http_connect(s.port);
    const char *parts[] = {"GE", "T /metr", "ics HTTP/1.1\r\n", "Host: x\r\n", "\r\n"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(send(fd, parts[i], strlen(parts[i]), MSG_NOSIGNAL),
                         (ssize_t)strlen(parts[i]));
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    test_http_read_all(fd, answer, sizeof answer);
    close(fd);
    assert_string_equal(test_http_body(answer), body_text);
    for (int i = 0; i < 5; i++) {
        close(idle[i]);
    }
    server_stop(&s);
}

static void test_connection_cap(void **state) {
    (void)state;
    server s;
    server_start(&s);
    int fds[40];
    for (int i = 0; i < 40; i++) {
        fds[i] = test_http_connect(s.port);
        assert_true(fds[i] >= 0);
    }
    /* past 32 open connections the server closes new ones at once: they read end of file */
    struct timeval tv = {5, 0};
    setsockopt(fds[39], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char c;
    assert_int_equal(recv(fds[39], &c, 1, 0), 0);
    for (int i = 0; i < 40; i++) {
        close(fds[i]);
    }
    /* once they are gone, scrapes are served again */
    for (int tries = 0;; tries++) {
        test_http(s.port, "GET /metrics HTTP/1.1\r\n\r\n", answer, sizeof answer);
        const char *b = test_http_body(answer);
        if (b && strcmp(b, body_text) == 0) {
            break;
        }
        assert_true(tries < 100);
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    server_stop(&s);
}

static void test_addresses(void **state) {
    (void)state;
    char err[256];
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
    static const struct {
        const char *addr, *why;
    } bad[] = {
        {"9464", "expected HOST:PORT"},
        {"127.0.0.1:", "the port must be a number from 0 to 65535"},
        {"127.0.0.1:99999", "the port must be a number from 0 to 65535"},
        {"127.0.0.1:94x", "the port must be a number"},
        {"::1:9464", "an IPv6 address goes in brackets"},
        {"[::1", "expected [ADDRESS]:PORT"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(hale_mhttp_open(loop, bad[i].addr, render, NULL, err, sizeof err));
        assert_non_null(strstr(err, bad[i].why));
        assert_non_null(strstr(err, "metrics address '"));
        assert_int_equal(hale_mhttp_check_address(bad[i].addr, err, sizeof err), -1);
        assert_non_null(strstr(err, bad[i].why));
    }
    assert_int_equal(hale_mhttp_check_address("[::1]:0", err, sizeof err), 0);
    assert_int_equal(hale_mhttp_check_address(":9464", err, sizeof err), 0);
    /* an address someone already listens on */
    hale_mhttp *a = hale_mhttp_open(loop, "127.0.0.1:0", render, NULL, err, sizeof err);
    assert_non_null(a);
    assert_null(hale_mhttp_open(loop, hale_mhttp_address(a), render, NULL, err, sizeof err));
    assert_non_null(strstr(err, "cannot listen: Address already in use"));
    hale_mhttp_close(a);
    hale_mhttp_close(NULL);
    ev_loop_destroy(loop);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scrape),
        cmocka_unit_test(test_other_requests),
        cmocka_unit_test(test_request_in_pieces_and_idle_clients),
        cmocka_unit_test(test_connection_cap),
        cmocka_unit_test(test_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
