/* See residency.h. The registry itself lives in region.c (it links region headers); this file
 * formats it and runs the heartbeat. */
#include "residency.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static int by_reserved_desc(const void *a, const void *b) {
    const hale_region_info *x = a, *y = b;
    if (x->reserved != y->reserved) {
        return x->reserved < y->reserved ? 1 : -1;
    }
    return x->used < y->used ? 1 : (x->used > y->used ? -1 : 0);
}

size_t hale_arena_residency_dump(FILE *f) {
    size_t cap = 64;
    hale_region_info *infos = NULL;
    size_t n;
    for (;;) {
        hale_sys_free(infos);
        infos = hale_sys_malloc(cap * sizeof *infos);
        if (!infos) {
            fprintf(f, "hale: arena residency: out of memory\n");
            return 0;
        }
        n = hale_arena_residency_snapshot(infos, cap);
        if (n <= cap) {
            break;
        }
        cap = n + n / 2;
    }
    qsort(infos, n, sizeof *infos, by_reserved_desc);
    size_t used = 0, reserved = 0;
    for (size_t i = 0; i < n; i++) {
        used += infos[i].used;
        reserved += infos[i].reserved;
    }
    fprintf(f, "hale: arena residency: %zu regions, used %zu bytes, reserved %zu bytes\n", n, used,
            reserved);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "hale:   reserved=%zu used=%zu name=%s parent=%s\n", infos[i].reserved,
                infos[i].used, infos[i].name, infos[i].parent ? infos[i].parent : "-");
    }
    fflush(f);
    hale_sys_free(infos);
    return n;
}

/* ---- heartbeat ---- */

static pthread_mutex_t hb_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hb_cond;
static pthread_t hb_thread;
static int hb_running;
static int hb_stop;
static int64_t hb_interval_ms;
static FILE *hb_out;

static void deadline_after(struct timespec *ts, int64_t ms) {
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000;
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000;
    }
}

static void *heartbeat_main(void *unused) {
    (void)unused;
    pthread_mutex_lock(&hb_lock);
    while (!hb_stop) {
        struct timespec ts;
        deadline_after(&ts, hb_interval_ms);
        int rc = 0;
        while (!hb_stop && rc != ETIMEDOUT) {
            rc = pthread_cond_timedwait(&hb_cond, &hb_lock, &ts);
        }
        if (hb_stop) {
            break;
        }
        FILE *out = hb_out;
        pthread_mutex_unlock(&hb_lock);
        hale_arena_residency_dump(out);
        pthread_mutex_lock(&hb_lock);
    }
    pthread_mutex_unlock(&hb_lock);
    return NULL;
}

int hale_arena_residency_start(int64_t interval_ms, FILE *f) {
    if (interval_ms <= 0) {
        const char *v = getenv("HALE_ARENA_RESIDENCY_INTERVAL_MS");
        interval_ms = v ? strtoll(v, NULL, 10) : 0;
        if (interval_ms <= 0) {
            interval_ms = 1000;
        }
    }
    pthread_mutex_lock(&hb_lock);
    if (hb_running) {
        pthread_mutex_unlock(&hb_lock);
        return -1;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&hb_cond, &ca);
    pthread_condattr_destroy(&ca);
    hb_stop = 0;
    hb_interval_ms = interval_ms;
    hb_out = f ? f : stderr;
    if (pthread_create(&hb_thread, NULL, heartbeat_main, NULL) != 0) {
        pthread_cond_destroy(&hb_cond);
        pthread_mutex_unlock(&hb_lock);
        return -1;
    }
    hb_running = 1;
    pthread_mutex_unlock(&hb_lock);
    return 0;
}

void hale_arena_residency_stop(void) {
    pthread_mutex_lock(&hb_lock);
    if (!hb_running) {
        pthread_mutex_unlock(&hb_lock);
        return;
    }
    hb_stop = 1;
    pthread_cond_signal(&hb_cond);
    pthread_mutex_unlock(&hb_lock);
    pthread_join(hb_thread, NULL);
    pthread_mutex_lock(&hb_lock);
    hb_running = 0;
    pthread_cond_destroy(&hb_cond);
    pthread_mutex_unlock(&hb_lock);
}
