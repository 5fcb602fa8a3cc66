/* `[serve] metrics = "127.0.0.1:9464"`: serve's /metrics, on serve's own loop (the same small
 * HTTP server a compiled program uses, runtime/metrics_http.h). A scrape reads serve's own
 * records and, for each running child, /proc/PID/stat; it allocates one text and blocks on
 * nothing. Families (labels name = the instance, "gateway-0", and process = its entry):
 *
 *   hale_serve_instance_up                       1 while its process runs
 *   hale_serve_instance_ready                    1 while it is ready (READY=1, or started)
 *   hale_serve_instance_restarts_total           restarts so far (what `hale ctl status` shows)
 *   hale_serve_instance_restarts_by_reason_total {reason: exit, signal, watchdog, ready_timeout,
 *                                                strategy, manual}; they add up to the above
 *   hale_serve_instance_uptime_seconds           since its process started (0 while down)
 *   hale_serve_instance_pid                      its pid (0 while down)
 *   hale_serve_instance_resident_memory_bytes    from /proc (running instances only)
 *   hale_serve_instance_cpu_seconds_total        from /proc, user + system (running only)
 *   hale_serve_instance_last_exit_status         the last exit as a shell shows it: the exit
 *                                                code, or 128 + the signal; -1 before any exit
 *   hale_serve_instance_last_exit_signal         the signal that ended it last, or 0
 *
 * and per deployment (label deployment = [serve] name): restarts within the intensity window
 * (hale_serve_restarts_in_window), its limit and length, instances and ready instances; and
 * serve's own process_* gauges. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "metrics_http.h"
#include "procstat.h"
#include "server.h"

static const char *const reason_names[SV_RR_COUNT] = {
    [SV_RR_EXIT] = "exit",         [SV_RR_SIGNAL] = "signal",
    [SV_RR_WATCHDOG] = "watchdog", [SV_RR_READY_TIMEOUT] = "ready_timeout",
    [SV_RR_STRATEGY] = "strategy", [SV_RR_MANUAL] = "manual",
};

const char *sv_restart_reason_name(sv_restart_reason why) {
    return (unsigned)why < SV_RR_COUNT ? reason_names[why] : "?";
}

void sv_count_restart(sv_inst *inst, sv_restart_reason why) {
    inst->restarts++;
    if ((unsigned)why < SV_RR_COUNT) {
        inst->restarts_by[why]++;
    }
}

/* ---- rendering ---- */

typedef enum {
    F_UP,
    F_READY,
    F_RESTARTS,
    F_UPTIME,
    F_PID,
    F_RSS,
    F_CPU,
    F_EXIT_STATUS,
    F_EXIT_SIGNAL,
    F_COUNT
} inst_family;

static const struct {
    const char *name, *type, *help;
} families[F_COUNT] = {
    [F_UP] = {"hale_serve_instance_up", "gauge", "1 while the instance's process runs."},
    [F_READY] = {"hale_serve_instance_ready", "gauge",
                 "1 while the instance is ready (READY=1, or started for ready = \"started\")."},
    [F_RESTARTS] = {"hale_serve_instance_restarts_total", "counter",
                    "Restarts of the instance since serve started."},
    [F_UPTIME] = {"hale_serve_instance_uptime_seconds", "gauge",
                  "Seconds since the instance's process started (0 while it is down)."},
    [F_PID] = {"hale_serve_instance_pid", "gauge", "The instance's process id (0 while down)."},
    [F_RSS] = {"hale_serve_instance_resident_memory_bytes", "gauge",
               "Resident memory of the instance's process, from /proc."},
    [F_CPU] = {"hale_serve_instance_cpu_seconds_total", "counter",
               "User and system CPU time of the instance's current process, from /proc."},
    [F_EXIT_STATUS] = {"hale_serve_instance_last_exit_status", "gauge",
                       "How the instance's process last ended: its exit code, or 128 + the "
                       "signal that killed it; -1 before it ever ended."},
    [F_EXIT_SIGNAL] = {"hale_serve_instance_last_exit_signal", "gauge",
                       "The signal that last killed the instance's process, or 0."},
};

typedef struct {
    hale_mtext *t;
    int64_t now;
} render_ctx;

static void inst_sample(render_ctx *r, const sv_inst *inst, inst_family f) {
    const char *name = families[f].name;
    int alive = sv_inst_alive(inst);
    int st = inst->last_status;
    switch (f) {
    case F_UP:
        hale_metric_int(r->t, name, alive, "name", inst->name, "process", inst->procname, NULL);
        return;
    case F_READY:
        hale_metric_int(r->t, name, alive && inst->state == I_READY, "name", inst->name, "process",
                        inst->procname, NULL);
        return;
    case F_RESTARTS:
        hale_metric_int(r->t, name, inst->restarts, "name", inst->name, "process", inst->procname,
                        NULL);
        return;
    case F_UPTIME:
        hale_metric_float(r->t, name, alive ? (double)(r->now - inst->started_ns) / 1e9 : 0.0,
                          "name", inst->name, "process", inst->procname, NULL);
        return;
    case F_PID:
        hale_metric_int(r->t, name, alive ? inst->pid : 0, "name", inst->name, "process",
                        inst->procname, NULL);
        return;
    case F_RSS:
    case F_CPU: {
        hale_procstat ps;
        if (alive && hale_procstat_read(inst->pid, &ps) == 0) {
            if (f == F_RSS) {
                hale_metric_int(r->t, name, ps.rss_bytes, "name", inst->name, "process",
                                inst->procname, NULL);
            } else {
                hale_metric_float(r->t, name, ps.cpu_seconds, "name", inst->name, "process",
                                  inst->procname, NULL);
            }
        }
        return;
    }
    case F_EXIT_STATUS:
        hale_metric_int(r->t, name,
                        st < 0            ? -1
                        : WIFEXITED(st)   ? WEXITSTATUS(st)
                        : WIFSIGNALED(st) ? 128 + WTERMSIG(st)
                                          : -1,
                        "name", inst->name, "process", inst->procname, NULL);
        return;
    case F_EXIT_SIGNAL:
        hale_metric_int(r->t, name, st >= 0 && WIFSIGNALED(st) ? WTERMSIG(st) : 0, "name",
                        inst->name, "process", inst->procname, NULL);
        return;
    case F_COUNT:
        return;
    }
}

static void each_inst(sv_server *srv, render_ctx *r, inst_family f) {
    for (size_t i = 0; i < srv->ninsts; i++) {
        inst_sample(r, srv->insts[i], f);
    }
    for (size_t i = 0; i < srv->nretiring; i++) {
        inst_sample(r, srv->retiring[i], f);
    }
}

static void restarts_by_reason(sv_server *srv, hale_mtext *t) {
    const char *name = "hale_serve_instance_restarts_by_reason_total";
    hale_metric_family(t, name, "counter",
                       "Restarts of the instance by reason: exit (it exited), signal (killed by a "
                       "signal serve did not send), watchdog, ready_timeout, strategy (a "
                       "sibling's failure took it down), manual (hale ctl restart).");
    for (size_t k = 0; k < srv->ninsts + srv->nretiring; k++) {
        const sv_inst *inst = k < srv->ninsts ? srv->insts[k] : srv->retiring[k - srv->ninsts];
        for (int why = 0; why < SV_RR_COUNT; why++) {
            hale_metric_int(t, name, inst->restarts_by[why], "name", inst->name, "process",
                            inst->procname, "reason", reason_names[why], NULL);
        }
    }
}

static void deployment(sv_server *srv, hale_mtext *t, int64_t now) {
    const char *d = srv->spec.name;
    size_t ready = 0;
    for (size_t i = 0; i < srv->ninsts; i++) {
        ready += sv_inst_alive(srv->insts[i]) && srv->insts[i]->state == I_READY;
    }
    hale_metric_family(t, "hale_serve_restarts_in_window", "gauge",
                       "Restarts within the intensity window now (more than max_restarts and "
                       "serve gives up).");
    hale_metric_int(t, "hale_serve_restarts_in_window", sv_intensity_count(&srv->intensity, now),
                    "deployment", d, NULL);
    hale_metric_family(t, "hale_serve_max_restarts", "gauge",
                       "Restarts allowed within the window ([serve] max_restarts).");
    hale_metric_int(t, "hale_serve_max_restarts", srv->spec.max_restarts, "deployment", d, NULL);
    hale_metric_family(t, "hale_serve_restart_window_seconds", "gauge",
                       "Length of the intensity window ([serve] within).");
    hale_metric_float(t, "hale_serve_restart_window_seconds", (double)srv->spec.within_ns / 1e9,
                      "deployment", d, NULL);
    hale_metric_family(t, "hale_serve_instances", "gauge", "Instances in the deployment.");
    hale_metric_int(t, "hale_serve_instances", (int64_t)srv->ninsts, "deployment", d, NULL);
    hale_metric_family(t, "hale_serve_instances_ready", "gauge", "Instances ready now.");
    hale_metric_int(t, "hale_serve_instances_ready", (int64_t)ready, "deployment", d, NULL);
}

static void serve_process(hale_mtext *t) {
    hale_procstat ps;
    if (hale_procstat_read(0, &ps) != 0) {
        return;
    }
    hale_metric_family(t, "process_resident_memory_bytes", "gauge", "Resident memory of serve.");
    hale_metric_int(t, "process_resident_memory_bytes", ps.rss_bytes, NULL);
    hale_metric_family(t, "process_cpu_seconds_total", "counter", "CPU time serve has used.");
    hale_metric_float(t, "process_cpu_seconds_total", ps.cpu_seconds, NULL);
    hale_metric_family(t, "process_start_time_seconds", "gauge",
                       "Start time of serve since the Unix epoch.");
    hale_metric_float(t, "process_start_time_seconds", ps.start_time, NULL);
}

static void render(hale_mtext *t, void *ctx) {
    sv_server *srv = ctx;
    render_ctx r = {t, sv_now_ns()};
    for (int f = 0; f < F_COUNT; f++) {
        hale_metric_family(t, families[f].name, families[f].type, families[f].help);
        each_inst(srv, &r, (inst_family)f);
        if (f == F_RESTARTS) {
            restarts_by_reason(srv, t);
        }
    }
    deployment(srv, t, r.now);
    serve_process(t);
}

/* ---- open and close ---- */

int sv_metrics_open(sv_server *srv, char *err, size_t errlen) {
    if (!srv->spec.metrics) {
        return 0;
    }
    srv->metrics = hale_mhttp_open(srv->loop, srv->spec.metrics, render, srv, err, errlen);
    if (!srv->metrics) {
        return -1;
    }
    sv_log("metrics on http://%s/metrics", hale_mhttp_address(srv->metrics));
    return 0;
}

void sv_metrics_close(sv_server *srv) {
    hale_mhttp_close(srv->metrics);
    srv->metrics = NULL;
}
