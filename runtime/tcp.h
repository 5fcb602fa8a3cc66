/* std::io::tcp: listen, accept, connect, and a Stream with send / recv / recv_into / close /
 * set_nodelay.
 *
 * Every socket is nonblocking. An operation first tries the system call; when it would block it
 * waits with hale_wait_fd, which parks the calling coroutine on an ev_io (or, outside a
 * coroutine, keeps the pool's loop running; on a thread with no pool, blocks in poll). So a
 * locus written in blocking style serves thousands of connections from one pool.
 *
 * Every operation is fallible: it returns -1 and fills a hale_io_error (Hale's IoError) when the
 * system refuses, the peer resets, or the calling coroutine is cancelled (kind "cancelled",
 * which is how shutdown ends a connection's run()). A peer that closes cleanly is not an error:
 * recv returns 0. Writing to a closed peer fails with "broken_pipe" and never raises SIGPIPE
 * (MSG_NOSIGNAL).
 *
 * Listening sockets set SO_REUSEADDR (a restarted server rebinds a port in TIME_WAIT) and never
 * SO_REUSEPORT (a second live process on the same port fails with "address_in_use" instead of
 * silently sharing it). */
#ifndef HALE_RUNTIME_TCP_H
#define HALE_RUNTIME_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ioerror.h"

typedef struct {
    int fd; /* -1 once closed */
} hale_tcp_listener;

typedef struct {
    int fd;                  /* -1 once closed */
    int64_t recv_timeout_ns; /* <= 0: none (the default) */
    int64_t send_timeout_ns; /* <= 0: none */
} hale_tcp_stream;

/* recv and recv_into return this when the stream's recv timeout expired with no data. */
#define HALE_TCP_TIMEOUT (-2)

/* Listens on host:port (host NULL or "" = every IPv4 address; port 0 = an ephemeral port).
 * `backlog` <= 0 means the system maximum. Returns 0 or -1. */
int hale_tcp_listen(const char *host, int port, int backlog, hale_tcp_listener *out,
                    hale_io_error *err);

/* The port the listener is bound to, or -1. */
int hale_tcp_listener_port(const hale_tcp_listener *l);

/* Waits for and accepts one connection. Returns 0 or -1. Out of descriptors (EMFILE, ENFILE)
 * or memory, it waits 50 ms and tries again: the connections stay in the listen backlog until
 * the process has room, instead of the caller spinning on a readable listener. */
int hale_tcp_accept(hale_tcp_listener *l, hale_tcp_stream *out, hale_io_error *err);

void hale_tcp_listener_close(hale_tcp_listener *l);

/* Connects to host:port (a numeric IPv4/IPv6 address or a name, resolved by dns.h: a name is
 * looked up on a resolver thread while the pool runs on). Returns 0 or -1. */
int hale_tcp_connect(const char *host, int port, hale_tcp_stream *out, hale_io_error *err);

/* Wraps an already connected socket (made nonblocking here). */
void hale_tcp_stream_from_fd(hale_tcp_stream *s, int fd);

/* Sends all `len` bytes. Returns 0 or -1 (some bytes may have been sent). With a send timeout,
 * the whole call must finish within it, else -1 with kind "timeout". */
int hale_tcp_send(hale_tcp_stream *s, const void *buf, size_t len, hale_io_error *err);

/* Receives up to `cap` bytes (waiting for at least one). Returns the count, 0 at end of stream,
 * HALE_TCP_TIMEOUT, or -1. */
int64_t hale_tcp_recv(hale_tcp_stream *s, void *buf, size_t cap, hale_io_error *err);

/* A growable destination for recv_into, so the stream need not know the buffer type (Hale's
 * BytesBuilder adapts to it in a few lines). `reserve` returns a pointer to at least `min`
 * writable bytes at the end of the buffer (growing it if needed; NULL if it cannot) and may set
 * *avail to more; `commit` appends the first `n` of them. */
typedef struct {
    void *ctx;
    uint8_t *(*reserve)(void *ctx, size_t min, size_t *avail);
    void (*commit)(void *ctx, size_t n);
} hale_tcp_sink;

/* Receives up to `max` bytes and appends them to `sink`. Same results as hale_tcp_recv; a sink
 * that cannot grow fails with "out_of_memory". */
int64_t hale_tcp_recv_into(hale_tcp_stream *s, const hale_tcp_sink *sink, size_t max,
                           hale_io_error *err);

/* Disables (on = true) or enables Nagle's algorithm. Returns 0 or -1. */
int hale_tcp_set_nodelay(hale_tcp_stream *s, bool on, hale_io_error *err);

/* Half-closes the sending direction (the peer reads end of stream). Returns 0 or -1. */
int hale_tcp_shutdown_write(hale_tcp_stream *s, hale_io_error *err);

/* Closes the stream; further calls fail with "invalid". Safe to call twice. */
void hale_tcp_close(hale_tcp_stream *s);
/* Shuts both directions down (the fd stays open): a reader parked on it wakes at end of
 * stream, a writer fails. */
void hale_tcp_shutdown(hale_tcp_stream *s);

#endif
