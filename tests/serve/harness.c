/* See harness.h. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *hale_path, *child_path, *work_dir;

void sr_init(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s HALE SERVE_CHILD WORKDIR\n", argv[0]);
        exit(2);
    }
    hale_path = argv[1];
    child_path = argv[2];
    work_dir = argv[3];
    mkdir(work_dir, 0755);
    signal(SIGPIPE, SIG_IGN);
}

const char *sr_hale(void) {
    return hale_path;
}

const char *sr_child(void) {
    return child_path;
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void text_add(sr_text *t, const char *s, size_t n) {
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1) {
            cap *= 2;
        }
        t->p = realloc(t->p, cap);
        if (!t->p) {
            abort();
        }
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

/* Replaces @CHILD@ and @DIR@. */
static char *expand(const sr *r, const char *toml) {
    sr_text t = {0};
    text_add(&t, "", 0);
    for (const char *p = toml; *p;) {
        if (strncmp(p, "@CHILD@", 7) == 0) {
            text_add(&t, child_path, strlen(child_path));
            p += 7;
        } else if (strncmp(p, "@DIR@", 5) == 0) {
            text_add(&t, r->dir, strlen(r->dir));
            p += 5;
        } else {
            text_add(&t, p++, 1);
        }
    }
    return t.p;
}

void sr_write_config(sr *r, const char *toml) {
    char *text = expand(r, toml);
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s.new", r->file);
    FILE *f = fopen(tmp, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, r->file) != 0) {
        perror(r->file);
        abort();
    }
    free(text);
}

void sr_prepare(sr *r, const char *name, const char *toml) {
    memset(r, 0, sizeof *r);
    r->pid = 0;
    r->out_fd = r->err_fd = -1;
    snprintf(r->dir, sizeof r->dir, "%s/%s-XXXXXX", work_dir, name);
    if (!mkdtemp(r->dir)) {
        perror(r->dir);
        abort();
    }
    snprintf(r->file, sizeof r->file, "%s/hale.toml", r->dir);
    snprintf(r->record, sizeof r->record, "%s/record", r->dir);
    sr_write_config(r, toml);
}

void sr_start(sr *r, const char *name, const char *toml, char *const *env) {
    sr_prepare(r, name, toml);
    sr_launch(r, env);
}

void sr_launch(sr *r, char *const *env) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        abort();
    }
    pid_t pid = fork();
    if (pid == 0) {
        /* A test that fails before sr_finish still takes its serve (and so its children) down
         * when the test program ends. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(out[1], 1);
        dup2(err[1], 2);
        char rec[700], xdg[600];
        snprintf(rec, sizeof rec, "%s", r->record);
        snprintf(xdg, sizeof xdg, "%s", r->dir);
        setenv("CHILD_RECORD", rec, 1);
        setenv("XDG_RUNTIME_DIR", xdg, 1);
        unsetenv("NOTIFY_SOCKET");
        unsetenv("WATCHDOG_USEC");
        unsetenv("WATCHDOG_PID");
        for (char *const *e = env; e && *e; e++) {
            putenv(*e);
        }
        execl(hale_path, hale_path, "serve", r->file, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    r->pid = pid;
    r->out_fd = out[0];
    r->err_fd = err[0];
}

static void drain(sr *r, int *fd, sr_text *t) {
    char buf[8192];
    for (;;) {
        ssize_t n = read(*fd, buf, sizeof buf);
        if (n > 0) {
            text_add(t, buf, (size_t)n);
            text_add(&r->all, buf, (size_t)n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            if (n == 0) {
                close(*fd);
                *fd = -1;
            }
            return;
        }
    }
}

static void reap(sr *r) {
    if (r->pid > 0 && !r->exited && waitpid(r->pid, &r->status, WNOHANG) == r->pid) {
        r->exited = 1;
    }
}

void sr_pump(sr *r, int ms) {
    struct pollfd p[2] = {{r->out_fd, POLLIN, 0}, {r->err_fd, POLLIN, 0}};
    if (r->out_fd < 0 && r->err_fd < 0) {
        reap(r);
        if (!r->exited && ms > 0) {
            poll(NULL, 0, ms < 10 ? ms : 10);
        }
        return;
    }
    poll(p, 2, ms);
    if (r->out_fd >= 0) {
        drain(r, &r->out_fd, &r->out);
    }
    if (r->err_fd >= 0) {
        drain(r, &r->err_fd, &r->err);
    }
    reap(r);
}

int sr_count(const sr *r, const char *needle) {
    int n = 0;
    for (const char *p = r->all.p; p && (p = strstr(p, needle)) != NULL; p++) {
        n++;
    }
    return n;
}

int sr_wait_count(sr *r, const char *needle, int count) {
    long long deadline = now_ms() + SR_WAIT_MS;
    while (sr_count(r, needle) < count) {
        if (now_ms() > deadline || (r->exited && r->out_fd < 0 && r->err_fd < 0)) {
            return 0;
        }
        sr_pump(r, 20);
    }
    return 1;
}

int sr_wait_for(sr *r, const char *needle) {
    return sr_wait_count(r, needle, 1);
}

int sr_wait_exit(sr *r, int ms) {
    long long deadline = now_ms() + ms;
    while (!r->exited || r->out_fd >= 0 || r->err_fd >= 0) {
        if (now_ms() > deadline) {
            return r->exited;
        }
        sr_pump(r, 20);
    }
    return 1;
}

void sr_signal(sr *r, int sig) {
    if (r->pid > 0 && !r->exited) {
        kill(r->pid, sig);
    }
}

void sr_finish(sr *r) {
    if (r->pid > 0 && !r->exited) {
        kill(r->pid, SIGTERM);
        if (!sr_wait_exit(r, 10000)) {
            kill(r->pid, SIGKILL);
            sr_wait_exit(r, 10000);
        }
    }
    if (r->out_fd >= 0) {
        close(r->out_fd);
    }
    if (r->err_fd >= 0) {
        close(r->err_fd);
    }
    free(r->out.p);
    free(r->err.p);
    free(r->all.p);
    memset(&r->out, 0, sizeof r->out);
    memset(&r->err, 0, sizeof r->err);
    memset(&r->all, 0, sizeof r->all);
    r->out_fd = r->err_fd = -1;
}

size_t sr_events(const sr *r, sr_event *out, size_t max) {
    FILE *f = fopen(r->record, "r");
    size_t n = 0;
    if (!f) {
        return 0;
    }
    sr_event e;
    while (n < max && fscanf(f, "%15s %63s %d %lld", e.event, e.inst, &e.pid, &e.ns) == 4) {
        out[n++] = e;
    }
    fclose(f);
    return n;
}

int sr_count_events(const sr *r, const char *event, const char *inst) {
    static sr_event ev[4096];
    size_t n = sr_events(r, ev, 4096);
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        count += strcmp(ev[i].event, event) == 0 && (!inst || strcmp(ev[i].inst, inst) == 0);
    }
    return count;
}

int sr_wait_events(sr *r, const char *event, const char *inst, int count) {
    long long deadline = now_ms() + SR_WAIT_MS;
    while (sr_count_events(r, event, inst) < count) {
        if (now_ms() > deadline) {
            return 0;
        }
        sr_pump(r, 20);
    }
    return 1;
}

int sr_last_pid(const sr *r, const char *inst) {
    static sr_event ev[4096];
    size_t n = sr_events(r, ev, 4096);
    int pid = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ev[i].event, "start") == 0 && strcmp(ev[i].inst, inst) == 0) {
            pid = ev[i].pid;
        }
    }
    return pid;
}

int sr_ctl(sr *r, char *out, size_t n, ...) {
    char *argv[16] = {(char *)hale_path, "ctl", r->file};
    int argc = 3;
    va_list ap;
    va_start(ap, n);
    char *a;
    while (argc < 15 && (a = va_arg(ap, char *)) != NULL) {
        argv[argc++] = a;
    }
    va_end(ap);
    argv[argc] = NULL;
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        abort();
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        dup2(p[1], 2);
        setenv("XDG_RUNTIME_DIR", r->dir, 1);
        execv(hale_path, argv);
        _exit(127);
    }
    close(p[1]);
    size_t len = 0;
    ssize_t got;
    while (len + 1 < n && (got = read(p[0], out + len, n - 1 - len)) > 0) {
        len += (size_t)got;
    }
    out[len] = '\0';
    close(p[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    sr_pump(r, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void sr_dump(const sr *r) {
    fprintf(stderr, "---- hale serve output (%s) ----\n%s\n---- record ----\n", r->file,
            r->all.p ? r->all.p : "");
    FILE *f = fopen(r->record, "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        fputs(line, stderr);
    }
    if (f) {
        fclose(f);
    }
    fprintf(stderr, "----\n");
}
