/* std::http's one-shot client (std_http.h): get, post and parse_url. One connection per call
 * (`Connection: close`), http (std::io::tcp) or https (std::io::tls, verified), the response
 * read with http-parser in response mode, so Content-Length, chunked and read-to-close bodies
 * are all handled and malformed framing is an error, never a partial body. Every wait parks.
 * Errors are Hale's HttpError { kind, detail }: bad_url, unsupported_scheme, connect_failed,
 * send_failed, recv_failed, bad_response, too_large. */
#include <errno.h>
#include <http_parser.h>
#include <stdio.h>
#include <string.h>

#include "std_http.h"
#include "std_tls.h"
#include "str.h"

#define CLIENT_MAX_BODY ((int64_t)64 << 20)
#define CLIENT_TIMEOUT_NS ((int64_t)30000000000)

static bool fail(hale_region *r, hale_http_error *err, const char *kind, const char *detail) {
    if (err) {
        err->kind = hale_str_copy(r, (hale_str){kind, (int64_t)strlen(kind)});
        err->detail = hale_str_copy(r, (hale_str){detail, (int64_t)strlen(detail)});
    }
    return false;
}

/* scheme://host[:port][/path...] (views into s); false with the error's kind. */
static bool split_url(hale_str s, hale_http_url *u, const char **why) {
    memset(u, 0, sizeof *u);
    int64_t sep = hale_str_index_of(s, HALE_STR_LIT("://"));
    if (sep <= 0) {
        *why = "bad_url";
        return false;
    }
    u->scheme = (hale_str){s.ptr, sep};
    bool https = hale_str_eq(u->scheme, HALE_STR_LIT("https"));
    if (!https && !hale_str_eq(u->scheme, HALE_STR_LIT("http"))) {
        *why = "unsupported_scheme";
        return false;
    }
    hale_str rest = {s.ptr + sep + 3, s.len - sep - 3};
    int64_t slash = hale_str_index_of(rest, HALE_STR_LIT("/"));
    hale_str auth = slash < 0 ? rest : (hale_str){rest.ptr, slash};
    u->path = slash < 0 ? HALE_STR_LIT("/") : (hale_str){rest.ptr + slash, rest.len - slash};
    int64_t colon = hale_str_index_of(auth, HALE_STR_LIT(":"));
    u->host = colon < 0 ? auth : (hale_str){auth.ptr, colon};
    u->port = https ? 443 : 80;
    if (colon >= 0 &&
        !hale_str_parse_int((hale_str){auth.ptr + colon + 1, auth.len - colon - 1}, &u->port)) {
        *why = "bad_url";
        return false;
    }
    for (int64_t i = 0; i < u->host.len; i++) {
        char c = u->host.ptr[i];
        if (c == ' ' || c == '@' || c == '?' || c == '#' || (unsigned char)c < 0x21) {
            *why = "bad_url";
            return false;
        }
    }
    for (int64_t i = 0; i < u->path.len; i++) {
        if ((unsigned char)u->path.ptr[i] <= 0x20) {
            *why = "bad_url";
            return false;
        }
    }
    if (u->host.len == 0 || u->port < 1 || u->port > 65535) {
        *why = "bad_url";
        return false;
    }
    return true;
}

bool hale_http_parse_url(hale_region *r, hale_str s, hale_http_url *out, hale_http_error *err) {
    hale_http_url u;
    const char *why = NULL;
    if (!split_url(s, &u, &why)) {
        if (out) {
            memset(out, 0, sizeof u);
            out->scheme = out->host = out->path = (hale_str){"", 0};
        }
        return fail(r, err, why, "not an http(s) URL");
    }
    if (out) {
        hale_http_url *o = out;
        o->scheme = hale_str_copy(r, u.scheme);
        o->host = hale_str_copy(r, u.host);
        o->port = u.port;
        o->path = hale_str_copy(r, u.path);
    }
    return true;
}

/* ---- one exchange ---- */

typedef struct {
    int fd;      /* plain http */
    int64_t tls; /* https: a std::io::tls handle */
    hale_tcp_stream stream;
} link_t;

static bool link_send(link_t *l, const void *p, int64_t n) {
    if (l->tls > 0) {
        return hale_tls_send_bytes(l->tls, (hale_bytes){p, n}) == n;
    }
    hale_io_error e;
    return hale_tcp_send(&l->stream, p, (size_t)n, &e) == 0;
}

static int64_t link_recv(link_t *l, hale_bytes_builder *b) {
    if (l->tls > 0) {
        return hale_tls_recv_into(l->tls, b, 16384);
    }
    hale_io_error e;
    uint8_t *p = hale_bytes_builder_reserve(b, 16384);
    int64_t n = hale_tcp_recv(&l->stream, p, 16384, &e);
    if (n > 0) {
        hale_bytes_builder_commit(b, n);
    }
    return n;
}

static void link_close(link_t *l) {
    if (l->tls > 0) {
        hale_tls_close(l->tls);
    } else {
        hale_tcp_close(&l->stream);
    }
}

typedef struct {
    hale_bytes_builder head, body;
    bool in_value, done, too_large;
} response_state;

static int on_field(http_parser *p, const char *at, size_t n) {
    response_state *s = p->data;
    if (s->in_value) {
        hale_bytes_builder_append_raw(&s->head, "\r\n", 2);
        s->in_value = false;
    }
    hale_bytes_builder_append_raw(&s->head, at, (int64_t)n);
    return 0;
}

static int on_value(http_parser *p, const char *at, size_t n) {
    response_state *s = p->data;
    if (!s->in_value) {
        hale_bytes_builder_append_raw(&s->head, ": ", 2);
        s->in_value = true;
    }
    hale_bytes_builder_append_raw(&s->head, at, (int64_t)n);
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n) {
    response_state *s = p->data;
    if (s->body.len + (int64_t)n > CLIENT_MAX_BODY) {
        s->too_large = true;
        return -1;
    }
    hale_bytes_builder_append_raw(&s->body, at, (int64_t)n);
    return 0;
}

static int on_done(http_parser *p) {
    ((response_state *)p->data)->done = true;
    return 0;
}

static const http_parser_settings response_settings = {
    .on_header_field = on_field,
    .on_header_value = on_value,
    .on_body = on_body,
    .on_message_complete = on_done,
};

static bool exchange(hale_region *r, hale_str method, hale_str url, hale_bytes body,
                     hale_str content_type, hale_http_client_response *out, hale_http_error *err) {
    if (out) {
        memset(out, 0, sizeof *out);
        out->headers = (hale_str){"", 0};
        out->body = (hale_bytes){(const uint8_t *)"", 0};
    }
    hale_http_url u;
    const char *why = NULL;
    if (!split_url(url, &u, &why)) {
        return fail(r, err, why, "not an http(s) URL");
    }
    char host[256];
    if (u.host.len >= (int64_t)sizeof host) {
        return fail(r, err, "bad_url", "host name too long");
    }
    memcpy(host, u.host.ptr, (size_t)u.host.len);
    host[u.host.len] = 0;
    link_t l;
    memset(&l, 0, sizeof l);
    hale_io_error e;
    if (hale_str_eq(u.scheme, HALE_STR_LIT("https"))) {
        if (!hale_tls_connect(u.host, u.port, &l.tls, &e)) {
            return fail(r, err, "connect_failed", e.message);
        }
        hale_tls_set_recv_timeout(l.tls, CLIENT_TIMEOUT_NS, NULL, &e);
    } else {
        if (hale_tcp_connect(host, (int)u.port, &l.stream, &e) != 0) {
            return fail(r, err, "connect_failed", e.message);
        }
        l.stream.recv_timeout_ns = CLIENT_TIMEOUT_NS;
    }
    hale_bytes_builder req;
    hale_bytes_builder_init(&req, r, 256);
    char line[160];
    hale_bytes_builder_append_str(&req, method);
    hale_bytes_builder_append_byte(&req, ' ');
    hale_bytes_builder_append_str(&req, u.path);
    int n = snprintf(line, sizeof line, " HTTP/1.1\r\nHost: %s\r\nUser-Agent: hale\r\n", host);
    hale_bytes_builder_append_raw(&req, line, n);
    if (body.len > 0 || hale_str_eq(method, HALE_STR_LIT("POST"))) {
        if (content_type.len) {
            hale_bytes_builder_append_str(&req, HALE_STR_LIT("Content-Type: "));
            hale_bytes_builder_append_str(&req, content_type);
            hale_bytes_builder_append_str(&req, HALE_STR_LIT("\r\n"));
        }
        n = snprintf(line, sizeof line, "Content-Length: %lld\r\n", (long long)body.len);
        hale_bytes_builder_append_raw(&req, line, n);
    }
    hale_bytes_builder_append_str(&req, HALE_STR_LIT("Connection: close\r\n\r\n"));
    hale_bytes_builder_append(&req, body);
    bool sent = link_send(&l, req.buf, req.len);
    hale_bytes_builder_destroy(&req);
    if (!sent) {
        link_close(&l);
        return fail(r, err, "send_failed", "the server did not take the request");
    }
    response_state s;
    memset(&s, 0, sizeof s);
    hale_bytes_builder_init(&s.head, r, 512);
    hale_bytes_builder_init(&s.body, r, 4096);
    hale_bytes_builder in;
    hale_bytes_builder_init(&in, r, 16384);
    http_parser p;
    http_parser_init(&p, HTTP_RESPONSE);
    p.data = &s;
    const char *kind = NULL;
    while (!s.done && !kind) {
        hale_bytes_builder_clear(&in);
        int64_t got = link_recv(&l, &in);
        if (got < 0) {
            kind = "recv_failed";
            break;
        }
        size_t used = http_parser_execute(&p, &response_settings, (const char *)in.buf,
                                          (size_t)got); /* got == 0: end of stream */
        if (s.too_large) {
            kind = "too_large";
        } else if (HTTP_PARSER_ERRNO(&p) != HPE_OK || used != (size_t)got) {
            kind = "bad_response";
        } else if (got == 0 && !s.done) {
            kind = "bad_response"; /* closed before the response was whole */
        }
    }
    link_close(&l);
    if (kind) {
        hale_bytes_builder_destroy(&in);
        return fail(r, err, kind, http_errno_description(HTTP_PARSER_ERRNO(&p)));
    }
    if (out) {
        out->status = p.status_code;
        out->headers = hale_str_copy(r, hale_bytes_builder_text_view(&s.head));
        out->body = hale_bytes_copy_into(r, hale_bytes_builder_view(&s.body));
    }
    hale_bytes_builder_destroy(&in);
    hale_bytes_builder_destroy(&s.head);
    hale_bytes_builder_destroy(&s.body);
    return true;
}

bool hale_http_get(hale_region *r, hale_str url, hale_http_client_response *out,
                   hale_http_error *err) {
    return exchange(r, HALE_STR_LIT("GET"), url, (hale_bytes){(const uint8_t *)"", 0},
                    (hale_str){"", 0}, out, err);
}

bool hale_http_post(hale_region *r, hale_str url, hale_bytes body, hale_str content_type,
                    hale_http_client_response *out, hale_http_error *err) {
    return exchange(r, HALE_STR_LIT("POST"), url, body, content_type, out, err);
}
