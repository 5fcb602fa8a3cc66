/* The syntax tree for all of Hale core (declarations, loci with every member kind, statements,
 * expressions, type expressions, annotations).
 *
 * The parser fills the syntactic fields; the resolver and checker fill the fields marked
 * "checker:" (types, what a name refers to, C names), so the emitter and later analyses read one
 * annotated tree and never re-derive facts. Nodes are plain structs in the compilation arena;
 * lists are HC_VEC. Every node carries the position diagnostics point at. */
#ifndef HALE_COMPILER_AST_H
#define HALE_COMPILER_AST_H

#include <stdint.h>

#include "arena.h"
#include "diagnostic.h"

typedef struct hc_expr hc_expr;
typedef struct hc_stmt hc_stmt;
typedef struct hc_block hc_block;
typedef struct hc_texpr hc_texpr;
typedef struct hc_decl hc_decl;
typedef struct hc_type hc_type;
typedef struct hc_seed hc_seed;
typedef struct hc_local hc_local;
typedef struct hc_builtin hc_builtin;
typedef struct hc_form hc_form;

typedef HC_VEC(hc_expr *) hc_exprs;
typedef HC_VEC(hc_stmt *) hc_stmts;
typedef HC_VEC(hc_texpr *) hc_texprs;
typedef HC_VEC(hc_decl *) hc_decls;
typedef HC_VEC(const char *) hc_names;

/* A name with its position. */
typedef struct {
    const char *name;
    hc_pos pos;
} hc_ident;

/* A path `a::b::c` (one segment for a plain name). */
typedef struct {
    hc_ident *seg;
    int n;
    hc_pos pos; /* the whole path */
} hc_path;

/* ---- annotations: @name, @name(arg, key = value, ...) ---- */

typedef struct {
    const char *key; /* NULL for a positional argument */
    hc_pos key_pos;
    hc_expr *value;
} hc_annot_arg;

typedef struct {
    hc_ident name;
    int has_args;
    HC_VEC(hc_annot_arg) args;
    hc_pos pos;
} hc_annot;

typedef HC_VEC(hc_annot) hc_annots;

/* ---- type expressions ---- */

typedef enum {
    TE_NAME,        /* Int, Msg, alias::Msg, Name<T, U> */
    TE_ARRAY,       /* [T] or [T; N] */
    TE_BOUNDED,     /* bounded[T; N] */
    TE_TUPLE,       /* (A, B) */
    TE_FN,          /* fn(A, B) -> R */
    TE_PROJECTION,  /* Rich<T> Chunked<T> Recognition<T> */
    TE_PERSPECTIVE, /* perspective(P) */
    TE_UNIT,        /* () */
} hc_texpr_kind;

struct hc_texpr {
    hc_texpr_kind kind;
    hc_pos pos;
    hc_path path;      /* TE_NAME, TE_PERSPECTIVE */
    hc_texprs args;    /* TE_NAME generic args, TE_TUPLE elements, TE_FN params */
    hc_texpr *elem;    /* TE_ARRAY, TE_BOUNDED, TE_PROJECTION; TE_FN return (may be NULL) */
    hc_expr *len;      /* TE_ARRAY fixed length (may be NULL), TE_BOUNDED capacity */
    const char *proj;  /* TE_PROJECTION: "Rich" | "Chunked" | "Recognition" */
    hc_type *resolved; /* checker: the type */
};

/* ---- expressions ---- */

typedef enum {
    E_INT,
    E_FLOAT,
    E_DECIMAL,
    E_STRING,
    E_FSTRING, /* parts: string literals and expressions, in order */
    E_BYTES,
    E_BOOL,
    E_NIL,
    E_DURATION,
    E_TIME,
    E_NAME, /* path */
    E_SELF,
    E_UNARY,
    E_BINARY,
    E_RANGE,  /* lhs .. rhs  (inclusive flag) */
    E_OR,     /* lhs or <disposition> */
    E_APPROX, /* lhs ~~ rhs within tol */
    E_CALL,   /* callee(args) */
    E_FIELD,  /* obj.name */
    E_INDEX,  /* obj[index] */
    E_ARRAY,  /* [a, b, c] */
    E_REPEAT, /* [value; count] */
    E_STRUCT, /* Path { f: e, ... } : record or locus literal */
    E_TUPLE,
    E_BLOCK,
    E_IF,
    E_MATCH,
    E_REDUCE, /* sum(e) / prod(e) */
} hc_expr_kind;

typedef enum {
    OP_NONE,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_MOD,
    OP_AND, /* && */
    OP_OR,  /* || */
    OP_BITAND,
    OP_BITOR,
    OP_BITXOR,
    OP_SHL,
    OP_SHR,
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_GT,
    OP_LE,
    OP_GE,
    OP_NEG,    /* unary - */
    OP_NOT,    /* unary ! */
    OP_BITNOT, /* unary ~ */
} hc_op;

typedef enum {
    OR_VALUE,   /* or <expr>: substitute (err bound inside) */
    OR_RAISE,   /* or raise */
    OR_DISCARD, /* or discard */
    OR_WAIT,    /* or wait (bus sends only) */
    OR_FAIL,    /* or fail <expr> */
} hc_or_kind;

typedef enum {
    PAT_WILD, /* _ */
    PAT_BIND, /* name */
    PAT_INT,
    PAT_FLOAT,
    PAT_STRING,
    PAT_BOOL,
    PAT_NIL,
    PAT_CTOR, /* Enum::Variant or Enum::Variant(p, ...) */
    PAT_TUPLE,
} hc_pat_kind;

typedef struct hc_pat hc_pat;
struct hc_pat {
    hc_pat_kind kind;
    hc_pos pos;
    int neg; /* a negative numeric literal */
    int64_t i;
    double f;
    const char *str;
    int64_t slen;
    hc_path path; /* PAT_CTOR; PAT_BIND uses path.seg[0] */
    int has_args;
    HC_VEC(hc_pat *) args;
    /* checker */
    hc_local *bind;     /* PAT_BIND */
    hc_decl *enum_decl; /* PAT_CTOR */
    int variant;        /* PAT_CTOR */
};

typedef struct {
    hc_pat *pat;
    hc_expr *guard; /* may be NULL */
    hc_expr *body;  /* an expression, or E_BLOCK */
    hc_pos pos;
} hc_arm;

typedef struct {
    hc_ident name;
    hc_expr *value;
    int field; /* checker: index of the field in the record/locus params */
} hc_field_init;

/* What an E_NAME (or a callee) refers to, decided by the checker. */
typedef enum {
    REF_NONE,
    REF_LOCAL,   /* local variable or parameter */
    REF_CONST,   /* top-level or locus const */
    REF_FN,      /* free function (as a value or callee) */
    REF_METHOD,  /* locus method (callee) */
    REF_VARIANT, /* enum variant */
    REF_BUILTIN, /* builtin or std:: function */
    REF_TYPE,    /* a type name used as a conversion: Int(x), Float(x) */
    REF_TOPIC,   /* a topic (left of <-) */
    REF_LOCUS,   /* a locus type (in a literal) */
    REF_SELF_FIELD,
    REF_DRAINING,       /* self.draining */
    REF_CHILDREN_COUNT, /* self.children.count */
    REF_CHILDREN_EMPTY, /* self.children.is_empty */
    REF_FORM,           /* a method a @form synthesizes (callee; `variant` = hc_form_method) */
    REF_SLOT,           /* self.<slot>.alloc/free/acquire/release (callee; `variant` = the op) */
    REF_IFACE_METHOD,   /* a method called on an interface value (callee; `variant` = its slot) */
} hc_ref_kind;

struct hc_expr {
    hc_expr_kind kind;
    hc_pos pos;
    /* literals */
    int64_t i;
    double f;
    const char *str;
    int64_t slen;
    int neg_min; /* E_INT: the literal 9223372036854775808 (only valid under unary minus) */
    /* E_NAME, E_STRUCT */
    hc_path path;
    /* operators */
    hc_op op;
    hc_expr *lhs, *rhs, *third; /* binary/range/or/approx/index(lhs=obj,rhs=index)/field(lhs) */
    int inclusive;              /* E_RANGE */
    hc_or_kind or_kind;         /* E_OR */
    /* E_FIELD */
    hc_ident field;
    /* E_CALL: callee in lhs; args */
    hc_exprs args; /* call args, array elements, tuple elements, f-string parts (E_STRING | expr) */
    /* E_STRUCT */
    HC_VEC(hc_field_init) inits;
    /* E_BLOCK / E_IF (then in block, else in rhs) */
    hc_block *block;
    /* E_IF: lhs = condition, block = then, rhs = else (E_BLOCK or E_IF) */
    /* E_MATCH: lhs = scrutinee */
    HC_VEC(hc_arm) arms;
    /* E_REDUCE: str = "sum" | "prod", lhs = operand */
    int parenthesized;
    int depth;        /* parser: height of this subtree (bounded, so later phases' recursion is) */
    hc_annots annots; /* @hoist on an allocation */

    /* checker */
    hc_type *ty;
    hc_ref_kind ref;
    hc_local *local; /* REF_LOCAL */
    hc_decl *decl;   /* REF_CONST/FN/METHOD/TOPIC/LOCUS, E_STRUCT target, variant's enum */
    const hc_builtin *builtin;
    int variant;         /* REF_VARIANT */
    int field_index;     /* E_FIELD: field index; REF_SELF_FIELD */
    hc_local *err_local; /* E_OR: the `err` binding inside the disposition */
    int allocates;       /* set when the expression may allocate in the function's scratch */
    int widen;           /* an Int used where a Float is expected: convert */
    hc_type *fallible;   /* E_CALL of a fallible function: the error type */
    int bare;            /* E_CALL of a fallible std call used without `or` (HC_BI_BARE) */
    int send_or;         /* E_OR that is really a send's disposition (lhs not fallible) */
    int guard_or;        /* E_OR whose lhs reads a field that may hold a guarded reference */
    hc_type *iface;      /* a locus used where this interface type is expected: converted here */

    /* escape (escape.c) */
    int place;      /* E_ARRAY/E_REPEAT: 1 in the sender's region, 2 hoisted */
    int guard_copy; /* a value read through a guard, copied into scratch at once (escape.c) */
    struct hc_send_plan *plan; /* ... the send it is placed for */
};

/* ---- statements ---- */

typedef enum {
    S_LET,
    S_ASSIGN,
    S_SEND, /* target <- value [or ...] */
    S_EXPR,
    S_IF, /* expr is E_IF */
    S_WHILE,
    S_FOR,
    S_RETURN,
    S_BREAK,
    S_CONTINUE,
    S_YIELD,
    S_TERMINATE,
    S_RECOVERY, /* restart(c) | restart_in_place(c) | quarantine(c) for d | bubble(e) | ... */
    S_VIOLATE,  /* violate name [with e] */
    S_FAIL,     /* fail e */
    S_BLOCK,
    S_REPERSPECTIVE, /* reperspective self.<target> as <name>; */
} hc_stmt_kind;

struct hc_block {
    hc_stmts stmts;
    hc_expr *tail;        /* trailing expression without `;` (may be NULL) */
    int tail_unreachable; /* checker: the tail follows a statement that never completes */
    hc_pos pos;           /* the `{` */
    hc_pos end;           /* the `}` */
    int depth;            /* parser: height of the deepest statement or expression inside */
};

struct hc_stmt {
    hc_stmt_kind kind;
    hc_pos pos;
    hc_annots annots;
    /* S_LET */
    int is_mut;
    hc_ident name;
    hc_texpr *type; /* may be NULL */
    /* S_LET init, S_ASSIGN value, S_SEND value, S_EXPR, S_RETURN (may be NULL), S_FAIL,
     * S_IF (E_IF), S_WHILE cond, S_FOR iterable, S_VIOLATE payload */
    hc_expr *expr;
    /* S_ASSIGN: target, op (OP_NONE for `=`); S_SEND: target topic */
    hc_expr *target;
    hc_op op;
    hc_pos op_pos;
    /* S_SEND disposition */
    int has_or;
    hc_or_kind or_kind;
    hc_pos or_pos;
    /* S_WHILE, S_FOR, S_BLOCK */
    hc_block *body;
    /* S_RECOVERY: op name, args, modifier ("for" | "until" | NULL) with its expression */
    const char *recovery;
    hc_exprs args;
    const char *modifier;
    hc_expr *modifier_expr;

    /* checker */
    hc_local *local;    /* S_LET, S_FOR loop variable */
    int reset_per_iter; /* S_WHILE/S_FOR: scratch can be reset every iteration */
    int unreachable;    /* follows a statement that never completes: not emitted */

    /* escape (escape.c) */
    struct hc_send_plan *send_plan; /* S_SEND of an escaping value: how it is lowered */
    int keep; /* S_ASSIGN into a field of self: 1 a handler keeps its payload, 2 a contract read */
};

/* A local variable or parameter. */
struct hc_local {
    const char *name;
    hc_pos pos;
    hc_type *ty;
    int is_mut;
    int is_param;
    int id;       /* unique within the function: the C name is v<id>_<name> */
    int depth;    /* loop depth at declaration (for the per-iteration reset analysis) */
    int assigned; /* mutated after declaration */
    int used;
};

/* ---- declarations ---- */

typedef enum {
    D_IMPORT,
    D_CONST,
    D_RECORD, /* type T { fields } */
    D_ALIAS,  /* type T = texpr; */
    D_ENUM,   /* type T = enum { ... };  or  enum T { ... } */
    D_FN,
    D_TOPIC,
    D_LOCUS,
    D_IFACE, /* interface I { fn m(...) -> R; ... }: the signatures are D_FN members */
    /* locus members */
    M_PARAMS,
    M_CONTRACT,
    M_BUS,
    M_CAPACITY,
    M_LIFECYCLE,
    M_MODE,
    M_FAILURE,
    M_CLOSURE,
    M_BINDINGS,
    M_PLACEMENT,
    M_BIRTH_CHECK,
    D_PERSPECTIVE, /* perspective P { fn sigs; bus { } }: members as a locus's (check_persp.c) */
    M_TOPOLOGY,    /* main's topology { }: entries in `placements` (parse_topology.c) */
    D_EFFECT,      /* effect name;  effect name = { a, b };  (the set's names in `generics`) */
} hc_decl_kind;

typedef struct {
    hc_ident name;
    hc_texpr *type;
    hc_expr *def; /* default value (may be NULL) */
    const char *tag;
    hc_pos pos;
    hc_local *local; /* checker: the parameter's local */
} hc_param;

typedef HC_VEC(hc_param) hc_params;

typedef struct {
    hc_ident name;
    HC_VEC(hc_texpr *) payload;
    int has_payload;
} hc_variant;

/* locus params { name: T = e; name: T : inferred; } */
typedef struct {
    hc_ident name;
    hc_texpr *type; /* may be NULL (inferred from the value) */
    hc_expr *value; /* NULL when `inferred` */
    int inferred;
    hc_pos pos;
    hc_type *ty;         /* checker */
    int keep_target;     /* escape: some site keeps an escaped value in it (whatever the posture) */
    int guarded;         /* escape: it may hold a guarded reference (its state has a hale_guard) */
    hc_pos *ref_at;      /* checker: where a literal gives it a locus by reference, or NULL */
    hc_pos *replaced_at; /* checker: where an assignment replaces the locus it holds, or NULL */
} hc_locus_param;

typedef struct {
    int expose; /* 1 expose, 0 consume */
    hc_ident name;
    hc_texpr *type;
    int inferred;
    hc_pos pos;
} hc_contract_item;

typedef struct {
    int subscribe; /* 1 subscribe, 0 publish */
    hc_pos pos;
    /* subject: a string literal or a topic path */
    const char *subject_str;
    hc_path topic;
    hc_ident handler;    /* subscribe: `as NAME`; publish: optional `as NAME` */
    hc_texpr *of_type;   /* `of type T` */
    int64_t bound;       /* subscribe bounded(N, policy): 0 when absent */
    const char *shed;    /* "drop_new" | "drop_old" */
    hc_expr *key_filter; /* where key == e  (E_NAME "_" / "replica" allowed) */
    /* checker */
    hc_decl *topic_decl;
    hc_decl *handler_decl;
    hc_type *payload;
} hc_bus_item;

typedef struct {
    const char *kind; /* "pool" | "heap" */
    hc_ident name;
    hc_texpr *type;
    hc_ident indexed_by;
    hc_ident as_parent_for;
    hc_pos pos;
} hc_slot;

typedef struct {
    const char *kind; /* tick | duration | birth | dissolve | explicit | inline | persists_through
                         | resets_on | resets_per_epoch | captures */
    hc_expr *duration;
    hc_names names;
    hc_pos pos;
} hc_closure_clause;

typedef struct {
    const char *key;
    hc_pos key_pos;
    hc_expr *value; /* an expression; for ranges E_RANGE, for sets E_ARRAY */
} hc_kwarg;

typedef HC_VEC(hc_kwarg) hc_kwargs;

typedef struct {
    hc_ident topic;          /* a topic's name, or (subject_str) the string subject */
    const char *subject_str; /* `"subj": unix(...)`: the binding names a string subject */
    hc_ident transport;      /* unix | nng | shm_ring | an adapter locus name */
    const char *address;
    hc_pos address_pos;
    hc_kwargs kwargs; /* role: listen, ... */
    hc_expr *adapter; /* adapter locus literal */
    hc_names where;
    hc_pos pos;
} hc_binding;

typedef struct {
    hc_ident field;
    hc_ident kind; /* cooperative | pinned */
    hc_kwargs kwargs;
    hc_names where;
    hc_pos pos;
} hc_placement;

struct hc_decl {
    hc_decl_kind kind;
    hc_pos pos; /* the declaration's keyword or name */
    hc_ident name;
    hc_annots annots;
    hc_seed *seed;  /* resolver: the seed that declares it */
    hc_decl *locus; /* members and methods: the enclosing locus */

    /* D_IMPORT */
    const char *import_path;
    hc_seed *imported;
    /* D_CONST, D_ALIAS */
    hc_texpr *type;
    hc_expr *value;
    /* D_RECORD: fields; D_FN/M_LIFECYCLE/M_MODE/M_FAILURE: parameters */
    hc_params fields;
    hc_params params;
    hc_names generics;
    hc_texprs gbounds; /* each type parameter's bound (`T: Numeric`), NULL when it has none */
    const void *toks;  /* a generic template: its file's tokens (hc_token) and where it starts */
    int ntoks, tok_at;
    /* D_ENUM */
    HC_VEC(hc_variant) variants;
    /* D_FN, M_LIFECYCLE, M_MODE, M_FAILURE: ret/fallible may be NULL; body NULL for `;` */
    hc_texpr *ret;
    hc_texpr *fallible;
    hc_block *body;
    /* D_TOPIC */
    hc_ident parent;
    hc_texpr *payload;
    const char *subject;
    hc_ident keyed_by;
    const char *on_unmatched;
    int64_t bound;
    int on_full_fail;
    /* D_LOCUS */
    int is_main;
    HC_VEC(hc_annot) header; /* `: projection chunked, tier 2, serves P` items as annotations */
    hc_decls members;
    /* M_PARAMS */
    HC_VEC(hc_locus_param) lparams;
    /* M_CONTRACT */
    int contract_inferred;
    HC_VEC(hc_contract_item) contract;
    /* M_BUS */
    HC_VEC(hc_bus_item) bus;
    /* M_CAPACITY */
    HC_VEC(hc_slot) slots;
    /* M_CLOSURE: assertion lhs ~~ rhs within tol (an E_APPROX, may be NULL) */
    hc_expr *assertion;
    HC_VEC(hc_closure_clause) clauses;
    /* M_BINDINGS, M_PLACEMENT */
    HC_VEC(hc_binding) bindings;
    HC_VEC(hc_placement) placements;
    /* M_BIRTH_CHECK: value = condition, name = closure, payload in `assertion` */

    /* checker */
    hc_type *ty;          /* record/enum/locus/alias type; const type; fn type */
    hc_type *ret_ty;      /* functions */
    hc_type *err_ty;      /* fallible functions */
    const char *cname;    /* C name */
    int checked;          /* 0 = not yet, 1 = in progress, 2 = done */
    int allocates;        /* functions: the body allocates in its scratch */
    int nlocals;          /* functions: locals allocated */
    hc_expr *const_value; /* D_CONST: the folded value (a literal expression) */
    int used;
    int std_handler;      /* loci: stands for a std::http::Handler somewhere (its `handle` is called
                           * by the runtime's Server, or a Router's RouteHandler) */
    int std_middleware;   /* loci: stands for a std::http::Middleware (its `before` and `after` are
                           * called by the runtime's Router) */
    int has_loci;         /* functions: instantiate loci (a list of `let`-held ones to flush) */
    int tracks_children;  /* loci: read `self.children` (accepted residents stay tracked) */
    int needs_snapshot;   /* loci: some supervisor may `restart_in_place` it */
    hc_form *form;        /* loci: the checked @form, or NULL */
    const char *pool;     /* loci, functions: the pool they run on (check_place.c, hc_place_pool) */
    int cycle_mark;       /* loci: containment walk state (ck_locus_cycles) */
    int takes_origin;     /* escape: a bus handler that keeps its payload (gets the origin) */
    int receives_escapes; /* escape: a bus handler some child's escaping payload reaches */
    hc_decl *generic_of;  /* an instance of a generic template (check_generic.c): the template */
    hc_type **targs;      /* ... and its type arguments, generic_of->generics.n of them */
    hc_pos made_at;       /* ... and where it was first needed */
    int ninstances;       /* a template: how many instances it has (bounded) */
};

/* One seed: a directory of .hl files (or one file) compiled as one namespace. */
struct hc_seed {
    int id;
    const char *path; /* directory or file, as opened */
    const char *dir;  /* the directory imports resolve against */
    hc_decls decls;   /* top-level declarations of all its files, in file then source order */
    /* resolver: name -> decl (types, enums, consts, fns, topics, loci) and alias -> import */
    struct hc_symtab *names;
    struct hc_symtab *aliases; /* import alias -> D_IMPORT (whose `imported` is the seed) */
    int is_root;
    int loading;
};

/* ---- walking function bodies (ast_walk.c) ---- */

/* What a walker's callback tells the walk: go on into the node's children, skip them, or stop
 * the whole walk. */
enum { HC_WALK_STOP = 0, HC_WALK_ON = 1, HC_WALK_SKIP = 2 };

typedef struct hc_walker hc_walker;
struct hc_walker {
    int (*expr)(hc_walker *w, hc_expr *e); /* either may be NULL */
    int (*stmt)(hc_walker *w, hc_stmt *s);
    void *ctx;
};

/* Visits `e` (or every statement and expression of `b`), parents before children, in source
 * order. NULL is an empty tree. Returns 0 when a callback stopped the walk. */
int hc_walk_expr(hc_walker *w, hc_expr *e);
int hc_walk_block(hc_walker *w, hc_block *b);

#endif
