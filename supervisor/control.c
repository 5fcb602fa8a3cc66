/* The control socket `hale ctl` talks to: a Unix stream socket, mode 0600, that also checks the
 * peer's uid (SO_PEERCRED) so that only serve's owner (or root) can stop or restart anything.
 * The protocol is one command line in ("status", "restart NAME", "stop") and text out; a reply
 * that starts with "error: " is a failure. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "server.h"

#define CMD_MAX 512

typedef struct conn {
    sv_server *srv;
    int fd;
    ev_io w;
    ev_timer t;
    char buf[CMD_MAX];
    size_t len;
    struct conn *next; /* open connections, so a stopping serve can close them */
} conn;

static conn *open_conns;

typedef struct {
    char *p;
    size_t len, cap;
} text;

static void addf(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(text *t, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            return;
        }
        if (t->p && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap * 2 : 1024;
        while (cap < t->len + (size_t)n + 1) {
            cap *= 2;
        }
        char *p = realloc(t->p, cap);
        if (!p) {
            return;
        }
        t->p = p;
        t->cap = cap;
    }
}

static void conn_close(conn *c) {
    for (conn **p = &open_conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    ev_io_stop(c->srv->loop, &c->w);
    ev_timer_stop(c->srv->loop, &c->t);
    close(c->fd);
    free(c);
}

static void reply(conn *c, const char *s, size_t n) {
    int flags = fcntl(c->fd, F_GETFL);
    fcntl(c->fd, F_SETFL, flags & ~O_NONBLOCK);
    struct timeval tv = {2, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    while (n > 0) {
        ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}

static void status_line(text *t, const sv_inst *inst, int64_t now) {
    char pid[16] = "-", up[32] = "-";
    if (sv_inst_alive(inst)) {
        snprintf(pid, sizeof pid, "%d", (int)inst->pid);
        sv_format_uptime(now - inst->started_ns, up, sizeof up);
    }
    addf(t, "%-20s pid=%-7s state=%-8s restarts=%-3u uptime=%s", inst->name, pid,
         sv_state_name(inst, now), inst->restarts, up);
    if (inst->status[0]) {
        addf(t, "  \"%s\"", inst->status);
    }
    addf(t, "\n");
}

static void run_command(conn *c, const char *cmd) {
    sv_server *srv = c->srv;
    text t = {0};
    int stop = 0;
    int64_t now = sv_now_ns();
    if (strcmp(cmd, "status") == 0) {
        for (size_t i = 0; i < srv->ninsts; i++) {
            status_line(&t, srv->insts[i], now);
        }
        for (size_t i = 0; i < srv->nretiring; i++) {
            status_line(&t, srv->retiring[i], now);
        }
    } else if (strncmp(cmd, "restart ", 8) == 0 && cmd[8]) {
        int n = sv_tree_restart(srv, cmd + 8);
        if (n == 0) {
            addf(&t, "error: no process or instance named '%s'\n", cmd + 8);
        } else {
            addf(&t, "restarting %d instance(s) of %s\n", n, cmd + 8);
        }
    } else if (strcmp(cmd, "stop") == 0) {
        addf(&t, "stopping %s\n", srv->spec.name);
        stop = 1;
    } else {
        addf(&t, "error: unknown command '%.64s' (use status, restart NAME or stop)\n", cmd);
    }
    if (t.p) {
        reply(c, t.p, t.len);
    }
    free(t.p);
    conn_close(c);
    if (stop) {
        sv_tree_shutdown(srv, 0);
    }
}

static void conn_read(struct ev_loop *loop, ev_io *w, int revents) {
    (void)loop;
    (void)revents;
    conn *c = w->data;
    ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (n > 0) {
        c->len += (size_t)n;
    }
    c->buf[c->len] = '\0';
    char *nl = strchr(c->buf, '\n');
    if (nl || n <= 0 || c->len == sizeof c->buf - 1) {
        if (nl) {
            *nl = '\0';
        }
        run_command(c, c->buf);
    }
}

static void conn_timeout(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop;
    (void)revents;
    conn_close(w->data);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents) {
    (void)revents;
    sv_server *srv = w->data;
    int fd;
    while ((fd = accept4(srv->control_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        struct ucred cred;
        socklen_t len = sizeof cred;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
            (cred.uid != geteuid() && cred.uid != 0)) {
            static const char denied[] = "error: permission denied\n";
            ssize_t rc = send(fd, denied, sizeof denied - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            (void)rc;
            close(fd);
            continue;
        }
        conn *c = calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->srv = srv;
        c->fd = fd;
        c->next = open_conns;
        open_conns = c;
        ev_io_init(&c->w, conn_read, fd, EV_READ);
        c->w.data = c;
        ev_io_start(loop, &c->w);
        ev_timer_init(&c->t, conn_timeout, 5.0, 0);
        c->t.data = c;
        ev_timer_start(loop, &c->t);
    }
}

/* The directory holding the socket: created 0700 when missing, and it must be ours. */
static int prepare_dir(const char *path, char *err, size_t errlen) {
    char copy[sizeof(((struct sockaddr_un *)0)->sun_path)];
    snprintf(copy, sizeof copy, "%s", path);
    const char *dir = dirname(copy);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s for the control socket: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s is not a directory", dir);
        return -1;
    }
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        snprintf(err, errlen,
                 "%s belongs to another user; refusing to put the control socket there", dir);
        return -1;
    }
    return 0;
}

int sv_control_open(sv_server *srv, char *err, size_t errlen) {
    const char *path = srv->spec.control;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "control socket path %s is longer than %zu bytes", path,
                 sizeof sa.sun_path - 1);
        return -1;
    }
    strcpy(sa.sun_path, path);
    if (prepare_dir(path, err, errlen) != 0) {
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, errlen, "%s exists and is not a socket", path);
            close(fd);
            return -1;
        }
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int live = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0;
        if (probe >= 0) {
            close(probe);
        }
        if (live) {
            snprintf(err, errlen, "another hale serve is running with control socket %s", path);
            close(fd);
            return -1;
        }
        unlink(path); /* left behind by a serve that died */
    }
    mode_t old = umask(0177);
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (rc != 0 || chmod(path, 0600) != 0 || listen(fd, 16) != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    srv->control_fd = fd;
    ev_io_init(&srv->control_w, accept_cb, fd, EV_READ);
    srv->control_w.data = srv;
    ev_io_start(srv->loop, &srv->control_w);
    return 0;
}

void sv_control_close(sv_server *srv) {
    while (open_conns) {
        conn_close(open_conns);
    }
    if (srv->control_fd >= 0) {
        ev_io_stop(srv->loop, &srv->control_w);
        close(srv->control_fd);
        unlink(srv->spec.control);
        srv->control_fd = -1;
    }
}
