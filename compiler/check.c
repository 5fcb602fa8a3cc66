/* See check.h. This file: the program-level passes (types, constants, signatures, the order
 * bodies are checked in) and type expressions. */
#include "check_impl.h"
#include "escape.h"

#include <stdio.h>
#include <string.h>

#include "bus_plan.h"

static const struct {
    const char *name;
    hc_type_kind kind;
} prim_names[] = {
    {"Int", TY_INT},       {"Float", TY_FLOAT},       {"Bool", TY_BOOL},
    {"String", TY_STRING}, {"Duration", TY_DURATION}, {"Bytes", TY_BYTES},
    {"Time", TY_TIME},     {"Decimal", TY_DECIMAL},   {"Uint", TY_UINT},
};

hc_type *ck_prim_named(hc_program *P, const char *name) {
    for (size_t i = 0; i < sizeof prim_names / sizeof prim_names[0]; i++) {
        if (strcmp(prim_names[i].name, name) == 0) {
            return hc_ty_prim(P->types, prim_names[i].kind);
        }
    }
    return NULL;
}

static hc_type *err_ty(hc_program *P) {
    return hc_ty_prim(P->types, TY_ERROR);
}

void ck_init_ctx(hc_ctx *c, hc_program *P, hc_seed *seed, hc_decl *locus) {
    memset(c, 0, sizeof *c);
    c->P = P;
    c->seed = seed;
    c->locus = locus;
}

/* A compile-time Int (array length, bounded capacity). */
static int64_t const_int(hc_program *P, hc_seed *seed, hc_decl *locus, hc_expr *e, int64_t min,
                         const char *what) {
    hc_ctx c;
    ck_init_ctx(&c, P, seed, locus);
    hc_type *t = ck_expr(&c, e, hc_ty_prim(P->types, TY_INT));
    if (t->kind == TY_ERROR) {
        return -2;
    }
    if (t->kind != TY_INT) {
        hc_error(P->d, e->pos, "%s must be an Int, found `%s`", what, hc_type_name(P->a, t));
        return -2;
    }
    hc_expr *v = ck_fold_const(&c, e, 0);
    if (!v) {
        hc_help(hc_error(P->d, e->pos, "%s must be known at compile time", what),
                "use an integer literal or a `const`");
        return -2;
    }
    if (v->i < min) {
        hc_error(P->d, e->pos, "%s must be at least %lld, found %lld", what, (long long)min,
                 (long long)v->i);
        return -2;
    }
    return v->i;
}

static hc_decl *lookup_type_decl(hc_program *P, hc_seed *seed, hc_decl *locus, hc_path *path,
                                 int *reported) {
    *reported = 0;
    if (path->n == 1) {
        const char *name = path->seg[0].name;
        if (locus) {
            for (int i = 0; i < locus->members.n; i++) {
                hc_decl *m = locus->members.v[i];
                if ((m->kind == D_RECORD || m->kind == D_ENUM || m->kind == D_ALIAS) &&
                    strcmp(m->name.name, name) == 0) {
                    return m;
                }
            }
        }
        return ck_seed_lookup(P, seed, name);
    }
    hc_decl *st = hc_std_type(P, path);
    if (st) {
        return st;
    }
    if (path->n == 2) {
        hc_seed *s = hc_seed_import(seed, path->seg[0].name);
        if (!s) {
            hc_error(P->d, path->seg[0].pos, "unknown import alias `%s`", path->seg[0].name);
            *reported = 1;
            return NULL;
        }
        hc_decl *d = hc_symtab_get(s->names, path->seg[1].name);
        if (!d) {
            hc_error(P->d, path->seg[1].pos, "`%s` has no declaration `%s`", path->seg[0].name,
                     path->seg[1].name);
            *reported = 1;
        }
        return d;
    }
    return NULL;
}

static hc_type *alias_target(hc_program *P, hc_decl *d) {
    if (d->checked == 1) {
        hc_error(P->d, d->name.pos, "type alias `%s` refers to itself", d->name.name);
        d->ty = err_ty(P);
        d->checked = 2;
    }
    if (d->checked == 0) {
        d->checked = 1;
        hc_type *t = ck_texpr(P, d->seed, d->locus, d->type);
        d->ty = t;
        d->checked = 2;
    }
    return d->ty ? d->ty : err_ty(P);
}

hc_type *ck_texpr(hc_program *P, hc_seed *seed, hc_decl *locus, hc_texpr *t) {
    if (!t) {
        return hc_ty_prim(P->types, TY_UNIT);
    }
    if (t->resolved) {
        return t->resolved;
    }
    hc_type *r = err_ty(P);
    switch (t->kind) {
    case TE_UNIT:
        r = hc_ty_prim(P->types, TY_UNIT);
        break;
    case TE_NAME: {
        if (t->path.n == 1 && strcmp(t->path.seg[0].name, "Cell") == 0 && t->args.n == 1) {
            r = hc_ty_cell(P->types, ck_texpr(P, seed, locus, t->args.v[0]));
            goto done;
        }
        if (t->path.n == 1 && (r = ck_prim_named(P, t->path.seg[0].name))) {
            goto done;
        }
        r = err_ty(P);
        int reported;
        hc_decl *d = lookup_type_decl(P, seed, locus, &t->path, &reported);
        if (!d) {
            if (!reported) {
                hc_diag *g = hc_error(P->d, t->path.pos, "unknown type `%s`",
                                      t->path.seg[t->path.n - 1].name);
                if (t->path.n == 1 && strcmp(t->path.seg[0].name, "int") == 0) {
                    hc_help(g, "type names are capitalised: `Int`");
                } else if (t->path.n == 1 && strcmp(t->path.seg[0].name, "string") == 0) {
                    hc_help(g, "type names are capitalised: `String`");
                }
            }
            break;
        }
        d->used = 1;
        hc_type *inst = ck_generic_texpr(P, seed, locus, t, d);
        if (inst) {
            r = inst;
            break;
        }
        switch (d->kind) {
        case D_RECORD:
        case D_ENUM:
        case D_LOCUS:
        case D_IFACE:
            r = d->ty;
            break;
        case D_ALIAS:
            r = alias_target(P, d);
            break;
        default:
            hc_error(P->d, t->path.pos, "`%s` is not a type", d->name.name);
        }
        break;
    }
    case TE_ARRAY: {
        hc_type *elem = ck_texpr(P, seed, locus, t->elem);
        int64_t len = -1;
        if (t->len) {
            len = const_int(P, seed, locus, t->len, 0, "an array length");
        }
        if (len >= -1 && elem->kind != TY_ERROR) {
            r = hc_ty_array(P->types, elem, len);
        }
        break;
    }
    case TE_BOUNDED: {
        hc_type *elem = ck_texpr(P, seed, locus, t->elem);
        int64_t cap = const_int(P, seed, locus, t->len, 1, "a bounded capacity");
        if (cap > (int64_t)1 << 20) {
            hc_error(P->d, t->len->pos, "a bounded capacity of %lld is too large (at most %d)",
                     (long long)cap, 1 << 20);
        } else if (cap > 0 && elem->kind != TY_ERROR) {
            r = hc_ty_bounded(P->types, elem, cap);
        }
        break;
    }
    case TE_TUPLE: {
        hc_type **items = hc_alloc(P->a, sizeof(hc_type *) * (size_t)t->args.n);
        int bad = 0;
        for (int i = 0; i < t->args.n; i++) {
            items[i] = ck_texpr(P, seed, locus, t->args.v[i]);
            bad |= items[i]->kind == TY_ERROR;
        }
        if (!bad) {
            r = hc_ty_tuple(P->types, items, t->args.n);
        }
        break;
    }
    case TE_FN: {
        hc_type **items = hc_alloc(P->a, sizeof(hc_type *) * (size_t)(t->args.n + 1));
        for (int i = 0; i < t->args.n; i++) {
            items[i] = ck_texpr(P, seed, locus, t->args.v[i]);
        }
        hc_type *ret = ck_texpr(P, seed, locus, t->elem);
        r = hc_ty_fn(P->types, items, t->args.n, ret);
        break;
    }
    case TE_PROJECTION:
        r = ck_texpr(P, seed, locus, t->elem);
        break;
    case TE_PERSPECTIVE: {
        int reported;
        hc_decl *d = lookup_type_decl(P, seed, locus, &t->path, &reported);
        if (d && d->kind == D_PERSPECTIVE) {
            d->used = 1;
            r = d->ty;
        } else if (!reported) {
            hc_error(P->d, t->path.pos, "`%s` is not a perspective",
                     t->path.seg[t->path.n - 1].name);
        }
        break;
    }
    }
done:
    t->resolved = r;
    return r;
}

/* ---- constants ---- */

static hc_expr *lit(hc_ctx *c, hc_expr_kind k, hc_pos pos, hc_type *ty) {
    hc_expr *e = HC_NEW(c->P->a, hc_expr);
    e->kind = k;
    e->pos = pos;
    e->ty = ty;
    return e;
}

static hc_expr *fold_binary(hc_ctx *c, hc_expr *e, hc_expr *a, hc_expr *b) {
    hc_type *t = e->ty;
    int fl =
        t->kind == TY_FLOAT ||
        (t->kind == TY_BOOL && (a->kind == E_FLOAT || b->kind == E_FLOAT || a->widen || b->widen));
    double fa = a->kind == E_FLOAT ? a->f : (double)a->i,
           fb = b->kind == E_FLOAT ? b->f : (double)b->i;
    int64_t ia = a->i, ib = b->i;
    if (a->kind == E_STRING || b->kind == E_STRING) {
        if (a->kind != E_STRING || b->kind != E_STRING) {
            return NULL;
        }
        int cmp = 0;
        int64_t n = a->slen < b->slen ? a->slen : b->slen;
        cmp = memcmp(a->str, b->str, (size_t)n);
        if (!cmp) {
            cmp = a->slen < b->slen ? -1 : a->slen > b->slen;
        }
        hc_expr *r = lit(c, e->op == OP_ADD ? E_STRING : E_BOOL, e->pos, t);
        switch (e->op) {
        case OP_ADD: {
            char *s = hc_alloc(c->P->a, (size_t)(a->slen + b->slen + 1));
            memcpy(s, a->str, (size_t)a->slen);
            memcpy(s + a->slen, b->str, (size_t)b->slen);
            r->str = s;
            r->slen = a->slen + b->slen;
            return r;
        }
        case OP_EQ:
            r->i = cmp == 0;
            return r;
        case OP_NE:
            r->i = cmp != 0;
            return r;
        case OP_LT:
            r->i = cmp < 0;
            return r;
        case OP_GT:
            r->i = cmp > 0;
            return r;
        case OP_LE:
            r->i = cmp <= 0;
            return r;
        case OP_GE:
            r->i = cmp >= 0;
            return r;
        default:
            return NULL;
        }
    }
    hc_expr *r = lit(c,
                     t->kind == TY_FLOAT      ? E_FLOAT
                     : t->kind == TY_BOOL     ? E_BOOL
                     : t->kind == TY_DURATION ? E_DURATION
                                              : E_INT,
                     e->pos, t);
    uint64_t ua = (uint64_t)ia, ub = (uint64_t)ib;
    switch (e->op) {
    case OP_ADD:
        if (fl)
            r->f = fa + fb;
        else
            r->i = (int64_t)(ua + ub);
        break;
    case OP_SUB:
        if (fl)
            r->f = fa - fb;
        else
            r->i = (int64_t)(ua - ub);
        break;
    case OP_MUL:
        if (fl)
            r->f = fa * fb;
        else
            r->i = (int64_t)(ua * ub);
        break;
    case OP_DIV:
        if (fl) {
            r->f = fa / fb;
        } else {
            if (ib == 0) {
                hc_error(c->P->d, e->pos, "division by zero in a constant");
                return NULL;
            }
            r->i = (ia == INT64_MIN && ib == -1) ? INT64_MIN : ia / ib;
            if (a->kind == E_DURATION && b->kind == E_DURATION) {
                r->kind = E_INT;
            }
        }
        break;
    case OP_MOD:
        if (ib == 0) {
            hc_error(c->P->d, e->pos, "division by zero in a constant");
            return NULL;
        }
        r->i = (ia == INT64_MIN && ib == -1) ? 0 : ia % ib;
        break;
    case OP_BITAND:
        r->i = ia & ib;
        break;
    case OP_BITOR:
        r->i = ia | ib;
        break;
    case OP_BITXOR:
        r->i = ia ^ ib;
        break;
    case OP_SHL:
        r->i = ib < 0 || ib > 63 ? 0 : (int64_t)(ua << ib);
        break;
    case OP_SHR:
        r->i = ib < 0 || ib > 63 ? (ia < 0 ? -1 : 0) : ia >> ib;
        break;
    case OP_AND:
        r->i = ia && ib;
        break;
    case OP_OR:
        r->i = ia || ib;
        break;
    case OP_EQ:
        r->i = fl ? fa == fb : ia == ib;
        break;
    case OP_NE:
        r->i = fl ? fa != fb : ia != ib;
        break;
    case OP_LT:
        r->i = fl ? fa < fb : ia < ib;
        break;
    case OP_GT:
        r->i = fl ? fa > fb : ia > ib;
        break;
    case OP_LE:
        r->i = fl ? fa <= fb : ia <= ib;
        break;
    case OP_GE:
        r->i = fl ? fa >= fb : ia >= ib;
        break;
    default:
        return NULL;
    }
    return r;
}

/* Folds a checked expression to a literal, or returns NULL when it is not constant. */
hc_expr *ck_fold_const(hc_ctx *c, hc_expr *e, int report) {
    hc_expr *r = NULL;
    switch (e->kind) {
    case E_INT:
    case E_FLOAT:
    case E_BOOL:
    case E_STRING:
    case E_DURATION:
    case E_DECIMAL: /* a literal; Decimal and Time do not fold through operators */
    case E_TIME:
        r = e;
        break;
    case E_NAME:
        if (e->ref == REF_CONST && e->decl->const_value) {
            r = e->decl->const_value;
        } else if (e->ref == REF_VARIANT && e->ty && e->ty->kind == TY_ENUM) {
            r = e; /* a variant without values */
        }
        break;
    case E_UNARY: {
        hc_expr *a = ck_fold_const(c, e->lhs, 0);
        if (!a || a->kind == E_DECIMAL || a->kind == E_TIME || a->kind == E_NAME) {
            break;
        }
        r = lit(c, a->kind, e->pos, e->ty);
        if (e->op == OP_NEG) {
            r->i = (int64_t)(0 - (uint64_t)a->i);
            r->f = -a->f;
        } else if (e->op == OP_NOT) {
            r->i = !a->i;
        } else {
            r->i = ~a->i;
        }
        break;
    }
    case E_BINARY: {
        hc_expr *a = ck_fold_const(c, e->lhs, 0), *b = ck_fold_const(c, e->rhs, 0);
        int plain = a && b && a->kind != E_DECIMAL && a->kind != E_TIME && a->kind != E_NAME &&
                    b->kind != E_DECIMAL && b->kind != E_TIME && b->kind != E_NAME;
        if (plain) {
            r = fold_binary(c, e, a, b);
        }
        break;
    }
    case E_BLOCK:
        if (e->block->stmts.n == 0 && e->block->tail) {
            r = ck_fold_const(c, e->block->tail, 0);
        }
        break;
    case E_STRUCT: /* a record literal of constant fields: made where the constant is used */
        if (e->decl && e->decl->kind == D_RECORD) {
            int all = 1;
            for (int i = 0; i < e->inits.n && all; i++) {
                all = ck_fold_const(c, e->inits.v[i].value, 0) != NULL;
            }
            r = all ? e : NULL;
        }
        break;
    default:
        break;
    }
    if (r && e->widen && r->kind == E_INT) {
        hc_expr *w = lit(c, E_FLOAT, r->pos, hc_ty_prim(c->P->types, TY_FLOAT));
        w->f = (double)r->i;
        r = w;
    }
    if (!r && report) {
        int lit_only = e->ty && (e->ty->kind == TY_DECIMAL || e->ty->kind == TY_TIME);
        hc_help(hc_error(c->P->d, e->pos, "the value of a constant must be known at compile time"),
                lit_only ? "a Decimal or Time constant is a literal; compute with it where it is "
                           "used"
                         : "use literals, other constants and operators");
    }
    return r;
}

void ck_check_const(hc_program *P, hc_decl *d) {
    if (d->checked == 2) {
        return;
    }
    if (d->checked == 1) {
        hc_error(P->d, d->name.pos, "constant `%s` depends on itself", d->name.name);
        d->ty = err_ty(P);
        d->checked = 2;
        return;
    }
    d->checked = 1;
    hc_ctx c;
    ck_init_ctx(&c, P, d->seed, d->locus);
    hc_type *want = d->type ? ck_texpr(P, d->seed, d->locus, d->type) : NULL;
    d->ty = want ? want : err_ty(P);
    if (d->value) {
        hc_type *got = ck_expr(&c, d->value, want);
        if (!want) {
            d->ty = got;
        } else {
            ck_coerce(&c, d->value, got, want, "the constant's value");
        }
        if (got->kind != TY_ERROR) {
            d->const_value = ck_fold_const(&c, d->value, 1);
        }
    }
    d->checked = 2;
}

/* ---- declarations ---- */

static void check_annots(hc_program *P, hc_annots *an, const char *const *allowed,
                         const char *where) {
    for (int i = 0; i < an->n; i++) {
        const char *name = an->v[i].name.name;
        int ok = 0;
        for (int j = 0; allowed[j]; j++) {
            ok |= strcmp(allowed[j], name) == 0;
        }
        if (!ok) {
            static const char *known[] = {"form",      "locality", "export", "bounded", "sealed",
                                          "unbounded", "hoist",    "ffi",    "hot",     "budget"};
            int is_known = 0;
            for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
                is_known |= strcmp(known[k], name) == 0;
            }
            if (is_known) {
                hc_error(P->d, an->v[i].pos, "`@%s` does not apply to %s", name, where);
            } else {
                hc_error(P->d, an->v[i].pos, "unknown annotation `@%s`", name);
            }
        }
    }
}

static void check_record(hc_program *P, hc_decl *d) {
    if (d->checked) {
        return; /* an instance checked when it was made */
    }
    d->checked = 2;
    hc_ctx c;
    ck_init_ctx(&c, P, d->seed, d->locus);
    int heap = 0;
    for (int i = 0; i < d->fields.n; i++) {
        hc_param *f = &d->fields.v[i];
        for (int j = 0; j < i; j++) {
            if (strcmp(d->fields.v[j].name.name, f->name.name) == 0) {
                hc_note(hc_error(P->d, f->name.pos, "field `%s` is declared twice in `%s`",
                                 f->name.name, d->name.name),
                        d->fields.v[j].name.pos, "first declared here");
            }
        }
        hc_type *t = ck_texpr(P, d->seed, d->locus, f->type);
        if (t->kind == TY_LOCUS) {
            hc_help(hc_error(P->d, f->type->pos, "a record cannot hold a locus"),
                    "records are plain data; keep `%s` as a locus parameter instead",
                    hc_type_name(P->a, t));
        }
        heap |= t->heap;
        if (f->def) {
            hc_type *got = ck_expr(&c, f->def, t);
            ck_coerce(&c, f->def, got, t, "the field's default");
        }
    }
    hc_ty_set_heap(d->ty, heap);
}

/* By-value containment cycles (A holds B holds A) have no finite layout. */
static int contains(hc_type *t, hc_decl *target, int depth) {
    if (depth > 64) {
        return 0;
    }
    switch (t->kind) {
    case TY_RECORD:
        if (t->decl == target) {
            return 1;
        }
        for (int i = 0; i < t->decl->fields.n; i++) {
            hc_texpr *fx = t->decl->fields.v[i].type;
            if (fx && fx->resolved && contains(fx->resolved, target, depth + 1)) {
                return 1;
            }
        }
        return 0;
    case TY_BOUNDED:
        return contains(t->elem, target, depth + 1);
    case TY_TUPLE:
        for (int i = 0; i < t->nitems; i++) {
            if (contains(t->items[i], target, depth + 1)) {
                return 1;
            }
        }
        return 0;
    default:
        return 0;
    }
}

static void order_record(hc_program *P, hc_decl *d, int depth);

static void order_deps(hc_program *P, hc_type *t, int depth) {
    switch (t->kind) {
    case TY_RECORD:
        order_record(P, t->decl, depth + 1);
        break;
    case TY_BOUNDED:
        order_deps(P, t->elem, depth);
        break;
    case TY_TUPLE:
        for (int i = 0; i < t->nitems; i++) {
            order_deps(P, t->items[i], depth);
        }
        break;
    default:
        break;
    }
}

/* Appends `d` to P->records after every record it holds by value. */
static void order_record(hc_program *P, hc_decl *d, int depth) {
    if (d->allocates || depth > 64) { /* `allocates` doubles as the visited mark for records */
        return;
    }
    d->allocates = 1;
    for (int i = 0; i < d->fields.n; i++) {
        hc_texpr *fx = d->fields.v[i].type;
        if (fx && fx->resolved) {
            order_deps(P, fx->resolved, depth);
        }
    }
    HC_PUSH(P->a, P->records, d);
}

static void check_enum(hc_program *P, hc_decl *d) {
    if (d->checked) {
        return;
    }
    d->checked = 2;
    if (d->variants.n == 0) {
        hc_error(P->d, d->name.pos, "enum `%s` has no variants", d->name.name);
    }
    for (int i = 0; i < d->variants.n; i++) {
        hc_variant *v = &d->variants.v[i];
        for (int j = 0; j < i; j++) {
            if (strcmp(d->variants.v[j].name.name, v->name.name) == 0) {
                hc_note(hc_error(P->d, v->name.pos, "variant `%s` is declared twice in `%s`",
                                 v->name.name, d->name.name),
                        d->variants.v[j].name.pos, "first declared here");
            }
        }
        for (int k = 0; k < v->payload.n; k++) {
            hc_type *pt = ck_texpr(P, d->seed, d->locus, v->payload.v[k]);
            if (pt == d->ty) {
                hc_help(hc_error(P->d, v->payload.v[k]->pos, "enum `%s` holds itself in `%s`",
                                 d->name.name, v->name.name),
                        "a value cannot contain itself; hold an array of it instead");
                v->payload.v[k]->resolved = err_ty(P);
            } else if (pt->kind == TY_LOCUS) {
                hc_error(P->d, v->payload.v[k]->pos, "an enum variant cannot carry a locus");
            }
        }
    }
}

/* A locus's own declarations (records, enums, aliases), then its signature. */
static void locus_decls(hc_program *P, hc_decl *d) {
    for (int k = 0; k < d->members.n; k++) {
        hc_decl *m = d->members.v[k];
        if (m->kind == D_RECORD) {
            check_record(P, m);
        } else if (m->kind == D_ENUM) {
            check_enum(P, m);
        } else if (m->kind == D_ALIAS) {
            alias_target(P, m);
        }
    }
    ck_locus_signature(P, d);
}

/* Whether records and enums hold heap parts, once every one is checked: an enum's values and a
 * record's fields may be declared in any order, so this settles to a fixpoint. */
static int heap_of_decl(hc_decl *d) {
    int heap = 0;
    if (d->kind == D_RECORD) {
        for (int i = 0; i < d->fields.n; i++) {
            hc_texpr *x = d->fields.v[i].type;
            heap |= x && x->resolved && x->resolved->heap;
        }
    } else {
        for (int k = 0; k < d->variants.n; k++) {
            for (int i = 0; i < d->variants.v[k].payload.n; i++) {
                hc_texpr *x = d->variants.v[k].payload.v[i];
                heap |= x->resolved && x->resolved->heap;
            }
        }
    }
    return heap;
}

static int settle_one(hc_decl *d) {
    if ((d->kind != D_RECORD && d->kind != D_ENUM) || !d->ty || d->ty->heap || !heap_of_decl(d)) {
        return 0;
    }
    hc_ty_set_heap(d->ty, 1);
    return 1;
}

static void settle_heap(hc_program *P) {
    for (int changed = 1, rounds = 0; changed && rounds < 64; rounds++) {
        changed = 0;
        for (int si = 0; si < P->seeds.n; si++) {
            hc_seed *s = P->seeds.v[si];
            for (int i = 0; i < s->decls.n; i++) {
                hc_decl *d = s->decls.v[i];
                changed |= settle_one(d);
                for (int k = 0; d->kind == D_LOCUS && k < d->members.n; k++) {
                    changed |= settle_one(d->members.v[k]);
                }
            }
        }
    }
}

void ck_decl_signature(hc_program *P, hc_decl *fn) {
    static const char *fn_annots[] = {"unbounded", "hot",           "budget",     "ffi",
                                      "export",    "effects",       "no_syscall", "no_block",
                                      "no_ffi",    "no_publish",    "no_spawn",   "no_recursion",
                                      "no_panic",  "deterministic", NULL};
    if (fn->ty) {
        return; /* an instance checked when it was made */
    }
    check_annots(P, &fn->annots, fn_annots, "a function");
    if (fn->generics.n) {
        hc_error(P->d, fn->name.pos, "generic methods are not supported yet");
    }
    hc_ctx c;
    ck_init_ctx(&c, P, fn->seed, fn->locus);
    hc_type **ps = hc_alloc(P->a, sizeof(hc_type *) * (size_t)(fn->params.n + 1));
    int seen_default = 0;
    for (int i = 0; i < fn->params.n; i++) {
        hc_param *prm = &fn->params.v[i];
        ps[i] = ck_texpr(P, fn->seed, fn->locus, prm->type);
        if (fn->seed != P->std) {
            ps[i] = ck_iface_std_param(P, ps[i]); /* std::http::Handler (check_iface.c) */
        }
        for (int j = 0; j < i; j++) {
            if (strcmp(fn->params.v[j].name.name, prm->name.name) == 0) {
                hc_error(P->d, prm->name.pos, "parameter `%s` is declared twice", prm->name.name);
            }
        }
        if (prm->def) {
            seen_default = 1;
            hc_type *got = ck_expr(&c, prm->def, ps[i]);
            ck_coerce(&c, prm->def, got, ps[i], "the default value");
        } else if (seen_default) {
            hc_help(hc_error(P->d, prm->name.pos,
                             "parameter `%s` has no default but follows one that has",
                             prm->name.name),
                    "parameters with defaults must come last");
        }
    }
    fn->ret_ty = ck_texpr(P, fn->seed, fn->locus, fn->ret);
    fn->err_ty = fn->fallible ? ck_texpr(P, fn->seed, fn->locus, fn->fallible) : NULL;
    fn->ty = hc_ty_fn(P->types, ps, fn->params.n, fn->ret_ty);
    if (!fn->body && fn->kind == D_FN) {
        int ffi = 0;
        for (int i = 0; i < fn->annots.n; i++) {
            ffi |= strcmp(fn->annots.v[i].name.name, "ffi") == 0;
        }
        int contract = fn->locus && fn->locus->kind == D_PERSPECTIVE;
        if (!ffi && !contract && fn->seed != P->std) { /* std loci are implemented natively */
            hc_help(hc_error(P->d, fn->name.pos, "function `%s` has no body", fn->name.name),
                    "give it a `{ ... }` body");
        }
    }
}

static void check_main(hc_program *P) {
    hc_seed *s = P->root;
    if (!s) {
        return;
    }
    for (int i = 0; i < s->decls.n; i++) {
        hc_decl *d = s->decls.v[i];
        if (d->kind == D_FN && strcmp(d->name.name, "main") == 0 && !d->locus) {
            P->main_fn = d;
            if (d->params.n) {
                hc_help(hc_error(P->d, d->name.pos, "`fn main` takes no parameters"),
                        "read arguments with std::env::arg(i) and std::env::args_count()");
            }
            if (d->ret && d->ret_ty->kind != TY_UNIT) {
                hc_help(hc_error(P->d, d->ret->pos, "`fn main` returns no value"),
                        "set the exit status with std::process::exit(code)");
            }
            if (d->fallible) {
                hc_error(P->d, d->fallible->pos, "`fn main` cannot be fallible");
            }
        }
        if (d->kind == D_LOCUS && d->is_main) {
            if (P->main_locus) {
                hc_note(hc_error(P->d, d->name.pos, "a program has at most one `main locus`"),
                        P->main_locus->name.pos, "the other one is here");
            } else {
                P->main_locus = d;
            }
        }
    }
}

enum { CK_PHASE_TYPES = 1, CK_PHASE_SIGNATURES, CK_PHASE_DECLS, CK_PHASE_BODIES, CK_PHASE_DONE };

void ck_catch_up(hc_program *P, hc_decl *d) {
    static const char *none[] = {NULL};
    if (d->kind == D_RECORD) {
        d->ty = hc_ty_nominal(P->types, TY_RECORD, d);
        if (P->phase >= CK_PHASE_DECLS) {
            check_annots(P, &d->annots, none, "a type");
            check_record(P, d);
        }
        if (P->phase >= CK_PHASE_DONE) {
            order_record(P, d, 0);
        }
    } else if (d->kind == D_ENUM) {
        d->ty = hc_ty_nominal(P->types, TY_ENUM, d);
        if (P->phase >= CK_PHASE_DECLS) {
            check_enum(P, d);
        }
        if (P->phase >= CK_PHASE_DONE) {
            HC_PUSH(P->a, P->enums, d);
        }
    } else if (d->kind == D_FN) {
        if (P->phase >= CK_PHASE_SIGNATURES) {
            ck_decl_signature(P, d);
        }
        if (P->phase >= CK_PHASE_BODIES) {
            ck_function(P, d);
        }
    } else if (d->kind == D_LOCUS) {
        d->ty = hc_ty_nominal(P->types, TY_LOCUS, d);
        for (int k = 0; k < d->members.n; k++) {
            hc_decl *m = d->members.v[k];
            if (m->kind == D_RECORD || m->kind == D_ENUM) {
                m->ty = hc_ty_nominal(P->types, m->kind == D_RECORD ? TY_RECORD : TY_ENUM, m);
            }
        }
        if (P->phase >= CK_PHASE_DECLS) {
            locus_decls(P, d);
        }
        if (P->phase >= CK_PHASE_BODIES) {
            ck_locus_bodies(P, d);
        }
        if (P->phase >= CK_PHASE_DONE) {
            HC_PUSH(P->a, P->loci, d);
        }
    }
}

void hc_check(hc_program *P) {
    ck_generic_templates(P);
    P->phase = CK_PHASE_TYPES;
    /* 1. nominal types exist before any type expression is resolved */
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            hc_decl *d = s->decls.v[i];
            if (d->kind == D_RECORD) {
                d->ty = hc_ty_nominal(P->types, TY_RECORD, d);
            } else if (d->kind == D_ENUM) {
                d->ty = hc_ty_nominal(P->types, TY_ENUM, d);
            } else if (d->kind == D_LOCUS) {
                d->ty = hc_ty_nominal(P->types, TY_LOCUS, d);
                for (int k = 0; k < d->members.n; k++) {
                    hc_decl *m = d->members.v[k];
                    m->seed = s;
                    if (m->kind == D_RECORD) {
                        m->ty = hc_ty_nominal(P->types, TY_RECORD, m);
                    } else if (m->kind == D_ENUM) {
                        m->ty = hc_ty_nominal(P->types, TY_ENUM, m);
                    }
                }
            } else if (d->kind == D_TOPIC) {
                d->ty = hc_ty_nominal(P->types, TY_TOPIC, d);
            } else if (d->kind == D_IFACE) {
                d->ty = hc_ty_nominal(P->types, TY_IFACE, d);
            } else if (d->kind == D_PERSPECTIVE) {
                d->ty = hc_ty_nominal(P->types, TY_LOCUS, d); /* check_persp.c */
            }
        }
    }
    /* 2. topics (loci's bus blocks read their payloads), records, enums, aliases, constants,
     * signatures */
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            if (s->decls.v[i]->kind == D_TOPIC) {
                ck_topic(P, s->decls.v[i]);
            }
        }
    }
    /* function signatures first: a locus's parameter defaults may call a function declared
     * after it */
    P->phase = CK_PHASE_SIGNATURES;
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            if (s->decls.v[i]->kind == D_FN) {
                ck_decl_signature(P, s->decls.v[i]);
            }
        }
    }
    P->phase = CK_PHASE_DECLS;
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            hc_decl *d = s->decls.v[i];
            static const char *none[] = {NULL};
            switch (d->kind) {
            case D_RECORD:
                check_annots(P, &d->annots, none, "a type");
                check_record(P, d);
                break;
            case D_ENUM:
                check_annots(P, &d->annots, none, "an enum");
                check_enum(P, d);
                break;
            case D_ALIAS:
                alias_target(P, d);
                break;
            case D_IFACE:
                check_annots(P, &d->annots, none, "an interface");
                ck_iface_signature(P, d);
                break;
            case D_PERSPECTIVE:
                ck_perspective(P, d);
                break;
            case D_CONST:
                check_annots(P, &d->annots, none, "a constant");
                ck_check_const(P, d);
                break;
            case D_LOCUS:
                locus_decls(P, d);
                break;
            default:
                break;
            }
        }
    }
    settle_heap(P);
    ck_serves_all(P);
    for (int si = 0; si < P->seeds.n; si++) { /* after the records: their fields are known */
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            hc_decl *d = s->decls.v[i];
            if (d->kind == D_FN) {
                ck_ffi(P, d);
            }
            for (int k = 0; d->kind == D_LOCUS && k < d->members.n; k++) {
                if (d->members.v[k]->kind == D_FN) {
                    ck_ffi(P, d->members.v[k]);
                }
            }
        }
    }
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            hc_decl *d = s->decls.v[i];
            if (d->kind == D_RECORD) {
                for (int k = 0; k < d->fields.n; k++) {
                    hc_texpr *fx = d->fields.v[k].type;
                    if (fx && fx->resolved && contains(fx->resolved, d, 0)) {
                        hc_help(hc_error(P->d, d->fields.v[k].name.pos,
                                         "record `%s` contains itself through field `%s`",
                                         d->name.name, d->fields.v[k].name.name),
                                "a record cannot hold itself by value; use an array field");
                        fx->resolved = err_ty(P);
                    }
                }
            }
        }
    }
    ck_locus_cycles(P);
    check_main(P);
    /* 3. bodies */
    P->phase = CK_PHASE_BODIES;
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            hc_decl *d = s->decls.v[i];
            if (d->kind == D_FN && d->body) {
                ck_function(P, d);
            } else if (d->kind == D_LOCUS) {
                ck_locus_bodies(P, d);
            }
        }
    }
    /* placement: where every locus runs, and what that forbids */
    ck_place(P);
    /* 4. C declaration order of records */
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            hc_decl *d = s->decls.v[i];
            if (d->kind == D_RECORD) {
                order_record(P, d, 0);
            } else if (d->kind == D_ENUM) {
                HC_PUSH(P->a, P->enums, d);
            } else if (d->kind == D_LOCUS) {
                HC_PUSH(P->a, P->loci, d);
                for (int k = 0; k < d->members.n; k++) {
                    if (d->members.v[k]->kind == D_RECORD) {
                        order_record(P, d->members.v[k], 0);
                    } else if (d->members.v[k]->kind == D_ENUM) {
                        HC_PUSH(P->a, P->enums, d->members.v[k]);
                    }
                }
            }
        }
    }
    P->phase = CK_PHASE_DONE;
    /* 5. the bus: the topic table, program-wide rules, each topic's lowering */
    ck_bus_program(P);
    ck_effects(P);
    /* 6. escapes: what ancestors get from their children, lowered as the posture says */
    if (!hc_error_count(P->d)) {
        hc_escape_analyze(P);
    }
}
