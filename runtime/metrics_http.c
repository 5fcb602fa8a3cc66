/* See metrics_http.h. One connection is a small state machine on the loop: read the request head
 * (EV_READ) until the blank line, answer it into a buffer, write the buffer (EV_WRITE while the
 * socket is full), close. A timer per connection bounds the whole exchange. */
#include "metrics_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "region.h"

#define HEAD_MAX 8192
#define CONN_MAX 32
#define DEADLINE_S 10.0

typedef struct conn {
    hale_mhttp *h;
    int fd;
    ev_io w;
    ev_timer t;
    char head[HEAD_MAX];
    size_t hlen;
    hale_mtext out; /* the whole answer, status line to body */
    size_t off;
    struct conn *prev, *next;
} conn;

struct hale_mhttp {
    struct ev_loop *loop;
    int fd;
    ev_io w;
    hale_mhttp_render render;
    void *ctx;
    conn *conns;
    int nconns;
    long served;
    char address[80];
};

static void conn_close(conn *c) {
    hale_mhttp *h = c->h;
    ev_io_stop(h->loop, &c->w);
    ev_timer_stop(h->loop, &c->t);
    close(c->fd);
    if (c->prev) {
        c->prev->next = c->next;
    } else {
        h->conns = c->next;
    }
    if (c->next) {
        c->next->prev = c->prev;
    }
    h->nconns--;
    hale_mtext_free(&c->out);
    hale_sys_free(c);
}

/* ---- answering ---- */

static const char *reason(int status) {
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Internal Server Error";
    }
}

static void respond(conn *c, int status, const char *ctype, const hale_mtext *body, int head_only) {
    hale_mtext *o = &c->out;
    size_t blen = body && body->p ? body->len : 0;
    hale_mtext_printf(o,
                      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                      "Cache-Control: no-store\r\nConnection: close\r\n",
                      status, reason(status), ctype, blen);
    if (status == 405) {
        hale_mtext_printf(o, "Allow: GET, HEAD\r\n");
    }
    hale_mtext_append(o, "\r\n", 2);
    if (!head_only && blen) {
        hale_mtext_append(o, body->p, blen);
    }
    c->h->served++;
}

static void respond_text(conn *c, int status, const char *text, int head_only) {
    hale_mtext body = {0};
    hale_mtext_append(&body, text, strlen(text));
    respond(c, status, "text/plain; charset=utf-8", &body, head_only);
    hale_mtext_free(&body);
}

/* The request line of a complete head: METHOD SP TARGET SP HTTP/1.x */
static void answer(conn *c) {
    char *line = c->head;
    size_t n = strcspn(line, "\r\n");
    line[n] = '\0';
    char *sp1 = strchr(line, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2 || sp1 == line || sp2 == sp1 + 1 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
        strchr(sp2 + 1, ' ')) {
        respond_text(c, 400, "bad request\n", 0);
        return;
    }
    *sp1 = *sp2 = '\0';
    const char *method = line, *target = sp1 + 1;
    int head_only = strcmp(method, "HEAD") == 0;
    if (!head_only && strcmp(method, "GET") != 0) {
        respond_text(c, 405, "only GET and HEAD\n", 0);
        return;
    }
    size_t plen = strcspn(target, "?#");
    if (plen == 8 && strncmp(target, "/metrics", 8) == 0) {
        hale_mtext body = {0};
        c->h->render(&body, c->h->ctx);
        if (body.oom) {
            respond_text(c, 500, "out of memory\n", head_only);
        } else {
            respond(c, 200, "text/plain; version=0.0.4; charset=utf-8", &body, head_only);
        }
        hale_mtext_free(&body);
    } else if (plen == 1 && target[0] == '/') {
        respond_text(c, 200, "metrics are at /metrics\n", head_only);
    } else {
        respond_text(c, 404, "not found (metrics are at /metrics)\n", head_only);
    }
}

/* ---- the connection's events ---- */

static void conn_write(conn *c) {
    while (c->off < c->out.len) {
        ssize_t w = send(c->fd, c->out.p + c->off, c->out.len - c->off, MSG_NOSIGNAL);
        if (w > 0) {
            c->off += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return; /* EV_WRITE brings us back */
        } else {
            break;
        }
    }
    conn_close(c);
}

static void start_writing(conn *c) {
    if (c->out.oom || !c->out.p) {
        conn_close(c);
        return;
    }
    ev_io_stop(c->h->loop, &c->w);
    ev_io_set(&c->w, c->fd, EV_WRITE);
    ev_io_start(c->h->loop, &c->w);
    conn_write(c);
}

static int head_complete(const conn *c) {
    return memmem(c->head, c->hlen, "\r\n\r\n", 4) || memmem(c->head, c->hlen, "\n\n", 2);
}

static void conn_read(conn *c) {
    for (;;) {
        if (c->hlen == sizeof c->head - 1) {
            respond_text(c, 431, "request head too large\n", 0);
            start_writing(c);
            return;
        }
        ssize_t n = recv(c->fd, c->head + c->hlen, sizeof c->head - 1 - c->hlen, 0);
        if (n > 0) {
            c->hlen += (size_t)n;
            c->head[c->hlen] = '\0';
            if (head_complete(c)) {
                answer(c);
                start_writing(c);
                return;
            }
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else {
            conn_close(c); /* closed before a whole request: nothing to answer */
            return;
        }
    }
}

static void conn_cb(struct ev_loop *loop, ev_io *w, int revents) {
    (void)loop;
    conn *c = w->data;
    if (revents & EV_WRITE) {
        conn_write(c);
    } else {
        conn_read(c);
    }
}

static void deadline_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop;
    (void)revents;
    conn_close(w->data);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents) {
    (void)revents;
    hale_mhttp *h = w->data;
    for (int i = 0; i < 64; i++) {
        int fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            return; /* EAGAIN, or a transient error (EMFILE...): try on the next readiness */
        }
        conn *c = h->nconns < CONN_MAX ? hale_sys_calloc(1, sizeof *c) : NULL;
        if (!c) {
            close(fd);
            continue;
        }
        c->h = h;
        c->fd = fd;
        c->next = h->conns;
        if (h->conns) {
            h->conns->prev = c;
        }
        h->conns = c;
        h->nconns++;
        ev_io_init(&c->w, conn_cb, fd, EV_READ);
        c->w.data = c;
        ev_io_start(loop, &c->w);
        ev_timer_init(&c->t, deadline_cb, DEADLINE_S, 0);
        c->t.data = c;
        ev_timer_start(loop, &c->t);
    }
}

/* ---- listening ---- */

/* Splits "HOST:PORT" / "[V6]:PORT" / ":PORT" into host (NULL for any) and port. */
static int split_addr(const char *addr, char *host, size_t hcap, char *port, size_t pcap,
                      const char **why) {
    const char *colon;
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (!close || close[1] != ':') {
            *why = "expected [ADDRESS]:PORT";
            return -1;
        }
        if ((size_t)(close - addr - 1) >= hcap) {
            *why = "host too long";
            return -1;
        }
        snprintf(host, hcap, "%.*s", (int)(close - addr - 1), addr + 1);
        colon = close + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon) {
            *why = "expected HOST:PORT, e.g. 127.0.0.1:9464";
            return -1;
        }
        if (strchr(addr, ':') != colon) {
            *why = "an IPv6 address goes in brackets: [::1]:9464";
            return -1;
        }
        if ((size_t)(colon - addr) >= hcap) {
            *why = "host too long";
            return -1;
        }
        snprintf(host, hcap, "%.*s", (int)(colon - addr), addr);
    }
    const char *p = colon + 1;
    size_t n = strlen(p);
    if (n == 0 || n >= pcap || strspn(p, "0123456789") != n || strtol(p, NULL, 10) > 65535) {
        *why = "the port must be a number from 0 to 65535";
        return -1;
    }
    memcpy(port, p, n + 1);
    return 0;
}

int hale_mhttp_check_address(const char *addr, char *err, size_t errlen) {
    char host[256], port[8];
    const char *why = "missing";
    if (addr && split_addr(addr, host, sizeof host, port, sizeof port, &why) == 0) {
        return 0;
    }
    snprintf(err, errlen, "%s", why);
    return -1;
}

static void describe(const struct sockaddr *sa, char *out, size_t n) {
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
        port = ntohs(s4->sin_port);
        snprintf(out, n, "%s:%d", ip, port);
    } else {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
        port = ntohs(s6->sin6_port);
        snprintf(out, n, "[%s]:%d", ip, port);
    }
}

hale_mhttp *hale_mhttp_open(struct ev_loop *loop, const char *addr, hale_mhttp_render fn, void *ctx,
                            char *err, size_t errlen) {
    char host[256], port[8];
    const char *why = NULL;
    if (!addr || split_addr(addr, host, sizeof host, port, sizeof port, &why) != 0) {
        snprintf(err, errlen, "metrics address '%s': %s", addr ? addr : "", why ? why : "missing");
        return NULL;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "metrics address '%s': %s", addr, gai_strerror(gai));
        return NULL;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 64) != 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "metrics address '%s': cannot listen: %s", addr, strerror(saved));
        return NULL;
    }
    hale_mhttp *h = hale_sys_calloc(1, sizeof *h);
    if (!h) {
        close(fd);
        snprintf(err, errlen, "metrics address '%s': out of memory", addr);
        return NULL;
    }
    struct sockaddr_storage ss;
    socklen_t slen = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &slen);
    describe((struct sockaddr *)&ss, h->address, sizeof h->address);
    h->loop = loop;
    h->fd = fd;
    h->render = fn;
    h->ctx = ctx;
    ev_io_init(&h->w, accept_cb, fd, EV_READ);
    h->w.data = h;
    ev_io_start(loop, &h->w);
    return h;
}

const char *hale_mhttp_address(const hale_mhttp *h) {
    return h->address;
}

long hale_mhttp_served(const hale_mhttp *h) {
    return h->served;
}

void hale_mhttp_close(hale_mhttp *h) {
    if (!h) {
        return;
    }
    while (h->conns) {
        conn_close(h->conns);
    }
    ev_io_stop(h->loop, &h->w);
    close(h->fd);
    hale_sys_free(h);
}
