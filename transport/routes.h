/* Deploy-time routes: which topics this process carries over which sockets, chosen when it is
 * deployed rather than when it is built, so one binary runs on several hosts unchanged.
 *
 * HALE_BUS_CONFIG=FILE names a TOML file (the same tables may sit in hale.toml's [bus]):
 *
 *     [bus]
 *     key_file = "/etc/hale/deploy.key"   # the deployment key (HALE_KEY_FILE takes precedence)
 *     insecure = false                    # allow unsealed TCP beyond loopback (warns)
 *     max_frame = 1048576                 # bytes; default 1 MiB
 *
 *     [bus.routes."chat.posted"]          # keyed by wire subject
 *     url = "tcp://10.0.0.5:7100"         # or "ipc:///run/chat/posted.sock"
 *     role = "listen"                     # "listen" | "dial" ("connect" is the same); omitted:
 *                                         # inferred from publish/subscribe as in the source
 *     insecure = true                     # per route, overrides [bus]
 *
 * A route adds a binding for its subject or overrides the one written in `bindings { }`. Every
 * error names the file and line. A route that is asked for and cannot be opened refuses the boot
 * (the runtime reports tp_binding_open's message). */
#ifndef HALE_TRANSPORT_ROUTES_H
#define HALE_TRANSPORT_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "binding.h"
#include "toml.h"

#define TP_ROLE_INFER (-1)

typedef struct {
    char subject[TP_SUBJECT_MAX];
    char url[256];
    int role;     /* TP_ROLE_LISTEN, TP_ROLE_DIAL, or TP_ROLE_INFER */
    int insecure; /* 0 or 1; -1 when the route does not say (then [bus] decides) */
    int line;     /* where the route's table starts */
} tp_route;

typedef struct {
    tp_route *routes;
    size_t n;
    char source[256];   /* the file, for messages */
    char key_file[512]; /* "" when not given */
    bool insecure;
    size_t max_frame; /* 0 when not given */
} tp_routes;

/* Reads routes from `path`. Returns 0, or -1 with "path:line: message" in err. */
int tp_routes_load(const char *path, tp_routes *out, char *err, size_t errlen);

/* Reads routes from an already parsed [bus] table (hale.toml's, for instance). `bus` may be
 * NULL (no routes). */
int tp_routes_from_table(const cfg_doc *doc, const cfg_value *bus, tp_routes *out, char *err,
                         size_t errlen);

/* Hale's line format (routes_lines.c): `subject = url : listen|connect` per line, malformed lines
 * reported (on stderr) and skipped. Returns 0, or -1 with a message (unreadable file, a subject
 * routed twice). The _parse form reads `len` bytes of `text`, `path` naming it in messages, and
 * reports skipped lines to `warn` (NULL: not at all). */
int tp_routes_load_lines(const char *path, tp_routes *out, char *err, size_t errlen);
int tp_routes_parse_lines(const char *path, const char *text, size_t len, FILE *warn,
                          tp_routes *out, char *err, size_t errlen);

/* Loads HALE_BUS_CONFIG when it is set, else Hale's LOTUS_BUS_CONFIG (line format) when that is;
 * otherwise leaves `out` empty and returns 0. */
int tp_routes_from_env(tp_routes *out, char *err, size_t errlen);

/* The route for `subject`, or NULL. */
const tp_route *tp_routes_find(const tp_routes *r, const char *subject);

/* Whether a route's binding may run unsealed beyond loopback. */
bool tp_route_insecure(const tp_routes *r, const tp_route *route);

/* The role a binding takes when none is given: a publisher dials and a subscriber listens (so
 * many publishers fan in to one subscriber). A process that does both must say; returns -1. */
int tp_infer_role(tp_dir dir);

/* Fills binding options for `route` as used by a process that `dir`s its subject: url, role
 * (given, or inferred), insecure and max_frame from the file, `key` (may be NULL) and the subject
 * as label. `route` must stay alive while `out` is used. Returns 0, or -1 with "file:line:
 * message" when the role cannot be inferred. */
int tp_route_binding_opts(const tp_routes *r, const tp_route *route, tp_dir dir, const uint8_t *key,
                          tp_binding_opts *out, char *err, size_t errlen);

/* Loads the deployment key and its AEAD: HALE_KEY_FILE if set, else the routes' key_file. Returns 1
 * with the key, 0 when neither names a key, -1 with a reason (unreadable, group/world readable,
 * ...). */
int tp_routes_key(const tp_routes *r, uint8_t key[TP_KEY_BYTES], tp_aead *aead, char *err,
                  size_t errlen);

void tp_routes_free(tp_routes *r);

#endif
