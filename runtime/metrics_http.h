/* A tiny HTTP/1.x server for `/metrics` on a libev loop, shared by `hale serve` (on its own
 * loop) and compiled programs (on a loop of a small thread of their own, metrics.c).
 *
 * It answers one request per connection and closes it: `GET /metrics` (or HEAD) with the text
 * the render callback writes, as `text/plain; version=0.0.4`; `/` with a pointer to /metrics;
 * other paths 404, other methods 405, a malformed request 400, a request head over 8 KiB 431.
 * Every socket is nonblocking and every connection has a deadline (10 s to send its request and
 * read the answer), and at most 32 are open at once (more are closed at once), so a slow or
 * hostile client costs a file descriptor for a while, never the loop's time. */
#ifndef HALE_RUNTIME_METRICS_HTTP_H
#define HALE_RUNTIME_METRICS_HTTP_H

#include <ev.h>
#include <stddef.h>

#include "metrics_text.h"

typedef struct hale_mhttp hale_mhttp;

/* Writes the body of one scrape into `body` (empty on entry). Runs on the loop's thread. */
typedef void (*hale_mhttp_render)(hale_mtext *body, void *ctx);

/* Listens on `addr` ("HOST:PORT", "[V6]:PORT", ":PORT" for every interface; port 0 picks a free
 * one) and serves on `loop`. Returns NULL with a message in err ("metrics address '...': ...")
 * when the address is malformed or cannot be bound. */
hale_mhttp *hale_mhttp_open(struct ev_loop *loop, const char *addr, hale_mhttp_render fn, void *ctx,
                            char *err, size_t errlen);

/* Checks the form of an address without resolving or binding it: 0, or -1 with the reason in
 * err ("expected HOST:PORT, e.g. 127.0.0.1:9464"). For config checks. */
int hale_mhttp_check_address(const char *addr, char *err, size_t errlen);

/* The address actually bound, "127.0.0.1:40123" or "[::1]:40123". */
const char *hale_mhttp_address(const hale_mhttp *h);

/* Requests answered (any status) since open. */
long hale_mhttp_served(const hale_mhttp *h);

/* Stops listening, closes every connection and frees `h` (NULL is fine). On the loop's thread. */
void hale_mhttp_close(hale_mhttp *h);

#endif
