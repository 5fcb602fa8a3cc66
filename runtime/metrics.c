/* See metrics.h. The knobs, the endpoint's thread and the runtime's families. The listener is
 * opened on the booting thread (so a bad address refuses the boot there), then handed to a thread
 * that runs its own libev loop with every signal blocked (signals stay the main pool's business);
 * hale_metrics_stop wakes that loop with an ev_async, which closes the listener and ends it. */
#include "metrics.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "census.h"
#include "chunk.h"
#include "metrics_http.h"
#include "procstat.h"
#include "region.h"
#include "scheduler.h"
#include "schema.h"

#define MAX_SECTIONS 8

static struct {
    pthread_mutex_t mu; /* sections */
    struct {
        hale_metrics_section_fn fn;
        void *ctx;
    } sections[MAX_SECTIONS];
    int nsections;

    struct ev_loop *loop;
    ev_async stop;
    hale_mhttp *http;
    pthread_t thread;
    int running;
    char address[80];
} M = {.mu = PTHREAD_MUTEX_INITIALIZER};

void hale_metrics_add_section(hale_metrics_section_fn fn, void *ctx) {
    pthread_mutex_lock(&M.mu);
    int known = 0;
    for (int i = 0; i < M.nsections; i++) {
        known |= M.sections[i].fn == fn;
    }
    if (!known && M.nsections < MAX_SECTIONS) {
        M.sections[M.nsections].fn = fn;
        M.sections[M.nsections].ctx = ctx;
        M.nsections++;
    }
    pthread_mutex_unlock(&M.mu);
}

const char *hale_metrics_address(void) {
    return M.running ? M.address : NULL;
}

bool hale_metrics_counting_loci(void) {
    return hale_census_enabled();
}

/* ---- the runtime's families ---- */

typedef struct {
    const char *name, *help;
    size_t off;
} bus_family;

#define BUS_FAMILY(field, help)                                                                    \
    { "hale_bus_" #field "_total", help, offsetof(hale_bus_counters, field) }

static const bus_family bus_families[] = {
    BUS_FAMILY(published, "Messages published on the topic (direct calls included)."),
    BUS_FAMILY(delivered, "Messages handed to a subscriber's handler."),
    BUS_FAMILY(dropped, "Messages dropped: no subscriber, a subscriber's bound, or a sealed bus."),
    BUS_FAMILY(unmatched, "Keyed publishes that matched no subscriber's key."),
    BUS_FAMILY(refused, "Publishes refused (a full bounded topic, or a sink with no link)."),
    BUS_FAMILY(waits, "Publishes that waited for room (or wait)."),
    BUS_FAMILY(sent, "Messages handed to the topic's binding (another process)."),
    BUS_FAMILY(received, "Messages that arrived from another process."),
};

static void bus_section(hale_mtext *t) {
    size_t n = hale_bus_topic_count();
    if (n == 0) {
        return;
    }
    hale_bus_counters *c = hale_sys_calloc(n, sizeof *c);
    if (!c) {
        t->oom = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        hale_bus_counters_get((int)i, &c[i]);
    }
    for (size_t f = 0; f < sizeof bus_families / sizeof bus_families[0]; f++) {
        const bus_family *bf = &bus_families[f];
        hale_metric_family(t, bf->name, "counter", bf->help);
        for (size_t i = 0; i < n; i++) {
            int64_t v = *(const int64_t *)((const char *)&c[i] + bf->off);
            hale_metric_int(t, bf->name, v, "topic", hale_bus_topic((int)i)->subject, NULL);
        }
    }
    hale_sys_free(c);
}

static void memory_section(hale_mtext *t) {
    hale_chunk_stats s = hale_chunk_pool_stats();
    int64_t held = s.hits + s.misses - s.returns;
    hale_metric_family(t, "hale_region_live_bytes", "gauge",
                       "Bytes of chunks held by live regions (locus, slot, form and scratch "
                       "regions), dedicated chunks included.");
    hale_metric_int(t, "hale_region_live_bytes",
                    (held > 0 ? held : 0) * (int64_t)HALE_CHUNK_SIZE + s.large_live_bytes, NULL);
    static const struct {
        const char *name, *help;
        size_t off;
    } fams[] = {
        {"hale_chunk_pool_hits_total", "Standard chunks served from a thread's cache.",
         offsetof(hale_chunk_stats, hits)},
        {"hale_chunk_pool_misses_total", "Standard chunks the pool had to get from the system.",
         offsetof(hale_chunk_stats, misses)},
        {"hale_chunk_pool_refills_total", "Thread cache refills from the global pool.",
         offsetof(hale_chunk_stats, refills)},
        {"hale_chunk_pool_returns_total", "Standard chunks given back by regions.",
         offsetof(hale_chunk_stats, returns)},
        {"hale_chunk_pool_released_total",
         "Standard chunks freed to the system because the pool was full.",
         offsetof(hale_chunk_stats, released)},
        {"hale_chunk_pool_large_total", "Dedicated chunks made for large allocations.",
         offsetof(hale_chunk_stats, large)},
    };
    for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++) {
        hale_metric_family(t, fams[i].name, "counter", fams[i].help);
        hale_metric_int(t, fams[i].name, *(const int64_t *)((const char *)&s + fams[i].off), NULL);
    }
    hale_metric_family(t, "hale_chunk_pool_idle_chunks", "gauge",
                       "Standard chunks idle in the global pool (thread caches not included).");
    hale_metric_int(t, "hale_chunk_pool_idle_chunks", s.idle, NULL);
}

typedef struct {
    hale_mtext *t;
    int which; /* 0 alive, 1 created */
} census_arg;

static void census_line(const char *name, int64_t alive, int64_t created, void *arg) {
    census_arg *a = arg;
    const char *metric = a->which == 0 ? "hale_loci_alive" : "hale_loci_created_total";
    hale_metric_int(a->t, metric, a->which == 0 ? alive : created, "type", name, NULL);
}

static void loci_section(hale_mtext *t) {
    if (!hale_census_enabled()) {
        return;
    }
    census_arg a = {t, 0};
    hale_metric_family(t, "hale_loci_alive", "gauge",
                       "Loci instantiated and not yet freed, by locus type.");
    hale_census_foreach(census_line, &a);
    a.which = 1;
    hale_metric_family(t, "hale_loci_created_total", "counter",
                       "Loci instantiated, by locus type.");
    hale_census_foreach(census_line, &a);
}

enum { P_RUN_QUEUE, P_INBOX, P_COROUTINES, P_POSTED, P_HANDLED, P_SPAWNED, P_SWITCHES, P_COUNT };

static const struct {
    const char *name, *type, *help;
} pool_families[P_COUNT] = {
    [P_RUN_QUEUE] = {"hale_pool_run_queue_depth", "gauge",
                     "Coroutines ready to run on the pool and not yet resumed."},
    [P_INBOX] = {"hale_pool_inbox_depth", "gauge",
                 "Messages posted to the pool from other threads and not yet run."},
    [P_COROUTINES] = {"hale_pool_coroutines", "gauge",
                      "Coroutines alive on the pool (running or parked)."},
    [P_POSTED] = {"hale_pool_messages_posted_total", "counter", "Messages posted to the pool."},
    [P_HANDLED] = {"hale_pool_messages_handled_total", "counter", "Messages the pool ran."},
    [P_SPAWNED] = {"hale_pool_coroutines_spawned_total", "counter",
                   "Coroutines started on the pool."},
    [P_SWITCHES] = {"hale_pool_switches_total", "counter", "Coroutine resumptions on the pool."},
};

typedef struct {
    hale_mtext *t;
    int which;
} pool_arg;

static const char *kind_name(hale_pool_kind k) {
    return k == HALE_POOL_MAIN ? "main" : k == HALE_POOL_PINNED ? "pinned" : "cooperative";
}

static void pool_line(hale_pool *p, void *arg) {
    pool_arg *a = arg;
    hale_pool_stats s;
    hale_pool_stats_get(p, &s);
    int64_t v[P_COUNT] = {
        [P_RUN_QUEUE] = s.readied - s.switches,
        [P_INBOX] = s.posted - s.handled - s.refused,
        [P_COROUTINES] = s.spawned - s.exited,
        [P_POSTED] = s.posted,
        [P_HANDLED] = s.handled,
        [P_SPAWNED] = s.spawned,
        [P_SWITCHES] = s.switches,
    };
    /* the counters are read one by one while the pool runs: a difference may be off by the
     * work of an instant, so it is never shown below zero */
    int64_t x = v[a->which] < 0 ? 0 : v[a->which];
    hale_metric_int(a->t, pool_families[a->which].name, x, "pool", hale_pool_name(p), "kind",
                    kind_name(hale_pool_kind_of(p)), NULL);
}

static void pools_section(hale_mtext *t) {
    if (!hale_pool_main()) {
        return;
    }
    for (int i = 0; i < P_COUNT; i++) {
        hale_metric_family(t, pool_families[i].name, pool_families[i].type, pool_families[i].help);
        pool_arg a = {t, i};
        hale_pool_foreach(pool_line, &a);
    }
}

static int64_t open_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        return -1;
    }
    int64_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

static void process_section(hale_mtext *t) {
    hale_procstat ps;
    if (hale_procstat_read(0, &ps) != 0) {
        return;
    }
    hale_metric_family(t, "process_resident_memory_bytes", "gauge", "Resident memory size.");
    hale_metric_int(t, "process_resident_memory_bytes", ps.rss_bytes, NULL);
    hale_metric_family(t, "process_cpu_seconds_total", "counter",
                       "User and system CPU time spent.");
    hale_metric_float(t, "process_cpu_seconds_total", ps.cpu_seconds, NULL);
    hale_metric_family(t, "process_start_time_seconds", "gauge",
                       "Start time of the process since the Unix epoch.");
    hale_metric_float(t, "process_start_time_seconds", ps.start_time, NULL);
    hale_metric_family(t, "process_threads", "gauge", "Threads in the process.");
    hale_metric_int(t, "process_threads", ps.threads, NULL);
    int64_t fds = open_fds();
    if (fds >= 0) {
        hale_metric_family(t, "process_open_fds", "gauge", "Open file descriptors.");
        hale_metric_int(t, "process_open_fds", fds, NULL);
    }
}

void hale_metrics_render(hale_mtext *t) {
    bus_section(t);
    memory_section(t);
    loci_section(t);
    pools_section(t);
    process_section(t);
    pthread_mutex_lock(&M.mu);
    int n = M.nsections;
    hale_metrics_section_fn fns[MAX_SECTIONS];
    void *ctxs[MAX_SECTIONS];
    for (int i = 0; i < n; i++) {
        fns[i] = M.sections[i].fn;
        ctxs[i] = M.sections[i].ctx;
    }
    pthread_mutex_unlock(&M.mu);
    for (int i = 0; i < n; i++) {
        fns[i](t, ctxs[i]);
    }
}

/* ---- knobs ---- */

static const cfg_field file_fields[] = {
    {"metrics", CFG_T(CFG_TABLE), 0},
    {"bus", 0, 0},
    {NULL, 0, 0},
};

static const cfg_field metrics_fields[] = {
    {"listen", CFG_T(CFG_STRING), 1},
    {NULL, 0, 0},
};

/* The address from `[metrics] listen` in the bus configuration file, if any: 1 (copied into
 * out), 0 (none), -1 (an error, in err). */
static int address_from_file(const char *path, char *out, size_t n, char *err, size_t errlen) {
    char why[512];
    cfg_doc *doc = cfg_parse_file(path, why, sizeof why);
    if (!doc) {
        snprintf(err, errlen, "HALE_BUS_CONFIG: %s", why);
        return -1;
    }
    int rc = 0;
    const cfg_value *m = cfg_get(cfg_root(doc), "metrics");
    const char *listen = NULL;
    if (cfg_check(doc, cfg_root(doc), "the bus configuration", file_fields, why, sizeof why) != 0 ||
        (m && (cfg_check(doc, m, "[metrics]", metrics_fields, why, sizeof why) != 0 ||
               cfg_get_str(doc, m, "listen", &listen, why, sizeof why) < 0))) {
        snprintf(err, errlen, "HALE_BUS_CONFIG: %s", why);
        rc = -1;
    } else if (listen) {
        snprintf(out, n, "%s", listen);
        rc = 1;
    }
    cfg_free(doc);
    return rc;
}

/* ---- the thread ---- */

static void render_cb(hale_mtext *body, void *ctx) {
    (void)ctx;
    hale_metrics_render(body);
}

static void stop_cb(struct ev_loop *loop, ev_async *w, int revents) {
    (void)w;
    (void)revents;
    hale_mhttp_close(M.http);
    M.http = NULL;
    ev_async_stop(loop, &M.stop);
    ev_break(loop, EVBREAK_ALL);
}

static void *thread_main(void *arg) {
    (void)arg;
    ev_run(M.loop, 0);
    return NULL;
}

int hale_metrics_boot(char *err, size_t errlen) {
    char addr[256] = "";
    const char *knob = "HALE_METRICS";
    const char *env = getenv("HALE_METRICS");
    const char *file = getenv("HALE_BUS_CONFIG");
    if (env && env[0]) {
        snprintf(addr, sizeof addr, "%s", env);
    } else if (file && file[0]) {
        knob = "HALE_BUS_CONFIG [metrics]";
        int rc = address_from_file(file, addr, sizeof addr, err, errlen);
        if (rc <= 0) {
            return rc; /* an error, or no [metrics] table: off */
        }
    } else {
        return 0;
    }
    M.loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
    if (!M.loop) {
        snprintf(err, errlen, "%s: cannot create an event loop", knob);
        return -1;
    }
    char why[512];
    M.http = hale_mhttp_open(M.loop, addr, render_cb, NULL, why, sizeof why);
    if (!M.http) {
        snprintf(err, errlen, "%s: %s", knob, why);
        ev_loop_destroy(M.loop);
        M.loop = NULL;
        return -1;
    }
    snprintf(M.address, sizeof M.address, "%s", hale_mhttp_address(M.http));
    ev_async_init(&M.stop, stop_cb);
    ev_async_start(M.loop, &M.stop);
    hale_census_enable();
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int e = pthread_create(&M.thread, NULL, thread_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        snprintf(err, errlen, "%s: cannot start the metrics thread: %s", knob, strerror(e));
        hale_mhttp_close(M.http);
        M.http = NULL;
        ev_loop_destroy(M.loop);
        M.loop = NULL;
        return -1;
    }
    M.running = 1;
    fprintf(stderr, "hale: metrics on http://%s/metrics\n", M.address);
    fflush(stderr);
    return 0;
}

void hale_metrics_stop(void) {
    if (!M.running) {
        return;
    }
    ev_async_send(M.loop, &M.stop);
    pthread_join(M.thread, NULL);
    ev_loop_destroy(M.loop);
    M.loop = NULL;
    M.running = 0;
}
