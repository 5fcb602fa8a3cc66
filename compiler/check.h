/* The type checker: declarations, function bodies, loci.
 *
 * hc_check annotates the whole tree of a loaded program (see ast.h "checker:" fields) and
 * reports every error it can find. It never stops at the first error: a wrong expression gets
 * TY_ERROR, which is compatible with everything, so the rest of the program is still checked
 * without cascades. */
#ifndef HALE_COMPILER_CHECK_H
#define HALE_COMPILER_CHECK_H

#include "builtins.h"
#include "resolve.h"
#include "types.h"

/* Checks the loaded program. Errors go to the program's diagnostics. */
void hc_check(hc_program *P);

/* Placement, valid after hc_check (check_place.c). The pool every instance of `locus` runs on:
 * "main" (the main thread), a cooperative pool's name ("io"), "pinned:<field>" for a pinned
 * parameter of `main`; "*" when instances run on several pools; NULL when the program never
 * makes one. Two loci whose pools are equal and not "*" run on the same thread. */
const char *hc_place_pool(const hc_decl *locus);
/* The `placement { }` entry of the main locus's parameter `field`, or NULL; and the pool name it
 * gives (as above). */
hc_placement *hc_place_entry(hc_program *P, const char *field);
const char *hc_place_entry_pool(hc_program *P, hc_placement *pl);

/* ---- internal to check*.c ---- */

typedef struct hc_scope {
    struct hc_scope *up;
    HC_VEC(hc_local *) locals;
    /* past a few locals, a hash index of them by name (open addressing, cap a power of two),
     * so that a function of 100k `let`s checks in linear time */
    hc_local **index;
    int index_cap;
} hc_scope;

typedef struct hc_loop {
    hc_stmt *stmt;
    int depth;     /* loop depth inside this loop's body */
    int allocates; /* the body allocates in the function's scratch */
    int escapes;   /* a heap value made in the body is stored in a variable from outside it */
    int has_break;
    struct hc_loop *up;
} hc_loop;

typedef struct {
    hc_program *P;
    hc_seed *seed;
    hc_decl *fn;    /* the function or method whose body is checked (NULL: constant context) */
    hc_decl *locus; /* the enclosing locus, for methods and members */
    hc_type *ret;
    hc_type *err;          /* the fallible error type, or NULL */
    const char *lifecycle; /* birth/run/...: a lifecycle method */
    int in_failure;        /* inside on_failure */
    hc_scope *sc;
    hc_loop *loop;
    int loop_depth;
    int nlocals;
    int allocates;
    hc_expr *locus_ok; /* the one expression here that may be a locus literal */
} hc_ctx;

/* shorthands */
#define TY(c, k) hc_ty_prim((c)->P->types, (k))
#define TNAME(c, t) hc_type_name((c)->P->a, (t))

/* @form on a locus, checked (check_form.c). */
typedef enum { FORM_VEC = 1, FORM_HASHMAP, FORM_RING, FORM_LRU } hc_form_kind;

typedef enum {
    FM_PUSH,
    FM_GET,
    FM_SET,
    FM_POP,
    FM_LEN,
    FM_IS_EMPTY,
    FM_SORT,
    FM_SORT_BY,
    FM_SORT_DESC_BY,
    FM_HAS,
    FM_REMOVE,
    FM_KEY_AT,
    FM_ENTRY_AT,
    FM_BUMP,
    FM_IS_FULL,
    FM_PUT,
    FM_CONTAINS,
} hc_form_method;

/* Capacity slot operations (REF_SLOT). */
typedef enum { SLOT_ALLOC, SLOT_FREE, SLOT_ACQUIRE, SLOT_RELEASE } hc_slot_op;

struct hc_form {
    hc_form_kind kind;
    hc_slot *slot;             /* the capacity slot the form lays out */
    hc_type *elem;             /* the cell type */
    hc_type *key;              /* hashmap, lru_cache: the `indexed_by` field's type */
    const char *key_field;     /* ... and its name */
    const char *counter_field; /* hashmap: the Int field `bump` counts in, or NULL */
    int64_t cap;               /* ring_buffer, lru_cache; hashmap: a size hint (unused) */
    int shared;                /* hashmap `sync = serialized | lockfree`: callable from any pool */
};

/* check.c */
/* A zeroed context for checking in `seed` (and inside `locus` when not NULL). */
void ck_init_ctx(hc_ctx *c, hc_program *P, hc_seed *seed, hc_decl *locus);
hc_type *ck_texpr(hc_program *P, hc_seed *seed, hc_decl *locus, hc_texpr *t);
void ck_decl_signature(hc_program *P, hc_decl *d);
void ck_function(hc_program *P, hc_decl *fn);
hc_expr *ck_fold_const(hc_ctx *c, hc_expr *e, int report);
void ck_check_const(hc_program *P, hc_decl *d);

/* check_expr.c */
hc_type *ck_expr(hc_ctx *c, hc_expr *e, hc_type *expect);
hc_type *ck_expr_fallible(hc_ctx *c, hc_expr *e, hc_type *expect);
/* `self.f` / `c.f` of a heap-typed field: a read `or` may guard (see escape.h). */
int ck_guardable_read(hc_expr *e);
/* Checks `e` against `to` (with Int-to-Float widening); reports "expected ..., found ...". */
int ck_coerce(hc_ctx *c, hc_expr *e, hc_type *from, hc_type *to, const char *what);
void ck_alloc(hc_ctx *c, hc_expr *e);
hc_local *ck_declare(hc_ctx *c, const char *name, hc_pos pos, hc_type *ty, int is_mut);
hc_local *ck_lookup(hc_ctx *c, const char *name);
void ck_push_scope(hc_ctx *c, hc_scope *sc);
void ck_pop_scope(hc_ctx *c);
int ck_printable(hc_type *t);
hc_decl *ck_record_field(hc_type *t, const char *name, int *index);
/* The index of enum `en`'s variant `name`, or -1. */
int ck_find_variant(hc_decl *en, const char *name);
hc_decl *ck_locus_param(hc_decl *locus, const char *name, int *index, hc_type **ty);
/* Records that a heap value of type `t` is stored into `root` (the local at the root of an
 * assignment target), which stops per-iteration scratch resets of loops it outlives. */
void ck_note_store(hc_ctx *c, hc_local *root, hc_type *t);
hc_local *ck_place_root(hc_expr *e);
void ck_suggest_name(hc_ctx *c, hc_diag *g, const char *name);

/* Resolving a (possibly qualified) name outside the local scope. */
typedef enum { RS_NONE, RS_DECL, RS_VARIANT, RS_BUILTIN } hc_rs_kind;
typedef struct {
    hc_rs_kind kind; /* RS_BUILTIN with `decl` set: T::from_json / T::to_json on record `decl` */
    hc_decl *decl;
    int variant;
    const hc_builtin *builtin;
} hc_resolved;
int ck_resolve_path(hc_ctx *c, hc_path *p, hc_resolved *out, int report);

/* check_call.c */
hc_type *ck_call(hc_ctx *c, hc_expr *e, hc_type *expect);
hc_type *ck_struct_lit(hc_ctx *c, hc_expr *e);

/* check_stmt.c */
hc_type *ck_block(hc_ctx *c, hc_block *b, hc_type *expect, int need_value);
hc_type *ck_if(hc_ctx *c, hc_expr *e, hc_type *expect, int need_value);
hc_type *ck_match(hc_ctx *c, hc_expr *e, hc_type *expect, int need_value);
hc_type *ck_unify(hc_ctx *c, hc_type *a, hc_type *b, hc_pos at, const char *what);

/* check_form.c */
void ck_form_decl(hc_program *P, hc_decl *locus);
/* A call of a method a locus's @form synthesizes, or NULL when `e` is not one. */
hc_type *ck_form_call(hc_ctx *c, hc_expr *e, hc_type *recv);
/* The element type of `v.<slot>` walked by `for` over a vec or hashmap form, or NULL when `e` is
 * not one (e is checked either way). */
hc_type *ck_form_iter(hc_ctx *c, hc_expr *e);
/* `self.<slot>.<op>(...)`, or NULL when `e` is not one. */
hc_type *ck_slot_call(hc_ctx *c, hc_expr *e);
/* The capacity slot of `locus` named `name`, or NULL. */
hc_slot *ck_slot_named(hc_decl *locus, const char *name);
/* The type of a slot's cells. */
hc_type *ck_slot_type(hc_program *P, hc_decl *locus, hc_slot *s);

/* check_place.c: pools, direct calls across pools, the birth-order trap */
void ck_place(hc_program *P);
/* The top-level loop of the type's run() that never ends (`while true`, `while !self.draining`,
 * a Bool flag nothing assigns) and that nothing leaves, or NULL. */
hc_stmt *ck_endless_run(hc_program *P, hc_decl *locus);
/* For a parameter child of `d` (a locus on the main thread) that stays there (main's placement
 * does not send it elsewhere): its run()'s never-ending loop, or NULL. */
hc_stmt *ck_main_thread_endless(hc_program *P, hc_decl *d, hc_locus_param *lp);

/* check_starve.c: cooperative pool starvation (after placement) */
void ck_starvation(hc_program *P);
/* The `key = value` argument named `key` of a placement or binding, or NULL. */
hc_kwarg *ck_kwarg(hc_kwargs *kws, const char *key);

/* check_locus.c */
void ck_locus_signature(hc_program *P, hc_decl *locus);
void ck_locus_bodies(hc_program *P, hc_decl *locus);
/* Loci that contain each other through their locus-typed parameters (A holds a B that holds an
 * A): every instance would need an endless tree of children. Runs after every signature. */
void ck_locus_cycles(hc_program *P);
void ck_topic(hc_program *P, hc_decl *topic);
hc_decl *ck_locus_method(hc_decl *locus, const char *name);

/* check_accum.c: `sum(e)`, `mean(e)`, `count()` in closure assertions */
void ck_accum_rewrite(hc_program *P, hc_decl *locus, hc_decl *closure);
int ck_accumulators(hc_decl *locus); /* how many a locus type's closures keep */
hc_type *ck_reduce(hc_ctx *c, hc_expr *e);

/* check_effects.c: `effect` declarations, @effects(...) and its @no_* sugar, @phase_effects,
 * @no_panic (after every body) */
void ck_effects(hc_program *P);

/* check_ffi.c: `@ffi("c")` declarations */
hc_annot *hc_ffi_annot(hc_decl *fn); /* the fn's `@ffi(...)`, or NULL */
void ck_ffi(hc_program *P, hc_decl *fn);

/* check_topology.c: main's `topology { }` and the placements that target it */
void ck_topology(hc_program *P, hc_decl *locus, hc_decl *t);
void ck_topology_refs(hc_program *P, hc_decl *locus); /* `node =` / `l3 =` name declared ones */
hc_decl *hc_topology(hc_program *P);                  /* main's topology block, or NULL */
/* The cores of a static core set (`A..B`, `A..=B`, `{a, b}`, one Int) into out[max]; the count. */
int hc_core_set(hc_expr *v, int *out, int max);
/* The cores a placement's `node = N` or `l3 = name` stands for. */
int hc_topology_cores(hc_program *P, hc_kwarg *kw, int *out, int max);

/* check_persp.c: perspectives, `serves`, the `perspective(P)` slot type, `reperspective` */
void ck_perspective(hc_program *P, hc_decl *d);
void ck_serves_all(hc_program *P); /* every `L : serves P` (after the loci's signatures) */
int ck_serves(hc_program *P, hc_decl *locus, hc_decl *persp);
/* 1: `from` may be held where `to` is expected (an impl of the perspective), 0: it may not,
 * -1: `to` is not a perspective type. */
int ck_persp_coerce(hc_ctx *c, hc_type *from, hc_type *to);
int ck_reperspective(hc_ctx *c, hc_stmt *s);

/* check_kmax.c: `r.k_max` of a locus with the parameters B, c, sigma and phi (rewritten into a
 * std::math::k_max call; NULL when `e` is not one) */
hc_type *ck_k_max(hc_ctx *c, hc_expr *e, hc_type *locus);

/* check_decimal.c: Decimal literals and operators */
/* Reads a Decimal literal's text into its scale-9 mantissa; 1 when it has more than nine
 * fraction digits, 2 when it does not fit, else 0. */
int hc_decimal_literal(const char *text, int64_t *hi, uint64_t *lo);
hc_type *ck_decimal_literal(hc_ctx *c, hc_expr *e);
/* The type of a binary operator with a Decimal side (an error reported when it is not defined),
 * or NULL when neither side is a Decimal or the ordinary rules apply (String concatenation). */
hc_type *ck_decimal_binary(hc_ctx *c, hc_expr *e, hc_type *a, hc_type *b);

#endif
