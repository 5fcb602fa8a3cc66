/* The advisory analyses of `hale check` (DESIGN.md section 9, the Performance chapter): what a
 * service author should hear about memory and descriptors before measuring RSS.
 *
 * They run after a clean check, read the annotated tree, and report warnings tagged with their
 * check's name (hc_advisory): they never fail a check and never change what is built.
 *
 *   unbounded-alloc  (on by default) storage that grows with every message or every iteration
 *                    of a loop bounded only at run time and is not given back until its holder
 *                    goes: inserts into a `@form(vec)` / `@form(hashmap)`, resident children
 *                    kept by their owner, a String grown from its own old value. A run-to-exit
 *                    program (no `run()` and no bus handler anywhere) is exempt; `@unbounded` on
 *                    a function or hook acknowledges an intended accumulation.
 *   resource-leak    (--warn-resource-leak) a descriptor from listen/accept/connect kept where
 *                    such contexts pile them up: a resident child, a `self` field overwritten
 *                    without a close, a growing collection.
 *   resource budget  (--dump-resource-budget, --check-resource-budget FILE) the program's static
 *                    resource surface: pinned threads, cooperative pools, bus subjects, fd
 *                    acquisition sites; and a ceiling file that fails the check when one grows
 *                    past its ceiling.
 *
 * Why these shapes and not Hale's whole-value replace. Hale's arena bump-allocates every value
 * stored into `self`, so `self.latest = Thing { ... }` per message grows its locus. Here a store
 * into a locus's state goes through the locus's heap (hale_value_replace_heap), which gives the
 * old value back: a replace costs a copy, not memory (tests/golden/memory/replace_record.hl holds
 * a record with an array replaced per message flat; steady_state.hl a String). What does grow here
 * is what the analysis looks for.
 *
 * The shared part (analyze_ctx.c) answers "does this code run without bound, and why": a bus
 * handler runs once per message, a loop whose bound is not a constant runs as often as the data
 * says, and a function called from either is as unbounded as its caller. */
#ifndef HALE_COMPILER_ANALYZE_H
#define HALE_COMPILER_ANALYZE_H

#include "bus_plan.h"
#include "check.h"

typedef struct {
    int unbounded_alloc; /* the default; --no-warn-unbounded-alloc turns it off */
    int resource_leak;   /* --warn-resource-leak */
} hc_analyze_opts;

/* Runs the analyses `o` asks for over a program that checked without errors. */
void hc_analyze(hc_program *P, const hc_analyze_opts *o);

/* ---- the resource budget (analyze_budget.c) ---- */

typedef struct {
    HC_VEC(hc_placement *) pinned; /* `pinned` entries of main's placement */
    HC_VEC(hc_placement *) pools;  /* the first `cooperative` entry naming each pool but main */
    HC_VEC(hc_bus_topic *) subjects;
    HC_VEC(hc_expr *) fd_sites; /* calls that make a descriptor: tcp listen, accept, connect */
} hc_budget;

void hc_budget_count(hc_program *P, hc_budget *b);
/* The counts with their names, one line each (or one JSON object). */
void hc_budget_print(hc_program *P, const hc_budget *b, hc_buf *out, int json);
/* Reads the ceiling file at `path` (keys pinned_threads, cooperative_pools, bus_subjects,
 * fd_sites, each optional) and reports every count past its ceiling as an error at its key in
 * the file. Returns 0 when the file was read (whatever it found), -1 when it could not be read
 * or is not a budget file (reported as an error naming the file and line). */
int hc_budget_check(hc_program *P, const hc_budget *b, const char *path);

/* ---- internal to analyze*.c ---- */

/* Why code runs without bound. */
typedef enum {
    AN_HANDLER, /* the body of a bus handler: once per message */
    AN_LOOP,    /* the body of a loop whose bound is only known at run time */
    AN_CALL,    /* a function called from code that runs without bound */
} an_why_kind;

typedef struct an_why an_why;
struct an_why {
    an_why_kind kind;
    hc_decl *fn; /* HANDLER: the handler; LOOP: the function with the loop; CALL: the callee */
    hc_bus_item *item; /* HANDLER: its subscribe entry */
    hc_stmt *loop;     /* LOOP */
    hc_expr *site;     /* CALL: the call (or the locus literal whose accept hook runs) */
    const an_why *up;  /* CALL: why the caller runs without bound */
};

/* A walk of every function body of the program, with the context each piece of code runs in.
 * `fn_why` is why the whole body runs without bound (NULL: once per call of something bounded);
 * `loops` are the enclosing loops with no constant bound, outermost first, each with the loop
 * depth of its body (as hc_local.depth counts). Functions marked `@unbounded` are skipped. */
typedef struct an_walk an_walk;
struct an_walk {
    hc_program *P;
    hc_decl *fn;
    const an_why *fn_why;
    struct {
        an_why *why;
        int depth;
    } loops[16];
    int nloops;
    int depth;                /* loop depth at hand */
    hc_stmt *stmt;            /* the statement at hand */
    HC_VEC(hc_expr *) nested; /* locus literals that are parameter children of another one */
    int (*expr)(an_walk *w, hc_expr *e); /* HC_WALK_* like hc_walker's; either may be NULL */
    int (*on_stmt)(an_walk *w, hc_stmt *s);
    void *ctx;
};

/* Whether the program has nothing long-lived: a `fn main` and no `run()` and no bus handler. */
int an_run_to_exit(hc_program *P);
/* Works out which functions run without bound (from handlers, loops and calls), then walks every
 * body with w->expr / w->on_stmt. */
void an_walk_program(an_walk *w);
/* Why code whose storage is rooted at `root` (NULL: `self`, a parameter or anything that outlives
 * the call) keeps what it stores beyond the unbounded context at hand; NULL when it does not. */
const an_why *an_escapes(const an_walk *w, hc_local *root);
/* "on every message to `on_tick`", "on every iteration of a loop bounded only at run time", ... */
const char *an_why_text(hc_arena *a, const an_why *why);
/* Adds the notes that show where `why` comes from (the subscription, the loop, the calls). */
void an_why_notes(hc_diag *g, const an_why *why);
/* Where an unbounded context starts: the handler or loop at the end of its calls. */
const an_why *an_why_root(const an_why *why);
/* The function a diagnostic should suggest `@unbounded` on: the handler, or the function that
 * holds the loop, where the unbounded context starts. */
hc_decl *an_why_fn(const an_why *why);
/* Whether a locus literal is a parameter child of another literal (it lives as its parent). */
int an_nested_child(const an_walk *w, hc_expr *lit);
/* `owner`'s `accept` or `release` hook (`hook`) for children of type `child`, or NULL. */
hc_decl *an_hook_for(hc_decl *owner, const char *hook, hc_decl *child);
/* The root local of an assignment target or receiver (`v` in `v.a[i]`), NULL for anything else;
 * *through_self is set when the chain starts at `self`. */
hc_local *an_place_root(hc_expr *e, int *through_self);
/* Whether `e` and `f` name the same place (`self.a.b`, `v.x`). */
int an_same_place(hc_expr *e, hc_expr *f);
/* A place as the program spells it (`self.log`, `v[...]`), and its span in the source. */
const char *an_place_text(hc_arena *a, hc_expr *e);
hc_pos an_place_pos(hc_expr *e);
/* Whether a call in `fn`'s body matches `match` for `place` (a length check on it, a close). */
int an_body_calls(hc_decl *fn, int (*match)(hc_expr *call, hc_expr *place), hc_expr *place);
/* The form of a call that grows one: `push` on a `@form(vec)`, `set` or `bump` on a
 * `@form(hashmap)` (ring buffers and lru caches hold at most their capacity); NULL otherwise. */
hc_form *an_growing_insert(hc_expr *e);

/* analyze_unbounded.c, analyze_leak.c */
void an_unbounded_alloc(hc_program *P);
void an_resource_leak(hc_program *P);
/* How a locus literal's child is kept (analyze_unbounded.c): the context whose every run adds
 * one that is not given back, or NULL. `*by_owner` is set when the owner keeps it until it
 * dissolves (else the enclosing function keeps it until it returns). */
const an_why *an_kept_child(an_walk *w, hc_expr *lit, int *by_owner);
/* The descriptor-making call in `e` (`std::io::tcp::accept(l) or -1`), or NULL. */
hc_expr *an_fd_call(hc_expr *e);

#endif
