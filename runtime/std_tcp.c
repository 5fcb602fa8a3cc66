/* See std_tcp.h. The bindings are thin: tcp.c does the I/O and the parking; this file converts
 * Hale's values, and turns a wait ended for a stop into the locus leaving its run(). */
#include "std_tcp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diag.h"
#include "io.h"
#include "locus_impl.h"
#include "scheduler.h"

/* A C string of a Hale string, for host names (bounded: a name longer than this is invalid). */
static const char *host_cstr(hale_str s, char *buf, size_t cap) {
    if (s.len < 0 || (size_t)s.len >= cap) {
        return NULL;
    }
    memcpy(buf, s.ptr, (size_t)s.len);
    buf[s.len] = 0;
    return buf;
}

static bool bad_host(hale_str host, const char *op, hale_io_error *e) {
    char where[64];
    int n = host.len < 0 ? 0 : (host.len > 40 ? 40 : (int)host.len);
    snprintf(where, sizeof where, "%.*s...", n, host.ptr ? host.ptr : "");
    hale_io_error_set(e, EINVAL, op, where);
    return false;
}

/* After a failure: a wait the scheduler ended because this locus must stop leaves its run() (or
 * birth()) here; any other failure is the caller's to handle. */
static bool failed(hale_io_error *e) {
    if (e->err == ECANCELED) {
        hale_locus_stop_check(1);
    }
    return false;
}

/* A Hale Int as an fd, or -1 when it cannot be one. */
static int as_fd(int64_t fd) {
    return fd < 0 || fd > INT32_MAX ? -1 : (int)fd;
}

static bool port_ok(int64_t port, const char *op, hale_io_error *e) {
    if (port < 0 || port > 65535) {
        char where[32];
        snprintf(where, sizeof where, "port %lld", (long long)port);
        hale_io_error_set(e, EINVAL, op, where);
        return false;
    }
    return true;
}

/* ---- path calls ---- */

bool hale_tcpx_listen(hale_str host, int64_t port, int64_t *fd, hale_io_error *e) {
    char h[256];
    if (!host_cstr(host, h, sizeof h)) {
        return bad_host(host, "listen", e);
    }
    if (!port_ok(port, "listen", e)) {
        return false;
    }
    hale_tcp_listener l;
    if (hale_tcp_listen(h, (int)port, 0, &l, e) != 0) {
        return false;
    }
    *fd = l.fd;
    return true;
}

bool hale_tcpx_accept(int64_t lfd, int64_t *fd, hale_io_error *e) {
    hale_out_flush();
    hale_locus_stop_check(1);
    hale_tcp_listener l = {.fd = as_fd(lfd)};
    hale_tcp_stream s;
    int r = hale_tcp_accept(&l, &s, e);
    if (r != 0) {
        return failed(e);
    }
    *fd = s.fd;
    return true;
}

bool hale_tcpx_connect(hale_str host, int64_t port, int64_t *fd, hale_io_error *e) {
    char h[256];
    if (!host_cstr(host, h, sizeof h)) {
        return bad_host(host, "connect", e);
    }
    if (!port_ok(port, "connect", e)) {
        return false;
    }
    hale_locus_stop_check(1);
    hale_tcp_stream s;
    int r = hale_tcp_connect(h, (int)port, &s, e);
    if (r != 0) {
        return failed(e);
    }
    *fd = s.fd;
    return true;
}

int64_t hale_tcpx_local_port(int64_t fd) {
    hale_tcp_listener l = {.fd = as_fd(fd)};
    return hale_tcp_listener_port(&l);
}

int64_t hale_tcpx_close_fd(int64_t fd) {
    if (fd < 0 || fd > INT32_MAX) {
        return -1;
    }
    hale_fd_closing((int)fd);
    hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
    return close((int)fd) == 0 ? 0 : -1;
}

bool hale_tcpx_set_nodelay(int64_t fd, bool on, void *unused, hale_io_error *e) {
    (void)unused;
    hale_tcp_stream s = {.fd = as_fd(fd)};
    return hale_tcp_set_nodelay(&s, on, e) == 0;
}

/* ---- Stream ---- */

void hale_stream_init(hale_stream *st, int64_t fd, bool owns) {
    st->owns = owns;
    st->s.fd = -1;
    st->s.recv_timeout_ns = 0;
    st->s.send_timeout_ns = 0;
    if (fd >= 0 && fd <= INT32_MAX) {
        hale_tcp_stream_from_fd(&st->s, (int)fd);
    }
}

void hale_stream_dissolve(hale_stream *st) {
    hale_stream_close(st);
}

bool hale_stream_send(hale_stream *st, hale_str msg, void *unused, hale_io_error *e) {
    hale_bytes b = {(const uint8_t *)msg.ptr, msg.len};
    return hale_stream_send_bytes(st, b, unused, e);
}

bool hale_stream_send_bytes(hale_stream *st, hale_bytes b, void *unused, hale_io_error *e) {
    (void)unused;
    hale_locus_stop_check(1);
    int r = hale_tcp_send(&st->s, b.ptr, (size_t)b.len, e);
    if (r != 0) {
        return failed(e);
    }
    return true;
}

static int64_t recv_cap(int64_t max) {
    return max < 1 ? 1 : (max > (1 << 24) ? (1 << 24) : max);
}

bool hale_stream_recv(hale_stream *st, int64_t max, hale_region *into, hale_str *out,
                      hale_io_error *e) {
    hale_bytes b;
    if (!hale_stream_recv_bytes(st, max, into, &b, e)) {
        return false;
    }
    out->ptr = (const char *)b.ptr;
    out->len = b.len;
    return true;
}

bool hale_stream_recv_bytes(hale_stream *st, int64_t max, hale_region *into, hale_bytes *out,
                            hale_io_error *e) {
    hale_locus_stop_check(1);
    int64_t cap = recv_cap(max);
    uint8_t *buf = hale_region_alloc(into, (size_t)cap, 1);
    int64_t n = hale_tcp_recv(&st->s, buf, (size_t)cap, e);
    if (n < 0 && n != HALE_TCP_TIMEOUT) {
        return failed(e);
    }
    out->ptr = buf;
    out->len = n > 0 ? n : 0;
    return true;
}

static uint8_t *sink_reserve(void *ctx, size_t min, size_t *avail) {
    uint8_t *p = hale_bytes_builder_reserve(ctx, (int64_t)min);
    *avail = min;
    return p;
}

static void sink_commit(void *ctx, size_t n) {
    hale_bytes_builder_commit(ctx, (int64_t)n);
}

bool hale_stream_recv_into(hale_stream *st, hale_bytes_builder *b, int64_t max, int64_t *out,
                           hale_io_error *e) {
    hale_locus_stop_check(1);
    hale_tcp_sink sink = {b, sink_reserve, sink_commit};
    int64_t n = hale_tcp_recv_into(&st->s, &sink, (size_t)recv_cap(max), e);
    if (n < 0 && n != HALE_TCP_TIMEOUT) {
        return failed(e);
    }
    *out = n;
    return true;
}

bool hale_stream_set_nodelay(hale_stream *st, bool on, void *unused, hale_io_error *e) {
    (void)unused;
    return hale_tcp_set_nodelay(&st->s, on, e) == 0;
}

void hale_stream_set_recv_timeout(hale_stream *st, int64_t ns) {
    st->s.recv_timeout_ns = ns > 0 ? ns : 0;
}

void hale_stream_set_send_timeout(hale_stream *st, int64_t ns) {
    st->s.send_timeout_ns = ns > 0 ? ns : 0;
}

void hale_stream_shutdown(hale_stream *st) {
    hale_tcp_shutdown(&st->s);
}

void hale_stream_close(hale_stream *st) {
    if (st->owns) {
        hale_tcp_close(&st->s);
    }
    st->s.fd = -1;
}

int64_t hale_stream_fd(hale_stream *st) {
    return st->s.fd;
}

int64_t hale_stream_release_fd(hale_stream *st) {
    st->owns = false;
    return st->s.fd;
}
