/* serve_child: a program for `hale serve` to supervise in tests. It does what its options say
 * and appends what it did to a record file, one line per event:
 *     <event> <HALE_INSTANCE> <pid> <monotonic ns>
 * with events start, ready, term, exit, grandchild. Options (all optional):
 *   --record FILE       where to append events (default: $CHILD_RECORD, or none)
 *   --print TEXT        print TEXT on stdout at start (repeatable); --stderr TEXT likewise
 *   --partial TEXT      print TEXT on stdout without a newline, then carry on
 *   --env               print "HALE_INSTANCE=... HALE_REPLICA=... GREETING=..." on stdout
 *   --ready             send READY=1 (after --ready-delay MS)
 *   --ready-file FILE   send READY=1 once FILE exists
 *   --status TEXT       send STATUS=TEXT
 *   --watchdog          send WATCHDOG=1 at a quarter of $WATCHDOG_USEC ...
 *   --watchdog-for MS   ... but only for the first MS milliseconds
 *   --after MS          when to exit or die (default: never)
 *   --exit CODE         exit with CODE at --after
 *   --signal SIG        kill itself with SIG at --after
 *   --fail-once FILE    exit 1 at --after if FILE does not exist yet (creating it), else run on
 *   --ignore-term       ignore SIGTERM
 *   --grandchild        fork a child that sleeps forever (recorded as "grandchild")
 * Arguments that are not options are ignored (s6-supervise passes the service name).
 * On SIGTERM (unless ignored) it records "term" and exits 0. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"

static const char *record_path;
static volatile sig_atomic_t got_term;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void record(const char *event, int pid) {
    if (!record_path) {
        return;
    }
    const char *inst = getenv("HALE_INSTANCE");
    char line[256];
    int n = snprintf(line, sizeof line, "%s %s %d %lld\n", event, inst ? inst : "-", pid, now_ns());
    int fd = open(record_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ssize_t rc = write(fd, line, (size_t)n);
        (void)rc;
        close(fd);
    }
}

static void on_term(int sig) {
    (void)sig;
    got_term = 1;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv) {
    long after = -1, ready_delay = 0, watchdog_for = -1;
    int exit_code = 0, die_sig = 0, ready = 0, watchdog = 0, ignore_term = 0, grandchild = 0;
    const char *fail_once = NULL, *status = NULL, *ready_file = NULL;
    record_path = getenv("CHILD_RECORD");
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--record") == 0 && v) {
            record_path = v, i++;
        } else if (strcmp(a, "--print") == 0 && v) {
            printf("%s\n", v), i++;
        } else if (strcmp(a, "--stderr") == 0 && v) {
            fprintf(stderr, "%s\n", v), i++;
        } else if (strcmp(a, "--partial") == 0 && v) {
            printf("%s", v), fflush(stdout), i++;
        } else if (strcmp(a, "--env") == 0) {
            const char *g = getenv("GREETING");
            printf("HALE_INSTANCE=%s HALE_REPLICA=%s GREETING=%s\n", getenv("HALE_INSTANCE"),
                   getenv("HALE_REPLICA"), g ? g : "");
        } else if (strcmp(a, "--ready") == 0) {
            ready = 1;
        } else if (strcmp(a, "--ready-file") == 0 && v) {
            ready = 1, ready_file = v, i++;
        } else if (strcmp(a, "--ready-delay") == 0 && v) {
            ready_delay = atol(v), i++;
        } else if (strcmp(a, "--status") == 0 && v) {
            status = v, i++;
        } else if (strcmp(a, "--watchdog") == 0) {
            watchdog = 1;
        } else if (strcmp(a, "--watchdog-for") == 0 && v) {
            watchdog_for = atol(v), i++;
        } else if (strcmp(a, "--after") == 0 && v) {
            after = atol(v), i++;
        } else if (strcmp(a, "--exit") == 0 && v) {
            exit_code = atoi(v), i++;
        } else if (strcmp(a, "--signal") == 0 && v) {
            die_sig = atoi(v), i++;
        } else if (strcmp(a, "--fail-once") == 0 && v) {
            fail_once = v, i++;
        } else if (strcmp(a, "--ignore-term") == 0) {
            ignore_term = 1;
        } else if (strcmp(a, "--grandchild") == 0) {
            grandchild = 1;
        } else if (a[0] == '-') {
            fprintf(stderr, "serve_child: bad option %s\n", a);
            return 64;
        }
    }
    signal(SIGTERM, ignore_term ? SIG_IGN : on_term);
    record("start", (int)getpid());
    if (grandchild) {
        pid_t g = fork();
        if (g == 0) {
            for (;;) {
                pause();
            }
        }
        record("grandchild", (int)g);
    }
    if (fail_once) {
        int fd = open(fail_once, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            close(fd);
            exit_code = 1;
        } else {
            after = -1; /* failed before: run on */
        }
    }
    if (status) {
        char text[256];
        snprintf(text, sizeof text, "%s", status);
        hale_notify_status(text);
    }
    long long start = now_ns(), next_ping = start;
    long long ping_every = hale_notify_watchdog_interval_ns() / 2; /* a quarter of the timeout */
    int ready_sent = 0;
    for (;;) {
        long long elapsed_ms = (now_ns() - start) / 1000000;
        if (got_term) {
            record("term", (int)getpid());
            return 0;
        }
        if (ready && !ready_sent && elapsed_ms >= ready_delay &&
            (!ready_file || access(ready_file, F_OK) == 0)) {
            record("ready", (int)getpid());
            hale_notify_ready();
            ready_sent = 1;
        }
        if (watchdog && ping_every > 0 && now_ns() >= next_ping &&
            (watchdog_for < 0 || elapsed_ms < watchdog_for)) {
            hale_notify_watchdog();
            next_ping = now_ns() + ping_every;
        }
        if (after >= 0 && elapsed_ms >= after) {
            if (die_sig) {
                record("die", (int)getpid());
                signal(die_sig, SIG_DFL);
                kill(getpid(), die_sig);
            }
            record("exit", (int)getpid());
            return exit_code;
        }
        sleep_ms(5);
    }
}
