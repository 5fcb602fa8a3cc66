/* Internal to the emitter (emit*.c): its state while writing one program, and the functions its
 * files share. */
#ifndef HALE_COMPILER_EMIT_IMPL_H
#define HALE_COMPILER_EMIT_IMPL_H

#include "emit.h"

/* A field of a generated designated initializer; a NULL (or "NULL") value is left out, since C
 * zero-initializes what is not named. */
typedef struct {
    const char *field;
    const char *value;
} em_field_init;

/* `static const TYPE NAME = {` then one `.field = value,` a line, then `};`: generated tables
 * that read as tables. */
void em_initializer(hc_buf *b, const char *type, const char *name, const em_field_init *fields,
                    int n);

/* A vec's cursor in the loops being emitted (emit_vec_loop.c): the receiver's locus type, its
 * local (NULL: `self`) and the cursor's C name. */
#define EM_MAX_CURSORS 4
typedef struct {
    hc_type *ty;
    hc_local *local;
    const char *name;
} em_cursor;

typedef struct {
    hc_program *P;
    hc_arena *a;
    hc_buf types;   /* typedefs and struct definitions */
    hc_buf descs;   /* type descriptors */
    hc_buf protos;  /* prototypes of helpers and functions */
    hc_buf helpers; /* helper bodies */
    hc_buf funcs;   /* function bodies */
    int errors;
    /* the function being emitted */
    hc_decl *fn;
    int allocating; /* it has a scratch mark to reset on exit */
    int fallible;
    int direct_return; /* `return x;` is enough (nothing to copy or reset) */
    int publishes;     /* the function sends on a topic the bus queues: its return settles */
    int tmp;
    int indent;
    unsigned char *tflags; /* emit_types.c: helpers generated, per type id */
    int ntflags;
    int unsupported_kinds; /* bit per type kind already reported in this function */
    /* loci */
    const char *self_text; /* C text of `self` (NULL outside locus methods) */
    const char *at_text;   /* C text of the locus instantiating here ("NULL": the current one) */
    int has_defer;         /* the function keeps a list of `let`-held loci (`hdefer`) */
    int loop_depth;        /* loops around the statement being emitted */
    hc_buf *frame_decls;   /* declarations at the top of the function (light loci's states) */
    em_cursor cursors[EM_MAX_CURSORS]; /* vec cursors of the loops around (emit_vec_loop.c) */
    int ncursors;
    const char *light_let; /* the state a light `let` literal is built in (em_let), or NULL */
    int light_stmt;        /* the literal is a statement of its own (em_stmt) */
    /* placement (emit_place.c) */
    const char *next_pool; /* C expression of the pool of the literal about to be emitted */
    int next_replica;      /* ... and its replica index (`replicas = K`; 0 for the first) */
    int place_done;        /* the pools helper exists */
    hc_decls persp_done;   /* contract methods whose dispatcher exists (emit_persp.c) */
    hc_names vtables;      /* emit_iface.c: the interface tables made so far */
} hc_emit;

/* emit_iface.c: interface values */
/* `e` (a locus) as a value of interface type `it`; a literal held as `how` (HALE_HOW_*) when not
 * NULL. */
void em_iface_value(hc_emit *E, hc_buf *b, hc_expr *e, hc_type *it, const char *how);
/* The C callee of a method called on the interface value held in C variable `v` (the call
 * passes `v.self` as the method's `self`; REF_IFACE_METHOD). */
const char *em_iface_callee(hc_emit *E, hc_expr *call, const char *v);

/* emit.c */
void em_unsupported(hc_emit *E, hc_pos at, const char *what);
void em_indent(hc_emit *E, hc_buf *b);
const char *em_fn_name(hc_emit *E, hc_decl *fn);
const char *em_tmp(hc_emit *E, const char *prefix);
int em_has_value(hc_type *t); /* a value C can hold (not unit, `!` or an error type) */

/* emit_types.c */
const char *em_ctype(hc_emit *E, hc_type *t);
const char *em_copy_fn(hc_emit *E, hc_type *t); /* deep copy into a region */
const char *em_fmt_fn(hc_emit *E, hc_type *t);  /* format into a hale_sbuf */
const char *em_eq_fn(hc_emit *E, hc_type *t);   /* structural equality */
const char *em_descriptor(hc_emit *E, hc_type *t);
const char *em_field(hc_emit *E, const char *name);      /* C name of a record field */
const char *em_zero(hc_emit *E, hc_type *t);             /* a zero value of the type */
void em_c_string(hc_buf *b, const char *s, int64_t len); /* a C string literal */

/* emit_expr.c */
void em_expr(hc_emit *E, hc_buf *b, hc_expr *e);
/* The C text of an expression (of em_value's, for a value of type `want`), in the arena. */
const char *em_text(hc_emit *E, hc_expr *e);
const char *em_value_text(hc_emit *E, hc_expr *e, hc_type *want);
/* An expression used where a value of type `want` is needed (handles `!`-typed branches). */
void em_value(hc_emit *E, hc_buf *b, hc_expr *e, hc_type *want);
/* An assignable C lvalue for a place expression (local, field, element). */
void em_place(hc_emit *E, hc_buf *b, hc_expr *e);
int em_has_effects(hc_expr *e);
/* A fallible call as a C bool expression writing its value to `*res` and error to `*err`. */
void em_fallible_call(hc_emit *E, hc_buf *b, hc_expr *call, const char *res, const char *err);
void em_loc(hc_emit *E, hc_buf *b, hc_pos at);  /* "file:line:col" as a C string */
const char *em_loc_text(hc_emit *E, hc_pos at); /* ... the same, in the arena */

/* emit_locus.c */
void em_loci(hc_emit *E);                            /* structs, helpers, type descriptors */
const char *em_locus_struct(hc_emit *E, hc_type *t); /* the state struct's C name */
/* A locus literal: the state pointer, built at `at` (C text of the instantiating locus's header
 * pointer, or "NULL"), held as `how` (HALE_HOW_*). `replace` (or NULL) is the C place of a locus
 * field the new locus replaces, break-before-make. */
/* Whether instances of the locus type can be light (locus.h, hale_locus_light). */
int em_locus_light(hc_emit *E, hc_decl *d);
void em_locus_lit(hc_emit *E, hc_buf *b, hc_expr *e, const char *at, const char *label,
                  const char *how, const char *replace);
void em_locus_stmt(hc_emit *E, hc_buf *b, hc_stmt *s); /* terminate, violate, recovery, yield */
/* `owner.f = L { ... }` (break-before-make). */
void em_locus_field_assign(hc_emit *E, hc_buf *b, hc_stmt *s);
/* Methods of the standard library's loci (BytesBuilder, json Builder), which the runtime
 * implements: the call is one C function on the locus's native part. */
int em_native_method(hc_decl *m);
void em_native_call(hc_emit *E, hc_buf *b, hc_expr *call, const char *recv);
/* ... and a fallible one (std::io::tcp::Stream), writing `*res` and the IoError `*err`. */
void em_native_fallible(hc_emit *E, hc_buf *b, hc_expr *call, const char *recv, const char *res,
                        const char *err);
/* After `bool hok = f(..., &hioe)`: fills Hale's IoError at `err` from the runtime's `hioe`. */
void em_io_error(hc_emit *E, hc_buf *b, const char *err, int copy_path);
/* emit_place.c: the C expression of the pool `placement { }` gives the main locus's parameter
 * `field` (NULL when `owner` is not the main locus or the parameter is not placed). */
const char *em_place_pool(hc_emit *E, hc_decl *owner, const char *field);
/* `replicas = K` of main's parameter `field` (1 without), and replica r's pool */
int em_place_replicas(hc_emit *E, hc_decl *owner, const char *field);
const char *em_place_replica_pool(hc_emit *E, hc_decl *owner, const char *field, int r);
/* emit_form.c: a locus's @form and capacity slots */
void em_form_fields(hc_emit *E, hc_decl *d);         /* state struct members */
int em_form_init(hc_emit *E, hc_decl *d, hc_buf *b); /* init statements */
void em_form_call(hc_emit *E, hc_buf *b, hc_expr *call, const char *recv, const char *res,
                  const char *err);
void em_slot_call(hc_emit *E, hc_buf *b, hc_expr *call);
/* emit_vec_loop.c: before a loop (S_WHILE, S_FOR), the cursors of the vecs its pushes may keep
 * in locals (declarations written to `b`); returns how many it opened, for ..._close after the
 * loop. em_vec_cursor: the C name of the cursor a push onto `recv` goes through, or NULL. */
int em_vec_cursors_open(hc_emit *E, hc_buf *b, hc_stmt *loop);
void em_vec_cursors_close(hc_emit *E, int n);
const char *em_vec_cursor(hc_emit *E, hc_expr *recv);
/* emit_json.c: `T::to_json(v)` (a String) and `T::from_json(s)` (fallible: writes `*res`, and
 * the JsonError at `err` when not NULL) on a record T. */
void em_json_call(hc_emit *E, hc_buf *b, hc_expr *e, const char *res, const char *err);
/* emit_accum.c: closure accumulators (sum, mean, count) */
void em_accum_fields(hc_emit *E, hc_decl *d);                  /* state struct members */
void em_accum_update(hc_emit *E, hc_buf *b, hc_decl *closure); /* at each fire */
void em_accum_ref(hc_emit *E, hc_buf *b, hc_expr *e);          /* an E_REDUCE's value */
/* emit_bus.c: the topic table, subscriptions of a locus type, sends */
void em_bus_table(hc_emit *E);             /* the runtime's boot table (descriptors section) */
void em_bus_main(hc_emit *E, hc_buf *out); /* `main`'s line handing it to the program */
int em_is_transport_type(hc_type *t);      /* std::bus::UnixTransport (a binding's link) */
int em_is_transport(hc_expr *e);
const char *em_bind_failure(hc_emit *E);    /* main's transport on_failure registration, or NULL */
void em_bus_fields(hc_emit *E, hc_decl *d); /* state struct members (captured keys) */
int em_bus_replica_keyed(hc_decl *d);       /* keyed by `where key == replica` */
int em_bus_init(hc_emit *E, hc_decl *d, hc_buf *b); /* init statements (keys captured) */
void em_bus_hooks(hc_emit *E, hc_decl *d, const char *sn, const char **attach, const char **detach,
                  const char **flush);
void em_send(hc_emit *E, hc_buf *b, hc_stmt *s);
/* Whether `fn` sends on a topic whose deliveries the bus queues (not a direct call). */
int em_fn_publishes(hc_emit *E, hc_decl *fn);
/* Leaves the current function at once (a zero result where one is due). */
void em_leave(hc_emit *E, hc_buf *b);
/* The locus whose state holds the place `e` (NULL when it is not inside a locus). */
hc_expr *em_place_locus(hc_expr *e);
hc_expr *em_text_of_locus(hc_expr *e);

/* emit_escape.c: the memory posture's lowerings (escape.h) */
void em_guard_fields(hc_emit *E, hc_decl *d); /* state struct members (hale_guard per field) */
int em_guarded_field(hc_emit *E, hc_expr *e); /* `e` reads a field that holds a guard */
void em_guarded_read(hc_emit *E, hc_buf *b, hc_expr *e);
void em_guard_or(hc_emit *E, hc_buf *b, hc_expr *e);         /* `self.f or fallback` */
void em_guard_own_before(hc_emit *E, hc_buf *b, hc_stmt *s); /* a store into a guarded part */
int em_escape_store(hc_emit *E, hc_buf *b, hc_stmt *s);      /* keeps; stores into guarded fields */
const char *em_send_origin(hc_emit *E, hc_stmt *s);          /* "&hgoN" or "NULL" */
/* The bus publish's borrow flag as a C expression: "HALE_BUS_BORROW", "0", or a test of the
 * hoisting ancestor found at run time. */
const char *em_send_flags(hc_emit *E, hc_stmt *s);
void em_send_open(hc_emit *E, hc_buf *b, hc_stmt *s, const char *v);
void em_send_close(hc_emit *E, hc_buf *b, hc_stmt *s, const char *v, hc_type *payload);
/* The allocation of a [T] array literal or repeat of `n` elements of C type `et`. */
const char *em_array_alloc(hc_emit *E, hc_expr *e, const char *n, const char *et);
void em_hoist_owners(hc_emit *E, hc_buf *b, hc_decl *fn); /* a method's prologue */

/* emit_stmt.c */
void em_block_stmts(hc_emit *E, hc_buf *b, hc_block *blk);
/* A block as a statement that stores its value (if any) in `dst` (NULL: discard). */
void em_block_into(hc_emit *E, hc_buf *b, hc_block *blk, const char *dst, hc_type *want);
void em_stmt(hc_emit *E, hc_buf *b, hc_stmt *s);
void em_function(hc_emit *E, hc_decl *fn);
/* `return <value>` / `fail <value>` from the current function. */
void em_return(hc_emit *E, hc_buf *b, hc_expr *value);
void em_fail(hc_emit *E, hc_buf *b, const char *err_value);
void em_raise(hc_emit *E, hc_buf *b, hc_expr *at, const char *err, hc_type *err_ty);

/* For a record of the built-in seed the runtime declares under its own name: a static assert
 * that the two layouts agree (a native method takes and returns the runtime's struct). */
void em_std_record_layout(hc_emit *E, hc_type *t);

/* emit_enum.c: enums whose variants carry values (a struct: tag, then every variant's values) */
int em_enum_has_payload(const hc_type *t);
const char *em_enum_ctype(hc_emit *E, hc_type *t);
/* A variant's value: `Ev::Tick(args)` (args NULL for a variant without values). */
void em_enum_value(hc_emit *E, hc_buf *b, hc_type *t, int variant, hc_exprs *args);
const char *em_enum_tag(hc_emit *E, hc_type *t, const char *v);
const char *em_enum_payload_member(hc_emit *E, const char *v, int variant, int i);
hc_type *em_enum_payload_type(hc_type *t, int variant, int i);
void em_enum_copy_body(hc_emit *E, hc_type *t, hc_buf *body);
void em_enum_fmt_body(hc_emit *E, hc_type *t, const char *names, hc_buf *body);
void em_enum_eq_body(hc_emit *E, hc_type *t, hc_buf *body);
void em_enum_descriptor(hc_emit *E, hc_type *t, const char *name, const char *tname,
                        unsigned long long fp);

/* emit_persp.c: calls through a `perspective(P)` slot and `reperspective` */
const char *em_persp_dispatch(hc_emit *E, hc_decl *sig); /* the dispatcher's C name */
void em_reperspective(hc_emit *E, hc_buf *b, hc_stmt *s);

/* emit_ffi.c: the externs of `@ffi("c")` functions and their Hale-convention wrappers */
void em_ffi_decls(hc_emit *E);

#endif
