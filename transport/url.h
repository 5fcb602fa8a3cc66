/* Binding addresses: which URLs a binding accepts and what they say about security.
 *
 *   ipc:///abs/path or ipc://rel/path   a Unix socket; local by nature, created owner-only
 *   tcp://host:port (tcp4://, tcp6://)  TCP; host may be a name, an IPv4 address, [IPv6], or
 *                                       empty / "*" for every interface when listening
 * A source-level `unix("/path")` is `ipc:///path`. A TCP address is loopback when its host is
 * 127.0.0.0/8, ::1 or "localhost"; anything else reaches the network and needs a key. */
#ifndef HALE_TRANSPORT_URL_H
#define HALE_TRANSPORT_URL_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { TP_URL_IPC, TP_URL_TCP } tp_url_kind;

typedef struct {
    tp_url_kind kind;
    char path[108]; /* ipc: the socket path (sun_path's size) */
    char host[256]; /* tcp */
    int port;       /* tcp: 0 lets a listener pick a free port */
    bool loopback;  /* ipc, or tcp on a loopback host */
} tp_url;

/* Parses `url`. Returns 0, or -1 with a one-line reason naming the URL. */
int tp_url_parse(const char *url, tp_url *out, char *err, size_t errlen);

/* Writes the URL for a source-level unix("/path") into buf. Returns 0, or -1 if it won't fit. */
int tp_url_from_unix_path(const char *path, char *buf, size_t len);

#endif
