/* std::io::udp: datagram sockets as Int descriptors (Hale's path-call surface), with multicast,
 * socket options and receive timeouts, and std::io::sockopt's named constants.
 *
 * Sockets are non-blocking; a receive that would block parks the calling coroutine on the
 * pool's loop (hale_wait_fd) until a datagram arrives or the socket's receive timeout passes.
 * The timeout is the socket's own SO_RCVTIMEO (set_recv_timeout), read back at each call, so it
 * means the same on every pool; without one the wait has no end. A receive that timed out is
 * `recv_into`'s -2 (retryable) and an IoError of kind "timeout" for the Bytes-returning calls.
 *   bind(host, port) -> Int                  "" or "0.0.0.0": every address; port 0: any
 *   send(fd, host, port, msg)                one datagram (a String)
 *   send_bytes(fd, host, port, b)            one datagram (Bytes)
 *   recv(fd, max) -> Bytes                   one datagram, at most max bytes kept
 *   recv_into(fd, buf, max) -> Int           appended to a BytesBuilder: >0 bytes, 0 an empty
 *                                            datagram, -1 an error, -2 the timeout passed
 *   recv_with_source(fd, max) -> Bytes       and the sender, read back on the same thread with
 *                                            last_source_host() / last_source_port() ("0.0.0.0"
 *                                            and 0 before any, and after a failed receive)
 *   local_port(fd) -> Int, close(fd) -> Int (0 or -1)
 *   join_group / leave_group(fd, group, iface)   iface "" = any
 *   set_multicast_ttl(fd, ttl), set_multicast_loop(fd, on), set_multicast_iface(fd, addr)
 *   set_recv_timeout / set_send_timeout(fd, d)   d = 0 turns it off
 *   set_option_int(fd, level, name, v), set_option_bool(...), get_option_int(fd, level, name) */
#ifndef HALE_RUNTIME_STD_UDP_H
#define HALE_RUNTIME_STD_UDP_H

#include <stdbool.h>
#include <stdint.h>

#include "bytes.h"
#include "ioerror.h"
#include "region.h"
#include "value.h"

#define HALE_UDP_MAX_DATAGRAM 65536

bool hale_udp_bind(hale_str host, int64_t port, int64_t *out, hale_io_error *e);
int64_t hale_udp_close(int64_t fd);
int64_t hale_udp_local_port(int64_t fd);
bool hale_udp_send(int64_t fd, hale_str host, int64_t port, hale_str msg, void *unused,
                   hale_io_error *e);
bool hale_udp_send_bytes(int64_t fd, hale_str host, int64_t port, hale_bytes msg, void *unused,
                         hale_io_error *e);
bool hale_udp_recv(hale_region *into, int64_t fd, int64_t max, hale_bytes *out, hale_io_error *e);
bool hale_udp_recv_with_source(hale_region *into, int64_t fd, int64_t max, hale_bytes *out,
                               hale_io_error *e);
int64_t hale_udp_recv_into(int64_t fd, hale_bytes_builder *buf, int64_t max);
hale_str hale_udp_last_source_host(void);
int64_t hale_udp_last_source_port(void);

bool hale_udp_join_group(int64_t fd, hale_str group, hale_str iface, void *unused,
                         hale_io_error *e);
bool hale_udp_leave_group(int64_t fd, hale_str group, hale_str iface, void *unused,
                          hale_io_error *e);
bool hale_udp_set_multicast_ttl(int64_t fd, int64_t ttl, void *unused, hale_io_error *e);
bool hale_udp_set_multicast_loop(int64_t fd, bool on, void *unused, hale_io_error *e);
bool hale_udp_set_multicast_iface(int64_t fd, hale_str addr, void *unused, hale_io_error *e);
bool hale_udp_set_recv_timeout(int64_t fd, int64_t ns, void *unused, hale_io_error *e);
bool hale_udp_set_send_timeout(int64_t fd, int64_t ns, void *unused, hale_io_error *e);
bool hale_udp_set_option_int(int64_t fd, int64_t level, int64_t name, int64_t v, void *unused,
                             hale_io_error *e);
bool hale_udp_set_option_bool(int64_t fd, int64_t level, int64_t name, bool v, void *unused,
                              hale_io_error *e);
bool hale_udp_get_option_int(int64_t fd, int64_t level, int64_t name, int64_t *out,
                             hale_io_error *e);

/* std::io::sockopt::NAME(): the platform's value of a socket option level or name (-1 where the
 * platform has none). */
int64_t hale_sockopt(const char *name);
#define HALE_SOCKOPT_FN(N)                                                                         \
    static inline int64_t hale_sockopt_##N(void) {                                                 \
        return hale_sockopt(#N);                                                                   \
    }
HALE_SOCKOPT_FN(SOL_SOCKET)
HALE_SOCKOPT_FN(IPPROTO_IP)
HALE_SOCKOPT_FN(IPPROTO_IPV6)
HALE_SOCKOPT_FN(IPPROTO_TCP)
HALE_SOCKOPT_FN(IPPROTO_UDP)
HALE_SOCKOPT_FN(SO_REUSEADDR)
HALE_SOCKOPT_FN(SO_REUSEPORT)
HALE_SOCKOPT_FN(SO_RCVBUF)
HALE_SOCKOPT_FN(SO_SNDBUF)
HALE_SOCKOPT_FN(SO_RCVTIMEO)
HALE_SOCKOPT_FN(SO_SNDTIMEO)
HALE_SOCKOPT_FN(SO_BROADCAST)
HALE_SOCKOPT_FN(SO_KEEPALIVE)
HALE_SOCKOPT_FN(SO_LINGER)
HALE_SOCKOPT_FN(SO_PRIORITY)
HALE_SOCKOPT_FN(SO_BINDTODEVICE)
HALE_SOCKOPT_FN(IP_TTL)
HALE_SOCKOPT_FN(IP_TOS)
HALE_SOCKOPT_FN(IP_MULTICAST_TTL)
HALE_SOCKOPT_FN(IP_MULTICAST_LOOP)
HALE_SOCKOPT_FN(IP_MULTICAST_IF)
HALE_SOCKOPT_FN(IP_ADD_MEMBERSHIP)
HALE_SOCKOPT_FN(IP_DROP_MEMBERSHIP)
HALE_SOCKOPT_FN(IP_PKTINFO)
HALE_SOCKOPT_FN(IP_MTU_DISCOVER)
HALE_SOCKOPT_FN(IP_PMTUDISC_DONT)
HALE_SOCKOPT_FN(IP_PMTUDISC_WANT)
HALE_SOCKOPT_FN(IP_PMTUDISC_DO)
HALE_SOCKOPT_FN(IP_PMTUDISC_PROBE)
HALE_SOCKOPT_FN(TCP_NODELAY)

#endif
