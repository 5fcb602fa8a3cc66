/* std::http: the text forms, and a Server on the main pool serving a C handler to clients on
 * another thread over real loopback sockets (whole, split, pipelined, malformed, oversized and
 * truncated requests; shutdown from another thread). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "locus_impl.h"
#include "scheduler.h"
#include "std_http.h"
#include "str.h"

static hale_str S(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

#define EQ(a, b) assert_true(hale_str_eq((a), S(b)))

static void test_parse_request(void **state) {
    (void)state;
    hale_http_request r;
    hale_http_parse_request(
        S("POST /a?b=c HTTP/1.1\r\nHost: h\r\nX-Two:  v2 \r\n\r\nbody\r\n\r\nmore"), &r);
    EQ(r.method, "POST");
    EQ(r.path, "/a?b=c");
    EQ(r.version, "HTTP/1.1");
    EQ(r.headers, "Host: h\r\nX-Two:  v2 ");
    EQ(r.body, "body\r\n\r\nmore");
    EQ(hale_http_request_header(&r, S("x-two")), "v2");
    EQ(hale_http_request_header(&r, S("HOST")), "h");
    EQ(hale_http_request_header(&r, S("Hos")), "");
    hale_http_parse_request(S("GET /x\r\n\r\n"), &r);
    EQ(r.path, "/x");
    EQ(r.version, "");
    hale_http_parse_request(S("WORD\r\n\r\n"), &r);
    EQ(r.method, "");
    hale_http_parse_request(S("GET / HTTP/1.1\r\nHost: h"), &r); /* no blank line */
    EQ(r.headers, "Host: h");
    EQ(r.body, "");
    hale_http_parse_request(S(" / HTTP/1.1\r\n\r\n"), &r); /* empty method */
    EQ(r.method, "");
    EQ(hale_http_header_in(S(":novalue\r\nA:1\r\n"), S("a")), "1");
    EQ(hale_http_header_in(S("A:1\r\nA:2"), S("a")), "1"); /* the first */
}

static void test_write_response(void **state) {
    (void)state;
    hale_region *rg = hale_region_new(NULL, "t");
    hale_http_response r = {.status = 201, .headers = S("X-A: 1"), .body = S("hey")};
    EQ(hale_http_response_text(rg, &r),
       "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\n"
       "Content-Length: 3\r\nX-A: 1\r\nConnection: close\r\n\r\nhey");
    r = (hale_http_response){.status = 42, .content_type = S("a\r\nInjected: 1"), .body = S("")};
    hale_str t = hale_http_response_text(rg, &r);
    assert_true(hale_str_starts_with(t, S("HTTP/1.1 500 "))); /* out of range */
    assert_false(hale_str_contains(t, S("\r\nInjected")));    /* no header splitting */
    r = (hale_http_response){.status = 101, .headers = S("Upgrade: echo"), .takeover = true};
    EQ(hale_http_response_text(rg, &r),
       "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\n\r\n");
    r.takeover_raw = true;
    EQ(hale_http_response_text(rg, &r), "");
    hale_region_free(rg);
}

/* ---- a server with a C handler ---- */

static int handled;

static void echo_handle(hale_region *ho, hale_region *hm, void *self, const void *req, void *resp) {
    (void)hm;
    (void)self;
    const hale_http_request *q = req;
    hale_http_response *r = resp;
    handled++;
    memset(r, 0, sizeof *r);
    if (hale_str_eq(q->path, S("/slow"))) {
        hale_sleep(50000000); /* a handler that parks */
    }
    hale_str parts[3] = {q->method, S(" "), q->body};
    r->status = 200;
    r->body = hale_str_concat_n(ho, parts, 3);
}

static const hale_locus_type handler_type = {.name = "Echo", .std_handle = echo_handle};
static hale_locus handler = {.type = &handler_type};
static hale_http_server srv;

static void serve(void *arg) {
    (void)arg;
    hale_http_server_run(&srv, &handler);
}

static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* Sends the pieces (pausing between them), half-closes, reads to the end. */
static void exchange(int port, const char **pieces, int n, char *out, size_t cap) {
    int fd = dial(port);
    for (int i = 0; i < n; i++) {
        assert_int_equal(send(fd, pieces[i], strlen(pieces[i]), 0), (ssize_t)strlen(pieces[i]));
        usleep(20000);
    }
    shutdown(fd, SHUT_WR);
    size_t len = 0;
    ssize_t k;
    while (len + 1 < cap && (k = recv(fd, out + len, cap - 1 - len, 0)) > 0) {
        len += (size_t)k;
    }
    out[len] = 0;
    close(fd);
}

static void *client(void *arg) {
    int port = *(int *)arg;
    static char out[1 << 17];
    const char *split[] = {"POST /x HTTP/1.1\r\nContent-", "Length: 5\r\n\r\nhel", "lo"};
    exchange(port, split, 3, out, sizeof out);
    assert_non_null(strstr(out, "HTTP/1.1 200 OK"));
    assert_non_null(strstr(out, "\r\n\r\nPOST hello"));
    const char *two[] = {"GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 1\r\n\r\nz"};
    exchange(port, two, 1, out, sizeof out);
    char *second = strstr(out, "POST z");
    assert_non_null(strstr(out, "GET "));
    assert_non_null(second); /* answered in order */
    assert_true(strstr(out, "GET ") < second);
    const char *chunked[] = {"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"
                             "0\r\n\r\n"};
    exchange(port, chunked, 1, out, sizeof out);
    assert_non_null(strstr(out, "POST abc"));
    const char *bad[] = {"GET / HTTP/1.1\r\nBad Header Line\r\n\r\n"};
    exchange(port, bad, 1, out, sizeof out);
    assert_non_null(strstr(out, "400 Bad Request"));
    const char *big[] = {"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"};
    exchange(port, big, 1, out, sizeof out);
    assert_non_null(strstr(out, "413 Payload Too Large"));
    const char *cut[] = {"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"};
    exchange(port, cut, 1, out, sizeof out); /* truncated: closed without an answer */
    assert_int_equal(out[0], 0);
    const char *slow[] = {"GET /slow HTTP/1.1\r\n\r\n"};
    exchange(port, slow, 1, out, sizeof out);
    assert_non_null(strstr(out, "GET "));
    hale_http_server_shutdown(&srv); /* from another thread */
    return NULL;
}

static void test_server(void **state) {
    (void)state;
    hale_sched_init(NULL);
    hale_http_server_init(&srv);
    hale_http_server_birth(&srv, NULL, S("127.0.0.1"), 0, S(""), true, 0);
    int port = (int)hale_http_server_local_port(&srv);
    assert_true(port > 0);
    hale_spawn(hale_pool_main(), serve, NULL, NULL);
    pthread_t t;
    pthread_create(&t, NULL, client, &port);
    hale_sched_run();
    pthread_join(t, NULL);
    hale_http_server_dissolve(&srv);
    hale_sched_shutdown();
    assert_int_equal(handled, 5); /* the malformed, oversized and truncated ones never reach it */
    assert_int_equal(srv.nconns, 0);
    assert_int_equal(srv.accepted, 7);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_request),
        cmocka_unit_test(test_write_response),
        cmocka_unit_test(test_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
