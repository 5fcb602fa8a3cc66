/* The supervision tree, OTP style. Instances are kept in start order (`after` first, replicas in
 * turn). sv_tree_pump is the one place that decides what to do next: stop retired instances,
 * drain on shutdown, take down the instances a strategy restarts (last started first, one at a
 * time), then start every waiting instance whose backoff is over and whose `after` processes
 * are ready. Everything else only records what happened and calls the pump. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "duration.h"
#include "server.h"

static void *grow(void *p, size_t n, size_t size) {
    void *q = realloc(p, (n ? n : 1) * size);
    if (!q) {
        perror("hale serve");
        abort();
    }
    return q;
}

/* ---- building the instance list -------------------------------------------------------- */

static void compute_deps(sv_server *srv) {
    for (size_t i = 0; i < srv->ninsts; i++) {
        sv_inst *inst = srv->insts[i];
        inst->index = i;
        free(inst->deps);
        inst->deps = NULL;
        inst->ndeps = 0;
        const sv_proc *p = inst->proc;
        for (size_t a = 0; a < p->nafter; a++) {
            for (size_t j = 0; j < srv->ninsts; j++) {
                if (strcmp(srv->insts[j]->proc->name, p->after[a]) == 0) {
                    inst->deps = grow(inst->deps, inst->ndeps + 1, sizeof *inst->deps);
                    inst->deps[inst->ndeps++] = srv->insts[j];
                }
            }
        }
    }
}

static void add_instances(sv_server *srv, const sv_proc *p) {
    srv->insts = grow(srv->insts, srv->ninsts + (size_t)p->replicas, sizeof *srv->insts);
    for (int r = 0; r < p->replicas; r++) {
        srv->insts[srv->ninsts++] = sv_inst_new(srv, p, r);
    }
}

int sv_tree_load(sv_server *srv, sv_spec *spec) {
    srv->spec = *spec;
    memset(spec, 0, sizeof *spec);
    for (size_t i = 0; i < srv->spec.nprocs; i++) {
        add_instances(srv, &srv->spec.procs[i]);
    }
    compute_deps(srv);
    sv_intensity_init(&srv->intensity, (unsigned)srv->spec.max_restarts, srv->spec.within_ns);
    return 0;
}

void sv_tree_free(sv_server *srv) {
    for (size_t i = 0; i < srv->ninsts; i++) {
        sv_inst_free(srv->insts[i]);
    }
    for (size_t i = 0; i < srv->nretiring; i++) {
        sv_inst_free(srv->retiring[i]);
    }
    free(srv->insts);
    free(srv->retiring);
    srv->insts = srv->retiring = NULL;
    srv->ninsts = srv->nretiring = 0;
    sv_spec_free(&srv->spec);
}

/* ---- the pump -------------------------------------------------------------------------- */

static int deps_ready(const sv_inst *inst) {
    for (size_t i = 0; i < inst->ndeps; i++) {
        if (inst->deps[i]->state != I_READY && inst->deps[i]->state != I_EXITED) {
            return 0;
        }
    }
    return 1;
}

/* Retired instances stop last-first, one at a time, and are freed once reaped. */
static void pump_retiring(sv_server *srv) {
    size_t kept = 0;
    for (size_t i = 0; i < srv->nretiring; i++) {
        if (sv_inst_alive(srv->retiring[i])) {
            srv->retiring[kept++] = srv->retiring[i];
        } else {
            sv_inst_free(srv->retiring[i]);
        }
    }
    srv->nretiring = kept;
    for (size_t i = kept; i-- > 0;) {
        if (srv->retiring[i]->term_sent) {
            return;
        }
    }
    if (kept > 0) {
        sv_inst_stop(srv->retiring[kept - 1], STOP_RETIRE);
    }
}

/* Stops the last started alive instance among all (shutdown) or among those a restart takes
 * down, unless one of them is already stopping. Returns 1 while any of them is alive. */
static int stop_last_first(sv_server *srv, int shutdown_all, sv_stop_reason why) {
    sv_inst *last = NULL;
    for (size_t i = srv->ninsts; i-- > 0;) {
        sv_inst *inst = srv->insts[i];
        if (!sv_inst_alive(inst) || (!shutdown_all && inst->stop_reason != STOP_RESTART)) {
            continue;
        }
        if (inst->term_sent) {
            return 1; /* one at a time */
        }
        if (!last) {
            last = inst;
        }
    }
    if (last) {
        sv_inst_stop(last, why);
        return 1;
    }
    return 0;
}

/* A changed process starts anew only once its old instances are gone. */
static int retiring_alive(const sv_server *srv, const char *procname) {
    for (size_t i = 0; i < srv->nretiring; i++) {
        if (strcmp(srv->retiring[i]->procname, procname) == 0) {
            return 1;
        }
    }
    return 0;
}

static void report_progress(sv_server *srv) {
    size_t ready = 0, up = 0;
    for (size_t i = 0; i < srv->ninsts; i++) {
        sv_istate s = srv->insts[i]->state;
        ready += s == I_READY;
        up += s == I_READY || s == I_EXITED;
    }
    if (srv->shutting_down) {
        return;
    }
    /* What `systemctl status` shows: the deployment, and the first few that are not ready. */
    char others[120] = "";
    size_t used = 0, listed = 0;
    int64_t now = sv_now_ns();
    for (size_t i = 0; i < srv->ninsts && listed < 3; i++) {
        const sv_inst *inst = srv->insts[i];
        if (inst->state != I_READY && inst->state != I_EXITED && used < sizeof others) {
            int w = snprintf(others + used, sizeof others - used, "%s%s %s", listed ? ", " : "; ",
                             inst->name, sv_state_name(inst, now));
            used += w > 0 ? (size_t)w : 0;
            listed++;
        }
    }
    if (up == srv->ninsts && !srv->reported_ready) {
        sv_log("all %zu instances of %s are up", srv->ninsts, srv->spec.name);
        sv_upstream_ready(srv); /* with the status below in the same message */
    }
    sv_upstream_status(srv, "%s: %zu of %zu instances ready%s", srv->spec.name, ready, srv->ninsts,
                       others);
}

static void pump_starts(sv_server *srv) {
    int64_t now = sv_now_ns(), wake = INT64_MAX;
    for (size_t i = 0; i < srv->ninsts && !srv->shutting_down; i++) {
        sv_inst *inst = srv->insts[i];
        if (inst->state != I_WAITING || !deps_ready(inst) || retiring_alive(srv, inst->procname)) {
            continue;
        }
        if (inst->not_before_ns > now) {
            wake = inst->not_before_ns < wake ? inst->not_before_ns : wake;
            continue;
        }
        sv_inst_start(inst);
    }
    ev_timer_stop(srv->loop, &srv->wake);
    if (wake != INT64_MAX && !srv->shutting_down) {
        ev_timer_set(&srv->wake, (double)(wake - now) / 1e9, 0);
        ev_timer_start(srv->loop, &srv->wake);
    }
}

static void pump_once(sv_server *srv) {
    pump_retiring(srv);
    if (srv->shutting_down) {
        if (!stop_last_first(srv, 1, STOP_SHUTDOWN) && srv->nretiring == 0) {
            ev_break(srv->loop, EVBREAK_ALL);
        }
        return;
    }
    if (stop_last_first(srv, 0, STOP_RESTART)) {
        return; /* a strategy restart is taking instances down: start nothing yet */
    }
    pump_starts(srv);
    report_progress(srv);
}

void sv_tree_pump(sv_server *srv) {
    if (srv->pumping) {
        srv->repump = 1; /* called from inside the pump (a start that failed at once) */
        return;
    }
    srv->pumping = 1;
    do {
        srv->repump = 0;
        pump_once(srv);
    } while (srv->repump);
    srv->pumping = 0;
}

/* ---- exits and restarts ---------------------------------------------------------------- */

static int is_done_temporary(const sv_inst *inst) {
    return inst->proc->restart == SV_TEMPORARY &&
           (inst->state == I_EXITED || inst->state == I_FAILED);
}

/* Marks `inst` and the instances its strategy takes with it for a restart at `at`. */
static void schedule_restart(sv_server *srv, sv_inst *inst, int64_t at) {
    for (size_t i = 0; i < srv->ninsts; i++) {
        sv_inst *o = srv->insts[i];
        int taken = o == inst || (srv->spec.strategy == SV_ONE_FOR_ALL) ||
                    (srv->spec.strategy == SV_REST_FOR_ONE && o->index > inst->index);
        if (!taken || (o != inst && is_done_temporary(o))) {
            continue;
        }
        o->not_before_ns = at;
        if (o != inst && o->proc->restart != SV_TEMPORARY) {
            sv_count_restart(o, SV_RR_STRATEGY);
        }
        if (sv_inst_alive(o)) {
            if (o->stop_reason == STOP_NONE) {
                o->stop_reason = STOP_RESTART;
            }
        } else if (o->proc->restart != SV_TEMPORARY || o == inst) {
            o->state = I_WAITING;
        }
    }
}

static void give_up(sv_server *srv, sv_inst *inst, const char *how) {
    char within[32];
    cfg_duration_format(srv->spec.within_ns, within, sizeof within);
    snprintf(srv->report, sizeof srv->report,
             "%s %s; that is more than max_restarts = %d restarts within %s", inst->name, how,
             srv->spec.max_restarts, within);
    inst->state = I_FAILED;
    sv_log("giving up: %s", srv->report);
    sv_tree_shutdown(srv, 1);
}

/* Why an instance that ended on its own (or that serve failed) is restarted. */
static sv_restart_reason restart_reason(const sv_inst *inst, sv_stop_reason why, int status) {
    if (why == STOP_FAILED) {
        return inst->failed_by == SV_FAIL_READY_TIMEOUT ? SV_RR_READY_TIMEOUT : SV_RR_WATCHDOG;
    }
    return WIFSIGNALED(status) ? SV_RR_SIGNAL : SV_RR_EXIT;
}

void sv_tree_exited(sv_server *srv, sv_inst *inst, int status) {
    char how[160];
    sv_describe_status(status, how, sizeof how);
    if (inst->failure[0]) {
        size_t n = strlen(how);
        snprintf(how + n, sizeof how - n, " after it %s", inst->failure);
    }
    sv_stop_reason why = inst->stop_reason;
    inst->stop_reason = STOP_NONE;
    if (srv->shutting_down || why == STOP_SHUTDOWN || why == STOP_RETIRE) {
        inst->state = I_EXITED;
        sv_log("%s stopped (%s)", inst->name, how);
        sv_tree_pump(srv);
        return;
    }
    if (why == STOP_RESTART && inst->proc->restart == SV_TEMPORARY && !inst->manual) {
        /* OTP: a strategy takes temporary siblings down but never starts them again. */
        inst->state = I_EXITED;
        sv_log("%s stopped by a %s restart (%s); not restarted (restart = \"temporary\")",
               inst->name, sv_strategy_name(srv->spec.strategy), how);
        sv_tree_pump(srv);
        return;
    }
    if (why == STOP_RESTART) {
        inst->manual = 0;
        inst->state = I_WAITING;
        sv_log("%s stopped for a restart (%s)", inst->name, how);
        sv_tree_pump(srv);
        return;
    }
    int normal = why != STOP_FAILED && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    sv_restart r = inst->proc->restart;
    if (r == SV_TEMPORARY || (r == SV_TRANSIENT && normal)) {
        inst->state = normal ? I_EXITED : I_FAILED;
        sv_log("%s %s; not restarted (restart = \"%s\")", inst->name, how,
               r == SV_TEMPORARY ? "temporary" : "transient");
        sv_tree_pump(srv);
        return;
    }
    int64_t now = sv_now_ns();
    if (!sv_intensity_record(&srv->intensity, now)) {
        give_up(srv, inst, how);
        return;
    }
    if (now - inst->started_ns >= srv->spec.max_backoff_ns) {
        inst->attempt = 0; /* it ran long enough: start the doubling over */
    }
    int64_t delay = sv_backoff_delay(srv->spec.backoff_ns, srv->spec.max_backoff_ns, inst->attempt);
    inst->attempt++;
    sv_count_restart(inst, restart_reason(inst, why, status));
    char d[32];
    cfg_duration_format(delay, d, sizeof d);
    sv_log("%s %s; restarting in %s (%s)", inst->name, how, d,
           sv_strategy_name(srv->spec.strategy));
    schedule_restart(srv, inst, now + delay);
    sv_tree_pump(srv);
}

void sv_tree_reap(sv_server *srv) {
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (size_t i = 0; i < srv->ninsts; i++) {
            if (srv->insts[i]->pid == pid) {
                sv_inst_reaped(srv->insts[i], status);
                sv_tree_exited(srv, srv->insts[i], status);
                break;
            }
        }
        for (size_t i = 0; i < srv->nretiring; i++) {
            if (srv->retiring[i]->pid == pid) {
                char how[96];
                sv_describe_status(status, how, sizeof how);
                sv_inst_reaped(srv->retiring[i], status);
                sv_log("%s stopped (%s)", srv->retiring[i]->name, how);
                break;
            }
        }
        /* Anything else was orphaned by one of ours (serve is a subreaper): reaped, done. */
    }
    sv_tree_pump(srv);
}

void sv_tree_shutdown(sv_server *srv, int exit_code) {
    if (srv->shutting_down) {
        /* Asked again while draining: stop waiting for anyone. */
        sv_log("stopping now: killing what is left");
        for (size_t i = 0; i < srv->ninsts; i++) {
            if (sv_inst_alive(srv->insts[i])) {
                kill(-srv->insts[i]->pid, SIGKILL);
            }
        }
        return;
    }
    srv->shutting_down = 1;
    srv->exit_code = exit_code;
    ev_timer_stop(srv->loop, &srv->wake);
    sv_upstream_stopping(srv);
    sv_log("stopping %s: draining in reverse start order", srv->spec.name);
    sv_tree_pump(srv);
}

int sv_tree_restart(sv_server *srv, const char *name) {
    int n = 0;
    int64_t now = sv_now_ns();
    for (size_t i = 0; i < srv->ninsts && !srv->shutting_down; i++) {
        sv_inst *inst = srv->insts[i];
        if (strcmp(inst->name, name) != 0 && strcmp(inst->proc->name, name) != 0) {
            continue;
        }
        n++;
        inst->attempt = 0;
        sv_count_restart(inst, SV_RR_MANUAL);
        inst->not_before_ns = now;
        if (sv_inst_alive(inst)) {
            inst->stop_reason = STOP_RESTART;
            inst->manual = 1;
        } else {
            inst->state = I_WAITING;
        }
        sv_log("%s: restart requested", inst->name);
    }
    sv_tree_pump(srv);
    return n;
}

/* ---- reload ---------------------------------------------------------------------------- */

static void retire(sv_server *srv, sv_inst *inst) {
    inst->proc = NULL;
    if (!sv_inst_alive(inst)) {
        sv_inst_free(inst);
        return;
    }
    srv->retiring = grow(srv->retiring, srv->nretiring + 1, sizeof *srv->retiring);
    srv->retiring[srv->nretiring++] = inst;
}

/* Moves the instances of `fresh` processes that did not change over to the new spec, makes new
 * ones for the rest, and retires those whose process changed or went away. */
static void apply(sv_server *srv, sv_spec *fresh) {
    sv_inst **old = srv->insts;
    size_t nold = srv->ninsts;
    int kept = 0, added = 0, changed = 0, removed = 0;
    srv->insts = NULL;
    srv->ninsts = 0;
    for (size_t p = 0; p < fresh->nprocs; p++) {
        const sv_proc *np = &fresh->procs[p];
        const sv_proc *op = sv_spec_find(&srv->spec, np->name);
        if (op && sv_proc_equal(op, np)) {
            kept++;
            srv->insts = grow(srv->insts, srv->ninsts + (size_t)np->replicas, sizeof *old);
            for (size_t i = 0; i < nold; i++) {
                if (old[i] && old[i]->proc == op) {
                    old[i]->proc = np;
                    srv->insts[srv->ninsts++] = old[i];
                    old[i] = NULL;
                }
            }
        } else {
            op ? changed++ : added++;
            add_instances(srv, np);
        }
    }
    for (size_t i = 0; i < nold; i++) {
        if (old[i]) {
            retire(srv, old[i]); /* in start order: pump_retiring stops the last first */
        }
    }
    free(old);
    for (size_t p = 0; p < srv->spec.nprocs; p++) {
        removed += sv_spec_find(fresh, srv->spec.procs[p].name) == NULL;
    }
    sv_log("reloaded %s: %d unchanged, %d changed, %d added, %d removed process(es)", fresh->file,
           kept, changed, added, removed);
}

void sv_tree_reload(sv_server *srv) {
    char err[1024];
    sv_spec fresh;
    if (srv->shutting_down) {
        return;
    }
    if (sv_spec_load(srv->spec.file, &fresh, err, sizeof err) != 0) {
        sv_log("reload failed, keeping the running configuration: %s", err);
        return;
    }
    if (sv_build_programs(srv, &fresh, &srv->spec) != 0) {
        sv_log("reload failed, keeping the running configuration");
        sv_spec_free(&fresh);
        return;
    }
    if (strcmp(fresh.control, srv->spec.control) != 0) {
        sv_log("note: the control socket stays %s until serve restarts", srv->spec.control);
    }
    if (!fresh.metrics != !srv->spec.metrics ||
        (fresh.metrics && strcmp(fresh.metrics, srv->spec.metrics) != 0)) {
        sv_log("note: metrics stay %s until serve restarts",
               srv->spec.metrics ? srv->spec.metrics : "off");
    }
    apply(srv, &fresh);
    if (fresh.max_restarts != srv->spec.max_restarts || fresh.within_ns != srv->spec.within_ns) {
        sv_intensity_init(&srv->intensity, (unsigned)fresh.max_restarts, fresh.within_ns);
    }
    char *control = srv->spec.control, *metrics = srv->spec.metrics;
    srv->spec.control = srv->spec.metrics = NULL;
    sv_spec_free(&srv->spec);
    free(fresh.control);
    free(fresh.metrics);
    fresh.control = control;
    fresh.metrics = metrics; /* the running endpoint's */
    srv->spec = fresh;
    compute_deps(srv);
    sv_tree_pump(srv);
}
