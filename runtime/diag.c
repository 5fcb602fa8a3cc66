/* See diag.h. */
#include "diag.h"
#include "guard.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "chunk.h"
#include "line.h"
#include "residency.h"

static hale_line_counter counters[HALE_SYSCALL_COUNT_];

static const char *const names[HALE_SYSCALL_COUNT_] = {
    [HALE_SYSCALL_READ] = "read",         [HALE_SYSCALL_WRITE] = "write",
    [HALE_SYSCALL_RECV] = "recv",         [HALE_SYSCALL_RECVMSG] = "recvmsg",
    [HALE_SYSCALL_RECVFROM] = "recvfrom", [HALE_SYSCALL_SEND] = "send",
    [HALE_SYSCALL_SENDMSG] = "sendmsg",   [HALE_SYSCALL_SENDTO] = "sendto",
    [HALE_SYSCALL_ACCEPT] = "accept",     [HALE_SYSCALL_CONNECT] = "connect",
    [HALE_SYSCALL_OPEN] = "open",         [HALE_SYSCALL_CLOSE] = "close",
};

void hale_diag_count_syscall(hale_syscall s) {
    if ((unsigned)s < HALE_SYSCALL_COUNT_) {
        atomic_fetch_add_explicit(&counters[s].n, 1, memory_order_relaxed);
    }
}

int64_t hale_diag_syscall_count_id(hale_syscall s) {
    if ((unsigned)s >= HALE_SYSCALL_COUNT_) {
        return -1;
    }
    return atomic_load_explicit(&counters[s].n, memory_order_relaxed);
}

const char *hale_diag_syscall_name(hale_syscall s) {
    return (unsigned)s < HALE_SYSCALL_COUNT_ ? names[s] : NULL;
}

int64_t hale_diag_syscall_count(hale_str name) {
    for (int i = 0; i < HALE_SYSCALL_COUNT_; i++) {
        size_t n = strlen(names[i]);
        if (name.len == (int64_t)n && memcmp(name.ptr, names[i], n) == 0) {
            return hale_diag_syscall_count_id((hale_syscall)i);
        }
    }
    return -1;
}

/* ---- rss ---- */

static int64_t peak_rss(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) {
        return 0;
    }
    return (int64_t)ru.ru_maxrss * 1024;
}

int64_t hale_process_peak_rss_bytes(void) {
    return peak_rss();
}

int64_t hale_process_rss_bytes(void) {
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return peak_rss();
    }
    char buf[128];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) {
        return peak_rss();
    }
    buf[n] = 0;
    /* "size resident shared text lib data dt", in pages */
    char *p = buf;
    strtoll(p, &p, 10);
    char *q;
    long long pages = strtoll(p, &q, 10);
    if (q == p || pages < 0) {
        return peak_rss();
    }
    return (int64_t)pages * (int64_t)sysconf(_SC_PAGESIZE);
}

/* ---- knobs ---- */

void hale_diag_boot(void) {
    hale_chunk_pool_stats_from_env();
    if (hale_arena_residency_enabled()) {
        hale_arena_residency_start(0, stderr);
    }
}

void hale_diag_shutdown(void) {
    hale_escape_counters_at_exit();
    if (hale_arena_residency_enabled()) {
        hale_arena_residency_stop();
        hale_arena_residency_dump(stderr);
    }
}
