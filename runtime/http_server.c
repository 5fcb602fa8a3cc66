/* std::http::Server (std_http.h): an accept loop in the Server's run(), a coroutine per
 * connection on the same pool, http-parser on the wire, the handler called in a frame of its
 * own so that a fault in it answers 500 instead of ending the program.
 *
 * A connection reads into a buffer that grows to at most the head limit plus the body limit;
 * http-parser copies nothing, its callbacks record where the method, target, header lines and
 * body are, and the parser is paused at the end of each message so pipelined requests are
 * answered one at a time, in order. The Request handed to the handler points into this
 * connection's own assembly buffer (valid for the call); the answer is written from the
 * connection's output buffer with one send. Every wait parks: accept on the listener, reads
 * with the idle deadline, writes on a full socket buffer. Malformed requests get 400, an
 * oversized declared body 413, an oversized header block 431, and the connection closes. */
#include <errno.h>
#include <http_parser.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io.h"
#include "locus_impl.h"
#include "scheduler.h"
#include "std_http.h"
#include "str.h"

struct hale_http_conn {
    hale_http_server *srv;
    hale_http_conn *prev, *next;
    hale_co *co;
    hale_tcp_stream stream;
    hale_region *region;    /* the connection's buffers */
    hale_bytes_builder in;  /* received, not yet parsed */
    hale_bytes_builder msg; /* the current request, assembled */
    hale_bytes_builder out; /* the answer */
    http_parser parser;
    /* the current request: offsets into msg */
    int64_t url_off, url_len, head_off, head_len, body_off, body_len;
    bool in_value; /* the last header callback was a value (a new field starts a line) */
    bool complete; /* a whole message was parsed */
    int reject;    /* an answer to give instead of calling the handler (400, 413, 431) */
    bool owned;    /* the socket is still ours (a takeover hands it over) */
};

/* ---- parser callbacks ---- */

static hale_http_conn *conn_of(http_parser *p) {
    return p->data;
}

static int on_begin(http_parser *p) {
    hale_http_conn *c = conn_of(p);
    hale_bytes_builder_clear(&c->msg);
    c->url_off = c->url_len = c->head_off = c->head_len = c->body_off = c->body_len = 0;
    c->in_value = false;
    c->complete = false;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t n) {
    hale_http_conn *c = conn_of(p);
    if (c->url_len == 0) {
        c->url_off = c->msg.len;
    }
    hale_bytes_builder_append_raw(&c->msg, at, (int64_t)n);
    c->url_len += (int64_t)n;
    return 0;
}

static int on_field(http_parser *p, const char *at, size_t n) {
    hale_http_conn *c = conn_of(p);
    if (c->head_len == 0 && !c->in_value && c->head_off == 0) {
        c->head_off = c->msg.len;
    }
    if (c->in_value) { /* a new header line */
        hale_bytes_builder_append_raw(&c->msg, "\r\n", 2);
        c->head_len += 2;
        c->in_value = false;
    }
    hale_bytes_builder_append_raw(&c->msg, at, (int64_t)n);
    c->head_len += (int64_t)n;
    return c->head_len > HALE_HTTP_MAX_HEAD ? (c->reject = 431, -1) : 0;
}

static int on_value(http_parser *p, const char *at, size_t n) {
    hale_http_conn *c = conn_of(p);
    if (!c->in_value) {
        hale_bytes_builder_append_raw(&c->msg, ": ", 2);
        c->head_len += 2;
        c->in_value = true;
    }
    hale_bytes_builder_append_raw(&c->msg, at, (int64_t)n);
    c->head_len += (int64_t)n;
    return c->head_len > HALE_HTTP_MAX_HEAD ? (c->reject = 431, -1) : 0;
}

static int on_headers_complete(http_parser *p) {
    hale_http_conn *c = conn_of(p);
    if (p->content_length != ULLONG_MAX && p->content_length > (uint64_t)HALE_HTTP_MAX_BODY) {
        c->reject = 413;
        return -1;
    }
    c->body_off = c->msg.len;
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n) {
    hale_http_conn *c = conn_of(p);
    if (c->body_len + (int64_t)n > HALE_HTTP_MAX_BODY) {
        c->reject = 413;
        return -1;
    }
    hale_bytes_builder_append_raw(&c->msg, at, (int64_t)n);
    c->body_len += (int64_t)n;
    return 0;
}

static int on_complete(http_parser *p) {
    conn_of(p)->complete = true;
    http_parser_pause(p, 1); /* one request at a time: pipelined ones wait in `in` */
    return 0;
}

static const http_parser_settings settings = {
    .on_message_begin = on_begin,
    .on_url = on_url,
    .on_header_field = on_field,
    .on_header_value = on_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_complete,
};

/* ---- answering ---- */

typedef struct {
    hale_http_server *srv;
    const hale_http_request *req;
    hale_http_response *resp;
} handle_call;

static void call_handler(void *arg) {
    handle_call *h = arg;
    hale_scratch *sc = hale_scratch_current();
    /* the frame marked both sides; the response lands in `ho` and is written before the reset */
    h->srv->handle(hale_scratch_side(sc, 1), hale_scratch_side(sc, 0), h->srv->handler, h->req,
                   h->resp);
}

static hale_str piece(hale_http_conn *c, int64_t off, int64_t len) {
    return len > 0 ? (hale_str){(const char *)c->msg.buf + off, len} : (hale_str){"", 0};
}

static void plain_answer(hale_http_response *r, int64_t status, const char *body) {
    memset(r, 0, sizeof *r);
    r->status = status;
    r->body = (hale_str){body, (int64_t)strlen(body)};
}

/* Answers the parsed request into c->out; false when the connection must close after it. */
static bool answer(hale_http_conn *c, bool keep) {
    hale_http_server *s = c->srv;
    char version[32];
    snprintf(version, sizeof version, "HTTP/%u.%u", c->parser.http_major, c->parser.http_minor);
    hale_http_request req = {
        .method = {http_method_str((enum http_method)c->parser.method), 0},
        .path = piece(c, c->url_off, c->url_len),
        .version = {version, (int64_t)strlen(version)},
        .headers = piece(c, c->head_off, c->head_len),
        .body = piece(c, c->body_off, c->body_len),
        .conn_fd = c->stream.fd,
    };
    req.method.len = (int64_t)strlen(req.method.ptr);
    hale_http_response resp;
    memset(&resp, 0, sizeof resp);
    hale_scratch *sc = hale_scratch_current();
    hale_region *ho = hale_scratch_side(sc, 1), *hm = hale_scratch_side(sc, 0);
    hale_mark mo = hale_region_mark(ho), mm = hale_region_mark(hm);
    bool ok = s->handler && s->handle;
    if (ok) {
        handle_call h = {s, &req, &resp};
        ok = hale_locus_framed(s->handler, FR_HOOK, call_handler, &h) == 0;
    } else {
        plain_answer(&resp, 404, "not found");
        ok = true;
    }
    if (!ok) {
        plain_answer(&resp, 500, "internal server error");
        keep = false;
    }
    if (resp.takeover || resp.takeover_raw) {
        keep = false;
        c->owned = false; /* the handler keeps the socket (Request.conn_fd) */
    }
    hale_http_write_response(&c->out, &resp, keep);
    hale_region_reset(hm, mm);
    hale_region_reset(ho, mo);
    s->served++;
    return keep;
}

static bool flush_out(hale_http_conn *c) {
    if (c->out.len == 0) {
        return true;
    }
    hale_io_error e;
    bool ok = hale_tcp_send(&c->stream, c->out.buf, (size_t)c->out.len, &e) == 0;
    hale_bytes_builder_clear(&c->out);
    return ok;
}

static void reject(hale_http_conn *c, int status) {
    hale_http_response r;
    plain_answer(&r, status,
                 status == 413   ? "payload too large"
                 : status == 431 ? "request header fields too large"
                                 : "bad request");
    hale_http_write_response(&c->out, &r, false);
    flush_out(c);
}

/* ---- a connection ---- */

static void conn_unlink(hale_http_conn *c) {
    hale_http_server *s = c->srv;
    if (c->prev) {
        c->prev->next = c->next;
    } else {
        s->conns = c->next;
    }
    if (c->next) {
        c->next->prev = c->prev;
    }
    s->nconns--;
}

static void conn_main(void *arg) {
    hale_http_conn *c = arg;
    hale_http_server *s = c->srv;
    c->co = hale_co_self();
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    c->stream.recv_timeout_ns = HALE_HTTP_IDLE_NS;
    bool open = true;
    while (open && !s->stop) {
        /* parse what is buffered; read more only when it holds no whole request */
        size_t used =
            http_parser_execute(&c->parser, &settings, (const char *)c->in.buf, (size_t)c->in.len);
        enum http_errno err = HTTP_PARSER_ERRNO(&c->parser);
        if (err != HPE_OK && err != HPE_PAUSED) {
            reject(c, c->reject ? c->reject : 400);
            break;
        }
        hale_bytes_builder_shift_front(&c->in, (int64_t)used);
        if (c->complete) {
            http_parser_pause(&c->parser, 0);
            c->complete = false;
            bool keep = s->keep_alive && http_should_keep_alive(&c->parser) && !s->stop;
            keep = answer(c, keep);
            if (!flush_out(c) || !keep || !c->owned) {
                break;
            }
            continue;
        }
        if (c->in.len > HALE_HTTP_MAX_HEAD + HALE_HTTP_MAX_BODY) {
            reject(c, 431);
            break;
        }
        hale_io_error e;
        uint8_t *room = hale_bytes_builder_reserve(&c->in, 16384);
        int64_t n = hale_tcp_recv(&c->stream, room, (size_t)(c->in.cap - c->in.len), &e);
        if (n <= 0) {
            if (n == 0 && c->in.len > 0) {
                /* end of stream inside a request: let the parser say what it makes of it */
                http_parser_execute(&c->parser, &settings, NULL, 0);
            }
            open = false;
        } else {
            hale_bytes_builder_commit(&c->in, n);
        }
    }
    if (c->owned) {
        hale_tcp_close(&c->stream);
    }
    conn_unlink(c);
    hale_region_free(c->region);
    hale_sys_free(c);
}

static void start_conn(hale_http_server *s, hale_tcp_stream *st) {
    hale_http_conn *c = hale_sys_malloc(sizeof *c);
    if (!c) {
        hale_tcp_close(st);
        return;
    }
    memset(c, 0, sizeof *c);
    c->srv = s;
    c->stream = *st;
    c->owned = true;
    c->region = hale_region_new(NULL, "http connection");
    hale_bytes_builder_init(&c->in, c->region, 4096);
    hale_bytes_builder_init(&c->msg, c->region, 1024);
    hale_bytes_builder_init(&c->out, c->region, 1024);
    c->next = s->conns;
    if (s->conns) {
        s->conns->prev = c;
    }
    s->conns = c;
    s->nconns++;
    hale_io_error e;
    hale_tcp_set_nodelay(&c->stream, true, &e);
    bool ok;
    hale_spawn(hale_pool_current() ? hale_pool_current() : hale_pool_main(), conn_main, c, &ok);
}

/* ---- the locus ---- */

void hale_http_not_found(hale_region *ho, hale_region *hm, void *self, const void *req,
                         void *resp) {
    (void)ho;
    (void)hm;
    (void)self;
    (void)req;
    plain_answer(resp, 404, "not found");
}

void hale_http_server_init(hale_http_server *s) {
    memset(s, 0, sizeof *s);
    s->listener.fd = -1;
}

void hale_http_server_birth(hale_http_server *s, hale_locus *self, hale_str host, int64_t port,
                            hale_str ready_signal, bool keep_alive, int64_t max_accepts) {
    s->self = self;
    s->keep_alive = keep_alive;
    s->max_accepts = max_accepts;
    char h[256];
    hale_io_error e;
    memset(&e, 0, sizeof e);
    int rc = -1;
    if (host.len >= 0 && host.len < (int64_t)sizeof h && port >= 0 && port <= 65535) {
        memcpy(h, host.ptr, (size_t)host.len);
        h[host.len] = 0;
        rc = hale_tcp_listen(h, (int)port, 0, &s->listener, &e);
    } else {
        hale_io_error_set(&e, EINVAL, "listen", "");
    }
    if (rc != 0) {
        hale_closure_report r;
        memset(&r, 0, sizeof r);
        r.closure = "listen_failed";
        r.captures = (hale_str){e.message, (int64_t)strlen(e.message)};
        hale_locus_violate(self, &r);
        return;
    }
    s->port = hale_tcp_listener_port(&s->listener);
    if (ready_signal.len > 0) {
        /* `{port}` in the signal becomes the bound port (useful with port 0) */
        hale_sbuf *out = hale_out(1);
        int64_t at = hale_str_index_of(ready_signal, HALE_STR_LIT("{port}"));
        if (at >= 0) {
            char num[16];
            int n = snprintf(num, sizeof num, "%d", s->port);
            hale_sbuf_put(out, ready_signal.ptr, (size_t)at);
            hale_sbuf_put(out, num, (size_t)n);
            hale_sbuf_put(out, ready_signal.ptr + at + 6, (size_t)(ready_signal.len - at - 6));
        } else {
            hale_sbuf_put(out, ready_signal.ptr, (size_t)ready_signal.len);
        }
        hale_out_done(out, 1);
        hale_out_flush();
    }
}

void hale_http_server_run(hale_http_server *s, hale_locus *handler) {
    s->handler = handler;
    s->handle = handler && handler->type ? (hale_http_handle_fn)handler->type->std_handle : NULL;
    s->accepting = hale_co_self();
    while (s->listener.fd >= 0 && !s->stop &&
           (s->max_accepts <= 0 || s->accepted < s->max_accepts)) {
        int fd = accept4(s->listener.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            hale_tcp_stream st;
            hale_tcp_stream_from_fd(&st, fd);
            s->accepted++;
            start_conn(s, &st);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) {
            continue;
        }
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            hale_sleep(10000000); /* out of descriptors: let connections finish first */
            continue;
        }
        if (errno != EAGAIN) {
            break; /* shut down (shutdown() makes accept fail) or closed */
        }
        /* wait for a connection; look up every so often whether the Server's holder is done
         * with it (a placed Server stops when its owner's run() has ended) */
        int w = hale_wait_fd(s->listener.fd, HALE_READABLE, HALE_HTTP_POLL_NS);
        if (w < 0 || hale_locus_stop_target(1) || hale_program_shutting_down() ||
            (w == 0 && s->self && hale_place_join_waiting(s->self))) {
            break;
        }
    }
    /* the connections already started finish (they point at this state, so run() outlives
     * them); when the Server stops they are interrupted, which ends their waits */
    bool stopping = s->stop || hale_locus_stop_target(1) || hale_program_shutting_down() ||
                    (s->self && hale_place_join_waiting(s->self));
    while (s->nconns > 0) {
        if (stopping || s->stop || hale_locus_stop_target(1)) {
            s->stop = 1;
            for (hale_http_conn *c = s->conns; c; c = c->next) {
                if (c->co) {
                    hale_interrupt(c->co);
                }
            }
        }
        hale_sleep(1000000);
    }
    s->accepting = NULL;
}

void hale_http_server_shutdown(hale_http_server *s) {
    s->stop = 1;
    if (s->listener.fd >= 0) {
        shutdown(s->listener.fd, SHUT_RDWR); /* wakes the accept wherever it waits */
    }
}

int64_t hale_http_server_local_port(hale_http_server *s) {
    return s->port;
}

void hale_http_server_dissolve(hale_http_server *s) {
    s->stop = 1;
    hale_tcp_listener_close(&s->listener);
}
