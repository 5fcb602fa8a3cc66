/* Serve's own reports to systemd when it runs as a Type=notify unit: READY=1 once every
 * instance is up, STATUS= lines as things change, WATCHDOG=1 from the loop at half the unit's
 * WatchdogSec, STOPPING=1 when the drain begins. Without NOTIFY_SOCKET all of this is silent. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "server.h"

static void ping(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop;
    (void)revents;
    (void)w;
    sd_notify(0, "WATCHDOG=1");
}

void sv_upstream_init(sv_server *srv) {
    const char *sock = getenv("NOTIFY_SOCKET");
    srv->upstream = sock && *sock;
    uint64_t usec = 0;
    if (srv->upstream && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        double every = (double)usec / 2e6;
        ev_timer_init(&srv->upstream_watchdog, ping, every, every);
        ev_timer_start(srv->loop, &srv->upstream_watchdog);
    }
}

void sv_upstream_status(sv_server *srv, const char *fmt, ...) {
    char text[sizeof srv->upstream_status];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (!srv->upstream || (!srv->ready_pending && strcmp(text, srv->upstream_status) == 0)) {
        return;
    }
    snprintf(srv->upstream_status, sizeof srv->upstream_status, "%s", text);
    char msg[sizeof text + 16];
    snprintf(msg, sizeof msg, "%sSTATUS=%s", srv->ready_pending ? "READY=1\n" : "", text);
    srv->ready_pending = 0;
    sd_notify(0, msg);
}

/* READY=1 goes out with the next STATUS=, in one message: once `systemctl start` returns, the
 * unit's status already says that everything is up. */
void sv_upstream_ready(sv_server *srv) {
    if (!srv->reported_ready) {
        srv->reported_ready = 1;
        srv->ready_pending = srv->upstream;
    }
}

void sv_upstream_stopping(sv_server *srv) {
    if (srv->upstream) {
        sv_upstream_status(srv, "%s: stopping, draining in reverse start order", srv->spec.name);
        sd_notify(0, "STOPPING=1");
    }
}
