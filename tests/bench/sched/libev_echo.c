/* The churn baseline: a plain single-threaded libev echo server, written the way one writes it
 * by hand (an accept watcher, one ev_io per connection, read-then-write, malloc per connection).
 * Same protocol as tests/sched/echo_server.c: prints "port N", echoes, closes at end of stream.
 * Usage: sched_bench_libev_echo [PORT] */
#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE (16 * 1024)

typedef struct {
    ev_io io;
    char buf[BUF_SIZE];
} conn;

static void conn_end(struct ev_loop *loop, conn *c) {
    ev_io_stop(loop, &c->io);
    close(c->io.fd);
    free(c);
}

static void on_readable(struct ev_loop *loop, ev_io *w, int revents) {
    (void)revents;
    conn *c = (conn *)w;
    ssize_t n = recv(w->fd, c->buf, sizeof c->buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        conn_end(loop, c);
        return;
    }
    ssize_t off = 0;
    while (off < n) { /* echo fully; a short write waits (blocking-style, as simple servers do) */
        ssize_t w2 = send(w->fd, c->buf + off, (size_t)(n - off), MSG_NOSIGNAL);
        if (w2 > 0) {
            off += w2;
        } else if (w2 < 0 && (errno == EAGAIN || errno == EINTR)) {
            fd_set ws;
            FD_ZERO(&ws);
            FD_SET(w->fd, &ws);
            select(w->fd + 1, NULL, &ws, NULL, NULL);
        } else {
            conn_end(loop, c);
            return;
        }
    }
}

static void on_accept(struct ev_loop *loop, ev_io *w, int revents) {
    (void)revents;
    for (;;) {
        int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            return;
        }
        conn *c = malloc(sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        ev_io_init(&c->io, on_readable, fd, EV_READ);
        ev_io_start(loop, &c->io);
    }
}

static void on_term(struct ev_loop *loop, ev_signal *w, int revents) {
    (void)w;
    (void)revents;
    ev_break(loop, EVBREAK_ALL);
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 0;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, SOMAXCONN) != 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &len) != 0) {
        perror("libev_echo");
        return 2;
    }
    struct ev_loop *loop = ev_default_loop(0);
    ev_io acc;
    ev_io_init(&acc, on_accept, lfd, EV_READ);
    ev_io_start(loop, &acc);
    ev_signal term;
    ev_signal_init(&term, on_term, SIGTERM);
    ev_signal_start(loop, &term);
    printf("port %d\n", ntohs(a.sin_port));
    fflush(stdout);
    ev_run(loop, 0);
    return 0;
}
