/* std::http: Request and Response records, their text forms, and a Server that serves a
 * handler locus over HTTP/1.1 (http_server.c); a client in http_client.c.
 *
 * The wire is parsed by Node's http-parser (Debian's libhttp-parser): a streaming, allocation-
 * free HTTP/1.1 parser that has met every malformed request the internet sends, with chunked
 * bodies, pipelining and header-size limits done right, which a server should not reinvent.
 * `std::http::parse_request` is Hale's text utility instead: it takes apart a request held in a
 * String with Hale's lenient rules (a request line with two fields has no version; anything else
 * odd answers empty fields, never an error), so it is ours (http_text.c) and fuzzed.
 *
 * Request { method, path (the raw target, query included), version, headers, body, conn_fd }:
 * `headers` is the header block as "Name: value" lines joined with CRLF (no trailing CRLF);
 * header(r, name) finds a value case-insensitively (Response.headers is read the same way).
 * Response { status, content_type, headers, body, takeover, takeover_raw }: `headers` are extra
 * lines the Server writes as they are; takeover writes the status line and `headers` only and
 * hands the connection (Request.conn_fd) to the handler, takeover_raw writes nothing.
 *
 * Layouts below match the built-in seed's records (the generated code checks them). */
#ifndef HALE_RUNTIME_STD_HTTP_H
#define HALE_RUNTIME_STD_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "bytes.h"
#include "ioerror.h"
#include "locus.h"
#include "region.h"
#include "scheduler.h"
#include "tcp.h"
#include "value.h"

typedef struct {
    hale_str method;
    hale_str path;
    hale_str version;
    hale_str headers;
    hale_str body;
    int64_t conn_fd;
} hale_http_request;

typedef struct {
    int64_t status;
    hale_str content_type;
    hale_str headers;
    hale_str body;
    bool takeover;
    bool takeover_raw;
} hale_http_response;

/* ---- text (http_text.c) ---- */

/* Takes apart a whole request held in `raw` (views into it: nothing is copied). */
void hale_http_parse_request(hale_str raw, hale_http_request *out);
/* The value of header `name` in a CRLF-joined header block, or "" (case-insensitive name; the
 * value's surrounding blanks trimmed; the first match). */
hale_str hale_http_header_in(hale_str headers, hale_str name);
hale_str hale_http_request_header(const hale_http_request *r, hale_str name);
hale_str hale_http_response_header(const hale_http_response *r, hale_str name);
/* The reason phrase of a status code ("OK", "Not Found"; "Unknown" for others). */
const char *hale_http_status_phrase(int64_t status);
hale_str hale_http_status_phrase_str(int64_t status);
/* A response's head (status line, Content-Type, Content-Length, its headers, Connection) and
 * body appended to `out`; `keep_alive` chooses the Connection header. */
void hale_http_write_response(hale_bytes_builder *out, const hale_http_response *r,
                              bool keep_alive);
/* std::http::write_response(resp) -> String: the same text, in r. */
hale_str hale_http_response_text(hale_region *r, const hale_http_response *resp);

/* ---- the Server (http_server.c) ---- */

/* The handler call the Server makes: a locus type's `fn handle(req: Request) -> Response`
 * (the compiler emits it for every locus that stands for a std::http::Handler). */
typedef void (*hale_http_handle_fn)(hale_region *ho, hale_region *hm, void *self, const void *req,
                                    void *resp);

#define HALE_HTTP_MAX_BODY ((int64_t)1 << 20)   /* a larger declared body: 413 */
#define HALE_HTTP_MAX_HEAD ((int64_t)64 << 10)  /* a larger header block: 431 */
#define HALE_HTTP_IDLE_NS ((int64_t)5000000000) /* a connection quiet this long is closed */
#define HALE_HTTP_POLL_NS ((int64_t)100000000)  /* accept looks up its holder this often */

/* The default handler (std::http::Handler's own state): answers 404 to everything. */
typedef struct {
    int unused;
} hale_http_no_handler;
void hale_http_not_found(hale_region *ho, hale_region *hm, void *self, const void *req, void *resp);

typedef struct hale_http_conn hale_http_conn;

/* The state of a Server locus. */
typedef struct {
    hale_tcp_listener listener;
    int port;            /* bound port (after birth) */
    bool keep_alive;     /* serve several requests per connection (else Connection: close) */
    int64_t max_accepts; /* 0: no limit */
    int64_t accepted;    /* connections taken */
    int64_t served;      /* requests answered */
    hale_locus *self;    /* the Server locus */
    hale_locus *handler; /* the handler child */
    hale_http_handle_fn handle;
    hale_co *accepting;    /* the coroutine in run()'s accept loop */
    hale_http_conn *conns; /* live connections */
    int64_t nconns;
    _Atomic int stop; /* shutdown() asked (any thread) */
} hale_http_server;

void hale_http_server_init(hale_http_server *s);
/* birth: listens on host:port; failure is the Server's `listen_failed` violation. Prints
 * `ready_signal` (when not empty) once listening, `{port}` in it replaced by the bound port. */
void hale_http_server_birth(hale_http_server *s, hale_locus *self, hale_str host, int64_t port,
                            hale_str ready_signal, bool keep_alive, int64_t max_accepts);
/* run: accepts until max_accepts connections were taken, shutdown() or the locus stops; each
 * connection is served by a coroutine of its own on the same pool. Returns when every
 * connection it started has finished (those still open when it stops are interrupted). */
void hale_http_server_run(hale_http_server *s, hale_locus *handler);
/* shutdown(): ends run()'s accept loop; any thread. */
void hale_http_server_shutdown(hale_http_server *s);
int64_t hale_http_server_local_port(hale_http_server *s);
void hale_http_server_dissolve(hale_http_server *s);

/* ---- the one-shot client (http_client.c) ---- */

/* Hale's `ClientResponse { status: Int; headers: String; body: Bytes; }` */
typedef struct {
    int64_t status;
    hale_str headers;
    hale_bytes body;
} hale_http_client_response;

/* Hale's `HttpError { kind: String; detail: String; }` (kinds: bad_url, unsupported_scheme,
 * connect_failed, send_failed, recv_failed, bad_response, too_large). */
typedef struct {
    hale_str kind;
    hale_str detail;
} hale_http_error;

/* Hale's `Url { scheme: String; host: String; port: Int; path: String; }` (the query rides in
 * the path; no user info, no fragment, nothing URL-decoded). */
typedef struct {
    hale_str scheme;
    hale_str host;
    int64_t port;
    hale_str path;
} hale_http_url;

/* std::http::get(url), post(url, body, content_type) -> ClientResponse fallible(HttpError),
 * parse_url(s) -> Url fallible(HttpError). `err` may be NULL. */
bool hale_http_get(hale_region *r, hale_str url, hale_http_client_response *out,
                   hale_http_error *err);
bool hale_http_post(hale_region *r, hale_str url, hale_bytes body, hale_str content_type,
                    hale_http_client_response *out, hale_http_error *err);
bool hale_http_parse_url(hale_region *r, hale_str s, hale_http_url *out, hale_http_error *err);

#endif
