/* Internal to the checker (check*.c): the context a body is checked in, its scopes and loops,
 * and the functions the checker's files share. Other phases read the checker's results through
 * check.h and the annotations on the tree (ast.h "checker:" fields). */
#ifndef HALE_COMPILER_CHECK_IMPL_H
#define HALE_COMPILER_CHECK_IMPL_H

#include "check.h"

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

/* check.c */
/* A zeroed context for checking in `seed` (and inside `locus` when not NULL). */
void ck_init_ctx(hc_ctx *c, hc_program *P, hc_seed *seed, hc_decl *locus);
hc_type *ck_texpr(hc_program *P, hc_seed *seed, hc_decl *locus, hc_texpr *t);
/* The primitive type spelt `name` (Int, String, ...), or NULL. */
hc_type *ck_prim_named(hc_program *P, const char *name);
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
/* Whether t is one of the built-in seed's interfaces (std::http::Handler, RouteHandler,
 * Middleware): any locus with their methods coerces to it. */
int ck_std_interface(hc_ctx *c, hc_type *t);
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
hc_type *ck_struct_lit(hc_ctx *c, hc_expr *e, hc_type *expect);

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

/* check_locus.c */
void ck_locus_signature(hc_program *P, hc_decl *locus);
void ck_locus_bodies(hc_program *P, hc_decl *locus);
/* Loci that contain each other through their locus-typed parameters (A holds a B that holds an
 * A): every instance would need an endless tree of children. Runs after every signature. */
void ck_locus_cycles(hc_program *P);
void ck_topic(hc_program *P, hc_decl *topic);

/* check_generic.c: generic templates and their instances */
/* Takes the templates out of their seeds' declaration lists (their instances are checked). */
void ck_generic_templates(hc_program *P);
/* The instance of `tmpl` for `args` (made and checked on first use), or NULL (reported). */
hc_decl *ck_instance(hc_program *P, hc_decl *tmpl, hc_type **args, hc_pos at);
/* Notes on every diagnostic given since `mark` (hc_diag_total) while checking `fn` when it belongs
 * to an instance: which instance, and where it was needed. */
void ck_instance_notes(hc_program *P, hc_decl *fn, int mark);
/* hc_seed_lookup, and an instance spelt by its name (`Box_Int`). */
hc_decl *ck_seed_lookup(hc_program *P, hc_seed *seed, const char *name);
/* Type expression `t` naming declaration `d`: its instance when `d` is generic, NULL when it is
 * not (type arguments on a declaration that takes none are reported). */
hc_type *ck_generic_texpr(hc_program *P, hc_seed *seed, hc_decl *locus, hc_texpr *t, hc_decl *d);
/* A call of generic function `tmpl`: checks the arguments (their types into pre[]) and returns
 * the instance their types (and the expected result) select, or NULL (reported). */
hc_decl *ck_generic_call(hc_ctx *c, hc_expr *e, hc_decl *tmpl, hc_type *expect, hc_type **pre);
/* Generic function `tmpl` used as a value where a function type is expected: the instance that
 * type selects, or NULL (reported). */
hc_decl *ck_generic_value(hc_ctx *c, hc_expr *e, hc_decl *tmpl, hc_type *expect);
/* A literal of generic record or locus `tmpl`: the instance the expected type names or the
 * values given select (inits it checked have their types in pre[]), or NULL (reported). */
hc_decl *ck_generic_literal(hc_ctx *c, hc_expr *e, hc_decl *tmpl, hc_type *expect, hc_type **pre);
/* check_iface.c: structural interfaces */
/* The interface's method signatures (checked once, on first need). */
void ck_iface_signature(hc_program *P, hc_decl *iface);
/* The interface's method `name` and its slot, or NULL. */
hc_decl *ck_iface_method(hc_program *P, hc_decl *iface, const char *name, int *slot);
/* The type a function's parameter written `t` has: the interface std::http::Handler for the
 * standard library's handler locus, else `t`. */
hc_type *ck_iface_std_param(hc_program *P, hc_type *t);
/* ck_coerce of locus type `from` to interface `to`: 1 it is one (e converts there), 0 it is not
 * (reported), -1 `from` is not a locus at all. */
int ck_iface_coerce(hc_ctx *c, hc_expr *e, hc_type *from, hc_type *to, const char *what);
/* check_params.c: locus parameters without defaults */
/* The default of a record parameter written without one (`cfg: Config;`) when every field of
 * the record has a default (`Config { }`, checked), else NULL: the parameter is required. */
hc_expr *ck_default_record(hc_ctx *c, hc_texpr *t, hc_type *want);
/* Reports the required parameters of `locus` a literal leaves out (given[k]: the k-th is given). */
void ck_required_params(hc_ctx *c, hc_expr *lit, hc_decl *locus, const char *given);
/* `self` in the default of parameter `lp` of `locus`: only fields of the parameters before it
 * are read (the locus is not born yet), anything else is reported. */
void ck_default_self(hc_ctx *c, hc_decl *locus, hc_locus_param *lp);
/* A literal gives locus parameter `name` of `locus` a locus by reference (a value, not a
 * literal) at `at`; reported when an assignment replaces that parameter. */
void ck_param_given_ref(hc_ctx *c, hc_decl *locus, const char *name, hc_pos at);
/* An assignment at `at` replaces the locus parameter `name` holds: 1 when that is refused
 * (reported): it has no default, or some literal gives it a locus by reference. */
int ck_param_replaced(hc_ctx *c, hc_decl *locus, const char *name, hc_pos at);
/* check.c: runs on a declaration made during checking (an instance) the passes it missed. */
void ck_catch_up(hc_program *P, hc_decl *d);

/* check_accum.c: `sum(e)`, `mean(e)`, `count()` in closure assertions */
void ck_accum_rewrite(hc_program *P, hc_decl *locus, hc_decl *closure);
hc_type *ck_reduce(hc_ctx *c, hc_expr *e);

/* check_effects.c: `effect` declarations, @effects(...) and its @no_* sugar, @phase_effects,
 * @no_panic (after every body) */
void ck_effects(hc_program *P);

/* check_ffi.c: `@ffi("c")` declarations */
void ck_ffi(hc_program *P, hc_decl *fn);

/* check_topology.c: main's `topology { }` and the placements that target it */
void ck_topology(hc_program *P, hc_decl *locus, hc_decl *t);
void ck_topology_refs(hc_program *P, hc_decl *locus); /* `node =` / `l3 =` name declared ones */
hc_decl *hc_topology(hc_program *P);                  /* main's topology block, or NULL */

/* check_persp.c: perspectives, `serves`, the `perspective(P)` slot type, `reperspective` */
void ck_perspective(hc_program *P, hc_decl *d);
void ck_serves_all(hc_program *P); /* every `L : serves P` (after the loci's signatures) */
/* 1: `from` may be held where `to` is expected (an impl of the perspective), 0: it may not,
 * -1: `to` is not a perspective type. */
int ck_persp_coerce(hc_ctx *c, hc_type *from, hc_type *to);
int ck_reperspective(hc_ctx *c, hc_stmt *s);

/* check_kmax.c: `r.k_max` of a locus with the parameters B, c, sigma and phi (rewritten into a
 * std::math::k_max call; NULL when `e` is not one) */
hc_type *ck_k_max(hc_ctx *c, hc_expr *e, hc_type *locus);

/* check_decimal.c: Decimal literals and operators */
hc_type *ck_decimal_literal(hc_ctx *c, hc_expr *e);
/* The type of a binary operator with a Decimal side (an error reported when it is not defined),
 * or NULL when neither side is a Decimal or the ordinary rules apply (String concatenation). */
hc_type *ck_decimal_binary(hc_ctx *c, hc_expr *e, hc_type *a, hc_type *b);

#endif
