/* std::process: exit and pid (std.h), run and spawn (std_process.h). */
#include "std_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "io.h"
#include "residency.h"
#include "scheduler.h"
#include "std.h"
#include "str.h"

extern char **environ;

void hale_process_exit(int64_t code) {
    hale_out_flush();
    exit((int)(code & 0xff));
}

int64_t hale_process_pid(void) {
    return (int64_t)getpid();
}

/* std::process::rss_bytes is hale_process_rss_bytes in diag.c (with the other counters). */

int64_t hale_process_dump_arena_residency(void) {
    if (!hale_arena_residency_enabled()) {
        return 0;
    }
    hale_out_flush();
    return (int64_t)hale_arena_residency_dump(stderr);
}

/* ---- argv ---- */

/* The newline-separated arguments as a NULL-terminated vector in one malloc'd block (free it
 * once); NULL with errno EINVAL when there is no program or an argument holds a NUL. */
static char **split_argv(hale_str s) {
    if (s.len <= 0 || memchr(s.ptr, 0, (size_t)s.len)) {
        errno = EINVAL;
        return NULL;
    }
    int64_t n = 1;
    for (int64_t i = 0; i < s.len; i++) {
        n += s.ptr[i] == '\n';
    }
    char **v = hale_sys_malloc((size_t)(n + 1) * sizeof *v + (size_t)s.len + 1);
    if (!v) {
        errno = ENOMEM;
        return NULL;
    }
    char *text = (char *)(v + n + 1);
    memcpy(text, s.ptr, (size_t)s.len);
    text[s.len] = 0;
    int64_t k = 0;
    for (char *p = text;;) {
        char *nl = strchr(p, '\n');
        if (nl) {
            *nl = 0;
        }
        if (*p || k > 0) { /* a leading empty line is no program; later empty args are kept */
            v[k++] = p;
        }
        if (!nl) {
            break;
        }
        p = nl + 1;
    }
    if (k > 0 && !*v[k - 1]) {
        k--; /* a trailing newline ends the list, it is not an empty argument */
    }
    v[k] = NULL;
    if (k == 0) {
        hale_sys_free(v);
        errno = EINVAL;
        return NULL;
    }
    return v;
}

/* ---- starting a child ---- */

enum { PIPE_IN = 1, PIPE_OUT = 2, PIPE_ERR = 4 };

static void close_fd(int *fd) {
    if (*fd >= 0) {
        hale_fd_closing(*fd);
        hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
        close(*fd);
        *fd = -1;
    }
}

/* Starts argv with the streams in `pipes` on pipes (the rest on /dev/null); the parent's ends
 * (non-blocking) go to fds[0..2]. 0 or an errno value. */
static int start(char **argv, int pipes, pid_t *pid, int fds[3]) {
    int child[3] = {-1, -1, -1};
    fds[0] = fds[1] = fds[2] = -1;
    int err = 0;
    for (int i = 0; i < 3 && !err; i++) {
        if (pipes & (1 << i)) {
            int p[2];
            if (pipe2(p, O_CLOEXEC) != 0) {
                err = errno;
                break;
            }
            child[i] = i == 0 ? p[0] : p[1];
            fds[i] = i == 0 ? p[1] : p[0];
            fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        } else {
            child[i] = open("/dev/null", (i == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
            if (child[i] < 0) {
                err = errno;
            }
        }
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    if (!err) {
        posix_spawn_file_actions_init(&fa);
        for (int i = 0; i < 3; i++) {
            posix_spawn_file_actions_adddup2(&fa, child[i], i);
        }
        /* the child starts with no signal blocked and every signal at its default, whatever
         * this thread blocks or the program ignores */
        posix_spawnattr_init(&at);
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_setsigmask(&at, &none);
        posix_spawnattr_setsigdefault(&at, &all);
        posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        err = posix_spawnp(pid, argv[0], &fa, &at, argv, environ);
        posix_spawnattr_destroy(&at);
        posix_spawn_file_actions_destroy(&fa);
    }
    for (int i = 0; i < 3; i++) {
        if (child[i] >= 0) {
            close(child[i]);
        }
        if (err) {
            close_fd(&fds[i]);
        }
    }
    return err;
}

/* Waits for `pid` to exit, at most `timeout_ns` (< 0: no limit), parking on its pidfd (or a
 * sleeping poll). 1 when reaped (status in *status), 0 on timeout, or -errno. */
static int reap(pid_t pid, int pidfd, int64_t timeout_ns, int *status) {
    int64_t deadline = timeout_ns < 0 ? -1 : hale_time_monotonic() + timeout_ns;
    int64_t nap = 1000000;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid) {
            return 1;
        }
        if (r < 0 && errno != EINTR) {
            return -errno;
        }
        int64_t left = deadline < 0 ? -1 : deadline - hale_time_monotonic();
        if (deadline >= 0 && left <= 0) {
            return 0;
        }
        int w;
        if (pidfd >= 0) {
            w = hale_wait_fd(pidfd, HALE_READABLE, left);
        } else {
            int64_t d = left >= 0 && left < nap ? left : nap;
            w = hale_sleep(d);
            nap = nap < 50000000 ? nap * 2 : nap;
        }
        if (w < 0) {
            return w == -HALE_ECANCELED ? -ECANCELED : -EINTR;
        }
    }
}

static void decode_status(int st, int64_t *code, int64_t *sig) {
    if (WIFEXITED(st)) {
        *code = WEXITSTATUS(st);
        *sig = 0;
    } else {
        *code = -1;
        *sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    }
}

/* TERM, then KILL once `grace` passed (or at once when the wait cannot park any more); reaps.
 * Returns the reaped status in *st (0 if it could not be reaped). */
static void terminate(pid_t pid, int pidfd, int *st) {
    *st = 0;
    kill(pid, SIGTERM);
    if (reap(pid, pidfd, HALE_PROCESS_KILL_GRACE, st) == 1) {
        return;
    }
    kill(pid, SIGKILL);
    if (reap(pid, pidfd, -1, st) != 1) {
        waitpid(pid, st, 0); /* a cancelled wait: SIGKILL makes this short */
    }
}

static void spawn_error(hale_io_error *e, int err, const char *op, char **argv) {
    char where[128];
    if (argv && strchr(argv[0], ' ')) {
        snprintf(where, sizeof where,
                 "%s: argv[0] '%.40s' holds a space (argv is one argument a line)", op, argv[0]);
    } else {
        snprintf(where, sizeof where, "%s", op);
    }
    hale_io_error_set(e, err, op, where);
}

/* ---- run ---- */

typedef struct {
    char *p;
    int64_t len, cap;
} grow_buf;

/* Reads what fd has now into b. 1: more may come later, 0: end of stream, -errno on failure. */
static int drain(int fd, grow_buf *b) {
    for (;;) {
        if (b->len == b->cap) {
            if (b->cap >= HALE_PROCESS_OUTPUT_MAX) {
                return -EFBIG;
            }
            int64_t cap = b->cap ? b->cap * 2 : 4096;
            char *np = hale_sys_realloc(b->p, (size_t)cap);
            if (!np) {
                return -ENOMEM;
            }
            b->p = np;
            b->cap = cap;
        }
        hale_diag_count_syscall(HALE_SYSCALL_READ);
        ssize_t n = read(fd, b->p + b->len, (size_t)(b->cap - b->len));
        if (n > 0) {
            b->len += n;
            continue;
        }
        if (n == 0) {
            return 0;
        }
        if (errno == EINTR) {
            continue;
        }
        return errno == EAGAIN ? 1 : -errno;
    }
}

bool hale_process_run(hale_region *into, hale_str argv, hale_process_output *out,
                      hale_io_error *e) {
    if (out) {
        memset(out, 0, sizeof *out);
        out->out = out->err = (hale_str){"", 0};
    }
    char **av = split_argv(argv);
    if (!av) {
        spawn_error(e, errno, "std::process::run", NULL);
        return false;
    }
    pid_t pid;
    int fds[3];
    int err = start(av, PIPE_OUT | PIPE_ERR, &pid, fds);
    if (err) {
        spawn_error(e, err, "std::process::run", av);
        hale_sys_free(av);
        return false;
    }
    hale_sys_free(av);
    int pidfd = pidfd_open(pid, 0);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    grow_buf bufs[2] = {{0}, {0}};
    int open_fds[2] = {fds[1], fds[2]};
    int fail = ep < 0 ? errno : 0;
    for (int i = 0; i < 2 && !fail; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, open_fds[i], &ev) != 0) {
            fail = errno;
        }
    }
    while (!fail && (open_fds[0] >= 0 || open_fds[1] >= 0)) {
        for (int i = 0; i < 2 && !fail; i++) {
            if (open_fds[i] < 0) {
                continue;
            }
            int r = drain(open_fds[i], &bufs[i]);
            if (r < 0) {
                fail = -r;
            } else if (r == 0) {
                epoll_ctl(ep, EPOLL_CTL_DEL, open_fds[i], NULL);
                close_fd(&open_fds[i]);
            }
        }
        if (!fail && (open_fds[0] >= 0 || open_fds[1] >= 0)) {
            int w = hale_wait_fd(ep, HALE_READABLE, -1);
            if (w < 0) {
                fail = w == -HALE_ECANCELED ? ECANCELED : EINTR;
            }
        }
    }
    close_fd(&open_fds[0]);
    close_fd(&open_fds[1]);
    close_fd(&ep);
    int st = 0;
    if (fail) {
        terminate(pid, pidfd, &st);
    } else {
        int r = reap(pid, pidfd, -1, &st);
        if (r != 1) {
            fail = r < 0 ? -r : EINTR;
            terminate(pid, pidfd, &st);
        }
    }
    close_fd(&pidfd);
    if (!fail && out) {
        decode_status(st, &out->code, &out->signal);
        out->out = hale_str_copy(into, (hale_str){bufs[0].p, bufs[0].len});
        out->err = hale_str_copy(into, (hale_str){bufs[1].p, bufs[1].len});
    }
    hale_sys_free(bufs[0].p);
    hale_sys_free(bufs[1].p);
    if (fail) {
        hale_io_error_set(e, fail, "std::process::run", "std::process::run");
        return false;
    }
    return true;
}

/* ---- Child ---- */

void hale_child_init(hale_child *c) {
    memset(c, 0, sizeof *c);
    c->pidfd = c->in = c->out = c->err = -1;
}

static void child_close_pipes(hale_child *c) {
    close_fd(&c->in);
    close_fd(&c->out);
    close_fd(&c->err);
}

static void child_reaped(hale_child *c, int st) {
    decode_status(st, &c->code, &c->signal);
    c->exited = true;
    c->pid = 0;
    close_fd(&c->pidfd);
}

void hale_child_dissolve(hale_child *c) {
    child_close_pipes(c);
    if (c->pid > 0 && !c->exited) {
        int st;
        terminate(c->pid, c->pidfd, &st);
        child_reaped(c, st);
    }
    close_fd(&c->pidfd);
}

bool hale_child_spawn(hale_child *c, hale_str argv, hale_io_error *e) {
    hale_child_dissolve(c);
    hale_child_init(c);
    char **av = split_argv(argv);
    if (!av) {
        spawn_error(e, errno, "std::process::spawn", NULL);
        return false;
    }
    int fds[3];
    int err = start(av, PIPE_IN | PIPE_OUT | PIPE_ERR, &c->pid, fds);
    hale_sys_free(av);
    if (err == ENOENT || err == EACCES || err == ENOEXEC || err == ENOTDIR) {
        /* could not be started: a child that exited as a shell's "command not found" */
        c->pid = 0;
        c->exited = true;
        c->code = 127;
        return true;
    }
    if (err) {
        c->pid = 0;
        hale_io_error_set(e, err, "std::process::spawn", "std::process::spawn");
        return false;
    }
    c->in = fds[0];
    c->out = fds[1];
    c->err = fds[2];
    c->pidfd = pidfd_open(c->pid, 0);
    return true;
}

static int64_t status_of(const hale_child *c) {
    return c->signal ? -1 : c->code;
}

bool hale_child_wait(hale_child *c, int64_t *out, hale_io_error *e) {
    if (out) {
        *out = -1;
    }
    if (!c->exited && c->pid <= 0) {
        hale_io_error_set(e, ECHILD, "std::process::wait", "");
        return false;
    }
    if (!c->exited) {
        int st;
        int r = reap(c->pid, c->pidfd, -1, &st);
        if (r != 1) {
            hale_io_error_set(e, r < 0 ? -r : EINTR, "std::process::wait", "");
            return false;
        }
        child_reaped(c, st);
    }
    if (out) {
        *out = status_of(c);
    }
    return true;
}

bool hale_child_try_wait(hale_child *c, int64_t *out, hale_io_error *e) {
    if (out) {
        *out = -1;
    }
    if (!c->exited && c->pid <= 0) {
        hale_io_error_set(e, ECHILD, "std::process::try_wait", "");
        return false;
    }
    if (!c->exited) {
        int st;
        pid_t r = waitpid(c->pid, &st, WNOHANG);
        if (r < 0) {
            hale_io_error_set(e, errno == ECHILD ? ENOENT : errno, "std::process::try_wait", "");
            return false;
        }
        if (r == 0) {
            if (out) {
                *out = -2;
            }
            return true;
        }
        child_reaped(c, st);
    }
    if (out) {
        *out = status_of(c);
    }
    return true;
}

bool hale_child_kill(hale_child *c, void *unused, hale_io_error *e) {
    (void)unused;
    (void)e;
    if (c->pid > 0 && !c->exited) {
        int st;
        terminate(c->pid, c->pidfd, &st);
        child_reaped(c, st);
    }
    return true;
}

bool hale_child_signal(hale_child *c, int64_t sig, void *unused, hale_io_error *e) {
    (void)unused;
    if (sig < 0 || sig > 64) {
        hale_io_error_set(e, EINVAL, "std::process::signal", "");
        return false;
    }
    if (c->exited || c->pid <= 0) {
        hale_io_error_set(e, ENOENT, "std::process::signal", "");
        return false;
    }
    if (kill(c->pid, (int)sig) != 0) {
        hale_io_error_set(e, errno == ESRCH ? ENOENT : errno, "std::process::signal", "");
        return false;
    }
    return true;
}

/* write(2) on a pipe without SIGPIPE: the signal is blocked for the call and a pending one
 * taken back, so a child that went away is EPIPE, not the end of this program. */
static ssize_t write_nosigpipe(int fd, const void *p, size_t n) {
    sigset_t pipe, old;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, &old);
    hale_diag_count_syscall(HALE_SYSCALL_WRITE);
    ssize_t k = write(fd, p, n);
    int keep = errno;
    if (k < 0 && errno == EPIPE) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = keep;
    return k;
}

bool hale_child_write_stdin(hale_child *c, hale_str s, int64_t *out, hale_io_error *e) {
    if (out) {
        *out = -1;
    }
    if (c->in < 0) {
        hale_io_error_set(e, EBADF, "std::process::write_stdin", "");
        return false;
    }
    int64_t done = 0;
    while (done < s.len) {
        ssize_t k = write_nosigpipe(c->in, s.ptr + done, (size_t)(s.len - done));
        if (k > 0) {
            done += k;
            continue;
        }
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k < 0 && errno == EAGAIN) {
            int w = hale_wait_fd(c->in, HALE_WRITABLE, -1);
            if (w < 0) {
                hale_io_error_set(e, w == -HALE_ECANCELED ? ECANCELED : EINTR,
                                  "std::process::write_stdin", "");
                return false;
            }
            continue;
        }
        hale_io_error_set(e, errno, "std::process::write_stdin", "");
        return false;
    }
    if (out) {
        *out = done;
    }
    return true;
}

bool hale_child_close_stdin(hale_child *c, void *unused, hale_io_error *e) {
    (void)unused;
    (void)e;
    close_fd(&c->in);
    return true;
}

static bool read_now(hale_region *into, int *fd, hale_str *out, hale_io_error *e, const char *op) {
    if (out) {
        *out = (hale_str){"", 0};
    }
    if (*fd < 0) {
        return true; /* closed at end of stream: nothing more will come */
    }
    grow_buf b = {0};
    int r = drain(*fd, &b);
    if (r == 0) {
        close_fd(fd);
    }
    if (r < 0) {
        hale_sys_free(b.p);
        hale_io_error_set(e, -r, op, "");
        return false;
    }
    if (out) {
        *out = hale_str_copy(into, (hale_str){b.p, b.len});
    }
    hale_sys_free(b.p);
    return true;
}

bool hale_child_read_stdout(hale_region *into, hale_child *c, hale_str *out, hale_io_error *e) {
    return read_now(into, &c->out, out, e, "std::process::read_stdout");
}

bool hale_child_read_stderr(hale_region *into, hale_child *c, hale_str *out, hale_io_error *e) {
    return read_now(into, &c->err, out, e, "std::process::read_stderr");
}
