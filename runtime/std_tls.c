/* See std_tls.h. */
#include "std_tls.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "scheduler.h"
#include "std.h"
#include "tcp.h"

typedef struct {
    SSL *ssl;
    int fd;
    int64_t recv_timeout_ns, send_timeout_ns;
} tls_conn;

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static tls_conn table[HALE_TLS_MAX];
static SSL_CTX *ctx;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

static void make_ctx(void) {
    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        return;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_default_verify_paths(ctx);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                              SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

/* The open connection of handle h, or NULL. The entry stays valid while the handle is open;
 * closing a handle another coroutine is using is the program's error, as with an fd. */
static tls_conn *conn_of(int64_t h) {
    if (h < 1 || h > HALE_TLS_MAX) {
        return NULL;
    }
    pthread_mutex_lock(&table_lock);
    tls_conn *c = table[h - 1].ssl ? &table[h - 1] : NULL;
    pthread_mutex_unlock(&table_lock);
    return c;
}

static int64_t add_conn(SSL *ssl, int fd) {
    pthread_mutex_lock(&table_lock);
    for (int i = 0; i < HALE_TLS_MAX; i++) {
        if (!table[i].ssl) {
            table[i] = (tls_conn){ssl, fd, 0, 0};
            pthread_mutex_unlock(&table_lock);
            return i + 1;
        }
    }
    pthread_mutex_unlock(&table_lock);
    return -1;
}

/* OpenSSL writes to the socket with write(2): a peer that went away would raise SIGPIPE and end
 * the program. Each SSL call runs with SIGPIPE blocked on its thread; one raised meanwhile is
 * taken back before the mask is restored, so the failure is only the call's EPIPE. */
typedef struct {
    sigset_t old;
} pipe_guard;

static void guard_on(pipe_guard *g) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &s, &g->old);
}

static void guard_off(pipe_guard *g) {
    sigset_t s, pending;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    int keep = errno;
    if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
        struct timespec zero = {0, 0};
        sigtimedwait(&s, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
    errno = keep;
}

#define GUARDED(call)                                                                              \
    ({                                                                                             \
        pipe_guard g_;                                                                             \
        guard_on(&g_);                                                                             \
        __typeof__(call) r_ = (call);                                                              \
        guard_off(&g_);                                                                            \
        r_;                                                                                        \
    })

/* After an SSL call answered ret <= 0: waits for what OpenSSL wants (parking) and answers 1 to
 * retry, 0 when the deadline passed, or -1 with errno set for a failure. */
static int wait_for(SSL *ssl, int fd, int ret, int64_t deadline) {
    int err = SSL_get_error(ssl, ret);
    int events;
    if (err == SSL_ERROR_WANT_READ) {
        events = HALE_READABLE;
    } else if (err == SSL_ERROR_WANT_WRITE) {
        events = HALE_WRITABLE;
    } else {
        if (err == SSL_ERROR_ZERO_RETURN) {
            errno = 0; /* a clean end */
        } else if (err == SSL_ERROR_SYSCALL) {
            errno = errno ? errno : ECONNRESET; /* the peer closed without close_notify */
        } else {
            errno = EPROTO;
        }
        return -1;
    }
    int64_t left = -1;
    if (deadline > 0) {
        left = deadline - hale_time_monotonic();
        if (left <= 0) {
            return 0;
        }
    }
    int r = hale_wait_fd(fd, events, left);
    if (r < 0) {
        errno = ECANCELED;
        return -1;
    }
    return r > 0 ? 1 : 0;
}

static void handshake_error(hale_io_error *e, int err, const char *host) {
    char where[128];
    unsigned long code = ERR_peek_last_error();
    const char *why = code ? ERR_reason_error_string(code) : NULL;
    snprintf(where, sizeof where, "%.48s: %s", host, why ? why : strerror(err ? err : EPROTO));
    ERR_clear_error();
    hale_io_error_set(e, err ? err : EPROTO, "tls handshake", where);
}

bool hale_tls_upgrade(int64_t fd64, hale_str host, bool verify, int64_t *out, hale_io_error *e) {
    if (out) {
        *out = -1;
    }
    char h[256];
    if (host.len < 0 || host.len >= (int64_t)sizeof h ||
        (host.len && memchr(host.ptr, 0, (size_t)host.len))) {
        hale_io_error_set(e, EINVAL, "tls upgrade", "");
        return false;
    }
    memcpy(h, host.ptr, (size_t)host.len);
    h[host.len] = 0;
    int fd = fd64 < 0 || fd64 > INT32_MAX ? -1 : (int)fd64;
    int type = 0;
    socklen_t tl = sizeof type;
    if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_STREAM) {
        hale_io_error_set(e, fd < 0 ? EBADF : ENOTSOCK, "tls upgrade", h);
        return false;
    }
    pthread_once(&ctx_once, make_ctx);
    SSL *ssl = ctx ? SSL_new(ctx) : NULL;
    if (!ssl) {
        hale_io_error_set(e, ENOMEM, "tls upgrade", h);
        return false;
    }
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    SSL_set_fd(ssl, fd);
    if (h[0]) {
        SSL_set_tlsext_host_name(ssl, h);
    }
    if (verify) {
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        SSL_set1_host(ssl, h);
    } else {
        SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
    }
    int64_t deadline = hale_time_monotonic() + (int64_t)30 * 1000000000; /* a stalled peer */
    for (;;) {
        ERR_clear_error();
        int r = GUARDED(SSL_connect(ssl));
        if (r == 1) {
            break;
        }
        int w = wait_for(ssl, fd, r, deadline);
        if (w <= 0) {
            handshake_error(e, w == 0 ? ETIMEDOUT : errno, h);
            SSL_free(ssl);
            fcntl(fd, F_SETFL, flags); /* the fd goes back to its owner as it came */
            return false;
        }
    }
    int64_t handle = add_conn(ssl, fd);
    if (handle < 0) {
        SSL_free(ssl);
        hale_io_error_set(e, EMFILE, "tls upgrade", h);
        return false;
    }
    if (out) {
        *out = handle;
    }
    return true;
}

bool hale_tls_connect(hale_str host, int64_t port, int64_t *out, hale_io_error *e) {
    if (out) {
        *out = -1;
    }
    char h[256];
    if (host.len <= 0 || host.len >= (int64_t)sizeof h || port < 0 || port > 65535 ||
        memchr(host.ptr, 0, (size_t)host.len)) {
        hale_io_error_set(e, EINVAL, "tls connect", "");
        return false;
    }
    memcpy(h, host.ptr, (size_t)host.len);
    h[host.len] = 0;
    hale_tcp_stream s;
    if (hale_tcp_connect(h, (int)port, &s, e) != 0) {
        return false;
    }
    if (!hale_tls_upgrade(s.fd, host, true, out, e)) {
        hale_tcp_close(&s);
        return false;
    }
    return true;
}

int64_t hale_tls_send_bytes(int64_t h, hale_bytes b) {
    tls_conn *c = conn_of(h);
    if (!c) {
        return -1;
    }
    int64_t deadline = c->send_timeout_ns > 0 ? hale_time_monotonic() + c->send_timeout_ns : 0;
    int64_t done = 0;
    while (done < b.len) {
        ERR_clear_error();
        int len = (int)(b.len - done > INT32_MAX ? INT32_MAX : b.len - done);
        int n = GUARDED(SSL_write(c->ssl, b.ptr + done, len));
        if (n > 0) {
            done += n;
            continue;
        }
        if (wait_for(c->ssl, c->fd, n, deadline) <= 0) {
            return -1;
        }
    }
    return done;
}

/* Up to max bytes into p: >0, 0 end, -1 error, -2 timeout. */
static int64_t recv_some(tls_conn *c, void *p, int64_t max) {
    int64_t deadline = c->recv_timeout_ns > 0 ? hale_time_monotonic() + c->recv_timeout_ns : 0;
    for (;;) {
        ERR_clear_error();
        int n = GUARDED(SSL_read(c->ssl, p, (int)(max > INT32_MAX ? INT32_MAX : max)));
        if (n > 0) {
            return n;
        }
        int w = wait_for(c->ssl, c->fd, n, deadline);
        if (w == 0) {
            return -2;
        }
        if (w < 0) {
            return errno == 0 ? 0 : -1;
        }
    }
}

hale_bytes hale_tls_recv_bytes(hale_region *r, int64_t h, int64_t max) {
    tls_conn *c = conn_of(h);
    if (!c || max <= 0) {
        return (hale_bytes){(const uint8_t *)"", 0};
    }
    if (max > (int64_t)16 << 20) {
        max = (int64_t)16 << 20;
    }
    uint8_t *p = hale_region_alloc(r, (size_t)max, 1);
    int64_t n = recv_some(c, p, max);
    return n > 0 ? (hale_bytes){p, n} : (hale_bytes){(const uint8_t *)"", 0};
}

int64_t hale_tls_recv_into(int64_t h, hale_bytes_builder *buf, int64_t max) {
    tls_conn *c = conn_of(h);
    if (!c || max <= 0) {
        return -1;
    }
    uint8_t *p = hale_bytes_builder_reserve(buf, max);
    int64_t n = recv_some(c, p, max);
    if (n > 0) {
        hale_bytes_builder_commit(buf, n);
    }
    return n;
}

static bool set_timeout(int64_t h, int64_t ns, bool recv, hale_io_error *e) {
    tls_conn *c = conn_of(h);
    if (!c) {
        hale_io_error_set(e, EINVAL, recv ? "tls set_recv_timeout" : "tls set_send_timeout", "");
        return false;
    }
    if (recv) {
        c->recv_timeout_ns = ns > 0 ? ns : 0;
    } else {
        c->send_timeout_ns = ns > 0 ? ns : 0;
    }
    return true;
}

bool hale_tls_set_recv_timeout(int64_t h, int64_t ns, void *unused, hale_io_error *e) {
    (void)unused;
    return set_timeout(h, ns, true, e);
}

bool hale_tls_set_send_timeout(int64_t h, int64_t ns, void *unused, hale_io_error *e) {
    (void)unused;
    return set_timeout(h, ns, false, e);
}

bool hale_tls_set_nodelay(int64_t h, bool on, void *unused, hale_io_error *e) {
    (void)unused;
    tls_conn *c = conn_of(h);
    int v = on ? 1 : 0;
    if (!c || setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v) != 0) {
        hale_io_error_set(e, c ? errno : EINVAL, "tls set_nodelay", "");
        return false;
    }
    return true;
}

int64_t hale_tls_close(int64_t h) {
    if (h < 1 || h > HALE_TLS_MAX) {
        return -1;
    }
    pthread_mutex_lock(&table_lock);
    tls_conn c = table[h - 1];
    table[h - 1] = (tls_conn){0};
    pthread_mutex_unlock(&table_lock);
    if (!c.ssl) {
        return -1;
    }
    GUARDED(SSL_shutdown(c.ssl)); /* one close_notify, not waiting for the peer's */
    SSL_free(c.ssl);
    hale_fd_closing(c.fd);
    close(c.fd);
    return 0;
}
