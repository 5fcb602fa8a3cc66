/* See procstat.h. */
#include "procstat.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads a small /proc file into buf (NUL-terminated). Returns the length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    size_t len = 0;
    while (len + 1 < cap) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    return len > 0 ? (ssize_t)len : -1;
}

/* The boot time (btime in /proc/stat), read once. */
static int64_t boot_time(void) {
    static _Atomic int64_t btime = -1;
    int64_t b = atomic_load_explicit(&btime, memory_order_relaxed);
    if (b >= 0) {
        return b;
    }
    char buf[16384];
    b = 0;
    if (read_small("/proc/stat", buf, sizeof buf) > 0) {
        const char *p = strstr(buf, "\nbtime ");
        if (p) {
            b = strtoll(p + 7, NULL, 10);
        }
    }
    atomic_store_explicit(&btime, b, memory_order_relaxed);
    return b;
}

int hale_procstat_parse(const char *text, hale_procstat *out) {
    memset(out, 0, sizeof *out);
    /* the command name is in parentheses and may hold anything: fields start after the last ')' */
    const char *p = strrchr(text, ')');
    if (!p) {
        return -1;
    }
    p++;
    /* field 3 (state) is the first after ')'; we want 14 utime, 15 stime, 20 num_threads,
     * 22 starttime, 24 rss */
    unsigned long long v[25] = {0};
    int field = 3;
    while (*p && field <= 24) {
        while (*p == ' ') {
            p++;
        }
        if (!*p) {
            break;
        }
        char *end;
        if (field == 3) {
            end = (char *)p + 1; /* the state letter */
        } else {
            v[field] = strtoull(p, &end, 10);
            if (end == p) {
                return -1;
            }
        }
        p = end;
        field++;
    }
    if (field <= 24) {
        return -1;
    }
    long tck = sysconf(_SC_CLK_TCK);
    long page = sysconf(_SC_PAGESIZE);
    if (tck <= 0) {
        tck = 100;
    }
    out->cpu_seconds = (double)(v[14] + v[15]) / (double)tck;
    out->threads = (int64_t)v[20];
    out->start_time = (double)boot_time() + (double)v[22] / (double)tck;
    out->rss_bytes = (int64_t)v[24] * (page > 0 ? page : 4096);
    return 0;
}

int hale_procstat_read(pid_t pid, hale_procstat *out) {
    char path[64], buf[1024];
    if (pid > 0) {
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    } else {
        snprintf(path, sizeof path, "/proc/self/stat");
    }
    if (read_small(path, buf, sizeof buf) < 0) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    return hale_procstat_parse(buf, out);
}
