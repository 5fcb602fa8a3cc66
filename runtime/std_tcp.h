/* std::io::tcp for Hale programs: the path calls (listen, accept, connect, ...) on raw fds and
 * the `std::io::tcp::Stream` locus, over tcp.h.
 *
 * Every fallible call returns true on success and false with a hale_io_error filled in; the
 * generated code turns that into Hale's `IoError { kind, errno, path }` for the `or` at the call
 * site. A wait inside these calls parks the locus's coroutine (tcp.h); when it is ended because
 * the locus must stop (shutdown, its holder tearing it down), the locus leaves its run() right
 * there instead of seeing an error, the way std::time::sleep does. Following Hale, a peer that
 * closes is not an error (recv gives "" / empty Bytes / 0), nor is a recv timeout (the same, or
 * -2 from recv_into).
 *
 * A Stream owns its fd unless made with `owns_fd: false`, and closes it when it dissolves. */
#ifndef HALE_RUNTIME_STD_TCP_H
#define HALE_RUNTIME_STD_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "bytes.h"
#include "ioerror.h"
#include "region.h"
#include "tcp.h"
#include "value.h"

/* ---- path calls: std::io::tcp::* ---- */

/* listen(host, port) -> Int (listening fd); "" is every address, port 0 an ephemeral one. */
bool hale_tcpx_listen(hale_str host, int64_t port, int64_t *fd, hale_io_error *e);
/* accept(listen_fd) -> Int: waits for a connection (stdout is flushed first, so a server's
 * "listening on ..." line reaches a pipe before it waits). */
bool hale_tcpx_accept(int64_t lfd, int64_t *fd, hale_io_error *e);
/* connect(host, port) -> Int */
bool hale_tcpx_connect(hale_str host, int64_t port, int64_t *fd, hale_io_error *e);
/* local_port(fd) -> Int: the port a socket is bound to, -1 when it is not a bound socket. */
int64_t hale_tcpx_local_port(int64_t fd);
/* close_fd(fd) -> Int: 0, or -1 when fd was not open */
int64_t hale_tcpx_close_fd(int64_t fd);
/* set_nodelay(fd, on) */
bool hale_tcpx_set_nodelay(int64_t fd, bool on, void *unused, hale_io_error *e);

/* ---- the Stream locus's native part ---- */

typedef struct {
    hale_tcp_stream s;
    bool owns;
} hale_stream;

void hale_stream_init(hale_stream *st, int64_t fd, bool owns);
void hale_stream_dissolve(hale_stream *st);
bool hale_stream_send(hale_stream *st, hale_str msg, void *unused, hale_io_error *e);
bool hale_stream_send_bytes(hale_stream *st, hale_bytes b, void *unused, hale_io_error *e);
/* recv(max) -> String / recv_bytes(max) -> Bytes, copied into `into`; empty at end of stream
 * or on a recv timeout. */
bool hale_stream_recv(hale_stream *st, int64_t max, hale_region *into, hale_str *out,
                      hale_io_error *e);
bool hale_stream_recv_bytes(hale_stream *st, int64_t max, hale_region *into, hale_bytes *out,
                            hale_io_error *e);
/* recv_into(buf, max) -> Int: appends up to `max` bytes to the builder; 0 at end of stream, -2
 * when the recv timeout expired. */
bool hale_stream_recv_into(hale_stream *st, hale_bytes_builder *b, int64_t max, int64_t *out,
                           hale_io_error *e);
bool hale_stream_set_nodelay(hale_stream *st, bool on, void *unused, hale_io_error *e);
/* set_recv_timeout(d): recv, recv_bytes and recv_into give up after d (0: wait for ever). */
void hale_stream_set_recv_timeout(hale_stream *st, int64_t ns);
/* set_send_timeout(d): send and send_bytes fail with kind "timeout" when the whole call has not
 * finished within d (0: wait for ever), so a peer that stops reading cannot hold its sender. */
void hale_stream_set_send_timeout(hale_stream *st, int64_t ns);
/* shutdown(): ends the connection both ways, even on a borrowed stream: whoever is parked in a
 * recv on it sees the end of the stream, a send fails. The fd stays open until its owner closes
 * it. */
void hale_stream_shutdown(hale_stream *st);
void hale_stream_close(hale_stream *st);
int64_t hale_stream_fd(hale_stream *st);
/* release_fd() -> Int: the stream stops owning its fd (dissolve leaves it open). */
int64_t hale_stream_release_fd(hale_stream *st);

#endif
