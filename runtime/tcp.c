/* See tcp.h. Each operation is the nonblocking system call in a loop: EINTR retries, EAGAIN
 * waits (hale_wait_fd) for the right readiness and retries, anything else is the IoError. The
 * try-first order means a socket that is already readable or writable costs no event-loop round
 * trip at all. */
#include "tcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diag.h"
#include "dns.h"
#include "scheduler.h"
#include "std.h"

#define ACCEPT_BACKOFF_NS ((int64_t)50 * 1000 * 1000)

static void target(char *buf, size_t n, const char *host, int port) {
    snprintf(buf, n, "%s:%d", host && host[0] ? host : "0.0.0.0", port);
}

/* Waits for `events` on fd; 0 when ready, HALE_TCP_TIMEOUT, or -1 with err set. */
static int await(int fd, int events, int64_t timeout_ns, const char *op, hale_io_error *err) {
    int r = hale_wait_fd(fd, events, timeout_ns > 0 ? timeout_ns : -1);
    if (r > 0) {
        return 0;
    }
    if (r == 0) {
        return HALE_TCP_TIMEOUT;
    }
    hale_io_error_set(err, ECANCELED, op, NULL);
    return -1;
}

static int resolve(const char *host, int port, bool passive, struct addrinfo **out,
                   hale_io_error *err, const char *op, const char *where) {
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    if (passive && (!host || !host[0])) {
        hints.ai_family = AF_INET;
        host = NULL;
    }
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    int g = hale_dns_resolve(host, service, &hints, out);
    if (g != 0) {
        int e = g == EAI_SYSTEM ? errno : (g == EAI_MEMORY ? ENOMEM : EHOSTUNREACH);
        hale_io_error_set(err, e, op, where);
        if (err && g != EAI_SYSTEM) {
            snprintf(err->message, sizeof err->message, "%s %s: %s", op, where, gai_strerror(g));
            if (g == EAI_NONAME) {
                err->kind = "not_found";
            }
        }
        return -1;
    }
    return 0;
}

int hale_tcp_listen(const char *host, int port, int backlog, hale_tcp_listener *out,
                    hale_io_error *err) {
    char where[96];
    target(where, sizeof where, host, port);
    out->fd = -1;
    if (port < 0 || port > 65535) {
        hale_io_error_set(err, EINVAL, "listen", where);
        return -1;
    }
    struct addrinfo *ai;
    if (resolve(host, port, true, &ai, err, "listen", where) != 0) {
        return -1;
    }
    int e = EADDRNOTAVAIL;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            e = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 &&
            listen(fd, backlog > 0 ? backlog : SOMAXCONN) == 0) {
            out->fd = fd;
            break;
        }
        e = errno;
        hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
        close(fd);
    }
    freeaddrinfo(ai);
    if (out->fd < 0) {
        hale_io_error_set(err, e, "listen", where);
        return -1;
    }
    return 0;
}

int hale_tcp_listener_port(const hale_tcp_listener *l) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (l->fd < 0 || getsockname(l->fd, (struct sockaddr *)&ss, &len) != 0) {
        return -1;
    }
    if (ss.ss_family == AF_INET) {
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void stream_init(hale_tcp_stream *s, int fd) {
    s->fd = fd;
    s->recv_timeout_ns = 0;
    s->send_timeout_ns = 0;
}

int hale_tcp_accept(hale_tcp_listener *l, hale_tcp_stream *out, hale_io_error *err) {
    stream_init(out, -1);
    for (;;) {
        if (l->fd < 0) {
            hale_io_error_set(err, EINVAL, "accept", NULL);
            return -1;
        }
        hale_diag_count_syscall(HALE_SYSCALL_ACCEPT);
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            stream_init(out, fd);
            return 0;
        }
        int e = errno;
        if (e == EINTR || e == ECONNABORTED || e == EPROTO) {
            continue; /* the connection died in the backlog: wait for the next */
        }
        if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
            /* backpressure: out of descriptors or memory, the listener stops taking
             * connections (they wait in the backlog) until a close gives one back; retrying
             * at once would spin on the readable listener */
            if (hale_sleep(ACCEPT_BACKOFF_NS) < 0) {
                hale_io_error_set(err, ECANCELED, "accept", NULL);
                return -1;
            }
            continue;
        }
        if (e != EAGAIN && e != EWOULDBLOCK) {
            hale_io_error_set(err, e, "accept", NULL);
            return -1;
        }
        if (await(l->fd, HALE_READABLE, -1, "accept", err) != 0) {
            return -1;
        }
    }
}

void hale_tcp_listener_close(hale_tcp_listener *l) {
    if (l->fd >= 0) {
        hale_fd_closing(l->fd);
        hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
        close(l->fd);
        l->fd = -1;
    }
}

static int connect_one(const struct addrinfo *a, int *fd_out, hale_io_error *err,
                       const char *where) {
    int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        hale_io_error_set(err, errno, "connect", where);
        return -1;
    }
    int r;
    do {
        hale_diag_count_syscall(HALE_SYSCALL_CONNECT);
    } while ((r = connect(fd, a->ai_addr, a->ai_addrlen)) != 0 && errno == EINTR);
    if (r != 0 && errno != EINPROGRESS) {
        hale_io_error_set(err, errno, "connect", where);
        hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
        close(fd);
        return -1;
    }
    if (r != 0) {
        if (await(fd, HALE_WRITABLE, -1, "connect", err) != 0) {
            hale_fd_closing(fd);
            hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
            close(fd);
            return -1;
        }
        int so = 0;
        socklen_t len = sizeof so;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len);
        if (so != 0) {
            hale_io_error_set(err, so, "connect", where);
            hale_fd_closing(fd);
            hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
            close(fd);
            return -1;
        }
    }
    *fd_out = fd;
    return 0;
}

int hale_tcp_connect(const char *host, int port, hale_tcp_stream *out, hale_io_error *err) {
    char where[96];
    target(where, sizeof where, host, port);
    stream_init(out, -1);
    if (!host || !host[0] || port <= 0 || port > 65535) {
        hale_io_error_set(err, EINVAL, "connect", where);
        return -1;
    }
    struct addrinfo *ai;
    if (resolve(host, port, false, &ai, err, "connect", where) != 0) {
        return -1;
    }
    int rc = -1;
    for (struct addrinfo *a = ai; a && rc != 0; a = a->ai_next) {
        int fd;
        if (connect_one(a, &fd, err, where) == 0) {
            stream_init(out, fd);
            rc = 0;
        } else if (err && err->err == ECANCELED) {
            break;
        }
    }
    freeaddrinfo(ai);
    return rc;
}

void hale_tcp_stream_from_fd(hale_tcp_stream *s, int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) {
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    }
    stream_init(s, fd);
}

int hale_tcp_send(hale_tcp_stream *s, const void *buf, size_t len, hale_io_error *err) {
    const char *p = buf;
    /* the send timeout is a deadline for the whole call: a peer that reads a byte now and then
     * cannot keep a sender waiting for ever */
    int64_t deadline = s->send_timeout_ns > 0 ? hale_time_monotonic() + s->send_timeout_ns : 0;
    while (len > 0) {
        if (s->fd < 0) {
            hale_io_error_set(err, EINVAL, "send", NULL);
            return -1;
        }
        hale_diag_count_syscall(HALE_SYSCALL_SEND);
        ssize_t n = send(s->fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        int e = n < 0 ? errno : EIO;
        if (e == EINTR) {
            continue;
        }
        if (e != EAGAIN && e != EWOULDBLOCK) {
            hale_io_error_set(err, e, "send", NULL);
            return -1;
        }
        int64_t left = deadline ? deadline - hale_time_monotonic() : 0;
        int w = deadline && left <= 0 ? HALE_TCP_TIMEOUT
                                      : await(s->fd, HALE_WRITABLE, left, "send", err);
        if (w == HALE_TCP_TIMEOUT) {
            hale_io_error_set(err, ETIMEDOUT, "send", NULL);
            return -1;
        }
        if (w != 0) {
            return -1;
        }
    }
    return 0;
}

int64_t hale_tcp_recv(hale_tcp_stream *s, void *buf, size_t cap, hale_io_error *err) {
    for (;;) {
        if (s->fd < 0) {
            hale_io_error_set(err, EINVAL, "recv", NULL);
            return -1;
        }
        hale_diag_count_syscall(HALE_SYSCALL_RECV);
        ssize_t n = recv(s->fd, buf, cap, 0);
        if (n >= 0) {
            return n;
        }
        int e = errno;
        if (e == EINTR) {
            continue;
        }
        if (e != EAGAIN && e != EWOULDBLOCK) {
            hale_io_error_set(err, e, "recv", NULL);
            return -1;
        }
        int w = await(s->fd, HALE_READABLE, s->recv_timeout_ns, "recv", err);
        if (w != 0) {
            return w;
        }
    }
}

int64_t hale_tcp_recv_into(hale_tcp_stream *s, const hale_tcp_sink *sink, size_t max,
                           hale_io_error *err) {
    if (max == 0) {
        return 0;
    }
    size_t avail = 0;
    uint8_t *dst = sink->reserve(sink->ctx, max, &avail);
    if (!dst) {
        hale_io_error_set(err, ENOMEM, "recv_into", NULL);
        return -1;
    }
    int64_t n = hale_tcp_recv(s, dst, max, err);
    if (n > 0) {
        sink->commit(sink->ctx, (size_t)n);
    }
    return n;
}

int hale_tcp_set_nodelay(hale_tcp_stream *s, bool on, hale_io_error *err) {
    int v = on ? 1 : 0;
    if (s->fd < 0 || setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v) != 0) {
        hale_io_error_set(err, s->fd < 0 ? EINVAL : errno, "set_nodelay", NULL);
        return -1;
    }
    return 0;
}

void hale_tcp_shutdown(hale_tcp_stream *s) {
    if (s->fd >= 0) {
        shutdown(s->fd, SHUT_RDWR);
    }
}

int hale_tcp_shutdown_write(hale_tcp_stream *s, hale_io_error *err) {
    if (s->fd < 0 || shutdown(s->fd, SHUT_WR) != 0) {
        hale_io_error_set(err, s->fd < 0 ? EINVAL : errno, "shutdown", NULL);
        return -1;
    }
    return 0;
}

void hale_tcp_close(hale_tcp_stream *s) {
    if (s->fd >= 0) {
        hale_fd_closing(s->fd);
        hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
        close(s->fd);
        s->fd = -1;
    }
}
