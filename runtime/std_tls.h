/* std::io::tls: client TLS over a TCP connection, as Int handles (Hale's path-call surface).
 *
 * OpenSSL (Debian's libssl3) does the protocol: TLS 1.2 and 1.3, SNI, certificate chains
 * against the system trust store and host name checks are security code that must come from a
 * maintained library, never from us. Sockets are non-blocking and every handshake, read and
 * write that OpenSSL says would block parks the calling coroutine on the pool's loop
 * (hale_wait_fd for readable or writable, as OpenSSL asks), bounded by the handle's timeouts.
 *   connect(host, port) -> Int        TCP connect, then upgrade(fd, host, true); the socket is
 *                                     closed on any failure
 *   upgrade(fd, host, verify) -> Int  a client session over an already connected fd; SNI is
 *                                     always sent; verify checks the chain and the host name,
 *                                     false encrypts without authenticating the peer. On failure
 *                                     the fd stays open: it is still the caller's
 *   send_bytes(h, b) -> Int           all of b: its length, or -1
 *   recv_bytes(h, max) -> Bytes       what arrives (waiting for some); empty at the end, on an
 *                                     error or when the receive timeout passed
 *   recv_into(h, buf, max) -> Int     >0 bytes, 0 end, -1 error, -2 the timeout passed
 *   set_recv_timeout / set_send_timeout(h, d)   d = 0: none (the default)
 *   set_nodelay(h, on), close(h) -> Int (0, or -1 for a handle that is not open)
 * A failed handshake is an IoError of kind "protocol" whose path names the host and OpenSSL's
 * reason ("certificate verify failed", "wrong version number", a peer that closed mid-way is
 * "connection_reset"). Handles index a process-wide table (HALE_TLS_MAX open at once); a
 * handle that is not open makes every call fail with "invalid". The context keeps no buffers
 * between records (SSL_MODE_RELEASE_BUFFERS): an idle connection holds no 32 KiB buffers. */
#ifndef HALE_RUNTIME_STD_TLS_H
#define HALE_RUNTIME_STD_TLS_H

#include <stdbool.h>
#include <stdint.h>

#include "bytes.h"
#include "ioerror.h"
#include "region.h"
#include "value.h"

#define HALE_TLS_MAX 1024

bool hale_tls_connect(hale_str host, int64_t port, int64_t *out, hale_io_error *e);
bool hale_tls_upgrade(int64_t fd, hale_str host, bool verify, int64_t *out, hale_io_error *e);
int64_t hale_tls_send_bytes(int64_t h, hale_bytes b);
hale_bytes hale_tls_recv_bytes(hale_region *r, int64_t h, int64_t max);
int64_t hale_tls_recv_into(int64_t h, hale_bytes_builder *buf, int64_t max);
bool hale_tls_set_recv_timeout(int64_t h, int64_t ns, void *unused, hale_io_error *e);
bool hale_tls_set_send_timeout(int64_t h, int64_t ns, void *unused, hale_io_error *e);
bool hale_tls_set_nodelay(int64_t h, bool on, void *unused, hale_io_error *e);
int64_t hale_tls_close(int64_t h);

#endif
