/* Internal to the locus runtime (locus.c, supervise.c, program.c): flags, frames, the root, and
 * the lifecycle steps the supervisor reuses. Not part of the contract with generated code. */
#ifndef HALE_RUNTIME_LOCUS_IMPL_H
#define HALE_RUNTIME_LOCUS_IMPL_H

#include <setjmp.h>

#include "locus.h"

/* hale_locus.flags */
enum {
    LF_DRAINING = 1u,    /* self.draining: the locus has decided (or been told) to wind down */
    LF_EXPLODED = 2u,    /* a closure broke */
    LF_QUARANTINED = 4u, /* paused by its supervisor: run() is not entered */
    LF_TERMINATE = 8u,   /* `terminate;`, a violation or a fault: reclaim once run() is left */
    LF_DRAINED = 16u,    /* drain() has run */
    LF_DISSOLVED = 32u,  /* dissolve() has run: the locus is dead, its memory awaits its holder */
    LF_STOP = 64u,       /* leave the current birth()/run() at the next chance */
    LF_BORN = 128u,
    LF_ATTACHED = 256u, /* bus_attach ran */
    LF_ACCEPTED = 512u, /* counted in its owner's `accepted` */
    LF_FLOW = 1024u,
    LF_KEPT = 2048u,     /* held by its owner (a tracked resident) or to its scope's end */
    LF_DETACHED = 4096u, /* runs on a coroutine of its own (place.c); l->runner is set */
    LF_DEFERRED = 8192u, /* a parameter child waiting for its detached parent's coroutine */
};

/* hale_locus.pending */
enum { PEND_NONE, PEND_RESTART, PEND_RESTART_IN_PLACE, PEND_QUARANTINE, PEND_DISSOLVE };

/* hale_locus.phase */
enum { PH_NEW, PH_BIRTH, PH_RUN, PH_READY, PH_DRAIN, PH_DISSOLVE, PH_DEAD };

/* Frames: where a hook can be left from (see locus.h). */
enum {
    FR_HOOK,  /* a fault abandons it; nothing else does */
    FR_BIRTH, /* birth(): also left when the locus must stop */
    FR_RUN,   /* run(): also left at a park once the locus is draining */
    FR_ROOT,  /* the program's entry: left on shutdown */
};

typedef struct hale_locus_frame {
    struct hale_locus_frame *up;
    hale_locus *locus;
    int kind;
    jmp_buf jb;
} hale_locus_frame;

/* The running coroutine's innermost frame (the scheduler keeps one per coroutine, coro.c). */
extern _Thread_local hale_locus_frame *hale_tls_frame;

/* The root locus: the implicit parent of `fn main` and free functions. */
hale_locus *hale_locus_root(void);

/* Calls fn(arg) inside a frame for `l`. Returns 0 when it returned, 1 when it was left by a
 * jump (its scratch is then reset to what it was at the call). */
int hale_locus_framed(hale_locus *l, int kind, void (*fn)(void *arg), void *arg);

/* The outermost frame that must stop (at_park: a draining run() counts too), or NULL. */
hale_locus_frame *hale_locus_stop_target(int at_park);
/* Leaves for that frame, if any. */
void hale_locus_stop_check(int at_park);

/* Lifecycle steps (locus.c). */
void hale_locus_live(hale_locus *l); /* birth ... run, with recoveries: the two phases below */
/* Birth, birth closures and bus attachment, carrying out the recoveries decided meanwhile.
 * Returns 1 when born and run() may follow, 0 when born but run() is not to be entered
 * (quarantined), -1 when the locus was finished with. */
int hale_locus_birth_phase(hale_locus *l);
/* run() and its tick closures after a birth phase that answered `born`; a restart decided
 * meanwhile goes through birth again. */
void hale_locus_run_phase(hale_locus *l, int born);
void hale_locus_drain_tree(hale_locus *l); /* children first, newest first */
void hale_locus_dissolve_tree(hale_locus *l, int forced);
void hale_locus_teardown(hale_locus *l, int release, int forced);
void hale_locus_free(hale_locus *l);
void hale_locus_prepare_restart(hale_locus *l, int in_place, int free_children);
void hale_locus_run_closures(hale_locus *l, unsigned epochs);
/* An accepted resident (not a flow) of an owner that tracks its residents: the owner keeps it. */
int hale_locus_tracked_resident(const hale_locus *l);
/* Parks the running coroutine for `ns` (or until woken because something must stop). */
void hale_locus_park_ns(int64_t ns);

/* Placement (place.c). */
/* Starts `l` elsewhere when it is detached (another pool, or an accepted flow on a worker pool)
 * or defers it to its detached parent's coroutine; returns 1 then, 0 to start it here. Either
 * way its birth phase is over when this returns, except for a deferred one: when it ran here,
 * *born holds its answer (else it is left HALE_PLACE_UNBORN). */
enum { HALE_PLACE_UNBORN = 2 };
int hale_place_detach(hale_locus *l, int how, int *born);
/* Starts the parameter children deferred to `l`'s coroutine, in creation order. */
void hale_place_start_deferred(hale_locus *l);
/* True when `l` is detached and the caller is not its own coroutine. */
int hale_place_foreign(const hale_locus *l);
/* Waits until a detached `l` has been torn down on its own coroutine (asking it to stop first
 * when `stop`), then forgets its runner. Returns 1 when the locus freed itself (do not touch it).
 */
int hale_place_join(hale_locus *l, int stop);
/* Whether the holder of the placed locus `l` is waiting for its run() to end (its own run()
 * finished and it tears down); false for a locus that is not placed. A run() that would serve
 * forever (std::http::Server's accept loop) takes it as its cue to stop. Any thread. */
bool hale_place_join_waiting(const hale_locus *l);
/* Joins every detached child of `l`, newest first (`keep_fields`: not its parameter children). */
void hale_place_join_children(hale_locus *l, int stop, int keep_fields);
/* Runs fn(arg) on `pool`'s thread and waits for it (at once when that is the calling thread). */
void hale_place_call(struct hale_pool *pool, void (*fn)(void *), void *arg);

/* Supervision (supervise.c). */
void hale_locus_route(hale_locus *l, hale_violation *v); /* to l's supervisors */
void hale_locus_apply_pending_now(hale_locus *l);        /* a non-driven locus's recovery */
void hale_locus_fault_hook(const char *message);         /* registered with fault.c */
/* The same failure with a name in the violation's `closure` ("ActorTerminated"); returns only
 * when no locus is running. */
void hale_locus_fault_named(const char *closure, const char *message);
void hale_locus_intensity_boot(void);
int hale_locus_restart_allowed(hale_locus *l); /* counts a restart; 0 past the intensity */
hale_exceeded hale_locus_exceeded(void);
/* The locus's path from the root ("App/mgr(Manager)/Worker"), formatted into `b`. */
struct hale_sbuf;
void hale_locus_path(hale_locus *l, struct hale_sbuf *b);

/* Program (program.c): the first locus under the root that finishes birth tells the supervisor
 * the program is ready. */
void hale_program_born(hale_locus *l);
bool hale_program_shutting_down(void);

/* The program's bus (locus_bus.c): booted after the scheduler, shut down after the tree. */
void hale_locus_bus_boot(void);
void hale_locus_bus_shutdown(void);

#endif
