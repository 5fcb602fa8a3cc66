/* See affinity.h. The usable set is read from the process's own affinity mask (which already
 * excludes offline CPUs and anything a container or taskset took away), so a placement written
 * for a larger machine degrades instead of failing. */
#include "affinity.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>

void hale_cpus_clear(hale_cpus *s) {
    memset(s, 0, sizeof *s);
}

void hale_cpus_add(hale_cpus *s, int cpu) {
    if (cpu >= 0 && cpu < HALE_CPUS_MAX) {
        s->bits[cpu / 64] |= (uint64_t)1 << (cpu % 64);
    }
}

void hale_cpus_add_range(hale_cpus *s, int lo, int hi, bool inclusive) {
    int end = inclusive ? hi : hi - 1;
    if (lo < 0) {
        lo = 0;
    }
    if (end >= HALE_CPUS_MAX) {
        end = HALE_CPUS_MAX - 1;
    }
    for (int c = lo; c <= end; c++) {
        hale_cpus_add(s, c);
    }
}

bool hale_cpus_has(const hale_cpus *s, int cpu) {
    return cpu >= 0 && cpu < HALE_CPUS_MAX && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

int hale_cpus_count(const hale_cpus *s) {
    int n = 0;
    for (int i = 0; i < HALE_CPUS_MAX / 64; i++) {
        n += __builtin_popcountll(s->bits[i]);
    }
    return n;
}

bool hale_cpus_empty(const hale_cpus *s) {
    return hale_cpus_count(s) == 0;
}

int hale_cpus_apply_self(const hale_cpus *want, hale_cpus *applied) {
    if (applied) {
        hale_cpus_clear(applied);
    }
    if (hale_cpus_empty(want)) {
        return 0;
    }
    cpu_set_t allowed, set;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
        return 0;
    }
    CPU_ZERO(&set);
    int n = 0;
    for (int c = 0; c < HALE_CPUS_MAX && c < CPU_SETSIZE; c++) {
        if (hale_cpus_has(want, c) && CPU_ISSET(c, &allowed)) {
            CPU_SET(c, &set);
            n++;
        }
    }
    if (n == 0 || pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) {
        return 0;
    }
    if (applied) {
        for (int c = 0; c < CPU_SETSIZE && c < HALE_CPUS_MAX; c++) {
            if (CPU_ISSET(c, &set)) {
                hale_cpus_add(applied, c);
            }
        }
    }
    return n;
}
