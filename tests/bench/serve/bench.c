/* Measuring driver for tests/bench/serve/run.sh. The supervised program is serve_child, which
 * appends "start <instance> <pid> <CLOCK_MONOTONIC ns>" to a record file first thing in main,
 * so every supervisor is timed by the same clock at the same point of the same program.
 *
 *   bench restart RECORD N
 *       N times: wait until the current child has been up 1.1s (runit and s6 hold back restarts
 *       of a service younger than 1s; this keeps all three on their immediate-restart path),
 *       SIGKILL it, and time until the replacement's start record. Prints the median and the
 *       minimum latency in microseconds.
 *   bench startup RECORD COUNT STOP -- SUPERVISOR ARGS...
 *       Starts the supervisor and times until COUNT children have recorded their start (the
 *       latest start record minus the moment before fork). Then runs the shell command STOP
 *       with $PID set to the supervisor's pid and waits for it to exit. Prints microseconds. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

typedef struct {
    int starts;
    int last_pid;
    long long last_ns, max_ns;
} summary;

static summary read_record(const char *path) {
    summary s = {0, 0, 0, 0};
    FILE *f = fopen(path, "r");
    char event[32], inst[64];
    int pid;
    long long ns;
    while (f && fscanf(f, "%31s %63s %d %lld", event, inst, &pid, &ns) == 4) {
        if (strcmp(event, "start") == 0) {
            s.starts++;
            s.last_pid = pid;
            s.last_ns = ns;
            s.max_ns = ns > s.max_ns ? ns : s.max_ns;
        }
    }
    if (f) {
        fclose(f);
    }
    return s;
}

/* Waits (inotify on the record's directory, 10s at most) until `count` starts are recorded. */
static summary wait_starts(const char *path, int count) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
    }
    int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    inotify_add_watch(in, slash ? dir : ".", IN_MODIFY | IN_CREATE);
    long long deadline = now_ns() + 10000000000LL;
    summary s = read_record(path);
    while (s.starts < count && now_ns() < deadline) {
        struct pollfd p = {in, POLLIN, 0};
        poll(&p, 1, 50);
        char buf[4096];
        while (read(in, buf, sizeof buf) > 0) {
        }
        s = read_record(path);
    }
    close(in);
    if (s.starts < count) {
        fprintf(stderr, "bench: only %d of %d starts recorded in %s\n", s.starts, count, path);
        exit(1);
    }
    return s;
}

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static int restart(const char *record, int n) {
    long long *lat = calloc((size_t)n, sizeof *lat);
    summary s = wait_starts(record, 1);
    for (int i = 0; i < n; i++) {
        long long up = now_ns() - s.last_ns;
        if (up < 1100000000LL) {
            struct timespec ts = {0, 0};
            long long wait = 1100000000LL - up;
            ts.tv_sec = wait / 1000000000LL;
            ts.tv_nsec = wait % 1000000000LL;
            nanosleep(&ts, NULL);
        }
        long long t0 = now_ns();
        if (kill(s.last_pid, SIGKILL) != 0) {
            perror("bench: kill");
            return 1;
        }
        s = wait_starts(record, s.starts + 1);
        lat[i] = s.last_ns - t0;
    }
    qsort(lat, (size_t)n, sizeof *lat, cmp);
    printf("%lld %lld\n", lat[n / 2] / 1000, lat[0] / 1000);
    free(lat);
    return 0;
}

static int startup(const char *record, int count, const char *stop, char **argv) {
    long long t0 = now_ns();
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    summary s = wait_starts(record, count);
    char env[32];
    snprintf(env, sizeof env, "%d", (int)pid);
    setenv("PID", env, 1);
    if (system(stop) != 0) {
        fprintf(stderr, "bench: stop command failed: %s\n", stop);
    }
    for (int i = 0; i < 200; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            pid = 0;
            break;
        }
        struct timespec ts = {0, 50000000};
        nanosleep(&ts, NULL);
    }
    if (pid) {
        kill(-pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    printf("%lld\n", (s.max_ns - t0) / 1000);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "restart") == 0) {
        return restart(argv[2], atoi(argv[3]));
    }
    if (argc >= 7 && strcmp(argv[1], "startup") == 0 && strcmp(argv[5], "--") == 0) {
        return startup(argv[2], atoi(argv[3]), argv[4], argv + 6);
    }
    fprintf(stderr, "usage: bench restart RECORD N | bench startup RECORD COUNT STOP -- CMD...\n");
    return 2;
}
