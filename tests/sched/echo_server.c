/* A TCP echo server on the scheduler, the C shape of Hale's examples/echo: an acceptor
 * coroutine on the cooperative pool "io", and one coroutine per connection (a flow child) on the
 * same pool, each with its own region created at accept and freed when the connection ends.
 *
 * It prints "port N" on stdout once listening. SIGTERM/SIGINT stop it: shutdown cancels the
 * acceptor and every connection (their pending recv/send return "cancelled"), and the process
 * exits 0 only if every accepted connection was closed and its region freed. Usage:
 *   sched_echo_server [PORT [POOL]]   (default 0: an ephemeral port; POOL default "io", "main"
 *                                      runs everything on the main thread) */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "region.h"
#include "scheduler.h"
#include "tcp.h"

#define BUF_SIZE (16 * 1024)

typedef struct {
    hale_region *region;
    hale_tcp_stream stream;
} conn;

static hale_tcp_listener listener;
static hale_region *server_region;
static int64_t accepted, closed, failed; /* pool "io" only */

static void conn_run(void *arg) {
    conn *c = arg;
    uint8_t *buf = hale_alloc(c->region, BUF_SIZE);
    hale_io_error err;
    for (;;) {
        int64_t n = hale_tcp_recv(&c->stream, buf, BUF_SIZE, &err);
        if (n <= 0) {
            failed += n < 0;
            break; /* end of stream, reset, or cancelled */
        }
        if (hale_tcp_send(&c->stream, buf, (size_t)n, &err) != 0) {
            failed++;
            break;
        }
    }
    hale_tcp_close(&c->stream);
    hale_region_free(c->region); /* the connection's memory goes back at once */
    closed++;
}

static void acceptor(void *arg) {
    (void)arg;
    for (;;) {
        hale_tcp_stream s;
        hale_io_error err;
        if (hale_tcp_accept(&listener, &s, &err) != 0) {
            if (err.err == HALE_ECANCELED) {
                break;
            }
            fprintf(stderr, "echo_server: %s\n", err.message);
            hale_sleep(10 * 1000 * 1000); /* e.g. out of fds: back off, keep serving */
            continue;
        }
        hale_region *r = hale_region_new(server_region, "connection");
        conn *c = hale_alloc(r, sizeof *c);
        c->region = r;
        c->stream = s;
        accepted++;
        if (!hale_spawn(hale_pool_current(), conn_run, c, NULL)) {
            hale_tcp_close(&c->stream);
            hale_region_free(r);
            closed++;
        }
    }
    hale_tcp_listener_close(&listener);
}

static void on_signal(void *arg) {
    (void)arg;
    hale_sched_stop();
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 0;
    hale_sched_init(NULL);
    hale_pool *io = hale_pool_cooperative(argc > 2 ? argv[2] : "io", NULL);
    hale_io_error err;
    if (hale_tcp_listen("127.0.0.1", port, 0, &listener, &err) != 0) {
        fprintf(stderr, "echo_server: %s\n", err.message);
        return 2;
    }
    server_region = hale_region_new(NULL, "echo server");
    hale_sched_on_signal(SIGTERM, on_signal, NULL);
    hale_sched_on_signal(SIGINT, on_signal, NULL);
    bool ok;
    hale_spawn(io, acceptor, NULL, &ok);
    printf("port %d\n", hale_tcp_listener_port(&listener));
    fflush(stdout);
    hale_sched_run();
    hale_sched_shutdown();
    hale_region_free(server_region);
    fprintf(stderr, "echo_server: accepted %lld, closed %lld, failed %lld\n", (long long)accepted,
            (long long)closed, (long long)failed);
    return ok && accepted == closed ? 0 : 1;
}
