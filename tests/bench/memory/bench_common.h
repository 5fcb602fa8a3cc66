/* Timing helpers shared by the memory benchmarks: each measurement runs a body several times and
 * keeps the fastest run (the least disturbed by the other jobs on the machine). */
#ifndef HALE_BENCH_COMMON_H
#define HALE_BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

static inline int64_t bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Runs fn(arg) `reps` times; returns the fastest run in nanoseconds. */
static inline int64_t bench_best(int reps, void (*fn)(void *), void *arg) {
    int64_t best = INT64_MAX;
    for (int i = 0; i < reps; i++) {
        int64_t t0 = bench_now_ns();
        fn(arg);
        int64_t t = bench_now_ns() - t0;
        if (t < best) {
            best = t;
        }
    }
    return best;
}

/* Keeps a value alive so the optimiser cannot drop the work that made it. */
static volatile int64_t bench_sink;

/* One result line: "name ns" (the runner turns these into the table). */
static inline void bench_report(const char *name, int64_t ns) {
    printf("%s %lld\n", name, (long long)ns);
    fflush(stdout);
}

#endif
