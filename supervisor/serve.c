/* `hale serve`: reads the deployment, prepares serve's private state directory, control socket
 * and signal handling, then runs the tree (tree.c) on one libev loop until it drains. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"
#include "server.h"

extern char **environ;

int64_t sv_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void sv_log(const char *fmt, ...) {
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "hale serve: ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = strlen(buf);
    buf[len++] = '\n';
    ssize_t rc = write(2, buf, len); /* one write: never torn by children's lines */
    (void)rc;
}

void sv_describe_status(int status, char *out, size_t n) {
    if (WIFEXITED(status)) {
        snprintf(out, n, "exited with status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        const char *name = sigabbrev_np(WTERMSIG(status));
        snprintf(out, n, "was killed by signal %d (SIG%s)", WTERMSIG(status), name ? name : "?");
    } else {
        snprintf(out, n, "ended with wait status %d", status);
    }
}

void sv_format_uptime(int64_t ns, char *out, size_t n) {
    long long s = (long long)(ns / 1000000000);
    if (s < 60) {
        snprintf(out, n, "%llds", s);
    } else if (s < 3600) {
        snprintf(out, n, "%lldm%02llds", s / 60, s % 60);
    } else if (s < 86400) {
        snprintf(out, n, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
    } else {
        snprintf(out, n, "%lldd%02lldh", s / 86400, (s % 86400) / 3600);
    }
}

const char *sv_state_name(const sv_inst *inst, int64_t now) {
    switch (inst->state) {
    case I_WAITING:
        return inst->not_before_ns > now ? "backoff" : "waiting";
    case I_STARTING:
        return "starting";
    case I_READY:
        return "ready";
    case I_STOPPING:
        return "stopping";
    case I_EXITED:
        return "exited";
    case I_FAILED:
        return "failed";
    }
    return "?";
}

/* ---- setup ----------------------------------------------------------------------------- */

static const char *const per_child_vars[] = {"NOTIFY_SOCKET", "WATCHDOG_USEC",  "WATCHDOG_PID",
                                             "HALE_INSTANCE", "HALE_REPLICA",   "LISTEN_FDS",
                                             "LISTEN_PID",    "LISTEN_FDNAMES", NULL};

static char **snapshot_env(void) {
    size_t n = 0;
    while (environ[n]) {
        n++;
    }
    char **env = calloc(n + 1, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; env && i < n; i++) {
        int skip = 0;
        for (const char *const *v = per_child_vars; *v; v++) {
            size_t len = strlen(*v);
            skip |= strncmp(environ[i], *v, len) == 0 && environ[i][len] == '=';
        }
        if (!skip) {
            env[k++] = environ[i]; /* environ's strings outlive serve's loop */
        }
    }
    return env;
}

/* The first entry of a systemd directory variable ($CACHE_DIRECTORY=/var/cache/a:/var/cache/b),
 * or NULL. */
static const char *unit_dir(const char *var, char *buf, size_t len) {
    const char *v = getenv(var);
    if (!v || v[0] != '/') {
        return NULL;
    }
    snprintf(buf, len, "%.*s", (int)strcspn(v, ":"), v);
    return buf;
}

/* Removes the state directories a killed serve left in `base`. */
static void remove_stale(const char *base) {
    DIR *d = opendir(base);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "hale-serve.", 11) == 0) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", base, e->d_name);
            sv_remove_tree(path);
        }
    }
    if (d) {
        closedir(d);
    }
}

/* Serve's private directory: notify sockets and built programs, so on a filesystem that allows
 * exec. Under systemd that is the unit's CacheDirectory= (its RuntimeDirectory= is under /run,
 * often mounted noexec), which belongs to this unit alone: directories a killed serve left there
 * are removed first. Otherwise $TMPDIR or /tmp. */
static int make_statedir(sv_server *srv) {
    char unit[PATH_MAX];
    const char *base = unit_dir("CACHE_DIRECTORY", unit, sizeof unit);
    if (base && strlen(base) <= 60) {
        remove_stale(base);
    } else {
        base = getenv("TMPDIR");
    }
    if (!base || !*base || strlen(base) > 60) {
        base = "/tmp";
    }
    snprintf(srv->statedir, sizeof srv->statedir, "%s/hale-serve.XXXXXX", base);
    if (!mkdtemp(srv->statedir)) {
        sv_log("cannot create a state directory under %s: %s", base, strerror(errno));
        return -1;
    }
    return 0;
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents) {
    (void)loop;
    (void)revents;
    sv_server *srv = w->data;
    if (w->signum == SIGCHLD) {
        sv_tree_reap(srv);
    } else if (w->signum == SIGHUP) {
        sv_log("SIGHUP: reloading %s", srv->spec.file);
        sv_tree_reload(srv);
    } else {
        sv_tree_shutdown(srv, srv->shutting_down ? srv->exit_code : 0);
    }
}

static void on_wake(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop;
    (void)revents;
    sv_tree_pump(w->data);
}

static void watch_signal(sv_server *srv, ev_signal *w, int sig) {
    ev_signal_init(w, on_signal, sig);
    w->data = srv;
    ev_signal_start(srv->loop, w);
}

/* Makes sure fds 0-2 are open, so no pipe or socket of ours lands there. */
static void keep_std_fds(void) {
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) < 0) {
            int null = open("/dev/null", O_RDWR);
            if (null >= 0 && null != fd) {
                dup2(null, fd);
                close(null);
            }
        }
    }
}

static int run(sv_server *srv, sv_spec *spec) {
    char err[1024];
    ssize_t n = readlink("/proc/self/exe", srv->self_exe, sizeof srv->self_exe - 1);
    srv->self_exe[n > 0 ? n : 0] = '\0';
    if (sv_build_programs(srv, spec, NULL) != 0) {
        return 1;
    }
    sv_tree_load(srv, spec);
    if (sv_control_open(srv, err, sizeof err) != 0) {
        sv_log("%s", err);
        return 1;
    }
    if (sv_metrics_open(srv, err, sizeof err) != 0) {
        sv_log("%s", err);
        return 1;
    }
    watch_signal(srv, &srv->sigchld, SIGCHLD);
    watch_signal(srv, &srv->sigterm, SIGTERM);
    watch_signal(srv, &srv->sigint, SIGINT);
    watch_signal(srv, &srv->sighup, SIGHUP);
    ev_init(&srv->wake, on_wake);
    srv->wake.data = srv;
    sv_upstream_init(srv);
    sv_log("%s: %zu process(es), %zu instance(s), %s, at most %d restarts within %.3gs; control "
           "socket %s",
           srv->spec.name, srv->spec.nprocs, srv->ninsts, sv_strategy_name(srv->spec.strategy),
           srv->spec.max_restarts, (double)srv->spec.within_ns / 1e9, srv->spec.control);
    sv_tree_pump(srv);
    ev_run(srv->loop, 0);
    sv_tree_reap(srv); /* nothing is left running; collect any last status */
    return srv->exit_code;
}

int sv_serve(const char *file, int check_only) {
    char err[1024];
    sv_spec spec;
    if (sv_spec_load(file, &spec, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    if (check_only) {
        printf("%s: ok (%zu processes)\n", spec.file, spec.nprocs);
        sv_spec_free(&spec);
        return 0;
    }
    keep_std_fds();
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_CHILD_SUBREAPER, 1); /* orphans of our children come back to us to be reaped */
    sv_server srv;
    memset(&srv, 0, sizeof srv);
    srv.control_fd = -1;
    srv.loop = ev_loop_new(EVFLAG_AUTO);
    srv.base_env = snapshot_env();
    srv.guard.fd = -1;
    int rc = 1;
    if (srv.loop && srv.base_env && make_statedir(&srv) == 0) {
        if (sv_guard_start(&srv.guard, srv.statedir) != 0) {
            sv_log("warning: no guard process (%s); a killed serve may leave grandchildren",
                   strerror(errno));
        }
        rc = run(&srv, &spec);
        sv_metrics_close(&srv);
        sv_control_close(&srv);
        sv_tree_free(&srv);
        sv_remove_tree(srv.statedir);
    }
    sv_guard_stop(&srv.guard);
    sv_spec_free(&spec);
    if (srv.report[0]) {
        sv_log("exiting with status %d: %s", rc, srv.report);
    }
    free(srv.base_env);
    if (srv.loop) {
        ev_loop_destroy(srv.loop);
    }
    return rc;
}
