/* See locus.h. This file: supervision. A broken closure, a `violate` or a runtime fault inside a
 * locus becomes a hale_violation routed up the tree: the parent whose `on_failure` takes the
 * failing child's type decides (absorb, restart, restart in place, quarantine, dissolve, or
 * bubble, which makes the failure the parent's own and goes on upwards); a parent without such a
 * handler bubbles by default. Past the root the program ends with a report.
 *
 * A decision about a locus whose birth or run is on the stack is left for its driver (locus.c),
 * which carries it out once that hook has been left; the hook is left at once when the decision
 * needs it (restart, quarantine, dissolve). A decision about any other locus is carried out
 * right away, without giving back memory that code still on the stack may use. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "fault.h"
#include "io.h"
#include "locus_impl.h"
#include "scheduler.h"
#include "std.h"

/* ---- restart intensity ---- */

static struct {
    int max;
    int64_t within_ns;
    hale_exceeded exceeded;
    int set;
} intensity = {2, 0, HALE_EXCEEDED_DISSOLVE, 0};

void hale_locus_set_intensity(int max, int64_t within_ns, hale_exceeded exceeded) {
    intensity.max = max < 0 ? 0 : max;
    intensity.within_ns = within_ns < 0 ? 0 : within_ns;
    intensity.exceeded = exceeded;
    intensity.set = 1;
}

/* "N" or "N/DURATION" with DURATION as config files write it (500ms, 10s, 1h30m: duration.h). */
static int parse_intensity(const char *s, int *max, int64_t *within) {
    char *end;
    long n = strtol(s, &end, 10);
    if (end == s || n < 0 || n > 1000000) {
        return -1;
    }
    *max = (int)n;
    *within = 0;
    if (*end == 0) {
        return 0;
    }
    if (*end != '/') {
        return -1;
    }
    return cfg_duration_parse(end + 1, strlen(end + 1), within, NULL, 0);
}

void hale_locus_intensity_boot(void) {
    if (intensity.set) {
        return;
    }
    const char *s = getenv("HALE_RESTART_INTENSITY");
    if (s && *s) {
        int max;
        int64_t within;
        if (parse_intensity(s, &max, &within) == 0) {
            intensity.max = max;
            intensity.within_ns = within;
        } else {
            fprintf(stderr, "hale: ignoring HALE_RESTART_INTENSITY=%s (want N or N/DURATION)\n", s);
        }
    }
    const char *e = getenv("HALE_RESTART_EXCEEDED");
    if (e && *e) {
        if (strcmp(e, "dissolve") == 0) {
            intensity.exceeded = HALE_EXCEEDED_DISSOLVE;
        } else if (strcmp(e, "absorb") == 0) {
            intensity.exceeded = HALE_EXCEEDED_ABSORB;
        } else if (strcmp(e, "bubble") == 0) {
            intensity.exceeded = HALE_EXCEEDED_BUBBLE;
        } else {
            fprintf(stderr,
                    "hale: ignoring HALE_RESTART_EXCEEDED=%s (want dissolve, absorb or bubble)\n",
                    e);
        }
    }
}

hale_exceeded hale_locus_exceeded(void) {
    return intensity.exceeded;
}

/* Counts a restart of `l`; 0 when it would pass the intensity limit. */
int hale_locus_restart_allowed(hale_locus *l) {
    int64_t now = hale_time_monotonic();
    if (intensity.within_ns > 0 && now - l->window_start > intensity.within_ns) {
        l->window_start = now;
        l->restarts = 0;
    }
    if (l->restarts >= intensity.max) {
        return 0;
    }
    if (l->restarts == 0) {
        l->window_start = now;
    }
    l->restarts++;
    return 1;
}

/* ---- paths and reports ---- */

void hale_locus_path(hale_locus *l, hale_sbuf *b) {
    hale_locus *chain[64];
    int n = 0;
    hale_locus *root = hale_locus_root();
    for (hale_locus *p = l; p && p != root && n < 64; p = p->parent) {
        chain[n++] = p;
    }
    for (int i = n - 1; i >= 0; i--) {
        if (i != n - 1) {
            hale_sbuf_put(b, "/", 1);
        }
        if (chain[i]->label) {
            hale_sbuf_puts(b, chain[i]->label);
            hale_sbuf_put(b, "(", 1);
            hale_sbuf_puts(b, chain[i]->type->name);
            hale_sbuf_put(b, ")", 1);
        } else {
            hale_sbuf_puts(b, chain[i]->type->name);
        }
    }
}

static hale_str cstr(const char *s) {
    return (hale_str){s ? s : "", s ? (int64_t)strlen(s) : 0};
}

static HALE_NORETURN void root_failure(const hale_violation *v) {
    hale_out_flush();
    fprintf(stderr, "hale: unhandled failure in %.*s\n", (int)v->path.len, v->path.ptr);
    if (v->closure.len) {
        fprintf(stderr, "  closure `%.*s` broke (epoch %.*s)", (int)v->closure.len, v->closure.ptr,
                (int)v->epoch.len, v->epoch.ptr);
        if (v->has_values) {
            fprintf(stderr, ": %g ~~ %g within %g (diff %g)", v->left, v->right, v->tolerance,
                    v->diff);
        }
        fputc('\n', stderr);
    }
    if (v->captures.len) {
        fprintf(stderr, "  captured: %.*s\n", (int)v->captures.len, v->captures.ptr);
    }
    if (v->message.len) {
        fprintf(stderr, "  %.*s\n", (int)v->message.len, v->message.ptr);
    }
    fflush(stderr);
    exit(HALE_EXIT_FAILURE);
}

/* ---- routing ---- */

enum { ACT_ABSORB, ACT_RESTART, ACT_RESTART_IN_PLACE, ACT_QUARANTINE, ACT_DISSOLVE };

typedef struct fail_ctx {
    hale_locus *parent;
    hale_locus *child;
    const hale_violation *err;
    int action;
    int64_t quarantine_ns;
    int bubble;
    struct fail_ctx *up;
} fail_ctx;

static _Thread_local fail_ctx *tls_fail;

static void call_failure(void *p) {
    fail_ctx *f = p;
    hale_scratch *s = hale_scratch_current();
    f->parent->type->on_failure(hale_scratch_side(s, 1), hale_scratch_side(s, 0), f->parent,
                                f->child, f->err);
}

static fail_ctx *current(hale_locus *child) {
    fail_ctx *f = tls_fail;
    return f && f->child == child ? f : NULL;
}

void hale_locus_restart(hale_locus *child) {
    fail_ctx *f = current(child);
    if (f) {
        f->action = ACT_RESTART;
    }
}

void hale_locus_restart_in_place(hale_locus *child) {
    fail_ctx *f = current(child);
    if (f) {
        f->action = ACT_RESTART_IN_PLACE;
    }
}

void hale_locus_quarantine(hale_locus *child, int64_t for_ns) {
    fail_ctx *f = current(child);
    if (f) {
        f->action = ACT_QUARANTINE;
        f->quarantine_ns = for_ns;
    }
}

void hale_locus_dissolve_child(hale_locus *child) {
    fail_ctx *f = current(child);
    if (f) {
        f->action = ACT_DISSOLVE;
    }
}

void hale_locus_bubble(void) {
    if (tls_fail) {
        tls_fail->bubble = 1;
    }
}

/* Turns the handler's answer into the child's pending recovery; returns 1 when the failure goes
 * on upwards instead. */
static int decide(hale_locus *l, fail_ctx *f) {
    int act = f->action;
    if (act == ACT_ABSORB || (l->flags & LF_DISSOLVED)) {
        return 0; /* absorbed; a locus already gone cannot be recovered */
    }
    if (act == ACT_RESTART || act == ACT_RESTART_IN_PLACE) {
        if (!hale_locus_restart_allowed(l)) {
            switch (intensity.exceeded) {
            case HALE_EXCEEDED_ABSORB:
                return 0;
            case HALE_EXCEEDED_BUBBLE:
                return 1;
            default:
                act = ACT_DISSOLVE;
            }
        }
    }
    static const uint8_t pend[] = {PEND_NONE, PEND_RESTART, PEND_RESTART_IN_PLACE, PEND_QUARANTINE,
                                   PEND_DISSOLVE};
    l->pending = pend[act];
    l->quarantine_ns = f->quarantine_ns;
    if (l->driven) {
        l->flags |= LF_STOP;
    } else {
        hale_locus_apply_pending_now(l);
    }
    return 0;
}

/* The parent's on_failure, on the parent's own pool (a placed child's parent lives elsewhere). */
static void run_failure(void *p) {
    fail_ctx *f = p;
    f->up = tls_fail;
    tls_fail = f;
    hale_locus_framed(f->parent, FR_HOOK, call_failure, f);
    tls_fail = f->up;
}

typedef struct {
    hale_locus *l;
    fail_ctx *f;
    int up;
} decide_arg;

static void run_decide(void *p) {
    decide_arg *d = p;
    d->up = decide(d->l, d->f);
}

void hale_locus_route(hale_locus *l, hale_violation *v) {
    hale_locus *root = hale_locus_root();
    for (;;) {
        hale_locus *p = l->parent;
        if (!p || p == root) {
            root_failure(v);
        }
        if (p->type->on_failure && p->type->failure_child == l->type) {
            fail_ctx f = {.parent = p, .child = l, .err = v, .quarantine_ns = -1};
            hale_place_call(hale_locus_pool(p), run_failure, &f);
            if (!f.bubble) {
                /* the recovery is carried out where the child runs */
                decide_arg d = {l, &f, 0};
                hale_place_call(hale_locus_pool(l), run_decide, &d);
                if (!d.up) {
                    return;
                }
            }
        }
        l = p; /* bubbled (or no handler: the default is to bubble) */
    }
}

static void build(hale_violation *v, hale_locus *l, const char *closure, const char *epoch,
                  hale_sbuf *path) {
    memset(v, 0, sizeof *v);
    v->locus = cstr(l->type->name);
    v->closure = cstr(closure);
    v->epoch = cstr(epoch);
    hale_locus_path(l, path);
    v->path = hale_sbuf_view(path);
}

static const char *epoch_name(unsigned e) {
    switch (e) {
    case HALE_EPOCH_BIRTH:
        return "birth";
    case HALE_EPOCH_TICK:
        return "tick";
    case HALE_EPOCH_DURATION:
        return "duration";
    case HALE_EPOCH_DISSOLVE:
        return "dissolve";
    case HALE_EPOCH_EXPLICIT:
        return "explicit";
    default:
        return "inline";
    }
}

static void report(hale_locus *l, const hale_closure_report *r) {
    hale_sbuf path = {0};
    hale_violation v;
    build(&v, l, r->closure, epoch_name(r->epoch), &path);
    v.captures = r->captures;
    if (r->has_values) {
        v.has_values = true;
        v.left = r->left;
        v.right = r->right;
        v.tolerance = r->tolerance;
        v.diff = fabs(r->left - r->right);
    }
    hale_locus_route(l, &v);
    hale_sbuf_release(&path);
}

void hale_locus_closure_failed(hale_locus *l, const hale_closure_report *r) {
    l->flags |= LF_EXPLODED;
    report(l, r);
    hale_locus_stop_check(0); /* a supervisor up the tree may have decided to stop a hook */
}

void hale_locus_violate(hale_locus *l, const hale_closure_report *r) {
    l->flags |= LF_EXPLODED | LF_DRAINING | LF_TERMINATE;
    report(l, r);
    hale_locus_stop_check(0);
}

/* ---- recoveries of loci not in their own birth or run ---- */

typedef struct {
    hale_locus *l;
    int64_t ns;
} waiter_arg;

static void after_quarantine(void *p) {
    waiter_arg w = *(waiter_arg *)p;
    hale_sys_free(p);
    hale_locus *l = w.l;
    hale_locus_park_ns(w.ns);
    if (hale_cancelled() || (l->flags & (LF_DISSOLVED | LF_STOP)) || !(l->flags & LF_QUARANTINED)) {
        l->waiter = NULL;
        return;
    }
    if (!hale_locus_restart_allowed(l)) {
        l->waiter = NULL;
        if (intensity.exceeded == HALE_EXCEEDED_DISSOLVE) {
            hale_locus_teardown(l, 0, 1);
        }
        return;
    }
    hale_locus_prepare_restart(l, 0, 0);
    hale_locus_live(l);
    l->waiter = NULL;
}

void hale_locus_apply_pending_now(hale_locus *l) {
    int p = l->pending;
    l->pending = PEND_NONE;
    switch (p) {
    case PEND_RESTART:
    case PEND_RESTART_IN_PLACE:
        hale_locus_prepare_restart(l, p == PEND_RESTART_IN_PLACE, 0);
        hale_locus_live(l);
        if ((l->flags & (LF_TERMINATE | LF_FLOW)) && !(l->flags & LF_DISSOLVED)) {
            hale_locus_teardown(l, (l->flags & LF_FLOW) != 0, 0);
        }
        return;
    case PEND_QUARANTINE:
        l->flags |= LF_QUARANTINED;
        if (l->quarantine_ns >= 0 && !l->waiter && hale_co_self()) {
            waiter_arg *w = hale_sys_malloc(sizeof *w);
            if (!w) {
                return;
            }
            w->l = l;
            w->ns = l->quarantine_ns;
            l->waiter = hale_spawn(hale_co_pool(hale_co_self()), after_quarantine, w, NULL);
            if (!l->waiter) {
                hale_sys_free(w);
            }
        }
        return;
    case PEND_DISSOLVE:
        hale_locus_teardown(l, 0, 1);
        return;
    default:
        return;
    }
}

/* ---- runtime faults inside a locus ---- */

void hale_locus_fault_hook(const char *message) {
    hale_locus_fault_named("", message);
}

void hale_locus_fault_named(const char *closure, const char *message) {
    hale_locus_frame *f = hale_tls_frame;
    if (!f || f->kind == FR_ROOT || !f->locus) {
        return; /* outside every locus: the ordinary fault report and exit */
    }
    hale_locus *l = f->locus;
    l->flags |= LF_EXPLODED | LF_DRAINING | LF_TERMINATE;
    hale_sbuf path = {0};
    hale_violation v;
    build(&v, l, closure, "fault", &path);
    v.message = cstr(message);
    hale_locus_route(l, &v);
    hale_sbuf_release(&path);
    /* the faulting code cannot go on: leave its hook (or an outer one that must stop) */
    hale_locus_stop_check(0);
    _longjmp(f->jb, 1);
}
