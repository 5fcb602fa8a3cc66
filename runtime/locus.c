/* See locus.h. This file: the tree, instantiation, the lifecycle driver, holders and frames.
 * Failure routing and recovery decisions are in supervise.c; the program entry, signals and
 * readiness in program.c.
 *
 * The driver (hale_locus_live) is a loop over birth -> birth closures -> run -> tick closures
 * that carries out the recovery its supervisor decided at each step (restart, restart in place,
 * quarantine, forced dissolve). Teardown is two passes over a subtree, drain everywhere (children
 * first, newest first) then dissolve everywhere, which is Hale's depth-first cascade. Memory is
 * given back only by the locus's holder (the statement, the function, the field, the owner), at
 * a point where none of its code can still be running; a locus torn down from inside its own
 * code (terminate, a supervisor's decision) stays readable until then. */
#include "locus.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "guard.h"
#include "io.h"
#include "locus_bus.h"
#include "locus_impl.h"
#include "scheduler.h"
#include "std.h"

static const hale_locus_type root_type = {.name = "root", .size = sizeof(hale_locus)};
static hale_locus root;
static _Atomic uint64_t next_id;

/* Ids are unique, not ordered: each thread takes them from a block of its own. */
#define ID_BLOCK 4096
static _Thread_local uint64_t id_next, id_end;

static uint64_t new_id(void) {
    if (id_next == id_end) {
        id_next = atomic_fetch_add_explicit(&next_id, ID_BLOCK, memory_order_relaxed) + 1;
        id_end = id_next + ID_BLOCK;
    }
    return id_next++;
}

hale_locus *hale_locus_root(void) {
    if (!root.type) {
        root.type = &root_type;
        root.flags = LF_BORN;
        root.phase = PH_RUN;
    }
    return &root;
}

hale_locus *hale_locus_current(void) {
    for (hale_locus_frame *f = hale_tls_frame; f; f = f->up) {
        if (f->locus) {
            return f->locus;
        }
    }
    return hale_locus_root();
}

/* ---- memory ---- */

hale_region *hale_locus_region(hale_locus *l) {
    if (!l->region) {
        hale_region *parent = l->parent ? hale_locus_region(l->parent) : NULL;
        l->region = hale_region_new(parent, l->type->name);
        hale_heap_init(&l->heap, l->region);
    }
    return l->region;
}

hale_heap *hale_locus_heap(hale_locus *l) {
    if (!l->region) {
        hale_locus_region(l);
    }
    return &l->heap;
}

int64_t hale_locus_region_bytes(void) {
    hale_locus *l = hale_locus_current();
    return l->region ? (int64_t)hale_region_used_bytes(l->region) : 0;
}

/* ---- frames ---- */

typedef struct {
    hale_locus_frame frame;
    void (*fn)(void *);
    void *arg;
} framed_call;

/* The scratch sides of the hook being called (ho, hm), looked up once per frame. */
static _Thread_local hale_region *frame_ho, *frame_hm;

/* Kept apart so that nothing the caller holds in registers lives across the setjmp. */
static __attribute__((noinline)) int framed_enter(framed_call *c) {
    if (_setjmp(c->frame.jb) != 0) {
        return 1;
    }
    c->fn(c->arg);
    return 0;
}

int hale_locus_framed(hale_locus *l, int kind, void (*fn)(void *arg), void *arg) {
    framed_call c;
    c.frame.up = hale_tls_frame;
    c.frame.locus = l;
    c.frame.kind = kind;
    c.fn = fn;
    c.arg = arg;
    hale_scratch *s = hale_scratch_current();
    hale_region *ho = hale_scratch_side(s, 1), *hm = hale_scratch_side(s, 0);
    hale_mark mo = hale_region_mark(ho), mm = hale_region_mark(hm);
    hale_origin *origin = hale_tls_origin;
    frame_ho = ho;
    frame_hm = hm;
    hale_tls_frame = &c.frame;
    int left = framed_enter(&c);
    hale_tls_frame = c.frame.up;
    if (left) {
        hale_bus_materialize(); /* queued deliveries borrowing what the reset gives back */
        hale_region_reset(ho, mo);
        hale_region_reset(hm, mm);
        hale_tls_origin = origin; /* a send left by the jump did not end its origin (guard.h) */
    }
    return left;
}

static int must_stop(hale_locus_frame *f, int at_park) {
    if (f->kind == FR_HOOK) {
        return 0;
    }
    hale_locus *l = f->locus;
    if (l->flags & LF_STOP) {
        return 1;
    }
    return at_park && f->kind == FR_RUN && (l->flags & LF_DRAINING);
}

hale_locus_frame *hale_locus_stop_target(int at_park) {
    hale_locus_frame *target = NULL;
    for (hale_locus_frame *f = hale_tls_frame; f; f = f->up) {
        if (must_stop(f, at_park)) {
            target = f;
        }
    }
    return target;
}

void hale_locus_stop_check(int at_park) {
    hale_locus_frame *target = hale_locus_stop_target(at_park);
    if (target) {
        _longjmp(target->jb, 1);
    }
}

/* Hooks take the two scratch sides in the order generated functions expect: `ho` first. */
typedef struct {
    hale_hook_fn fn;
    hale_locus *l;
} hook_arg;

static void call_hook(void *p) {
    hook_arg *h = p;
    h->fn(frame_ho, frame_hm, h->l);
}

static int hook(hale_locus *l, hale_hook_fn fn, int kind) {
    hook_arg h = {fn, l};
    return hale_locus_framed(l, kind, call_hook, &h);
}

typedef struct {
    hale_child_fn fn;
    hale_locus *self;
    void *child;
} child_arg;

static void call_child_hook(void *p) {
    child_arg *c = p;
    c->fn(frame_ho, frame_hm, c->self, c->child);
}

static void child_hook(hale_locus *self, const hale_locus_accept *rule, hale_child_fn fn,
                       void *child) {
    if (rule->quiet) {
        /* nothing in it can fault, wait or instantiate: no frame to catch anything */
        hale_scratch *s = hale_scratch_current();
        fn(hale_scratch_side(s, 1), hale_scratch_side(s, 0), self, child);
        return;
    }
    child_arg c = {fn, self, child};
    hale_locus_framed(self, FR_HOOK, call_child_hook, &c);
}

typedef struct {
    hale_locus *l;
    unsigned epochs;
} closures_arg;

static void call_closures(void *p) {
    closures_arg *c = p;
    c->l->type->closures(frame_ho, frame_hm, c->l, c->epochs);
}

void hale_locus_run_closures(hale_locus *l, unsigned epochs) {
    if (!(l->type->epochs & epochs) || !l->type->closures || (l->flags & LF_DISSOLVED)) {
        return;
    }
    closures_arg c = {l, epochs & l->type->epochs};
    hale_locus_framed(l, FR_HOOK, call_closures, &c);
}

/* ---- the tree ---- */

static void link_child(hale_locus *p, hale_locus *c) {
    c->prev = p->last;
    c->next = NULL;
    if (p->last) {
        p->last->next = c;
    } else {
        p->first = c;
    }
    p->last = c;
}

static void unlink_child(hale_locus *p, hale_locus *c) {
    if (c->prev) {
        c->prev->next = c->next;
    } else {
        p->first = c->next;
    }
    if (c->next) {
        c->next->prev = c->prev;
    } else {
        p->last = c->prev;
    }
    c->prev = c->next = NULL;
}

/* The nearest ancestor that accepts `t`, among those on the child's pool (an owner's hooks and
 * memory belong to its own thread). */
static hale_locus *find_owner(hale_locus *at, const hale_locus_type *t, struct hale_pool *pool,
                              const hale_locus_accept **rule) {
    for (hale_locus *p = at; p; p = p->parent) {
        const hale_locus_type *pt = p->type;
        if (hale_locus_pool(p) != pool) {
            continue;
        }
        for (size_t i = 0; i < pt->naccepts; i++) {
            if (pt->accepts[i].child == t) {
                *rule = &pt->accepts[i];
                return p;
            }
        }
    }
    return NULL;
}

void *hale_locus_new(const hale_locus_type *t, hale_locus *at, const void *proto,
                     const char *label) {
    if (!at) {
        at = hale_locus_current();
    }
    /* placement: the prototype names the pool of a placed locus; others inherit */
    struct hale_pool *placed = ((const hale_locus *)proto)->pool;
    struct hale_pool *pool = placed ? placed : hale_locus_pool(at);
    const hale_locus_accept *rule = NULL;
    hale_locus *owner = find_owner(at, t, pool, &rule);
    if (owner && rule->accept) {
        /* the gatekeeper sees the parameters before any memory is given to the child */
        child_hook(owner, rule, rule->accept, (void *)proto);
    }
    hale_locus *parent = owner ? owner : at;
    hale_locus *l = hale_heap_alloc(hale_locus_heap(parent), t->size);
    /* the prototype's header is zeroed (locus.h) but for a placed locus's pool, set below: the
     * one copy brings the parameters and a clean header */
    memcpy(l, proto, t->size);
    l->type = t;
    l->parent = parent;
    l->label = label;
    if (hale_census_enabled()) {
        hale_census_born(t, t->name);
    }
    l->id = new_id();
    l->pool = placed ? placed : parent->pool;
    l->rule = rule;
    if (rule && rule->flow) {
        l->flags |= LF_FLOW;
    }
    if (owner) {
        l->flags |= LF_ACCEPTED;
        owner->accepted++;
    }
    link_child(parent, l);
    if (t->init) {
        t->init(l);
    }
    if (t->flags & HALE_LT_SNAPSHOT) {
        size_t n = t->size - sizeof(hale_locus);
        l->snapshot = hale_region_alloc(hale_locus_region(l), n ? n : 1, 16);
        memcpy(l->snapshot, (char *)l + sizeof(hale_locus), n);
    }
    return l;
}

/* The census (metrics) forgets a freed locus and whatever descendants are freed with it. */
static void census_freed(const hale_locus *l) {
    hale_census_freed(l->type, l->type->name);
    for (const hale_locus *c = l->first; c; c = c->next) {
        census_freed(c);
    }
}

/* Gives the locus's memory back: its region (with every descendant in it) and its state. */
void hale_locus_free(hale_locus *l) {
    if (l->runner && hale_place_foreign(l) && hale_place_join(l, 1)) {
        return;
    }
    if (hale_census_enabled()) {
        census_freed(l);
    }
    hale_locus *p = l->parent;
    if (l->flags & LF_ACCEPTED && !(l->flags & LF_DISSOLVED)) {
        p->accepted--;
    }
    unlink_child(p, l);
    if (l->region) {
        hale_bus_materialize(); /* a queued delivery may still borrow a value made in it */
        hale_region_free(l->region);
    }
    hale_heap_free(&p->heap, l, l->type->size);
}

/* ---- teardown ---- */

void hale_locus_drain_tree(hale_locus *l) {
    if (l->flags & (LF_DRAINED | LF_DISSOLVED)) {
        return;
    }
    if (l->runner && hale_place_foreign(l)) {
        hale_place_join(l, 0); /* it drains and dissolves on its own coroutine */
        return;
    }
    if (l->first) {
        hale_place_join_children(l, 0, 0);
    }
    for (hale_locus *c = l->last; c;) {
        hale_locus *prev = c->prev;
        hale_locus_drain_tree(c);
        c = prev;
    }
    if ((l->flags & LF_ATTACHED) && l->type->bus_flush && !hale_bus_deferring()) {
        /* deliveries already queued for it (from other threads too) reach it while it lives,
         * as Hale flushes a pinned locus's mailbox before its drain */
        l->type->bus_flush(l);
    }
    l->flags |= LF_DRAINING | LF_DRAINED;
    l->phase = PH_DRAIN;
    if (l->type->drain) {
        hook(l, l->type->drain, FR_HOOK);
    }
}

void hale_locus_dissolve_tree(hale_locus *l, int forced) {
    if ((l->flags & LF_DISSOLVED) || l->phase == PH_DISSOLVE) {
        return; /* done, or under way further up the stack */
    }
    if (l->runner && hale_place_foreign(l)) {
        hale_place_join(l, forced);
        return;
    }
    if (l->first) {
        hale_place_join_children(l, forced, 0);
    }
    l->phase = PH_DISSOLVE;
    for (hale_locus *c = l->last; c;) {
        hale_locus *prev = c->prev;
        hale_locus_dissolve_tree(c, forced);
        c = prev;
    }
    if (l->waiter) {
        /* a quarantine timer (or the restart it started) works on this locus: let it unwind */
        hale_co *w = l->waiter;
        if (w == hale_co_self()) {
            l->waiter = NULL;
        } else {
            l->flags |= LF_STOP;
            hale_cancel(w);
            while (l->waiter) {
                hale_yield();
            }
        }
    }
    l->flags |= LF_DRAINING;
    if (l->type->dissolve) {
        hook(l, l->type->dissolve, FR_HOOK);
    }
    if (!forced && (l->type->epochs & HALE_EPOCH_DISSOLVE)) {
        hale_locus_run_closures(l, HALE_EPOCH_DISSOLVE);
    }
    if ((l->flags & LF_ATTACHED) && l->type->bus_detach) {
        l->type->bus_detach(l);
    }
    l->flags &= ~LF_ATTACHED;
    l->flags |= LF_DISSOLVED;
    l->phase = PH_DEAD;
    l->pending = PEND_NONE;
    if (l->flags & LF_ACCEPTED) {
        l->parent->accepted--;
    }
}

void hale_locus_teardown(hale_locus *l, int release, int forced) {
    if (!forced) {
        hale_locus_drain_tree(l);
        hale_locus_bus_settle(l); /* the last messages of joined publishers arrive first */
    }
    if (release && l->rule && l->rule->release && !(l->flags & LF_DISSOLVED)) {
        child_hook(l->parent, l->rule, l->rule->release, l);
    }
    hale_locus_dissolve_tree(l, forced);
}

/* ---- restarts ---- */

void hale_locus_prepare_restart(hale_locus *l, int in_place, int free_children) {
    /* children that are not parameters go; parameters (and the children they hold) stay. Their
     * memory is given back only from the driver, where none of their code can be running. */
    hale_place_join_children(l, 1, 1);
    for (hale_locus *c = l->last; c;) {
        hale_locus *prev = c->prev;
        if (c->hold != HALE_HOW_FIELD) {
            hale_locus_teardown(c, 0, 0);
            if (free_children) {
                hale_locus_free(c);
            }
        }
        c = prev;
    }
    /* the locus releases what birth acquired before birth runs again */
    if (l->type->drain) {
        hook(l, l->type->drain, FR_HOOK);
    }
    if (l->type->dissolve) {
        hook(l, l->type->dissolve, FR_HOOK);
    }
    if (in_place && l->snapshot) {
        const hale_locus_type *t = l->type;
        size_t n = t->size - sizeof(hale_locus);
        void *keep[16];
        size_t nk = t->nlocus_fields < 16 ? t->nlocus_fields : 16;
        for (size_t i = 0; i < nk; i++) {
            memcpy(&keep[i], (char *)l + t->locus_fields[i], sizeof(void *));
        }
        memcpy((char *)l + sizeof(hale_locus), l->snapshot, n);
        for (size_t i = 0; i < nk; i++) {
            memcpy((char *)l + t->locus_fields[i], &keep[i], sizeof(void *));
        }
    }
    l->flags &= ~(LF_DRAINING | LF_TERMINATE | LF_QUARANTINED | LF_STOP | LF_DRAINED | LF_BORN);
    l->phase = PH_NEW;
}

/* ---- the driver ---- */

/* Carries out a recovery decided while the locus's birth or run was on the stack. Returns 1 to
 * go round again (birth anew), 0 to go on, -1 when the locus is finished with. */
static int recover(hale_locus *l, int *skip_run) {
    int p = l->pending;
    l->pending = PEND_NONE;
    switch (p) {
    case PEND_RESTART:
    case PEND_RESTART_IN_PLACE:
        hale_locus_prepare_restart(l, p == PEND_RESTART_IN_PLACE, 1);
        return 1;
    case PEND_QUARANTINE:
        l->flags |= LF_QUARANTINED;
        if (l->quarantine_ns >= 0) {
            hale_locus_park_ns(l->quarantine_ns);
            hale_locus_stop_check(0);
            if (!hale_locus_restart_allowed(l)) {
                /* the automatic restart counts against the intensity too */
                if (hale_locus_exceeded() == HALE_EXCEEDED_ABSORB) {
                    *skip_run = 1;
                    return 0;
                }
                hale_locus_teardown(l, 0, 1);
                return -1;
            }
            hale_locus_prepare_restart(l, 0, 1);
            return 1;
        }
        *skip_run = 1;
        return 0;
    case PEND_DISSOLVE:
        hale_locus_teardown(l, 0, 1);
        return -1;
    default:
        return 0;
    }
}

int hale_locus_birth_phase(hale_locus *l) {
    const hale_locus_type *t = l->type;
    l->driven++;
    int out;
    for (;;) {
        int skip_run = 0;
        l->phase = PH_BIRTH;
        if (t->birth) {
            hook(l, t->birth, FR_BIRTH);
        }
        l->flags &= ~LF_STOP;
        if (!l->pending && (t->epochs & HALE_EPOCH_BIRTH)) {
            hale_locus_run_closures(l, HALE_EPOCH_BIRTH);
        }
        int r = recover(l, &skip_run);
        if (r > 0) {
            continue;
        }
        if (r < 0) {
            out = -1;
            break;
        }
        l->flags |= LF_BORN;
        hale_program_born(l);
        if (t->bus_attach && !(l->flags & LF_ATTACHED)) {
            t->bus_attach(l);
            l->flags |= LF_ATTACHED;
        }
        out = skip_run ? 0 : 1;
        break;
    }
    l->driven--;
    return out;
}

void hale_locus_run_phase(hale_locus *l, int born) {
    const hale_locus_type *t = l->type;
    l->driven++;
    while (born >= 0) {
        int skip_run = born == 0;
        if (t->run && !skip_run && !(l->flags & (LF_QUARANTINED | LF_DRAINING | LF_DISSOLVED))) {
            l->phase = PH_RUN;
            hook(l, t->run, FR_RUN);
            l->flags &= ~LF_STOP;
            if (!l->pending && (t->epochs & (HALE_EPOCH_TICK | HALE_EPOCH_DURATION))) {
                hale_locus_run_closures(l, HALE_EPOCH_TICK | HALE_EPOCH_DURATION);
            }
            int r = recover(l, &skip_run);
            if (r > 0) {
                born = hale_locus_birth_phase(l); /* restarted: birth again, then run */
                continue;
            }
        }
        break;
    }
    if (!(l->flags & LF_DISSOLVED)) {
        l->phase = PH_READY;
    }
    l->driven--;
}

void hale_locus_live(hale_locus *l) {
    hale_locus_run_phase(l, hale_locus_birth_phase(l));
}

int hale_locus_tracked_resident(const hale_locus *l) {
    return (l->flags & LF_ACCEPTED) && !(l->flags & LF_FLOW) &&
           (l->parent->type->flags & HALE_LT_TRACKS);
}

static void defer_push(hale_locus *l, hale_locus **defer) {
    if (!defer) {
        /* no list to wait on (cannot happen for generated code): finish now */
        hale_locus_teardown(l, (l->flags & LF_FLOW) != 0, 0);
        hale_locus_free(l);
        return;
    }
    l->defer_next = *defer;
    *defer = l;
}

/* A type with nothing to do at birth or run (no hooks, closures or subscriptions): the birth and
 * run phases come down to marking it born (a flow child that only computes in its owner's accept
 * or release, a locus used only through its methods). */
static int nothing_to_run(const hale_locus *l) {
    const hale_locus_type *t = l->type;
    return !t->birth && !t->run && !t->epochs && !t->bus_attach && !l->first;
}

void hale_locus_start(hale_locus *l, int how, hale_locus **defer) {
    l->hold = (uint8_t)how;
    int born = HALE_PLACE_UNBORN;
    if (hale_place_detach(l, how, &born)) {
        return;
    }
    if (born == HALE_PLACE_UNBORN && nothing_to_run(l)) {
        l->phase = PH_BIRTH;
        l->flags |= LF_BORN;
        hale_program_born(l);
        l->phase = PH_READY;
    } else {
        if (born == HALE_PLACE_UNBORN) {
            hale_place_start_deferred(l);
            born = hale_locus_birth_phase(l);
        }
        hale_locus_run_phase(l, born);
    }
    int flow = (l->flags & LF_FLOW) != 0;
    int done = (l->flags & (LF_TERMINATE | LF_DISSOLVED)) != 0 || flow;
    int long_lived = (l->type->flags & HALE_LT_LONG_LIVED) != 0;
    switch (how) {
    case HALE_HOW_STMT:
        if (!done && hale_locus_tracked_resident(l)) {
            l->flags |= LF_KEPT; /* its owner keeps it until it dissolves */
        } else if (!done && long_lived) {
            l->flags |= LF_KEPT;
            defer_push(l, defer);
        } else {
            hale_locus_teardown(l, flow, 0);
            hale_locus_free(l);
        }
        return;
    case HALE_HOW_LET:
        if (done) {
            hale_locus_teardown(l, flow, 0); /* its memory waits for the binding's scope */
        } else if (hale_locus_tracked_resident(l)) {
            l->flags |= LF_KEPT;
            return;
        }
        defer_push(l, defer);
        return;
    default: /* HALE_HOW_FIELD: the parent frees it when it dissolves */
        if (done) {
            hale_locus_teardown(l, flow, 0);
        }
        return;
    }
}

/* Set once readiness is announced (program.c, hale_program_born) unless the census is on. */
atomic_bool hale_locus_light_ok;

void *hale_locus_light_general(hale_locus *proto, const hale_locus_type *t, hale_locus *at, int how,
                               hale_locus **defer) {
    hale_locus *l = hale_locus_new(t, at, proto, NULL);
    hale_locus_start(l, how, defer);
    return how == HALE_HOW_STMT ? NULL : l; /* a statement's is freed already */
}

void hale_locus_flush(hale_locus **defer) {
    hale_locus *l = *defer;
    *defer = NULL;
    while (l) {
        hale_locus *next = l->defer_next;
        hale_locus_teardown(l, (l->flags & LF_FLOW) != 0, 0);
        hale_locus_free(l);
        l = next;
    }
}

void hale_locus_replace(hale_locus *old) {
    if (!old) {
        return;
    }
    hale_locus_teardown(old, 0, 0);
    hale_locus_free(old);
}

/* ---- from inside a locus ---- */

hale_locus *hale_locus_next_child(hale_locus *parent, hale_locus *after, const hale_locus_type *t) {
    for (hale_locus *c = after ? after->next : parent->first; c; c = c->next) {
        if (c->type == t && (c->flags & LF_ACCEPTED) && !(c->flags & LF_DISSOLVED)) {
            return c;
        }
    }
    return NULL;
}

void hale_locus_terminate(hale_locus *l) {
    l->flags |= LF_TERMINATE | LF_DRAINING;
    if (!l->driven && !(l->flags & LF_DISSOLVED)) {
        /* not inside its own birth or run (a method its parent called, a handler): wind it down
         * now; its holder frees it later */
        hale_locus_teardown(l, (l->flags & LF_FLOW) != 0, 0);
    }
}

void hale_locus_check_explicit(hale_locus *l) {
    hale_locus_run_closures(l, HALE_EPOCH_EXPLICIT);
    hale_locus_stop_check(0);
}

void hale_locus_tick(hale_locus *l) {
    hale_locus_run_closures(l, HALE_EPOCH_TICK | HALE_EPOCH_DURATION);
}

void hale_locus_after_handler(hale_locus *l) {
    if (l->pending && !l->driven) {
        hale_locus_apply_pending_now(l);
    }
    if ((l->flags & LF_TERMINATE) && !(l->flags & LF_DISSOLVED) && !l->driven) {
        hale_locus_teardown(l, (l->flags & LF_FLOW) != 0, 0);
    }
    if ((l->flags & LF_DISSOLVED) && (l->flags & LF_KEPT) && l->hold == HALE_HOW_STMT &&
        hale_locus_tracked_resident(l)) {
        hale_locus_free(l);
    }
}

/* ---- waiting ---- */

static void tick_current(void) {
    for (hale_locus_frame *f = hale_tls_frame; f; f = f->up) {
        if (f->locus && f->kind == FR_RUN) {
            hale_locus_tick(f->locus);
            return;
        }
    }
}

void hale_locus_yield(void) {
    hale_out_flush();
    hale_yield();
    tick_current();
    hale_locus_stop_check(1);
}

void hale_locus_sleep(int64_t ns) {
    hale_out_flush();
    hale_locus_park_ns(ns);
    tick_current();
    hale_locus_stop_check(1);
}
