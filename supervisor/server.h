/* The running supervisor, shared by the files that make up `hale serve` (internal header).
 *
 *   inst.c     one instance: spawn, readiness, watchdog, output, stop, reap
 *   tree.c     the tree: start order, restart strategies, intensity, drain, reload
 *   control.c  the owner-only control socket `hale ctl` talks to
 *   upstream.c reports to systemd when serve runs under it
 *   build.c    building `program = "x.hl"` entries with `hale build`
 *
 * Everything runs on one libev loop on the main thread: no locks, and no callback blocks except
 * a build during SIGHUP. */
#ifndef HALE_SUPERVISOR_SERVER_H
#define HALE_SUPERVISOR_SERVER_H

#include <ev.h>
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "backoff.h"
#include "orphan_guard.h"
#include "output.h"
#include "spec.h"

typedef enum {
    I_WAITING,  /* not running: waiting for `after`, or for its backoff (not_before) */
    I_STARTING, /* running, waiting for READY=1 */
    I_READY,    /* running and ready */
    I_STOPPING, /* running, asked to stop (or said STOPPING=1) */
    I_EXITED,   /* ended normally and stays down (transient/temporary) */
    I_FAILED,   /* ended abnormally and stays down (temporary), or the tree gave up */
} sv_istate;

/* Why serve is stopping an instance; decides what its exit means. */
typedef enum {
    STOP_NONE,
    STOP_SHUTDOWN, /* serve is draining */
    STOP_RESTART,  /* a strategy or `hale ctl restart` takes it down to start it again */
    STOP_FAILED,   /* ready timeout or watchdog: counts as an abnormal exit */
    STOP_RETIRE,   /* removed or changed by a reload */
} sv_stop_reason;

/* Why an instance was restarted, for the restart counters by reason (metrics.c). */
typedef enum {
    SV_RR_EXIT,          /* it exited (any status) */
    SV_RR_SIGNAL,        /* it was killed by a signal serve did not send */
    SV_RR_WATCHDOG,      /* it missed its watchdog (or asked with WATCHDOG=trigger) */
    SV_RR_READY_TIMEOUT, /* it did not report READY=1 in time */
    SV_RR_STRATEGY,      /* a sibling's failure took it down (one_for_all, rest_for_one) */
    SV_RR_MANUAL,        /* `hale ctl restart` */
    SV_RR_COUNT
} sv_restart_reason;

/* What serve failed an instance for (set with inst->failure). */
typedef enum { SV_FAIL_NONE, SV_FAIL_WATCHDOG, SV_FAIL_READY_TIMEOUT } sv_fail_kind;

typedef struct sv_server sv_server;
typedef struct sv_inst sv_inst;
struct hale_mhttp;

typedef struct {
    sv_inst *inst;
    int fd; /* read end, -1 when closed */
    int out_fd;
    ev_io w;
    sv_linebuf lines;
} sv_pipe;

struct sv_inst {
    sv_server *srv;
    const sv_proc *proc; /* NULL once retired */
    char name[80];       /* "api-0" */
    char procname[72];   /* "api" */
    int replica;
    unsigned id;    /* unique for the server's life; names the notify socket */
    size_t index;   /* position in start order */
    sv_inst **deps; /* instances of the processes named in `after` */
    size_t ndeps;

    sv_istate state;
    pid_t pid; /* 0 when not running */
    sv_stop_reason stop_reason;
    int manual; /* the restart under way was asked for with `hale ctl restart` */
    int term_sent;
    int64_t started_ns;
    int64_t not_before_ns;
    int64_t stop_timeout_ns;
    int64_t watchdog_ns;
    unsigned attempt;  /* consecutive restarts, for the backoff */
    unsigned restarts; /* restarts so far, for status */
    int last_status;   /* wait status of the last exit, -1 before any */
    char failure[96];  /* why serve failed it: "did not report READY=1 within 2s" */
    char status[160];  /* the child's last STATUS= */

    unsigned restarts_by[SV_RR_COUNT]; /* restarts by reason (they add up to restarts) */
    sv_fail_kind failed_by;            /* what `failure` says, for the reason */

    int notify_fd;
    char notify_path[108];
    ev_io notify_w;
    ev_timer timer;    /* ready timeout, or the stop_timeout before SIGKILL */
    ev_timer watchdog; /* no WATCHDOG=1 within watchdog_ns: fail it */
    sv_pipe out, err;
};

struct sv_server {
    struct ev_loop *loop;
    sv_spec spec;
    sv_inst **insts; /* start order */
    size_t ninsts;
    sv_inst **retiring; /* removed by a reload, stopping */
    size_t nretiring;
    unsigned next_id;
    unsigned next_build;
    sv_intensity intensity;

    int pumping, repump;
    int shutting_down;
    int exit_code;
    char report[512]; /* why the tree gave up, for the exit report */

    char statedir[PATH_MAX]; /* private 0700 directory: notify sockets, built programs */
    char self_exe[PATH_MAX]; /* this `hale`, for `hale build` */
    char **base_env;         /* serve's environment minus the variables serve sets per child */

    ev_signal sigchld, sigterm, sigint, sighup;
    ev_timer wake; /* the next backoff that ends */

    int control_fd;
    ev_io control_w;
    struct hale_mhttp *metrics; /* [serve] metrics, or NULL */
    sv_guard guard;

    int upstream; /* NOTIFY_SOCKET was given to serve */
    int reported_ready;
    int ready_pending; /* READY=1 waits to go out with the next STATUS= */
    char upstream_status[200];
    ev_timer upstream_watchdog;
};

int64_t sv_now_ns(void);
/* "hale serve: ..." on stderr. */
void sv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "exited with status 1", "killed by signal 9 (SIGKILL)". */
void sv_describe_status(int status, char *out, size_t n);
/* "12s", "3m04s", "2h01m". */
void sv_format_uptime(int64_t ns, char *out, size_t n);
const char *sv_state_name(const sv_inst *inst, int64_t now);

/* inst.c */
sv_inst *sv_inst_new(sv_server *srv, const sv_proc *proc, int replica);
void sv_inst_free(sv_inst *inst);
int sv_inst_alive(const sv_inst *inst);
void sv_inst_start(sv_inst *inst);
/* Sends SIGTERM to the instance's group and arms the SIGKILL timer (no-op if already sent). */
void sv_inst_stop(sv_inst *inst, sv_stop_reason why);
/* Reaping: records the status, cleans up the group, pipes and timers. */
void sv_inst_reaped(sv_inst *inst, int status);

/* tree.c */
int sv_tree_load(sv_server *srv, sv_spec *spec); /* takes the spec; builds instances */
void sv_tree_pump(sv_server *srv);               /* starts and stops whatever is due */
void sv_tree_exited(sv_server *srv, sv_inst *inst, int status);
void sv_tree_failed(sv_server *srv, sv_inst *inst); /* ready timeout, watchdog */
void sv_tree_shutdown(sv_server *srv, int exit_code);
int sv_tree_restart(sv_server *srv, const char *name); /* ctl restart; count of instances */
void sv_tree_reload(sv_server *srv);
void sv_tree_reap(sv_server *srv);
void sv_tree_free(sv_server *srv);

/* control.c */
int sv_control_open(sv_server *srv, char *err, size_t errlen);
void sv_control_close(sv_server *srv);

/* metrics.c: the /metrics endpoint on serve's loop ([serve] metrics), and restart accounting */
int sv_metrics_open(sv_server *srv, char *err, size_t errlen); /* 0 also when not asked for */
void sv_metrics_close(sv_server *srv);
void sv_count_restart(sv_inst *inst, sv_restart_reason why); /* restarts and restarts_by */
const char *sv_restart_reason_name(sv_restart_reason why);

/* upstream.c */
void sv_upstream_init(sv_server *srv);
void sv_upstream_status(sv_server *srv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sv_upstream_ready(sv_server *srv); /* sent with the next sv_upstream_status */
void sv_upstream_stopping(sv_server *srv);

/* build.c: builds every program entry of `spec` into statedir; fills their argv. */
int sv_build_programs(sv_server *srv, sv_spec *spec, const sv_spec *previous);

#endif
