/* See std_udp.h. */
#include "std_udp.h"

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

static _Thread_local char last_host[INET_ADDRSTRLEN] = "0.0.0.0";
static _Thread_local int64_t last_port;

static int as_fd(int64_t fd) {
    return fd < 0 || fd > INT32_MAX ? -1 : (int)fd;
}

static void where(char *buf, size_t n, hale_str host, int64_t port) {
    int k = host.len < 0 ? 0 : (host.len > 64 ? 64 : (int)host.len);
    snprintf(buf, n, "%.*s:%lld", k, host.ptr ? host.ptr : "", (long long)port);
}

/* An IPv4 address for host ("" = any), resolved by name when not numeric; false when it cannot
 * be (EINVAL). */
static bool address(hale_str host, int64_t port, struct sockaddr_in *a) {
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    if (port < 0 || port > 65535 || host.len < 0 || host.len > 253) {
        return false;
    }
    a->sin_port = htons((uint16_t)port);
    char h[256];
    memcpy(h, host.ptr, (size_t)host.len);
    h[host.len] = 0;
    if (host.len == 0) {
        a->sin_addr.s_addr = htonl(INADDR_ANY);
        return true;
    }
    if (memchr(h, 0, (size_t)host.len)) {
        return false;
    }
    if (inet_pton(AF_INET, h, &a->sin_addr) == 1) {
        return true;
    }
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *res = NULL;
    if (hale_dns_resolve(h, NULL, &hints, &res) != 0 || !res) {
        return false;
    }
    a->sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
    freeaddrinfo(res);
    return true;
}

bool hale_udp_bind(hale_str host, int64_t port, int64_t *out, hale_io_error *e) {
    char w[96];
    where(w, sizeof w, host, port);
    if (out) {
        *out = -1;
    }
    struct sockaddr_in a;
    if (!address(host, port, &a)) {
        hale_io_error_set(e, EINVAL, "udp bind", w);
        return false;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        hale_io_error_set(e, errno, "udp bind", w);
        return false;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        hale_io_error_set(e, errno, "udp bind", w);
        close(fd);
        return false;
    }
    if (out) {
        *out = fd;
    }
    return true;
}

int64_t hale_udp_close(int64_t fd) {
    int f = as_fd(fd);
    if (f < 0) {
        return -1;
    }
    hale_fd_closing(f);
    hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
    return close(f) == 0 ? 0 : -1;
}

int64_t hale_udp_local_port(int64_t fd) {
    struct sockaddr_in a;
    socklen_t n = sizeof a;
    if (as_fd(fd) < 0 || getsockname(as_fd(fd), (struct sockaddr *)&a, &n) != 0) {
        return -1;
    }
    return ntohs(a.sin_port);
}

/* ---- sending ---- */

static bool send_to(int64_t fd, hale_str host, int64_t port, const void *p, int64_t n,
                    hale_io_error *e) {
    char w[96];
    where(w, sizeof w, host, port);
    struct sockaddr_in a;
    if (!address(host, port, &a) || as_fd(fd) < 0) {
        hale_io_error_set(e, as_fd(fd) < 0 ? EBADF : EINVAL, "udp send", w);
        return false;
    }
    for (;;) {
        hale_diag_count_syscall(HALE_SYSCALL_SENDTO);
        ssize_t k = sendto(as_fd(fd), p, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof a);
        if (k >= 0) {
            return true;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN) {
            int r = hale_wait_fd(as_fd(fd), HALE_WRITABLE, -1);
            if (r > 0) {
                continue;
            }
            errno = ECANCELED;
        }
        hale_io_error_set(e, errno, "udp send", w);
        return false;
    }
}

bool hale_udp_send(int64_t fd, hale_str host, int64_t port, hale_str msg, void *unused,
                   hale_io_error *e) {
    (void)unused;
    return send_to(fd, host, port, msg.ptr, msg.len, e);
}

bool hale_udp_send_bytes(int64_t fd, hale_str host, int64_t port, hale_bytes msg, void *unused,
                         hale_io_error *e) {
    (void)unused;
    return send_to(fd, host, port, msg.ptr, msg.len, e);
}

/* ---- receiving ---- */

/* The socket's receive timeout in ns (0: none). */
static int64_t recv_timeout(int fd) {
    struct timeval tv;
    socklen_t n = sizeof tv;
    if (getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &n) != 0) {
        return 0;
    }
    return (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
}

/* One datagram into p (cap bytes), parking until one comes or the timeout passes: its length,
 * or -1 with errno (ETIMEDOUT for the timeout). The sender goes to *from when not NULL. */
static int64_t recv_one(int fd, void *p, size_t cap, struct sockaddr_in *from) {
    if (fd < 0) {
        errno = EBADF;
        return -1;
    }
    int64_t timeout = -1;
    for (;;) {
        socklen_t n = sizeof *from;
        hale_diag_count_syscall(HALE_SYSCALL_RECVFROM);
        ssize_t k = recvfrom(fd, p, cap, MSG_TRUNC, from ? (struct sockaddr *)from : NULL,
                             from ? &n : NULL);
        if (k >= 0) {
            return k > (ssize_t)cap ? (int64_t)cap : k; /* a longer datagram is cut at cap */
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN) {
            return -1;
        }
        if (timeout < 0) {
            int64_t t = recv_timeout(fd);
            timeout = t > 0 ? t : 0;
        }
        int r = hale_wait_fd(fd, HALE_READABLE, timeout > 0 ? timeout : -1);
        if (r == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (r < 0) {
            errno = ECANCELED;
            return -1;
        }
    }
}

static void forget_source(void) {
    snprintf(last_host, sizeof last_host, "0.0.0.0");
    last_port = 0;
}

static bool recv_bytes(hale_region *into, int64_t fd, int64_t max, hale_bytes *out,
                       hale_io_error *e, bool source) {
    if (out) {
        *out = (hale_bytes){(const uint8_t *)"", 0};
    }
    if (source) {
        forget_source();
    }
    size_t cap = max <= 0 ? 0 : (size_t)(max > HALE_UDP_MAX_DATAGRAM ? HALE_UDP_MAX_DATAGRAM : max);
    uint8_t *p = hale_region_alloc(into, cap ? cap : 1, 1);
    struct sockaddr_in from;
    memset(&from, 0, sizeof from);
    int64_t n = recv_one(as_fd(fd), p, cap, &from);
    if (n < 0) {
        hale_io_error_set(e, errno, "udp recv", "");
        return false;
    }
    if (source) {
        inet_ntop(AF_INET, &from.sin_addr, last_host, sizeof last_host);
        last_port = ntohs(from.sin_port);
    }
    if (out) {
        *out = (hale_bytes){n ? p : (const uint8_t *)"", n};
    }
    return true;
}

bool hale_udp_recv(hale_region *into, int64_t fd, int64_t max, hale_bytes *out, hale_io_error *e) {
    return recv_bytes(into, fd, max, out, e, false);
}

bool hale_udp_recv_with_source(hale_region *into, int64_t fd, int64_t max, hale_bytes *out,
                               hale_io_error *e) {
    return recv_bytes(into, fd, max, out, e, true);
}

int64_t hale_udp_recv_into(int64_t fd, hale_bytes_builder *buf, int64_t max) {
    if (max <= 0) {
        return -1;
    }
    size_t cap = (size_t)(max > HALE_UDP_MAX_DATAGRAM ? HALE_UDP_MAX_DATAGRAM : max);
    uint8_t *p = hale_bytes_builder_reserve(buf, (int64_t)cap);
    int64_t n = recv_one(as_fd(fd), p, cap, NULL);
    if (n < 0) {
        return errno == ETIMEDOUT ? -2 : -1;
    }
    hale_bytes_builder_commit(buf, n);
    return n;
}

hale_str hale_udp_last_source_host(void) {
    return (hale_str){last_host, (int64_t)strlen(last_host)};
}

int64_t hale_udp_last_source_port(void) {
    return last_port;
}

/* ---- options ---- */

static bool opt(int64_t fd, int level, int name, const void *v, socklen_t n, const char *op,
                hale_io_error *e) {
    if (as_fd(fd) < 0 || setsockopt(as_fd(fd), level, name, v, n) != 0) {
        hale_io_error_set(e, as_fd(fd) < 0 ? EBADF : errno, op, "");
        return false;
    }
    return true;
}

static bool membership(int64_t fd, hale_str group, hale_str iface, int name, const char *op,
                       hale_io_error *e) {
    struct sockaddr_in g, i;
    if (!address(group, 0, &g) || !address(iface, 0, &i) || group.len == 0) {
        hale_io_error_set(e, EINVAL, op, "");
        return false;
    }
    struct ip_mreq m = {.imr_multiaddr = g.sin_addr, .imr_interface = i.sin_addr};
    return opt(fd, IPPROTO_IP, name, &m, sizeof m, op, e);
}

bool hale_udp_join_group(int64_t fd, hale_str group, hale_str iface, void *unused,
                         hale_io_error *e) {
    (void)unused;
    return membership(fd, group, iface, IP_ADD_MEMBERSHIP, "udp join_group", e);
}

bool hale_udp_leave_group(int64_t fd, hale_str group, hale_str iface, void *unused,
                          hale_io_error *e) {
    (void)unused;
    return membership(fd, group, iface, IP_DROP_MEMBERSHIP, "udp leave_group", e);
}

bool hale_udp_set_multicast_ttl(int64_t fd, int64_t ttl, void *unused, hale_io_error *e) {
    (void)unused;
    if (ttl < 0 || ttl > 255) {
        hale_io_error_set(e, EINVAL, "udp set_multicast_ttl", "");
        return false;
    }
    unsigned char t = (unsigned char)ttl;
    return opt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &t, sizeof t, "udp set_multicast_ttl", e);
}

bool hale_udp_set_multicast_loop(int64_t fd, bool on, void *unused, hale_io_error *e) {
    (void)unused;
    unsigned char v = on ? 1 : 0;
    return opt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &v, sizeof v, "udp set_multicast_loop", e);
}

bool hale_udp_set_multicast_iface(int64_t fd, hale_str addr, void *unused, hale_io_error *e) {
    (void)unused;
    struct sockaddr_in a;
    if (!address(addr, 0, &a)) {
        hale_io_error_set(e, EINVAL, "udp set_multicast_iface", "");
        return false;
    }
    return opt(fd, IPPROTO_IP, IP_MULTICAST_IF, &a.sin_addr, sizeof a.sin_addr,
               "udp set_multicast_iface", e);
}

static bool set_timeout(int64_t fd, int name, int64_t ns, const char *op, hale_io_error *e) {
    if (ns < 0) {
        ns = 0;
    }
    struct timeval tv = {.tv_sec = (time_t)(ns / 1000000000),
                         .tv_usec = (long)(ns % 1000000000) / 1000};
    if (ns > 0 && tv.tv_sec == 0 && tv.tv_usec == 0) {
        tv.tv_usec = 1; /* under a microsecond: the shortest there is, not "none" */
    }
    return opt(fd, SOL_SOCKET, name, &tv, sizeof tv, op, e);
}

bool hale_udp_set_recv_timeout(int64_t fd, int64_t ns, void *unused, hale_io_error *e) {
    (void)unused;
    return set_timeout(fd, SO_RCVTIMEO, ns, "udp set_recv_timeout", e);
}

bool hale_udp_set_send_timeout(int64_t fd, int64_t ns, void *unused, hale_io_error *e) {
    (void)unused;
    return set_timeout(fd, SO_SNDTIMEO, ns, "udp set_send_timeout", e);
}

bool hale_udp_set_option_int(int64_t fd, int64_t level, int64_t name, int64_t v, void *unused,
                             hale_io_error *e) {
    (void)unused;
    int x = (int)v;
    return opt(fd, (int)level, (int)name, &x, sizeof x, "set_option_int", e);
}

bool hale_udp_set_option_bool(int64_t fd, int64_t level, int64_t name, bool v, void *unused,
                              hale_io_error *e) {
    (void)unused;
    int x = v ? 1 : 0;
    return opt(fd, (int)level, (int)name, &x, sizeof x, "set_option_bool", e);
}

bool hale_udp_get_option_int(int64_t fd, int64_t level, int64_t name, int64_t *out,
                             hale_io_error *e) {
    int x = 0;
    socklen_t n = sizeof x;
    if (out) {
        *out = -1;
    }
    if (as_fd(fd) < 0 || getsockopt(as_fd(fd), (int)level, (int)name, &x, &n) != 0) {
        hale_io_error_set(e, as_fd(fd) < 0 ? EBADF : errno, "get_option_int", "");
        return false;
    }
    if (out) {
        /* byte-sized options (the multicast ones) come back in the first byte */
        *out = n == 1 ? (unsigned char)x : x;
    }
    return true;
}

int64_t hale_sockopt(const char *name) {
    static const struct {
        const char *name;
        int value;
    } table[] = {
        {"SOL_SOCKET", SOL_SOCKET},
        {"IPPROTO_IP", IPPROTO_IP},
        {"IPPROTO_IPV6", IPPROTO_IPV6},
        {"IPPROTO_TCP", IPPROTO_TCP},
        {"IPPROTO_UDP", IPPROTO_UDP},
        {"SO_REUSEADDR", SO_REUSEADDR},
        {"SO_REUSEPORT", SO_REUSEPORT},
        {"SO_RCVBUF", SO_RCVBUF},
        {"SO_SNDBUF", SO_SNDBUF},
        {"SO_RCVTIMEO", SO_RCVTIMEO},
        {"SO_SNDTIMEO", SO_SNDTIMEO},
        {"SO_BROADCAST", SO_BROADCAST},
        {"SO_KEEPALIVE", SO_KEEPALIVE},
        {"SO_LINGER", SO_LINGER},
        {"SO_PRIORITY", SO_PRIORITY},
        {"SO_BINDTODEVICE", SO_BINDTODEVICE},
        {"IP_TTL", IP_TTL},
        {"IP_TOS", IP_TOS},
        {"IP_MULTICAST_TTL", IP_MULTICAST_TTL},
        {"IP_MULTICAST_LOOP", IP_MULTICAST_LOOP},
        {"IP_MULTICAST_IF", IP_MULTICAST_IF},
        {"IP_ADD_MEMBERSHIP", IP_ADD_MEMBERSHIP},
        {"IP_DROP_MEMBERSHIP", IP_DROP_MEMBERSHIP},
        {"IP_PKTINFO", IP_PKTINFO},
        {"IP_MTU_DISCOVER", IP_MTU_DISCOVER},
        {"IP_PMTUDISC_DONT", IP_PMTUDISC_DONT},
        {"IP_PMTUDISC_WANT", IP_PMTUDISC_WANT},
        {"IP_PMTUDISC_DO", IP_PMTUDISC_DO},
        {"IP_PMTUDISC_PROBE", IP_PMTUDISC_PROBE},
        {"TCP_NODELAY", TCP_NODELAY},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(table[i].name, name) == 0) {
            return table[i].value;
        }
    }
    return -1;
}
