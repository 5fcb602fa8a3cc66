/* Types and the checked program.
 *
 * Structural types (arrays, bounded lists, tuples, function types) are interned, so two types
 * are equal exactly when their pointers are; records, enums and loci are nominal and point at
 * their declaration. The checker (check*.c) annotates the tree (ast.h) with these types and the
 * facts the emitter needs: what each name refers to, which expressions allocate, which loops can
 * reset their scratch per iteration. TY_ERROR stands for "already reported" and is compatible
 * with everything, so one mistake gives one message. */
#ifndef HALE_COMPILER_TYPES_H
#define HALE_COMPILER_TYPES_H

#include "ast.h"

typedef enum {
    TY_ERROR,
    TY_UNIT,
    TY_NEVER, /* an expression that does not produce a value (return, exit) */
    TY_INT,
    TY_FLOAT,
    TY_BOOL,
    TY_STRING,
    TY_DURATION,
    TY_BYTES,
    TY_TIME,
    TY_DECIMAL,
    TY_UINT,
    TY_RECORD,
    TY_ENUM,
    TY_LOCUS,
    TY_ARRAY,   /* elem; len >= 0 for [T; N], -1 for [T] */
    TY_BOUNDED, /* elem; len = capacity */
    TY_TUPLE,   /* items */
    TY_FN,      /* items = parameters, elem = result */
    TY_TOPIC,   /* a topic used as a value (left of <-) */
    TY_CELL,    /* Cell<T>: a handle to a cell of a capacity slot; elem = T */
    TY_IFACE,   /* an interface value: a locus that has the interface's methods */
} hc_type_kind;

struct hc_type {
    hc_type_kind kind;
    hc_decl *decl; /* TY_RECORD / TY_ENUM / TY_LOCUS / TY_TOPIC */
    hc_type *elem;
    int64_t len;
    hc_type **items;
    int nitems;
    int id;            /* unique per type: C names of generated helpers use it */
    int heap;          /* holds pointers into a region (String, Bytes, arrays, ...) */
    const char *cname; /* emitter: the C type name */
    int emitted;       /* emitter */
    int json_emitted;  /* emitter (emit_json.c): 1 the writer, 2 the reader exist */
};

typedef struct hc_types hc_types;
typedef struct hc_bus_plan hc_bus_plan; /* bus_plan.h */

/* Everything one compilation knows: seeds, declarations, types, diagnostics. */
typedef struct {
    hc_arena *a;
    hc_diags *d;
    HC_VEC(hc_seed *) seeds;
    hc_seed *root;
    hc_seed *std; /* the built-in seed (CapacityError, IndexError, ParseError) */
    hc_types *types;
    hc_decls fns;     /* every checked function and locus method, in check order */
    hc_decls records; /* every record, dependencies first (for C struct order) */
    hc_decls enums;
    hc_decls loci;
    hc_decl *main_fn;
    hc_decl *main_locus;
    int nfuncs;
    int parse_errors;           /* lexer and parser errors: the tree is partial, not checked */
    hc_bus_plan *bus;           /* the topic table and each topic's lowering (after checking) */
    struct hc_memory *mem;      /* the project's [memory] settings (project.c), or NULL */
    struct hc_escapes *escapes; /* escape sites and their lowerings (escape.c) */
    int phase; /* hc_check's pass (CK_PHASE_*): what a declaration made now has missed */
} hc_program;

hc_types *hc_types_new(hc_arena *a);
hc_type *hc_ty_prim(hc_types *t, hc_type_kind k);
hc_type *hc_ty_array(hc_types *t, hc_type *elem, int64_t len);
hc_type *hc_ty_bounded(hc_types *t, hc_type *elem, int64_t cap);
hc_type *hc_ty_tuple(hc_types *t, hc_type **items, int n);
hc_type *hc_ty_fn(hc_types *t, hc_type **params, int n, hc_type *ret);
hc_type *hc_ty_nominal(hc_types *t, hc_type_kind k, hc_decl *d);
hc_type *hc_ty_cell(hc_types *t, hc_type *elem);
/* Every interned structural type, in creation order (elements before their containers). */
int hc_types_count(hc_types *t);
hc_type *hc_types_at(hc_types *t, int i);

/* The type as the user writes it: Int, [String], bounded[Int; 4], Point, fn(Int) -> Bool. */
const char *hc_type_name(hc_arena *a, const hc_type *t);

int hc_ty_is_numeric(const hc_type *t);
/* Whether a value of `from` may be used where `to` is expected (without widening). */
int hc_ty_assignable(const hc_type *from, const hc_type *to);
/* Whether a value of `t` holds an array anywhere (arrays are copied on a mutable binding). */
int hc_ty_has_array(const hc_type *t);
/* Recomputes `heap` for a record after its fields are known. */
void hc_ty_set_heap(hc_type *t, int heap);

#endif
