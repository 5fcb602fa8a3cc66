/* One supervised instance ("api-0"): its process, its notify socket, its output pipes and its
 * timers. What an exit *means* (restart, give up) is the tree's business (tree.c); this file
 * only starts, watches, signals and cleans up. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duration.h"
#include "notifysock.h"
#include "server.h"
#include "spawn.h"

#define NS_PER_S 1e9

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents);

sv_inst *sv_inst_new(sv_server *srv, const sv_proc *proc, int replica) {
    sv_inst *inst = calloc(1, sizeof *inst);
    if (!inst) {
        perror("hale serve");
        abort();
    }
    inst->srv = srv;
    inst->proc = proc;
    inst->replica = replica;
    inst->id = srv->next_id++;
    snprintf(inst->name, sizeof inst->name, "%s-%d", proc->name, replica);
    snprintf(inst->procname, sizeof inst->procname, "%s", proc->name);
    inst->state = I_WAITING;
    inst->last_status = -1;
    inst->stop_timeout_ns = proc->stop_timeout_ns;
    inst->watchdog_ns = proc->watchdog_ns;
    inst->notify_fd = -1;
    inst->out.fd = inst->err.fd = -1;
    inst->out.inst = inst->err.inst = inst;
    inst->out.out_fd = 1;
    inst->err.out_fd = 2;
    ev_init(&inst->timer, timer_cb);
    inst->timer.data = inst;
    ev_init(&inst->watchdog, watchdog_cb);
    inst->watchdog.data = inst;
    return inst;
}

int sv_inst_alive(const sv_inst *inst) {
    return inst->pid > 0;
}

/* ---- output ---------------------------------------------------------------------------- */

static void pipe_close(sv_pipe *p) {
    if (p->fd >= 0) {
        ev_io_stop(p->inst->srv->loop, &p->w);
        sv_lines_flush(&p->lines, p->inst->name, p->out_fd);
        close(p->fd);
        p->fd = -1;
    }
}

/* Reads what is there (at most `budget` bytes); closes the pipe at end of file. */
static void pipe_drain(sv_pipe *p, size_t budget) {
    char buf[16384];
    while (p->fd >= 0 && budget > 0) {
        ssize_t n = read(p->fd, buf, sizeof buf);
        if (n > 0) {
            sv_lines_feed(&p->lines, p->inst->name, buf, (size_t)n, p->out_fd);
            budget = (size_t)n >= budget ? 0 : budget - (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else {
            pipe_close(p);
        }
    }
}

static void pipe_cb(struct ev_loop *loop, ev_io *w, int revents) {
    (void)loop;
    (void)revents;
    pipe_drain(w->data, 1 << 16);
}

/* Makes a pipe whose read end serve watches; returns the write end for the child, or -1. */
static int pipe_open(sv_pipe *p) {
    pipe_close(p);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        return -1;
    }
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    p->fd = fds[0];
    p->lines.len = 0;
    ev_io_init(&p->w, pipe_cb, p->fd, EV_READ);
    p->w.data = p;
    ev_io_start(p->inst->srv->loop, &p->w);
    return fds[1];
}

/* ---- notify socket --------------------------------------------------------------------- */

static void notify_close(sv_inst *inst) {
    if (inst->notify_fd >= 0) {
        ev_io_stop(inst->srv->loop, &inst->notify_w);
        close(inst->notify_fd);
        unlink(inst->notify_path);
        inst->notify_fd = -1;
    }
}

static void arm_watchdog(sv_inst *inst) {
    ev_timer_stop(inst->srv->loop, &inst->watchdog);
    if (inst->watchdog_ns > 0 && sv_inst_alive(inst) && !inst->term_sent) {
        ev_timer_set(&inst->watchdog, (double)inst->watchdog_ns / NS_PER_S, 0);
        ev_timer_start(inst->srv->loop, &inst->watchdog);
    }
}

static void on_message(sv_inst *inst, const sv_notify_msg *m) {
    if (m->has_status) {
        snprintf(inst->status, sizeof inst->status, "%s", m->status);
    }
    if (m->watchdog_usec >= 0) {
        inst->watchdog_ns = m->watchdog_usec * 1000;
        arm_watchdog(inst);
    }
    if (m->ready && inst->state == I_STARTING) {
        inst->state = I_READY;
        ev_timer_stop(inst->srv->loop, &inst->timer);
        arm_watchdog(inst);
        sv_log("%s ready", inst->name);
        sv_tree_pump(inst->srv);
    }
    if (m->watchdog && (inst->state == I_READY || inst->state == I_STARTING)) {
        arm_watchdog(inst);
    }
    if (m->stopping && sv_inst_alive(inst) && inst->state != I_STOPPING) {
        inst->state = I_STOPPING;
        ev_timer_stop(inst->srv->loop, &inst->watchdog);
    }
    if (m->watchdog_trigger && sv_inst_alive(inst) && !inst->term_sent) {
        snprintf(inst->failure, sizeof inst->failure, "asked for it with WATCHDOG=trigger");
        inst->failed_by = SV_FAIL_WATCHDOG;
        sv_log("%s failed: %s; killing it", inst->name, inst->failure);
        inst->stop_reason = STOP_FAILED;
        kill(-inst->pid, SIGKILL);
    }
}

static void notify_cb(struct ev_loop *loop, ev_io *w, int revents) {
    (void)loop;
    (void)revents;
    sv_inst *inst = w->data;
    sv_notify_msg m;
    for (int i = 0; i < 64 && inst->notify_fd >= 0 && sv_notify_recv(inst->notify_fd, &m) > 0;
         i++) {
        on_message(inst, &m);
    }
}

static int notify_open(sv_inst *inst) {
    notify_close(inst);
    int n = snprintf(inst->notify_path, sizeof inst->notify_path, "%s/%u.notify",
                     inst->srv->statedir, inst->id);
    if (n < 0 || (size_t)n >= sizeof inst->notify_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    inst->notify_fd = sv_notify_open(inst->notify_path);
    if (inst->notify_fd < 0) {
        return -1;
    }
    ev_io_init(&inst->notify_w, notify_cb, inst->notify_fd, EV_READ);
    inst->notify_w.data = inst;
    ev_io_start(inst->srv->loop, &inst->notify_w);
    return 0;
}

/* ---- start ----------------------------------------------------------------------------- */

static char *fmt_env(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmt_env(const char *fmt, ...) {
    char buf[PATH_MAX + 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *s = strdup(buf);
    if (!s) {
        perror("hale serve");
        abort();
    }
    return s;
}

static int overridden(const sv_proc *proc, const char *entry) {
    size_t klen = strcspn(entry, "=");
    for (size_t i = 0; i < proc->nenv; i++) {
        if (strncmp(proc->env[i], entry, klen) == 0 && proc->env[i][klen] == '=') {
            return 1;
        }
    }
    return 0;
}

/* serve's environment, then the entry's env, then what serve sets per instance. */
static char **make_env(sv_inst *inst) {
    const sv_proc *proc = inst->proc;
    size_t nbase = 0;
    while (inst->srv->base_env[nbase]) {
        nbase++;
    }
    char **env = calloc(nbase + proc->nenv + 8, sizeof *env);
    if (!env) {
        perror("hale serve");
        abort();
    }
    size_t n = 0;
    for (size_t i = 0; i < nbase; i++) {
        if (!overridden(proc, inst->srv->base_env[i])) {
            env[n++] = fmt_env("%s", inst->srv->base_env[i]);
        }
    }
    for (size_t i = 0; i < proc->nenv; i++) {
        env[n++] = fmt_env("%s", proc->env[i]);
    }
    env[n++] = fmt_env("HALE_INSTANCE=%s", inst->name);
    env[n++] = fmt_env("HALE_REPLICA=%d", inst->replica);
    env[n++] = fmt_env("NOTIFY_SOCKET=%s", inst->notify_path);
    if (inst->watchdog_ns > 0) {
        env[n++] = fmt_env("WATCHDOG_USEC=%lld", (long long)(inst->watchdog_ns / 1000));
        env[n++] = fmt_env("WATCHDOG_PID=%-23s", ""); /* the child fills in its pid */
    }
    env[n] = NULL;
    return env;
}

static void free_env(char **env) {
    for (char **e = env; *e; e++) {
        free(*e);
    }
    free(env);
}

void sv_inst_start(sv_inst *inst) {
    sv_server *srv = inst->srv;
    inst->watchdog_ns = inst->proc->watchdog_ns;
    inst->stop_timeout_ns = inst->proc->stop_timeout_ns;
    inst->failure[0] = inst->status[0] = '\0';
    inst->failed_by = SV_FAIL_NONE;
    inst->stop_reason = STOP_NONE;
    inst->term_sent = 0;
    int out = -1, err = -1;
    pid_t pid = -1;
    if (notify_open(inst) == 0 && (out = pipe_open(&inst->out)) >= 0 &&
        (err = pipe_open(&inst->err)) >= 0) {
        char **env = make_env(inst);
        sv_spawn_req req = {inst->proc->argv, env, srv->spec.dir, out, err};
        pid = sv_spawn(&req);
        free_env(env);
    }
    int saved = errno;
    if (out >= 0) {
        close(out);
    }
    if (err >= 0) {
        close(err);
    }
    inst->started_ns = sv_now_ns();
    if (pid < 0) {
        sv_log("cannot start %s: %s", inst->name, strerror(saved));
        pipe_close(&inst->out);
        pipe_close(&inst->err);
        notify_close(inst);
        inst->last_status = 127 << 8;
        sv_tree_exited(srv, inst, 127 << 8);
        return;
    }
    inst->pid = pid;
    sv_guard_add(&srv->guard, pid);
    if (inst->proc->ready == SV_READY_NOTIFY) {
        inst->state = I_STARTING;
        ev_timer_set(&inst->timer, (double)inst->proc->ready_timeout_ns / NS_PER_S, 0);
        ev_timer_start(srv->loop, &inst->timer);
    } else {
        inst->state = I_READY;
        arm_watchdog(inst);
    }
    sv_log("%s started (pid %d)", inst->name, (int)pid);
}

/* ---- stop and reap --------------------------------------------------------------------- */

void sv_inst_stop(sv_inst *inst, sv_stop_reason why) {
    if (!sv_inst_alive(inst)) {
        return;
    }
    if (inst->stop_reason == STOP_NONE || why == STOP_SHUTDOWN || why == STOP_RETIRE) {
        inst->stop_reason = why;
    }
    if (inst->term_sent) {
        return;
    }
    inst->term_sent = 1;
    inst->state = I_STOPPING;
    ev_timer_stop(inst->srv->loop, &inst->watchdog);
    ev_timer_stop(inst->srv->loop, &inst->timer);
    kill(-inst->pid, SIGTERM);
    ev_timer_set(&inst->timer, (double)inst->stop_timeout_ns / NS_PER_S, 0);
    ev_timer_start(inst->srv->loop, &inst->timer);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop;
    (void)revents;
    sv_inst *inst = w->data;
    char d[32];
    if (!sv_inst_alive(inst)) {
        return;
    }
    if (inst->term_sent) {
        cfg_duration_format(inst->stop_timeout_ns, d, sizeof d);
        sv_log("%s did not stop within %s; killing it", inst->name, d);
        kill(-inst->pid, SIGKILL);
    } else if (inst->state == I_STARTING) {
        cfg_duration_format(inst->proc->ready_timeout_ns, d, sizeof d);
        snprintf(inst->failure, sizeof inst->failure, "did not report READY=1 within %s", d);
        inst->failed_by = SV_FAIL_READY_TIMEOUT;
        sv_log("%s %s; stopping it", inst->name, inst->failure);
        sv_inst_stop(inst, STOP_FAILED);
    }
}

static void watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop;
    (void)revents;
    sv_inst *inst = w->data;
    if (!sv_inst_alive(inst) || inst->term_sent) {
        return;
    }
    char d[32];
    cfg_duration_format(inst->watchdog_ns, d, sizeof d);
    snprintf(inst->failure, sizeof inst->failure, "missed its watchdog (no WATCHDOG=1 within %s)",
             d);
    inst->failed_by = SV_FAIL_WATCHDOG;
    sv_log("%s %s; killing it", inst->name, inst->failure);
    inst->stop_reason = STOP_FAILED;
    kill(-inst->pid, SIGKILL);
}

void sv_inst_reaped(sv_inst *inst, int status) {
    if (inst->pid > 1) {
        kill(-inst->pid, SIGKILL); /* whatever it left behind in its group */
        sv_guard_remove(&inst->srv->guard, inst->pid);
    }
    inst->pid = 0;
    inst->term_sent = 0;
    inst->last_status = status;
    ev_timer_stop(inst->srv->loop, &inst->timer);
    ev_timer_stop(inst->srv->loop, &inst->watchdog);
    notify_close(inst);
    /* Forward what it wrote before dying ahead of the news of its death. */
    pipe_drain(&inst->out, 1 << 20);
    pipe_drain(&inst->err, 1 << 20);
}

void sv_inst_free(sv_inst *inst) {
    if (!inst) {
        return;
    }
    if (inst->pid > 1) {
        kill(-inst->pid, SIGKILL);
    }
    ev_timer_stop(inst->srv->loop, &inst->timer);
    ev_timer_stop(inst->srv->loop, &inst->watchdog);
    notify_close(inst);
    pipe_close(&inst->out);
    pipe_close(&inst->err);
    free(inst->deps);
    free(inst);
}
