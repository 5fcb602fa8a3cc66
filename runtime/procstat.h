/* What the kernel says about a running process, from /proc/PID/stat: CPU time used, resident
 * memory and when it started. `hale serve` reads it for each child it supervises and a compiled
 * program for itself (the `process_*` metrics), both at scrape time, never on a hot path. */
#ifndef HALE_RUNTIME_PROCSTAT_H
#define HALE_RUNTIME_PROCSTAT_H

#include <stdint.h>
#include <sys/types.h>

typedef struct {
    double cpu_seconds; /* user + system time */
    int64_t rss_bytes;  /* resident set size */
    double start_time;  /* seconds since the Unix epoch */
    int64_t threads;    /* number of threads */
} hale_procstat;

/* Reads /proc/PID/stat (pid 0: this process). Returns 0, or -1 when the process is gone or the
 * file cannot be parsed (out is then zeroed). Allocates nothing. */
int hale_procstat_read(pid_t pid, hale_procstat *out);

/* Parses the text of a /proc/PID/stat file (the part the above reads); for tests. */
int hale_procstat_parse(const char *text, hale_procstat *out);

#endif
