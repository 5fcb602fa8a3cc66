/* See locus.h. This file: the program around the locus tree. `fn main` runs as a coroutine on
 * the main pool under the root locus, so every wait of locus code (std::time::sleep, yield)
 * parks it and the main loop stays free for signals, timers and the supervisor's watchdog.
 *
 * Shutdown: the first SIGINT/SIGTERM tells the supervisor STOPPING, marks the root as stopping
 * and wakes `fn main`'s coroutine, which leaves whatever birth/run it was in for the root frame;
 * there the whole tree is drained depth-first (children first, newest first), then dissolved,
 * and the program exits 0. Drain and dissolve hooks may wait as usual. A second signal during
 * that drain ends the process at once with status 128 + the signal.
 *
 * Readiness: the first locus directly under the root that finishes birth (its parameter
 * children born, its birth hook and birth closures done) sends READY, just before its run();
 * a repeating timer on the main loop feeds the watchdog when the supervisor asked for one. */
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "census.h"
#include "diag.h"
#include "fault.h"
#include "io.h"
#include "locus_bind.h"
#include "locus_bus.h"
#include "locus_impl.h"
#include "metrics.h"
#include "notify.h"
#include "sched_impl.h"
#include "std.h"

#define MAIN_STACK ((size_t)8 << 20)

static struct {
    void (*entry)(void);
    hale_co *main_co;
    int parked;          /* main_co is parked in hale_locus_park_ns */
    atomic_int shutdown; /* read by detached loci's coroutines on other pools */
    int ready_sent;
    ev_timer watchdog;
    int watchdog_on;
} P;

bool hale_program_shutting_down(void) {
    return atomic_load_explicit(&P.shutdown, memory_order_relaxed) != 0;
}

void hale_program_born(hale_locus *l) {
    /* only the root's own children count, and they all live on the main thread */
    if (l->parent == hale_locus_root() && !P.ready_sent && P.main_co) {
        P.ready_sent = 1;
        hale_notify_ready();
        /* the census is switched on before the first locus or never */
        atomic_store_explicit(&hale_locus_light_ok, !hale_census_enabled(), memory_order_relaxed);
    }
}

/* ---- waiting ---- */

typedef struct {
    ev_timer timer;
    hale_co *co;
    int fired;
} park_timer;

static void park_timer_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop;
    (void)revents;
    park_timer *pt = (park_timer *)w;
    pt->fired = 1;
    hale_wake(pt->co);
}

void hale_locus_park_ns(int64_t ns) {
    hale_co *co = hale_co_self();
    if (!co) {
        hale_sleep(ns); /* no coroutine (a plain thread): wait in place */
        return;
    }
    if (ns <= 0) {
        hale_yield();
        return;
    }
    hale_pool *p = hale_co_pool(co);
    park_timer pt;
    memset(&pt, 0, sizeof pt);
    pt.co = co;
    ev_timer_init(&pt.timer, park_timer_cb, (double)ns / 1e9, 0.);
    ev_now_update(p->loop);
    ev_timer_start(p->loop, &pt.timer);
    int is_main = co == P.main_co;
    while (!pt.fired && !hale_locus_stop_target(1)) {
        if (is_main) {
            P.parked = 1;
        }
        int r = hale_park();
        if (is_main) {
            P.parked = 0;
        }
        if (r < 0) {
            break;
        }
    }
    ev_timer_stop(p->loop, &pt.timer);
}

/* ---- signals ---- */

static volatile sig_atomic_t signals_seen;
static void (*chained[2])(int);

static void raw_handler(int sig) {
    if (signals_seen++ > 0) {
        static const char msg[] = "hale: second signal during shutdown, exiting at once\n";
        ssize_t w = write(2, msg, sizeof msg - 1);
        (void)w;
        _exit(HALE_EXIT_SECOND_SIGNAL + sig);
    }
    void (*next)(int) = chained[sig == SIGTERM];
    if (next) {
        next(sig);
    }
}

static void on_signal(void *arg) {
    (void)arg;
    if (P.shutdown) {
        return;
    }
    atomic_store(&P.shutdown, 1);
    hale_notify_stopping();
    hale_locus_root()->flags |= LF_STOP;
    if (P.main_co) {
        /* whatever it waits on (a sleep, a socket, a detached locus it joins) returns; the
         * locus runtime's waits then see the stop, a join asks the joined locus to stop */
        hale_interrupt(P.main_co);
    }
}

static void take_signal(int sig) {
    hale_sched_on_signal(sig, on_signal, NULL);
    struct sigaction cur;
    sigaction(sig, NULL, &cur);
    chained[sig == SIGTERM] = cur.sa_handler;
    cur.sa_handler = raw_handler;
    sigaction(sig, &cur, NULL);
}

/* ---- watchdog ---- */

static void watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop;
    (void)w;
    (void)revents;
    hale_notify_watchdog();
}

static void watchdog_start(void) {
    int64_t ns = hale_notify_watchdog_interval_ns();
    if (ns <= 0) {
        return;
    }
    double s = (double)ns / 1e9;
    ev_timer_init(&P.watchdog, watchdog_cb, s, s);
    ev_timer_start(hale_pool_main()->loop, &P.watchdog);
    P.watchdog_on = 1;
    hale_notify_watchdog();
}

static void watchdog_stop(void) {
    if (P.watchdog_on) {
        ev_timer_stop(hale_pool_main()->loop, &P.watchdog);
        P.watchdog_on = 0;
    }
}

/* ---- the entry ---- */

static void call_entry(void *arg) {
    (void)arg;
    P.entry();
}

/* Everything still under the root: drained depth-first, then dissolved and freed. */
static void teardown_root(void) {
    hale_locus *root = hale_locus_root();
    for (hale_locus *c = root->last; c; c = c->prev) {
        hale_locus_drain_tree(c);
    }
    hale_locus_bus_settle(NULL); /* the last messages of joined publishers arrive first */
    while (root->last) {
        hale_locus *c = root->last;
        hale_locus_dissolve_tree(c, 0);
        hale_locus_free(c);
    }
}

static void entry_co(void *arg) {
    (void)arg;
    hale_locus *root = hale_locus_root();
    hale_locus_framed(root, FR_ROOT, call_entry, NULL);
    root->flags &= ~LF_STOP;
    teardown_root();
    hale_locus_bind_stop(); /* the receivers end: nobody is left to hear them */
    hale_out_flush();
    P.main_co = NULL;
}

static void metrics_boot(void) {
    char err[768] = "";
    if (hale_metrics_boot(err, sizeof err) != 0) {
        fprintf(stderr, "hale: %s\n", err);
        fflush(stderr);
        exit(1);
    }
}

int hale_program_run(void (*entry)(void)) {
    hale_diag_boot();
    hale_locus_intensity_boot();
    hale_fault_set_hook(hale_locus_fault_hook);
    hale_sched_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (!getenv("HALE_STACK_SIZE")) {
        cfg.stack_size = MAIN_STACK; /* `fn main` and everything it calls */
    }
    hale_sched_init(&cfg);
    hale_locus_root();
    hale_locus_bus_boot();
    hale_locus_bind_open(); /* a binding that cannot open refuses the boot */
    metrics_boot();         /* so does a metrics address that cannot be listened on */
    take_signal(SIGINT);
    take_signal(SIGTERM);
    watchdog_start();
    P.entry = entry;
    P.main_co = hale_spawn(hale_pool_main(), entry_co, NULL, NULL);
    hale_locus_bind_start();
    hale_sched_run();
    hale_metrics_stop();
    watchdog_stop();
    hale_locus_bind_stop();
    hale_locus_bind_close();
    hale_locus_bus_shutdown();
    hale_sched_shutdown();
    hale_fault_set_hook(NULL);
    hale_diag_shutdown();
    return hale_finish();
}
