/* See bus_bind.h. This file: opening the program's bindings at boot, the bus sink that sends,
 * the coroutines that receive and watch links, and the shutdown. */
#include "bus_bind.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "bus.h"
#include "io.h"
#include "locus.h"
#include "routes.h"
#include "scheduler.h"
#include "std.h"

#define MAX_LINKS 64
#define PUMP_BUDGET 16
#define LINGER_MS 2000

typedef struct link {
    tp_binding *b;
    char url[256];
    const char *label; /* the first subject */
    tp_role role;
    tp_dir dir;
    hale_region *region;
    hale_co *rx, *ev;
    _Atomic int lost; /* a send found the dial link down and reported it; 0 when it is back */
} link;

typedef struct {
    link *l;
    int handle; /* tp_binding_add_topic's */
} sink_ctx;

static struct {
    tp_routes routes;
    uint8_t key[TP_KEY_BYTES];
    tp_aead aead;
    int have_key;
    link links[MAX_LINKS];
    int nlinks;
    sink_ctx *sinks; /* one per bus topic */
    size_t ntopics;
    int connect_ms;
    int stopping;
} S;

static int env_int(const char *name, int dflt) {
    const char *v = getenv(name);
    return v && *v ? atoi(v) : dflt;
}

/* ---- sending ---- */

static void lost(link *l);

static int sink(void *ctx, int topic, const void *payload, unsigned flags) {
    (void)topic;
    sink_ctx *s = ctx;
    link *l = s->l;
    for (;;) {
        int r = tp_send(l->b, s->handle, payload, TP_SEND_NONBLOCK);
        if (r == TP_OK) {
            return HALE_BUS_OK;
        }
        int gone = S.stopping || hale_cancelled() || hale_program_shutting_down();
        if (r == TP_EAGAIN && !gone) {
            /* backpressure on a live link: wait for room, as a full mailbox makes us wait */
            hale_bind_wait_fd(tp_binding_send_fd(l->b), HALE_READABLE, 100 * 1000000LL);
            continue;
        }
        if (r == TP_ENOPEER && l->role == TP_ROLE_DIAL && !l->lost && !gone) {
            /* Hale's rule: a connect-side loss is found by a send, and that send is its casualty
             * (dropped, counted) whatever its disposition; an idle publisher whose peer left is
             * not failing anything */
            tp_count_send_dropped(l->b, s->handle);
            lost(l);
            return HALE_BUS_NOLINK;
        }
        if (r == TP_ENOPEER && (flags & HALE_BUS_WAIT) && !gone) {
            hale_bind_wait_fd(tp_binding_event_fd(l->b), HALE_READABLE, 20 * 1000000LL);
            continue;
        }
        if (r == TP_EAGAIN || r == TP_ENOPEER) {
            tp_count_send_dropped(l->b, s->handle);
        }
        return r == TP_EAGAIN ? HALE_BUS_FULL : HALE_BUS_NOLINK;
    }
}

/* ---- receiving ---- */

/* Each received message is delivered, with everything its handlers publish, before the next
 * one: a receive is like a function that publishes one message and returns (its settle point),
 * so a subscriber made in a handler (a fallback that creates the keyed subscriber) hears the
 * next message. */
static void deliver(void *ctx, const tp_delivery *d) {
    hale_bus_inbound((int)(intptr_t)ctx, d->value, 0);
    hale_bus_settle_point();
}

static void rx_main(void *arg) {
    link *l = arg;
    int fd = tp_binding_recv_fd(l->b);
    for (;;) {
        int n;
        do {
            hale_mark m = hale_region_mark(l->region);
            n = tp_binding_pump(l->b, l->region, PUMP_BUDGET);
            hale_region_reset(l->region, m);
            if (n > 0 && hale_cancelled()) {
                return;
            }
        } while (n == PUMP_BUDGET);
        if (n < 0 || hale_wait_fd(fd, HALE_READABLE, -1) < 0) {
            return;
        }
    }
}

/* ---- links ---- */

static void fatal(link *l, const char *what) {
    hale_out_flush();
    fflush(stdout);
    fprintf(stderr, "hale: binding `%s` (%s) %s\n", l->label, l->url, what);
    fflush(stderr);
    exit(HALE_EXIT_FAILURE);
}

static hale_str cs(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

/* The structural failure of a lost dial link, on main (its on_failure, or exit 70). */
static void lost(link *l) {
    l->lost = 1;
    char msg[512];
    snprintf(msg, sizeof msg, "binding `%s` (%s) lost its connection", l->label, l->url);
    hale_violation v;
    memset(&v, 0, sizeof v);
    v.locus = cs("UnixTransport");
    v.closure = cs("link");
    v.epoch = cs("link");
    v.path = cs(l->label);
    v.message = cs(msg);
    if (!hale_bind_run_failure(l, &v)) {
        fatal(l, "lost its connection (main has no on_failure for its transport)");
    }
}

static void ev_main(void *arg) {
    link *l = arg;
    int fd = tp_binding_event_fd(l->b);
    for (;;) {
        tp_link_event ev;
        while (tp_binding_next_event(l->b, &ev)) {
            if (ev.kind == TP_LINK_UP) {
                l->lost = 0; /* nng redialled on its own */
            }
        }
        if (hale_wait_fd(fd, HALE_READABLE, -1) < 0) {
            return;
        }
    }
}

void tp_bind_restart(void *arg) {
    link *l = arg;
    /* nng redials on its own (reconnect backoff); restarting is waiting for it within the
     * window the boot connect has, polled on the clock (the link's event fd belongs to its
     * reader, parked behind this on_failure, so it may stay readable) */
    int64_t deadline = hale_time_monotonic() + (int64_t)S.connect_ms * 1000000;
    while (tp_binding_peers(l->b) == 0) {
        if (S.stopping || hale_program_shutting_down()) {
            return;
        }
        if (hale_time_monotonic() >= deadline) {
            fatal(l, "could not be realized again: the peer did not answer the redial");
        }
        hale_bind_sleep(10 * 1000000LL);
    }
    l->lost = 0;
}

/* ---- boot ---- */

static link *link_for(const char *url) {
    for (int i = 0; i < S.nlinks; i++) {
        if (strcmp(S.links[i].url, url) == 0) {
            return &S.links[i];
        }
    }
    return NULL;
}

static int role_of(const tp_route *r, const hale_bind_desc *d) {
    if (r && r->role != TP_ROLE_INFER) {
        return r->role;
    }
    return d->role == HALE_BIND_LISTEN ? TP_ROLE_LISTEN
           : d->role == HALE_BIND_DIAL ? TP_ROLE_DIAL
                                       : TP_ROLE_INFER;
}

/* The URL topic `d` is carried on (the route's, else the source's; NULL when neither). A
 * relative ipc path names a socket in the process's runtime directory: systemd's
 * $RUNTIME_DIRECTORY (its first entry) when the unit has one, where a sandboxed service may
 * write, else the working directory. */
static const char *topic_url(const hale_bind_desc *d, char *buf, size_t len) {
    const tp_route *r = tp_routes_find(&S.routes, hale_bus_topic(d->topic)->subject);
    const char *url = r ? r->url : d->url;
    const char *dir = getenv("RUNTIME_DIRECTORY");
    if (!url || strncmp(url, "ipc://", 6) != 0 || url[6] == '/' || url[6] == '\0' || !dir ||
        dir[0] != '/') {
        return url;
    }
    snprintf(buf, len, "ipc://%.*s/%s", (int)strcspn(dir, ":"), dir, url + 6);
    return buf; /* too long: cut, and refused by the binding as longer than a socket path */
}

/* Groups the topics by URL, marking the ones carried in used[]. Returns 0 or -1 with err. */
static int plan(const hale_bind_desc *d, size_t n, int *used, char *err, size_t errlen) {
    for (size_t i = 0; i < n; i++) {
        const hale_bus_topic_desc *t = hale_bus_topic(d[i].topic);
        const tp_route *r = tp_routes_find(&S.routes, t->subject);
        char buf[sizeof S.links[0].url];
        const char *url = topic_url(&d[i], buf, sizeof buf);
        used[i] = 0;
        if (!url) {
            continue;
        }
        if (!d[i].publishes && !d[i].subscribes) {
            continue; /* a route for a topic this program never uses */
        }
        link *l = link_for(url);
        if (!l) {
            if (S.nlinks == MAX_LINKS) {
                snprintf(err, errlen, "binding `%s` (%s) could not be realized: more than %d URLs",
                         t->subject, url, MAX_LINKS);
                return -1;
            }
            l = &S.links[S.nlinks++];
            snprintf(l->url, sizeof l->url, "%s", url);
            l->label = t->subject;
            l->role = (tp_role)TP_ROLE_INFER;
            l->dir = d[i].publishes && d[i].subscribes ? TP_DIR_BOTH
                     : d[i].publishes                  ? TP_DIR_PUBLISH
                                                       : TP_DIR_SUBSCRIBE;
        } else {
            int pub = l->dir != TP_DIR_SUBSCRIBE || d[i].publishes;
            int sub = l->dir != TP_DIR_PUBLISH || d[i].subscribes;
            l->dir = pub && sub ? TP_DIR_BOTH : pub ? TP_DIR_PUBLISH : TP_DIR_SUBSCRIBE;
        }
        int role = role_of(r, &d[i]);
        if (role != TP_ROLE_INFER) {
            if ((int)l->role != TP_ROLE_INFER && (int)l->role != role) {
                snprintf(err, errlen,
                         "binding `%s` (%s) could not be realized: the topics on this URL ask for "
                         "both roles",
                         t->subject, url);
                return -1;
            }
            l->role = (tp_role)role;
        }
        used[i] = 1;
    }
    for (int k = 0; k < S.nlinks; k++) {
        link *l = &S.links[k];
        if ((int)l->role == TP_ROLE_INFER) {
            int role = tp_infer_role(l->dir);
            if (role < 0) {
                snprintf(err, errlen,
                         "binding `%s` (%s) could not be realized: this program both publishes "
                         "and subscribes it; give the route a role (listen or dial)",
                         l->label, l->url);
                return -1;
            }
            l->role = (tp_role)role;
        }
    }
    return 0;
}

static int open_link(link *l, char *err, size_t errlen) {
    const tp_route *r = tp_routes_find(&S.routes, l->label);
    tp_binding_opts o;
    memset(&o, 0, sizeof o);
    o.url = l->url;
    o.role = l->role;
    o.dir = l->dir;
    o.key = S.have_key ? S.key : NULL;
    o.aead = S.aead;
    o.insecure = r ? tp_route_insecure(&S.routes, r) : S.routes.insecure;
    o.label = l->label;
    o.max_frame = S.routes.max_frame;
    o.connect_timeout_ms = S.connect_ms;
    char why[400];
    if (tp_binding_open(&l->b, &o, why, sizeof why) != 0) {
        snprintf(err, errlen, "binding `%s` (%s) could not be realized: %s", l->label, l->url, why);
        return -1;
    }
    l->region = hale_region_new(NULL, "bus binding");
    return 0;
}

static int bind_open(const hale_bind_desc *d, size_t n, char *err, size_t errlen) {
    S.connect_ms = env_int("HALE_BUS_CONNECT_MS", TP_DEFAULT_CONNECT_MS);
    if (tp_routes_from_env(&S.routes, err, errlen) != 0) {
        return -1;
    }
    char why[400];
    S.have_key = tp_routes_key(&S.routes, S.key, &S.aead, why, sizeof why);
    if (S.have_key < 0) {
        snprintf(err, errlen, "the deployment key: %s", why);
        return -1;
    }
    int *used = calloc(n ? n : 1, sizeof *used);
    S.ntopics = hale_bus_topic_count();
    S.sinks = calloc(S.ntopics ? S.ntopics : 1, sizeof *S.sinks);
    if (!used || !S.sinks) {
        free(used);
        snprintf(err, errlen, "out of memory opening bindings");
        return -1;
    }
    int rc = plan(d, n, used, err, errlen);
    for (int k = 0; rc == 0 && k < S.nlinks; k++) {
        rc = open_link(&S.links[k], err, errlen);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!used[i]) {
            continue;
        }
        const hale_bus_topic_desc *t = hale_bus_topic(d[i].topic);
        char buf[sizeof S.links[0].url];
        link *l = link_for(topic_url(&d[i], buf, sizeof buf));
        int h = tp_binding_add_topic(l->b, t->subject, t->payload, d[i].subscribes ? deliver : NULL,
                                     (void *)(intptr_t)d[i].topic);
        if (h < 0) {
            snprintf(err, errlen, "binding `%s` (%s) could not be realized: too many topics",
                     t->subject, l->url);
            rc = -1;
            break;
        }
        if (d[i].publishes) {
            S.sinks[d[i].topic] = (sink_ctx){l, h};
            hale_bus_set_sink(d[i].topic, sink, &S.sinks[d[i].topic]);
        }
    }
    free(used);
    return rc;
}

static void bind_start(void) {
    for (int k = 0; k < S.nlinks; k++) {
        link *l = &S.links[k];
        if (l->dir != TP_DIR_PUBLISH) {
            l->rx = hale_spawn(hale_pool_main(), rx_main, l, NULL);
        }
        if (l->role == TP_ROLE_DIAL) {
            l->ev = hale_spawn(hale_pool_main(), ev_main, l, NULL);
        }
    }
}

static void bind_stop(void) {
    S.stopping = 1;
    for (int k = 0; k < S.nlinks; k++) {
        link *l = &S.links[k];
        if (l->rx) {
            hale_cancel(l->rx);
            l->rx = NULL;
        }
        if (l->ev) {
            hale_cancel(l->ev);
            l->ev = NULL;
        }
    }
}

static void bind_close(void) {
    S.stopping = 1;
    for (size_t i = 0; i < S.ntopics; i++) {
        if (S.sinks[i].l) {
            hale_bus_set_sink((int)i, NULL, NULL);
        }
    }
    for (int k = 0; k < S.nlinks; k++) {
        if (S.links[k].b && S.links[k].dir != TP_DIR_SUBSCRIBE) {
            tp_binding_flush(S.links[k].b, LINGER_MS);
        }
    }
    if (tp_counters_dump_requested()) {
        tp_dump_all(stderr);
    }
    for (int k = 0; k < S.nlinks; k++) {
        link *l = &S.links[k];
        if (l->b) {
            tp_binding_close(l->b, LINGER_MS);
            l->b = NULL;
        }
        if (l->region) {
            hale_region_free(l->region);
            l->region = NULL;
        }
    }
    free(S.sinks);
    S.sinks = NULL;
    tp_routes_free(&S.routes);
}

static const hale_bind_ops ops = {bind_open, bind_start, bind_stop, bind_close};

void tp_bind_program(const hale_bind_desc *d, size_t n) {
    hale_program_bind(d, n, &ops);
    tp_metrics_register();
}
