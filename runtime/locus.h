/* Loci: the tree of live components, their lifecycle and what holds them.
 *
 * A locus is a generated C struct whose first member is a `hale_locus` header; the rest are its
 * parameters. Generated code stays thin: it builds a prototype of the state (the parameters'
 * values), asks the runtime for the locus (`hale_locus_new`: the owner's `accept`, the state in
 * the parent's memory, the heap parts re-homed into the locus's own heap), instantiates the
 * locus-typed parameters as children, then hands the locus to `hale_locus_start`, which drives
 * birth -> (birth closures) -> run -> (tick closures) and, depending on how the literal was
 * written, drain -> dissolve. Everything about ordering, recovery and reclamation lives here and
 * in supervise.c, once, instead of being open-coded at every instantiation site.
 *
 * Tree and memory. Every locus has a parent: its owner (the nearest ancestor whose type accepts
 * the child's type) or, when none accepts it, the locus whose code instantiated it (the runtime
 * root for `fn main` and free functions). The state lives in the parent's heap (heap.h), so
 * churning children reuse the same blocks; the locus's own region is nested in the parent's and
 * made on first use (heap parameters, children, values stored into `self`), so a locus that
 * never allocates costs no chunk. Freeing a locus frees its region, and with it its subtree.
 *
 * Holders. What keeps a locus alive after its birth and run decides when it is drained,
 * dissolved and freed (see runtime/README.md, "Loci", for the rules and why):
 *   HALE_HOW_STMT   a statement-position literal: the whole lifecycle at the statement, unless
 *                   an owner that tracks its children keeps it as a resident;
 *   HALE_HOW_LET    `let x = L { }`: drained and dissolved when the enclosing function returns,
 *                   in reverse creation order (hale_locus_flush on the function's list);
 *   HALE_HOW_FIELD  a parameter default/override or `self.f = L { }`: lives until the parent
 *                   dissolves (or the field is replaced: hale_locus_replace).
 * A flow (a child whose owner declares `release` for its type) is drained, released, dissolved
 * and freed as soon as its run() returns, whatever holds it.
 *
 * Frames. The runtime calls every hook inside a frame that records the locus and a jump point,
 * so that a fault, a supervisor's decision or shutdown can abandon the hook's remaining work
 * (the scratch it used is reset to the frame's marks). Frames are per coroutine (the scheduler
 * swaps them with the coroutine), so several coroutines may run loci and park anywhere.
 *
 * Placement (place.c). Every locus records the pool it runs on (NULL: the main pool); a child
 * inherits its parent's, and the `placement { }` of `main` gives a parameter of the main locus its
 * own (the prototype's header carries it into hale_locus_new). A locus whose pool is not the one
 * running the code that starts it is *detached*: its whole lifecycle (its parameter children's,
 * birth, run, drain, dissolve) runs on a coroutine of its pool, and whatever holds it *joins* it
 * before tearing it down (waits for its run() to return, or, at shutdown or a forced teardown,
 * tells it to stop first). An accepted child started at statement position on a pool other than
 * the main one is detached onto that same pool: one coroutine per flow child, so a server's
 * accept loop goes on while its connections run. Owners are only looked for on the child's own
 * pool, and a failure crossing to a parent on another pool runs that parent's on_failure there.
 *
 * Bus hook: a type's `bus_attach` runs once the locus is born (register its subscriptions,
 * keep whatever it needs in `bus_state`), `bus_flush` when it drains (what is already queued for
 * it is delivered while it is alive), `bus_detach` when it dissolves; the bus calls
 * hale_locus_tick after each handler it runs and hale_locus_after_handler when it is done. */
#ifndef HALE_RUNTIME_LOCUS_H
#define HALE_RUNTIME_LOCUS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"
#include "region.h"
#include "value.h"

typedef struct hale_locus hale_locus;
typedef struct hale_locus_type hale_locus_type;
struct hale_pool;
struct hale_co;

/* ---- failures ---- */

/* A structural failure: a broken closure, a `violate`, or a runtime fault inside a locus. The
 * generated on_failure wrapper turns it into Hale's `ClosureViolation` record. */
typedef struct hale_violation {
    hale_str locus;    /* the failing locus's type name */
    hale_str closure;  /* the closure's name; "" for a fault */
    hale_str epoch;    /* birth | tick | duration | dissolve | inline | explicit | fault */
    hale_str path;     /* the failing locus's path from the root, e.g. "App/mgr(Manager)/Worker" */
    hale_str captures; /* the `captures:` fields at the moment of failure: "a=1, b=\"x\"" */
    hale_str message;  /* a fault's description, with its source place */
    double left, right, tolerance, diff; /* the assertion's values (0 for inline and faults) */
    bool has_values;
} hale_violation;

/* ---- type descriptors (generated, one per locus type) ---- */

typedef void (*hale_hook_fn)(hale_region *ho, hale_region *hm, void *self);
typedef void (*hale_child_fn)(hale_region *ho, hale_region *hm, void *self, void *child);
typedef void (*hale_failure_fn)(hale_region *ho, hale_region *hm, void *self, void *child,
                                const hale_violation *err);
/* Evaluates the type's closures of the given epochs (HALE_EPOCH_* bits), reporting each one that
 * does not hold with hale_locus_closure_failed. */
typedef void (*hale_closures_fn)(hale_region *ho, hale_region *hm, void *self, unsigned epochs);

enum {
    HALE_EPOCH_BIRTH = 1,
    HALE_EPOCH_TICK = 2,
    HALE_EPOCH_DURATION = 4,
    HALE_EPOCH_DISSOLVE = 8,
    HALE_EPOCH_EXPLICIT = 16,
};

/* `accept(c: T)` (and `release(c: T)`, which makes T a flow) of a parent type. */
typedef struct {
    const hale_locus_type *child;
    hale_child_fn accept;  /* the accept body (NULL: empty) */
    hale_child_fn release; /* NULL: T is a resident, not a flow */
    bool flow;
    bool quiet; /* accept and release are quiet (the compiler's proof): called without a frame */
} hale_locus_accept;

enum {
    HALE_LT_TRACKS = 1,    /* the type reads `self.children`: accepted residents stay tracked */
    HALE_LT_SNAPSHOT = 2,  /* keep the parameters' initial values for restart_in_place */
    HALE_LT_LONG_LIVED = 4 /* stays alive to its scope's end whatever holds it (bus subscribers) */
};

struct hale_locus_type {
    const char *name;
    size_t size; /* sizeof the generated state struct, header included */
    /* Re-homes the parameters' heap parts (copied in from the prototype) into the locus's heap;
     * NULL when the parameters are flat. */
    void (*init)(void *self);
    hale_hook_fn birth, run, drain, dissolve;
    hale_closures_fn closures; /* NULL: no closures */
    unsigned epochs;           /* the epochs some closure of the type checks */
    const hale_locus_accept *accepts;
    size_t naccepts;
    const hale_locus_type *failure_child; /* on_failure(c: T, ...): T, or NULL */
    hale_failure_fn on_failure;
    unsigned flags;             /* HALE_LT_* */
    const size_t *locus_fields; /* offsets of locus-typed parameters (kept by restart_in_place) */
    size_t nlocus_fields;
    /* bus hook (see the header comment) */
    void (*bus_attach)(hale_locus *self);
    void (*bus_detach)(hale_locus *self);
    void (*bus_flush)(hale_locus *self);
    const void *bus;
    /* The type's `fn handle(req) -> Response` when it stands for a std::http::Handler (the
     * compiler emits the call; std_http.h's hale_http_handle_fn), else NULL. */
    void (*std_handle)(hale_region *ho, hale_region *hm, void *self, const void *req, void *resp);
    /* The type's `fn before(ctx: Context) -> Context` and `fn after(ctx: Context, resp:
     * Response) -> Response` when it stands for a std::http::Middleware, else NULL. */
    void (*std_before)(hale_region *ho, hale_region *hm, void *self, const void *ctx, void *out);
    void (*std_after)(hale_region *ho, hale_region *hm, void *self, const void *ctx,
                      const void *resp, void *out);
};

/* ---- the header every locus state starts with ---- */

struct hale_locus {
    const hale_locus_type *type;
    hale_locus *parent;
    hale_locus *first, *last;      /* children, in creation order */
    hale_locus *prev, *next;       /* siblings */
    hale_locus *defer_next;        /* a function's list of `let`-held loci */
    hale_region *region;           /* made on first use */
    hale_heap heap;                /* over `region`; heap.region == NULL until then */
    const char *label;             /* the parameter that holds it, or NULL */
    const hale_locus_accept *rule; /* its owner's accept rule, or NULL (transient) */
    uint64_t id;
    int64_t accepted; /* live accepted children (`self.children.count`) */
    uint32_t flags;   /* HALE_LF_* (internal) */
    uint8_t hold;     /* HALE_HOW_* or the owner's hold */
    uint8_t phase;
    uint8_t pending;      /* a recovery decided for it, not yet carried out */
    uint8_t driven;       /* its lifecycle driver is on the stack */
    int32_t restarts;     /* restarts within the current intensity window */
    int64_t window_start; /* monotonic ns */
    int64_t quarantine_ns;
    void *snapshot;             /* initial parameters, for restart_in_place */
    struct hale_co *waiter;     /* a coroutine waiting on its behalf (quarantine timer) */
    void *bus_state;            /* the bus module's */
    struct hale_pool *pool;     /* placement: NULL = the main pool */
    struct hale_runner *runner; /* a detached locus's coroutine record (place.c), or NULL */
};

enum { HALE_HOW_STMT = 1, HALE_HOW_LET = 2, HALE_HOW_FIELD = 3 };

/* ---- generated code: instantiation ---- */

/* Makes a locus of type `t` from the prototype `proto` (t->size bytes: a zeroed header followed
 * by the parameters' values, whose heap parts may live anywhere). `at` is the locus whose code
 * instantiates it (NULL: the innermost running locus, or the root). The owner's accept hook runs
 * first (it reads the prototype), then the state is placed, linked and re-homed. Returns the
 * state; hale_locus_start must follow. `label` names the parameter that will hold it (or NULL). */
void *hale_locus_new(const hale_locus_type *t, hale_locus *at, const void *proto,
                     const char *label);

/* Drives the locus through birth and run, then finishes it as `how` says (see the header
 * comment). `defer` is the enclosing function's list for HALE_HOW_LET. */
void hale_locus_start(hale_locus *l, int how, hale_locus **defer);

/* `self.f = L { ... }`: the current holder of the field, if any, is drained, dissolved and
 * freed before the new literal is built (break-before-make). */
void hale_locus_replace(hale_locus *old);

/* A light locus: a type the compiler found to have no lifecycle hooks, closures, bus, capacity,
 * placement or locus-typed parameters, only flat parameters, methods that never reach the
 * locus's own region, tree or lifecycle, and no type that accepts it. Nothing it does can be
 * observed from outside but its parameters, so while nothing counts loci (the census, see
 * census.h) and the program's readiness no longer waits for the root's first child, its state
 * is the prototype itself, in the frame of the function that holds it: no memory is taken, no
 * tree is linked, and nothing is left to do when the holder lets go of it. Otherwise it takes
 * the general path (hale_locus_new from `at`, hale_locus_start with `how` and `defer`) and the
 * result is the locus made there. `proto` is the zeroed header of the prototype, its parameters
 * set. */
extern atomic_bool hale_locus_light_ok;
void *hale_locus_light_general(hale_locus *proto, const hale_locus_type *t, hale_locus *at, int how,
                               hale_locus **defer);

static inline void *hale_locus_light(hale_locus *proto, const hale_locus_type *t, hale_locus *at,
                                     int how, hale_locus **defer) {
    if (__builtin_expect(!atomic_load_explicit(&hale_locus_light_ok, memory_order_relaxed), 0)) {
        return hale_locus_light_general(proto, t, at, how, defer);
    }
    proto->type = t;
    proto->hold = (uint8_t)how;
    proto->flags = 128u; /* LF_BORN */
    proto->phase = 3;    /* PH_READY */
    return proto;
}

/* `reperspective self.f as T;`: the locus `l` continues as type `to`, whose state has the same
 * layout (the compiler checks it): its bus subscriptions become `to`'s, and its hooks from now
 * on are `to`'s (locus_retype.c). */
void hale_locus_retype(hale_locus *l, const hale_locus_type *to);

/* At the end of a function with `let`-held loci: each is drained and dissolved, newest first,
 * and freed. */
void hale_locus_flush(hale_locus **defer);

/* The innermost locus whose code is running (the root outside every locus). */
hale_locus *hale_locus_current(void);

/* The locus's own region and heap, made on first use (nested in the parent's). */
hale_region *hale_locus_region(hale_locus *l);
hale_heap *hale_locus_heap(hale_locus *l);

static inline bool hale_locus_draining(const hale_locus *l) {
    return (l->flags & 1u) != 0; /* HALE_LF_DRAINING */
}

/* Paused by its supervisor (`quarantine`): run() is not entered and bus handlers are skipped. */
static inline bool hale_locus_quarantined(const hale_locus *l) {
    return (l->flags & 4u) != 0; /* LF_QUARANTINED */
}

/* std::diag::region_bytes(): bytes in use in the running locus's own region, blocks included
 * (0 before it has one, or outside every locus). */
int64_t hale_locus_region_bytes(void);

/* `for c in self.children`: the accepted, live children of `parent` of type `t`, in creation
 * order; `after` NULL starts the walk. */
hale_locus *hale_locus_next_child(hale_locus *parent, hale_locus *after, const hale_locus_type *t);

/* `terminate;`: ends the locus's life early; its code returns from the current method. */
void hale_locus_terminate(hale_locus *l);

/* `yield;` and std::time::sleep in locus code: the coroutine parks (output is flushed first), and
 * a locus that has been asked to stop (shutdown, a supervisor's decision, its own violation)
 * leaves its run() here. Both are tick points for tick and duration closures. */
void hale_locus_yield(void);
void hale_locus_sleep(int64_t ns);

/* Tick points for the bus: after a handler ran on `l`, and when dispatch is done with it (a
 * locus that terminated in a handler is reclaimed there). */
void hale_locus_tick(hale_locus *l);
void hale_locus_after_handler(hale_locus *l);

/* `check_closures();`: the explicit-epoch closures of `l`. */
void hale_locus_check_explicit(hale_locus *l);

/* ---- closures and supervision (supervise.c) ---- */

/* Called by generated closure code for each closure that does not hold (or is fired by
 * `violate`). Strings need only live for the call. For `violate` (inline), the locus is marked
 * draining and its failure is routed to its parent before the caller returns from the method. */
typedef struct {
    const char *closure;
    unsigned epoch; /* one HALE_EPOCH_* bit, or 0 for inline */
    double left, right, tolerance;
    bool has_values;
    hale_str captures;
} hale_closure_report;

void hale_locus_closure_failed(hale_locus *l, const hale_closure_report *r);
void hale_locus_violate(hale_locus *l, const hale_closure_report *r);

/* The recovery primitives, called from on_failure with its child. They record what happens to
 * the child once the handler returns. `bubble` passes the failure on to the handler's own
 * parent (the handler returns right after). Plain return absorbs. */
void hale_locus_restart(hale_locus *child);
void hale_locus_restart_in_place(hale_locus *child);
void hale_locus_quarantine(hale_locus *child, int64_t for_ns); /* for_ns < 0: indefinitely */
void hale_locus_dissolve_child(hale_locus *child);
void hale_locus_bubble(void);

/* Restart intensity: at most `max` restarts of one child within `within_ns` (0: the child's
 * lifetime). Past it, the restart is not made and `exceeded` applies. Defaults: Hale's (2 per
 * lifetime, the child is then dissolved); HALE_RESTART_INTENSITY="N" or "N/DURATION" (e.g.
 * "5/10s") and HALE_RESTART_EXCEEDED=dissolve|absorb|bubble override them. */
typedef enum { HALE_EXCEEDED_DISSOLVE, HALE_EXCEEDED_ABSORB, HALE_EXCEEDED_BUBBLE } hale_exceeded;
void hale_locus_set_intensity(int max, int64_t within_ns, hale_exceeded exceeded);

/* Exit statuses of a program that runs loci. */
enum {
    HALE_EXIT_FAILURE = 70,       /* a failure bubbled past the root (report on stderr) */
    HALE_EXIT_SECOND_SIGNAL = 128 /* + the signal: a second SIGINT/SIGTERM during drain */
};

/* ---- the program (program.c) ---- */

/* ---- placement (place.c) ---- */

/* The pool a locus runs on (never NULL). */
struct hale_pool *hale_locus_pool(const hale_locus *l);

/* Runs `entry` (the generated `fn main`) on the main pool's coroutine, under the root locus:
 * signals drain the tree, readiness and the watchdog go to the supervisor. Returns the exit
 * status. */
int hale_program_run(void (*entry)(void));

#endif
