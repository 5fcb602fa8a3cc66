/* See orphan_guard.h. */
#include "orphan_guard.h"

#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    int32_t op; /* 1 add, 2 remove, 3 clean exit */
    int32_t pgid;
} record;

static void put(pid_t **set, size_t *n, size_t *cap, pid_t pgid) {
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        pid_t *s = realloc(*set, c * sizeof *s);
        if (!s) {
            return;
        }
        *set = s;
        *cap = c;
    }
    (*set)[(*n)++] = pgid;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void sv_remove_tree(const char *dir) {
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static _Noreturn void guard_main(int fd, const char *statedir) {
    /* Survive the signals aimed at serve's terminal or unit; only the pipe ends us. */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    pid_t *set = NULL;
    size_t n = 0, cap = 0;
    record r;
    int clean = 0;
    for (;;) {
        ssize_t got = read(fd, &r, sizeof r);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got != (ssize_t)sizeof r) {
            break; /* serve is gone (or finished) */
        }
        if (r.op == 1 && r.pgid > 1) {
            put(&set, &n, &cap, r.pgid);
        } else if (r.op == 3) {
            clean = 1;
        } else if (r.op == 2) {
            for (size_t i = 0; i < n; i++) {
                if (set[i] == r.pgid) {
                    set[i] = set[--n];
                    break;
                }
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        kill(-set[i], SIGKILL);
    }
    if (statedir && !clean) {
        /* serve died without cleaning up after itself */
        sv_remove_tree(statedir);
    }
    _exit(0);
}

int sv_guard_start(sv_guard *g, const char *statedir) {
    int fds[2];
    g->pid = 0;
    g->fd = -1;
    if (pipe2(fds, O_CLOEXEC) != 0) {
        return -1;
    }
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid == 0) {
        if (fds[0] > 3) {
            close_range(3, (unsigned)fds[0] - 1, 0);
        }
        close_range((unsigned)fds[0] + 1, ~0u, 0);
        guard_main(fds[0], statedir);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(fds[0]);
    if (pid < 0) {
        close(fds[1]);
        return -1;
    }
    g->pid = pid;
    g->fd = fds[1];
    return 0;
}

static void send_record(sv_guard *g, int op, pid_t pgid) {
    if (g->fd < 0) {
        return;
    }
    record r = {op, (int32_t)pgid};
    ssize_t w;
    do {
        w = write(g->fd, &r, sizeof r);
    } while (w < 0 && errno == EINTR);
}

void sv_guard_add(sv_guard *g, pid_t pgid) {
    send_record(g, 1, pgid);
}

void sv_guard_remove(sv_guard *g, pid_t pgid) {
    send_record(g, 2, pgid);
}

void sv_guard_stop(sv_guard *g) {
    send_record(g, 3, 0);
    if (g->fd >= 0) {
        close(g->fd);
        g->fd = -1;
    }
    if (g->pid > 0) {
        while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        g->pid = 0;
    }
}
